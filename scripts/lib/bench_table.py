# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench's table: every figure of one run next to its reference.

bench_table.py TMPDIR CPU DPDK SECONDS FLOWS RUNS [JSON_OUT]

Reads TMPDIR/pcap.txt (testpmd and synwall on the replayed pcaps), the
synwall-bench JSON files of the in-process runs and, when present,
kernel.json from scripts/bench-kernel. Prints the table; writes it all
as JSON to JSON_OUT when given.
"""
import json
import os
import statistics
import sys


def load(tmp, name):
    try:
        with open(os.path.join(tmp, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def spread(v):
    return "%.0f (%.0f..%.0f)" % (statistics.median(v), min(v), max(v))


class Table:
    def __init__(self):
        self.rows = []
        self.cyc_rows = []

    def print_cycles(self):
        if not self.cyc_rows:
            return
        print("\n" + self.cyc_rows[0]["section"])
        print("  %-34s %20s %20s %7s %7s" % ("", "synwall", "reference",
                                            "ratio", "target"))
        for r in self.cyc_rows:
            ref = ("%s %s" % (r["reference"], spread(r["ref_cycles"]))
                   if "ref_cycles" in r else r["reference"])
            flag = {None: "", True: " [met]", False: " [MISSED]"}[
                r["meets_target"]]
            tgt = "-" if r["target"] is None else (
                ("<=%.2f" if r["target"] < 100 else "<=%.0f") % r["target"])
            print("  %-34s %20s %20s %7s %7s%s%s" % (
                r["name"], spread(r["cycles"]), ref,
                "%.2f" % r["ratio"] if r["ratio"] is not None else "-",
                tgt, flag,
                " ACCOUNTING MISMATCH" if r["accounting_bad"] else ""))

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
    tmp, cpu, dpdk, secs, flows, runs = sys.argv[1:7]
    runs = int(runs)
    out = sys.argv[7] if len(sys.argv) > 7 else ""
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

    s2 = ("2. in process (synwall-bench, net_ring, pre-built frames, "
          "whole bursts), %d rounds, synwall and the reference "
          "alternating: median (min..max) cycles" % runs)
    cyc = {}
    for name in ("syn_ref", "syn", "syn6", "ack_ref", "ack", "relay_ref", "relay",
                 "handshake", "syn_lb", "relay_lb", "handshake_lb",
                 "syn_native", "ack_native", "w2_syn", "syn_poll",
                 "handshake_poll"):
        vals, rates, bad = [], [], 0
        for i in range(1, runs + 1):
            d = load(tmp, "%s.%d" % (name, i))
            if d is None:
                continue
            if name.startswith("handshake"):
                v = d["engine"].get("cycles_per_conn")
                r = d["engine"].get("conn_per_s", 0)
            else:
                v = d["dut_stats"]["cycles_per_pkt"]
                r = d["dut_stats"]["rx_pps"]
            if v:
                vals.append(v)
                rates.append(r)
            bad += not d.get("accounted", True)
        if vals:
            cyc[name] = (vals, rates, bad)
    comps = [
        # name, label, reference, its label, target ratio of cycles
        ("syn", "SYN -> SYN-ACK", "syn_ref", "5tswap", 2.0),
        ("syn6", "SYN -> SYN-ACK, IPv6", "syn_ref", "5tswap (IPv4)", None),
        ("ack", "forged-ACK drop", "ack_ref", "rxonly", 1.6),
        ("relay", "relay, %s flows open" % flows, "relay_ref", "5tswap",
         1.15),
        ("handshake", "whole connection, %s flows open" % flows, None,
         "cycles/conn", 1500),
        ("syn_lb", "lb SYN -> SYN-ACK", "syn", "inline", 1.15),
        ("relay_lb", "lb relay", "relay", "inline", 1.15),
        ("handshake_lb", "lb whole connection", "handshake", "inline",
         1.15),
        # No target: how much -march=native buys, and two workers that
        # share CPU 1 (their TSC counts each other's time slices).
        ("syn_native", "SYN, -march=native", "syn", "portable", None),
        ("ack_native", "forged ACK, -march=native", "ack", "portable",
         None),
        ("w2_syn", "SYN, 2 workers on 1 CPU (summed)", "syn", "1 worker",
         None),
        # [worker] idle at full load: the default, adaptive, never rests
        # while it has packets, so poll should cost the same cycles
        # (scripts/bench-idle has the idle side).
        ("syn_poll", "SYN, idle = poll", "syn", "idle = adaptive", None),
        ("handshake_poll", "whole connection, idle = poll", "handshake",
         "idle = adaptive", None),
    ]
    for name, label, ref, rlabel, target in comps:
        if name not in cyc:
            continue
        vals, rates, bad = cyc[name]
        med = statistics.median(vals)
        row = {"section": s2, "name": label, "cycles": vals,
               "cycles_median": med, "rate_median": statistics.median(rates),
               "reference": rlabel, "target": target, "accounting_bad": bad}
        if ref is None:
            row["ratio"] = None
            row["meets_target"] = med <= target
        elif ref in cyc and target is None:
            rmed = statistics.median(cyc[ref][0])
            row["ref_cycles"] = cyc[ref][0]
            row["ref_median"] = rmed
            row["ratio"] = med / rmed
            row["meets_target"] = None
        elif ref in cyc:
            rmed = statistics.median(cyc[ref][0])
            row["ref_cycles"] = cyc[ref][0]
            row["ref_median"] = rmed
            row["ratio"] = med / rmed
            row["meets_target"] = med / rmed <= target
        else:
            continue
        t.cyc_rows.append(row)
    rl = load(tmp, "relay.1")
    if rl and "flow_memory" in rl:
        fm = rl["flow_memory"]
        t.row("2b. flow memory (relay, round 1)",
              "synwall memory, %d IPv4 flows" % fm["flows4"],
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
    t.print_cycles()
    try:
        with open(os.path.join(tmp, "commands.txt")) as f:
            commands = list(dict.fromkeys(c.strip() for c in f
                                          if c.strip()))
    except OSError:
        commands = []
    if commands:
        print("\nCommands, as run (lcore 1 the data path, lcore 0 main):")
        for c in commands:
            print("  " + c)
    if out:
        with open(out, "w") as f:
            json.dump({"cpu": cpu, "dpdk": dpdk, "seconds": float(secs),
                       "flows": int(flows), "runs": runs,
                       "results": t.rows, "in_process": t.cyc_rows,
                       "commands": commands,
                       "kernel": k, "idle": load(tmp, "idle")}, f,
                      indent=1)


if __name__ == "__main__":
    main()
