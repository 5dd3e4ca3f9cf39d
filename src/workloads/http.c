/* http.c - the http workload: one HTTP request per task with libcurl, one kept-alive easy handle per worker. */

/*
 * DESIGN
 * A point's setup builds the request once (struct tp__http_req: the header
 * list, the body, the accepted statuses, the time limits), shared read-only
 * by every handle. On the pool each worker has one easy handle, made by
 * thread_init outside the timed tasks and kept for the whole point, so its
 * connection is reused from task to task the way a client's connection pool
 * reuses its connections (libcurl reconnects by itself when the server
 * closed one). A task is one transfer on that handle, driven through the
 * worker's own multi handle (ht_perform: what curl_easy_perform does, with
 * two system calls a request fewer); it succeeds when the transfer
 * completed and the status is in --ok-status; it fails (counted, never
 * fatal) on a transport error or another status. Each task also counts its
 * status (0 for a transport error) under the thread's keyed counts, so the
 * point's JSON says what the server answered. The async path (libcurl's
 * multi interface on the event loops, one multi handle per loop) is in
 * http_async.c.
 */
#include <stdint.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jansson.h>

#include "clock.h"
#include "http.h"
#include "http_async.h"
#include "registry.h"
#include "vec.h"
#include "workload.h"

#define MAX_BODY (64u << 20)

/* ---- the options' parsers ---- */

static void ok_set(struct tp__http_ok *ok, long lo, long hi)
{
    for (long s = lo; s <= hi; s++)
        ok->bits[s / 64] |= 1ull << (s % 64);
}

int tp__http_status_ok(const struct tp__http_ok *ok, long status)
{
    return status >= 0 && status < TP__HTTP_STATUS_MAX && (ok->bits[status / 64] >> (status % 64)) & 1u;
}

/* One status of a list at *s (3 digits, 100 .. 999); advances *s. */
static int parse_status(const char **s, long *out)
{
    const char *p = *s;
    long v = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p) && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (digits != 3 || v < 100)
        return -EINVAL;
    *s = p;
    *out = v;
    return 0;
}

int tp__http_parse_ok(const char *list, struct tp__http_ok *ok, char *why, size_t whylen)
{
    memset(ok, 0, sizeof *ok);
    const char *s = list != NULL && list[0] != '\0' ? list : TP_HTTP_DEFAULT_OK;
    for (;;) {
        long lo, hi;
        if (parse_status(&s, &lo) < 0)
            goto bad;
        hi = lo;
        if (*s == '-') {
            s++;
            if (parse_status(&s, &hi) < 0 || hi < lo)
                goto bad;
        }
        ok_set(ok, lo, hi);
        if (*s == '\0')
            return 0;
        if (*s++ != ',')
            goto bad;
    }
bad:
    if (why != NULL && whylen > 0)
        snprintf(why, whylen,
                 "--ok-status: malformed list '%s' (expected statuses 100..999 and ranges separated by commas, "
                 "e.g. 200-299,304)",
                 list);
    memset(ok, 0, sizeof *ok);
    return -EINVAL;
}

int tp__http_header_check(const char *line, char *why, size_t whylen)
{
    const char *colon = strchr(line, ':');
    const char *reason = NULL;
    if (strpbrk(line, "\r\n") != NULL)
        reason = "a line break in it";
    else if (colon == NULL || colon == line)
        reason = "expected 'Name: value'";
    for (const char *p = line; reason == NULL && p < colon; p++)
        if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
            reason = "a header name is letters, digits and !#$%&'*+-.^_`|~";
    if (reason == NULL)
        return 0;
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "--header: malformed header '%.200s' (%s)", line, reason);
    return -EINVAL;
}

/* Reads path whole into a new buffer. 0, -errno, -EFBIG or -ENOMEM. */
static int read_whole(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if (f == NULL)
        return -errno;
    struct stat st;
    int rc = 0;
    char *buf = NULL;
    if (fstat(fileno(f), &st) < 0)
        rc = -errno;
    else if (!S_ISREG(st.st_mode))
        rc = -EINVAL;
    else if ((uint64_t)st.st_size > MAX_BODY)
        rc = -EFBIG;
    else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
        rc = -ENOMEM;
    else if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        rc = ferror(f) ? -EIO : -EAGAIN; /* shorter than it was: changed while read */
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[st.st_size] = '\0';
    *out = buf;
    *len = (size_t)st.st_size;
    return 0;
}

