/* compare.c - `tune-pool compare A.json B.json`: two runs side by side (two machines, or before and after). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "grid.h"
#include "integrate.h"
#include "msg.h"

#define CELL TP__GRID_CELL

static void workload_cell(char *buf, size_t len, const struct tp_result *r)
{
    tp_workload_describe(&r->workload, buf, len); /* "io: wait 2 ms + compute 100 us per task" */
}

static void pick_cell(char *buf, size_t len, const struct tp_result *r)
{
    char m[32], t[32], ci[TP__INTERVAL_LEN];
    if (r->pick < 0) {
        snprintf(buf, len, "none (no point measured)");
        return;
    }
    const struct tp_point *p = &r->points[r->pick];
    snprintf(buf, len, "m = %s -> %d thread%s: %s tasks/s %s", tp__fmt_mult(m, sizeof m, p->multiplier), p->threads,
             tp_cli_plural(p->threads), tp__fmt_num(t, sizeof t, p->tput_median),
             tp__fmt_interval(ci, sizeof ci, p->tput_ci_lo, p->tput_ci_hi));
}

static void band_cell(char *buf, size_t len, const struct tp_result *r)
{
    char lo[32], hi[32];
    if (r->pick < 0)
        snprintf(buf, len, "-");
    else if (r->n_band <= 1)
        snprintf(buf, len, "only the pick");
    else
        snprintf(buf, len, "m = %s .. %s (%d points)", tp__fmt_mult(lo, sizeof lo, r->band_lo_multiplier),
                 tp__fmt_mult(hi, sizeof hi, r->band_hi_multiplier), r->n_band);
}

