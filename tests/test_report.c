/* test_report.c - every writer's output parses back; atomic save; write errors. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "csv.h"
#include "stats.h"
#include "tunepool/tunepool.h"

/* ---- a seeded synthetic result: io workload on 2 cores, knee at m = 16 ---- */

static double noise(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static struct tp_result sample_result(void)
{
    static const double mult[] = { 0.5, 1, 2, 3, 5, 8, 16, 24, 32 };
    static const double tput[] = { 475, 951, 1900, 2850, 4760, 15000, 15000, 15000, 15000 };
    const size_t n = sizeof mult / sizeof mult[0];
    struct tp_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.version, sizeof r.version, "%s", TP_VERSION_STRING);
    r.topo.hwloc_ok = 1;
    r.topo.hwloc_cores = 2;
    r.topo.hwloc_pus = 2;
    r.topo.affinity_cpus = 2;
    r.topo.online_cpus = 2;
    r.topo.allowed_cores = 2;
    r.topo.effective_cores = 2;
    r.topo.source = TP_CORES_HWLOC;
    snprintf(r.topo.cpu_model, sizeof r.topo.cpu_model, "Test CPU, 2 cores");
    r.topo.mem_total_kb = 1000000;
    r.topo.mem_available_kb = 500000;
    r.cores = 2;
    r.workload.kind = TP_WORKLOAD_IO;
    r.workload.latency_ns = 2000000;
    r.workload.compute_ns = 100000;
    r.repeat = 5;
    r.tasks = 12000;
    r.confidence = 0.95;
    r.seed = 42;
    r.stack_size = 65536;
    r.started_unix = 1700000000.0;
    r.duration_s = 12.5;
    r.points = calloc(n, sizeof *r.points);
    cr_assert_not_null(r.points);
    r.n_points = n;
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        struct tp_point *p = &r.points[i];
        p->multiplier = mult[i];
        p->threads = (int)lround(mult[i] * 2);
        p->origin = TP_ORIGIN_GRID | (mult[i] == 5 || mult[i] == 3 || mult[i] == 1 ? TP_ORIGIN_RULE : 0);
        p->status = TP_POINT_OK;
        p->threads_started = p->threads;
        p->n_reps = 5;
        p->tasks_per_rep = 12000;
        for (int k = 0; k < 5; k++) {
            struct tp_rep *rep = &p->reps[k];
            rep->throughput = tput[i] * (1.0 + 0.003 * noise(&s));
            rep->tasks = 12000;
            rep->elapsed_s = 12000.0 / rep->throughput;
            rep->cpu_s = rep->elapsed_s * 0.05;
            rep->nvcsw = 24000;
            rep->nivcsw = 10 + k;
        }
        p->lat_p50_ns = 2.1e6;
        p->lat_p90_ns = 2.14e6;
        p->lat_p99_ns = 2.17e6;
        p->lat_max_ns = 3.0e6;
        p->task_wall_mean_ns = 2.1e6;
        p->task_cpu_mean_ns = 1.0e5;
        p->cpu_util = p->threads >= 20 ? 1.0 : 0.05 * p->threads;
        p->max_rss_kb = 4096;
        p->wall_s = 1.5;
    }
    cr_assert_eq(tp_analyze(&r), 0);
    return r;
}

static void free_result(struct tp_result *r)
{
    free(r->points);
    r->points = NULL;
    r->n_points = 0;
}

/* Runs the writer into memory; returns the text (caller frees). */
static char *render(const struct tp_result *r, enum tp_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    int rc = tp_report_write(r, format, f);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(rc, 0, "tp_report_write(%d) = %d", (int)format, rc);
    cr_assert_not_null(buf);
    return buf;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- formats ---- */

Test(report, format_name_parse_round_trip)
{
    const enum tp_format all[] = { TP_FORMAT_TABLE, TP_FORMAT_CSV, TP_FORMAT_JSON, TP_FORMAT_MARKDOWN };
    const char *names[] = { "table", "csv", "json", "markdown" };
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(tp_format_name(all[i]), names[i]);
        enum tp_format f;
        cr_assert_eq(tp_format_parse(names[i], &f), 0);
        cr_assert_eq(f, all[i]);
    }
}

