/* online_run.c - tune-pool --online: a phase-changing io workload through a self-tuning pool, against fixed pools. */

/*
 * The run, in order:
 *  1. Offline: for each phase (a wait from --phases), the ordinary sweep of
 *     the io workload with that wait: its pick and its best are the offline
 *     optimum the online pool is judged against (--no-offline skips it).
 *  2. Tuned: a pool with online tuning on (tp_pool_opts.online) starts at
 *     --start-threads and runs a closed loop: K tasks circulate (each
 *     resubmits itself when done), K = --max-threads, so the queue never
 *     runs dry whatever size the controller picks. The wait of the tasks
 *     changes at each phase boundary. The main thread samples the completed
 *     tasks and the pool's size every TICK; the controller's steps are
 *     recorded as they come.
 *  3. With --online-baselines, the same phases through fixed pools: the
 *     oracle (each phase's offline pick, switched at the boundary) and
 *     5 x cores (ThreadPoolExecutor's default up to Python 3.7).
 * Per phase and run: throughput (completed tasks / phase time) as a fraction
 * of the offline best, the time until the size settles (stays within
 * SETTLE_BAND of the size it ends the phase at), the time until the
 * throughput over the last REACH_TICKS ticks reaches 0.9 of the offline
 * best, and after settling: size changes per second and the size's
 * coefficient of variation.
 */
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "vec.h"
#include "format.h"
#include "json_build.h"
#include "msg.h"
#include "integrate.h"
#include "online_run.h"

#define TICK_MS 100
#define SETTLE_BAND 1.25 /* settled: within [final / 1.25, final x 1.25] until the phase ends */
#define REACH_TICKS 3    /* reach 90 %: the mean over the last 3 ticks */
#define REACH_FRACTION 0.9
#define MAX_PHASES TP_CLI_MAX_PHASES

enum run_kind { RUN_TUNED = 0, RUN_ORACLE, RUN_FIXED, N_RUNS };
static const char *const run_names[N_RUNS] = { "tuned", "oracle", "fixed" };

struct sample {
    double t_s; /* since the run started, at the end of the tick */
    int phase;
    int threads; /* the pool's size at the end of the tick */
    double tput; /* tasks/s completed during the tick */
};

struct step_rec {
    double wall_s; /* since the run started */
    struct tp_ctl_step s;
};

struct run {
    int ran;
    int start_threads;
    struct sample *samples;
    size_t n_samples, cap_samples;
    struct step_rec *steps; /* tuned only; guarded by mu (appended on the controller thread) */
    size_t n_steps, cap_steps;
    pthread_mutex_t mu;
    uint64_t t0_ns;
    double phase_start[MAX_PHASES], phase_len[MAX_PHASES];
    uint64_t phase_tasks[MAX_PHASES];
    int n_phases_done;
    int error; /* a negative code: the pool could not be created or a submit failed */
};

struct metrics {
    double tput, fraction;    /* fraction: of the offline best (NAN without it) */
    double settle_s, reach_s; /* reach_s < 0: never */
    double steady_fraction;   /* the throughput after settling, of the offline best */
    int final, lo, hi;        /* size at the end; range after settling */
    double changes_per_s, cv;
};

struct offline {
    int valid;
    int pick_threads, best_threads;
    double pick_tput, best_tput, best_lo, best_hi;
    int partial;
};

struct online {
    const struct tp_cli_opts *o;
    const struct tp_topology *topo;
    const struct tp_host *host; /* the document's "host"; NULL = none */
    volatile sig_atomic_t *interrupted;
    int n_phases;
    struct offline off[MAX_PHASES];
    struct run runs[N_RUNS];
    struct metrics m[N_RUNS][MAX_PHASES];
    int fixed_threads;
    int partial;
};

/* ---------------------------------------------------------------- checks */

