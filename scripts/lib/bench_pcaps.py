# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench, part 1: the pcaps replayed into testpmd and synwall.

bench_pcaps.py DIR

Writes DIR/syns.pcap and DIR/acks.pcap, 1024 frames each (random seed 1,
so the same every run): SYNs with three option sets in turn, and forged
ACKs with random seq and ack, from random sources in 198.18.0.0/15 to
192.0.2.80 port 80. Needs scapy (python3-scapy).
"""
import random, sys
from scapy.all import Ether, IP, TCP, wrpcap
out = sys.argv[1]
random.seed(1)
def src():
    return "198.%d.%d.%d" % (random.choice((18, 19)), random.randrange(256),
                             random.randrange(1, 255))
l2 = Ether(src="02:00:00:00:00:10", dst="02:00:00:00:00:80")
opts = [[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None),
         ("WScale", 7)], [("MSS", 1460), ("NOP", None), ("WScale", 8),
         ("SAckOK", b"")], [("MSS", 1440)]]
syns, acks = [], []
for i in range(1024):
    o = [(k, (random.randrange(1 << 32), 0)) if k == "Timestamp" else (k, v)
         for k, v in opts[i % 3]]
    syns.append(l2 / IP(src=src(), dst="192.0.2.80") /
                TCP(sport=random.randrange(1024, 65536), dport=80, flags="S",
                    seq=random.randrange(1 << 32), options=o))
    acks.append(l2 / IP(src=src(), dst="192.0.2.80") /
                TCP(sport=random.randrange(1024, 65536), dport=80, flags="A",
                    seq=random.randrange(1 << 32),
                    ack=random.randrange(1 << 32)))
wrpcap(out + "/syns.pcap", syns)
wrpcap(out + "/acks.pcap", acks)
