#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_matrix.sh [SYNWALL_BIN]: an option matrix with real Linux stacks on
# both sides of synwall (net_af_packet on veth, --no-huge, inline mode, the
# standard topology of scripts/topo.sh). One synwall protects ports
# 9100-9109 of 192.0.2.80 and 2001:db8::80 (ECN offered; cookie slots of
# 1 s, so that what synwall learns from a server's SYN-ACKs takes effect
# within seconds); port 9200 is in no service and is forwarded plainly
# (unprotected = pass).
#
# Each case sets the client's or the server's TCP settings (per-namespace
# sysctls, a route's advmss, link MTU, nftables loss), everything else at
# its default, and runs the same transfer twice: through port 9200 (plain
# forwarding: the reference), then through the sequence's protected port
# (SYN cookie, hand-off, relay). A transfer (tests/e2e/matrix_xfer.py)
# sends 10 MiB of random bytes each way at the same time; the client
# checks both directions by sha256. For every case:
#   - plain: both sha256 match;
#   - protected: both sha256 match;
#   - protected time <= max(3 x plain time, plain time + 5 s);
#   - except at a first contact ("_first" cases): through synwall the
#     client's socket negotiated every option (timestamps, SACK, window
#     scaling, ECN) it does without, and no timestamps, SACK or ECN that
#     the server does not do.
# A transfer that makes no progress for 10 s (bytes acknowledged by the
# server or received from it, per TCP_INFO) is a stall; none may take
# over 30 s (the time check fails long before). Either ends it, reported
# with how many bytes had moved. Every case logs its times ("case NAME:
# plain A s, protected B s, ratio B/A"), what each end negotiated and
# synwall's counters that grew; the end of the log has a table of the
# times and synwall's counters.
#
# The server's settings change while synwall runs (each case restarts the
# server process, so that its listeners take the new buffer sizes), and
# synwall learns each server's options from its SYN-ACKs, per address and
# port: the order of the cases matters. Each sequence ("---" in CASES)
# uses a protected port of its own, whose server synwall first learns
# with its default settings (a small transfer per family at start-up).
# "_first" cases are the first protected connection after a server
# change: synwall asks the server again before promising ([flow]
# learn_refresh_ms, 1 s, has passed; the options check is left out all
# the same, as its timing is the machine's) but a learnt window scale
# takes a cookie slot to apply; "_learnt" cases come 2.5 s later, when
# what it learnt is in effect. Sequences: the
# client's settings; server timestamps 1 -> 0 -> 1; SACK 1 -> 0 -> 1;
# window scaling 1 -> 0 -> 1; MTU 1280 then MSS 536 (IPv4); MTU 1280
# then MSS 1220 (IPv6); receive buffers default -> tiny -> huge (window
# scale 14) -> tiny; 3% loss at the client or at the server (IPv4,
# IPv6), then at a server that turns SACK (IPv4) or timestamps (IPv6)
# off; last, first contacts (a server synwall has never seen) under loss.
#
# SW_MATRIX_CASES=REGEX (bash extended regex on the case names) runs only
# those cases (the order still matters); SW_MATRIX_PCAP=DIR keeps
# captures of the protected transfers (client's and server's wire) there;
# SW_MATRIX_LEARN_WAIT=SECONDS replaces the 2.5 s wait of "learnt" cases.
# About 4 minutes on 2 CPUs, more while transfers stall (30 s each).
#
# Safety: everything runs in namespaces named for this run and removed at
# exit; only 192.0.2.0/24 and 2001:db8::/32 addresses; only processes
# started here are stopped, by PID; every transfer is bounded.
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
XFER=$SW_ROOT/tests/e2e/matrix_xfer.py
PORT_BASE=9100			# protected: PORT_BASE + the sequence number
NSEQ=10				# at most this many sequences ("---" in CASES)
PORT_Q=9200			# in no service: forwarded plainly
NBYTES=$((10 * 1024 * 1024))	# each way
CAP=30				# seconds a transfer may take at most (the time
				# check fails long before: plain takes < 5 s)