int tp__http_body_load(const char *spec, char **body, size_t *len, char *why, size_t whylen)
{
    *body = NULL;
    *len = 0;
    if (spec == NULL || spec[0] == '\0')
        return 0;
    if (spec[0] != '@') {
        *len = strlen(spec);
        *body = malloc(*len + 1);
        if (*body == NULL)
            return -ENOMEM;
        memcpy(*body, spec, *len + 1);
        return 0;
    }
    int rc = read_whole(spec + 1, body, len);
    if (rc < 0 && why != NULL && whylen > 0)
        snprintf(why, whylen, "--body: cannot read '%s': %s", spec + 1,
                 rc == -EFBIG ? "larger than 64 MiB" : strerror(-rc));
    return rc;
}

/* The next line of a '\n'-separated list at *at into line (truncated to
 * len - 1); 0 at the end. */
static int next_line(const char **at, char *line, size_t len)
{
    if (**at == '\0')
        return 0;
    size_t n = strcspn(*at, "\n");
    snprintf(line, len, "%.*s", (int)n, *at);
    *at += n + ((*at)[n] == '\n');
    return 1;
}

/* ---- the request ---- */

static CURLcode global_rc;

static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

int tp__http_global_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init);
    return global_rc == CURLE_OK ? 0 : -ENOMEM;
}

static uint64_t timeout_ns(const struct tp_workload_params *p)
{
    return p->http_timeout_ns > 0 ? p->http_timeout_ns : TP_HTTP_DEFAULT_TIMEOUT_NS;
}

/* The method a request uses: --method, else POST with a body, else GET. */
static const char *method(const struct tp_workload_params *p)
{
    return p->http_method[0] != '\0' ? p->http_method : p->http_body[0] != '\0' ? "POST" : "GET";
}

int tp__http_req_init(struct tp__http_req *req, const struct tp_workload_params *p, char *why, size_t whylen)
{
    memset(req, 0, sizeof *req);
    int rc = tp__http_parse_ok(p->http_ok_status, &req->ok, why, whylen);
    if (rc < 0)
        return rc;
    struct curl_slist *list = NULL;
    char one[TP_HTTP_HEADERS_MAX];
    for (const char *at = p->http_headers; next_line(&at, one, sizeof one);) {
        struct curl_slist *grown = curl_slist_append(list, one);
        if (grown == NULL) {
            curl_slist_free_all(list);
            return -ENOMEM;
        }
        list = grown;
    }
    req->headers = list;
    if ((rc = tp__http_body_load(p->http_body, &req->body, &req->body_len, why, whylen)) < 0) {
        tp__http_req_free(req);
        return rc;
    }
    uint64_t t = timeout_ns(p), c = t < TP_HTTP_CONNECT_TIMEOUT_NS ? t : TP_HTTP_CONNECT_TIMEOUT_NS;
    req->timeout_ms = (long)((t + 999999u) / 1000000u);
    req->connect_timeout_ms = (long)((c + 999999u) / 1000000u);
    return 0;
}

void tp__http_req_free(struct tp__http_req *req)
{
    curl_slist_free_all(req->headers);
    free(req->body);
    memset(req, 0, sizeof *req);
}

/* libcurl's write callback: the body is counted, not kept. */
static size_t count_body(char *data, size_t size, size_t n, void *bytes)
{
    (void)data;
    *(uint64_t *)bytes += size * n;
    return size * n;
}

int tp__http_easy_setup(void *easy, const struct tp__http_req *req, const struct tp_workload_params *p, uint64_t *bytes)
{
    CURL *e = easy;
    const char *m = method(p);
    int bad = 0;
    bad |= curl_easy_setopt(e, CURLOPT_URL, p->http_url) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK; /* threads: no SIGALRM for DNS timeouts */
    bad |= curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, count_body) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, bytes) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)req->headers) != CURLE_OK;
    if (req->body != NULL) {
        bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) != CURLE_OK;
        bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body) != CURLE_OK;
    }
    if (strcmp(m, "HEAD") == 0)
        bad |= curl_easy_setopt(e, CURLOPT_NOBODY, 1L) != CURLE_OK;
    else if (strcmp(m, req->body != NULL ? "POST" : "GET") != 0)
        bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m) != CURLE_OK;
    return bad ? -ENOMEM : 0;
}

/* ---- the kind: checks ---- */

