#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_inline_virtio.sh [SYNWALL_BIN]: synwall's two ports are virtio-user
# devices, as a VM's virtio-net NICs would be. This kernel has no vhost-net,
# so each virtio-user port talks vhost-user to a second DPDK process, a
# testpmd "bridge" in io mode that carries the frames on to the veth wires
# of the standard topology (scripts/topo.sh):
#
#   client eth0 == w_out [af_packet0] testpmd [vhost0] <-sock-> [virtio_user0] synwall
#   server eth0 == w_in  [af_packet1] testpmd [vhost1] <-sock-> [virtio_user1] synwall
#
# Start-up order: the bridge's net_vhost ports are vhost-user *servers*
# (they create the sockets at probe time, before ports start) and synwall's
# virtio-user ports are *clients* that connect once at probe: so the bridge
# starts first, synwall once both sockets exist. (A virtio-user server would
# block synwall's probe until the bridge connected.)
#
# vhost-user shares the frontend's memory by fd, so both processes run on
# 2 MiB hugepages (--in-memory: no files, memory still fd-backed;
# --single-file-segments: few fds, within vhost-user's region limit).
#
# Checks: ping and HTTP on port 80 (IPv4, IPv6) cross, ARP / ND resolve to
# the server, the file arrives byte-exact, connect() to the protected port
# 8080 is completed by synwall's SYN cookies (cookie_ok +1 each), telemetry
# counts traffic on both ports, SIGTERM stops synwall with status 0.
# With idle = adaptive (the default; not with SW_IDLE=poll): virtio-user
# has RX interrupts, so the idle worker waits on them: synwall
# says so at start, interrupts woke it during the traffic, and idle it
# loops a few hundred times a second, not millions.
# Exit 0 / 1 / 77 (skip: not root, or no hugepages can be reserved).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

# Kernel tools and peers, plus DPDK's dpdk-telemetry.py and dpdk-testpmd.
SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux)
HUGEPAGES=512		# 1 GiB for the two DPDK processes

