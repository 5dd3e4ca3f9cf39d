/* test_plot.c - the gnuplot script, rendering a real image, and the failures (no gnuplot, gnuplot failing). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tunepool/tunepool.h"

#define FIXTURE TP_SOURCE_DIR "/tests/fixtures/results-small.json"

static struct tp_result result;
static char dir[] = "/tmp/tp_test_plot.XXXXXX";

static void setup(void)
{
    char why[256];
    cr_assert_eq(tp_result_load(&result, FIXTURE, why, sizeof why), 0, "%s", why);
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    tp_result_free(&result);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)!system(cmd);
}

static char *script_text(const struct tp_plot_opts *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(tp_plot_write_script(&result, o, "out.png", f), 0);
    fclose(f);
    return text;
}

static int have_gnuplot(void) { return system("gnuplot --version >/dev/null 2>&1") == 0; }

static int file_starts_with(const char *path, const void *magic, size_t n)
{
    unsigned char buf[16];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n && memcmp(buf, magic, n) == 0;
}

static int file_contains(const char *path, const char *needle)
{
    char buf[1 << 15];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

TestSuite(plot, .init = setup, .fini = teardown, .timeout = 60);

Test(plot, script_has_every_part_of_the_picture)
{
    char *s = script_text(NULL);
    const char *parts[] = { "set terminal pngcairo",
                            "$points << EOD",
                            "yerrorlines",
                            "axes x1y2",
                            "set logscale x 2",
                            "p99 task latency",
                            "throughput (tasks/s)",
                            "on 2 cores",
                            "workload io: wait",
                            "pick: m = ",
                            "band",
                            "rectangle",
                            "$rule_cpu",
                            "m = 1 (CPU rule)",
                            "set output tp_output" };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        cr_assert_not_null(strstr(s, parts[i]), "'%s' missing from the script", parts[i]);
    free(s);
}

Test(plot, svg_is_a_terminal_option)
{
    struct tp_plot_opts o = { .format = TP_PLOT_SVG, .width = 800, .height = 500 };
    char *s = script_text(&o);
    cr_assert_not_null(strstr(s, "set terminal svg size 800,500"), "%s", s);
    free(s);
}

Test(plot, renders_a_real_png)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed (package gnuplot-nox)");
    char png[256], gp[256], why[256];
    snprintf(png, sizeof png, "%s/small.png", dir);
    snprintf(gp, sizeof gp, "%s/small.gp", dir);
    cr_assert_eq(tp_plot_render(&result, NULL, png, gp, why, sizeof why), 0, "%s", why);
    cr_assert(file_starts_with(png, "\x89PNG\r\n\x1a\n", 8), "not a PNG");
    struct stat st;
    cr_assert_eq(stat(png, &st), 0);
    cr_assert_gt(st.st_size, 10000, "a suspiciously small image: %lld bytes", (long long)st.st_size);
    cr_assert(file_contains(gp, "$points << EOD"));
    /* No temporary file is left behind. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 2", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(plot, renders_an_svg)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed (package gnuplot-nox)");
    char svg[256], why[256];
    struct tp_plot_opts o = { .format = TP_PLOT_SVG };
    snprintf(svg, sizeof svg, "%s/small.svg", dir);
    cr_assert_eq(tp_plot_render(&result, &o, svg, NULL, why, sizeof why), 0, "%s", why);
    cr_assert(file_contains(svg, "<svg"));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", dir);
    cr_assert_eq(system(cmd), 0, "the temporary script was not removed");
}

/* A run where every point failed still draws: the failures, and a key that says so. */
Test(plot, renders_a_run_without_recommendation)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed (package gnuplot-nox)");
    for (size_t i = 0; i < result.n_points; i++) {
        result.points[i].status = TP_POINT_FAILED;
        result.points[i].error = -EAGAIN;
    }
    cr_assert_eq(tp_analyze(&result), TP_ENOPOINTS);
    char png[256], why[256];
    snprintf(png, sizeof png, "%s/failed.png", dir);
    cr_assert_eq(tp_plot_render(&result, NULL, png, NULL, why, sizeof why), 0, "%s", why);
    cr_assert(file_starts_with(png, "\x89PNG\r\n\x1a\n", 8), "not a PNG");
}