int tp_cli_online_check(const struct tp_cli_opts *o)
{
    if (!o->online) {
        const char *opt = o->phases_given        ? "--phases"
                          : o->phase_time_given  ? "--phase-time"
                          : o->start_threads > 0 ? "--start-threads"
                          : o->online_baselines  ? "--online-baselines"
                          : o->no_offline        ? "--no-offline"
                                                 : NULL;
        if (opt != NULL) {
            tp_cli_usage_error("%s belongs to --online: add --online", opt);
            return -1;
        }
        return 0;
    }
    if (o->workload.kind != TP_WORKLOAD_IO) {
        tp_cli_usage_error("--online runs the io workload's phases: use --workload=io (not %s)",
                           tp_workload_name(o->workload.kind));
        return -1;
    }
    if (o->executor_mode != TP_CLI_EXEC_POOL) {
        tp_cli_usage_error("--online tunes the pool: it cannot be combined with --executor");
        return -1;
    }
    if (o->emit) {
        tp_cli_usage_error("--online has no single recommendation to --emit: its sizes change per phase");
        return -1;
    }
    if (o->latency_given) {
        tp_cli_usage_error("--latency: with --online the waits come from --phases (e.g. --phases=2ms,10ms)");
        return -1;
    }
    if (o->start_threads > o->max_threads) {
        tp_cli_usage_error("--start-threads=%d is more than --max-threads=%d", o->start_threads, o->max_threads);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ load */

/* The closed loop's shared state. The atomics are relaxed on the workers:
 * each is a value on its own, ordering nothing else. */
struct load {
    _Atomic uint64_t latency_ns; /* this phase's wait; set by the main thread */
    uint64_t compute_ns;         /* set before the pool starts, then read only */
    _Atomic int stop;            /* 1: tasks end without resubmitting */
    _Atomic uint64_t done;       /* tasks finished */
    _Atomic int task_error;      /* a task's or a resubmit's negative code; 0 = none */
    struct tp_pool *pool;        /* set before the first submit, then read only */
};

/* One task of the closed loop: the wait, the compute, then the next task. */
static void load_task(void *arg)
{
    struct load *l = arg;
    if (atomic_load_explicit(&l->stop, memory_order_relaxed))
        return; /* draining: queued tasks end at once */
    int rc = tp_workload_io_task(atomic_load_explicit(&l->latency_ns, memory_order_relaxed), l->compute_ns);
    if (rc < 0) {
        atomic_store_explicit(&l->task_error, rc, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&l->done, 1, memory_order_relaxed);
    if (!atomic_load_explicit(&l->stop, memory_order_relaxed)) {
        rc = tp_pool_submit(l->pool, load_task, l);
        if (rc != 0 && rc != -ESHUTDOWN)
            atomic_store_explicit(&l->task_error, rc, memory_order_relaxed);
    }
}

static void lower_slack(void *ctx, int worker_index)
{
    (void)ctx;
    (void)worker_index;
    tp__timer_slack_min(); /* waits end when asked, not 50 us late */
}

static void record_step(void *ctx, const struct tp_ctl_step *step)
{
    struct run *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (r->n_steps == r->cap_steps) {
        size_t cap = r->cap_steps ? 2 * r->cap_steps : 256;
        struct step_rec *n = realloc(r->steps, cap * sizeof *n);
        if (n == NULL) {
            pthread_mutex_unlock(&r->mu);
            return; /* the trace loses a step; the run goes on */
        }
        r->steps = n;
        r->cap_steps = cap;
    }
    r->steps[r->n_steps].wall_s = (double)(tp__now_ns() - r->t0_ns) / 1e9;
    r->steps[r->n_steps].s = *step;
    r->n_steps++;
    pthread_mutex_unlock(&r->mu);
}

static int add_sample(struct run *r, const struct sample *s)
{
    if (r->n_samples == r->cap_samples) {
        size_t cap = r->cap_samples ? 2 * r->cap_samples : 512;
        struct sample *n = realloc(r->samples, cap * sizeof *n);
        if (n == NULL)
            return -ENOMEM;
        r->samples = n;
        r->cap_samples = cap;
    }
    r->samples[r->n_samples++] = *s;
    return 0;
}

static void sleep_until(uint64_t t_ns)
{
    struct timespec ts = { .tv_sec = (time_t)(t_ns / 1000000000u), .tv_nsec = (long)(t_ns % 1000000000u) };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        return; /* a signal: the caller looks at the flag */
}

/* The pool of a run: tuned starts at --start-threads (5 x cores by
 * default) with online tuning on; a fixed one at sizes[0]. */
static void pool_opts_for(const struct online *on, enum run_kind kind, const int *sizes, struct run *r,
                          struct tp_pool_opts *po)
{
    const struct tp_cli_opts *o = on->o;
    *po = (struct tp_pool_opts){
        .threads =
            kind == RUN_TUNED ? (o->start_threads > 0 ? o->start_threads : 5 * on->topo->effective_cores) : sizes[0],
        .stack_size = (size_t)o->stack_size,
        .name = "tp-online",
        .queue_capacity = 2 * (size_t)o->max_threads,
        .on_thread_start = lower_slack,
        .max_threads = o->max_threads,
    };
    if (po->threads > o->max_threads)
        po->threads = o->max_threads;
    if (kind == RUN_TUNED) {
        po->online.enabled = 1;
        po->online.min_threads = 1;
        po->online.max_threads = o->max_threads;
        po->online.cores = on->topo->effective_cores;
        po->online.interval_ms = TICK_MS;
        po->online.on_step = record_step;
        po->online.step_ctx = r;
    }
}

/* A run's sampling clock: when it started, the next tick, the last sample. */
struct ticker {
    uint64_t t0, next, last_t, last_done;
};

/* Phase p of a run: its wait, the pool resized (fixed runs), a sample each
 * tick until the phase ends. Returns 0, TP_ECANCELED when interrupted, or a
 * negative code; the phase's length and tasks are kept either way. */
static int run_phase(struct online *on, enum run_kind kind, const int *sizes, struct load *load, struct ticker *tk,
                     int p)
{
    const struct tp_cli_opts *o = on->o;
    struct run *r = &on->runs[kind];
    int rc = 0;
    uint64_t start = tp__now_ns();
    atomic_store(&load->latency_ns, o->phases_ns[p]);
    if (kind != RUN_TUNED && p > 0 && sizes[p] != sizes[p - 1])
        rc = tp_pool_resize(load->pool, sizes[p]);
    uint64_t done0 = atomic_load(&load->done);
    uint64_t end = start + o->phase_time_ns;
    r->phase_start[p] = (double)(start - tk->t0) / 1e9;
    while (rc == 0) {
        tk->next += (uint64_t)TICK_MS * 1000000u;
        if (tk->next > end)
            tk->next = end;
        sleep_until(tk->next);
        if (*on->interrupted) {
            rc = TP_ECANCELED;
            break;
        }
        uint64_t now = tp__now_ns(), d = atomic_load(&load->done);
        struct sample s = {
            .t_s = (double)(now - tk->t0) / 1e9,
            .phase = p,
            .threads = tp_pool_threads(load->pool),
            .tput = now > tk->last_t ? (double)(d - tk->last_done) / ((double)(now - tk->last_t) / 1e9) : 0,
        };
        tk->last_done = d;
        tk->last_t = now;
        if (add_sample(r, &s) < 0)
            rc = -ENOMEM;
        if (atomic_load(&load->task_error) != 0)
            rc = atomic_load(&load->task_error);
        if (now >= end)
            break;
    }
    uint64_t stop = tp__now_ns();
    r->phase_len[p] = (double)(stop - start) / 1e9;
    r->phase_tasks[p] = atomic_load(&load->done) - done0;
    r->n_phases_done = p + 1;
    tk->next = stop;
    return rc;
}

/* Runs the phases through one pool: tuned (online on) or fixed (sizes[p]
 * per phase). Returns 0, TP_ECANCELED when interrupted (what ran is kept),
 * or a negative code. */
static int run_phases(struct online *on, enum run_kind kind, const int *sizes)
{
    const struct tp_cli_opts *o = on->o;
    struct run *r = &on->runs[kind];
    struct load load = { .compute_ns = o->workload.compute_ns };
    struct tp_pool_opts po;
    pool_opts_for(on, kind, sizes, r, &po);
    r->ran = 1;
    r->start_threads = po.threads;
    atomic_store(&load.latency_ns, o->phases_ns[0]);
    r->t0_ns = tp__now_ns();
    int rc = tp_pool_create(&load.pool, &po, NULL);
    if (rc < 0) {
        r->error = rc;
        return rc;
    }
    /* K = --max-threads tasks circulate, so the queue never runs dry. */
    for (int i = 0; i < o->max_threads && rc == 0; i++)
        rc = tp_pool_submit(load.pool, load_task, &load);
    struct ticker tk = { .t0 = r->t0_ns, .next = r->t0_ns, .last_t = r->t0_ns };
    for (int p = 0; p < on->n_phases && rc == 0; p++)
        rc = run_phase(on, kind, sizes, &load, &tk, p);
    atomic_store(&load.stop, 1);
    tp_pool_destroy(load.pool); /* queued tasks return at once; running ones finish their wait */
    if (rc < 0 && rc != TP_ECANCELED)
        r->error = rc;
    return rc;
}

/* --------------------------------------------------------------- offline */

static int run_offline(struct online *on, const struct tp_sweep_opts *base)
{
    for (int p = 0; p < on->n_phases; p++) {
        struct tp_sweep_opts so = *base;
        struct tp_result res;
        char wait[TP__NUM_LEN];
        memset(&res, 0, sizeof res);
        so.workload.latency_ns = on->o->phases_ns[p];
        if (!on->o->quiet)
            fprintf(stderr, "%s: offline sweep of phase %d (wait %s)\n", TP_CLI_NAME, p + 1,
                    tp__fmt_duration(wait, sizeof wait, (double)on->o->phases_ns[p]));
        int rc = tp_sweep_run(&so, on->topo, &res);
        if (res.pick >= 0 && res.best >= 0) {
            const struct tp_point *pk = &res.points[res.pick], *b = &res.points[res.best];
            on->off[p] = (struct offline){
                .valid = 1,
                .pick_threads = pk->threads,
                .pick_tput = pk->tput_median,
                .best_threads = b->threads,
                .best_tput = b->tput_median,
                .best_lo = b->tput_ci_lo,
                .best_hi = b->tput_ci_hi,
                .partial = res.partial,
            };
        }
        tp_result_free(&res);
        if (rc == TP_ECANCELED)
            return rc;
        if (rc == -E2BIG || rc == -EINVAL)
            return rc;
        if (!on->off[p].valid) {
            tp_cli_warn("phase %d: the offline sweep measured no point (%s); its fractions are left out", p + 1,
                        tp_strerror(rc));
        }
    }
    return 0;
}

/* --------------------------------------------------------------- metrics */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void compute_metrics(const struct online *on, const struct run *r, int p, struct metrics *m)
{
    memset(m, 0, sizeof *m);
    m->fraction = m->steady_fraction = NAN;
    m->reach_s = -1;
    if (p >= r->n_phases_done || r->phase_len[p] <= 0)
        return;
    m->tput = (double)r->phase_tasks[p] / r->phase_len[p];
    const struct offline *off = &on->off[p];
    if (off->valid && off->best_tput > 0)
        m->fraction = m->tput / off->best_tput;

    size_t a = 0, n = 0;
    while (a < r->n_samples && r->samples[a].phase != p)
        a++;
    while (a + n < r->n_samples && r->samples[a + n].phase == p)
        n++;
    if (n == 0)
        return;
    const struct sample *s = &r->samples[a];
    double start = r->phase_start[p], end = start + r->phase_len[p];

    /* The size the phase ends at: the median over its second half. */
    size_t h = n / 2, nh = n - h;
    int *tmp = malloc(nh * sizeof *tmp);
    if (tmp == NULL)
        return;
    for (size_t i = 0; i < nh; i++)
        tmp[i] = s[h + i].threads;
    qsort(tmp, nh, sizeof *tmp, cmp_int);
    m->final = tmp[nh / 2];
    free(tmp);

    size_t k = n; /* first sample of the run that stays in the band */
    while (k > 0 && s[k - 1].threads >= m->final / SETTLE_BAND && s[k - 1].threads <= m->final * SETTLE_BAND)
        k--;
    if (k == n)
        k = n - 1;
    m->settle_s = s[k].t_s - start;
    double tasks_after = 0, t_after = end - (k > 0 ? s[k - 1].t_s : start);
    double sum = 0, sum2 = 0;
    int changes = 0;
    m->lo = m->hi = s[k].threads;
    for (size_t i = k; i < n; i++) {
        double dt = s[i].t_s - (i > 0 ? s[i - 1].t_s : start);
        tasks_after += s[i].tput * dt;
        sum += s[i].threads;
        sum2 += (double)s[i].threads * s[i].threads;
        if (s[i].threads < m->lo)
            m->lo = s[i].threads;
        if (s[i].threads > m->hi)
            m->hi = s[i].threads;
        if (i > k && s[i].threads != s[i - 1].threads)
            changes++;
    }
    double cnt = (double)(n - k), mean = sum / cnt;
    m->cv = mean > 0 ? sqrt(fmax(0, sum2 / cnt - mean * mean)) / mean : 0;
    m->changes_per_s = t_after > 0 ? changes / t_after : 0;
    if (off->valid && off->best_tput > 0 && t_after > 0)
        m->steady_fraction = tasks_after / t_after / off->best_tput;
    if (off->valid && off->best_tput > 0) {
        for (size_t i = 0; i < n; i++) {
            size_t from = i + 1 >= REACH_TICKS ? i + 1 - REACH_TICKS : 0;
            double x = 0;
            for (size_t j = from; j <= i; j++)
                x += s[j].tput;
            if (i + 1 >= REACH_TICKS && x / (double)(i + 1 - from) >= REACH_FRACTION * off->best_tput) {
                m->reach_s = s[i].t_s - start;
                break;
            }
        }
    }
}

/* ---------------------------------------------------------------- output */

static void fmt_fraction_or_dash(char *buf, size_t len, double x)
{
    if (isfinite(x))
        tp__fmt_fraction(buf, len, x);
    else
        snprintf(buf, len, "-");
}

static void fmt_seconds(char *buf, size_t len, double s)
{
    if (s < 0)
        snprintf(buf, len, "never");
    else
        snprintf(buf, len, "%.1f s", s);
}

/* The table's title, what the tuned pool started from, the column heads. */
static void table_head(const struct online *on, FILE *f, int markdown)
{
    const struct tp_cli_opts *o = on->o;
    char a[TP__NUM_LEN];
    fprintf(f, "%sOnline tuning: io workload, compute %s per task, %d core%s (%s), phases of %.3g s%s\n",
            markdown ? "## " : "", tp__fmt_duration(a, sizeof a, (double)o->workload.compute_ns),
            on->topo->effective_cores, tp_cli_plural(on->topo->effective_cores), tp_cores_source_name(on->topo->source),
            (double)o->phase_time_ns / 1e9, on->partial ? " (PARTIAL: interrupted)" : "");
    fprintf(f,
            "%sThe tuned pool started at %d thread%s (--start-threads); controller: model knee x 1.2, verified "
            "moves (docs/online.md).\n\n",
            markdown ? "" : "", on->runs[RUN_TUNED].start_threads, tp_cli_plural(on->runs[RUN_TUNED].start_threads));
    if (markdown)
        fputs("| phase | wait | offline pick | offline best | tuned tasks/s | of best | after settling | settle | "
              "reach 90% | size after settling | changes/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
              f);
    else
        fprintf(f, "%-5s %-7s %-20s %-30s %-11s %-7s %-7s %-7s %-9s %-15s %s\n", "phase", "wait", "offline pick",
                "offline best [interval]", "tuned/s", "of best", "steady", "settle", "reach 90%", "size (settled)",
                "changes/s");
}

/* Phase p of the tuned run beside the phase's offline pick and best. */
static void tuned_row(const struct online *on, int p, FILE *f, int markdown)
{
    const struct offline *off = &on->off[p];
    const struct metrics *m = &on->m[RUN_TUNED][p];
    char a[TP__NUM_LEN], b[TP__NUM_LEN], c[TP__NUM_LEN], d[TP__NUM_LEN], e[TP__NUM_LEN], g[TP__NUM_LEN];
    char wait[TP__NUM_LEN], pick[64], best[96], frac[16], steady[16], settle[16], reach[16], size[48];
    tp__fmt_duration(wait, sizeof wait, (double)on->o->phases_ns[p]);
    if (off->valid) {
        snprintf(pick, sizeof pick, "%d thr %s/s", off->pick_threads, tp__fmt_num(a, sizeof a, off->pick_tput));
        snprintf(best, sizeof best, "%d thr %s [%s, %s]", off->best_threads, tp__fmt_num(b, sizeof b, off->best_tput),
                 tp__fmt_num(c, sizeof c, off->best_lo), tp__fmt_num(d, sizeof d, off->best_hi));
    } else {
        snprintf(pick, sizeof pick, "-");
        snprintf(best, sizeof best, "-");
    }
    fmt_fraction_or_dash(frac, sizeof frac, m->fraction);
    fmt_fraction_or_dash(steady, sizeof steady, m->steady_fraction);
    fmt_seconds(settle, sizeof settle, m->settle_s);
    if (off->valid)
        fmt_seconds(reach, sizeof reach, m->reach_s);
    else
        snprintf(reach, sizeof reach, "-");
    snprintf(size, sizeof size, "%d (%d..%d)", m->final, m->lo, m->hi);
    tp__fmt_num(e, sizeof e, m->tput);
    tp__fmt_sig3(g, sizeof g, m->changes_per_s);
    if (markdown)
        fprintf(f, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p + 1, wait, pick, best, e, frac,
                steady, settle, reach, size, g);
    else
        fprintf(f, "%-5d %-7s %-20s %-30s %-11s %-7s %-7s %-7s %-9s %-15s %s\n", p + 1, wait, pick, best, e, frac,
                steady, settle, reach, size, g);
}

/* --online-baselines: the tuned run beside the fixed pools, phase by phase. */
static void baselines_table(const struct online *on, FILE *f, int markdown)
{
    char a[TP__NUM_LEN];
    fprintf(f, "\n%sFixed pools over the same phases (--online-baselines):\n", markdown ? "### " : "");
    if (markdown)
        fputs("| phase | tuned tasks/s (of best) | oracle: offline pick per phase | fixed 5 x cores |\n"
              "|---|---|---|---|\n",
              f);
    else
        fprintf(f, "%-5s %-24s %-34s %s\n", "phase", "tuned (of best)", "oracle: each phase's pick (of best)",
                "fixed 5 x cores (of best)");
    for (int p = 0; p < on->n_phases; p++) {
        char cols[N_RUNS][96];
        for (int k = 0; k < N_RUNS; k++) {
            const struct metrics *m = &on->m[k][p];
            char fr[16];
            fmt_fraction_or_dash(fr, sizeof fr, m->fraction);
            if (!on->runs[k].ran || p >= on->runs[k].n_phases_done)
                snprintf(cols[k], sizeof cols[k], "-");
            else if (k == RUN_TUNED)
                snprintf(cols[k], sizeof cols[k], "%s/s (%s)", tp__fmt_num(a, sizeof a, m->tput), fr);
            else
                snprintf(cols[k], sizeof cols[k], "%d thr %s/s (%s)", m->final, tp__fmt_num(a, sizeof a, m->tput), fr);
        }
        if (markdown)
            fprintf(f, "| %d | %s | %s | %s |\n", p + 1, cols[0], cols[1], cols[2]);
        else
            fprintf(f, "%-5d %-24s %-34s %s\n", p + 1, cols[0], cols[1], cols[2]);
    }
}

static int write_table(const struct online *on, FILE *f, int markdown)
{
    table_head(on, f, markdown);
    for (int p = 0; p < on->n_phases; p++)
        tuned_row(on, p, f, markdown);
    if (on->runs[RUN_ORACLE].ran || on->runs[RUN_FIXED].ran)
        baselines_table(on, f, markdown);
    fputs("\nof best: the phase's tasks/s over the offline sweep's best median for that wait; steady: the same "
          "after the size settled;\nsettle: until the size stays within x1.25 of the size the phase ends at; reach "
          "90%: until the last 0.3 s ran at 0.9 of the best.\n",
          f);
    return ferror(f) ? -EIO : 0;
}

static int write_csv(const struct online *on, FILE *f)
{
    fputs("run,t_s,phase,wait_ns,threads,tasks_per_s\n", f);
    for (int k = 0; k < N_RUNS; k++) {
        const struct run *r = &on->runs[k];
        for (size_t i = 0; r->ran && i < r->n_samples; i++) {
            const struct sample *s = &r->samples[i];
            fprintf(f, "%s,%.3f,%d,%llu,%d,%.1f\n", run_names[k], s->t_s, s->phase + 1,
                    (unsigned long long)on->o->phases_ns[s->phase], s->threads, s->tput);
        }
    }
    return ferror(f) ? -EIO : 0;
}

/* The document's head: what made it, the machine, the workload, the controller. */
static void json_head(const struct online *on, json_t *root)
{
    const struct tp_cli_opts *o = on->o;
    json_object_set_new(root, "$schema", json_string(TP_SCHEMA_ID_PREFIX "online")); /* online.schema.json's $id */
    json_object_set_new(root, "tool", json_string("tune-pool"));
    json_object_set_new(root, "schema", json_integer(1));
    json_object_set_new(root, "kind", json_string("online"));
    json_object_set_new(root, "version", json_string(tp_version()));
    json_object_set_new(root, "partial", json_boolean(on->partial));
    json_t *topo = json_object();
    json_object_set_new(topo, "effective_cores", json_integer(on->topo->effective_cores));
    json_object_set_new(topo, "source", json_string(tp_cores_source_name(on->topo->source)));
    json_object_set_new(root, "topology", topo);
    char *host = on->host != NULL ? tp_host_json(on->host) : NULL;
    json_object_set_new(root, "host", host != NULL ? json_loads(host, 0, NULL) : json_null());
    free(host);
    json_t *wl = json_object();
    json_object_set_new(wl, "kind", json_string("io"));
    json_object_set_new(wl, "compute_ns", json_integer((json_int_t)o->workload.compute_ns));
    json_object_set_new(wl, "phase_time_s", json_real((double)o->phase_time_ns / 1e9));
    json_object_set_new(wl, "in_flight", json_integer(o->max_threads));
    json_object_set_new(root, "workload", wl);
    json_t *ctl = json_object();
    struct tp_ctl_params cp = { 0 };
    tp_ctl_params_defaults(&cp);
    json_object_set_new(ctl, "interval_s", json_real(TICK_MS / 1000.0));
    json_object_set_new(ctl, "headroom", json_real(cp.headroom));
    json_object_set_new(ctl, "deadband", json_real(cp.deadband));
    json_object_set_new(ctl, "max_step", json_real(cp.max_step));
    json_object_set_new(ctl, "min_threads", json_integer(1));
    json_object_set_new(ctl, "max_threads", json_integer(o->max_threads));
    json_object_set_new(ctl, "start_threads", json_integer(on->runs[RUN_TUNED].start_threads));
    json_object_set_new(root, "controller", ctl);
}

/* A phase's offline optimum, or null without one. */
static json_t *json_offline(const struct offline *off)
{
    if (!off->valid)
        return json_null();
    json_t *jo = json_object();
    json_object_set_new(jo, "pick_threads", json_integer(off->pick_threads));
    json_object_set_new(jo, "pick_tasks_per_s", json_real(off->pick_tput));
    json_object_set_new(jo, "best_threads", json_integer(off->best_threads));
    json_object_set_new(jo, "best_tasks_per_s", json_real(off->best_tput));
    json_object_set_new(jo, "best_ci", json_pack("[f,f]", off->best_lo, off->best_hi));
    json_object_set_new(jo, "partial", json_boolean(off->partial));
    return jo;
}

/* What one run did in phase p. */
static json_t *json_phase_metrics(const struct run *r, int p, const struct metrics *m)
{
    json_t *jm = json_object();
    json_object_set_new(jm, "start_s", json_real(r->phase_start[p]));
    json_object_set_new(jm, "duration_s", json_real(r->phase_len[p]));
    json_object_set_new(jm, "tasks", json_integer((json_int_t)r->phase_tasks[p]));
    json_object_set_new(jm, "tasks_per_s", json_real(m->tput));
    json_object_set_new(jm, "fraction_of_best", tp__json_num(m->fraction));
    json_object_set_new(jm, "steady_fraction_of_best", tp__json_num(m->steady_fraction));
    json_object_set_new(jm, "settle_s", json_real(m->settle_s));
    json_object_set_new(jm, "reach90_s", m->reach_s >= 0 ? json_real(m->reach_s) : json_null());
    json_object_set_new(jm, "threads_final", json_integer(m->final));
    json_object_set_new(jm, "threads_settled", json_pack("[i,i]", m->lo, m->hi));
    json_object_set_new(jm, "changes_per_s", json_real(m->changes_per_s));
    json_object_set_new(jm, "threads_cv", json_real(m->cv));
    return jm;
}

/* Each phase: its wait, its offline optimum, what every run did in it. */
static json_t *json_phases(const struct online *on)
{
    json_t *phases = json_array();
    for (int p = 0; p < on->n_phases; p++) {
        json_t *ph = json_object(), *res = json_object();
        json_object_set_new(ph, "wait_ns", json_integer((json_int_t)on->o->phases_ns[p]));
        json_object_set_new(ph, "offline", json_offline(&on->off[p]));
        for (int k = 0; k < N_RUNS; k++) {
            const struct run *r = &on->runs[k];
            if (r->ran && p < r->n_phases_done)
                json_object_set_new(res, run_names[k], json_phase_metrics(r, p, &on->m[k][p]));
        }
        json_object_set_new(ph, "runs", res);
        json_array_append_new(phases, ph);
    }
    return phases;
}

/* The tuned run's controller steps, as they came. */
static json_t *json_steps(const struct run *r)
{
    json_t *steps = json_array();
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct tp_ctl_step *s = &r->steps[i].s;
        json_t *js =
            json_pack("{s:f,s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "t_s", r->steps[i].wall_s, "action",
                      tp_ctl_action_name(s->action), "reason", s->reason != NULL ? s->reason : "", "threads_before",
                      s->threads_before, "threads", s->threads, "tasks_per_s", s->tput, "task_s", s->task_s,
                      "cpu_per_task_s", s->cpu_task_s, "runq_per_task_s", s->runq_task_s, "wait_per_task_s",
                      s->wait_task_s, "busy", s->busy, "knee", s->knee, "target", s->target, "noise", s->noise);
        if (js != NULL) {
            json_object_set_new(js, "cap", json_integer(s->cap_hi));
            json_object_set_new(js, "floor", json_integer(s->floor_lo));
            json_array_append_new(steps, js);
        }
    }
    return steps;
}

/* Each run that ran: its start, its error, its samples, and (tuned) its steps. */
static json_t *json_runs(const struct online *on)
{
    json_t *runs = json_object();
    for (int k = 0; k < N_RUNS; k++) {
        const struct run *r = &on->runs[k];
        if (!r->ran)
            continue;
        json_t *jr = json_object(), *samples = json_array();
        json_object_set_new(jr, "start_threads", json_integer(r->start_threads));
        if (r->error != 0)
            json_object_set_new(jr, "error", json_string(tp_strerror(r->error)));
        for (size_t i = 0; i < r->n_samples; i++) {
            const struct sample *s = &r->samples[i];
            json_array_append_new(samples, json_pack("{s:f,s:i,s:i,s:f}", "t_s", s->t_s, "phase", s->phase + 1,
                                                     "threads", s->threads, "tasks_per_s", s->tput));
        }
        json_object_set_new(jr, "samples", samples);
        if (k == RUN_TUNED)
            json_object_set_new(jr, "steps", json_steps(r));
        json_object_set_new(runs, run_names[k], jr);
    }
    return runs;
}

static json_t *build_json(const struct online *on)
{
    json_t *root = json_object();
    json_head(on, root);
    json_object_set_new(root, "phases", json_phases(on));
    json_object_set_new(root, "runs", json_runs(on));
    return root;
}

static int json_writer(void *ctx, FILE *f)
{
    json_t *root = build_json(ctx);
    if (root == NULL)
        return -ENOMEM;
    int rc = json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(6)) == 0 ? 0 : TP_EJSON;
    fputc('\n', f);
    json_decref(root);
    return rc;
}

static int csv_writer(void *ctx, FILE *f) { return write_csv(ctx, f); }

/* The plot: the size over time above, the throughput below, each phase's
 * offline pick and best drawn as segments beside them. */
static int plot_writer(void *ctx, const struct tp_plot_opts *po, const char *image, FILE *f)
{
    const struct online *on = ctx;
    const struct tp_cli_opts *o = on->o;
    static const char *const colors[N_RUNS] = { "#1f77b4", "#2ca02c", "#d62728" };
    static const char *const titles[N_RUNS] = { "tuned (online)", "oracle: offline pick per phase", "fixed 5 x cores" };
    char a[TP__NUM_LEN];

    fprintf(f, "# Generated by tune-pool %s: online tuning over phases.\n", tp_version());
    fputs("# Render: gnuplot THIS_FILE   (or gnuplot -e \"tp_output='other.png'\" THIS_FILE)\n", f);
    fputs("if (!exists(\"tp_output\")) tp_output = ", f);
    tp_plot_write_string(f, image);
    fputc('\n', f);
    if (po->format == TP_PLOT_SVG)
        fputs("set terminal svg size 1200,900 dynamic noenhanced font \"sans,12\" background rgb \"white\"\n", f);
    else
        fputs("set terminal pngcairo size 1200,900 noenhanced font \"sans,11\" background rgb \"white\"\n", f);
    fputs("set output tp_output\n", f);
    for (int k = 0; k < N_RUNS; k++) {
        const struct run *r = &on->runs[k];
        if (!r->ran)
            continue;
        fprintf(f, "$%s << EOD\n", run_names[k]);
        for (size_t i = 0; i < r->n_samples; i++)
            fprintf(f, "%.3f %d %.1f\n", r->samples[i].t_s, r->samples[i].threads, r->samples[i].tput);
        fputs("EOD\n", f);
    }
    /* Offline segments, on the tuned run's phase times. */
    const struct run *t = &on->runs[RUN_TUNED];
    fputs("$offline << EOD\n", f);
    for (int p = 0; p < t->n_phases_done; p++) {
        if (!on->off[p].valid)
            continue;
        double s = t->phase_start[p], e = s + t->phase_len[p];
        fprintf(f, "%.3f %d %.1f\n%.3f %d %.1f\n\n", s, on->off[p].pick_threads, on->off[p].best_tput, e,
                on->off[p].pick_threads, on->off[p].best_tput);
    }
    fputs("EOD\n", f);
    fputs("set multiplot layout 2,1 title \"tune-pool --online: ", f);
    fprintf(f, "io, compute %s, %d core%s; waits", tp__fmt_duration(a, sizeof a, (double)o->workload.compute_ns),
            on->topo->effective_cores, tp_cli_plural(on->topo->effective_cores));
    for (int p = 0; p < on->n_phases; p++)
        fprintf(f, "%s%s", p ? ", " : " ", tp__fmt_duration(a, sizeof a, (double)o->phases_ns[p]));
    fputs("\"\n", f);
    for (int p = 1; p < t->n_phases_done; p++)
        fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead dt 3 lc rgb \"gray40\"\n", t->phase_start[p],
                t->phase_start[p]);
    fputs("set grid\nset key below horizontal\nset xlabel \"seconds\"\nset ylabel \"threads\"\nset logscale y 2\n", f);
    fputs("plot $offline using 1:2 with lines lw 3 lc rgb \"#ff7f0e\" title \"offline pick per phase\"", f);
    for (int k = 0; k < N_RUNS; k++)
        if (on->runs[k].ran)
            fprintf(f, ", $%s using 1:2 with steps lw 2 lc rgb \"%s\" title \"%s\"", run_names[k], colors[k],
                    titles[k]);
    fputs("\nunset logscale y\nset ylabel \"tasks/s (per 0.1 s)\"\nset yrange [0:*]\n", f);
    fputs("plot $offline using 1:3 with lines lw 3 lc rgb \"#ff7f0e\" title \"offline best per phase\", "
          "$offline using 1:($3*0.9) with lines dt 2 lw 1 lc rgb \"#ff7f0e\" title \"0.9 x offline best\"",
          f);
    for (int k = 0; k < N_RUNS; k++)
        if (on->runs[k].ran)
            fprintf(f, ", $%s using 1:3 with lines lw 1.5 lc rgb \"%s\" title \"%s\"", run_names[k], colors[k],
                    titles[k]);
    fputs("\nunset multiplot\n", f);
    return ferror(f) ? -EIO : 0;
}

