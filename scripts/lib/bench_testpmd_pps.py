# SPDX-License-Identifier: BSD-3-Clause
"""scripts/bench, part 1: dpdk-testpmd's receive rate from its log.

bench_testpmd_pps.py LOG

LOG is the output of a testpmd run with --stats-period 1 on two ports.
Prints the median of port 0's Rx-pps samples, leaving out the first
(warm-up) one and zeros; 0 when there are none.
"""
import re, statistics, sys
v = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", open(sys.argv[1]).read())]
v = [x for x in v[2::2] if x > 0] or [0]   # port 0 only, after warm-up
print(int(statistics.median(v)))
