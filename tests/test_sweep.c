/* test_sweep.c - the sweep's plan and search driven by a synthetic, seeded measurement source (no clock). */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "stats.h"
#include "sweep.h"

/* ---- a synthetic source: throughput(T) from a shape, seeded noise ---- */

enum shape { KNEE, FLAT, CPU_BOUND, PEAK_COLLAPSE, KNEE_WITH_DENT, SERIAL };

struct synth {
    enum shape shape;
    double wait_ns, compute_ns; /* the task's W and C */
    double noise;               /* relative sd of each repetition */
    uint64_t rng;
    int fail_threads;  /* a point with this many threads fails (0: none) */
    int crash_threads; /* ... or crashes */
    int cancel_after;  /* set *cancel after this many points (0: never) */
    volatile sig_atomic_t *cancel;
    int calls;
    int seen_threads[64];
};

static double ideal(const struct synth *s, int threads, int cores)
{
    double w = s->wait_ns / 1e9, c = s->compute_ns / 1e9;
    switch (s->shape) {
    case KNEE: return fmin(threads / (w + c), cores / c);
    case FLAT: return 1000.0;
    case CPU_BOUND: return fmin(threads, cores) / c;
    case KNEE_WITH_DENT: /* a knee curve whose 16-thread point looks like the 8-thread one */
        return fmin((threads == 16 ? 8 : threads) / (w + c), cores / c);
    case SERIAL: /* a serialising resource: one task at a time, whatever the pool */ return 1 / (w + c);
    case PEAK_COLLAPSE: {
        double x = fmin(threads / (w + c), cores / c);
        double knee = cores * (1 + w / c);
        return threads > 2 * knee ? x * (2 * knee) / threads : x;
    }
    }
    return 0;
}

