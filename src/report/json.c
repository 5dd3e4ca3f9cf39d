/* json.c - the JSON writer: the stable interface for other tools (schema 1, docs/results-format.md). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "json.h"
#include "json_build.h"
#include "program_json.h"
#include "report_async.h"
#include "report_text.h"
#include "report_work.h"
#include "stats.h"

static json_t *jthroughput(const struct tp_point *p)
{
    json_t *o = json_object();
    struct tp__jb b = { 1 };
    tp__jput(&b, o, "median", tp__json_num(p->tput_median));
    tp__jput(&b, o, "ci_lo", tp__json_num(p->tput_ci_lo));
    tp__jput(&b, o, "ci_hi", tp__json_num(p->tput_ci_hi));
    if (!b.ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *json_topology(struct tp__jb *b, const struct tp_result *r)
{
    const struct tp_topology *t = &r->topo;
    json_t *o = json_object(), *hw = json_object(), *q = json_object();
    tp__jput(b, o, "effective_cores", json_integer(t->effective_cores));
    const char *src = tp_cores_source_name(t->source);
    tp__jput(b, o, "source", src != NULL ? json_string(src) : json_null());
    tp__jput(b, o, "unit", json_string(t->unit == TP_UNIT_CORE ? "core" : "pu"));
    tp__jput(b, o, "allowed_cores", json_integer(t->allowed_cores));
    tp__jput(b, hw, "ok", json_boolean(t->hwloc_ok));
    tp__jput(b, hw, "cores", json_integer(t->hwloc_cores));
    tp__jput(b, hw, "pus", json_integer(t->hwloc_pus));
    tp__jput(b, o, "hwloc", hw);
    tp__jput(b, o, "affinity_cpus", json_integer(t->affinity_cpus));
    tp__jput(b, o, "online_cpus", json_integer(t->online_cpus));
    int has_quota = t->quota_cpus > 0.0;
    tp__jput(b, q, "cpus", tp__json_num_if(has_quota, t->quota_cpus));
    tp__jput(b, q, "cores", has_quota ? json_integer(t->quota_cores) : json_null());
    tp__jput(b, q, "source", has_quota ? tp__json_str_or_null(t->quota_source) : json_null());
    tp__jput(b, o, "quota", q);
    tp__jput(b, o, "override", t->cores_override > 0 ? json_integer(t->cores_override) : json_null());
    tp__jput(b, o, "cpu_model", tp__json_str_or_null(t->cpu_model));
    tp__jput(b, o, "mem_total_kb", json_integer(t->mem_total_kb));
    tp__jput(b, o, "mem_available_kb", json_integer(t->mem_available_kb));
    tp__jput(b, o, "warning", tp__json_str_or_null(t->warning));
    return o;
}

/* The host object (docs/fleet.md); null for a result without host
 * facts (one read back from a document that had none). */
static json_t *json_host(struct tp__jb *b, const struct tp_host *h)
{
    if (h->class_key[0] == '\0')
        return json_null();
    json_t *o = json_object();
    char facts[1024];
    int have_facts = tp_host_facts_string(h, facts, sizeof facts) == 0;
    tp__jput(b, o, "hostname", json_string(h->hostname[0] ? h->hostname : "unknown"));
    tp__jput(b, o, "class", json_string(h->class_key));
    tp__jput(b, o, "class_from", json_string(h->class_overridden ? "user" : "facts"));
    tp__jput(b, o, "facts", have_facts ? tp__json_str_or_null(facts) : json_null());
    tp__jput(b, o, "cpu_model", tp__json_str_or_null(h->cpu_model));
    tp__jput(b, o, "effective_cores", json_integer(h->effective_cores));
    const char *src = tp_cores_source_name(h->cores_source);
    tp__jput(b, o, "cores_source", src != NULL ? json_string(src) : json_null());
    tp__jput(b, o, "allowed_pus", json_integer(h->allowed_pus));
    tp__jput(b, o, "quota_cpus", tp__json_num_if(h->quota_cpus > 0.0, h->quota_cpus));
    tp__jput(b, o, "mem_gib", json_integer(h->mem_gib));
    tp__jput(b, o, "kernel", tp__json_str_or_null(h->kernel));
    tp__jput(b, o, "arch", tp__json_str_or_null(h->arch));
    return o;
}

