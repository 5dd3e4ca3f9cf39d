/* test_stats.c - order statistics, MAD outliers, bootstrap intervals, and tp_analyze on synthetic curves. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "tunepool/tunepool.h"

/* ---- a small seeded synthetic result generator (no clock) ---- */

/* Our own xorshift so that the test data do not depend on the code under test. */
static double noise(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0 * 2.0 - 1.0; /* [-1, 1) */
}

/* A result on `cores` cores with one OK point per multiplier; point i has
 * true throughput tput[i] and `reps` repetitions with +-rel noise. */
static struct tp_result make_result(int cores, const double *mult, const double *tput, size_t n, int reps, double rel,
                                    uint64_t seed)
{
    struct tp_result r;
    memset(&r, 0, sizeof r);
    r.cores = cores;
    r.confidence = 0.95;
    r.seed = 42;
    r.repeat = reps;
    r.points = calloc(n, sizeof *r.points);
    cr_assert_not_null(r.points);
    r.n_points = n;
    uint64_t s = seed | 1;
    for (size_t i = 0; i < n; i++) {
        struct tp_point *p = &r.points[i];
        p->multiplier = mult[i];
        p->threads = (int)lround(mult[i] * cores);
        if (p->threads < 1)
            p->threads = 1;
        p->origin = TP_ORIGIN_GRID;
        p->status = TP_POINT_OK;
        p->threads_started = p->threads;
        p->n_reps = reps;
        p->tasks_per_rep = 1000;
        for (int k = 0; k < reps; k++) {
            p->reps[k].throughput = tput[i] * (1.0 + rel * noise(&s));
            p->reps[k].tasks = 1000;
            p->reps[k].elapsed_s = 1000.0 / p->reps[k].throughput;
        }
        p->task_cpu_mean_ns = 100e3;
        p->task_wall_mean_ns = 2.1e6;
    }
    return r;
}

static void free_result(struct tp_result *r)
{
    free(r->points);
    r->points = NULL;
    r->n_points = 0;
}

static int index_of_threads(const struct tp_result *r, int threads)
{
    for (size_t i = 0; i < r->n_points; i++)
        if (r->points[i].threads == threads)
            return (int)i;
    return -1;
}

/* ---- order statistics ---- */

Test(stats, quantile_type7_known_values)
{
    const double v[] = { 1, 2, 3, 4 };
    cr_assert_float_eq(tp__quantile_sorted(v, 4, 0.25), 1.75, 1e-12);
    cr_assert_float_eq(tp__quantile_sorted(v, 4, 0.5), 2.5, 1e-12);
    cr_assert_float_eq(tp__quantile_sorted(v, 4, 0.9), 3.7, 1e-12);
    cr_assert_eq(tp__quantile_sorted(v, 4, 0.0), 1.0);
    cr_assert_eq(tp__quantile_sorted(v, 4, 1.0), 4.0);
    cr_assert_eq(tp__quantile_sorted(v, 1, 0.3), 1.0);
}

Test(stats, quantile_of_nothing_is_nan)
{
    const double v[] = { 1 };
    cr_assert(isnan(tp__quantile_sorted(v, 0, 0.5)));
    cr_assert(isnan(tp__quantile_sorted(NULL, 3, 0.5)));
    cr_assert(isnan(tp__median(v, 0)));
}

Test(stats, sort_ascending)
{
    double v[] = { 3, -1, 2.5, 0, 2.5 };
    tp__sort_doubles(v, 5);
    const double want[] = { -1, 0, 2.5, 2.5, 3 };
    for (int i = 0; i < 5; i++)
        cr_assert_eq(v[i], want[i]);
}

Test(stats, median_odd_even_and_input_untouched)
{
    double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
    cr_assert_eq(tp__median(odd, 3), 3.0);
    cr_assert_eq(tp__median(even, 4), 2.5);
    cr_assert_eq(odd[0], 5.0);
    cr_assert_eq(even[0], 4.0);
}

