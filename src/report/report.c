/* report.c - result writers (table, CSV, JSON, Markdown) behind one interface, and atomic file output. */
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "vec.h"
#include "file.h"
#include "report.h"
#include "program_json.h"
#include "program_table.h"
#include "report_async.h"
#include "report_work.h"
#include "workload.h"
#include "format.h"
#include "stats.h"

/* ------------------------------------------------------------------------
 * Number formats shared by the human-readable writers.
 * ---------------------------------------------------------------------- */

#define NUM_LEN TP__NUM_LEN

/* "[lo, hi]" with fmt_num. */
static char *fmt_interval(char *buf, size_t len, double lo, double hi)
{
    char a[NUM_LEN], b[NUM_LEN];
    snprintf(buf, len, "[%s, %s]", tp__fmt_num(a, sizeof a, lo), tp__fmt_num(b, sizeof b, hi));
    return buf;
}

/* The interval level as a percentage: "95%". */
static char *fmt_level(char *buf, size_t len, const struct tp_result *r)
{
    snprintf(buf, len, "%g%%", 100.0 * tp__effective_confidence(r->confidence));
    return buf;
}

/* ------------------------------------------------------------------------
 * Facts about points shared by every writer.
 * ---------------------------------------------------------------------- */

static const char *status_name(enum tp_point_status s)
{
    const char *n = tp_point_status_name(s);
    return n != NULL ? n : "unknown";
}

static const char *workload_name(enum tp_workload_kind k)
{
    const char *n = tp_workload_name(k);
    return n != NULL ? n : "unknown";
}

static int point_ok(const struct tp_point *p)
{
    return p->status == TP_POINT_OK && p->n_reps >= 1;
}

static int point_measured(const struct tp_point *p)
{
    return p->status != TP_POINT_SKIPPED;
}

/* Why a point has no measurement, or "" for a measured one. */
static char *point_reason(char *buf, size_t len, const struct tp_point *p)
{
    buf[0] = '\0';
    switch (p->status) {
    case TP_POINT_OK:
        break;
    case TP_POINT_FAILED:
        if (p->threads_started > 0 && p->threads_started < p->threads)
            snprintf(buf, len, "%s (%d of %d threads started)", tp_strerror(p->error ? p->error : -EIO),
                     p->threads_started, p->threads);
        else
            snprintf(buf, len, "%s", tp_strerror(p->error ? p->error : -EIO));
        break;
    case TP_POINT_CRASHED: {
        const char *abbrev = p->signal > 0 ? sigabbrev_np(p->signal) : NULL;
        const char *descr = p->signal > 0 ? sigdescr_np(p->signal) : NULL;
        if (abbrev != NULL)
            snprintf(buf, len, "SIG%s: %s", abbrev, descr != NULL ? descr : "unknown signal");
        else if (p->signal > 0)
            snprintf(buf, len, "signal %d", p->signal);
        else
            snprintf(buf, len, "%s", tp_strerror(TP_ECRASHED));
        break;
    }
    case TP_POINT_TIMEOUT:
        snprintf(buf, len, "%s", tp_strerror(p->error ? p->error : TP_ETIMEOUT));
        break;
    case TP_POINT_SKIPPED:
        snprintf(buf, len, "not measured: the sweep was interrupted first");
        break;
    default:
        snprintf(buf, len, "%s", tp_strerror(p->error));
        break;
    }
    return buf;
}

/* The rule keys whose thread count is this point's, joined by '+': "tpe38+cpu". */
static char *rule_keys(char *buf, size_t len, const struct tp_result *r, int threads)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < TP_N_RULES; k++) {
        if (r->rules[k].key == NULL || r->rules[k].threads != threads)
            continue;
        int w = snprintf(buf + o, len - o, "%s%s", o > 0 ? "+" : "", r->rules[k].key);
        if (w < 0 || (size_t)w >= len - o)
            break;
        o += (size_t)w;
    }
    return buf;
}

static int is_rule_threads(const struct tp_result *r, int threads)
{
    for (int k = 0; k < TP_N_RULES; k++)
        if (r->rules[k].key != NULL && r->rules[k].threads == threads)
            return 1;
    return 0;
}

static long sum_nvcsw(const struct tp_point *p, int involuntary)
{
    long s = 0;
    int n = p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps;
    for (int i = 0; i < n; i++)
        s += involuntary ? p->reps[i].nivcsw : p->reps[i].nvcsw;
    return s;
}

/* Why a point was measured, in the order the names are joined. */
static const struct {
    unsigned bit;
    const char *name;
} origin_names[] = {
    {TP_ORIGIN_GRID, "grid"},
    {TP_ORIGIN_COARSE, "coarse"},
    {TP_ORIGIN_REFINE, "refine"},
    {TP_ORIGIN_RULE, "rule"},
};

static int n_reps_of(const struct tp_point *p)
{
    return p->n_reps < 0 ? 0 : (p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps);
}

/* The cells of one point's row, as the table and Markdown show them. */
struct row_cells {
    char mark;         /* '*' for the pick, ' ' otherwise */
    char m[NUM_LEN], threads[NUM_LEN], tput[NUM_LEN], interval[2 * NUM_LEN + 8];
    char p50[NUM_LEN], p99[NUM_LEN], cpu[NUM_LEN];
    const char *status;
    char marks[16];    /* "= ^ R !" */
    char reason[192];
};

static void point_cells(const struct tp_result *r, size_t i, struct row_cells *c)
{
    const struct tp_point *p = &r->points[i];
    int ok = point_ok(p);
    c->mark = (int)i == r->pick ? '*' : ' ';
    tp__fmt_mult(c->m, sizeof c->m, p->multiplier);
    snprintf(c->threads, sizeof c->threads, "%d", p->threads);
    if (ok) {
        tp__fmt_num(c->tput, sizeof c->tput, p->tput_median);
        fmt_interval(c->interval, sizeof c->interval, p->tput_ci_lo, p->tput_ci_hi);
        tp__fmt_duration(c->p50, sizeof c->p50, p->lat_p50_ns);
        tp__fmt_duration(c->p99, sizeof c->p99, p->lat_p99_ns);
        if (isfinite(p->cpu_util))
            snprintf(c->cpu, sizeof c->cpu, "%.0f%%", 100.0 * p->cpu_util);
        else
            snprintf(c->cpu, sizeof c->cpu, "-");
    } else {
        snprintf(c->tput, sizeof c->tput, "-");
        snprintf(c->interval, sizeof c->interval, "-");
        snprintf(c->p50, sizeof c->p50, "-");
        snprintf(c->p99, sizeof c->p99, "-");
        snprintf(c->cpu, sizeof c->cpu, "-");
    }
    c->status = status_name(p->status);
    size_t o = 0;
    if (p->in_band)
        o += (size_t)snprintf(c->marks + o, sizeof c->marks - o, "%s=", o ? " " : "");
    if ((int)i == r->best)
        o += (size_t)snprintf(c->marks + o, sizeof c->marks - o, "%s^", o ? " " : "");
    if (is_rule_threads(r, p->threads))
        o += (size_t)snprintf(c->marks + o, sizeof c->marks - o, "%sR", o ? " " : "");
    if (ok && p->n_outliers > 0)
        o += (size_t)snprintf(c->marks + o, sizeof c->marks - o, "%s!", o ? " " : "");
    if (p->excluded)
        o += (size_t)snprintf(c->marks + o, sizeof c->marks - o, "%sx", o ? " " : "");
    if (p->origin & TP_ORIGIN_REFINE)
        o += (size_t)snprintf(c->marks + o, sizeof c->marks - o, "%s+", o ? " " : "");
    c->marks[o] = '\0';
    point_reason(c->reason, sizeof c->reason, p);
}

