/* report_text.c - what every writer says about a result: point facts, row cells and the sentences of the table and Markdown. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report_text.h"
#include "stats.h"
#include "vec.h"
#include "workload.h"

char *tp__report_level(char *buf, size_t len, const struct tp_result *r)
{
    snprintf(buf, len, "%g%%", 100.0 * tp__effective_confidence(r->confidence));
    return buf;
}

const char *tp__report_status_name(enum tp_point_status s)
{
    const char *n = tp_point_status_name(s);
    return n != NULL ? n : "unknown";
}

const char *tp__report_workload_name(enum tp_workload_kind k)
{
    const char *n = tp_workload_name(k);
    return n != NULL ? n : "unknown";
}

static int point_measured(const struct tp_point *p) { return p->status != TP_POINT_SKIPPED; }

/* Why a point has no measurement, or "" for a measured one. */
char *tp__report_point_reason(char *buf, size_t len, const struct tp_point *p)
{
    buf[0] = '\0';
    switch (p->status) {
    case TP_POINT_OK: break;
    case TP_POINT_FAILED:
        if (p->threads_started > 0 && p->threads_started < p->threads)
            snprintf(buf, len, "%s (%d of %d thread%s started)", tp_strerror(p->error ? p->error : -EIO),
                     p->threads_started, p->threads, tp__plural(p->threads));
        else if (p->error_detail[0] != '\0') /* the server's or the library's own words */
            snprintf(buf, len, "%s: %s", tp_strerror(p->error ? p->error : -EIO), p->error_detail);
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
    case TP_POINT_TIMEOUT: snprintf(buf, len, "%s", tp_strerror(p->error ? p->error : TP_ETIMEOUT)); break;
    case TP_POINT_SKIPPED: snprintf(buf, len, "not measured: the sweep was interrupted first"); break;
    default: snprintf(buf, len, "%s", tp_strerror(p->error)); break;
    }
    return buf;
}

static int is_rule_threads(const struct tp_result *r, int threads)
{
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++)
        if (r->rules[k].key != NULL && r->rules[k].threads == threads)
            return 1;
    return 0;
}

int tp__report_n_reps(const struct tp_point *p)
{
    return p->n_reps < 0 ? 0 : (p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps);
}

/* Why a point was measured, in the order the names are joined. */
static const struct {
    unsigned bit;
    const char *name;
} origin_names[] = {
    { TP_ORIGIN_GRID, "grid" },
    { TP_ORIGIN_COARSE, "coarse" },
    { TP_ORIGIN_REFINE, "refine" },
    { TP_ORIGIN_RULE, "rule" },
};

size_t tp__report_origins(unsigned origin, const char *names[TP__REPORT_N_ORIGINS])
{
    size_t n = 0;
    for (size_t k = 0; k < TP__ARRAY_LEN(origin_names); k++)
        if (origin & origin_names[k].bit)
            names[n++] = origin_names[k].name;
    return n;
}

/* Appends mark to marks (space-separated) when on. */
static void add_mark(char *marks, size_t len, size_t *o, int on, char mark)
{
    if (on && *o + 3 <= len) {
        if (*o > 0)
            marks[(*o)++] = ' ';
        marks[(*o)++] = mark;
        marks[*o] = '\0';
    }
}

void tp__report_share_text(char *buf, size_t len, double share)
{
    if (share > 0)
        snprintf(buf, len, "%.3g%%", 100 * share);
    else
        snprintf(buf, len, "0");
}

