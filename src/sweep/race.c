/* race.c - the racing search (TP_STRATEGY_RACE): few runs, spent where the pick is decided. */

/*
 * DESIGN
 * The race is a loop that, after each visit of the source, re-analyses the
 * points (tp_analyze) and picks one next action, cheapest decision first:
 *   1. the coarse pass: the next geometric point upwards (new point,
 *      TP_RACE_FIRST_REPS repetitions with the warm-up);
 *   2. one more repetition of a contender that is not settled: the best
 *      (its interval sets the band's floor), then the edge (the lowest
 *      point whose race interval still reaches the floor: the pick-to-be),
 *      then the plain pick;
 *   3. a point bisecting the edge (the pick against the point below it);
 *   4. a point bisecting the peak (the best against its upper neighbour
 *      when that one is out of the band);
 *   5. a rule-of-thumb size not measured yet (include_rules);
 * until nothing is left, the budget (max_runs) is spent or the sweep is
 * cancelled. A point is settled when it is out of the race (its race
 * interval ends below the floor), narrow (race interval width <= target x
 * median) or at repeat_max. The race interval of a point is its bootstrap
 * interval widened to at least median x (1 +- z s / sqrt(n)), s the pooled
 * noise (tp__race_noise): one or two repetitions say little by themselves,
 * but with the noise seen elsewhere a point at half the best is out after
 * them. The floor is tp_analyze's: the highest interval low end x
 * (1 - tolerance). Everything runs on the sweep's thread.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "race.h"
#include "stats.h"
#include "sweep.h"
#include "vec.h"
#include "workload.h"

#define COARSE_MAX_MULTIPLIER 256.0 /* the coarse pass stops here without max_threads */
#define COARSE_JUMP 8               /* towards the model's knee: at most x8 a step */
#define PLATEAU_PAST_KNEE 1.5       /* a plateau counts only past 1.5 x the knee ... */
#define PLATEAU_MIN_MULTIPLIER 2    /* ... and past m = 2 */
#define RACE_MAX_POINTS 64          /* distinct sizes the race may place */
#define NOISE_MIN 0.002
#define COARSE_FAILS 3 /* coarse sizes failing in a row end the way up */

double tp__race_z(double conf)
{
    if (!(conf > 0 && conf < 1))
        conf = 0.95;
    double lo = 0, hi = 40;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (erfc(mid / M_SQRT2) > 1.0 - conf)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static int usable(const struct tp_point *p)
{
    return p->status == TP_POINT_OK && p->n_reps > 0 && !p->excluded && !p->error_excluded && p->tput_median > 0;
}

double tp__race_noise(const struct tp_result *r)
{
    size_t n = 0, cap = 0;
    double *dev = NULL;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (!usable(p) || p->n_reps < 2)
            continue;
        int k = p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps;
        if (tp__vec_reserve((void **)&dev, &cap, n + (size_t)k, sizeof *dev) < 0)
            break;
        double scale = sqrt((double)k / (k - 1));
        for (int j = 0; j < k; j++)
            dev[n++] = fabs(p->reps[j].throughput - p->tput_median) / p->tput_median * scale;
    }
    double s = n >= 4 ? 1.4826 * tp__median(dev, n) : TP_RACE_PRIOR_NOISE;
    free(dev);
    return s > NOISE_MIN && isfinite(s) ? s : NOISE_MIN;
}

/* The state of one race. */
struct race {
    const struct tp_sweep_opts *opts;
    struct tp_result *r;
    struct tp_source src;
    size_t cap; /* room in r->points */
    int max_runs, spent, per_point_max, cut, cancelled;
    int coarse_top; /* threads of the highest coarse point; 0 before the first */
    int coarse_done;
    int thread_cap; /* the largest size the race may place */
    double target, z, noise, floor;
    size_t visits;
    uint64_t t0;
};

