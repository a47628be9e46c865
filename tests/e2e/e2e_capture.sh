#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_capture.sh [SYNWALL_BIN]: DPDK's stock capture tools on a running
# synwall ([synwall] capture = yes, rte_pdump), on the standard inline
# topology (scripts/topo.sh) with $SW_PMD (net_af_packet by default).
# dpdk-dumpcap and dpdk-pdump are secondary processes: synwall runs on
# 2 MiB hugepages with its own --file-prefix (not --in-memory, which
# has no multi-process socket); the pages are reserved here and given
# back at the end.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   a. synwall says capture is on; dpdk-dumpcap -D lists both ports.
#   b. a spoofed SYN flood (trafgen: exactly $SYN_FLOOD SYNs from
#      198.18.0.0/15) with no capture: the control.
#   c. the same flood with dpdk-dumpcap -p -i OUTSIDE running: the pcapng
#      holds every SYN synwall received and every SYN-ACK it sent (what
#      dumpcap says it dropped aside), tcpdump -vv -r finds every
#      SYN-ACK's checksums correct, synack_check.py pairs them with their
#      SYNs (well-formed answers); synwall's counters tell the same story
#      as in b: every SYN answered once, nothing dropped, nothing to the
#      server. The busy cycles per packet of b and c are logged.
#   d. dpdk-pdump (the other stock tool) captures the outside port into
#      rx and tx pcaps: the SYNs and SYN-ACKs of a small flood, checksums
#      correct; that it can start at all shows dumpcap removed its
#      callbacks when it ended.
#   e. dumpcap without -p turns promiscuous mode off as it ends; synwall
#      notices and turns it back on within 3 s.
#   f. with --no-huge, and with --in-memory, synwall says capture is
#      unavailable and runs; dumpcap cannot attach and exits non-zero.
#   g. SIGTERM with a capture running stops synwall with status 0 after
#      its final counters, and dumpcap ends by itself.
#
# All traffic stays in the run's namespaces; floods are bounded in count
# (trafgen -n) and time (timeout); every capture tool is bounded by a
# timeout and stopped by SIGINT (what makes it remove its callbacks from
# synwall's ports). Exit: 0 all passed, 1 a check failed, 77 skipped (not
# root, no hugepages, or a prerequisite cannot be installed).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

# dpdk (dpdk-dumpcap, dpdk-pdump), dpdk-dev (dpdk-telemetry.py).
SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux)
HUGEPAGES=384		# 768 MiB: synwall (~300) + dumpcap's and pdump's pools
SYN_FLOOD=10000		# spoofed SYNs per flood (b, c)
SMALL_FLOOD=1000	# spoofed SYNs of d
FLOOD_RATE=10000	# packets/s at most (~6k in practice)
FLOOD_SECS=30		# hard bound on each flood
TOOL_SECS=120		# hard bound on each capture tool
NOISE=10		# unrelated packets a phase may see (IPv6 ND/MLD, ARP)

declare -gA S0=() S1=()

# d NAME: the counter's growth from S0 to S1.
d()
{
	echo $((${S1[$1]:-0} - ${S0[$1]:-0}))
}

start_synwall()
{
	local vdevs
	SYNWALL_LOG=$SW_TMP/synwall.log
	sw_synwall_conf "$SW_TMP/synwall.conf" pass 0
	sw_dpdk_prefix SYNWALL_PREFIX synwall
	# A deeper af_packet ring than the default 512 frames: with a capture
	# tool on the same two CPUs, the worker may be off its CPU longer.
	mapfile -t vdevs < <(sw_pmd_vdevs "$SW_IF_OUT" "$SW_IF_IN" framecnt=4096)
	OUT_PORT=net_${SW_PMD}0
	sw_synwall_start "$SW_NS_SYNWALL" "$SYNWALL_PREFIX" "$SW_TMP/synwall.conf" \
		"$SYNWALL_LOG" --huge-dir "$SW_HUGE_DIR" "${vdevs[@]}"
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$SYNWALL_PID" "$SYNWALL_PREFIX" /synwall/stats \
		"$SYNWALL_LOG" 30
}

# ------------------------------------------------------- capture tools

