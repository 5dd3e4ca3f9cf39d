/* bench_main.c - benchmark driver linked with one backend: dispatch rate, start+join time, idle RSS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "backend.h"

#define NOOP_BATCH 20000u /* tasks submitted between two waits, all submitters together */
#define BUSY_BATCH 5000u
#define MAX_SUBMITTERS 8

static char task_token; /* every task's arg: some pools refuse NULL */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* User + system CPU of the whole process (every thread), in ns. */
static uint64_t process_cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

static void noop_task(void *arg) { __asm__ __volatile__("" : : "r"(arg) : "memory"); }

/* Busy CPU for a while, timed by the clock rather than a calibrated loop: a
 * loop's speed changes when the other vCPU (often an SMT sibling) is busy. */
static void busy_for(uint64_t ns)
{
    uint64_t end = now_ns() + ns;
    while (now_ns() < end)
        __asm__ __volatile__("" ::: "memory");
}

static void busy1_task(void *arg)
{
    (void)arg;
    busy_for(1000u);
}

static void busy10_task(void *arg)
{
    (void)arg;
    busy_for(10000u);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prints "median min max" of v[0..n), then a space or, when last, a newline. */
static void print_summary(double *v, int n, int last)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    printf("%.6g %.6g %.6g%s", med, v[0], v[n - 1], last ? "\n" : " ");
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

/* The submitters of one measurement: submitter 0 is the main thread, the
 * others are threads that follow it round by round through the barriers. */
struct feed {
    struct bench_pool *bp;
    int submitters;
    size_t share;   /* tasks each submitter submits per round */
    int keep_going; /* written by submitter 0 before the start barrier */
    pthread_barrier_t start, submitted, done;
};

/* One round from submitter sub: its share, then the wait. */
static void feed_round(struct feed *f, int sub)
{
    for (size_t i = 0; i < f->share; i++)
        backend_submit(f->bp, sub, &task_token);
    if (f->submitters > 1)
        pthread_barrier_wait(&f->submitted);
    backend_wait(f->bp, sub);
    if (f->submitters > 1)
        pthread_barrier_wait(&f->done);
}

struct helper {
    struct feed *feed;
    int sub;
};

static void *helper_main(void *arg)
{
    struct helper *h = arg;
    for (;;) {
        pthread_barrier_wait(&h->feed->start);
        if (!h->feed->keep_going)
            return NULL;
        feed_round(h->feed, h->sub);
    }
}

/* Submitter 0: runs one round with every submitter. */
static void round_all(struct feed *f)
{
    if (f->submitters > 1) {
        f->keep_going = 1;
        pthread_barrier_wait(&f->start);
    }
    feed_round(f, 0);
}

static bench_fn task_of(const char *workload)
{
    if (strcmp(workload, "noop") == 0)
        return noop_task;
    if (strcmp(workload, "busy1") == 0)
        return busy1_task;
    if (strcmp(workload, "busy10") == 0)
        return busy10_task;
    return NULL;
}

/* Tasks/s and process CPU per task, each the median min max of reps. */
static int run_throughput(bench_fn fn, int threads, int submitters, double seconds, int reps)
{
    size_t batch = fn == noop_task ? NOOP_BATCH : BUSY_BATCH;
    struct feed f = { .submitters = submitters, .share = batch / (size_t)submitters };
    struct helper helpers[MAX_SUBMITTERS];
    pthread_t tids[MAX_SUBMITTERS];
    double rates[64], cpu[64];

    f.bp = backend_create(threads, fn, f.share, submitters);
    if (f.bp == NULL) {
        fprintf(stderr, "bench: %s: cannot create a pool of %d threads\n", backend_name(), threads);
        return 1;
    }
    pthread_barrier_init(&f.start, NULL, (unsigned)submitters);
    pthread_barrier_init(&f.submitted, NULL, (unsigned)submitters);
    pthread_barrier_init(&f.done, NULL, (unsigned)submitters);
    for (int i = 1; i < submitters; i++) {
        helpers[i] = (struct helper){ &f, i };
        if (pthread_create(&tids[i], NULL, helper_main, &helpers[i]) != 0) {
            fprintf(stderr, "bench: cannot start submitter %d\n", i);
            exit(1);
        }
    }
    round_all(&f); /* warm-up: wakes the workers, faults in the queue */

    for (int r = 0; r < reps; r++) {
        uint64_t t0 = now_ns(), c0 = process_cpu_ns(), t1, tasks = 0;
        do {
            round_all(&f);
            tasks += f.share * (size_t)submitters;
            t1 = now_ns();
        } while ((double)(t1 - t0) < seconds * 1e9);
        rates[r] = (double)tasks / ((double)(t1 - t0) / 1e9);
        cpu[r] = (double)(process_cpu_ns() - c0) / (double)tasks;
    }
    if (submitters > 1) {
        f.keep_going = 0;
        pthread_barrier_wait(&f.start);
        for (int i = 1; i < submitters; i++)
            pthread_join(tids[i], NULL);
    }
    backend_destroy(f.bp);
    print_summary(rates, reps, 0);
    print_summary(cpu, reps, 1);
    return 0;
}

/* Process CPU of an idle pool over `seconds`, in percent of one core. */
static int run_idle(int threads, double seconds)
{
    struct bench_pool *bp = backend_create(threads, noop_task, 1, 1);
    if (bp == NULL) {
        fprintf(stderr, "bench: %s: cannot create a pool of %d threads\n", backend_name(), threads);
        return 1;
    }
    backend_submit(bp, 0, &task_token); /* one task: every worker has had its chance to wake */
    backend_wait(bp, 0);
    struct timespec settle = { 0, 100 * 1000 * 1000 };
    nanosleep(&settle, NULL);
    uint64_t c0 = process_cpu_ns(), t0 = now_ns();
    struct timespec span = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    nanosleep(&span, NULL);
    double pct = 100.0 * (double)(process_cpu_ns() - c0) / (double)(now_ns() - t0);
    backend_destroy(bp);
    printf("%.4f\n", pct);
    return 0;
}

static int run_start_join(int threads, int reps)
{
    double ms[64];

    for (int r = 0; r < reps; r++) {
        uint64_t t0 = now_ns();
        struct bench_pool *bp = backend_create(threads, noop_task, 1, 1);
        if (bp == NULL) {
            fprintf(stderr, "bench: %s: cannot create a pool of %d threads\n", backend_name(), threads);
            return 1;
        }
        backend_destroy(bp);
        ms[r] = (double)(now_ns() - t0) / 1e6;
    }
    print_summary(ms, reps, 1);
    return 0;
}

static int run_rss(int threads, int reps)
{
    double kib[64];

    for (int r = 0; r < reps; r++) {
        long before = vm_rss_kb();
        struct bench_pool *bp = backend_create(threads, noop_task, 1, 1);
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
    print_summary(kib, reps, 1);
    return 0;
}

static void usage(const char *prog, FILE *where)
{
    fprintf(where,
            "Usage: %s noop|busy1|busy10 THREADS SUBMITTERS SECONDS REPS\n"
            "          tasks/s median min max, then process CPU ns per task median min max\n"
            "       %s startjoin THREADS REPS   ms to start and join: median min max\n"
            "       %s rss THREADS REPS         KiB of RSS per idle thread: median min max\n"
            "       %s idle THREADS SECONDS     process CPU of the idle pool, %% of one core\n"
            "       %s maxthreads               the backend's thread cap (0 = none)\n",
            prog, prog, prog, prog, prog);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "maxthreads") == 0) {
        printf("%d\n", backend_max_threads());
        return 0;
    }
    if (argc == 6 && task_of(argv[1]) != NULL) {
        int reps = atoi(argv[5]), subs = atoi(argv[3]);
        if (reps < 1 || reps > 64)
            reps = 3;
        if (subs < 1 || subs > MAX_SUBMITTERS)
            subs = 1;
        return run_throughput(task_of(argv[1]), atoi(argv[2]), subs, atof(argv[4]), reps);
    }
    if (argc == 4 && strcmp(argv[1], "idle") == 0)
        return run_idle(atoi(argv[2]), atof(argv[3]));
    if (argc == 4 && (strcmp(argv[1], "startjoin") == 0 || strcmp(argv[1], "rss") == 0)) {
        int reps = atoi(argv[3]);
        if (reps < 1 || reps > 64)
            reps = 3;
        return strcmp(argv[1], "rss") == 0 ? run_rss(atoi(argv[2]), reps) : run_start_join(atoi(argv[2]), reps);
    }
    usage(argv[0], stderr);
    return 2;
}
