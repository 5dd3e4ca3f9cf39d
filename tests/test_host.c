/* test_host.c - the host facts and the host-class key: stable, readable, separating what sizes a pool. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tunepool/tunepool.h"

static struct tp_host sample(void)
{
    struct tp_host h;
    memset(&h, 0, sizeof h);
    strcpy(h.hostname, "web-01");
    strcpy(h.cpu_model, "AMD EPYC 7B13 64-Core Processor");
    h.effective_cores = 2;
    h.cores_source = TP_CORES_HWLOC;
    h.allowed_pus = 2;
    h.mem_gib = 24;
    strcpy(h.kernel, "6.1.0-18-amd64");
    strcpy(h.arch, "x86_64");
    return h;
}

Test(host, key_is_readable_and_fixed)
{
    struct tp_host h = sample();
    char key[TP_HOST_CLASS_MAX], facts[512];
    cr_assert_eq(tp_host_class_key(&h, key, sizeof key), 0);
    cr_assert_eq(tp_host_facts_string(&h, facts, sizeof facts), 0);
    cr_assert_str_eq(facts, "arch=x86_64;cpu=AMD EPYC 7B13 64-Core Processor;cores=2;source=hwloc;pus=2;"
                            "quota=0.000;mem_gib=24;kernel=6.1.0-18-amd64");
    /* The documented form; the hash part is FNV-1a of the fact string and must never change. */
    cr_assert_eq(strncmp(key, "x86_64-2c-amd-epyc-7b13-64-", 27), 0, "key %s", key);
    cr_assert_eq(strlen(key), 27 + 8, "key %s", key);
    char again[TP_HOST_CLASS_MAX];
    cr_assert_eq(tp_host_class_key(&h, again, sizeof again), 0);
    cr_assert_str_eq(key, again);
}

Test(host, hostname_is_not_part_of_the_class)
{
    struct tp_host a = sample(), b = sample();
    strcpy(b.hostname, "web-02");
    char ka[TP_HOST_CLASS_MAX], kb[TP_HOST_CLASS_MAX];
    tp_host_class_key(&a, ka, sizeof ka);
    tp_host_class_key(&b, kb, sizeof kb);
    cr_assert_str_eq(ka, kb);
}

Test(host, each_fact_changes_the_key)
{
    struct tp_host base = sample();
    char k0[TP_HOST_CLASS_MAX];
    tp_host_class_key(&base, k0, sizeof k0);
    for (int i = 0; i < 7; i++) {
        struct tp_host h = sample();
        switch (i) {
        case 0: h.effective_cores = 16; break;
        case 1: h.cores_source = TP_CORES_QUOTA; break;
        case 2: h.allowed_pus = 4; break;
        case 3: h.quota_cpus = 1.5; break;
        case 4: h.mem_gib = 64; break;
        case 5: strcpy(h.kernel, "6.1.0-20-amd64"); break;
        case 6: strcpy(h.arch, "aarch64"); break;
        }
        char k[TP_HOST_CLASS_MAX];
        cr_assert_eq(tp_host_class_key(&h, k, sizeof k), 0);
        cr_assert_str_neq(k, k0, "fact %d did not change the key", i);
    }
}

Test(host, describe_takes_the_topology_and_rounds_memory)
{
    struct tp_topology t;
    memset(&t, 0, sizeof t);
    t.effective_cores = 3;
    t.source = TP_CORES_QUOTA;
    t.quota_cpus = 2.5;
    t.hwloc_ok = 1;
    t.hwloc_pus = 8;
    t.mem_total_kb = 24518280; /* 23.4 GiB: a "24 GiB" machine */
    strcpy(t.cpu_model, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz");
    struct tp_host h;
    cr_assert_eq(tp_host_describe(&h, &t, NULL), 0);
    cr_assert_eq(h.mem_gib, 23);
    cr_assert_eq(h.allowed_pus, 8);
    cr_assert_eq(h.effective_cores, 3);
    cr_assert_eq(h.class_overridden, 0);
    cr_assert(strlen(h.hostname) > 0);
    cr_assert(strlen(h.kernel) > 0);
    cr_assert(strstr(h.class_key, "-3c-intel-xeon-platinum-8375c-") != NULL, "key %s", h.class_key);
}

Test(host, override_replaces_the_key)
{
    struct tp_topology t;
    memset(&t, 0, sizeof t);
    t.effective_cores = 2;
    struct tp_host h;
    cr_assert_eq(tp_host_describe(&h, &t, "edge-small"), 0);
    cr_assert_str_eq(h.class_key, "edge-small");
    cr_assert_eq(h.class_overridden, 1);
}

Test(host, invalid_override_and_arguments)
{
    struct tp_topology t;
    memset(&t, 0, sizeof t);
    struct tp_host h;
    cr_assert_eq(tp_host_describe(&h, &t, ""), -EINVAL);
    cr_assert_eq(tp_host_describe(&h, &t, "../etc"), -EINVAL);
    cr_assert_eq(tp_host_describe(&h, &t, ".hidden"), -EINVAL);
    cr_assert_eq(tp_host_describe(&h, &t, "has space"), -EINVAL);
    cr_assert_eq(tp_host_describe(NULL, &t, NULL), -EINVAL);
    cr_assert_eq(tp_host_describe(&h, NULL, NULL), -EINVAL);
    char small[8];
    struct tp_host s = sample();
    cr_assert_eq(tp_host_class_key(&s, small, sizeof small), -ENAMETOOLONG);
    cr_assert(tp_host_class_valid("web_2.large-v1"));
}

Test(host, unknown_model_slug)
{
    struct tp_host h = sample();
    h.cpu_model[0] = '\0';
    char k[TP_HOST_CLASS_MAX];
    cr_assert_eq(tp_host_class_key(&h, k, sizeof k), 0);
    cr_assert_eq(strncmp(k, "x86_64-2c-unknown-", 18), 0, "key %s", k);
}
