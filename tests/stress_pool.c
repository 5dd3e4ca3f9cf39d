/* stress_pool.c - plain-program stress test of the pool for ThreadSanitizer: submitters, waiters, cycles; exits non-zero on failure. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tunepool/tunepool.h"

#define STRESS_NAME "stress_pool"
#include "stress.h"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SCALE 4 /* sanitizers: fewer tasks, same interleavings */
#else
#define SCALE 1
#endif

static struct tp_pool *make_pool(int threads, size_t capacity)
{
    struct tp_pool_opts opts = { .threads = threads, .queue_capacity = capacity, .name = "stress" };
    struct tp_pool *pool = NULL;
    int started = 0;
    int rc = tp_pool_create(&pool, &opts, &started);
    if (rc != 0) {
        fprintf(stderr, "stress_pool: tp_pool_create(%d): %s (%d started)\n", threads, tp_strerror(rc), started);
        exit(1);
    }
    return pool;
}

static void mark_task(void *arg) { atomic_fetch_add_explicit((_Atomic unsigned char *)arg, 1, memory_order_relaxed); }

static void count_task(void *arg) { atomic_fetch_add_explicit((_Atomic long *)arg, 1, memory_order_relaxed); }

/* ---------------------------------------------------------------- phase 1 */
/* Several submitters, each task marks its own slot; waiters call wait all
 * along. Every slot must end at exactly 1. */

struct p1_submitter {
    struct tp_pool *pool;
    _Atomic unsigned char *slots;
    size_t from, to;
};

static _Atomic int p1_submitting;

static void *p1_submit(void *arg)
{
    struct p1_submitter *s = arg;
    for (size_t i = s->from; i < s->to; i++)
        CHECK(tp_pool_submit(s->pool, mark_task, (void *)&s->slots[i]) == 0, "submit failed");
    atomic_fetch_sub(&p1_submitting, 1);
    return NULL;
}

static void *p1_wait(void *arg)
{
    while (atomic_load(&p1_submitting) > 0)
        CHECK(tp_pool_wait(arg) == 0, "wait failed");
    return NULL;
}

static void phase_submitters_and_waiters(void)
{
    enum { SUBMITTERS = 4, WAITERS = 2 };
    const size_t n = 400000 / SCALE;
    _Atomic unsigned char *slots = calloc(n, 1);
    struct tp_pool *pool = make_pool(32, 1024);
    struct p1_submitter subs[SUBMITTERS];
    pthread_t st[SUBMITTERS], wt[WAITERS];

    atomic_store(&p1_submitting, SUBMITTERS);
    for (int i = 0; i < SUBMITTERS; i++) {
        subs[i] = (struct p1_submitter){ pool, slots, n * (size_t)i / SUBMITTERS, n * (size_t)(i + 1) / SUBMITTERS };
        pthread_create(&st[i], NULL, p1_submit, &subs[i]);
    }
    for (int i = 0; i < WAITERS; i++)
        pthread_create(&wt[i], NULL, p1_wait, pool);
    for (int i = 0; i < SUBMITTERS; i++)
        pthread_join(st[i], NULL);
    for (int i = 0; i < WAITERS; i++)
        pthread_join(wt[i], NULL);
    tp_pool_wait(pool);
    for (size_t i = 0; i < n; i++)
        CHECK(atomic_load(&slots[i]) == 1, "phase 1: task %zu ran %d times", i, (int)slots[i]);
    tp_pool_destroy(pool);
    free(slots);
}

/* ---------------------------------------------------------------- phase 2 */
/* Each thread submits a few tasks, waits, and checks that all of its own
 * tasks have run: wait must cover every task submitted before it. */

struct p2_arg {
    struct tp_pool *pool;
    uint64_t seed;
    _Atomic long done;
};

static void *p2_thread(void *arg)
{
    struct p2_arg *a = arg;
    long submitted = 0;
    for (int round = 0; round < 5000 / SCALE; round++) {
        int k = (int)(xorshift(&a->seed) % 8);
        for (int i = 0; i < k; i++) {
            CHECK(tp_pool_submit(a->pool, count_task, (void *)&a->done) == 0, "submit failed");
            submitted++;
        }
        tp_pool_wait(a->pool);
        long done = atomic_load(&a->done);
        CHECK(done == submitted, "phase 2: wait returned with %ld of %ld tasks done", done, submitted);
        if (done != submitted)
            break;
    }
    return NULL;
}