static int save_all(struct online *on, const char *name)
{
    static const struct tp_cli_file files[] = { { "csv", csv_writer }, { "json", json_writer } };
    int failed = 0;
    if (on->o->save && tp_cli_save_files(on->o, name, files, TP__ARRAY_LEN(files), on) < 0)
        failed = 1;
    if (on->o->plot && tp_cli_plot_with(on->o, name, plot_writer, on) < 0)
        failed = 1;
    return failed ? -1 : 0;
}

/* ------------------------------------------------------------------- run */

static void free_online(struct online *on)
{
    for (int k = 0; k < N_RUNS; k++) {
        free(on->runs[k].samples);
        free(on->runs[k].steps);
        pthread_mutex_destroy(&on->runs[k].mu);
    }
}

static void progress_line(const struct online *on, enum run_kind k)
{
    if (on->o->quiet)
        return;
    const struct run *r = &on->runs[k];
    char a[TP__NUM_LEN];
    for (int p = 0; p < r->n_phases_done; p++) {
        const struct metrics *m = &on->m[k][p];
        fprintf(stderr, "%s: %s phase %d: %s tasks/s, size %d at the end\n", TP_CLI_NAME, run_names[k], p + 1,
                tp__fmt_num(a, sizeof a, m->tput), m->final);
    }
}

