/* evloop.h - the async executor: one epoll event loop per core, many tasks in flight on each. */
#ifndef TP_SRC_EVLOOP_H
#define TP_SRC_EVLOOP_H

#include <stddef.h>
#include <stdint.h>

#include "tunepool/tunepool.h"

struct tp__evloop;

/* One task slot of a loop, as the task's callbacks see it (opaque). */
struct tp__evloop_slot;

/* One task's record, written by the loop that ran it: when the loop started
 * it, when it finished, and the loop thread's CPU time spent on its steps. */
struct tp__task_times {
    uint64_t start_ns, end_ns, cpu_ns;
};

/* What a task's step asks of its loop next. */
enum tp__evloop_next {
    TP__EVLOOP_DONE = 0, /* the task is finished: the loop records its end and frees the slot */
    TP__EVLOOP_TIMER,    /* wake the task at *deadline_ns (CLOCK_MONOTONIC, absolute) */
    TP__EVLOOP_FD,       /* wake it on the next event of the descriptor it watches (tp__evloop_watch) */
    TP__EVLOOP_PARKED,   /* nothing to wake it: the loop state finishes it (tp__evloop_finish) */
};

/* A loop as its task kind's loop state sees it (opaque): for a kind that
 * multiplexes its slots itself (libcurl's multi handle), which watches its
 * descriptors and its timer for the whole loop instead of per slot. */
struct tp__evloop_loop;

/* The tasks a loop runs, split into steps that never block: what a
 * workload kind with an async path implements (its own file says how).
 * Every callback runs on the loop's thread except the two fini, which run
 * on the thread that destroys the loops, after they have been joined. A
 * step may compute: that CPU time is the task's. ctx is the task's context
 * (tp__evloop_task). Callbacks marked optional may be NULL. */
struct tp__evloop_task_ops {
    /* Optional. Before the loop reports ready (nothing is timed yet): the
     * loop's own state in *loop (counters, settings). 0 or a negative code,
     * which fails tp__evloop_create. */
    int (*loop_init)(void *ctx, int loop_index, void **loop);
    /* Optional. Then once per slot: the slot's state in *task (a
     * connection, buffers); it may watch a descriptor for the slot. 0 or a
     * negative code, which fails tp__evloop_create. */
    int (*slot_init)(void *loop, struct tp__evloop_slot *slot, void **task);
    /* Starts task index, whose recorded start is now_ns. */
    enum tp__evloop_next (*start)(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns);
    /* Continues the task after its wait: events is 0 when its timer
     * expired, else the epoll events of its descriptor. Required when a
     * step may return TP__EVLOOP_TIMER or TP__EVLOOP_FD. */
    enum tp__evloop_next (*resume)(void *loop, void *task, uint32_t events, uint64_t *deadline_ns);
    /* Optional. An event of the slot's descriptor between tasks (the peer
     * closed, say). Events while the task waits on its timer are dropped. */
    void (*idle_event)(void *loop, void *task, uint32_t events);
    /* Optional. Free what slot_init and loop_init made (each only after it
     * succeeded): every slot's state first, then the loop's. */
    void (*slot_fini)(void *loop, void *task);
    void (*loop_fini)(void *loop);
    /* Optional, for the loop-level watches and timer: a watched descriptor
     * is ready (events: epoll's, level-triggered), or the loop timer
     * expired. Either may finish parked tasks (tp__evloop_finish). The CPU
     * time they take is shared equally by the tasks parked when they
     * started. A kind that watches (tp__evloop_loop_watch) gives loop_event;
     * one that sets the timer gives loop_timer. */
    void (*loop_event)(void *loop, int fd, uint32_t events);
    void (*loop_timer)(void *loop);
};

/* A kind of task and its context; the context must outlive the loops. */
struct tp__evloop_task {
    const struct tp__evloop_task_ops *ops;
    void *ctx;
};

/* For slot_init and the steps: watch fd for slot with epoll events (e.g.
 * EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET); its events wake the slot's
 * task (resume) or, between tasks, idle_event. Closing fd ends the watch.
 * Returns 0 or a negative errno. */
int tp__evloop_watch(struct tp__evloop_slot *slot, int fd, uint32_t events);

/* The loop slot belongs to (for the loop-level calls below). */
struct tp__evloop_loop *tp__evloop_slot_loop(struct tp__evloop_slot *slot);

/* On lp's thread: watch fd for the whole loop with epoll events (EPOLLIN,
 * EPOLLOUT; level-triggered), its events going to loop_event; events 0
 * stops the watch. A watched fd may be watched again with other events.
 * Returns 0 or a negative errno (-EINVAL when the kind has no loop_event). */
int tp__evloop_loop_watch(struct tp__evloop_loop *lp, int fd, uint32_t events);

/* On lp's thread: loop_timer runs at deadline_ns (CLOCK_MONOTONIC,
 * absolute; a past one at once), replacing the previous deadline; 0
 * disarms it. Returns 0 or a negative errno (-EINVAL without loop_timer). */
int tp__evloop_loop_timer(struct tp__evloop_loop *lp, uint64_t deadline_ns);

/* On slot's loop thread: the parked task on slot is finished (its end is
 * recorded now, or when the loop callback running returns). A slot whose
 * task is not parked (one in its own start or resume step: that step
 * returns TP__EVLOOP_DONE instead) is left alone. */
void tp__evloop_finish(struct tp__evloop_slot *slot);

/* Starts min(loops, in_flight) loop threads (named tp-loopN) running task,
 * in_flight task slots spread evenly over them (loop i gets in_flight / n +
 * (i < in_flight % n)). Each loop runs the task's loop_init and slot_init
 * before this returns. Returns 0, -EINVAL (bad arguments), or a negative
 * errno or the task's init code; on failure stores NULL in *out and, when
 * n_started is not NULL, the loops that had started in *n_started. The
 * caller frees *out with tp__evloop_destroy. */
int tp__evloop_create(struct tp__evloop **out, const struct tp__evloop_task *task, int loops, int in_flight,
                      int *n_started);

/* Runs tasks 0 .. n-1 through the loops, each loop keeping its slots busy
 * (a task index is taken from a shared counter when a slot frees); fills
 * times[0..n). Returns the batch's wall time in ns (start to last
 * completion) or a negative code. Call from one thread at a time. */
int64_t tp__evloop_run_batch(struct tp__evloop *ev, size_t n, struct tp__task_times *times);

/* Loop threads running. */
int tp__evloop_loops(const struct tp__evloop *ev);

/* Stops and joins every loop, runs the task's fini, closes the loops'
 * descriptors, frees ev. NULL is a no-op. */
void tp__evloop_destroy(struct tp__evloop *ev);

#endif