Test(report, format_parse_unknown_is_einval)
{
    enum tp_format f = TP_FORMAT_CSV;
    cr_assert_eq(tp_format_parse("xml", &f), -EINVAL);
    cr_assert_eq(tp_format_parse("JSON", &f), -EINVAL);
    cr_assert_eq(tp_format_parse("", &f), -EINVAL);
    cr_assert_eq(tp_format_parse(NULL, &f), -EINVAL);
    cr_assert_eq(tp_format_parse("csv", NULL), -EINVAL);
    cr_assert_eq(f, TP_FORMAT_CSV);
    cr_assert_null(tp_format_name((enum tp_format)99));
}

Test(report, write_invalid_arguments)
{
    struct tp_result r = sample_result();
    cr_assert_eq(tp_report_write(NULL, TP_FORMAT_TABLE, stdout), -EINVAL);
    cr_assert_eq(tp_report_write(&r, TP_FORMAT_TABLE, NULL), -EINVAL);
    cr_assert_eq(tp_report_write(&r, (enum tp_format)99, stdout), -EINVAL);
    free_result(&r);
}

/* ---- table ---- */

Test(report, table_has_recommendation_band_rules_and_model)
{
    struct tp_result r = sample_result();
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "tune-pool 0.1.0  workload io: wait 2.00 ms + compute 100 us per task"), "%s", t);
    cr_assert_not_null(strstr(t, "cores: 2 effective (hwloc: 2 PUs / 2 cores"), "%s", t);
    cr_assert_not_null(strstr(t, "repetitions 5 x 12 000 tasks, 95% bootstrap intervals of the median"), "%s", t);
    cr_assert_not_null(strstr(t, "Recommendation: m = 8 -> 16 threads on 2 cores: "), "%s", t);
    cr_assert_not_null(strstr(t, "band (indistinguishable from the best): m = 8 .. 32 (16 .. 64 threads"), "%s", t);
    cr_assert_not_null(strstr(t, "Rules of thumb against the pick:"), "%s", t);
    cr_assert_not_null(strstr(t, "m = 5 (ThreadPoolExecutor <= 3.7)"), "%s", t);
    cr_assert_not_null(strstr(t, "min(32, cores + 4) (ThreadPoolExecutor >= 3.8)"), "%s", t);
    cr_assert_not_null(strstr(t, "m = 1 (CPU rule: one thread per core)"), "%s", t);
    cr_assert_not_null(strstr(t, "of the pick ["), "%s", t);
    cr_assert_not_null(strstr(t, "Model (Little's law / JCiP): W = 2.00 ms, C = 100 us"), "%s", t);
    cr_assert_not_null(strstr(t, "= 2 x 1.00 x (1 + 20.0) = 42.0 (m = 21.0)"), "%s", t);
    cr_assert_not_null(strstr(t, "agrees with the model"), "%s", t);
    cr_assert_null(strstr(t, "PARTIAL"));
    /* the pick's row starts with '*' */
    cr_assert_not_null(strstr(t, "\n*      8       16"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, table_shows_failed_points_with_reason)
{
    struct tp_result r = sample_result();
    r.points[8].status = TP_POINT_FAILED;
    r.points[8].error = -EAGAIN;
    r.points[8].threads_started = 40;
    r.points[7].status = TP_POINT_CRASHED;
    r.points[7].signal = SIGSEGV;
    r.points[0].status = TP_POINT_TIMEOUT;
    r.points[0].error = TP_ETIMEOUT;
    cr_assert_eq(tp_analyze(&r), 0);
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "failed"), "%s", t);
    cr_assert_not_null(strstr(t, "Resource temporarily unavailable (40 of 64 threads started)"), "%s", t);
    cr_assert_not_null(strstr(t, "crashed"), "%s", t);
    cr_assert_not_null(strstr(t, "SIGSEGV: Segmentation fault"), "%s", t);
    cr_assert_not_null(strstr(t, tp_strerror(TP_ETIMEOUT)), "%s", t);
    cr_assert_not_null(strstr(t, "3 points failed"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, table_partial_header)
{
    struct tp_result r = sample_result();
    r.partial = 1;
    r.points[7].status = TP_POINT_SKIPPED;
    r.points[8].status = TP_POINT_SKIPPED;
    cr_assert_eq(tp_analyze(&r), 0);
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "PARTIAL: interrupted, 7 of 9 points measured"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, table_marks_noisy_points)
{
    struct tp_result r = sample_result();
    r.points[2].reps[4].throughput = 100.0; /* far below ~1900 */
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_gt(r.points[2].n_outliers, 0);
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "noisy: repetitions flagged as outliers (MAD x 1.4826, |z| > 3.5)"), "%s", t);
    cr_assert_not_null(strstr(t, "    4        1 897"), "%s", t);
    cr_assert_not_null(strstr(t, "ok      !"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, table_without_ok_points_has_no_recommendation)
{
    struct tp_result r = sample_result();
    for (size_t i = 0; i < r.n_points; i++) {
        r.points[i].status = TP_POINT_FAILED;
        r.points[i].error = -ENOMEM;
    }
    cr_assert_eq(tp_analyze(&r), TP_ENOPOINTS);
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "No point was measured successfully"), "%s", t);
    cr_assert_null(strstr(t, "Recommendation:"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, table_model_disagreement_is_explained)
{
    struct tp_result r = sample_result();
    for (size_t i = 0; i < r.n_points; i++)
        r.points[i].task_cpu_mean_ns = 1.0e4; /* threads* = 2 x (1 + 209) = 420 */
    cr_assert_eq(tp_analyze(&r), 0);
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "disagrees with the model"), "%s", t);
    cr_assert_not_null(strstr(t, "a shared resource saturates first"), "%s", t);
    free(t);
    free_result(&r);
}

