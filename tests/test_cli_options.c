/* test_cli_options.c - the command line's value parsers and option checks, case by case. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "values.h"

#define MAXD (60ull * 1000000000ull)

Test(cli_options, durations_with_units)
{
    static const struct {
        const char *s;
        uint64_t ns;
    } ok[] = { { "2ms", 2000000 }, { "100us", 100000 }, { "1.5s", 1500000000 }, { "500ns", 500 },    { "0", 0 },
               { "0ms", 0 },       { "\xc2\xb5s", 0 },  { "1e3us", 1000000 },   { "0.5ms", 500000 }, { "60s", MAXD } };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t v = 7;
        int rc = tp_cli_parse_duration(ok[i].s, MAXD, &v);
        if (strcmp(ok[i].s, "\xc2\xb5s") == 0) {
            cr_assert_eq(rc, -EINVAL, "a unit without a number");
            continue;
        }
        cr_assert_eq(rc, 0, "'%s'", ok[i].s);
        cr_assert_eq(v, ok[i].ns, "'%s' -> %llu", ok[i].s, (unsigned long long)v);
    }
    uint64_t v;
    cr_assert_eq(tp_cli_parse_duration("3\xc2\xb5s", MAXD, &v), 0);
    cr_assert_eq(v, 3000);
}

Test(cli_options, bad_durations)
{
    const char *bad[] = { "",      "ms",   "2",      "-1ms", "+1ms", "2 ms", " 2ms",   "2msx", "nan",
                          "nanms", "infs", "0x10ms", "2m",   "2h",   ".ms",  "1..2ms", "2ms," };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 7;
        cr_assert_eq(tp_cli_parse_duration(bad[i], MAXD, &v), -EINVAL, "'%s'", bad[i]);
        cr_assert_eq(v, 7, "untouched on failure");
    }
    uint64_t v;
    cr_assert_eq(tp_cli_parse_duration("61s", MAXD, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_duration("1e400s", MAXD, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_duration(NULL, MAXD, &v), -EINVAL);
}

Test(cli_options, sizes)
{
    uint64_t v;
    cr_assert_eq(tp_cli_parse_size("64K", 1ull << 30, &v), 0);
    cr_assert_eq(v, 65536);
    cr_assert_eq(tp_cli_parse_size("1MiB", 1ull << 30, &v), 0);
    cr_assert_eq(v, 1048576);
    cr_assert_eq(tp_cli_parse_size("4096", 1ull << 30, &v), 0);
    cr_assert_eq(v, 4096);
    cr_assert_eq(tp_cli_parse_size("2G", 1ull << 30, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_size("1.5K", 1ull << 30, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_size("64k", 1ull << 30, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_size("-1", 1ull << 30, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_size("", 1ull << 30, &v), -EINVAL);
}

Test(cli_options, whole_numbers)
{
    long v;
    cr_assert_eq(tp_cli_parse_long("5", 1, 64, &v), 0);
    cr_assert_eq(v, 5);
    cr_assert_eq(tp_cli_parse_long("0", 1, 64, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_long("65", 1, 64, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_long("99999999999999999999", 1, 64, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_long("5x", 1, 64, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_long(" 5", 1, 64, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_long("", 1, 64, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_long("-", 1, 64, &v), -EINVAL);
}

Test(cli_options, fractions)
{
    double v;
    cr_assert_eq(tp_cli_parse_double("0.95", 0.5, 1, 1, &v), 0);
    cr_assert_float_eq(v, 0.95, 1e-12);
    cr_assert_eq(tp_cli_parse_double("1", 0.5, 1, 1, &v), -ERANGE);
    cr_assert_eq(tp_cli_parse_double("1", 0.5, 1, 0, &v), 0);
    cr_assert_eq(tp_cli_parse_double("nan", 0.5, 1, 1, &v), -EINVAL);
    cr_assert_eq(tp_cli_parse_double("0.9x", 0.5, 1, 1, &v), -EINVAL);
}

Test(cli_options, multiplier_lists)
{
    double *v;
    size_t n;
    cr_assert_eq(tp_cli_parse_list("1,2,5,10,20,30", 256, &v, &n), 0);
    cr_assert_eq(n, 6);
    cr_assert_float_eq(v[5], 30.0, 1e-12);
    free(v);
    cr_assert_eq(tp_cli_parse_list("0.25", 256, &v, &n), 0);
    cr_assert_eq(n, 1);
    free(v);
    const char *bad[] = { "", ",", "1,", ",1", "1,,2", "1;2", "a", "1,2,1", "1, 2" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = NULL;
        cr_assert_eq(tp_cli_parse_list(bad[i], 256, &v, &n), -EINVAL, "'%s'", bad[i]);
        cr_assert_null(v);
    }
    cr_assert_eq(tp_cli_parse_list("0", 256, &v, &n), -ERANGE);
    cr_assert_eq(tp_cli_parse_list("-1", 256, &v, &n), -EINVAL);
    cr_assert_eq(tp_cli_parse_list("1e400", 256, &v, &n), -ERANGE);
    cr_assert_eq(tp_cli_parse_list("1,2,3", 2, &v, &n), -ERANGE);
}

static int parse(struct tp_cli_opts *o, char *err, const char *a1, const char *a2)
{
    char *argv[] = { "tune-pool", (char *)a1, (char *)a2, NULL };
    int argc = a1 == NULL ? 1 : a2 == NULL ? 2 : 3;
    tp_cli_opts_init(o);
    return tp_cli_parse_args(argc, argv, o, err, 256);
}

Test(cli_options, defaults)
{
    struct tp_cli_opts o;
    char err[256];
    cr_assert_eq(parse(&o, err, NULL, NULL), 0);
    cr_assert_eq(o.workload.kind, TP_WORKLOAD_IO);
    cr_assert_eq(o.workload.latency_ns, 2000000);
    cr_assert_eq(o.workload.compute_ns, 100000);
    cr_assert_eq(o.repeat, 0, "auto");
    cr_assert_eq(o.repeat_max, 10);
    cr_assert_float_eq(o.target_ci, 0.02, 1e-12);
    cr_assert_eq(o.strategy, TP_STRATEGY_ADAPTIVE);
    cr_assert_float_eq(o.resolution, 0.1, 1e-12);
    cr_assert_eq(o.max_p99_ns, 0);
    cr_assert_eq(o.tasks, 0);
    cr_assert_null(o.multipliers);
    cr_assert_str_eq(o.output_dir, "results");
    tp_cli_opts_free(&o);
}

Test(cli_options, each_bad_option_names_itself)
{
    static const struct {
        const char *a1, *a2, *names;
    } cases[] = {
        { "--workload=disk", NULL, "--workload" },
        { "--latency=2", NULL, "--latency" },
        { "--compute=fast", NULL, "--compute" },
        { "--multipliers=1,1", NULL, "--multipliers" },
        { "--repeat=0", NULL, "--repeat" },
        { "--repeat=65", NULL, "--repeat" },
        { "--tasks=-5", NULL, "--tasks" },
        { "--cores=0", NULL, "--cores" },
        { "--core-unit=socket", NULL, "--core-unit" },
        { "--format=xml", NULL, "--format" },
        { "--strategy=random", NULL, "--strategy" },
        { "--confidence=1.5", NULL, "--confidence" },
        { "--stack-size=1K", NULL, "--stack-size" },
        { "--max-threads=0", NULL, "--max-threads" },
        { "--point-timeout=0", NULL, "--point-timeout" },
        { "--rep-time=0", NULL, "--rep-time" },
        { "--name=../x", NULL, "--name" },
        { "--output-dir=", NULL, "--output-dir" },
        { "--seed=-1", NULL, "--seed" },
        { "--bogus", NULL, "--bogus" },
        { "--latency", NULL, "--latency" },
        { "stray", NULL, "stray" },
        { "--workload=cpu", "--latency=1ms", "--latency" },
        { "--workload=cpu", "--compute=0", "--compute" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tp_cli_opts o;
        char err[256] = "";
        cr_assert_eq(parse(&o, err, cases[i].a1, cases[i].a2), -EINVAL, "%s %s", cases[i].a1,
                     cases[i].a2 ? cases[i].a2 : "");
        cr_assert_not_null(strstr(err, cases[i].names), "'%s' should name %s", err, cases[i].names);
        tp_cli_opts_free(&o);
    }
}

Test(cli_options, search_and_objective_options)
{
    struct tp_cli_opts o;
    char err[256];
    cr_assert_eq(parse(&o, err, "--precision=5%", "--repeat=auto"), 0);
    cr_assert_float_eq(o.target_ci, 0.05, 1e-12);
    cr_assert_eq(o.repeat, 0);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--precision=0.01", "--repeat=7"), 0);
    cr_assert_float_eq(o.target_ci, 0.01, 1e-12);
    cr_assert_eq(o.repeat, 7);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--max-p99=20ms", NULL), 0);
    cr_assert_eq(o.max_p99_ns, 20e6);
    cr_assert(o.objective_latency);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--multipliers=1,2", NULL), 0);
    cr_assert_eq(o.strategy, TP_STRATEGY_GRID, "a list is a grid");
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--tolerance=0", NULL), 0);
    cr_assert_eq(o.tolerance, 0.0);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--tolerance=5%", NULL), 0);
    cr_assert_float_eq(o.tolerance, 0.05, 1e-12);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--strategy=grid", NULL), 0);
    cr_assert_eq(o.strategy, TP_STRATEGY_GRID);
    tp_cli_opts_free(&o);

    static const struct {
        const char *a1, *a2, *names;
    } bad[] = {
        { "--precision=0", NULL, "--precision" },
        { "--precision=150%", NULL, "--precision" },
        { "--precision=%", NULL, "--precision" },
        { "--max-repeat=2", NULL, "--max-repeat" },
        { "--resolution=1", NULL, "--resolution" },
        { "--max-p99=0", NULL, "--max-p99" },
        { "--objective=cost", NULL, "--objective" },
        { "--objective=latency", NULL, "--max-p99" },
        { "--max-p99=5ms", "--objective=throughput", "--objective=throughput" },
        { "--strategy=adaptive", "--multipliers=1,2", "--strategy=adaptive" },
        { "--repeat=auto5", NULL, "--repeat" },
        { "--tolerance=50%", NULL, "--tolerance" },
        { "--tolerance=-1", NULL, "--tolerance" },
        { "--tolerance=0.5", NULL, "--tolerance" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char e[256] = "";
        cr_assert_eq(parse(&o, e, bad[i].a1, bad[i].a2), -EINVAL, "%s %s", bad[i].a1, bad[i].a2 ? bad[i].a2 : "");
        cr_assert_not_null(strstr(e, bad[i].names), "'%s' should name %s", e, bad[i].names);
        tp_cli_opts_free(&o);
    }
}

Test(cli_options, help_and_version_stop_parsing)
{
    struct tp_cli_opts o;
    char err[256];
    cr_assert_eq(parse(&o, err, "--help", "--bogus"), 0);
    cr_assert(o.show_help);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--version", NULL), 0);
    cr_assert(o.show_version);
    tp_cli_opts_free(&o);
}

/* The http workload's options: --header repeatable (each value one more
 * line, the other options still refuse a second, different value),
 * --max-errors as a fraction or a percentage, 0 meaning not one failure. */
