/* evloop.c - the async executor: one epoll event loop per core, many tasks in flight on each. */

/*
 * DESIGN
 * The seed's other answer: the chess master moves from table to table
 * instead of hiring a master per table. Each loop is one thread (one per
 * effective core) with an epoll instance and a fixed number of task slots
 * (the "tables"). A task is split into steps (struct tp__evloop_task_ops):
 * its start, and continuations run when what it waits for is ready. A step
 * never blocks: it finishes the task, or asks for a timer or for the next
 * event of a descriptor it watches, and the loop moves on to the next ready
 * slot. The loop knows no workload kind: each kind with an async path
 * implements the steps in its own file (the timers and computes of io,
 * cpu, mixed and noop in workloads/synthetic.c, net's non-blocking
 * request/reply in workloads/net.c); kinds without one (file, plugin) are
 * refused before a loop is made, never run on helper threads behind the
 * loop's back.
 *
 * Loop-level waits: a kind that multiplexes its slots itself (http: one
 * libcurl multi handle per loop, whose connections belong to no slot)
 * parks its tasks (TP__EVLOOP_PARKED), watches its descriptors in a second
 * epoll set nested in the loop's (level-triggered) and sets one loop timer,
 * and finishes each task from those callbacks (tp__evloop_finish).
 *
 * A task's times: start_ns when the loop starts it, end_ns when the step
 * that finished it returned, cpu_ns the loop thread's CPU time over all its
 * steps (including the loop's own work for them: arming its timer), and a
 * parked task its equal share of each loop callback run while it waited.
 *
 * Timers: one timerfd per loop and a binary min-heap of the slots' deadlines,
 * not a timerfd per slot. With c slots per loop a timerfd each would cost c
 * descriptors and an epoll_ctl + timerfd_settime per wait; the heap costs
 * O(log c) per wait, and the timerfd is re-armed only when the earliest
 * deadline changes. When all waits have the same length, a new deadline is
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
 * quit) and the counters n_ready / n_done / init_rc are guarded by
 * ev->lock; the measuring thread changes them and wakes each loop through
 * its eventfd. Everything in struct loop (and the task's loop and slot
 * states) is owned by its loop thread once it runs, and by the destroying
 * thread after the join. times[i] is written only by the loop that ran task
 * i and read by the measuring thread after n_done reached n_loops (ordered
 * by the lock).
 */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"

#define MAX_EVENTS 64
#define LOOP_STACK (256u * 1024u)

enum slot_state {
    SLOT_IDLE = 0, /* no task */
    SLOT_TIMER,    /* its deadline is in the heap */
    SLOT_FD,       /* waiting on its descriptor's next event */
    SLOT_PARKED,   /* waiting for the loop state to finish it */
    SLOT_FINISHED, /* finished in a loop callback: completed when it returns */
};

struct loop;

struct tp__evloop_slot {
    struct loop *lp;
    enum slot_state state;
    uint64_t index;    /* the task it runs */
    uint64_t start_ns; /* when the loop started the task */
    uint64_t cpu_ns;   /* loop CPU time spent on the task's steps so far */
    uint64_t deadline; /* SLOT_TIMER: when it wakes */
    uint64_t park_cpu; /* SLOT_PARKED: the loop's shared_cpu when it parked */
    void *task;        /* the task's slot state (slot_init) */
};

struct loop {
    struct tp__evloop *ev;
    int index;
    pthread_t thread;
    int started;        /* the thread was created */
    int epfd, efd, tfd; /* epoll, wake-up eventfd, timerfd */
    int n_slots;
    struct tp__evloop_slot *slots;
    struct tp__evloop_slot **free_slots; /* stack of idle slots */
    int n_free;
    struct tp__evloop_slot **heap; /* min-heap on deadline */
    int n_heap;
    uint64_t armed; /* deadline the timerfd is set to, 0 = disarmed */
    uint64_t gen;   /* the batch generation this loop is on */
    int active;     /* taking part in the current batch */
    int exhausted;  /* the shared counter passed n_tasks */
    size_t n_tasks;
    struct tp__task_times *times;
    void *task_loop; /* the task's loop state (loop_init) */
    int loop_ok;     /* loop_init succeeded */
    int n_slots_ok;  /* slots whose slot_init succeeded */
    /* The loop-level watches and timer (loop_event, loop_timer): xfd is an
     * epoll set of the kind's descriptors inside epfd, ltfd its timerfd
     * (-1 = the kind has none). */
    int xfd, ltfd;
    uint64_t loop_deadline; /* when loop_timer is due, 0 = never */
    uint64_t loop_armed;    /* what ltfd is set to, 0 = disarmed: never later than loop_deadline */
    int n_parked;           /* slots in SLOT_PARKED */
    uint64_t shared_cpu;    /* loop-callback CPU time per parked task, summed */
    int in_callback;        /* a loop callback runs: finished slots wait in done[] */
    struct tp__evloop_slot **done;
    int n_done_cb;
};

