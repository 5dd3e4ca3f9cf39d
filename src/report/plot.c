/* plot.c - a gnuplot script of a result (throughput, band, pick, rules, p99) and its rendering by gnuplot. */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "format.h"
#include "plot.h"
#include "report_text.h"
#include "stats.h"
#include "vec.h"
#include "workload.h"

/* The top axis's labels at the terminal's font: a digit is about this wide
 * (pngcairo sans 11; svg sans 12 is close), and the plot area loses about
 * this much of the width to the two y axes' labels and tics. */
#define LABEL_DIGIT_PX 8.0
#define Y_AXES_PX 150.0
#define TITLE_SUBJECT_MAX 72 /* characters of the workload or command in the title */

/* Colours: one per role, readable on white and for the common colour-vision deficiencies. */
#define COLOUR_TPUT "#1f77b4"
#define COLOUR_PICK "#d62728"
#define COLOUR_BAND "#2ca02c"
#define COLOUR_P99 "#9467bd"
#define COLOUR_MODEL "#7f7f7f"
#define COLOUR_FAILED "#000000"

/* A point the plot can draw: measured, with a finite median. */
static int point_ok(const struct tp_point *p) { return tp_point_ok(p) && isfinite(p->tput_median); }

/* Writes s as a gnuplot double-quoted string. */
void tp__gp_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

void tp_plot_write_string(FILE *f, const char *s) { tp__gp_string(f, s); }

void tp__gp_terminal(FILE *f, enum tp_plot_format format, int width, int height)
{
    if (format == TP_PLOT_SVG)
        fprintf(f, "set terminal svg size %d,%d dynamic noenhanced font \"sans,12\" background rgb \"white\"\n", width,
                height);
    else
        fprintf(f, "set terminal pngcairo size %d,%d noenhanced font \"sans,11\" background rgb \"white\"\n", width,
                height);
    fputs("set output tp_output\n", f);
}

/* The unit the p99 axis uses: the one in which the largest p99 reads best. */
static void latency_unit(const struct tp_result *r, const char **unit, double *div)
{
    double mx = 0;
    for (size_t i = 0; i < r->n_points; i++)
        if (point_ok(&r->points[i]) && isfinite(r->points[i].lat_p99_ns) && r->points[i].lat_p99_ns > mx)
            mx = r->points[i].lat_p99_ns;
    if (mx >= 1e9) {
        *unit = "s";
        *div = 1e9;
    } else if (mx >= 1e6) {
        *unit = "ms";
        *div = 1e6;
    } else if (mx >= 1e3) {
        *unit = "us";
        *div = 1e3;
    } else {
        *unit = "ns";
        *div = 1.0;
    }
}

static void title_text(char *buf, size_t len, const struct tp_result *r)
{
    char wl[256];
    int program = tp__report_subject_text(wl, sizeof wl, r); /* "io: wait 2 ms + compute 100 us per task" */
    if (strlen(wl) > TITLE_SUBJECT_MAX)                      /* a long command would run off an 800 px picture */
        memcpy(wl + TITLE_SUBJECT_MAX - 3, "...", 4);
    snprintf(buf, len, "tune-pool %s: %s%s, on %d core%s%s%s%s", r->version[0] ? r->version : TP_VERSION_STRING,
             program ? "" : "workload ", wl, r->cores, tp__plural(r->cores), r->topo.cpu_model[0] ? " (" : "",
             r->topo.cpu_model, r->topo.cpu_model[0] ? ")" : "");
    if (r->partial)
        snprintf(buf + strlen(buf), len - strlen(buf), " - PARTIAL run");
}

