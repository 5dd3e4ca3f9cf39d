/* table.h - the table writer: the report for a terminal, the main output of the tool. */
#ifndef TP_SRC_TABLE_H
#define TP_SRC_TABLE_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* Writes r as the table (TP_FORMAT_TABLE). Returns 0. */
int tp__write_table(const struct tp_result *r, FILE *f);

#endif
