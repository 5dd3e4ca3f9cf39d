/* netserver.h - the loopback request/response server the net workload talks to, in its own process. */
#ifndef TP_SRC_NETSERVER_H
#define TP_SRC_NETSERVER_H

#include <stdint.h>
#include <sys/types.h>

struct tp__netserver_opts {
    uint64_t delay_ns;     /* wait (a timer, not a spin) between a request and its reply */
    uint32_t request_size; /* bytes read per request */
    uint32_t reply_size;   /* bytes written per reply */
};

/* Starts the server: binds 127.0.0.1 on a free port (chosen by the kernel)
 * and listens in the calling process, then forks the server process, which
 * dies with the calling thread (PR_SET_PDEATHSIG) and serves each
 * connection on its own thread: read request_size bytes, wait delay_ns,
 * write reply_size bytes, until the client closes. Connections can be made
 * as soon as this returns. Stores the process in *pid and the port in
 * *port. Returns 0 or a negative errno. */
int tp__netserver_start(const struct tp__netserver_opts *opts, pid_t *pid, int *port);

/* Blocking socket I/O of exactly n bytes (EINTR resumed, SIGPIPE never
 * raised). Return 0, or -1 on an error or a closed peer. Used by the server
 * and by the net workload's clients. */
int tp__net_recv_all(int fd, void *buf, size_t n);
int tp__net_send_all(int fd, const void *buf, size_t n);

/* Kills the server (SIGKILL) and reaps it. pid <= 0 is a no-op. */
void tp__netserver_stop(pid_t pid);

#endif