/* ------------------------------------------------------------------------
 * Sentences shared by the table and Markdown.
 * ---------------------------------------------------------------------- */

static void workload_text(char *buf, size_t len, const struct tp_result *r)
{
    char w[NUM_LEN], c[NUM_LEN];
    tp__fmt_duration(w, sizeof w, (double)r->workload.latency_ns);
    tp__fmt_duration(c, sizeof c, (double)r->workload.compute_ns);
    if (r->workload.kind == TP_WORKLOAD_CPU)
        snprintf(buf, len, "%s: compute %s per task", workload_name(r->workload.kind), c);
    else if (r->workload.kind == TP_WORKLOAD_IO)
        snprintf(buf, len, "%s: wait %s + compute %s per task", workload_name(r->workload.kind), w, c);
    else
        tp__workload_describe(&r->workload, buf, len); /* mixed, file, net, noop, plugin */
}

static void cores_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_topology *t = &r->topo;
    char hw[96], quota[320], over[48];
    if (t->hwloc_ok)
        snprintf(hw, sizeof hw, "hwloc: %d PUs / %d cores", t->hwloc_pus, t->hwloc_cores);
    else
        snprintf(hw, sizeof hw, "hwloc: unavailable");
    if (t->quota_cpus > 0.0)
        snprintf(quota, sizeof quota, "quota %g CPUs%s%s%s", t->quota_cpus, t->quota_source[0] ? " (" : "",
                 t->quota_source, t->quota_source[0] ? ")" : "");
    else
        snprintf(quota, sizeof quota, "quota none");
    over[0] = '\0';
    if (t->cores_override > 0)
        snprintf(over, sizeof over, ", override %d", t->cores_override);
    const char *src = tp_cores_source_name(t->source);
    snprintf(buf, len, "%d effective (%s, affinity %d, %s%s; counting %s) -> source %s", r->cores, hw,
             t->affinity_cpus, quota, over, t->unit == TP_UNIT_CORE ? "cores" : "PUs",
             src != NULL ? src : "unknown");
}

static void reps_text(char *buf, size_t len, const struct tp_result *r)
{
    char level[16], n[NUM_LEN], n2[NUM_LEN], reps[64];
    fmt_level(level, sizeof level, r);
    if (r->repeat > 0) {
        snprintf(reps, sizeof reps, "%d", r->repeat);
    } else {
        int lo_r = 0, hi_r = 0;
        for (size_t i = 0; i < r->n_points; i++) {
            int k = n_reps_of(&r->points[i]);
            if (!point_ok(&r->points[i]) || k == 0)
                continue;
            lo_r = lo_r == 0 || k < lo_r ? k : lo_r;
            hi_r = k > hi_r ? k : hi_r;
        }
        if (lo_r == hi_r)
            snprintf(reps, sizeof reps, "%d (auto, to %.3g%%)", lo_r, 100 * r->target_ci);
        else
            snprintf(reps, sizeof reps, "%d..%d (auto, to %.3g%%)", lo_r, hi_r, 100 * r->target_ci);
    }
    if (r->tasks > 0) {
        snprintf(buf, len, "repetitions %s x %s tasks, %s bootstrap intervals of the median", reps,
                 tp__fmt_grouped(n, sizeof n, (long long)r->tasks), level);
        return;
    }
    uint64_t lo = 0, hi = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        uint64_t t = r->points[i].tasks_per_rep;
        if (!point_ok(&r->points[i]) || t == 0)
            continue;
        if (lo == 0 || t < lo)
            lo = t;
        if (t > hi)
            hi = t;
    }
    if (lo == 0)
        snprintf(buf, len, "repetitions %s x auto tasks, %s bootstrap intervals of the median", reps, level);
    else if (lo == hi)
        snprintf(buf, len, "repetitions %s x %s tasks (auto), %s bootstrap intervals of the median", reps,
                 tp__fmt_grouped(n, sizeof n, (long long)lo), level);
    else
        snprintf(buf, len, "repetitions %s x %s .. %s tasks (auto, per point), %s bootstrap intervals of the median",
                 reps, tp__fmt_grouped(n, sizeof n, (long long)lo), tp__fmt_grouped(n2, sizeof n2, (long long)hi),
                 level);
}

/* The best point is the last measured one and clearly better than the one
 * below it: the search may have stopped short of the peak. */
static int best_is_the_edge(const struct tp_result *r)
{
    if (r->best < 0)
        return 0;
    const struct tp_point *b = &r->points[r->best], *below = NULL;
    for (size_t i = (size_t)r->best + 1; i < r->n_points; i++)
        if (point_ok(&r->points[i]))
            return 0;
    for (int i = r->best - 1; i >= 0 && below == NULL; i--)
        if (point_ok(&r->points[i]))
            below = &r->points[i];
    return below != NULL && b->tput_ci_lo > below->tput_ci_hi;
}

/* How the points were chosen, how many and how long it took. */
static void search_text(char *buf, size_t len, const struct tp_result *r)
{
    int coarse = 0, refine = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        coarse += (r->points[i].origin & TP_ORIGIN_COARSE) != 0;
        refine += (r->points[i].origin & TP_ORIGIN_REFINE) != 0;
    }
    if (r->strategy == TP_STRATEGY_ADAPTIVE)
        snprintf(buf, len, "search: adaptive, %zu points (%d coarse, %d refinement, the rest rule-of-thumb sizes) "
                           "in %.1f s; noise %.1f%% (interval / median)",
                 r->n_points, coarse, refine, r->duration_s, 100 * r->noise);
    else
        snprintf(buf, len, "search: grid, %zu points in %.1f s; noise %.1f%% (interval / median)", r->n_points,
                 r->duration_s, 100 * r->noise);
}

static size_t count_measured(const struct tp_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += point_measured(&r->points[i]);
    return n;
}

static int count_noisy(const struct tp_result *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += point_ok(&r->points[i]) && r->points[i].n_outliers > 0;
    return n;
}

static int have_pick(const struct tp_result *r)
{
    return r->pick >= 0 && (size_t)r->pick < r->n_points && r->best >= 0 && (size_t)r->best < r->n_points;
}

