#!/usr/bin/python3
"""client.py - the demo's load generator.  Python 3 standard library only.

  client.py --target 203.0.113.10 [--port 80] [--every 5ms-in-seconds]
      [--timeout 0.2] --out FILE

Starts one HTTP request every --every seconds (0.005: 200 a second),
each on a fresh TCP connection (a new source port, so an edge router that
hashes on layer 4 spreads them over its equal-cost paths), each given
--timeout seconds in all (connect, send, answer).  Requests overlap: a
slow or lost one does not delay the next.

Every request is one line in FILE once it is over, flushed at once:
  START END RESULT
START and END in milliseconds since the epoch (three decimals, the same
clock as date +%s%N); RESULT the body of the answer (the node's name) or
fail:REASON (timeout, refused, reset, unreachable, bad-answer, ...).
"""

import argparse
import asyncio
import errno
import signal
import sys
import time


def reason(e):
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, OSError) and e.errno in (errno.ENETUNREACH,
                                              errno.EHOSTUNREACH):
        return "unreachable"
    if isinstance(e, OSError):
        return errno.errorcode.get(e.errno, "oserror")
    return type(e).__name__


async def one(a, out):
    start = time.time()
    req = ("GET / HTTP/1.0\r\nHost: %s\r\n\r\n" % a.target).encode()

    async def talk():
        r, w = await asyncio.open_connection(a.target, a.port)
        try:
            w.write(req)
            await w.drain()
            data = await r.read(4096)
            while True:
                more = await r.read(4096)
                if not more:
                    break
                data += more
        finally:
            w.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.0 200") or not body.strip():
            raise ValueError("bad-answer")
        return body.decode(errors="replace").strip().split()[0]

    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(talk())
    deadline = loop.time() + a.timeout
    starved = 0
    while True:
        done, _ = await asyncio.wait({task},
                                     timeout=max(0.0, deadline - loop.time()))
        if done:
            break
        # The timer fired late: this process was not running (a busy
        # machine), and the answer may be in the kernel's buffers already.
        # A few more loop turns to read it, so that the client's own
        # starvation is not counted as the network's failure.
        late = loop.time() - deadline
        if late > 0.02 and starved < 5:
            starved += 1
            deadline = loop.time() + 0.02
            continue
        task.cancel()
        try:
            await task
        except BaseException:
            pass
        break
    try:
        res = "fail:timeout" if task.cancelled() else task.result()
    except ValueError:
        res = "fail:bad-answer"
    except Exception as e:   # every way a request can fail is a result
        res = "fail:" + reason(e)
    out.write("%.3f %.3f %s\n" % (start * 1000, time.time() * 1000, res))
    out.flush()


async def run(a):
    out = open(a.out, "a", buffering=1)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    t0 = time.monotonic()
    k = 0
    tasks = set()
    while not stop.is_set():
        # by absolute times: a late wake-up does not stretch the interval
        k += 1
        delay = t0 + k * a.every - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t = asyncio.ensure_future(one(a, out))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=a.timeout + 0.1)
    out.close()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--every", type=float, default=0.005)
    p.add_argument("--timeout", type=float, default=0.2)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    asyncio.run(run(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
