/* options.h - tune-pool's command line: value parsers (durations, sizes, lists) and the option table. */
#ifndef TP_CLI_OPTIONS_H
#define TP_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tunepool/tunepool.h"

/* Every parser returns 0, or -EINVAL (malformed), -ERANGE (outside the
 * accepted range or overflowing); *out is untouched on failure. */

/* A duration: a number and a unit: ns, us (or µs), ms, s; "0" alone is
 * accepted. Up to max_ns. */
int tp_cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out_ns);

/* A size in bytes: a whole number with an optional suffix K, M, G (also
 * KiB, MiB, GiB; powers of 1024) or B. Up to max. */
int tp_cli_parse_size(const char *s, uint64_t max, uint64_t *out);

/* A whole number in [min, max]. */
int tp_cli_parse_long(const char *s, long min, long max, long *out);

/* A finite number in (lo, hi) exclusive when open, [lo, hi] otherwise. */
int tp_cli_parse_double(const char *s, double lo, double hi, int open, double *out);

/* A comma-separated list of distinct finite numbers > 0 (at most max_n).
 * *out is malloc'd; the caller frees it. -EINVAL also for an empty list,
 * an empty element or a duplicate. */
int tp_cli_parse_list(const char *s, size_t max_n, double **out, size_t *n);

/* Everything the command line says. */
struct tp_cli_opts {
    struct tp_workload_params workload;
    double *multipliers; /* owned; NULL = the default grid */
    size_t n_multipliers;
    int repeat;
    uint64_t tasks;      /* 0 = auto */
    double rep_seconds;
    int warmup;
    int cores;           /* 0 = detect */
    enum tp_core_unit unit;
    int max_threads;
    uint64_t stack_size;
    double point_timeout_s;
    double confidence;
    uint64_t seed;
    const char *output_dir;
    const char *name;    /* NULL = the workload's name */
    int save;            /* write CSV and JSON files */
    enum tp_format format;
    int quiet;
    int show_help;
    int show_version;
};

/* Defaults, as --help prints them. */
void tp_cli_opts_init(struct tp_cli_opts *o);
void tp_cli_opts_free(struct tp_cli_opts *o);

/* Parses argv into o. Returns 0, or -EINVAL with a one-line message (that
 * names the option and the accepted form) in err. */
int tp_cli_parse_args(int argc, char **argv, struct tp_cli_opts *o, char *err, size_t errlen);

/* Prints the help text (every option, its value and default) to where. */
void tp_cli_usage(FILE *where);

#endif