/* "m = 24 -> 48 threads on 2 cores: 19 876 tasks/s [19 800, 19 950]" */
static void pick_text(char *buf, size_t len, const struct tp_result *r, const struct tp_point *p, int with_cores)
{
    char m[NUM_LEN], t[NUM_LEN], ci[2 * NUM_LEN + 8], cores[32] = "";
    if (with_cores)
        snprintf(cores, sizeof cores, " on %d cores", r->cores);
    snprintf(buf, len, "m = %s -> %d threads%s: %s tasks/s %s", tp__fmt_mult(m, sizeof m, p->multiplier), p->threads,
             cores, tp__fmt_num(t, sizeof t, p->tput_median),
             fmt_interval(ci, sizeof ci, p->tput_ci_lo, p->tput_ci_hi));
}

/* "band (indistinguishable from the best): m = 20 .. 32 (40 .. 64 threads, 3 points)" */
static void band_text(char *buf, size_t len, const struct tp_result *r)
{
    char lo[NUM_LEN], hi[NUM_LEN];
    int tlo, thi;
    tp__band_threads(r, &tlo, &thi);
    tp__fmt_mult(lo, sizeof lo, r->band_lo_multiplier);
    tp__fmt_mult(hi, sizeof hi, r->band_hi_multiplier);
    if (r->n_band <= 1)
        snprintf(buf, len, "band (indistinguishable from the best): only m = %s (%d threads)", lo, tlo);
    else
        snprintf(buf, len, "band (indistinguishable from the best): m = %s .. %s (%d .. %d threads, %d points)", lo,
                 hi, tlo, thi, r->n_band);
}

/* How the band was decided, and what it does not prove. */
static void band_method_text(char *buf, size_t len, const struct tp_result *r)
{
    char level[16];
    fmt_level(level, sizeof level, r);
    if (r->tolerance > 0)
        snprintf(buf, len, "method: %s bootstrap percentile intervals of the median reaching within %.3g%% of the "
                 "highest interval floor; overlap does not prove equality", level, 100 * r->tolerance);
    else
        snprintf(buf, len, "method: overlapping %s bootstrap percentile intervals of the median; overlap does not prove "
                 "equality", level);
}

/* The measured part of a rule row: "4 761 tasks/s [4 700, 4 800]   0.24 of the pick [0.23, 0.25]". */
static void rule_measure_text(char *buf, size_t len, const struct tp_result *r, const struct tp_rule_row *row,
                              int aligned)
{
    if (row->point >= 0 && (size_t)row->point < r->n_points && have_pick(r)) {
        const struct tp_point *p = &r->points[row->point];
        char t[NUM_LEN], ci[2 * NUM_LEN + 8], f[NUM_LEN], flo[NUM_LEN], fhi[NUM_LEN];
        snprintf(buf, len, aligned ? "%10s tasks/s %-20s %s of the pick [%s, %s]" : "%s tasks/s %s, %s of the pick [%s, %s]",
                 tp__fmt_num(t, sizeof t, p->tput_median),
                 fmt_interval(ci, sizeof ci, p->tput_ci_lo, p->tput_ci_hi), tp__fmt_fraction(f, sizeof f, row->fraction),
                 tp__fmt_fraction(flo, sizeof flo, row->fraction_lo), tp__fmt_fraction(fhi, sizeof fhi, row->fraction_hi));
        return;
    }
    /* Not usable: say why when a point at that size was tried. */
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (p->threads == row->threads && !point_ok(p)) {
            char why[192];
            snprintf(buf, len, "not measured: %s (%s)", status_name(p->status), point_reason(why, sizeof why, p));
            return;
        }
    }
    snprintf(buf, len, "%s", row->point >= 0 ? "no pick to compare with" : "not measured (not in the plan)");
}

/* "W = 2.05 ms, C = 101 us (means per task) measured at 2 threads" */
static void model_inputs_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    char w[NUM_LEN], c[NUM_LEN];
    int from = m->from_point >= 0 && (size_t)m->from_point < r->n_points ? r->points[m->from_point].threads : 0;
    snprintf(buf, len, "W = %s, C = %s (means per task) measured at %d threads", tp__fmt_duration(w, sizeof w, m->wait_ns),
             tp__fmt_duration(c, sizeof c, m->compute_ns), from);
}

/* "threads* = cores x U x (1 + W/C) = 2 x 1.00 x (1 + 20.3) = 42.6 (m = 21.3); ceiling 19 900 tasks/s" */
static void model_formula_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    char wc[NUM_LEN], t[NUM_LEN], mm[NUM_LEN], x[NUM_LEN];
    snprintf(buf, len, "threads* = cores x U x (1 + W/C) = %d x %.2f x (1 + %s) = %s (m = %s); ceiling %s tasks/s",
             r->cores, m->utilization, tp__fmt_sig3(wc, sizeof wc, m->wait_ns / m->compute_ns),
             tp__fmt_sig3(t, sizeof t, m->threads), tp__fmt_sig3(mm, sizeof mm, m->multiplier),
             tp__fmt_num(x, sizeof x, m->throughput));
}

/* What a task really cost where the cores were busiest; 0 if unknown. */
static int cost_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    if (!(m->cpu_per_task_ns > 0) || r->best < 0)
        return 0;
    char cost[NUM_LEN], ceil[NUM_LEN];
    tp__fmt_duration(cost, sizeof cost, m->cpu_per_task_ns);
    tp__fmt_num(ceil, sizeof ceil, m->cpu_ceiling);
    snprintf(buf, len,
             "CPU per task at the best point: %s (the process: task, kernel, pool); "
             "ceiling cores / that = %s tasks/s, the best reaches %.2f of it",
             cost, ceil, r->points[r->best].tput_median / m->cpu_ceiling);
    return 1;
}

static void model_verdict_text(char *buf, size_t len, const struct tp_result *r)
{
    char t[NUM_LEN];
    int pick = have_pick(r) ? r->points[r->pick].threads : 0;
    tp__fmt_sig3(t, sizeof t, r->model.threads);
    switch (tp__model_verdict(r)) {
    case TP__MODEL_AGREES:
        snprintf(buf, len, "the measured pick (%d threads) agrees with the model (%s threads)", pick, t);
        break;
    case TP__MODEL_PICK_BELOW:
        snprintf(buf, len,
                 "the measured pick (%d threads) disagrees with the model (%s threads): fewer threads than the "
                 "model: a shared resource saturates first (contention, a serialising lock or device)",
                 pick, t);
        break;
    case TP__MODEL_PICK_ABOVE:
        snprintf(buf, len,
                 "the measured pick (%d threads) disagrees with the model (%s threads): more threads than the "
                 "model: waits grow under load or the compute is not CPU-bound",
                 pick, t);
        break;
    case TP__MODEL_UNKNOWN:
    default:
        snprintf(buf, len, "no measured pick to compare with the model");
        break;
    }
}

/* Which points the recommendation rests on, and why the others could not
 * count: "rests on 5 of 6 points; without m = 64 (128 threads): failed, ...". */
