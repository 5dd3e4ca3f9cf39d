/* options.c - tune-pool's command line: the option table, its parsing section by section, the checks of the whole, --help. */
#include <errno.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "values.h"

#define MAX_MULTIPLIERS 256
#define MAX_TASK_NS TP_MAX_TASK_NS
#define MAX_THREADS_LIMIT 65536
#define MAX_PHASES TP_CLI_MAX_PHASES
#define MAX_PHASE_WAIT_NS 10000000000ull /* 10 s */

void tp_cli_opts_init(struct tp_cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->workload.kind = TP_WORKLOAD_IO;
    o->workload.latency_ns = 2000000;
    o->workload.compute_ns = 100000;
    o->workload.io_fraction = 0.5;
    o->workload.file_size = TP_FILE_DEFAULT_SIZE;
    o->workload.block_size = TP_FILE_DEFAULT_BLOCK;
    o->workload.server_delay_ns = 1000000;
    o->workload.reply_size = TP_NET_DEFAULT_REPLY;
    o->workload.request_size = TP_NET_DEFAULT_REQUEST;
    o->repeat = 0;
    o->repeat_max = TP_DEFAULT_REPEAT_MAX;
    o->target_ci = TP_DEFAULT_TARGET_CI;
    o->strategy = TP_STRATEGY_ADAPTIVE;
    o->resolution = TP_DEFAULT_RESOLUTION;
    o->tolerance = 0.02;
    o->max_errors = TP_DEFAULT_MAX_ERRORS;
    o->rep_seconds = TP_DEFAULT_REP_SECONDS;
    o->warmup = 1;
    o->unit = TP_UNIT_PU;
    o->max_threads = 4096;
    o->stack_size = TP_POOL_DEFAULT_STACK;
    o->point_timeout_s = 120;
    o->confidence = TP_DEFAULT_CONFIDENCE;
    o->seed = 1;
    o->output_dir = "results";
    o->save = 1;
    o->format = TP_FORMAT_TABLE;
    o->phase_time_ns = 8000000000ull;
    tp_program_opts_init(&o->program);
}

/* The default --phases: 2 ms, then 10 ms, then 0.5 ms (a database slows
 * down, then a cache warms). */
static const uint64_t default_phases_ns[] = { 2000000, 10000000, 500000 };

static int set_default_phases(struct tp_cli_opts *o)
{
    o->phases_ns = malloc(sizeof default_phases_ns);
    if (o->phases_ns == NULL)
        return -ENOMEM;
    memcpy(o->phases_ns, default_phases_ns, sizeof default_phases_ns);
    o->n_phases = sizeof default_phases_ns / sizeof default_phases_ns[0];
    return 0;
}

void tp_cli_opts_free(struct tp_cli_opts *o)
{
    free(o->multipliers);
    o->multipliers = NULL;
    free(o->inflight);
    o->inflight = NULL;
    free(o->phases_ns);
    o->phases_ns = NULL;
}

/* --help: what the command does and its three forms. */
static void usage_intro(FILE *f)
{
    fputs("Usage: tune-pool [OPTION]...\n"
          "  or:  tune-pool --from=FILE.json [--emit=KIND] [--plot[=FILE]] [--format=FORMAT]\n"
          "  or:  tune-pool compare A.json B.json [--format=table|markdown]\n"
          "  or:  tune-pool merge FILE.json|DIR... [--format=FORMAT] [--emit=KIND] [--plot]\n"
          "  or:  tune-pool completion bash|zsh\n"
          "Measure how throughput changes with a thread pool's size on this machine and\n"
          "recommend the multiplier m (threads = m x cores) for the workload.\n",
          f);
}

/* --help: what each task does. */
static void usage_workload(FILE *f)
{
    fputs("Workload:\n"
          "  --workload=KIND        what each task does (docs/workloads.md)   [io]\n"
          "                         io: a blocking wait, then CPU work; cpu: CPU work\n"
          "                         only; mixed: --io-fraction of the tasks wait, the\n"
          "                         others compute; file: pread of a random block of\n"
          "                         a temporary file; net: TCP request/response over\n"
          "                         loopback to a server tune-pool starts and stops\n"
          "                         itself; noop: empty tasks, the pool's own cost;\n"
          "                         pg: a PostgreSQL query per task, on the worker's\n"
          "                         own connection (libpq); http: one HTTP request\n"
          "                         to --url (libcurl, a kept-alive connection per\n"
          "                         thread); plugin:PATH.so: your own task\n"
          "                         (tunepool/plugin.h)\n"
          "  --latency=DURATION     io, mixed: the blocking wait per task     [2ms]\n"
          "  --compute=DURATION     io, cpu, mixed: CPU time per task (real\n"
          "                         computation)                              [100us]\n"
          "                         DURATION is a number and a unit: ns, us, ms, s\n"
          "  --io-fraction=F        mixed: share of the tasks that wait, 0..1 [0.5]\n"
          "  --file-size=SIZE       file: size of the temporary file          [64M]\n"
          "  --block-size=SIZE      file: bytes per read                      [4K]\n"
          "  --file-dir=DIR         file: where the file is made (and removed at\n"
          "                         once; the sweep keeps it open) [$TMPDIR or /tmp]\n"
          "  --direct               file: O_DIRECT reads, bypassing the page cache;\n"
          "                         a file system without O_DIRECT (tmpfs) is a\n"
          "                         usage error naming the directory (exit 2)\n"
          "  --server-delay=DURATION  net: the server's wait (a timer) before each\n"
          "                         reply                                     [1ms]\n"
          "  --reply-size=SIZE      net: bytes per reply                      [1K]\n"
          "  --request-size=SIZE    net: bytes per request                    [64]\n"
          "  --conninfo=STR         pg: the libpq connection string (required)\n"
          "  --query=SQL            pg: the statement each task runs, prepared;\n"
          "                         repeatable (tasks cycle through them), or\n"
          "                         @FILE (one per line, or ;-separated); {task}\n"
          "                         is the task index, bound as $1   (required)\n"
          "  --server-cores=N       pg: the server's cores, for the rule\n"
          "                         2 x server cores + spindles [effective cores]\n"
          "  --spindles=N           pg: the server's disks, for that rule      [0]\n"
          "  --workload-arg=STR     plugin: the string its setup() receives   [\"\"]\n"
          "  --url=URL              http: what each task requests (required); checked\n"
          "                         with one request first: unreachable is exit 2\n"
          "  --method=METHOD        http: the request method  [GET; POST with --body]\n"
          "  --header='NAME: VALUE' http: a request header (repeatable)\n"
          "  --body=@FILE|STR       http: the request body, or @FILE for its bytes\n"
          "  --ok-status=LIST       http: statuses that succeed, e.g. 200-299,304;\n"
          "                         others and transport errors are failures [200-399]\n"
          "  --http-timeout=DURATION  http: one request's limit (connect: 5s at most)\n"
          "                                                                   [10s]\n",
          f);
}

