# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/lib/synwall.sh: synwall (or its testpmd stand-in) itself: its
# config, start, counters and the checks every e2e script shares, for
# common.sh (which sources it; not meant to be sourced alone).
# sw_synwall_conf, sw_synwall_start, sw_synwall_up, sw_synwall_stats,
# sw_synwall_settle, sw_snap, sw_delta, sw_synwall_stats_checks, sw_synwall_stop_checks.

SW_SYNWALL_BIN=${SW_SYNWALL_BIN:-}	# synwall (or dpdk-testpmd stand-in) to run
SW_SYNWALL_PID=""	# PID of the last sw_synwall_start

# ---------------------------------------------------------------- synwall
#
# The scripts drive either synwall or, as a stand-in while synwall is being
# written, dpdk-testpmd in io mode (it also forwards port 0 <-> port 1).
# $SW_SYNWALL_BIN names the binary; a name containing "testpmd" means the
# stand-in, which has no config, no /synwall/ telemetry and no drop policy.

sw_synwall_is_standin()
{
	[[ $(basename "$SW_SYNWALL_BIN") == *testpmd* ]]
}

# The protected service of the standard topology: the server's addresses
# (scripts/topo.sh) on this TCP port. nginx listens on it and on port 80,
# which stays unprotected so that HTTP can be checked end to end while
# synwall answers the handshakes on the protected port itself.
SW_PROTECTED_PORT=${SW_PROTECTED_PORT:-8080}
# The PMD on the veth wires: af_packet (the default of the test suites),
# af_xdp (AF_XDP sockets, the kernel's fast path to user space), or auto
# (af_xdp where sw_af_xdp_usable says it works, else af_packet).
SW_PMD=${SW_PMD:-af_packet}

# sw_synwall_conf FILE [UNPROTECTED [STATS_INTERVAL [EXTRA]]]: write
# synwall's config for the standard topology (outside = port 0, inside =
# port 1) protecting the web server 192.0.2.80 / 2001:db8::80 on
# $SW_PROTECTED_PORT only, its workers' idle mode $SW_IDLE (poll or
# adaptive; unset: synwall's default, adaptive). EXTRA (optional) is appended verbatim, e.g. a [syncookie]
# section.
sw_synwall_conf()
{
	cat >"$1" <<-EOF
	; written by ${SW_NAME:-synwall} (run $SW_RUN_ID)
	[synwall]
	mode = inline
	unprotected = ${2:-pass}
	log_level = notice
	stats_interval = ${3:-1}

	[ports]
	outside = 0
	inside = 1

	[worker]
	burst = 32
	mbufs = 8192
	${SW_IDLE:+idle = $SW_IDLE}

	[service:web]
	prefix = 192.0.2.80/32, 2001:db8::80/128
	ports = $SW_PROTECTED_PORT
	EOF
	if [[ -n ${4:-} ]]; then
		printf '\n%s\n' "$4" >>"$1"
	fi
}

# sw_synwall_start NS PREFIX CONF LOG EAL_ARG...: start synwall (or the
# stand-in) inside NS with lcores 0 (main) and 1 (worker); PID in
# $SW_SYNWALL_PID. The caller passes the memory and --vdev options.
# SW_SYNWALL_LCORES (EAL lcore options, split on blanks; default "-l 0,1")
# gives more workers, e.g. "--lcores 0@0,1@1,2@0": two workers on a
# 2-CPU machine, lcores 0 and 2 sharing CPU 0.
sw_synwall_start()
{
	local ns=$1 prefix=$2 conf=$3 log=$4 lcores
	shift 4
	read -ra lcores <<<"${SW_SYNWALL_LCORES:--l 0,1}"
	local eal=("${lcores[@]}" --file-prefix "$prefix" --no-pci "$@")
	local app=(-c "$conf")
	if sw_synwall_is_standin; then
		app=(--forward-mode=io --auto-start --total-num-mbufs 8192)
	fi
	sw_log "starting $(basename "$SW_SYNWALL_BIN") in $ns: ${eal[*]} -- ${app[*]}"
	sw_spawn "$log" ip netns exec "$ns" "$SW_SYNWALL_BIN" "${eal[@]}" -- "${app[@]}"
	SW_SYNWALL_PID=$SW_SPAWNED_PID
	SW_DIAG_LOGS+=("$log")
}