static void basis_text(char *buf, size_t len, const struct tp_result *r)
{
    size_t usable = 0, o;
    for (size_t i = 0; i < r->n_points; i++)
        usable += point_ok(&r->points[i]) && !r->points[i].excluded;
    o = (size_t)snprintf(buf, len, "rests on %zu of %zu points", usable, r->n_points);
    const char *sep = "; without ";
    for (size_t i = 0; i < r->n_points && o < len; i++) {
        const struct tp_point *p = &r->points[i];
        if (point_ok(p) && !p->excluded)
            continue;
        char m[NUM_LEN], why[192];
        tp__fmt_mult(m, sizeof m, p->multiplier);
        if (point_ok(p))
            snprintf(why, sizeof why, "p99 over the bound");
        else
            point_reason(why, sizeof why, p);
        o += (size_t)snprintf(buf + o, len - o, "%sm = %s (%d threads) %s: %s", sep, m, p->threads,
                              status_name(p->status), why);
        sep = ", ";
    }
    /* A failed point above the best: the curve may still rise there. */
    int beyond = 0;
    for (size_t i = 0; r->best >= 0 && i < r->n_points; i++)
        beyond |= !point_ok(&r->points[i]) && r->points[i].threads > r->points[r->best].threads;
    if (beyond && o < len)
        snprintf(buf + o, len - o, "; more threads than the best could not be measured: the best may lie higher");
}

static char *rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    return s;
}

/* ------------------------------------------------------------------------
 * TABLE: for a terminal, the main output of the tool.
 * ---------------------------------------------------------------------- */

static int write_table(const struct tp_result *r, FILE *f)
{
    char line[768], level[16];
    fmt_level(level, sizeof level, r);

    workload_text(line, sizeof line, r);
    fprintf(f, "tune-pool %s  workload %s\n", r->version[0] ? r->version : TP_VERSION_STRING, line);
    cores_text(line, sizeof line, r);
    fprintf(f, "cores: %s\n", line);
    if (r->topo.warning[0])
        fprintf(f, "warning: %s\n", r->topo.warning);
    reps_text(line, sizeof line, r);
    fprintf(f, "%s\n", line);
    search_text(line, sizeof line, r);
    fprintf(f, "%s\n", line);
    if (r->max_p99_ns > 0) {
        char bound[NUM_LEN];
        tp__fmt_duration(bound, sizeof bound, r->max_p99_ns);
        fprintf(f, "objective: the fewest threads indistinguishable from the best among points whose p99 <= %s\n",
                bound);
    }
    if (r->partial)
        fprintf(f, "PARTIAL: interrupted, %zu of %zu points measured\n", count_measured(r), r->n_points);

    /* The interval column is as wide as its widest cell. */
    struct row_cells c;
    int iw = (int)strlen(level) + (int)strlen(" interval");
    for (size_t i = 0; i < r->n_points; i++) {
        point_cells(r, i, &c);
        if ((int)strlen(c.interval) > iw)
            iw = (int)strlen(c.interval);
    }
    char ih[32];
    snprintf(ih, sizeof ih, "%s interval", level);
    snprintf(line, sizeof line, "  %6s %8s %12s  %-*s %9s %9s %5s  %-7s %-7s", "m", "threads", "tasks/s", iw, ih,
             "p50", "p99", "CPU", "status", "marks");
    fprintf(f, "\n%s\n", rstrip(line));
    for (size_t i = 0; i < r->n_points; i++) {
        point_cells(r, i, &c);
        snprintf(line, sizeof line, "%c %6s %8s %12s  %-*s %9s %9s %5s  %-7s %-7s %s", c.mark, c.m, c.threads, c.tput,
                 iw, c.interval, c.p50, c.p99, c.cpu, c.status, c.marks, c.reason);
        fprintf(f, "%s\n", rstrip(line));
    }
    if (r->n_points == 0)
        fprintf(f, "  (no points)\n");
    fprintf(f, "(* pick, ^ best, = indistinguishable from the best, R rule-of-thumb size, ! noisy, "
               "+ refinement point, x p99 over the bound; failed points show their reason)\n");

    if (r->noisy)
        fprintf(f, "warning: noisy measurements: intervals are %.1f%% of the median wide (upper quartile over points; "
                   "one repetition spreads %.1f%%, scaled MAD): points closer than that cannot be told apart; "
                   "use --precision/--max-repeat or a quieter machine\n",
                100 * r->noise, 100 * r->noise_mad);
    int noisy = count_noisy(r);
    if (noisy > 0)
        fprintf(f, "note: %d point%s noisy: repetitions flagged as outliers (MAD x 1.4826, |z| > 3.5); "
                   "consider more repetitions or a quieter machine\n",
                noisy, noisy == 1 ? " is" : "s are");
    if (r->n_failed > 0)
        fprintf(f, "note: %d point%s failed (see status)\n", r->n_failed, r->n_failed == 1 ? "" : "s");
    if (best_is_the_edge(r)) {
        char m[NUM_LEN];
        fprintf(f, "note: the best is the largest pool measured (m = %s, %d threads) and it still beats the one "
                   "below: throughput may rise further; raise --max-threads or measure a grid beyond it\n",
                tp__fmt_mult(m, sizeof m, r->points[r->best].multiplier), r->points[r->best].threads);
    }
    r->program != NULL ? tp__report_program_table(r, f) : tp__report_work_table(r, f); /* --run: docs/run.md */

    if (!have_pick(r)) {
        fprintf(f, "\nNo point was measured successfully: there is no recommendation.\n");
        return 0;
    }
    const struct tp_point *pick = &r->points[r->pick], *best = &r->points[r->best];
    pick_text(line, sizeof line, r, pick, 1);
    fprintf(f, "\nRecommendation: %s\n", line);
    band_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
    if (r->pick != r->best) {
        pick_text(line, sizeof line, r, best, 0);
        fprintf(f, "  best: %s\n", line);
    }
    band_method_text(line, sizeof line, r);
    fprintf(f, "  (%s)\n", line);
    basis_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);

    fprintf(f, "Rules of thumb against the pick:\n");
    for (int k = 0; k < TP_N_RULES; k++) {
        const struct tp_rule_row *row = &r->rules[k];
        if (row->name == NULL)
            continue;
        rule_measure_text(line, sizeof line, r, row, 1);
        fprintf(f, "  %-48s %6d threads  %s\n", row->name, row->threads, line);
    }

    if (!r->model.valid) {
        fprintf(f, "Model (Little's law / JCiP): not available (no per-task CPU time was measured)\n");
        return 0;
    }
    model_inputs_text(line, sizeof line, r);
    fprintf(f, "Model (Little's law / JCiP): %s\n", line);
    model_formula_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
    model_verdict_text(line, sizeof line, r);
    fprintf(f, "  %s\n", line);
    if (cost_text(line, sizeof line, r))
        fprintf(f, "  %s\n", line);
    return 0;
}

