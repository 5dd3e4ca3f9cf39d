/* test_workload.c - the built-in workloads: real computation, real blocking waits, names, validation. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "registry.h"
#include "synthetic.h"
#include "workload.h"

Test(workload, burn_uses_at_least_the_asked_cpu_time)
{
    uint64_t c0 = tp__thread_cpu_ns();
    tp__burn_cpu_ns(2000000);
    uint64_t used = tp__thread_cpu_ns() - c0;
    cr_assert_geq(used, 2000000u, "used %llu ns", (unsigned long long)used);
}

Test(workload, block_waits_at_least_the_asked_time_without_cpu)
{
    uint64_t t0 = tp__now_ns(), c0 = tp__thread_cpu_ns();
    tp__block_ns(20000000);
    uint64_t wall = tp__now_ns() - t0, cpu = tp__thread_cpu_ns() - c0;
    cr_assert_geq(wall, 20000000u);
    cr_assert_lt(cpu, wall / 2, "a blocking wait, not a spin: cpu %llu of %llu ns", (unsigned long long)cpu,
                 (unsigned long long)wall);
}

Test(workload, names_round_trip)
{
    enum tp_workload_kind k;
    cr_assert_eq(tp_workload_parse("io", &k), 0);
    cr_assert_eq(k, TP_WORKLOAD_IO);
    cr_assert_eq(tp_workload_parse("cpu", &k), 0);
    cr_assert_eq(k, TP_WORKLOAD_CPU);
    cr_assert_str_eq(tp_workload_name(TP_WORKLOAD_IO), "io");
    cr_assert_str_eq(tp_workload_name(TP_WORKLOAD_CPU), "cpu");
    cr_assert_eq(tp_workload_parse("disk", &k), -EINVAL);
    cr_assert_eq(tp_workload_parse(NULL, &k), -EINVAL);
    cr_assert_null(tp_workload_name((enum tp_workload_kind)99));
}

Test(workload, open_validates_params)
{
    struct tp__workload w;
    struct tp_workload_params empty_io = { .kind = TP_WORKLOAD_IO };
    cr_assert_eq(tp__workload_open(&w, &empty_io), -EINVAL);
    struct tp_workload_params empty_cpu = { .kind = TP_WORKLOAD_CPU };
    cr_assert_eq(tp__workload_open(&w, &empty_cpu), -EINVAL);
    struct tp_workload_params huge = { .kind = TP_WORKLOAD_IO, .latency_ns = 61ull * 1000000000ull };
    cr_assert_eq(tp__workload_open(&w, &huge), -EINVAL);
    struct tp_workload_params unknown = { .kind = (enum tp_workload_kind)42, .latency_ns = 1, .compute_ns = 1 };
    cr_assert_eq(tp__workload_open(&w, &unknown), -EINVAL);
    struct tp_workload_params ok = { .kind = TP_WORKLOAD_IO, .latency_ns = 1000, .compute_ns = 1000 };
    cr_assert_eq(tp__workload_open(&w, &ok), 0);
    cr_assert_not_null(w.ops);
    w.ops->task(&w, 0);
    tp__workload_close(&w);
    cr_assert_null(w.ops);
}

Test(workload, io_task_waits_then_computes)
{
    struct tp__workload w;
    struct tp_workload_params p = { .kind = TP_WORKLOAD_IO, .latency_ns = 5000000, .compute_ns = 1000000 };
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    uint64_t t0 = tp__now_ns(), c0 = tp__thread_cpu_ns();
    w.ops->task(&w, 0);
    uint64_t wall = tp__now_ns() - t0, cpu = tp__thread_cpu_ns() - c0;
    cr_assert_geq(cpu, 1000000u);
    cr_assert_geq(wall, 6000000u);
    tp__workload_close(&w);
}

/* The public io task (tune-pool --online drives its pool with it): the same wait, then the same computation. */
Test(workload, public_io_task_waits_then_computes)
{
    uint64_t t0 = tp__now_ns(), c0 = tp__thread_cpu_ns();
    cr_assert_eq(tp_workload_io_task(5000000, 1000000), 0);
    uint64_t wall = tp__now_ns() - t0, cpu = tp__thread_cpu_ns() - c0;
    cr_assert_geq(cpu, 1000000u);
    cr_assert_geq(wall, 6000000u);
}

