/* async_run.c - tune-pool's --executor: the event-loop sweep beside (or instead of) the pool's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_run.h"
#include "msg.h"

int tp_cli_executor_check(const struct tp_cli_opts *o, int cores)
{
    if (o->executor_mode == TP_CLI_EXEC_POOL)
        return 0;
    char why[512];
    if (o->executor_mode == TP_CLI_EXEC_ASYNC &&
        tp_executor_check(TP_EXECUTOR_ASYNC, &o->workload, why, sizeof why) < 0) {
        tp_cli_usage_error("--executor=async: %s", why);
        return -1;
    }
    for (size_t i = 0; o->inflight != NULL && i < o->n_inflight; i++) {
        if (o->max_threads > 0 && o->inflight[i] * cores > o->max_threads + 0.5) {
            tp_cli_usage_error("--inflight: %g tasks in flight per loop on %d core%s is more than --max-threads=%d",
                               o->inflight[i], cores, tp_cli_plural(cores), o->max_threads);
            return -1;
        }
    }
    return 0;
}

/* One line per finished point on stderr (the pool's status line is done). */
static void async_progress(void *ctx, const struct tp_progress *p)
{
    const int *quiet = ctx;
    if (*quiet || p->event != TP_PROGRESS_POINT_DONE || p->point == NULL)
        return;
    const struct tp_point *pt = p->point;
    if (tp_point_ok(pt))
        fprintf(stderr, "%s: async c=%g (%d in flight): %.0f tasks/s [%.0f, %.0f], p99 %.3g ms\n", TP_CLI_NAME,
                pt->multiplier, pt->threads, pt->tput_median, pt->tput_ci_lo, pt->tput_ci_hi, pt->lat_p99_ns / 1e6);
    else
        fprintf(stderr, "%s: async c=%g (%d in flight): %s (%s)\n", TP_CLI_NAME, pt->multiplier, pt->threads,
                tp_point_status_name(pt->status), tp_strerror(pt->error));
}

int tp_cli_run_async(const struct tp_cli_opts *o, const struct tp_sweep_opts *pool_so, const struct tp_topology *topo,
                     struct tp_result *result, int pool_rc)
{
    struct tp_async_result *as = calloc(1, sizeof(*as));
    if (as == NULL) {
        tp_cli_error("cannot run the async sweep: %s", strerror(ENOMEM));
        return pool_rc < 0 ? pool_rc : -ENOMEM;
    }
    as->only = o->executor_mode == TP_CLI_EXEC_ASYNC;
    as->sweep.best = as->sweep.pick = -1;
    as->supported = tp_executor_check(TP_EXECUTOR_ASYNC, &o->workload, as->why, sizeof as->why) == 0;
    if (as->supported) {
        int quiet = o->quiet;
        struct tp_sweep_opts so = *pool_so;
        so.executor = TP_EXECUTOR_ASYNC;
        so.include_rules = 0;
        so.multipliers = o->inflight;
        so.n_multipliers = o->n_inflight;
        so.progress = async_progress;
        so.progress_ctx = &quiet;
        so.reps_done = NULL;
        if (!o->quiet)
            fprintf(stderr, "%s: async: %d event loop%s (one per core), %s in flight per loop\n", TP_CLI_NAME,
                    topo->effective_cores, topo->effective_cores == 1 ? "" : "s",
                    o->inflight != NULL ? "--inflight tasks" : "a sweep of the tasks");
        as->rc = tp_sweep_run(&so, topo, &as->sweep);
    } else if (!o->quiet) {
        tp_cli_warn("%s: the report shows the pool only", as->why);
    }
    if (as->only) {
        /* The run's description without pool points: the async sweep's. */
        struct tp_result meta = as->sweep;
        meta.points = NULL;
        meta.n_points = 0;
        meta.async = NULL;
        tp_analyze(&meta); /* no points: clears pick, band, rules, model */
        meta.strategy = as->sweep.strategy;
        *result = meta;
        result->async = as;
        return as->rc;
    }
    result->async = as;
    if (as->rc == TP_ECANCELED && pool_rc >= 0) {
        result->partial = 1;
        return TP_ECANCELED;
    }
    return pool_rc;
}
