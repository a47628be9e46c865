#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run_external.sh SYNWALL BENCH CONF: synwall-bench against synwall in
# another process, joined by net_memif (unix sockets in a directory of
# this run; no network). Each mode runs briefly with --dut external
# --telemetry: synwall's counters come over its telemetry socket, and
# every packet must be accounted for, as in process. synwall is stopped
# by its PID and must exit cleanly.
set -u
synwall=$1 bench=$2 conf=$3
dir=$(mktemp -d /tmp/swb-ext.XXXXXX)
sw_prefix=swb-ext-sw-$$ b_prefix=swb-ext-b-$$
pid=
cleanup()
{
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
	rm -rf "$dir" "/var/run/dpdk/$sw_prefix" "/var/run/dpdk/$b_prefix" \
		"${XDG_RUNTIME_DIR:-/tmp}/dpdk/$sw_prefix" \
		"${XDG_RUNTIME_DIR:-/tmp}/dpdk/$b_prefix"
}
trap cleanup EXIT

memif()
{
	echo "--vdev net_memif0,role=$1,id=0,socket=$dir/out.sock" \
		"--vdev net_memif1,role=$1,id=1,socket=$dir/in.sock"
}

# shellcheck disable=SC2046
"$synwall" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$sw_prefix" \
	--log-level='user.synwall.*:warning' $(memif server) -- -c "$conf" \
	>"$dir/synwall.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
	[[ -S /var/run/dpdk/$sw_prefix/dpdk_telemetry.v2 ||
		-S ${XDG_RUNTIME_DIR:-/tmp}/dpdk/$sw_prefix/dpdk_telemetry.v2 ]] &&
		break
	sleep 0.2
done

fail=0
for mode in "synflood" "ackflood" "handshake --flows 1000" "relay --flows 5000"; do
	# shellcheck disable=SC2046,SC2086
	timeout -k 5 60 "$bench" -l 0 --no-huge -m 512 --no-pci \
		--file-prefix "$b_prefix" --log-level=eal:warning $(memif client) \
		-- --dut external --telemetry "$sw_prefix" --mode $mode \
		--seconds 0.5 --rate 100000 --stats-period 0 --check \
		>"$dir/bench.log" 2>&1
	rc=$?
	grep -a -E "against|DUT|accounting" "$dir/bench.log"
	if ((rc != 0)); then
		echo "FAIL: --mode $mode: exit $rc"
		tail -5 "$dir/bench.log"
		fail=1
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "FAIL: synwall died during --mode $mode"
		tail -5 "$dir/synwall.log"
		pid=
		exit 1
	fi
done
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
((rc == 0)) || { echo "FAIL: synwall exited $rc"; tail -5 "$dir/synwall.log"; fail=1; }
exit $fail
