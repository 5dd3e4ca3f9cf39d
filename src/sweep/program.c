/* program.c - the user's program as a measurement source (--run): a point's visit runs the command at its size. */

/*
 * DESIGN
 * The source runs in the sweep's own thread and process: each command is a
 * child in its own process group (program_exec.c), so a point that crashes,
 * hangs or fails is that point's result. A visit of a point builds the
 * point's commands (placeholders replaced; argv for no_shell, /bin/sh -c
 * otherwise) and environment (NAME=threads), then runs setup, the warm-ups
 * (first visit), prepare + timed run per repetition, and cleanup; the first
 * failure ends the visit and marks the point. The source keeps a record per
 * thread count (struct tp_program_point, sorted by threads) across visits;
 * tp_program_source_attach() moves them into the result. Not thread-safe:
 * one sweep drives a source at a time.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "format.h"
#include "program.h"
#include "program_cmd.h"
#include "program_exec.h"
#include "stats.h"
#include "vec.h"

/* The source's state (struct tp_source.ctx). */
struct program {
    struct tp_program_opts o; /* the strings point to the copies below */
    char *command, *prepare, *setup, *cleanup, *metric;
    char *env[TP_PROGRAM_MAX_ENV];
    unsigned placeholders;
    regex_t re;
    int have_re;
    struct tp_program_point *points; /* sorted by threads */
    size_t n_points, cap;
};

void tp_program_opts_init(struct tp_program_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->warmup = TP_PROGRAM_DEFAULT_WARMUP;
}

static int why_fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why != NULL && why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/* A command that must split (no_shell); NULL or "" is none. */
static int check_command(const char *what, const char *cmd, int no_shell, char *why, size_t why_len)
{
    if (cmd == NULL || cmd[0] == '\0' || !no_shell)
        return 0;
    char **argv, msg[160];
    int rc = tp__cmd_split(cmd, NULL, 0, &argv, NULL, msg, sizeof msg);
    if (rc == -EINVAL)
        return why_fail(why, why_len, "%s: %s (with --no-shell)", what, msg);
    if (rc < 0)
        return rc;
    tp__cmd_argv_free(argv);
    return 0;
}

static int validate(const struct tp_program_opts *o, char *why, size_t why_len)
{
    if (o == NULL || o->command == NULL || o->command[o->command[0] == '\0' ? 0 : strspn(o->command, " \t\n")] == '\0')
        return why_fail(why, why_len, "--run: the command is empty");
    int rc = check_command("--run", o->command, o->no_shell, why, why_len);
    if (rc == 0)
        rc = check_command("--prepare", o->prepare, o->no_shell, why, why_len);
    if (rc == 0)
        rc = check_command("--setup", o->setup, o->no_shell, why, why_len);
    if (rc == 0)
        rc = check_command("--cleanup", o->cleanup, o->no_shell, why, why_len);
    if (rc < 0)
        return rc;
    if (o->n_env < 0 || o->n_env > TP_PROGRAM_MAX_ENV)
        return why_fail(why, why_len, "--env: at most %d names", TP_PROGRAM_MAX_ENV);
    for (int i = 0; i < o->n_env; i++)
        if (!tp__env_name_ok(o->env[i]))
            return why_fail(why, why_len, "--env=%s: not a variable name ([A-Za-z_][A-Za-z0-9_]*)",
                            o->env[i] != NULL ? o->env[i] : "");
    if (o->n_env == 0 && tp__cmd_placeholders(o->command, o->no_shell) == 0)
        return why_fail(why, why_len,
                        "--run: the command has no {threads} or {m} and no --env is given: "
                        "nothing would vary between the points");
    if (o->metric_lower && o->metric == NULL)
        return why_fail(why, why_len, "--metric-lower needs --metric");
    if (o->warmup < 0 || o->warmup > TP_MAX_REPS)
        return why_fail(why, why_len, "--warmup: 0 .. %d runs", TP_MAX_REPS);
    return 0;
}

