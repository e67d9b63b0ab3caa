#!/bin/sh
# tests/integ/nomad_job.sh NOMCASTD - the example jobs for users
# (examples/nomad/*.nomad.hcl): the INI each one's template renders is
# valid, the same in all of them, and each job keeps what
# examples/nomad/README.md promises for its driver and its shape.
#
# A small renderer (python3, below) does what Nomad would do with the
# nomcast task: it builds the task environment from the job file (job,
# group and task names, namespace, meta as NOMAD_META_*, the group's static
# ports as NOMAD_PORT_* and friends) and fake alloc values (alloc ID, a
# workload identity token, the task's local/, secrets/ and alloc/
# directories and the Task API socket address as the task's driver shows
# them: /local, /alloc, /secrets and unix:///secrets/api.sock under exec
# and docker, the host's paths under the client's data_dir under
# raw_exec), adds node attributes (attr.unique.network.ip-address,
# node.unique.name, ...), takes the template's data heredoc, and replaces
# each {{ env "NAME" }} with the value.  It understands nothing else, on
# purpose: any other {{ ... }}, or an HCL ${...} or %{...} (which HCL
# itself would expand), or a name the task environment would not have, or
# a driver other than exec, docker and raw_exec, is an error, so the
# template stays renderable by this test.  It writes the file to the
# template's destination and expands the task's args as Nomad would;
# nomcastd -t then runs with those args (the paths inside a chroot or
# container mapped to where the file is on this host) and only that
# environment, and must say "configuration ok" with no warning.  The INIs
# and the args of all jobs must be identical once the driver's task paths
# are replaced by their names (the only legitimate difference).
# Controls: without NOMAD_ALLOC_ID the same file is an error naming it,
# without NOMAD_TOKEN it draws the token warning, the renderer refuses a
# construct it does not know, and copies of the jobs with one promise
# broken each fail the job checks.
#
# The job checks (jobcheck.py): sidecar, prestart, identity { env = true },
# shutdown_delay, host networking, the capabilities (not under raw_exec,
# which has them all), the Nomad service that nomad-service names, the
# ports the local checks use, shutdown-drain-time within the task's
# kill_timeout; per driver: exec runs the release tarball of meson.build's
# version from an artifact with a sha256 checksum, from where it unpacks
# in local/; docker the image nomcast:<version> on the host network with
# the README's allow_caps; raw_exec the Debian package's /usr/sbin/nomcastd;
# per shape: a system job updates one node at a time, a service job (the
# floating shape) has count = 1, unlimited constant reschedules,
# no stop_on_client_after, canaries promoted and reverted automatically and
# distinct_hosts.  Then the read-job policy and its apply command (the
# same in the policy, every job and the README), the README's paths and
# sections, and only documentation addresses and example.com names
# everywhere.  No network, no root needed.
set -eu
NOMCASTD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
JOB=$TOP/examples/nomad/proxy.nomad.hcl
POL=$TOP/examples/nomad/nomcast-policy.hcl
DOC=$TOP/examples/nomad/README.md
# short: raw_exec's socket path (T/rN/d/alloc/<id>/nomcast/secrets/api.sock)
# must stay within the 107 bytes of a sun_path, as under a usual data_dir
# (/opt/nomad/data/alloc/<id>/nomcast/secrets/api.sock has 83)
T=$(mktemp -d /tmp/nj.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

for f in "$JOB" "$POL" "$DOC"; do
	[ -s "$f" ] || fail "$f is missing or empty"
done

cat >"$T/render.py" <<'PYEOF'
"""Render the nomcast task's template of a Nomad job file as Nomad would,
for the only construct the template may use: {{ env "NAME" }}."""
import json
import os
import re
import shlex
import sys
import textwrap

ALLOC = "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"	# the nomad-api fixtures'
NODE = {
    "attr.unique.network.ip-address": "198.51.100.11",
    "attr.kernel.name": "linux",
    "node.unique.id": "f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "node.unique.name": "node1",
    "node.datacenter": "dc1",
    "node.region": "global",
    "node.class": "",
}
# a workload identity JWT has this shape: header.claims.signature
TOKEN = ("eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ."
         "eyJub21hZF9hbGxvY2F0aW9uX2lkIjoiNWIzZCJ9.c2lnbmF0dXJl")


def die(msg):
    print("render: " + msg, file=sys.stderr)
    sys.exit(2)


def strip_comment(line):
    """line without an HCL # or // comment (outside strings)"""
    out, q = [], False
    i = 0
    while i < len(line):
        c = line[i]
        if q:
            if c == "\\":
                out.append(line[i:i + 2])
                i += 2
                continue
            if c == '"':
                q = False
        elif c == '"':
            q = True
        elif c == "#" or line.startswith("//", i):
            break
        out.append(c)
        i += 1
    return "".join(out)


def blocks(text):
    """Every block as (header, body text, heredocs), nested ones too.
    Heredoc bodies are kept out of the brace count."""
    lines = text.split("\n")
    code = []		# (line index, comment-free line)
    heredocs = {}	# line index of "x = <<EOH" -> (flush, marker, body)
    i = 0
    while i < len(lines):
        ln = strip_comment(lines[i])
        m = re.search(r"<<(-?)([A-Za-z_]+)\s*$", ln)
        if m:
            j = i + 1
            while j < len(lines) and lines[j].strip() != m.group(2):
                j += 1
            if j == len(lines):
                die("heredoc %s at line %d never ends" % (m.group(2), i + 1))
            heredocs[i] = (m.group(1) == "-", m.group(2), lines[i + 1:j])
            code.append((i, ln))
            i = j + 1
            continue
        code.append((i, ln))
        i += 1
    found, stack = [], []
    for idx, ln in code:
        q = False
        k = 0
        while k < len(ln):
            c = ln[k]
            if q:
                if c == "\\":
                    k += 2
                    continue
                if c == '"':
                    q = False
            elif c == '"':
                q = True
            elif c == "{":
                stack.append((idx, ln[:k].strip()))
            elif c == "}":
                if not stack:
                    die("unbalanced } at line %d" % (idx + 1))
                start, hdr = stack.pop()
                body = [l for (n, l) in code if start <= n <= idx]
                docs = [heredocs[n] for (n, _) in code
                        if start <= n <= idx and n in heredocs]
                found.append((hdr, "\n".join(body), docs))
            k += 1
        if q:
            die("unterminated string at line %d" % (idx + 1))
    if stack:
        die("unbalanced { at line %d" % (stack[-1][0] + 1))
    return found


def one(found, header):
    hits = [b for b in found if b[0] == header]
    if len(hits) != 1:
        die("expected one block '%s', found %d" % (header, len(hits)))
    return hits[0]


def attr(body, key):
    m = re.search(r'(?m)^\s*%s\s*=\s*"([^"]*)"' % re.escape(key), body)
    return m.group(1) if m else None


def main():
    job_file, out_dir = sys.argv[1], sys.argv[2]
    drop = sys.argv[3:]			# names to leave out of the process env
    text = open(job_file).read()
    found = blocks(text)
    job = [b for b in found if re.match(r'^job "[^"]+"$', b[0])]
    if len(job) != 1:
        die("expected one job block")
    job_id = job[0][0].split('"')[1]
    groups = [b for b in found if re.match(r'^group "[^"]+"$', b[0])]
    grp = [g for g in groups if 'task "nomcast"' in g[1]]
    if len(grp) != 1:
        die('expected one group with a task "nomcast"')
    group = grp[0][0].split('"')[1]
    task = one(found, 'task "nomcast"')
    ns = attr(job[0][1], "namespace") or "default"

    # the task environment (docs/nomad-api.md 5)
    env = {
        "NOMAD_ALLOC_ID": ALLOC,
        "NOMAD_SHORT_ALLOC_ID": ALLOC[:8],
        "NOMAD_ALLOC_NAME": "%s.%s[0]" % (job_id, group),
        "NOMAD_ALLOC_INDEX": "0",
        "NOMAD_NAMESPACE": ns,
        "NOMAD_REGION": "global",
        "NOMAD_DC": "dc1",
        "NOMAD_JOB_ID": job_id,
        "NOMAD_JOB_NAME": job_id,
        "NOMAD_GROUP_NAME": group,
        "NOMAD_TASK_NAME": "nomcast",
    }
    # The task's directories, as the driver shows them to the task, and
    # where they are on the host (here: under out_dir).  exec (its chroot)
    # and docker (its mounts) show /alloc, /local and /secrets; raw_exec
    # has no chroot and gives the host's paths under the client's
    # data_dir, <data_dir>/alloc/<alloc id>/{alloc,<task>/local,<task>/secrets}.
    drv = re.search(r'(?m)^\s*driver\s*=\s*"([^"]+)"', task[1])
    driver = drv.group(1) if drv else None
    if driver in ("exec", "docker"):
        view = {"alloc": "/alloc", "local": "/local", "secrets": "/secrets"}
        host = {"alloc": out_dir + "/alloc",
                "local": out_dir + "/nomcast/local",
                "secrets": out_dir + "/nomcast/secrets"}
    elif driver == "raw_exec":
        root = "%s/d/alloc/%s" % (out_dir, ALLOC)	# data_dir = out_dir/d
        host = {"alloc": root + "/alloc", "local": root + "/nomcast/local",
                "secrets": root + "/nomcast/secrets"}
        view = dict(host)
    else:
        die('task "nomcast": driver %r is none of exec, docker, raw_exec'
            % driver)
    for d in host.values():
        os.makedirs(d, exist_ok=True)
    env["NOMAD_ALLOC_DIR"] = view["alloc"]
    env["NOMAD_TASK_DIR"] = view["local"]
    env["NOMAD_SECRETS_DIR"] = view["secrets"]
    if re.search(r"identity\s*\{[^}]*\benv\s*=\s*true", task[1]):
        env["NOMAD_TOKEN"] = TOKEN
        env["NOMAD_UNIX_ADDR"] = "unix://%s/api.sock" % view["secrets"]
    # meta of the job, the group and the task, as given and upper-cased
    for hdr, body, _ in found:
        if hdr != "meta":
            continue
        for k, v in re.findall(r'(?m)^\s*([A-Za-z0-9_]+)\s*=\s*"([^"]*)"',
                               body):
            env["NOMAD_META_" + k] = v
            env["NOMAD_META_" + k.upper()] = v
    # the group's static ports, host networking: the node's address
    ip = NODE["attr.unique.network.ip-address"]
    for hdr, body, _ in found:
        m = re.match(r'^port "([^"]+)"$', hdr)
        if not m:
            continue
        s = re.search(r"static\s*=\s*(\d+)", body)
        if not s:
            continue
        lab, port = m.group(1), s.group(1)
        env["NOMAD_PORT_" + lab] = port
        env["NOMAD_HOST_PORT_" + lab] = port
        env["NOMAD_IP_" + lab] = ip
        env["NOMAD_HOST_IP_" + lab] = ip
        env["NOMAD_ADDR_" + lab] = "%s:%s" % (ip, port)
        env["NOMAD_HOST_ADDR_" + lab] = "%s:%s" % (ip, port)

    tpl = [b for b in found if b[0] == "template" and b[1] in task[1]]
    if len(tpl) != 1 or len(tpl[0][2]) != 1:
        die('expected one template block with a data heredoc in '
            'task "nomcast"')
    flush, _, lines = tpl[0][2][0]
    data = "\n".join(lines) + "\n"
    if flush:
        data = textwrap.dedent(data)	# HCL's <<- strips the indentation
    for bad in ("${", "%{"):
        if bad in data:
            die("the template holds %s...: HCL would expand it" % bad)
    lookup = dict(NODE)
    lookup.update(env)

    def sub(m):
        name = m.group(1)
        if name not in lookup:
            die('{{ env "%s" }}: not in the task environment' % name)
        return lookup[name]
    data = re.sub(r'\{\{-?\s*env\s+"([^"]+)"\s*-?\}\}', sub, data)
    if "{{" in data or "}}" in data:
        left = re.search(r"\{\{.*?\}\}|\{\{.*|.*\}\}", data).group(0)
        die("the renderer knows only {{ env \"...\" }}, not: " + left)

    dest = attr(tpl[0][1], "destination")
    if dest is None or not dest.startswith("local/"):
        die('template destination is not in local/: %r' % dest)
    path = host["local"] + "/" + dest[len("local/"):]
    with open(path, "w") as f:
        f.write(data)

    # the task's args, interpolated as Nomad does at start
    cfg = one([b for b in found if b[1] in task[1]], "config")
    m = re.search(r"args\s*=\s*(\[[^\]]*\])", cfg[1])
    if not m:
        die('no args in task "nomcast"')
    args = json.loads(m.group(1))

    def interp(m):
        if m.group(1) not in env:
            die("args: ${%s} is not in the task environment" % m.group(1))
        return env[m.group(1)]
    args = [re.sub(r"\$\{([A-Za-z0-9_]+)\}", interp, a) for a in args]
    cmd = attr(cfg[1], "command")
    if cmd is None:		# docker: the image's entrypoint, if said
        m = re.search(r'entrypoint\s*=\s*\["([^"]*)"', cfg[1])
        cmd = m.group(1) if m else None

    # nomcastd -t runs here, outside any chroot or container: the paths
    # the task sees (/local/... under exec and docker) are mapped to
    # where they are on this host; the environment stays the task's
    def to_host(a):
        for k in ("alloc", "local", "secrets"):
            if a == view[k] or a.startswith(view[k] + "/"):
                return host[k] + a[len(view[k]):]
        return a
    hostargs = [to_host(a) for a in args]

    # for the shell: the task environment (less the names to drop, for
    # the controls: the INI is the same), then the args
    with open(out_dir + "/task.env", "w") as f:
        for k in sorted(set(env) - set(drop)):
            f.write("%s=%s\n" % (k, shlex.quote(env[k])))
            f.write("export %s\n" % k)
    with open(out_dir + "/task.args", "w") as f:
        f.write(" ".join(shlex.quote(a) for a in args) + "\n")
    with open(out_dir + "/task.hostargs", "w") as f:
        f.write(" ".join(shlex.quote(a) for a in hostargs) + "\n")
    with open(out_dir + "/task.command", "w") as f:
        f.write((cmd or "") + "\n")
    with open(out_dir + "/task.driver", "w") as f:
        f.write(driver + "\n")
    with open(out_dir + "/task.ini", "w") as f:	# where it rendered
        f.write(path + "\n")
    # the driver's task paths, to normalise the INI and the args with
    with open(out_dir + "/task.dirs", "w") as f:
        for k in ("alloc", "local", "secrets"):
            f.write("%s %s\n" % (k, view[k]))


main()
PYEOF

# render JOB DIR [VAR ...]: the task's files under DIR; the VARs are left
# out of the environment nomcastd gets (not out of the template's)
render() {
	_job=$1 _dir=$2
	shift 2
	rm -rf "$_dir"
	mkdir -p "$_dir"
	python3 "$T/render.py" "$_job" "$_dir" "$@"
}

# check DIR: nomcastd -t with the task's args (their paths mapped to this
# host) and only the task's env
check() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
		. "$1/task.env"
		eval "set -- $(cat "$1/task.hostargs")"
		exec "$0" -t "$@"' "$NOMCASTD" "$1" >"$1/out" 2>&1
}

