#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Clients and pcap readers for tests/e2e/e2e_relay.sh (Python 3 stdlib only).

  concurrent ADDR[,ADDR...] PORT PATH SHA256 N READY GO [TIMEOUT]
      Opens N TCP connections at once (spread over the addresses), waits
      until every connect() has finished, writes "connected C" to READY,
      waits (at most TIMEOUT s) for the file GO to exist, then sends an
      HTTP/1.0 GET for PATH on each and checks status 200 and the body's
      sha256. Prints "connected C", "fetched F" and exits 0 only when
      C == F == N.

  rst ADDR PORT TIMEOUT [SPORT]
      connect() (from source port SPORT when given), send a GET, wait for
      the server's answer. Prints one line: "rst MS" (the connection was
      reset MS ms after connect() was called), "eof MS", "data MS" or
      "timeout MS". Exit 0 only for "rst".

  closed ADDR PORT SPORT PATH
      From source port SPORT: an HTTP/1.0 GET for PATH, read to the end (the
      server closes first, so the server keeps the tuple in TIME_WAIT),
      close. Exit 0 when the answer was "HTTP/1.x 200".

  upload ADDR PORT NBYTES TIMEOUT
      Sends NBYTES random bytes to a sink, half-closes, reads its answer
      "COUNT SHA256" and compares. Exit 0 only when both match.

  sink PORT
      The server side of upload, on [::]:PORT (IPv4 too): for each
      connection, reads to EOF, answers "COUNT SHA256\n", closes.

  syns PCAP [PCAP...]
      The SYNs (without ACK) in the captures, one line each:
      "SRC SPORT DST DPORT" (tcpdump reads the files).
"""
import asyncio
import hashlib
import os
import re
import socket
import subprocess
import sys
import time


async def _one(addr, port, path, tmo, connected, go):
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(addr, port), tmo)
    except (OSError, asyncio.TimeoutError) as e:
        connected.append(False)
        return "connect %s port %d: %r" % (addr, port, e)
    connected.append(True)
    try:
        await go.wait()
        host = "[%s]" % addr if ":" in addr else addr
        writer.write(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n"
                      % (path, host)).encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), tmo)
    except (OSError, asyncio.TimeoutError) as e:
        return "GET %s from %s: %r" % (path, addr, e)
    finally:
        writer.close()
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1.") or b" 200 " not in head[:16]:
        return "GET %s from %s: bad response %r" % (path, addr, head[:40])
    return hashlib.sha256(body).hexdigest()


async def _concurrent(addrs, port, path, want, n, ready, gofile, tmo):
    connected = []
    go = asyncio.Event()
    tasks = [asyncio.ensure_future(
        _one(addrs[i % len(addrs)], port, path, tmo, connected, go))
        for i in range(n)]
    t0 = time.monotonic()
    while len(connected) < n and time.monotonic() - t0 < tmo + 1:
        await asyncio.sleep(0.02)
    nconn = sum(connected)
    with open(ready + ".tmp", "w") as f:
        f.write("connected %d\n" % nconn)
    os.rename(ready + ".tmp", ready)
    t0 = time.monotonic()
    while not os.path.exists(gofile) and time.monotonic() - t0 < tmo:
        await asyncio.sleep(0.05)
    go.set()
    results = await asyncio.gather(*tasks)
    ok = 0
    for r in results:
        if r == want:
            ok += 1
        elif re.fullmatch(r"[0-9a-f]{64}", r):
            print("sha256 %s, expected %s" % (r, want), file=sys.stderr)
        else:
            print(r, file=sys.stderr)
    print("connected %d" % nconn)
    print("fetched %d" % ok)
    return 0 if nconn == n and ok == n else 1


def concurrent(argv):
    addrs = argv[0].split(",")
    port, path, want, n = int(argv[1]), argv[2], argv[3], int(argv[4])
    ready, gofile = argv[5], argv[6]
    tmo = float(argv[7]) if len(argv) > 7 else 30.0
    return asyncio.run(_concurrent(addrs, port, path, want, n, ready,
                                   gofile, tmo))


def _socket(addr, sport=None):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if sport is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    return s


def rst(argv):
    addr, port, tmo = argv[0], int(argv[1]), float(argv[2])
    s = _socket(addr, int(argv[3]) if len(argv) > 3 else None)
    s.settimeout(5)
    t0 = time.monotonic()
    ms = lambda: int((time.monotonic() - t0) * 1000)
    try:
        s.connect((addr, port))
    except ConnectionResetError:
        # The handshake completed (ECONNREFUSED otherwise) and the reset
        # came before connect() returned: a fast server refusal.
        print("rst %d" % ms())
        return 0
    except OSError as e:
        print("connect %s port %d: %s" % (addr, port, e))
        return 1
    s.settimeout(tmo)
    try:
        s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
        data = s.recv(4096)
        print("%s %d" % ("data" if data else "eof", ms()))
        return 1
    except (ConnectionResetError, BrokenPipeError):
        print("rst %d" % ms())
        return 0
    except socket.timeout:
        print("timeout %d" % ms())
        return 1
    finally:
        s.close()


def closed(argv):
    addr, port, sport, path = argv[0], int(argv[1]), int(argv[2]), argv[3]
    s = _socket(addr, sport)
    s.settimeout(10)
    try:
        s.connect((addr, port))
        s.sendall(b"GET %s HTTP/1.0\r\n\r\n" % path.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        print("closed %s port %d from %d: %s" % (addr, port, sport, e))
        return 1
    finally:
        s.close()
    ok = re.match(rb"HTTP/1\.[01] 200 ", data) is not None
    print("closed %s from %d: %s" % (addr, sport, data[:12]))
    return 0 if ok else 1


def upload(argv):
    addr, port, n, tmo = argv[0], int(argv[1]), int(argv[2]), float(argv[3])
    data = os.urandom(n)
    want = "%d %s" % (n, hashlib.sha256(data).hexdigest())
    t0 = time.monotonic()
    try:
        with socket.create_connection((addr, port), timeout=tmo) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got += b
    except OSError as e:
        print("upload to %s port %d: %r" % (addr, port, e))
        return 1
    got = got.decode(errors="replace").strip()
    print("sink got: %s; sent: %s (%d ms)"
          % (got, want, (time.monotonic() - t0) * 1000))
    return 0 if got == want else 1


def sink(argv):
    import socketserver

    class H(socketserver.BaseRequestHandler):
        def handle(self):
            h, n = hashlib.sha256(), 0
            self.request.settimeout(120)
            try:
                while True:
                    b = self.request.recv(1 << 16)
                    if not b:
                        break
                    h.update(b)
                    n += len(b)
                self.request.sendall(b"%d %s\n" % (n, h.hexdigest().encode()))
            except OSError:
                pass

    class S(socketserver.ThreadingTCPServer):
        address_family = socket.AF_INET6
        allow_reuse_address = True
        daemon_threads = True

        def server_bind(self):
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()

    with S(("::", int(argv[0])), H) as srv:
        srv.serve_forever()
    return 0


# tcpdump -nn lines: "IP 192.0.2.10.4321 > 192.0.2.80.8080: Flags [S], ..."
_LINE = re.compile(r"IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]")


def syns(argv):
    for pcap in argv:
        out = subprocess.run(["tcpdump", "-nn", "-r", pcap],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = _LINE.search(line)
            if m and "S" in m.group(5) and "." not in m.group(5):
                print(m.group(1), m.group(2), m.group(3), m.group(4))
    return 0


def main():
    cmds = {"concurrent": concurrent, "rst": rst, "closed": closed,
            "upload": upload,
            "sink": sink, "syns": syns}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
