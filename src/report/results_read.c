/* results_read.c - reads a results JSON document (schema 1) back into a struct tp_result. */
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "error.h"
#include "results_read.h"
#include "registry.h"
#include "vec.h"

/* Bounds on what a document may claim: past them it is not a real run. */
#define MAX_THREADS (1 << 22)
#define MAX_THROUGHPUT 1e12
#define MAX_SECONDS 1e7
/* A sweep measures tens of points (a grid takes at most 256 multipliers);
 * the statistics size their scratch by the point count. */
#define MAX_POINTS 65536

/* Collects the first problem; every getter is a no-op once one is recorded. */
struct reader {
    char *why;
    size_t why_len;
    int rc;
    enum tp_workload_kind kind; /* the document's workload, once read */
};

static void fail(struct reader *rd, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct reader *rd, int rc, const char *fmt, ...)
{
    if (rd->rc != 0)
        return;
    rd->rc = rc;
    if (rd->why != NULL && rd->why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rd->why, rd->why_len, fmt, ap);
        va_end(ap);
    }
}

/* A number (integer or real); null gives NAN. A missing field or another type is an error. */
static double get_num(struct reader *rd, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return NAN;
    if (!json_is_number(v)) {
        fail(rd, TP_EFORMAT, "%s.%s: expected a number", where, key);
        return NAN;
    }
    return json_number_value(v);
}

/* A number that may be null or missing: 0 then. */
static double get_num0(struct reader *rd, const json_t *obj, const char *key, const char *where)
{
    double x = get_num(rd, obj, key, where);
    return isfinite(x) ? x : 0.0;
}

static long long get_int(struct reader *rd, const json_t *obj, const char *key, const char *where, int required)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            fail(rd, TP_EFORMAT, "%s.%s: missing", where, key);
        return 0;
    }
    if (!json_is_integer(v)) {
        fail(rd, TP_EFORMAT, "%s.%s: expected a whole number", where, key);
        return 0;
    }
    return json_integer_value(v);
}

static const char *get_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void copy_str(char *dst, size_t len, const char *src) { snprintf(dst, len, "%s", src != NULL ? src : ""); }

static const json_t *get_obj(struct reader *rd, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_object(v)) {
        fail(rd, TP_EFORMAT, "%s.%s: missing or not an object", where, key);
        return NULL;
    }
    return v;
}

/* A cores source by its name; hwloc when unknown or absent. */
static enum tp_cores_source source_by_name(const char *name)
{
    for (int s = TP_CORES_HWLOC; s <= TP_CORES_OVERRIDE; s++) {
        const char *n = tp_cores_source_name((enum tp_cores_source)s);
        if (name != NULL && n != NULL && strcmp(name, n) == 0)
            return (enum tp_cores_source)s;
    }
    return TP_CORES_HWLOC;
}

static void read_topology(struct reader *rd, const json_t *t, struct tp_topology *topo)
{
    const json_t *hw = json_object_get(t, "hwloc"), *q = json_object_get(t, "quota");
    const char *src = get_str(t, "source"), *unit = get_str(t, "unit");
    topo->effective_cores = (int)get_int(rd, t, "effective_cores", "topology", 1);
    topo->allowed_cores = (int)get_int(rd, t, "allowed_cores", "topology", 0);
    topo->unit = unit != NULL && strcmp(unit, "core") == 0 ? TP_UNIT_CORE : TP_UNIT_PU;
    topo->source = source_by_name(src);
    if (json_is_object(hw)) {
        topo->hwloc_ok = json_is_true(json_object_get(hw, "ok"));
        topo->hwloc_cores = (int)get_int(rd, hw, "cores", "topology.hwloc", 0);
        topo->hwloc_pus = (int)get_int(rd, hw, "pus", "topology.hwloc", 0);
    }
    topo->affinity_cpus = (int)get_int(rd, t, "affinity_cpus", "topology", 0);
    topo->online_cpus = (int)get_int(rd, t, "online_cpus", "topology", 0);
    if (json_is_object(q)) {
        topo->quota_cpus = get_num0(rd, q, "cpus", "topology.quota");
        topo->quota_cores = (int)get_int(rd, q, "cores", "topology.quota", 0);
        copy_str(topo->quota_source, sizeof topo->quota_source, get_str(q, "source"));
    }
    topo->cores_override = (int)get_int(rd, t, "override", "topology", 0);
    copy_str(topo->cpu_model, sizeof topo->cpu_model, get_str(t, "cpu_model"));
    topo->mem_total_kb = (long)get_int(rd, t, "mem_total_kb", "topology", 0);
    topo->mem_available_kb = (long)get_int(rd, t, "mem_available_kb", "topology", 0);
    copy_str(topo->warning, sizeof topo->warning, get_str(t, "warning"));
}

