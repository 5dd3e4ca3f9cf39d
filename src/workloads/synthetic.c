/* synthetic.c - the synthetic kinds io, cpu, mixed and noop (on pool workers and on the event loops) and their real CPU work and real waits. */

/*
 * DESIGN
 * On a pool worker a task blocks for its wait (clock_nanosleep) and burns
 * its CPU time on the worker. On the async executor (exec/evloop.h) the
 * same task is steps on a loop thread, which never blocks:
 *   io     start: ask for a timer at start + latency_ns (the wait needs no
 *          core); when it expires: compute_ns of CPU on the loop, done.
 *          Without a wait it computes at once.
 *   mixed  an io task as above (wait only), a cpu task computes at once;
 *          the same tasks wait as on the pool (tp__mixed_is_io).
 *   cpu    computes at once (the loops are then just one thread per core).
 *   noop   done at once: what is measured is the loop's own overhead.
 * Each loop counts on its own per-thread state (tp__wthread), made on the
 * loop thread by loop_init as a pool worker's is by on_thread_start.
 */
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "evloop.h"
#include "registry.h"
#include "synthetic.h"
#include "vec.h"
#include "workload.h"

/* Longest single wait or compute a task may ask for: one minute. */
#define MAX_TASK_NS TP_MAX_TASK_NS

uint64_t tp__burn_cpu_ns(uint64_t ns)
{
    /* DESIGN
     * The burn runs a number of xorshift64* steps (integer work the compiler
     * cannot fold away, no memory traffic) computed from a calibrated rate,
     * steps per ns of thread CPU time, instead of reading the thread's CPU
     * clock in a loop until the budget is spent: that clock is a system call
     * (about 1.4 us on a VM), and the handful of reads each task made cost a
     * 100 us task 2-4% more. A fixed number of steps costs the same CPU time
     * whether or not the thread is preempted meanwhile (waiting for a core
     * costs none), so under oversubscription a task still costs the CPU it
     * asks for and only takes longer in wall time. Every timing is on the
     * thread CPU clock, which does not count preempted time either.
     *   The rate is measured once per process (the first burn pays about
     * 1 ms for it) over trials whose clock cost, the median of a few
     * back-to-back reads, is subtracted. But on a VM the CPU time one step is
     * charged drifts by several percent over seconds (interrupts, the host's
     * sharing of the core), so a thread re-times one burn whenever it has
     * burnt RECHECK_NS untimed since the last (every burn of 1 ms or more,
     * one in four of 100 us): that burn's two clock reads are paid out of its
     * own budget, its timing gives the thread's new rate, and what the
     * untimed burns since cost at that rate beyond (or short of) what they
     * asked is a debt the next timed burn settles. The mean cost per burn is
     * thus what was asked; one burn is off by at most the drift since the
     * last timing. Burns too short to time (under TIMED_MIN_NS) use the rate
     * as it is. The process-wide rate and clock cost are relaxed atomics
     * written once; the rest is the thread's own. */
    static const double TRIAL_NS = 200000, RECHECK_NS = 400000, TIMED_MIN_NS = 20000;
    static _Atomic double process_rate;   /* steps per ns; 0 until calibrated */
    static _Atomic double clock_gap_ns;   /* a timing's own cost inside its window (two reads' halves) */
    static _Atomic double clock_read_ns;  /* the CPU one read costs */
    static _Thread_local struct {
        double rate, gap, read;           /* 0 until the thread's first burn */
        double pending_ns, pending_steps; /* untimed burns since the last timed one */
        double debt_ns;                   /* what the burns so far cost less than asked */
    } me;
#define BURN_STEPS(n)                                                                                          \
    for (uint64_t i_ = 0; i_ < (n); i_++) {                                                                  \
        x ^= x >> 12;                                                                                          \
        x ^= x << 25;                                                                                          \
        x ^= x >> 27;                                                                                          \
        x *= 0x2545f4914f6cdd1dull;                                                                            \
    }
    uint64_t x = 0x9e3779b97f4a7c15ull ^ ns, c0, steps;
    double used;
    if (!(me.rate > 0)) {
        me.rate = atomic_load_explicit(&process_rate, memory_order_relaxed);
        me.gap = atomic_load_explicit(&clock_gap_ns, memory_order_relaxed);
        me.read = atomic_load_explicit(&clock_read_ns, memory_order_relaxed);
    }
    if (!(me.rate > 0)) { /* calibrate: the clock's costs, then the rate over trials of TRIAL_NS */
        double pair[9];
        for (int i = 0; i < 9; i++) {
            c0 = tp__thread_cpu_ns();
            pair[i] = (double)(tp__thread_cpu_ns() - c0);
        }
        for (int i = 1; i < 9; i++) /* insertion sort: the median of nine */
            for (int j = i; j > 0 && pair[j - 1] > pair[j]; j--) {
                double t = pair[j];
                pair[j] = pair[j - 1];
                pair[j - 1] = t;
            }
        me.gap = pair[4];
        c0 = tp__thread_cpu_ns();
        for (int i = 0; i < 64; i++)
            (void)tp__thread_cpu_ns();
        me.read = fmax(((double)(tp__thread_cpu_ns() - c0) - me.gap) / 64, me.gap / 2);
        steps = 1024;
        do { /* double the trial until it lasts TRIAL_NS; then three more, the mean rate */
            c0 = tp__thread_cpu_ns();
            BURN_STEPS(steps);
            used = (double)(tp__thread_cpu_ns() - c0) - me.gap;
        } while (used < TRIAL_NS && (steps *= 2) < (1ull << 40));
        c0 = tp__thread_cpu_ns();
        BURN_STEPS(3 * steps);
        used = (double)(tp__thread_cpu_ns() - c0) - me.gap;
        me.rate = used > 0 ? 3.0 * (double)steps / used : (double)steps / TRIAL_NS;
        atomic_store_explicit(&clock_gap_ns, me.gap, memory_order_relaxed);
        atomic_store_explicit(&clock_read_ns, me.read, memory_order_relaxed);
        atomic_store_explicit(&process_rate, me.rate, memory_order_relaxed);
    }
    if (ns < TIMED_MIN_NS || me.pending_ns + (double)ns < RECHECK_NS) {
        steps = (uint64_t)llround((double)ns * me.rate);
        BURN_STEPS(steps);
        me.pending_ns += (double)ns;
        me.pending_steps += (double)steps;
#undef BURN_STEPS
        return x;
    }
    /* The timed burn: its budget settles the debt (within half to twice its
     * own length) and pays for the two clock reads. */
    double budget = fmin(fmax((double)ns + me.debt_ns, 0.5 * (double)ns), 2.0 * (double)ns);
    me.debt_ns -= budget - (double)ns;
    steps = (uint64_t)llround(fmax(budget - 2 * me.read, 0) * me.rate);
    c0 = tp__thread_cpu_ns();
    for (uint64_t i_ = 0; i_ < steps; i_++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x *= 0x2545f4914f6cdd1dull;
    }
    double work = (double)(tp__thread_cpu_ns() - c0) - me.gap;
    if (work > 0 && steps > 0) {
        double rate = (double)steps / work;
        /* The untimed burns since the last timing, at the rate found now, and this one (its work
         * and its two reads). */
        me.debt_ns += me.pending_ns - me.pending_steps / rate + budget - (work + 2 * me.read);
        me.rate = rate;
    }
    me.pending_ns = me.pending_steps = 0;
    return x;
}

