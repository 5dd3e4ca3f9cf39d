/* tunepool.h - public API of libtunepool: measure thread-pool sizes and recommend one. */
#ifndef TUNEPOOL_TUNEPOOL_H
#define TUNEPOOL_TUNEPOOL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plugin.h" /* the workload plugin ABI (also usable alone) */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TP_BUILDING_LIBRARY)
#define TP_EXTERN __attribute__((visibility("default")))
#else
#define TP_EXTERN
#endif

#define TP_VERSION_MAJOR 0
#define TP_VERSION_MINOR 1
#define TP_VERSION_PATCH 0
#define TP_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------
 * Errors. Every function that can fail returns 0 or a negative errno value,
 * or one of the negative TP_E* codes below (all below -10000, so they never
 * collide with an errno).
 * ---------------------------------------------------------------------- */
enum tp_error {
    TP_EHWLOC = -10001,    /* hwloc could not load the topology */
    TP_ECGROUP = -10002,   /* a cgroup file exists but could not be parsed */
    TP_ECRASHED = -10003,  /* a measured point died from a signal */
    TP_ETIMEOUT = -10004,  /* a measured point ran past its time limit */
    TP_ECANCELED = -10005, /* the sweep was cancelled (SIGINT/SIGTERM) */
    TP_EJSON = -10006,     /* JSON could not be built or written */
    TP_ECHILD = -10007,    /* the point's child process broke its protocol */
    TP_ENOPOINTS = -10008, /* no point could be measured: nothing to recommend */
    /* -10040 ..: workloads */
    TP_EPLUGIN = -10040,     /* a workload plugin could not be loaded, is invalid or failed to set up */
    TP_ENOFEASIBLE = -10009, /* points were measured, none meets the latency bound or the failure bound */
    /* -10020 ..: reading results back, plotting */
    TP_EFORMAT = -10020,    /* not a tune-pool results document (tool "tune-pool", schema 1) */
    TP_ENOGNUPLOT = -10021, /* gnuplot is not installed (Debian package gnuplot-nox) */
    TP_EGNUPLOT = -10022,   /* gnuplot ran but failed to render the plot */
    TP_EDUPLICATE = -10023, /* merge: the same run as an input already added */
    TP_EMIXED = -10024,     /* merge: the inputs hold different workloads */
    /* -10050 ..: the user's program (--run) */
    TP_EEXIT = -10050,     /* the program exited with a non-zero status */
    TP_ENOMETRIC = -10051, /* the program's output held no usable metric (--metric) */
};

/* Returns a static, human-readable description of err (0, a negative errno
 * or a TP_E* code). Never returns NULL; thread-safe. */
TP_EXTERN const char *tp_strerror(int err);

/* Returns TP_VERSION_STRING of the library actually linked. */
TP_EXTERN const char *tp_version(void);

/* ------------------------------------------------------------------------
 * Topology: how many cores may this process really use?
 * ---------------------------------------------------------------------- */

/* Which source decided the effective core count. */
enum tp_cores_source {
    TP_CORES_HWLOC = 0, /* hwloc count inside the allowed cpuset */
    TP_CORES_AFFINITY,  /* sched_getaffinity (hwloc failed or disabled) */
    TP_CORES_QUOTA,     /* CPU quota of the cgroup (cpu.max / cfs_quota_us) */
    TP_CORES_OVERRIDE,  /* --cores=N */
};

/* What one counts as a "core". */
enum tp_core_unit {
    TP_UNIT_PU = 0, /* logical CPUs (hardware threads): what the OS schedules */
    TP_UNIT_CORE,   /* physical cores */
};

struct tp_topology_opts {
    int cores_override;          /* > 0: use this count (still reports every source) */
    enum tp_core_unit unit;      /* count PUs (default) or physical cores */
    const char *hwloc_synthetic; /* tests: a hwloc synthetic description; NULL = this machine */
    int disable_hwloc;           /* tests: behave as if hwloc failed */
    const char *fs_root;         /* tests: prefix for /proc and /sys paths; NULL or "" = real */
};

struct tp_topology {
    int hwloc_ok;                /* 1 when hwloc loaded the topology */
    int hwloc_cores;             /* physical cores inside the allowed cpuset (0 if !hwloc_ok) */
    int hwloc_pus;               /* PUs inside the allowed cpuset (0 if !hwloc_ok) */
    int affinity_cpus;           /* CPU_COUNT of sched_getaffinity() */
    int online_cpus;             /* sysconf(_SC_NPROCESSORS_ONLN), for reference only */
    double quota_cpus;           /* CPU quota as cores (quota / period); 0 = no quota */
    int quota_cores;             /* ceil(quota_cpus); 0 = no quota */
    char quota_source[256];      /* file the tightest quota came from; "" = none */
    int cores_override;          /* the --cores value, 0 = none */
    enum tp_core_unit unit;      /* what was counted */
    int allowed_cores;           /* hwloc (or affinity) count in the chosen unit */
    int effective_cores;         /* min(allowed_cores, quota_cores), or the override */
    enum tp_cores_source source; /* which source won */
    char cpu_model[128];         /* e.g. "AMD EPYC"; "" if unknown */
    long mem_total_kb;           /* MemTotal of /proc/meminfo (hwloc's is unreliable on VMs) */
    long mem_available_kb;       /* MemAvailable of /proc/meminfo */
    char warning[256];           /* e.g. why hwloc was not used; "" = none */
};

/* Detects the topology into *out. opts may be NULL (defaults). Returns 0, or
 * a negative code when even the sched_getaffinity fallback fails. A failing
 * hwloc is not an error: out->warning says so and affinity is used. */
TP_EXTERN int tp_topology_detect(struct tp_topology *out, const struct tp_topology_opts *opts);

/* Short name of a source, e.g. "hwloc", "quota". */
TP_EXTERN const char *tp_cores_source_name(enum tp_cores_source s);

/* ------------------------------------------------------------------------
 * Host classes: which kind of machine a result belongs to (docs/fleet.md,
 * host classes). Results from hosts of one class are merged; a host whose own
 * pick disagrees with its class is flagged.
 * ---------------------------------------------------------------------- */
#define TP_HOST_CLASS_MAX 128

struct tp_host {
    char hostname[256];
    char class_key[TP_HOST_CLASS_MAX]; /* derived from the facts below, or the user's --host-class */
    int class_overridden;              /* 1: class_key is the user's label */
    char cpu_model[128];               /* "" if unknown */
    int effective_cores;
    enum tp_cores_source cores_source;
    int allowed_pus;   /* PUs this process may run on */
    double quota_cpus; /* cgroup CPU quota as cores; 0 = none */
    long mem_gib;      /* MemTotal rounded to the nearest GiB */
    char kernel[128];  /* uname release */
    char arch[64];     /* uname machine */
};

/* Fills *out from topo, gethostname and uname, and derives class_key
 * (or takes class_override, which must satisfy tp_host_class_valid).
 * Returns 0, or -EINVAL (NULL arguments, an invalid override). */
TP_EXTERN int tp_host_describe(struct tp_host *out, const struct tp_topology *topo, const char *class_override);

/* The derived class key of h's facts: "<arch>-<cores>c-<model slug>-<8 hex
 * of FNV-1a over tp_host_facts_string>". Returns 0, -EINVAL, -ENAMETOOLONG. */
TP_EXTERN int tp_host_class_key(const struct tp_host *h, char *buf, size_t len);

/* The canonical fact string the key hashes:
 * "arch=..;cpu=..;cores=..;source=..;pus=..;quota=%.3f;mem_gib=..;kernel=..".
 * Returns 0, -EINVAL, -ENAMETOOLONG. */
TP_EXTERN int tp_host_facts_string(const struct tp_host *h, char *buf, size_t len);

/* 1 when name can be a class label: 1..127 of [A-Za-z0-9._-], not starting
 * with '.'; else 0. */
TP_EXTERN int tp_host_class_valid(const char *name);

/* The "host" object of a results document (docs/results-format.md) as
 * compact JSON text, for documents of the caller's (the --online one):
 * malloc'd, free() it. "null" when h has no class_key; NULL when out of
 * memory or h is NULL. */
TP_EXTERN char *tp_host_json(const struct tp_host *h);

/* ------------------------------------------------------------------------
 * Pool: a pthread pool built to never be the bottleneck it measures.
 * ---------------------------------------------------------------------- */
struct tp_pool;
struct tp_ctl_params;
struct tp_ctl_step;

typedef void (*tp_task_fn)(void *arg);

struct tp_pool_opts {
    int threads;           /* number of workers, >= 1 */
    size_t stack_size;     /* bytes per worker stack; 0 = TP_POOL_DEFAULT_STACK */
    const char *name;      /* thread name prefix (<= 10 chars used); NULL = "tp-worker" */
    size_t queue_capacity; /* pending tasks before submit blocks; 0 = default (rounded up to a power of 2) */
    /* Called once in each worker before it takes tasks (e.g. to lower its
     * timer slack); runs in that worker, with no pool lock held. May be NULL. */
    void (*on_thread_start)(void *ctx, int worker_index);
    void *thread_ctx;
    /* The most workers tp_pool_resize() may ask for; 0 = threads (or
     * online.max_threads when online tuning is on). Costs one small
     * bookkeeping record per slot, no thread. */
    int max_threads;
    /* Online tuning (docs/online.md): a controller thread resizes
     * the pool while it runs; see struct tp_pool_online. */
    struct tp_pool_online {
        int enabled;                  /* 1: start the controller with the pool */
        int min_threads;              /* bounds of the size it may choose; 0 = 1 */
        int max_threads;              /* 0 = the pool's max_threads, else 1024 */
        double cores;                 /* CPUs the pool may use; 0 = the allowed CPUs */
        unsigned interval_ms;         /* sensor period; 0 = 100 */
        struct tp_ctl_params *params; /* controller constants; NULL = defaults */
        /* Called on the controller thread after each step, with no pool
         * lock held (e.g. to record a trace). May be NULL. */
        void (*on_step)(void *ctx, const struct tp_ctl_step *step);
        void *step_ctx;
    } online;
};

