/* control.c - the online controller: a pool size from windows of the pool's own counters. */

/*
 * DESIGN
 *
 * A model proposes, a measurement disposes.
 *
 * Model. Each window gives, per finished task: R, the time inside the task;
 * q, the time its worker sat runnable on a run queue (schedstat); C, the
 * workers' CPU time. R - q is the task's time when it had the CPU whenever it
 * wanted it, the uncontended residence W + C. By Little's law a pool whose
 * workers are all busy completes at most cores / C tasks a second, and needs
 * cores x (R - q) / C workers to do it: the knee. When the workers are not
 * all busy (demand below the ceiling), the knee is the concurrency the
 * demand X needs: X x (R - q). The target is headroom x knee (1.2: just
 * past the knee the curve is still bending, see the offline sweeps). Because
 * q is subtracted, the knee does not grow when the pool is too big: a pool
 * at 4 x the knee sees R grow 4 x, q absorbs it, the knee stays put. That is
 * the upward drift of latency-driven limiters, removed at its source.
 *
 * Measurement. The model can be wrong: a wait that is itself a queue (a
 * database with 16 connections, a lock) grows with the threads, and C can
 * grow with contention. So every move is an experiment: the window after a
 * move is dropped (threads starting, tasks in flight at the old size), the
 * next VERIFY_WINDOWS are averaged and compared with the throughput before.
 *   - A move up must earn at least UP_PAYOFF of the gain the model
 *     predicted (when it predicted one beyond the noise), and must not lose
 *     throughput. Otherwise the size goes back and the midpoint becomes an
 *     upper bound (a cap): the next try can only go half as far. Without
 *     run-queue times (runq_known = 0) R - q is R, and a pool past its knee
 *     measures a knee equal to its own size: headroom x knee would climb by
 *     headroom at every move, each one costing nothing. There a move up that
 *     the model gave no gain beyond the noise must show one.
 *   - A move down (the model's, or a probe) must not lose more than the
 *     noise allows; otherwise it goes back and the midpoint becomes a floor.
 *   - Once settled (SETTLED_WINDOWS holds in a row), one probe tries
 *     size / headroom, the knee itself: when it is as good, the pool keeps
 *     the smaller size and caps there (fewest threads that do the work,
 *     as the offline pick).
 * Bounds are forgotten when the workload changes (below) or after cap_ttl_s,
 * and bounds learnt while the demand limited the pool (busy share under
 * BUSY_BACKLOGGED) are forgotten once the pool is saturated (busy share
 * BUSY_SATURATED; the gap keeps noise from doing it): the demand has
 * outgrown them (a probe's cap from a quiet period would otherwise hold the
 * pool under a rising demand for cap_ttl_s).
 *
 * Change. While holding, a window whose R - q or C differs from the held
 * average by more than CHANGE_RATIO (either way) is a new workload: the
 * estimates restart from that window, the bounds are dropped, and the move
 * waits for the next window that agrees with it (the changing window may
 * straddle the change), then needs no further confirmation. Back at the old
 * size after a revert, R - q or C off by CHANGE_RATIO from before the move
 * means the workload changed during the experiment: its bound is dropped. Otherwise a move needs CONFIRM windows in a
 * row pointing the same way beyond the deadband, and is at most max_step
 * times the size. That, the deadband and the averaged estimates are what
 * keep it from thrashing.
 *
 * Baseline. The throughput before a move is the held average, but never
 * more than the CPU ceiling cores / C: right after a change of the wait,
 * tasks whose CPU was spent earlier finish in a burst and a window can
 * report more, which no size can repeat.
 *
 * Noise. The relative deviation of each held window's throughput from the
 * held average, smoothed (NOISE_GAIN; the first deviation replaces
 * INITIAL_NOISE only upward). A verdict on a model's move has the tolerance
 * max(MIN_TOLERANCE, NOISE_SIGMAS x noise x sqrt(1 / VERIFY_WINDOWS + v)),
 * where v is the variance factor of the baseline it is judged against (the
 * EWMA of the k windows held before the move: 1 for a single window, toward
 * EST_GAIN / (2 - EST_GAIN) for many): both sides are noisy. Counting the
 * new size's mean alone would revert 4 to 7 % of the model's free moves
 * down (tests/test_control.c, 2 % noise), each leaving a floor at the midpoint
 * for cap_ttl_s. A probe keeps max(MIN_TOLERANCE, NOISE_SIGMAS x noise /
 * sqrt(VERIFY_WINDOWS)): reverting one wrongly costs nothing. A model's move
 * that loses less than twice its tolerance is measured VERIFY_WINDOWS
 * windows longer (the 1 / VERIFY_WINDOWS term becoming 1 / (2 x
 * VERIFY_WINDOWS)) before it is judged again, for good.
 *
 * Nothing here reads a clock or holds a lock: the caller owns the windows.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

#define DEFAULT_HEADROOM 1.2
#define DEFAULT_DEADBAND 0.1
#define DEFAULT_MAX_STEP 4.0
#define DEFAULT_MIN_WINDOW_S 0.1
#define DEFAULT_MIN_TASKS 20.0
#define DEFAULT_MAX_WINDOW_S 1.0
#define DEFAULT_CAP_TTL_S 30.0

#define BUSY_BACKLOGGED 0.9 /* workers busy at least this share: demand exceeds the pool */
#define BUSY_SATURATED 0.95 /* ... and clearly so: bounds learnt under the demand are void */
#define EST_GAIN 0.5        /* EWMA weight of a new window in the held estimates */
#define NOISE_GAIN 0.25     /* EWMA weight of a window's deviation in the noise */
#define INITIAL_NOISE 0.02  /* noise assumed before two held windows exist */
#define MIN_TOLERANCE 0.03  /* a verdict never trusts a difference under 3 % */
#define NOISE_SIGMAS 3.0
#define VERIFY_WINDOWS 2  /* windows averaged to judge a move */
#define UP_PAYOFF 0.25    /* share of the predicted gain a move up must deliver */
#define CHANGE_RATIO 1.3  /* R - q or C off by this factor: a new workload */
#define CONFIRM 2         /* windows in a row before a move */
#define SETTLED_WINDOWS 3 /* holds in a row before the probe */

