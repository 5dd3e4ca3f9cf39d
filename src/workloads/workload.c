/* workload.c - the generic workload machinery: per-thread states and counters, open/close, the sweep hooks, the checks and descriptions through each kind's ops. */
#include <stdint.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "evloop.h"
#include "registry.h"
#include "workload.h"

/* ---- per-thread states ---- */

/* Used when a state cannot be allocated: the task still runs, its counts
 * are lost (thread_error says so). */
static struct tp__wthread oom_thread;

static void finish_thread(struct tp__workload *w, struct tp__wthread *t)
{
    pthread_mutex_lock(&w->threads_lock);
    int done = t->finished;
    t->finished = 1;
    pthread_mutex_unlock(&w->threads_lock);
    if (!done && t->init_rc == 0 && w->ops->thread_fini != NULL)
        w->ops->thread_fini(w, t);
}

/* The key's destructor: runs on the exiting thread. */
static void thread_exit(void *arg)
{
    struct tp__wthread *t = arg;
    finish_thread(t->w, t);
}

static void record_thread_error(struct tp__workload *w, int rc)
{
    int none = 0;
    atomic_compare_exchange_strong_explicit(&w->thread_error, &none, rc < 0 ? rc : TP_EPLUGIN, memory_order_relaxed,
                                            memory_order_relaxed);
}

static struct tp__wthread *thread_create(struct tp__workload *w, int worker)
{
    struct tp__wthread *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        record_thread_error(w, -ENOMEM);
        return &oom_thread;
    }
    t->w = w;
    pthread_mutex_lock(&w->threads_lock);
    t->worker = worker >= 0 ? worker : w->n_threads;
    t->next = w->threads;
    w->threads = t;
    w->n_threads++;
    pthread_mutex_unlock(&w->threads_lock);
    if (w->ops->thread_init != NULL) {
        t->init_rc = w->ops->thread_init(w, t);
        if (t->init_rc != 0)
            record_thread_error(w, t->init_rc);
    }
    pthread_setspecific(w->key, t);
    return t;
}

struct tp__wthread *tp__wthread_get(struct tp__workload *w)
{
    struct tp__wthread *t = pthread_getspecific(w->key);
    return t != NULL ? t : thread_create(w, -1);
}

void tp__workload_thread_start(struct tp__workload *w, int worker_index)
{
    if (w->ops != NULL && pthread_getspecific(w->key) == NULL)
        thread_create(w, worker_index);
}

int tp__workload_thread_error(struct tp__workload *w)
{
    return atomic_load_explicit(&w->thread_error, memory_order_relaxed);
}

void tp__one_line(char *dst, size_t len, const char *src)
{
    size_t o = 0;
    if (len == 0)
        return;
    for (const char *c = src; c != NULL && *c != '\0' && o + 1 < len; c++) {
        int blank = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
        if (blank && (o == 0 || dst[o - 1] == ' '))
            continue;
        dst[o++] = blank ? ' ' : *c;
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    dst[o] = '\0';
}

void tp__workload_fail_detail(struct tp__workload *w, const char *msg)
{
    pthread_mutex_lock(&w->threads_lock);
    if (w->error_detail[0] == '\0' && msg != NULL)
        tp__one_line(w->error_detail, sizeof w->error_detail, msg);
    pthread_mutex_unlock(&w->threads_lock);
}

void tp__workload_error_detail(struct tp__workload *w, char *buf, size_t len)
{
    if (len == 0)
        return;
    buf[0] = '\0';
    if (w->ops == NULL)
        return;
    pthread_mutex_lock(&w->threads_lock);
    snprintf(buf, len, "%s", w->error_detail);
    pthread_mutex_unlock(&w->threads_lock);
}

void tp__workload_defaults(struct tp_workload_params *p, int cores)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->connection_pool && p->server_cores == 0 && cores > 0)
        p->server_cores = (uint32_t)cores;
}

unsigned tp__workload_rule_kinds(const struct tp_workload_params *p)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    return ops != NULL && ops->connection_pool ? TP_RULE_FOR_CONNECTIONS : 0;
}

void tp__workload_observe_start(struct tp__workload *w)
{
    if (w->ops != NULL && w->ops->observe_start != NULL)
        w->ops->observe_start(w);
}

void tp__workload_observe_stop(struct tp__workload *w, struct tp_server_view *out)
{
    memset(out, 0, sizeof *out);
    if (w->ops != NULL && w->ops->observe_stop != NULL)
        w->ops->observe_stop(w, out);
}

void tp__workload_counters(struct tp__workload *w, uint64_t *ops, uint64_t *bytes, uint64_t *errors)
{
    uint64_t o = 0, b = 0, e = 0;
    if (w->ops != NULL) {
        pthread_mutex_lock(&w->threads_lock);
        for (struct tp__wthread *t = w->threads; t != NULL; t = t->next) {
            o += atomic_load_explicit(&t->ops, memory_order_relaxed);
            b += atomic_load_explicit(&t->bytes, memory_order_relaxed);
            e += atomic_load_explicit(&t->errors, memory_order_relaxed);
        }
        pthread_mutex_unlock(&w->threads_lock);
    }
    *ops = o;
    *bytes = b;
    *errors = e;
}

