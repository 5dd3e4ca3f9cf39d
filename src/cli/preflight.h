/* preflight.h - before anything is measured: proves that the output directory and files can really be written. */
#ifndef TP_CLI_PREFLIGHT_H
#define TP_CLI_PREFLIGHT_H

/* dir (given by option opt, e.g. "--output-dir") exists or can be created,
 * and a file can be created in it: tried for real (an empty probe file,
 * removed at once; a directory made for the probe is removed too, so
 * nothing is left). Returns 0, or -1 after a usage-error message naming
 * opt. */
int tp_cli_probe_dir(const char *opt, const char *dir);

/* path (given by opt, e.g. "--plot") can be written: it is not a directory
 * and its directory exists and takes a new file. Returns 0 or -1 after a
 * usage-error message. */
int tp_cli_probe_file(const char *opt, const char *path);

#endif
