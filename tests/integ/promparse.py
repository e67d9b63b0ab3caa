#!/usr/bin/python3
"""promparse.py - a strict checker of the Prometheus text exposition format
(0.0.4), standard library only, for tests/integ/metrics.sh.

  promparse.py FILE [SELECTOR...]   check FILE; print one value per selector
  promparse.py --selftest           show the checker rejects broken input

Checks: every line is a # HELP / # TYPE comment, another comment, or a
sample `name{labels} value [timestamp]`; metric and label names are valid;
label values use only the \\\\ \\" \\n escapes; every sample's family has
exactly one TYPE line before it and the family's samples are contiguous; no
series appears twice; counters are named *_total and not negative;
histograms have ascending le buckets with non-decreasing counts, a +Inf
bucket equal to _count, and a _sum.  If python3-prometheus-client is
installed its parser must accept the text too.

A SELECTOR is `name` or `name{k="v",...}` (a subset of the labels); the
value printed is the sum over the samples it matches.
"""
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class Bad(Exception):
    pass


def parse_value(s, where):
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", s):
        raise Bad("%s: bad value %r" % (where, s))
    return float(s)


def parse_labels(s, i, where):
    """s[i] is '{'; returns (labels dict, index after '}')"""
    labels = {}
    i += 1
    while True:
        if s[i:i + 1] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise Bad("%s: bad label name at %r" % (where, s[i:]))
        k = m.group(0)
        if k.startswith("__"):
            raise Bad("%s: reserved label name %r" % (where, k))
        if k in labels:
            raise Bad("%s: label %r twice" % (where, k))
        i = m.end()
        if s[i:i + 2] != '="':
            raise Bad("%s: expected =\" after %r" % (where, k))
        i += 2
        v = []
        while True:
            if i >= len(s):
                raise Bad("%s: unterminated label value" % where)
            c = s[i]
            if c == "\\":
                e = s[i + 1:i + 2]
                if e not in ("\\", '"', "n"):
                    raise Bad("%s: bad escape \\%s" % (where, e))
                v.append("\n" if e == "n" else e)
                i += 2
                continue
            if c == '"':
                i += 1
                break
            if c == "\n":
                raise Bad("%s: raw line feed in label value" % where)
            v.append(c)
            i += 1
        labels[k] = "".join(v)
        if s[i:i + 1] == ",":
            i += 1
            if s[i:i + 1] == "}":       # a trailing comma is allowed
                return labels, i + 1
        elif s[i:i + 1] != "}":
            raise Bad("%s: expected , or } after a label" % where)


def family_of(name, types):
    """the family a sample name belongs to, and its suffix"""
    if name in types:
        return name, ""
    for suf in ("_bucket", "_sum", "_count"):
        if name.endswith(suf) and name[:-len(suf)] in types:
            return name[:-len(suf)], suf
    return None, None


