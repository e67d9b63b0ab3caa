#!/bin/sh
# tests/integ/nomad_agent.sh [NOMCASTD] - the stand-in Nomad agent
# (tests/nomad_agent.py) checked with curl against the shapes of the
# nomad-api notes (../shared/nomad-api/ from the top of the tree), in a
# network namespace, on its Task API unix socket, TCP and HTTPS at once:
# the exact plain-text errors and their statuses (401, 403 Forbidden and
# 500 by token on the socket, 403 Permission denied on TCP, 400 for bad
# wait/index/filter, 404s), the fixtures' bodies, X-Nomad-Index and
# friends on the blocking endpoints and not on /checks, gzip on TCP only,
# the go-bexpr filter, blocking queries (a registration change answers
# the watchers of that service and of the whole table within 100 ms and
# leaves the others held, an expired wait answers with the same index),
# alloc blocking, the check store (pending stubs, null, {}, in-place
# updates, stop), no leader (?stale reads only), HTTPS and mutual TLS
# with certificates made by openssl, the index reset, SIGHUP reload and
# every fault mode.  The nomcastd argument is not used.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
if [ -z "${NOMAD_AGENT_TMP:-}" ]; then
	lib_init nomad-agent
	ns_add a
	# the rest runs inside the namespace: an "ip netns exec" per request
	# would cost a process each time
	NOMAD_AGENT_TMP=$LIB_TMP ip netns exec "$(ns a)" /bin/sh "$0" "$@"
	exit 0
fi
T=$NOMAD_AGENT_TMP
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

PY=/usr/bin/python3
AGENT=${NOMAD_AGENT:-$HERE/../nomad_agent.py}
A=5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73		# our alloc (the fixtures')
NODE=f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d
NODE3=0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d
TOK=test-workload-identity
AUTH="X-Nomad-Token: $TOK"
U=http://127.0.0.1:4646
S_URL=https://127.0.0.1:4649
ADM=http://127.0.0.1:4647
UUID0=0b7e1a52-93c4-4d1f-8e26-5a0f3c9d7b41	# a secret nobody knows
# a well-formed JWT nobody signed
JWT0=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl

# a CA, the agent's certificate for 127.0.0.1, a client's, and a client
# certificate from another CA, made with Debian's openssl CLI
mkcert() {	# mkcert NAME CA SUBJECT EXT: NAME.key, NAME.pem signed by CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$T/$1.key" -out "$T/$1.csr" -subj "$3" \
		2>>"$T/openssl.log" &&
	printf '%b' "$4" >"$T/$1.ext" &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" \
		-CAcreateserial -days 2 -extfile "$T/$1.ext" -out "$T/$1.pem" \
		2>>"$T/openssl.log" || fail "openssl: $(cat "$T/openssl.log")"
}
for ca in ca ca2; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$T/$ca.key" -out "$T/$ca.pem" -days 2 \
		-subj "/CN=nomcast test $ca" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		2>>"$T/openssl.log" || fail "openssl: $(cat "$T/openssl.log")"
done
mkcert server ca "/CN=127.0.0.1" \
	'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
mkcert client ca "/CN=nomcast" \
	'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n'
mkcert other ca2 "/CN=nomcast" \
	'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n'

"$PY" "$AGENT" --unix "$T/api.sock" --listen 127.0.0.1:4646 \
	--tls-listen 127.0.0.1:4649 --tls-cert "$T/server.pem" \
	--tls-key "$T/server.key" \
	--admin 127.0.0.1:4647 --others 2 --token "$TOK" --ready "$T/ready" \
	--log-file "$T/requests.txt" >"$T/agent.log" 2>&1 &
AGENT_PID=$!
PIDS="$PIDS $AGENT_PID"
wait_for 10 test -s "$T/ready" || fail "the agent did not start"

# ---- helpers ----

# fixture NAME: the path of a fixture of the notes, or nothing
fixture() {
	for d in "$HERE/../fixtures/nomad" "${NOMAD_API_FIXTURES:-}" \
	    "$HERE/../../../shared/nomad-api/fixtures"; do
		if [ -n "$d" ] && [ -f "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# get VIA PATH [curl args]: GET PATH over the unix socket, TCP or TLS
# (trusting the test CA); the
# status in ST, curl's exit code in CRC, the time in TT (seconds), the
# body in $T/body, the headers in $T/head
get() {
	via=$1 path=$2; shift 2
	CRC=0
	: >"$T/body"
	: >"$T/head"
	case $via in
	unix)	OUT=$(curl -s --unix-socket "$T/api.sock" -o "$T/body" \
		    -D "$T/head" -w '%{http_code} %{time_total}' "$@" \
		    "http://localhost$path") || CRC=$? ;;
	tcp)	OUT=$(curl -s -o "$T/body" -D "$T/head" \
		    -w '%{http_code} %{time_total}' "$@" "$U$path") || CRC=$? ;;
	tls)	OUT=$(curl -s -o "$T/body" -D "$T/head" --cacert "$T/ca.pem" \
		    -w '%{http_code} %{time_total}' "$@" "$S_URL$path") ||
		    CRC=$? ;;
	esac
	ST=${OUT% *}
	TT=${OUT#* }
}

# bget NAME VIA PATH [curl args]: the same in the background, into
# $T/NAME.{body,head,out}; its pid in BG
bget() {
	name=$1 via=$2 path=$3; shift 3
	case $via in
	unix)	curl -s --unix-socket "$T/api.sock" -o "$T/$name.body" \
		    -D "$T/$name.head" -w '%{http_code} %{time_total}' "$@" \
		    "http://localhost$path" >"$T/$name.out" 2>&1 & ;;
	tcp)	curl -s -o "$T/$name.body" -D "$T/$name.head" \
		    -w '%{http_code} %{time_total}' "$@" "$U$path" \
		    >"$T/$name.out" 2>&1 & ;;
	esac
	BG=$!
}

# admin PATH JSON: a change through the side channel
admin() {
	curl -s -f -o "$T/admin.out" -X POST -d "$2" "$ADM$1" ||
		fail "admin $1 $2: $(cat "$T/admin.out" 2>/dev/null)"
}

CR=$(printf '\r')

# hdr NAME [HEADFILE]: the value of header NAME, spelt exactly so (the
# agent must write Go's canonical names: X-Nomad-Knownleader)
hdr() {
	while IFS= read -r line; do
		line=${line%"$CR"}
		case $line in
		"$1: "*) echo "${line#"$1: "}"; return 0 ;;
		esac
	done <"${2:-$T/head}"
}

has_hdr() {	# has_hdr NAME VALUE WHAT
	v=$(hdr "$1")
	[ "$v" = "$2" ] || fail "$3: $1 is '$v', wanted '$2'"
}

no_hdr() {	# no_hdr NAME WHAT: not there, in any spelling
	! grep -qi "^$1:" "$T/head" || fail "$2: has a $1 header"
}

want_status() {	# want_status STATUS WHAT
	[ "$ST" = "$1" ] || fail "$2: status $ST (curl $CRC), wanted $1: \
$(head -c 300 "$T/body" 2>/dev/null)"
}

want_body() {	# want_body TEXT WHAT: the body is exactly TEXT (printf %b)
	printf '%b' "$1" >"$T/want"
	cmp -s "$T/want" "$T/body" || fail "$2: body '$(head -c 300 "$T/body")', \
wanted '$1'"
}

# err STATUS TEXT WHAT: one of Nomad's plain-text errors, exactly, and
# (unless the caller says otherwise) no query meta
err() {
	want_status "$1" "$3"
	want_body "$2" "$3"
	has_hdr Content-Type "text/plain; charset=utf-8" "$3"
}

# same_fixture TEXT FILE: the error literal used here is the fixture's
same_fixture() {
	f=$(fixture "$2")
	[ -n "$f" ] || return 0
	printf '%b' "$1" >"$T/want"
	cmp -s "$T/want" "$f" || fail "the literal '$1' is not fixtures/$2"
}

# json_is FIXTURE WHAT [FILE]: the body (or FILE) is the fixture's JSON
# (compared as data: the fixtures are pretty-printed); a missing fixture
# is reported and skipped
json_is() {
	f=$(fixture "$1")
	if [ -z "$f" ]; then
		echo "skip - $2: no fixture $1 here"
		return 0
	fi
	"$PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
sys.exit(0 if a == b else 1)' "${3:-$T/body}" "$f" ||
		fail "$2: body is not fixtures/$1: $(head -c 400 "${3:-$T/body}")"
}

