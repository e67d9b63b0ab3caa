#!/usr/bin/python3
"""badpeer.py - a misbehaving BGP-4 peer for nomcastd's integration tests.

Python 3 standard library only.  It connects to a passive nomcastd, reads
nomcastd's OPEN, then plays one CASE: it sends a malformed message and
checks the exact NOTIFICATION that comes back (code, subcode, data), or,
for the RFC 7606 errors that must not reset the session, checks that the
session stays up.  "establish" and "feed" are the well-behaved cases.

    badpeer.py --local A --remote B [options] CASE
    badpeer.py --list

Exit status 0 when nomcastd behaved as expected, 1 otherwise, with one
"FAIL: ..." line on stderr.  The expected values cite their RFC sections.
"""

import argparse
import os
import select
import socket
import struct
import sys
import time

# ---- wire constants (RFC 4271 4.1, 4.5; RFC 2918) ----

MARKER = b"\xff" * 16
HDR_LEN = 19
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
TYPE_NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE",
              5: "ROUTE-REFRESH"}

ATTR_ORIGIN, ATTR_AS_PATH, ATTR_NEXT_HOP, ATTR_MED = 1, 2, 3, 4
ATTR_ATOMIC_AGGREGATE, ATTR_COMMUNITIES = 6, 8
ATTR_MP_REACH, ATTR_MP_UNREACH, ATTR_LARGE_COMMUNITY = 14, 15, 32
F_OPTIONAL, F_TRANSITIVE, F_EXTLEN = 0x80, 0x40, 0x10

AFI_IPV4, AFI_IPV6, SAFI_UNICAST = 1, 2, 1

# What the test scripts configure in nomcastd's [service web]; the
# establish check compares nomcastd's announcement with it.
SVC_PREFIX4 = "203.0.113.10/32"
SVC_PREFIX6 = "2001:db8:100::10/128"
SVC_NEXT_HOP6 = "2001:db8:1::2"
SVC_MED = 50
SVC_COMMUNITIES = [(65001 << 16) | 100, (65001 << 16) | 200]
SVC_LARGE = [(65001, 1, 2)]


class Fail(Exception):
    pass


class Closed(Exception):
    pass


# ---- encoding ----

