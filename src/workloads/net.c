/* net.c - the net workload: TCP request/response over loopback, one reused connection per worker or per event-loop slot. */

/*
 * DESIGN
 * On the pool each worker has one blocking connection (made by
 * thread_init, outside the timed tasks) and a task is send, then receive.
 * On the async executor (exec/evloop.h) each slot of a loop has its own
 * non-blocking connection, made by slot_init (a blocking connect to
 * loopback, then non-blocking) and watched once, edge triggered, for
 * EPOLLIN | EPOLLOUT: a task sends its request until EAGAIN, then reads the
 * reply until EAGAIN, and continues on the next edge. A broken connection
 * is closed (which also ends its watch), the task counted as an error, and
 * the slot's next task reconnects (non-blocking: it waits for the connect's
 * EPOLLOUT first). A connection the server closes between tasks is dropped
 * at once (idle_event).
 */
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "evloop.h"
#include "netserver.h"
#include "registry.h"
#include "vec.h"
#include "workload.h"

#define MAX_MSG (64u << 20)
#define MAX_DELAY_NS TP_MAX_DELAY_NS

static uint32_t reply_size(const struct tp_workload_params *p)
{
    return p->reply_size ? p->reply_size : TP_NET_DEFAULT_REPLY;
}

static uint32_t request_size(const struct tp_workload_params *p)
{
    return p->request_size ? p->request_size : TP_NET_DEFAULT_REQUEST;
}

static int net_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    if (reply_size(p) > MAX_MSG || request_size(p) > MAX_MSG || p->server_delay_ns > MAX_DELAY_NS)
        return -EINVAL;
    return 0;
}

static struct tp__netserver_opts server_opts_of(const struct tp_workload_params *p)
{
    struct tp__netserver_opts o = { p->server_delay_ns, request_size(p), reply_size(p) };
    return o;
}

static int net_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen)
{
    struct tp__netserver_opts o = server_opts_of(p);
    pid_t pid;
    int port;
    int rc = tp__netserver_start(&o, &pid, &port);
    if (rc < 0) {
        snprintf(err, errlen, "--workload=net: cannot start the loopback server: %s", strerror(-rc));
        return rc;
    }
    res->pid = pid;
    p->net_port = port;
    return 0;
}

static void net_sweep_teardown(struct tp_workload_params *p, struct tp__sweep_res *res)
{
    tp__netserver_stop(res->pid);
    res->pid = 0;
    p->net_port = 0;
}

struct net_state {
    int port;
    pid_t own_server; /* started by this point when no sweep did; 0 = none */
};

static int net_setup(struct tp__workload *w)
{
    struct net_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->port = w->params.net_port;
    if (s->port == 0) {
        /* Used alone (tests): a server for this point only. */
        struct tp__netserver_opts o = server_opts_of(&w->params);
        int rc = tp__netserver_start(&o, &s->own_server, &s->port);
        if (rc < 0) {
            free(s);
            return rc;
        }
    }
    w->state = s;
    return 0;
}

/* The loopback port the opened workload talks to (the sweep's server, or
 * the one its setup started); 0 if none. */
static int net_port(const struct tp__workload *w)
{
    const struct net_state *s = w->state;
    return w->params.net_port > 0 ? w->params.net_port : (s != NULL ? s->port : 0);
}

static void net_teardown(struct tp__workload *w)
{
    struct net_state *s = w->state;
    if (s != NULL)
        tp__netserver_stop(s->own_server);
    free(s);
    w->state = NULL;
}

struct net_thread {
    int fd; /* -1: not connected */
    char *req, *reply;
};

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A blocking connection to the server (TCP_NODELAY); -1 on failure. */
static int net_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = loopback(port);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        if (errno == EINTR)
            continue;
        close(fd);
        return -1;
    }
    return fd;
}

static int net_thread_init(struct tp__workload *w, struct tp__wthread *t)
{
    struct net_thread *nt = calloc(1, sizeof(*nt));
    if (nt == NULL)
        return -ENOMEM;
    nt->req = malloc(request_size(&w->params));
    nt->reply = malloc(reply_size(&w->params));
    if (nt->req == NULL || nt->reply == NULL) {
        free(nt->req);
        free(nt->reply);
        free(nt);
        return -ENOMEM;
    }
    memset(nt->req, 'q', request_size(&w->params));
    /* Connect now, outside the timed tasks; a failure is retried (and
     * counted) by the first task. */
    nt->fd = net_connect(((struct net_state *)w->state)->port);
    t->data = nt;
    return 0;
}

static void net_thread_fini(struct tp__workload *w, struct tp__wthread *t)
{
    (void)w;
    struct net_thread *nt = t->data;
    if (nt == NULL)
        return;
    if (nt->fd >= 0)
        close(nt->fd);
    free(nt->req);
    free(nt->reply);
    free(nt);
    t->data = NULL;
}