Test(stats, mad_known_value)
{
    /* median 2, |deviations| {1,1,0,0,2,4,7}, their median 1 -> 1.4826 */
    const double v[] = { 1, 1, 2, 2, 4, 6, 9 };
    cr_assert_float_eq(tp__mad(v, 7), 1.4826, 1e-12);
    cr_assert_eq(tp__mad(v, 1), 0.0);
    const double same[] = { 7, 7, 7 };
    cr_assert_eq(tp__mad(same, 3), 0.0);
}

Test(stats, mad_outliers_flags_the_far_value)
{
    const double v[] = { 10.0, 10.1, 9.9, 10.05, 9.95, 20.0 };
    unsigned char flags[6];
    cr_assert_eq(tp__mad_outliers(v, 6, TP__MAD_CUTOFF, flags), 1);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(flags[i], 0);
    cr_assert_eq(flags[5], 1);
}

Test(stats, mad_outliers_zero_mad_flags_nothing)
{
    const double v[] = { 5, 5, 5, 5, 9 };
    unsigned char flags[5];
    cr_assert_eq(tp__mad_outliers(v, 5, TP__MAD_CUTOFF, flags), 0);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(flags[i], 0);
}

Test(stats, mad_outliers_match_iglewicz_hoaglin)
{
    /* The flags must be those of M_i = 0.6745 (x_i - median) / MAD_raw, |M_i| > 3.5. */
    uint64_t s = 7;
    double v[40];
    for (int i = 0; i < 40; i++)
        v[i] = 100.0 + 10.0 * noise(&s) * (i % 7 == 0 ? 8.0 : 1.0);
    unsigned char flags[40];
    int n = tp__mad_outliers(v, 40, 3.5, flags);
    double med = tp__median(v, 40), dev[40];
    for (int i = 0; i < 40; i++)
        dev[i] = fabs(v[i] - med);
    double mad_raw = tp__median(dev, 40);
    int count = 0;
    for (int i = 0; i < 40; i++) {
        double m = 0.6745 * fabs(v[i] - med) / mad_raw;
        if (fabs(m - 3.5) < 1e-3)
            continue; /* 0.6745 vs 1/1.4826 differ in the 5th digit */
        cr_assert_eq(flags[i], m > 3.5, "rep %d: M = %g", i, m);
        count += m > 3.5;
    }
    cr_assert_eq(n, count);
    cr_assert_gt(n, 0);
}

/* ---- random numbers ---- */

Test(stats, rng_is_seeded_and_bounded)
{
    uint64_t a = 1, b = 1;
    for (int i = 0; i < 100; i++)
        cr_assert_eq(tp__rng_next(&a), tp__rng_next(&b));
    uint64_t s = 99;
    int seen[7] = { 0 };
    for (int i = 0; i < 7000; i++) {
        uint64_t x = tp__rng_below(&s, 7);
        cr_assert_lt(x, 7u);
        seen[x]++;
    }
    for (int i = 0; i < 7; i++)
        cr_assert_gt(seen[i], 800); /* ~1000 each */
    cr_assert_eq(tp__rng_below(&s, 1), 0u);
}

/* ---- bootstrap ---- */

Test(stats, bootstrap_same_seed_same_interval)
{
    const double v[] = { 100, 104, 98, 101, 97, 103, 99, 102, 100.5 };
    double lo1, hi1, lo2, hi2;
    cr_assert_eq(tp__bootstrap_median_ci(v, 9, 0.95, 1234, 2000, &lo1, &hi1), 0);
    cr_assert_eq(tp__bootstrap_median_ci(v, 9, 0.95, 1234, 2000, &lo2, &hi2), 0);
    cr_assert_eq(lo1, lo2);
    cr_assert_eq(hi1, hi2);
    double med = tp__median(v, 9);
    cr_assert_leq(lo1, med);
    cr_assert_geq(hi1, med);
    cr_assert_lt(lo1, hi1);
    cr_assert_geq(lo1, 97.0);
    cr_assert_leq(hi1, 104.0);
}

