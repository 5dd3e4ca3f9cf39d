/* stats.c - pure statistics: order statistics, bootstrap intervals, MAD outliers, and result analysis. */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "stats.h"

/* ------------------------------------------------------------------------
 * Random numbers.
 * ---------------------------------------------------------------------- */

/* splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a Weyl sequence passed through a 64-bit mixer.
 * Any state, zero included, gives a full-period stream. */
uint64_t tp__rng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Rejection sampling: draws below the largest multiple of n that fits in
 * 2^64 are reduced modulo n; the few above it are drawn again, so every
 * residue is equally likely. (2^64 - n) % n == 2^64 % n. */
static inline uint64_t rng_below_from(uint64_t *state, uint64_t n, uint64_t reject_below)
{
    for (;;) {
        uint64_t r = tp__rng_next(state);
        if (r >= reject_below)
            return r % n;
    }
}

/* r mod n without a division, exactly (Lemire, Kaser & Kurz, "Faster
 * remainder by direct computation", 2019: with c = ceil(2^128 / n), r mod
 * n = ((c r mod 2^128) n) >> 128 for every 64-bit r and n >= 2). */
static inline uint64_t mod_by_magic(uint64_t r, uint64_t n, unsigned __int128 c)
{
    unsigned __int128 low = c * r; /* mod 2^128 */
    unsigned __int128 bottom = ((low & UINT64_MAX) * n) >> 64;
    unsigned __int128 top = (low >> 64) * n;
    return (uint64_t)((bottom + top) >> 64);
}

uint64_t tp__mod_fast(uint64_t r, uint64_t n) { return n < 2 ? 0 : mod_by_magic(r, n, ~(unsigned __int128)0 / n + 1); }

uint64_t tp__rng_below(uint64_t *state, uint64_t n)
{
    if (n <= 1)
        return 0;
    return rng_below_from(state, n, (UINT64_C(0) - n) % n);
}

uint64_t tp__point_seed(uint64_t seed, int threads)
{
    uint64_t s = seed ^ ((uint64_t)(uint32_t)threads * UINT64_C(0xD1B54A32D192ED03));
    return tp__rng_next(&s);
}

/* ------------------------------------------------------------------------
 * Order statistics.
 * ---------------------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    /* NaN sorts last so that it never lands between two numbers. */
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

void tp__sort_doubles(double *v, size_t n)
{
    if (v != NULL && n > 1)
        qsort(v, n, sizeof *v, compare_doubles);
}

/* Hyndman & Fan (1996) definition 7: h = (n - 1) p, then linear
 * interpolation between the order statistics floor(h) and floor(h) + 1.
 * This is R's and NumPy's default. */