STALL=10			# seconds without progress: a stall
SLOT=1				# [syncookie] slot_seconds
LEARN_WAIT=${SW_MATRIX_LEARN_WAIT:-2.5}	# > 2 slots: a learnt window scale is in effect
LOSS_PCT=3			# nftables drop rule on an input hook
NFT_TABLE=synwall_matrix
AFP_FRAMES=4096
# The sysctls the cases change, reset to their namespace defaults before
# each case.
SYSCTLS=(net.ipv4.tcp_timestamps net.ipv4.tcp_sack net.ipv4.tcp_window_scaling
	net.ipv4.tcp_ecn net.ipv4.tcp_rmem)
RMEM_TINY="4096 4096 4096"
RMEM_HUGE="4096 131072 1073741824"	# window scale 14

# The cases, in order: "NAME FAMILY [wait] SETTING...", SETTING =
# SIDE:WHAT with SIDE c (client) or s (server) and WHAT one of ts=0,
# sack=0, ws=0, ecn=1, rmem=tiny, rmem=huge, mss (advmss 536 for IPv4,
# 1220 for IPv6 on a host route to the peer), mtu (1280 on both ends of
# that side's link), loss ($LOSS_PCT% of the TCP segments it receives).
# "wait": sleep $LEARN_WAIT s first. synwall takes a window-scale change
# only once the previous one has been in effect for a whole slot, and
# forgets one seen sooner (lib/proxy/sw_learn.h): in the sequences that
# change the server's window scale every case waits.
# "--- NAME" starts a sequence on the next protected port (synwall learns
# per server address and port). Each sequence's server is known to
# synwall from a small transfer per family at start-up (its default
# settings), except in a "--- cold" sequence, whose cases are first
# contacts.
CASES=(
	"--- defaults, the client's settings"
	"base_v4 4"
	"base_v6 6"
	"client_ts0_v4 4 c:ts=0"
	"client_sack0_v4 4 c:sack=0"
	"client_ws0_v4 4 c:ws=0"
	"client_ecn1_v4 4 c:ecn=1"
	"client_mss536_v4 4 c:mss"
	"client_mss1220_v6 6 c:mss"
	"client_mtu1280_v4 4 c:mtu"
	"client_mtu1280_v6 6 c:mtu"
	"client_rmem_tiny_v4 4 c:rmem=tiny"
	"client_rmem_huge_v4 4 c:rmem=huge"
	"client_rmem_huge_v6 6 c:rmem=huge"
	"server_ecn1_v4 4 s:ecn=1"
	"--- server timestamps 1 -> 0 -> 1"
	"server_ts1_v4 4"
	"server_ts0_first_v4 4 s:ts=0"
	"server_ts0_learnt_v4 4 wait s:ts=0"
	"server_ts1_back_first_v4 4"
	"server_ts1_back_learnt_v4 4 wait"
	"--- server SACK 1 -> 0 -> 1"
	"server_sack1_v4 4"
	"server_sack0_first_v4 4 s:sack=0"
	"server_sack0_learnt_v4 4 wait s:sack=0"
	"server_sack1_back_first_v4 4"
	"server_sack1_back_learnt_v4 4 wait"
	"--- server window scaling 1 -> 0 -> 1"
	"server_ws1_v4 4"
	"server_ws0_first_v4 4 wait s:ws=0"
	"server_ws0_learnt_v4 4 wait s:ws=0"
	"server_ws1_back_first_v4 4 wait"
	"server_ws1_back_learnt_v4 4 wait"
	"--- server MTU 1280 then MSS 536, IPv4"
	"server_mtu1280_first_v4 4 s:mtu"
	"server_mtu1280_learnt_v4 4 wait s:mtu"
	"server_mss536_first_v4 4 s:mss"
	"server_mss536_learnt_v4 4 wait s:mss"
	"--- server MTU 1280 then MSS 1220, IPv6"
	"server_mtu1280_first_v6 6 s:mtu"
	"server_mtu1280_learnt_v6 6 wait s:mtu"
	"server_mss1220_v6 6 wait s:mss"
	"--- server receive buffers: default -> tiny -> huge -> tiny"
	"server_rmem_default_v4 4"
	"server_rmem_tiny_first_v4 4 wait s:rmem=tiny"
	"server_rmem_tiny_learnt_v4 4 wait s:rmem=tiny"
	"server_rmem_huge_first_v4 4 wait s:rmem=huge"
	"server_rmem_huge_learnt_v4 4 wait s:rmem=huge"
	"server_rmem_tiny_first_after_huge_v4 4 wait s:rmem=tiny"
	"server_rmem_tiny_learnt_after_huge_v4 4 wait s:rmem=tiny"
	"--- loss; a lossy server that turns SACK or timestamps off"
	"client_loss_v4 4 c:loss"
	"client_loss_v6 6 c:loss"
	"server_loss_v4 4 s:loss"
	"server_loss_v6 6 s:loss"
	"server_sack0_loss_first_v4 4 s:sack=0 s:loss"
	"server_sack0_loss_learnt_v4 4 wait s:sack=0 s:loss"
	"server_ts0_loss_first_v6 6 s:ts=0 s:loss"
	"server_ts0_loss_learnt_v6 6 wait s:ts=0 s:loss"
	"--- cold: first contact under loss"
	"first_contact_server_sack0_loss_v4 4 s:sack=0 s:loss"
	"first_contact_client_loss_v6 6 c:loss"
)

