#!/bin/sh
# tests/integ/nomad_job.sh NOMCASTD - the example job for users
# (examples/nomad/proxy.nomad.hcl): the INI its template block renders is valid.
#
# A small renderer (python3, below) does what Nomad would do with the
# nomcast task: it builds the task environment from the job file (job,
# group and task names, namespace, meta as NOMAD_META_*, the group's static
# ports as NOMAD_PORT_* and friends) and fake alloc values (alloc ID, a
# workload identity token, the task's local/, secrets/ and alloc/
# directories, the Task API socket address), adds node attributes
# (attr.unique.network.ip-address, node.unique.name, ...), takes the
# template's data heredoc, and replaces each {{ env "NAME" }} with the
# value.  It understands nothing else, on purpose: any other {{ ... }},
# or an HCL ${...} or %{...} (which HCL itself would expand), or a name
# the task environment would not have, is an error, so the template stays
# renderable by this test.  It writes the file to the template's
# destination and expands the task's args as Nomad would; nomcastd -t then
# runs with those args and only that environment, and must say
# "configuration ok" with no warning.  Controls: without NOMAD_ALLOC_ID the
# same file is an error naming it, without NOMAD_TOKEN it draws the
# token warning, and the renderer refuses a construct it does not know.
#
# Then the promises of examples/nomad/README.md are checked against the job and the
# policy: sidecar, prestart, identity { env = true }, shutdown_delay, host
# networking, the capabilities, the Nomad service that nomad-service
# names, the ports the local checks use, shutdown-drain-time within the
# task's kill_timeout, the read-job policy and its apply command (the
# same in the policy, the job and the README), and only documentation
# addresses in all three.  No network, no root needed.
set -eu
NOMCASTD=$1
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
JOB=$TOP/examples/nomad/proxy.nomad.hcl
POL=$TOP/examples/nomad/nomcast-policy.hcl
DOC=$TOP/examples/nomad/README.md
T=$(mktemp -d /tmp/nomcast-nomad-job.XXXXXX)
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
        "NOMAD_ALLOC_DIR": out_dir + "/alloc",
        "NOMAD_TASK_DIR": out_dir + "/nomcast/local",
        "NOMAD_SECRETS_DIR": out_dir + "/nomcast/secrets",
    }
    if re.search(r"identity\s*\{[^}]*\benv\s*=\s*true", task[1]):
        env["NOMAD_TOKEN"] = TOKEN
        env["NOMAD_UNIX_ADDR"] = "unix://%s/nomcast/secrets/api.sock" % out_dir
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
    path = env["NOMAD_TASK_DIR"] + "/" + dest[len("local/"):]
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

    # for the shell: the task environment (less the names to drop, for
    # the controls: the INI is the same), then the args
    with open(out_dir + "/task.env", "w") as f:
        for k in sorted(set(env) - set(drop)):
            f.write("%s=%s\n" % (k, shlex.quote(env[k])))
            f.write("export %s\n" % k)
    with open(out_dir + "/task.args", "w") as f:
        f.write(" ".join(shlex.quote(a) for a in args) + "\n")
    with open(out_dir + "/task.command", "w") as f:
        f.write((cmd or "") + "\n")


main()
PYEOF

# render JOB DIR [VAR ...]: the task's files under DIR; the VARs are left
# out of the environment nomcastd gets (not out of the template's)
render() {
	_job=$1 _dir=$2
	shift 2
	rm -rf "$_dir"
	mkdir -p "$_dir/alloc" "$_dir/nomcast/local" "$_dir/nomcast/secrets"
	python3 "$T/render.py" "$_job" "$_dir" "$@"
}

# check DIR: nomcastd -t with the task's args and only the task's env
check() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
		. "$1/task.env"
		eval "set -- $(cat "$1/task.args")"
		exec "$0" -t "$@"' "$NOMCASTD" "$1" >"$1/out" 2>&1
}

INI=$T/r/nomcast/local/nomcast.ini
render "$JOB" "$T/r" || fail "the template does not render"
[ -s "$INI" ] || fail "nothing rendered to $INI"
check "$T/r" || fail "nomcastd -t on the rendered INI: $(cat "$T/r/out")"
grep -q "configuration ok" "$T/r/out" || fail "no 'configuration ok': $(cat "$T/r/out")"
if grep -qi "warning" "$T/r/out"; then
	fail "warnings on the rendered INI: $(cat "$T/r/out")"
fi
case $(cat "$T/r/task.command") in
*/nomcastd) ;;
*) fail "the nomcast task does not run nomcastd: $(cat "$T/r/task.command")" ;;
esac
ok "the template renders to an INI that nomcastd -t accepts without warning"

