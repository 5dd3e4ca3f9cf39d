/* test_results_read.c - reading a results JSON document back into a struct tp_result. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tunepool/tunepool.h"

#define FIXTURE TP_SOURCE_DIR "/tests/fixtures/results-small.json"

static int load_text(struct tp_result *r, const char *text, char *why, size_t len)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    cr_assert_not_null(f);
    int rc = tp_result_read(r, f, why, len);
    fclose(f);
    return rc;
}

Test(results_read, reads_the_fixture)
{
    struct tp_result r;
    char why[256];
    cr_assert_eq(tp_result_load(&r, FIXTURE, why, sizeof why), 0, "%s", why);
    cr_assert_eq(r.cores, 2);
    cr_assert_eq(r.workload.kind, TP_WORKLOAD_IO);
    cr_assert_eq(r.workload.latency_ns, 1000000u);
    cr_assert_eq(r.workload.compute_ns, 40000u);
    cr_assert_gt(r.n_points, 3);
    cr_assert_geq(r.pick, 0);
    cr_assert_str_eq(r.version, "0.1.0");
    for (size_t i = 1; i < r.n_points; i++)
        cr_assert_lt(r.points[i - 1].threads, r.points[i].threads);
    tp_result_free(&r);
}

/* The statistics are recomputed from the stored repetitions: the pick and the
 * figures match what the document says. */
Test(results_read, recomputed_pick_matches_the_document)
{
    struct tp_result r;
    cr_assert_eq(tp_result_load(&r, FIXTURE, NULL, 0), 0);
    FILE *f = fopen(FIXTURE, "r");
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rec = strstr(buf, "\"recommendation\"");
    cr_assert_not_null(rec);
    const char *th = strstr(rec, "\"threads\": ");
    cr_assert_not_null(th);
    cr_assert_eq(r.points[r.pick].threads, atoi(th + strlen("\"threads\": ")));
    tp_result_free(&r);
}

