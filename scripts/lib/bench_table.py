# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench's table: every figure of one run next to its reference.

bench_table.py TMPDIR CPU DPDK SECONDS FLOWS [JSON_OUT]

Reads TMPDIR/pcap.txt (testpmd and synwall on the replayed pcaps), the
synwall-bench JSON files of the in-process runs and, when present,
kernel.json from scripts/bench-kernel. Prints the table; writes it all
as JSON to JSON_OUT when given.
"""
import json
import os
import sys


def load(tmp, name):
    try:
        with open(os.path.join(tmp, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class Table:
    def __init__(self):
        self.rows = []

    def row(self, section, name, value, unit, ref=None, cycles=None,
            cyc_unit="", target=None, met=None, note=""):
        ratio = value / ref if ref else None
        if met is None and ratio is not None and target is not None:
            met = ratio >= target
        self.rows.append({"section": section, "name": name, "value": value,
                          "unit": unit, "ratio": ratio, "cycles": cycles,
                          "cycles_unit": cyc_unit, "target": target,
                          "meets_target": met, "note": note})

    def print(self):
        section = None
        for r in self.rows:
            if r["section"] != section:
                section = r["section"]
                print("\n" + section)
                print("  %-38s %15s %6s %12s %6s" %
                      ("", "rate", "ratio", "cycles", "target"))
            v = r["value"]
            if r["unit"] == "pps":
                val = "%.2f Mpps" % (v / 1e6)
            elif r["unit"] == "conn/s":
                val = "%.0fk conn/s" % (v / 1e3)
            elif r["unit"] == "SYN-ACK/CPU-s":
                val = "%.0fk/CPU-s" % (v / 1e3)
            else:
                val = "%.1f %s" % (v, r["unit"])
            flag = {None: "", True: " [met]", False: " [MISSED]"}[
                r["meets_target"]]
            print("  %-38s %15s %6s %12s %6s %s%s" % (
                r["name"], val,
                "%.2f" % r["ratio"] if r["ratio"] is not None else "-",
                "%.0f%s" % (r["cycles"], r["cycles_unit"])
                if r["cycles"] else "-",
                r["target"] if r["target"] is not None else "-",
                r["note"], flag))


def main():
    tmp, cpu, dpdk, secs, flows = sys.argv[1:6]
    out = sys.argv[6] if len(sys.argv) > 6 else ""
    t = Table()

    s1 = "1. pcap replay (net_pcap infinite_rx), dpdk-testpmd as reference"
    with open(os.path.join(tmp, "pcap.txt")) as f:
        tp_swap, tp_rx, syn, syn_cyc, ack, ack_cyc = map(float,
                                                         f.read().split())
    t.row(s1, "testpmd 5tswap, SYN pcap", tp_swap, "pps")
    t.row(s1, "synwall SYN -> SYN-ACK", syn, "pps", tp_swap, syn_cyc,
          "/pkt", 0.70)
    t.row(s1, "testpmd rxonly, ACK pcap", tp_rx, "pps")
    t.row(s1, "synwall forged-ACK drop", ack, "pps", tp_rx, ack_cyc,
          "/pkt", 0.60)

    s2 = ("2. in process (synwall-bench, net_ring), the same generated "
          "input through a reference loop on the same core")
    pairs = [
        ("syn_ref", "5tswap, SYNs", "syn", "synwall SYN -> SYN-ACK", 0.70),
        ("ack_ref", "rxonly, forged ACKs", "ack",
         "synwall forged-ACK drop", 0.60),
        ("relay_ref", "5tswap, data of %s flows" % flows, "relay",
         "synwall relay, %s flows open" % flows, 0.60),
    ]
    for rname, rlabel, sname, slabel, target in pairs:
        r, s = load(tmp, rname), load(tmp, sname)
        if r is None or s is None:
            continue
        rd, sd = r["dut_stats"], s["dut_stats"]
        t.row(s2, rlabel, rd["rx_pps"], "pps", cycles=rd["cycles_per_pkt"],
              cyc_unit="/pkt")
        t.row(s2, slabel, sd["rx_pps"], "pps", rd["rx_pps"],
              sd["cycles_per_pkt"], "/pkt", target,
              note="" if s.get("accounted") else "ACCOUNTING MISMATCH")
    h = load(tmp, "handshake")
    if h:
        e = h["engine"]
        cyc = e.get("cycles_per_conn")
        t.row(s2, "synwall handshakes, %s flows open" % flows,
              e.get("conn_per_s", 0), "conn/s", cycles=cyc,
              cyc_unit="/conn", target=2000,
              met=cyc is not None and cyc <= 2000,
              note="setup p50/p99/p99.9 %.0f/%.0f/%.0f us%s" % (
                  e["setup_p50"], e["setup_p99"], e["setup_p999"],
                  "" if h.get("accounted") else ", ACCOUNTING MISMATCH"))
    rl = load(tmp, "relay")
    if rl and "flow_memory" in rl:
        fm = rl["flow_memory"]
        t.row(s2, "synwall memory, %d IPv4 flows" % fm["flows4"],
              fm["bytes"] / 2**20, "MiB", target=128,
              met=fm["bytes"] <= 128 * 2**20,
              note="64 B per flow entry, %.1f B all in (index, timer)" %
              (fm["bytes"] / fm["flows4"]))

    k = load(tmp, "kernel")
    if k:
        s3 = ("3. the Linux kernel on veth, the same trafgen flood "
              "(ratio: synwall's SYN-ACKs per CPU-second over the row's)")
        for r in k.get("results", []):
            v = r.get("synack_per_cpu_s") or 0
            if r.get("skipped"):
                t.row(s3, r["name"], 0, "SYN-ACK/CPU-s",
                      note="skipped: %s" % r["skipped"])
                continue
            t.row(s3, r["name"], v, "SYN-ACK/CPU-s",
                  note="%.0fk SYN-ACK/s; connect p50/p99 %.2f/%.1f ms, "
                  "%s failed%s" % (
                      (r.get("synack_pps") or 0) / 1e3,
                      r.get("connect_p50_ms") or 0,
                      r.get("connect_p99_ms") or 0, r.get("connect_failed"),
                      " (noisy)" if r.get("noisy") else ""))
            t.rows[-1]["ratio"] = r.get("ratio_vs_synwall")

    print("\nCPU %s, DPDK %s, one worker lcore, %s s per run" %
          (cpu, dpdk, secs))
    t.print()
    try:
        with open(os.path.join(tmp, "commands.txt")) as f:
            commands = [c.strip() for c in f if c.strip()]
    except OSError:
        commands = []
    if commands:
        print("\nCommands, as run (lcore 1 the data path, lcore 0 main):")
        for c in commands:
            print("  " + c)
    if out:
        with open(out, "w") as f:
            json.dump({"cpu": cpu, "dpdk": dpdk, "seconds": float(secs),
                       "flows": int(flows), "results": t.rows,
                       "commands": commands,
                       "kernel": k}, f, indent=1)


if __name__ == "__main__":
    main()
