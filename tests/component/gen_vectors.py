#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the component suite's vectors: pcaps in, pcaps expected out.

For each scenario S this writes, under vectors/:
  S.conf            synwall config the worker runs with
  S.keys            cookie master secret (hex) and slot the test installs
  S_rx_outside.pcap frames the outside port receives (clients)
  S_rx_inside.pcap  frames the inside port receives (servers), injected
                    after every outside frame was processed
  S_tx_inside.pcap  frames expected on the inside port, in order, byte-exact
  S_tx_outside.pcap frames expected on the outside port (replies to the
                    outside frames first, then what crossed from inside)
  S.expect          counters expected afterwards ("name value" lines)

SYN-ACKs are predicted with an implementation of synwall's cookie written
here from docs/cookies.md (SipHash-2-4 in Python, BLAKE2b from hashlib),
independent of the C code it checks.

Run with Debian's scapy: /usr/bin/python3 tests/component/gen_vectors.py
The output is checked in; rerun it only when the scenarios change.
"""
import hashlib
import os
import struct
import sys

from scapy.all import (ARP, Dot1AD, Dot1Q, Ether, ICMP, ICMPv6ND_NS, IP, IPv6,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Raw, TCP, UDP,
                       wrpcap)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "vectors")

CLIENT_MAC = "02:00:00:00:00:10"
SERVER_MAC = "02:00:00:00:00:80"
CLIENT4, SERVER4 = "192.0.2.10", "192.0.2.80"
CLIENT6, SERVER6 = "2001:db8::10", "2001:db8::80"
LINUX_SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000, 0)),
                  ("NOP", None), ("WScale", 7)]

MASTER = bytes(range(32))
SLOT = 1000
TTL = 64
WINDOW = 65535


# --- synwall's SYN cookie, from docs/cookies.md ---------------------------

def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xFFFFFFFFFFFFFFFF


def siphash24(key, msg):
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rnd():
        v[0] = (v[0] + v[1]) & 0xFFFFFFFFFFFFFFFF
        v[1] = _rotl(v[1], 13) ^ v[0]
        v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & 0xFFFFFFFFFFFFFFFF
        v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & 0xFFFFFFFFFFFFFFFF
        v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & 0xFFFFFFFFFFFFFFFF
        v[1] = _rotl(v[1], 17) ^ v[2]
        v[2] = _rotl(v[2], 32)

    full = len(msg) // 8 * 8
    for i in range(0, full, 8):
        m = struct.unpack("<Q", msg[i:i + 8])[0]
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    tail = msg[full:] + b"\0" * (7 - len(msg) % 8) + bytes([len(msg) & 0xFF])
    m = struct.unpack("<Q", tail)[0]
    v[3] ^= m
    rnd()
    rnd()
    v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def slot_key(slot):
    msg = b"synwall-cookie-v1" + struct.pack(">Q", slot)
    return hashlib.blake2b(msg, key=MASTER, digest_size=16).digest()


MSS4 = [536, 1200, 1300, 1360, 1400, 1440, 1452, 1460]
MSS6 = [1220, 1280, 1340, 1380, 1400, 1420, 1432, 1440]


def mss_index(v6, mss):
    tab = MSS6 if v6 else MSS4
    if mss == 0:
        return 0
    return max(i for i in range(8) if tab[i] <= mss)


def wclass(ws):
    if ws is None:
        return 0
    return 3 if ws >= 8 else (2 if ws >= 6 else 1)


def cookie(v6, src, dst, sport, dport, isn, mss, ws, sack, ts, ecn,
           slot=SLOT):
    """(our ISN, our TSval or None) for a SYN, as synwall computes them."""
    code = slot & 3
    idx = mss_index(v6, mss)
    wsc = 15 if ws is None else min(ws, 14)
    info = code | idx << 2 | int(sack) << 5 | wclass(ws) << 6
    if ts:
        info |= 1 << 8 | wsc << 9 | int(ecn) << 13
    if v6:
        info |= 1 << 14
    fam = __import__("socket").AF_INET6 if v6 else __import__("socket").AF_INET
    addr = (__import__("socket").inet_pton(fam, src) +
            __import__("socket").inet_pton(fam, dst))
    msg = (addr + struct.pack(">HH", sport, dport) +
           struct.pack("<II", isn, info))
    h = siphash24(slot_key(slot), msg)
    isn_out = (code << 30 | idx << 27 | int(sack) << 26 | wclass(ws) << 24 |
               (h & 0xFFFFFF))
    tsval = None
    if ts:
        tsval = wsc << 28 | int(ecn) << 27 | ((h >> 24) & 0x7FFFFFF)
    return isn_out, tsval


# --- frames ---------------------------------------------------------------

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


def opt(syn, name):
    for o in syn[TCP].options:
        if o[0] == name:
            return o[1]
    return None


class Svc:
    """A [service:NAME] as the scenario config sets it."""

    def __init__(self, port, mss=1460, mss6=1440, wscale=7, sack=True,
                 ts=True, ecn=False):
        self.port, self.mss, self.mss6, self.wscale = port, mss, mss6, wscale
        self.sack, self.ts, self.ecn = sack, ts, ecn

    def conf(self, name):
        return ("[service:%s]\nprefix = %s/32, %s/128\nports = %d\n"
                "mss = %d\nmss6 = %d\nwscale = %s\nsack = %s\n"
                "timestamps = %s\necn = %s\n" % (
                    name, SERVER4, SERVER6, self.port, self.mss, self.mss6,
                    "no" if self.wscale is None else self.wscale,
                    "yes" if self.sack else "no", "yes" if self.ts else "no",
                    "yes" if self.ecn else "no"))


WEB = Svc(80)


def synack(syn, svc=WEB):
    """The SYN-ACK synwall must send for `syn` (a scapy frame)."""
    v6 = IPv6 in syn
    l3 = syn[IPv6] if v6 else syn[IP]
    tcp = syn[TCP]
    mss = opt(syn, "MSS") or 0
    cws = opt(syn, "WScale")
    tsopt = opt(syn, "Timestamp")
    sack = svc.sack and opt(syn, "SAckOK") is not None
    ts = svc.ts and tsopt is not None
    ws = min(cws, 14) if (svc.wscale is not None and cws is not None) else None
    ecn = svc.ecn and ts and (int(tcp.flags) & 0xC0) == 0xC0
    isn, tsval = cookie(v6, l3.src, l3.dst, tcp.sport, tcp.dport, tcp.seq,
                        mss, ws, sack, ts, ecn)
    o = [("MSS", svc.mss6 if v6 else svc.mss)]
    if ts:
        o += [("SAckOK", b"")] if sack else [("NOP", None), ("NOP", None)]
        o += [("Timestamp", (tsval, tsopt[0]))]
    elif sack:
        o += [("NOP", None), ("NOP", None), ("SAckOK", b"")]
    if ws is not None:
        o += [("NOP", None), ("WScale", svc.wscale)]
    # Keep the L2 header (VLAN tags too), swap the MACs.
    l2 = Ether(src=syn.dst, dst=syn.src, type=syn.type)
    layer = syn.payload
    while isinstance(layer, (Dot1Q, Dot1AD)):
        l2 = l2 / layer.__class__(prio=layer.prio, id=layer.id,
                                  vlan=layer.vlan, type=layer.type)
        layer = layer.payload
    if v6:
        ip = IPv6(src=l3.dst, dst=l3.src, hlim=TTL, tc=0, fl=0)
    else:
        ip = IP(src=l3.dst, dst=l3.src, ttl=TTL, tos=0, id=0, flags="DF")
    flags = "SAE" if ecn else "SA"
    return raw(l2 / ip / TCP(sport=tcp.dport, dport=tcp.sport, seq=isn,
                             ack=(tcp.seq + 1) & 0xFFFFFFFF, flags=flags,
                             window=WINDOW, options=o))


def third_ack(syn, reply, data=b"", flip=0):
    """The client's ACK completing the handshake that `reply` answered."""
    v6 = IPv6 in syn
    l3 = syn[IPv6] if v6 else syn[IP]
    tcp, rtcp = syn[TCP], reply[TCP]
    o = []
    rts = opt(reply, "Timestamp")
    if rts is not None:
        o = [("NOP", None), ("NOP", None),
             ("Timestamp", (opt(syn, "Timestamp")[0] + 1, rts[0]))]
    ip = (IPv6(src=l3.src, dst=l3.dst) if v6 else
          IP(src=l3.src, dst=l3.dst))
    pkt = eth() / ip / TCP(sport=tcp.sport, dport=tcp.dport,
                           seq=(tcp.seq + 1) & 0xFFFFFFFF,
                           ack=((rtcp.seq + 1) ^ flip) & 0xFFFFFFFF,
                           flags="PA" if data else "A", options=o)
    if data:
        pkt = pkt / Raw(data)
    return raw(pkt)