static void phase_submit_wait_interleaved(void)
{
    enum { THREADS = 4 };
    struct tp_pool *pool = make_pool(16, 64);
    struct p2_arg args[THREADS];
    pthread_t th[THREADS];

    for (int i = 0; i < THREADS; i++) {
        args[i].pool = pool;
        args[i].seed = 0x9e3779b97f4a7c15u * (uint64_t)(i + 1);
        atomic_init(&args[i].done, 0);
        pthread_create(&th[i], NULL, p2_thread, &args[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    tp_pool_destroy(pool);
}

/* ---------------------------------------------------------------- phase 3 */
/* Create/destroy cycles with random sizes; destroy sometimes right after
 * submitting, so it must run what is still queued. */

struct p3_arg {
    struct tp_pool *pool;
    int n;
    _Atomic long *done;
};

static void *p3_submit(void *arg)
{
    struct p3_arg *a = arg;
    for (int i = 0; i < a->n; i++)
        CHECK(tp_pool_submit(a->pool, count_task, (void *)a->done) == 0, "submit failed");
    return NULL;
}

static void phase_create_destroy_cycles(void)
{
    uint64_t seed = 12345;
    for (int cycle = 0; cycle < 200 / SCALE; cycle++) {
        int threads = 1 + (int)(xorshift(&seed) % 64);
        size_t capacity = (size_t)2 << (xorshift(&seed) % 8);
        int n = (int)(xorshift(&seed) % 2000);
        _Atomic long done = 0;
        struct tp_pool *pool = make_pool(threads, capacity);
        struct p3_arg a = { pool, n, &done };
        pthread_t th[2];

        pthread_create(&th[0], NULL, p3_submit, &a);
        pthread_create(&th[1], NULL, p3_submit, &a);
        pthread_join(th[0], NULL);
        pthread_join(th[1], NULL);
        if (cycle % 2)
            tp_pool_wait(pool);
        tp_pool_destroy(pool);
        CHECK(atomic_load(&done) == 2L * n, "phase 3: cycle %d ran %ld of %d tasks", cycle, atomic_load(&done), 2 * n);
    }
}

/* ---------------------------------------------------------------- phase 4 */
/* Tasks that submit tasks: a binary tree of depth D. */

struct tree {
    struct tp_pool *pool;
    _Atomic long nodes;
};

struct tree_node {
    struct tree *tree;
    int depth;
};

static struct tree_node tree_nodes[16]; /* one per depth: nodes are read-only */

static void tree_task(void *arg)
{
    const struct tree_node *node = arg;
    atomic_fetch_add(&node->tree->nodes, 1);
    if (node->depth > 0)
        for (int i = 0; i < 2; i++)
            CHECK(tp_pool_submit(node->tree->pool, tree_task, &tree_nodes[node->depth - 1]) == 0, "submit failed");
}

static void phase_tasks_submit_tasks(void)
{
    const int depth = SCALE > 1 ? 12 : 15;
    static struct tree tree;
    tree.pool = make_pool(24, (size_t)1 << 16);
    atomic_store(&tree.nodes, 0);
    for (int d = 0; d < 16; d++)
        tree_nodes[d] = (struct tree_node){ &tree, d };
    CHECK(tp_pool_submit(tree.pool, tree_task, &tree_nodes[depth]) == 0, "submit failed");
    tp_pool_wait(tree.pool);
    long expect = (2L << depth) - 1;
    CHECK(atomic_load(&tree.nodes) == expect, "phase 4: %ld of %ld nodes", atomic_load(&tree.nodes), expect);
    tp_pool_destroy(tree.pool);
}

/* ---------------------------------------------------------------- phase 5 */
/* Many threads, blocking tasks: every task runs once, destroy joins all. */

struct p5_task {
    _Atomic unsigned char ran;
    uint16_t sleep_us;
};

static void p5_run(void *arg)
{
    struct p5_task *t = arg;
    sleep_us(t->sleep_us);
    atomic_fetch_add(&t->ran, 1);
}

static void phase_many_threads_blocking(void)
{
    const int threads = SCALE > 1 ? 512 : 1024;
    const int n = 4 * threads;
    struct p5_task *tasks = calloc((size_t)n, sizeof *tasks);
    struct tp_pool *pool = make_pool(threads, 0);
    uint64_t seed = 777;

    for (int i = 0; i < n; i++) {
        tasks[i].sleep_us = (uint16_t)(100 + xorshift(&seed) % 900);
        CHECK(tp_pool_submit(pool, p5_run, &tasks[i]) == 0, "submit failed");
    }
    tp_pool_destroy(pool); /* runs them all first */
    for (int i = 0; i < n; i++)
        CHECK(atomic_load(&tasks[i].ran) == 1, "phase 5: task %d ran %d times", i, (int)tasks[i].ran);
    free(tasks);
}

/* ---------------------------------------------------------------- phase 6 */
/* One task at a time on a big idle pool: every submit must wake a parked
 * worker, every wait must be woken. A lost wake-up hangs (watchdog). */

static void phase_wake_one_at_a_time(void)
{
    _Atomic long done = 0;
    struct tp_pool *pool = make_pool(256, 0);
    const long rounds = 40000 / SCALE;

    for (long i = 0; i < rounds; i++) {
        CHECK(tp_pool_submit(pool, count_task, (void *)&done) == 0, "submit failed");
        tp_pool_wait(pool);
        if (atomic_load(&done) != i + 1) {
            CHECK(0, "phase 6: round %ld: %ld done", i, atomic_load(&done));
            break;
        }
        if (i % 1000 == 999)
            sleep_us(2000); /* let every spinner park: the next submit must wake one */
    }
    tp_pool_destroy(pool);
}

/* ---------------------------------------------------------------- main */

struct phase {
    const char *name;
    void (*run)(void);
};

int main(void)
{
    static const struct phase phases[] = {
        { "submitters and waiters", phase_submitters_and_waiters },
        { "submit/wait interleaved", phase_submit_wait_interleaved },
        { "create/destroy cycles", phase_create_destroy_cycles },
        { "tasks submit tasks", phase_tasks_submit_tasks },
        { "many threads, blocking tasks", phase_many_threads_blocking },
        { "wake one at a time", phase_wake_one_at_a_time },
    };
    struct timespec t0, t1;

    stress_watchdog();
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        phases[i].run();
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("stress_pool: %-30s %6.2f s\n", phases[i].name,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        fflush(stdout);
    }
    if (failures != 0) {
        fprintf(stderr, "stress_pool: %d check(s) failed\n", failures);
        return 1;
    }
    printf("stress_pool: ok\n");
    return 0;
}
