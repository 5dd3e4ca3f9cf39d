/* sweep.c - the sweep: plan the points, drive a measurement source over them, analyse the result. */

/*
 * DESIGN
 * The sweep runs on the caller's thread and owns nothing shared: it plans
 * the points (the grid, plus the rule-of-thumb sizes so that their rows are
 * measured, not guessed), asks the measurement source for each point in
 * ascending thread order, and reports progress through the caller's
 * callback between points. The source is an interface: the real one forks a
 * child per point (measure.c); tests pass a synthetic, seeded one, so the
 * planning and the recommendation are tested without a clock.
 * Cancellation is a flag the caller sets (from a signal handler): the point
 * in flight is abandoned, the rest are marked skipped, the result is kept
 * and marked partial.
 */
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "vec.h"
#include "stats.h"
#include "sweep.h"
#include "race.h"
#include "workload.h"

const double tp_default_multipliers[] = { 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 };
const size_t tp_n_default_multipliers = TP__ARRAY_LEN(tp_default_multipliers);

const char *tp_point_status_name(enum tp_point_status s)
{
    switch (s) {
    case TP_POINT_OK: return "ok";
    case TP_POINT_FAILED: return "failed";
    case TP_POINT_CRASHED: return "crashed";
    case TP_POINT_TIMEOUT: return "timeout";
    case TP_POINT_SKIPPED: return "skipped";
    }
    return "unknown";
}

int tp__threads_for(double multiplier, int cores)
{
    double t = round(multiplier * (double)cores);
    if (t < 1)
        return 1;
    if (t > (double)INT32_MAX)
        return INT32_MAX;
    return (int)t;
}

int tp_threads_for(double multiplier, int cores) { return tp__threads_for(multiplier, cores); }

static int cmp_threads(const void *a, const void *b)
{
    const struct tp_point *x = a, *y = b;
    if (x->threads != y->threads)
        return (x->threads > y->threads) - (x->threads < y->threads);
    return (x->multiplier > y->multiplier) - (x->multiplier < y->multiplier);
}

int tp__sweep_plan(const struct tp_sweep_opts *opts, int cores, struct tp_point **out, size_t *n)
{
    const double *ms = opts->multipliers != NULL ? opts->multipliers : tp_default_multipliers;
    size_t nm = opts->multipliers != NULL ? opts->n_multipliers : tp_n_default_multipliers;
    size_t cap = nm + (opts->include_rules ? tp_n_rule_specs : 0);
    struct tp_workload_params wl = opts->workload; /* with the server's cores a rule may use */
    tp__workload_defaults(&wl, cores);
    unsigned kinds = opts->rule_kinds | tp__workload_rule_kinds(&wl);

    *out = NULL;
    *n = 0;
    if (cores < 1 || nm == 0)
        return -EINVAL;
    struct tp_point *pts = calloc(cap, sizeof(*pts));
    if (pts == NULL)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nm; i++) {
        if (!isfinite(ms[i]) || ms[i] <= 0) {
            free(pts);
            return -EINVAL;
        }
        pts[k].multiplier = ms[i];
        pts[k].threads = tp__threads_for(ms[i], cores);
        pts[k].origin = TP_ORIGIN_GRID;
        if (opts->max_threads > 0 && pts[k].threads > opts->max_threads) {
            free(pts);
            return -E2BIG;
        }
        k++;
    }
    if (opts->include_rules) {
        for (size_t r = 0; r < tp_n_rule_specs; r++) {
            int t = tp_rule_threads_for(&tp_rule_specs[r], cores, &wl);
            /* A rule size above the cap is not measured (its row says so). */
            if (!tp_rule_applies(&tp_rule_specs[r], kinds) || (opts->max_threads > 0 && t > opts->max_threads))
                continue;
            pts[k].threads = t;
            pts[k].multiplier = (double)t / cores;
            pts[k].origin = TP_ORIGIN_RULE;
            k++;
        }
    }
    qsort(pts, k, sizeof(*pts), cmp_threads);
    /* One point per thread count: merge origins, keep the smallest multiplier. */
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u > 0 && pts[u - 1].threads == pts[i].threads) {
            pts[u - 1].origin |= pts[i].origin;
            continue;
        }
        pts[u++] = pts[i];
    }
    *out = pts;
    *n = u;
    return 0;
}

const char *tp_strategy_name(enum tp_strategy s)
{
    switch (s) {
    case TP_STRATEGY_GRID: return "grid";
    case TP_STRATEGY_ADAPTIVE: return "adaptive";
    case TP_STRATEGY_RACE: return "race";
    }
    return "unknown";
}

