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
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "stats.h"
#include "sweep.h"

const double tp_default_multipliers[] = {0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32};
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
    int rule_threads[TP_N_RULES] = {5 * cores, cores + 4 < 32 ? cores + 4 : 32, cores};
    size_t cap = nm + (opts->include_rules ? TP_N_RULES : 0);

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
        k++;
    }
    if (opts->include_rules) {
        for (int r = 0; r < TP_N_RULES; r++) {
            pts[k].threads = rule_threads[r];
            pts[k].multiplier = (double)rule_threads[r] / cores;
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
    if (opts->max_threads > 0 && pts[u - 1].threads > opts->max_threads) {
        free(pts);
        return -E2BIG;
    }
    *out = pts;
    *n = u;
    return 0;
}

static int validate(const struct tp_sweep_opts *o, const struct tp_topology *topo)
{
    if (o == NULL || topo == NULL || topo->effective_cores < 1)
        return -EINVAL;
    if (o->repeat < 1 || o->repeat > TP_MAX_REPS)
        return -EINVAL;
    if (!(o->confidence > 0 && o->confidence < 1))
        return -EINVAL;
    if (o->rep_seconds < 0 || !isfinite(o->rep_seconds) || o->point_timeout_s < 0 ||
        !isfinite(o->point_timeout_s))
        return -EINVAL;
    if (o->multipliers != NULL && o->n_multipliers == 0)
        return -EINVAL;
    return 0;
}

static double since_s(uint64_t t0) { return (double)(tp__now_ns() - t0) / 1e9; }

int tp_sweep_run(const struct tp_sweep_opts *opts, const struct tp_topology *topo, struct tp_result *out)
{
    memset(out, 0, sizeof(*out));
    out->best = out->pick = -1;
    int rc = validate(opts, topo);
    if (rc < 0)
        return rc;
    int cores = topo->effective_cores;
    rc = tp__sweep_plan(opts, cores, &out->points, &out->n_points);
    if (rc < 0)
        return rc;

    snprintf(out->version, sizeof(out->version), "%s", TP_VERSION_STRING);
    out->topo = *topo;
    out->cores = cores;
    out->workload = opts->workload;
    out->repeat = opts->repeat;
    out->tasks = opts->tasks;
    out->confidence = opts->confidence;
    out->seed = opts->seed;
    out->stack_size = opts->stack_size != 0 ? opts->stack_size : TP_POOL_DEFAULT_STACK;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    out->started_unix = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;

    struct tp_source src = opts->source;
    if (src.measure == NULL)
        src.measure = tp_source_real_measure;

    uint64_t t0 = tp__now_ns();
    int cancelled = 0;
    for (size_t i = 0; i < out->n_points; i++) {
        struct tp_point *p = &out->points[i];
        if (cancelled || (opts->cancel != NULL && *opts->cancel)) {
            cancelled = 1;
            p->status = TP_POINT_SKIPPED;
            p->error = TP_ECANCELED;
            continue;
        }
        struct tp_progress ev = {TP_PROGRESS_POINT_START, i, out->n_points, NULL, p->multiplier,
                                 p->threads, since_s(t0)};
        if (opts->progress != NULL)
            opts->progress(opts->progress_ctx, &ev);

        struct tp_point_request req = {
            .multiplier = p->multiplier,
            .threads = p->threads,
            .cores = cores,
            .repeat = opts->repeat,
            .tasks = opts->tasks,
            .rep_seconds = opts->rep_seconds,
            .warmup = opts->warmup,
            .stack_size = out->stack_size,
            .timeout_s = opts->point_timeout_s,
            .workload = &out->workload,
            .cancel = opts->cancel,
        };
        rc = src.measure(src.ctx, &req, p);
        if (rc == TP_ECANCELED) {
            cancelled = 1;
            p->status = TP_POINT_SKIPPED;
            p->error = TP_ECANCELED;
            p->n_reps = 0;
            continue;
        }
        if (rc < 0 && p->status == TP_POINT_OK) {
            p->status = TP_POINT_FAILED;
            p->error = rc;
        }
        if (p->status == TP_POINT_OK)
            tp__analyze_point(p, opts->confidence, tp__point_seed(opts->seed, p->threads));
        ev.event = TP_PROGRESS_POINT_DONE;
        ev.point = p;
        ev.elapsed_s = since_s(t0);
        if (opts->progress != NULL)
            opts->progress(opts->progress_ctx, &ev);
    }
    out->duration_s = since_s(t0);
    out->partial = cancelled;
    rc = tp_analyze(out);
    if (cancelled)
        return TP_ECANCELED;
    return rc;
}

void tp_result_free(struct tp_result *result)
{
    if (result == NULL)
        return;
    free(result->points);
    result->points = NULL;
    result->n_points = 0;
}
