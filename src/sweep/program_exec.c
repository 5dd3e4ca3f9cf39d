/* program_exec.c - one run of a command: its own process group, output kept in bounded rings, time limit, rusage. */

/*
 * DESIGN
 * The command is started with posix_spawnp in a new process group (its pid
 * is the group id), stdin from /dev/null, stderr (and stdout when captured)
 * into close-on-exec pipes whose read ends are non-blocking. One loop in the
 * calling thread polls a pidfd of the child (Linux >= 5.3; without one it
 * polls waitid(WNOWAIT) every 2 ms) and the pipes, so the exit is seen the
 * moment it happens (the wall time ends there) and a command that writes a
 * lot never blocks on a full pipe. Each wake-up also looks at the time limit
 * and the cancel flag (at least every 50 ms). The pipes only keep the last
 * bytes (a ring of twice the size kept, compacted when full). The exit is
 * read with wait4(), whose rusage covers the child and the descendants it
 * waited for. No signal handler is installed and nothing but the child's
 * own group is ever signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "program_exec.h"

#define POLL_MS 50          /* the limit and the cancel flag are looked at this often */
#define POLL_NO_PIDFD_MS 2  /* without a pidfd, the exit is looked for this often */
#define STDERR_KEEP 4096    /* stderr bytes kept to cut the tail lines from */
#define DRAIN_READS 64      /* after the exit, at most this many reads per pipe */
#define EMPTY_GROUP_MS 1000 /* how long to wait for a killed group to go */

/* The last `keep` bytes written to it (storage: 2 x keep). */
struct keep {
    char *buf;
    size_t keep, len;
};

static int keep_init(struct keep *k, size_t keep)
{
    k->keep = keep;
    k->len = 0;
    k->buf = malloc(2 * keep + 1);
    return k->buf != NULL ? 0 : -ENOMEM;
}

static void keep_put(struct keep *k, const char *s, size_t n)
{
    if (n >= k->keep) {
        memcpy(k->buf, s + n - k->keep, k->keep);
        k->len = k->keep;
        return;
    }
    if (k->len + n > 2 * k->keep) {
        size_t stay = k->keep - n; /* of the old bytes, these are among the last `keep` */
        memmove(k->buf, k->buf + k->len - stay, stay);
        k->len = stay;
    }
    memcpy(k->buf + k->len, s, n);
    k->len += n;
}

/* The kept bytes, terminated, at the start of the buffer. */
static char *keep_text(struct keep *k, size_t *len)
{
    size_t start = k->len > k->keep ? k->len - k->keep : 0;
    memmove(k->buf, k->buf + start, k->len - start);
    k->len -= start;
    k->buf[k->len] = '\0';
    for (size_t i = 0; i < k->len; i++)
        if (k->buf[i] == '\0')
            k->buf[i] = ' '; /* text from here on: a NUL would cut it */
    if (len != NULL)
        *len = k->len;
    return k->buf;
}

/* The last TP_PROGRAM_TAIL_LINES lines of text into tail. */
static void cut_tail(const char *text, size_t len, char *tail)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    size_t start = len;
    int lines = 0;
    while (start > 0) {
        if (text[start - 1] == '\n' && ++lines == TP_PROGRAM_TAIL_LINES)
            break;
        start--;
    }
    if (len - start > TP_PROGRAM_TAIL_BYTES - 1)
        start = len - (TP_PROGRAM_TAIL_BYTES - 1);
    memcpy(tail, text + start, len - start);
    tail[len - start] = '\0';
}

/* One run while it goes. */
struct run {
    const struct tp__exec_cmd *cmd;
    struct tp__exec_result *res;
    pid_t pid;
    int pidfd;
    int out_fd, err_fd; /* read ends; -1 once closed */
    struct keep out, err;
    uint64_t t0, end, deadline, kill_at;
    int stopping, killed;
};

static int open_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    return 0;
}

