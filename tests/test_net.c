/* test_net.c - the loopback server and the net workload: real replies after a real delay, counted errors, cleanup. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "netserver.h"
#include "workload.h"

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

Test(net, server_replies_after_its_delay, .timeout = 30)
{
    struct tp__netserver_opts o = { .delay_ns = 20000000, .request_size = 16, .reply_size = 3000 };
    pid_t pid;
    int port;
    cr_assert_eq(tp__netserver_start(&o, &pid, &port), 0);
    cr_assert_gt(pid, 0);
    cr_assert_gt(port, 0);
    int fd = connect_to(port);
    cr_assert_geq(fd, 0);
    char req[16] = "hello", reply[3000];
    uint64_t t0 = tp__now_ns();
    cr_assert_eq(write(fd, req, sizeof req), (ssize_t)sizeof req);
    size_t got = 0;
    while (got < sizeof reply) {
        ssize_t r = read(fd, reply + got, sizeof reply - got);
        cr_assert_gt(r, 0);
        got += (size_t)r;
    }
    cr_assert_geq(tp__now_ns() - t0, 20000000u, "the reply waits for the server's delay");
    close(fd);
    tp__netserver_stop(pid);
    cr_assert_eq(kill(pid, 0), -1, "the server is gone and reaped");
    cr_assert_lt(connect_to(port), 0, "nothing listens any more");
}

Test(net, workload_counts_requests_and_bytes, .timeout = 30)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_NET, .server_delay_ns = 100000, .reply_size = 512 };
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0, "without a sweep the point starts its own server");
    for (uint64_t i = 0; i < 10; i++)
        w.ops->task(&w, i);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 10);
    cr_assert_eq(bytes, 5120);
    cr_assert_eq(errors, 0);
    tp__workload_close(&w);
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no server child left");
    cr_assert_eq(errno, ECHILD);
}

Test(net, a_dead_server_is_counted_not_fatal, .timeout = 30)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_NET, .reply_size = 64 };
    struct tp__sweep_res res;
    char err[256];
    cr_assert_eq(tp__workload_sweep_setup(&p, &res, err, sizeof err), 0, "%s", err);
    cr_assert_gt(p.net_port, 0);
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    w.ops->task(&w, 0);
    tp__workload_sweep_teardown(&p, &res); /* the server dies under the client */
    w.ops->task(&w, 1);
    w.ops->task(&w, 2);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 1);
    cr_assert_eq(errors, 2);
    tp__workload_close(&w);
}

Test(net, sweep_stops_its_server, .timeout = 60)
{
    struct tp_topology topo = { .effective_cores = 1 };
    double ms[] = { 1, 2 };
    struct tp_sweep_opts so = {
        .multipliers = ms,
        .n_multipliers = 2,
        .repeat = 1,
        .tasks = 20,
        .confidence = 0.95,
        .workload = { .kind = TP_WORKLOAD_NET, .server_delay_ns = 100000 },
    };
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&so, &topo, &r), 0);
    for (size_t i = 0; i < r.n_points; i++) {
        cr_assert_eq(r.points[i].status, TP_POINT_OK);
        cr_assert_eq(r.points[i].work_ops, 20);
        cr_assert_eq(r.points[i].work_bytes, 20 * TP_NET_DEFAULT_REPLY);
    }
    tp_result_free(&r);
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no server child left");
    cr_assert_eq(errno, ECHILD);
}