struct tp__evloop {
    struct tp__evloop_task task;
    int n_loops;
    struct loop *loops;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t gen;                 /* guarded by lock: current batch */
    size_t n_tasks;               /* guarded by lock */
    struct tp__task_times *times; /* guarded by lock */
    int quit;                     /* guarded by lock */
    int n_ready;                  /* guarded by lock: loops that finished their setup */
    int init_rc;                  /* guarded by lock: the first failed loop or slot init, 0 = none */
    int n_done;                   /* guarded by lock: loops done with the current batch */
    _Atomic uint64_t next;        /* next task index to claim; relaxed */
};

/* ---- the timer heap ---- */

static void heap_swap(struct tp__evloop_slot **h, int a, int b)
{
    struct tp__evloop_slot *t = h[a];
    h[a] = h[b];
    h[b] = t;
}

static void heap_push(struct loop *lp, struct tp__evloop_slot *s)
{
    struct tp__evloop_slot **h = lp->heap;
    int i = lp->n_heap++;
    h[i] = s;
    while (i > 0 && h[(i - 1) / 2]->deadline > h[i]->deadline) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static struct tp__evloop_slot *heap_pop(struct loop *lp)
{
    struct tp__evloop_slot **h = lp->heap;
    struct tp__evloop_slot *top = h[0];
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
    struct itimerspec its = { 0 };
    if (want != 0) {
        its.it_value.tv_sec = (time_t)(want / 1000000000u);
        its.it_value.tv_nsec = (long)(want % 1000000000u);
    }
    timerfd_settime(lp->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    lp->armed = want;
}

/* ---- tasks ---- */

/* The task on s is finished: record it and free the slot. */
static void complete(struct tp__evloop_slot *s)
{
    struct loop *lp = s->lp;
    struct tp__task_times *t = &lp->times[s->index];
    t->start_ns = s->start_ns;
    t->end_ns = tp__now_ns();
    t->cpu_ns = s->cpu_ns;
    s->state = SLOT_IDLE;
    lp->free_slots[lp->n_free++] = s;
}

/* Does what a step of the task on s asked for (its timer, its descriptor,
 * or the end), then adds the step's CPU time since c0 to the task's. */
static void after_step(struct tp__evloop_slot *s, enum tp__evloop_next next, uint64_t deadline, uint64_t c0)
{
    struct loop *lp = s->lp;
    if (next == TP__EVLOOP_TIMER) {
        s->state = SLOT_TIMER;
        s->deadline = deadline;
        heap_push(lp, s);
        if (lp->armed == 0 || s->deadline < lp->armed)
            arm_timer(lp);
    } else if (next == TP__EVLOOP_FD) {
        s->state = SLOT_FD;
    } else if (next == TP__EVLOOP_PARKED) {
        s->state = SLOT_PARKED;
        s->park_cpu = lp->shared_cpu;
        lp->n_parked++;
    }
    s->cpu_ns += tp__thread_cpu_ns() - c0;
    if (next == TP__EVLOOP_DONE)
        complete(s);
}

/* Starts task index on slot s (taken from the free stack). */
static void start_task(struct loop *lp, struct tp__evloop_slot *s, uint64_t index)
{
    uint64_t c0 = tp__thread_cpu_ns(), deadline = 0;
    s->index = index;
    s->cpu_ns = 0;
    s->start_ns = tp__now_ns();
    enum tp__evloop_next next = lp->ev->task.ops->start(lp->task_loop, s->task, index, s->start_ns, &deadline);
    after_step(s, next, deadline, c0);
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

/* The timerfd fired: every expired task resumes, in deadline order. */
static void run_timers(struct loop *lp)
{
    uint64_t expirations;
    while (read(lp->tfd, &expirations, sizeof expirations) < 0 && errno == EINTR)
        ;
    lp->armed = 0; /* an absolute one-shot timer that fired is disarmed */
    const struct tp__evloop_task_ops *ops = lp->ev->task.ops;
    uint64_t now = tp__now_ns();
    while (lp->n_heap > 0 && lp->heap[0]->deadline <= now) {
        struct tp__evloop_slot *s = heap_pop(lp);
        uint64_t c0 = tp__thread_cpu_ns(), deadline = 0;
        after_step(s, ops->resume(lp->task_loop, s->task, 0, &deadline), deadline, c0);
        fill(lp); /* the slot's next task starts its wait now */
        now = tp__now_ns();
    }
    arm_timer(lp);
}

static void on_slot_event(struct loop *lp, struct tp__evloop_slot *s, uint32_t events)
{
    const struct tp__evloop_task_ops *ops = lp->ev->task.ops;
    if (s->state == SLOT_IDLE) {
        if (ops->idle_event != NULL)
            ops->idle_event(lp->task_loop, s->task, events);
        return;
    }
    if (s->state != SLOT_FD)
        return; /* waiting on its timer */
    uint64_t c0 = tp__thread_cpu_ns(), deadline = 0;
    after_step(s, ops->resume(lp->task_loop, s->task, events, &deadline), deadline, c0);
    fill(lp);
}

/* ---- the loop-level watches and timer ---- */

struct tp__evloop_loop *tp__evloop_slot_loop(struct tp__evloop_slot *slot)
{
    return (struct tp__evloop_loop *)slot->lp;
}

int tp__evloop_loop_watch(struct tp__evloop_loop *l, int fd, uint32_t events)
{
    struct loop *lp = (struct loop *)l;
    if (lp->xfd < 0)
        return -EINVAL;
    if (events == 0) {
        if (epoll_ctl(lp->xfd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != ENOENT && errno != EBADF)
            return tp__from_errno();
        return 0;
    }
    struct epoll_event e = { .events = events, .data.fd = fd };
    if (epoll_ctl(lp->xfd, EPOLL_CTL_ADD, fd, &e) == 0)
        return 0;
    if (errno != EEXIST || epoll_ctl(lp->xfd, EPOLL_CTL_MOD, fd, &e) < 0)
        return tp__from_errno();
    return 0;
}

/* Sets ltfd to fire at deadline_ns. */
static int arm_loop_timer(struct loop *lp, uint64_t deadline_ns)
{
    struct itimerspec its = { 0 };
    its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000u);
    its.it_value.tv_nsec = (long)(deadline_ns % 1000000000u);
    if (timerfd_settime(lp->ltfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return tp__from_errno();
    lp->loop_armed = deadline_ns;
    return 0;
}

/* A kind's timer moves with every transfer (libcurl resets it several
 * times per request), and timerfd_settime is the dearest call of a loop on
 * a VM: a later deadline (or none) only is recorded, and a timer that fires
 * before the deadline it now has is set again then (call_loop_timer). Only
 * a deadline earlier than the armed one costs a call at once. */
int tp__evloop_loop_timer(struct tp__evloop_loop *l, uint64_t deadline_ns)
{
    struct loop *lp = (struct loop *)l;
    if (lp->ltfd < 0)
        return -EINVAL;
    lp->loop_deadline = deadline_ns;
    if (deadline_ns == 0 || (lp->loop_armed != 0 && lp->loop_armed <= deadline_ns))
        return 0;
    return arm_loop_timer(lp, deadline_ns);
}

void tp__evloop_finish(struct tp__evloop_slot *s)
{
    struct loop *lp = s->lp;
    if (s->state != SLOT_PARKED)
        return;
    s->state = SLOT_FINISHED;
    s->cpu_ns += lp->shared_cpu - s->park_cpu;
    lp->n_parked--;
    if (lp->in_callback)
        lp->done[lp->n_done_cb++] = s;
    else
        complete(s);
}

/* Runs a loop callback (its kind's loop_event or loop_timer through fn):
 * its CPU time is shared by the tasks parked as it began, those it
 * finished included, which then complete. */
static void loop_callback(struct loop *lp, void (*fn)(struct loop *lp, void *arg), void *arg)
{
    int parked = lp->n_parked > 0 ? lp->n_parked : 1;
    uint64_t c0 = tp__thread_cpu_ns();
    lp->in_callback = 1;
    lp->n_done_cb = 0;
    fn(lp, arg);
    lp->in_callback = 0;
    uint64_t share = (tp__thread_cpu_ns() - c0) / (uint64_t)parked;
    lp->shared_cpu += share;
    for (int i = 0; i < lp->n_done_cb; i++) {
        lp->done[i]->cpu_ns += share;
        complete(lp->done[i]);
    }
}

static void call_loop_events(struct loop *lp, void *arg)
{
    (void)arg;
    struct epoll_event evs[MAX_EVENTS];
    int n = epoll_wait(lp->xfd, evs, MAX_EVENTS, 0);
    for (int i = 0; i < n; i++)
        lp->ev->task.ops->loop_event(lp->task_loop, evs[i].data.fd, evs[i].events);
}

static void call_loop_timer(struct loop *lp, void *arg)
{
    (void)arg;
    uint64_t expirations;
    while (read(lp->ltfd, &expirations, sizeof expirations) < 0 && errno == EINTR)
        ;
    lp->loop_armed = 0;
    if (lp->loop_deadline == 0)
        return; /* disarmed since it was set */
    if (tp__now_ns() < lp->loop_deadline) {
        arm_loop_timer(lp, lp->loop_deadline); /* moved later since it was set */
        return;
    }
    lp->loop_deadline = 0;
    lp->ev->task.ops->loop_timer(lp->task_loop);
}

int tp__evloop_watch(struct tp__evloop_slot *slot, int fd, uint32_t events)
{
    struct epoll_event e = { .events = events, .data.ptr = slot };
    return epoll_ctl(slot->lp->epfd, EPOLL_CTL_ADD, fd, &e) < 0 ? tp__from_errno() : 0;
}

/* ---- the loop thread ---- */

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

/* The task's states for this loop and its slots, made on the loop thread.
 * Returns 0 or the first failure. */
static int task_init(struct loop *lp)
{
    const struct tp__evloop_task_ops *ops = lp->ev->task.ops;
    int rc = ops->loop_init != NULL ? ops->loop_init(lp->ev->task.ctx, lp->index, &lp->task_loop) : 0;
    if (rc < 0)
        return rc;
    lp->loop_ok = 1;
    for (int i = 0; ops->slot_init != NULL && i < lp->n_slots; i++) {
        if ((rc = ops->slot_init(lp->task_loop, &lp->slots[i], &lp->slots[i].task)) < 0)
            return rc;
        lp->n_slots_ok++;
    }
    return 0;
}

static void *loop_main(void *arg)
{
    struct loop *lp = arg;
    struct tp__evloop *ev = lp->ev;
    char name[16];
    snprintf(name, sizeof name, "tp-loop%d", lp->index);
    pthread_setname_np(pthread_self(), name);
    tp__timer_slack_min();
    int rc = task_init(lp);

    pthread_mutex_lock(&ev->lock);
    ev->n_ready++;
    if (rc < 0 && ev->init_rc == 0)
        ev->init_rc = rc;
    pthread_cond_broadcast(&ev->cond);
    pthread_mutex_unlock(&ev->lock);
    if (rc < 0)
        return NULL; /* tp__evloop_create fails and joins it */

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
            else if (ptr == &lp->xfd)
                loop_callback(lp, call_loop_events, NULL);
            else if (ptr == &lp->ltfd)
                loop_callback(lp, call_loop_timer, NULL);
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

/* The loop-level epoll set and timer, for a kind that uses them. */
static int loop_open_kind(struct tp__evloop *ev, struct loop *lp)
{
    const struct tp__evloop_task_ops *ops = ev->task.ops;
    struct epoll_event e = { .events = EPOLLIN };
    if (ops->loop_event != NULL) {
        lp->xfd = epoll_create1(EPOLL_CLOEXEC);
        e.data.ptr = &lp->xfd;
        if (lp->xfd < 0 || epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->xfd, &e) < 0)
            return tp__from_errno();
    }
    if (ops->loop_timer != NULL) {
        lp->ltfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        e.data.ptr = &lp->ltfd;
        if (lp->ltfd < 0 || epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->ltfd, &e) < 0)
            return tp__from_errno();
    }
    return 0;
}

static int loop_open(struct tp__evloop *ev, struct loop *lp, int index, int n_slots)
{
    int rc;
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
    struct epoll_event e = { .events = EPOLLIN, .data.ptr = &lp->efd };
    if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->efd, &e) < 0)
        return tp__from_errno();
    e.data.ptr = &lp->tfd;
    if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->tfd, &e) < 0)
        return tp__from_errno();
    if ((rc = loop_open_kind(ev, lp)) < 0)
        return rc;
    lp->slots = calloc((size_t)n_slots, sizeof(*lp->slots));
    lp->done = calloc((size_t)n_slots, sizeof(*lp->done));
    lp->free_slots = calloc((size_t)n_slots, sizeof(*lp->free_slots));
    lp->heap = calloc((size_t)n_slots, sizeof(*lp->heap));
    if (lp->slots == NULL || lp->free_slots == NULL || lp->heap == NULL || lp->done == NULL)
        return -ENOMEM;
    for (int i = 0; i < n_slots; i++) {
        lp->slots[i].lp = lp;
        lp->free_slots[lp->n_free++] = &lp->slots[n_slots - 1 - i];
    }
    return 0;
}