static void subtitle_text(char *buf, size_t len, const struct tp_result *r)
{
    if (r->pick < 0 || (size_t)r->pick >= r->n_points) {
        snprintf(buf, len, "no point was measured successfully: no recommendation");
        return;
    }
    const struct tp_point *p = &r->points[r->pick];
    char m[32], lo[32], hi[32];
    int tlo = 0, thi = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        if (!r->points[i].in_band)
            continue;
        if (tlo == 0 || r->points[i].threads < tlo)
            tlo = r->points[i].threads;
        if (r->points[i].threads > thi)
            thi = r->points[i].threads;
    }
    const char *fmt = r->program != NULL ? "pick: m = %s -> %d thread%s, %.3g %s [%.3g, %.3g]; "
                                         : "pick: m = %s -> %d thread%s, %.0f %s [%.0f, %.0f]; ";
    int n = snprintf(buf, len, fmt, tp__fmt_mult(m, sizeof m, p->multiplier), p->threads, tp__plural(p->threads),
                     p->tput_median, tp__report_rate_unit(r), p->tput_ci_lo, p->tput_ci_hi);
    if (n < 0 || (size_t)n >= len)
        return;
    if (r->n_band <= 1)
        snprintf(buf + n, len - (size_t)n, "band: the pick alone");
    else
        snprintf(buf + n, len - (size_t)n, "band: m = %s .. %s (%d .. %d threads)",
                 tp__fmt_mult(lo, sizeof lo, r->band_lo_multiplier), tp__fmt_mult(hi, sizeof hi, r->band_hi_multiplier),
                 tlo, thi);
}

static void write_points_block(FILE *f, const struct tp_result *r, double lat_div)
{
    fputs("# multiplier threads tput_median tput_ci_lo tput_ci_hi p99 in_band\n$points << EOD\n", f);
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (!point_ok(p))
            continue;
        double p99 = isfinite(p->lat_p99_ns) ? p->lat_p99_ns / lat_div : NAN;
        fprintf(f, "%.10g %d %.10g %.10g %.10g ", p->multiplier, p->threads, p->tput_median, p->tput_ci_lo,
                p->tput_ci_hi);
        if (isfinite(p99))
            fprintf(f, "%.6g", p99);
        else
            fputs("NaN", f);
        fprintf(f, " %d\n", p->in_band);
    }
    fputs("EOD\n", f);
}

/* The top axis names the measured points' thread counts at their m: the
 * pick first, then every point not too close to one already named, so that
 * labels do not run into each other on the log scale. */
static int label_len(int threads)
{
    char b[16];
    return snprintf(b, sizeof b, "%d", threads);
}

/* Whether the labels of points i and j, at the plot's width, would touch:
 * the gap between their centres (log2 units) against half of each label and
 * a digit of air, converted with the plot area's px per log2 unit. */
static int labels_touch(const struct tp_result *r, size_t i, size_t j, double px_per_log2)
{
    double gap = fabs(log2(r->points[i].multiplier / r->points[j].multiplier)) * px_per_log2;
    double need = LABEL_DIGIT_PX * (0.5 * (label_len(r->points[i].threads) + label_len(r->points[j].threads)) + 1.0);
    return gap < need;
}

static void write_x2tics(FILE *f, const struct tp_result *r, int width)
{
    double lo = 0, hi = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        double m = r->points[i].multiplier;
        if (!(m > 0) || !isfinite(m))
            continue;
        if (lo == 0 || m < lo)
            lo = m;
        if (m > hi)
            hi = m;
    }
    if (lo == 0) {
        fputs("unset x2tics\n", f);
        return;
    }
    double plot_px = width - Y_AXES_PX > 100 ? width - Y_AXES_PX : 100;
    double px_per_log2 = plot_px / log2(hi * 1.25 / (lo / 1.25));
    char *named = calloc(r->n_points, 1);
    if (named == NULL) {
        fputs("unset x2tics\n", f);
        return;
    }
    if (r->pick >= 0 && (size_t)r->pick < r->n_points)
        named[r->pick] = 1;
    for (size_t i = 0; i < r->n_points; i++) {
        double m = r->points[i].multiplier;
        if (named[i] || !(m > 0) || !isfinite(m))
            continue;
        int clear = 1;
        for (size_t j = 0; j < r->n_points && clear; j++)
            if (named[j] && labels_touch(r, i, j, px_per_log2))
                clear = 0;
        named[i] = (char)clear;
    }
    fputs("set x2tics (", f);
    int first = 1;
    for (size_t i = 0; i < r->n_points; i++) {
        if (!named[i])
            continue;
        fprintf(f, "%s\"%d\" %.10g", first ? "" : ", ", r->points[i].threads, r->points[i].multiplier);
        first = 0;
    }
    fputs(") out nomirror\n", f);
    free(named);
}

