/* measure.c - the real measurement source: one point = one child process running the pool and the workload. */

/*
 * DESIGN
 * Each point runs in a child process forked from the sweep's (single)
 * thread, so a task that crashes, hangs or exhausts a limit at one point is
 * recorded for that point and the sweep goes on. The child:
 *   1. lowers its timer slack (a 2 ms wait must not become 2.05 ms),
 *   2. prepares the workload and creates the pool (all workers started
 *      before any timing; a creation failure is the point's result),
 *   3. runs a warm-up batch, which also estimates the throughput from which
 *      --tasks=auto sizes a repetition (rep_seconds long; with auto the
 *      batch doubles until it lasts a quarter of that, see warm_up),
 *   4. runs `repeat` batches of N tasks; every task records its start, end
 *      and thread CPU time in its own slot (no shared counter on the hot
 *      path); getrusage around each batch gives process CPU and context
 *      switches,
 *   5. writes the filled struct tp_point (plain data, no pointers) to a pipe
 *      and exits.
 * The parent polls the pipe in short steps so that a cancel request or the
 * point's time limit is seen within 50 ms, and kills the child (SIGKILL) in
 * either case. The child dies with the parent (PR_SET_PDEATHSIG).
 *
 * Throughput of a batch is measured on its steady part: the tasks that end
 * between the 10th and 90th percentile of completion times, over that span.
 * This leaves out the start (workers waking up) and the drain (the last wave
 * with idle workers), which a long-running service does not have.
 */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"
#include "measure.h"
#include "stats.h"
#include "vec.h"
#include "workload.h"

/* Warm-up batch: at least two waves of the pool, at least this many tasks. */
#define WARMUP_MIN_TASKS 32u
/* --tasks=auto: the warm-up grows until a batch lasts this share of --rep-time (see warm_up). */
#define WARMUP_REP_FRACTION 0.25
/* How often the parent looks at the cancel flag and the clock. */
#define PARENT_POLL_MS 50

struct point_run;

/* One task's record; written only by the worker that runs the task. */
struct task_slot {
    struct point_run *run;
    uint64_t start_ns, end_ns, cpu_ns;
};

struct point_run {
    struct tp__workload workload;
    struct tp_pool *pool;
    struct tp__evloop *loops;     /* req->executor == TP_EXECUTOR_ASYNC: instead of the pool */
    struct tp__task_times *times; /* the loops' per-task records, copied into slots */
    size_t cap_times;
    struct task_slot *slots;
    size_t cap_slots;
    /* The point's per-task figures over its repetitions. */
    float *lat; /* wall time of every task, ns */
    size_t n_lat;
    uint64_t *ends; /* the batch's task end times, for the steady throughput */
    double wall_sum, cpu_sum, cpu_n;
    uint64_t clock_gap_ns; /* see CPU_SAMPLE_EVERY */
};

static void set_timer_slack(void *ctx, int worker_index)
{
    (void)ctx;
    (void)worker_index;
    tp__timer_slack_min();
}

/* The pool's on_thread_start: the timer slack, then the workload's
 * per-thread state (a connection, a buffer, a plugin's thread_init) made
 * before any task is timed. ctx is the point's workload. */
static void start_worker(void *ctx, int worker_index)
{
    set_timer_slack(NULL, worker_index);
    tp__workload_thread_start(ctx, worker_index);
}

/* Reading a thread's CPU clock is a system call (about 1 us on a VM,
 * against 25 ns for the monotonic clock): every task records its wall
 * time, one task in CPU_SAMPLE_EVERY of a batch also its CPU time, which is
 * enough for the model's mean and keeps the harness out of what is measured
 * (two reads per 64 tasks: under 0.05% of a 100 us task). The sample's
 * window holds part of its two reads: the point's clock_gap_ns, subtracted. */
#define CPU_SAMPLE_EVERY 64
#define CPU_NOT_SAMPLED UINT64_MAX

