/* evloop.h - the async executor: one epoll event loop per core, many tasks in flight on each. */
#ifndef TP_SRC_EVLOOP_H
#define TP_SRC_EVLOOP_H

#include <stddef.h>
#include <stdint.h>

#include "tunepool/tunepool.h"
#include "workload.h"

struct tp__evloop;

/* One task's record, written by the loop that ran it: when the loop started
 * it, when it finished, and the loop thread's CPU time spent on its steps. */
struct tp__task_times {
    uint64_t start_ns, end_ns, cpu_ns;
};

/* Whether the async executor can run workload p. Returns 0, or -EOPNOTSUPP
 * with "not supported by the async executor: <why>" in why (may be NULL). */
int tp__evloop_supports(const struct tp_workload_params *p, char *why, size_t whylen);

/* Starts min(loops, in_flight) loop threads (named tp-loopN) for the opened
 * workload w, in_flight task slots spread evenly over them (loop i gets
 * in_flight / n + (i < in_flight % n)). Each loop creates its per-thread
 * workload state and, for net, connects its slots before returning. Returns
 * 0, -EOPNOTSUPP (no async path: see tp__evloop_supports), -EINVAL or a
 * negative errno; on failure stores NULL in *out and, when n_started is not
 * NULL, the loops that had started in *n_started. w must outlive the loops;
 * the caller frees *out with tp__evloop_destroy. */
int tp__evloop_create(struct tp__evloop **out, struct tp__workload *w, int loops, int in_flight, int *n_started);

/* Runs tasks 0 .. n-1 through the loops, each loop keeping its slots busy
 * (a task index is taken from a shared counter when a slot frees); fills
 * times[0..n). Returns the batch's wall time in ns (start to last
 * completion) or a negative code. Call from one thread at a time. */
int64_t tp__evloop_run_batch(struct tp__evloop *ev, size_t n, struct tp__task_times *times);

/* Loop threads running. */
int tp__evloop_loops(const struct tp__evloop *ev);

/* Stops and joins every loop, closes its descriptors, frees ev. NULL is a no-op. */
void tp__evloop_destroy(struct tp__evloop *ev);

#endif
