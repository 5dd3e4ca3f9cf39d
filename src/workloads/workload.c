/* workload.c - the workload interface (per-thread states, sweep hooks) and the simple kinds: io, cpu, mixed, noop. */
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
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

/* Counts one operation of the calling thread: written by that thread only. */
static inline void count_op(struct tp__wthread *t, uint64_t bytes)
{
    atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
    if (bytes > 0)
        atomic_fetch_add_explicit(&t->bytes, bytes, memory_order_relaxed);
}

/* ---- io: the seed's model: wait (needs no core), then compute (needs one) ---- */

static int io_validate(const struct tp_workload_params *p)
{
    if (p->latency_ns > MAX_TASK_NS || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    if (p->latency_ns == 0 && p->compute_ns == 0)
        return -EINVAL;
    return 0;
}

static void io_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    tp__block_ns(w->params.latency_ns);
    if (w->params.compute_ns > 0)
        sink(tp__burn_cpu_ns(w->params.compute_ns));
    count_op(tp__wthread_get(w), 0);
}

/* ---- cpu: compute only ---- */

static int cpu_validate(const struct tp_workload_params *p)
{
    if (p->compute_ns == 0 || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    return 0;
}

static void cpu_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    sink(tp__burn_cpu_ns(w->params.compute_ns));
    count_op(tp__wthread_get(w), 0);
}

/* ---- mixed: a fraction of the tasks wait, the others compute ---- */

static int mixed_validate(const struct tp_workload_params *p)
{
    double f = p->io_fraction;
    if (!isfinite(f) || f < 0 || f > 1)
        return -EINVAL;
    if (p->latency_ns > MAX_TASK_NS || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    if ((f > 0 && p->latency_ns == 0) || (f < 1 && p->compute_ns == 0))
        return -EINVAL;
    return 0;
}

/* Whether task index is an IO task: a hash of the index against the
 * fraction, so the two kinds interleave evenly and every run is the same. */
int tp__mixed_is_io(double fraction, uint64_t index)
{
    double u = (double)(tp__mix64(index ^ 0x6d69786564ull) >> 11) * 0x1.0p-53;
    return u < fraction;
}

static void mixed_task(struct tp__workload *w, uint64_t index)
{
    if (tp__mixed_is_io(w->params.io_fraction, index))
        tp__block_ns(w->params.latency_ns);
    else
        sink(tp__burn_cpu_ns(w->params.compute_ns));
    count_op(tp__wthread_get(w), 0);
}

/* ---- noop: nothing but the pool ---- */

static int noop_validate(const struct tp_workload_params *p)
{
    (void)p;
    return 0;
}

static void noop_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    count_op(tp__wthread_get(w), 0);
}

static int no_setup(struct tp__workload *w)
{
    w->state = NULL;
    return 0;
}

static void no_teardown(struct tp__workload *w) { (void)w; }

static const struct tp__workload_ops workloads[] = {
    {.kind = TP_WORKLOAD_IO, .name = "io", .validate = io_validate, .setup = no_setup, .task = io_task,
     .teardown = no_teardown},
    {.kind = TP_WORKLOAD_CPU, .name = "cpu", .validate = cpu_validate, .setup = no_setup, .task = cpu_task,
     .teardown = no_teardown},
    {.kind = TP_WORKLOAD_MIXED, .name = "mixed", .validate = mixed_validate, .setup = no_setup,
     .task = mixed_task, .teardown = no_teardown},
    {.kind = TP_WORKLOAD_NOOP, .name = "noop", .validate = noop_validate, .setup = no_setup, .task = noop_task,
     .teardown = no_teardown},
};

const struct tp__workload_ops *tp__workload_find(enum tp_workload_kind kind)
{
    for (size_t i = 0; i < TP__ARRAY_LEN(workloads); i++)
        if (workloads[i].kind == kind)
            return &workloads[i];
    switch (kind) {
    case TP_WORKLOAD_FILE: return &tp__workload_file_ops;
    case TP_WORKLOAD_NET: return &tp__workload_net_ops;
    case TP_WORKLOAD_PLUGIN: return &tp__workload_plugin_ops;
    default: return NULL;
    }
}

