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

/* DESIGN (the burn)
 * A task's compute is a number of xorshift64* steps (integer work the
 * compiler cannot fold away, no memory traffic) from a calibrated rate,
 * steps per ns of thread CPU time, instead of reading the thread's CPU
 * clock in a loop: that clock is a system call (about 1.4 us on a VM), and
 * the handful of reads per task made a 100 us task cost 2-5% more. Each
 * burn reads the clock twice, once at its start and once after the steps
 * the rate says fill its budget (less the one read that falls outside the
 * window), and tops up only if the steps fell short, so a burn never costs
 * less than asked and costs more only by the rate's error. A fixed number
 * of steps costs the same CPU whether or not the thread is preempted
 * meanwhile, so under oversubscription a task still costs the CPU it asks
 * for and only takes longer in wall time. The rate is calibrated once per
 * process (the first burn pays about 1 ms) and then followed per thread
 * from each long burn's own window (an exponential average), since on a VM
 * the CPU one step is charged drifts by a few percent over seconds. */

/* Burns shorter than this do not update the thread's rate (their window
 * is mostly clock reads). */
#define BURN_TRACK_MIN_NS 20000.0
/* The first chunk aims this much past the budget, so that a top-up (a
 * third clock read) is rare. */
#define BURN_AIM 1.002

static _Atomic double burn_rate;    /* steps per ns; 0 until calibrated (relaxed: written once, any value is valid) */
static _Atomic double burn_read_ns; /* the CPU one clock read costs */
static _Thread_local double thread_rate;

static uint64_t burn_steps(uint64_t x, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x *= 0x2545f4914f6cdd1dull;
    }
    return x;
}

static void sort_small(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* The clock's cost (the median of nine back-to-back pairs) and the rate
 * (the median of five trials of about 200 us each). */
static double burn_calibrate(uint64_t *x)
{
    double pair[9], trial[5];
    for (int i = 0; i < 9; i++) {
        uint64_t c0 = tp__thread_cpu_ns();
        pair[i] = (double)(tp__thread_cpu_ns() - c0);
    }
    sort_small(pair, 9);
    uint64_t n = 1024, c0;
    do { /* grow the trial until it takes about 200 us */
        c0 = tp__thread_cpu_ns();
        *x = burn_steps(*x, n);
        n *= 2;
    } while ((double)(tp__thread_cpu_ns() - c0) < 200000.0 && n < (1ull << 40));
    for (int i = 0; i < 5; i++) {
        c0 = tp__thread_cpu_ns();
        *x = burn_steps(*x, n);
        double t = (double)(tp__thread_cpu_ns() - c0) - pair[4];
        trial[i] = t > 0 ? (double)n / t : 0;
    }
    sort_small(trial, 5);
    atomic_store_explicit(&burn_read_ns, pair[4], memory_order_relaxed);
    atomic_store_explicit(&burn_rate, trial[2], memory_order_relaxed);
    return trial[2];
}

uint64_t tp__burn_cpu_ns(uint64_t ns)
{
    uint64_t x = 0x9e3779b97f4a7c15ull ^ ns;
    if (ns == 0)
        return x;
    double rate = thread_rate > 0 ? thread_rate : atomic_load_explicit(&burn_rate, memory_order_relaxed);
    if (!(rate > 0))
        rate = burn_calibrate(&x);
    double read = atomic_load_explicit(&burn_read_ns, memory_order_relaxed);
    double target = (double)ns - read, used = 0, aim = BURN_AIM;
    uint64_t c0 = tp__thread_cpu_ns(), done = 0;
    while (used < target) {
        uint64_t steps = (uint64_t)((target - used) * rate * aim) + 1;
        x = burn_steps(x, steps);
        done += steps;
        used = (double)(tp__thread_cpu_ns() - c0);
        aim = 1.0;
    }
    if ((double)ns >= BURN_TRACK_MIN_NS && used > read)
        thread_rate = 0.7 * rate + 0.3 * ((double)done / (used - read));
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

static enum tp__evloop_next mixed_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
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

static enum tp__evloop_next noop_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)task;
    (void)index;
    (void)now_ns;
    (void)deadline_ns;
    tp__wthread_count(((struct synth_loop *)loop)->wt, 1, 0);
    return TP__EVLOOP_DONE;
}

static const struct tp__evloop_task_ops io_async = {
    .loop_init = synth_loop_init,
    .start = io_start,
    .resume = io_resume,
    .loop_fini = synth_loop_fini,
};
static const struct tp__evloop_task_ops mixed_async = {
    .loop_init = synth_loop_init,
    .start = mixed_start,
    .resume = mixed_resume,
    .loop_fini = synth_loop_fini,
};
static const struct tp__evloop_task_ops cpu_async = {
    .loop_init = synth_loop_init,
    .start = cpu_start,
    .loop_fini = synth_loop_fini,
};
static const struct tp__evloop_task_ops noop_async = {
    .loop_init = synth_loop_init,
    .start = noop_start,
    .loop_fini = synth_loop_fini,
};

/* ---- the kinds ---- */

static const struct tp_workload_option mixed_options[] = {
    { .name = "io-fraction",
      .type = TP_OPTION_FRACTION,
      .min = 0,
      .max = 1,
      .expected = "a number from 0 to 1, e.g. 0.5",
      .value_name = "F",
      .help = "mixed: share of the tasks that wait, 0..1",
      .offset = offsetof(struct tp_workload_params, io_fraction),
      .field_size = sizeof(((struct tp_workload_params *)0)->io_fraction) },
};

const struct tp__workload_ops tp__workload_io_ops = {
    .kind = TP_WORKLOAD_IO,
    .name = "io",
    .validate = io_validate,
    .describe = io_describe,
    .setup = no_setup,
    .task = io_task,
    .teardown = no_teardown,
    .async = &io_async,
    .work_noun = "waits+computes",
};

const struct tp__workload_ops tp__workload_cpu_ops = {
    .kind = TP_WORKLOAD_CPU,
    .name = "cpu",
    .validate = cpu_validate,
    .describe = cpu_describe,
    .setup = no_setup,
    .task = cpu_task,
    .teardown = no_teardown,
    .async = &cpu_async,
    .work_noun = "computes",
};

const struct tp__workload_ops tp__workload_mixed_ops = {
    .kind = TP_WORKLOAD_MIXED,
    .name = "mixed",
    .options = mixed_options,
    .n_options = TP__ARRAY_LEN(mixed_options),
    .check_options = mixed_check_options,
    .validate = mixed_validate,
    .describe = mixed_describe,
    .setup = no_setup,
    .task = mixed_task,
    .teardown = no_teardown,
    .async = &mixed_async,
    .report_json = mixed_report_json,
};

const struct tp__workload_ops tp__workload_noop_ops = {
    .kind = TP_WORKLOAD_NOOP,
    .name = "noop",
    .check_options = tp__workload_refuse_latency,
    .validate = noop_validate,
    .describe = noop_describe,
    .setup = no_setup,
    .task = noop_task,
    .teardown = no_teardown,
    .async = &noop_async,
    .empty_task = 1,
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
