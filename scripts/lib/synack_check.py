#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""scripts/lib/synack_check.py PCAP [--min-pairs N]: audit the SYN-ACKs in a capture.

Reads an Ethernet pcap taken on the client's wire (both the SYNs the client
side sent and the SYN-ACKs that came back), pairs every SYN-ACK with the SYN
it answers (same 4-tuple, reversed) and checks what a correct SYN-cookie
responder must send (RFC 9293 §3.5, RFC 7323 §2.2, §3.2, RFC 2018 §2):

  L2   source MAC = the SYN's destination, destination = the SYN's source
  IP   addresses swapped, IPv4 header valid (IHL 5, checksum, not a
       fragment, TTL > 0) / IPv6 next header TCP, hop limit > 0
  TCP  ports swapped, flags exactly SYN+ACK, ack = SYN seq + 1, checksum
       valid, no payload, window > 0, no urgent pointer
  opts only EOL/NOP/MSS/WS/SACK-permitted/TS (never unknown ones, never
       TFO), MSS present; WS, SACK-permitted and TS only when the SYN
       offered them; TSecr = the SYN's TSval; WS shift <= 14
  one SYN-ACK per SYN at most; cookies (ISNs) differ between connections

Prints "key value" lines (syns, synacks, pairs, unmatched, bad, distinct_isn,
mss, wscale, sack, ts) and up to 5 "# problem" lines. Exit 0 when no pair
is bad and at least N pairs (default 1) were found; 1 otherwise.
Standard library only: parses tens of thousands of packets in a second.
"""
import struct
import sys
from collections import Counter

ETH_IP4, ETH_IP6, ETH_VLAN = 0x0800, 0x86DD, 0x8100
F_FIN, F_SYN, F_RST, F_PSH, F_ACK, F_URG, F_ECE, F_CWR = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)
KNOWN_OPTS = {0, 1, 2, 3, 4, 8}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def read_pcap(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            endian = "<"
        elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
            endian = ">"
        else:
            raise ValueError("%s: not a pcap file" % path)
        if struct.unpack(endian + "I", hdr[20:24])[0] != 1:
            raise ValueError("%s: not an Ethernet capture" % path)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, wirelen = struct.unpack(endian + "IIII", rec)
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield data, wirelen


def parse_opts(raw):
    """TCP options -> (dict kind -> value, list of kinds, error or None)."""
    opts, kinds, i = {}, [], 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            kinds.append(0)
            break
        if kind == 1:
            kinds.append(1)
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2 or i + raw[i + 1] > len(raw):
            return opts, kinds, "malformed option kind %d at %d" % (kind, i)
        ln = raw[i + 1]
        val = raw[i + 2:i + ln]
        kinds.append(kind)
        if kind == 2 and ln == 4:
            opts["mss"] = struct.unpack("!H", val)[0]
        elif kind == 3 and ln == 3:
            opts["ws"] = val[0]
        elif kind == 4 and ln == 2:
            opts["sack"] = True
        elif kind == 8 and ln == 10:
            opts["ts"] = struct.unpack("!II", val)
        elif kind in (2, 3, 4, 8):
            return opts, kinds, "option %d with length %d" % (kind, ln)
        i += ln
    return opts, kinds, None


def parse(frame, wirelen):
    """An Ethernet/IPv4|IPv6/TCP frame -> dict, or None when not TCP."""
    if len(frame) < 14:
        return None
    p = {"dmac": frame[0:6], "smac": frame[6:12], "full": len(frame) == wirelen,
         "problems": []}
    et, off = struct.unpack("!H", frame[12:14])[0], 14
    while et == ETH_VLAN and len(frame) >= off + 4:
        et, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    if et == ETH_IP4:
        ip = frame[off:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            return None
        ihl = (ip[0] & 0xF) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        frag = struct.unpack("!H", ip[6:8])[0]
        p.update(fam=4, src=ip[12:16], dst=ip[16:20], ttl=ip[8])
        if ihl != 20:
            p["problems"].append("IPv4 IHL %d" % ihl)
        if frag & 0x3FFF:
            p["problems"].append("IPv4 fragment (0x%04x)" % frag)
        if csum(ip[:ihl]) != 0xFFFF:
            p["problems"].append("IPv4 header checksum wrong")
        tcp = ip[ihl:tot]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp))
    elif et == ETH_IP6:
        ip = frame[off:]
        if len(ip) < 40 or ip[0] >> 4 != 6 or ip[6] != 6:
            return None
        plen = struct.unpack("!H", ip[4:6])[0]
        p.update(fam=6, src=ip[8:24], dst=ip[24:40], ttl=ip[7])
        tcp = ip[40:40 + plen]
        pseudo = ip[8:40] + struct.pack("!IxxxB", len(tcp), 6)
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq, ack, doff_fl, win, tsum, urg = struct.unpack(
        "!HHIIHHHH", tcp[:20])
    doff = (doff_fl >> 12) * 4
    p.update(sport=sport, dport=dport, seq=seq, ack=ack, flags=doff_fl & 0xFF,
             win=win, urg=urg, payload=max(0, len(tcp) - doff))
    if p["ttl"] == 0:
        p["problems"].append("TTL / hop limit 0")
    if doff < 20 or doff > len(tcp):
        p["problems"].append("TCP data offset %d" % doff)
        doff = 20
    if p["full"] and csum(pseudo + tcp) != 0xFFFF:
        p["problems"].append("TCP checksum wrong")
    p["opts"], p["kinds"], err = parse_opts(tcp[20:doff])
    if err:
        p["problems"].append(err)
    return p


def key(p, reverse=False):
    if reverse:
        return (p["fam"], p["dst"], p["dport"], p["src"], p["sport"])
    return (p["fam"], p["src"], p["sport"], p["dst"], p["dport"])


def check_pair(syn, sa):
    bad = list(sa["problems"])
    if sa["smac"] != syn["dmac"] or sa["dmac"] != syn["smac"]:
        bad.append("MACs %s > %s, SYN was %s > %s" % (
            sa["smac"].hex(":"), sa["dmac"].hex(":"),
            syn["smac"].hex(":"), syn["dmac"].hex(":")))
    want = F_SYN | F_ACK
    if syn["flags"] & F_ECE and syn["flags"] & F_CWR:
        ok_flags = (want, want | F_ECE)	# RFC 3168 §6.1.1: ECN-setup SYN-ACK
    else:
        ok_flags = (want,)
    if sa["flags"] not in ok_flags:
        bad.append("flags 0x%02x" % sa["flags"])
    if sa["ack"] != (syn["seq"] + 1) & 0xFFFFFFFF:
        bad.append("ack %u, SYN seq %u" % (sa["ack"], syn["seq"]))
    if sa["payload"]:
        bad.append("%d bytes of payload" % sa["payload"])
    if sa["win"] == 0:
        bad.append("zero window")
    if sa["urg"]:
        bad.append("urgent pointer %d" % sa["urg"])
    unknown = [k for k in sa["kinds"] if k not in KNOWN_OPTS]
    if unknown:
        bad.append("unknown/forbidden option kinds %s" % unknown)
    o, so = sa["opts"], syn["opts"]
    if "mss" not in o:
        bad.append("no MSS option")
    if "ws" in o and "ws" not in so:
        bad.append("window scale without the SYN offering it")
    if "ws" in o and o["ws"] > 14:
        bad.append("window scale shift %d > 14" % o["ws"])
    if "sack" in o and "sack" not in so:
        bad.append("SACK-permitted without the SYN offering it")
    if "ts" in o and "ts" not in so:
        bad.append("timestamps without the SYN offering them")
    if "ts" in o and "ts" in so and o["ts"][1] != so["ts"][0]:
        bad.append("TSecr %u, SYN TSval %u" % (o["ts"][1], so["ts"][0]))
    return bad


def main(argv):
    min_pairs = 1
    args = argv[1:]
    if len(args) == 3 and args[1] == "--min-pairs":
        min_pairs = int(args[2])
    elif len(args) != 1:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    # A flood from random sources can draw the same 4-tuple twice (about
    # once in 40 runs of 20,000 SYNs): keep every SYN of a tuple and pair
    # a SYN-ACK with the one it acknowledges.
    syns, synacks = {}, []
    n_syn = Counter()
    for frame, wirelen in read_pcap(args[0]):
        p = parse(frame, wirelen)
        if p is None:
            continue
        fl = p["flags"] & (F_SYN | F_ACK | F_RST | F_FIN)
        if fl == F_SYN:
            syns.setdefault(key(p), []).append(p)
            n_syn[key(p)] += 1
        elif fl == F_SYN | F_ACK:
            synacks.append(p)
    pairs = unmatched = nbad = 0
    problems, isns, seen = [], set(), Counter()
    opt_seen = Counter()
    for sa in synacks:
        cands = syns.get(key(sa, reverse=True))
        if not cands:
            unmatched += 1
            continue
        syn = next((c for c in cands
                    if (c["seq"] + 1) & 0xFFFFFFFF == sa["ack"]), cands[-1])
        pairs += 1
        isns.add(sa["seq"])
        k = key(syn)
        seen[k] += 1
        bad = check_pair(syn, sa)
        if seen[k] > n_syn[k]:
            bad.append("%d SYN-ACKs for %d SYN(s)" % (seen[k], n_syn[k]))
        if bad:
            nbad += 1
            if len(problems) < 5:
                problems.append("port %d -> %d seq %u: %s" % (
                    sa["sport"], sa["dport"], sa["seq"], "; ".join(bad)))
        for name in ("mss", "ws", "sack", "ts"):
            if name in sa["opts"]:
                v = sa["opts"][name]
                opt_seen[(name, v if name in ("mss", "ws") else True)] += 1
    print("syns", sum(n_syn.values()))
    print("synacks", len(synacks))
    print("pairs", pairs)
    print("unmatched", unmatched)
    print("bad", nbad)
    print("distinct_isn", len(isns))
    for (name, v), n in sorted(opt_seen.items(), key=lambda x: str(x)):
        print("opt_%s_%s" % (name, v), n)
    for pr in problems:
        print("# " + pr)
    # Cookies must not repeat: two connections with the same ISN mean the
    # MAC ignores the tuple (a few collisions in 24 bits are fine).
    if pairs > 1 and len(isns) < pairs * 0.99:
        print("# only %d distinct ISNs in %d SYN-ACKs" % (len(isns), pairs))
        return 1
    return 0 if nbad == 0 and pairs >= min_pairs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
