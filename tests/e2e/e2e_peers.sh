#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_peers.sh [SYNWALL_BIN]: scripted misbehaving peers through synwall
# (inline, net_af_packet on veth, --no-huge; the standard topology of
# scripts/topo.sh). tests/e2e/peers.py plays them with scapy:
#
#   - scapy is the CLIENT in the client namespace, from 192.0.2.11 with the
#     client's MAC: an address the kernel there does not own and does not
#     forward (forwarding off), so it never answers the scapy tuple with
#     RSTs of its own; the server namespace has a static neighbour entry
#     for it. Its peer is the RECORDING SERVER, a real Linux listener on
#     192.0.2.80 ports 7000 and 7002 (7002: a 4 KiB SO_RCVBUF) that keeps,
#     per connection, the bytes it received and whether it saw EOF or
#     ECONNRESET.
#   - scapy is the SERVER in the server namespace on 192.0.2.81 port 7001
#     (not owned by the kernel either; static neighbour in the client
#     namespace), and a real Linux connect() from 192.0.2.10 is the client.
#   - tcpdump records the server's wire (all TCP) and the client's (port
#     7001) for the whole run: what synwall forwarded is read from there.
#   Both scapy peers use only the TCP options their handshake agreed on,
#   whatever synwall offers (it may offer less to a server not learned yet).
#
# synwall protects 192.0.2.80 and 192.0.2.81, ports 7000-7002. The
# expected behaviour is the spec (docs/handoff.md: RFC 5961, translation);
# a check fails wherever synwall differs. Cases, each one or more checks
# "ok - NAME" / "not ok - NAME":
#    1. client RST at its SND.NXT: crosses; the server sees ECONNRESET.
#    2. client RST in the window, not exact: challenge ACK to the client
#       (seq = the server's next in the client's view, ack = SND.NXT), the
#       RST not forwarded; the server's connection lives on.
#    3. client RSTs outside the window: no answer, not forwarded,
#       drop.rst_window grows.
#    4. SYN from the client on the established tuple: challenge ACK,
#       nothing on the server's wire.
#    5. data outside the server's window: the server's stream is exactly
#       the client's in-order bytes.
#    6. ACK beyond anything the server sent: not on the server's wire,
#       counted as drop.ack_unsent (named in README's counter table).
#    7. client ISN just below 2^32 (its stream wraps); SACK agreed (the
#       server does SACK); SACK edges beyond anything sent, straddling 2^32
#       in the server's and in the client's space, and two SACK options in
#       one segment: every edge translated (edge - delta mod 2^32),
#       checksums valid.
#    8. URG: flag and urgent pointer unchanged, payload intact, received.
#    9. zero windows: the client's 0 reaches the server as 0, its 1 never
#       as 0; the stalled server's zero window reaches the client as 0,
#       none of its open windows does, and it opens again once the server
#       reads; the server's stream is exact.
#   10. half-close: the server's data after the client's FIN reaches the
#       client (translated, byte-exact); the client's data after its own
#       FIN does not reach the server's stream.
#   11. the client's data is lost between synwall and the server (nftables
#       drop of the marked segment in the server namespace), then the
#       client's RST at its SND.NXT: it crosses, the server's RFC 5961
#       challenge ACK is relayed to the client (seq + delta), the client's
#       RST at the challenge's ack crosses, the server sees ECONNRESET and
#       keeps no ESTABLISHED socket.
#   12. scapy as the server: in-window inexact RST -> challenge ACK to the
#       server, not forwarded to the client; out-of-window RST dropped
#       silently (drop.rst_window); SYN on the established tuple ->
#       challenge ACK; the connection still carries data both ways.
#   Then synwall is alive and stops with status 0 on SIGTERM.
#   SW_PEERS_CASES="1 2 11" runs only those cases (debugging).
#
# Safety: everything runs in namespaces named for this run and removed at
# exit; addresses only from 192.0.2.0/24; only processes started here are
# stopped, by PID; every wait is bounded.
# Exit: 0 all passed, 1 a check failed, 77 skipped (not root, or a
# prerequisite cannot be installed).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux)
PEERS=$SW_ROOT/tests/e2e/peers.py
PEER_IP4=192.0.2.11		# scapy's client address (no kernel owns it)
SCAPY_SERVER_IP4=192.0.2.81	# scapy's server address (no kernel owns it)
REC_PORT=7000			# the recording server
SCAPY_PORT=7001			# the scapy server
STALL_PORT=7002			# the recording server with a small buffer
STALL_RCVBUF=4096
SPORT_BASE=40000		# case N's client ports: SPORT_BASE + 100 N (+1)
NFT_TABLE=synwall_peers
NFT_MARKER_HEX=0x4c4f53542d2d3131	# "LOST--11" (peers.py NFT_MARKER)
# The scapy client's data segments carry no option but timestamps (NOP,
# NOP, TS) when agreed: the payload starts 160 or 256 bits into the TCP
# header.

