/* completion.c - `tune-pool completion bash|zsh`: the shell completion scripts, generated from the parser's own option table. */
#include <stdio.h>
#include <string.h>

#include "completion.h"
#include "merge_cmd.h"
#include "msg.h"
#include "options.h"

/* The most names a closed set may have; the loops below stop earlier at the
 * first unknown value. */
#define MAX_CHOICES 64

/* A word list for the values of a closed set: every name of(i) from 0 on. */
static void print_names(FILE *f, const char *(*name_of)(int), const char *extra)
{
    const char *sep = "";
    for (int i = 0; i < MAX_CHOICES; i++) {
        const char *n = name_of(i);
        if (n == NULL || strcmp(n, "unknown") == 0)
            break;
        fprintf(f, "%s%s", sep, n);
        sep = " ";
    }
    if (extra != NULL)
        fprintf(f, "%s%s", sep, extra);
}

static const char *workload_name(int i)
{
    const char *usage = tp_workload_usage((enum tp_workload_kind)i);
    const char *name = tp_workload_name((enum tp_workload_kind)i);
    /* A kind named by a prefix ("plugin:PATH.so") completes to the prefix. */
    static char prefix[64];
    if (usage != NULL && name != NULL && strcmp(usage, name) != 0) {
        const char *colon = strchr(usage, ':');
        size_t n = colon != NULL ? (size_t)(colon - usage) + 1 : strlen(usage);
        snprintf(prefix, sizeof prefix, "%.*s", (int)n, usage);
        return prefix;
    }
    return name;
}
static const char *format_name(int i) { return tp_format_name((enum tp_format)i); }
static const char *emit_name(int i) { return tp_emit_name((enum tp_emit_format)i); }
static const char *strategy_name(int i) { return tp_strategy_name((enum tp_strategy)i); }
static const char *executor_name(int i) { return tp_executor_name((enum tp_executor)i); }

/* The case arms for options whose values are a closed set or a path. */
static void print_value_cases(FILE *f)
{
    fprintf(f, "    --workload) COMPREPLY=($(compgen -W \"");
    print_names(f, workload_name, NULL);
    fprintf(
        f,
        "\" -- \"$cur\"))\n      [[ $cur == *:* ]] && COMPREPLY=($(compgen -P \"${cur%%%%:*}:\" -f -- \"${cur#*:}\"))\n"
        "      [[ ${COMPREPLY[0]-} == *: ]] && compopt -o nospace; __ltrim_colon_completions \"$cur\"; return ;;\n");
    fprintf(f, "    --format) COMPREPLY=($(compgen -W \"");
    print_names(f, format_name, NULL);
    fprintf(f, "\" -- \"$cur\")); return ;;\n    --emit) COMPREPLY=($(compgen -W \"");
    print_names(f, emit_name, NULL);
    fprintf(f, "\" -- \"$cur\")); return ;;\n    --strategy) COMPREPLY=($(compgen -W \"");
    print_names(f, strategy_name, NULL);
    fprintf(f, "\" -- \"$cur\")); return ;;\n    --executor) COMPREPLY=($(compgen -W \"");
    print_names(f, executor_name, "both");
    fprintf(f, "\" -- \"$cur\")); return ;;\n");
    fprintf(f, "    --core-unit) COMPREPLY=($(compgen -W \"pu core\" -- \"$cur\")); return ;;\n");
    fprintf(f, "    --plot-format) COMPREPLY=($(compgen -W \"png svg\" -- \"$cur\")); return ;;\n");
    fprintf(f, "    --objective) COMPREPLY=($(compgen -W \"throughput latency\" -- \"$cur\")); return ;;\n");
    fprintf(f, "    --from) _filedir json; return ;;\n");
    fprintf(f, "    --output-dir|--file-dir) _filedir -d; return ;;\n");
    fprintf(f, "    --plot|--body|--query) _filedir; return ;;\n");
}

/* What zsh offers after --NAME=: a closed set "(io cpu ...)", files, folders, or any value. */
static void print_zsh_action(FILE *f, const char *name)
{
    static const struct {
        const char *name;
        const char *(*set)(int);
        const char *extra;
    } sets[] = { { "workload", workload_name, NULL },
                 { "format", format_name, NULL },
                 { "emit", emit_name, NULL },
                 { "strategy", strategy_name, NULL },
                 { "executor", executor_name, "both" } };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (strcmp(name, sets[i].name) == 0) {
            fprintf(f, ":%s:(", name);
            print_names(f, sets[i].set, sets[i].extra);
            fputc(')', f);
            return;
        }
    if (strcmp(name, "core-unit") == 0)
        fputs(":unit:(pu core)", f);
    else if (strcmp(name, "plot-format") == 0)
        fputs(":format:(png svg)", f);
    else if (strcmp(name, "objective") == 0)
        fputs(":objective:(throughput latency)", f);
    else if (strcmp(name, "from") == 0)
        fputs(":results:_files -g \\*.json", f);
    else if (strcmp(name, "output-dir") == 0 || strcmp(name, "file-dir") == 0)
        fputs(":folder:_files -/", f);
    else if (strcmp(name, "plot") == 0 || strcmp(name, "body") == 0 || strcmp(name, "query") == 0)
        fputs(":file:_files", f);
    else
        fprintf(f, ":%s: ", name);
}

