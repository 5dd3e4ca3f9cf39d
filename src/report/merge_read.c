/* merge_read.c - tune-pool merge's inputs: results files and folders read, checked, de-duplicated and grouped by host class. */
/*
 * DESIGN. Every input is kept or skipped with its reason, never dropped
 * silently. A file is skipped when it cannot be read, is not JSON (a
 * truncated file), is not a sweep document of ours (another tool's, an
 * --online or a merged document, another schema), has no host object, or
 * is the same run as one already added. A run's identity is its hostname,
 * its class, its start (to the second), its duration (to the millisecond),
 * a fingerprint of its raw repetitions and its workload with the --run
 * command: the same file fetched twice, or copied under another name, is
 * one run; two runs of one host are two, even when hosts share a hostname
 * and started in the same second (the fleet test's parallel local hosts
 * once collided without the fingerprint). All inputs must hold one workload
 * (kind, parameters, command): tp_merge_finish refuses to mix and says
 * which fields differ.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "error.h"
#include "merge_doc.h"
#include "merge_stats.h"
#include "results_read.h"
#include "vec.h"

/* Folders deeper than this under a merge argument are not searched. */
#define MAX_DEPTH 16

void tp_merge_init(struct tp_merge *m) { memset(m, 0, sizeof *m); }

static int skip(struct tp_merge *m, const char *path, int code, const char *why, const char *dup_of)
{
    if (tp__vec_reserve((void **)&m->skipped, &m->cap_skipped, m->n_skipped + 1, sizeof *m->skipped) < 0)
        return -ENOMEM;
    struct tp_merge_skip *s = &m->skipped[m->n_skipped];
    memset(s, 0, sizeof *s);
    s->path = strdup(path);
    s->duplicate_of = dup_of != NULL ? strdup(dup_of) : NULL;
    if (s->path == NULL || (dup_of != NULL && s->duplicate_of == NULL)) {
        free(s->path);
        free(s->duplicate_of);
        return -ENOMEM;
    }
    s->code = code;
    snprintf(s->why, sizeof s->why, "%s", why);
    m->n_skipped++;
    return 0;
}

/* The workload object and the --run command as one canonical JSON text
 * (keys sorted): what must be equal for results to be merged. */