void tp__report_point_cells(const struct tp_result *r, size_t i, struct tp__report_row *c)
{
    const struct tp_point *p = &r->points[i];
    int ok = tp_point_ok(p);
    c->mark = (int)i == r->pick ? '*' : ' ';
    tp__fmt_mult(c->m, sizeof c->m, p->multiplier);
    snprintf(c->threads, sizeof c->threads, "%d", p->threads);
    if (ok) {
        tp__fmt_num(c->tput, sizeof c->tput, p->tput_median);
        tp__fmt_interval(c->interval, sizeof c->interval, p->tput_ci_lo, p->tput_ci_hi);
        tp__report_share_text(c->failed, sizeof c->failed, tp_point_error_share(p));
        if (r->program == NULL) {
            tp__fmt_duration(c->p50, sizeof c->p50, p->lat_p50_ns);
            tp__fmt_duration(c->p99, sizeof c->p99, p->lat_p99_ns);
        } else { /* a run is not a task: its wall times are in the program's lines */
            snprintf(c->p50, sizeof c->p50, "-");
            snprintf(c->p99, sizeof c->p99, "-");
        }
        if (isfinite(p->cpu_util))
            snprintf(c->cpu, sizeof c->cpu, "%.0f%%", 100.0 * p->cpu_util);
        else
            snprintf(c->cpu, sizeof c->cpu, "-");
    } else {
        snprintf(c->tput, sizeof c->tput, "-");
        snprintf(c->interval, sizeof c->interval, "-");
        snprintf(c->failed, sizeof c->failed, "-");
        snprintf(c->p50, sizeof c->p50, "-");
        snprintf(c->p99, sizeof c->p99, "-");
        snprintf(c->cpu, sizeof c->cpu, "-");
    }
    c->status = tp__report_status_name(p->status);
    size_t o = 0;
    c->marks[0] = '\0';
    add_mark(c->marks, sizeof c->marks, &o, p->in_band, '=');
    add_mark(c->marks, sizeof c->marks, &o, (int)i == r->best, '^');
    add_mark(c->marks, sizeof c->marks, &o, is_rule_threads(r, p->threads), 'R');
    add_mark(c->marks, sizeof c->marks, &o, ok && p->n_outliers > 0, '!');
    add_mark(c->marks, sizeof c->marks, &o, p->excluded, 'x');
    add_mark(c->marks, sizeof c->marks, &o, p->error_excluded, 'e');
    add_mark(c->marks, sizeof c->marks, &o, (p->origin & TP_ORIGIN_REFINE) != 0, '+');
    tp__report_point_reason(c->reason, sizeof c->reason, p);
}

const char *tp__report_rate_unit(const struct tp_result *r)
{
    const struct tp_program_result *pr = r->program;
    if (pr == NULL)
        return "tasks/s";
    if (pr->metric != NULL && pr->metric_lower)
        return "1/metric"; /* the column shows 1 / metric: higher is better */
    return tp_program_unit(pr->metric != NULL, pr->work);
}

const char *tp__report_item_noun(const struct tp_result *r)
{
    if (r->program == NULL)
        return "task";
    return r->program->work > 0 && r->program->metric == NULL ? "unit" : "run";
}

int tp__report_subject_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_program_result *pr = r->program;
    if (pr == NULL) {
        tp__workload_describe(&r->workload, buf, len);
        return 0;
    }
    char env[TP_PROGRAM_MAX_ENV * 40] = "";
    size_t o = 0;
    for (int i = 0; i < pr->n_env && i < TP_PROGRAM_MAX_ENV && o < sizeof env; i++)
        o += (size_t)snprintf(env + o, sizeof env - o, "%s%s=<threads>", i ? " " : ", with ", pr->env[i]);
    snprintf(buf, len, "program: %.400s (%s%s)", pr->command ? pr->command : "?",
             pr->no_shell ? "exec'd directly" : "through /bin/sh -c", env);
    return 1;
}

void tp__report_workload_text(char *buf, size_t len, const struct tp_result *r)
{
    char w[TP__NUM_LEN], c[TP__NUM_LEN];
    if (r->program != NULL) {
        tp__report_subject_text(buf, len, r);
        return;
    }
    tp__fmt_duration(w, sizeof w, (double)r->workload.latency_ns);
    tp__fmt_duration(c, sizeof c, (double)r->workload.compute_ns);
    if (r->workload.kind == TP_WORKLOAD_CPU)
        snprintf(buf, len, "%s: compute %s per task", tp__report_workload_name(r->workload.kind), c);
    else if (r->workload.kind == TP_WORKLOAD_IO)
        snprintf(buf, len, "%s: wait %s + compute %s per task", tp__report_workload_name(r->workload.kind), w, c);
    else
        tp__workload_describe(&r->workload, buf, len); /* the other kinds: their own description */
}

void tp__report_cores_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_topology *t = &r->topo;
    char hw[96], quota[320], over[48];
    if (t->hwloc_ok)
        snprintf(hw, sizeof hw, "hwloc: %d PU%s / %d core%s", t->hwloc_pus, tp__plural(t->hwloc_pus), t->hwloc_cores,
                 tp__plural(t->hwloc_cores));
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
    snprintf(buf, len, "%d effective (%s, affinity %d, %s%s; counting %s) -> source %s", r->cores, hw, t->affinity_cpus,
             quota, over, t->unit == TP_UNIT_CORE ? "cores" : "PUs", src != NULL ? src : "unknown");
}

