/* bench_main.c - benchmark driver linked with one backend: dispatch rate, start+join time, idle RSS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"

#define NOOP_BATCH 20000u /* tasks submitted between two waits */
#define BUSY_BATCH 5000u

static char task_token; /* every task's arg: some pools refuse NULL */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void noop_task(void *arg) { __asm__ __volatile__("" : : "r"(arg) : "memory"); }

/* 1 us of busy CPU, timed by the clock rather than a calibrated loop: a
 * loop's speed changes when the other vCPU (often an SMT sibling) is busy. */
static void busy_task(void *arg)
{
    (void)arg;
    uint64_t end = now_ns() + 1000u;
    while (now_ns() < end)
        __asm__ __volatile__("" ::: "memory");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints "median min max" of v[0..n). */
static void print_summary(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("%.6g %.6g %.6g\n", med, v[0], v[n - 1]);
}

static long vm_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static int run_throughput(int busy, int threads, double seconds, int reps)
{
    bench_fn fn = busy ? busy_task : noop_task;
    size_t batch = busy ? BUSY_BATCH : NOOP_BATCH;
    struct bench_pool *bp;
    double rates[64];

    bp = backend_create(threads, fn, batch);
    if (bp == NULL) {
        fprintf(stderr, "bench: %s: cannot create a pool of %d threads\n", backend_name(), threads);
        return 1;
    }
    /* Warm-up: wakes the workers, faults in the queue. */
    for (size_t i = 0; i < batch; i++)
        backend_submit(bp, &task_token);
    backend_wait(bp);

    for (int r = 0; r < reps; r++) {
        uint64_t t0 = now_ns(), t1, tasks = 0;
        do {
            for (size_t i = 0; i < batch; i++)
                backend_submit(bp, &task_token);
            backend_wait(bp);
            tasks += batch;
            t1 = now_ns();
        } while ((double)(t1 - t0) < seconds * 1e9);
        rates[r] = (double)tasks / ((double)(t1 - t0) / 1e9);
    }
    backend_destroy(bp);
    print_summary(rates, reps);
    return 0;
}

static int run_start_join(int threads, int reps)
{
    double ms[64];

    for (int r = 0; r < reps; r++) {
        uint64_t t0 = now_ns();
        struct bench_pool *bp = backend_create(threads, noop_task, 1);
        if (bp == NULL) {
            fprintf(stderr, "bench: %s: cannot create a pool of %d threads\n", backend_name(), threads);
            return 1;
        }
        backend_destroy(bp);
        ms[r] = (double)(now_ns() - t0) / 1e6;
    }
    print_summary(ms, reps);
    return 0;
}

static int run_rss(int threads, int reps)
{
    double kib[64];

    for (int r = 0; r < reps; r++) {
        long before = vm_rss_kb();
        struct bench_pool *bp = backend_create(threads, noop_task, 1);
        if (bp == NULL) {
            fprintf(stderr, "bench: %s: cannot create a pool of %d threads\n", backend_name(), threads);
            return 1;
        }
        struct timespec settle = { 0, 100 * 1000 * 1000 };
        nanosleep(&settle, NULL); /* let every worker reach its idle wait */
        long after = vm_rss_kb();
        backend_destroy(bp);
        kib[r] = (double)(after - before) / threads;
    }
    print_summary(kib, reps);
    return 0;
}

static void usage(const char *prog, FILE *where)
{
    fprintf(where,
            "Usage: %s noop|busy THREADS SECONDS REPS   tasks/s: median min max\n"
            "       %s startjoin THREADS REPS           ms to start and join: median min max\n"
            "       %s rss THREADS REPS                 KiB of RSS per idle thread: median min max\n"
            "       %s maxthreads                       the backend's thread cap (0 = none)\n",
            prog, prog, prog, prog);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "maxthreads") == 0) {
        printf("%d\n", backend_max_threads());
        return 0;
    }
    if (argc == 5 && (strcmp(argv[1], "noop") == 0 || strcmp(argv[1], "busy") == 0)) {
        int reps = atoi(argv[4]);
        if (reps < 1 || reps > 64)
            reps = 3;
        return run_throughput(strcmp(argv[1], "busy") == 0, atoi(argv[2]), atof(argv[3]), reps);
    }
    if (argc == 4 && (strcmp(argv[1], "startjoin") == 0 || strcmp(argv[1], "rss") == 0)) {
        int reps = atoi(argv[3]);
        if (reps < 1 || reps > 64)
            reps = 3;
        return strcmp(argv[1], "rss") == 0 ? run_rss(atoi(argv[2]), reps) : run_start_join(atoi(argv[2]), reps);
    }
    usage(argv[0], stderr);
    return 2;
}