Test(stats, bootstrap_order_does_not_matter)
{
    const double v[] = { 100, 104, 98, 101, 97, 103, 99, 102, 100.5 };
    const double w[] = { 102, 97, 100.5, 104, 99, 100, 103, 98, 101 };
    double lo1, hi1, lo2, hi2;
    cr_assert_eq(tp__bootstrap_median_ci(v, 9, 0.95, 77, 2000, &lo1, &hi1), 0);
    cr_assert_eq(tp__bootstrap_median_ci(w, 9, 0.95, 77, 2000, &lo2, &hi2), 0);
    cr_assert_eq(lo1, lo2);
    cr_assert_eq(hi1, hi2);
}

Test(stats, bootstrap_wider_at_higher_level)
{
    const double v[] = { 100, 104, 98, 101, 97, 103, 99, 102, 100.5, 96, 105 };
    double lo80, hi80, lo99, hi99;
    cr_assert_eq(tp__bootstrap_median_ci(v, 11, 0.80, 5, 2000, &lo80, &hi80), 0);
    cr_assert_eq(tp__bootstrap_median_ci(v, 11, 0.99, 5, 2000, &lo99, &hi99), 0);
    cr_assert_leq(lo99, lo80);
    cr_assert_geq(hi99, hi80);
}

Test(stats, bootstrap_single_value)
{
    const double v[] = { 42.5 };
    double lo = 0, hi = 0;
    cr_assert_eq(tp__bootstrap_median_ci(v, 1, 0.95, 1, 10, &lo, &hi), 0);
    cr_assert_eq(lo, 42.5);
    cr_assert_eq(hi, 42.5);
}

Test(stats, bootstrap_invalid_arguments)
{
    const double v[] = { 1, 2, 3 };
    double lo, hi;
    cr_assert_eq(tp__bootstrap_median_ci(v, 0, 0.95, 1, 100, &lo, &hi), -EINVAL);
    cr_assert_eq(tp__bootstrap_median_ci(v, 3, 0.0, 1, 100, &lo, &hi), -EINVAL);
    cr_assert_eq(tp__bootstrap_median_ci(v, 3, 1.0, 1, 100, &lo, &hi), -EINVAL);
    cr_assert_eq(tp__bootstrap_median_ci(v, 3, NAN, 1, 100, &lo, &hi), -EINVAL);
    cr_assert_eq(tp__bootstrap_median_ci(v, 3, 0.95, 1, 0, &lo, &hi), -EINVAL);
    cr_assert_eq(tp__bootstrap_median_ci(NULL, 3, 0.95, 1, 100, &lo, &hi), -EINVAL);
    cr_assert_eq(tp__bootstrap_median_ci(v, 3, 0.95, 1, 100, NULL, &hi), -EINVAL);
}

/* ---- one point ---- */

Test(stats, analyze_point_single_rep)
{
    struct tp_point p;
    memset(&p, 0, sizeof p);
    p.status = TP_POINT_OK;
    p.n_reps = 1;
    p.reps[0].throughput = 123.0;
    tp__analyze_point(&p, 0.95, 1);
    cr_assert_eq(p.tput_median, 123.0);
    cr_assert_eq(p.tput_ci_lo, 123.0);
    cr_assert_eq(p.tput_ci_hi, 123.0);
    cr_assert_eq(p.tput_mad, 0.0);
    cr_assert_eq(p.n_outliers, 0);
}

Test(stats, analyze_point_flags_outlier_rep)
{
    struct tp_point p;
    memset(&p, 0, sizeof p);
    p.status = TP_POINT_OK;
    const double v[] = { 10.0, 10.1, 9.9, 10.05, 9.95, 2.0 };
    p.n_reps = 6;
    for (int i = 0; i < 6; i++)
        p.reps[i].throughput = v[i];
    tp__analyze_point(&p, 0.95, 1);
    cr_assert_eq(p.n_outliers, 1);
    cr_assert_eq(p.outlier[5], 1);
    cr_assert_eq(p.outlier[0], 0);
    cr_assert_float_eq(p.tput_median, 9.975, 1e-12);
    cr_assert_gt(p.tput_mad, 0.0);
}

