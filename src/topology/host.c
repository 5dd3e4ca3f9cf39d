/* host.c - which machine a result came from: its hostname and the host-class key made of the facts that size a pool. */
/*
 * DESIGN. A pool size is right for a class of machine, not for one host or
 * a whole fleet. The class key is derived only from facts that change the
 * answer: architecture, CPU model, effective cores and the source that set
 * them, allowed PUs, CPU quota, memory rounded to GiB and the kernel
 * release. The key reads "<arch>-<cores>c-<model slug>-<hash>", where hash
 * is 8 hex digits of FNV-1a (32 bit) over the canonical fact string
 * "arch=..;cpu=..;cores=..;source=..;pus=..;quota=..;mem_gib=..;kernel=..":
 * the readable prefix lets an operator tell classes apart at a glance, the
 * hash separates classes whose prefix agrees. The key is stable: the same
 * facts give the same key on every host and in every version of this
 * schema (docs/fleet.md). A user's --host-class replaces the key.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "format.h"
#include "tunepool/tunepool.h"

/* How long the model slug in a key may be. */
#define MODEL_SLUG_MAX 24

/* FNV-1a, 32 bit (Fowler, Noll, Vo): a fixed, documented hash. */
static uint32_t fnv1a32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* Lower-case letters and digits of model, runs of anything else as one
 * '-', vendor noise words dropped, at most MODEL_SLUG_MAX characters. */
static void model_slug(const char *model, char *out, size_t len)
{
    static const char *const noise[] = { "r", "tm", "c", "processor", "cpu", "with", "radeon", "graphics", "core" };
    size_t n = 0;
    char word[64];
    const char *p = model;
    while (*p != '\0' && n + 1 < len) {
        size_t w = 0;
        while (*p != '\0' && !isalnum((unsigned char)*p))
            p++;
        while (isalnum((unsigned char)*p) && w + 1 < sizeof word)
            word[w++] = (char)tolower((unsigned char)*p++);
        while (isalnum((unsigned char)*p))
            p++;
        word[w] = '\0';
        int skip = w == 0;
        for (size_t i = 0; !skip && i < sizeof noise / sizeof noise[0]; i++)
            skip = strcmp(word, noise[i]) == 0;
        if (skip || (n > 0 && n + 1 + w >= len) || n + w >= MODEL_SLUG_MAX + 1)
            continue;
        n += (size_t)snprintf(out + n, len - n, "%s%s", n > 0 ? "-" : "", word);
    }
    if (n == 0)
        snprintf(out, len, "unknown");
}

int tp_host_facts_string(const struct tp_host *h, char *buf, size_t len)
{
    if (h == NULL || buf == NULL || len == 0)
        return -EINVAL;
    int n = snprintf(buf, len, "arch=%s;cpu=%s;cores=%d;source=%s;pus=%d;quota=%.3f;mem_gib=%ld;kernel=%s", h->arch,
                     h->cpu_model, h->effective_cores, tp_cores_source_name(h->cores_source), h->allowed_pus,
                     h->quota_cpus, h->mem_gib, h->kernel);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int tp_host_class_key(const struct tp_host *h, char *buf, size_t len)
{
    char facts[1024], slug[64];
    int rc = tp_host_facts_string(h, facts, sizeof facts);
    if (rc < 0)
        return rc;
    model_slug(h->cpu_model, slug, sizeof slug);
    int n = snprintf(buf, len, "%s-%dc-%s-%08x", h->arch[0] ? h->arch : "unknown", h->effective_cores, slug,
                     (unsigned)fnv1a32(facts));
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A class name a user gives: 1 to TP_HOST_CLASS_MAX - 1 characters of
 * letters, digits, '-', '_' and '.', not starting with '.' (it names a
 * group_vars file and an Ansible group). */
int tp_host_class_valid(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0 || n >= TP_HOST_CLASS_MAX || name[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && strchr("-_.", name[i]) == NULL)
            return 0;
    return 1;
}

int tp_host_describe(struct tp_host *out, const struct tp_topology *topo, const char *class_override)
{
    if (out == NULL || topo == NULL)
        return -EINVAL;
    if (class_override != NULL && !tp_host_class_valid(class_override))
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (gethostname(out->hostname, sizeof out->hostname - 1) != 0)
        tp__copy_string(out->hostname, sizeof out->hostname, "unknown");
    struct utsname u;
    if (uname(&u) == 0) {
        tp__copy_string(out->kernel, sizeof out->kernel, u.release);
        tp__copy_string(out->arch, sizeof out->arch, u.machine);
    }
    tp__copy_string(out->cpu_model, sizeof out->cpu_model, topo->cpu_model);
    out->effective_cores = topo->effective_cores;
    out->cores_source = topo->source;
    out->allowed_pus = topo->hwloc_ok ? topo->hwloc_pus : topo->affinity_cpus;
    out->quota_cpus = topo->quota_cpus;
    /* Rounded to the nearest GiB: MemTotal loses a little to the kernel and
     * firmware, so "24 GiB" machines read 23.4 and must agree. */
    out->mem_gib = topo->mem_total_kb > 0 ? lround((double)topo->mem_total_kb / (1024.0 * 1024.0)) : 0;
    if (class_override != NULL) {
        tp__copy_string(out->class_key, sizeof out->class_key, class_override);
        out->class_overridden = 1;
        return 0;
    }
    return tp_host_class_key(out, out->class_key, sizeof out->class_key);
}
