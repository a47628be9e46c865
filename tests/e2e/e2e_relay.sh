#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_relay.sh [SYNWALL_BIN]: the hand-off and relay end to end. Real Linux
# stacks on both sides of synwall (net_af_packet on veth, --no-huge; the
# standard topology of scripts/topo.sh): curl, iperf3 and Python clients
# (tests/e2e/relay_clients.py) in the client namespace; nginx (:80,
# :8080), iperf3 (:5201) and a sha256 sink (:9000) in the server
# namespace. synwall protects 192.0.2.80 / 2001:db8::80 ports 8080, 5201
# and 9000: every connection there is answered with a SYN cookie, handed
# off to the server (one backend SYN) and relayed both ways.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   A. curl fetches a 10 MiB file on port 8080 and a client uploads 10 MiB
#      to the sink, over IPv4 and IPv6: sha256 matches both ways; one flow
#      created and established per connection, bytes counted both ways.
#   B. $CONCURRENT connections (half IPv4, half IPv6) open at once:
#      flow.active reaches that number while they are all open, then each
#      fetches a 64 KiB file whose sha256 matches; one flow per connection.
#   C. iperf3 to port 5201, normal and reverse (-R), IPv4 and IPv6:
#      completes without error; in reverse mode the client's receiver
#      counted every byte asked for (in normal mode iperf3's server stops
#      counting while data is still in flight, see iperf_ok).
#   G. once the clients are done, flow.active returns to 0 (linger_ms is
#      small); checked after A-C, E, D and F.
#   E. $LOSS_PCT% random loss (nftables "numgen random" drop rules on the
#      input hooks of the client and the server: both directions, the
#      handshakes included): downloads, uploads and concurrent fetches
#      still arrive byte-exact.
#   D. the legitimate load of H (downloads, uploads, $CONCURRENT concurrent
#      fetches, 3 iperf3 runs) while a spoofed SYN flood runs (trafgen at
#      full speed, no gap, sources in 198.18.0.0/15, bounded by count and
#      time, still running when the clients finish): every legitimate
#      connection completes byte-exact, and a capture on the server's wire
#      sees exactly the legitimate connections' SYN tuples, one SYN each
#      plus synwall's counted backend SYN retransmissions, and no packet
#      from 198.18.0.0/15.
#   F. server gone: nginx stopped (by its PID) so the server answers RST
#      (the refused clients reuse ports the server still holds in
#      TIME_WAIT: its old ACK must get a RST, flow.old_ack_rst), then a
#      silent server (nftables drop in its namespace): the clients
#      (IPv4, IPv6) are reset within the configured bound
#      (syn_timeout_ms x (2^(syn_retries+1) - 1), + slack), not before the
#      retries are spent for the silent one; flow.backend_rst /
#      backend_timeout / backend_syn_retx / rst_tx counted.
#   H. two workers (lcores 0,1,2 on 2 CPUs, af_packet qpairs=2, steering =
#      software): the legitimate load again, byte-exact; flow.steered > 0,
#      both workers own flows, flow.active back to 0. Then steering = auto
#      (af_packet has no RSS, so software steering too): downloads and
#      concurrent fetches byte-exact, flow.steered > 0.
#   Each synwall stops with status 0 on SIGTERM after its final counters.
#   No check times anything but F's reset bound; every wait is bounded.
#   SW_RELAY_PHASES=ACF (a subset of ABCDEFH) runs only those phases.
#
# Safety: everything runs in namespaces named for this run and removed at
# exit; spoofed sources only from 198.18.0.0/15; floods bounded in count
# and time; only processes started here are stopped, by PID.
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
CLIENTS=$SW_ROOT/tests/e2e/relay_clients.py
IPERF_PORT=5201
SINK_PORT=9000			# relay_clients.py sink: uploads, sha256 checked
WEB_PORT=$SW_PROTECTED_PORT	# 8080
MIB=$((1024 * 1024))
BIG_SIZE=$((10 * MIB + 1234))	# /file: the last segment is not full
SMALL_SIZE=$((64 * 1024 + 100))	# /small, for the concurrent fetches
IPERF_BYTES=16M
CONCURRENT=200
LOSS_PCT=3			# per input hook: client and server
FLOOD_MAX=20000000		# spoofed SYNs at most...
FLOOD_SECS=100			# ... for at most this long (stopped earlier)
SYN_TIMEOUT_MS=200		# [flow] of the config: small, for F's bound
SYN_RETRIES=2
LINGER_MS=200
SLACK_MS=2500			# scheduling slack on a busy 2-CPU machine
TW_PORT4=29998			# F: client ports the server holds in TIME_WAIT
TW_PORT6=29999			# (below the ephemeral range: no other user)
NFT_TABLE=synwall_e2e
# af_packet ring frames per queue (the PMD's default is 512): at a flood's
# 200k+ packets/s, a 512-frame ring overflows whenever the worker loses its
# CPU for 2 ms on this shared 2-CPU machine, and the legitimate segments
# lost with the flood stall TCP for over a minute. 4096 frames ride out
# 16 ms, as a NIC's larger RX ring would.
AFP_FRAMES=4096

declare -gA S0=() S1=()

# ---------------------------------------------------------------- synwall

