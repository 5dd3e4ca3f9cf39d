/* test_program.c - the --run measurement source: placeholders, quoting, the splitter, env, metric, real runs of tiny shell jobs. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "program.h"
#include "program_cmd.h"
#include "program_exec.h"

/* ---- substitution and quoting ---- */

static char *subst(const char *tmpl, const char *threads, const char *m, unsigned *found)
{
    struct tp__cmd_var vars[2] = { { "threads", threads }, { "m", m } };
    char *out = NULL;
    cr_assert_eq(tp__cmd_subst_shell(tmpl, vars, 2, &out, found), 0);
    return out;
}

Test(program, several_placeholders_are_all_replaced)
{
    unsigned found = 0;
    char *s = subst("make -j{threads} -l{threads} M={m}", "8", "4", &found);
    cr_assert_str_eq(s, "make -j8 -l8 M=4");
    cr_assert_eq(found, 3u);
    free(s);
    s = subst("xz -T{threads} file", "2", "1", &found);
    cr_assert_str_eq(s, "xz -T2 file");
    cr_assert_eq(found, 1u, "only {threads}");
    free(s);
}

Test(program, other_braces_stay_literal)
{
    unsigned found = 7;
    char *s = subst("awk '{print $1}' ${HOME} {a,b} {thread} {m {threads", "4", "2", &found);
    cr_assert_str_eq(s, "awk '{print $1}' ${HOME} {a,b} {thread} {m {threads");
    cr_assert_eq(found, 0u);
    free(s);
}

Test(program, escaped_placeholder_is_kept)
{
    unsigned found = 0;
    char *s = subst("echo \\{threads} {threads}", "3", "1", &found);
    cr_assert_str_eq(s, "echo \\{threads} 3");
    free(s);
}

