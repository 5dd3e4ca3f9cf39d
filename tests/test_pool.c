/* test_pool.c - unit tests of the thread pool: start-up, dispatch, concurrency, back-pressure, shutdown, errors,
 * resizing, sensing (tp_pool_stats) and online tuning. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "pool.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_POOL_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(TEST_POOL_ASAN)
/* Criterion's parallel runner (--jobs 2) leaks a few of its own buffers when
 * long tests overlap: the leak is in libcriterion, not in the pool, and would
 * fail the run under LeakSanitizer. The pool's own allocations stay checked. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libcriterion.so\n"; }
#endif

/* ------------------------------------------------------------ helpers */

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static struct tp_pool *make_pool(int threads)
{
    struct tp_pool_opts opts = { .threads = threads };
    struct tp_pool *pool = NULL;
    int started = -1;
    int rc = tp_pool_create(&pool, &opts, &started);
    cr_assert_eq(rc, 0, "tp_pool_create(%d threads): %s", threads, tp_strerror(rc));
    cr_assert_eq(started, threads);
    cr_assert_not_null(pool);
    return pool;
}

static void count_task(void *arg) { atomic_fetch_add_explicit((_Atomic long *)arg, 1, memory_order_relaxed); }

/* A gate: tasks block on it until the test opens it. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
    _Atomic int entered;
};

#define GATE_INIT                                                 \
    {                                                             \
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 \
    }

static void gate_task(void *arg)
{
    struct gate *g = arg;
    atomic_fetch_add(&g->entered, 1);
    pthread_mutex_lock(&g->mu);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* Polls until *v >= want or about 30 s pass; returns the last value seen. */
static int wait_at_least(_Atomic int *v, int want)
{
    for (int i = 0; i < 30000 && atomic_load(v) < want; i++)
        sleep_ms(1);
    return atomic_load(v);
}

/* ------------------------------------------------------------ arguments */

Test(pool, create_rejects_null_out, .timeout = 10)
{
    struct tp_pool_opts opts = { .threads = 1 };
    int started = 42;
    cr_assert_eq(tp_pool_create(NULL, &opts, &started), -EINVAL);
    cr_assert_eq(started, 0);
}

Test(pool, create_rejects_null_opts, .timeout = 10)
{
    struct tp_pool *pool = (struct tp_pool *)&pool;
    cr_assert_eq(tp_pool_create(&pool, NULL, NULL), -EINVAL);
    cr_assert_null(pool);
}

Test(pool, create_rejects_zero_threads, .timeout = 10)
{
    struct tp_pool_opts opts = { .threads = 0 };
    struct tp_pool *pool = (struct tp_pool *)&pool;
    int started = 42;
    cr_assert_eq(tp_pool_create(&pool, &opts, &started), -EINVAL);
    cr_assert_null(pool);
    cr_assert_eq(started, 0);
    opts.threads = -3;
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), -EINVAL);
}

Test(pool, create_rejects_absurd_queue_capacity, .timeout = 10)
{
    struct tp_pool_opts opts = { .threads = 1, .queue_capacity = SIZE_MAX };
    struct tp_pool *pool = NULL;
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), -EINVAL);
    cr_assert_null(pool);
}

Test(pool, submit_rejects_null_fn, .timeout = 10)
{
    struct tp_pool *pool = make_pool(1);
    cr_assert_eq(tp_pool_submit(pool, NULL, NULL), -EINVAL);
    cr_assert_eq(tp_pool_submit(NULL, count_task, NULL), -EINVAL);
    tp_pool_destroy(pool);
}

Test(pool, null_pool_is_handled, .timeout = 10)
{
    tp_pool_destroy(NULL);
    cr_assert_eq(tp_pool_wait(NULL), -EINVAL);
    cr_assert_eq(tp_pool_threads(NULL), -EINVAL);
}

/* ------------------------------------------------------------ start-up */

struct start_log {
    _Atomic int calls;
    _Atomic int seen[64];
    char names[64][16];
    size_t stack[64];
};

static void log_start(void *ctx, int index)
{
    struct start_log *log = ctx;
    pthread_attr_t attr;
    atomic_fetch_add(&log->calls, 1);
    if (index < 0 || index >= 64)
        return;
    atomic_fetch_add(&log->seen[index], 1);
    pthread_getname_np(pthread_self(), log->names[index], sizeof log->names[index]);
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstacksize(&attr, &log->stack[index]);
        pthread_attr_destroy(&attr);
    }
}

Test(pool, create_returns_after_every_worker_started, .timeout = 30)
{
    static struct start_log log;
    struct tp_pool_opts opts = { .threads = 64, .on_thread_start = log_start, .thread_ctx = &log };
    struct tp_pool *pool = NULL;
    int started = 0;

    cr_assert_eq(tp_pool_create(&pool, &opts, &started), 0);
    /* No sleep: every on_thread_start must already have returned. */
    cr_assert_eq(atomic_load(&log.calls), 64);
    cr_assert_eq(started, 64);
    cr_assert_eq(tp_pool_threads(pool), 64);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(atomic_load(&log.seen[i]), 1, "worker %d started %d times", i, log.seen[i]);
    tp_pool_destroy(pool);
}

Test(pool, threads_are_named_prefix_dash_index, .timeout = 30)
{
    static struct start_log log;
    struct tp_pool_opts opts = { .threads = 12, .name = "sweep", .on_thread_start = log_start, .thread_ctx = &log };
    struct tp_pool *pool = NULL;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_str_eq(log.names[0], "sweep-0");
    cr_assert_str_eq(log.names[11], "sweep-11");
    tp_pool_destroy(pool);
}

Test(pool, long_name_is_truncated_to_15_chars, .timeout = 30)
{
    static struct start_log log;
    struct tp_pool_opts opts = {
        .threads = 12, .name = "averyverylongprefix", .on_thread_start = log_start, .thread_ctx = &log
    };
    struct tp_pool *pool = NULL;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_str_eq(log.names[0], "averyveryl-0"); /* prefix: 10 characters */
    cr_assert_str_eq(log.names[11], "averyveryl-11");
    cr_assert_leq(strlen(log.names[11]), 15);
    tp_pool_destroy(pool);
}

Test(pool, default_name_is_tp_worker, .timeout = 30)
{
    static struct start_log log;
    struct tp_pool_opts opts = { .threads = 2, .on_thread_start = log_start, .thread_ctx = &log };
    struct tp_pool *pool = NULL;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_str_eq(log.names[1], "tp-worker-1");
    tp_pool_destroy(pool);
}

Test(pool, default_stack_is_64_kib, .timeout = 30)
{
    static struct start_log log;
    struct tp_pool_opts opts = { .threads = 2, .on_thread_start = log_start, .thread_ctx = &log };
    struct tp_pool *pool = NULL;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(tp__pool_stack_size(pool), TP_POOL_DEFAULT_STACK);
    /* glibc reports the usable stack; allow for its guard page. */
    cr_assert_geq(log.stack[0] + 64 * 1024, (size_t)TP_POOL_DEFAULT_STACK);
    cr_assert_leq(log.stack[0], (size_t)TP_POOL_DEFAULT_STACK + 64 * 1024);
    tp_pool_destroy(pool);
}

