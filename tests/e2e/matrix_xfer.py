#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two-way transfers for tests/e2e/e2e_matrix.sh (Python 3 stdlib only).

  server PORT[,PORT...]
      Listens on [::]:PORT (IPv4 too) for each port. Per connection: reads
      the client's header line "MX1 UP DOWN\\n", then at the same time reads
      UP bytes (to EOF) and sends DOWN random bytes of its own; once both
      are done it sends one report line and closes:
          "RECV N SHA256 SENT M SHA256 TCP <tcp_info summary>\\n"
      Logs one line per connection on stdout.

  client ADDR PORT NBYTES CAP STALL
      Connects, sends the header and NBYTES random bytes (then SHUT_WR)
      while it reads the server's NBYTES and report. Both directions are
      checked by sha256. Gives up after CAP seconds in all, or STALL
      seconds without progress (bytes acknowledged by the server or
      received from it, per TCP_INFO). Prints one line:
          "ok SECS up=N down=N client[...] server[...]"
      or "fail|stall|timeout|error SECS up=N down=N ... reason".
      Exit status: 0 ok, 1 wrong bytes, 2 stall or cap, 3 connect/socket
      error. The tcp_info summaries ("opts=ts,sack,ws,ecn ws=S/R mss=N
      pmtu=N retrans=N") say what each end negotiated.
"""
import hashlib
import os
import selectors
import socket
import struct
import sys
import threading
import time

CHUNK = 1 << 18
MAGIC = b"MX1"


def tcp_info(sock):
    """A short summary of the socket's struct tcp_info (linux/tcp.h)."""
    try:
        b = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
    except OSError as e:
        return "tcp_info: %s" % e, {}
    b = b.ljust(232, b"\0")
    opts, ws = b[5], b[6]
    d = {
        "opts": opts,
        "snd_ws": ws & 0xf,
        "rcv_ws": ws >> 4,
        "snd_mss": struct.unpack_from("I", b, 16)[0],
        "rcv_mss": struct.unpack_from("I", b, 20)[0],
        "pmtu": struct.unpack_from("I", b, 60)[0],
        "total_retrans": struct.unpack_from("I", b, 100)[0],
        "bytes_acked": struct.unpack_from("Q", b, 120)[0],
        "bytes_received": struct.unpack_from("Q", b, 128)[0],
        "snd_wnd": struct.unpack_from("I", b, 228)[0],
    }
    names = [n for bit, n in ((1, "ts"), (2, "sack"), (4, "ws"), (8, "ecn"))
             if opts & bit]
    s = "opts=%s ws=%d/%d mss=%d pmtu=%d retrans=%d" % (
        ",".join(names) or "-", d["snd_ws"], d["rcv_ws"], d["snd_mss"],
        d["pmtu"], d["total_retrans"])
    return s, d


# ------------------------------------------------------------------ server

def serve_one(conn, peer):
    conn.settimeout(None)
    conn.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(conn, selectors.EVENT_READ)
    head = b""
    t_last = time.monotonic()
    try:
        # The header line.
        while b"\n" not in head:
            if not sel.select(5):
                if time.monotonic() - t_last > 60:
                    raise TimeoutError("no header")
                continue
            b = conn.recv(256)
            if not b:
                raise ConnectionError("EOF before the header")
            head += b
            t_last = time.monotonic()
        line, _, rest = head.partition(b"\n")
        f = line.split()
        if len(f) != 3 or f[0] != MAGIC:
            raise ValueError("bad header %r" % line[:40])
        up, down = int(f[1]), int(f[2])
        data = os.urandom(down)
        h_out = hashlib.sha256(data).hexdigest()
        h_in = hashlib.sha256(rest)
        n_in = len(rest)
        view = memoryview(data)
        off = 0
        eof = False
        buf = bytearray(CHUNK)
        sel.modify(conn, selectors.EVENT_READ |
                   (selectors.EVENT_WRITE if down else 0))
        while not eof or off < down:
            ev = sel.select(5)
            if not ev:
                if time.monotonic() - t_last > 120:
                    raise TimeoutError("no progress for 120 s (in %d/%d, out %d/%d)"
                                       % (n_in, up, off, down))
                continue
            mask = ev[0][1]
            if mask & selectors.EVENT_READ and not eof:
                try:
                    n = conn.recv_into(buf)
                except BlockingIOError:
                    n = -1
                if n == 0:
                    eof = True
                elif n > 0:
                    h_in.update(buf[:n])
                    n_in += n
                    t_last = time.monotonic()
            if mask & selectors.EVENT_WRITE and off < down:
                try:
                    n = conn.send(view[off:off + CHUNK])
                except BlockingIOError:
                    n = 0
                off += n
                if n:
                    t_last = time.monotonic()
            want = (0 if eof else selectors.EVENT_READ) | \
                (selectors.EVENT_WRITE if off < down else 0)
            if want and want != sel.get_key(conn).events:
                sel.modify(conn, want)
        info, _ = tcp_info(conn)
        rep = ("RECV %d %s SENT %d %s TCP %s\n"
               % (n_in, h_in.hexdigest(), off, h_out, info)).encode()
        conn.setblocking(True)
        conn.settimeout(30)
        conn.sendall(rep)
        conn.shutdown(socket.SHUT_WR)
        # Wait for the client's close, so that our FIN is acknowledged.
        conn.settimeout(10)
        while conn.recv(4096):
            pass
        print("%s up %d down %d %s" % (peer, n_in, off, info), flush=True)
    except (OSError, ValueError) as e:
        info, _ = tcp_info(conn)
        print("%s error: %r %s" % (peer, e, info), flush=True)
    finally:
        sel.close()
        conn.close()


def listener(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(64)
    return s


def server(argv):
    socks = [listener(int(p)) for p in argv[0].split(",")]
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    print("listening on %s" % argv[0], flush=True)
    while True:
        for key, _ in sel.select():
            conn, addr = key.fileobj.accept()
            peer = "[%s]:%d -> :%d" % (addr[0], addr[1],
                                        key.fileobj.getsockname()[1])
            threading.Thread(target=serve_one, args=(conn, peer),
                             daemon=True).start()


# ------------------------------------------------------------------ client

def client(argv):
    addr, port, nbytes = argv[0], int(argv[1]), int(argv[2])
    cap, stall = float(argv[3]), float(argv[4])
    data = os.urandom(nbytes)
    want_up = hashlib.sha256(data).hexdigest()
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    t0 = time.monotonic()
    el = lambda: time.monotonic() - t0
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.settimeout(min(cap, 10))
    try:
        sock.connect((addr, port))
    except OSError as e:
        print("error %.2f up=0 down=0 connect %s port %d: %s"
              % (el(), addr, port, e))
        return 3
    sock.setblocking(False)
    out = memoryview(b"%s %d %d\n" % (MAGIC, nbytes, nbytes) + data)
    hdr = len(out) - nbytes
    off = 0
    h_in = hashlib.sha256()
    n_in = 0
    tail = b""		# what follows the NBYTES of data: the report line
    eof = False
    buf = bytearray(CHUNK)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    progress, t_prog = -1, t0
    why = ""
    while not eof:
        now = time.monotonic()
        _, d = tcp_info(sock)
        p = d.get("bytes_acked", 0) + d.get("bytes_received", 0)
        if p != progress:
            progress, t_prog = p, now
        if now - t0 > cap:
            why = "timeout"
            break
        if now - t_prog > stall:
            why = "stall"
            break
        ev = sel.select(0.2)
        if not ev:
            continue
        mask = ev[0][1]
        if mask & selectors.EVENT_WRITE and off < len(out):
            try:
                off += sock.send(out[off:off + CHUNK])
            except BlockingIOError:
                pass
            except OSError as e:
                why = "error send: %s" % e
                break
            if off == len(out):
                sock.shutdown(socket.SHUT_WR)
                sel.modify(sock, selectors.EVENT_READ)
        if mask & selectors.EVENT_READ:
            try:
                n = sock.recv_into(buf)
            except BlockingIOError:
                continue
            except OSError as e:
                why = "error recv: %s" % e
                break
            if n == 0:
                eof = True
                break
            take = min(n, nbytes - n_in)
            if take > 0:
                h_in.update(buf[:take])
                n_in += take
            if take < n:
                tail += bytes(buf[take:n])
                if len(tail) > 4096:
                    why = "error: more than %d bytes from the server" % nbytes
                    break
    secs = el()
    cinfo, d = tcp_info(sock)
    sock.close()
    up = max(0, min(d.get("bytes_acked", 0), len(out)) - hdr)
    if why:
        kind = why.split()[0]
        detail = {"timeout": "no EOF after %.0f s (cap)" % cap,
                  "stall": "no progress for %.0f s" % stall}.get(kind, why)
        print("%s %.2f up=%d/%d down=%d/%d client[%s] %s"
              % (kind, secs, up, nbytes, n_in, nbytes, cinfo, detail))
        return 3 if kind == "error" else 2
    rep = tail.decode(errors="replace").split()
    # RECV N SHA SENT M SHA TCP ...
    if len(rep) < 7 or rep[0] != "RECV" or rep[3] != "SENT":
        print("fail %.2f up=%d/%d down=%d/%d client[%s] bad or no report %r"
              % (secs, up, nbytes, n_in, nbytes, cinfo, tail[:80]))
        return 1
    sinfo = " ".join(rep[7:])
    errs = []
    if int(rep[1]) != nbytes or rep[2] != want_up:
        errs.append("upload: server got %s bytes sha256 %s..., sent %d sha256 %s..."
                    % (rep[1], rep[2][:16], nbytes, want_up[:16]))
    if n_in != nbytes or int(rep[4]) != nbytes or h_in.hexdigest() != rep[5]:
        errs.append("download: got %d bytes sha256 %s..., server sent %s sha256 %s..."
                    % (n_in, h_in.hexdigest()[:16], rep[4], rep[5][:16]))
    print("%s %.2f up=%s/%d down=%d/%d client[%s] server[%s]%s"
          % ("fail" if errs else "ok", secs, rep[1], nbytes, n_in, nbytes,
             cinfo, sinfo, (" " + "; ".join(errs)) if errs else ""))
    return 1 if errs else 0


def main():
    cmds = {"server": server, "client": client}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
