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
 * arg. max_batch: most tasks submitted between two waits. NULL on failure. */
struct bench_pool *backend_create(int threads, bench_fn fn, size_t max_batch);

/* Queues one task. arg is never NULL. */
void backend_submit(struct bench_pool *bp, void *arg);

/* Returns when every task submitted so far has run. */
void backend_wait(struct bench_pool *bp);

/* Stops and joins the workers (where the library allows it), frees bp. */
void backend_destroy(struct bench_pool *bp);

#endif
