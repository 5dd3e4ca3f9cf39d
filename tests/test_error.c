/* test_error.c - error codes to text and the version. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tunepool/tunepool.h"

Test(error, every_tp_code_has_its_own_text)
{
    int codes[] = { TP_EHWLOC,    TP_ECGROUP,     TP_ECRASHED, TP_ETIMEOUT,   TP_ECANCELED, TP_EJSON,      TP_ECHILD,
                    TP_ENOPOINTS, TP_ENOFEASIBLE, TP_EFORMAT,  TP_ENOGNUPLOT, TP_EGNUPLOT,  TP_EDUPLICATE, TP_EMIXED };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const char *s = tp_strerror(codes[i]);
        cr_assert_not_null(s);
        cr_assert_str_neq(s, "unknown error", "code %d", codes[i]);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(s, tp_strerror(codes[j]));
    }
}

Test(error, errno_codes_use_the_system_text)
{
    cr_assert_str_eq(tp_strerror(-ENOENT), "No such file or directory");
    cr_assert_str_eq(tp_strerror(0), "success");
    cr_assert_str_eq(tp_strerror(-99999), "unknown error");
    cr_assert_str_eq(tp_strerror(12345), "unknown error");
}

Test(error, version_matches_the_header) { cr_assert_str_eq(tp_version(), TP_VERSION_STRING); }