#define TP_POOL_DEFAULT_STACK (64u * 1024u)

/* Creates a pool and starts all its workers; returns only when every worker
 * is running. On failure returns a negative errno (e.g. -EAGAIN when a thread
 * cannot be created), joins the workers that did start, stores NULL in *out
 * and, when n_started is not NULL, how many workers had started in
 * *n_started. The caller owns *out and frees it with tp_pool_destroy(). */
TP_EXTERN int tp_pool_create(struct tp_pool **out, const struct tp_pool_opts *opts, int *n_started);

/* Queues fn(arg) to run on a worker. Blocks while the queue is full (the
 * documented back-pressure policy). Thread-safe. The queue is split into a
 * ring per CPU (a submitter pushes to its CPU's ring, a worker takes from
 * its own CPU's first): no order between tasks is promised. Returns 0 or -EINVAL (NULL
 * fn) or -ESHUTDOWN (pool being destroyed). */
TP_EXTERN int tp_pool_submit(struct tp_pool *pool, tp_task_fn fn, void *arg);

/* Blocks until every task submitted so far has finished. Returns 0. */
TP_EXTERN int tp_pool_wait(struct tp_pool *pool);

/* Number of workers. */
TP_EXTERN int tp_pool_threads(const struct tp_pool *pool);

/* Runs the tasks still queued, stops and joins every worker, frees the pool.
 * NULL is a no-op. Must not be called from a worker. */
TP_EXTERN void tp_pool_destroy(struct tp_pool *pool);

/* Sets the number of workers to threads (1 .. the pool's max_threads).
 * Growing starts the missing workers at once; shrinking lets the highest
 * numbered workers leave after their current task (a parked one leaves at
 * once). Thread-safe; must not be called from a worker, nor concurrently with
 * tp_pool_destroy. Returns 0; -EINVAL when out of bounds; a negative errno
 * (e.g. -EAGAIN) when a worker could not be started, the pool then keeps the
 * workers it has and tp_pool_threads() says how many. */
TP_EXTERN int tp_pool_resize(struct tp_pool *pool, int threads);

/* Cumulative counters of a pool (the online controller's sensor). */
struct tp_pool_stats {
    int threads;         /* the size the pool is set to */
    int live;            /* workers started and not yet gone (>= threads while some leave) */
    int sensing;         /* 1: the per-task counters below are kept (online tuning on,
                           * or opts.max_threads > threads) */
    int runq_known;      /* 1: cpu_ns and runq_ns come from /proc/thread-self/schedstat;
                           * 0: cpu_ns from the threads' CPU clocks, runq_ns = 0 */
    uint64_t tasks;      /* tasks finished */
    uint64_t busy_ns;    /* wall time the workers spent inside tasks */
    uint64_t cpu_ns;     /* CPU time of the workers (tasks, the pool's own work, spinning) */
    uint64_t runq_ns;    /* time the workers were runnable but waiting for a CPU */
    uint64_t runq_tasks; /* tasks finished by the workers counted in runq_ns: at most a quarter
                           * of RLIMIT_NOFILE (and 1024) workers keep schedstat open, so with
                           * more workers runq_ns / runq_tasks is a sample of the wait per task */
    uint64_t queued;     /* tasks waiting in the queue now */
};

/* Fills *out. Returns 0 or -EINVAL. Thread-safe; not from a worker. */
TP_EXTERN int tp_pool_stats(struct tp_pool *pool, struct tp_pool_stats *out);

/* ------------------------------------------------------------------------
 * Online controller: decides a pool size from windows of the pool's counters.
 * Pure: no clock, no thread; the pool's controller thread (and the tests'
 * simulated plants) feed it. docs/online.md documents the algorithm
 * and its constants.
 * ---------------------------------------------------------------------- */
struct tp_ctl;

struct tp_ctl_params {
    int min_threads, max_threads; /* bounds, 1 <= min <= max */
    double cores;                 /* CPUs the workers may use (effective cores), > 0 */
    double headroom;              /* size = headroom x the model's knee; 0 = 1.2 */
    double deadband;              /* no move while the target is within this fraction; 0 = 0.1 */
    double max_step;              /* one move changes the size by at most this factor; 0 = 4 */
    double min_window_s;          /* a decision window is at least this long; 0 = 0.1 */
    double min_tasks;             /* ... and holds at least this many finished tasks; 0 = 20 */
    double max_window_s;          /* ... unless it has lasted this long; 0 = 1 */
    double cap_ttl_s;             /* a learnt bound (a move that did not pay) expires; 0 = 30 */
};

/* One sensor window: deltas of struct tp_pool_stats over dt_s seconds. */
struct tp_ctl_obs {
    double dt_s;
    int threads; /* the pool's size during the window */
    double tasks, busy_s, cpu_s, runq_s;
    int runq_known;    /* 0: runq_s is unknown (the model then uses the whole task time) */
    double runq_tasks; /* the tasks runq_s belongs to; 0 = all of them */
};

enum tp_ctl_action {
    TP_CTL_COLLECT = 0, /* window too short: nothing decided yet */
    TP_CTL_HOLD,        /* the size is right (or not confirmed to be wrong) */
    TP_CTL_MOVE,        /* the model asks for another size */
    TP_CTL_PROBE,       /* trying fewer threads: are they as good? */
    TP_CTL_SETTLE,      /* the window after a move: not judged (transient) */
    TP_CTL_VERIFY,      /* measuring the new size against the old */
    TP_CTL_ACCEPT,      /* the move paid (or cost nothing): kept */
    TP_CTL_REVERT,      /* the move did not pay: back, and a bound is learnt */
    TP_CTL_CHANGE,      /* the workload changed: estimates and bounds reset */
};

struct tp_ctl_step {
    double t_s;         /* controller time (sum of the windows) at the end of this window */
    double window_s;    /* this decision window's length */
    int threads_before; /* size during the window */
    int threads;        /* size decided */
    enum tp_ctl_action action;
    const char *reason;   /* a short static sentence */
    double tput;          /* tasks/s in the window */
    double task_s;        /* mean time inside a task (R) */
    double cpu_task_s;    /* CPU per task (C) */
    double runq_task_s;   /* run-queue wait per task (q) */
    double wait_task_s;   /* R - q - C: the task's own wait (W) */
    double busy;          /* share of worker time spent inside tasks */
    double knee;          /* the model's knee: cores x (W + C) / C (or demand x (W + C)) */
    double target;        /* headroom x knee, within the bounds */
    double noise;         /* relative window-to-window throughput noise */
    int cap_hi, floor_lo; /* learnt bounds (0 = none) */
};

/* Creates a controller for a pool now at start_threads. Returns 0, -EINVAL
 * (bad bounds or constants) or -ENOMEM. Free with tp_ctl_destroy. */
TP_EXTERN int tp_ctl_create(struct tp_ctl **out, const struct tp_ctl_params *params, int start_threads);
/* Feeds one sensor window; fills *step and returns the size the pool should
 * have now (the same while nothing is decided), or -EINVAL. */
TP_EXTERN int tp_ctl_update(struct tp_ctl *ctl, const struct tp_ctl_obs *obs, struct tp_ctl_step *step);
/* Fills the defaults into the zero fields of *p (bounds and cores excepted). */
TP_EXTERN void tp_ctl_params_defaults(struct tp_ctl_params *p);
TP_EXTERN const char *tp_ctl_action_name(enum tp_ctl_action a);
TP_EXTERN void tp_ctl_destroy(struct tp_ctl *ctl);

/* ------------------------------------------------------------------------
 * Workloads.
 * ---------------------------------------------------------------------- */
enum tp_workload_kind {
    TP_WORKLOAD_IO = 0, /* blocking wait of latency_ns, then compute_ns of CPU time */
    TP_WORKLOAD_CPU,    /* compute_ns of CPU time only */
    TP_WORKLOAD_MIXED,  /* io_fraction of the tasks wait latency_ns, the others compute compute_ns */
    TP_WORKLOAD_FILE,   /* pread of a random block_size block of a file_size temporary file */
    TP_WORKLOAD_NET,    /* TCP request/response over loopback to a server the sweep starts */
    TP_WORKLOAD_NOOP,   /* an empty task: what is measured is the pool's own overhead */
    TP_WORKLOAD_PLUGIN, /* the user's own task from plugin_path (tunepool/plugin.h) */
    TP_WORKLOAD_PG,     /* pg_queries on the worker's own PostgreSQL connection (libpq), prepared */
    TP_WORKLOAD_HTTP,   /* one HTTP request to http_url with libcurl, one kept-alive handle per worker */
};

#define TP_WORKLOAD_PATH_MAX 1024

/* Limits of the workload parameters (validated by the library, parsed by the CLI). */
#define TP_MAX_TASK_NS (60ull * 1000000000ull)  /* io, cpu, mixed: the longest wait or compute per task */
#define TP_MAX_DELAY_NS (60ull * 1000000000ull) /* net: the longest server delay */