static void race_bounds(const struct race *rc, const struct tp_point *p, double *lo, double *hi)
{
    double hw = rc->z * rc->noise * p->tput_median / sqrt((double)p->n_reps);
    *lo = fmin(p->tput_ci_lo, p->tput_median - hw);
    *hi = fmax(p->tput_ci_hi, p->tput_median + hw);
}

static int reachable(const struct race *rc, const struct tp_point *p)
{
    double lo, hi;
    race_bounds(rc, p, &lo, &hi);
    return usable(p) && hi >= rc->floor;
}

static int settled(const struct race *rc, const struct tp_point *p)
{
    if (!usable(p) || p->n_reps >= rc->per_point_max || !reachable(rc, p))
        return 1;
    double lo, hi;
    race_bounds(rc, p, &lo, &hi);
    return (hi - lo) / p->tput_median <= rc->target;
}

/* Re-analyses the points; the floor and the noise for the race. */
static void analyze(struct race *rc)
{
    struct tp_result *r = rc->r;
    tp_analyze(r);
    rc->noise = tp__race_noise(r);
    double fl = 0;
    for (size_t i = 0; i < r->n_points; i++)
        if (usable(&r->points[i]) && r->points[i].tput_ci_lo > fl)
            fl = r->points[i].tput_ci_lo;
    double tol = r->tolerance > 0 && r->tolerance < 1 ? r->tolerance : 0.0;
    rc->floor = fl * (1.0 - tol);
}

static long find(const struct tp_result *r, int threads)
{
    for (size_t i = 0; i < r->n_points; i++)
        if (r->points[i].threads == threads)
            return (long)i;
    return -1;
}

/* A new point in thread order; its index, or -1 (no memory, or too many). */
static long insert(struct race *rc, int threads, unsigned origin)
{
    struct tp_result *r = rc->r;
    if (r->n_points >= RACE_MAX_POINTS ||
        tp__vec_reserve((void **)&r->points, &rc->cap, r->n_points + 1, sizeof *r->points) < 0)
        return -1;
    size_t at = 0;
    while (at < r->n_points && r->points[at].threads < threads)
        at++;
    memmove(&r->points[at + 1], &r->points[at], (r->n_points - at) * sizeof *r->points);
    memset(&r->points[at], 0, sizeof *r->points);
    r->points[at].threads = threads;
    r->points[at].multiplier = (double)threads / r->cores;
    r->points[at].origin = origin;
    r->n_points++;
    return (long)at;
}

/* Appends a visit's repetitions and figures to the point (means weighted by
 * repetitions, maxima, sums); a failed visit fails the point. */
static void merge(struct tp_point *acc, const struct tp_point *v)
{
    int n0 = acc->n_reps, n = v->n_reps;
    if (n0 + n > TP_MAX_REPS)
        n = TP_MAX_REPS - n0;
    if (v->status != TP_POINT_OK) {
        acc->status = v->status;
        acc->error = v->error;
        acc->signal = v->signal;
    }
    acc->threads_started = v->threads_started;
    if (n > 0) {
        memcpy(&acc->reps[n0], v->reps, (size_t)n * sizeof *v->reps);
        double w0 = (double)n0 / (n0 + n), w1 = 1.0 - w0;
        acc->task_wall_mean_ns = w0 * acc->task_wall_mean_ns + w1 * v->task_wall_mean_ns;
        acc->task_cpu_mean_ns = w0 * acc->task_cpu_mean_ns + w1 * v->task_cpu_mean_ns;
        acc->lat_p50_ns = w0 * acc->lat_p50_ns + w1 * v->lat_p50_ns;
        acc->lat_p90_ns = w0 * acc->lat_p90_ns + w1 * v->lat_p90_ns;
        acc->lat_p99_ns = w0 * acc->lat_p99_ns + w1 * v->lat_p99_ns;
        acc->cpu_util = w0 * acc->cpu_util + w1 * v->cpu_util;
        acc->tasks_per_rep = v->tasks_per_rep;
        acc->n_reps = n0 + n;
    }
    acc->lat_max_ns = fmax(acc->lat_max_ns, v->lat_max_ns);
    if (v->max_rss_kb > acc->max_rss_kb)
        acc->max_rss_kb = v->max_rss_kb;
    acc->wall_s += v->wall_s;
    acc->work_ops += v->work_ops;
    acc->work_bytes += v->work_bytes;
    acc->work_errors += v->work_errors;
    tp__work_counts_add(acc->work_counts, &acc->n_work_counts, v->work_counts, v->n_work_counts);
}

