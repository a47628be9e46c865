#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A server that speaks first behind the PROXY protocol, and its client
(tests/e2e/e2e_proxy_protocol.sh).

  pp_banner.py server ADDR PORT   accept connections; read and parse the
      PROXY header (v1 text or v2 binary, HAProxy's proxy-protocol.txt);
      send "220 SRC SPORT\\r\\n" (the client the header names) before
      the client says anything; then answer one line with "250 ok\\r\\n".
  pp_banner.py client ADDR PORT   connect, read the banner without
      writing first, print it, send a line, print the answer; exit 0
      only when both came.
"""
import ipaddress
import socket
import struct
import sys

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def read_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError("closed after %d of %d bytes" % (len(b), n))
        b += d
    return b


def read_header(c):
    """(src, sport) from the PROXY header at the stream's start."""
    first = read_exact(c, 12)
    if first == SIG:
        ver, fam, ln = struct.unpack(">BBH", read_exact(c, 4))
        body = read_exact(c, ln)
        if ver != 0x21 or fam not in (0x11, 0x21):
            raise ValueError("v2 ver/cmd %#x family %#x" % (ver, fam))
        al = 4 if fam == 0x11 else 16
        src = ipaddress.ip_address(body[:al])
        sport = struct.unpack(">H", body[2 * al:2 * al + 2])[0]
        return str(src), sport
    line = first
    while not line.endswith(b"\r\n"):
        line += read_exact(c, 1)
        if len(line) > 107:
            raise ValueError("v1 line too long")
    f = line.decode().split()
    if f[0] != "PROXY" or f[1] not in ("TCP4", "TCP6") or len(f) != 6:
        raise ValueError("v1 line %r" % line)
    return str(ipaddress.ip_address(f[2])), int(f[4])


def server(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        c.settimeout(10)
        try:
            src, sport = read_header(c)
            c.sendall(b"220 %s %d\r\n" % (src.encode(), sport))
            line = b""
            while not line.endswith(b"\n"):
                d = c.recv(1)
                if not d:
                    break
                line += d
            c.sendall(b"250 ok\r\n")
        except (OSError, ValueError, EOFError) as e:
            print("server: %s" % e, file=sys.stderr, flush=True)
        finally:
            c.close()


def client(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect((addr, port))
    f = c.makefile("rb")
    banner = f.readline().decode().strip()
    me = c.getsockname()
    print("banner %s" % banner)
    print("me %s %d" % (ipaddress.ip_address(me[0]), me[1]))
    c.sendall(b"HELLO\r\n")
    answer = f.readline().decode().strip()
    print("answer %s" % answer)
    return 0 if banner.startswith("220 ") and answer == "250 ok" else 1


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("server", "client"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "server":
        server(sys.argv[2], int(sys.argv[3]))
        return 0
    return client(sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    sys.exit(main())