# relay_conf FILE STEERING: both services protected, small flow tables
# (--no-huge), short handshake timeouts and linger.
relay_conf()
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
	steering = $2

	[flow]
	syn_timeout_ms = $SYN_TIMEOUT_MS
	syn_retries = $SYN_RETRIES
	linger_ms = $LINGER_MS
	closing_timeout = 3

	[service:web]
	prefix = $SW_SERVER_IP4/32, $SW_SERVER_IP6/128
	ports = $WEB_PORT

	[service:bulk]
	prefix = $SW_SERVER_IP4/32, $SW_SERVER_IP6/128
	ports = $IPERF_PORT, $SINK_PORT
	EOF
}

# start_synwall NAME STEERING QPAIRS: synwall on the two wires; sets
# SYNWALL_PID, SYNWALL_PREFIX, SYNWALL_LOG. QPAIRS > 1 means as many
# workers (lcores share the 2 CPUs).
start_synwall()
{
	local name=$1 steering=$2 qp=$3 conf mem lc="-l 0,1" i
	conf=$SW_TMP/synwall-$name.conf
	SYNWALL_LOG=$SW_TMP/synwall-$name.log
	relay_conf "$conf" "$steering"
	sw_dpdk_prefix SYNWALL_PREFIX "synwall-$name"
	mapfile -t mem < <(sw_dpdk_eal_mem)
	if ((qp > 1)); then
		lc="--lcores 0@0"
		for ((i = 1; i <= qp; i++)); do
			lc+=",$i@$((i % 2))"
		done
	fi
	SW_SYNWALL_LCORES=$lc sw_synwall_start "$SW_NS_SYNWALL" "$SYNWALL_PREFIX" \
		"$conf" "$SYNWALL_LOG" "${mem[@]}" \
		--vdev "net_af_packet0,iface=$SW_IF_OUT,qpairs=$qp,framecnt=$AFP_FRAMES" \
		--vdev "net_af_packet1,iface=$SW_IF_IN,qpairs=$qp,framecnt=$AFP_FRAMES"
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$SYNWALL_PID" "$SYNWALL_PREFIX" /synwall/stats \
		"$SYNWALL_LOG" 30
}

# snap VAR: synwall's counters into the associative array VAR.
snap()
{
	sw_snap "$1"
}

d()
{
	sw_delta "$1"
}

# drop_line: the drop counters that grew from S0 to S1, for the log.
drop_line()
{
	local k out=""
	for k in "${!S1[@]}"; do
		[[ $k == drop.* && $(d "$k") != 0 ]] && out+="$k +$(d "$k") "
	done
	echo "${out:-no drops}"
}

# flow_line: the flow counters' growth S0 -> S1, for the log.
flow_line()
{
	local n out=""
	for n in created established backend_syn_tx backend_syn_retx \
		backend_timeout backend_rst held held_dropped table_full \
		to_server_bytes to_client_bytes reset closed idle_timeout freed \
		steered rst_tx challenge_ack_tx; do
		out+="$n +$(d "flow.$n") "
	done
	echo "${out}active ${S1[flow.active]:-?}"
}

# active_zero: flow.active returns to 0 (bounded wait: closing_timeout +
# linger + slack).
active_zero()
{
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 20 0.5 &&
		return 0
	sw_diag "flow.active ${SW_STATS[flow.active]:-?} after 20 s"
	return 1
}

# ------------------------------------------------------------- the clients

# Background jobs: each writes its output to $SW_TMP/job-NAME.out and its
# exit status to .rc; every command given is bounded by its own timeout.
JOBS=()
job()
{
	local name=$1
	shift
	rm -f "$SW_TMP/job-$name.rc"
	# (set -e is inherited: a failing command must not end the subshell
	# before it writes its status.)
	( rc=0; "$@" >"$SW_TMP/job-$name.out" 2>&1 || rc=$?; echo "$rc" >"$SW_TMP/job-$name.rc" ) &
	JOBS+=("$!")
}

jobs_wait()
{
	local p
	for p in "${JOBS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	JOBS=()
}

# job_ok NAME: the job succeeded; else its output as diagnostics.
job_ok()
{
	local rc
	rc=$(cat "$SW_TMP/job-$1.rc" 2>/dev/null) || rc=missing
	[[ $rc == 0 ]] && return 0
	sw_diag "$1: exit status $rc"
	sed 's/^/#   /' "$SW_TMP/job-$1.out" 2>/dev/null | tail -n 8
	return 1
}

# fetch_sha URL SHA256 MAX_TIME: curl URL from the client, compare the
# sha256. Fails with a line saying why.
fetch_sha()
{
	local out sum
	out=$(mktemp "$SW_TMP/fetch.XXXXXX")
	if ! sw_topo_fetch "$1" "$out" "$3"; then
		rm -f "$out"
		echo "curl $1 failed"
		return 1
	fi
	sum=$(sha256sum "$out" | cut -d' ' -f1)
	rm -f "$out"
	[[ $sum == "$2" ]] && return 0
	echo "curl $1: sha256 $sum, expected $2"
	return 1
}

# concurrent NAME N TIMEOUT [PREHOOK]: N connections at once to port 8080,
# half IPv4, half IPv6; once all are open, PREHOOK (a command) runs, then
# each fetches /small. Output in job-NAME.{out,rc}; synchronous.
concurrent()
{
	local name=$1 n=$2 tmo=$3 hook=${4:-} ready=$SW_TMP/$1.ready go=$SW_TMP/$1.go pid
	rm -f "$ready" "$go"
	job "$name" sw_ns_exec "$SW_NS_CLIENT" timeout $((2 * tmo + 10)) \
		"$SW_PYTHON" "$CLIENTS" concurrent "$SW_SERVER_IP4,$SW_SERVER_IP6" \
		"$WEB_PORT" /small "$SMALL_SHA256" "$n" "$ready" "$go" "$tmo"
	pid=${JOBS[-1]}
	sw_wait_for "[[ -e $ready ]] || ! sw_alive $pid" $((tmo + 5)) 0.1 || true
	[[ -n $hook && -e $ready ]] && eval "$hook"
	touch "$go"
	jobs_wait
}