/* ---- CSV ---- */

Test(report, csv_header_and_one_row_per_point)
{
    struct tp_result r = sample_result();
    char *t = render(&r, TP_FORMAT_CSV);
    const char *header = "multiplier,threads,origin,status,reason,threads_started,reps,tasks_per_rep,tput_median,"
                         "tput_ci_lo,tput_ci_hi,tput_mad,outliers,lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_max_ns,"
                         "task_wall_mean_ns,task_cpu_mean_ns,cpu_util,nvcsw,nivcsw,max_rss_kb,wall_s,in_band,pick,"
                         "best,rule,excluded,work_ops,work_bytes,work_errors,error_share,error_excluded\r\n";
    cr_assert_eq(strncmp(t, header, strlen(header)), 0, "%s", t);
    cr_assert_eq(count_lines(t), (int)r.n_points + 1);
    /* every row has the header's 34 fields (no reason holds a comma here) */
    for (char *line = t; *line; line = strchr(line, '\n') + 1) {
        int commas = 0;
        for (char *c = line; *c != '\n'; c++)
            commas += *c == ',';
        cr_assert_eq(commas, 33, "%.80s", line);
    }
    /* the pick's row (m 8, 16 threads): grid origin, ok, in band, pick */
    cr_assert_not_null(strstr(t, "\r\n8,16,grid,ok,,16,5,12000,"), "%s", t);
    /* the 10-thread point is the m = 5 rule: its rule column says so */
    cr_assert_not_null(strstr(t, "\r\n5,10,grid+rule,ok,"), "%s", t);
    cr_assert_not_null(strstr(t, ",tpe37,0,0,0,0,0,0\r\n"), "%s", t);
    cr_assert_not_null(strstr(t, ",tpe38,0,0,0,0,0,0\r\n"), "%s", t);
    cr_assert_not_null(strstr(t, ",cpu,0,0,0,0,0,0\r\n"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, csv_failed_point_has_empty_measures)
{
    struct tp_result r = sample_result();
    r.points[8].status = TP_POINT_FAILED;
    r.points[8].error = -EAGAIN;
    r.points[8].threads_started = 0;
    r.points[8].max_rss_kb = 0;
    cr_assert_eq(tp_analyze(&r), 0);
    char *t = render(&r, TP_FORMAT_CSV);
    cr_assert_not_null(
        strstr(
            t,
            "\r\n32,64,grid,failed,Resource temporarily unavailable,0,5,12000,,,,,,,,,,,,,,,,1.5,0,0,0,,0,,,,,0\r\n"),
        "%s", t);
    free(t);
    free_result(&r);
}

Test(report, csv_rule_keys_joined)
{
    /* 32 cores: min(32, 36) = 32 = the CPU rule */
    struct tp_result r = sample_result();
    r.cores = 32;
    for (size_t i = 0; i < r.n_points; i++)
        r.points[i].threads = (int)lround(r.points[i].multiplier * 32);
    cr_assert_eq(tp_analyze(&r), 0);
    char *t = render(&r, TP_FORMAT_CSV);
    cr_assert_not_null(strstr(t, ",tpe38+cpu,0,0,0,0,0,0\r\n"), "%s", t);
    free(t);
    free_result(&r);
}

Test(report, csv_field_quoting_rfc4180)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    tp__csv_field(f, "plain");
    fputc('|', f);
    tp__csv_field(f, "a,b");
    fputc('|', f);
    tp__csv_field(f, "say \"hi\"");
    fputc('|', f);
    tp__csv_field(f, "two\nlines");
    fputc('|', f);
    tp__csv_field(f, NULL);
    fclose(f);
    cr_assert_str_eq(buf, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|");
    free(buf);
}

/* ---- JSON ---- */

static json_t *render_json(const struct tp_result *r)
{
    char *t = render(r, TP_FORMAT_JSON);
    json_error_t err;
    json_t *doc = json_loads(t, 0, &err);
    cr_assert_not_null(doc, "line %d: %s\n%s", err.line, err.text, t);
    free(t);
    return doc;
}

Test(report, json_parses_back_with_fields)
{
    struct tp_result r = sample_result();
    json_t *d = render_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(d, "tool")), "tune-pool");
    cr_assert_str_eq(json_string_value(json_object_get(d, "version")), TP_VERSION_STRING);
    cr_assert_eq(json_integer_value(json_object_get(d, "schema")), 1);
    cr_assert(json_is_false(json_object_get(d, "partial")));
    cr_assert_str_eq(json_string_value(json_object_get(d, "started")), "2023-11-14T22:13:20Z");

    json_t *topo = json_object_get(d, "topology");
    cr_assert_eq(json_integer_value(json_object_get(topo, "effective_cores")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(topo, "unit")), "pu");
    cr_assert(json_is_true(json_object_get(json_object_get(topo, "hwloc"), "ok")));
    cr_assert(json_is_null(json_object_get(json_object_get(topo, "quota"), "cpus")));
    cr_assert(json_is_null(json_object_get(topo, "override")));
    cr_assert(json_is_null(json_object_get(topo, "warning")));
    cr_assert_str_eq(json_string_value(json_object_get(topo, "cpu_model")), "Test CPU, 2 cores");

    json_t *wl = json_object_get(d, "workload");
    cr_assert_eq(json_integer_value(json_object_get(wl, "latency_ns")), 2000000);

    json_t *sweep = json_object_get(d, "sweep");
    cr_assert_eq(json_integer_value(json_object_get(sweep, "tasks")), 12000);
    cr_assert_eq(json_integer_value(json_object_get(sweep, "seed")), 42);
    cr_assert_str_eq(json_string_value(json_object_get(sweep, "interval_method")),
                     "bootstrap percentile of the median");

    json_t *points = json_object_get(d, "points");
    cr_assert_eq(json_array_size(points), r.n_points);
    json_t *p = json_array_get(points, (size_t)r.pick);
    cr_assert(json_is_true(json_object_get(p, "pick")));
    cr_assert(json_is_true(json_object_get(p, "in_band")));
    cr_assert_eq(json_array_size(json_object_get(p, "reps")), 5);
    json_t *tp = json_object_get(p, "throughput");
    cr_assert_float_eq(json_real_value(json_object_get(tp, "median")), r.points[r.pick].tput_median, 1e-6);
    cr_assert_eq(json_array_size(json_object_get(tp, "reps")), 5);
    cr_assert(json_is_null(json_object_get(p, "reason")));

    json_t *rec = json_object_get(d, "recommendation");
    cr_assert(json_is_object(rec));
    cr_assert_eq(json_integer_value(json_object_get(rec, "threads")), 16);
    json_t *band = json_object_get(rec, "band");
    cr_assert_eq(json_array_size(json_object_get(band, "threads")), (size_t)r.n_band);

    json_t *rules = json_object_get(d, "rules");
    cr_assert_eq(json_array_size(rules), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 0), "key")), "tpe37");
    cr_assert(json_is_true(json_object_get(json_array_get(rules, 0), "measured")));
    cr_assert(json_is_real(json_object_get(json_array_get(rules, 0), "fraction")));

    json_t *model = json_object_get(d, "model");
    cr_assert(json_is_true(json_object_get(model, "valid")));
    cr_assert_eq(json_integer_value(json_object_get(model, "from_threads")), 2);
    cr_assert_float_eq(json_real_value(json_object_get(model, "threads")), 42.0, 1e-9);
    cr_assert(json_is_true(json_object_get(model, "agrees")));
    json_decref(d);
    free_result(&r);
}