static void spawn_attrs(posix_spawnattr_t *attr)
{
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    /* Signals a caller (a shell, a CLI) may ignore or catch: the program
     * starts with each at its default disposition. */
    static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&dfl, sigs[i]);
    posix_spawnattr_init(attr);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(attr, 0);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setsigdefault(attr, &dfl);
}

/* Starts the command. Returns 0 or a negative errno (res says why). */
static int spawn_cmd(struct run *r)
{
    int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
    int rc = open_pipe(errp);
    if (rc == 0 && r->cmd->capture_stdout)
        rc = open_pipe(outp);
    if (rc < 0) {
        if (errp[0] >= 0) {
            close(errp[0]);
            close(errp[1]);
        }
        return rc;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (outp[1] >= 0)
        posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    else if (!r->cmd->show_output)
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    spawn_attrs(&attr);
    r->t0 = tp__now_ns();
    int sp = posix_spawnp(&r->pid, r->cmd->argv[0], &fa, &attr, r->cmd->argv, r->cmd->envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(errp[1]);
    if (outp[1] >= 0)
        close(outp[1]);
    r->err_fd = errp[0];
    r->out_fd = outp[0];
    if (sp != 0) {
        r->res->spawn_error = -sp;
        snprintf(r->res->tail, sizeof r->res->tail, "cannot run '%s': %s", r->cmd->argv[0], strerror(sp));
        return -sp;
    }
#ifdef SYS_pidfd_open
    r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
#endif
    return 0;
}

/* Reads what fd has (one read); closes it at its end. Copies to `to` (an
 * fd of ours, -1 = none). */
static void pump(int *fd, struct keep *k, int to)
{
    char buf[16384];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) {
        if (k != NULL)
            keep_put(k, buf, (size_t)n);
        for (ssize_t off = 0; to >= 0 && off < n;) {
            ssize_t w = write(to, buf + off, (size_t)(n - off));
            if (w <= 0)
                break; /* our own output closed: the run goes on */
            off += w;
        }
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(*fd);
        *fd = -1;
    }
}

static void start_stopping(struct run *r, uint64_t now)
{
    kill(-r->pid, SIGTERM);
    r->stopping = 1;
    r->kill_at = now + (uint64_t)TP_PROGRAM_GRACE_MS * 1000000u;
}

static int ms_until(uint64_t now, uint64_t t, int cap)
{
    if (t <= now)
        return 0;
    uint64_t ms = (t - now + 999999u) / 1000000u;
    return ms < (uint64_t)cap ? (int)ms : cap;
}

/* The time limit, the cancel flag and the kill after the grace time;
 * returns how long poll may wait. */
static int check_limits(struct run *r)
{
    uint64_t now = tp__now_ns();
    int wait_ms = r->pidfd >= 0 ? POLL_MS : POLL_NO_PIDFD_MS;
    if (!r->stopping && r->deadline > 0 && now >= r->deadline) {
        r->res->timed_out = 1;
        start_stopping(r, now);
    }
    if (!r->stopping && r->cmd->cancel != NULL && *r->cmd->cancel) {
        r->res->cancelled = 1;
        start_stopping(r, now);
    }
    if (r->stopping && !r->killed && now >= r->kill_at) {
        kill(-r->pid, SIGKILL);
        r->killed = 1;
    }
    if (!r->stopping && r->deadline > 0)
        wait_ms = ms_until(now, r->deadline, wait_ms);
    if (r->stopping && !r->killed)
        wait_ms = ms_until(now, r->kill_at, wait_ms);
    return wait_ms;
}

static int child_exited(const struct run *r, const struct pollfd *pf)
{
    if (r->pidfd >= 0)
        return (pf->revents & (POLLIN | POLLHUP | POLLERR)) != 0;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == r->pid;
}

/* Until the child exits: pipes, limits. Returns 0 or a negative errno. */
static int watch(struct run *r)
{
    int show = r->cmd->show_output;
    for (;;) {
        int wait_ms = check_limits(r);
        struct pollfd pf[3] = { { r->pidfd, POLLIN, 0 }, { r->out_fd, POLLIN, 0 }, { r->err_fd, POLLIN, 0 } };
        int n = poll(pf, 3, wait_ms);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0 && r->out_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
            pump(&r->out_fd, &r->out, show ? STDOUT_FILENO : -1);
        if (n > 0 && r->err_fd >= 0 && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)))
            pump(&r->err_fd, &r->err, show ? STDERR_FILENO : -1);
        if (child_exited(r, &pf[0])) {
            r->end = tp__now_ns();
            return 0;
        }
    }
}