static void net_task(struct tp__workload *w, uint64_t index)
{
    struct tp__wthread *t = tp__wthread_get(w);
    struct net_thread *nt = t->data;
    if (nt == NULL) {
        tp__wthread_count(t, 0, 0);
        return;
    }
    if (nt->fd < 0)
        nt->fd = net_connect(((struct net_state *)w->state)->port);
    uint32_t rq = request_size(&w->params), rp = reply_size(&w->params);
    memcpy(nt->req, &index, rq < sizeof index ? rq : sizeof index);
    if (nt->fd < 0 || tp__net_send_all(nt->fd, nt->req, rq) < 0 || tp__net_recv_all(nt->fd, nt->reply, rp) < 0) {
        if (nt->fd >= 0)
            close(nt->fd);
        nt->fd = -1; /* reconnect on the next task */
        tp__wthread_count(t, 0, 0);
        return;
    }
    tp__wthread_count(t, 1, rp);
}

/* ---- on an event loop ---- */

/* One loop's view: the loop thread's counters and the server. */
struct net_loop {
    struct tp__wthread *wt;
    int port;
    uint32_t request_size, reply_size;
};

enum net_step { NET_CONNECT, NET_SEND, NET_RECV };

/* One slot's connection and the request in progress. */
struct net_slot {
    struct net_loop *nl;
    struct tp__evloop_slot *slot;
    enum net_step step;
    int fd; /* -1: not connected */
    char *req, *reply;
    size_t sent, got;
};

#define NET_WATCH (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static int net_loop_init(void *ctx, int loop_index, void **loop)
{
    struct tp__workload *w = ctx;
    int port = net_port(w);
    if (port <= 0)
        return -EINVAL;
    struct net_loop *nl = malloc(sizeof(*nl));
    if (nl == NULL)
        return -ENOMEM;
    tp__workload_thread_start(w, loop_index);
    nl->wt = tp__wthread_get(w);
    nl->port = port;
    nl->request_size = request_size(&w->params);
    nl->reply_size = reply_size(&w->params);
    *loop = nl;
    return 0;
}

static void net_loop_fini(void *loop) { free(loop); }

static void slot_close(struct net_slot *s)
{
    if (s->fd >= 0)
        close(s->fd); /* also leaves the epoll set: no other reference exists */
    s->fd = -1;
}

static int net_slot_init(void *loop, struct tp__evloop_slot *slot, void **task)
{
    struct net_loop *nl = loop;
    struct net_slot *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->nl = nl;
    s->slot = slot;
    s->req = malloc(nl->request_size);
    s->reply = malloc(nl->reply_size);
    if (s->req == NULL || s->reply == NULL) {
        free(s->req);
        free(s->reply);
        free(s);
        return -ENOMEM;
    }
    memset(s->req, 'q', nl->request_size);
    /* Connected now, outside the timed tasks; a failure is retried and
     * counted by the slot's first task. */
    s->fd = net_connect(nl->port);
    if (s->fd >= 0 &&
        (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK) < 0 || tp__evloop_watch(slot, s->fd, NET_WATCH) < 0))
        slot_close(s);
    *task = s;
    return 0;
}

static void net_slot_fini(void *loop, void *task)
{
    (void)loop;
    struct net_slot *s = task;
    slot_close(s);
    free(s->req);
    free(s->reply);
    free(s);
}

/* The task failed: the connection goes, the error is counted. */
static enum tp__evloop_next slot_fail(struct net_slot *s)
{
    slot_close(s);
    tp__wthread_count(s->nl->wt, 0, 0);
    return TP__EVLOOP_DONE;
}

/* Opens a non-blocking connection for s; 1 when connected already, 0 when
 * in progress, -1 on failure. */
static int slot_reconnect(struct net_slot *s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = loopback(s->nl->port);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    if (rc < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    s->fd = fd;
    if (tp__evloop_watch(s->slot, fd, NET_WATCH) < 0) {
        slot_close(s);
        return -1;
    }
    return rc == 0 ? 1 : 0;
}

/* Sends the rest of the request (NET_SEND) or reads the rest of the reply
 * (NET_RECV) until EAGAIN: 1 when complete, 0 to wait for the next edge,
 * -1 when the connection broke. */
static int slot_transfer(struct net_slot *s)
{
    int sending = s->step == NET_SEND;
    size_t want = sending ? s->nl->request_size : s->nl->reply_size;
    size_t *done = sending ? &s->sent : &s->got;
    while (*done < want) {
        ssize_t r = sending ? send(s->fd, s->req + *done, want - *done, MSG_NOSIGNAL | MSG_DONTWAIT)
                            : recv(s->fd, s->reply + *done, want - *done, MSG_DONTWAIT);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (r <= 0)
            return -1;
        *done += (size_t)r;
    }
    return 1;
}

/* Advances the request on s as far as it goes without blocking. */
static enum tp__evloop_next slot_progress(struct net_slot *s, uint32_t events)
{
    if (s->step == NET_CONNECT) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return TP__EVLOOP_FD;
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
            return slot_fail(s);
        s->step = NET_SEND;
    }
    for (;;) {
        int rc = slot_transfer(s);
        if (rc < 0)
            return slot_fail(s);
        if (rc == 0)
            return TP__EVLOOP_FD; /* the next EPOLLOUT / EPOLLIN edge continues */
        if (s->step == NET_RECV)
            break;
        s->step = NET_RECV;
    }
    tp__wthread_count(s->nl->wt, 1, s->nl->reply_size);
    return TP__EVLOOP_DONE;
}