Test(report, json_non_finite_becomes_null)
{
    struct tp_result r = sample_result();
    r.points[3].lat_p99_ns = NAN;
    r.points[3].cpu_util = INFINITY;
    r.duration_s = NAN;
    json_t *d = render_json(&r);
    cr_assert(json_is_null(json_object_get(d, "duration_s")));
    json_t *p = json_array_get(json_object_get(d, "points"), 3);
    cr_assert(json_is_null(json_object_get(json_object_get(p, "latency_ns"), "p99")));
    cr_assert(json_is_real(json_object_get(json_object_get(p, "latency_ns"), "p50")));
    cr_assert(json_is_null(json_object_get(p, "cpu_util")));
    json_decref(d);
    free_result(&r);
}

Test(report, json_failed_points_and_no_recommendation)
{
    struct tp_result r = sample_result();
    for (size_t i = 0; i < r.n_points; i++) {
        r.points[i].status = TP_POINT_CRASHED;
        r.points[i].signal = SIGKILL;
    }
    r.partial = 1;
    r.tasks = 0;
    cr_assert_eq(tp_analyze(&r), TP_ENOPOINTS);
    json_t *d = render_json(&r);
    cr_assert(json_is_true(json_object_get(d, "partial")));
    cr_assert(json_is_null(json_object_get(d, "recommendation")));
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "sweep"), "tasks")), "auto");
    json_t *p = json_array_get(json_object_get(d, "points"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(p, "status")), "crashed");
    cr_assert_eq(json_integer_value(json_object_get(p, "signal")), SIGKILL);
    cr_assert(json_is_string(json_object_get(p, "reason")));
    cr_assert(json_is_null(json_object_get(json_object_get(p, "throughput"), "median")));
    json_t *rule = json_array_get(json_object_get(d, "rules"), 2);
    cr_assert(json_is_false(json_object_get(rule, "measured")));
    cr_assert(json_is_null(json_object_get(rule, "throughput")));
    cr_assert(json_is_null(json_object_get(rule, "fraction")));
    json_t *model = json_object_get(d, "model");
    cr_assert(json_is_false(json_object_get(model, "valid")));
    cr_assert(json_is_null(json_object_get(model, "threads")));
    cr_assert(json_is_null(json_object_get(model, "agrees")));
    json_decref(d);
    free_result(&r);
}

