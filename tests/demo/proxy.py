#!/usr/bin/python3
"""proxy.py NAME - the demo's stand-in for Traefik on one node.  Python 3
standard library only.

  proxy.py NAME [--port 80] [--ping-port 8080]

Port 80 on every address (so it can start before nomcastd puts the VIP on
lo): any GET is answered with "NAME\\n", one request per connection, as
the client's fresh connections want.  Port 8080 on 127.0.0.1 is Traefik's
"traefik" entrypoint: GET /ping answers "OK", what the job's Nomad check
and nomcast's local checks (ping, and the watch of the port) look at.
"""

import argparse
import http.server
import socketserver
import sys
import threading


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # 200 new connections a second arrive at the three nodes: a backlog of
    # 5 (the default) would drop SYNs whenever a thread is slow to start
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        # a client that gave up (its timeout) before the answer: normal here
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def handler(body_for):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            status, body = body_for(self.path)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            pass
    return H


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("name")
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--ping-port", type=int, default=8080)
    a = p.parse_args()

    web = Server(("0.0.0.0", a.port),
                 handler(lambda path: (200, a.name + "\n")))
    ping = Server(("127.0.0.1", a.ping_port),
                  handler(lambda path: (200, "OK") if path == "/ping"
                          else (404, "404 page not found\n")))
    threading.Thread(target=ping.serve_forever, daemon=True).start()
    sys.stderr.write("proxy %s: :%d (web), 127.0.0.1:%d (ping)\n"
                     % (a.name, a.port, a.ping_port))
    sys.stderr.flush()
    web.serve_forever()


if __name__ == "__main__":
    main()
