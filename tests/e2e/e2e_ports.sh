#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_ports.sh [SYNWALL_BIN]: ports fail loudly. Three veth wires in a
# namespace of this run, synwall on net_af_packet vdevs (--no-huge):
#   - the first vdev's interface is missing at start: a config naming
#     ports by id is refused as ambiguous (the ids moved), one naming
#     them by name says which port is missing and which device did not
#     come up; neither starts;
#   - an interface deleted while synwall runs: the log says link down,
#     naming the side and the interface, within 5 s, and /synwall/ports
#     and the summary line say so too; the other side stays up.
# Exit: 0 all passed, 1 a check failed, 77 skipped (not root).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
sw_need_root --skip
sw_install_deps "${SW_PKGS_TEST[@]}" dpdk || sw_skip "cannot install the test tools"
sw_init ports

sw_ns_add NS synwall
sw_ns_add PEER peer
for i in a b c; do
	sw_veth "$NS" "w_$i" "$PEER" "p_$i"
done
SVC=$'[service:web]\nprefix = 192.0.2.80/32\nports = 8080\n'

# refused NAME OUTSIDE INSIDE WANT: with net_af_packet0 on an interface
# that does not exist, synwall with these [ports] exits non-zero at once
# and its error contains WANT.
refused()
{
	local conf=$SW_TMP/$1.conf log=$SW_TMP/$1.log rc=0
	printf '[ports]\noutside = %s\ninside = %s\n%s' "$2" "$3" "$SVC" >"$conf"
	timeout 30 ip netns exec "$NS" "$SW_SYNWALL_BIN" -l 0,1 --no-huge -m 256 \
		--no-pci --file-prefix "$(sw_run_id_name "$1")" \
		--vdev net_af_packet0,iface=w_gone --vdev net_af_packet1,iface=w_a \
		--vdev net_af_packet2,iface=w_b -- -c "$conf" >"$log" 2>&1 || rc=$?
	rm -rf "${SW_DPDK_RUNDIR:?}/$(sw_run_id_name "$1")"
	if ((rc != 0 && rc != 124)) && grep -qF -- "$4" "$log"; then
		return 0
	fi
	sw_diag "exit $rc; $(grep '^synwall' "$log" | tail -2)"
	return 1
}

sw_check "ids with a vdev missing are refused as ambiguous, naming the device" \
	refused ids 0 1 "config error: [ports] outside = 0: port ids are ambiguous: net_af_packet0, given to the EAL, did not become a port"
sw_check "a missing port named by name is named, with the device that failed" \
	refused names net_af_packet0 net_af_packet1 "config error: [ports] outside = net_af_packet0: no such port (2 ports available: 0=net_af_packet1 1=net_af_packet2); net_af_packet0 did not come up"

# A running synwall loses its inside interface.
conf=$SW_TMP/run.conf
printf '[synwall]\nstats_interval = 1\n[ports]\noutside = net_af_packet0\ninside = net_af_packet1\n%s' \
	"$SVC" >"$conf"
sw_dpdk_prefix PREFIX run
LOG=$SW_TMP/synwall.log
sw_spawn "$LOG" ip netns exec "$NS" "$SW_SYNWALL_BIN" -l 0,1 --no-huge -m 256 \
	--no-pci --file-prefix "$PREFIX" --vdev net_af_packet0,iface=w_a \
	--vdev net_af_packet1,iface=w_c -- -c "$conf"
PID=$SW_SPAWNED_PID
SW_DIAG_LOGS+=("$LOG")
sw_check "synwall starts on w_a and w_c" \
	sw_dpdk_wait_ready "$PID" "$PREFIX" /synwall/ports "$LOG" 30

link_of()
{
	sw_telemetry "$PREFIX" /synwall/ports | "$SW_PYTHON" -c \
		'import json,sys; p=json.load(sys.stdin)["/synwall/ports"][sys.argv[1]]; print(p["link"], p["link_detail"])' "$1"
}
sw_check "/synwall/ports: both links up before" \
	sw_wait_for '[[ $(link_of outside) == up* && $(link_of inside) == up* ]]' 5
ip -n "$NS" link del w_c
sw_check "the log says inside link down, interface w_c gone, within 5 s" \
	sw_wait_for "grep -q 'inside: port 1 (net_af_packet1): link down: interface w_c is gone' '$LOG'" 5
sw_check "/synwall/ports says inside down (interface w_c is gone), outside up" \
	sw_wait_for '[[ $(link_of inside) == "down interface w_c is gone" && $(link_of outside) == up* ]]' 5
sw_check "the summary line names the side whose link is down" \
	sw_wait_for "grep -q '| inside link DOWN (interface w_c is gone)' '$LOG'" 5
sw_check "synwall runs on and stops cleanly" sw_stop_pid "$PID" 10
sw_checks_done
