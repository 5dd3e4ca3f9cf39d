/* report_work.c - the report's account of what the workload really did: per-point work, failures, pool overhead. */
#include <math.h>
#include <string.h>

#include "format.h"
#include "report_work.h"
#include "registry.h"
#include "workload.h"

static int point_ok(const struct tp_point *p) { return p->status == TP_POINT_OK && p->n_reps >= 1; }

double tp__point_cpu_ns_per_task(const struct tp_point *p)
{
    double cpu = 0, tasks = 0;
    for (int i = 0; i < p->n_reps && i < TP_MAX_REPS; i++) {
        cpu += p->reps[i].cpu_s;
        tasks += (double)p->reps[i].tasks;
    }
    return tasks > 0 ? cpu * 1e9 / tasks : NAN;
}

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

void tp__report_work_table(const struct tp_result *r, FILE *f)
{
    int any = 0;
    for (size_t i = 0; i < r->n_points; i++)
        any |= point_ok(&r->points[i]);
    if (any) {
        if (empty_task(r->workload.kind))
            fprintf(f, "Work done in the repetitions (%s: the pool's own cost per task):\n",
                    tp_workload_name(r->workload.kind));
        else
            fprintf(f, "Work done in the repetitions (what the tasks really did):\n");
        for (size_t i = 0; i < r->n_points; i++) {
            const struct tp_point *p = &r->points[i];
            if (!point_ok(p))
                continue;
            char bytes[32], a[32], b[32];
            tp__fmt_bytes(bytes, sizeof bytes, (double)p->work_bytes);
            fprintf(f, "  %5d threads: %llu %s", p->threads, (unsigned long long)p->work_ops,
                    ops_noun(r->workload.kind));
            if (p->work_bytes > 0)
                fprintf(f, ", %s", bytes);
            fprintf(f, ", %llu error%s", (unsigned long long)p->work_errors, p->work_errors == 1 ? "" : "s");
            if (empty_task(r->workload.kind)) {
                tp__fmt_duration(a, sizeof a, p->tput_median > 0 ? 1e9 / p->tput_median : NAN);
                tp__fmt_duration(b, sizeof b, tp__point_cpu_ns_per_task(p));
                fprintf(f, "; %s per task (1 / throughput), CPU %s per task", a, b);
            }
            fputc('\n', f);
        }
    }
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (p->status == TP_POINT_CRASHED)
            fprintf(f, "contained: the point at %d threads crashed (SIG%s: %s); the sweep went on without it\n",
                    p->threads, p->signal > 0 && sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?",
                    p->signal > 0 && sigdescr_np(p->signal) ? sigdescr_np(p->signal) : "unknown signal");
        else if (p->status == TP_POINT_TIMEOUT)
            fprintf(f, "contained: the point at %d threads ran past --point-timeout and was stopped; the sweep went "
                       "on without it\n", p->threads);
    }
}

json_t *tp__report_work_json(const struct tp_point *p)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int ok = point_ok(p);
    double cpu = tp__point_cpu_ns_per_task(p);
    if (json_object_set_new(o, "ops", ok ? json_integer((json_int_t)p->work_ops) : json_null()) != 0 ||
        json_object_set_new(o, "bytes", ok ? json_integer((json_int_t)p->work_bytes) : json_null()) != 0 ||
        json_object_set_new(o, "errors", ok ? json_integer((json_int_t)p->work_errors) : json_null()) != 0 ||
        json_object_set_new(o, "cpu_ns_per_task", ok && isfinite(cpu) ? json_real(cpu) : json_null()) != 0 ||
        json_object_set_new(o, "ns_per_task", ok && p->tput_median > 0 ? json_real(1e9 / p->tput_median)
                                                                       : json_null()) != 0) {
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
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->report_json != NULL)
        bad |= ops->report_json(wl, p);
    return bad ? -1 : 0;
}