# iperf_ok NAME: iperf3 succeeded, its sender sent at least $IPERF_BYTES,
# and its receiver counted them all in reverse mode (-R: the client is the
# receiver and reads until it has them all). In normal mode the server
# stops counting when the client says it has written its last byte, with
# data still in flight (an unprotected run through synwall falls just as
# short), so there only 0 < received <= sent is asked: the uploads to the
# sink check that direction byte for byte.
iperf_ok()
{
	local r
	r=$("$SW_PYTHON" "$SW_ROOT/scripts/lib/iperf_check.py" "$SW_TMP/job-$1.out" \
		"$IPERF_BYTES") && { sw_log "iperf3 $1: $r"; return 0; }
	sw_diag "iperf3 $1: $r (exit status $(cat "$SW_TMP/job-$1.rc" 2>/dev/null))"
	tail -n 3 "$SW_TMP/job-$1.out" | sed 's/^/#   /'
	return 1
}

# concurrent_ok NAME N: every connection opened and fetched byte-exact.
concurrent_ok()
{
	job_ok "$1" || return 1
	grep -q "^fetched $2\$" "$SW_TMP/job-$1.out" || {
		sw_diag "$1: $(tr '\n' ' ' <"$SW_TMP/job-$1.out")"
		return 1
	}
}

# traffic TAG MAX_TIME [CONC]: the legitimate load, in parallel: curl
# /file over IPv4 and IPv6, uploads to the sink over IPv4 and IPv6, CONC
# (default $CONCURRENT) concurrent fetches, and iperf3 IPv4 normal and
# reverse, IPv6 reverse (one after the other: the iperf3 server runs one
# test at a time). Jobs TAG-{curl4,curl6,up4,up6,conc,ip4,ip4r,ip6r}.
# Connections it opens: 4 + CONC + 3 x 2 (iperf3: control + data).
traffic()
{
	local tag=$1 mt=$2 conc=${3:-$CONCURRENT}
	job "$tag-curl4" fetch_sha "$(sw_topo_url v4 /file "$WEB_PORT")" "$SW_WEB_SHA256" "$mt"
	job "$tag-curl6" fetch_sha "$(sw_topo_url v6 /file "$WEB_PORT")" "$SW_WEB_SHA256" "$mt"
	upload "$tag-up4" "$SW_SERVER_IP4" "$mt"
	upload "$tag-up6" "$SW_SERVER_IP6" "$mt"
	job "$tag-iperf" iperf_seq "$tag"
	concurrent "$tag-conc" "$conc" "$mt"
	jobs_wait
}

# iperf_seq TAG: the three iperf3 runs, one after the other.
iperf_seq()
{
	iperf_run "$1-ip4" "$SW_SERVER_IP4"
	iperf_run "$1-ip4r" "$SW_SERVER_IP4" -R
	iperf_run "$1-ip6r" "$SW_SERVER_IP6" -R
}

# iperf_run NAME ADDR [-R]: one bounded iperf3 run of $IPERF_BYTES to port
# 5201, its JSON in job-NAME.out. The iperf3 server runs one test at a
# time and may still be winding up the last one ("the server is busy
# running a test. try again later"): then up to 4 more tries, 1 s apart.
iperf_run()
{
	local name=$1 addr=$2 rc try
	shift 2
	for ((try = 0; try < 5; try++)); do
		((try == 0)) || sleep 1
		rc=0
		sw_ns_exec "$SW_NS_CLIENT" timeout 60 iperf3 -c "$addr" -p "$IPERF_PORT" \
			-n "$IPERF_BYTES" --connect-timeout 10000 -J "$@" \
			>"$SW_TMP/job-$name.out" 2>&1 || rc=$?
		grep -q 'server is busy' "$SW_TMP/job-$name.out" || break
		sw_log "iperf3 $name: server busy, try $((try + 2))"
		echo "$name" >>"$SW_TMP/iperf-busy"	# one more connection
	done
	echo "$rc" >"$SW_TMP/job-$name.rc"
}

# iperf_busy: how many iperf3 runs the server refused as busy since
# $SW_TMP/iperf-busy was removed (each one a connection of its own).
iperf_busy()
{
	if [[ -f $SW_TMP/iperf-busy ]]; then
		wc -l <"$SW_TMP/iperf-busy"
	else
		echo 0
	fi
}

# traffic_checks TAG LABEL [CONC]: the verdicts on traffic()'s jobs.
traffic_checks()
{
	local tag=$1 l=$2 n=${3:-$CONCURRENT}
	sw_check "$l: curl IPv4 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" \
		job_ok "$tag-curl4"
	sw_check "$l: curl IPv6 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" \
		job_ok "$tag-curl6"
	sw_check "$l: upload IPv4 :$SINK_PORT, $BIG_SIZE bytes, sha256 matches" \
		job_ok "$tag-up4"
	sw_check "$l: upload IPv6 :$SINK_PORT, $BIG_SIZE bytes, sha256 matches" \
		job_ok "$tag-up6"
	sw_check "$l: $n concurrent connections all fetch /small byte-exact" \
		concurrent_ok "$tag-conc" "$n"
	sw_check "$l: iperf3 IPv4 :$IPERF_PORT client -> server completes" \
		iperf_ok "$tag-ip4"
	sw_check "$l: iperf3 IPv4 :$IPERF_PORT -R server -> client: all bytes received" \
		iperf_ok "$tag-ip4r"
	sw_check "$l: iperf3 IPv6 :$IPERF_PORT -R server -> client: all bytes received" \
		iperf_ok "$tag-ip6r"
}