declare -gA DEFAULTS=() S0=() S1=()
SUMMARY=()
NFT_OK=0

# ---------------------------------------------------------------- synwall

matrix_conf()
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
	flows = 4096
	flows6 = 4096

	[flow]
	linger_ms = 500
	closing_timeout = 3

	[syncookie]
	slot_seconds = $SLOT

	[service:matrix]
	prefix = $SW_SERVER_IP4/32, $SW_SERVER_IP6/128
	ports = $PORT_BASE-$((PORT_BASE + NSEQ - 1))
	ecn = yes
	EOF
}

start_synwall()
{
	matrix_conf "$SW_TMP/synwall.conf"
	SW_HUGE_DIR="" sw_synwall_up "$SW_TMP/synwall.conf" "framecnt=$AFP_FRAMES"
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

# grown_line: the flow.* and drop.* counters that grew from S0 to S1.
grown_line()
{
	local k n out=""
	while read -r k; do
		[[ $k == flow.active ]] && continue
		n=$((${S1[$k]:-0} - ${S0[$k]:-0}))
		((n != 0)) && out+="$k +$n "
	done < <(printf '%s\n' "${!S1[@]}" | grep -E '^(flow|drop)\.' | sort)
	echo "${out:-nothing}"
}

# ------------------------------------------------------- server and client

SERVER_PID=""
# start_server [PORTS]: (re)start the transfer server in the server
# namespace on PORTS (default: this sequence's protected port and the
# plain one), so that its listeners take the namespace's settings.
start_server()
{
	if [[ -n $SERVER_PID ]]; then
		sw_stop_pid "$SERVER_PID" 5 || true
	fi
	sw_spawn "$SW_TMP/server.$CASE_NO.log" ip netns exec "$SW_NS_SERVER" \
		"$SW_PYTHON" "$XFER" server "${1:-$PORT_P,$PORT_Q}"
	SERVER_PID=$SW_SPAWNED_PID
	sw_wait_for "grep -q '^listening' $SW_TMP/server.$CASE_NO.log" 10 0.05
}

# xfer FAMILY PORT [NBYTES]: one transfer of NBYTES (default $NBYTES)
# each way; sets XOUT (matrix_xfer.py's line), XRC (its exit status) and
# XSECS (seconds, empty unless it completed).
xfer()
{
	local addr=$SW_SERVER_IP4
	[[ $1 == 6 ]] && addr=$SW_SERVER_IP6
	XRC=0
	XOUT=$(sw_ns_exec "$SW_NS_CLIENT" timeout -k 5 $((CAP + 15)) \
		"$SW_PYTHON" "$XFER" client "$addr" "$2" "${3:-$NBYTES}" "$CAP" "$STALL" 2>&1) ||
		XRC=$?
	XOUT=${XOUT:-no output (exit status $XRC)}
	XSECS=""
	[[ $XRC == 0 ]] && XSECS=$(awk '{ print $2 }' <<<"$XOUT")
	return 0
}

# xfer_ok RC OUT: the transfer completed with both sha256 right.
xfer_ok()
{
	[[ $1 == 0 ]] && return 0
	sw_diag "exit status $1: $2"
	return 1
}

# time_ok PLAIN PROT: PROT <= max(3 x PLAIN, PLAIN + 5).
time_ok()
{
	if [[ -z $1 ]]; then
		sw_diag "no reference: the plain transfer failed"
		return 1
	fi
	if [[ -z $2 ]]; then
		sw_diag "no time: the protected transfer did not complete"
		return 1
	fi
	awk -v q="$1" -v p="$2" 'BEGIN {
		b = 3 * q; if (q + 5 > b) b = q + 5
		if (p <= b) exit 0
		printf "# protected %.2f s > bound %.2f s (plain %.2f s)\n", p, b, q
		exit 1 }'
}

