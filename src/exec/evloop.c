/* evloop.c - the async executor: one epoll event loop per core, many tasks in flight on each. */

/*
 * DESIGN
 * The seed's other answer: the chess master moves from table to table
 * instead of hiring a master per table. Each loop is one thread (one per
 * effective core) with an epoll instance and a fixed number of task slots
 * (the "tables"). A task is split into steps: its start, and continuations
 * run when what it waits for is ready. A step never blocks: a wait is
 * registered and the loop moves on to the next ready slot.
 *
 *   io     start: arm the wait (latency_ns) in the loop's timer heap;
 *          when it expires: compute_ns of CPU on the loop, done.
 *   mixed  an io task as above (wait only), a cpu task computes at once.
 *   cpu    computes at once (the loop is then just one thread per core).
 *   noop   done at once: what is measured is the loop's own overhead.
 *   net    one non-blocking connection per slot, registered once, edge
 *          triggered for EPOLLIN | EPOLLOUT: send the request until EAGAIN,
 *          then read the reply until EAGAIN, continue on the next edge.
 *   file, plugin: no asynchronous path (see tp__evloop_supports); they are
 *          refused, never run on helper threads behind the loop's back.
 *
 * Timers: one timerfd per loop and a binary min-heap of the slots' deadlines,
 * not a timerfd per slot. With c slots per loop a timerfd each would cost c
 * descriptors and an epoll_ctl + timerfd_settime per wait; the heap costs
 * O(log c) per wait, and the timerfd is re-armed only when the earliest
 * deadline changes. All io waits have the same length, so a new deadline is
 * almost never the earliest: the common case is no system call at all
 * between starting a wait and the next expiry.
 *
 * Work distribution: a batch is tasks 0..n-1; a loop takes the next index
 * from one shared counter (relaxed atomic fetch-add) whenever a slot frees,
 * so a loop that falls behind simply takes fewer tasks. A finished task's
 * slot takes the next index at once, as the master's move at one table
 * restarts that opponent's clock.
 *
 * Threads and locks: the batch parameters (generation, n_tasks, times,
 * quit) and the counters n_ready / n_done are guarded by ev->lock; the
 * measuring thread changes them and wakes each loop through its eventfd.
 * Everything in struct loop is owned by its loop thread once it runs.
 * times[i] is written only by the loop that ran task i and read by the
 * measuring thread after n_done reached n_loops (ordered by the lock).
 */
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"
#include "workload.h"

#define MAX_EVENTS 64
#define LOOP_STACK (256u * 1024u)

enum slot_state {
    SLOT_IDLE = 0, /* no task */
    SLOT_WAIT,     /* io: its deadline is in the heap */
    SLOT_CONNECT,  /* net: non-blocking connect in progress */
    SLOT_SEND,     /* net: sending the request */
    SLOT_RECV,     /* net: reading the reply */
};

struct loop;

struct slot {
    struct loop *lp;
    enum slot_state state;
    uint64_t index;    /* the task it runs */
    uint64_t start_ns; /* when the loop started the task */
    uint64_t cpu_ns;   /* loop CPU time spent on the task's steps so far */
    uint64_t deadline; /* io: end of the wait */
    /* net */
    int fd;            /* -1: not connected */
    char *req, *reply;
    size_t sent, got;
};

struct loop {
    struct tp__evloop *ev;
    int index;
    pthread_t thread;
    int started;               /* the thread was created */
    int epfd, efd, tfd;        /* epoll, wake-up eventfd, timerfd */
    int n_slots;
    struct slot *slots;
    struct slot **free_slots;  /* stack of idle slots */
    int n_free;
    struct slot **heap;        /* min-heap on deadline */
    int n_heap;
    uint64_t armed;            /* deadline the timerfd is set to, 0 = disarmed */
    uint64_t gen;              /* the batch generation this loop is on */
    int active;                /* taking part in the current batch */
    int exhausted;             /* the shared counter passed n_tasks */
    size_t n_tasks;
    struct tp__task_times *times;
    struct tp__wthread *wt;    /* the workload's counters for this thread */
};

