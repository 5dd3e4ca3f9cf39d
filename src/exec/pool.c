/* pool.c - the pthread pool that runs measured tasks without becoming what is measured. */

/*
 * DESIGN
 *
 * The tuner sweeps this pool from 1 to thousands of threads on machines with
 * few cores, so the cost of handing a task to a worker must not grow with the
 * number of workers. Three things keep it flat:
 *
 * Queue. Bounded multi-producer multi-consumer rings, one shard per usable
 * CPU (a power of 2 of them, at most MAX_SHARDS; the queue's capacity is
 * split evenly). Each slot carries a sequence number: seq == pos means
 * "free for the producer of position pos", seq == pos + 1 means "holds the
 * task of pos". Producers claim a position with a CAS on the shard's
 * `tail`, write fn/arg, then publish by storing pos + 1; consumers claim
 * with a CAS on its `head`, read, then free the slot by storing pos +
 * capacity. No lock is taken to submit or to take a task.
 *
 * Shards. A submitter pushes to the shard of the CPU it runs on (the CPU
 * from rseq, cpu_shard maps the CPUs of the pool's affinity onto the
 * shards in turn), or to the next with room; a worker pops from its own
 * CPU's shard first, then the others in turn, and every FAIR_RUN-th pop
 * starts at the next shard, so a shard that never empties cannot starve
 * the others. With one ring, two submitters on two CPUs fought over `tail`
 * and the slots' lines while the workers chased them (noop tasks, 2
 * submitters, 2 workers, 2 vCPUs: 2-5 M tasks/s whenever the scheduler put
 * the submitters on different CPUs, 15-25 M when on one; the mutex pool
 * 5 M); with a shard per CPU nothing moves between CPUs while the tasks
 * flow (15-20 M at every placement). The CPU is only a hint: a thread that
 * migrates between reading it and pushing pushes to another CPU's shard,
 * which is correct, only slower. Order across shards is not kept (the API
 * promises none).
 *
 * Workers. Each worker is in one of three states:
 *   RUNNING    executing a task, or going from one task straight to the
 *              next; not counted anywhere.
 *   SEARCHING  looking at a ring it found empty, spinning; counted in
 *              `searching` (it counts itself, then looks once more).
 *   PARKED     asleep on its own futex word, its index on the idle stack,
 *              counted in `n_idle`.
 * A worker that finds the ring empty spins a bounded number of rounds (CPU
 * pause, then sched_yield; at most spin_cap workers spin at once), then
 * parks. When the oldest position is claimed but not yet published (its
 * producer is between CAS and store, perhaps preempted there, and the tasks
 * behind it wait for it), a searcher yields its CPU instead, up to
 * STALL_YIELDS times: parking would only have the next submit wake it to
 * the same slot. The idle stack is LIFO: the most recently parked, cache-warm worker
 * is woken first, and long-idle workers stay asleep. A worker that finds its
 * next task at once touches no shared counter: while tasks flow, `searching`
 * and `n_idle` stay unwritten and the submitters' reads of them hit their
 * caches (the only shared writes per task are the shard's head, tail and
 * slot).
 *
 * Wake policy. A sleeping worker is woken only when no worker is searching:
 *   - submit publishes its task, then wakes one parked worker if
 *     searching == 0. The waker moves `searching` from 0 to 1 by CAS on the
 *     wakee's behalf, so concurrent submitters wake one worker at a time, not
 *     one each.
 *   - while fewer workers are awake than RAMP_AWAKE_PER_CPU x CPUs, a
 *     submitter that sees only wakees in flight or spinners (0 < searching
 *     < CPUs) wakes one more at once (wake_extra):
 *     a burst gets its workers in parallel, not one scheduling delay after
 *     another (capped at the CPUs, 4 workers on 2 CPUs left a CPU idle).
 *   - a searching worker that takes a task and was the last one searching
 *     wakes one more if tasks remain. Parallelism thus ramps up one worker
 *     per task taken: N queued blocking tasks end up on N workers.
 * A worker going from task to task is not counted, so a submitter may wake
 * one more worker than needed while every awake worker is between two
 * tasks; that costs a wake-up, never a lost task.
 *
 * Lost wake-ups are excluded by a Dekker pattern on sequentially consistent
 * operations: a submitter publishes the slot, then reads `searching` and
 * `n_idle`; a worker going to sleep leaves `searching`, pushes itself and
 * increments `n_idle`, then reads the ring again. At least one side sees the
 * other. A worker whose last look finds a task removes itself from the idle
 * stack again (or, if a waker already popped it, takes that wake-up). A waker
 * whose CAS found nobody to wake gives `searching` back and looks at the
 * ring again, because a submitter may have relied on its transient count.
 *
 * Completion. The shards' `tail`s sum to the tasks ever submitted (each
 * successful push claims one position) and `finished` counts those done: workers add their finished
 * tasks in batches (at most FLUSH_BATCH, and always before they search an
 * empty ring), so finished == the sum of tails only once every submitted
 * task is done, and a submit costs no counter of its own. A waiter reads
 * `finished`, then each tail: the tails only grow, so their sum is at least
 * what had been submitted when `finished` was read, which is at least
 * `finished`; when the two agree, all was done at the moment of the first
 * read. The flush that brings finished up to the sum of tails wakes the
 * waiters. Waiters sleep on wait_cv, never spin. With submitters still
 * running, tp_pool_wait returns at the first moment nothing is outstanding. A task must not call
 * tp_pool_wait or tp_pool_destroy on its own pool (it would wait for itself),
 * nor submit into a full ring from every worker at once (nobody would drain
 * it).
 *
 * Back-pressure. When every shard is full, submit yields a few times, then
 * sleeps on space_cv; a worker that frees a slot signals it when
 * n_space_waiters is non-zero (Dekker again: waiter count vs slot release).
 *
 * Layers. This file is the raw pool (tp__pool_create/tp__pool_destroy);
 * tuned_pool.c implements the public tp_pool_create/tp_pool_destroy over
 * it and starts/stops the online tuner (online.c), which resizes the pool
 * through the public tp_pool_resize: this file knows no tuner.
 *
 * Shutdown. destroy sets `stopping` (submit then fails with -ESHUTDOWN),
 * waits for finished == the sum of tails (so queued tasks run, including ones that
 * running tasks submit before they see `stopping`: the submitting task is
 * not finished yet), sets `exiting`, wakes every
 * parked worker and joins all of them.
 *
 * Resizing. Worker slots are allocated for max_threads up front; `target`
 * says how many are wanted, and worker i belongs to the pool while
 * i < target. A worker sees a lower target at the top of its loop (after
 * its current task, or at once while searching) and leaves: it takes
 * resize_mu, checks again, folds its counters into its slot, marks the slot
 * EXITED and returns, handing on the search like any searcher that stops.
 * A parked worker above the target is popped off the idle stack and woken by
 * the shrinker (counted as searching first, the waker's convention), and a
 * worker about to park checks the target after pushing itself (Dekker with
 * the shrinker, which stores the target before it scans the stack). Growing
 * stores the target, joins an EXITED slot's old thread and starts a new one
 * in the slot, all under resize_mu; a slot still LIVE (its worker had not
 * yet left) is kept. Lowering and raising the target thus never lose or
 * double a worker.
 *
 * Sensing (online tuning). Each worker counts its tasks and the wall time
 * inside them in its own slot (relaxed atomics, written by that worker
 * only), and keeps /proc/thread-self/schedstat open: on-CPU time and
 * run-queue wait, read by tp_pool_stats under resize_mu and folded into the
 * slot when the worker leaves, so the sums never go backwards. At most
 * ss_budget workers hold a descriptor (a quarter of RLIMIT_NOFILE, at most
 * SS_BUDGET_MAX); the others count CPU from their thread clocks, and the
 * run-queue wait is a sample: runq_ns over the runq_tasks those with a
 * descriptor finished.
 *
 * Locks. idle_mu (idle stack), wait_mu (waiters), space_mu (full ring),
 * start_mu (start-up count), resize_mu (slot states, schedstat
 * descriptors, the counters of gone workers). They never nest: each is a
 * leaf, so there is no lock order to break (a grower joins an EXITED
 * thread under resize_mu: that thread marked itself under it, released it,
 * and takes no lock on its way out that the grower holds). No lock is held while a task or
 * on_thread_start runs.
 *
 * Memory orderings. Slot seq: release by the writer, acquire by the reader,
 * which orders fn/arg; the publishing and the freeing store, and every load
 * that takes part in a wake-up decision (`searching`, `n_idle`, `finished`,
 * the tails, the waiter counts, `exiting`, the ring check), are seq_cst.
 * tail and head CASes are relaxed: the slot seq carries the ordering. A worker's futex
 * word is set with release by its waker and read with acquire by the worker.
 */

