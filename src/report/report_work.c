/* report_work.c - the report's account of what the workload really did: per-point work, failures, pool overhead. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "json_build.h"
#include "report_work.h"
#include "registry.h"
#include "stats.h"
#include "workload.h"

/* What one counted operation of kind k is: "reads", "requests", ... */
static const char *ops_noun(enum tp_workload_kind k)
{
    const struct tp__workload_ops *ops = tp__workload_find(k);
    return ops != NULL && ops->work_noun != NULL ? ops->work_noun : "tasks";
}

/* Whether kind k's tasks do nothing, so that what is measured is the pool's own cost. */
static int empty_task(enum tp_workload_kind k)
{
    const struct tp__workload_ops *ops = tp__workload_find(k);
    return ops != NULL && ops->empty_task;
}

int tp__report_work_heading(char *buf, size_t len, const struct tp_result *r)
{
    int any = 0;
    for (size_t i = 0; i < r->n_points; i++)
        any |= tp_point_ok(&r->points[i]);
    if (any)
        snprintf(buf, len, "Work done in the repetitions (%s%s)",
                 empty_task(r->workload.kind) ? tp_workload_name(r->workload.kind) : "",
                 empty_task(r->workload.kind) ? ": the pool's own cost per task" : "what the tasks really did");
    return any;
}

void tp__report_work_text(char *buf, size_t len, const struct tp_result *r, const struct tp_point *p)
{
    char bytes[48] = "", a[32], b[32], noop[160] = "";
    if (p->work_bytes > 0)
        snprintf(bytes, sizeof bytes, ", %s", tp__fmt_bytes(a, sizeof a, (double)p->work_bytes));
    if (empty_task(r->workload.kind)) {
        tp__fmt_duration(a, sizeof a, p->tput_median > 0 ? 1e9 / p->tput_median : NAN);
        tp__fmt_duration(b, sizeof b, tp__point_cpu_ns_per_task(p));
        snprintf(noop, sizeof noop, "; %s per task (1 / throughput), CPU %s per task", a, b);
    }
    char counts[256] = "";
    const struct tp__workload_ops *ops = tp__workload_find(r->workload.kind);
    if (ops != NULL && ops->point_text != NULL && p->n_work_counts > 0) {
        counts[0] = ';';
        counts[1] = ' ';
        ops->point_text(counts + 2, sizeof counts - 2, p);
    }
    snprintf(buf, len, "%llu %s%s, %llu error%s%s%s", (unsigned long long)p->work_ops, ops_noun(r->workload.kind),
             bytes, (unsigned long long)p->work_errors, p->work_errors == 1 ? "" : "s", noop, counts);
}

int tp__report_contained_text(char *buf, size_t len, const struct tp_point *p)
{
    if (p->status == TP_POINT_CRASHED)
        snprintf(buf, len, "contained: the point at %d thread%s crashed (SIG%s: %s); the sweep went on without it",
                 p->threads, tp__plural(p->threads),
                 p->signal > 0 && sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?",
                 p->signal > 0 && sigdescr_np(p->signal) ? sigdescr_np(p->signal) : "unknown signal");
    else if (p->status == TP_POINT_TIMEOUT)
        snprintf(buf, len,
                 "contained: the point at %d thread%s ran past --point-timeout and was stopped; the sweep "
                 "went on without it",
                 p->threads, tp__plural(p->threads));
    else
        return 0;
    return 1;
}

void tp__report_work_table(const struct tp_result *r, FILE *f)
{
    char line[512];
    if (tp__report_work_heading(line, sizeof line, r)) {
        fprintf(f, "%s:\n", line);
        for (size_t i = 0; i < r->n_points; i++) {
            if (!tp_point_ok(&r->points[i]))
                continue;
            char server[256];
            tp__report_work_text(line, sizeof line, r, &r->points[i]);
            tp__report_server_text(server, sizeof server, &r->points[i]);
            fprintf(f, "  %5d thread%s: %s%s%s\n", r->points[i].threads, tp__plural(r->points[i].threads), line,
                    server[0] != '\0' ? "; " : "", server);
        }
    }
    for (size_t i = 0; i < r->n_points; i++)
        if (tp__report_contained_text(line, sizeof line, &r->points[i]))
            fprintf(f, "%s\n", line);
}

json_t *tp__report_work_json(const struct tp_point *p)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int ok = tp_point_ok(p);
    double cpu = tp__point_cpu_ns_per_task(p);
    if (json_object_set_new(o, "ops", ok ? json_integer((json_int_t)p->work_ops) : json_null()) != 0 ||
        json_object_set_new(o, "bytes", ok ? json_integer((json_int_t)p->work_bytes) : json_null()) != 0 ||
        json_object_set_new(o, "errors", ok ? json_integer((json_int_t)p->work_errors) : json_null()) != 0 ||
        json_object_set_new(o, "cpu_ns_per_task", tp__json_num_if(ok, cpu)) != 0 ||
        json_object_set_new(o, "ns_per_task", tp__json_num_if(ok && p->tput_median > 0, 1e9 / p->tput_median)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tp__report_server_json(const struct tp_point *p)
{
    const struct tp_server_view *v = &p->server;
    if (v->samples <= 0)
        return json_null();
    json_t *o = json_object(), *waits = json_array();
    int bad = o == NULL || waits == NULL;
    for (int k = 0; !bad && k < v->n_waits && k < TP_SERVER_WAITS; k++) {
        json_t *w = json_object();
        bad |= w == NULL || json_object_set_new(w, "event", json_string(v->waits[k].event)) != 0 ||
               json_object_set_new(w, "mean", tp__json_num(v->waits[k].mean)) != 0 ||
               json_array_append_new(waits, w) != 0;
    }
    bad |= o == NULL || json_object_set_new(o, "samples", json_integer(v->samples)) != 0 ||
           json_object_set_new(o, "sample_ms", json_integer(TP_SERVER_SAMPLE_MS)) != 0 ||
           json_object_set_new(o, "active_max", json_integer(v->active_max)) != 0 ||
           json_object_set_new(o, "active_mean", tp__json_num(v->active_mean)) != 0 ||
           json_object_set_new(o, "waits", waits) != 0;
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void tp__report_server_text(char *buf, size_t len, const struct tp_point *p)
{
    const struct tp_server_view *v = &p->server;
    buf[0] = '\0';
    if (v->samples <= 0)
        return;
    int o = snprintf(buf, len, "server: %.1f active (max %d)", v->active_mean, v->active_max);
    for (int k = 0; k < v->n_waits && k < TP_SERVER_WAITS && o > 0 && (size_t)o < len; k++)
        o += snprintf(buf + o, len - (size_t)o, "%s %s %.1f", k == 0 ? "; waits" : ",", v->waits[k].event,
                      v->waits[k].mean);
}

int tp__report_point_kind_json(json_t *o, enum tp_workload_kind kind, const struct tp_point *p)
{
    const struct tp__workload_ops *ops = tp__workload_find(kind);
    if (ops == NULL || ops->point_json == NULL)
        return 0;
    if (!tp_point_ok(p))
        return json_object_set_new(o, ops->name, json_null()) != 0 ? -1 : 0;
    return ops->point_json(o, p);
}

int tp__report_workload_json(json_t *wl, const struct tp_workload_params *p)
{
    char desc[512];
    int bad = 0;
    tp__workload_describe(p, desc, sizeof desc);
    bad |= json_object_set_new(wl, "description", json_string(desc));
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->report_json != NULL)
        bad |= ops->report_json(wl, p);
    return bad ? -1 : 0;
}