const char *tp_workload_name(enum tp_workload_kind kind)
{
    const struct tp__workload_ops *ops = tp__workload_find(kind);
    return ops != NULL ? ops->name : NULL;
}

#define PLUGIN_PREFIX "plugin:"

int tp_workload_parse(const char *name, enum tp_workload_kind *out)
{
    if (name == NULL)
        return -EINVAL;
    if (strncmp(name, PLUGIN_PREFIX, strlen(PLUGIN_PREFIX)) == 0) {
        *out = TP_WORKLOAD_PLUGIN;
        return 0;
    }
    for (int k = TP_WORKLOAD_IO; k <= TP_WORKLOAD_PLUGIN; k++) {
        const char *n = tp_workload_name((enum tp_workload_kind)k);
        if (n != NULL && k != TP_WORKLOAD_PLUGIN && strcmp(n, name) == 0) {
            *out = (enum tp_workload_kind)k;
            return 0;
        }
    }
    return -EINVAL;
}

int tp_workload_parse_spec(const char *spec, struct tp_workload_params *p)
{
    enum tp_workload_kind kind;
    if (spec == NULL || p == NULL || tp_workload_parse(spec, &kind) < 0)
        return -EINVAL;
    if (kind == TP_WORKLOAD_PLUGIN) {
        const char *path = spec + strlen(PLUGIN_PREFIX);
        if (*path == '\0')
            return -EINVAL;
        int n = snprintf(p->plugin_path, sizeof p->plugin_path, "%s%s", strchr(path, '/') ? "" : "./", path);
        if (n < 0 || (size_t)n >= sizeof p->plugin_path)
            return -ENAMETOOLONG;
    }
    p->kind = kind;
    return 0;
}

/* ---- per-thread states ---- */

/* Used when a state cannot be allocated: the task still runs, its counts
 * are lost (thread_error says so). */
static struct tp__wthread oom_thread;

static void finish_thread(struct tp__workload *w, struct tp__wthread *t)
{
    pthread_mutex_lock(&w->threads_lock);
    int done = t->finished;
    t->finished = 1;
    pthread_mutex_unlock(&w->threads_lock);
    if (!done && t->init_rc == 0 && w->ops->thread_fini != NULL)
        w->ops->thread_fini(w, t);
}

/* The key's destructor: runs on the exiting thread. */
static void thread_exit(void *arg)
{
    struct tp__wthread *t = arg;
    finish_thread(t->w, t);
}

static void record_thread_error(struct tp__workload *w, int rc)
{
    int none = 0;
    atomic_compare_exchange_strong_explicit(&w->thread_error, &none, rc < 0 ? rc : TP_EPLUGIN,
                                            memory_order_relaxed, memory_order_relaxed);
}

static struct tp__wthread *thread_create(struct tp__workload *w, int worker)
{
    struct tp__wthread *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        record_thread_error(w, -ENOMEM);
        return &oom_thread;
    }
    t->w = w;
    pthread_mutex_lock(&w->threads_lock);
    t->worker = worker >= 0 ? worker : w->n_threads;
    t->next = w->threads;
    w->threads = t;
    w->n_threads++;
    pthread_mutex_unlock(&w->threads_lock);
    if (w->ops->thread_init != NULL) {
        t->init_rc = w->ops->thread_init(w, t);
        if (t->init_rc != 0)
            record_thread_error(w, t->init_rc);
    }
    pthread_setspecific(w->key, t);
    return t;
}

struct tp__wthread *tp__wthread_get(struct tp__workload *w)
{
    struct tp__wthread *t = pthread_getspecific(w->key);
    return t != NULL ? t : thread_create(w, -1);
}