#include "pool.h"

#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"

#define CACHE_LINE 64
#define DEFAULT_QUEUE_CAPACITY 65536u
#define MAX_QUEUE_CAPACITY ((size_t)1 << 30)
#define NAME_PREFIX_MAX 10 /* tunepool.h: "<= 10 chars used" */
#define DEFAULT_NAME "tp-worker"
#define SPIN_PAUSE_ROUNDS 8 /* rounds of CPU pauses before yielding */
#define SPIN_PAUSES_PER_ROUND 32
#define SPIN_YIELD_ROUNDS 4 /* then rounds of sched_yield before parking */
/* Ramp-up (wake_extra): a submitter wakes one more worker at once while
 * fewer than RAMP_AWAKE_PER_CPU x CPUs are awake (and fewer than the CPUs
 * are still on their way). Capped at the CPUs, a burst reached its workers
 * one scheduling delay after another: with 4 or 8 workers on 2 CPUs, 1 us
 * tasks ran at 0.89x and 0.95x the mutex pool's rate (a CPU idle while
 * wakees came up one by one); at 4 x CPUs 1.00x and 1.06x (bench-pool,
 * quiet 2-vCPU machine). */
#define RAMP_AWAKE_PER_CPU 4
#define FLUSH_BATCH 64      /* finished tasks a worker may hold before flushing */
#define FULL_YIELDS 32      /* yields of a submitter facing a full ring before it sleeps */
#define SS_BUDGET_MAX 1024  /* schedstat descriptors a pool keeps open at most */
#define STALL_YIELDS 64     /* yields to a producer in flight before the searcher spins and parks as usual */
#define RING_IN_FLIGHT (-1) /* ring_pop: the oldest position is claimed, not yet published */
#define MAX_SHARDS 16       /* rings a pool's queue is split into at most (one per CPU) */
#define CPU_MAP_SIZE 1024   /* CPUs numbered below this have a shard of their own in cpu_shard */
#define FAIR_RUN 64         /* tasks a worker takes from one shard before it looks at the next one first */

enum slot_state {
    W_NONE = 0, /* no thread in this slot */
    W_LIVE,     /* a thread started here and has not left */
    W_EXITED,   /* its thread left (retired); join before reuse */
};

/* One ring slot. fn/arg are plain: they are ordered by seq. */
struct slot {
    _Atomic size_t seq; /* see DESIGN; release by writer, acquire by reader */
    tp_task_fn fn;      /* written by the producer owning the slot, read by its consumer */
    void *arg;
    void *pad; /* 32 bytes: a slot never straddles a cache line */
};

/* One ring of the queue (see DESIGN: Queue). Each counter has its own line:
 * the producers of this shard write tail, its consumers head. */
struct shard {
    _Alignas(CACHE_LINE) struct slot *slots;  /* immutable */
    size_t mask;                              /* immutable: capacity - 1 */
    _Alignas(CACHE_LINE) _Atomic size_t tail; /* next position to fill = tasks ever pushed here;
                                                 relaxed CAS by producers, seq_cst loads by waiters */
    _Alignas(CACHE_LINE) _Atomic size_t head; /* next position to take; relaxed CAS by consumers */
};

struct tp_worker {
    _Alignas(CACHE_LINE) struct tp_pool *pool; /* immutable */
    pthread_t thread;                          /* written and read by the creating/destroying thread */
    int index;                                 /* immutable */
    int in_idle;                               /* idle_mu: 1 while on the idle stack */
    _Atomic uint32_t wake;                     /* futex word: 0 asleep, 1 woken; set with release by the
                                                   waker that popped the worker, read with acquire by the
                                                   worker, reset by the worker under idle_mu */
    int state;                                 /* resize_mu: enum slot_state */
    _Atomic int ss_fd;                         /* the worker's schedstat, -1 = none; stored by the worker
                                                   (release), read and closed under resize_mu */
    uint64_t gone_cpu_ns, gone_runq_ns;        /* resize_mu: what the slot's gone threads used */
    _Atomic uint64_t tasks, busy_ns;           /* sensing: written by the slot's thread only (relaxed) */
    _Atomic uint64_t tasks_rq;                 /* ... of them, those finished while the thread had ss_fd */
};

