/* main.c - the tune-pool command: parse, preflight, run, write the results, map errors to exit codes. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "async_run.h"
#include "integrate.h"
#include "merge_cmd.h"
#include "completion.h"
#include "msg.h"
#include "online_run.h"
#include "options.h"
#include "preflight.h"
#include "progress.h"
#include "tunepool/tunepool.h"

/* Set from the SIGINT/SIGTERM handler; read by the sweep between steps. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: let poll() return at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The output directory must exist, or its parent must, and be writable:
 * checked before anything is measured so that a usage error wastes no time.
 * It is created only when there are results to write. */
static int check_output_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            tp_cli_usage_error("--output-dir: '%s' is not a directory", dir);
            return -1;
        }
        if (access(dir, W_OK | X_OK) < 0) {
            tp_cli_usage_error("--output-dir: '%s' is not writable: %s", dir, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        tp_cli_usage_error("--output-dir: cannot use '%s': %s", dir, strerror(errno));
        return -1;
    }
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", dir);
    char *slash = strrchr(parent, '/');
    while (slash != NULL && slash != parent && slash[1] == '\0') { /* trailing slashes */
        *slash = '\0';
        slash = strrchr(parent, '/');
    }
    if (slash == NULL)
        snprintf(parent, sizeof(parent), ".");
    else if (slash == parent)
        parent[1] = '\0';
    else
        *slash = '\0';
    if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode) || access(parent, W_OK | X_OK) < 0) {
        tp_cli_usage_error("--output-dir: cannot create '%s': its parent '%s' is missing or not writable", dir, parent);
        return -1;
    }
    return 0;
}

static int csv_writer(void *ctx, FILE *f) { return tp_report_write(ctx, TP_FORMAT_CSV, f); }
static int json_writer(void *ctx, FILE *f) { return tp_report_write(ctx, TP_FORMAT_JSON, f); }

static int save_results(const struct tp_result *r, const struct tp_cli_opts *o, const char *name)
{
    static const struct tp_cli_file files[] = { { "csv", csv_writer }, { "json", json_writer } };
    return tp_cli_save_files(o, name, files, sizeof files / sizeof files[0], (void *)r);
}

/* The sweep's options from the command line's; progress reports to ps. */
static void sweep_opts_from(const struct tp_cli_opts *o, struct tp_cli_progress *ps, struct tp_sweep_opts *so)
{
    *so = (struct tp_sweep_opts){
        .multipliers = o->multipliers,
        .n_multipliers = o->n_multipliers,
        .include_rules = 1,
        .max_threads = o->max_threads,
        .strategy = o->strategy,
        .resolution = o->resolution,
        .tolerance = o->tolerance,
        .max_p99_ns = o->max_p99_ns,
        .max_errors = o->max_errors,
        .repeat = o->repeat,
        .repeat_max = o->repeat_max,
        .target_ci = o->target_ci,
        .tasks = o->tasks,
        .rep_seconds = o->rep_seconds,
        .warmup = o->warmup,
        .stack_size = (size_t)o->stack_size,
        .point_timeout_s = o->point_timeout_s,
        .confidence = o->confidence,
        .seed = o->seed,
        .workload = o->workload,
        .cancel = &interrupted,
        .progress = tp_cli_progress_event,
        .progress_ctx = ps,
        .max_runs = o->max_runs,
    };
}

/* The cores the multipliers refer to. Returns TP_EXIT_OK, or
 * TP_EXIT_RUNTIME after the message. */
static int detect_cores(const struct tp_cli_opts *o, struct tp_topology *topo)
{
    struct tp_topology_opts topts = { .cores_override = o->cores, .unit = o->unit };
    int rc = tp_topology_detect(topo, &topts);
    if (rc < 0) {
        tp_cli_error("cannot detect the cores: %s", tp_strerror(rc));
        return TP_EXIT_RUNTIME;
    }
    if (topo->warning[0] != '\0')
        tp_cli_warn("%s", topo->warning);
    return TP_EXIT_OK;
}