/* The host object, when the document has one (older documents do not:
 * out stays zeroed). Its class names files and Ansible groups, so it must
 * be a valid class name (tp_host_class_valid). */
static void read_host(struct reader *rd, const json_t *root, struct tp_host *h)
{
    const json_t *o = json_object_get(root, "host");
    if (o == NULL || json_is_null(o))
        return;
    if (!json_is_object(o)) {
        fail(rd, TP_EFORMAT, "document.host: not an object");
        return;
    }
    const char *cls = get_str(o, "class"), *from = get_str(o, "class_from"), *src = get_str(o, "cores_source");
    if (!tp_host_class_valid(cls)) {
        fail(rd, TP_EFORMAT, "host.class: missing or not a class name (letters, digits, '-', '_', '.')");
        return;
    }
    copy_str(h->class_key, sizeof h->class_key, cls);
    h->class_overridden = from != NULL && strcmp(from, "user") == 0;
    copy_str(h->hostname, sizeof h->hostname, get_str(o, "hostname"));
    copy_str(h->cpu_model, sizeof h->cpu_model, get_str(o, "cpu_model"));
    copy_str(h->kernel, sizeof h->kernel, get_str(o, "kernel"));
    copy_str(h->arch, sizeof h->arch, get_str(o, "arch"));
    h->effective_cores = (int)get_int(rd, o, "effective_cores", "host", 0);
    h->cores_source = source_by_name(src);
    h->allowed_pus = (int)get_int(rd, o, "allowed_pus", "host", 0);
    h->quota_cpus = get_num0(rd, o, "quota_cpus", "host");
    h->mem_gib = (long)get_int(rd, o, "mem_gib", "host", 0);
}

/* The error code behind a failed point's reason text (only its text is
 * stored), and the detail after "<code's text>: " (a server's message) into
 * p->error_detail. */
static int error_from_reason(const char *reason, struct tp_point *p)
{
    static const int candidates[] = { -EAGAIN,     -ENOMEM,      -EINVAL,       -EPERM,    -EMFILE,
                                      -ENFILE,     -ENOSPC,      -E2BIG,        TP_ECHILD, TP_ECRASHED,
                                      TP_ETIMEOUT, TP_ECANCELED, -ECONNREFUSED, -EPROTO,   -EIO };
    if (reason != NULL) {
        for (size_t i = 0; i < TP__ARRAY_LEN(candidates); i++) {
            const char *s = tp_strerror(candidates[i]);
            size_t n = strlen(s);
            if (strncmp(reason, s, n) != 0)
                continue;
            if (reason[n] == ':' && reason[n + 1] == ' ')
                snprintf(p->error_detail, sizeof p->error_detail, "%s", reason + n + 2);
            return candidates[i];
        }
    }
    return -EIO;
}

static void copy_field(char *dst, size_t len, const json_t *obj, const char *key)
{
    const char *s = get_str(obj, key);
    if (s != NULL)
        snprintf(dst, len, "%s", s);
}

/* A pool of connections' parameters (pg): the connection string as
 * written (without its password), the statements, the rule's server. */
static void read_pg(struct reader *rd, const json_t *wl, struct tp_workload_params *w)
{
    copy_field(w->pg_conninfo, sizeof w->pg_conninfo, wl, "conninfo");
    const json_t *qs = json_object_get(wl, "queries"), *q;
    size_t k, o = 0;
    json_array_foreach(qs, k, q)
    {
        const char *s = json_string_value(q);
        size_t n = s != NULL ? strlen(s) : 0;
        if (n == 0 || o + n + 2 > sizeof w->pg_queries)
            break;
        memcpy(w->pg_queries + o, s, n + 1);
        o += n + 1;
        w->pg_queries[o] = '\0';
    }
    w->server_cores = (uint32_t)get_int(rd, wl, "server_cores", "workload", 0);
    w->spindles = (uint32_t)get_int(rd, wl, "spindles", "workload", 0);
}

/* The http workload's parameters: the headers array back into lines. */
static void read_http(struct reader *rd, const json_t *wl, struct tp_workload_params *w)
{
    copy_field(w->http_url, sizeof w->http_url, wl, "url");
    copy_field(w->http_method, sizeof w->http_method, wl, "method");
    copy_field(w->http_body, sizeof w->http_body, wl, "body");
    copy_field(w->http_ok_status, sizeof w->http_ok_status, wl, "ok_status");
    w->http_timeout_ns = (uint64_t)get_int(rd, wl, "timeout_ns", "workload", 0);
    const json_t *headers = json_object_get(wl, "headers"), *h;
    size_t i, at = 0;
    json_array_foreach(headers, i, h)
    {
        const char *line = json_string_value(h);
        size_t n = line != NULL ? strlen(line) : 0;
        if (n == 0 || at + n + 2 > sizeof w->http_headers || strpbrk(line, "\r\n") != NULL) {
            fail(rd, TP_EFORMAT, "workload.headers[%zu]: not a header line that fits", i);
            return;
        }
        if (at > 0)
            w->http_headers[at++] = '\n';
        memcpy(w->http_headers + at, line, n + 1);
        at += n;
    }
}