static char *workload_signature(const json_t *root)
{
    const json_t *program = json_object_get(root, "program");
    const json_t *cmd = json_is_object(program) ? json_object_get(program, "command") : NULL;
    json_t *sig = json_pack("{s:O, s:O}", "workload", json_object_get(root, "workload"), "command",
                            json_is_string(cmd) ? cmd : json_null());
    char *text = sig != NULL ? json_dumps(sig, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(sig);
    return text;
}

/* The merge's compact copy of one point. */
static int copy_point(struct tp_merge_point *q, const struct tp_point *p)
{
    memset(q, 0, sizeof *q);
    q->multiplier = p->multiplier;
    q->threads = p->threads;
    q->status = p->status;
    q->median = p->tput_median;
    q->ci_lo = p->tput_ci_lo;
    q->ci_hi = p->tput_ci_hi;
    q->lat_p99_ns = tp_point_ok(p) ? p->lat_p99_ns : NAN;
    q->in_band = p->in_band;
    q->n_reps = tp_point_ok(p) ? (p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps) : 0;
    if (q->n_reps == 0)
        return 0;
    q->reps = malloc((size_t)q->n_reps * sizeof *q->reps);
    if (q->reps == NULL)
        return -ENOMEM;
    for (int k = 0; k < q->n_reps; k++)
        q->reps[k] = p->reps[k].throughput;
    return 0;
}

static void free_host(struct tp_merge_host *h)
{
    for (size_t i = 0; i < h->n_points; i++)
        free(h->points[i].reps);
    free(h->points);
    free(h->path);
    free(h->identity);
    free(h->workload_sig);
    memset(h, 0, sizeof *h);
}

/* h from a result read back (r, and its document root for what r does not keep). */
static double reps_fingerprint(const struct tp_result *r);

static int fill_host(struct tp_merge_host *h, const char *path, const struct tp_result *r, const json_t *root)
{
    const char *started = json_string_value(json_object_get(root, "started"));
    snprintf(h->started, sizeof h->started, "%s", started != NULL ? started : "");
    h->host = r->host;
    h->cores = r->cores;
    h->partial = r->partial;
    h->n_failed = r->n_failed;
    h->confidence = r->confidence;
    h->tolerance = r->tolerance;
    h->max_p99_ns = r->max_p99_ns;
    h->seed = r->seed;
    h->pick = r->pick;
    h->band_lo_multiplier = r->band_lo_multiplier;
    h->band_hi_multiplier = r->band_hi_multiplier;
    h->path = strdup(path);
    h->workload_sig = workload_signature(root);
    h->points = calloc(r->n_points > 0 ? r->n_points : 1, sizeof *h->points);
    if (h->path == NULL || h->workload_sig == NULL || h->points == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < r->n_points; i++, h->n_points++)
        if (copy_point(&h->points[i], &r->points[i]) < 0)
            return -ENOMEM;
    size_t len =
        strlen(h->host.hostname) + sizeof h->host.class_key + strlen(h->started) + strlen(h->workload_sig) + 96;
    if ((h->identity = malloc(len)) == NULL)
        return -ENOMEM;
    snprintf(h->identity, len, "%s|%s|%s|%.3f|%.17g|%s", h->host.hostname, h->host.class_key, h->started, r->duration_s,
             reps_fingerprint(r), h->workload_sig);
    return 0;
}

/* What the run measured, as one number: a weighted sum of every raw
 * repetition's figures. A copy of a file gives the same; two runs of
 * hosts that share a hostname and started in the same second (parallel
 * local hosts, containers) do not. */
static double reps_fingerprint(const struct tp_result *r)
{
    double f = 0;
    for (size_t i = 0; i < r->n_points; i++)
        for (int k = 0; k < r->points[i].n_reps && k < TP_MAX_REPS; k++)
            f += (double)(i * TP_MAX_REPS + (size_t)k + 1) *
                 (r->points[i].reps[k].throughput + r->points[i].reps[k].elapsed_s);
    return f;
}

/* The input already added that is the same run as h, or NULL. */
static const struct tp_merge_host *same_run(const struct tp_merge *m, const struct tp_merge_host *h)
{
    for (size_t i = 0; i < m->n_hosts; i++)
        if (strcmp(m->hosts[i].identity, h->identity) == 0)
            return &m->hosts[i];
    return NULL;
}

/* The first input sets the merge's workload, command and version. */
static int keep_first(struct tp_merge *m, const struct tp_result *r, const json_t *root)
{
    const json_t *program = json_object_get(root, "program");
    const char *cmd = json_is_object(program) ? json_string_value(json_object_get(program, "command")) : NULL;
    m->workload = r->workload;
    snprintf(m->version, sizeof m->version, "%s", r->version);
    m->workload_json = json_dumps(json_object_get(root, "workload"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    m->command = cmd != NULL ? strdup(cmd) : NULL;
    return m->workload_json == NULL || (cmd != NULL && m->command == NULL) ? -ENOMEM : 0;
}

/* A read result becomes a host of m, or a skip when it repeats a run. */
static int add_result(struct tp_merge *m, const char *path, const struct tp_result *r, const json_t *root)
{
    if (r->host.class_key[0] == '\0')
        return skip(m, path, TP_EFORMAT,
                    "no host object (written before results recorded their host): run it again to merge it", NULL);
    struct tp_merge_host h;
    memset(&h, 0, sizeof h);
    int rc = fill_host(&h, path, r, root);
    const struct tp_merge_host *dup = rc == 0 ? same_run(m, &h) : NULL;
    if (rc == 0 && dup != NULL) {
        char why[256];
        snprintf(why, sizeof why, "the same run (host %s, started %s) as %s", h.host.hostname,
                 h.started[0] ? h.started : "unknown", dup->path);
        rc = skip(m, path, TP_EDUPLICATE, why, dup->path);
    } else if (rc == 0 && m->n_hosts == 0) {
        rc = keep_first(m, r, root);
    }
    if (rc == 0 && dup == NULL)
        rc = tp__vec_reserve((void **)&m->hosts, &m->cap_hosts, m->n_hosts + 1, sizeof *m->hosts);
    if (rc < 0 || dup != NULL) {
        free_host(&h);
        return rc;
    }
    m->hosts[m->n_hosts++] = h;
    return 0;
}

/* A merged document: read back when named as the first input (not found in
 * a folder), else skipped. */
static int add_merged(struct tp_merge *m, const char *path, const json_t *root, int named)
{
    char why[512] = "";
    if (!named || m->n_hosts > 0 || m->n_skipped > 0 || m->from_merged)
        return skip(m, path, TP_EFORMAT,
                    "a merged document (tune-pool merge), not one run: give it alone to write or emit it again, or "
                    "merge the results it was made from",
                    NULL);
    int rc = tp__merge_read_document(m, root, why, sizeof why);
    if (rc == TP_EFORMAT) {
        tp_merge_free(m);
        return skip(m, path, rc, why, NULL);
    }
    const json_t *skipped = json_object_get(root, "skipped"), *s;
    size_t i;
    json_array_foreach(skipped, i, s)
    {
        const char *p = json_string_value(json_object_get(s, "path")),
                   *w = json_string_value(json_object_get(s, "reason"));
        const char *dup = json_string_value(json_object_get(s, "duplicate_of"));
        if (rc == 0 && p != NULL)
            rc = skip(m, p, dup != NULL ? TP_EDUPLICATE : TP_EFORMAT, w != NULL ? w : "", dup);
    }
    return rc;
}

static int add_file(struct tp_merge *m, const char *path, int named)
{
    char why[512];
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        int rc = tp__from_errno();
        return skip(m, path, rc, tp_strerror(rc), NULL);
    }
    /* The whole file, then one parse of the buffer (jansson's stream reader goes a getc at a time). */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char chunk[65536];
    size_t got;
    while (mem != NULL && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, mem);
    int read_error = ferror(f) || mem == NULL;
    fclose(f);
    if (mem != NULL && fclose(mem) != 0)
        read_error = 1;
    json_error_t jerr;
    json_t *root = read_error ? NULL : json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (root == NULL) {
        if (read_error)
            return skip(m, path, -EIO, tp_strerror(-EIO), NULL);
        snprintf(why, sizeof why, "not valid JSON (truncated?): line %d, column %d: %s", jerr.line, jerr.column,
                 jerr.text);
        return skip(m, path, TP_EFORMAT, why, NULL);
    }
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (kind != NULL && strcmp(kind, "merge") == 0) {
        int rc = add_merged(m, path, root, named);
        json_decref(root);
        return rc;
    }
    struct tp_result r;
    int rc = m->from_merged ? TP_EFORMAT : tp__result_from_json(&r, root, 0, why, sizeof why);
    if (m->from_merged) {
        json_decref(root);
        return skip(m, path, rc, "given with a merged document, which is read back alone", NULL);
    }
    if (rc == -ENOMEM)
        why[0] = '\0';
    else if (rc < 0)
        rc = skip(m, path, rc, why[0] ? why : tp_strerror(rc), NULL);
    else
        rc = add_result(m, path, &r, root);
    tp_result_free(&r);
    json_decref(root);
    return rc;
}

struct paths {
    char **v;
    size_t n, cap;
};

static int ends_with_json(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".json") == 0;
}

/* Every *.json under dir (not following symbolic links), into ps. */
static int collect(struct tp_merge *m, const char *dir, int depth, struct paths *ps)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        int rc = tp__from_errno();
        return skip(m, dir, rc, tp_strerror(rc), NULL);
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(len);
        struct stat st;
        if (p == NULL) {
            rc = -ENOMEM;
            break;
        }
        snprintf(p, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
            rc = collect(m, p, depth + 1, ps);
        } else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && ends_with_json(e->d_name)) {
            rc = tp__vec_reserve((void **)&ps->v, &ps->cap, ps->n + 1, sizeof *ps->v);
            if (rc == 0) {
                ps->v[ps->n++] = p;
                continue;
            }
        }
        free(p);
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int tp_merge_add(struct tp_merge *m, const char *path)
{
    if (m == NULL || path == NULL)
        return -EINVAL;
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return add_file(m, path, 1);
    struct paths ps = { 0 };
    int rc = collect(m, path, 0, &ps);
    qsort(ps.v, ps.n, sizeof *ps.v, cmp_str); /* name order: the same folder merges the same way */
    for (size_t i = 0; i < ps.n; i++) {
        if (rc == 0)
            rc = add_file(m, ps.v[i], 0);
        free(ps.v[i]);
    }
    free(ps.v);
    if (rc == 0 && ps.n == 0)
        rc = skip(m, path, -ENOENT, "a folder without any .json file", NULL);
    return rc;
}

