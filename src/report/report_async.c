/* report_async.c - the report's executor section: the event loops' curve and pick beside the pool's pick and the rules. */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "json_build.h"
#include "report_async.h"
#include "report_work.h"
#include "stats.h"
#include "workload.h"

/* ---- text ---- */

static char *fmt_rss(char *buf, size_t len, long kb)
{
    if (kb <= 0)
        snprintf(buf, len, "-");
    else if (kb >= 10240)
        snprintf(buf, len, "%.1f MiB", (double)kb / 1024);
    else
        snprintf(buf, len, "%ld KiB", kb);
    return buf;
}

static char *fmt_interval(char *buf, size_t len, const struct tp_point *p)
{
    return tp__fmt_interval(buf, len, p->tput_ci_lo, p->tput_ci_hi);
}

static int loops_of(const struct tp_result *a, const struct tp_point *p)
{
    return p->threads < a->cores ? p->threads : a->cores;
}

/* One row of the side-by-side table. */
static void design_row(FILE *f, const char *name, int threads, const struct tp_point *p, const struct tp_point *ref)
{
    char t[32], iv[64], p99[32], rss[32], frac[48] = "";
    if (p == NULL || !tp_point_ok(p)) {
        fprintf(f, "  %-52s %7d  %s\n", name, threads, p == NULL ? "not measured" : tp_point_status_name(p->status));
        return;
    }
    if (ref != NULL && ref->tput_median > 0)
        snprintf(frac, sizeof frac, "  %.2fx async", p->tput_median / ref->tput_median);
    fprintf(f, "  %-52s %7d %10s  %-21s %9s %9s%s\n", name, threads, tp__fmt_num(t, sizeof t, p->tput_median),
            fmt_interval(iv, sizeof iv, p), tp__fmt_duration(p99, sizeof p99, p->lat_p99_ns),
            fmt_rss(rss, sizeof rss, p->max_rss_kb), frac);
}

static void curve(const struct tp_result *a, FILE *f, double level)
{
    char t[32], iv[64], p50[32], p99[32], rss[32];
    fprintf(f, "  %6s %9s %6s %10s  %-21s %9s %9s %9s  %s\n", "c", "in flight", "loops", "tasks/s", "interval", "p50",
            "p99", "max RSS", "status");
    (void)level;
    for (size_t i = 0; i < a->n_points; i++) {
        const struct tp_point *p = &a->points[i];
        int ok = tp_point_ok(p);
        char mark = (int)i == a->pick ? '*' : (int)i == a->best ? '^' : p->in_band ? '=' : ' ';
        fprintf(f, "%c %6g %9d %6d %10s  %-21s %9s %9s %9s  %s%s%s\n", ok ? mark : ' ', p->multiplier, p->threads,
                loops_of(a, p), ok ? tp__fmt_num(t, sizeof t, p->tput_median) : "-",
                ok ? fmt_interval(iv, sizeof iv, p) : "-", ok ? tp__fmt_duration(p50, sizeof p50, p->lat_p50_ns) : "-",
                ok ? tp__fmt_duration(p99, sizeof p99, p->lat_p99_ns) : "-", fmt_rss(rss, sizeof rss, p->max_rss_kb),
                tp_point_status_name(p->status), ok && p->work_errors > 0 ? ", task errors: " : "",
                ok && p->work_errors > 0 ? "yes" : "");
    }
    if (a->n_points == 0)
        fprintf(f, "  (no points)\n");
    fprintf(f, "  (c = tasks in flight per loop; * pick: the smallest c indistinguishable from the best, "
               "^ best, = in the band)\n");
}