double tp__quantile_sorted(const double *sorted, size_t n, double p)
{
    if (sorted == NULL || n == 0 || isnan(p))
        return NAN;
    if (p <= 0.0)
        return sorted[0];
    if (p >= 1.0)
        return sorted[n - 1];
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    double frac = h - (double)lo;
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/* Copies v into a sorted scratch buffer: `stack` when it is big enough, else
 * the heap (*heap is then set and must be freed). NULL when out of memory. */
static double *sorted_copy(const double *v, size_t n, double *stack, size_t stack_len, double **heap)
{
    double *buf = stack;
    *heap = NULL;
    if (n > stack_len) {
        *heap = malloc(n * sizeof *buf);
        if (*heap == NULL)
            return NULL;
        buf = *heap;
    }
    memcpy(buf, v, n * sizeof *buf);
    tp__sort_doubles(buf, n);
    return buf;
}

double tp__median(const double *v, size_t n)
{
    if (v == NULL || n == 0)
        return NAN;
    double stack[TP_MAX_REPS], *heap;
    double *s = sorted_copy(v, n, stack, TP__ARRAY_LEN(stack), &heap);
    if (s == NULL)
        return NAN;
    double m = tp__quantile_sorted(s, n, 0.5);
    free(heap);
    return m;
}

/* 1.4826 ~ 1 / Phi^-1(3/4) = 1 / 0.6745: makes the MAD a consistent
 * estimator of the standard deviation for normal data (Rousseeuw & Croux 1993). */
#define MAD_SCALE 1.4826

/* Raw median absolute deviation: median(|v_i - median(v)|). */
static double mad_raw(const double *v, size_t n, double median)
{
    double stack[TP_MAX_REPS], *heap = NULL, *dev = stack;
    if (n > TP__ARRAY_LEN(stack)) {
        heap = malloc(n * sizeof *dev);
        if (heap == NULL)
            return NAN;
        dev = heap;
    }
    for (size_t i = 0; i < n; i++)
        dev[i] = fabs(v[i] - median);
    double m = tp__median(dev, n);
    free(heap);
    return m;
}

double tp__mad(const double *v, size_t n)
{
    if (v == NULL || n < 2)
        return 0.0;
    return MAD_SCALE * mad_raw(v, n, tp__median(v, n));
}

/* Iglewicz & Hoaglin (1993), "How to Detect and Handle Outliers": the
 * modified z-score M_i = 0.6745 (x_i - median) / MAD_raw; |M_i| > 3.5 flags
 * an outlier. Since 0.6745 ~ 1 / 1.4826, M_i is (x_i - median) / MAD with the
 * scaled MAD of tp__mad(): the same rule, written once. */
int tp__mad_outliers(const double *v, size_t n, double cutoff, unsigned char *flags)
{
    if (flags != NULL)
        memset(flags, 0, n);
    if (v == NULL || flags == NULL || n < 2)
        return 0;
    double med = tp__median(v, n);
    double mad = MAD_SCALE * mad_raw(v, n, med);
    if (!(mad > 0.0) || !isfinite(mad))
        return 0; /* more than half the values are equal: no scale to judge by */
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabs(v[i] - med) / mad > cutoff) {
            flags[i] = 1;
            count++;
        }
    }
    return count;
}

/* The k-th smallest of v[0..n) (0-based), v partly reordered: Hoare's
 * quickselect with a median-of-three pivot; v holds no NaN. */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* tp__quantile_sorted(sort(v), n, p) without sorting v (v is reordered):
 * the order statistics at floor(h) and floor(h) + 1, h = (n - 1) p. */
static double quantile_select(double *v, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t k = (size_t)floor(h);
    if (k >= n - 1)
        return select_kth(v, n, n - 1);
    double a = select_kth(v, n, k);
    /* After the selection every element past k is >= v[k]: the next order statistic is their minimum. */
    double b = v[k + 1];
    for (size_t i = k + 2; i < n; i++)
        if (v[i] < b)
            b = v[i];
    return a + (h - (double)k) * (b - a);
}

/* Median of a bootstrap resample given by how many times each element of
 * the sorted sample was drawn: walks the counts to the middle rank(s). */
static double median_from_counts(const double *sorted, const uint32_t *counts, size_t n)
{
    size_t want_lo = (n - 1) / 2, want_hi = n / 2; /* 0-based ranks */
    double lo = 0.0;
    int have_lo = 0;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (counts[i] == 0)
            continue;
        size_t next = seen + counts[i]; /* this value holds ranks [seen, next) */
        if (!have_lo && want_lo < next) {
            lo = sorted[i];
            have_lo = 1;
        }
        if (want_hi < next)
            return 0.5 * (lo + sorted[i]);
        seen = next;
    }
    return lo; /* not reached: the counts sum to n */
}

/* One draw of tp__rng_below(state, n), its bound and remainder precomputed. */
static inline size_t draw(uint64_t *state, uint64_t n, uint64_t reject_below, unsigned __int128 magic)
{
    uint64_t x;
    do
        x = tp__rng_next(state);
    while (x < reject_below);
    return (size_t)mod_by_magic(x, n, magic);
}

/* Samples this small are resampled by sorting the drawn ranks (an
 * insertion sort of n indices) instead of counting them: the same draws,
 * the same median. */
#define SMALL_RESAMPLE 16