/* --online-baselines: the oracle (each phase's offline pick; only with every
 * phase's) and 5 x cores through the same phases. Returns as run_phases. */
static int run_baselines(struct online *on)
{
    const struct tp_cli_opts *o = on->o;
    int sizes[MAX_PHASES];
    int have_oracle = 1, rc = 0;
    for (int p = 0; p < on->n_phases; p++) {
        have_oracle &= on->off[p].valid;
        sizes[p] = on->off[p].valid ? on->off[p].pick_threads : 1;
    }
    if (have_oracle) {
        if (!o->quiet)
            fprintf(stderr, "%s: oracle pool (each phase's offline pick)\n", TP_CLI_NAME);
        rc = run_phases(on, RUN_ORACLE, sizes);
    } else {
        tp_cli_warn("--online-baselines: no oracle run without every phase's offline pick");
    }
    if (rc != 0)
        return rc;
    for (int p = 0; p < on->n_phases; p++)
        sizes[p] = on->fixed_threads;
    if (!o->quiet)
        fprintf(stderr, "%s: fixed pool of %d thread%s (5 x cores)\n", TP_CLI_NAME, on->fixed_threads,
                tp_cli_plural(on->fixed_threads));
    return run_phases(on, RUN_FIXED, sizes);
}

/* The pools in order: the tuned one, then the baselines. Returns as run_phases. */
static int run_pools(struct online *on)
{
    const struct tp_cli_opts *o = on->o;
    if (!o->quiet)
        fprintf(stderr, "%s: tuned pool through %d phase%s of %.3g s\n", TP_CLI_NAME, on->n_phases,
                tp_cli_plural(on->n_phases), (double)o->phase_time_ns / 1e9);
    int rc = run_phases(on, RUN_TUNED, NULL);
    if (rc == 0 && o->online_baselines)
        rc = run_baselines(on);
    return rc;
}

