#!/usr/bin/python3
"""layers.py SRCDIR - the folders are layers, and includes go downward.

Every project include names its folder ("bgpd/msg.h").  A folder may
include its own files and those of lower layers only:

    lib  <-  bgpd, bfd, health  <-  nomad  <-  nomcastd  <-  nomcastctl

(nomad reports health's source states, so it sits above health; bgpd,
bfd and health never include each other: nomcastd ties BFD to BGP.)
The pure files (no I/O: the codec,
the FSM, the Adj-RIB-Out, the verdict and source machines, the catalog
reader) must not reach, through any chain of project headers, a header of
the event loop, libcurl, netlink, the HTTP server or process spawning.

KNOWN lists the edges that break the rule, each with the change that
would remove it; it is empty since each module parses its own config
section (lib/conf.c is the shared reader).  The test fails on any other
edge, and on a KNOWN edge that no longer exists, so that the list only
shrinks.
"""
import os
import re
import sys

RANK = {"lib": 0, "bgpd": 1, "bfd": 1, "health": 1, "nomad": 2, "nomcastd": 3,
        "nomcastctl": 4}

PURE = ["lib/rd.c", "lib/prefix.c", "bgpd/notif.c", "bgpd/msg.c",
        "bgpd/updb.c", "bgpd/fsm.c", "bgpd/ribout.c", "health/verdict.c",
        "nomad/catalog.c", "nomad/source.c", "nomcastd/announce.c",
        "nomcastd/reload_plan.c", "bgpd/attr.c", "bfd/pkt.c", "bfd/fsm.c",
        "bfd/bfd_conf.c", "nomcastd/gr_decide.c"]
# the loop and the libraries that do I/O (address types from the socket
# headers are plain data, and pure files use them)
IMPURE = re.compile(r"^(ev\.h|curl/|netlink/|microhttpd\.h|poll\.h|"
                    r"sys/epoll\.h|spawn\.h)")

# (from file, to header): why it is still there
KNOWN = {}

# headers meson generates in the build root, and the one folder that may
# include each (lib/build_info.h.in: the commit, for --version)
GENERATED = {"build_info.h": "lib"}

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]', re.M)


def sources(root):
    for d in RANK:
        for f in sorted(os.listdir(os.path.join(root, d))):
            if f.endswith((".c", ".h")):
                yield d + "/" + f


def includes(root, path):
    text = open(os.path.join(root, path), encoding="utf-8").read()
    return [(q == '"', name) for q, name in INCLUDE.findall(text)]


def main():
    root = sys.argv[1]
    bad = []
    seen_known = set()
    graph = {}
    for path in sources(root):
        src = path.split("/")[0]
        graph[path] = []
        for quoted, name in includes(root, path):
            if not quoted:
                graph[path].append(("sys", name))
                continue
            # made by meson in the build root (vcs_tag): plain data
            if name in GENERATED and src == GENERATED[name]:
                continue
            if "/" not in name or name.split("/")[0] not in RANK:
                bad.append("%s: #include \"%s\" does not name its folder"
                           % (path, name))
                continue
            dst = name.split("/")[0]
            graph[path].append(("proj", name))
            if dst == src or RANK[dst] < RANK[src]:
                continue
            if (path, name) in KNOWN:
                seen_known.add((path, name))
                continue
            bad.append("%s (layer %d) includes %s (layer %d)"
                       % (path, RANK[src], name, RANK[dst]))
    for edge, why in KNOWN.items():
        if edge not in seen_known:
            bad.append("KNOWN edge %s -> %s is gone: remove it from the "
                       "list (%s)" % (edge[0], edge[1], why))
    for path in PURE:
        todo, done = [path], set()
        while todo:
            f = todo.pop()
            if f in done or f not in graph:
                continue
            done.add(f)
            for kind, name in graph[f]:
                if kind == "sys" and IMPURE.match(name):
                    bad.append("%s is pure, but reaches <%s> through %s"
                               % (path, name, f))
                elif kind == "proj":
                    todo.append(name)
    edges = {}
    for path, incs in graph.items():
        for kind, name in incs:
            if kind == "proj" and name.split("/")[0] != path.split("/")[0]:
                edges.setdefault((path.split("/")[0], name.split("/")[0]),
                                 0)
                edges[(path.split("/")[0], name.split("/")[0])] += 1
    for (a, b), n in sorted(edges.items()):
        print("%-10s -> %-10s %3d include%s" % (a, b, n, "" if n == 1
                                                else "s"))
    print("known exceptions: %d" % len(KNOWN))
    for line in bad:
        print("FAIL:", line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