# dumpcap_start VAR PCAP [ARG...]: dpdk-dumpcap on synwall's outside port
# in synwall's namespace writing PCAP (pcapng), bounded by TOOL_SECS; PID
# in VAR. Returns once it captures (it has asked synwall for copies).
dumpcap_start()
{
	local var=$1 pcap=$2 dc
	shift 2
	sw_spawn "$pcap.log" ip netns exec "$SW_NS_SYNWALL" \
		timeout -s INT -k 5 "$TOOL_SECS" dpdk-dumpcap \
		--file-prefix="$SYNWALL_PREFIX" -i "$OUT_PORT" -w "$pcap" "$@"
	dc=$SW_SPAWNED_PID
	printf -v "$var" '%s' "$dc"
	if ! sw_wait_for "grep -q 'Packets captured' $pcap.log || ! sw_alive $dc" 15 0.1 ||
		! sw_alive "$dc"; then
		sw_log_tail "$pcap.log"
		return 1
	fi
}

# tool_stop PID LOG: SIGINT (the tools remove their callbacks and write
# their tallies), bounded; TOOL_RC is its exit status.
tool_stop()
{
	local pid=$1
	TOOL_RC=0
	sleep 0.5	# copies still in the ring reach the file
	kill -INT "$pid" 2>/dev/null || true
	sw_wait_for "! sw_alive $pid" 10 0.1 || sw_warn "PID $pid ignores SIGINT"
	sw_stop_pid "$pid" 3 || TOOL_RC=$?
}

# dumpcap_tally LOG: DUMPCAP_RECV / DUMPCAP_DROP as dumpcap reports them
# at its end ("Packets received/dropped on interface 'X': R/D (...)";
# dropped: copies that found its ring full or its pool empty).
dumpcap_tally()
{
	local line
	line=$(tr '\b' '\n' <"$1" | sed -n "s/.*received\/dropped on interface '[^']*': \([0-9]*\)\/\([0-9]*\).*/\1 \2/p" |
		tail -n 1)
	read -r DUMPCAP_RECV DUMPCAP_DROP <<<"${line:-x x}"
	[[ $DUMPCAP_RECV =~ ^[0-9]+$ && $DUMPCAP_DROP =~ ^[0-9]+$ ]]
}

SYNACK_FILTER="src host $SW_SERVER_IP4 and tcp src port $SW_PROTECTED_PORT and tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)"
SYN_FILTER="dst host $SW_SERVER_IP4 and tcp dst port $SW_PROTECTED_PORT and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"

# count PCAP FILTER: packets of PCAP (pcap or pcapng) that match FILTER.
count()
{
	tcpdump -nn -r "$1" "$2" 2>/dev/null | wc -l
}

# cksums_correct PCAP N: the capture holds N SYN-ACKs (at least 1) and
# tcpdump -vv finds every one's TCP checksum correct and no IP checksum
# bad.
cksums_correct()
{
	local out n good bad
	out=$(tcpdump -nn -vv -r "$1" "$SYNACK_FILTER" 2>/dev/null)
	n=$(grep -c 'Flags \[S\.\]' <<<"$out" || true)
	good=$(grep -c 'Flags \[S\.\], cksum 0x[0-9a-f]* (correct)' <<<"$out" || true)
	bad=$(grep -c -e 'incorrect' -e 'bad cksum' <<<"$out" || true)
	sw_diag "tcpdump -vv: $n SYN-ACKs, $good with a correct TCP checksum, $bad bad"
	((bad > 0)) && grep -m 3 -e 'incorrect' -e 'bad cksum' <<<"$out" | sed 's/^/#   /'
	sw_at_least "SYN-ACKs in the capture" "$n" 1 &&
		sw_is_eq "SYN-ACKs in the capture" "$n" "$2" &&
		sw_is_eq "SYN-ACKs with a correct TCP checksum" "$good" "$n" &&
		sw_is_eq "bad checksums" "$bad" 0
}

# ------------------------------------------------------------- the floods

# cycles_per_pkt: synwall's busy cycles per packet it received or sent,
# S0 -> S1.
cycles_per_pkt()
{
	local pkts=$(($(d out_rx_pkts) + $(d out_tx_pkts) + $(d in_rx_pkts) + $(d in_tx_pkts)))
	((pkts > 0)) || { echo "?"; return 0; }
	echo $(($(d busy_cycles) / pkts))
}

