#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Clients and a telemetry reader for the lb mode (tests/e2e/e2e_lb.sh,
scripts/demo --mode lb). Python 3 stdlib only. The backends (nginx,
scripts/topo_lb.sh) answer every request with "X-Backend: NAME", and
/name with the body "NAME\\n".

  dist ADDR PORT PATH N SPORT [CONC [TIMEOUT [SRC [MAXFAIL]]]]
      N HTTP/1.0 GETs of PATH, one connection each, from source ports
      SPORT .. SPORT+N-1 (bound explicitly: every tuple is new), CONC at a
      time (default 16), each bounded by TIMEOUT s (default 5), from
      source address SRC (default: the kernel's choice). The backend of
      each is its X-Backend header (for /name also its body, which must
      agree). After MAXFAIL failures (default 50) no new connection is
      tried (the rest count as failed): a dead data path costs seconds,
      not N timeouts. Prints "backend NAME COUNT" per backend, "ok N",
      "fail N", "ms N" (errors on stderr); exit 0 only when none failed.

  hold ADDR PORT PATH SHA256 SIZE WANT READY SPORT [TRIES [TIMEOUT [SRC]]]
      Long downloads that stay on chosen backends. WANT is "b1=2,b3=2"
      (that many downloads on each) or "any=N". Opens connections one
      after the other (source ports from SPORT on, at most TRIES, default
      60), reads each response's header: a connection on a wanted backend
      is kept and read to the end in a thread, any other is reset. When
      WANT is met (or TRIES spent) writes "held NAME ..." to READY, then
      waits for the downloads (at most TIMEOUT s in all, default 120).
      Prints "tried NAME COUNT" per backend reached (kept or not), and per
      download "download NAME ok|fail BYTES END_MS [why]" (END_MS: epoch
      ms when it ended); exit 0 only when WANT was met and every download
      got SIZE bytes with that SHA256.

  backends NAMEMAP [--table]
      Reads dpdk-telemetry.py's answer to /synwall/backends on stdin.
      NAMEMAP "b1=ADDR4,ADDR6;b2=..." names the backends by address. One
      line per entry: "NAME FAMILY STATE CREATED ACTIVE WEIGHT KEY"
      (FAMILY 4|6; STATE 1 up, 0 down, from the field "state" or "up";
      -1 for a field not found; NAME "?" for an address not in NAMEMAP;
      entries with in_config 0, draining after a reload, left out); with
      --table, a table for people (every entry).
      Exit 1 when the answer holds no backend entry.

  udp ADDR
      One UDP datagram to ADDR port 9 (discard): makes the kernel resolve
      ADDR's link-layer address (ARP / neighbour solicitation).
"""
import hashlib
import ipaddress
import json
import os
import re
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def _sock(addr, port, sport, src, tmo):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(tmo)
    try:
        if sport or src:
            s.bind((src or "", sport))
        s.connect((addr, port))
    except OSError:
        s.close()
        raise
    return s


def _request(s, addr, path):
    host = "[%s]" % addr if ":" in addr else addr
    s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: lb_clients\r\n\r\n"
               % (path, host)).encode())


def _read_head(s, limit=65536):
    """Reads up to the end of the header: (status, headers dict, rest)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        b = s.recv(4096)
        if not b:
            raise OSError("connection closed before the header's end (%d bytes)"
                          % len(buf))
        buf += b
        if len(buf) > limit:
            raise OSError("header too long")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise OSError("bad status line %r" % lines[0][:40])
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return int(m.group(1)), hdrs, rest


def _dist_one(addr, port, path, sport, src, tmo):
    try:
        s = _sock(addr, port, sport, src, tmo)
    except OSError as e:
        return None, "sport %d: connect: %s" % (sport, e)
    try:
        _request(s, addr, path)
        status, hdrs, body = _read_head(s)
        while len(body) < (1 << 20):
            b = s.recv(65536)
            if not b:
                break
            body += b
    except OSError as e:
        return None, "sport %d: %s" % (sport, e)
    finally:
        s.close()
    name = hdrs.get("x-backend")
    if status != 200:
        return None, "sport %d: HTTP %d from %s" % (sport, status, name)
    if path == "/name":
        bname = body.decode("latin-1").strip()
        if name is not None and bname != name:
            return None, "sport %d: body %r, X-Backend %r" % (sport, bname, name)
        name = bname
    if not name:
        return None, "sport %d: no X-Backend" % sport
    return name, None


def dist(argv):
    addr, port, path = argv[0], int(argv[1]), argv[2]
    n, sport = int(argv[3]), int(argv[4])
    conc = int(argv[5]) if len(argv) > 5 else 16
    tmo = float(argv[6]) if len(argv) > 6 else 5.0
    src = argv[7] if len(argv) > 7 and argv[7] else None
    maxfail = int(argv[8]) if len(argv) > 8 else 50
    if sport + n > 65536:
        print("source ports %d + %d > 65535" % (sport, n), file=sys.stderr)
        return 2
    counts, errors = {}, []
    failed = [0]

    def one(p):
        if failed[0] >= maxfail:
            return None, "sport %d: not tried (%d failures)" % (p, failed[0])
        name, err = _dist_one(addr, port, path, p, src, tmo)
        if err:
            failed[0] += 1
        return name, err

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, conc)) as ex:
        for name, err in ex.map(one, range(sport, sport + n)):
            if err:
                errors.append(err)
            else:
                counts[name] = counts.get(name, 0) + 1
    for name in sorted(counts):
        print("backend %s %d" % (name, counts[name]))
    print("ok %d" % sum(counts.values()))
    print("fail %d" % len(errors))
    print("ms %d" % ((time.monotonic() - t0) * 1000))
    for e in errors[:10]:
        print(e, file=sys.stderr)
    if len(errors) > 10:
        print("... %d more errors" % (len(errors) - 10), file=sys.stderr)
    return 0 if not errors else 1