# normal DIR FILE: FILE with the driver's task paths replaced by names, so
# that what differs only because of the driver compares equal
normal() {
	sed -e "s|$(sed -n 's/^alloc //p' "$1/task.dirs")|\${NOMAD_ALLOC_DIR}|g" \
		-e "s|$(sed -n 's/^local //p' "$1/task.dirs")|\${NOMAD_TASK_DIR}|g" \
		-e "s|$(sed -n 's/^secrets //p' "$1/task.dirs")|\${NOMAD_SECRETS_DIR}|g" \
		"$2"
}

# ---- the checks of one job file against what the README promises ----
cat >"$T/jobcheck.py" <<'PYEOF'
"""jobcheck.py JOB INI DRIVER VERSION README TARBALL_SH: the job keeps
what examples/nomad/README.md promises, for its driver and its shape."""
import re, sys
jobf, inif, driver, version, docf, tarf = sys.argv[1:7]
job, ini, doc, tarsh = (open(p).read() for p in (jobf, inif, docf, tarf))
code = "\n".join(l for l in job.split("\n") if not l.strip().startswith("#"))

def need(cond, what):
    if not cond:
        print("%s: %s" % (jobf.rsplit("/", 1)[-1], what), file=sys.stderr)
        sys.exit(1)

def block(text, header, must=True):
    m = re.search(re.escape(header) + r"\s*\{", text)
    if not m and not must:
        return None
    need(m, "no " + header + " block")
    j = m.end() - 1
    depth = 0
    for k in range(j, len(text)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return text[j:k + 1]
    need(False, header + " never closes")

def val(text, key):
    m = re.search(r'(?m)^\s*%s\s*=\s*("[^"]*"|\[[^\]]*\]|[^\s#]+)' % key, text)
    return m.group(1) if m else None

def dur_ms(s):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", s.strip().strip('"'))
    need(m, "bad duration " + s)
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60000,
                              None: 1000}[m.group(2)]

