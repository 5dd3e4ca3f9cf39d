/* test_race.c - the racing search (TP_STRATEGY_RACE) on a synthetic, seeded source: noise, a failing size, the run budget. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "race.h"
#include "stats.h"
#include "sweep.h"

enum shape { KNEE, CPU_BOUND, PEAK };

struct synth {
    enum shape shape;
    double wait_ns, compute_ns;
    double noise; /* relative sd of each repetition */
    uint64_t rng;
    int fail_threads; /* this size fails (0: none) */
    int fail_all;
    int cancel_after; /* set *cancel after this many visits */
    volatile sig_atomic_t *cancel;
    int visits, reps_asked, bad_request, warmups;
    int warm_seen[4096]; /* warm-ups asked per size */
};

static double ideal(const struct synth *s, int threads, int cores)
{
    double w = s->wait_ns / 1e9, c = s->compute_ns / 1e9;
    double x = fmin(threads / (w + c), cores / c);
    if (s->shape == CPU_BOUND)
        return fmin(threads, cores) / c * (threads > cores ? 1 - 0.002 * (threads - cores) : 1);
    if (s->shape == PEAK) {
        double knee = cores * (1 + w / c);
        return threads > knee ? x * knee / threads : x;
    }
    return x;
}

static double gauss(uint64_t *rng)
{
    double u1 = ((double)(tp__rng_next(rng) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (double)(tp__rng_next(rng) >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static int synth_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out)
{
    struct synth *s = ctx;
    s->visits++;
    if (s->cancel_after > 0 && s->visits > s->cancel_after) {
        *s->cancel = 1;
        return TP_ECANCELED;
    }
    if (req->repeat < 1 || req->repeat > TP_RACE_FIRST_REPS)
        s->bad_request++;
    if (req->warmup) {
        s->warmups++;
        if (req->threads < 4096)
            s->warm_seen[req->threads]++;
    }
    if (s->fail_all || req->threads == s->fail_threads) {
        out->status = TP_POINT_FAILED;
        out->error = TP_EEXIT;
        return 0;
    }
    double x = ideal(s, req->threads, req->cores);
    out->status = TP_POINT_OK;
    out->threads_started = req->threads;
    out->n_reps = req->repeat;
    out->tasks_per_rep = 1000;
    s->reps_asked += req->repeat;
    for (int r = 0; r < req->repeat; r++) {
        double v = x * (1 + s->noise * gauss(&s->rng));
        out->reps[r].throughput = v > 0 ? v : 1;
        out->reps[r].tasks = 1000;
        out->reps[r].elapsed_s = 1000 / out->reps[r].throughput;
        out->reps[r].cpu_s = 1000 * s->compute_ns / 1e9;
    }
    out->task_cpu_mean_ns = s->compute_ns;
    out->task_wall_mean_ns = s->wait_ns + s->compute_ns;
    out->wall_s = out->n_reps * 0.01;
    return 0;
}

static struct tp_result race(struct synth *s, int cores, int max_runs, int include_rules, int *rc_out)
{
    struct tp_sweep_opts o = {
        .strategy = TP_STRATEGY_RACE,
        .include_rules = include_rules,
        .warmup = 1,
        .max_runs = max_runs,
        .confidence = 0.95,
        .seed = 7,
        .source = { synth_measure, s },
        .cancel = s->cancel,
    };
    struct tp_topology topo = { .effective_cores = cores, .allowed_cores = cores };
    struct tp_result r;
    int rc = tp_sweep_run(&o, &topo, &r);
    if (rc_out != NULL)
        *rc_out = rc;
    else
        cr_assert_eq(rc, 0, "%s", tp_strerror(rc));
    return r;
}

static int spent(const struct tp_result *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += r->points[i].n_reps + (r->points[i].status == TP_POINT_FAILED);
    return n;
}

static const struct tp_point *at_threads(const struct tp_result *r, int threads)
{
    for (size_t i = 0; i < r->n_points; i++)
        if (r->points[i].threads == threads)
            return &r->points[i];
    return NULL;
}

Test(race, z_and_noise_helpers)
{
    cr_assert_float_eq(tp__race_z(0.95), 1.959964, 1e-5);
    cr_assert_float_eq(tp__race_z(0.99), 2.575829, 1e-5);
    struct tp_result r = { 0 };
    cr_assert_float_eq(tp__race_noise(&r), TP_RACE_PRIOR_NOISE, 1e-12, "nothing measured: the prior");
    struct tp_point p[2];
    memset(p, 0, sizeof p);
    for (int i = 0; i < 2; i++) {
        p[i].status = TP_POINT_OK;
        p[i].n_reps = 2;
        p[i].reps[0].throughput = 99;
        p[i].reps[1].throughput = 101;
        tp__analyze_point(&p[i], 0.95, 1);
    }
    r.points = p;
    r.n_points = 2;
    /* Each deviation is 1% of the median, x sqrt(2) for pairs, x 1.4826. */
    cr_assert_float_eq(tp__race_noise(&r), 1.4826 * 0.01 * sqrt(2.0), 1e-9);
}

Test(race, strategy_name_round_trips)
{
    enum tp_strategy s;
    cr_assert_eq(tp_strategy_parse("race", &s), 0);
    cr_assert_eq(s, TP_STRATEGY_RACE);
    cr_assert_str_eq(tp_strategy_name(TP_STRATEGY_RACE), "race");
}

Test(race, finds_the_knee_of_an_io_curve_within_the_budget)
{
    /* 4 cores, W = 2 ms, C = 0.1 ms: the knee is 4 x 21 = 84 threads. */
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 42 };
    struct tp_result r = race(&s, 4, 0, 0, NULL);
    cr_assert_eq(r.strategy, TP_STRATEGY_RACE);
    cr_assert_eq(r.max_runs, TP_RACE_DEFAULT_MAX_RUNS);
    cr_assert_leq(r.runs_spent, r.max_runs);
    cr_assert_eq(r.runs_spent, spent(&r), "runs spent = the points' repetitions");
    cr_assert_eq(r.runs_spent, s.reps_asked);
    cr_assert_eq(s.bad_request, 0, "a visit asks for 1 or TP_RACE_FIRST_REPS repetitions");
    cr_assert_geq(r.pick, 0);
    int pick = r.points[r.pick].threads;
    cr_assert(pick >= 0.9 * 84 && pick <= 1.15 * 84, "pick %d near the knee 84", pick);
    double frac = ideal(&s, pick, 4) / ideal(&s, 84, 4);
    cr_assert_geq(frac, 0.9, "the pick does %.2f of the best", frac);
    /* Racing: points far below the band stop after their first visit. */
    const struct tp_point *m1 = at_threads(&r, 4);
    cr_assert_not_null(m1, "m = 1 is measured (the model's point)");
    cr_assert_leq(m1->n_reps, TP_RACE_FIRST_REPS);
    cr_assert_eq(s.warmups, (int)r.n_points, "one warm-up per point, at its first visit: %d for %zu", s.warmups,
                 r.n_points);
    for (size_t i = 0; i < r.n_points; i++)
        cr_log_info("%d threads: %d reps, median %.0f [%.0f, %.0f]%s", r.points[i].threads, r.points[i].n_reps,
                    r.points[i].tput_median, r.points[i].tput_ci_lo, r.points[i].tput_ci_hi,
                    r.points[i].in_band ? " band" : "");
    for (size_t i = 0; i < r.n_points; i++)
        cr_assert_leq(s.warm_seen[r.points[i].threads], 1);
    tp_result_free(&r);
}

Test(race, cpu_bound_picks_one_thread_per_core)
{
    struct synth s = { .shape = CPU_BOUND, .compute_ns = 1e5, .noise = 0.01, .rng = 9 };
    struct tp_result r = race(&s, 4, 0, 0, NULL);
    cr_assert_geq(r.pick, 0);
    cr_assert_eq(r.points[r.pick].threads, 4, "pick %d", r.points[r.pick].threads);
    cr_assert_leq(r.n_points, 5, "few points: %zu", r.n_points);
    cr_assert_lt(r.runs_spent, 40, "%d runs", r.runs_spent);
    tp_result_free(&r);
}

Test(race, noisy_runs_still_reach_the_band_and_are_reproducible)
{
    for (int k = 0; k < 2; k++) {
        struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.05, .rng = 11 };
        struct tp_result r = race(&s, 4, 80, 0, NULL);
        cr_assert_geq(r.pick, 0);
        int pick = r.points[r.pick].threads;
        double frac = ideal(&s, pick, 4) / ideal(&s, 84, 4);
        cr_assert_geq(frac, 0.85, "pick %d does %.2f of the best", pick, frac);
        cr_assert_leq(r.runs_spent, 80);
        static int first_pick, first_spent;
        if (k == 0) {
            first_pick = pick;
            first_spent = r.runs_spent;
        } else {
            cr_assert_eq(pick, first_pick, "seeded: the same pick");
            cr_assert_eq(r.runs_spent, first_spent, "seeded: the same runs");
        }
        tp_result_free(&r);
    }
}

Test(race, a_peak_is_not_overshot)
{
    struct synth s = { .shape = PEAK, .wait_ns = 1e6, .compute_ns = 1e5, .noise = 0.01, .rng = 5 };
    struct tp_result r = race(&s, 2, 0, 0, NULL);
    /* knee = 2 x 11 = 22; above it throughput falls. */
    cr_assert_geq(r.pick, 0);
    int pick = r.points[r.pick].threads;
    cr_assert(pick >= 18 && pick <= 24, "pick %d at the peak 22", pick);
    tp_result_free(&r);
}

Test(race, a_failing_size_is_data_and_the_search_goes_on)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 42, .fail_threads = 8 };
    struct tp_result r = race(&s, 4, 0, 0, NULL);
    const struct tp_point *f = at_threads(&r, 8);
    cr_assert_not_null(f, "the failing size is listed");
    cr_assert_eq(f->status, TP_POINT_FAILED);
    cr_assert_eq(f->error, TP_EEXIT);
    cr_assert_eq(r.n_failed, 1);
    cr_assert_geq(r.pick, 0);
    cr_assert_gt(r.points[r.pick].threads, 8, "the search went on past it");
    cr_assert_eq(r.runs_spent, spent(&r));
    tp_result_free(&r);
}

