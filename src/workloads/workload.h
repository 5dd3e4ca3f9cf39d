/* workload.h - the task a point runs: a setup/task/teardown interface and the built-in kinds. */
#ifndef TP_SRC_WORKLOAD_H
#define TP_SRC_WORKLOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tunepool/tunepool.h"

struct tp__workload;

/* One thread's view of a workload: its counters and the kind's per-thread
 * state (a connection, a read buffer, a plugin's thread state). Created on
 * the thread the first time it runs a task of the workload (or earlier, by
 * tp__workload_thread_start from the pool's on_thread_start). The counters
 * are written only by that thread (relaxed atomics, no shared hot counter)
 * and summed by tp__workload_counters. */
struct tp__wthread {
    struct tp__wthread *next; /* the workload's list; guarded by threads_lock */
    struct tp__workload *w;
    int worker;               /* pool worker index, or a running number */
    int finished;             /* thread_fini ran; guarded by threads_lock */
    int init_rc;              /* what the kind's thread_init returned (0 = ready) */
    _Atomic uint64_t ops, bytes, errors;
    void *data;               /* owned by the kind's thread_init/thread_fini */
};

/* One prepared workload. setup() runs once per point (in the point's own
 * process), task() runs on pool workers concurrently and must be
 * thread-safe, teardown() frees what setup() made. */
struct tp__workload {
    const struct tp__workload_ops *ops;
    struct tp_workload_params params;
    void *state; /* owned by ops */

    /* Per-thread states: the list is guarded by threads_lock; the key's
     * destructor runs the kind's thread_fini on the exiting thread. */
    pthread_mutex_t threads_lock;
    struct tp__wthread *threads;
    int n_threads;
    pthread_key_t key;
    int key_ok;
    _Atomic int thread_error; /* first failed thread_init (negative code), relaxed */
};

/* The resources one sweep shares with all its points (the server process,
 * the data file): made by sweep_setup in the sweep's process before the
 * first point, released by sweep_teardown after the last, on every path. */
struct tp__sweep_res {
    int server_pid;  /* net: the server process, 0 = none */
    int file_fd;     /* file: the data file, -1 = none */
};

struct tp__workload_ops {
    enum tp_workload_kind kind;
    const char *name;
    /* Checks params; returns 0 or -EINVAL. No side effects. */
    int (*validate)(const struct tp_workload_params *p);
    /* Prepares w->state. Returns 0 or a negative code. */
    int (*setup)(struct tp__workload *w);
    /* One task; index counts tasks within the point. */
    void (*task)(struct tp__workload *w, uint64_t index);
    void (*teardown)(struct tp__workload *w);

    /* Optional (NULL = nothing to do). On the worker thread, before its
     * first task: prepares t->data. A failure is recorded in thread_error
     * and fails the point. */
    int (*thread_init)(struct tp__workload *w, struct tp__wthread *t);
    /* On the worker thread as it exits (or at close for a thread still
     * alive): frees t->data. */
    void (*thread_fini)(struct tp__workload *w, struct tp__wthread *t);
    /* Once per sweep in the sweep's process, after validate: creates the
     * shared resources, records them in *res and what the points need in
     * *p (the port, the descriptor). Returns 0 or a negative code with a
     * reason in err. */
    int (*sweep_setup)(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen);
    /* Releases what sweep_setup made; safe after a failed sweep_setup. */
    void (*sweep_teardown)(struct tp_workload_params *p, struct tp__sweep_res *res);
};

/* Sweep-level hooks for tp_sweep_run: validate, then the kind's
 * sweep_setup (res is reset first). On failure nothing is left behind and
 * err says why. */
int tp__workload_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen);
void tp__workload_sweep_teardown(struct tp_workload_params *p, struct tp__sweep_res *res);

/* The calling thread's state for w, created on first use (runs the kind's
 * thread_init). Never NULL: on an allocation failure a static dummy whose
 * counters are not summed is returned and thread_error is set. */
struct tp__wthread *tp__wthread_get(struct tp__workload *w);

/* For the pool's on_thread_start: creates the calling worker's state now,
 * so that connecting or allocating is not timed in its first task. */
void tp__workload_thread_start(struct tp__workload *w, int worker_index);

/* The first thread_init failure, or 0. */
int tp__workload_thread_error(struct tp__workload *w);

/* Sums the counters of every thread that ran a task of w. Call between
 * batches (after tp_pool_wait) or after the workers exited. */
void tp__workload_counters(struct tp__workload *w, uint64_t *ops, uint64_t *bytes, uint64_t *errors);

/* One line describing what each task does, e.g. "file: pread 4 KiB blocks
 * at random offsets of a 64 MiB file in /tmp (page cache)". */
void tp__workload_describe(const struct tp_workload_params *p, char *buf, size_t len);

/* A 64-bit mix of x (splitmix64's finaliser): spreads task indexes into
 * offsets and choices. */
static inline uint64_t tp__mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* mixed: whether task index waits (an io task) rather than computes: a hash
 * of the index against the fraction, the same for every executor. */
int tp__mixed_is_io(double fraction, uint64_t index);

/* net: the loopback port the opened workload w talks to (the sweep's
 * server, or the one its setup started); 0 if none. */
int tp__net_port(const struct tp__workload *w);

/* The kinds defined in their own files. */
extern const struct tp__workload_ops tp__workload_file_ops;
extern const struct tp__workload_ops tp__workload_net_ops;
extern const struct tp__workload_ops tp__workload_plugin_ops;

/* Finds the kind's operations; NULL when unknown. */
const struct tp__workload_ops *tp__workload_find(enum tp_workload_kind kind);

/* Validates params and prepares w. Returns 0, -EINVAL (bad params or kind)
 * or the setup's error; on failure w is left empty. */
int tp__workload_open(struct tp__workload *w, const struct tp_workload_params *params);
void tp__workload_close(struct tp__workload *w);

/* Burns ns nanoseconds of the calling thread's CPU time with real
 * computation (never a sleep): under oversubscription it takes longer in
 * wall time but exactly as much CPU. Returns a value derived from the work
 * so that the compiler cannot drop it. */
uint64_t tp__burn_cpu_ns(uint64_t ns);

/* Blocks the calling thread for ns nanoseconds (clock_nanosleep on
 * CLOCK_MONOTONIC, absolute deadline, resumed after EINTR). */
void tp__block_ns(uint64_t ns);

#endif