def _download(s, rest, want_size, want_sha, deadline, res):
    h = hashlib.sha256(rest)
    n = len(rest)
    why = ""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                why = "timeout"
                break
            s.settimeout(min(left, 15))
            b = s.recv(1 << 16)
            if not b:
                break
            h.update(b)
            n += len(b)
    except OSError as e:
        why = "recv: %s" % e
    finally:
        s.close()
    ok = not why and n == want_size and h.hexdigest() == want_sha
    if not why and not ok:
        why = "got %d bytes sha256 %s" % (n, h.hexdigest()[:16])
    res.update(ok=ok, bytes=n, end_ms=int(time.time() * 1000), why=why)


def hold(argv):
    addr, port, path, sha, size = (argv[0], int(argv[1]), argv[2],
                                   argv[3], int(argv[4]))
    want = {}
    for w in argv[5].split(","):
        k, _, v = w.partition("=")
        want[k] = int(v or 1)
    ready, sport = argv[6], int(argv[7])
    tries = int(argv[8]) if len(argv) > 8 else 60
    tmo = float(argv[9]) if len(argv) > 9 else 120.0
    src = argv[10] if len(argv) > 10 else None
    deadline = time.monotonic() + tmo
    tried, held, threads = {}, [], []

    def met():
        if "any" in want:
            return len(held) >= want["any"]
        return all(sum(1 for h in held if h[0] == k) >= v
                   for k, v in want.items())

    for i in range(tries):
        if met():
            break
        try:
            s = _sock(addr, port, sport + i, src, 5)
        except OSError as e:
            print("sport %d: connect: %s" % (sport + i, e), file=sys.stderr)
            continue
        try:
            _request(s, addr, path)
            status, hdrs, rest = _read_head(s)
        except OSError as e:
            print("sport %d: %s" % (sport + i, e), file=sys.stderr)
            s.close()
            continue
        name = hdrs.get("x-backend", "?")
        tried[name] = tried.get(name, 0) + 1
        need = (len(held) < want["any"] if "any" in want else
                sum(1 for h in held if h[0] == name) < want.get(name, 0))
        if status != 200 or not need:
            # Reset: one segment, no FIN handshake left running.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()
            continue
        res = {}
        t = threading.Thread(target=_download,
                             args=(s, rest, size, sha, deadline, res),
                             daemon=True)
        t.start()
        held.append((name, res))
        threads.append(t)
    with open(ready + ".tmp", "w") as f:
        f.write("held %s\n" % " ".join(h[0] for h in held))
    os.rename(ready + ".tmp", ready)
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 1)
    for name in sorted(tried):
        print("tried %s %d" % (name, tried[name]))
    good = met()
    if not good:
        print("wanted %s, held only %s"
              % (argv[5], " ".join(h[0] for h in held) or "none"),
              file=sys.stderr)
    for name, res in held:
        if not res:
            res.update(ok=False, bytes=0, end_ms=int(time.time() * 1000),
                       why="still running")
        print("download %s %s %d %d %s" % (name, "ok" if res["ok"] else "fail",
                                           res["bytes"], res["end_ms"],
                                           res["why"]))
        good = good and res["ok"]
    return 0 if good else 1


# ------------------------------------------------------------- telemetry

def _spellings(a):
    """How a key may spell address a: telemetry dict names allow only
    [A-Za-z0-9_/] in DPDK 22.11, so ':' and '.' may become '_' (or '.',
    '-')."""
    t = str(a)
    return {t, "[%s]" % t, t.replace(":", "."), t.replace(":", "-"),
            t.replace(":", "_").replace(".", "_")}


