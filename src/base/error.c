/* error.c - every error code to its text (a full switch), and the library version. */
#include <errno.h>
#include <string.h>

#include "error.h"

const char *tp_strerror(int err)
{
    switch ((enum tp_error)err) {
    case TP_EHWLOC: return "hwloc could not load the topology";
    case TP_ECGROUP: return "a cgroup CPU-quota file could not be parsed";
    case TP_ECRASHED: return "the measured point died from a signal";
    case TP_ETIMEOUT: return "the measured point ran past its time limit";
    case TP_ECANCELED: return "the sweep was interrupted";
    case TP_EJSON: return "the JSON document could not be built";
    case TP_ECHILD: return "the point's measuring process broke its protocol";
    case TP_ENOPOINTS: return "no point could be measured";
    case TP_EPLUGIN: return "the workload plugin could not be loaded, is invalid or failed";
    case TP_ENOFEASIBLE: return "no measured point is eligible (the latency bound, the failure bound)";
    case TP_EFORMAT: return "not a tune-pool results document (tool \"tune-pool\", schema 1)";
    case TP_ENOGNUPLOT: return "gnuplot not found (install the package gnuplot-nox)";
    case TP_EGNUPLOT: return "gnuplot failed to render the plot";
    case TP_EDUPLICATE: return "the same run as a file already merged";
    case TP_EMIXED: return "the results hold different workloads";
    case TP_EEXIT: return "the program exited with a non-zero status";
    case TP_ENOMETRIC: return "the program's output held no usable metric";
    }
    if (err == 0)
        return "success";
    if (err < 0) {
        const char *s = strerrordesc_np(-err); /* thread-safe, static text */
        if (s != NULL)
            return s;
    }
    return "unknown error";
}

const char *tp_version(void) { return TP_VERSION_STRING; }
