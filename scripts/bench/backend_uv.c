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

/* One loop per submitter: uv_queue_work belongs to the loop's thread. */
struct feeder {
    uv_loop_t loop;
    struct uv_task *reqs; /* one per task of a batch, reused after each wait */
    size_t n;
};

struct bench_pool {
    struct feeder feeders[8]; /* bench_main.c: MAX_SUBMITTERS */
    int submitters;
    size_t max_batch;
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

struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch, int submitters)
{
    struct bench_pool *bp = calloc(1, sizeof *bp);
    char size[16];

    if (bp == NULL || submitters < 1 || submitters > 8) {
        free(bp);
        return NULL;
    }
    snprintf(size, sizeof size, "%d", threads);
    setenv("UV_THREADPOOL_SIZE", size, 1); /* read once, at the first uv_queue_work */
    bp->fn = fn;
    bp->max_batch = max_batch;
    for (; bp->submitters < submitters; bp->submitters++) {
        struct feeder *f = &bp->feeders[bp->submitters];
        f->reqs = calloc(max_batch, sizeof f->reqs[0]);
        if (f->reqs == NULL || uv_loop_init(&f->loop) != 0) {
            free(f->reqs);
            backend_destroy(bp);
            return NULL;
        }
    }
    return bp;
}

void backend_submit(struct bench_pool *bp, int sub, void *arg)
{
    struct feeder *f = &bp->feeders[sub];
    struct uv_task *t = &f->reqs[f->n++]; /* the driver never exceeds max_batch */
    uv_req_set_data((uv_req_t *)&t->req, bp);
    t->arg = arg;
    uv_queue_work(&f->loop, &t->req, work_cb, after_cb);
}

void backend_wait(struct bench_pool *bp, int sub)
{
    struct feeder *f = &bp->feeders[sub];
    uv_run(&f->loop, UV_RUN_DEFAULT); /* returns when every after_cb of this loop has run */
    f->n = 0;
}

void backend_destroy(struct bench_pool *bp)
{
    for (int i = 0; i < bp->submitters; i++) {
        uv_loop_close(&bp->feeders[i].loop);
        free(bp->feeders[i].reqs);
    }
    free(bp);
}
