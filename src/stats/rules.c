/* rules.c - the rules of thumb as data (threads = per_core x cores + add, capped) and their thread counts. */
#include <math.h>
#include <stdint.h>

#include "tunepool/tunepool.h"
#include "vec.h"

/* The first TP_N_RULES are every report's rows, in struct tp_result.rules
 * order. Sources: CPython's concurrent.futures.ThreadPoolExecutor
 * (max_workers = cores x 5 up to 3.7, min(32, cores + 4) from 3.8); the CPU
 * rule (one thread per core); ninja's GuessParallelism() (its default -j:
 * cores + 2 from 3 cores up; on 2 cores it uses 3 and on 1 core 2, which
 * this linear form does not model). */
const struct tp_rule_spec tp_rule_specs[] = {
    { "tpe37", "m = 5 (ThreadPoolExecutor <= 3.7)", 5.0, 0, 0, TP_RULE_FOR_POOLS, "m = 5 (TPE <= 3.7)" },
    { "tpe38", "min(32, cores + 4) (ThreadPoolExecutor >= 3.8)", 1.0, 4, 32, TP_RULE_FOR_POOLS,
      "min(32, cores+4) (TPE >= 3.8)" },
    { "cpu", "m = 1 (CPU rule: one thread per core)", 1.0, 0, 0, TP_RULE_FOR_POOLS, "m = 1 (CPU rule)" },
    { "ninja", "cores + 2 (ninja's default -j)", 1.0, 2, 0, TP_RULE_FOR_BUILDS, "cores + 2 (ninja -j)" },
};
const size_t tp_n_rule_specs = TP__ARRAY_LEN(tp_rule_specs);

int tp_rule_applies(const struct tp_rule_spec *rule, unsigned kinds)
{
    return rule != NULL && (rule->applies & (kinds | TP_RULE_FOR_POOLS)) != 0;
}

int tp_rule_threads(const struct tp_rule_spec *rule, int cores)
{
    if (rule == NULL || cores < 1)
        return 1;
    double t = round(rule->per_core * (double)cores) + (double)rule->add;
    if (rule->cap > 0 && t > rule->cap)
        t = rule->cap;
    if (t < 1)
        return 1;
    if (t > (double)INT32_MAX)
        return INT32_MAX;
    return (int)t;
}
