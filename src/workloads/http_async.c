/* http_async.c - the http workload on the event loops: libcurl's multi interface, one multi handle per loop. */

/*
 * DESIGN
 * Each loop (exec/evloop.h) has one multi handle, driven by
 * curl_multi_socket_action: libcurl's socket callback watches and unwatches
 * its descriptors on the loop (tp__evloop_loop_watch, level-triggered) and
 * its timer callback sets the loop timer (tp__evloop_loop_timer). Each
 * slot has its own easy handle, set up once (the same options as a pool
 * worker's, tp__http_easy_setup) and reused: a task adds it to the multi
 * handle, kicks the transfer off at once (a socket_action on the timeout,
 * so that a kept-alive connection is written to without a trip through the
 * loop) and parks. The connections live in the multi handle's cache, not in
 * a slot, which is why the loop, not the slot, watches them. When
 * curl_multi_info_read reports a transfer done, its handle is removed (its
 * connection stays cached for the next task), the result is counted as on
 * the pool (tp__http_count) and the slot is finished; a transfer that ends
 * during its own start makes that start return DONE. Everything runs on
 * the loop's thread; the multi handle and its easy handles are used by no
 * other.
 */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <curl/curl.h>

#include "clock.h"
#include "evloop.h"
#include "http.h"
#include "http_async.h"
#include "workload.h"

/* One loop's multi handle and counters. */
struct http_loop {
    struct tp__workload *w;
    struct tp__wthread *wt; /* the loop thread's counters */
    struct tp__evloop_loop *lp;
    CURLM *multi;
    long n_slots;
    struct http_slot *starting; /* the slot whose start runs, else NULL */
    int adding;                 /* in http_start's curl_multi_add_handle */
};

/* One slot's easy handle and the task it runs. */
struct http_slot {
    struct http_loop *hl;
    struct tp__evloop_slot *slot;
    CURL *easy;
    uint64_t bytes;
    int attached; /* in the multi handle */
    int done;     /* finished during its own start */
};

/* libcurl: watch s for what it asks. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    struct http_loop *hl = userp;
    uint32_t ev = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        ev |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        ev |= EPOLLOUT;
    /* The socket's watched events, kept with it by libcurl (+ 1: NULL is
     * none): asking for the same again costs no system call. */
    uintptr_t had = (uintptr_t)socketp, want = ev != 0 ? (uintptr_t)ev + 1 : 0;
    if (had == want)
        return 0;
    if (tp__evloop_loop_watch(hl->lp, s, ev) < 0)
        return -1;
    curl_multi_assign(hl->multi, s, (void *)want);
    return 0;
}

/* libcurl: call back in timeout_ms (-1: never). */
static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct http_loop *hl = userp;
    if (timeout_ms == 0 && hl->adding)
        return 0; /* "now": http_start runs the timeout itself right after adding */
    uint64_t deadline = timeout_ms < 0 ? 0 : tp__now_ns() + (uint64_t)timeout_ms * 1000000u;
    return tp__evloop_loop_timer(hl->lp, deadline) < 0 ? -1 : 0;
}

/* Every transfer libcurl reports done: counted, detached, its slot finished. */
static void reap(struct http_loop *hl)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(hl->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        CURLcode result = m->data.result;
        struct http_slot *hs = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&hs);
        tp__http_count(hl->wt, hl->w->state, easy, result == CURLE_OK, hs->bytes);
        curl_multi_remove_handle(hl->multi, easy);
        hs->attached = 0;
        if (hs == hl->starting)
            hs->done = 1;
        else
            tp__evloop_finish(hs->slot);
    }
}

static void http_loop_event(void *loop, int fd, uint32_t events)
{
    struct http_loop *hl = loop;
    int running, mask = 0;
    if (events & EPOLLIN)
        mask |= CURL_CSELECT_IN;
    if (events & EPOLLOUT)
        mask |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP))
        mask |= CURL_CSELECT_ERR;
    curl_multi_socket_action(hl->multi, fd, mask, &running);
    reap(hl);
}

static void http_loop_timer(void *loop)
{
    struct http_loop *hl = loop;
    int running;
    curl_multi_socket_action(hl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(hl);
}

static int http_loop_init(void *ctx, int loop_index, void **loop)
{
    struct tp__workload *w = ctx;
    struct http_loop *hl = calloc(1, sizeof *hl);
    if (hl == NULL)
        return -ENOMEM;
    hl->w = w;
    hl->multi = curl_multi_init();
    if (hl->multi == NULL || curl_multi_setopt(hl->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
        curl_multi_setopt(hl->multi, CURLMOPT_SOCKETDATA, hl) != CURLM_OK ||
        curl_multi_setopt(hl->multi, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
        curl_multi_setopt(hl->multi, CURLMOPT_TIMERDATA, hl) != CURLM_OK) {
        if (hl->multi != NULL)
            curl_multi_cleanup(hl->multi);
        free(hl);
        return -ENOMEM;
    }
    tp__workload_thread_start(w, loop_index);
    hl->wt = tp__wthread_get(w);
    *loop = hl;
    return 0;
}

static void http_loop_fini(void *loop)
{
    struct http_loop *hl = loop;
    curl_multi_cleanup(hl->multi); /* closes the cached connections */
    free(hl);
}

static int http_slot_init(void *loop, struct tp__evloop_slot *slot, void **task)
{
    struct http_loop *hl = loop;
    struct http_slot *hs = calloc(1, sizeof *hs);
    if (hs == NULL)
        return -ENOMEM;
    hl->lp = tp__evloop_slot_loop(slot);
    hs->hl = hl;
    hs->slot = slot;
    hs->easy = curl_easy_init();
    if (hs->easy == NULL || tp__http_easy_setup(hs->easy, hl->w->state, &hl->w->params, &hs->bytes) < 0 ||
        curl_easy_setopt(hs->easy, CURLOPT_PRIVATE, (char *)hs) != CURLE_OK) {
        curl_easy_cleanup(hs->easy);
        free(hs);
        return -ENOMEM;
    }
    /* Room in the connection cache for every slot's connection. */
    curl_multi_setopt(hl->multi, CURLMOPT_MAXCONNECTS, ++hl->n_slots);
    *task = hs;
    return 0;
}

static void http_slot_fini(void *loop, void *task)
{
    struct http_loop *hl = loop;
    struct http_slot *hs = task;
    if (hs->attached)
        curl_multi_remove_handle(hl->multi, hs->easy);
    curl_easy_cleanup(hs->easy);
    free(hs);
}

static enum tp__evloop_next http_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)index;
    (void)now_ns;
    (void)deadline_ns;
    struct http_loop *hl = loop;
    struct http_slot *hs = task;
    int running;
    hs->bytes = 0;
    hs->done = 0;
    hl->adding = 1;
    CURLMcode added = curl_multi_add_handle(hl->multi, hs->easy);
    hl->adding = 0;
    if (added != CURLM_OK) {
        tp__wthread_count_key(hl->wt, 0);
        tp__wthread_count(hl->wt, 0, 0);
        return TP__EVLOOP_DONE;
    }
    hs->attached = 1;
    hl->starting = hs;
    curl_multi_socket_action(hl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(hl);
    hl->starting = NULL;
    return hs->done ? TP__EVLOOP_DONE : TP__EVLOOP_PARKED;
}

const struct tp__evloop_task_ops tp__http_async = {
    .loop_init = http_loop_init,
    .slot_init = http_slot_init,
    .start = http_start,
    .slot_fini = http_slot_fini,
    .loop_fini = http_loop_fini,
    .loop_event = http_loop_event,
    .loop_timer = http_loop_timer,
};
