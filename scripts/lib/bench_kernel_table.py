# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench-kernel's table: SYN-ACKs per CPU-second, defender by defender.

bench_kernel_table.py ROWS HZ B_US B_BUSY B_SENT B_CPU0 B_CPU1 CPU KERNEL
                      NCPU SECONDS RATE JSON_OUT BG_US BG_BUSY TIMEOUT B_OWN
                      [WRK]

ROWS is a file of tab-separated lines, one per defender: NAME, then
either a reason it was skipped, or an empty field followed by SYNACKS,
window US, machine-wide BUSY ticks, CPU0 and CPU1 busy ticks, flood
packets SENT, background G_US and G_BUSY, OWN ticks, and the legit
client's JSON during the flood and without it. HZ is USER_HZ (ticks per
second). The B_ arguments are the baseline run's (flood into an ingress
drop) window, busy ticks, packets sent, per-CPU ticks and own ticks;
BG_US / BG_BUSY its background measure. CPU, KERNEL, NCPU, SECONDS and
RATE (0: max) describe the run; TIMEOUT is the connect() timeout in
seconds. scripts/bench-kernel's header explains the arithmetic. WRK, when
it exists, holds a line per defender: NAME, wrk's keep-alive requests/s
and its requests/s with a new connection per request.

Prints the table and the own-processes cross-check; writes it all as
JSON to JSON_OUT unless that is empty. Exits with a message when the
baseline sent nothing.
"""
import json, sys
(rows_f, hz, b_us, b_busy, b_sent, b_c0, b_c1, cpu, kernel, ncpu,
 secs, rate, out, bg_us, bg_busy, tmo, b_own) = sys.argv[1:18]
wrk_f = sys.argv[18] if len(sys.argv) > 18 else ""
hz = float(hz)
NOISY = 0.05                               # CPU-s/s of background
FOREIGN = 0.10                             # CPU-s/s not ours, in a run
bg = int(bg_busy) / hz / (int(bg_us) / 1e6)  # G before the baseline
b_s, b_cpu, b_n = int(b_us) / 1e6, int(b_busy) / hz, int(b_sent)
if b_n <= 0:
    sys.exit("baseline: trafgen sent nothing")
p = (b_cpu - bg * b_s) / b_n               # P: CPU-s per flood packet
p_own = int(b_own) / hz / b_n              # the same, own processes only
b_foreign = (b_cpu - int(b_own) / hz) / b_s
noisy = bg >= NOISY or b_foreign >= FOREIGN
res = []
for line in open(rows_f):
    f = line.rstrip("\n").split("\t")
    name, skip = f[0], f[1]
    if skip:
        res.append({"name": name, "skipped": skip})
        continue
    synacks, us, busy, c0, c1, sent, g_us, g_busy, own = map(int, f[2:11])
    legit, ref = json.loads(f[11] or "{}"), json.loads(f[12] or "{}")
    t = us / 1e6
    g = g_busy / hz / (g_us / 1e6)         # G: background CPU-s per s
    charged = busy / hz - g * t - p * sent
    charged_own = own / hz - p_own * sent
    foreign = (busy - own) / hz / t
    r = {"name": name, "synack_pps": synacks / t, "synacks": synacks,
         "window_s": round(t, 3), "flood_sent": sent,
         "flood_pps": sent / t, "cpu_busy_s": round(busy / hz, 2),
         "cpu0_busy_s": round(c0 / hz, 2), "cpu1_busy_s": round(c1 / hz, 2),
         "cpu_seconds": round(charged, 3),
         "background_cpu_per_s": round(g, 3),
         "foreign_cpu_per_s": round(foreign, 3),
         "noisy": noisy or g >= NOISY or foreign >= FOREIGN,
         "cpu_seconds_own": round(charged_own, 3),
         "synack_per_cpu_s_own": (synacks / charged_own
                                  if charged_own > 0.05 else None),
         "synack_per_cpu_s": synacks / charged if charged > 0.05 else None,
         "connect_p50_ms": legit.get("p50_ms"),
         "connect_p99_ms": legit.get("p99_ms"),
         "connect_attempts": legit.get("attempts"),
         "connect_ok": legit.get("ok"),
         "connect_failed": (legit.get("timeouts", 0) + legit.get("errors", 0)
                            if legit else None),
         "connect_timeouts": legit.get("timeouts"),
         "noflood_connect_p50_ms": ref.get("p50_ms"),
         "noflood_connect_p99_ms": ref.get("p99_ms"),
         "noflood_connect_failed": (ref.get("timeouts", 0) + ref.get("errors", 0)
                                    if ref else None)}
    res.append(r)
order = {"kernel-syncookies": 0, "nft-synproxy": 1, "synwall": 2,
         "synwall-af_xdp": 3}
res.sort(key=lambda r: order.get(r["name"], 9))
# The reference: synwall on AF_XDP where that row ran, else on af_packet.
sw = next((r for r in res if r["name"] == "synwall-af_xdp" and
           "skipped" not in r),
          next((r for r in res if r["name"] == "synwall"), {}))
for r in res:
    if "skipped" in r:
        continue
    for k in ("", "_own"):
        a, b = sw.get("synack_per_cpu_s" + k), r.get("synack_per_cpu_s" + k)
        r["ratio_vs_synwall" + k] = a / b if a and b else None

def f(v, fmt):
    return fmt % v if v is not None else "-"
print("\nCPU %s (%s CPUs), kernel %s; SYN flood %s s at %s, trafgen on CPU 0,"
      " synwall's worker on CPU 1, no RPS" % (cpu, ncpu, kernel, secs,
                                  "max rate" if rate == "0" else rate + " pps"))
print("baseline (flood into an ingress drop): %.0f pps, %.2f CPU-s/s"
      " (cpu0 %.2f, cpu1 %.2f), background %.3f CPU-s/s -> %.2f us per packet%s"
      % (b_n / b_s, b_cpu / b_s, int(b_c0) / hz / b_s, int(b_c1) / hz / b_s, bg,
         p * 1e6, " (noisy)" if noisy else ""))
print("%-18s %10s %10s %7s %11s %7s %8s %8s %8s %13s" % (
    "", "flood pps", "SYN-ACK/s", "CPU-s", "SA/CPU-s", "ratio",
    "p50 ms", "p99 ms", "failed", "no-flood p50/p99"))
for r in res:
    if "skipped" in r:
        print("%-18s SKIPPED: %s" % (r["name"], r["skipped"]))
        continue
    print("%-18s %10.0f %10.0f %7.2f %11s %7s %8s %8s %8s %13s" % (
        r["name"] + (" *" if r["noisy"] else ""), r["flood_pps"], r["synack_pps"], r["cpu_seconds"],
        f(r["synack_per_cpu_s"], "%.0f"), f(r["ratio_vs_synwall"], "%.2f"),
        f(r["connect_p50_ms"], "%.2f"), f(r["connect_p99_ms"], "%.1f"),
        "%s/%s" % (f(r["connect_failed"], "%d"), f(r["connect_attempts"], "%d")),
        "%s/%s" % (f(r["noflood_connect_p50_ms"], "%.2f"),
                   f(r["noflood_connect_p99_ms"], "%.2f"))))
print("CPU-s: machine-wide busy - background x window - baseline per packet x"
      " packets sent;\nratio: synwall's SYN-ACK/CPU-s (on AF_XDP where it ran)"
      " over the row's; failed:"
      " connect()s failed or timed out\n(%s s, counted as that in p50/p99),"
      " of those tried during the flood" % tmo)
print("cross-check, own processes only (this run's processes and ksoftirqd;"
      " blind to other work):")
print("%-18s %10s %10s %11s %7s" % ("", "own CPU-s", "foreign/s",
                                    "SA/CPU-s", "ratio"))
print("%-18s %10s %10.2f %11s %7s" % ("baseline", "-", b_foreign, "-", "-"))
for r in res:
    if "skipped" not in r:
        print("%-18s %10.2f %10.2f %11s %7s" % (
            r["name"], r["cpu_seconds_own"], r["foreign_cpu_per_s"],
            f(r["synack_per_cpu_s_own"], "%.0f"),
            f(r["ratio_vs_synwall_own"], "%.2f")))
if noisy or any(r.get("noisy") for r in res):
    print("* other work ran on the machine (background >= %.2f CPU-s/s before"
          " a run, or >= %.2f CPU-s/s not ours during it%s): the machine-wide"
          " figures are unreliable, see the cross-check"
          % (NOISY, FOREIGN, ", in the baseline: every row" if noisy else ""))
wrk = []
try:
    with open(wrk_f) as fh:
        for line in fh:
            f_ = line.rstrip("\n").split("\t")
            if len(f_) == 3:
                wrk.append({"name": f_[0], "keepalive_req_s": float(f_[1]),
                            "new_conn_req_s": float(f_[2])})
except (OSError, ValueError):
    pass
if wrk:
    ref = next((w for w in wrk if w["name"] == "nft-synproxy"), None)
    print("\nreal clients, no flood: wrk -c64 through the defence to nginx"
          " (ratio: over nft-synproxy's)")
    print("%-18s %14s %7s %16s %7s" % ("", "keep-alive r/s", "ratio",
                                       "new conn. r/s", "ratio"))
    for w in wrk:
        print("%-18s %14.0f %7s %16.0f %7s" % (
            w["name"], w["keepalive_req_s"],
            f(w["keepalive_req_s"] / ref["keepalive_req_s"], "%.2f")
            if ref and ref["keepalive_req_s"] else "-",
            w["new_conn_req_s"],
            f(w["new_conn_req_s"] / ref["new_conn_req_s"], "%.2f")
            if ref and ref["new_conn_req_s"] else "-"))
if out:
    json.dump({"cpu": cpu, "kernel": kernel, "seconds": float(secs),
               "wrk": wrk,
               "rate": int(rate), "cpus": int(ncpu),
               "baseline": {"background_cpu_per_s": bg, "noisy": noisy,
                            "foreign_cpu_per_s": b_foreign,
                            "cpu_s_per_packet_own": p_own,
                            "flood_pps": b_n / b_s, "flood_sent": b_n,
                            "cpu_busy_per_s": b_cpu / b_s, "window_s": b_s,
                            "cpu_s_per_packet": p},
               "results": res}, open(out, "w"), indent=1)
