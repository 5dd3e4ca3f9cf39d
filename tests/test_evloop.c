/* test_evloop.c - the async executor: real timer waits, many tasks in flight per loop, net over loopback, errors, refusals. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "evloop.h"
#include "measure.h"
#include "netserver.h"
#include "synthetic.h"
#include "workload.h"

#define MS 1000000ull

/* The loops for the opened workload w, through its kind's async path (as measure.c makes them). */
static int create(struct tp__evloop **ev, struct tp__workload *w, int loops, int in_flight, int *started)
{
    struct tp__evloop_task task;
    int rc = tp__workload_async_task(w, &task);
    if (rc < 0) {
        *ev = NULL;
        return rc;
    }
    return tp__evloop_create(ev, &task, loops, in_flight, started);
}

static void run(struct tp_workload_params *p, int loops, int in_flight, size_t n, struct tp__task_times *t,
                uint64_t *ops, uint64_t *bytes, uint64_t *errors, int64_t *wall)
{
    struct tp__workload w;
    struct tp__evloop *ev = NULL;
    cr_assert_eq(tp__workload_open(&w, p), 0);
    int started = -1;
    cr_assert_eq(create(&ev, &w, loops, in_flight, &started), 0);
    cr_assert_eq(started, loops < in_flight ? loops : in_flight);
    *wall = tp__evloop_run_batch(ev, n, t);
    cr_assert_geq(*wall, 0);
    tp__evloop_destroy(ev);
    tp__workload_counters(&w, ops, bytes, errors);
    tp__workload_close(&w);
}

Test(evloop, timer_waits_really_wait, .timeout = 30)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_IO, .latency_ns = 20 * MS, .compute_ns = 1 * MS };
    struct tp__task_times t[8];
    uint64_t ops, bytes, errors;
    int64_t wall;
    run(&p, 1, 4, 8, t, &ops, &bytes, &errors, &wall);
    for (int i = 0; i < 8; i++) {
        cr_assert_geq(t[i].end_ns - t[i].start_ns, 21 * MS, "task %d: the wait, then the compute", i);
        cr_assert_geq(t[i].cpu_ns, 1 * MS, "task %d: its compute ran on the loop", i);
    }
    cr_assert_geq((uint64_t)wall, 2 * 20 * MS, "8 tasks through 4 slots: at least two waits one after the other");
    cr_assert_eq(ops, 8);
    cr_assert_eq(errors, 0);
}

Test(evloop, many_tasks_in_flight_on_one_loop, .timeout = 60)
{
    /* 100 waits on one thread: every task starts before any ends, so they
     * were all in flight at once (an order, not a speed). */
    struct tp_workload_params p = { .kind = TP_WORKLOAD_IO, .latency_ns = 300 * MS, .compute_ns = 1000 };
    struct tp__task_times *t = calloc(100, sizeof(*t));
    uint64_t ops, bytes, errors;
    int64_t wall;
    run(&p, 1, 100, 100, t, &ops, &bytes, &errors, &wall);
    uint64_t last_start = 0, first_end = UINT64_MAX;
    for (int i = 0; i < 100; i++) {
        if (t[i].start_ns > last_start)
            last_start = t[i].start_ns;
        if (t[i].end_ns < first_end)
            first_end = t[i].end_ns;
        cr_assert_geq(t[i].end_ns - t[i].start_ns, 300 * MS);
    }
    cr_assert_lt(last_start, first_end, "all 100 tasks were in flight together on one loop thread");
    cr_assert_eq(ops, 100);
    free(t);
}

Test(evloop, in_flight_spread_over_loops, .timeout = 30)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_CPU, .compute_ns = 100000 };
    struct tp__workload w;
    struct tp__evloop *ev;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    cr_assert_eq(create(&ev, &w, 4, 2, NULL), 0);
    cr_assert_eq(tp__evloop_loops(ev), 2, "never more loops than tasks in flight");
    struct tp__task_times t[50];
    cr_assert_geq(tp__evloop_run_batch(ev, 50, t), 0);
    cr_assert_geq(tp__evloop_run_batch(ev, 10, t), 0, "a second batch reuses the loops");
    tp__evloop_destroy(ev);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 60);
    tp__workload_close(&w);
}