def msg(mtype, body=b"", marker=MARKER, length=None):
    if length is None:
        length = HDR_LEN + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def capability(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def open_body(asn, hold, bgp_id, version=4, params=None, caps_as=None):
    """An OPEN body; params overrides the optional parameters."""
    if params is None:
        caps = (capability(1, struct.pack("!HBB", AFI_IPV4, 0, SAFI_UNICAST)) +
                capability(1, struct.pack("!HBB", AFI_IPV6, 0, SAFI_UNICAST)) +
                capability(2) +
                capability(65, struct.pack("!I", asn if caps_as is None
                                           else caps_as)))
        params = struct.pack("!BB", 2, len(caps)) + caps
    my_as = asn if asn <= 0xffff else 23456
    return (struct.pack("!BHH", version, my_as, hold) +
            socket.inet_aton(bgp_id) + struct.pack("!B", len(params)) +
            params)


def attr(flags, code, value):
    if len(value) > 255:
        flags |= F_EXTLEN
    if flags & F_EXTLEN:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(withdrawn=b"", attrs=b"", nlri=b"", tal=None):
    if tal is None:
        tal = len(attrs)
    body = (struct.pack("!H", len(withdrawn)) + withdrawn +
            struct.pack("!H", tal) + attrs + nlri)
    return msg(UPDATE, body)


def prefix_bytes(family, text):
    addr, plen = text.split("/")
    plen = int(plen)
    raw = socket.inet_pton(family, addr)
    return bytes([plen]) + raw[:(plen + 7) // 8]


def origin(value=0):
    return attr(F_TRANSITIVE, ATTR_ORIGIN, bytes([value]))


def as_path(asns):
    # one AS_SEQUENCE of 4-octet ASes: both sides offer AS4 (RFC 6793)
    if not asns:
        return attr(F_TRANSITIVE, ATTR_AS_PATH, b"")
    seg = struct.pack("!BB", 2, len(asns)) + b"".join(
        struct.pack("!I", a) for a in asns)
    return attr(F_TRANSITIVE, ATTR_AS_PATH, seg)


def next_hop(addr):
    return attr(F_TRANSITIVE, ATTR_NEXT_HOP, socket.inet_aton(addr))


def mp_reach6(nh, prefixes):
    v = struct.pack("!HBB", AFI_IPV6, SAFI_UNICAST, 16)
    v += socket.inet_pton(socket.AF_INET6, nh) + b"\x00"
    v += b"".join(prefix_bytes(socket.AF_INET6, p) for p in prefixes)
    return attr(F_OPTIONAL, ATTR_MP_REACH, v)


# ---- decoding what nomcastd sends ----

def parse_prefixes(family, data):
    out = []
    i = 0
    size = 4 if family == socket.AF_INET else 16
    while i < len(data):
        plen = data[i]
        n = (plen + 7) // 8
        if plen > size * 8 or i + 1 + n > len(data):
            raise Fail("nomcastd sent a malformed prefix: %s" % data.hex())
        raw = data[i + 1:i + 1 + n] + b"\x00" * (size - n)
        out.append("%s/%d" % (socket.inet_ntop(family, raw), plen))
        i += 1 + n
    return out


def parse_update(body):
    """(withdrawn, {code: value}, nlri) of an UPDATE nomcastd sent"""
    if len(body) < 4:
        raise Fail("short UPDATE from nomcastd: %s" % body.hex())
    wlen = struct.unpack("!H", body[:2])[0]
    withdrawn = body[2:2 + wlen]
    tal = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    abytes = body[4 + wlen:4 + wlen + tal]
    nlri = body[4 + wlen + tal:]
    attrs = {}
    i = 0
    while i < len(abytes):
        flags, code = abytes[i], abytes[i + 1]
        if flags & F_EXTLEN:
            alen = struct.unpack("!H", abytes[i + 2:i + 4])[0]
            i += 4
        else:
            alen = abytes[i + 2]
            i += 3
        if code in attrs:
            raise Fail("nomcastd sent attribute %d twice" % code)
        attrs[code] = abytes[i:i + alen]
        i += alen
    return (parse_prefixes(socket.AF_INET, withdrawn), attrs,
            parse_prefixes(socket.AF_INET, nlri))


def check_common_attrs(attrs, what):
    if attrs.get(ATTR_ORIGIN) != b"\x00":
        raise Fail("%s: ORIGIN %r, want IGP" % (what, attrs.get(ATTR_ORIGIN)))
    want = struct.pack("!BBI", 2, 1, 65001)
    if attrs.get(ATTR_AS_PATH) != want:
        raise Fail("%s: AS_PATH %r, want SEQUENCE 65001" %
                   (what, attrs.get(ATTR_AS_PATH)))
    if attrs.get(ATTR_MED) != struct.pack("!I", SVC_MED):
        raise Fail("%s: MED %r" % (what, attrs.get(ATTR_MED)))
    comm = b"".join(struct.pack("!I", c) for c in SVC_COMMUNITIES)
    if attrs.get(ATTR_COMMUNITIES) != comm:
        raise Fail("%s: COMMUNITIES %r" % (what, attrs.get(ATTR_COMMUNITIES)))
    large = b"".join(struct.pack("!III", *c) for c in SVC_LARGE)
    if attrs.get(ATTR_LARGE_COMMUNITY) != large:
        raise Fail("%s: LARGE_COMMUNITY %r" %
                   (what, attrs.get(ATTR_LARGE_COMMUNITY)))


def describe(mtype, body):
    name = TYPE_NAMES.get(mtype, "type-%d" % mtype)
    if mtype == NOTIFICATION and len(body) >= 2:
        return "%s %d/%d data=%s" % (name, body[0], body[1], body[2:].hex())
    return "%s len=%d" % (name, HDR_LEN + len(body))


# ---- the peer ----

class Peer:
    def __init__(self, args):
        self.a = args
        self.sock = None
        self.rbuf = b""
        self.remote_open = None
        self.last_sent = time.monotonic()

    def log(self, text):
        if self.a.verbose:
            print("badpeer %s: %s" % (self.a.local, text), file=sys.stderr)

    def connect(self, timeout=20.0):
        """Connect and read nomcastd's OPEN.  A passive nomcastd that is
        still in Idle (restart backoff) accepts and closes at once, and
        one not yet listening refuses: both mean "try again"."""
        end = time.monotonic() + timeout
        last = "no attempt"
        while time.monotonic() < end:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((self.a.local, 0))
                s.settimeout(2.0)
                s.connect((self.a.remote, self.a.port))
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                # reads go through select(); a send may wait this long
                s.settimeout(30.0)
                self.sock = s
                self.rbuf = b""
                t, body = self.recv(3.0)
                if t != OPEN:
                    raise Fail("first message from nomcastd is %s, not "
                               "OPEN" % describe(t, body))
                self.check_open(body)
                self.log("connected, nomcastd's OPEN ok")
                return
            except (OSError, Closed, TimeoutError) as e:
                last = "%s" % (e or type(e).__name__)
                s.close()
                self.sock = None
                time.sleep(0.1)
        raise Fail("nomcastd did not accept a session within %.0fs (%s)" %
                   (timeout, last))

    def check_open(self, body):
        # RFC 4271 4.2: version 4, our peer's AS and identifier
        version, my_as, hold = struct.unpack("!BHH", body[:5])
        bgp_id = socket.inet_ntoa(body[5:9])
        if version != 4 or my_as != 65001 or bgp_id != "198.51.100.2":
            raise Fail("unexpected OPEN from nomcastd: v%d as %d id %s" %
                       (version, my_as, bgp_id))
        self.remote_open = (version, my_as, hold, bgp_id)

    def send(self, raw):
        self.sock.sendall(raw)
        self.last_sent = time.monotonic()

    def recv(self, timeout):
        """One whole message as (type, body); None on timeout."""
        end = time.monotonic() + timeout
        while True:
            if len(self.rbuf) >= HDR_LEN:
                mlen, mtype = struct.unpack("!HB", self.rbuf[16:19])
                if self.rbuf[:16] != MARKER or mlen < HDR_LEN:
                    raise Fail("nomcastd sent a bad header: %s" %
                               self.rbuf[:19].hex())
                if len(self.rbuf) >= mlen:
                    body = self.rbuf[HDR_LEN:mlen]
                    self.rbuf = self.rbuf[mlen:]
                    self.log("rcvd %s" % describe(mtype, body))
                    return mtype, body
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                raise Closed("connection closed by nomcastd")
            self.rbuf += data

    def recv_skip_keepalive(self, timeout):
        end = time.monotonic() + timeout
        while True:
            m = self.recv(max(0.0, end - time.monotonic()))
            if m is None or m[0] != KEEPALIVE:
                return m

    def establish(self, hold=None):
        """OPEN, KEEPALIVE, then nomcastd's announcement and End-of-RIB
        markers (RFC 4724 2) for both families; checks the routes."""
        hold = self.a.hold if hold is None else hold
        self.send(msg(OPEN, open_body(self.a.asn, hold, self.a.local)))
        m = self.recv(5.0)
        if m is None or m[0] != KEEPALIVE:
            raise Fail("no KEEPALIVE after our OPEN: %r" %
                       (m and describe(*m)))
        self.send(msg(KEEPALIVE))
        seen4 = seen6 = False
        eor4 = eor6 = False
        end = time.monotonic() + 5.0
        while not (eor4 and eor6):
            m = self.recv_skip_keepalive(max(0.0, end - time.monotonic()))
            if m is None:
                raise Fail("no End-of-RIB (ipv4 %s, ipv6 %s)" % (eor4, eor6))
            if m[0] != UPDATE:
                raise Fail("expected UPDATE, got %s" % describe(*m))
            seen4_, seen6_, eor4_, eor6_ = self.check_announcement(m[1])
            seen4 |= seen4_
            seen6 |= seen6_
            eor4 |= eor4_
            eor6 |= eor6_
        if not (seen4 and seen6):
            raise Fail("announcement incomplete: %s %s, %s %s" %
                       (SVC_PREFIX4, seen4, SVC_PREFIX6, seen6))
        self.log("Established, routes and End-of-RIB received")

    def check_announcement(self, body):
        """(has v4 route, has v6 route, is v4 EoR, is v6 EoR)"""
        if body == b"\x00\x00\x00\x00":
            return False, False, True, False
        withdrawn, attrs, nlri = parse_update(body)
        if withdrawn:
            raise Fail("nomcastd withdrew %s" % withdrawn)
        if list(attrs) == [ATTR_MP_UNREACH] and not nlri:
            if attrs[ATTR_MP_UNREACH] == struct.pack("!HB", AFI_IPV6,
                                                     SAFI_UNICAST):
                return False, False, False, True
            raise Fail("unexpected MP_UNREACH %s" %
                       attrs[ATTR_MP_UNREACH].hex())
        has4 = has6 = False
        if nlri:
            if nlri != [SVC_PREFIX4]:
                raise Fail("unexpected IPv4 NLRI %s" % nlri)
            # eBGP: NEXT_HOP is the local address of the session (5.1.3)
            if attrs.get(ATTR_NEXT_HOP) != socket.inet_aton(self.a.remote):
                raise Fail("NEXT_HOP %r" % attrs.get(ATTR_NEXT_HOP))
            check_common_attrs(attrs, SVC_PREFIX4)
            has4 = True
        if ATTR_MP_REACH in attrs:
            v = attrs[ATTR_MP_REACH]
            afi, safi, nhlen = struct.unpack("!HBB", v[:4])
            nh = v[4:4 + nhlen]
            pfx = parse_prefixes(socket.AF_INET6, v[5 + nhlen:])
            if (afi, safi, nhlen) != (AFI_IPV6, SAFI_UNICAST, 16) or \
               socket.inet_ntop(socket.AF_INET6, nh) != SVC_NEXT_HOP6 or \
               pfx != [SVC_PREFIX6]:
                raise Fail("unexpected MP_REACH_NLRI %s" % v.hex())
            check_common_attrs(attrs, SVC_PREFIX6)
            has6 = True
        if not (has4 or has6):
            raise Fail("UPDATE without routes: %s" % body.hex())
        return has4, has6, False, False

    def expect_notif(self, code, subcode, data=b"", timeout=5.0):
        """The next message that is not a KEEPALIVE must be exactly this
        NOTIFICATION; then nomcastd must close the connection."""
        m = self.recv_skip_keepalive(timeout)
        if m is None:
            raise Fail("no NOTIFICATION within %.0fs (want %d/%d)" %
                       (timeout, code, subcode))
        got = describe(*m)
        want = "NOTIFICATION %d/%d data=%s" % (code, subcode, data.hex())
        if got != want:
            raise Fail("got %s, want %s" % (got, want))
        self.expect_closed()
        self.log("got %s, connection closed" % want)

    def expect_closed(self, timeout=3.0):
        try:
            m = self.recv(timeout)
        except Closed:
            return
        if m is None:
            raise Fail("connection still open %.0fs later" % timeout)
        raise Fail("unexpected %s instead of the close" % describe(*m))

    def expect_alive(self, quiet=1.0):
        """RFC 7606 cases: no NOTIFICATION and no close for `quiet`
        seconds, then a ROUTE-REFRESH (RFC 2918) must still be answered
        with the Adj-RIB-Out: the session is up and reading."""
        end = time.monotonic() + quiet
        while time.monotonic() < end:
            m = self.recv(max(0.0, end - time.monotonic()))
            if m is not None and m[0] != KEEPALIVE:
                raise Fail("session not kept: %s" % describe(*m))
        self.route_refresh_roundtrip()
        self.log("session stayed up")

    def route_refresh_roundtrip(self, timeout=5.0):
        self.send(msg(ROUTE_REFRESH, struct.pack("!HBB", AFI_IPV4, 0,
                                                 SAFI_UNICAST)))
        end = time.monotonic() + timeout
        while True:
            m = self.recv_skip_keepalive(max(0.0, end - time.monotonic()))
            if m is None:
                raise Fail("ROUTE-REFRESH not answered")
            if m[0] != UPDATE:
                raise Fail("ROUTE-REFRESH answered with %s" % describe(*m))
            has4, _, _, _ = self.check_announcement(m[1])
            if has4:
                return

    def cease(self):
        """Cease/Administrative Shutdown (RFC 9003), then close."""
        text = b"badpeer done"
        self.send(msg(NOTIFICATION, bytes([6, 2, len(text)]) + text))
        self.close()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


# ---- the cases ----
# Each takes a connected Peer (nomcastd's OPEN read: nomcastd is in
# OpenSent) and raises Fail if nomcastd misbehaves.

CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


def std_attrs(p):
    return origin(0) + as_path([p.a.asn]) + next_hop(p.a.local)


# RFC 4271 6.1: a marker not all ones is Connection Not Synchronized, 1/1,
# no data.
@case
def bad_marker(p):
    p.send(msg(KEEPALIVE, marker=b"\xff" * 15 + b"\xfe"))
    p.expect_notif(1, 1)


# RFC 4271 6.1: Length < 19 or > 4096 is Bad Message Length, 1/2, "the
# Data field MUST contain the erroneous Length field".
@case
def bad_length_18(p):
    p.send(msg(KEEPALIVE, length=18))
    p.expect_notif(1, 2, struct.pack("!H", 18))


@case
def bad_length_4097(p):
    p.send(msg(UPDATE, length=4097))
    p.expect_notif(1, 2, struct.pack("!H", 4097))


# RFC 4271 6.1: an unrecognized Type is Bad Message Type, 1/3, the Data
# field holds the erroneous Type field.
@case
def bad_type_9(p):
    p.send(msg(9))
    p.expect_notif(1, 3, b"\x09")


# RFC 4271 6.2: an unsupported version is 2/1; the data is the largest
# locally supported version below the bid, or if every supported version
# is above it, the smallest supported one: 4, as a 2-octet integer.
@case
def open_version_3(p):
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, p.a.local, version=3)))
    p.expect_notif(2, 1, b"\x00\x04")