/* strdup of a string that may be NULL; "" becomes NULL. *ok = 0 when out of memory. */
static char *dup_opt(const char *s, int *ok)
{
    if (s == NULL || s[0] == '\0')
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *ok = 0;
    return d;
}

static void free_strings(struct program *p)
{
    free(p->command);
    free(p->prepare);
    free(p->setup);
    free(p->cleanup);
    free(p->metric);
    for (int i = 0; i < TP_PROGRAM_MAX_ENV; i++)
        free(p->env[i]);
}

static void free_points(struct tp_program_point *pts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(pts[i].command);
    free(pts);
}

int tp_program_source_create(struct tp_source *src, const struct tp_program_opts *opts, char *why, size_t why_len)
{
    if (src == NULL)
        return -EINVAL;
    src->measure = NULL;
    src->ctx = NULL;
    int rc = validate(opts, why, why_len);
    if (rc < 0)
        return rc;
    struct program *p = calloc(1, sizeof *p);
    if (p == NULL)
        return -ENOMEM;
    if (opts->metric != NULL && (rc = tp__metric_compile(&p->re, opts->metric, why, why_len)) < 0) {
        free(p);
        return rc;
    }
    p->have_re = opts->metric != NULL;
    int ok = 1;
    p->o = *opts;
    p->o.command = p->command = dup_opt(opts->command, &ok);
    p->o.prepare = p->prepare = dup_opt(opts->prepare, &ok);
    p->o.setup = p->setup = dup_opt(opts->setup, &ok);
    p->o.cleanup = p->cleanup = dup_opt(opts->cleanup, &ok);
    p->o.metric = p->metric = dup_opt(opts->metric, &ok);
    for (int i = 0; i < opts->n_env; i++)
        p->o.env[i] = p->env[i] = dup_opt(opts->env[i], &ok);
    if (!ok) {
        if (p->have_re)
            regfree(&p->re);
        free_strings(p);
        free(p);
        return -ENOMEM;
    }
    p->placeholders = tp__cmd_placeholders(p->command, p->o.no_shell);
    src->measure = tp__program_measure;
    src->ctx = p;
    return 0;
}

void tp_program_source_destroy(struct tp_source *src)
{
    if (src == NULL || src->measure != tp__program_measure || src->ctx == NULL)
        return;
    struct program *p = src->ctx;
    if (p->have_re)
        regfree(&p->re);
    free_strings(p);
    free_points(p->points, p->n_points);
    free(p);
    src->measure = NULL;
    src->ctx = NULL;
}

/* ---- records ---- */

/* The record of `threads`, made (in order) if new; NULL when out of memory. */
static struct tp_program_point *record_for(struct program *p, int threads, double multiplier)
{
    size_t at = 0;
    while (at < p->n_points && p->points[at].threads < threads)
        at++;
    if (at < p->n_points && p->points[at].threads == threads)
        return &p->points[at];
    if (tp__vec_reserve((void **)&p->points, &p->cap, p->n_points + 1, sizeof *p->points) < 0)
        return NULL;
    memmove(&p->points[at + 1], &p->points[at], (p->n_points - at) * sizeof *p->points);
    memset(&p->points[at], 0, sizeof *p->points);
    p->points[at].threads = threads;
    p->points[at].multiplier = multiplier;
    p->n_points++;
    return &p->points[at];
}

/* ---- one visit ---- */

/* A command of the visit, ready to run. */
struct cmdline {
    char **argv; /* owned */
    char *text;  /* /bin/sh -c text (owned), or NULL */
};

struct visit {
    struct program *p;
    const struct tp_point_request *req;
    struct tp_program_point *rec;
    struct tp_point *out;
    char **envp;
    struct cmdline main, prepare, setup, cleanup;
    int failed, cancelled;
    int no_cancel; /* 1: the cleanup after a cancel runs to its end (or its time limit) */
    uint64_t t0;
};