/* ---- Markdown ---- */

Test(report, markdown_table_and_sections)
{
    struct tp_result r = sample_result();
    char *t = render(&r, TP_FORMAT_MARKDOWN);
    cr_assert_not_null(strstr(t, "| pick | m | threads | tasks/s | 95% interval |"), "%s", t);
    cr_assert_not_null(strstr(t, "|:-:|--:|"), "%s", t);
    cr_assert_not_null(strstr(t, "| **pick** | 8 | 16 |"), "%s", t);
    cr_assert_not_null(strstr(t, "## Recommendation"), "%s", t);
    cr_assert_not_null(strstr(t, "## Rules of thumb against the pick"), "%s", t);
    cr_assert_not_null(strstr(t, "## Model"), "%s", t);
    /* one table row per point, plus header and rule lines */
    int rows = 0;
    for (const char *s = t; (s = strstr(s, "\n| ")) != NULL; s++)
        rows++;
    cr_assert_eq(rows, (int)r.n_points + 1);
    free(t);
    free_result(&r);
}

/* The Markdown says everything the table says: each section below is in
 * both, with the same sentence. */
static void assert_in_both(const struct tp_result *r, const char *needle)
{
    char *t = render(r, TP_FORMAT_TABLE), *m = render(r, TP_FORMAT_MARKDOWN);
    cr_assert_not_null(strstr(t, needle), "table lacks '%s':\n%s", needle, t);
    cr_assert_not_null(strstr(m, needle), "Markdown lacks '%s':\n%s", needle, m);
    free(t);
    free(m);
}