/* Box-Muller on the seeded generator. */
static double gauss(uint64_t *rng)
{
    double u1 = ((double)(tp__rng_next(rng) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (double)(tp__rng_next(rng) >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static int synth_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out)
{
    struct synth *s = ctx;
    if (s->calls < 64)
        s->seen_threads[s->calls] = req->threads;
    s->calls++;
    if (s->cancel_after > 0 && s->calls > s->cancel_after) {
        *s->cancel = 1;
        return TP_ECANCELED;
    }
    if (req->threads == s->fail_threads) {
        out->status = TP_POINT_FAILED;
        out->error = -EAGAIN;
        out->threads_started = req->threads / 2;
        return 0;
    }
    if (req->threads == s->crash_threads) {
        out->status = TP_POINT_CRASHED;
        out->error = TP_ECRASHED;
        out->signal = 11;
        return 0;
    }
    double x = ideal(s, req->threads, req->cores);
    int reps = req->repeat > 0 ? req->repeat : req->repeat_max;
    out->status = TP_POINT_OK;
    out->threads_started = req->threads;
    out->n_reps = reps;
    out->tasks_per_rep = 1000;
    for (int r = 0; r < reps; r++) {
        double v = x * (1 + s->noise * gauss(&s->rng));
        out->reps[r].throughput = v > 0 ? v : 1;
        out->reps[r].tasks = 1000;
        out->reps[r].elapsed_s = 1000 / out->reps[r].throughput;
        out->reps[r].cpu_s = 1000 * s->compute_ns * 1.05 / 1e9; /* 5% on top of C */
    }
    out->task_cpu_mean_ns = s->compute_ns;
    out->task_wall_mean_ns = s->wait_ns + s->compute_ns * fmax(1.0, (double)req->threads / req->cores / 10);
    out->lat_p50_ns = out->task_wall_mean_ns;
    /* Queueing: past the knee, the p99 grows with the pool. */
    double knee = req->cores * (1 + s->wait_ns / s->compute_ns);
    out->lat_p99_ns = out->task_wall_mean_ns * (1.1 + fmax(0, req->threads - knee) / knee);
    return 0;
}

static struct tp_topology topo_of(int cores)
{
    struct tp_topology t;
    memset(&t, 0, sizeof(t));
    t.effective_cores = cores;
    t.allowed_cores = cores;
    return t;
}

static struct tp_sweep_opts opts_for(struct synth *s)
{
    struct tp_sweep_opts o = {
        .include_rules = 1,
        .max_threads = 4096,
        .repeat = 5,
        .confidence = 0.95,
        .seed = 7,
        .workload = { .kind = TP_WORKLOAD_IO, .latency_ns = 2000000, .compute_ns = 100000 },
        .source = { synth_measure, s },
    };
    return o;
}

/* ---- plan ---- */

Test(sweep, threads_round_and_clamp)
{
    cr_assert_eq(tp__threads_for(0.5, 2), 1);
    cr_assert_eq(tp__threads_for(0.25, 2), 1); /* 0.5 rounds up, and at least 1 anyway */
    cr_assert_eq(tp__threads_for(0.1, 2), 1);
    cr_assert_eq(tp__threads_for(1.5, 3), 5); /* 4.5 rounds half away from zero */
    cr_assert_eq(tp__threads_for(21, 2), 42);
    /* The public name gives the same counts. */
    cr_assert_eq(tp_threads_for(1.5, 3), 5);
    cr_assert_eq(tp_threads_for(0.1, 2), 1);
    cr_assert_eq(tp_threads_for(1e12, 64), INT32_MAX);
}

Test(sweep, plan_default_grid_adds_rules_sorted_unique)
{
    struct tp_sweep_opts o = { .include_rules = 1 };
    struct tp_point *p;
    size_t n;
    cr_assert_eq(tp__sweep_plan(&o, 2, &p, &n), 0);
    cr_assert_gt(n, 0);
    int has5 = 0, has6 = 0, has2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            cr_assert_lt(p[i - 1].threads, p[i].threads, "sorted and unique");
        if (p[i].threads == 10) {
            has5 = 1;
            cr_assert(p[i].origin & TP_ORIGIN_RULE);
        }
        if (p[i].threads == 6) {
            has6 = 1;
            cr_assert_eq(p[i].origin, TP_ORIGIN_GRID | TP_ORIGIN_RULE, "m = 3 is in the grid and a rule");
        }
        if (p[i].threads == 2)
            has2 = 1;
    }
    cr_assert(has5 && has6 && has2);
    cr_assert_eq(p[n - 1].threads, 64, "the default grid reaches m = 32");
    free(p);
}

Test(sweep, plan_merges_multipliers_with_equal_threads)
{
    double ms[] = { 0.25, 0.5, 1 };
    struct tp_sweep_opts o = { .multipliers = ms, .n_multipliers = 3 };
    struct tp_point *p;
    size_t n;
    cr_assert_eq(tp__sweep_plan(&o, 2, &p, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(p[0].threads, 1);
    cr_assert_float_eq(p[0].multiplier, 0.25, 1e-12, "the smallest multiplier is kept");
    cr_assert_eq(p[1].threads, 2);
    free(p);
}

Test(sweep, plan_rejects_bad_multipliers)
{
    double bad[][1] = { { 0 }, { -1 }, { NAN }, { INFINITY } };
    for (size_t i = 0; i < 4; i++) {
        struct tp_sweep_opts o = { .multipliers = bad[i], .n_multipliers = 1 };
        struct tp_point *p;
        size_t n;
        cr_assert_eq(tp__sweep_plan(&o, 2, &p, &n), -EINVAL, "case %zu", i);
        cr_assert_null(p);
    }
}

Test(sweep, plan_refuses_points_above_max_threads)
{
    double ms[] = { 1, 2048 };
    struct tp_sweep_opts o = { .multipliers = ms, .n_multipliers = 2, .max_threads = 4096 };
    struct tp_point *p;
    size_t n;
    cr_assert_eq(tp__sweep_plan(&o, 4, &p, &n), -E2BIG);
    cr_assert_eq(tp__sweep_plan(&o, 2, &p, &n), 0);
    free(p);
}

Test(sweep, plan_leaves_out_rule_sizes_above_max_threads)
{
    double ms[] = { 1, 2 };
    struct tp_sweep_opts o = { .multipliers = ms, .n_multipliers = 2, .include_rules = 1, .max_threads = 8 };
    struct tp_point *p;
    size_t n;
    cr_assert_eq(tp__sweep_plan(&o, 2, &p, &n), 0, "m = 5 (10 threads) is not the user's: no error");
    for (size_t i = 0; i < n; i++)
        cr_assert_leq(p[i].threads, 8);
    cr_assert_eq(n, 3, "2, 4 and the rule size 6");
    free(p);
}

/* ---- the whole sweep on synthetic curves ---- */

Test(sweep, knee_curve_recommends_near_the_knee)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 42 };
    double ms[] = { 1, 2, 5, 10, 20, 30 };
    struct tp_sweep_opts o = opts_for(&s);
    o.multipliers = ms;
    o.n_multipliers = 6;
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    cr_assert_geq(r.pick, 0);
    const struct tp_point *pick = &r.points[r.pick];
    /* Knee at cores x (1 + W/C) = 42 threads: the grid has 40 (95% of the
     * ceiling, distinguishable at 1% noise) and 60. */
    cr_assert_eq(pick->threads, 60, "pick %d threads", pick->threads);
    cr_assert(r.model.valid);
    cr_assert_float_eq(r.model.threads, 42.0, 1e-6);
    cr_assert_float_eq(r.model.cpu_per_task_ns, 105000.0, 1e-3, "process CPU per task at the best");
    cr_assert_float_eq(r.model.cpu_ceiling, 2 / 105e-6, 1e-3);
    cr_assert_eq(r.partial, 0);
    tp_result_free(&r);
}

Test(sweep, a_tolerance_lets_the_band_take_practically_equal_points)
{
    /* 40 threads reach 95.2% of 60's: distinguishable by the intervals,
     * the same work within a 10% tolerance. */
    double ms[] = { 1, 2, 5, 10, 20, 30 };
    struct tp_topology t = topo_of(2);
    int picks[2];
    for (int k = 0; k < 2; k++) {
        struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.005, .rng = 42 };
        struct tp_sweep_opts o = opts_for(&s);
        o.multipliers = ms;
        o.n_multipliers = 6;
        o.tolerance = k == 0 ? 0.0 : 0.10;
        struct tp_result r;
        cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
        cr_assert_float_eq(r.tolerance, o.tolerance, 1e-12);
        picks[k] = r.points[r.pick].threads;
        tp_result_free(&r);
    }
    cr_assert_eq(picks[0], 60);
    cr_assert_eq(picks[1], 40);
}

Test(sweep, a_tolerance_outside_0_1_is_einval)
{
    struct synth s = { .shape = FLAT };
    struct tp_sweep_opts o = opts_for(&s);
    o.tolerance = 1.0;
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), -EINVAL);
}

