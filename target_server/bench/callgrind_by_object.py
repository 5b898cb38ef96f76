#!/usr/bin/python3
"""Exclusive instructions per request by object (executable, libnghttp2, libc, ...) from a
callgrind out file: callgrind_by_object.py FILE REQUESTS. Used by instructions_vs_h2o.sh."""
import collections, re, sys
# Exclusive Ir per object from a callgrind out file: cost lines belong to the
# current ob= (a calls= line's next line is an inclusive call cost: skipped).
names, by, ob, skip = {}, collections.Counter(), "?", False
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("cob="):  # a called object's name is defined here too
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
n = int(sys.argv[2])
for obj, ir in by.most_common(6):
    print(f"    {obj:<32} {ir / n:8.0f}")
print(f"    {'(sum)':<32} {sum(by.values()) / n:8.0f}")
