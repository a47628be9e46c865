#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write tests/unit/vectors.h and the fuzz seed corpus (tests/fuzz/corpus/).

Frames are built with scapy; the expected parse results are read back from
scapy's own dissection (layer lengths, header fields, option list) and the
checksums are scapy's, cross-checked by an independent RFC 1071 sum here.
Malformed frames are good frames with one field broken; each names the
error sw_parse() must return.

Run from anywhere with Debian's scapy (apt install python3-scapy):
    /usr/bin/python3 tests/unit/gen_vectors.py
Both outputs are checked in; rerun and commit them together.
"""

import logging
import os
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

import scapy  # noqa: E402
from scapy.layers.inet import IP, TCP, UDP, ICMP, fragment  # noqa: E402
from scapy.layers.inet import IPOption_Router_Alert, IPOption_RR  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop,  # noqa: E402
                                IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                                IPv6ExtHdrFragment, PadN, Jumbo, fragment6)
from scapy.layers.ipsec import AH  # noqa: E402
from scapy.layers.l2 import Ether, ARP  # noqa: E402
from scapy.packet import Raw  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_H = os.path.join(HERE, "vectors.h")
CORPUS = os.path.normpath(os.path.join(HERE, "..", "fuzz", "corpus"))

# RFC 5737 / RFC 3849 documentation addresses, as DESIGN.md asks.
MAC_A = "02:00:00:00:00:0a"
MAC_B = "02:00:00:00:00:0b"
A4, B4 = "192.0.2.1", "198.51.100.1"
A6, B6 = "2001:db8::1", "2001:db8:1::80"

ET_IPV4, ET_IPV6, ET_ARP = 0x0800, 0x86DD, 0x0806
TPID_8021Q, TPID_8021AD, TPID_9100 = 0x8100, 0x88A8, 0x9100
IPV6_EXT = {0, 43, 44, 51, 60, 135, 139, 140}

# Linux's SYN option layout (net/ipv4/tcp_output.c, tcp_options_write):
# MSS, SACK_PERM, TS, NOP, WS.
LINUX_SYN_OPTS = [("MSS", 1460), ("SAckOK", b""),
                  ("Timestamp", (2940212345, 0)), ("NOP", None),
                  ("WScale", 7)]


# ---------------------------------------------------------------- helpers

def ocsum(data, start=0):
    """RFC 1071 ones' complement sum, big-endian words, folded."""
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def l2(ethertype, vlans=(), reply=False):
    """Ethernet header plus VLAN tags [(tpid, tci), ...], outermost first;
    A -> B, or B -> A for a reply."""
    types = [t for t, _ in vlans] + [ethertype]
    src, dst = (MAC_B, MAC_A) if reply else (MAC_A, MAC_B)
    b = bytes(Ether(dst=dst, src=src, type=types[0]))
    for i, (_, tci) in enumerate(vlans):
        b += struct.pack("!HH", tci, types[i + 1])
    return b


class Vec:
    def __init__(self, name, what, frame, err="SW_PARSE_OK", exp=None,
                 ck=None):
        self.name, self.what, self.frame = name, what, bytes(frame)
        self.err, self.exp, self.ck = err, exp, ck or {}


VECS = []
CORPUS_NAMES = []


def tcp_opts_walk(raw, base):
    """Option offsets/values from the raw header, independent of scapy."""
    o = dict(present=[], mss=0, wscale=0, n_sack=0, ts_off=0, sack_off=[],
             tsval=0, tsecr=0, sack=[])
    i = 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        olen = raw[i + 1]
        body = raw[i + 2:i + olen]
        if kind == 2:
            o["present"].append("SW_TCPOPT_F_MSS")
            o["mss"] = struct.unpack("!H", body)[0]
        elif kind == 3:
            o["present"].append("SW_TCPOPT_F_WSCALE")
            o["wscale"] = body[0]
        elif kind == 4:
            o["present"].append("SW_TCPOPT_F_SACKOK")
        elif kind == 5:
            o["present"].append("SW_TCPOPT_F_SACK")
            # Every block of every SACK option, in order.
            o["sack_off"] += [base + i + 2 + j
                              for j in range(0, len(body), 8)]
            o["sack"] += [struct.unpack("!II", body[j:j + 8])
                          for j in range(0, len(body), 8)]
            o["n_sack"] = len(o["sack"])
        elif kind == 8:
            o["present"].append("SW_TCPOPT_F_TS")
            o["ts_off"] = base + i + 2
            o["tsval"], o["tsecr"] = struct.unpack("!II", body)
        elif kind == 34:
            o["present"].append("SW_TCPOPT_F_FASTOPEN")
        else:
            o["present"].append("SW_TCPOPT_F_UNKNOWN")
        i += olen
    o["present"] = sorted(set(o["present"]))
    return o


def check_scapy_opts(opts, o):
    """scapy's option list must agree with the walk above."""
    sack = []
    for k, v in opts:
        if k == "SAck":
            sack += list(v)
    assert [x for pair in o["sack"] for x in pair] == sack
    for k, v in opts:
        if k == "MSS":
            assert o["mss"] == v
        elif k == "WScale":
            assert o["wscale"] == v
        elif k == "Timestamp":
            assert (o["tsval"], o["tsecr"]) == tuple(v)


