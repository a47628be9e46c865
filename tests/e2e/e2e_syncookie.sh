#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_syncookie.sh [SYNWALL_BIN]: synwall's SYN cookies against the real
# Linux TCP stack and against spoofed floods, on the standard inline
# topology (scripts/topo.sh: client -- synwall on net_af_packet, --no-huge
# -- nginx). synwall protects 192.0.2.80 / 2001:db8::80 port 8080 only.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   a. a real connect() to 192.0.2.80:8080 and [2001:db8::80]:8080
#      completes; the SYN-ACKs came from synwall and are well-formed
#      answers to the client's SYNs (scripts/lib/synack_check.py: ack =
#      seq + 1, options only as offered, TSecr echoed, checksums, MACs);
#      syncookie.cookie_ok grows by exactly one per connect (the kernel's
#      third ACK); the server's wire sees exactly one SYN per connect (the
#      hand-off's backend SYN, on the client's own tuple, plus synwall's
#      counted retransmissions of it) and nothing from anyone else; port
#      80 (unprotected) still carries HTTP byte-exact, as a control.
#   b. a spoofed SYN flood (trafgen: exactly $SYN_FLOOD SYNs, random sources
#      in 198.18.0.0/15, Linux-like options) is answered one SYN-ACK per SYN
#      synwall received (syn_rx = synack_tx + the SYN drop reasons), the
#      SYN-ACKs leave on the outside port and reach the client's wire, a
#      captured sample of them answers its SYNs correctly, nothing of the
#      flood reaches the server, and a legitimate connect() completes
#      right after (its backend SYN is the only SYN the server sees).
#   c. random ACKs (exactly $ACK_FLOOD, spoofed, half with timestamps) are
#      all counted cookie_bad; cookie_ok does not move; nothing of them
#      reaches the server.
#   d. SIGTERM stops synwall with status 0 after its final counters.
#
# The SYN-ACKs to the spoofed sources go back to the client namespace and
# die there (it has no route to 198.18.0.0/15). Floods are bounded in count
# (trafgen -n) and time (timeout). Exit: 0 all passed, 1 a check failed, 77
# skipped (not root, or a prerequisite cannot be installed).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux)
CONNECTS=3		# real connect()s per address family
SYN_FLOOD=20000		# spoofed SYNs
ACK_FLOOD=5000		# spoofed random ACKs
FLOOD_RATE=20000	# packets/s at most (an inter-packet gap: ~10k in practice)
FLOOD_SECS=30		# hard bound on each flood
NOISE=10		# unrelated packets a phase may see (IPv6 ND/MLD, ARP)

declare -gA S0=() S1=()

start_synwall()
{
	sw_synwall_conf "$SW_TMP/synwall.conf" pass 0
	sw_synwall_up "$SW_TMP/synwall.conf"
}

# port_missed PORT: frames the kernel could not hand to af_packet's ring
# (ethdev imissed) on synwall's PORT.
port_missed()
{
	sw_delta "$1"
}

# snap VAR: synwall's counters (SW_STATS keys), the outside port's imissed,
# the frames the kernel delivered to synwall's outside wire (wire_rx: the
# af_packet ring may still lose some, and DPDK 22.11's af_packet does not
# count those in imissed) and the client's eth0 rx count, into the
# associative array VAR.
# shellcheck disable=SC2034 # dst is a nameref: the caller's array is written
# shellcheck disable=SC2178 # dst is a nameref to the caller's array
snap()
{
	local -n dst=$1
	sw_snap "$1" || return 1
	dst["out_missed"]=$(port_missed 0)
	dst["wire_rx"]=$(sw_ns_exec "$SW_NS_SYNWALL" \
		cat "/sys/class/net/$SW_IF_OUT/statistics/rx_packets")
	dst["client_rx"]=$(sw_topo_if_counter "$SW_NS_CLIENT" rx_packets)
}

# d NAME: the counter's growth from S0 to S1.
d()
{
	echo $((${S1[$1]:-0} - ${S0[$1]:-0}))
}

# unchanged NAME...: none of these counters moved from S0 to S1.
unchanged()
{
	local n rc=0
	for n in "$@"; do
		sw_is_eq "$n grew by" "$(d "$n")" 0 || rc=1
	done
	return "$rc"
}

# all_eq WANT NAME...: each counter grew by exactly WANT.
all_eq()
{
	local want=$1 n rc=0
	shift
	for n in "$@"; do
		sw_is_eq "$n grew by" "$(d "$n")" "$want" || rc=1
	done
	return "$rc"
}