static void progress(struct race *rc, enum tp_progress_event ev, const struct tp_point *p)
{
    if (rc->opts->progress == NULL)
        return;
    struct tp_progress e = { ev,
                             rc->visits,
                             rc->r->n_points,
                             ev == TP_PROGRESS_POINT_DONE ? p : NULL,
                             p->multiplier,
                             p->threads,
                             (double)(tp__now_ns() - rc->t0) / 1e9 };
    rc->opts->progress(rc->opts->progress_ctx, &e);
}

static struct tp_point_request request_for(const struct race *rc, const struct tp_point *p, int reps)
{
    const struct tp_sweep_opts *o = rc->opts;
    struct tp_point_request req = {
        .multiplier = p->multiplier,
        .threads = p->threads,
        .cores = rc->r->cores,
        .repeat = reps,
        .tasks = o->tasks,
        .rep_seconds = o->rep_seconds,
        .warmup = p->n_reps == 0 && p->status == TP_POINT_OK ? o->warmup : 0,
        .stack_size = rc->r->stack_size,
        .timeout_s = o->point_timeout_s,
        .workload = &rc->r->workload,
        .cancel = o->cancel,
        .reps_done = o->reps_done,
        .repeat_max = reps,
        .target_ci = rc->r->target_ci,
        .confidence = o->confidence,
        .seed = o->seed,
        .executor = o->executor,
    };
    return req;
}

/* One visit of point i for `reps` more repetitions. Returns 0 or TP_ECANCELED. */
static int visit(struct race *rc, size_t i, int reps)
{
    struct tp_point *p = &rc->r->points[i];
    progress(rc, TP_PROGRESS_POINT_START, p);
    struct tp_point_request req = request_for(rc, p, reps);
    struct tp_point *v = calloc(1, sizeof *v);
    if (v == NULL)
        return -ENOMEM;
    v->multiplier = p->multiplier;
    v->threads = p->threads;
    v->origin = p->origin;
    int rc_m = rc->src.measure(rc->src.ctx, &req, v);
    if (rc_m == TP_ECANCELED) {
        rc->cancelled = 1;
        if (p->n_reps == 0) {
            p->status = TP_POINT_SKIPPED;
            p->error = TP_ECANCELED;
        }
        free(v);
        return TP_ECANCELED;
    }
    if (rc_m < 0 && v->status == TP_POINT_OK) {
        v->status = TP_POINT_FAILED;
        v->error = rc_m;
    }
    rc->spent += v->status == TP_POINT_OK ? v->n_reps : v->n_reps + 1; /* the failing run counts */
    merge(p, v);
    free(v);
    tp__analyze_point(p, rc->opts->confidence, tp__point_seed(rc->opts->seed, p->threads));
    rc->visits++;
    progress(rc, TP_PROGRESS_POINT_DONE, p);
    return 0;
}

/* ---- what to do next ---- */

/* The usable coarse point nearest below `threads`, or NULL. */
static const struct tp_point *coarse_below(const struct tp_result *r, int threads)
{
    const struct tp_point *q = NULL;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if ((p->origin & TP_ORIGIN_COARSE) && usable(p) && p->threads < threads)
            q = p;
    }
    return q;
}

static int coarse_usable(const struct tp_result *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += (r->points[i].origin & TP_ORIGIN_COARSE) && usable(&r->points[i]);
    return n;
}

