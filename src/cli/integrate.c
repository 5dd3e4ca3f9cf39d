/* integrate.c - tune-pool's build-integration outputs: --emit snippets, --plot images, --from earlier results. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "integrate.h"
#include "msg.h"

int tp_cli_write_stdout(const struct tp_result *r, const struct tp_cli_opts *o)
{
    int rc;
    if (o->emit) {
        if (r->pick < 0) {
            tp_cli_error("--emit=%s: the run has no recommendation (no point was measured successfully)",
                         tp_emit_name(o->emit_format));
            return TP_EXIT_RUNTIME;
        }
        rc = tp_emit_write(r, o->emit_format, stdout);
    } else {
        rc = tp_report_write(r, o->format, stdout);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = -errno;
    if (rc < 0) {
        tp_cli_error("cannot write to standard output: %s", tp_strerror(rc));
        return TP_EXIT_RUNTIME;
    }
    return TP_EXIT_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The default image path: DIR/NAME.png when measuring, FROM without .json
 * (and with the extension) when reading earlier results. */
static int default_image_path(char *buf, size_t len, const struct tp_cli_opts *o, const char *name, const char *ext)
{
    int n;
    if (o->from != NULL && o->name == NULL && !o->output_dir_given) {
        size_t stem = strlen(o->from);
        if (ends_with(o->from, ".json"))
            stem -= strlen(".json");
        n = snprintf(buf, len, "%.*s.%s", (int)stem, o->from, ext);
    } else {
        n = snprintf(buf, len, "%s/%s.%s", o->output_dir, name, ext);
    }
    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int tp_cli_save_files(const struct tp_cli_opts *o, const char *name, const struct tp_cli_file *files, size_t n,
                      void *ctx)
{
    int failed = 0;
    if (mkdir(o->output_dir, 0777) < 0 && errno != EEXIST) {
        tp_cli_error("cannot create %s: %s", o->output_dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s.%s", o->output_dir, name, files[i].ext) >= (int)sizeof path) {
            tp_cli_error("%s/%s.%s: path too long", o->output_dir, name, files[i].ext);
            failed = 1;
            continue;
        }
        int rc = tp__write_atomic(path, files[i].writer, ctx);
        if (rc < 0) {
            tp_cli_error("cannot write %s: %s", path, tp_strerror(rc));
            failed = 1;
        } else if (!o->quiet) {
            fprintf(stderr, "%s: wrote %s\n", TP_CLI_NAME, path);
        }
    }
    return failed ? -1 : 0;
}

/* tp_plot_render_script's writer, over a tp_cli_plot_writer. */
struct plot_job {
    tp_cli_plot_writer writer;
    void *ctx;
    const struct tp_plot_opts *po;
    const char *image;
};

static int plot_job_write(void *ctx, FILE *f)
{
    const struct plot_job *j = ctx;
    return j->writer(j->ctx, j->po, j->image, f);
}

int tp_cli_plot_with(const struct tp_cli_opts *o, const char *name, tp_cli_plot_writer writer, void *ctx)
{
    char image[PATH_MAX], script[PATH_MAX + 8], why[512];
    struct tp_plot_opts po = { .format = o->plot_format };
    if (!o->plot_format_set && o->plot_path != NULL && ends_with(o->plot_path, ".svg"))
        po.format = TP_PLOT_SVG;
    const char *ext = po.format == TP_PLOT_SVG ? "svg" : "png";
    if (o->plot_path != NULL) {
        if (snprintf(image, sizeof image, "%s", o->plot_path) >= (int)sizeof image) {
            tp_cli_error("--plot: path too long");
            return -1;
        }
    } else {
        if (default_image_path(image, sizeof image, o, name, ext) < 0) {
            tp_cli_error("--plot: path too long");
            return -1;
        }
        if (o->from == NULL || o->name != NULL || o->output_dir_given) {
            if (mkdir(o->output_dir, 0777) < 0 && errno != EEXIST) {
                tp_cli_error("cannot create %s: %s", o->output_dir, strerror(errno));
                return -1;
            }
        }
    }
    /* The script sits next to the image: FILE.png -> FILE.gp. */
    size_t stem = strlen(image);
    const char *dot = strrchr(image, '.'), *slash = strrchr(image, '/');
    if (dot != NULL && (slash == NULL || dot > slash))
        stem = (size_t)(dot - image);
    snprintf(script, sizeof script, "%.*s.gp", (int)stem, image);

    struct plot_job job = { writer, ctx, &po, image };
    int rc = tp_plot_render_script(plot_job_write, &job, &po, image, script, why, sizeof why);
    if (rc == TP_ENOGNUPLOT) {
        tp_cli_error("--plot: gnuplot is not installed (install the package gnuplot-nox, e.g. apt-get install "
                     "gnuplot-nox); the plot script is in %s",
                     script);
        return -1;
    }
    if (rc < 0) {
        tp_cli_error("--plot: cannot render %s: %s%s%s", image, tp_strerror(rc), why[0] ? ": " : "", why);
        return -1;
    }
    if (!o->quiet)
        fprintf(stderr, "%s: wrote %s (script %s)\n", TP_CLI_NAME, image, script);
    return 0;
}

static int result_plot_writer(void *ctx, const struct tp_plot_opts *po, const char *image, FILE *f)
{
    return tp_plot_write_script(ctx, po, image, f);
}

int tp_cli_plot(const struct tp_result *r, const struct tp_cli_opts *o, const char *name)
{
    return tp_cli_plot_with(o, name, result_plot_writer, (void *)r);
}

int tp_cli_run_from(const struct tp_cli_opts *o)
{
    struct tp_result r;
    char why[512];
    int rc = tp_result_load(&r, o->from, why, sizeof why);
    if (rc == TP_EFORMAT) {
        tp_cli_usage_error("--from: %s is not a tune-pool results file: %s", o->from, why);
        tp_result_free(&r);
        return TP_EXIT_USAGE;
    }
    if (rc < 0) {
        tp_cli_usage_error("--from: cannot read %s: %s", o->from, tp_strerror(rc));
        tp_result_free(&r);
        return TP_EXIT_USAGE;
    }
    int code = TP_EXIT_OK;
    const char *name = o->name != NULL ? o->name : tp_workload_name(r.workload.kind);
    if (o->plot && tp_cli_plot(&r, o, name) < 0)
        code = TP_EXIT_RUNTIME;
    int out = tp_cli_write_stdout(&r, o);
    if (out != TP_EXIT_OK)
        code = out;
    tp_result_free(&r);
    return code;
}
