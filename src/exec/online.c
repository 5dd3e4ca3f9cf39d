/* online.c - the pool's online-tuning thread: reads the pool's counters every interval and resizes it. */

/*
 * DESIGN
 * One thread per tuned pool, started by tp_pool_create and joined by
 * tp_pool_destroy before the pool drains (both in tuned_pool.c). Every
 * interval_ms it takes the pool's cumulative counters (tp_pool_stats),
 * feeds their deltas to the controller (control.c, pure) and applies the
 * size it returns with tp_pool_resize. A worker that cannot be started
 * lowers the controller's maximum to the size reached, so it does not
 * retry every window; the step record says so. The thread blocks every signal, sleeps on a condition
 * variable (CLOCK_MONOTONIC) so that stop is immediate, and calls the
 * caller's on_step with no lock held.
 */
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "control.h"
#include "online.h"
#include "pool.h"

#define DEFAULT_INTERVAL_MS 100u

struct tp__online {
    struct tp_pool *pool;
    struct tp_ctl *ctl;
    unsigned interval_ms;
    void (*on_step)(void *ctx, const struct tp_ctl_step *step);
    void *step_ctx;
    pthread_t thread;
    pthread_mutex_t mu; /* guards stop */
    pthread_cond_t cv;  /* signalled by stop */
    int stop;           /* mu */
};

static void add_ms(struct timespec *ts, unsigned ms)
{
    ts->tv_sec += ms / 1000u;
    ts->tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *online_main(void *arg)
{
    struct tp__online *o = arg;
    struct tp_pool_stats prev, now;
    struct timespec next;
    uint64_t t_prev = tp__now_ns();

    tp_pool_stats(o->pool, &prev);
    clock_gettime(CLOCK_MONOTONIC, &next);
    pthread_mutex_lock(&o->mu);
    for (;;) {
        add_ms(&next, o->interval_ms);
        while (!o->stop && pthread_cond_timedwait(&o->cv, &o->mu, &next) != ETIMEDOUT)
            ;
        if (o->stop)
            break;
        pthread_mutex_unlock(&o->mu);

        uint64_t t_now = tp__now_ns();
        tp_pool_stats(o->pool, &now);
        struct tp_ctl_obs obs = {
            .dt_s = (double)(t_now - t_prev) / 1e9,
            .threads = prev.threads,
            .tasks = (double)(now.tasks - prev.tasks),
            .busy_s = (double)(now.busy_ns - prev.busy_ns) / 1e9,
            .cpu_s = now.cpu_ns >= prev.cpu_ns ? (double)(now.cpu_ns - prev.cpu_ns) / 1e9 : 0,
            .runq_s = now.runq_ns >= prev.runq_ns ? (double)(now.runq_ns - prev.runq_ns) / 1e9 : 0,
            .runq_known = now.runq_known,
            .runq_tasks = (double)(now.runq_tasks - prev.runq_tasks),
        };
        struct tp_ctl_step step;
        int n = tp_ctl_update(o->ctl, &obs, &step);
        if (n > 0 && n != now.threads) {
            int rc = tp_pool_resize(o->pool, n);
            if (rc != 0) {
                int reached = tp_pool_threads(o->pool);
                tp__ctl_limit(o->ctl, reached);
                step.threads = reached;
                step.reason = rc == -EAGAIN ? "a worker could not be started (EAGAIN): maximum lowered"
                                            : "the pool could not be resized: maximum lowered";
            }
            now.threads = tp_pool_threads(o->pool); /* the size the next window runs at */
        }
        prev = now;
        t_prev = t_now;
        if (o->on_step != NULL && step.action != TP_CTL_COLLECT)
            o->on_step(o->step_ctx, &step);
        /* Behind schedule (a slow step, resize or on_step, a stopped
         * process): the next interval starts now. Keeping the old cadence
         * would replay every missed interval back to back, without
         * sleeping, each reading all workers' schedstat under resize_mu:
         * 1 s late at 1 ms would be 1000 windows in a burst. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if (ts.tv_sec > next.tv_sec || (ts.tv_sec == next.tv_sec && ts.tv_nsec > next.tv_nsec))
            next = ts;
        pthread_mutex_lock(&o->mu);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

int tp__online_start(struct tp_pool *pool, const struct tp_pool_online *opts, int start_threads, int max_slots,
                     struct tp__online **out)
{
    struct tp_ctl_params params = { 0 };
    pthread_condattr_t ca;
    sigset_t all, old;
    int rc;

    *out = NULL;
    if (opts->params != NULL)
        params = *opts->params;
    params.min_threads = opts->min_threads > 0 ? opts->min_threads : 1;
    params.max_threads = opts->max_threads > 0 && opts->max_threads < max_slots ? opts->max_threads : max_slots;
    params.cores = opts->cores > 0 ? opts->cores : (double)tp__pool_usable_cpus();
    if (start_threads < params.min_threads || start_threads > params.max_threads)
        return -EINVAL;

    struct tp__online *o = calloc(1, sizeof *o);
    if (o == NULL)
        return -ENOMEM;
    o->pool = pool;
    o->interval_ms = opts->interval_ms > 0 ? opts->interval_ms : DEFAULT_INTERVAL_MS;
    o->on_step = opts->on_step;
    o->step_ctx = opts->step_ctx;
    rc = tp_ctl_create(&o->ctl, &params, start_threads);
    if (rc != 0)
        goto fail_ctl;
    rc = tp__from_pthread(pthread_condattr_init(&ca));
    if (rc != 0)
        goto fail_attr;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = tp__from_pthread(pthread_cond_init(&o->cv, &ca));
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        goto fail_attr;
    pthread_mutex_init(&o->mu, NULL);

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = tp__from_pthread(pthread_create(&o->thread, NULL, online_main, o));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        goto fail_thread;
    pthread_setname_np(o->thread, "tp-online");
    *out = o;
    return 0;

fail_thread:
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
fail_attr:
    tp_ctl_destroy(o->ctl);
fail_ctl:
    free(o);
    return rc;
}

void tp__online_stop(struct tp__online *o)
{
    if (o == NULL)
        return;
    pthread_mutex_lock(&o->mu);
    o->stop = 1;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->thread, NULL);
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    tp_ctl_destroy(o->ctl);
    free(o);
}
