/* plot.h - a gnuplot script of a result (throughput, band, pick, rules, p99) and its rendering by gnuplot. */
#ifndef TP_SRC_PLOT_H
#define TP_SRC_PLOT_H

#include "tunepool/tunepool.h"

/* The public entry points are tp_plot_write_script() and tp_plot_render()
 * in tunepool.h. gnuplot runs as a child process (posix_spawnp): the library
 * neither prints nor exits. */

#endif