Test(evloop, mixed_and_noop_complete_every_task, .timeout = 30)
{
    struct tp_workload_params p = {
        .kind = TP_WORKLOAD_MIXED, .latency_ns = 2 * MS, .compute_ns = 100000, .io_fraction = 0.5
    };
    struct tp__task_times t[200];
    uint64_t ops, bytes, errors;
    int64_t wall;
    run(&p, 2, 8, 200, t, &ops, &bytes, &errors, &wall);
    cr_assert_eq(ops, 200);
    int waited = 0;
    for (int i = 0; i < 200; i++)
        waited += tp__mixed_is_io(0.5, (uint64_t)i) && t[i].end_ns - t[i].start_ns >= 2 * MS;
    cr_assert_gt(waited, 50, "the io half waited on the timer");
    struct tp_workload_params q = { .kind = TP_WORKLOAD_NOOP };
    run(&q, 1, 4, 200, t, &ops, &bytes, &errors, &wall);
    cr_assert_eq(ops, 200);
}

Test(evloop, net_requests_over_loopback, .timeout = 60)
{
    struct tp__netserver_opts so = { .delay_ns = 5 * MS, .request_size = 64, .reply_size = 3000 };
    pid_t pid;
    int port;
    cr_assert_eq(tp__netserver_start(&so, &pid, &port), 0);
    struct tp_workload_params p = {
        .kind = TP_WORKLOAD_NET, .server_delay_ns = 5 * MS, .request_size = 64, .reply_size = 3000, .net_port = port
    };
    struct tp__task_times t[40];
    uint64_t ops, bytes, errors;
    int64_t wall;
    run(&p, 1, 8, 40, t, &ops, &bytes, &errors, &wall);
    cr_assert_eq(ops, 40);
    cr_assert_eq(bytes, 40u * 3000u);
    cr_assert_eq(errors, 0);
    for (int i = 0; i < 40; i++)
        cr_assert_geq(t[i].end_ns - t[i].start_ns, 5 * MS, "task %d waited for the server's delay", i);
    tp__netserver_stop(pid);
}

Test(evloop, net_errors_are_counted_not_fatal, .timeout = 60)
{
    struct tp__netserver_opts so = { .delay_ns = 0, .request_size = 64, .reply_size = 100 };
    pid_t pid;
    int port;
    cr_assert_eq(tp__netserver_start(&so, &pid, &port), 0);
    struct tp_workload_params p = { .kind = TP_WORKLOAD_NET, .request_size = 64, .reply_size = 100, .net_port = port };
    struct tp__workload w;
    struct tp__evloop *ev;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    cr_assert_eq(create(&ev, &w, 1, 4, NULL), 0);
    struct tp__task_times t[20];
    cr_assert_geq(tp__evloop_run_batch(ev, 20, t), 0);
    tp__netserver_stop(pid); /* every connection breaks, reconnecting is refused */
    cr_assert_geq(tp__evloop_run_batch(ev, 20, t), 0, "the batch still ends");
    tp__evloop_destroy(ev);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 20);
    cr_assert_eq(errors, 20, "each failed request is one error");
    tp__workload_close(&w);
}