Test(sweep, flat_curve_recommends_the_fewest_threads)
{
    struct synth s = { .shape = FLAT, .wait_ns = 1e6, .compute_ns = 1e5, .noise = 0.02, .rng = 3 };
    struct tp_sweep_opts o = opts_for(&s);
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    cr_assert_eq(r.points[r.pick].threads, 1);
    tp_result_free(&r);
}

Test(sweep, cpu_bound_recommends_one_thread_per_core)
{
    struct synth s = { .shape = CPU_BOUND, .wait_ns = 0, .compute_ns = 1e5, .noise = 0.01, .rng = 9 };
    struct tp_sweep_opts o = opts_for(&s);
    o.workload.kind = TP_WORKLOAD_CPU;
    struct tp_topology t = topo_of(4);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    cr_assert_eq(r.points[r.pick].threads, 4);
    cr_assert_leq(r.points[r.pick].multiplier, 1.5);
    tp_result_free(&r);
}

Test(sweep, peak_then_collapse_picks_inside_the_peak)
{
    struct synth s = { .shape = PEAK_COLLAPSE, .wait_ns = 1e6, .compute_ns = 1e5, .noise = 0.01, .rng = 5 };
    struct tp_sweep_opts o = opts_for(&s);
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    int th = r.points[r.pick].threads;
    cr_assert(th >= 22 && th <= 44, "pick %d threads", th);
    cr_assert_lt(r.points[r.n_points - 1].tput_median, r.points[r.best].tput_median * 0.9);
    tp_result_free(&r);
}

Test(sweep, same_seed_same_result)
{
    struct tp_result a, b;
    struct tp_topology t = topo_of(2);
    for (int k = 0; k < 2; k++) {
        struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.05, .rng = 11 };
        struct tp_sweep_opts o = opts_for(&s);
        cr_assert_eq(tp_sweep_run(&o, &t, k == 0 ? &a : &b), 0);
    }
    cr_assert_eq(a.n_points, b.n_points);
    cr_assert_eq(a.pick, b.pick);
    for (size_t i = 0; i < a.n_points; i++) {
        cr_assert_eq(a.points[i].tput_ci_lo, b.points[i].tput_ci_lo);
        cr_assert_eq(a.points[i].tput_ci_hi, b.points[i].tput_ci_hi);
    }
    tp_result_free(&a);
    tp_result_free(&b);
}