static int parse_argv(struct tp_cli_opts *o, char *err, int argc, char **argv)
{
    optind = 0;
    tp_cli_opts_init(o);
    return tp_cli_parse_args(argc, argv, o, err, 256);
}

Test(cli_options, http_headers_repeat_and_body)
{
    struct tp_cli_opts o;
    char err[256] = "";
    char *argv[] = { "tune-pool",       "--workload=http",         "--url=http://127.0.0.1:8080/",
                     "--header=X-A: 1", "--header=X-B: 2",         "--body=@req.json",
                     "--method=PUT",    "--ok-status=200-299,304", NULL };
    cr_assert_eq(parse_argv(&o, err, 8, argv), 0, "%s", err);
    cr_assert_str_eq(o.workload.http_headers, "X-A: 1\nX-B: 2");
    cr_assert_str_eq(o.workload.http_body, "@req.json");
    cr_assert_str_eq(o.workload.http_method, "PUT");
    cr_assert_str_eq(o.workload.http_ok_status, "200-299,304");
    tp_cli_opts_free(&o);

    char *twice[] = { "tune-pool", "--workload=http", "--url=http://a/", "--url=http://b/", NULL };
    cr_assert_eq(parse_argv(&o, err, 4, twice), -EINVAL);
    cr_assert_not_null(strstr(err, "--url: given twice"), "%s", err);
    tp_cli_opts_free(&o);

    char *broken[] = { "tune-pool", "--workload=http", "--url=http://a/", "--header=nocolon", NULL };
    cr_assert_eq(parse_argv(&o, err, 4, broken), -EINVAL);
    cr_assert_not_null(strstr(err, "--header: malformed header 'nocolon'"), "%s", err);
    tp_cli_opts_free(&o);

    char *other_kind[] = { "tune-pool", "--workload=io", "--header=X-A: 1", NULL };
    cr_assert_eq(parse_argv(&o, err, 3, other_kind), -EINVAL);
    cr_assert_not_null(strstr(err, "only the http workload uses it"), "%s", err);
    tp_cli_opts_free(&o);

    char *nourl[] = { "tune-pool", "--workload=http", NULL };
    cr_assert_eq(parse_argv(&o, err, 2, nourl), -EINVAL);
    cr_assert_not_null(strstr(err, "--url"), "%s", err);
    tp_cli_opts_free(&o);
}

Test(cli_options, max_errors)
{
    struct tp_cli_opts o;
    char err[256] = "";
    cr_assert_eq(parse(&o, err, "--max-errors=5%", NULL), 0, "%s", err);
    cr_assert_float_eq(o.max_errors, 0.05, 1e-12);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--max-errors=0.2", NULL), 0, "%s", err);
    cr_assert_float_eq(o.max_errors, 0.2, 1e-12);
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--max-errors=0", NULL), 0, "%s", err);
    cr_assert_eq(o.max_errors, TP_MAX_ERRORS_NONE, "0: not one failure");
    tp_cli_opts_free(&o);
    cr_assert_eq(parse(&o, err, "--workload=io", NULL), 0, "%s", err);
    cr_assert_float_eq(o.max_errors, TP_DEFAULT_MAX_ERRORS, 1e-12);
    tp_cli_opts_free(&o);
    const char *bad[] = { "--max-errors=2", "--max-errors=101%", "--max-errors=-1%", "--max-errors=x",
                          "--max-errors=%" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(parse(&o, err, bad[i], NULL), -EINVAL, "%s", bad[i]);
        cr_assert_not_null(strstr(err, "--max-errors"), "%s", err);
        tp_cli_opts_free(&o);
    }
}