Test(workload, public_io_task_over_a_minute_is_einval_and_runs_nothing)
{
    uint64_t t0 = tp__now_ns();
    cr_assert_eq(tp_workload_io_task(61000000000ull, 0), -EINVAL);
    cr_assert_eq(tp_workload_io_task(0, 61000000000ull), -EINVAL);
    cr_assert_lt(tp__now_ns() - t0, 1000000000u, "it must not have waited");
}

Test(workload, describe_says_what_a_task_does)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_IO, .latency_ns = 2000000, .compute_ns = 100000 };
    char buf[128];
    cr_assert_eq(tp_workload_describe(&p, buf, sizeof buf), 0);
    cr_assert_str_eq(buf, "io: wait 2 ms + compute 100 us per task");
    cr_assert_eq(tp_workload_describe(&p, buf, 6), 0);
    cr_assert_str_eq(buf, "io: w", "truncated to len - 1 characters");
}

Test(workload, describe_bad_arguments_are_einval)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_CPU, .compute_ns = 1000 };
    char buf[8] = "keep";
    cr_assert_eq(tp_workload_describe(NULL, buf, sizeof buf), -EINVAL);
    cr_assert_eq(tp_workload_describe(&p, NULL, 8), -EINVAL);
    cr_assert_eq(tp_workload_describe(&p, buf, 0), -EINVAL);
    cr_assert_str_eq(buf, "keep");
}

/* ---- mixed, noop, file ---- */

#include <dirent.h>
#include <string.h>

Test(workload, every_kind_has_a_name_that_parses_back)
{
    enum tp_workload_kind kinds[] = { TP_WORKLOAD_IO,   TP_WORKLOAD_CPU, TP_WORKLOAD_MIXED,
                                      TP_WORKLOAD_FILE, TP_WORKLOAD_NET, TP_WORKLOAD_NOOP };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        enum tp_workload_kind k;
        cr_assert_eq(tp_workload_parse(tp_workload_name(kinds[i]), &k), 0);
        cr_assert_eq(k, kinds[i]);
    }
    enum tp_workload_kind k;
    cr_assert_eq(tp_workload_parse("plugin", &k), -EINVAL, "a plugin needs :PATH");
}

Test(workload, mixed_splits_tasks_by_the_fraction)
{
    struct tp_workload_params p = {
        .kind = TP_WORKLOAD_MIXED, .latency_ns = 1000, .compute_ns = 1000, .io_fraction = 0.25
    };
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    for (uint64_t i = 0; i < 400; i++)
        w.ops->task(&w, i);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 400);
    tp__workload_close(&w);
    struct tp_workload_params bad = p;
    bad.io_fraction = 1.5;
    cr_assert_eq(tp__workload_open(&w, &bad), -EINVAL);
    bad.io_fraction = 0.5;
    bad.latency_ns = 0;
    cr_assert_eq(tp__workload_open(&w, &bad), -EINVAL, "waiting tasks need a wait");
}

Test(workload, noop_counts_and_does_nothing_else)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_NOOP };
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    for (uint64_t i = 0; i < 1000; i++)
        w.ops->task(&w, i);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 1000);
    cr_assert_eq(bytes, 0);
    tp__workload_close(&w);
}

static int count_data_files(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, "tune-pool-data.", 15) == 0;
    closedir(d);
    return n;
}

Test(workload, file_reads_real_blocks_and_leaves_no_file, .timeout = 60)
{
    char dir[] = "/tmp/tp-file-test-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    struct tp_workload_params p = { .kind = TP_WORKLOAD_FILE, .file_size = 1 << 20, .block_size = 4096 };
    snprintf(p.file_dir, sizeof p.file_dir, "%s", dir);
    struct tp__sweep_res res;
    char err[512];
    cr_assert_eq(tp__workload_sweep_setup(&p, &res, err, sizeof err), 0, "%s", err);
    cr_assert_eq(count_data_files(dir), 0, "the file is unlinked at once; the descriptor keeps it");
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    for (uint64_t i = 0; i < 100; i++)
        w.ops->task(&w, i);
    uint64_t ops, bytes, errors;
    tp__workload_counters(&w, &ops, &bytes, &errors);
    cr_assert_eq(ops, 100);
    cr_assert_eq(bytes, 100 * 4096);
    cr_assert_eq(errors, 0);
    tp__workload_close(&w);
    tp__workload_sweep_teardown(&p, &res);
    cr_assert_eq(count_data_files(dir), 0);
    cr_assert_eq(rmdir(dir), 0, "the directory is empty");
}