# RFC 4271 6.2: an unacceptable My Autonomous System is Bad Peer AS, 2/2.
@case
def open_bad_peer_as(p):
    p.send(msg(OPEN, open_body(65099, p.a.hold, p.a.local)))
    p.expect_notif(2, 2)


# RFC 4271 6.2: Hold Time 1 or 2 MUST be rejected: Unacceptable Hold
# Time, 2/6.
@case
def open_hold_1(p):
    p.send(msg(OPEN, open_body(p.a.asn, 1, p.a.local)))
    p.expect_notif(2, 6)


# RFC 4271 6.2 and RFC 6286 2.2: BGP Identifier 0 is Bad BGP Identifier,
# 2/3.
@case
def open_bgp_id_0(p):
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, "0.0.0.0")))
    p.expect_notif(2, 3)


# RFC 4271 6.2: an unrecognized Optional Parameter is Unsupported Optional
# Parameters, 2/4 (type 42 is unassigned; 2 is Capabilities, RFC 5492).
@case
def open_unknown_param(p):
    caps = capability(65, struct.pack("!I", p.a.asn))
    params = struct.pack("!BB", 2, len(caps)) + caps + \
        struct.pack("!BB", 42, 2) + b"\xab\xcd"
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, p.a.local, params=params)))
    p.expect_notif(2, 4)


