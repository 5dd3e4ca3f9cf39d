/* program_table.h - the table report's account of a --run: the command, what a run's value counts, runs per point, failures. */
#ifndef TP_SRC_REPORT_PROGRAM_TABLE_H
#define TP_SRC_REPORT_PROGRAM_TABLE_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* The "Your program" lines of a --run result (r->program set): the
 * command, the unit of the throughput column, and per point the runs it
 * spent, the median wall time, CPU and max RSS of its runs, and for a
 * failed point its reason and the last stderr lines. */
void tp__report_program_table(const struct tp_result *r, FILE *f);

#endif