/* The workload: its kind by name, and the parameters its kind has. */
static void read_workload(struct reader *rd, const json_t *wl, struct tp_workload_params *w)
{
    const char *name = get_str(wl, "name");
    int known = 0;
    for (int k = 0; k < 64 && !known; k++) {
        const char *n = tp_workload_name((enum tp_workload_kind)k);
        if (n != NULL && name != NULL && strcmp(n, name) == 0) {
            w->kind = (enum tp_workload_kind)k;
            known = 1;
        }
    }
    if (!known) {
        fail(rd, TP_EFORMAT, "workload.name: missing or unknown workload '%s'", name != NULL ? name : "");
        return;
    }
    w->latency_ns = (uint64_t)get_int(rd, wl, "latency_ns", "workload", 0);
    w->compute_ns = (uint64_t)get_int(rd, wl, "compute_ns", "workload", 0);
    w->io_fraction = get_num0(rd, wl, "io_fraction", "workload");
    const char *dir = get_str(wl, "file_dir");
    if (dir != NULL && strcmp(dir, "$TMPDIR") != 0)
        snprintf(w->file_dir, sizeof w->file_dir, "%s", dir);
    w->file_size = (uint64_t)get_int(rd, wl, "file_size", "workload", 0);
    w->block_size = (uint32_t)get_int(rd, wl, "block_size", "workload", 0);
    w->direct = json_is_true(json_object_get(wl, "direct"));
    w->server_delay_ns = (uint64_t)get_int(rd, wl, "server_delay_ns", "workload", 0);
    w->request_size = (uint32_t)get_int(rd, wl, "request_size", "workload", 0);
    w->reply_size = (uint32_t)get_int(rd, wl, "reply_size", "workload", 0);
    copy_field(w->plugin_path, sizeof w->plugin_path, wl, "plugin_path");
    copy_field(w->plugin_name, sizeof w->plugin_name, wl, "plugin_name");
    copy_field(w->plugin_arg, sizeof w->plugin_arg, wl, "plugin_arg");
    read_pg(rd, wl, w);
    read_http(rd, wl, w);
    rd->kind = w->kind;
}

/* Why the point was measured: the names of its origin bits. */
static unsigned read_origin(const json_t *origin)
{
    unsigned bits = 0;
    size_t k;
    const json_t *v;
    json_array_foreach(origin, k, v)
    {
        const char *s = json_string_value(v);
        if (s != NULL && strcmp(s, "grid") == 0)
            bits |= TP_ORIGIN_GRID;
        else if (s != NULL && strcmp(s, "rule") == 0)
            bits |= TP_ORIGIN_RULE;
        else if (s != NULL && strcmp(s, "coarse") == 0)
            bits |= TP_ORIGIN_COARSE;
        else if (s != NULL && strcmp(s, "refine") == 0)
            bits |= TP_ORIGIN_REFINE;
    }
    return bits;
}

/* The status by name, and the error code it stands for. */
static void read_status(struct reader *rd, const json_t *o, const char *where, struct tp_point *p)
{
    const char *status = get_str(o, "status");
    int known = 0;
    for (int s = TP_POINT_OK; s <= TP_POINT_SKIPPED; s++) {
        if (status != NULL && strcmp(status, tp_point_status_name((enum tp_point_status)s)) == 0) {
            p->status = (enum tp_point_status)s;
            known = 1;
        }
    }
    if (!known)
        fail(rd, TP_EFORMAT, "%s.status: missing or unknown", where);
    p->signal = (int)get_int(rd, o, "signal", where, 0);
    switch (p->status) {
    case TP_POINT_OK: p->error = 0; break;
    case TP_POINT_CRASHED: p->error = TP_ECRASHED; break;
    case TP_POINT_TIMEOUT: p->error = TP_ETIMEOUT; break;
    case TP_POINT_SKIPPED: p->error = TP_ECANCELED; break;
    case TP_POINT_FAILED: p->error = error_from_reason(get_str(o, "reason"), p); break;
    }
}