Test(pool, tiny_stack_is_clamped_to_minimum_and_page, .timeout = 30)
{
    struct tp_pool_opts opts = { .threads = 2, .stack_size = 1 };
    struct tp_pool *pool = NULL;
    long page = sysconf(_SC_PAGESIZE);
    long min = sysconf(_SC_THREAD_STACK_MIN);

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    size_t sz = tp__pool_stack_size(pool);
    cr_assert_geq(sz, (size_t)(min > 0 ? min : PTHREAD_STACK_MIN));
    cr_assert_eq(sz % (size_t)page, 0);
    tp_pool_destroy(pool);

    opts.stack_size = 100 * 1024 + 1; /* rounded up to a page */
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(tp__pool_stack_size(pool) % (size_t)page, 0);
    cr_assert_geq(tp__pool_stack_size(pool), 100 * 1024 + 1);
    cr_assert_lt(tp__pool_stack_size(pool), 100 * 1024 + 1 + (size_t)page);
    tp_pool_destroy(pool);
}

Test(pool, queue_capacity_rounds_to_power_of_two, .timeout = 30)
{
    struct tp_pool_opts opts = { .threads = 1, .queue_capacity = 1000 };
    struct tp_pool *pool = NULL;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(tp__pool_queue_capacity(pool), 1024);
    tp_pool_destroy(pool);
    opts.queue_capacity = 0;
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(tp__pool_queue_capacity(pool), 65536);
    tp_pool_destroy(pool);
    opts.queue_capacity = 1; /* a ring needs two slots */
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(tp__pool_queue_capacity(pool), 2);
    tp_pool_destroy(pool);
}

/* ------------------------------------------------------------ thread creation failures */

/* A stack no machine can map: the first pthread_create fails (glibc turns
 * the failed mmap into EAGAIN). Works as root too. */
Test(pool, create_fails_cleanly_when_no_thread_can_start, .timeout = 30)
{
    struct tp_pool_opts opts = { .threads = 8, .stack_size = (size_t)1 << 52 };
    struct tp_pool *pool = (struct tp_pool *)&pool;
    int started = 42;
    int rc = tp_pool_create(&pool, &opts, &started);

    cr_assert_lt(rc, 0);
    cr_assert(rc == -EAGAIN || rc == -ENOMEM || rc == -EINVAL, "rc = %d (%s)", rc, tp_strerror(rc));
    cr_assert_null(pool);
    cr_assert_eq(started, 0);
}

/* Runs body() in a forked child and returns its exit status (or 128 + signal). */
static int in_child(int (*body)(void))
{
    pid_t pid = fork();
    int status = 0;

    cr_assert_neq(pid, -1);
    if (pid == 0)
        _exit(body()); /* _exit: skip leak checks of a child that shares the test's heap */
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static long vm_size_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* Exit codes of the child bodies below: 0 = as expected. */
static int partial_start_body(int threads, int expect_some)
{
    struct tp_pool_opts opts = { .threads = threads, .stack_size = 1024 * 1024 };
    struct tp_pool *pool = (struct tp_pool *)&opts;
    int started = -1;
    int rc = tp_pool_create(&pool, &opts, &started);

    if (rc == 0)
        return 10; /* the limit did not bite */
    if (rc != -EAGAIN && rc != -ENOMEM)
        return 11;
    if (pool != NULL)
        return 12;
    if (started < 0 || started >= threads)
        return 13;
    if (expect_some && started == 0)
        return 14;
    return 0;
}

/* RLIMIT_AS caps the address space: with 1 MiB stacks, the mmap of some
 * thread's stack fails part way. Capabilities do not lift RLIMIT_AS, so this
 * works as root; sanitizers reserve terabytes of shadow at start-up, which is
 * why the limit is the current size plus a margin. */
static int rlimit_as_body(void)
{
    long kb = vm_size_kb();
    if (kb < 0)
        return 20;
    struct rlimit lim = { (rlim_t)(kb + 24 * 1024) * 1024, (rlim_t)(kb + 24 * 1024) * 1024 };
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        return 21;
    return partial_start_body(200, 1);
}

Test(pool, create_reports_partial_start_under_rlimit_as, .timeout = 60)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(TEST_POOL_ASAN)
    cr_skip_test("sanitizer runtimes abort when their own mappings fail under RLIMIT_AS");
#endif
    int status = in_child(rlimit_as_body);
    cr_assert_eq(status, 0, "child status %d", status);
}

/* RLIMIT_NPROC caps the threads of a user. Root ignores it, so the child
 * drops to an unprivileged uid first (when it is root); without root it
 * works directly. */
static int rlimit_nproc_body(void)
{
    struct rlimit lim = { 8, 8 };
    if (geteuid() == 0) {
        if (setrlimit(RLIMIT_NPROC, &lim) != 0)
            return 30;
        if (setgid(65534) != 0 || setuid(65534) != 0)
            return 31;
    } else {
        /* We do not know how many processes this user already runs: a limit
         * of 0 makes every thread creation fail. */
        lim.rlim_cur = lim.rlim_max = 0;
        if (setrlimit(RLIMIT_NPROC, &lim) != 0)
            return 30;
        return partial_start_body(64, 0);
    }
    return partial_start_body(64, 1);
}

Test(pool, create_reports_partial_start_under_rlimit_nproc, .timeout = 60)
{
    int status = in_child(rlimit_nproc_body);
    cr_assert_eq(status, 0, "child status %d", status);
}

/* ------------------------------------------------------------ dispatch */