void tp__block_ns(uint64_t ns)
{
    if (ns == 0)
        return;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t nsec = (uint64_t)deadline.tv_nsec + ns;
    deadline.tv_sec += (time_t)(nsec / 1000000000u);
    deadline.tv_nsec = (long)(nsec % 1000000000u);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
        ;
}

/* Keeps the result of the computation observable. Relaxed: only its
 * existence matters, not its value. */
static _Atomic uint64_t burn_sink;

static void sink(uint64_t v) { atomic_fetch_xor_explicit(&burn_sink, v, memory_order_relaxed); }

/* Whether task index is an IO task: a hash of the index against the
 * fraction, so the two kinds interleave evenly and every run is the same. */
int tp__mixed_is_io(double fraction, uint64_t index)
{
    double u = (double)(tp__mix64(index ^ 0x6d69786564ull) >> 11) * 0x1.0p-53;
    return u < fraction;
}

static int no_setup(struct tp__workload *w)
{
    w->state = NULL;
    return 0;
}

static void no_teardown(struct tp__workload *w) { (void)w; }

/* ---- validate, describe ---- */

static int io_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    if (p->latency_ns > MAX_TASK_NS || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    if (p->latency_ns == 0 && p->compute_ns == 0)
        return -EINVAL;
    return 0;
}

static int cpu_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    if (p->compute_ns == 0 || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    return 0;
}

