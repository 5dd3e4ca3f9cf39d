/* progress.c - the sweep's progress on stderr: a live status line on a terminal, one line per point otherwise. */

/*
 * DESIGN
 * The sweep calls tp_cli_progress_event() from the main thread between
 * points. On a terminal the status line
 *   "[3/14] m = 4 (8 threads), rep 2/5: 2.1 s | 12 s elapsed, ~40 s left"
 * must keep moving while a point is measured, but the main thread is then
 * inside the sweep, and the sweep forks a child per point: a helper thread
 * would make that a fork of a multi-threaded process. So a small "painter"
 * process, forked once before the sweep, redraws the line every 250 ms from
 * a struct tp_cli_progress_state in MAP_SHARED memory. Every field of it is
 * guarded by its process-shared mutex `lock`, and only the process holding
 * the lock writes to stderr. The painter ignores SIGINT/SIGTERM (the parent
 * handles them and stops it), and exits by itself when `stop` is set or the
 * parent is gone. The point itself runs in a child process: it stores its
 * finished repetitions in reps_done (same shared memory, through
 * tp_sweep_opts.reps_done), which the painter reads without the lock.
 * Not on a terminal: no painter, one plain line per finished point.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "progress.h"

struct tp_cli_progress_state {
    pthread_mutex_t lock; /* process-shared; guards every field below and writes to stderr */
    int stop;             /* the painter exits */
    int repeat;           /* repetitions asked for; 0 = auto */
    double guess_point_s; /* seconds per point before one has finished; 0 = unknown */
    double sweep_start;   /* monotonic seconds */
    int in_point;         /* a point is being measured */
    int line_shown;       /* the status line is on the terminal: clear it before a plain line */
    size_t index, total;  /* the point in flight (0-based), the plan's size */
    double multiplier;
    int threads;
    double point_start; /* monotonic seconds */
    double done_wall_s; /* sum of finished points' wall times */
    int n_done;
    int repeat_max; /* repeat == 0: the most repetitions */
    /* Repetitions of the point in flight that have finished: stored by the
     * point's child process (atomic, no lock), reset at each point's start. */
    volatile int reps_done;
};

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
static double remaining_s(const struct tp_cli_progress_state *st, double now)
{
    double per_point = st->n_done > 0 ? st->done_wall_s / st->n_done : st->guess_point_s;
    if (!(per_point > 0) || st->total == 0)
        return -1;
    size_t left = st->total > st->index ? st->total - st->index : 0;
    double rest = (double)left * per_point;
    if (st->in_point) {
        double in_flight = now - st->point_start;
        rest -= in_flight < per_point ? in_flight : per_point;
    }
    return rest > 0 ? rest : 0;
}

/* The status line; call with st->lock held. */
static void draw_line(struct tp_cli_progress_state *st)
{
    double now = now_s();
    char el[32], left[48], span[32], reps[40];
    double rest = remaining_s(st, now);
    if (rest < 0)
        snprintf(left, sizeof left, "estimating time left");
    else
        snprintf(left, sizeof left, "~%s left", span_text(span, sizeof span, rest));
    int done = __atomic_load_n(&st->reps_done, __ATOMIC_RELAXED);
    if (st->repeat > 0)
        snprintf(reps, sizeof reps, "rep %d/%d", done < st->repeat ? done + 1 : st->repeat, st->repeat);
    else
        snprintf(reps, sizeof reps, "rep %d of %d..%d", done + 1, TP_REPEAT_MIN, st->repeat_max);
    fprintf(stderr, "\r\033[K%s: [%zu/%zu] m = %g (%d thread%s), %s: %.1f s | %s elapsed, %s", TP_CLI_NAME,
            st->index + 1, st->total, st->multiplier, st->threads, tp_cli_plural(st->threads), reps,
            now - st->point_start, span_text(el, sizeof el, now - st->sweep_start), left);
    fflush(stderr);
    st->line_shown = 1;
}

static void clear_line(struct tp_cli_progress_state *st)
{
    if (st->line_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        st->line_shown = 0;
    }
}

/* The painter process: redraws the line until told to stop or orphaned. */
static void paint(struct tp_cli_progress_state *st, pid_t parent)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    for (;;) {
        struct timespec tick = { 0, 250 * 1000000L };
        while (nanosleep(&tick, &tick) != 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&st->lock);
        int stop = st->stop || getppid() != parent;
        if (!stop && st->in_point)
            draw_line(st);
        pthread_mutex_unlock(&st->lock);
        if (stop)
            _exit(0);
    }
}

