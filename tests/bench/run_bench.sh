#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run_bench.sh BENCH EXPECT [synwall-bench options]: one short, bounded
# synwall-bench run in this process (net_ring pairs, --no-huge) with
# --check. EXPECT is "ok" (every packet accounted for, every sampled
# answer right: exit 0) or "mismatch" (the counters must not add up:
# exit 3, and the summary must say why; never a crash). Correctness of
# the tool, not speed: nothing here is timed.
set -u
bench=$1 expect=$2
shift 2
prefix=swb-test-$$
out=$(mktemp)
trap 'rm -rf "$out" "/var/run/dpdk/$prefix" "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix"' EXIT

timeout -k 5 120 "$bench" -l 0,1 --no-huge -m 1024 --no-pci \
	--file-prefix "$prefix" --log-level='user.synwall.*:warning' \
	--log-level=eal:warning -- --stats-period 0 --check "$@" >"$out" 2>&1
rc=$?
cat "$out"
case $expect in
ok)
	((rc == 0)) || { echo "FAIL: exit $rc, expected 0"; exit 1; }
	grep -q "accounting: every packet accounted for" "$out" ||
		{ echo "FAIL: no accounting line"; exit 1; }
	;;
mismatch)
	((rc == 3)) || { echo "FAIL: exit $rc, expected 3 (a mismatch)"; exit 1; }
	grep -q "accounting: MISMATCH" "$out" ||
		{ echo "FAIL: the mismatch is not explained"; exit 1; }
	;;
*)
	echo "run_bench.sh: EXPECT is ok or mismatch"
	exit 2
	;;
esac
exit 0
