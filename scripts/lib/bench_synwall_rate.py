# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench, part 1: synwall's rate and cycles from two telemetry reads.

bench_synwall_rate.py A_JSON B_JSON SECONDS

A_JSON and B_JSON hold synwall's replies to /synwall/stats (as
dpdk-telemetry.py prints them) taken SECONDS apart. Prints "PPS CYCLES":
packets received on the outside port per second, and busy TSC cycles
(busy_cycles) per packet received.
"""
import json, sys
a, b = (json.load(open(f))["/synwall/stats"] for f in sys.argv[1:3])
rx = b["outside"]["rx_pkts"] - a["outside"]["rx_pkts"]
cyc = b["busy_cycles"] - a["busy_cycles"]
print(int(rx / float(sys.argv[3])), "%.0f" % (cyc / max(rx, 1)))