/* Written out again and read back: the same recommendation and points. */
Test(results_read, round_trips_through_the_json_writer)
{
    struct tp_result a, b;
    cr_assert_eq(tp_result_load(&a, FIXTURE, NULL, 0), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(tp_report_write(&a, TP_FORMAT_JSON, f), 0);
    fclose(f);
    cr_assert_eq(load_text(&b, text, NULL, 0), 0);
    cr_assert_eq(a.n_points, b.n_points);
    cr_assert_eq(a.pick, b.pick);
    cr_assert_eq(a.seed, b.seed);
    for (size_t i = 0; i < a.n_points; i++) {
        cr_assert_eq(a.points[i].threads, b.points[i].threads);
        cr_assert_eq(a.points[i].n_reps, b.points[i].n_reps);
        cr_assert_float_eq(a.points[i].tput_median, b.points[i].tput_median, 1e-6 * a.points[i].tput_median);
        cr_assert_float_eq(a.points[i].tput_ci_lo, b.points[i].tput_ci_lo, 1e-6 * a.points[i].tput_ci_lo);
    }
    free(text);
    tp_result_free(&a);
    tp_result_free(&b);
}

/* A pg run: its parameters, a refused point's server message, what the server
 * saw and the HikariCP row survive the JSON writer and the reader. */
Test(results_read, round_trips_a_pool_of_connections)
{
    struct tp_result a, b;
    cr_assert_eq(tp_result_load(&a, FIXTURE, NULL, 0), 0);
    a.workload.kind = TP_WORKLOAD_PG;
    snprintf(a.workload.pg_conninfo, sizeof a.workload.pg_conninfo, "host=db1 port=5432 user=app");
    memcpy(a.workload.pg_queries, "SELECT 1\0SELECT {task}\0", sizeof "SELECT 1\0SELECT {task}\0");
    a.workload.server_cores = 3;
    a.workload.spindles = 1;
    a.rule_kinds |= TP_RULE_FOR_CONNECTIONS;
    struct tp_point *last = &a.points[a.n_points - 1], *first = &a.points[0];
    last->status = TP_POINT_FAILED;
    last->error = -ECONNREFUSED;
    last->n_reps = 0;
    snprintf(last->error_detail, sizeof last->error_detail, "FATAL: sorry, too many clients already");
    first->server.samples = 12;
    first->server.active_max = 2;
    first->server.active_mean = 1.5;
    first->server.n_waits = 1;
    snprintf(first->server.waits[0].event, sizeof first->server.waits[0].event, "Timeout:PgSleep");
    first->server.waits[0].mean = 1.25;
    cr_assert_eq(tp_analyze(&a), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(tp_report_write(&a, TP_FORMAT_JSON, f), 0);
    fclose(f);
    char why[256] = "";
    cr_assert_eq(load_text(&b, text, why, sizeof why), 0, "%s", why);
    cr_assert_eq(b.workload.kind, TP_WORKLOAD_PG);
    cr_assert_str_eq(b.workload.pg_conninfo, "user=app host=db1 port=5432"); /* as libpq orders them */
    cr_assert_str_eq(b.workload.pg_queries + strlen("SELECT 1") + 1, "SELECT {task}");
    cr_assert_eq(b.workload.server_cores, 3);
    cr_assert_eq(b.workload.spindles, 1);
    const struct tp_point *bl = &b.points[b.n_points - 1], *bf = &b.points[0];
    cr_assert_eq(bl->status, TP_POINT_FAILED);
    cr_assert_eq(bl->error, -ECONNREFUSED);
    cr_assert_str_eq(bl->error_detail, "FATAL: sorry, too many clients already");
    cr_assert_eq(bf->server.samples, 12);
    cr_assert_eq(bf->server.active_max, 2);
    cr_assert_float_eq(bf->server.active_mean, 1.5, 1e-9);
    cr_assert_eq(bf->server.n_waits, 1);
    cr_assert_str_eq(bf->server.waits[0].event, "Timeout:PgSleep");
    int found = 0;
    for (int k = 0; k < b.n_rules; k++)
        if (b.rules[k].key != NULL && strcmp(b.rules[k].key, "hikari") == 0)
            found = b.rules[k].threads;
    cr_assert_eq(found, 2 * 3 + 1, "the hikari row: 2 x server cores + spindles");
    free(text);
    tp_result_free(&a);
    tp_result_free(&b);
}

Test(results_read, a_missing_file_is_enoent)
{
    struct tp_result r;
    char why[128];
    cr_assert_eq(tp_result_load(&r, "/nonexistent/x.json", why, sizeof why), -ENOENT);
    cr_assert_eq(r.points, NULL);
    tp_result_free(&r);
}

Test(results_read, not_json_is_eformat)
{
    struct tp_result r;
    char why[256];
    cr_assert_eq(load_text(&r, "multiplier,threads\n1,2\n", why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "not valid JSON"), "%s", why);
}

Test(results_read, another_tools_json_is_eformat)
{
    struct tp_result r;
    char why[256];
    cr_assert_eq(load_text(&r, "{\"tool\": \"hyperfine\", \"schema\": 1}", why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "tune-pool"), "%s", why);
    cr_assert_eq(load_text(&r, "[1, 2, 3]", why, sizeof why), TP_EFORMAT);
}

Test(results_read, another_schema_is_eformat)
{
    struct tp_result r;
    char why[256];
    cr_assert_eq(load_text(&r, "{\"tool\": \"tune-pool\", \"schema\": 2}", why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "schema"), "%s", why);
}

Test(results_read, a_malformed_point_is_eformat_and_named)
{
    struct tp_result r;
    char why[256];
    const char *doc = "{\"tool\": \"tune-pool\", \"schema\": 1, \"topology\": {\"effective_cores\": 2},"
                      " \"workload\": {\"name\": \"io\", \"latency_ns\": 1000, \"compute_ns\": 10},"
                      " \"sweep\": {\"cores\": 2, \"repeat\": 1},"
                      " \"points\": [{\"multiplier\": 1, \"status\": \"ok\"}]}";
    cr_assert_eq(load_text(&r, doc, why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "points[0].threads"), "%s", why);
    cr_assert_eq(r.points, NULL);
}

/* A run where every point failed is read (there is nothing to recommend). */
Test(results_read, a_run_without_recommendation_is_read)
{
    struct tp_result r;
    char why[256];
    const char *doc = "{\"tool\": \"tune-pool\", \"schema\": 1, \"topology\": {\"effective_cores\": 2},"
                      " \"workload\": {\"name\": \"cpu\", \"latency_ns\": 0, \"compute_ns\": 10},"
                      " \"sweep\": {\"cores\": 2, \"repeat\": 1},"
                      " \"points\": [{\"multiplier\": 1, \"threads\": 2, \"status\": \"failed\","
                      " \"reason\": \"Resource temporarily unavailable\", \"reps\": []}]}";
    cr_assert_eq(load_text(&r, doc, why, sizeof why), 0, "%s", why);
    cr_assert_eq(r.pick, -1);
    cr_assert_eq(r.points[0].status, TP_POINT_FAILED);
    cr_assert_eq(r.points[0].error, -EAGAIN);
    tp_result_free(&r);
}

/* The point count is bounded: a document claiming more points than any sweep
 * measures is refused before anything is allocated for them (the statistics
 * size their scratch by it). */
Test(results_read, too_many_points_is_eformat)
{
    const char *head = "{\"tool\": \"tune-pool\", \"schema\": 1, \"topology\": {\"effective_cores\": 2},"
                       " \"workload\": {\"name\": \"cpu\", \"latency_ns\": 0, \"compute_ns\": 10},"
                       " \"sweep\": {\"cores\": 2, \"repeat\": 1}, \"points\": [";
    const char *point = "{\"multiplier\": 1, \"threads\": 2, \"status\": \"skipped\"}";
    size_t n = 65537, len = strlen(head) + n * (strlen(point) + 1) + 4;
    char *doc = malloc(len), *o = doc;
    cr_assert_not_null(doc);
    o += sprintf(o, "%s", head);
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "%s%s", i ? "," : "", point);
    strcpy(o, "]}");
    struct tp_result r;
    char why[256];
    cr_assert_eq(load_text(&r, doc, why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "document.points: 65537 points"), "%s", why);
    cr_assert_eq(r.points, NULL);
    cr_assert_eq(r.n_points, 0);
    free(doc);
}

/* An http document: its parameters, each point's status counts and the
 * failure bound come back, and with them the same ineligible points. */
Test(results_read, http_status_counts_and_max_errors)
{
    struct tp_result r;
    char why[256];
    cr_assert_eq(tp_result_load(&r, TP_SOURCE_DIR "/tests/golden/http-errors.json", why, sizeof why), 0, "%s", why);
    cr_assert_eq(r.workload.kind, TP_WORKLOAD_HTTP);
    cr_assert_str_eq(r.workload.http_url, "http://127.0.0.1:8080/api");
    cr_assert_str_eq(r.workload.http_headers, "Accept: */*");
    cr_assert_float_eq(tp_result_max_errors(&r), TP_DEFAULT_MAX_ERRORS, 1e-12);
    const struct tp_point *last = &r.points[r.n_points - 1];
    cr_assert_eq(last->n_work_counts, 2);
    cr_assert_eq(last->work_counts[0].key, 200);
    cr_assert_eq(last->work_counts[0].n, 4850);
    cr_assert_eq(last->work_counts[1].key, 503);
    cr_assert_eq(last->work_counts[1].n, 150);
    cr_assert(last->error_excluded, "3%% failed: over the default 1%%");
    cr_assert_eq(r.points[r.pick].threads, 16);
    tp_result_free(&r);

    /* A status that is not a code is a malformed document. */
    FILE *f = fopen(TP_SOURCE_DIR "/tests/golden/http-errors.json", "r");
    cr_assert_not_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *code = strstr(text, "\"200\": 5000");
    cr_assert_not_null(code);
    memcpy(code, "\"2x0\"", 5);
    cr_assert_eq(load_text(&r, text, why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, ".http: expected"), "%s", why);
    tp_result_free(&r);
}

/* A --run document: the program object comes back with its runs; a malformed
 * one is TP_EFORMAT naming the field, and nothing is kept. */
#define RUN_DOC_HEAD                                                                     \
    "{\"tool\": \"tune-pool\", \"schema\": 1, \"topology\": {\"effective_cores\": 2},"   \
    " \"workload\": {\"name\": \"io\", \"latency_ns\": 1000, \"compute_ns\": 10},"       \
    " \"sweep\": {\"cores\": 2, \"repeat\": 1, \"strategy\": \"race\"}, \"points\": []," \
    " \"rules\": [{\"key\": \"tpe37\"}, {\"key\": \"ninja\"}],"

Test(results_read, a_run_documents_program_is_read_back)
{
    struct tp_result r;
    char why[256];
    const char *doc =
        RUN_DOC_HEAD " \"program\": {\"command\": \"make -j{threads}\", \"placeholders\": [\"{threads}\"],"
                     " \"env\": [\"N\"], \"shell\": false, \"work\": 3, \"warmup\": 1, \"runs\": 2,"
                     " \"points\": [{\"threads\": 4, \"multiplier\": 2, \"status\": \"failed\","
                     " \"reason\": \"run 2: exit status 3\", \"runs\": [{\"exit_code\": 0, \"wall_s\": 1.5,"
                     " \"user_s\": 1, \"sys_s\": 0.5}, {\"exit_code\": 3, \"wall_s\": 0.1}]}]}}";
    cr_assert_eq(load_text(&r, doc, why, sizeof why), 0, "%s", why);
    cr_assert_not_null(r.program);
    cr_assert_str_eq(r.program->command, "make -j{threads}");
    cr_assert_eq(r.program->placeholders, TP_PLACEHOLDER_THREADS);
    cr_assert_eq(r.program->n_env, 1);
    cr_assert_str_eq(r.program->env[0], "N");
    cr_assert_eq(r.program->no_shell, 1);
    cr_assert_str_eq(r.program->unit, "units/s");
    cr_assert_eq(r.program->n_points, 1);
    const struct tp_program_point *p = &r.program->points[0];
    cr_assert_eq(p->threads, 4);
    cr_assert_eq(p->status, TP_POINT_FAILED);
    cr_assert_str_eq(p->reason, "run 2: exit status 3");
    cr_assert_eq(p->n_runs, 2);
    cr_assert_float_eq(p->run[0].wall_s, 1.5, 1e-12);
    cr_assert_eq(p->run[1].exit_code, 3);
    cr_assert(r.rule_kinds & TP_RULE_FOR_BUILDS, "ninja's row makes it a build job");
    tp_result_free(&r);
}

Test(results_read, a_malformed_program_is_eformat_and_named)
{
    struct tp_result r;
    char why[256];
    const char *doc = RUN_DOC_HEAD " \"program\": {\"command\": \"x {threads}\", \"points\": [{\"threads\": 0,"
                                   " \"status\": \"ok\", \"runs\": []}]}}";
    cr_assert_eq(load_text(&r, doc, why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "program.points[0].threads"), "%s", why);
    cr_assert_null(r.program);
    const char *no_runs = RUN_DOC_HEAD " \"program\": {\"command\": \"x\", \"points\": [{\"threads\": 2,"
                                       " \"status\": \"ok\"}]}}";
    cr_assert_eq(load_text(&r, no_runs, why, sizeof why), TP_EFORMAT);
    cr_assert_not_null(strstr(why, "program.points[0].runs"), "%s", why);
}