Test(stats, analyze_point_failed_is_zeroed)
{
    struct tp_point p;
    memset(&p, 0, sizeof p);
    p.status = TP_POINT_FAILED;
    p.n_reps = 2;
    p.reps[0].throughput = p.reps[1].throughput = 50.0;
    p.tput_median = 99.0;
    p.n_outliers = 3;
    p.outlier[0] = 1;
    tp__analyze_point(&p, 0.95, 1);
    cr_assert_eq(p.tput_median, 0.0);
    cr_assert_eq(p.tput_ci_hi, 0.0);
    cr_assert_eq(p.n_outliers, 0);
    cr_assert_eq(p.outlier[0], 0);
}

Test(stats, analyze_point_ok_without_reps_is_zeroed)
{
    struct tp_point p;
    memset(&p, 0, sizeof p);
    p.status = TP_POINT_OK;
    p.n_reps = 0;
    p.tput_median = 5.0;
    tp__analyze_point(&p, 0.95, 1);
    cr_assert_eq(p.tput_median, 0.0);
}

/* ---- the whole result ---- */

Test(stats, analyze_knee_picks_first_flat_point_not_best)
{
    const double m[] = { 0.5, 1, 2, 4, 8, 16 };
    const double t[] = { 100, 200, 400, 800, 800, 800 };
    struct tp_result r = make_result(4, m, t, 6, 9, 0.01, 11);
    cr_assert_eq(tp_analyze(&r), 0);
    int knee = index_of_threads(&r, 16);
    cr_assert_eq(r.pick, knee, "pick %d, knee %d", r.pick, knee);
    cr_assert(r.points[knee].in_band);
    cr_assert(r.points[index_of_threads(&r, 32)].in_band);
    cr_assert(r.points[index_of_threads(&r, 64)].in_band);
    cr_assert(!r.points[index_of_threads(&r, 8)].in_band);
    cr_assert_eq(r.n_band, 3);
    cr_assert_eq(r.band_lo_multiplier, 4.0);
    cr_assert_eq(r.band_hi_multiplier, 16.0);
    cr_assert_geq(r.best, knee);
    /* the best has the highest median */
    for (size_t i = 0; i < r.n_points; i++)
        cr_assert_leq(r.points[i].tput_median, r.points[r.best].tput_median);
    free_result(&r);
}

Test(stats, analyze_knee_pick_differs_from_best)
{
    /* A plateau that creeps up by 0.2 % per step: the best is the largest pool,
     * the pick the first plateau point. */
    const double m[] = { 1, 2, 4, 8, 16 };
    const double t[] = { 250, 500, 1000, 1002, 1004 };
    struct tp_result r = make_result(2, m, t, 5, 9, 0.005, 3);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.points[r.pick].threads, 8);
    cr_assert_neq(r.pick, r.best);
    free_result(&r);
}

Test(stats, analyze_flat_curve_picks_smallest)
{
    const double m[] = { 0.5, 1, 2, 4, 8 };
    const double t[] = { 500, 500, 500, 500, 500 };
    struct tp_result r = make_result(4, m, t, 5, 7, 0.01, 5);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.pick, 0);
    cr_assert_eq(r.points[0].threads, 2);
    cr_assert_eq(r.n_band, 5);
    free_result(&r);
}

/* --max-errors: a point whose failure share passes the bound (1% by
 * default) is out of the best, the band and the pick, and says so. */
Test(stats, analyze_error_share_over_the_bound_is_not_eligible)
{
    const double m[] = { 0.5, 1, 2, 4, 8 };
    const double t[] = { 500, 500, 500, 500, 500 };
    struct tp_result r = make_result(4, m, t, 5, 7, 0.01, 5);
    r.points[0].work_ops = 980, r.points[0].work_errors = 20; /* 2%: over the default 1% */
    r.points[1].work_ops = 995, r.points[1].work_errors = 5;  /* 0.5%: within it */
    cr_assert_float_eq(tp_point_error_share(&r.points[0]), 0.02, 1e-12);
    cr_assert_eq(tp_point_error_share(&r.points[2]), 0.0, "nothing counted: no failures");
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert(r.points[0].error_excluded);
    cr_assert_not(r.points[0].in_band);
    cr_assert_not(r.points[1].error_excluded);
    cr_assert_eq(r.pick, 1, "the smallest eligible point");
    r.max_errors = 0.05; /* a looser bound: the 2% point is eligible again */
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.pick, 0);
    r.max_errors = TP_MAX_ERRORS_NONE; /* not one failure */
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.pick, 2);
    cr_assert_float_eq(tp_result_max_errors(&r), 0.0, 1e-12);
    free_result(&r);
}

