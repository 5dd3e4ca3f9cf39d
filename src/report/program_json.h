/* program_json.h - the results JSON's "program" object for --run: the command, its options, per-run records per point. */
#ifndef TP_SRC_REPORT_PROGRAM_JSON_H
#define TP_SRC_REPORT_PROGRAM_JSON_H

#include <jansson.h>

#include "tunepool/tunepool.h"

/* The "program" object of a --run result (docs/results-format.md): the
 * command, placeholders, env names, metric and the other commands, the
 * run totals, and per point its runs (exit status, signal, timeout, wall,
 * user/system CPU, max RSS, metric, value) and failure reason. NULL on
 * allocation failure. */
json_t *tp__report_program_json(const struct tp_program_result *pr);

#endif