/* ------------------------------------------------------------------------
 * MARKDOWN: the table as a GitHub table, the rest as lists.
 * ---------------------------------------------------------------------- */

/* Writes s with the characters that break a table cell escaped. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static int write_markdown(const struct tp_result *r, FILE *f)
{
    char line[768], level[16];
    fmt_level(level, sizeof level, r);

    fprintf(f, "# tune-pool %s results\n\n", r->version[0] ? r->version : TP_VERSION_STRING);
    if (r->partial)
        fprintf(f, "**PARTIAL: interrupted, %zu of %zu points measured**\n\n", count_measured(r), r->n_points);
    workload_text(line, sizeof line, r);
    fprintf(f, "- workload ");
    md_cell(f, line);
    cores_text(line, sizeof line, r);
    fprintf(f, "\n- cores: ");
    md_cell(f, line);
    if (r->topo.warning[0]) {
        fprintf(f, "\n- warning: ");
        md_cell(f, r->topo.warning);
    }
    reps_text(line, sizeof line, r);
    fprintf(f, "\n- ");
    md_cell(f, line);
    fprintf(f, "\n\n| pick | m | threads | tasks/s | %s interval | p50 | p99 | CPU | status | marks |\n", level);
    fprintf(f, "|:-:|--:|--:|--:|:--|--:|--:|--:|:--|:--|\n");
    struct row_cells c;
    for (size_t i = 0; i < r->n_points; i++) {
        point_cells(r, i, &c);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | ", c.mark == '*' ? "**pick**" : "", c.m, c.threads,
                c.tput, c.interval, c.p50, c.p99, c.cpu);
        md_cell(f, c.status);
        if (c.reason[0]) {
            fputs(": ", f);
            md_cell(f, c.reason);
        }
        fputs(" | ", f);
        md_cell(f, c.marks);
        fputs(" |\n", f);
    }
    fprintf(f, "\nMarks: = indistinguishable from the best, ^ best, R rule-of-thumb size, ! noisy "
               "(outliers by MAD x 1.4826, |z| > 3.5).\n");

    fprintf(f, "\n## Recommendation\n\n");
    if (!have_pick(r)) {
        fprintf(f, "No point was measured successfully: there is no recommendation.\n");
        return 0;
    }
    pick_text(line, sizeof line, r, &r->points[r->pick], 1);
    fprintf(f, "- **");
    md_cell(f, line);
    band_text(line, sizeof line, r);
    fprintf(f, "**\n- ");
    md_cell(f, line);
    fputc('\n', f);
    if (r->pick != r->best) {
        pick_text(line, sizeof line, r, &r->points[r->best], 0);
        fprintf(f, "- best: ");
        md_cell(f, line);
        fputc('\n', f);
    }
    band_method_text(line, sizeof line, r);
    fprintf(f, "- ");
    md_cell(f, line);
    fputc('\n', f);
    basis_text(line, sizeof line, r);
    fprintf(f, "- ");
    md_cell(f, line);
    fputc('\n', f);

    fprintf(f, "\n## Rules of thumb against the pick\n\n");
    for (int k = 0; k < TP_N_RULES; k++) {
        const struct tp_rule_row *row = &r->rules[k];
        if (row->name == NULL)
            continue;
        rule_measure_text(line, sizeof line, r, row, 0);
        fprintf(f, "- ");
        md_cell(f, row->name);
        fprintf(f, ": %d threads, ", row->threads);
        md_cell(f, line);
        fputc('\n', f);
    }

    fprintf(f, "\n## Model (Little's law / JCiP)\n\n");
    if (!r->model.valid) {
        fprintf(f, "- not available (no per-task CPU time was measured)\n");
        return 0;
    }
    model_inputs_text(line, sizeof line, r);
    fprintf(f, "- ");
    md_cell(f, line);
    model_formula_text(line, sizeof line, r);
    fprintf(f, "\n- ");
    md_cell(f, line);
    model_verdict_text(line, sizeof line, r);
    fprintf(f, "\n- ");
    md_cell(f, line);
    fputc('\n', f);
    return 0;
}

/* ------------------------------------------------------------------------
 * CSV (RFC 4180): one row per point.
 * ---------------------------------------------------------------------- */

struct csv_row {
    FILE *f;
    int col;
};

static void csv_sep(struct csv_row *row)
{
    if (row->col++ > 0)
        fputc(',', row->f);
}

void tp__csv_field(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_str(struct csv_row *row, const char *s)
{
    csv_sep(row);
    tp__csv_field(row->f, s);
}

/* A number with %.6g, or an empty cell when unknown. */
static void csv_num(struct csv_row *row, int known, double x)
{
    csv_sep(row);
    if (known && isfinite(x))
        fprintf(row->f, "%.6g", x);
}

/* Nanoseconds: whole numbers, which %.6g would round above a millisecond. */
static void csv_ns(struct csv_row *row, int known, double x)
{
    csv_sep(row);
    if (known && isfinite(x))
        fprintf(row->f, "%.0f", x);
}

static void csv_int(struct csv_row *row, int known, long long x)
{
    csv_sep(row);
    if (known)
        fprintf(row->f, "%lld", x);
}

static void csv_end(struct csv_row *row)
{
    fputs("\r\n", row->f);
    row->col = 0;
}

static const char *const csv_columns[] = {
    "multiplier", "threads", "origin", "status", "reason", "threads_started", "reps", "tasks_per_rep",
    "tput_median", "tput_ci_lo", "tput_ci_hi", "tput_mad", "outliers", "lat_p50_ns", "lat_p90_ns", "lat_p99_ns",
    "lat_max_ns", "task_wall_mean_ns", "task_cpu_mean_ns", "cpu_util", "nvcsw", "nivcsw", "max_rss_kb", "wall_s",
    "in_band", "pick", "best", "rule", "excluded", "work_ops", "work_bytes", "work_errors",
};

static char *origin_text(char *buf, size_t len, unsigned origin)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof(origin_names) / sizeof(origin_names[0]); k++)
        if (origin & origin_names[k].bit)
            o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "+" : "", origin_names[k].name);
    return buf;
}

