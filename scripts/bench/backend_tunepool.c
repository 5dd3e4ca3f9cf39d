/* backend_tunepool.c - bench backend: tunepool's own pool (src/exec/pool.c). */
#include <stdlib.h>

#include "backend.h"
#include "tunepool/tunepool.h"

struct bench_pool {
    struct tp_pool *pool;
    bench_fn fn;
};

const char *backend_name(void) { return "tunepool"; }
int backend_max_threads(void) { return 0; }

struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch, int submitters)
{
    struct tp_pool_opts opts = { .threads = threads, .name = "bench" };
    struct bench_pool *bp = calloc(1, sizeof *bp);

    (void)max_batch;
    (void)submitters;
    if (bp == NULL)
        return NULL;
    bp->fn = fn;
    if (tp_pool_create(&bp->pool, &opts, NULL) != 0) {
        free(bp);
        return NULL;
    }
    return bp;
}

void backend_submit(struct bench_pool *bp, int sub, void *arg)
{
    (void)sub;
    tp_pool_submit(bp->pool, bp->fn, arg);
}

void backend_wait(struct bench_pool *bp, int sub)
{
    if (sub == 0)
        tp_pool_wait(bp->pool); /* pool-wide */
}

void backend_destroy(struct bench_pool *bp)
{
    tp_pool_destroy(bp->pool);
    free(bp);
}