static int http_validate(const struct tp_workload_params *p, char *err, size_t errlen)
{
    struct tp__http_ok ok;
    if (p->http_url[0] == '\0') {
        snprintf(err, errlen, "--url: the http workload needs the URL to request (e.g. --url=http://127.0.0.1:8080/)");
        return -EINVAL;
    }
    if (memchr(p->http_url, '\0', sizeof p->http_url) == NULL || strpbrk(p->http_url, " \r\n\t") != NULL) {
        snprintf(err, errlen, "--url: malformed URL (no blanks or line breaks)");
        return -EINVAL;
    }
    for (const char *c = p->http_method; *c != '\0'; c++) {
        if (!isupper((unsigned char)*c) && *c != '-' && *c != '_') {
            snprintf(err, errlen, "--method: '%s' is not a method (expected e.g. GET, POST, PUT, DELETE, HEAD)",
                     p->http_method);
            return -EINVAL;
        }
    }
    char line[TP_HTTP_HEADERS_MAX];
    for (const char *at = p->http_headers; next_line(&at, line, sizeof line);)
        if (tp__http_header_check(line, err, errlen) < 0)
            return -EINVAL;
    if (p->http_timeout_ns > TP_MAX_DELAY_NS)
        return -EINVAL;
    return tp__http_parse_ok(p->http_ok_status, &ok, err, errlen);
}

static int http_check_options(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen)
{
    int rc = tp__workload_refuse_latency(p, latency_given, err, errlen);
    return rc < 0 ? rc : http_validate(p, err, errlen);
}

/* tp_workload_check: the body can be read, and one request with the same
 * options reaches the server (any status: a wrong one is the sweep's to
 * count, a server that cannot be reached is a usage error). */
static int http_check(struct tp_workload_params *p, char *err, size_t errlen)
{
    struct tp__http_req req;
    uint64_t bytes = 0;
    int rc = tp__http_global_init();
    if (rc == 0)
        rc = tp__http_req_init(&req, p, err, errlen);
    if (rc < 0)
        return rc;
    CURL *e = curl_easy_init();
    if (e == NULL || tp__http_easy_setup(e, &req, p, &bytes) < 0) {
        rc = -ENOMEM;
    } else {
        CURLcode cc = curl_easy_perform(e);
        if (cc != CURLE_OK) {
            snprintf(err, errlen, "http: cannot reach %s: %s", p->http_url, curl_easy_strerror(cc));
            rc = -EHOSTUNREACH;
        }
    }
    curl_easy_cleanup(e);
    tp__http_req_free(&req);
    return rc;
}

/* ---- the kind: on the pool ---- */

static int http_setup(struct tp__workload *w)
{
    char why[256];
    int rc = tp__http_global_init();
    if (rc < 0)
        return rc;
    struct tp__http_req *req = malloc(sizeof *req);
    if (req == NULL)
        return -ENOMEM;
    if ((rc = tp__http_req_init(req, &w->params, why, sizeof why)) < 0) {
        free(req);
        return rc;
    }
    w->state = req;
    return 0;
}

static void http_teardown(struct tp__workload *w)
{
    if (w->state != NULL)
        tp__http_req_free(w->state);
    free(w->state);
    w->state = NULL;
}

/* The descriptors one transfer may have libcurl watch at once: its
 * connection, a second while connecting to another address of the host
 * (happy eyeballs), the threaded resolver's wake-up pair. */
#define HT_SOCKS 8

struct http_thread {
    CURL *easy;
    CURLM *multi;   /* the worker's own: drives easy, keeps its connection */
    uint64_t bytes; /* the current response's body bytes */
    int n_socks;    /* what libcurl asked to watch (its socket callback) */
    struct pollfd socks[HT_SOCKS];
    uint64_t deadline_ns; /* libcurl's timer (its timer callback); 0 = none */
};

/* libcurl: watch s for what it asks, or stop watching it. */
static int ht_on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)socketp;
    struct http_thread *ht = userp;
    int i = 0;
    while (i < ht->n_socks && ht->socks[i].fd != s)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < ht->n_socks)
            ht->socks[i] = ht->socks[--ht->n_socks];
        return 0;
    }
    if (i == ht->n_socks) {
        if (ht->n_socks == HT_SOCKS)
            return -1;
        ht->n_socks++;
        ht->socks[i].fd = s;
    }
    short ev = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        ev |= POLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        ev |= POLLOUT;
    ht->socks[i].events = ev;
    return 0;
}

