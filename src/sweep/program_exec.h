/* program_exec.h - one run of a command: its own process group, output kept in bounded rings, time limit, rusage. */
#ifndef TP_SRC_PROGRAM_EXEC_H
#define TP_SRC_PROGRAM_EXEC_H

#include <signal.h>
#include <stddef.h>

#include "tunepool/tunepool.h"

/* What to run and how. */
struct tp__exec_cmd {
    char *const *argv; /* argv[0] looked up in PATH (posix_spawnp) */
    char *const *envp;
    double timeout_s;              /* 0 = no limit */
    int show_output;               /* copy the command's stdout/stderr to ours as well */
    int capture_stdout;            /* keep the last TP_PROGRAM_OUTPUT_MAX bytes of stdout */
    int kill_leftovers;            /* when the command exits, SIGKILL what is left in its process group */
    volatile sig_atomic_t *cancel; /* may be NULL: set non-zero to stop the command */
};

/* How it went. */
struct tp__exec_result {
    int spawn_error; /* negative errno when it could not be started (nothing ran) */
    int exit_code;   /* its exit status, -1 when a signal ended it */
    int signal;      /* the signal that ended it, 0 = none */
    int timed_out;   /* 1: stopped at the time limit */
    int cancelled;   /* 1: stopped because *cancel was set */
    double wall_s, user_s, sys_s;
    long max_rss_kb, nvcsw, nivcsw;
    char *out; /* capture_stdout: its stdout (the last bytes), terminated; owned by
                                 * the result: free with tp__exec_result_clear */
    size_t out_len;
    char tail[TP_PROGRAM_TAIL_BYTES]; /* the last TP_PROGRAM_TAIL_LINES lines of its stderr */
};

/* Runs cmd to its end in a new process group (stdin from /dev/null), as
 * tunepool.h (Programs) describes, and fills *res. A run past the limit or
 * cancelled gets SIGTERM to its group, SIGKILL TP_PROGRAM_GRACE_MS later,
 * and is reaped; then (and with kill_leftovers) the group is emptied, waiting
 * up to a second for its members to go. Returns 0 when the command ran (its
 * outcome is in res), a negative errno when it could not be started
 * (res->spawn_error, res->tail say why) or the harness failed (pipes, poll). */
int tp__exec_run(const struct tp__exec_cmd *cmd, struct tp__exec_result *res);

/* Frees res->out. */
void tp__exec_result_clear(struct tp__exec_result *res);

/* Whether process group pgid still has a member: 1, 0, or a negative errno. */
int tp__exec_group_alive(int pgid);

#endif