# drops_sum: every drop counter's growth, S0 -> S1.
drops_sum()
{
	echo $((${S1[drops]:-0} - ${S0[drops]:-0}))
}

# flood_checks LABEL: synwall's counters after a flood of $SYN_FLOOD SYNs
# (S0 -> S1): the story the copies must not change.
flood_checks()
{
	local l=$1 rx sent=$SW_FLOOD_SENT
	rx=$(d syncookie.syn_rx)
	sw_log "$l: sent $sent, syn_rx $rx, synack_tx $(d syncookie.synack_tx)," \
		"outside rx $(d out_rx_pkts) tx $(d out_tx_pkts), inside tx $(d in_tx_pkts)," \
		"drops $(drops_sum), $(cycles_per_pkt) busy cycles/packet"
	sw_check "$l: trafgen sent exactly $SYN_FLOOD spoofed SYNs" \
		sw_is_eq "trafgen sent" "$sent" "$SYN_FLOOD"
	# What af_packet's ring loses (a busy host can starve the worker) is
	# not synwall's doing, but more than 5% means something is wrong.
	sw_check "$l: synwall received them: syn_rx $rx of $sent" \
		sw_in_range "syn_rx" "$rx" $((sent * 95 / 100)) "$sent"
	sw_check "$l: one SYN-ACK per SYN: synack_tx = syn_rx" \
		sw_is_eq "synack_tx" "$(d syncookie.synack_tx)" "$rx"
	sw_check "$l: the outside port sent them all: outside tx = synack_tx" \
		sw_in_range "outside tx" "$(d out_tx_pkts)" "$(d syncookie.synack_tx)" \
		$(($(d syncookie.synack_tx) + NOISE))
	sw_check "$l: no drop counter grew" sw_is_eq "drops" "$(drops_sum)" 0
	sw_check "$l: nothing but background reached the server: inside tx +$(d in_tx_pkts)" \
		sw_in_range "inside tx" "$(d in_tx_pkts)" 0 "$NOISE"
}

phase_control()
{
	local l="b. flood, no capture"
	sw_snap S0 || return 1
	sw_topo_flood syn "$SYN_FLOOD" "$FLOOD_RATE" "$FLOOD_SECS"
	sw_synwall_settle
	sw_snap S1 || return 1
	flood_checks "$l"
	CYCLES_PLAIN=$(cycles_per_pkt)
}

phase_dumpcap()
{
	local l="c. flood, dpdk-dumpcap running" pcap=$SW_TMP/c.pcapng pid
	local syns synacks lost
	if ! dumpcap_start pid "$pcap" -p; then
		sw_check "$l: dpdk-dumpcap -p -i $OUT_PORT starts capturing" false
		return 0
	fi
	sw_check "$l: dpdk-dumpcap -p -i $OUT_PORT starts capturing" true
	sw_snap S0 || return 1
	sw_topo_flood syn "$SYN_FLOOD" "$FLOOD_RATE" "$FLOOD_SECS"
	sw_synwall_settle
	sw_snap S1 || return 1
	tool_stop "$pid"
	flood_checks "$l"
	CYCLES_CAPTURE=$(cycles_per_pkt)
	sw_log "busy cycles per packet: $CYCLES_PLAIN without a capture, $CYCLES_CAPTURE with dumpcap copying every packet"
	sw_diag "busy cycles per packet: $CYCLES_PLAIN without a capture, $CYCLES_CAPTURE with dumpcap"
	sw_check "$l: dpdk-dumpcap ends on SIGINT with status 0" \
		sw_is_eq "dumpcap exit status" "$TOOL_RC" 0
	if ! dumpcap_tally "$pcap.log"; then
		sw_check "$l: dumpcap reports what it received and dropped" false
		sw_log_tail "$pcap.log"
		return 0
	fi
	lost=$DUMPCAP_DROP
	syns=$(count "$pcap" "$SYN_FILTER")
	synacks=$(count "$pcap" "$SYNACK_FILTER")
	sw_log "$l: dumpcap received $DUMPCAP_RECV dropped $lost; pcapng: $syns SYNs, $synacks SYN-ACKs"
	sw_check "$l: dumpcap dropped none of the copies" sw_is_eq "dropped" "$lost" 0
	sw_check "$l: the pcapng holds every SYN synwall received ($(d syncookie.syn_rx))" \
		sw_in_range "SYNs in the pcapng" "$syns" \
		$(($(d syncookie.syn_rx) - lost)) "$(d syncookie.syn_rx)"
	sw_check "$l: the pcapng holds every SYN-ACK synwall sent ($(d syncookie.synack_tx))" \
		sw_in_range "SYN-ACKs in the pcapng" "$synacks" \
		$(($(d syncookie.synack_tx) - lost)) "$(d syncookie.synack_tx)"
	sw_check "$l: tcpdump -vv -r: every SYN-ACK's checksums correct" \
		cksums_correct "$pcap" "$synacks"
	# synack_check.py reads pcap: tcpdump converts.
	tcpdump -r "$pcap" -w "$SW_TMP/c.pcap" 2>/dev/null
	sw_check "$l: the captured SYN-ACKs are well-formed answers to the captured SYNs" \
		sw_topo_synack_audit "$SW_TMP/c.pcap" $((SYN_FLOOD * 9 / 10))
}

