#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_lb_snat.sh [SYNWALL_BIN]: lb mode with source NAT, end to end, on
# e2e_lb's topology (scripts/topo_lb.sh: client -- synwall -- bridge --
# b1 b2 b3 [b4], nginx in each). b1 and b2 have no route back to the
# clients (their default routes are deleted): only [service:web] (VIPs
# port 80, b1 and b2, nat = snat) can reach them, from synwall's
# snat_address 198.51.100.2 / 2001:db8:100::2 and its local ports
# (snat_ports $SNAT_LO-$SNAT_HI: far fewer than the connections made).
# Next to it [service:plain] (VIPs port 8080, b3 on port 80, nat = dnat)
# keeps the client's address: b3 routes through synwall as in e2e_lb.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   start. synwall starts; a connection to each service is answered.
#   a. routes: b1 has no route to the client (so what follows goes
#      through source NAT or nowhere).
#   b. HTTP: $DIST4_N IPv4 and $DIST6_N IPv6 connections to web's VIPs all
#      answered, by b1 and b2; curl gets /name over both families.
#   c. byte-exact: /file (3 MiB) over IPv4 and IPv6 through source NAT:
#      sha256 as served.
#   d. the backends see synwall: every request b1 and b2 logged (nginx's
#      access log) since the start came from the snat_address of its
#      family, none from the client's address.
#   e. port reuse: $REUSE_N sequential connections (8 at a time) through
#      $((SNAT_HI - SNAT_LO + 1)) local ports, nginx closing each first:
#      its TIME_WAIT (60 s) still holds most tuples when their port comes
#      round again, and answers the new SYN with the old connection's
#      ACK half the time (flow.old_ack_rst: synwall's RST ends it, the
#      SYN is sent again). All answered; no client refused for want of a
#      port (lb.snat_no_port 0: at most ~1700 connections a second, each
#      port held 200 ms after its close, stay well below 1024); once they
#      are over every local port is free again (lb.snat_active 0).
#   f. DNAT next door: $PLAIN_N connections to port 8080 all answered by
#      b3, whose log shows the client's own address.
#   g. reload: a long download running on [service:plain] (dnat), the
#      config rewritten with plain's nat = snat, SIGHUP: applied; the
#      download completes byte-exact (its flow keeps the NAT it started
#      with); new connections to 8080 are answered and b3 logs them from
#      the snat_address.
#   h. telemetry: /synwall/config shows snat_address, snat_ports and each
#      service's nat; /synwall/stats has lb.snat_active, lb.snat_no_port,
#      drop.snat_noflow.
#   end. with SW_LB_QPAIRS=2 (two workers): packets were steered between
#      workers; the backends' answers found their flows by port
#      (drop.snat_noflow at most a few retransmissions after a flow's
#      linger); SIGTERM stops synwall with status 0 after its final
#      counters.
#   i. exhaustion: synwall again, with snat_ports of $EXH_PORTS ports only;
#      $EXH_N connections $EXH_CONC at a time (each port then held 200 ms
#      after its close, so they run out): some are refused, each with a
#      RST (the client sees a reset, never a hang), lb.snat_no_port
#      counts them (at least as many as failed), the rest answered;
#      afterwards every port is free again and a new connection works.
# On any failure synwall's log is printed (last 300 lines).
#
# Safety: everything runs in namespaces named for this run and removed at
# exit (traps, also on failure); only processes started here are stopped,
# by PID.
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
SNAT4=198.51.100.2
SNAT6=2001:db8:100::2
SNAT_LO=20000
SNAT_HI=21023			# 1024 local ports
PLAIN_PORT=8080
DIST4_N=300
DIST6_N=150
REUSE_N=2500			# with the others, every port used 2-3 times
EXH_PORTS=32			# i.: so few that a burst runs out
EXH_N=300
EXH_CONC=32
PLAIN_N=100
RELOAD_OK_RE='reload.*\b(applied|done|succeeded|ok)\b|\breloaded\b'
RELOAD_BAD_RE='reload.*\b(refused|rejected|failed|error|invalid)\b'

