/* online_run.h - tune-pool --online: a phase-changing io workload through a self-tuning pool. */
#ifndef TP_CLI_ONLINE_RUN_H
#define TP_CLI_ONLINE_RUN_H

#include <signal.h>

#include "options.h"
#include "tunepool/tunepool.h"

/* Checks the --online combination (workload io, pool executor, no --emit or
 * --from); prints the usage error and returns -1, or 0. */
int tp_cli_online_check(const struct tp_cli_opts *o);

/* The whole --online run: the offline sweep of each phase (unless
 * --no-offline), the tuned pool through the phases, and with
 * --online-baselines the fixed pools; writes NAME.csv, NAME.json, the plot
 * and stdout. so is the sweep set-up main made (progress, cancel).
 * Returns the exit code. */
int tp_cli_run_online(const struct tp_cli_opts *o, const struct tp_sweep_opts *so, const struct tp_topology *topo,
                      volatile sig_atomic_t *interrupted);

#endif