struct tp_pool {
    /* Immutable after tp_pool_create. */
    struct shard *shards;
    unsigned n_shards;               /* a power of 2, at most MAX_SHARDS */
    uint8_t cpu_shard[CPU_MAP_SIZE]; /* the shard of the submitters running on each CPU */
    struct tp_worker *workers;
    int max_threads;          /* slots allocated: the most tp_pool_resize may ask for */
    int sensing;              /* workers keep the per-task counters and schedstat */
    int schedstat;            /* /proc/thread-self/schedstat could be opened at create */
    int ss_budget;            /* at most this many workers keep schedstat open (a quarter of
                                         RLIMIT_NOFILE, at most SS_BUDGET_MAX): the pool must not
                                         eat the descriptors of the program it serves */
    _Atomic int ss_open;      /* relaxed: schedstat descriptors open now */
    struct tp__online *tuner; /* kept for tuned_pool.c (set once after create); NULL = none */
    pthread_attr_t attr;      /* resize_mu: stack size for workers started later */
    int attr_ok;
    int spin_cap;      /* most workers allowed to spin at once */
    size_t stack_size; /* effective stack size of each worker */
    char name[NAME_PREFIX_MAX + 1];
    void (*on_thread_start)(void *ctx, int worker_index);
    void *thread_ctx;
    _Atomic int stopping; /* seq_cst: set once by destroy; submit refuses after */
    _Atomic int exiting;  /* seq_cst: set once when workers must leave */

    _Alignas(CACHE_LINE) _Atomic unsigned searching; /* seq_cst: workers SEARCHING, plus wakees in flight */
    _Alignas(CACHE_LINE) _Atomic unsigned n_idle;    /* seq_cst, changed under idle_mu: workers PARKED */
    _Alignas(CACHE_LINE) _Atomic size_t finished;    /* seq_cst: tasks done (flushed); never above the sum of tails */
    /* Read by workers after every task or flush, written rarely: a line of
     * their own, so that the flushes of `finished` do not evict it. */
    _Alignas(CACHE_LINE) _Atomic unsigned n_waiters; /* seq_cst, changed under wait_mu: threads in tp_pool_wait */
    _Atomic unsigned n_space_waiters; /* seq_cst, changed under space_mu: submitters asleep on a full ring */

    _Alignas(CACHE_LINE) pthread_mutex_t idle_mu;
    int *idle;    /* idle_mu: stack of parked worker indices */
    int idle_top; /* idle_mu */

    pthread_mutex_t wait_mu;  /* guards only the sleep on wait_cv */
    pthread_cond_t wait_cv;   /* signalled when finished reaches the sum of tails */
    pthread_mutex_t space_mu; /* guards only the sleep on space_cv */
    pthread_cond_t space_cv;  /* signalled when a slot is freed */
    pthread_mutex_t start_mu;
    pthread_cond_t start_cv; /* signalled as workers come up */
    int n_running;           /* start_mu: workers that finished starting */

    _Alignas(CACHE_LINE) _Atomic int target; /* seq_cst: workers wanted; worker i stays while i < target */
    pthread_mutex_t resize_mu;               /* see DESIGN: Resizing, Sensing */
};

struct task {
    tp_task_fn fn;
    void *arg;
};

enum park_result {
    PARK_WOKEN, /* a waker popped us and counted us as searching */
    PARK_SELF,  /* we saw work before sleeping and took ourselves off the stack */
    PARK_EXIT,  /* the pool is shutting down */
};

/* ---------------------------------------------------------------- helpers */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
}

static void futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
    /* Returns on wake-up, on a value change (EAGAIN) or on a signal: the
     * caller re-reads the word in a loop. */
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static size_t round_up_pow2(size_t v)
{
    size_t p = 2; /* a one-slot ring cannot tell "full" from "free" */
    while (p < v)
        p <<= 1;
    return p;
}

/* The stack each worker gets: 0 means the default; at least the system
 * minimum; a whole number of pages. */
static size_t effective_stack_size(size_t requested)
{
    size_t sz = requested != 0 ? requested : TP_POOL_DEFAULT_STACK;
    long min = sysconf(_SC_THREAD_STACK_MIN);
    long page = sysconf(_SC_PAGESIZE);
    size_t min_sz = min > 0 ? (size_t)min : (size_t)PTHREAD_STACK_MIN;
    size_t pg = page > 0 ? (size_t)page : 4096u;

    if (sz < min_sz)
        sz = min_sz;
    if (sz > SIZE_MAX - pg)
        return sz & ~(pg - 1); /* absurd request: let pthread_create refuse it */
    return (sz + pg - 1) & ~(pg - 1);
}

int tp__pool_usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ------------------------------------------------------------------- ring */

/* The shard a submitter on the calling thread's CPU pushes to first. */
static unsigned submit_shard(const struct tp_pool *p)
{
    int cpu = sched_getcpu(); /* rseq: a memory read, ~2 ns */
    if (cpu < 0)
        return 0;
    return cpu < CPU_MAP_SIZE ? p->cpu_shard[cpu] : (unsigned)cpu & (p->n_shards - 1);
}

/* Appends a task to shard sh; 0 when that ring is full. */
static int shard_push(struct shard *sh, tp_task_fn fn, void *arg)
{
    size_t pos = atomic_load_explicit(&sh->tail, memory_order_relaxed);
    for (;;) {
        struct slot *s = &sh->slots[pos & sh->mask];
        /* seq_cst: pairs with the consumer's freeing store and its read of
         * n_space_waiters (a sleeping submitter re-checks through here). */
        size_t seq = atomic_load_explicit(&s->seq, memory_order_seq_cst);
        intptr_t dif = (intptr_t)(seq - pos);
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&sh->tail, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed)) {
                s->fn = fn;
                s->arg = arg;
                atomic_store_explicit(&s->seq, pos + 1, memory_order_seq_cst);
                return 1;
            }
            /* CAS failure reloaded pos */
        } else if (dif < 0) {
            return 0;
        } else {
            pos = atomic_load_explicit(&sh->tail, memory_order_relaxed);
        }
    }
}

/* Appends a task to the shard of the caller's CPU, or to the next one with
 * room; 0 when every shard is full. */
static int ring_push(struct tp_pool *p, tp_task_fn fn, void *arg)
{
    unsigned first = submit_shard(p);
    for (unsigned k = 0; k < p->n_shards; k++)
        if (shard_push(&p->shards[(first + k) & (p->n_shards - 1)], fn, arg))
            return 1;
    return 0;
}

/* Takes the oldest published task of shard sh: 1. Otherwise 0 when the ring
 * is empty, or RING_IN_FLIGHT when a producer has claimed the oldest
 * position and not yet published it (it is between its CAS and its store,
 * perhaps preempted there: the tasks behind it wait for it). */
