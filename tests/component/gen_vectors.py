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

or, for a scripted exchange through the hand-off and the relay:
  S.pcap            every frame of the exchange, in order
  S.steps           per step, which frames go in (port, queue) and which
                    must come out, and counters to check (test_forward.c
                    describes the format)
  S.conf, S.keys, S.expect as above

SYN-ACKs are predicted with an implementation of synwall's cookie written
here from docs/cookies.md (SipHash-2-4 in Python, BLAKE2b from hashlib),
independent of the C code it checks; backend SYNs, relayed segments,
RSTs and challenge ACKs from the RFC rules the design names (see
"scripted exchanges" below), with checksums computed in full by scapy.

Run with Debian's scapy: /usr/bin/python3 tests/component/gen_vectors.py
The output is checked in; rerun it only when the scenarios change.
"""
import hashlib
import os
import struct
import sys

from scapy.all import (ARP, Dot1AD, Dot1Q, Ether, ICMP, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, IP, IPv6,
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
                 ts=True, ecn=False, trust=True, pp=None):
        self.pp = pp                # proxy_protocol: None, "v1", "v2"
        self.port, self.mss, self.mss6, self.wscale = port, mss, mss6, wscale
        self.sack, self.ts, self.ecn = sack, ts, ecn
        # first_contact = trust: the scenarios promise this section's
        # options from the first SYN on; the default (probe) has its own
        # scenario, first_contact.
        self.trust = trust

    def conf(self, name):
        return ("[service:%s]\nprefix = %s/32, %s/128\nports = %d\n"
                "mss = %d\nmss6 = %d\nwscale = %s\nsack = %s\n"
                "timestamps = %s\necn = %s\nfirst_contact = %s\n" % (
                    name, SERVER4, SERVER6, self.port, self.mss, self.mss6,
                    "no" if self.wscale is None else self.wscale,
                    "yes" if self.sack else "no", "yes" if self.ts else "no",
                    "yes" if self.ecn else "no",
                    "trust" if self.trust else "probe") +
                ("proxy_protocol = %s\n" % self.pp if self.pp else ""))


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


# --- the hand-off: what the server is sent ---------------------------------

class Decoded:
    """What a valid cookie ACK tells synwall of the client's SYN: the MSS
    as a table value, the shift (exact with timestamps, else its class:
    None, 0, 6 or 8), SACK-permitted, timestamps, ECN (docs/cookies.md)."""

    def __init__(self, mss, ws, sack, ts, ecn):
        self.mss, self.ws, self.sack = mss, ws, sack
        self.ts, self.ecn = ts, ecn


def decoded(syn, svc=WEB):
    """What the cookie of synack(syn, svc) decodes to."""
    v6 = IPv6 in syn
    mss = opt(syn, "MSS") or 0
    cws = opt(syn, "WScale")
    sack = svc.sack and opt(syn, "SAckOK") is not None
    ts = svc.ts and opt(syn, "Timestamp") is not None
    ws = min(cws, 14) if (svc.wscale is not None and cws is not None) else None
    ecn = svc.ecn and ts and (int(syn[TCP].flags) & 0xC0) == 0xC0
    if not ts:
        ws = [None, 0, 6, 8][wclass(ws)]
    tab = MSS6 if v6 else MSS4
    return Decoded(tab[mss_index(v6, mss)], ws, sack, ts, ecn)


def l2_of(frame):
    """The Ethernet header and VLAN tags of `frame`, as a scapy stack."""
    l2 = Ether(src=frame.src, dst=frame.dst, type=frame.type)
    layer = frame.payload
    while isinstance(layer, (Dot1Q, Dot1AD)):
        l2 = l2 / layer.__class__(prio=layer.prio, id=layer.id,
                                  vlan=layer.vlan, type=layer.type)
        layer = layer.payload
    return l2


def backend_syn(ack, co, tsval=None, pp_len=0):
    """The SYN synwall sends the server for the client whose cookie ACK
    (or first data segment) is `ack` (DESIGN.md, hand-off): the client's
    own ISN (seq - 1), its addresses, ports, L2 header, IPv4 ID, DF and
    TTL (hop limit, flow label), DSCP without the ECN bits (RFC 3168
    §6.1.1: a SYN is not-ECT), the options the cookie kept in Linux's
    layout with the ACK's TSval and TSecr 0, and a window never scaled
    (RFC 7323 §2.2): the ACK's window in bytes, at most 65535."""
    v6 = IPv6 in ack
    l3 = ack[IPv6] if v6 else ack[IP]
    tcp = ack[TCP]
    o = [("MSS", co.mss)]
    if co.ts:
        o += [("SAckOK", b"")] if co.sack else [("NOP", None), ("NOP", None)]
        o += [("Timestamp", (opt(ack, "Timestamp")[0] if tsval is None
                             else tsval, 0))]
    elif co.sack:
        o += [("NOP", None), ("NOP", None), ("SAckOK", b"")]
    if co.ws is not None:
        o += [("NOP", None), ("WScale", co.ws)]
    if v6:
        ip = IPv6(src=l3.src, dst=l3.dst, tc=l3.tc & 0xFC, fl=l3.fl,
                  hlim=l3.hlim)
    else:
        ip = IP(src=l3.src, dst=l3.dst, tos=l3.tos & 0xFC, id=l3.id,
                flags="DF" if l3.flags.DF else 0, ttl=l3.ttl)
    return raw(l2_of(ack) / ip /
               TCP(sport=tcp.sport, dport=tcp.dport,
                   seq=(tcp.seq - 1 - pp_len) & 0xFFFFFFFF, ack=0,
                   flags="SEC" if co.ecn else "S",
                   window=min(tcp.window << (co.ws or 0), 0xFFFF),
                   options=o))


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


def save(fname, frames):
    """A pcap under vectors/, with made-up times (1 ms apart) so that
    running this script again rewrites the same bytes."""
    frames = [Ether(bytes(f)) for f in frames]
    for i, f in enumerate(frames):
        f.time = 1000000000 + i / 1000
    wrpcap(os.path.join(OUT, fname), frames, linktype=1)


def write(name, unprotected, cf, sf, services, extra="", sections=""):
    """cf/sf: lists of (frame, kind, reply-or-None). Kinds decide what
    comes out where and which counter moves: the reply to a "handoff"
    (a valid cookie ACK) is the backend SYN, which leaves by the inside
    port; every other reply goes back out of the outside port."""
    def forwarded(kind):
        return kind == "control" or (kind == "unprotected" and
                                     unprotected == "pass")

    with open(os.path.join(OUT, name + ".conf"), "w") as fh:
        fh.write(CONF.format(unprotected=unprotected, ttl=TTL, window=WINDOW,
                             extra=extra))
        fh.write(sections)
        for sname, svc in services.items():
            fh.write(svc.conf(sname))
    write_keys(name)
    save(name + "_rx_outside.pcap", [p for p, _, _ in cf])
    save(name + "_rx_inside.pcap", [p for p, _, _ in sf])
    save(name + "_tx_inside.pcap",
           [r for _, k, r in cf if k == "handoff"] +
           [p for p, k, _ in cf if forwarded(k)])
    save(name + "_tx_outside.pcap",
           [r for _, k, r in cf if r is not None and k != "handoff"] +
           [p for p, k, _ in sf if forwarded(k)])

    n_handoff = sum(k == "handoff" for _, k, _ in cf)
    c = {"outside.rx_pkts": len(cf), "inside.rx_pkts": len(sf),
         "inside.tx_pkts": sum(forwarded(k) for _, k, _ in cf) + n_handoff,
         "outside.tx_pkts": (sum(r is not None and k != "handoff"
                                 for _, k, r in cf) +
                             sum(forwarded(k) for _, k, _ in sf)),
         "drop.unprotected": 0 if unprotected == "pass" else
         sum(k == "unprotected" for _, k, _ in cf + sf),
         "drop.tx_full": 0, "syncookie.synack_tx": 0, "syncookie.syn_rx": 0,
         "syncookie.cookie_ok": 0, "syncookie.cookie_bad": 0,
         "syncookie.cookie_expired": 0, "syncookie.reflect_limited": 0,
         "syncookie.rst_tx": 0}
    if n_handoff:
        # Each valid cookie ACK: one flow, held, one backend SYN out;
        # no SYN-ACK comes back, so all of them are still waiting.
        c.update({"flow.created": n_handoff, "flow.active": n_handoff,
                  "flow.held": n_handoff, "flow.backend_syn_tx": n_handoff,
                  "flow.backend_syn_retx": 0, "flow.established": 0,
                  "flow.freed": 0})
    for _, k, _ in cf + sf:
        if k.startswith("malformed:") or k.startswith("drop:"):
            key = "drop." + k.split(":", 1)[1]
            c[key] = c.get(key, 0) + 1
        if k in ("synack", "drop:mss_low", "drop:reflect_limited"):
            c["syncookie.syn_rx"] += 1
        if k == "synack":
            c["syncookie.synack_tx"] += 1
        if k == "handoff":
            c["syncookie.cookie_ok"] += 1
        if k in ("drop:cookie_bad", "rst"):
            c["syncookie.cookie_bad"] += 1
        if k == "rst":
            c["syncookie.rst_tx"] += 1
        if k == "drop:cookie_expired":
            c["syncookie.cookie_expired"] += 1
        if k == "drop:reflect_limited":
            c["syncookie.reflect_limited"] += 1
    write_expect(name, c)


def write_keys(name):
    with open(os.path.join(OUT, name + ".keys"), "w") as fh:
        fh.write("# written by tests/component/gen_vectors.py\n")
        fh.write("master %s\nslot %d\n" % (MASTER.hex(), SLOT))


def write_expect(name, c):
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
    def handoff(s, r, **kw):
        """A valid cookie ACK: a flow, and the backend SYN goes inside."""
        ack = third_ack(s, r, **kw)
        f.append((ack, "handoff", backend_syn(ack, decoded(s, svcs["web"]))))
        return ack

    s, r = syn(ip4syn(42008, seq=0xFFFFFFFF))
    handoff(s, r)
    # The seed's example end to end: SYN seq=10000, the client's third ACK.
    s, r = syn(ip4syn(42009, seq=10000, options=[("MSS", 1460)]))
    handoff(s, r)
    s, r = syn(ip4syn(42010))
    ack = handoff(s, r)
    # The same ACK again: the flow holds it already; no second SYN.
    f.append((ack, "drop:dup_ack", None))
    s, r = syn(ip6syn(42011))
    handoff(s, r, data=b"GET /")
    # ECN agreed (service "tight": timestamps, no SACK, no scaling): the
    # backend SYN asks for ECN too (ECE|CWR) and is itself not-ECT (RFC
    # 3168 §6.1.1), whatever the ACK carried; its DSCP is kept.
    s, r = syn(ip4syn(42016, flags="SEC", dport=443), tight)
    ack = third_ack(s, r)
    ack[IP].tos = 0x2A          # AF11, ECT(0)
    del ack[IP].chksum
    ack = raw(ack)
    co = decoded(s, tight)
    assert co.ecn and co.ws is None and not co.sack
    f.append((ack, "handoff", backend_syn(ack, co)))
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
    ack = raw(eth() / IP(src=CLIENT4, dst=SERVER4) /
              TCP(sport=42015, dport=80, flags="A", seq=6, ack=isn + 1))
    f.append((ack, "handoff",
              backend_syn(ack, Decoded(1460, None, False, False, False))))

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
    # No SYN-ACK comes back: no backend SYN may be retransmitted while
    # the test runs.
    write("syncookie", "pass", f, [], svcs,
          sections="[flow]\nsyn_timeout_ms = 60000\n")


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


# --- scripted exchanges: the hand-off and the relay ------------------------
#
# Each scenario is a conversation: a client and a server (the End class
# below, each sending what a Linux-like stack would) talk through
# synwall, and every frame synwall must emit is predicted here from the
# RFC rules and DESIGN.md, not from the C code:
#   - our SYN-ACK: synack() (the cookie, docs/cookies.md);
#   - the backend SYN: backend_syn() (the client's ISN and options);
#   - relayed segments: Xlate below (seq/ack/SACK by the ISN offset,
#     TSval/TSecr by the timestamp offset, windows rescaled), checksums
#     recomputed in full by scapy, which the engine's incremental
#     updates (RFC 1624) must equal byte for byte;
#   - RSTs and challenge ACKs: rst_reply(), ack_reply().

U32 = 0xFFFFFFFF


def seg_len(frame):
    t = frame[TCP]
    return (len(bytes(t.payload)) + (1 if t.flags.S else 0) +
            (1 if t.flags.F else 0))


def rescale(win, ws_from, ws_to):
    """A window field from one shift to another: the same bytes, rounded
    up to a whole unit (an open window never closes, 1.5 units hold a
    full segment), at most 65535."""
    b = win << ws_from
    return min((b + (1 << ws_to) - 1) >> ws_to, 0xFFFF)


class Xlate:
    """How one flow's segments change on the way through (DESIGN.md,
    hand-off and relay): the client was answered with our ISN and TSval,
    the server with the client's own, so
      server → client: seq += seq_delta, TSval += ts_delta, window from
                       the server's shift to the one we advertised;
      client → server: ack and SACK edges -= seq_delta, TSecr -=
                       ts_delta, window from the client's shift to the
                       one the server agreed to (0 when it refused)."""

    def __init__(self, cookie_isn, our_ts, srv_synack, co, ws_ours):
        t = srv_synack[TCP]
        self.seq_delta = (cookie_isn - t.seq) & U32
        srv_ts = opt(srv_synack, "Timestamp")
        self.ts = co.ts and srv_ts is not None
        self.ts_delta = (our_ts - srv_ts[0]) & U32 if self.ts else 0
        srv_ws = opt(srv_synack, "WScale")
        # RFC 7323 §2.2: scaling only when both SYNs carry the option.
        both = co.ws is not None and srv_ws is not None
        self.ws_server = min(srv_ws, 14) if both else 0
        self.ws_client_srv = co.ws if both else 0
        self.ws_client = co.ws or 0
        self.ws_ours = ws_ours


def patched(frame, fn):
    """`frame` with fn(tcp) applied and its TCP checksum recomputed."""
    p = Ether(bytes(frame))
    del p[TCP].chksum
    assert bytes(raw(p)) == bytes(frame), "scapy must rebuild it exactly"
    fn(p[TCP])
    out = raw(p)
    assert len(out) == len(frame)
    return out


def to_server(frame, x):
    def fn(t):
        if t.flags.A:
            t.ack = (t.ack - x.seq_delta) & U32
        o = []
        for k, v in t.options:
            if k == "SAck":
                v = tuple((e - x.seq_delta) & U32 for e in v)
            elif k == "Timestamp" and x.ts:
                v = (v[0], (v[1] - x.ts_delta) & U32)
            o.append((k, v))
        t.options = o
        if not t.flags.S:
            t.window = rescale(t.window, x.ws_client, x.ws_client_srv)
    return patched(frame, fn)


def to_client(frame, x):
    def fn(t):
        t.seq = (t.seq + x.seq_delta) & U32
        o = []
        for k, v in t.options:
            if k == "Timestamp" and x.ts:
                v = ((v[0] + x.ts_delta) & U32, v[1])
            o.append((k, v))
        t.options = o
        if not t.flags.S:
            t.window = rescale(t.window, x.ws_server, x.ws_ours)
    return patched(frame, fn)


def reply_l2(frame):
    """The sender's L2 header turned round: MACs swapped, tags kept."""
    l2 = l2_of(frame)
    l2.src, l2.dst = frame.dst, frame.src
    return l2


def reply_l3(frame):
    """Addresses swapped, a fresh header: what synwall's own replies
    carry (TTL from [syncookie] ttl, IPv4 ID 0 with DF, no DSCP)."""
    if IPv6 in frame:
        return IPv6(src=frame[IPv6].dst, dst=frame[IPv6].src, hlim=TTL,
                    tc=0, fl=0)
    return IP(src=frame[IP].dst, dst=frame[IP].src, ttl=TTL, id=0,
              flags="DF", tos=0)


def rst_reply(frame):
    """The RST that answers `frame` (RFC 9293 §3.10.7.1): it has ACK, so
    seq = its ack, no ACK flag, no options, window 0."""
    t = frame[TCP]
    assert t.flags.A
    return raw(reply_l2(frame) / reply_l3(frame) /
               TCP(sport=t.dport, dport=t.sport, flags="R", seq=t.ack,
                   ack=0, window=0))


def ack_reply(frame, seq, ack, window, ts=None):
    """A bare ACK back to the sender of `frame` (RFC 5961 challenge
    ACK), with NOP NOP Timestamp when ts = (TSval, TSecr)."""
    t = frame[TCP]
    o = [("NOP", None), ("NOP", None), ("Timestamp", ts)] if ts else []
    return raw(reply_l2(frame) / reply_l3(frame) /
               TCP(sport=t.dport, dport=t.sport, flags="A", seq=seq & U32,
                   ack=ack & U32, window=window, options=o))


class End:
    """One TCP end, as it sends: addresses, next seq, what it
    acknowledges, its timestamp clock and what it echoes."""

    def __init__(self, v6, client, sport, dport, isn, ts, win, ipid=0x4000,
                 fl=0, vlan=None):
        self.v6, self.sport, self.dport = v6, sport, dport
        self.vlan = vlan
        if client:
            self.mac, self.peer_mac = CLIENT_MAC, SERVER_MAC
            self.addr = CLIENT6 if v6 else CLIENT4
            self.peer = SERVER6 if v6 else SERVER4
        else:
            self.mac, self.peer_mac = SERVER_MAC, CLIENT_MAC
            self.addr = SERVER6 if v6 else SERVER4
            self.peer = CLIENT6 if v6 else CLIENT4
        self.nxt, self.rcv = isn & U32, 0
        self.tsval, self.ts_recent = ts, 0
        self.win, self.ipid, self.fl = win, ipid, fl

    def seg(self, flags, data=b"", win=None, options=None, sack=None,
            seq=None, ack=None, ts=True):
        """The next segment: Linux's layout (NOP NOP Timestamp, then
        NOP NOP SACK) unless `options` says otherwise."""
        if options is None:
            options = []
            if ts:
                options += [("NOP", None), ("NOP", None),
                            ("Timestamp", (self.tsval, self.ts_recent))]
            if sack:
                options += [("NOP", None), ("NOP", None), ("SAck", sack)]
        if self.v6:
            ip = IPv6(src=self.addr, dst=self.peer, fl=self.fl, hlim=64)
        else:
            ip = IP(src=self.addr, dst=self.peer, id=self.ipid, flags="DF",
                    ttl=64)
            self.ipid += 1
        l2 = Ether(src=self.mac, dst=self.peer_mac)
        if self.vlan is not None:
            l2 = l2 / Dot1Q(vlan=self.vlan)
        f = raw(l2 / ip /
                TCP(sport=self.sport, dport=self.dport, flags=flags,
                    seq=self.nxt if seq is None else seq & U32,
                    ack=(self.rcv if ack is None else ack & U32)
                    if "A" in flags else 0,
                    window=self.win if win is None else win,
                    options=options) /
                (Raw(data) if data else b""))
        if seq is None:
            self.nxt = (self.nxt + seg_len(f)) & U32
        self.tsval = (self.tsval + 3) & U32
        return f

    def got(self, frame):
        """`frame` (as this end sees it) arrived, in order."""
        t = frame[TCP]
        self.rcv = (t.seq + seg_len(frame)) & U32
        ts = opt(frame, "Timestamp")
        if ts is not None:
            self.ts_recent = ts[0]