/* What the parts of the script share: the axes' units and what is present. */
struct script {
    const struct tp_result *r;
    FILE *f;
    const char *lat_unit;
    double lat_div;    /* ns per unit of the p99 axis */
    char level[16];    /* "95%" */
    int n_ok, n_p99;   /* points drawn; of those, with a p99 */
    double xmin, xmax; /* the measured multipliers; 0 when none */
    int pick_ok;
    int model_ok; /* the model's m is drawn */
    int width;    /* the picture's, px */
    int no_p99;   /* a --run: a run is not a task, there is no latency axis */
};

static void script_init(struct script *s, const struct tp_result *r, FILE *f)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    s->f = f;
    latency_unit(r, &s->lat_unit, &s->lat_div);
    snprintf(s->level, sizeof s->level, "%g%%", 100.0 * tp__effective_confidence(r->confidence));
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        s->n_ok += point_ok(p);
        s->n_p99 += point_ok(p) && isfinite(p->lat_p99_ns);
        double x = p->multiplier;
        if (!(x > 0) || !isfinite(x))
            continue;
        if (s->xmin == 0 || x < s->xmin)
            s->xmin = x;
        if (x > s->xmax)
            s->xmax = x;
    }
    s->pick_ok = r->pick >= 0 && (size_t)r->pick < r->n_points;
    s->no_p99 = r->program != NULL;
    s->model_ok = r->model.valid && isfinite(r->model.multiplier) && r->model.multiplier > 0;
}

/* The header, the terminal and the output file. */
static void write_preamble(const struct script *s, const struct tp_plot_opts *o, const char *image_path)
{
    FILE *f = s->f;
    int width = o->width > 0 ? o->width : TP__PLOT_WIDTH, height = o->height > 0 ? o->height : TP__PLOT_HEIGHT;
    fprintf(f, "# Generated by tune-pool %s: throughput against the pool-size multiplier.\n",
            s->r->version[0] ? s->r->version : TP_VERSION_STRING);
    fputs("# Render: gnuplot THIS_FILE   (or gnuplot -e \"tp_output='other.png'\" THIS_FILE)\n", f);
    fputs("if (!exists(\"tp_output\")) tp_output = ", f);
    tp__gp_string(f, image_path != NULL ? image_path : "tune-pool.png");
    fputc('\n', f);
    tp__gp_terminal(f, o->format, width, height);
}

static const struct tp_point *rule_point(const struct tp_result *r, int k);

/* How many entries the key will have (plot_curves and plot_markers draw them). */
static int key_entries(const struct script *s)
{
    const struct tp_result *r = s->r;
    int n = 1 + !s->no_p99 + (s->pick_ok && r->n_band > 0) + s->pick_ok + s->model_ok + (r->max_p99_ns > 0);
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++)
        n += rule_point(r, k) != NULL;
    for (size_t i = 0; i < r->n_points; i++)
        if (r->points[i].status != TP_POINT_OK && r->points[i].status != TP_POINT_SKIPPED) {
            n++;
            break;
        }
    return n;
}

