/* merge_doc.h - a merged document read back as it stands (tune-pool merge merged.json --emit=...). */
#ifndef TP_SRC_MERGE_DOC_H
#define TP_SRC_MERGE_DOC_H

#include <jansson.h>

#include "tunepool/tunepool.h"

/* Fills the empty m from the merged document root: its workload, classes
 * (pooled points, pick, band), hosts (facts, picks, verdicts, points without
 * repetitions); sets m->from_merged. Returns 0, TP_EFORMAT with why, -ENOMEM
 * (m is then partly filled: tp_merge_free it). */
int tp__merge_read_document(struct tp_merge *m, const json_t *root, char *why, size_t why_len);

#endif