Test(program, values_are_quoted_for_where_they_land)
{
    /* Bare, inside '...' and inside "...": each must reach the program as
     * exactly the value, whatever it holds. */
    char *s = subst("x {threads} '{threads}' \"{threads}\"", "a b'c$d\"e", "1", NULL);
    cr_assert_str_eq(s, "x 'a b'\\''c$d\"e' 'a b'\\''c$d\"e' \"a b'c\\$d\\\"e\"");
    free(s);
    s = subst("x {threads}", "12", "1", NULL);
    cr_assert_str_eq(s, "x 12", "a number needs no quotes");
    free(s);
    /* The shell agrees: each of the three words is the value. */
    s = subst("test {threads} = 'a b' && test '{threads}' = 'a b' && test \"{threads}\" = 'a b'", "a b", "1", NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", s, (char *)NULL);
        _exit(99);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the shell sees the value three times: %s", s);
    free(s);
}

Test(program, point_vars_format_threads_and_multiplier)
{
    struct tp__cmd_point_vars pv;
    tp__cmd_point_vars(&pv, 6, 1.5);
    cr_assert_str_eq(pv.threads, "6");
    cr_assert_str_eq(pv.m, "1.5");
    tp__cmd_point_vars(&pv, 1, 1.0 / 3);
    cr_assert_str_eq(pv.m, "0.333333");
}

/* ---- the splitter ---- */

static char **split(const char *cmd, const char *threads)
{
    struct tp__cmd_var vars[2] = { { "threads", threads }, { "m", "1" } };
    char **argv = NULL, why[128] = "";
    int rc = tp__cmd_split(cmd, vars, 2, &argv, NULL, why, sizeof why);
    cr_assert_eq(rc, 0, "split '%s': %s", cmd, why);
    return argv;
}

static int argc_of(char **argv)
{
    int n = 0;
    while (argv[n] != NULL)
        n++;
    return n;
}

Test(program, splitter_words_and_quotes)
{
    char **a = split("  xz  -T{threads}\t-c 'a  b' \"c \\\" d\" e\\ f '' \"\" g\"h\"'i'  ", "4");
    cr_assert_eq(argc_of(a), 9);
    cr_assert_str_eq(a[0], "xz");
    cr_assert_str_eq(a[1], "-T4");
    cr_assert_str_eq(a[2], "-c");
    cr_assert_str_eq(a[3], "a  b");
    cr_assert_str_eq(a[4], "c \" d");
    cr_assert_str_eq(a[5], "e f");
    cr_assert_str_eq(a[6], "");
    cr_assert_str_eq(a[7], "");
    cr_assert_str_eq(a[8], "ghi", "quoted parts join their word");
    tp__cmd_argv_free(a);
    a = split("g\"h\"'i' \"a\\nb\" 'x\\y' $HOME a|b", "1");
    cr_assert_eq(argc_of(a), 5);
    cr_assert_str_eq(a[0], "ghi");
    cr_assert_str_eq(a[1], "a\\nb", "in double quotes a backslash escapes only \" \\ $ `");
    cr_assert_str_eq(a[2], "x\\y", "single quotes keep a backslash");
    cr_assert_str_eq(a[3], "$HOME", "no expansion");
    cr_assert_str_eq(a[4], "a|b", "no pipes");
    tp__cmd_argv_free(a);
}

Test(program, splitter_placeholders_spaces_and_escapes)
{
    char **a = split("prog {threads} '{threads}' \\{threads} x\\\n y", "2 3");
    cr_assert_eq(argc_of(a), 6);
    cr_assert_str_eq(a[1], "2 3", "a value with a blank stays one word");
    cr_assert_str_eq(a[2], "2 3");
    cr_assert_str_eq(a[3], "{threads}", "an escaped brace is literal");
    cr_assert_str_eq(a[4], "x", "a backslash-newline is removed");
    cr_assert_str_eq(a[5], "y");
    tp__cmd_argv_free(a);
}

Test(program, splitter_errors_are_einval_with_a_reason)
{
    char **argv = (char **)1, why[128];
    cr_assert_eq(tp__cmd_split("echo 'abc", NULL, 0, &argv, NULL, why, sizeof why), -EINVAL);
    cr_assert(strstr(why, "unterminated ' quote") != NULL, "%s", why);
    cr_assert_null(argv);
    cr_assert_eq(tp__cmd_split("echo \"abc", NULL, 0, &argv, NULL, why, sizeof why), -EINVAL);
    cr_assert(strstr(why, "unterminated \" quote") != NULL, "%s", why);
    cr_assert_eq(tp__cmd_split("echo abc\\", NULL, 0, &argv, NULL, why, sizeof why), -EINVAL);
    cr_assert(strstr(why, "backslash") != NULL, "%s", why);
    cr_assert_eq(tp__cmd_split("   \t ", NULL, 0, &argv, NULL, why, sizeof why), -EINVAL);
    cr_assert(strstr(why, "empty") != NULL, "%s", why);
}

Test(program, placeholders_are_found_as_the_mode_reads_them)
{
    cr_assert_eq(tp__cmd_placeholders("make -j{threads}", 0), (unsigned)TP_PLACEHOLDER_THREADS);
    cr_assert_eq(tp__cmd_placeholders("prog --m={m}", 1), (unsigned)TP_PLACEHOLDER_M);
    cr_assert_eq(tp__cmd_placeholders("prog \\{threads}", 1), 0u);
    cr_assert_eq(tp__cmd_placeholders("prog 'x", 1), 0u, "does not split");
    cr_assert_eq(tp__cmd_placeholders("awk '{print}'", 0), 0u);
}

Test(program, build_tools_are_recognised)
{
    cr_assert(tp_program_build_like("make -j{threads}"));
    cr_assert(tp_program_build_like("/usr/bin/ninja -C build -j {threads}"));
    cr_assert(tp_program_build_like("CC=gcc gmake -j{threads}"));
    cr_assert(tp_program_build_like("cmake --build build -j {threads}"));
    cr_assert(!tp_program_build_like("cmake -S . -B build"));
    cr_assert(!tp_program_build_like("xz -T{threads} f"));
    cr_assert(!tp_program_build_like(NULL));
}

/* ---- the metric ---- */

Test(program, metric_found_takes_the_last_match)
{
    regex_t re;
    char why[160];
    cr_assert_eq(tp__metric_compile(&re, "Requests/sec: *([0-9.]+)", why, sizeof why), 0);
    double v = 0;
    cr_assert_eq(tp__metric_find(&re, "warm\nRequests/sec: 10.5\nRequests/sec:   1234.25\nbye\n", &v, why, sizeof why),
                 0);
    cr_assert_float_eq(v, 1234.25, 1e-9);
    regfree(&re);
    cr_assert_eq(tp__metric_compile(&re, "^rate ([0-9e.+-]+)$", why, sizeof why), 0);
    cr_assert_eq(tp__metric_find(&re, "xrate 1\nrate 2e3\n", &v, why, sizeof why), 0, "%s", why);
    cr_assert_float_eq(v, 2000, 1e-9, "^ and $ match at lines (REG_NEWLINE)");
    regfree(&re);
}

Test(program, metric_missing_and_garbage_are_tp_enometric)
{
    regex_t re;
    char why[160];
    double v;
    cr_assert_eq(tp__metric_compile(&re, "rate: (.*)", why, sizeof why), 0);
    cr_assert_eq(tp__metric_find(&re, "nothing here\n", &v, why, sizeof why), TP_ENOMETRIC);
    cr_assert(strstr(why, "matched nothing") != NULL, "%s", why);
    cr_assert_eq(tp__metric_find(&re, "rate: fast\n", &v, why, sizeof why), TP_ENOMETRIC);
    cr_assert(strstr(why, "'fast' is not a number") != NULL, "%s", why);
    cr_assert_eq(tp__metric_find(&re, "rate: 12 ms\n", &v, why, sizeof why), TP_ENOMETRIC, "a unit is not a number");
    cr_assert_eq(tp__metric_find(&re, "rate: nan\n", &v, why, sizeof why), TP_ENOMETRIC, "not finite");
    cr_assert_eq(tp__metric_find(&re, "rate:  7 \n", &v, why, sizeof why), 0, "blanks around it are fine");
    cr_assert_float_eq(v, 7, 1e-12);
    regfree(&re);
    cr_assert_eq(tp__metric_compile(&re, "a(x)?b", why, sizeof why), 0);
    cr_assert_eq(tp__metric_find(&re, "ab\n", &v, why, sizeof why), TP_ENOMETRIC, "the group took no part");
    regfree(&re);
}

Test(program, metric_without_group_or_bad_regex_is_einval)
{
    regex_t re;
    char why[160];
    cr_assert_eq(tp__metric_compile(&re, "rate: [0-9]+", why, sizeof why), -EINVAL);
    cr_assert(strstr(why, "no capture group") != NULL, "%s", why);
    cr_assert_eq(tp__metric_compile(&re, "rate: ([0-9]+", why, sizeof why), -EINVAL);
    cr_assert(strstr(why, "not a POSIX extended regex") != NULL, "%s", why);
}

/* ---- the environment ---- */

Test(program, env_names_and_the_built_environment)
{
    cr_assert(tp__env_name_ok("OMP_NUM_THREADS"));
    cr_assert(tp__env_name_ok("_x1"));
    cr_assert(!tp__env_name_ok("1X"));
    cr_assert(!tp__env_name_ok("A-B"));
    cr_assert(!tp__env_name_ok(""));
    cr_assert(!tp__env_name_ok(NULL));
    char *base[] = { "PATH=/bin", "OMP_NUM_THREADS=99", "OMP_NUM_THREADSX=1", NULL };
    const char *names[] = { "OMP_NUM_THREADS", "UV_THREADPOOL_SIZE" };
    char **envp = tp__env_build(base, names, 2, "12");
    cr_assert_not_null(envp);
    int n = 0, omp = 0, uv = 0;
    for (; envp[n] != NULL; n++) {
        omp += strcmp(envp[n], "OMP_NUM_THREADS=12") == 0;
        uv += strcmp(envp[n], "UV_THREADPOOL_SIZE=12") == 0;
        cr_assert_neq(strcmp(envp[n], "OMP_NUM_THREADS=99"), 0, "the old value is replaced");
    }
    cr_assert_eq(n, 4);
    cr_assert_eq(omp, 1);
    cr_assert_eq(uv, 1);
    tp__env_free(envp, 2);
}

/* ---- the source: validation ---- */

static int create(struct tp_source *src, const struct tp_program_opts *o, char *why)
{
    return tp_program_source_create(src, o, why, 256);
}

Test(program, nothing_varies_is_einval_with_a_reason)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    cr_assert_eq(o.warmup, TP_PROGRAM_DEFAULT_WARMUP);
    struct tp_source src = { 0 };
    char why[256] = "";
    o.command = "make -j8";
    cr_assert_eq(create(&src, &o, why), -EINVAL);
    cr_assert(strstr(why, "nothing would vary") != NULL, "%s", why);
    cr_assert_null(src.measure);
    o.env[0] = "OMP_NUM_THREADS";
    o.n_env = 1;
    cr_assert_eq(create(&src, &o, why), 0, "an env name varies: %s", why);
    tp_program_source_destroy(&src);
    cr_assert_null(src.ctx);
    tp_program_source_destroy(&src); /* twice is a no-op */
}

