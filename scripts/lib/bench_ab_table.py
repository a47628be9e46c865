#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The table of scripts/bench-ab (Python 3 stdlib only).

  bench_ab_table.py DIR RUNS REV_A REV_B

Reads DIR/FIG-{a,b}-RUN.json (synwall-bench --json) and prints, per
figure, synwall's busy cycles per packet (per connection for handshake
runs) as median and min..max for A and B, and B's median over A's. Also
writes DIR/bench-ab.json with every value.
"""
import json
import os
import statistics
import sys


def value(d):
    if d.get("mode") == "handshake":
        return d["engine"]["cycles_per_conn"], "cyc/conn"
    return d["dut_stats"]["cycles_per_pkt"], "cyc/pkt"


def main():
    out, runs, rev_a, rev_b = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    figs = []
    for name in sorted(os.listdir(out)):
        if name.endswith("-a-1.json"):
            figs.append(name[:-len("-a-1.json")])
    order = ["syn", "ack", "relay", "handshake", "syn_lb", "ack_lb",
             "relay_lb", "handshake_lb"]
    figs.sort(key=lambda f: order.index(f) if f in order else len(order))
    res = {"a": rev_a, "b": rev_b, "runs": runs, "figures": {}}
    print("%-13s %-8s %22s %22s %7s" % ("figure", "unit", "A median (min..max)",
                                        "B median (min..max)", "B / A"))
    for f in figs:
        vals = {"a": [], "b": []}
        unit = ""
        for t in "ab":
            for i in range(1, runs + 1):
                p = os.path.join(out, "%s-%s-%d.json" % (f, t, i))
                try:
                    with open(p) as fh:
                        v, unit = value(json.load(fh))
                    vals[t].append(v)
                except (OSError, ValueError, KeyError):
                    pass
        if not vals["a"] or not vals["b"]:
            print("%-13s (runs missing)" % f)
            continue
        ma, mb = statistics.median(vals["a"]), statistics.median(vals["b"])
        print("%-13s %-8s %8.0f (%5.0f..%5.0f) %8.0f (%5.0f..%5.0f) %7.3f" % (
            f, unit, ma, min(vals["a"]), max(vals["a"]), mb, min(vals["b"]),
            max(vals["b"]), mb / ma))
        res["figures"][f] = {"unit": unit, "a": vals["a"], "b": vals["b"],
                             "ratio": mb / ma}
    with open(os.path.join(out, "bench-ab.json"), "w") as fh:
        json.dump(res, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