Test(evloop, unsupported_workloads_refused_with_the_reason)
{
    char why[512];
    struct tp_workload_params f = { .kind = TP_WORKLOAD_FILE };
    cr_assert_eq(tp_executor_check(TP_EXECUTOR_ASYNC, &f, why, sizeof why), -EOPNOTSUPP);
    cr_assert(strncmp(why, "not supported by the async executor: file:", 42) == 0, "%s", why);
    struct tp_workload_params pl = { .kind = TP_WORKLOAD_PLUGIN };
    cr_assert_eq(tp_executor_check(TP_EXECUTOR_ASYNC, &pl, why, sizeof why), -EOPNOTSUPP);
    cr_assert(strstr(why, "not supported by the async executor: plugin:") == why, "%s", why);
    cr_assert_eq(tp_executor_check(TP_EXECUTOR_POOL, &f, why, sizeof why), 0, "the pool runs everything");
    enum tp_workload_kind ok[] = { TP_WORKLOAD_IO, TP_WORKLOAD_CPU, TP_WORKLOAD_MIXED, TP_WORKLOAD_NET,
                                   TP_WORKLOAD_NOOP };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct tp_workload_params q = { .kind = ok[i] };
        cr_assert_eq(tp_executor_check(TP_EXECUTOR_ASYNC, &q, why, sizeof why), 0);
    }
}

Test(evloop, create_refuses_bad_arguments)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_CPU, .compute_ns = 1000 };
    struct tp__workload w;
    struct tp__evloop *ev = (void *)1;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    cr_assert_eq(create(&ev, &w, 0, 4, NULL), -EINVAL);
    cr_assert_null(ev);
    cr_assert_eq(create(&ev, &w, 1, 0, NULL), -EINVAL);
    tp__workload_close(&w);
    tp__evloop_destroy(NULL);
}

/* A task kind of the test's own: the loop knows only the interface. */
static _Atomic int inits, finis;

static int failing_slot_init(void *loop, struct tp__evloop_slot *slot, void **task)
{
    (void)loop;
    (void)slot;
    *task = NULL;
    return atomic_fetch_add(&inits, 1) == 1 ? -EIO : 0; /* the second slot fails */
}

static void counting_slot_fini(void *loop, void *task)
{
    (void)loop;
    (void)task;
    atomic_fetch_add(&finis, 1);
}

static enum tp__evloop_next done_at_once(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)loop;
    (void)task;
    (void)index;
    (void)now_ns;
    (void)deadline_ns;
    return TP__EVLOOP_DONE;
}

Test(evloop, a_failed_task_init_fails_create_and_frees_what_was_made, .timeout = 30)
{
    static const struct tp__evloop_task_ops ops = { .slot_init = failing_slot_init,
                                                    .start = done_at_once,
                                                    .slot_fini = counting_slot_fini };
    struct tp__evloop_task task = { .ops = &ops, .ctx = NULL };
    struct tp__evloop *ev = (void *)1;
    int started = -1;
    cr_assert_eq(tp__evloop_create(&ev, &task, 1, 4, &started), -EIO);
    cr_assert_null(ev);
    cr_assert_eq(started, 1);
    cr_assert_eq(atomic_load(&inits), 2, "the loop stopped at the failing slot");
    cr_assert_eq(atomic_load(&finis), 1, "only the slot that was made is freed");
    struct tp__evloop_task none = { .ops = NULL };
    cr_assert_eq(tp__evloop_create(&ev, &none, 1, 1, NULL), -EINVAL);
}

Test(evloop, measured_point_like_the_pool, .timeout = 60)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_IO, .latency_ns = 2 * MS, .compute_ns = 50000 };
    struct tp_point_request req = { .multiplier = 4,
                                    .threads = 4,
                                    .cores = 1,
                                    .repeat = 3,
                                    .tasks = 100,
                                    .warmup = 1,
                                    .workload = &p,
                                    .confidence = 0.95,
                                    .seed = 1,
                                    .executor = TP_EXECUTOR_ASYNC };
    struct tp_point pt;
    memset(&pt, 0, sizeof pt);
    tp__measure_point_inline(&req, &pt);
    cr_assert_eq(pt.status, TP_POINT_OK, "error %d", pt.error);
    cr_assert_eq(pt.n_reps, 3);
    cr_assert_gt(pt.reps[0].throughput, 0);
    cr_assert_geq(pt.lat_p50_ns, 2.0 * MS, "a task's wall time includes its wait");
    cr_assert_geq(pt.task_cpu_mean_ns, 50000.0);
    cr_assert_eq(pt.work_ops, 300);
    cr_assert_gt(pt.max_rss_kb, 0);
}

