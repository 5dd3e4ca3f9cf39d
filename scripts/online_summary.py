#!/usr/bin/env python3
"""online_summary.py - bench-online's figures from a tune-pool --online JSON document (README: Online tuning)."""
import json
import sys

TARGET_FRACTION = 0.9
TARGET_SETTLE_S = 2.0


def fmt(x, spec="{:.3f}"):
    return "-" if x is None else spec.format(x)


def main(path):
    with open(path) as f:
        d = json.load(f)
    if d.get("kind") != "online":
        sys.exit(f"online_summary: {path} is not a tune-pool --online document")
    print(f"{path}: {d['topology']['effective_cores']} cores, compute {d['workload']['compute_ns'] / 1e3:g} us, "
          f"phases of {d['workload']['phase_time_s']:g} s{' (PARTIAL)' if d['partial'] else ''}")
    print(f"{'phase':<6}{'wait':>9}{'offline pick/best':>20}  {'tuned':>15}{'settle':>8}{'reach90':>9}"
          f"{'size after settle':>19}{'chg/s':>7}{'cv':>6}  {'oracle':>15}  {'5 x cores':>15}")
    met_frac = met_settle = True
    for i, ph in enumerate(d["phases"], 1):
        off = ph.get("offline")
        runs = ph["runs"]
        t = runs.get("tuned")
        if t is None:
            continue
        offs = f"{off['pick_threads']}/{off['best_threads']} thr" if off else "-"
        def cell(r):
            if r is None:
                return "-"
            fr = r.get("fraction_of_best")
            return f"{r['tasks_per_s']:.0f} ({fmt(fr, '{:.2f}')})"
        fr = t.get("fraction_of_best")
        if fr is None or fr < TARGET_FRACTION:
            met_frac = False
        if t["settle_s"] >= TARGET_SETTLE_S:
            met_settle = False
        lo, hi = t["threads_settled"]
        size = "%d (%d..%d)" % (t["threads_final"], lo, hi)
        print(f"{i:<6}{ph['wait_ns'] / 1e6:>7.3g}ms{offs:>20}  {cell(t):>15}{t['settle_s']:>7.1f}s"
              f"{fmt(t.get('reach90_s'), '{:.1f}s'):>9}{size:>19}"
              f"{t['changes_per_s']:>7.2f}{t['threads_cv']:>6.2f}  {cell(runs.get('oracle')):>15}  "
              f"{cell(runs.get('fixed')):>15}")
    print(f"targets: every phase >= {TARGET_FRACTION} of the offline best: {'met' if met_frac else 'NOT met'}; "
          f"settle < {TARGET_SETTLE_S:g} s after each change: {'met' if met_settle else 'NOT met'}")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
