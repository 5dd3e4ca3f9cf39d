/* stats.h - pure statistics: order statistics, bootstrap intervals, MAD, and result analysis. */
#ifndef TP_SRC_STATS_H
#define TP_SRC_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "tunepool/tunepool.h"

/* Seeded generator (splitmix64): deterministic streams for the bootstrap. */
uint64_t tp__rng_next(uint64_t *state);
/* Uniform in [0, n) without modulo bias. n > 0. */
uint64_t tp__rng_below(uint64_t *state, uint64_t n);

/* r % n (0 when n < 2), by multiplication instead of a division. Exact. */
uint64_t tp__mod_fast(uint64_t r, uint64_t n);

/* Sorts v ascending in place. */
void tp__sort_doubles(double *v, size_t n);

/* Quantile p in [0,1] of an ascending array: linear interpolation between
 * closest ranks (Hyndman & Fan type 7, as R's default). NaN if n == 0. */
double tp__quantile_sorted(const double *sorted, size_t n, double p);

/* Median of v (v is not modified). NaN if n == 0. */
double tp__median(const double *v, size_t n);

/* Median absolute deviation scaled by 1.4826 (consistent with the standard
 * deviation for normal data). 0 if n < 2. */
double tp__mad(const double *v, size_t n);

/* Flags v[i] whose |v[i] - median| / MAD exceeds cutoff (3.5 is the usual
 * Iglewicz-Hoaglin choice). flags[i] = 1 for an outlier. Returns the count.
 * A MAD of 0 flags nothing. */
int tp__mad_outliers(const double *v, size_t n, double cutoff, unsigned char *flags);

/* Bootstrap percentile interval of the median at level conf (e.g. 0.95),
 * from `resamples` resamples drawn with the given seed. n == 1 gives
 * [v0, v0]. Returns 0, or -EINVAL (n == 0, conf outside (0,1),
 * resamples < 1), -ENOMEM. */
int tp__bootstrap_median_ci(const double *v, size_t n, double conf, uint64_t seed, int resamples, double *lo,
                            double *hi);

#define TP__BOOTSTRAP_RESAMPLES 2000
#define TP__MAD_CUTOFF 3.5
/* Deviations under this fraction of the median are never flagged. */
#define TP__OUTLIER_FLOOR 0.01

/* Computes the point's own statistics from its repetitions (median, CI,
 * MAD, outliers). conf/seed as for the bootstrap. */
void tp__analyze_point(struct tp_point *p, double conf, uint64_t seed);

/* The interval level actually used: conf when it lies in (0,1), else TP_DEFAULT_CONFIDENCE. */
double tp__effective_confidence(double conf);

/* The bootstrap seed of the point with `threads` workers, derived from the
 * result's seed so that a point's interval depends only on its own data. */
uint64_t tp__point_seed(uint64_t seed, int threads);

/* How the measured pick compares with the model (tp_analyze must have run). */
enum tp__model_verdict {
    TP__MODEL_UNKNOWN = 0, /* no valid model or no pick */
    TP__MODEL_AGREES,      /* model threads inside the band's thread range or within 25% of the pick */
    TP__MODEL_PICK_BELOW,  /* pick well below the model: something saturates first */
    TP__MODEL_PICK_ABOVE,  /* pick well above the model: waits grow or compute is not CPU-bound */
};
#define TP__MODEL_TOLERANCE 0.25
enum tp__model_verdict tp__model_verdict(const struct tp_result *r);

/* Process CPU time per task over the point's repetitions, ns (the sum of
 * their cpu_s over the sum of their tasks: the task, the kernel and the
 * pool); NaN when no task was counted. */
double tp__point_cpu_ns_per_task(const struct tp_point *p);

/* One candidate of a band: its median and interval, and whether it may be
 * the best at all (measured, not excluded by the latency bound). */
struct tp__band_item {
    double median, ci_lo, ci_hi;
    int usable;
    int in_band; /* set by tp__band_select */
};
struct tp__band_out {
    int best, pick, n_band; /* indices into the items; -1 = none */
};

/* The band and the pick over items, in order of size (fewest threads
 * first): best = the highest median; in the band = an interval that
 * reaches the highest interval floor, less the tolerance fraction; pick =
 * the first in the band (the method, cited, at tp_analyze). Pure. */
void tp__band_select(struct tp__band_item *items, size_t n, double tolerance, struct tp__band_out *out);

/* Smallest and largest thread count among in-band points (0, 0 if none). */
void tp__band_threads(const struct tp_result *r, int *lo, int *hi);

#endif
