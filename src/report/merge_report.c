/* merge_report.c - a merge's writers: the table and Markdown, CSV, the merged JSON document, per-class emits. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "emit.h"
#include "format.h"
#include "grid.h"
#include "json_build.h"
#include "stats.h"
#include "workload.h"

#define MERGE_METHOD                                                                                              \
    "per class and multiplier, every host's repetitions pooled: median and bootstrap percentile interval of the " \
    "pooled median; band and pick as for one run (intervals reaching the highest interval floor, less the "       \
    "tolerance; the pick is the smallest m in the band)"
#define VERDICT_METHOD \
    "a host disagrees when its own pick is outside the class band, or the class pick is outside its own band"

static const char *verdict_name(enum tp_merge_verdict v)
{
    switch (v) {
    case TP_MERGE_AGREES: return "agrees";
    case TP_MERGE_DISAGREES: return "disagrees";
    case TP_MERGE_NO_PICK: return "no_pick";
    }
    return "unknown";
}

static void workload_text(const struct tp_merge *m, char *buf, size_t len)
{
    if (m->command != NULL)
        snprintf(buf, len, "--run '%s'", m->command);
    else
        tp__workload_describe(&m->workload, buf, len);
}

/* "m = 2 -> 4 threads: 1234 tasks/s [1200, 1260]". */
static void pick_text(char *buf, size_t len, double mult, int threads, double med, double lo, double hi)
{
    char a[32], b[32], ci[TP__INTERVAL_LEN];
    snprintf(buf, len, "m = %s -> %d thread%s: %s tasks/s %s", tp__fmt_mult(a, sizeof a, mult), threads,
             tp__plural(threads), tp__fmt_num(b, sizeof b, med), tp__fmt_interval(ci, sizeof ci, lo, hi));
}

static void band_text(char *buf, size_t len, double lo, double hi, int n)
{
    char a[32], b[32];
    if (n <= 1)
        snprintf(buf, len, "only the pick");
    else
        snprintf(buf, len, "m = %s .. %s", tp__fmt_mult(a, sizeof a, lo), tp__fmt_mult(b, sizeof b, hi));
}

static int host_band_count(const struct tp_merge_host *h)
{
    int n = 0;
    for (size_t i = 0; i < h->n_points; i++)
        n += h->points[i].in_band;
    return n;
}

/* The hosts of class c: name, start, own pick, band, verdict. */
static int hosts_grid(struct tp__grid *g, const struct tp_merge *m, const struct tp_merge_class *c)
{
    int rc = tp__grid_row(g, "host", "started", "its pick", "its band", "verdict");
    for (size_t k = 0; k < c->n_hosts; k++) {
        const struct tp_merge_host *h = &m->hosts[c->hosts[k]];
        char pick[TP__GRID_CELL] = "none", band[64] = "-", verdict[TP__GRID_CELL];
        if (h->pick >= 0) {
            const struct tp_merge_point *p = &h->points[h->pick];
            pick_text(pick, sizeof pick, p->multiplier, p->threads, p->median, p->ci_lo, p->ci_hi);
            band_text(band, sizeof band, h->band_lo_multiplier, h->band_hi_multiplier, host_band_count(h));
        }
        const char *v = h->verdict == TP_MERGE_DISAGREES ? "DISAGREES"
                        : h->verdict == TP_MERGE_AGREES  ? "agrees"
                                                         : "no pick";
        snprintf(verdict, sizeof verdict, "%s%s%.140s", v, h->why[0] ? ": " : "", h->why);
        rc |= tp__grid_row(g, h->host.hostname, h->started[0] ? h->started : "-", pick, band, verdict);
    }
    return rc;
}

/* The pooled points of class c. */
static int points_grid(struct tp__grid *g, const struct tp_merge_class *c, const char *level)
{
    char ih[48];
    snprintf(ih, sizeof ih, "tasks/s [%s interval]", level);
    int rc = tp__grid_row(g, "m", "threads", "hosts", "repetitions", ih, "");
    for (size_t i = 0; i < c->n_points; i++) {
        const struct tp_merge_pooled *q = &c->points[i];
        char mm[32], th[16], nh[16], ns[16], tput[TP__GRID_CELL], med[32], ci[TP__INTERVAL_LEN];
        snprintf(th, sizeof th, "%d", q->threads);
        snprintf(nh, sizeof nh, "%d", q->n_hosts);
        snprintf(ns, sizeof ns, "%d", q->n_samples);
        snprintf(tput, sizeof tput, "%s %s", tp__fmt_num(med, sizeof med, q->median),
                 tp__fmt_interval(ci, sizeof ci, q->ci_lo, q->ci_hi));
        const char *mark = (int)i == c->pick ? "* pick" : q->in_band ? "= band" : q->excluded ? "p99 over bound" : "";
        rc |= tp__grid_row(g, tp__fmt_mult(mm, sizeof mm, q->multiplier), th, nh, ns, tput, mark);
    }
    return rc;
}