/* --help: which points are measured, and how often. */
static void usage_sweep(FILE *f)
{
    fprintf(f,
            "Sweep:\n"
            "  --strategy=STRATEGY    how points are chosen                  [adaptive]\n"
            "                         adaptive: a coarse pass m = 1, 2, 4, ... 256 (up to\n"
            "                         --max-threads), then refinement around the knee\n"
            "                         and the peak; grid: exactly --multipliers; race:\n"
            "                         points raced a run at a time, for expensive runs\n"
            "                         (the default with --run; docs/run.md)\n"
            "  --multipliers=LIST     comma-separated m values for the grid; threads =\n"
            "                         round(m x cores); implies --strategy=grid\n"
            "                         [0.5,1,2,3,4,6,8,12,16,24,32]; the rule-of-thumb\n"
            "                         sizes (m = 5, min(32, cores + 4), m = 1) are always\n"
            "                         added\n"
            "  --resolution=F         adaptive: refine until neighbours are within F x\n"
            "                         the pick's threads, 0 < F < 1             [0.1]\n"
            "  --tolerance=P          a point within P of the best's interval floor\n"
            "                         counts as the same work: the band's practical\n"
            "                         margin, a fraction or a percentage; 0 = the\n"
            "                         intervals alone                           [2%%]\n"
            "  --repeat=R|auto        repetitions per point, 1..%d; auto repeats until\n"
            "                         the interval is --precision narrow        [auto]\n"
            "  --max-repeat=R         auto: at most R repetitions, %d..%d        [10]\n"
            "  --precision=P          auto: target width of the interval of the median,\n"
            "                         a fraction or a percentage of it          [2%%]\n"
            "  --tasks=N|auto         tasks per repetition; auto sizes a repetition to\n"
            "                         --rep-time from the warm-up's throughput  [auto]\n"
            "  --rep-time=DURATION    auto: the target length of a repetition  [300ms]\n"
            "  --no-warmup            skip the warm-up batch (auto still runs one to\n"
            "                         size repetitions)\n"
            "  --max-threads=N        refuse plans above N threads              [4096]\n"
            "  --stack-size=SIZE      worker stack, bytes with K/M suffix       [64K]\n"
            "  --point-timeout=DURATION  a point running longer is stopped and\n"
            "                         recorded as timed out                     [120s]\n"
            "  --confidence=P         interval level, 0.5 < P < 1               [0.95]\n"
            "  --seed=N               seed of the bootstrap resampling          [1]\n",
            TP_MAX_REPS, TP_REPEAT_MIN, TP_MAX_REPS);
}

/* --help: the event loops beside the pool. */
static void usage_executors(FILE *f)
{
    fputs("Executors (docs/executors.md):\n"
          "  --executor=EXEC        pool: the thread pool sweep; async: one event\n"
          "                         loop per core (epoll) with c tasks in flight\n"
          "                         each, swept like m; both: the two, side by side\n"
          "                         with the verdict; file and plugin workloads have\n"
          "                         no async path                            [pool]\n"
          "  --inflight=LIST        async: c values (tasks in flight per loop) for a\n"
          "                         grid; default: the strategy's m list as c\n",
          f);
}

/* --help: the self-resizing pool over phases. */
static void usage_online(FILE *f)
{
    fputs("Online tuning (docs/online.md):\n"
          "  --online               instead of one sweep: run io phases with different\n"
          "                         waits through a pool that resizes itself while it\n"
          "                         runs, next to each phase's offline optimum (a\n"
          "                         sweep per phase); writes NAME.csv/.json [online]\n"
          "  --phases=LIST          the wait of each phase              [2ms,10ms,500us]\n"
          "  --phase-time=DURATION  how long each phase runs, >= 500ms       [8s]\n"
          "  --start-threads=N      the tuned pool's size at the start [5 x cores]\n"
          "  --online-baselines     also run fixed pools over the same phases: each\n"
          "                         phase's offline pick (oracle) and 5 x cores\n"
          "  --no-offline           skip the per-phase sweeps (no fractions of the\n"
          "                         offline best, no oracle)\n",
          f);
}

/* --help: the user's own program (docs/run.md). */
static void usage_program(FILE *f)
{
    fprintf(f,
            "Your program (docs/run.md):\n"
            "  --run=CMD              measure CMD instead of a workload; {threads} and\n"
            "                         {m} are replaced by the point's size; through\n"
            "                         /bin/sh -c; implies --strategy=race     [none]\n"
            "  --env=NAME             also set NAME=threads in CMD's environment\n"
            "                         (repeatable, at most %d)                [none]\n"
            "  --no-shell             split CMD into words and exec it directly [off]\n"
            "  --show-output          pass CMD's stdout/stderr through    [to /dev/null]\n"
            "  --work=N               units one run does: the report says units/s\n"
            "                                                              [runs/s]\n"
            "  --metric=REGEX         the rate from CMD's stdout, the first capture\n"
            "                         group of the last match; higher is better [none]\n"
            "  --metric-lower         the --metric figure is better when lower  [off]\n"
            "  --prepare=CMD          before every run, untimed                 [none]\n"
            "  --setup=CMD            once per point visit, before its runs     [none]\n"
            "  --cleanup=CMD          once per point visit, after its runs      [none]\n"
            "  --warmup=N             untimed runs at a point's first visit     [%d]\n"
            "  --max-runs=N           race: timed runs for the whole search     [%d]\n"
            "  --point-timeout applies to each run; the whole process group is killed\n",
            TP_PROGRAM_MAX_ENV, TP_PROGRAM_DEFAULT_WARMUP, TP_RACE_DEFAULT_MAX_RUNS);
}

