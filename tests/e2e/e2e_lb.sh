#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_lb.sh [SYNWALL_BIN]: lb mode end to end. synwall (mode = lb,
# net_af_packet on veth, --no-huge) in front of three nginx backends
# (scripts/topo_lb.sh: client -- synwall -- bridge -- b1 b2 b3 [b4]),
# VIP 203.0.113.10 / 2001:db8:203::10 port 80, weights 1:2:3, health checks
# every 500 ms. Clients: tests/e2e/lb_clients.py (plain sockets, one new
# source port per connection), curl.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   start. synwall starts and answers telemetry; /synwall/backends shows
#      b1..b3 up (both families) once health checks rose; a connection to
#      the VIP completes.
#   a. ARP / ND: after a TCP connect to each VIP the client's neighbour
#      entry is synwall's outside MAC (arping too when installed); the
#      same for synwall's own outside addresses (a UDP datagram makes the
#      client resolve them); after b, a backend's entries for the inside
#      addresses are synwall's inside MAC.
#   b. distribution: $DIST_N IPv4 connections to /name, none fails, each
#      backend within +-$DIST_TOL_PCT % of its weight share; $DIST6_N IPv6
#      connections, none fails, each backend reached.
#   f1. /synwall/backends after b: exactly b1..b3 (both families), all up,
#      weights 1/2/3, "created" grew per backend by what the clients saw.
#   c. spoofed SYN flood (trafgen, random sources in 198.18.0.0/15, at most
#      $FLOOD_COUNT packets / $FLOOD_SECS s) at the IPv4 VIP: synwall counts
#      it (syncookie.syn_rx), no backend sees a packet from 198.18.0.0/15
#      (nftables counters in each backend namespace, installed at the
#      start), and legitimate connections made during it all succeed.
#   d. backend failure: long downloads held on b1 and b3 (Maglev keeps a
#      tuple on its backend; lb_clients.py hold keeps the connections
#      that landed there), b2's nginx stopped by its PID, b2 shown down
#      within a few health intervals; then $FAIL_N new connections: none
#      fails, none on b2; the held downloads, still running through all
#      this, complete byte-exact.
#   f2. /synwall/backends after d: b2 down (both families), b1 and b3 up;
#      "created" grew by what the clients saw.
#   e. SIGHUP: a long download running, the config rewritten with b4
#      (weight 2; b2 stays listed and down), kill -HUP: the log says the
#      reload was applied, new connections (IPv4 and IPv6) reach b4 within
#      $RELOAD_REACH_S s, none fails, /synwall/backends shows b4 up, the
#      download completes byte-exact. Then a config with an off-link
#      backend ($BAD_BACKEND) SIGHUPed: the log says it was refused,
#      naming the backend; synwall runs on with the old config (new
#      connections succeed, b4 still gets some); /synwall/reload with the
#      bad file answers {"ok": 0, "error": ...}.
#   g. SIGHUP removing b4 while a long download runs on it: applied, no
#      new connection on b4, the download completes byte-exact (drain),
#      then the log says b4 drained and /synwall/backends drops it.
#   end. no packet from 198.18.0.0/15 reached any backend in the whole
#      run; SIGTERM stops synwall with status 0 after its final counters.
#   SW_LB_PHASES=abcdeg (the default; a subset to debug) chooses the phases.
#   SW_LB_QPAIRS=2 with SW_SYNWALL_LCORES="--lcores 0@0,1@1,2@0": two
#   workers (meson's e2e_lb_2workers); then packets must have been steered.
# On any failure synwall's log is printed (and the tails of the others).
#
# What synwall must provide is listed in the variables below (log lines
# after SIGHUP) and in lb_clients.py backends (/synwall/backends fields).
#
# Safety: everything runs in namespaces named for this run and removed at
# exit (traps, also on failure); synwall runs inside its namespace; spoofed
# sources only from 198.18.0.0/15; the flood is bounded in count and time;
# only processes started here are stopped, by PID.
# Exit: 0 all passed, 1 a check failed, 77 skipped (not root, or a
# prerequisite cannot be installed).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/topo_lb.sh
. "$SW_ROOT/scripts/topo_lb.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux)
DIST_N=3000
DIST6_N=300
DIST_TOL_PCT=15
FLOOD_COUNT=200000		# spoofed SYNs at most ...
FLOOD_RATE=20000		# ... asked per second ...
FLOOD_SECS=10			# ... for at most this long
FLOOD_LEGIT4=300		# legitimate connections during the flood
FLOOD_LEGIT6=50
FAIL_N=500
DETECT_S=6			# b2 down in telemetry within (health: 500 ms x fall 2)
RELOAD_REACH_S=10
BAD_BACKEND=192.0.2.50		# not on-link in inside_address 198.51.100.0/24
# synwall's log after a SIGHUP (extended regexes, case-insensitive, on the
# lines written after the signal): a good config must produce a line
# matching RELOAD_OK_RE and none matching RELOAD_BAD_RE; a bad one a line
# matching RELOAD_BAD_RE that also names what is wrong (RELOAD_BAD_WHAT_RE)
# and none matching RELOAD_OK_RE.
RELOAD_OK_RE='reload.*\b(applied|done|succeeded|ok)\b|\breloaded\b'
RELOAD_BAD_RE='reload.*\b(refused|rejected|failed|error|invalid)\b'
RELOAD_BAD_WHAT_RE="backends|${BAD_BACKEND//./\\.}"