static int build_cmd(const struct program *p, const char *tmpl, const struct tp__cmd_point_vars *pv, struct cmdline *c)
{
    memset(c, 0, sizeof *c);
    if (tmpl == NULL)
        return 0;
    if (p->o.no_shell)
        return tp__cmd_split(tmpl, pv->vars, 2, &c->argv, NULL, NULL, 0);
    int rc = tp__cmd_subst_shell(tmpl, pv->vars, 2, &c->text, NULL);
    if (rc < 0)
        return rc;
    c->argv = calloc(4, sizeof *c->argv);
    if (c->argv == NULL)
        return -ENOMEM;
    c->argv[0] = strdup("/bin/sh");
    c->argv[1] = strdup("-c");
    c->argv[2] = strdup(c->text);
    return c->argv[0] != NULL && c->argv[1] != NULL && c->argv[2] != NULL ? 0 : -ENOMEM;
}

static void free_cmd(struct cmdline *c)
{
    tp__cmd_argv_free(c->argv);
    free(c->text);
}

static int visit_open(struct visit *v)
{
    const struct program *p = v->p;
    struct tp__cmd_point_vars pv;
    tp__cmd_point_vars(&pv, v->req->threads, v->req->multiplier);
    int rc = build_cmd(p, p->o.command, &pv, &v->main);
    if (rc == 0)
        rc = build_cmd(p, p->o.prepare, &pv, &v->prepare);
    if (rc == 0)
        rc = build_cmd(p, p->o.setup, &pv, &v->setup);
    if (rc == 0)
        rc = build_cmd(p, p->o.cleanup, &pv, &v->cleanup);
    if (rc < 0)
        return rc;
    v->envp = tp__env_build(environ, (const char *const *)p->o.env, p->o.n_env, pv.threads);
    if (v->envp == NULL)
        return -ENOMEM;
    if (v->rec->command == NULL && tp__cmd_subst_shell(p->o.command, pv.vars, 2, &v->rec->command, NULL) < 0)
        return -ENOMEM;
    return 0;
}

static void visit_close(struct visit *v)
{
    free_cmd(&v->main);
    free_cmd(&v->prepare);
    free_cmd(&v->setup);
    free_cmd(&v->cleanup);
    tp__env_free(v->envp, v->p->o.n_env);
}

/* Marks the point failed (the first failure of the visit wins). */
static void fail(struct visit *v, enum tp_point_status st, int error, const char *tail, const char *fmt, ...)
{
    if (v->failed)
        return;
    v->failed = 1;
    struct tp_program_point *rec = v->rec;
    rec->status = v->out->status = st;
    rec->error = v->out->error = error;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->reason, sizeof rec->reason, fmt, ap);
    va_end(ap);
    tp__copy_string(rec->stderr_tail, sizeof rec->stderr_tail, tail != NULL ? tail : "");
}

/* Judges how a command ended; returns 0 when it succeeded. */
static int judge(struct visit *v, const char *what, const struct tp__exec_result *x)
{
    if (x->cancelled) {
        v->cancelled = 1;
        return -1;
    }
    if (x->spawn_error < 0)
        fail(v, TP_POINT_FAILED, x->spawn_error, x->tail, "%s: %s", what, x->tail);
    else if (x->timed_out)
        fail(v, TP_POINT_TIMEOUT, TP_ETIMEOUT, x->tail, "%s: still running after %g s: its process group was killed",
             what, v->req->timeout_s);
    else if (x->signal != 0) {
        fail(v, TP_POINT_CRASHED, TP_ECRASHED, x->tail, "%s: killed by signal %d (%s)", what, x->signal,
             strsignal(x->signal));
        v->out->signal = x->signal;
    } else if (x->exit_code != 0)
        fail(v, TP_POINT_FAILED, TP_EEXIT, x->tail, "%s: exit status %d%s", what, x->exit_code,
             x->exit_code == 127 && !v->p->o.no_shell ? " (command not found?)" : "");
    else
        return 0;
    return -1;
}

