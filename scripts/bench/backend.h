/* backend.h - the small interface every pool under benchmark implements for bench_main.c. */
#ifndef TP_BENCH_BACKEND_H
#define TP_BENCH_BACKEND_H

#include <stddef.h>

typedef void (*bench_fn)(void *arg);

struct bench_pool;

/* Short name printed in the table, e.g. "tunepool". */
const char *backend_name(void);

/* Largest thread count the backend supports; 0 = no limit of its own. */
int backend_max_threads(void);

/* Starts a pool of `threads` workers that runs fn(arg) for each submitted
 * arg, fed by `submitters` threads (numbered 0..submitters-1), each of which
 * has at most max_batch tasks outstanding between two waits. NULL on
 * failure. */
struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch, int submitters);

/* Queues one task from submitter `sub`. arg is never NULL. Called by the
 * submitters concurrently. */
void backend_submit(struct bench_pool *bp, int sub, void *arg);

/* Called by every submitter after all of them have submitted their batch;
 * when the last of these calls has returned, every task submitted so far has
 * run. A pool with one pool-wide wait waits in submitter 0's call only. */
void backend_wait(struct bench_pool *bp, int sub);

/* Stops and joins the workers (where the library allows it), frees bp. */
void backend_destroy(struct bench_pool *bp);

#endif