Test(report, markdown_has_the_search_line)
{
    struct tp_result r = sample_result();
    assert_in_both(&r, "search: grid, 9 points in 12.5 s; noise ");
    free_result(&r);
}

Test(report, markdown_has_the_latency_objective)
{
    struct tp_result r = sample_result();
    r.max_p99_ns = 2.5e6;
    cr_assert_eq(tp_analyze(&r), 0);
    assert_in_both(&r,
                   "objective: the fewest threads indistinguishable from the best among points whose p99 <= 2.50 ms");
    free_result(&r);
}

Test(report, markdown_has_the_noise_warnings)
{
    struct tp_result r = sample_result();
    r.points[2].reps[4].throughput = 100.0; /* an outlier repetition */
    cr_assert_eq(tp_analyze(&r), 0);
    r.noisy = 1; /* as tp_analyze sets it above TP_NOISE_WARN */
    r.noise = 0.084;
    r.noise_mad = 0.035;
    assert_in_both(&r, "warning: noisy measurements: intervals are 8.4% of the median wide");
    assert_in_both(&r, "note: 1 point is noisy: repetitions flagged as outliers (MAD x 1.4826, ");
    free_result(&r);
}

Test(report, markdown_has_the_failure_notes_and_contained_points)
{
    struct tp_result r = sample_result();
    r.points[8].status = TP_POINT_CRASHED;
    r.points[8].error = TP_ECRASHED;
    r.points[8].signal = SIGSEGV;
    cr_assert_eq(tp_analyze(&r), 0);
    assert_in_both(&r, "note: 1 point failed (see status)");
    assert_in_both(&r, "contained: the point at 64 threads crashed (SIGSEGV: Segmentation fault); the sweep went on");
    free_result(&r);
}

Test(report, markdown_has_the_work_lines)
{
    struct tp_result r = sample_result();
    r.points[6].work_ops = 60000;
    r.points[6].work_errors = 1;
    assert_in_both(&r, "Work done in the repetitions (what the tasks really did)");
    assert_in_both(&r, "32 threads: 60000 waits+computes, 1 error");
    char *m = render(&r, TP_FORMAT_MARKDOWN);
    cr_assert_not_null(strstr(m, "\n## Work done in the repetitions"), "%s", m);
    cr_assert_not_null(strstr(m, "\n- 32 threads: 60000 waits+computes, 1 error\n"), "%s", m);
    free(m);
    free_result(&r);
}

