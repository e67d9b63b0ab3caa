#!/usr/bin/python3
"""nomad_agent.py - a stand-in Nomad agent for nomcast's tests.  Python 3
standard library only.

It serves the shapes of ../shared/nomad-api/README.md (the notes): the
HTTP API of a Nomad client agent, as far as nomcast reads it, over the
Task API unix socket, TCP and/or HTTPS, with Nomad's own status codes,
plain-text error bodies, headers and blocking-query rules.  A test
changes its state through an admin HTTP endpoint on a separate TCP port
(or a state file and SIGHUP), drives a Nomad client's own moves (stop an
alloc, update its checks in place, lose the raft leader) and makes the
agent misbehave on demand (fault modes).

  nomad_agent.py [--unix PATH] [--listen HOST:PORT] [--admin HOST:PORT]
      [--tls-listen HOST:PORT --tls-cert FILE --tls-key FILE
       [--tls-client-ca FILE]]
      [--state FILE | --alloc ID --service NAME --node ID --check NAME ...]
      [--acl] [--token SECRET] [--ready FILE] [--log-file FILE]

At least one of --unix, --listen and --tls-listen.  A port of 0 picks a
free one; the --ready file then tells which (lines "unix PATH", "tcp
HOST:PORT", "tls HOST:PORT", "admin HOST:PORT", written once everything
listens).

--tls-listen serves the same API as --listen over HTTPS (Python's ssl
module, the PEM certificate and key given), with TCP's semantics
everywhere: tokens matter only with ACLs on, gzip when asked, "No
cluster leader".  With --tls-client-ca a client certificate signed by
that CA is required (mutual TLS, Nomad's verify_https_client): a client
without one fails the handshake.  The handshake runs in the
connection's own thread with Nomad's default https_handshake_timeout
(5 s), so a client that stalls it holds up no other; a failed handshake
is logged ("via=tls handshake from ADDR failed: REASON").  The Task API
socket never has TLS (notes 6).

API (section numbers are the notes'):
  GET /v1/service/NAME            s1, blocking; namespace, filter (go-bexpr
                                  subset), index, wait, stale (which
                                  matters only without a leader)
  GET /v1/services                s2, blocking; namespace (also "*")
  GET /v1/allocation/ID           s4, blocking on the alloc's ModifyIndex
  GET /v1/allocation/ID/services  s1, blocking
  GET /v1/client/allocation/ID/checks, GET /v1/allocation/ID/checks
                                  s3, no blocking, no index headers
  anything else                   404 with an empty body, as Nomad's mux

Blocking (s5): the answer comes when the index the endpoint reports is
greater than ?index or when the wait (Go duration, default and maximum 5m,
plus up to wait/16 of jitter) has passed; without ?index, or with 0, at
once.  The service endpoints report the index of the whole
service_registrations table, floored at 1, but what wakes a held query
is narrower.  /v1/service/NAME wakes only on a change to the
registrations of its own (namespace, NAME), or on a snapshot restore
(POST /admin/state, SIGHUP, /admin/reset_index): a change to another
service leaves it held, though the next query answers at once if the
table index passed its ?index meanwhile.  (Nomad may also wake a query
for a name that has no registration at all when a neighbouring key of
its memdb radix index changes: go-immutable-radix's SeekPrefixWatch
watches the deepest node that exists.  Not modelled: such a query wakes
only when its own name changes.)  /v1/services and
/v1/allocation/ID/services wake on any change of the table;
/v1/allocation/ID answers once its alloc's ModifyIndex (for a missing
alloc the allocs table's index) passes ?index.  On expiry the answer is
that of the query's last run, as in blockingRPC (it is not run again),
so its index may lag the table's.  A watcher whose client has gone is
dropped.

Tokens (s6).  On the unix socket every request needs one (X-Nomad-Token
or "Authorization: Bearer"), ACLs on or off: none -> 401 "Unauthorized".
The socket's middleware parses ?wait and ?index before it looks at the
token, and appends "Bad Request" to parseWait's body: a bad wait there is
400 "Invalid wait timeBad Request" (command/agent/http.go:authMiddleware),
on TCP 400 "Invalid wait time".  Then ACL.WhoAmI.  With ACLs off any
non-empty token passes (a workload identity, an ACL secret, any string).
With ACLs on, a token the agent knows ("tokens" in the state, whatever
its shape) passes unless it is expired, or is a workload identity bound
to an alloc ("alloc" in its spec) that is gone or client-terminal
(ClientStatus complete, failed or lost: auth.go's ClientTerminalStatus;
before 1.7 Nomad used TerminalStatus, which counts DesiredStatus stop
too): those get 500 "Server error authenticating request\\n".  A token it
does not know is classified by its shape, as nomad/auth does: one that
looks like a UUID (8-4-4-4-12 hex digits, helper.IsUUID) is looked up as
an ACL secret, not found -> 403 "Forbidden"; anything else is verified as
a workload identity JWT, and that fails whether or not it has a JWT's
shape (three dot-separated base64url segments: then it is signed by no
key of this cluster; otherwise it is malformed) -> 500 "Server error
authenticating request\\n".  The log line of such an answer says why:
auth=unknown-secret, unknown-jwt, malformed-jwt, expired, alloc-gone or
alloc-terminal.  On TCP (and TLS) tokens matter only with ACLs on: none
-> the anonymous policy; unknown, expired or a terminal alloc's -> 403
"Permission denied" (the notes' row for an unknown ACL secret on these
endpoints; for an expired token over TCP the notes say nothing, so this
is a guess); a missing capability -> 403 "Permission denied".
Capabilities as the notes' table: the service endpoints let any workload
identity read one namespace; checks, allocation and allocation services
need read-job.

Leadership (s5, s6): POST /admin/leader {"leader": false} makes the
cluster lose its leader (no quorum).  From then on, on the socket, every
request that has a token gets 500 "Server error authenticating
request\\n": ACL.WhoAmI is forwarded to the leader (without a token it is
still 401, and a bad ?wait or ?index still 400: no RPC is needed for
those).  Over TCP (and TLS) every request to the endpoints above gets
500 "No cluster leader" once its query is parsed (a bad ?wait is still
400; other paths answer as usual).  The exception, on every listener:
GET /v1/service/NAME and GET /v1/allocation/ID with ?stale, ?stale= or
a true Go bool (stale=true, 1, t, ...).  Then WhoAmI and the read may go to any server, so the token
is checked as usual and the answer comes from the state, frozen as the
leader left it, with X-Nomad-Knownleader: false and
X-Nomad-Lastcontact: the milliseconds since the leader was lost
(growing; taken when the query last ran).  A blocking stale query blocks
as usual: nothing can wake it but a restore.  Nothing that is a raft
write can happen: /admin/register, deregister, stop_alloc,
inplace_update, alloc, acl and token answer 409 {"error": "no cluster
leader: ..."}.  They are refused, not queued: the test does them again
once the leader is back.  /admin/check still works (check results live
on the client), but the checks endpoint answers the 500 above.
/admin/state, /admin/reset_index, faults and stats work as ever.
{"leader": true} brings the leader back: KnownLeader true, LastContact
0.  Not modelled: a non-stale query held when the leader goes keeps
blocking and answers on expiry; ?stale on /v1/services and
/v1/allocation/ID/services (Nomad serves those stale too; here they
answer 500);
the checks endpoint served by the client alone (by code reading, and
unverified: over TCP with ACLs off it needs no server, and over the
socket only WhoAmI does, so ?stale there would pass; here it is 500 like
the rest); a ?stale value that is not a Go bool (Nomad writes a 400 of
its own; here it counts as not stale).

Encoding: compact JSON; over TCP (and TLS) an answer of at least 1400
bytes is gzipped when the request accepts gzip, and every answer there
has "Vary: Accept-Encoding" (the compression handler's); the Task API
socket's server has no compression handler: never gzip, no Vary.  An
answer over 2048 bytes goes out chunked, as Go's server does.

Deliberately not modelled (beyond what the paragraphs above say):
paging (per_page, next_token), choose, ?pretty, ?region, DELETE of a
registration (501), other Nomad endpoints (404).  The filter knows ==,
!=, is [not] empty, [not] in, [not] contains, [not] matches, and, or,
not and parentheses over the registration's top-level fields; its syntax
errors have go-bexpr's form ("1:9 (8): no match found, expected: ...")
but the list of what was expected is this parser's.  Checks never run on
their own: a result changes only by /admin/check, or by the single first
run after /admin/inplace_update (no interval, no timeout, no
success_before_passing).  A client upgrade that changes the check-ID
hash (2.0.5: md5 to sha256) has the same effect as an in-place update:
use that.  An in-place update does not touch the registrations (Nomad
re-registers only a service whose definition changed).  Task-level
services register as group ones do (their timing is UNVERIFIED in the
notes).  /checks is always answered by this client: an alloc it does not
know is 404 "Unknown allocation" without the RPC prefix a forwarded
request may carry.  gzip starts at gziphandler's 1400 bytes (a Nomad
built with gorilla's CompressHandler compresses any size, and deflate).

State (JSON, --state or POST /admin/state):
  {"acl": false,
   "index": 1051,                 raft index (default: the highest seen)
   "service_index": 1051,         service_registrations table index
   "services": [ registration, ... ]       Nomad's ServiceRegistration
       (missing fields are filled in; the fields that name the instance:
        ServiceName, AllocID, NodeID, Address, Port)
   "allocs": {ID: allocation, ...}         served as is by /v1/allocation
   "checks": {ALLOC: null | {CHECKID: result, ...} | [result, ...]}
       the client's check store (s3).  null means the alloc's services
       have no checks at all, or its results were purged at stop; never
       "not run yet" (that is a "pending" stub); {} is what an update
       that removed every check leaves.  An alloc in "allocs" without an
       entry here answers null (it has no checks).
   "tokens": {SECRET: {"kind": "workload"|"acl", "read_job": ["default"],
                       "expired": false, ["alloc": ID]}}
       (the command line's --token is a workload identity of --alloc)
   "anonymous": [namespaces the anonymous policy may read-job]}
Leadership is not part of the state (see Leadership): the known_leader
and last_contact keys of older state files are ignored.
Addresses must be in 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32.

Admin (--admin HOST:PORT; JSON bodies; answers JSON):
  GET  /admin/state               the state, as loaded by POST
  POST /admin/state               replace the state (indexes move forward)
  POST /admin/register            {service, alloc, node, address, port,
                                   [namespace, tags, job, datacenter,
                                   group, port_label, checks]}: checks,
                                   names or {check, [mode, task]}, get a
                                   "pending" stub each ("nomad: waiting to
                                   run", Timestamp now, no StatusCode)
                                   unless the alloc has a result of that
                                   name already, as the checks hook's
                                   Prerun; they stay pending until
                                   /admin/check sets them.  With checks
                                   the answer is {ok, index, checks: [IDs
                                   stored]}
  POST /admin/deregister          {service, [alloc, namespace]}
  POST /admin/check               {alloc, check, status, [output,
                                   status_code, service, mode, task,
                                   timestamp]} or
                                  {alloc, results: null|{}|[...]} or
                                  {alloc, check, delete: true}; a check is
                                  found by (service, check) names, under
                                  whatever ID in-place updates gave it
  POST /admin/stop_alloc          {alloc, [shutdown_delay_ms: 0]}: the
                                  client stopping the alloc: DesiredStatus
                                  stop, then every registration of the
                                  alloc deregistered (PreKill; a raft
                                  write each), then, shutdown_delay_ms
                                  later, its check results purged: the
                                  checks endpoint answers null while the
                                  client knows the alloc (404 once
                                  /admin/alloc deletes it).  Answers {ok,
                                  index, deregistered: [IDs],
                                  purge_in_ms}
  POST /admin/inplace_update      {alloc, [service], [interval_ms: 2000],
                                   [result: "previous"|"success"|
                                   "failure"], [output, status_code]}: an
                                  in-place job update that changes the
                                  definition of every check of the alloc
                                  (or of that service's): each old ID is
                                  dropped and a "pending" stub stored
                                  under a new ID (the hash takes a
                                  per-check generation), all at one
                                  instant (one plan); the alloc's
                                  ModifyIndex moves.  interval_ms/2 later
                                  each check runs: the entry under its
                                  new ID gets the result, with a fresh
                                  Timestamp: "previous" = the status,
                                  output and status code it had before
                                  the update; "success"/"failure" = an
                                  HTTP check's ("nomad: http ok" and 200,
                                  or connection refused), or output and
                                  status_code.  A stub replaced meanwhile
                                  (/admin/check, another update, a purge,
                                  a new state) is left as it is.  Answers
                                  {ok, checks: [new IDs], replaced: {old:
                                  new}, first_run_in_ms}; the run is
                                  logged ("inplace_update: alloc=ID
                                  checks=N ran").  Nomad's minimum
                                  interval is 1 s; shorter ones are
                                  allowed here to keep tests fast
  POST /admin/alloc               {alloc, [set: {field: value}], [task,
                                   state], [delete: true]}
  POST /admin/leader              {leader: true|false}: see Leadership;
                                  answers {leader, known_leader,
                                  last_contact_ms}
  GET  /admin/leader              the same
  POST /admin/acl                 {enabled, [anonymous]}
  POST /admin/token               {token, [kind, read_job, expired,
                                   alloc, delete]}
  POST /admin/reset_index         {[index: 1], [wake: false]}: the state
                                  restored with every index at INDEX (a
                                  snapshot restore: every held query runs
                                  again) but held watchers stay held
                                  (Nomad blocks while the index is <=
                                  theirs) unless wake
  POST /admin/fault               {mode, [count, endpoint, via, ms, status,
                                   body]}; mode "clear" removes them all
  GET  /admin/fault               the faults in force
  GET  /admin/stats               requests served, by endpoint, and
                                  "held": the requests held right now
                                  (blocking queries and hangs)
  POST /admin/stats               reset the counters
Every change bumps the index it touches and wakes, at once, the blocked
queries that watch it (see Blocking).
SIGHUP reloads --state.

Fault modes (the first fault in force that matches a request applies,
before authentication: they stand for a sick agent or network; "count"
limits one to that many requests, "endpoint" to one of service, services,
alloc, alloc_services, checks or a path prefix, "via" to unix, tcp or
tls):
  slow         answer after "ms" milliseconds (default 1000)
  hang         never answer until the fault is cleared or the client goes
  500          status 500 with Nomad's body: on the unix socket "Server
               error authenticating request\\n" (WhoAmI fails first when
               no server answers), on TCP and TLS "No cluster leader"; or
               "body".  (For a real leader outage see Leadership.)
  garbage      200, application/json, a body that is not JSON
  truncated    the headers with the full Content-Length, half the body,
               then close
  close        the headers, then close before any byte of the body
  index_reset  the answer at once, with X-Nomad-Index: 1
  403          "Permission denied" (or "body")
  401          "Unauthorized"
  reset        close with a TCP reset before answering
  status       status "status" with "body"

Each request is logged as one line to stderr (and --log-file), when its
answer has gone out: "EPOCH via=unix|tcp|tls|admin METHOD TARGET
status=N ms=DURATION [NOTE]"; status=gone when the client left first.
NOTE is fault=MODE, auth=WHY (see Tokens) or no-leader.  Admin actions
that act later log a line of their own (inplace_update, stop_alloc).
"""

