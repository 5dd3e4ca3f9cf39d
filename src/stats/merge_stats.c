/* merge_stats.c - pure statistics of a host class: its hosts' points pooled, the class's band and pick, each host's verdict. */
/*
 * DESIGN. A class's point at multiplier m pools the repetitions of every
 * host of the class that measured m (status ok): the sample is all their
 * throughputs, its median the class's figure, and its interval Efron's
 * bootstrap percentile interval of that median (tp__bootstrap_median_ci,
 * TP__BOOTSTRAP_RESAMPLES resamples; the level, tolerance, latency bound
 * and seed of the class's first host, the seed derived per thread count as
 * a single run derives it). The band and the pick are then
 * exactly a single run's (tp__band_select: intervals that reach the
 * highest interval floor, less the tolerance; the pick is the smallest m
 * in the band), so a class of one host gets that host's own pick, band and
 * intervals. Pooling treats the repetitions of different hosts as one
 * sample: a host's repetitions share its machine, so the interval is
 * narrower than one that resampled whole hosts would be; the band's
 * tolerance covers part of that, and the verdicts below name the hosts
 * that do not fit. With a latency bound (--max-p99) a pooled point is
 * excluded when any of its hosts had a p99 above the bound: the class's
 * size must keep every host under it.
 *
 * A host disagrees with its class when its own pick is outside the class
 * band (the class's pooled point at the host's pick m is not in the band)
 * or the class pick is outside the host's band (the host's point at that m
 * is not in its band; an m it did not measure counts as inside when it
 * lies between the host band's smallest and largest m).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "merge_stats.h"
#include "stats.h"

/* Two multipliers are the same point within 0.1% (as compare matches them). */
static int same_m(double a, double b) { return fabs(a - b) <= 1e-3 * fmax(a, b); }

static int point_ok(const struct tp_merge_point *p) { return p->status == TP_POINT_OK && p->n_reps > 0; }