# RFC 4271 8.2.2 OpenSent: UpdateMsg (Event 27) is "any other event": an
# FSM Error, subcode 1 "Receive Unexpected Message in OpenSent State"
# (RFC 6608 3).
@case
def update_in_opensent(p):
    p.send(update())
    p.expect_notif(5, 1)


# RFC 4271 8.2.2 OpenConfirm: Event 27 -> FSM Error, subcode 2 "Receive
# Unexpected Message in OpenConfirm State" (RFC 6608 3).
@case
def update_in_openconfirm(p):
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, p.a.local)))
    m = p.recv(5.0)
    if m is None or m[0] != KEEPALIVE:
        raise Fail("no KEEPALIVE after our OPEN (OpenConfirm)")
    p.send(update())
    p.expect_notif(5, 2)


# An OPEN on a connection that is already Established is an unexpected
# message: FSM Error, subcode 3 "Receive Unexpected Message in Established
# State" (RFC 6608 3 and 4, revising the FSM error of RFC 4271 8.2.2).
@case
def open_in_established(p):
    p.establish()
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, p.a.local)))
    p.expect_notif(5, 3)


# RFC 4271 6.1: KEEPALIVE must be exactly 19 octets: 1/2 with the Length.
@case
def keepalive_with_body(p):
    p.establish()
    p.send(msg(KEEPALIVE, b"\x00"))
    p.expect_notif(1, 2, struct.pack("!H", 20))