void tp__report_reps_text(char *buf, size_t len, const struct tp_result *r)
{
    char level[16], n[TP__NUM_LEN], n2[TP__NUM_LEN], reps[64];
    tp__report_level(level, sizeof level, r);
    if (r->repeat > 0) {
        snprintf(reps, sizeof reps, "%d", r->repeat);
    } else {
        int lo_r = 0, hi_r = 0;
        for (size_t i = 0; i < r->n_points; i++) {
            int k = tp__report_n_reps(&r->points[i]);
            if (!tp_point_ok(&r->points[i]) || k == 0)
                continue;
            lo_r = lo_r == 0 || k < lo_r ? k : lo_r;
            hi_r = k > hi_r ? k : hi_r;
        }
        if (lo_r == hi_r)
            snprintf(reps, sizeof reps, "%d (auto, to %.3g%%)", lo_r, 100 * r->target_ci);
        else
            snprintf(reps, sizeof reps, "%d..%d (auto, to %.3g%%)", lo_r, hi_r, 100 * r->target_ci);
    }
    if (r->program != NULL) {
        snprintf(buf, len, "repetitions %s run%s of the program per point, %s bootstrap intervals of the median", reps,
                 strcmp(reps, "1") == 0 ? "" : "s", level);
        return;
    }
    if (r->tasks > 0) {
        snprintf(buf, len, "repetitions %s x %s tasks, %s bootstrap intervals of the median", reps,
                 tp__fmt_grouped(n, sizeof n, (long long)r->tasks), level);
        return;
    }
    uint64_t lo = 0, hi = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        uint64_t t = r->points[i].tasks_per_rep;
        if (!tp_point_ok(&r->points[i]) || t == 0)
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
int tp__report_best_is_the_edge(const struct tp_result *r)
{
    if (r->best < 0)
        return 0;
    const struct tp_point *b = &r->points[r->best], *below = NULL;
    for (size_t i = (size_t)r->best + 1; i < r->n_points; i++)
        if (tp_point_ok(&r->points[i]))
            return 0;
    for (int i = r->best - 1; i >= 0 && below == NULL; i--)
        if (tp_point_ok(&r->points[i]))
            below = &r->points[i];
    return below != NULL && b->tput_ci_lo > below->tput_ci_hi;
}

/* Repetitions recorded over all points (a --run's timed runs). */
static int total_reps(const struct tp_result *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += tp__report_n_reps(&r->points[i]);
    return n;
}

/* How the points were chosen, how many and how long it took. */
void tp__report_search_text(char *buf, size_t len, const struct tp_result *r)
{
    int coarse = 0, refine = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        coarse += (r->points[i].origin & TP_ORIGIN_COARSE) != 0;
        refine += (r->points[i].origin & TP_ORIGIN_REFINE) != 0;
    }
    if (r->strategy == TP_STRATEGY_ADAPTIVE)
        snprintf(buf, len,
                 "search: adaptive, %zu point%s (%d coarse, %d refinement, the rest rule-of-thumb sizes) "
                 "in %.1f s; noise %.1f%% (interval / median)",
                 r->n_points, tp__plural((long long)r->n_points), coarse, refine, r->duration_s, 100 * r->noise);
    else if (r->strategy == TP_STRATEGY_RACE)
        snprintf(buf, len,
                 "search: race, %zu point%s, %d timed %s%s in %.1f s (repetitions go where the pick is decided); "
                 "noise %.1f%% (interval / median)",
                 r->n_points, tp__plural((long long)r->n_points), total_reps(r),
                 r->program != NULL ? "run" : "repetition", tp__plural(total_reps(r)), r->duration_s, 100 * r->noise);
    else
        snprintf(buf, len, "search: grid, %zu point%s in %.1f s; noise %.1f%% (interval / median)", r->n_points,
                 tp__plural((long long)r->n_points), r->duration_s, 100 * r->noise);
}

size_t tp__report_count_measured(const struct tp_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += point_measured(&r->points[i]);
    return n;
}

int tp__report_count_noisy(const struct tp_result *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += tp_point_ok(&r->points[i]) && r->points[i].n_outliers > 0;
    return n;
}

int tp__report_have_pick(const struct tp_result *r)
{
    return r->pick >= 0 && (size_t)r->pick < r->n_points && r->best >= 0 && (size_t)r->best < r->n_points;
}