def strlist(s):
    return [x.lower() for x in re.findall(r'"([^"]*)"', s or "")]

jtype = val(code, "type")
need(jtype in ('"system"', '"service"'), "type is neither system nor service")
grp = block(code, 'group "traefik"')
task = block(grp, 'task "nomcast"')
need(val(task, "driver") == '"%s"' % driver, "driver is not " + driver)
need(re.search(r'hook\s*=\s*"prestart"', block(task, "lifecycle")),
     "nomcast is not prestart")
need(re.search(r"sidecar\s*=\s*true", block(task, "lifecycle")),
     "nomcast is not a sidecar")
need(re.search(r"env\s*=\s*true", block(task, "identity")),
     "no identity { env = true } in nomcast")
need(re.search(r'shutdown_delay\s*=\s*"\d+s"', grp),
     "no shutdown_delay on the group")
need(re.search(r'mode\s*=\s*"host"', block(grp, "network")),
     "the group network is not host")
cfg = block(task, "config")
if driver != "raw_exec":	# raw_exec has every capability, ignores these
    caps = strlist(val(cfg, "cap_add"))
    need("net_admin" in caps, "nomcast lacks cap_add net_admin (the VIP)")
    need("net_bind_service" in caps or re.search(r"(?m)^listen = no$", ini),
         "nomcast can neither bind port 179 nor has listen = no")
    drop = val(cfg, "cap_drop")
    need(drop is None or strlist(drop) == ["all"], "cap_drop is not [\"all\"]")