declare -gA S0=() S1=() PLAY_RC=()

# ---------------------------------------------------------------- synwall

peers_conf()
{
	cat >"$1" <<-EOF
	; written by $SW_NAME (run $SW_RUN_ID)
	[synwall]
	mode = inline
	unprotected = pass
	log_level = notice
	stats_interval = 0

	[ports]
	outside = 0
	inside = 1

	[worker]
	burst = 32
	mbufs = 8192
	flows = 16384
	flows6 = 16384

	[flow]
	linger_ms = 500

	[service:peers]
	prefix = $SW_SERVER_IP4/32, $SCAPY_SERVER_IP4/32, $SW_SERVER_IP6/128
	ports = $REC_PORT-$STALL_PORT
	EOF
}

start_synwall()
{
	peers_conf "$SW_TMP/synwall.conf"
	sw_synwall_up "$SW_TMP/synwall.conf"
}

# snap VAR: synwall's counters into VAR (empty if it does not answer).
snap()
{
	sw_snap "$1" || :
}

d()
{
	sw_delta "$1"
}

# grew NAME MIN: counter NAME grew by MIN or more from S0 to S1.
grew()
{
	if [[ -z ${S1[$1]:-} ]]; then
		sw_diag "telemetry has no counter $1"
		return 1
	fi
	sw_at_least "$1 grew by" "$(d "$1")" "$2"
}

# counters_line: what moved from S0 to S1 (flow and drop counters).
counters_line()
{
	local k out=""
	for k in $(printf '%s\n' "${!S1[@]}" | sort); do
		[[ $k == flow.* || $k == drop.* ]] || continue
		[[ $k == flow.active || $k == flow.holding ]] && continue
		[[ $(d "$k") != 0 ]] && out+="$k +$(d "$k") "
	done
	echo "${out:-nothing}"
}

# ------------------------------------------------------------ the network

# peers_net: no forwarding in the hosts' namespaces (the scapy addresses
# must die there, unanswered), and static neighbours for the scapy
# addresses, which nothing answers ARP for.
peers_net()
{
	local ns
	for ns in "$SW_NS_CLIENT" "$SW_NS_SERVER"; do
		sw_ns_exec "$ns" sysctl -qw net.ipv4.ip_forward=0 \
			net.ipv4.conf.all.send_redirects=0 \
			net.ipv6.conf.all.forwarding=0 >/dev/null
	done
	ip -n "$SW_NS_SERVER" neigh replace "$PEER_IP4" lladdr "$SW_CLIENT_MAC" \
		dev eth0 nud permanent
	ip -n "$SW_NS_CLIENT" neigh replace "$SCAPY_SERVER_IP4" lladdr "$SW_SERVER_MAC" \
		dev eth0 nud permanent
}

# capture_start VAR NS FILTER PCAP: tcpdump of whole frames on eth0 of NS
# (sw_topo_capture_start keeps 128 bytes; payloads are checked here),
# bounded by a 600 s timeout; PID in VAR.
capture_start()
{
	local var=$1 ns=$2 filter=$3 pcap=$4 pid
	sw_spawn "$pcap.log" ip netns exec "$ns" timeout -s INT 600 \
		tcpdump -i eth0 -nn -s 2048 -B 8192 --immediate-mode -U -w "$pcap" "$filter"
	pid=$SW_SPAWNED_PID
	printf -v "$var" '%s' "$pid"
	if ! sw_wait_for "grep -q 'listening on' $pcap.log || ! sw_alive $pid" 10 0.1 ||
		! sw_alive "$pid"; then
		sw_log_tail "$pcap.log"
		return 1
	fi
}

start_recorder()
{
	mkdir -p "$SW_TMP/peers/rec" "$SW_TMP/peers/ctl"
	sw_spawn "$SW_TMP/recorder.log" ip netns exec "$SW_NS_SERVER" \
		"$SW_PYTHON" "$PEERS" recorder --cfg "$CFG"
	RECORDER_PID=$SW_SPAWNED_PID
	SW_DIAG_LOGS+=("$SW_TMP/recorder.log")
	sw_wait_for "grep -q listening $SW_TMP/recorder.log || ! sw_alive $RECORDER_PID" 10 &&
		sw_alive "$RECORDER_PID"
}