# opts_of OUT: the options the client's socket negotiated ("ts,sack,ws").
opts_of()
{
	sed -n 's/.*client\[opts=\([^ ]*\) .*/\1/p' <<<"$1"
}

# same_opts PLAIN_OUT PROT_OUT: through synwall the client negotiated
# every option (timestamps, SACK, window scaling, ECN) it does without,
# and no timestamps, SACK or ECN the server does not do. Window scaling
# beyond the server's is synwall's own business: it rescales windows.
same_opts()
{
	local q p o rc=0
	q=$(opts_of "$1") p=$(opts_of "$2")
	if [[ -z $q || -z $p ]]; then
		sw_diag "options unknown: plain '${q:-?}', protected '${p:-?}'"
		return 1
	fi
	for o in ts sack ws ecn; do
		if [[ ,$q, == *,$o,* && ,$p, != *,$o,* ]]; then
			sw_diag "$o: plain has it, protected not (plain $q, protected $p)"
			rc=1
		elif [[ $o != ws && ,$p, == *,$o,* && ,$q, != *,$o,* ]]; then
			sw_diag "$o: promised through synwall, the server does not do it (plain $q, protected $p)"
			rc=1
		fi
	done
	return "$rc"
}

# ---------------------------------------------------------------- settings

# save_defaults: the namespaces' values of $SYSCTLS, restored before
# each case.
save_defaults()
{
	local ns k
	for ns in "$SW_NS_CLIENT" "$SW_NS_SERVER"; do
		for k in "${SYSCTLS[@]}"; do
			DEFAULTS["$ns $k"]=$(sw_ns_exec "$ns" sysctl -n "$k" | tr -s '\t ' ' ')
		done
	done
}

# peer_of NS: the addresses (IPv4, IPv6) of the other host.
peer_of()
{
	if [[ $1 == "$SW_NS_CLIENT" ]]; then
		echo "$SW_SERVER_IP4 $SW_SERVER_IP6"
	else
		echo "$SW_CLIENT_IP4 $SW_CLIENT_IP6"
	fi
}

# link_mtu NS MTU: the MTU of both ends of NS's link to synwall.
link_mtu()
{
	local ns=$1 mtu=$2 far=$SW_IF_OUT
	[[ $ns == "$SW_NS_SERVER" ]] && far=$SW_IF_IN
	ip -n "$ns" link set eth0 mtu "$mtu"
	ip -n "$SW_NS_SYNWALL" link set "$far" mtu "$mtu"
}

