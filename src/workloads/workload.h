/* workload.h - the task a point runs: the ops table every kind fills in, and the generic machinery (per-thread states, open/close, counters). */
#ifndef TP_SRC_WORKLOAD_H
#define TP_SRC_WORKLOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "tunepool/tunepool.h"

struct tp__workload;
struct tp__evloop_task;     /* exec/evloop.h */
struct tp__evloop_task_ops; /* exec/evloop.h */
struct json_t;              /* jansson's json_t */

/* One thread's view of a workload: its counters and the kind's per-thread
 * state (a connection, a read buffer, a plugin's thread state). Created on
 * the thread the first time it runs a task of the workload (or earlier, by
 * tp__workload_thread_start from the pool's on_thread_start). The counters
 * are written only by that thread (relaxed atomics, no shared hot counter)
 * and summed by tp__workload_counters. */
struct tp__wthread {
    struct tp__wthread *next; /* the workload's list; guarded by threads_lock */
    struct tp__workload *w;
    int worker;   /* pool worker index, or a running number */
    int finished; /* thread_fini ran; guarded by threads_lock */
    int init_rc;  /* what the kind's thread_init returned (0 = ready) */
    _Atomic uint64_t ops, bytes, errors;
    /* The kind's keyed counts (tp__wthread_count_key): keys[i] holds key + 1
     * (0 = a free entry), written, like the counters, by this thread only. */
    _Atomic uint32_t keys[TP_WORK_COUNTS];
    _Atomic uint64_t keyed[TP_WORK_COUNTS];
    void *data; /* owned by the kind's thread_init/thread_fini */
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
    /* What the first failure said beyond its code (tp__workload_fail_detail);
     * guarded by threads_lock. */
    char error_detail[sizeof(((struct tp_point *)0)->error_detail)];
};

/* The resources one sweep shares with all its points: made by sweep_setup
 * in the sweep's process before the first point, released by
 * sweep_teardown after the last, on every path. */
struct tp__sweep_res {
    int pid; /* a process the kind started for the sweep (net: its server), 0 = none */
    int fd;  /* a descriptor the points inherit (file: the data file), -1 = none */
};

/* Everything one kind is: the registry (registry.c) lists one of these per
 * kind, and nothing outside src/workloads/ knows more about a kind than
 * what these entries say. Entries marked optional may be NULL. */
struct tp__workload_ops {
    enum tp_workload_kind kind;
    const char *name; /* the --workload value and the results' workload.name */
    /* Optional: a --workload value starting with spec_prefix names this
     * kind and parse_arg takes the rest (plugin: "plugin:" and the path);
     * such a kind is not named by its name alone. spec_usage is how a usage
     * message names it ("plugin:PATH.so"; NULL = the name). */
    const char *spec_prefix;
    const char *spec_usage;
    int (*parse_arg)(const char *arg, struct tp_workload_params *p);

    /* The front end's options of this kind (tp_workload_options). */
    const struct tp_workload_option *options;
    size_t n_options;
    /* Optional: the combination of options, as tp_workload_check_options
     * asks (latency_given: --latency was given). 0 or -EINVAL with the
     * option at fault named in err. */
    int (*check_options)(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen);
    /* Checks params; returns 0 or -EINVAL, with a reason naming the
     * option in err when it has one (err may be NULL). No side effects. */
    int (*validate)(const struct tp_workload_params *p, char *err, size_t errlen);
    /* Optional: tp_workload_check's look at the system after validate (the
     * plugin loads, the directory takes the file); may fill in p's
     * sweep-filled fields. 0 or a negative code with a reason in err. */
    int (*check)(struct tp_workload_params *p, char *err, size_t errlen);
    /* The one-line description (tp__workload_describe). */
    void (*describe)(const struct tp_workload_params *p, char *buf, size_t len);

    /* Optional. Once per sweep in the sweep's process, after validate:
     * creates the shared resources, records them in *res and what the
     * points need in *p (the port, the descriptor). Returns 0 or a negative
     * code with a reason in err. */
    int (*sweep_setup)(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen);
    /* Optional. Releases what sweep_setup made; safe after a failed sweep_setup. */
    void (*sweep_teardown)(struct tp_workload_params *p, struct tp__sweep_res *res);

    /* Prepares w->state. Returns 0 or a negative code. */
    int (*setup)(struct tp__workload *w);
    /* One task on a pool worker; index counts tasks within the point. */
    void (*task)(struct tp__workload *w, uint64_t index);
    void (*teardown)(struct tp__workload *w);
    /* Optional. On the worker thread, before its first task: prepares
     * t->data. A failure is recorded in thread_error and fails the point. */
    int (*thread_init)(struct tp__workload *w, struct tp__wthread *t);
    /* Optional. On the worker thread as it exits (or at close for a thread
     * still alive): frees t->data. */
    void (*thread_fini)(struct tp__workload *w, struct tp__wthread *t);

    /* Optional. In the point's process, around its repetitions and off
     * the timed path: observe_start before the first (a monitor of what
     * the server does: pg samples pg_stat_activity), observe_stop after
     * the last, filling *out. Neither may fail the point. */
    void (*observe_start)(struct tp__workload *w);
    void (*observe_stop)(struct tp__workload *w, struct tp_server_view *out);

    /* The async executor's steps (exec/evloop.h), their ctx the opened
     * workload; NULL = no async path, and no_async says why ("file: ..."). */
    const struct tp__evloop_task_ops *async;
    const char *no_async;

