/* golden_reports.c - every report of fixed, seeded synthetic sweeps, for the byte-for-byte check against tests/golden/. */
/*
 * Usage: golden_reports OUT_DIR
 *
 * Runs a handful of sweeps through the public API with a synthetic, seeded
 * measurement source (no clock, no threads, no child process), fixes the
 * wall-clock fields, and writes each scenario's table, CSV, JSON, Markdown,
 * every --emit snippet and the gnuplot script into OUT_DIR/<scenario>.<kind>.
 * tests/check_golden.sh compares them with tests/golden/: a refactoring that
 * changes a byte of any report fails there, naming the file and the line.
 * Exit 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunepool/tunepool.h"

enum shape { KNEE, CPU_BOUND, PEAK };

struct synth {
    enum shape shape;
    double wait_ns, compute_ns, noise;
    uint64_t rng;
    int fail_threads, crash_threads;
    int err_threads; /* > 0: from this size on, 3% of the tasks fail (an HTTP 503), the others answer 200 */
};

static uint64_t next_u64(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A deviate from the sum of 12 uniforms minus 6 (Irwin-Hall, sd 1): portable
 * to the last bit, unlike libm's log and cos. */
static double deviate(uint64_t *s)
{
    double sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (double)(next_u64(s) >> 11) / 9007199254740992.0;
    return sum - 6;
}

static double ideal(const struct synth *s, int threads, int cores)
{
    double w = s->wait_ns / 1e9, c = s->compute_ns / 1e9;
    double x = fmin(threads / (w + c), cores / c);
    switch (s->shape) {
    case KNEE: return x;
    case CPU_BOUND: return fmin(threads, cores) / c;
    case PEAK: {
        double knee = cores * (1 + w / c);
        return threads > 2 * knee ? x * (2 * knee) / threads : x;
    }
    }
    return 0;
}

static int synth_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out)
{
    struct synth *s = ctx;
    if (req->threads == s->fail_threads) {
        out->status = TP_POINT_FAILED;
        out->error = -EAGAIN;
        out->threads_started = req->threads / 2;
        return 0;
    }
    if (req->threads == s->crash_threads) {
        out->status = TP_POINT_CRASHED;
        out->error = TP_ECRASHED;
        out->signal = 11;
        return 0;
    }
    double x = ideal(s, req->threads, req->cores);
    int reps = req->repeat > 0 ? req->repeat : req->repeat_max;
    out->status = TP_POINT_OK;
    out->threads_started = req->threads;
    out->n_reps = reps;
    out->tasks_per_rep = 1000;
    for (int r = 0; r < reps; r++) {
        double v = x * (1 + s->noise * deviate(&s->rng));
        out->reps[r].throughput = v > 0 ? v : 1;
        out->reps[r].tasks = 1000;
        out->reps[r].elapsed_s = 1000 / out->reps[r].throughput;
        out->reps[r].cpu_s = 1000 * s->compute_ns * 1.05 / 1e9;
    }
    out->task_cpu_mean_ns = s->compute_ns;
    out->task_wall_mean_ns = s->wait_ns + s->compute_ns * fmax(1.0, (double)req->threads / req->cores / 10);
    out->lat_p50_ns = out->task_wall_mean_ns;
    double knee = req->cores * (1 + s->wait_ns / s->compute_ns);
    out->lat_p99_ns = out->task_wall_mean_ns * (1.1 + fmax(0, req->threads - knee) / knee);
    out->max_rss_kb = 4096 + req->threads * 72;
    out->work_ops = (uint64_t)reps * 1000;
    out->work_bytes = s->compute_ns < 1e5 ? out->work_ops * 4096 : 0;
    if (s->err_threads > 0) { /* the http kind's status counts */
        out->work_errors = req->threads >= s->err_threads ? out->work_ops * 3 / 100 : 0;
        out->work_ops -= out->work_errors;
        out->n_work_counts = 0;
        out->work_counts[out->n_work_counts++] = (struct tp_work_count){ 200, out->work_ops };
        if (out->work_errors > 0)
            out->work_counts[out->n_work_counts++] = (struct tp_work_count){ 503, out->work_errors };
    }
    out->lat_p90_ns = out->lat_p50_ns * 1.05;
    out->lat_max_ns = out->lat_p99_ns * 1.3;
    out->wall_s = reps * 0.5;
    return 0;
}