/* The title, the axes with their labels, ranges and tics, the grid and the key. */
static void write_axes(const struct script *s)
{
    const struct tp_result *r = s->r;
    FILE *f = s->f;
    char line[512], sub[384], both[1024];
    title_text(line, sizeof line, r);
    fputs("set title ", f);
    subtitle_text(sub, sizeof sub, r);
    snprintf(both, sizeof both, "%s\n%s", line, sub);
    tp__gp_string(f, both);
    fputs("\n", f);

    int cores = r->cores > 0 ? r->cores : 1;
    fprintf(f, "cores = %d\n", cores);
    fputs("set logscale x 2\nset logscale x2 2\n", f);
    snprintf(line, sizeof line, "pool size multiplier m (threads = m x %d core%s; log scale)", cores,
             tp__plural(cores));
    fputs("set xlabel ", f);
    tp__gp_string(f, line);
    fputs("\nset x2label \"threads at each measured point\"\nset xtics nomirror\n", f);
    write_x2tics(f, r, s->width);
    snprintf(line, sizeof line, "throughput (%s): median and %s interval", tp__report_rate_unit(r), s->level);
    fputs("set ylabel ", f);
    tp__gp_string(f, line);
    if (s->no_p99) {
        fprintf(f, "\nset ytics nomirror\nunset y2tics\nset yrange [0:%s]\nset format y \"%%g\"\n",
                s->n_ok > 0 ? "*" : "1");
    } else {
        snprintf(line, sizeof line, "p99 task latency (%s)", s->lat_unit);
        fputs("\nset y2label ", f);
        tp__gp_string(f, line);
        fprintf(f, "\nset ytics nomirror\nset y2tics\nset yrange [0:%s]\nset y2range [0:%s]\nset format y \"%s\"\n",
                s->n_ok > 0 ? "*" : "1", s->n_p99 > 0 ? "*" : "1", s->n_ok > 0 ? "%.0f" : "%g");
    }
    fprintf(f, "set grid xtics ytics lc rgb \"#dddddd\"\nset border %d\n", s->no_p99 ? 3 : 11);
    /* The key under the plot, two entries a row: beside it, it took 40% of the width. */
    fputs("set key outside center bottom horizontal maxcols 2 Left reverse box samplen 2 spacing 1.5 width -6 font "
          "\",10\"\n",
          f);
    int rows = (key_entries(s) + 1) / 2; /* each 1.5 lines high, so that the markers fit */
    fprintf(f, "set tmargin 6\nset bmargin %d\n", 4 + (3 * rows + 1) / 2);
    fputs("set offsets graph 0.03, graph 0.03, graph 0.08, 0\n", f);
    /* The x range: the measured multipliers with a margin, so that no point sits on the frame. */
    if (s->xmin > 0)
        fprintf(f, "set xrange [%.10g:%.10g]\nset x2range [%.10g:%.10g]\n", s->xmin / 1.25, s->xmax * 1.25,
                s->xmin / 1.25, s->xmax * 1.25);
}