CONF=""			# synwall's config file (rewritten for the reloads)
SYNWALL_LOG=""
SYNWALL_PID=""
declare -gA TEL=() T0=() SEEN=()

# ---------------------------------------------------------------- helpers

# synwall_running: synwall still runs (a SIGHUP it does not handle ends it).
synwall_running()
{
	sw_alive "$SYNWALL_PID" && return 0
	sw_diag "synwall (PID $SYNWALL_PID) is gone"
	return 1
}

# val FILE KEY [SUB]: "KEY N" or "KEY SUB N" lines of lb_clients.py output.
val()
{
	local v
	if (($# == 3)); then
		v=$(awk -v k="$2" -v s="$3" '$1 == k && $2 == s { n = $3 } END { print n + 0 }' "$1" 2>/dev/null)
	else
		v=$(awk -v k="$2" '$1 == k { n = $2 } END { print n + 0 }' "$1" 2>/dev/null)
	fi
	echo "${v:-0}"
}

# dist TAG v4|v6 N [CONC] [PATH]: sw_lb_dist with fresh source ports; output
# in $SW_TMP/TAG.out (+ .err, .rc); the backends it reached added to SEEN.
dist()
{
	local tag=$1 fam=$2 n=$3 sport rc=0 b out=$SW_TMP/$1.out
	sw_lb_ports sport "$n"
	sw_lb_dist "$out" "$fam" "$n" "$sport" "${4:-16}" "${5:-/name}" || rc=$?
	echo "$rc" >"$SW_TMP/$tag.rc"
	for b in "${SW_LB_NAMES[@]}"; do
		SEEN[$b]=$((${SEEN[$b]:-0} + $(val "$out" backend "$b")))
	done
	sw_log "$tag: $(tr '\n' ' ' <"$out")"
}

# dist_all_ok TAG N: all N connections of dist TAG got an answer.
dist_all_ok()
{
	local out=$SW_TMP/$1.out ok fail
	ok=$(val "$out" ok) fail=$(val "$out" fail)
	((ok == $2 && fail == 0)) && return 0
	sw_diag "$1: $ok ok, $fail failed of $2"
	sed 's/^/#   /' "$out.err" 2>/dev/null | head -n 6
	return 1
}

# dist_line TAG: "b1 N, b2 N, ..." for names.
dist_line()
{
	local b out=""
	for b in "${SW_LB_NAMES[@]}"; do
		out+="${out:+, }$b $(val "$SW_TMP/$1.out" backend "$b")"
	done
	echo "$out"
}

# dist_share TAG N SPEC: each backend of SPEC ("b1=1 b2=2 b3=3") got its
# weight share of N within +-DIST_TOL_PCT %, the others nothing.
dist_share()
{
	local tag=$1 n=$2 spec=$3 e b w sum=0 got want lo hi rc=0
	for e in $spec; do
		sum=$((sum + ${e#*=}))
	done
	for e in $spec; do
		b=${e%%=*} w=${e#*=}
		got=$(val "$SW_TMP/$tag.out" backend "$b")
		want=$((n * w / sum))
		lo=$((want * (100 - DIST_TOL_PCT) / 100))
		hi=$((want * (100 + DIST_TOL_PCT) / 100))
		sw_in_range "$b (weight $w/$sum, share $want)" "$got" "$lo" "$hi" || rc=1
	done
	for b in "${SW_LB_NAMES[@]}"; do
		[[ " $spec" == *" $b="* ]] && continue
		sw_is_eq "$b (not in the pool)" "$(val "$SW_TMP/$tag.out" backend "$b")" 0 || rc=1
	done
	return "$rc"
}

# dist_reaches TAG NAME...: each named backend got at least one connection.
dist_reaches()
{
	local tag=$1 b rc=0
	shift
	for b in "$@"; do
		sw_at_least "$tag: connections on $b" "$(val "$SW_TMP/$tag.out" backend "$b")" 1 || rc=1
	done
	return "$rc"
}

# dist_avoids TAG NAME: no connection of dist TAG landed on NAME.
dist_avoids()
{
	sw_is_eq "$1: connections on $2" "$(val "$SW_TMP/$1.out" backend "$2")" 0
}

# ------------------------------------------------------------- telemetry

# tel_read: /synwall/backends into TEL: TEL[bN/F.state|created|weight]
# (F 4 or 6; -1 a field synwall does not publish), TEL[bN.created] (both
# families), TEL[entries] ("bN/F ..." in order), TEL[raw].
tel_read()
{
	local out name fam st cr ac w key
	out=$(sw_lb_backends "$SW_LB_PREFIX" 2>&1) || { TEL=([raw]="$out"); return 1; }
	TEL=([raw]="$out" [entries]="")
	while read -r name fam st cr ac w key; do
		TEL[$name/$fam.state]=$st
		TEL[$name/$fam.created]=$cr
		TEL[$name/$fam.weight]=$w
		TEL[$name/$fam.key]=$key
		TEL[$name/$fam.active]=$ac
		((cr < 0)) && cr=0
		TEL[$name.created]=$((${TEL[$name.created]:-0} + cr))
		TEL[entries]+="${TEL[entries]:+ }$name/$fam"
	done <<<"$out"
}

# tel_save: TEL -> T0 (the start of a window); SEEN starts again from 0.
tel_save()
{
	local k
	tel_read || true
	T0=()
	for k in "${!TEL[@]}"; do
		T0[$k]=${TEL[$k]}
	done
	SEEN=()
}

# tel_states SPEC: /synwall/backends shows each "NAME=1|0" of SPEC in that
# state (1 up, 0 down), both families. Quiet (for sw_wait_for); see
# tel_states_diag.
tel_states()
{
	local e b f
	tel_read || return 1
	for e in $1; do
		b=${e%%=*}
		for f in 4 6; do
			[[ ${TEL[$b/$f.state]:-none} == "${e#*=}" ]] || return 1
		done
	done
}

tel_states_diag()
{
	local e b f rc=0
	if ! tel_read; then
		sw_diag "no usable /synwall/backends: ${TEL[raw]:0:200}"
		return 1
	fi
	for e in $1; do
		b=${e%%=*}
		for f in 4 6; do
			[[ ${TEL[$b/$f.state]:-none} == "${e#*=}" ]] && continue
			sw_diag "$b IPv$f: state ${TEL[$b/$f.state]:-missing}, expected ${e#*=}"
			rc=1
		done
	done
	((rc == 0)) || sw_diag "entries: ${TEL[entries]}"
	return "$rc"
}

# tel_entries_are NAME...: exactly these backends, both families.
tel_entries_are()
{
	local b want="" got
	tel_read || { sw_diag "no usable /synwall/backends: ${TEL[raw]:0:200}"; return 1; }
	for b in "$@"; do
		want+="${want:+ }$b/4 $b/6"
	done
	got=$(tr ' ' '\n' <<<"${TEL[entries]}" | sort | tr '\n' ' ')
	want=$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')
	[[ $got == "$want" ]] && return 0
	sw_diag "entries: ${got:-none}; expected $want"
	grep '^?' <<<"${TEL[raw]}" | sed 's/^/#   unknown address: /' | head -n 4
	return 1
}

# tel_weights SPEC: each backend's weight as configured, both families.
tel_weights()
{
	local e b f rc=0
	tel_read || return 1
	for e in $1; do
		b=${e%%=*}
		for f in 4 6; do
			sw_is_eq "$b IPv$f weight" "${TEL[$b/$f.weight]:-missing}" "${e#*=}" || rc=1
		done
	done
	return "$rc"
}

# created_ok NAME... [--diag]: since tel_save, each backend's "created"
# (both families) grew by what the clients saw land there (SEEN), up to
# max(5, 3 %) more (connections that ended before an answer).
created_ok()
{
	local b d s slack rc=0 diag=0
	[[ ${*: -1} == --diag ]] && { diag=1; set -- "${@:1:$#-1}"; }
	tel_read || { ((diag)) && sw_diag "no usable /synwall/backends"; return 1; }
	for b in "$@"; do
		d=$((${TEL[$b.created]:-0} - ${T0[$b.created]:-0}))
		s=${SEEN[$b]:-0}
		slack=$((s * 3 / 100))
		((slack < 5)) && slack=5
		if ((d < s || d > s + slack)); then
			((diag)) && sw_diag "$b: created +$d (IPv4 field ${TEL[$b/4.created]:-missing}), clients saw $s (allowed $s..$((s + slack)))"
			rc=1
		fi
	done
	return "$rc"
}

# created_match NAME...: created_ok, giving counters a few seconds to be
# published.
created_match()
{
	sw_wait_for "created_ok $*" 4 0.5 && return 0
	created_ok "$@" --diag
}

# --------------------------------------------------------- log and signals

# log_lines: lines in synwall's log so far.
log_lines()
{
	wc -l <"$SYNWALL_LOG"
}

# log_since LINES RE: a line after line LINES matches RE (case-insensitive).
log_since()
{
	tail -n +$(($1 + 1)) "$SYNWALL_LOG" | grep -Eiq -- "$2"
}

# reload_applied LINES: the log after LINES says a reload was applied and
# nothing about a refusal.
reload_applied()
{
	log_since "$1" "$RELOAD_OK_RE" && ! log_since "$1" "$RELOAD_BAD_RE"
}

reload_refused()
{
	log_since "$1" "$RELOAD_BAD_RE" && ! log_since "$1" "$RELOAD_OK_RE"
}

# log_show LINES: the lines after LINES as diagnostics.
log_show()
{
	tail -n +$(($1 + 1)) "$SYNWALL_LOG" | head -n 8 | sed 's/^/# log: /'
}

# wait_log WHAT LINES SECONDS: reload_WHAT within SECONDS; diagnostics else.
wait_log()
{
	sw_wait_for "reload_$1 $2" "$3" 0.2 && { log_show "$2"; return 0; }
	sw_diag "no log line for reload_$1 within $3 s; new lines:"
	log_show "$2"
	return 1
}

# ---------------------------------------------------------- held downloads

# hold_start TAG WANT: lb_clients.py hold on /big in the background (its
# output in $SW_TMP/TAG.out); returns once it holds its downloads (or
# gave up). HOLD_PID.
hold_start()
{
	local tag=$1 sport ready=$SW_TMP/$1.ready
	sw_lb_ports sport 60
	rm -f "$ready"
	sw_spawn "$SW_TMP/$tag.out" ip netns exec "$SW_NS_CLIENT" timeout 150 \
		"$SW_PYTHON" "$SW_LB_CLIENTS" hold "$SW_LB_VIP4" "$SW_LB_PORT" /big \
		"$SW_LB_BIG_SHA256" "$SW_LB_BIG_SIZE" "$2" "$ready" "$sport" 60 120 \
		"$SW_LB_CLIENT_IP4"
	HOLD_PID=$SW_SPAWNED_PID
	sw_wait_for "[[ -e $ready ]] || ! sw_alive $HOLD_PID" 40 0.1 || true
	sw_log "$tag: $(cat "$ready" 2>/dev/null || echo 'not ready')"
}

# hold_held TAG WANT...: the hold holds the downloads asked for (its READY
# file lists NAME once per download; WANT e.g. "b1 b1 b3 b3", or a count).
hold_held()
{
	local got
	got=$(cat "$SW_TMP/$1.ready" 2>/dev/null) || got="(none)"
	got=${got#held }
	if [[ $2 =~ ^[0-9]+$ ]]; then
		(($(wc -w <<<"$got") >= $2)) && return 0
	else
		[[ $(tr ' ' '\n' <<<"$got" | sort | xargs) == "$(tr ' ' '\n' <<<"$2" | sort | xargs)" ]] &&
			return 0
	fi
	sw_diag "$1 holds: ${got:-nothing}; wanted $2"
	sed 's/^/#   /' "$SW_TMP/$1.out" | head -n 6
	return 1
}

# hold_wait TAG: wait for the hold to end (bounded by its own timeout);
# its exit status in $SW_TMP/TAG.rc; what it reached added to SEEN.
hold_wait()
{
	local rc=0 b
	sw_wait_for "! sw_alive $HOLD_PID" 130 0.3 || true
	if sw_alive "$HOLD_PID"; then
		sw_stop_pid "$HOLD_PID" 5 || true
	fi
	wait "$HOLD_PID" 2>/dev/null || rc=$?
	echo "$rc" >"$SW_TMP/$1.rc"
	for b in "${SW_LB_NAMES[@]}"; do
		SEEN[$b]=$((${SEEN[$b]:-0} + $(val "$SW_TMP/$1.out" tried "$b")))
	done
	sw_log "$1: exit $rc; $(grep -E '^(tried|download)' "$SW_TMP/$1.out" | tr '\n' ' ')"
}

# hold_intact TAG: every held download completed with the right sha256.
hold_intact()
{
	local rc
	rc=$(cat "$SW_TMP/$1.rc" 2>/dev/null) || rc=missing
	[[ $rc == 0 ]] && grep -q '^download .* ok ' "$SW_TMP/$1.out" &&
		! grep -q '^download .* fail ' "$SW_TMP/$1.out" && return 0
	sw_diag "$1: exit status $rc"
	grep -v '^tried' "$SW_TMP/$1.out" | sed 's/^/#   /' | head -n 8
	return 1
}

# hold_outlived TAG MS: every held download ended after epoch ms MS (it
# was still running then).
hold_outlived()
{
	local name res bytes end rc=0
	while read -r _ name res bytes end _; do
		((end > $2)) && continue
		sw_diag "$1: download on $name ($res, $bytes bytes) ended $(($2 - end)) ms too early"
		rc=1
	done < <(grep '^download ' "$SW_TMP/$1.out")
	return "$rc"
}

# hold_on TAG NAME...: every held download is on one of the NAMEs.
hold_on()
{
	local name rc=0 tag=$1
	shift
	while read -r _ name _; do
		[[ " $* " == *" $name "* ]] && continue
		sw_diag "$tag: a download on $name"
		rc=1
	done < <(grep '^download ' "$SW_TMP/$tag.out")
	return "$rc"
}

# ------------------------------------------------------------------ phases

# neigh_mac_is NS ADDR MAC: NS resolved ADDR (dev eth0) to MAC.
neigh_mac_is()
{
	local got
	sw_wait_for "[[ -n \$(sw_topo_neigh_mac $1 $2) ]]" 3 0.1 || true
	got=$(sw_topo_neigh_mac "$1" "$2")
	[[ $got == "$3" ]] && return 0
	sw_diag "neighbour entry for $2 in ${1##*-}: '${got:-none}' ($(ip -n "$1" neigh show "$2" dev eth0 | head -n 1)), expected $3"
	return 1
}

# arping_mac ADDR MAC: arping from the client gets an answer from MAC.
arping_mac()
{
	local out
	out=$(sw_ns_exec "$SW_NS_CLIENT" timeout 5 arping -c 2 -w 3 -I eth0 "$1" 2>&1) || true
	grep -qi "$2" <<<"$out" && return 0
	sw_diag "arping $1: $(tr '\n' ' ' <<<"$out" | cut -c1-200)"
	return 1
}

phase_arp()
{
	local l="a. ARP/ND" fam vip own
	ip -n "$SW_NS_CLIENT" neigh flush dev eth0 2>/dev/null || true
	for fam in v4 v6; do
		vip=$(sw_lb_vip "$fam")
		sw_check "$l: TCP connect to [$vip]:$SW_LB_PORT completes" \
			sw_topo_connect "$vip" "$SW_LB_PORT" 5
		sw_check "$l: the client resolved VIP $vip to synwall's outside MAC $SW_LB_OUT_MAC" \
			neigh_mac_is "$SW_NS_CLIENT" "$vip" "$SW_LB_OUT_MAC"
	done
	for own in "$SW_LB_OUT4" "$SW_LB_OUT6"; do
		sw_ns_exec "$SW_NS_CLIENT" "$SW_PYTHON" "$SW_LB_CLIENTS" udp "$own" || true
		sw_check "$l: synwall answers for its outside address $own ($SW_LB_OUT_MAC)" \
			neigh_mac_is "$SW_NS_CLIENT" "$own" "$SW_LB_OUT_MAC"
	done
	if command -v arping >/dev/null 2>&1; then
		sw_check "$l: arping $SW_LB_VIP4: answered by $SW_LB_OUT_MAC" \
			arping_mac "$SW_LB_VIP4" "$SW_LB_OUT_MAC"
	fi
}

phase_dist()
{
	local l="b. distribution" spec="b1=1 b2=2 b3=3"
	tel_save
	dist b-v4 v4 "$DIST_N" 16
	dist b-v6 v6 "$DIST6_N" 16
	sw_check "$l: $DIST_N IPv4 connections to /name all answered ($(val "$SW_TMP/b-v4.out" ms) ms)" \
		dist_all_ok b-v4 "$DIST_N"
	sw_check "$l: IPv4 spread $(dist_line b-v4) is 1:2:3 within +-$DIST_TOL_PCT %" \
		dist_share b-v4 "$DIST_N" "$spec"
	sw_check "$l: $DIST6_N IPv6 connections to /name all answered" \
		dist_all_ok b-v6 "$DIST6_N"
	sw_check "$l: IPv6 spread $(dist_line b-v6) reaches b1, b2 and b3" \
		dist_reaches b-v6 b1 b2 b3
	# The backends' default route is synwall: it answered their ARP / NS.
	sw_check "a. ARP/ND: b3 resolved $SW_LB_IN4 to synwall's inside MAC $SW_LB_IN_MAC" \
		neigh_mac_is "${SW_LB_NS[b3]}" "$SW_LB_IN4" "$SW_LB_IN_MAC"
	sw_check "a. ARP/ND: b3 resolved $SW_LB_IN6 to synwall's inside MAC $SW_LB_IN_MAC" \
		neigh_mac_is "${SW_LB_NS[b3]}" "$SW_LB_IN6" "$SW_LB_IN_MAC"

	l="f1. telemetry after b"
	sw_check "$l: /synwall/backends lists exactly b1, b2, b3, IPv4 and IPv6" \
		tel_entries_are b1 b2 b3
	sw_check "$l: all up" tel_states_diag "b1=1 b2=1 b3=1"
	sw_check "$l: weights 1, 2, 3" tel_weights "$spec"
	sw_check "$l: created per backend = connections the clients saw (b1 ${SEEN[b1]:-0}, b2 ${SEEN[b2]:-0}, b3 ${SEEN[b3]:-0})" \
		created_match b1 b2 b3
	sw_diag "$(sw_lb_backends "$SW_LB_PREFIX" --table 2>&1 | head -n 12 | sed '2,$s/^/# /')"
}

# syn_rx: synwall's syncookie.syn_rx now (empty when not published).
syn_rx()
{
	sw_synwall_stats "$SW_LB_PREFIX" >/dev/null 2>&1 || return 0
	echo "${SW_STATS[syncookie.syn_rx]:-}"
}

# flood_reaches SINCE: syn_rx grew by 1000 since SINCE.
flood_reaches()
{
	local n
	n=$(syn_rx)
	[[ -n $n ]] && ((n > $1 + 1000))
}

# spoofed_none NAME...: the backends' nftables counted no packet from
# 198.18.0.0/15.
spoofed_none()
{
	local b n rc=0
	for b in "$@"; do
		n=$(sw_lb_nft_counter "$b" spoofed)
		[[ $n == 0 ]] && continue
		sw_diag "$b: ${n:-no nftables counter} packets from 198.18.0.0/15"
		rc=1
	done
	return "$rc"
}

phase_flood()
{
	local l="c. SYN flood" rx0 rx1 alive=0
	rx0=$(syn_rx)
	sw_lb_flood_start "$FLOOD_COUNT" "$FLOOD_RATE" "$FLOOD_SECS"
	if [[ -n $rx0 ]]; then
		sw_wait_for "flood_reaches $rx0" 5 0.2 ||
			sw_warn "syn_rx does not grow: the flood does not reach synwall?"
	else
		sleep 1
	fi
	dist c4 v4 "$FLOOD_LEGIT4" 8
	dist c6 v6 "$FLOOD_LEGIT6" 8
	sw_alive "$SW_FLOOD_PID" && alive=1
	sw_topo_flood_wait
	sleep 0.5
	rx1=$(syn_rx)
	sw_log "$l: trafgen sent $SW_FLOOD_SENT; syn_rx ${rx0:-?} -> ${rx1:-?}"
	sw_check "$l: trafgen sent $SW_FLOOD_SENT spoofed SYNs (198.18.0.0/15 -> $SW_LB_VIP4:$SW_LB_PORT)" \
		sw_at_least "packets sent" "$SW_FLOOD_SENT" 10000
	sw_check "$l: synwall counted them: syncookie.syn_rx +$((${rx1:-0} - ${rx0:-0}))" \
		flood_counted "$rx0" "$rx1"
	sw_check "$l: the flood was still running when the legitimate clients were done" \
		sw_is_eq "flood alive after the clients" "$alive" 1
	sw_check "$l: $FLOOD_LEGIT4 IPv4 connections during the flood all answered" \
		dist_all_ok c4 "$FLOOD_LEGIT4"
	sw_check "$l: $FLOOD_LEGIT6 IPv6 connections during the flood all answered" \
		dist_all_ok c6 "$FLOOD_LEGIT6"
	sw_check "$l: no backend saw a packet from 198.18.0.0/15 (nftables)" \
		spoofed_none "${SW_LB_NAMES[@]}"
}

# flood_counted BEFORE AFTER: syn_rx grew by at least half what trafgen sent.
flood_counted()
{
	[[ -n $1 && -n $2 ]] || { sw_diag "/synwall/stats has no syncookie.syn_rx"; return 1; }
	sw_at_least "syncookie.syn_rx grew by" $(($2 - $1)) $((SW_FLOOD_SENT / 2))
}

phase_failover()
{
	local l="d. backend failure" t_stop t_down="" t_after
	tel_save
	hold_start d-hold "b1=2,b3=2"
	sw_check "$l: 2 long downloads held on b1 and 2 on b3" hold_held d-hold "b1 b1 b3 b3"
	t_stop=$(sw_now_ms)
	sw_lb_nginx_stop b2
	if sw_wait_for "tel_states 'b2=0'" "$DETECT_S" 0.1; then
		t_down=$(($(sw_now_ms) - t_stop))
	fi
	sw_check "$l: b2's nginx stopped: /synwall/backends shows b2 down within $DETECT_S s${t_down:+ ($t_down ms)}" \
		tel_states_diag "b2=0"
	dist d4 v4 "$FAIL_N" 16
	t_after=$(sw_now_ms)
	sw_check "$l: $FAIL_N new connections all answered ($(dist_line d4))" \
		dist_all_ok d4 "$FAIL_N"
	sw_check "$l: none of them on b2" dist_avoids d4 b2
	sw_check "$l: they reach b1 and b3" dist_reaches d4 b1 b3
	hold_wait d-hold
	sw_check "$l: the held downloads on b1/b3 complete byte-exact ($SW_LB_BIG_SIZE bytes, sha256)" \
		hold_intact d-hold
	sw_check "$l: the held downloads ran on through the failover" \
		hold_outlived d-hold "$t_after"

	l="f2. telemetry after d"
	sw_check "$l: b2 down, b1 and b3 up" tel_states_diag "b1=1 b2=0 b3=1"
	sw_check "$l: created per backend = what the clients saw (b1 ${SEEN[b1]:-0}, b2 ${SEEN[b2]:-0}, b3 ${SEEN[b3]:-0})" \
		created_match b1 b2 b3
	sw_diag "$(sw_lb_backends "$SW_LB_PREFIX" --table 2>&1 | head -n 12 | sed '2,$s/^/# /')"
}

# reach_b4 DEADLINE_MS: batches of 20 new connections until one lands on
# b4 or the deadline passes; R4_MS (when it did), R4_FAIL (failed ones).
reach_b4()
{
	local i=0
	R4_MS="" R4_FAIL=0 R4_OK=0
	while (($(sw_now_ms) < $1)); do
		dist "e-r$i" v4 20 8
		R4_FAIL=$((R4_FAIL + $(val "$SW_TMP/e-r$i.out" fail)))
		R4_OK=$((R4_OK + $(val "$SW_TMP/e-r$i.out" ok)))
		if (($(val "$SW_TMP/e-r$i.out" backend b4) > 0)); then
			R4_MS=$(sw_now_ms)
			return 0
		fi
		i=$((i + 1))
		sleep 0.2
	done
	return 1
}

phase_reload()
{
	local l="e. SIGHUP" lines t_hup t_ok="" spec="b1=1 b2=2 b3=3 b4=2" r
	if ! synwall_running; then
		sw_check "$l: synwall still running before the reload" false
		return 0
	fi
	hold_start e-hold "any=1"
	sw_check "$l: a long download is running" hold_held e-hold 1
	sw_lb_conf "$CONF" "$spec"
	lines=$(log_lines)
	t_hup=$(sw_now_ms)
	sw_log "$l: kill -HUP $SYNWALL_PID (backends $spec)"
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	sw_check "$l: the log says the reload was applied" wait_log applied "$lines" 5
	sw_check "$l: synwall still runs after SIGHUP" synwall_running
	if ! sw_alive "$SYNWALL_PID"; then
		sw_check "$l: the other reload checks (synwall is gone)" false
		hold_wait e-hold
		return 0
	fi
	reach_b4 $((t_hup + RELOAD_REACH_S * 1000)) && t_ok=$((R4_MS - t_hup))
	sw_check "$l: new connections reach b4 within $RELOAD_REACH_S s${t_ok:+ (after $t_ok ms)}" \
		test -n "$t_ok"
	sw_check "$l: none of the $((R4_OK + R4_FAIL)) connections meanwhile failed" \
		sw_is_eq "failed connections" "$R4_FAIL" 0
	dist e6 v6 60 8
	sw_check "$l: 60 IPv6 connections all answered, some on b4 ($(dist_line e6))" \
		eval 'dist_all_ok e6 60 && dist_reaches e6 b4'
	# Unchanged backends keep their health state across a reload: b2
	# stays down (else connections above would have failed on it).
	sw_wait_for "tel_states 'b1=1 b2=0 b3=1 b4=1'" 3 0.3 || true
	sw_check "$l: /synwall/backends shows b4 up (b1, b3 up, b2 down)" \
		tel_states_diag "b1=1 b2=0 b3=1 b4=1"
	sw_check "$l: /synwall/backends shows b4's weight 2" tel_weights "b4=2"
	hold_wait e-hold
	sw_check "$l: the download running across the reload completes byte-exact" \
		hold_intact e-hold
	sw_check "$l: ... and it was still running when the reload was applied" \
		hold_outlived e-hold "${R4_MS:-$t_hup}"

	l="e. SIGHUP, bad config"
	sw_lb_conf "$CONF" "$spec" "$BAD_BACKEND"
	lines=$(log_lines)
	sw_log "$l: kill -HUP $SYNWALL_PID (backends $spec + off-link $BAD_BACKEND)"
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	sw_check "$l: an off-link backend ($BAD_BACKEND) is refused, the log says so" \
		wait_log refused "$lines" 5
	sw_check "$l: the refusal names the backend" \
		log_since "$lines" "$RELOAD_BAD_WHAT_RE"
	sw_check "$l: synwall still runs" synwall_running
	dist e-bad v4 100 8
	sw_check "$l: traffic continues on the old config: 100 connections answered ($(dist_line e-bad))" \
		eval 'dist_all_ok e-bad 100 && dist_reaches e-bad b4 && dist_avoids e-bad b2'
	r=$(sw_telemetry "$SW_LB_PREFIX" /synwall/reload 2>&1) || r="no answer"
	sw_check "$l: telemetry /synwall/reload refuses it too: ${r:0:160}" \
		reload_tel_refused "$r"
	sw_lb_conf "$CONF" "$spec"
}

# g. A backend removed by SIGHUP while it serves a long download: the
# download runs on to the end (drain), no new connection reaches it, and
# once its last flow is gone synwall forgets it.
phase_remove()
{
	local l="g. SIGHUP removes b4" lines t_hup
	if ! synwall_running; then
		sw_check "$l: synwall still running before the reload" false
		return 0
	fi
	# b4 in the config and up (phase e leaves it so; alone, add it).
	lines=$(log_lines)
	sw_lb_conf "$CONF" "b1=1 b2=2 b3=3 b4=2"
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	wait_log applied "$lines" 5 >/dev/null || true
	sw_wait_for "tel_states 'b4=1'" 10 0.3 || true
	hold_start g-hold "b4=1"
	sw_check "$l: a long download is running on b4" hold_held g-hold "b4"
	sw_lb_conf "$CONF" "b1=1 b2=2 b3=3"
	lines=$(log_lines)
	t_hup=$(sw_now_ms)
	sw_log "$l: kill -HUP $SYNWALL_PID (backends b1=1 b2=2 b3=3)"
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	sw_check "$l: the log says the reload was applied" wait_log applied "$lines" 5
	dist g v4 100 8
	sw_check "$l: 100 new connections all answered, none on b4 ($(dist_line g))" \
		eval 'dist_all_ok g 100 && dist_avoids g b4'
	# (b4's IPv6 address, with no flow, is forgotten at once.)
	sw_check "$l: b4 drains: not forgotten while its download runs" \
		eval '! log_since "$lines" "198\\.51\\.100\\.14 drained, removed"'
	hold_wait g-hold
	sw_check "$l: the download on b4 completes byte-exact across the removal" \
		hold_intact g-hold
	sw_check "$l: ... and it was still running when the reload was applied" \
		hold_outlived g-hold "$t_hup"
	sw_check "$l: once its flows are gone, synwall forgets b4" \
		sw_wait_for "log_since $lines 'backend web 198\\.51\\.100\\.14 drained, removed'" 15 0.3
	sw_check "$l: /synwall/backends lists b1, b2, b3 only" \
		tel_entries_are b1 b2 b3
}

# reload_tel_refused JSON: {"/synwall/reload": {"ok": 0, "error": "..."}}.
reload_tel_refused()
{
	"$SW_PYTHON" "$SW_ROOT/scripts/lib/reload_refused.py" "$1"
}

# probe: one connection to the IPv4 VIP is answered.
probe()
{
	local sport
	sw_lb_ports sport 1
	sw_lb_dist "$SW_TMP/probe.out" v4 1 "$sport" 1 /name
}

phase_wanted()
{
	[[ ${SW_LB_PHASES:-abcdeg} == *"$1"* ]]
}

# show_synwall_log: all of synwall's log (bounded), after a failure.
show_synwall_log()
{
	[[ -n $SYNWALL_LOG && -f $SYNWALL_LOG ]] || return 0
	sw_log "synwall's log ($SYNWALL_LOG, last 300 lines):"
	tail -n 300 "$SYNWALL_LOG" | sed 's/^/#   /' >&"$SW_LOGFD"
}

# finish: the verdict; synwall's log first when a check failed.
finish()
{
	((SW_FAIL == 0)) || show_synwall_log
	sw_checks_done
}

main()
{
	local t0
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-lb
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool curl nginx trafgen nft ss dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "lb mode needs synwall, not a stand-in"
	t0=$(sw_now_ms)

	sw_lb_topo_up
	sw_lb_web_start || sw_die "nginx does not start in the backends"
	sw_lb_nft_counters_start || sw_die "nftables counters in the backends"

	CONF=$SW_TMP/synwall-lb.conf
	SYNWALL_LOG=$SW_TMP/synwall-lb.log
	sw_lb_conf "$CONF"
	if ! sw_lb_synwall_start "$CONF" "$SYNWALL_LOG"; then
		sw_check "synwall starts in lb mode and answers telemetry" false
		finish
		return
	fi
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_check "synwall starts in lb mode and answers telemetry" true
	sw_wait_for "tel_states 'b1=1 b2=1 b3=1'" 15 0.3 || true
	sw_check "start: /synwall/backends shows b1, b2, b3 up (health checks rose)" \
		tel_states_diag "b1=1 b2=1 b3=1"
	if ! sw_wait_for probe 15 0.5; then
		sw_check "start: a connection to $SW_LB_VIP4:$SW_LB_PORT is answered" false
		sed 's/^/#   /' "$SW_TMP/probe.out.err" 2>/dev/null | head -n 3
		sw_log "no connection through synwall: the other checks are not run"
		finish
		return
	fi
	sw_check "start: a connection to $SW_LB_VIP4:$SW_LB_PORT is answered" true

	phase_wanted a && phase_arp
	phase_wanted b && phase_dist
	phase_wanted c && phase_flood
	phase_wanted d && phase_failover
	phase_wanted e && phase_reload
	phase_wanted g && phase_remove

	if ((${SW_LB_QPAIRS:-1} > 1)); then
		# Several workers: replies from backends that another worker
		# received reached their flow's owner through the rings.
		sw_synwall_stats "$SW_LB_PREFIX" >/dev/null 2>&1 || true
		sw_check "end: packets were steered between workers (flow.steered ${SW_STATS[flow.steered]:-missing})" \
			sw_at_least "flow.steered" "${SW_STATS[flow.steered]:-0}" 1
	fi
	sw_check "end: no backend saw a packet from 198.18.0.0/15 in the whole run" \
		spoofed_none "${SW_LB_NAMES[@]}"
	sw_synwall_stop_checks "end" "$SYNWALL_PID" "$SYNWALL_LOG"
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	finish
}

main "$@"
