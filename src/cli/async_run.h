/* async_run.h - tune-pool's --executor: the event-loop sweep beside (or instead of) the pool's. */
#ifndef TP_CLI_ASYNC_RUN_H
#define TP_CLI_ASYNC_RUN_H

#include "options.h"
#include "tunepool/tunepool.h"

/* Before anything is measured: --executor=async on a workload without an
 * async path, or an --inflight list above --max-threads on `cores` cores,
 * is a usage error (message printed). Returns 0 or -1. */
int tp_cli_executor_check(const struct tp_cli_opts *o, int cores);

/* Runs the async sweep (when the workload has an async path) with the
 * pool's options pool_so, its points being --inflight (or the strategy's
 * list) tasks in flight per loop, and attaches it to result->async. With
 * --executor=async result is empty on entry and receives the run's
 * description (topology, workload, ...) without pool points. Returns the
 * code the run ends with: pool_rc, or the async sweep's with
 * --executor=async, or TP_ECANCELED when interrupted. */
int tp_cli_run_async(const struct tp_cli_opts *o, const struct tp_sweep_opts *pool_so, const struct tp_topology *topo,
                     struct tp_result *result, int pool_rc);

#endif
