/* workload.c - built-in workloads: io (a blocking wait, then CPU work) and cpu (CPU work only). */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "workload.h"

/* Longest single wait or compute a task may ask for: one minute. */
#define MAX_TASK_NS (60ull * 1000000000ull)

/* The CPU clock is read after every chunk of work; one chunk is well under a
 * microsecond, so a task overshoots its CPU budget by less than that. */
#define BURN_CHUNK 256

uint64_t tp__burn_cpu_ns(uint64_t ns)
{
    /* xorshift64* steps: integer work the compiler cannot fold away, no
     * memory traffic, so the task is CPU-bound and nothing else. */
    uint64_t x = 0x9e3779b97f4a7c15ull ^ ns;
    uint64_t start = tp__thread_cpu_ns();
    do {
        for (int i = 0; i < BURN_CHUNK; i++) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x *= 0x2545f4914f6cdd1dull;
        }
    } while (tp__thread_cpu_ns() - start < ns);
    return x;
}

void tp__block_ns(uint64_t ns)
{
    if (ns == 0)
        return;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t nsec = (uint64_t)deadline.tv_nsec + ns;
    deadline.tv_sec += (time_t)(nsec / 1000000000u);
    deadline.tv_nsec = (long)(nsec % 1000000000u);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
        ;
}

/* Keeps the result of the computation observable. Relaxed: only its
 * existence matters, not its value. */
static _Atomic uint64_t burn_sink;

static void sink(uint64_t v) { atomic_fetch_xor_explicit(&burn_sink, v, memory_order_relaxed); }

/* ---- io: the seed's model: wait (needs no core), then compute (needs one) ---- */

static int io_validate(const struct tp_workload_params *p)
{
    if (p->latency_ns > MAX_TASK_NS || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    if (p->latency_ns == 0 && p->compute_ns == 0)
        return -EINVAL;
    return 0;
}

static void io_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    tp__block_ns(w->params.latency_ns);
    if (w->params.compute_ns > 0)
        sink(tp__burn_cpu_ns(w->params.compute_ns));
}

/* ---- cpu: compute only ---- */

static int cpu_validate(const struct tp_workload_params *p)
{
    if (p->compute_ns == 0 || p->compute_ns > MAX_TASK_NS)
        return -EINVAL;
    return 0;
}

static void cpu_task(struct tp__workload *w, uint64_t index)
{
    (void)index;
    sink(tp__burn_cpu_ns(w->params.compute_ns));
}

static int no_setup(struct tp__workload *w)
{
    w->state = NULL;
    return 0;
}

static void no_teardown(struct tp__workload *w) { (void)w; }

static const struct tp__workload_ops workloads[] = {
    {TP_WORKLOAD_IO, "io", io_validate, no_setup, io_task, no_teardown},
    {TP_WORKLOAD_CPU, "cpu", cpu_validate, no_setup, cpu_task, no_teardown},
};

const struct tp__workload_ops *tp__workload_find(enum tp_workload_kind kind)
{
    for (size_t i = 0; i < TP__ARRAY_LEN(workloads); i++)
        if (workloads[i].kind == kind)
            return &workloads[i];
    return NULL;
}

const char *tp_workload_name(enum tp_workload_kind kind)
{
    const struct tp__workload_ops *ops = tp__workload_find(kind);
    return ops != NULL ? ops->name : NULL;
}

int tp_workload_parse(const char *name, enum tp_workload_kind *out)
{
    if (name == NULL)
        return -EINVAL;
    for (size_t i = 0; i < TP__ARRAY_LEN(workloads); i++) {
        if (strcmp(workloads[i].name, name) == 0) {
            *out = workloads[i].kind;
            return 0;
        }
    }
    return -EINVAL;
}

int tp__workload_open(struct tp__workload *w, const struct tp_workload_params *params)
{
    memset(w, 0, sizeof(*w));
    const struct tp__workload_ops *ops = tp__workload_find(params->kind);
    if (ops == NULL)
        return -EINVAL;
    int rc = ops->validate(params);
    if (rc < 0)
        return rc;
    w->ops = ops;
    w->params = *params;
    rc = ops->setup(w);
    if (rc < 0)
        memset(w, 0, sizeof(*w));
    return rc;
}

void tp__workload_close(struct tp__workload *w)
{
    if (w->ops != NULL)
        w->ops->teardown(w);
    memset(w, 0, sizeof(*w));
}
