/* test_workload.c - the built-in workloads: real computation, real blocking waits, names, validation. */
#include <criterion/criterion.h>
#include <errno.h>

#include "common.h"
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
    struct tp_workload_params empty_io = {TP_WORKLOAD_IO, 0, 0};
    cr_assert_eq(tp__workload_open(&w, &empty_io), -EINVAL);
    struct tp_workload_params empty_cpu = {TP_WORKLOAD_CPU, 0, 0};
    cr_assert_eq(tp__workload_open(&w, &empty_cpu), -EINVAL);
    struct tp_workload_params huge = {TP_WORKLOAD_IO, 61ull * 1000000000ull, 0};
    cr_assert_eq(tp__workload_open(&w, &huge), -EINVAL);
    struct tp_workload_params unknown = {(enum tp_workload_kind)42, 1, 1};
    cr_assert_eq(tp__workload_open(&w, &unknown), -EINVAL);
    struct tp_workload_params ok = {TP_WORKLOAD_IO, 1000, 1000};
    cr_assert_eq(tp__workload_open(&w, &ok), 0);
    cr_assert_not_null(w.ops);
    w.ops->task(&w, 0);
    tp__workload_close(&w);
    cr_assert_null(w.ops);
}

Test(workload, io_task_waits_then_computes)
{
    struct tp__workload w;
    struct tp_workload_params p = {TP_WORKLOAD_IO, 5000000, 1000000};
    cr_assert_eq(tp__workload_open(&w, &p), 0);
    uint64_t t0 = tp__now_ns(), c0 = tp__thread_cpu_ns();
    w.ops->task(&w, 0);
    uint64_t wall = tp__now_ns() - t0, cpu = tp__thread_cpu_ns() - c0;
    cr_assert_geq(cpu, 1000000u);
    cr_assert_geq(wall, 6000000u);
    tp__workload_close(&w);
}