def describe(f):
    ip = f[IPv6] if IPv6 in f else f[IP]
    if TCP not in f:
        icmp = bytes(ip.payload)
        q = icmp[8:]
        tcp = 40 if IPv6 in f else (q[0] & 0xF) * 4
        return "%s > %s ICMP type %d code %d quoting %d > %d seq %d" % (
            ip.src, ip.dst, icmp[0], icmp[1],
            *struct.unpack(">HHI", q[tcp:tcp + 8]))
    t = f[TCP]
    s = "%s.%d > %s.%d %s seq %d" % (ip.src, t.sport, ip.dst, t.dport,
                                      t.flags, t.seq)
    if t.flags.A:
        s += " ack %d" % t.ack
    s += " win %d" % t.window
    ts = opt(f, "Timestamp")
    if ts is not None:
        s += " ts %d/%d" % ts
    sack = opt(f, "SAck")
    if sack is not None:
        s += " sack %s" % "-".join("%d" % e for e in sack)
    if len(bytes(t.payload)):
        s += " len %d" % len(bytes(t.payload))
    return s


FLOW_COUNTERS = ("active created established backend_syn_tx "
                 "backend_syn_retx backend_timeout backend_rst held "
                 "held_dropped table_full to_server_pkts to_server_bytes "
                 "to_client_pkts to_client_bytes challenge_ack_tx reset "
                 "closed idle_timeout freed steered rst_tx "
                 "icmp_relayed backend_probe backend_restart "
                 "options_refused ptb_tx probe_tx probe_held "
                 "probe_learned probe_refused probe_retx probe_timeout "
                 "pp_header_tx pp_header_retx").split()

SCRIPT_CONF = """; written by tests/component/gen_vectors.py
[synwall]
unprotected = pass
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
flows = 1024
flows6 = 1024
steering = {steering}
[flow]
hold = {hold}
established_timeout = {established_timeout}
syn_timeout_ms = {syn_timeout_ms}
syn_retries = {syn_retries}
linger_ms = {linger_ms}
; first contact is timed by the scenario, not by a refresh
learn_refresh_ms = 0
[syncookie]
ttl = {ttl}
window = {window}
"""


class Script:
    """A scenario as steps: NAME.pcap holds every frame in order;
    NAME.steps says for each whether it goes in (port, queue) or must
    come out, and which counters to check after a step; NAME.expect
    holds the counters at the end (test_forward.c reads them)."""

    def __init__(self, name, doc, workers=1):
        self.name, self.workers = name, workers
        self.frames = []
        self.lines = ["# written by tests/component/gen_vectors.py"]
        self.lines += ["# " + l for l in doc.strip().splitlines()]
        if workers > 1:
            self.lines.append("workers %d" % workers)
        self.c = {k: 0 for k in ("outside.rx_pkts", "outside.rx_bytes",
                                 "inside.rx_pkts", "inside.rx_bytes",
                                 "outside.tx_pkts", "outside.tx_bytes",
                                 "inside.tx_pkts", "inside.tx_bytes",
                                 "protected_pkts", "drop.tx_full")}
        self.c.update({"flow." + k: 0 for k in FLOW_COUNTERS})

    def step(self, name, why, wait=0):
        self.lines += ["", "# " + why]
        self.lines.append("step %s%s" % (name, " wait %d" % wait if wait
                                         else ""))

    def send(self, side, frame, queue=0):
        """`frame` goes in on `side` (a segment to or from the service)."""
        self.frames.append(frame)
        q = " %d" % queue if self.workers > 1 else ""
        self.lines.append("in %s%s\t# %s" % (side, q, describe(frame)))
        self.c[side + ".rx_pkts"] += 1
        self.c[side + ".rx_bytes"] += len(frame)
        self.c["protected_pkts"] += 1

    def out(self, side, frame, relayed=False):
        """`frame` must leave by `side`; `relayed`: a translated segment
        of the flow (flow.to_server_* / to_client_*)."""
        self.frames.append(frame)
        self.lines.append("out %s\t# %s" % (side, describe(frame)))
        self.c[side + ".tx_pkts"] += 1
        self.c[side + ".tx_bytes"] += len(frame)
        if relayed:
            d = "to_server" if side == "inside" else "to_client"
            self.c["flow.%s_pkts" % d] += 1
            self.c["flow.%s_bytes" % d] += len(frame)

    def check(self, **counters):
        """Counters after this step (dots spelled as __)."""
        for k, v in sorted(counters.items()):
            self.lines.append("expect %s %d" % (k.replace("__", "."), v))

    def count(self, **counters):
        for k, v in counters.items():
            k = k.replace("__", ".")
            self.c[k] = self.c.get(k, 0) + v

    def write(self, steering="auto", syn_timeout_ms=5000, syn_retries=3,
              linger_ms=60000, hold=8, established_timeout=600,
              services=None):
        services = services or {"web": WEB}
        with open(os.path.join(OUT, self.name + ".conf"), "w") as fh:
            fh.write(SCRIPT_CONF.format(
                steering=steering, syn_timeout_ms=syn_timeout_ms,
                syn_retries=syn_retries, linger_ms=linger_ms, hold=hold,
                established_timeout=established_timeout, ttl=TTL,
                window=WINDOW))
            for sname, svc in services.items():
                fh.write(svc.conf(sname))
        write_keys(self.name)
        save(self.name + ".pcap", self.frames)
        with open(os.path.join(OUT, self.name + ".steps"), "w") as fh:
            fh.write("\n".join(self.lines) + "\n")
        write_expect(self.name, self.c)


def linux_syn_opts(v6, tsval):
    o = [("MSS", 1440 if v6 else 1460), ("SAckOK", b""),
         ("Timestamp", (tsval, 0)), ("NOP", None), ("WScale", 7)]
    return o


def server_synack_opts(end, v6, ws=7, sack=True, ts=True, mss=None):
    """A Linux server's SYN-ACK options (MSS, SAckOK, TS, NOP, WS), or
    fewer. The MSS is the service's, so that what synwall learns from
    this SYN-ACK changes no later SYN-ACK of the scenario."""
    o = [("MSS", mss or (WEB.mss6 if v6 else WEB.mss))]
    if ts:
        o += [("SAckOK", b"")] if sack else [("NOP", None), ("NOP", None)]
        o += [("Timestamp", (end.tsval, end.ts_recent))]
    elif sack:
        o += [("NOP", None), ("NOP", None), ("SAckOK", b"")]
    if ws is not None:
        o += [("NOP", None), ("WScale", ws)]
    return o


class Conn:
    """One connection through synwall: the client, the server, and the
    scenario steps every exchange starts with."""

    def __init__(self, sc, v6, cport, c_isn, s_isn, c_ts=1000000,
                 s_ts=3000000000, srv_ws=7, srv_sack=True, srv_ts=True,
                 cq=0, sq=0, fl=0, vlan=None, port=80):
        self.sc, self.v6, self.cq, self.sq = sc, v6, cq, sq
        self.cli = End(v6, True, cport, port, c_isn, c_ts, 502,
                       ipid=0x1000, fl=fl, vlan=vlan)
        self.srv = End(v6, False, port, cport, s_isn, s_ts, 509,
                       ipid=0x7000, fl=fl ^ 0x11111, vlan=vlan)
        self.srv_ws, self.srv_sack, self.srv_ts = srv_ws, srv_sack, srv_ts
        self.srv_mss = None         # the service's, unless set
        self.x = None

    # what each end sends, and what synwall must make of it

    def c_send(self, frame):
        self.sc.send("outside", frame, self.cq)

    def s_send(self, frame):
        self.sc.send("inside", frame, self.sq)

    def c2s(self, frame):
        """A client segment relayed: the server receives it translated."""
        self.c_send(frame)
        out = to_server(frame, self.x)
        self.sc.out("inside", out, relayed=True)
        self.srv.got(out)
        return out

    def s2c(self, frame):
        """A server segment relayed: the client receives it translated."""
        self.s_send(frame)
        out = to_client(frame, self.x)
        self.sc.out("outside", out, relayed=True)
        self.cli.got(out)
        return out

    def syn(self):
        """Client SYN; synwall answers with its cookie."""
        c = self.cli
        self.syn_frame = c.seg("S", win=64240,
                               options=linux_syn_opts(self.v6, c.tsval))
        self.c_send(self.syn_frame)
        self.synack = synack(self.syn_frame)
        self.sc.out("outside", self.synack)
        self.cookie = self.synack[TCP].seq
        self.our_ts = opt(self.synack, "Timestamp")[0]
        self.co = decoded(self.syn_frame)
        c.got(self.synack)
        self.sc.count(syncookie__syn_rx=1, syncookie__synack_tx=1)

    def third_ack(self, data=b""):
        """The client's ACK (or, lost that, its first data segment):
        a valid cookie, so a flow and the backend SYN."""
        a = self.cli.seg("PA" if data else "A", data)
        self.c_send(a)
        self.first = a
        self.bsyn = backend_syn(a, self.co)
        self.sc.out("inside", self.bsyn)
        self.srv.got(self.bsyn)
        self.held = [a]
        self.sc.count(syncookie__cookie_ok=1, flow__created=1,
                      flow__held=1, flow__backend_syn_tx=1)
        return a

    def hold(self, frame):
        """A client segment while the backend SYN is out: held."""
        self.c_send(frame)
        self.held.append(frame)
        self.sc.count(flow__held=1)

    def server_synack(self, win=65160):
        """The server answers; the held segments go to it, translated."""
        s = self.srv
        sa = s.seg("SA", win=win,
                   options=server_synack_opts(s, self.v6, self.srv_ws,
                                              self.srv_sack, self.srv_ts,
                                              self.srv_mss))
        self.s_send(sa)
        self.x = Xlate(self.cookie, self.our_ts, sa, self.co,
                       WEB.wscale if self.co.ws is not None else 0)
        for h in self.held:
            out = to_server(h, self.x)
            self.sc.out("inside", out, relayed=True)
            s.got(out)
        # The released ACK is what the server's SYN-ACK asked for.
        t = to_server(self.first, self.x)[TCP]
        assert t.ack == (sa[TCP].seq + 1) & U32
        if self.x.ts:
            assert opt(to_server(self.first, self.x),
                       "Timestamp")[1] == opt(sa, "Timestamp")[0]
        self.sc.count(flow__established=1)
        return sa

    def establish(self, data=b"", tag="", synack_win=65160):
        self.sc.step("syn" + tag, "the client's SYN: a SYN-ACK with a "
                     "cookie")
        self.syn()
        self.sc.step("third_ack" + tag, "a valid cookie: a flow, a backend "
                     "SYN with the client's ISN and options")
        self.third_ack(data)
        self.sc.check(flow__created=self.sc.c["flow.created"],
                      flow__backend_syn_tx=self.sc.c["flow.backend_syn_tx"])
        self.sc.step("server_synack" + tag, "the server's SYN-ACK releases "
                     "what was held, translated")
        self.server_synack(synack_win)
        self.sc.check(flow__established=self.sc.c["flow.established"])


REQUEST = b"GET / HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n"


def body(n, seed):
    return bytes((seed + i) % 26 + 97 for i in range(n))


def handshake(v6):
    """(a) A whole exchange between Linux-like ends: handshake, a request
    sent before the server answered (held, then released), a response
    in three segments whose sequence numbers wrap, one lost after
    synwall and recovered with SACK. IPv4: the server's shift (9)
    differs from ours (7), so its windows are rescaled, once up to the
    65535 cap. IPv6: same shifts, and a client segment with its
    options at odd offsets (incremental checksum updates at odd
    offsets)."""
    name = "handshake6" if v6 else "handshake4"
    sc = Script(name, handshake.__doc__)
    cn = Conn(sc, v6, 40100 if not v6 else 40600,
              c_isn=0x12345678 if not v6 else 0xFFFFFFC0,
              s_isn=0xFFFFFF00 if not v6 else 0x0BADCAFE,
              srv_ws=7 if v6 else 9, fl=0xBEEF1 if v6 else 0)
    cli, srv = cn.cli, cn.srv
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.check(syncookie__synack_tx=1)
    sc.step("third_ack", "a valid cookie: a flow, a backend SYN with the "
            "client's ISN and options")
    cn.third_ack()
    sc.check(flow__created=1, flow__active=1, flow__backend_syn_tx=1)
    sc.step("early_request", "data before the server answered: held")
    cn.hold(cli.seg("PA", REQUEST))
    sc.check(flow__held=2, inside__tx_pkts=1)
    sc.step("server_synack", "the server's SYN-ACK releases the ACK and "
            "the request, in order")
    cn.server_synack()
    sc.check(flow__established=1, flow__to_server_pkts=2)

    sc.step("response", "the server acks, then answers in three "
            "segments (the last with a large window)")
    srv.win = 2000 if not v6 else 509
    cn.s2c(srv.seg("A"))
    seg1 = srv.seg("A", body(200, 0))
    seg2 = srv.seg("A", body(200, 1))
    seg3 = srv.seg("PA", body(100, 2), win=20000)
    o1 = cn.s2c(seg1)
    # seg2 is relayed, then lost between synwall and the client.
    sc.send("inside", seg2, cn.sq)
    sc.out("outside", to_client(seg2, cn.x), relayed=True)
    o3 = cn.s2c(seg3)
    cli.rcv = (o1[TCP].seq + 200) & U32      # it has seg1 only

    sc.step("sack", "the client acks seg1 and SACKs seg3: edges "
            "translated")
    l3, r3 = o3[TCP].seq, (o3[TCP].seq + 100) & U32
    if v6:
        # Odd offsets: NOP SACK NOP Timestamp (EOL-padded).
        d = cli.seg("A", options=[("NOP", None), ("SAck", (l3, r3)),
                                  ("NOP", None),
                                  ("Timestamp", (cli.tsval,
                                                 cli.ts_recent))])
    else:
        d = cli.seg("A", sack=(l3, r3))
    s = cn.c2s(d)
    assert opt(s, "SAck") == ((seg3[TCP].seq) & U32,
                              (seg3[TCP].seq + 100) & U32)
    sc.step("retransmit", "the server resends seg2; the client acks all")
    srv.nxt = seg2[TCP].seq
    cn.s2c(srv.seg("A", body(200, 1)))
    srv.nxt = (seg3[TCP].seq + 100) & U32
    cli.rcv = r3
    cn.c2s(cli.seg("A"))
    sc.check(flow__to_client_pkts=5, flow__to_server_pkts=4,
             flow__active=1)
    sc.count(flow__active=1)
    sc.write()


def lost_ack():
    """(b) The client's third ACK is lost: its first data segment (ack =
    cookie + 1) opens the flow, makes the backend SYN and is delivered
    once the server answers. The server does not scale windows (no
    window scale in its SYN-ACK): the client's windows reach it in
    bytes (at most 65535), its own reach the client in units of our
    shift (RFC 7323 §2.2)."""
    sc = Script("lost_ack", lost_ack.__doc__)
    cn = Conn(sc, False, 40200, c_isn=10000, s_isn=20000, srv_ws=None)
    cli, srv = cn.cli, cn.srv
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("first_data", "no third ACK: the request itself carries the "
            "cookie")
    cli.seg("A")                    # the lost ACK (its TSval used up)
    cn.third_ack(REQUEST)
    sc.check(flow__created=1, flow__held=1, flow__backend_syn_tx=1)
    sc.step("server_synack", "the server answers: the request goes to it")
    cn.server_synack()
    assert cn.x.ws_server == 0 and cn.x.ws_client_srv == 0
    sc.step("response", "the server's window, 29200 bytes, in units of "
            "2^7")
    srv.win = 29200
    r = cn.s2c(srv.seg("PA", body(300, 5)))
    assert r[TCP].window == (29200 + 127) >> 7     # rounded up: 229
    sc.step("ack", "the client's window, 1000 << 7 bytes: capped at "
            "65535")
    s = cn.c2s(cli.seg("A", win=1000))
    assert s[TCP].window == 65535
    sc.check(flow__established=1, flow__to_server_pkts=2,
             flow__to_client_pkts=1)
    sc.count(flow__active=1)
    sc.write()


def dup_ack():
    """(c) The third ACK arrives twice while the backend SYN is out: one
    flow, one backend SYN, the copy dropped (drop.dup_ack). A third copy
    once the flow is up is an ordinary duplicate ACK: relayed. The
    server then sends its SYN-ACK again (as if the released ACK were
    lost): RFC 5961 §4.2, synwall answers for the client with the ACK
    it would send (seq = SND.NXT, ack = RCV.NXT). All of it on VLAN
    100: tags are kept on every frame synwall sends."""
    sc = Script("dup_ack", dup_ack.__doc__)
    cn = Conn(sc, False, 40300, c_isn=0x80000000, s_isn=0x7FFFFFFF,
              vlan=100)
    cli, srv = cn.cli, cn.srv
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("third_ack", "a valid cookie: a flow, a backend SYN")
    a = cn.third_ack()
    sc.step("dup", "the same ACK again: dropped, no second SYN")
    sc.send("outside", a)
    sc.count(drop__dup_ack=1)
    sc.check(flow__created=1, flow__backend_syn_tx=1, flow__held=1,
             drop__dup_ack=1)
    sc.step("server_synack", "the server answers: one ACK released")
    sa = cn.server_synack()
    sc.step("late_dup", "the same ACK once more: relayed like any "
            "duplicate ACK")
    cn.c2s(a)
    sc.step("synack_again", "the server's SYN-ACK again: the client's "
            "ACK, from synwall")
    sc.send("inside", sa)
    sc.out("inside", ack_reply(sa, seq=cli.nxt, ack=srv.nxt, window=502,
                               ts=(opt(a, "Timestamp")[0],
                                   opt(sa, "Timestamp")[0])))
    sc.count(flow__challenge_ack_tx=1)
    sc.step("exchange", "data both ways")
    cn.c2s(cli.seg("PA", REQUEST))
    cn.s2c(srv.seg("PA", body(100, 3)))
    sc.count(flow__active=1)
    sc.write()