#define TP_FILE_DEFAULT_SIZE (64ull << 20)                 /* file: 64 MiB */
#define TP_FILE_DEFAULT_BLOCK 4096u                        /* file: 4 KiB per read */
#define TP_NET_DEFAULT_REPLY 1024u                         /* net: 1 KiB per reply */
#define TP_NET_DEFAULT_REQUEST 64u                         /* net: 64 bytes per request */
#define TP_PG_CONNINFO_MAX 1024                            /* pg: the longest connection string */
#define TP_PG_QUERIES_MAX 8192                             /* pg: the bytes of every --query together */
#define TP_PG_MAX_QUERIES 64                               /* pg: the most statements in the mix */
#define TP_HTTP_URL_MAX 2048                               /* http: the longest URL, its NUL included */
#define TP_HTTP_HEADERS_MAX 4096                           /* http: every --header, one per line, NUL included */
#define TP_HTTP_DEFAULT_OK "200-399"                       /* http: the statuses that count as success */
#define TP_HTTP_DEFAULT_TIMEOUT_NS (10ull * 1000000000ull) /* http: one request's time limit */
#define TP_HTTP_CONNECT_TIMEOUT_NS (5ull * 1000000000ull)  /* http: connecting, at most this (and the limit) */

/* What each task does. Zero is a usable value for every field: a size of 0
 * means its default above. The struct holds no pointers, so it can be copied
 * into the point's process and into the result. */
struct tp_workload_params {
    enum tp_workload_kind kind;
    uint64_t latency_ns; /* io, mixed: length of the blocking wait per task */
    uint64_t compute_ns; /* io, cpu, mixed: CPU time per task (busy computation, never a sleep) */

    double io_fraction; /* mixed: share of the tasks that wait, 0..1; the rest compute */

    char file_dir[TP_WORKLOAD_PATH_MAX]; /* file: where the temporary file goes; "" = $TMPDIR or /tmp */
    uint64_t file_size;                  /* file: bytes; 0 = TP_FILE_DEFAULT_SIZE */
    uint32_t block_size;                 /* file: bytes per read; 0 = TP_FILE_DEFAULT_BLOCK */
    int direct;                          /* file: 1 = O_DIRECT reads (bypass the page cache) */

    uint64_t server_delay_ns; /* net: the server waits this long (a timer) before each reply */
    uint32_t reply_size;      /* net: bytes per reply; 0 = TP_NET_DEFAULT_REPLY */
    uint32_t request_size;    /* net: bytes per request; 0 = TP_NET_DEFAULT_REQUEST */

    char http_url[TP_HTTP_URL_MAX];         /* http: the URL each task requests */
    char http_method[16];                   /* http: "" = GET, or POST with a body */
    char http_headers[TP_HTTP_HEADERS_MAX]; /* http: request headers, one "Name: value" per line */
    char http_body[TP_WORKLOAD_PATH_MAX];   /* http: the request body, or "@FILE" to send a file's bytes */
    char http_ok_status[128];               /* http: statuses that succeed, e.g. "200-299,304"; "" = 200-399 */
    uint64_t http_timeout_ns;               /* http: one request's limit; 0 = TP_HTTP_DEFAULT_TIMEOUT_NS */

    char plugin_path[TP_WORKLOAD_PATH_MAX]; /* plugin: the shared object */
    char plugin_arg[TP_WORKLOAD_PATH_MAX];  /* plugin: the string its setup() receives (--workload-arg) */

    char pg_conninfo[TP_PG_CONNINFO_MAX]; /* pg: the libpq connection string (--conninfo) */
    /* pg: the statements (--query, repeatable), a TP_OPTION_STRING_LIST:
     * each one ended by a NUL, the list by an empty one; a single "@FILE"
     * names a file of statements (docs/workloads.md). */
    char pg_queries[TP_PG_QUERIES_MAX];
    /* Connection pools (pg): the server's cores and spindles for the
     * HikariCP / PostgreSQL wiki rule, 2 x server_cores + spindles. The
     * sweep fills server_cores with the effective cores when it is 0. */
    uint32_t server_cores;
    uint32_t spindles;

    /* Filled in by tp_sweep_run for the points it measures; callers leave
     * them zero. */
    char plugin_name[64]; /* plugin: the name the plugin gives itself */
    int file_fd;          /* file: open descriptor of the data file (valid when file_ready) */
    int file_ready;       /* file: 1 when the sweep created the file (already unlinked) */
    int net_port;         /* net: the loopback port of the sweep's server; 0 = none */
};

/* "io", "cpu", "mixed", "file", "net", "noop", "plugin", "http"; NULL for an unknown kind. */
TP_EXTERN const char *tp_workload_name(enum tp_workload_kind kind);
/* Parses a kind name into *out; "plugin:PATH" gives TP_WORKLOAD_PLUGIN.
 * -EINVAL if unknown. */
TP_EXTERN int tp_workload_parse(const char *name, enum tp_workload_kind *out);
/* Parses a --workload value into p->kind and, for "plugin:PATH", copies PATH
 * into p->plugin_path (a PATH without '/' is taken as "./PATH": a file, not
 * a library search). Other fields are left alone. -EINVAL if unknown or an
 * empty PATH, -ENAMETOOLONG if PATH does not fit. */
TP_EXTERN int tp_workload_parse_spec(const char *spec, struct tp_workload_params *p);

/* Checks, in the calling process and before anything is measured, that the
 * workload can run here: its parameters; for a plugin, that the file loads
 * (dlopen) and exports a usable tp_plugin_v1 of this ABI version; for file,
 * that the directory exists and, with direct, accepts O_DIRECT. Returns 0, or
 * -EINVAL / TP_EPLUGIN / a negative errno with a one-line reason in err
 * (which names the option at fault). Nothing is left behind. */
TP_EXTERN int tp_workload_check(const struct tp_workload_params *p, char *err, size_t errlen);

/* How a usage message names kind in --workload: "plugin:PATH.so", or its
 * name; NULL for an unknown kind. */
TP_EXTERN const char *tp_workload_usage(enum tp_workload_kind kind);

/* Each kind's own options, as a front end offers them (docs/workloads.md):
 * a table, so that a command line parses them in one loop. */
enum tp_option_type {
    TP_OPTION_SIZE,     /* bytes: a whole number, optional K, M, G; an unsigned field of field_size bytes */
    TP_OPTION_DURATION, /* a duration, stored in ns in a uint64_t field */
    TP_OPTION_FRACTION, /* a number in [min, max], stored in a double field */
    TP_OPTION_STRING,   /* text of min .. max bytes, copied into a char array of field_size bytes */
    TP_OPTION_FLAG,     /* no value: sets an int field to 1 */
    /* Repeatable text: each value (min .. max bytes) is appended to a char
     * array of field_size bytes, each ended by a NUL, the list by an empty
     * value (so a zeroed field is the empty list). */
    TP_OPTION_STRING_LIST,
    TP_OPTION_LIST, /* repeatable text: each value (min .. max bytes) appended as a line to a
                         * char array of field_size bytes */
};

struct tp_workload_option {
    const char *name; /* the long option without "--": "file-size" */
    enum tp_option_type type;
    double min, max; /* the accepted range: bytes, ns, the number, or the string's length */
    /* For messages. Size, duration, fraction: the accepted form, as in
     * "(expected 1 to 64G, e.g. 64M)". String: what the value is, as in
     * "empty directory name" / "too long a directory name"; NULL: "longer
     * than max bytes". */
    const char *expected;
    const char *value_name; /* for --help: "SIZE", "DURATION", "F", "DIR", "STR"; NULL for a flag */
    const char *help;       /* for --help: one line */
    size_t offset;          /* where the value goes: offsetof(struct tp_workload_params, ...) */
    size_t field_size;      /* sizeof that field */
};

/* The options of kind (*n of them); NULL and *n = 0 for none or an
 * unknown kind. The table is static. */
TP_EXTERN const struct tp_workload_option *tp_workload_options(enum tp_workload_kind kind, size_t *n);
/* The option called name and, in *kind (may be NULL), the kind it belongs
 * to; NULL when no kind has it. */
TP_EXTERN const struct tp_workload_option *tp_workload_option_find(const char *name, enum tp_workload_kind *kind);
/* After a front end set p from its options: the kind's combination of
 * them (e.g. file: a file of at least one block; mixed: a wait for the
 * waiting tasks). latency_given: --latency was given (kinds without a
 * modelled wait refuse it). No side effects. Returns 0, or -EINVAL with a
 * one-line reason naming the option in err. */
TP_EXTERN int tp_workload_check_options(const struct tp_workload_params *p, int latency_given, char *err,
                                        size_t errlen);

/* Describes the workload p in one line, as the reports do (e.g. "io: wait
 * 2 ms + compute 100 us per task"), into buf, truncated to len - 1
 * characters. Returns 0, or -EINVAL (buf untouched) when p or buf is NULL or
 * len is 0. */
TP_EXTERN int tp_workload_describe(const struct tp_workload_params *p, char *buf, size_t len);

/* Runs one task of the io workload in the calling thread: a blocking wait of
 * wait_ns (a sleep on the monotonic clock, using no CPU), then compute_ns of
 * the thread's CPU time in real computation. For callers that drive their
 * own pool with the io workload's tasks (tune-pool --online). Returns 0, or
 * -EINVAL (nothing run) when either is over 60 s. */
TP_EXTERN int tp_workload_io_task(uint64_t wait_ns, uint64_t compute_ns);

/* ------------------------------------------------------------------------
 * Executors: how a point runs its tasks (docs/executors.md).
 * ---------------------------------------------------------------------- */
enum tp_executor {
    TP_EXECUTOR_POOL = 0, /* the pthread pool: round(m x cores) threads, one task each at a time */
    TP_EXECUTOR_ASYNC,    /* one epoll event loop per core, c tasks in flight on each */
};

