/* results_read.h - reads a results JSON document (schema 1) back into a struct tp_result. */
#ifndef TP_SRC_RESULTS_READ_H
#define TP_SRC_RESULTS_READ_H

#include "tunepool/tunepool.h"

/* The public entry points are tp_result_load() and tp_result_read() in
 * tunepool.h; this module has no internal ones. */

#endif