/* The raw repetitions, at most TP_MAX_REPS, each with plausible figures. */
static void read_reps(struct reader *rd, const json_t *o, const char *where, struct tp_point *p)
{
    const json_t *reps = json_object_get(o, "reps");
    if (reps != NULL && !json_is_array(reps))
        fail(rd, TP_EFORMAT, "%s.reps: not an array", where);
    size_t k;
    const json_t *v;
    json_array_foreach(reps, k, v)
    {
        if (k >= TP_MAX_REPS) {
            fail(rd, TP_EFORMAT, "%s.reps: more than %d repetitions", where, TP_MAX_REPS);
            break;
        }
        struct tp_rep *r = &p->reps[k];
        if (!json_is_object(v)) {
            fail(rd, TP_EFORMAT, "%s.reps[%zu]: not an object", where, k);
            break;
        }
        r->throughput = get_num0(rd, v, "throughput", where);
        r->elapsed_s = get_num0(rd, v, "elapsed_s", where);
        r->cpu_s = get_num0(rd, v, "cpu_s", where);
        /* Figures no measurement gives (negative, or beyond any machine)
         * would only mislead the statistics and the report. */
        if (rd->rc == 0 && !(r->throughput >= 0 && r->throughput <= MAX_THROUGHPUT && r->elapsed_s >= 0 &&
                             r->elapsed_s <= MAX_SECONDS && r->cpu_s >= 0 && r->cpu_s <= MAX_SECONDS))
            fail(rd, TP_EFORMAT, "%s.reps[%zu]: throughput, elapsed_s and cpu_s must be >= 0 and plausible", where, k);
        r->tasks = (uint64_t)get_int(rd, v, "tasks", where, 0);
        r->nvcsw = (long)get_int(rd, v, "nvcsw", where, 0);
        r->nivcsw = (long)get_int(rd, v, "nivcsw", where, 0);
        p->n_reps = (int)k + 1;
    }
    if (rd->rc == 0 && p->status == TP_POINT_OK && p->n_reps < 1)
        fail(rd, TP_EFORMAT, "%s: status ok but no repetitions", where);
}

/* What the server saw (a pool of connections' point), when it was observed. */
static void read_server(struct reader *rd, const json_t *s, const char *where, struct tp_server_view *v)
{
    if (!json_is_object(s))
        return;
    v->samples = (int)get_int(rd, s, "samples", where, 0);
    v->active_max = (int)get_int(rd, s, "active_max", where, 0);
    v->active_mean = get_num0(rd, s, "active_mean", where);
    const json_t *waits = json_object_get(s, "waits"), *w;
    size_t k;
    json_array_foreach(waits, k, w)
    {
        if (k >= TP_SERVER_WAITS || !json_is_object(w))
            break;
        copy_field(v->waits[k].event, sizeof v->waits[k].event, w, "event");
        v->waits[k].mean = get_num0(rd, w, "mean", where);
        v->n_waits = (int)k + 1;
    }
}

/* Latency, per-task times, CPU use, work and memory. */
static void read_figures(struct reader *rd, const json_t *o, const char *where, struct tp_point *p)
{
    const json_t *lat = json_object_get(o, "latency_ns"), *task = json_object_get(o, "task");
    if (json_is_object(lat)) {
        p->lat_p50_ns = get_num(rd, lat, "p50", where);
        p->lat_p90_ns = get_num(rd, lat, "p90", where);
        p->lat_p99_ns = get_num(rd, lat, "p99", where);
        p->lat_max_ns = get_num(rd, lat, "max", where);
    }
    if (json_is_object(task)) {
        p->task_wall_mean_ns = get_num(rd, task, "wall_mean_ns", where);
        p->task_cpu_mean_ns = get_num(rd, task, "cpu_mean_ns", where);
    }
    p->cpu_util = get_num(rd, o, "cpu_util", where);
    const json_t *work = json_object_get(o, "work");
    if (json_is_object(work)) {
        p->work_ops = (uint64_t)get_int(rd, work, "ops", where, 0);
        p->work_bytes = (uint64_t)get_int(rd, work, "bytes", where, 0);
        p->work_errors = (uint64_t)get_int(rd, work, "errors", where, 0);
    }
    read_server(rd, json_object_get(o, "server"), where, &p->server);
    p->max_rss_kb = (long)get_int(rd, o, "max_rss_kb", where, 0);
    p->wall_s = get_num0(rd, o, "wall_s", where);
}

static void read_point(struct reader *rd, const json_t *o, size_t idx, struct tp_point *p)
{
    char where[32];
    snprintf(where, sizeof where, "points[%zu]", idx);
    if (!json_is_object(o)) {
        fail(rd, TP_EFORMAT, "%s: not an object", where);
        return;
    }
    p->multiplier = get_num(rd, o, "multiplier", where);
    long long threads = get_int(rd, o, "threads", where, 1);
    p->threads = threads >= 1 && threads <= MAX_THREADS ? (int)threads : 0;
    if (rd->rc == 0 &&
        (!isfinite(p->multiplier) || p->multiplier <= 0 || p->multiplier > MAX_THREADS || p->threads < 1))
        fail(rd, TP_EFORMAT, "%s: multiplier and threads must be positive", where);
    p->origin = read_origin(json_object_get(o, "origin"));
    read_status(rd, o, where, p);
    p->threads_started = (int)get_int(rd, o, "threads_started", where, 0);
    p->tasks_per_rep = (uint64_t)get_int(rd, o, "tasks_per_rep", where, 0);
    read_reps(rd, o, where, p);
    read_figures(rd, o, where, p);
    const struct tp__workload_ops *ops = tp__workload_find(rd->kind);
    char why[192];
    if (rd->rc == 0 && ops != NULL && ops->point_json_read != NULL && ops->point_json_read(o, p, why, sizeof why) < 0)
        fail(rd, TP_EFORMAT, "%s.%s", where, why);
}