/* "pool", "async"; parse returns -EINVAL if unknown. */
TP_EXTERN const char *tp_executor_name(enum tp_executor e);
TP_EXTERN int tp_executor_parse(const char *name, enum tp_executor *out);

/* Whether executor e can run workload p: 0, or -EOPNOTSUPP with "not
 * supported by the async executor: <why>" in err (file and plugin have no
 * asynchronous path), or -EINVAL. */
TP_EXTERN int tp_executor_check(enum tp_executor e, const struct tp_workload_params *p, char *err, size_t errlen);

/* ------------------------------------------------------------------------
 * Results.
 * ---------------------------------------------------------------------- */
#define TP_MAX_REPS 64

enum tp_point_status {
    TP_POINT_OK = 0,
    TP_POINT_FAILED,  /* an error (e.g. threads could not be created): see error */
    TP_POINT_CRASHED, /* the point's process died from a signal: see signal */
    TP_POINT_TIMEOUT, /* ran past the point time limit */
    TP_POINT_SKIPPED, /* not measured: the sweep was interrupted first */
};

/* How the sweep chooses its points. */
enum tp_strategy {
    TP_STRATEGY_GRID = 0, /* exactly the multiplier list (plus the rule-of-thumb sizes) */
    TP_STRATEGY_ADAPTIVE, /* a coarse geometric pass, then refinement around the knee/peak */
    TP_STRATEGY_RACE,     /* for expensive runs: points raced a repetition at a time (see Racing) */
};

/* "grid", "adaptive", "race"; parse returns -EINVAL if unknown. */
TP_EXTERN const char *tp_strategy_name(enum tp_strategy s);
TP_EXTERN int tp_strategy_parse(const char *name, enum tp_strategy *out);

#define TP_REPEAT_MIN 3    /* --repeat=auto: never fewer repetitions */
#define TP_NOISE_WARN 0.05 /* intervals wider than 5% of the median: warn */
/* The statistics' defaults (a zero or out-of-range field of the options or
 * the result means these; the CLI's --confidence, --max-repeat, --precision). */
#define TP_DEFAULT_CONFIDENCE 0.95 /* interval level */
#define TP_DEFAULT_REPEAT_MAX 10   /* --repeat=auto: at most this many repetitions */
#define TP_DEFAULT_TARGET_CI 0.02  /* --repeat=auto: until the interval is this fraction of the median wide */
#define TP_DEFAULT_RESOLUTION 0.1  /* adaptive: refine down to this fraction of the pick's threads */
#define TP_DEFAULT_REP_SECONDS 0.3 /* --tasks=auto: a repetition this long */
#define TP_DEFAULT_MAX_ERRORS 0.01 /* a point whose tasks fail more often is not eligible (--max-errors) */
#define TP_MAX_ERRORS_NONE (-1.0)  /* max_errors: not one failure tolerated (--max-errors=0) */

/* Why a point was measured (a bit set: a point can be several). */
enum tp_point_origin {
    TP_ORIGIN_GRID = 1u << 0,   /* from the multiplier list */
    TP_ORIGIN_RULE = 1u << 1,   /* a rule-of-thumb point added to the list */
    TP_ORIGIN_COARSE = 1u << 2, /* adaptive: the coarse geometric pass */
    TP_ORIGIN_REFINE = 1u << 3, /* adaptive: refinement around the knee or the peak */
};

/* What the far side of a connection pool saw during a point (pg: its
 * pg_stat_activity rows of the point's connections, sampled every
 * TP_SERVER_SAMPLE_MS from a connection of its own). samples = 0: not
 * observed, the other fields are zero. */
#define TP_SERVER_SAMPLE_MS 50
#define TP_SERVER_WAITS 4
struct tp_server_view {
    int samples;        /* samples taken during the repetitions */
    int active_max;     /* the most backends of the pool in state "active" in one sample */
    double active_mean; /* their mean over the samples */
    int n_waits;        /* entries of waits, by mean count, highest first */
    struct tp_server_wait {
        char event[64]; /* "wait_event_type:wait_event", e.g. "Lock:transactionid" */
        double mean;    /* backends of the pool waiting on it, mean per sample */
    } waits[TP_SERVER_WAITS];
};

/* One of a point's keyed counts (struct tp_point.work_counts). */
#define TP_WORK_COUNTS 16
#define TP_WORK_COUNT_OTHER UINT32_MAX
struct tp_work_count {
    uint32_t key;
    uint64_t n;
};

/* One repetition of one point. */
struct tp_rep {
    double throughput; /* tasks / elapsed_s */
    double elapsed_s;  /* from first submit to last completion */
    double cpu_s;      /* process CPU time (user + system) during the repetition */
    uint64_t tasks;
    long nvcsw;  /* voluntary context switches during the repetition */
    long nivcsw; /* involuntary context switches during the repetition */
};

struct tp_point {
    double multiplier; /* threads / cores as requested */
    int threads;       /* round(multiplier x cores), at least 1 */
    unsigned origin;   /* enum tp_point_origin bits */
    enum tp_point_status status;
    int error;           /* negative code when status != OK, else 0 */
    int signal;          /* the signal when CRASHED */
    int threads_started; /* workers that ran (== threads when OK) */

    int n_reps;
    struct tp_rep reps[TP_MAX_REPS];
    uint64_t tasks_per_rep;

    /* Throughput over the repetitions (filled by tp_analyze). */
    double tput_median;
    double tput_ci_lo, tput_ci_hi; /* bootstrap percentile interval of the median */
    double tput_mad;               /* scaled MAD (x 1.4826) */
    int n_outliers;                /* repetitions flagged by the MAD rule */
    unsigned char outlier[TP_MAX_REPS];
    int in_band;  /* indistinguishable from the best point */
    int excluded; /* 1: its p99 latency is above the bound (--max-p99) */
    /* 1: its failure share (tp_point_error_share) is above the result's
     * max_errors: like excluded, out of the best, the band and the pick. */
    int error_excluded;

    /* Per-task wall time (start to end of the task on its worker), all reps. */
    double lat_p50_ns, lat_p90_ns, lat_p99_ns, lat_max_ns;
    double task_wall_mean_ns; /* mean per-task wall time */
    double task_cpu_mean_ns;  /* mean per-task thread CPU time */

    double cpu_util; /* sum of rep cpu_s / sum of (elapsed_s x cores): 1 = all cores busy */
    long max_rss_kb; /* peak resident set of the point's process */
    double wall_s;   /* the whole point: thread start, warm-up, reps, join */

    /* What the workload really did during the repetitions (warm-up excluded),
     * summed over them: reads (file), requests (net), tasks that returned
     * success (plugin), waits and computations (io, cpu, mixed), empty tasks
     * (noop); the bytes those moved; and the operations that failed (a short
     * read, a refused connection, a plugin task returning an error). Per-task
     * errors are counted, never fatal. */
    uint64_t work_ops, work_bytes, work_errors;

    /* A failed point: what the library or the server said beyond its
     * error code (pg: libpq's message, "FATAL: sorry, too many clients
     * already"); "" = nothing more. */
    char error_detail[256];
    /* What the server saw during the repetitions, where the kind can read
     * it (pg: pg_stat_activity, sampled by a connection of its own). */
    struct tp_server_view server;
    /* The kind's own counts over the same repetitions, each under a key the
     * kind gives (http: the response status, 0 for a transport error;
     * TP_WORK_COUNT_OTHER: keys past the table's room), sorted by key. */
    int n_work_counts;
    struct tp_work_count work_counts[TP_WORK_COUNTS];
};

/* A folk rule's thread count, and how it fared against the pick. */
struct tp_rule_row {
    const char *name;  /* static text, e.g. "m = 5 (ThreadPoolExecutor <= 3.7)" */
    const char *key;   /* short stable id for CSV/JSON: "tpe37", "tpe38", "cpu" */
    double multiplier; /* threads / cores */
    int threads;
    int point;                       /* index in result->points, -1 if not measured */
    double fraction;                 /* its median throughput / the pick's; 0 if unknown */
    double fraction_lo, fraction_hi; /* the same ratio from the interval ends */
};

#define TP_N_RULES 3   /* the rows every report shows: the first TP_N_RULES of tp_rule_specs */
#define TP_MAX_RULES 8 /* room for those and the rows of a kind of job (enum tp_rule_for) */

/* Java Concurrency in Practice / Little's law: threads* = cores x U x (1 + W/C). */
struct tp_model {
    int valid;          /* 0 if no point could feed it */
    int from_point;     /* the point whose per-task times were used */
    double wait_ns;     /* W = mean task wall - mean task CPU */
    double compute_ns;  /* C = mean task CPU */
    double utilization; /* U, the target CPU utilisation (1.0) */
    double threads;     /* predicted optimum, fractional */
    double multiplier;  /* threads / cores */
    double throughput;  /* ceiling min(T/(W+C), cores/C) at the predicted T */
    /* What a task really costs at the best point: process CPU time (user +
     * system, the pool and the kernel included) per task, and the ceiling
     * cores / that cost. 0 when unknown. */
    double cpu_per_task_ns;
    double cpu_ceiling;
};

struct tp_result {
    char version[16];
    struct tp_topology topo;
    /* The machine the result came from (docs/fleet.md): filled by
     * the sweep (tp_sweep_opts.host, else this machine's facts); read back
     * from the document's "host" (all zero for a document without one:
     * class_key is then ""). */
    struct tp_host host;
    int cores; /* cores the multipliers refer to (topo.effective_cores) */
    struct tp_workload_params workload;
    int repeat;        /* repetitions per point; 0 = auto */
    uint64_t tasks;    /* tasks per repetition requested; 0 = auto */
    double confidence; /* e.g. 0.95 */
    uint64_t seed;     /* bootstrap seed */
    size_t stack_size;

