/* options_workload.c - tune-pool's workload options: each kind's own options, parsed from the library's table (tp_workload_options). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "values.h"

/* The noun of a value of type t in "--NAME: malformed size 'X'". */
static const char *value_noun(enum tp_option_type t)
{
    switch (t) {
    case TP_OPTION_SIZE: return "size";
    case TP_OPTION_DURATION: return "duration";
    case TP_OPTION_FRACTION: return "value";
    case TP_OPTION_STRING:
    case TP_OPTION_STRING_LIST: return "text";
    case TP_OPTION_FLAG: return "flag";
    case TP_OPTION_LIST: return "text";
    }
    return "value";
}

/* Stores an unsigned number in a field of field_size bytes (4 or 8). */
static void store_unsigned(void *field, size_t field_size, uint64_t v)
{
    if (field_size == sizeof(uint32_t)) {
        uint32_t u = (uint32_t)v;
        memcpy(field, &u, sizeof u);
    } else {
        memcpy(field, &v, sizeof v);
    }
}

/* A text option: copied whole, or refused as empty or too long. */
static int parse_string(const struct tp_workload_option *opt, const char *arg, char *field, char *err, size_t errlen)
{
    size_t n = strlen(arg);
    if (n < (size_t)opt->min)
        return tp_cli_bad(err, errlen, "--%s: empty %s", opt->name, opt->expected != NULL ? opt->expected : "value");
    if (n > (size_t)opt->max || n >= opt->field_size) {
        if (opt->expected != NULL)
            return tp_cli_bad(err, errlen, "--%s: too long a %s", opt->name, opt->expected);
        return tp_cli_bad(err, errlen, "--%s: longer than %zu bytes", opt->name, (size_t)opt->max);
    }
    memcpy(field, arg, n + 1);
    return 0;
}

/* A repeatable text option: arg appended to the list in field (each value
 * ended by a NUL, the list by an empty value). */
static int append_string(const struct tp_workload_option *opt, const char *arg, char *field, char *err, size_t errlen)
{
    size_t n = strlen(arg), used = 0;
    if (n < (size_t)opt->min)
        return tp_cli_bad(err, errlen, "--%s: empty %s", opt->name, opt->expected != NULL ? opt->expected : "value");
    while (used < opt->field_size && field[used] != '\0')
        used += strlen(field + used) + 1;
    if (n > (size_t)opt->max || used + n + 2 > opt->field_size)
        return tp_cli_bad(err, errlen, "--%s: the values together are longer than %zu bytes", opt->name,
                          opt->field_size - 2);
    memcpy(field + used, arg, n + 1);
    field[used + n + 1] = '\0';
    return 0;
}

/* A repeatable text option: each value appended as one more line, or
 * refused as empty, holding a line break, or past the field's room. */
static int parse_list(const struct tp_workload_option *opt, const char *arg, char *field, char *err, size_t errlen)
{
    size_t n = strlen(arg), have = strnlen(field, opt->field_size);
    if (n < (size_t)opt->min)
        return tp_cli_bad(err, errlen, "--%s: empty %s", opt->name, opt->expected != NULL ? opt->expected : "value");
    if (strpbrk(arg, "\r\n") != NULL)
        return tp_cli_bad(err, errlen, "--%s: a line break in '%.64s'", opt->name, arg);
    size_t need = have + (have > 0) + n;
    if (need > (size_t)opt->max || need >= opt->field_size)
        return tp_cli_bad(err, errlen, "--%s: the values given add up to more than %zu bytes", opt->name,
                          (size_t)opt->max);
    if (have > 0)
        field[have++] = '\n';
    memcpy(field + have, arg, n + 1);
    return 0;
}

/* Parses arg as opt's value into its field of w, with the CLI's parsers. */
static int parse_value(const struct tp_workload_option *opt, const char *arg, struct tp_workload_params *w, char *err,
                       size_t errlen)
{
    char *field = (char *)w + opt->offset;
    uint64_t u = 0;
    double d = 0;
    int rc = 0;
    switch (opt->type) {
    case TP_OPTION_FLAG: *(int *)(void *)field = 1; return 0;
    case TP_OPTION_STRING: return parse_string(opt, arg, field, err, errlen);
    case TP_OPTION_STRING_LIST: return append_string(opt, arg, field, err, errlen);
    case TP_OPTION_LIST: return parse_list(opt, arg, field, err, errlen);
    case TP_OPTION_SIZE: rc = tp_cli_parse_size(arg, (uint64_t)opt->max, &u); break;
    case TP_OPTION_DURATION: rc = tp_cli_parse_duration(arg, (uint64_t)opt->max, &u); break;
    case TP_OPTION_FRACTION: rc = tp_cli_parse_double(arg, opt->min, opt->max, 0, &d); break;
    }
    if (rc == 0 && opt->type != TP_OPTION_FRACTION && (double)u < opt->min)
        rc = -ERANGE;
    if (rc < 0)
        return tp_cli_bad(err, errlen, "--%s: %s %s '%s' (expected %s)", opt->name, tp_cli_why(rc),
                          value_noun(opt->type), arg, opt->expected);
    if (opt->type == TP_OPTION_FRACTION)
        memcpy(field, &d, sizeof d);
    else
        store_unsigned(field, opt->field_size, u);
    return 0;
}

int tp_cli_workload_option(const char *name, const char *arg, struct tp_cli_opts *o, const char **seen, char *err,
                           size_t errlen)
{
    enum tp_workload_kind kind;
    const struct tp_workload_option *opt = tp_workload_option_find(name, &kind);
    if (opt == NULL)
        return tp_cli_bad(err, errlen, "--%s: not a workload option", name);
    if ((int)kind >= 0 && (int)kind < TP_CLI_N_KIND_OPTS && seen[kind] == NULL)
        seen[kind] = opt->name;
    return parse_value(opt, arg != NULL ? arg : "", &o->workload, err, errlen);
}

int tp_cli_workload_check(struct tp_cli_opts *o, const char **seen, int seen_latency, char *err, size_t errlen)
{
    struct tp_workload_params *w = &o->workload;
    for (int k = 0; k < TP_CLI_N_KIND_OPTS; k++) {
        if (seen[k] != NULL && k != (int)w->kind) {
            enum tp_workload_kind kind = (enum tp_workload_kind)k;
            return tp_cli_bad(err, errlen, "--%s: only the %s workload uses it (add --workload=%s)", seen[k],
                              tp_workload_name(kind), tp_workload_usage(kind));
        }
    }
    char why[512];
    if (tp_workload_check_options(w, seen_latency, why, sizeof why) < 0)
        return tp_cli_bad(err, errlen, "%s", why);
    return 0;
}
