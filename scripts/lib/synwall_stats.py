# SPDX-License-Identifier: BSD-3-Clause
"""sw_synwall_stats's parser (scripts/lib/synwall.sh): telemetry to "key value".

synwall_stats.py JSON0 JSON1

JSON0 is synwall's reply to /synwall/stats (JSON1 is then "{}"); for the
dpdk-testpmd stand-in, JSON0 and JSON1 are the replies to /ethdev/stats,0
(outside) and /ethdev/stats,1 (inside). Prints one "key value" line per
counter: out_rx_pkts, out_rx_bytes, out_tx_pkts, out_tx_bytes, the same
with in_, and drops (synwall's drop counters summed; for the stand-in
imissed + ierrors + oerrors). For synwall, every numeric leaf is printed
too, under its dotted path (syncookie.cookie_ok, outside.rx_pkts, ...).
"""
import json, sys

def num(d, *names):
    for n in names:
        if isinstance(d, dict) and isinstance(d.get(n), (int, float)):
            return int(d[n])
    return 0

def total(v):
    if isinstance(v, dict):
        return sum(total(x) for x in v.values())
    if isinstance(v, list):
        return sum(total(x) for x in v)
    return int(v) if isinstance(v, (int, float)) else 0

a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
if "/synwall/stats" in a:
    t = a["/synwall/stats"]
    t = t.get("total", t)
    sides = {"out": t.get("outside", {}), "in": t.get("inside", {})}
    drops = total(t.get("drops", t.get("drop", 0)))
    def leaves(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                yield from leaves(x, path + [str(k)])
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            key = ".".join(path)
            if key and not any(c.isspace() for c in key):
                yield key, int(v)
    for k, v in leaves(t, []):
        print(k, v)
else:  # the testpmd stand-in: port 0 = outside, port 1 = inside
    sides = {"out": a.get("/ethdev/stats", {}),
             "in": b.get("/ethdev/stats", {})}
    drops = sum(num(s, "imissed") + num(s, "ierrors") + num(s, "oerrors")
                for s in sides.values())
for side, s in sides.items():
    print(side + "_rx_pkts", num(s, "rx_pkts", "rx_packets", "ipackets"))
    print(side + "_rx_bytes", num(s, "rx_bytes", "ibytes"))
    print(side + "_tx_pkts", num(s, "tx_pkts", "tx_packets", "opackets"))
    print(side + "_tx_bytes", num(s, "tx_bytes", "obytes"))
print("drops", drops)
