/* program.h - the user's program as a measurement source (--run): a point's visit runs the command at its size. */
#ifndef TP_SRC_PROGRAM_H
#define TP_SRC_PROGRAM_H

#include "tunepool/tunepool.h"

/* The measure function of a program source (struct tp_source.measure;
 * ctx is what tp_program_source_create() made). One visit of a point, as
 * tunepool.h (Programs) describes: fills out's raw fields (status, reps,
 * per-unit figures, max_rss_kb, wall_s) and the source's record of the
 * point. Returns 0, or TP_ECANCELED when req->cancel was set (the command
 * running then is stopped, cleanup still runs). */
int tp__program_measure(void *ctx, const struct tp_point_request *req, struct tp_point *out);

#endif