/* The band (a shaded span), the pick's line and label, the p99 bound and the model's m. */
static void write_marks(const struct script *s)
{
    const struct tp_result *r = s->r;
    FILE *f = s->f;
    char line[512], m[32];
    if (s->pick_ok && r->n_band > 0)
        fprintf(f,
                "set object 1 rectangle from first %.10g, graph 0 to first %.10g, graph 1 behind "
                "fillcolor rgb \"%s\" fillstyle transparent solid 0.15 noborder\n",
                r->band_lo_multiplier / 1.06, r->band_hi_multiplier * 1.06, COLOUR_BAND);
    if (s->pick_ok) {
        const struct tp_point *p = &r->points[r->pick];
        fprintf(
            f, "set arrow 1 from first %.10g, graph 0 to first %.10g, graph 1 nohead dashtype 2 lw 1.5 lc rgb \"%s\"\n",
            p->multiplier, p->multiplier, COLOUR_PICK);
        snprintf(line, sizeof line, " pick: m = %s (%d thread%s)", tp__fmt_mult(m, sizeof m, p->multiplier), p->threads,
                 tp__plural(p->threads));
        fprintf(f, "set label 1 ");
        tp__gp_string(f, line);
        /* Right of the line, or left of it when the pick is in the right part of the plot. */
        int right_half =
            s->xmin > 0 && s->xmax > s->xmin && log(p->multiplier / s->xmin) > 0.6 * log(s->xmax / s->xmin);
        fprintf(f, " at first %.10g, graph 0.04 %s textcolor rgb \"%s\" front\n", p->multiplier,
                right_half ? "right offset -0.5,0" : "left offset 0.5,0", COLOUR_PICK);
    }
    if (r->max_p99_ns > 0)
        fprintf(
            f, "set arrow 3 from graph 0, second %.6g to graph 1, second %.6g nohead dashtype 4 lw 1.5 lc rgb \"%s\"\n",
            r->max_p99_ns / s->lat_div, r->max_p99_ns / s->lat_div, COLOUR_P99);
    if (s->model_ok)
        fprintf(
            f, "set arrow 2 from first %.10g, graph 0 to first %.10g, graph 1 nohead dashtype 3 lw 1.5 lc rgb \"%s\"\n",
            r->model.multiplier, r->model.multiplier, COLOUR_MODEL);
}

/* The rule's short name for the key (its spec's), or its full name. */
static const char *rule_short_name(const struct tp_rule_row *row)
{
    for (size_t s = 0; s < tp_n_rule_specs; s++)
        if (strcmp(tp_rule_specs[s].key, row->key) == 0 && tp_rule_specs[s].short_name != NULL)
            return tp_rule_specs[s].short_name;
    return row->name != NULL ? row->name : row->key;
}

/* The rule's measured point, or NULL when it has none to draw. */
static const struct tp_point *rule_point(const struct tp_result *r, int k)
{
    const struct tp_rule_row *row = &r->rules[k];
    if (row->key == NULL || row->point < 0 || (size_t)row->point >= r->n_points || !point_ok(&r->points[row->point]))
        return NULL;
    return &r->points[row->point];
}

/* The data blocks of the rules (one each, so that each gets its own key
 * entry), the pick and the failed points; returns how many failed. */
static int write_marker_blocks(const struct script *s)
{
    const struct tp_result *r = s->r;
    FILE *f = s->f;
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
        const struct tp_point *p = rule_point(r, k);
        if (p != NULL)
            fprintf(f, "$rule_%s << EOD\n%.10g %.10g\nEOD\n", r->rules[k].key, p->multiplier, p->tput_median);
    }
    if (s->pick_ok)
        fprintf(f, "$pick << EOD\n%.10g %.10g\nEOD\n", r->points[r->pick].multiplier, r->points[r->pick].tput_median);
    fputs("$failed << EOD\n", f);
    int n_failed = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (p->status != TP_POINT_OK && p->status != TP_POINT_SKIPPED && p->multiplier > 0) {
            fprintf(f, "%.10g 0\n", p->multiplier);
            n_failed++;
        }
    }
    fputs("EOD\n", f);
    return n_failed;
}

/* The band's key entry, the throughput and the p99 series. gnuplot refuses
 * a plot whose every series is empty: an axis without data gets a key entry
 * that says why. */
