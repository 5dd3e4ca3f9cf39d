/* backend_cthreadpool.c - bench backend: C-Thread-Pool (Debian's cthreadpool-dev, thpool.c compiled in from /usr/share). */
#include <stdlib.h>
#include <thpool.h>

#include "backend.h"

/* thpool_wait waits for the whole pool; it signals one waiter only, so
 * submitter 0 alone waits. The library keeps its run flags in file-static
 * variables: one pool per process, which is how the driver uses it. Its
 * threads get the default stack size (no option to set one), and they are
 * detached: thpool_destroy cannot join them, it re-posts its binary
 * semaphore until they are gone, which lets about one thread go per post and
 * sleeps a second between posts after the first second (minutes for 512
 * threads). The driver exits right after destroy, so destroy here leaves
 * the pool to the process's exit, and bench-pool reports no start+join for
 * this pool. */
struct bench_pool {
    threadpool pool;
    bench_fn fn;
};

const char *backend_name(void) { return "cthreadpool"; }
int backend_max_threads(void) { return 0; }

struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch, int submitters)
{
    struct bench_pool *bp = malloc(sizeof *bp);

    (void)max_batch;
    (void)submitters;
    if (bp != NULL) {
        *bp = (struct bench_pool){ .pool = thpool_init(threads), .fn = fn };
        if (bp->pool != NULL)
            return bp;
    }
    free(bp);
    return NULL;
}

/* thpool_add_work fails only when malloc does: the driver's counts would be
 * wrong, so it stops. */
void backend_submit(struct bench_pool *bp, int sub, void *arg)
{
    (void)sub;
    if (thpool_add_work(bp->pool, bp->fn, arg) != 0)
        abort();
}

void backend_wait(struct bench_pool *bp, int sub)
{
    if (sub == 0) /* thpool_wait signals one waiter: submitter 0 alone waits */
        thpool_wait(bp->pool);
}

void backend_destroy(struct bench_pool *bp) { free(bp); /* the pool and its threads end with the process: see above */ }
