#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_inline_af_packet.sh [SYNWALL_BIN]: synwall inline between two veth
# wires (net_af_packet vdevs, or net_af_xdp with SW_PMD=af_xdp; --no-huge),
# the Linux stack on both sides:
# curl in a client namespace, nginx in a server namespace (scripts/topo.sh).
#
# synwall protects the server's port 8080 (it answers those handshakes
# itself with SYN cookies); nginx also listens on port 80, unprotected.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   unprotected = pass: the ports are net_$SW_PMD (and with idle =
#     adaptive, the default, the idle worker sleeps); ping and HTTP on port 80
#     (IPv4, IPv6) cross, ARP / ND resolve to the server's real MAC, the
#     2 MiB file arrives byte-exact; connect() to port 8080 completes, answered by synwall
#     (syncookie.cookie_ok +1 each); telemetry counts traffic on both ports
#     with outside rx ~ inside tx, SIGTERM stops synwall with status 0
#     within 10 s after it prints its final counters;
#   unprotected = drop: after the neighbour caches are flushed, connect()
#     to the protected port 8080 still completes with cookie_ok +1 (so ARP /
#     ND still cross, to the server's real MAC), while HTTP on port 80 and
#     ping (not protected services) are dropped and counted in
#     drop.unprotected.
#   reload (SIGHUP), unprotected = pass: while a rate-limited download
#     from the protected port runs through synwall, the config gains a
#     service for port 80: the log says the reload was applied, an HTTP
#     connection on port 80 is now answered by synwall's cookies
#     (syncookie.syn_rx grows) and still gets the page, and the download
#     completes byte-exact; then a config that changes [worker] flows is
#     refused, naming the key, and synwall runs on.
#
# Exit: 0 all passed, 1 a check failed, 77 skipped (not root, or a
# prerequisite cannot be installed). SYNWALL_BIN defaults to build/'s
# synwall; a dpdk-testpmd path runs the synwall-independent checks with
# testpmd (io forwarding) standing in.
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

# start_synwall UNPROTECTED: a fresh synwall on the two wires; sets
# SYNWALL_PID, SYNWALL_PREFIX, SYNWALL_LOG. Fails when it does not come up.
start_synwall()
{
	local unprotected=$1 conf mem vdevs
	conf=$SW_TMP/synwall-$unprotected.conf
	SYNWALL_LOG=$SW_TMP/synwall-$unprotected.log
	sw_synwall_conf "$conf" "$unprotected"
	sw_dpdk_prefix SYNWALL_PREFIX "synwall-$unprotected"
	mapfile -t mem < <(sw_dpdk_eal_mem)
	mapfile -t vdevs < <(sw_pmd_vdevs "$SW_IF_OUT" "$SW_IF_IN")
	sw_synwall_start "$SW_NS_SYNWALL" "$SYNWALL_PREFIX" "$conf" "$SYNWALL_LOG" \
		"${mem[@]}" "${vdevs[@]}"
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$SYNWALL_PID" "$SYNWALL_PREFIX" \
		"$(sw_synwall_ready_cmd)" "$SYNWALL_LOG" 30
}

