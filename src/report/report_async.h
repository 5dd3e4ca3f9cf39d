/* report_async.h - the report's executor section: the event loops' curve and pick beside the pool's pick and the rules. */
#ifndef TP_SRC_REPORT_ASYNC_H
#define TP_SRC_REPORT_ASYNC_H

#include <stdio.h>

#include <jansson.h>

#include "tunepool/tunepool.h"

/* The table's (and Markdown's) executor section after the pool's report:
 * the async curve, then the pool's pick, the rule-of-thumb rows and the
 * async pick side by side (tasks/s with interval, p99, threads, max RSS),
 * and the verdict. With r->async->only the whole report is this section
 * (with the workload and cores lines). Nothing when r->async is NULL.
 * Returns 0 or -EIO. */
int tp__report_async_table(const struct tp_result *r, FILE *f);

/* The JSON "async" object (docs/results-format.md); json_null() when
 * r->async is NULL; NULL on allocation failure. */
json_t *tp__report_async_json(const struct tp_result *r);

#endif
