/* report_work.h - the report's account of what the workload really did: per-point work, failures, pool overhead. */
#ifndef TP_SRC_REPORT_WORK_H
#define TP_SRC_REPORT_WORK_H

#include <stdio.h>

#include <jansson.h>

#include "tunepool/tunepool.h"

/* The heading of the "Work done" lines ("Work done in the repetitions
 * (what the tasks really did)"); 0 when no point was measured (nothing to say). */
int tp__report_work_heading(char *buf, size_t len, const struct tp_result *r);
/* One measured point's work: "5 000 reads, 20 MiB, 0 errors" (for noop with
 * the overhead per task). */
void tp__report_work_text(char *buf, size_t len, const struct tp_result *r, const struct tp_point *p);
/* For a point that crashed or timed out, the line that says it was
 * contained; returns 0 (buf untouched) for any other point. */
int tp__report_contained_text(char *buf, size_t len, const struct tp_point *p);

/* The table's "Work done" lines (one per measured point: operations,
 * bytes, errors; for noop the overhead per task) and, when points crashed
 * or timed out, a line naming each of them with its signal or limit. */
void tp__report_work_table(const struct tp_result *r, FILE *f);

/* A point's "work" object: ops, bytes, errors, cpu_ns_per_task,
 * ns_per_task. NULL on allocation failure. */
json_t *tp__report_work_json(const struct tp_point *p);

/* A point's "server" object (what the server saw: samples, active_max,
 * active_mean, waits [{event, mean}]), or JSON null when it was not
 * observed. NULL on allocation failure. */
json_t *tp__report_server_json(const struct tp_point *p);
/* "server: 7.6 active (max 8); waits Timeout:PgSleep 7.1, CPU 0.4", or
 * "" when the point was not observed. */
void tp__report_server_text(char *buf, size_t len, const struct tp_point *p);
/* Adds the kind's own per-point object (http: "http", its status counts)
 * to the point's JSON object o, null for a point not measured; nothing for
 * a kind without one. Returns 0, -1 on allocation failure. */
int tp__report_point_kind_json(json_t *o, enum tp_workload_kind kind, const struct tp_point *p);

/* Adds the kind's own parameters to the JSON "workload" object. Returns 0,
 * -1 on allocation failure. */
int tp__report_workload_json(json_t *wl, const struct tp_workload_params *p);

#endif
