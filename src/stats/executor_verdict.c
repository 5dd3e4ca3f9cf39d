/* executor_verdict.c - the pool's pick against the event loops' pick: which executor wins, and by how much (pure). */
#include <string.h>

#include "tunepool/tunepool.h"

/* The ratio of two medians and its range from the interval ends (the
 * bootstrap percentile intervals of each median, stats.c): async lo / pool
 * hi .. async hi / pool lo. Overlapping intervals: indistinguishable, the
 * same rule the band uses between points. */
int tp_executor_compare(const struct tp_result *r, struct tp_executor_verdict *out)
{
    memset(out, 0, sizeof(*out));
    if (r == NULL || r->async == NULL)
        return TP_ENOPOINTS;
    const struct tp_result *a = &r->async->sweep;
    if (r->pick < 0 || a->pick < 0 || (size_t)r->pick >= r->n_points || (size_t)a->pick >= a->n_points)
        return TP_ENOPOINTS;
    const struct tp_point *pp = &r->points[r->pick], *ap = &a->points[a->pick];
    if (!(pp->tput_median > 0))
        return TP_ENOPOINTS;
    out->valid = 1;
    out->ratio = ap->tput_median / pp->tput_median;
    out->ratio_lo = pp->tput_ci_hi > 0 ? ap->tput_ci_lo / pp->tput_ci_hi : 0;
    out->ratio_hi = pp->tput_ci_lo > 0 ? ap->tput_ci_hi / pp->tput_ci_lo : 0;
    out->pool_threads = pp->threads;
    out->async_threads = ap->threads < a->cores ? ap->threads : a->cores;
    if (ap->tput_ci_lo > pp->tput_ci_hi)
        out->winner = "async";
    else if (pp->tput_ci_lo > ap->tput_ci_hi)
        out->winner = "pool";
    else
        out->winner = "indistinguishable";
    return 0;
}