    struct tp_point *points; /* sorted by threads; owned, freed by tp_result_free */
    size_t n_points;

    int best;   /* index of the highest median, -1 if none */
    int pick;   /* the recommendation: smallest threads in the band, -1 if none */
    int n_band; /* points in the band */
    double band_lo_multiplier, band_hi_multiplier;
    struct tp_rule_row rules[TP_MAX_RULES]; /* n_rules of them: the TP_N_RULES rows, then the kind's */
    int n_rules;
    unsigned rule_kinds; /* enum tp_rule_for bits beyond TP_RULE_FOR_POOLS whose rules apply (set by the sweep
                          * from tp_sweep_opts.rule_kinds; read back from the rows a document holds) */
    struct tp_model model;

    int partial;               /* 1 when interrupted: some points were not measured */
    enum tp_strategy strategy; /* how the points were chosen */
    int repeat_max;            /* repeat == 0 (auto): the most repetitions per point */
    double target_ci;          /* repeat == 0 (auto): target interval width / median */
    double resolution;         /* adaptive: refinement stops at this fraction of the pick's threads */
    double tolerance;          /* band: within this fraction below the highest interval floor counts as equal */
    double max_p99_ns;         /* latency bound of the objective; 0 = maximise throughput */
    double max_errors;         /* failure share a point may have; 0 = TP_DEFAULT_MAX_ERRORS, < 0 = none */
    double noise;              /* upper quartile over ok points of the interval width / median */
    double noise_mad;          /* upper quartile over ok points of the scaled MAD / median */
    int noisy;                 /* noise > TP_NOISE_WARN: neighbouring points may be inseparable */
    int n_failed;              /* points whose status is not OK or SKIPPED */
    double started_unix;       /* wall-clock start, seconds since the epoch */
    double duration_s;         /* the whole sweep */
    /* --executor=both|async: the event-loop sweep beside this one (owned,
     * freed by tp_result_free); NULL = the pool only. */
    struct tp_async_result *async;
    /* TP_STRATEGY_RACE (see Racing): the budget, what the search spent (each
     * point's share is its n_reps), and 1 when the budget stopped it early. */
    int max_runs;
    int runs_spent;
    int budget_hit;
    /* --run: the program and its per-point records (see Programs), moved in
     * by tp_program_source_attach(); owned, freed by tp_result_free; NULL
     * for the built-in workloads. */
    struct tp_program_result *program;
};

/* The async executor's side of a run (docs/executors.md). */
struct tp_async_result {
    int only;      /* 1: no pool sweep ran (--executor=async) */
    int supported; /* 0: the workload has no async path: why says so, sweep is empty */
    char why[256];
    int rc; /* what its sweep returned (0, TP_ENOPOINTS, TP_ECANCELED, ...) */
    /* Its points: multiplier = in-flight tasks per loop, threads = in flight
     * in total; every point runs min(cores, threads) loop threads. */
    struct tp_result sweep;
};

/* The pool's pick against the async pick. */
struct tp_executor_verdict {
    int valid;                 /* 0: one side has no pick */
    const char *winner;        /* "async", "pool" or "indistinguishable" (the intervals overlap) */
    double ratio;              /* async median tasks/s / pool median tasks/s at the picks */
    double ratio_lo, ratio_hi; /* from the interval ends: async lo / pool hi .. async hi / pool lo */
    int pool_threads;          /* threads the pool's pick uses */
    int async_threads;         /* loop threads the async pick uses */
};

/* Compares r's pick with r->async's pick. Pure. Returns 0, or TP_ENOPOINTS
 * (out->valid = 0) when either has no pick. */
TP_EXTERN int tp_executor_compare(const struct tp_result *r, struct tp_executor_verdict *out);

/* The documents' "$schema": this prefix and the kind ("sweep", "online"),
 * the $id of share/tunepool/schema/<kind>.schema.json. */
#define TP_SCHEMA_ID_PREFIX "urn:tune-pool:schema:"

/* Frees what result owns (not result itself). Safe on a zeroed struct. */
TP_EXTERN void tp_result_free(struct tp_result *result);

/* Recomputes every derived field of result from its points' raw data
 * (repetitions and per-task figures): per-point median, interval, MAD
 * outliers; best, band, pick; rule rows; model. Pure: no clock, no I/O.
 * Returns 0, TP_ENOPOINTS when no point is OK (fields then cleared), -EINVAL
 * or -ENOMEM. */
TP_EXTERN int tp_analyze(struct tp_result *result);

/* The share of a point's tasks that failed: work_errors / (work_ops +
 * work_errors); 0 when it counted nothing. Pure. */
TP_EXTERN double tp_point_error_share(const struct tp_point *p);

/* The failure share r's points may reach (r->max_errors resolved: the
 * default for 0, 0 for a negative value). Pure. */
TP_EXTERN double tp_result_max_errors(const struct tp_result *r);

/* Status name: "ok", "failed", "crashed", "timeout", "skipped". */
TP_EXTERN const char *tp_point_status_name(enum tp_point_status s);

/* 1 when the point was measured: status ok with at least one repetition
 * (what every report shows figures for); 0 otherwise. Pure. */
TP_EXTERN int tp_point_ok(const struct tp_point *p);

/* ------------------------------------------------------------------------
 * Sweep.
 * ---------------------------------------------------------------------- */

/* What the sweep asks a measurement source for. */
struct tp_point_request {
    double multiplier;
    int threads;
    int cores;
    int repeat;         /* repetitions; 0 = auto (TP_REPEAT_MIN .. repeat_max) */
    uint64_t tasks;     /* tasks per repetition; 0 = the source chooses */
    double rep_seconds; /* with tasks == 0: aim for repetitions this long */
    int warmup;         /* 1: run a warm-up before the repetitions */
    size_t stack_size;
    double timeout_s; /* the point's time limit; 0 = none */
    const struct tp_workload_params *workload;
    volatile sig_atomic_t *cancel; /* set non-zero to abandon the point */
    /* May be NULL. The source stores here how many repetitions of this point
     * have finished, as each finishes, with an atomic store (the caller
     * resets it to 0 between points). The real source stores it from the
     * point's child process, so it is seen elsewhere only when it lies in
     * MAP_SHARED memory (the CLI's status line reads it that way). */
    volatile int *reps_done;
    /* repeat == 0: repeat until the interval of the median is at most
     * target_ci x median wide, from TP_REPEAT_MIN up to repeat_max. */
    int repeat_max;
    double target_ci;
    double confidence;
    uint64_t seed;
    /* TP_EXECUTOR_ASYNC: `cores` event loops with `threads` tasks in flight
     * in total (multiplier = in flight per loop) instead of a pool. */
    enum tp_executor executor;
};

/* A measurement source: the real one runs a pool and a workload; tests use a
 * synthetic, seeded one. measure() fills out's raw fields (status, reps,
 * per-task figures) and returns 0; it returns a negative code only when the
 * whole sweep must stop (TP_ECANCELED). A failure of the point itself is
 * recorded in out->status, not returned. */
struct tp_source {
    int (*measure)(void *ctx, const struct tp_point_request *req, struct tp_point *out);
    void *ctx;
};

/* Progress events: called from the sweep's thread, between points. */
enum tp_progress_event {
    TP_PROGRESS_POINT_START = 0,
    TP_PROGRESS_POINT_DONE,
};

struct tp_progress {
    enum tp_progress_event event;
    size_t index, total;          /* this point and how many are planned */
    const struct tp_point *point; /* DONE: the finished point (raw + its own stats) */
    double multiplier;
    int threads;
    double elapsed_s; /* since the sweep started */
};

struct tp_sweep_opts {
    const double *multipliers; /* the grid; NULL = tp_default_multipliers */
    size_t n_multipliers;
    int include_rules;         /* add the rule-of-thumb points to the plan */
    unsigned rule_kinds;       /* enum tp_rule_for bits: whose rules apply besides every pool's (TP_RULE_FOR_BUILDS
                                * for a make-like --run: tp_program_build_like); copied to the result */
    enum tp_strategy strategy; /* grid: the list as given; adaptive: coarse pass + refinement */
    double resolution;         /* adaptive: stop refining at this fraction of the pick's threads (0.1) */
    double tolerance;          /* band margin: a point whose interval reaches (1 - tolerance) x the
                                * highest interval floor is in the band (0 = intervals only) */
    int max_refine;            /* adaptive: at most this many refinement points (0 = 8) */
    double max_p99_ns;         /* objective: best throughput whose p99 stays under this; 0 = none */
    double max_errors;         /* a point whose tasks fail more often than this share is not eligible;
                                * 0 = TP_DEFAULT_MAX_ERRORS, TP_MAX_ERRORS_NONE = not one failure */
    int repeat_max;            /* repeat == 0: the most repetitions (0 = 10) */
    double target_ci;          /* repeat == 0: target interval width / median (0 = 0.02) */
    int max_threads;           /* grid points above this are refused (-E2BIG); rule sizes above it are left out */
    int repeat;                /* 1 .. TP_MAX_REPS; 0 = auto (see target_ci) */
    uint64_t tasks;            /* per repetition; 0 = auto */
    double rep_seconds;        /* auto: target repetition length */
    int warmup;
    size_t stack_size;
    double point_timeout_s; /* 0 = none */
    double confidence;      /* (0,1): interval level, e.g. 0.95 */
    uint64_t seed;
    struct tp_workload_params workload;
    struct tp_source source;       /* measure == NULL: the real source */
    volatile sig_atomic_t *cancel; /* may be NULL */
    volatile int *reps_done;       /* may be NULL: passed to each point's request (see there) */
    void (*progress)(void *ctx, const struct tp_progress *p); /* may be NULL */
    void *progress_ctx;
    /* TP_EXECUTOR_ASYNC: each point is `cores` event loops, multipliers are
     * in-flight tasks per loop (threads = in flight in total); the adaptive
     * coarse pass then adds no rule-of-thumb points. */
    enum tp_executor executor;
    /* TP_STRATEGY_RACE: at most this many repetitions over the whole search
     * (warm-ups not counted); 0 = TP_RACE_DEFAULT_MAX_RUNS. */
    int max_runs;
    /* The host facts the result carries (result.host): NULL = this
     * machine's (tp_host_describe, the derived class key). Tests and the
     * golden reports pass fixed facts; the CLI passes --host-class's. */
    const struct tp_host *host;
};

