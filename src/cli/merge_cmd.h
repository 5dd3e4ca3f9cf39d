/* merge_cmd.h - `tune-pool merge FILES|DIRS`: many hosts' results per host class (docs/fleet.md). */
#ifndef TP_CLI_MERGE_CMD_H
#define TP_CLI_MERGE_CMD_H

/* argv[0] is "merge". Returns the exit code: 0 merged (skipped inputs are
 * reported), 1 nothing merged or an output failed, 2 bad usage or mixed
 * workloads. */
int tp_cli_merge(int argc, char **argv);

#endif