enum phase {
    PH_HOLD,
    PH_SETTLE,
    PH_VERIFY,
};

enum move_kind {
    MV_MODEL,
    MV_PROBE,
    MV_REVERT,
};

struct tp_ctl {
    struct tp_ctl_params p;
    int n; /* the size now */
    enum phase phase;
    double t; /* sum of the windows fed */

    /* The window being collected. */
    struct tp_ctl_obs acc;

    /* Held estimates at size n (reset on every move). */
    int n_held;         /* windows averaged */
    double r_eff, c, x; /* EWMA of R - q, C, throughput */
    double busy;        /* EWMA of the busy share */
    double noise;       /* EWMA of |x_window / x - 1|, kept across moves */
    int n_noise;

    /* Deciding. */
    int streak;  /* windows in a row asking to move, signed by direction */
    int changed; /* a change was just seen: the next move needs no confirmation */
    int settled; /* holds in a row within the deadband */
    int probed;  /* the probe was done for this workload */

    /* The move under test. */
    enum move_kind kind;
    int n0;
    double x0, x_pred;
    int n_base;     /* windows behind x0 */
    double r0, c0;  /* the estimates at n0 before the move (R - q, C) */
    int check_back; /* back at n0 after a revert: compare with r0, c0 */
    double v_sum;
    int v_n;

    /* Learnt bounds (0 = none) and when they were learnt. */
    int cap_hi, floor_lo;
    double bound_t;
    int bound_backlogged; /* the pool was backlogged when they were learnt */
    int runq_known;       /* the last whole window had run-queue times */
};