Test(stats, analyze_every_point_failing_is_enofeasible)
{
    const double m[] = { 1, 2, 4 };
    const double t[] = { 500, 800, 900 };
    struct tp_result r = make_result(4, m, t, 3, 5, 0.01, 7);
    for (size_t i = 0; i < r.n_points; i++)
        r.points[i].work_errors = 1000; /* every task failed (an HTTP 500 endpoint) */
    cr_assert_eq(tp_analyze(&r), TP_ENOFEASIBLE);
    cr_assert_eq(r.pick, -1);
    for (size_t i = 0; i < r.n_points; i++)
        cr_assert(r.points[i].error_excluded);
    free_result(&r);
}

Test(stats, analyze_peak_then_collapse)
{
    const double m[] = { 1, 2, 4, 8, 16 };
    const double t[] = { 100, 400, 900, 500, 200 };
    struct tp_result r = make_result(2, m, t, 5, 7, 0.01, 9);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.points[r.best].threads, 8);
    cr_assert_eq(r.pick, r.best);
    cr_assert_eq(r.n_band, 1);
    cr_assert_eq(r.band_lo_multiplier, 4.0);
    cr_assert_eq(r.band_hi_multiplier, 4.0);
    free_result(&r);
}

Test(stats, analyze_ignores_failed_points)
{
    const double m[] = { 1, 2, 4, 8, 16 };
    const double t[] = { 100, 200, 300, 5000, 5000 };
    struct tp_result r = make_result(2, m, t, 5, 5, 0.01, 13);
    r.points[3].status = TP_POINT_FAILED;
    r.points[3].error = -EAGAIN;
    r.points[4].status = TP_POINT_CRASHED;
    r.points[4].signal = 11;
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.points[r.best].threads, 8);
    cr_assert_eq(r.n_failed, 2);
    cr_assert(!r.points[3].in_band);
    cr_assert_eq(r.points[3].tput_median, 0.0);
    free_result(&r);
}

Test(stats, analyze_counts_timeouts_but_not_skipped_as_failed)
{
    const double m[] = { 1, 2, 4 };
    const double t[] = { 100, 200, 300 };
    struct tp_result r = make_result(2, m, t, 3, 5, 0.01, 13);
    r.points[1].status = TP_POINT_TIMEOUT;
    r.points[2].status = TP_POINT_SKIPPED;
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.n_failed, 1);
    cr_assert_eq(r.best, 0);
    free_result(&r);
}

Test(stats, analyze_all_failed_is_enopoints)
{
    const double m[] = { 1, 2, 5 };
    const double t[] = { 100, 200, 300 };
    struct tp_result r = make_result(2, m, t, 3, 5, 0.01, 1);
    for (size_t i = 0; i < r.n_points; i++)
        r.points[i].status = TP_POINT_FAILED;
    r.best = r.pick = 7;
    cr_assert_eq(tp_analyze(&r), TP_ENOPOINTS);
    cr_assert_eq(r.best, -1);
    cr_assert_eq(r.pick, -1);
    cr_assert_eq(r.n_band, 0);
    cr_assert_eq(r.model.valid, 0);
    cr_assert_eq(r.n_failed, 3);
    for (int k = 0; k < TP_N_RULES; k++) {
        cr_assert_eq(r.rules[k].point, -1);
        cr_assert_eq(r.rules[k].fraction, 0.0);
        cr_assert_eq(r.rules[k].fraction_lo, 0.0);
        cr_assert_eq(r.rules[k].fraction_hi, 0.0);
    }
    free_result(&r);
}

Test(stats, analyze_no_points_is_enopoints)
{
    struct tp_result r;
    memset(&r, 0, sizeof r);
    r.cores = 2;
    cr_assert_eq(tp_analyze(&r), TP_ENOPOINTS);
    cr_assert_eq(r.pick, -1);
}