struct scenario {
    const char *name;
    struct synth synth;
    struct tp_workload_params workload;
    enum tp_strategy strategy;
    int repeat;
    double max_p99_ns;
    int cores;
    int async; /* 1: also the event loops' sweep, side by side (--executor=both) */
};

static const struct scenario scenarios[] = {
    { "io-grid",
      { KNEE, 2e6, 1e5, 0.01, 11, 0, 0, 0 },
      { .kind = TP_WORKLOAD_IO, .latency_ns = 2000000, .compute_ns = 100000 },
      TP_STRATEGY_GRID,
      5,
      0,
      2,
      0 },
    { "io-adaptive",
      { KNEE, 1e7, 1e5, 0.02, 12, 0, 0, 0 },
      { .kind = TP_WORKLOAD_IO, .latency_ns = 10000000, .compute_ns = 100000 },
      TP_STRATEGY_ADAPTIVE,
      0,
      0,
      4,
      0 },
    { "cpu-failures",
      { CPU_BOUND, 0, 1e6, 0.03, 13, 8, 16, 0 },
      { .kind = TP_WORKLOAD_CPU, .compute_ns = 1000000 },
      TP_STRATEGY_GRID,
      5,
      0,
      2,
      0 },
    { "mixed-latency",
      { PEAK, 1e6, 2e5, 0.02, 14, 0, 0, 0 },
      { .kind = TP_WORKLOAD_MIXED, .latency_ns = 1000000, .compute_ns = 200000, .io_fraction = 0.5 },
      TP_STRATEGY_GRID,
      5,
      3e6,
      2,
      0 },
    { "noisy-noop", { KNEE, 5e5, 5e4, 0.15, 15, 0, 0, 0 }, { .kind = TP_WORKLOAD_NOOP }, TP_STRATEGY_GRID, 3, 0, 8, 0 },
    { "io-both",
      { KNEE, 2e6, 1e5, 0.01, 16, 0, 0, 0 },
      { .kind = TP_WORKLOAD_IO, .latency_ns = 2000000, .compute_ns = 100000 },
      TP_STRATEGY_GRID,
      5,
      0,
      2,
      1 },
    { "http-errors",
      { KNEE, 2e6, 1e5, 0.01, 18, 0, 0, 24 },
      { .kind = TP_WORKLOAD_HTTP, .http_url = "http://127.0.0.1:8080/api", .http_headers = "Accept: */*" },
      TP_STRATEGY_GRID,
      5,
      0,
      2,
      0 },
    { "cpu-one-core",
      { CPU_BOUND, 0, 5e5, 0.01, 17, 0, 0, 0 },
      { .kind = TP_WORKLOAD_CPU, .compute_ns = 500000 },
      TP_STRATEGY_GRID,
      3,
      0,
      1,
      0 },
};

static int write_one(const char *dir, const char *scen, const char *kind, const struct tp_result *r, int what, int sub)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s", dir, scen, kind);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "golden_reports: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc;
    if (what == 0)
        rc = tp_report_write(r, (enum tp_format)sub, f);
    else if (what == 1)
        rc = tp_emit_write(r, (enum tp_emit_format)sub, f);
    else
        rc = tp_plot_write_script(r, NULL, "plot.png", f);
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    if (rc < 0)
        fprintf(stderr, "golden_reports: %s: %s\n", path, tp_strerror(rc));
    return rc < 0 ? -1 : 0;
}