# pdump_ready LOG: dpdk-pdump has asked for copies.
pdump_ready()
{
	grep -q 'capture for' "$1"
}

phase_pdump()
{
	local l="d. dpdk-pdump" log=$SW_TMP/pdump.log pid rx=$SW_TMP/d-rx.pcap tx=$SW_TMP/d-tx.pcap
	local syns synacks
	# A small pool: pdump's default (65535 mbufs of 2176 B) is 140 MiB.
	# stdbuf: it says it captures on stdout, which is not a terminal.
	sw_spawn "$log" ip netns exec "$SW_NS_SYNWALL" \
		timeout -s INT -k 5 "$TOOL_SECS" stdbuf -oL \
		dpdk-pdump --file-prefix="$SYNWALL_PREFIX" -- \
		--pdump "device_id=$OUT_PORT,queue=*,rx-dev=$rx,tx-dev=$tx,ring-size=4096,mbuf-size=2176,total-num-mbufs=8191"
	pid=$SW_SPAWNED_PID
	if ! sw_wait_for "pdump_ready $log || ! sw_alive $pid" 15 0.1 || ! sw_alive "$pid"; then
		sw_check "$l: starts on $OUT_PORT once dumpcap has ended" false
		sw_log_tail "$log"
		return 0
	fi
	sw_check "$l: starts on $OUT_PORT once dumpcap has ended" true
	sleep 0.5	# it polls its ring
	sw_snap S0 || return 1
	sw_topo_flood syn "$SMALL_FLOOD" "$FLOOD_RATE" "$FLOOD_SECS"
	sw_synwall_settle
	sw_snap S1 || return 1
	tool_stop "$pid"
	sw_check "$l: ends on SIGINT with status 0" sw_is_eq "pdump exit status" "$TOOL_RC" 0
	syns=$(count "$rx" "$SYN_FILTER")
	synacks=$(count "$tx" "$SYNACK_FILTER")
	sw_log "$l: syn_rx $(d syncookie.syn_rx), synack_tx $(d syncookie.synack_tx); rx pcap $syns SYNs, tx pcap $synacks SYN-ACKs"
	sw_check "$l: the rx pcap holds every SYN synwall received ($(d syncookie.syn_rx))" \
		sw_is_eq "SYNs in the rx pcap" "$syns" "$(d syncookie.syn_rx)"
	sw_check "$l: the tx pcap holds every SYN-ACK synwall sent ($(d syncookie.synack_tx))" \
		sw_is_eq "SYN-ACKs in the tx pcap" "$synacks" "$(d syncookie.synack_tx)"
	sw_check "$l: tcpdump -vv -r: every SYN-ACK's checksums correct" \
		cksums_correct "$tx" "$synacks"
}

# promisc_on: synwall's outside wire is promiscuous.
promisc_on()
{
	ip -n "$SW_NS_SYNWALL" -o link show dev "$SW_IF_OUT" | grep -q PROMISC
}

phase_promisc()
{
	local l="e. dumpcap without -p" pid
	if ! dumpcap_start pid "$SW_TMP/e.pcapng"; then
		sw_check "$l: starts" false
		return 0
	fi
	tool_stop "$pid"
	sw_check "$l: synwall turns promiscuous mode back on within 3 s" \
		sw_wait_for promisc_on 3 0.1
	sw_check "$l: ... and says so" \
		sw_wait_for "grep -q 'promiscuous mode was turned off by another process' $SYNWALL_LOG" 2 0.1
}