# json_q EXPR [FILE]: print a Python expression over the body as d
json_q() {
	"$PY" -c 'import json, sys
d = json.load(open(sys.argv[2]))
print(eval(sys.argv[1]))' "$1" "${2:-$T/body}"
}

lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Starting a process costs tens of milliseconds here, so latencies are
# read from the agent's log: every line starts with the epoch time at
# which the answer went out and has the request's duration in ms=.

# held N [ADMIN]: wait until the agent holds N requests (blocked or hung)
held() {
	wait_for 5 held_n "$1" "${2:-$ADM}" ||
		fail "the agent does not hold $1 requests: \
$(curl -s "${2:-$ADM}/admin/stats")"
}
held_n() {
	n=$(curl -s "$2/admin/stats" | grep -o '"held":[0-9]*' | cut -d: -f2)
	[ "${n:-0}" -ge "$1" ]
}

# lat CHANGE WATCHER [LOG]: milliseconds from the start of the last
# request (or event) whose log line has CHANGE to the answer of the last
# one with WATCHER
lat() {
	lf=${3:-$T/requests.txt}
	wait_for 3 grep -qF -- "$1" "$lf" || fail "not in the log: $1"
	wait_for 3 grep -qF -- "$2" "$lf" || fail "not in the log: $2"
	c=$(grep -F -- "$1" "$lf" | tail -1)
	w=$(grep -F -- "$2" "$lf" | tail -1)
	awk -v c="$c" -v w="$w" 'BEGIN {
		n = split(c, a, " "); ms = 0
		for (i = 1; i <= n; i++) if (a[i] ~ /^ms=/) ms = substr(a[i], 4)
		split(w, b, " ")
		printf "%d", (b[1] - (a[1] - ms / 1000)) * 1000 }'
}

log_has() {	# log_has N TEXT: TEXT in at least N lines of the log
	[ "$(grep -cF -- "$2" "$T/requests.txt")" -ge "$1" ]
}

# the literals below are the notes' exact bodies
same_fixture 'Unauthorized' error-401-taskapi-no-token.txt
same_fixture 'Forbidden' error-403-taskapi-forbidden.txt
same_fixture 'Permission denied' error-403-permission-denied.txt
same_fixture 'alloc not found' error-404-allocation.txt
same_fixture "Unknown allocation \"$A\"" error-404-checks-unknown-alloc.txt
same_fixture 'Server error authenticating request\n' error-500-taskapi-auth.txt

F0="AllocID%20%3D%3D%20%22$A%22"

# ---- 1. tokens on the Task API socket, none needed on TCP (ACLs off) ----
get unix /v1/service/traefik
err 401 'Unauthorized' "socket, no token"
no_hdr X-Nomad-Index "socket, no token"
get unix /v1/nothing/here
err 401 'Unauthorized' "socket, no token, unknown path (auth comes first)"
# ACLs off: any credential passes the Task API, only none is refused
get unix /v1/service/traefik -H "X-Nomad-Token: not-a-jwt"
want_status 200 "socket, ACLs off, any string passes"
get unix /v1/service/traefik -H "X-Nomad-Token: $UUID0"
want_status 200 "socket, ACLs off, an unknown UUID passes"
get unix /v1/service/traefik -H "Authorization: Bearer $JWT0"
want_status 200 "socket, ACLs off, an unknown JWT passes"
get unix /v1/service/traefik -H "Authorization: Basic $TOK"
err 401 'Unauthorized' "socket, Authorization that is not Bearer"
get unix /v1/service/traefik -H "Authorization: Bearer $TOK"
want_status 200 "socket, Authorization: Bearer"
get unix /v1/service/traefik -H "authorization: bearer  $TOK  extra"
want_status 200 "socket, bearer in lower case, first word"
get unix /v1/service/traefik -H "$AUTH"
want_status 200 "socket, X-Nomad-Token"
get tcp /v1/service/traefik
want_status 200 "TCP, ACLs off, no token"
get tcp /v1/service/traefik -H "X-Nomad-Token: whatever"
want_status 200 "TCP, ACLs off, a token nobody knows"
ok "tokens: 401 Unauthorized on the socket without one, any one passes with ACLs off; TCP open"

# ---- 1b. HTTPS, and mutual TLS ----
grep -qx "tls 127.0.0.1:4649" "$T/ready" || fail "no tls line in the ready file"
get tls /v1/service/traefik
want_status 200 "https with the CA"
json_is service-traefik-3nodes.json "https"
has_hdr X-Nomad-Index 1051 "https"
has_hdr Vary Accept-Encoding "https"
get tls "/v1/service/traefik?filter=$F0"
json_is service-traefik-1node.json "https, filter"
get tls "/v1/allocation/$A" --compressed
has_hdr Content-Encoding gzip "https gzip, as TCP"
json_is allocation-traefik-running.json "https gzip"
get tls /v1/service/traefik -H "X-Nomad-Token: not-a-jwt"
want_status 200 "https, ACLs off: tokens do not matter, as TCP"
CRC=0
curl -s -o /dev/null "$S_URL/v1/service/traefik" 2>/dev/null || CRC=$?
[ "$CRC" = 60 ] || fail "https without the CA: curl $CRC, wanted 60 (verification)"
CRC=0
curl -s -o /dev/null --cacert "$T/ca2.pem" "$S_URL/v1/service/traefik" || CRC=$?
[ "$CRC" = 60 ] || fail "https with another CA: curl $CRC"
grep -q "via=tls GET /v1/service/traefik status=200 ms=" "$T/requests.txt" ||
	fail "no via=tls line in the log"
wait_for 3 grep -q "via=tls handshake from 127.0.0.1:[0-9]* failed" \
	"$T/requests.txt" || fail "the failed handshake is not logged"
admin /admin/fault '{"mode":"500","via":"tls","count":1}'
get tcp /v1/service/traefik
want_status 200 "a fault via tls leaves TCP alone"
get tls /v1/service/traefik
err 500 'No cluster leader' "fault via tls"
get tls /v1/service/traefik
want_status 200 "the tls fault's count"
# a client that never starts its handshake holds up nobody else
"$PY" -c 'import socket, time
s = socket.create_connection(("127.0.0.1", 4649))
time.sleep(4)' &
STUCK=$!
PIDS="$PIDS $STUCK"
sleep 0.2
get tls /v1/service/traefik --max-time 2
want_status 200 "https while another client stalls its handshake"
lt "$TT" 0.5 || fail "https took $TT s while a handshake stalled"
kill "$STUCK" 2>/dev/null || true
wait "$STUCK" 2>/dev/null || true

"$PY" "$AGENT" --tls-listen 127.0.0.1:4650 --tls-cert "$T/server.pem" \
	--tls-key "$T/server.key" --tls-client-ca "$T/ca.pem" \
	--admin 127.0.0.1:4651 --ready "$T/ready3" \
	--log-file "$T/requests3.txt" >"$T/agent3.log" 2>&1 &
P_AGENT3=$!
PIDS="$PIDS $P_AGENT3"
wait_for 10 test -s "$T/ready3" || fail "the mTLS agent did not start"
M_URL=https://127.0.0.1:4650/v1/service/traefik
CRC=0
curl -s -o /dev/null --cacert "$T/ca.pem" "$M_URL" || CRC=$?
[ "$CRC" != 0 ] || fail "mTLS: a client without a certificate got through"
CRC=0
curl -s -o /dev/null --cacert "$T/ca.pem" --cert "$T/other.pem" \
	--key "$T/other.key" "$M_URL" || CRC=$?
[ "$CRC" != 0 ] || fail "mTLS: a certificate of another CA got through"
CRC=0
OUT=$(curl -s -o "$T/body" -w '%{http_code}' --cacert "$T/ca.pem" \
	--cert "$T/client.pem" --key "$T/client.key" "$M_URL") || CRC=$?
[ "$CRC" = 0 ] && [ "$OUT" = 200 ] || fail "mTLS with the client certificate: curl $CRC status $OUT"
json_is service-traefik-1node.json "mTLS"
[ "$(grep -c 'via=tls handshake from .* failed' "$T/requests3.txt")" -ge 2 ] ||
	fail "mTLS: the refused handshakes are not logged"
stop_pid "$P_AGENT3"
ok "https: the fixture body with the CA, refused without it; mTLS needs a client certificate of its CA; a stalled handshake blocks nobody"

