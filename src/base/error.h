/* error.h - the library's error convention: 0 or a negative errno / TP_E* code; conversions where foreign codes enter. */
#ifndef TP_BASE_ERROR_H
#define TP_BASE_ERROR_H

#include <errno.h>

#include "tunepool/tunepool.h"

/* pthread functions return a positive errno: make it ours. */
static inline int tp__from_pthread(int rc) { return rc > 0 ? -rc : rc; }

/* A -1/errno style return (hwloc, libc): make it ours. */
static inline int tp__from_errno(void) { return errno > 0 ? -errno : -EIO; }

#endif