static int run_cmd(struct visit *v, const struct cmdline *c, int capture, int kill_leftovers, struct tp__exec_result *x)
{
    struct tp__exec_cmd cmd = {
        .argv = c->argv,
        .envp = v->envp,
        .timeout_s = v->req->timeout_s,
        .show_output = v->p->o.show_output,
        .capture_stdout = capture,
        .kill_leftovers = kill_leftovers,
        .cancel = v->no_cancel ? NULL : v->req->cancel,
    };
    int rc = tp__exec_run(&cmd, x);
    return rc < 0 && x->spawn_error == 0 ? rc : 0; /* a harness failure; a spawn error is judged */
}

/* An untimed command (setup, prepare, cleanup). Returns 0 when it succeeded
 * (or there is none), -1 when the visit must end, a negative errno. */
static int run_other(struct visit *v, const struct cmdline *c, const char *what, int kill_leftovers)
{
    if (c->argv == NULL)
        return 0;
    struct tp__exec_result x;
    int rc = run_cmd(v, c, 0, kill_leftovers, &x);
    v->rec->other_runs++;
    tp__exec_result_clear(&x);
    if (rc < 0)
        return rc;
    return judge(v, what, &x);
}

/* The figure of a successful run; -1 when its metric fails (the point is marked). */
static int run_value(struct visit *v, const char *what, const struct tp__exec_result *x, double *metric, double *value)
{
    const struct program *p = v->p;
    double units = p->o.work > 0 ? (double)p->o.work : 1.0;
    *metric = NAN;
    if (!p->have_re) {
        *value = x->wall_s > 0 ? units / x->wall_s : 0.0;
        return 0;
    }
    char why[160];
    int rc = tp__metric_find(&p->re, x->out != NULL ? x->out : "", metric, why, sizeof why);
    if (rc == 0 && p->o.metric_lower && !(*metric > 0)) {
        snprintf(why, sizeof why, "the metric %g is not above 0 (lower is better: the sweep uses 1 / it)", *metric);
        rc = TP_ENOMETRIC;
    }
    if (rc < 0) {
        size_t end = x->out_len, start;
        while (end > 0 && (x->out[end - 1] == '\n' || x->out[end - 1] == '\r'))
            end--;
        for (start = end; start > 0 && x->out[start - 1] != '\n';)
            start--; /* the last non-empty line */
        fail(v, TP_POINT_FAILED, TP_ENOMETRIC, x->tail, "%s: %s (last output line: '%.*s')", what, why,
             (int)(end - start > 60 ? 60 : end - start), x->out != NULL ? x->out + start : "");
        return -1;
    }
    *value = p->o.metric_lower ? 1.0 / *metric : *metric;
    return 0;
}

/* One run of the program; timed ones (rep >= 0) are recorded and go into
 * out->reps[rep]. Returns 0, -1 when the visit must end, a negative errno. */
static int run_main(struct visit *v, int rep, int warm_index)
{
    char what[48];
    if (rep >= 0)
        snprintf(what, sizeof what, "run %d", v->rec->n_runs + 1);
    else
        snprintf(what, sizeof what, "warm-up run %d", warm_index + 1);
    struct tp__exec_result x;
    int rc = run_cmd(v, &v->main, v->p->have_re, 1, &x);
    if (rc < 0)
        return rc;
    double metric = NAN, value = 0.0;
    int bad = judge(v, what, &x);
    if (bad == 0)
        bad = run_value(v, what, &x, &metric, &value);
    if (rep < 0)
        v->rec->warmup_runs++;
    else if (!x.cancelled && v->rec->n_runs < TP_MAX_REPS) {
        v->rec->run[v->rec->n_runs++] =
            (struct tp_program_run){ x.wall_s, x.user_s,    x.sys_s, x.max_rss_kb,          x.exit_code,
                                     x.signal, x.timed_out, metric,  bad == 0 ? value : 0.0 };
    }
    if (bad == 0 && rep >= 0) {
        struct tp_rep *r = &v->out->reps[rep];
        double units = v->p->o.work > 0 ? (double)v->p->o.work : 1.0;
        *r = (struct tp_rep){ value, x.wall_s, x.user_s + x.sys_s, (uint64_t)units, x.nvcsw, x.nivcsw };
        if (x.max_rss_kb > v->out->max_rss_kb)
            v->out->max_rss_kb = x.max_rss_kb;
    }
    tp__exec_result_clear(&x);
    return bad;
}

