#!/usr/bin/python3
"""logcheck.py LOG... - every line nomcastd wrote is one strict key=value line.

A daemon line is "<UTC timestamp> lvl=<level>" then key=value pairs, where
a key is [a-z0-9_-]+ and a value is a bare token (printable ASCII without
space, '"', '\\' and '=') or a double-quoted string whose only escapes are
\\" \\\\ \\n \\t \\r and \\xNN and which holds no control byte.  The one
other kind of line allowed is a configuration diagnostic
("file:line: message"), printed before the log starts.  Any other line
(a value that ended a line, a forged key, an unclosed quote) is reported
with its file and line number; the exit status is 1 if there was one.
"""
import re
import sys

TS = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z lvl=(debug|info|warn|err)")
PAIR = re.compile(
    rb' ([a-z0-9_-]+)=([!#-<>-\[\]-~]+|"(?:[^"\\\x00-\x1f\x7f]|\\["\\ntr]|\\x[0-9a-f]{2})*")')
DIAG = re.compile(rb"^\S+:\d+: ")


def check_line(line):
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    m = TS.match(line)
    if m is None:
        return DIAG.match(line) is not None
    pos = m.end()
    while pos < len(line):
        p = PAIR.match(line, pos)
        if p is None:
            return False
        pos = p.end()
    return True


def main():
    bad = 0
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            for n, line in enumerate(f.read().split(b"\n"), 1):
                if line == b"" or check_line(line):
                    continue
                bad += 1
                if bad <= 20:
                    print("%s:%d: not a key=value line: %r"
                          % (path, n, line[:300]))
    if bad:
        print("logcheck: %d bad line%s" % (bad, "" if bad == 1 else "s"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