/* What an operator should know about class c, one line each. */
static void class_notes(const struct tp_merge *m, const struct tp_merge_class *c, const char *bullet, FILE *f)
{
    if (c->n_hosts == 1)
        fprintf(f, "%sone host: merged on its own, the class's pick is that host's own\n", bullet);
    if (c->cores_differ)
        fprintf(f, "%sits hosts have different core counts: threads are m x the first host's %d cores\n", bullet,
                c->cores);
    for (size_t k = 0; k < c->n_hosts; k++) {
        const struct tp_merge_host *h = &m->hosts[c->hosts[k]];
        if (h->n_failed > 0 && h->pick >= 0)
            fprintf(f, "%s%s: %d point%s failed; its other points are merged\n", bullet, h->host.hostname, h->n_failed,
                    tp__plural(h->n_failed));
        if (h->partial)
            fprintf(f, "%s%s: its run was interrupted (partial); what it measured is merged\n", bullet,
                    h->host.hostname);
    }
}

static int write_class_text(const struct tp_merge *m, const struct tp_merge_class *c, int md, FILE *f)
{
    char line[TP__GRID_CELL], level[16];
    const struct tp_merge_host *first = &m->hosts[c->hosts[0]];
    snprintf(level, sizeof level, "%g%%", 100.0 * tp__effective_confidence(first->confidence));
    fprintf(f, md ? "\n## Class `%s`\n\n" : "\nClass %s\n", c->key);
    fprintf(f, "%s%zu host%s, %d core%s\n", md ? "" : "  ", c->n_hosts, tp__plural((long long)c->n_hosts), c->cores,
            tp__plural(c->cores));
    if (c->pick >= 0) {
        const struct tp_merge_pooled *q = &c->points[c->pick];
        pick_text(line, sizeof line, q->multiplier, q->threads, q->median, q->ci_lo, q->ci_hi);
        fprintf(f, "%s%spick: %s%s, pooled over %d host%s (%d repetitions)\n", md ? "\n" : "  ", md ? "**" : "", line,
                md ? "**" : "", q->n_hosts, tp__plural(q->n_hosts), q->n_samples);
        band_text(line, sizeof line, c->band_lo_multiplier, c->band_hi_multiplier, c->n_band);
        if (c->n_band > 1)
            fprintf(f, "%sband: %s (%d points)\n", md ? "\n" : "  ", line, c->n_band);
        else
            fprintf(f, "%sband: only the pick\n", md ? "\n" : "  ");
    } else {
        fprintf(f, "%spick: none (no host measured a point)\n", md ? "\n" : "  ");
    }
    if (c->n_disagree > 0)
        fprintf(f, "%s%d host%s disagree%s with the class (below)\n", md ? "\n" : "  ", c->n_disagree,
                tp__plural(c->n_disagree), c->n_disagree == 1 ? "s" : "");
    struct tp__grid hg = { .cols = 5 }, pg = { .cols = 6 };
    int rc = hosts_grid(&hg, m, c) | points_grid(&pg, c, level);
    if (rc == 0) {
        fputc('\n', f);
        tp__grid_print(&hg, md, 0, f);
        fputc('\n', f);
        tp__grid_print(&pg, md, 0x0Eu, f);
        if (md)
            fputc('\n', f);
        class_notes(m, c, md ? "- " : "  note: ", f);
    }
    tp__grid_free(&hg);
    tp__grid_free(&pg);
    return rc != 0 ? -ENOMEM : 0;
}

static int write_text(const struct tp_merge *m, int md, FILE *f)
{
    char wl[256];
    workload_text(m, wl, sizeof wl);
    fprintf(f, "%stune-pool merge: %zu result%s in %zu host class%s, %zu skipped\n", md ? "# " : "", m->n_hosts,
            tp__plural((long long)m->n_hosts), m->n_classes, m->n_classes == 1 ? "" : "es", m->n_skipped);
    fprintf(f, "%sworkload: %s\n", md ? "\n" : "", wl);
    for (size_t k = 0; k < m->n_classes; k++)
        if (write_class_text(m, &m->classes[k], md, f) < 0)
            return -ENOMEM;
    if (m->n_skipped > 0)
        fprintf(f, md ? "\n## Skipped\n\n" : "\nSkipped (not merged):\n");
    for (size_t i = 0; i < m->n_skipped; i++)
        fprintf(f, "%s%s: %s\n", md ? "- " : "  ", m->skipped[i].path, m->skipped[i].why);
    fprintf(f, "\n(method: %s; %s)\n", MERGE_METHOD, VERDICT_METHOD);
    return 0;
}

