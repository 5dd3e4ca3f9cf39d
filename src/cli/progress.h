/* progress.h - the sweep's progress on stderr: a live status line on a terminal, one line per point otherwise. */
#ifndef TP_CLI_PROGRESS_H
#define TP_CLI_PROGRESS_H

#include <stddef.h>
#include <sys/types.h>

#include "tunepool/tunepool.h"

struct tp_cli_progress_state; /* shared with the redrawing process (progress.c) */

struct tp_cli_progress {
    int tty, quiet;
    struct tp_cli_progress_state *st; /* MAP_SHARED; NULL when there is no display */
    pid_t painter;                    /* the process that redraws the status line; 0 = none */
    const char *unit;                 /* the throughput's unit for --run ("runs/s", ...); NULL = tasks/s */
};

/* Starts the progress display. On a terminal (tty) and not quiet, a small
 * child process redraws the status line four times a second (a process, not
 * a thread: the sweep forks a child per point, which a multi-threaded
 * process must not do). guess_point_s estimates a point's time until one has
 * finished (0 = unknown); repeat 0 means auto, up to repeat_max. Never
 * fails: without the painter the line is only redrawn at each event. */
void tp_cli_progress_start(struct tp_cli_progress *pr, int tty, int quiet, int repeat, int repeat_max,
                           double guess_point_s);

/* Where the sweep reports finished repetitions (tp_sweep_opts.reps_done):
 * shared memory the point's child process can store into; NULL without a
 * display. */
volatile int *tp_cli_progress_reps_done(struct tp_cli_progress *pr);

/* The sweep's progress callback (struct tp_sweep_opts.progress); ctx is the
 * struct tp_cli_progress. */
void tp_cli_progress_event(void *ctx, const struct tp_progress *p);

/* Stops the painter, clears the status line, frees what start made. */
void tp_cli_progress_stop(struct tp_cli_progress *pr);

#endif