tpl = block(task, "template")
need(re.search(r'destination\s*=\s*"local/nomcast\.ini"', tpl),
     "template destination is not local/nomcast.ini")
need(re.search(r'change_signal\s*=\s*"SIGHUP"', tpl),
     "a template change does not SIGHUP (reload)")
# the group service is the one nomad-service watches, Nomad-native, checked
svc = block(grp, "service")
need(re.search(r'provider\s*=\s*"nomad"', svc), "service not provider nomad")
name = re.search(r'name\s*=\s*"([^"]+)"', svc).group(1)
need(re.search(r"(?m)^nomad-service = %s$" % re.escape(name), ini),
     "nomad-service does not name the group service " + name)
chk = block(svc, "check")
need(re.search(r'type\s*=\s*"http"', chk) and "/ping" in chk,
     "the group service has no http check of /ping")
# the local checks use the port the group gives Traefik's /ping
port = re.search(r'port\s*=\s*"([^"]+)"', chk).group(1)
static = re.search(r'port\s*"%s"\s*\{\s*static\s*=\s*(\d+)' % port, grp)
need(static, "the check's port %s has no static port" % port)
need(re.search(r"(?m)^url = http://127\.0\.0\.1:%s/ping$" % static.group(1),
               ini), "the local ping check is not on port " + static.group(1))
# SIGTERM: the drain must end before Nomad's SIGKILL
kt = re.search(r'kill_timeout\s*=\s*"([^"]+)"', task)
need(kt, "no kill_timeout on nomcast")
sd = re.search(r"(?m)^shutdown-drain-time = (\S+)$", ini)
need(sd, "no shutdown-drain-time")
need(dur_ms(sd.group(1)) + 2000 <= dur_ms(kt.group(1)),
     "shutdown-drain-time %s leaves under 2 s of kill_timeout %s"
     % (sd.group(1), kt.group(1)))
# Traefik gets time for its graceful shutdown too
tt = block(grp, 'task "traefik"')
need(re.search(r'kill_timeout\s*=\s*"\d+s"', tt), "no kill_timeout on traefik")