int tp__report_async_table(const struct tp_result *r, FILE *f)
{
    const struct tp_async_result *as = r->async;
    if (as == NULL)
        return 0;
    const struct tp_result *a = &as->sweep;
    char line[512];
    if (as->only) {
        tp__workload_describe(&r->workload, line, sizeof line);
        fprintf(f, "tune-pool %s  workload %s\n", r->version[0] ? r->version : TP_VERSION_STRING, line);
        fprintf(f, "cores: %d (%s)\n", r->cores, tp_cores_source_name(r->topo.source));
        fprintf(f, "executor: async only (--executor=async): no pool was measured\n");
    }
    fprintf(f, "\nExecutors: the tuned pool against one event loop per core (epoll; docs/executors.md)\n");
    if (!as->supported) {
        fprintf(f, "  the async row is absent: %s\n", as->why);
        return ferror(f) ? -EIO : 0;
    }
    int level = (int)lround(100 * tp__effective_confidence(a->confidence));
    fprintf(f, "Event-loop curve (%d%% intervals of the median, %d loop%s at most):\n", level, a->cores,
            a->cores == 1 ? "" : "s");
    curve(a, f, a->confidence);
    if (as->rc < 0 && as->rc != TP_ECANCELED && a->pick < 0)
        fprintf(f, "  no async point was measured: %s\n", tp_strerror(as->rc));
    const struct tp_point *ap = a->pick >= 0 ? &a->points[a->pick] : NULL;
    if (ap != NULL)
        fprintf(f, "Async pick: c = %g tasks in flight per loop (%d in flight on %d loop thread%s)\n", ap->multiplier,
                ap->threads, loops_of(a, ap), loops_of(a, ap) == 1 ? "" : "s");

    fprintf(f, "Side by side (threads = OS threads running tasks; max RSS of the point's process):\n");
    fprintf(f, "  %-52s %7s %10s  %-21s %9s %9s\n", "design", "threads", "tasks/s", "interval", "p99", "max RSS");
    if (!as->only && r->pick >= 0) {
        const struct tp_point *pp = &r->points[r->pick];
        snprintf(line, sizeof line, "pool pick (m = %g)", pp->multiplier);
        design_row(f, line, pp->threads, pp, ap);
        for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
            const struct tp_rule_row *row = &r->rules[k];
            if (row->name == NULL)
                continue;
            snprintf(line, sizeof line, "pool, %s", row->name);
            design_row(f, line, row->threads, row->point >= 0 ? &r->points[row->point] : NULL, ap);
        }
    } else if (!as->only) {
        fprintf(f, "  %-52s %7s  no pick (no pool point was measured)\n", "pool pick", "-");
    }
    if (ap != NULL) {
        snprintf(line, sizeof line, "async pick (c = %g in flight per loop)", ap->multiplier);
        design_row(f, line, loops_of(a, ap), ap, NULL);
    } else {
        fprintf(f, "  %-52s %7s  no pick\n", "async pick", "-");
    }
    struct tp_executor_verdict v;
    if (!as->only && tp_executor_compare(r, &v) == 0) {
        if (strcmp(v.winner, "async") == 0)
            fprintf(f,
                    "Verdict: the event loops win: %.2fx the pool's pick [%.2fx, %.2fx], with %d thread%s "
                    "instead of %d\n",
                    v.ratio, v.ratio_lo, v.ratio_hi, v.async_threads, v.async_threads == 1 ? "" : "s", v.pool_threads);
        else if (strcmp(v.winner, "pool") == 0)
            fprintf(f, "Verdict: the pool wins: %.2fx the event loops' pick [%.2fx, %.2fx]\n", 1 / v.ratio,
                    v.ratio_hi > 0 ? 1 / v.ratio_hi : 0, v.ratio_lo > 0 ? 1 / v.ratio_lo : 0);
        else
            fprintf(f,
                    "Verdict: indistinguishable: async / pool = %.2fx [%.2fx, %.2fx], the intervals overlap; "
                    "the event loops use %d thread%s, the pool %d\n",
                    v.ratio, v.ratio_lo, v.ratio_hi, v.async_threads, v.async_threads == 1 ? "" : "s", v.pool_threads);
    }
    return ferror(f) ? -EIO : 0;
}

/* ---- JSON ---- */

static json_t *tput(struct tp__jb *b, const struct tp_point *p)
{
    json_t *o = json_object();
    tp__jput(b, o, "median", tp__json_num(p->tput_median));
    tp__jput(b, o, "ci_lo", tp__json_num(p->tput_ci_lo));
    tp__jput(b, o, "ci_hi", tp__json_num(p->tput_ci_hi));
    return o;
}

/* A design's row: the figures the side-by-side table shows. */
static json_t *design(struct tp__jb *b, const struct tp_point *p, int threads)
{
    if (p == NULL || !tp_point_ok(p))
        return json_null();
    json_t *o = json_object();
    tp__jput(b, o, "multiplier", tp__json_num(p->multiplier));
    tp__jput(b, o, "threads", json_integer(threads));
    tp__jput(b, o, "throughput", tput(b, p));
    tp__jput(b, o, "p99_ns", tp__json_num(p->lat_p99_ns));
    tp__jput(b, o, "max_rss_kb", json_integer(p->max_rss_kb));
    return o;
}

