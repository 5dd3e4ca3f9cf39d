/* emit.h - the emitters' entry for callers that add a line of their own to the snippet's comment. */
#ifndef TP_SRC_EMIT_H
#define TP_SRC_EMIT_H

#include <stdio.h>

#include "tunepool/tunepool.h"

/* tp_emit_write, with note (may be NULL) appended to the comment's line,
 * e.g. "class web-2c: pooled over 3 hosts". Returns as tp_emit_write. */
int tp__emit_write_note(const struct tp_result *result, const char *note, enum tp_emit_format format, FILE *f);

#endif