# start_iperf_server: iperf3 -s in the server namespace (both families).
start_iperf_server()
{
	sw_spawn "$SW_TMP/iperf3-server.log" ip netns exec "$SW_NS_SERVER" \
		iperf3 -s -p "$IPERF_PORT"
	sw_wait_for "sw_ns_exec $SW_NS_SERVER ss -Htln 'sport = :$IPERF_PORT' | grep -q LISTEN" 10
}

# start_sink: relay_clients.py sink in the server namespace.
start_sink()
{
	sw_spawn "$SW_TMP/sink.log" ip netns exec "$SW_NS_SERVER" \
		"$SW_PYTHON" "$CLIENTS" sink "$SINK_PORT"
	sw_wait_for "sw_ns_exec $SW_NS_SERVER ss -Htln 'sport = :$SINK_PORT' | grep -q LISTEN" 10
}

# upload NAME ADDR MAX_TIME: $BIG_SIZE random bytes to the sink (job).
upload()
{
	job "$1" sw_ns_exec "$SW_NS_CLIENT" timeout $(($3 + 5)) "$SW_PYTHON" \
		"$CLIENTS" upload "$2" "$SINK_PORT" "$BIG_SIZE" "$3"
}

# ------------------------------------------------------------- nftables

# nft_loss NS PCT: drop PCT% of the TCP segments NS receives.
nft_loss()
{
	sw_ns_exec "$1" nft -f - <<-EOF
	table inet $NFT_TABLE {
		chain input {
			type filter hook input priority 0; policy accept;
			meta l4proto tcp numgen random mod 100 < $2 counter drop
		}
	}
	EOF
}

# nft_silent NS PORT: NS drops everything to TCP PORT (a silent server).
nft_silent()
{
	sw_ns_exec "$1" nft -f - <<-EOF
	table inet $NFT_TABLE {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport $2 counter drop
		}
	}
	EOF
}

# nft_probe: NFT_OK=1 when nftables works in our client namespace (the
# kernel may lack nf_tables: then E and F's silent server are skipped).
NFT_OK=0
nft_probe()
{
	if sw_ns_exec "$SW_NS_CLIENT" nft add table inet "$NFT_TABLE" 2>/dev/null; then
		NFT_OK=1
		nft_clear "$SW_NS_CLIENT"
	else
		sw_warn "nftables unusable in a namespace: loss and silent-server checks skipped"
	fi
}

nft_clear()
{
	sw_ns_exec "$1" nft delete table inet "$NFT_TABLE" 2>/dev/null || true
}

# nft_dropped NS: packets the table's rule dropped.
nft_dropped()
{
	sw_ns_exec "$1" nft list table inet "$NFT_TABLE" 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1
}

# ------------------------------------------------------------------ phases

phase_transfer()
{
	local l="A. transfer"
	snap S0
	job A-curl4 fetch_sha "$(sw_topo_url v4 /file "$WEB_PORT")" "$SW_WEB_SHA256" 60
	jobs_wait
	job A-curl6 fetch_sha "$(sw_topo_url v6 /file "$WEB_PORT")" "$SW_WEB_SHA256" 60
	jobs_wait
	upload A-up4 "$SW_SERVER_IP4" 60
	jobs_wait
	upload A-up6 "$SW_SERVER_IP6" 60
	jobs_wait
	sw_check "$l: curl IPv4 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" job_ok A-curl4
	sw_check "$l: curl IPv6 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" job_ok A-curl6
	sw_check "$l: upload IPv4 :$SINK_PORT, $BIG_SIZE bytes, sha256 matches" job_ok A-up4
	sw_check "$l: upload IPv6 :$SINK_PORT, $BIG_SIZE bytes, sha256 matches" job_ok A-up6
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 10 0.3 || true
	snap S1
	sw_log "$l: $(flow_line)"
	sw_check "$l: four flows created and established, four backend SYNs" \
		all_is 4 flow.created flow.established flow.backend_syn_tx
	sw_check "$l: flow.to_client_bytes +$(d flow.to_client_bytes) >= 2 x $BIG_SIZE" \
		sw_at_least "flow.to_client_bytes" "$(d flow.to_client_bytes)" $((2 * BIG_SIZE))
	sw_check "$l: flow.to_server_bytes +$(d flow.to_server_bytes) >= 2 x $BIG_SIZE" \
		sw_at_least "flow.to_server_bytes" "$(d flow.to_server_bytes)" $((2 * BIG_SIZE))
}

# active_at_least N: flow.active >= N right now (while connections are open).
ACTIVE_SEEN=0
active_at_least()
{
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] >= $1))" 5 0.2 || true
	ACTIVE_SEEN=${SW_STATS[flow.active]:-0}
}