write_cfg()
{
	CFG=$SW_TMP/peers.json
	cat >"$CFG" <<-EOF
	{
	  "dir": "$SW_TMP/peers",
	  "client_if": "eth0", "server_if": "eth0",
	  "client_mac": "$SW_CLIENT_MAC", "server_mac": "$SW_SERVER_MAC",
	  "peer_ip4": "$PEER_IP4",
	  "client_ip4": "$SW_CLIENT_IP4",
	  "server_ip4": "$SW_SERVER_IP4", "server_ip6": "$SW_SERVER_IP6",
	  "scapy_server_ip4": "$SCAPY_SERVER_IP4",
	  "rec_port": $REC_PORT, "stall_port": $STALL_PORT, "scapy_port": $SCAPY_PORT,
	  "stall_rcvbuf": $STALL_RCVBUF,
	  "sport_base": $SPORT_BASE,
	  "server_pcap": "$SW_TMP/server.pcap", "client_pcap": "$SW_TMP/client.pcap"
	}
	EOF
}

# nft_lose_marker: the server namespace drops the client segment that
# carries peers.py's marker (case 11's lost data).
NFT_OK=0
nft_lose_marker()
{
	sw_ns_exec "$SW_NS_SERVER" nft -f - <<-EOF
	table inet $NFT_TABLE {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport $REC_PORT @th,160,64 $NFT_MARKER_HEX counter drop
			tcp dport $REC_PORT @th,256,64 $NFT_MARKER_HEX counter drop
		}
	}
	EOF
}

nft_dropped()
{
	sw_ns_exec "$SW_NS_SERVER" nft list table inet "$NFT_TABLE" 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }'
}

# ---------------------------------------------------------------- playing

# play N NS ROLE [ARG...]: peers.py ROLE ARG... in NS (bounded), counters
# around it in S0 / S1, its verdicts in $SW_TMP/case-N.out.
play()
{
	local n=$1 ns=$2 rc=0
	shift 2
	snap S0
	sw_ns_exec "$ns" timeout 90 "$SW_PYTHON" "$PEERS" "$@" --cfg "$CFG" \
		>"$SW_TMP/case-$n.out" 2>"$SW_TMP/case-$n.err" || rc=$?
	sleep 0.3	# what synwall still does about it
	snap S1
	PLAY_RC[$n]=$rc
	play_log "$n"
}

# play_log N: case N's information lines and counters, for the log.
play_log()
{
	local n=$1 l
	while read -r l; do
		sw_log "case $n: ${l#I }"
	done < <(grep '^I ' "$SW_TMP/case-$n.out" || true)
	if ((${PLAY_RC[$n]:-0} != 0)); then
		sw_warn "case $n: peers.py exited with status ${PLAY_RC[$n]}"
		sw_log_tail "$SW_TMP/case-$n.err" 8
	fi
	sw_log "case $n: counters: $(counters_line)"
}