static void csv_row(FILE *f, const char *cls, const char *kind, const char *host, const char *path, double mult,
                    int threads, double med, double lo, double hi, double blo, double bhi, const char *verdict,
                    const char *why)
{
    char x[7][40];
    snprintf(x[0], sizeof x[0], "%.10g", mult);
    snprintf(x[1], sizeof x[1], "%d", threads);
    snprintf(x[2], sizeof x[2], "%.10g", med);
    snprintf(x[3], sizeof x[3], "%.10g", lo);
    snprintf(x[4], sizeof x[4], "%.10g", hi);
    snprintf(x[5], sizeof x[5], "%.10g", blo);
    snprintf(x[6], sizeof x[6], "%.10g", bhi);
    int none = threads <= 0;
    const char *cells[] = { cls,
                            kind,
                            host,
                            path,
                            none ? "" : x[0],
                            none ? "" : x[1],
                            none ? "" : x[2],
                            none ? "" : x[3],
                            none ? "" : x[4],
                            none ? "" : x[5],
                            none ? "" : x[6],
                            verdict,
                            why };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        tp__csv_field(f, cells[i]);
        fputs(i + 1 == sizeof cells / sizeof cells[0] ? "\r\n" : ",", f);
    }
}

/* One row per class (its pooled pick), then one per host (its own pick and verdict). */
static int write_csv(const struct tp_merge *m, FILE *f)
{
    fputs("class,row,hostname,path,multiplier,threads,tasks_per_s,ci_lo,ci_hi,band_lo_multiplier,"
          "band_hi_multiplier,verdict,reason\r\n",
          f);
    for (size_t k = 0; k < m->n_classes; k++) {
        const struct tp_merge_class *c = &m->classes[k];
        const struct tp_merge_pooled *q = c->pick >= 0 ? &c->points[c->pick] : NULL;
        csv_row(f, c->key, "class", "", "", q ? q->multiplier : 0, q ? q->threads : 0, q ? q->median : 0,
                q ? q->ci_lo : 0, q ? q->ci_hi : 0, c->band_lo_multiplier, c->band_hi_multiplier, "", "");
        for (size_t i = 0; i < c->n_hosts; i++) {
            const struct tp_merge_host *h = &m->hosts[c->hosts[i]];
            const struct tp_merge_point *p = h->pick >= 0 ? &h->points[h->pick] : NULL;
            csv_row(f, c->key, "host", h->host.hostname, h->path, p ? p->multiplier : 0, p ? p->threads : 0,
                    p ? p->median : 0, p ? p->ci_lo : 0, p ? p->ci_hi : 0, h->band_lo_multiplier, h->band_hi_multiplier,
                    verdict_name(h->verdict), h->why);
        }
    }
    return 0;
}

static json_t *json_tput(struct tp__jb *b, double med, double lo, double hi)
{
    json_t *o = json_object();
    tp__jput(b, o, "median", tp__json_num(med));
    tp__jput(b, o, "ci_lo", tp__json_num(lo));
    tp__jput(b, o, "ci_hi", tp__json_num(hi));
    return o;
}

/* A pick object: m, threads, throughput. */
static json_t *json_pick(struct tp__jb *b, double mult, int threads, double med, double lo, double hi)
{
    json_t *o = json_object();
    tp__jput(b, o, "multiplier", tp__json_num(mult));
    tp__jput(b, o, "threads", json_integer(threads));
    tp__jput(b, o, "throughput", json_tput(b, med, lo, hi));
    return o;
}