CONF=""
SYNWALL_LOG=""
SYNWALL_PID=""
declare -gA START_LINES=()	# access log lines per backend at a phase start

# ---------------------------------------------------------------- helpers

# snat_conf FILE PLAIN_NAT [SNAT_HI]: synwall's config for this test.
snat_conf()
{
	local file=$1 plain_nat=$2 hi=${3:-$SNAT_HI}
	cat >"$file.tmp" <<-EOF
	; written by ${SW_NAME:-synwall} (run $SW_RUN_ID): source NAT, plain nat = $plain_nat
	[synwall]
	mode = lb
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
	syn_timeout_ms = 200
	syn_retries = 3
	linger_ms = 200
	closing_timeout = 3

	[lb]
	outside_address = $SW_LB_OUT4/24, $SW_LB_OUT6/64
	outside_gateway = $SW_LB_GW4, $SW_LB_GW6
	inside_address = $SW_LB_IN4/24, $SW_LB_IN6/64
	snat_address = $SNAT4, $SNAT6
	snat_ports = $SNAT_LO-$hi
	neigh_entries = 256
	health_interval_ms = 500
	health_timeout_ms = 300
	health_fall = 2
	health_rise = 2

	[service:web]
	prefix = $SW_LB_VIP4, $SW_LB_VIP6
	ports = $SW_LB_PORT
	backends = ${SW_LB_IP4[b1]}, ${SW_LB_IP4[b2]}
	backends = ${SW_LB_IP6[b1]}, ${SW_LB_IP6[b2]}
	nat = snat

	[service:plain]
	prefix = $SW_LB_VIP4, $SW_LB_VIP6
	ports = $PLAIN_PORT
	backends = ${SW_LB_IP4[b3]}:$SW_LB_PORT, [${SW_LB_IP6[b3]}]:$SW_LB_PORT
	nat = $plain_nat
	EOF
	mv -f "$file.tmp" "$file"
}

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

# dist TAG v4|v6 N PORT [CONC [MAXFAIL]]: lb_clients.py dist to the VIP's
# PORT /name, fresh source ports; its report in $SW_TMP/TAG.out.
dist()
{
	local tag=$1 fam=$2 n=$3 port=$4 sport rc=0 out=$SW_TMP/$1.out
	sw_lb_ports sport "$n"
	sw_ns_exec "$SW_NS_CLIENT" timeout 600 "$SW_PYTHON" "$SW_LB_CLIENTS" dist \
		"$(sw_lb_vip "$fam")" "$port" /name "$n" "$sport" "${5:-16}" 5 \
		"$(sw_lb_client_ip "$fam")" "${6:-50}" >"$out" 2>"$out.err" || rc=$?
	echo "$rc" >"$SW_TMP/$tag.rc"
	sw_log "$tag: $(tr '\n' ' ' <"$out")"
}

dist_all_ok()
{
	local out=$SW_TMP/$1.out ok fail
	ok=$(val "$out" ok) fail=$(val "$out" fail)
	((ok == $2 && fail == 0)) && return 0
	sw_diag "$1: $ok ok, $fail failed of $2"
	sed 's/^/#   /' "$out.err" 2>/dev/null | head -n 6
	return 1
}

# dist_only TAG NAME...: every connection of TAG landed on one of NAMEs,
# and each of them got some.
dist_only()
{
	local tag=$1 out=$SW_TMP/$1.out b n rc=0
	shift
	for b in "${SW_LB_NAMES[@]}"; do
		n=$(val "$out" backend "$b")
		if [[ " $* " == *" $b "* ]]; then
			sw_at_least "$tag: connections on $b" "$n" 1 || rc=1
		else
			sw_is_eq "$tag: connections on $b" "$n" 0 || rc=1
		fi
	done
	return "$rc"
}

# curl_vip v4|v6 PORT PATH: the body, from the client.
curl_vip()
{
	local url="http://$SW_LB_VIP4:$2$3"
	[[ $1 == v6 ]] && url="http://[$SW_LB_VIP6]:$2$3"
	sw_ns_exec "$SW_NS_CLIENT" curl -gsS --max-time 30 "$url"
}