static int shard_pop(struct shard *sh, struct task *out)
{
    size_t pos = atomic_load_explicit(&sh->head, memory_order_relaxed);
    for (;;) {
        struct slot *s = &sh->slots[pos & sh->mask];
        size_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        intptr_t dif = (intptr_t)(seq - (pos + 1));
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&sh->head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed)) {
                out->fn = s->fn;
                out->arg = s->arg;
                atomic_store_explicit(&s->seq, pos + sh->mask + 1, memory_order_seq_cst);
                return 1;
            }
        } else if (dif < 0) {
            return atomic_load_explicit(&sh->tail, memory_order_relaxed) != pos ? RING_IN_FLIGHT : 0;
        } else {
            pos = atomic_load_explicit(&sh->head, memory_order_relaxed);
        }
    }
}

/* Takes a task, looking first at the shard of the CPU the worker runs on
 * (where the submitters of that CPU push: the slots are in its cache, and
 * no line moves between CPUs), then at the others in turn. Every
 * FAIR_RUN-th take starts at the next shard instead, so that a shard that
 * is never empty cannot starve the others. 1, or else RING_IN_FLIGHT when
 * some shard's oldest task is in flight, 0 when every shard is empty. */
static int ring_pop(struct tp_pool *p, struct task *out, unsigned *run)
{
    int in_flight = 0;
    unsigned last = p->n_shards - 1;
    unsigned from = submit_shard(p);
    if (++*run >= FAIR_RUN && last != 0) {
        *run = 0;
        from = (from + 1) & last;
    }
    for (unsigned k = 0; k < p->n_shards; k++) {
        unsigned i = (from + k) & last;
        int got = shard_pop(&p->shards[i], out);
        if (got > 0)
            return 1;
        in_flight |= got == RING_IN_FLIGHT;
    }
    return in_flight ? RING_IN_FLIGHT : 0;
}

/* 1 when the oldest unconsumed position of some shard holds a published
 * task. Never answers 0 while a published task is waiting (see DESIGN). */
static int ring_has_task(struct tp_pool *p)
{
    for (unsigned i = 0; i < p->n_shards; i++) {
        struct shard *sh = &p->shards[i];
        size_t pos = atomic_load_explicit(&sh->head, memory_order_seq_cst);
        for (;;) {
            size_t seq = atomic_load_explicit(&sh->slots[pos & sh->mask].seq, memory_order_seq_cst);
            intptr_t dif = (intptr_t)(seq - (pos + 1));
            if (dif == 0)
                return 1;
            if (dif < 0)
                break;
            pos = atomic_load_explicit(&sh->head, memory_order_seq_cst); /* consumed meanwhile */
        }
    }
    return 0;
}

/* Tasks ever submitted: the sum of the shards' tails (see DESIGN: Completion). */
static size_t total_tail(struct tp_pool *p)
{
    size_t t = 0;
    for (unsigned i = 0; i < p->n_shards; i++)
        t += atomic_load_explicit(&p->shards[i].tail, memory_order_seq_cst);
    return t;
}

/* ------------------------------------------------------- parking, waking */

/* Pops the most recently parked worker and wakes it; 0 if none is parked. */
static int unpark_one(struct tp_pool *p)
{
    struct tp_worker *w;

    pthread_mutex_lock(&p->idle_mu);
    if (p->idle_top == 0) {
        pthread_mutex_unlock(&p->idle_mu);
        return 0;
    }
    w = &p->workers[p->idle[--p->idle_top]];
    w->in_idle = 0;
    atomic_fetch_sub_explicit(&p->n_idle, 1, memory_order_seq_cst);
    pthread_mutex_unlock(&p->idle_mu);

    /* w cannot park again before it has seen this store. */
    atomic_store_explicit(&w->wake, 1, memory_order_release);
    futex_wake(&w->wake);
    return 1;
}

/* Wakes one parked worker unless one is already searching (see DESIGN). */
static void wake_worker(struct tp_pool *p)
{
    for (;;) {
        unsigned zero = 0;

        if (atomic_load_explicit(&p->n_idle, memory_order_seq_cst) == 0)
            return;
        if (!atomic_compare_exchange_strong_explicit(&p->searching, &zero, 1, memory_order_seq_cst,
                                                     memory_order_seq_cst))
            return; /* someone searches, or another waker is at it */
        if (unpark_one(p))
            return; /* the wakee now owns the count we set */
        atomic_fetch_sub_explicit(&p->searching, 1, memory_order_seq_cst);
        /* A submitter may have skipped its wake-up because of our transient
         * count: look again. */
        if (!ring_has_task(p))
            return;
    }
}

/* Ramp-up: while fewer than RAMP_AWAKE_PER_CPU x CPUs workers are awake, a
 * submitter that sees s searchers (0 < s < spin_cap, the CPUs:
 * wakees still on their way, or spinners) wakes one more at once rather than leaving it to the chain of
 * searchers that take a task. It is only ever an extra wake-up. */
static void wake_extra(struct tp_pool *p, unsigned s)
{
    unsigned idle = atomic_load_explicit(&p->n_idle, memory_order_seq_cst);
    int awake = atomic_load_explicit(&p->target, memory_order_relaxed) - (int)idle;

    if (idle == 0 || awake >= RAMP_AWAKE_PER_CPU * p->spin_cap ||
        !atomic_compare_exchange_strong_explicit(&p->searching, &s, s + 1, memory_order_seq_cst, memory_order_seq_cst))
        return;
    if (unpark_one(p))
        return; /* the wakee owns the count */
    atomic_fetch_sub_explicit(&p->searching, 1, memory_order_seq_cst);
    if (ring_has_task(p))
        wake_worker(p); /* as wake_worker does after a transient count */
}

static void remove_from_idle(struct tp_pool *p, struct tp_worker *w)
{
    /* idle_mu held. The worker is almost always on top: it just pushed. */
    for (int i = p->idle_top - 1; i >= 0; i--) {
        if (p->idle[i] == w->index) {
            memmove(&p->idle[i], &p->idle[i + 1], (size_t)(p->idle_top - i - 1) * sizeof p->idle[0]);
            p->idle_top--;
            break;
        }
    }
    w->in_idle = 0;
    atomic_fetch_sub_explicit(&p->n_idle, 1, memory_order_seq_cst);
}