static void fake_point(struct tp_point *p, int threads, double med, double lo, double hi)
{
    memset(p, 0, sizeof *p);
    p->threads = threads;
    p->multiplier = threads;
    p->n_reps = 3;
    p->tput_median = med;
    p->tput_ci_lo = lo;
    p->tput_ci_hi = hi;
}

Test(evloop, compare_names_the_winner_and_the_ratio)
{
    struct tp_point pp, ap;
    struct tp_async_result as;
    memset(&as, 0, sizeof as);
    struct tp_result r;
    memset(&r, 0, sizeof r);
    fake_point(&pp, 16, 100, 90, 110);
    fake_point(&ap, 16, 200, 190, 210);
    r.points = &pp;
    r.n_points = 1;
    r.pick = 0;
    as.sweep.points = &ap;
    as.sweep.n_points = 1;
    as.sweep.pick = 0;
    as.sweep.cores = 2;
    struct tp_executor_verdict v;
    cr_assert_eq(tp_executor_compare(&r, &v), TP_ENOPOINTS, "no async side");
    r.async = &as;
    cr_assert_eq(tp_executor_compare(&r, &v), 0);
    cr_assert_str_eq(v.winner, "async");
    cr_assert_float_eq(v.ratio, 2.0, 1e-9);
    cr_assert_float_eq(v.ratio_lo, 190.0 / 110.0, 1e-9);
    cr_assert_float_eq(v.ratio_hi, 210.0 / 90.0, 1e-9);
    cr_assert_eq(v.async_threads, 2, "one loop thread per core");
    fake_point(&ap, 16, 105, 95, 115);
    cr_assert_eq(tp_executor_compare(&r, &v), 0);
    cr_assert_str_eq(v.winner, "indistinguishable");
    fake_point(&ap, 16, 50, 45, 55);
    cr_assert_eq(tp_executor_compare(&r, &v), 0);
    cr_assert_str_eq(v.winner, "pool");
    as.sweep.pick = -1;
    cr_assert_eq(tp_executor_compare(&r, &v), TP_ENOPOINTS);
    cr_assert_eq(v.valid, 0);
}

Test(evloop, executor_names)
{
    enum tp_executor e;
    cr_assert_eq(tp_executor_parse("async", &e), 0);
    cr_assert_eq(e, TP_EXECUTOR_ASYNC);
    cr_assert_eq(tp_executor_parse("pool", &e), 0);
    cr_assert_eq(e, TP_EXECUTOR_POOL);
    cr_assert_eq(tp_executor_parse("both", &e), -EINVAL);
    cr_assert_str_eq(tp_executor_name(TP_EXECUTOR_ASYNC), "async");
}

/* ---- loop-level waits: a kind that parks its tasks and finishes them from
 * the loop's own watch and timer (as http's multi handle does) ---- */

struct parked_loop {
    struct tp__evloop_loop *lp;
    int pipe[2];
    struct tp__evloop_slot *waiting[8]; /* parked, finished by the next byte on the pipe */
    int n_waiting;
    _Atomic int timer_calls;
};

static int parked_loop_init(void *ctx, int loop_index, void **loop)
{
    (void)ctx;
    (void)loop_index;
    struct parked_loop *pl = calloc(1, sizeof *pl);
    cr_assert_not_null(pl);
    cr_assert_eq(pipe2(pl->pipe, O_NONBLOCK | O_CLOEXEC), 0);
    *loop = pl;
    return 0;
}