# name_is v4|v6 PORT WANT...: curl /name answers one of WANT.
name_is()
{
	local got
	got=$(curl_vip "$1" "$2" /name 2>&1) || true
	[[ " ${*:3} " == *" $got "* ]] && return 0
	sw_diag "curl $1 :$2/name: '$got', expected one of ${*:3}"
	return 1
}

# file_exact v4|v6: /file through web is byte for byte what nginx serves.
file_exact()
{
	local got
	got=$(curl_vip "$1" "$SW_LB_PORT" /file | sha256sum | cut -d' ' -f1)
	[[ $got == "$SW_LB_FILE_SHA256" ]] && return 0
	sw_diag "/file over $1: sha256 $got, expected $SW_LB_FILE_SHA256"
	return 1
}

# log_mark: START_LINES[bN] = lines in each backend's access log now.
log_mark()
{
	local b f
	for b in "${SW_LB_NAMES[@]}"; do
		f=$SW_TMP/nginx-$b/access.log
		START_LINES[$b]=$( [[ -f $f ]] && wc -l <"$f" || echo 0)
	done
}

# log_sources NAME: the client addresses NAME's nginx logged since
# log_mark, "ADDR COUNT" per line.
log_sources()
{
	tail -n +$((${START_LINES[$1]:-0} + 1)) "$SW_TMP/nginx-$1/access.log" 2>/dev/null |
		awk '{ n[$1]++ } END { for (a in n) print a, n[a] }' | sort
}

# logged_only NAME ADDR...: since log_mark, NAME logged requests, all
# from the ADDRs.
logged_only()
{
	local b=$1 a n total=0 rc=0
	shift
	while read -r a n; do
		[[ -z $a ]] && continue
		total=$((total + n))
		[[ " $* " == *" $a "* ]] && continue
		sw_diag "$b logged $n requests from $a (expected only $*)"
		rc=1
	done < <(log_sources "$b")
	((total > 0)) || { sw_diag "$b logged no request"; rc=1; }
	return "$rc"
}

# stat NAME: synwall's counter NAME now (empty when not published).
stat()
{
	sw_synwall_stats "$SW_LB_PREFIX" >/dev/null 2>&1 || return 0
	echo "${SW_STATS[$1]:-}"
}

# stat_is NAME WANT: the counter is WANT (waiting a little for gauges).
stat_is()
{
	sw_wait_for "[[ \$(stat $1) == $2 ]]" 5 0.3 && return 0
	sw_diag "$1 = $(stat "$1"), expected $2"
	return 1
}

log_lines()
{
	wc -l <"$SYNWALL_LOG"
}

log_since()
{
	tail -n +$(($1 + 1)) "$SYNWALL_LOG" | grep -Eiq -- "$2"
}

reload_applied()
{
	log_since "$1" "$RELOAD_OK_RE" && ! log_since "$1" "$RELOAD_BAD_RE"
}

# ------------------------------------------------------------------ phases

phase_routes()
{
	local l="a. routes"
	sw_check "$l: b1 has no IPv4 route to the client" \
		eval "! ip -n ${SW_LB_NS[b1]} route get $SW_LB_CLIENT_IP4 >/dev/null 2>&1"
	sw_check "$l: b1 has no IPv6 route to the client" \
		eval "! ip -n ${SW_LB_NS[b1]} -6 route get $SW_LB_CLIENT_IP6 >/dev/null 2>&1"
}

phase_http()
{
	local l="b. HTTP through source NAT"
	dist b4 v4 "$DIST4_N" "$SW_LB_PORT"
	dist b6 v6 "$DIST6_N" "$SW_LB_PORT"
	sw_check "$l: $DIST4_N IPv4 connections all answered" dist_all_ok b4 "$DIST4_N"
	sw_check "$l: ... by b1 and b2 only" dist_only b4 b1 b2
	sw_check "$l: $DIST6_N IPv6 connections all answered" dist_all_ok b6 "$DIST6_N"
	sw_check "$l: ... by b1 and b2 only" dist_only b6 b1 b2
	sw_check "$l: curl http://$SW_LB_VIP4/name" name_is v4 "$SW_LB_PORT" b1 b2
	sw_check "$l: curl http://[$SW_LB_VIP6]/name" name_is v6 "$SW_LB_PORT" b1 b2
	l="c. byte-exact"
	sw_check "$l: /file ($SW_LB_FILE_SIZE bytes) over IPv4: sha256 matches" file_exact v4
	sw_check "$l: /file over IPv6: sha256 matches" file_exact v6
	l="d. the backends see synwall"
	sw_check "$l: b1 logged requests from $SNAT4 and $SNAT6 only" \
		logged_only b1 "$SNAT4" "$SNAT6"
	sw_check "$l: b2 logged requests from $SNAT4 and $SNAT6 only" \
		logged_only b2 "$SNAT4" "$SNAT6"
}

