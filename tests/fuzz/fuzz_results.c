/* fuzz_results.c - libFuzzer target: the results-JSON reader (--from, compare), then every report and emitter. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunepool/tunepool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever the document, the reader returns a code and a reason, or a result
 * that every writer can print: what --from and compare then do with it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *in = fmemopen((void *)data, size, "r");
    if (in == NULL)
        return 0;
    struct tp_result r;
    char why[512];
    int rc = tp_result_read(&r, in, why, sizeof why);
    fclose(in);
    if (rc < 0) {
        if (why[0] == '\0')
            abort(); /* a refusal always says why */
        tp_result_free(&r);
        return 0;
    }
    FILE *out = fopen("/dev/null", "w");
    if (out != NULL) {
        for (int f = TP_FORMAT_TABLE; f <= TP_FORMAT_MARKDOWN; f++)
            (void)tp_report_write(&r, (enum tp_format)f, out);
        for (int e = TP_EMIT_CMAKE; e <= TP_EMIT_JSON; e++)
            (void)tp_emit_write(&r, (enum tp_emit_format)e, out);
        fclose(out);
    }
    tp_result_free(&r);
    return 0;
}