def backend_rst():
    """(d) The server refuses the backend SYN. RSTs that do not
    acknowledge the SYN are dropped (RFC 9293 §3.10.7.3); the one that
    does makes synwall reset the client in the server's name: the RST
    answering the held ACK (seq = its ack), and the flow is freed."""
    sc = Script("backend_rst", backend_rst.__doc__)
    cn = Conn(sc, False, 40400, c_isn=5000, s_isn=0)
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("third_ack", "a valid cookie: a flow, a backend SYN")
    a = cn.third_ack()
    srv = cn.srv
    sc.step("bogus_rst", "RST+ACK with the wrong ack, RST without ACK: "
            "dropped")
    sc.send("inside", srv.seg("RA", seq=0, ack=srv.rcv + 1000, win=0,
                              ts=False))
    sc.send("inside", srv.seg("R", seq=srv.rcv, win=0, ts=False))
    sc.count(drop__rst_window=2)
    sc.check(drop__rst_window=2, flow__active=1)
    sc.step("old_ack", "the ACK of the tuple's previous connection (a "
            "TIME_WAIT with no listener): RST at its ack, to the server")
    old = srv.seg("A", seq=srv.rcv + 7000, ack=(5000 - 90000) & U32,
                  win=502, ts=False)
    sc.send("inside", old)
    sc.out("inside", rst_reply(old))
    sc.count(flow__old_ack_rst=1)
    sc.check(flow__old_ack_rst=1, flow__active=1)
    sc.step("server_rst", "the server's RST+ACK for our SYN: RST to the "
            "client, flow freed")
    sc.send("inside", srv.seg("RA", seq=0, win=0, ts=False))
    rst = rst_reply(a)
    assert rst[TCP].seq == (cn.cookie + 1) & U32
    sc.out("outside", rst)
    sc.count(flow__backend_rst=1, flow__rst_tx=1, flow__freed=1)
    sc.check(flow__backend_rst=1, flow__rst_tx=1, flow__active=0,
             flow__freed=1)
    sc.write()


def backend_timeout():
    """(e) The server never answers: with syn_timeout_ms = 20 and
    syn_retries = 2 the backend SYN goes out three times (20, 40 ms
    back-off), then the client is reset (the RST answering its held
    ACK) and the flow freed."""
    sc = Script("backend_timeout", backend_timeout.__doc__)
    cn = Conn(sc, True, 40500, c_isn=777, s_isn=0, fl=0x12345)
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("third_ack", "a valid cookie; then silence: 3 SYNs, a RST",
            wait=400)
    a = cn.third_ack()
    sc.out("inside", cn.bsyn)
    sc.out("inside", cn.bsyn)
    sc.out("outside", rst_reply(a))
    sc.count(flow__backend_syn_retx=2, flow__backend_timeout=1,
             flow__rst_tx=1, flow__freed=1)
    sc.check(flow__backend_syn_tx=1, flow__backend_syn_retx=2,
             flow__backend_timeout=1, flow__rst_tx=1, flow__active=0)
    sc.write(syn_timeout_ms=20, syn_retries=2)


def rst_challenge():
    """(f) RFC 5961 §3.2 on a relayed flow. A forged RST inside the
    window, from either side, gets a challenge ACK carrying what the end
    synwall stands in for expects next (seq = its SND.NXT, ack = its
    RCV.NXT, its window and timestamps in the receiver's space), and
    the flow lives on; one outside the window is dropped; the client's
    RST at exactly the expected seq is relayed and resets the flow;
    nothing passes after it."""
    sc = Script("rst_challenge", rst_challenge.__doc__)
    cn = Conn(sc, False, 40700, c_isn=0xDEADBEEF, s_isn=0x01020304,
              srv_ws=9)
    cli, srv = cn.cli, cn.srv
    cn.establish()
    sc.step("exchange", "a request and its response")
    cn.c2s(cli.seg("PA", REQUEST))
    srv.win = 2000
    cn.s2c(srv.seg("PA", body(500, 7)))
    last_srv_ts = (srv.tsval - 3) & U32
    cn.c2s(cli.seg("A"))
    last_cli_ts = (cli.tsval - 3) & U32
    x = cn.x

    sc.step("forged_rst", "a blind RST, in the window but not exact: "
            "challenge ACK to the client")
    forged = cli.seg("R", seq=cli.nxt + 5000, win=0, ts=False)
    sc.send("outside", forged)
    sc.out("outside", ack_reply(
        forged, seq=cli.rcv, ack=cli.nxt,
        window=rescale(2000, x.ws_server, x.ws_ours),
        ts=((last_srv_ts + x.ts_delta) & U32, last_cli_ts)))
    sc.count(flow__challenge_ack_tx=1)
    sc.check(flow__challenge_ack_tx=1, flow__active=1, flow__reset=0)
    sc.step("far_rst", "a RST far outside the window: dropped")
    sc.send("outside", cli.seg("R", seq=cli.nxt + 0x40000000, win=0,
                               ts=False))
    sc.count(drop__rst_window=1)
    sc.check(drop__rst_window=1)
    sc.step("forged_rst_inside", "a blind RST towards the client, from "
            "the server's side: challenge ACK to the server")
    forged = srv.seg("R", seq=srv.nxt + 1000, win=0, ts=False)
    sc.send("inside", forged)
    sc.out("inside", ack_reply(
        forged, seq=cli.nxt, ack=srv.nxt,
        window=rescale(cli.win, x.ws_client, x.ws_client_srv),
        ts=(last_cli_ts, last_srv_ts)))
    sc.count(flow__challenge_ack_tx=1)
    sc.step("still_up", "the flow survived: data both ways")
    cn.c2s(cli.seg("PA", REQUEST))
    cn.s2c(srv.seg("PA", body(50, 9)))
    sc.step("syn_on_flow", "a SYN on the tuple (the client forgot the "
            "connection): challenge ACK (RFC 5961 §4.2)")
    last_cli_ts = (cli.tsval - 3) & U32
    last_srv_ts = (srv.tsval - 3) & U32
    syn = cli.seg("S", seq=0x31337, win=64240,
                  options=linux_syn_opts(False, cli.tsval))
    sc.send("outside", syn)
    sc.out("outside", ack_reply(
        syn, seq=cli.rcv, ack=cli.nxt,
        window=rescale(srv.win, x.ws_server, x.ws_ours),
        ts=((last_srv_ts + x.ts_delta) & U32, last_cli_ts)))
    sc.count(flow__challenge_ack_tx=1)
    sc.step("exact_rst", "the client's RST at exactly the challenge's "
            "ack: relayed, the flow is reset")
    cn.c2s(cli.seg("RA", win=0))
    sc.count(flow__reset=1)
    sc.check(flow__reset=1)
    sc.step("after_reset", "nothing of the flow passes any more")
    sc.send("inside", srv.seg("PA", body(10, 1)))
    sc.send("outside", cli.seg("A"))
    sc.count(drop__flow_state=2)
    sc.check(drop__flow_state=2)
    sc.step("new_syn", "a new SYN on the tuple: the reset flow is "
            "forgotten, the SYN answered with a cookie")
    cli.nxt = (cli.nxt + 0x10000) & U32
    cn.syn()
    sc.count(flow__freed=1)
    sc.check(flow__active=0, flow__freed=1)
    sc.write()


def hold_full():
    """[flow] hold = 2: while the backend SYN is out, synwall keeps the
    ACK and one more segment; the next is dropped (the client will
    retransmit it) and counted. The server's SYN-ACK releases the two
    kept, in order; the retransmission then passes."""
    sc = Script("hold_full", hold_full.__doc__)
    cn = Conn(sc, True, 41300, c_isn=9, s_isn=99, fl=0x54321)
    cli = cn.cli
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("third_ack", "a valid cookie: a flow, a backend SYN")
    cn.third_ack()
    sc.step("data", "two segments: the first held, the second dropped")
    cn.hold(cli.seg("A", body(100, 1)))
    seq2 = cli.nxt
    sc.send("outside", cli.seg("PA", body(50, 2)))
    sc.count(flow__held_dropped=1, drop__hold_full=1)
    sc.check(flow__held=2, flow__held_dropped=1, drop__hold_full=1)
    sc.step("server_synack", "the server answers: ACK and first segment "
            "released")
    cn.server_synack()
    sc.step("retransmit", "the client resends the dropped segment")
    cn.c2s(cli.seg("PA", body(50, 2), seq=seq2))
    sc.count(flow__active=1)
    sc.write(hold=2)


def idle_timeout():
    """[flow] established_timeout = 1: a flow with no segment for a
    second is forgotten (flow.idle_timeout); the client's next segment
    then finds no flow and, its numbers having moved on since the
    handshake, is a bad cookie. (Before any data it would be a valid
    one, already used: cookie_reused, see cookie_replay.)"""
    sc = Script("idle_timeout", idle_timeout.__doc__)
    cn = Conn(sc, False, 41400, c_isn=3, s_isn=4)
    cn.establish()
    sc.step("exchange", "a request and its response")
    cn.c2s(cn.cli.seg("PA", REQUEST))
    cn.s2c(cn.srv.seg("PA", body(64, 3)))
    sc.step("idle", "a second and a half of silence", wait=1500)
    sc.count(flow__idle_timeout=1, flow__freed=1)
    sc.check(flow__idle_timeout=1, flow__active=0, flow__freed=1)
    sc.step("late", "the client's data: no flow, a bad cookie")
    sc.send("outside", cn.cli.seg("PA", REQUEST))
    sc.count(syncookie__cookie_bad=1, drop__cookie_bad=1)
    sc.write(established_timeout=1)


ROUTER_OUT = ("02:00:00:00:00:01", "198.51.100.1", "2001:db8:1::1")
ROUTER_IN = ("02:00:00:00:00:02", "203.0.113.1", "2001:db8:2::1")


def icmp_error(router, dst_mac, dst, seg, v6):
    """A router's ICMP error about `seg` (as the router saw it) to the
    segment's source: fragmentation needed (MTU 1400) or, for IPv6,
    packet too big (1280), quoting the IP header, the TCP header and 8
    bytes of data (RFC 792, RFC 4443 §3.2)."""
    if v6:
        q = bytes(seg[IPv6])
        q = q[:40 + seg[TCP].dataofs * 4 + 8]
        return raw(Ether(src=router[0], dst=dst_mac) /
                   IPv6(src=router[2], dst=dst, hlim=64) /
                   ICMPv6PacketTooBig(mtu=1280) / Raw(q))
    q = bytes(seg[IP])
    q = q[:20 + seg[TCP].dataofs * 4 + 8]
    return raw(Ether(src=router[0], dst=dst_mac) /
               IP(src=router[1], dst=dst, ttl=64, id=0x3333) /
               ICMP(type=3, code=4, nexthopmtu=1400) / Raw(q))


def icmp_error_seq(frame, seq):
    """`frame` (from icmp_error) with the quoted sequence number
    replaced, the ICMP checksum recomputed in full."""
    p = Ether(bytes(frame))
    v6 = IPv6 in p
    outer = p[IPv6] if v6 else p[IP]
    icmp = bytes(outer.payload)
    quote = bytearray(icmp[8:])
    tcp = 40 if v6 else (quote[0] & 0xF) * 4
    quote[tcp + 4:tcp + 8] = struct.pack(">I", seq)
    if v6:
        return raw(Ether(src=p.src, dst=p.dst) /
                   IPv6(src=outer.src, dst=outer.dst, hlim=outer.hlim) /
                   ICMPv6PacketTooBig(mtu=1280) / Raw(bytes(quote)))
    return raw(Ether(src=p.src, dst=p.dst) /
               IP(src=outer.src, dst=outer.dst, ttl=outer.ttl,
                  id=outer.id) /
               ICMP(type=3, code=4, nexthopmtu=1400) / Raw(bytes(quote)))


def icmp():
    """ICMP errors about relayed flows (RFC 5927 §4.1: the receiver
    checks the quoted sequence number against its own space). One from
    outside about a server → client segment quotes it as the client saw
    it: synwall shifts the quoted seq back by the ISN offset and fixes
    the ICMP checksum, for IPv4 and IPv6 (whose sum covers a
    pseudo-header). One from inside about a client → server segment
    quotes the client's own numbers: relayed unchanged. One quoting a
    tuple with no flow is a blind guess: dropped."""
    sc = Script("icmp", icmp.__doc__)
    flows = []
    for v6, port in ((False, 41500), (True, 41600)):
        cn = Conn(sc, v6, port, c_isn=0x600D + port, s_isn=0xF00D0000 + port,
                  fl=0x77777 if v6 else 0)
        tag = "6" if v6 else "4"
        cn.establish(tag=tag)
        sc.step("exchange" + tag, "a request and a large response")
        req = cn.c2s(cn.cli.seg("PA", REQUEST))
        resp = cn.s2c(cn.srv.seg("A", body(1000, 2)))
        sc.step("icmp_outside" + tag, "a router outside: the response "
                "was too big; quoted seq shifted back")
        err = icmp_error(ROUTER_OUT, SERVER_MAC, SERVER6 if v6 else SERVER4,
                         resp, v6)
        sc.send("outside", err)
        back = icmp_error_seq(err, (resp[TCP].seq - cn.x.seq_delta) & U32)
        sc.out("inside", back)
        sc.count(flow__icmp_relayed=1)
        sc.step("icmp_inside" + tag, "a router inside: the request was "
                "too big; relayed as it is")
        err = icmp_error(ROUTER_IN, CLIENT_MAC, CLIENT6 if v6 else CLIENT4,
                         req, v6)
        sc.send("inside", err)
        sc.out("outside", err)
        sc.count(flow__icmp_relayed=1, flow__active=1)
        flows.append((cn, resp))
    sc.step("icmp_noflow", "about a tuple with no flow: dropped")
    cn, resp = flows[0]
    ghost = Ether(bytes(resp))
    ghost[TCP].dport = 999
    del ghost[TCP].chksum
    sc.send("outside", icmp_error(ROUTER_OUT, SERVER_MAC, SERVER4,
                                  raw(ghost), False))
    sc.count(drop__icmp_noflow=1)
    sc.check(flow__icmp_relayed=4, drop__icmp_noflow=1)
    sc.write()


def synack_window():
    """A SYN-ACK's window is never scaled (RFC 7323 §2.2): right after
    the server's SYN-ACK (window 65024, shift 9), before it sent
    anything else, its receive window is 65024 bytes. So a RST 100000
    past the client's next seq is outside it and dropped (RFC 5961
    §3.2), and the challenge ACK for one inside it offers the client
    65024 bytes in units of our shift 7: 508. (65024 is a multiple of
    2^9: the value is exact whether synwall keeps it in bytes or in
    units of the server's shift.)"""
    sc = Script("synack_window", synack_window.__doc__)
    cn = Conn(sc, False, 40900, c_isn=1, s_isn=2, srv_ws=9)
    cli = cn.cli
    cn.establish(synack_win=65024)
    sc.step("far_rst", "100000 past the client's seq: outside 65024")
    sc.send("outside", cli.seg("R", seq=cli.nxt + 100000, win=0, ts=False))
    sc.count(drop__rst_window=1)
    sc.check(drop__rst_window=1, flow__challenge_ack_tx=0)
    sc.step("near_rst", "5000 past: a challenge ACK, window 65024 >> 7")
    forged = cli.seg("R", seq=cli.nxt + 5000, win=0, ts=False)
    sc.send("outside", forged)
    sc.out("outside", ack_reply(
        forged, seq=cli.rcv, ack=cli.nxt, window=65024 >> 7,
        ts=(cn.our_ts, opt(cn.first, "Timestamp")[0])))
    sc.count(flow__challenge_ack_tx=1, flow__active=1)
    sc.write()


def relay_edges():
    """Relay corner cases (docs/handoff.md), each once broken:
    (1) a server whose shift (0) is below ours (7) offers 104 bytes: the
    client reads one unit, not a closed window (it would sit in persist
    while the server has room); window 0 stays 0.
    (5) a client ACK with two SACK options: every edge of both is
    translated, none reaches the server raw.
    (6) a client ACK for data the server never sent: dropped
    (drop.ack_unsent), the server never sees it.
    (4) client data lost between synwall and the server, then the
    client's RST at its SND.NXT: exact as synwall saw it, so relayed and
    the flow is reset; the server, missing the data, answers with a
    challenge ACK (RFC 5961 §3.2), which reaches the client, translated;
    the client's RST at exactly its ack reaches the server. Nothing else
    crosses."""
    sc = Script("relay_edges", relay_edges.__doc__)
    cn = Conn(sc, False, 41000, c_isn=0x7FFFFFF0, s_isn=0xFFFFFFF0,
              srv_ws=0)
    cli, srv = cn.cli, cn.srv
    cn.establish()
    x = cn.x
    assert x.ws_server == 0 and x.ws_ours == 7
    sc.step("small_window", "104 bytes open at shift 0: one unit of 128 "
            "for the client")
    srv.win = 104
    out = cn.s2c(srv.seg("A"))
    assert out[TCP].window == 1
    srv.win = 0
    out = cn.s2c(srv.seg("A"))
    assert out[TCP].window == 0
    srv.win = 20000
    sc.step("response", "400 bytes in four segments")
    for k in range(4):
        cn.s2c(srv.seg("PA", body(100, k)))
    sc.step("two_sack_options", "an ACK with two SACK options: all four "
            "edges translated")
    base = (cli.rcv - 400) & U32
    e1 = ((base + 100) & U32, (base + 200) & U32)
    e2 = ((base + 300) & U32, (base + 400) & U32)
    two = cli.seg("A", ack=(base + 100) & U32,
                  options=[("NOP", None), ("NOP", None),
                           ("Timestamp", (cli.tsval, cli.ts_recent)),
                           ("NOP", None), ("NOP", None), ("SAck", e1),
                           ("NOP", None), ("NOP", None), ("SAck", e2)])
    s = cn.c2s(two)
    got = [v for k, v in s[TCP].options if k == "SAck"]
    assert got == [tuple((e - x.seq_delta) & U32 for e in e1),
                   tuple((e - x.seq_delta) & U32 for e in e2)], got
    sc.step("ack_unsent", "an ACK 1000 bytes past what the server sent: "
            "dropped")
    sc.send("outside", cli.seg("A", ack=(cli.rcv + 1000) & U32))
    sc.count(drop__ack_unsent=1)
    sc.check(drop__ack_unsent=1)
    cn.c2s(cli.seg("A"))
    sc.step("lost_data", "40 bytes from the client, lost behind synwall")
    lost = cli.seg("PA", body(40, 9))
    sc.send("outside", lost)
    sc.out("inside", to_server(lost, x), relayed=True)
    sc.step("exact_rst", "the client's RST at its SND.NXT: relayed, the "
            "flow is reset")
    cn.c2s(cli.seg("R", win=0, ts=False))
    sc.count(flow__reset=1)
    sc.check(flow__reset=1)
    sc.step("challenge", "the server's challenge ACK (its RCV.NXT is "
            "before the lost data): relayed to the client")
    ch = cn.s2c(srv.seg("A"))
    sc.step("answer", "the client's RST at exactly that ack: relayed")
    cn.c2s(cli.seg("R", seq=ch[TCP].ack, win=0, ts=False))
    sc.step("nothing_else", "no data from the server, no ACK from the "
            "client")
    sc.send("inside", srv.seg("PA", body(10, 3)))
    sc.send("outside", cli.seg("A"))
    sc.count(drop__flow_state=2, flow__active=1)     # lingering
    sc.check(drop__flow_state=2, flow__reset=1)
    sc.write()