static json_t *json_host(struct tp__jb *b, const struct tp_merge_host *h)
{
    json_t *o = json_object(), *pts = json_array();
    char *host = tp_host_json(&h->host);
    tp__jput(b, o, "hostname", json_string(h->host.hostname[0] ? h->host.hostname : "unknown"));
    tp__jput(b, o, "path", json_string(h->path));
    tp__jput(b, o, "started", tp__json_str_or_null(h->started));
    tp__jput(b, o, "host", host != NULL ? json_loads(host, 0, NULL) : NULL);
    free(host);
    tp__jput(b, o, "partial", json_boolean(h->partial));
    tp__jput(b, o, "failed_points", json_integer(h->n_failed));
    const struct tp_merge_point *pk = h->pick >= 0 ? &h->points[h->pick] : NULL;
    tp__jput(b, o, "pick",
             pk != NULL ? json_pick(b, pk->multiplier, pk->threads, pk->median, pk->ci_lo, pk->ci_hi) : json_null());
    json_t *band = pk != NULL ? json_object() : json_null();
    if (pk != NULL) {
        tp__jput(b, band, "lo_multiplier", tp__json_num(h->band_lo_multiplier));
        tp__jput(b, band, "hi_multiplier", tp__json_num(h->band_hi_multiplier));
    }
    tp__jput(b, o, "band", band);
    tp__jput(b, o, "verdict", json_string(verdict_name(h->verdict)));
    tp__jput(b, o, "reason", tp__json_str_or_null(h->why));
    for (size_t i = 0; i < h->n_points; i++) {
        const struct tp_merge_point *p = &h->points[i];
        int ok = p->status == TP_POINT_OK && isfinite(p->median); /* read back from a merged document: no reps */
        json_t *jp = json_object();
        tp__jput(b, jp, "multiplier", tp__json_num(p->multiplier));
        tp__jput(b, jp, "threads", json_integer(p->threads));
        tp__jput(b, jp, "status", json_string(tp_point_status_name(p->status)));
        tp__jput(b, jp, "throughput", ok ? json_tput(b, p->median, p->ci_lo, p->ci_hi) : json_null());
        tp__jput(b, jp, "in_band", json_boolean(p->in_band));
        tp__jpush(b, pts, jp);
    }
    tp__jput(b, o, "points", pts);
    return o;
}

static json_t *json_pooled(struct tp__jb *b, const struct tp_merge_class *c, size_t i)
{
    const struct tp_merge_pooled *q = &c->points[i];
    json_t *o = json_object();
    tp__jput(b, o, "multiplier", tp__json_num(q->multiplier));
    tp__jput(b, o, "threads", json_integer(q->threads));
    tp__jput(b, o, "hosts", json_integer(q->n_hosts));
    tp__jput(b, o, "samples", json_integer(q->n_samples));
    tp__jput(b, o, "throughput", json_tput(b, q->median, q->ci_lo, q->ci_hi));
    tp__jput(b, o, "p99_ns", tp__json_num(q->lat_p99_ns));
    tp__jput(b, o, "excluded", json_boolean(q->excluded));
    tp__jput(b, o, "in_band", json_boolean(q->in_band));
    tp__jput(b, o, "pick", json_boolean((int)i == c->pick));
    return o;
}

static json_t *json_class(struct tp__jb *b, const struct tp_merge *m, const struct tp_merge_class *c)
{
    json_t *o = json_object(), *hosts = json_array(), *pts = json_array(), *bm = json_array();
    tp__jput(b, o, "class", json_string(c->key));
    tp__jput(b, o, "cores", json_integer(c->cores));
    tp__jput(b, o, "cores_differ", json_boolean(c->cores_differ));
    tp__jput(b, o, "n_hosts", json_integer((json_int_t)c->n_hosts));
    tp__jput(b, o, "one_host", json_boolean(c->n_hosts == 1));
    const struct tp_merge_pooled *q = c->pick >= 0 ? &c->points[c->pick] : NULL;
    json_t *pick = q != NULL ? json_pick(b, q->multiplier, q->threads, q->median, q->ci_lo, q->ci_hi) : json_null();
    json_t *band = q != NULL ? json_object() : json_null();
    if (q != NULL) {
        tp__jput(b, pick, "hosts", json_integer(q->n_hosts));
        tp__jput(b, pick, "samples", json_integer(q->n_samples));
        tp__jput(b, band, "lo_multiplier", tp__json_num(c->band_lo_multiplier));
        tp__jput(b, band, "hi_multiplier", tp__json_num(c->band_hi_multiplier));
        for (size_t i = 0; i < c->n_points; i++)
            if (c->points[i].in_band)
                tp__jpush(b, bm, tp__json_num(c->points[i].multiplier));
        tp__jput(b, band, "multipliers", bm);
    } else {
        json_decref(bm);
    }
    tp__jput(b, o, "pick", pick);
    tp__jput(b, o, "band", band);
    tp__jput(b, o, "disagreeing", json_integer(c->n_disagree));
    tp__jput(b, o, "no_pick", json_integer(c->n_no_pick));
    for (size_t i = 0; i < c->n_points; i++)
        tp__jpush(b, pts, json_pooled(b, c, i));
    tp__jput(b, o, "points", pts);
    for (size_t k = 0; k < c->n_hosts; k++)
        tp__jpush(b, hosts, json_host(b, &m->hosts[c->hosts[k]]));
    tp__jput(b, o, "hosts", hosts);
    return o;
}