void tp_merge_free(struct tp_merge *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_hosts; i++)
        free_host(&m->hosts[i]);
    for (size_t i = 0; i < m->n_classes; i++) {
        free(m->classes[i].hosts);
        free(m->classes[i].points);
    }
    for (size_t i = 0; i < m->n_skipped; i++) {
        free(m->skipped[i].path);
        free(m->skipped[i].duplicate_of);
    }
    free(m->hosts);
    free(m->classes);
    free(m->skipped);
    free(m->workload_json);
    free(m->command);
    memset(m, 0, sizeof *m);
}

/* Which fields of b's workload signature differ from a's, as
 * "workload.latency_ns (2000000 here, 1000000 there)"; appended to buf. */
static void explain_difference(const char *a, const char *b, char *buf, size_t len)
{
    json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
    json_t *wa = json_object_get(ja, "workload"), *wb = json_object_get(jb, "workload");
    size_t n = strlen(buf);
    const char *key;
    json_t *v;
    int listed = 0;
    json_object_foreach(wa, key, v)
    {
        json_t *w = json_object_get(wb, key);
        if ((w != NULL && json_equal(v, w)) || strcmp(key, "description") == 0) /* description: said by the rest */
            continue;
        char *x = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT), *y = w ? json_dumps(w, JSON_ENCODE_ANY) : NULL;
        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%sworkload.%s (%.80s, not %.80s)", listed++ ? ", " : "",
                              key, y != NULL ? y : "missing", x != NULL ? x : "?");
        free(x);
        free(y);
    }
    json_object_foreach(wb, key, v)
    {
        if (json_object_get(wa, key) == NULL)
            n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%sworkload.%s (only there)", listed++ ? ", " : "",
                                  key);
    }
    if (!json_equal(json_object_get(ja, "command"), json_object_get(jb, "command")))
        snprintf(buf + n, n < len ? len - n : 0, "%sthe --run command", listed ? ", " : "");
    json_decref(ja);
    json_decref(jb);
}

