/* json.h - the JSON writer: the stable interface for other tools (schema 1, docs/results-format.md). */
#ifndef TP_SRC_JSON_H
#define TP_SRC_JSON_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* Writes r as the JSON document (TP_FORMAT_JSON). Returns 0, TP_EJSON
 * when it cannot be built, -EIO on a write error. */
int tp__write_json(const struct tp_result *r, FILE *f);

#endif
