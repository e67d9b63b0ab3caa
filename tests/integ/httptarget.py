#!/usr/bin/python3
"""httptarget.py - a small HTTP/1.1 server that misbehaves on demand, the
target of tests/integ/check_http.sh.  Python 3 standard library only.

  httptarget.py --listen 127.0.0.1:8080 [--tls-listen ADDR:PORT --cert F
      --key F] [--unix PATH] [--mode-file F] [--log F] [--ready F]

Each request is answered by a mode.  A path /m/MODE/ARG... selects it for
that request (so several checks can each test one mode at the same time);
any other path uses the first line of the mode file, read again at every
request, so a test switches the mode while the client runs.  Modes:

  200, ok        200 "pong"                 503, status N   that status
  hang           read the request, never answer (until the client closes)
  reset          close with SO_LINGER 0: the client sees a TCP reset
  garbage        bytes that are not HTTP, then close
  slow N         200 "pong" after N ms
  big            200, "pong" then 1 MiB more
  bigtail        200, 1 MiB then "pong" (past what a check keeps)
  nobody         200 without "pong"
  host NAME      200 "pong" if the Host header is NAME, else 421
  close          200 "pong" and Connection: close
  cycle M1 M2..  the next of these modes at each request

Every request is logged as one line: conn=N peer=P host=H path=P mode=M
ua=U (conn numbers the connections, so keep-alive reuse shows).
"""

import argparse
import os
import socket
import ssl
import struct
import sys
import threading
import time

MIB = 1024 * 1024


class Target:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.conns = 0
        self.cycle = 0
        self.logf = open(args.log, "a", buffering=1) if args.log else None

    def log(self, line):
        if self.logf is not None:
            with self.lock:
                self.logf.write(line + "\n")

    def mode_for(self, path):
        if path.startswith("/m/"):
            return path[3:].strip("/").replace("/", " ")
        mode = "200"
        if self.args.mode_file:
            try:
                with open(self.args.mode_file) as f:
                    mode = f.readline().strip() or "200"
            except OSError:
                pass
        return mode

    def resolve_cycle(self, mode):
        words = mode.split()
        if words and words[0] == "cycle" and len(words) > 1:
            with self.lock:
                i = self.cycle
                self.cycle += 1
            return words[1 + i % (len(words) - 1)]
        return mode


def read_request(conn, buf):
    """(request line, headers dict, rest of the buffer) or None at EOF"""
    while b"\r\n\r\n" not in buf:
        if len(buf) > 65536:
            return None
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return lines[0], headers, rest


def respond(conn, status, body, close=False):
    reason = {200: "OK", 421: "Misdirected Request", 503: "Service Unavailable"}
    head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n" % (
        status, reason.get(status, "Status"), len(body))
    if close:
        head += "Connection: close\r\n"
    conn.sendall(head.encode() + b"\r\n" + body)


def serve_conn(t, conn, peer, tls_ctx):
    with t.lock:
        t.conns += 1
        cid = t.conns
    try:
        if tls_ctx is not None:
            conn = tls_ctx.wrap_socket(conn, server_side=True)
        buf = b""
        while True:
            req = read_request(conn, buf)
            if req is None:
                break
            line, headers, buf = req
            parts = line.split()
            path = parts[1] if len(parts) > 1 else "/"
            mode = t.resolve_cycle(t.mode_for(path))
            host = headers.get("host", "")
            t.log("conn=%d peer=%s host=%s path=%s mode=%s ua=%s" % (
                cid, peer, host, path, mode.replace(" ", "_"),
                headers.get("user-agent", "").replace(" ", "_")))
            w = mode.split()
            m = w[0] if w else "200"
            if m in ("200", "ok"):
                respond(conn, 200, b"pong\n")
            elif m == "status" and len(w) > 1:
                respond(conn, int(w[1]), b"status\n")
            elif m.isdigit():
                respond(conn, int(m), b"unavailable\n")
            elif m == "hang":
                while conn.recv(4096):
                    pass
                break
            elif m == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                break
            elif m == "garbage":
                conn.sendall(b"\x16\x03garbage, not http at all\r\n\r\n")
                break
            elif m == "slow":
                time.sleep(int(w[1]) / 1000.0 if len(w) > 1 else 1.0)
                respond(conn, 200, b"pong\n")
            elif m == "big":
                respond(conn, 200, b"pong\n" + b"x" * MIB)
            elif m == "bigtail":
                respond(conn, 200, b"x" * MIB + b"pong\n")
            elif m == "nobody":
                respond(conn, 200, b"hello\n")
            elif m == "host":
                want = w[1] if len(w) > 1 else ""
                if host == want:
                    respond(conn, 200, b"pong\n")
                else:
                    respond(conn, 421, b"wrong host\n")
            elif m == "close":
                respond(conn, 200, b"pong\n", close=True)
                break
            else:
                respond(conn, 500, b"unknown mode\n")
    except (OSError, ssl.SSLError, ValueError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def listen_loop(t, lsock, tls_ctx):
    while True:
        conn, peer = lsock.accept()
        if isinstance(peer, tuple):
            peer = "%s:%d" % (peer[0], peer[1])
        else:
            peer = "unix"
        threading.Thread(target=serve_conn, args=(t, conn, peer, tls_ctx),
                         daemon=True).start()


def tcp_listener(spec):
    host, port = spec.rsplit(":", 1)
    host = host.strip("[]")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port)))
    s.listen(512)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen")
    p.add_argument("--tls-listen")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--unix")
    p.add_argument("--mode-file")
    p.add_argument("--log")
    p.add_argument("--ready")
    args = p.parse_args()
    t = Target(args)
    loops = []
    if args.listen:
        loops.append((tcp_listener(args.listen), None))
    if args.tls_listen:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        loops.append((tcp_listener(args.tls_listen), ctx))
    if args.unix:
        try:
            os.unlink(args.unix)
        except FileNotFoundError:
            pass
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.bind(args.unix)
        u.listen(512)
        loops.append((u, None))
    if not loops:
        sys.exit("httptarget: nothing to listen on")
    for lsock, ctx in loops:
        threading.Thread(target=listen_loop, args=(t, lsock, ctx),
                         daemon=True).start()
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