reset_all()
{
	local ns k p4 p6
	for ns in "$SW_NS_CLIENT" "$SW_NS_SERVER"; do
		for k in "${SYSCTLS[@]}"; do
			sw_ns_exec "$ns" sysctl -qw "$k=${DEFAULTS["$ns $k"]}" >/dev/null
		done
		read -r p4 p6 <<<"$(peer_of "$ns")"
		ip -n "$ns" route del "$p4/32" 2>/dev/null || true
		ip -n "$ns" -6 route del "$p6/128" 2>/dev/null || true
		link_mtu "$ns" 1500
		ip -n "$ns" route flush cache 2>/dev/null || true
		ip -n "$ns" -6 route flush cache 2>/dev/null || true
		ip -n "$ns" tcp_metrics flush all 2>/dev/null || true
		sw_ns_exec "$ns" nft delete table inet "$NFT_TABLE" 2>/dev/null || true
	done
}

# apply SIDE:WHAT (see CASES).
apply()
{
	local ns=$SW_NS_CLIENT p4 p6
	[[ $1 == s:* ]] && ns=$SW_NS_SERVER
	read -r p4 p6 <<<"$(peer_of "$ns")"
	case ${1#?:} in
	ts=*) sw_ns_exec "$ns" sysctl -qw "net.ipv4.tcp_timestamps=${1#*=}" ;;
	sack=*) sw_ns_exec "$ns" sysctl -qw "net.ipv4.tcp_sack=${1#*=}" ;;
	ws=*) sw_ns_exec "$ns" sysctl -qw "net.ipv4.tcp_window_scaling=${1#*=}" ;;
	ecn=*) sw_ns_exec "$ns" sysctl -qw "net.ipv4.tcp_ecn=${1#*=}" ;;
	rmem=tiny) sw_ns_exec "$ns" sysctl -qw "net.ipv4.tcp_rmem=$RMEM_TINY" ;;
	rmem=huge) sw_ns_exec "$ns" sysctl -qw "net.ipv4.tcp_rmem=$RMEM_HUGE" ;;
	mss)
		ip -n "$ns" route add "$p4/32" dev eth0 advmss 536
		ip -n "$ns" -6 route add "$p6/128" dev eth0 advmss 1220
		;;
	mtu) link_mtu "$ns" 1280 ;;
	loss)
		sw_ns_exec "$ns" nft -f - <<-EOF
		table inet $NFT_TABLE {
			chain input {
				type filter hook input priority 0; policy accept;
				meta l4proto tcp numgen random mod 100 < $LOSS_PCT counter drop
			}
		}
		EOF
		;;
	*) sw_die "unknown setting '$1'" ;;
	esac
}

# nft_dropped NS: packets the loss rule dropped (empty when none is set).
nft_dropped()
{
	local t
	t=$(sw_ns_exec "$1" nft list table inet "$NFT_TABLE" 2>/dev/null) || return 0
	sed -n 's/.*counter packets \([0-9]*\).*/\1/p' <<<"$t" | head -n 1
}

# ------------------------------------------------------------------- cases