const char *tp_ctl_action_name(enum tp_ctl_action a)
{
    switch (a) {
    case TP_CTL_COLLECT: return "collect";
    case TP_CTL_HOLD: return "hold";
    case TP_CTL_MOVE: return "move";
    case TP_CTL_PROBE: return "probe";
    case TP_CTL_SETTLE: return "settle";
    case TP_CTL_VERIFY: return "verify";
    case TP_CTL_ACCEPT: return "accept";
    case TP_CTL_REVERT: return "revert";
    case TP_CTL_CHANGE: return "change";
    }
    return "unknown";
}

void tp_ctl_params_defaults(struct tp_ctl_params *p)
{
    if (p->headroom == 0)
        p->headroom = DEFAULT_HEADROOM;
    if (p->deadband == 0)
        p->deadband = DEFAULT_DEADBAND;
    if (p->max_step == 0)
        p->max_step = DEFAULT_MAX_STEP;
    if (p->min_window_s == 0)
        p->min_window_s = DEFAULT_MIN_WINDOW_S;
    if (p->min_tasks == 0)
        p->min_tasks = DEFAULT_MIN_TASKS;
    if (p->max_window_s == 0)
        p->max_window_s = DEFAULT_MAX_WINDOW_S;
    if (p->cap_ttl_s == 0)
        p->cap_ttl_s = DEFAULT_CAP_TTL_S;
}

static int params_ok(const struct tp_ctl_params *p)
{
    return p->min_threads >= 1 && p->max_threads >= p->min_threads && isfinite(p->cores) && p->cores > 0 &&
           p->headroom >= 1 && p->headroom <= 4 && p->deadband >= 0 && p->deadband < 1 && p->max_step > 1 &&
           p->min_window_s > 0 && p->max_window_s >= p->min_window_s && p->min_tasks >= 1 && p->cap_ttl_s > 0;
}

int tp_ctl_create(struct tp_ctl **out, const struct tp_ctl_params *params, int start_threads)
{
    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (params == NULL)
        return -EINVAL;
    struct tp_ctl_params p = *params;
    tp_ctl_params_defaults(&p);
    if (!params_ok(&p) || start_threads < p.min_threads || start_threads > p.max_threads)
        return -EINVAL;
    struct tp_ctl *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -ENOMEM;
    c->p = p;
    c->n = start_threads;
    c->phase = PH_HOLD;
    c->noise = INITIAL_NOISE;
    c->changed = 1; /* nothing is known yet: the first estimate may move at once */
    *out = c;
    return 0;
}

void tp_ctl_destroy(struct tp_ctl *ctl) { free(ctl); }

void tp__ctl_limit(struct tp_ctl *c, int max_threads)
{
    if (max_threads < c->p.min_threads)
        max_threads = c->p.min_threads;
    c->p.max_threads = max_threads;
    if (c->n > max_threads) {
        /* A move cut short: it is judged on the gain the model predicts for
         * the size reached (below the knee the gain grows in proportion to
         * the threads added), not for the size it could not start. */
        if (c->phase != PH_HOLD && c->kind != MV_REVERT && c->n > c->n0 && max_threads > c->n0)
            c->x_pred = c->x0 + (c->x_pred - c->x0) * (max_threads - c->n0) / (double)(c->n - c->n0);
        c->n = max_threads;
    }
}

static int clamp_int(double v, int lo, int hi)
{
    if (!(v > lo))
        return lo;
    if (v >= hi)
        return hi;
    return (int)ceil(v);
}

/* The verdict's tolerance for the move under test (DESIGN: Noise). */
static double tolerance(const struct tp_ctl *c)
{
    double n = c->v_n > VERIFY_WINDOWS ? c->v_n : VERIFY_WINDOWS; /* windows averaged at the new size */
    if (c->kind == MV_PROBE) /* a probe's false revert costs nothing: the burden stays on the smaller pool */
        return fmax(MIN_TOLERANCE, NOISE_SIGMAS * c->noise / sqrt(n));
    /* Variance factor of an EWMA of k windows: r + (1 - r) (1 - g)^(2 (k - 1)), r = g / (2 - g). */
    double r = EST_GAIN / (2 - EST_GAIN);
    int k = c->n_base > 1 ? c->n_base : 1;
    double v = r + (1 - r) * pow(1 - EST_GAIN, 2.0 * (k - 1));
    return fmax(MIN_TOLERANCE, NOISE_SIGMAS * c->noise * sqrt(1.0 / n + v));
}