Test(workload, file_direct_works_on_disk_or_is_refused_by_name, .timeout = 60)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_FILE, .file_size = 1 << 20, .block_size = 4096, .direct = 1 };
    char err[512];
    snprintf(p.file_dir, sizeof p.file_dir, "/dev/shm");
    int rc = tp_workload_check(&p, err, sizeof err);
    if (rc == 0) {
        cr_log_info("/dev/shm accepts O_DIRECT here: nothing to refuse");
    } else {
        cr_assert_eq(rc, -EINVAL);
        cr_assert(strstr(err, "--direct") != NULL && strstr(err, "/dev/shm") != NULL, "%s", err);
    }
    cr_assert_eq(count_data_files("/dev/shm"), 0);
    p.block_size = 1000;
    cr_assert_eq(tp_workload_check(&p, err, sizeof err), -EINVAL, "O_DIRECT reads whole sectors");
}

Test(workload, file_size_must_hold_a_block)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_FILE, .file_size = 100, .block_size = 4096 };
    char err[512];
    cr_assert_eq(tp_workload_check(&p, err, sizeof err), -EINVAL);
}

Test(workload, thread_hooks_run_per_thread_and_close_finishes_them)
{
    struct tp_workload_params p = { .kind = TP_WORKLOAD_NOOP };
    struct tp__workload w;
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    tp__workload_thread_start(&w, 7);
    struct tp__wthread *t = tp__wthread_get(&w);
    cr_assert_eq(t->worker, 7);
    cr_assert_eq(tp__wthread_get(&w), t, "one state per thread");
    cr_assert_eq(tp__workload_thread_error(&w), 0);
    tp__workload_close(&w);
}

Test(workload, every_kind_is_in_the_registry_with_its_facts)
{
    for (int k = TP_WORKLOAD_IO; k <= TP_WORKLOAD_PLUGIN; k++) {
        const struct tp__workload_ops *ops = tp__workload_find((enum tp_workload_kind)k);
        cr_assert_not_null(ops, "kind %d", k);
        cr_assert_eq((int)ops->kind, k);
        cr_assert(ops->validate != NULL && ops->describe != NULL && ops->setup != NULL && ops->task != NULL);
        cr_assert(ops->async != NULL || ops->no_async != NULL, "%s: an async path or the reason it has none",
                  ops->name);
    }
    cr_assert_null(tp__workload_find((enum tp_workload_kind)99));
    cr_assert_str_eq(tp_workload_usage(TP_WORKLOAD_PLUGIN), "plugin:PATH.so");
    cr_assert_str_eq(tp_workload_usage(TP_WORKLOAD_FILE), "file");
    enum tp_workload_kind k;
    cr_assert_eq(tp_workload_parse("plugin", &k), -EINVAL, "plugin is named with its path only");
}

Test(workload, options_table_names_owner_and_field)
{
    enum tp_workload_kind k = TP_WORKLOAD_IO;
    const struct tp_workload_option *o = tp_workload_option_find("block-size", &k);
    cr_assert_not_null(o);
    cr_assert_eq(k, TP_WORKLOAD_FILE);
    cr_assert_eq(o->type, TP_OPTION_SIZE);
    cr_assert_eq(o->offset, offsetof(struct tp_workload_params, block_size));
    cr_assert_eq(o->field_size, sizeof(uint32_t));
    cr_assert_eq(o->min, 1);
    cr_assert_not_null(tp_workload_option_find("workload-arg", &k));
    cr_assert_eq(k, TP_WORKLOAD_PLUGIN);
    cr_assert_null(tp_workload_option_find("latency", &k), "--latency is the CLI's own, no kind's");
    cr_assert_null(tp_workload_option_find(NULL, NULL));
    size_t n = 99;
    const struct tp_workload_option *net = tp_workload_options(TP_WORKLOAD_NET, &n);
    cr_assert_eq(n, 3);
    for (size_t i = 0; i < n; i++)
        cr_assert(net[i].name != NULL && net[i].help != NULL && net[i].expected != NULL);
    cr_assert_null(tp_workload_options(TP_WORKLOAD_IO, &n));
    cr_assert_eq(n, 0);
    cr_assert_null(tp_workload_options((enum tp_workload_kind)99, &n));
}