static double small_resample_median(const double *sorted, size_t n, uint64_t *state, uint64_t reject_below,
                                    unsigned __int128 magic)
{
    size_t idx[SMALL_RESAMPLE];
    for (size_t k = 0; k < n; k++) {
        size_t x = draw(state, n, reject_below, magic), j = k;
        for (; j > 0 && idx[j - 1] > x; j--)
            idx[j] = idx[j - 1];
        idx[j] = x;
    }
    return 0.5 * (sorted[idx[(n - 1) / 2]] + sorted[idx[n / 2]]);
}

/* Efron's bootstrap percentile interval (Efron & Tibshirani 1993, ch. 13):
 * draw `resamples` samples of size n with replacement, take each one's
 * median, and report the (1-conf)/2 and (1+conf)/2 type-7 quantiles of those
 * medians. The sample is sorted first and resampled by rank, so the interval
 * depends only on the values, not on their order. */
int tp__bootstrap_median_ci(const double *v, size_t n, double conf, uint64_t seed, int resamples, double *lo,
                            double *hi)
{
    if (v == NULL || lo == NULL || hi == NULL || n == 0 || resamples < 1 || !(conf > 0.0 && conf < 1.0) ||
        n > UINT32_MAX)
        return -EINVAL;
    if (n == 1) {
        *lo = *hi = v[0];
        return 0;
    }
    int rc = 0;
    double *sorted = malloc(n * sizeof *sorted);
    uint32_t *counts = malloc(n * sizeof *counts);
    double *medians = malloc((size_t)resamples * sizeof *medians);
    if (sorted == NULL || counts == NULL || medians == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    memcpy(sorted, v, n * sizeof *sorted);
    tp__sort_doubles(sorted, n);

    /* The draws of tp__rng_below, its rejection bound computed once and its
     * remainder by multiplication (mod_by_magic): the same stream, faster. */
    uint64_t state = seed, reject_below = (UINT64_C(0) - n) % n;
    unsigned __int128 magic = ~(unsigned __int128)0 / n + 1; /* n >= 2 here */
    for (int r = 0; r < resamples; r++) {
        if (n <= SMALL_RESAMPLE) {
            medians[r] = small_resample_median(sorted, n, &state, reject_below, magic);
            continue;
        }
        memset(counts, 0, n * sizeof *counts);
        for (size_t k = 0; k < n; k++)
            counts[draw(&state, n, reject_below, magic)]++;
        medians[r] = median_from_counts(sorted, counts, n);
    }
    double alpha = 1.0 - conf;
    /* The two type-7 quantiles by selection, not a full sort: the same order statistics. */
    *lo = quantile_select(medians, (size_t)resamples, alpha / 2.0);
    *hi = quantile_select(medians, (size_t)resamples, 1.0 - alpha / 2.0);
out:
    free(medians);
    free(counts);
    free(sorted);
    return rc;
}

double tp__effective_confidence(double conf) { return (conf > 0.0 && conf < 1.0) ? conf : TP_DEFAULT_CONFIDENCE; }

/* ------------------------------------------------------------------------
 * One point.
 * ---------------------------------------------------------------------- */

static void clear_point_stats(struct tp_point *p)
{
    p->tput_median = 0.0;
    p->tput_ci_lo = p->tput_ci_hi = 0.0;
    p->tput_mad = 0.0;
    p->n_outliers = 0;
    memset(p->outlier, 0, sizeof p->outlier);
    p->in_band = 0;
}

int tp_point_ok(const struct tp_point *p) { return p != NULL && p->status == TP_POINT_OK && p->n_reps >= 1; }

double tp_point_error_share(const struct tp_point *p)
{
    uint64_t all = p != NULL ? p->work_ops + p->work_errors : 0;
    return all > 0 ? (double)p->work_errors / (double)all : 0.0;
}

double tp_result_max_errors(const struct tp_result *r)
{
    if (r == NULL || r->max_errors == 0)
        return TP_DEFAULT_MAX_ERRORS;
    return r->max_errors < 0 ? 0.0 : r->max_errors;
}

/* A point the objective may choose: measured, its p99 within the bound and
 * its failures within max_errors. */
static int point_eligible(const struct tp_point *p) { return !p->excluded && !p->error_excluded; }

/* A point that can take part in the analysis: measured, with at least one
 * finite throughput. */
static int point_usable(const struct tp_point *p)
{
    if (!tp_point_ok(p))
        return 0;
    int n = p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps;
    for (int i = 0; i < n; i++)
        if (isfinite(p->reps[i].throughput))
            return 1;
    return 0;
}

void tp__analyze_point(struct tp_point *p, double conf, uint64_t seed)
{
    if (p == NULL)
        return;
    clear_point_stats(p);
    if (!point_usable(p))
        return;

    /* Non-finite repetitions (e.g. a zero elapsed time) cannot be ranked:
     * they are left out, and index[] maps back to the repetition. */
    int n_reps = p->n_reps > TP_MAX_REPS ? TP_MAX_REPS : p->n_reps;
    double v[TP_MAX_REPS] = { 0 };
    int index[TP_MAX_REPS];
    size_t n = 0;
    for (int i = 0; i < n_reps; i++) {
        if (isfinite(p->reps[i].throughput)) {
            v[n] = p->reps[i].throughput;
            index[n++] = i;
        }
    }

    p->tput_median = tp__median(v, n);
    p->tput_mad = tp__mad(v, n);

    unsigned char flags[TP_MAX_REPS];
    tp__mad_outliers(v, n, TP__MAD_CUTOFF, flags);
    /* A practical floor on top of the MAD rule: with a handful of very
     * consistent repetitions the MAD is tiny and the rule would flag a
     * deviation of 0.3%; a deviation under TP__OUTLIER_FLOOR of the median is
     * never called an outlier (it cannot move a recommendation). */
    p->n_outliers = 0;
    for (size_t k = 0; k < n; k++) {
        if (flags[k] && fabs(v[k] - p->tput_median) < TP__OUTLIER_FLOOR * p->tput_median)
            flags[k] = 0;
        p->outlier[index[k]] = flags[k];
        p->n_outliers += flags[k];
    }

    double lo, hi;
    if (tp__bootstrap_median_ci(v, n, tp__effective_confidence(conf), seed, TP__BOOTSTRAP_RESAMPLES, &lo, &hi) == 0) {
        p->tput_ci_lo = lo;
        p->tput_ci_hi = hi;
    } else {
        /* Out of memory: fall back to the full range of the repetitions,
         * wider than any percentile interval (conservative). */
        double s[TP_MAX_REPS];
        memcpy(s, v, n * sizeof *s);
        tp__sort_doubles(s, n);
        p->tput_ci_lo = s[0];
        p->tput_ci_hi = s[n - 1];
    }
}

/* ------------------------------------------------------------------------
 * The whole result.
 * ---------------------------------------------------------------------- */

/* Stable insertion sort by thread count (then multiplier): a plan holds tens
 * of points, and a stable order keeps equal points where the sweep put them. */
static int point_before(const struct tp_point *a, const struct tp_point *b)
{
    if (a->threads != b->threads)
        return a->threads < b->threads;
    return a->multiplier < b->multiplier;
}

static int sort_points(struct tp_point *pts, size_t n)
{
    if (n < 2)
        return 0;
    struct tp_point *tmp = malloc(sizeof *tmp);
    if (tmp == NULL)
        return -ENOMEM;
    for (size_t i = 1; i < n; i++) {
        if (!point_before(&pts[i], &pts[i - 1]))
            continue;
        size_t j = i;
        memcpy(tmp, &pts[i], sizeof *tmp);
        while (j > 0 && point_before(tmp, &pts[j - 1]))
            j--;
        memmove(&pts[j + 1], &pts[j], (i - j) * sizeof *pts);
        memcpy(&pts[j], tmp, sizeof *tmp);
    }
    free(tmp);
    return 0;
}

static double ratio_or_zero(double num, double den)
{
    if (!(den > 0.0) || !isfinite(num) || !isfinite(den))
        return 0.0;
    return num / den;
}

double tp__point_cpu_ns_per_task(const struct tp_point *p)
{
    double cpu = 0, tasks = 0;
    for (int i = 0; i < p->n_reps && i < TP_MAX_REPS; i++) {
        cpu += p->reps[i].cpu_s;
        tasks += (double)p->reps[i].tasks;
    }
    return tasks > 0 ? cpu * 1e9 / tasks : NAN;
}

static void fill_rules(struct tp_result *r)
{
    int cores = r->cores;
    memset(r->rules, 0, sizeof r->rules);
    r->n_rules = 0;
    for (size_t s = 0; s < tp_n_rule_specs && r->n_rules < TP_MAX_RULES; s++) {
        const struct tp_rule_spec *spec = &tp_rule_specs[s];
        if (!tp_rule_applies(spec, r->rule_kinds))
            continue;
        struct tp_rule_row *row = &r->rules[r->n_rules++];
        int threads = tp_rule_threads_for(spec, cores, &r->workload);
        row->key = spec->key;
        row->name = spec->name;
        row->threads = threads;
        row->multiplier = cores > 0 ? (double)threads / cores : 0.0;
        row->point = -1;
        for (size_t i = 0; i < r->n_points; i++) {
            if (r->points[i].threads == threads && point_usable(&r->points[i])) {
                row->point = (int)i;
                break;
            }
        }
        if (row->point < 0 || r->pick < 0)
            continue;
        const struct tp_point *p = &r->points[row->point], *pick = &r->points[r->pick];
        /* The range divides the interval ends crosswise (its low end by the
         * pick's high end and vice versa): it holds every ratio the two
         * intervals allow, so it is conservative. */
        row->fraction = ratio_or_zero(p->tput_median, pick->tput_median);
        row->fraction_lo = ratio_or_zero(p->tput_ci_lo, pick->tput_ci_hi);
        row->fraction_hi = ratio_or_zero(p->tput_ci_hi, pick->tput_ci_lo);
    }
}

/* Java Concurrency in Practice (Goetz et al. 2006, 8.2):
 * threads* = cores x U x (1 + W/C), with W the wait and C the compute time of
 * a task; Little's law (L = lambda W) gives the throughput ceiling of T
 * threads as min(T / (W + C), cores / C). W and C come from the least
 * contended point that still uses every core: the largest thread count
 * <= cores (else the smallest measured), where waits are not yet inflated
 * by queueing for a core. */
static void fill_model(struct tp_result *r)
{
    struct tp_model *m = &r->model;
    memset(m, 0, sizeof *m);
    m->from_point = -1;

    int from = -1;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (!point_usable(p))
            continue;
        if (p->threads <= r->cores && (from < 0 || p->threads > r->points[from].threads))
            from = (int)i;
    }
    if (from < 0) {
        for (size_t i = 0; i < r->n_points; i++) {
            if (point_usable(&r->points[i]) && (from < 0 || r->points[i].threads < r->points[from].threads))
                from = (int)i;
        }
    }
    if (from < 0)
        return;

    const struct tp_point *p = &r->points[from];
    double c = p->task_cpu_mean_ns, w = p->task_wall_mean_ns - p->task_cpu_mean_ns;
    if (!(c > 0.0) || !isfinite(c) || !isfinite(w))
        return; /* no compute time: the formula divides by C */
    if (w < 0.0)
        w = 0.0; /* timer granularity can put CPU time above wall time */

    m->valid = 1;
    m->from_point = from;
    m->wait_ns = w;
    m->compute_ns = c;
    m->utilization = 1.0;
    m->threads = r->cores * m->utilization * (1.0 + w / c);
    m->multiplier = m->threads / r->cores;
    double by_threads = m->threads / ((w + c) * 1e-9);
    double by_cores = r->cores / (c * 1e-9);
    m->throughput = by_threads < by_cores ? by_threads : by_cores;

    /* The full CPU cost of a task where the cores are busiest (the best
     * point): everything the process spent, over the tasks it ran. Above C
     * by the kernel's share of each blocking wait, the context switches and
     * the pool's dispatch. */
    double cpu_ns = r->best >= 0 ? tp__point_cpu_ns_per_task(&r->points[r->best]) : NAN;
    if (cpu_ns > 0) {
        m->cpu_per_task_ns = cpu_ns;
        m->cpu_ceiling = r->cores / (cpu_ns * 1e-9);
    }
}