/* libcurl: call back in timeout_ms (-1: never). */
static int ht_on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct http_thread *ht = userp;
    ht->deadline_ns = timeout_ms < 0 ? 0 : tp__now_ns() + (uint64_t)timeout_ms * 1000000u;
    return 0;
}

static int http_thread_init(struct tp__workload *w, struct tp__wthread *t)
{
    struct http_thread *ht = calloc(1, sizeof *ht);
    if (ht == NULL)
        return -ENOMEM;
    ht->easy = curl_easy_init();
    ht->multi = curl_multi_init();
    if (ht->easy == NULL || ht->multi == NULL || tp__http_easy_setup(ht->easy, w->state, &w->params, &ht->bytes) < 0 ||
        curl_multi_setopt(ht->multi, CURLMOPT_SOCKETFUNCTION, ht_on_socket) != CURLM_OK ||
        curl_multi_setopt(ht->multi, CURLMOPT_SOCKETDATA, ht) != CURLM_OK ||
        curl_multi_setopt(ht->multi, CURLMOPT_TIMERFUNCTION, ht_on_timer) != CURLM_OK ||
        curl_multi_setopt(ht->multi, CURLMOPT_TIMERDATA, ht) != CURLM_OK) {
        curl_multi_cleanup(ht->multi);
        curl_easy_cleanup(ht->easy);
        free(ht);
        return -ENOMEM;
    }
    t->data = ht;
    return 0;
}

static void http_thread_fini(struct tp__workload *w, struct tp__wthread *t)
{
    (void)w;
    struct http_thread *ht = t->data;
    if (ht == NULL)
        return;
    curl_multi_cleanup(ht->multi);
    curl_easy_cleanup(ht->easy);
    free(ht);
    t->data = NULL;
}

void tp__http_count(struct tp__wthread *t, const struct tp__http_req *req, void *easy, int transfer_ok, uint64_t bytes)
{
    long status = 0;
    if (transfer_ok && curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    if (!transfer_ok || status < 0 || status >= TP__HTTP_STATUS_MAX)
        status = 0;
    tp__wthread_count_key(t, (uint32_t)status);
    tp__wthread_count(t, status != 0 && tp__http_status_ok(&req->ok, status), bytes);
}

/* Whether the transfer is done; its result in *result. */
static int ht_done(struct http_thread *ht, CURLcode *result)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(ht->multi, &left)) != NULL)
        if (m->msg == CURLMSG_DONE) {
            *result = m->data.result;
            return 1;
        }
    return 0;
}

/* curl_easy_perform's work with fewer system calls: the easy handle on the
 * worker's multi handle, driven by curl_multi_socket_action on the events
 * one poll() reports. curl_easy_perform polls five times a request on a
 * kept-alive connection (libcurl's own zero-timeout checks, which
 * socket_action skips when told what is ready, and its wake-up pair);
 * here a request is one poll for the answer plus libcurl's liveness check
 * before reusing the connection and one after sending. Everything else
 * (the connection's reuse, a reconnect, --http-timeout through the timer)
 * is libcurl's, as with curl_easy_perform. */