int tp_strategy_parse(const char *name, enum tp_strategy *out)
{
    if (name == NULL)
        return -EINVAL;
    if (strcmp(name, "grid") == 0)
        *out = TP_STRATEGY_GRID;
    else if (strcmp(name, "adaptive") == 0)
        *out = TP_STRATEGY_ADAPTIVE;
    else if (strcmp(name, "race") == 0)
        *out = TP_STRATEGY_RACE;
    else
        return -EINVAL;
    return 0;
}

static int validate(const struct tp_sweep_opts *o, const struct tp_topology *topo)
{
    if (o == NULL || topo == NULL || topo->effective_cores < 1)
        return -EINVAL;
    if (o->repeat < 0 || o->repeat > TP_MAX_REPS)
        return -EINVAL;
    if (o->repeat == 0 && o->repeat_max != 0 && (o->repeat_max < TP_REPEAT_MIN || o->repeat_max > TP_MAX_REPS))
        return -EINVAL;
    if (!(o->confidence > 0 && o->confidence < 1))
        return -EINVAL;
    if (o->rep_seconds < 0 || !isfinite(o->rep_seconds) || o->point_timeout_s < 0 || !isfinite(o->point_timeout_s))
        return -EINVAL;
    if (o->target_ci < 0 || !isfinite(o->target_ci) || o->resolution < 0 || !isfinite(o->resolution) ||
        o->max_p99_ns < 0 || !isfinite(o->max_p99_ns) || o->max_refine < 0 || !(o->tolerance >= 0 && o->tolerance < 1))
        return -EINVAL;
    if (o->strategy != TP_STRATEGY_GRID && o->strategy != TP_STRATEGY_ADAPTIVE && o->strategy != TP_STRATEGY_RACE)
        return -EINVAL;
    if (o->max_runs < 0 || !(o->max_errors <= 1))
        return -EINVAL;
    if (o->multipliers != NULL && o->n_multipliers == 0)
        return -EINVAL;
    return 0;
}

static double since_s(uint64_t t0) { return (double)(tp__now_ns() - t0) / 1e9; }

/* The state of one sweep while it runs. */
struct run {
    const struct tp_sweep_opts *opts;
    struct tp_result *out;
    struct tp_source src;
    size_t cap;     /* capacity of out->points */
    size_t planned; /* for progress: points planned so far */
    size_t done;    /* points measured (or failed) so far */
    uint64_t t0;
    int cancelled;
};

/* Measures out->points[i]; returns TP_ECANCELED when the sweep must stop. */
static int measure_one(struct run *run, size_t i)
{
    const struct tp_sweep_opts *opts = run->opts;
    struct tp_point *p = &run->out->points[i];
    if (run->cancelled || (opts->cancel != NULL && *opts->cancel)) {
        run->cancelled = 1;
        p->status = TP_POINT_SKIPPED;
        p->error = TP_ECANCELED;
        return TP_ECANCELED;
    }
    struct tp_progress ev = { TP_PROGRESS_POINT_START, run->done,  run->planned,    NULL,
                              p->multiplier,           p->threads, since_s(run->t0) };
    if (opts->progress != NULL)
        opts->progress(opts->progress_ctx, &ev);

    struct tp_point_request req = {
        .multiplier = p->multiplier,
        .threads = p->threads,
        .cores = run->out->cores,
        .repeat = opts->repeat,
        .tasks = opts->tasks,
        .rep_seconds = opts->rep_seconds,
        .warmup = opts->warmup,
        .stack_size = run->out->stack_size,
        .timeout_s = opts->point_timeout_s,
        .workload = &run->out->workload,
        .cancel = opts->cancel,
        .reps_done = opts->reps_done,
        .executor = opts->executor,
        .repeat_max = run->out->repeat_max,
        .target_ci = run->out->target_ci,
        .confidence = opts->confidence,
        .seed = opts->seed,
    };
    int rc = run->src.measure(run->src.ctx, &req, p);
    if (rc == TP_ECANCELED) {
        run->cancelled = 1;
        p->status = TP_POINT_SKIPPED;
        p->error = TP_ECANCELED;
        p->n_reps = 0;
        return TP_ECANCELED;
    }
    if (rc < 0 && p->status == TP_POINT_OK) {
        p->status = TP_POINT_FAILED;
        p->error = rc;
    }
    if (p->status == TP_POINT_OK)
        tp__analyze_point(p, opts->confidence, tp__point_seed(opts->seed, p->threads));
    run->done++;
    ev.event = TP_PROGRESS_POINT_DONE;
    ev.point = p;
    ev.elapsed_s = since_s(run->t0);
    if (opts->progress != NULL)
        opts->progress(opts->progress_ctx, &ev);
    return 0;
}

