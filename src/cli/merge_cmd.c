/* merge_cmd.c - `tune-pool merge FILES|DIRS`: many hosts' results per host class, their picks, the config per class. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "integrate.h"
#include "merge_cmd.h"
#include "msg.h"

struct merge_opts {
    enum tp_format format;
    int emit;
    enum tp_emit_format emit_format;
    struct tp_cli_opts plot; /* plot, plot_format, output_dir, quiet: what tp_cli_plot_with reads */
    const char *output_dir;
    int quiet;
};

static void merge_usage(FILE *where)
{
    fprintf(where,
            "Usage: %s merge FILE.json|DIR... [OPTION]...\n"
            "Group many hosts' results by host class (the \"host\" object of each\n"
            "document) and, per class, pool every host's points: the class's pick (the\n"
            "smallest m indistinguishable from the best), each host's own pick, and the\n"
            "hosts whose pick disagrees with their class. A DIR is searched for *.json\n"
            "(recursively: the folder per host that Ansible's fetch makes). All results\n"
            "must be of one workload (kind, parameters, --run command). A merged\n"
            "document (--format=json) given alone is read back as it stands, to be\n"
            "written in another format or emitted again.\n"
            "  --format=FORMAT        stdout: table, markdown, csv or json     [table]\n"
            "  --emit=KIND            also write each class's pick into --output-dir:\n"
            "                         ansible: group_vars/CLASS.yml; cmake, make,\n"
            "                         header, env, json: CLASS.cmake|.mk|.h|.env|.json\n"
            "  --plot                 draw each class (a curve per host) with gnuplot\n"
            "                         into --output-dir/merge-CLASS.png|svg\n"
            "  --plot-format=png|svg  image format of --plot                  [png]\n"
            "  --output-dir=DIR       where --emit and --plot write             [.]\n"
            "  --quiet                no notes on stderr\n"
            "  --help                 print this help and exit\n"
            "Exit status: 0 merged (skipped inputs, if any, are listed on stderr and in\n"
            "the report); 1 nothing could be merged, or an output failed; 2 bad usage or\n"
            "results of different workloads (nothing written).\n",
            TP_CLI_NAME);
}

static int parse_format(const char *arg, enum tp_format *out)
{
    if (tp_format_parse(arg, out) == 0)
        return 0;
    tp_cli_usage_error("merge: --format: unknown format '%s' (expected table, markdown, csv or json)", arg);
    return -1;
}

/* merge's options: the one table the parser and the completion script use. */
static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' },
    { "emit", required_argument, NULL, 'e' },
    { "plot", no_argument, NULL, 'p' },
    { "plot-format", required_argument, NULL, 'P' },
    { "output-dir", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

const struct option *tp_cli_merge_options(size_t *n)
{
    *n = sizeof opts / sizeof opts[0] - 1;
    return opts;
}

/* Parses argv into mo; returns the index of the first input, or -1 (usage
 * error, after the message), or 0 for --help (printed). */
static int parse(int argc, char **argv, struct merge_opts *mo)
{
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (parse_format(optarg, &mo->format) < 0)
                return -1;
            break;
        case 'e':
            if (tp_emit_parse(optarg, &mo->emit_format) < 0) {
                tp_cli_usage_error("merge: --emit: unknown kind '%s' (expected ansible, cmake, make, header, env or "
                                   "json)",
                                   optarg);
                return -1;
            }
            mo->emit = 1;
            break;
        case 'p': mo->plot.plot = 1; break;
        case 'P':
            if (strcmp(optarg, "png") != 0 && strcmp(optarg, "svg") != 0) {
                tp_cli_usage_error("merge: --plot-format: unknown format '%s' (expected png or svg)", optarg);
                return -1;
            }
            mo->plot.plot_format = strcmp(optarg, "svg") == 0 ? TP_PLOT_SVG : TP_PLOT_PNG;
            mo->plot.plot_format_set = 1;
            break;
        case 'o':
            if (*optarg == '\0') {
                tp_cli_usage_error("merge: --output-dir: empty directory name");
                return -1;
            }
            mo->output_dir = optarg;
            break;
        case 'q': mo->quiet = 1; break;
        case 'h': merge_usage(stdout); return 0;
        case ':': tp_cli_usage_error("merge: option '%s' needs a value", argv[optind - 1]); return -1;
        default: tp_cli_usage_error("merge: unknown option '%s'", argv[optind - 1]); return -1;
        }
    }
    if (optind >= argc) {
        tp_cli_usage_error("merge: needs results files or folders: merge A.json B.json ... | DIR");
        return -1;
    }
    return optind;
}