static void plot_curves(const struct script *s)
{
    FILE *f = s->f;
    char line[512];
    if (s->pick_ok && s->r->n_band > 0) {
        fprintf(f, "  keyentry with boxes fillcolor rgb \"%s\" fillstyle transparent solid 0.15 noborder title ",
                COLOUR_BAND);
        tp__gp_string(f, "band: indistinguishable from best");
        fputs(", \\\n", f);
    }
    if (s->n_ok > 0) {
        fprintf(f, "  $points using 1:3:4:5 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb \"%s\" title ", COLOUR_TPUT);
        snprintf(line, sizeof line, "throughput: median, %s interval", s->level);
    } else {
        fprintf(f, "  keyentry with points pt 7 lc rgb \"%s\" title ", COLOUR_TPUT);
        snprintf(line, sizeof line, "throughput: no point was measured");
    }
    tp__gp_string(f, line);
    if (s->no_p99)
        return;
    if (s->n_p99 > 0) {
        fprintf(f,
                ", \\\n  $points using 1:6 axes x1y2 with linespoints dashtype 2 lw 1.5 pt 6 ps 1 lc rgb \"%s\" title ",
                COLOUR_P99);
        tp__gp_string(f, "p99 latency (right axis)");
    } else {
        fprintf(f, ", \\\n  keyentry with points pt 6 lc rgb \"%s\" title ", COLOUR_P99);
        tp__gp_string(f, "p99 latency: not measured");
    }
}

/* The rules', the pick's, the model's, the bound's and the failures' series. */
static void plot_markers(const struct script *s, int n_failed)
{
    static const struct {
        int pt;
        const char *colour;
    } rule_style[] = { { 9, "#ff7f0e" }, { 13, "#17becf" }, { 5, "#8c564b" }, { 11, "#bcbd22" }, { 15, "#e377c2" } };
    const struct tp_result *r = s->r;
    FILE *f = s->f;
    char line[512], m[32];
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
        if (rule_point(r, k) == NULL)
            continue;
        size_t st = (size_t)k % TP__ARRAY_LEN(rule_style);
        fprintf(f, ", \\\n  $rule_%s using 1:2 with points pt %d ps 2.1 lw 2 lc rgb \"%s\" title ", r->rules[k].key,
                rule_style[st].pt, rule_style[st].colour);
        snprintf(line, sizeof line, "%s: %.2f of pick", rule_short_name(&r->rules[k]), r->rules[k].fraction);
        tp__gp_string(f, line);
    }
    if (s->pick_ok) {
        const struct tp_point *p = &r->points[r->pick];
        fprintf(f, ", \\\n  $pick using 1:2 with points pt 3 ps 2.8 lw 2.5 lc rgb \"%s\" title ", COLOUR_PICK);
        snprintf(line, sizeof line, "pick: m = %s (%d thread%s)", tp__fmt_mult(m, sizeof m, p->multiplier), p->threads,
                 tp__plural(p->threads));
        tp__gp_string(f, line);
    }
    if (s->model_ok) {
        fprintf(f, ", \\\n  keyentry with lines dashtype 3 lw 1.5 lc rgb \"%s\" title ", COLOUR_MODEL);
        snprintf(line, sizeof line, "model (Little's law): m = %.3g", r->model.multiplier);
        tp__gp_string(f, line);
    }
    if (r->max_p99_ns > 0) {
        fprintf(f, ", \\\n  keyentry with lines dashtype 4 lw 1.5 lc rgb \"%s\" title ", COLOUR_P99);
        snprintf(line, sizeof line, "p99 bound (--max-p99): %s", tp__fmt_duration(m, sizeof m, r->max_p99_ns));
        tp__gp_string(f, line);
    }
    if (n_failed > 0) {
        fprintf(f, ", \\\n  $failed using 1:2 with points pt 2 ps 2 lw 2 lc rgb \"%s\" title ", COLOUR_FAILED);
        tp__gp_string(f, "failed point (no measurement)");
    }
}

/* The plot: one `plot` with every series; rules, pick and failures only when present. */
static int write_script(const struct tp_result *r, const struct tp_plot_opts *o, const char *image_path, FILE *f)
{
    struct script s;
    script_init(&s, r, f);
    s.width = o->width > 0 ? o->width : TP__PLOT_WIDTH;
    write_preamble(&s, o, image_path);
    write_points_block(f, r, s.lat_div);
    write_axes(&s);
    write_marks(&s);
    int n_failed = write_marker_blocks(&s);
    fputs("plot \\\n", f);
    plot_curves(&s);
    plot_markers(&s, n_failed);
    fputs("\nunset output\n", f);
    return 0;
}