# ---- 2. /v1/service/NAME: bodies, headers, filter, errors ----
get unix /v1/service/traefik -H "$AUTH"
json_is service-traefik-3nodes.json "three registrations"
has_hdr Content-Type application/json "service"
has_hdr X-Nomad-Index 1051 "service"
has_hdr X-Nomad-Knownleader true "service"
has_hdr X-Nomad-Lastcontact 0 "service"
no_hdr Vary "service over the socket (no compression handler there)"
# Go's canonical spelling on the wire, as headers-service-blocking.txt
grep -q '^X-Nomad-Knownleader: true' "$T/head" ||
	fail "X-Nomad-Knownleader not in Go's canonical form"
grep -q '^Content-Length: ' "$T/head" || fail "no Content-Length"
head -c 1 "$T/body" | grep -q '\[' || fail "not compact JSON"
! grep -q '^ ' "$T/body" || fail "not compact JSON"

F="AllocID%20%3D%3D%20%22$A%22"
get tcp "/v1/service/traefik?filter=$F"
json_is service-traefik-1node.json "filter AllocID"
has_hdr Vary Accept-Encoding "service over TCP"
has_hdr X-Nomad-Index 1051 "filter AllocID (the table index, not the rows')"
get unix "/v1/service/traefik?filter=NodeID%20==%20%22$NODE3%22" -H "$AUTH"
[ "$(json_q 'len(d), d[0]["Address"]')" = "(1, '198.51.100.13')" ] ||
	fail "filter NodeID: $(cat "$T/body")"
get tcp "/v1/service/traefik?filter=$F%20and%20NodeID%20==%20%22$NODE%22"
json_is service-traefik-1node.json "filter AllocID and NodeID"
get tcp "/v1/service/traefik?filter=$F%20and%20NodeID%20==%20%22$NODE3%22"
want_status 200 "filter that matches nothing"
want_body '[]' "filter that matches nothing"
get tcp "/v1/service/traefik?filter=AllocID%20=%20%22$A%22"
want_status 400 "malformed filter"
grep -q '^failed to create result paginator: failed to read filter expression: 1:9 (8): no match found, expected: "!=", "==", ' "$T/body" ||
	fail "malformed filter: $(cat "$T/body")"
has_hdr Content-Type "text/plain; charset=utf-8" "malformed filter"
no_hdr X-Nomad-Index "malformed filter"
get tcp "/v1/service/traefik?filter=AllocID%20==%20%2212x"
err 400 'failed to create result paginator: failed to read filter expression: 1:16 (15): rule "string": Unterminated string literal' \
	"unterminated string in a filter"
get tcp "/v1/service/traefik?filter=Nope%20==%20%22x%22"
err 400 'failed to read result page: error finding value in datum: /Nope at part 0: couldn'"'"'t find struct field with name "Nope"' \
	"filter on a field that does not exist"
get tcp "/v1/service/traefik?namespace=other"
want_status 200 "another namespace"; want_body '[]' "another namespace"
has_hdr X-Nomad-Index 1051 "another namespace"
get tcp "/v1/service/traefik?namespace=*"
want_body '[]' "namespace * is not special here"
get tcp /v1/service/unknown
want_status 200 "unknown service"; want_body '[]' "unknown service"
json_is service-empty.json "unknown service"
has_hdr X-Nomad-Index 1051 "unknown service"
ok "service: fixtures' bodies, index headers, filter and its errors"

get tcp /v1/service/
err 400 'missing service name' "no service name"
get tcp /v1/service/a/b/c
err 400 'invalid URI' "too many path parts"
get tcp /v1/service/traefik -X POST
err 405 'Invalid method' "POST a service"
get tcp "/v1/service/traefik?wait=5x"
err 400 'Invalid wait time' "bad wait on TCP"
get tcp "/v1/service/traefik?wait=1.5"
err 400 'Invalid wait time' "a wait without a unit"
get tcp "/v1/service/traefik?index=-1"
err 400 'Invalid index' "bad index"
get tcp "/v1/service/traefik?index=18446744073709551616"
err 400 'Invalid index' "index past 2^64-1"
# the Task API middleware parses first and appends its own text
get unix "/v1/service/traefik?wait=5x"
err 400 'Invalid wait timeBad Request' "bad wait on the socket, no token"
get unix "/v1/service/traefik?index=x" -H "$AUTH"
err 400 'Invalid indexBad Request' "bad index on the socket"
get tcp "/v1/service/traefik?index=0&wait=1h30m"
want_status 200 "index 0 with a long wait"
lt "$TT" 0.5 || fail "index 0 blocked ($TT s)"
get tcp "/v1/service/traefik?wait=10m&index=0"
want_status 200 "a wait over the maximum"
get tcp /v1/nothing
want_status 404 "unknown path"; want_body '' "unknown path"
ok "service: 400 missing name/invalid URI/wait/index, 405, 404 like Nomad"

# ---- 3. /v1/services, /v1/allocation/ID/services ----
admin /admin/register '{"service":"whoami","alloc":"9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04","node":"6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f","address":"198.51.100.12","port":8081,"tags":["traefik.enable=true","traefik.http.routers.whoami.rule=Host(`whoami.example.com`)"],"port_label":"web"}'
get unix /v1/services -H "$AUTH"
want_status 200 "services"
has_hdr X-Nomad-Index 1052 "services after one more registration"
"$PY" -c '
import json, sys
def norm(d):
    return sorted((n["Namespace"], s["ServiceName"], sorted(s["Tags"]))
                  for n in d for s in n["Services"])
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
sys.exit(0 if norm(a) == norm(b) else 1)' "$T/body" \
	"$(fixture services-list.json || echo "$T/body")" ||
	fail "services: $(cat "$T/body")"
get tcp "/v1/services?namespace=empty"
want_body '[]' "services of an empty namespace"
admin /admin/deregister '{"service":"whoami"}'
get tcp "/v1/allocation/$A/services"
json_is alloc-services.json "alloc services"
has_hdr X-Nomad-Index 1053 "alloc services: the same table index"
get tcp "/v1/allocation/$A/services?namespace=other"
err 404 'allocation not found' "alloc services, other namespace"
no_hdr X-Nomad-Index "alloc services 404"
get tcp "/v1/allocation/00000000-0000-4000-8000-000000000000/services"
err 404 'allocation not found' "alloc services, unknown alloc"
ok "services list and alloc services"

# ---- 4. checks: no blocking, no index, the fixtures' bodies ----
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"success\",\"timestamp\":1764050412}"
get unix "/v1/client/allocation/$A/checks" -H "$AUTH"
json_is checks-success.json "checks success"
has_hdr Content-Type application/json "checks"
for h in X-Nomad-Index X-Nomad-Knownleader X-Nomad-Lastcontact; do
	no_hdr $h "checks"
done
get tcp "/v1/allocation/$A/checks?index=5&wait=10s"
json_is checks-success.json "checks on the other route, index ignored"
lt "$TT" 0.5 || fail "checks blocked ($TT s)"
no_hdr X-Nomad-Index "checks, other route"
get tcp "/v1/allocation/$A/checks?wait=x"
err 400 'Invalid wait time' "checks parse wait"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"failure\",\"timestamp\":1764050417}"
get tcp "/v1/client/allocation/$A/checks"
json_is checks-failure.json "checks failure (connection refused)"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"failure\",\"status_code\":503,\"output\":\"Service Unavailable\",\"timestamp\":1764050419}"
get tcp "/v1/client/allocation/$A/checks"
json_is checks-failure-http503.json "checks failure 503"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"pending\",\"timestamp\":1764050401}"
get tcp "/v1/client/allocation/$A/checks"
json_is checks-pending.json "checks pending"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"success\",\"timestamp\":1764050412}"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-https-tcp\",\"service\":\"traefik-https\",\"task\":\"traefik\",\"mode\":\"readiness\",\"status\":\"failure\",\"output\":\"dial tcp 198.51.100.11:443: connect: connection refused\",\"timestamp\":1764050413}"
get tcp "/v1/client/allocation/$A/checks"
json_is checks-mixed-task-level.json "checks, a task-level service too"
admin /admin/check "{\"alloc\":\"$A\",\"results\":null}"
get unix "/v1/client/allocation/$A/checks" -H "$AUTH"
want_status 200 "checks null"; want_body 'null' "checks null"
has_hdr Content-Type application/json "checks null"
json_is checks-none.json "checks null"
# an update that removed every check leaves an empty object, not null
admin /admin/check "{\"alloc\":\"$A\",\"results\":{}}"
get tcp "/v1/client/allocation/$A/checks"
want_status 200 "checks {}"; want_body '{}' "every check removed"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"success\"}"
get tcp "/v1/client/allocation/00000000-0000-4000-8000-000000000000/checks"
err 404 'Unknown allocation "00000000-0000-4000-8000-000000000000"' \
	"checks of an unknown alloc"