static int write_csv(const struct tp_result *r, FILE *f)
{
    struct csv_row row = {f, 0};
    for (size_t k = 0; k < TP__ARRAY_LEN(csv_columns); k++)
        csv_str(&row, csv_columns[k]);
    csv_end(&row);

    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        int ok = point_ok(p);
        char reason[192], rules[64], origin[48];
        csv_num(&row, 1, p->multiplier);
        csv_int(&row, 1, p->threads);
        csv_str(&row, origin_text(origin, sizeof origin, p->origin));
        csv_str(&row, status_name(p->status));
        csv_str(&row, point_reason(reason, sizeof reason, p));
        csv_int(&row, 1, p->threads_started);
        csv_int(&row, 1, n_reps_of(p));
        csv_int(&row, p->tasks_per_rep > 0, (long long)p->tasks_per_rep);
        csv_num(&row, ok, p->tput_median);
        csv_num(&row, ok, p->tput_ci_lo);
        csv_num(&row, ok, p->tput_ci_hi);
        csv_num(&row, ok, p->tput_mad);
        csv_int(&row, ok, p->n_outliers);
        csv_ns(&row, ok, p->lat_p50_ns);
        csv_ns(&row, ok, p->lat_p90_ns);
        csv_ns(&row, ok, p->lat_p99_ns);
        csv_ns(&row, ok, p->lat_max_ns);
        csv_ns(&row, ok, p->task_wall_mean_ns);
        csv_ns(&row, ok, p->task_cpu_mean_ns);
        csv_num(&row, ok, p->cpu_util);
        csv_int(&row, ok, sum_nvcsw(p, 0));
        csv_int(&row, ok, sum_nvcsw(p, 1));
        csv_int(&row, p->max_rss_kb > 0, p->max_rss_kb);
        csv_num(&row, p->wall_s > 0.0, p->wall_s);
        csv_int(&row, 1, p->in_band ? 1 : 0);
        csv_int(&row, 1, (int)i == r->pick);
        csv_int(&row, 1, (int)i == r->best);
        csv_str(&row, rule_keys(rules, sizeof rules, r, p->threads));
        csv_int(&row, 1, p->excluded ? 1 : 0);
        csv_int(&row, ok, (long long)p->work_ops);
        csv_int(&row, ok, (long long)p->work_bytes);
        csv_int(&row, ok, (long long)p->work_errors);
        csv_end(&row);
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * JSON: the stable interface for other tools (schema 1, README: Results).
 * ---------------------------------------------------------------------- */

/* Builders that record the first failure in *ok instead of checking each call. */
struct jb {
    int ok;
};

static void jput(struct jb *b, json_t *obj, const char *key, json_t *v)
{
    if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) != 0) {
        if (obj == NULL)
            json_decref(v);
        b->ok = 0;
    }
}

static void jpush(struct jb *b, json_t *arr, json_t *v)
{
    if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0) {
        if (arr == NULL)
            json_decref(v);
        b->ok = 0;
    }
}

/* A real, or null when not finite (JSON has no NaN or infinity). */
static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *jnum_if(int known, double x)
{
    return known ? jnum(x) : json_null();
}

/* A string, or null when empty. Bytes that are not valid UTF-8 (e.g. in a
 * CPU model name) become '?'. */
static json_t *jstr_or_null(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return json_null();
    json_t *v = json_string(s);
    if (v != NULL)
        return v;
    char clean[512];
    size_t n = 0;
    for (; *s && n + 1 < sizeof clean; s++)
        clean[n++] = (unsigned char)*s < 0x80 ? *s : '?';
    clean[n] = '\0';
    return json_string(clean);
}