# server_saw PCAP N: on the server's wire (a capture of "tcp port 8080"),
# the flood left no trace (no packet from or to 198.18.0.0/15) and the only
# SYNs are the hand-offs of the N legitimate connects: N distinct tuples
# from the client's addresses, each SYN once plus the backend SYN
# retransmissions synwall counted (flow.backend_syn_retx, S0 -> S1) and
# the SYNs of restarted backend handshakes (flow.backend_restart) and of
# first-contact probes (flow.probe_tx).
server_saw()
{
	local pcap=$1 n=$2 syns tuples others flood retx rc=0
	syns=$("$SW_PYTHON" "$SW_ROOT/tests/e2e/relay_clients.py" syns "$pcap")
	tuples=$(sort -u <<<"$syns" | grep -c . || true)
	others=$(grep -v -e "^$SW_CLIENT_IP4 " -e "^$SW_CLIENT_IP6 " <<<"$syns" |
		grep -c . || true)
	flood=$(tcpdump -nn -r "$pcap" net 198.18.0.0/15 2>/dev/null | wc -l)
	# Sent again: retransmitted, restarted after a backend probe, or the
	# client's SYN sent on as a first-contact probe.
	retx=$(($(d flow.backend_syn_retx) + $(d flow.backend_restart) +
		$(d flow.probe_tx)))
	sw_is_eq "packets from/to 198.18.0.0/15 on the server's wire" "$flood" 0 || rc=1
	sw_is_eq "SYNs on the server's wire not from the client" "$others" 0 || rc=1
	sw_is_eq "distinct SYN tuples on the server's wire" "$tuples" "$n" || rc=1
	sw_is_eq "SYNs on the server's wire (+$retx retransmitted)" \
		"$(grep -c . <<<"$syns" || true)" $((n + retx)) || rc=1
	((SW_CAPTURE_DROPPED == 0)) ||
		{ sw_diag "capture dropped $SW_CAPTURE_DROPPED packets"; rc=1; }
	((rc == 0)) || tcpdump -nn -r "$pcap" 2>/dev/null | head -n 5 | sed 's/^/#   /'
	return "$rc"
}

# connects FAMILY ADDR N: N connect()s; CONNECTED counts those that completed.
connects()
{
	local i
	for ((i = 0; i < $3; i++)); do
		if sw_topo_connect "$2" "$SW_PROTECTED_PORT" 5 2>>"$SW_TMP/connect.err"; then
			CONNECTED=$((CONNECTED + 1))
			eval "CONNECTED_$1=\$((CONNECTED_$1 + 1))"
		fi
	done
}

cookie_ok_grew_by()
{
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX &&
		((SW_STATS[syncookie.cookie_ok] - S0[syncookie.cookie_ok] >= $1))" 3 0.2 || true
	snap S1
	sw_is_eq "syncookie.cookie_ok grew by" "$(d syncookie.cookie_ok)" "$1"
}

# ------------------------------------------------------------------ checks

phase_connect()
{
	local l="a. handshake" srv cli syns
	sw_topo_capture_start srv "$SW_NS_SERVER" "tcp port $SW_PROTECTED_PORT" \
		"$SW_TMP/a-server.pcap" || return 1
	sw_topo_capture_start cli "$SW_NS_CLIENT" "tcp port $SW_PROTECTED_PORT" \
		"$SW_TMP/a-client.pcap" || return 1
	snap S0
	CONNECTED=0 CONNECTED_v4=0 CONNECTED_v6=0
	connects v4 "$SW_SERVER_IP4" "$CONNECTS"
	connects v6 "$SW_SERVER_IP6" "$CONNECTS"
	[[ -s $SW_TMP/connect.err ]] && sed 's/^/# /' "$SW_TMP/connect.err"
	sw_check "$l: connect() to $SW_SERVER_IP4:$SW_PROTECTED_PORT completes ($CONNECTED_v4/$CONNECTS)" \
		sw_is_eq "IPv4 connects" "$CONNECTED_v4" "$CONNECTS"
	sw_check "$l: connect() to [$SW_SERVER_IP6]:$SW_PROTECTED_PORT completes ($CONNECTED_v6/$CONNECTS)" \
		sw_is_eq "IPv6 connects" "$CONNECTED_v6" "$CONNECTS"
	sw_check "$l: syncookie.cookie_ok +1 per completed connect ($CONNECTED)" \
		cookie_ok_grew_by "$CONNECTED"
	sw_topo_capture_stop "$cli" "$SW_TMP/a-client.pcap"
	sw_topo_capture_stop "$srv" "$SW_TMP/a-server.pcap"
	sw_check "$l: the SYN-ACKs are well-formed answers to the client's SYNs" \
		sw_topo_synack_audit "$SW_TMP/a-client.pcap" "$CONNECTED"
	syns=${SW_AUDIT[syns]:-0}
	sw_check "$l: syncookie.syn_rx = synack_tx = SYNs the client sent ($syns)" \
		all_eq "$syns" syncookie.syn_rx syncookie.synack_tx
	sw_check "$l: the server saw one SYN per connect ($CONNECTED), on the client's tuples" \
		server_saw "$SW_TMP/a-server.pcap" "$CONNECTED"
	sw_check "$l: no cookie_bad, cookie_expired for real clients" \
		unchanged syncookie.cookie_bad syncookie.cookie_expired
	sw_check "$l: HTTP on port 80 (unprotected, control) crosses byte-exact" \
		sw_topo_fetch_verify "$(sw_topo_url v4)"
}