/* Everything that can be found wrong before anything is measured or written:
 * the output directory and plot file, the workload (a plugin that loads and
 * has the right ABI, a directory that takes O_DIRECT), the executor, and the
 * multipliers against --max-threads (the check tp_sweep_run makes, done
 * before the banner: a usage error is the only thing a usage error prints).
 * Returns TP_EXIT_OK, or TP_EXIT_USAGE after the message. */
static int preflight(const struct tp_cli_opts *o, const struct tp_topology *topo)
{
    char werr[1024];
    int cores = topo->effective_cores;
    if ((o->save || (o->plot && o->plot_path == NULL)) &&
        (check_output_dir(o->output_dir) < 0 || tp_cli_probe_dir("--output-dir", o->output_dir) < 0))
        return TP_EXIT_USAGE;
    if (o->plot && o->plot_path != NULL && tp_cli_probe_file("--plot", o->plot_path) < 0)
        return TP_EXIT_USAGE;
    if (tp_workload_check(&o->workload, werr, sizeof werr) < 0) {
        tp_cli_usage_error("%s", werr);
        return TP_EXIT_USAGE;
    }
    if (tp_cli_executor_check(o, cores) < 0) /* --executor=async on file/plugin */
        return TP_EXIT_USAGE;
    for (size_t i = 0; i < o->n_multipliers; i++) {
        int threads = tp_threads_for(o->multipliers[i], cores);
        if (threads > o->max_threads) {
            tp_cli_usage_error("--multipliers: m = %g needs %d threads on %d core%s, more than --max-threads=%d",
                               o->multipliers[i], threads, cores, tp_cli_plural(cores), o->max_threads);
            return TP_EXIT_USAGE;
        }
    }
    return TP_EXIT_OK;
}

/* The line that says what is about to be measured, unless --quiet. */
static void print_banner(const struct tp_cli_opts *o, const struct tp_topology *topo, const char *name)
{
    if (o->quiet)
        return;
    char reps[64];
    if (o->repeat > 0)
        snprintf(reps, sizeof(reps), "%d repetition%s per point", o->repeat, tp_cli_plural(o->repeat));
    else
        snprintf(reps, sizeof(reps), "%d..%d repetitions per point (auto)", TP_REPEAT_MIN, o->repeat_max);
    if (o->program.command != NULL && o->strategy == TP_STRATEGY_RACE)
        snprintf(reps, sizeof(reps), "at most %d timed runs", o->max_runs > 0 ? o->max_runs : TP_RACE_DEFAULT_MAX_RUNS);
    fprintf(stderr, "%s: %d core%s (%s); %s %s; %s search; %s\n", TP_CLI_NAME, topo->effective_cores,
            tp_cli_plural(topo->effective_cores), tp_cores_source_name(topo->source),
            o->program.command != NULL ? "program" : "workload", name, tp_strategy_name(o->strategy), reps);
}

/* The pool's sweep (unless --executor=async), then the event loops' beside
 * it (docs/executors.md). Returns the sweep's code. */
static int run_sweeps(const struct tp_cli_opts *o, struct tp_sweep_opts *so, const struct tp_topology *topo,
                      struct tp_cli_progress *ps, struct tp_result *result)
{
    install_signals();
    /* Until a point has finished, guess its time from the repetition target. */
    tp_cli_progress_start(ps, isatty(STDERR_FILENO), o->quiet, o->repeat, o->repeat_max,
                          o->tasks == 0 ? ((o->repeat > 0 ? o->repeat : TP_REPEAT_MIN) + 1) * o->rep_seconds : 0.0);
    so->reps_done = tp_cli_progress_reps_done(ps);
    if (o->program.command != NULL)
        ps->unit = tp_program_unit(o->program.metric != NULL, o->program.work);
    int rc = o->executor_mode == TP_CLI_EXEC_ASYNC ? 0 : tp_sweep_run(so, topo, result);
    tp_cli_progress_stop(ps);
    if (o->executor_mode != TP_CLI_EXEC_POOL && rc != TP_ECANCELED && (rc >= 0 || result->points != NULL))
        rc = tp_cli_run_async(o, so, topo, result, rc);
    return rc;
}