def cookie_replay():
    """A genuine third ACK replayed after its flow closed, while its
    cookie is still valid: the worker remembers the cookies it used
    (docs/cookies.md, "Replays"), so the replay is dropped
    (syncookie.cookie_reused, drop.cookie_reused) and no second
    backend SYN opens a server connection nobody uses. The same client
    port with a new SYN (a new ISN) is a new connection, answered."""
    sc = Script("cookie_replay", cookie_replay.__doc__)
    cn = Conn(sc, False, 41100, c_isn=0x0BADF00D, s_isn=77)
    cli, srv = cn.cli, cn.srv
    cn.establish()
    third = cn.first
    sc.step("exchange", "a request and its response")
    cn.c2s(cli.seg("PA", REQUEST))
    cn.s2c(srv.seg("PA", body(80, 5)))
    sc.step("close", "both FINs and the last ACK: closed")
    cn.c2s(cli.seg("FA"))
    cn.s2c(srv.seg("FA"))
    cn.c2s(cli.seg("A"))
    sc.count(flow__closed=1)
    sc.check(flow__closed=1)
    sc.step("linger", "linger_ms later the flow is gone", wait=100)
    sc.count(flow__freed=1)
    sc.check(flow__active=0, flow__freed=1)
    sc.step("replay", "the third ACK again: a valid cookie, already "
            "used: dropped, no backend SYN")
    sc.send("outside", third)
    sc.count(syncookie__cookie_reused=1, drop__cookie_reused=1)
    sc.check(syncookie__cookie_reused=1, drop__cookie_reused=1,
             flow__created=1, flow__backend_syn_tx=1, inside__tx_pkts=
             sc.c["inside.tx_pkts"])
    sc.step("new_connection", "a new SYN from the same port (new ISN): "
            "a new cookie, a new flow")
    cli.nxt = (cli.nxt + 0x20000) & U32
    cn.syn()
    cn.third_ack()
    sc.count(flow__active=1)
    sc.check(flow__created=2, flow__backend_syn_tx=2)
    sc.write(linger_ms=20)


def bare_rst(frame):
    """The client segment `frame` made a bare RST at its own seq (no
    ACK, options, payload; window 0), its IP header kept: what synwall
    sends a server whose SYN-RECEIVED it must end."""
    p = Ether(bytes(frame))
    t = p[TCP]
    t.flags, t.ack, t.window, t.urgptr, t.options = "R", 0, 0, 0, []
    t.remove_payload()
    del t.chksum, t.dataofs
    if IPv6 in p:
        del p[IPv6].plen
    else:
        del p[IP].len, p[IP].chksum
    return raw(p)


def probed(sc, c, svc, tag, old_ack=False):
    """A proven client's SYN to a server whose options are not all
    known: held, sent on as a probe; the server's SYN-ACK learned and
    answered with a RST at its ack; the held SYN answered promising
    what the server does; then the hand-off as usual. With `old_ack`,
    the tuple's previous connection (a TIME_WAIT) first answers the
    probe with its ACK: a RST at that ack, the probe still waits."""
    syn = c.cli.seg("S", win=64240,
                    options=linux_syn_opts(c.v6, c.cli.tsval))
    c.c_send(syn)
    sc.out("inside", syn)
    c.srv.got(syn)
    sc.count(syncookie__syn_rx=1, flow__probe_tx=1, flow__probe_held=1)
    if old_ack:
        sc.step("old_ack" + tag, "the ACK of the tuple's previous "
                "connection: a RST at its ack, the probe waits on")
        old = c.srv.seg("A", seq=c.srv.nxt + 5000, ack=c.cli.nxt - 7000,
                        win=501, ts=False)
        sc.send("inside", old)
        sc.out("inside", rst_reply(old))
        sc.count(flow__old_ack_rst=1)
    sc.step("probe_answer" + tag, "the server answers the probe: a RST "
            "at its ack, the held SYN answered with SACK and timestamps")
    psa = c.srv.seg("SA", win=64800,
                    options=server_synack_opts(c.srv, c.v6))
    c.s_send(psa)
    sc.out("inside", rst_reply(psa))
    sa = synack(syn, svc)
    assert opt(sa, "SAckOK") is not None and opt(sa, "Timestamp")
    sc.out("outside", sa)
    c.cli.got(sa)
    sc.count(syncookie__synack_tx=1, flow__probe_learned=1)
    c.syn_frame, c.synack, c.cookie = syn, sa, sa[TCP].seq
    c.our_ts = opt(sa, "Timestamp")[0]
    c.co = decoded(syn, svc)
    sc.step("third_ack" + tag, "the cookie ACK: the backend SYN offers "
            "the client's options, no backend probe")
    c.third_ack()
    sc.step("established" + tag, "the server's SYN-ACK (a new "
            "connection)")
    c.srv.nxt = (c.srv.nxt + 0x01000000) & U32
    c.server_synack()
    sc.count(flow__active=1, flow__consumed=1)


def first_contact():
    """[service] first_contact = probe (the default), docs/handoff.md,
    "Learning". (A) A client synwall has never seen (no handshake with
    it yet) asks for a server synwall knows nothing of: its SYN is
    answered at once, carefully, promising neither SACK nor timestamps
    (a client promised what the server refuses recovers from loss by
    timeouts only); no SYN of an unproven client ever reaches a server.
    Its backend SYN asks for SACK (flow.backend_probe; never for
    timestamps: it has no TSval of the client's to send); the server
    accepts: its half-open connection gets a bare RST at the
    client's ISN + 1 and a new backend SYN with the client's options
    only (flow.backend_restart); its answer establishes the flow, which
    relays without timestamps. The next client, from the proven
    address, is held while its SYN asks the server about timestamps
    (the backend SYN could not), then promised SACK and timestamps; its
    backend SYN offers exactly its options. The server then refuses
    SACK: that client lives with it (flow.options_refused);
    the next is not promised it, and within the same cookie slot no
    backend SYN asks again. (B) The client, proven now, asks for another
    server (port 81): its SYN is held and sent on as a probe
    (flow.probe_tx, probe_held); the server's SYN-ACK is learned and
    answered with a RST at its ack (the server forgets it), and the held
    SYN gets a SYN-ACK promising what the server does (probe_learned);
    an ACK the server sends first, of the tuple's previous connection
    (its TIME_WAIT), gets a RST at its ack (flow.old_ack_rst). (C) Port 82, whose server stays silent: after 200 ms the probe is
    sent again (probe_retx), after another 200 ms the held SYN is
    answered carefully (probe_timeout)."""
    web = Svc(80, trust=False)
    web81 = Svc(81, trust=False)
    web82 = Svc(82, trust=False)
    careful = Svc(80, sack=False, ts=False)     # what (A) is promised
    sc = Script("first_contact", first_contact.__doc__)
    sc.step("syn", "an unknown client, an unknown server: answered at "
            "once, MSS and window scale only")
    cn = Conn(sc, False, 41200, c_isn=0x11111111, s_isn=0x22222222)
    cli, srv = cn.cli, cn.srv
    syn = cli.seg("S", win=64240, options=linux_syn_opts(False, cli.tsval))
    cn.c_send(syn)
    sa = synack(syn, careful)
    assert opt(sa, "SAckOK") is None and opt(sa, "Timestamp") is None
    sc.out("outside", sa)
    cli.got(sa)
    sc.count(syncookie__syn_rx=1, syncookie__synack_tx=1)
    sc.check(flow__probe_tx=0)
    co = decoded(syn, careful)
    sc.step("third_ack", "the cookie ACK: a backend SYN that asks for "
            "SACK too")
    a = cli.seg("A", ts=False)
    cn.c_send(a)
    probe = Decoded(co.mss, co.ws, True, False, False)
    b1 = backend_syn(a, probe)
    sc.out("inside", b1)
    srv.got(b1)
    sc.count(syncookie__cookie_ok=1, flow__created=1, flow__held=1,
             flow__backend_syn_tx=1, flow__backend_probe=1)
    sc.check(flow__backend_probe=1)
    sc.step("restart", "the server agrees: RST its half-open connection, "
            "SYN again with the client's options")
    sa1 = srv.seg("SA", win=65160,
                  options=server_synack_opts(srv, False, ts=False))
    cn.s_send(sa1)
    sc.out("inside", bare_rst(a))
    b2 = backend_syn(a, co)
    assert opt(b2, "SAckOK") is None and opt(b2, "Timestamp") is None
    sc.out("inside", b2)
    sc.count(flow__backend_restart=1,
             flow__consumed=1, flow__to_server_pkts=1,
             flow__to_server_bytes=len(bare_rst(a)))
    sc.check(flow__backend_restart=1, flow__established=0)
    sc.step("established", "its answer to the client's options: the "
            "held ACK released, no timestamps on either leg")
    srv.nxt = 0x33333333
    sa2 = srv.seg("SA", win=65160,
                  options=server_synack_opts(srv, False, sack=False,
                                             ts=False))
    cn.s_send(sa2)
    cn.x = Xlate(sa[TCP].seq, 0, sa2, co, web.wscale)
    out = to_server(a, cn.x)
    sc.out("inside", out, relayed=True)
    srv.got(out)
    sc.count(flow__established=1, flow__consumed=1, flow__active=1)
    cn.c2s(cli.seg("PA", REQUEST, ts=False))
    cn.s2c(srv.seg("PA", body(100, 1), ts=False))

    sc.step("learned", "the next client, from the proven address: the "
            "server has not said whether it does timestamps (the backend "
            "SYN could not ask): its SYN is held and probed")
    probed(sc, Conn(sc, False, 41201, c_isn=0x44444444, s_isn=0x55555555),
               web, "_2")
    sc.check(flow__backend_probe=1, flow__backend_restart=1,
             flow__probe_tx=1, flow__probe_learned=1)

    sc.step("refused", "the server turned SACK off: this client keeps "
            "its promise, counted")
    c3 = Conn(sc, False, 41202, c_isn=0x66666666, s_isn=0x77777777,
              srv_sack=False)
    c3.establish(tag="_3")
    sc.count(flow__options_refused=1, flow__active=1)
    sc.check(flow__options_refused=1)
    sc.step("not_promised", "the next client is not promised SACK; no "
            "probe in the same slot")
    c4 = Conn(sc, False, 41203, c_isn=0x88888888, s_isn=0x99999999,
              srv_sack=False)
    c4_svc = Svc(80, sack=False)
    syn4 = c4.cli.seg("S", win=64240,
                      options=linux_syn_opts(False, c4.cli.tsval))
    c4.c_send(syn4)
    sa4 = synack(syn4, c4_svc)
    assert opt(sa4, "SAckOK") is None
    sc.out("outside", sa4)
    c4.cli.got(sa4)
    sc.count(syncookie__syn_rx=1, syncookie__synack_tx=1)
    c4.syn_frame, c4.synack, c4.cookie = syn4, sa4, sa4[TCP].seq
    c4.our_ts = opt(sa4, "Timestamp")[0]
    c4.co = decoded(syn4, c4_svc)
    c4.third_ack()
    assert opt(c4.bsyn, "SAckOK") is None
    c4.server_synack()
    # Every server SYN-ACK ends in synwall (Conn does not count them).
    sc.count(flow__active=1, flow__consumed=2)
    sc.check(flow__backend_probe=1, flow__options_refused=1,
             flow__established=4)

    sc.step("syn81", "(B) the proven client, another server (port 81): "
            "the SYN held, sent on as a probe, answered")
    probed(sc, Conn(sc, False, 41210, c_isn=0xAAAAAAAA, s_isn=0xBBBBBBBB,
                    port=81), web81, "_81", old_ack=True)
    sc.check(flow__backend_probe=1, flow__backend_restart=1,
             flow__probe_tx=2, flow__probe_learned=2, flow__established=5,
             flow__old_ack_rst=1)

    sc.step("syn82", "(C) port 82: held, probed; the server is silent")
    c6 = Conn(sc, False, 41220, c_isn=0xDDDDDDDD, s_isn=0, port=82)
    syn6 = c6.cli.seg("S", win=64240,
                      options=linux_syn_opts(False, c6.cli.tsval))
    c6.c_send(syn6)
    sc.out("inside", syn6)
    sc.count(syncookie__syn_rx=1, flow__probe_tx=1, flow__probe_held=1)
    sc.step("silent", "no answer in 200 ms: the probe is sent again",
            wait=250)
    sc.out("inside", syn6)
    sc.count(flow__probe_retx=1)
    sc.check(flow__probe_retx=1, flow__probe_timeout=0)
    sc.step("silent2", "no answer in another 200 ms: answered carefully",
            wait=250)
    sc.out("outside", synack(syn6, Svc(82, sack=False, ts=False)))
    sc.count(syncookie__synack_tx=1, flow__probe_timeout=1)
    sc.check(flow__probe_timeout=1, flow__probe_tx=3)
    sc.write(services={"web": web, "web81": web81, "web82": web82})


def ptb(frame, mtu):
    """The ICMP error synwall sends for client segment `frame`, too big
    for its server (RFC 1191, RFC 4443 §3.2): from the server to the
    client, MACs swapped, quoting the datagram's start within 576 /
    1280 bytes."""
    v6 = IPv6 in frame
    l3 = frame[IPv6] if v6 else frame[IP]
    quote = bytes(l3)[:1232 if v6 else 548]
    if v6:
        ip = IPv6(src=l3.dst, dst=l3.src, hlim=TTL, tc=0, fl=0)
        icmp = ICMPv6PacketTooBig(mtu=mtu)
    else:
        ip = IP(src=l3.dst, dst=l3.src, ttl=TTL, tos=0, id=0, flags=0)
        icmp = ICMP(type=3, code=4, nexthopmtu=mtu)
    return raw(reply_l2(frame) / ip / icmp / Raw(quote))


def too_big():
    """A server whose MSS (1240 over IPv4, 1220 over IPv6) is below the
    service's (1460 / 1440, which the client was promised): its link
    would drop the client's full-size segments for ever. synwall drops
    such a segment (drop.too_big) and answers, as the router with the
    smaller MTU, with an ICMP "too big" announcing the server's MSS + 40
    (+ 60) (flow.ptb_tx); a segment that fits crosses. Segments from
    the server are not concerned."""
    sc = Script("too_big", too_big.__doc__)
    for v6, port in ((False, 41300), (True, 41301)):
        cn = Conn(sc, v6, port, c_isn=0x01000000 + port, s_isn=port * 3)
        cn.srv_mss = 1220 if v6 else 1240
        cn.establish(tag="6" if v6 else "4")
        cli, srv = cn.cli, cn.srv
        sc.step("full_size" + ("6" if v6 else "4"), "a segment of the "
                "promised size: dropped, ICMP too big to the client")
        big = cli.seg("PA", body(1428 if v6 else 1448, 3))
        sc.send("outside", big, cn.cq)
        sc.out("outside", ptb(big, cn.srv_mss + (60 if v6 else 40)))
        sc.count(drop__too_big=1, flow__ptb_tx=1)
        cli.nxt = big[TCP].seq             # it resends, smaller
        sc.step("fits" + ("6" if v6 else "4"), "the same data in "
                "segments that fit the server's MSS: relayed")
        cn.c2s(cli.seg("PA", body(cn.srv_mss - 12, 3)))
        cn.s2c(srv.seg("PA", body(1400, 4)))
        sc.count(flow__active=1)
    sc.check(drop__too_big=2, flow__ptb_tx=2)
    sc.write()


def fin_close():
    """(g) The four-way close (RFC 9293 §3.6), the server first: its
    last data with FIN, the client's ACK and FIN, the server's last ACK.
    The flow is closed (flow.closed), kept linger_ms (20) for
    stragglers, then freed; a segment after that finds no flow (the
    client's is a bad cookie, the server's has no flow)."""
    sc = Script("fin_close", fin_close.__doc__)
    cn = Conn(sc, False, 40800, c_isn=42, s_isn=4242)
    cli, srv = cn.cli, cn.srv
    cn.establish()
    sc.step("request", "the request")
    cn.c2s(cli.seg("PA", REQUEST))
    sc.step("response_fin", "the response, with FIN")
    cn.s2c(srv.seg("FPA", body(120, 4)))
    sc.step("client_fin", "the client acks it, then closes too")
    cn.c2s(cli.seg("A"))
    fin = cli.seg("FA")
    cn.c2s(fin)
    sc.check(flow__closed=0)
    sc.step("last_ack", "the server's last ACK: closed")
    last = srv.seg("A")
    cn.s2c(last)
    sc.count(flow__closed=1)
    sc.check(flow__closed=1)
    sc.step("linger", "linger_ms later the flow is gone", wait=100)
    sc.count(flow__freed=1)
    sc.check(flow__active=0, flow__freed=1)
    sc.step("stragglers", "the client's FIN again: a bad cookie; the "
            "server's ACK again: no flow")
    sc.send("outside", fin)
    sc.send("inside", last)
    sc.count(syncookie__cookie_bad=1, drop__cookie_bad=1,
             drop__noflow_inside=1)
    sc.write(linger_ms=20)