/* ---- keyed counts ---- */

void tp__wthread_count_key(struct tp__wthread *t, uint32_t key)
{
    int last = TP_WORK_COUNTS - 1;
    for (int i = 0; i < last; i++) {
        uint32_t k = atomic_load_explicit(&t->keys[i], memory_order_relaxed);
        if (k == 0) /* a free entry: this key is new */
            atomic_store_explicit(&t->keys[i], key + 1, memory_order_relaxed);
        if (k == 0 || k == key + 1) {
            atomic_fetch_add_explicit(&t->keyed[i], 1, memory_order_relaxed);
            return;
        }
    }
    atomic_store_explicit(&t->keys[last], TP_WORK_COUNT_OTHER, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->keyed[last], 1, memory_order_relaxed);
}

/* Adds n under key to the sorted table a (*na entries). */
static void counts_put(struct tp_work_count *a, int *na, uint32_t key, int64_t n)
{
    int i = 0;
    while (i < *na && a[i].key < key)
        i++;
    if (i < *na && a[i].key == key) {
        a[i].n = (uint64_t)((int64_t)a[i].n + n);
    } else if (*na < TP_WORK_COUNTS) {
        memmove(&a[i + 1], &a[i], (size_t)(*na - i) * sizeof *a);
        a[i] = (struct tp_work_count){ key, (uint64_t)n };
        (*na)++;
    } else if (key != TP_WORK_COUNT_OTHER) {
        counts_put(a, na, TP_WORK_COUNT_OTHER, n);
        return;
    }
    for (int k = 0; k < *na; k++) { /* drop what reached 0 */
        if (a[k].n == 0) {
            memmove(&a[k], &a[k + 1], (size_t)(*na - k - 1) * sizeof *a);
            (*na)--;
            break;
        }
    }
}

void tp__work_counts_sub(struct tp_work_count *a, int *n, const struct tp_work_count *b, int nb)
{
    for (int i = 0; i < nb; i++)
        counts_put(a, n, b[i].key, -(int64_t)b[i].n);
}

void tp__work_counts_add(struct tp_work_count *a, int *n, const struct tp_work_count *b, int nb)
{
    for (int i = 0; i < nb; i++)
        counts_put(a, n, b[i].key, (int64_t)b[i].n);
}

int tp__workload_counts(struct tp__workload *w, struct tp_work_count out[TP_WORK_COUNTS])
{
    int n = 0;
    if (w->ops == NULL)
        return 0;
    pthread_mutex_lock(&w->threads_lock);
    for (struct tp__wthread *t = w->threads; t != NULL; t = t->next) {
        for (int i = 0; i < TP_WORK_COUNTS; i++) {
            uint32_t k = atomic_load_explicit(&t->keys[i], memory_order_relaxed);
            uint64_t c = atomic_load_explicit(&t->keyed[i], memory_order_relaxed);
            if (k != 0 && c > 0)
                counts_put(out, &n, k == TP_WORK_COUNT_OTHER ? k : k - 1, (int64_t)c);
        }
    }
    pthread_mutex_unlock(&w->threads_lock);
    return n;
}

/* ---- open / close ---- */

int tp__workload_open(struct tp__workload *w, const struct tp_workload_params *params)
{
    memset(w, 0, sizeof(*w));
    const struct tp__workload_ops *ops = tp__workload_find(params->kind);
    if (ops == NULL)
        return -EINVAL;
    int rc = ops->validate(params, NULL, 0);
    if (rc < 0)
        return rc;
    rc = tp__from_pthread(pthread_key_create(&w->key, thread_exit));
    if (rc < 0)
        return rc;
    pthread_mutex_init(&w->threads_lock, NULL);
    w->ops = ops;
    w->params = *params;
    rc = ops->setup(w);
    if (rc < 0) {
        pthread_key_delete(w->key);
        pthread_mutex_destroy(&w->threads_lock);
        memset(w, 0, sizeof(*w));
    }
    return rc;
}

void tp__workload_close(struct tp__workload *w)
{
    if (w->ops == NULL)
        return;
    /* Threads still alive (e.g. the caller's, in tests) are finished here;
     * the pool's workers finished themselves as they exited. */
    for (struct tp__wthread *t = w->threads; t != NULL; t = t->next)
        finish_thread(w, t);
    pthread_setspecific(w->key, NULL);
    pthread_key_delete(w->key);
    w->ops->teardown(w);
    for (struct tp__wthread *t = w->threads, *next; t != NULL; t = next) {
        next = t->next;
        free(t);
    }
    pthread_mutex_destroy(&w->threads_lock);
    memset(w, 0, sizeof(*w));
}

