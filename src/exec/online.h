/* online.h - the pool's online-tuning thread: sensor windows in, tp_pool_resize out. */
#ifndef TP_SRC_ONLINE_H
#define TP_SRC_ONLINE_H

#include "tunepool/tunepool.h"

struct tp__online;

/* Starts the controller thread of pool (which is at start_threads workers,
 * with slots for max_slots). Returns 0 or a negative code. */
int tp__online_start(struct tp_pool *pool, const struct tp_pool_online *opts, int start_threads, int max_slots,
                     struct tp__online **out);

/* Stops and joins the thread, frees it. NULL is a no-op. */
void tp__online_stop(struct tp__online *o);

#endif
