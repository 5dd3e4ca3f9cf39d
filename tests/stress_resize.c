/* stress_resize.c - plain-program stress test of pool resizing and sensing for ThreadSanitizer: resizers, submitters,
 * stats readers and the online controller at once; exits non-zero on failure. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tunepool/tunepool.h"

#define STRESS_NAME "stress_resize"
#include "stress.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define STRESS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(STRESS_TSAN)
#define SCALE 8 /* ThreadSanitizer: thread starts and atomics cost ~10x; fewer tasks, same interleavings */
#elif defined(__SANITIZE_ADDRESS__) || defined(STRESS_ASAN)
#define SCALE 2
#else
#define SCALE 1
#endif
#define MAX_SLOTS 64

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct tp_pool *make_pool(const struct tp_pool_opts *opts)
{
    struct tp_pool *pool = NULL;
    int started = 0;
    int rc = tp_pool_create(&pool, opts, &started);
    if (rc != 0) {
        fprintf(stderr, "stress_resize: tp_pool_create(%d): %s (%d started)\n", opts->threads, tp_strerror(rc),
                started);
        exit(1);
    }
    return pool;
}

/* Polls stats.live until it equals want (about 20 s at most); returns it. */
static int wait_live(struct tp_pool *pool, int want)
{
    struct tp_pool_stats s;
    tp_pool_stats(pool, &s);
    for (int i = 0; i < 20000 && s.live != want; i++) {
        sleep_us(1000);
        tp_pool_stats(pool, &s);
    }
    return s.live;
}

/* ---------------------------------------------------------------- tasks */
/* Each task marks its own byte: every one must end at exactly 1. Every
 * SLEEP_EVERY-th sleeps, so that workers are inside tasks when they are told
 * to leave. */

struct load {
    struct tp_pool *pool;
    _Atomic unsigned char *ran;
    size_t n; /* bytes in ran */
    int sleep_every;
    long sleep_us;
    _Atomic long done;     /* tasks finished (counted inside the task) */
    _Atomic long sleepers; /* of which slept */
    _Atomic long submitted;
    _Atomic int submitting; /* submitters still running */
    _Atomic int stop;       /* tells the helpers (resizer, reader) to stop */
};

static struct load *cur_load; /* the phase's load: tasks carry only their index */

