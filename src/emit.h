/* emit.h - the recommendation as a build-config snippet: CMake, Make, C header, shell env, JSON. */
#ifndef TP_SRC_EMIT_H
#define TP_SRC_EMIT_H

#include "tunepool/tunepool.h"

/* The public entry points are tp_emit_write(), tp_emit_name() and
 * tp_emit_parse() in tunepool.h. */

#endif
