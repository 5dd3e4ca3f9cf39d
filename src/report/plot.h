/* plot.h - a gnuplot script of a result (throughput, band, pick, rules, p99) and its rendering by gnuplot. */
#ifndef TP_SRC_PLOT_H
#define TP_SRC_PLOT_H

#include "tunepool/tunepool.h"

/* The public entry points are tp_plot_write_script() and tp_plot_render()
 * in tunepool.h. gnuplot runs as a child process (posix_spawnp): the library
 * neither prints nor exits. */

#include <stdio.h>

/* Writes s as a gnuplot string literal (quotes, backslashes, newlines escaped). */
void tp__gp_string(FILE *f, const char *s);

/* The picture's size when the options give none, px. */
#define TP__PLOT_WIDTH 960
#define TP__PLOT_HEIGHT 640

/* The terminal (pngcairo or svg, width x height) and "set output tp_output". */
void tp__gp_terminal(FILE *f, enum tp_plot_format format, int width, int height);

/* Renders an image with gnuplot from the script that writer writes (to
 * script_path atomically, or to a temporary file when NULL), as
 * tp_plot_render does for a result: the same errors, the same atomic
 * rename of the image. The script reads its output path from tp_output. */
int tp__plot_render_with(int (*writer)(void *ctx, FILE *f), void *wctx, const struct tp_plot_opts *opts,
                         const char *image_path, const char *script_path, char *why, size_t why_len);

#endif