struct tp__evloop {
    struct tp__workload *w;
    enum tp_workload_kind kind;
    int port;                  /* net */
    uint32_t request_size, reply_size;
    int n_loops;
    struct loop *loops;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t gen;              /* guarded by lock: current batch */
    size_t n_tasks;            /* guarded by lock */
    struct tp__task_times *times; /* guarded by lock */
    int quit;                  /* guarded by lock */
    int n_ready;               /* guarded by lock: loops that finished their setup */
    int n_done;                /* guarded by lock: loops done with the current batch */
    _Atomic uint64_t next;     /* next task index to claim; relaxed */
};

/* Keeps the computation observable (relaxed: only its existence matters). */
static _Atomic uint64_t evloop_sink;

int tp__evloop_supports(const struct tp_workload_params *p, char *why, size_t whylen)
{
    const char *reason = NULL;
    switch (p->kind) {
    case TP_WORKLOAD_IO:
    case TP_WORKLOAD_CPU:
    case TP_WORKLOAD_MIXED:
    case TP_WORKLOAD_NET:
    case TP_WORKLOAD_NOOP:
        return 0;
    case TP_WORKLOAD_FILE:
        reason = "file: its reads are blocking pread() calls and tune-pool has no asynchronous read path "
                 "(io_uring or POSIX AIO); running them on helper threads would be a thread pool in disguise";
        break;
    case TP_WORKLOAD_PLUGIN:
        reason = "plugin: a plugin's task is one blocking call into its code (tunepool/plugin.h has no "
                 "start/continue steps), so a loop could only run one at a time";
        break;
    default:
        reason = "unknown workload kind";
        break;
    }
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "not supported by the async executor: %s", reason);
    return -EOPNOTSUPP;
}

/* ---- the timer heap ---- */

static void heap_swap(struct slot **h, int a, int b)
{
    struct slot *t = h[a];
    h[a] = h[b];
    h[b] = t;
}

static void heap_push(struct loop *lp, struct slot *s)
{
    struct slot **h = lp->heap;
    int i = lp->n_heap++;
    h[i] = s;
    while (i > 0 && h[(i - 1) / 2]->deadline > h[i]->deadline) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static struct slot *heap_pop(struct loop *lp)
{
    struct slot **h = lp->heap;
    struct slot *top = h[0];
    h[0] = h[--lp->n_heap];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < lp->n_heap && h[l]->deadline < h[m]->deadline)
            m = l;
        if (r < lp->n_heap && h[r]->deadline < h[m]->deadline)
            m = r;
        if (m == i)
            break;
        heap_swap(h, i, m);
        i = m;
    }
    return top;
}