/* "m = 24 -> 48 threads on 2 cores: 19 876 tasks/s [19 800, 19 950]" */
void tp__report_pick_text(char *buf, size_t len, const struct tp_result *r, const struct tp_point *p, int with_cores)
{
    char m[TP__NUM_LEN], t[TP__NUM_LEN], ci[TP__INTERVAL_LEN], cores[32] = "";
    if (with_cores)
        snprintf(cores, sizeof cores, " on %d core%s", r->cores, tp__plural(r->cores));
    snprintf(buf, len, "m = %s -> %d thread%s%s: %s %s %s", tp__fmt_mult(m, sizeof m, p->multiplier), p->threads,
             tp__plural(p->threads), cores, tp__fmt_num(t, sizeof t, p->tput_median), tp__report_rate_unit(r),
             tp__fmt_interval(ci, sizeof ci, p->tput_ci_lo, p->tput_ci_hi));
}

/* "band (indistinguishable from the best): m = 20 .. 32 (40 .. 64 threads, 3 points)" */
void tp__report_band_text(char *buf, size_t len, const struct tp_result *r)
{
    char lo[TP__NUM_LEN], hi[TP__NUM_LEN];
    int tlo, thi;
    tp__band_threads(r, &tlo, &thi);
    tp__fmt_mult(lo, sizeof lo, r->band_lo_multiplier);
    tp__fmt_mult(hi, sizeof hi, r->band_hi_multiplier);
    if (r->n_band <= 1)
        snprintf(buf, len, "band (indistinguishable from the best): only m = %s (%d thread%s)", lo, tlo,
                 tp__plural(tlo));
    else
        snprintf(buf, len, "band (indistinguishable from the best): m = %s .. %s (%d .. %d threads, %d points)", lo, hi,
                 tlo, thi, r->n_band);
}

/* How the band was decided, and what it does not prove. */
void tp__report_band_method_text(char *buf, size_t len, const struct tp_result *r)
{
    char level[16];
    tp__report_level(level, sizeof level, r);
    if (r->tolerance > 0)
        snprintf(buf, len,
                 "method: %s bootstrap percentile intervals of the median reaching within %.3g%% of the "
                 "highest interval floor; overlap does not prove equality",
                 level, 100 * r->tolerance);
    else
        snprintf(buf, len,
                 "method: overlapping %s bootstrap percentile intervals of the median; overlap does not prove "
                 "equality",
                 level);
}

/* The measured part of a rule row: "4 761 tasks/s [4 700, 4 800]   0.24 of the pick [0.23, 0.25]". */
void tp__report_rule_measure_text(char *buf, size_t len, const struct tp_result *r, const struct tp_rule_row *row,
                                  int aligned)
{
    if (row->point >= 0 && (size_t)row->point < r->n_points && tp__report_have_pick(r)) {
        const struct tp_point *p = &r->points[row->point];
        char t[TP__NUM_LEN], ci[TP__INTERVAL_LEN], f[TP__NUM_LEN], flo[TP__NUM_LEN], fhi[TP__NUM_LEN];
        snprintf(buf, len, aligned ? "%10s %s %-20s %s of the pick [%s, %s]" : "%s %s %s, %s of the pick [%s, %s]",
                 tp__fmt_num(t, sizeof t, p->tput_median), tp__report_rate_unit(r),
                 tp__fmt_interval(ci, sizeof ci, p->tput_ci_lo, p->tput_ci_hi),
                 tp__fmt_fraction(f, sizeof f, row->fraction), tp__fmt_fraction(flo, sizeof flo, row->fraction_lo),
                 tp__fmt_fraction(fhi, sizeof fhi, row->fraction_hi));
        return;
    }
    /* Not usable: say why when a point at that size was tried. */
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (p->threads == row->threads && !tp_point_ok(p)) {
            char why[TP__REPORT_REASON_MAX];
            snprintf(buf, len, "not measured: %s (%s)", tp__report_status_name(p->status),
                     tp__report_point_reason(why, sizeof why, p));
            return;
        }
    }
    snprintf(buf, len, "%s", row->point >= 0 ? "no pick to compare with" : "not measured (not in the plan)");
}

/* "W = 2.05 ms, C = 101 us (means per task) measured at 2 threads" */
void tp__report_model_inputs_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    char w[TP__NUM_LEN], c[TP__NUM_LEN];
    int from = m->from_point >= 0 && (size_t)m->from_point < r->n_points ? r->points[m->from_point].threads : 0;
    snprintf(buf, len, "W = %s, C = %s (means per %s) measured at %d thread%s",
             tp__fmt_duration(w, sizeof w, m->wait_ns), tp__fmt_duration(c, sizeof c, m->compute_ns),
             tp__report_item_noun(r), from, tp__plural(from));
}

