/* merge_stats.h - pure statistics of a host class: pooled points, the class's band and pick, each host's verdict. */
#ifndef TP_SRC_MERGE_STATS_H
#define TP_SRC_MERGE_STATS_H

#include "tunepool/tunepool.h"

/* Fills c's points (every host's repetitions pooled per multiplier), best,
 * band and pick from the hosts c->hosts indexes into (the method: DESIGN
 * in merge_stats.c). Returns 0, -EINVAL (no hosts), -ENOMEM. Pure. */
int tp__merge_pool_class(struct tp_merge_class *c, const struct tp_merge_host *hosts);

/* Sets h->verdict and h->why against its class c (pooled first). Pure. */
void tp__merge_verdict(struct tp_merge_host *h, const struct tp_merge_class *c);

/* h's point at multiplier m (within 0.1%), or NULL. */
const struct tp_merge_point *tp__merge_host_point(const struct tp_merge_host *h, double m);

#endif