Test(program, bad_options_are_einval_with_a_reason)
{
    struct tp_program_opts o;
    struct tp_source src = { 0 };
    char why[256];
    const struct {
        const char *command, *env, *metric, *prepare;
        int no_shell, metric_lower, warmup;
        const char *expect;
    } cases[] = {
        { "", NULL, NULL, NULL, 0, 0, 1, "empty" },
        { "   ", NULL, NULL, NULL, 0, 0, 1, "empty" },
        { "x {threads}", "1BAD", NULL, NULL, 0, 0, 1, "not a variable name" },
        { "x {threads}", NULL, "rate [0-9]+", NULL, 0, 0, 1, "no capture group" },
        { "x {threads}", NULL, NULL, NULL, 0, 1, 1, "--metric-lower needs --metric" },
        { "x '{threads}", NULL, NULL, NULL, 1, 0, 1, "unterminated" },
        { "x {threads}", NULL, NULL, "rm 'a", 1, 0, 1, "--prepare" },
        { "x {threads}", NULL, NULL, NULL, 0, 0, -1, "--warmup" },
        { "x {threads}", NULL, NULL, NULL, 0, 0, TP_MAX_REPS + 1, "--warmup" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tp_program_opts_init(&o);
        o.command = cases[i].command;
        if (cases[i].env != NULL) {
            o.env[0] = cases[i].env;
            o.n_env = 1;
        }
        o.metric = cases[i].metric;
        o.prepare = cases[i].prepare;
        o.no_shell = cases[i].no_shell;
        o.metric_lower = cases[i].metric_lower;
        o.warmup = cases[i].warmup;
        why[0] = '\0';
        cr_assert_eq(create(&src, &o, why), -EINVAL, "case %zu", i);
        cr_assert(strstr(why, cases[i].expect) != NULL, "case %zu: '%s'", i, why);
    }
    cr_assert_eq(tp_program_source_create(&src, NULL, NULL, 0), -EINVAL);
}

/* ---- the source: real runs ---- */

static struct tp_point_request req_for(int threads, int repeat)
{
    struct tp_point_request r = {
        .multiplier = threads / 2.0,
        .threads = threads,
        .cores = 2,
        .repeat = repeat,
        .warmup = 1,
        .timeout_s = 10,
        .confidence = 0.95,
        .seed = 1,
    };
    return r;
}

static void measure(struct tp_source *src, int threads, int repeat, double timeout_s, struct tp_point *out)
{
    struct tp_point_request req = req_for(threads, repeat);
    req.timeout_s = timeout_s;
    memset(out, 0, sizeof *out);
    out->threads = threads;
    cr_assert_eq(src->measure(src->ctx, &req, out), 0);
}

static struct tp_source make_source(struct tp_program_opts *o)
{
    struct tp_source src = { 0 };
    char why[256] = "";
    cr_assert_eq(tp_program_source_create(&src, o, why, sizeof why), 0, "%s", why);
    return src;
}

static const struct tp_program_point *record(struct tp_source *src, int threads, struct tp_result *r)
{
    memset(r, 0, sizeof *r);
    cr_assert_eq(tp_program_source_attach(src, r), 0);
    return tp_program_point_find(r, threads);
}

Test(program, successful_runs_are_timed_with_rusage, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; exit 0 # {threads}";
    o.warmup = 2;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 3, 3, 10, &p);
    cr_assert_eq(p.status, TP_POINT_OK, "%d", p.error);
    cr_assert_eq(p.n_reps, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_gt(p.reps[i].elapsed_s, 0);
        cr_assert_float_eq(p.reps[i].throughput, 1.0 / p.reps[i].elapsed_s, 1e-9, "runs/s");
        cr_assert_eq(p.reps[i].tasks, 1u);
    }
    cr_assert_gt(p.max_rss_kb, 0);
    cr_assert_gt(p.task_wall_mean_ns, 0);
    /* W + C per unit is wall x threads: the model's inputs. */
    double w = 0;
    for (int i = 0; i < 3; i++)
        w += p.reps[i].elapsed_s * 3 / 3 * 1e9;
    cr_assert_float_eq(p.task_wall_mean_ns, w, w * 1e-9);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 3, &r);
    cr_assert_not_null(pp);
    cr_assert_eq(pp->status, TP_POINT_OK);
    cr_assert_eq(pp->n_runs, 3);
    cr_assert_eq(pp->warmup_runs, 2);
    cr_assert_eq(pp->visits, 1);
    cr_assert_eq(pp->run[0].exit_code, 0);
    cr_assert(isnan(pp->run[0].metric));
    cr_assert_str_eq(pp->command, "i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; exit 0 # 3");
    cr_assert_str_eq(r.program->unit, "runs/s");
    cr_assert_eq(r.program->placeholders, (unsigned)TP_PLACEHOLDER_THREADS);
    cr_assert_eq(r.program->runs, 3);
    tp_result_free(&r);
    cr_assert_null(r.program);
    tp_program_source_destroy(&src);
}

