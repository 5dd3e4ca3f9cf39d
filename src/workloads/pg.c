/* pg.c - the pg workload: each task runs a prepared statement on the worker's own PostgreSQL connection (libpq). */

/*
 * DESIGN
 * The pool of threads is the connection pool. Each worker opens its own
 * connection in thread_init (so connecting is never timed), prepares every
 * statement of the mix on it (PQprepare, once per connection) and closes it
 * in thread_fini; task i runs statement i % n, its
 * {task} bound as the text parameter $1 = i (sent with PQsendQueryPrepared
 * and read back before poll() is asked: see exec_stmt). A connection the server
 * refuses (max_connections reached, a bad password) fails thread_init with
 * libpq's message (tp__workload_fail_detail), and so the point, which shows
 * that message; the sweep goes on with the other sizes. A statement that
 * fails is counted as an error; a connection that broke is reset (and its
 * statements prepared again) by the worker's next task.
 *
 * Every connection of a point carries the application_name
 * "tune-pool-<pid of the point's process>". During the repetitions a
 * monitor thread, on a connection of its own (not one of the pool's),
 * samples pg_stat_activity every TP_SERVER_SAMPLE_MS for the backends of
 * that name: how many are active, and what they wait on ("CPU" for an
 * active backend with no wait event, as the usual sampling tools name it).
 * The monitor only reads the clock and sleeps between samples: it is off
 * the tasks' path, though on a small machine its one query per sample
 * shares the cores with them.
 *
 * On the event loops (exec/evloop.h) each in-flight slot has its own
 * connection, made blocking and prepared in slot_init, then switched to
 * non-blocking (PQsetnonblocking) and its socket watched edge-triggered:
 * start sends the statement (PQsendQueryPrepared, PQflush), resume flushes
 * what is left on EPOLLOUT and on EPOLLIN reads (PQconsumeInput) until
 * libpq is no longer busy, then takes the results (PQgetResult) until the
 * end. An edge says only that data came: after a read that left libpq
 * busy, a peek at the socket tells whether more is there already. The loop
 * thread itself has no connection (on_event_loop): only its slots do, so a
 * point holds exactly as many connections as tasks in flight.
 */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "clock.h"
#include "evloop.h"
#include "pg_query.h"
#include "registry.h"
#include "vec.h"
#include "workload.h"

#define APP_NAME "tune-pool"
#define MAX_SERVER_CORES 65536u
#define MONITOR_EVENTS 32 /* distinct wait events the monitor tells apart */

/* ---- connections ---- */

/* A connection to conninfo with our application_name (it overrides one
 * the string sets). NULL only when libpq is out of memory. */
static PGconn *pg_connect(const char *conninfo, const char *app)
{
    const char *keys[] = { "dbname", "application_name", NULL };
    const char *vals[] = { conninfo, app, NULL };
    return PQconnectdbParams(keys, vals, 1);
}

/* The name of statement i on every connection. */
static void stmt_name(char *buf, size_t len, size_t i) { snprintf(buf, len, "tp%zu", i); }

/* Prepares the mix on c. Returns 0, or -EPROTO with the failing statement
 * and the server's message in err. */
static int prepare_all(PGconn *c, const struct tp__pg_queries *q, char *err, size_t errlen)
{
    for (size_t i = 0; i < q->n; i++) {
        char name[24];
        stmt_name(name, sizeof name, i);
        PGresult *r = PQprepare(c, name, q->q[i].sql, q->q[i].n_params, NULL);
        int ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            snprintf(err, errlen, "--query: the server refused to prepare \"%s\": %s", q->q[i].sql,
                     r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c));
        PQclear(r);
        if (!ok)
            return -EPROTO;
    }
    return 0;
}

/* A connection ready for tasks: connected, with the mix prepared. Returns
 * 0, or -ENOMEM / -ECONNREFUSED / -EPROTO with libpq's message in err. */