# verdict N KEY: peers.py's verdict KEY in case N; its diagnostic when not ok.
verdict()
{
	local f=$SW_TMP/case-$1.out line st
	if ! line=$(grep -m 1 "^V $2 " "$f" 2>/dev/null); then
		sw_diag "no verdict '$2': peers.py exited with status ${PLAY_RC[$1]:-?}"
		grep '^I error' "$f" 2>/dev/null | sed 's/^I /#   /' || true
		tail -n 3 "$SW_TMP/case-$1.err" 2>/dev/null | sed 's/^/#   /' || true
		return 1
	fi
	line=${line#"V $2 "}
	st=${line%% *}
	[[ $st == ok ]] && return 0
	sw_diag "${line#"$st"}"
	return 1
}

# v N KEY NAME: a check on a verdict.
v()
{
	sw_check "$1. $3" verdict "$1" "$2"
}

# dropped REASON MIN: README's counter table names the drop reason
# REASON (the row of drop.<reason>), and drop.REASON grew by MIN or more.
dropped()
{
	local bt='`'
	if ! grep -q "^| ${bt}drop\\.<reason>${bt}.*${bt}$1${bt}" "$SW_ROOT/README.md"; then
		sw_diag "README's counter table names no drop reason $1"
		return 1
	fi
	grew "drop.$1" "$2"
}

# server_not_established PORT: the server namespace has no ESTABLISHED
# socket for the client's PORT.
server_not_established()
{
	local out
	sleep 0.5
	out=$(sw_ns_exec "$SW_NS_SERVER" ss -Htn state established \
		"( sport = :$REC_PORT and dport = :$1 )")
	[[ -z $out ]] && return 0
	sw_diag "ss -tn in the server namespace: $(tr -s ' ' <<<"$out")"
	return 1
}

case_wanted()
{
	[[ " ${SW_PEERS_CASES:-1 2 3 4 5 6 7 8 9 10 11 12} " == *" $1 "* ]]
}

client_case()
{
	play "$1" "$SW_NS_CLIENT" client "$1"
}

cases_client()
{
	local sp

	if case_wanted 1; then
		client_case 1
		v 1 1.crosses "client RST at its SND.NXT crosses to the server's wire"
		v 1 1.econnreset "the recording server sees ECONNRESET"
		sw_check "1. flow.reset +$(d flow.reset)" grew flow.reset 1
	fi
	if case_wanted 2; then
		client_case 2
		v 2 2.challenge "client RST in the window (SND.NXT + 1000): challenge ACK to the client, seq = server's next, ack = SND.NXT"
		v 2 2.not_forwarded "the in-window RST is not on the server's wire"
		v 2 2.survives "the server's connection survives: later data arrives, stream exact"
		sw_check "2. flow.challenge_ack_tx +$(d flow.challenge_ack_tx)" \
			grew flow.challenge_ack_tx 1
	fi
	if case_wanted 3; then
		client_case 3
		v 3 3.no_answer "client RSTs outside the window (SND.NXT -/+ 2^30): no answer"
		v 3 3.not_forwarded "the out-of-window RSTs are not on the server's wire"
		sw_check "3. counted: drop.rst_window +$(d drop.rst_window) (2 RSTs)" \
			dropped rst_window 2
		v 3 3.survives "the connection survives: later data arrives, stream exact"
	fi
	if case_wanted 4; then
		client_case 4
		v 4 4.challenge "SYN from the client on the established tuple: challenge ACK"
		v 4 4.not_forwarded "nothing of it on the server's wire"
		sw_check "4. flow.challenge_ack_tx +$(d flow.challenge_ack_tx)" \
			grew flow.challenge_ack_tx 1
		v 4 4.survives "the connection survives: later data arrives, stream exact"
	fi
	if case_wanted 5; then
		client_case 5
		v 5 5.stream_exact "data outside the server's window: the server's stream is exactly the client's in-order bytes, then EOF"
	fi
	if case_wanted 6; then
		client_case 6
		v 6 6.not_forwarded "ACK beyond the server's SND.NXT (+100000): not on the server's wire"
		sw_check "6. counted: drop.ack_unsent +$(d drop.ack_unsent)" \
			dropped ack_unsent 1
		v 6 6.survives "the connection survives: later data arrives, stream exact"
	fi
	if case_wanted 7; then
		client_case 7
		v 7 7.isn_wrap "client ISN 2^32 - 16: its data across the wrap arrives exact"
		v 7 7.sack_agreed "SACK agreed with a server that does SACK (learned by now)"
		v 7 7.sack_beyond "SACK block beyond anything sent: edges - delta on the server's wire"
		v 7 7.sack_wrap "SACK blocks straddling 2^32 (server's space, client's space): edges - delta"
		v 7 7.two_sack_options "two SACK options in one segment: every edge of both translated"
		v 7 7.checksums "SACK segments on the server's wire: IP and TCP checksums valid"
	fi
	if case_wanted 8; then
		client_case 8
		v 8 8.urg_unchanged "URG flag, urgent pointer and payload unchanged on the server's wire"
		v 8 8.received "the server receives the urgent bytes in the stream"
	fi
	if case_wanted 9; then
		client_case 9
		v 9 9.client_zero "client window 0 reaches the server as 0"
		v 9 9.client_small "client window 1 never reaches the server as 0"
		v 9 9.server_zero "the stalled server's zero window reaches the client as 0"
		v 9 9.server_small "no open server window reaches the client as 0"
		v 9 9.server_opens "once the server reads again, its open window reaches the client"
		v 9 9.stream_exact "the stalled server's stream is exact"
	fi
	if case_wanted 10; then
		client_case 10
		v 10 10.server_data "half-close: the server's data after the client's FIN reaches the client, translated, byte-exact"
		v 10 10.after_fin "the client's data after its own FIN stays out of the server's stream (EOF after the request)"
		v 10 10.server_fin "the server's FIN reaches the client"
	fi
	if case_wanted 11; then
		if ((NFT_OK)); then
			client_case 11
			sp=$((SPORT_BASE + 1100))
			sw_check "11. the marked data segment was dropped before the server (nft)" \
				sw_is_eq "nft drop counter" "$(nft_dropped)" 1
			v 11 11.rst_crosses "lost data, then the client's RST at its SND.NXT crosses"
			v 11 11.challenge_relayed "the server's challenge ACK is relayed to the client (seq + delta)"
			v 11 11.second_rst "the client's RST at the challenge's ack crosses"
			v 11 11.econnreset "the recording server sees ECONNRESET"
			sw_check "11. the server keeps no ESTABLISHED socket (ss)" \
				server_not_established "$sp"
		else
			sw_check_skip "11. lost data, then an exact RST" \
				"nftables does not work in a namespace here"
		fi
	fi
}

case_server()
{
	local lc n=12
	case_wanted 12 || return 0
	snap S0
	sw_spawn "$SW_TMP/case-12-client.log" ip netns exec "$SW_NS_CLIENT" \
		timeout 60 "$SW_PYTHON" "$PEERS" linux-client --cfg "$CFG"
	lc=$SW_SPAWNED_PID
	PLAY_RC[$n]=0
	sw_ns_exec "$SW_NS_SERVER" timeout 90 "$SW_PYTHON" "$PEERS" server 12 --cfg "$CFG" \
		>"$SW_TMP/case-$n.out" 2>"$SW_TMP/case-$n.err" || PLAY_RC[$n]=$?
	sw_wait_for "! sw_alive $lc" 15 0.1 || true
	sw_stop_pid "$lc" 3 || true
	sleep 0.3
	snap S1
	sw_log "case 12: Linux client: $(tr '\n' ' ' <"$SW_TMP/case-12-client.log")"
	play_log "$n"
	v 12 12.rst_challenge "scapy server's RST in the window (SND.NXT + 1000): challenge ACK to the server"
	v 12 12.rst_not_forwarded "the server's in-window RST is not on the client's wire"
	v 12 12.oow_no_answer "server RST outside the window: no answer"
	v 12 12.oow_not_forwarded "the out-of-window RST is not on the client's wire"
	sw_check "12. counted: drop.rst_window +$(d drop.rst_window)" dropped rst_window 1
	v 12 12.syn_challenge "SYN from the server on the established tuple: challenge ACK to the server"
	v 12 12.syn_not_forwarded "nothing of it on the client's wire"
	sw_check "12. flow.challenge_ack_tx +$(d flow.challenge_ack_tx) (RST and SYN)" \
		grew flow.challenge_ack_tx 2
	v 12 12.alive "the connection still carries data both ways"
}

main()
{
	local t0 cap
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-peers
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool tcpdump nft ss dpdk-telemetry.py timeout
	"$SW_PYTHON" -c 'import scapy' 2>/dev/null || sw_skip "python3-scapy missing"
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "the peers need synwall, not a stand-in"
	t0=$(sw_now_ms)

	sw_topo_up
	peers_net
	write_cfg
	capture_start cap "$SW_NS_SERVER" tcp "$SW_TMP/server.pcap" ||
		sw_die "tcpdump on the server's wire does not start"
	capture_start cap "$SW_NS_CLIENT" "tcp port $SCAPY_PORT" "$SW_TMP/client.pcap" ||
		sw_die "tcpdump on the client's wire does not start"
	start_recorder || sw_die "the recording server does not start"
	if nft_lose_marker 2>"$SW_TMP/nft.err"; then
		NFT_OK=1
	else
		sw_warn "nftables unusable in the server namespace: case 11 skipped"
		sw_log_tail "$SW_TMP/nft.err" 3
	fi
	if ! start_synwall; then
		sw_check "synwall starts and answers telemetry" false
		sw_checks_done
		return
	fi
	sw_check "synwall starts and answers telemetry" true

	cases_client
	case_server

	sw_check "synwall is alive after all the peers" sw_alive "$SYNWALL_PID"
	sw_synwall_stop_checks "peers" "$SYNWALL_PID" "$SYNWALL_LOG"
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	sw_checks_done
}

main "$@"