get tcp "/v1/client/allocation/$A"
err 404 'resource not found' "client allocation without an action"
get tcp "/v1/allocation/$A/checks/x"
err 404 'resource not found' "allocation path too long"
ok "checks: fixtures' bodies, null, 404s, never an index header"

# ---- 4b. the check store: pending stubs, in-place updates, stop ----
S=7c9e2b14-5a3d-4f60-9b8e-1d2c3b4a5f60
SF="AllocID%20%3D%3D%20%22$S%22"
admin /admin/alloc "{\"alloc\":\"$S\",\"set\":{\"Name\":\"proxy.api[0]\",\"TaskGroup\":\"api\"}}"
# an alloc whose services have no checks at all: null
admin /admin/register "{\"service\":\"api-plain\",\"alloc\":\"$S\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":8082,\"group\":\"api\"}"
get unix "/v1/client/allocation/$S/checks" -H "$AUTH"
want_status 200 "no checks"; want_body 'null' "an alloc without checks"
admin /admin/deregister '{"service":"api-plain"}'
# a registration with checks: a pending stub each, never null
admin /admin/register "{\"service\":\"api\",\"alloc\":\"$S\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":8081,\"group\":\"api\",\"checks\":[\"api-http\",{\"check\":\"api-tcp\",\"mode\":\"readiness\"}]}"
get unix "/v1/client/allocation/$S/checks" -H "$AUTH"
want_status 200 "checks of a fresh registration"
"$PY" - "$T/body" "$(date +%s)" <<'PYEOF' || fail "fresh checks: $(cat "$T/body")"
import json, sys
d = json.load(open(sys.argv[1])); now = int(sys.argv[2])
assert isinstance(d, dict) and len(d) == 2, d
assert list(d) == sorted(d), "keys not sorted"
for k, c in d.items():
    assert c["ID"] == k and len(k) == 64, c
    assert c["Status"] == "pending" and c["Output"] == "nomad: waiting to run", c
    assert "StatusCode" not in c and "Task" not in c, c
    assert abs(c["Timestamp"] - now) <= 2, c
    assert c["Group"] == "proxy.api[0]" and c["Service"] == "api", c
assert sorted((c["Check"], c["Mode"]) for c in d.values()) == \
    [("api-http", "healthiness"), ("api-tcp", "readiness")], d
PYEOF
ok "a registration with checks stores pending stubs; without checks null; {} when every check went"

admin /admin/check "{\"alloc\":\"$S\",\"check\":\"api-http\",\"service\":\"api\",\"status\":\"success\",\"timestamp\":1764050412}"
admin /admin/check "{\"alloc\":\"$S\",\"check\":\"api-tcp\",\"service\":\"api\",\"status\":\"failure\",\"output\":\"dial tcp 198.51.100.11:8081: connect: connection refused\",\"timestamp\":1764050413}"
get tcp "/v1/client/allocation/$S/checks"
cp "$T/body" "$T/before.json"
json_q '" ".join(sorted(d))' >"$T/before.ids"
admin /admin/inplace_update "{\"alloc\":\"$S\",\"interval_ms\":600}"
cp "$T/admin.out" "$T/update.out"
get tcp "/v1/client/allocation/$S/checks"
"$PY" - "$T/before.json" "$T/body" "$T/update.out" "$(date +%s)" <<'PYEOF' ||
import json, sys
b = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
u = json.load(open(sys.argv[3])); now = int(sys.argv[4])
assert u["ok"] is True and sorted(u["checks"]) == sorted(a), (u, a)
assert not set(a) & set(b), "an ID survived the update"
assert sorted((c["Check"], c["Mode"]) for c in a.values()) == \
    sorted((c["Check"], c["Mode"]) for c in b.values())
ts = set()
for k, c in a.items():
    assert c["ID"] == k and len(k) == 64
    assert c["Status"] == "pending" and c["Output"] == "nomad: waiting to run", c
    assert "StatusCode" not in c, c
    assert abs(c["Timestamp"] - now) <= 2, c
    ts.add(c["Timestamp"])
assert len(ts) == 1, "not one instant"
PYEOF
	fail "after the update: $(cat "$T/body") $(cat "$T/update.out")"
json_q '" ".join(sorted(d))' >"$T/after.ids"
wait_for 3 grep -q "inplace_update: alloc=$S checks=2 ran" "$T/requests.txt" ||
	fail "the updated checks never ran"
dt=$(lat "POST /admin/inplace_update " "inplace_update: alloc=$S checks=2 ran")
[ "$dt" -ge 290 ] && [ "$dt" -lt 600 ] ||
	fail "the first run came $dt ms after the update (interval/2 = 300)"
get tcp "/v1/client/allocation/$S/checks"
"$PY" - "$T/before.json" "$T/body" "$T/after.ids" <<'PYEOF' ||
import json, sys
b = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
ids = open(sys.argv[3]).read().split()
assert sorted(a) == ids, "the IDs moved again"
byname = {c["Check"]: c for c in b.values()}
for c in a.values():
    p = byname[c["Check"]]
    for f in ("Status", "Output", "StatusCode", "Mode", "Group", "Service"):
        assert c.get(f) == p.get(f), (f, c, p)
    assert c["Timestamp"] > p["Timestamp"], c
PYEOF
	fail "the previous results are not back: $(cat "$T/body")"
# the test's own changes find the check by name under its new ID
admin /admin/check "{\"alloc\":\"$S\",\"check\":\"api-http\",\"service\":\"api\",\"status\":\"failure\"}"
get tcp "/v1/client/allocation/$S/checks"
[ "$(json_q '" ".join(sorted(d))')" = "$(cat "$T/after.ids")" ] ||
	fail "/admin/check by name did not use the new ID: $(cat "$T/body")"
[ "$(json_q '[c["Status"] for c in d.values() if c["Check"] == "api-http"]')" = "['failure']" ] ||
	fail "/admin/check by name: $(cat "$T/body")"
ok "in-place update: new IDs, pending at one instant, the previous results back after $dt ms (interval 600 ms)"

# only the checks of one service, with a given result
admin /admin/register "{\"service\":\"api-metrics\",\"alloc\":\"$S\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":9100,\"group\":\"api\",\"checks\":[\"metrics-http\"]}"
get tcp "/v1/client/allocation/$S/checks"
M0=$(json_q '[k for k, c in d.items() if c["Check"] == "metrics-http"][0]')
admin /admin/inplace_update "{\"alloc\":\"$S\",\"service\":\"api\",\"interval_ms\":200,\"result\":\"success\"}"
wait_for 3 log_has 2 "inplace_update: alloc=$S checks=2 ran" ||
	fail "the second update never ran"
get tcp "/v1/client/allocation/$S/checks"
[ "$(json_q 'sorted((c["Check"], c["Status"]) for c in d.values())')" = \
    "[('api-http', 'success'), ('api-tcp', 'success'), ('metrics-http', 'pending')]" ] ||
	fail "update of one service: $(cat "$T/body")"
[ "$(json_q '[k for k, c in d.items() if c["Check"] == "metrics-http"][0]')" = "$M0" ] ||
	fail "another service's check changed ID"
for id in $(cat "$T/after.ids"); do
	grep -q "$id" "$T/body" && fail "an ID of the first update survived the second"
done
ok "in-place update of one service's checks, result success"

