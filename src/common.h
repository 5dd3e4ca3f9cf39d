/* common.h - internal helpers shared by every module: visibility, clocks, error conversion. */
#ifndef TP_SRC_COMMON_H
#define TP_SRC_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "tunepool/tunepool.h"

#define TP__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Monotonic time in nanoseconds. */
static inline uint64_t tp__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread in nanoseconds. */
static inline uint64_t tp__thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* pthread functions return a positive errno: make it ours. */
static inline int tp__from_pthread(int rc) { return rc > 0 ? -rc : rc; }

/* A -1/errno style return (hwloc, libc): make it ours. */
static inline int tp__from_errno(void) { return errno > 0 ? -errno : -EIO; }

#endif