Test(plot, missing_gnuplot_is_enognuplot)
{
    char png[256], why[256];
    struct tp_plot_opts o = { .gnuplot = "/nonexistent/bin/gnuplot" };
    snprintf(png, sizeof png, "%s/small.png", dir);
    cr_assert_eq(tp_plot_render(&result, &o, png, NULL, why, sizeof why), TP_ENOGNUPLOT);
    cr_assert_not_null(strstr(tp_strerror(TP_ENOGNUPLOT), "gnuplot-nox"));
    cr_assert_neq(access(png, F_OK), 0, "no image may appear");
}

Test(plot, failing_gnuplot_is_egnuplot_and_keeps_the_old_image)
{
    char png[256], why[256];
    snprintf(png, sizeof png, "%s/small.png", dir);
    FILE *f = fopen(png, "w");
    fputs("old", f);
    fclose(f);
    struct tp_plot_opts o = { .gnuplot = "false" };
    cr_assert_eq(tp_plot_render(&result, &o, png, NULL, why, sizeof why), TP_EGNUPLOT);
    cr_assert(file_contains(png, "old"));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", dir);
    cr_assert_eq(system(cmd), 0, "temporary files were left");
}

Test(plot, bad_arguments_are_einval)
{
    cr_assert_eq(tp_plot_render(NULL, NULL, "x.png", NULL, NULL, 0), -EINVAL);
    cr_assert_eq(tp_plot_render(&result, NULL, "", NULL, NULL, 0), -EINVAL);
    cr_assert_eq(tp_plot_write_script(&result, NULL, "x.png", NULL), -EINVAL);
}

/* A caller's own script (tune-pool --online's plot): a tiny one that draws a line. */
static int line_script(void *ctx, FILE *f)
{
    (void)ctx;
    fputs("set terminal pngcairo size 200,100\nset output tp_output\nplot x\n", f);
    return ferror(f) ? -EIO : 0;
}

static int failing_script(void *ctx, FILE *f)
{
    (void)ctx;
    (void)f;
    return -ENOSPC;
}

Test(plot, renders_a_script_of_the_callers)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is not installed (package gnuplot-nox)");
    char png[256], gp[256], why[256];
    snprintf(png, sizeof png, "%s/line.png", dir);
    snprintf(gp, sizeof gp, "%s/line.gp", dir);
    cr_assert_eq(tp_plot_render_script(line_script, NULL, NULL, png, gp, why, sizeof why), 0, "%s", why);
    cr_assert(file_starts_with(png, "\x89PNG\r\n\x1a\n", 8), "not a PNG");
    cr_assert(file_contains(gp, "plot x"));
}

Test(plot, render_script_failures_are_returned)
{
    char png[256], why[256];
    snprintf(png, sizeof png, "%s/line.png", dir);
    cr_assert_eq(tp_plot_render_script(NULL, NULL, NULL, png, NULL, why, sizeof why), -EINVAL);
    cr_assert_eq(tp_plot_render_script(line_script, NULL, NULL, "", NULL, why, sizeof why), -EINVAL);
    cr_assert_eq(tp_plot_render_script(failing_script, NULL, NULL, png, NULL, why, sizeof why), -ENOSPC);
    struct tp_plot_opts o = { .gnuplot = "/nonexistent/bin/gnuplot" };
    cr_assert_eq(tp_plot_render_script(line_script, NULL, &o, png, NULL, why, sizeof why), TP_ENOGNUPLOT);
    cr_assert_neq(access(png, F_OK), 0, "no image may appear");
}

Test(plot, write_string_escapes_quotes_backslashes_and_newlines)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    cr_assert_not_null(f);
    tp_plot_write_string(f, "a \"b\" c\\d\ne");
    fclose(f);
    cr_assert_str_eq(s, "\"a \\\"b\\\" c\\\\d\\ne\"");
    free(s);
}