# stop: the registrations go first (the watcher answers), the results
# stay through shutdown_delay, then null while the client knows the alloc
get tcp "/v1/service/api?filter=$SF"
I=$(hdr X-Nomad-Index)
bget sw tcp "/v1/service/api?filter=$SF&index=$I&wait=20s"
P=$BG
held 1
admin /admin/stop_alloc "{\"alloc\":\"$S\",\"shutdown_delay_ms\":400}"
wait "$P" || true
dt=$(lat "POST /admin/stop_alloc " "GET /v1/service/api?filter=$SF&index=$I&wait=20s status=")
[ "$dt" -lt 100 ] || fail "the stop reached the watcher after $dt ms"
[ "$(cat "$T/sw.body")" = '[]' ] || fail "still registered: $(cat "$T/sw.body")"
get tcp "/v1/client/allocation/$S/checks"
want_status 200 "checks during shutdown_delay"
[ "$(json_q 'len(d)')" = 3 ] || fail "the results went before shutdown_delay: $(cat "$T/body")"
get tcp /v1/service/api-metrics
want_body '[]' "every service of the alloc deregistered"
wait_for 3 grep -q "stop_alloc: alloc=$S check results purged" "$T/requests.txt" ||
	fail "the results were never purged"
dp=$(lat "POST /admin/stop_alloc " "stop_alloc: alloc=$S check results purged")
[ "$dp" -ge 390 ] || fail "purged $dp ms after the stop, before shutdown_delay"
get unix "/v1/client/allocation/$S/checks" -H "$AUTH"
want_status 200 "checks of a stopped alloc"; want_body 'null' "purged at stop"
get tcp "/v1/allocation/$S"
[ "$(json_q 'd["DesiredStatus"]')" = stop ] || fail "DesiredStatus is not stop"
X=3f2e1d0c-b9a8-4765-8432-10fedcba9876
admin /admin/alloc "{\"alloc\":\"$X\"}"
admin /admin/register "{\"service\":\"xsvc\",\"alloc\":\"$X\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":80,\"checks\":[\"x-http\"]}"
admin /admin/stop_alloc "{\"alloc\":\"$X\"}"
get tcp "/v1/client/allocation/$X/checks"
want_body 'null' "a stop without shutdown_delay purges at once"
get tcp /v1/service/xsvc
want_body '[]' "deregistered at stop"
admin /admin/alloc "{\"alloc\":\"$X\",\"delete\":true}"
admin /admin/alloc "{\"alloc\":\"$S\",\"delete\":true}"
get tcp "/v1/client/allocation/$S/checks"
err 404 "Unknown allocation \"$S\"" "checks of an alloc the client forgot"
ok "stop: deregistered in $dt ms, results kept through shutdown_delay, null after $dp ms, 404 once forgotten"

# ---- 5. /v1/allocation/ID ----
get tcp "/v1/allocation/$A"
json_is allocation-traefik-running.json "allocation"
has_hdr X-Nomad-Index 1049 "allocation: its ModifyIndex"
has_hdr Content-Length 1873 "allocation: 1873 bytes, not chunked"
get tcp "/v1/allocation/$A" --compressed
has_hdr Content-Encoding gzip "allocation gzip"
has_hdr Transfer-Encoding chunked "allocation gzip"
json_is allocation-traefik-running.json "allocation gzip"
get tcp "/v1/allocation/$A" -H "Accept-Encoding: gzip"
has_hdr Content-Encoding gzip "allocation, Accept-Encoding gzip on TCP"
[ "$(head -c 2 "$T/body" | od -An -tx1 | tr -d ' ')" = 1f8b ] ||
	fail "TCP: the body is not gzip"
# the Task API socket never compresses (notes 5; no compression handler)
get unix "/v1/allocation/$A" -H "$AUTH" --compressed
json_is allocation-traefik-running.json "allocation over the socket, --compressed"
no_hdr Content-Encoding "socket, --compressed"
has_hdr Content-Length 1873 "socket, --compressed: plain, not chunked"
get unix "/v1/allocation/$A" -H "$AUTH" -H "Accept-Encoding: gzip"
no_hdr Content-Encoding "socket, Accept-Encoding: gzip"
no_hdr Vary "socket, Accept-Encoding: gzip"
head -c 1 "$T/body" | grep -q '{' || fail "socket: the body is not plain JSON"
json_is allocation-traefik-running.json "allocation over the socket, raw gzip header"
get tcp "/v1/allocation/5b3d8f2e"
err 404 'alloc not found' "a short alloc ID"
[ -n "$(hdr X-Nomad-Index)" ] || fail "the alloc 404 carries no index"
bget alloc tcp "/v1/allocation/$A?index=1049&wait=10s"
held 1
admin /admin/alloc "{\"alloc\":\"$A\",\"task\":\"traefik\",\"state\":\"pending\"}"
wait "$BG" || true
dt=$(lat "POST /admin/alloc " "GET /v1/allocation/$A?index=1049&wait=10s status=")
[ "$dt" -lt 100 ] || fail "allocation watcher woke after $dt ms"
[ "$(json_q 'd["TaskStates"]["traefik"]["State"]' "$T/alloc.body")" = pending ] ||
	fail "allocation change not seen"
i=$(hdr X-Nomad-Index "$T/alloc.head")
[ "$i" -gt 1049 ] || fail "allocation index $i did not move"
ok "allocation: fixture body, gzip on TCP only, 404 with index, blocking ($dt ms)"

# ---- 6. blocking queries on the registrations ----
get tcp /v1/service/traefik
I=$(hdr X-Nomad-Index)
get tcp "/v1/service/traefik?index=$I&wait=1s"
want_status 200 "wait expiry"
has_hdr X-Nomad-Index "$I" "wait expiry: the same index"
json_is service-traefik-3nodes.json "wait expiry: the same body"
lt 0.99 "$TT" && lt "$TT" 1.4 ||
	fail "wait=1s answered after $TT s (1 s + up to 1/16 jitter)"
ok "an expired wait answers with the same index after $TT s"

bget w1 tcp "/v1/service/traefik?index=$I&wait=20s"
P1=$BG
bget w2 unix "/v1/service/other?index=$I&wait=20s" -H "$AUTH"
P2=$BG
bget w3 unix "/v1/services?index=$I&wait=20s" -H "$AUTH"
P3=$BG
held 3
admin /admin/deregister "{\"service\":\"traefik\",\"alloc\":\"$A\"}"
wait "$P1" || true
wait "$P3" || true
dt1=$(lat "POST /admin/deregister " "GET /v1/service/traefik?index=$I&wait=20s status=")
dt3=$(lat "POST /admin/deregister " "GET /v1/services?index=$I&wait=20s status=")
for dt in $dt1 $dt3; do
	[ "$dt" -lt 100 ] || fail "a watcher answered $dt ms after the change"
done
for w in w1 w3; do
	i=$(hdr X-Nomad-Index "$T/$w.head")
	[ "$i" -gt "$I" ] || fail "$w: index $i after the change (was $I)"
done
[ "$(json_q 'sorted(r["AllocID"][:8] for r in d)' "$T/w1.body")" = \
    "['9e0c4a17', 'c41f7b22']" ] || fail "deregistration not in the body"
# a name without registrations is woken by its own name only (the
# radix-neighbour wake-up of Nomad is not modelled)
kill -0 "$P2" 2>/dev/null && [ ! -s "$T/w2.out" ] ||
	fail "the watcher of 'other' woke on a change to traefik"
admin /admin/register '{"service":"other","alloc":"9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04","node":"6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f","address":"198.51.100.12","port":81}'
wait "$P2" || true
dt2=$(lat "POST /admin/register " "GET /v1/service/other?index=$I&wait=20s status=")
[ "$dt2" -lt 100 ] || fail "'other' answered $dt2 ms after its registration"
[ "$(json_q 'len(d), d[0]["Port"]' "$T/w2.body")" = "(1, 81)" ] ||
	fail "w2 body: $(cat "$T/w2.body")"
admin /admin/deregister '{"service":"other"}'
ok "a deregistration answers the watchers of its name and of the table: $dt1, $dt3 ms; another name's watcher held until its own change ($dt2 ms)"

# a watcher of traefik sits out changes to another service, then answers
# its own change at once (notes 5: the wake-up is per (namespace, name))
get tcp /v1/service/traefik
I=$(hdr X-Nomad-Index)
bget sa tcp "/v1/service/traefik?index=$I&wait=20s"
PA=$BG
bget sb unix "/v1/service/traefik?index=$I&wait=20s" -H "$AUTH"
PB=$BG
bget sl tcp "/v1/services?index=$I&wait=20s"
PL=$BG
held 3
admin /admin/register '{"service":"whoami","alloc":"9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04","node":"6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f","address":"198.51.100.12","port":8081}'
admin /admin/deregister '{"service":"whoami"}'
wait "$PL" || true
[ "$(hdr X-Nomad-Index "$T/sl.head")" -gt "$I" ] ||
	fail "/v1/services did not answer a change of the table"