/* --help: what the pick optimises. */
static void usage_objective(FILE *f)
{
    fputs("Objective:\n"
          "  --objective=OBJ        throughput: the fewest threads whose throughput\n"
          "                         is indistinguishable from the best; latency: the\n"
          "                         same among points whose p99 is under --max-p99\n"
          "                                                              [throughput]\n"
          "  --max-p99=DURATION     the p99 task latency bound (implies\n"
          "                         --objective=latency)\n"
          "  --max-errors=P         a point whose tasks fail more often (a fraction\n"
          "                         or a percentage; 0 = none may fail) cannot be\n"
          "                         the pick                                  [1%]\n",
          f);
}

/* --help: what m multiplies. */
static void usage_cores(FILE *f)
{
    fputs("Cores:\n"
          "  --cores=N              use N cores instead of detecting them\n"
          "  --core-unit=pu|core    count logical CPUs (pu) or physical cores [pu]\n"
          "  --host-class=NAME      label the results' host class NAME instead of\n"
          "                         the key derived from the host's facts\n"
          "                         (docs/fleet.md; letters, digits, '-', '_', '.')\n",
          f);
}

/* --help: where the results go. */
static void usage_output(FILE *f)
{
    fputs("Output:\n"
          "  --format=FORMAT        stdout: table, csv, json or markdown      [table]\n"
          "  --output-dir=DIR       where NAME.csv and NAME.json go (created if\n"
          "                         missing, its parent must exist)           [results]\n"
          "  --name=NAME            base name of the result files     [the workload]\n"
          "  --no-save              write no files, only stdout\n"
          "  --quiet                no progress on stderr\n"
          "  --help                 print this help and exit\n"
          "  --version              print the version and exit\n",
          f);
}

/* --help: the recommendation for a build. */
static void usage_integration(FILE *f)
{
    fputs("Build integration (docs/integration.md):\n"
          "  --emit=KIND            print the recommendation for a build instead of\n"
          "                         the report: cmake, make, header, env, json or\n"
          "                         ansible (YAML vars for group_vars/);\n"
          "                         defines TUNEPOOL_THREADS, TUNEPOOL_MULTIPLIER,\n"
          "                         TUNEPOOL_CORES, TUNEPOOL_WORKLOAD, TUNEPOOL_VERSION\n"
          "  --from=FILE            read an earlier run's NAME.json instead of\n"
          "                         measuring (with --emit, --plot, --format)\n"
          "  --plot[=FILE]          draw throughput against m with gnuplot (package\n"
          "                         gnuplot-nox) into FILE, and its script into FILE\n"
          "                         with .gp           [DIR/NAME.png, or next to --from]\n"
          "  --plot-format=png|svg  image format of --plot [png; svg if FILE ends .svg]\n"
          "  compare A.json B.json  show two runs side by side (see Usage above)\n"
          "  merge FILES|DIRS       many hosts' results per host class (merge --help)\n"
          "  completion bash|zsh    print the shell completion script (the package\n"
          "                         installs both)\n",
          f);
}

/* --help: the exit codes. */
static void usage_exit(FILE *f)
{
    fputs("Exit status:\n"
          "  0    done: a recommendation was made\n"
          "  1    runtime failure (no point could be measured, a file could not be\n"
          "       written, the topology could not be read)\n"
          "  2    bad usage (a message on stderr; nothing measured, nothing written)\n"
          "  130  interrupted by SIGINT/SIGTERM (results so far written, marked partial)\n",
          f);
}

/* --help: one command line. */
static void usage_example(FILE *f)
{
    fputs("Example:\n"
          "  tune-pool --workload=io --latency=2ms --compute=100us --multipliers=1,2,5,10,20,30\n",
          f);
}

void tp_cli_usage(FILE *where)
{
    static void (*const sections[])(FILE *) = {
        usage_intro,     usage_workload, usage_sweep,  usage_executors,   usage_online, usage_program,
        usage_objective, usage_cores,    usage_output, usage_integration, usage_exit,   usage_example,
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if (i > 0)
            fputc('\n', where);
        sections[i](where);
    }
}

enum long_only {
    OPT_WORKLOAD = CHAR_MAX + 1,
    OPT_LATENCY,
    OPT_COMPUTE,
    OPT_WORKLOAD_ARG,
    OPT_IO_FRACTION,
    OPT_FILE_SIZE,
    OPT_BLOCK_SIZE,
    OPT_FILE_DIR,
    OPT_DIRECT,
    OPT_SERVER_DELAY,
    OPT_REPLY_SIZE,
    OPT_REQUEST_SIZE,
    OPT_CONNINFO,
    OPT_QUERY,
    OPT_SERVER_CORES,
    OPT_SPINDLES,
    OPT_URL,
    OPT_METHOD,
    OPT_HEADER,
    OPT_BODY,
    OPT_OK_STATUS,
    OPT_HTTP_TIMEOUT,
    OPT_MULTIPLIERS,
    OPT_STRATEGY,
    OPT_REPEAT,
    OPT_TASKS,
    OPT_REP_TIME,
    OPT_NO_WARMUP,
    OPT_MAX_THREADS,
    OPT_STACK_SIZE,
    OPT_POINT_TIMEOUT,
    OPT_CONFIDENCE,
    OPT_SEED,
    OPT_CORES,
    OPT_CORE_UNIT,
    OPT_HOST_CLASS,
    OPT_FORMAT,
    OPT_OUTPUT_DIR,
    OPT_NAME,
    OPT_NO_SAVE,
    OPT_QUIET,
    OPT_HELP,
    OPT_VERSION,
    OPT_EMIT,
    OPT_FROM,
    OPT_PLOT,
    OPT_PLOT_FORMAT,
    OPT_MAX_REPEAT,
    OPT_PRECISION,
    OPT_RESOLUTION,
    OPT_OBJECTIVE,
    OPT_MAX_P99,
    OPT_MAX_ERRORS,
    OPT_TOLERANCE,
    OPT_EXECUTOR,
    OPT_INFLIGHT,
    OPT_ONLINE,
    OPT_PHASES,
    OPT_PHASE_TIME,
    OPT_START_THREADS,
    OPT_ONLINE_BASELINES,
    OPT_NO_OFFLINE,
    OPT_RUN,
    OPT_ENV,
    OPT_NO_SHELL,
    OPT_SHOW_OUTPUT,
    OPT_WORK,
    OPT_METRIC,
    OPT_METRIC_LOWER,
    OPT_PREPARE,
    OPT_SETUP,
    OPT_CLEANUP,
    OPT_WARMUP,
    OPT_MAX_RUNS,
};

