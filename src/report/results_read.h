/* results_read.h - the results reader's entry for a document already parsed (merge reads each file once). */
#ifndef TP_SRC_RESULTS_READ_H
#define TP_SRC_RESULTS_READ_H

#include <jansson.h>

#include "tunepool/tunepool.h"

/* tp_result_read of a parsed document root: the same checks and messages;
 * recompute: the statistics recomputed from the repetitions (as
 * tp_result_read), else each point's median, interval and band flag, the
 * pick and the best as the document states them (merge: a host's own pick
 * is what it reported; no bootstrap per point). out is freed and cleared
 * on failure. */
int tp__result_from_json(struct tp_result *out, const json_t *root, int recompute, char *why, size_t why_len);

/* The "host" object of parent (a document, or a merged document's host
 * entry) into *h (zeroed when absent). Returns 0 or TP_EFORMAT with why. */
int tp__host_from_json(const json_t *parent, struct tp_host *h, char *why, size_t why_len);

/* A "workload" object into *w. Returns 0 or TP_EFORMAT with why. */
int tp__workload_from_json(const json_t *wl, struct tp_workload_params *w, char *why, size_t why_len);

#endif