# ---- the driver: where nomcastd comes from ----
top = "nomcast-%s-linux-amd64" % version
if driver == "exec":
    need(val(task, "user") == '"nobody"', "exec: nomcast does not run as nobody")
    art = block(task, "artifact")
    src = val(art, "source")
    need(src and src.strip('"').endswith("/%s.tar.gz" % top),
         "exec: the artifact's source does not end in /%s.tar.gz" % top)
    need(val(art, "destination") in ('"local/"', '"local"'),
         "exec: the artifact is not unpacked into local/")
    opts = block(art, "options", must=False)
    need(opts, "exec: the artifact has no options (no checksum)")
    ck = val(opts, "checksum")
    need(ck and re.fullmatch(r'"sha256:[^"$%{}\s]+"', ck),
         "exec: the artifact has no checksum = \"sha256:...\" (and no ${...})")
    need(val(cfg, "command") == '"local/%s/nomcastd"' % top,
         "exec: command is not local/%s/nomcastd, where the tarball "
         "unpacks it" % top)
    # the tarball really has that top folder, with nomcastd at its top
    need("NAME=nomcast-$V-linux-amd64" in tarsh and
         re.search(r'strip .* -o "\$D/\$b"', tarsh) and
         "for b in nomcastd nomcastctl" in tarsh,
         "exec: packaging/tarball.sh no longer makes %s/nomcastd" % top)
elif driver == "docker":
    need(val(cfg, "image") == '"nomcast:%s"' % version,
         "docker: image is not nomcast:%s" % version)
    need(val(cfg, "network_mode") == '"host"', "docker: network_mode is not host")
    ep = val(cfg, "entrypoint")
    need(ep is None or strlist(ep) == ["/usr/sbin/nomcastd"],
         "docker: entrypoint is not the image's /usr/sbin/nomcastd")
    snip = re.search(r'plugin "docker" \{.*?allow_caps\s*=\s*\[([^\]]*)\]',
                     doc, re.S)
    need(snip and "net_admin" in snip.group(1),
         'docker: the README has no plugin "docker" allow_caps with net_admin')
elif driver == "raw_exec":
    need(val(cfg, "command") == '"/usr/sbin/nomcastd"',
         "raw_exec: command is not the Debian package's /usr/sbin/nomcastd")
else:
    need(False, "unknown driver " + driver)

# ---- the shape ----
if jtype == '"system"':
    need(re.search(r"max_parallel\s*=\s*1\b", block(code, "update")),
         "system: update is not max_parallel = 1")
else:
    # the floating shape: one instance, moved fast, never given up,
    # new before old, and not stopped by an outage of the servers
    need(re.search(r"(?m)^\s*count\s*=\s*1\s*$", grp), "service: count is not 1")
    rs = block(grp, "reschedule")
    need(re.search(r"unlimited\s*=\s*true", rs), "reschedule is not unlimited")
    need(re.search(r'delay_function\s*=\s*"constant"', rs),
         "reschedule delay_function is not constant")
    d = val(rs, "delay")
    need(d and dur_ms(d) <= 10000, "reschedule delay missing or over 10 s")
    dc = block(grp, "disconnect")
    need(not val(dc, "stop_on_client_after"),
         "disconnect: stop_on_client_after (an outage of Nomad's servers, "
         "which every client sees at once, would stop the only proxy)")
    need(re.search(r"replace\s*=\s*true", dc), "disconnect: replace is not true")
    up = block(code, "update")
    for k, v in (("canary", "1"), ("auto_promote", "true"),
                 ("auto_revert", "true")):
        need(val(up, k) == v, "update: %s is not %s" % (k, v))
    for k in ("min_healthy_time", "healthy_deadline"):
        need(val(up, k), "update: no " + k)
    need(re.search(r'constraint\s*\{\s*distinct_hosts\s*=\s*true\s*\}', grp),
         "no constraint { distinct_hosts = true }")
PYEOF

VERSION=$(sed -n "s/^  version : '\([^']*\)',\$/\1/p" "$TOP/meson.build" | head -1)
[ -n "$VERSION" ] || fail "no version in meson.build"

jobcheck() {	# jobcheck JOB DIR: the checker on JOB rendered into DIR
	python3 "$T/jobcheck.py" "$1" "$(cat "$2/task.ini")" \
		"$(cat "$2/task.driver")" "$VERSION" "$DOC" \
		"$TOP/packaging/tarball.sh"
}