/* "2024-05-01T12:00:00Z" -> seconds since the epoch; 0 when absent or malformed. */
static double parse_started(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (s == NULL)
        return 0.0;
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0')
        return 0.0;
    return (double)timegm(&tm);
}

/* The document is ours, of schema 1, and one sweep (not an --online run). */
static void check_kind(struct reader *rd, const json_t *root)
{
    if (!json_is_object(root)) {
        fail(rd, TP_EFORMAT, "not a JSON object");
        return;
    }
    const char *tool = get_str(root, "tool");
    if (tool == NULL || strcmp(tool, "tune-pool") != 0) {
        fail(rd, TP_EFORMAT, "not a tune-pool results document (no \"tool\": \"tune-pool\")");
        return;
    }
    const json_t *schema = json_object_get(root, "schema");
    if (!json_is_integer(schema) || json_integer_value(schema) != 1) {
        fail(rd, TP_EFORMAT, "unsupported results schema (this tune-pool reads schema 1)");
        return;
    }
    const char *kind = get_str(root, "kind");
    if (kind != NULL && strcmp(kind, "online") == 0)
        fail(rd, TP_EFORMAT, "an --online document (phases over time, no single sweep): read it with any JSON tool");
    else if (kind != NULL && strcmp(kind, "merge") == 0)
        fail(rd, TP_EFORMAT, "a merged document (tune-pool merge), not one run: use the results it was made from");
    else if (kind != NULL)
        fail(rd, TP_EFORMAT, "a document of kind '%s', not a sweep", kind);
}

/* The sweep's settings: cores, repetitions, strategy, objective, level, seed. */
static void read_sweep(struct reader *rd, const json_t *sw, struct tp_result *out)
{
    long long cores = get_int(rd, sw, "cores", "sweep", 1);
    out->cores = cores >= 1 && cores <= MAX_THREADS ? (int)cores : 0;
    const json_t *repeat = json_object_get(sw, "repeat");
    out->repeat = json_is_integer(repeat) ? (int)json_integer_value(repeat) : 0; /* "auto" = 0 */
    const char *strategy = get_str(sw, "strategy");
    if (strategy != NULL)
        (void)tp_strategy_parse(strategy, &out->strategy);
    out->repeat_max = (int)get_int(rd, sw, "repeat_max", "sweep", 0);
    out->target_ci = get_num0(rd, sw, "target_ci", "sweep");
    out->resolution = get_num0(rd, sw, "resolution", "sweep");
    out->tolerance = get_num0(rd, sw, "tolerance", "sweep");
    if (!(out->tolerance >= 0 && out->tolerance < 1))
        out->tolerance = 0;
    const json_t *objective = json_object_get(sw, "objective");
    if (json_is_object(objective))
        out->max_p99_ns = get_num0(rd, objective, "max_p99_ns", "sweep.objective");
    const json_t *max_errors = json_object_get(objective, "max_errors");
    if (json_is_number(max_errors)) { /* older documents: the default */
        double v = json_number_value(max_errors);
        out->max_errors = v > 0 && v <= 1 ? v : v == 0 ? TP_MAX_ERRORS_NONE : 0;
    }
    const json_t *tasks = json_object_get(sw, "tasks");
    out->tasks = json_is_integer(tasks) ? (uint64_t)json_integer_value(tasks) : 0;
    out->confidence = get_num0(rd, sw, "confidence", "sweep");
    const json_t *seed = json_object_get(sw, "seed");
    if (json_is_integer(seed))
        out->seed = (uint64_t)json_integer_value(seed);
    else if (json_is_string(seed))
        out->seed = strtoull(json_string_value(seed), NULL, 10);
    out->stack_size = (size_t)get_int(rd, sw, "stack_size", "sweep", 0);
    if (rd->rc == 0 && out->cores < 1)
        fail(rd, TP_EFORMAT, "sweep.cores: must be a whole number from 1 to %d", MAX_THREADS);
}