static void load_task(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    struct load *l = cur_load;
    if (l->sleep_every > 0 && i % (size_t)l->sleep_every == 0) {
        sleep_us(l->sleep_us);
        atomic_fetch_add_explicit(&l->sleepers, 1, memory_order_relaxed);
    }
    atomic_fetch_add_explicit(&l->ran[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&l->done, 1, memory_order_relaxed);
}

static void load_init(struct load *l, size_t n, int sleep_every, long sleep_us_each)
{
    memset(l, 0, sizeof *l);
    l->ran = calloc(n, 1);
    if (l->ran == NULL) {
        fprintf(stderr, "stress_resize: out of memory\n");
        exit(1);
    }
    l->n = n;
    l->sleep_every = sleep_every;
    l->sleep_us = sleep_us_each;
    cur_load = l;
}

/* Every submitted index ran once, every other index never. */
static void load_check(struct load *l, const char *phase, const size_t *from, const size_t *to, int ranges)
{
    long bad = 0;
    for (size_t i = 0; i < l->n; i++) {
        int want = 0;
        for (int r = 0; r < ranges; r++)
            if (i >= from[r] && i < to[r])
                want = 1;
        int got = atomic_load(&l->ran[i]);
        if (got != want && bad++ < 5)
            CHECK(0, "%s: task %zu ran %d times, want %d", phase, i, got, want);
    }
    CHECK(bad == 0, "%s: %ld tasks ran a wrong number of times", phase, bad);
}

struct submitter {
    struct load *l;
    size_t from, to;   /* indices to submit */
    uint64_t deadline; /* 0: submit them all; else stop at this time (at least min_n) */
    size_t min_n;
    long max_outstanding; /* 0: no throttle */
    size_t end;           /* out: one past the last index submitted */
};

static void *submitter_main(void *arg)
{
    struct submitter *s = arg;
    struct load *l = s->l;
    size_t i = s->from;
    for (; i < s->to; i++) {
        if (s->deadline != 0 && i - s->from >= s->min_n && now_ns() >= s->deadline)
            break;
        while (s->max_outstanding > 0 && atomic_load(&l->submitted) - atomic_load(&l->done) >= s->max_outstanding)
            sleep_us(200);
        int rc = tp_pool_submit(l->pool, load_task, (void *)(uintptr_t)i);
        if (rc != 0) {
            CHECK(0, "submit: %s", tp_strerror(rc));
            break;
        }
        atomic_fetch_add(&l->submitted, 1);
    }
    s->end = i;
    atomic_fetch_sub(&l->submitting, 1);
    return NULL;
}

/* ---------------------------------------------------------------- helpers */

/* Resizes to random sizes in [1, MAX_SLOTS] as fast as it can: a random
 * jump one time in four, else a step of at most 4 either way (many more
 * resizes per second where starting a thread is dear, as under TSan). */
struct resizer {
    struct load *l;
    uint64_t seed;
    long pause_us; /* 0: no pause between resizes */
    long resizes;  /* out */
};

static void *resizer_main(void *arg)
{
    struct resizer *r = arg;
    int n = tp_pool_threads(r->l->pool);
    while (!atomic_load(&r->l->stop)) {
        uint64_t x = xorshift(&r->seed);
        if (x % 4 == 0)
            n = 1 + (int)((x >> 2) % MAX_SLOTS);
        else
            n += (int)((x >> 2) % 9) - 4;
        n = n < 1 ? 1 : n > MAX_SLOTS ? MAX_SLOTS : n;
        int rc = tp_pool_resize(r->l->pool, n);
        CHECK(rc == 0, "resize to %d: %s", n, tp_strerror(rc));
        int t = tp_pool_threads(r->l->pool);
        CHECK(t >= 1 && t <= MAX_SLOTS, "tp_pool_threads %d after resize to %d", t, n);
        r->resizes++;
        if (r->pause_us > 0)
            sleep_us(r->pause_us);
    }
    return NULL;
}

/* Reads tp_pool_stats in a loop: the counters never go backwards, never run
 * ahead of the tasks, and the sizes stay within the slots. */
struct reader {
    struct load *l;
    int max_threads; /* size bound to check */
    int min_threads;
    long reads; /* out */
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    struct tp_pool_stats prev = { 0 }, s;
    while (!atomic_load(&r->l->stop)) {
        int rc = tp_pool_stats(r->l->pool, &s);
        long done = atomic_load(&r->l->done); /* after the stats: tasks count themselves first */
        if (rc != 0) {
            CHECK(0, "tp_pool_stats: %s", tp_strerror(rc));
            break;
        }
        CHECK(s.sensing == 1, "sensing %d", s.sensing);
        CHECK(s.tasks >= prev.tasks, "tasks went back: %llu -> %llu", (unsigned long long)prev.tasks,
              (unsigned long long)s.tasks);
        CHECK(s.busy_ns >= prev.busy_ns, "busy_ns went back: %llu -> %llu", (unsigned long long)prev.busy_ns,
              (unsigned long long)s.busy_ns);
        CHECK(s.cpu_ns >= prev.cpu_ns, "cpu_ns went back: %llu -> %llu", (unsigned long long)prev.cpu_ns,
              (unsigned long long)s.cpu_ns);
        CHECK(s.runq_ns >= prev.runq_ns, "runq_ns went back: %llu -> %llu", (unsigned long long)prev.runq_ns,
              (unsigned long long)s.runq_ns);
        CHECK(s.tasks <= (uint64_t)done, "stats.tasks %llu ahead of %ld tasks run", (unsigned long long)s.tasks, done);
        CHECK(s.threads >= r->min_threads && s.threads <= r->max_threads, "stats.threads %d outside [%d, %d]",
              s.threads, r->min_threads, r->max_threads);
        CHECK(s.live >= 0 && s.live <= MAX_SLOTS, "stats.live %d outside [0, %d]", s.live, MAX_SLOTS);
        if (failures > 20)
            break; /* enough said */
        prev = s;
        r->reads++;
        sched_yield();
    }
    return NULL;
}

static void final_stats_check(const char *phase, struct tp_pool *pool, struct load *l)
{
    struct tp_pool_stats s;
    long submitted = atomic_load(&l->submitted);
    CHECK(tp_pool_stats(pool, &s) == 0, "%s: tp_pool_stats failed", phase);
    CHECK(atomic_load(&l->done) == submitted, "%s: %ld of %ld tasks ran", phase, atomic_load(&l->done), submitted);
    CHECK(s.tasks == (uint64_t)submitted, "%s: stats.tasks %llu, %ld tasks ran", phase, (unsigned long long)s.tasks,
          submitted);
    CHECK(s.busy_ns >= (uint64_t)atomic_load(&l->sleepers) * (uint64_t)l->sleep_us * 1000u,
          "%s: busy_ns %llu < %ld sleeps of %ld us", phase, (unsigned long long)s.busy_ns, atomic_load(&l->sleepers),
          l->sleep_us);
    CHECK(s.cpu_ns > 0, "%s: cpu_ns 0", phase);
    CHECK(s.queued == 0, "%s: %llu queued after wait", phase, (unsigned long long)s.queued);
}

/* ---------------------------------------------------------------- phase 1 */
/* Two submitters (tiny tasks, some sleeping 50 us) through a small ring, one
 * thread resizing between 1 and 64 as fast as it can, one reading stats; in
 * rounds of n tasks (each must run exactly once) for at least PHASE1_S. */

#define PHASE1_S 1.5

static void phase_resize_under_load(void)
{
    const size_t n = 200000 / SCALE;
    struct load l;
    struct tp_pool_opts opts = { .threads = 8, .max_threads = MAX_SLOTS, .queue_capacity = 1024, .name = "rsz" };
    struct resizer rz = { &l, 0x2545f4914f6cdd1du, 0, 0 };
    struct reader rd = { &l, MAX_SLOTS, 1, 0 };
    pthread_t rt, dt;
    uint64_t t0 = now_ns();
    int rounds = 0;

    load_init(&l, n, 32, 50);
    l.pool = make_pool(&opts);
    pthread_create(&rt, NULL, resizer_main, &rz);
    pthread_create(&dt, NULL, reader_main, &rd);
    do {
        struct submitter subs[2];
        pthread_t st[2];
        atomic_store(&l.submitting, 2);
        for (int i = 0; i < 2; i++) {
            subs[i] = (struct submitter){ &l, n * (size_t)i / 2, n * (size_t)(i + 1) / 2, 0, 0, 0, 0 };
            pthread_create(&st[i], NULL, submitter_main, &subs[i]);
        }
        for (int i = 0; i < 2; i++)
            pthread_join(st[i], NULL);
        /* The last tasks run while the resizer goes on. */
        CHECK(tp_pool_wait(l.pool) == 0, "wait failed");
        CHECK(subs[0].end == subs[0].to && subs[1].end == subs[1].to, "phase 1: not every task submitted");
        CHECK(atomic_load(&l.done) == atomic_load(&l.submitted), "phase 1: wait returned with %ld of %ld done",
              atomic_load(&l.done), atomic_load(&l.submitted));
        size_t from[2] = { subs[0].from, subs[1].from }, to[2] = { subs[0].end, subs[1].end };
        load_check(&l, "phase 1", from, to, 2);
        memset((void *)l.ran, 0, l.n); /* nothing runs: every task of the round is done */
        rounds++;
    } while (failures == 0 && (double)(now_ns() - t0) / 1e9 < PHASE1_S);
    atomic_store(&l.stop, 1);
    pthread_join(rt, NULL);
    pthread_join(dt, NULL);
    CHECK(tp_pool_wait(l.pool) == 0, "wait failed");
    final_stats_check("phase 1", l.pool, &l);
    printf("stress_resize:   %d rounds, %ld tasks, %ld resizes, %ld stats reads\n", rounds, atomic_load(&l.submitted),
           rz.resizes, rd.reads);
    CHECK(rz.resizes > 0 && rd.reads > 0, "phase 1: %ld resizes, %ld stats reads", rz.resizes, rd.reads);

    /* Whatever state the hammering left: shrink converges, grow is immediate. */
    CHECK(tp_pool_resize(l.pool, 1) == 0, "resize to 1");
    int live = wait_live(l.pool, 1);
    CHECK(live == 1, "phase 1: live %d after shrinking to 1", live);
    CHECK(tp_pool_resize(l.pool, MAX_SLOTS) == 0, "resize to %d", MAX_SLOTS);
    struct tp_pool_stats s;
    tp_pool_stats(l.pool, &s);
    CHECK(s.live == MAX_SLOTS, "phase 1: live %d after growing to %d", s.live, MAX_SLOTS);
    tp_pool_destroy(l.pool);
    free((void *)l.ran);
}

/* ---------------------------------------------------------------- phase 2 */
/* An online pool (interval 5 ms) under load: two submitters of tasks that
 * block 200 us (a pool that wants to grow) and tiny ones, a stats reader,
 * and for the second half a user resizing it too (two resizers racing). */

struct step_log {
    _Atomic long steps;
    _Atomic long out_of_bounds;
    int min, max;
};

static void on_step(void *ctx, const struct tp_ctl_step *step)
{
    struct step_log *log = ctx;
    atomic_fetch_add(&log->steps, 1);
    if (step->threads < log->min || step->threads > log->max)
        atomic_fetch_add(&log->out_of_bounds, 1);
}

static void phase_online_under_load(void)
{
    const size_t cap = 1000000; /* not reached: the deadline ends the load */
    struct load l;
    struct step_log log = { 0, 0, 1, MAX_SLOTS };
    struct tp_pool_opts opts = { .threads = 4,
                                 .name = "onl",
                                 .online = { .enabled = 1,
                                             .min_threads = 1,
                                             .max_threads = MAX_SLOTS,
                                             .interval_ms = 5,
                                             .on_step = on_step,
                                             .step_ctx = &log } };
    struct submitter subs[2];
    struct resizer rz = { &l, 0x9e3779b97f4a7c15u, 2000, 0 };
    struct reader rd = { &l, MAX_SLOTS, 1, 0 };
    pthread_t st[2], rt, dt;
    uint64_t t0 = now_ns();

    load_init(&l, cap, 4, 200);
    l.pool = make_pool(&opts);
    atomic_store(&l.submitting, 2);
    for (int i = 0; i < 2; i++) {
        /* 0.6 s of load (and at least a few thousand tasks), 2000 outstanding at most */
        subs[i] =
            (struct submitter){ &l, cap * (size_t)i / 2, cap * (size_t)(i + 1) / 2, t0 + 600000000u, 4000 / SCALE, 2000,
                                0 };
        pthread_create(&st[i], NULL, submitter_main, &subs[i]);
    }
    pthread_create(&dt, NULL, reader_main, &rd);
    sleep_us(300000); /* the controller alone first */
    pthread_create(&rt, NULL, resizer_main, &rz);
    for (int i = 0; i < 2; i++)
        pthread_join(st[i], NULL);
    CHECK(tp_pool_wait(l.pool) == 0, "wait failed");
    atomic_store(&l.stop, 1);
    pthread_join(rt, NULL);
    pthread_join(dt, NULL);
    final_stats_check("phase 2", l.pool, &l);
    printf("stress_resize:   %ld tasks, %ld controller steps, %ld user resizes, %ld stats reads\n",
           atomic_load(&l.submitted), atomic_load(&log.steps), rz.resizes, rd.reads);
    CHECK(atomic_load(&log.steps) > 0, "phase 2: the controller never stepped");
    CHECK(atomic_load(&log.out_of_bounds) == 0, "phase 2: %ld steps outside [1, %d]", atomic_load(&log.out_of_bounds),
          MAX_SLOTS);
    tp_pool_destroy(l.pool);
    size_t from[2] = { subs[0].from, subs[1].from }, to[2] = { subs[0].end, subs[1].end };
    load_check(&l, "phase 2", from, to, 2);
    free((void *)l.ran);
}

/* ---------------------------------------------------------------- phase 3 */
/* One task at a time, a resize before each: the worker that must run it may
 * have just been told to leave, or be parked, or not started yet. A lost
 * wake-up or a lost worker hangs (watchdog). */

static void phase_resize_between_single_tasks(void)
{
    struct load l;
    const size_t n = 10000 / SCALE;
    struct tp_pool_opts opts = { .threads = 16, .max_threads = MAX_SLOTS, .name = "one" };
    uint64_t seed = 42;

    int size = opts.threads;

    load_init(&l, n, 0, 0);
    l.pool = make_pool(&opts);
    for (size_t i = 0; i < n; i++) {
        /* A random walk of small steps (cheap: few threads start), now and
         * then a jump; sometimes the size drops again right after the submit. */
        if (i % 16 == 0)
            size = 1 + (int)(xorshift(&seed) % MAX_SLOTS);
        else
            size += (int)(xorshift(&seed) % 9) - 4;
        size = size < 1 ? 1 : size > MAX_SLOTS ? MAX_SLOTS : size;
        CHECK(tp_pool_resize(l.pool, size) == 0, "resize to %d", size);
        CHECK(tp_pool_submit(l.pool, load_task, (void *)(uintptr_t)i) == 0, "submit failed");
        atomic_fetch_add(&l.submitted, 1);
        if (i % 3 == 0) {
            size = size > 4 ? size - 4 : 1;
            CHECK(tp_pool_resize(l.pool, size) == 0, "resize down to %d", size);
        }
        tp_pool_wait(l.pool);
        if (atomic_load(&l.done) != (long)i + 1) {
            CHECK(0, "phase 3: round %zu: %ld done", i, atomic_load(&l.done));
            break;
        }
        if (i % 500 == 499)
            sleep_us(2000); /* let every spinner park: the next task must wake one */
    }
    final_stats_check("phase 3", l.pool, &l);
    tp_pool_destroy(l.pool);
    size_t from = 0, to = (size_t)atomic_load(&l.submitted);
    load_check(&l, "phase 3", &from, &to, 1);
    free((void *)l.ran);
}

/* ---------------------------------------------------------------- phase 4 */
/* Create, load, resize, destroy at once: destroy joins workers that are
 * still leaving, and (every third cycle) stops an online controller. */

static void phase_resize_then_destroy(void)
{
    uint64_t seed = 777;
    for (int cycle = 0; cycle < 160 / SCALE; cycle++) {
        struct load l;
        int threads = 1 + (int)(xorshift(&seed) % 32);
        size_t n = (size_t)(xorshift(&seed) % 3000);
        struct tp_pool_opts opts = {
            .threads = threads, .max_threads = MAX_SLOTS, .queue_capacity = 256, .name = "cyc"
        };
        if (cycle % 3 == 0) {
            opts.online.enabled = 1;
            opts.online.interval_ms = 1 + (unsigned)(xorshift(&seed) % 5);
        }
        load_init(&l, n + 1, 64, 50);
        l.pool = make_pool(&opts);
        for (size_t i = 0; i < n; i++) {
            if (i == n / 2)
                CHECK(tp_pool_resize(l.pool, 1 + (int)(xorshift(&seed) % MAX_SLOTS)) == 0, "resize");
            CHECK(tp_pool_submit(l.pool, load_task, (void *)(uintptr_t)i) == 0, "submit failed");
            atomic_fetch_add(&l.submitted, 1);
        }
        CHECK(tp_pool_resize(l.pool, 1 + (int)(xorshift(&seed) % MAX_SLOTS)) == 0, "resize");
        if (cycle % 2)
            CHECK(tp_pool_resize(l.pool, 1) == 0, "resize to 1"); /* many leaving as destroy starts */
        tp_pool_destroy(l.pool);                                  /* runs what is queued, joins everyone */
        CHECK(atomic_load(&l.done) == (long)n, "phase 4: cycle %d ran %ld of %zu tasks", cycle, atomic_load(&l.done),
              n);
        size_t from = 0;
        load_check(&l, "phase 4", &from, &n, 1);
        free((void *)l.ran);
    }
}

/* ---------------------------------------------------------------- main */

struct phase {
    const char *name;
    void (*run)(void);
};

int main(void)
{
    static const struct phase phases[] = {
        { "resize under load + stats", phase_resize_under_load },
        { "online pool under load", phase_online_under_load },
        { "resize between single tasks", phase_resize_between_single_tasks },
        { "resize then destroy", phase_resize_then_destroy },
    };
    uint64_t t0, t1;

    stress_watchdog();
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        t0 = now_ns();
        phases[i].run();
        t1 = now_ns();
        printf("stress_resize: %-30s %6.2f s\n", phases[i].name, (double)(t1 - t0) / 1e9);
        fflush(stdout);
    }
    if (failures != 0) {
        fprintf(stderr, "stress_resize: %d check(s) failed\n", failures);
        return 1;
    }
    printf("stress_resize: ok\n");
    return 0;
}