/* The event loops' sweep (as --executor=both runs it: no rule sizes) beside the pool's. */
static int attach_async(const struct scenario *sc, const struct tp_sweep_opts *pool, const struct tp_topology *topo,
                        struct tp_result *r)
{
    struct synth s = sc->synth;
    s.rng ^= 0x5a5a;
    struct tp_sweep_opts o = *pool;
    o.executor = TP_EXECUTOR_ASYNC;
    o.include_rules = 0;
    o.source.ctx = &s;
    struct tp_async_result *as = calloc(1, sizeof *as);
    if (as == NULL)
        return -1;
    as->supported = 1;
    as->rc = tp_sweep_run(&o, topo, &as->sweep);
    r->async = as;
    if (as->rc < 0) {
        fprintf(stderr, "golden_reports: %s: async sweep: %s\n", sc->name, tp_strerror(as->rc));
        return -1;
    }
    return 0;
}

/* The seam that keeps the goldens the same on every machine: fixed host
 * facts (a real host's name, kernel and memory vary), the key derived from
 * them as a sweep derives it. */
static struct tp_host golden_host(const struct tp_topology *topo)
{
    struct tp_host h;
    memset(&h, 0, sizeof h);
    snprintf(h.hostname, sizeof h.hostname, "golden-host");
    snprintf(h.cpu_model, sizeof h.cpu_model, "%s", topo->cpu_model);
    h.effective_cores = topo->effective_cores;
    h.cores_source = topo->source;
    h.allowed_pus = topo->hwloc_pus;
    h.mem_gib = 16;
    snprintf(h.kernel, sizeof h.kernel, "6.1.0-golden");
    snprintf(h.arch, sizeof h.arch, "x86_64");
    if (tp_host_class_key(&h, h.class_key, sizeof h.class_key) < 0)
        snprintf(h.class_key, sizeof h.class_key, "golden");
    return h;
}

static int run_scenario(const char *dir, const struct scenario *sc)
{
    struct synth s = sc->synth;
    struct tp_sweep_opts o = {
        .include_rules = 1,
        .strategy = sc->strategy,
        .max_threads = 4096,
        .repeat = sc->repeat,
        .max_p99_ns = sc->max_p99_ns,
        .tolerance = 0.02,
        .confidence = 0.95,
        .seed = 7,
        .workload = sc->workload,
        .source = { synth_measure, &s },
    };
    struct tp_topology topo;
    memset(&topo, 0, sizeof topo);
    topo.hwloc_ok = 1;
    topo.effective_cores = topo.allowed_cores = topo.hwloc_cores = topo.affinity_cpus = sc->cores;
    topo.hwloc_pus = topo.online_cpus = sc->cores;
    topo.mem_total_kb = 16l << 20;
    topo.mem_available_kb = 12l << 20;
    topo.source = TP_CORES_HWLOC;
    snprintf(topo.cpu_model, sizeof topo.cpu_model, "Synthetic CPU");
    struct tp_host host = golden_host(&topo);
    o.host = &host;
    struct tp_result r;
    int rc = tp_sweep_run(&o, &topo, &r);
    if (rc < 0 && rc != TP_ENOPOINTS) {
        fprintf(stderr, "golden_reports: %s: sweep: %s\n", sc->name, tp_strerror(rc));
        return -1;
    }
    if (sc->async && attach_async(sc, &o, &topo, &r) < 0)
        return -1;
    r.started_unix = 1767225600; /* 2026-01-01T00:00:00Z: the clock is not what is compared */
    r.duration_s = 12.5;
    static const char *const fmt_kind[] = { "txt", "csv", "json", "md" };
    static const enum tp_format fmts[] = { TP_FORMAT_TABLE, TP_FORMAT_CSV, TP_FORMAT_JSON, TP_FORMAT_MARKDOWN };
    int bad = 0;
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
        bad |= write_one(dir, sc->name, fmt_kind[i], &r, 0, fmts[i]);
    for (int e = 0;; e++) {
        const char *name = tp_emit_name((enum tp_emit_format)e);
        if (name == NULL)
            break;
        char kind[64];
        snprintf(kind, sizeof kind, "emit-%s", name);
        bad |= write_one(dir, sc->name, kind, &r, 1, e);
    }
    bad |= write_one(dir, sc->name, "gp", &r, 2, 0);
    tp_result_free(&r);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: golden_reports OUT_DIR\n");
        return 2;
    }
    int bad = 0;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        bad |= run_scenario(argv[1], &scenarios[i]);
    return bad ? 1 : 0;
}
