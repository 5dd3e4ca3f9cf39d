/* workload.h - the task a point runs: a setup/task/teardown interface and the built-in kinds. */
#ifndef TP_SRC_WORKLOAD_H
#define TP_SRC_WORKLOAD_H

#include <stdint.h>

#include "tunepool/tunepool.h"

/* One prepared workload. setup() runs once per point (in the point's own
 * process), task() runs on pool workers concurrently and must be
 * thread-safe, teardown() frees what setup() made. */
struct tp__workload {
    const struct tp__workload_ops *ops;
    struct tp_workload_params params;
    void *state; /* owned by ops */
};

struct tp__workload_ops {
    enum tp_workload_kind kind;
    const char *name;
    /* Checks params; returns 0 or -EINVAL. No side effects. */
    int (*validate)(const struct tp_workload_params *p);
    /* Prepares w->state. Returns 0 or a negative code. */
    int (*setup)(struct tp__workload *w);
    /* One task; index counts tasks within the point. */
    void (*task)(struct tp__workload *w, uint64_t index);
    void (*teardown)(struct tp__workload *w);
};

/* Finds the kind's operations; NULL when unknown. */
const struct tp__workload_ops *tp__workload_find(enum tp_workload_kind kind);

/* Validates params and prepares w. Returns 0, -EINVAL (bad params or kind)
 * or the setup's error; on failure w is left empty. */
int tp__workload_open(struct tp__workload *w, const struct tp_workload_params *params);
void tp__workload_close(struct tp__workload *w);

/* Burns ns nanoseconds of the calling thread's CPU time with real
 * computation (never a sleep): under oversubscription it takes longer in
 * wall time but exactly as much CPU. Returns a value derived from the work
 * so that the compiler cannot drop it. */
uint64_t tp__burn_cpu_ns(uint64_t ns);

/* Blocks the calling thread for ns nanoseconds (clock_nanosleep on
 * CLOCK_MONOTONIC, absolute deadline, resumed after EINTR). */
void tp__block_ns(uint64_t ns);

#endif