def crc32c(crc, data):
    """CRC32C, reflected, no inversion (lib/flow's sw_ft_crc32c_sw)."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def flow_owner(v6, cport, workers=2):
    """The worker that owns a flow, as lib/flow hashes its key (client
    address, server address, ports) today. Only used to pick flows
    that cover both steering directions: the test does not depend on
    it (each flow sends as many frames each way)."""
    import socket
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    key = (socket.inet_pton(fam, CLIENT6 if v6 else CLIENT4) +
           socket.inet_pton(fam, SERVER6 if v6 else SERVER4) +
           struct.pack(">HH", cport, 80))
    h = crc32c(0xFFFFFFFF, key)
    # sw_ft_mix (lowbias32)
    h ^= h >> 16
    h = (h * 0x7feb352d) & U32
    h ^= h >> 15
    h = (h * 0x846ca68b) & U32
    h ^= h >> 16
    return (h * workers) >> 32


def two_workers():
    """(h) Two workers, steering = software: every client frame comes in
    on queue 0, every server frame on queue 1, so each flow's packets
    reach both workers and one of them must hand them to the flow's
    owner. Two flows (IPv4, IPv6) run side by side through handshake,
    data and the client's close; each sends as many client as server
    frames, so that whichever worker owns it, 5 of its frames are
    steered. Each step's frames are compared as any interleaving of
    the two TX queues' (each queue keeps its order)."""
    sc = Script("two_workers", two_workers.__doc__, workers=2)
    # The IPv4 flow owned by worker 0 (its server frames cross), the
    # IPv6 one by worker 1 (its client frames cross).
    p4 = next(p for p in range(41100, 41200) if flow_owner(False, p) == 0)
    p6 = next(p for p in range(41200, 41300) if flow_owner(True, p) == 1)
    flows = [Conn(sc, False, p4, c_isn=111, s_isn=0x99999999, cq=0, sq=1),
             Conn(sc, True, p6, c_isn=222, s_isn=0x55555555, cq=0, sq=1,
                  srv_ws=9, fl=0xABCDE)]
    sc.step("syn", "both SYNs: two SYN-ACKs with cookies")
    for cn in flows:
        cn.syn()
    sc.step("third_ack", "both third ACKs: two flows, two backend SYNs")
    for cn in flows:
        cn.third_ack()
    sc.check(flow__created=2, flow__backend_syn_tx=2, flow__active=2)
    sc.step("server_synack", "both servers answer: the ACKs released")
    for cn in flows:
        cn.server_synack()
    sc.step("request", "both requests")
    for cn in flows:
        cn.c2s(cn.cli.seg("PA", REQUEST))
    sc.step("server_ack", "both servers ack")
    for cn in flows:
        cn.s2c(cn.srv.seg("A"))
    sc.step("response", "both respond in two segments")
    for cn in flows:
        cn.s2c(cn.srv.seg("A", body(300, 1)))
        cn.s2c(cn.srv.seg("PA", body(80, 2)))
    sc.step("client_fin", "both clients ack and close")
    for cn in flows:
        cn.c2s(cn.cli.seg("FA"))
    sc.step("server_fin", "both servers close")
    for cn in flows:
        cn.s2c(cn.srv.seg("FA"))
    sc.step("last_ack", "both clients' last ACKs: closed")
    for cn in flows:
        cn.c2s(cn.cli.seg("A"))
    sc.count(flow__closed=2)
    sc.step("linger", "linger_ms later both flows are gone", wait=100)
    sc.count(flow__freed=2, flow__steered=10)
    sc.check(flow__active=0, flow__freed=2, flow__closed=2,
             flow__steered=10)
    sc.write(steering="software", linger_ms=20)


# --- lb mode: synwall as a router hop in front of backends -----------------
#
# (mode = lb; config/lb.conf.example.) Every frame synwall emits is
# predicted here from the rules it must follow, not from the C code:
#   - ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861): answers for
#     the addresses synwall owns (its outside and inside addresses, the
#     VIPs on the outside only), solicitations for the next hops it
#     needs, built field by field with scapy;
#   - relayed segments: the inline translation (Xlate, to_server,
#     to_client above), then destination NAT towards the backend (VIP ->
#     backend address, port -> the backend's when it names one) or the
#     reverse towards the client, the TTL / hop limit one less (a
#     router, RFC 1812 §5.3.1, RFC 8200 §3), Ethernet addresses of the
#     port and the next hop: checksums all recomputed in full by scapy;
#   - synwall's own frames (SYN-ACKs, ARP, NS/NA, the backend SYN built
#     from the client's ACK) are not forwarded and keep their TTL.
#
# test_forward's net_ring ports have no MAC address: the ring PMD gives
# them 00:00:00:00:00:00 and cannot set one (rte_eth_dev_default_mac_
# addr_set: -ENOTSUP). Both ports' frames therefore carry that source;
# what these vectors prove about MACs is where each frame goes (the
# resolved neighbour, broadcast, the solicited-node group) and that
# synwall writes its port's address there, not the sender's.
PORT_MAC = "00:00:00:00:00:00"
BCAST = "ff:ff:ff:ff:ff:ff"
NO_MAC = "00:00:00:00:00:00"

VIP4, VIP6 = "203.0.113.10", "2001:db8:203::10"
OUT4, OUT6 = "203.0.113.1", "2001:db8:203::1"
GW4, GW6 = "203.0.113.254", "2001:db8:203::fe"
IN4, IN6 = "198.51.100.1", "2001:db8:100::1"
GW_MAC = "02:00:00:00:00:fe"
# (address, MAC): an on-link client, backends
LB_CLIENT4 = ("203.0.113.20", "02:00:00:00:00:20")
LB_CLIENT6 = ("2001:db8:203::20", "02:00:00:00:00:20")
BE4A = ("198.51.100.11", "02:00:00:00:00:11")
BE4B = ("198.51.100.12", "02:00:00:00:00:12")
BE6A = ("2001:db8:100::11", "02:00:00:00:01:11")
# Off-link clients: outside the outside prefixes, reached by the gateway.
OFFLINK4 = "192.0.2.50"
OFFLINK6 = "2001:db8:1::50"

LB_COUNTERS = ("arp_rx arp_reply_tx arp_request_tx nd_rx na_tx ns_tx "
               "neigh_held neigh_released neigh_failed no_backend "
               "probe_tx probe_rx snat_ports snat_active "
               "snat_no_port").split()
LB_DROPS = ("unprotected neigh no_route ttl not_ours backend_mismatch "
            "flow_state cookie_bad snat_noflow").split()

LB_CONF = """; written by tests/component/gen_vectors.py
[synwall]
mode = lb
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
flows = 1024
flows6 = 1024
[flow]
hold = 8
established_timeout = 600
syn_timeout_ms = 5000
syn_retries = 3
linger_ms = {linger_ms}
[syncookie]
ttl = {ttl}
window = {window}
[lb]
outside_address = {out4}/24, {out6}/64
outside_gateway = {gw4}, {gw6}
inside_address = {in4}/24, {in6}/64
{neighbours}{lb_extra}neigh_entries = 64
; active checks need the main lcore's loop, which test_forward does not
; run (tests/e2e checks them)
health_interval_ms = 0
passive_fall = 0
[service:web]
prefix = {vips}
ports = 80
mss = {mss}
mss6 = {mss6}
wscale = {wscale}
sack = yes
timestamps = yes
ecn = no
first_contact = trust
backends = {backends}
{nat}"""


def solicited_node(addr):
    """RFC 4291 §2.7.1: ff02::1:ff and the address's low 24 bits; its
    Ethernet group (RFC 2464 §7): 33:33 and the low 32 bits."""
    import socket
    a = socket.inet_pton(socket.AF_INET6, addr)
    g = bytes([0xff, 0x02] + [0] * 9 + [0x01, 0xff]) + a[13:]
    return (socket.inet_ntop(socket.AF_INET6, g),
            "33:33:" + ":".join("%02x" % b for b in g[12:]))


def arp_frame(op, eth_src, eth_dst, sha, spa, tha, tpa):
    return pad60(Ether(src=eth_src, dst=eth_dst) /
                 ARP(op=op, hwsrc=sha, psrc=spa, hwdst=tha, pdst=tpa))


def arp_who_has(host, target, eth_dst=BCAST):
    """host = (address, MAC) asks for target (RFC 826: tha unused, 0)."""
    return arp_frame(1, host[1], eth_dst, host[1], host[0], NO_MAC, target)


def arp_is_at(addr, mac, to):
    """The answer: `addr` is at `mac`, to the asker `to` = (addr, MAC)."""
    return arp_frame(2, mac, to[1], mac, addr, to[1], to[0])


def ns_frame(src_mac, src, target, dst=None, dst_mac=None, lla=True,
             hlim=255):
    """Neighbour solicitation: to the target's solicited-node group
    unless dst / dst_mac say otherwise (a unicast NUD probe)."""
    if dst is None:
        dst, dst_mac = solicited_node(target)
    p = (Ether(src=src_mac, dst=dst_mac) /
         IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6ND_NS(tgt=target))
    if lla:
        p = p / ICMPv6NDOptSrcLLAddr(lladdr=src_mac)
    return raw(p)


def na_frame(mac, target, dst, dst_mac, solicited=True):
    """Neighbour advertisement for `target` (also its source): R 0, O 1,
    S as given, target link-layer address option."""
    return raw(Ether(src=mac, dst=dst_mac) /
               IPv6(src=target, dst=dst, hlim=255) /
               ICMPv6ND_NA(tgt=target, R=0, S=int(solicited), O=1) /
               ICMPv6NDOptDstLLAddr(lladdr=mac))


def routed(frame, dst_mac, src=None, dst=None, sport=None, dport=None,
           hop=True):
    """`frame` as synwall routes it: Ethernet from the port to dst_mac,
    addresses and ports NATed, TTL / hop limit - 1 (hop), every checksum
    recomputed in full."""
    p = Ether(bytes(frame))
    v6 = IPv6 in p
    l3 = p[IPv6] if v6 else p[IP]
    if not v6:
        del l3.chksum
    if TCP in p:
        del p[TCP].chksum
    elif not v6:
        del p[ICMP].chksum
    else:
        del p[ICMPv6PacketTooBig].cksum
    assert bytes(raw(p)) == bytes(frame), "scapy must rebuild it exactly"
    p.dst, p.src = dst_mac, PORT_MAC
    if src is not None:
        l3.src = src
    if dst is not None:
        l3.dst = dst
    if hop:
        if v6:
            l3.hlim -= 1
        else:
            l3.ttl -= 1
    if sport is not None:
        p[TCP].sport = sport
    if dport is not None:
        p[TCP].dport = dport
    out = raw(p)
    assert len(out) == len(frame)
    return out


def with_ttl(frame, ttl):
    p = Ether(bytes(frame))
    p[IP].ttl = ttl
    del p[IP].chksum
    return raw(p)


def requote(err, src, sport, seq, dst=None, dport=None):
    """An ICMP error from outside about a VIP -> client segment, as the
    backend must get it: the quoted source address and port the
    backend's, the quoted seq in the backend's space, the quoted IPv4
    header's checksum recomputed (the quoted TCP checksum is left as the
    router copied it: RFC 5927 §4.1 receivers match on addresses, ports
    and seq, and sw_nat.h documents it so)."""
    import socket
    p = Ether(bytes(err))
    v6 = IPv6 in p
    outer = p[IPv6] if v6 else p[IP]
    q = bytearray(bytes(outer.payload)[8:])
    if v6:
        q[8:24] = socket.inet_pton(socket.AF_INET6, src)
        if dst is not None:
            q[24:40] = socket.inet_pton(socket.AF_INET6, dst)
        tcp = 40
    else:
        ihl = (q[0] & 0xF) * 4
        q[12:16] = socket.inet_pton(socket.AF_INET, src)
        if dst is not None:
            q[16:20] = socket.inet_pton(socket.AF_INET, dst)
        q[10:12] = b"\0\0"
        h = IP(bytes(q[:ihl]))
        del h.chksum
        q[:ihl] = bytes(h)[:ihl]
        tcp = ihl
    q[tcp:tcp + 2] = struct.pack(">H", sport)
    if dport is not None:
        q[tcp + 2:tcp + 4] = struct.pack(">H", dport)
    q[tcp + 4:tcp + 8] = struct.pack(">I", seq)
    if v6:
        return raw(Ether(src=p.src, dst=p.dst) /
                   IPv6(src=outer.src, dst=outer.dst, hlim=outer.hlim) /
                   ICMPv6PacketTooBig(mtu=1280) / Raw(bytes(q)))
    return raw(Ether(src=p.src, dst=p.dst) /
               IP(src=outer.src, dst=outer.dst, ttl=outer.ttl, id=outer.id) /
               ICMP(type=3, code=4, nexthopmtu=1400) / Raw(bytes(q)))


def lb_describe(f):
    eth = "%s > %s " % (f.src, f.dst)
    if ARP in f:
        a = f[ARP]
        if a.ptype != 0x0800:
            return eth + "ARP op %d, protocol type 0x%04x" % (a.op, a.ptype)
        if a.op == 1:
            return eth + "ARP who-has %s tell %s (%s)" % (a.pdst, a.psrc,
                                                        a.hwsrc)
        return eth + "ARP %s is-at %s (to %s %s)" % (a.psrc, a.hwsrc,
                                                    a.pdst, a.hwdst)
    if ICMPv6ND_NS in f:
        return eth + "NS %s > %s who-has %s%s hlim %d" % (
            f[IPv6].src, f[IPv6].dst, f[ICMPv6ND_NS].tgt,
            " lla %s" % f[ICMPv6NDOptSrcLLAddr].lladdr
            if ICMPv6NDOptSrcLLAddr in f else "", f[IPv6].hlim)
    if ICMPv6ND_NA in f:
        n = f[ICMPv6ND_NA]
        return eth + "NA %s > %s %s%s%s is-at %s" % (
            f[IPv6].src, f[IPv6].dst, n.tgt, " S" if n.S else "",
            " O" if n.O else "", f[ICMPv6NDOptDstLLAddr].lladdr)
    if TCP in f or (IPv6 in f and ICMPv6PacketTooBig in f) or \
            (IP in f and f[IP].proto == 1 and f[ICMP].type == 3):
        ip = f[IPv6] if IPv6 in f else f[IP]
        hop = ip.hlim if IPv6 in f else ip.ttl
        return eth + describe(f) + " ttl %d" % hop
    return eth + f.summary()


class LbScript(Script):
    """A scenario in lb mode: Script's steps and counters, with the lb
    counters and drops too; ARP / ND and other frames that are not to
    or from a service do not count as protected."""

    def __init__(self, name, doc, workers=1):
        super().__init__(name, doc, workers)
        self.c.update({"lb." + k: 0 for k in LB_COUNTERS})
        self.c.update({"drop." + k: 0 for k in LB_DROPS})
        self.c.update({"flow.consumed": 0, "syncookie.syn_rx": 0,
                       "syncookie.synack_tx": 0, "syncookie.cookie_ok": 0})

    def send(self, side, frame, queue=0, protected=True):
        self.frames.append(frame)
        q = " %d" % queue if self.workers > 1 else ""
        self.lines.append("in %s%s\t# %s" % (side, q, lb_describe(frame)))
        self.c[side + ".rx_pkts"] += 1
        self.c[side + ".rx_bytes"] += len(frame)
        if protected:
            self.c["protected_pkts"] += 1

    def out(self, side, frame, relayed=False):
        self.frames.append(frame)
        self.lines.append("out %s\t# %s" % (side, lb_describe(frame)))
        self.c[side + ".tx_pkts"] += 1
        self.c[side + ".tx_bytes"] += len(frame)
        if relayed:
            d = "to_server" if side == "inside" else "to_client"
            self.c["flow.%s_pkts" % d] += 1
            self.c["flow.%s_bytes" % d] += len(frame)

    def write(self, backends, vips=(VIP4, VIP6), neighbours=(),
              unchecked=(), sections="", lb_extra="", nat=None,
              linger_ms=60000, snat_ports=64511 - 1024 + 1):
        """backends: the service's "backends" value; neighbours: static
        (address, MAC) pairs; unchecked: counters left out of S.expect;
        sections: more config (services) after [service:web]; lb_extra:
        more [lb] lines; nat: [service:web]'s nat, when said;
        snat_ports: the ports of all workers' slices (lb.snat_ports)."""
        nb = ""
        if neighbours:
            nb = "neighbours = %s\n" % ", ".join("%s %s" % n
                                                 for n in neighbours)
        with open(os.path.join(OUT, self.name + ".conf"), "w") as fh:
            fh.write(LB_CONF.format(
                ttl=TTL, window=WINDOW, out4=OUT4, out6=OUT6, gw4=GW4,
                gw6=GW6, in4=IN4, in6=IN6, neighbours=nb,
                lb_extra=lb_extra, linger_ms=linger_ms,
                vips=", ".join(vips), mss=WEB.mss, mss6=WEB.mss6,
                wscale=WEB.wscale, backends=backends,
                nat="nat = %s\n" % nat if nat else ""))
            fh.write(sections)
        write_keys(self.name)
        save(self.name + ".pcap", self.frames)
        with open(os.path.join(OUT, self.name + ".steps"), "w") as fh:
            fh.write("\n".join(self.lines) + "\n")
        self.c["lb.snat_ports"] = snat_ports
        for k in unchecked:
            del self.c[k]
        write_expect(self.name, self.c)


class LbConn:
    """One connection through synwall in lb mode: the client (on-link,
    or behind the gateway: its frames then come from the gateway's MAC
    and go back to it), the backend synwall must pick, and the steps of
    an exchange, as Conn has them for inline mode."""

    def __init__(self, sc, v6, cport, c_isn, s_isn, client, backend,
                 bport=80, via=None, fl=0, srv_ws=7, vport=80, snat=None,
                 cq=0, sq=0):
        """snat: (address, local port) for a service with nat = snat:
        the backend sees the flow from there; cq, sq: the queues the
        client's and the backend's frames come in on."""
        self.sc, self.v6 = sc, v6
        self.snat = snat
        self.cq, self.sq = cq, sq
        self.vip = VIP6 if v6 else VIP4
        self.caddr = client[0]
        self.nh_mac = via or client[1]     # the client's next hop
        self.baddr, self.bmac = backend
        self.bport = bport
        self.vport = vport
        self.cli = End(v6, True, cport, vport, c_isn, 1000000, 502,
                       ipid=0x1000, fl=fl)
        self.cli.addr, self.cli.peer = self.caddr, self.vip
        self.cli.mac, self.cli.peer_mac = self.nh_mac, PORT_MAC
        self.srv = End(v6, False, bport, snat[1] if snat else cport, s_isn,
                       3000000000, 509, ipid=0x7000, fl=fl ^ 0x11111)
        self.srv.addr = self.baddr
        self.srv.peer = snat[0] if snat else self.caddr
        self.srv.mac, self.srv.peer_mac = self.bmac, PORT_MAC
        self.srv_ws = srv_ws
        self.x = None

    def to_backend(self, frame, hop=True):
        """Client -> VIP, as the backend must get it; nat = snat: from
        synwall's snat_address and the flow's local port."""
        if self.snat:
            return routed(frame, self.bmac, src=self.snat[0],
                          sport=self.snat[1], dst=self.baddr,
                          dport=self.bport, hop=hop)
        return routed(frame, self.bmac, dst=self.baddr, dport=self.bport,
                      hop=hop)

    def to_client_of(self, frame):
        """Backend -> client, as the client must get it: from the VIP;
        nat = snat: to the client's address and port again."""
        if self.snat:
            return routed(frame, self.nh_mac, src=self.vip,
                          sport=self.vport, dst=self.caddr,
                          dport=self.cli.sport)
        return routed(frame, self.nh_mac, src=self.vip, sport=self.vport)

    def c2s(self, frame, resolved=True):
        self.sc.send("outside", frame, self.cq)
        out = self.to_backend(to_server(frame, self.x))
        if resolved:
            self.sc.out("inside", out, relayed=True)
        self.srv.got(out)
        return out

    def s2c(self, frame, resolved=True):
        """resolved False: the client's MAC is not known yet; the caller
        puts out what synwall solicits, then the returned frame."""
        self.sc.send("inside", frame, self.sq)
        out = self.to_client_of(to_client(frame, self.x))
        if resolved:
            self.sc.out("outside", out, relayed=True)
        self.cli.got(out)
        return out

    def syn(self):
        c = self.cli
        self.syn_frame = c.seg("S", win=64240,
                               options=linux_syn_opts(self.v6, c.tsval))
        self.sc.send("outside", self.syn_frame, self.cq)
        self.synack = synack(self.syn_frame)
        assert self.synack.dst == self.nh_mac and self.synack.src == PORT_MAC
        self.sc.out("outside", self.synack)
        self.cookie = self.synack[TCP].seq
        self.our_ts = opt(self.synack, "Timestamp")[0]
        self.co = decoded(self.syn_frame)
        c.got(self.synack)
        self.sc.count(syncookie__syn_rx=1, syncookie__synack_tx=1)

    def third_ack(self, resolved=True):
        """The valid cookie ACK: a flow, a backend picked, the backend
        SYN (synwall's own, its TTL the ACK's) NATed to it; resolved
        False: the caller puts out the solicitation, then self.bsyn."""
        a = self.cli.seg("A")
        self.sc.send("outside", a, self.cq)
        self.first = a
        self.bsyn = self.to_backend(backend_syn(a, self.co), hop=False)
        if resolved:
            self.sc.out("inside", self.bsyn)
        self.srv.got(self.bsyn)
        self.held = [a]
        self.sc.count(syncookie__cookie_ok=1, flow__created=1,
                      flow__held=1, flow__backend_syn_tx=1)
        return a

    def hold(self, frame):
        self.sc.send("outside", frame)
        self.held.append(frame)
        self.sc.count(flow__held=1)

    def server_synack(self, win=65160):
        """The backend answers from its address and port; the held
        segments go to it, translated and NATed."""
        s = self.srv
        sa = s.seg("SA", win=win,
                   options=server_synack_opts(s, self.v6, self.srv_ws))
        self.sc.send("inside", sa, self.sq)
        self.x = Xlate(self.cookie, self.our_ts, sa, self.co,
                       WEB.wscale if self.co.ws is not None else 0)
        for h in self.held:
            out = self.to_backend(to_server(h, self.x))
            self.sc.out("inside", out, relayed=True)
            s.got(out)
        t = to_server(self.first, self.x)[TCP]
        assert t.ack == (sa[TCP].seq + 1) & U32
        self.sc.count(flow__established=1, flow__consumed=1)
        return sa