/* After the loop's thread was joined (or never ran): the task's states,
 * then the loop's own. */
static void loop_close(struct loop *lp)
{
    const struct tp__evloop_task_ops *ops = lp->ev->task.ops;
    for (int i = 0; ops->slot_fini != NULL && i < lp->n_slots_ok; i++)
        ops->slot_fini(lp->task_loop, lp->slots[i].task);
    if (lp->loop_ok && ops->loop_fini != NULL)
        ops->loop_fini(lp->task_loop);
    free(lp->slots);
    free(lp->free_slots);
    free(lp->heap);
    free(lp->done);
    if (lp->ltfd >= 0)
        close(lp->ltfd);
    if (lp->xfd >= 0)
        close(lp->xfd);
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

/* Starts the loop threads; waits until each has made its task states.
 * Returns 0, or a pthread or task init failure. */
static int start_loops(struct tp__evloop *ev, int *started)
{
    int rc = 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, LOOP_STACK);
    for (int i = 0; i < ev->n_loops; i++) {
        rc = tp__from_pthread(pthread_create(&ev->loops[i].thread, &attr, loop_main, &ev->loops[i]));
        if (rc < 0)
            break;
        ev->loops[i].started = 1;
        (*started)++;
    }
    pthread_attr_destroy(&attr);
    /* Every loop has made its task states before anything is timed. */
    pthread_mutex_lock(&ev->lock);
    while (ev->n_ready < *started)
        pthread_cond_wait(&ev->cond, &ev->lock);
    if (rc == 0)
        rc = ev->init_rc;
    pthread_mutex_unlock(&ev->lock);
    return rc;
}