/* The size bounds now: the parameters narrowed by the learnt bounds. */
static void bounds(const struct tp_ctl *c, int *lo, int *hi)
{
    *lo = c->p.min_threads;
    *hi = c->p.max_threads;
    if (c->floor_lo > *lo)
        *lo = c->floor_lo < *hi ? c->floor_lo : *hi;
    if (c->cap_hi > 0 && c->cap_hi < *hi)
        *hi = c->cap_hi > *lo ? c->cap_hi : *lo;
}

static void forget_bounds(struct tp_ctl *c)
{
    c->cap_hi = 0;
    c->floor_lo = 0;
}

/* Starts a move to n1 of the given kind. */
static void start_move(struct tp_ctl *c, int n1, enum move_kind kind, double x_pred)
{
    c->kind = kind;
    c->n0 = c->n;
    c->x0 = c->x;
    /* No window can complete more than cores / C tasks a second in steady
     * state: more is tasks whose CPU was spent before the window finishing
     * in a burst (right after a change of the wait). Such a baseline would
     * fail any move judged against it. */
    if (c->c > 0 && c->x0 > c->p.cores / c->c)
        c->x0 = c->p.cores / c->c;
    c->x_pred = x_pred;
    c->n_base = c->n_held;
    if (kind != MV_REVERT) {
        c->r0 = c->r_eff;
        c->c0 = c->c;
    }
    c->check_back = kind == MV_REVERT;
    c->n = n1;
    c->phase = PH_SETTLE;
    c->v_sum = 0;
    c->v_n = 0;
    c->streak = 0;
    c->settled = 0;
    c->n_held = 0;
}

/* Throughput the model expects at n threads (the plant at its knee or below:
 * n / (R - q), at most the ceiling the demand or the CPU sets). */
static double predict(const struct tp_ctl *c, int n, double ceiling)
{
    double x = c->r_eff > 0 ? n / c->r_eff : 0;
    return x < ceiling ? x : ceiling;
}

/* Judges the move under test with the VERIFY_WINDOWS average x1. */
static void judge(struct tp_ctl *c, double x1, struct tp_ctl_step *st)
{
    double tol = tolerance(c);
    int up = c->n > c->n0;
    int ok;

    if (up) {
        double gain = c->x_pred - c->x0;
        ok = x1 >= c->x0 * (1 - tol);
        if (ok && gain > tol * c->x0)
            ok = x1 >= c->x0 + UP_PAYOFF * gain;
        else if (ok && !c->runq_known)
            ok = x1 >= c->x0 * (1 + tol); /* no q: the knee follows the size (DESIGN) */
    } else {
        ok = x1 >= c->x0 * (1 - tol);
    }
    if (!ok && c->kind != MV_PROBE && c->v_n < 2 * VERIFY_WINDOWS && x1 < c->x0 * (1 - tol) &&
        x1 >= c->x0 * (1 - 2 * tol)) {
        /* Grey zone: a model's move lost less than twice the tolerance. A
         * wrong revert leaves a bound for cap_ttl_s, so measure
         * VERIFY_WINDOWS more and judge the longer average. (A move up that
         * lost nothing but did not pay is not extended: more windows would
         * only lower the bar it failed.) */
        st->reason = "inconclusive: measuring longer";
        return;
    }
    if (ok) {
        st->action = TP_CTL_ACCEPT;
        st->reason = up ? "the larger pool delivers" : "the smaller pool does the same work";
        if (c->kind == MV_PROBE) {
            c->cap_hi = c->n; /* fewer threads did as well: stay at or under them */
            c->bound_t = c->t;
            c->bound_backlogged = c->busy >= BUSY_BACKLOGGED;
        }
        c->phase = PH_HOLD; /* the estimates at the new size continue from the verify windows */
        return;
    }
    int n1 = c->n;
    st->action = TP_CTL_REVERT;
    if (up) {
        st->reason = x1 < c->x0 * (1 - tol) ? "more threads lowered throughput" : "more threads did not pay";
        c->cap_hi = c->n0 + (n1 - c->n0) / 2;
        if (c->cap_hi < c->n0)
            c->cap_hi = c->n0;
    } else {
        st->reason = "fewer threads lowered throughput";
        c->floor_lo = n1 + (c->n0 - n1 + 1) / 2;
    }
    c->bound_t = c->t;
    c->bound_backlogged = c->busy >= BUSY_BACKLOGGED;
    double x0 = c->x0;
    start_move(c, c->n0, MV_REVERT, x0);
}