/* The next coarse size, or 0 when the pass is over. */
static int next_coarse(struct race *rc)
{
    const struct tp_result *r = rc->r;
    if (rc->coarse_top == 0)
        return rc->thread_cap < r->cores ? rc->thread_cap : r->cores;
    long at = find(r, rc->coarse_top);
    if (at < 0 || rc->coarse_top >= rc->thread_cap)
        return 0;
    if (!usable(&r->points[at])) {
        /* A failing size is data: the way up goes on past it, until
         * COARSE_FAILS sizes in a row have failed. */
        int fails = 0;
        for (long i = at; i >= 0 && !usable(&r->points[i]); i--)
            fails += (r->points[i].origin & TP_ORIGIN_COARSE) != 0;
        return fails < COARSE_FAILS ? (int)fmin(2.0 * rc->coarse_top, rc->thread_cap) : 0;
    }
    if (r->best < 0)
        return 0;
    const struct tp_point *top = &r->points[at], *prev = coarse_below(r, top->threads);
    if (!reachable(rc, top))
        return 0; /* clearly below the best: past the peak */
    double knee = r->model.valid ? r->model.threads : 0.0;
    int rising = prev == NULL || top->tput_ci_lo > prev->tput_ci_hi;
    if (!rising && top->threads >= PLATEAU_MIN_MULTIPLIER * r->cores &&
        (knee <= 0 || top->threads >= PLATEAU_PAST_KNEE * knee))
        return 0; /* a plateau past the knee */
    double next = 2.0 * top->threads;
    if (coarse_usable(r) >= 2 && knee > next)
        next = fmin(round(knee), (double)COARSE_JUMP * top->threads);
    next = fmin(next, (double)rc->thread_cap);
    return next > top->threads ? (int)next : 0;
}

/* The next contender to repeat (index), or -1. */
static long next_rep(const struct race *rc)
{
    const struct tp_result *r = rc->r;
    long edge = -1;
    for (size_t i = 0; i < r->n_points && edge < 0; i++)
        if (reachable(rc, &r->points[i]))
            edge = (long)i;
    long order[3] = { r->best, edge, r->pick };
    for (int k = 0; k < 3; k++)
        if (order[k] >= 0 && !settled(rc, &r->points[order[k]]))
            return order[k];
    return -1;
}

static int is_new(const struct tp_result *r, int threads, int other)
{
    return threads >= 1 && threads != other && find(r, threads) < 0;
}

/* A size bisecting the edge, then the peak; 0 when both are fine enough. */
static int next_refine(const struct race *rc)
{
    const struct tp_result *r = rc->r;
    if (r->pick < 0 || r->best < 0)
        return 0;
    double res = r->resolution > 0 ? r->resolution : 0.1;
    const struct tp_point *pick = &r->points[r->pick], *best = &r->points[r->best];
    int below = 0;
    for (long i = r->pick - 1; i >= 0 && below == 0; i--)
        if (usable(&r->points[i]))
            below = r->points[i].threads;
    int gap_ok = (int)fmax(1.0, floor(res * pick->threads));
    if (pick->threads > 1 && pick->threads - below > gap_ok) {
        int mid = below == 0 ? pick->threads / 2 : below + (pick->threads - below) / 2;
        if (is_new(r, mid, pick->threads))
            return mid;
    }
    for (size_t i = (size_t)r->best + 1; i < r->n_points; i++) {
        const struct tp_point *up = &r->points[i];
        if (!usable(up))
            continue;
        int gap = up->threads - best->threads, mid = best->threads + gap / 2;
        if (!up->in_band && gap > (int)fmax(1.0, floor(res * best->threads)) && is_new(r, mid, up->threads))
            return mid;
        break;
    }
    return 0;
}

