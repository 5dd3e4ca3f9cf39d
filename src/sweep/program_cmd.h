/* program_cmd.h - the user's command as text: placeholders, shell quoting, the word splitter, the metric, the environment. */
#ifndef TP_SRC_PROGRAM_CMD_H
#define TP_SRC_PROGRAM_CMD_H

#include <regex.h>
#include <stddef.h>

#include "tunepool/tunepool.h"

/* A placeholder "{name}" and the text that replaces it. */
struct tp__cmd_var {
    const char *name; /* e.g. "threads" (without braces) */
    const char *value;
};

/* The two placeholders of a point: {threads} (%d) and {m} (%g of the
 * multiplier), in that order (bit i of a `found` set is vars[i]).
 * vars[] points into bufs. */
struct tp__cmd_point_vars {
    char threads[16], m[32];
    struct tp__cmd_var vars[2];
};
void tp__cmd_point_vars(struct tp__cmd_point_vars *pv, int threads, double multiplier);

/* Replaces every "{name}" of vars in tmpl for a /bin/sh -c command, quoting
 * each value for the place it lands in, as the shell reads tmpl: bare (a
 * value of other than [A-Za-z0-9_.,+-:/=%@] is put in '...'), inside '...'
 * (a ' becomes '\''), inside "..." ($ ` " \ get a backslash). A "{" after
 * an unquoted or double-quoted backslash stays literal. Sets bit i of *found
 * (may be NULL) for each vars[i] seen. *out is malloc'ed. Returns 0, -ENOMEM. */
int tp__cmd_subst_shell(const char *tmpl, const struct tp__cmd_var *vars, size_t n_vars, char **out, unsigned *found);

/* Splits cmd into words (rules: tunepool.h, Programs), replacing the
 * placeholders of vars (may be NULL, n_vars 0) in them. *argv is a
 * NULL-terminated malloc'ed vector (free with tp__cmd_argv_free). Returns
 * 0; -EINVAL with the reason in why (unterminated quote, trailing
 * backslash, no word at all); -ENOMEM. */
int tp__cmd_split(const char *cmd, const struct tp__cmd_var *vars, size_t n_vars, char ***argv, unsigned *found,
                  char *why, size_t why_len);
void tp__cmd_argv_free(char **argv);

/* The placeholders vars[] appearing in cmd as the shell or the splitter
 * reads it (bit i for vars[i]); 0 when none, or when it does not split. */
unsigned tp__cmd_placeholders(const char *cmd, int no_shell);

/* Compiles a metric regex (POSIX ERE, REG_NEWLINE). Returns 0, or -EINVAL
 * with the reason in why (does not compile; no capture group). */
int tp__metric_compile(regex_t *re, const char *pattern, char *why, size_t why_len);

/* Reads the metric from text: the first capture group of the last match,
 * which must hold a finite number and nothing else but blanks. Returns 0
 * with the number in *value; TP_ENOMETRIC with the reason in why (no match,
 * the group did not take part, not a number). */
int tp__metric_find(const regex_t *re, const char *text, double *value, char *why, size_t why_len);

/* 1 when name can be an environment variable set by a shell: [A-Za-z_][A-Za-z0-9_]*. */
int tp__env_name_ok(const char *name);

/* A copy of base (NULL-terminated "NAME=VALUE" strings) with NAME=value
 * set for each of names (an entry of that name in base is left out). The
 * new strings come first; the vector and they are malloc'ed, the others
 * are base's: free with tp__env_free(envp, n_names). NULL when out of
 * memory. */
char **tp__env_build(char *const *base, const char *const *names, int n_names, const char *value);
void tp__env_free(char **envp, int n_names);

#endif