/* R - q or C off by CHANGE_RATIO either way: a new workload (DESIGN: Change). */
static int off_by_change_ratio(double ratio) { return ratio > CHANGE_RATIO || ratio < 1 / CHANGE_RATIO; }

/* Folds a held window into the estimates; returns 1 when it shows a new workload. */
static int fold(struct tp_ctl *c, double x, double r_eff, double cpu, double busy)
{
    if (c->n_held > 0) {
        if (off_by_change_ratio(r_eff / c->r_eff) || off_by_change_ratio(cpu / c->c)) {
            c->n_held = 0;
            c->changed = 1;
        }
    }
    if (c->n_held == 0) {
        int change = c->changed && c->n_noise > 0; /* the very first window is no change */
        c->r_eff = r_eff;
        c->c = cpu;
        c->x = x;
        c->busy = busy;
        c->n_held = 1;
        return change;
    }
    double dev = fabs(x / c->x - 1);
    /* The first deviation replaces INITIAL_NOISE only upward: alone it can be
     * ~0, and it would set the tolerance of the first verdicts. */
    c->noise = c->n_noise == 0 ? fmax(c->noise, dev) : (1 - NOISE_GAIN) * c->noise + NOISE_GAIN * dev;
    c->n_noise++;
    c->r_eff = (1 - EST_GAIN) * c->r_eff + EST_GAIN * r_eff;
    c->c = (1 - EST_GAIN) * c->c + EST_GAIN * cpu;
    c->x = (1 - EST_GAIN) * c->x + EST_GAIN * x;
    c->busy = (1 - EST_GAIN) * c->busy + EST_GAIN * busy;
    c->n_held++;
    return 0;
}

/* One whole window, as the model reads it (per finished task). */
struct window {
    double dt_s, tasks;
    double x;     /* throughput */
    double r_eff; /* R - q, at least C */
    double cpu;   /* C */
    double busy;  /* busy share of the workers */
};

/* Adds obs to the window being collected and fills st for a step that
 * decides nothing (the epilogue of tp_ctl_update completes it). */
static void collect(struct tp_ctl *c, const struct tp_ctl_obs *obs, struct tp_ctl_step *st)
{
    memset(st, 0, sizeof *st);
    c->t += obs->dt_s;
    c->acc.dt_s += obs->dt_s;
    c->acc.tasks += obs->tasks;
    c->acc.busy_s += obs->busy_s;
    c->acc.cpu_s += obs->cpu_s;
    c->acc.runq_s += obs->runq_s;
    c->acc.runq_tasks += obs->runq_tasks > 0 ? obs->runq_tasks : obs->tasks;
    c->acc.runq_known = obs->runq_known;
    st->t_s = c->t;
    st->threads_before = obs->threads;
    st->action = TP_CTL_COLLECT;
    st->reason = "collecting a window";
}

/* Resized by someone else (or a resize fell short): adopt the size and
 * treat the next window as the one after a move back. */
static void adopt_size(struct tp_ctl *c, int threads, struct tp_ctl_step *st)
{
    c->n = threads;
    c->phase = PH_SETTLE;
    c->kind = MV_REVERT;
    c->n_held = 0;
    c->streak = 0;
    memset(&c->acc, 0, sizeof c->acc);
    st->action = TP_CTL_SETTLE;
    st->reason = "the pool was resized from outside";
}