# answered_once: every SYN synwall received got exactly one fate: a SYN-ACK
# or a counted drop (reflection limit, MSS below the table, failed build).
answered_once()
{
	local rx=$1 tx=$2 lim=$3 mss=$4 build=$5
	((tx + lim + mss + build == rx)) && return 0
	sw_diag "syn_rx $rx != synack_tx $tx + reflect_limited $lim + mss_low $mss + build $build"
	return 1
}

phase_syn_flood()
{
	local l="b. SYN flood" srv cli rx sent missed
	sw_topo_capture_start srv "$SW_NS_SERVER" "tcp port $SW_PROTECTED_PORT" \
		"$SW_TMP/b-server.pcap" || return 1
	sw_topo_capture_start cli "$SW_NS_CLIENT" \
		"tcp port $SW_PROTECTED_PORT and tcp[tcpflags] & tcp-syn != 0" \
		"$SW_TMP/b-client.pcap" || return 1
	snap S0
	sw_topo_flood syn "$SYN_FLOOD" "$FLOOD_RATE" "$FLOOD_SECS"
	sw_synwall_settle
	snap S1
	sw_topo_capture_stop "$cli" "$SW_TMP/b-client.pcap"
	sent=$SW_FLOOD_SENT rx=$(d syncookie.syn_rx) missed=$(d out_missed)
	sw_log "$l: sent $sent, wire rx $(d wire_rx), syn_rx $rx, imissed $missed," \
		"synack_tx $(d syncookie.synack_tx)," \
		"reflect_limited $(d syncookie.reflect_limited)"
	sw_check "$l: trafgen sent exactly $SYN_FLOOD spoofed SYNs" \
		sw_is_eq "trafgen sent" "$sent" "$SYN_FLOOD"
	sw_check "$l: the kernel delivered them all to synwall's wire" \
		sw_in_range "$SW_IF_OUT rx" "$(d wire_rx)" "$sent" $((sent + NOISE))
	# What af_packet's ring loses (a busy host can starve the worker) is
	# not synwall's doing, but more than 5% means something is wrong.
	sw_check "$l: synwall received them: syn_rx $rx of $sent" \
		sw_in_range "syn_rx (imissed $missed)" "$rx" $((sent * 95 / 100)) "$sent"
	sw_check "$l: every packet synwall got from outside was counted a SYN (rx $(d out_rx_pkts))" \
		sw_in_range "outside rx - syn_rx" $(($(d out_rx_pkts) - rx)) 0 "$NOISE"
	sw_check "$l: one SYN-ACK per SYN received (syn_rx = synack_tx + SYN drops)" \
		answered_once "$rx" "$(d syncookie.synack_tx)" "$(d drop.reflect_limited)" \
		"$(d drop.mss_low)" "$(d drop.build)"
	sw_check "$l: syncookie.reflect_limited = drop.reflect_limited" \
		sw_is_eq "syncookie.reflect_limited" "$(d syncookie.reflect_limited)" "$(d drop.reflect_limited)"
	sw_check "$l: outside tx = synack_tx - tx_full ($(d out_tx_pkts))" \
		sw_in_range "outside tx" "$(d out_tx_pkts)" \
		$(($(d syncookie.synack_tx) - $(d drop.tx_full))) \
		$(($(d syncookie.synack_tx) - $(d drop.tx_full) + NOISE))
	sw_check "$l: the SYN-ACKs reached the client's wire ($(d client_rx) frames)" \
		sw_in_range "client eth0 rx" "$(d client_rx)" \
		$(($(d out_tx_pkts) * 99 / 100)) $(($(d out_tx_pkts) + NOISE))
	sw_check "$l: captured SYN-ACKs are well-formed answers to their SYNs" \
		sw_topo_synack_audit "$SW_TMP/b-client.pcap" $((SYN_FLOOD / 10))
	sw_check "$l: no cookie_ok / cookie_bad from SYNs alone" \
		unchanged syncookie.cookie_ok syncookie.cookie_bad
	sw_check "$l: inside tx +$(d in_tx_pkts): nothing but background reached the server's wire" \
		sw_in_range "inside tx" "$(d in_tx_pkts)" 0 "$NOISE"
	# The legitimate client, right after: still served.
	snap S0
	CONNECTED=0 CONNECTED_v4=0 CONNECTED_v6=0
	connects v4 "$SW_SERVER_IP4" 1
	sw_check "$l: a legitimate connect() right after the flood completes" \
		sw_is_eq "connects" "$CONNECTED" 1
	sw_check "$l: ... and counts cookie_ok +1" cookie_ok_grew_by "$CONNECTED"
	sw_topo_capture_stop "$srv" "$SW_TMP/b-server.pcap"
	sw_check "$l: the server saw nothing of the flood, only the legitimate connect's SYN" \
		server_saw "$SW_TMP/b-server.pcap" "$CONNECTED"
}