/* Every input holds the first one's workload, or why explains the first
 * that does not. */
static int one_workload(const struct tp_merge *m, char *why, size_t len)
{
    const struct tp_merge_host *a = &m->hosts[0];
    for (size_t i = 1; i < m->n_hosts; i++) {
        const struct tp_merge_host *b = &m->hosts[i];
        if (strcmp(a->workload_sig, b->workload_sig) == 0)
            continue;
        if (why != NULL && len > 0) {
            snprintf(why, len, "%s and %s measured different workloads: %s has ", a->path, b->path, b->path);
            explain_difference(a->workload_sig, b->workload_sig, why, len);
            size_t n = strlen(why);
            snprintf(why + n, len - n, "; merge the results of one workload at a time");
        }
        return TP_EMIXED;
    }
    return 0;
}

/* qsort_r order of host indices: class, hostname, path. */
static int cmp_host(const void *a, const void *b, void *ctx)
{
    const struct tp_merge_host *hosts = ctx;
    const struct tp_merge_host *x = &hosts[*(const size_t *)a], *y = &hosts[*(const size_t *)b];
    int c = strcmp(x->host.class_key, y->host.class_key);
    if (c == 0)
        c = strcmp(x->host.hostname, y->host.hostname);
    return c != 0 ? c : strcmp(x->path, y->path);
}

/* m->classes from the hosts: one per class key, its hosts in order. */
static int group(struct tp_merge *m)
{
    size_t *order = malloc(m->n_hosts * sizeof *order);
    m->classes = calloc(m->n_hosts, sizeof *m->classes);
    if (order == NULL || m->classes == NULL) {
        free(order);
        return -ENOMEM;
    }
    for (size_t i = 0; i < m->n_hosts; i++)
        order[i] = i;
    qsort_r(order, m->n_hosts, sizeof *order, cmp_host, m->hosts);
    for (size_t i = 0; i < m->n_hosts; i++) {
        const char *key = m->hosts[order[i]].host.class_key;
        if (m->n_classes == 0 || strcmp(m->classes[m->n_classes - 1].key, key) != 0) {
            struct tp_merge_class *c = &m->classes[m->n_classes++];
            snprintf(c->key, sizeof c->key, "%s", key);
            c->hosts = &order[i]; /* a slice of order, copied below */
        }
        m->classes[m->n_classes - 1].n_hosts++;
    }
    int rc = 0;
    for (size_t k = 0; k < m->n_classes; k++) {
        struct tp_merge_class *c = &m->classes[k];
        size_t *slice = c->hosts;
        c->hosts = malloc(c->n_hosts * sizeof *c->hosts);
        if (c->hosts == NULL) {
            c->n_hosts = 0;
            rc = -ENOMEM;
            continue;
        }
        memcpy(c->hosts, slice, c->n_hosts * sizeof *c->hosts);
    }
    free(order);
    return rc;
}

int tp_merge_finish(struct tp_merge *m, char *why, size_t why_len)
{
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (m == NULL)
        return -EINVAL;
    if (m->n_hosts == 0)
        return TP_ENOPOINTS;
    if (m->from_merged)
        return 0; /* as it stands */
    int rc = one_workload(m, why, why_len);
    if (rc == 0 && m->classes == NULL)
        rc = group(m);
    for (size_t k = 0; k < m->n_classes && rc == 0; k++) {
        struct tp_merge_class *c = &m->classes[k];
        free(c->points);
        c->points = NULL;
        c->n_disagree = c->n_no_pick = 0;
        if ((rc = tp__merge_pool_class(c, m->hosts)) < 0)
            break;
        for (size_t i = 0; i < c->n_hosts; i++) {
            struct tp_merge_host *h = &m->hosts[c->hosts[i]];
            tp__merge_verdict(h, c);
            c->n_disagree += h->verdict == TP_MERGE_DISAGREES;
            c->n_no_pick += h->verdict == TP_MERGE_NO_PICK;
        }
    }
    return rc;
}
