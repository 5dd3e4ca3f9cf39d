/* backend_uv.c - bench backend: libuv's thread pool through uv_queue_work (libuv1-dev). */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "backend.h"

/* libuv has one process-wide pool sized by UV_THREADPOOL_SIZE when it is
 * first used, capped at 1024 threads; its threads live until exit. Each task
 * also costs an after-work callback on the loop thread: that is how libuv is
 * used, so it is part of what is measured. */
struct uv_task {
    uv_work_t req; /* first member: a uv_work_t * is a struct uv_task * */
    void *arg;
};

struct bench_pool {
    uv_loop_t loop;
    struct uv_task *reqs; /* one per task of a batch, reused after each wait */
    size_t max_batch, n;
    bench_fn fn;
};

const char *backend_name(void) { return "libuv"; }
int backend_max_threads(void) { return 1024; }

static void work_cb(uv_work_t *req)
{
    struct bench_pool *bp = uv_req_get_data((uv_req_t *)req);
    bp->fn(((struct uv_task *)req)->arg);
}

static void after_cb(uv_work_t *req, int status)
{
    (void)req;
    (void)status;
}

struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch)
{
    struct bench_pool *bp = calloc(1, sizeof *bp);
    char size[16];

    if (bp == NULL)
        return NULL;
    snprintf(size, sizeof size, "%d", threads);
    setenv("UV_THREADPOOL_SIZE", size, 1); /* read once, at the first uv_queue_work */
    bp->fn = fn;
    bp->max_batch = max_batch;
    bp->reqs = calloc(max_batch, sizeof bp->reqs[0]);
    if (bp->reqs == NULL || uv_loop_init(&bp->loop) != 0) {
        free(bp->reqs);
        free(bp);
        return NULL;
    }
    return bp;
}

void backend_submit(struct bench_pool *bp, void *arg)
{
    struct uv_task *t = &bp->reqs[bp->n++]; /* the driver never exceeds max_batch */
    uv_req_set_data((uv_req_t *)&t->req, bp);
    t->arg = arg;
    uv_queue_work(&bp->loop, &t->req, work_cb, after_cb);
}

void backend_wait(struct bench_pool *bp)
{
    uv_run(&bp->loop, UV_RUN_DEFAULT); /* returns when every after_cb has run */
    bp->n = 0;
}

void backend_destroy(struct bench_pool *bp)
{
    uv_loop_close(&bp->loop);
    free(bp->reqs);
    free(bp);
}
