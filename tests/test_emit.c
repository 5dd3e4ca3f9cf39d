/* test_emit.c - the build-config snippets: names, values, quoting, and the run without a recommendation. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunepool/tunepool.h"

#define FIXTURE TP_SOURCE_DIR "/tests/fixtures/results-small.json"

__attribute__((noinline)) static char *emit(const struct tp_result *r, enum tp_emit_format fmt, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    *rc = tp_emit_write(r, fmt, f);
    fclose(f);
    return text;
}

static void load(struct tp_result *r)
{
    char why[256];
    cr_assert_eq(tp_result_load(r, FIXTURE, why, sizeof why), 0, "%s", why);
    cr_assert_geq(r->pick, 0);
}

Test(emit, names_round_trip)
{
    static const char *names[] = { "cmake", "make", "header", "env", "json" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum tp_emit_format f;
        cr_assert_eq(tp_emit_parse(names[i], &f), 0);
        cr_assert_str_eq(tp_emit_name(f), names[i]);
    }
    enum tp_emit_format f;
    cr_assert_eq(tp_emit_parse("yaml", &f), -EINVAL);
    cr_assert_eq(tp_emit_parse(NULL, &f), -EINVAL);
}

Test(emit, every_snippet_names_all_five_variables)
{
    struct tp_result r;
    load(&r);
    char threads[32];
    snprintf(threads, sizeof threads, "%d", r.points[r.pick].threads);
    for (int fmt = TP_EMIT_CMAKE; fmt <= TP_EMIT_JSON; fmt++) {
        int rc;
        char *s = emit(&r, (enum tp_emit_format)fmt, &rc);
        cr_assert_eq(rc, 0);
        cr_assert_not_null(strstr(s, threads), "%s", s);
        if (fmt == TP_EMIT_JSON) {
            for (const char *k = "threads\0multiplier\0cores\0workload\0version\0"; *k; k += strlen(k) + 1)
                cr_assert_not_null(strstr(s, k), "%s missing in %s", k, s);
        } else {
            for (const char *k = "TUNEPOOL_THREADS\0TUNEPOOL_MULTIPLIER\0TUNEPOOL_CORES\0TUNEPOOL_WORKLOAD\0"
                                 "TUNEPOOL_VERSION\0";
                 *k; k += strlen(k) + 1)
                cr_assert_not_null(strstr(s, k), "%s missing in %s", k, s);
        }
        free(s);
    }
    tp_result_free(&r);
}

Test(emit, each_language_has_its_own_syntax)
{
    struct tp_result r;
    load(&r);
    int t = r.points[r.pick].threads, rc;
    char want[64];
    char *s;

    s = emit(&r, TP_EMIT_CMAKE, &rc);
    snprintf(want, sizeof want, "set(TUNEPOOL_THREADS %d)\n", t);
    cr_assert_not_null(strstr(s, want), "%s", s);
    cr_assert_not_null(strstr(s, "set(TUNEPOOL_WORKLOAD \"io\")"), "%s", s);
    free(s);

    s = emit(&r, TP_EMIT_MAKE, &rc);
    snprintf(want, sizeof want, "TUNEPOOL_THREADS := %d\n", t);
    cr_assert_not_null(strstr(s, want), "%s", s);
    free(s);

    s = emit(&r, TP_EMIT_HEADER, &rc);
    snprintf(want, sizeof want, "#define TUNEPOOL_THREADS %d\n", t);
    cr_assert_not_null(strstr(s, want), "%s", s);
    cr_assert_not_null(strstr(s, "#ifndef TUNEPOOL_CONFIG_H"), "%s", s);
    /* The multiplier is a double constant in C. */
    const char *m = strstr(s, "#define TUNEPOOL_MULTIPLIER ");
    cr_assert_not_null(m);
    m += strlen("#define TUNEPOOL_MULTIPLIER ");
    cr_assert(strcspn(m, ".eE\n") < strcspn(m, "\n"), "%s", s);
    free(s);

    s = emit(&r, TP_EMIT_ENV, &rc);
    snprintf(want, sizeof want, "\nTUNEPOOL_THREADS=%d\n", t);
    cr_assert_not_null(strstr(s, want), "%s", s);
    free(s);

    s = emit(&r, TP_EMIT_JSON, &rc);
    snprintf(want, sizeof want, "\"threads\": %d", t);
    cr_assert_not_null(strstr(s, want), "%s", s);
    cr_assert_not_null(strstr(s, "\"tool\": \"tune-pool\""), "%s", s);
    free(s);
    tp_result_free(&r);
}

/* The multiplier is written so that it reads back as the same number. */
Test(emit, the_multiplier_reads_back_exactly)
{
    struct tp_result r;
    load(&r);
    r.points[r.pick].multiplier = 7.0 / 3.0;
    int rc;
    char *s = emit(&r, TP_EMIT_ENV, &rc);
    const char *m = strstr(s, "TUNEPOOL_MULTIPLIER=");
    cr_assert_not_null(m);
    cr_assert_eq(strtod(m + strlen("TUNEPOOL_MULTIPLIER="), NULL), 7.0 / 3.0, "%s", s);
    free(s);
    tp_result_free(&r);
}

Test(emit, no_recommendation_is_enopoints_and_writes_nothing)
{
    struct tp_result r;
    memset(&r, 0, sizeof r);
    r.pick = r.best = -1;
    r.cores = 2;
    for (int fmt = TP_EMIT_CMAKE; fmt <= TP_EMIT_JSON; fmt++) {
        int rc;
        char *s = emit(&r, (enum tp_emit_format)fmt, &rc);
        cr_assert_eq(rc, TP_ENOPOINTS);
        cr_assert_str_eq(s, "");
        free(s);
    }
}

Test(emit, bad_arguments_are_einval)
{
    struct tp_result r;
    memset(&r, 0, sizeof r);
    cr_assert_eq(tp_emit_write(NULL, TP_EMIT_CMAKE, stdout), -EINVAL);
    cr_assert_eq(tp_emit_write(&r, TP_EMIT_CMAKE, NULL), -EINVAL);
    cr_assert_eq(tp_emit_write(&r, (enum tp_emit_format)99, stdout), -EINVAL);
}