/* Each run's figures per phase, and a progress line per run that ran. */
static void summarise(struct online *on)
{
    for (int k = 0; k < N_RUNS; k++)
        for (int p = 0; p < on->n_phases; p++)
            compute_metrics(on, &on->runs[k], p, &on->m[k][p]);
    for (int k = 0; k < N_RUNS; k++)
        if (on->runs[k].ran)
            progress_line(on, (enum run_kind)k);
}

/* NAME.csv, NAME.json, the plot, then stdout in --format. Returns code, or
 * TP_EXIT_RUNTIME when code was TP_EXIT_OK and one of them failed. */
static int write_outputs(struct online *on, int code)
{
    const struct tp_cli_opts *o = on->o;
    if (save_all(on, o->name != NULL ? o->name : "online") < 0 && code == TP_EXIT_OK)
        code = TP_EXIT_RUNTIME;
    int wrc = o->format == TP_FORMAT_JSON  ? json_writer(on, stdout)
              : o->format == TP_FORMAT_CSV ? write_csv(on, stdout)
                                           : write_table(on, stdout, o->format == TP_FORMAT_MARKDOWN);
    if ((wrc < 0 || fflush(stdout) != 0) && code == TP_EXIT_OK) {
        tp_cli_error("cannot write to stdout: %s", strerror(errno));
        code = TP_EXIT_RUNTIME;
    }
    return code;
}