/* Marks every point from i on that was not measured as skipped. */
static void skip_rest(struct tp_result *out, size_t i)
{
    for (; i < out->n_points; i++) {
        if (out->points[i].status == TP_POINT_OK && out->points[i].n_reps == 0) {
            out->points[i].status = TP_POINT_SKIPPED;
            out->points[i].error = TP_ECANCELED;
        }
    }
}

static int run_grid(struct run *run)
{
    run->planned = run->out->n_points;
    for (size_t i = 0; i < run->out->n_points; i++) {
        if (measure_one(run, i) == TP_ECANCELED) {
            skip_rest(run->out, i);
            return TP_ECANCELED;
        }
    }
    return 0;
}

/* ---- adaptive ---- */

/* The coarse pass: m = 1, 2, 4, ... 256 (geometric, x2), capped at
 * max_threads, and the rule-of-thumb sizes. m = 1 comes first: it is the CPU
 * rule and feeds the model; lower multipliers are probed by the refinement
 * only when the knee lies below one thread per core. */
#define COARSE_MAX_MULTIPLIER 256.0

static int plan_coarse(const struct tp_sweep_opts *opts, int cores, struct tp_point **out, size_t *n)
{
    double ms[16];
    size_t nm = 0;
    int cap = opts->max_threads > 0 ? opts->max_threads : INT32_MAX;
    for (double m = 1; m <= COARSE_MAX_MULTIPLIER && nm < TP__ARRAY_LEN(ms); m *= 2) {
        if (tp__threads_for(m, cores) > cap) {
            ms[nm++] = (double)cap / cores; /* the cap itself closes the pass */
            break;
        }
        ms[nm++] = m;
    }
    struct tp_sweep_opts coarse = *opts;
    coarse.multipliers = ms;
    coarse.n_multipliers = nm;
    coarse.include_rules = opts->executor == TP_EXECUTOR_POOL; /* no folk rule sizes event loops */
    int rc = tp__sweep_plan(&coarse, cores, out, n);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < *n; i++) {
        if ((*out)[i].origin & TP_ORIGIN_GRID)
            (*out)[i].origin = ((*out)[i].origin & ~TP_ORIGIN_GRID) | TP_ORIGIN_COARSE;
    }
    return 0;
}

/* b is clearly better than a: their intervals do not overlap. */
static int clearly_better(const struct tp_point *b, const struct tp_point *a) { return b->tput_ci_lo > a->tput_ci_hi; }

/* Threads at which the model (from the points measured so far) puts the
 * knee; 0 if it cannot tell yet. Points not yet measured have no
 * repetitions and take no part in the analysis. */
static double model_knee(struct tp_result *r)
{
    tp_analyze(r);
    return r->model.valid ? r->model.threads : 0.0;
}

#define SATURATED 0.98

/* The coarse pass stops going up once doubling the threads no longer helps
 * (the new point is not clearly better than the best so far) or the cores
 * are saturated (the point reaches SATURATED of the ceiling its CPU cost per
 * task allows), but never before it has passed 1.5x the model's knee and
 * 4 x cores: a plateau before the knee the model predicts is measured
 * through, not believed. */
static int coarse_should_stop(struct run *run, size_t i)
{
    struct tp_result *r = run->out;
    const struct tp_point *p = &r->points[i];
    if (!(p->origin & TP_ORIGIN_COARSE) || !tp_point_ok(p))
        return 0;
    const struct tp_point *best = NULL;
    for (size_t k = 0; k < i; k++) {
        const struct tp_point *q = &r->points[k];
        if (tp_point_ok(q) && (best == NULL || q->tput_median > best->tput_median))
            best = q;
    }
    if (best == NULL || p->threads < 4 * r->cores)
        return 0;
    double knee = model_knee(r);
    if (!(knee > 0 && p->threads >= 1.5 * knee))
        return 0;
    if (!clearly_better(p, best))
        return 1;
    /* Still rising, but the cores are saturated: the point reaches
     * SATURATED of cores / (its CPU per task), the most any pool size can
     * do at that cost per task; more threads can only add contention. */
    double cpu_ns = tp__point_cpu_ns_per_task(p);
    return cpu_ns > 0 && p->tput_median >= SATURATED * r->cores * 1e9 / cpu_ns;
}