static CURLcode ht_perform(struct http_thread *ht)
{
    CURLcode result = CURLE_OK;
    int running;
    if (curl_multi_add_handle(ht->multi, ht->easy) != CURLM_OK)
        return CURLE_FAILED_INIT;
    curl_multi_socket_action(ht->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    while (!ht_done(ht, &result)) {
        int timeout = -1;
        if (ht->deadline_ns != 0) {
            uint64_t now = tp__now_ns();
            timeout = ht->deadline_ns <= now ? 0 : (int)((ht->deadline_ns - now + 999999) / 1000000);
        } else if (ht->n_socks == 0) {
            timeout = 1;
        }
        int n = poll(ht->socks, (nfds_t)ht->n_socks, timeout);
        if (n < 0 && errno == EINTR)
            continue; /* the timer still stands */
        if (n < 0) {
            result = CURLE_RECV_ERROR;
            break;
        }
        if (n == 0) { /* the timer expired (a one-shot: libcurl sets the next) */
            ht->deadline_ns = 0;
            curl_multi_socket_action(ht->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            continue;
        }
        /* A copy: socket_action's callbacks may change socks under the loop. */
        struct pollfd ready[HT_SOCKS];
        int n_ready = 0;
        for (int i = 0; i < ht->n_socks; i++)
            if (ht->socks[i].revents != 0)
                ready[n_ready++] = ht->socks[i];
        for (int i = 0; i < n_ready; i++) {
            int mask = 0;
            if (ready[i].revents & POLLIN)
                mask |= CURL_CSELECT_IN;
            if (ready[i].revents & POLLOUT)
                mask |= CURL_CSELECT_OUT;
            if (ready[i].revents & (POLLERR | POLLHUP | POLLNVAL))
                mask |= CURL_CSELECT_ERR;
            curl_multi_socket_action(ht->multi, ready[i].fd, mask, &running);
        }
    }
    curl_multi_remove_handle(ht->multi, ht->easy);
    return result;
}

static void http_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    struct tp__wthread *t = tp__wthread_get(w);
    struct http_thread *ht = t->data;
    if (ht == NULL) {
        tp__wthread_count(t, 0, 0);
        return;
    }
    ht->bytes = 0;
    CURLcode cc = ht_perform(ht);
    tp__http_count(t, w->state, ht->easy, cc == CURLE_OK, ht->bytes);
}

/* ---- the kind: the report ---- */

static void http_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    char t[32];
    tp__workload_fmt_ns(t, sizeof t, timeout_ns(p));
    snprintf(buf, len, "http: %s %.200s, one kept-alive connection per thread (libcurl), ok %s, timeout %s", method(p),
             p->http_url, p->http_ok_status[0] != '\0' ? p->http_ok_status : TP_HTTP_DEFAULT_OK, t);
}

static int http_report_json(json_t *wl, const struct tp_workload_params *p)
{
    int bad = 0;
    json_t *headers = json_array();
    char line[TP_HTTP_HEADERS_MAX];
    for (const char *at = p->http_headers; headers != NULL && next_line(&at, line, sizeof line);)
        bad |= json_array_append_new(headers, json_string(line));
    bad |= json_object_set_new(wl, "url", json_string(p->http_url));
    bad |= json_object_set_new(wl, "method", json_string(method(p)));
    bad |= json_object_set_new(wl, "headers", headers);
    bad |= json_object_set_new(wl, "body", p->http_body[0] != '\0' ? json_string(p->http_body) : json_null());
    bad |= json_object_set_new(wl, "ok_status",
                               json_string(p->http_ok_status[0] != '\0' ? p->http_ok_status : TP_HTTP_DEFAULT_OK));
    bad |= json_object_set_new(wl, "timeout_ns", json_integer((json_int_t)timeout_ns(p)));
    return bad ? -1 : 0;
}

/* "http": {"status": {"200": n, ...}, "transport_errors": n, "other": n}. */
static int http_point_json(json_t *point, const struct tp_point *p)
{
    json_t *o = json_object(), *status = json_object();
    uint64_t transport = 0, other = 0;
    int bad = o == NULL || status == NULL;
    for (int i = 0; !bad && i < p->n_work_counts && i < TP_WORK_COUNTS; i++) {
        const struct tp_work_count *c = &p->work_counts[i];
        char key[16];
        if (c->key == 0) {
            transport += c->n;
        } else if (c->key == TP_WORK_COUNT_OTHER) {
            other += c->n;
        } else {
            snprintf(key, sizeof key, "%u", (unsigned)c->key);
            bad |= json_object_set_new(status, key, json_integer((json_int_t)c->n));
        }
    }
    bad |= json_object_set_new(o, "status", status);
    bad |= json_object_set_new(o, "transport_errors", json_integer((json_int_t)transport));
    bad |= json_object_set_new(o, "other_statuses", json_integer((json_int_t)other));
    bad |= json_object_set_new(point, "http", o);
    return bad ? -1 : 0;
}

static int http_point_json_read(const json_t *point, struct tp_point *p, char *why, size_t whylen)
{
    const json_t *o = json_object_get(point, "http"), *status = json_object_get(o, "status"), *v;
    const char *key;
    struct tp_work_count one;
    p->n_work_counts = 0;
    if (o == NULL || json_is_null(o))
        return 0;
    if (!json_is_object(o) || !json_is_object(status))
        goto bad;
    json_object_foreach((json_t *)status, key, v)
    {
        char *end;
        unsigned long code = strtoul(key, &end, 10);
        if (*end != '\0' || code < 100 || code >= TP__HTTP_STATUS_MAX || !json_is_integer(v) ||
            json_integer_value(v) < 0)
            goto bad;
        one = (struct tp_work_count){ (uint32_t)code, (uint64_t)json_integer_value(v) };
        tp__work_counts_add(p->work_counts, &p->n_work_counts, &one, 1);
    }
    static const struct {
        const char *name;
        uint32_t key;
    } extra[] = { { "transport_errors", 0 }, { "other_statuses", TP_WORK_COUNT_OTHER } };
    for (size_t i = 0; i < TP__ARRAY_LEN(extra); i++) {
        v = json_object_get(o, extra[i].name);
        if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0))
            goto bad;
        one = (struct tp_work_count){ extra[i].key, v != NULL ? (uint64_t)json_integer_value(v) : 0 };
        if (one.n > 0)
            tp__work_counts_add(p->work_counts, &p->n_work_counts, &one, 1);
    }
    return 0;