static json_t *jthroughput(const struct tp_point *p)
{
    json_t *o = json_object();
    struct jb b = {1};
    jput(&b, o, "median", jnum(p->tput_median));
    jput(&b, o, "ci_lo", jnum(p->tput_ci_lo));
    jput(&b, o, "ci_hi", jnum(p->tput_ci_hi));
    if (!b.ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *json_topology(struct jb *b, const struct tp_result *r)
{
    const struct tp_topology *t = &r->topo;
    json_t *o = json_object(), *hw = json_object(), *q = json_object();
    jput(b, o, "effective_cores", json_integer(t->effective_cores));
    const char *src = tp_cores_source_name(t->source);
    jput(b, o, "source", src != NULL ? json_string(src) : json_null());
    jput(b, o, "unit", json_string(t->unit == TP_UNIT_CORE ? "core" : "pu"));
    jput(b, o, "allowed_cores", json_integer(t->allowed_cores));
    jput(b, hw, "ok", json_boolean(t->hwloc_ok));
    jput(b, hw, "cores", json_integer(t->hwloc_cores));
    jput(b, hw, "pus", json_integer(t->hwloc_pus));
    jput(b, o, "hwloc", hw);
    jput(b, o, "affinity_cpus", json_integer(t->affinity_cpus));
    jput(b, o, "online_cpus", json_integer(t->online_cpus));
    int has_quota = t->quota_cpus > 0.0;
    jput(b, q, "cpus", jnum_if(has_quota, t->quota_cpus));
    jput(b, q, "cores", has_quota ? json_integer(t->quota_cores) : json_null());
    jput(b, q, "source", has_quota ? jstr_or_null(t->quota_source) : json_null());
    jput(b, o, "quota", q);
    jput(b, o, "override", t->cores_override > 0 ? json_integer(t->cores_override) : json_null());
    jput(b, o, "cpu_model", jstr_or_null(t->cpu_model));
    jput(b, o, "mem_total_kb", json_integer(t->mem_total_kb));
    jput(b, o, "mem_available_kb", json_integer(t->mem_available_kb));
    jput(b, o, "warning", jstr_or_null(t->warning));
    return o;
}

static json_t *json_sweep(struct jb *b, const struct tp_result *r)
{
    json_t *o = json_object();
    char level[16], band[128];
    fmt_level(level, sizeof level, r);
    snprintf(band, sizeof band, "overlapping %s bootstrap percentile intervals of the median", level);
    jput(b, o, "cores", json_integer(r->cores));
    jput(b, o, "strategy", json_string(tp_strategy_name(r->strategy)));
    jput(b, o, "resolution", jnum_if(r->strategy == TP_STRATEGY_ADAPTIVE, r->resolution));
    jput(b, o, "tolerance", jnum(r->tolerance));
    jput(b, o, "repeat", r->repeat > 0 ? json_integer(r->repeat) : json_string("auto"));
    jput(b, o, "repeat_max", json_integer(r->repeat > 0 ? r->repeat : r->repeat_max));
    jput(b, o, "target_ci", jnum_if(r->repeat == 0, r->target_ci));
    json_t *obj = json_object();
    jput(b, obj, "kind", json_string(r->max_p99_ns > 0 ? "latency" : "throughput"));
    jput(b, obj, "max_p99_ns", jnum_if(r->max_p99_ns > 0, r->max_p99_ns));
    jput(b, o, "objective", obj);
    json_t *noise = json_object();
    jput(b, noise, "interval_rel", jnum(r->noise));
    jput(b, noise, "mad_rel", jnum(r->noise_mad));
    jput(b, noise, "noisy", json_boolean(r->noisy));
    jput(b, noise, "warn_above", jnum(TP_NOISE_WARN));
    jput(b, o, "noise", noise);
    jput(b, o, "tasks", r->tasks > 0 ? json_integer((json_int_t)r->tasks) : json_string("auto"));
    jput(b, o, "confidence", jnum(tp__effective_confidence(r->confidence)));
    if (r->seed <= (uint64_t)INT64_MAX) {
        jput(b, o, "seed", json_integer((json_int_t)r->seed));
    } else {
        char s[32];
        snprintf(s, sizeof s, "%llu", (unsigned long long)r->seed);
        jput(b, o, "seed", json_string(s));
    }
    jput(b, o, "stack_size", json_integer((json_int_t)r->stack_size));
    jput(b, o, "bootstrap_resamples", json_integer(TP__BOOTSTRAP_RESAMPLES));
    jput(b, o, "interval_method", json_string("bootstrap percentile of the median"));
    jput(b, o, "band_method", json_string(band));
    jput(b, o, "outlier_method", json_string("MAD x 1.4826, |z| > 3.5"));
    return o;
}

static json_t *json_point(struct jb *b, const struct tp_result *r, size_t i)
{
    const struct tp_point *p = &r->points[i];
    int ok = point_ok(p), n = n_reps_of(p);
    json_t *o = json_object(), *origin = json_array();
    char reason[192];

    jput(b, o, "multiplier", jnum(p->multiplier));
    jput(b, o, "threads", json_integer(p->threads));
    for (size_t k = 0; k < sizeof(origin_names) / sizeof(origin_names[0]); k++)
        if (p->origin & origin_names[k].bit)
            jpush(b, origin, json_string(origin_names[k].name));
    jput(b, o, "origin", origin);
    jput(b, o, "status", json_string(status_name(p->status)));
    jput(b, o, "reason", jstr_or_null(point_reason(reason, sizeof reason, p)));
    jput(b, o, "signal", p->status == TP_POINT_CRASHED && p->signal > 0 ? json_integer(p->signal) : json_null());
    jput(b, o, "threads_started", json_integer(p->threads_started));
    jput(b, o, "tasks_per_rep", json_integer((json_int_t)p->tasks_per_rep));

    json_t *tp = json_object(), *rep_tput = json_array(), *outliers = json_array(), *reps = json_array();
    jput(b, tp, "median", jnum_if(ok, p->tput_median));
    jput(b, tp, "ci_lo", jnum_if(ok, p->tput_ci_lo));
    jput(b, tp, "ci_hi", jnum_if(ok, p->tput_ci_hi));
    jput(b, tp, "mad", jnum_if(ok, p->tput_mad));
    for (int k = 0; k < n; k++) {
        const struct tp_rep *rep = &p->reps[k];
        jpush(b, rep_tput, jnum(rep->throughput));
        if (ok && p->outlier[k])
            jpush(b, outliers, json_integer(k));
        json_t *ro = json_object();
        jput(b, ro, "throughput", jnum(rep->throughput));
        jput(b, ro, "elapsed_s", jnum(rep->elapsed_s));
        jput(b, ro, "cpu_s", jnum(rep->cpu_s));
        jput(b, ro, "tasks", json_integer((json_int_t)rep->tasks));
        jput(b, ro, "nvcsw", json_integer(rep->nvcsw));
        jput(b, ro, "nivcsw", json_integer(rep->nivcsw));
        jpush(b, reps, ro);
    }
    jput(b, tp, "reps", rep_tput);
    jput(b, tp, "outliers", outliers);
    jput(b, o, "throughput", tp);
    jput(b, o, "reps", reps);

    json_t *lat = json_object(), *task = json_object();
    jput(b, lat, "p50", jnum_if(ok, p->lat_p50_ns));
    jput(b, lat, "p90", jnum_if(ok, p->lat_p90_ns));
    jput(b, lat, "p99", jnum_if(ok, p->lat_p99_ns));
    jput(b, lat, "max", jnum_if(ok, p->lat_max_ns));
    jput(b, o, "latency_ns", lat);
    jput(b, task, "wall_mean_ns", jnum_if(ok, p->task_wall_mean_ns));
    jput(b, task, "cpu_mean_ns", jnum_if(ok, p->task_cpu_mean_ns));
    jput(b, o, "task", task);
    jput(b, o, "cpu_util", jnum_if(ok, p->cpu_util));
    jput(b, o, "max_rss_kb", p->max_rss_kb > 0 ? json_integer(p->max_rss_kb) : json_null());
    jput(b, o, "wall_s", jnum_if(p->wall_s > 0.0, p->wall_s));
    jput(b, o, "in_band", json_boolean(p->in_band));
    jput(b, o, "excluded", json_boolean(p->excluded));
    jput(b, o, "pick", json_boolean((int)i == r->pick));
    jput(b, o, "best", json_boolean((int)i == r->best));
    jput(b, o, "work", tp__report_work_json(p));
    return o;
}

static json_t *json_recommendation(struct jb *b, const struct tp_result *r)
{
    if (!have_pick(r))
        return json_null();
    const struct tp_point *pick = &r->points[r->pick], *best = &r->points[r->best];
    json_t *o = json_object(), *band = json_object(), *bm = json_array(), *bt = json_array(), *bo = json_object();
    jput(b, o, "multiplier", jnum(pick->multiplier));
    jput(b, o, "threads", json_integer(pick->threads));
    jput(b, o, "throughput", jthroughput(pick));
    jput(b, band, "lo_multiplier", jnum(r->band_lo_multiplier));
    jput(b, band, "hi_multiplier", jnum(r->band_hi_multiplier));
    for (size_t i = 0; i < r->n_points; i++) {
        if (!r->points[i].in_band)
            continue;
        jpush(b, bm, jnum(r->points[i].multiplier));
        jpush(b, bt, json_integer(r->points[i].threads));
    }
    jput(b, band, "multipliers", bm);
    jput(b, band, "threads", bt);
    jput(b, o, "band", band);
    jput(b, bo, "multiplier", jnum(best->multiplier));
    jput(b, bo, "threads", json_integer(best->threads));
    jput(b, bo, "throughput", jthroughput(best));
    jput(b, o, "best", bo);
    return o;
}

static json_t *json_rules(struct jb *b, const struct tp_result *r)
{
    json_t *a = json_array();
    for (int k = 0; k < TP_N_RULES; k++) {
        const struct tp_rule_row *row = &r->rules[k];
        if (row->key == NULL)
            continue;
        int measured = row->point >= 0 && (size_t)row->point < r->n_points;
        int compared = measured && have_pick(r);
        const struct tp_point *p = measured ? &r->points[row->point] : NULL;
        json_t *o = json_object(), *ci = measured ? json_array() : json_null();
        jput(b, o, "key", json_string(row->key));
        jput(b, o, "name", jstr_or_null(row->name));
        jput(b, o, "multiplier", jnum(row->multiplier));
        jput(b, o, "threads", json_integer(row->threads));
        jput(b, o, "measured", json_boolean(measured));
        jput(b, o, "throughput", measured ? jnum(p->tput_median) : json_null());
        if (measured) {
            jpush(b, ci, jnum(p->tput_ci_lo));
            jpush(b, ci, jnum(p->tput_ci_hi));
        }
        jput(b, o, "throughput_ci", ci);
        jput(b, o, "fraction", jnum_if(compared, row->fraction));
        jput(b, o, "fraction_lo", jnum_if(compared, row->fraction_lo));
        jput(b, o, "fraction_hi", jnum_if(compared, row->fraction_hi));
        jpush(b, a, o);
    }
    return a;
}

static json_t *json_model(struct jb *b, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    json_t *o = json_object();
    int v = m->valid != 0;
    int from = v && m->from_point >= 0 && (size_t)m->from_point < r->n_points;
    jput(b, o, "valid", json_boolean(v));
    jput(b, o, "formula", json_string("threads* = cores x U x (1 + W/C)"));
    jput(b, o, "from_threads", from ? json_integer(r->points[m->from_point].threads) : json_null());
    jput(b, o, "wait_ns", jnum_if(v, m->wait_ns));
    jput(b, o, "compute_ns", jnum_if(v, m->compute_ns));
    jput(b, o, "utilization", jnum_if(v, m->utilization));
    jput(b, o, "threads", jnum_if(v, m->threads));
    jput(b, o, "multiplier", jnum_if(v, m->multiplier));
    jput(b, o, "throughput", jnum_if(v, m->throughput));
    jput(b, o, "cpu_per_task_ns", jnum_if(m->cpu_per_task_ns > 0, m->cpu_per_task_ns));
    jput(b, o, "cpu_ceiling", jnum_if(m->cpu_ceiling > 0, m->cpu_ceiling));
    enum tp__model_verdict verdict = tp__model_verdict(r);
    static const char *const verdict_name[] = {
        [TP__MODEL_AGREES] = "agrees", [TP__MODEL_PICK_BELOW] = "below", [TP__MODEL_PICK_ABOVE] = "above"};
    jput(b, o, "agrees", verdict == TP__MODEL_UNKNOWN ? json_null() : json_boolean(verdict == TP__MODEL_AGREES));
    jput(b, o, "pick_vs_model", verdict == TP__MODEL_UNKNOWN ? json_null() : json_string(verdict_name[verdict]));
    return o;
}

static json_t *json_started(double unix_s)
{
    if (!isfinite(unix_s) || unix_s <= 0.0)
        return json_null();
    time_t t = (time_t)unix_s;
    struct tm tm;
    char buf[32];
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return json_null();
    return json_string(buf);
}

/* Builds the whole document; NULL when jansson fails (out of memory). */
static json_t *json_document(const struct tp_result *r)
{
    struct jb b = {1};
    json_t *root = json_object(), *wl = json_object(), *points = json_array();
    jput(&b, root, "tool", json_string("tune-pool"));
    jput(&b, root, "version", jstr_or_null(r->version[0] ? r->version : TP_VERSION_STRING));
    jput(&b, root, "schema", json_integer(1));
    jput(&b, root, "partial", json_boolean(r->partial));
    jput(&b, root, "started", json_started(r->started_unix));
    jput(&b, root, "duration_s", jnum(r->duration_s));
    jput(&b, root, "topology", json_topology(&b, r));
    jput(&b, wl, "name", json_string(workload_name(r->workload.kind)));
    jput(&b, wl, "latency_ns", json_integer((json_int_t)r->workload.latency_ns));
    jput(&b, wl, "compute_ns", json_integer((json_int_t)r->workload.compute_ns));
    if (wl != NULL && tp__report_workload_json(wl, &r->workload) < 0)
        b.ok = 0;
    jput(&b, root, "workload", wl);
    jput(&b, root, "sweep", json_sweep(&b, r));
    for (size_t i = 0; i < r->n_points; i++)
        jpush(&b, points, json_point(&b, r, i));
    jput(&b, root, "points", points);
    jput(&b, root, "recommendation", json_recommendation(&b, r));
    jput(&b, root, "rules", json_rules(&b, r));
    jput(&b, root, "model", json_model(&b, r));
    if (r->async != NULL) /* --executor=both|async (README: Executors) */
        jput(&b, root, "async", tp__report_async_json(r));
    if (r->program != NULL) /* --run (docs/run.md) */
        jput(&b, root, "program", tp__report_program_json(r->program));
    if (!b.ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static int write_json(const struct tp_result *r, FILE *f)
{
    json_t *doc = json_document(r);
    if (doc == NULL)
        return TP_EJSON;
    int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    json_decref(doc);
    if (rc != 0)
        return ferror(f) ? -EIO : TP_EJSON;
    fputc('\n', f);
    return 0;
}

/* ------------------------------------------------------------------------
 * The writer table and the public entry points.
 * ---------------------------------------------------------------------- */

static const struct report_writer {
    enum tp_format format;
    const char *name;
    int (*write)(const struct tp_result *r, FILE *f);
} writers[] = {
    {TP_FORMAT_TABLE, "table", write_table},
    {TP_FORMAT_CSV, "csv", write_csv},
    {TP_FORMAT_JSON, "json", write_json},
    {TP_FORMAT_MARKDOWN, "markdown", write_markdown},
};

static const struct report_writer *find_writer(enum tp_format format)
{
    for (size_t i = 0; i < TP__ARRAY_LEN(writers); i++)
        if (writers[i].format == format)
            return &writers[i];
    return NULL;
}

const char *tp_format_name(enum tp_format format)
{
    const struct report_writer *w = find_writer(format);
    return w != NULL ? w->name : NULL;
}

int tp_format_parse(const char *name, enum tp_format *out)
{
    if (name == NULL || out == NULL)
        return -EINVAL;
    for (size_t i = 0; i < TP__ARRAY_LEN(writers); i++) {
        if (strcmp(name, writers[i].name) == 0) {
            *out = writers[i].format;
            return 0;
        }
    }
    return -EINVAL;
}

int tp_report_write(const struct tp_result *result, enum tp_format format, FILE *f)
{
    const struct report_writer *w = find_writer(format);
    if (result == NULL || f == NULL || w == NULL || (result->n_points > 0 && result->points == NULL))
        return -EINVAL;
    int rc;
    if (result->async != NULL && result->async->only && (format == TP_FORMAT_TABLE || format == TP_FORMAT_MARKDOWN))
        rc = tp__report_async_table(result, f); /* --executor=async: no pool table */
    else
        rc = w->write(result, f);
    if (rc == 0 && result->async != NULL && !result->async->only &&
        (format == TP_FORMAT_TABLE || format == TP_FORMAT_MARKDOWN))
        rc = tp__report_async_table(result, f); /* the executors side by side */
    /* Buffered output only meets the device here: a full disk shows up now. */
    if (fflush(f) != 0 || ferror(f))
        return rc < 0 && rc != TP_EJSON ? rc : -EIO;
    return rc;
}

struct save_ctx {
    const struct tp_result *result;
    enum tp_format format;
};

static int save_writer(void *ctx, FILE *f)
{
    const struct save_ctx *s = ctx;
    return tp_report_write(s->result, s->format, f);
}

int tp_report_save(const struct tp_result *result, enum tp_format format, const char *path)
{
    if (result == NULL || path == NULL || find_writer(format) == NULL)
        return -EINVAL;
    struct save_ctx ctx = {result, format};
    return tp__write_atomic(path, save_writer, &ctx);
}