Test(workload, check_options_names_the_option_at_fault)
{
    char err[256];
    struct tp_workload_params f = { .kind = TP_WORKLOAD_FILE, .file_size = 1024, .block_size = 4096 };
    cr_assert_eq(tp_workload_check_options(&f, 0, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "--file-size: 1024 bytes is smaller than --block-size=4096") == err, "%s", err);
    struct tp_workload_params m = { .kind = TP_WORKLOAD_MIXED, .io_fraction = 0.5, .compute_ns = 1000 };
    cr_assert_eq(tp_workload_check_options(&m, 0, err, sizeof err), -EINVAL);
    cr_assert(strncmp(err, "--latency:", 10) == 0, "%s", err);
    struct tp_workload_params n = { .kind = TP_WORKLOAD_NET };
    cr_assert_eq(tp_workload_check_options(&n, 0, err, sizeof err), 0);
    cr_assert_eq(tp_workload_check_options(&n, 1, err, sizeof err), -EINVAL, "net has no modelled wait");
    cr_assert(strstr(err, "the net workload has no modelled wait") != NULL, "%s", err);
    struct tp_workload_params c = { .kind = TP_WORKLOAD_CPU, .compute_ns = 1000 };
    cr_assert_eq(tp_workload_check_options(&c, 1, err, sizeof err), 0, "cpu's --latency is the CLI's to refuse");
    cr_assert_eq(tp_workload_check_options(NULL, 0, err, sizeof err), -EINVAL);
}

Test(workload, describe_through_the_kinds)
{
    char buf[256];
    struct tp_workload_params io = { .kind = TP_WORKLOAD_IO, .latency_ns = 2000000, .compute_ns = 100000 };
    tp__workload_describe(&io, buf, sizeof buf);
    cr_assert_str_eq(buf, "io: wait 2 ms + compute 100 us per task");
    struct tp_workload_params net = { .kind = TP_WORKLOAD_NET, .server_delay_ns = 1000000 };
    tp__workload_describe(&net, buf, sizeof buf);
    cr_assert_str_eq(buf, "net: TCP request 64 B -> reply 1 KiB over loopback, server delay 1 ms, one connection "
                          "per thread");
    struct tp_workload_params bad = { .kind = (enum tp_workload_kind)99 };
    tp__workload_describe(&bad, buf, sizeof buf);
    cr_assert_str_eq(buf, "unknown workload");
}

/* ---- the burn's CPU cost (thread CPU time, not wall time; no speed) ---- */

#include <pthread.h>
#include <sched.h>

#define BURN_TEST_NS 200000u
#define BURN_TEST_N 100

/* Thread CPU time of BURN_TEST_N burns of BURN_TEST_NS, after a warm one
 * (the first burn of a process also calibrates). */
static void *burn_many(void *arg)
{
    uint64_t *cpu = arg;
    tp__burn_cpu_ns(BURN_TEST_NS);
    uint64_t c0 = tp__thread_cpu_ns();
    for (int i = 0; i < BURN_TEST_N; i++)
        tp__burn_cpu_ns(BURN_TEST_NS);
    *cpu = tp__thread_cpu_ns() - c0;
    return NULL;
}

static void assert_burn_cost(uint64_t cpu, const char *what)
{
    double asked = (double)BURN_TEST_NS * BURN_TEST_N;
    cr_assert(cpu > 0.8 * asked && cpu < 1.2 * asked, "%s: %d burns of %u ns cost %.0f ns of thread CPU (%.1f%%)", what,
              BURN_TEST_N, BURN_TEST_NS, (double)cpu, 100.0 * ((double)cpu - asked) / asked);
}

Test(workload, burn_costs_the_asked_cpu_time, .timeout = 60)
{
    uint64_t cpu;
    burn_many(&cpu);
    assert_burn_cost(cpu, "alone");
}

/* Eight threads on one CPU: each is preempted over and over, and each burn
 * still costs its thread the CPU it asked for (only the wall time grows). */
Test(workload, burn_costs_the_asked_cpu_time_under_oversubscription, .timeout = 120)
{
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    pthread_t t[8];
    uint64_t cpu[8];
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, burn_many, &cpu[i]), 0);
    for (int i = 0; i < 8; i++) {
        cr_assert_eq(pthread_join(t[i], NULL), 0);
        assert_burn_cost(cpu[i], "one of 8 threads on one CPU");
    }
}