Test(sweep, failed_and_crashed_points_are_recorded_and_the_sweep_goes_on)
{
    struct synth s = { .shape = KNEE,
                       .wait_ns = 2e6,
                       .compute_ns = 1e5,
                       .noise = 0.01,
                       .rng = 1,
                       .fail_threads = 16,
                       .crash_threads = 32 };
    struct tp_sweep_opts o = opts_for(&s);
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    cr_assert_eq((size_t)s.calls, r.n_points, "every point was asked for");
    cr_assert_eq(r.n_failed, 2);
    int seen = 0;
    for (size_t i = 0; i < r.n_points; i++) {
        if (r.points[i].threads == 16) {
            cr_assert_eq(r.points[i].status, TP_POINT_FAILED);
            cr_assert_eq(r.points[i].error, -EAGAIN);
            cr_assert_eq(r.points[i].in_band, 0);
            seen++;
        }
        if (r.points[i].threads == 32) {
            cr_assert_eq(r.points[i].status, TP_POINT_CRASHED);
            cr_assert_eq(r.points[i].signal, 11);
            seen++;
        }
    }
    cr_assert_eq(seen, 2);
    cr_assert_geq(r.pick, 0);
    cr_assert_eq(r.points[r.pick].status, TP_POINT_OK);
    tp_result_free(&r);
}

Test(sweep, every_point_failing_is_enopoints_with_the_points_kept)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .rng = 1, .fail_threads = 2 };
    double ms[] = { 1 };
    struct tp_sweep_opts o = opts_for(&s);
    o.multipliers = ms;
    o.n_multipliers = 1;
    o.include_rules = 0;
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), TP_ENOPOINTS);
    cr_assert_eq(r.n_points, 1);
    cr_assert_eq(r.points[0].status, TP_POINT_FAILED);
    cr_assert_eq(r.pick, -1);
    tp_result_free(&r);
}

Test(sweep, cancel_keeps_what_was_measured_and_marks_partial)
{
    volatile sig_atomic_t cancel = 0;
    struct synth s = {
        .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 1, .cancel_after = 4, .cancel = &cancel
    };
    struct tp_sweep_opts o = opts_for(&s);
    o.cancel = &cancel;
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), TP_ECANCELED);
    cr_assert_eq(r.partial, 1);
    size_t ok = 0, skipped = 0;
    for (size_t i = 0; i < r.n_points; i++) {
        ok += r.points[i].status == TP_POINT_OK;
        skipped += r.points[i].status == TP_POINT_SKIPPED;
    }
    cr_assert_eq(ok, 4);
    cr_assert_eq(skipped, r.n_points - 4);
    cr_assert_geq(r.pick, 0, "a recommendation from the measured points");
    tp_result_free(&r);
}

struct events {
    int starts, dones;
    size_t last_index;
};

static void count_events(void *ctx, const struct tp_progress *p)
{
    struct events *e = ctx;
    if (p->event == TP_PROGRESS_POINT_START) {
        e->starts++;
        cr_assert_null(p->point);
    } else {
        e->dones++;
        cr_assert_not_null(p->point);
        cr_assert_gt(p->point->tput_median, 0, "DONE carries the point's own statistics");
    }
    e->last_index = p->index;
    cr_assert_lt(p->index, p->total);
}

Test(sweep, progress_reports_start_and_done_for_each_point)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 1 };
    struct events e = { 0 };
    struct tp_sweep_opts o = opts_for(&s);
    o.progress = count_events;
    o.progress_ctx = &e;
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    cr_assert_eq((size_t)e.starts, r.n_points);
    cr_assert_eq((size_t)e.dones, r.n_points);
    cr_assert_eq(e.last_index, r.n_points - 1);
    tp_result_free(&r);
}

Test(sweep, bad_options_are_einval_and_nothing_is_measured)
{
    struct synth s = { .shape = FLAT };
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    struct tp_sweep_opts o = opts_for(&s);
    o.repeat = -1;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), -EINVAL);
    o = opts_for(&s);
    o.repeat = 0;     /* auto */
    o.repeat_max = 2; /* below TP_REPEAT_MIN */
    cr_assert_eq(tp_sweep_run(&o, &t, &r), -EINVAL);
    o = opts_for(&s);
    o.strategy = (enum tp_strategy)7;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), -EINVAL);
    o = opts_for(&s);
    o.repeat = TP_MAX_REPS + 1;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), -EINVAL);
    o = opts_for(&s);
    o.confidence = 1.0;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), -EINVAL);
    o = opts_for(&s);
    struct tp_topology zero = topo_of(0);
    cr_assert_eq(tp_sweep_run(&o, &zero, &r), -EINVAL);
    cr_assert_eq(s.calls, 0);
    cr_assert_null(r.points);
}

