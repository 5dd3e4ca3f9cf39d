/* backend_glib.c - bench backend: GLib's GThreadPool (libglib2.0-dev). */
#include <glib.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "backend.h"

/* GThreadPool has no "wait for the queued tasks" call short of freeing the
 * pool, so each task counts itself and the last one wakes the waiter. */
struct bench_pool {
    GThreadPool *pool;
    bench_fn fn;
    _Atomic unsigned long done;      /* tasks finished */
    _Atomic unsigned long target;    /* seq_cst: done count the waiter waits for; 0 = none */
    _Atomic unsigned long submitted; /* seq_cst: tasks pushed by every submitter */
    GMutex mu;
    GCond cv;
};

const char *backend_name(void) { return "glib"; }
int backend_max_threads(void) { return 0; }

static void run_task(gpointer data, gpointer user_data)
{
    struct bench_pool *bp = user_data;

    bp->fn(data);
    unsigned long n = atomic_fetch_add(&bp->done, 1) + 1;
    if (n == atomic_load(&bp->target)) {
        g_mutex_lock(&bp->mu);
        g_cond_signal(&bp->cv);
        g_mutex_unlock(&bp->mu);
    }
}

struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch, int submitters)
{
    struct bench_pool *bp = calloc(1, sizeof *bp);
    GError *err = NULL;

    (void)max_batch;
    (void)submitters;
    if (bp == NULL)
        return NULL;
    bp->fn = fn;
    g_mutex_init(&bp->mu);
    g_cond_init(&bp->cv);
    /* exclusive = TRUE: all threads start now and belong to this pool. */
    bp->pool = g_thread_pool_new(run_task, bp, threads, TRUE, &err);
    if (bp->pool == NULL) {
        g_clear_error(&err);
        free(bp);
        return NULL;
    }
    return bp;
}

void backend_submit(struct bench_pool *bp, int sub, void *arg)
{
    (void)sub;
    atomic_fetch_add(&bp->submitted, 1);
    g_thread_pool_push(bp->pool, arg, NULL);
}

void backend_wait(struct bench_pool *bp, int sub)
{
    if (sub != 0)
        return; /* every submitter has pushed its batch: submitter 0 waits for all */
    g_mutex_lock(&bp->mu);
    unsigned long all = atomic_load(&bp->submitted);
    atomic_store(&bp->target, all);
    while (atomic_load(&bp->done) != all)
        g_cond_wait(&bp->cv, &bp->mu);
    atomic_store(&bp->target, 0);
    g_mutex_unlock(&bp->mu);
}

void backend_destroy(struct bench_pool *bp)
{
    g_thread_pool_free(bp->pool, FALSE, TRUE);
    g_mutex_clear(&bp->mu);
    g_cond_clear(&bp->cv);
    free(bp);
}