def _known_in(key, known):
    """The known address whose spelling the key holds between non-hex
    characters (so 198_51_100_1 does not match 198_51_100_11); the
    longest spelling wins."""
    best, blen = None, 0
    for a in known:
        for sp in _spellings(a):
            if len(sp) > blen and re.search(
                    r"(^|[^0-9a-fA-F])%s($|[^0-9a-fA-F])" % re.escape(sp), key):
                best, blen = a, len(sp)
    return best


def _addr_in(key, val):
    """The backend address an entry of /synwall/backends is about: its
    "addr"/"address" field, else the first token of its key that parses
    as an address (keys such as web_198.51.100.11_80, web_[2001:db8::1]:80,
    web/2001:db8::1/80)."""
    cands = []
    if isinstance(val, dict):
        for k in ("addr", "address", "ip", "backend"):
            if isinstance(val.get(k), str):
                cands.append(val[k])
    cands += re.split(r"[_/ ,|@]+", key)
    for c in cands:
        c = c.strip("[]")
        # (also ADDR:PORT, [ADDR]:PORT, and IPv6 spelt with '-' or '.'
        # for ':', as in synwall's web_2001.db8.100..11_0)
        for t in (c, c.rsplit(":", 1)[0].strip("[]"),
                  re.sub(r"^\[?([^\]]*)\].*$", r"\1", c),
                  c.replace("-", ":") if c.count("-") >= 2 else "",
                  c.replace(".", ":") if c.count(".") > 3 else ""):
            try:
                return ipaddress.ip_address(t)
            except ValueError:
                pass
    return None


def _num(val, *names):
    for n in names:
        v = val.get(n)
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, (int, float)):
            return int(v)
        if isinstance(v, str):
            if v.lower() in ("up", "true", "yes"):
                return 1
            if v.lower() in ("down", "false", "no"):
                return 0
            try:
                return int(v)
            except ValueError:
                pass
    return -1


_COLS = ["state", "up", "in_config", "weight", "active", "created",
         "established", "syn_timeout", "rst"]


def backends(argv):
    names = {}
    for part in argv[0].split(";"):
        n, _, addrs = part.partition("=")
        for a in addrs.split(","):
            if a:
                names[ipaddress.ip_address(a)] = n
    table = len(argv) > 1 and argv[1] == "--table"
    try:
        j = json.load(sys.stdin)
    except ValueError as e:
        print("no JSON: %s" % e, file=sys.stderr)
        return 1
    d = j.get("/synwall/backends", j) if isinstance(j, dict) else None
    if not isinstance(d, dict):
        print("no dict in %r" % str(j)[:80], file=sys.stderr)
        return 1
    rows = []
    for key in sorted(d):
        val = d[key]
        if not isinstance(val, dict):
            continue
        a = _addr_in(key, val) if not isinstance(val.get("addr"), str) \
            else ipaddress.ip_address(val["addr"])
        if a not in names:
            a = _known_in(key, names) or a
        rows.append((names.get(a, "?"), 6 if a and a.version == 6 else 4,
                     key, val, a))
    if not rows:
        print("no backend entry in %r" % str(d)[:80], file=sys.stderr)
        return 1
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    if not table:
        for name, fam, key, val, _ in rows:
            if _num(val, "in_config") == 0:
                continue  # removed by a reload, draining: not a backend now
            print(name, fam, _num(val, "state", "up"),
                  _num(val, "created", "flows_created"),
                  _num(val, "active", "flows_active"),
                  _num(val, "weight"), key)
        return 0
    extra = sorted({k for r in rows for k, v in r[3].items()
                    if k not in _COLS and isinstance(v, (int, float))})
    cols = [c for c in _COLS if any(c in r[3] for r in rows)] + extra
    hdr = ["backend", "address"] + cols
    out = [hdr]
    for name, fam, key, val, a in rows:
        cells = [name, str(a) if a else key]
        for c in cols:
            v = val.get(c, "")
            if c in ("state", "up") and v != "":
                v = {1: "up", 0: "DOWN"}.get(_num(val, c), v)
            cells.append(str(v))
        out.append(cells)
    w = [max(len(r[i]) for r in out) for i in range(len(hdr))]
    for r in out:
        print("  " + "  ".join(c.rjust(w[i]) if i > 1 else c.ljust(w[i])
                               for i, c in enumerate(r)).rstrip())
    return 0


def udp(argv):
    addr = argv[0]
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        try:
            s.sendto(b"synwall lb test", (addr, 9))
        except OSError as e:
            print("sendto %s: %s" % (addr, e), file=sys.stderr)
            return 1
    return 0


def main():
    cmds = {"dist": dist, "hold": hold, "backends": backends, "udp": udp}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
