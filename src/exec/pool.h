/* pool.h - the project's pthread pool: the raw pool under the public API (tunepool.h), and its test hooks. */
#ifndef TP_SRC_POOL_H
#define TP_SRC_POOL_H

#include <stddef.h>

#include "tunepool/tunepool.h"

struct tp__online; /* online.h: the pool keeps its tuner's pointer, nothing more */

/* Creates the pool of opts->threads workers with room for `slots`
 * (>= opts->threads: the most tp_pool_resize may ask for), without any
 * tuner: tp_pool_create (tuned_pool.c) adds it. opts->online is read only
 * for `enabled` (the workers then keep their sensing counters). Returns as
 * tp_pool_create does. */
int tp__pool_create(struct tp_pool **out, const struct tp_pool_opts *opts, int slots, int *n_started);

/* Refuses new tasks, waits for the queued ones, joins every worker, frees
 * the pool. The tuner must be stopped first. NULL is a no-op. */
void tp__pool_destroy(struct tp_pool *pool);

/* The worker slots allocated at create. */
int tp__pool_slots(const struct tp_pool *pool);

/* The tuner tp_pool_create attached (NULL = none); the pool never uses it. */
void tp__pool_set_tuner(struct tp_pool *pool, struct tp__online *tuner);
struct tp__online *tp__pool_tuner(const struct tp_pool *pool);

/* CPUs this process may run on (its affinity mask), at least 1. */
int tp__pool_usable_cpus(void);

/* Internal, for tests: the ring's capacity after rounding (a power of 2). */
size_t tp__pool_queue_capacity(const struct tp_pool *pool);

/* Internal, for tests: each worker's stack size after clamping and rounding. */
size_t tp__pool_stack_size(const struct tp_pool *pool);

#endif
