#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""cluster_syns.py SRC DST DPORT SPORT COUNT RATE: COUNT TCP SYNs from
SRC to DST:DPORT, source ports SPORT .. SPORT+COUNT-1 (one new flow
each), at most RATE a second, through the kernel's routing (an L3
socket: the ECMP router sees them as any forwarded flow). Prints
"sent N". For e2e_cluster.sh: how evenly the router spreads flows."""

import random
import sys

from scapy.all import IP, IPv6, TCP, conf, send  # noqa: E402

conf.verb = 0


def main(argv):
    if len(argv) != 7:
        sys.exit(__doc__)
    src, dst = argv[1], argv[2]
    dport, sport, count, rate = (int(a) for a in argv[3:7])
    if not (0 < count <= 10000 and 0 < rate <= 10000 and
            0 < sport and sport + count <= 65536):
        sys.exit("cluster_syns.py: count/rate 1..10000, ports in range")
    l3 = IPv6 if ":" in dst else IP
    pkts = [l3(src=src, dst=dst) /
            TCP(sport=sport + i, dport=dport, flags="S",
                seq=random.getrandbits(32), window=64240,
                options=[("MSS", 1460)])
            for i in range(count)]
    send(pkts, inter=1.0 / rate)
    print("sent %d" % count)


if __name__ == "__main__":
    main(sys.argv)