/* The noise figure: the upper quartile over measured points of the
 * interval width relative to the median (how far apart two points must be
 * to be told apart), and of the scaled MAD relative to the median (the
 * spread of one repetition). A quartile, so that one disturbed point does not
 * set it, but a quarter of them do. */
static int fill_noise(struct tp_result *r)
{
    /* On the heap: the point count comes from the caller (or a results
     * file), not from a bound the stack could hold. */
    double *w = malloc(2 * (r->n_points > 0 ? r->n_points : 1) * sizeof *w);
    if (w == NULL)
        return -ENOMEM;
    double *m = w + (r->n_points > 0 ? r->n_points : 1);
    size_t n = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (!point_usable(p) || !(p->tput_median > 0))
            continue;
        w[n] = (p->tput_ci_hi - p->tput_ci_lo) / p->tput_median;
        m[n++] = p->tput_mad / p->tput_median;
    }
    tp__sort_doubles(w, n);
    tp__sort_doubles(m, n);
    r->noise = n > 0 ? tp__quantile_sorted(w, n, 0.75) : 0.0;
    r->noise_mad = n > 0 ? tp__quantile_sorted(m, n, 0.75) : 0.0;
    r->noisy = r->noise > TP_NOISE_WARN;
    free(w);
    return 0;
}

