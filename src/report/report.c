/* report.c - the result writers behind one interface (one writer per format, each in its own file), and atomic file output. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "file.h"
#include "json.h"
#include "markdown.h"
#include "report_async.h"
#include "table.h"
#include "vec.h"

static const struct report_writer {
    enum tp_format format;
    const char *name;
    int (*write)(const struct tp_result *r, FILE *f);
} writers[] = {
    { TP_FORMAT_TABLE, "table", tp__write_table },
    { TP_FORMAT_CSV, "csv", tp__write_csv },
    { TP_FORMAT_JSON, "json", tp__write_json },
    { TP_FORMAT_MARKDOWN, "markdown", tp__write_markdown },
};

static const struct report_writer *find_writer(enum tp_format format)
{
    for (size_t i = 0; i < TP__ARRAY_LEN(writers); i++)
        if (writers[i].format == format)
            return &writers[i];
    return NULL;
}

const char *tp_format_name(enum tp_format format)
{
    const struct report_writer *w = find_writer(format);
    return w != NULL ? w->name : NULL;
}

int tp_format_parse(const char *name, enum tp_format *out)
{
    if (name == NULL || out == NULL)
        return -EINVAL;
    for (size_t i = 0; i < TP__ARRAY_LEN(writers); i++) {
        if (strcmp(name, writers[i].name) == 0) {
            *out = writers[i].format;
            return 0;
        }
    }
    return -EINVAL;
}

/* The executor section (docs/executors.md) after the pool's report, or
 * instead of it with --executor=async; Markdown holds the section's columns
 * in a text block. */
static int write_async(const struct tp_result *r, enum tp_format format, FILE *f)
{
    if (format == TP_FORMAT_MARKDOWN && r->async->only)
        fprintf(f, "# tune-pool %s results\n\n```text\n", r->version[0] ? r->version : TP_VERSION_STRING);
    else if (format == TP_FORMAT_MARKDOWN)
        fputs("\n## Executors\n\n```text", f); /* the section opens with a blank line */
    int rc = tp__report_async_table(r, f);
    if (format == TP_FORMAT_MARKDOWN)
        fputs("```\n", f);
    return rc;
}

int tp_report_write(const struct tp_result *result, enum tp_format format, FILE *f)
{
    const struct report_writer *w = find_writer(format);
    if (result == NULL || f == NULL || w == NULL || (result->n_points > 0 && result->points == NULL))
        return -EINVAL;
    int text = format == TP_FORMAT_TABLE || format == TP_FORMAT_MARKDOWN, rc;
    if (result->async != NULL && result->async->only && text)
        rc = write_async(result, format, f); /* --executor=async: no pool table */
    else
        rc = w->write(result, f);
    if (rc == 0 && result->async != NULL && !result->async->only && text)
        rc = write_async(result, format, f); /* the executors side by side */
    /* Buffered output only meets the device here: a full disk shows up now. */
    if (fflush(f) != 0 || ferror(f))
        return rc < 0 && rc != TP_EJSON ? rc : -EIO;
    return rc;
}

struct save_ctx {
    const struct tp_result *result;
    enum tp_format format;
};

static int save_writer(void *ctx, FILE *f)
{
    const struct save_ctx *s = ctx;
    return tp_report_write(s->result, s->format, f);
}

int tp_report_save(const struct tp_result *result, enum tp_format format, const char *path)
{
    if (result == NULL || path == NULL || find_writer(format) == NULL)
        return -EINVAL;
    struct save_ctx ctx = { result, format };
    return tp__write_atomic(path, save_writer, &ctx);
}