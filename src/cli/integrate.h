/* integrate.h - tune-pool's build-integration outputs: --emit snippets, --plot images, --from earlier results. */
#ifndef TP_CLI_INTEGRATE_H
#define TP_CLI_INTEGRATE_H

#include <stdio.h>

#include "options.h"
#include "tunepool/tunepool.h"

/* Writes what stdout gets: the --emit snippet, or the report in --format.
 * Returns an exit code (TP_EXIT_OK, or TP_EXIT_RUNTIME after a message). */
int tp_cli_write_stdout(const struct tp_result *r, const struct tp_cli_opts *o);

/* Renders --plot for r (name: the results' base name). Returns 0, or -1
 * after a message (gnuplot missing names the package gnuplot-nox). */
int tp_cli_plot(const struct tp_result *r, const struct tp_cli_opts *o, const char *name);

/* Writes a gnuplot script for image (reading its output from tp_output)
 * with the options po; returns 0 or a negative code. */
typedef int (*tp_cli_plot_writer)(void *ctx, const struct tp_plot_opts *po, const char *image, FILE *f);

/* --plot for any script: the image path (--plot=FILE, or DIR/NAME.png|svg),
 * the output directory, the script next to the image, gnuplot, and the
 * messages. Returns 0, or -1 after a message. */
int tp_cli_plot_with(const struct tp_cli_opts *o, const char *name, tp_cli_plot_writer writer, void *ctx);

/* One results file: DIR/NAME.ext written by writer(ctx, f). */
struct tp_cli_file {
    const char *ext;
    int (*writer)(void *ctx, FILE *f);
};

/* Creates --output-dir if missing and writes each file atomically, saying
 * "wrote PATH" unless --quiet. A file that fails is reported and the others
 * are still written. Returns 0, or -1 after the messages. */
int tp_cli_save_files(const struct tp_cli_opts *o, const char *name, const struct tp_cli_file *files, size_t n,
                      void *ctx);

/* The whole run for --from=FILE: read, plot, write stdout. Returns the
 * exit code (2 for a file that is not a tune-pool results document). */
int tp_cli_run_from(const struct tp_cli_opts *o);

/* `tune-pool compare A.json B.json`: argv[0] is "compare". Returns the exit code. */
int tp_cli_compare(int argc, char **argv);

#endif