/* Sets the timerfd to the earliest deadline (or disarms it). */
static void arm_timer(struct loop *lp)
{
    uint64_t want = lp->n_heap > 0 ? lp->heap[0]->deadline : 0;
    if (want == lp->armed)
        return;
    struct itimerspec its = {0};
    if (want != 0) {
        its.it_value.tv_sec = (time_t)(want / 1000000000u);
        its.it_value.tv_nsec = (long)(want % 1000000000u);
    }
    timerfd_settime(lp->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    lp->armed = want;
}

/* ---- tasks ---- */

static void count(struct loop *lp, int ok, uint64_t bytes)
{
    if (ok) {
        atomic_fetch_add_explicit(&lp->wt->ops, 1, memory_order_relaxed);
        if (bytes > 0)
            atomic_fetch_add_explicit(&lp->wt->bytes, bytes, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&lp->wt->errors, 1, memory_order_relaxed);
    }
}

/* The task on s is finished: record it and free the slot. */
static void complete(struct slot *s)
{
    struct loop *lp = s->lp;
    struct tp__task_times *t = &lp->times[s->index];
    t->start_ns = s->start_ns;
    t->end_ns = tp__now_ns();
    t->cpu_ns = s->cpu_ns;
    s->state = SLOT_IDLE;
    lp->free_slots[lp->n_free++] = s;
}

static void compute(struct loop *lp, uint64_t ns)
{
    (void)lp;
    if (ns > 0)
        atomic_fetch_xor_explicit(&evloop_sink, tp__burn_cpu_ns(ns), memory_order_relaxed);
}

static void close_conn(struct slot *s)
{
    if (s->fd >= 0)
        close(s->fd); /* also leaves the epoll set: no other reference exists */
    s->fd = -1;
}

static void net_fail(struct slot *s)
{
    close_conn(s);
    count(s->lp, 0, 0);
    complete(s);
}

/* Advances a net task as far as it goes without blocking. */
static void net_progress(struct slot *s, uint32_t events)
{
    struct tp__evloop *ev = s->lp->ev;
    if (s->state == SLOT_CONNECT) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
            net_fail(s);
            return;
        }
        s->state = SLOT_SEND;
    }
    if (s->state == SLOT_SEND) {
        while (s->sent < ev->request_size) {
            ssize_t r = send(s->fd, s->req + s->sent, ev->request_size - s->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return; /* the next EPOLLOUT edge continues */
            if (r <= 0) {
                net_fail(s);
                return;
            }
            s->sent += (size_t)r;
        }
        s->state = SLOT_RECV;
    }
    if (s->state == SLOT_RECV) {
        while (s->got < ev->reply_size) {
            ssize_t r = recv(s->fd, s->reply + s->got, ev->reply_size - s->got, MSG_DONTWAIT);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return; /* the next EPOLLIN edge continues */
            if (r <= 0) {
                net_fail(s);
                return;
            }
            s->got += (size_t)r;
        }
        count(s->lp, 1, ev->reply_size);
        complete(s);
    }
}

static int add_conn(struct loop *lp, struct slot *s)
{
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = s};
    return epoll_ctl(lp->epfd, EPOLL_CTL_ADD, s->fd, &e) < 0 ? tp__from_errno() : 0;
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* Opens a non-blocking connection for s; 1 when connected already, 0 when
 * in progress (SLOT_CONNECT), -1 on failure. */