phase_concurrent()
{
	local l="B. concurrent"
	snap S0
	concurrent B-conc "$CONCURRENT" 30 "active_at_least $CONCURRENT"
	snap S1
	sw_log "$l: $(flow_line)"
	sw_check "$l: $CONCURRENT connections (IPv4 + IPv6) open at once: flow.active $ACTIVE_SEEN" \
		sw_at_least "flow.active with all open" "$ACTIVE_SEEN" "$CONCURRENT"
	sw_check "$l: all $CONCURRENT fetch /small ($SMALL_SIZE bytes) byte-exact" \
		concurrent_ok B-conc "$CONCURRENT"
	sw_check "$l: one flow per connection: flow.created +$(d flow.created)" \
		sw_is_eq "flow.created grew by" "$(d flow.created)" "$CONCURRENT"
	sw_check "$l: flow.table_full, held_dropped unchanged" \
		unchanged flow.table_full flow.held_dropped
}

unchanged()
{
	local n rc=0
	for n in "$@"; do
		sw_is_eq "$n grew by" "$(d "$n")" 0 || rc=1
	done
	return "$rc"
}

phase_iperf()
{
	local l="C. iperf3" busy
	rm -f "$SW_TMP/iperf-busy"
	snap S0
	iperf_run C-ip4 "$SW_SERVER_IP4"
	iperf_run C-ip4r "$SW_SERVER_IP4" -R
	iperf_run C-ip6 "$SW_SERVER_IP6"
	iperf_run C-ip6r "$SW_SERVER_IP6" -R
	snap S1
	busy=$(iperf_busy)
	sw_log "$l: $(flow_line)"
	sw_check "$l: IPv4 :$IPERF_PORT client -> server completes" iperf_ok C-ip4
	sw_check "$l: IPv4 :$IPERF_PORT -R server -> client: all bytes received" iperf_ok C-ip4r
	sw_check "$l: IPv6 :$IPERF_PORT client -> server completes" iperf_ok C-ip6
	sw_check "$l: IPv6 :$IPERF_PORT -R server -> client: all bytes received" iperf_ok C-ip6r
	sw_check "$l: two flows per run (control + data), one per busy refusal ($busy): flow.created +$(d flow.created)" \
		sw_is_eq "flow.created grew by" "$(d flow.created)" $((8 + busy))
}

phase_loss()
{
	local l="E. ${LOSS_PCT}% loss" dc ds
	if ((!NFT_OK)); then
		sw_check_skip "$l: whole phase" "nftables does not work in a namespace here"
		return 0
	fi
	if ! nft_loss "$SW_NS_CLIENT" "$LOSS_PCT" ||
		! nft_loss "$SW_NS_SERVER" "$LOSS_PCT"; then
		sw_check "$l: nftables loss rules in client and server namespaces" false
		nft_clear "$SW_NS_CLIENT"
		return 0
	fi
	snap S0
	job E-curl4 fetch_sha "$(sw_topo_url v4 /file "$WEB_PORT")" "$SW_WEB_SHA256" 120
	job E-curl6 fetch_sha "$(sw_topo_url v6 /file "$WEB_PORT")" "$SW_WEB_SHA256" 120
	upload E-up4 "$SW_SERVER_IP4" 120
	upload E-up6 "$SW_SERVER_IP6" 120
	concurrent E-conc 40 60
	jobs_wait
	snap S1
	dc=$(nft_dropped "$SW_NS_CLIENT") ds=$(nft_dropped "$SW_NS_SERVER")
	nft_clear "$SW_NS_CLIENT"
	nft_clear "$SW_NS_SERVER"
	sw_log "$l: nft dropped ${dc:-?} at the client, ${ds:-?} at the server; $(flow_line)"
	sw_check "$l: curl IPv4 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" job_ok E-curl4
	sw_check "$l: curl IPv6 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" job_ok E-curl6
	sw_check "$l: upload IPv4 :$SINK_PORT, $BIG_SIZE bytes, sha256 matches" job_ok E-up4
	sw_check "$l: upload IPv6 :$SINK_PORT, $BIG_SIZE bytes, sha256 matches" job_ok E-up6
	sw_check "$l: 40 concurrent connections fetch /small byte-exact" \
		concurrent_ok E-conc 40
	sw_check "$l: loss was injected both ways (client ${dc:-0}, server ${ds:-0} dropped)" \
		both_positive "${dc:-0}" "${ds:-0}"
}

both_positive()
{
	(($1 > 0 && $2 > 0)) && return 0
	sw_diag "nft dropped $1 at the client and $2 at the server"
	return 1
}

# flood_running: synwall's syn_rx is growing (the flood reaches it).
flood_running()
{
	local a b
	sw_synwall_stats "$SYNWALL_PREFIX" || return 1
	a=${SW_STATS[syncookie.syn_rx]}
	sleep 0.3
	sw_synwall_stats "$SYNWALL_PREFIX" || return 1
	b=${SW_STATS[syncookie.syn_rx]}
	((b > a + 100))
}

# flood_rate SECONDS WHAT: log the SYNs per second synwall receives.
flood_rate()
{
	local a b
	sw_synwall_stats "$SYNWALL_PREFIX" || return 0
	a=${SW_STATS[syncookie.syn_rx]}
	sleep "$1"
	sw_synwall_stats "$SYNWALL_PREFIX" || return 0
	b=${SW_STATS[syncookie.syn_rx]}
	sw_log "$2: $(((b - a) / $1)) SYN/s reach synwall"
}

# syn_filter: BPF for TCP SYNs without ACK, IPv4 and IPv6 (no extension
# headers), to or from the protected ports.
SYN_BPF="((ip and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn) or (ip6 and ip6[6] == 6 and ip6[53] & 0x12 == 0x02)) and (dst port $WEB_PORT or dst port $IPERF_PORT or dst port $SINK_PORT)"