int tp_cli_run_online(const struct tp_cli_opts *o, const struct tp_sweep_opts *so, const struct tp_topology *topo,
                      volatile sig_atomic_t *interrupted)
{
    struct online *on = calloc(1, sizeof *on);
    int code = TP_EXIT_OK;
    if (on == NULL) {
        tp_cli_error("out of memory");
        return TP_EXIT_RUNTIME;
    }
    on->o = o;
    on->topo = topo;
    on->host = so->host;
    on->interrupted = interrupted;
    on->n_phases = (int)o->n_phases;
    on->fixed_threads = 5 * topo->effective_cores <= o->max_threads ? 5 * topo->effective_cores : o->max_threads;
    for (int k = 0; k < N_RUNS; k++)
        pthread_mutex_init(&on->runs[k].mu, NULL);

    int rc = o->no_offline ? 0 : run_offline(on, so);
    if (rc == -E2BIG || rc == -EINVAL) {
        tp_cli_error("cannot run the offline sweeps: %s", tp_strerror(rc));
        code = TP_EXIT_RUNTIME;
        goto out;
    }
    if (rc == 0)
        rc = run_pools(on);
    on->partial = rc == TP_ECANCELED;
    summarise(on);
    if (rc == TP_ECANCELED) {
        tp_cli_error("interrupted: keeping what ran so far, marked partial");
        code = TP_EXIT_INTERRUPTED;
    } else if (rc < 0) {
        tp_cli_error("the online run failed: %s", tp_strerror(rc));
        code = TP_EXIT_RUNTIME;
    }
    if (on->runs[RUN_TUNED].n_samples == 0)
        code = code == TP_EXIT_OK ? TP_EXIT_RUNTIME : code;
    else
        code = write_outputs(on, code);
out:
    free_online(on);
    free(on);
    return code;
}