# ---- every job file: renders, nomcastd -t accepts it, keeps the promises ----
n=0
drivers=
for JOB in "$TOP"/examples/nomad/*.nomad.hcl; do
	[ -f "$JOB" ] || continue
	b=$(basename "$JOB" .nomad.hcl)
	R=$T/r$n
	case $b in
	proxy) R_EXEC=$R ;;
	proxy-raw_exec) R_RAW=$R ;;
	esac
	render "$JOB" "$R" || fail "$b: the template does not render"
	INI=$(cat "$R/task.ini")
	[ -s "$INI" ] || fail "$b: nothing rendered to $INI"
	drv=$(cat "$R/task.driver")
	drivers="$drivers $drv"
	check "$R" || fail "$b: nomcastd -t on the rendered INI: $(cat "$R/out")"
	grep -q "configuration ok" "$R/out" || fail "$b: no 'configuration ok': $(cat "$R/out")"
	if grep -qi "warning" "$R/out"; then
		fail "$b: warnings on the rendered INI: $(cat "$R/out")"
	fi
	case $(cat "$R/task.command") in
	*/nomcastd) ;;
	*) fail "$b: the nomcast task does not run nomcastd: $(cat "$R/task.command")" ;;
	esac
	# what it rendered: the node's address, the job's meta, the group's port
	grep -Eq '^router-id = 198\.51\.100\.11$' "$INI" || fail "$b: router-id is not the node's address"
	grep -Eq '^prefix = 203\.0\.113\.10/32$' "$INI" || fail "$b: prefix is not meta.service_ip/32"
	grep -Eq '^address = 198\.51\.100\.[12]$' "$INI" || fail "$b: no peer from meta.edge_router_*"
	grep -Eq '^nomad-service = traefik$' "$INI" || fail "$b: nomad-service is not traefik"
	grep -Eq '^vip-interface = lo$' "$INI" || fail "$b: vip-interface is not lo"
	grep -Eq '^shutdown-drain-time = ' "$INI" || fail "$b: no shutdown-drain-time"
	grep -Eq '^drain-time = ' "$INI" || fail "$b: no drain-time"
	jobcheck "$JOB" "$R" || fail "$b: the job file"
	ok "$b ($drv): renders to an INI nomcastd -t accepts without warning; the job keeps the README's promises"
	# The INI and the args, with the driver's task paths replaced by
	# their names, are the same for every job: the template and args are
	# one, and only the driver may make the paths differ (raw_exec sees
	# the host's paths under the client's data_dir, exec and docker
	# /alloc, /local and /secrets).
	normal "$R" "$INI" >"$R/ini.norm"
	normal "$R" "$R/task.args" >"$R/args.norm"
	if [ "$n" -eq 0 ]; then
		first=$b
		cp "$R/ini.norm" "$T/ini.ref"
		cp "$R/args.norm" "$T/args.ref"
	else
		diff -u "$T/ini.ref" "$R/ini.norm" >&2 ||
			fail "$b renders another INI than $first"
		diff -u "$T/args.ref" "$R/args.norm" >&2 ||
			fail "$b's nomcast args differ from $first's"
	fi
	n=$((n + 1))
done
for d in exec docker raw_exec; do
	case " $drivers " in
	*" $d "*) ;;
	*) fail "no job file in examples/nomad/ uses the $d driver" ;;
	esac
done
[ -f "$TOP/examples/nomad/proxy.nomad.hcl" ] || fail "no proxy.nomad.hcl"
ok "$n job files render the same INI and args (task paths aside)"

# the normalisation is not what makes them equal: raw_exec's paths differ
[ -n "${R_EXEC:-}" ] && [ -n "${R_RAW:-}" ] ||
	fail "no proxy.nomad.hcl or proxy-raw_exec.nomad.hcl"
cmp -s "$R_EXEC/task.args" "$R_RAW/task.args" &&
	fail "control: raw_exec's args have the chroot's paths"
grep -q "$R_RAW/d/alloc/" "$R_RAW/task.args" || fail "control: raw_exec's args are not host paths"
grep -q "^NOMAD_UNIX_ADDR='\?unix://$R_RAW/d/alloc/" "$R_RAW/task.env" ||
	fail "control: raw_exec's NOMAD_UNIX_ADDR is not the host path"
grep -q "^NOMAD_UNIX_ADDR='\?unix:///secrets/api.sock" "$R_EXEC/task.env" ||
	fail "control: exec's NOMAD_UNIX_ADDR is not unix:///secrets/api.sock"
grep -q "^NOMAD_TASK_DIR='\?/local'\?$" "$R_EXEC/task.env" ||
	fail "control: exec's NOMAD_TASK_DIR is not /local"
ok "controls: raw_exec sees host paths, exec /local and /secrets/api.sock"

# ---- controls: the [nomad] defaults really come from that environment ----
JOB=$TOP/examples/nomad/proxy.nomad.hcl
render "$JOB" "$T/n" NOMAD_ALLOC_ID || fail "render without NOMAD_ALLOC_ID"
if check "$T/n"; then fail "no NOMAD_ALLOC_ID, and nomcastd -t still exits 0"; fi
grep -q "NOMAD_ALLOC_ID" "$T/n/out" || fail "the missing alloc ID is not named: $(cat "$T/n/out")"
render "$JOB" "$T/k" NOMAD_TOKEN || fail "render without NOMAD_TOKEN"
check "$T/k" || fail "no NOMAD_TOKEN: $(cat "$T/k/out")"
grep -qi "warning.*token" "$T/k/out" || fail "no token warning without NOMAD_TOKEN: $(cat "$T/k/out")"
ok "controls: no NOMAD_ALLOC_ID is an error, no NOMAD_TOKEN a warning"

# the renderer refuses what it does not understand, and unknown names
sed 's|^\( *\)\[nomad\]$|\1{{ with nomadVar "nomad/jobs/proxy" }}{{ .x }}{{ end }}\n&|' \
	"$JOB" >"$T/bad1.hcl"