void tp__band_select(struct tp__band_item *items, size_t n, double tolerance, struct tp__band_out *out)
{
    out->best = out->pick = -1;
    out->n_band = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].in_band = 0;
        if (items[i].usable && (out->best < 0 || items[i].median > items[out->best].median))
            out->best = (int)i; /* strict >: a tie goes to the earlier (fewer threads) */
    }
    if (out->best < 0)
        return;
    /* The floor: the highest low end of any eligible interval, the level
     * some point certainly reaches. A point whose high end is below it is
     * certainly worse than that point; every other point is in the band.
     * With a quiet best this is the best's own low end; a noisy best (a
     * wide interval) cannot drag the floor down and widen the band. */
    double floor_lo = items[out->best].ci_lo;
    for (size_t i = 0; i < n; i++)
        if (items[i].usable && items[i].ci_lo > floor_lo)
            floor_lo = items[i].ci_lo;
    /* The practical margin: repetitions within one run share the machine's
     * state, so their interval can be narrower than the difference between
     * two runs; a point within `tolerance` of the floor does the same work
     * for practical purposes. */
    double tol = tolerance > 0 && tolerance < 1 ? tolerance : 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!items[i].usable || !(items[i].ci_hi >= floor_lo * (1.0 - tol)))
            continue;
        items[i].in_band = 1;
        if (out->pick < 0)
            out->pick = (int)i; /* in order: the first is the fewest threads */
        out->n_band++;
    }
}

