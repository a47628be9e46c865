#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_reload.sh [SYNWALL_BIN]: a reload never cuts a live connection.
# synwall inline on two veth wires (scripts/topo.sh, net_af_packet,
# --no-huge), nginx behind it serving a 10 MiB file, curl in front
# fetching it at 500 KB/s while a SIGHUP changes which ports are protected:
#   removed: a relayed download from port 8080 runs while the reload
#     moves the service to port 8081; it completes byte-exact (its flow
#     is still translated), a new connection to 8080 is plain (no SYN
#     cookie), and once the flow has ended synwall says no flow of a
#     removed service is left;
#   added: a plain download from port 80 runs while the reload protects
#     port 80; it completes byte-exact (synwall adopts the connection,
#     flow.adopted), and a new connection to port 80 is answered by a
#     SYN cookie.
# Exit: 0 all passed, 1 a check failed, 77 skipped (not root).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

# conf FILE PORTS: the standard config protecting the server on PORTS,
# written whole and renamed (a reload never reads half a file).
conf()
{
	SW_PROTECTED_PORT=$2 sw_synwall_conf "$1.tmp" pass 1
	mv -f "$1.tmp" "$1"
}

# start_synwall NAME PORTS: a fresh synwall protecting PORTS.
start_synwall()
{
	CONF=$SW_TMP/$1.conf
	LOG=$SW_TMP/$1.log
	conf "$CONF" "$2"
	sw_dpdk_prefix PREFIX "$1"
	mapfile -t mem < <(sw_dpdk_eal_mem)
	sw_synwall_start "$SW_NS_SYNWALL" "$PREFIX" "$CONF" "$LOG" "${mem[@]}" \
		--vdev "net_af_packet0,iface=$SW_IF_OUT" \
		--vdev "net_af_packet1,iface=$SW_IF_IN"
	PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$PID" "$PREFIX" /synwall/stats "$LOG" 30
}

# download PORT: fetch /file at 500 KB/s from the client (about 20 s),
# in the background; its PID in DL_PID, the file in $SW_TMP/dl.PORT.
# Returns once 512 KiB have arrived: the transfer runs.
download()
{
	sw_spawn "$SW_TMP/dl.$1.out" sw_ns_exec "$SW_NS_CLIENT" curl -gsS --fail \
		--limit-rate 500k --max-time 90 -o "$SW_TMP/dl.$1" \
		"$(sw_topo_url v4 /file "$1")"
	DL_PID=$SW_SPAWNED_PID
	sw_wait_for "((\$(bytes $SW_TMP/dl.$1) >= 524288))" 15 0.1
}

# bytes FILE: its size so far (0 before it exists).
bytes()
{
	stat -c %s "$1" 2>/dev/null || echo 0
}

# intact PID PORT: the download ends well and its file is the server's.
intact()
{
	local rc=0 sum t0=${EPOCHREALTIME%.*}
	wait "$1" 2>/dev/null || rc=$?
	sw_log "download from port $2 ended $((${EPOCHREALTIME%.*} - t0)) s after the reload"
	sum=$(sha256sum "$SW_TMP/dl.$2" 2>/dev/null | cut -d' ' -f1)
	[[ $rc == 0 && $sum == "$SW_WEB_SHA256" ]] && return 0
	sw_diag "curl exit $rc, sha256 ${sum:-none}; $(cat "$SW_TMP/dl.$2.out" 2>/dev/null)"
	return 1
}

stat_of()
{
	sw_synwall_stats "$PREFIX" >/dev/null && echo "${SW_STATS[$1]:-0}"
}

# reload PORTS: rewrite the config, SIGHUP, wait for "reload: applied".
reload()
{
	local lines
	lines=$(wc -l <"$LOG")
	conf "$CONF" "$1"
	kill -HUP "$PID"
	sw_wait_for "tail -n +$((lines + 1)) '$LOG' | grep -q 'reload: applied'" 5
}

# syn_answered PORT: a connect() to PORT is answered by a SYN cookie
# (syncookie.syn_rx grows) or, with "plain", not.
syn_answered()
{
	local before after
	before=$(stat_of syncookie.syn_rx)
	sw_topo_fetch "$(sw_topo_url v4 /index.html "$1")" /dev/null 10 || return 1
	after=$(stat_of syncookie.syn_rx)
	if [[ ${2:-} == plain ]]; then
		((after == before))
	else
		((after > before))
	fi
}

phase_removed()
{
	local l="removed"
	sw_check "$l: synwall starts protecting 8080" start_synwall removed 8080
	download 8080
	sw_check "$l: the download from 8080 is running at the reload" \
		sw_alive "$DL_PID"
	sw_check "$l: SIGHUP moving the service to port 8081 is applied" reload 8081
	sw_check "$l: the relayed download from 8080 completes byte-exact" \
		intact "$DL_PID" 8080
	sw_check "$l: a new connection to 8080 is plain now (no SYN cookie)" \
		syn_answered 8080 plain
	sw_check "$l: once its flow ended, no flow of a removed service is left" \
		sw_wait_for "grep -q 'reload: the flows of removed services have all ended' '$LOG'" 15
	sw_synwall_stop_checks "$l" "$PID" "$LOG"
}

phase_added()
{
	local l="added"
	sw_check "$l: synwall starts protecting 8080 only" start_synwall added 8080
	download 80
	sw_check "$l: the download from port 80 is running at the reload" \
		sw_alive "$DL_PID"
	sw_check "$l: SIGHUP protecting port 80 too is applied" reload "80, 8080"
	sw_check "$l: the plain download from port 80 completes byte-exact" \
		intact "$DL_PID" 80
	sw_check "$l: synwall adopted its connection (flow.adopted)" \
		test "$(stat_of flow.adopted)" -ge 1
	sw_check "$l: a new connection to port 80 is answered by a SYN cookie" \
		syn_answered 80
	sw_synwall_stop_checks "$l" "$PID" "$LOG"
}

main()
{
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-reload
	sw_install_deps "${SW_PKGS_TEST[@]}" dpdk dpdk-dev ||
		sw_skip "cannot install the test tools"
	sw_require_cmds ip ethtool curl nginx dpdk-telemetry.py
	sw_topo_up
	SW_WEB_SIZE=$((10 * 1024 * 1024)) sw_topo_web_start
	phase_removed
	phase_added
	sw_checks_done
}

main "$@"