sleep 1
for p in $PA $PB; do
	kill -0 "$p" 2>/dev/null || fail "a traefik watcher woke on whoami"
done
[ ! -s "$T/sa.out" ] && [ ! -s "$T/sb.out" ] ||
	fail "a traefik watcher answered a change to whoami"
# ... but a new query with the same ?index answers at once: the table
# index has passed it
get tcp "/v1/service/traefik?index=$I&wait=20s"
lt "$TT" 0.5 || fail "a query behind the table index blocked ($TT s)"
[ "$(hdr X-Nomad-Index)" -gt "$I" ] || fail "the table index did not move"
[ "$(json_q 'len(d)')" = 2 ] || fail "traefik after whoami: $(cat "$T/body")"
admin /admin/register "{\"service\":\"traefik\",\"alloc\":\"$A\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":80,\"tags\":[\"ingress\"]}"
wait "$PA" || true
wait "$PB" || true
da=$(lat "POST /admin/register " "GET /v1/service/traefik?index=$I&wait=20s status=")
[ "$da" -lt 100 ] || fail "traefik's watcher answered $da ms after its change"
for w in sa sb; do
	[ "$(json_q '[r["Tags"] for r in d if r["AllocID"] == "'"$A"'"]' "$T/$w.body")" = "[['ingress']]" ] ||
		fail "$w: the change is not in the body: $(cat "$T/$w.body")"
done
admin /admin/deregister "{\"service\":\"traefik\",\"alloc\":\"$A\"}"
ok "a traefik watcher is held across whoami's changes (1 s), answers its own in $da ms"

get tcp /v1/service/traefik
I=$(hdr X-Nomad-Index)
bget w1 unix "/v1/service/traefik?filter=$F&index=$I&wait=20s" -H "$AUTH"
held 1
admin /admin/register "{\"service\":\"traefik\",\"alloc\":\"$A\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":80}"
wait "$BG" || true
dt=$(lat "POST /admin/register " "&index=$I&wait=20s status=")
[ "$dt" -lt 100 ] || fail "registration answered after $dt ms"
[ "$(json_q 'len(d), d[0]["AllocID"]' "$T/w1.body")" = "(1, '$A')" ] ||
	fail "registration not in the body: $(cat "$T/w1.body")"
ok "a registration answers the filtered watcher in $dt ms"

# a client that leaves is dropped by the agent
get tcp "/v1/service/traefik?index=$((I + 1))&wait=20s" --max-time 0.3
[ "$CRC" = 28 ] || fail "held query: curl $CRC"
wait_for 3 grep -q "index=$((I + 1))&wait=20s status=gone" "$T/requests.txt" ||
	fail "the agent did not notice the client leave"

# more than 2048 bytes go out chunked, as Go's server does
for n in 1 2 3; do
	admin /admin/register "{\"service\":\"traefik\",\"alloc\":\"0000000$n-0000-4000-8000-000000000000\",\"node\":\"$NODE\",\"address\":\"203.0.113.$n\",\"port\":80}"
done
get tcp /v1/service/traefik
has_hdr Transfer-Encoding chunked "a long service list"
no_hdr Content-Length "a long service list"
[ "$(json_q 'len(d)')" = 6 ] || fail "six registrations"
for n in 1 2 3; do
	admin /admin/deregister "{\"service\":\"traefik\",\"alloc\":\"0000000$n-0000-4000-8000-000000000000\"}"
done
get tcp /v1/service/traefik
[ "$(json_q 'len(d)')" = 3 ] || fail "three registrations again"
has_hdr Content-Length "$(wc -c <"$T/body" | tr -d ' ')" "length"
ok "bodies over 2048 bytes are chunked"

# ---- 7. fault modes ----
get tcp /v1/service/traefik
I=$(hdr X-Nomad-Index)
admin /admin/fault '{"mode":"slow","ms":300,"count":1}'
get tcp /v1/service/traefik
want_status 200 "slow"
lt 0.29 "$TT" || fail "slow answered in $TT s"
slow=$TT
get tcp /v1/service/traefik
lt "$TT" 0.2 || fail "slow outlived its count ($TT s)"
ok "slow: 200 after $slow s, once"

admin /admin/fault '{"mode":"hang","endpoint":"checks"}'
get unix "/v1/client/allocation/$A/checks" -H "$AUTH" --max-time 0.5
[ "$CRC" = 28 ] && [ ! -s "$T/body" ] || fail "hang: curl $CRC"
get unix /v1/service/traefik -H "$AUTH"
want_status 200 "hang limited to checks"
bget hung unix "/v1/client/allocation/$A/checks" -H "$AUTH"
held 1
admin /admin/fault '{"mode":"clear"}'
wait "$BG" || true
[ "$(cut -d' ' -f1 "$T/hung.out")" = 200 ] || fail "hang released: $(cat "$T/hung.out")"
ok "hang: held until the client goes, answered when cleared"

admin /admin/fault '{"mode":"500","count":2}'
get unix /v1/service/traefik -H "$AUTH"
err 500 'Server error authenticating request\n' "500 on the socket"
get tcp /v1/service/traefik
err 500 'No cluster leader' "500 on TCP"
get tcp /v1/service/traefik
want_status 200 "500 outlived its count"
admin /admin/fault '{"mode":"500","count":1,"body":"rpc error: eval broker disabled"}'
get tcp /v1/service/traefik
err 500 'rpc error: eval broker disabled' "500 with a given body"
ok "500: Nomad's bodies, counted"

admin /admin/fault '{"mode":"garbage","count":1}'
get tcp /v1/service/traefik
want_status 200 "garbage"
has_hdr Content-Type application/json "garbage"
! "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/body" \
	2>/dev/null || fail "garbage is JSON"
ok "garbage: 200 application/json that is not JSON"

admin /admin/fault '{"mode":"truncated","count":1}'
get tcp /v1/service/traefik
[ "$CRC" = 18 ] || fail "truncated: curl $CRC"
len=$(hdr Content-Length); got=$(wc -c <"$T/body" | tr -d ' ')
[ "$got" -lt "$len" ] && [ "$got" -gt 0 ] ||
	fail "truncated: $got of $len bytes"
ok "truncated: $got of $len bytes, then closed"

admin /admin/fault '{"mode":"close","count":1}'
get unix /v1/service/traefik -H "$AUTH"
[ "$CRC" = 18 ] && [ "$ST" = 200 ] && [ ! -s "$T/body" ] ||
	fail "close: curl $CRC status $ST"
ok "close: the headers, then closed"

admin /admin/fault '{"mode":"index_reset","count":1,"endpoint":"service"}'
get tcp "/v1/service/traefik?index=$I&wait=10s"
want_status 200 "index_reset"
has_hdr X-Nomad-Index 1 "index_reset"
lt "$TT" 0.5 || fail "index_reset waited $TT s"
get tcp "/v1/service/traefik?index=0"
has_hdr X-Nomad-Index "$I" "after index_reset"
ok "index_reset: at once with index 1, once"

admin /admin/fault '{"mode":"403","count":1}'
get unix /v1/service/traefik -H "$AUTH"
err 403 'Permission denied' "403 fault"
admin /admin/fault '{"mode":"401","count":1}'
get tcp /v1/service/traefik
err 401 'Unauthorized' "401 fault"
admin /admin/fault '{"mode":"403","via":"unix","body":"Forbidden"}'
get tcp /v1/service/traefik
want_status 200 "fault limited to the socket"
get unix /v1/service/traefik -H "$AUTH"
err 403 'Forbidden' "fault on the socket"
admin /admin/fault '{"mode":"clear"}'
admin /admin/fault '{"mode":"reset","count":1}'
get tcp /v1/service/traefik
[ "$CRC" = 56 ] || fail "reset: curl $CRC"
admin /admin/fault '{"mode":"status","status":503,"body":"no path to region","count":1}'
get tcp /v1/service/traefik
err 503 'no path to region' "status fault"
get tcp /v1/service/traefik
want_status 200 "faults are over"
ok "403, 401, via, reset, status faults"