static int mixed_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    double f = p->io_fraction;
    if (!isfinite(f) || f < 0 || f > 1)
        return -EINVAL;
    if (p->latency_ns > MAX_TASK_NS || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    if (f > 0 && p->latency_ns == 0) {
        if (err != NULL)
            snprintf(err, errlen, "--latency: the mixed workload's waiting tasks need a wait (e.g. 2ms)");
        return -EINVAL;
    }
    if (f < 1 && p->compute_ns == 0) {
        if (err != NULL)
            snprintf(err, errlen, "--compute: the mixed workload's computing tasks need CPU time (e.g. 100us)");
        return -EINVAL;
    }
    return 0;
}

static int mixed_check_options(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen)
{
    (void)latency_given;
    return mixed_validate(p, err, errlen);
}

static int noop_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    (void)p;
    (void)err;
    (void)errlen;
    return 0;
}

static void io_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char a[32], b[32];
    tp__workload_fmt_ns(a, sizeof a, p->latency_ns);
    tp__workload_fmt_ns(b, sizeof b, p->compute_ns);
    snprintf(buf, len, "io: wait %s + compute %s per task", a, b);
}

static void cpu_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char b[32];
    tp__workload_fmt_ns(b, sizeof b, p->compute_ns);
    snprintf(buf, len, "cpu: compute %s per task", b);
}

static void mixed_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char a[32], b[32];
    tp__workload_fmt_ns(a, sizeof a, p->latency_ns);
    tp__workload_fmt_ns(b, sizeof b, p->compute_ns);
    snprintf(buf, len, "mixed: %g%% of the tasks wait %s, %g%% compute %s", 100 * p->io_fraction, a,
             100 * (1 - p->io_fraction), b);
}

static void noop_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "noop: empty tasks (the pool's own overhead)");
}

static int mixed_report_json(json_t *wl, const struct tp_workload_params *p)
{
    return json_object_set_new(wl, "io_fraction", json_real(p->io_fraction)) != 0 ? -1 : 0;
}

/* ---- tasks on a pool worker ---- */

static void io_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    tp__block_ns(w->params.latency_ns);
    if (w->params.compute_ns > 0)
        sink(tp__burn_cpu_ns(w->params.compute_ns));
    tp__wthread_count(tp__wthread_get(w), 1, 0);
}

static void cpu_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    sink(tp__burn_cpu_ns(w->params.compute_ns));
    tp__wthread_count(tp__wthread_get(w), 1, 0);
}

static void mixed_task(struct tp__workload *w, uint64_t index)
{
    if (tp__mixed_is_io(w->params.io_fraction, index))
        tp__block_ns(w->params.latency_ns);
    else
        sink(tp__burn_cpu_ns(w->params.compute_ns));
    tp__wthread_count(tp__wthread_get(w), 1, 0);
}

static void noop_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    tp__wthread_count(tp__wthread_get(w), 1, 0);
}

/* ---- tasks on an event loop ---- */

/* One loop's view: the workload and the loop thread's counters. */
struct synth_loop {
    const struct tp__workload *w;
    struct tp__wthread *wt;
};

static int synth_loop_init(void *ctx, int loop_index, void **loop)
{
    struct synth_loop *l = malloc(sizeof(*l));
    if (l == NULL)
        return -ENOMEM;
    struct tp__workload *w = ctx;
    tp__workload_thread_start(w, loop_index);
    l->w = w;
    l->wt = tp__wthread_get(w);
    *loop = l;
    return 0;
}

static void synth_loop_fini(void *loop) { free(loop); }

static void async_compute(uint64_t ns)
{
    if (ns > 0)
        sink(tp__burn_cpu_ns(ns));
}

/* A task that waits: its timer at the end of the wait. */
static enum tp__evloop_next wait_for(const struct synth_loop *l, uint64_t now_ns, uint64_t *deadline_ns)
{
    *deadline_ns = now_ns + l->w->params.latency_ns;
    return TP__EVLOOP_TIMER;
}