/* Every point, at most MAX_POINTS of them. */
static void read_points(struct reader *rd, const json_t *points, struct tp_result *out)
{
    size_t n = json_array_size(points);
    if (n > MAX_POINTS) {
        fail(rd, TP_EFORMAT, "document.points: %zu points, more than any sweep measures (at most %d)", n, MAX_POINTS);
        return;
    }
    if (n > 0) {
        out->points = calloc(n, sizeof *out->points);
        if (out->points == NULL) {
            fail(rd, -ENOMEM, "out of memory");
            return;
        }
    }
    out->n_points = n;
    for (size_t i = 0; i < n && rd->rc == 0; i++)
        read_point(rd, json_array_get(points, i), i, &out->points[i]);
}

/* ---- the "program" object of a --run (docs/run.md), back into result->program ---- */

/* A copy of the string at key, NULL when absent or null; a failure past an allocation. */
static char *dup_str(struct reader *rd, const json_t *obj, const char *key)
{
    const char *s = get_str(obj, key);
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        fail(rd, -ENOMEM, "out of memory");
    return d;
}

static void read_program_run(struct reader *rd, const json_t *o, const char *where, struct tp_program_run *run)
{
    if (!json_is_object(o)) {
        fail(rd, TP_EFORMAT, "%s: not an object", where);
        return;
    }
    run->exit_code = (int)get_int(rd, o, "exit_code", where, 1);
    run->signal = (int)get_int(rd, o, "signal", where, 0);
    run->timed_out = json_is_true(json_object_get(o, "timed_out"));
    run->wall_s = get_num0(rd, o, "wall_s", where);
    run->user_s = get_num0(rd, o, "user_s", where);
    run->sys_s = get_num0(rd, o, "sys_s", where);
    run->max_rss_kb = (long)get_int(rd, o, "max_rss_kb", where, 0);
    run->metric = get_num(rd, o, "metric", where);
    run->value = get_num0(rd, o, "value", where);
    if (run->wall_s < 0 || run->wall_s > MAX_SECONDS || run->user_s < 0 || run->sys_s < 0)
        fail(rd, TP_EFORMAT, "%s: times out of range", where);
}

static void read_program_point(struct reader *rd, const json_t *o, size_t idx, struct tp_program_point *p)
{
    char where[64];
    snprintf(where, sizeof where, "program.points[%zu]", idx);
    if (!json_is_object(o)) {
        fail(rd, TP_EFORMAT, "%s: not an object", where);
        return;
    }
    p->threads = (int)get_int(rd, o, "threads", where, 1);
    if (rd->rc == 0 && (p->threads < 1 || p->threads > MAX_THREADS))
        fail(rd, TP_EFORMAT, "%s.threads: out of range", where);
    p->multiplier = get_num0(rd, o, "multiplier", where);
    p->visits = (int)get_int(rd, o, "visits", where, 0);
    p->warmup_runs = (int)get_int(rd, o, "warmup_runs", where, 0);
    p->other_runs = (int)get_int(rd, o, "other_runs", where, 0);
    struct tp_point status = { 0 };
    read_status(rd, o, where, &status);
    p->status = status.status;
    p->error = status.error;
    copy_str(p->reason, sizeof p->reason, get_str(o, "reason"));
    copy_str(p->stderr_tail, sizeof p->stderr_tail, get_str(o, "stderr_tail"));
    p->command = dup_str(rd, o, "command");
    const json_t *runs = json_object_get(o, "runs");
    if (!json_is_array(runs)) {
        fail(rd, TP_EFORMAT, "%s.runs: missing or not an array", where);
        return;
    }
    size_t n = json_array_size(runs);
    p->n_runs = n > TP_MAX_REPS ? TP_MAX_REPS : (int)n;
    for (int i = 0; i < p->n_runs && rd->rc == 0; i++) {
        char rw[96];
        snprintf(rw, sizeof rw, "%s.runs[%d]", where, i);
        read_program_run(rd, json_array_get(runs, (size_t)i), rw, &p->run[i]);
    }
}