# ---- 8. ACLs ----
admin /admin/acl '{"enabled":true}'
admin /admin/token '{"token":"noread","kind":"workload","read_job":[]}'
admin /admin/token '{"token":"ops","kind":"acl","read_job":["default"]}'
admin /admin/token '{"token":"expired","kind":"workload","expired":true}'
admin /admin/token '{"token":"oldops","kind":"acl","read_job":["default"],"expired":true}'
# a workload identity of an alloc whose tasks have finished, and one of
# an alloc the cluster no longer has
DONE=d0e1f2a3-b4c5-4d6e-8f70-8192a3b4c5d6
admin /admin/alloc "{\"alloc\":\"$DONE\",\"set\":{\"ClientStatus\":\"complete\",\"DesiredStatus\":\"stop\"}}"
admin /admin/token "{\"token\":\"done-wi\",\"kind\":\"workload\",\"alloc\":\"$DONE\"}"
admin /admin/token '{"token":"gone-wi","kind":"workload","alloc":"e0e1f2a3-b4c5-4d6e-8f70-8192a3b4c5d6"}'
admin /admin/token "{\"token\":\"live-wi\",\"kind\":\"workload\",\"alloc\":\"$A\"}"
get tcp /v1/service/traefik
err 403 'Permission denied' "TCP, ACLs on, anonymous"
get tcp /v1/service/traefik -H "X-Nomad-Token: stale"
err 403 'Permission denied' "TCP, an unknown secret"
get tcp /v1/service/traefik -H "X-Nomad-Token: $UUID0"
err 403 'Permission denied' "TCP, an unknown UUID secret"
get tcp "/v1/client/allocation/$A/checks" -H "X-Nomad-Token: $UUID0"
err 403 'Permission denied' "TCP checks, an unknown secret"
get tcp /v1/service/traefik -H "X-Nomad-Token: ops"
want_status 200 "TCP, an ACL token with read-job"
get tcp /v1/service/traefik -H "$AUTH"
want_status 200 "TCP, the workload identity"
# the Task API's rows (notes 6, fixtures/errors.json)
get unix /v1/service/traefik
err 401 'Unauthorized' "socket, ACLs on, no token"
get unix /v1/service/traefik -H "X-Nomad-Token: $UUID0"
err 403 'Forbidden' "socket, an unknown UUID secret"
get unix "/v1/client/allocation/$A/checks" -H "X-Nomad-Token: $UUID0"
err 403 'Forbidden' "socket checks, an unknown UUID secret"
get unix /v1/service/traefik -H "X-Nomad-Token: not-a-jwt"
err 500 'Server error authenticating request\n' "socket, a malformed JWT"
get unix /v1/service/traefik -H "Authorization: Bearer $JWT0"
err 500 'Server error authenticating request\n' "socket, a JWT nobody signed"
get unix /v1/service/traefik -H "X-Nomad-Token: expired"
err 500 'Server error authenticating request\n' "socket, an expired identity"
get unix /v1/service/traefik -H "X-Nomad-Token: oldops"
err 500 'Server error authenticating request\n' "socket, an expired ACL token"
get unix /v1/service/traefik -H "X-Nomad-Token: done-wi"
err 500 'Server error authenticating request\n' "socket, a terminal alloc's JWT"
get unix /v1/service/traefik -H "X-Nomad-Token: gone-wi"
err 500 'Server error authenticating request\n' "socket, the JWT of an alloc that is gone"
get tcp /v1/service/traefik -H "X-Nomad-Token: done-wi"
err 403 'Permission denied' "TCP, a terminal alloc's JWT"
get unix /v1/service/traefik -H "X-Nomad-Token: live-wi"
want_status 200 "socket, the JWT of a running alloc"
get unix /v1/service/traefik -H "X-Nomad-Token: ops"
want_status 200 "socket, an ACL token with read-job"
for why in unknown-secret malformed-jwt unknown-jwt expired alloc-terminal alloc-gone; do
	grep -q "via=unix GET /v1/service/traefik status=[45]0[03] ms=[0-9.]* auth=$why\$" \
		"$T/requests.txt" || fail "no auth=$why in the log"
done
get unix /v1/service/traefik -H "X-Nomad-Token: noread"
want_status 200 "workload identity without a policy reads services"
get unix /v1/services -H "X-Nomad-Token: noread"
want_status 200 "workload identity without a policy lists services"
get unix "/v1/services?namespace=*" -H "X-Nomad-Token: noread"
want_status 200 "namespace * without read-job"
want_body '[]' "namespace * without read-job: skipped silently"
get unix "/v1/client/allocation/$A/checks" -H "X-Nomad-Token: noread"
err 403 'Permission denied' "checks without read-job"
get unix "/v1/client/allocation/00000000-0000-4000-8000-000000000000/checks" \
	-H "X-Nomad-Token: noread"
err 404 'Unknown allocation "00000000-0000-4000-8000-000000000000"' \
	"checks: the alloc is looked up before the ACL"
get unix "/v1/allocation/$A" -H "X-Nomad-Token: noread"
err 500 "Unknown allocation \"$A\"" "allocation without read-job"
get unix "/v1/allocation/$A/services" -H "X-Nomad-Token: noread"
err 403 'Permission denied' "alloc services without read-job"
get unix "/v1/client/allocation/$A/checks" -H "$AUTH"
want_status 200 "checks with read-job"
admin /admin/acl '{"enabled":false}'
for t in ops expired oldops done-wi not-a-jwt "$UUID0"; do
	get unix /v1/service/traefik -H "X-Nomad-Token: $t"
	want_status 200 "socket, ACLs off, token $t"
done
get unix /v1/service/traefik -H "X-Nomad-Token: noread"
want_status 200 "socket, ACLs off, a workload identity"
get unix "/v1/client/allocation/$A/checks" -H "X-Nomad-Token: noread"
want_status 200 "ACLs off: no capability needed"
admin /admin/alloc "{\"alloc\":\"$DONE\",\"delete\":true}"
ok "ACLs: 401/403 Forbidden/500 on the socket by token, 403 Permission denied on TCP, capabilities, order of checks"

# ---- 8b. no cluster leader ----
get tcp /v1/service/traefik
I=$(hdr X-Nomad-Index)
cp "$T/body" "$T/before-outage.json"
admin /admin/leader '{"leader":false}'
# a stale blocking query keeps blocking: nothing can change without raft
bget stb unix "/v1/service/traefik?stale&index=$I&wait=1s" -H "$AUTH"
PS=$BG
get unix /v1/service/traefik -H "$AUTH"
err 500 'Server error authenticating request\n' "socket, no leader: WhoAmI fails"
get unix "/v1/client/allocation/$A/checks" -H "$AUTH"
err 500 'Server error authenticating request\n' "socket checks, no leader"
get unix /v1/services -H "$AUTH"
err 500 'Server error authenticating request\n' "socket services, no leader"
get unix "/v1/service/traefik?stale=false" -H "$AUTH"
err 500 'Server error authenticating request\n' "socket, stale=false"
get unix "/v1/service/traefik?stale"
err 401 'Unauthorized' "socket, no leader, no token: no RPC needed"
get tcp /v1/service/traefik
err 500 'No cluster leader' "TCP, no leader"
get tcp "/v1/client/allocation/$A/checks"
err 500 'No cluster leader' "TCP checks, no leader"
get tcp "/v1/allocation/$A"
err 500 'No cluster leader' "TCP allocation, no leader"
get tcp "/v1/service/traefik?wait=5x"
err 400 'Invalid wait time' "TCP, no leader: the query is parsed first"
get tls /v1/service/traefik
err 500 'No cluster leader' "TLS, no leader"
get tls "/v1/service/traefik?stale=1"
want_status 200 "TLS, ?stale=1 without a leader"
has_hdr X-Nomad-Knownleader false "TLS, ?stale=1"
get unix "/v1/service/traefik?stale" -H "$AUTH"
want_status 200 "socket, ?stale without a leader"
cmp -s "$T/body" "$T/before-outage.json" ||
	fail "socket, ?stale: not the state as it was: $(cat "$T/body")"
has_hdr X-Nomad-Index "$I" "socket, ?stale"
has_hdr X-Nomad-Knownleader false "socket, ?stale"
grep -q '^X-Nomad-Knownleader: false' "$T/head" || fail "not Go's spelling"
L1=$(hdr X-Nomad-Lastcontact)
case $L1 in ''|*[!0-9]*) fail "LastContact '$L1'" ;; esac
sleep 0.3
get tcp "/v1/service/traefik?stale="
want_status 200 "TCP, ?stale= without a leader"
has_hdr X-Nomad-Knownleader false "TCP, ?stale="
L2=$(hdr X-Nomad-Lastcontact)
[ "$L2" -ge $((L1 + 250)) ] || fail "LastContact did not grow: $L1, then $L2"
get unix "/v1/service/traefik?stale=true&filter=$F" -H "$AUTH"
want_status 200 "socket, ?stale=true"
[ "$(json_q 'len(d), d[0]["AllocID"]')" = "(1, '$A')" ] ||
	fail "socket, ?stale=true with a filter: $(cat "$T/body")"