/* "threads* = cores x U x (1 + W/C) = 2 x 1.00 x (1 + 20.3) = 42.6 (m = 21.3); ceiling 19 900 tasks/s" */
void tp__report_model_formula_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    char wc[TP__NUM_LEN], t[TP__NUM_LEN], mm[TP__NUM_LEN], x[TP__NUM_LEN];
    snprintf(buf, len, "threads* = cores x U x (1 + W/C) = %d x %.2f x (1 + %s) = %s (m = %s); ceiling %s %s", r->cores,
             m->utilization, tp__fmt_sig3(wc, sizeof wc, m->wait_ns / m->compute_ns),
             tp__fmt_sig3(t, sizeof t, m->threads), tp__fmt_sig3(mm, sizeof mm, m->multiplier),
             tp__fmt_num(x, sizeof x, m->throughput), tp__report_rate_unit(r));
}

/* What a task really cost where the cores were busiest; 0 if unknown. */
int tp__report_cost_text(char *buf, size_t len, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    if (!(m->cpu_per_task_ns > 0) || r->best < 0)
        return 0;
    char cost[TP__NUM_LEN], ceil[TP__NUM_LEN];
    tp__fmt_duration(cost, sizeof cost, m->cpu_per_task_ns);
    tp__fmt_num(ceil, sizeof ceil, m->cpu_ceiling);
    const char *noun = tp__report_item_noun(r);
    snprintf(buf, len,
             "CPU per %s at the best point: %s (%s); ceiling cores / that = %s %s, the best reaches %.2f of it", noun,
             cost, r->program != NULL ? "the program's process tree: user + system" : "the process: task, kernel, pool",
             ceil, tp__report_rate_unit(r), r->points[r->best].tput_median / m->cpu_ceiling);
    return 1;
}

void tp__report_model_verdict_text(char *buf, size_t len, const struct tp_result *r)
{
    char t[TP__NUM_LEN];
    int pick = tp__report_have_pick(r) ? r->points[r->pick].threads : 0;
    tp__fmt_sig3(t, sizeof t, r->model.threads);
    const char *why = NULL;
    switch (tp__model_verdict(r)) {
    case TP__MODEL_AGREES:
        snprintf(buf, len, "the measured pick (%d thread%s) agrees with the model (%s threads)", pick, tp__plural(pick),
                 t);
        return;
    case TP__MODEL_PICK_BELOW:
        why = "fewer threads than the model: a shared resource saturates first (contention, a serialising lock or "
              "device)";
        break;
    case TP__MODEL_PICK_ABOVE:
        why = "more threads than the model: waits grow under load or the compute is not CPU-bound";
        break;
    case TP__MODEL_UNKNOWN:
    default: snprintf(buf, len, "no measured pick to compare with the model"); return;
    }
    snprintf(buf, len, "the measured pick (%d thread%s) disagrees with the model (%s threads): %s", pick,
             tp__plural(pick), t, why);
}

/* Which points the recommendation rests on, and why the others could not
 * count: "rests on 5 of 6 points; without m = 64 (128 threads): failed, ...". */
void tp__report_basis_text(char *buf, size_t len, const struct tp_result *r)
{
    size_t usable = 0, o;
    for (size_t i = 0; i < r->n_points; i++)
        usable += tp_point_ok(&r->points[i]) && !r->points[i].excluded && !r->points[i].error_excluded;
    o = (size_t)snprintf(buf, len, "rests on %zu of %zu points", usable, r->n_points);
    const char *sep = "; without ";
    for (size_t i = 0; i < r->n_points && o < len; i++) {
        const struct tp_point *p = &r->points[i];
        if (tp_point_ok(p) && !p->excluded && !p->error_excluded)
            continue;
        char m[TP__NUM_LEN], why[192], share[TP__NUM_LEN];
        tp__fmt_mult(m, sizeof m, p->multiplier);
        tp__report_share_text(share, sizeof share, tp_point_error_share(p));
        if (tp_point_ok(p) && p->excluded)
            snprintf(why, sizeof why, "p99 over the bound");
        else if (tp_point_ok(p))
            snprintf(why, sizeof why, "%s of its tasks failed", share);
        else
            tp__report_point_reason(why, sizeof why, p);
        o += (size_t)snprintf(buf + o, len - o, "%sm = %s (%d thread%s) %s: %s", sep, m, p->threads,
                              tp__plural(p->threads), tp__report_status_name(p->status), why);
        sep = ", ";
    }
    /* A failed point above the best: the curve may still rise there. */
    int beyond = 0;
    for (size_t i = 0; r->best >= 0 && i < r->n_points; i++)
        beyond |= !tp_point_ok(&r->points[i]) && r->points[i].threads > r->points[r->best].threads;
    if (beyond && o < len)
        snprintf(buf + o, len - o, "; more threads than the best could not be measured: the best may lie higher");
}