Test(pool, runs_every_submitted_task, .timeout = 60)
{
    enum { N = 20000 };
    static _Atomic long done;
    struct tp_pool *pool = make_pool(8);

    for (int i = 0; i < N; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(atomic_load(&done), N);
    tp_pool_destroy(pool);
}

static void mark_task(void *arg) { atomic_fetch_add((_Atomic unsigned char *)arg, 1); }

Test(pool, each_task_runs_once_with_many_threads, .timeout = 60)
{
    enum { N = 50000 };
    static _Atomic unsigned char ran[N];
    struct tp_pool *pool = make_pool(256);

    for (int i = 0; i < N; i++)
        cr_assert_eq(tp_pool_submit(pool, mark_task, (void *)&ran[i]), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    for (int i = 0; i < N; i++)
        cr_assert_eq(atomic_load(&ran[i]), 1, "task %d ran %d times", i, ran[i]);
    tp_pool_destroy(pool);
}

Test(pool, wait_on_idle_pool_returns_at_once, .timeout = 10)
{
    struct tp_pool *pool = make_pool(4);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    tp_pool_destroy(pool);
}

static void slow_count_task(void *arg)
{
    sleep_ms(2);
    atomic_fetch_add((_Atomic long *)arg, 1);
}

Test(pool, wait_returns_only_after_all_tasks_finished, .timeout = 60)
{
    static _Atomic long done;
    struct tp_pool *pool = make_pool(4);

    for (int round = 1; round <= 5; round++) {
        for (int i = 0; i < 40; i++)
            cr_assert_eq(tp_pool_submit(pool, slow_count_task, (void *)&done), 0);
        cr_assert_eq(tp_pool_wait(pool), 0);
        cr_assert_eq(atomic_load(&done), 40L * round);
    }
    tp_pool_destroy(pool);
}

struct waiter_arg {
    struct tp_pool *pool;
    _Atomic long *done;
    long expect;
    int ok;
};

static void *waiter_thread(void *arg)
{
    struct waiter_arg *w = arg;
    w->ok = tp_pool_wait(w->pool) == 0 && atomic_load(w->done) >= w->expect;
    return NULL;
}

Test(pool, concurrent_waiters_all_return, .timeout = 60)
{
    static _Atomic long done;
    struct tp_pool *pool = make_pool(8);
    struct waiter_arg args[6];
    pthread_t th[6];

    for (int i = 0; i < 200; i++)
        cr_assert_eq(tp_pool_submit(pool, slow_count_task, (void *)&done), 0);
    for (int i = 0; i < 6; i++) {
        args[i] = (struct waiter_arg){ pool, &done, 200, 0 };
        cr_assert_eq(pthread_create(&th[i], NULL, waiter_thread, &args[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        cr_assert(args[i].ok, "waiter %d returned before all tasks finished", i);
    }
    tp_pool_destroy(pool);
}

struct submitter_arg {
    struct tp_pool *pool;
    _Atomic unsigned char *ran;
    int from, to;
    int failures;
};

static void *submitter_thread(void *arg)
{
    struct submitter_arg *s = arg;
    for (int i = s->from; i < s->to; i++)
        if (tp_pool_submit(s->pool, mark_task, (void *)&s->ran[i]) != 0)
            s->failures++;
    return NULL;
}

Test(pool, concurrent_submitters_through_a_small_queue, .timeout = 60)
{
    enum { N = 40000, S = 4 };
    static _Atomic unsigned char ran[N];
    struct tp_pool_opts opts = { .threads = 6, .queue_capacity = 8 };
    struct tp_pool *pool = NULL;
    struct submitter_arg args[S];
    pthread_t th[S];

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    for (int i = 0; i < S; i++) {
        args[i] = (struct submitter_arg){ pool, ran, i * N / S, (i + 1) * N / S, 0 };
        cr_assert_eq(pthread_create(&th[i], NULL, submitter_thread, &args[i]), 0);
    }
    for (int i = 0; i < S; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(args[i].failures, 0);
    }
    tp_pool_wait(pool);
    for (int i = 0; i < N; i++)
        cr_assert_eq(atomic_load(&ran[i]), 1, "task %d ran %d times", i, ran[i]);
    tp_pool_destroy(pool);
}

/* ------------------------------------------------------------ back-pressure */

struct full_arg {
    struct tp_pool *pool;
    _Atomic int submitted;
    _Atomic long *done;
    int n;
};

static void *fill_thread(void *arg)
{
    struct full_arg *f = arg;
    for (int i = 0; i < f->n; i++) {
        tp_pool_submit(f->pool, count_task, (void *)f->done);
        atomic_fetch_add(&f->submitted, 1);
    }
    return NULL;
}

Test(pool, submit_blocks_while_queue_is_full, .timeout = 60)
{
    static struct gate g = GATE_INIT;
    static _Atomic long done;
    struct tp_pool_opts opts = { .threads = 1, .queue_capacity = 4 };
    struct tp_pool *pool = NULL;
    struct full_arg f = { .n = 50 };
    pthread_t th;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(tp_pool_submit(pool, gate_task, &g), 0);
    cr_assert_eq(wait_at_least(&g.entered, 1), 1); /* the only worker is held */
    f.pool = pool;
    f.done = &done;
    cr_assert_eq(pthread_create(&th, NULL, fill_thread, &f), 0);
    sleep_ms(200);
    /* 4 fit in the ring; the fifth submit must still be blocked. */
    cr_assert_leq(atomic_load(&f.submitted), 4, "submitted %d into a ring of 4", f.submitted);
    gate_open(&g);
    pthread_join(th, NULL);
    cr_assert_eq(atomic_load(&f.submitted), 50);
    tp_pool_wait(pool);
    cr_assert_eq(atomic_load(&done), 50);
    tp_pool_destroy(pool);
}

/* ------------------------------------------------------------ shards */

/* The queue has a shard per CPU; a worker pops from its own CPU's shard
 * first. A shard that never empties must not starve another: here the only
 * worker, pinned to one CPU, runs tasks that each submit themselves again
 * (into that CPU's shard, so it is never empty), and a task submitted from
 * another CPU (another shard) must still run while they circulate. */
struct circulate {
    struct tp_pool *pool;
    _Atomic int stop;
    _Atomic long runs;
    _Atomic int other_ran;
    _Atomic long runs_when_other_ran;
};

static void circulate_task(void *arg)
{
    struct circulate *c = arg;
    atomic_fetch_add(&c->runs, 1);
    if (!atomic_load(&c->stop))
        tp_pool_submit(c->pool, circulate_task, c);
}

static void other_shard_task(void *arg)
{
    struct circulate *c = arg;
    atomic_store(&c->runs_when_other_ran, atomic_load(&c->runs));
    atomic_store(&c->other_ran, 1);
}

static int nth_allowed_cpu(int n)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set) && n-- == 0)
            return cpu;
    return -1;
}

static int pin_self(int cpu)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}

static int worker_cpu;

static void pin_worker(void *ctx, int worker_index)
{
    (void)ctx;
    (void)worker_index;
    pin_self(worker_cpu);
}

Test(pool, a_shard_that_never_empties_does_not_starve_another, .timeout = 60)
{
    static struct circulate c;
    int first = nth_allowed_cpu(0), second = nth_allowed_cpu(1);
    if (second < 0)
        cr_skip_test("one CPU: the queue has a single shard");
    worker_cpu = first;
    struct tp_pool_opts opts = { .threads = 1, .on_thread_start = pin_worker };
    struct tp_pool *pool = NULL;
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    c.pool = pool;
    cr_assert_eq(pin_self(first), 0);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(tp_pool_submit(pool, circulate_task, &c), 0);
    /* The circulating tasks run (and refill the worker's shard) ... */
    for (int i = 0; i < 5000 && atomic_load(&c.runs) < 1000; i++)
        sleep_ms(1);
    cr_assert_geq(atomic_load(&c.runs), 1000);
    /* ... and a task from the other CPU's shard still gets its turn. */
    cr_assert_eq(pin_self(second), 0);
    cr_assert_eq(tp_pool_submit(pool, other_shard_task, &c), 0);
    for (int i = 0; i < 20000 && !atomic_load(&c.other_ran); i++)
        sleep_ms(1);
    int ran = atomic_load(&c.other_ran);
    long runs = atomic_load(&c.runs);
    atomic_store(&c.stop, 1);
    tp_pool_wait(pool);
    tp_pool_destroy(pool);
    cr_assert(ran, "the other shard's task did not run in 20 s while %ld circulating tasks did", runs);
    cr_assert_lt(atomic_load(&c.runs_when_other_ran), runs, "it ran only once the circulation stopped");
}

/* ------------------------------------------------------------ concurrency */

/* Tasks that each wait until all `want` of them are running at once: they
 * can only finish if the pool gave every one its own worker concurrently. */
struct rendezvous {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int arrived;
    int want;
    _Atomic int timed_out;
};

static void rendezvous_task(void *arg)
{
    struct rendezvous *r = arg;
    struct timespec deadline;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    pthread_mutex_lock(&r->mu);
    if (++r->arrived >= r->want)
        pthread_cond_broadcast(&r->cv);
    while (r->arrived < r->want) {
        if (pthread_cond_timedwait(&r->cv, &r->mu, &deadline) == ETIMEDOUT) {
            atomic_store(&r->timed_out, 1);
            break;
        }
    }
    pthread_mutex_unlock(&r->mu);
}

static void check_rendezvous(int threads)
{
    static struct rendezvous r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };
    struct tp_pool *pool = make_pool(threads);

    r.want = threads;
    for (int i = 0; i < threads; i++)
        cr_assert_eq(tp_pool_submit(pool, rendezvous_task, &r), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(atomic_load(&r.timed_out), 0, "only %d of %d tasks were ever running together", r.arrived, threads);
    cr_assert_eq(r.arrived, threads);
    tp_pool_destroy(pool);
}

Test(pool, blocking_tasks_occupy_all_64_workers_at_once, .timeout = 120) { check_rendezvous(64); }

Test(pool, blocking_tasks_occupy_all_4096_workers_at_once, .timeout = 180) { check_rendezvous(4096); }

/* 10000 tasks of 2 ms on 64 workers: at some moment all 64 run at once.
 * Asserts concurrency only, never speed. */
struct inflight {
    _Atomic int now;
    _Atomic int peak;
    _Atomic long done;
};

static void inflight_task(void *arg)
{
    struct inflight *f = arg;
    int n = atomic_fetch_add(&f->now, 1) + 1;
    int peak = atomic_load(&f->peak);
    while (n > peak && !atomic_compare_exchange_weak(&f->peak, &peak, n))
        ;
    sleep_ms(2);
    atomic_fetch_sub(&f->now, 1);
    atomic_fetch_add(&f->done, 1);
}

Test(pool, bulk_blocking_tasks_keep_all_workers_busy, .timeout = 120)
{
    static struct inflight f;
    struct tp_pool *pool = make_pool(64);

    for (int i = 0; i < 10000; i++)
        cr_assert_eq(tp_pool_submit(pool, inflight_task, &f), 0);
    tp_pool_wait(pool);
    cr_assert_eq(atomic_load(&f.done), 10000);
    cr_assert_eq(atomic_load(&f.peak), 64, "peak concurrency %d of 64 workers", f.peak);
    tp_pool_destroy(pool);
}

/* ------------------------------------------------------------ shutdown */

Test(pool, destroy_runs_the_tasks_still_queued, .timeout = 60)
{
    static _Atomic long done;
    struct tp_pool *pool = make_pool(2);

    for (int i = 0; i < 300; i++)
        cr_assert_eq(tp_pool_submit(pool, slow_count_task, (void *)&done), 0);
    tp_pool_destroy(pool); /* no wait first */
    cr_assert_eq(atomic_load(&done), 300);
}

struct resubmit {
    struct tp_pool *pool;
    _Atomic int started;
    _Atomic long accepted;
    _Atomic long ran;
    int last_rc;
};

static void resubmitted_task(void *arg)
{
    struct resubmit *r = arg;
    atomic_fetch_add(&r->ran, 1);
}

/* Keeps submitting until the pool says it is shutting down. */
static void resubmitting_task(void *arg)
{
    struct resubmit *r = arg;
    atomic_store(&r->started, 1);
    for (int i = 0; i < 30000; i++) {
        r->last_rc = tp_pool_submit(r->pool, resubmitted_task, r);
        if (r->last_rc != 0)
            break;
        atomic_fetch_add(&r->accepted, 1);
        sleep_ms(1);
    }
}

Test(pool, submit_during_destroy_returns_eshutdown, .timeout = 60)
{
    static struct resubmit r;
    r.pool = make_pool(4);
    cr_assert_eq(tp_pool_submit(r.pool, resubmitting_task, &r), 0);
    cr_assert_eq(wait_at_least(&r.started, 1), 1);
    sleep_ms(20);
    tp_pool_destroy(r.pool);
    cr_assert_eq(r.last_rc, -ESHUTDOWN);
    /* Every accepted task ran before destroy returned. */
    cr_assert_eq(atomic_load(&r.ran), atomic_load(&r.accepted));
}

Test(pool, create_and_destroy_4096_threads, .timeout = 120)
{
    static _Atomic long done;
    struct tp_pool *pool = make_pool(4096);

    cr_assert_eq(tp_pool_threads(pool), 4096);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    tp_pool_destroy(pool);
    cr_assert_eq(atomic_load(&done), 10000);
}

/* User + system CPU of this process (every thread), in ns. */
static uint64_t process_cpu_ns(void)
{
    struct rusage ru;
    cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

/* Not a speed: an idle pool must sleep, not poll. The goal is < 0.1% of a
 * core; the bound is 10 times that, so a loaded machine cannot fail it. */
Test(pool, idle_pool_of_64_workers_burns_no_cpu, .timeout = 60)
{
    static _Atomic long done;
    struct tp_pool *pool = make_pool(64);

    /* A burst first: workers wake, spin, and must all park again. */
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    sleep_ms(200);
    uint64_t c0 = process_cpu_ns(), t0 = tp__now_ns();
    sleep_ms(5000);
    uint64_t cpu = process_cpu_ns() - c0, wall = tp__now_ns() - t0;
    tp_pool_destroy(pool);
    cr_assert_eq(atomic_load(&done), 10000);
    cr_assert_lt((double)cpu / (double)wall, 0.01, "an idle pool of 64 burned %.3f%% of a core over %.1f s",
                 100.0 * (double)cpu / (double)wall, (double)wall / 1e9);
}

Test(pool, idle_pool_destroys_cleanly_many_times, .timeout = 60)
{
    for (int i = 0; i < 50; i++) {
        struct tp_pool *pool = make_pool(1 + i % 17);
        tp_pool_destroy(pool);
    }
}

/* ------------------------------------------------------------ signals */

static void record_mask(void *ctx, int index)
{
    sigset_t cur;
    (void)index;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    if (sigismember(&cur, SIGINT) && sigismember(&cur, SIGTERM))
        atomic_fetch_add((_Atomic int *)ctx, 1);
}

Test(pool, workers_block_asynchronous_signals, .timeout = 30)
{
    static _Atomic int blocked;
    struct tp_pool_opts opts = { .threads = 4, .on_thread_start = record_mask, .thread_ctx = (void *)&blocked };
    struct tp_pool *pool = NULL;
    sigset_t cur;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(atomic_load(&blocked), 4);
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    cr_assert_not(sigismember(&cur, SIGINT), "the caller's mask must be restored");
    tp_pool_destroy(pool);
}

/* ------------------------------------------------------------ resizing */

/* A pool that may grow to max workers (opts.max_threads > threads turns the
 * per-task counters on); its threads are named prefix-<slot>. */
static struct tp_pool *make_resizable(int threads, int max, const char *prefix)
{
    struct tp_pool_opts opts = { .threads = threads, .max_threads = max, .name = prefix };
    struct tp_pool *pool = NULL;
    int started = -1;
    int rc = tp_pool_create(&pool, &opts, &started);
    cr_assert_eq(rc, 0, "tp_pool_create(%d of %d threads): %s", threads, max, tp_strerror(rc));
    cr_assert_eq(started, threads);
    return pool;
}

static struct tp_pool_stats get_stats(struct tp_pool *pool)
{
    struct tp_pool_stats s;
    int rc = tp_pool_stats(pool, &s);
    cr_assert_eq(rc, 0, "tp_pool_stats: %s", tp_strerror(rc));
    return s;
}

/* Polls until stats.live == want or about 30 s pass; returns the last live. */
static int wait_live(struct tp_pool *pool, int want)
{
    int live = get_stats(pool).live;
    for (int i = 0; i < 30000 && live != want; i++) {
        sleep_ms(1);
        live = get_stats(pool).live;
    }
    return live;
}

/* The kernel's view of the pool: threads of this process whose name starts
 * with "prefix-", how many of them are asleep (state S), and which slots
 * they belong to (bit i of *slots for prefix-i, i < 64). A worker that has
 * returned is gone from /proc/self/task even before it is joined. */
struct kthreads {
    int n, sleeping;
    uint64_t slots;
};

static struct kthreads kernel_threads(const char *prefix)
{
    struct kthreads k = { 0, 0, 0 };
    size_t plen = strlen(prefix);
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;

    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[300], comm[32] = "", stat[512] = "";
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue; /* left meanwhile */
        int got = fgets(comm, sizeof comm, f) != NULL;
        fclose(f);
        if (!got || strncmp(comm, prefix, plen) != 0 || comm[plen] != '-')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        got = fgets(stat, sizeof stat, f) != NULL;
        fclose(f);
        if (!got)
            continue;
        k.n++;
        const char *paren = strrchr(stat, ')'); /* "tid (comm) S ..." */
        if (paren != NULL && paren[1] == ' ' && paren[2] == 'S')
            k.sleeping++;
        int slot = atoi(comm + plen + 1);
        if (slot >= 0 && slot < 64)
            k.slots |= (uint64_t)1 << slot;
    }
    closedir(d);
    return k;
}

/* Polls until exactly n threads named prefix-* exist (all asleep when
 * asleep is set), or about 30 s pass; returns the last view. */
static struct kthreads wait_kernel_threads(const char *prefix, int n, int asleep)
{
    struct kthreads k = kernel_threads(prefix);
    for (int i = 0; i < 30000 && (k.n != n || (asleep && k.sleeping != n)); i++) {
        sleep_ms(1);
        k = kernel_threads(prefix);
    }
    return k;
}

/* A load of N tasks: task i marks ran[i] and counts itself; every 16th
 * sleeps 50 us so that some are in flight while the pool is resized. */
struct resize_load {
    struct tp_pool *pool;
    _Atomic unsigned char *ran;
    _Atomic long done;
    _Atomic int finished;
    int n;
    int failures;
};

static struct resize_load *load_of; /* for the task: one load per test process */

static void load_task(void *arg)
{
    uintptr_t i = (uintptr_t)arg;
    if (i % 16 == 0) {
        struct timespec ts = { 0, 50000 };
        nanosleep(&ts, NULL);
    }
    atomic_fetch_add_explicit(&load_of->ran[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&load_of->done, 1, memory_order_relaxed);
}

static void *load_submitter(void *arg)
{
    struct resize_load *l = arg;
    for (int i = 0; i < l->n; i++)
        if (tp_pool_submit(l->pool, load_task, (void *)(uintptr_t)i) != 0)
            l->failures++;
    atomic_store(&l->finished, 1);
    return NULL;
}

Test(pool, resize_up_and_down_while_tasks_run, .timeout = 120)
{
    enum { N = 60000 };
    static const int sizes[] = { 32, 1, 16, 2, 32, 3, 8, 1, 24, 5, 32, 12 };
    static _Atomic unsigned char ran[N];
    static struct resize_load l;
    pthread_t th;
    int resizes = 0;

    l.pool = make_resizable(4, 32, "rszud");
    l.ran = ran;
    l.n = N;
    load_of = &l;
    cr_assert_eq(pthread_create(&th, NULL, load_submitter, &l), 0);
    while (!atomic_load(&l.finished) || resizes < (int)(sizeof sizes / sizeof sizes[0])) {
        int n = sizes[resizes++ % (int)(sizeof sizes / sizeof sizes[0])];
        cr_assert_eq(tp_pool_resize(l.pool, n), 0, "resize to %d", n);
        cr_assert_eq(tp_pool_threads(l.pool), n);
        sched_yield();
    }
    pthread_join(th, NULL);
    cr_assert_eq(l.failures, 0);
    cr_assert_eq(tp_pool_wait(l.pool), 0);
    cr_assert_eq(atomic_load(&l.done), N);
    for (int i = 0; i < N; i++)
        cr_assert_eq(atomic_load(&ran[i]), 1, "task %d ran %d times", i, (int)ran[i]);
    struct tp_pool_stats s = get_stats(l.pool);
    cr_assert_eq(s.tasks, (uint64_t)N);
    cr_assert_eq(s.queued, 0);
    tp_pool_destroy(l.pool);
}

Test(pool, threads_follows_resize, .timeout = 30)
{
    struct tp_pool *pool = make_resizable(3, 10, "rszth");
    static const int sizes[] = { 10, 1, 7, 7, 2, 10, 3 };

    cr_assert_eq(tp_pool_threads(pool), 3);
    cr_assert_eq(get_stats(pool).threads, 3);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cr_assert_eq(tp_pool_resize(pool, sizes[i]), 0);
        cr_assert_eq(tp_pool_threads(pool), sizes[i]);
        struct tp_pool_stats s = get_stats(pool);
        cr_assert_eq(s.threads, sizes[i]);
        /* Growing starts the workers at once; shrinking lets them leave. */
        cr_assert_geq(s.live, sizes[i]);
        cr_assert_leq(s.live, 10);
    }
    tp_pool_destroy(pool);
}

Test(pool, resize_to_max_threads_and_back_is_accepted, .timeout = 30)
{
    struct tp_pool *pool = make_pool(6); /* max_threads 0: the pool's own size */

    cr_assert_eq(tp_pool_resize(pool, 1), 0);
    cr_assert_eq(tp_pool_resize(pool, 6), 0);
    cr_assert_eq(tp_pool_threads(pool), 6);
    cr_assert_eq(tp_pool_resize(pool, 7), -EINVAL);
    cr_assert_eq(get_stats(pool).live, 6);
    tp_pool_destroy(pool);
}

Test(pool, live_converges_to_target_after_shrink, .timeout = 60)
{
    struct tp_pool *pool = make_resizable(16, 16, "rszlv");

    cr_assert_eq(get_stats(pool).live, 16);
    cr_assert_eq(tp_pool_resize(pool, 3), 0);
    int live = wait_live(pool, 3);
    cr_assert_eq(live, 3, "live %d after shrinking to 3", live);
    struct kthreads k = wait_kernel_threads("rszlv", 3, 0);
    cr_assert_eq(k.n, 3, "%d worker threads left, want 3", k.n);
    cr_assert_eq(k.slots, 0x7, "the lowest slots stay (slots %#llx)", (unsigned long long)k.slots);
    /* Still a working pool. */
    static _Atomic long done;
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(atomic_load(&done), 1000);
    tp_pool_destroy(pool);
}

Test(pool, shrink_while_all_workers_parked_they_leave, .timeout = 60)
{
    struct tp_pool *pool = make_resizable(12, 12, "rszpk");
    static _Atomic long done;

    for (int i = 0; i < 100; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    /* Every worker asleep in the kernel: parked on its futex. */
    struct kthreads k = wait_kernel_threads("rszpk", 12, 1);
    cr_assert_eq(k.sleeping, 12, "%d of %d workers asleep", k.sleeping, k.n);
    cr_assert_eq(tp_pool_resize(pool, 2), 0);
    /* No task is submitted: the shrink alone must wake them to leave. */
    cr_assert_eq(wait_live(pool, 2), 2);
    k = wait_kernel_threads("rszpk", 2, 0);
    cr_assert_eq(k.n, 2, "%d worker threads left, want 2", k.n);
    cr_assert_eq(k.slots, 0x3);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(atomic_load(&done), 200);
    tp_pool_destroy(pool);
}

Test(pool, shrink_while_workers_block_in_long_tasks_they_leave_after_the_task, .timeout = 60)
{
    static struct gate g = GATE_INIT;
    struct tp_pool *pool = make_resizable(8, 9, "rszbl") /* 9 slots: sensing on */;

    for (int i = 0; i < 8; i++)
        cr_assert_eq(tp_pool_submit(pool, gate_task, &g), 0);
    cr_assert_eq(wait_at_least(&g.entered, 8), 8);
    cr_assert_eq(tp_pool_resize(pool, 2), 0);
    cr_assert_eq(tp_pool_threads(pool), 2);
    /* Every worker is inside a task: none can have left. */
    struct tp_pool_stats s = get_stats(pool);
    cr_assert_eq(s.live, 8);
    cr_assert_eq(s.threads, 2);
    cr_assert_eq(kernel_threads("rszbl").n, 8);
    gate_open(&g);
    cr_assert_eq(wait_live(pool, 2), 2);
    cr_assert_eq(tp_pool_wait(pool), 0);
    s = get_stats(pool);
    cr_assert_eq(s.tasks, 8);
    struct kthreads k = wait_kernel_threads("rszbl", 2, 0);
    cr_assert_eq(k.n, 2, "%d worker threads left, want 2", k.n);
    cr_assert_eq(k.slots, 0x3);
    tp_pool_destroy(pool);
}

Test(pool, grow_after_shrink_reuses_slots, .timeout = 120)
{
    static struct rendezvous r = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };
    struct tp_pool *pool = make_resizable(8, 8, "rszgr");

    for (int cycle = 0; cycle < 20; cycle++) {
        int low = 1 + cycle % 3;
        cr_assert_eq(tp_pool_resize(pool, low), 0);
        if (cycle % 2 == 0) /* odd cycles grow again before the workers are gone */
            cr_assert_eq(wait_live(pool, low), low);
        cr_assert_eq(tp_pool_resize(pool, 8), 0);
        /* Growing starts the missing workers before it returns. */
        struct tp_pool_stats s = get_stats(pool);
        cr_assert_eq(s.live, 8, "cycle %d: live %d", cycle, s.live);
        /* One thread per slot, slots 0-7 (a joined thread may linger in
         * /proc/self/task for a moment: poll). */
        struct kthreads k = wait_kernel_threads("rszgr", 8, 0);
        cr_assert_eq(k.n, 8, "cycle %d: %d worker threads for 8 slots", cycle, k.n);
        cr_assert_eq(k.slots, 0xff, "cycle %d: slots %#llx", cycle, (unsigned long long)k.slots);
    }
    /* And all 8 really serve: 8 tasks that only finish together. */
    r.want = 8;
    for (int i = 0; i < 8; i++)
        cr_assert_eq(tp_pool_submit(pool, rendezvous_task, &r), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(atomic_load(&r.timed_out), 0, "only %d of 8 tasks ever ran together", r.arrived);
    tp_pool_destroy(pool);
}

/* Not root: RLIMIT_NPROC 0 stops every new thread. Root: the limit binds
 * only after dropping to an unprivileged uid. Either way the pool already
 * runs its 2 workers, and the resize cannot start more than a few. */
static int resize_fails_body(void)
{
    struct tp_pool_opts opts = { .threads = 2, .max_threads = 64 };
    struct tp_pool *pool = NULL;
    static _Atomic long done;

    if (tp_pool_create(&pool, &opts, NULL) != 0)
        return 40;
    struct rlimit lim = { 0, 0 };
    if (geteuid() == 0) {
        lim.rlim_cur = lim.rlim_max = 8;
        if (setrlimit(RLIMIT_NPROC, &lim) != 0)
            return 41;
        if (setgid(65534) != 0 || setuid(65534) != 0)
            return 42;
    } else if (setrlimit(RLIMIT_NPROC, &lim) != 0) {
        return 41;
    }
    int rc = tp_pool_resize(pool, 64);
    if (rc == 0)
        return 43; /* the limit did not bite */
    if (rc != -EAGAIN && rc != -ENOMEM)
        return 44;
    int n = tp_pool_threads(pool);
    if (n < 2 || n >= 64)
        return 45;
    struct tp_pool_stats s;
    if (tp_pool_stats(pool, &s) != 0 || s.threads != n || s.live != n)
        return 46;
    for (int i = 0; i < 1000; i++)
        if (tp_pool_submit(pool, count_task, (void *)&done) != 0)
            return 47;
    tp_pool_wait(pool);
    if (atomic_load(&done) != 1000)
        return 48;
    if (tp_pool_resize(pool, 1) != 0)
        return 49;
    tp_pool_destroy(pool);
    return 0;
}

Test(pool, resize_that_cannot_start_workers_keeps_those_it_has, .timeout = 60)
{
    int status = in_child(resize_fails_body);
    cr_assert_eq(status, 0, "child status %d", status);
}

/* ------------------------------------------------------------ sensing */

static void sleep_1ms_task(void *arg)
{
    sleep_ms(1);
    atomic_fetch_add((_Atomic long *)arg, 1);
}

Test(pool, stats_count_tasks_and_busy_time, .timeout = 60)
{
    enum { N = 200 };
    static _Atomic long done;
    struct tp_pool *pool = make_resizable(4, 8, "stbsy");

    struct tp_pool_stats s = get_stats(pool);
    cr_assert_eq(s.sensing, 1);
    cr_assert_eq(s.tasks, 0);
    cr_assert_eq(s.busy_ns, 0);
    for (int i = 0; i < N; i++)
        cr_assert_eq(tp_pool_submit(pool, sleep_1ms_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    s = get_stats(pool);
    cr_assert_eq(atomic_load(&done), N);
    cr_assert_eq(s.tasks, (uint64_t)N);
    cr_assert_geq(s.busy_ns, (uint64_t)N * 1000000u, "busy %" PRIu64 " ns for %d tasks of 1 ms", s.busy_ns, N);
    cr_assert_eq(s.threads, 4);
    cr_assert_eq(s.live, 4);
    cr_assert_eq(s.queued, 0);
    /* The counters of workers that left are kept. */
    cr_assert_eq(tp_pool_resize(pool, 1), 0);
    cr_assert_eq(wait_live(pool, 1), 1);
    struct tp_pool_stats after = get_stats(pool);
    cr_assert_eq(after.tasks, s.tasks);
    cr_assert_eq(after.busy_ns, s.busy_ns);
    cr_assert_geq(after.cpu_ns, s.cpu_ns);
    cr_assert_geq(after.runq_ns, s.runq_ns);
    tp_pool_destroy(pool);
}

struct burn {
    _Atomic uint64_t burnt_ns; /* CPU the tasks measured on their own thread clocks */
};

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void burn_2ms_task(void *arg)
{
    struct burn *b = arg;
    uint64_t t0 = thread_cpu_ns(), t;
    while ((t = thread_cpu_ns()) - t0 < 2000000u)
        ;
    atomic_fetch_add(&b->burnt_ns, t - t0);
}

Test(pool, stats_cpu_time_of_cpu_burning_tasks, .timeout = 60)
{
    static struct burn b;
    struct tp_pool *pool = make_resizable(2, 4, "stcpu");

    for (int i = 0; i < 50; i++)
        cr_assert_eq(tp_pool_submit(pool, burn_2ms_task, &b), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    struct tp_pool_stats s = get_stats(pool);
    cr_assert_eq(s.tasks, 50);
    cr_assert_gt(s.cpu_ns, 0);
    /* The workers' CPU time includes their tasks' CPU time. */
    cr_assert_geq(s.cpu_ns, atomic_load(&b.burnt_ns), "cpu %" PRIu64 " ns < %" PRIu64 " ns burnt in tasks", s.cpu_ns,
                  atomic_load(&b.burnt_ns));
    cr_assert_geq(s.busy_ns, atomic_load(&b.burnt_ns));
    tp_pool_destroy(pool);
}

static int schedstat_readable(void)
{
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    unsigned long long cpu, runq;
    int ok = f != NULL && fscanf(f, "%llu %llu", &cpu, &runq) == 2;
    if (f != NULL)
        fclose(f);
    return ok;
}

Test(pool, stats_runq_known_matches_schedstat, .timeout = 30)
{
    struct tp_pool *pool = make_resizable(2, 4, "strq");
    struct tp_pool_stats s = get_stats(pool);
    cr_assert_eq(s.sensing, 1);
    cr_assert_eq(s.runq_known, schedstat_readable(), "runq_known %d, schedstat readable %d", s.runq_known,
                 schedstat_readable());
    if (!s.runq_known)
        cr_assert_eq(s.runq_ns, 0);
    tp_pool_destroy(pool);

    /* A fixed-size pool does not sense: no counters, nothing known. */
    static _Atomic long done;
    pool = make_pool(2);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    s = get_stats(pool);
    cr_assert_eq(s.sensing, 0);
    cr_assert_eq(s.runq_known, 0);
    cr_assert_eq(s.tasks, 0);
    cr_assert_eq(s.threads, 2);
    cr_assert_eq(s.live, 2);
    tp_pool_destroy(pool);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A sensing worker keeps its schedstat file open: closed when it leaves,
 * and at destroy; none leaks. */
Test(pool, schedstat_files_are_closed_when_workers_leave, .timeout = 60)
{
    int base = open_fds();
    struct tp_pool *pool = make_resizable(16, 32, "stfd");
    int per_worker = get_stats(pool).runq_known; /* 1: each worker holds one */
    static _Atomic long done;

    for (int i = 0; i < 200; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(open_fds(), base + 16 * per_worker);
    cr_assert_eq(tp_pool_resize(pool, 2), 0);
    cr_assert_eq(wait_live(pool, 2), 2);
    cr_assert_eq(open_fds(), base + 2 * per_worker, "%d files open, want %d", open_fds(), base + 2 * per_worker);
    for (int cycle = 0; cycle < 10; cycle++) {
        cr_assert_eq(tp_pool_resize(pool, 32), 0);
        cr_assert_eq(tp_pool_resize(pool, 1), 0);
    }
    cr_assert_eq(wait_live(pool, 1), 1);
    cr_assert_eq(open_fds(), base + per_worker, "%d files open, want %d", open_fds(), base + per_worker);
    cr_assert_eq(tp_pool_resize(pool, 32), 0);
    tp_pool_destroy(pool);
    cr_assert_eq(open_fds(), base, "%d files open after destroy, %d before create", open_fds(), base);
}

/* Under RLIMIT_NOFILE 64 a sensing pool keeps at most 64 / 4 = 16
 * schedstat files open, whatever its size: a pool of 40 must not eat the
 * program's descriptors. The run-queue wait is then a sample: runq_tasks
 * counts the tasks of the workers that hold one, fewer than all. (Criterion
 * runs each test in its own process: the limit stays there.) */
Test(pool, schedstat_files_stay_within_a_quarter_of_the_descriptor_limit, .timeout = 60)
{
    struct rlimit rl = { .rlim_cur = 64, .rlim_max = 64 };
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    int base = open_fds();
    struct tp_pool *pool = make_resizable(40, 64, "stbg");
    struct tp_pool_stats s = get_stats(pool);
    int expect = s.runq_known ? 16 : 0;
    static _Atomic long done;
    for (int i = 0; i < 4000; i++)
        cr_assert_eq(tp_pool_submit(pool, sleep_1ms_task, (void *)&done), 0);
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(open_fds(), base + expect, "%d files open, want %d", open_fds(), base + expect);
    s = get_stats(pool);
    cr_assert_eq(s.tasks, 4000);
    if (s.runq_known)
        cr_assert(s.runq_tasks > 0 && s.runq_tasks < s.tasks, "runq_tasks %llu of %llu",
                  (unsigned long long)s.runq_tasks, (unsigned long long)s.tasks);
    cr_assert_gt(s.cpu_ns, 0, "the workers without a file still count CPU");
    tp_pool_destroy(pool);
    cr_assert_eq(open_fds(), base);
}

/* ------------------------------------------------------------ resizing: errors */

Test(pool, resize_to_zero_is_einval, .timeout = 10)
{
    struct tp_pool *pool = make_resizable(2, 8, "rsze0");
    cr_assert_eq(tp_pool_resize(pool, 0), -EINVAL);
    cr_assert_eq(tp_pool_resize(pool, -1), -EINVAL);
    cr_assert_eq(tp_pool_threads(pool), 2);
    tp_pool_destroy(pool);
}

Test(pool, resize_above_max_threads_is_einval, .timeout = 10)
{
    struct tp_pool *pool = make_resizable(2, 8, "rszem");
    cr_assert_eq(tp_pool_resize(pool, 9), -EINVAL);
    cr_assert_eq(tp_pool_resize(pool, INT_MAX), -EINVAL);
    cr_assert_eq(tp_pool_threads(pool), 2);
    cr_assert_eq(get_stats(pool).live, 2);
    tp_pool_destroy(pool);
}

Test(pool, resize_null_pool_is_einval, .timeout = 10) { cr_assert_eq(tp_pool_resize(NULL, 1), -EINVAL); }

Test(pool, stats_null_is_einval, .timeout = 10)
{
    struct tp_pool_stats s;
    struct tp_pool *pool = make_resizable(1, 2, "stnul");
    cr_assert_eq(tp_pool_stats(NULL, &s), -EINVAL);
    cr_assert_eq(tp_pool_stats(pool, NULL), -EINVAL);
    tp_pool_destroy(pool);
}

Test(pool, create_rejects_online_threads_below_min, .timeout = 10)
{
    struct tp_pool_opts opts = { .threads = 2, .online = { .enabled = 1, .min_threads = 4, .max_threads = 16 } };
    struct tp_pool *pool = (struct tp_pool *)&pool;
    int started = 42;
    cr_assert_eq(tp_pool_create(&pool, &opts, &started), -EINVAL);
    cr_assert_null(pool);
    cr_assert_eq(started, 0);
}

Test(pool, create_rejects_online_threads_above_max, .timeout = 10)
{
    struct tp_pool_opts opts = { .threads = 17, .online = { .enabled = 1, .min_threads = 4, .max_threads = 16 } };
    struct tp_pool *pool = (struct tp_pool *)&pool;
    int started = 42;
    cr_assert_eq(tp_pool_create(&pool, &opts, &started), -EINVAL);
    cr_assert_null(pool);
    cr_assert_eq(started, 0);
    /* The bounds themselves are accepted. */
    opts.threads = 16;
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    tp_pool_destroy(pool);
    opts.threads = 4;
    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    tp_pool_destroy(pool);
}

/* ------------------------------------------------------------ online tuning */

struct step_log {
    _Atomic int steps;
    _Atomic int out_of_bounds;
    int min, max;
};

static void count_step(void *ctx, const struct tp_ctl_step *step)
{
    struct step_log *log = ctx;
    atomic_fetch_add(&log->steps, 1);
    if (step->threads < log->min || step->threads > log->max || step->threads_before < log->min ||
        step->threads_before > log->max)
        atomic_fetch_add(&log->out_of_bounds, 1);
}

Test(pool, online_pool_steps_within_its_bounds, .timeout = 60)
{
    static struct step_log log = { .min = 2, .max = 12 };
    static _Atomic long done;
    struct tp_pool_opts opts = { .threads = 4,
                                 .name = "onl",
                                 .online = { .enabled = 1,
                                             .min_threads = 2,
                                             .max_threads = 12,
                                             .interval_ms = 20,
                                             .on_step = count_step,
                                             .step_ctx = &log } };
    struct tp_pool *pool = NULL;
    long submitted = 0;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    cr_assert_eq(get_stats(pool).sensing, 1);
    uint64_t t0 = tp__now_ns();
    /* About 0.5 s of 1 ms blocking tasks, at most 64 outstanding, and at
     * least until the controller has stepped once (bounded by the timeout). */
    while (tp__now_ns() - t0 < 500000000u || atomic_load(&log.steps) == 0) {
        if (submitted - atomic_load(&done) < 64) {
            cr_assert_eq(tp_pool_submit(pool, sleep_1ms_task, (void *)&done), 0);
            submitted++;
        } else {
            sleep_ms(1);
        }
        int n = tp_pool_threads(pool);
        cr_assert(n >= 2 && n <= 12, "online pool at %d threads, bounds [2, 12]", n);
        if (submitted % 16 == 0) {
            struct tp_pool_stats s = get_stats(pool);
            cr_assert_leq(s.live, 12, "%d live workers, at most 12", s.live);
        }
    }
    cr_assert_eq(tp_pool_wait(pool), 0);
    cr_assert_eq(atomic_load(&done), submitted);
    cr_assert_gt(atomic_load(&log.steps), 0);
    cr_assert_eq(atomic_load(&log.out_of_bounds), 0);
    /* No speed asserted: the .timeout is what fails a destroy that hangs. */
    tp_pool_destroy(pool);
}

/* The controller sleeps for its interval on a condition variable: destroy
 * wakes it at once rather than waiting out a minute (the .timeout fails a
 * destroy that waits). */
Test(pool, online_pool_destroy_does_not_wait_for_the_interval, .timeout = 20)
{
    struct tp_pool_opts opts = { .threads = 2, .online = { .enabled = 1, .interval_ms = 60000 } };
    struct tp_pool *pool = NULL;
    static _Atomic long done;

    cr_assert_eq(tp_pool_create(&pool, &opts, NULL), 0);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(tp_pool_submit(pool, count_task, (void *)&done), 0);
    sleep_ms(10);
    tp_pool_destroy(pool);
    cr_assert_eq(atomic_load(&done), 10);
}