char *tp_host_json(const struct tp_host *h)
{
    if (h == NULL)
        return NULL;
    struct tp__jb b = { 1 };
    json_t *o = json_host(&b, h);
    char *text = b.ok && o != NULL ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(o);
    return text;
}

static json_t *json_sweep(struct tp__jb *b, const struct tp_result *r)
{
    json_t *o = json_object();
    char level[16], band[128];
    tp__report_level(level, sizeof level, r);
    snprintf(band, sizeof band, "overlapping %s bootstrap percentile intervals of the median", level);
    tp__jput(b, o, "cores", json_integer(r->cores));
    tp__jput(b, o, "strategy", json_string(tp_strategy_name(r->strategy)));
    tp__jput(b, o, "resolution", tp__json_num_if(r->strategy == TP_STRATEGY_ADAPTIVE, r->resolution));
    tp__jput(b, o, "tolerance", tp__json_num(r->tolerance));
    tp__jput(b, o, "repeat", r->repeat > 0 ? json_integer(r->repeat) : json_string("auto"));
    tp__jput(b, o, "repeat_max", json_integer(r->repeat > 0 ? r->repeat : r->repeat_max));
    tp__jput(b, o, "target_ci", tp__json_num_if(r->repeat == 0, r->target_ci));
    json_t *obj = json_object();
    tp__jput(b, obj, "kind", json_string(r->max_p99_ns > 0 ? "latency" : "throughput"));
    tp__jput(b, obj, "max_p99_ns", tp__json_num_if(r->max_p99_ns > 0, r->max_p99_ns));
    tp__jput(b, obj, "max_errors", tp__json_num(tp_result_max_errors(r)));
    tp__jput(b, o, "objective", obj);
    json_t *noise = json_object();
    tp__jput(b, noise, "interval_rel", tp__json_num(r->noise));
    tp__jput(b, noise, "mad_rel", tp__json_num(r->noise_mad));
    tp__jput(b, noise, "noisy", json_boolean(r->noisy));
    tp__jput(b, noise, "warn_above", tp__json_num(TP_NOISE_WARN));
    tp__jput(b, o, "noise", noise);
    tp__jput(b, o, "tasks", r->tasks > 0 ? json_integer((json_int_t)r->tasks) : json_string("auto"));
    tp__jput(b, o, "confidence", tp__json_num(tp__effective_confidence(r->confidence)));
    if (r->seed <= (uint64_t)INT64_MAX) {
        tp__jput(b, o, "seed", json_integer((json_int_t)r->seed));
    } else {
        char s[32];
        snprintf(s, sizeof s, "%llu", (unsigned long long)r->seed);
        tp__jput(b, o, "seed", json_string(s));
    }
    tp__jput(b, o, "stack_size", json_integer((json_int_t)r->stack_size));
    tp__jput(b, o, "bootstrap_resamples", json_integer(TP__BOOTSTRAP_RESAMPLES));
    tp__jput(b, o, "interval_method", json_string("bootstrap percentile of the median"));
    tp__jput(b, o, "band_method", json_string(band));
    tp__jput(b, o, "outlier_method", json_string("MAD x 1.4826, |z| > 3.5"));
    return o;
}

