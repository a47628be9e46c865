#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""held_requests.py HOST PORT N GO_FILE [TIMEOUT]: established connections
that speak only later (Python 3 stdlib only).

Opens N TCP connections to HOST:PORT, each from its own source port, and
sends the first line of an HTTP/1.0 request on each (nginx waits for the
rest for client_header_timeout, 60 s by default). Prints "ready N" once
all are open, then waits (at most 300 s) for GO_FILE to exist. Then,
all at once, each connection sends the rest of its request and reads the
answer, and is classified:

  ok       an HTTP 200 answer arrived
  reset    the connection was reset (ECONNRESET)
  timeout  nothing within TIMEOUT seconds (default 8)
  error    anything else (closed without an answer, another errno)

Prints one "conn SPORT RESULT MS" line per connection (MS: from GO to
the outcome), then "ok N", "reset N", "timeout N", "error N". Exit 0
when every connection was opened, 1 otherwise.
"""
import errno
import os
import socket
import sys
import threading
import time


def finish(s, host, results, i, t0, timeout):
    s.settimeout(timeout)
    try:
        s.sendall(("Host: %s\r\n\r\n" % host).encode())
        data = b""
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
        res = "ok" if data.startswith(b"HTTP/1.") and \
            b" 200 " in data.split(b"\r\n")[0] + b" " else "error"
    except socket.timeout:
        res = "timeout"
    except OSError as e:
        res = "reset" if e.errno == errno.ECONNRESET else "error"
    results[i] = (res, int((time.monotonic() - t0) * 1000))
    s.close()


def main():
    if len(sys.argv) not in (5, 6):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    host, port, n, go = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                         sys.argv[4])
    timeout = float(sys.argv[5]) if len(sys.argv) == 6 else 8.0
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    conns = []
    for _ in range(n):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((host, port))
            s.sendall(b"GET /name HTTP/1.0\r\n")
        except OSError as e:
            print("open: %s" % e, file=sys.stderr)
            s.close()
            continue
        conns.append(s)
    print("ready %d" % len(conns), flush=True)
    deadline = time.monotonic() + 300
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.05)
    t0 = time.monotonic()
    results = [None] * len(conns)
    ports = [s.getsockname()[1] for s in conns]
    threads = [threading.Thread(target=finish,
                                args=(s, host, results, i, t0, timeout))
               for i, s in enumerate(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {"ok": 0, "reset": 0, "timeout": 0, "error": 0}
    for p, (res, ms) in zip(ports, results):
        print("conn %d %s %d" % (p, res, ms))
        counts[res] += 1
    for k in ("ok", "reset", "timeout", "error"):
        print(k, counts[k])
    return 0 if len(conns) == n else 1


if __name__ == "__main__":
    sys.exit(main())