/* ---- adaptive ---- */

static int has_threads(const struct tp_result *r, int threads)
{
    for (size_t i = 0; i < r->n_points; i++)
        if (r->points[i].threads == threads && r->points[i].status == TP_POINT_OK)
            return 1;
    return 0;
}

static int count_origin(const struct tp_result *r, unsigned bit)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += (r->points[i].origin & bit) != 0;
    return n;
}

static struct tp_result adaptive_run(struct synth *s, int cores, double noise_cap)
{
    (void)noise_cap;
    struct tp_sweep_opts o = opts_for(s);
    o.strategy = TP_STRATEGY_ADAPTIVE;
    struct tp_topology t = topo_of(cores);
    struct tp_result r;
    int rc = tp_sweep_run(&o, &t, &r);
    cr_assert_eq(rc, 0, "rc %d", rc);
    cr_assert_eq(r.strategy, TP_STRATEGY_ADAPTIVE);
    for (size_t i = 1; i < r.n_points; i++)
        cr_assert_lt(r.points[i - 1].threads, r.points[i].threads, "sorted, unique");
    cr_assert_eq((size_t)s->calls, r.n_points, "every point listed was measured");
    return r;
}

Test(sweep, adaptive_finds_the_knee_with_fewer_points_than_a_fine_grid)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 42 };
    struct tp_result r = adaptive_run(&s, 2, 0);
    int th = r.points[r.pick].threads;
    /* The knee is at 42 threads; the resolution is 10% of the pick. */
    cr_assert(th >= 40 && th <= 47, "pick %d threads", th);
    cr_assert_gt(count_origin(&r, TP_ORIGIN_COARSE), 0);
    cr_assert_gt(count_origin(&r, TP_ORIGIN_REFINE), 0);
    cr_assert_lt(r.n_points, 17, "%zu points: not a third of m = 0.5, 1, 2, ..., 32", r.n_points);
    cr_assert(has_threads(&r, 10) && has_threads(&r, 6) && has_threads(&r, 2), "rule sizes measured");
    cr_assert(!has_threads(&r, 4) && !has_threads(&r, 8), "coarse points far below the model's knee are skipped");
    tp_result_free(&r);
}

Test(sweep, adaptive_climbs_past_m_64_for_a_long_wait)
{
    /* 20 ms waits, 100 us compute, 2 cores: the knee is 2 x 201 = 402
     * threads (m = 201), far past the old top of the coarse pass (m = 64,
     * 128 threads), which then reported "still rising" at a third of it. */
    struct synth s = { .shape = KNEE, .wait_ns = 2e7, .compute_ns = 1e5, .noise = 0.01, .rng = 21 };
    struct tp_result r = adaptive_run(&s, 2, 0);
    int th = r.points[r.pick].threads;
    cr_assert(has_threads(&r, 512), "the coarse pass went on to m = 256");
    cr_assert(th >= 380 && th <= 450, "pick %d threads for a knee at 402", th);
    tp_result_free(&r);
}

Test(sweep, adaptive_on_a_flat_curve_goes_below_one_thread_per_core)
{
    struct synth s = { .shape = SERIAL, .wait_ns = 1e6, .compute_ns = 1e5, .noise = 0.01, .rng = 3 };
    struct tp_result r = adaptive_run(&s, 4, 0);
    cr_assert_eq(r.points[r.pick].threads, 1, "a serialised resource wants one thread");
    cr_assert(has_threads(&r, 1));
    cr_assert_lt(r.points[r.n_points - 1].threads, 256, "the coarse pass stopped on the plateau");
    tp_result_free(&r);
}

Test(sweep, adaptive_cpu_bound_recommends_one_thread_per_core)
{
    struct synth s = { .shape = CPU_BOUND, .wait_ns = 0, .compute_ns = 1e5, .noise = 0.01, .rng = 9 };
    struct tp_result r = adaptive_run(&s, 4, 0);
    cr_assert_eq(r.points[r.pick].threads, 4);
    cr_assert_leq(r.n_points, 9, "%zu points", r.n_points);
    tp_result_free(&r);
}