/* What is left in the pipes (a program's leftovers may hold them open: a
 * bounded number of reads, no waiting). */
static void drain(struct run *r)
{
    int show = r->cmd->show_output;
    for (int i = 0; i < DRAIN_READS && r->out_fd >= 0; i++)
        pump(&r->out_fd, &r->out, show ? STDOUT_FILENO : -1);
    for (int i = 0; i < DRAIN_READS && r->err_fd >= 0; i++)
        pump(&r->err_fd, &r->err, show ? STDERR_FILENO : -1);
}

int tp__exec_group_alive(int pgid)
{
    if (kill(-pgid, 0) == 0)
        return 1;
    return errno == ESRCH ? 0 : -errno;
}

/* SIGKILL to the rest of the group, then wait (bounded) until it is gone. */
static void empty_group(pid_t pgid)
{
    if (kill(-pgid, SIGKILL) < 0)
        return; /* ESRCH: nothing left */
    for (int waited = 0; waited < EMPTY_GROUP_MS && tp__exec_group_alive(pgid) == 1; waited += 2)
        nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
}

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

static void reap(struct run *r)
{
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(r->pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    struct tp__exec_result *res = r->res;
    res->wall_s = (double)(r->end - r->t0) / 1e9;
    res->user_s = tv_s(ru.ru_utime);
    res->sys_s = tv_s(ru.ru_stime);
    res->max_rss_kb = ru.ru_maxrss;
    res->nvcsw = ru.ru_nvcsw;
    res->nivcsw = ru.ru_nivcsw;
    res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void close_run(struct run *r)
{
    if (r->pidfd >= 0)
        close(r->pidfd);
    if (r->out_fd >= 0)
        close(r->out_fd);
    if (r->err_fd >= 0)
        close(r->err_fd);
    free(r->err.buf);
    free(r->out.buf);
}

int tp__exec_run(const struct tp__exec_cmd *cmd, struct tp__exec_result *res)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    struct run r = { .cmd = cmd, .res = res, .pid = -1, .pidfd = -1, .out_fd = -1, .err_fd = -1 };
    int rc = keep_init(&r.err, STDERR_KEEP);
    if (rc == 0 && cmd->capture_stdout)
        rc = keep_init(&r.out, TP_PROGRAM_OUTPUT_MAX);
    if (rc == 0)
        rc = spawn_cmd(&r);
    if (rc < 0)
        goto out;
    if (cmd->timeout_s > 0)
        r.deadline = r.t0 + (uint64_t)(cmd->timeout_s * 1e9);
    rc = watch(&r);
    if (rc < 0) { /* the harness failed: do not leave the command running */
        kill(-r.pid, SIGKILL);
        r.end = tp__now_ns();
    }
    reap(&r);
    drain(&r);
    if (cmd->kill_leftovers || res->timed_out || res->cancelled || rc < 0)
        empty_group(r.pid);
    size_t len;
    char *err = keep_text(&r.err, &len);
    cut_tail(err, len, res->tail);
    if (cmd->capture_stdout) {
        res->out = keep_text(&r.out, &res->out_len);
        r.out.buf = NULL; /* now the result's */
    }
out:
    close_run(&r);
    return rc;
}

void tp__exec_result_clear(struct tp__exec_result *res)
{
    free(res->out);
    res->out = NULL;
    res->out_len = 0;
}