def lb_arp():
    """lb mode, ARP and neighbour discovery for the addresses synwall
    owns: the VIP and the outside address on the outside port, the
    inside address on the inside port, each answered from that port's
    MAC to the asker (RFC 826; RFC 4861 §7.2.4: NA with S and O, the
    target's link-layer address, to the soliciting node, or to all
    nodes when it solicits from ::). Requests for any other address, or
    for an owned one on the other port, are taken (lb.arp_rx / nd_rx,
    flow.consumed) and not answered; unsolicited answers teach nothing;
    malformed ARP and ND are dropped (drop.not_ours); other traffic to
    synwall's addresses is not routed (drop.unprotected)."""
    sc = LbScript("lb_arp", lb_arp.__doc__)
    c4, c6 = LB_CLIENT4, LB_CLIENT6
    be4, be6 = BE4A, BE6A

    sc.step("arp_vip", "a client asks for the VIP: answered")
    sc.send("outside", arp_who_has(c4, VIP4), protected=False)
    sc.out("outside", arp_is_at(VIP4, PORT_MAC, c4))
    sc.count(lb__arp_rx=1, lb__arp_reply_tx=1)
    sc.check(lb__arp_rx=1, lb__arp_reply_tx=1, inside__tx_pkts=0)
    sc.step("arp_outside_address", "for the outside address: answered")
    sc.send("outside", arp_who_has(c4, OUT4), protected=False)
    sc.out("outside", arp_is_at(OUT4, PORT_MAC, c4))
    sc.count(lb__arp_rx=1, lb__arp_reply_tx=1)
    sc.step("arp_inside_address", "a backend asks for its gateway, the "
            "inside address: answered on the inside port")
    sc.send("inside", arp_who_has(be4, IN4), protected=False)
    sc.out("inside", arp_is_at(IN4, PORT_MAC, be4))
    sc.count(lb__arp_rx=1, lb__arp_reply_tx=1)
    sc.check(lb__arp_rx=3, lb__arp_reply_tx=3, outside__tx_pkts=2,
             inside__tx_pkts=1)
    sc.step("arp_not_ours", "for an address synwall does not own, for "
            "the VIP on the inside, for the inside address on the "
            "outside; an unsolicited reply: none answered")
    sc.send("outside", arp_who_has(c4, "203.0.113.99"), protected=False)
    sc.send("inside", arp_who_has(be4, VIP4), protected=False)
    sc.send("outside", arp_who_has(c4, IN4), protected=False)
    sc.send("outside", arp_is_at("203.0.113.99", "02:00:00:00:00:99", c4),
            protected=False)
    sc.count(lb__arp_rx=4, flow__consumed=4)
    sc.check(lb__arp_rx=7, lb__arp_reply_tx=3, flow__consumed=4,
             lb__arp_request_tx=0)
    sc.step("arp_malformed", "ARP for IPv6 addresses (ptype 0x86dd): "
            "not ours")
    bad = Ether(bytes(arp_who_has(c4, VIP4)))
    bad[ARP].ptype = 0x86dd
    sc.send("outside", raw(bad), protected=False)
    sc.count(lb__arp_rx=1, drop__not_ours=1)
    sc.check(drop__not_ours=1)

    v6c = (c6[0], c6[1])
    sc.step("ns_vip", "a client solicits the VIP: NA, solicited, to it")
    sc.send("outside", ns_frame(c6[1], c6[0], VIP6), protected=False)
    sc.out("outside", na_frame(PORT_MAC, VIP6, c6[0], c6[1]))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.check(lb__nd_rx=1, lb__na_tx=1)
    sc.step("ns_vip_unicast", "a unicast NUD probe without a source "
            "link-layer option: answered to the frame's source MAC")
    sc.send("outside", ns_frame(c6[1], c6[0], VIP6, dst=VIP6,
                                dst_mac=PORT_MAC, lla=False),
            protected=False)
    sc.out("outside", na_frame(PORT_MAC, VIP6, c6[0], c6[1]))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.step("ns_dad", "duplicate address detection (from ::) for the "
            "VIP: NA to all nodes, S clear")
    sc.send("outside", ns_frame(c6[1], "::", VIP6, lla=False),
            protected=False)
    sc.out("outside", na_frame(PORT_MAC, VIP6, "ff02::1",
                               "33:33:00:00:00:01", solicited=False))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.step("ns_outside_address", "for the outside address: answered")
    sc.send("outside", ns_frame(c6[1], c6[0], OUT6), protected=False)
    sc.out("outside", na_frame(PORT_MAC, OUT6, c6[0], c6[1]))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.step("ns_inside_address", "a backend solicits the inside "
            "address: answered on the inside port")
    sc.send("inside", ns_frame(be6[1], be6[0], IN6), protected=False)
    sc.out("inside", na_frame(PORT_MAC, IN6, be6[0], be6[1]))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.check(lb__nd_rx=5, lb__na_tx=5)
    sc.step("ns_not_ours", "for an address synwall does not own, for "
            "the VIP on the inside; an unsolicited NA: none answered")
    sc.send("outside", ns_frame(c6[1], c6[0], "2001:db8:203::99"),
            protected=False)
    sc.send("inside", ns_frame(be6[1], be6[0], VIP6), protected=False)
    sc.send("outside", na_frame(v6c[1], v6c[0], "ff02::1",
                                "33:33:00:00:00:01", solicited=False),
            protected=False)
    sc.count(lb__nd_rx=3, flow__consumed=3)
    sc.check(lb__nd_rx=8, lb__na_tx=5, flow__consumed=7, lb__ns_tx=0)
    sc.step("nd_malformed", "an NS with hop limit 64 (RFC 4861 §7.1.1: "
            "not from a neighbour), one with a bad checksum: not ours")
    sc.send("outside", ns_frame(c6[1], c6[0], VIP6, hlim=64),
            protected=False)
    good = ns_frame(c6[1], c6[0], VIP6)
    sc.send("outside", corrupt(good, len(good) - 1,
                               bytes(good)[-1] ^ 0x01), protected=False)
    sc.count(lb__nd_rx=2, drop__not_ours=2)
    sc.check(drop__not_ours=3)
    sc.step("not_routed", "ping and UDP to the VIP and synwall's "
            "addresses: lb mode routes its services only")
    sc.send("outside", raw(Ether(src=c4[1], dst=PORT_MAC) /
                           IP(src=c4[0], dst=VIP4) / ICMP(id=1, seq=1) /
                           Raw(b"x" * 56)), protected=False)
    sc.send("outside", raw(Ether(src=c4[1], dst=PORT_MAC) /
                           IP(src=c4[0], dst=OUT4) /
                           UDP(sport=5353, dport=53) / Raw(b"q")),
            protected=False)
    sc.send("inside", raw(Ether(src=be4[1], dst=PORT_MAC) /
                          IP(src=be4[0], dst=IN4) / ICMP(id=2, seq=1) /
                          Raw(b"y" * 56)), protected=False)
    sc.count(drop__unprotected=3)
    sc.check(drop__unprotected=3)
    sc.write("198.51.100.11, 2001:db8:100::11")


def lb_handshake4():
    """lb mode, IPv4, an on-link client, backends resolved by ARP. The
    pool has 198.51.100.12 with weight 0 (draining) before
    198.51.100.11: every flow must go to .11, which keeps the VIP port.
    The cookie ACK makes the backend SYN; it waits for the backend's
    MAC (an ARP request, broadcast, from the inside address), which its
    ARP reply releases. The first segment back to the client waits the
    same way for the client's MAC. Then data both ways, odd and even
    lengths, and the close: every relayed segment NATed, its TTL one
    less, its checksums right. Last, nine more clients: all to .11,
    whose MAC synwall knows now."""
    sc = LbScript("lb_handshake4", lb_handshake4.__doc__)
    c4, be = LB_CLIENT4, BE4A
    cn = LbConn(sc, False, 40100, c_isn=0x12345678, s_isn=0xFFFFFF00,
                client=c4, backend=be)
    cli, srv = cn.cli, cn.srv
    sc.step("client_arp", "the client resolves the VIP")
    sc.send("outside", arp_who_has(c4, VIP4), protected=False)
    sc.out("outside", arp_is_at(VIP4, PORT_MAC, c4))
    sc.count(lb__arp_rx=1, lb__arp_reply_tx=1)
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie, to the "
            "MAC it came from")
    cn.syn()
    sc.check(syncookie__synack_tx=1, inside__tx_pkts=0)
    sc.step("third_ack", "a valid cookie: a flow on .11; its backend "
            "SYN waits for .11's MAC, an ARP request goes out")
    cn.third_ack(resolved=False)
    sc.out("inside", arp_who_has((IN4, PORT_MAC), be[0]))
    sc.count(lb__arp_request_tx=1, lb__neigh_held=1)
    sc.check(flow__created=1, flow__backend_syn_tx=1, lb__arp_request_tx=1,
             lb__neigh_held=1, lb__neigh_released=0)
    sc.step("early_request", "the request before the backend answered: "
            "held by the flow")
    cn.hold(cli.seg("PA", REQUEST))
    sc.check(flow__held=2, inside__tx_pkts=1)
    sc.step("backend_arp_reply", ".11 answers: the backend SYN goes to "
            "its MAC, to 198.51.100.11:80 (synwall's own SYN keeps the "
            "ACK's TTL)")
    sc.send("inside", arp_is_at(be[0], be[1], (IN4, PORT_MAC)),
            protected=False)
    sc.out("inside", cn.bsyn)
    sc.count(lb__arp_rx=1, lb__neigh_released=1, flow__consumed=1)
    sc.check(lb__neigh_released=1)
    sc.step("server_synack", "the backend's SYN-ACK (consumed) releases "
            "the held ACK and request, translated and NATed, TTL 63")
    cn.server_synack()
    sc.check(flow__established=1, flow__to_server_pkts=2)

    sc.step("response", "the backend acks: from the VIP to the client, "
            "whose MAC synwall asks for first (from the outside "
            "address)")
    srv.win = 2000
    pending = cn.s2c(srv.seg("A"), resolved=False)
    sc.out("outside", arp_who_has((OUT4, PORT_MAC), c4[0]))
    sc.count(lb__arp_request_tx=1, lb__neigh_held=1)
    sc.check(lb__arp_request_tx=2, outside__tx_pkts=3)
    sc.step("client_arp_reply", "the client answers: the ACK goes to "
            "it, from 203.0.113.10:80")
    sc.send("outside", arp_is_at(c4[0], c4[1], (OUT4, PORT_MAC)),
            protected=False)
    sc.out("outside", pending, relayed=True)
    sc.count(lb__arp_rx=1, lb__neigh_released=1, flow__consumed=1)
    sc.step("data", "data both ways, odd and even lengths")
    cn.s2c(srv.seg("A", body(200, 0)))
    cn.s2c(srv.seg("PA", body(301, 1)))
    cn.c2s(cli.seg("A"))
    cn.c2s(cli.seg("PA", body(101, 2)))
    cn.c2s(cli.seg("PA", body(100, 3)))
    cn.s2c(srv.seg("PA", body(1, 4)))
    sc.check(flow__to_client_pkts=4, flow__to_server_pkts=5,
             lb__arp_request_tx=2)
    sc.step("client_fin", "the client closes: its FIN to the backend")
    cn.c2s(cli.seg("FA"))
    sc.step("backend_fin", "the backend acks and closes: its FIN from "
            "the VIP")
    cn.s2c(srv.seg("FA"))
    sc.step("last_ack", "the client's last ACK: closed")
    cn.c2s(cli.seg("A"))
    sc.count(flow__closed=1)
    sc.check(flow__closed=1)

    sc.step("more_syns", "nine more clients' SYNs")
    more = [LbConn(sc, False, 40110 + i, c_isn=1000 * i + 7,
                   s_isn=0x40000000 + i, client=c4, backend=be)
            for i in range(9)]
    for m in more:
        m.syn()
    sc.step("more_acks", "their cookie ACKs: every backend SYN to .11 "
            "(weight 0 drains .12), no ARP needed")
    for m in more:
        m.third_ack()
    sc.count(flow__active=10)
    sc.check(flow__created=10, flow__backend_syn_tx=10,
             lb__arp_request_tx=2, lb__no_backend=0)
    sc.write("198.51.100.12 weight 0, 198.51.100.11", vips=(VIP4,))


def lb_handshake6():
    """lb mode, IPv6, an on-link client; the backend names its port
    ([2001:db8:100::11]:8080). Its MAC is asked for with an NS to its
    solicited-node group (RFC 4861 §7.2.2), from the inside address
    with its link-layer address; the backend's NA releases the backend
    SYN. The client's MAC is asked for the same way on the outside.
    Data both ways (hop limit one less, port 8080 in, 80 out), an ICMPv6
    packet too big from the gateway quoting a segment of the VIP's:
    sent to the backend as about its own segment (address, port and seq
    its own). Last the backend resets: its RST reaches the client from
    the VIP, and the flow is over."""
    sc = LbScript("lb_handshake6", lb_handshake6.__doc__)
    c6, be = LB_CLIENT6, BE6A
    cn = LbConn(sc, True, 40600, c_isn=0xFFFFFFC0, s_isn=0x0BADCAFE,
                client=c6, backend=be, bport=8080, fl=0xBEEF1)
    cli, srv = cn.cli, cn.srv
    sc.step("client_ns", "the client resolves the VIP")
    sc.send("outside", ns_frame(c6[1], c6[0], VIP6), protected=False)
    sc.out("outside", na_frame(PORT_MAC, VIP6, c6[0], c6[1]))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("third_ack", "a valid cookie: the backend SYN waits, an NS "
            "for the backend goes out")
    cn.third_ack(resolved=False)
    sc.out("inside", ns_frame(PORT_MAC, IN6, be[0]))
    sc.count(lb__ns_tx=1, lb__neigh_held=1)
    sc.check(lb__ns_tx=1, lb__neigh_held=1, flow__backend_syn_tx=1)
    sc.step("backend_na", "the backend's NA: the backend SYN to "
            "[2001:db8:100::11]:8080, at its MAC")
    sc.send("inside", na_frame(be[1], be[0], IN6, PORT_MAC),
            protected=False)
    sc.out("inside", cn.bsyn)
    sc.count(lb__nd_rx=1, lb__neigh_released=1, flow__consumed=1)
    sc.step("server_synack", "the backend's SYN-ACK from port 8080 "
            "releases the ACK")
    cn.server_synack()
    sc.step("response", "the backend's first segment: an NS for the "
            "client first, from the outside address")
    pending = cn.s2c(srv.seg("PA", body(200, 5)), resolved=False)
    sc.out("outside", ns_frame(PORT_MAC, OUT6, c6[0]))
    sc.count(lb__ns_tx=1, lb__neigh_held=1)
    sc.step("client_na", "the client's NA: the segment goes to it, from "
            "[2001:db8:203::10]:80")
    sc.send("outside", na_frame(c6[1], c6[0], OUT6, PORT_MAC),
            protected=False)
    sc.out("outside", pending, relayed=True)
    sc.count(lb__nd_rx=1, lb__neigh_released=1, flow__consumed=1)
    sc.step("data", "data both ways, odd and even lengths")
    cn.c2s(cli.seg("PA", body(101, 6)))
    cn.c2s(cli.seg("PA", REQUEST))
    resp = cn.s2c(srv.seg("A", body(301, 7)))
    cn.c2s(cli.seg("A"))
    sc.check(flow__to_server_pkts=4, flow__to_client_pkts=2)
    sc.step("icmp_ptb", "the gateway: the 301 bytes were too big. To "
            "the backend, about its own segment")
    err = icmp_error((GW_MAC, GW4, GW6), PORT_MAC, VIP6, resp, True)
    sc.send("outside", err)
    back = requote(err, be[0], 8080, (resp[TCP].seq - cn.x.seq_delta) & U32)
    sc.out("inside", routed(back, be[1], dst=be[0]))
    sc.count(flow__icmp_relayed=1)
    sc.check(flow__icmp_relayed=1)
    sc.step("backend_rst", "the backend resets: the RST reaches the "
            "client from the VIP; the flow is reset")
    cn.s2c(srv.seg("RA", win=0))
    sc.count(flow__reset=1)
    sc.check(flow__reset=1)
    sc.step("after_reset", "the client's next segment finds the flow "
            "reset: dropped")
    sc.send("outside", cli.seg("PA", REQUEST))
    sc.count(drop__flow_state=1)
    sc.count(flow__active=1)
    sc.write("[2001:db8:100::11]:8080", vips=(VIP6,))