int tp_plot_write_script(const struct tp_result *result, const struct tp_plot_opts *opts, const char *image_path,
                         FILE *f)
{
    struct tp_plot_opts def = { 0 };
    if (result == NULL || f == NULL || (result->n_points > 0 && result->points == NULL))
        return -EINVAL;
    int rc = write_script(result, opts != NULL ? opts : &def, image_path, f);
    if (fflush(f) != 0 || ferror(f))
        return rc < 0 ? rc : -EIO;
    return rc;
}

struct script_ctx {
    const struct tp_result *result;
    const struct tp_plot_opts *opts;
    const char *image_path;
};

static int script_writer(void *ctx, FILE *f)
{
    const struct script_ctx *s = ctx;
    return tp_plot_write_script(s->result, s->opts, s->image_path, f);
}

/* "tp_output='PATH'" for gnuplot's -e, with single quotes doubled. */
static char *output_assignment(const char *path)
{
    size_t n = strlen(path), len = 2 * n + sizeof "tp_output=''";
    char *s = malloc(len), *o = s;
    if (s == NULL)
        return NULL;
    o += sprintf(o, "tp_output='");
    for (const char *c = path; *c; c++) {
        if (*c == '\'')
            *o++ = '\'';
        *o++ = *c;
    }
    strcpy(o, "'");
    return s;
}

/* Keeps the last line of gnuplot's stderr that says something. */
static void last_line(const char *text, char *why, size_t why_len)
{
    if (why == NULL || why_len == 0)
        return;
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
        int blank = 1;
        for (size_t i = 0; i < n; i++)
            if (p[i] != ' ' && p[i] != '\t' && p[i] != '^')
                blank = 0;
        if (!blank) {
            best = p;
            best_len = n;
        }
        p += n + (e != NULL);
    }
    if (best != NULL)
        snprintf(why, why_len, "%.*s", (int)best_len, best);
}