# RFC 7606 7.1: an undefined ORIGIN value is treat-as-withdraw (not the
# 3/6 of RFC 4271 6.3): the session stays.
@case
def update_origin_5(p):
    p.establish()
    p.send(update(attrs=origin(5) + as_path([p.a.asn]) + next_hop(p.a.local),
                  nlri=prefix_bytes(socket.AF_INET, "203.0.113.128/25")))
    p.expect_alive()
    p.cease()


# RFC 7606 4: an attribute whose length runs past the Total Path
# Attribute Length is treat-as-withdraw; the NLRI is found from the
# Total Path Attribute Length.  The session stays.
@case
def update_attr_overruns_tal(p):
    bad_med = struct.pack("!BBB", F_OPTIONAL, ATTR_MED, 10) + b"\x00" * 4
    p.establish()
    p.send(update(attrs=std_attrs(p) + bad_med,
                  nlri=prefix_bytes(socket.AF_INET, "203.0.113.128/25")))
    p.expect_alive()
    p.cease()


# RFC 7606 7.6: ATOMIC_AGGREGATE of a length other than 0 is
# attribute-discard.  The session stays.
@case
def update_atomic_aggregate_len_1(p):
    p.establish()
    p.send(update(attrs=std_attrs(p) +
                  attr(F_TRANSITIVE, ATTR_ATOMIC_AGGREGATE, b"\x01"),
                  nlri=prefix_bytes(socket.AF_INET, "203.0.113.128/25")))
    p.expect_alive()
    p.cease()