static const struct option long_options[] = {
    { "workload", required_argument, NULL, OPT_WORKLOAD },
    { "latency", required_argument, NULL, OPT_LATENCY },
    { "compute", required_argument, NULL, OPT_COMPUTE },
    { "workload-arg", required_argument, NULL, OPT_WORKLOAD_ARG },
    { "io-fraction", required_argument, NULL, OPT_IO_FRACTION },
    { "file-size", required_argument, NULL, OPT_FILE_SIZE },
    { "block-size", required_argument, NULL, OPT_BLOCK_SIZE },
    { "file-dir", required_argument, NULL, OPT_FILE_DIR },
    { "direct", no_argument, NULL, OPT_DIRECT },
    { "server-delay", required_argument, NULL, OPT_SERVER_DELAY },
    { "reply-size", required_argument, NULL, OPT_REPLY_SIZE },
    { "request-size", required_argument, NULL, OPT_REQUEST_SIZE },
    { "conninfo", required_argument, NULL, OPT_CONNINFO },
    { "query", required_argument, NULL, OPT_QUERY },
    { "server-cores", required_argument, NULL, OPT_SERVER_CORES },
    { "spindles", required_argument, NULL, OPT_SPINDLES },
    { "url", required_argument, NULL, OPT_URL },
    { "method", required_argument, NULL, OPT_METHOD },
    { "header", required_argument, NULL, OPT_HEADER },
    { "body", required_argument, NULL, OPT_BODY },
    { "ok-status", required_argument, NULL, OPT_OK_STATUS },
    { "http-timeout", required_argument, NULL, OPT_HTTP_TIMEOUT },
    { "multipliers", required_argument, NULL, OPT_MULTIPLIERS },
    { "strategy", required_argument, NULL, OPT_STRATEGY },
    { "repeat", required_argument, NULL, OPT_REPEAT },
    { "tasks", required_argument, NULL, OPT_TASKS },
    { "rep-time", required_argument, NULL, OPT_REP_TIME },
    { "no-warmup", no_argument, NULL, OPT_NO_WARMUP },
    { "max-threads", required_argument, NULL, OPT_MAX_THREADS },
    { "stack-size", required_argument, NULL, OPT_STACK_SIZE },
    { "point-timeout", required_argument, NULL, OPT_POINT_TIMEOUT },
    { "confidence", required_argument, NULL, OPT_CONFIDENCE },
    { "seed", required_argument, NULL, OPT_SEED },
    { "cores", required_argument, NULL, OPT_CORES },
    { "core-unit", required_argument, NULL, OPT_CORE_UNIT },
    { "host-class", required_argument, NULL, OPT_HOST_CLASS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "output-dir", required_argument, NULL, OPT_OUTPUT_DIR },
    { "name", required_argument, NULL, OPT_NAME },
    { "no-save", no_argument, NULL, OPT_NO_SAVE },
    { "quiet", no_argument, NULL, OPT_QUIET },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { "emit", required_argument, NULL, OPT_EMIT },
    { "from", required_argument, NULL, OPT_FROM },
    { "plot", optional_argument, NULL, OPT_PLOT },
    { "plot-format", required_argument, NULL, OPT_PLOT_FORMAT },
    { "max-repeat", required_argument, NULL, OPT_MAX_REPEAT },
    { "precision", required_argument, NULL, OPT_PRECISION },
    { "resolution", required_argument, NULL, OPT_RESOLUTION },
    { "objective", required_argument, NULL, OPT_OBJECTIVE },
    { "max-p99", required_argument, NULL, OPT_MAX_P99 },
    { "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
    { "tolerance", required_argument, NULL, OPT_TOLERANCE },
    { "executor", required_argument, NULL, OPT_EXECUTOR },
    { "inflight", required_argument, NULL, OPT_INFLIGHT },
    { "online", no_argument, NULL, OPT_ONLINE },
    { "phases", required_argument, NULL, OPT_PHASES },
    { "phase-time", required_argument, NULL, OPT_PHASE_TIME },
    { "start-threads", required_argument, NULL, OPT_START_THREADS },
    { "online-baselines", no_argument, NULL, OPT_ONLINE_BASELINES },
    { "no-offline", no_argument, NULL, OPT_NO_OFFLINE },
    { "run", required_argument, NULL, OPT_RUN },
    { "env", required_argument, NULL, OPT_ENV },
    { "no-shell", no_argument, NULL, OPT_NO_SHELL },
    { "show-output", no_argument, NULL, OPT_SHOW_OUTPUT },
    { "work", required_argument, NULL, OPT_WORK },
    { "metric", required_argument, NULL, OPT_METRIC },
    { "metric-lower", no_argument, NULL, OPT_METRIC_LOWER },
    { "prepare", required_argument, NULL, OPT_PREPARE },
    { "setup", required_argument, NULL, OPT_SETUP },
    { "cleanup", required_argument, NULL, OPT_CLEANUP },
    { "warmup", required_argument, NULL, OPT_WARMUP },
    { "max-runs", required_argument, NULL, OPT_MAX_RUNS },
    { NULL, 0, NULL, 0 },
};

/* A share of 0 .. 1, as a fraction (0.01) or a percentage (1%). */
static int parse_share(const char *arg, double *out)
{
    char num[64];
    size_t n = strlen(arg);
    int percent = n > 0 && arg[n - 1] == '%';
    if (n == 0 || n >= sizeof num)
        return -EINVAL;
    snprintf(num, sizeof num, "%.*s", (int)(n - (size_t)percent), arg);
    int rc = tp_cli_parse_double(num, 0, percent ? 100 : 1, 0, out);
    if (rc == 0 && percent)
        *out /= 100;
    return rc;
}

/* A result name becomes a file name: keep it to a safe alphabet. */
static int valid_name(const char *s)
{
    if (*s == '\0' || strlen(s) > 100 || s[0] == '.')
        return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return 0;
    return 1;
}

/* Remembers what --from and --emit conflict with: every option not listed
 * here is about measuring, so options added later count as measuring too. */
static void note_option(struct tp_cli_opts *o, int c, int longindex)
{
    switch (c) {
    case OPT_FORMAT: o->format_set = 1; break;
    case OPT_OUTPUT_DIR: o->output_dir_given = 1; break;
    case OPT_EMIT:
    case OPT_FROM:
    case OPT_PLOT:
    case OPT_PLOT_FORMAT:
    case OPT_QUIET:
    case OPT_HELP:
    case OPT_VERSION:
    case OPT_NAME:
    case OPT_NO_SAVE:
    case ':':
    case '?': break;
    default:
        if (o->measuring_opt == NULL && longindex >= 0)
            o->measuring_opt = long_options[longindex].name;
        break;
    }
}

/* What tp_cli_parse_args keeps while it reads argv. */
struct parse {
    struct tp_cli_opts *o;
    const char *name; /* the option being read, without its "--" */
    const char *arg;  /* its value (optarg); NULL when it has none */
    char *err;
    size_t errlen;
    int throughput_given;                          /* --objective=throughput */
    const char *workload_opt;                      /* the first workload option given */
    const char *seen_kind_opt[TP_CLI_N_KIND_OPTS]; /* per workload kind, its first option (options_workload.c) */
};

/* What a section's parser returns for an option of another section. */
#define NOT_MINE 1

/* Workload: --workload, its kinds' options, --latency, --compute. */
static int parse_workload_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    int rc;
    if (st->workload_opt == NULL && (c == OPT_WORKLOAD || (c >= OPT_LATENCY && c <= OPT_HTTP_TIMEOUT)))
        st->workload_opt = st->name;
    switch (c) {
    case OPT_WORKLOAD:
        if ((rc = tp_workload_parse_spec(arg, &o->workload)) < 0)
            return tp_cli_bad(
                st->err, st->errlen,
                "--workload: %s '%s' (expected io, cpu, mixed, file, net, noop, pg, http or plugin:PATH.so)",
                rc == -ENAMETOOLONG ? "plugin path too long in" : "unknown workload", arg);
        return 0;
    case OPT_WORKLOAD_ARG:
    case OPT_IO_FRACTION:
    case OPT_FILE_SIZE:
    case OPT_BLOCK_SIZE:
    case OPT_FILE_DIR:
    case OPT_DIRECT:
    case OPT_SERVER_DELAY:
    case OPT_REPLY_SIZE:
    case OPT_REQUEST_SIZE:
    case OPT_CONNINFO:
    case OPT_QUERY:
    case OPT_SERVER_CORES:
    case OPT_SPINDLES:
    case OPT_URL:
    case OPT_METHOD:
    case OPT_HEADER:
    case OPT_BODY:
    case OPT_OK_STATUS:
    case OPT_HTTP_TIMEOUT: return tp_cli_workload_option(st->name, arg, o, st->seen_kind_opt, st->err, st->errlen);
    case OPT_LATENCY:
        if ((rc = tp_cli_parse_duration(arg, MAX_TASK_NS, &o->workload.latency_ns)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--latency: %s duration '%s' (expected e.g. 2ms; units ns, us, ms, s; at most 60s)",
                              tp_cli_why(rc), arg);
        o->latency_given = 1;
        return 0;
    case OPT_COMPUTE:
        if ((rc = tp_cli_parse_duration(arg, MAX_TASK_NS, &o->workload.compute_ns)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--compute: %s duration '%s' (expected e.g. 100us; units ns, us, ms, s; at most 60s)",
                              tp_cli_why(rc), arg);
        return 0;
    }
    return NOT_MINE;
}

/* Sweep, its plan: which points, how many threads at most, each point's limits. */
static int parse_plan_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    int rc;
    long l;
    uint64_t u;
    switch (c) {
    case OPT_STRATEGY:
        if (tp_strategy_parse(arg, &o->strategy) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--strategy: unknown strategy '%s' (expected adaptive, grid or race)", arg);
        o->strategy_given = 1;
        return 0;
    case OPT_MULTIPLIERS:
        free(o->multipliers);
        o->multipliers = NULL;
        if ((rc = tp_cli_parse_list(arg, MAX_MULTIPLIERS, &o->multipliers, &o->n_multipliers)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--multipliers: %s list '%.64s%s' (expected distinct numbers > 0 separated by commas, "
                              "e.g. 1,2,4,8; at most %d)",
                              tp_cli_why(rc), arg, strlen(arg) > 64 ? "..." : "", MAX_MULTIPLIERS);
        return 0;
    case OPT_RESOLUTION:
        if ((rc = tp_cli_parse_double(arg, 0, 1, 1, &o->resolution)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--resolution: %s value '%s' (expected a fraction between 0 and 1, e.g. 0.1)",
                              tp_cli_why(rc), arg);
        return 0;
    case OPT_TOLERANCE:
        if ((rc = tp_cli_parse_fraction(arg, 1, &o->tolerance)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--tolerance: %s value '%s' (expected 0, a fraction below 0.5 or a percentage, e.g. "
                              "0.02 or 2%%)",
                              tp_cli_why(rc), arg);
        return 0;
    case OPT_MAX_THREADS:
        if ((rc = tp_cli_parse_long(arg, 1, MAX_THREADS_LIMIT, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--max-threads: %s value '%s' (expected a whole number from 1 to %d)", tp_cli_why(rc),
                              arg, MAX_THREADS_LIMIT);
        o->max_threads = (int)l;
        return 0;
    case OPT_STACK_SIZE:
        if ((rc = tp_cli_parse_size(arg, 1ull << 30, &o->stack_size)) < 0 || o->stack_size < 16384)
            return tp_cli_bad(st->err, st->errlen, "--stack-size: %s size '%s' (expected 16K to 1G, e.g. 64K)",
                              rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        return 0;
    case OPT_POINT_TIMEOUT:
        if ((rc = tp_cli_parse_duration(arg, 86400ull * 1000000000ull, &u)) < 0 || u < 1000000)
            return tp_cli_bad(st->err, st->errlen, "--point-timeout: %s duration '%s' (expected 1ms to 24h, e.g. 120s)",
                              rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        o->point_timeout_s = (double)u / 1e9;
        return 0;
    }
    return NOT_MINE;
}

/* Sweep, its repetitions: how many, how long, the warm-up, the intervals. */
static int parse_repetition_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    int rc;
    long l;
    uint64_t u;
    switch (c) {
    case OPT_REPEAT:
        if (strcmp(arg, "auto") == 0) {
            o->repeat = 0;
            return 0;
        }
        if ((rc = tp_cli_parse_long(arg, 1, TP_MAX_REPS, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--repeat: %s value '%s' (expected auto or a whole number from 1 to %d)", tp_cli_why(rc),
                              arg, TP_MAX_REPS);
        o->repeat = (int)l;
        return 0;
    case OPT_MAX_REPEAT:
        if ((rc = tp_cli_parse_long(arg, TP_REPEAT_MIN, TP_MAX_REPS, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--max-repeat: %s value '%s' (expected a whole number from %d to %d)", tp_cli_why(rc),
                              arg, TP_REPEAT_MIN, TP_MAX_REPS);
        o->repeat_max = (int)l;
        return 0;
    case OPT_PRECISION:
        if ((rc = tp_cli_parse_fraction(arg, 0, &o->target_ci)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--precision: %s value '%s' (expected a fraction between 0 and 1 or a percentage, e.g. "
                              "0.02 or 2%%)",
                              tp_cli_why(rc), arg);
        return 0;
    case OPT_TASKS:
        if (strcmp(arg, "auto") == 0) {
            o->tasks = 0;
            return 0;
        }
        if ((rc = tp_cli_parse_long(arg, 1, 10000000, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--tasks: %s value '%s' (expected auto or a whole number from 1 to 10000000)",
                              tp_cli_why(rc), arg);
        o->tasks = (uint64_t)l;
        return 0;
    case OPT_REP_TIME:
        if ((rc = tp_cli_parse_duration(arg, 600ull * 1000000000ull, &u)) < 0 || u < 1000000)
            return tp_cli_bad(st->err, st->errlen, "--rep-time: %s duration '%s' (expected 1ms to 600s, e.g. 300ms)",
                              rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        o->rep_seconds = (double)u / 1e9;
        return 0;
    case OPT_NO_WARMUP: o->warmup = 0; return 0;
    case OPT_CONFIDENCE:
        if ((rc = tp_cli_parse_double(arg, 0.5, 1, 1, &o->confidence)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--confidence: %s value '%s' (expected a number between 0.5 and 1, e.g. 0.95)",
                              tp_cli_why(rc), arg);
        return 0;
    case OPT_SEED:
        if ((rc = tp_cli_parse_long(arg, 0, LONG_MAX, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen, "--seed: %s value '%s' (expected a whole number >= 0)",
                              tp_cli_why(rc), arg);
        o->seed = (uint64_t)l;
        return 0;
    }
    return NOT_MINE;
}

/* Executors: --executor and the event loops' --inflight. */
static int parse_executor_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    int rc;
    switch (c) {
    case OPT_EXECUTOR:
        if (strcmp(arg, "both") == 0)
            o->executor_mode = TP_CLI_EXEC_BOTH;
        else if (strcmp(arg, "async") == 0)
            o->executor_mode = TP_CLI_EXEC_ASYNC;
        else if (strcmp(arg, "pool") == 0)
            o->executor_mode = TP_CLI_EXEC_POOL;
        else
            return tp_cli_bad(st->err, st->errlen, "--executor: unknown executor '%s' (expected pool, async or both)",
                              arg);
        return 0;
    case OPT_INFLIGHT:
        free(o->inflight);
        o->inflight = NULL;
        if ((rc = tp_cli_parse_list(arg, MAX_MULTIPLIERS, &o->inflight, &o->n_inflight)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--inflight: %s list '%s' (expected distinct numbers > 0 separated by commas, e.g. "
                              "1,4,16,64; at most %d)",
                              tp_cli_why(rc), arg, MAX_MULTIPLIERS);
        return 0;
    }
    return NOT_MINE;
}

/* Online tuning: --online and its phases, start size and baselines. */
static int parse_online_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    int rc;
    long l;
    uint64_t *phases;
    size_t n;
    switch (c) {
    case OPT_ONLINE: o->online = 1; return 0;
    case OPT_PHASES:
        if ((rc = tp_cli_parse_durations(arg, MAX_PHASES, MAX_PHASE_WAIT_NS, &phases, &n)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--phases: %s list '%s' (expected waits > 0 separated by commas, e.g. 2ms,10ms,500us; "
                              "each at most 10s; at most %d)",
                              rc == -ENOMEM ? "cannot store the" : tp_cli_why(rc), arg, MAX_PHASES);
        free(o->phases_ns);
        o->phases_ns = phases;
        o->n_phases = n;
        o->phases_given = 1;
        return 0;
    case OPT_PHASE_TIME:
        if ((rc = tp_cli_parse_duration(arg, 3600000000000ull, &o->phase_time_ns)) < 0 ||
            o->phase_time_ns < 500000000ull)
            return tp_cli_bad(st->err, st->errlen,
                              "--phase-time: %s duration '%s' (expected e.g. 8s; at least 500ms, at most 1h)",
                              rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        o->phase_time_given = 1;
        return 0;
    case OPT_START_THREADS:
        if ((rc = tp_cli_parse_long(arg, 1, 1 << 20, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen, "--start-threads: %s number '%s' (expected a whole number >= 1)",
                              tp_cli_why(rc), arg);
        o->start_threads = (int)l;
        return 0;
    case OPT_ONLINE_BASELINES: o->online_baselines = 1; return 0;
    case OPT_NO_OFFLINE: o->no_offline = 1; return 0;
    }
    return NOT_MINE;
}

/* Objective and cores: what the pick optimises, and what m multiplies. */
static int parse_objective_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    int rc;
    long l;
    uint64_t u;
    switch (c) {
    case OPT_OBJECTIVE:
        if (strcmp(arg, "throughput") == 0)
            o->objective_latency = 0, st->throughput_given = 1;
        else if (strcmp(arg, "latency") == 0)
            o->objective_latency = 1;
        else
            return tp_cli_bad(st->err, st->errlen,
                              "--objective: unknown objective '%s' (expected throughput or latency)", arg);
        return 0;
    case OPT_MAX_P99:
        if ((rc = tp_cli_parse_duration(arg, MAX_TASK_NS, &u)) < 0 || u == 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--max-p99: %s duration '%s' (expected more than 0 and at most 60s, e.g. 20ms)",
                              rc < 0 ? tp_cli_why(rc) : "out of range", arg);
        o->max_p99_ns = (double)u;
        o->objective_latency = 1;
        return 0;
    case OPT_MAX_ERRORS:
        if ((rc = parse_share(arg, &o->max_errors)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--max-errors: %s value '%s' (expected a fraction from 0 to 1 or a percentage, e.g. "
                              "0.01 or 1%%)",
                              tp_cli_why(rc), arg);
        if (o->max_errors == 0)
            o->max_errors = TP_MAX_ERRORS_NONE;
        return 0;
    case OPT_CORES:
        if ((rc = tp_cli_parse_long(arg, 1, 65536, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen, "--cores: %s value '%s' (expected a whole number from 1 to 65536)",
                              tp_cli_why(rc), arg);
        o->cores = (int)l;
        return 0;
    case OPT_CORE_UNIT:
        if (strcmp(arg, "pu") == 0)
            o->unit = TP_UNIT_PU;
        else if (strcmp(arg, "core") == 0)
            o->unit = TP_UNIT_CORE;
        else
            return tp_cli_bad(st->err, st->errlen, "--core-unit: unknown unit '%s' (expected pu or core)", arg);
        return 0;
    case OPT_HOST_CLASS:
        if (!tp_host_class_valid(arg))
            return tp_cli_bad(st->err, st->errlen,
                              "--host-class: '%s' is not a class name (1 to %d letters, digits, '-', '_', '.'; not "
                              "starting with '.')",
                              arg, TP_HOST_CLASS_MAX - 1);
        o->host_class = arg;
        return 0;
    }
    return NOT_MINE;
}

/* Output: stdout's format, the results files, progress. */
static int parse_output_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    switch (c) {
    case OPT_FORMAT:
        if (tp_format_parse(arg, &o->format) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--format: unknown format '%s' (expected table, csv, json or markdown)", arg);
        return 0;
    case OPT_OUTPUT_DIR:
        if (*arg == '\0')
            return tp_cli_bad(st->err, st->errlen, "--output-dir: empty directory name");
        o->output_dir = arg;
        return 0;
    case OPT_NAME:
        if (!valid_name(arg))
            return tp_cli_bad(st->err, st->errlen,
                              "--name: '%s' is not a usable file name (letters, digits, '-', '_', '.'; not starting "
                              "with '.')",
                              arg);
        o->name = arg;
        return 0;
    case OPT_NO_SAVE: o->save = 0; return 0;
    case OPT_QUIET: o->quiet = 1; return 0;
    }
    return NOT_MINE;
}

/* Build integration: --emit, --from, --plot. */
static int parse_integration_option(struct parse *st, int c)
{
    struct tp_cli_opts *o = st->o;
    const char *arg = st->arg;
    switch (c) {
    case OPT_EMIT:
        if (tp_emit_parse(arg, &o->emit_format) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--emit: unknown kind '%s' (expected cmake, make, header, env, json or ansible)", arg);
        o->emit = 1;
        return 0;
    case OPT_FROM:
        if (*arg == '\0')
            return tp_cli_bad(st->err, st->errlen, "--from: empty file name");
        o->from = arg;
        return 0;
    case OPT_PLOT:
        if (arg != NULL && *arg == '\0')
            return tp_cli_bad(st->err, st->errlen, "--plot: empty file name");
        o->plot = 1;
        o->plot_path = arg;
        return 0;
    case OPT_PLOT_FORMAT:
        if (strcmp(arg, "png") == 0)
            o->plot_format = TP_PLOT_PNG;
        else if (strcmp(arg, "svg") == 0)
            o->plot_format = TP_PLOT_SVG;
        else
            return tp_cli_bad(st->err, st->errlen, "--plot-format: unknown format '%s' (expected png or svg)", arg);
        o->plot_format_set = 1;
        o->plot = 1;
        return 0;
    }
    return NOT_MINE;
}

/* Your program: --run and what it needs (the rest is checked by
 * tp_program_source_create, before anything runs). */
static int parse_program_option(struct parse *st, int c)
{
    struct tp_program_opts *p = &st->o->program;
    const char *arg = st->arg;
    int rc;
    long l;
    if (c != OPT_RUN && c >= OPT_ENV && c <= OPT_MAX_RUNS && st->o->program_opt == NULL)
        st->o->program_opt = st->name;
    switch (c) {
    case OPT_RUN:
        if (*arg == '\0')
            return tp_cli_bad(st->err, st->errlen, "--run: empty command");
        p->command = arg;
        return 0;
    case OPT_ENV:
        if (p->n_env >= TP_PROGRAM_MAX_ENV)
            return tp_cli_bad(st->err, st->errlen, "--env: at most %d names", TP_PROGRAM_MAX_ENV);
        p->env[p->n_env++] = arg;
        return 0;
    case OPT_NO_SHELL: p->no_shell = 1; return 0;
    case OPT_SHOW_OUTPUT: p->show_output = 1; return 0;
    case OPT_WORK:
        if ((rc = tp_cli_parse_long(arg, 1, LONG_MAX, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen, "--work: %s value '%s' (expected a whole number >= 1)",
                              tp_cli_why(rc), arg);
        p->work = (uint64_t)l;
        return 0;
    case OPT_METRIC: p->metric = arg; return 0;
    case OPT_METRIC_LOWER: p->metric_lower = 1; return 0;
    case OPT_PREPARE: p->prepare = arg; return 0;
    case OPT_SETUP: p->setup = arg; return 0;
    case OPT_CLEANUP: p->cleanup = arg; return 0;
    case OPT_WARMUP:
        if ((rc = tp_cli_parse_long(arg, 0, TP_MAX_REPS, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen, "--warmup: %s value '%s' (expected a whole number from 0 to %d)",
                              tp_cli_why(rc), arg, TP_MAX_REPS);
        p->warmup = (int)l;
        return 0;
    case OPT_MAX_RUNS:
        if ((rc = tp_cli_parse_long(arg, 1, 1000000, &l)) < 0)
            return tp_cli_bad(st->err, st->errlen,
                              "--max-runs: %s value '%s' (expected a whole number from 1 to 1000000)", tp_cli_why(rc),
                              arg);
        st->o->max_runs = (int)l;
        return 0;
    }
    return NOT_MINE;
}

/* One option, by the section it belongs to: 0, -EINVAL, or NOT_MINE for none. */
static int parse_option(struct parse *st, int c)
{
    static int (*const sections[])(struct parse *, int) = {
        parse_workload_option, parse_plan_option,        parse_repetition_option,
        parse_executor_option, parse_online_option,      parse_objective_option,
        parse_output_option,   parse_integration_option, parse_program_option,
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        int rc = sections[i](st, c);
        if (rc != NOT_MINE)
            return rc;
    }
    return NOT_MINE;
}

/* An option with a value given twice with different values is refused
 * (the repeatable ones excepted: --env, a workload's list options): in a
 * pipeline, "the last one wins" hides a mistake. given[i] holds the value
 * long_options[i] had first. */
static int refuse_changed_value(const char **given, int longindex, char *err, size_t errlen)
{
    if (longindex < 0 || long_options[longindex].has_arg == no_argument || long_options[longindex].val == OPT_ENV)
        return 0;
    const struct tp_workload_option *wo = tp_workload_option_find(long_options[longindex].name, NULL);
    if (wo != NULL && wo->type == TP_OPTION_LIST) /* repeatable: each value adds one */
        return 0;
    const char *v = optarg != NULL ? optarg : "";
    if (given[longindex] != NULL && strcmp(given[longindex], v) != 0)
        return tp_cli_bad(err, errlen, "--%s: given twice ('%s', then '%s'): give it once",
                          long_options[longindex].name, given[longindex], v);
    given[longindex] = v;
    return 0;
}

/* The message for what getopt_long could not take: a missing value (c is
 * ':') or an option that does not exist. */
static int bad_option(int c, char **argv, char *err, size_t errlen)
{
    if (c == ':')
        return tp_cli_bad(err, errlen, "option '%s' needs a value", argv[optind - 1]);
    if (optopt != 0 && optopt <= CHAR_MAX && optopt > 0)
        return tp_cli_bad(err, errlen, "unknown option '-%c'", optopt);
    return tp_cli_bad(err, errlen, "unknown option '%s'", argv[optind - 1]);
}

/* The options that exclude or need each other, once all are read. */
static int check_modes(struct parse *st)
{
    struct tp_cli_opts *o = st->o;
    char *err = st->err;
    size_t errlen = st->errlen;
    if (o->phases_ns == NULL && set_default_phases(o) < 0)
        return tp_cli_bad(err, errlen, "out of memory");
    if (o->from != NULL && o->measuring_opt != NULL)
        return tp_cli_bad(err, errlen,
                          "--from reads an earlier run and measures nothing: it cannot be combined with --%s",
                          o->measuring_opt);
    if (o->emit && o->format_set)
        return tp_cli_bad(err, errlen,
                          "--emit prints a snippet instead of the report: it cannot be combined with --format");
    if (st->throughput_given && o->max_p99_ns > 0)
        return tp_cli_bad(err, errlen, "--max-p99 conflicts with --objective=throughput");
    if (o->objective_latency && o->max_p99_ns == 0)
        return tp_cli_bad(err, errlen, "--objective=latency needs a bound: give --max-p99 (e.g. --max-p99=20ms)");
    if (o->multipliers != NULL) {
        if (o->strategy_given && o->strategy == TP_STRATEGY_ADAPTIVE)
            return tp_cli_bad(err, errlen, "--multipliers conflicts with --strategy=adaptive (a list is a grid)");
        o->strategy = TP_STRATEGY_GRID;
    }
    if (o->inflight != NULL && o->executor_mode == TP_CLI_EXEC_POOL)
        return tp_cli_bad(err, errlen, "--inflight is for the event loops: add --executor=async or --executor=both");
    return 0;
}

/* The workload's options together: each for its kind, a task that does something. */
static int check_workload(struct parse *st)
{
    struct tp_cli_opts *o = st->o;
    struct tp_workload_params *w = &o->workload;
    int rc;
    if ((rc = tp_cli_workload_check(o, st->seen_kind_opt, o->latency_given, st->err, st->errlen)) < 0)
        return rc;
    if (w->kind == TP_WORKLOAD_CPU && o->latency_given && w->latency_ns != 0)
        return tp_cli_bad(st->err, st->errlen, "--latency: the cpu workload has no wait (use --workload=io)");
    if (w->kind == TP_WORKLOAD_CPU)
        w->latency_ns = 0;
    if (w->compute_ns == 0 && (w->kind == TP_WORKLOAD_CPU || (w->kind == TP_WORKLOAD_IO && w->latency_ns == 0)))
        return tp_cli_bad(st->err, st->errlen, "--compute: a task must do something: give it CPU time (e.g. 100us)%s",
                          w->kind == TP_WORKLOAD_IO ? " or a wait with --latency" : "");
    return 0;
}

const struct option *tp_cli_long_options(size_t *n)
{
    /* The table ends with its zero row, which getopt_long needs. */
    *n = sizeof long_options / sizeof long_options[0] - 1;
    return long_options;
}

/* --run against the workload and online options, and its own defaults. */
static int check_program(struct parse *st)
{
    struct tp_cli_opts *o = st->o;
    if (o->program.command == NULL) {
        if (o->program_opt != NULL)
            return tp_cli_bad(st->err, st->errlen, "--%s is for your program: give it with --run=CMD", o->program_opt);
        return 0;
    }
    if (st->workload_opt != NULL)
        return tp_cli_bad(st->err, st->errlen, "--%s is a workload option: --run measures your program instead",
                          st->workload_opt);
    if (o->online)
        return tp_cli_bad(st->err, st->errlen,
                          "--online runs the built-in io phases: it cannot be combined with --run");
    if (o->executor_mode != TP_CLI_EXEC_POOL)
        return tp_cli_bad(st->err, st->errlen,
                          "--executor is for the built-in workloads: it cannot be combined with --run");
    if (!o->strategy_given && o->multipliers == NULL)
        o->strategy = TP_STRATEGY_RACE;
    return 0;
}

int tp_cli_parse_args(int argc, char **argv, struct tp_cli_opts *o, char *err, size_t errlen)
{
    struct parse st = { .o = o, .err = err, .errlen = errlen };
    const char *given[sizeof long_options / sizeof long_options[0]] = { 0 };
    int c, rc, longindex;
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then also forgets a previous call's half-scanned "-xy" */
    while ((longindex = -1, c = getopt_long(argc, argv, ":", long_options, &longindex)) != -1) {
        note_option(o, c, longindex);
        if ((rc = refuse_changed_value(given, longindex, err, errlen)) < 0)
            return rc;
        if (c == OPT_HELP || c == OPT_VERSION) { /* what follows is not read */
            if (c == OPT_HELP)
                o->show_help = 1;
            else
                o->show_version = 1;
            return 0;
        }
        st.name = longindex >= 0 ? long_options[longindex].name : NULL;
        st.arg = optarg;
        rc = c == ':' ? NOT_MINE : parse_option(&st, c);
        if (rc == NOT_MINE)
            return bad_option(c, argv, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (optind < argc)
        return tp_cli_bad(err, errlen, "unexpected argument '%s'", argv[optind]);
    if ((rc = check_modes(&st)) < 0 || (rc = check_program(&st)) < 0)
        return rc;
    return check_workload(&st);
}