/* The file name of class c's snippet under dir, for kind (ansible: group_vars/). */
static int emit_path(char *buf, size_t len, const char *dir, const char *cls, enum tp_emit_format kind)
{
    static const char *const ext[] = { [TP_EMIT_CMAKE] = "cmake", [TP_EMIT_MAKE] = "mk",   [TP_EMIT_HEADER] = "h",
                                       [TP_EMIT_ENV] = "env",     [TP_EMIT_JSON] = "json", [TP_EMIT_ANSIBLE] = "yml" };
    int n = kind == TP_EMIT_ANSIBLE ? snprintf(buf, len, "%s/group_vars/%s.yml", dir, cls)
                                    : snprintf(buf, len, "%s/%s.%s", dir, cls, ext[kind]);
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

struct emit_job {
    const struct tp_merge *m;
    size_t c;
    enum tp_emit_format kind;
};

static int emit_writer(void *ctx, FILE *f)
{
    const struct emit_job *j = ctx;
    return tp_merge_emit_class(j->m, j->c, j->kind, f);
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) < 0 && errno != EEXIST) {
        tp_cli_error("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* --emit: one file per class with a pick. Returns 0, or -1 after the messages. */
static int write_emits(const struct tp_merge *m, const struct merge_opts *mo)
{
    char path[PATH_MAX];
    int failed = make_dir(mo->output_dir);
    if (failed == 0 && mo->emit_format == TP_EMIT_ANSIBLE) {
        snprintf(path, sizeof path, "%s/group_vars", mo->output_dir);
        failed = make_dir(path);
    }
    for (size_t c = 0; c < m->n_classes && failed == 0; c++) {
        struct emit_job job = { m, c, mo->emit_format };
        if (m->classes[c].pick < 0) {
            tp_cli_warn("class %s has no pick (no host measured a point): nothing emitted for it", m->classes[c].key);
            continue;
        }
        int rc = emit_path(path, sizeof path, mo->output_dir, m->classes[c].key, mo->emit_format);
        if (rc == 0)
            rc = tp__write_atomic(path, emit_writer, &job);
        if (rc < 0) {
            tp_cli_error("cannot write %s: %s", path, tp_strerror(rc));
            failed = -1;
        } else if (!mo->quiet) {
            fprintf(stderr, "%s: wrote %s\n", TP_CLI_NAME, path);
        }
    }
    return failed;
}

struct plot_job {
    const struct tp_merge *m;
    size_t c;
};

static int plot_writer(void *ctx, const struct tp_plot_opts *po, const char *image, FILE *f)
{
    (void)image; /* the script draws into tp_output, which the renderer sets */
    const struct plot_job *j = ctx;
    return tp_merge_plot_script(j->m, j->c, po, f);
}

/* --plot: one image per class. Returns 0, or -1 after the messages. */
static int write_plots(const struct tp_merge *m, struct merge_opts *mo)
{
    int failed = 0;
    mo->plot.output_dir = mo->output_dir;
    mo->plot.output_dir_given = 1;
    mo->plot.quiet = mo->quiet;
    for (size_t c = 0; c < m->n_classes; c++) {
        char name[TP_HOST_CLASS_MAX + 8];
        snprintf(name, sizeof name, "merge-%s", m->classes[c].key);
        struct plot_job job = { m, c };
        if (tp_cli_plot_with(&mo->plot, name, plot_writer, &job) < 0)
            failed = -1;
    }
    return failed;
}

/* What was not merged, and what an operator should look at, on stderr. */
static void print_notes(const struct tp_merge *m, int quiet)
{
    for (size_t i = 0; i < m->n_skipped; i++)
        tp_cli_warn("skipped %s: %s", m->skipped[i].path, m->skipped[i].why);
    if (quiet)
        return;
    for (size_t k = 0; k < m->n_classes; k++) {
        const struct tp_merge_class *c = &m->classes[k];
        if (c->n_hosts == 1)
            fprintf(stderr, "%s: class %s has one host (%s): merged on its own\n", TP_CLI_NAME, c->key,
                    m->hosts[c->hosts[0]].host.hostname);
        for (size_t i = 0; i < c->n_hosts; i++) {
            const struct tp_merge_host *h = &m->hosts[c->hosts[i]];
            if (h->verdict != TP_MERGE_AGREES)
                fprintf(stderr, "%s: %s (%s) %s its class %s: %s\n", TP_CLI_NAME, h->host.hostname, h->path,
                        h->verdict == TP_MERGE_DISAGREES ? "disagrees with" : "has no pick in", c->key, h->why);
        }
    }
}

/* Reads every input and merges them. Returns an exit code. */
static int merge_inputs(struct tp_merge *m, int argc, char **argv, int first)
{
    char why[2048];
    for (int i = first; i < argc; i++) {
        if (tp_merge_add(m, argv[i]) < 0) {
            tp_cli_error("merge: out of memory reading %s", argv[i]);
            return TP_EXIT_RUNTIME;
        }
    }
    int rc = tp_merge_finish(m, why, sizeof why);
    if (rc == TP_EMIXED) {
        tp_cli_usage_error("merge: %s", why);
        return TP_EXIT_USAGE;
    }
    if (rc == TP_ENOPOINTS) { /* one message: every input and why it was skipped */
        size_t n = 0;
        why[0] = '\0';
        for (size_t i = 0; i < m->n_skipped && n < sizeof why; i++)
            n += (size_t)snprintf(why + n, sizeof why - n, "%s%s: %s", i > 0 ? "; " : "", m->skipped[i].path,
                                  m->skipped[i].why);
        tp_cli_error("merge: nothing to merge: none of the %zu input%s is a results file with a host (%s)",
                     m->n_skipped, tp_cli_plural((long long)m->n_skipped), why);
        return TP_EXIT_RUNTIME;
    }
    if (rc < 0) {
        tp_cli_error("merge: %s", tp_strerror(rc));
        return TP_EXIT_RUNTIME;
    }
    return TP_EXIT_OK;
}

int tp_cli_merge(int argc, char **argv)
{
    struct merge_opts mo;
    memset(&mo, 0, sizeof mo);
    mo.format = TP_FORMAT_TABLE;
    mo.output_dir = ".";
    int first = parse(argc, argv, &mo);
    if (first <= 0)
        return first == 0 ? TP_EXIT_OK : TP_EXIT_USAGE;
    struct tp_merge m;
    tp_merge_init(&m);
    int code = merge_inputs(&m, argc, argv, first);
    if (code == TP_EXIT_OK) {
        print_notes(&m, mo.quiet);
        int rc = tp_merge_write(&m, mo.format, stdout);
        if (rc < 0) {
            tp_cli_error("cannot write to standard output: %s", tp_strerror(rc));
            code = TP_EXIT_RUNTIME;
        }
        if (mo.emit && write_emits(&m, &mo) < 0)
            code = TP_EXIT_RUNTIME;
        if (mo.plot.plot && write_plots(&m, &mo) < 0)
            code = TP_EXIT_RUNTIME;
    }
    tp_merge_free(&m);
    return code;
}