# RFC 4271 6.3: Withdrawn Routes Length + Total Attribute Length + 23 above
# the message length is Malformed Attribute List, 3/1, no data.  RFC 7606 4
# relies on the Total Attribute Length to find the NLRI, so an overrun of
# the message itself leaves only the session reset.
@case
def update_tal_overruns_message(p):
    a = std_attrs(p)
    p.establish()
    p.send(update(attrs=a, tal=len(a) + 100))
    p.expect_notif(3, 1)


# RFC 4271 6.3: an unrecognized well-known attribute (Optional bit 0) is
# Unrecognized Well-known Attribute, 3/2, and "the Data field MUST contain
# the unrecognized attribute (type, length, and value)".
@case
def update_unknown_wellknown(p):
    bad = attr(F_TRANSITIVE, 99, b"\xab\xcd")
    p.establish()
    p.send(update(attrs=std_attrs(p) + bad,
                  nlri=prefix_bytes(socket.AF_INET, "203.0.113.128/25")))
    p.expect_notif(3, 2, bad)


# RFC 7606 3(g): MP_REACH_NLRI more than once is Malformed Attribute List,
# 3/1 (session reset).
@case
def update_duplicate_mp_reach(p):
    mp = mp_reach6("2001:db8:1::1", ["2001:db8:200::/48"])
    p.establish()
    p.send(update(attrs=origin(0) + as_path([p.a.asn]) + mp + mp))
    p.expect_notif(3, 1)


# RFC 7606 5.3: an IPv4 prefix longer than 32 makes the NLRI field
# syntactically incorrect: "session reset" (or AFI/SAFI disable, which
# nomcast does not do); RFC 4271 6.3 names it Invalid Network Field, 3/10.
@case
def update_nlri_length_33(p):
    p.establish()
    p.send(update(attrs=std_attrs(p), nlri=b"\x21\xcb\x00\x71\x0a\x01"))
    p.expect_notif(3, 10)


# RFC 7313 5: a ROUTE-REFRESH of subtype 1 (BoRR) or 2 (EoRR) whose body
# is not 4 octets is ROUTE-REFRESH Message Error / Invalid Message Length,
# 7/1, and the data is the complete ROUTE-REFRESH message.
@case
def borr_bad_length(p):
    p.establish()
    bad = msg(ROUTE_REFRESH, struct.pack("!HBB", AFI_IPV4, 1, SAFI_UNICAST) +
              b"\x00")
    p.send(bad)
    p.expect_notif(7, 1, bad)