/* Puts the calling worker to sleep until a waker pops it (see DESIGN). */
static enum park_result park(struct tp_pool *p, struct tp_worker *w)
{
    pthread_mutex_lock(&p->idle_mu);
    atomic_store_explicit(&w->wake, 0, memory_order_relaxed);
    p->idle[p->idle_top++] = w->index;
    w->in_idle = 1;
    atomic_fetch_add_explicit(&p->n_idle, 1, memory_order_seq_cst);
    pthread_mutex_unlock(&p->idle_mu);

    if (ring_has_task(p) || atomic_load_explicit(&p->exiting, memory_order_seq_cst) ||
        w->index >= atomic_load_explicit(&p->target, memory_order_seq_cst)) {
        pthread_mutex_lock(&p->idle_mu);
        if (w->in_idle) {
            remove_from_idle(p, w);
            pthread_mutex_unlock(&p->idle_mu);
            return atomic_load_explicit(&p->exiting, memory_order_seq_cst) ? PARK_EXIT : PARK_SELF;
        }
        pthread_mutex_unlock(&p->idle_mu);
        /* Popped by a waker: its wake-up is on the way; take it. */
    }
    while (atomic_load_explicit(&w->wake, memory_order_acquire) == 0)
        futex_wait(&w->wake, 0);
    return atomic_load_explicit(&p->exiting, memory_order_seq_cst) ? PARK_EXIT : PARK_WOKEN;
}

/* ----------------------------------------------------------------- worker */

/* 1 when every task submitted so far has finished (see DESIGN: Completion). */
static int all_finished(struct tp_pool *p)
{
    size_t f = atomic_load_explicit(&p->finished, memory_order_seq_cst);
    return f == total_tail(p);
}

/* Adds n finished tasks; wakes waiters when none is left. */
static void flush_done(struct tp_pool *p, uint64_t n)
{
    size_t f = atomic_fetch_add_explicit(&p->finished, (size_t)n, memory_order_seq_cst) + (size_t)n;
    if (atomic_load_explicit(&p->n_waiters, memory_order_seq_cst) != 0 && f == total_tail(p)) {
        pthread_mutex_lock(&p->wait_mu);
        pthread_cond_broadcast(&p->wait_cv);
        pthread_mutex_unlock(&p->wait_mu);
    }
}

static void spin_round(int round)
{
    if (round < SPIN_PAUSE_ROUNDS) {
        for (int i = 0; i < SPIN_PAUSES_PER_ROUND; i++)
            cpu_relax();
    } else {
        sched_yield();
    }
}

static void name_self(const struct tp_pool *p, int index)
{
    char name[16]; /* the kernel keeps 15 characters and a NUL */
    snprintf(name, sizeof name, "%s-%d", p->name, index);
    pthread_setname_np(pthread_self(), name); /* best effort: a name is cosmetic */
}

/* Reads a schedstat file: on-CPU ns, run-queue wait ns. 0 or -1. */
static int read_schedstat(int fd, uint64_t *cpu, uint64_t *runq)
{
    char buf[96];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return sscanf(buf, "%" SCNu64 " %" SCNu64, cpu, runq) == 2 ? 0 : -1;
}

/* Opens the calling worker's schedstat if the pool's budget allows; -1 otherwise. */
static int open_schedstat(struct tp_pool *p)
{
    if (atomic_fetch_add_explicit(&p->ss_open, 1, memory_order_relaxed) >= p->ss_budget) {
        atomic_fetch_sub_explicit(&p->ss_open, 1, memory_order_relaxed);
        return -1; /* this worker counts CPU from its clock; its run-queue wait is not sampled */
    }
    int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        atomic_fetch_sub_explicit(&p->ss_open, 1, memory_order_relaxed);
    return fd;
}

/* Closes a worker's schedstat, if it has one (resize_mu held, or its thread joined). */
static void close_schedstat(struct tp_pool *p, struct tp_worker *w)
{
    int fd = atomic_exchange_explicit(&w->ss_fd, -1, memory_order_relaxed);
    if (fd >= 0) {
        close(fd);
        atomic_fetch_sub_explicit(&p->ss_open, 1, memory_order_relaxed);
    }
}