/* A rule-of-thumb size to measure, or 0. */
static int next_rule(const struct race *rc)
{
    if (!rc->opts->include_rules || rc->opts->executor != TP_EXECUTOR_POOL)
        return 0;
    for (size_t k = 0; k < tp_n_rule_specs; k++) {
        if (!tp_rule_applies(&tp_rule_specs[k], rc->r->rule_kinds)) /* the sweep's and the workload's */
            continue;
        int t = tp_rule_threads_for(&tp_rule_specs[k], rc->r->cores, &rc->r->workload);
        if (t <= rc->thread_cap && find(rc->r, t) < 0)
            return t;
    }
    return 0;
}

/* Marks the points at rule-of-thumb sizes. */
static void mark_rules(struct tp_result *r)
{
    for (size_t k = 0; k < tp_n_rule_specs; k++) {
        long at = find(r, tp_rule_threads_for(&tp_rule_specs[k], r->cores, &r->workload));
        if (tp_rule_applies(&tp_rule_specs[k], r->rule_kinds) && at >= 0)
            r->points[at].origin |= TP_ORIGIN_RULE;
    }
}

/* ---- the loop ---- */

/* Places a new point and visits it; 0 when nothing could be placed. */
static int new_point(struct race *rc, int threads, unsigned origin, int *rc_out)
{
    int left = rc->max_runs - rc->spent;
    long at = insert(rc, threads, origin);
    if (at < 0)
        return 0;
    *rc_out = visit(rc, (size_t)at, left < TP_RACE_FIRST_REPS ? left : TP_RACE_FIRST_REPS);
    return 1;
}

/* One action; returns 1 when one was taken, 0 when the race is over. */
static int step(struct race *rc, int *rc_out)
{
    if (rc->opts->cancel != NULL && *rc->opts->cancel) {
        *rc_out = TP_ECANCELED;
        return 0;
    }
    analyze(rc);
    if (rc->spent >= rc->max_runs) {
        rc->cut = next_rep(rc) >= 0 || !rc->coarse_done || next_refine(rc) > 0 || next_rule(rc) > 0;
        return 0;
    }
    if (!rc->coarse_done) {
        int t = next_coarse(rc);
        if (t > 0) {
            rc->coarse_top = t;
            return new_point(rc, t, TP_ORIGIN_COARSE, rc_out) || (rc->coarse_done = 1);
        }
        rc->coarse_done = 1;
    }
    long i = next_rep(rc);
    if (i >= 0) {
        *rc_out = visit(rc, (size_t)i, 1);
        return 1;
    }
    int t = next_refine(rc);
    if (t > 0)
        return new_point(rc, t, TP_ORIGIN_REFINE, rc_out);
    t = next_rule(rc);
    if (t > 0)
        return new_point(rc, t, TP_ORIGIN_RULE, rc_out);
    return 0;
}

int tp__race_run(const struct tp_sweep_opts *opts, struct tp_result *out, struct tp_source src, uint64_t t0)
{
    int cap_threads = opts->max_threads > 0 ? opts->max_threads : tp__threads_for(COARSE_MAX_MULTIPLIER, out->cores);
    struct race rc = {
        .opts = opts,
        .r = out,
        .src = src,
        .cap = out->n_points,
        .max_runs = opts->max_runs > 0 ? opts->max_runs : TP_RACE_DEFAULT_MAX_RUNS,
        .per_point_max = out->repeat_max > 0 && out->repeat_max <= TP_MAX_REPS ? out->repeat_max : 10,
        .thread_cap = cap_threads,
        .target = opts->target_ci > 0 ? opts->target_ci : TP_RACE_TARGET_CI,
        .z = tp__race_z(tp__effective_confidence(opts->confidence)),
        .t0 = t0,
    };
    int rc_out = 0;
    while (rc_out == 0 && step(&rc, &rc_out))
        ;
    mark_rules(out);
    out->target_ci = rc.target;
    out->max_runs = rc.max_runs;
    out->runs_spent = rc.spent;
    out->budget_hit = rc.cut;
    return rc_out;
}
