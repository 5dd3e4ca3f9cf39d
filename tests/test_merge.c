/* test_merge.c - tune-pool merge: classes, pooled picks, verdicts, refusals and bad inputs, on fixtures of real runs. */
/*
 * The fixtures (tests/fixtures/merge/) are real runs of one workload (io,
 * wait 2 ms + compute 200 us, m = 1..16, 3 repetitions) on the 2-core test
 * machine, with edited host facts: good/ holds the class web-2c (web-01 ..
 * web-04, labels; web-04 ran under taskset -c 0, a misconfigured host),
 * the derived class of the machine (db-01, db-02; db-02's m = 16 point
 * edited to a timeout) and batch-2c (one host). mixed/ holds a run of
 * another wait, bad/ a truncated file, another tool's, an --online
 * document, a future schema, a result without a host and a copy of web-01.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "merge_stats.h"
#include "tunepool/tunepool.h"

#define FX TP_SOURCE_DIR "/tests/fixtures/merge"
#define DERIVED "x86_64-2c-intel-xeon-cbaadd1c"

static const struct tp_merge_class *class_of(const struct tp_merge *m, const char *key)
{
    for (size_t k = 0; k < m->n_classes; k++)
        if (strcmp(m->classes[k].key, key) == 0)
            return &m->classes[k];
    return NULL;
}

static const struct tp_merge_host *host_of(const struct tp_merge *m, const char *name)
{
    for (size_t i = 0; i < m->n_hosts; i++)
        if (strcmp(m->hosts[i].host.hostname, name) == 0)
            return &m->hosts[i];
    return NULL;
}

static void merge_good(struct tp_merge *m)
{
    tp_merge_init(m);
    cr_assert_eq(tp_merge_add(m, FX "/good"), 0);
    char why[512];
    cr_assert_eq(tp_merge_finish(m, why, sizeof why), 0, "%s", why);
}

Test(merge, groups_by_class_in_key_order)
{
    struct tp_merge m;
    merge_good(&m);
    cr_assert_eq(m.n_hosts, 7);
    cr_assert_eq(m.n_skipped, 0);
    cr_assert_eq(m.n_classes, 3);
    cr_assert_str_eq(m.classes[0].key, "batch-2c");
    cr_assert_str_eq(m.classes[1].key, "web-2c");
    cr_assert_str_eq(m.classes[2].key, DERIVED);
    cr_assert_eq(m.classes[1].n_hosts, 4);
    cr_assert_str_eq(m.hosts[m.classes[1].hosts[0]].host.hostname, "web-01");
    cr_assert_eq(m.classes[2].n_hosts, 2);
    tp_merge_free(&m);
}

Test(merge, a_one_host_class_gets_that_hosts_own_pick)
{
    struct tp_merge m;
    merge_good(&m);
    const struct tp_merge_class *c = class_of(&m, "batch-2c");
    cr_assert_not_null(c);
    cr_assert_eq(c->n_hosts, 1);
    const struct tp_merge_host *h = &m.hosts[c->hosts[0]];
    cr_assert_geq(c->pick, 0);
    cr_assert_geq(h->pick, 0);
    const struct tp_merge_pooled *q = &c->points[c->pick];
    const struct tp_merge_point *p = &h->points[h->pick];
    cr_assert_eq(q->threads, p->threads);
    cr_assert_float_eq(q->median, p->median, 1e-9);
    cr_assert_float_eq(q->ci_lo, p->ci_lo, 1e-9, "the same samples and seed give the same interval");
    cr_assert_float_eq(q->ci_hi, p->ci_hi, 1e-9);
    cr_assert_eq(h->verdict, TP_MERGE_AGREES);
    tp_merge_free(&m);
}

Test(merge, pools_every_hosts_repetitions)
{
    struct tp_merge m;
    merge_good(&m);
    const struct tp_merge_class *c = class_of(&m, "web-2c");
    cr_assert_geq(c->pick, 0);
    for (size_t i = 0; i < c->n_points; i++) {
        cr_assert_eq(c->points[i].n_hosts, 4);
        cr_assert_eq(c->points[i].n_samples, 12, "4 hosts x 3 repetitions");
        cr_assert_leq(c->points[i].ci_lo, c->points[i].median);
        cr_assert_geq(c->points[i].ci_hi, c->points[i].median);
    }
    cr_assert(c->points[c->pick].in_band);
    for (int i = 0; i < c->pick; i++)
        cr_assert_not(c->points[i].in_band, "the pick is the smallest m in the band");
    tp_merge_free(&m);
}

Test(merge, flags_the_host_that_disagrees)
{
    struct tp_merge m;
    merge_good(&m);
    const struct tp_merge_class *c = class_of(&m, "web-2c");
    cr_assert_eq(c->n_disagree, 1);
    const struct tp_merge_host *h = host_of(&m, "web-01");
    cr_assert_eq(h->verdict, TP_MERGE_DISAGREES);
    cr_assert(strstr(h->why, "outside") != NULL, "%s", h->why);
    cr_assert_eq(host_of(&m, "web-02")->verdict, TP_MERGE_AGREES);
    cr_assert_str_eq(host_of(&m, "web-02")->why, "");
    tp_merge_free(&m);
}

Test(merge, leaves_failed_points_out_and_merges_the_rest)
{
    struct tp_merge m;
    merge_good(&m);
    const struct tp_merge_host *h = host_of(&m, "db-02");
    cr_assert_eq(h->n_failed, 1);
    cr_assert_geq(h->pick, 0, "its other points still give a pick");
    const struct tp_merge_class *c = class_of(&m, DERIVED);
    const struct tp_merge_pooled *last = &c->points[c->n_points - 1];
    cr_assert_float_eq(last->multiplier, 16.0, 1e-9);
    cr_assert_eq(last->n_hosts, 1, "only db-01 measured m = 16");
    cr_assert_eq(last->n_samples, 3);
    tp_merge_free(&m);
}

Test(merge, refuses_to_mix_workloads_and_says_which_fields_differ)
{
    struct tp_merge m;
    tp_merge_init(&m);
    cr_assert_eq(tp_merge_add(&m, FX "/good/web-01.json"), 0);
    cr_assert_eq(tp_merge_add(&m, FX "/mixed"), 0);
    char why[1024];
    cr_assert_eq(tp_merge_finish(&m, why, sizeof why), TP_EMIXED);
    cr_assert(strstr(why, "workload.latency_ns (1000000, not 2000000)") != NULL, "%s", why);
    cr_assert(strstr(why, "web-05.json") != NULL, "%s", why);
    cr_assert_null(strstr(why, "description"), "%s", why);
    tp_merge_free(&m);
}

/* The skip recorded for the file whose name ends with suffix. */
static const struct tp_merge_skip *skip_of(const struct tp_merge *m, const char *suffix)
{
    for (size_t i = 0; i < m->n_skipped; i++) {
        size_t n = strlen(m->skipped[i].path), k = strlen(suffix);
        if (n >= k && strcmp(m->skipped[i].path + n - k, suffix) == 0)
            return &m->skipped[i];
    }
    return NULL;
}