static enum tp__evloop_next net_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)loop;
    (void)now_ns;
    (void)deadline_ns;
    struct net_slot *s = task;
    uint32_t rq = s->nl->request_size;
    memcpy(s->req, &index, rq < sizeof index ? rq : sizeof index);
    s->sent = s->got = 0;
    s->step = NET_SEND;
    if (s->fd < 0) {
        int rc = slot_reconnect(s);
        if (rc < 0)
            return slot_fail(s);
        if (rc == 0)
            s->step = NET_CONNECT;
    }
    return slot_progress(s, 0);
}

static enum tp__evloop_next net_resume(void *loop, void *task, uint32_t events, uint64_t *deadline_ns)
{
    (void)loop;
    (void)deadline_ns;
    return slot_progress(task, events);
}

/* Between tasks: a connection the server closed is dropped now. */
static void net_idle_event(void *loop, void *task, uint32_t events)
{
    (void)loop;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        slot_close(task);
}

static const struct tp__evloop_task_ops net_async = {
    .loop_init = net_loop_init,
    .slot_init = net_slot_init,
    .start = net_start,
    .resume = net_resume,
    .idle_event = net_idle_event,
    .slot_fini = net_slot_fini,
    .loop_fini = net_loop_fini,
};

/* ---- the kind ---- */

static void net_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char a[32], b[32], c[32];
    tp__workload_fmt_ns(a, sizeof a, p->server_delay_ns);
    tp__workload_fmt_bytes(b, sizeof b, request_size(p));
    tp__workload_fmt_bytes(c, sizeof c, reply_size(p));
    snprintf(buf, len, "net: TCP request %s -> reply %s over loopback, server delay %s, one connection per thread", b,
             c, a);
}

static int net_report_json(json_t *wl, const struct tp_workload_params *p)
{
    int bad = 0;
    bad |= json_object_set_new(wl, "server_delay_ns", json_integer((json_int_t)p->server_delay_ns));
    bad |= json_object_set_new(wl, "request_size", json_integer(request_size(p)));
    bad |= json_object_set_new(wl, "reply_size", json_integer(reply_size(p)));
    return bad ? -1 : 0;
}

#define FIELD(f) \
    .offset = offsetof(struct tp_workload_params, f), .field_size = sizeof(((struct tp_workload_params *)0)->f)

static const struct tp_workload_option net_options[] = {
    { .name = "server-delay",
      .type = TP_OPTION_DURATION,
      .min = 0,
      .max = (double)MAX_DELAY_NS,
      .expected = "0 to 60s, e.g. 1ms",
      .value_name = "DURATION",
      .help = "net: the server's wait (a timer) before each reply",
      FIELD(server_delay_ns) },
    { .name = "reply-size",
      .type = TP_OPTION_SIZE,
      .min = 1,
      .max = MAX_MSG,
      .expected = "1 to 64M, e.g. 1K",
      .value_name = "SIZE",
      .help = "net: bytes per reply",
      FIELD(reply_size) },
    { .name = "request-size",
      .type = TP_OPTION_SIZE,
      .min = 1,
      .max = MAX_MSG,
      .expected = "1 to 64M, e.g. 1K",
      .value_name = "SIZE",
      .help = "net: bytes per request",
      FIELD(request_size) },
};

const struct tp__workload_ops tp__workload_net_ops = {
    .kind = TP_WORKLOAD_NET,
    .name = "net",
    .options = net_options,
    .n_options = TP__ARRAY_LEN(net_options),
    .check_options = tp__workload_refuse_latency,
    .validate = net_validate,
    .describe = net_describe,
    .sweep_setup = net_sweep_setup,
    .sweep_teardown = net_sweep_teardown,
    .setup = net_setup,
    .task = net_task,
    .teardown = net_teardown,
    .thread_init = net_thread_init,
    .thread_fini = net_thread_fini,
    .async = &net_async,
    .work_noun = "requests",
    .report_json = net_report_json,
};