import argparse
import copy
import gzip
import hashlib
import ipaddress
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
from email.utils import formatdate
from urllib.parse import parse_qsl, urlsplit

FIXTURE_ALLOC = "5b3d8f2e-7c1a-4e9b-a0d4-2f6c8e1b9a73"
FIXTURE_NODE = "f2a1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
# the other instances of fixtures/service-traefik-3nodes.json: alloc, node,
# address, CreateIndex and ModifyIndex past the first registration's
FIXTURE_OTHERS = [
    ("9e0c4a17-3b2d-4f58-b6e1-7a9d2c5f8e04",
     "6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f", "198.51.100.12", 3, 3),
    ("c41f7b22-8d6e-4a03-9f15-e2b7a8c9d061",
     "0a9b8c7d-6e5f-4a3b-8c1d-2e3f4a5b6c7d", "198.51.100.13", 5, 9),
]
FIXTURE_CHECK_IDS = {
    (FIXTURE_ALLOC, "traefik", "traefik-ping"):
        "60d7a36986a02a75a1674875db634547768016a12ace8a0d1edd411937b1f89a",
    (FIXTURE_ALLOC, "traefik-https", "traefik-https-tcp"):
        "843b6a847214962e3739df07d2848cf399dda8bc19ebaf7c151bd16493a5c074",
}
DEFAULT_TOKEN = ("eyJhbGciOiJSUzI1NiIsImtpZCI6InN0YW5kLWluIiwidHlwIjoiSldUIn0."
                 "eyJub21hZF9uYW1lc3BhY2UiOiJkZWZhdWx0Iiwibm9tYWRfdGFzayI6Im5v"
                 "bWNhc3QifQ.c3RhbmQtaW4tc2lnbmF0dXJl")