static int net_reconnect(struct loop *lp, struct slot *s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = loopback(lp->ev->port);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    if (rc < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    s->fd = fd;
    if (add_conn(lp, s) < 0) {
        close_conn(s);
        return -1;
    }
    return rc == 0 ? 1 : 0;
}

/* Starts task index on slot s (taken from the free stack). */
static void start_task(struct loop *lp, struct slot *s, uint64_t index)
{
    struct tp__evloop *ev = lp->ev;
    const struct tp_workload_params *p = &ev->w->params;
    uint64_t c0 = tp__thread_cpu_ns();
    s->index = index;
    s->cpu_ns = 0;
    s->start_ns = tp__now_ns();
    int wait = 0;
    switch (ev->kind) {
    case TP_WORKLOAD_IO:
        wait = p->latency_ns > 0;
        if (!wait) {
            compute(lp, p->compute_ns);
            count(lp, 1, 0);
        }
        break;
    case TP_WORKLOAD_MIXED:
        wait = tp__mixed_is_io(p->io_fraction, index);
        if (!wait) {
            compute(lp, p->compute_ns);
            count(lp, 1, 0);
        }
        break;
    case TP_WORKLOAD_CPU:
        compute(lp, p->compute_ns);
        count(lp, 1, 0);
        break;
    case TP_WORKLOAD_NET: {
        memcpy(s->req, &index, ev->request_size < sizeof index ? ev->request_size : sizeof index);
        s->sent = s->got = 0;
        s->state = SLOT_SEND;
        if (s->fd < 0) {
            int rc = net_reconnect(lp, s);
            if (rc < 0) {
                s->cpu_ns = tp__thread_cpu_ns() - c0;
                net_fail(s);
                return;
            }
            if (rc == 0)
                s->state = SLOT_CONNECT;
        }
        net_progress(s, 0);
        if (s->state != SLOT_IDLE)
            s->cpu_ns += tp__thread_cpu_ns() - c0;
        else
            lp->times[index].cpu_ns += tp__thread_cpu_ns() - c0;
        return;
    }
    default: /* noop */
        count(lp, 1, 0);
        break;
    }
    if (wait) {
        s->state = SLOT_WAIT;
        s->deadline = s->start_ns + p->latency_ns;
        heap_push(lp, s);
        if (lp->armed == 0 || s->deadline < lp->armed)
            arm_timer(lp);
        s->cpu_ns = tp__thread_cpu_ns() - c0;
        return;
    }
    s->cpu_ns = tp__thread_cpu_ns() - c0;
    complete(s);
}

/* Keeps every free slot busy while the batch has tasks left. */
static void fill(struct loop *lp)
{
    while (lp->active && !lp->exhausted && lp->n_free > 0) {
        uint64_t i = atomic_fetch_add_explicit(&lp->ev->next, 1, memory_order_relaxed);
        if (i >= lp->n_tasks) {
            lp->exhausted = 1;
            break;
        }
        start_task(lp, lp->free_slots[--lp->n_free], i);
    }
}

/* The timerfd fired: every expired wait gets its compute, in deadline order. */
static void run_timers(struct loop *lp)
{
    uint64_t expirations;
    while (read(lp->tfd, &expirations, sizeof expirations) < 0 && errno == EINTR)
        ;
    lp->armed = 0; /* an absolute one-shot timer that fired is disarmed */
    const struct tp_workload_params *p = &lp->ev->w->params;
    uint64_t now = tp__now_ns();
    while (lp->n_heap > 0 && lp->heap[0]->deadline <= now) {
        struct slot *s = heap_pop(lp);
        uint64_t c0 = tp__thread_cpu_ns();
        if (lp->ev->kind == TP_WORKLOAD_IO)
            compute(lp, p->compute_ns);
        count(lp, 1, 0);
        s->cpu_ns += tp__thread_cpu_ns() - c0;
        complete(s);
        fill(lp); /* the slot's next task starts its wait now */
        now = tp__now_ns();
    }
    arm_timer(lp);
}

static void on_slot_event(struct loop *lp, struct slot *s, uint32_t events)
{
    if (s->state == SLOT_IDLE) {
        /* Between tasks: a connection the server closed is dropped now. */
        if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            close_conn(s);
        return;
    }
    uint64_t c0 = tp__thread_cpu_ns();
    uint64_t index = s->index;
    net_progress(s, events);
    uint64_t used = tp__thread_cpu_ns() - c0;
    if (s->state != SLOT_IDLE)
        s->cpu_ns += used;
    else
        lp->times[index].cpu_ns += used;
    fill(lp);
}

/* The eventfd: a new batch, or quit. Returns 1 to quit. */
static int on_wake(struct loop *lp)
{
    uint64_t v;
    while (read(lp->efd, &v, sizeof v) < 0 && errno == EINTR)
        ;
    struct tp__evloop *ev = lp->ev;
    pthread_mutex_lock(&ev->lock);
    int quit = ev->quit;
    if (!quit && ev->gen != lp->gen) {
        lp->gen = ev->gen;
        lp->n_tasks = ev->n_tasks;
        lp->times = ev->times;
        lp->active = 1;
        lp->exhausted = 0;
    }
    pthread_mutex_unlock(&ev->lock);
    return quit;
}

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    struct tp__evloop *ev = lp->ev;
    char name[16];
    snprintf(name, sizeof name, "tp-loop%d", lp->index);
    pthread_setname_np(pthread_self(), name);
    tp__timer_slack_min();
    tp__workload_thread_start(ev->w, lp->index);
    lp->wt = tp__wthread_get(ev->w);

    pthread_mutex_lock(&ev->lock);
    ev->n_ready++;
    pthread_cond_broadcast(&ev->cond);
    pthread_mutex_unlock(&ev->lock);

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(lp->epfd, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR)
            break;
        int quit = 0;
        for (int i = 0; i < n; i++) {
            void *ptr = evs[i].data.ptr;
            if (ptr == &lp->efd)
                quit |= on_wake(lp);
            else if (ptr == &lp->tfd)
                run_timers(lp);
            else
                on_slot_event(lp, ptr, evs[i].events);
        }
        if (quit)
            break;
        fill(lp);
        if (lp->active && lp->exhausted && lp->n_free == lp->n_slots) {
            lp->active = 0;
            pthread_mutex_lock(&ev->lock);
            ev->n_done++;
            pthread_cond_broadcast(&ev->cond);
            pthread_mutex_unlock(&ev->lock);
        }
    }
    return NULL;
}