Test(program, env_sets_the_thread_count, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "test \"$TP_TEST_THREADS\" = 4 && test \"$OMP_NUM_THREADS\" = 4";
    o.env[0] = "TP_TEST_THREADS";
    o.env[1] = "OMP_NUM_THREADS";
    o.n_env = 2;
    o.warmup = 0;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 4, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_OK);
    measure(&src, 5, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_eq(p.error, TP_EEXIT);
    tp_program_source_destroy(&src);
}

Test(program, failure_at_some_thread_counts_is_data, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "if [ {threads} -ge 4 ]; then echo line1 >&2; echo 'too many threads' >&2; exit 3; fi";
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_OK);
    measure(&src, 4, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_eq(p.error, TP_EEXIT);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 4, &r);
    cr_assert_str_eq(pp->reason, "warm-up run 1: exit status 3");
    cr_assert_str_eq(pp->stderr_tail, "line1\ntoo many threads");
    cr_assert_eq(tp_program_point_find(&r, 2)->status, TP_POINT_OK);
    tp_result_free(&r);
    tp_program_source_destroy(&src);
}

Test(program, a_signal_marks_the_point_crashed, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "kill -SEGV $$ # {threads}";
    o.warmup = 0;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_CRASHED);
    cr_assert_eq(p.signal, SIGSEGV);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    cr_assert(strstr(pp->reason, "run 1: killed by signal 11") != NULL, "%s", pp->reason);
    cr_assert_eq(pp->run[0].signal, SIGSEGV);
    cr_assert_eq(pp->run[0].exit_code, -1);
    tp_result_free(&r);
    tp_program_source_destroy(&src);
}