phase_reuse()
{
	local l="e. port reuse" n=$((SNAT_HI - SNAT_LO + 1)) c0 c1 old0 old1
	c0=$(stat flow.created) old0=$(stat flow.old_ack_rst)
	dist e4 v4 "$REUSE_N" "$SW_LB_PORT" 8
	c1=$(stat flow.created) old1=$(stat flow.old_ack_rst)
	sw_log "$l: flow.created ${c0:-?} -> ${c1:-?}, flow.old_ack_rst ${old0:-?} -> ${old1:-?} (backends' TIME_WAIT met on a reused port)"
	sw_check "$l: $REUSE_N connections through $n local ports all answered ($(val "$SW_TMP/e4.out" ms) ms)" \
		dist_all_ok e4 "$REUSE_N"
	sw_check "$l: flows made: at least $REUSE_N (every port used more than once)" \
		sw_at_least "flow.created grew by" $((${c1:-0} - ${c0:-0})) "$REUSE_N"
	sw_check "$l: no client refused for want of a port (lb.snat_no_port)" \
		stat_is lb.snat_no_port 0
	sw_check "$l: once they are over, every local port is free (lb.snat_active)" \
		stat_is lb.snat_active 0
}

phase_plain()
{
	local l="f. DNAT next door"
	log_mark
	dist f4 v4 "$PLAIN_N" "$PLAIN_PORT"
	dist f6 v6 20 "$PLAIN_PORT"
	sw_check "$l: $PLAIN_N IPv4 connections to port $PLAIN_PORT all answered" \
		dist_all_ok f4 "$PLAIN_N"
	sw_check "$l: 20 IPv6 ones too" dist_all_ok f6 20
	sw_check "$l: ... by b3 only" dist_only f4 b3
	sw_check "$l: b3 logged them from the client's own addresses" \
		logged_only b3 "$SW_LB_CLIENT_IP4" "$SW_LB_CLIENT_IP6"
}

# hold_plain TAG: a long download of /big from port 8080 (b3) in the
# background; HOLD_PID. Returns once it holds it.
hold_plain()
{
	local tag=$1 sport ready=$SW_TMP/$1.ready
	sw_lb_ports sport 20
	rm -f "$ready"
	sw_spawn "$SW_TMP/$tag.out" ip netns exec "$SW_NS_CLIENT" timeout 150 \
		"$SW_PYTHON" "$SW_LB_CLIENTS" hold "$SW_LB_VIP4" "$PLAIN_PORT" /big \
		"$SW_LB_BIG_SHA256" "$SW_LB_BIG_SIZE" "b3=1" "$ready" "$sport" 20 120 \
		"$SW_LB_CLIENT_IP4"
	HOLD_PID=$SW_SPAWNED_PID
	sw_wait_for "[[ -e $ready ]] || ! sw_alive $HOLD_PID" 40 0.1 || true
	sw_log "$tag: $(cat "$ready" 2>/dev/null || echo 'not ready')"
}

hold_intact()
{
	local rc=0
	sw_wait_for "! sw_alive $HOLD_PID" 130 0.3 || true
	sw_alive "$HOLD_PID" && sw_stop_pid "$HOLD_PID" 5
	wait "$HOLD_PID" 2>/dev/null || rc=$?
	grep -q '^download .* ok ' "$SW_TMP/$1.out" && ((rc == 0)) && return 0
	sw_diag "$1: exit status $rc"
	sed 's/^/#   /' "$SW_TMP/$1.out" | head -n 8
	return 1
}