/* Far below the knee the model predicts, throughput grows in proportion to
 * the threads (every task waits, the cores idle): a coarse point under
 * SKIP_BELOW x the model's knee adds little and costs a point's time, so it
 * is left out; the rule-of-thumb sizes and m = 1 are always measured, and
 * should the knee be lower than predicted, the refinement bisects down to
 * it from the measured points. */
#define SKIP_BELOW 0.25

static int coarse_can_skip(struct run *run, size_t i)
{
    struct tp_result *r = run->out;
    const struct tp_point *p = &r->points[i];
    if (p->origin != TP_ORIGIN_COARSE || p->threads <= r->cores)
        return 0;
    double knee = model_knee(r);
    return knee > 0 && p->threads < SKIP_BELOW * knee;
}

/* Inserts a refinement point with `threads` threads, keeping the order;
 * returns its index, or -1 if it exists already or there is no room. */
static long insert_point(struct run *run, int threads)
{
    struct tp_result *r = run->out;
    size_t at = 0;
    while (at < r->n_points && r->points[at].threads < threads)
        at++;
    if (at < r->n_points && r->points[at].threads == threads)
        return -1;
    if (r->n_points == run->cap)
        return -1;
    memmove(&r->points[at + 1], &r->points[at], (r->n_points - at) * sizeof(*r->points));
    memset(&r->points[at], 0, sizeof(*r->points));
    r->points[at].threads = threads;
    r->points[at].multiplier = (double)threads / r->cores;
    r->points[at].origin = TP_ORIGIN_REFINE;
    r->n_points++;
    return (long)at;
}

/* The next refinement: first the knee (between the pick and the nearest
 * measured point below it that is out of the band), then the peak (between
 * the best and its upper neighbour when that one is clearly worse: a higher
 * point may hide in between). A gap at or under the resolution is closed.
 * Returns the thread count to measure, or 0 when the search is done. */
static int next_refinement(struct run *run)
{
    struct tp_result *r = run->out;
    if (tp_analyze(r) < 0 || r->pick < 0)
        return 0;
    double res = run->opts->resolution > 0 ? run->opts->resolution : TP_DEFAULT_RESOLUTION;
    const struct tp_point *pick = &r->points[r->pick];
    int gap_ok = (int)fmax(1.0, floor(res * pick->threads));

    int below = 0; /* threads of the nearest usable point below the pick */
    for (int i = r->pick - 1; i >= 0; i--) {
        if (tp_point_ok(&r->points[i])) {
            below = r->points[i].threads;
            break;
        }
    }
    if (pick->threads > 1 && pick->threads - below > gap_ok) {
        int mid = below == 0 ? pick->threads / 2 : below + (pick->threads - below) / 2;
        if (mid < 1)
            mid = 1;
        if (mid != pick->threads && mid != below)
            return mid;
    }

    const struct tp_point *best = &r->points[r->best];
    for (size_t i = (size_t)r->best + 1; i < r->n_points; i++) {
        const struct tp_point *up = &r->points[i];
        if (!tp_point_ok(up))
            continue;
        int gap = up->threads - best->threads;
        if (!up->in_band && gap > (int)fmax(1.0, floor(res * best->threads))) {
            int mid = best->threads + gap / 2;
            if (mid != best->threads && mid != up->threads)
                return mid;
        }
        break;
    }
    return 0;
}

static int run_adaptive(struct run *run)
{
    struct tp_result *r = run->out;
    int max_refine = run->opts->max_refine > 0 ? run->opts->max_refine : 8;

    /* Room for the refinements after the coarse points. */
    void *grown = r->points;
    int rc = tp__vec_reserve(&grown, &run->cap, r->n_points + (size_t)max_refine, sizeof *r->points);
    r->points = grown;
    if (rc < 0)
        return rc;

    run->planned = r->n_points;
    for (size_t i = 0; i < r->n_points; i++) {
        if (coarse_can_skip(run, i)) {
            memmove(&r->points[i], &r->points[i + 1], (r->n_points - i - 1) * sizeof(*r->points));
            r->n_points--;
            run->planned--;
            i--;
            continue;
        }
        if (measure_one(run, i) == TP_ECANCELED) {
            skip_rest(r, i);
            return TP_ECANCELED;
        }
        if (coarse_should_stop(run, i)) {
            /* Drop the coarse points above; keep rule-of-thumb sizes. */
            size_t k = i + 1;
            for (size_t j = i + 1; j < r->n_points; j++)
                if (r->points[j].origin & TP_ORIGIN_RULE)
                    r->points[k++] = r->points[j];
            r->n_points = k;
            run->planned = k;
        }
    }
    for (int n = 0; n < max_refine; n++) {
        int threads = next_refinement(run);
        if (threads <= 0)
            break;
        if (run->opts->max_threads > 0 && threads > run->opts->max_threads)
            break;
        long at = insert_point(run, threads);
        if (at < 0)
            break;
        run->planned++;
        if (measure_one(run, (size_t)at) == TP_ECANCELED)
            return TP_ECANCELED;
    }
    return 0;
}