grep -q nomadVar "$T/bad1.hcl" || fail "could not make the bad job"
if render "$T/bad1.hcl" "$T/b1" 2>"$T/b1.err"; then fail "a {{ with }} rendered"; fi
grep -q "knows only" "$T/b1.err" || fail "bad1: $(cat "$T/b1.err")"
sed 's|NOMAD_META_local_asn|NOMAD_META_no_such_key|' "$JOB" >"$T/bad2.hcl"
if render "$T/bad2.hcl" "$T/b2" 2>"$T/b2.err"; then fail "an unknown env rendered"; fi
grep -q "not in the task environment" "$T/b2.err" || fail "bad2: $(cat "$T/b2.err")"
sed 's|driver = "exec"|driver = "podman"|' "$JOB" >"$T/bad3.hcl"
if render "$T/bad3.hcl" "$T/b3" 2>"$T/b3.err"; then fail "a podman task rendered"; fi
grep -q "none of exec, docker, raw_exec" "$T/b3.err" || fail "bad3: $(cat "$T/b3.err")"
ok "the renderer refuses other constructs, names Nomad would not set, other drivers"

# ---- controls: each new check of jobcheck.py can fail ----
# mutant SRC NAME EXPECT SED...: a copy of SRC edited by the sed
# expressions must change, render, and fail jobcheck saying EXPECT
mutant() {
	_src=$1 _name=$2 _want=$3
	shift 3
	sed "$@" "$_src" >"$T/$_name.hcl"
	cmp -s "$_src" "$T/$_name.hcl" && fail "control $_name: the edit changed nothing"
	render "$T/$_name.hcl" "$T/m-$_name" || fail "control $_name: does not render"
	if jobcheck "$T/$_name.hcl" "$T/m-$_name" 2>"$T/$_name.err"; then
		fail "control $_name: the check passes the broken job"
	fi
	grep -qF -- "$_want" "$T/$_name.err" ||
		fail "control $_name: not the expected failure ($_want): $(cat "$T/$_name.err")"
}
EX=$TOP/examples/nomad/proxy.nomad.hcl
DK=$TOP/examples/nomad/proxy-docker.nomad.hcl
RX=$TOP/examples/nomad/proxy-raw_exec.nomad.hcl
mutant "$EX" nochecksum "no checksum" -e '/checksum = /d'
mutant "$EX" nooptions "no options" -e '/options {/,/}/d'
mutant "$EX" varchecksum "no checksum" \
	-e 's|checksum = "sha256:[^"]*"|checksum = "sha256:${var.sum}"|'
mutant "$EX" oldsource "source does not end" \
	-e "s|nomcast-$VERSION-linux-amd64.tar.gz|nomcast-0.0.9-linux-amd64.tar.gz|"
mutant "$EX" badcommand "command is not local/" \
	-e "s|command  = \"local/nomcast-$VERSION-linux-amd64/nomcastd\"|command  = \"local/nomcastd\"|"
mutant "$EX" noartifact "no artifact block" -e 's|artifact {|artefact {|'
mutant "$EX" capadd "cap_add net_admin" -e 's|"net_admin", ||'
mutant "$EX" capdrop "cap_drop is not" -e 's|cap_drop = \["all"\]|cap_drop = ["net_raw"]|'
mutant "$EX" noprestart "not prestart" -e 's|"prestart"|"poststart"|'
mutant "$EX" nodelay "shutdown_delay" -e '/shutdown_delay = /d'
mutant "$DK" latest "image is not nomcast:$VERSION" -e "s|nomcast:$VERSION|nomcast:latest|"
mutant "$DK" bridge "network_mode is not host" -e 's|network_mode = "host"|network_mode = "bridge"|'
mutant "$DK" dkcaps "cap_add net_admin" -e 's|cap_add    = \["net_admin", |cap_add    = [|'
mutant "$RX" localsbin "/usr/sbin/nomcastd" -e 's|/usr/sbin/nomcastd|/usr/local/sbin/nomcastd|'
FL=$TOP/examples/nomad/proxy-floating.nomad.hcl
[ -f "$FL" ] || fail "no proxy-floating.nomad.hcl"
mutant "$FL" count2 "count is not 1" -e 's|^    count = 1$|    count = 2|'
mutant "$FL" stop "stop_on_client_after" \
	-e 's|^\( *\)replace = true|&\n\1stop_on_client_after = "1m"|'
mutant "$FL" noreplace "replace is not true" -e 's|replace = true|replace = false|'
mutant "$FL" expo "not constant" -e 's|"constant"|"exponential"|'
mutant "$FL" limited "not unlimited" -e 's|unlimited      = true|unlimited = false|'
mutant "$FL" norevert "auto_revert is not true" -e 's|auto_revert       = true|auto_revert = false|'
mutant "$FL" nocanary "canary is not 1" -e '/^    canary            = 1$/d'
mutant "$FL" nodistinct "distinct_hosts" -e 's|distinct_hosts = true|distinct_hosts = false|'
mutant "$FL" nohealthy "no min_healthy_time" -e '/^    min_healthy_time  = /d'
ok "controls: a job without checksum, options, artifact, the version's tarball or command, caps, image, host network or the package's path fails"
ok "controls: a floating job with count 2, stop_on_client_after, no replace, backoff, limited reschedules, no revert, no canary, no distinct_hosts or no min_healthy_time fails"