Test(sweep, adaptive_peak_then_collapse_stops_going_up_and_picks_the_peak)
{
    struct synth s = { .shape = PEAK_COLLAPSE, .wait_ns = 1e6, .compute_ns = 1e5, .noise = 0.01, .rng = 5 };
    struct tp_result r = adaptive_run(&s, 2, 0);
    int th = r.points[r.pick].threads;
    cr_assert(th >= 22 && th <= 26, "pick %d threads", th);
    cr_assert_leq(r.points[r.n_points - 1].threads, 128, "did not climb to m = 64 after the collapse");
    tp_result_free(&r);
}

Test(sweep, adaptive_does_not_stop_on_a_dent_before_the_models_knee)
{
    /* 8 -> 16 threads looks flat, but the model puts the knee at 42: the
     * coarse pass must go on and find it. */
    struct synth s = { .shape = KNEE_WITH_DENT, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 8 };
    struct tp_result r = adaptive_run(&s, 2, 0);
    cr_assert(has_threads(&r, 64), "the coarse pass went past the dent");
    int th = r.points[r.pick].threads;
    cr_assert(th >= 40 && th <= 47, "pick %d threads", th);
    tp_result_free(&r);
}

Test(sweep, adaptive_with_heavy_noise_still_reaches_past_the_knee_and_warns)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.15, .rng = 13 };
    struct tp_result r = adaptive_run(&s, 2, 0);
    int top = r.points[r.n_points - 1].threads;
    cr_assert_geq(top, 63, "coarse pass reached %d threads; the knee is at 42", top);
    cr_assert(r.noisy, "noise %.3f", r.noise);
    cr_assert_gt(r.noise, TP_NOISE_WARN);
    tp_result_free(&r);
}

Test(sweep, quiet_measurements_are_not_called_noisy)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.003, .rng = 13 };
    struct tp_result r = adaptive_run(&s, 2, 0);
    cr_assert_eq(r.noisy, 0, "noise %.4f", r.noise);
    for (size_t i = 0; i < r.n_points; i++)
        cr_assert_eq(r.points[i].n_outliers, 0, "0.3%% noise flags no outlier (floor of 1%%)");
    tp_result_free(&r);
}

Test(sweep, a_latency_bound_picks_the_best_throughput_under_it)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 4 };
    double ms[] = { 1, 2, 5, 10, 20, 30, 40 };
    struct tp_sweep_opts o = opts_for(&s);
    o.multipliers = ms;
    o.n_multipliers = 7;
    /* p99 = wall x (1.1 + (T - 42)/42): 60 threads -> ~1.53 x wall (over),
     * 40 threads -> 1.1 x (under) with a bound of 1.3 x the wall time. */
    o.max_p99_ns = 1.3 * 2.1e6;
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), 0);
    cr_assert_eq(r.points[r.pick].threads, 40);
    for (size_t i = 0; i < r.n_points; i++) {
        if (r.points[i].threads >= 60) {
            cr_assert(r.points[i].excluded);
            cr_assert_eq(r.points[i].in_band, 0);
        }
    }
    tp_result_free(&r);
}

Test(sweep, a_latency_bound_nothing_meets_is_enofeasible)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 4 };
    double ms[] = { 1, 2 };
    struct tp_sweep_opts o = opts_for(&s);
    o.multipliers = ms;
    o.n_multipliers = 2;
    o.max_p99_ns = 1000; /* 1 us: nothing */
    struct tp_topology t = topo_of(2);
    struct tp_result r;
    cr_assert_eq(tp_sweep_run(&o, &t, &r), TP_ENOFEASIBLE);
    cr_assert_eq(r.pick, -1);
    cr_assert(r.model.valid, "the model still explains the points");
    tp_result_free(&r);
}

Test(sweep, strategy_names_round_trip)
{
    enum tp_strategy st;
    cr_assert_eq(tp_strategy_parse("adaptive", &st), 0);
    cr_assert_eq(st, TP_STRATEGY_ADAPTIVE);
    cr_assert_eq(tp_strategy_parse("grid", &st), 0);
    cr_assert_eq(st, TP_STRATEGY_GRID);
    cr_assert_eq(tp_strategy_parse("random", &st), -EINVAL);
    cr_assert_str_eq(tp_strategy_name(TP_STRATEGY_ADAPTIVE), "adaptive");
}