Test(merge, skips_bad_files_with_their_reasons_and_merges_the_rest)
{
    struct tp_merge m;
    tp_merge_init(&m);
    cr_assert_eq(tp_merge_add(&m, FX "/good"), 0);
    cr_assert_eq(tp_merge_add(&m, FX "/bad"), 0);
    cr_assert_eq(tp_merge_add(&m, FX "/no-such-file.json"), 0);
    cr_assert_eq(tp_merge_finish(&m, NULL, 0), 0);
    cr_assert_eq(m.n_hosts, 7, "the good ones all merged");
    cr_assert_eq(m.n_skipped, 7);
    const struct tp_merge_skip *s = skip_of(&m, "truncated.json");
    cr_assert(s != NULL && s->code == TP_EFORMAT && strstr(s->why, "not valid JSON") != NULL);
    s = skip_of(&m, "hyperfine.json");
    cr_assert(s != NULL && strstr(s->why, "not a tune-pool results document") != NULL);
    s = skip_of(&m, "online.json");
    cr_assert(s != NULL && strstr(s->why, "--online") != NULL);
    s = skip_of(&m, "future-schema.json");
    cr_assert(s != NULL && strstr(s->why, "schema") != NULL);
    s = skip_of(&m, "no-host.json");
    cr_assert(s != NULL && strstr(s->why, "no host object") != NULL);
    s = skip_of(&m, "no-such-file.json");
    cr_assert(s != NULL && s->code == -ENOENT);
    s = skip_of(&m, "web-01-copy.json");
    cr_assert(s != NULL && s->code == TP_EDUPLICATE);
    cr_assert(s->duplicate_of != NULL && strstr(s->duplicate_of, "good/web-01.json") != NULL);
    tp_merge_free(&m);
}

Test(merge, the_same_file_twice_is_one_run)
{
    struct tp_merge m;
    tp_merge_init(&m);
    cr_assert_eq(tp_merge_add(&m, FX "/good/web-02.json"), 0);
    cr_assert_eq(tp_merge_add(&m, FX "/good/web-02.json"), 0);
    cr_assert_eq(m.n_hosts, 1);
    cr_assert_eq(m.n_skipped, 1);
    cr_assert_eq(m.skipped[0].code, TP_EDUPLICATE);
    cr_assert_eq(tp_merge_finish(&m, NULL, 0), 0);
    tp_merge_free(&m);
}

