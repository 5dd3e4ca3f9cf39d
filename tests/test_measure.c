/* test_measure.c - the real measurement source: a point in-process and in a child, timeouts, failures, cancel. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "measure.h"

static struct tp_workload_params io_params = { .kind = TP_WORKLOAD_IO, .latency_ns = 1000000, .compute_ns = 50000 };

static struct tp_point_request small_request(int threads)
{
    struct tp_point_request r = {
        .multiplier = threads / 2.0,
        .threads = threads,
        .cores = 2,
        .repeat = 2,
        .tasks = 40,
        .warmup = 1,
        .workload = &io_params,
    };
    return r;
}

Test(measure, steady_throughput_uses_the_middle_of_the_batch)
{
    /* 100 tasks ending 1 ms apart starting at t = 1 ms: the 10th..90th
     * percentile window holds 80 intervals of 1 ms -> 1000 tasks/s. */
    uint64_t ends[100];
    for (int i = 0; i < 100; i++)
        ends[99 - i] = (uint64_t)(i + 1) * 1000000u; /* any order */
    double x = tp__steady_throughput(ends, 100, 2, 0);
    cr_assert_float_eq(x, 1000.0, 1e-6);
    cr_assert_eq(ends[0], 1000000u, "sorted in place");
}

Test(measure, steady_throughput_small_batches_use_the_whole_span)
{
    uint64_t ends[10];
    for (int i = 0; i < 10; i++)
        ends[i] = (uint64_t)(i + 1) * 1000000u;
    /* 10 tasks < 20: whole span from t0 = 0 to 10 ms. */
    cr_assert_float_eq(tp__steady_throughput(ends, 10, 1, 0), 1000.0, 1e-6);
    uint64_t many[40];
    for (int i = 0; i < 40; i++)
        many[i] = (uint64_t)(i + 1) * 1000000u;
    /* 40 tasks on 16 threads: fewer than 4 x threads -> whole span. */
    cr_assert_float_eq(tp__steady_throughput(many, 40, 16, 0), 1000.0, 1e-6);
    cr_assert_eq(tp__steady_throughput(many, 0, 1, 0), 0.0);
}

Test(measure, inline_point_runs_real_tasks, .timeout = 30)
{
    struct tp_point_request req = small_request(4);
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    tp__measure_point_inline(&req, &p);
    cr_assert_eq(p.status, TP_POINT_OK, "error %d", p.error);
    cr_assert_eq(p.n_reps, 2);
    cr_assert_eq(p.threads_started, 4);
    cr_assert_eq(p.tasks_per_rep, 40);
    for (int r = 0; r < 2; r++) {
        cr_assert_gt(p.reps[r].throughput, 0);
        cr_assert_eq(p.reps[r].tasks, 40);
        cr_assert_gt(p.reps[r].cpu_s, 0);
    }
    /* A real blocking wait of 1 ms: no task can be shorter than that. */
    cr_assert_geq(p.lat_p50_ns, 1e6);
    cr_assert_geq(p.lat_max_ns, p.lat_p99_ns);
    cr_assert_geq(p.lat_p99_ns, p.lat_p50_ns);
    /* Real computation of 50 us of thread CPU time per task. */
    cr_assert_geq(p.task_cpu_mean_ns, 50000);
    cr_assert_geq(p.task_wall_mean_ns, p.task_cpu_mean_ns + 1e6);
    cr_assert_gt(p.max_rss_kb, 0);
}

Test(measure, auto_tasks_follow_the_warmup, .timeout = 30)
{
    struct tp_point_request req = small_request(2);
    req.tasks = 0;
    req.rep_seconds = 0.05;
    req.repeat = 1;
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    tp__measure_point_inline(&req, &p);
    cr_assert_eq(p.status, TP_POINT_OK);
    cr_assert_geq(p.tasks_per_rep, TP__AUTO_TASKS_MIN);
    cr_assert_leq(p.tasks_per_rep, TP__AUTO_TASKS_MAX);
}

Test(measure, bad_request_fails_the_point)
{
    struct tp_point_request req = small_request(2);
    req.repeat = -1;
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    tp__measure_point_inline(&req, &p);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_eq(p.error, -EINVAL);
}

Test(measure, child_point_returns_the_measurement, .timeout = 30)
{
    struct tp_point_request req = small_request(2);
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    p.multiplier = 1;
    p.threads = 2;
    p.origin = TP_ORIGIN_GRID;
    cr_assert_eq(tp_source_real_measure(NULL, &req, &p), 0);
    cr_assert_eq(p.status, TP_POINT_OK);
    cr_assert_eq(p.n_reps, 2);
    cr_assert_eq(p.origin, TP_ORIGIN_GRID, "identity kept");
    cr_assert_gt(p.wall_s, 0);
}

Test(measure, a_point_past_its_time_limit_is_killed_and_recorded, .timeout = 30)
{
    struct tp_workload_params slow = { .kind = TP_WORKLOAD_IO, .latency_ns = 2000000000ull };
    struct tp_point_request req = small_request(1);
    req.workload = &slow;
    req.timeout_s = 0.3;
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    cr_assert_eq(tp_source_real_measure(NULL, &req, &p), 0);
    cr_assert_eq(p.status, TP_POINT_TIMEOUT);
    cr_assert_eq(p.error, TP_ETIMEOUT);
    cr_assert_lt(p.wall_s, 5.0, "killed, not waited for");
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

Test(measure, thread_creation_failure_is_the_points_result, .timeout = 60)
{
#ifdef UNDER_SANITIZER
    cr_skip_test("a sanitizer's shadow memory cannot live under RLIMIT_AS");
#endif
    /* An address-space limit makes large stacks impossible: creation fails
     * part way (root ignores RLIMIT_NPROC, not RLIMIT_AS). */
    struct rlimit rl = { 512ull << 20, 512ull << 20 };
    cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
    struct tp_point_request req = small_request(64);
    req.stack_size = 64ull << 20;
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    cr_assert_eq(tp_source_real_measure(NULL, &req, &p), 0);
    cr_assert_eq(p.status, TP_POINT_FAILED);
    cr_assert_lt(p.error, 0);
    cr_assert_lt(p.threads_started, 64);
}

Test(measure, cancel_before_the_point_abandons_it, .timeout = 30)
{
    volatile sig_atomic_t cancel = 1;
    struct tp_point_request req = small_request(2);
    req.cancel = &cancel;
    struct tp_point p;
    memset(&p, 0, sizeof(p));
    cr_assert_eq(tp_source_real_measure(NULL, &req, &p), TP_ECANCELED);
    cr_assert_eq(p.status, TP_POINT_SKIPPED);
}