void tp__workload_thread_start(struct tp__workload *w, int worker_index)
{
    if (w->ops != NULL && pthread_getspecific(w->key) == NULL)
        thread_create(w, worker_index);
}

int tp__workload_thread_error(struct tp__workload *w)
{
    return atomic_load_explicit(&w->thread_error, memory_order_relaxed);
}

void tp__workload_counters(struct tp__workload *w, uint64_t *ops, uint64_t *bytes, uint64_t *errors)
{
    uint64_t o = 0, b = 0, e = 0;
    if (w->ops != NULL) {
        pthread_mutex_lock(&w->threads_lock);
        for (struct tp__wthread *t = w->threads; t != NULL; t = t->next) {
            o += atomic_load_explicit(&t->ops, memory_order_relaxed);
            b += atomic_load_explicit(&t->bytes, memory_order_relaxed);
            e += atomic_load_explicit(&t->errors, memory_order_relaxed);
        }
        pthread_mutex_unlock(&w->threads_lock);
    }
    *ops = o;
    *bytes = b;
    *errors = e;
}

/* ---- open / close ---- */

int tp__workload_open(struct tp__workload *w, const struct tp_workload_params *params)
{
    memset(w, 0, sizeof(*w));
    const struct tp__workload_ops *ops = tp__workload_find(params->kind);
    if (ops == NULL)
        return -EINVAL;
    int rc = ops->validate(params);
    if (rc < 0)
        return rc;
    rc = tp__from_pthread(pthread_key_create(&w->key, thread_exit));
    if (rc < 0)
        return rc;
    pthread_mutex_init(&w->threads_lock, NULL);
    w->ops = ops;
    w->params = *params;
    rc = ops->setup(w);
    if (rc < 0) {
        pthread_key_delete(w->key);
        pthread_mutex_destroy(&w->threads_lock);
        memset(w, 0, sizeof(*w));
    }
    return rc;
}

void tp__workload_close(struct tp__workload *w)
{
    if (w->ops == NULL)
        return;
    /* Threads still alive (e.g. the caller's, in tests) are finished here;
     * the pool's workers finished themselves as they exited. */
    for (struct tp__wthread *t = w->threads; t != NULL; t = t->next)
        finish_thread(w, t);
    pthread_setspecific(w->key, NULL);
    pthread_key_delete(w->key);
    w->ops->teardown(w);
    for (struct tp__wthread *t = w->threads, *next; t != NULL; t = next) {
        next = t->next;
        free(t);
    }
    pthread_mutex_destroy(&w->threads_lock);
    memset(w, 0, sizeof(*w));
}

/* ---- sweep-level hooks ---- */

static int validate_msg(const struct tp_workload_params *p, char *err, size_t errlen)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops == NULL) {
        snprintf(err, errlen, "--workload: unknown workload kind %d", (int)p->kind);
        return -EINVAL;
    }
    int rc = ops->validate(p);
    if (rc < 0)
        snprintf(err, errlen, "--workload=%s: invalid parameters (see --help for the accepted ranges)", ops->name);
    return rc;
}

int tp__workload_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen)
{
    res->server_pid = 0;
    res->file_fd = -1;
    int rc = validate_msg(p, err, errlen);
    if (rc < 0)
        return rc;
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops->sweep_setup == NULL)
        return 0;
    rc = ops->sweep_setup(p, res, err, errlen);
    if (rc < 0 && ops->sweep_teardown != NULL)
        ops->sweep_teardown(p, res);
    return rc;
}

void tp__workload_sweep_teardown(struct tp_workload_params *p, struct tp__sweep_res *res)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->sweep_teardown != NULL)
        ops->sweep_teardown(p, res);
}

/* Declared in plugin.c and workload_file.c: their own checks. */
int tp__plugin_check(struct tp_workload_params *p, char *err, size_t errlen);
int tp__file_check(const struct tp_workload_params *p, char *err, size_t errlen);