Test(merge, nothing_to_merge)
{
    struct tp_merge m;
    tp_merge_init(&m);
    cr_assert_eq(tp_merge_add(&m, FX "/bad/truncated.json"), 0);
    cr_assert_eq(tp_merge_add(&m, FX "/bad/hyperfine.json"), 0);
    cr_assert_eq(tp_merge_finish(&m, NULL, 0), TP_ENOPOINTS);
    cr_assert_eq(m.n_skipped, 2);
    tp_merge_free(&m);
}

static char *written(const struct tp_merge *m, enum tp_format format)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(tp_merge_write(m, format, f), 0);
    fclose(f);
    return buf;
}

Test(merge, json_document_holds_classes_hosts_and_skips)
{
    struct tp_merge m;
    merge_good(&m);
    cr_assert_eq(tp_merge_add(&m, FX "/bad/hyperfine.json"), 0); /* after finish: listed, classes unchanged */
    char *text = written(&m, TP_FORMAT_JSON);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    cr_assert_not_null(doc, "%s", err.text);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "merge");
    cr_assert_str_eq(json_string_value(json_object_get(doc, "$schema")), "urn:tune-pool:schema:merge");
    json_t *classes = json_object_get(doc, "classes");
    cr_assert_eq(json_array_size(classes), 3);
    json_t *web = json_array_get(classes, 1);
    cr_assert_eq(json_integer_value(json_object_get(web, "disagreeing")), 1);
    cr_assert_eq(json_array_size(json_object_get(web, "hosts")), 4);
    cr_assert_eq(json_array_size(json_object_get(doc, "skipped")), 1);
    json_decref(doc);
    free(text);
    tp_merge_free(&m);
}

Test(merge, table_markdown_and_csv_name_every_host)
{
    struct tp_merge m;
    merge_good(&m);
    char *t = written(&m, TP_FORMAT_TABLE), *md = written(&m, TP_FORMAT_MARKDOWN), *csv = written(&m, TP_FORMAT_CSV);
    cr_assert(strstr(t, "Class web-2c") != NULL);
    cr_assert(strstr(t, "DISAGREES") != NULL);
    cr_assert(strstr(t, "one host: merged on its own") != NULL);
    cr_assert(strstr(md, "## Class `batch-2c`") != NULL);
    cr_assert(strstr(csv, "web-2c,host,web-01,") != NULL);
    cr_assert(strstr(csv, ",disagrees,") != NULL);
    for (const char *n = "web-01\0web-02\0web-03\0web-04\0db-01\0db-02\0batch-01\0"; *n; n += strlen(n) + 1)
        cr_assert(strstr(t, n) != NULL && strstr(md, n) != NULL && strstr(csv, n) != NULL, "%s", n);
    free(t);
    free(md);
    free(csv);
    tp_merge_free(&m);
}

Test(merge, emits_each_class_pick_as_ansible_vars)
{
    struct tp_merge m;
    merge_good(&m);
    for (size_t k = 0; k < m.n_classes; k++) {
        char *buf = NULL, want[64];
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_eq(tp_merge_emit_class(&m, k, TP_EMIT_ANSIBLE, f), 0);
        fclose(f);
        snprintf(want, sizeof want, "tunepool_threads: %d\n", m.classes[k].points[m.classes[k].pick].threads);
        cr_assert(strstr(buf, want) != NULL, "%s", buf);
        cr_assert(strstr(buf, "tunepool_multiplier: ") != NULL);
        cr_assert(strstr(buf, m.classes[k].key) != NULL, "the comment names the class");
        free(buf);
    }
    cr_assert_eq(tp_merge_emit_class(&m, m.n_classes, TP_EMIT_ANSIBLE, stdout), -EINVAL);
    tp_merge_free(&m);
}

Test(merge, plot_script_draws_a_curve_per_host)
{
    struct tp_merge m;
    merge_good(&m);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(tp_merge_plot_script(&m, 1, NULL, f), 0);
    fclose(f);
    for (int k = 0; k < 4; k++) {
        char block[16];
        snprintf(block, sizeof block, "$h%d << EOD", k);
        cr_assert(strstr(buf, block) != NULL, "%s", block);
    }
    cr_assert(strstr(buf, "\"web-01 (disagrees)\"") != NULL);
    cr_assert(strstr(buf, "$pooled") != NULL);
    free(buf);
    tp_merge_free(&m);
}

