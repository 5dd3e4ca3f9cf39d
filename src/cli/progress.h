/* progress.h - the sweep's progress on stderr: a live status line on a terminal, one line per point otherwise. */
#ifndef TP_CLI_PROGRESS_H
#define TP_CLI_PROGRESS_H

#include <pthread.h>
#include <stddef.h>

#include "tunepool/tunepool.h"

struct tp_cli_progress {
    /* Set by start, then read-only. */
    int tty, quiet, repeat;
    double guess_point_s; /* seconds per point before one has finished; 0 = unknown */
    double sweep_start;   /* monotonic seconds */
    pthread_t thread;
    int ticker_running;

    pthread_mutex_t lock; /* guards everything below, and writes to stderr */
    pthread_cond_t wake;  /* signalled by stop */
    int stop;
    int in_point;         /* a point is being measured */
    int line_shown;       /* the status line is on the terminal: clear it before a plain line */
    size_t index, total;  /* the point in flight (0-based), the plan's size */
    double multiplier;
    int threads;
    double point_start;   /* monotonic seconds */
    double done_wall_s;   /* sum of finished points' wall times */
    int n_done;
};

/* Starts the progress display: on a terminal (tty) and not quiet, a ticker
 * thread redraws the status line. guess_point_s estimates a point's time
 * until one has finished (0 = unknown). */
void tp_cli_progress_start(struct tp_cli_progress *pr, int tty, int quiet, int repeat, double guess_point_s);

/* The sweep's progress callback (struct tp_sweep_opts.progress); ctx is the
 * struct tp_cli_progress. */
void tp_cli_progress_event(void *ctx, const struct tp_progress *p);

/* Stops the ticker, clears the status line, frees what start made. */
void tp_cli_progress_stop(struct tp_cli_progress *pr);

#endif