/* Runs `gnuplot -e tp_output=... script` and waits; stderr collected into why. */
static int run_gnuplot(const char *prog, const char *script, const char *output, char *why, size_t why_len)
{
    int rc = 0, fds[2] = { -1, -1 };
    char *assign = output_assignment(output);
    if (assign == NULL)
        return -ENOMEM;
    if (pipe2(fds, O_CLOEXEC) < 0) {
        rc = tp__from_errno();
        free(assign);
        return rc;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    char *argv[] = { (char *)prog, "-e", assign, (char *)script, NULL };
    pid_t pid;
    int sp = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    free(assign);
    if (sp != 0) {
        close(fds[0]);
        if (sp == ENOENT || sp == EACCES || sp == ENOTDIR) {
            if (why != NULL && why_len > 0)
                snprintf(why, why_len, "cannot run '%s': %s", prog, strerror(sp));
            return TP_ENOGNUPLOT;
        }
        return -sp;
    }
    char err[4096];
    size_t used = 0;
    for (;;) {
        char buf[1024];
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        /* Keep the tail: the last error is what matters. */
        if (used + (size_t)n >= sizeof err) {
            size_t drop = used + (size_t)n - (sizeof err - 1);
            if (drop > used)
                drop = used;
            memmove(err, err + drop, used - drop);
            used -= drop;
        }
        size_t take = (size_t)n < sizeof err - 1 - used ? (size_t)n : sizeof err - 1 - used;
        memcpy(err + used, buf + (size_t)n - take, take);
        used += take;
    }
    err[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return tp__from_errno();
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        last_line(err, why, why_len);
        if (why != NULL && why_len > 0 && why[0] == '\0') {
            if (WIFSIGNALED(status))
                snprintf(why, why_len, "gnuplot was killed by signal %d", WTERMSIG(status));
            else
                snprintf(why, why_len, "gnuplot exited with status %d", WEXITSTATUS(status));
        }
        return TP_EGNUPLOT;
    }
    return 0;
}

int tp_plot_render(const struct tp_result *result, const struct tp_plot_opts *opts, const char *image_path,
                   const char *script_path, char *why, size_t why_len)
{
    struct tp_plot_opts def = { 0 };
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (result == NULL || image_path == NULL || image_path[0] == '\0')
        return -EINVAL;
    if (opts == NULL)
        opts = &def;
    struct script_ctx ctx = { result, opts, image_path };
    return tp__plot_render_with(script_writer, &ctx, opts, image_path, script_path, why, why_len);
}

int tp_plot_render_script(tp_plot_script_writer writer, void *ctx, const struct tp_plot_opts *opts,
                          const char *image_path, const char *script_path, char *why, size_t why_len)
{
    struct tp_plot_opts def = { 0 };
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (writer == NULL || image_path == NULL || image_path[0] == '\0')
        return -EINVAL;
    return tp__plot_render_with(writer, ctx, opts != NULL ? opts : &def, image_path, script_path, why, why_len);
}

int tp__plot_render_with(int (*writer)(void *ctx, FILE *f), void *wctx, const struct tp_plot_opts *opts,
                         const char *image_path, const char *script_path, char *why, size_t why_len)
{
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    const char *prog = opts->gnuplot != NULL ? opts->gnuplot : "gnuplot";
    size_t plen = strlen(image_path) + sizeof ".XXXXXX";
    char *tmp_image = malloc(plen), *tmp_script = NULL;
    if (tmp_image == NULL)
        return -ENOMEM;
    snprintf(tmp_image, plen, "%s.XXXXXX", image_path);
    int rc = 0, fd;

    if (script_path != NULL) {
        rc = tp__write_atomic(script_path, writer, wctx);
        if (rc < 0) {
            free(tmp_image);
            return rc;
        }
    } else {
        /* A throwaway script next to the image, removed afterwards. */
        tmp_script = malloc(plen + 3);
        if (tmp_script == NULL) {
            free(tmp_image);
            return -ENOMEM;
        }
        snprintf(tmp_script, plen + 3, "%s.gp.XXXXXX", image_path);
        fd = mkostemp(tmp_script, O_CLOEXEC);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (f == NULL) {
            rc = tp__from_errno();
            if (fd >= 0) {
                close(fd);
                unlink(tmp_script);
            }
            free(tmp_script);
            free(tmp_image);
            return rc;
        }
        rc = writer(wctx, f);
        if (fclose(f) != 0 && rc == 0)
            rc = tp__from_errno();
        if (rc < 0)
            goto out;
    }

    /* gnuplot draws into a temporary file, renamed into place only when it succeeded. */
    fd = mkostemp(tmp_image, O_CLOEXEC);
    if (fd < 0) {
        rc = tp__from_errno();
        tmp_image[0] = '\0';
        goto out;
    }
    close(fd);
    struct stat st;
    mode_t mode = (stat(image_path, &st) == 0 && S_ISREG(st.st_mode)) ? (st.st_mode & 07777) : 0644;
    (void)chmod(tmp_image, mode);
    rc = run_gnuplot(prog, script_path != NULL ? script_path : tmp_script, tmp_image, why, why_len);
    if (rc == 0 && (stat(tmp_image, &st) != 0 || st.st_size == 0)) {
        if (why != NULL && why_len > 0)
            snprintf(why, why_len, "gnuplot wrote no image");
        rc = TP_EGNUPLOT;
    }
    if (rc == 0 && rename(tmp_image, image_path) != 0)
        rc = tp__from_errno();
    if (rc == 0)
        tmp_image[0] = '\0';

out:
    if (tmp_image[0] != '\0')
        unlink(tmp_image);
    if (tmp_script != NULL) {
        unlink(tmp_script);
        free(tmp_script);
    }
    free(tmp_image);
    return rc;
}