Test(stats, analyze_invalid_arguments)
{
    cr_assert_eq(tp_analyze(NULL), -EINVAL);
    struct tp_result r;
    memset(&r, 0, sizeof r);
    cr_assert_eq(tp_analyze(&r), -EINVAL); /* no cores */
    r.topo.effective_cores = 3;
    cr_assert_eq(tp_analyze(&r), TP_ENOPOINTS);
    cr_assert_eq(r.cores, 3);
}

Test(stats, analyze_sorts_points_by_threads)
{
    const double m[] = { 4, 1, 8, 0.5, 2 };
    const double t[] = { 400, 100, 400, 50, 200 };
    struct tp_result r = make_result(2, m, t, 5, 5, 0.01, 17);
    cr_assert_eq(tp_analyze(&r), 0);
    for (size_t i = 1; i < r.n_points; i++)
        cr_assert_lt(r.points[i - 1].threads, r.points[i].threads);
    cr_assert_eq(r.points[r.pick].threads, 8);
    free_result(&r);
}

Test(stats, analyze_interval_independent_of_order)
{
    const double m[] = { 1, 2, 4 };
    const double t[] = { 100, 200, 300 };
    struct tp_result a = make_result(2, m, t, 3, 9, 0.05, 21);
    struct tp_result b = make_result(2, m, t, 3, 9, 0.05, 21);
    /* b: the points in another order, and the reps of one point shuffled */
    struct tp_point tmp = b.points[0];
    b.points[0] = b.points[2];
    b.points[2] = tmp;
    struct tp_rep rep = b.points[1].reps[0];
    b.points[1].reps[0] = b.points[1].reps[8];
    b.points[1].reps[8] = rep;
    cr_assert_eq(tp_analyze(&a), 0);
    cr_assert_eq(tp_analyze(&b), 0);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(a.points[i].threads, b.points[i].threads);
        cr_assert_eq(a.points[i].tput_ci_lo, b.points[i].tput_ci_lo);
        cr_assert_eq(a.points[i].tput_ci_hi, b.points[i].tput_ci_hi);
    }
    free_result(&a);
    free_result(&b);
}

Test(stats, rule_rows_found_and_not_found)
{
    /* cores 2: tpe37 = 10 threads (m 5), tpe38 = min(32, 6) = 6 (m 3), cpu = 2 (m 1) */
    const double m[] = { 1, 2, 5 };
    const double t[] = { 100, 200, 400 };
    struct tp_result r = make_result(2, m, t, 3, 5, 0.0, 1); /* no noise: intervals collapse */
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_str_eq(r.rules[0].key, "tpe37");
    cr_assert_str_eq(r.rules[0].name, "m = 5 (ThreadPoolExecutor <= 3.7)");
    cr_assert_eq(r.rules[0].threads, 10);
    cr_assert_eq(r.rules[0].multiplier, 5.0);
    cr_assert_eq(r.rules[0].point, index_of_threads(&r, 10));
    cr_assert_str_eq(r.rules[1].key, "tpe38");
    cr_assert_str_eq(r.rules[1].name, "min(32, cores + 4) (ThreadPoolExecutor >= 3.8)");
    cr_assert_eq(r.rules[1].threads, 6);
    cr_assert_eq(r.rules[1].multiplier, 3.0);
    cr_assert_eq(r.rules[1].point, -1);
    cr_assert_eq(r.rules[1].fraction, 0.0);
    cr_assert_str_eq(r.rules[2].key, "cpu");
    cr_assert_str_eq(r.rules[2].name, "m = 1 (CPU rule: one thread per core)");
    cr_assert_eq(r.rules[2].threads, 2);
    cr_assert_eq(r.rules[2].multiplier, 1.0);
    cr_assert_eq(r.rules[2].point, index_of_threads(&r, 2));
    free_result(&r);
}