/* CPU and run-queue time of a live worker so far (resize_mu held). */
static void live_usage(struct tp_worker *w, uint64_t *cpu, uint64_t *runq)
{
    int fd = atomic_load_explicit(&w->ss_fd, memory_order_acquire);
    *cpu = 0;
    *runq = 0;
    if (fd >= 0 && read_schedstat(fd, cpu, runq) == 0)
        return;
    clockid_t cid;
    struct timespec ts;
    if (pthread_getcpuclockid(w->thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
        *cpu = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Leaves the pool when this worker's slot is at or above the target
 * (see DESIGN: Resizing). Returns 1 when the worker must return now. */
static int retire(struct tp_pool *p, struct tp_worker *w, int *searching, uint64_t *done)
{
    if (*done != 0) {
        flush_done(p, *done);
        *done = 0;
    }
    pthread_mutex_lock(&p->resize_mu);
    if (w->index < atomic_load_explicit(&p->target, memory_order_seq_cst)) {
        pthread_mutex_unlock(&p->resize_mu);
        return 0; /* raised again meanwhile */
    }
    uint64_t cpu, runq;
    live_usage(w, &cpu, &runq);
    w->gone_cpu_ns += cpu;
    w->gone_runq_ns += runq;
    close_schedstat(p, w);
    w->state = W_EXITED;
    pthread_mutex_unlock(&p->resize_mu);
    if (*searching) {
        *searching = 0;
        /* Hand the search on, as any searcher that stops does. */
        if (atomic_fetch_sub_explicit(&p->searching, 1, memory_order_seq_cst) == 1 && ring_has_task(p))
            wake_worker(p);
    }
    return 1;
}

/* A new worker's set-up, before its first task: its schedstat (when the
 * pool senses and the budget allows), its name, the caller's hook, then it
 * counts itself running. Returns 1 when its run-queue wait is sampled. */
static int worker_start(struct tp_pool *p, struct tp_worker *w)
{
    int rq = 0;
    if (p->sensing && p->schedstat) {
        int fd = open_schedstat(p);
        rq = fd >= 0;
        atomic_store_explicit(&w->ss_fd, fd, memory_order_release);
    }
    name_self(p, w->index);
    if (p->on_thread_start != NULL)
        p->on_thread_start(p->thread_ctx, w->index);
    pthread_mutex_lock(&p->start_mu);
    p->n_running++;
    pthread_cond_signal(&p->start_cv);
    pthread_mutex_unlock(&p->start_mu);
    return rq;
}

/* Runs one task; with sensing, counts it and its wall time in the worker's
 * slot (and in tasks_rq when rq: its run-queue wait is sampled). */
static void run_task(struct tp_pool *p, struct tp_worker *w, const struct task *t, int rq)
{
    if (!p->sensing) {
        t->fn(t->arg);
        return;
    }
    uint64_t t0 = tp__now_ns();
    t->fn(t->arg);
    atomic_store_explicit(&w->busy_ns, atomic_load_explicit(&w->busy_ns, memory_order_relaxed) + tp__now_ns() - t0,
                          memory_order_relaxed);
    atomic_store_explicit(&w->tasks, atomic_load_explicit(&w->tasks, memory_order_relaxed) + 1, memory_order_relaxed);
    if (rq)
        atomic_store_explicit(&w->tasks_rq, atomic_load_explicit(&w->tasks_rq, memory_order_relaxed) + 1,
                              memory_order_relaxed);
}

static void *worker_main(void *arg)
{
    struct tp_worker *w = arg;
    struct tp_pool *p = w->pool;
    uint64_t done = 0; /* finished tasks not yet added to p->finished */
    int searching = 0; /* 1 while this worker is counted in p->searching */
    int spins = 0, stalls = 0;
    unsigned run = 0;            /* takes since the last one that started at another shard (ring_pop) */
    int rq = worker_start(p, w); /* 1 while this worker's run-queue wait is counted */

    for (;;) {
        struct task t;

        if (w->index >= atomic_load_explicit(&p->target, memory_order_relaxed) && retire(p, w, &searching, &done))
            return NULL;
        int got = ring_pop(p, &t, &run);
        if (got > 0) {
            stalls = 0;
            if (searching) {
                searching = 0;
                /* The last searcher to take a task hands the search on. */
                if (atomic_fetch_sub_explicit(&p->searching, 1, memory_order_seq_cst) == 1 && ring_has_task(p))
                    wake_worker(p);
            }
            if (atomic_load_explicit(&p->n_space_waiters, memory_order_seq_cst) != 0) {
                pthread_mutex_lock(&p->space_mu);
                pthread_cond_signal(&p->space_cv);
                pthread_mutex_unlock(&p->space_mu);
            }
            run_task(p, w, &t, rq);
            if (++done == FLUSH_BATCH) {
                flush_done(p, done);
                done = 0;
            }
            continue; /* straight to the next task, not counted as searching */
        }
        if (done != 0) {
            flush_done(p, done);
            done = 0;
        }
        if (!searching) {
            /* The ring looked empty: count ourselves searching, then look
             * again (a submitter that saw no searcher woke someone; one that
             * sees us relies on this second look). */
            atomic_fetch_add_explicit(&p->searching, 1, memory_order_seq_cst);
            searching = 1;
            spins = 0;
            continue;
        }
        int may_spin = atomic_load_explicit(&p->searching, memory_order_relaxed) <= (unsigned)p->spin_cap;
        if (got == RING_IN_FLIGHT && stalls < STALL_YIELDS && may_spin) {
            /* The producer of the next task is between claim and publish,
             * perhaps preempted there: give it the CPU rather than spin on
             * it or park (a submitter would wake us again at once). */
            stalls++;
            sched_yield();
            continue;
        }
        if (spins < SPIN_PAUSE_ROUNDS + SPIN_YIELD_ROUNDS && may_spin) {
            spin_round(spins++);
            continue;
        }
        atomic_fetch_sub_explicit(&p->searching, 1, memory_order_seq_cst);
        searching = 0;
        if (atomic_load_explicit(&p->exiting, memory_order_seq_cst))
            break;
        enum park_result r = park(p, w);
        if (r == PARK_EXIT)
            break;
        if (r == PARK_SELF)
            atomic_fetch_add_explicit(&p->searching, 1, memory_order_seq_cst);
        searching = 1; /* PARK_WOKEN: the waker counted us already */
        spins = 0;
    }
    return NULL;
}

/* ------------------------------------------------------------- lifecycle */

/* Tells every worker to leave, wakes the parked ones, joins all (live and
 * retired), closes their schedstat files. resize_mu is not held across a
 * join: a worker that is retiring takes it on its way out. */
static void stop_workers(struct tp_pool *p)
{
    atomic_store_explicit(&p->exiting, 1, memory_order_seq_cst);
    while (unpark_one(p))
        ;
    for (int i = 0; i < p->max_threads; i++) {
        struct tp_worker *w = &p->workers[i];
        pthread_mutex_lock(&p->resize_mu);
        int st = w->state;
        pthread_mutex_unlock(&p->resize_mu);
        if (st == W_NONE)
            continue;
        pthread_join(w->thread, NULL);
        pthread_mutex_lock(&p->resize_mu);
        w->state = W_NONE;
        close_schedstat(p, w);
        pthread_mutex_unlock(&p->resize_mu);
    }
}

static void free_shards(struct tp_pool *p)
{
    if (p->shards != NULL)
        for (unsigned i = 0; i < p->n_shards; i++)
            free(p->shards[i].slots);
    free(p->shards);
}

/* Splits a queue of `capacity` slots (a power of 2) into one ring per usable
 * CPU (a power of 2 of them, at most MAX_SHARDS, each of 2 slots at least)
 * and maps the CPUs of the caller's affinity onto them in turn. Returns the
 * usable CPUs (as tp__pool_usable_cpus counts them), or -ENOMEM. */
static int alloc_shards(struct tp_pool *p, size_t capacity)
{
    cpu_set_t set;
    int have_set = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0;
    unsigned cpus = have_set ? (unsigned)CPU_COUNT(&set) : (unsigned)tp__pool_usable_cpus();
    unsigned n = 1;
    while (n * 2 <= cpus && n * 2 <= MAX_SHARDS && capacity / (n * 2) >= 2)
        n *= 2;
    p->n_shards = n;
    if (posix_memalign((void **)&p->shards, CACHE_LINE, n * sizeof p->shards[0]) != 0) {
        p->shards = NULL;
        return -ENOMEM;
    }
    memset(p->shards, 0, n * sizeof p->shards[0]);
    size_t per = capacity / n;
    for (unsigned i = 0; i < n; i++) {
        struct shard *sh = &p->shards[i];
        if (posix_memalign((void **)&sh->slots, CACHE_LINE, per * sizeof sh->slots[0]) != 0) {
            sh->slots = NULL;
            return -ENOMEM;
        }
        sh->mask = per - 1;
        atomic_init(&sh->tail, 0);
        atomic_init(&sh->head, 0);
        for (size_t j = 0; j < per; j++) {
            atomic_init(&sh->slots[j].seq, j);
            sh->slots[j].fn = NULL;
            sh->slots[j].arg = NULL;
        }
    }
    unsigned k = 0;
    for (int cpu = 0; cpu < CPU_MAP_SIZE; cpu++) {
        if (have_set && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set))
            p->cpu_shard[cpu] = (uint8_t)(k++ & (n - 1));
        else
            p->cpu_shard[cpu] = (uint8_t)((unsigned)cpu & (n - 1));
    }
    return (int)cpus;
}

static void free_pool(struct tp_pool *p)
{
    pthread_mutex_destroy(&p->idle_mu);
    pthread_mutex_destroy(&p->wait_mu);
    pthread_cond_destroy(&p->wait_cv);
    pthread_mutex_destroy(&p->space_mu);
    pthread_cond_destroy(&p->space_cv);
    pthread_mutex_destroy(&p->start_mu);
    pthread_cond_destroy(&p->start_cv);
    pthread_mutex_destroy(&p->resize_mu);
    if (p->attr_ok)
        pthread_attr_destroy(&p->attr);
    free(p->idle);
    free(p->workers);
    free_shards(p);
    free(p);
}

/* Allocates and initialises everything but the threads. */
static int alloc_pool(struct tp_pool **out, const struct tp_pool_opts *opts, int slots, size_t capacity)
{
    struct tp_pool *p = NULL;
    int rc = -ENOMEM;
    size_t n = (size_t)slots;

    if (posix_memalign((void **)&p, CACHE_LINE, sizeof *p) != 0)
        return -ENOMEM;
    memset(p, 0, sizeof *p);
    p->idle_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    p->wait_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    p->wait_cv = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
    p->space_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    p->space_cv = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
    p->start_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
    p->start_cv = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
    p->resize_mu = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;

    int cpus = alloc_shards(p, capacity);
    if (cpus < 0)
        goto fail;
    if (posix_memalign((void **)&p->workers, CACHE_LINE, n * sizeof p->workers[0]) != 0)
        goto fail;
    p->idle = calloc(n, sizeof p->idle[0]);
    if (p->idle == NULL)
        goto fail;

    memset(p->workers, 0, n * sizeof p->workers[0]);
    for (size_t i = 0; i < n; i++) {
        p->workers[i].pool = p;
        p->workers[i].index = (int)i;
        atomic_init(&p->workers[i].wake, 0);
        atomic_init(&p->workers[i].ss_fd, -1);
        atomic_init(&p->workers[i].tasks, 0);
        atomic_init(&p->workers[i].busy_ns, 0);
        atomic_init(&p->workers[i].tasks_rq, 0);
    }
    p->max_threads = (int)n;
    atomic_init(&p->target, opts->threads);
    p->sensing = opts->online.enabled || (size_t)opts->threads < n;
    if (p->sensing) {
        int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
        uint64_t a, b;
        p->schedstat = fd >= 0 && read_schedstat(fd, &a, &b) == 0;
        if (fd >= 0)
            close(fd);
        struct rlimit rl;
        rlim_t budget = SS_BUDGET_MAX;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < budget)
            budget = rl.rlim_cur / 4;
        p->ss_budget = (int)budget;
        atomic_init(&p->ss_open, 0);
    }
    snprintf(p->name, sizeof p->name, "%s", opts->name != NULL ? opts->name : DEFAULT_NAME);
    p->stack_size = effective_stack_size(opts->stack_size);
    p->spin_cap = cpus;
    p->on_thread_start = opts->on_thread_start;
    p->thread_ctx = opts->thread_ctx;
    *out = p;
    return 0;

fail:
    free(p->idle);
    free(p->workers);
    free_shards(p);
    free(p);
    return rc;
}

/* Starts the worker of slot i (resize_mu held, or no other thread yet).
 * Workers block every asynchronous signal: the caller's handlers (SIGINT
 * for the CLI) stay on the caller's threads. */
static int start_worker(struct tp_pool *p, int i)
{
    sigset_t all, old;
    struct tp_worker *w = &p->workers[i];

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = tp__from_pthread(pthread_create(&w->thread, &p->attr, worker_main, w));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0)
        w->state = W_LIVE;
    return rc;
}