/* Whether a process of group pgid is alive (not a zombie), from /proc. */
static int group_has_live_member(int pgid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int live = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        char state;
        int ppid, pgrp;
        if (rp != NULL && sscanf(rp + 2, "%c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid && state != 'Z')
            live = 1;
    }
    if (d != NULL)
        closedir(d);
    return live;
}

static void hang_test(const char *command, const char *pattern)
{
    char pidfile[] = "/tmp/tp-test-hang-XXXXXX";
    int fd = mkstemp(pidfile);
    cr_assert_geq(fd, 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "echo $$ > %s; %s # {threads}", pidfile, command);
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = cmd;
    o.warmup = 0;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 3, 0.3, &p);
    cr_assert_eq(p.status, TP_POINT_TIMEOUT);
    cr_assert_eq(p.error, TP_ETIMEOUT);
    FILE *f = fopen(pidfile, "r");
    int pgid = 0;
    cr_assert(f != NULL && fscanf(f, "%d", &pgid) == 1);
    fclose(f);
    unlink(pidfile);
    cr_assert(!group_has_live_member(pgid), "nothing of the run's process group is left");
    char pg[128];
    snprintf(pg, sizeof pg, "pgrep -f '%s' >/dev/null", pattern);
    cr_assert_neq(system(pg), 0, "pgrep finds no %s", pattern);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    cr_assert(strstr(pp->reason, "run 1: still running after 0.3 s") != NULL, "%s", pp->reason);
    cr_assert_eq(pp->run[0].timed_out, 1);
    cr_assert_eq(pp->n_runs, 1, "the visit ends at the first failure");
    tp_result_free(&r);
    tp_program_source_destroy(&src);
}

