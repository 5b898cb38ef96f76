#!/usr/bin/python3
"""Exclusive instructions per request by object (executable, libnghttp2, libc, ...) from
callgrind out files.

    callgrind_by_object.py FILE REQUESTS             FILE's counts / REQUESTS
    callgrind_by_object.py FILE REQUESTS BASE_FILE   (FILE - BASE_FILE) / REQUESTS: two runs
                                                     that differ by REQUESTS requests

Used by target_server/bench/instructions_vs_h2o.sh and harness/bench/instructions_vs_h2load.sh."""
import collections, re, sys


def by_object(path):
    # Cost lines belong to the current ob= (a calls= line's next line is an
    # inclusive call cost: skipped); cob= lines also define compressed names.
    names, by, ob, skip = {}, collections.Counter(), "?", False
    for line in open(path, errors="replace"):
        if line.startswith("cob="):
            m = re.match(r"cob=\((\d+)\)\s*(.+)", line.rstrip("\n"))
            if m: names[m.group(1)] = m.group(2)
        elif line.startswith("ob="):
            m = re.match(r"ob=(?:\((\d+)\))?\s*(.*)", line.rstrip("\n"))
            if m.group(2): names[m.group(1)] = m.group(2)
            ob = names.get(m.group(1), m.group(2))
        elif line.startswith("calls="):
            skip = True
        elif line[:1].isdigit() or line[:1] in "+-*":
            if skip:
                skip = False
                continue
            parts = line.split()
            if len(parts) >= 2: by[ob.rsplit("/", 1)[-1]] += int(parts[1])
    return by


by = by_object(sys.argv[1])
if len(sys.argv) > 3:
    by.subtract(by_object(sys.argv[3]))
n = int(sys.argv[2])
for obj, ir in by.most_common(6):
    print(f"    {obj:<32} {ir / n:8.0f}")
print(f"    {'(sum)':<32} {sum(by.values()) / n:8.0f}")