# RFC 4271 8.2.2 Established, Event 25 (NotifMsg): release all resources,
# drop the TCP connection, go Idle -- no NOTIFICATION in reply (and 6.4: an
# error in a NOTIFICATION cannot be reported with one).  The test script
# checks that nomcastd logged the code and the RFC 9003 message.
@case
def peer_notification(p):
    p.establish()
    # hostile on purpose: quotes, a backslash, a new line and a forged
    # key must stay inside the one log line's quoted value
    text = b'badpeer says bye "now" \\ \nlvl=err forged=1'
    p.send(msg(NOTIFICATION, bytes([6, 2, len(text)]) + text))
    p.expect_closed()


# RFC 4271 6.5 and 8.2.2: with Hold Time 3 negotiated (the smaller of the
# two, 4.2) and nothing received, the HoldTimer expires: Hold Timer
# Expired, 4/0, 3 s after our last message.  nomcastd's own KEEPALIVEs
# (every second) must not restart its HoldTimer.
@case
def hold_timer_expiry(p):
    p.establish(hold=3)
    quiet_from = p.last_sent
    p.expect_notif(4, 0, timeout=6.0)
    took = time.monotonic() - quiet_from
    if not 2.5 <= took <= 4.5:
        raise Fail("Hold Timer Expired after %.2fs, want about 3s" % took)
    p.log("hold timer expired after %.2fs" % took)


# The good case: Established, routes checked, then a clean Cease.
@case
def establish(p):
    p.establish()
    p.cease()


def feed_prefixes(count):
    """count distinct IPv4 /32s from 10.0.0.0 up; NLRI bytes only, never
    an address configured anywhere."""
    base = 10 << 24
    for i in range(count):
        yield b"\x20" + struct.pack("!I", base + i)


@case
def feed(p):
    """Established, then (when DIR/go exists) count /32s in packed
    UPDATEs, as many per message as fit in 4096 octets, then a
    ROUTE-REFRESH round trip proves nomcastd has read them all; writes
    DIR/fed and keeps the session with KEEPALIVEs until DIR/done,
    checking that nomcastd's KEEPALIVEs keep coming."""
    d = p.a.sync
    p.establish()
    open(os.path.join(d, "established"), "w").close()
    end = time.monotonic() + 30
    while not os.path.exists(os.path.join(d, "go")):
        keepalive_tick(p)
        if time.monotonic() > end:
            raise Fail("no go from the test script")
    a = std_attrs(p)
    room = 4096 - HDR_LEN - 4 - len(a)
    nlri = []
    size = 0
    sent = msgs = 0
    t0 = time.monotonic()
    for pfx in feed_prefixes(p.a.count):
        if size + len(pfx) > room:
            p.send(update(attrs=a, nlri=b"".join(nlri)))
            msgs += 1
            nlri, size = [], 0
        nlri.append(pfx)
        size += len(pfx)
        sent += 1
    if nlri:
        p.send(update(attrs=a, nlri=b"".join(nlri)))
        msgs += 1
    # nomcastd answers in order: once the refresh is answered, every
    # UPDATE before it has been read and checked
    p.route_refresh_roundtrip(timeout=60.0)
    took = time.monotonic() - t0
    print("fed %d prefixes in %d UPDATEs in %.2fs" % (sent, msgs, took))
    sys.stdout.flush()
    open(os.path.join(d, "fed"), "w").close()
    # the session must stay: nomcastd's KEEPALIVEs keep coming
    got = 0
    end = time.monotonic() + 30
    while not os.path.exists(os.path.join(d, "done")) or got < 2:
        got += keepalive_tick(p)
        if time.monotonic() > end:
            raise Fail("only %d KEEPALIVEs from nomcastd after the feed" %
                       got)
    print("keepalives after the feed: %d" % got)
    p.cease()


def keepalive_tick(p):
    """Send a KEEPALIVE once a second; read for up to 0.2 s.  Returns the
    number of KEEPALIVEs received; anything but those and nomcastd's own
    announcement fails."""
    if time.monotonic() - p.last_sent >= 1.0:
        p.send(msg(KEEPALIVE))
    n = 0
    end = time.monotonic() + 0.2
    while True:
        try:
            m = p.recv(max(0.0, end - time.monotonic()))
        except Closed:
            raise Fail("nomcastd closed the session")
        if m is None:
            return n
        if m[0] == UPDATE:
            # the rest of a ROUTE-REFRESH answer (both families are
            # re-sent): it must still be the service's announcement
            p.check_announcement(m[1])
            continue
        if m[0] != KEEPALIVE:
            raise Fail("unexpected %s" % describe(*m))
        n += 1


