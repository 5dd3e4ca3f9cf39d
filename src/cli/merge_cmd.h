/* merge_cmd.h - `tune-pool merge FILES|DIRS`: many hosts' results per host class (docs/fleet.md). */
#ifndef TP_CLI_MERGE_CMD_H
#define TP_CLI_MERGE_CMD_H

#include <getopt.h>
#include <stddef.h>

/* argv[0] is "merge". Returns the exit code: 0 merged (skipped inputs are
 * reported), 1 nothing merged or an output failed, 2 bad usage or mixed
 * workloads. */
int tp_cli_merge(int argc, char **argv);

/* merge's getopt_long table (*n rows, without the terminating one), for the completion script. */
const struct option *tp_cli_merge_options(size_t *n);

#endif
