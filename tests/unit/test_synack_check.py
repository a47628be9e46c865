#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""test_synack_check.py: the SYN-ACK audit the e2e suites rely on.

scripts/lib/synack_check.py decides whether the SYN-ACKs in a capture are
correct answers to their SYNs. These cases build small Ethernet/IPv4/TCP
pcaps by hand (standard library only) and check its verdict: a correct
answer passes; a wrong ack, a wrong TSecr, a bad checksum and a second
SYN-ACK for one SYN fail; and a flood that drew the same 4-tuple twice
(two SYNs, two correct answers, in either order) passes, while an answer
that acknowledges neither SYN of that tuple fails.
"""

import os
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "scripts", "lib", "synack_check.py")

MAC_C, MAC_S = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
IP_C, IP_S = bytes([198, 18, 0, 7]), bytes([192, 0, 2, 80])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, smac, dmac, sport, dport, seq, ack, flags, tsval, tsecr,
          break_cksum=False):
    opts = (struct.pack("!BBH", 2, 4, 1460) + b"\x01\x03\x03\x07"
            + b"\x01\x01" + struct.pack("!BBII", 8, 10, tsval, tsecr))
    tcp = struct.pack("!HHIIHHHH", sport, dport, seq, ack,
                      ((20 + len(opts)) // 4) << 12 | flags, 64240, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    c = csum(pseudo + tcp) ^ (0x5555 if break_cksum else 0)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + tcp


def syn(sport, seq, tsval):
    return frame(IP_C, IP_S, MAC_C, MAC_S, sport, 8080, seq, 0, 0x02, tsval, 0)


def synack(sport, ack, tsecr, isn, **kw):
    return frame(IP_S, IP_C, MAC_S, MAC_C, 8080, sport, isn, ack & 0xFFFFFFFF,
                 0x12, 12345, tsecr, **kw)


def run(frames, min_pairs=1):
    with tempfile.NamedTemporaryFile(suffix=".pcap", delete=False) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
        path = f.name
    try:
        p = subprocess.run([sys.executable, CHECK, path, "--min-pairs",
                            str(min_pairs)], capture_output=True, text=True,
                           check=False)
    finally:
        os.unlink(path)
    kv = dict(line.split(" ", 1) for line in p.stdout.splitlines()
              if not line.startswith("#"))
    return p.returncode, kv, p.stdout


class SynackCheck(unittest.TestCase):
    def test_correct_answer_passes(self):
        rc, kv, out = run([syn(40000, 1000, 77), synack(40000, 1001, 77, 5)])
        self.assertEqual(rc, 0, out)
        self.assertEqual(kv["pairs"], "1")
        self.assertEqual(kv["bad"], "0")

    def test_wrong_ack_fails(self):
        rc, kv, out = run([syn(40000, 1000, 77), synack(40000, 1000, 77, 5)])
        self.assertEqual(rc, 1, out)
        self.assertIn("ack 1000, SYN seq 1000", out)

    def test_wrong_tsecr_fails(self):
        rc, _, out = run([syn(40000, 1000, 77), synack(40000, 1001, 78, 5)])
        self.assertEqual(rc, 1, out)
        self.assertIn("TSecr 78, SYN TSval 77", out)

    def test_bad_checksum_fails(self):
        rc, _, out = run([syn(40000, 1000, 77),
                          synack(40000, 1001, 77, 5, break_cksum=True)])
        self.assertEqual(rc, 1, out)
        self.assertIn("TCP checksum wrong", out)

    def test_two_answers_to_one_syn_fail(self):
        rc, _, out = run([syn(40000, 1000, 77), synack(40000, 1001, 77, 5),
                          synack(40000, 1001, 77, 6)])
        self.assertEqual(rc, 1, out)
        self.assertIn("2 SYN-ACKs for 1 SYN(s)", out)

    def test_same_tuple_twice_pairs_each_answer_with_its_syn(self):
        for order in ((0, 1), (1, 0)):
            answers = [synack(40000, 1001, 77, 5),
                       synack(40000, 900001, 88, 6)]
            rc, kv, out = run([syn(40000, 1000, 77), syn(40000, 900000, 88)]
                              + [answers[i] for i in order], min_pairs=2)
            self.assertEqual(rc, 0, out)
            self.assertEqual((kv["pairs"], kv["bad"]), ("2", "0"))

    def test_same_tuple_twice_answer_to_neither_fails(self):
        rc, _, out = run([syn(40000, 1000, 77), syn(40000, 900000, 88),
                          synack(40000, 5001, 77, 5)])
        self.assertEqual(rc, 1, out)
        self.assertIn("ack 5001", out)

    def test_too_few_pairs_fails(self):
        rc, _, out = run([syn(40000, 1000, 77), synack(40000, 1001, 77, 5)],
                         min_pairs=2)
        self.assertEqual(rc, 1, out)


if __name__ == "__main__":
    unittest.main()