bad:
    snprintf(why, whylen, "http: expected {\"status\": {\"CODE\": count, ...}, \"transport_errors\": count}");
    return -1;
}

/* "status 200: 5000, 500: 3, transport errors: 2". */
static void http_point_text(char *buf, size_t len, const struct tp_point *p)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n_work_counts && i < TP_WORK_COUNTS && at < len; i++) {
        const struct tp_work_count *c = &p->work_counts[i];
        const char *sep = at == 0 ? "" : ", ";
        int n;
        if (c->key == 0)
            n = snprintf(buf + at, len - at, "%stransport errors: %llu", sep, (unsigned long long)c->n);
        else if (c->key == TP_WORK_COUNT_OTHER)
            n = snprintf(buf + at, len - at, "%sother statuses: %llu", sep, (unsigned long long)c->n);
        else
            n = snprintf(buf + at, len - at, "%s%s%u: %llu", sep, at == 0 ? "status " : "", (unsigned)c->key,
                         (unsigned long long)c->n);
        at += n > 0 ? (size_t)n : 0;
    }
}

#define FIELD(f) \
    .offset = offsetof(struct tp_workload_params, f), .field_size = sizeof(((struct tp_workload_params *)0)->f)

static const struct tp_workload_option http_options[] = {
    { .name = "url",
      .type = TP_OPTION_STRING,
      .min = 1,
      .max = TP_HTTP_URL_MAX - 1,
      .expected = "URL",
      .value_name = "URL",
      .help = "http: what each task requests (required)",
      FIELD(http_url) },
    { .name = "method",
      .type = TP_OPTION_STRING,
      .min = 1,
      .max = 15,
      .expected = "method",
      .value_name = "METHOD",
      .help = "http: the request method [GET; POST with --body]",
      FIELD(http_method) },
    { .name = "header",
      .type = TP_OPTION_LIST,
      .min = 1,
      .max = TP_HTTP_HEADERS_MAX - 1,
      .expected = "header",
      .value_name = "'NAME: VALUE'",
      .help = "http: a request header (repeatable)",
      FIELD(http_headers) },
    { .name = "body",
      .type = TP_OPTION_STRING,
      .min = 1,
      .max = TP_WORKLOAD_PATH_MAX - 1,
      .expected = "body",
      .value_name = "@FILE|STR",
      .help = "http: the request body, or @FILE for a file's bytes [none]",
      FIELD(http_body) },
    { .name = "ok-status",
      .type = TP_OPTION_STRING,
      .min = 1,
      .max = 127,
      .expected = "status list",
      .value_name = "LIST",
      .help = "http: the statuses that count as success [200-399]",
      FIELD(http_ok_status) },
    { .name = "http-timeout",
      .type = TP_OPTION_DURATION,
      .min = 1000000,
      .max = (double)TP_MAX_DELAY_NS,
      .expected = "1ms to 60s, e.g. 2s",
      .value_name = "DURATION",
      .help = "http: one request's time limit (connecting: at most 5s) [10s]",
      FIELD(http_timeout_ns) },
};

const struct tp__workload_ops tp__workload_http_ops = {
    .kind = TP_WORKLOAD_HTTP,
    .name = "http",
    .options = http_options,
    .n_options = TP__ARRAY_LEN(http_options),
    .check_options = http_check_options,
    .validate = http_validate,
    .check = http_check,
    .describe = http_describe,
    .setup = http_setup,
    .task = http_task,
    .teardown = http_teardown,
    .thread_init = http_thread_init,
    .thread_fini = http_thread_fini,
    .async = &tp__http_async,
    .work_noun = "requests",
    .report_json = http_report_json,
    .point_json = http_point_json,
    .point_json_read = http_point_json_read,
    .point_text = http_point_text,
};