/* A host of synthetic points: m = 1, 2, 4, 8 with the given medians (3 tight repetitions each). */
static void synthetic_host(struct tp_merge_host *h, const double med[4])
{
    static double reps[8][4][3];
    static int used;
    memset(h, 0, sizeof *h);
    h->points = calloc(4, sizeof *h->points);
    h->n_points = 4;
    h->confidence = 0.95;
    h->seed = 1;
    h->cores = 2;
    for (int i = 0; i < 4; i++) {
        struct tp_merge_point *p = &h->points[i];
        p->multiplier = 1 << i;
        p->threads = 2 << i;
        p->n_reps = 3;
        p->reps = reps[used][i];
        p->lat_p99_ns = NAN;
        for (int r = 0; r < 3; r++)
            p->reps[r] = med[i] * (1.0 + 0.001 * (r - 1));
    }
    used++;
}

Test(merge, verdicts_follow_the_band_rule)
{
    static const double flat[4] = { 100, 200, 400, 400 }, late[4] = { 100, 200, 300, 400 };
    struct tp_merge_host hosts[3];
    synthetic_host(&hosts[0], flat);
    synthetic_host(&hosts[1], flat);
    synthetic_host(&hosts[2], late);
    size_t idx[3] = { 0, 1, 2 };
    struct tp_merge_class c = { .hosts = idx, .n_hosts = 2 };
    /* The hosts' own picks, as tp_analyze would make them from tight repetitions. */
    for (int k = 0; k < 3; k++) {
        hosts[k].pick = k < 2 ? 2 : 3;
        hosts[k].band_lo_multiplier = k < 2 ? 4 : 8;
        hosts[k].band_hi_multiplier = 8;
        for (int i = 0; i < 4; i++) {
            struct tp_merge_point *p = &hosts[k].points[i];
            p->median = p->ci_lo = p->ci_hi = p->reps[1];
            p->in_band = k < 2 ? i >= 2 : i == 3;
        }
    }
    cr_assert_eq(tp__merge_pool_class(&c, hosts), 0);
    cr_assert_float_eq(c.points[c.pick].multiplier, 4.0, 1e-9, "two flat hosts: m = 4 is as good as 8");
    tp__merge_verdict(&hosts[0], &c);
    cr_assert_eq(hosts[0].verdict, TP_MERGE_AGREES);
    tp__merge_verdict(&hosts[2], &c); /* a host that needs m = 8 */
    cr_assert_eq(hosts[2].verdict, TP_MERGE_DISAGREES);
    cr_assert(strstr(hosts[2].why, "the class pick m = 4 is outside its band m = 8 .. 8") != NULL, "%s", hosts[2].why);
    hosts[1].pick = -1;
    tp__merge_verdict(&hosts[1], &c);
    cr_assert_eq(hosts[1].verdict, TP_MERGE_NO_PICK);
    free(c.points);
    for (int k = 0; k < 3; k++)
        free(hosts[k].points);
}

Test(merge, a_merged_document_given_alone_reads_back_as_it_stands)
{
    struct tp_merge m;
    merge_good(&m);
    char *first = written(&m, TP_FORMAT_JSON);
    tp_merge_free(&m);
    char dir[] = "/tmp/test_merge.XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/merged.json", dir);
    FILE *f = fopen(path, "w");
    fputs(first, f);
    fclose(f);

    tp_merge_init(&m);
    cr_assert_eq(tp_merge_add(&m, path), 0);
    cr_assert(m.from_merged);
    cr_assert_eq(tp_merge_finish(&m, NULL, 0), 0);
    char *again = written(&m, TP_FORMAT_JSON);
    cr_assert_str_eq(again, first, "written again unchanged");
    char *buf = NULL;
    size_t len = 0;
    FILE *e = open_memstream(&buf, &len);
    cr_assert_eq(tp_merge_emit_class(&m, 1, TP_EMIT_ANSIBLE, e), 0);
    fclose(e);
    cr_assert(strstr(buf, "tunepool_threads: ") != NULL);
    free(buf);
    tp_merge_free(&m);

    /* In a folder, or after other inputs, it is skipped: only the results it was made from merge. */
    tp_merge_init(&m);
    cr_assert_eq(tp_merge_add(&m, FX "/good/web-01.json"), 0);
    cr_assert_eq(tp_merge_add(&m, dir), 0);
    cr_assert_not(m.from_merged);
    cr_assert_eq(m.n_hosts, 1);
    cr_assert_eq(m.n_skipped, 1);
    cr_assert(strstr(m.skipped[0].why, "a merged document") != NULL, "%s", m.skipped[0].why);
    tp_merge_free(&m);
    unlink(path);
    rmdir(dir);
    free(first);
    free(again);
}