# port_checks LABEL: the ports are the PMD asked for ($SW_PMD); with
# idle = adaptive (the default; not SW_IDLE=poll), the worker of an idle synwall sleeps: it loops fewer
# than 100,000 times a second (a polling one: 0.6 M on AF_XDP, 19 M on
# af_packet here; an adaptive one about 5,000).
port_checks()
{
	local l=$1 name a b
	name=$(sw_telemetry "$SYNWALL_PREFIX" /ethdev/info,0 |
		"$SW_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["/ethdev/info"]["name"])') || name='?'
	sw_check "$l: the outside port is net_$SW_PMD ($name)" \
		test "${name#net_"$SW_PMD"}" != "$name"
	if [[ ${SW_IDLE:-adaptive} != adaptive ]] || sw_synwall_is_standin; then
		return 0
	fi
	sw_synwall_stats "$SYNWALL_PREFIX" && a=${SW_STATS[loops]:-}
	sleep 1
	sw_synwall_stats "$SYNWALL_PREFIX" && b=${SW_STATS[loops]:-}
	sw_check "$l: idle = adaptive: the idle worker sleeps ($((${b:-0} - ${a:-0})) loops in 1 s)" \
		test -n "${a:-}" -a -n "${b:-}" -a $((${b:-0} - ${a:-0})) -lt 100000
}

phase_pass()
{
	local l="unprotected=pass"
	if ! start_synwall pass; then
		sw_check "$l: synwall starts and answers telemetry" false
		return 0
	fi
	sw_check "$l: synwall starts and answers telemetry" true
	port_checks "$l"
	sw_topo_traffic_checks "$l"
	sw_topo_protected_checks "$l" "$SYNWALL_PREFIX"
	sw_synwall_stats_checks "$l" "$SYNWALL_PREFIX"
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
}

phase_drop()
{
	local l="unprotected=drop"
	if sw_synwall_is_standin; then
		sw_check_skip "$l: whole phase" "testpmd stand-in has no drop policy"
		return 0
	fi
	# Forget neighbours: ARP and ND are not TCP services either, yet the
	# wire must keep carrying them or nothing works.
	sw_topo_neigh_flush
	if ! start_synwall drop; then
		sw_check "$l: synwall starts and answers telemetry" false
		return 0
	fi
	sw_check "$l: synwall starts and answers telemetry" true
	# The protected port first: the drops below must be the policy's,
	# not ARP / ND missing.
	sw_topo_protected_checks "$l" "$SYNWALL_PREFIX"
	sw_check "$l: ARP crossed: client's neighbour $SW_SERVER_IP4 = server MAC" \
		sw__topo_neigh_is_server "$SW_SERVER_IP4"
	sw_check "$l: ND crossed: client's neighbour $SW_SERVER_IP6 = server MAC" \
		sw__topo_neigh_is_server "$SW_SERVER_IP6"
	sw_synwall_stats "$SYNWALL_PREFIX" || true
	DROPS0=${SW_STATS[drop.unprotected]:-0}
	sw_check "$l: HTTP over IPv4 on port 80 (not protected) is dropped" \
		sw_topo_http_fails "$(sw_topo_url v4 /index.html)"
	sw_check "$l: HTTP over IPv6 on port 80 (not protected) is dropped" \
		sw_topo_http_fails "$(sw_topo_url v6 /index.html)"
	sw_check "$l: IPv4 ping (ICMP, not a protected service) is dropped" \
		sw_topo_ping_fails "$SW_SERVER_IP4"
	sw_check "$l: IPv6 ping (ICMPv6 echo, not a protected service) is dropped" \
		sw_topo_ping_fails "$SW_SERVER_IP6"
	sw_check "$l: telemetry counts them in drop.unprotected" \
		drops_counted "$SYNWALL_PREFIX" "$DROPS0"
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
}

# drops_counted PREFIX BEFORE: drop.unprotected grew past BEFORE, by at
# least the HTTP SYNs and echo requests sent (2 x at least 1 SYN, 2 x 5
# pings).
drops_counted()
{
	local want=$(($2 + 12))
	sw_wait_for "sw_synwall_stats $1 && ((SW_STATS[drop.unprotected] >= $want))" 3 0.5 &&
		return 0
	sw_diag "drop.unprotected ${SW_STATS[drop.unprotected]:-?}, expected >= $want; $(sw_synwall_stats_line)"
	return 1
}

# conf_with_port80 FILE: the pass config plus a service for port 80,
# written whole and renamed (a reload never reads half a file).
conf_with_port80()
{
	sw_synwall_conf "$1.tmp" pass 1 "$(printf '%s\n' '[service:plain]' \
		"prefix = $SW_SERVER_IP4/32, $SW_SERVER_IP6/128" 'ports = 80')"
	mv -f "$1.tmp" "$1"
}

# log_after LINES RE: a line of synwall's log after line LINES matches RE.
log_after()
{
	tail -n +$(($1 + 1)) "$SYNWALL_LOG" | grep -Eq -- "$2"
}

# syn_rx_above N: syncookie.syn_rx is now above N.
syn_rx_above()
{
	sw_synwall_stats "$SYNWALL_PREFIX" && ((${SW_STATS[syncookie.syn_rx]:-0} > $1))
}

phase_reload()
{
	local l="reload" conf lines syn0 dl_pid dl_alive sum
	if sw_synwall_is_standin; then
		sw_check_skip "$l: whole phase" "testpmd stand-in does not reload"
		return 0
	fi
	if ! start_synwall pass; then
		sw_check "$l: synwall starts and answers telemetry" false
		return 0
	fi
	conf=$SW_TMP/synwall-pass.conf
	# A download through the protected (relayed) port, paced (2 MiB at
	# 400 kB/s: slow_get.py, as curl's --limit-rate lets some transfers
	# through unpaced) to be running across the reload.
	sw_spawn "$SW_TMP/reload-dl.out" ip netns exec "$SW_NS_CLIENT" \
		"$SW_PYTHON" "$SW_ROOT/scripts/lib/slow_get.py" \
		"$(sw_topo_url v4 /file "$SW_PROTECTED_PORT")" \
		"$SW_TMP/reload-dl.file" 400000
	dl_pid=$SW_SPAWNED_PID
	sleep 1
	sw_synwall_stats "$SYNWALL_PREFIX" || true
	syn0=${SW_STATS[syncookie.syn_rx]:-0}
	lines=$(wc -l <"$SYNWALL_LOG")
	conf_with_port80 "$conf"
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	sw_check "$l: SIGHUP adding a service for port 80: the log says it was applied" \
		sw_wait_for "log_after $lines 'reload: applied'" 5 0.2
	# Whether the download spanned the reload is read now, not after the
	# checks below, which take seconds on a loaded machine.
	dl_alive=0
	sw_alive "$dl_pid" && dl_alive=1
	sw_check "$l: HTTP on port 80 still gets the page" \
		eval '! sw_topo_http_fails "$(sw_topo_url v4 /index.html)"'
	sw_check "$l: ... now answered by synwall's SYN cookies (syncookie.syn_rx grew)" \
		sw_wait_for "syn_rx_above $syn0" 3 0.3
	sw_check "$l: the download running across the reload was still running when it was applied" \
		test "$dl_alive" = 1
	wait "$dl_pid" 2>/dev/null || true
	sum=$(sha256sum "$SW_TMP/reload-dl.file" 2>/dev/null | cut -d' ' -f1)
	sw_check "$l: ... and completes byte-exact" test "$sum" = "$SW_WEB_SHA256"
	lines=$(wc -l <"$SYNWALL_LOG")
	sed -i 's/^mbufs = 8192$/mbufs = 8192\nflows = 1000/' "$conf"
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	sw_check "$l: a config changing [worker] flows is refused, naming the key" \
		sw_wait_for "log_after $lines 'reload refused.*\\[worker\\] flows'" 5 0.2
	sw_check "$l: synwall runs on: HTTP on port 80 still answered" \
		eval '! sw_topo_http_fails "$(sw_topo_url v4 /index.html)"'
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
}

main()
{
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_pmd_resolve
	sw_init "e2e-${SW_PMD/_/-}"
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	if [[ $SW_PMD == af_xdp ]] && ! sw_af_xdp_usable; then
		sw_skip "net_af_xdp cannot run here (kernel $(uname -r), or no PMD)"
	fi
	sw_log "ports: net_$SW_PMD on the veth wires"
	sw_require_cmds ip ethtool ping curl nginx dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"

	sw_topo_up
	sw_topo_web_start
	phase_pass
	phase_drop
	phase_reload
	sw_checks_done
}

main "$@"
