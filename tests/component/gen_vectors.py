#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the component suite's vectors: pcaps in, pcaps expected out.

For each scenario S this writes, under vectors/:
  S.conf            synwall config the worker runs with
  S_rx_outside.pcap frames the outside port receives (clients)
  S_rx_inside.pcap  frames the inside port receives (servers)
  S_tx_inside.pcap  frames expected on the inside port, in order, byte-exact
  S_tx_outside.pcap frames expected on the outside port
  S.expect          counters expected afterwards ("name value" lines)

Run with Debian's scapy: /usr/bin/python3 tests/component/gen_vectors.py
The output is checked in; rerun it only when the scenarios change.
"""
import os
import sys

from scapy.all import (ARP, Dot1AD, Dot1Q, Ether, ICMP, ICMPv6ND_NS, IP, IPv6,
                       Raw, TCP, UDP, wrpcap)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")

CLIENT_MAC = "02:00:00:00:00:10"
SERVER_MAC = "02:00:00:00:00:80"
CLIENT4, SERVER4 = "192.0.2.10", "192.0.2.80"
CLIENT6, SERVER6 = "2001:db8::10", "2001:db8::80"
LINUX_SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000, 0)),
                  ("NOP", None), ("WScale", 7)]


def eth(src=CLIENT_MAC, dst=SERVER_MAC):
    return Ether(src=src, dst=dst)


def raw(pkt):
    """Freeze a packet: checksums and lengths computed once, by scapy."""
    return Ether(bytes(pkt))


def pad60(frame):
    """Ethernet minimum frame (without FCS) is 60 bytes: pad as NICs do."""
    b = bytes(frame)
    return Ether(b + b"\x00" * max(0, 60 - len(b)))


def corrupt(frame, offset, value):
    b = bytearray(bytes(frame))
    b[offset] = value
    return Ether(bytes(b))


def client_frames():
    """(frame, kind) from the outside; kind: protected/unprotected/
    control/malformed:<reason>."""
    f = []
    f.append((pad60(eth(dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=SERVER4)),
              "control"))
    # The seed's worked example: A seq=10000 SYN, then seq=10001 ack=20001.
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40000, dport=80, flags="S", seq=10000,
                      options=LINUX_SYN_OPTS)), "protected"))
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40000, dport=80, flags="PA", seq=10001,
                      ack=20001) / Raw(b"GET / HTTP/1.0\r\n\r\n")),
              "protected"))
    f.append((raw(eth() / IPv6(src=CLIENT6, dst=SERVER6) /
                  TCP(sport=40001, dport=80, flags="S", seq=1,
                      options=LINUX_SYN_OPTS)), "protected"))
    f.append((raw(eth() / Dot1Q(vlan=100) / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40002, dport=80, flags="S", seq=2)), "protected"))
    f.append((raw(eth() / Dot1AD(vlan=200) / Dot1Q(vlan=100) /
                  IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40003, dport=80, flags="S", seq=3)), "protected"))
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) / ICMP(id=7, seq=1) /
                  Raw(b"x" * 56)), "unprotected"))
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                  UDP(sport=5353, dport=53) / Raw(b"q")), "unprotected"))
    f.append((pad60(eth() / IP(src=CLIENT4, dst=SERVER4) /
                    TCP(sport=40004, dport=22, flags="S", seq=4)),
              "unprotected"))
    f.append((raw(Ether(src=CLIENT_MAC, dst="33:33:ff:00:00:80") /
                  IPv6(src=CLIENT6, dst="ff02::1:ff00:80", hlim=255) /
                  ICMPv6ND_NS(tgt=SERVER6)), "control"))
    good = raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
               TCP(sport=40005, dport=80, flags="S", seq=5))
    # IHL 4: byte 14 is version/IHL.
    f.append((corrupt(good, 14, 0x44), "malformed:ipv4_ihl"))
    # Data offset 3: byte 14 + 20 + 12 is the TCP data offset.
    f.append((corrupt(good, 46, 0x30), "malformed:tcp_doff"))
    # Total length larger than the frame.
    f.append((corrupt(good, 17, 0xff), "malformed:ipv4_totlen"))
    return f


def server_frames():
    f = []
    f.append((raw(eth(SERVER_MAC, CLIENT_MAC) / IP(src=SERVER4, dst=CLIENT4) /
                  TCP(sport=80, dport=40000, flags="SA", seq=20000,
                      ack=10001, options=[("MSS", 1460)])), "protected"))
    f.append((raw(eth(SERVER_MAC, CLIENT_MAC) / IP(src=SERVER4, dst=CLIENT4) /
                  ICMP(type=0, id=7, seq=1) / Raw(b"x" * 56)), "unprotected"))
    f.append((pad60(eth(SERVER_MAC, "ff:ff:ff:ff:ff:ff") /
                    ARP(op=2, hwsrc=SERVER_MAC, psrc=SERVER4,
                        hwdst=CLIENT_MAC, pdst=CLIENT4)), "control"))
    return f


CONF = """; written by tests/component/gen_vectors.py
[synwall]
unprotected = {unprotected}
stats_interval = 0
log_level = info
[ports]
outside = net_ring_sw_out
inside = net_ring_sw_in
rx_desc = 256
tx_desc = 256
[worker]
mbufs = 4095
mbuf_cache = 64
[service:web]
prefix = {s4}/32, {s6}/128
ports = 80, 443
"""


def scenario(name, unprotected):
    cf, sf = client_frames(), server_frames()

    def passes(kind):
        if kind.startswith("malformed"):
            return False
        return kind != "unprotected" or unprotected == "pass"

    with open(os.path.join(OUT, name + ".conf"), "w") as fh:
        fh.write(CONF.format(unprotected=unprotected, s4=SERVER4, s6=SERVER6))
    wrpcap(os.path.join(OUT, name + "_rx_outside.pcap"), [p for p, _ in cf])
    wrpcap(os.path.join(OUT, name + "_rx_inside.pcap"), [p for p, _ in sf])
    wrpcap(os.path.join(OUT, name + "_tx_inside.pcap"),
           [p for p, k in cf if passes(k)])
    wrpcap(os.path.join(OUT, name + "_tx_outside.pcap"),
           [p for p, k in sf if passes(k)])

    counters = {}
    for side, frames in (("outside", cf), ("inside", sf)):
        counters[side + ".rx_pkts"] = len(frames)
    counters["inside.tx_pkts"] = sum(passes(k) for _, k in cf)
    counters["outside.tx_pkts"] = sum(passes(k) for _, k in sf)
    counters["protected_pkts"] = sum(k == "protected" for _, k in cf + sf)
    counters["drop.unprotected"] = (0 if unprotected == "pass" else
                                    sum(k == "unprotected"
                                        for _, k in cf + sf))
    counters["drop.tx_full"] = 0
    for _, k in cf + sf:
        if k.startswith("malformed:"):
            key = "drop." + k.split(":", 1)[1]
            counters[key] = counters.get(key, 0) + 1
    with open(os.path.join(OUT, name + ".expect"), "w") as fh:
        fh.write("# written by tests/component/gen_vectors.py\n")
        for k in sorted(counters):
            fh.write("%s %d\n" % (k, counters[k]))


def main():
    os.makedirs(OUT, exist_ok=True)
    scenario("pass", "pass")
    scenario("drop", "drop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