/* The CPU time two back-to-back reads of the thread CPU clock put between
 * their samples: the median of nine. */
static uint64_t clock_gap_ns(void)
{
    uint64_t gap[9];
    for (int i = 0; i < 9; i++) {
        uint64_t c0 = tp__thread_cpu_ns();
        gap[i] = tp__thread_cpu_ns() - c0;
        for (int j = i; j > 0 && gap[j - 1] > gap[j]; j--) {
            uint64_t t = gap[j];
            gap[j] = gap[j - 1];
            gap[j - 1] = t;
        }
    }
    return gap[4];
}

static void run_task(void *arg)
{
    struct task_slot *s = arg;
    struct point_run *r = s->run;
    uint64_t index = (uint64_t)(s - r->slots);
    int sampled = index % CPU_SAMPLE_EVERY == 0;
    uint64_t c0 = sampled ? tp__thread_cpu_ns() : 0;
    s->start_ns = tp__now_ns();
    r->workload.ops->task(&r->workload, index);
    s->end_ns = tp__now_ns();
    if (sampled) {
        uint64_t c = tp__thread_cpu_ns() - c0;
        s->cpu_ns = c > r->clock_gap_ns ? c - r->clock_gap_ns : 0;
    } else {
        s->cpu_ns = CPU_NOT_SAMPLED;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

double tp__steady_throughput(uint64_t *end_ns, size_t n, int threads, uint64_t t0_ns)
{
    if (n == 0)
        return 0.0;
    qsort(end_ns, n, sizeof(*end_ns), cmp_u64);
    if (n < 20 || n < 4 * (size_t)threads) {
        double span = (double)(end_ns[n - 1] - t0_ns) / 1e9;
        return span > 0 ? (double)n / span : 0.0;
    }
    size_t k10 = n / 10, k90 = n - 1 - n / 10;
    double span = (double)(end_ns[k90] - end_ns[k10]) / 1e9;
    return span > 0 ? (double)(k90 - k10) / span : 0.0;
}

static double timeval_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

/* Runs n tasks through the pool; slots[0..n) are (re)used. Returns the wall
 * time of the batch in ns (first submit to last completion) or a negative
 * code. */
static int64_t run_batch(struct point_run *r, size_t n)
{
    if (r->loops != NULL) { /* the async executor: the same records, from the loops */
        void *grown = r->times;
        int rc = tp__vec_reserve(&grown, &r->cap_times, n, sizeof *r->times);
        r->times = grown;
        if (rc < 0)
            return rc;
        struct tp__task_times *t = r->times;
        int64_t ns = tp__evloop_run_batch(r->loops, n, t);
        for (size_t i = 0; ns >= 0 && i < n; i++) {
            r->slots[i].start_ns = t[i].start_ns;
            r->slots[i].end_ns = t[i].end_ns;
            r->slots[i].cpu_ns = t[i].cpu_ns;
        }
        return ns;
    }
    uint64_t t0 = tp__now_ns();
    for (size_t i = 0; i < n; i++) {
        r->slots[i].run = r;
        int rc = tp_pool_submit(r->pool, run_task, &r->slots[i]);
        if (rc < 0) {
            tp_pool_wait(r->pool);
            return rc;
        }
    }
    tp_pool_wait(r->pool);
    return (int64_t)(tp__now_ns() - t0);
}

static int grow_slots(struct point_run *r, size_t n)
{
    void *grown = r->slots;
    int rc = tp__vec_reserve(&grown, &r->cap_slots, n, sizeof *r->slots);
    r->slots = grown;
    return rc;
}

static uint64_t auto_tasks(double warm_tput, const struct tp_point_request *req)
{
    double want = warm_tput * (req->rep_seconds > 0 ? req->rep_seconds : TP_DEFAULT_REP_SECONDS);
    double floor_n = fmax(TP__AUTO_TASKS_MIN, (double)TP__AUTO_TASKS_PER_THREAD * req->threads);
    if (!(want > floor_n))
        want = floor_n;
    if (want > TP__AUTO_TASKS_MAX)
        want = TP__AUTO_TASKS_MAX;
    return (uint64_t)want;
}

/* --repeat=auto: stop once the bootstrap interval of the median is at most
 * target_ci x median wide (after TP_REPEAT_MIN repetitions). */
static int enough_repetitions(const struct tp_point *p, const struct tp_point_request *req)
{
    if (req->repeat > 0 || p->n_reps < TP_REPEAT_MIN)
        return 0;
    double v[TP_MAX_REPS], lo, hi;
    for (int i = 0; i < p->n_reps; i++)
        v[i] = p->reps[i].throughput;
    double med = tp__median(v, (size_t)p->n_reps);
    double conf = tp__effective_confidence(req->confidence);
    if (!(med > 0) || tp__bootstrap_median_ci(v, (size_t)p->n_reps, conf, tp__point_seed(req->seed, req->threads),
                                              TP__BOOTSTRAP_RESAMPLES, &lo, &hi) < 0)
        return 0;
    double target = req->target_ci > 0 ? req->target_ci : TP_DEFAULT_TARGET_CI;
    return (hi - lo) / med <= target;
}

/* The async executor for the point: req->cores loops running the opened
 * workload's async path, req->threads tasks in flight. -EOPNOTSUPP when its
 * kind has none. */
static int create_loops(struct point_run *r, const struct tp_point_request *req, int *started)
{
    struct tp__evloop_task task;
    int rc = tp__workload_async_task(&r->workload, &task);
    if (rc < 0)
        return rc;
    return tp__evloop_create(&r->loops, &task, req->cores, req->threads, started);
}

static void fail_point(struct tp_point *out, int err)
{
    out->status = TP_POINT_FAILED;
    out->error = err;
}

/* Creates the executor (a pool, or event loops) for the opened workload. */
static int start_executor(struct point_run *run, const struct tp_point_request *req, struct tp_point *out)
{
    struct tp_pool_opts popts = {
        .threads = req->threads,
        .stack_size = req->stack_size,
        .name = "tp-w",
        .on_thread_start = start_worker,
        .thread_ctx = &run->workload,
    };
    int started = 0, rc;
    if (req->executor == TP_EXECUTOR_ASYNC) /* req->cores loops, req->threads tasks in flight */
        rc = create_loops(run, req, &started);
    else
        rc = tp_pool_create(&run->pool, &popts, &started);
    out->threads_started = rc < 0 ? started : req->threads;
    if (rc < 0)
        return rc;
    return tp__workload_thread_error(&run->workload); /* a worker's thread_init failed */
}

/* The warm-up: wakes every worker, faults in stacks and caches, and gives
 * the throughput estimate that sizes an auto repetition. Sets *n, the
 * tasks per repetition.
 * With --tasks=auto the warm-up batch doubles until one lasts
 * WARMUP_REP_FRACTION of a repetition, and the last one's rate sizes the
 * repetitions: a first batch of 2 x threads tasks on fresh connections
 * runs at a fraction of the steady rate (SELECT 1 on 16 connections: about
 * 1 800 tasks for a 300 ms repetition instead of 14 000), and repetitions
 * that short never reach the steady state a long-running client has
 * (33-36k/s at 2 000 tasks, 43-44k/s at 14 000 and at 40 000, pgbench
 * 37-42k/s). At most about 3/4 of a repetition goes to the warm-up. */
static int warm_up(struct point_run *run, const struct tp_point_request *req, uint64_t *n)
{
    *n = req->tasks;
    if (!req->warmup && *n != 0)
        return 0;
    size_t nw = (size_t)req->threads * 2;
    if (nw < WARMUP_MIN_TASKS)
        nw = WARMUP_MIN_TASKS;
    if (*n != 0 && nw > *n)
        nw = (size_t)*n;
    double rep_s = req->rep_seconds > 0 ? req->rep_seconds : TP_DEFAULT_REP_SECONDS;
    for (;;) {
        int rc = grow_slots(run, nw);
        if (rc < 0)
            return rc;
        int64_t ns = run_batch(run, nw);
        if (ns < 0)
            return (int)ns;
        if (*n != 0)
            return 0;
        double rate = ns > 0 ? (double)nw * 1e9 / (double)ns : 0;
        if ((double)ns >= WARMUP_REP_FRACTION * rep_s * 1e9 || nw >= TP__AUTO_TASKS_MAX || !(rate > 0)) {
            *n = auto_tasks(rate, req);
            return 0;
        }
        nw = nw * 2 < TP__AUTO_TASKS_MAX ? nw * 2 : TP__AUTO_TASKS_MAX;
    }
}

/* Adds the batch's n task records to the point's per-task figures. */
static void collect_tasks(struct point_run *run, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct task_slot *s = &run->slots[i];
        double wall = (double)(s->end_ns - s->start_ns);
        run->lat[run->n_lat++] = (float)wall;
        run->wall_sum += wall;
        if (s->cpu_ns != CPU_NOT_SAMPLED) {
            run->cpu_sum += (double)s->cpu_ns;
            run->cpu_n++;
        }
        run->ends[i] = s->end_ns;
    }
}

/* One repetition of n tasks: its throughput, process CPU and context switches. */
static int run_rep(struct point_run *run, const struct tp_point_request *req, struct tp_point *out, uint64_t n)
{
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    uint64_t t0 = tp__now_ns();
    int64_t ns = run_batch(run, n);
    getrusage(RUSAGE_SELF, &ru1);
    if (ns < 0)
        return (int)ns;
    collect_tasks(run, n);
    struct tp_rep *rep = &out->reps[out->n_reps++];
    if (req->reps_done != NULL) /* progress for the CLI's status line */
        __atomic_store_n(req->reps_done, out->n_reps, __ATOMIC_RELAXED);
    rep->tasks = n;
    rep->elapsed_s = (double)ns / 1e9;
    rep->throughput = tp__steady_throughput(run->ends, n, req->threads, t0);
    rep->cpu_s = timeval_s(ru1.ru_utime) + timeval_s(ru1.ru_stime) - timeval_s(ru0.ru_utime) - timeval_s(ru0.ru_stime);
    rep->nvcsw = ru1.ru_nvcsw - ru0.ru_nvcsw;
    rep->nivcsw = ru1.ru_nivcsw - ru0.ru_nivcsw;
    return 0;
}

/* The repetitions (up to max_reps, fewer once --repeat=auto is satisfied)
 * and what the workload did during them only. */
static int run_reps(struct point_run *run, const struct tp_point_request *req, struct tp_point *out, uint64_t n,
                    int max_reps)
{
    int rc = grow_slots(run, n);
    if (rc < 0)
        return rc;
    run->lat = malloc((size_t)n * (size_t)max_reps * sizeof(*run->lat));
    run->ends = malloc((size_t)n * sizeof(*run->ends));
    if (run->lat == NULL || run->ends == NULL)
        return -ENOMEM;
    uint64_t ops0, bytes0, errors0;
    struct tp_work_count counts0[TP_WORK_COUNTS];
    tp__workload_counters(&run->workload, &ops0, &bytes0, &errors0);
    int n_counts0 = tp__workload_counts(&run->workload, counts0);
    tp__workload_observe_start(&run->workload); /* what the server sees, from a thread of the kind's */
    for (int r = 0; r < max_reps && rc == 0 && !enough_repetitions(out, req); r++)
        rc = run_rep(run, req, out, n);
    tp__workload_observe_stop(&run->workload, &out->server);
    if (rc < 0)
        return rc;
    tp__workload_counters(&run->workload, &out->work_ops, &out->work_bytes, &out->work_errors);
    out->work_ops -= ops0;
    out->work_bytes -= bytes0;
    out->work_errors -= errors0;
    out->n_work_counts = tp__workload_counts(&run->workload, out->work_counts);
    tp__work_counts_sub(out->work_counts, &out->n_work_counts, counts0, n_counts0);
    return 0;
}

/* Latency quantiles over every task of every repetition, the per-task
 * means, and the share of the cores the point kept busy. */
static int summarize(const struct point_run *run, const struct tp_point_request *req, struct tp_point *out)
{
    double *sorted = malloc(run->n_lat * sizeof(*sorted));
    if (sorted == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < run->n_lat; i++)
        sorted[i] = run->lat[i];
    tp__sort_doubles(sorted, run->n_lat);
    out->lat_p50_ns = tp__quantile_sorted(sorted, run->n_lat, 0.50);
    out->lat_p90_ns = tp__quantile_sorted(sorted, run->n_lat, 0.90);
    out->lat_p99_ns = tp__quantile_sorted(sorted, run->n_lat, 0.99);
    out->lat_max_ns = sorted[run->n_lat - 1];
    free(sorted);
    out->task_wall_mean_ns = run->wall_sum / (double)run->n_lat;
    out->task_cpu_mean_ns = run->cpu_n > 0 ? run->cpu_sum / run->cpu_n : 0;
    double cpu = 0, avail = 0;
    for (int r = 0; r < out->n_reps; r++) {
        cpu += out->reps[r].cpu_s;
        avail += out->reps[r].elapsed_s * (double)req->cores;
    }
    out->cpu_util = avail > 0 ? cpu / avail : 0;
    return 0;
}

void tp__measure_point_inline(const struct tp_point_request *req, struct tp_point *out)
{
    struct point_run run = { 0 };
    uint64_t n = 0;
    out->status = TP_POINT_OK;
    out->error = 0;
    out->error_detail[0] = '\0';
    memset(&out->server, 0, sizeof out->server);
    out->n_reps = 0;
    set_timer_slack(NULL, -1);

    /* repeat == 0: auto, between TP_REPEAT_MIN and repeat_max repetitions. */
    int max_reps = req->repeat > 0 ? req->repeat : (req->repeat_max > 0 ? req->repeat_max : TP_DEFAULT_REPEAT_MAX);
    if (req->repeat < 0 || max_reps > TP_MAX_REPS || req->threads < 1 ||
        (req->repeat == 0 && max_reps < TP_REPEAT_MIN)) {
        fail_point(out, -EINVAL);
        return;
    }
    run.clock_gap_ns = clock_gap_ns();
    int rc = tp__workload_open(&run.workload, req->workload);
    if (rc < 0) {
        fail_point(out, rc);
        return;
    }
    if ((rc = start_executor(&run, req, out)) < 0 || (rc = warm_up(&run, req, &n)) < 0)
        goto out;
    out->tasks_per_rep = n;
    if ((rc = run_reps(&run, req, out, n, max_reps)) == 0)
        rc = summarize(&run, req, out);
out:
    if (rc < 0) {
        fail_point(out, rc);
        tp__workload_error_detail(&run.workload, out->error_detail, sizeof out->error_detail);
    }
    tp_pool_destroy(run.pool);
    tp__evloop_destroy(run.loops);
    free(run.times);
    tp__workload_close(&run.workload);
    free(run.slots);
    free(run.lat);
    free(run.ends);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        out->max_rss_kb = ru.ru_maxrss;
}

/* ---- the parent's side ---- */

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static _Noreturn void child_main(int fd, const struct tp_point_request *req, struct tp_point *pt)
{
    /* Die with the parent; take the default action for the signals the CLI
     * catches, so Ctrl-C on the terminal ends the point at once. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    tp__measure_point_inline(req, pt);
    _exit(write_all(fd, pt, sizeof(*pt)) == 0 ? 0 : 3);
}

static int is_cancelled(const struct tp_point_request *req) { return req->cancel != NULL && *req->cancel != 0; }

/* How the wait for the child's point ended. */
struct child_wait {
    struct tp_point got; /* what the child wrote */
    size_t have;         /* bytes of it read */
    int timed_out, cancelled;
};

/* Reads the child's point from fd, polling in short steps so that a cancel
 * request or the point's deadline (0 = none) is seen within PARENT_POLL_MS. */
static void wait_for_child(int fd, const struct tp_point_request *req, uint64_t deadline, struct child_wait *w)
{
    for (;;) {
        if (is_cancelled(req)) {
            w->cancelled = 1;
            return;
        }
        if (deadline != 0 && tp__now_ns() >= deadline) {
            w->timed_out = 1;
            return;
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int pr = poll(&pfd, 1, PARENT_POLL_MS);
        if (pr < 0 && errno != EINTR)
            return;
        if (pr <= 0)
            continue;
        ssize_t r = read(fd, (char *)&w->got + w->have, sizeof(w->got) - w->have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return; /* EOF: the child is gone (or closed early) */
        w->have += (size_t)r;
        if (w->have == sizeof(w->got))
            return;
    }
}

/* The point's result from how its child ended; TP_ECANCELED when the sweep
 * was cancelled meanwhile. */
static int point_from_child(const struct child_wait *w, int wstatus, struct tp_point *out)
{
    if (w->cancelled) {
        out->status = TP_POINT_SKIPPED;
        out->error = TP_ECANCELED;
        out->n_reps = 0;
        return TP_ECANCELED;
    }
    if (w->timed_out) {
        out->status = TP_POINT_TIMEOUT;
        out->error = TP_ETIMEOUT;
        out->n_reps = 0;
    } else if (w->have == sizeof(w->got) && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        /* Keep the sweep's identity fields; take the measurement. */
        struct tp_point got = w->got;
        got.multiplier = out->multiplier;
        got.threads = out->threads;
        got.origin = out->origin;
        *out = got;
    } else if (WIFSIGNALED(wstatus)) {
        out->status = TP_POINT_CRASHED;
        out->error = TP_ECRASHED;
        out->signal = WTERMSIG(wstatus);
        out->n_reps = 0;
    } else {
        fail_point(out, TP_ECHILD);
        out->n_reps = 0;
    }
    return 0;
}

int tp_source_real_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out)
{
    (void)ctx;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        fail_point(out, tp__from_errno());
        return 0;
    }
    uint64_t t0 = tp__now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        int err = tp__from_errno();
        close(fds[0]);
        close(fds[1]);
        fail_point(out, err);
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(fds[1], req, out);
    }
    close(fds[1]);

    struct child_wait w;
    memset(&w, 0, sizeof w);
    wait_for_child(fds[0], req, req->timeout_s > 0 ? t0 + (uint64_t)(req->timeout_s * 1e9) : 0, &w);
    close(fds[0]);
    if (w.timed_out || w.cancelled)
        kill(pid, SIGKILL);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    double wall_s = (double)(tp__now_ns() - t0) / 1e9;

    /* A child ended by SIGINT/SIGTERM shared the user's Ctrl-C: give the
     * parent's handler a moment to set the cancel flag before deciding. */
    if (!w.cancelled && WIFSIGNALED(wstatus) && (WTERMSIG(wstatus) == SIGINT || WTERMSIG(wstatus) == SIGTERM)) {
        for (int i = 0; i < 20 && !is_cancelled(req); i++)
            usleep(5000);
        w.cancelled = is_cancelled(req);
    }
    if (point_from_child(&w, wstatus, out) == TP_ECANCELED)
        return TP_ECANCELED;
    out->wall_s = wall_s;
    return 0;
}