static void started_cell(char *buf, size_t len, const struct tp_result *r)
{
    time_t t = (time_t)r->started_unix;
    struct tm tm;
    if (r->started_unix <= 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(buf, len, "-");
}

/* The point of r at multiplier m (same m within 0.1%), or NULL. */
static const struct tp_point *at_multiplier(const struct tp_result *r, double m)
{
    for (size_t i = 0; i < r->n_points; i++)
        if (fabs(r->points[i].multiplier - m) <= 1e-3 * m)
            return &r->points[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void compare_usage(FILE *where)
{
    fprintf(where,
            "Usage: %s compare A.json B.json [--format=table|markdown]\n"
            "Show two runs side by side: their machines, workloads and picks, then\n"
            "throughput and p99 latency at each multiplier m, with B's throughput as a\n"
            "fraction of A's (\"B/A\"); rows compare the same m, which is a different\n"
            "thread count when the two machines have different cores.\n",
            TP_CLI_NAME);
}

static int load(const char *path, struct tp_result *r)
{
    char why[512];
    int rc = tp_result_load(r, path, why, sizeof why);
    if (rc == TP_EFORMAT) {
        tp_cli_usage_error("compare: %s is not a tune-pool results file: %s", path, why);
        return -1;
    }
    if (rc < 0) {
        tp_cli_usage_error("compare: cannot read %s: %s", path, tp_strerror(rc));
        return -1;
    }
    return 0;
}

/* The runs side by side: machine, workload, pick, band. Returns 0 or -1 (out of memory). */
static int runs_grid(struct tp__grid *g, const char *pa, const struct tp_result *a, const char *pb,
                     const struct tp_result *b)
{
    const struct tp_result *run[2] = { a, b };
    char cell[2][CELL], h[2][CELL];
    int rc = 0;
    snprintf(h[0], CELL, "A: %s", pa);
    snprintf(h[1], CELL, "B: %s", pb);
    rc |= tp__grid_row(g, "", h[0], h[1]);
    rc |= tp__grid_row(g, "version", a->version, b->version);
    for (int k = 0; k < 2; k++) {
        const struct tp_host *host = &run[k]->host;
        if (host->class_key[0] != '\0')
            snprintf(cell[k], CELL, "%.60s (class %.90s)", host->hostname, host->class_key);
        else
            snprintf(cell[k], CELL, "-");
    }
    rc |= tp__grid_row(g, "host", cell[0], cell[1]);
    for (int k = 0; k < 2; k++)
        snprintf(cell[k], CELL, "%d (%s)", run[k]->cores, tp_cores_source_name(run[k]->topo.source));
    rc |= tp__grid_row(g, "cores", cell[0], cell[1]);
    rc |= tp__grid_row(g, "cpu", a->topo.cpu_model[0] ? a->topo.cpu_model : "-",
                       b->topo.cpu_model[0] ? b->topo.cpu_model : "-");
    for (int k = 0; k < 2; k++)
        workload_cell(cell[k], CELL, run[k]);
    rc |= tp__grid_row(g, "workload", cell[0], cell[1]);
    for (int k = 0; k < 2; k++)
        started_cell(cell[k], CELL, run[k]);
    rc |= tp__grid_row(g, "started", cell[0], cell[1]);
    for (int k = 0; k < 2; k++)
        pick_cell(cell[k], CELL, run[k]);
    rc |= tp__grid_row(g, "pick", cell[0], cell[1]);
    for (int k = 0; k < 2; k++)
        band_cell(cell[k], CELL, run[k]);
    rc |= tp__grid_row(g, "band", cell[0], cell[1]);
    for (int k = 0; k < 2; k++)
        snprintf(cell[k], CELL, "%s", run[k]->partial ? "yes (interrupted)" : "no");
    rc |= tp__grid_row(g, "partial", cell[0], cell[1]);
    return rc != 0 ? -1 : 0;
}

/* The union of both runs' multipliers, sorted, into *out (malloc'd). Returns 0 or -1. */
static int union_multipliers(const struct tp_result *a, const struct tp_result *b, double **out, size_t *n)
{
    size_t u = 0;
    double *ms = malloc((a->n_points + b->n_points ? a->n_points + b->n_points : 1) * sizeof *ms);
    if (ms == NULL)
        return -1;
    for (size_t i = 0; i < a->n_points; i++)
        ms[u++] = a->points[i].multiplier;
    for (size_t i = 0; i < b->n_points; i++)
        if (at_multiplier(a, b->points[i].multiplier) == NULL)
            ms[u++] = b->points[i].multiplier;
    qsort(ms, u, sizeof *ms, cmp_double);
    *out = ms;
    *n = u;
    return 0;
}

/* One run's cells at a multiplier (p NULL: not measured there): its threads,
 * its tasks/s with the interval and the pick / band mark, its p99. */
static void point_cells(const struct tp_result *run, const struct tp_point *p, char th[32], char tp[CELL], char p99[32])
{
    if (p == NULL) {
        snprintf(th, 32, "-");
        snprintf(tp, CELL, "-");
        snprintf(p99, 32, "-");
        return;
    }
    char mark[4] = "";
    if (run->pick >= 0 && p == &run->points[run->pick])
        snprintf(mark, sizeof mark, " *");
    else if (p->in_band)
        snprintf(mark, sizeof mark, " =");
    snprintf(th, 32, "%d", p->threads);
    if (tp_point_ok(p)) {
        char x[32], ci[TP__INTERVAL_LEN];
        snprintf(tp, CELL, "%s %s%s", tp__fmt_num(x, sizeof x, p->tput_median),
                 tp__fmt_interval(ci, sizeof ci, p->tput_ci_lo, p->tput_ci_hi), mark);
        tp__fmt_duration(p99, 32, p->lat_p99_ns);
    } else {
        snprintf(tp, CELL, "%s", tp_point_status_name(p->status));
        snprintf(p99, 32, "-");
    }
}

/* B's median over A's at the same multiplier, with the range the two intervals allow. */
static void ratio_cell(char *buf, size_t len, const struct tp_point *pa, const struct tp_point *pb)
{
    if (pa != NULL && pb != NULL && tp_point_ok(pa) && tp_point_ok(pb) && pa->tput_median > 0 && pa->tput_ci_hi > 0 &&
        pa->tput_ci_lo > 0)
        /* The range divides the interval ends crosswise: every ratio the two intervals allow. */
        snprintf(buf, len, "%.2f [%.2f, %.2f]", pb->tput_median / pa->tput_median, pb->tput_ci_lo / pa->tput_ci_hi,
                 pb->tput_ci_hi / pa->tput_ci_lo);
    else
        snprintf(buf, len, "-");
}

/* Throughput and p99 of both runs at each multiplier of ms. Returns 0 or -1. */
static int multipliers_grid(struct tp__grid *t, const struct tp_result *a, const struct tp_result *b, const double *ms,
                            size_t n)
{
    const struct tp_result *run[2] = { a, b };
    int rc = tp__grid_row(t, "m", "A threads", "A tasks/s", "A p99", "B threads", "B tasks/s", "B p99", "B/A");
    for (size_t i = 0; i < n; i++) {
        const struct tp_point *p[2] = { at_multiplier(a, ms[i]), at_multiplier(b, ms[i]) };
        char m[32], th[2][32], tp[2][CELL], p99[2][32], ratio[64];
        for (int k = 0; k < 2; k++)
            point_cells(run[k], p[k], th[k], tp[k], p99[k]);
        ratio_cell(ratio, sizeof ratio, p[0], p[1]);
        rc |= tp__grid_row(t, tp__fmt_mult(m, sizeof m, ms[i]), th[0], tp[0], p99[0], th[1], tp[1], p99[1], ratio);
    }
    return rc != 0 ? -1 : 0;
}

/* r's row of the rule with key, or NULL. */
static const struct tp_rule_row *find_rule(const struct tp_result *r, const char *key)
{
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++)
        if (r->rules[k].key != NULL && key != NULL && strcmp(r->rules[k].key, key) == 0)
            return &r->rules[k];
    return NULL;
}

/* The rules of thumb: how each run's rule sizes fared against its own pick. Returns 0 or -1. */
static int rules_grid(struct tp__grid *rl, const struct tp_result *a, const struct tp_result *b)
{
    const struct tp_result *run[2] = { a, b };
    int rc = tp__grid_row(rl, "rule of thumb", "A: fraction of A's pick", "B: fraction of B's pick");
    for (int k = 0; k < a->n_rules && k < TP_MAX_RULES; k++) {
        char c2[2][CELL];
        for (int j = 0; j < 2; j++) {
            const struct tp_rule_row *row = find_rule(run[j], a->rules[k].key);
            if (row == NULL)
                snprintf(c2[j], CELL, "-");
            else if (row->point >= 0 && run[j]->pick >= 0)
                snprintf(c2[j], CELL, "%d thread%s: %.2f [%.2f, %.2f]", row->threads, tp_cli_plural(row->threads),
                         row->fraction, row->fraction_lo, row->fraction_hi);
            else
                snprintf(c2[j], CELL, "%d thread%s: not measured", row->threads, tp_cli_plural(row->threads));
        }
        rc |= tp__grid_row(rl, a->rules[k].name != NULL ? a->rules[k].name : "", c2[0], c2[1]);
    }
    return rc != 0 ? -1 : 0;
}

/* What makes the two runs hard to compare: different jobs, different core counts. */
static void print_notes(const struct tp_result *a, const struct tp_result *b, int markdown, FILE *f)
{
    if (a->workload.kind != b->workload.kind || a->workload.latency_ns != b->workload.latency_ns ||
        a->workload.compute_ns != b->workload.compute_ns)
        fprintf(f, "%snote: the workloads differ: this compares two different jobs\n", markdown ? "\n" : "\n");
    if (a->cores != b->cores)
        fprintf(f, "%snote: %d core%s against %d: rows compare the same m, i.e. different thread counts\n",
                markdown ? "\n" : "", a->cores, tp_cli_plural(a->cores), b->cores);
}

static int print_compare(const char *pa, const struct tp_result *a, const char *pb, const struct tp_result *b,
                         int markdown, FILE *f)
{
    struct tp__grid g = { .cols = 3 }, t = { .cols = 8 }, rl = { .cols = 3 };
    double *ms = NULL;
    size_t n = 0;
    int rc = runs_grid(&g, pa, a, pb, b);
    if (rc != 0)
        goto out;
    if (markdown)
        fputs("# tune-pool compare\n\n", f);
    tp__grid_print(&g, markdown, 0, f);
    if ((rc = union_multipliers(a, b, &ms, &n)) != 0)
        goto out;
    rc |= multipliers_grid(&t, a, b, ms, n);
    fputs(markdown ? "\n## Throughput and p99 latency at each multiplier\n\n" : "\n", f);
    if (rc == 0)
        tp__grid_print(&t, markdown, 0xFFu & ~1u, f);
    fputs(markdown ? "\n" : "", f);
    fputs("(* pick, = indistinguishable from the best; B/A: B's median over A's, with the range the two intervals "
          "allow)\n",
          f);
    rc |= rules_grid(&rl, a, b);
    fputs(markdown ? "\n## Rules of thumb\n\n" : "\n", f);
    if (rc == 0)
        tp__grid_print(&rl, markdown, 0, f);
    print_notes(a, b, markdown, f);
out:
    free(ms);
    tp__grid_free(&g);
    tp__grid_free(&t);
    tp__grid_free(&rl);
    return rc != 0 ? -1 : 0;
}

int tp_cli_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int markdown = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "table") == 0)
                markdown = 0;
            else if (strcmp(optarg, "markdown") == 0)
                markdown = 1;
            else {
                tp_cli_usage_error("compare: --format: unknown format '%s' (expected table or markdown)", optarg);
                return TP_EXIT_USAGE;
            }
            break;
        case 'h': compare_usage(stdout); return TP_EXIT_OK;
        case ':': tp_cli_usage_error("compare: option '%s' needs a value", argv[optind - 1]); return TP_EXIT_USAGE;
        default: tp_cli_usage_error("compare: unknown option '%s'", argv[optind - 1]); return TP_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        tp_cli_usage_error("compare: needs two results files: compare A.json B.json");
        return TP_EXIT_USAGE;
    }
    struct tp_result a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int code = TP_EXIT_OK;
    if (load(argv[optind], &a) < 0 || load(argv[optind + 1], &b) < 0) {
        code = TP_EXIT_USAGE;
        goto out;
    }
    if (print_compare(argv[optind], &a, argv[optind + 1], &b, markdown, stdout) < 0) {
        tp_cli_error("compare: out of memory");
        code = TP_EXIT_RUNTIME;
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        tp_cli_error("cannot write to standard output");
        code = TP_EXIT_RUNTIME;
    }
out:
    tp_result_free(&a);
    tp_result_free(&b);
    return code;
}