phase_ack_flood()
{
	local l="c. random ACKs" srv sent bad missed
	sw_topo_capture_start srv "$SW_NS_SERVER" "tcp port $SW_PROTECTED_PORT" \
		"$SW_TMP/c-server.pcap" || return 1
	snap S0
	sw_topo_flood ack "$ACK_FLOOD" "$FLOOD_RATE" "$FLOOD_SECS"
	sw_synwall_settle
	snap S1
	sw_topo_capture_stop "$srv" "$SW_TMP/c-server.pcap"
	sent=$SW_FLOOD_SENT bad=$(d syncookie.cookie_bad) missed=$(d out_missed)
	sw_log "$l: sent $sent, wire rx $(d wire_rx), outside rx $(d out_rx_pkts)," \
		"cookie_bad $bad, imissed $missed, rst_tx $(d syncookie.rst_tx)"
	sw_check "$l: trafgen sent exactly $ACK_FLOOD spoofed ACKs" \
		sw_is_eq "trafgen sent" "$sent" "$ACK_FLOOD"
	sw_check "$l: synwall received them: outside rx +$(d out_rx_pkts)" \
		sw_in_range "outside rx (imissed $missed)" "$(d out_rx_pkts)" \
		$((sent * 95 / 100)) $((sent + NOISE))
	sw_check "$l: every ACK received counted cookie_bad ($bad)" \
		sw_in_range "cookie_bad vs outside rx" $(($(d out_rx_pkts) - bad)) 0 "$NOISE"
	sw_check "$l: syncookie.cookie_bad = drop.cookie_bad + rst_tx" \
		sw_is_eq "drop.cookie_bad + rst_tx" \
		$(($(d drop.cookie_bad) + $(d syncookie.rst_tx))) "$bad"
	sw_check "$l: cookie_ok, cookie_expired, syn_rx, synack_tx unchanged" \
		unchanged syncookie.cookie_ok syncookie.cookie_expired \
		syncookie.syn_rx syncookie.synack_tx
	sw_check "$l: synwall sent nothing out but RSTs (outside tx = rst_tx $(d syncookie.rst_tx))" \
		sw_in_range "outside tx" "$(d out_tx_pkts)" "$(d syncookie.rst_tx)" \
		$(($(d syncookie.rst_tx) + NOISE))
	sw_check "$l: inside tx +$(d in_tx_pkts): nothing but background reached the server's wire" \
		sw_in_range "inside tx" "$(d in_tx_pkts)" 0 "$NOISE"
	sw_check "$l: the server saw nothing of them (no packet from 198.18.0.0/15, no SYN)" \
		server_saw "$SW_TMP/c-server.pcap" 0
}

main()
{
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-syncookie
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool curl nginx tcpdump trafgen dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "SYN cookies need synwall, not a stand-in"

	sw_topo_up
	sw_topo_web_start
	if ! start_synwall; then
		sw_check "synwall starts and answers telemetry" false
		sw_checks_done
		return
	fi
	sw_check "synwall starts and answers telemetry" true
	if ! sw_synwall_stats "$SYNWALL_PREFIX" || [[ -z ${SW_STATS[syncookie.syn_rx]:-} ]]; then
		sw_check "telemetry has syncookie counters" false
		sw_checks_done
		return
	fi
	phase_connect || sw_check "a. captures start" false
	phase_syn_flood || sw_check "b. captures start" false
	phase_ack_flood || sw_check "c. capture starts" false
	sw_synwall_stop_checks "d" "$SYNWALL_PID" "$SYNWALL_LOG"
	sw_checks_done
}

main "$@"