/* Points of r not eligible for their failures (--max-errors). */
static int count_error_excluded(const struct tp_result *r)
{
    int n = 0;
    for (size_t i = 0; i < r->n_points; i++)
        n += r->points[i].error_excluded;
    return n;
}

/* The exit code of a sweep that left points to write (rc: what it returned),
 * after the message that explains it. */
static int sweep_exit_code(int rc, const struct tp_result *result)
{
    if (rc == TP_ECANCELED) {
        size_t measured = 0;
        for (size_t i = 0; i < result->n_points; i++)
            measured += result->points[i].status != TP_POINT_SKIPPED;
        tp_cli_error("interrupted: keeping the %zu of %zu point%s measured so far, marked partial", measured,
                     result->n_points, tp_cli_plural((long long)result->n_points));
        return TP_EXIT_INTERRUPTED;
    }
    if (rc == TP_ENOFEASIBLE) {
        int failing = count_error_excluded(result);
        if (result->async != NULL)
            failing += count_error_excluded(&result->async->sweep);
        if (failing > 0)
            tp_cli_error("no measured point is eligible: %d point%s failed more often than --max-errors allows%s; "
                         "the results show each point's failures",
                         failing, tp_cli_plural(failing),
                         result->max_p99_ns > 0 ? " (and --max-p99 bounds the rest)" : "");
        else
            tp_cli_error("no measured point keeps its p99 under --max-p99; the results show each point's p99");
        return TP_EXIT_RUNTIME;
    }
    if (rc == TP_ENOPOINTS) {
        tp_cli_error("no point could be measured; the results list each point's reason");
        return TP_EXIT_RUNTIME;
    }
    if (rc < 0) {
        tp_cli_error("sweep failed: %s", tp_strerror(rc));
        return TP_EXIT_RUNTIME;
    }
    return TP_EXIT_OK;
}

/* The results files, the plot and stdout. Returns code, or TP_EXIT_RUNTIME
 * when code was TP_EXIT_OK and one of them failed. */
static int write_outputs(const struct tp_result *result, const struct tp_cli_opts *o, const char *name, int code)
{
    if (o->save && save_results(result, o, name) < 0 && code == TP_EXIT_OK)
        code = TP_EXIT_RUNTIME;
    if (o->plot && tp_cli_plot(result, o, name) < 0 && code == TP_EXIT_OK)
        code = TP_EXIT_RUNTIME;
    if (tp_cli_write_stdout(result, o) != TP_EXIT_OK && code == TP_EXIT_OK)
        code = TP_EXIT_RUNTIME;
    return code;
}

/* --run: the sweep's source becomes the user's program (docs/run.md).
 * Returns TP_EXIT_OK, or TP_EXIT_USAGE / TP_EXIT_RUNTIME after the message. */
static int program_source(const struct tp_cli_opts *o, struct tp_sweep_opts *so)
{
    char why[512];
    if (o->program.command == NULL)
        return TP_EXIT_OK;
    int rc = tp_program_source_create(&so->source, &o->program, why, sizeof why);
    if (tp_program_build_like(o->program.command))
        so->rule_kinds |= TP_RULE_FOR_BUILDS; /* ninja's cores + 2 as a row and, racing, a point */
    if (rc == -EINVAL) {
        tp_cli_usage_error("%s", why);
        return TP_EXIT_USAGE;
    }
    if (rc < 0) {
        tp_cli_error("--run: %s", tp_strerror(rc));
        return TP_EXIT_RUNTIME;
    }
    return TP_EXIT_OK;
}