static enum tp__evloop_next io_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)task;
    (void)index;
    struct synth_loop *l = loop;
    if (l->w->params.latency_ns > 0)
        return wait_for(l, now_ns, deadline_ns);
    async_compute(l->w->params.compute_ns);
    tp__wthread_count(l->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

/* io: the wait is over, the compute follows on the loop. */
static enum tp__evloop_next io_resume(void *loop, void *task, uint32_t events, uint64_t *deadline_ns)
{
    (void)task;
    (void)events;
    (void)deadline_ns;
    struct synth_loop *l = loop;
    async_compute(l->w->params.compute_ns);
    tp__wthread_count(l->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

static enum tp__evloop_next mixed_start(void *loop, void *task, uint64_t index, uint64_t now_ns,
                                        uint64_t *deadline_ns)
{
    (void)task;
    struct synth_loop *l = loop;
    if (tp__mixed_is_io(l->w->params.io_fraction, index))
        return wait_for(l, now_ns, deadline_ns);
    async_compute(l->w->params.compute_ns);
    tp__wthread_count(l->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

/* mixed: a waiting task only waits. */
static enum tp__evloop_next mixed_resume(void *loop, void *task, uint32_t events, uint64_t *deadline_ns)
{
    (void)task;
    (void)events;
    (void)deadline_ns;
    tp__wthread_count(((struct synth_loop *)loop)->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

static enum tp__evloop_next cpu_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)task;
    (void)index;
    (void)now_ns;
    (void)deadline_ns;
    struct synth_loop *l = loop;
    async_compute(l->w->params.compute_ns);
    tp__wthread_count(l->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

static enum tp__evloop_next noop_start(void *loop, void *task, uint64_t index, uint64_t now_ns,
                                       uint64_t *deadline_ns)
{
    (void)task;
    (void)index;
    (void)now_ns;
    (void)deadline_ns;
    tp__wthread_count(((struct synth_loop *)loop)->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

static const struct tp__evloop_task_ops io_async = {
    .loop_init = synth_loop_init, .start = io_start, .resume = io_resume, .loop_fini = synth_loop_fini,
};
static const struct tp__evloop_task_ops mixed_async = {
    .loop_init = synth_loop_init, .start = mixed_start, .resume = mixed_resume, .loop_fini = synth_loop_fini,
};
static const struct tp__evloop_task_ops cpu_async = {
    .loop_init = synth_loop_init, .start = cpu_start, .loop_fini = synth_loop_fini,
};
static const struct tp__evloop_task_ops noop_async = {
    .loop_init = synth_loop_init, .start = noop_start, .loop_fini = synth_loop_fini,
};

/* ---- the kinds ---- */

static const struct tp_workload_option mixed_options[] = {
    {.name = "io-fraction", .type = TP_OPTION_FRACTION, .min = 0, .max = 1,
     .expected = "a number from 0 to 1, e.g. 0.5", .value_name = "F",
     .help = "mixed: share of the tasks that wait, 0..1",
     .offset = offsetof(struct tp_workload_params, io_fraction),
     .field_size = sizeof(((struct tp_workload_params *)0)->io_fraction)},
};

const struct tp__workload_ops tp__workload_io_ops = {
    .kind = TP_WORKLOAD_IO, .name = "io", .validate = io_validate, .describe = io_describe,
    .setup = no_setup, .task = io_task, .teardown = no_teardown, .async = &io_async,
    .work_noun = "waits+computes",
};

const struct tp__workload_ops tp__workload_cpu_ops = {
    .kind = TP_WORKLOAD_CPU, .name = "cpu", .validate = cpu_validate, .describe = cpu_describe,
    .setup = no_setup, .task = cpu_task, .teardown = no_teardown, .async = &cpu_async,
    .work_noun = "computes",
};

const struct tp__workload_ops tp__workload_mixed_ops = {
    .kind = TP_WORKLOAD_MIXED, .name = "mixed", .options = mixed_options,
    .n_options = TP__ARRAY_LEN(mixed_options), .check_options = mixed_check_options,
    .validate = mixed_validate, .describe = mixed_describe, .setup = no_setup, .task = mixed_task,
    .teardown = no_teardown, .async = &mixed_async, .report_json = mixed_report_json,
};

const struct tp__workload_ops tp__workload_noop_ops = {
    .kind = TP_WORKLOAD_NOOP, .name = "noop", .check_options = tp__workload_refuse_latency,
    .validate = noop_validate, .describe = noop_describe, .setup = no_setup, .task = noop_task,
    .teardown = no_teardown, .async = &noop_async, .empty_task = 1,
};

int tp_workload_io_task(uint64_t wait_ns, uint64_t compute_ns)
{
    if (wait_ns > MAX_TASK_NS || compute_ns > MAX_TASK_NS)
        return -EINVAL;
    tp__block_ns(wait_ns);
    if (compute_ns > 0)
        sink(tp__burn_cpu_ns(compute_ns));
    return 0;
}