/* The command and its options; the unit is one of the static names. */
static void read_program_options(struct reader *rd, const json_t *o, struct tp_program_result *pr)
{
    pr->command = dup_str(rd, o, "command");
    if (pr->command == NULL)
        fail(rd, TP_EFORMAT, "program.command: missing");
    pr->prepare = dup_str(rd, o, "prepare");
    pr->setup = dup_str(rd, o, "setup");
    pr->cleanup = dup_str(rd, o, "cleanup");
    pr->metric = dup_str(rd, o, "metric");
    const json_t *ph = json_object_get(o, "placeholders"), *env = json_object_get(o, "env");
    for (size_t i = 0; json_is_array(ph) && i < json_array_size(ph); i++) {
        const char *s = json_string_value(json_array_get(ph, i));
        pr->placeholders |= s == NULL                     ? 0u
                            : strcmp(s, "{threads}") == 0 ? (unsigned)TP_PLACEHOLDER_THREADS
                            : strcmp(s, "{m}") == 0       ? (unsigned)TP_PLACEHOLDER_M
                                                          : 0u;
    }
    for (size_t i = 0; json_is_array(env) && i < json_array_size(env) && pr->n_env < TP_PROGRAM_MAX_ENV; i++) {
        const char *s = json_string_value(json_array_get(env, i));
        if (s != NULL && (pr->env[pr->n_env] = strdup(s)) != NULL)
            pr->n_env++;
    }
    pr->no_shell = json_is_false(json_object_get(o, "shell"));
    pr->metric_lower = json_is_true(json_object_get(o, "metric_lower"));
    pr->build_like = json_is_true(json_object_get(o, "build_like"));
    pr->warmup = (int)get_int(rd, o, "warmup", "program", 0);
    long long work = get_int(rd, o, "work", "program", 0);
    pr->work = work > 0 ? (uint64_t)work : 0;
    pr->unit = tp_program_unit(pr->metric != NULL, pr->work);
    pr->runs = (int)get_int(rd, o, "runs", "program", 0);
    pr->warmup_runs = (int)get_int(rd, o, "warmup_runs", "program", 0);
    pr->other_runs = (int)get_int(rd, o, "other_runs", "program", 0);
}

static void read_program(struct reader *rd, const json_t *o, struct tp_result *out)
{
    if (o == NULL || json_is_null(o))
        return;
    if (!json_is_object(o)) {
        fail(rd, TP_EFORMAT, "document.program: not an object");
        return;
    }
    const json_t *points = json_object_get(o, "points");
    size_t n = json_array_size(points);
    struct tp_program_result *pr = calloc(1, sizeof *pr);
    if (pr == NULL || n > MAX_POINTS || (n > 0 && (pr->points = calloc(n, sizeof *pr->points)) == NULL)) {
        free(pr);
        fail(rd, n > MAX_POINTS ? TP_EFORMAT : -ENOMEM, n > MAX_POINTS ? "program.points: too many" : "out of memory");
        return;
    }
    out->program = pr; /* owned from here on: tp_result_free frees it */
    if (!json_is_array(points))
        fail(rd, TP_EFORMAT, "program.points: missing or not an array");
    read_program_options(rd, o, pr);
    for (size_t i = 0; i < n && rd->rc == 0; i++, pr->n_points++)
        read_program_point(rd, json_array_get(points, i), i, &pr->points[i]);
}

/* The kinds whose rules a document's rows are (ninja's row: a build job). */
static unsigned read_rule_kinds(const json_t *rules)
{
    unsigned kinds = 0;
    for (size_t i = 0; json_is_array(rules) && i < json_array_size(rules); i++) {
        const char *key = get_str(json_array_get(rules, i), "key");
        for (size_t s = 0; key != NULL && s < tp_n_rule_specs; s++)
            if (strcmp(tp_rule_specs[s].key, key) == 0)
                kinds |= tp_rule_specs[s].applies & ~(unsigned)TP_RULE_FOR_POOLS;
    }
    return kinds;
}

static void read_document(struct reader *rd, const json_t *root, struct tp_result *out)
{
    check_kind(rd, root);
    if (rd->rc != 0)
        return;
    copy_str(out->version, sizeof out->version, get_str(root, "version"));
    out->partial = json_is_true(json_object_get(root, "partial"));
    out->started_unix = parse_started(get_str(root, "started"));
    out->duration_s = get_num0(rd, root, "duration_s", "document");

    const json_t *topo = get_obj(rd, root, "topology", "document");
    const json_t *wl = get_obj(rd, root, "workload", "document");
    const json_t *sw = get_obj(rd, root, "sweep", "document");
    const json_t *points = json_object_get(root, "points");
    if (rd->rc != 0)
        return;
    if (!json_is_array(points)) {
        fail(rd, TP_EFORMAT, "document.points: missing or not an array");
        return;
    }
    read_topology(rd, topo, &out->topo);
    read_host(rd, root, &out->host);
    read_workload(rd, wl, &out->workload);
    if (rd->rc != 0)
        return;
    read_sweep(rd, sw, out);
    if (rd->rc == 0)
        read_points(rd, points, out);
    out->rule_kinds = read_rule_kinds(json_object_get(root, "rules"));
    if (rd->rc == 0)
        read_program(rd, json_object_get(root, "program"), out);
}

/* After reading: a failure frees and clears out. Returns rd's code. */
static int analyze_read_failed(struct reader *rd, struct tp_result *out)
{
    if (rd->rc != 0) {
        tp_result_free(out);
        memset(out, 0, sizeof *out);
        out->best = out->pick = -1;
    }
    return rd->rc;
}