Test(program, a_hang_past_the_timeout_leaves_nothing_running, .timeout = 30)
{
    hang_test("sleep 7341 & sleep 7342 & wait", "sleep 734[12]");
}

Test(program, a_program_ignoring_sigterm_is_killed, .timeout = 30)
{
    hang_test("trap '' TERM; sleep 7343 & sleep 7344; wait", "sleep 734[34]");
}

Test(program, command_not_found, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "tp-no-such-command-0815 -j{threads}";
    o.no_shell = 1;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_eq(p.error, -ENOENT);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    cr_assert(strstr(pp->reason, "cannot run 'tp-no-such-command-0815'") != NULL, "%s", pp->reason);
    tp_result_free(&r);
    tp_program_source_destroy(&src);

    o.no_shell = 0; /* through the shell: exit 127 and the shell's message */
    src = make_source(&o);
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_eq(p.error, TP_EEXIT);
    pp = record(&src, 2, &r);
    cr_assert(strstr(pp->reason, "exit status 127 (command not found?)") != NULL, "%s", pp->reason);
    cr_assert(strstr(pp->stderr_tail, "not found") != NULL, "%s", pp->stderr_tail);
    tp_result_free(&r);
    tp_program_source_destroy(&src);
}

Test(program, no_shell_runs_the_words_directly, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "/bin/sh -c 'test \"$1\" = \"a b\" && test \"$2\" = 3' sh 'a b' {threads}";
    o.no_shell = 1;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 3, 1, 10, &p);
    cr_assert_eq(p.status, TP_POINT_OK, "%d", p.error);
    tp_program_source_destroy(&src);
}

static void metric_case(const char *command, int lower, enum tp_point_status want, double value, const char *reason)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = command;
    o.metric = "rate: (.*)";
    o.metric_lower = lower;
    o.warmup = 0;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, want, "%s", command);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    if (want == TP_POINT_OK) {
        cr_assert_float_eq(p.reps[0].throughput, value, 1e-12);
        cr_assert_float_eq(pp->run[0].metric, lower ? 1 / value : value, 1e-9);
        cr_assert_str_eq(r.program->unit, "metric");
    } else {
        cr_assert_eq(p.error, TP_ENOMETRIC);
        cr_assert(strstr(pp->reason, reason) != NULL, "%s", pp->reason);
    }
    tp_result_free(&r);
    tp_program_source_destroy(&src);
}

Test(program, metric_from_the_program_output, .timeout = 30)
{
    metric_case("echo start; echo 'rate: {threads}0.5'", 0, TP_POINT_OK, 20.5, NULL);
    metric_case("echo 'rate: 4' # {threads}", 1, TP_POINT_OK, 0.25, NULL); /* lower is better: 1 / 4 */
    metric_case("echo nothing # {threads}", 0, TP_POINT_FAILED, 0,
                "matched nothing in the program's output (last output line: 'nothing')");
    metric_case("echo 'rate: lots' # {threads}", 0, TP_POINT_FAILED, 0, "'lots' is not a number");
    metric_case("echo 'rate: 0' # {threads}", 1, TP_POINT_FAILED, 0, "not above 0");
}

Test(program, work_units_setup_prepare_cleanup, .timeout = 30)
{
    char dir[] = "/tmp/tp-test-prog-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char setup[256], prepare[256], cleanup[256], cmd[256];
    snprintf(setup, sizeof setup, "echo setup >> %s/log-{threads}", dir);
    snprintf(prepare, sizeof prepare, "echo prepare >> %s/log-{threads}", dir);
    snprintf(cleanup, sizeof cleanup, "echo cleanup >> %s/log-{threads}", dir);
    snprintf(cmd, sizeof cmd, "echo run >> %s/log-{threads}", dir);
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = cmd;
    o.setup = setup;
    o.prepare = prepare;
    o.cleanup = cleanup;
    o.work = 50;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_OK);
    cr_assert_float_eq(p.reps[1].throughput, 50 / p.reps[1].elapsed_s, 1e-6, "units/s");
    cr_assert_eq(p.reps[1].tasks, 50u);
    cr_assert_eq(p.work_ops, 100u);
    char path[300], log[512] = "";
    snprintf(path, sizeof path, "%s/log-2", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(log, 1, sizeof log - 1, f);
    log[n] = '\0';
    fclose(f);
    cr_assert_str_eq(log, "setup\nprepare\nrun\nprepare\nrun\nprepare\nrun\ncleanup\n",
                     "setup, (prepare, warm-up), 2 x (prepare, run), cleanup");
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    cr_assert_eq(pp->other_runs, 5);
    cr_assert_str_eq(r.program->unit, "units/s");
    cr_assert_eq(r.program->work, 50u);
    tp_result_free(&r);
    tp_program_source_destroy(&src);
    unlink(path);
    rmdir(dir);
}