static int parked_slot_init(void *loop, struct tp__evloop_slot *slot, void **task)
{
    struct parked_loop *pl = loop;
    if (pl->lp == NULL) {
        pl->lp = tp__evloop_slot_loop(slot);
        cr_assert_eq(tp__evloop_loop_watch(pl->lp, pl->pipe[0], EPOLLIN), 0);
        cr_assert_eq(tp__evloop_loop_watch(pl->lp, pl->pipe[0], EPOLLIN), 0, "watching again: the events change");
    }
    *task = slot;
    return 0;
}

/* Each task parks; every other one asks the loop timer to write the byte
 * that finishes the waiting ones (2 ms later), the others write it now. */
static enum tp__evloop_next parked_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)deadline_ns;
    struct parked_loop *pl = loop;
    pl->waiting[pl->n_waiting++] = task;
    if (index % 2 == 0) {
        cr_assert_eq(tp__evloop_loop_timer(pl->lp, now_ns + 10 * MS), 0);
        cr_assert_eq(tp__evloop_loop_timer(pl->lp, now_ns + 2 * MS), 0, "an earlier deadline replaces it");
    } else {
        cr_assert_eq(write(pl->pipe[1], "x", 1), 1);
    }
    return TP__EVLOOP_PARKED;
}

static void parked_event(void *loop, int fd, uint32_t events)
{
    struct parked_loop *pl = loop;
    char c;
    cr_assert_eq(fd, pl->pipe[0]);
    cr_assert(events & EPOLLIN);
    while (read(fd, &c, 1) == 1)
        ;
    for (int i = 0; i < pl->n_waiting; i++)
        tp__evloop_finish(pl->waiting[i]);
    pl->n_waiting = 0;
}

static void parked_timer(void *loop)
{
    struct parked_loop *pl = loop;
    atomic_fetch_add(&pl->timer_calls, 1);
    cr_assert_eq(write(pl->pipe[1], "t", 1), 1);
}

static void parked_loop_fini(void *loop)
{
    struct parked_loop *pl = loop;
    cr_assert_eq(tp__evloop_loop_watch(pl->lp, pl->pipe[0], 0), 0, "unwatched");
    close(pl->pipe[0]);
    close(pl->pipe[1]);
    free(pl);
}

Test(evloop, parked_tasks_finish_from_the_loop_watch_and_timer, .timeout = 30)
{
    static const struct tp__evloop_task_ops ops = {
        .loop_init = parked_loop_init,
        .slot_init = parked_slot_init,
        .start = parked_start,
        .loop_fini = parked_loop_fini,
        .loop_event = parked_event,
        .loop_timer = parked_timer,
    };
    struct tp__evloop_task task = { &ops, NULL };
    struct tp__evloop *ev;
    cr_assert_eq(tp__evloop_create(&ev, &task, 1, 4, NULL), 0);
    struct tp__task_times t[40];
    memset(t, 0, sizeof t);
    cr_assert_geq(tp__evloop_run_batch(ev, 40, t), 0);
    for (int i = 0; i < 40; i++)
        cr_assert_geq(t[i].end_ns, t[i].start_ns, "task %d recorded", i);
    tp__evloop_destroy(ev);
}

/* A kind without loop_event / loop_timer may not use the loop-level waits. */
static int parked_refusals(void *loop, struct tp__evloop_slot *slot, void **task)
{
    (void)loop;
    cr_assert_eq(tp__evloop_loop_watch(tp__evloop_slot_loop(slot), 0, EPOLLIN), -EINVAL);
    cr_assert_eq(tp__evloop_loop_timer(tp__evloop_slot_loop(slot), 1), -EINVAL);
    *task = NULL;
    return 0;
}

Test(evloop, loop_waits_refused_without_their_callbacks, .timeout = 30)
{
    static const struct tp__evloop_task_ops ops = {
        .slot_init = parked_refusals,
        .start = done_at_once,
    };
    struct tp__evloop_task task = { &ops, NULL };
    struct tp__evloop *ev;
    cr_assert_eq(tp__evloop_create(&ev, &task, 1, 1, NULL), 0);
    tp__evloop_destroy(ev);
}
