/* executor.c - the executors' names (what each can run is the workload kind's to say: workloads/workload.c). */
#include <stdint.h>
#include <time.h>
#include <errno.h>
#include <string.h>

#include "tunepool/tunepool.h"

const char *tp_executor_name(enum tp_executor e)
{
    switch (e) {
    case TP_EXECUTOR_POOL: return "pool";
    case TP_EXECUTOR_ASYNC: return "async";
    }
    return NULL;
}

int tp_executor_parse(const char *name, enum tp_executor *out)
{
    if (name == NULL || out == NULL)
        return -EINVAL;
    if (strcmp(name, "pool") == 0)
        *out = TP_EXECUTOR_POOL;
    else if (strcmp(name, "async") == 0)
        *out = TP_EXECUTOR_ASYNC;
    else
        return -EINVAL;
    return 0;
}