phase_reload()
{
	local l="g. reload: plain's nat dnat -> snat" lines
	synwall_running || { sw_check "$l: synwall still running" false; return 0; }
	hold_plain g-hold
	sw_check "$l: a long download runs on b3 (nat = dnat)" \
		grep -q '^held b3' "$SW_TMP/g-hold.ready"
	snat_conf "$CONF" snat
	lines=$(log_lines)
	kill -HUP "$SYNWALL_PID" 2>/dev/null || true
	sw_check "$l: the log says the reload was applied" \
		sw_wait_for "reload_applied $lines" 5 0.2
	log_mark
	dist g4 v4 40 "$PLAIN_PORT"
	sw_check "$l: new connections to port $PLAIN_PORT all answered" dist_all_ok g4 40
	sw_check "$l: ... and b3 logged them from the snat_address" \
		logged_only b3 "$SNAT4"
	sw_check "$l: the download started before completes byte-exact (its flow kept its NAT)" \
		hold_intact g-hold
}

# tel_has COMMAND TEXT...: the telemetry answer holds every TEXT.
tel_has()
{
	local j t rc=0
	j=$(sw_telemetry "$SW_LB_PREFIX" "$1") || { sw_diag "no answer to $1"; return 1; }
	for t in "${@:2}"; do
		grep -qF -- "$t" <<<"$j" && continue
		sw_diag "$1 lacks $t"
		rc=1
	done
	return "$rc"
}

phase_telemetry()
{
	local l="h. telemetry"
	sw_check "$l: /synwall/config shows snat_address, snat_ports and each service's nat" \
		tel_has /synwall/config "\"snat_address\": \"$SNAT4, $SNAT6\"" \
		"\"snat_ports\": \"$SNAT_LO-$SNAT_HI\"" "\"nat\": \"snat\""
	sw_check "$l: /synwall/stats has lb.snat_active, lb.snat_no_port, drop.snat_noflow" \
		tel_has /synwall/stats '"snat_active"' '"snat_no_port"' '"snat_noflow"'
}

# only_resets TAG: every failure of dist TAG was a reset by synwall.
only_resets()
{
	local err=$SW_TMP/$1.out.err n
	n=$(grep -v '^\.\.\. [0-9]* more errors$' "$err" 2>/dev/null |
		grep -cv 'reset by peer') || true
	((${n:-0} == 0)) && return 0
	sw_diag "$1: failures other than resets:"
	grep -v 'reset by peer' "$err" | grep -v '^\.\.\. [0-9]* more errors$' |
		head -n 4 | sed 's/^/#   /'
	return 1
}

phase_exhaustion()
{
	local l="i. exhaustion ($EXH_PORTS ports)" ok fail refused
	snat_conf "$CONF" dnat $((SNAT_LO + EXH_PORTS - 1))
	SYNWALL_LOG=$SW_TMP/synwall-lb-snat-exh.log
	if ! sw_lb_synwall_start "$CONF" "$SYNWALL_LOG" ||
			! sw_wait_for "probe $SW_LB_PORT" 20 0.5; then
		sw_check "$l: synwall starts again, with $EXH_PORTS local ports" false
		return 0
	fi
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_check "$l: synwall starts again, with $EXH_PORTS local ports" true
	dist i4 v4 "$EXH_N" "$SW_LB_PORT" "$EXH_CONC" "$EXH_N"
	ok=$(val "$SW_TMP/i4.out" ok) fail=$(val "$SW_TMP/i4.out" fail)
	refused=$(stat lb.snat_no_port)
	sw_log "$l: $ok answered, $fail failed, lb.snat_no_port ${refused:-?}"
	sw_check "$l: the burst ran out of ports: some connections refused ($fail)" \
		sw_at_least "failed connections" "$fail" 1
	sw_check "$l: ... each refused with a RST, none hung" only_resets i4
	sw_check "$l: ... and counted: lb.snat_no_port ${refused:-?} >= $fail" \
		sw_at_least "lb.snat_no_port" "${refused:-0}" "$fail"
	sw_check "$l: the others answered ($ok of $EXH_N)" \
		sw_is_eq "answered + failed" $((ok + fail)) "$EXH_N"
	sw_check "$l: afterwards every port is free again (lb.snat_active)" \
		stat_is lb.snat_active 0
	sw_check "$l: and a new connection is answered" probe "$SW_LB_PORT"
	sw_synwall_stop_checks "$l" "$SYNWALL_PID" "$SYNWALL_LOG"
}

