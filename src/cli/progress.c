/* progress.c - the sweep's progress on stderr: a live status line on a terminal, one line per point otherwise. */

/*
 * DESIGN
 * The sweep calls tp_cli_progress_event() from the main thread between
 * points. On a terminal a ticker thread redraws one status line
 * ("[3/14] m = 4 (8 threads), 5 reps: 2.1 s | 12 s elapsed, ~40 s left")
 * four times a second, so that elapsed and remaining time move while a
 * point is measured (the point itself runs in a child process that reports
 * only when it is done, so the line counts the point's time, not its
 * repetitions). Everything the two threads share is guarded by
 * progress.lock, and only the thread holding it writes to stderr; the
 * ticker blocks SIGINT/SIGTERM so that the main thread receives them.
 * Not on a terminal: no ticker, one plain line per finished point.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "progress.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "2.5 s", "12 s", "3 min 05 s", "1 h 02 min". */
static const char *span_text(char *buf, size_t len, double s)
{
    if (!isfinite(s) || s < 0)
        s = 0;
    long t = lround(s);
    if (s < 9.95)
        snprintf(buf, len, "%.1f s", s);
    else if (t < 60)
        snprintf(buf, len, "%ld s", t);
    else if (t < 3600)
        snprintf(buf, len, "%ld min %02ld s", t / 60, t % 60);
    else
        snprintf(buf, len, "%ld h %02ld min", t / 3600, (t % 3600) / 60);
    return buf;
}

/* Seconds still to go, from the finished points' mean wall time; the
 * point in flight counts with what it has left. Negative: unknown. */
static double remaining_s(const struct tp_cli_progress *pr, double now)
{
    double per_point = pr->n_done > 0 ? pr->done_wall_s / pr->n_done : pr->guess_point_s;
    if (!(per_point > 0) || pr->total == 0)
        return -1;
    size_t left = pr->total > pr->index ? pr->total - pr->index : 0;
    double rest = (double)left * per_point;
    if (pr->in_point) {
        double in_flight = now - pr->point_start;
        rest -= in_flight < per_point ? in_flight : per_point;
    }
    return rest > 0 ? rest : 0;
}

/* The status line; call with pr->lock held. */
static void draw_line(struct tp_cli_progress *pr)
{
    double now = now_s();
    char el[32], left[40], pt[32];
    double rest = remaining_s(pr, now);
    if (rest < 0)
        snprintf(left, sizeof left, "estimating time left");
    else
        snprintf(left, sizeof left, "~%s left", span_text(pt, sizeof pt, rest));
    span_text(el, sizeof el, now - pr->sweep_start);
    char reps[24];
    if (pr->repeat > 0)
        snprintf(reps, sizeof reps, "%d rep%s", pr->repeat, pr->repeat == 1 ? "" : "s");
    else
        snprintf(reps, sizeof reps, "auto reps");
    fprintf(stderr, "\r\033[K%s: [%zu/%zu] m = %g (%d threads), %s: %.1f s | %s elapsed, %s", TP_CLI_NAME,
            pr->index + 1, pr->total, pr->multiplier, pr->threads, reps, now - pr->point_start, el, left);
    fflush(stderr);
    pr->line_shown = 1;
}

static void clear_line(struct tp_cli_progress *pr)
{
    if (pr->line_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        pr->line_shown = 0;
    }
}

static void *ticker(void *arg)
{
    struct tp_cli_progress *pr = arg;
    pthread_mutex_lock(&pr->lock);
    while (!pr->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&pr->wake, &pr->lock, &until);
        if (!pr->stop && pr->in_point)
            draw_line(pr);
    }
    pthread_mutex_unlock(&pr->lock);
    return NULL;
}

void tp_cli_progress_start(struct tp_cli_progress *pr, int tty, int quiet, int repeat, double guess_point_s)
{
    memset(pr, 0, sizeof *pr);
    pthread_mutex_init(&pr->lock, NULL);
    pthread_cond_init(&pr->wake, NULL);
    pr->tty = tty;
    pr->quiet = quiet;
    pr->repeat = repeat;
    pr->guess_point_s = guess_point_s;
    pr->sweep_start = now_s();
    if (quiet || !tty)
        return;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pr->ticker_running = pthread_create(&pr->thread, NULL, ticker, pr) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void print_point_line(const struct tp_cli_progress *pr, const struct tp_progress *p, double rest)
{
    const struct tp_point *pt = p->point;
    char el[32], left[40] = "";
    fprintf(stderr, "%s: [%zu/%zu] m = %g, %d threads: ", TP_CLI_NAME, p->index + 1, p->total, p->multiplier,
            p->threads);
    if (pt->status == TP_POINT_OK)
        fprintf(stderr, "%.0f tasks/s [%.0f, %.0f], p99 %.3g ms", pt->tput_median, pt->tput_ci_lo, pt->tput_ci_hi,
                pt->lat_p99_ns / 1e6);
    else if (pt->status == TP_POINT_CRASHED)
        fprintf(stderr, "%s (%s)", tp_point_status_name(pt->status), strsignal(pt->signal));
    else
        fprintf(stderr, "%s (%s)", tp_point_status_name(pt->status), tp_strerror(pt->error));
    if (rest >= 0 && p->index + 1 < p->total) {
        char sp[32];
        snprintf(left, sizeof left, ", ~%s left", span_text(sp, sizeof sp, rest));
    }
    (void)pr;
    fprintf(stderr, " in %.1f s; %s elapsed%s\n", pt->wall_s, span_text(el, sizeof el, p->elapsed_s), left);
}

void tp_cli_progress_event(void *ctx, const struct tp_progress *p)
{
    struct tp_cli_progress *pr = ctx;
    if (pr->quiet)
        return;
    pthread_mutex_lock(&pr->lock);
    pr->index = p->index;
    pr->total = p->total;
    pr->multiplier = p->multiplier;
    pr->threads = p->threads;
    if (p->event == TP_PROGRESS_POINT_START) {
        pr->point_start = now_s();
        pr->in_point = 1;
        if (pr->tty)
            draw_line(pr);
    } else if (p->event == TP_PROGRESS_POINT_DONE) {
        pr->in_point = 0;
        if (p->point != NULL && p->point->wall_s > 0) {
            pr->done_wall_s += p->point->wall_s;
            pr->n_done++;
        }
        pr->index = p->index + 1;
        double rest = remaining_s(pr, now_s());
        clear_line(pr);
        if (p->point != NULL)
            print_point_line(pr, p, rest);
        fflush(stderr);
    }
    pthread_mutex_unlock(&pr->lock);
}

void tp_cli_progress_stop(struct tp_cli_progress *pr)
{
    pthread_mutex_lock(&pr->lock);
    pr->stop = 1;
    pthread_cond_signal(&pr->wake);
    clear_line(pr);
    pthread_mutex_unlock(&pr->lock);
    if (pr->ticker_running)
        pthread_join(pr->thread, NULL);
    pr->ticker_running = 0;
    pthread_cond_destroy(&pr->wake);
    pthread_mutex_destroy(&pr->lock);
}