int tp__pool_create(struct tp_pool **out, const struct tp_pool_opts *opts, int slots, int *n_started)
{
    struct tp_pool *p = NULL;
    size_t capacity;
    int created = 0;
    int rc;

    if (n_started != NULL)
        *n_started = 0;
    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (opts == NULL || opts->threads < 1 || opts->queue_capacity > MAX_QUEUE_CAPACITY || opts->max_threads < 0 ||
        slots < opts->threads)
        return -EINVAL;
    capacity = round_up_pow2(opts->queue_capacity != 0 ? opts->queue_capacity : DEFAULT_QUEUE_CAPACITY);

    rc = alloc_pool(&p, opts, slots, capacity);
    if (rc != 0)
        return rc;

    rc = tp__from_pthread(pthread_attr_init(&p->attr));
    if (rc != 0)
        goto fail;
    p->attr_ok = 1;
    rc = tp__from_pthread(pthread_attr_setstacksize(&p->attr, p->stack_size));
    if (rc == 0) {
        pthread_mutex_lock(&p->resize_mu);
        for (int i = 0; i < opts->threads; i++) {
            rc = start_worker(p, i);
            if (rc != 0)
                break;
            created++;
        }
        pthread_mutex_unlock(&p->resize_mu);
    }

    /* Every started worker has run on_thread_start and is ready. */
    pthread_mutex_lock(&p->start_mu);
    while (p->n_running < created)
        pthread_cond_wait(&p->start_cv, &p->start_mu);
    pthread_mutex_unlock(&p->start_mu);
    if (rc != 0)
        goto fail;
    if (n_started != NULL)
        *n_started = created;
    *out = p;
    return 0;

fail:
    stop_workers(p);
    free_pool(p);
    if (n_started != NULL)
        *n_started = created;
    return rc;
}

/* Slow path of submit: every shard is full. */
static void submit_when_full(struct tp_pool *p, tp_task_fn fn, void *arg)
{
    for (int i = 0; i < FULL_YIELDS; i++) {
        /* Make sure the full ring is being drained by as many workers as it
         * needs (they may all be parked after a burst). */
        if (atomic_load_explicit(&p->searching, memory_order_seq_cst) == 0)
            wake_worker(p);
        sched_yield();
        if (ring_push(p, fn, arg))
            return;
    }
    pthread_mutex_lock(&p->space_mu);
    atomic_fetch_add_explicit(&p->n_space_waiters, 1, memory_order_seq_cst);
    while (!ring_push(p, fn, arg))
        pthread_cond_wait(&p->space_cv, &p->space_mu);
    atomic_fetch_sub_explicit(&p->n_space_waiters, 1, memory_order_seq_cst);
    /* Slots freed while several of us slept: pass the wake-up on. */
    if (atomic_load_explicit(&p->n_space_waiters, memory_order_seq_cst) != 0)
        pthread_cond_signal(&p->space_cv);
    pthread_mutex_unlock(&p->space_mu);
}