def good(name, what, l3b, ethertype, vlans=(), pad=b"", l4_override=None,
         corpus=False, reply=False):
    """A frame that must parse; expectations from scapy's dissection."""
    l2b = l2(ethertype, vlans, reply)
    frame = l2b + l3b + pad
    l3_off = len(l2b)
    e = dict(len=len(frame), flags=[], ethertype=ethertype,
             n_vlan=len(vlans), vlan_tci=[t for _, t in vlans], l3="OTHER",
             l4_proto=0, l3_off=0, l4_off=0, ip_end=0, ip_hdr_len=0,
             tcp_hdr_len=0, payload_off=0, payload_len=0, src_port=0,
             dst_port=0, seq=0, ack=0, tcp_flags=0, window=0, opt=None)
    ck = {}
    upper = None
    if ethertype == ET_IPV4:
        ip = IP(l3b)
        e.update(l3="IPV4", l3_off=l3_off, ip_hdr_len=ip.ihl * 4,
                 ip_end=l3_off + ip.len, l4_off=l3_off + ip.ihl * 4,
                 l4_proto=ip.proto)
        if ip.ihl > 5:
            e["flags"].append("SW_PKT_F_IPV4_OPT")
        if ip.flags.MF or ip.frag:
            e["flags"].append("SW_PKT_F_FRAG")
            e["flags"].append("SW_PKT_F_L4_NONE" if ip.frag
                              else "SW_PKT_F_FRAG_FIRST")
        assert ocsum(l3b[:ip.ihl * 4]) == 0xFFFF
        ck["ip"] = ip.chksum
        if not ip.frag:
            upper = ip.getlayer(TCP) or ip.getlayer(UDP)
        phdr = ocsum(l3b[12:20]) + ip.proto
        frag = bool(ip.flags.MF or ip.frag)
    elif ethertype == ET_IPV6:
        ip = IPv6(l3b)
        e.update(l3="IPV6", l3_off=l3_off, ip_hdr_len=40,
                 ip_end=l3_off + 40 + ip.plen)
        frag = False
        n_ext = 0
        layer = ip.payload
        nh = ip.nh
        while nh in IPV6_EXT and not isinstance(layer, Raw):
            n_ext += 1
            if isinstance(layer, IPv6ExtHdrFragment):
                if layer.offset or layer.m:
                    frag = True
                    e["flags"].append("SW_PKT_F_FRAG")
                    if layer.offset:
                        e["flags"].append("SW_PKT_F_L4_NONE")
                    else:
                        e["flags"].append("SW_PKT_F_FRAG_FIRST")
            nh = layer.nh
            layer = layer.payload
            if "SW_PKT_F_L4_NONE" in e["flags"]:
                break
        if nh == 59:
            e["flags"].append("SW_PKT_F_L4_NONE")
        if n_ext:
            e["flags"].append("SW_PKT_F_IPV6_EXT")
        e["l4_proto"] = nh
        e["l4_off"] = e["ip_end"] - len(bytes(layer))
        if "SW_PKT_F_L4_NONE" not in e["flags"] and nh in (6, 17):
            upper = layer
        phdr = ocsum(l3b[8:40]) + nh
    if l4_override:
        e.update(l4_override)
    if upper is not None and e["l4_proto"] in (6, 17):
        seg = l3b[e["l4_off"] - l3_off:e["ip_end"] - l3_off]
        if not frag:
            assert ocsum(seg, phdr + len(seg)) == 0xFFFF, name
            ck["l4"] = struct.unpack("!H", seg[16:18] if e["l4_proto"] == 6
                                     else seg[6:8])[0]
        if e["l4_proto"] == 6:
            t = TCP(seg) if l4_override else upper
            hl = t.dataofs * 4
            e.update(tcp_hdr_len=hl, payload_off=e["l4_off"] + hl,
                     src_port=t.sport, dst_port=t.dport, seq=t.seq,
                     ack=t.ack, tcp_flags=int(t.flags) & 0xFF,
                     window=t.window)
            e["flags"].append("SW_PKT_F_TCP")
            o = tcp_opts_walk(seg[20:hl], e["l4_off"] + 20)
            check_scapy_opts(t.options, o)
            e["opt"] = o
        else:
            u = UDP(seg[:8])
            e.update(payload_off=e["l4_off"] + 8, src_port=u.sport,
                     dst_port=u.dport)
            e["flags"].append("SW_PKT_F_UDP")
        e["payload_len"] = e["ip_end"] - e["payload_off"]
    if e["ip_end"] and e["ip_end"] < len(frame):
        e["flags"].append("SW_PKT_F_PADDED")
    VECS.append(Vec(name, what, frame, exp=e, ck=ck))
    if corpus:
        CORPUS_NAMES.append(name)
    return frame


def bad(name, what, frame, err):
    VECS.append(Vec(name, what, frame, err="SW_PARSE_" + err))


def put(b, off, data):
    b = bytearray(b)
    b[off:off + len(data)] = data
    return bytes(b)