Test(report, markdown_has_the_cost_line)
{
    struct tp_result r = sample_result();
    cr_assert_gt(r.model.cpu_per_task_ns, 0);
    assert_in_both(&r, "CPU per task at the best point: ");
    free_result(&r);
}

/* A count of one is singular in every human-readable report: "1 thread",
 * "1 core", never "1 threads". */
Test(report, one_thread_and_one_core_are_singular)
{
    struct tp_result r = sample_result();
    r.cores = r.topo.effective_cores = r.topo.hwloc_cores = r.topo.hwloc_pus = 1;
    for (size_t i = 0; i < r.n_points; i++)
        r.points[i].threads = (int)lround(fmax(1.0, r.points[i].multiplier));
    cr_assert_eq(tp_analyze(&r), 0);
    const enum tp_format text[] = { TP_FORMAT_TABLE, TP_FORMAT_MARKDOWN };
    for (size_t k = 0; k < 2; k++) {
        char *t = render(&r, text[k]);
        cr_assert_null(strstr(t, " 1 threads"), "%s", t);
        cr_assert_null(strstr(t, " 1 cores"), "%s", t);
        cr_assert_null(strstr(t, " 1 PUs"), "%s", t);
        cr_assert_not_null(strstr(t, "1 PU / 1 core"), "%s", t);
        cr_assert_not_null(strstr(t, "1 thread: "), "%s", t);
        free(t);
    }
    free_result(&r);
}

/* ---- write errors ---- */

Test(report, write_to_full_device_is_eio)
{
    struct tp_result r = sample_result();
    const enum tp_format all[] = { TP_FORMAT_TABLE, TP_FORMAT_CSV, TP_FORMAT_JSON, TP_FORMAT_MARKDOWN };
    for (int i = 0; i < 4; i++) {
        FILE *f = fopen("/dev/full", "w");
        cr_assert_not_null(f);
        cr_assert_eq(tp_report_write(&r, all[i], f), -EIO, "format %d", i);
        fclose(f);
    }
    free_result(&r);
}

/* ---- atomic save ---- */