# no raft writes: the registrations cannot change; check results can
# (they live on the client) but nobody can read them
for a in register deregister stop_alloc inplace_update; do
	rc=$(curl -s -o "$T/refused" -w '%{http_code}' -X POST \
	    -d "{\"service\":\"traefik\",\"alloc\":\"$A\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":80}" \
	    "$ADM/admin/$a")
	[ "$rc" = 409 ] && [ -n "$(json_q 'd["error"]' "$T/refused")" ] ||
		fail "admin $a without a leader: $rc $(cat "$T/refused")"
done
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"failure\"}"
get unix "/v1/client/allocation/$A/checks" -H "$AUTH"
err 500 'Server error authenticating request\n' "socket checks after a check change"
wait "$PS" || true
[ "$(cut -d' ' -f1 "$T/stb.out")" = 200 ] || fail "stale blocking: $(cat "$T/stb.out")"
tw=$(cut -d' ' -f2 "$T/stb.out")
lt 0.99 "$tw" || fail "a stale blocking query answered after $tw s, before its wait"
[ "$(hdr X-Nomad-Index "$T/stb.head")" = "$I" ] || fail "stale blocking: index"
[ "$(hdr X-Nomad-Knownleader "$T/stb.head")" = false ] || fail "stale blocking: KnownLeader"
grep -q "via=unix GET /v1/service/traefik status=500 ms=[0-9.]* no-leader" \
	"$T/requests.txt" || fail "no no-leader line in the log"
admin /admin/leader '{"leader":true}'
get unix /v1/service/traefik -H "$AUTH"
want_status 200 "socket, the leader back"
has_hdr X-Nomad-Knownleader true "the leader back"
has_hdr X-Nomad-Lastcontact 0 "the leader back"
get tcp "/v1/service/traefik?stale"
has_hdr X-Nomad-Knownleader true "TCP ?stale, the leader back"
has_hdr X-Nomad-Lastcontact 0 "TCP ?stale, the leader back"
get tcp "/v1/client/allocation/$A/checks"
[ "$(json_q '[c["Status"] for c in d.values()]')" = "['failure']" ] ||
	fail "the check changed during the outage: $(cat "$T/body")"
admin /admin/check "{\"alloc\":\"$A\",\"check\":\"traefik-ping\",\"status\":\"success\"}"
ok "no leader: 500 on the socket and TCP but ?stale service reads (LastContact $L1 -> $L2 ms), stale blocking held ($tw s), raft writes 409, back with the leader"

# ---- 9. alloc gone, index reset and floor ----
admin /admin/alloc "{\"alloc\":\"$A\",\"delete\":true}"
get unix "/v1/client/allocation/$A/checks" -H "$AUTH"
err 404 "Unknown allocation \"$A\"" "checks of a stopped alloc"
f=$(fixture error-404-checks-unknown-alloc.txt)
[ -z "$f" ] || cmp -s "$f" "$T/body" || fail "not the fixture's 404"
get tcp "/v1/allocation/$A"
err 404 'alloc not found' "a deleted alloc"

get tcp /v1/service/traefik
I=$(hdr X-Nomad-Index)
bget held tcp "/v1/service/traefik?index=$I&wait=1s"
held 1
admin /admin/reset_index '{"index":1}'
wait "$BG" || true
[ "$(hdr X-Nomad-Index "$T/held.head")" = 1 ] || fail "reset: index not 1"
tw=$(cut -d' ' -f2 "$T/held.out")
lt 0.99 "$tw" || fail "reset: a held query answered early ($tw s)"
bget held tcp "/v1/service/traefik?index=$I&wait=20s"
held 1
admin /admin/reset_index '{"index":0,"wake":true}'
wait "$BG" || true
dt=$(lat "POST /admin/reset_index " "index=$I&wait=20s status=")
[ "$dt" -lt 100 ] || fail "reset with wake: $dt ms"
[ "$(hdr X-Nomad-Index "$T/held.head")" = 1 ] ||
	fail "index 0 is not floored at 1"
admin /admin/register "{\"service\":\"traefik\",\"alloc\":\"$A\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":80}"
admin /admin/register "{\"service\":\"traefik\",\"alloc\":\"$A\",\"node\":\"$NODE\",\"address\":\"198.51.100.11\",\"port\":81}"
get tcp "/v1/service/traefik?index=1&wait=5s"
has_hdr X-Nomad-Index 2 "two registrations after the reset to 0"
lt "$TT" 0.5 || fail "index 2 > 1 must not block ($TT s)"
ok "index reset: held until the wait ($tw s), or at once with wake; floor 1"

# ---- 10. a state file, SIGHUP, addresses ----
cat >"$T/state.json" <<EOF
{"tokens": {"t2": "workload"},
 "services": [{"ServiceName": "traefik", "AllocID": "$A", "NodeID": "$NODE",
               "Address": "203.0.113.7", "Port": 80, "CreateIndex": 7,
               "ModifyIndex": 7}]}
EOF
"$PY" "$AGENT" --unix "$T/api2.sock" --state "$T/state.json" \
	--admin 127.0.0.1:4648 --ready "$T/ready2" \
	--log-file "$T/requests2.txt" >"$T/agent2.log" 2>&1 &
P_AGENT2=$!
PIDS="$PIDS $P_AGENT2"
wait_for 10 test -s "$T/ready2" || fail "agent2 did not start"
CRC=0
curl -s --unix-socket "$T/api2.sock" -H "X-Nomad-Token: t2" -D "$T/head" \
	-o "$T/body" "http://localhost/v1/service/traefik" || CRC=$?
has_hdr X-Nomad-Index 7 "state file"
[ "$(json_q 'd[0]["Address"]')" = 203.0.113.7 ] || fail "state file body"
curl -s --unix-socket "$T/api2.sock" -H "X-Nomad-Token: t2" \
	-D "$T/hup.head" -o "$T/hup.body" \
	"http://localhost/v1/service/traefik?index=7&wait=20s" &
P=$!
held 1 http://127.0.0.1:4648
sed 's/203.0.113.7/2001:db8::7/' "$T/state.json" >"$T/state.new"
mv "$T/state.new" "$T/state.json"
kill -HUP "$P_AGENT2"
wait "$P" || true
dt=$(lat "SIGHUP: state reloaded" "index=7&wait=20s status=" "$T/requests2.txt")
[ "$dt" -lt 100 ] || fail "SIGHUP woke the watcher after $dt ms"
[ "$(json_q 'd[0]["Address"]' "$T/hup.body")" = 2001:db8::7 ] ||
	fail "SIGHUP: $(cat "$T/hup.body")"
[ "$(hdr X-Nomad-Index "$T/hup.head")" -gt 7 ] || fail "SIGHUP: index"
stop_pid "$P_AGENT2"
[ ! -e "$T/api2.sock" ] || fail "agent2 left its socket behind"
if "$PY" "$AGENT" --unix "$T/x.sock" --address 10.0.0.1 2>"$T/x.err"; then
	fail "an address outside the documentation ranges was taken"
fi
grep -q "outside" "$T/x.err" || fail "no reason: $(cat "$T/x.err")"
admin_rc=0
curl -s -f -o /dev/null -X POST -d '{"service":"x","alloc":"y","address":"192.0.2.1"}' \
	"$ADM/admin/register" || admin_rc=$?
[ "$admin_rc" = 22 ] || fail "admin took 192.0.2.1 ($admin_rc)"
ok "state file, SIGHUP reload wakes watchers ($dt ms), addresses checked"

# ---- 11. the log ----
grep -q "via=unix GET /v1/service/traefik status=401 ms=" "$T/requests.txt" ||
	fail "no 401 in the log"
grep -q "via=tcp GET /v1/service/traefik status=500 ms=[0-9.]* fault=500" \
	"$T/requests.txt" || fail "no fault in the log"
n=$(wc -l <"$T/requests.txt")
ok "every request logged ($n lines)"
stop_pid "$AGENT_PID"
[ ! -e "$T/api.sock" ] || fail "the agent left its socket behind"
ok "the agent stops on SIGTERM"