def tcp4(opts=None, flags="S", seq=1000, ack=0, payload=b"", sport=40000,
         dport=80, ip_kw=None, tcp_kw=None):
    ip = IP(src=A4, dst=B4, id=0x1c46, flags="DF", ttl=64, **(ip_kw or {}))
    t = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
            window=64240, options=opts or [], **(tcp_kw or {}))
    return ip / t / Raw(payload) if payload else ip / t


def tcp6(opts=None, flags="S", seq=1000, ack=0, payload=b"", exts=()):
    p = IPv6(src=A6, dst=B6, hlim=64, fl=0x12345)
    for x in exts:
        p = p / x
    p = p / TCP(sport=40000, dport=443, flags=flags, seq=seq, ack=ack,
                window=65535, options=opts or [])
    return p / Raw(payload) if payload else p


def tcp4_rawopts(opt, flags="S", doff=None, payload=b""):
    """IPv4/TCP with option bytes exactly as given (scapy would fix them)."""
    optp = opt + b"\0" * (-len(opt) % 4)
    if doff is None:
        doff = 5 + len(optp) // 4
    return bytes(IP(src=A4, dst=B4, id=7, ttl=64) /
                 TCP(sport=40000, dport=80, flags=flags, seq=1000,
                     window=1024, dataofs=doff) / Raw(optp + payload))


# ---------------------------------------------------------------- vectors