static json_t *json_point(struct tp__jb *b, const struct tp_result *r, size_t i)
{
    const struct tp_point *p = &r->points[i];
    int ok = tp_point_ok(p), n = tp__report_n_reps(p);
    json_t *o = json_object(), *origin = json_array();
    char reason[TP__REPORT_REASON_MAX];

    tp__jput(b, o, "multiplier", tp__json_num(p->multiplier));
    tp__jput(b, o, "threads", json_integer(p->threads));
    const char *names[TP__REPORT_N_ORIGINS];
    size_t n_origins = tp__report_origins(p->origin, names);
    for (size_t k = 0; k < n_origins; k++)
        tp__jpush(b, origin, json_string(names[k]));
    tp__jput(b, o, "origin", origin);
    tp__jput(b, o, "status", json_string(tp__report_status_name(p->status)));
    tp__jput(b, o, "reason", tp__json_str_or_null(tp__report_point_reason(reason, sizeof reason, p)));
    tp__jput(b, o, "signal", p->status == TP_POINT_CRASHED && p->signal > 0 ? json_integer(p->signal) : json_null());
    tp__jput(b, o, "threads_started", json_integer(p->threads_started));
    tp__jput(b, o, "tasks_per_rep", json_integer((json_int_t)p->tasks_per_rep));

    json_t *tp = json_object(), *rep_tput = json_array(), *outliers = json_array(), *reps = json_array();
    tp__jput(b, tp, "median", tp__json_num_if(ok, p->tput_median));
    tp__jput(b, tp, "ci_lo", tp__json_num_if(ok, p->tput_ci_lo));
    tp__jput(b, tp, "ci_hi", tp__json_num_if(ok, p->tput_ci_hi));
    tp__jput(b, tp, "mad", tp__json_num_if(ok, p->tput_mad));
    for (int k = 0; k < n; k++) {
        const struct tp_rep *rep = &p->reps[k];
        tp__jpush(b, rep_tput, tp__json_num(rep->throughput));
        if (ok && p->outlier[k])
            tp__jpush(b, outliers, json_integer(k));
        json_t *ro = json_object();
        tp__jput(b, ro, "throughput", tp__json_num(rep->throughput));
        tp__jput(b, ro, "elapsed_s", tp__json_num(rep->elapsed_s));
        tp__jput(b, ro, "cpu_s", tp__json_num(rep->cpu_s));
        tp__jput(b, ro, "tasks", json_integer((json_int_t)rep->tasks));
        tp__jput(b, ro, "nvcsw", json_integer(rep->nvcsw));
        tp__jput(b, ro, "nivcsw", json_integer(rep->nivcsw));
        tp__jpush(b, reps, ro);
    }
    tp__jput(b, tp, "reps", rep_tput);
    tp__jput(b, tp, "outliers", outliers);
    tp__jput(b, o, "throughput", tp);
    tp__jput(b, o, "reps", reps);

    json_t *lat = json_object(), *task = json_object();
    tp__jput(b, lat, "p50", tp__json_num_if(ok, p->lat_p50_ns));
    tp__jput(b, lat, "p90", tp__json_num_if(ok, p->lat_p90_ns));
    tp__jput(b, lat, "p99", tp__json_num_if(ok, p->lat_p99_ns));
    tp__jput(b, lat, "max", tp__json_num_if(ok, p->lat_max_ns));
    tp__jput(b, o, "latency_ns", lat);
    tp__jput(b, task, "wall_mean_ns", tp__json_num_if(ok, p->task_wall_mean_ns));
    tp__jput(b, task, "cpu_mean_ns", tp__json_num_if(ok, p->task_cpu_mean_ns));
    tp__jput(b, o, "task", task);
    tp__jput(b, o, "cpu_util", tp__json_num_if(ok, p->cpu_util));
    tp__jput(b, o, "max_rss_kb", p->max_rss_kb > 0 ? json_integer(p->max_rss_kb) : json_null());
    tp__jput(b, o, "wall_s", tp__json_num_if(p->wall_s > 0.0, p->wall_s));
    tp__jput(b, o, "in_band", json_boolean(p->in_band));
    tp__jput(b, o, "excluded", json_boolean(p->excluded));
    tp__jput(b, o, "error_share", tp__json_num_if(ok, tp_point_error_share(p)));
    tp__jput(b, o, "error_excluded", json_boolean(p->error_excluded));
    tp__jput(b, o, "pick", json_boolean((int)i == r->pick));
    tp__jput(b, o, "best", json_boolean((int)i == r->best));
    tp__jput(b, o, "work", tp__report_work_json(p));
    tp__jput(b, o, "server", tp__report_server_json(p));
    if (o != NULL && tp__report_point_kind_json(o, r->workload.kind, p) < 0)
        b->ok = 0;
    return o;
}

