/* completion.h - the shell completion script, generated from the option table the parser uses. */
#ifndef TP_CLI_COMPLETION_H
#define TP_CLI_COMPLETION_H

#include <stdio.h>

/* Writes the completion script for shell ("bash") to f. Returns 0, or -1
 * for another shell or a write error. */
int tp_cli_print_completion(FILE *f, const char *shell);

/* `tune-pool completion SHELL` (argv[0] is "completion"): the script on
 * stdout. Returns the exit code (2 for anything but "bash"). */
int tp_cli_completion_command(int argc, char **argv);

#endif
