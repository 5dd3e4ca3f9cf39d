/* integrate.h - tune-pool's build-integration outputs: --emit snippets, --plot images, --from earlier results. */
#ifndef TP_CLI_INTEGRATE_H
#define TP_CLI_INTEGRATE_H

#include "options.h"
#include "tunepool/tunepool.h"

/* Writes what stdout gets: the --emit snippet, or the report in --format.
 * Returns an exit code (TP_EXIT_OK, or TP_EXIT_RUNTIME after a message). */
int tp_cli_write_stdout(const struct tp_result *r, const struct tp_cli_opts *o);

/* Renders --plot for r (name: the results' base name). Returns 0, or -1
 * after a message (gnuplot missing names the package gnuplot-nox). */
int tp_cli_plot(const struct tp_result *r, const struct tp_cli_opts *o, const char *name);

/* The whole run for --from=FILE: read, plot, write stdout. Returns the
 * exit code (2 for a file that is not a tune-pool results document). */
int tp_cli_run_from(const struct tp_cli_opts *o);

/* `tune-pool compare A.json B.json`: argv[0] is "compare". Returns the exit code. */
int tp_cli_compare(int argc, char **argv);

#endif