static json_t *json_recommendation(struct tp__jb *b, const struct tp_result *r)
{
    if (!tp__report_have_pick(r))
        return json_null();
    const struct tp_point *pick = &r->points[r->pick], *best = &r->points[r->best];
    json_t *o = json_object(), *band = json_object(), *bm = json_array(), *bt = json_array(), *bo = json_object();
    tp__jput(b, o, "multiplier", tp__json_num(pick->multiplier));
    tp__jput(b, o, "threads", json_integer(pick->threads));
    tp__jput(b, o, "throughput", jthroughput(pick));
    tp__jput(b, band, "lo_multiplier", tp__json_num(r->band_lo_multiplier));
    tp__jput(b, band, "hi_multiplier", tp__json_num(r->band_hi_multiplier));
    for (size_t i = 0; i < r->n_points; i++) {
        if (!r->points[i].in_band)
            continue;
        tp__jpush(b, bm, tp__json_num(r->points[i].multiplier));
        tp__jpush(b, bt, json_integer(r->points[i].threads));
    }
    tp__jput(b, band, "multipliers", bm);
    tp__jput(b, band, "threads", bt);
    tp__jput(b, o, "band", band);
    tp__jput(b, bo, "multiplier", tp__json_num(best->multiplier));
    tp__jput(b, bo, "threads", json_integer(best->threads));
    tp__jput(b, bo, "throughput", jthroughput(best));
    tp__jput(b, o, "best", bo);
    return o;
}

static json_t *json_rules(struct tp__jb *b, const struct tp_result *r)
{
    json_t *a = json_array();
    for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
        const struct tp_rule_row *row = &r->rules[k];
        if (row->key == NULL)
            continue;
        int measured = row->point >= 0 && (size_t)row->point < r->n_points;
        int compared = measured && tp__report_have_pick(r);
        const struct tp_point *p = measured ? &r->points[row->point] : NULL;
        json_t *o = json_object(), *ci = measured ? json_array() : json_null();
        tp__jput(b, o, "key", json_string(row->key));
        tp__jput(b, o, "name", tp__json_str_or_null(row->name));
        tp__jput(b, o, "multiplier", tp__json_num(row->multiplier));
        tp__jput(b, o, "threads", json_integer(row->threads));
        tp__jput(b, o, "measured", json_boolean(measured));
        tp__jput(b, o, "throughput", measured ? tp__json_num(p->tput_median) : json_null());
        if (measured) {
            tp__jpush(b, ci, tp__json_num(p->tput_ci_lo));
            tp__jpush(b, ci, tp__json_num(p->tput_ci_hi));
        }
        tp__jput(b, o, "throughput_ci", ci);
        tp__jput(b, o, "fraction", tp__json_num_if(compared, row->fraction));
        tp__jput(b, o, "fraction_lo", tp__json_num_if(compared, row->fraction_lo));
        tp__jput(b, o, "fraction_hi", tp__json_num_if(compared, row->fraction_hi));
        tp__jpush(b, a, o);
    }
    return a;
}