# ----------------------------------------------- unavailable: --no-huge

# nohuge_case LABEL EAL...: a second synwall on net_ring ports (no wire,
# no traffic) says capture is unavailable and runs; dumpcap cannot
# attach to it.
nohuge_case()
{
	local l=$1 prefix log pid rc=0
	shift
	sw_dpdk_prefix prefix "x$RANDOM"
	log=$SW_TMP/$prefix.log
	cat >"$SW_TMP/ring.conf" <<-EOF
	; written by $SW_NAME (run $SW_RUN_ID): a small plain bridge
	[synwall]
	unprotected = pass
	stats_interval = 0
	[worker]
	mbufs = 8192
	flows = 1024
	flows6 = 1024
	EOF
	sw_spawn "$log" ip netns exec "$SW_NS_SYNWALL" "$SW_SYNWALL_BIN" -l 0,1 \
		--file-prefix "$prefix" --no-pci "$@" --vdev net_ring0 --vdev net_ring1 \
		-- -c "$SW_TMP/ring.conf"
	pid=$SW_SPAWNED_PID
	SW_DIAG_LOGS+=("$log")
	sw_check "$l: synwall starts and says capture is unavailable" \
		sw_wait_for "grep -q 'capture: unavailable' $log && grep -q 'running' $log" 20 0.2
	sw_check "$l: ... and keeps running" sw_alive "$pid"
	sw_ns_exec "$SW_NS_SYNWALL" timeout -s INT -k 5 20 dpdk-dumpcap \
		--file-prefix="$prefix" -p -i net_ring0 -w "$SW_TMP/$prefix.pcapng" \
		>"$log.dumpcap" 2>&1 || rc=$?
	sw_check "$l: dumpcap cannot attach and exits non-zero (status $rc)" \
		sw_in_range "dumpcap exit status" "$rc" 1 123
	sw_stop_pid "$pid" 10 || true
}

phase_unavailable()
{
	nohuge_case "f. --no-huge" --no-huge -m 512
	nohuge_case "f. --in-memory" --in-memory --huge-dir "$SW_HUGE_DIR"
}

phase_stop()
{
	local l="g. SIGTERM during a capture" pid
	if ! dumpcap_start pid "$SW_TMP/g.pcapng" -p; then
		sw_check "$l: dumpcap starts" false
		return 0
	fi
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
	sw_check "$l: dumpcap ends by itself within 5 s" \
		sw_wait_for "! sw_alive $pid" 5 0.1
	tool_stop "$pid"
}

main()
{
	local l="a. start" ports
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-capture
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool tcpdump trafgen dpdk-telemetry.py dpdk-dumpcap dpdk-pdump
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "capture needs synwall, not a stand-in"
	sw_hugepages_reserve "$HUGEPAGES" ||
		sw_skip "dpdk-dumpcap and dpdk-pdump need hugepages: $SW_HUGEPAGES_MSG"
	sw_pmd_resolve

	sw_topo_up
	if ! start_synwall; then
		sw_check "$l: synwall starts on hugepages and answers telemetry" false
		sw_checks_done
		return
	fi
	sw_check "$l: synwall starts on hugepages and answers telemetry" true
	sw_check "$l: synwall says capture is on" \
		grep -q "capture: on: dpdk-dumpcap --file-prefix=$SYNWALL_PREFIX" "$SYNWALL_LOG"
	ports=$(sw_ns_exec "$SW_NS_SYNWALL" timeout -k 5 20 dpdk-dumpcap \
		--file-prefix="$SYNWALL_PREFIX" -D 2>/dev/null) || true
	sw_check "$l: dpdk-dumpcap -D lists synwall's ports" \
		sw_is_eq "dumpcap -D" "$(tr '\n' ' ' <<<"$ports")" \
		"0. net_${SW_PMD}0 1. net_${SW_PMD}1 "

	phase_control || sw_check "b. telemetry answers" false
	phase_dumpcap || sw_check "c. telemetry answers" false
	phase_pdump || sw_check "d. telemetry answers" false
	phase_promisc
	phase_unavailable
	phase_stop
	sw_checks_done
}

main "$@"