int tp__evloop_create(struct tp__evloop **out, const struct tp__evloop_task *task, int loops, int in_flight,
                      int *n_started)
{
    int rc = 0, started = 0;
    *out = NULL;
    if (n_started != NULL)
        *n_started = 0;
    if (task == NULL || task->ops == NULL || task->ops->start == NULL || loops < 1 || in_flight < 1)
        return -EINVAL;
    struct tp__evloop *ev = calloc(1, sizeof(*ev));
    if (ev == NULL)
        return -ENOMEM;
    pthread_mutex_init(&ev->lock, NULL);
    pthread_cond_init(&ev->cond, NULL);
    ev->task = *task;
    ev->n_loops = loops < in_flight ? loops : in_flight;
    ev->loops = calloc((size_t)ev->n_loops, sizeof(*ev->loops));
    if (ev->loops == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    for (int i = 0; i < ev->n_loops; i++) {
        ev->loops[i].ev = ev;
        ev->loops[i].epfd = ev->loops[i].efd = ev->loops[i].tfd = -1;
        ev->loops[i].xfd = ev->loops[i].ltfd = -1;
    }
    for (int i = 0; i < ev->n_loops; i++) {
        int share = in_flight / ev->n_loops + (i < in_flight % ev->n_loops);
        if ((rc = loop_open(ev, &ev->loops[i], i, share)) < 0)
            goto fail;
    }
    rc = start_loops(ev, &started);
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