/* After reading: a failure frees and clears out; otherwise the statistics. */
static int analyze_read(struct reader *rd, struct tp_result *out)
{
    if (analyze_read_failed(rd, out) != 0)
        return rd->rc;
    /* The statistics are recomputed from the raw repetitions with the
     * document's seed and level: the same data give the same figures. */
    int rc = tp_analyze(out);
    /* No point measured, or none eligible (the latency or failure bound): a
     * result with no recommendation, read as such. */
    return rc == TP_ENOPOINTS || rc == TP_ENOFEASIBLE ? 0 : rc;
}

static int finish(struct reader *rd, json_t *root, struct tp_result *out)
{
    if (rd->rc == 0)
        read_document(rd, root, out);
    json_decref(root);
    return analyze_read(rd, out);
}

/* The statistics as the document states them (points sorted by threads,
 * as written): each point's median and interval, its band flag, the pick
 * and the best, the band's multipliers, the failed points. */
static void read_stored_stats(struct reader *rd, const json_t *root, struct tp_result *out)
{
    const json_t *points = json_object_get(root, "points");
    for (size_t i = 0; i < out->n_points && rd->rc == 0; i++) {
        const json_t *o = json_array_get(points, i), *tp = json_object_get(o, "throughput");
        struct tp_point *p = &out->points[i];
        if (json_is_object(tp)) {
            p->tput_median = get_num0(rd, tp, "median", "points[].throughput");
            p->tput_ci_lo = get_num0(rd, tp, "ci_lo", "points[].throughput");
            p->tput_ci_hi = get_num0(rd, tp, "ci_hi", "points[].throughput");
        }
        p->in_band = tp_point_ok(p) && json_is_true(json_object_get(o, "in_band"));
        if (tp_point_ok(p) && json_is_true(json_object_get(o, "pick")))
            out->pick = (int)i;
        if (tp_point_ok(p) && json_is_true(json_object_get(o, "best")))
            out->best = (int)i;
        out->n_failed += p->status == TP_POINT_FAILED || p->status == TP_POINT_CRASHED || p->status == TP_POINT_TIMEOUT;
        if (!p->in_band)
            continue;
        out->n_band++;
        if (out->band_lo_multiplier == 0.0 || p->multiplier < out->band_lo_multiplier)
            out->band_lo_multiplier = p->multiplier;
        if (p->multiplier > out->band_hi_multiplier)
            out->band_hi_multiplier = p->multiplier;
    }
    if (out->pick >= 0 && !out->points[out->pick].in_band)
        fail(rd, TP_EFORMAT, "points[%d]: the pick is not in the band", out->pick);
}

int tp__result_from_json(struct tp_result *out, const json_t *root, int recompute, char *why, size_t why_len)
{
    struct reader rd = { .why = why, .why_len = why_len };
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    memset(out, 0, sizeof *out);
    out->best = out->pick = -1;
    read_document(&rd, root, out);
    if (recompute || rd.rc != 0)
        return analyze_read(&rd, out);
    read_stored_stats(&rd, root, out);
    if (rd.rc == 0 && out->cores <= 0)
        out->cores = out->topo.effective_cores;
    return analyze_read_failed(&rd, out);
}

int tp_result_read(struct tp_result *out, FILE *f, char *why, size_t why_len)
{
    struct reader rd = { why, why_len, 0, TP_WORKLOAD_IO };
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (out == NULL || f == NULL)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->best = out->pick = -1;
    json_error_t jerr;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (ferror(f))
            fail(&rd, -EIO, "read error");
        else
            fail(&rd, TP_EFORMAT, "not valid JSON: line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    }
    return finish(&rd, root, out);
}

int tp_result_load(struct tp_result *out, const char *path, char *why, size_t why_len)
{
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (out == NULL || path == NULL)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->best = out->pick = -1;
    FILE *f = fopen(path, "re");
    struct stat st;
    if (f != NULL && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (f == NULL) {
        int rc = tp__from_errno();
        if (why != NULL && why_len > 0)
            snprintf(why, why_len, "%s", tp_strerror(rc));
        return rc;
    }
    int rc = tp_result_read(out, f, why, why_len);
    fclose(f);
    return rc;
}

int tp__host_from_json(const json_t *parent, struct tp_host *h, char *why, size_t why_len)
{
    struct reader rd = { .why = why, .why_len = why_len };
    memset(h, 0, sizeof *h);
    read_host(&rd, parent, h);
    return rd.rc;
}

int tp__workload_from_json(const json_t *wl, struct tp_workload_params *w, char *why, size_t why_len)
{
    struct reader rd = { .why = why, .why_len = why_len };
    memset(w, 0, sizeof *w);
    if (!json_is_object(wl))
        fail(&rd, TP_EFORMAT, "workload: missing or not an object");
    else
        read_workload(&rd, wl, w);
    return rd.rc;
}