static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/tp_report_test.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static char *join(const char *dir, const char *name)
{
    char *p = NULL;
    cr_assert_gt(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

/* Entries in dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(report, save_writes_a_new_file)
{
    struct tp_result r = sample_result();
    char *dir = make_tmpdir(), *path = join(dir, "result.json");
    cr_assert_eq(tp_report_save(&r, TP_FORMAT_JSON, path), 0);
    cr_assert_eq(count_entries(dir), 1);
    char *text = read_text(path);
    json_error_t err;
    json_t *d = json_loads(text, 0, &err);
    cr_assert_not_null(d, "%s", err.text);
    json_decref(d);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0644);
    free(text);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    free_result(&r);
}

Test(report, save_replaces_an_existing_file)
{
    struct tp_result r = sample_result();
    char *dir = make_tmpdir(), *path = join(dir, "result.csv");
    write_text(path, "old content\n");
    cr_assert_eq(chmod(path, 0640), 0);
    cr_assert_eq(tp_report_save(&r, TP_FORMAT_CSV, path), 0);
    cr_assert_eq(count_entries(dir), 1);
    char *text = read_text(path);
    cr_assert_eq(strncmp(text, "multiplier,threads,", 19), 0, "%s", text);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640); /* the old file's mode is kept */
    free(text);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    free_result(&r);
}

Test(report, save_into_missing_directory_fails)
{
    struct tp_result r = sample_result();
    char *dir = make_tmpdir(), *path = join(dir, "no/such/dir/result.json");
    cr_assert_eq(tp_report_save(&r, TP_FORMAT_JSON, path), -ENOENT);
    cr_assert_eq(count_entries(dir), 0);
    rmdir(dir);
    free(path);
    free(dir);
    free_result(&r);
}

Test(report, save_under_a_file_fails_and_keeps_it)
{
    struct tp_result r = sample_result();
    char *dir = make_tmpdir(), *file = join(dir, "old.json"), *path = join(dir, "old.json/result.json");
    write_text(file, "keep me\n");
    cr_assert_eq(tp_report_save(&r, TP_FORMAT_JSON, path), -ENOTDIR);
    char *text = read_text(file);
    cr_assert_str_eq(text, "keep me\n");
    cr_assert_eq(count_entries(dir), 1);
    free(text);
    unlink(file);
    rmdir(dir);
    free(path);
    free(file);
    free(dir);
    free_result(&r);
}

Test(report, save_in_proc_fails)
{
    struct tp_result r = sample_result();
    int rc = tp_report_save(&r, TP_FORMAT_JSON, "/proc/self/tp_report_test.json");
    cr_assert_lt(rc, 0);
    free_result(&r);
}

Test(report, save_over_a_directory_fails_without_temp_file)
{
    /* The rename fails (the target is a non-empty directory): the temporary
     * file must be gone and the directory untouched. */
    struct tp_result r = sample_result();
    char *dir = make_tmpdir(), *target = join(dir, "out.json"), *inner = join(dir, "out.json/inside");
    cr_assert_eq(mkdir(target, 0755), 0);
    write_text(inner, "x");
    int rc = tp_report_save(&r, TP_FORMAT_JSON, target);
    cr_assert_lt(rc, 0);
    cr_assert_eq(count_entries(dir), 1);
    cr_assert_eq(count_entries(target), 1);
    unlink(inner);
    rmdir(target);
    rmdir(dir);
    free(inner);
    free(target);
    free(dir);
    free_result(&r);
}

static int failing_writer(void *ctx, FILE *f)
{
    (void)ctx;
    fputs("half a docu", f);
    return TP_EJSON;
}

Test(report, write_atomic_writer_failure_keeps_old_file)
{
    char *dir = make_tmpdir(), *path = join(dir, "result.json");
    write_text(path, "{\"old\": true}\n");
    cr_assert_eq(tp__write_atomic(path, failing_writer, NULL), TP_EJSON);
    char *text = read_text(path);
    cr_assert_str_eq(text, "{\"old\": true}\n");
    cr_assert_eq(count_entries(dir), 1);
    free(text);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

Test(report, save_invalid_arguments)
{
    struct tp_result r = sample_result();
    cr_assert_eq(tp_report_save(NULL, TP_FORMAT_JSON, "/tmp/x.json"), -EINVAL);
    cr_assert_eq(tp_report_save(&r, TP_FORMAT_JSON, NULL), -EINVAL);
    cr_assert_eq(tp_report_save(&r, (enum tp_format)42, "/tmp/x.json"), -EINVAL);
    cr_assert_eq(tp__write_atomic("", failing_writer, NULL), -EINVAL);
    cr_assert_eq(tp__write_atomic("/tmp/x.json", NULL, NULL), -EINVAL);
    free_result(&r);
}

Test(report, table_warns_when_the_best_is_the_largest_pool_and_still_rising)
{
    struct tp_result r = sample_result();
    char *t = render(&r, TP_FORMAT_TABLE);
    cr_assert_null(strstr(t, "the best is the largest pool measured"), "a plateau: no note\n%s", t);
    free(t);
    /* Lift the last point well above the plateau: the curve still rises at the edge. */
    struct tp_point *last = &r.points[r.n_points - 1];
    for (int k = 0; k < last->n_reps; k++)
        last->reps[k].throughput *= 1.5;
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq((size_t)r.best, r.n_points - 1);
    t = render(&r, TP_FORMAT_TABLE);
    cr_assert_not_null(strstr(t, "note: the best is the largest pool measured (m = 32, 64 threads)"), "%s", t);
    free(t);
    free_result(&r);
}
