#!/usr/bin/env python3
"""check_links.py - every relative link in the repository's Markdown files points at a file that exists
(and, with #anchor, at a heading of it). Prints FILE:LINE for each broken one; exit 1 if any."""
import os
import re
import subprocess
import sys

top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                     cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "*.md"], capture_output=True, text=True,
                       cwd=top).stdout.split()
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def anchors(path):
    """GitHub's heading slugs of a Markdown file."""
    out, fence = set(), False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"#{1,6}\s+(.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            base, n = slug, 1
            while slug in out:
                slug, n = f"{base}-{n}", n + 1
            out.add(slug)
    return out


bad = 0
for rel in files:
    path = os.path.join(top, rel)
    if not os.path.exists(path):
        continue
    fence = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.startswith("```"):
            fence = not fence
        if fence:
            continue
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"[a-z]+:", target) or target.startswith("//"):
                continue  # absolute URLs and mailto: are not checked (no network)
            file, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            if not os.path.exists(dest):
                print(f"{rel}:{n}: broken link {target} (no {os.path.relpath(dest, top)})")
                bad += 1
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                print(f"{rel}:{n}: broken link {target} (no heading #{anchor} in {os.path.relpath(dest, top)})")
                bad += 1
print(f"check_links: {len(files)} Markdown files, {bad} broken relative link(s)")
sys.exit(1 if bad else 0)