# RFC 9687 / a bounded queue: the peer asks for the table --count times
# (ROUTE-REFRESH, RFC 2918) and reads nothing, its receive buffer small,
# while its KEEPALIVEs keep the session.  nomcastd must neither close the
# session nor queue the table again for each request; the script watches
# nomcastd's memory.  --sync: a file written once the flood is sent, then
# the session is held until that file is removed.
@case
def rr_flood(p):
    p.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, p.a.local)))
    m = p.recv(5.0)
    if m is None or m[0] != KEEPALIVE:
        raise Fail("no KEEPALIVE after our OPEN: %r" % (m and describe(*m)))
    p.send(msg(KEEPALIVE))
    rr = msg(ROUTE_REFRESH, struct.pack("!HBB", AFI_IPV4, 0, SAFI_UNICAST))
    sent = 0
    while sent < p.a.count:
        n = min(500, p.a.count - sent)
        p.send(rr * n)
        sent += n
    p.log("%d ROUTE-REFRESH sent, nothing read" % sent)
    done = os.path.join(p.a.sync, "flooded")
    with open(done, "w") as f:
        f.write("%d\n" % sent)
    end = time.monotonic() + 60
    while os.path.exists(done):
        if time.monotonic() > end:
            raise Fail("nobody removed %s" % done)
        time.sleep(1)
        p.send(msg(KEEPALIVE))
    # still up: what was queued, then its KEEPALIVEs, no NOTIFICATION
    end = time.monotonic() + 20
    while time.monotonic() < end:
        m = p.recv(max(0.0, end - time.monotonic()))
        if m is None:
            break
        if m[0] == NOTIFICATION:
            raise Fail("session torn down: %s" % describe(*m))
        if m[0] == KEEPALIVE:
            return
    raise Fail("no KEEPALIVE from nomcastd after the flood")


@case
def send_hold(p):
    """Ask for the table many times, then read nothing but keep the
    session alive with our KEEPALIVEs: nomcastd must give up on us after
    its send hold time (RFC 9687).  Writes "flooded" when the requests
    are out, then "closed" with the seconds between the two once our
    KEEPALIVEs are refused (nomcastd closed the connection)."""
    p.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    p.send(msg(OPEN, open_body(p.a.asn, p.a.hold, p.a.local)))
    m = p.recv(5.0)
    if m is None or m[0] != KEEPALIVE:
        raise Fail("no KEEPALIVE after our OPEN: %r" % (m and describe(*m)))
    p.send(msg(KEEPALIVE))
    rr = msg(ROUTE_REFRESH, struct.pack("!HBB", AFI_IPV4, 0, SAFI_UNICAST))
    p.send(rr * p.a.count)
    flooded = time.monotonic()
    with open(os.path.join(p.a.sync, "flooded"), "w") as f:
        f.write("%d\n" % p.a.count)
    end = flooded + 120
    while time.monotonic() < end:
        time.sleep(0.5)
        try:
            p.sock.send(msg(KEEPALIVE), socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        except OSError as e:
            took = time.monotonic() - flooded
            p.log("KEEPALIVE refused after %.1f s: %s" % (took, e))
            with open(os.path.join(p.a.sync, "closed"), "w") as f:
                f.write("%.1f\n" % took)
            return
    raise Fail("nomcastd kept the unread session for 120 s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--local", default="198.51.100.1")
    ap.add_argument("--remote", default="198.51.100.2")
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--asn", type=int, default=65000)
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--sync", help="feed: directory for the handshake files")
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("case", nargs="?")
    a = ap.parse_args()
    if a.list:
        print("\n".join(CASES))
        return 0
    if a.case not in CASES:
        ap.error("unknown case %r (--list)" % a.case)
    p = Peer(a)
    try:
        p.connect()
        CASES[a.case](p)
    except (Fail, Closed, OSError) as e:
        print("FAIL: %s: %s" % (a.case, e), file=sys.stderr)
        return 1
    finally:
        p.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
