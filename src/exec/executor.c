/* executor.c - the executors behind one interface: names, what each can run, the pool against the event loops. */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "evloop.h"

const char *tp_executor_name(enum tp_executor e)
{
    switch (e) {
    case TP_EXECUTOR_POOL: return "pool";
    case TP_EXECUTOR_ASYNC: return "async";
    }
    return NULL;
}

int tp_executor_parse(const char *name, enum tp_executor *out)
{
    if (name == NULL || out == NULL)
        return -EINVAL;
    if (strcmp(name, "pool") == 0)
        *out = TP_EXECUTOR_POOL;
    else if (strcmp(name, "async") == 0)
        *out = TP_EXECUTOR_ASYNC;
    else
        return -EINVAL;
    return 0;
}

int tp_executor_check(enum tp_executor e, const struct tp_workload_params *p, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (p == NULL)
        return -EINVAL;
    switch (e) {
    case TP_EXECUTOR_POOL: return 0;
    case TP_EXECUTOR_ASYNC: return tp__evloop_supports(p, err, errlen);
    }
    return -EINVAL;
}

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
