/* netserver.c - the loopback request/response server the net workload talks to, in its own process. */

/*
 * DESIGN
 * The server is a separate process so that its CPU and its threads are
 * not the measured point's, and so that it outlives every point of the
 * sweep: the sweep starts it once and kills it after the last point, on
 * every path (an error, SIGINT/SIGTERM through the sweep's cancel flag).
 * If tune-pool itself dies, PR_SET_PDEATHSIG kills the server too.
 * The listening socket is bound and listening before the fork, so the port
 * is known and connectable when tp__netserver_start returns: no readiness
 * handshake is needed.
 * One thread per connection (the net workload opens one connection per
 * worker thread and reuses it): read a request, wait the delay on a real
 * timer (clock_nanosleep, absolute deadline), write the reply. The thread
 * ends when the client closes. Threads are detached with small stacks; the
 * reply bytes are one shared read-only buffer.
 */
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "netserver.h"
#include "synthetic.h"

#define SERVER_STACK (64u * 1024u)

static struct tp__netserver_opts server_opts; /* set once in the server process before any thread */
static char *reply_buf;                       /* read-only after start */

int tp__net_recv_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int tp__net_send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *serve_connection(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char *req = malloc(server_opts.request_size);
    while (req != NULL && tp__net_recv_all(fd, req, server_opts.request_size) == 0) {
        tp__block_ns(server_opts.delay_ns);
        if (tp__net_send_all(fd, reply_buf, server_opts.reply_size) < 0)
            break;
    }
    free(req);
    close(fd);
    return NULL;
}

static _Noreturn void server_main(int lfd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
    if (getppid() != parent) /* the parent died before prctl */
        _exit(0);
    tp__timer_slack_min();
    prctl(PR_SET_NAME, (unsigned long)"tp-netserver", 0UL, 0UL, 0UL);
    /* Stopped by the sweep (SIGKILL), not by a Ctrl-C meant for tune-pool. */
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    reply_buf = malloc(server_opts.reply_size);
    if (reply_buf == NULL)
        _exit(1);
    for (uint32_t i = 0; i < server_opts.reply_size; i++)
        reply_buf[i] = (char)('a' + i % 26);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, SERVER_STACK);
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                if (errno != EINTR && errno != ECONNABORTED)
                    usleep(1000);
                continue;
            }
            _exit(2);
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t th;
        if (pthread_create(&th, &attr, serve_connection, (void *)(intptr_t)fd) != 0)
            close(fd); /* the client sees the connection close: counted as its error */
    }
}

int tp__netserver_start(const struct tp__netserver_opts *opts, pid_t *pid, int *port)
{
    *pid = 0;
    *port = 0;
    if (opts->request_size == 0 || opts->reply_size == 0)
        return -EINVAL;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        return tp__from_errno();
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof addr;
    int rc = 0;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
        rc = tp__from_errno();
        close(lfd);
        return rc;
    }
    pid_t parent = getpid();
    server_opts = *opts;
    pid_t child = fork();
    if (child < 0) {
        rc = tp__from_errno();
        close(lfd);
        return rc;
    }
    if (child == 0)
        server_main(lfd, parent);
    close(lfd);
    *pid = child;
    *port = ntohs(addr.sin_port);
    return 0;
}

void tp__netserver_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}
