#!/usr/bin/env python3
"""check_schema.py - the JSON Schemas (schema/*.schema.json, draft 2020-12) against real documents and the docs.

  check_schema.py [FILE.json ...]

1. each schema is a valid draft 2020-12 schema;
2. each document (the arguments, else tests/golden/*.json and results/*.json) validates against the schema
   its "kind" names (none = a sweep; "online"; "merge");
3. docs/results-format.md and the schemas name the same fields: every property of a schema appears in the
   page's field tables, and every field there exists in a schema (the tables' `a.b`, `x[].y`, `{p,q}`, `*`).
Prints each problem; exit 1 if any. Needs python3-jsonschema (Debian).
"""
import glob
import json
import os
import re
import sys

import jsonschema

top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SCHEMAS = {None: "sweep", "online": "online", "merge": "merge"}
problems = []

schemas = {}
for path in sorted(glob.glob(os.path.join(top, "schema", "*.schema.json"))):
    name = os.path.basename(path)[: -len(".schema.json")]
    s = json.load(open(path))
    try:
        jsonschema.Draft202012Validator.check_schema(s)
    except jsonschema.SchemaError as e:
        problems.append(f"schema/{name}.schema.json: not a valid schema: {e.message}")
        continue
    schemas[name] = s

docs = sys.argv[1:] or sorted(glob.glob(os.path.join(top, "tests", "golden", "*.json")) +
                              glob.glob(os.path.join(top, "results", "*.json")))
for path in docs:
    doc = json.load(open(path))
    kind = doc.get("kind") if isinstance(doc, dict) else None
    name = SCHEMAS.get(kind, kind)
    if name not in schemas:
        problems.append(f"{path}: no schema for kind {kind!r}")
        continue
    if doc.get("$schema", schemas[name]["$id"]) != schemas[name]["$id"]:
        problems.append(f"{path}: $schema {doc['$schema']} is not {name}.schema.json")
    for e in jsonschema.Draft202012Validator(schemas[name]).iter_errors(doc):
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        problems.append(f"{os.path.relpath(path, top)}: {where}: {e.message[:200]}")


def schema_paths(node, root, prefix, out):
    """Every property path of a schema: a.b for objects, a[] for array items."""
    if "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    for alt in node.get("oneOf", []) + node.get("anyOf", []):
        schema_paths(alt, root, prefix, out)
    for k, v in node.get("properties", {}).items():
        p = f"{prefix}.{k}" if prefix else k
        out.add(p)
        schema_paths(v, root, p, out)
    if isinstance(node.get("items"), dict):
        out.add(prefix + "[]")
        schema_paths(node["items"], root, prefix + "[]", out)


def expand(field):
    m = re.search(r"\{([^}]*)\}", field)
    if not m:
        return [field]
    return [x for alt in m.group(1).split(",") for x in expand(field[: m.start()] + alt.strip() + field[m.end():])]


def doc_fields(path):
    """(kind, field path) of every row of the page's field tables, per section."""
    out, kind, base, fence = [], None, None, False
    heads = {"Top level": "", "`topology`": "topology", "`workload`": "workload", "`sweep`": "sweep",
             "`points[]`": "points[]", "`rules[]`": "rules[]", "`model`": "model", "`host`": "host",
             "`recommendation` (or `null`)": "recommendation",
             "`async` (only with `--executor=both|async`)": "async"}
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        if fence:
            continue
        m = re.match(r"(#+) (.*)", line)
        if m:
            title = m.group(2).strip()
            if m.group(1) == "##":
                kind = "online" if "online" in title else "merge" if "merge" in title else \
                       "sweep" if title.startswith("JSON") else None
                base = "" if kind in ("online", "merge") else None
            elif kind == "sweep":
                base = heads.get(title)
                if base is None:
                    m2 = re.match(r"`([\w.\[\]]+)`", title)
                    base = m2.group(1) if m2 else None
            continue
        m = re.match(r"`([\w.\[\]]+)`:\s*$", line)
        if m and kind == "sweep":
            base = m.group(1)
            continue
        if kind is None or base is None or not line.startswith("| `"):
            continue
        cell = line.strip().strip("|").split("|")[0]
        first = None
        for f in re.findall(r"`([^`]+)`", cell):
            if f.startswith(".") and first:
                f = first.rsplit(".", 1)[0] + f
            elif first and "." not in f and "." in first:
                f = first.rsplit(".", 1)[0] + "." + f
            first = first or f
            for g in expand(f):
                out.append((kind, f"{base}.{g}" if base else g))
    return out


page = os.path.join(top, "docs", "results-format.md")
documented = {}
for kind, f in doc_fields(page):
    documented.setdefault(kind, set()).add(f)
def pattern(d):
    return re.compile(re.escape(d).replace(r"\*", r"[^.\[]+"))


def documents(doc, p):
    return p in doc or any(pattern(d).fullmatch(p) for d in doc if "*" in d)


def d_under(doc, p):
    """Whether a documented field lies strictly inside p."""
    return any(d.startswith(p + ".") or d.startswith(p + "[]") for d in doc)


for name, s in schemas.items():
    paths = set()
    schema_paths(s, s, "", paths)
    doc = documented.get(name, set())
    for p in sorted(paths):
        if p.startswith("$schema"):
            continue
        # A field is documented by its own row (or one whose `*` matches it), or by a row naming an
        # ancestor object when no row names anything inside that ancestor (the row's text lists the members).
        ancestors = [p[:i] for i in range(len(p)) if p[i] in ".[" and p[:i]]
        covered = documents(doc, p) or documents(doc, p + "[]") or d_under(doc, p) \
            or any(documents(doc, a) and not d_under(doc, a) for a in ancestors)
        if not covered:
            problems.append(f"docs/results-format.md: field {p} of schema/{name}.schema.json is not documented")
    for d in sorted(doc):
        pat = re.compile(re.escape(d).replace(r"\*", r"[^.]+") + r"$")
        if not any(pat.match(p) for p in paths):
            problems.append(f"docs/results-format.md: documents {d}, which schema/{name}.schema.json does not have")

for p in problems:
    print(p)
print(f"check_schema: {len(schemas)} schemas, {len(docs)} documents, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