def lb_offlink():
    """lb mode, IPv4, a client off-link (192.0.2.50, behind the outside
    gateway 203.0.113.254); the backend 198.51.100.11:8080 is a static
    neighbour ([lb] neighbours): its SYN goes out at once, no ARP.
    What goes back to the client goes to the gateway's MAC, which
    synwall resolves once. An ICMP fragmentation needed from a router
    beyond the gateway, about a segment from the VIP, goes to the
    backend as about its own. A client segment whose TTL would reach 0
    is not routed (drop.ttl); the client resets the connection last."""
    sc = LbScript("lb_offlink", lb_offlink.__doc__)
    be = BE4A
    cn = LbConn(sc, False, 40300, c_isn=42, s_isn=4242,
                client=(OFFLINK4, None), backend=be, bport=8080, via=GW_MAC)
    cli, srv = cn.cli, cn.srv
    sc.step("syn", "the client's SYN, by the gateway: the SYN-ACK back "
            "to the gateway's MAC")
    cn.syn()
    sc.step("third_ack", "a valid cookie: the backend SYN to the static "
            "neighbour, 198.51.100.11:8080, no ARP")
    cn.third_ack()
    sc.check(lb__arp_request_tx=0, lb__neigh_held=0, flow__backend_syn_tx=1)
    sc.step("server_synack", "the backend answers from 8080: the ACK "
            "released")
    cn.server_synack()
    sc.step("request", "the request")
    cn.c2s(cli.seg("PA", REQUEST))
    sc.check(flow__to_server_pkts=2)
    sc.step("response", "the response, for an off-link client: the "
            "gateway's MAC is asked for")
    pending = cn.s2c(srv.seg("PA", body(151, 3)), resolved=False)
    sc.out("outside", arp_who_has((OUT4, PORT_MAC), GW4))
    sc.count(lb__arp_request_tx=1, lb__neigh_held=1)
    sc.step("gateway_arp_reply", "the gateway answers: the response goes "
            "to its MAC, from 203.0.113.10:80")
    sc.send("outside", arp_is_at(GW4, GW_MAC, (OUT4, PORT_MAC)),
            protected=False)
    sc.out("outside", pending, relayed=True)
    sc.count(lb__arp_rx=1, lb__neigh_released=1, flow__consumed=1)
    sc.step("more", "more of the response: straight to the gateway")
    resp = cn.s2c(srv.seg("A", body(200, 4)))
    sc.step("icmp_frag_needed", "a router beyond the gateway: the "
            "response needs fragmenting. To the backend, about its own "
            "segment, TTL one less")
    err = icmp_error((GW_MAC, "192.0.2.1", None), PORT_MAC, VIP4, resp,
                     False)
    sc.send("outside", err)
    back = requote(err, be[0], 8080, (resp[TCP].seq - cn.x.seq_delta) & U32)
    sc.out("inside", routed(back, be[1], dst=be[0]))
    sc.count(flow__icmp_relayed=1)
    sc.check(flow__icmp_relayed=1)
    sc.step("ttl_expired", "a client segment with TTL 1: not routed")
    s = cli.seg("PA", body(77, 5))
    sc.send("outside", with_ttl(s, 1))
    sc.count(drop__ttl=1)
    sc.check(drop__ttl=1, inside__tx_pkts=4)
    sc.step("retransmit", "the client sends it again with TTL 64: "
            "routed")
    cli.nxt = s[TCP].seq
    cn.c2s(cli.seg("PA", body(77, 5)))
    sc.step("client_rst", "the client resets: its RST to the backend; "
            "the flow is reset")
    cn.c2s(cli.seg("RA", win=0))
    sc.count(flow__reset=1, flow__active=1)
    sc.check(flow__reset=1)
    sc.write("198.51.100.11:8080", vips=(VIP4,), neighbours=[be])


def lb_mismatch():
    """lb mode: only a flow's own backend speaks for it. With .11 and
    .12 (weight 0) static neighbours and the client too, a flow on .11
    is set up; then .12 sends a segment and a SYN-ACK on that flow's
    tuple (drop.backend_mismatch), .11 from a port that is not the
    service's and an unknown inside host from port 80 send to the
    client (drop.unprotected). None reaches the client; the flow goes
    on."""
    sc = LbScript("lb_mismatch", lb_mismatch.__doc__)
    c4 = LB_CLIENT4
    cn = LbConn(sc, False, 40400, c_isn=0xDEADBEEF, s_isn=0x01020304,
                client=c4, backend=BE4A)
    cli, srv = cn.cli, cn.srv
    sc.step("syn", "the client's SYN")
    cn.syn()
    sc.step("third_ack", "a valid cookie: the backend SYN to .11")
    cn.third_ack()
    sc.step("server_synack", ".11 answers")
    cn.server_synack()
    sc.step("exchange", "a request and a response, at the static MACs")
    cn.c2s(cli.seg("PA", REQUEST))
    cn.s2c(srv.seg("PA", body(64, 1)))
    sc.step("other_backend", ".12 speaks for .11's flow: dropped")

    def from_host(addr, mac, sport, flags, data=b""):
        t = srv.seg(flags, data, seq=srv.nxt)
        p = Ether(bytes(t))
        p.src = mac
        p[IP].src = addr
        p[TCP].sport = sport
        del p[IP].chksum
        del p[TCP].chksum
        return raw(p)
    sc.send("inside", from_host(BE4B[0], BE4B[1], 80, "PA", b"evil"))
    sc.send("inside", from_host(BE4B[0], BE4B[1], 80, "SA"))
    sc.count(drop__backend_mismatch=2)
    sc.check(drop__backend_mismatch=2, outside__tx_pkts=2)
    sc.step("unknown_source", ".11 from port 81, 198.51.100.99 from port "
            "80: not from a backend of the service, not routed")
    sc.send("inside", from_host(BE4A[0], BE4A[1], 81, "PA", b"evil"),
            protected=False)
    sc.send("inside", from_host("198.51.100.99", "02:00:00:00:00:99", 80,
                                "PA", b"evil"), protected=False)
    sc.count(drop__unprotected=2)
    sc.check(drop__unprotected=2, outside__tx_pkts=2)
    sc.step("still_up", "the flow is intact: data both ways")
    cn.c2s(cli.seg("A"))
    cn.s2c(srv.seg("PA", body(33, 2)))
    sc.count(flow__active=1)
    sc.write("198.51.100.11, 198.51.100.12 weight 0", vips=(VIP4,),
             neighbours=[BE4A, BE4B, c4])


def lb_synflood():
    """lb mode under a SYN flood: SYNs to the VIPs from many clients,
    on-link and behind the gateway, IPv4 and IPv6, are answered with
    cookies, each back to the MAC it came from; nothing reaches the
    inside port, nothing is resolved. ACKs with wrong cookies are
    dropped (drop.cookie_bad); SYNs to a port the VIP does not serve,
    or to synwall's own address, are not routed (drop.unprotected)."""
    sc = LbScript("lb_synflood", lb_synflood.__doc__)
    flood = []
    for i in range(8):
        flood.append(((("203.0.113.%d" % (100 + i)),
                       "02:00:00:00:02:%02x" % i), None, False))
        flood.append((("192.0.2.%d" % (100 + i), None), GW_MAC, False))
    for i in range(4):
        flood.append((("2001:db8:1::%x" % (0x100 + i), None), GW_MAC, True))
        flood.append((("2001:db8:203::%x" % (0x100 + i),
                       "02:00:00:00:03:%02x" % i), None, True))
    sc.step("flood", "%d SYNs: as many SYN-ACKs, nothing inside"
            % len(flood))
    conns = []
    for i, (client, via, v6) in enumerate(flood):
        cn = LbConn(sc, v6, 30000 + i, c_isn=0x01000000 * i + 1,
                    s_isn=0, client=client, backend=BE6A if v6 else BE4A,
                    via=via)
        cn.syn()
        conns.append(cn)
    sc.check(syncookie__syn_rx=len(flood), syncookie__synack_tx=len(flood),
             inside__tx_pkts=0)
    sc.step("bad_acks", "ACKs with wrong cookies: dropped")
    for cn in conns[:6]:
        a = cn.cli.seg("A", ack=(cn.cookie + 1) ^ 0x10000)
        sc.send("outside", a)
    sc.count(drop__cookie_bad=6, syncookie__cookie_bad=6)
    sc.step("not_served", "SYNs to the VIP's port 443 and to the outside "
            "address's port 80: not routed")
    c = LB_CLIENT4
    for dst, dport in ((VIP4, 443), (OUT4, 80)):
        sc.send("outside", raw(Ether(src=c[1], dst=PORT_MAC) /
                               IP(src=c[0], dst=dst) /
                               TCP(sport=31000, dport=dport, flags="S",
                                   seq=1, options=LINUX_SYN_OPTS)),
                protected=False)
    sc.count(drop__unprotected=2)
    sc.check(inside__tx_pkts=0, lb__arp_request_tx=0, lb__ns_tx=0,
             flow__created=0)
    sc.write("198.51.100.11, 2001:db8:100::11")


def lb_refused():
    """lb mode, no backend for a client. The backend refuses the
    backend SYN (RST+ACK): the client gets the RST that answers its
    held ACK, from the VIP, at the MAC it came from, and the flow is
    freed. A service whose only backend has weight 0 (draining) has
    none to give a new client: its cookie ACK gets the same RST at once
    (lb.no_backend), no flow, no SYN inside."""
    sc = LbScript("lb_refused", lb_refused.__doc__)
    c4 = LB_CLIENT4
    cn = LbConn(sc, False, 40500, c_isn=5000, s_isn=0, client=c4,
                backend=BE4A)
    sc.step("syn", "the client's SYN")
    cn.syn()
    sc.step("third_ack", "a valid cookie: the backend SYN to .11")
    a = cn.third_ack()
    sc.step("backend_rst", ".11 refuses: RST to the client, flow freed")
    sc.send("inside", cn.srv.seg("RA", seq=0, win=0, ts=False))
    sc.out("outside", rst_reply(a))
    sc.count(flow__backend_rst=1, flow__rst_tx=1, flow__freed=1,
             flow__consumed=1)
    sc.check(flow__backend_rst=1, flow__rst_tx=1, flow__active=0)
    sc.step("drained_syn", "a SYN to port 81, whose only backend "
            "drains: answered all the same")
    dn = LbConn(sc, False, 40501, c_isn=6000, s_isn=0, client=c4,
                backend=BE4B, vport=81)
    dn.syn()
    sc.step("drained_ack", "its cookie ACK: no backend, a RST, no flow")
    a = dn.cli.seg("A")
    sc.send("outside", a)
    sc.out("outside", rst_reply(a))
    sc.count(syncookie__cookie_ok=1, lb__no_backend=1, flow__rst_tx=1)
    sc.check(lb__no_backend=1, flow__created=1, inside__tx_pkts=1,
             flow__table_full=0)
    drained = ("[service:drained]\nprefix = %s\nports = 81\nmss = %d\n"
               "mss6 = %d\nwscale = %d\nsack = yes\ntimestamps = yes\n"
               "ecn = no\nfirst_contact = trust\n"
               "backends = 198.51.100.12 weight 0\n" % (
                   VIP4, WEB.mss, WEB.mss6, WEB.wscale))
    sc.write("198.51.100.11", vips=(VIP4,), neighbours=[BE4A, BE4B],
             sections=drained)


# --- lb mode, nat = snat: source NAT ------------------------------------
#
# A service with nat = snat reaches its backend from synwall's
# snat_address and a local port of the worker that owns the flow (its
# slice of [lb] snat_ports, handed out least recently freed first):
# every client -> backend segment gets both ends rewritten, every
# backend -> client one comes to (snat_address, local port) and leaves
# from the VIP to the client again. As everywhere here, the frames are
# predicted from those rules (routed() above), not from the C code.

SNAT4, SNAT6 = "198.51.100.2", "2001:db8:100::2"


def lb_flow_owner(v6, caddr, cport, vport=80, workers=2):
    """The worker that owns an lb flow: its key (client, VIP, client
    port, VIP port) hashed as lib/flow does, scaled to the workers."""
    import socket
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    key = (socket.inet_pton(fam, caddr) +
           socket.inet_pton(fam, VIP6 if v6 else VIP4) +
           struct.pack(">HH", cport, vport))
    h = crc32c(0xFFFFFFFF, key)
    h ^= h >> 16
    h = (h * 0x7feb352d) & U32
    h ^= h >> 15
    h = (h * 0x846ca68b) & U32
    h ^= h >> 16
    return (h * workers) >> 32


def tcp_from(src, mac, sport, dst, dport, flags, seq=1, ack=1, data=b""):
    """A TCP segment from a host of the inside to synwall's port."""
    v6 = ":" in src
    ip = (IPv6(src=src, dst=dst, hlim=64) if v6 else
          IP(src=src, dst=dst, id=0x7777, flags="DF", ttl=64))
    return raw(Ether(src=mac, dst=PORT_MAC) / ip /
               TCP(sport=sport, dport=dport, flags=flags, seq=seq,
                   ack=ack if "A" in flags else 0, window=509) /
               (Raw(data) if data else b""))


def lb_snat4():
    """lb mode, IPv4, nat = snat, one worker: the backends see synwall,
    not the client. [lb] snat_address 198.51.100.2 (not the inside
    address: synwall answers ARP for it on the inside port only),
    snat_ports 40000-40003: four local ports, handed out least recently
    freed first. The first client's backend SYN, its held ACK and every
    segment after reach the backend from 198.51.100.2:40000; the
    backend's answers to that port go back to the client from the VIP.
    An ICMP error about a VIP -> client segment reaches the backend as
    about its own segment to 198.51.100.2:40000. Segments to the
    snat_address that no flow holds, from another backend or port, or
    to the client's address (the DNAT way back) are dropped. Next to it
    [service:plain] (port 81, nat = dnat) keeps the client's address.
    Three more clients take 40001..40003; a fifth finds no port free: a
    RST, lb.snat_no_port. Then 40002's client resets and the first
    closes: once lingered, 40002 and then 40000 go back to the queue,
    and the next two clients get them in that order; the backend answers
    the second's SYN with the ACK of 40000's last connection (TIME_WAIT):
    synwall's RST at its ack comes from 198.51.100.2:40000 too."""
    sc = LbScript("lb_snat4", lb_snat4.__doc__)
    c4, be, be2 = LB_CLIENT4, BE4A, BE4B
    sn = SNAT4
    cn = LbConn(sc, False, 40700, c_isn=0x0A0B0C0D, s_isn=0x10000000,
                client=c4, backend=be, snat=(sn, 40000))
    cli, srv = cn.cli, cn.srv

    sc.step("snat_arp", "a backend asks for the snat_address: answered "
            "on the inside port; a client asking outside is not")
    sc.send("inside", arp_who_has(be, sn), protected=False)
    sc.out("inside", arp_is_at(sn, PORT_MAC, be))
    sc.send("outside", arp_who_has(c4, sn), protected=False)
    sc.count(lb__arp_rx=2, lb__arp_reply_tx=1, flow__consumed=1)
    sc.check(lb__arp_reply_tx=1, outside__tx_pkts=0)
    sc.step("syn", "the client's SYN: a SYN-ACK with a cookie")
    cn.syn()
    sc.step("third_ack", "a valid cookie: the backend SYN from "
            "198.51.100.2:40000, the first port of the slice")
    cn.third_ack()
    sc.count(lb__snat_active=1)
    sc.check(flow__created=1, flow__backend_syn_tx=1, lb__snat_active=1)
    sc.step("server_synack", "the backend answers 198.51.100.2:40000: "
            "the held ACK released, from there too")
    cn.server_synack()
    sc.check(flow__established=1)
    sc.step("data", "data both ways: to the backend from the "
            "snat_address, back to the client from the VIP")
    cn.c2s(cli.seg("PA", REQUEST))
    resp = cn.s2c(srv.seg("A", body(300, 1)))
    cn.s2c(srv.seg("PA", body(77, 2)))
    cn.c2s(cli.seg("A"))
    sc.check(flow__to_server_pkts=3, flow__to_client_pkts=2)
    sc.step("icmp_frag_needed", "a router: the response needs "
            "fragmenting. To the backend, about its own segment to "
            "198.51.100.2:40000")
    err = icmp_error((GW_MAC, "192.0.2.1", None), PORT_MAC, VIP4, resp,
                     False)
    sc.send("outside", err)
    back = requote(err, be[0], 80, (resp[TCP].seq - cn.x.seq_delta) & U32,
                   dst=sn, dport=40000)
    sc.out("inside", routed(back, be[1], dst=be[0]))
    sc.count(flow__icmp_relayed=1)
    sc.check(flow__icmp_relayed=1)
    sc.step("strangers", "a free port (snat_noflow); the flow's port "
            "from another backend or port, its answer to the client's "
            "address (backend_mismatch); a port not in snat_ports")
    sc.send("inside", tcp_from(be[0], be[1], 80, sn, 40003, "PA",
                               data=b"x"))
    sc.send("inside", tcp_from(be2[0], be2[1], 80, sn, 40000, "PA",
                               data=b"x"))
    sc.send("inside", tcp_from(be[0], be[1], 81, sn, 40000, "PA",
                               data=b"x"))
    sc.send("inside", tcp_from(be[0], be[1], 80, c4[0], 40700, "PA",
                               seq=srv.nxt, ack=srv.rcv, data=b"x"))
    sc.send("inside", tcp_from(be[0], be[1], 80, sn, 39999, "PA",
                               data=b"x"), protected=False)
    sc.count(drop__snat_noflow=1, drop__backend_mismatch=3,
             drop__unprotected=1)
    sc.check(drop__snat_noflow=1, drop__backend_mismatch=3,
             outside__tx_pkts=sc.c["outside.tx_pkts"])

    sc.step("plain_syn", "a client of [service:plain], port 81, nat = "
            "dnat: answered as ever")
    dn = LbConn(sc, False, 40710, c_isn=0x33333333, s_isn=0x44444444,
                client=c4, backend=be2, bport=81, vport=81)
    dn.syn()
    sc.step("plain_flow", "its backend SYN keeps the client's address; "
            "the backend answers the client's")
    dn.third_ack()
    sc.step("plain_synack", "the backend .12 answers the client's "
            "address")
    dn.server_synack()
    sc.step("plain_data", "data both ways")
    dn.c2s(dn.cli.seg("PA", REQUEST))
    dn.s2c(dn.srv.seg("PA", body(64, 3)))
    sc.check(lb__snat_active=1)

    more = [LbConn(sc, False, 40720 + i, c_isn=0x01000000 * (i + 1),
                   s_isn=0x20000000 + i, client=c4, backend=be,
                   snat=(sn, 40001 + i)) for i in range(3)]
    sc.step("more_syns", "three more clients of web")
    for m in more:
        m.syn()
    sc.step("more_acks", "their backend SYNs from 40001, 40002, 40003")
    for m in more:
        m.third_ack()
    sc.count(lb__snat_active=3)
    sc.check(lb__snat_active=4)
    sc.step("more_synacks", "their backends answer")
    for m in more:
        m.server_synack()
    sc.step("exhausted_syn", "a fifth client of web")
    ex = LbConn(sc, False, 40740, c_isn=0x55555555, s_isn=0, client=c4,
                backend=be)
    ex.syn()
    sc.step("exhausted_ack", "its cookie ACK: no local port free; a RST "
            "to the client (lb.snat_no_port), no flow, nothing inside")
    a = ex.cli.seg("A")
    sc.send("outside", a)
    sc.out("outside", rst_reply(a))
    sc.count(syncookie__cookie_ok=1, lb__snat_no_port=1, flow__rst_tx=1)
    sc.check(lb__snat_no_port=1, lb__snat_active=4, flow__created=5)

    sc.step("reset_40002", "the client on 40002 resets: its RST reaches "
            "the backend from 198.51.100.2:40002; the flow is reset")
    more[1].c2s(more[1].cli.seg("RA", win=0))
    sc.count(flow__reset=1)
    sc.step("close_fin", "the first client closes")
    cn.c2s(cli.seg("FA"))
    sc.step("close_backend_fin", "the backend acks and closes")
    cn.s2c(srv.seg("FA"))
    sc.step("close_last_ack", "the client's last ACK: closed")
    cn.c2s(cli.seg("A"))
    sc.count(flow__closed=1)
    sc.step("linger", "linger_ms later both flows are freed, 40002 "
            "first, then 40000: their ports to the back of the queue",
            wait=300)
    sc.count(flow__freed=2, lb__snat_active=-2)
    sc.check(flow__freed=2, lb__snat_active=2)

    again = [LbConn(sc, False, 40750 + i, c_isn=0x66000000 + i,
                    s_isn=0x70000000 + i, client=c4, backend=be,
                    snat=(sn, port))
             for i, port in enumerate((40002, 40000))]
    sc.step("again_syns", "two more clients of web")
    for m in again:
        m.syn()
    sc.step("again_acks", "their backend SYNs from 40002, then 40000: "
            "least recently freed first")
    for m in again:
        m.third_ack()
    sc.count(lb__snat_active=2, flow__active=5)
    sc.check(lb__snat_active=4, flow__active=5, flow__created=7)
    sc.step("old_ack", "the backend still holds 40000's last connection "
            "(TIME_WAIT) and answers the SYN with its ACK: a RST at that "
            "ack, from 198.51.100.2:40000 (the SYN is sent again later)")
    old = tcp_from(be[0], be[1], 80, sn, 40000, "A", seq=0x0BADF00D,
                   ack=0x7EA50000)
    sc.send("inside", old)
    sc.out("inside", rst_reply(old))
    sc.count(flow__old_ack_rst=1)
    sc.check(flow__old_ack_rst=1, lb__snat_active=4)
    plain = ("[service:plain]\nprefix = %s\nports = 81\nmss = %d\n"
             "mss6 = %d\nwscale = %d\nsack = yes\ntimestamps = yes\n"
             "ecn = no\nfirst_contact = trust\n"
             "backends = 198.51.100.12\nnat = dnat\n" % (
                 VIP4, WEB.mss, WEB.mss6, WEB.wscale))
    sc.write("198.51.100.11", vips=(VIP4,), neighbours=[be, be2, c4],
             lb_extra="snat_address = %s\nsnat_ports = 40000-40003\n" % sn,
             nat="snat", linger_ms=100, sections=plain, snat_ports=4)