/* Observe: 1 when the collected window is long enough, and then the
 * window's estimates in *w (shown in st); the collection restarts. */
static int take_window(struct tp_ctl *c, struct window *w, struct tp_ctl_step *st)
{
    /* 1 % slack: a caller ticking every min_window_s wakes a hair early at times. */
    if (c->acc.dt_s < 0.99 * c->p.min_window_s || (c->acc.tasks < c->p.min_tasks && c->acc.dt_s < c->p.max_window_s))
        return 0;
    struct tp_ctl_obs a = c->acc;
    memset(&c->acc, 0, sizeof c->acc);
    double r = a.tasks > 0 ? a.busy_s / a.tasks : 0;
    double q = a.runq_tasks > 0 && a.runq_known ? a.runq_s / a.runq_tasks : 0;
    w->dt_s = a.dt_s;
    w->tasks = a.tasks;
    w->x = a.tasks / a.dt_s;
    w->cpu = a.tasks > 0 ? a.cpu_s / a.tasks : 0;
    w->r_eff = fmax(w->cpu, r - q);
    w->busy = a.busy_s / (a.dt_s * c->n);
    c->runq_known = a.runq_known;
    st->window_s = w->dt_s;
    st->tput = w->x;
    st->task_s = r;
    st->cpu_task_s = w->cpu;
    st->runq_task_s = q;
    st->wait_task_s = fmax(0, w->r_eff - w->cpu);
    st->busy = w->busy;
    return 1;
}

/* Drops the learnt bounds and the probe: what they were learnt on is gone. */
static void forget_learnt(struct tp_ctl *c)
{
    forget_bounds(c);
    c->probed = 0;
    c->settled = 0;
}

/* Estimate and detect a change while holding: folds w into the estimates;
 * 1 when the workload changed (DESIGN: Change). */
static int fold_held(struct tp_ctl *c, const struct window *w)
{
    int change = fold(c, w->x, w->r_eff, w->cpu, w->busy);
    if (c->check_back) {
        /* Back at n0 after a revert: the workload there should look as it
         * did before the move. If not, it changed during the experiment,
         * the verdict compared two workloads, and its bound is void. */
        c->check_back = 0;
        if (!change && (off_by_change_ratio(w->r_eff / c->r0) || off_by_change_ratio(w->cpu / c->c0))) {
            change = 1;
            c->changed = 1;
        }
    }
    return change;
}

/* Judge the pending move: a verify window is folded and counted; after
 * VERIFY_WINDOWS the verdict (judge). */
static void verify(struct tp_ctl *c, const struct window *w, struct tp_ctl_step *st)
{
    if (fold(c, w->x, w->r_eff, w->cpu, w->busy)) {
        /* The workload changed under the experiment: its verdict would
         * compare two workloads. Keep the size, drop the bounds, and let
         * the model decide again at once. */
        forget_learnt(c);
        c->phase = PH_HOLD;
        st->action = TP_CTL_CHANGE;
        st->reason = "workload changed during a verification: no verdict";
        return;
    }
    c->v_sum += w->x;
    c->v_n++;
    st->action = TP_CTL_VERIFY;
    st->reason = "measuring the new size";
    if (c->v_n >= VERIFY_WINDOWS)
        judge(c, c->v_sum / c->v_n, st);
}

/* Within the deadband: hold, and once settled probe the knee itself. */
static void hold_or_probe(struct tp_ctl *c, int lo, int hi, struct tp_ctl_step *st)
{
    c->streak = 0;
    c->changed = 0;
    c->settled++;
    st->action = TP_CTL_HOLD;
    st->reason = "within the deadband";
    int probe = clamp_int(c->n / c->p.headroom, lo, hi);
    if (!c->probed && c->settled >= SETTLED_WINDOWS && probe < c->n) {
        c->probed = 1;
        start_move(c, probe, MV_PROBE, c->x);
        st->action = TP_CTL_PROBE;
        st->reason = "probing the knee: is a smaller pool as good?";
    }
}