/* The default multiplier grid and its length. */
TP_EXTERN extern const double tp_default_multipliers[];
TP_EXTERN extern const size_t tp_n_default_multipliers;

/* The threads the multiplier stands for on cores cores, as the sweep plans
 * its points: round(multiplier x cores), at least 1, at most INT32_MAX.
 * Pure; cannot fail (multiplier must be a finite number). */
TP_EXTERN int tp_threads_for(double multiplier, int cores);

/* Runs the sweep on topo's effective cores and fills *out (which the caller
 * then frees with tp_result_free). Returns 0; TP_ECANCELED when cancelled
 * (out holds what was measured, out->partial = 1); TP_ENOPOINTS when every
 * point failed (out holds them, with their reasons); -EINVAL / -E2BIG for bad
 * options (out left empty). */
TP_EXTERN int tp_sweep_run(const struct tp_sweep_opts *opts, const struct tp_topology *topo, struct tp_result *out);

/* The real measurement source (a child process per point running the
 * pool and the workload), for callers that wrap it. */
TP_EXTERN int tp_source_real_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out);

/* ------------------------------------------------------------------------
 * Racing (TP_STRATEGY_RACE): a search for expensive runs (a build that takes
 * a minute per run). It works with any struct tp_source and asks it for a
 * few repetitions at a time (request.repeat = 1 or TP_RACE_FIRST_REPS; the
 * warm-up only at a point's first visit), appending them to the point:
 *  - coarse points, geometric in m from m = 1 (x2, then towards the knee the
 *    model predicts once two points are known, at most x8 a step), up until
 *    the top point is clearly below the best or a plateau is passed;
 *  - a point gets more repetitions only while its interval could still reach
 *    the best's band; the repetitions go to the best (it sets the band's
 *    floor) and to the lowest point that could still be in the band (the
 *    band's lower edge, i.e. the pick), until each is out of the race, as
 *    narrow as target_ci, or at repeat_max;
 *  - then the edge is bisected (pick against the point below it) and the
 *    peak (best against its upper neighbour) down to the resolution, and the
 *    rule-of-thumb sizes are added when include_rules is set;
 *  - the whole search spends at most max_runs repetitions (result.max_runs,
 *    result.runs_spent, result.budget_hit; a point's share is its n_reps,
 *    a failed visit counts at least 1).
 * The race judges a point with few repetitions by its bootstrap interval
 * widened to at least median x (1 +- z s / sqrt(n)), s the noise pooled over
 * all points (TP_RACE_PRIOR_NOISE until enough repetitions exist), z the
 * normal quantile of the confidence level; the final analysis (tp_analyze)
 * uses the plain intervals, so a point the race stopped is out of the band
 * by both. Multipliers given explicitly make the sweep a grid, as for the
 * adaptive strategy.
 * ---------------------------------------------------------------------- */
#define TP_RACE_DEFAULT_MAX_RUNS 60 /* --max-runs default */
#define TP_RACE_FIRST_REPS 2        /* repetitions of a new point's first visit */
#define TP_RACE_TARGET_CI 0.03      /* interval width / median that settles a point (target_ci = 0) */
#define TP_RACE_PRIOR_NOISE 0.05    /* relative noise assumed until it is measured */

/* ------------------------------------------------------------------------
 * Rules of thumb as data: threads = round(per_core x cores) + add, at most
 * cap (0 = no cap), at least 1. tp_rule_specs lists them: the three rows
 * every report shows (TP_N_RULES, in the order of struct tp_result.rules)
 * and then the ones for a kind of job (TP_RULE_FOR_BUILDS: ninja's default
 * parallelism, cores + 2, for make-like jobs).
 * ---------------------------------------------------------------------- */
enum tp_rule_for {
    TP_RULE_FOR_POOLS = 1u << 0,       /* any pool (every report's rows) */
    TP_RULE_FOR_BUILDS = 1u << 1,      /* build jobs: make -j, ninja -j (tp_program_build_like) */
    TP_RULE_FOR_CONNECTIONS = 1u << 2, /* pools of connections to a server (pg): set by the sweep */
};

struct tp_rule_spec {
    const char *key;  /* stable id for CSV/JSON: "tpe37", "tpe38", "cpu", "ninja" */
    const char *name; /* e.g. "cores + 2 (ninja's default -j)" */
    double per_core;
    int add;
    int cap;
    unsigned applies;       /* enum tp_rule_for bits */
    const char *short_name; /* for a plot's key: "m = 5 (TPE <= 3.7)" */
    /* 1: cores are the server's (workload.server_cores) and add gains its
     * spindles (workload.spindles): HikariCP's 2 x server cores + spindles. */
    int of_server;
};

TP_EXTERN extern const struct tp_rule_spec tp_rule_specs[];
TP_EXTERN extern const size_t tp_n_rule_specs;

/* 1 when the rule applies to a job of the given enum tp_rule_for kinds
 * (TP_RULE_FOR_POOLS rules always do). */
TP_EXTERN int tp_rule_applies(const struct tp_rule_spec *rule, unsigned kinds);

/* The rule's thread count for workload w (may be NULL) on cores: for a
 * rule of_server, 2 x w->server_cores + w->spindles style (the server's
 * cores when w gives them, else cores); else tp_rule_threads. */
TP_EXTERN int tp_rule_threads_for(const struct tp_rule_spec *rule, int cores, const struct tp_workload_params *w);

/* The rule's thread count on cores (>= 1); 1 for a NULL rule or cores < 1. */
TP_EXTERN int tp_rule_threads(const struct tp_rule_spec *rule, int cores);

/* ------------------------------------------------------------------------
 * Programs: tune the user's own program (--run). A measurement source that
 * runs a command for each point, the point's size substituted for the
 * placeholders {threads} and {m} (hyperfine's convention) and/or set as
 * NAME=threads in its environment for each env name.
 *
 * Commands: through `/bin/sh -c` by default; a substituted value is quoted
 * for the place it lands in (bare, '...', "..."), and a `\{` outside single
 * quotes keeps a placeholder literal. With no_shell the command is split
 * into words and run directly (posix_spawnp): blanks separate words; '...'
 * keeps everything literally; in "..." a backslash escapes only " \ $ `;
 * outside quotes a backslash makes the next character literal (a backslash-
 * newline is removed); nothing else is special (no $VAR, globs, pipes,
 * redirections); an unterminated quote is an error. Other braces are plain
 * text. prepare, setup and cleanup take placeholders and env the same way.
 *
 * Each command runs in a new process group with stdin from /dev/null,
 * stdout to /dev/null (captured, the last TP_PROGRAM_OUTPUT_MAX bytes, with
 * a metric) and stderr into a pipe of which the last TP_PROGRAM_TAIL_LINES
 * lines are kept; with show_output both are also copied to this process's
 * stdout and stderr. A run is timed with CLOCK_MONOTONIC from spawn to exit;
 * user/system CPU and max RSS come from wait4()'s rusage, which includes
 * the descendants the program itself waited for (not those it left behind
 * or that a daemon detached), and whose max RSS is the largest single
 * process of that tree, not a sum. A command running longer than the
 * point's time limit (request.timeout_s, --point-timeout, applied to each
 * run) gets SIGTERM to its whole process group, TP_PROGRAM_GRACE_MS later
 * SIGKILL, and is reaped; after any run (setup's excepted: it may start a
 * service for the point) whatever is left in its process group is killed.
 *
 * A point's visit: setup once, warm-up runs (untimed, only when the
 * request asks: the first visit), then per repetition prepare (untimed)
 * and the timed run, then cleanup. The race may visit a point again;
 * setup and cleanup then bracket each visit.
 *
 * What is measured per run (tp_rep.throughput; higher is better):
 *   default       runs/s = 1 / wall time
 *   work = N      units/s = N / wall time
 *   metric = RE   the number in RE's first capture group in the run's stdout
 *                 (POSIX ERE, REG_NEWLINE; the last match counts, since a
 *                 program prints its summary last; the group must hold a
 *                 finite number and nothing else but blanks)
 *   metric_lower  the same figure, lower is better: the sweep sees 1/value.
 *                 The median and the bootstrap percentile interval are
 *                 order statistics, so they carry over: the interval of
 *                 the figure is [1/hi, 1/lo] of the sweep's (exact for odd
 *                 repetitions; for even ones the median is the mean of the
 *                 two middle reciprocals, not the reciprocal of their mean).
 * The model (struct tp_model) gets C = (user + sys) / units per run and
 * W = wall x threads / units - C (the wall time each thread spent per unit,
 * less its CPU), units = work or 1.
 *
 * Failures are data: a non-zero exit (TP_EEXIT), a signal (CRASHED), a run
 * past the time limit (TIMEOUT), a command that cannot be started (-errno:
 * -ENOENT with no_shell; through the shell it is exit 127), a missing or
 * unparsable metric (TP_ENOMETRIC), in any command of the visit, mark the
 * point failed; its struct tp_program_point says why, with the last stderr
 * lines, and the search goes on.
 * ---------------------------------------------------------------------- */