/* The band and pick of r (its best is set): tp__band_select over the
 * usable, eligible points (not over the p99 bound or the error share), the in-band flags and multipliers copied back. */
static int mark_band(struct tp_result *r)
{
    struct tp__band_item *items = malloc(r->n_points * sizeof *items);
    if (items == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        items[i] = (struct tp__band_item){ p->tput_median, p->tput_ci_lo, p->tput_ci_hi,
                                           point_usable(p) && point_eligible(p), 0 };
    }
    struct tp__band_out band;
    tp__band_select(items, r->n_points, r->tolerance, &band);
    r->best = band.best;
    r->pick = band.pick;
    r->n_band = band.n_band;
    for (size_t i = 0; i < r->n_points; i++) {
        struct tp_point *p = &r->points[i];
        p->in_band = items[i].in_band;
        if (!p->in_band)
            continue;
        if (r->band_lo_multiplier == 0.0 || p->multiplier < r->band_lo_multiplier)
            r->band_lo_multiplier = p->multiplier;
        if (p->multiplier > r->band_hi_multiplier)
            r->band_hi_multiplier = p->multiplier;
    }
    free(items);
    return 0;
}

/* The band: "indistinguishable from the best" means the point's 95%
 * bootstrap percentile interval of the median reaches the highest low end
 * of all the intervals (usually the best point's own): no point is certainly
 * better than it (overlapping 95% bootstrap percentile intervals of the
 * median). This is
 * conservative in what it calls different: two intervals can overlap while
 * the difference is significant (Schenker & Gentleman 2001), and overlap
 * never proves equality. The pick is the in-band point with the fewest
 * threads: the cheapest pool that performs like the best one. */
