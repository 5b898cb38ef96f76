#!/usr/bin/python3
"""Checks the harness's include graph against docs/ARCHITECTURE.md.

The document lists, between `<!-- layering: begin -->` and `<!-- layering: end -->`,
one line per module of harness/: "- `MODULE` → DEP, DEP: ..." ("(nothing)" for none).
Every #include "harness/OTHER/..." in a non-test source of harness/MODULE/ must name a
listed DEP; every folder of harness/ with sources (but tests/ and bench/) must be
listed, and every listed module must exist; target_server/ may not include harness/, and
common/ (shared by both) neither harness/ nor target_server/.
Exit 0 when all holds, 1 with one line per violation (file:line: what), 2 on a
document that cannot be read.

Usage: /usr/bin/python3 ci/check_layering.py [REPO_ROOT]
"""
import os
import re
import sys

FREE = {"tests", "bench"}  # may include any module
INCLUDE = re.compile(r'^\s*#\s*include\s+"harness/([A-Za-z0-9_]+)/')
OWN_INCLUDE = re.compile(r'^\s*#\s*include\s+"(harness|target_server)/')
RULE = re.compile(r"^- `([a-z0-9_]+)` → ([^:]+):")


def is_test_source(name):
    return name.endswith("_test.cc") or "test_support" in name or name.startswith("test_") or "testing" in name


def allowed_graph(doc_path):
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- layering: begin -->(.*?)<!-- layering: end -->", text, re.S)
    if not m:
        raise ValueError(f"{doc_path}: no '<!-- layering: begin/end -->' block")
    graph = {}
    for n, line in enumerate(m.group(1).splitlines(), text[: m.start(1)].count("\n") + 1):
        if not line.startswith("- "):
            continue
        r = RULE.match(line)
        if not r:
            raise ValueError(f"{doc_path}:{n}: expected \"- `module` → dep, dep: what it owns\", got: {line}")
        deps = r.group(2).strip()
        graph[r.group(1)] = set() if deps == "(nothing)" else {d.strip() for d in deps.split(",")}
    return graph


def sources(folder):
    for root, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith((".cc", ".h")):
                yield os.path.join(root, name), name


def check(root):
    doc = os.path.join(root, "docs", "ARCHITECTURE.md")
    graph = allowed_graph(doc)
    problems = []
    harness = os.path.join(root, "harness")
    modules = sorted(d for d in os.listdir(harness)
                     if os.path.isdir(os.path.join(harness, d)) and any(sources(os.path.join(harness, d))))
    for mod in modules:
        if mod in FREE:
            continue
        if mod not in graph:
            problems.append(f"harness/{mod}/: a module docs/ARCHITECTURE.md does not list")
            continue
        for path, name in sources(os.path.join(harness, mod)):
            if is_test_source(name):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) != mod and m.group(1) not in graph[mod]:
                        problems.append(f"{os.path.relpath(path, root)}:{n}: {mod} includes {m.group(1)}, "
                                        f"not allowed by docs/ARCHITECTURE.md")
    for mod in sorted(set(graph) - set(modules)):
        problems.append(f"docs/ARCHITECTURE.md lists `{mod}`, which is not a folder of harness/")
    for mod, deps in sorted(graph.items()):
        for d in sorted(deps - set(graph)):
            problems.append(f"docs/ARCHITECTURE.md: `{mod}` may include `{d}`, which is not a listed module")
    problems += forbidden_includes(root, "target_server", INCLUDE, "the reference server includes harness/")
    problems += forbidden_includes(root, "common", OWN_INCLUDE, "common/ includes harness/ or target_server/")
    return problems


def forbidden_includes(root, folder, pattern, what):
    """One "file:line: what" for every line of folder/'s sources that matches pattern."""
    found = []
    for path, _ in sources(os.path.join(root, folder)):
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if pattern.match(line):
                    found.append(f"{os.path.relpath(path, root)}:{n}: {what}")
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    try:
        problems = check(root)
    except (OSError, ValueError) as e:
        print(f"check_layering: {e}", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    if problems:
        print(f"check_layering: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_layering: every include follows docs/ARCHITECTURE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