# sw_synwall_ready_cmd: the telemetry command that proves it is up.
sw_synwall_ready_cmd()
{
	if sw_synwall_is_standin; then
		echo /ethdev/list
	else
		echo /synwall/stats
	fi
}

# sw_synwall_stats PREFIX: read the counters into the associative array
# SW_STATS: out_rx_pkts out_rx_bytes out_tx_pkts out_tx_bytes, the same with
# in_, and drops (sum of synwall's drop counters). Parses /synwall/stats
# ({"outside": {"rx_pkts", ...}, "inside": {...}, "drop": {NAME: N},
# "syncookie": {NAME: N}}, also accepted under a "total" key). Every
# numeric leaf is also kept under its dotted path: SW_STATS[drop.unprotected],
# SW_STATS[syncookie.cookie_ok], SW_STATS[outside.rx_pkts], ...
# For the stand-in, /ethdev/stats of ports 0 and 1. The parsing is
# synwall_stats.py's.
declare -gA SW_STATS=()
sw_synwall_stats()
{
	local prefix=$1 j0 j1 k v
	SW_STATS=()
	if sw_synwall_is_standin; then
		j0=$(sw_telemetry "$prefix" /ethdev/stats,0) || return 1
		j1=$(sw_telemetry "$prefix" /ethdev/stats,1) || return 1
	else
		j0=$(sw_telemetry "$prefix" /synwall/stats) || return 1
		j1='{}'
	fi
	while read -r k v; do
		SW_STATS[$k]=$v
	done < <("$SW_PYTHON" "$SW_LIB_DIR/synwall_stats.py" "$j0" "$j1")
	((${#SW_STATS[@]} > 0))
}

# sw_af_xdp_usable: can DPDK's net_af_xdp run here? Its PMD is installed
# (Debian's dpdk ships it, with libxdp) and the kernel has AF_XDP sockets
# and native XDP on veth (5.4+ for both and for need_wakeup).
sw_af_xdp_usable()
{
	local v
	v=$(uname -r)
	[[ ${v%%.*} -gt 5 || (${v%%.*} -eq 5 && ${v#*.} =~ ^([4-9]|[1-9][0-9])) ]] ||
		return 1
	compgen -G "/usr/lib/*/dpdk/pmds-*/librte_net_af_xdp.so*" >/dev/null ||
		compgen -G "/usr/lib/*/librte_net_af_xdp.so*" >/dev/null
}

# sw_pmd_resolve: SW_PMD=auto becomes af_xdp or af_packet.
sw_pmd_resolve()
{
	if [[ $SW_PMD == auto ]]; then
		if sw_af_xdp_usable; then SW_PMD=af_xdp; else SW_PMD=af_packet; fi
	fi
	[[ $SW_PMD == af_packet || $SW_PMD == af_xdp ]] ||
		sw_die "SW_PMD=$SW_PMD: af_packet, af_xdp or auto"
}

# sw_pmd_vdevs IF_OUT IF_IN [AFP_ARGS]: the --vdev arguments (one per
# line) for port 0 on IF_OUT and port 1 on IF_IN with $SW_PMD.
#   af_packet: ",AFP_ARGS" added to both (framecnt, qpairs, ...).
#   af_xdp: one queue from queue 0, the interface's one on a veth. The
#     XDP program is libxdp's (its dispatcher when bpffs is mounted, a
#     single program otherwise); busy polling stays the PMD's default
#     (busy_budget=64 where the kernel has SO_PREFER_BUSY_POLL); the
#     rings are the port's rx_desc / tx_desc from synwall's config.
sw_pmd_vdevs()
{
	local out=$1 in=$2 extra=${3:+,$3}
	sw_pmd_resolve
	case $SW_PMD in
	af_packet)
		printf '%s\n' --vdev "net_af_packet0,iface=$out$extra" \
			--vdev "net_af_packet1,iface=$in$extra" ;;
	af_xdp)
		printf '%s\n' --vdev "net_af_xdp0,iface=$out,start_queue=0,queue_count=1" \
			--vdev "net_af_xdp1,iface=$in,start_queue=0,queue_count=1" ;;
	esac
}

# sw_synwall_up CONF [AFP_ARGS]: synwall (or the stand-in) in
# $SW_NS_SYNWALL on the two veth wires of scripts/topo.sh with $SW_PMD
# (port 0 outside, 1 inside; AFP_ARGS as sw_pmd_vdevs), memory from
# sw_dpdk_eal_mem, lcores from $SW_SYNWALL_LCORES; waits (30 s) until it
# answers telemetry. Sets SYNWALL_PREFIX, SYNWALL_PID and SYNWALL_LOG
# ($SW_TMP/synwall[-$SW_SYNWALL_NAME].log).
sw_synwall_up()
{
	local conf=$1 name=synwall${SW_SYNWALL_NAME:+-$SW_SYNWALL_NAME}
	local mem vdevs
	SYNWALL_LOG=$SW_TMP/$name.log
	sw_dpdk_prefix SYNWALL_PREFIX "$name"
	mapfile -t mem < <(sw_dpdk_eal_mem)
	sw_pmd_resolve
	mapfile -t vdevs < <(sw_pmd_vdevs "$SW_IF_OUT" "$SW_IF_IN" "${2:-}")
	sw_synwall_start "$SW_NS_SYNWALL" "$SYNWALL_PREFIX" "$conf" "$SYNWALL_LOG" \
		"${mem[@]}" "${vdevs[@]}"
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$SYNWALL_PID" "$SYNWALL_PREFIX" "$(sw_synwall_ready_cmd)" \
		"$SYNWALL_LOG" 30
}

# sw_snap VAR: synwall's counters (sw_synwall_stats of $SYNWALL_PREFIX)
# into the associative array VAR; 1 (VAR empty) if it does not answer.
# shellcheck disable=SC2034 # dst is a nameref: the caller's array is written
sw_snap()
{
	local -n dst=$1
	local k
	dst=()
	sw_synwall_stats "$SYNWALL_PREFIX" || return 1
	for k in "${!SW_STATS[@]}"; do
		dst["$k"]=${SW_STATS[$k]}
	done
}

# sw_synwall_settle: wait (at most 10 s) until the packet counters of
# synwall ($SYNWALL_PREFIX) stop moving, so that a flood's last packets
# are counted before the next snapshot.
sw_synwall_settle()
{
	local a b i
	a=$(sw__port_pkts) || return 1
	for ((i = 0; i < 20; i++)); do
		sleep 0.5
		b=$(sw__port_pkts) || return 1
		[[ $a == "$b" ]] && return 0
		a=$b
	done
	sw_warn "counters still moving after 10 s"
}

# sw__port_pkts: rx + tx packets of both ports, summed.
sw__port_pkts()
{
	sw_synwall_stats "$SYNWALL_PREFIX" || return 1
	echo $((SW_STATS[out_rx_pkts] + SW_STATS[out_tx_pkts] +
		SW_STATS[in_rx_pkts] + SW_STATS[in_tx_pkts]))
}

# sw_delta NAME: counter NAME's growth from the caller's S0 to its S1.
sw_delta()
{
	echo $((${S1[$1]:-0} - ${S0[$1]:-0}))
}

# sw_synwall_stats_line: SW_STATS as one compact line.
sw_synwall_stats_line()
{
	printf 'outside rx %s pkts/%s B tx %s pkts/%s B | inside rx %s pkts/%s B tx %s pkts/%s B | drops %s' \
		"${SW_STATS[out_rx_pkts]:-?}" "${SW_STATS[out_rx_bytes]:-?}" \
		"${SW_STATS[out_tx_pkts]:-?}" "${SW_STATS[out_tx_bytes]:-?}" \
		"${SW_STATS[in_rx_pkts]:-?}" "${SW_STATS[in_rx_bytes]:-?}" \
		"${SW_STATS[in_tx_pkts]:-?}" "${SW_STATS[in_tx_bytes]:-?}" \
		"${SW_STATS[drops]:-?}"
}

# ------------------------------------------------------- shared e2e checks

# sw__stats_all_nonzero PREFIX: rx and tx counted on both ports.
sw__stats_all_nonzero()
{
	sw_synwall_stats "$1" &&
		((SW_STATS[out_rx_pkts] > 0 && SW_STATS[out_tx_pkts] > 0 &&
			SW_STATS[in_rx_pkts] > 0 && SW_STATS[in_tx_pkts] > 0))
}

# sw__stats_nonzero PREFIX: as above, giving counters that are published
# once a second a few seconds to show up.
sw__stats_nonzero()
{
	sw_wait_for "sw__stats_all_nonzero $1" 4 0.5 && return 0
	if sw_synwall_stats "$1"; then
		sw_diag "$(sw_synwall_stats_line)"
	else
		sw_diag "no answer from telemetry"
	fi
	return 1
}

# sw__stats_balanced PREFIX: what came in from the clients went out to the
# servers: outside rx and inside tx agree within 10% + 20 packets (synwall
# answers SYNs itself and sends its own handshake packets to the backend).
sw__stats_balanced()
{
	local a b slack
	sw_synwall_stats "$1" || { sw_diag "no answer from telemetry"; return 1; }
	a=${SW_STATS[out_rx_pkts]} b=${SW_STATS[in_tx_pkts]}
	slack=$((a / 10 + 20))
	sw_diag "$(sw_synwall_stats_line)"
	((a - b <= slack && b - a <= slack)) ||
		{ sw_diag "outside rx $a vs inside tx $b: more than $slack apart"; return 1; }
}

# sw_synwall_stats_checks LABEL PREFIX: the telemetry checks.
sw_synwall_stats_checks()
{
	sw_check "$1: telemetry shows rx and tx on both ports" sw__stats_nonzero "$2"
	sw_check "$1: telemetry: outside rx ~ inside tx" sw__stats_balanced "$2"
}

# sw_synwall_stop_checks LABEL PID LOG: SIGTERM must stop synwall cleanly,
# with exit status 0 within 10 s, after printing its final counters.
sw_synwall_stop_checks()
{
	local label=$1 pid=$2 log=$3 lines rc=0 t0 t1
	lines=$(wc -l <"$log")
	t0=${EPOCHREALTIME//[!0-9]/}
	sw_stop_pid "$pid" 10 || rc=$?
	t1=${EPOCHREALTIME//[!0-9]/}
	sw_log "$label: exited with status $rc after $(((t1 - t0) / 1000)) ms"
	if sw_synwall_is_standin; then
		sw_check_skip "$label: SIGTERM: exits with status 0 within 10 s" "testpmd stand-in"
		sw_check_skip "$label: SIGTERM: final counters printed" "testpmd stand-in"
		return 0
	fi
	sw_check "$label: SIGTERM: exits with status 0 within 10 s" \
		sw__diag_status "$rc" "$log"
	sw_check "$label: SIGTERM: final counters printed" \
		sw__final_counters "$log" "$lines"
}

sw__diag_status()
{
	(($1 == 0)) && return 0
	sw_diag "exit status $1$( (($1 == 124)) && echo ' (killed: still running after 10 s)')"
	tail -n 5 "$2" | sed 's/^/#   /'
	return 1
}

# sw__final_counters LOG LINES: after line LINES of LOG, synwall announced
# its final counters and printed packet counts (a periodic summary line
# alone does not count).
sw__final_counters()
{
	local tail
	tail=$(tail -n +$(($2 + 1)) "$1")
	if grep -qi 'final' <<<"$tail" &&
		grep -Eiq '(rx|tx|pkts|packets).*[0-9]' <<<"$tail"; then
		return 0
	fi
	sw_diag "no counter line after SIGTERM; log tail:"
	tail -n 5 "$1" | sed 's/^/#   /'
	return 1
}