/* Repetitions wanted: the request's, or auto (until the interval of the
 * median is target_ci x median wide, TP_REPEAT_MIN .. repeat_max). */
static int auto_done(const struct visit *v, int n)
{
    const struct tp_point_request *req = v->req;
    int max = req->repeat_max > 0 && req->repeat_max <= TP_MAX_REPS ? req->repeat_max : 10;
    if (n >= max)
        return 1;
    if (n < TP_REPEAT_MIN)
        return 0;
    double x[TP_MAX_REPS], lo, hi;
    for (int i = 0; i < n; i++)
        x[i] = v->out->reps[i].throughput;
    double med = tp__median(x, (size_t)n);
    if (tp__bootstrap_median_ci(x, (size_t)n, tp__effective_confidence(req->confidence),
                                tp__point_seed(req->seed, req->threads), TP__BOOTSTRAP_RESAMPLES, &lo, &hi) < 0)
        return 0;
    double target = req->target_ci > 0 ? req->target_ci : 0.02;
    return med > 0 && (hi - lo) / med <= target;
}

/* setup, warm-ups, repetitions; cleanup is the caller's. Returns 0, -1
 * (the visit ended: failed or cancelled), a negative errno. */
static int visit_runs(struct visit *v)
{
    const struct tp_point_request *req = v->req;
    int rc = run_other(v, &v->setup, "setup", 0);
    for (int i = 0; rc == 0 && req->warmup && i < v->p->o.warmup; i++) {
        rc = run_other(v, &v->prepare, "prepare", 1);
        if (rc == 0)
            rc = run_main(v, -1, i);
    }
    int want = req->repeat > 0 && req->repeat <= TP_MAX_REPS ? req->repeat : 0;
    for (int n = 0; rc == 0 && (want > 0 ? n < want : !auto_done(v, n)); n++) {
        if (req->cancel != NULL && *req->cancel) {
            v->cancelled = 1;
            return -1;
        }
        rc = run_other(v, &v->prepare, "prepare", 1);
        if (rc == 0)
            rc = run_main(v, n, 0);
        if (rc == 0) {
            v->out->n_reps = n + 1;
            if (req->reps_done != NULL)
                __atomic_store_n(req->reps_done, n + 1, __ATOMIC_RELAXED);
        }
    }
    return rc;
}

/* The per-point figures from the repetitions (tp_point's raw fields). */
static void fill_point(struct visit *v)
{
    struct tp_point *out = v->out;
    double cpu = 0, wall_cores = 0, c_sum = 0, w_sum = 0;
    for (int i = 0; i < out->n_reps; i++) {
        const struct tp_rep *r = &out->reps[i];
        double units = (double)r->tasks;
        cpu += r->cpu_s;
        wall_cores += r->elapsed_s * v->req->cores;
        c_sum += r->cpu_s / units;
        w_sum += r->elapsed_s * v->req->threads / units;
        out->work_ops += r->tasks;
    }
    if (out->n_reps > 0) {
        out->task_cpu_mean_ns = c_sum / out->n_reps * 1e9;  /* C: CPU per unit */
        out->task_wall_mean_ns = w_sum / out->n_reps * 1e9; /* W + C: thread time per unit */
        out->cpu_util = wall_cores > 0 ? cpu / wall_cores : 0.0;
    }
    out->tasks_per_rep = v->p->o.work > 0 ? v->p->o.work : 1;
    out->wall_s = (double)(tp__now_ns() - v->t0) / 1e9;
}