#define TP_PROGRAM_MAX_ENV 8                /* env names per program */
#define TP_PROGRAM_TAIL_LINES 5             /* stderr lines kept for a failure */
#define TP_PROGRAM_TAIL_BYTES 1024          /* ... in at most this many bytes */
#define TP_PROGRAM_OUTPUT_MAX (64u * 1024u) /* stdout kept for the metric: the last 64 KiB */
#define TP_PROGRAM_GRACE_MS 200             /* SIGTERM .. SIGKILL of a run past its limit */
#define TP_PROGRAM_DEFAULT_WARMUP 1         /* untimed runs at a point's first visit */

/* Which placeholders a command holds (bits). */
enum tp_placeholder {
    TP_PLACEHOLDER_THREADS = 1u << 0, /* {threads}: the point's thread count */
    TP_PLACEHOLDER_M = 1u << 1,       /* {m}: its multiplier (threads / cores, %g) */
};

struct tp_program_opts {
    const char *command;                 /* required: the program to run */
    const char *env[TP_PROGRAM_MAX_ENV]; /* names set to the thread count, n_env of them */
    int n_env;
    int no_shell;        /* 1: split command and exec it (no /bin/sh -c) */
    uint64_t work;       /* units one run does; 0 = none (runs/s) */
    const char *metric;  /* POSIX ERE with a capture group; NULL = time the runs */
    int metric_lower;    /* 1: the metric is better when lower (a latency) */
    const char *prepare; /* before every run (warm-ups too), untimed; NULL = none */
    const char *setup;   /* once per visit of a point, before its runs; NULL = none */
    const char *cleanup; /* once per visit of a point, after its runs; NULL = none */
    int warmup;          /* untimed runs at a point's first visit, 0 .. TP_MAX_REPS */
    int show_output;     /* 1: the program's stdout/stderr also go to ours */
};

/* One timed run. */
struct tp_program_run {
    double wall_s;        /* spawn to exit (CLOCK_MONOTONIC) */
    double user_s, sys_s; /* wait4 rusage: the program and the children it waited for */
    long max_rss_kb;      /* the largest process of that tree */
    int exit_code;        /* its exit status; -1 when a signal ended it or it did not start */
    int signal;           /* the signal that ended it, 0 = none */
    int timed_out;        /* 1: killed at the time limit */
    double metric;        /* the figure read from its output (metric set); NAN otherwise */
    double value;         /* what the sweep saw (tp_rep.throughput); 0 for a failed run */
};

/* What the program did at one point (thread count), over all its visits. */
struct tp_program_point {
    int threads;
    double multiplier;
    int visits;      /* times the search came to this point */
    int n_runs;      /* timed runs recorded in run[] (the failing one included) */
    int warmup_runs; /* untimed warm-up runs */
    int other_runs;  /* prepare, setup and cleanup commands run */
    struct tp_program_run run[TP_MAX_REPS];
    enum tp_point_status status;             /* as the sweep's point */
    int error;                               /* 0, TP_EEXIT, TP_ENOMETRIC, TP_ECRASHED, TP_ETIMEOUT, -errno */
    char reason[256];                        /* e.g. "run 2: exit status 3"; "" when ok */
    char stderr_tail[TP_PROGRAM_TAIL_BYTES]; /* the failing command's last stderr lines */
    char *command;                           /* the main command as run at this point (substituted; owned) */
};

/* The program of a result (result.program): its options, copied, and the
 * per-point records, sorted by threads. */
struct tp_program_result {
    char *command, *prepare, *setup, *cleanup, *metric; /* owned copies; NULL = none */
    char *env[TP_PROGRAM_MAX_ENV];
    int n_env;
    unsigned placeholders; /* enum tp_placeholder bits found in command */
    int no_shell, metric_lower, show_output, warmup;
    uint64_t work;
    int build_like;   /* tp_program_build_like(command) */
    const char *unit; /* static: "runs/s", "units/s" or "metric" */
    struct tp_program_point *points;
    size_t n_points;
    int runs, warmup_runs, other_runs; /* totals over the points */
};

/* Fills *opts with the defaults: everything 0/NULL, warmup =
 * TP_PROGRAM_DEFAULT_WARMUP. */
TP_EXTERN void tp_program_opts_init(struct tp_program_opts *opts);

/* Makes src a measurement source running opts' program (the options and
 * their strings are copied). Returns 0; -EINVAL with a one-line reason in
 * why (may be NULL) when no placeholder and no env name is given (nothing
 * would vary), the command is empty or does not split (no_shell), an env
 * name is not a shell name, the metric does not compile or has no capture group, warmup is out of range;
 * -ENOMEM. The source keeps per-point records as it measures; free it with
 * tp_program_source_destroy() (after tp_program_source_attach(), if used). */
TP_EXTERN int tp_program_source_create(struct tp_source *src, const struct tp_program_opts *opts, char *why,
                                       size_t why_len);

/* Moves the source's program description and per-point records into
 * result->program (replacing one there), leaving the source empty and
 * usable. Returns 0, -EINVAL (src not a program source), -ENOMEM. */
TP_EXTERN int tp_program_source_attach(struct tp_source *src, struct tp_result *result);

/* Frees what tp_program_source_create() made; src->measure and src->ctx
 * become NULL. NULL or an empty src is a no-op. */
TP_EXTERN void tp_program_source_destroy(struct tp_source *src);

/* The record of the point with `threads` threads, or NULL. */
TP_EXTERN const struct tp_program_point *tp_program_point_find(const struct tp_result *result, int threads);

/* 1 when command runs a build tool (its first word's base name is make,
 * gmake, bmake, ninja or samu, or it is `cmake --build`): ninja's rule
 * (TP_RULE_FOR_BUILDS) applies. 0 otherwise, NULL included. */
TP_EXTERN int tp_program_build_like(const char *command);

/* What the throughput of a program's runs counts (static): "metric" when a
 * metric is read from its output, else "units/s" with work units per run,
 * else "runs/s". */
TP_EXTERN const char *tp_program_unit(int has_metric, uint64_t work);

/* Frees a struct tp_program_result's contents and the struct itself. */
TP_EXTERN void tp_program_result_free(struct tp_program_result *pr);

/* ------------------------------------------------------------------------
 * Reports.
 * ---------------------------------------------------------------------- */
enum tp_format {
    TP_FORMAT_TABLE = 0,
    TP_FORMAT_CSV,
    TP_FORMAT_JSON,
    TP_FORMAT_MARKDOWN,
};

/* Writes result in format to f. Returns 0 or a negative code (-EIO on a
 * write error, TP_EJSON). */
TP_EXTERN int tp_report_write(const struct tp_result *result, enum tp_format format, FILE *f);

/* Writes result to path atomically: a temporary file in the same directory,
 * fsync, rename. On failure nothing is left at path that was not there
 * before (an older file stays intact). Returns 0 or a negative errno. */
TP_EXTERN int tp_report_save(const struct tp_result *result, enum tp_format format, const char *path);

/* "table", "csv", "json", "markdown"; parse returns -EINVAL if unknown. */
TP_EXTERN const char *tp_format_name(enum tp_format f);
TP_EXTERN int tp_format_parse(const char *name, enum tp_format *out);

/* ------------------------------------------------------------------------
 * Reading results back: a results JSON document (schema 1) into a struct
 * tp_result, enough for the reports, the emitters, the plot and compare.
 * The statistics (medians, intervals, band, pick, rules, model) are
 * recomputed from the stored repetitions with the document's seed and level.
 * ---------------------------------------------------------------------- */

/* Reads the document at path into *out (the caller frees it with
 * tp_result_free, also after a failure). Returns 0; -errno when the file
 * cannot be read; TP_EFORMAT when it is not valid JSON, not ours ("tool":
 * "tune-pool", "schema": 1) or malformed. A document without any measured
 * point is read (out->pick == -1), not refused. When why is not NULL it
 * receives a one-line explanation (e.g. "points[2].threads: missing"). */
TP_EXTERN int tp_result_load(struct tp_result *out, const char *path, char *why, size_t why_len);
/* The same from an open stream (read to its end, not closed). */
TP_EXTERN int tp_result_read(struct tp_result *out, FILE *f, char *why, size_t why_len);

/* ------------------------------------------------------------------------
 * Emitters: the recommendation as a snippet for a build configuration.
 * Every snippet defines TUNEPOOL_THREADS, TUNEPOOL_MULTIPLIER,
 * TUNEPOOL_CORES, TUNEPOOL_WORKLOAD and TUNEPOOL_VERSION
 * (docs/integration.md).
 * ---------------------------------------------------------------------- */
enum tp_emit_format {
    TP_EMIT_CMAKE = 0, /* set(TUNEPOOL_THREADS 42) ... for include() */
    TP_EMIT_MAKE,      /* TUNEPOOL_THREADS := 42 ... for include */
    TP_EMIT_HEADER,    /* #define TUNEPOOL_THREADS 42 ... a C/C++ header */
    TP_EMIT_ENV,       /* TUNEPOOL_THREADS=42 ... POSIX sh assignments, env files */
    TP_EMIT_JSON,      /* {"threads": 42, ...}: a small object */
    TP_EMIT_ANSIBLE,   /* tunepool_threads: 42 ... YAML for group_vars/ or host_vars/ */
};

/* Writes result's recommendation as a snippet to f. Returns 0, TP_ENOPOINTS
 * when the result has no recommendation (nothing is written), -EINVAL, or
 * -EIO on a write error. */
