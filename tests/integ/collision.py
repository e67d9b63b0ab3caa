#!/usr/bin/python3
"""collision.py SCENARIO - a scripted BGP peer that makes a connection
collision with nomcastd (RFC 4271 6.8) and checks how it is resolved.

nomcastd (198.51.100.2, AS 65001) connects to us (198.51.100.1, AS 65000);
we answer its OPEN so that connection reaches OpenConfirm, then connect
to it ourselves and send an OPEN on the second connection too.  RFC 4271
6.8: the connection initiated by the speaker with the higher BGP
Identifier survives, the other is closed with Cease/Connection Collision
Resolution (6/7).

  higher: our BGP id 198.51.100.200 > nomcastd's: our (inbound) wins
  lower:  our BGP id 198.51.100.1   < nomcastd's: nomcastd's (outbound) wins
  early:  we connect while nomcastd's connection is still in OpenSent
          (no OPEN from us yet): the first connection gives way (6/7)
          and the session comes up on ours
The winner must then reach Established and carry the announcement.
"""
import socket
import struct
import sys
import time

ME, NOMCAST = "198.51.100.1", "198.51.100.2"


def open_msg(bgpid, hold=9):
    caps = bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4]) + struct.pack("!I", 65000)
    opt = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, 65000, hold, socket.inet_aton(bgpid),
                       len(opt)) + opt
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 1) + body


KEEPALIVE = b"\xff" * 16 + struct.pack("!HB", 19, 4)


def read_msg(s, timeout=5.0):
    """one message as (type, body), or None when the connection closes"""
    s.settimeout(timeout)
    buf = b""
    while len(buf) < 19:
        d = s.recv(19 - len(buf))
        if not d:
            return None
        buf += d
    ln, typ = struct.unpack("!HB", buf[16:19])
    body = b""
    while len(body) < ln - 19:
        d = s.recv(ln - 19 - len(body))
        if not d:
            return None
        body += d
    return typ, body


def expect(s, typ, what):
    m = read_msg(s)
    if m is None or m[0] != typ:
        sys.exit("FAIL: %s: wanted type %d, got %r" % (what, typ, m))
    return m[1]


def expect_cease_6_7(s, what):
    while True:
        m = read_msg(s)
        if m is None:
            sys.exit("FAIL: %s: closed without a NOTIFICATION" % what)
        if m[0] == 3:
            if m[1][:2] != bytes([6, 7]):
                sys.exit("FAIL: %s: NOTIFICATION %d/%d, wanted 6/7"
                         % (what, m[1][0], m[1][1]))
            if read_msg(s, 2) is not None:
                sys.exit("FAIL: %s: not closed after the Cease" % what)
            return
        # a KEEPALIVE sent before the resolution may come first


def established(s, what):
    """send KEEPALIVE, then the announcement must arrive on s"""
    s.sendall(KEEPALIVE)
    deadline = time.time() + 5
    while time.time() < deadline:
        m = read_msg(s)
        if m is None:
            sys.exit("FAIL: %s: closed instead of Established" % what)
        if m[0] == 2 and len(m[1]) > 4:
            return
    sys.exit("FAIL: %s: no UPDATE" % what)


def main():
    scen = sys.argv[1]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ME, 179))
    ls.listen(4)
    ls.settimeout(15)
    out, _ = ls.accept()            # nomcastd's connection to us
    expect(out, 1, "nomcastd's OPEN on its connection")
    ourid = "198.51.100.200" if scen == "higher" else ME
    if scen != "early":
        out.sendall(open_msg(ourid))        # its connection -> OpenConfirm
        expect(out, 4, "KEEPALIVE on nomcastd's connection")
    inn = socket.create_connection((NOMCAST, 179), timeout=5)
    expect(inn, 1, "nomcastd's OPEN on our connection")
    inn.sendall(open_msg(ourid))
    if scen == "higher" or scen == "early":
        expect_cease_6_7(out, "nomcastd's connection (the loser)")
        expect(inn, 4, "KEEPALIVE on our connection")
        established(inn, "our connection (the winner)")
    else:
        expect_cease_6_7(inn, "our connection (the loser)")
        established(out, "nomcastd's connection (the winner)")
    print("ok - collision %s: the right connection closed with 6/7, the "
          "other Established with the routes" % scen)


main()