/* A measurement: the sweeps, then what they found, written. Returns the exit code. */
static int measure(const struct tp_cli_opts *o, struct tp_sweep_opts *so, const struct tp_topology *topo,
                   struct tp_cli_progress *ps)
{
    const char *name = o->name != NULL              ? o->name
                       : o->program.command != NULL ? "run"
                                                    : tp_workload_name(o->workload.kind);
    struct tp_result result;
    int code;
    memset(&result, 0, sizeof(result));
    print_banner(o, topo, o->program.command != NULL ? o->program.command : name);
    int rc = run_sweeps(o, so, topo, ps, &result);
    if (o->program.command != NULL && (result.points != NULL || rc >= 0) &&
        tp_program_source_attach(&so->source, &result) < 0)
        tp_cli_warn("--run: out of memory keeping the per-run records");
    if (rc == -E2BIG) {
        tp_cli_usage_error("--multipliers: the plan needs more than --max-threads=%d thread%s on %d core%s",
                           o->max_threads, tp_cli_plural(o->max_threads), topo->effective_cores,
                           tp_cli_plural(topo->effective_cores));
        code = TP_EXIT_USAGE;
    } else if (rc < 0 && result.points == NULL && (result.async == NULL || result.async->sweep.points == NULL)) {
        tp_cli_error("cannot run the sweep: %s", tp_strerror(rc));
        code = rc == -EINVAL ? TP_EXIT_USAGE : TP_EXIT_RUNTIME;
    } else {
        code = write_outputs(&result, o, name, sweep_exit_code(rc, &result));
    }
    tp_result_free(&result);
    return code;
}

/* What the command line asks for once parsed: --help, --version, --from, or
 * a measurement (--online or a sweep). Returns the exit code. */
static int run(const struct tp_cli_opts *o)
{
    if (o->show_help) {
        tp_cli_usage(stdout);
        return TP_EXIT_OK;
    }
    if (o->show_version) {
        printf("%s %s\n", TP_CLI_NAME, tp_version());
        return TP_EXIT_OK;
    }
    if (o->from != NULL) {
        if (o->plot && o->plot_path != NULL && tp_cli_probe_file("--plot", o->plot_path) < 0)
            return TP_EXIT_USAGE;
        return tp_cli_run_from(o);
    }
    if (tp_cli_online_check(o) < 0)
        return TP_EXIT_USAGE;
    struct tp_topology topo;
    int code = detect_cores(o, &topo);
    if (code == TP_EXIT_OK)
        code = preflight(o, &topo);
    if (code != TP_EXIT_OK)
        return code;
    struct tp_cli_progress ps;
    struct tp_sweep_opts so;
    struct tp_host host;
    sweep_opts_from(o, &ps, &so);
    if (tp_host_describe(&host, &topo, o->host_class) == 0) /* --host-class was checked when parsed */
        so.host = &host;
    if (!o->online) {
        if ((code = program_source(o, &so)) == TP_EXIT_OK)
            code = measure(o, &so, &topo, &ps);
        tp_program_source_destroy(&so.source);
        return code;
    }
    if (!o->quiet)
        fprintf(stderr, "%s: %d core%s (%s); online tuning over %zu io phase%s\n", TP_CLI_NAME, topo.effective_cores,
                tp_cli_plural(topo.effective_cores), tp_cores_source_name(topo.source), o->n_phases,
                tp_cli_plural((long long)o->n_phases));
    install_signals();
    so.progress = NULL; /* the per-phase sweeps say which phase they measure */
    return tp_cli_run_online(o, &so, &topo, &interrupted);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "completion") == 0)
        return tp_cli_completion_command(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "compare") == 0)
        return tp_cli_compare(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "merge") == 0)
        return tp_cli_merge(argc - 1, argv + 1);
    struct tp_cli_opts o;
    char err[512];
    int code;
    tp_cli_opts_init(&o);
    if (tp_cli_parse_args(argc, argv, &o, err, sizeof(err)) < 0) {
        tp_cli_usage_error("%s", err);
        code = TP_EXIT_USAGE;
    } else {
        code = run(&o);
    }
    tp_cli_opts_free(&o);
    return code;
}