int tp__program_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out)
{
    struct program *p = ctx;
    struct visit v = { .p = p, .req = req, .out = out, .t0 = tp__now_ns() };
    out->status = TP_POINT_OK;
    out->error = out->signal = 0;
    out->n_reps = 0;
    out->threads_started = req->threads;
    out->max_rss_kb = 0;
    out->work_ops = out->work_bytes = out->work_errors = 0;
    v.rec = record_for(p, req->threads, req->multiplier);
    if (v.rec == NULL) {
        out->status = TP_POINT_FAILED;
        out->error = -ENOMEM;
        return 0;
    }
    v.rec->visits++;
    int rc = visit_open(&v);
    if (rc == 0)
        rc = visit_runs(&v);
    if (rc < -1)
        fail(&v, TP_POINT_FAILED, rc, "", "the harness failed: %s", tp_strerror(rc));
    if (v.main.argv != NULL && v.envp != NULL) {
        int cancelled = v.cancelled;
        v.no_cancel = 1;
        run_other(&v, &v.cleanup, "cleanup", 1); /* after a failure too; its own failure then adds nothing */
        v.cancelled = cancelled;
    }
    visit_close(&v);
    if (!v.failed && !v.cancelled)
        v.rec->status = TP_POINT_OK;
    fill_point(&v);
    return v.cancelled ? TP_ECANCELED : 0;
}

/* ---- into the result ---- */

static char *dup_or_null(const char *s, int *ok)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *ok = 0;
    return d;
}

int tp_program_source_attach(struct tp_source *src, struct tp_result *result)
{
    if (src == NULL || result == NULL || src->measure != tp__program_measure || src->ctx == NULL)
        return -EINVAL;
    struct program *p = src->ctx;
    struct tp_program_result *pr = calloc(1, sizeof *pr);
    if (pr == NULL)
        return -ENOMEM;
    int ok = 1;
    pr->command = dup_or_null(p->command, &ok);
    pr->prepare = dup_or_null(p->prepare, &ok);
    pr->setup = dup_or_null(p->setup, &ok);
    pr->cleanup = dup_or_null(p->cleanup, &ok);
    pr->metric = dup_or_null(p->metric, &ok);
    for (int i = 0; i < p->o.n_env; i++)
        pr->env[i] = dup_or_null(p->env[i], &ok);
    if (!ok) {
        tp_program_result_free(pr);
        return -ENOMEM;
    }
    pr->n_env = p->o.n_env;
    pr->placeholders = p->placeholders;
    pr->no_shell = p->o.no_shell;
    pr->metric_lower = p->o.metric_lower;
    pr->show_output = p->o.show_output;
    pr->warmup = p->o.warmup;
    pr->work = p->o.work;
    pr->build_like = tp_program_build_like(p->command);
    pr->unit = tp_program_unit(p->have_re, p->o.work);
    pr->points = p->points;
    pr->n_points = p->n_points;
    for (size_t i = 0; i < pr->n_points; i++) {
        pr->runs += pr->points[i].n_runs;
        pr->warmup_runs += pr->points[i].warmup_runs;
        pr->other_runs += pr->points[i].other_runs;
    }
    p->points = NULL;
    p->n_points = p->cap = 0;
    tp_program_result_free(result->program);
    result->program = pr;
    return 0;
}

const char *tp_program_unit(int has_metric, uint64_t work)
{
    return has_metric ? "metric" : work > 0 ? "units/s" : "runs/s";
}

void tp_program_result_free(struct tp_program_result *pr)
{
    if (pr == NULL)
        return;
    free(pr->command);
    free(pr->prepare);
    free(pr->setup);
    free(pr->cleanup);
    free(pr->metric);
    for (int i = 0; i < TP_PROGRAM_MAX_ENV; i++)
        free(pr->env[i]);
    free_points(pr->points, pr->n_points);
    free(pr);
}

const struct tp_program_point *tp_program_point_find(const struct tp_result *result, int threads)
{
    if (result == NULL || result->program == NULL)
        return NULL;
    for (size_t i = 0; i < result->program->n_points; i++)
        if (result->program->points[i].threads == threads)
            return &result->program->points[i];
    return NULL;
}