def build():
    syn4 = bytes(tcp4(LINUX_SYN_OPTS, seq=0x8F2E1A3B))
    good("ipv4_syn_linux", "IPv4 SYN, Linux option order MSS,SACKOK,TS,NOP,WS",
         syn4, ET_IPV4, corpus=True)
    syn6 = bytes(tcp6([("MSS", 1440), ("SAckOK", b""),
                       ("Timestamp", (12345, 0)), ("NOP", None),
                       ("WScale", 9)], seq=0xFFFFFFF0))
    good("ipv6_syn_linux", "IPv6 SYN, Linux option order", syn6, ET_IPV6,
         corpus=True)
    good("vlan_ipv4_syn", "802.1Q tag PCP 3 VID 100", syn4, ET_IPV4,
         vlans=[(TPID_8021Q, (3 << 13) | 100)], corpus=True)
    good("qinq_ipv4_syn", "802.1ad S-tag VID 10 + 802.1Q C-tag VID 20", syn4,
         ET_IPV4, vlans=[(TPID_8021AD, 10), (TPID_8021Q, (1 << 12) | 20)],
         corpus=True)
    good("qinq9100_ipv6_syn", "0x9100 outer tag (pre-802.1ad) + 802.1Q",
         syn6, ET_IPV6, vlans=[(TPID_9100, 0xFFF), (TPID_8021Q, 1)])
    good("ipv4_opt_ra_syn", "IPv4 Router Alert option (RFC 2113), IHL 6",
         bytes(tcp4([("MSS", 536)], ip_kw=dict(
             options=[IPOption_Router_Alert()]))), ET_IPV4, corpus=True)
    good("ipv4_opt_max_syn", "IPv4 Record Route filling IHL 15",
         bytes(tcp4([("MSS", 536)], ip_kw=dict(options=[IPOption_RR(
             routers=["203.0.113.%d" % i for i in range(1, 10)])]))),
         ET_IPV4)
    good("ipv6_ext_syn",
         "IPv6 HbH + dest opts + routing (segleft 0) + dest opts",
         bytes(tcp6([("MSS", 1220)], exts=[
             IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]),
             IPv6ExtHdrDestOpt(),
             IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=0),
             IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)])])),
         ET_IPV6, corpus=True)
    good("ipv6_ext8_syn", "8 dest-opts headers: the most the walk takes",
         bytes(tcp6(exts=[IPv6ExtHdrDestOpt()] * 8)), ET_IPV6)

    # AH: scapy 2.5 neither sums TCP behind AH nor dissects it; do both here.
    ah6 = bytearray(bytes(IPv6(src=A6, dst=B6, hlim=64) /
                          AH(nh=6, payloadlen=4, spi=0x1000, seq=1,
                             icv=b"\0" * 12) /
                          TCP(sport=40000, dport=443, flags="S", seq=5,
                              window=1000, options=[("MSS", 1400)])))
    seg = ah6[64:]
    seg[16:18] = b"\0\0"
    seg[16:18] = struct.pack("!H", 0xFFFF & ~ocsum(
        bytes(seg), ocsum(bytes(ah6[8:40])) + 6 + len(seg)))
    ah6[64:] = seg
    good("ipv6_ah_syn", "IPv6 AH (RFC 4302, 24 bytes) then TCP", bytes(ah6),
         ET_IPV6, l4_override=dict(l4_off=14 + 64, l4_proto=6))
    good("ipv6_nonext", "IPv6 next header 59: bytes after it ignored",
         bytes(IPv6(src=A6, dst=B6, nh=59) / Raw(b"ignored!")), ET_IPV6)

    big = tcp4(flags="PA", seq=77, ack=88, payload=bytes(range(100)))
    f4 = fragment(big, fragsize=48)
    good("ipv4_frag_first", "IPv4 first fragment (MF, offset 0), TCP inside",
         bytes(f4[0]), ET_IPV4, corpus=True)
    good("ipv4_frag_later", "IPv4 non-first fragment: no L4 header",
         bytes(f4[1]), ET_IPV4)
    good("ipv4_frag_last", "IPv4 last fragment (offset, no MF)",
         bytes(f4[2]), ET_IPV4)
    f6 = fragment6(IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234) /
                   TCP(sport=1, dport=443, flags="PA") /
                   Raw(bytes(range(200))), 150)
    good("ipv6_frag_first", "IPv6 fragment header, offset 0, M set",
         bytes(f6[0]), ET_IPV6, corpus=True)
    good("ipv6_frag_later", "IPv6 fragment header, offset 12",
         bytes(f6[1]), ET_IPV6)
    good("ipv6_frag_atomic", "RFC 6946 atomic fragment: a whole packet",
         bytes(tcp6(exts=[IPv6ExtHdrFragment(id=9, offset=0, m=0)])),
         ET_IPV6)

    edges = [(0x1000 * i, 0x1000 * i + 0x800) for i in range(1, 5)]
    for n in range(1, 5):
        sack = tuple(x for pair in edges[:n] for x in pair)
        good("sack%d" % n, "ACK with %d SACK block(s) (RFC 2018)" % n,
             bytes(tcp4([("NOP", None), ("NOP", None), ("SAck", sack)],
                        flags="A", seq=500, ack=0x1000)),
             ET_IPV4, corpus=(n == 4))
    good("sack3_ts", "NOP NOP TS NOP NOP SACK x3: 40 option bytes",
         bytes(tcp4([("NOP", None), ("NOP", None),
                     ("Timestamp", (0xFFFFFFFF, 1)),
                     ("NOP", None), ("NOP", None),
                     ("SAck", tuple(x for p in edges[:3] for x in p))],
                    flags="A", seq=500, ack=0x1000)), ET_IPV4)
    ts_opts = [("NOP", None), ("NOP", None), ("Timestamp", (7, 9))]
    good("big4", "IPv4 segment of 1448 bytes with timestamps (MSS 1460)",
         bytes(tcp4(ts_opts, flags="A", seq=5000, ack=6000,
                    payload=bytes(i % 251 for i in range(1448)))), ET_IPV4)
    good("big6", "IPv6 segment of 1428 bytes with timestamps (MSS 1440)",
         bytes(tcp6(ts_opts, flags="PA", seq=5000, ack=6000,
                    payload=bytes(i % 241 for i in range(1428)))), ET_IPV6)
    good("sack_two_opts", "two SACK options (1 + 2 blocks): every block "
         "of both, in order",
         bytes(tcp4([("NOP", None), ("NOP", None), ("SAck", edges[0]),
                     ("NOP", None), ("NOP", None),
                     ("SAck", tuple(x for p in edges[1:3] for x in p))],
                    flags="A", seq=500, ack=0x1000)), ET_IPV4)
    good("ts_odd", "TS after one NOP: TSval at an odd offset",
         bytes(tcp4([("NOP", None), ("Timestamp", (0x01020304, 0xA0B0C0D0)),
                     ("NOP", None), ("MSS", 1400)], flags="A", seq=9,
                    ack=10)), ET_IPV4)
    good("tfo_unknown", "TFO cookie (kind 34) + experimental kind 253",
         bytes(tcp4([("MSS", 1460), (34, b"\x11" * 8),
                     (253, b"\xf9\x89")])), ET_IPV4)
    good("eol_garbage", "MSS, EOL, then junk that must be ignored",
         tcp4_rawopts(b"\x02\x04\x05\xb4\x00\xff\xff\xff"), ET_IPV4)
    good("ipv4_ecn_syn", "ECN setup SYN (ECE|CWR, RFC 3168)",
         bytes(tcp4([("MSS", 1460)], flags="SEC")), ET_IPV4)
    good("padded_min", "54-byte SYN padded to the 60-byte Ethernet minimum",
         bytes(tcp4(flags="S")), ET_IPV4, pad=b"\0" * 6, corpus=True)
    good("padded_trailer", "IPv6 SYN with a 4-byte trailer after it",
         bytes(tcp6([("MSS", 1440)])), ET_IPV6, pad=b"\xde\xad\xbe\xef")
    good("arp", "ARP request: not IP, parsed OK as L3 other",
         bytes(ARP(op=1, hwsrc=MAC_A, psrc=A4, pdst=B4)), ET_ARP,
         pad=b"\0" * 18, corpus=True)
    good("vlan_arp", "ARP behind an 802.1Q tag",
         bytes(ARP(op=2, hwsrc=MAC_B, psrc=B4, pdst=A4)), ET_ARP,
         vlans=[(TPID_8021Q, 5)])
    good("udp4_dns", "IPv4/UDP 5353 -> 53",
         bytes(IP(src=A4, dst=B4) / UDP(sport=5353, dport=53) /
               Raw(b"\x12\x34" + b"\0" * 10)), ET_IPV4, corpus=True)
    good("udp6", "IPv6/UDP", bytes(IPv6(src=A6, dst=B6) /
                                   UDP(sport=4242, dport=4789) /
                                   Raw(b"x" * 33)), ET_IPV6)
    good("icmp4", "IPv4 ICMP echo: L4 not parsed",
         bytes(IP(src=A4, dst=B4) / ICMP() / Raw(b"ping")), ET_IPV4)

    # The seed's worked example (shared/seed, DESIGN.md): A 192.0.2.1:40000
    # <-> B 198.51.100.1:80, then one data segment each way.
    good("hs_a_syn", "seed: A -> B SYN seq=10000",
         bytes(tcp4([("MSS", 1460)], flags="S", seq=10000)), ET_IPV4,
         corpus=True)
    hs_b = IP(src=B4, dst=A4, ttl=64) / TCP(sport=80, dport=40000,
                                            flags="SA", seq=20000,
                                            ack=10001, window=65535,
                                            options=[("MSS", 1460)])
    good("hs_b_synack", "seed: B -> A SYN-ACK seq=20000 ack=10001",
         bytes(hs_b), ET_IPV4)
    good("hs_a_ack", "seed: A -> B ACK seq=10001 ack=20001",
         bytes(tcp4(flags="A", seq=10001, ack=20001)), ET_IPV4,
         pad=b"\0" * 6)
    good("hs_a_data", "seed: A -> B 100 bytes seq=10001 ack=20001",
         bytes(tcp4(flags="PA", seq=10001, ack=20001,
                    payload=b"GET / HTTP/1.0\r\n" + b"a" * 84)), ET_IPV4)
    good("hs_b_ack", "seed: B -> A ack = 10001 + 100",
         bytes(IP(src=B4, dst=A4) / TCP(sport=80, dport=40000, flags="A",
                                        seq=20001, ack=10101)), ET_IPV4,
         pad=b"\0" * 6)

    # ------------------------------------------------------ malformed
    syn4_f = l2(ET_IPV4) + syn4            # offsets below are frame offsets
    L3 = 14
    L4 = L3 + 20
    bad("l2_trunc_13", "13 bytes: no full Ethernet header", syn4_f[:13],
        "L2_TRUNC")
    bad("vlan_trunc", "802.1Q TPID, tag cut after 2 bytes",
        l2(TPID_8021Q)[:14] + b"\x00\x64", "L2_TRUNC")
    bad("vlan_depth3", "three VLAN tags", l2(ET_IPV4, [
        (TPID_8021AD, 1), (TPID_8021Q, 2), (TPID_8021Q, 3)]) + syn4,
        "VLAN_DEPTH")
    bad("ipv4_trunc", "IPv4 ethertype, 19 bytes of header",
        syn4_f[:L3 + 19], "IPV4_TRUNC")
    bad("ipv4_version6", "IPv4 ethertype, version 6",
        put(syn4_f, L3, b"\x65"), "IPV4_VERSION")
    bad("ipv4_ihl4", "IHL 4 (< 5)", put(syn4_f, L3, b"\x44"), "IPV4_IHL")
    plain4 = l2(ET_IPV4) + bytes(tcp4())
    bad("ipv4_ihl_past_end", "IHL 15 in a 40-byte datagram",
        put(plain4, L3, b"\x4f"), "IPV4_IHL")
    bad("ipv4_totlen_gt_frame", "total length one more than the frame has",
        put(syn4_f, L3 + 2, struct.pack("!H", len(syn4) + 1)),
        "IPV4_TOTLEN")
    bad("ipv4_totlen_19", "total length 19",
        put(syn4_f, L3 + 2, struct.pack("!H", 19)), "IPV4_TOTLEN")
    bad("tcp_trunc", "datagram ends 1 byte into the TCP fixed header",
        put(plain4, L3 + 2, struct.pack("!H", 20 + 19))[:L4 + 19],
        "TCP_TRUNC")
    bad("tcp_doff4", "TCP data offset 4", put(syn4_f, L4 + 12, b"\x40"),
        "TCP_DOFF")
    bad("tcp_doff_past_end", "data offset 15, 20-byte segment",
        put(plain4, L4 + 12, b"\xf0"), "TCP_DOFF")
    bad("tcp_doff_past_padding", "data offset 6, 20-byte segment, padding "
        "after it", put(plain4, L4 + 12, b"\x60") + b"\0" * 6,
        "TCP_DOFF")
    bad("ipv4_frag_tiny", "RFC 1858 tiny first fragment: 8 TCP bytes",
        put(put(plain4, L3 + 2, struct.pack("!H", 28)), L3 + 6,
            b"\x20\x00")[:L4 + 8], "TCP_TRUNC")
    l2v4 = l2(ET_IPV4)
    for name, opt, what in [
            ("opt_len0", b"\x1e\x00", "unknown kind, length 0"),
            ("opt_len1", b"\x01\x1e\x01", "unknown kind, length 1"),
            ("opt_overrun", b"\x01\x01\x08\x0a\x00\x00\x00\x00",
             "TS length 10 with 6 bytes left"),
            ("opt_no_len", b"\x01\x01\x01\x03", "kind in the last byte"),
            ("opt_mss_len3", b"\x02\x03\x05\x01", "MSS length 3"),
            ("opt_mss_len5", b"\x02\x05\x05\xb4\x00\x01\x01\x01",
             "MSS length 5"),
            ("opt_ws_len4", b"\x03\x04\x07\x00", "window scale length 4"),
            ("opt_sackok_len3", b"\x04\x03\x00\x01", "SACK-perm length 3"),
            ("opt_sack_len2", b"\x01\x01\x05\x02", "SACK with no block"),
            ("opt_sack_len11", b"\x05\x0b" + b"\0" * 9 + b"\x01",
             "SACK length 11"),
            ("opt_ts_len8", b"\x08\x08" + b"\0" * 6, "TS length 8"),
            ("opt_tfo_len3", b"\x22\x03\x00\x01", "TFO length 3"),
            ("opt_unknown_overrun", b"\x01\xfd\x0c" + b"\0" * 5,
             "unknown kind running past the header")]:
        bad(name, what, l2v4 + tcp4_rawopts(opt), "TCP_OPT")

    syn6_f = l2(ET_IPV6) + syn6
    bad("ipv6_trunc", "IPv6 ethertype, 39 bytes of header",
        syn6_f[:14 + 39], "IPV6_TRUNC")
    bad("ipv6_version4", "IPv6 ethertype, version 4",
        put(syn6_f, 14, b"\x40"), "IPV6_VERSION")
    bad("ipv6_plen_gt_frame", "payload length one more than the frame has",
        put(syn6_f, 18, struct.pack("!H", len(syn6) - 40 + 1)), "IPV6_PLEN")
    bad("ipv6_jumbo", "RFC 2675 jumbogram: payload length 0 + HbH jumbo",
        l2(ET_IPV6) + bytes(IPv6(src=A6, dst=B6, plen=0) /
                            IPv6ExtHdrHopByHop(options=[Jumbo(
                                jumboplen=28)]) / TCP()), "IPV6_PLEN")
    bad("ipv6_ext9", "9 dest-opts headers (SW_IPV6_EXT_MAX is 8)",
        l2(ET_IPV6) + bytes(tcp6(exts=[IPv6ExtHdrDestOpt()] * 9)),
        "IPV6_EXT_DEPTH")
    hbh16 = l2(ET_IPV6) + bytes(tcp6(exts=[IPv6ExtHdrHopByHop(
        options=[PadN(optdata=b"\0" * 12)])]))
    bad("ipv6_ext_len_cut", "16-byte hop-by-hop, payload length 8",
        put(hbh16, 18, struct.pack("!H", 8))[:14 + 48], "IPV6_EXT_TRUNC")
    bad("ipv6_ext_min_cut", "hop-by-hop, payload length 4",
        put(hbh16, 18, struct.pack("!H", 4))[:14 + 44], "IPV6_EXT_TRUNC")
    chain = l2(ET_IPV6) + bytes(tcp6(exts=[IPv6ExtHdrHopByHop(),
                                           IPv6ExtHdrDestOpt()]))
    bad("ipv6_ext_chain_cut", "hop-by-hop then dest opts cut at 4 bytes",
        put(chain, 18, struct.pack("!H", 12))[:14 + 52], "IPV6_EXT_TRUNC")
    bad("ipv6_ah_cut", "AH claiming 24 bytes, 16 in the datagram",
        put(l2(ET_IPV6) + bytes(ah6), 18, struct.pack("!H", 16))[:14 + 56],
        "IPV6_EXT_TRUNC")
    bad("ipv6_tcp_trunc", "IPv6, 12 bytes of TCP",
        put(syn6_f, 18, struct.pack("!H", 12))[:14 + 52], "TCP_TRUNC")
    udp4 = l2(ET_IPV4) + bytes(IP(src=A4, dst=B4) / UDP() / Raw(b"abcd"))
    bad("udp_trunc", "IPv4/UDP, 7 bytes of UDP",
        put(udp4, L3 + 2, struct.pack("!H", 27))[:L3 + 27], "UDP_TRUNC")

    # ------------------------------------------- client segments (proxy)
    # What a client sends after our SYN-ACK, with the header fields the
    # backend SYN must copy (TTL, IPv4 ID/DF, DSCP) or drop (ECN bits, IP
    # options, IPv6 extension headers, payload, options). Appended last so
    # that the vectors above keep their places.
    ts_opts = [("NOP", None), ("NOP", None),
               ("Timestamp", (0xFFFFFFF0, 0x80000001))]
    good("cli_ack4_tos",
         "client ACK+data: DSCP EF + ECT(1), ID 0xbeef, no DF, TTL 57",
         bytes(IP(src=A4, dst=B4, tos=0xB9, id=0xBEEF, flags=0, ttl=57) /
               TCP(sport=40001, dport=8080, flags="PA", seq=0xFFFFFFFF,
                   ack=0x80000000, window=502, options=ts_opts) /
               Raw(b"x" * 30)), ET_IPV4)
    good("cli_ack4_vlan_opt",
         "client ACK+data, 802.1Q VID 100, IPv4 RA option, CE, DF, TTL 128",
         bytes(IP(src=A4, dst=B4, tos=0x03, id=0x0102, flags="DF", ttl=128,
                  options=[IPOption_Router_Alert()]) /
               TCP(sport=40002, dport=80, flags="A", seq=0x7FFFFFFF,
                   ack=0x12345678, window=1024, options=ts_opts) /
               Raw(b"y" * 11)), ET_IPV4, vlans=[(TPID_8021Q, 100)])
    good("cli_ack6_ext_data",
         "client IPv6 ACK+data: class 0xb9, flow label, HbH + dest opts",
         bytes(IPv6(src=A6, dst=B6, tc=0xB9, fl=0xABCDE, hlim=51) /
               IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]) /
               IPv6ExtHdrDestOpt() /
               TCP(sport=40003, dport=443, flags="PA", seq=0x80000000,
                   ack=0xFFFFFFFF, window=4000, options=ts_opts) /
               Raw(b"z" * 17)), ET_IPV6)
    good("cli_ack6_qinq",
         "client IPv6 bare ACK behind QinQ, no options, 4-byte trailer",
         bytes(IPv6(src=A6, dst=B6, hlim=255) /
               TCP(sport=40004, dport=443, flags="A", seq=1, ack=2,
                   window=65535)), ET_IPV6,
         vlans=[(TPID_8021AD, 10), (TPID_8021Q, (1 << 12) | 20)],
         pad=b"\xde\xad\xbe\xef")

    # What sw_build_syn / sw_build_ack must write from the client segments
    # above (test_build.c passes the same parameters), built by scapy so
    # that layout and checksums are checked against an independent writer.
    syn_opts = [("MSS", 1460), ("SAckOK", b""),
                ("Timestamp", (0xFFFFFFF0, 0)), ("NOP", None),
                ("WScale", 7)]
    good("exp_syn4_vlan",
         "sw_build_syn of cli_ack4_vlan_opt: isn 0x7ffffffe, all options, "
         "ECN, window 29200",
         bytes(IP(src=A4, dst=B4, tos=0x00, id=0x0102, flags="DF", ttl=128) /
               TCP(sport=40002, dport=80, flags="SEC", seq=0x7FFFFFFE,
                   ack=0, window=29200, options=syn_opts)), ET_IPV4,
         vlans=[(TPID_8021Q, 100)])
    good("exp_syn6_ext",
         "sw_build_syn of cli_ack6_ext_data: isn 0x7fffffff, all options, "
         "no ECN, window 4000",
         bytes(IPv6(src=A6, dst=B6, tc=0xB8, fl=0xABCDE, hlim=51) /
               TCP(sport=40003, dport=443, flags="S", seq=0x7FFFFFFF,
                   ack=0, window=4000, options=syn_opts)), ET_IPV6)
    good("exp_ack4_vlan",
         "sw_build_ack of cli_ack4_vlan_opt: seq 0x12345678 ack 0x8000000a "
         "window 1234, TS (0xa0000000, 0xfffffff0), TTL 200",
         bytes(IP(src=B4, dst=A4, tos=0, id=0, flags="DF", ttl=200) /
               TCP(sport=80, dport=40002, flags="A", seq=0x12345678,
                   ack=0x8000000A, window=1234,
                   options=[("NOP", None), ("NOP", None),
                            ("Timestamp", (0xA0000000, 0xFFFFFFF0))])),
         ET_IPV4, vlans=[(TPID_8021Q, 100)], reply=True)
    good("exp_ack6_ext",
         "sw_build_ack of cli_ack6_ext_data: seq 0xffffffff ack 0x80000011 "
         "window 77, no TS, hop limit 200",
         bytes(IPv6(src=B6, dst=A6, tc=0, fl=0, hlim=200) /
               TCP(sport=443, dport=40003, flags="A", seq=0xFFFFFFFF,
                   ack=0x80000011, window=77)), ET_IPV6, reply=True)