/* Decide the next move from the held estimates (DESIGN: Model). */
static void decide(struct tp_ctl *c, struct tp_ctl_step *st)
{
    int backlogged = c->busy >= BUSY_BACKLOGGED;
    if (c->busy >= BUSY_SATURATED && !c->bound_backlogged && (c->cap_hi || c->floor_lo))
        forget_learnt(c); /* learnt while the demand limited the pool: the demand has outgrown them */
    double ceiling = backlogged ? c->p.cores / c->c : c->x;
    double knee = ceiling * c->r_eff + (backlogged ? 0 : 1);
    int lo, hi;
    bounds(c, &lo, &hi);
    int target = clamp_int(c->p.headroom * knee, lo, hi);
    int step_hi = clamp_int(c->n * c->p.max_step, c->p.min_threads, c->p.max_threads);
    int step_lo = clamp_int(c->n / c->p.max_step, c->p.min_threads, c->p.max_threads);
    if (target > step_hi)
        target = step_hi;
    if (target < step_lo)
        target = step_lo;
    st->knee = knee;
    st->target = target;

    if (fabs((double)target - c->n) <= fmax(1.0, c->p.deadband * c->n)) {
        hold_or_probe(c, lo, hi, st);
        return;
    }
    c->settled = 0;
    int dir = target > c->n ? 1 : -1;
    c->streak = (c->streak * dir > 0) ? c->streak + dir : dir;
    if (abs(c->streak) < (c->changed ? 1 : CONFIRM)) {
        st->action = TP_CTL_HOLD;
        st->reason = "waiting for a second window to confirm";
        return;
    }
    c->changed = 0;
    start_move(c, target, MV_MODEL, predict(c, target, ceiling));
    st->action = TP_CTL_MOVE;
    st->reason = dir > 0 ? "the model's knee is higher" : "the model's knee is lower";
}

/* What a whole window w does, by phase. */
static void step_window(struct tp_ctl *c, const struct window *w, struct tp_ctl_step *st)
{
    if (c->bound_t > 0 && c->t - c->bound_t > c->p.cap_ttl_s && (c->cap_hi || c->floor_lo)) {
        forget_bounds(c);
        c->probed = 0;
    }
    if (w->tasks < 1 || !(w->cpu > 0)) {
        /* An idle window says nothing about the workload. */
        st->action = TP_CTL_HOLD;
        st->reason = "no task finished: nothing to learn";
        return;
    }
    switch (c->phase) {
    case PH_SETTLE:
        c->phase = c->kind == MV_REVERT ? PH_HOLD : PH_VERIFY;
        st->action = TP_CTL_SETTLE;
        st->reason = "window after a resize: not judged";
        return;
    case PH_VERIFY: verify(c, w, st); return;
    case PH_HOLD: break;
    }
    if (fold_held(c, w)) {
        /* The window that shows a change may straddle it: the estimates
         * restart from it, but the move waits for one window that agrees
         * with them (then without the usual confirmation). Moving on the
         * straddling window would size the pool, and judge the move,
         * against a mix of two workloads. */
        forget_learnt(c);
        c->streak = 0;
        st->action = TP_CTL_CHANGE;
        st->reason = "workload changed: waiting for a window of the new one";
        return;
    }
    decide(c, st);
}

int tp_ctl_update(struct tp_ctl *c, const struct tp_ctl_obs *obs, struct tp_ctl_step *st)
{
    if (c == NULL || obs == NULL || st == NULL || !(obs->dt_s >= 0) || !(obs->tasks >= 0) || !(obs->busy_s >= 0) ||
        !(obs->cpu_s >= 0) || !(obs->runq_s >= 0) || !(obs->runq_tasks >= 0) || obs->threads < 1)
        return -EINVAL;

    struct window w;
    collect(c, obs, st);
    if (obs->threads != c->n)
        adopt_size(c, obs->threads, st);
    else if (take_window(c, &w, st))
        step_window(c, &w, st);
    /* The state after this step. */
    st->threads = c->n;
    st->cap_hi = c->cap_hi;
    st->floor_lo = c->floor_lo;
    st->noise = c->noise;
    return c->n;
}
