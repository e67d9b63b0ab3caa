#!/usr/bin/python3
"""calls.py SRCDIR - no two source files call each other, even through others.

The layers test (layers.py) guards the includes; this one guards the calls
between files: a function a file defines (not static, BSD style: its name
at the start of a line) and another file calls makes an edge, and any
strongly connected group of more than one file is a call cycle, reported
with its members.  Upward reports go through hooks and callbacks (the
speaker's struct bgp_hooks, a service's svc_changed, the control
commands' struct ctl_ops), which are not calls by name.  Comments and
string literals are skipped; the rest is read as text, which is enough
for a tree written in one style.
"""
import os
import re
import sys

DIRS = ["lib", "bgpd", "bfd", "health", "nomad", "nomcastd", "nomcastctl"]
DEF = re.compile(r"^([a-z_][a-z0-9_]*)\(", re.M)
CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\(")


def read(root):
    texts, defs = {}, {}
    for d in DIRS:
        for f in sorted(os.listdir(os.path.join(root, d))):
            if not f.endswith(".c"):
                continue
            path = d + "/" + f
            text = open(os.path.join(root, path), encoding="utf-8").read()
            lines = text.split("\n")
            for i, line in enumerate(lines):
                m = DEF.match(line)
                if m and i > 0 and "static" not in lines[i - 1]:
                    defs.setdefault(m.group(1), path)
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            texts[path] = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return texts, defs


def cycles(edges):
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main():
    texts, defs = read(sys.argv[1])
    edges = {p: set() for p in texts}
    for path, text in texts.items():
        for name in CALL.findall(text):
            dst = defs.get(name)
            if dst is not None and dst != path:
                edges[path].add(dst)
    found = cycles(edges)
    print("files %d, call edges %d, cycles %d" % (
        len(texts), sum(len(e) for e in edges.values()), len(found)))
    for group in found:
        print("FAIL: call cycle: " + " <-> ".join(group))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