Test(stats, rule_fractions_against_the_pick)
{
    const double m[] = { 1, 2, 5 };
    const double t[] = { 100, 200, 400 };
    struct tp_result r = make_result(2, m, t, 3, 5, 0.05, 8);
    cr_assert_eq(tp_analyze(&r), 0);
    const struct tp_point *pick = &r.points[r.pick], *cpu = &r.points[r.rules[2].point];
    cr_assert_eq(pick->threads, 10);
    cr_assert_float_eq(r.rules[2].fraction, cpu->tput_median / pick->tput_median, 1e-12);
    cr_assert_float_eq(r.rules[2].fraction_lo, cpu->tput_ci_lo / pick->tput_ci_hi, 1e-12);
    cr_assert_float_eq(r.rules[2].fraction_hi, cpu->tput_ci_hi / pick->tput_ci_lo, 1e-12);
    cr_assert(r.rules[2].fraction > 0.2 && r.rules[2].fraction < 0.3);
    cr_assert_leq(r.rules[2].fraction_lo, r.rules[2].fraction);
    cr_assert_geq(r.rules[2].fraction_hi, r.rules[2].fraction);
    cr_assert_float_eq(r.rules[0].fraction, 1.0, 1e-12); /* the pick itself */
    free_result(&r);
}

Test(stats, rule_tpe38_caps_at_32)
{
    const double m[] = { 1 };
    const double t[] = { 100 };
    struct tp_result r = make_result(40, m, t, 1, 3, 0.0, 1);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.rules[1].threads, 32);
    cr_assert_float_eq(r.rules[1].multiplier, 0.8, 1e-12);
    cr_assert_eq(r.rules[0].threads, 200);
    cr_assert_eq(r.rules[2].threads, 40);
    cr_assert_eq(r.rules[2].point, 0);
    free_result(&r);
}

Test(stats, model_numbers_from_the_core_point)
{
    /* W = 2.1 ms - 0.1 ms = 2 ms, C = 0.1 ms; threads* = 2 x (1 + 20) = 42;
     * ceiling min(42 / 2.1 ms, 2 / 0.1 ms) = 20 000 tasks/s. */
    const double m[] = { 0.5, 1, 2, 4 };
    const double t[] = { 100, 200, 400, 800 };
    struct tp_result r = make_result(2, m, t, 4, 3, 0.01, 2);
    r.points[1].task_wall_mean_ns = 2.1e6; /* the 2-thread point feeds the model */
    r.points[1].task_cpu_mean_ns = 1e5;
    r.points[0].task_cpu_mean_ns = 5e5; /* the others must not */
    r.points[2].task_cpu_mean_ns = 5e5;
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.model.valid, 1);
    cr_assert_eq(r.points[r.model.from_point].threads, 2);
    cr_assert_float_eq(r.model.wait_ns, 2.0e6, 1e-6);
    cr_assert_float_eq(r.model.compute_ns, 1e5, 1e-6);
    cr_assert_eq(r.model.utilization, 1.0);
    cr_assert_float_eq(r.model.threads, 42.0, 1e-9);
    cr_assert_float_eq(r.model.multiplier, 21.0, 1e-9);
    cr_assert_float_eq(r.model.throughput, 20000.0, 1e-6);
    free_result(&r);
}

Test(stats, model_falls_back_to_fewest_threads)
{
    const double m[] = { 8, 4 };
    const double t[] = { 100, 100 };
    struct tp_result r = make_result(2, m, t, 2, 3, 0.01, 2);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.model.valid, 1);
    cr_assert_eq(r.points[r.model.from_point].threads, 8);
    free_result(&r);
}

Test(stats, model_clamps_negative_wait)
{
    const double m[] = { 1 };
    const double t[] = { 100 };
    struct tp_result r = make_result(4, m, t, 1, 3, 0.01, 2);
    r.points[0].task_wall_mean_ns = 0.9e6;
    r.points[0].task_cpu_mean_ns = 1e6;
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.model.wait_ns, 0.0);
    cr_assert_float_eq(r.model.threads, 4.0, 1e-12);
    /* CPU-bound: the ceiling is cores / C = 4 / 1 ms */
    cr_assert_float_eq(r.model.throughput, 4000.0, 1e-9);
    free_result(&r);
}

