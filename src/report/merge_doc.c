/* merge_doc.c - a merged document (tune-pool merge --format=json) read back as it stands, to be written or emitted again. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "merge_doc.h"
#include "results_read.h"

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int integer(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

static void tput(const json_t *t, double *med, double *lo, double *hi)
{
    *med = num(t, "median");
    *lo = num(t, "ci_lo");
    *hi = num(t, "ci_hi");
}

/* The class's pooled points, pick and band. */
static int read_pooled(struct tp_merge_class *c, const json_t *jc)
{
    const json_t *pts = json_object_get(jc, "points");
    size_t n = json_array_size(pts);
    c->points = calloc(n > 0 ? n : 1, sizeof *c->points);
    if (c->points == NULL)
        return -ENOMEM;
    c->n_points = n;
    c->best = c->pick = -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *jp = json_array_get(pts, i);
        struct tp_merge_pooled *q = &c->points[i];
        q->multiplier = num(jp, "multiplier");
        q->threads = integer(jp, "threads");
        q->n_hosts = integer(jp, "hosts");
        q->n_samples = integer(jp, "samples");
        tput(json_object_get(jp, "throughput"), &q->median, &q->ci_lo, &q->ci_hi);
        q->lat_p99_ns = num(jp, "p99_ns");
        q->excluded = json_is_true(json_object_get(jp, "excluded"));
        q->in_band = json_is_true(json_object_get(jp, "in_band"));
        c->n_band += q->in_band;
        if (json_is_true(json_object_get(jp, "pick")))
            c->pick = (int)i;
        if (q->n_samples > 0 && !q->excluded && (c->best < 0 || q->median > c->points[c->best].median))
            c->best = (int)i;
    }
    const json_t *band = json_object_get(jc, "band");
    c->band_lo_multiplier = json_is_object(band) ? num(band, "lo_multiplier") : 0.0;
    c->band_hi_multiplier = json_is_object(band) ? num(band, "hi_multiplier") : 0.0;
    return 0;
}

static enum tp_merge_verdict verdict_of(const char *s)
{
    if (s != NULL && strcmp(s, "disagrees") == 0)
        return TP_MERGE_DISAGREES;
    if (s != NULL && strcmp(s, "no_pick") == 0)
        return TP_MERGE_NO_PICK;
    return TP_MERGE_AGREES;
}

/* One host entry of a class: its facts, verdict and points (medians and intervals; no repetitions). */
static int read_member(struct tp_merge_host *h, const json_t *jh, char *why, size_t why_len)
{
    int rc = tp__host_from_json(jh, &h->host, why, why_len);
    const char *path = json_string_value(json_object_get(jh, "path"));
    const char *started = json_string_value(json_object_get(jh, "started"));
    const char *reason = json_string_value(json_object_get(jh, "reason"));
    h->path = strdup(path != NULL ? path : "");
    h->identity = strdup("");
    h->workload_sig = strdup("");
    const json_t *pts = json_object_get(jh, "points");
    h->n_points = json_array_size(pts);
    h->points = calloc(h->n_points > 0 ? h->n_points : 1, sizeof *h->points);
    if (h->path == NULL || h->identity == NULL || h->workload_sig == NULL || h->points == NULL)
        return -ENOMEM;
    snprintf(h->started, sizeof h->started, "%s", started != NULL ? started : "");
    snprintf(h->why, sizeof h->why, "%s", reason != NULL ? reason : "");
    h->partial = json_is_true(json_object_get(jh, "partial"));
    h->n_failed = integer(jh, "failed_points");
    h->verdict = verdict_of(json_string_value(json_object_get(jh, "verdict")));
    const json_t *pick = json_object_get(jh, "pick"), *band = json_object_get(jh, "band");
    h->band_lo_multiplier = json_is_object(band) ? num(band, "lo_multiplier") : 0.0;
    h->band_hi_multiplier = json_is_object(band) ? num(band, "hi_multiplier") : 0.0;
    h->pick = -1;
    for (size_t i = 0; i < h->n_points; i++) {
        const json_t *jp = json_array_get(pts, i);
        struct tp_merge_point *p = &h->points[i];
        p->multiplier = num(jp, "multiplier");
        p->threads = integer(jp, "threads");
        const char *st = json_string_value(json_object_get(jp, "status"));
        p->status = TP_POINT_FAILED;
        for (int k = TP_POINT_OK; k <= TP_POINT_SKIPPED; k++)
            if (st != NULL && strcmp(st, tp_point_status_name((enum tp_point_status)k)) == 0)
                p->status = (enum tp_point_status)k;
        tput(json_object_get(jp, "throughput"), &p->median, &p->ci_lo, &p->ci_hi);
        p->lat_p99_ns = NAN;
        p->in_band = json_is_true(json_object_get(jp, "in_band"));
        if (json_is_object(pick) && fabs(p->multiplier - num(pick, "multiplier")) <= 1e-9 * p->multiplier)
            h->pick = (int)i;
    }
    return rc;
}