phase_flood()
{
	local l="D. SYN flood" srv cli t0 t1 overlap=0 legit want ssyn sfl retx cdrop busy
	if ! sw_topo_capture_start srv "$SW_NS_SERVER" \
		"($SYN_BPF) or net 198.18.0.0/15" "$SW_TMP/d-server.pcap" ||
		! sw_topo_capture_start cli "$SW_NS_CLIENT" \
			"($SYN_BPF) and not net 198.18.0.0/15" "$SW_TMP/d-client.pcap"; then
		sw_check "$l: captures start" false
		return 0
	fi
	snap S0
	t0=$(sw_now_ms)
	# Full speed: no gap, trafgen's TX ring, as fast as this machine goes.
	sw_topo_flood_start syn "$FLOOD_MAX" 0 "$FLOOD_SECS"
	if ! sw_wait_for flood_running 10 0.2; then
		sw_check "$l: the flood reaches synwall (syn_rx grows)" false
	fi
	flood_rate 2 "flood alone"
	rm -f "$SW_TMP/iperf-busy"
	traffic D 80
	sw_alive "$SW_FLOOD_PID" && overlap=1
	t1=$(sw_now_ms)
	sw_stop_pid "$SW_FLOOD_PID" 5 || true
	sw_topo_flood_wait
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 10 0.3 || true
	snap S1
	sw_topo_capture_stop "$cli" "$SW_TMP/d-client.pcap"
	cdrop=${SW_CAPTURE_DROPPED:-0}
	sw_topo_capture_stop "$srv" "$SW_TMP/d-server.pcap"
	sw_log "$l: trafgen sent $SW_FLOOD_SENT in $(((t1 - t0) / 1000)) s" \
		"(still running at the end of the legitimate traffic: $overlap);" \
		"syn_rx +$(d syncookie.syn_rx) synack_tx +$(d syncookie.synack_tx)" \
		"=> $(($(d syncookie.syn_rx) * 1000 / (t1 - t0 + 1))) SYN/s at synwall"
	sw_log "$l: $(flow_line)"
	sw_log "$l: $(drop_line)"
	sw_check "$l: the flood reached synwall: syn_rx +$(d syncookie.syn_rx), trafgen sent $SW_FLOOD_SENT" \
		sw_at_least "syncookie.syn_rx grew by" "$(d syncookie.syn_rx)" 10000
	sw_check "$l: the flood lasted through all the legitimate traffic" \
		sw_is_eq "flood alive when the clients finished" "$overlap" 1
	traffic_checks D "$l"
	# Legitimate connections: what the client's capture saw it open
	# (distinct tuples), which must be what the tools opened: curl and
	# uploads 4, the concurrent clients, iperf3 2 per run (control + data)
	# and 1 per "server busy" refusal.
	"$SW_PYTHON" "$CLIENTS" syns "$SW_TMP/d-client.pcap" | sort -u >"$SW_TMP/d-client.tuples"
	"$SW_PYTHON" "$CLIENTS" syns "$SW_TMP/d-server.pcap" | sort >"$SW_TMP/d-server.syns"
	legit=$(wc -l <"$SW_TMP/d-client.tuples")
	busy=$(iperf_busy)
	want=$((4 + CONCURRENT + 3 * 2 + busy))
	ssyn=$(wc -l <"$SW_TMP/d-server.syns")
	sfl=$(tcpdump -nn -r "$SW_TMP/d-server.pcap" net 198.18.0.0/15 2>/dev/null | wc -l)
	# First contact sends a client's SYN on as a probe, and a restarted
	# backend handshake (the server accepted a backend probe) sends its
	# SYN again: the same tuples, once more.
	retx=$(($(d flow.backend_syn_retx) + $(d flow.backend_restart) +
		$(d flow.probe_tx)))
	sw_check "$l: the client opened $want legitimate connections ($legit SYN tuples)" \
		sw_is_eq "distinct legitimate SYN tuples on the client's wire" "$legit" "$want"
	sw_check "$l: the server saw the same tuples, no other" \
		same_tuples "$SW_TMP/d-client.tuples" "$SW_TMP/d-server.syns"
	sw_check "$l: the server saw $ssyn SYNs = $legit connections + $retx SYNs sent again (retransmitted, restarted, probes)" \
		sw_is_eq "SYNs on the server's wire" "$ssyn" $((legit + retx))
	sw_check "$l: no packet from 198.18.0.0/15 on the server's wire" \
		sw_is_eq "flood packets on the server's wire" "$sfl" 0
	sw_check "$l: captures complete (kernel dropped client $cdrop, server ${SW_CAPTURE_DROPPED:-0})" \
		sw_is_eq "capture drops" $((cdrop + ${SW_CAPTURE_DROPPED:-0})) 0
}

# same_tuples CLIENT SERVER: the SYN tuples the server saw, deduplicated,
# are exactly the client's.
same_tuples()
{
	local diff
	diff=$(diff <(sort -u "$2") "$1") && return 0
	sw_diag "tuples differ (< server only, > client only):"
	head -n 6 <<<"$diff" | sed 's/^/#   /'
	return 1
}

# rst_client NAME ADDR [SPORT]: one client of rst (job output NAME).
rst_client()
{
	job "$1" sw_ns_exec "$SW_NS_CLIENT" timeout 30 "$SW_PYTHON" "$CLIENTS" \
		rst "$2" "$WEB_PORT" 20 ${3:+"$3"}
}