show_synwall_log()
{
	[[ -n $SYNWALL_LOG && -f $SYNWALL_LOG ]] || return 0
	sw_log "synwall's log ($SYNWALL_LOG, last 300 lines):"
	tail -n 300 "$SYNWALL_LOG" | sed 's/^/#   /' >&"$SW_LOGFD"
}

finish()
{
	((SW_FAIL == 0)) || show_synwall_log
	sw_checks_done
}

probe()
{
	local sport
	sw_lb_ports sport 1
	sw_ns_exec "$SW_NS_CLIENT" timeout 10 "$SW_PYTHON" "$SW_LB_CLIENTS" dist \
		"$SW_LB_VIP4" "$1" /name 1 "$sport" 1 2 "$SW_LB_CLIENT_IP4" >/dev/null 2>&1
}

main()
{
	local t0 b
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-lb-snat
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip curl nginx ss dpdk-telemetry.py sha256sum
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "lb mode needs synwall, not a stand-in"
	t0=$(sw_now_ms)

	sw_lb_topo_up
	# b1 and b2 answer nobody but their own link: source NAT or nothing.
	for b in b1 b2; do
		ip -n "${SW_LB_NS[$b]}" route del default
		ip -n "${SW_LB_NS[$b]}" -6 route del default
	done
	sw_lb_web_start || sw_die "nginx does not start in the backends"
	log_mark

	CONF=$SW_TMP/synwall-lb-snat.conf
	SYNWALL_LOG=$SW_TMP/synwall-lb-snat.log
	snat_conf "$CONF" dnat
	if ! sw_lb_synwall_start "$CONF" "$SYNWALL_LOG"; then
		sw_check "synwall starts in lb mode with source NAT" false
		finish
		return
	fi
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_check "synwall starts in lb mode with source NAT" true
	if ! sw_wait_for "probe $SW_LB_PORT && probe $PLAIN_PORT" 20 0.5; then
		sw_check "start: a connection to each service is answered" false
		finish
		return
	fi
	sw_check "start: a connection to each service is answered" true

	phase_routes
	phase_http
	phase_reuse
	phase_plain
	phase_reload
	phase_telemetry

	if ((${SW_LB_QPAIRS:-1} > 1)); then
		sw_synwall_stats "$SW_LB_PREFIX" >/dev/null 2>&1 || true
		sw_check "end: packets were steered between workers (flow.steered ${SW_STATS[flow.steered]:-missing})" \
			sw_at_least "flow.steered" "${SW_STATS[flow.steered]:-0}" 1
	fi
	sw_synwall_stats "$SW_LB_PREFIX" >/dev/null 2>&1 || true
	# A backend's answer to a local port reaches the flow that holds it
	# (with two workers, whichever worker got it): none missed, but
	# for a retransmission after its flow lingered out now and then.
	sw_check "end: backends' answers found their flows (drop.snat_noflow ${SW_STATS[drop.snat_noflow]:-missing} of ${SW_STATS[flow.created]:-?} flows)" \
		sw_in_range "drop.snat_noflow" "${SW_STATS[drop.snat_noflow]:-999}" 0 10
	sw_log "end: lb.snat_active ${SW_STATS[lb.snat_active]:-?}, lb.snat_no_port ${SW_STATS[lb.snat_no_port]:-?}, drop.snat_noflow ${SW_STATS[drop.snat_noflow]:-?}, flow.old_ack_rst ${SW_STATS[flow.old_ack_rst]:-?}, flow.steered ${SW_STATS[flow.steered]:-?}"
	sw_synwall_stop_checks "end" "$SYNWALL_PID" "$SYNWALL_LOG"
	phase_exhaustion
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	finish
}

main "$@"