static int open_conn(PGconn **out, const char *conninfo, const char *app, const struct tp__pg_queries *q, char *err,
                     size_t errlen)
{
    PGconn *c = pg_connect(conninfo, app);
    *out = NULL;
    if (c == NULL)
        return -ENOMEM;
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "%s", PQerrorMessage(c));
        PQfinish(c);
        return -ECONNREFUSED;
    }
    int rc = prepare_all(c, q, err, errlen);
    if (rc < 0) {
        PQfinish(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ---- the kind's checks ---- */

static int pg_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    if (strnlen(p->pg_conninfo, sizeof p->pg_conninfo) == 0) {
        snprintf(err, errlen, "--workload=pg: needs --conninfo=STR (a libpq connection string)");
        return -EINVAL;
    }
    if (tp__pg_query_values(p) == 0) {
        snprintf(err, errlen, "--workload=pg: needs --query=SQL (or --query=@FILE)");
        return -EINVAL;
    }
    if (p->server_cores > MAX_SERVER_CORES || p->spindles > MAX_SERVER_CORES) {
        snprintf(err, errlen, "--server-cores, --spindles: at most %u", MAX_SERVER_CORES);
        return -EINVAL;
    }
    return 0;
}

static int pg_check_options(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen)
{
    int rc = tp__workload_refuse_latency(p, latency_given, err, errlen);
    return rc < 0 ? rc : pg_validate(p, err, errlen);
}

/* The preflight: the statements parse, the server takes a connection and
 * prepares every one of them. Nothing is left behind. */
static int pg_check(struct tp_workload_params *p, char *err, size_t errlen)
{
    struct tp__pg_queries q;
    char why[512] = "";
    int rc = tp__pg_queries_load(p, &q, err, errlen);
    if (rc < 0)
        return rc;
    PGconn *c;
    rc = open_conn(&c, p->pg_conninfo, APP_NAME, &q, why, sizeof why);
    char line[sizeof why];
    tp__one_line(line, sizeof line, why); /* libpq's lines as one */
    if (rc == -ECONNREFUSED)
        snprintf(err, errlen, "--conninfo: cannot connect to the server: %s", line);
    else if (rc < 0)
        snprintf(err, errlen, "%s", line);
    PQfinish(c);
    tp__pg_queries_free(&q);
    return rc;
}

/* ---- the point ---- */

struct pg_monitor;

struct pg_state {
    struct tp__pg_queries q;
    char app[64]; /* application_name of the point's connections */
    struct pg_monitor *monitor;
};

static int pg_setup(struct tp__workload *w)
{
    struct pg_state *s = calloc(1, sizeof(*s));
    char err[256];
    if (s == NULL)
        return -ENOMEM;
    int rc = tp__pg_queries_load(&w->params, &s->q, err, sizeof err);
    if (rc < 0) {
        free(s);
        return rc;
    }
    snprintf(s->app, sizeof s->app, "%s-%ld", APP_NAME, (long)getpid());
    w->state = s;
    return 0;
}

static void pg_teardown(struct tp__workload *w)
{
    struct pg_state *s = w->state;
    if (s != NULL)
        tp__pg_queries_free(&s->q);
    free(s);
    w->state = NULL;
}

/* One worker's connection; broken: reset it before the next task. */
struct pg_thread {
    PGconn *conn;
    int broken;
};

/* A refused connection is tried again for up to RETRY_MS: the previous
 * point's backends may still be exiting (the server frees a slot only when
 * its backend is gone), which is not this size's limit. */
#define RETRY_MS 300

/* Opens c for w, or records libpq's message as the point's detail. */
static int open_for(struct tp__workload *w, PGconn **c)
{
    const struct pg_state *s = w->state;
    char why[512] = "";
    uint64_t t0 = tp__now_ns();
    int rc;
    for (unsigned delay_ms = 5;; delay_ms *= 2) {
        rc = open_conn(c, w->params.pg_conninfo, s->app, &s->q, why, sizeof why);
        if (rc != -ECONNREFUSED || tp__now_ns() - t0 + delay_ms * 1000000ull > RETRY_MS * 1000000ull)
            break;
        usleep(delay_ms * 1000);
    }
    if (rc < 0)
        tp__workload_fail_detail(w, why);
    return rc;
}

/* Set on an event loop's thread before its per-thread state is made: the
 * loop's slots have the connections, the loop thread needs only counters. */
static _Thread_local int on_event_loop;

static int pg_thread_init(struct tp__workload *w, struct tp__wthread *t)
{
    if (on_event_loop)
        return 0; /* t->data stays NULL */
    struct pg_thread *pt = calloc(1, sizeof(*pt));
    if (pt == NULL)
        return -ENOMEM;
    int rc = open_for(w, &pt->conn);
    if (rc < 0) {
        free(pt);
        return rc;
    }
    t->data = pt;
    return 0;
}

static void pg_thread_fini(struct tp__workload *w, struct tp__wthread *t)
{
    (void)w;
    struct pg_thread *pt = t->data;
    if (pt == NULL)
        return;
    PQfinish(pt->conn);
    free(pt);
    t->data = NULL;
}

/* A connection that broke: reset, and the statements prepared again. */
static int revive(const struct pg_state *s, PGconn *c)
{
    char why[512];
    PQreset(c);
    return PQstatus(c) == CONNECTION_OK ? prepare_all(c, &s->q, why, sizeof why) : -ECONNRESET;
}

/* The result statuses a statement may end with. */
static int result_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_EMPTY_QUERY;
}