/* The hosts of one class, appended to m->hosts, their indices into c->hosts. */
static int read_members(struct tp_merge *m, struct tp_merge_class *c, const json_t *jc, char *why, size_t why_len)
{
    const json_t *hosts = json_object_get(jc, "hosts");
    size_t n = json_array_size(hosts);
    c->hosts = malloc((n > 0 ? n : 1) * sizeof *c->hosts);
    if (c->hosts == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct tp_merge_host *h = &m->hosts[m->n_hosts];
        memset(h, 0, sizeof *h);
        c->hosts[c->n_hosts++] = m->n_hosts++;
        int rc = read_member(h, json_array_get(hosts, i), why, why_len);
        if (rc < 0)
            return rc;
        c->n_disagree += h->verdict == TP_MERGE_DISAGREES;
        c->n_no_pick += h->verdict == TP_MERGE_NO_PICK;
    }
    return 0;
}

static int read_classes(struct tp_merge *m, const json_t *classes, char *why, size_t why_len)
{
    size_t nc = json_array_size(classes), nh = 0;
    for (size_t k = 0; k < nc; k++)
        nh += json_array_size(json_object_get(json_array_get(classes, k), "hosts"));
    m->classes = calloc(nc > 0 ? nc : 1, sizeof *m->classes);
    m->hosts = calloc(nh > 0 ? nh : 1, sizeof *m->hosts);
    if (m->classes == NULL || m->hosts == NULL)
        return -ENOMEM;
    m->cap_hosts = nh > 0 ? nh : 1;
    for (size_t k = 0; k < nc; k++) {
        const json_t *jc = json_array_get(classes, k);
        struct tp_merge_class *c = &m->classes[m->n_classes++];
        const char *key = json_string_value(json_object_get(jc, "class"));
        if (!tp_host_class_valid(key)) {
            snprintf(why, why_len, "classes[%zu].class: missing or not a class name", k);
            return TP_EFORMAT;
        }
        snprintf(c->key, sizeof c->key, "%s", key);
        c->cores = integer(jc, "cores");
        c->cores_differ = json_is_true(json_object_get(jc, "cores_differ"));
        int rc = read_pooled(c, jc);
        if (rc == 0)
            rc = read_members(m, c, jc, why, why_len);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int tp__merge_read_document(struct tp_merge *m, const json_t *root, char *why, size_t why_len)
{
    const json_t *wl = json_object_get(root, "workload"), *cmd = json_object_get(root, "command");
    const char *version = json_string_value(json_object_get(root, "version"));
    int rc = tp__workload_from_json(wl, &m->workload, why, why_len);
    if (rc != 0)
        return rc;
    m->workload_json = json_dumps(wl, JSON_COMPACT | JSON_PRESERVE_ORDER);
    m->command = json_is_string(cmd) ? strdup(json_string_value(cmd)) : NULL;
    if (m->workload_json == NULL || (json_is_string(cmd) && m->command == NULL))
        return -ENOMEM;
    snprintf(m->version, sizeof m->version, "%s", version != NULL ? version : "");
    m->from_merged = 1;
    rc = read_classes(m, json_object_get(root, "classes"), why, why_len);
    if (rc == 0 && m->n_hosts == 0) {
        snprintf(why, why_len, "a merged document without any host");
        rc = TP_EFORMAT;
    }
    return rc;
}
