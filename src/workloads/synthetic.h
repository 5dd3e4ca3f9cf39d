/* synthetic.h - the synthetic kinds (io, cpu, mixed, noop) and their helpers: real CPU work and real blocking waits. */
#ifndef TP_SRC_SYNTHETIC_H
#define TP_SRC_SYNTHETIC_H

#include <stdint.h>

/* Burns ns nanoseconds of the calling thread's CPU time with real
 * computation (never a sleep): under oversubscription it takes longer in
 * wall time but exactly as much CPU. Returns a value derived from the work
 * so that the compiler cannot drop it. */
uint64_t tp__burn_cpu_ns(uint64_t ns);

/* Blocks the calling thread for ns nanoseconds (clock_nanosleep on
 * CLOCK_MONOTONIC, absolute deadline, resumed after EINTR). */
void tp__block_ns(uint64_t ns);

/* mixed: whether task index waits (an io task) rather than computes: a hash
 * of the index against the fraction, the same for every executor. */
int tp__mixed_is_io(double fraction, uint64_t index);

#endif