/* Takes the results of the statement in flight on c as far as they have
 * come, never waiting (PQconsumeInput reads what the socket holds): 1 when
 * all are in (*ok cleared by a failed one), 0 when more must come first,
 * -1 when the connection broke. */
static int take_results(PGconn *c, int *ok)
{
    if (PQconsumeInput(c) == 0)
        return -1;
    while (!PQisBusy(c)) {
        PGresult *r = PQgetResult(c);
        if (r == NULL)
            return 1;
        *ok &= result_ok(r);
        PQclear(r);
    }
    return 0;
}

/* Runs statement k with its parameter on c, blocking: 1 when it succeeded.
 * The reply is read before poll() is asked (as pgbench does), so a reply
 * already there costs no wait: PQexecPrepared polls first, every time. */
static int exec_stmt(PGconn *c, const char *name, int n_params, const char *const *vals)
{
    int ok = 1, rc = PQsendQueryPrepared(c, name, n_params, vals, NULL, NULL, 0) ? 0 : -1;
    while (rc == 0 && (rc = take_results(c, &ok)) == 0) {
        struct pollfd pfd = { .fd = PQsocket(c), .events = POLLIN };
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            rc = -1;
    }
    return rc == 1 && ok;
}

static void pg_task(struct tp__workload *w, uint64_t index)
{
    const struct pg_state *s = w->state;
    struct tp__wthread *t = tp__wthread_get(w);
    struct pg_thread *pt = t->data;
    if (pt == NULL || (pt->broken && revive(s, pt->conn) < 0)) {
        tp__wthread_count(t, 0, 0);
        return;
    }
    pt->broken = 0;
    size_t k = (size_t)(index % s->q.n);
    char name[24], arg[24];
    stmt_name(name, sizeof name, k);
    snprintf(arg, sizeof arg, "%" PRIu64, index);
    const char *vals[1] = { arg };
    tp__wthread_count(t, exec_stmt(pt->conn, name, s->q.q[k].n_params, vals), 0);
    if (PQstatus(pt->conn) != CONNECTION_OK)
        pt->broken = 1;
}

/* ---- what the server saw: the monitor ---- */

/* DESIGN (the monitor): its thread owns conn and the tallies while it
 * runs; stop (guarded by lock, signalled by cond) ends it; observe_stop
 * reads the tallies after the join. */
struct pg_monitor {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop; /* guarded by lock */
    PGconn *conn;
    const char *app;
    int samples, active_max;
    double active_sum;
    int n_events;
    struct {
        char name[64];
        double count;
    } events[MONITOR_EVENTS];
};

#define SAMPLE_SQL                                                                              \
    "SELECT state = 'active', CASE WHEN wait_event IS NOT NULL THEN wait_event_type || ':' || " \
    "wait_event WHEN state = 'active' THEN 'CPU' ELSE '' END FROM pg_stat_activity WHERE "      \
    "application_name = $1 AND pid <> pg_backend_pid()"

static void tally_event(struct pg_monitor *m, const char *name)
{
    int i = 0;
    while (i < m->n_events && strcmp(m->events[i].name, name) != 0)
        i++;
    if (i == m->n_events) {
        if (m->n_events == MONITOR_EVENTS)
            return;
        snprintf(m->events[m->n_events++].name, sizeof m->events[0].name, "%s", name);
    }
    m->events[i].count += 1;
}