    /* The report: what one counted operation is ("reads"; NULL = "tasks");
     * empty_task: the tasks do nothing, so the report shows the pool's own
     * cost per task; report_json (optional) adds the kind's parameters to
     * the JSON "workload" object, 0 or -1 on allocation failure. */
    const char *work_noun;
    int empty_task;
    /* 1: a worker is a connection to a server (pg): the report adds the
     * rule given for such pools, 2 x server cores + spindles. */
    int connection_pool;
    int (*report_json)(struct json_t *wl, const struct tp_workload_params *p);
    /* Optional, for the kinds that count per key (tp__wthread_count_key):
     * point_json adds the point's counts to its JSON object (0, or -1 on
     * allocation failure), point_json_read reads them back from it (0, or
     * -1 with a reason in why when malformed), point_text says them in a
     * few words ("200: 5 000, 500: 3"). */
    int (*point_json)(struct json_t *point, const struct tp_point *p);
    int (*point_json_read)(const struct json_t *point, struct tp_point *p, char *why, size_t whylen);
    void (*point_text)(char *buf, size_t len, const struct tp_point *p);
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

/* Counts one operation (with its bytes) or one error of the thread t:
 * written by that thread only. */
static inline void tp__wthread_count(struct tp__wthread *t, int ok, uint64_t bytes)
{
    if (ok) {
        atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
        if (bytes > 0)
            atomic_fetch_add_explicit(&t->bytes, bytes, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
    }
}

/* Counts one event of the thread t under key (http: a status code): written
 * by that thread only. Past TP_WORK_COUNTS - 1 distinct keys, new keys are
 * counted under TP_WORK_COUNT_OTHER in the last entry. */
void tp__wthread_count_key(struct tp__wthread *t, uint32_t key);

/* The keyed counts of every thread of w, summed per key into out (sorted by
 * key); returns how many. Call when tp__workload_counters may be called. */
int tp__workload_counts(struct tp__workload *w, struct tp_work_count out[TP_WORK_COUNTS]);

/* Keyed-count arithmetic over sorted tables: *n entries of a become a - b
 * (entries that reach 0 dropped), or a + b (a key that finds no room is
 * added to TP_WORK_COUNT_OTHER). */
void tp__work_counts_sub(struct tp_work_count *a, int *n, const struct tp_work_count *b, int nb);
void tp__work_counts_add(struct tp_work_count *a, int *n, const struct tp_work_count *b, int nb);

/* For the pool's on_thread_start: creates the calling worker's state now,
 * so that connecting or allocating is not timed in its first task. */
void tp__workload_thread_start(struct tp__workload *w, int worker_index);

/* For the sweep: p with what its kind fills in by default (a pool of
 * connections: server_cores = cores when not given). */
void tp__workload_defaults(struct tp_workload_params *p, int cores);
/* The enum tp_rule_for bits p's kind adds to the rules of thumb
 * (TP_RULE_FOR_CONNECTIONS for a pool of connections), else 0. */
unsigned tp__workload_rule_kinds(const struct tp_workload_params *p);

/* The first thread_init failure, or 0. */
int tp__workload_thread_error(struct tp__workload *w);

/* For a kind's thread_init or slot_init as it fails: the message (a
 * server's, libpq's) the point's failure shows after its error code. The
 * first one is kept; whitespace runs become one blank. Thread-safe. */
void tp__workload_fail_detail(struct tp__workload *w, const char *msg);
/* src as one line into dst (len bytes): each run of blanks and newlines
 * one blank, none at either end. */
void tp__one_line(char *dst, size_t len, const char *src);
/* Copies the kept message into buf ("" when none). */
void tp__workload_error_detail(struct tp__workload *w, char *buf, size_t len);

/* The kind's observe_start / observe_stop, when it has them (out is
 * zeroed first). */
void tp__workload_observe_start(struct tp__workload *w);
void tp__workload_observe_stop(struct tp__workload *w, struct tp_server_view *out);

/* Sums the counters of every thread that ran a task of w. Call between
 * batches (after tp_pool_wait) or after the workers exited. */
void tp__workload_counters(struct tp__workload *w, uint64_t *ops, uint64_t *bytes, uint64_t *errors);

/* One line describing what each task does, e.g. "file: pread 4 KiB blocks
 * at random offsets of a 64 MiB file in /tmp (page cache)". */
void tp__workload_describe(const struct tp_workload_params *p, char *buf, size_t len);

/* The descriptions' numbers: bytes as "4 KiB" (an exact binary unit, else
 * bytes), durations as "2 ms". */
void tp__workload_fmt_bytes(char *buf, size_t len, uint64_t b);
void tp__workload_fmt_ns(char *buf, size_t len, uint64_t ns);

/* A check_options for the kinds without a modelled wait: --latency given
 * for them is a usage error. */
int tp__workload_refuse_latency(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen);

/* Whether the async executor can run workload p: 0 when its kind has an
 * async path, or -EOPNOTSUPP with "not supported by the async executor:
 * <the kind's reason>" in why (may be NULL). */
int tp__workload_async_check(const struct tp_workload_params *p, char *why, size_t whylen);

/* The opened workload w's async path, for tp__evloop_create: 0, -EINVAL
 * (w not open) or -EOPNOTSUPP (its kind has none). */
int tp__workload_async_task(struct tp__workload *w, struct tp__evloop_task *out);

/* A 64-bit mix of x (splitmix64's finaliser): spreads task indexes into
 * offsets and choices. */
static inline uint64_t tp__mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Validates params and prepares w. Returns 0, -EINVAL (bad params or kind)
 * or the setup's error; on failure w is left empty. */
int tp__workload_open(struct tp__workload *w, const struct tp_workload_params *params);
void tp__workload_close(struct tp__workload *w);

#endif