void tp_cli_progress_start(struct tp_cli_progress *pr, int tty, int quiet, int repeat, int repeat_max,
                           double guess_point_s)
{
    memset(pr, 0, sizeof *pr);
    pr->tty = tty;
    pr->quiet = quiet;
    if (quiet)
        return;
    struct tp_cli_progress_state *st =
        mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (st == MAP_FAILED)
        return;
    memset(st, 0, sizeof *st);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&st->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    st->repeat = repeat;
    st->repeat_max = repeat_max;
    st->guess_point_s = guess_point_s;
    st->sweep_start = now_s();
    pr->st = st;
    if (!tty)
        return;
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        paint(st, parent);
    if (pid > 0)
        pr->painter = pid;
    /* fork failed: the line is still drawn at each event, only not in between. */
}

static void print_point_line(const struct tp_cli_progress *pr, const struct tp_progress *p, double rest)
{
    const struct tp_point *pt = p->point;
    char el[32], left[48] = "", at[48];
    /* The race visits points again and places new ones: the plan's count is no total. */
    if (p->index < p->total)
        snprintf(at, sizeof at, "[%zu/%zu]", p->index + 1, p->total);
    else
        snprintf(at, sizeof at, "[visit %zu]", p->index + 1);
    fprintf(stderr, "%s: %s m = %g, %d thread%s: ", TP_CLI_NAME, at, p->multiplier, p->threads,
            tp_cli_plural(p->threads));
    if (tp_point_ok(pt) && pr->unit != NULL)
        fprintf(stderr, "%.3g %s [%.3g, %.3g] after %d run%s", pt->tput_median, pr->unit, pt->tput_ci_lo,
                pt->tput_ci_hi, pt->n_reps, tp_cli_plural(pt->n_reps));
    else if (tp_point_ok(pt))
        fprintf(stderr, "%.0f tasks/s [%.0f, %.0f], p99 %.3g ms", pt->tput_median, pt->tput_ci_lo, pt->tput_ci_hi,
                pt->lat_p99_ns / 1e6);
    else if (pt->status == TP_POINT_CRASHED)
        fprintf(stderr, "%s (%s)", tp_point_status_name(pt->status), strsignal(pt->signal));
    else
        fprintf(stderr, "%s (%s)", tp_point_status_name(pt->status), tp_strerror(pt->error));
    if (rest >= 0 && p->index + 1 < p->total) {
        char span[32];
        snprintf(left, sizeof left, ", ~%s left", span_text(span, sizeof span, rest));
    }
    fprintf(stderr, " in %.1f s; %s elapsed%s\n", pt->wall_s, span_text(el, sizeof el, p->elapsed_s), left);
}

void tp_cli_progress_event(void *ctx, const struct tp_progress *p)
{
    struct tp_cli_progress *pr = ctx;
    struct tp_cli_progress_state *st = pr->st;
    if (pr->quiet || st == NULL)
        return;
    pthread_mutex_lock(&st->lock);
    st->index = p->index;
    st->total = p->total;
    st->multiplier = p->multiplier;
    st->threads = p->threads;
    if (p->event == TP_PROGRESS_POINT_START) {
        st->point_start = now_s();
        st->in_point = 1;
        __atomic_store_n(&st->reps_done, 0, __ATOMIC_RELAXED);
        if (pr->tty)
            draw_line(st);
    } else if (p->event == TP_PROGRESS_POINT_DONE) {
        st->in_point = 0;
        if (p->point != NULL && p->point->wall_s > 0) {
            st->done_wall_s += p->point->wall_s;
            st->n_done++;
        }
        st->index = p->index + 1;
        double rest = remaining_s(st, now_s());
        clear_line(st);
        if (p->point != NULL)
            print_point_line(pr, p, rest);
        fflush(stderr);
    }
    pthread_mutex_unlock(&st->lock);
}

volatile int *tp_cli_progress_reps_done(struct tp_cli_progress *pr)
{
    return pr->st != NULL ? &pr->st->reps_done : NULL;
}

void tp_cli_progress_stop(struct tp_cli_progress *pr)
{
    struct tp_cli_progress_state *st = pr->st;
    if (st == NULL)
        return;
    pthread_mutex_lock(&st->lock);
    st->stop = 1;
    clear_line(st);
    pthread_mutex_unlock(&st->lock);
    if (pr->painter > 0) {
        while (waitpid(pr->painter, NULL, 0) < 0 && errno == EINTR)
            ;
        pr->painter = 0;
    }
    /* The painter is gone: the line it may have drawn since is cleared too. */
    clear_line(st);
    pthread_mutex_destroy(&st->lock);
    munmap(st, sizeof *st);
    pr->st = NULL;
}
