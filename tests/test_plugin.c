/* test_plugin.c - the plugin workload: loading and its errors, the per-thread hooks, counting, containment of crashes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "measure.h"
#include "workload.h"

#define PLUGIN(name) TP_TEST_PLUGIN_DIR "/" name ".so"

static struct tp_workload_params plugin_params(const char *path, const char *arg)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_PLUGIN };
    snprintf(p.plugin_path, sizeof p.plugin_path, "%s", path);
    snprintf(p.plugin_arg, sizeof p.plugin_arg, "%s", arg);
    return p;
}

static int check(const char *path, char *err, size_t len)
{
    struct tp_workload_params p = plugin_params(path, "");
    return tp_workload_check(&p, err, len);
}

Test(plugin, check_accepts_a_good_plugin_and_the_example)
{
    char err[512];
    cr_assert_eq(check(PLUGIN("tp_test_plugin"), err, sizeof err), 0, "%s", err);
    cr_assert_eq(check(PLUGIN("checksum"), err, sizeof err), 0, "%s", err);
}

Test(plugin, missing_file_is_named)
{
    char err[512];
    cr_assert_eq(check("/nonexistent/x.so", err, sizeof err), -ENOENT);
    cr_assert(strstr(err, "/nonexistent/x.so") != NULL && strstr(err, "No such file") != NULL, "%s", err);
}

Test(plugin, a_file_that_is_not_a_shared_object_is_refused)
{
    char path[] = "/tmp/tp-notso-XXXXXX", err[512];
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "hello\n", 6), 6);
    close(fd);
    int rc = check(path, err, sizeof err);
    unlink(path);
    cr_assert_eq(rc, TP_EPLUGIN);
    cr_assert(strstr(err, "cannot load it as a shared object") != NULL, "%s", err);
}

Test(plugin, missing_symbol_bad_abi_and_null_task_are_refused)
{
    char err[512];
    cr_assert_eq(check(PLUGIN("tp_test_plugin_nosym"), err, sizeof err), TP_EPLUGIN);
    cr_assert(strstr(err, "no 'tp_plugin_v1' symbol") != NULL, "%s", err);
    cr_assert_eq(check(PLUGIN("tp_test_plugin_badabi"), err, sizeof err), TP_EPLUGIN);
    cr_assert(strstr(err, "ABI version 99") != NULL, "%s", err);
    cr_assert_eq(check(PLUGIN("tp_test_plugin_notask"), err, sizeof err), TP_EPLUGIN);
    cr_assert(strstr(err, "task is NULL") != NULL, "%s", err);
}

Test(plugin, spec_parses_the_path)
{
    struct tp_workload_params p = { 0 };
    cr_assert_eq(tp_workload_parse_spec("plugin:/a/b.so", &p), 0);
    cr_assert_eq(p.kind, TP_WORKLOAD_PLUGIN);
    cr_assert_str_eq(p.plugin_path, "/a/b.so");
    cr_assert_eq(tp_workload_parse_spec("plugin:b.so", &p), 0);
    cr_assert_str_eq(p.plugin_path, "./b.so", "a bare name is a file here, not a library search");
    cr_assert_eq(tp_workload_parse_spec("plugin:", &p), -EINVAL);
    enum tp_workload_kind k;
    cr_assert_eq(tp_workload_parse("plugin:x.so", &k), 0);
    cr_assert_eq(k, TP_WORKLOAD_PLUGIN);
    cr_assert_str_eq(tp_workload_name(TP_WORKLOAD_PLUGIN), "plugin");
}

Test(plugin, tasks_count_bytes_and_errors)
{
    struct tp_workload_params p = plugin_params(PLUGIN("tp_test_plugin"), "fail:4");
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    tp__workload_thread_start(&w, 0);
    for (uint64_t i = 0; i < 8; i++)
        w.ops->task(&w, i);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(errors, 2, "tasks 0 and 4 fail");
    cr_assert_eq(ops, 6);
    cr_assert_eq(bytes, 600);
    tp__workload_close(&w);
}

Test(plugin, failing_setup_fails_the_open_with_its_errno)
{
    struct tp_workload_params p = plugin_params(PLUGIN("tp_test_plugin"), "setupfail");
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), -EACCES);
}

Test(plugin, example_reads_a_real_file, .timeout = 30)
{
    struct tp_workload_params p = plugin_params(PLUGIN("checksum"), "/etc/hostname");
    if (access("/etc/hostname", R_OK) != 0)
        snprintf(p.plugin_arg, sizeof p.plugin_arg, "%s", TP_TEST_PLUGIN_DIR "/checksum.so");
    struct tp_point_request req = { .threads = 2, .cores = 1, .repeat = 2, .tasks = 50, .workload = &p };
    struct tp_point pt = { 0 };
    tp__measure_point_inline(&req, &pt);
    cr_assert_eq(pt.status, TP_POINT_OK, "error %d", pt.error);
    cr_assert_eq(pt.work_ops, 100, "two repetitions of 50 tasks, warm-up excluded");
    cr_assert_gt(pt.work_bytes, 0);
    cr_assert_eq(pt.work_errors, 0);
}

static struct tp_point run_isolated(const char *arg, int threads, double timeout_s)
{
    struct tp_workload_params p = plugin_params(PLUGIN("tp_test_plugin"), arg);
    struct tp_point_request req = {
        .threads = threads, .cores = 1, .repeat = 1, .tasks = 40, .timeout_s = timeout_s, .workload = &p
    };
    struct tp_point pt = { .threads = threads };
    cr_assert_eq(tp_source_real_measure(NULL, &req, &pt), 0);
    return pt;
}

Test(plugin, a_segfault_is_contained_and_named, .timeout = 60)
{
    struct tp_point small = run_isolated("segv:3", 2, 30);
    cr_assert_eq(small.status, TP_POINT_OK, "worker 3 does not exist at 2 threads");
    struct tp_point big = run_isolated("segv:3", 4, 30);
#if defined(__SANITIZE_ADDRESS__)
    cr_assert_neq(big.status, TP_POINT_OK, "ASan turns the SIGSEGV into its own report");
#else
    cr_assert_eq(big.status, TP_POINT_CRASHED);
    cr_assert_eq(big.signal, SIGSEGV);
#endif
}

Test(plugin, an_abort_is_contained, .timeout = 60)
{
    struct tp_point pt = run_isolated("abort:0", 2, 30);
    cr_assert_eq(pt.status, TP_POINT_CRASHED);
    cr_assert_eq(pt.signal, SIGABRT);
}

Test(plugin, a_hang_times_out, .timeout = 60)
{
    struct tp_point pt = run_isolated("hang:0", 2, 1.0);
    cr_assert_eq(pt.status, TP_POINT_TIMEOUT);
}