int tp__report_objective_text(char *buf, size_t len, const struct tp_result *r)
{
    if (!(r->max_p99_ns > 0))
        return 0;
    char bound[TP__NUM_LEN];
    tp__fmt_duration(bound, sizeof bound, r->max_p99_ns);
    snprintf(buf, len, "objective: the fewest threads indistinguishable from the best among points whose p99 <= %s",
             bound);
    return 1;
}

/* The points whose failures put them out of the pick (--max-errors), with
 * their share: "note: 2 points not eligible: more than 1% of their tasks
 * failed (--max-errors): m = 4 (8 threads) 12.5%, ...". 0 when none. */
static int errors_note(const struct tp_result *r, char *buf, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += r->points[i].error_excluded;
    if (n == 0)
        return 0;
    char bound[TP__NUM_LEN], share[TP__NUM_LEN], m[TP__NUM_LEN];
    tp__report_share_text(bound, sizeof bound, tp_result_max_errors(r));
    size_t o =
        (size_t)snprintf(buf, len, "note: %d point%s not eligible: more than %s of %s tasks failed (--max-errors):", n,
                         n == 1 ? "" : "s", bound, n == 1 ? "its" : "their");
    const char *sep = " ";
    for (size_t i = 0; i < r->n_points && o < len; i++) {
        const struct tp_point *p = &r->points[i];
        if (!p->error_excluded)
            continue;
        tp__report_share_text(share, sizeof share, tp_point_error_share(p));
        o += (size_t)snprintf(buf + o, len - o, "%sm = %s (%d thread%s) %s", sep,
                              tp__fmt_mult(m, sizeof m, p->multiplier), p->threads, tp__plural(p->threads), share);
        sep = ", ";
    }
    return 1;
}

void tp__report_no_pick_text(char *buf, size_t len, const struct tp_result *r)
{
    int failing = 0;
    for (size_t i = 0; i < r->n_points; i++)
        failing += r->points[i].error_excluded;
    if (failing > 0)
        snprintf(buf, len,
                 "No measured point is eligible (%d failed more often than --max-errors allows%s): there is no "
                 "recommendation.",
                 failing, r->max_p99_ns > 0 ? ", the others are over --max-p99" : "");
    else
        snprintf(buf, len, "No point was measured successfully: there is no recommendation.");
}

size_t tp__report_notes(const struct tp_result *r, char notes[TP__REPORT_NOTES][TP__REPORT_LINE])
{
    size_t n = 0;
    if (r->noisy)
        snprintf(notes[n++], TP__REPORT_LINE,
                 "warning: noisy measurements: intervals are %.1f%% of the median wide (upper quartile over points; "
                 "one repetition spreads %.1f%%, scaled MAD): points closer than that cannot be told apart; "
                 "use --precision/--max-repeat or a quieter machine",
                 100 * r->noise, 100 * r->noise_mad);
    int noisy = tp__report_count_noisy(r);
    if (noisy > 0)
        snprintf(notes[n++], TP__REPORT_LINE,
                 "note: %d point%s noisy: repetitions flagged as outliers (MAD x 1.4826, |z| > 3.5); "
                 "consider more repetitions or a quieter machine",
                 noisy, noisy == 1 ? " is" : "s are");
    if (r->n_failed > 0)
        snprintf(notes[n++], TP__REPORT_LINE, "note: %d point%s failed (see status)", r->n_failed,
                 r->n_failed == 1 ? "" : "s");
    if (errors_note(r, notes[n], TP__REPORT_LINE))
        n++;
    if (tp__report_best_is_the_edge(r)) {
        char m[TP__NUM_LEN];
        snprintf(notes[n++], TP__REPORT_LINE,
                 "note: the best is the largest pool measured (m = %s, %d thread%s) and it still beats the one "
                 "below: throughput may rise further; raise --max-threads or measure a grid beyond it",
                 tp__fmt_mult(m, sizeof m, r->points[r->best].multiplier), r->points[r->best].threads,
                 tp__plural(r->points[r->best].threads));
    }
    return n;
}
