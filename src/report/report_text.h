/* report_text.h - what every writer says about a result: point facts, row cells and the sentences of the table and Markdown. */
#ifndef TP_SRC_REPORT_TEXT_H
#define TP_SRC_REPORT_TEXT_H

#include <stddef.h>

#include "format.h"
#include "tunepool/tunepool.h"

/* Room for a point's reason: the code's text, the detail (tp_point.error_detail), the threads started. */
#define TP__REPORT_REASON_MAX 400

/* Room for one sentence below. */
#define TP__REPORT_LINE 768

/* ---- facts about points, for every writer ---- */

/* The interval level as a percentage: "95%". */
char *tp__report_level(char *buf, size_t len, const struct tp_result *r);
/* tp_point_status_name / tp_workload_name, "unknown" instead of NULL. */
const char *tp__report_status_name(enum tp_point_status s);
const char *tp__report_workload_name(enum tp_workload_kind k);
/* Why a point has no measurement ("SIGSEGV: Segmentation fault", "not
 * measured: ..."), or "" for a measured one. */
char *tp__report_point_reason(char *buf, size_t len, const struct tp_point *p);
/* The repetitions a point holds, within 0 .. TP_MAX_REPS. */
int tp__report_n_reps(const struct tp_point *p);
/* The names of the origin bits set ("grid", "coarse", "refine", "rule", in
 * that order) into names; returns how many. */
#define TP__REPORT_N_ORIGINS 4
size_t tp__report_origins(unsigned origin, const char *names[TP__REPORT_N_ORIGINS]);
/* 1 when the result has a pick and a best point. */
int tp__report_have_pick(const struct tp_result *r);
/* Points not skipped; points measured with outlier repetitions. */
size_t tp__report_count_measured(const struct tp_result *r);
int tp__report_count_noisy(const struct tp_result *r);
/* The best point is the largest pool measured and clearly beats the one
 * below it: throughput may rise further. */
int tp__report_best_is_the_edge(const struct tp_result *r);

/* The cells of one point's row, as the table and Markdown show them ("-"
 * for what a point that was not measured lacks). */
struct tp__report_row {
    char mark; /* '*' for the pick, ' ' otherwise */
    char m[TP__NUM_LEN], threads[TP__NUM_LEN], tput[TP__NUM_LEN], interval[TP__INTERVAL_LEN];
    char failed[TP__NUM_LEN]; /* the failure share: "0", "0.5%", "100%" */
    char p50[TP__NUM_LEN], p99[TP__NUM_LEN], cpu[TP__NUM_LEN];
    const char *status;
    char marks[16]; /* "= ^ R ! x +" */
    char reason[TP__REPORT_REASON_MAX];
};
void tp__report_point_cells(const struct tp_result *r, size_t i, struct tp__report_row *c);
/* A failure share as the reports show it: "0", "0.5%", "100%". */
void tp__report_share_text(char *buf, size_t len, double share);

/* ---- sentences of the table and Markdown: each fills buf (len bytes) ---- */

/* What the throughput column counts: "tasks/s"; for --run "runs/s",
 * "units/s", "metric" or "1/metric" (--metric-lower). Static. */
const char *tp__report_rate_unit(const struct tp_result *r);
/* What the model's means are per: "task", "run" or "unit". Static. */
const char *tp__report_item_noun(const struct tp_result *r);
/* What was measured, for titles and comments: the workload as
 * tp__workload_describe says it, or "program: CMD (through /bin/sh -c)".
 * Returns 1 for a program. */
int tp__report_subject_text(char *buf, size_t len, const struct tp_result *r);
/* "io: wait 2 ms + compute 100 us per task"; for --run as tp__report_subject_text */
void tp__report_workload_text(char *buf, size_t len, const struct tp_result *r);
/* "2 effective (hwloc: 2 PUs / 2 cores, affinity 2, quota none; counting PUs) -> source hwloc" */
void tp__report_cores_text(char *buf, size_t len, const struct tp_result *r);
/* "repetitions 5 x 1 000 tasks, 95% bootstrap intervals of the median" */
void tp__report_reps_text(char *buf, size_t len, const struct tp_result *r);
/* "search: grid, 12 points in 12.5 s; noise 1.2% (interval / median)" */
void tp__report_search_text(char *buf, size_t len, const struct tp_result *r);
/* "m = 24 -> 48 threads on 2 cores: 19 876 tasks/s [19 800, 19 950]" */
void tp__report_pick_text(char *buf, size_t len, const struct tp_result *r, const struct tp_point *p, int with_cores);
/* "band (indistinguishable from the best): m = 20 .. 32 (40 .. 64 threads, 3 points)" */
void tp__report_band_text(char *buf, size_t len, const struct tp_result *r);
/* How the band was decided, and what it does not prove. */
void tp__report_band_method_text(char *buf, size_t len, const struct tp_result *r);
/* Which points the recommendation rests on, and why the others could not count. */
void tp__report_basis_text(char *buf, size_t len, const struct tp_result *r);
/* A rule row's measurement against the pick, in columns (aligned) or as a
 * sentence; or why it has none. */
void tp__report_rule_measure_text(char *buf, size_t len, const struct tp_result *r, const struct tp_rule_row *row,
                                  int aligned);
/* The model's inputs, its formula with the numbers, and its verdict on the pick. */
void tp__report_model_inputs_text(char *buf, size_t len, const struct tp_result *r);
void tp__report_model_formula_text(char *buf, size_t len, const struct tp_result *r);
void tp__report_model_verdict_text(char *buf, size_t len, const struct tp_result *r);
/* What a task really cost at the best point; returns 0 (buf untouched) when unknown. */
int tp__report_cost_text(char *buf, size_t len, const struct tp_result *r);
/* With a latency bound, what the pick optimises; returns 0 (buf untouched) without one. */
int tp__report_objective_text(char *buf, size_t len, const struct tp_result *r);
/* The warnings and notes about the points ("warning: noisy measurements:
 * ...", "note: 2 points failed ..."), in the order the table prints them;
 * returns how many were written. */
/* Why there is no recommendation: no point measured, or none eligible. */
void tp__report_no_pick_text(char *buf, size_t len, const struct tp_result *r);

#define TP__REPORT_NOTES 5
size_t tp__report_notes(const struct tp_result *r, char notes[TP__REPORT_NOTES][TP__REPORT_LINE]);

#endif
