# SPDX-License-Identifier: BSD-3-Clause
"""A legit client at a steady, low rate: paced connect()s, with latency.

paced_connects.py ADDR PORT TIMEOUT N START END [--request]

Up to N connect()s to ADDR:PORT paced evenly over [START, END) (epoch
seconds; none begun after END), each closed with an RST (SO_LINGER 0).
With --request, each connection also sends one HTTP/1.0 GET / and reads
the whole answer; the latency is then connect to the last byte, not
connect alone. Prints one JSON line: attempts, ok, timeouts, errors,
p50_ms, p99_ms. A failure counts as TIMEOUT in the percentiles
(nearest rank). Used by scripts/bench-kernel (connects during a flood)
and scripts/bench-idle (what an idle worker's sleep adds).
"""
import json
import math
import socket
import struct
import sys
import time


def one(addr, port, tmo, request):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(tmo)
    t0 = time.perf_counter()
    try:
        s.connect((addr, port))
        if request:
            s.sendall(b"GET / HTTP/1.0\r\nHost: synwall\r\n\r\n")
            while s.recv(65536):
                pass
        dt = time.perf_counter() - t0
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        return "ok", dt
    except socket.timeout:
        return "timeout", tmo
    except OSError:
        return "error", tmo
    finally:
        s.close()


def main():
    addr, port, tmo = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    n, start, end = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    request = "--request" in sys.argv[7:]
    lat, count = [], {"ok": 0, "timeout": 0, "error": 0}
    now = time.time()
    if start > now:
        time.sleep(start - now)
    gap, t_next = (end - start) / n, time.time()
    for _ in range(n):
        now = time.time()
        if now >= end:
            break
        if t_next > now:
            time.sleep(t_next - now)
        t_next += gap
        what, dt = one(addr, port, tmo, request)
        count[what] += 1
        lat.append(dt)
    lat.sort()

    def pct(q):
        if not lat:
            return None
        return round(lat[max(0, math.ceil(q * len(lat)) - 1)] * 1000, 3)

    print(json.dumps({"attempts": len(lat), "ok": count["ok"],
                      "timeouts": count["timeout"],
                      "errors": count["error"],
                      "p50_ms": pct(0.50), "p99_ms": pct(0.99)}))


if __name__ == "__main__":
    main()
