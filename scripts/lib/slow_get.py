#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A paced HTTP download for the tests (Python 3 stdlib only).

  slow_get.py URL OUT RATE [TIMEOUT]

GETs URL (http://HOST[:PORT]/PATH, HOST an IPv4 address or [IPv6])
over HTTP/1.0 and writes the body to OUT, reading at most RATE bytes per
second through a small receive buffer, so that the transfer itself (not
only the reader) lasts about size / RATE seconds. curl's --limit-rate
cannot be relied on for that: curl 7.88 lets whole transfers through
unpaced at some rates, and the kernel's receive buffer absorbs megabytes
anyway. Exit 0 when the body is complete (Content-Length bytes), 1
otherwise (an error, a short body, or no progress for TIMEOUT seconds,
default 10).
"""
import socket
import sys
import time
from urllib.parse import urlsplit

CHUNK = 8192


def main():
    url, out, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
    stall = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    u = urlsplit(url)
    host, port = u.hostname, u.port or 80
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    # A small window: the server can only send as fast as this reads.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    s.settimeout(stall)
    try:
        s.connect((host, port))
        s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" %
                   (u.path or "/", host)).encode())
        data = b""
        while b"\r\n\r\n" not in data:
            d = s.recv(CHUNK)
            if not d:
                raise OSError("connection closed in the headers")
            data += d
        head, body = data.split(b"\r\n\r\n", 1)
        length = None
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        if not head.startswith(b"HTTP/1.") or b" 200 " not in \
                head.split(b"\r\n")[0] + b" ":
            raise OSError("answer: %r" % head.split(b"\r\n")[0])
        t0 = time.monotonic()
        got = len(body)
        with open(out, "wb") as fh:
            fh.write(body)
            while length is None or got < length:
                # Pace: never ahead of RATE bytes per second.
                ahead = got / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
                d = s.recv(CHUNK)
                if not d:
                    break
                fh.write(d)
                got += len(d)
    except OSError as e:
        print("slow_get: %s: %s" % (url, e), file=sys.stderr)
        return 1
    finally:
        s.close()
    if length is not None and got != length:
        print("slow_get: %s: %d of %d bytes" % (url, got, length),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