static json_t *point(struct tp__jb *b, const struct tp_result *a, const struct tp_point *p)
{
    json_t *o = json_object(), *reps = json_array(), *lat = json_object(), *work = json_object();
    tp__jput(b, o, "in_flight_per_loop", tp__json_num(p->multiplier));
    tp__jput(b, o, "in_flight", json_integer(p->threads));
    tp__jput(b, o, "loops", json_integer(loops_of(a, p)));
    tp__jput(b, o, "status", json_string(tp_point_status_name(p->status)));
    tp__jput(b, o, "error", p->error != 0 ? json_string(tp_strerror(p->error)) : json_null());
    tp__jput(b, o, "tasks_per_rep", json_integer((json_int_t)p->tasks_per_rep));
    for (int i = 0; i < p->n_reps; i++)
        if (reps == NULL || json_array_append_new(reps, tp__json_num(p->reps[i].throughput)) != 0)
            b->ok = 0;
    tp__jput(b, o, "reps", reps);
    int ok = tp_point_ok(p);
    tp__jput(b, o, "throughput", ok ? tput(b, p) : json_null());
    tp__jput(b, lat, "p50", tp__json_num(ok ? p->lat_p50_ns : NAN));
    tp__jput(b, lat, "p99", tp__json_num(ok ? p->lat_p99_ns : NAN));
    tp__jput(b, lat, "max", tp__json_num(ok ? p->lat_max_ns : NAN));
    tp__jput(b, o, "latency_ns", lat);
    tp__jput(b, o, "task_wall_mean_ns", tp__json_num(ok ? p->task_wall_mean_ns : NAN));
    tp__jput(b, o, "task_cpu_mean_ns", tp__json_num(ok ? p->task_cpu_mean_ns : NAN));
    tp__jput(b, o, "cpu_util", tp__json_num(ok ? p->cpu_util : NAN));
    tp__jput(b, o, "max_rss_kb", json_integer(p->max_rss_kb));
    tp__jput(b, o, "in_band", json_boolean(p->in_band));
    tp__jput(b, work, "ops", json_integer((json_int_t)p->work_ops));
    tp__jput(b, work, "bytes", json_integer((json_int_t)p->work_bytes));
    tp__jput(b, work, "errors", json_integer((json_int_t)p->work_errors));
    tp__jput(b, o, "work", work);
    if (o != NULL && tp__report_point_kind_json(o, a->workload.kind, p) < 0)
        b->ok = 0;
    return o;
}

json_t *tp__report_async_json(const struct tp_result *r)
{
    const struct tp_async_result *as = r->async;
    if (as == NULL)
        return json_null();
    const struct tp_result *a = &as->sweep;
    struct tp__jb b = { 1 };
    json_t *o = json_object(), *pts = json_array();
    tp__jput(&b, o, "executor", json_string("async"));
    tp__jput(&b, o, "only", json_boolean(as->only));
    tp__jput(&b, o, "supported", json_boolean(as->supported));
    tp__jput(&b, o, "reason", as->supported ? json_null() : json_string(as->why));
    tp__jput(&b, o, "error", as->rc < 0 ? json_string(tp_strerror(as->rc)) : json_null());
    tp__jput(&b, o, "loops", json_integer(as->supported ? a->cores : 0));
    tp__jput(&b, o, "strategy", json_string(tp_strategy_name(a->strategy)));
    for (size_t i = 0; i < a->n_points; i++)
        if (pts == NULL || json_array_append_new(pts, point(&b, a, &a->points[i])) != 0)
            b.ok = 0;
    tp__jput(&b, o, "points", pts);
    const struct tp_point *ap = a->pick >= 0 ? &a->points[a->pick] : NULL;
    if (ap != NULL) {
        json_t *rec = json_object(), *band = json_array();
        tp__jput(&b, rec, "in_flight_per_loop", tp__json_num(ap->multiplier));
        tp__jput(&b, rec, "in_flight", json_integer(ap->threads));
        tp__jput(&b, rec, "loops", json_integer(loops_of(a, ap)));
        tp__jput(&b, rec, "throughput", tput(&b, ap));
        tp__jput(&b, rec, "p99_ns", tp__json_num(ap->lat_p99_ns));
        tp__jput(&b, rec, "max_rss_kb", json_integer(ap->max_rss_kb));
        for (size_t i = 0; i < a->n_points; i++)
            if (a->points[i].in_band &&
                (band == NULL || json_array_append_new(band, tp__json_num(a->points[i].multiplier)) != 0))
                b.ok = 0;
        tp__jput(&b, rec, "band_in_flight_per_loop", band);
        tp__jput(&b, o, "recommendation", rec);
    } else {
        tp__jput(&b, o, "recommendation", json_null());
    }
    struct tp_executor_verdict v;
    if (!as->only && tp_executor_compare(r, &v) == 0) {
        json_t *c = json_object(), *rules = json_array();
        tp__jput(&b, c, "pool", design(&b, &r->points[r->pick], r->points[r->pick].threads));
        tp__jput(&b, c, "async", design(&b, ap, loops_of(a, ap)));
        for (int k = 0; k < r->n_rules && k < TP_MAX_RULES; k++) {
            const struct tp_rule_row *row = &r->rules[k];
            if (row->key == NULL)
                continue;
            json_t *ro = json_object();
            tp__jput(&b, ro, "key", json_string(row->key));
            tp__jput(&b, ro, "threads", json_integer(row->threads));
            tp__jput(&b, ro, "row", design(&b, row->point >= 0 ? &r->points[row->point] : NULL, row->threads));
            if (rules == NULL || json_array_append_new(rules, ro) != 0)
                b.ok = 0;
        }
        tp__jput(&b, c, "rules", rules);
        tp__jput(&b, c, "winner", json_string(v.winner));
        tp__jput(&b, c, "ratio", tp__json_num(v.ratio));
        tp__jput(&b, c, "ratio_lo", tp__json_num(v.ratio_lo));
        tp__jput(&b, c, "ratio_hi", tp__json_num(v.ratio_hi));
        tp__jput(&b, o, "comparison", c);
    } else {
        tp__jput(&b, o, "comparison", json_null());
    }
    if (!b.ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}