/* ---- create / run / destroy ---- */

static int loop_open(struct tp__evloop *ev, struct loop *lp, int index, int n_slots)
{
    lp->ev = ev;
    lp->index = index;
    lp->n_slots = n_slots;
    lp->efd = lp->tfd = -1;
    lp->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (lp->epfd < 0)
        return tp__from_errno();
    lp->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    lp->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (lp->efd < 0 || lp->tfd < 0)
        return tp__from_errno();
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = &lp->efd};
    if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->efd, &e) < 0)
        return tp__from_errno();
    e.data.ptr = &lp->tfd;
    if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->tfd, &e) < 0)
        return tp__from_errno();
    lp->slots = calloc((size_t)n_slots, sizeof(*lp->slots));
    lp->free_slots = calloc((size_t)n_slots, sizeof(*lp->free_slots));
    lp->heap = calloc((size_t)n_slots, sizeof(*lp->heap));
    if (lp->slots == NULL || lp->free_slots == NULL || lp->heap == NULL)
        return -ENOMEM;
    for (int i = 0; i < n_slots; i++) {
        struct slot *s = &lp->slots[i];
        s->lp = lp;
        s->fd = -1;
        lp->free_slots[lp->n_free++] = &lp->slots[n_slots - 1 - i];
    }
    if (ev->kind != TP_WORKLOAD_NET)
        return 0;
    for (int i = 0; i < n_slots; i++) {
        struct slot *s = &lp->slots[i];
        s->req = malloc(ev->request_size);
        s->reply = malloc(ev->reply_size);
        if (s->req == NULL || s->reply == NULL)
            return -ENOMEM;
        memset(s->req, 'q', ev->request_size);
        /* Connected now, outside the timed tasks (a blocking connect to
         * loopback, then non-blocking); a failure is retried and counted by
         * the slot's first task. */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in a = loopback(ev->port);
        int rc;
        while ((rc = connect(fd, (struct sockaddr *)&a, sizeof a)) < 0 && errno == EINTR)
            ;
        if (rc < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
            close(fd);
            continue;
        }
        s->fd = fd;
        if (add_conn(lp, s) < 0)
            close_conn(s);
    }
    return 0;
}

static void loop_close(struct loop *lp)
{
    for (int i = 0; lp->slots != NULL && i < lp->n_slots; i++) {
        close_conn(&lp->slots[i]);
        free(lp->slots[i].req);
        free(lp->slots[i].reply);
    }
    free(lp->slots);
    free(lp->free_slots);
    free(lp->heap);
    if (lp->tfd >= 0)
        close(lp->tfd);
    if (lp->efd >= 0)
        close(lp->efd);
    if (lp->epfd >= 0)
        close(lp->epfd);
}

