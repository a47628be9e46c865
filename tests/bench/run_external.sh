#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run_external.sh SYNWALL BENCH CONF: synwall-bench against synwall in
# another process, joined by net_memif (unix sockets in a directory of
# this run; no network). Each mode runs briefly with --dut external
# --telemetry: synwall's counters come over its telemetry socket, and
# every packet must be accounted for, as in process.
#
# One synwall per mode, stopped by its PID once the bench has printed
# its summary and stopped polling, and before the bench closes its
# ports (--wait-link-down): net_memif in DPDK 22.11 unmaps the shared
# rings on its interrupt thread when the peer leaves, while the data
# path may still be in a burst on them, so the side still polling must
# stop first. synwall must exit cleanly every time.
set -u
synwall=$1 bench=$2 conf=$3
dir=$(mktemp -d /tmp/swb-ext.XXXXXX)
n=0
pid="" bpid=""
cleanup()
{
	[[ -n $bpid ]] && kill -TERM "$bpid" 2>/dev/null && wait "$bpid"
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
	rm -rf "$dir"
	rm -rf /var/run/dpdk/swb-ext-*-$$-* \
		"${XDG_RUNTIME_DIR:-/tmp}"/dpdk/swb-ext-*-$$-*
}
trap cleanup EXIT

# memif ROLE: the two ports, on sockets of this mode's own.
memif()
{
	echo "--vdev net_memif0,role=$1,id=0,socket=$dir/out$n.sock" \
		"--vdev net_memif1,role=$1,id=1,socket=$dir/in$n.sock"
}

# wait_for CMD TENTHS: poll CMD every 0.1 s.
wait_for()
{
	local i
	for ((i = 0; i < $2; i++)); do
		eval "$1" && return 0
		sleep 0.1
	done
	return 1
}

fail=0
for mode in "synflood" "ackflood" "handshake --flows 1000" "relay --flows 5000"; do
	# Fresh names per mode: nothing of the last instance is reused.
	n=$((n + 1))
	sw_prefix=swb-ext-sw-$$-$n
	b_prefix=swb-ext-b-$$-$n
	# shellcheck disable=SC2046
	"$synwall" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$sw_prefix" \
		--log-level='user.synwall.*:warning' $(memif server) -- \
		-c "$conf" >"$dir/synwall$n.log" 2>&1 &
	pid=$!
	# Its memif sockets listen once it says it runs (ports set up).
	wait_for "grep -q 'synwall: running' '$dir/synwall$n.log'" 200
	# shellcheck disable=SC2046,SC2086
	timeout -k 5 60 "$bench" -l 0 --no-huge -m 512 --no-pci \
		--file-prefix "$b_prefix" --log-level=eal:warning $(memif client) \
		-- --dut external --telemetry "$sw_prefix" --mode $mode \
		--seconds 0.5 --rate 100000 --stats-period 0 --check \
		--wait-link-down 20 >"$dir/bench$n.log" 2>&1 &
	bpid=$!
	wait_for "grep -q 'accounting:' '$dir/bench$n.log' || ! kill -0 $bpid 2>/dev/null" 600
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "FAIL: synwall died during --mode $mode"
		tail -20 "$dir/synwall$n.log"
		pid=
		exit 1
	fi
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
	if ((rc != 0)); then
		echo "FAIL: synwall exited $rc after --mode $mode"
		tail -20 "$dir/synwall$n.log"
		fail=1
	fi
	wait "$bpid"
	rc=$?
	bpid=
	grep -a -E "against an|DUT|accounting" "$dir/bench$n.log"
	if ((rc != 0)); then
		echo "FAIL: --mode $mode: exit $rc"
		tail -5 "$dir/bench$n.log"
		fail=1
	fi
done
exit $fail