int tp_analyze(struct tp_result *r)
{
    if (r == NULL)
        return -EINVAL;
    if (r->cores <= 0)
        r->cores = r->topo.effective_cores;
    if (r->cores <= 0 || (r->n_points > 0 && r->points == NULL))
        return -EINVAL;
    int rc = sort_points(r->points, r->n_points);
    if (rc < 0)
        return rc;

    double conf = tp__effective_confidence(r->confidence);
    r->best = r->pick = -1;
    r->n_band = 0;
    r->band_lo_multiplier = r->band_hi_multiplier = 0.0;
    r->n_failed = 0;
    int any_usable = 0;

    /* The objective: with a latency bound, a point whose p99 is above it is
     * excluded from the best, the band and the pick (it stays in the
     * report); so is a point whose tasks failed more often than max_errors
     * (a fast pool of failing requests is no answer). */
    for (size_t i = 0; i < r->n_points; i++) {
        struct tp_point *p = &r->points[i];
        tp__analyze_point(p, conf, tp__point_seed(r->seed, p->threads));
        if (p->status == TP_POINT_FAILED || p->status == TP_POINT_CRASHED || p->status == TP_POINT_TIMEOUT)
            r->n_failed++;
        p->excluded = point_usable(p) && r->max_p99_ns > 0 && !(p->lat_p99_ns <= r->max_p99_ns);
        p->error_excluded = point_usable(p) && tp_point_error_share(p) > tp_result_max_errors(r);
        any_usable |= point_usable(p);
        if (point_usable(p) && point_eligible(p) && (r->best < 0 || p->tput_median > r->points[r->best].tput_median))
            r->best = (int)i; /* strict >: a tie goes to fewer threads */
    }
    if ((rc = fill_noise(r)) < 0)
        return rc;

    if (r->best >= 0 && (rc = mark_band(r)) < 0)
        return rc;

    fill_rules(r);
    if (r->best < 0) {
        if (any_usable) {
            fill_model(r); /* the model still explains the measured points */
            return TP_ENOFEASIBLE;
        }
        memset(&r->model, 0, sizeof r->model);
        r->model.from_point = -1;
        return TP_ENOPOINTS;
    }
    fill_model(r);
    return 0;
}

void tp__band_threads(const struct tp_result *r, int *lo, int *hi)
{
    *lo = *hi = 0;
    int any = 0;
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        if (!p->in_band)
            continue;
        if (!any || p->threads < *lo)
            *lo = p->threads;
        if (!any || p->threads > *hi)
            *hi = p->threads;
        any = 1;
    }
}

/* The pick agrees with the model when the model's thread count falls in the
 * band's thread range (the model cannot be told apart from the best either)
 * or within TP__MODEL_TOLERANCE of the pick's threads. */
enum tp__model_verdict tp__model_verdict(const struct tp_result *r)
{
    if (r == NULL || !r->model.valid || r->pick < 0 || (size_t)r->pick >= r->n_points)
        return TP__MODEL_UNKNOWN;
    double model = r->model.threads, pick = r->points[r->pick].threads;
    int lo, hi;
    tp__band_threads(r, &lo, &hi);
    if (hi > 0 && model >= lo && model <= hi)
        return TP__MODEL_AGREES;
    if (fabs(model - pick) <= TP__MODEL_TOLERANCE * pick)
        return TP__MODEL_AGREES;
    return pick < model ? TP__MODEL_PICK_BELOW : TP__MODEL_PICK_ABOVE;
}