Test(race, every_size_failing_is_tp_enopoints)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .fail_all = 1 };
    int rc;
    struct tp_result r = race(&s, 4, 0, 1, &rc);
    cr_assert_eq(rc, TP_ENOPOINTS);
    cr_assert_gt(r.n_points, 0, "the failed points are kept with their reasons");
    cr_assert_eq(r.pick, -1);
    cr_assert_leq(s.visits, 8, "a few sizes tried, not the whole range");
    tp_result_free(&r);
}

Test(race, max_runs_cuts_the_search)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 42 };
    struct tp_result r = race(&s, 4, 7, 0, NULL);
    cr_assert_leq(r.runs_spent, 7);
    cr_assert_eq(r.runs_spent, s.reps_asked, "exactly what the source was asked for");
    cr_assert_eq(r.max_runs, 7);
    cr_assert_eq(r.budget_hit, 1);
    cr_assert_geq(r.pick, 0, "still a pick from what was measured");
    tp_result_free(&r);

    struct synth s2 = { .shape = CPU_BOUND, .compute_ns = 1e5, .noise = 0.001, .rng = 1 };
    r = race(&s2, 2, 200, 0, NULL);
    cr_assert_eq(r.budget_hit, 0, "a generous budget is not hit");
    cr_assert_lt(r.runs_spent, 200);
    tp_result_free(&r);
}