int tp_workload_check(const struct tp_workload_params *p, char *err, size_t errlen)
{
    char dummy[8];
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (p == NULL)
        return -EINVAL;
    int rc = validate_msg(p, err, errlen);
    if (rc < 0)
        return rc;
    if (p->kind == TP_WORKLOAD_PLUGIN) {
        struct tp_workload_params copy = *p;
        return tp__plugin_check(&copy, err, errlen);
    }
    if (p->kind == TP_WORKLOAD_FILE)
        return tp__file_check(p, err, errlen);
    return 0;
}

/* ---- descriptions ---- */

static void fmt_bytes(char *buf, size_t len, uint64_t b)
{
    if (b >= (1ull << 30) && b % (1ull << 30) == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
    else if (b >= (1ull << 20) && b % (1ull << 20) == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
    else if (b >= 1024 && b % 1024 == 0)
        snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
    else
        snprintf(buf, len, "%llu B", (unsigned long long)b);
}

static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
    if (ns >= 1000000000u && ns % 1000000u == 0)
        snprintf(buf, len, "%g s", (double)ns / 1e9);
    else if (ns >= 1000000u)
        snprintf(buf, len, "%g ms", (double)ns / 1e6);
    else if (ns >= 1000u)
        snprintf(buf, len, "%g us", (double)ns / 1e3);
    else
        snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

void tp__workload_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char a[32], b[32], c[32];
    switch (p->kind) {
    case TP_WORKLOAD_IO:
        fmt_ns(a, sizeof a, p->latency_ns);
        fmt_ns(b, sizeof b, p->compute_ns);
        snprintf(buf, len, "io: wait %s + compute %s per task", a, b);
        return;
    case TP_WORKLOAD_CPU:
        fmt_ns(b, sizeof b, p->compute_ns);
        snprintf(buf, len, "cpu: compute %s per task", b);
        return;
    case TP_WORKLOAD_MIXED:
        fmt_ns(a, sizeof a, p->latency_ns);
        fmt_ns(b, sizeof b, p->compute_ns);
        snprintf(buf, len, "mixed: %g%% of the tasks wait %s, %g%% compute %s", 100 * p->io_fraction, a,
                 100 * (1 - p->io_fraction), b);
        return;
    case TP_WORKLOAD_FILE:
        fmt_bytes(a, sizeof a, p->block_size ? p->block_size : TP_FILE_DEFAULT_BLOCK);
        fmt_bytes(b, sizeof b, p->file_size ? p->file_size : TP_FILE_DEFAULT_SIZE);
        snprintf(buf, len, "file: pread of a %s block at a random offset of a %s temporary file in %s (%s)", a, b,
                 p->file_dir[0] ? p->file_dir : "$TMPDIR", p->direct ? "O_DIRECT" : "page cache allowed");
        return;
    case TP_WORKLOAD_NET:
        fmt_ns(a, sizeof a, p->server_delay_ns);
        fmt_bytes(b, sizeof b, p->request_size ? p->request_size : TP_NET_DEFAULT_REQUEST);
        fmt_bytes(c, sizeof c, p->reply_size ? p->reply_size : TP_NET_DEFAULT_REPLY);
        snprintf(buf, len, "net: TCP request %s -> reply %s over loopback, server delay %s, one connection per thread",
                 b, c, a);
        return;
    case TP_WORKLOAD_NOOP:
        snprintf(buf, len, "noop: empty tasks (the pool's own overhead)");
        return;
    case TP_WORKLOAD_PLUGIN:
        snprintf(buf, len, "plugin %s: %s%s%s%s", p->plugin_name[0] ? p->plugin_name : "?", p->plugin_path,
                 p->plugin_arg[0] ? " (arg \"" : "", p->plugin_arg, p->plugin_arg[0] ? "\")" : "");
        return;
    }
    snprintf(buf, len, "unknown workload");
}
