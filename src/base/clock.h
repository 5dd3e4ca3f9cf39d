/* clock.h - the clocks every stage reads (monotonic wall, thread CPU) and the timer slack of waiting threads. */
#ifndef TP_BASE_CLOCK_H
#define TP_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic time in nanoseconds (vDSO: about 25 ns). */
static inline uint64_t tp__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread in nanoseconds. Not in the vDSO: a system
 * call (about 1.4 us on a VM), so never read it per task. */
static inline uint64_t tp__thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sets the calling thread's timer slack to 1 ns, the smallest: its sleeps,
 * timers and epoll timeouts end when asked, not up to 50 us (the default
 * slack) late. */
void tp__timer_slack_min(void);

#endif