Test(race, rule_sizes_are_measured_when_asked)
{
    struct synth s = { .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 42 };
    struct tp_result r = race(&s, 4, 0, 1, NULL);
    /* m = 5 -> 20, min(32, cores + 4) -> 8, m = 1 -> 4 */
    int sizes[] = { 20, 8, 4 };
    for (int k = 0; k < 3; k++) {
        const struct tp_point *p = at_threads(&r, sizes[k]);
        cr_assert_not_null(p, "rule size %d measured", sizes[k]);
        cr_assert(p->origin & TP_ORIGIN_RULE);
        cr_assert_geq(r.rules[k].point, 0, "rule row %d has its point", k);
    }
    tp_result_free(&r);
}

Test(race, cancel_keeps_what_was_measured)
{
    volatile sig_atomic_t cancel = 0;
    struct synth s = {
        .shape = KNEE, .wait_ns = 2e6, .compute_ns = 1e5, .noise = 0.01, .rng = 1, .cancel_after = 3, .cancel = &cancel
    };
    int rc;
    struct tp_result r = race(&s, 4, 0, 0, &rc);
    cr_assert_eq(rc, TP_ECANCELED);
    cr_assert_eq(r.partial, 1);
    cr_assert_geq(r.pick, 0);
    tp_result_free(&r);
}

Test(race, rule_specs_as_data)
{
    cr_assert_geq(tp_n_rule_specs, TP_N_RULES + 1);
    cr_assert_str_eq(tp_rule_specs[0].key, "tpe37");
    cr_assert_str_eq(tp_rule_specs[2].key, "cpu");
    const struct tp_rule_spec *ninja = &tp_rule_specs[3];
    cr_assert_str_eq(ninja->key, "ninja");
    cr_assert(ninja->applies & TP_RULE_FOR_BUILDS);
    cr_assert_eq(tp_rule_threads(ninja, 8), 10);
    cr_assert_eq(tp_rule_threads(&tp_rule_specs[1], 8), 12);
    cr_assert_eq(tp_rule_threads(&tp_rule_specs[1], 64), 32, "capped at 32");
    cr_assert_eq(tp_rule_threads(&tp_rule_specs[0], 3), 15);
    cr_assert_eq(tp_rule_threads(NULL, 3), 1);
}
