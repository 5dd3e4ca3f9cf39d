/* sweep.h - the sweep: plan the points, drive a measurement source, analyse. */
#ifndef TP_SRC_SWEEP_H
#define TP_SRC_SWEEP_H

#include "tunepool/tunepool.h"

/* Threads for a multiplier on cores: round(m x cores), at least 1. */
int tp__threads_for(double multiplier, int cores);

/* Builds the list of points to measure: the grid (or the default grid), plus
 * the rule-of-thumb points when asked; sorted by threads, one point per
 * thread count (origins merged, the smallest multiplier kept). Returns 0,
 * -EINVAL (a multiplier that is not a finite number > 0, cores < 1),
 * -E2BIG (a grid point above max_threads; rule sizes above it are left out), -ENOMEM. The caller frees *out. */
int tp__sweep_plan(const struct tp_sweep_opts *opts, int cores, struct tp_point **out, size_t *n);

#endif