static json_t *json_model(struct tp__jb *b, const struct tp_result *r)
{
    const struct tp_model *m = &r->model;
    json_t *o = json_object();
    int v = m->valid != 0;
    int from = v && m->from_point >= 0 && (size_t)m->from_point < r->n_points;
    tp__jput(b, o, "valid", json_boolean(v));
    tp__jput(b, o, "formula", json_string("threads* = cores x U x (1 + W/C)"));
    tp__jput(b, o, "from_threads", from ? json_integer(r->points[m->from_point].threads) : json_null());
    tp__jput(b, o, "wait_ns", tp__json_num_if(v, m->wait_ns));
    tp__jput(b, o, "compute_ns", tp__json_num_if(v, m->compute_ns));
    tp__jput(b, o, "utilization", tp__json_num_if(v, m->utilization));
    tp__jput(b, o, "threads", tp__json_num_if(v, m->threads));
    tp__jput(b, o, "multiplier", tp__json_num_if(v, m->multiplier));
    tp__jput(b, o, "throughput", tp__json_num_if(v, m->throughput));
    tp__jput(b, o, "cpu_per_task_ns", tp__json_num_if(m->cpu_per_task_ns > 0, m->cpu_per_task_ns));
    tp__jput(b, o, "cpu_ceiling", tp__json_num_if(m->cpu_ceiling > 0, m->cpu_ceiling));
    enum tp__model_verdict verdict = tp__model_verdict(r);
    static const char *const verdict_name[] = {
        [TP__MODEL_AGREES] = "agrees", [TP__MODEL_PICK_BELOW] = "below", [TP__MODEL_PICK_ABOVE] = "above"
    };
    tp__jput(b, o, "agrees", verdict == TP__MODEL_UNKNOWN ? json_null() : json_boolean(verdict == TP__MODEL_AGREES));
    tp__jput(b, o, "pick_vs_model", verdict == TP__MODEL_UNKNOWN ? json_null() : json_string(verdict_name[verdict]));
    return o;
}

static json_t *json_started(double unix_s)
{
    if (!isfinite(unix_s) || unix_s <= 0.0)
        return json_null();
    time_t t = (time_t)unix_s;
    struct tm tm;
    char buf[32];
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return json_null();
    return json_string(buf);
}

/* Builds the whole document; NULL when jansson fails (out of memory). */
static json_t *json_document(const struct tp_result *r)
{
    struct tp__jb b = { 1 };
    json_t *root = json_object(), *wl = json_object(), *points = json_array();
    tp__jput(&b, root, "$schema", json_string(TP_SCHEMA_ID_PREFIX "sweep")); /* schema/sweep.schema.json's $id */
    tp__jput(&b, root, "tool", json_string("tune-pool"));
    tp__jput(&b, root, "version", tp__json_str_or_null(r->version[0] ? r->version : TP_VERSION_STRING));
    tp__jput(&b, root, "schema", json_integer(1));
    tp__jput(&b, root, "partial", json_boolean(r->partial));
    tp__jput(&b, root, "started", json_started(r->started_unix));
    tp__jput(&b, root, "duration_s", tp__json_num(r->duration_s));
    tp__jput(&b, root, "topology", json_topology(&b, r));
    tp__jput(&b, root, "host", json_host(&b, &r->host));
    tp__jput(&b, wl, "name", json_string(tp__report_workload_name(r->workload.kind)));
    tp__jput(&b, wl, "latency_ns", json_integer((json_int_t)r->workload.latency_ns));
    tp__jput(&b, wl, "compute_ns", json_integer((json_int_t)r->workload.compute_ns));
    if (wl != NULL && tp__report_workload_json(wl, &r->workload) < 0)
        b.ok = 0;
    tp__jput(&b, root, "workload", wl);
    tp__jput(&b, root, "sweep", json_sweep(&b, r));
    for (size_t i = 0; i < r->n_points; i++)
        tp__jpush(&b, points, json_point(&b, r, i));
    tp__jput(&b, root, "points", points);
    tp__jput(&b, root, "recommendation", json_recommendation(&b, r));
    tp__jput(&b, root, "rules", json_rules(&b, r));
    tp__jput(&b, root, "model", json_model(&b, r));
    if (r->async != NULL) /* --executor=both|async (docs/executors.md) */
        tp__jput(&b, root, "async", tp__report_async_json(r));
    if (r->program != NULL) /* --run (docs/run.md) */
        tp__jput(&b, root, "program", tp__report_program_json(r->program));
    if (!b.ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int tp__write_json(const struct tp_result *r, FILE *f)
{
    json_t *doc = json_document(r);
    if (doc == NULL)
        return TP_EJSON;
    int rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    json_decref(doc);
    if (rc != 0)
        return ferror(f) ? -EIO : TP_EJSON;
    fputc('\n', f);
    return 0;
}