# what it rendered: the node's address, the job's meta, the group's port
grep -Eq '^router-id = 198\.51\.100\.11$' "$INI" || fail "router-id is not the node's address"
grep -Eq '^prefix = 203\.0\.113\.10/32$' "$INI" || fail "prefix is not meta.service_ip/32"
grep -Eq '^address = 198\.51\.100\.[12]$' "$INI" || fail "no peer from meta.edge_router_*"
grep -Eq '^nomad-service = traefik$' "$INI" || fail "nomad-service is not traefik"
grep -Eq '^vip-interface = lo$' "$INI" || fail "vip-interface is not lo"
grep -Eq '^shutdown-drain-time = ' "$INI" || fail "no shutdown-drain-time"
grep -Eq '^drain-time = ' "$INI" || fail "no drain-time"
ok "router-id, prefix, peers and the Nomad service come from the job"

# controls: the [nomad] defaults really come from that environment
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
ok "the renderer refuses other constructs and names Nomad would not set"

# ---- the job keeps what examples/nomad/README.md promises ----
python3 - "$JOB" "$INI" <<'PYEOF' || fail "the job file"
import re, sys
job, ini = open(sys.argv[1]).read(), open(sys.argv[2]).read()
code = "\n".join(l for l in job.split("\n") if not l.strip().startswith("#"))

def need(cond, what):
    if not cond:
        print("job: " + what, file=sys.stderr)
        sys.exit(1)

def block(text, header):
    m = re.search(re.escape(header) + r"\s*\{", text)
    need(m, "no " + header + " block")
    j = m.end() - 1
    depth = 0
    for k in range(j, len(text)):
        depth += {"{": 1, "}": -1}.get(text[k], 0)
        if depth == 0:
            return text[j:k + 1]
    need(False, header + " never closes")

def dur_ms(s):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", s.strip())
    need(m, "bad duration " + s)
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60000,
                              None: 1000}[m.group(2)]

need(re.search(r'type\s*=\s*"system"', code), "not a system job")
grp = block(code, 'group "traefik"')
task = block(grp, 'task "nomcast"')
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
caps = re.search(r"cap_add\s*=\s*\[([^\]]*)\]", task)
need(caps and "net_admin" in caps.group(1).lower(),
     "nomcast lacks cap_add net_admin (the VIP)")
need("net_bind_service" in caps.group(1).lower() or
     re.search(r"(?m)^listen = no$", ini),
     "nomcast can neither bind port 179 nor has listen = no")
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
PYEOF
ok "job: system, sidecar prestart, identity env, shutdown_delay, host network, caps, service, ports, timeouts"

# ---- the policy: read-job only, and one apply command everywhere ----
python3 - "$JOB" "$POL" "$DOC" <<'PYEOF' || fail "the policy"
import re, sys
job, pol, doc = (open(p).read() for p in sys.argv[1:4])

def need(cond, what):
    if not cond:
        print("policy: " + what, file=sys.stderr)
        sys.exit(1)

rules = "\n".join(l for l in pol.split("\n") if not l.strip().startswith("#"))
ns = re.search(r'namespace\s*=\s*"([^"]+)"', job).group(1)
need(re.search(r'namespace\s+"%s"\s*\{\s*capabilities\s*=\s*\["read-job"\]\s*\}'
               % re.escape(ns), rules),
     'no namespace "%s" { capabilities = ["read-job"] }' % ns)
need(len(re.findall(r"\bnamespace\s+\"", rules)) == 1, "more than one namespace rule")
for word in ("policy", "node", "agent", "operator", "write", "host_volume"):
    need(not re.search(r"\b%s\b" % word, rules), "grants more: " + word)

def cmds(text):
    text = re.sub(r"(?m)^\s*#+", "", text)	# the command in a comment
    flat = re.sub(r"\\\n\s*", " ", text)
    return {" ".join(m.split()) for m in
            re.findall(r"nomad acl policy apply [^\n`]*", flat)}
jobid = re.search(r'job\s+"([^"]+)"', job).group(1)
want = ("nomad acl policy apply -namespace %s -job %s -group traefik "
        "-task nomcast nomcast-read examples/nomad/nomcast-policy.hcl" % (ns, jobid))
for name, text in (("policy", pol), ("job", job), ("README", doc)):
    need(want in cmds(text), "%s lacks: %s (has %s)" % (name, want, cmds(text)))
PYEOF
ok "policy: read-job on the job's namespace only; one apply command in policy, job and README"

# ---- the README says what the files do ----
for pat in 'shutdown_delay' 'identity' 'env = true' 'sidecar' \
	'nomcastctl drain web' 'nomad alloc exec' 'bridge' 'NOMAD_HOST_IP_http' \
	'next-hop' 'grace' '401' '403' 'Permission denied' 'read-job' \
	'shutdown-drain-time' 'drain-time' 'raw_exec' 'docker' 'nomcast:latest' \
	'allow_caps'; do
	grep -qF -- "$pat" "$DOC" || fail "examples/nomad/README.md does not mention '$pat'"
done
ok "README covers deploy, redeploys, drain, bridge mode, drivers, failure policy, 401/403"

# ---- only documentation addresses (and loopback, Nomad's bridge) ----
python3 - "$JOB" "$POL" "$DOC" "$INI" <<'PYEOF' || fail "addresses"
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
if bad:
    print("not a documentation address: " + ", ".join(bad), file=sys.stderr)
    sys.exit(1)
PYEOF
ok "only documentation addresses in the job, the policy, the README and the INI"