/* One _arguments spec per option of the table (a name it holds twice once). */
static void print_zsh_specs(FILE *f, const struct option *opts, size_t n, const char *indent)
{
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(opts[i].name, opts[j].name) == 0;
        if (seen)
            continue;
        if (opts[i].has_arg == no_argument) {
            fprintf(f, "%s'--%s' \\\n", indent, opts[i].name);
            continue;
        }
        fprintf(f, "%s'--%s=-", indent, opts[i].name);
        print_zsh_action(f, opts[i].name);
        fputc('\'', f);
        if (opts[i].has_arg == optional_argument) /* --plot alone, or --plot=FILE */
            fprintf(f, " '--%s'", opts[i].name);
        fputs(" \\\n", f);
    }
}

static int print_zsh(FILE *f)
{
    size_t n = 0, nm = 0;
    const struct option *opts = tp_cli_long_options(&n), *merge = tp_cli_merge_options(&nm);
    fputs("#compdef tune-pool\n# zsh completion for tune-pool, generated by `tune-pool completion zsh` from its "
          "option tables.\n_tune_pool() {\n  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then\n"
          "    _values command compare merge completion; return\n  fi\n  case $words[2] in\n"
          "    compare) _files -g '*.json'; return ;;\n    completion) _values shell bash zsh; return ;;\n"
          "    merge)\n      _arguments -s \\\n",
          f);
    print_zsh_specs(f, merge, nm, "        ");
    fputs("        '*:results:_files'\n      return ;;\n  esac\n  _arguments -s \\\n", f);
    print_zsh_specs(f, opts, n, "    ");
    fputs("    '*:file:_files'\n}\n_tune_pool \"$@\"\n", f);
    return ferror(f) ? -1 : 0;
}

/* `tune-pool merge`: its own options (merge_cmd.c's table) and values, then files or folders. */
static void print_merge_case(FILE *f)
{
    fprintf(f, "    merge)\n      case $prev in\n        --format) COMPREPLY=($(compgen -W \"");
    print_names(f, format_name, NULL);
    fprintf(f, "\" -- \"$cur\")); return ;;\n        --emit) COMPREPLY=($(compgen -W \"");
    print_names(f, emit_name, NULL);
    fprintf(f, "\" -- \"$cur\")); return ;;\n"
               "        --plot-format) COMPREPLY=($(compgen -W \"png svg\" -- \"$cur\")); return ;;\n"
               "        --output-dir) _filedir -d; return ;;\n      esac\n      $split && return\n"
               "      [[ $cur != -* ]] && { _filedir json; return; }\n      COMPREPLY=($(compgen -W \"");
    size_t n = 0;
    const struct option *opts = tp_cli_merge_options(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s--%s%s", i > 0 ? " " : "", opts[i].name, opts[i].has_arg == required_argument ? "=" : "");
    fprintf(f, "\" -- \"$cur\"))\n      [[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace\n      return ;;\n");
}

int tp_cli_print_completion(FILE *f, const char *shell)
{
    if (shell != NULL && strcmp(shell, "zsh") == 0)
        return print_zsh(f);
    if (shell == NULL || strcmp(shell, "bash") != 0)
        return -1;
    size_t n = 0;
    const struct option *opts = tp_cli_long_options(&n);
    fprintf(f, "# bash completion for tune-pool, generated by `tune-pool completion bash` from its option table.\n"
               "_tune_pool() {\n  local cur prev words cword split\n  _init_completion -s -n : || return\n"
               "  if [[ $cword -eq 1 && $cur != -* ]] && ! $split; then\n"
               "    COMPREPLY=($(compgen -W \"compare merge completion\" -- \"$cur\")); return\n  fi\n"
               "  case ${words[1]} in\n    compare) [[ $cur != -* ]] && { _filedir json; return; } ;;\n");
    print_merge_case(f);
    fprintf(f, "    completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")); return ;;\n  esac\n"
               "  case $prev in\n");
    print_value_cases(f);
    fprintf(f, "  esac\n  $split && return\n  if [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W \"");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s--%s%s", i > 0 ? " " : "", opts[i].name, opts[i].has_arg == required_argument ? "=" : "");
    fprintf(f, "\" -- \"$cur\"))\n    [[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace\n  fi\n}\n"
               "complete -F _tune_pool tune-pool\n");
    return ferror(f) ? -1 : 0;
}

int tp_cli_completion_command(int argc, char **argv)
{
    if (argc != 2) {
        tp_cli_usage_error("completion: give the shell: tune-pool completion bash|zsh");
        return TP_EXIT_USAGE;
    }
    if (strcmp(argv[1], "bash") != 0 && strcmp(argv[1], "zsh") != 0) {
        tp_cli_usage_error("completion: unknown shell '%s' (expected bash or zsh)", argv[1]);
        return TP_EXIT_USAGE;
    }
    if (tp_cli_print_completion(stdout, argv[1]) < 0 || fflush(stdout) != 0) {
        tp_cli_error("completion: could not write the script");
        return TP_EXIT_RUNTIME;
    }
    return TP_EXIT_OK;
}