static void wake(struct loop *lp)
{
    uint64_t one = 1;
    while (write(lp->efd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

static void stop_loops(struct tp__evloop *ev)
{
    pthread_mutex_lock(&ev->lock);
    ev->quit = 1;
    pthread_mutex_unlock(&ev->lock);
    for (int i = 0; i < ev->n_loops; i++) {
        if (ev->loops[i].started) {
            wake(&ev->loops[i]);
            pthread_join(ev->loops[i].thread, NULL);
            ev->loops[i].started = 0;
        }
    }
}

void tp__evloop_destroy(struct tp__evloop *ev)
{
    if (ev == NULL)
        return;
    stop_loops(ev);
    for (int i = 0; ev->loops != NULL && i < ev->n_loops; i++)
        loop_close(&ev->loops[i]);
    free(ev->loops);
    pthread_cond_destroy(&ev->cond);
    pthread_mutex_destroy(&ev->lock);
    free(ev);
}

int tp__evloop_create(struct tp__evloop **out, struct tp__workload *w, int loops, int in_flight, int *n_started)
{
    int rc = 0, started = 0;
    *out = NULL;
    if (n_started != NULL)
        *n_started = 0;
    if (w == NULL || w->ops == NULL || loops < 1 || in_flight < 1)
        return -EINVAL;
    if ((rc = tp__evloop_supports(&w->params, NULL, 0)) < 0)
        return rc;
    struct tp__evloop *ev = calloc(1, sizeof(*ev));
    if (ev == NULL)
        return -ENOMEM;
    pthread_mutex_init(&ev->lock, NULL);
    pthread_cond_init(&ev->cond, NULL);
    ev->w = w;
    ev->kind = w->params.kind;
    ev->n_loops = loops < in_flight ? loops : in_flight;
    if (ev->kind == TP_WORKLOAD_NET) {
        ev->port = w->params.net_port > 0 ? w->params.net_port : tp__net_port(w);
        ev->request_size = w->params.request_size ? w->params.request_size : TP_NET_DEFAULT_REQUEST;
        ev->reply_size = w->params.reply_size ? w->params.reply_size : TP_NET_DEFAULT_REPLY;
        if (ev->port <= 0) {
            rc = -EINVAL;
            goto fail;
        }
    }
    ev->loops = calloc((size_t)ev->n_loops, sizeof(*ev->loops));
    if (ev->loops == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    for (int i = 0; i < ev->n_loops; i++)
        ev->loops[i].epfd = ev->loops[i].efd = ev->loops[i].tfd = -1;
    for (int i = 0; i < ev->n_loops; i++) {
        int share = in_flight / ev->n_loops + (i < in_flight % ev->n_loops);
        if ((rc = loop_open(ev, &ev->loops[i], i, share)) < 0)
            goto fail;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, LOOP_STACK);
    for (int i = 0; i < ev->n_loops; i++) {
        rc = tp__from_pthread(pthread_create(&ev->loops[i].thread, &attr, loop_main, &ev->loops[i]));
        if (rc < 0)
            break;
        ev->loops[i].started = 1;
        started++;
    }
    pthread_attr_destroy(&attr);
    /* Every loop has made its workload state before anything is timed. */
    pthread_mutex_lock(&ev->lock);
    while (ev->n_ready < started)
        pthread_cond_wait(&ev->cond, &ev->lock);
    pthread_mutex_unlock(&ev->lock);
    if (n_started != NULL)
        *n_started = started;
    if (rc < 0)
        goto fail;
    *out = ev;
    return 0;
fail:
    tp__evloop_destroy(ev);
    return rc;
}

int64_t tp__evloop_run_batch(struct tp__evloop *ev, size_t n, struct tp__task_times *times)
{
    if (ev == NULL || (n > 0 && times == NULL))
        return -EINVAL;
    if (n == 0)
        return 0;
    uint64_t t0 = tp__now_ns();
    pthread_mutex_lock(&ev->lock);
    atomic_store_explicit(&ev->next, 0, memory_order_relaxed);
    ev->n_tasks = n;
    ev->times = times;
    ev->n_done = 0;
    ev->gen++;
    pthread_mutex_unlock(&ev->lock);
    for (int i = 0; i < ev->n_loops; i++)
        wake(&ev->loops[i]);
    pthread_mutex_lock(&ev->lock);
    while (ev->n_done < ev->n_loops)
        pthread_cond_wait(&ev->cond, &ev->lock);
    pthread_mutex_unlock(&ev->lock);
    return (int64_t)(tp__now_ns() - t0);
}

int tp__evloop_loops(const struct tp__evloop *ev) { return ev != NULL ? ev->n_loops : 0; }