const struct tp_merge_point *tp__merge_host_point(const struct tp_merge_host *h, double m)
{
    for (size_t i = 0; i < h->n_points; i++)
        if (same_m(h->points[i].multiplier, m))
            return &h->points[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The class's distinct multipliers (measured by some host), sorted, into
 * c->points; returns the most repetitions any of them pools, or -ENOMEM. */
static long class_multipliers(struct tp_merge_class *c, const struct tp_merge_host *hosts)
{
    size_t n = 0, total = 0;
    for (size_t k = 0; k < c->n_hosts; k++)
        n += hosts[c->hosts[k]].n_points;
    double *ms = malloc((n > 0 ? n : 1) * sizeof *ms);
    if (ms == NULL)
        return -ENOMEM;
    n = 0;
    for (size_t k = 0; k < c->n_hosts; k++) {
        const struct tp_merge_host *h = &hosts[c->hosts[k]];
        for (size_t i = 0; i < h->n_points; i++) {
            if (point_ok(&h->points[i]))
                ms[n++] = h->points[i].multiplier;
            total += (size_t)h->points[i].n_reps;
        }
    }
    qsort(ms, n, sizeof *ms, cmp_double);
    c->points = calloc(n > 0 ? n : 1, sizeof *c->points);
    if (c->points == NULL) {
        free(ms);
        return -ENOMEM;
    }
    c->n_points = 0;
    for (size_t i = 0; i < n; i++)
        if (c->n_points == 0 || !same_m(c->points[c->n_points - 1].multiplier, ms[i]))
            c->points[c->n_points++].multiplier = ms[i];
    free(ms);
    return (long)total;
}

/* One pooled point: every ok host's finite repetitions at its m. */
static int pool_point(struct tp_merge_pooled *q, const struct tp_merge_class *c, const struct tp_merge_host *hosts,
                      double *buf)
{
    const struct tp_merge_host *first = &hosts[c->hosts[0]];
    size_t n = 0;
    q->threads = 0;
    q->lat_p99_ns = NAN;
    for (size_t k = 0; k < c->n_hosts; k++) {
        const struct tp_merge_point *p = tp__merge_host_point(&hosts[c->hosts[k]], q->multiplier);
        if (p == NULL || !point_ok(p))
            continue;
        if (q->threads == 0)
            q->threads = p->threads;
        q->n_hosts++;
        for (int r = 0; r < p->n_reps; r++)
            if (isfinite(p->reps[r]))
                buf[n++] = p->reps[r];
        if (isfinite(p->lat_p99_ns) && !(p->lat_p99_ns <= q->lat_p99_ns))
            q->lat_p99_ns = p->lat_p99_ns;
    }
    q->n_samples = (int)n;
    if (n == 0)
        return 0;
    q->median = tp__median(buf, n);
    double conf = tp__effective_confidence(first->confidence);
    int rc = tp__bootstrap_median_ci(buf, n, conf, tp__point_seed(first->seed, q->threads), TP__BOOTSTRAP_RESAMPLES,
                                     &q->ci_lo, &q->ci_hi);
    q->excluded = first->max_p99_ns > 0 && !(q->lat_p99_ns <= first->max_p99_ns);
    return rc;
}

/* The band and the pick over the pooled points (tp__band_select). */
static int class_band(struct tp_merge_class *c, double tolerance)
{
    struct tp__band_item *items = malloc((c->n_points > 0 ? c->n_points : 1) * sizeof *items);
    if (items == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < c->n_points; i++) {
        const struct tp_merge_pooled *q = &c->points[i];
        items[i] = (struct tp__band_item){ q->median, q->ci_lo, q->ci_hi, q->n_samples > 0 && !q->excluded, 0 };
    }
    struct tp__band_out band;
    tp__band_select(items, c->n_points, tolerance, &band);
    c->best = band.best;
    c->pick = band.pick;
    c->n_band = band.n_band;
    c->band_lo_multiplier = c->band_hi_multiplier = 0.0;
    for (size_t i = 0; i < c->n_points; i++) {
        c->points[i].in_band = items[i].in_band;
        if (!items[i].in_band)
            continue;
        if (c->band_lo_multiplier == 0.0 || c->points[i].multiplier < c->band_lo_multiplier)
            c->band_lo_multiplier = c->points[i].multiplier;
        if (c->points[i].multiplier > c->band_hi_multiplier)
            c->band_hi_multiplier = c->points[i].multiplier;
    }
    free(items);
    return 0;
}

int tp__merge_pool_class(struct tp_merge_class *c, const struct tp_merge_host *hosts)
{
    if (c == NULL || hosts == NULL || c->n_hosts == 0)
        return -EINVAL;
    const struct tp_merge_host *first = &hosts[c->hosts[0]];
    c->cores = first->cores;
    c->cores_differ = 0;
    for (size_t k = 1; k < c->n_hosts; k++)
        c->cores_differ |= hosts[c->hosts[k]].cores != c->cores;
    long total = class_multipliers(c, hosts);
    if (total < 0)
        return (int)total;
    double *buf = malloc((size_t)(total > 0 ? total : 1) * sizeof *buf);
    if (buf == NULL)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < c->n_points && rc == 0; i++)
        rc = pool_point(&c->points[i], c, hosts, buf);
    free(buf);
    return rc < 0 ? rc : class_band(c, first->tolerance);
}

/* Whether m is in h's own band: its point there is, or (not measured) m
 * lies between the band's smallest and largest m. */
static int in_host_band(const struct tp_merge_host *h, double m)
{
    const struct tp_merge_point *p = tp__merge_host_point(h, m);
    if (p != NULL)
        return p->in_band;
    return m >= h->band_lo_multiplier * (1 - 1e-3) && m <= h->band_hi_multiplier * (1 + 1e-3);
}

void tp__merge_verdict(struct tp_merge_host *h, const struct tp_merge_class *c)
{
    char a[32], b[32], d[32];
    h->why[0] = '\0';
    if (h->pick < 0) {
        h->verdict = TP_MERGE_NO_PICK;
        snprintf(h->why, sizeof h->why, "no point measured (%d failed)", h->n_failed);
        return;
    }
    double hm = h->points[h->pick].multiplier;
    const struct tp_merge_pooled *at = NULL;
    for (size_t i = 0; i < c->n_points && at == NULL; i++)
        if (same_m(c->points[i].multiplier, hm))
            at = &c->points[i];
    h->verdict = TP_MERGE_AGREES;
    if (c->pick < 0)
        return;
    double cm = c->points[c->pick].multiplier;
    if (at == NULL || !at->in_band) {
        h->verdict = TP_MERGE_DISAGREES;
        snprintf(h->why, sizeof h->why, "its pick m = %s is outside the class band m = %s .. %s",
                 tp__fmt_mult(a, sizeof a, hm), tp__fmt_mult(b, sizeof b, c->band_lo_multiplier),
                 tp__fmt_mult(d, sizeof d, c->band_hi_multiplier));
    } else if (!in_host_band(h, cm)) {
        h->verdict = TP_MERGE_DISAGREES;
        snprintf(h->why, sizeof h->why, "the class pick m = %s is outside its band m = %s .. %s",
                 tp__fmt_mult(a, sizeof a, cm), tp__fmt_mult(b, sizeof b, h->band_lo_multiplier),
                 tp__fmt_mult(d, sizeof d, h->band_hi_multiplier));
    }
}
