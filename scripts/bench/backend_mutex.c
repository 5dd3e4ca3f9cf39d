/* backend_mutex.c - bench backend: the textbook pool, one mutex and two condition variables. */
#include <pthread.h>
#include <stdlib.h>

#include "backend.h"

#define STACK_SIZE (64u * 1024u) /* same stacks as tunepool's default */

struct bench_pool {
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* a task was queued, or stop */
    pthread_cond_t all_done;  /* pending reached 0 */
    void **queue;             /* mu: ring of args */
    size_t cap, head, count;  /* mu */
    size_t pending;           /* mu: queued + running */
    int stop;                 /* mu */
    bench_fn fn;
    pthread_t *threads;
    int n_threads;
};

const char *backend_name(void) { return "mutex"; }
int backend_max_threads(void) { return 0; }

static void *worker(void *arg)
{
    struct bench_pool *bp = arg;

    pthread_mutex_lock(&bp->mu);
    for (;;) {
        while (bp->count == 0 && !bp->stop)
            pthread_cond_wait(&bp->not_empty, &bp->mu);
        if (bp->count == 0)
            break;
        void *task = bp->queue[bp->head];
        bp->head = (bp->head + 1) % bp->cap;
        bp->count--;
        pthread_mutex_unlock(&bp->mu);
        bp->fn(task);
        pthread_mutex_lock(&bp->mu);
        if (--bp->pending == 0)
            pthread_cond_broadcast(&bp->all_done);
    }
    pthread_mutex_unlock(&bp->mu);
    return NULL;
}

struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch, int submitters)
{
    struct bench_pool *bp = calloc(1, sizeof *bp);
    pthread_attr_t attr;

    if (bp == NULL)
        return NULL;
    pthread_mutex_init(&bp->mu, NULL);
    pthread_cond_init(&bp->not_empty, NULL);
    pthread_cond_init(&bp->all_done, NULL);
    bp->fn = fn;
    bp->cap = max_batch * (size_t)submitters + 1;
    bp->queue = calloc(bp->cap, sizeof bp->queue[0]);
    bp->threads = calloc((size_t)threads, sizeof bp->threads[0]);
    if (bp->queue == NULL || bp->threads == NULL)
        goto fail;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, STACK_SIZE);
    for (; bp->n_threads < threads; bp->n_threads++)
        if (pthread_create(&bp->threads[bp->n_threads], &attr, worker, bp) != 0)
            break;
    pthread_attr_destroy(&attr);
    if (bp->n_threads == threads)
        return bp;
fail:
    backend_destroy(bp);
    return NULL;
}

void backend_submit(struct bench_pool *bp, int sub, void *arg)
{
    (void)sub;
    pthread_mutex_lock(&bp->mu);
    bp->queue[(bp->head + bp->count) % bp->cap] = arg; /* the driver never exceeds max_batch */
    bp->count++;
    bp->pending++;
    pthread_cond_signal(&bp->not_empty);
    pthread_mutex_unlock(&bp->mu);
}

void backend_wait(struct bench_pool *bp, int sub)
{
    if (sub != 0)
        return; /* pool-wide: submitter 0 waits for all */
    pthread_mutex_lock(&bp->mu);
    while (bp->pending != 0)
        pthread_cond_wait(&bp->all_done, &bp->mu);
    pthread_mutex_unlock(&bp->mu);
}

void backend_destroy(struct bench_pool *bp)
{
    pthread_mutex_lock(&bp->mu);
    bp->stop = 1;
    pthread_cond_broadcast(&bp->not_empty);
    pthread_mutex_unlock(&bp->mu);
    for (int i = 0; i < bp->n_threads; i++)
        pthread_join(bp->threads[i], NULL);
    pthread_mutex_destroy(&bp->mu);
    pthread_cond_destroy(&bp->not_empty);
    pthread_cond_destroy(&bp->all_done);
    free(bp->threads);
    free(bp->queue);
    free(bp);
}