# start_bridge: testpmd with vhost0, af_packet(w_out), vhost1, af_packet(w_in)
# in that order, so that its paired topology forwards 0<->1 and 2<->3.
# Forwarding runs on lcore 0 (--main-lcore 1), synwall's worker on lcore 1.
start_bridge()
{
	local log=$SW_TMP/bridge.log mem port name want
	SOCK_OUT=$SW_TMP/vhost-out.sock
	SOCK_IN=$SW_TMP/vhost-in.sock
	sw_dpdk_prefix BRIDGE_PREFIX bridge
	mapfile -t mem < <(sw_dpdk_eal_mem)
	sw_log "starting the vhost-user <-> af_packet bridge (dpdk-testpmd)"
	sw_spawn "$log" ip netns exec "$SW_NS_SYNWALL" dpdk-testpmd \
		-l 0,1 --main-lcore 1 --file-prefix "$BRIDGE_PREFIX" --no-pci "${mem[@]}" \
		--vdev "net_vhost0,iface=$SOCK_OUT,queues=1" \
		--vdev "net_af_packet0,iface=$SW_IF_OUT" \
		--vdev "net_vhost1,iface=$SOCK_IN,queues=1" \
		--vdev "net_af_packet1,iface=$SW_IF_IN" \
		-- --forward-mode=io --port-topology=paired --auto-start \
		--disable-link-check --total-num-mbufs 8192
	BRIDGE_PID=$SW_SPAWNED_PID
	SW_DIAG_LOGS+=("$log")
	sw_dpdk_wait_ready "$BRIDGE_PID" "$BRIDGE_PREFIX" /ethdev/list "$log" 30 ||
		return 1
	sw_wait_for "[[ -S $SOCK_OUT && -S $SOCK_IN ]]" 10 ||
		{ sw_warn "vhost-user sockets not created"; sw_log_tail "$log"; return 1; }
	# The pairing relies on port ids following the --vdev order: verify.
	want=(net_vhost0 net_af_packet0 net_vhost1 net_af_packet1)
	for port in 0 1 2 3; do
		name=$(sw_telemetry "$BRIDGE_PREFIX" "/ethdev/info,$port" |
			"$SW_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["/ethdev/info"]["name"])') ||
			name="?"
		if [[ $name != "${want[port]}" ]]; then
			sw_warn "bridge port $port is '$name', expected ${want[port]}"
			return 1
		fi
	done
}

start_synwall()
{
	local conf=$SW_TMP/synwall.conf mem
	SYNWALL_LOG=$SW_TMP/synwall.log
	sw_synwall_conf "$conf" pass
	sw_dpdk_prefix SYNWALL_PREFIX synwall
	mapfile -t mem < <(sw_dpdk_eal_mem)
	sw_synwall_start "$SW_NS_SYNWALL" "$SYNWALL_PREFIX" "$conf" "$SYNWALL_LOG" \
		"${mem[@]}" --single-file-segments \
		--vdev "net_virtio_user0,path=$SOCK_OUT,queues=1" \
		--vdev "net_virtio_user1,path=$SOCK_IN,queues=1"
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$SYNWALL_PID" "$SYNWALL_PREFIX" \
		"$(sw_synwall_ready_cmd)" "$SYNWALL_LOG" 30
}

# intr_checks LABEL: [worker] idle = adaptive on ports with RX interrupts.
intr_checks()
{
	local l=$1 a b t0 t1 w0 k0
	sw_check "$l: idle = adaptive: idle workers wait on RX interrupts (log)" \
		grep -q "idle workers wait on RX interrupts" "$SYNWALL_LOG"
	sw_synwall_stats "$SYNWALL_PREFIX" || true
	sw_check "$l: RX interrupts woke the idle worker (${SW_STATS[idle_intr_wakes]:-none} wakes of ${SW_STATS[idle_intr_waits]:-none} waits), no blind sleeps" \
		eval '((${SW_STATS[idle_intr_wakes]:-0} > 0 && ${SW_STATS[idle_sleeps]:-1} == 0))'
	sleep 0.5
	t0=$(sw_cpu_ticks "$SYNWALL_PID")
	sw_synwall_stats "$SYNWALL_PREFIX" && a=${SW_STATS[loops]:-0}
	w0=${SW_STATS[idle_intr_waits]:-0} k0=${SW_STATS[idle_intr_wakes]:-0}
	sleep 2
	sw_synwall_stats "$SYNWALL_PREFIX" && b=${SW_STATS[loops]:-0}
	t1=$(sw_cpu_ticks "$SYNWALL_PID")
	sw_log "idle for 2 s: $(((b - a) / 2)) loops/s, $(((SW_STATS[idle_intr_waits] - w0) / 2)) waits/s ($(((SW_STATS[idle_intr_wakes] - k0) / 2)) woken by an interrupt), synwall's CPU $(((t1 - t0) * 100 / 2 / $(getconf CLK_TCK))) %"
	sw_check "$l: the idle worker waits ($(((b - a) / 2)) loops/s < 10000)" \
		eval "(((b - a) / 2 < 10000))"
}

main()
{
	local l=virtio-user
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-virtio
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool ping curl nginx dpdk-testpmd dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_hugepages_reserve "$HUGEPAGES" ||
		sw_skip "vhost-user needs hugepages: $SW_HUGEPAGES_MSG"

	sw_topo_up
	sw_topo_web_start

	if ! start_bridge; then
		sw_check "$l: testpmd vhost-user bridge starts, ports in --vdev order" false
		sw_checks_done
		return
	fi
	sw_check "$l: testpmd vhost-user bridge starts, ports in --vdev order" true
	if ! start_synwall; then
		sw_check "$l: synwall starts on virtio-user ports, answers telemetry" false
		sw_checks_done
		return
	fi
	sw_check "$l: synwall starts on virtio-user ports, answers telemetry" true
	sw_topo_traffic_checks "$l"
	sw_topo_protected_checks "$l" "$SYNWALL_PREFIX"
	sw_synwall_stats_checks "$l" "$SYNWALL_PREFIX"
	[[ ${SW_IDLE:-adaptive} != adaptive ]] || intr_checks "$l"
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
	sw_checks_done
}

main "$@"