# ---------------------------------------------------------------- output

def cflags(names, indent, field):
    """OR of flag names, wrapped to stay inside 80 columns (tabs of 8)."""
    if not names:
        return "0"
    lines, cur, col = [], names[0], indent * 8 + len(field) + 4
    for n in names[1:]:
        if col + len(cur) + len(n) + 6 > 80:
            lines.append(cur + " |")
            cur, col = n, (indent + 1) * 8
        else:
            cur += " | " + n
    lines.append(cur)
    return ("\n" + "\t" * (indent + 1)).join(lines)


def carray(name, data):
    lines = ["static const uint8_t %s[%d] = {" % (name, len(data))]
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    lines.append("};")
    return "\n".join(lines)


def centry(v):
    out = ["\t{",
           "\t\t.name = \"%s\"," % v.name,
           "\t\t.what = \"%s\"," % v.what,
           "\t\t.frame = sw_vec_%s," % v.name,
           "\t\t.len = sizeof(sw_vec_%s)," % v.name,
           "\t\t.err = %s," % v.err]
    if v.exp is not None:
        e = v.exp
        tci = e["vlan_tci"] + [0] * (2 - len(e["vlan_tci"]))
        out += ["\t\t.exp = {",
                "\t\t\t.len = %d," % e["len"],
                "\t\t\t.flags = %s," % cflags(sorted(set(e["flags"])), 3, "flags"),
                "\t\t\t.ethertype = 0x%04x," % e["ethertype"],
                "\t\t\t.n_vlan = %d," % e["n_vlan"],
                "\t\t\t.l3 = SW_L3_%s," % e["l3"],
                "\t\t\t.l4_proto = %d," % e["l4_proto"],
                "\t\t\t.tcp_flags = 0x%02x," % e["tcp_flags"],
                "\t\t\t.vlan_tci = { 0x%04x, 0x%04x }," % tuple(tci)]
        for k in ("l3_off", "l4_off", "ip_end", "ip_hdr_len", "tcp_hdr_len",
                  "payload_off", "payload_len", "src_port", "dst_port",
                  "seq", "ack", "window"):
            out.append("\t\t\t.%s = %d%s," % (k, e[k], "u" if k in (
                "seq", "ack") else ""))
        o = e["opt"]
        if o:
            sack = o["sack"] + [(0, 0)] * (4 - len(o["sack"]))
            soff = o["sack_off"] + [0] * (4 - len(o["sack_off"]))
            out += ["\t\t\t.opt = {",
                    "\t\t\t\t.present = %s," % cflags(o["present"], 4, "present"),
                    "\t\t\t\t.mss = %d," % o["mss"],
                    "\t\t\t\t.wscale = %d," % o["wscale"],
                    "\t\t\t\t.n_sack = %d," % o["n_sack"],
                    "\t\t\t\t.ts_off = %d," % o["ts_off"],
                    "\t\t\t\t.sack_off = { %d, %d, %d, %d }," % tuple(soff),
                    "\t\t\t\t.tsval = %du," % o["tsval"],
                    "\t\t\t\t.tsecr = %du," % o["tsecr"],
                    "\t\t\t\t.sack = {"]
            for left, right in sack:
                out.append("\t\t\t\t\t{ %du, %du }," % (left, right))
            out += ["\t\t\t\t},", "\t\t\t},"]
        out.append("\t\t},")
        if "ip" in v.ck:
            out.append("\t\t.has_ip_cksum = 1, .ip_cksum = 0x%04x," %
                       v.ck["ip"])
        if "l4" in v.ck:
            out.append("\t\t.has_l4_cksum = 1, .l4_cksum = 0x%04x," %
                       v.ck["l4"])
    out.append("\t},")
    return "\n".join(out)


