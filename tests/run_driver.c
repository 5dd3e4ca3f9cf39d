/* run_driver.c - drives the --run source and the race through the public API alone (until the CLI has --run; scripts/bench-vs-hyperfine). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tunepool/tunepool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: run_driver --run=CMD [OPTION]...\n"
            "Tunes CMD's thread count ({threads}, {m} or --env=NAME) with libtunepool and prints each point\n"
            "and a last line of key=value pairs (pick_threads, pick_m, pick_value, runs, warmup_runs, other_runs,\n"
            "wall_s, points, budget_hit).\n"
            "  --env=NAME  --work=N  --metric=RE  --metric-lower  --prepare=CMD  --setup=CMD  --cleanup=CMD\n"
            "  --warmup=N (1)  --point-timeout=S (0)  --show-output  --no-shell\n"
            "  --strategy=race|adaptive|grid (race)  --max-runs=N (%d)  --max-threads=N  --cores=N\n"
            "  --repeat=N (grid/adaptive; 0 = auto)  --rules  --tolerance=F (0)\n",
            TP_RACE_DEFAULT_MAX_RUNS);
}

enum {
    O_ENV = 256,
    O_WORK,
    O_METRIC,
    O_LOWER,
    O_PREPARE,
    O_SETUP,
    O_CLEANUP,
    O_WARMUP,
    O_TIMEOUT,
    O_SHOW,
    O_NOSHELL,
    O_STRATEGY,
    O_MAXRUNS,
    O_MAXTHREADS,
    O_CORES,
    O_REPEAT,
    O_RULES,
    O_TOL,
    O_RUN,
    O_HELP
};

static const struct option longopts[] = {
    { "run", required_argument, NULL, O_RUN },
    { "env", required_argument, NULL, O_ENV },
    { "work", required_argument, NULL, O_WORK },
    { "metric", required_argument, NULL, O_METRIC },
    { "metric-lower", no_argument, NULL, O_LOWER },
    { "prepare", required_argument, NULL, O_PREPARE },
    { "setup", required_argument, NULL, O_SETUP },
    { "cleanup", required_argument, NULL, O_CLEANUP },
    { "warmup", required_argument, NULL, O_WARMUP },
    { "point-timeout", required_argument, NULL, O_TIMEOUT },
    { "show-output", no_argument, NULL, O_SHOW },
    { "no-shell", no_argument, NULL, O_NOSHELL },
    { "strategy", required_argument, NULL, O_STRATEGY },
    { "max-runs", required_argument, NULL, O_MAXRUNS },
    { "max-threads", required_argument, NULL, O_MAXTHREADS },
    { "cores", required_argument, NULL, O_CORES },
    { "repeat", required_argument, NULL, O_REPEAT },
    { "rules", no_argument, NULL, O_RULES },
    { "tolerance", required_argument, NULL, O_TOL },
    { "help", no_argument, NULL, O_HELP },
    { NULL, 0, NULL, 0 },
};

struct args {
    struct tp_program_opts prog;
    struct tp_sweep_opts sweep;
    int cores;
};

static int parse(int argc, char **argv, struct args *a)
{
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_RUN: a->prog.command = optarg; break;
        case O_ENV:
            if (a->prog.n_env == TP_PROGRAM_MAX_ENV)
                return -1;
            a->prog.env[a->prog.n_env++] = optarg;
            break;
        case O_WORK: a->prog.work = strtoull(optarg, NULL, 10); break;
        case O_METRIC: a->prog.metric = optarg; break;
        case O_LOWER: a->prog.metric_lower = 1; break;
        case O_PREPARE: a->prog.prepare = optarg; break;
        case O_SETUP: a->prog.setup = optarg; break;
        case O_CLEANUP: a->prog.cleanup = optarg; break;
        case O_WARMUP: a->prog.warmup = atoi(optarg); break;
        case O_TIMEOUT: a->sweep.point_timeout_s = atof(optarg); break;
        case O_SHOW: a->prog.show_output = 1; break;
        case O_NOSHELL: a->prog.no_shell = 1; break;
        case O_STRATEGY:
            if (tp_strategy_parse(optarg, &a->sweep.strategy) < 0)
                return -1;
            break;
        case O_MAXRUNS: a->sweep.max_runs = atoi(optarg); break;
        case O_MAXTHREADS: a->sweep.max_threads = atoi(optarg); break;
        case O_CORES: a->cores = atoi(optarg); break;
        case O_REPEAT: a->sweep.repeat = atoi(optarg); break;
        case O_RULES: a->sweep.include_rules = 1; break;
        case O_TOL: a->sweep.tolerance = atof(optarg); break;
        case O_HELP: usage(stdout); exit(0);
        default: return -1;
        }
    }
    return optind == argc && a->prog.command != NULL ? 0 : -1;
}

static void print_points(const struct tp_result *r)
{
    printf("%8s %6s %5s %12s %25s %5s  %s\n", "threads", "m", "runs", "median", "interval", "band", "status");
    for (size_t i = 0; i < r->n_points; i++) {
        const struct tp_point *p = &r->points[i];
        const struct tp_program_point *pp = tp_program_point_find(r, p->threads);
        printf("%8d %6.3g %5d %12.5g [%11.5g, %11.5g] %5s  %s%s%s\n", p->threads, p->multiplier, p->n_reps,
               p->tput_median, p->tput_ci_lo, p->tput_ci_hi, p->in_band ? "yes" : "", tp_point_status_name(p->status),
               pp != NULL && pp->reason[0] ? ": " : "", pp != NULL ? pp->reason : "");
        if (pp != NULL && pp->stderr_tail[0] != '\0')
            printf("           stderr: %s\n", pp->stderr_tail);
    }
}

int main(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof a);
    tp_program_opts_init(&a.prog);
    a.sweep.strategy = TP_STRATEGY_RACE;
    a.sweep.confidence = 0.95;
    a.sweep.seed = 1;
    a.sweep.warmup = 1;
    if (parse(argc, argv, &a) < 0) {
        usage(stderr);
        return 2;
    }
    char why[256] = "";
    int rc = tp_program_source_create(&a.sweep.source, &a.prog, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "run_driver: %s\n", why[0] ? why : tp_strerror(rc));
        return 2;
    }
    struct tp_topology_opts to = { .cores_override = a.cores };
    struct tp_topology topo;
    if ((rc = tp_topology_detect(&topo, &to)) < 0) {
        fprintf(stderr, "run_driver: %s\n", tp_strerror(rc));
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct tp_result r;
    rc = tp_sweep_run(&a.sweep, &topo, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int arc = tp_program_source_attach(&a.sweep.source, &r);
    tp_program_source_destroy(&a.sweep.source);
    if (arc < 0) {
        fprintf(stderr, "run_driver: %s\n", tp_strerror(arc));
        tp_result_free(&r);
        return 1;
    }
    print_points(&r);
    const struct tp_point *pick = r.pick >= 0 ? &r.points[r.pick] : NULL;
    if (r.model.valid)
        printf("model: W/C = %.3g, predicted %.1f threads (m = %.2f)\n", r.model.wait_ns / r.model.compute_ns,
               r.model.threads, r.model.multiplier);
    printf("pick_threads=%d pick_m=%g pick_value=%g runs=%d warmup_runs=%d other_runs=%d wall_s=%.3f points=%zu "
           "budget_hit=%d cores=%d unit=%s\n",
           pick != NULL ? pick->threads : 0, pick != NULL ? pick->multiplier : 0.0,
           pick != NULL ? pick->tput_median : 0.0, r.program->runs, r.program->warmup_runs, r.program->other_runs, wall,
           r.n_points, r.budget_hit, r.cores, r.program->unit);
    if (rc < 0 && rc != TP_ECANCELED)
        fprintf(stderr, "run_driver: %s\n", tp_strerror(rc));
    tp_result_free(&r);
    return rc == 0 ? 0 : 1;
}
