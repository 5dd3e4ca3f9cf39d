/* options.h - tune-pool's command line: what it says (struct tp_cli_opts), its parsing and --help. */
#ifndef TP_CLI_OPTIONS_H
#define TP_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <getopt.h>

#include "tunepool/tunepool.h"

/* --executor: which sweeps run (docs/executors.md). */
enum tp_cli_executor_mode {
    TP_CLI_EXEC_POOL = 0, /* the pool only (the default) */
    TP_CLI_EXEC_ASYNC,    /* the event loops only */
    TP_CLI_EXEC_BOTH,     /* both, side by side */
};

/* Everything the command line says. */
struct tp_cli_opts {
    enum tp_cli_executor_mode executor_mode;
    double *inflight; /* --inflight: owned; NULL = the strategy's list */
    size_t n_inflight;
    struct tp_workload_params workload;
    double *multipliers; /* owned; NULL = the default grid */
    size_t n_multipliers;
    int repeat;       /* 0 = auto */
    int repeat_max;   /* auto: the most repetitions */
    double target_ci; /* auto: interval width / median to reach */
    enum tp_strategy strategy;
    int strategy_given;    /* --strategy was on the command line */
    double resolution;     /* adaptive: fraction of the pick's threads */
    double tolerance;      /* band margin, fraction of the best's floor */
    double max_p99_ns;     /* 0 = maximise throughput */
    double max_errors;     /* --max-errors; TP_MAX_ERRORS_NONE for 0 */
    int objective_latency; /* --objective=latency */
    uint64_t tasks;        /* 0 = auto */
    double rep_seconds;
    int warmup;
    int cores; /* 0 = detect */
    enum tp_core_unit unit;
    const char *host_class; /* --host-class: NULL = the key derived from the host's facts */
    int max_threads;
    uint64_t stack_size;
    double point_timeout_s;
    double confidence;
    uint64_t seed;
    const char *output_dir;
    const char *name; /* NULL = the workload's name */
    int save;         /* write CSV and JSON files */
    enum tp_format format;
    int quiet;
    /* Build integration (docs/integration.md). */
    int emit; /* 1: stdout gets a snippet instead of the report */
    enum tp_emit_format emit_format;
    const char *from;      /* read this results JSON instead of measuring */
    int plot;              /* 1: render a plot */
    const char *plot_path; /* NULL = the default next to the results */
    enum tp_plot_format plot_format;
    int plot_format_set;
    int format_set;            /* --format was given */
    int output_dir_given;      /* --output-dir was given */
    const char *measuring_opt; /* the first option that only measuring uses (conflicts with --from) */
    /* Online tuning (docs/online.md). */
    int online;              /* --online: the phase run instead of one sweep */
    uint64_t *phases_ns;     /* --phases: the io wait of each phase; owned */
#define TP_CLI_MAX_PHASES 16 /* --phases: at most this many */
    size_t n_phases;
    int phases_given;
    uint64_t phase_time_ns; /* --phase-time */
    int phase_time_given;
    int start_threads;    /* --start-threads; 0 = 5 x cores */
    int online_baselines; /* --online-baselines: also the fixed pools */
    int no_offline;       /* --no-offline: no sweep per phase */
    int latency_given;    /* --latency was on the command line */
    /* The user's own program (docs/run.md). */
    struct tp_program_opts program; /* program.command != NULL: --run */
    int max_runs;                   /* --max-runs; 0 = TP_RACE_DEFAULT_MAX_RUNS */
    const char *program_opt;        /* the first option that only --run uses */
    int show_help;
    int show_version;
};

/* The workload options: each kind's own (--io-fraction, --file-size,
 * --server-delay, --workload-arg, ...: the library's tp_workload_options
 * tables), in options_workload.c. tp_cli_workload_option parses
 * the option named name into o and records in seen[kind] the first option
 * given for each workload kind; tp_cli_workload_check, after all options,
 * refuses options of another kind than --workload's and checks the
 * combination. Both return 0 or -EINVAL with a message naming the option. */
#define TP_CLI_N_KIND_OPTS 16
int tp_cli_workload_option(const char *name, const char *arg, struct tp_cli_opts *o, const char **seen, char *err,
                           size_t errlen);
int tp_cli_workload_check(struct tp_cli_opts *o, const char **seen, int seen_latency, char *err, size_t errlen);

/* Defaults, as --help prints them. */
void tp_cli_opts_init(struct tp_cli_opts *o);
void tp_cli_opts_free(struct tp_cli_opts *o);

/* Parses argv into o. Returns 0, or -EINVAL with a one-line message (that
 * names the option and the accepted form) in err. */
int tp_cli_parse_args(int argc, char **argv, struct tp_cli_opts *o, char *err, size_t errlen);

/* Prints the help text (every option, its value and default) to where. */
void tp_cli_usage(FILE *where);

/* The parser's getopt_long table (*n rows, without the terminating one):
 * the one list of options, which the completion script is made from. */
const struct option *tp_cli_long_options(size_t *n);

#endif