def ip4syn(sport, options=LINUX_SYN_OPTS, seq=None, flags="S", dport=80,
           **ipkw):
    return raw(eth() / IP(src=CLIENT4, dst=SERVER4, **ipkw) /
               TCP(sport=sport, dport=dport, flags=flags,
                   seq=sport * 1000 if seq is None else seq,
                   options=options))


def ip6syn(sport, options=LINUX_SYN_OPTS, dport=80):
    return raw(eth() / IPv6(src=CLIENT6, dst=SERVER6) /
               TCP(sport=sport, dport=dport, flags="S", seq=sport * 7,
                   options=options))


# --- scenarios: forwarding --------------------------------------------------

def forwarding_frames():
    """(frame, kind, reply) from the outside. kind: synack (answered by
    synwall), protected (to a protected service, dropped), unprotected,
    control (ARP/ND), malformed:<reason>."""
    f = []
    f.append((pad60(eth(dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT4, pdst=SERVER4)),
              "control"))
    # The seed's worked example: A seq=10000 SYN, then seq=10001 ack=20001.
    f.append((ip4syn(40000, seq=10000), "synack"))
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40000, dport=80, flags="PA", seq=10001,
                      ack=20001) / Raw(b"GET / HTTP/1.0\r\n\r\n")),
              "drop:cookie_bad"))
    f.append((ip6syn(40001), "synack"))
    f.append((raw(eth() / Dot1Q(vlan=100) / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40002, dport=80, flags="S", seq=2)), "synack"))
    f.append((raw(eth() / Dot1AD(vlan=200) / Dot1Q(vlan=100) /
                  IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=40003, dport=80, flags="S", seq=3)), "synack"))
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
    # From the protected service, but no flow exists: nothing to relay.
    f.append((raw(eth(SERVER_MAC, CLIENT_MAC) / IP(src=SERVER4, dst=CLIENT4) /
                  TCP(sport=80, dport=40000, flags="SA", seq=20000,
                      ack=10001, options=[("MSS", 1460)])),
              "drop:noflow_inside"))
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
[syncookie]
ttl = {ttl}
window = {window}
{extra}
"""


def write(name, unprotected, cf, sf, services, extra=""):
    """cf/sf: lists of (frame, kind, reply-or-None). Kinds decide what
    comes out where and which counter moves."""
    def forwarded(kind):
        return kind == "control" or (kind == "unprotected" and
                                     unprotected == "pass")

    with open(os.path.join(OUT, name + ".conf"), "w") as fh:
        fh.write(CONF.format(unprotected=unprotected, ttl=TTL, window=WINDOW,
                             extra=extra))
        for sname, svc in services.items():
            fh.write(svc.conf(sname))
    with open(os.path.join(OUT, name + ".keys"), "w") as fh:
        fh.write("# written by tests/component/gen_vectors.py\n")
        fh.write("master %s\nslot %d\n" % (MASTER.hex(), SLOT))
    wrpcap(os.path.join(OUT, name + "_rx_outside.pcap"), [p for p, _, _ in cf])
    wrpcap(os.path.join(OUT, name + "_rx_inside.pcap"), [p for p, _, _ in sf])
    wrpcap(os.path.join(OUT, name + "_tx_inside.pcap"),
           [p for p, k, _ in cf if forwarded(k)])
    wrpcap(os.path.join(OUT, name + "_tx_outside.pcap"),
           [r for _, _, r in cf if r is not None] +
           [p for p, k, _ in sf if forwarded(k)])

    c = {"outside.rx_pkts": len(cf), "inside.rx_pkts": len(sf),
         "inside.tx_pkts": sum(forwarded(k) for _, k, _ in cf),
         "outside.tx_pkts": (sum(r is not None for _, _, r in cf) +
                             sum(forwarded(k) for _, k, _ in sf)),
         "drop.unprotected": 0 if unprotected == "pass" else
         sum(k == "unprotected" for _, k, _ in cf + sf),
         "drop.tx_full": 0, "syncookie.synack_tx": 0, "syncookie.syn_rx": 0,
         "syncookie.cookie_ok": 0, "syncookie.cookie_bad": 0,
         "syncookie.cookie_expired": 0, "syncookie.reflect_limited": 0,
         "syncookie.rst_tx": 0}
    for _, k, _ in cf + sf:
        if k.startswith("malformed:") or k.startswith("drop:"):
            key = "drop." + k.split(":", 1)[1]
            c[key] = c.get(key, 0) + 1
        if k in ("synack", "drop:mss_low", "drop:reflect_limited"):
            c["syncookie.syn_rx"] += 1
        if k == "synack":
            c["syncookie.synack_tx"] += 1
        if k == "drop:handoff":
            c["syncookie.cookie_ok"] += 1
        if k in ("drop:cookie_bad", "rst"):
            c["syncookie.cookie_bad"] += 1
        if k == "rst":
            c["syncookie.rst_tx"] += 1
        if k == "drop:cookie_expired":
            c["syncookie.cookie_expired"] += 1
        if k == "drop:reflect_limited":
            c["syncookie.reflect_limited"] += 1
    with open(os.path.join(OUT, name + ".expect"), "w") as fh:
        fh.write("# written by tests/component/gen_vectors.py\n")
        for k in sorted(c):
            fh.write("%s %d\n" % (k, c[k]))


def forwarding(name, unprotected):
    cf = [(p, k, synack(p) if k == "synack" else None)
          for p, k in forwarding_frames()]
    sf = [(p, k, None) for p, k in server_frames()]
    write(name, unprotected, cf, sf, {"web": WEB})


# --- scenario: the SYN cookie engine ----------------------------------------

TS_OPT = ("Timestamp", (123456, 0))
OPTION_SETS = {
    "none": [],
    "mss": [("MSS", 1400)],
    "sack": [("SAckOK", b"")],
    "ts": [TS_OPT],
    "ws": [("WScale", 9)],
}


def option_permutations():
    """Every subset of {MSS, SACK-permitted, timestamps, wscale}, in
    scapy's layouts, plus unknown and TFO options that must never be
    reflected."""
    keys = ["mss", "sack", "ts", "ws"]
    for mask in range(16):
        opts = []
        for i, k in enumerate(keys):
            if mask >> i & 1:
                opts += OPTION_SETS[k]
        yield opts
    yield [("MSS", 1460), (30, b"\x01\x02"), ("SAckOK", b""),
           ("TFO", b"\xaa" * 8), TS_OPT, ("NOP", None), ("WScale", 15)]


def syncookie_frames():
    web = WEB
    tight = Svc(443, mss=1400, mss6=1400, wscale=None, sack=False, ts=True,
                ecn=True)
    svcs = {"web": web, "tight": tight}
    f = []

    def syn(frame, svc=web):
        f.append((frame, "synack", synack(frame, svc)))
        return frame, f[-1][2]

    sport = 41000
    for opts in option_permutations():
        for mk in (ip4syn, ip6syn):
            syn(mk(sport, options=opts))
            syn(mk(sport + 1, options=opts, dport=443), tight)
            sport += 2
    # IPv4 options removed from the reply; a SYN's payload not acked.
    syn(raw(eth() / IP(src=CLIENT4, dst=SERVER4, options=[
        __import__("scapy.all", fromlist=["IPOption_RR"]).IPOption_RR()]) /
        TCP(sport=42000, dport=80, flags="S", seq=42, options=LINUX_SYN_OPTS)))
    syn(raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
            TCP(sport=42001, dport=80, flags="S", seq=43,
                options=LINUX_SYN_OPTS) / Raw(b"early data")))
    # IPv6 extension headers removed; VLAN and QinQ kept; padded frame.
    syn(raw(eth() / IPv6(src=CLIENT6, dst=SERVER6) / IPv6ExtHdrHopByHop() /
            TCP(sport=42002, dport=80, flags="S", seq=44,
                options=LINUX_SYN_OPTS)))
    syn(raw(eth() / Dot1Q(vlan=7, prio=3) / IPv6(src=CLIENT6, dst=SERVER6) /
            TCP(sport=42003, dport=80, flags="S", seq=45,
                options=LINUX_SYN_OPTS)))
    syn(raw(eth() / Dot1AD(vlan=300) / Dot1Q(vlan=7) /
            IP(src=CLIENT4, dst=SERVER4) /
            TCP(sport=42004, dport=80, flags="S", seq=46,
                options=LINUX_SYN_OPTS)))
    syn(pad60(eth() / IP(src=CLIENT4, dst=SERVER4) /
              TCP(sport=42005, dport=80, flags="S", seq=47,
                  options=[("MSS", 1300)])))
    # ECN-setup SYNs: answered with ECE by the service that allows it.
    syn(ip4syn(42006, flags="SEC"))
    syn(ip4syn(42007, flags="SEC", dport=443), tight)
    # Sequence numbers at the wrap: ack = ISN + 1 mod 2^32.
    s, r = syn(ip4syn(42008, seq=0xFFFFFFFF))
    f.append((third_ack(s, r), "drop:handoff", None))
    # The seed's example end to end: SYN seq=10000, the client's third ACK.
    s, r = syn(ip4syn(42009, seq=10000, options=[("MSS", 1460)]))
    f.append((third_ack(s, r), "drop:handoff", None))
    s, r = syn(ip4syn(42010))
    f.append((third_ack(s, r), "drop:handoff", None))
    f.append((third_ack(s, r), "drop:handoff", None))   # duplicate ACK
    s, r = syn(ip6syn(42011))
    f.append((third_ack(s, r, data=b"GET /"), "drop:handoff", None))
    s, r = syn(ip4syn(42012, options=[("MSS", 1460), ("WScale", 8)]))
    f.append((third_ack(s, r, flip=1), "drop:cookie_bad", None))
    f.append((third_ack(s, r, flip=1 << 20), "drop:cookie_bad", None))
    s, r = syn(ip4syn(42013))
    bad_ts = third_ack(s, r)
    bad_ts[TCP].options = [("NOP", None), ("NOP", None),
                           ("Timestamp", (1, opt(r, "Timestamp")[0] ^ 4))]
    del bad_ts[TCP].chksum
    f.append((raw(bad_ts), "drop:cookie_bad", None))
    # A genuine cookie from two slots ago: expired, not forged.
    old_syn = ip4syn(42014, options=[("MSS", 1460)])
    isn, _ = cookie(False, CLIENT4, SERVER4, 42014, 80, old_syn[TCP].seq,
                    1460, None, False, False, False, slot=SLOT - 2)
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=42014, dport=80, flags="A",
                      seq=old_syn[TCP].seq + 1, ack=isn + 1)),
              "drop:cookie_expired", None))
    # ... and one from the previous slot still works.
    isn, _ = cookie(False, CLIENT4, SERVER4, 42015, 80, 5, 1460, None, False,
                    False, False, slot=SLOT - 1)
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                  TCP(sport=42015, dport=80, flags="A", seq=6,
                      ack=isn + 1)), "drop:handoff", None))

    # Everything else without a flow: dropped by reason, nothing sent.
    def tcp4(sport, flags, **kw):
        return raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                   TCP(sport=sport, dport=80, flags=flags, seq=9, **kw))
    f.append((tcp4(43000, "SF"), "drop:syn_fin", None))
    f.append((tcp4(43001, "SR"), "drop:syn_rst", None))
    f.append((tcp4(43002, "SA", ack=1), "drop:synack_noflow", None))
    f.append((tcp4(43003, ""), "drop:no_flags", None))
    f.append((tcp4(43004, "FPU"), "drop:noack", None))
    f.append((tcp4(43005, "R"), "drop:rst_noflow", None))
    f.append((tcp4(43006, "S", options=[("MSS", 100)]), "drop:mss_low", None))
    f.append((raw(eth() / IPv6(src=CLIENT6, dst=SERVER6) /
                  TCP(sport=43007, dport=80, flags="S",
                      options=[("MSS", 1200)])), "drop:mss_low", None))
    first = raw(eth() / IP(src=CLIENT4, dst=SERVER4, flags="MF", id=9) /
                TCP(sport=43008, dport=80, flags="S") / Raw(b"x" * 16))
    f.append((first, "drop:fragment", None))
    f.append((raw(eth() / IP(src=CLIENT4, dst=SERVER4, frag=3, proto=6,
                             id=9) / Raw(b"y" * 24)),
              "drop:fragment", None))
    f.append((raw(eth() / IPv6(src=CLIENT6, dst=SERVER6) /
                  IPv6ExtHdrFragment(offset=0, m=1, id=5) /
                  TCP(sport=43009, dport=80, flags="S")),
              "drop:fragment", None))
    # Sources no peer can have get no SYN-ACK (RFC 1122 4.2.3.10).
    for src in ("0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255",
                SERVER4):
        f.append((raw(eth() / IP(src=src, dst=SERVER4) /
                      TCP(sport=43011, dport=80, flags="S")),
                  "drop:bad_src", None))
    for src in ("::", "::1", "ff02::1", SERVER6):
        f.append((raw(eth() / IPv6(src=src, dst=SERVER6) /
                      TCP(sport=43012, dport=80, flags="S")),
                  "drop:bad_src", None))
    good = tcp4(43010, "S")
    f.append((corrupt(good, 24, good[IP].chksum >> 8 ^ 0x55),
              "drop:ip_cksum", None))
    f.append((corrupt(good, 50, good[TCP].chksum >> 8 ^ 0x55),
              "drop:tcp_cksum", None))
    return f, svcs


def syncookie():
    f, svcs = syncookie_frames()
    write("syncookie", "pass", f, [], svcs)


def rst_and_reflect():
    """rst_on_bad answers a forged ACK; reflect_rate withholds SYN-ACKs
    beyond the burst to one client /24."""
    f = []
    syn = ip4syn(44000)
    f.append((syn, "synack", synack(syn)))
    forged = raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
                 TCP(sport=44001, dport=80, flags="A", seq=777, ack=31337))
    rst = raw(Ether(src=SERVER_MAC, dst=CLIENT_MAC) /
              IP(src=SERVER4, dst=CLIENT4, ttl=TTL, id=0, flags="DF", tos=0) /
              TCP(sport=80, dport=44001, flags="R", seq=31337, ack=0,
                  window=0))
    f.append((forged, "rst", rst))
    # reflect_burst = 2 at 1/s: the first SYN above and the next pass.
    syn = ip4syn(44002)
    f.append((syn, "synack", synack(syn)))
    for sport in (44003, 44004):
        f.append((ip4syn(sport), "drop:reflect_limited", None))
    # Another /24 has its own bucket (the cells are per prefix).
    other = raw(eth() / IP(src="198.51.100.7", dst=SERVER4) /
                TCP(sport=44005, dport=80, flags="S", seq=5,
                    options=LINUX_SYN_OPTS))
    f.append((other, "synack", synack(other)))
    write("rst_reflect", "pass", f, [], {"web": WEB},
          extra="rst_on_bad = yes\nrst_rate = 1000\nreflect_rate = 1\n"
                "reflect_burst = 2")


def main():
    os.makedirs(OUT, exist_ok=True)
    forwarding("pass", "pass")
    forwarding("drop", "drop")
    syncookie()
    rst_and_reflect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