HEADER = """\
/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GENERATED by tests/unit/gen_vectors.py (scapy %s): do not edit.
 * Rerun it and commit this file and tests/fuzz/corpus/ with it.
 *
 * Frames for sw_parse() and the checksum helpers, with the results scapy's
 * dissection says the parser must find. Malformed frames carry only the
 * error they must be refused with.
 */
#ifndef SW_TEST_VECTORS_H
#define SW_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_pkt.h"

struct sw_vec {
	const char *name;
	const char *what;		/* what it is, where it came from */
	const uint8_t *frame;
	uint32_t len;
	enum sw_parse_err err;		/* expected result */
	struct sw_pkt exp;		/* expected view, when err is OK */
	int has_ip_cksum;		/* IPv4: scapy's header checksum */
	uint16_t ip_cksum;
	int has_l4_cksum;		/* TCP/UDP, unfragmented: scapy's */
	uint16_t l4_cksum;
};
"""

BY_NAME = """
/* The vector called `name`; a missing one is a bug in the test: exit. */
static inline const struct sw_vec *
sw_vec_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < SW_N_VECS; i++)
		if (strcmp(sw_vecs[i].name, name) == 0)
			return &sw_vecs[i];
	fprintf(stderr, "no vector %s\\n", name);
	exit(EXIT_FAILURE);
}
"""


def main():
    build()
    names = [v.name for v in VECS]
    assert len(names) == len(set(names))
    parts = [HEADER % scapy.__version__]
    for v in VECS:
        parts.append("/* %s */\n%s\n" % (v.what, carray("sw_vec_" + v.name,
                                                          v.frame)))
    parts.append("static const struct sw_vec sw_vecs[] = {")
    parts += [centry(v) for v in VECS]
    parts.append("};\n\n#define SW_N_VECS (sizeof(sw_vecs) / "
                 "sizeof(sw_vecs[0]))\n" + BY_NAME +
                 "\n#endif /* SW_TEST_VECTORS_H */\n")
    with open(OUT_H, "w") as f:
        f.write("\n".join(parts))
    os.makedirs(CORPUS, exist_ok=True)
    for v in VECS:
        if v.name in CORPUS_NAMES:
            with open(os.path.join(CORPUS, v.name + ".bin"), "wb") as f:
                f.write(v.frame)
    print("%s: %d vectors, %d corpus frames" % (
        os.path.relpath(OUT_H), len(VECS), len(CORPUS_NAMES)),
        file=sys.stderr)


if __name__ == "__main__":
    main()