Test(stats, model_invalid_without_compute_time)
{
    const double m[] = { 1, 2 };
    const double t[] = { 100, 200 };
    struct tp_result r = make_result(2, m, t, 2, 3, 0.01, 2);
    r.points[0].task_cpu_mean_ns = 0.0;
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.model.valid, 0);
    cr_assert_eq(tp__model_verdict(&r), TP__MODEL_UNKNOWN);
    free_result(&r);
}

Test(stats, model_verdicts)
{
    /* model threads* = 42 on 2 cores (W 2 ms, C 0.1 ms) */
    const double m[] = { 1, 8, 21, 48 };
    double t[] = { 100, 5000, 5000, 5000 };
    struct tp_result r = make_result(2, m, t, 4, 7, 0.0, 2);
    cr_assert_eq(tp_analyze(&r), 0);
    /* band 16 .. 96 threads holds 42 */
    cr_assert_eq(tp__model_verdict(&r), TP__MODEL_AGREES);
    free_result(&r);

    t[2] = t[3] = 1000; /* only 16 threads in the band: well below 42 */
    r = make_result(2, m, t, 4, 7, 0.0, 2);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.points[r.pick].threads, 16);
    cr_assert_eq(tp__model_verdict(&r), TP__MODEL_PICK_BELOW);
    free_result(&r);

    t[1] = t[2] = 1000, t[3] = 5000; /* only 96: well above */
    r = make_result(2, m, t, 4, 7, 0.0, 2);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(r.points[r.pick].threads, 96);
    cr_assert_eq(tp__model_verdict(&r), TP__MODEL_PICK_ABOVE);
    free_result(&r);

    const double m2[] = { 1, 18 };
    const double t2[] = { 100, 5000 }; /* pick 36 threads: within 25 % of 42 */
    r = make_result(2, m2, t2, 2, 7, 0.0, 2);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_eq(tp__model_verdict(&r), TP__MODEL_AGREES);
    free_result(&r);
}

Test(stats, point_seed_depends_on_threads)
{
    cr_assert_eq(tp__point_seed(1, 8), tp__point_seed(1, 8));
    cr_assert_neq(tp__point_seed(1, 8), tp__point_seed(1, 9));
    cr_assert_neq(tp__point_seed(1, 8), tp__point_seed(2, 8));
}

/* The noise figure's scratch is on the heap: a result of many points (as a
 * results file may hold) is analysed like a small one. */
Test(stats, analyze_many_points_noise_figure)
{
    size_t n = 8192;
    double *mult = malloc(n * sizeof *mult), *tput = malloc(n * sizeof *tput);
    cr_assert(mult != NULL && tput != NULL);
    for (size_t i = 0; i < n; i++) {
        mult[i] = (double)(i + 1);
        tput[i] = 1000.0;
    }
    struct tp_result r = make_result(1, mult, tput, n, 1, 0.0, 3);
    cr_assert_eq(tp_analyze(&r), 0);
    cr_assert_float_eq(r.noise, 0.0, 1e-12); /* one repetition each: zero-width intervals */
    cr_assert_eq(r.pick, 0);
    cr_assert_eq(r.noisy, 0);
    free_result(&r);
    free(mult);
    free(tput);
}

Test(stats, mod_fast_is_the_remainder)
{
    uint64_t s = 12345;
    static const uint64_t ns[] = { 2, 3, 5, 7, 10, 64, 1000, 2999, 65536, 1000003, UINT64_C(1) << 40, UINT64_MAX };
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        for (int i = 0; i < 20000; i++) {
            uint64_t r = tp__rng_next(&s);
            cr_assert_eq(tp__mod_fast(r, ns[k]), r % ns[k], "%llu mod %llu", (unsigned long long)r,
                         (unsigned long long)ns[k]);
        }
        cr_assert_eq(tp__mod_fast(UINT64_MAX, ns[k]), UINT64_MAX % ns[k]);
        cr_assert_eq(tp__mod_fast(0, ns[k]), 0);
    }
    cr_assert_eq(tp__mod_fast(77, 1), 0);
}