int tp_sweep_run(const struct tp_sweep_opts *opts, const struct tp_topology *topo, struct tp_result *out)
{
    memset(out, 0, sizeof(*out));
    out->best = out->pick = -1;
    int rc = validate(opts, topo);
    if (rc < 0)
        return rc;
    int cores = topo->effective_cores;
    if (opts->strategy == TP_STRATEGY_ADAPTIVE && opts->multipliers == NULL)
        rc = plan_coarse(opts, cores, &out->points, &out->n_points);
    else if (opts->strategy == TP_STRATEGY_RACE && opts->multipliers == NULL)
        rc = 0; /* the race places its own points */
    else
        rc = tp__sweep_plan(opts, cores, &out->points, &out->n_points);
    if (rc < 0)
        return rc;

    snprintf(out->version, sizeof(out->version), "%s", TP_VERSION_STRING);
    out->topo = *topo;
    if (opts->host != NULL)
        out->host = *opts->host;
    else
        (void)tp_host_describe(&out->host, topo, NULL); /* cannot fail: a topology and no override */
    out->cores = cores;
    out->workload = opts->workload;
    tp__workload_defaults(&out->workload, cores); /* a pool of connections: the server's cores */
    out->repeat = opts->repeat;
    out->repeat_max =
        opts->repeat == 0 ? (opts->repeat_max > 0 ? opts->repeat_max : TP_DEFAULT_REPEAT_MAX) : opts->repeat;
    out->target_ci = opts->target_ci > 0 ? opts->target_ci : TP_DEFAULT_TARGET_CI;
    out->tasks = opts->tasks;
    out->confidence = opts->confidence;
    out->seed = opts->seed;
    out->strategy = opts->multipliers == NULL ? opts->strategy : TP_STRATEGY_GRID;
    out->rule_kinds = opts->rule_kinds | tp__workload_rule_kinds(&out->workload);
    out->resolution = opts->resolution > 0 ? opts->resolution : TP_DEFAULT_RESOLUTION;
    out->tolerance = opts->tolerance;
    out->max_p99_ns = opts->max_p99_ns;
    out->max_errors = opts->max_errors;
    out->stack_size = opts->stack_size != 0 ? opts->stack_size : TP_POOL_DEFAULT_STACK;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    out->started_unix = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;

    struct run run = { .opts = opts, .out = out, .src = opts->source, .cap = out->n_points, .t0 = tp__now_ns() };
    if (run.src.measure == NULL)
        run.src.measure = tp_source_real_measure;

    /* The real source's workload shares resources across points (the net
     * server process, the file's data): made once here, released after the
     * last point on every path, cancellation included. */
    struct tp__sweep_res wres = { 0, -1 };
    int real = opts->source.measure == NULL;
    if (real) {
        char werr[256];
        rc = tp__workload_sweep_setup(&out->workload, &wres, werr, sizeof werr);
        if (rc < 0) {
            tp_result_free(out);
            return rc;
        }
    }
    if (out->strategy == TP_STRATEGY_RACE)
        rc = tp__race_run(opts, out, run.src, run.t0);
    else
        rc = out->strategy == TP_STRATEGY_ADAPTIVE ? run_adaptive(&run) : run_grid(&run);
    if (real)
        tp__workload_sweep_teardown(&out->workload, &wres);
    out->duration_s = since_s(run.t0);
    if (rc < 0 && rc != TP_ECANCELED)
        return rc;
    out->partial = rc == TP_ECANCELED;
    int arc = tp_analyze(out);
    if (out->partial)
        return TP_ECANCELED;
    return arc;
}

void tp_result_free(struct tp_result *result)
{
    if (result == NULL)
        return;
    free(result->points);
    result->points = NULL;
    result->n_points = 0;
    if (result->async != NULL) {
        tp_result_free(&result->async->sweep);
        free(result->async);
        result->async = NULL;
    }
    tp_program_result_free(result->program);
    result->program = NULL;
}