int tp_workload_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    if (p == NULL || buf == NULL || len == 0)
        return -EINVAL;
    tp__workload_describe(p, buf, len);
    return 0;
}

/* ---- checks ---- */

/* validate, with a reason in err whatever the kind says. */
static int validate_msg(const struct tp_workload_params *p, char *err, size_t errlen)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops == NULL) {
        snprintf(err, errlen, "--workload: unknown workload kind %d", (int)p->kind);
        return -EINVAL;
    }
    err[0] = '\0';
    int rc = ops->validate(p, err, errlen);
    if (rc < 0 && err[0] == '\0')
        snprintf(err, errlen, "--workload=%s: invalid parameters (see --help for the accepted ranges)", ops->name);
    return rc;
}

int tp__workload_sweep_setup(struct tp_workload_params *p, struct tp__sweep_res *res, char *err, size_t errlen)
{
    res->pid = 0;
    res->fd = -1;
    int rc = validate_msg(p, err, errlen);
    if (rc < 0)
        return rc;
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops->sweep_setup == NULL)
        return 0;
    rc = ops->sweep_setup(p, res, err, errlen);
    if (rc < 0 && ops->sweep_teardown != NULL)
        ops->sweep_teardown(p, res);
    return rc;
}

void tp__workload_sweep_teardown(struct tp_workload_params *p, struct tp__sweep_res *res)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->sweep_teardown != NULL)
        ops->sweep_teardown(p, res);
}

int tp_workload_check(const struct tp_workload_params *p, char *err, size_t errlen)
{
    char dummy[8];
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (p == NULL)
        return -EINVAL;
    int rc = validate_msg(p, err, errlen);
    if (rc < 0)
        return rc;
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops->check == NULL)
        return 0;
    struct tp_workload_params copy = *p; /* the check may fill in what it found (a plugin's name) */
    return ops->check(&copy, err, errlen);
}

int tp_workload_check_options(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen)
{
    char dummy[8];
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    if (p == NULL)
        return -EINVAL;
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops == NULL || ops->check_options == NULL)
        return 0;
    int rc = ops->check_options(p, latency_given, err, errlen);
    if (rc < 0 && err[0] == '\0')
        snprintf(err, errlen, "--workload=%s: invalid parameters (see --help for the accepted ranges)", ops->name);
    return rc;
}

int tp__workload_refuse_latency(const struct tp_workload_params *p, int latency_given, char *err, size_t errlen)
{
    if (!latency_given)
        return 0;
    snprintf(err, errlen, "--latency: the %s workload has no modelled wait (only io and mixed do)",
             tp_workload_name(p->kind));
    return -EINVAL;
}

/* ---- the async executor ---- */

int tp__workload_async_check(const struct tp_workload_params *p, char *why, size_t whylen)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->async != NULL)
        return 0;
    const char *reason = ops == NULL ? "unknown workload kind" : ops->no_async;
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "not supported by the async executor: %s", reason);
    return -EOPNOTSUPP;
}

int tp__workload_async_task(struct tp__workload *w, struct tp__evloop_task *out)
{
    if (w == NULL || w->ops == NULL || out == NULL)
        return -EINVAL;
    if (w->ops->async == NULL)
        return -EOPNOTSUPP;
    out->ops = w->ops->async;
    out->ctx = w;
    return 0;
}

/* Whether executor e can run p: the pool runs every kind, the event loops
 * those whose ops have an async path. */
int tp_executor_check(enum tp_executor e, const struct tp_workload_params *p, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (p == NULL)
        return -EINVAL;
    switch (e) {
    case TP_EXECUTOR_POOL: return 0;
    case TP_EXECUTOR_ASYNC: return tp__workload_async_check(p, err, errlen);
    }
    return -EINVAL;
}

/* ---- descriptions ---- */

void tp__workload_fmt_bytes(char *buf, size_t len, uint64_t b)
{
    if (b >= (1ull << 30) && b % (1ull << 30) == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
    else if (b >= (1ull << 20) && b % (1ull << 20) == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
    else if (b >= 1024 && b % 1024 == 0)
        snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
    else
        snprintf(buf, len, "%llu B", (unsigned long long)b);
}

void tp__workload_fmt_ns(char *buf, size_t len, uint64_t ns)
{
    if (ns >= 1000000000u && ns % 1000000u == 0)
        snprintf(buf, len, "%g s", (double)ns / 1e9);
    else if (ns >= 1000000u)
        snprintf(buf, len, "%g ms", (double)ns / 1e6);
    else if (ns >= 1000u)
        snprintf(buf, len, "%g us", (double)ns / 1e3);
    else
        snprintf(buf, len, "%llu ns", (unsigned long long)ns);
}

void tp__workload_describe(const struct tp_workload_params *p, char *buf, size_t len)
{
    const struct tp__workload_ops *ops = tp__workload_find(p->kind);
    if (ops != NULL && ops->describe != NULL)
        ops->describe(p, buf, len);
    else
        snprintf(buf, len, "unknown workload");
}