# helper.IsUUID; a JWT is three base64url segments (header.payload.signature)
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
# Allocation.ClientTerminalStatus
CLIENT_TERMINAL = ("complete", "failed", "lost")
POLLRDHUP = getattr(select, "POLLRDHUP", 0x2000)
# Nomad's limits.https_handshake_timeout default
TLS_HANDSHAKE_TIMEOUT = 5.0
ALLOWED_NETS = [ipaddress.ip_network(n) for n in
                ("198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]

# s5: MaxBlockingRPCQueryTime = DefaultBlockingRPCQueryTime = 300s,
# JitterFraction = 16
MAX_WAIT_NS = 300 * 10**9
JITTER_FRACTION = 16

# Go's http server: a handler's output up to this size gets a
# Content-Length, anything larger goes out chunked
GO_BUFFER_BEFORE_CHUNKING = 2048
# gziphandler's DefaultMinSize
GZIP_MIN_SIZE = 1400

REG_FIELDS = ["ID", "ServiceName", "Namespace", "NodeID", "Datacenter",
              "JobID", "AllocID", "Tags", "Address", "Port", "CreateIndex",
              "ModifyIndex"]
CHECK_FIELDS = ["ID", "Mode", "Status", "StatusCode", "Output", "Timestamp",
                "Group", "Task", "Service", "Check"]

ERR_NOT_FOUND_ALLOC = "alloc not found"
ERR_ALLOC_NOT_FOUND = "allocation not found"
ERR_RESOURCE = "resource not found"
ERR_METHOD = "Invalid method"
ERR_PERM = "Permission denied"
ERR_AUTH500 = "Server error authenticating request\n"
ERR_NO_LEADER = "No cluster leader"
# admin changes that are raft writes in Nomad: refused without a leader
RAFT_WRITES = ("/admin/register", "/admin/deregister", "/admin/stop_alloc",
               "/admin/inplace_update", "/admin/alloc", "/admin/acl",
               "/admin/token")

REASONS = {200: "OK", 307: "Temporary Redirect", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented",
           502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}


class UsageError(Exception):
    pass


# ---- Go's time.ParseDuration ----

_DUR_UNITS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3,
              "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_DUR_NUM = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def parse_go_duration(s):
    """nanoseconds, or ValueError where Go's time.ParseDuration fails"""
    orig = s
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise ValueError("invalid duration %r" % orig)
    total = 0
    while s:
        m = _DUR_NUM.match(s)
        ipart, fpart = m.group(1), m.group(2)
        if not ipart and not fpart:
            raise ValueError("invalid duration %r" % orig)
        s = s[m.end():]
        j = 0
        while j < len(s) and s[j] != "." and not s[j].isdigit():
            j += 1
        unit = s[:j]
        s = s[j:]
        if unit not in _DUR_UNITS:
            raise ValueError("unknown unit %r in duration %r" % (unit, orig))
        scale = _DUR_UNITS[unit]
        v = int(ipart or "0") * scale
        if fpart:
            v += int(fpart) * scale // (10 ** len(fpart))
        total += v
        if total > (2**63 if neg else 2**63 - 1):
            raise ValueError("invalid duration %r" % orig)
    return -total if neg else total


# ---- go-bexpr, the subset nomcast uses (and a little more) ----

_EXP_START = ('"(", "-", "0", "\\"", "`", "not", [ \\t\\r\\n], [1-9] or '
              '[a-zA-Z]')
_EXP_VALUE = '"-", "0", "\\"", "`", [ \\t\\r\\n], [1-9] or [a-zA-Z]'
_EXP_AFTER_SEL = '"!=", ".", "==", "[", [ \\t\\r\\n] or [a-zA-Z0-9_]'
_EXP_OP = ('"!=", "==", "contains", "in", "is", "matches", "not" or '
           '[ \\t\\r\\n]')
_EXP_IN = '"in", "not" or [ \\t\\r\\n]'
_EXP_END = '"and", "or", [ \\t\\r\\n] or EOF'
_EXP_END_PAREN = '")", "and", "or" or [ \\t\\r\\n]'
_EXP_SELECTOR = '"\\"", [ \\t\\r\\n] or [a-zA-Z]'


class BexprError(Exception):
    pass


class BexprEvalError(Exception):
    pass


class Bexpr:
    """A parser for go-bexpr expressions: or, and, not, parentheses,
    ==, !=, is [not] empty, [not] contains, [not] matches, [not] in.
    Errors are worded as go-bexpr's (pigeon's) "L:C (OFFSET): ..."."""

    def __init__(self, text):
        self.s = text
        self.i = 0
        self.ast = self.parse()

    def where(self, i):
        before = self.s[:i]
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        return "%d:%d (%d)" % (line, col, len(before.encode("utf-8")))

    def fail(self, i, expected):
        raise BexprError("%s: no match found, expected: %s"
                         % (self.where(i), expected))

    def ws(self):
        j = self.i
        while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
            self.i += 1
        return self.i > j

    def word(self, w):
        """the keyword w at i, followed by a non-identifier character"""
        s = self.s
        if s.startswith(w, self.i):
            k = self.i + len(w)
            if k == len(s) or not (s[k].isalnum() or s[k] == "_"):
                return True
        return False

    def parse(self):
        self.ws()
        node = self.p_or(0)
        self.ws()
        if self.i != len(self.s):
            self.fail(self.i, _EXP_END)
        return node

    def p_or(self, depth):
        left = self.p_and(depth)
        while True:
            save = self.i
            had = self.ws()
            if had and self.word("or"):
                self.i += 2
                if not self.ws():
                    self.fail(self.i, "[ \\t\\r\\n]")
                left = ("or", left, self.p_and(depth))
            else:
                self.i = save
                return left

    def p_and(self, depth):
        left = self.p_not(depth)
        while True:
            save = self.i
            had = self.ws()
            if had and self.word("and"):
                self.i += 3
                if not self.ws():
                    self.fail(self.i, "[ \\t\\r\\n]")
                left = ("and", left, self.p_not(depth))
            else:
                self.i = save
                return left

    def p_not(self, depth):
        if self.word("not"):
            save = self.i
            self.i += 3
            if self.ws():
                k = self.i
                # "not" may also be a selector or unquoted value; only an
                # expression start after it makes it the unary operator
                if k < len(self.s) and (self.s[k] in "(\"`-" or
                                        self.s[k].isalnum()):
                    return ("not", self.p_not(depth))
                self.fail(self.i, _EXP_START)
            self.i = save
        return self.p_primary(depth)

    def p_primary(self, depth):
        if self.i < len(self.s) and self.s[self.i] == "(":
            self.i += 1
            self.ws()
            node = self.p_or(depth + 1)
            self.ws()
            if self.i < len(self.s) and self.s[self.i] == ")":
                self.i += 1
                return node
            self.fail(self.i, _EXP_END_PAREN)
        return self.p_match()

    def p_string(self):
        q = self.s[self.i]
        j = self.i + 1
        out = []
        while j < len(self.s):
            c = self.s[j]
            if c == q:
                self.i = j + 1
                return "".join(out)
            if c == "\\" and q == '"' and j + 1 < len(self.s):
                out.append(self.s[j + 1])
                j += 2
                continue
            out.append(c)
            j += 1
        raise BexprError('%s: rule "string": Unterminated string literal'
                         % self.where(len(self.s)))

    def p_value(self):
        """a quoted string, a number or an unquoted word, or None"""
        s, i = self.s, self.i
        if i >= len(s):
            return None
        if s[i] in "\"`":
            return self.p_string()
        m = re.compile(r"-?[0-9]+(\.[0-9]+)?").match(s, i)
        if m:
            k = m.end()
            if k < len(s) and (s[k].isalnum() or s[k] == "_"):
                raise BexprError('%s: rule "number": Invalid number literal'
                                 % self.where(k + 1))
            self.i = k
            return m.group(0)
        m = re.compile(r"[a-zA-Z][a-zA-Z0-9_/:.\-]*").match(s, i)
        if m:
            self.i = m.end()
            return m.group(0)
        return None

    def p_selector(self):
        s = self.s
        m = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*").match(s, self.i)
        if not m:
            return None
        path = [m.group(0)]
        self.i = m.end()
        while self.i < len(s):
            if s[self.i] == ".":
                m = re.compile(r"[a-zA-Z][a-zA-Z0-9_]*").match(s,
                                                               self.i + 1)
                if not m:
                    self.fail(self.i + 1, "[a-zA-Z]")
                path.append(m.group(0))
                self.i = m.end()
            elif s[self.i] == "[":
                self.i += 1
                self.ws()
                if self.i >= len(s) or s[self.i] not in "\"`":
                    raise BexprError('%s: rule "index": Invalid index'
                                     % self.where(self.i))
                path.append(self.p_string())
                self.ws()
                if self.i >= len(s) or s[self.i] != "]":
                    raise BexprError('%s: rule "index": Unclosed index '
                                     'expression' % self.where(self.i))
                self.i += 1
            else:
                break
        return path

    def p_match(self):
        s = self.s
        start = self.i
        if start < len(s) and (s[start] in "\"`-" or s[start].isdigit()):
            value = self.p_value()
            return self.p_value_in(value)
        if start >= len(s) or not s[start].isalpha():
            self.fail(start, _EXP_START)
        path = self.p_selector()
        after_sel = self.i
        had = self.ws()
        for op, name in (("==", "=="), ("!=", "!=")):
            if s.startswith(op, self.i):
                self.i += 2
                self.ws()
                v0 = self.i
                value = self.p_value()
                if value is None:
                    self.fail(v0, _EXP_VALUE)
                return ("match", name, path, value)
        if not had:
            self.fail(after_sel, _EXP_AFTER_SEL)
        neg = False
        if self.word("is"):
            self.i += 2
            self.ws()
            if self.word("not"):
                self.i += 3
                self.ws()
                neg = True
            if self.word("empty"):
                self.i += 5
                return ("match", "is not empty" if neg else "is empty",
                        path, None)
            self.fail(self.i, '"empty", "not" or [ \\t\\r\\n]')
        save = self.i
        if self.word("not"):
            self.i += 3
            self.ws()
            neg = True
        for op in ("contains", "matches"):
            if self.word(op):
                self.i += len(op)
                self.ws()
                v0 = self.i
                value = self.p_value()
                if value is None:
                    self.fail(v0, _EXP_VALUE)
                return ("match", ("not " if neg else "") + op, path, value)
        if self.word("in"):
            # the selector was a value: VALUE [not] in SELECTOR
            self.i = start
            value = self.p_value()
            return self.p_value_in(value)
        self.fail(save, _EXP_OP)

    def p_value_in(self, value):
        if not self.ws():
            self.fail(self.i, _EXP_IN)
        neg = False
        if self.word("not"):
            self.i += 3
            self.ws()
            neg = True
        if not self.word("in"):
            self.fail(self.i, _EXP_IN)
        self.i += 2
        self.ws()
        k = self.i
        path = self.p_selector()
        if path is None:
            if k < len(self.s) and (self.s[k] in "\"`-" or
                                    self.s[k].isdigit()):
                raise BexprError('%s: rule "match": Invalid selector'
                                 % self.where(k))
            self.fail(k, _EXP_SELECTOR)
        return ("match", "not in" if neg else "in", path, value)

    # -- evaluation over one registration (a dict in Nomad's shape) --

    def evaluate(self, datum):
        return self._eval(self.ast, datum)

    def _eval(self, node, datum):
        kind = node[0]
        if kind == "or":
            return self._eval(node[1], datum) or self._eval(node[2], datum)
        if kind == "and":
            return self._eval(node[1], datum) and self._eval(node[2], datum)
        if kind == "not":
            return not self._eval(node[1], datum)
        _, op, path, value = node
        cur = datum
        for n, part in enumerate(path):
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            else:
                raise BexprEvalError(
                    'error finding value in datum: /%s at part %d: '
                    "couldn't find struct field with name \"%s\""
                    % ("/".join(path), n, part))
        if op in ("==", "!="):
            if isinstance(cur, bool):
                eq = str(cur).lower() == value
            elif isinstance(cur, (int, float)):
                try:
                    eq = float(value) == cur
                except ValueError:
                    raise BexprEvalError(
                        'error evaluating match: value "%s" is not a number'
                        % value)
            else:
                eq = str(cur) == value
            return eq if op == "==" else not eq
        if op in ("is empty", "is not empty"):
            empty = cur is None or (hasattr(cur, "__len__") and len(cur) == 0)
            return empty if op == "is empty" else not empty
        if op.endswith("in") or op.endswith("contains"):
            if isinstance(cur, list):
                r = value in [str(x) for x in cur]
            else:
                r = value in str(cur)
            return not r if op.startswith("not") else r
        if op.endswith("matches"):
            r = re.search(value, str(cur)) is not None
            return not r if op.startswith("not") else r
        return False


# ---- state ----

def check_address(addr):
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise UsageError("address %r is not an IP address" % (addr,))
    if not any(ip in n for n in ALLOWED_NETS):
        raise UsageError("address %s is outside 198.51.100.0/24, "
                         "203.0.113.0/24 and 2001:db8::/32" % addr)
    return str(ip)


def make_registration(service, alloc, node, address, port, namespace="default",
                      tags=None, job="proxy", datacenter="dc1",
                      group="traefik", port_label="http", index=1, rid=None):
    return {
        "ID": rid or "_nomad-task-%s-group-%s-%s-%s" % (alloc, group, service,
                                                       port_label),
        "ServiceName": service,
        "Namespace": namespace,
        "NodeID": node,
        "Datacenter": datacenter,
        "JobID": job,
        "AllocID": alloc,
        "Tags": list(tags) if tags is not None else ["ingress", "http"],
        "Address": check_address(address),
        "Port": int(port),
        "CreateIndex": index,
        "ModifyIndex": index,
    }


def normalize_registration(r):
    if not isinstance(r, dict):
        raise UsageError("a registration must be an object")
    for k in ("ServiceName", "AllocID"):
        if not r.get(k):
            raise UsageError("a registration needs %s" % k)
    out = make_registration(
        r["ServiceName"], r["AllocID"], r.get("NodeID", FIXTURE_NODE),
        r.get("Address", "198.51.100.11"), r.get("Port", 80),
        namespace=r.get("Namespace", "default"), tags=r.get("Tags"),
        job=r.get("JobID", "proxy"), datacenter=r.get("Datacenter", "dc1"),
        index=int(r.get("ModifyIndex", r.get("CreateIndex", 1))),
        rid=r.get("ID"))
    out["CreateIndex"] = int(r.get("CreateIndex", out["ModifyIndex"]))
    for k, v in r.items():          # unknown extra fields kept, at the end
        if k not in out:
            out[k] = v
    return out


def check_id(alloc, group, service, check, gen=0):
    """a stand-in for Nomad's hash of the check definition: gen counts the
    in-place updates that changed the definition"""
    if gen == 0:
        known = FIXTURE_CHECK_IDS.get((alloc, service, check))
        if known:
            return known
    key = "%s\x00%s\x00%s\x00%s" % (alloc, group, service, check)
    if gen:
        key += "\x00%d" % gen
    return hashlib.sha256(key.encode()).hexdigest()


def pending_stub(cid, check, service, group, mode="healthiness", task=None,
                 now=None):
    """what the checks hook stores for a check before its first run"""
    c = {"ID": cid, "Mode": mode, "Status": "pending",
         "Output": "nomad: waiting to run",
         "Timestamp": int(time.time()) if now is None else now,
         "Group": group, "Service": service, "Check": check}
    if task:
        c["Task"] = task
    return {k: c[k] for k in CHECK_FIELDS if k in c}


def normalize_check(c, alloc):
    if not isinstance(c, dict):
        raise UsageError("a check result must be an object")
    out = {}
    for k in CHECK_FIELDS:
        if k in c:
            out[k] = c[k]
    out.setdefault("Mode", "healthiness")
    out.setdefault("Status", "pending")
    out.setdefault("Output", "")
    out.setdefault("Timestamp", int(time.time()))
    out.setdefault("Group", "proxy.traefik[0]")
    out.setdefault("Service", "traefik")
    out.setdefault("Check", "check")
    if not out.get("ID"):
        out["ID"] = check_id(alloc, out["Group"], out["Service"],
                             out["Check"])
    # StatusCode and Task are omitempty in Nomad's struct
    if not out.get("StatusCode"):
        out.pop("StatusCode", None)
    if not out.get("Task"):
        out.pop("Task", None)
    return {k: out[k] for k in CHECK_FIELDS if k in out}


def default_alloc(alloc, node, name="proxy.traefik[0]", job="proxy",
                  group="traefik", namespace="default", create=1040,
                  modify=1049):
    """the shape of fixtures/allocation-traefik-running.json"""
    def ev(typ, t, disp, details=None, msg=""):
        return {"Type": typ, "Time": t, "Message": msg,
                "DisplayMessage": disp, "Details": details or {},
                "FailsTask": False}
    return {
        "ID": alloc, "Namespace": namespace,
        "EvalID": "e7a1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b", "Name": name,
        "NodeID": node, "NodeName": "edge-1", "JobID": job,
        "TaskGroup": group, "DesiredStatus": "run",
        "DesiredDescription": "", "ClientStatus": "running",
        "ClientDescription": "Tasks are running", "DeploymentID": "",
        "DeploymentStatus": {"Healthy": True,
                             "Timestamp": "2026-11-25T05:40:21.511204Z",
                             "Canary": False, "ModifyIndex": modify},
        "TaskStates": {
            "nomcast": {
                "State": "running", "Failed": False, "Restarts": 0,
                "LastRestart": "0001-01-01T00:00:00Z",
                "StartedAt": "2026-11-25T05:40:02.118093Z",
                "FinishedAt": "0001-01-01T00:00:00Z",
                "Events": [
                    ev("Received", 1764049201402117000,
                       "Task received by client"),
                    ev("Task Setup", 1764049201409920000,
                       "Building Task Directory",
                       {"message": "Building Task Directory"},
                       "Building Task Directory"),
                    ev("Started", 1764049202118093000,
                       "Task started by client")]},
            "traefik": {
                "State": "running", "Failed": False, "Restarts": 0,
                "LastRestart": "0001-01-01T00:00:00Z",
                "StartedAt": "2026-11-25T05:40:04.660412Z",
                "FinishedAt": "0001-01-01T00:00:00Z",
                "Events": [
                    ev("Received", 1764049201402117000,
                       "Task received by client"),
                    ev("Driver", 1764049202211500000, "Downloading image",
                       {"image": "traefik:v3.2"}),
                    ev("Started", 1764049204660412000,
                       "Task started by client")]}},
        "CreateIndex": create, "ModifyIndex": modify,
        "AllocModifyIndex": create,
        "CreateTime": 1764049201377000000, "ModifyTime": 1764049221511000000,
    }


def default_check(alloc, service, check, status, address, group_name):
    out = {"Check": check, "Group": group_name, "Service": service,
           "Mode": "healthiness", "Status": status,
           "Timestamp": int(time.time())}
    if status == "success":
        out["Output"] = "nomad: http ok"
        out["StatusCode"] = 200
    elif status == "failure":
        out["Output"] = ('nomad: Get "http://%s:8080/ping": dial tcp '
                         '%s:8080: connect: connection refused'
                         % (address, address))
    else:
        out["Output"] = "nomad: waiting to run"
    return normalize_check(out, alloc)


class State:
    """Everything the agent knows.  Guarded by Agent.cv."""

    def __init__(self):
        self.raft = 1
        self.service_index = 1
        self.alloc_table_index = 1
        self.acl = False
        self.services = []
        self.allocs = {}
        self.checks = {}
        self.tokens = {}
        self.anonymous = []

    @staticmethod
    def from_doc(doc):
        if not isinstance(doc, dict):
            raise UsageError("the state must be a JSON object")
        st = State()
        st.acl = bool(doc.get("acl", False))
        st.services = [normalize_registration(r)
                       for r in doc.get("services") or []]
        allocs = doc.get("allocs") or {}
        if isinstance(allocs, list):
            allocs = {a["ID"]: a for a in allocs}
        for aid, a in allocs.items():
            if not isinstance(a, dict):
                raise UsageError("alloc %s must be an object" % aid)
            a = dict(a)
            a.setdefault("ID", aid)
            a.setdefault("Namespace", "default")
            a.setdefault("CreateIndex", 1)
            a.setdefault("ModifyIndex", a["CreateIndex"])
            st.allocs[aid] = a
        for aid, res in (doc.get("checks") or {}).items():
            if res is None:
                st.checks[aid] = None
            elif isinstance(res, list):
                st.checks[aid] = {}
                for c in res:
                    c = normalize_check(c, aid)
                    st.checks[aid][c["ID"]] = c
            elif isinstance(res, dict):
                st.checks[aid] = {}
                for cid, c in res.items():
                    c = dict(c)
                    c.setdefault("ID", cid)
                    st.checks[aid][cid] = normalize_check(c, aid)
            else:
                raise UsageError("checks of %s: null, a list or an object"
                                 % aid)
        for secret, spec in (doc.get("tokens") or {}).items():
            st.tokens[secret] = normalize_token(spec)
        st.anonymous = list(doc.get("anonymous") or [])
        seen = [1]
        seen += [r["ModifyIndex"] for r in st.services]
        seen += [r["CreateIndex"] for r in st.services]
        seen += [int(a.get("ModifyIndex", 1)) for a in st.allocs.values()]
        st.service_index = max([1, int(doc.get("service_index", 1))] +
                               [r["ModifyIndex"] for r in st.services])
        st.alloc_table_index = max([1] + [int(a.get("ModifyIndex", 1))
                                          for a in st.allocs.values()])
        st.raft = max(seen + [int(doc.get("index", 1)), st.service_index])
        return st

    def to_doc(self):
        return {"acl": self.acl, "index": self.raft,
                "service_index": self.service_index,
                "services": self.services, "allocs": self.allocs,
                "checks": self.checks, "tokens": self.tokens,
                "anonymous": self.anonymous}

    def alloc_known(self, aid):
        """on this client: in the allocs or with check results"""
        return aid in self.allocs or aid in self.checks


def normalize_token(spec):
    if isinstance(spec, str):
        spec = {"kind": spec}
    if not isinstance(spec, dict):
        raise UsageError("a token spec must be an object or a kind")
    kind = spec.get("kind", "workload")
    if kind not in ("workload", "acl"):
        raise UsageError("token kind must be workload or acl")
    rj = spec.get("read_job", ["default"])
    if rj is True:
        rj = ["*"]
    elif not rj:
        rj = []
    out = {"kind": kind, "read_job": list(rj),
           "expired": bool(spec.get("expired", False))}
    if spec.get("alloc"):
        out["alloc"] = str(spec["alloc"])
    return out


def build_default_state(a):
    """the state of the command-line options: one registration of the
    service for the alloc (and --others more on other nodes), its checks,
    the alloc, and the token"""
    idx = a.index
    st = {"acl": a.acl, "services": [], "allocs": {}, "checks": {},
          "tokens": {a.token: {"kind": "workload", "alloc": a.alloc,
                               "read_job": [] if a.no_read_job
                               else [a.namespace]}},
          "anonymous": []}
    addr = check_address(a.address)
    if not a.no_register:
        st["services"].append(make_registration(
            a.service, a.alloc, a.node, addr, a.port, namespace=a.namespace,
            job=a.job, group=a.group, index=idx))
    for n in range(a.others):
        if n < len(FIXTURE_OTHERS):
            oalloc, onode, oaddr, dc, dm = FIXTURE_OTHERS[n]
        else:
            dc = dm = 3 + 2 * n
            h = hashlib.sha256(b"other%d" % n).hexdigest()
            oalloc = "%s-%s-4%s-8%s-%s" % (h[0:8], h[8:12], h[13:16],
                                           h[17:20], h[20:32])
            onode = "%s-%s-4%s-9%s-%s" % (h[32:40], h[40:44], h[45:48],
                                          h[49:52], h[52:64])
            oaddr = "198.51.100.%d" % (12 + n)
        reg = make_registration(
            a.service, oalloc, onode, oaddr, a.port, namespace=a.namespace,
            job=a.job, group=a.group, index=idx + dm)
        reg["CreateIndex"] = idx + dc
        st["services"].append(reg)
    name = "%s.%s[0]" % (a.job, a.group)
    st["allocs"][a.alloc] = default_alloc(a.alloc, a.node, name=name,
                                          job=a.job, group=a.group,
                                          namespace=a.namespace,
                                          create=idx - 2, modify=idx + 7)
    checks = a.check if a.check else ["traefik-ping"]
    if a.no_checks:
        st["checks"][a.alloc] = None
    else:
        st["checks"][a.alloc] = [default_check(a.alloc, a.service, c,
                                               a.check_status, addr, name)
                                 for c in checks]
    return st


# ---- HTTP ----

class Request:
    def __init__(self, via, sock, method, target, version, headers, body):
        self.via = via
        self.sock = sock
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers          # lower-case name -> first value
        self.body = body
        parts = urlsplit(target)
        self.path = parts.path
        self.raw_query = parts.query
        self.query = {}
        # Go's url.ParseQuery: '&' separates, a pair with ';' is dropped,
        # Query().Get gives the first value
        for pair in parts.query.split("&"):
            if not pair or ";" in pair:
                continue
            for k, v in parse_qsl(pair, keep_blank_values=True):
                self.query.setdefault(k, v)
        self.t0 = time.monotonic()
        self.lead = None                # leader meta at the query's last run

    def client_gone(self):
        if self.via == "tls":
            # TLS records (a close_notify) may sit unread before the FIN:
            # ask the kernel whether the peer has shut its side
            p = select.poll()
            p.register(self.sock.fileno(), select.POLLIN | POLLRDHUP)
            for _, ev in p.poll(0):
                if ev & (POLLRDHUP | select.POLLHUP | select.POLLERR |
                         select.POLLNVAL):
                    return True
            return False
        try:
            data = self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True
        return data == b""


class Response:
    def __init__(self, status, body=b"", headers=None, json_body=False):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = dict(headers or {})
        self.json = json_body
        self.note = ""


def go_json(obj):
    return json.dumps(obj, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def json_response(obj, meta=None):
    r = Response(200, go_json(obj), json_body=True)
    if meta is not None:
        r.headers.update(meta)
    return r


def error_response(status, text, meta=None):
    r = Response(status, text)
    if meta is not None:
        r.headers.update(meta)
    return r


def read_request(sock, buf, limit=1 << 20):
    """(method, target, version, headers, body, rest) or None at EOF;
    ValueError on a malformed request"""
    while b"\r\n\r\n" not in buf:
        if len(buf) > limit:
            raise ValueError("header too large")
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    while lines and lines[0] == "":
        lines.pop(0)
    if not lines:
        raise ValueError("empty request")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError("bad request line")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), v.strip())
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            while b"\r\n" not in rest:
                data = sock.recv(65536)
                if not data:
                    return None
                rest += data
            line, rest = rest.split(b"\r\n", 1)
            n = int(line.split(b";")[0].strip() or b"0", 16)
            while len(rest) < n + 2:
                data = sock.recv(65536)
                if not data:
                    return None
                rest += data
            body += rest[:n]
            rest = rest[n + 2:]
            if n == 0:
                break
    else:
        n = int(headers.get("content-length", "0") or "0")
        while len(rest) < n:
            data = sock.recv(65536)
            if not data:
                return None
            rest += data
        body, rest = rest[:n], rest[n:]
    return parts[0], parts[1], parts[2], headers, body, rest


def render_head(status, headers, body_len=None, chunked=False, close=False,
                sniffed=None):
    """the status line and headers in Go's order: the handler's headers
    sorted, then Content-Type (when Go sniffed it), Connection,
    Transfer-Encoding, Date, Content-Length"""
    h = dict(headers)
    ctype = sniffed
    out = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
    for k in sorted(h):
        out.append("%s: %s" % (k, h[k]))
    if ctype:
        out.append("Content-Type: %s" % ctype)
    if close:
        out.append("Connection: close")
    if chunked:
        out.append("Transfer-Encoding: chunked")
    out.append("Date: %s" % formatdate(usegmt=True))
    if not chunked and body_len is not None:
        out.append("Content-Length: %d" % body_len)
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def finish_response(req, resp):
    """(head bytes, body bytes as sent) as Go's net/http with Nomad's
    gzip handler would write them"""
    headers = dict(resp.headers)
    # the HTTP servers wrap their mux in a compression handler, which adds
    # Vary to every answer and gzips when asked; the Task API server
    # (newAuthMiddleware around the mux) has none
    compress = req.via != "unix"
    if compress:
        headers.setdefault("Vary", "Accept-Encoding")
    body = resp.body
    sniffed = None
    if resp.json:
        # set by Nomad's wrap(): one of the handler's headers
        headers["Content-Type"] = "application/json"
    elif body and "Content-Type" not in headers:
        # an error body written without a type: Go sniffs it
        sniffed = "text/plain; charset=utf-8"
    chunked = False
    if (compress and "gzip" in req.headers.get("accept-encoding", "")
            and len(body) >= GZIP_MIN_SIZE):
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
        chunked = True
    elif len(body) > GO_BUFFER_BEFORE_CHUNKING:
        chunked = True
    close = req.headers.get("connection", "").lower() == "close"
    head = render_head(resp.status, headers, len(body), chunked, close,
                       sniffed)
    if chunked:
        wire = b""
        for i in range(0, len(body), 4096):
            piece = body[i:i + 4096]
            wire += b"%x\r\n" % len(piece) + piece + b"\r\n"
        wire += b"0\r\n\r\n"
        return head, wire, close
    return head, body, close


# ---- the agent ----

class Ident:
    """who made a request: all=True when no ACL applies"""

    def __init__(self, all_=False, workload=False, read_job=(), error=None):
        self.all = all_
        self.workload = workload
        self.read_job = list(read_job)
        self.error = error          # a deferred 403 (TCP, unknown token)

    def can_read_job(self, ns):
        return self.all or "*" in self.read_job or ns in self.read_job


class Fault:
    _next = 1

    def __init__(self, spec):
        self.id = Fault._next
        Fault._next += 1
        self.mode = str(spec.get("mode", ""))
        if self.mode not in ("slow", "hang", "500", "garbage", "truncated",
                             "close", "index_reset", "403", "401", "reset",
                             "status"):
            raise UsageError("unknown fault mode %r" % self.mode)
        self.count = spec.get("count")
        if self.count is not None:
            self.count = int(self.count)
        self.endpoint = spec.get("endpoint")
        self.via = spec.get("via")
        if self.via not in (None, "unix", "tcp", "tls"):
            raise UsageError("via: unix, tcp or tls")
        self.ms = int(spec.get("ms", 1000))
        self.status = int(spec.get("status", 500))
        self.body = spec.get("body")
        self.hits = 0

    def matches(self, req, endpoint):
        if self.via and self.via != req.via:
            return False
        if self.endpoint:
            if self.endpoint.startswith("/"):
                if not req.path.startswith(self.endpoint):
                    return False
            elif self.endpoint != endpoint:
                return False
        return True

    def describe(self):
        d = {"id": self.id, "mode": self.mode, "hits": self.hits}
        for k in ("count", "endpoint", "via", "body"):
            if getattr(self, k) is not None:
                d[k] = getattr(self, k)
        if self.mode == "slow":
            d["ms"] = self.ms
        if self.mode == "status":
            d["status"] = self.status
        return d


def endpoint_of(path):
    if path.startswith("/v1/service/"):
        return "service"
    if path == "/v1/services":
        return "services"
    if path.startswith("/v1/client/allocation/"):
        t = path[len("/v1/client/allocation/"):].split("/")
        return "checks" if len(t) == 2 and t[1] == "checks" else "other"
    if path.startswith("/v1/allocation/"):
        t = path[len("/v1/allocation/"):].split("/")
        if len(t) == 1:
            return "alloc"
        if len(t) == 2:
            return {"services": "alloc_services",
                    "checks": "checks"}.get(t[1], "other")
    return "other"


def is_stale(req):
    """command/agent/http.go:parseConsistency: ?stale, ?stale= or a Go
    bool that is true"""
    if "stale" not in req.query:
        return False
    return req.query["stale"] in ("", "1", "t", "T", "TRUE", "true", "True")


def parse_token(headers):
    """command/agent/http.go:parseToken"""
    t = headers.get("x-nomad-token", "")
    if t:
        return t.strip()
    auth = headers.get("authorization", "")
    if auth:
        parts = auth.split(" ")
        if len(parts) > 1 and parts[0].lower() == "bearer":
            value = " ".join(parts[1:]).strip()
            return value.split(" ")[0].strip()
    return ""


class Agent:
    def __init__(self, args, state):
        self.args = args
        self.cv = threading.Condition()
        self.st = state
        self.faults = []
        self.wake_gen = 0
        # raft leadership as this agent sees it (POST /admin/leader)
        self.leader = True
        self.leader_lost = None
        # what wakes a held /v1/service/NAME: a change to the
        # registrations of its (namespace, name), or a snapshot restore
        self.reg_gen = {}
        self.restore_gen = 0
        # in-place updates of each check definition, by (alloc, group,
        # service, check): the generation that goes into its new ID
        self.check_gen = {}
        self.held = 0               # requests held (blocking or hang)
        self.stats = {}
        self.stats_since = time.time()
        self.log_lock = threading.Lock()
        self.logf = open(args.log_file, "a", buffering=1) \
            if args.log_file else None
        self.jitter = not args.no_jitter

    # -- logging --

    def log(self, line):
        line = "%.6f %s" % (time.time(), line)
        with self.log_lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            if self.logf is not None:
                self.logf.write(line + "\n")

    def log_request(self, req, status, note=""):
        ms = (time.monotonic() - req.t0) * 1000.0
        self.log("via=%s %s %s status=%s ms=%.1f%s" % (
            req.via, req.method, req.target,
            status, ms, (" " + note) if note else ""))

    # -- connections --

    def serve_tls(self, raw, ctx):
        """the TLS handshake, in the connection's own thread (a client
        that never finishes it holds only this thread, for at most the
        handshake timeout), then HTTP as on TCP"""
        try:
            peer = "%s:%d" % raw.getpeername()[:2]
        except OSError:
            peer = "?"
        try:
            raw.settimeout(TLS_HANDSHAKE_TIMEOUT)
            sock = ctx.wrap_socket(raw, server_side=True)
            sock.settimeout(None)
        except (OSError, ValueError) as e:
            self.log("via=tls handshake from %s failed: %s" % (peer, e))
            try:
                raw.close()
            except OSError:
                pass
            return
        self.serve_conn(sock, "tls")

    def serve_conn(self, sock, via):
        buf = b""
        try:
            while True:
                try:
                    r = read_request(sock, buf)
                except ValueError:
                    sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: "
                                 b"text/plain; charset=utf-8\r\nConnection: "
                                 b"close\r\n\r\n400 Bad Request")
                    return
                if r is None:
                    return
                method, target, version, headers, body, buf = r
                req = Request(via, sock, method, target, version, headers,
                              body)
                if not self.dispatch(req):
                    return
        except OSError:
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def send(self, req, resp):
        if resp.status == 0:
            # the client went away while its query was held
            self.log_request(req, "gone", resp.note)
            return False
        head, wire, close = finish_response(req, resp)
        if req.method == "HEAD":
            wire = b""
        req.sock.sendall(head + wire)
        self.log_request(req, resp.status, resp.note)
        return not close and req.version == "HTTP/1.1"

    def dispatch(self, req):
        """answer one request; False to close the connection"""
        if req.via == "admin":
            try:
                resp = self.admin(req)
            except UsageError as e:
                resp = error_response(400, str(e) + "\n")
            except (ValueError, KeyError, TypeError) as e:
                resp = error_response(400, "bad request: %s\n" % e)
            return self.send(req, resp)
        endpoint = endpoint_of(req.path)
        with self.cv:
            key = "%s %s" % (req.via, endpoint)
            self.stats[key] = self.stats.get(key, 0) + 1
            fault = None
            for f in self.faults:
                if f.matches(req, endpoint):
                    fault = f
                    f.hits += 1
                    if f.count is not None:
                        f.count -= 1
                        if f.count <= 0:
                            self.faults.remove(f)
                    break
        if fault is None:
            return self.send(req, self.api(req))
        return self.faulty(req, fault)

    def faulty(self, req, f):
        note = "fault=" + f.mode
        m = f.mode
        if m == "slow":
            time.sleep(f.ms / 1000.0)
            resp = self.api(req)
            resp.note = note
            return self.send(req, resp)
        if m == "hang":
            with self.cv:
                self.held += 1
                while f in self.faults and not req.client_gone():
                    self.cv.wait(0.2)
                self.held -= 1
            if req.client_gone():
                self.log_request(req, "gone", note)
                return False
            resp = self.api(req)
            resp.note = note + "(released)"
            return self.send(req, resp)
        if m == "reset":
            req.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
            self.log_request(req, "reset", note)
            return False
        if m in ("500", "403", "401", "status"):
            if m == "500":
                default = ERR_AUTH500 if req.via == "unix" else ERR_NO_LEADER
                status = 500
            elif m == "403":
                default, status = ERR_PERM, 403
            elif m == "401":
                default, status = "Unauthorized", 401
            else:
                default, status = "", f.status
            resp = error_response(status, default if f.body is None
                                  else f.body)
            resp.note = note
            return self.send(req, resp)
        if m == "garbage":
            body = (f.body.encode() if f.body is not None else
                    b'{"ID": <not json>\x00\xff\xfe]]}garbage')
            resp = Response(200, body, json_body=True)
            resp.note = note
            return self.send(req, resp)
        if m == "index_reset":
            resp = self.api(req, no_block=True)
            if "X-Nomad-Index" in resp.headers:
                resp.headers["X-Nomad-Index"] = "1"
            resp.note = note
            return self.send(req, resp)
        if m in ("truncated", "close"):
            resp = self.api(req)
            if resp.status == 0:
                return self.send(req, resp)
            head, wire, _ = finish_response(req, resp)
            if m == "truncated":
                if b"Transfer-Encoding: chunked" in head:
                    sent = wire[:max(1, len(wire) // 2)]
                else:
                    sent = wire[:len(wire) // 2]
                req.sock.sendall(head + sent)
            else:
                req.sock.sendall(head)
            try:
                req.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.log_request(req, "%d(%s)" % (resp.status, m), note)
            return False
        raise AssertionError(m)

    # -- authentication (s6) --

    def token_problem(self, token, spec):
        """why a token the agent knows does not authenticate (ACLs on), or
        None: expired, or a workload identity whose alloc is gone or
        client-terminal (nomad/auth/auth.go:verifyWorkloadIdentityClaim;
        before 1.7 TerminalStatus, which counts DesiredStatus stop too)"""
        if spec["expired"]:
            return "expired"
        if spec["kind"] == "workload" and spec.get("alloc"):
            a = self.st.allocs.get(spec["alloc"])
            if a is None:
                return "alloc-gone"
            if a.get("ClientStatus") in CLIENT_TERMINAL:
                return "alloc-terminal"
        return None

    def identify(self, req):
        """(Ident, None) or (None, Response)"""
        token = parse_token(req.headers)
        st = self.st
        if req.via == "unix":
            # command/agent/http.go:authMiddleware, then ACL.WhoAmI
            if not token:
                return None, error_response(401, "Unauthorized")
            spec = st.tokens.get(token)
            if not st.acl:
                # any credential passes: WhoAmI needs one, checks none
                return Ident(all_=True, workload=True), None
            if spec is None:
                if UUID_RE.match(token):
                    # an ACL secret nobody knows: ErrTokenNotFound
                    r = error_response(403, "Forbidden")
                    r.note = "auth=unknown-secret"
                    return None, r
                # anything else is verified as a JWT, and fails
                r = error_response(500, ERR_AUTH500)
                r.note = "auth=%s" % ("unknown-jwt" if JWT_RE.match(token)
                                      else "malformed-jwt")
                return None, r
            why = self.token_problem(token, spec)
            if why:
                r = error_response(500, ERR_AUTH500)
                r.note = "auth=" + why
                return None, r
            return Ident(workload=spec["kind"] == "workload",
                         read_job=spec["read_job"]), None
        if not st.acl:
            return Ident(all_=True), None
        if not token:
            return Ident(read_job=st.anonymous), None
        spec = st.tokens.get(token)
        if spec is None or self.token_problem(token, spec):
            return Ident(error=error_response(403, ERR_PERM)), None
        return Ident(workload=spec["kind"] == "workload",
                     read_job=spec["read_job"]), None

    def parse_wait(self, req):
        """(min_index, wait seconds) or a 400 Response, as
        command/agent/http.go:parseWait"""
        wait_ns = 0
        w = req.query.get("wait", "")
        if w != "":
            try:
                wait_ns = parse_go_duration(w)
            except ValueError:
                return error_response(400, "Invalid wait time")
        index = 0
        i = req.query.get("index", "")
        if i != "":
            if not i.isdigit() or not i.isascii() or int(i) >= 2**64:
                return error_response(400, "Invalid index")
            index = int(i)
        # nomad/rpc.go:blockingRPC
        if wait_ns > MAX_WAIT_NS:
            wait_ns = MAX_WAIT_NS
        elif wait_ns <= 0:
            wait_ns = MAX_WAIT_NS
        if self.jitter:
            wait_ns += random.randrange(max(1, wait_ns // JITTER_FRACTION))
        return index, wait_ns / 1e9

    def leader_meta(self):
        """(KnownLeader, LastContact) as this agent's server would set
        them now: LastContact is the milliseconds since it last heard from
        the leader, 0 while there is one"""
        if self.leader:
            return "true", "0"
        return "false", str(int((time.monotonic() - self.leader_lost) *
                                1000))

    def meta(self, index, req=None):
        """the query meta: KnownLeader and LastContact as they were when
        the query last ran (blockingRPC's setQueryMeta), or now"""
        lead = getattr(req, "lead", None) or self.leader_meta()
        return {"X-Nomad-Index": str(max(1, index)),
                "X-Nomad-Knownleader": lead[0],
                "X-Nomad-Lastcontact": lead[1]}

    def block(self, req, min_index, wait_s, compute, no_block=False,
              watch=None):
        """nomad/rpc.go:blockingRPC: run compute() (under the lock;
        returns (index, result)) and, while its index is not past
        min_index, wait for a change and run it again, until the wait is
        over.  watch() (under the lock) names what wakes the query: it is
        run again only when watch() has changed (the memdb watch set);
        without watch every change runs it again.  On expiry the answer
        is the last run's, as Nomad's.  None when the client went away."""
        deadline = time.monotonic() + wait_s
        with self.cv:
            gen = self.wake_gen
            self.held += 1
            try:
                tok = watch() if watch is not None else None
                run = True
                while True:
                    if run:
                        idx, result = compute()
                        req.lead = self.leader_meta()
                    if no_block or min_index == 0 or idx > min_index:
                        return idx, result
                    now = time.monotonic()
                    if now >= deadline or self.wake_gen != gen:
                        return idx, result
                    self.cv.wait(min(deadline - now, 0.5))
                    if req.client_gone():
                        return None
                    if watch is None:
                        run = True
                    else:
                        t = watch()
                        run = t != tok
                        tok = t
            finally:
                self.held -= 1

    # -- the API --

    def api(self, req, no_block=False):
        p = req.path
        endpoint = endpoint_of(p)
        # without a leader only a stale read of a service or an alloc is
        # answered (by any server, from its own state: Service.GetService
        # and Alloc.GetAlloc both take AllowStale)
        stale_ok = endpoint in ("service", "alloc") and is_stale(req)
        if req.via == "unix":
            # the Task API middleware parses the query first; a parse error
            # there has already written parseWait's 400 body, and the
            # middleware appends its own "Bad Request" to it
            w = self.parse_wait(req)
            if isinstance(w, Response):
                w.body += b"Bad Request"
                return w
            if not parse_token(req.headers):
                return error_response(401, "Unauthorized")
            # ACL.WhoAmI goes to the leader unless the request is stale
            if not self.leader and not stale_ok:
                r = error_response(500, ERR_AUTH500)
                r.note = "no-leader"
                return r
            with self.cv:
                ident, err = self.identify(req)
            if err is not None:
                return err
        else:
            if not self.leader and not stale_ok and endpoint != "other":
                # the handler parses the query, then its RPC finds no
                # leader
                w = self.parse_wait(req)
                if isinstance(w, Response):
                    return w
                r = error_response(500, ERR_NO_LEADER)
                r.note = "no-leader"
                return r
            with self.cv:
                ident, err = self.identify(req)
        if p == "/":
            r = Response(307, '<a href="/ui/">Temporary Redirect</a>.\n\n',
                         {"Location": "/ui/",
                          "Content-Type": "text/html; charset=utf-8"})
            return r
        if p.startswith("/v1/service/"):
            parts = p[len("/v1/service/"):].split("/")
            if len(parts) == 1:
                if req.method != "GET":
                    return error_response(405, ERR_METHOD)
                if parts[0] == "":
                    return error_response(400, "missing service name")
                return self.service_get(req, ident, parts[0], no_block)
            if len(parts) == 2:
                if req.method != "DELETE":
                    return error_response(405, ERR_METHOD)
                if parts[1] == "":
                    return error_response(400, "missing service id")
                return error_response(501, "deleting a registration is not "
                                      "served by the stand-in agent")
            return error_response(400, "invalid URI")
        if p == "/v1/services":
            if req.method != "GET":
                return error_response(405, ERR_METHOD)
            return self.services_list(req, ident, no_block)
        if p.startswith("/v1/allocation/"):
            t = p[len("/v1/allocation/"):].split("/")
            if len(t) > 2:
                return error_response(404, ERR_RESOURCE)
            if len(t) == 1:
                if req.method != "GET":
                    return error_response(405, ERR_METHOD)
                return self.alloc_get(req, ident, t[0], no_block)
            if t[1] == "services":
                if req.method != "GET":
                    return error_response(405, ERR_METHOD)
                return self.alloc_services(req, ident, t[0], no_block)
            if t[1] == "checks":
                if req.method != "GET":
                    return error_response(405, ERR_METHOD)
                return self.alloc_checks(req, ident, t[0])
            return error_response(404, ERR_RESOURCE)
        if p.startswith("/v1/client/allocation/"):
            t = p[len("/v1/client/allocation/"):].split("/")
            if len(t) != 2:
                return error_response(404, ERR_RESOURCE)
            if t[1] == "checks":
                if req.method != "GET":
                    return error_response(405, ERR_METHOD)
                return self.alloc_checks(req, ident, t[0])
            return error_response(404, ERR_RESOURCE)
        # Nomad's root fallthrough: 404, no body
        return Response(404, b"")

    def service_get(self, req, ident, name, no_block):
        w = self.parse_wait(req)
        if isinstance(w, Response):
            return w
        min_index, wait_s = w
        ns = req.query.get("namespace", "") or "default"
        if ident.error is not None:
            return ident.error
        if not (ident.all or ident.workload or ident.can_read_job(ns)):
            return error_response(403, ERR_PERM)
        flt = None
        text = req.query.get("filter", "")
        if text:
            try:
                flt = Bexpr(text)
            except BexprError as e:
                return error_response(
                    400, "failed to create result paginator: failed to "
                    "read filter expression: %s" % e)

        def compute():
            out = []
            for r in sorted(self.st.services, key=lambda r: r["ID"]):
                if r["Namespace"] != ns or r["ServiceName"] != name:
                    continue
                if flt is not None:
                    try:
                        if not flt.evaluate(r):
                            continue
                    except BexprEvalError as e:
                        return self.st.service_index, e
                out.append(r)
            return self.st.service_index, copy.deepcopy(out)

        def watch():
            # state.GetServiceRegistrationByName: the watch channel of the
            # (namespace, name) index entry, plus the restore (abandon)
            return self.reg_gen.get((ns, name), 0), self.restore_gen

        got = self.block(req, min_index, wait_s, compute, no_block, watch)
        if got is None:
            return Response(0)
        idx, out = got
        if isinstance(out, BexprEvalError):
            return error_response(400, "failed to read result page: %s" % out)
        return json_response(out, self.meta(idx, req))

    def services_list(self, req, ident, no_block):
        w = self.parse_wait(req)
        if isinstance(w, Response):
            return w
        min_index, wait_s = w
        ns = req.query.get("namespace", "") or "default"
        if ident.error is not None:
            return ident.error
        if ns != "*" and not (ident.all or ident.workload or
                              ident.can_read_job(ns)):
            return error_response(403, ERR_PERM)

        def compute():
            by_ns = {}
            for r in self.st.services:
                if ns != "*" and r["Namespace"] != ns:
                    continue
                if ns == "*" and not ident.can_read_job(r["Namespace"]):
                    continue
                tags = by_ns.setdefault(r["Namespace"], {}).setdefault(
                    r["ServiceName"], set())
                tags.update(r["Tags"])
            out = []
            # Go map iteration: the order of namespaces, services and
            # tags is not defined, and is not made up here either
            nss = list(by_ns)
            random.shuffle(nss)
            for n in nss:
                svcs = []
                for s, tags in by_ns[n].items():
                    tl = list(tags)
                    random.shuffle(tl)
                    svcs.append({"ServiceName": s, "Tags": tl})
                random.shuffle(svcs)
                out.append({"Namespace": n, "Services": svcs})
            return self.st.service_index, out

        got = self.block(req, min_index, wait_s, compute, no_block)
        if got is None:
            return Response(0)
        return json_response(got[1], self.meta(got[0], req))

    def alloc_get(self, req, ident, aid, no_block):
        w = self.parse_wait(req)
        if isinstance(w, Response):
            return w
        min_index, wait_s = w
        if ident.error is not None:
            return ident.error

        def compute():
            a = self.st.allocs.get(aid)
            if a is None:
                return self.st.alloc_table_index, None
            return int(a.get("ModifyIndex", 1)), copy.deepcopy(a)

        got = self.block(req, min_index, wait_s, compute, no_block)
        if got is None:
            return Response(0)
        idx, a = got
        if a is None:
            # setMeta runs before the nil check: the 404 carries the index
            return error_response(404, ERR_NOT_FOUND_ALLOC,
                                  self.meta(idx, req))
        if not ident.can_read_job(a.get("Namespace", "default")):
            # nomad/alloc_endpoint.go:GetAlloc, an uncoded error: 500
            return error_response(500, 'Unknown allocation "%s"' % aid)
        return json_response(a, self.meta(idx, req))

    def alloc_services(self, req, ident, aid, no_block):
        w = self.parse_wait(req)
        if isinstance(w, Response):
            return w
        min_index, wait_s = w
        ns = req.query.get("namespace", "") or "default"
        if ident.error is not None:
            return ident.error
        # read-job first, and no exemption for workload identities
        if not ident.can_read_job(ns):
            return error_response(403, ERR_PERM)

        def compute():
            a = self.st.allocs.get(aid)
            if a is None or a.get("Namespace", "default") != ns:
                return self.st.service_index, None
            out = [r for r in sorted(self.st.services, key=lambda r: r["ID"])
                   if r["AllocID"] == aid]
            return self.st.service_index, copy.deepcopy(out)

        with self.cv:
            first = compute()
        if first[1] is None:
            return error_response(404, ERR_ALLOC_NOT_FOUND)
        got = self.block(req, min_index, wait_s, compute, no_block)
        if got is None:
            return Response(0)
        if got[1] is None:
            return error_response(404, ERR_ALLOC_NOT_FOUND)
        return json_response(got[1], self.meta(got[0], req))

    def alloc_checks(self, req, ident, aid):
        w = self.parse_wait(req)           # parsed, then ignored
        if isinstance(w, Response):
            return w
        with self.cv:
            # client/alloc_endpoint.go:Checks: the alloc first, then ACL
            if not self.st.alloc_known(aid):
                return error_response(404, 'Unknown allocation "%s"' % aid)
            if ident.error is not None:
                return ident.error
            a = self.st.allocs.get(aid) or {}
            if not ident.can_read_job(a.get("Namespace", "default")):
                return error_response(403, ERR_PERM)
            res = copy.deepcopy(self.st.checks.get(aid))
        if isinstance(res, dict):
            # encoding/json writes a map's keys sorted
            res = {k: res[k] for k in sorted(res)}
        return json_response(res)

    # -- state changes --

    def bump(self):
        self.st.raft += 1
        return self.st.raft

    def changed(self):
        self.cv.notify_all()

    def touch(self, namespace, name):
        """a raft write to the registrations of (namespace, name)"""
        k = (namespace, name)
        self.reg_gen[k] = self.reg_gen.get(k, 0) + 1

    def restored(self):
        """a snapshot restore: every watch set fires"""
        self.restore_gen += 1

    def set_state(self, doc, initial=False):
        new = State.from_doc(doc)
        with self.cv:
            if not initial:
                # indexes only move forward: the new state is one more
                # raft write, and an alloc whose content changed gets it
                old = self.st
                idx = max(old.raft, new.raft) + 1
                new.raft = idx
                new.service_index = idx

                def body(x):
                    return {k: v for k, v in x.items() if k != "ModifyIndex"}
                for aid, a in new.allocs.items():
                    prev = old.allocs.get(aid)
                    if prev is None or body(prev) != body(a):
                        a["ModifyIndex"] = idx
                    else:
                        a["ModifyIndex"] = max(int(a["ModifyIndex"]),
                                               int(prev["ModifyIndex"]))
                new.alloc_table_index = idx
            self.st = new
            self.restored()
            self.changed()

    def admin(self, req):
        p = req.path
        doc = {}
        if req.method == "POST" and req.body.strip():
            doc = json.loads(req.body)
            if not isinstance(doc, dict) and p != "/admin/state":
                raise UsageError("the body must be a JSON object")
        if p == "/admin/state":
            if req.method == "GET":
                with self.cv:
                    return json_response(self.st.to_doc())
            self.set_state(doc)
            return self.admin_ok()
        if req.method == "GET" and p == "/admin/fault":
            with self.cv:
                return json_response([f.describe() for f in self.faults])
        if req.method == "GET" and p == "/admin/stats":
            with self.cv:
                return json_response({"since": self.stats_since,
                                      "held": self.held,
                                      "requests": sum(self.stats.values()),
                                      "by_endpoint": self.stats})
        if req.method == "GET" and p == "/admin/leader":
            with self.cv:
                return json_response(self.leader_doc())
        if req.method != "POST":
            return error_response(405, ERR_METHOD)
        if p == "/admin/leader":
            with self.cv:
                if "leader" not in doc:
                    raise UsageError("leader needs leader: true|false")
                if bool(doc["leader"]):
                    self.leader, self.leader_lost = True, None
                elif self.leader:
                    self.leader, self.leader_lost = False, time.monotonic()
                self.changed()
                self.log("leader: %s" % ("elected" if self.leader
                                         else "lost"))
                return json_response(self.leader_doc())
        if p in RAFT_WRITES and not self.leader:
            r = Response(409, go_json({
                "error": "no cluster leader: %s is a raft write; try again "
                "once POST /admin/leader {\"leader\": true}" % p}),
                json_body=True)
            return r
        answer = None
        with self.cv:
            st = self.st
            if p == "/admin/register":
                for k in ("service", "alloc"):
                    if not doc.get(k):
                        raise UsageError("register needs %s" % k)
                idx = self.bump()
                reg = make_registration(
                    doc["service"], doc["alloc"],
                    doc.get("node", FIXTURE_NODE),
                    doc.get("address", "198.51.100.11"), doc.get("port", 80),
                    namespace=doc.get("namespace", "default"),
                    tags=doc.get("tags"), job=doc.get("job", "proxy"),
                    datacenter=doc.get("datacenter", "dc1"),
                    group=doc.get("group", "traefik"),
                    port_label=doc.get("port_label", "http"), index=idx)
                for n, r in enumerate(st.services):
                    if r["ID"] == reg["ID"]:
                        reg["CreateIndex"] = r["CreateIndex"]
                        st.services[n] = reg
                        break
                else:
                    st.services.append(reg)
                st.service_index = idx
                self.touch(reg["Namespace"], reg["ServiceName"])
                if doc.get("checks"):
                    answer = self.register_checks(doc, reg)
            elif p == "/admin/deregister":
                if not doc.get("service"):
                    raise UsageError("deregister needs service")
                keep = [r for r in st.services
                        if not (r["ServiceName"] == doc["service"] and
                                (not doc.get("alloc") or
                                 r["AllocID"] == doc["alloc"]) and
                                (not doc.get("namespace") or
                                 r["Namespace"] == doc["namespace"]))]
                gone = [r for r in st.services if r not in keep]
                if gone:
                    st.services = keep
                    st.service_index = self.bump()
                    for r in gone:
                        self.touch(r["Namespace"], r["ServiceName"])
            elif p == "/admin/check":
                self.admin_check(doc)
            elif p == "/admin/stop_alloc":
                answer = self.admin_stop_alloc(doc)
            elif p == "/admin/inplace_update":
                answer = self.admin_inplace_update(doc)
            elif p == "/admin/alloc":
                aid = doc.get("alloc") or FIXTURE_ALLOC
                idx = self.bump()
                if doc.get("delete"):
                    # gone from the server and from this client
                    st.allocs.pop(aid, None)
                    st.checks.pop(aid, None)
                else:
                    a = st.allocs.get(aid)
                    if a is None:
                        a = default_alloc(aid, doc.get("node", FIXTURE_NODE),
                                          create=idx, modify=idx)
                        st.allocs[aid] = a
                    for k, v in (doc.get("set") or {}).items():
                        a[k] = v
                    if doc.get("task"):
                        ts = a.setdefault("TaskStates", {}).setdefault(
                            doc["task"], {"State": "pending", "Failed": False,
                                          "Restarts": 0, "Events": []})
                        if "state" in doc:
                            ts["State"] = doc["state"]
                        if "failed" in doc:
                            ts["Failed"] = bool(doc["failed"])
                    a["ModifyIndex"] = idx
                st.alloc_table_index = idx
            elif p == "/admin/acl":
                st.acl = bool(doc.get("enabled", True))
                if "anonymous" in doc:
                    st.anonymous = list(doc["anonymous"] or [])
            elif p == "/admin/token":
                if not doc.get("token"):
                    raise UsageError("token needs token")
                if doc.get("delete"):
                    st.tokens.pop(doc["token"], None)
                else:
                    st.tokens[doc["token"]] = normalize_token(
                        {k: v for k, v in doc.items() if k != "token"})
            elif p == "/admin/reset_index":
                idx = int(doc.get("index", 1))
                st.raft = idx
                st.service_index = max(1, idx)
                st.alloc_table_index = max(1, idx)
                for r in st.services:
                    r["CreateIndex"] = r["ModifyIndex"] = idx
                for a in st.allocs.values():
                    a["CreateIndex"] = a["ModifyIndex"] = idx
                    a["AllocModifyIndex"] = idx
                self.restored()
                if doc.get("wake"):
                    self.wake_gen += 1
            elif p == "/admin/fault":
                mode = doc.get("mode", "")
                if mode in ("clear", "none", ""):
                    self.faults = []
                else:
                    f = Fault(doc)
                    if doc.get("replace", False):
                        self.faults = []
                    self.faults.append(f)
            elif p == "/admin/stats":
                self.stats = {}
                self.stats_since = time.time()
            else:
                return error_response(404, "no such admin endpoint\n")
            self.changed()
        if answer is not None:
            return json_response(answer)
        return self.admin_ok()

    def admin_check(self, doc):
        st = self.st
        aid = doc.get("alloc")
        if not aid:
            raise UsageError("check needs alloc")
        if "results" in doc:
            res = doc["results"]
            if res is None:
                st.checks[aid] = None
            else:
                st.checks[aid] = {}
                items = res if isinstance(res, list) else list(res.values())
                for c in items:
                    c = normalize_check(c, aid)
                    st.checks[aid][c["ID"]] = c
            return
        if not doc.get("check"):
            raise UsageError("check needs check (its name)")
        a = st.allocs.get(aid) or {}
        group = doc.get("group") or a.get("Name") or "proxy.traefik[0]"
        service = doc.get("service")
        if not service:
            regs = [r for r in st.services if r["AllocID"] == aid]
            service = regs[0]["ServiceName"] if regs else "traefik"
        # the check by its name: after an in-place update it lives under
        # another ID
        old = self.find_check(aid, service, doc["check"])
        if old is not None:
            cid = old["ID"]
            group = doc.get("group") or old["Group"]
        else:
            key = (aid, group, service, doc["check"])
            cid = check_id(*key, gen=self.check_gen.get(key, 0))
        if doc.get("delete"):
            if st.checks.get(aid):
                st.checks[aid].pop(cid, None)
            return
        status = doc.get("status", "success")
        if status not in ("success", "failure", "pending"):
            raise UsageError("status: success, failure or pending")
        addr = "198.51.100.11"
        for r in st.services:
            if r["AllocID"] == aid:
                addr = r["Address"]
                break
        c = default_check(aid, service, doc["check"], status, addr, group)
        if "output" in doc:
            c["Output"] = doc["output"]
        if "status_code" in doc:
            c["StatusCode"] = doc["status_code"]
        elif status == "failure" and "output" in doc:
            c.pop("StatusCode", None)
        c["ID"] = cid
        if old is not None:
            c["Mode"] = old["Mode"]
            if old.get("Task"):
                c["Task"] = old["Task"]
        if doc.get("mode"):
            c["Mode"] = doc["mode"]
        if doc.get("task"):
            c["Task"] = doc["task"]
        if "timestamp" in doc:
            c["Timestamp"] = int(doc["timestamp"])
        c = normalize_check(c, aid)
        if st.checks.get(aid) is None:
            st.checks[aid] = {}
        st.checks[aid][cid] = c

    def find_check(self, aid, service, check):
        """the alloc's result of that check, by names, or None"""
        for c in (self.st.checks.get(aid) or {}).values():
            if c.get("Check") == check and c.get("Service") == service:
                return c
        return None

    def register_checks(self, doc, reg):
        """the checks hook's Prerun: a pending stub for each check of the
        registered service that has no entry yet"""
        st = self.st
        aid = reg["AllocID"]
        a = st.allocs.get(aid)
        group = (a or {}).get("Name") or "%s.%s[0]" % (
            doc.get("job", "proxy"), doc.get("group", "traefik"))
        specs = doc["checks"]
        if not isinstance(specs, list):
            raise UsageError("checks: a list of names or objects")
        now = int(time.time())
        made = []
        for spec in specs:
            if isinstance(spec, str):
                spec = {"check": spec}
            name = spec.get("check") or spec.get("name")
            if not name:
                raise UsageError("a check needs a name")
            if self.find_check(aid, reg["ServiceName"], name) is not None:
                continue
            key = (aid, group, reg["ServiceName"], name)
            cid = check_id(*key, gen=self.check_gen.get(key, 0))
            if st.checks.get(aid) is None:
                st.checks[aid] = {}
            st.checks[aid][cid] = pending_stub(
                cid, name, reg["ServiceName"], group,
                mode=spec.get("mode", "healthiness"), task=spec.get("task"),
                now=now)
            made.append(cid)
        return {"ok": True, "index": st.raft, "checks": made}

    def admin_stop_alloc(self, doc):
        """what a Nomad client does when the alloc is stopped: the server
        sets DesiredStatus stop; the client's PreKill deregisters the
        alloc's services (group_service_hook), waits shutdown_delay, then
        the checks hook purges its results (null from then on)"""
        st = self.st
        aid = doc.get("alloc")
        if not aid:
            raise UsageError("stop_alloc needs alloc")
        if not st.alloc_known(aid):
            raise UsageError("alloc %s is not known to this client" % aid)
        a = st.allocs.get(aid)
        if a is not None:
            idx = self.bump()
            a["DesiredStatus"] = "stop"
            a["ModifyIndex"] = a["AllocModifyIndex"] = idx
            st.alloc_table_index = idx
        gone = []
        for r in [r for r in st.services if r["AllocID"] == aid]:
            # one ServiceRegistration.DeleteByID, one raft write, each
            st.services.remove(r)
            st.service_index = self.bump()
            self.touch(r["Namespace"], r["ServiceName"])
            gone.append(r["ID"])
        delay = int(doc.get("shutdown_delay_ms", 0))
        if delay <= 0:
            st.checks[aid] = None
        else:
            t = threading.Timer(delay / 1000.0, self.purge_checks,
                                args=(st, aid))
            t.daemon = True
            t.start()
        self.log("stop_alloc: alloc=%s deregistered=%d purge_in_ms=%d"
                 % (aid, len(gone), max(0, delay)))
        return {"ok": True, "index": st.raft, "deregistered": gone,
                "purge_in_ms": max(0, delay)}

    def purge_checks(self, st, aid):
        with self.cv:
            if self.st is st and st.alloc_known(aid):
                st.checks[aid] = None
                self.changed()
        self.log("stop_alloc: alloc=%s check results purged" % aid)

    def admin_inplace_update(self, doc):
        """an in-place job update that changes the alloc's check
        definitions: each check gets a new ID (its definition's hash),
        a pending stub under it, and its first run interval/2 later; one
        plan, so every check of the call at the same instant"""
        st = self.st
        aid = doc.get("alloc")
        if not aid:
            raise UsageError("inplace_update needs alloc")
        res = st.checks.get(aid)
        if not st.alloc_known(aid):
            raise UsageError("alloc %s is not known to this client" % aid)
        interval_ms = int(doc.get("interval_ms", 2000))
        if interval_ms <= 0:
            raise UsageError("interval_ms must be positive")
        result = doc.get("result", "previous")
        if result not in ("previous", "success", "failure"):
            raise UsageError("result: previous, success or failure")
        svc = doc.get("service")
        now = int(time.time())
        runs = []
        for cid, c in list((res or {}).items()):
            if svc and c.get("Service") != svc:
                continue
            key = (aid, c["Group"], c["Service"], c["Check"])
            g = self.check_gen.get(key, 0) + 1
            nid = check_id(*key, gen=g)
            while nid in res:
                g += 1
                nid = check_id(*key, gen=g)
            self.check_gen[key] = g
            del res[cid]
            stub = pending_stub(nid, c["Check"], c["Service"], c["Group"],
                                mode=c.get("Mode", "healthiness"),
                                task=c.get("Task"), now=now)
            res[nid] = stub
            runs.append((cid, nid, c, stub))
        if not runs:
            raise UsageError("alloc %s has no check%s to update" % (
                aid, " of service %s" % svc if svc else ""))
        a = st.allocs.get(aid)
        if a is not None:
            # the plan updates the alloc in place
            idx = self.bump()
            a["ModifyIndex"] = a["AllocModifyIndex"] = idx
            st.alloc_table_index = idx
        t = threading.Timer(interval_ms / 2000.0, self.run_updated_checks,
                            args=(st, aid, runs, result, doc))
        t.daemon = True
        t.start()
        self.log("inplace_update: alloc=%s checks=%d first run in %d ms"
                 % (aid, len(runs), interval_ms // 2))
        return {"ok": True, "checks": [nid for _, nid, _, _ in runs],
                "replaced": {cid: nid for cid, nid, _, _ in runs},
                "first_run_in_ms": interval_ms // 2}

    def run_updated_checks(self, st, aid, runs, result, doc):
        """the first run of the updated checks: a stub that is still the
        one the update stored gets its result; one replaced meanwhile (by
        /admin/check, another update, a purge, a new state) is left be"""
        n = 0
        with self.cv:
            res = st.checks.get(aid) if self.st is st else None
            now = int(time.time())
            addr = "198.51.100.11"
            for r in st.services:
                if r["AllocID"] == aid:
                    addr = r["Address"]
                    break
            for _, nid, prev, stub in runs:
                if not res or res.get(nid) is not stub:
                    continue
                c = dict(stub)
                c.pop("StatusCode", None)
                if result == "previous":
                    c["Status"] = prev["Status"]
                    c["Output"] = prev.get("Output", "")
                    if prev.get("StatusCode"):
                        c["StatusCode"] = prev["StatusCode"]
                else:
                    d = default_check(aid, c["Service"], c["Check"], result,
                                      addr, c["Group"])
                    c["Status"] = result
                    c["Output"] = doc.get("output", d["Output"])
                    code = doc.get("status_code", d.get("StatusCode"))
                    if code:
                        c["StatusCode"] = code
                c["Timestamp"] = now
                res[nid] = {k: c[k] for k in CHECK_FIELDS if k in c}
                n += 1
            self.changed()
        self.log("inplace_update: alloc=%s checks=%d ran" % (aid, n))

    def leader_doc(self):
        k, c = self.leader_meta()
        return {"leader": self.leader, "known_leader": k == "true",
                "last_contact_ms": int(c)}

    def admin_ok(self):
        with self.cv:
            return json_response({"index": self.st.raft,
                                  "service_index": self.st.service_index,
                                  "services": len(self.st.services),
                                  "faults": [f.describe()
                                             for f in self.faults]})


# ---- listeners and main ----

def tcp_listener(spec):
    host, port = spec.rsplit(":", 1)
    host = host.strip("[]")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(512)
    h, p = s.getsockname()[:2]
    return s, ("[%s]:%d" % (h, p)) if fam == socket.AF_INET6 else \
        ("%s:%d" % (h, p))


def unix_listener(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(512)
    return s


def accept_loop(agent, lsock, via, ctx=None):
    while True:
        try:
            conn, _ = lsock.accept()
        except OSError:
            return
        if ctx is not None:
            target, args = agent.serve_tls, (conn, ctx)
        else:
            target, args = agent.serve_conn, (conn, via)
        threading.Thread(target=target, args=args, daemon=True).start()


def tls_context(a):
    """the server side of --tls-listen; with --tls-client-ca a client
    certificate signed by that CA is required (mutual TLS)"""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.tls_cert, a.tls_key)
    if a.tls_client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=a.tls_client_ca)
    return ctx


def main():
    p = argparse.ArgumentParser(
        description="a stand-in Nomad agent for nomcast's tests")
    p.add_argument("--unix", help="Task API socket path")
    p.add_argument("--listen", help="HTTP API on HOST:PORT")
    p.add_argument("--tls-listen", help="HTTPS API on HOST:PORT")
    p.add_argument("--tls-cert", help="the TLS listener's certificate (PEM)")
    p.add_argument("--tls-key", help="its private key (PEM)")
    p.add_argument("--tls-client-ca",
                   help="require client certificates signed by this CA")
    p.add_argument("--admin", help="admin endpoint on HOST:PORT")
    p.add_argument("--state", help="state file (JSON); SIGHUP reloads it")
    p.add_argument("--alloc", default=FIXTURE_ALLOC)
    p.add_argument("--service", default="traefik")
    p.add_argument("--node", default=FIXTURE_NODE)
    p.add_argument("--check", action="append", default=[],
                   help="a Nomad check of the service (repeatable; "
                   "default traefik-ping)")
    p.add_argument("--check-status", default="success",
                   choices=["success", "failure", "pending"])
    p.add_argument("--no-checks", action="store_true",
                   help="the alloc's services have no checks (its checks "
                   "body is null)")
    p.add_argument("--address", default="198.51.100.11")
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--namespace", default="default")
    p.add_argument("--job", default="proxy")
    p.add_argument("--group", default="traefik")
    p.add_argument("--others", type=int, default=0,
                   help="registrations of N other allocs on other nodes")
    p.add_argument("--no-register", action="store_true",
                   help="start with the service not registered")
    p.add_argument("--index", type=int, default=1042,
                   help="index of the first registration")
    p.add_argument("--token", default=DEFAULT_TOKEN,
                   help="the workload identity the agent accepts")
    p.add_argument("--no-read-job", action="store_true",
                   help="the token has no read-job policy attached")
    p.add_argument("--acl", action="store_true", help="ACLs on")
    p.add_argument("--no-jitter", action="store_true",
                   help="no random extra wait on blocking queries")
    p.add_argument("--ready", help="written once listening")
    p.add_argument("--log-file")
    args = p.parse_args()
    if not args.unix and not args.listen and not args.tls_listen:
        p.error("give --unix, --listen and/or --tls-listen")
    if args.tls_listen and not (args.tls_cert and args.tls_key):
        p.error("--tls-listen needs --tls-cert and --tls-key")
    if (args.tls_cert or args.tls_key or args.tls_client_ca) and \
            not args.tls_listen:
        p.error("--tls-cert, --tls-key and --tls-client-ca need "
                "--tls-listen")

    try:
        if args.state:
            with open(args.state) as f:
                doc = json.load(f)
        else:
            doc = build_default_state(args)
        agent = Agent(args, State.from_doc(doc))
    except (OSError, ValueError, UsageError) as e:
        sys.stderr.write("nomad_agent: %s\n" % e)
        sys.exit(2)

    def reload(signum, frame):
        if not args.state:
            agent.log("SIGHUP: no --state file, nothing to reload")
            return
        try:
            with open(args.state) as f:
                agent.set_state(json.load(f))
            agent.log("SIGHUP: state reloaded from %s" % args.state)
        except (OSError, ValueError, UsageError) as e:
            agent.log("SIGHUP: state not reloaded: %s" % e)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGHUP, reload)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    ready = []
    listeners = []
    ctx = None
    try:
        if args.unix:
            listeners.append((unix_listener(args.unix), "unix"))
            ready.append("unix %s" % args.unix)
        if args.listen:
            s, where = tcp_listener(args.listen)
            listeners.append((s, "tcp"))
            ready.append("tcp %s" % where)
        if args.tls_listen:
            ctx = tls_context(args)
            s, where = tcp_listener(args.tls_listen)
            listeners.append((s, "tls"))
            ready.append("tls %s" % where)
        if args.admin:
            s, where = tcp_listener(args.admin)
            listeners.append((s, "admin"))
            ready.append("admin %s" % where)
    except (OSError, ssl.SSLError) as e:
        sys.stderr.write("nomad_agent: listen: %s\n" % e)
        sys.exit(2)
    for s, via in listeners:
        threading.Thread(target=accept_loop,
                         args=(agent, s, via, ctx if via == "tls" else None),
                         daemon=True).start()
    agent.log("nomad_agent: %s" % "; ".join(ready))
    if args.ready:
        tmp = args.ready + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(ready) + "\n")
        os.rename(tmp, args.ready)
    try:
        while True:
            time.sleep(3600)
    finally:
        if args.unix:
            try:
                os.unlink(args.unix)
            except OSError:
                pass


if __name__ == "__main__":
    main()