# time_wait ADDR SPORT: a fetch from SPORT that nginx closes first, so
# that the server holds the tuple in TIME_WAIT; true when it did.
time_wait()
{
	sw_ns_exec "$SW_NS_CLIENT" timeout 20 "$SW_PYTHON" "$CLIENTS" \
		closed "$1" "$WEB_PORT" "$2" /small >/dev/null &&
		sw_wait_for "sw_ns_exec $SW_NS_SERVER ss -Htn state time-wait 'sport = :$WEB_PORT and dport = :$2' | grep -q ." 5 0.1
}

# rst_within NAME LO HI: the client got a RST LO..HI ms after it called
# connect().
rst_within()
{
	local out ms
	out=$(cat "$SW_TMP/job-$1.out" 2>/dev/null) || out=none
	if [[ $out =~ ^rst\ ([0-9]+)$ ]]; then
		ms=${BASH_REMATCH[1]}
		sw_in_range "$1: RST after (ms)" "$ms" "$2" "$3"
		return
	fi
	sw_diag "$1: $out"
	return 1
}

phase_server_gone()
{
	local l="F. server gone" bound lo
	# Wait the handshake could take: syn_timeout x (1 + 2 + ... + 2^retries).
	bound=$((SYN_TIMEOUT_MS * ((1 << (SYN_RETRIES + 1)) - 1)))
	lo=$((bound * 8 / 10))
	# The refused clients reuse the ports of connections the server
	# closed first: its TIME_WAIT, with no listener, answers a SYN
	# with the old connection's ACK; synwall must RST that (RFC 9293
	# §3.10.7.3) as a client's stack would, or it waits out its SYN
	# retries and reports a timeout for a refusal.
	sw_check "$l: IPv4 fetch from port $TW_PORT4 leaves a TIME_WAIT at the server" \
		time_wait "$SW_SERVER_IP4" "$TW_PORT4"
	sw_check "$l: IPv6 fetch from port $TW_PORT6 leaves a TIME_WAIT at the server" \
		time_wait "$SW_SERVER_IP6" "$TW_PORT6"
	sw_stop_pid "$SW_NGINX_PID" 5 || true
	sw_wait_for "! sw_ns_exec $SW_NS_SERVER ss -Htln 'sport = :$WEB_PORT' | grep -q LISTEN" 5 || true
	snap S0
	rst_client F-rst4 "$SW_SERVER_IP4" "$TW_PORT4"
	rst_client F-rst6 "$SW_SERVER_IP6" "$TW_PORT6"
	jobs_wait
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 5 0.3 || true
	snap S1
	sw_log "$l: refused: $(flow_line) old_ack_rst +$(d flow.old_ack_rst)"
	sw_check "$l: nginx stopped, server RSTs: IPv4 client reset within $SLACK_MS ms" \
		rst_within F-rst4 0 "$SLACK_MS"
	sw_check "$l: nginx stopped, server RSTs: IPv6 client reset within $SLACK_MS ms" \
		rst_within F-rst6 0 "$SLACK_MS"
	sw_check "$l: refused: flow.backend_rst +$(d flow.backend_rst), rst_tx +$(d flow.rst_tx) (>= 2 each)" \
		both_at_least 2 flow.backend_rst flow.rst_tx
	sw_check "$l: refused: no backend_timeout" unchanged flow.backend_timeout
	sw_check "$l: the TIME_WAITs' ACKs got RSTs: flow.old_ack_rst +$(d flow.old_ack_rst) (>= 2)" \
		both_at_least 2 flow.old_ack_rst

	if ((!NFT_OK)); then
		sw_check_skip "$l: silent server" "nftables does not work in a namespace here"
		return 0
	fi
	nft_silent "$SW_NS_SERVER" "$WEB_PORT" ||
		{ sw_check "$l: nftables drop rule for a silent server" false; return 0; }
	snap S0
	rst_client F-silent4 "$SW_SERVER_IP4"
	rst_client F-silent6 "$SW_SERVER_IP6"
	jobs_wait
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 5 0.3 || true
	snap S1
	nft_clear "$SW_NS_SERVER"
	sw_log "$l: silent: $(flow_line)"
	sw_check "$l: silent server: IPv4 client reset after $lo..$((bound + SLACK_MS)) ms" \
		rst_within F-silent4 "$lo" $((bound + SLACK_MS))
	sw_check "$l: silent server: IPv6 client reset after $lo..$((bound + SLACK_MS)) ms" \
		rst_within F-silent6 "$lo" $((bound + SLACK_MS))
	sw_check "$l: silent: flow.backend_timeout +$(d flow.backend_timeout), rst_tx +$(d flow.rst_tx) (2 each)" \
		all_is 2 flow.backend_timeout flow.rst_tx
	sw_check "$l: silent: flow.backend_syn_retx +$(d flow.backend_syn_retx) (2 x $SYN_RETRIES)" \
		sw_is_eq "flow.backend_syn_retx grew by" "$(d flow.backend_syn_retx)" $((2 * SYN_RETRIES))
}

both_at_least()
{
	local min=$1 n rc=0
	shift
	for n in "$@"; do
		sw_at_least "$n grew by" "$(d "$n")" "$min" || rc=1
	done
	return "$rc"
}

all_is()
{
	local want=$1 n rc=0
	shift
	for n in "$@"; do
		sw_is_eq "$n grew by" "$(d "$n")" "$want" || rc=1
	done
	return "$rc"
}

