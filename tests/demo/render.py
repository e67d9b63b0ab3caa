#!/usr/bin/python3
"""render.py - render the nomcast.ini template of a Nomad job file the way
Nomad would for one allocation, for the demo.  Python 3 standard library
only.

  render.py JOB.hcl [--env NAME=VALUE]... [--set "SECTION/KEY=VALUE"]...
      [--drop SECTION]...

The template is the heredoc (data = <<-EOH ... EOH) of the job's template
block whose text holds "[global]"; <<- strips the common indentation, as
HCL does.  It may use only {{ env "NAME" }} (as examples/nomad/proxy.nomad.hcl
promises): each is replaced by the --env value of that name, and a name
without one, or any other {{ action }}, is an error, so that a template
that grows a new variable cannot be rendered half-way.

Then, for the demo's differences from a real deployment (each leaves a
"; demo:" comment in the output so that they show in the printed file):
  --set "service web/drain-time=3s"   replace the key in that section (or
                                       add it at the section's end)
  --add "service web/prefix=2001:db8:100::10/128"
                                       one more line of a repeatable key,
                                       after its last one
  --drop "peer edge2"                 remove the section
The result goes to stdout.
"""

import argparse
import re
import sys


def template_of(hcl):
    for m in re.finditer(r'data\s*=\s*<<(-?)(\w+)\n(.*?)\n[ \t]*\2[ \t]*\n',
                         hcl, re.S):
        body = m.group(3)
        if "[global]" not in body:
            continue
        lines = body.split("\n")
        if m.group(1) == "-":
            ind = min((len(l) - len(l.lstrip()) for l in lines if l.strip()),
                      default=0)
            lines = [l[ind:] for l in lines]
        return "\n".join(lines) + "\n"
    raise SystemExit("render: no template with [global] in the job file")


def substitute(text, env):
    def one(m):
        name = m.group(1)
        if name not in env:
            raise SystemExit('render: the template wants {{ env "%s" }}: '
                             'give --env %s=...' % (name, name))
        return env[name]
    text = re.sub(r'\{\{-?\s*env\s+"([^"]+)"\s*-?\}\}', one, text)
    left = re.search(r"\{\{.*?\}\}", text)
    if left:
        raise SystemExit("render: cannot render %s" % left.group(0))
    return text


def sections(text):
    """[(header or None, [lines])]"""
    out = [(None, [])]
    for line in text.split("\n"):
        m = re.match(r"\s*\[([^\]]+)\]\s*$", line)
        if m:
            out.append((m.group(1).strip(), [line]))
        else:
            out[-1][1].append(line)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("job")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--add", action="append", default=[])
    p.add_argument("--drop", action="append", default=[])
    a = p.parse_args()
    env = dict(e.split("=", 1) for e in a.env)
    text = substitute(template_of(open(a.job).read()), env)
    secs = sections(text)
    names = [h for h, _ in secs if h]
    for d in a.drop:
        if d not in names:
            raise SystemExit("render: no section [%s] to drop" % d)
        i = next(k for k, (h, _) in enumerate(secs) if h == d)
        # the blank line before the next section stays
        secs[i] = (None, ["; demo: [%s] left out" % d, ""])
    edits = [(s, False) for s in a.set] + [(s, True) for s in a.add]
    for s, add in edits:
        where, _, kv = s.partition("/")
        key, _, val = kv.partition("=")
        key = key.strip()
        if where not in names:
            raise SystemExit("render: no section [%s] for %s" % (where, key))
        h, lines = next((h, l) for h, l in secs if h == where)
        rx = re.compile(r"\s*%s\s*=" % re.escape(key))
        if add:
            at = [k for k, line in enumerate(lines) if rx.match(line)]
            if not at:
                raise SystemExit("render: no %s in [%s] to add to"
                                 % (key, where))
            lines.insert(at[-1] + 1, "%s = %s ; demo: added" % (key, val))
            continue
        for k, line in enumerate(lines):
            if rx.match(line):
                old = line.split("=", 1)[1].strip()
                lines[k] = "%s = %s ; demo: %s in the job" % (key, val, old)
                break
        else:
            end = len(lines)
            while end > 1 and not lines[end - 1].strip():
                end -= 1
            lines.insert(end, "%s = %s ; demo: not in the job" % (key, val))
    out = "\n".join("\n".join(l) for _, l in secs)
    sys.stdout.write(out.rstrip("\n") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