# ---- the policy: read-job only, and one apply command everywhere ----
python3 - "$POL" "$DOC" "$TOP"/examples/nomad/*.nomad.hcl <<'PYEOF' || fail "the policy"
import re, sys
pol, doc = (open(p).read() for p in sys.argv[1:3])

def need(cond, what):
    if not cond:
        print("policy: " + what, file=sys.stderr)
        sys.exit(1)

def cmds(text):
    text = re.sub(r"(?m)^\s*#+", "", text)	# the command in a comment
    flat = re.sub(r"\\\n\s*", " ", text)
    return {" ".join(m.split()) for m in
            re.findall(r"nomad acl policy apply [^\n`]*", flat)}

rules = "\n".join(l for l in pol.split("\n") if not l.strip().startswith("#"))
for jobf in sys.argv[3:]:
    job = open(jobf).read()
    ns = re.search(r'namespace\s*=\s*"([^"]+)"', job).group(1)
    need(re.search(r'namespace\s+"%s"\s*\{\s*capabilities\s*=\s*\["read-job"\]\s*\}'
                   % re.escape(ns), rules),
         'no namespace "%s" { capabilities = ["read-job"] }' % ns)
    jobid = re.search(r'job\s+"([^"]+)"', job).group(1)
    want = ("nomad acl policy apply -namespace %s -job %s -group traefik "
            "-task nomcast nomcast-read examples/nomad/nomcast-policy.hcl"
            % (ns, jobid))
    for name, text in (("policy", pol), (jobf, job), ("README", doc)):
        need(want in cmds(text), "%s lacks: %s (has %s)" % (name, want, cmds(text)))
need(len(re.findall(r"\bnamespace\s+\"", rules)) == 1, "more than one namespace rule")
for word in ("policy", "node", "agent", "operator", "write", "host_volume"):
    need(not re.search(r"\b%s\b" % word, rules), "grants more: " + word)
PYEOF
ok "policy: read-job on the jobs' namespace only; one apply command in policy, every job and README"

# ---- the README says what the files do ----
for pat in 'shutdown_delay' 'identity' 'env = true' 'sidecar' \
	'nomcastctl drain web' 'nomad alloc exec' 'bridge' 'NOMAD_HOST_IP_http' \
	'next-hop' 'grace' '401' '403' 'Permission denied' 'read-job' \
	'shutdown-drain-time' 'drain-time' 'raw_exec' 'docker' \
	"nomcast:$VERSION" 'allow_caps' '## Which driver' \
	"nomcast-$VERSION-linux-amd64/nomcastctl" '/usr/sbin/nomcastd' \
	'/usr/bin/nomcastctl' 'libcurl4' 'proxy-docker.nomad.hcl' \
	'proxy-raw_exec.nomad.hcl' 'proxy-floating.nomad.hcl' '## Which shape' \
	'stop_on_client_after' 'min_heartbeat_ttl' 'heartbeat_grace'; do
	grep -qF -- "$pat" "$DOC" || fail "examples/nomad/README.md does not mention '$pat'"
done
for pat in '/usr/local/sbin/nomcastd' '/usr/local/bin/nomcastctl' 'nomcast:latest'; do
	if grep -qF -- "$pat" "$DOC"; then
		fail "examples/nomad/README.md still says '$pat'"
	fi
done
ok "README covers deploy, redeploys, drain, bridge mode, drivers and their paths, failure policy, 401/403"

# ---- only documentation addresses and names ----
python3 - "$POL" "$DOC" "$TOP"/examples/nomad/*.nomad.hcl "$T"/r[0-9]*/nomcast/local/nomcast.ini \
	"$T"/r[0-9]*/d/alloc/*/nomcast/local/nomcast.ini <<'PYEOF' || fail "addresses"
import ipaddress, re, sys
allowed = [ipaddress.ip_network(n) for n in (
    "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24", "127.0.0.0/8",
    "0.0.0.0/32", "172.26.64.0/20", "2001:db8::/32", "::1/128", "::/128")]
bad = []
for path in sys.argv[1:]:
    text = open(path).read()
    for m in re.findall(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![.\d])", text):
        try:
            a = ipaddress.ip_address(m)
        except ValueError:
            continue
        if not any(a in n for n in allowed):
            bad.append("%s: %s" % (path, m))
    for m in re.findall(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}", text):
        try:
            a = ipaddress.ip_address(m)
        except ValueError:
            continue
        if not any(a in n for n in allowed if n.version == 6):
            bad.append("%s: %s" % (path, m))
    # host names in URLs and Traefik rules: example.com (RFC 2606) only
    for h in re.findall(r"https?://([A-Za-z][A-Za-z0-9.-]*)", text) + \
            re.findall(r"Host\(`([^`]*)`\)", text):
        if h != "localhost" and h != "example.com" and \
                not h.endswith(".example.com"):
            bad.append("%s: %s" % (path, h))
if bad:
    print("not a documentation address: " + ", ".join(bad), file=sys.stderr)
    sys.exit(1)
PYEOF
ok "only documentation addresses and example.com names in the jobs, the policy, the README and the INIs"
