#!/usr/bin/env python3
"""check_layout.py - the pipeline's rules, checked line by line over src/ (README: Architecture).

Each rule failing prints FILE:LINE and why; exit 1 if any did. Rules:
  1. includes: a stage includes only its own headers and those of the stages it may use (ALLOWED);
  2. pure: stats/ and exec/control.c read no clock, fork nothing, create no thread;
  3. kinds: nothing outside src/workloads/ switches on the workload kind (case TP_WORKLOAD_*), and inside
     it only the registry lists the kinds;
  4. headers: every header belongs to one .c of the same name in its folder, and no .c declares a
     function of another file (a non-static prototype outside a header);
  5. length: no function body over MAX_FUNCTION_LINES lines.
"""
import os
import re
import sys

ALLOWED = {
    "base": [],
    "topology": ["base"],
    "exec": ["base"],
    "workloads": ["base", "exec"],
    "stats": ["base"],
    "sweep": ["base", "topology", "exec", "workloads", "stats"],
    "report": ["base", "workloads", "stats"],
    "cli": ["base"],
}
MAX_FUNCTION_LINES = 80
PURE = re.compile(r"\b(clock_gettime|tp__now_ns|tp__thread_cpu_ns|fork|vfork|posix_spawnp?|pthread_create|"
                  r"gettimeofday|time\s*\(NULL\))\b|#include \"clock\.h\"")

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
problems = []


def bad(path, line, why):
    problems.append(f"{os.path.relpath(path, os.path.dirname(root))}:{line}: {why}")


headers = {}  # header name -> stage
for stage in ALLOWED:
    d = os.path.join(root, stage)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.endswith(".h"):
            if name in headers:
                bad(os.path.join(d, name), 1, f"header name also used in src/{headers[name]}/")
            headers[name] = stage
for stage in os.listdir(root):
    if stage not in ALLOWED and os.path.isdir(os.path.join(root, stage)):
        bad(os.path.join(root, stage), 1, "a folder that is not a pipeline stage (add it to ALLOWED)")


def function_lengths(text):
    """(name, first line, body lines) of each top-level function definition."""
    out, depth, start, name = [], 0, None, None
    lines = text.split("\n")
    for i, line in enumerate(lines, 1):
        code = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'', '""', line)
        code = re.sub(r"//.*", "", code)
        if depth == 0 and "{" in code:
            head = " ".join(lines[max(0, i - 4):i])
            found = re.findall(r"(\w+)\s*\([^;{}]*\)\s*(?:__attribute__\(\([^)]*\)\)\s*)?\{", head)
            if found and not re.search(r"\b(struct|enum|union)\s+\w*\s*\{|=\s*\{", code):
                start, name = i, found[-1]
        depth += code.count("{") - code.count("}")
        if depth == 0 and start is not None:
            out.append((name, start, i - start - 1))
            start = None
    return out


for stage, allowed in ALLOWED.items():
    d = os.path.join(root, stage)
    if not os.path.isdir(d):
        continue
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if not name.endswith((".c", ".h")):
            continue
        text = open(path, encoding="utf-8").read()
        incomment = False
        for n, line in enumerate(text.split("\n"), 1):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m:
                inc = m.group(1)
                if inc.startswith("tunepool/"):
                    continue
                owner = headers.get(os.path.basename(inc))
                if owner is None:
                    bad(path, n, f'includes "{inc}", which is no header of src/')
                elif owner != stage and owner not in allowed:
                    bad(path, n, f'src/{stage}/ may not include src/{owner}/{inc} '
                                 f'(it may use: {", ".join(allowed) or "nothing"})')
            if (stage == "stats" or name == "control.c") and PURE.search(line) and not line.lstrip().startswith(("*", "/*")):
                bad(path, n, "stats/ and exec/control.c are pure: no clock, fork or thread")
            if stage != "workloads" and re.search(r"\bcase\s+TP_WORKLOAD_\w+", line):
                bad(path, n, "switches on the workload kind outside src/workloads/ (use the kind's ops)")
            if stage == "workloads" and name != "registry.c" and re.search(r"\bcase\s+TP_WORKLOAD_\w+", line):
                bad(path, n, "lists a workload kind outside the registry (src/workloads/registry.c)")
            if name.endswith(".c") and re.match(r"(?!static\b)(?!extern\b)[A-Za-z_][\w \*]*\b(tp_\w+|tp__\w+)\s*\([^;{]*\)\s*;\s*$", line) \
                    and not line.startswith((" ", "\t", "return")):
                bad(path, n, "declares a function of another file (put it in that file's header)")
            if name.endswith(".c") and re.match(r"extern\s", line):
                bad(path, n, "declares another file's object (put it in that file's header)")
        if name.endswith(".h") and not os.path.exists(os.path.join(d, name[:-2] + ".c")):
            bad(path, 1, f"header without its .c (every header belongs to one src/{stage}/{name[:-2]}.c)")
        if name.endswith(".c"):
            for fn, line, length in function_lengths(text):
                if length > MAX_FUNCTION_LINES:
                    bad(path, line, f"function {fn} is {length} lines long (at most {MAX_FUNCTION_LINES})")

for p in problems:
    print(p)
if problems:
    print(f"check_layout: {len(problems)} problem(s)")
    sys.exit(1)
print("check_layout: the layout rules hold")