def check(text):
    """validate; returns [(name, labels, value)]"""
    if text and not text.endswith("\n"):
        raise Bad("the last line has no line feed")
    types, helps, samples, seen = {}, {}, [], set()
    done = set()            # families whose samples are behind us
    cur = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d" % n
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                if not NAME.fullmatch(parts[2]):
                    raise Bad("%s: bad metric name %r" % (where, parts[2]))
                fam = parts[2]
                if parts[1] == "HELP":
                    if fam in helps:
                        raise Bad("%s: second HELP for %s" % (where, fam))
                    helps[fam] = parts[3] if len(parts) > 3 else ""
                    if re.search(r"\\[^\\n]", helps[fam]):
                        raise Bad("%s: bad escape in HELP" % where)
                else:
                    if fam in types:
                        raise Bad("%s: second TYPE for %s" % (where, fam))
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise Bad("%s: bad TYPE line" % where)
                    if fam in done or fam == cur:
                        raise Bad("%s: TYPE after samples of %s" %
                                  (where, fam))
                    types[fam] = parts[3]
                    if parts[3] == "counter" and not fam.endswith("_total"):
                        raise Bad("%s: counter %s does not end in _total" %
                                  (where, fam))
            continue
        m = NAME.match(line)
        if not m:
            raise Bad("%s: not a sample: %r" % (where, line))
        name, i = m.group(0), m.end()
        labels = {}
        if line[i:i + 1] == "{":
            labels, i = parse_labels(line, i, where)
        rest = line[i:]
        if not rest.startswith(" "):
            raise Bad("%s: no blank before the value" % where)
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise Bad("%s: expected value [timestamp]" % where)
        v = parse_value(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise Bad("%s: bad timestamp %r" % (where, fields[1]))
        fam, suf = family_of(name, types)
        if fam is None:
            raise Bad("%s: %s has no TYPE line before it" % (where, name))
        t = types[fam]
        if suf and t not in ("histogram", "summary"):
            raise Bad("%s: %s is a %s, not a histogram" % (where, name, t))
        if t == "histogram" and not suf:
            raise Bad("%s: histogram sample %s without a suffix" %
                      (where, name))
        if (suf == "_bucket") != ("le" in labels) and t == "histogram":
            raise Bad("%s: le belongs to _bucket samples only" % where)
        if fam != cur:
            if fam in done:
                raise Bad("%s: samples of %s are not together" %
                          (where, fam))
            if cur is not None:
                done.add(cur)
            cur = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise Bad("%s: series %s%s twice" % (where, name, labels))
        seen.add(key)
        if t == "counter" and not v >= 0:
            raise Bad("%s: counter %s is %s" % (where, name, fields[0]))
        samples.append((name, labels, v))
    for fam, t in types.items():
        if t == "histogram":
            check_histogram(fam, samples)
    return samples


def check_histogram(fam, samples):
    series = {}
    for name, labels, v in samples:
        if not name.startswith(fam + "_"):
            continue
        rest = dict(labels)
        le = rest.pop("le", None)
        s = series.setdefault(tuple(sorted(rest.items())),
                              {"b": [], "sum": None, "count": None})
        if name == fam + "_bucket":
            s["b"].append((parse_value(le, fam + " le"), v))
        elif name == fam + "_sum":
            s["sum"] = v
        elif name == fam + "_count":
            s["count"] = v
    for key, s in series.items():
        what = "%s%s" % (fam, dict(key))
        les = [b[0] for b in s["b"]]
        if les != sorted(les) or len(set(les)) != len(les):
            raise Bad("%s: le not ascending" % what)
        if not les or les[-1] != math.inf:
            raise Bad("%s: no +Inf bucket" % what)
        counts = [b[1] for b in s["b"]]
        if any(b > a for b, a in zip(counts, counts[1:])):
            raise Bad("%s: bucket counts decrease" % what)
        if s["count"] is None or s["sum"] is None:
            raise Bad("%s: _count or _sum missing" % what)
        if counts[-1] != s["count"]:
            raise Bad("%s: +Inf bucket %g != _count %g" %
                      (what, counts[-1], s["count"]))


def cross_check(text):
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        return
    try:
        list(text_string_to_metric_families(text))
    except Exception as e:      # its parser raises ValueError and others
        raise Bad("prometheus_client rejects it: %s" % e)


def select(samples, sel):
    m = NAME.match(sel)
    if not m:
        raise Bad("bad selector %r" % sel)
    want = {}
    if sel[m.end():]:
        want, end = parse_labels(sel, m.end(), "selector")
        if end != len(sel):
            raise Bad("bad selector %r" % sel)
    vals = [v for n, l, v in samples if n == m.group(0) and
            all(l.get(k) == x for k, x in want.items())]
    if not vals:
        raise Bad("no sample matches %s" % sel)
    return sum(vals)


def fmt(v):
    return str(int(v)) if v == int(v) else repr(v)


GOOD = """# HELP a_total A counter.
# TYPE a_total counter
a_total{x="q\\"\\\\\\n"} 1
# TYPE h histogram
h_bucket{le="0.1"} 1
h_bucket{le="+Inf"} 2
h_sum 0.3
h_count 2
"""

BAD = [
    ("no TYPE", "x 1\n"),
    ("counter name", "# TYPE x counter\nx 1\n"),
    ("bad name", "# TYPE 1x gauge\n1x 1\n"),
    ("bad label name", '# TYPE x gauge\nx{1a="b"} 1\n'),
    ("bad escape", '# TYPE x gauge\nx{a="\\t"} 1\n'),
    ("unterminated", '# TYPE x gauge\nx{a="b} 1\n'),
    ("bad value", "# TYPE x gauge\nx one\n"),
    ("no value", "# TYPE x gauge\nx\n"),
    ("duplicate series", "# TYPE x gauge\nx 1\nx 2\n"),
    ("two TYPEs", "# TYPE x gauge\n# TYPE x gauge\nx 1\n"),
    ("split family", "# TYPE x gauge\n# TYPE y gauge\nx{a=\"1\"} 1\n"
     "y 1\nx{a=\"2\"} 1\n"),
    ("negative counter", "# TYPE x_total counter\nx_total -1\n"),
    ("no +Inf", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\n"
     "h_count 1\n"),
    ("+Inf != count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\n"
     "h_sum 1\nh_count 2\n"),
    ("decreasing", "# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
     "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
    ("le order", "# TYPE h histogram\nh_bucket{le=\"2\"} 1\n"
     "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
    ("no line feed", "# TYPE x gauge\nx 1"),
]


def selftest():
    s = check(GOOD)
    assert select(s, 'a_total{x="q\\"\\\\\\n"}') == 1
    assert select(s, "h_count") == 2
    for what, text in BAD:
        try:
            check(text)
        except Bad:
            continue
        raise SystemExit("selftest: accepted broken input (%s)" % what)
    print("ok - promparse rejects %d kinds of broken input" % len(BAD))


def main(argv):
    if argv[1:] == ["--selftest"]:
        selftest()
        return 0
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    try:
        samples = check(text)
        cross_check(text)
        for sel in argv[2:]:
            print(fmt(select(samples, sel)))
    except Bad as e:
        sys.stderr.write("promparse: %s: %s\n" % (argv[1], e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
