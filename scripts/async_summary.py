#!/usr/bin/env python3
"""async_summary.py - prints the pool's pick and the event loops' pick from tune-pool --executor=both JSON documents.

Usage: async_summary.py RESULT.json...  (one line block per document; used by scripts/bench-async)."""
import json
import sys


def row(name, threads, d):
    t = d["throughput"]
    return "  %-38s %7d %10.0f  [%.0f, %.0f]  p99 %8.2f ms  max RSS %7.1f MiB" % (
        name, threads, t["median"], t["ci_lo"], t["ci_hi"], d["p99_ns"] / 1e6, d["max_rss_kb"] / 1024)


for path in sys.argv[1:]:
    with open(path) as f:
        doc = json.load(f)
    a = doc.get("async") or {}
    wl = doc["workload"]["name"]
    print("== %s (%d cores) ==" % (wl, doc["topology"]["effective_cores"]))
    print("  %-38s %7s %10s  interval, p99, max RSS" % ("design", "threads", "tasks/s"))
    c = a.get("comparison")
    if not a.get("supported", False):
        print("  async row absent: %s" % a.get("reason"))
        continue
    if c is None:
        print("  no comparison: %s" % (a.get("error") or "a side has no pick"))
        continue
    p = c["pool"]
    print(row("pool pick (m = %g)" % p["multiplier"], p["threads"], p))
    rec = a["recommendation"]
    print(row("event loops (c = %g in flight/loop)" % rec["in_flight_per_loop"], c["async"]["threads"], c["async"]))
    print("  async / pool = %.2fx [%.2f, %.2f]: %s; memory async / pool = %.2fx" % (
        c["ratio"], c["ratio_lo"], c["ratio_hi"], c["winner"],
        c["async"]["max_rss_kb"] / max(1, p["max_rss_kb"])))
