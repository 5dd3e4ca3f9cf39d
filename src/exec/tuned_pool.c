/* tuned_pool.c - the public tp_pool_create/tp_pool_destroy: the raw pool (pool.c) plus, when asked, its online tuner (online.c). */
#include <errno.h>
#include <stddef.h>

#include "online.h"
#include "pool.h"

#define DEFAULT_ONLINE_MAX 1024 /* online tuning without any maximum given */

/* Slots to allocate: the most workers the pool may ever have at once. */
static int pool_slots(const struct tp_pool_opts *o)
{
    int n = o->threads;
    if (o->max_threads > n)
        n = o->max_threads;
    if (o->online.enabled) {
        int m = o->online.max_threads > 0 ? o->online.max_threads
                : o->max_threads > 0      ? o->max_threads
                                          : DEFAULT_ONLINE_MAX;
        if (m > n)
            n = m;
    }
    return n;
}

static int online_opts_ok(const struct tp_pool_opts *o)
{
    const struct tp_pool_online *on = &o->online;
    return !on->enabled || (on->min_threads >= 0 && on->max_threads >= 0 && on->cores >= 0 &&
                            (on->min_threads == 0 || o->threads >= on->min_threads) &&
                            (on->max_threads == 0 || o->threads <= on->max_threads));
}

int tp_pool_create(struct tp_pool **out, const struct tp_pool_opts *opts, int *n_started)
{
    struct tp_pool *pool = NULL;
    struct tp__online *tuner = NULL;

    if (n_started != NULL)
        *n_started = 0;
    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (opts == NULL || opts->threads < 1 || !online_opts_ok(opts))
        return -EINVAL;
    int rc = tp__pool_create(&pool, opts, pool_slots(opts), n_started);
    if (rc != 0)
        return rc;
    if (opts->online.enabled) {
        rc = tp__online_start(pool, &opts->online, opts->threads, tp__pool_slots(pool), &tuner);
        if (rc != 0) {
            tp__pool_destroy(pool);
            return rc;
        }
        tp__pool_set_tuner(pool, tuner);
    }
    *out = pool;
    return 0;
}

void tp_pool_destroy(struct tp_pool *pool)
{
    if (pool == NULL)
        return;
    /* The tuner first: nothing resizes while the pool drains. */
    tp__online_stop(tp__pool_tuner(pool));
    tp__pool_set_tuner(pool, NULL);
    tp__pool_destroy(pool);
}