TP_EXTERN int tp_emit_write(const struct tp_result *result, enum tp_emit_format format, FILE *f);
/* "cmake", "make", "header", "env", "json", "ansible"; parse returns -EINVAL if unknown. */
TP_EXTERN const char *tp_emit_name(enum tp_emit_format format);
TP_EXTERN int tp_emit_parse(const char *name, enum tp_emit_format *out);

/* ------------------------------------------------------------------------
 * Plots: throughput against the multiplier (intervals, the band, the pick,
 * the rule-of-thumb sizes), p99 latency on a second axis, drawn by gnuplot.
 * ---------------------------------------------------------------------- */
enum tp_plot_format {
    TP_PLOT_PNG = 0, /* pngcairo */
    TP_PLOT_SVG,     /* svg */
};

struct tp_plot_opts {
    enum tp_plot_format format;
    int width, height;   /* pixels; 0 = 1200 x 720 */
    const char *gnuplot; /* the program; NULL = "gnuplot" looked up in PATH */
};

/* Writes a self-contained gnuplot script (data inline) that draws result
 * into image_path; opts may be NULL. `gnuplot FILE` re-renders it, and
 * `gnuplot -e "tp_output='other.png'" FILE` renders elsewhere. Returns 0,
 * -EINVAL, -EIO. */
TP_EXTERN int tp_plot_write_script(const struct tp_result *result, const struct tp_plot_opts *opts,
                                   const char *image_path, FILE *f);

/* Writes the script atomically to script_path (NULL: a temporary file,
 * removed afterwards), runs gnuplot on it as a child process and moves the
 * finished image to image_path atomically. Returns 0; TP_ENOGNUPLOT when
 * gnuplot cannot be found; TP_EGNUPLOT when it exits non-zero or makes no
 * image (why then holds its last error line); -errno for file errors. */
TP_EXTERN int tp_plot_render(const struct tp_result *result, const struct tp_plot_opts *opts, const char *image_path,
                             const char *script_path, char *why, size_t why_len);

/* Writes a whole gnuplot script to f that draws into the file named by the
 * gnuplot variable tp_output (set by tp_plot_render_script). Returns 0, or a
 * negative code that tp_plot_render_script then returns. */
typedef int (*tp_plot_script_writer)(void *ctx, FILE *f);

/* tp_plot_render for a script of the caller's: writer(ctx, f) writes it
 * (atomically to script_path, or to a temporary file, removed afterwards,
 * when script_path is NULL), gnuplot renders it, and the finished image is
 * moved to image_path atomically; opts may be NULL. Returns 0; -EINVAL for a
 * NULL writer or an empty image_path; writer's negative code; otherwise as
 * tp_plot_render (TP_ENOGNUPLOT, TP_EGNUPLOT with why, -errno). */
TP_EXTERN int tp_plot_render_script(tp_plot_script_writer writer, void *ctx, const struct tp_plot_opts *opts,
                                    const char *image_path, const char *script_path, char *why, size_t why_len);

/* Writes s (not NULL) to f as a gnuplot string literal: in double quotes,
 * with quotes, backslashes and newlines escaped; for scripts of the caller's
 * (tp_plot_render_script). A write error shows in ferror(f). */
TP_EXTERN void tp_plot_write_string(FILE *f, const char *s);

/* ------------------------------------------------------------------------
 * Merging many hosts' results (docs/fleet.md): results grouped by host
 * class; per class the pooled points, the class's pick, and each host's
 * own pick against it. One workload per merge: results of different
 * workloads, parameters or --run commands are refused.
 * ---------------------------------------------------------------------- */

/* How a host's own pick stands against its class's. */
enum tp_merge_verdict {
    TP_MERGE_AGREES = 0, /* its pick is in the class band and the class pick in its band */
    TP_MERGE_DISAGREES,  /* one of the two is not: a noisy or misconfigured machine, or not of this class */
    TP_MERGE_NO_PICK,    /* the host measured no point (every point failed): nothing to compare */
};

/* One point of one host, as the merge keeps it. */
struct tp_merge_point {
    double multiplier;
    int threads;
    enum tp_point_status status;
    double median, ci_lo, ci_hi; /* its own median and interval (tp_analyze of the host's result) */
    double lat_p99_ns;           /* NaN when unknown */
    int in_band;                 /* in the host's own band */
    int n_reps;
    double *reps; /* the repetitions' throughputs, n_reps of them (owned) */
};

/* One input: a result of one host. */
struct tp_merge_host {
    char *path; /* the file it was read from (owned) */
    struct tp_host host;
    char started[32];   /* "2026-01-01T00:00:00Z", or "" */
    char *identity;     /* what makes a run the same run: hostname, class, start, duration, workload, command (owned) */
    char *workload_sig; /* the workload object and --run command as canonical JSON (owned) */
    int cores;
    int partial;
    int n_failed; /* points that failed, crashed or timed out */
    double confidence, tolerance, max_p99_ns;
    uint64_t seed;
    struct tp_merge_point *points; /* sorted by threads (owned) */
    size_t n_points;
    int pick; /* index into points, -1 = none */
    double band_lo_multiplier, band_hi_multiplier;
    enum tp_merge_verdict verdict; /* set by tp_merge_finish */
    char why[192];                 /* why it disagrees or has no pick; "" when it agrees */
};

/* A class's point at one multiplier: every host's repetitions there, pooled. */
struct tp_merge_pooled {
    double multiplier;
    int threads; /* round(m x the class's cores) */
    int n_hosts; /* hosts that measured it (status ok) */
    int n_samples;
    double median, ci_lo, ci_hi; /* median and bootstrap interval of the pooled repetitions */
    double lat_p99_ns;           /* the highest p99 of those hosts; NaN when unknown */
    int excluded;                /* its p99 is above the class's --max-p99 */
    int in_band;
};

struct tp_merge_class {
    char key[TP_HOST_CLASS_MAX];
    size_t *hosts; /* indices into merge->hosts, sorted by hostname then path (owned) */
    size_t n_hosts;
    struct tp_merge_pooled *points; /* sorted by multiplier (owned) */
    size_t n_points;
    int best, pick, n_band; /* indices into points; -1 = none */
    double band_lo_multiplier, band_hi_multiplier;
    int cores;        /* the first host's cores */
    int cores_differ; /* 1: its hosts have different core counts (a --host-class label over unlike machines) */
    int n_disagree, n_no_pick;
};

/* An input that was not merged, and why. */
struct tp_merge_skip {
    char *path; /* owned */
    int code;   /* -errno, TP_EFORMAT, or TP_EDUPLICATE */
    char why[256];
    char *duplicate_of; /* TP_EDUPLICATE: the file kept instead (owned); NULL otherwise */
};

struct tp_merge {
    struct tp_merge_host *hosts;
    size_t n_hosts, cap_hosts;
    struct tp_merge_class *classes; /* sorted by key; filled by tp_merge_finish */
    size_t n_classes;
    struct tp_merge_skip *skipped;
    size_t n_skipped, cap_skipped;
    struct tp_workload_params workload; /* the one workload (the first input's) */
    char *workload_json;                /* its "workload" object, compact (owned) */
    char *command;                      /* its --run command, NULL for a built-in workload (owned) */
    char version[16];                   /* of the first input */
    int from_merged;                    /* 1: read back from a merged document (given alone): nothing is recomputed */
};

/* Starts an empty merge (zeroes *m). */
TP_EXTERN void tp_merge_init(struct tp_merge *m);

/* Adds path: a results file, or a directory whose *.json files (searched
 * recursively, in name order) are added. A file that cannot be read, is
 * not a sweep results document of ours (another tool's, an --online
 * document, truncated JSON), has no host object, or repeats a run already
 * added (same identity) is recorded in m->skipped with its reason, not
 * added. A merged document as the first and only input is read back as it
 * stands (classes, picks, hosts: m->from_merged), to be written or emitted
 * again; among other inputs it is skipped. Returns 0; -ENOMEM (m stays
 * valid). */
TP_EXTERN int tp_merge_add(struct tp_merge *m, const char *path);

/* Groups the hosts by class, pools each class's points and picks, and sets
 * each host's verdict. Returns 0; TP_ENOPOINTS when no input was added;
 * TP_EMIXED when the inputs hold different workloads (why: which fields
 * differ and in which files; nothing is merged); -ENOMEM. */
TP_EXTERN int tp_merge_finish(struct tp_merge *m, char *why, size_t why_len);

/* Writes a finished merge in format to f (json: the merged document,
 * schema/merge.schema.json). Returns 0, -EIO, TP_EJSON, -EINVAL. */
TP_EXTERN int tp_merge_write(const struct tp_merge *m, enum tp_format format, FILE *f);

/* Writes class c's pick as an emit snippet to f (the formats of
 * tp_emit_write). Returns 0, TP_ENOPOINTS (the class has no pick),
 * -EINVAL, -EIO. */
TP_EXTERN int tp_merge_emit_class(const struct tp_merge *m, size_t c, enum tp_emit_format format, FILE *f);

/* Writes a gnuplot script drawing class c: one throughput curve per host
 * with its intervals, the pooled median, the class band and pick; the
 * image goes to the gnuplot variable tp_output (tp_plot_render_script).
 * Returns 0, -EINVAL, -EIO. */
TP_EXTERN int tp_merge_plot_script(const struct tp_merge *m, size_t c, const struct tp_plot_opts *opts, FILE *f);

/* Frees what m owns (m itself is the caller's); m is then empty. */
TP_EXTERN void tp_merge_free(struct tp_merge *m);

#ifdef __cplusplus
}
#endif
#endif /* TUNEPOOL_TUNEPOOL_H */