# workers_own_flows: /synwall/stats,W shows flows created by each worker.
workers_own_flows()
{
	local w rc=0 j n
	for w in 0 1; do
		j=$(sw_telemetry "$SYNWALL_PREFIX" "/synwall/stats,$w") || { rc=1; continue; }
		n=$("$SW_PYTHON" -c 'import json, sys
print(json.loads(sys.argv[1])["/synwall/stats"]["flow"]["created"])' "$j" 2>/dev/null) || n=0
		sw_diag "worker $w: flow.created $n"
		((n > 0)) || rc=1
	done
	return "$rc"
}

phase_steering()
{
	local l="H. 2 workers" n
	if ! sw_alive "$SW_NGINX_PID" && ! sw_topo_web_start; then
		sw_check "$l: nginx restarts" false
		return 0
	fi
	if ! start_synwall steer software 2; then
		sw_check "$l: synwall starts (lcores 0,1,2, qpairs=2, steering = software)" false
		return 0
	fi
	sw_check "$l: synwall starts (lcores 0,1,2, qpairs=2, steering = software)" true
	sw_synwall_stats "$SYNWALL_PREFIX" || true
	n=${SW_STATS[workers]:-0}
	sw_check "$l: telemetry reports 2 workers" sw_is_eq "workers" "$n" 2
	snap S0
	traffic H 120
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 10 0.3 || true
	snap S1
	sw_log "$l: $(flow_line)"
	traffic_checks H "$l"
	sw_check "$l: flows steered between workers: flow.steered +$(d flow.steered)" \
		sw_at_least "flow.steered grew by" "$(d flow.steered)" 1
	sw_check "$l: both workers own flows" workers_own_flows
	sw_check "$l: flow.active returns to 0" active_zero
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"

	# steering = auto: af_packet has no RSS, so auto must steer in software.
	l="H. 2 workers, steering = auto"
	if ! start_synwall auto auto 2; then
		sw_check "$l: synwall starts" false
		return 0
	fi
	sw_check "$l: synwall starts" true
	grep -i 'steer' "$SYNWALL_LOG" | head -n 2 | sed 's/^/# log: /' || true
	snap S0
	job H2-curl4 fetch_sha "$(sw_topo_url v4 /file "$WEB_PORT")" "$SW_WEB_SHA256" 60
	job H2-curl6 fetch_sha "$(sw_topo_url v6 /file "$WEB_PORT")" "$SW_WEB_SHA256" 60
	concurrent H2-conc 50 60
	sw_wait_for "sw_synwall_stats $SYNWALL_PREFIX && ((SW_STATS[flow.active] == 0))" 10 0.3 || true
	snap S1
	sw_log "$l: $(flow_line)"
	sw_check "$l: curl IPv4 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" job_ok H2-curl4
	sw_check "$l: curl IPv6 :$WEB_PORT, $BIG_SIZE bytes, sha256 matches" job_ok H2-curl6
	sw_check "$l: 50 concurrent connections fetch /small byte-exact" \
		concurrent_ok H2-conc 50
	sw_check "$l: no RSS on af_packet, so flows are steered: flow.steered +$(d flow.steered)" \
		sw_at_least "flow.steered grew by" "$(d flow.steered)" 1
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
}

# phase_wanted LETTER: the phase is in $SW_RELAY_PHASES (default: all of them; a
# subset such as "AF" is for debugging one behaviour).
phase_wanted()
{
	[[ ${SW_RELAY_PHASES:-ABCDEFH} == *"$1"* ]]
}

main()
{
	local t0
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-relay
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool curl nginx tcpdump trafgen iperf3 nft ss \
		dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "the relay needs synwall, not a stand-in"
	((CONCURRENT <= 200)) # nginx's worker_connections is 256 (scripts/topo.sh)
	t0=$(sw_now_ms)

	sw_topo_up
	SW_WEB_SIZE=$BIG_SIZE sw_topo_web_start ||
		sw_die "nginx does not start"
	head -c "$SMALL_SIZE" /dev/urandom >"$SW_TMP/www/small"
	SMALL_SHA256=$(sha256sum "$SW_TMP/www/small" | cut -d' ' -f1)
	start_iperf_server || sw_die "iperf3 server does not start"
	start_sink || sw_die "the sink does not start"
	nft_probe

	if ! start_synwall one auto 1; then
		sw_check "synwall starts and answers telemetry" false
		sw_checks_done
		return
	fi
	sw_check "synwall starts and answers telemetry" true
	if ! sw_synwall_stats "$SYNWALL_PREFIX" || [[ -z ${SW_STATS[flow.created]:-} ]]; then
		sw_check "telemetry has flow counters" false
		sw_checks_done
		return
	fi
	phase_wanted A && phase_transfer
	phase_wanted B && phase_concurrent
	phase_wanted C && phase_iperf
	sw_check "G. after A-C: flow.active returns to 0" active_zero
	if phase_wanted E; then
		phase_loss
		sw_check "G. after E: flow.active returns to 0" active_zero
	fi
	if phase_wanted D; then
		phase_flood
		sw_check "G. after D: flow.active returns to 0" active_zero
	fi
	if phase_wanted F; then
		phase_server_gone
		sw_check "G. after F: flow.active returns to 0" active_zero
	fi
	sw_synwall_stop_checks "one worker" "$SYNWALL_PID" "$SYNWALL_LOG"
	phase_wanted H && phase_steering
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	sw_checks_done
}

main "$@"