def lb_snat6():
    """lb mode, nat = snat, two workers: a backend's answer reaches the
    worker that owns its flow by its destination port. snat_address
    2001:db8:100::2 for IPv6 (IPv4: the inside address, 198.51.100.1,
    by default), snat_ports 40000-40008: worker 0 has 40000-40003,
    worker 1 40004-40007, 40008 is nobody's. Every client frame comes
    in on queue 0, every backend frame on queue 1. An IPv6 flow owned
    by worker 0 (40000: its backend's frames come to worker 1 and are
    handed over by port) and an IPv4 one owned by worker 1 (40004: its
    client's frames are handed over by the flow hash) run side by side:
    handshake, data, close, and once lingered both ports are free
    again. The backend's NS for 2001:db8:100::2 is answered; frames to
    40001 (worker 0's, no flow: handed over, dropped there), 40005
    (worker 1's, no flow) and 40008 are drop.snat_noflow."""
    sc = LbScript("lb_snat6", lb_snat6.__doc__, workers=2)
    c4, c6 = LB_CLIENT4, LB_CLIENT6
    p6 = next(p for p in range(40800, 40900)
              if lb_flow_owner(True, c6[0], p) == 0)
    p4 = next(p for p in range(40900, 41000)
              if lb_flow_owner(False, c4[0], p) == 1)
    a = LbConn(sc, True, p6, c_isn=0xCAFE0000, s_isn=0x0FF0FF00,
               client=c6, backend=BE6A, snat=(SNAT6, 40000), fl=0x12345,
               cq=0, sq=1)
    b = LbConn(sc, False, p4, c_isn=0xBEEF0000, s_isn=0x12121212,
               client=c4, backend=BE4A, snat=(IN4, 40004), cq=0, sq=1)
    flows = [a, b]
    steered = 0

    sc.step("snat_ns", "the backend solicits the IPv6 snat_address: "
            "answered on the inside port")
    sc.send("inside", ns_frame(BE6A[1], BE6A[0], SNAT6), queue=1,
            protected=False)
    sc.out("inside", na_frame(PORT_MAC, SNAT6, BE6A[0], BE6A[1]))
    sc.count(lb__nd_rx=1, lb__na_tx=1)
    sc.step("syn", "both clients' SYNs: answered by each flow's owner")
    for cn in flows:
        cn.syn()
    steered += 1                        # b's SYN, to worker 1
    sc.step("third_ack", "both cookie ACKs: backend SYNs from "
            "[2001:db8:100::2]:40000 and 198.51.100.1:40004")
    for cn in flows:
        cn.third_ack()
    steered += 1
    sc.count(lb__snat_active=2)
    sc.check(flow__created=2, lb__snat_active=2)
    sc.step("server_synack", "both backends answer: 40000's answer to "
            "worker 0 by its port")
    for cn in flows:
        cn.server_synack()
    steered += 1                        # a's SYN-ACK, to worker 0
    sc.step("data", "data both ways")
    for cn in flows:
        cn.c2s(cn.cli.seg("PA", REQUEST))
        cn.s2c(cn.srv.seg("A", body(200, 5)))
        cn.s2c(cn.srv.seg("PA", body(51, 6)))
        cn.c2s(cn.cli.seg("A"))
    steered += 2 + 2
    sc.step("strangers", "to ports no flow holds: 40001 (worker 0's, "
            "handed over), 40005 (worker 1's), 40008 (nobody's)")
    sc.send("inside", tcp_from(BE6A[0], BE6A[1], 80, SNAT6, 40001, "PA",
                               data=b"x"), queue=1)
    sc.send("inside", tcp_from(BE4A[0], BE4A[1], 80, IN4, 40005, "PA",
                               data=b"x"), queue=1)
    sc.send("inside", tcp_from(BE4A[0], BE4A[1], 80, IN4, 40008, "PA",
                               data=b"x"), queue=1)
    steered += 1
    sc.count(drop__snat_noflow=3)
    sc.check(drop__snat_noflow=3)
    sc.step("client_fin", "both clients close")
    for cn in flows:
        cn.c2s(cn.cli.seg("FA"))
    steered += 1
    sc.step("backend_fin", "both backends ack and close")
    for cn in flows:
        cn.s2c(cn.srv.seg("FA"))
    steered += 1
    sc.step("last_ack", "both clients' last ACKs: closed")
    for cn in flows:
        cn.c2s(cn.cli.seg("A"))
    steered += 1
    sc.count(flow__closed=2)
    sc.step("linger", "linger_ms later both flows are gone, their ports "
            "free", wait=300)
    sc.count(flow__freed=2, lb__snat_active=-2, flow__steered=steered)
    sc.check(flow__active=0, flow__freed=2, lb__snat_active=0,
             flow__steered=steered)
    sc.write("198.51.100.11, 2001:db8:100::11",
             neighbours=[BE4A, BE6A, c4, c6],
             lb_extra="snat_address = %s\nsnat_ports = 40000-40008\n" %
             SNAT6, nat="snat", linger_ms=100, snat_ports=8)


def lb():
    lb_arp()
    lb_handshake4()
    lb_handshake6()
    lb_offlink()
    lb_mismatch()
    lb_synflood()
    lb_refused()
    lb_snat4()
    lb_snat6()


# --- the PROXY protocol header ----------------------------------------------

PP_V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def pp_header(ver, v6, client, server, cport, sport):
    """HAProxy's proxy-protocol.txt: v1 "PROXY TCP4|TCP6 SRC DST SPORT
    DPORT\r\n" (IPv6 as RFC 5952 writes it), v2 the signature, 0x21
    (v2, PROXY), 0x11 / 0x21 (TCP over IPv4 / IPv6), the length, the
    addresses and ports; no TLVs."""
    import ipaddress
    c, s_ = ipaddress.ip_address(client), ipaddress.ip_address(server)
    if ver == "v1":
        return ("PROXY %s %s %s %d %d\r\n" % ("TCP6" if v6 else "TCP4",
                                               c.compressed, s_.compressed,
                                               cport, sport)).encode()
    body = c.packed + s_.packed + struct.pack(">HH", cport, sport)
    return (PP_V2_SIG + bytes([0x21, 0x21 if v6 else 0x11]) +
            struct.pack(">H", len(body)) + body)


def pp_seg(frame, seq, ack, window, ts, data):
    """What synwall sends the server in the client's name, built from the
    server's `frame` turned round (as a challenge ACK is): ACK|PSH at
    the header's first byte, the header as its payload."""
    t = frame[TCP]
    o = [("NOP", None), ("NOP", None), ("Timestamp", ts)] if ts else []
    return raw(reply_l2(frame) / reply_l3(frame) /
               TCP(sport=t.dport, dport=t.sport, flags="PA", seq=seq & U32,
                   ack=ack & U32, window=window, options=o) / Raw(data))


class PpConn(Conn):
    """A connection to a service with proxy_protocol: the backend SYN's
    ISN is the client's less the header's length; the server's SYN-ACK
    is answered with the header, at the bytes just before the client's
    first, then the held segments follow as ever."""

    def __init__(self, sc, v6, cport, c_isn, s_isn, ver, port, **kw):
        super().__init__(sc, v6, cport, c_isn, s_isn, port=port, **kw)
        self.hdr = pp_header(ver, v6, self.cli.addr, self.cli.peer,
                             cport, port)
        self.last_cts = None

    def third_ack(self, data=b""):
        a = self.cli.seg("PA" if data else "A", data)
        self.c_send(a)
        self.first = a
        self.bsyn = backend_syn(a, self.co, pp_len=len(self.hdr))
        self.sc.out("inside", self.bsyn)
        self.srv.got(self.bsyn)
        self.held = [a]
        self.last_cts = opt(a, "Timestamp")[0]
        self.sc.count(syncookie__cookie_ok=1, flow__created=1,
                      flow__held=1, flow__backend_syn_tx=1)
        assert self.srv.rcv == (a[TCP].seq - len(self.hdr)) & U32
        return a

    def hold(self, frame):
        super().hold(frame)
        self.last_cts = opt(frame, "Timestamp")[0]

    def header_for(self, frame, tracked=True):
        """The header segment answering the server's `frame`: seq the
        header's start, ack what the server sent (as the client would
        ack it), the client's window as the server reads it, TSecr the
        newest TSval of the server's that synwall tracked (`frame`'s,
        unless it is a SYN-ACK sent again, which is not tracked)."""
        x = self.x
        if tracked:
            self.srv_ts_echo = opt(frame, "Timestamp")[0]
        return pp_seg(frame, (self.first[TCP].seq - len(self.hdr)),
                      self.srv.nxt,
                      rescale(self.cli.win, x.ws_client, x.ws_client_srv),
                      (self.last_cts, self.srv_ts_echo), self.hdr)

    def server_synack(self, win=65160, lost=False):
        s = self.srv
        sa = s.seg("SA", win=win,
                   options=server_synack_opts(s, self.v6, self.srv_ws,
                                              self.srv_sack, self.srv_ts,
                                              self.srv_mss))
        assert sa[TCP].ack == (self.first[TCP].seq - len(self.hdr)) & U32
        self.s_send(sa)
        self.x = Xlate(self.cookie, self.our_ts, sa, self.co,
                       WEB.wscale if self.co.ws is not None else 0)
        self.srv_ts_echo = opt(sa, "Timestamp")[0]
        # Before the held segments: with the oldest TSval of theirs
        # (the first's), or the server's PAWS would drop them.
        h = self.header_for(sa)
        self.header_tsval = opt(self.first, "Timestamp")[0]
        h = patched(h, lambda t: setattr(t, "options", [
            ("NOP", None), ("NOP", None),
            ("Timestamp", (self.header_tsval, self.srv_ts_echo))]))
        self.sc.out("inside", h)
        if not lost:
            s.got(h)
        for f in self.held:
            out = to_server(f, self.x)
            self.sc.out("inside", out, relayed=True)
            if not lost:
                s.got(out)
        self.sc.count(flow__established=1, flow__pp_header_tx=1)
        self.synack_frame = sa
        return sa


def proxy_protocol():
    """The PROXY protocol header (docs/handoff.md): (a) v1 over IPv4
    with a request held during the hand-off: the header goes to the
    server first, as the ACK that completes its handshake, then the
    held ACK and request, their sequence numbers unchanged; (b) v2 over
    IPv6 to a server that speaks first: its banner, which acknowledges
    the header, reaches the client before the client sent anything;
    (c) v2 over IPv4, the header lost twice: the server's SYN-ACK again
    gets it again, and so does its ACK at the header's start (sent
    when the client's request arrived without it), which reaches the
    client with its ack raised to the client's ISN + 1; once the server
    acknowledges everything, the flow is plain."""
    sc = Script("proxy_protocol", proxy_protocol.__doc__)
    pp1, pp2 = Svc(81, pp="v1"), Svc(82, pp="v2")

    a = PpConn(sc, False, 41000, c_isn=0xFFFFFFF0, s_isn=0x5000, ver="v1",
               port=81)
    assert len(a.hdr) == len("PROXY TCP4 192.0.2.10 192.0.2.80 41000 81\r\n")
    sc.step("v1_syn", "the client's SYN: a SYN-ACK with a cookie")
    a.syn()
    sc.step("v1_third_ack", "the backend SYN: the client's ISN less the "
            "header's length (it wraps)")
    a.third_ack()
    sc.step("v1_request", "the request before the server answered: held")
    a.hold(a.cli.seg("PA", REQUEST))
    sc.step("v1_synack", "the server's SYN-ACK: the header, then the "
            "held ACK and request")
    a.server_synack()
    sc.check(flow__pp_header_tx=1, flow__pp_header_retx=0)
    sc.step("v1_response", "the server acks the request and answers; "
            "the client acks")
    a.s2c(a.srv.seg("PA", body(300, 4)))
    a.c2s(a.cli.seg("A"))

    b = PpConn(sc, True, 41001, c_isn=0x10000, s_isn=0xFFFFFF00, ver="v2",
               port=82)
    assert len(b.hdr) == 52
    sc.step("v2_syn", "IPv6, v2: the client's SYN")
    b.syn()
    sc.step("v2_third_ack", "the backend SYN, 52 bytes below")
    b.third_ack()
    sc.step("v2_synack", "the server's SYN-ACK: the header, the ACK")
    b.server_synack()
    sc.step("v2_banner", "the server speaks first: its banner acks the "
            "header and reaches the client; the client answers")
    banner = b.s2c(b.srv.seg("PA", b"220 synwall test ESMTP\r\n"))
    assert banner[TCP].ack == (b.first[TCP].seq) & U32
    b.c2s(b.cli.seg("PA", b"EHLO client\r\n"))
    b.s2c(b.srv.seg("A"))
    sc.check(flow__pp_header_tx=2, flow__pp_header_retx=0)

    c = PpConn(sc, False, 41002, c_isn=77777, s_isn=99999, ver="v2",
               port=82)
    sc.step("lost_syn", "v2 over IPv4: the client's SYN")
    c.syn()
    sc.step("lost_third_ack", "the backend SYN")
    c.third_ack()
    sc.step("lost_synack", "the server's SYN-ACK: the header (lost)")
    sa = c.server_synack(lost=True)
    sc.step("lost_synack_again", "the server resends its SYN-ACK: the "
            "header again (lost again)")
    sc.send("inside", sa)
    sc.out("inside", c.header_for(sa, tracked=False))
    sc.count(flow__pp_header_retx=1)
    sc.check(flow__pp_header_retx=1)
    sc.step("lost_request", "the client's request crosses; the server "
            "has no header: its ACK at the header's start SACKs the "
            "request; the header again, the ACK raised for the client")
    req = c.cli.seg("PA", REQUEST)
    c.last_cts = opt(req, "Timestamp")[0]
    c.sc.send("outside", req)
    sc.out("inside", to_server(req, c.x), relayed=True)
    hs = (c.first[TCP].seq - len(c.hdr)) & U32
    r0 = req[TCP].seq
    dup = c.srv.seg("A", ack=hs, sack=(r0, (r0 + len(REQUEST)) & U32))
    sc.send("inside", dup)
    h = c.header_for(dup)
    sc.out("inside", h)
    c.srv.got(h)
    raised = patched(to_client(dup, c.x), lambda t: setattr(t, "ack", r0))
    sc.out("outside", raised, relayed=True)
    c.cli.got(raised)
    sc.count(flow__pp_header_retx=1)
    sc.check(flow__pp_header_retx=2)
    sc.step("lost_done", "the server has it all: acks the request, "
            "answers; plain from now on")
    c.srv.rcv = (r0 + len(REQUEST)) & U32
    c.s2c(c.srv.seg("PA", body(100, 9)))
    c.s2c(c.srv.seg("A", ack=hs))    # a late ACK: old, relayed as it is
    sc.count(flow__active=3)
    sc.write(services={"web": WEB, "pp1": pp1, "pp2": pp2})


def scripted():
    handshake(False)
    handshake(True)
    lost_ack()
    dup_ack()
    backend_rst()
    backend_timeout()
    rst_challenge()
    fin_close()
    two_workers()
    hold_full()
    idle_timeout()
    icmp()
    synack_window()
    relay_edges()
    cookie_replay()
    first_contact()
    too_big()
    proxy_protocol()


def main():
    os.makedirs(OUT, exist_ok=True)
    forwarding("pass", "pass")
    forwarding("drop", "drop")
    syncookie()
    rst_and_reflect()
    scripted()
    lb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
