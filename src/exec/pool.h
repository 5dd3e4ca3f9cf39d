/* pool.h - the project's pthread pool (public API in tunepool.h) and its test hooks. */
#ifndef TP_SRC_POOL_H
#define TP_SRC_POOL_H

#include <stddef.h>

#include "tunepool/tunepool.h"

/* Internal, for tests: the ring's capacity after rounding (a power of 2). */
size_t tp__pool_queue_capacity(const struct tp_pool *pool);

/* Internal, for tests: each worker's stack size after clamping and rounding. */
size_t tp__pool_stack_size(const struct tp_pool *pool);

#endif