CASE_NO=0
P_RUN=0		# protected transfers run
# run_case NAME FAMILY [wait] SETTING...
run_case()
{
	local name=$1 fam=$2 wait=0 s qrc qout qsecs prc pout psecs ratio loss=""
	local dc ds
	shift 2
	if [[ ${1:-} == wait ]]; then
		wait=1
		shift
	fi
	CASE_NO=$((CASE_NO + 1))
	if ((!NFT_OK)) && [[ " $* " == *:loss* ]]; then
		sw_check_skip "$name" "nftables does not work in a namespace here"
		return 0
	fi
	reset_all
	for s in "$@"; do
		apply "$s"
	done
	if ! start_server; then
		sw_log_tail "$SW_TMP/server.$CASE_NO.log"
		sw_check "$name: the transfer server starts" false
		return 0
	fi
	((wait)) && sleep "$LEARN_WAIT"
	sw_log "case $name: ${*:-defaults} (IPv$fam)"

	xfer "$fam" "$PORT_Q"
	qrc=$XRC qout=$XOUT qsecs=$XSECS
	# The plain transfer moves none of synwall's flow counters: the
	# previous case's snapshot is this one's start.
	S0=()
	for s in "${!S1[@]}"; do
		S0[$s]=${S1[$s]}
	done
	pcap_start "$name"
	P_RUN=$((P_RUN + 1))
	xfer "$fam" "$PORT_P"
	prc=$XRC pout=$XOUT psecs=$XSECS
	pcap_stop
	snap S1
	dc=$(nft_dropped "$SW_NS_CLIENT") ds=$(nft_dropped "$SW_NS_SERVER")
	[[ -n $dc$ds ]] && loss=", loss rule dropped ${dc:-0} at the client, ${ds:-0} at the server"

	ratio=-
	[[ -n $qsecs && -n $psecs ]] &&
		ratio=$(awk -v q="$qsecs" -v p="$psecs" 'BEGIN { printf "%.2f", p / q }')
	sw_log "case $name: plain ${qsecs:-FAIL} s, protected ${psecs:-FAIL} s, ratio $ratio$loss"
	sw_log "  plain    : $qout"
	sw_log "  protected: $pout"
	sw_log "  synwall  : $(grown_line)"
	SUMMARY+=("$(printf '%-38s %7s %11s %6s' "$name" "${qsecs:-FAIL}" \
		"${psecs:-FAIL}" "$ratio")")

	sw_check "$name: plain :$PORT_Q, 10 MiB each way, sha256 both ways" \
		xfer_ok "$qrc" "$qout"
	sw_check "$name: protected :$PORT_P, 10 MiB each way, sha256 both ways" \
		xfer_ok "$prc" "$pout"
	sw_check "$name: protected ${psecs:-?} s <= max(3 x plain ${qsecs:-?} s, plain + 5 s)" \
		time_ok "$qsecs" "$psecs"
	# At first contact after a server change synwall promises what it
	# learnt before; otherwise the client must get what the server does.
	[[ $name == *_first* ]] ||
		sw_check "$name: protected negotiates the options plain does ($(opts_of "$qout"))" \
			same_opts "$qout" "$pout"
}

# SW_MATRIX_PCAP=DIR: the protected transfers' segments (headers) on the
# client's and the server's wire go to DIR/CASE-{client,server}.pcap.
PCAPS=()
pcap_start()
{
	local cpid where wns
	PCAPS=()
	[[ -n ${SW_MATRIX_PCAP:-} ]] || return 0
	mkdir -p "$SW_MATRIX_PCAP"
	for where in client server; do
		wns=$SW_NS_CLIENT
		[[ $where == server ]] && wns=$SW_NS_SERVER
		if sw_topo_capture_start cpid "$wns" "tcp port $PORT_P" \
			"$SW_MATRIX_PCAP/$1-$where.pcap"; then
			PCAPS+=("$cpid" "$SW_MATRIX_PCAP/$1-$where.pcap")
		fi
	done
}