int tp_pool_submit(struct tp_pool *pool, tp_task_fn fn, void *arg)
{
    if (pool == NULL || fn == NULL)
        return -EINVAL;
    if (atomic_load_explicit(&pool->stopping, memory_order_seq_cst))
        return -ESHUTDOWN;
    if (!ring_push(pool, fn, arg))
        submit_when_full(pool, fn, arg);
    unsigned s = atomic_load_explicit(&pool->searching, memory_order_seq_cst);
    if (s == 0)
        wake_worker(pool);
    else if (s < (unsigned)pool->spin_cap)
        wake_extra(pool, s);
    return 0;
}

int tp_pool_wait(struct tp_pool *pool)
{
    if (pool == NULL)
        return -EINVAL;
    if (all_finished(pool))
        return 0;
    pthread_mutex_lock(&pool->wait_mu);
    atomic_fetch_add_explicit(&pool->n_waiters, 1, memory_order_seq_cst);
    while (!all_finished(pool))
        pthread_cond_wait(&pool->wait_cv, &pool->wait_mu);
    atomic_fetch_sub_explicit(&pool->n_waiters, 1, memory_order_seq_cst);
    pthread_mutex_unlock(&pool->wait_mu);
    return 0;
}

int tp_pool_threads(const struct tp_pool *pool)
{
    return pool != NULL ? atomic_load_explicit(&((struct tp_pool *)pool)->target, memory_order_seq_cst) : -EINVAL;
}

/* Wakes the parked workers whose slots are at or above the target so that
 * they leave (see DESIGN: Resizing). */
static void wake_retired(struct tp_pool *p, int target)
{
    for (;;) {
        struct tp_worker *w = NULL;
        pthread_mutex_lock(&p->idle_mu);
        for (int i = p->idle_top - 1; i >= 0; i--) {
            if (p->idle[i] >= target) {
                w = &p->workers[p->idle[i]];
                remove_from_idle(p, w);
                break;
            }
        }
        pthread_mutex_unlock(&p->idle_mu);
        if (w == NULL)
            return;
        /* The waker's convention: the wakee is counted as searching, and
         * gives the count back as it leaves. */
        atomic_fetch_add_explicit(&p->searching, 1, memory_order_seq_cst);
        atomic_store_explicit(&w->wake, 1, memory_order_release);
        futex_wake(&w->wake);
    }
}

int tp_pool_resize(struct tp_pool *pool, int threads)
{
    if (pool == NULL || threads < 1 || threads > pool->max_threads)
        return -EINVAL;
    if (atomic_load_explicit(&pool->stopping, memory_order_seq_cst))
        return -ESHUTDOWN;
    int rc = 0;
    pthread_mutex_lock(&pool->resize_mu);
    int old = atomic_load_explicit(&pool->target, memory_order_seq_cst);
    atomic_store_explicit(&pool->target, threads, memory_order_seq_cst);
    for (int i = 0; i < pool->max_threads; i++) {
        struct tp_worker *w = &pool->workers[i];
        if (w->state == W_EXITED) {
            /* Gone (it marked itself under this lock): the join is short. */
            pthread_join(w->thread, NULL);
            w->state = W_NONE;
        }
        if (i < threads && w->state == W_NONE) {
            rc = start_worker(pool, i);
            if (rc != 0) {
                /* Keep what runs: the slots from i up leave. */
                atomic_store_explicit(&pool->target, i, memory_order_seq_cst);
                threads = i;
                break;
            }
        }
    }
    pthread_mutex_unlock(&pool->resize_mu);
    if (threads < old || rc != 0)
        wake_retired(pool, threads);
    if (threads > old && atomic_load_explicit(&pool->searching, memory_order_seq_cst) == 0 && ring_has_task(pool))
        wake_worker(pool);
    return rc;
}

int tp_pool_stats(struct tp_pool *pool, struct tp_pool_stats *out)
{
    if (pool == NULL || out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->sensing = pool->sensing;
    out->runq_known = pool->sensing && pool->schedstat && pool->ss_budget > 0;
    pthread_mutex_lock(&pool->resize_mu);
    out->threads = atomic_load_explicit(&pool->target, memory_order_seq_cst);
    for (int i = 0; i < pool->max_threads; i++) {
        struct tp_worker *w = &pool->workers[i];
        out->tasks += atomic_load_explicit(&w->tasks, memory_order_relaxed);
        out->busy_ns += atomic_load_explicit(&w->busy_ns, memory_order_relaxed);
        out->runq_tasks += atomic_load_explicit(&w->tasks_rq, memory_order_relaxed);
        out->cpu_ns += w->gone_cpu_ns;
        out->runq_ns += w->gone_runq_ns;
        if (w->state == W_LIVE) {
            uint64_t cpu, runq;
            out->live++;
            live_usage(w, &cpu, &runq);
            out->cpu_ns += cpu;
            out->runq_ns += runq;
        }
    }
    pthread_mutex_unlock(&pool->resize_mu);
    for (unsigned i = 0; i < pool->n_shards; i++) {
        size_t tail = atomic_load_explicit(&pool->shards[i].tail, memory_order_relaxed);
        size_t head = atomic_load_explicit(&pool->shards[i].head, memory_order_relaxed);
        out->queued += tail > head ? (uint64_t)(tail - head) : 0;
    }
    return 0;
}

void tp__pool_destroy(struct tp_pool *pool)
{
    if (pool == NULL)
        return;
    atomic_store_explicit(&pool->stopping, 1, memory_order_seq_cst);
    tp_pool_wait(pool);
    stop_workers(pool);
    free_pool(pool);
}

int tp__pool_slots(const struct tp_pool *pool) { return pool->max_threads; }

void tp__pool_set_tuner(struct tp_pool *pool, struct tp__online *tuner) { pool->tuner = tuner; }

struct tp__online *tp__pool_tuner(const struct tp_pool *pool) { return pool->tuner; }

size_t tp__pool_queue_capacity(const struct tp_pool *pool) { return pool->n_shards * (pool->shards[0].mask + 1); }

size_t tp__pool_stack_size(const struct tp_pool *pool) { return pool->stack_size; }