/* One sample of pg_stat_activity; 0, or -1 when the query failed. */
static int sample_once(struct pg_monitor *m)
{
    const char *vals[1] = { m->app };
    PGresult *r = PQexecPrepared(m->conn, "tp_monitor", 1, vals, NULL, NULL, 0);
    if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -1;
    }
    int active = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        active += PQgetvalue(r, row, 0)[0] == 't';
        const char *ev = PQgetvalue(r, row, 1);
        if (ev[0] != '\0')
            tally_event(m, ev);
    }
    PQclear(r);
    m->samples++;
    m->active_sum += active;
    if (active > m->active_max)
        m->active_max = active;
    return 0;
}

static void *monitor_main(void *arg)
{
    struct pg_monitor *m = arg;
    pthread_mutex_lock(&m->lock);
    while (!m->stop) {
        pthread_mutex_unlock(&m->lock);
        int rc = sample_once(m);
        pthread_mutex_lock(&m->lock);
        if (rc < 0)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += TP_SERVER_SAMPLE_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!m->stop && pthread_cond_timedwait(&m->cond, &m->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* Starts the monitor; without a connection of its own (the server full)
 * the point is simply not observed. */
static void pg_observe_start(struct tp__workload *w)
{
    struct pg_state *s = w->state;
    struct pg_monitor *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return;
    m->app = s->app;
    m->conn = pg_connect(w->params.pg_conninfo, APP_NAME "-monitor");
    PGresult *r = m->conn != NULL && PQstatus(m->conn) == CONNECTION_OK
                      ? PQprepare(m->conn, "tp_monitor", SAMPLE_SQL, 1, NULL)
                      : NULL;
    int ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->cond, NULL);
    if (!ok || pthread_create(&m->thread, NULL, monitor_main, m) != 0) {
        PQfinish(m->conn);
        pthread_mutex_destroy(&m->lock);
        pthread_cond_destroy(&m->cond);
        free(m);
        return;
    }
    s->monitor = m;
}

/* The tallies as the point's view: the means per sample, the top waits. */
static void fill_view(const struct pg_monitor *m, struct tp_server_view *out)
{
    if (m->samples == 0)
        return;
    out->samples = m->samples;
    out->active_max = m->active_max;
    out->active_mean = m->active_sum / m->samples;
    for (int k = 0; k < TP_SERVER_WAITS; k++) {
        int best = -1;
        for (int i = 0; i < m->n_events; i++) {
            int taken = 0;
            for (int j = 0; j < out->n_waits; j++)
                taken |= strcmp(out->waits[j].event, m->events[i].name) == 0;
            if (!taken && (best < 0 || m->events[i].count > m->events[best].count))
                best = i;
        }
        if (best < 0)
            break;
        struct tp_server_wait *wt = &out->waits[out->n_waits++];
        snprintf(wt->event, sizeof wt->event, "%s", m->events[best].name);
        wt->mean = m->events[best].count / m->samples;
    }
}

static void pg_observe_stop(struct tp__workload *w, struct tp_server_view *out)
{
    struct pg_state *s = w->state;
    struct pg_monitor *m = s->monitor;
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    m->stop = 1;
    pthread_cond_signal(&m->cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    fill_view(m, out);
    PQfinish(m->conn);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    free(m);
    s->monitor = NULL;
}

/* ---- on an event loop ---- */

struct pg_loop {
    struct tp__workload *w;
    struct tp__wthread *wt;
};

struct pg_slot {
    struct pg_loop *pl;
    struct tp__evloop_slot *slot;
    PGconn *conn;
    int broken;   /* the server closed it: reset before the next task */
    int flushing; /* the statement is not all sent yet */
    int ok;       /* every result of the task so far is a success */
    char arg[24];
};

#define PG_WATCH (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static int pg_loop_init(void *ctx, int loop_index, void **loop)
{
    struct tp__workload *w = ctx;
    struct pg_loop *pl = malloc(sizeof(*pl));
    if (pl == NULL)
        return -ENOMEM;
    on_event_loop = 1; /* no connection of its own: it would carry nothing */
    tp__workload_thread_start(w, loop_index);
    pl->w = w;
    pl->wt = tp__wthread_get(w);
    *loop = pl;
    return 0;
}

static void pg_loop_fini(void *loop) { free(loop); }

/* Non-blocking from now on, its socket watched for the slot. */
static int slot_arm(struct pg_slot *s)
{
    if (PQsetnonblocking(s->conn, 1) != 0)
        return -EIO;
    return tp__evloop_watch(s->slot, PQsocket(s->conn), PG_WATCH);
}

static int pg_slot_init(void *loop, struct tp__evloop_slot *slot, void **task)
{
    struct pg_loop *pl = loop;
    struct pg_slot *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -ENOMEM;
    s->pl = pl;
    s->slot = slot;
    int rc = open_for(pl->w, &s->conn); /* blocking, before anything is timed */
    if (rc == 0 && (rc = slot_arm(s)) < 0)
        PQfinish(s->conn);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *task = s;
    return 0;
}

static void pg_slot_fini(void *loop, void *task)
{
    (void)loop;
    struct pg_slot *s = task;
    PQfinish(s->conn); /* closing the socket also ends its watch */
    free(s);
}

static enum tp__evloop_next slot_done(struct pg_slot *s, int ok)
{
    tp__wthread_count(s->pl->wt, ok, 0);
    if (PQstatus(s->conn) != CONNECTION_OK)
        s->broken = 1;
    return TP__EVLOOP_DONE;
}

/* Whether the socket holds bytes libpq has not read yet. */
static int more_to_read(PGconn *c)
{
    char b;
    return recv(PQsocket(c), &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* Reads and takes results as far as they go without blocking. */
static enum tp__evloop_next slot_progress(struct pg_slot *s)
{
    if (s->flushing) {
        int f = PQflush(s->conn);
        if (f < 0)
            return slot_done(s, 0);
        if (f > 0)
            return TP__EVLOOP_FD; /* the next EPOLLOUT edge sends the rest */
        s->flushing = 0;
    }
    for (;;) {
        int rc = take_results(s->conn, &s->ok);
        if (rc != 0)
            return slot_done(s, rc > 0 && s->ok);
        if (!more_to_read(s->conn))
            return TP__EVLOOP_FD; /* the next EPOLLIN edge brings the rest */
    }
}

/* A connection the server closed: a blocking reset (this task's time), its
 * socket watched again. */
static int slot_revive(struct pg_slot *s)
{
    const struct pg_state *st = s->pl->w->state;
    PQsetnonblocking(s->conn, 0);
    if (revive(st, s->conn) < 0)
        return -1;
    s->broken = 0;
    return slot_arm(s) < 0 ? -1 : 0;
}

static enum tp__evloop_next pg_start(void *loop, void *task, uint64_t index, uint64_t now_ns, uint64_t *deadline_ns)
{
    (void)loop;
    (void)now_ns;
    (void)deadline_ns;
    struct pg_slot *s = task;
    const struct pg_state *st = s->pl->w->state;
    if (s->broken && slot_revive(s) < 0)
        return slot_done(s, 0);
    size_t k = (size_t)(index % st->q.n);
    char name[24];
    stmt_name(name, sizeof name, k);
    snprintf(s->arg, sizeof s->arg, "%" PRIu64, index);
    const char *vals[1] = { s->arg };
    if (!PQsendQueryPrepared(s->conn, name, st->q.q[k].n_params, vals, NULL, NULL, 0))
        return slot_done(s, 0);
    s->ok = 1;
    s->flushing = 1;
    return slot_progress(s);
}

static enum tp__evloop_next pg_resume(void *loop, void *task, uint32_t events, uint64_t *deadline_ns)
{
    (void)loop;
    (void)events;
    (void)deadline_ns;
    return slot_progress(task);
}

/* Between tasks: a connection the server closed is reset by the next task. */
static void pg_idle_event(void *loop, void *task, uint32_t events)
{
    (void)loop;
    struct pg_slot *s = task;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        s->broken = 1;
}

static const struct tp__evloop_task_ops pg_async = {
    .loop_init = pg_loop_init,
    .slot_init = pg_slot_init,
    .start = pg_start,
    .resume = pg_resume,
    .idle_event = pg_idle_event,
    .slot_fini = pg_slot_fini,
    .loop_fini = pg_loop_fini,
};

/* ---- the kind ---- */

/* conninfo without its password, as "key=value ..." (the raw string when
 * libpq cannot parse it: then it holds no recognisable password either). */
static void safe_conninfo(const char *conninfo, char *buf, size_t len)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    if (opts == NULL) {
        snprintf(buf, len, "%s", conninfo);
        return;
    }
    size_t o = 0;
    buf[0] = '\0';
    for (PQconninfoOption *c = opts; c->keyword != NULL && o < len; c++) {
        if (c->val == NULL || c->val[0] == '\0' || strcmp(c->keyword, "password") == 0)
            continue;
        int n = snprintf(buf + o, len - o, "%s%s=%s", o > 0 ? " " : "", c->keyword, c->val);
        o = n < 0 ? len : o + (size_t)n;
    }
    PQconninfoFree(opts);
}

static void pg_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char ci[256];
    safe_conninfo(p->pg_conninfo, ci, sizeof ci);
    size_t n = tp__pg_query_values(p);
    const char *q = tp__pg_query_value(p, 0);
    if (n == 1)
        snprintf(buf, len, "pg: %s on %s, one connection per thread", q, ci);
    else
        snprintf(buf, len, "pg: a mix of %zu statements (%s, ...) on %s, one connection per thread", n,
                 q != NULL ? q : "", ci);
}

static int pg_report_json(json_t *wl, const struct tp_workload_params *p)
{
    char ci[TP_PG_CONNINFO_MAX];
    safe_conninfo(p->pg_conninfo, ci, sizeof ci);
    json_t *qs = json_array();
    int bad = qs == NULL;
    for (size_t i = 0; !bad && i < tp__pg_query_values(p); i++)
        bad |= json_array_append_new(qs, json_string(tp__pg_query_value(p, i)));
    bad |= json_object_set_new(wl, "conninfo", json_string(ci));
    bad |= json_object_set_new(wl, "queries", qs);
    bad |= json_object_set_new(wl, "server_cores", json_integer(p->server_cores));
    bad |= json_object_set_new(wl, "spindles", json_integer(p->spindles));
    return bad ? -1 : 0;
}

#define FIELD(f) \
    .offset = offsetof(struct tp_workload_params, f), .field_size = sizeof(((struct tp_workload_params *)0)->f)

static const struct tp_workload_option pg_options[] = {
    { .name = "conninfo",
      .type = TP_OPTION_STRING,
      .min = 1,
      .max = TP_PG_CONNINFO_MAX - 1,
      .expected = "connection string",
      .value_name = "STR",
      .help = "pg: the libpq connection string",
      FIELD(pg_conninfo) },
    { .name = "query",
      .type = TP_OPTION_STRING_LIST,
      .min = 1,
      .max = TP_PG_QUERIES_MAX - 2,
      .expected = "statement",
      .value_name = "SQL",
      .help = "pg: a statement per task, prepared (repeatable: a mix; @FILE: a file of them; {task}: $1)",
      FIELD(pg_queries) },
    { .name = "server-cores",
      .type = TP_OPTION_SIZE,
      .min = 1,
      .max = MAX_SERVER_CORES,
      .expected = "1 to 65536",
      .value_name = "N",
      .help = "pg: the server's cores, for 2 x server cores + spindles",
      FIELD(server_cores) },
    { .name = "spindles",
      .type = TP_OPTION_SIZE,
      .min = 0,
      .max = MAX_SERVER_CORES,
      .expected = "0 to 65536",
      .value_name = "N",
      .help = "pg: the server's disks, for 2 x server cores + spindles",
      FIELD(spindles) },
};

const struct tp__workload_ops tp__workload_pg_ops = {
    .kind = TP_WORKLOAD_PG,
    .name = "pg",
    .options = pg_options,
    .n_options = TP__ARRAY_LEN(pg_options),
    .check_options = pg_check_options,
    .validate = pg_validate,
    .check = pg_check,
    .describe = pg_describe,
    .setup = pg_setup,
    .task = pg_task,
    .teardown = pg_teardown,
    .thread_init = pg_thread_init,
    .thread_fini = pg_thread_fini,
    .observe_start = pg_observe_start,
    .observe_stop = pg_observe_stop,
    .async = &pg_async,
    .connection_pool = 1,
    .work_noun = "queries",
    .report_json = pg_report_json,
};