pcap_stop()
{
	while ((${#PCAPS[@]} >= 2)); do
		sw_topo_capture_stop "${PCAPS[0]}" "${PCAPS[1]}"
		sw_log "  capture  : ${PCAPS[1]} ($SW_CAPTURED packets)"
		PCAPS=("${PCAPS[@]:2}")
	done
}

# warm_up: synwall learns each sequence's server (default settings) from
# a 1 KiB transfer per family to its port, cold sequences excepted; then
# what it learnt takes effect.
warm_up()
{
	local c port=$((PORT_BASE - 1)) ports=() p f
	for c in "${CASES[@]}"; do
		[[ $c == "--- "* ]] || continue
		port=$((port + 1))
		((port < PORT_BASE + NSEQ)) || sw_die "more than $NSEQ sequences"
		[[ $c == "--- cold"* ]] || ports+=("$port")
	done
	((${#ports[@]} > 0)) || return 0
	reset_all
	CASE_NO=warmup
	if ! start_server "$(IFS=,; echo "${ports[*]}")"; then
		sw_check "warm-up: the transfer server starts" false
		return 0
	fi
	for p in "${ports[@]}"; do
		for f in 4 6; do
			xfer "$f" "$p" 1024
			[[ $XRC == 0 ]] || sw_warn "warm-up IPv$f :$p: $XOUT"
		done
	done
	CASE_NO=0
	sw_log "warm-up: synwall knows the servers on ports ${ports[*]}"
	sleep "$LEARN_WAIT"
	snap S1
	P_RUN=$((P_RUN + 2 * ${#ports[@]}))
}

case_wanted()
{
	[[ -z ${SW_MATRIX_CASES:-} || $1 =~ ${SW_MATRIX_CASES} ]]
}

# relayed N: flow.created grew by N over the whole run (one flow per
# protected transfer, none for the plain ones).
relayed()
{
	sw_is_eq "flow.created grew by" "$(d flow.created)" "$1"
}

print_counters()
{
	local k line=""
	sw_synwall_stats "$SYNWALL_PREFIX" || { sw_log "no answer from telemetry"; return 0; }
	sw_log "synwall: $(sw_synwall_stats_line)"
	while read -r k; do
		[[ ${SW_STATS[$k]} != 0 ]] && line+="$k=${SW_STATS[$k]} "
		if ((${#line} > 150)); then
			sw_log "synwall: $line"
			line=""
		fi
	done < <(printf '%s\n' "${!SW_STATS[@]}" |
		grep -E '^(syncookie|flow|drop|relay|learn)\.' | sort)
	[[ -n $line ]] && sw_log "synwall: $line"
	return 0
}

main()
{
	local t0 c l
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-matrix
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool nft ss sysctl dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "the matrix needs synwall, not a stand-in"
	t0=$(sw_now_ms)

	sw_topo_up
	# No metrics cached between connections: each transfer starts afresh.
	for c in "$SW_NS_CLIENT" "$SW_NS_SERVER"; do
		sw_ns_exec "$c" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	done
	save_defaults
	if sw_ns_exec "$SW_NS_CLIENT" nft add table inet "$NFT_TABLE" 2>/dev/null; then
		NFT_OK=1
		sw_ns_exec "$SW_NS_CLIENT" nft delete table inet "$NFT_TABLE"
	else
		sw_warn "nftables unusable in a namespace: loss cases skipped"
	fi
	if ! start_synwall; then
		sw_check "synwall starts and answers telemetry" false
		sw_checks_done
		return
	fi
	sw_check "synwall starts and answers telemetry" true

	declare -gA R0=()
	snap R0
	snap S1
	warm_up
	PORT_P=$((PORT_BASE - 1))
	for c in "${CASES[@]}"; do
		if [[ $c == "--- "* ]]; then
			PORT_P=$((PORT_P + 1))
			sw_log "sequence on port $PORT_P: ${c#--- }"
			continue
		fi
		read -ra l <<<"$c"
		case_wanted "${l[0]}" || continue
		run_case "${l[@]}"
		if ! sw_alive "$SYNWALL_PID"; then
			sw_check "synwall still runs after case ${l[0]}" false
			sw_log_tail "$SYNWALL_LOG"
			break
		fi
	done

	sw_log "$(printf '%-38s %7s %11s %6s' case "plain s" "protected s" ratio)"
	for c in "${SUMMARY[@]}"; do
		sw_log "$c"
	done
	snap S1
	S0=()
	for c in "${!R0[@]}"; do
		S0[$c]=${R0[$c]}
	done
	sw_check "one flow per protected transfer ($P_RUN), none for the plain ones" \
		relayed "$P_RUN"
	print_counters
	sw_synwall_stop_checks "matrix" "$SYNWALL_PID" "$SYNWALL_LOG"
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	sw_checks_done
}

main "$@"