Test(program, a_failing_setup_fails_the_point_and_cleanup_still_runs, .timeout = 30)
{
    char dir[] = "/tmp/tp-test-prog-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cleanup[256], path[300];
    snprintf(cleanup, sizeof cleanup, "touch %s/cleaned", dir);
    snprintf(path, sizeof path, "%s/cleaned", dir);
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "true {threads}";
    o.setup = "echo no disk >&2; exit 1";
    o.cleanup = cleanup;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 2, 10, &p);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_eq(p.n_reps, 0);
    cr_assert_eq(access(path, F_OK), 0, "cleanup ran");
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    cr_assert_str_eq(pp->reason, "setup: exit status 1");
    cr_assert_str_eq(pp->stderr_tail, "no disk");
    tp_result_free(&r);
    tp_program_source_destroy(&src);
    unlink(path);
    rmdir(dir);
}

static volatile sig_atomic_t cancel_flag;
static void on_alarm(int sig)
{
    (void)sig;
    cancel_flag = 1;
}

Test(program, cancel_stops_the_run, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "sleep 7345 # {threads}";
    o.warmup = 0;
    struct tp_source src = make_source(&o);
    struct tp_point_request req = req_for(2, 2);
    req.cancel = &cancel_flag;
    signal(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 0 }, { 0, 200000 } }; /* cancel 0.2 s into the run */
    setitimer(ITIMER_REAL, &it, NULL);
    struct tp_point p = { 0 };
    cr_assert_eq(src.measure(src.ctx, &req, &p), TP_ECANCELED);
    cr_assert_eq(p.n_reps, 0);
    cr_assert_neq(system("pgrep -f 'sleep 734[5]' >/dev/null"), 0, "the cancelled run is gone");
    tp_program_source_destroy(&src);
}

Test(program, last_stderr_lines_only, .timeout = 30)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "i=0; while [ $i -lt 3000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 2 # {threads}";
    o.warmup = 0;
    struct tp_source src = make_source(&o);
    struct tp_point p;
    measure(&src, 2, 1, 10, &p);
    struct tp_result r;
    const struct tp_program_point *pp = record(&src, 2, &r);
    cr_assert_str_eq(pp->stderr_tail, "line 2995\nline 2996\nline 2997\nline 2998\nline 2999");
    tp_result_free(&r);
    tp_program_source_destroy(&src);
}

Test(program, a_race_over_a_real_program, .timeout = 60)
{
    struct tp_program_opts o;
    tp_program_opts_init(&o);
    o.command = "sleep 0.$(printf %03d $(( 40 / {threads} )))"; /* 40 ms / threads */
    o.warmup = 0;
    struct tp_sweep_opts so = {
        .strategy = TP_STRATEGY_RACE,
        .max_runs = 12,
        .max_threads = 16,
        .confidence = 0.95,
        .seed = 3,
    };
    so.source = make_source(&o);
    struct tp_topology topo = { .effective_cores = 2, .allowed_cores = 2 };
    struct tp_result r;
    int rc = tp_sweep_run(&so, &topo, &r);
    cr_assert_eq(rc, 0, "%s", tp_strerror(rc));
    cr_assert_leq(r.runs_spent, 12);
    cr_assert_eq(tp_program_source_attach(&so.source, &r), 0);
    cr_assert_not_null(r.program);
    for (size_t i = 0; i < r.n_points; i++)
        cr_assert_not_null(tp_program_point_find(&r, r.points[i].threads));
    cr_assert_geq(r.pick, 0);
    tp_result_free(&r);
    tp_program_source_destroy(&so.source);
}
