/* measure.h - the real measurement source: one point = one child process running the pool and the workload. */
#ifndef TP_SRC_MEASURE_H
#define TP_SRC_MEASURE_H

#include "tunepool/tunepool.h"

/* Tasks per repetition chosen by the auto rule are kept within these. */
#define TP__AUTO_TASKS_MIN 100u
#define TP__AUTO_TASKS_PER_THREAD 10u
#define TP__AUTO_TASKS_MAX 500000u

/* Measures one point in the calling process (no fork): creates the pool,
 * runs the warm-up and the repetitions, fills out's raw fields (status,
 * error, reps, latency and per-task figures, max_rss_kb). Used by the child
 * of tp_source_real_measure() and by tests. */
void tp__measure_point_inline(const struct tp_point_request *req, struct tp_point *out);

/* The steady-state throughput of one repetition from its task end times
 * (ns, any order; the array is sorted in place): the tasks that end between
 * the 10th and the 90th percentile of completion, over that time. Batches
 * with fewer than 4 x threads tasks (or fewer than 20) use the whole span
 * from t0_ns to the last end instead. Returns tasks/s, 0 if undefined. */
double tp__steady_throughput(uint64_t *end_ns, size_t n, int threads, uint64_t t0_ns);

#endif
