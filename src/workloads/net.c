/* workload_net.c - the net workload: TCP request/response over loopback, one reused connection per worker. */
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netserver.h"
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

static int net_validate(const struct tp_workload_params *p)
{
    if (reply_size(p) > MAX_MSG || request_size(p) > MAX_MSG || p->server_delay_ns > MAX_DELAY_NS)
        return -EINVAL;
    return 0;
}

static struct tp__netserver_opts server_opts_of(const struct tp_workload_params *p)
{
    struct tp__netserver_opts o = {p->server_delay_ns, request_size(p), reply_size(p)};
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
    res->server_pid = pid;
    p->net_port = port;
    return 0;
}

static void net_sweep_teardown(struct tp_workload_params *p, struct tp__sweep_res *res)
{
    tp__netserver_stop(res->server_pid);
    res->server_pid = 0;
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

int tp__net_port(const struct tp__workload *w)
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

static int net_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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
        atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
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
        atomic_fetch_add_explicit(&t->errors, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&t->ops, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->bytes, rp, memory_order_relaxed);
}

const struct tp__workload_ops tp__workload_net_ops = {
    .kind = TP_WORKLOAD_NET,
    .name = "net",
    .validate = net_validate,
    .setup = net_setup,
    .task = net_task,
    .teardown = net_teardown,
    .thread_init = net_thread_init,
    .thread_fini = net_thread_fini,
    .sweep_setup = net_sweep_setup,
    .sweep_teardown = net_sweep_teardown,
};