static json_t *json_skipped(struct tp__jb *b, const struct tp_merge *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->n_skipped; i++) {
        const struct tp_merge_skip *s = &m->skipped[i];
        json_t *o = json_object();
        tp__jput(b, o, "path", json_string(s->path));
        tp__jput(b, o, "reason", json_string(s->why));
        tp__jput(b, o, "duplicate_of", s->duplicate_of != NULL ? json_string(s->duplicate_of) : json_null());
        tp__jpush(b, a, o);
    }
    return a;
}

static int write_json(const struct tp_merge *m, FILE *f)
{
    struct tp__jb b = { 1 };
    json_t *root = json_object(), *classes = json_array(), *method = json_object();
    tp__jput(&b, root, "$schema", json_string(TP_SCHEMA_ID_PREFIX "merge"));
    tp__jput(&b, root, "tool", json_string("tune-pool"));
    tp__jput(&b, root, "schema", json_integer(1));
    tp__jput(&b, root, "kind", json_string("merge"));
    tp__jput(&b, root, "version", json_string(TP_VERSION_STRING));
    json_t *wl = m->workload_json != NULL ? json_loads(m->workload_json, 0, NULL) : json_null();
    tp__jput(&b, root, "workload", wl);
    tp__jput(&b, root, "command", m->command != NULL ? json_string(m->command) : json_null());
    tp__jput(&b, method, "pooling", json_string(MERGE_METHOD));
    tp__jput(&b, method, "verdict", json_string(VERDICT_METHOD));
    tp__jput(&b, root, "method", method);
    tp__jput(&b, root, "inputs", json_integer((json_int_t)(m->n_hosts + m->n_skipped)));
    tp__jput(&b, root, "merged", json_integer((json_int_t)m->n_hosts));
    for (size_t k = 0; k < m->n_classes; k++)
        tp__jpush(&b, classes, json_class(&b, m, &m->classes[k]));
    tp__jput(&b, root, "classes", classes);
    tp__jput(&b, root, "skipped", json_skipped(&b, m));
    int rc = b.ok ? json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) : -1;
    json_decref(root);
    if (rc != 0)
        return ferror(f) ? -EIO : TP_EJSON;
    fputc('\n', f);
    return 0;
}

int tp_merge_write(const struct tp_merge *m, enum tp_format format, FILE *f)
{
    if (m == NULL || f == NULL)
        return -EINVAL;
    int rc;
    switch (format) {
    case TP_FORMAT_TABLE: rc = write_text(m, 0, f); break;
    case TP_FORMAT_MARKDOWN: rc = write_text(m, 1, f); break;
    case TP_FORMAT_CSV: rc = write_csv(m, f); break;
    case TP_FORMAT_JSON: rc = write_json(m, f); break;
    default: return -EINVAL;
    }
    if (fflush(f) != 0 || ferror(f))
        return rc < 0 && rc != TP_EJSON ? rc : -EIO;
    return rc;
}

int tp_merge_emit_class(const struct tp_merge *m, size_t c, enum tp_emit_format format, FILE *f)
{
    if (m == NULL || c >= m->n_classes || f == NULL)
        return -EINVAL;
    const struct tp_merge_class *cl = &m->classes[c];
    if (cl->pick < 0)
        return TP_ENOPOINTS;
    const struct tp_merge_pooled *q = &cl->points[cl->pick];
    /* A result of one point, the class's pick, for the emitters. */
    struct tp_point p;
    memset(&p, 0, sizeof p);
    p.multiplier = q->multiplier;
    p.threads = q->threads;
    p.tput_median = q->median;
    p.tput_ci_lo = q->ci_lo;
    p.tput_ci_hi = q->ci_hi;
    struct tp_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.version, sizeof r.version, "%s", m->version);
    r.cores = cl->cores;
    r.workload = m->workload;
    r.points = &p;
    r.n_points = 1;
    r.pick = r.best = 0;
    char note[TP_HOST_CLASS_MAX + 64];
    snprintf(note, sizeof note, "class %s: pooled over %d host%s", cl->key, q->n_hosts, tp__plural(q->n_hosts));
    return tp__emit_write_note(&r, note, format, f);
}
