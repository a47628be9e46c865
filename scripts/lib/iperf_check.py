# SPDX-License-Identifier: BSD-3-Clause
"""iperf_ok's judge (tests/e2e/e2e_relay.sh): did an iperf3 run move it all?

iperf_check.py JSON_FILE SIZE

JSON_FILE is the output of iperf3 --json; SIZE the -n it was given, in
MiB with an "M" suffix (e.g. 16M). Prints "sent N received N (normal)" or
"(reverse)", or why there are no figures. Exit 0 when, in reverse mode
(-R), SIZE <= received <= sent (the server may send past -n to its
block's end); in normal mode, when sent >= SIZE and 0 < received <= sent
(the server stops counting with data still in flight). Exit 1 otherwise,
or when the file is not JSON or reports an error.
"""
import json, sys
want = int(sys.argv[2].rstrip("M")) * 1024 * 1024
try:
    j = json.load(open(sys.argv[1]))
except ValueError as e:
    print("no JSON from iperf3: %s" % e)
    sys.exit(1)
if j.get("error"):
    print("iperf3 error: %s" % j["error"])
    sys.exit(1)
end = j.get("end", {})
sent = end.get("sum_sent", {}).get("bytes", -1)
recv = end.get("sum_received", {}).get("bytes", -1)
rev = j.get("start", {}).get("test_start", {}).get("reverse")
print("sent %d received %d (%s)" % (sent, recv, "reverse" if rev else "normal"))
if rev:  # the server may send past -n to its block's end
    sys.exit(0 if want <= recv <= sent else 1)
sys.exit(0 if sent >= want and 0 < recv <= sent else 1)
