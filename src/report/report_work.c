/* report_work.c - the report's account of what the workload really did: per-point work, failures, pool overhead. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "json_build.h"
#include "report_work.h"
#include "stats.h"
#include "workload.h"


static const char *ops_noun(enum tp_workload_kind k)
{
    switch (k) {
    case TP_WORKLOAD_FILE: return "reads";
    case TP_WORKLOAD_NET: return "requests";
    case TP_WORKLOAD_PLUGIN: return "tasks ok";
    case TP_WORKLOAD_IO: return "waits+computes";
    case TP_WORKLOAD_CPU: return "computes";
    default: return "tasks";
    }
}

int tp__report_work_heading(char *buf, size_t len, const struct tp_result *r)
{
    int any = 0;
    for (size_t i = 0; i < r->n_points; i++)
        any |= tp_point_ok(&r->points[i]);
    if (any)
        snprintf(buf, len, "Work done in the repetitions (%s)",
                 r->workload.kind == TP_WORKLOAD_NOOP ? "noop: the pool's own cost per task"
                                                      : "what the tasks really did");
    return any;
}

void tp__report_work_text(char *buf, size_t len, const struct tp_result *r, const struct tp_point *p)
{
    char bytes[48] = "", a[32], b[32], noop[160] = "";
    if (p->work_bytes > 0)
        snprintf(bytes, sizeof bytes, ", %s", tp__fmt_bytes(a, sizeof a, (double)p->work_bytes));
    if (r->workload.kind == TP_WORKLOAD_NOOP) {
        tp__fmt_duration(a, sizeof a, p->tput_median > 0 ? 1e9 / p->tput_median : NAN);
        tp__fmt_duration(b, sizeof b, tp__point_cpu_ns_per_task(p));
        snprintf(noop, sizeof noop, "; %s per task (1 / throughput), CPU %s per task", a, b);
    }
    snprintf(buf, len, "%llu %s%s, %llu error%s%s", (unsigned long long)p->work_ops, ops_noun(r->workload.kind),
             bytes, (unsigned long long)p->work_errors, p->work_errors == 1 ? "" : "s", noop);
}

int tp__report_contained_text(char *buf, size_t len, const struct tp_point *p)
{
    if (p->status == TP_POINT_CRASHED)
        snprintf(buf, len, "contained: the point at %d thread%s crashed (SIG%s: %s); the sweep went on without it",
                 p->threads, tp__plural(p->threads), p->signal > 0 && sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?",
                 p->signal > 0 && sigdescr_np(p->signal) ? sigdescr_np(p->signal) : "unknown signal");
    else if (p->status == TP_POINT_TIMEOUT)
        snprintf(buf, len, "contained: the point at %d thread%s ran past --point-timeout and was stopped; the sweep "
                           "went on without it", p->threads, tp__plural(p->threads));
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
            tp__report_work_text(line, sizeof line, r, &r->points[i]);
            fprintf(f, "  %5d thread%s: %s\n", r->points[i].threads, tp__plural(r->points[i].threads), line);
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

int tp__report_workload_json(json_t *wl, const struct tp_workload_params *p)
{
    char desc[512];
    int bad = 0;
    tp__workload_describe(p, desc, sizeof desc);
    bad |= json_object_set_new(wl, "description", json_string(desc));
    switch (p->kind) {
    case TP_WORKLOAD_MIXED:
        bad |= json_object_set_new(wl, "io_fraction", json_real(p->io_fraction));
        break;
    case TP_WORKLOAD_FILE:
        bad |= json_object_set_new(wl, "file_dir", json_string(p->file_dir[0] ? p->file_dir : "$TMPDIR"));
        bad |= json_object_set_new(wl, "file_size",
                                   json_integer((json_int_t)(p->file_size ? p->file_size : TP_FILE_DEFAULT_SIZE)));
        bad |= json_object_set_new(wl, "block_size",
                                   json_integer(p->block_size ? p->block_size : TP_FILE_DEFAULT_BLOCK));
        bad |= json_object_set_new(wl, "direct", json_boolean(p->direct));
        break;
    case TP_WORKLOAD_NET:
        bad |= json_object_set_new(wl, "server_delay_ns", json_integer((json_int_t)p->server_delay_ns));
        bad |= json_object_set_new(wl, "request_size",
                                   json_integer(p->request_size ? p->request_size : TP_NET_DEFAULT_REQUEST));
        bad |= json_object_set_new(wl, "reply_size",
                                   json_integer(p->reply_size ? p->reply_size : TP_NET_DEFAULT_REPLY));
        break;
    case TP_WORKLOAD_PLUGIN:
        bad |= json_object_set_new(wl, "plugin_path", json_string(p->plugin_path));
        bad |= json_object_set_new(wl, "plugin_name", p->plugin_name[0] ? json_string(p->plugin_name) : json_null());
        bad |= json_object_set_new(wl, "plugin_arg", json_string(p->plugin_arg));
        bad |= json_object_set_new(wl, "plugin_abi", json_integer(TP_PLUGIN_ABI_VERSION));
        break;
    default:
        break;
    }
    return bad ? -1 : 0;
}
