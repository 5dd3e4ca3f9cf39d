/* race.h - the racing search (TP_STRATEGY_RACE): few runs, spent where the pick is decided. */
#ifndef TP_SRC_RACE_H
#define TP_SRC_RACE_H

#include <stdint.h>

#include "tunepool/tunepool.h"

/* Runs the race (tunepool.h, Racing) into out, whose settings tp_sweep_run
 * has filled (cores, repeat_max, target_ci, confidence, seed, tolerance,
 * resolution) and whose point list is empty: the race places the points.
 * src measures, t0 is the sweep's start (progress). Sets out->max_runs,
 * runs_spent, budget_hit. Returns 0, TP_ECANCELED (what was measured is
 * kept; a point cancelled before any repetition is marked skipped), -ENOMEM. */
int tp__race_run(const struct tp_sweep_opts *opts, struct tp_result *out, struct tp_source src, uint64_t t0);

/* z with P(|Z| < z) = conf for a standard normal Z (conf in (0,1); 1.96 for
 * 0.95), by bisection on erfc. */
double tp__race_z(double conf);

/* The relative noise of one repetition pooled over the points with two or
 * more: 1.4826 x the median of |x - median| / median, each deviation scaled
 * by sqrt(n / (n - 1)) (the sample median sits closer to a small sample
 * than the true one); TP_RACE_PRIOR_NOISE while fewer than 4 deviations
 * exist, at least 0.002. */
double tp__race_noise(const struct tp_result *r);

#endif
