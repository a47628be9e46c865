#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_prometheus.sh [SYNWALL_BIN]: synwall-exporter (app/synwall-exporter)
# scraped by a real Prometheus server (Debian's prometheus) with
# config/prometheus/synwall.rules.yml loaded, on the standard inline
# topology (scripts/topo.sh: client -- synwall, two workers on
# net_af_packet -- nginx). The exporter and Prometheus run in the client
# namespace on 127.0.0.1 (the telemetry socket is a file: it does not
# care which namespace synwall runs in); the exporter reads two prefixes:
# P1, the inline synwall, and P2, which is absent until phase d.
# Helpers: tests/e2e/prom_check.py (its own telemetry reader, the
# Prometheus HTTP API).
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   start. synwall, the exporter and Prometheus start; Prometheus scrapes
#      the exporter (target up); the rules file loads, every rule healthy.
#   a. /metrics, read directly: synwall_up 1 for P1, 0 for P2 and no other
#      series of P2; counters typed counter and named _total, gauges not;
#      every series has prefix; worker labels 0..workers-1; side
#      outside/inside; drops by reason; flow table entries / capacity
#      per family.
#   b. a spoofed SYN flood (trafgen, sources in 198.18.0.0/15, at most
#      $FLOOD_COUNT SYNs / $FLOOD_LIMIT s) with real connect()s during
#      it, synwall's totals sampled every 0.2 s on the side
#      (prom_check.py sample): PromQL's
#      sum(rate(synwall_syncookie_syn_rx_total[${W}s])) at a time T in the
#      flood is within $TOL % of the same rate computed from the sampled
#      counter at the timestamps of the scrapes Prometheus used (like
#      with like: a late or missed scrape moves both);
#      sum(synwall_syncookie_cookie_ok_total) at T within $TOL % of the
#      sample at its scrape's timestamp; after the flood,
#      the last scraped syn_rx and cookie_ok sums equal telemetry (within
#      $TOL %); the recording rule prefix:synwall_syncookie_syn_rx:rate1m
#      has a value for P1.
#   c. synwall restarts: SIGTERM; the exporter, same PID, answers with
#      synwall_up 0 for P1 and no counters of P1; Prometheus shows
#      synwall_up 0 and SynwallDown pending; synwall starts again on the
#      same prefix: synwall_up 1, cookie_ok back (from 0: the new
#      connect only), Prometheus sees the counter reset; the exporter's
#      log has no traceback.
#   d. telemetry's limits: P2, an lb-mode synwall with $LB_N backends in
#      three services (none reachable): every reply of /synwall/backends
#      (paged by "next"), /synwall/backends,SERVICE, /synwall/config (and
#      ,service_NAME), /synwall/stats and /synwall/ports stays under 16 KB
#      and 256 entries; the pages list every backend once; each service's
#      config section lists all its backends; Prometheus counts
#      $LB_N synwall_backend_up series of P2 with the right service split;
#      SynwallBackendDown is pending or firing for P2; the largest reply
#      the exporter saw is under 16 KB.
#   end. SIGTERM stops the exporter (status 0) within 5 s.
#
# Safety: everything runs in namespaces named for this run and removed at
# exit (traps, also on failure); Prometheus listens on 127.0.0.1 in the
# client namespace and keeps its data in the run's temp dir; spoofed
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
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux prometheus
	python3-prometheus-client)
EXPORTER=$SW_ROOT/app/synwall-exporter/synwall-exporter
RULES=$SW_ROOT/config/prometheus/synwall.rules.yml
CHECK=$SW_ROOT/tests/e2e/prom_check.py
EXP_ADDR=127.0.0.1:9478
PROM_ADDR=127.0.0.1:9090
PROM=http://$PROM_ADDR
FLOOD_RATE=4000		# SYNs/s asked (an inter-packet gap: less in practice)
FLOOD_COUNT=90000	# at most this many ...
FLOOD_LIMIT=45		# ... for at most this long (s)
W=12			# PromQL rate window, s (6 scrapes)
TOL=10			# % between Prometheus and synwall's own counters
LB_N4=253		# phase d: IPv4 backends of "web"
LB_N6=400		# ... IPv6 backends of "api"
LB_N6P=347		# ... IPv6 backends with a port of "mail"
LB_N=$((LB_N4 + LB_N6 + LB_N6P))

EXPORTER_PID=""
EXPORTER_LOG=""
P2=""

# ---------------------------------------------------------------- helpers

# pc ARGS...: prom_check.py in the client namespace (where Prometheus
# listens).
pc()
{
	sw_ns_exec "$SW_NS_CLIENT" "$SW_PYTHON" "$CHECK" "$@"
}

# promq EXPR [TIME]: the value of an instant query's only result (empty
# when none).
promq()
{
	{ pc query "$PROM" "$@" 2>/dev/null || true; } | awk 'NR == 1 { print $NF }'
}

# near DESC GOT WANT: GOT within $TOL % of WANT (numbers may be fractions).
near()
{
	if awk -v g="$2" -v w="$3" -v t="$TOL" 'BEGIN {
		d = g - w; if (d < 0) d = -d
		exit !(g != "" && w != "" && d <= w * t / 100) }'; then
		return 0
	fi
	sw_diag "$1: Prometheus ${2:-nothing}, synwall ${3:-nothing} (more than $TOL % apart)"
	return 1
}

# synwall_conf FILE: the inline config, idle workers sleeping (the two
# workers, the exporter and Prometheus share 2 CPUs).
synwall_conf()
{
	SW_IDLE=adaptive sw_synwall_conf "$1" pass 0
}

# start_synwall: synwall with two workers (lcores 0@0,1@1,2@0, af_packet
# qpairs=2) on prefix $SYNWALL_PREFIX; SYNWALL_PID.
start_synwall()
{
	SW_SYNWALL_LCORES="--lcores 0@0,1@1,2@0" sw_synwall_start "$SW_NS_SYNWALL" \
		"$SYNWALL_PREFIX" "$SW_TMP/synwall.conf" "$SYNWALL_LOG" \
		--no-huge -m 256 \
		--vdev "net_af_packet0,iface=$SW_IF_OUT,qpairs=2,framecnt=4096" \
		--vdev "net_af_packet1,iface=$SW_IF_IN,qpairs=2,framecnt=4096"
	SYNWALL_PID=$SW_SYNWALL_PID
	sw_dpdk_wait_ready "$SYNWALL_PID" "$SYNWALL_PREFIX" /synwall/stats \
		"$SYNWALL_LOG" 30
}

start_exporter()
{
	EXPORTER_LOG=$SW_TMP/exporter.log
	sw_spawn "$EXPORTER_LOG" ip netns exec "$SW_NS_CLIENT" "$EXPORTER" \
		--listen "$EXP_ADDR" --timeout 1.5 \
		--file-prefix "$SYNWALL_PREFIX" --file-prefix "$P2"
	EXPORTER_PID=$SW_SPAWNED_PID
	SW_DIAG_LOGS+=("$EXPORTER_LOG")
	sw_wait_for "sw_ns_exec $SW_NS_CLIENT curl -sf -o /dev/null --max-time 2 http://$EXP_ADDR/metrics" 15 0.3
}

# start_prometheus: scrapes the exporter every 2 s (a flood on these 2
# CPUs can make synwall's telemetry thread wait for one), evaluates the
# rules every second; data in the temp dir.
start_prometheus()
{
	local dir=$SW_TMP/prometheus
	mkdir -p "$dir/data"
	cat >"$dir/prometheus.yml" <<-EOF
	# written by $SW_NAME (run $SW_RUN_ID)
	global:
	  scrape_interval: 2s
	  scrape_timeout: 2s
	  evaluation_interval: 1s
	rule_files:
	  - $RULES
	scrape_configs:
	  - job_name: synwall
	    static_configs:
	      - targets: ['$EXP_ADDR']
	EOF
	sw_spawn "$dir/prometheus.log" ip netns exec "$SW_NS_CLIENT" prometheus \
		--config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" \
		--storage.tsdb.retention.time=1h \
		--web.listen-address="$PROM_ADDR" \
		--log.level=warn
	SW_DIAG_LOGS+=("$dir/prometheus.log")
	sw_wait_for "sw_ns_exec $SW_NS_CLIENT curl -sf -o /dev/null --max-time 2 $PROM/-/ready" 60 0.5
}

# target_up: Prometheus' synwall target was scraped, healthy.
target_up()
{
	pc targets "$PROM" 2>/dev/null | grep -q '^synwall up '
}

# rules_ok: both groups of the rules file loaded, every rule evaluated
# healthy.
rules_ok()
{
	local out
	out=$(pc rules "$PROM" 2>/dev/null) || return 1
	grep -q '^synwall.rules ' <<<"$out" && grep -q '^synwall.alerts ' <<<"$out" &&
		! awk '$4 != "ok"' <<<"$out" | grep -q .
}

rules_checked()
{
	sw_wait_for rules_ok 15 0.5 && return 0
	pc rules "$PROM" 2>&1 | awk '$4 != "ok"' | head -n 5 | sed 's/^/# /'
	return 1
}

# alert_active NAME PREFIX: alert NAME is pending or firing for PREFIX.
alert_active()
{
	pc alerts "$PROM" 2>/dev/null |
		grep -E "^$1 (pending|firing) .*prefix=$2(,|$)" >/dev/null
}

# metrics_say PATTERN: the exporter's /metrics has a line matching PATTERN.
metrics_say()
{
	local out
	out=$(sw_ns_exec "$SW_NS_CLIENT" curl -sf --max-time 5 "http://$EXP_ADDR/metrics") ||
		return 1
	grep -Eq "$1" <<<"$out"
}

# telemetry_total NAME: synwall's syncookie counter NAME summed (telemetry;
# empty when it does not answer).
telemetry_total()
{
	sw_synwall_stats "$SYNWALL_PREFIX" || return 0
	echo "${SW_STATS[syncookie.$1]:-}"
}

# p1_counters_absent: the exporter's /metrics answers, without any
# counter of P1.
p1_counters_absent()
{
	local out
	out=$(sw_ns_exec "$SW_NS_CLIENT" curl -sf --max-time 5 "http://$EXP_ADDR/metrics") ||
		return 1
	grep -q '^synwall_up' <<<"$out" &&
		! grep -q "^synwall_[a-z_]*_total{prefix=\"$SYNWALL_PREFIX\",worker" <<<"$out"
}

# no_problems OUT: prom_check.py's OUT says ok and has no "bad" line.
no_problems()
{
	grep -q '^ok ' <<<"$1" || return 1
	sw_is_eq "problems" "$(grep -c '^bad ' <<<"$1" || true)" 0
}

# pages_ok OUT: prom_check.py pages walked the backends and found nothing
# wrong.
pages_ok()
{
	grep -q '^backends ' <<<"$1" && ! grep -q '^bad ' <<<"$1"
}

# backend_labels: ADDR for a backend on the VIP's port, [ADDR6]:PORT for
# one with its own.
backend_labels()
{
	local n
	n=$(promq "count(synwall_backend_up{prefix=\"$P2\",backend=\"[2001:db8:100::2000]:2525\",service=\"mail\"}) + count(synwall_backend_up{prefix=\"$P2\",backend=\"198.51.100.2\",service=\"web\"})")
	sw_is_eq "series with those labels" "${n:-0}" 2
}

# exporter_same: the exporter still runs, and never logged a traceback.
exporter_same()
{
	sw_alive "$EXPORTER_PID" && ! grep -q Traceback "$EXPORTER_LOG"
}

# ------------------------------------------------------------------ phases

phase_exposition()
{
	local l="a. /metrics" out
	out=$(pc exposition "http://$EXP_ADDR/metrics" "$SYNWALL_PREFIX" "$P2" 2>&1) || true
	sed -n 's/^bad /# /p' <<<"$out"
	sw_check "$l: names, types, prefix / worker / side / reason / family labels; P2 absent: synwall_up 0, nothing else" \
		no_problems "$out"
}

phase_flood()
{
	local l="b. flood" samples=$SW_TMP/telemetry-samples.log t_start t_end t got ref
	local out
	local connects=0 ts ok s0 s1 sampler
	sw_spawn "$SW_TMP/sampler.log" ip netns exec "$SW_NS_CLIENT" "$SW_PYTHON" \
		"$CHECK" sample "$SYNWALL_PREFIX" "$samples" $((FLOOD_LIMIT + 20)) 0.2
	sampler=$SW_SPAWNED_PID
	sleep 2
	t_start=$(date +%s.%N)
	sw_topo_flood_start syn "$FLOOD_COUNT" "$FLOOD_RATE" "$FLOOD_LIMIT"
	# Real clients during the flood: cookie_ok moves too.
	while sw_alive "$SW_FLOOD_PID" && ((connects < 400)); do
		sw_topo_connect "$SW_SERVER_IP4" "$SW_PROTECTED_PORT" 5 2>/dev/null &&
			connects=$((connects + 1))
		sleep 0.05
	done
	sw_topo_flood_wait
	t_end=$(date +%s.%N)
	sw_log "$l: trafgen sent $SW_FLOOD_SENT SYNs in $(awk -v a="$t_start" -v b="$t_end" \
		'BEGIN { printf "%.1f", b - a }') s; $connects connects completed"
	# T: 1.5 s before the flood ended, the window [T-W, T] well inside
	# it (counters far from 0 at its start: no extrapolation to zero).
	t=$(awk -v b="$t_end" 'BEGIN { printf "%.3f", b - 1.5 }')
	if awk -v a="$t_start" -v t="$t" -v w="$W" 'BEGIN { exit !(t - w < a + 5) }'; then
		sw_check "$l: the flood lasted over $((W + 7)) s (a rate window inside it)" false
		return 0
	fi
	sleep 3	# Prometheus has the scrapes after T
	# PromQL's rate() against synwall's own counter at the same scrape
	# timestamps, extrapolated as Prometheus does (prom_check.py rate).
	out=$(pc rate "$PROM" "$SYNWALL_PREFIX" "$samples" "$t" "$W" 2>&1) || true
	got=$(awk '$1 == "prom_rate" { print $2 }' <<<"$out")
	ref=$(awk '$1 == "ref_rate" { print $2 }' <<<"$out")
	grep '^#' <<<"$out" || true
	sw_log "$l: SYN rate at T: PromQL rate() $got/s; synwall's counter at the same" \
		"scrapes ($(awk '$1 == "scrapes" { print $2 " in " $3 " s" }' <<<"$out")): $ref/s;" \
		"over the window: $({ pc window "$samples" "$t" "$W" || true; } | awk '{ print $2 }')/s"
	sw_check "$l: PromQL SYN rate over ${W}s within $TOL % of synwall's counter at the same scrapes (${got:-?} vs ${ref:-?}/s)" \
		near "SYN rate" "$got" "$ref"
	sw_check "$l: the SYN rate is the flood's, not nothing (${got:-?}/s > 500)" \
		awk -v g="${got:-0}" 'BEGIN { exit !(g > 500) }'
	# cookie_ok as last scraped at T, against synwall at that scrape.
	got=$(promq "sum(synwall_syncookie_cookie_ok_total{prefix=\"$SYNWALL_PREFIX\"})" "$t")
	ts=$(promq "max(timestamp(synwall_syncookie_cookie_ok_total{prefix=\"$SYNWALL_PREFIX\"}))" "$t")
	ok=$({ pc at "$samples" "${ts:-0}" || true; } | awk '$1 == "ref_ok" { print $2 }')
	sw_log "$l: cookie_ok scraped at $ts: Prometheus $got, synwall $ok"
	sw_check "$l: cookie_ok last scraped before T within $TOL % of synwall's at that scrape (${got:-?} vs ${ok:-?})" \
		near "cookie_ok" "$got" "$ok"
	sw_check "$l: connect()s completed during the flood ($connects)" \
		sw_at_least "connects" "$connects" 20
	# After the flood: the counters stand still; the last scrape = synwall.
	sleep 2
	s0=$(telemetry_total syn_rx)
	s1=$(telemetry_total cookie_ok)
	got=$(promq "sum(synwall_syncookie_syn_rx_total{prefix=\"$SYNWALL_PREFIX\"})")
	sw_check "$l: syn_rx last scraped = synwall's ($s0) within $TOL %" near "syn_rx" "$got" "$s0"
	got=$(promq "sum(synwall_syncookie_cookie_ok_total{prefix=\"$SYNWALL_PREFIX\"})")
	sw_check "$l: cookie_ok last scraped = synwall's ($s1) within $TOL %" near "cookie_ok" "$got" "$s1"
	got=$(promq "prefix:synwall_syncookie_syn_rx:rate1m{prefix=\"$SYNWALL_PREFIX\"}" "$t")
	sw_check "$l: recording rule prefix:synwall_syncookie_syn_rx:rate1m has a rate for P1 (${got:-none})" \
		awk -v g="${got:-0}" 'BEGIN { exit !(g > 0) }'
	sw_stop_pid "$sampler" 3 || true
}

phase_restart()
{
	local l="c. restart" got
	sw_stop_pid "$SYNWALL_PID" 10 || true
	sw_check "$l: the exporter (PID $EXPORTER_PID) answers synwall_up 0 for P1 once it is gone" \
		sw_wait_for "metrics_say '^synwall_up\\{prefix=\"$SYNWALL_PREFIX\"\\} 0'" 5 0.3
	sw_check "$l: ... and no counters of P1 meanwhile" p1_counters_absent
	sw_check "$l: Prometheus: synwall_up{prefix=P1} = 0" \
		sw_wait_for "[[ \$(promq 'synwall_up{prefix=\"$SYNWALL_PREFIX\"}') == 0 ]]" 10 0.5
	sw_check "$l: Prometheus: SynwallDown pending for P1" \
		sw_wait_for "alert_active SynwallDown $SYNWALL_PREFIX" 10 0.5
	if ! start_synwall; then
		sw_check "$l: synwall starts again on the same prefix" false
		return 0
	fi
	sw_check "$l: synwall starts again on the same prefix" true
	sw_check "$l: Prometheus: synwall_up{prefix=P1} = 1 again" \
		sw_wait_for "[[ \$(promq 'synwall_up{prefix=\"$SYNWALL_PREFIX\"}') == 1 ]]" 15 0.5
	sw_topo_connect "$SW_SERVER_IP4" "$SW_PROTECTED_PORT" 5 || true
	sw_wait_for "[[ \$(telemetry_total cookie_ok) -ge 1 ]]" 3 0.2 || true
	got=$(telemetry_total cookie_ok)
	sw_check "$l: metrics back: Prometheus' cookie_ok = synwall's after the restart ($got)" \
		sw_wait_for "[[ \$(promq 'sum(synwall_syncookie_cookie_ok_total{prefix=\"$SYNWALL_PREFIX\"})') == $got ]]" 10 0.5
	sw_check "$l: Prometheus sees the counters reset (resets(syn_rx) >= 1)" \
		awk -v g="$(promq "sum(resets(synwall_syncookie_syn_rx_total{prefix=\"$SYNWALL_PREFIX\"}[2m]))")" \
		'BEGIN { exit !(g >= 1) }'
	sw_check "$l: the exporter is still the same process (PID $EXPORTER_PID), no traceback" \
		exporter_same
}

# lb_conf FILE: three services, $LB_N backends that do not exist; fast
# health checks (they all fail: ARP gets no answer).
lb_conf()
{
	local i line n
	{
		cat <<-EOF
		; written by $SW_NAME (run $SW_RUN_ID): telemetry's limits
		[synwall]
		mode = lb
		log_level = notice
		stats_interval = 0
		[ports]
		outside = 0
		inside = 1
		[worker]
		mbufs = 8192
		flows = 16384
		flows6 = 16384
		idle = adaptive
		[lb]
		outside_address = 203.0.113.1/24, 2001:db8:203::1/64
		outside_gateway = 203.0.113.254, 2001:db8:203::fe
		inside_address = 198.51.100.1/24, 2001:db8:100::1/64
		health_interval_ms = 500
		health_timeout_ms = 300
		health_fall = 2
		[service:web]
		prefix = 203.0.113.10
		ports = 80
		EOF
		# rte_cfgfile keeps 255 characters of a value: the key repeats.
		lb_lines 2 "$LB_N4" 12 '198.51.100.%d'
		printf '[service:api]\nprefix = 2001:db8:203::11\nports = 443\n'
		lb_lines $((0x1000)) "$LB_N6" 12 '2001:db8:100::%x'
		printf '[service:mail]\nprefix = 2001:db8:203::12\nports = 25\n'
		lb_lines $((0x2000)) "$LB_N6P" 9 '[2001:db8:100::%x]:2525'
	} >"$1"
}

# lb_lines FIRST N PER FORMAT: N backends from FIRST, PER a line.
lb_lines()
{
	local first=$1 n=$2 per=$3 fmt=$4 i line=""
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2059 # the format is the caller's
		line+="${line:+, }$(printf "$fmt" $((first + i)))"
		if (((i + 1) % per == 0 || i + 1 == n)); then
			echo "backends = $line"
			line=""
		fi
	done
}

phase_limits()
{
	local l="d. limits" conf=$SW_TMP/lb.conf log=$SW_TMP/synwall-lb.log out pid
	local mem=(--no-huge -m 256)
	# Two more wires from synwall's namespace, to peers with no address.
	sw_veth "$SW_NS_SYNWALL" lb_out "$SW_NS_CLIENT" lbc
	sw_veth "$SW_NS_SYNWALL" lb_in "$SW_NS_SERVER" lbs
	lb_conf "$conf"
	SW_SYNWALL_LCORES="-l 0,1" sw_synwall_start "$SW_NS_SYNWALL" "$P2" "$conf" "$log" \
		"${mem[@]}" --vdev net_af_packet0,iface=lb_out --vdev net_af_packet1,iface=lb_in
	pid=$SW_SYNWALL_PID
	if ! sw_dpdk_wait_ready "$pid" "$P2" /synwall/stats "$log" 30; then
		sw_check "$l: lb synwall with $LB_N backends starts" false
		return 0
	fi
	sw_check "$l: lb synwall with $LB_N backends starts" true
	out=$(sw_ns_exec "$SW_NS_CLIENT" "$SW_PYTHON" "$CHECK" pages "$P2" 2>&1) || true
	sed -n 's/^bad /# /p' <<<"$out"
	sw_log "$l: replies (bytes, entries): $(awk '$1 == "reply" { printf "%s %s/%s  ", $2, $3, $4 }' <<<"$out" | cut -c1-600)"
	sw_log "$l: largest reply $(awk '$1 == "reply" && $3 > m { m = $3 } END { print m }' <<<"$out") bytes," \
		"/synwall/config truncated: $(awk '$1 == "config_truncated" { print $2 }' <<<"$out")"
	sw_check "$l: every reply under 16 KB and 256 entries, no backend twice, unknown service refused" \
		pages_ok "$out"
	sw_check "$l: /synwall/backends pages list all $LB_N backends" \
		sw_is_eq "backends listed" "$(awk '$1 == "backends" { print $2 }' <<<"$out")" "$LB_N"
	sw_check "$l: /synwall/backends,SERVICE: web $LB_N4, api $LB_N6, mail $LB_N6P" \
		sw_is_eq "per service" "$(awk '$1 == "service" { printf "%s=%s ", $2, $3 }' <<<"$out")" \
		"api=$LB_N6 mail=$LB_N6P web=$LB_N4 "
	sw_check "$l: /synwall/config,service_NAME lists every backend" \
		sw_is_eq "in the config sections" "$(awk '$1 == "config_backends" { printf "%s=%s ", $2, $3 }' <<<"$out")" \
		"api=$LB_N6 mail=$LB_N6P web=$LB_N4 "
	sw_check "$l: Prometheus: synwall_up{prefix=P2} = 1" \
		sw_wait_for "[[ \$(promq 'synwall_up{prefix=\"$P2\"}') == 1 ]]" 15 0.5
	sw_check "$l: Prometheus counts $LB_N synwall_backend_up series of P2" \
		sw_wait_for "[[ \$(promq 'count(synwall_backend_up{prefix=\"$P2\"})') == $LB_N ]]" 10 0.5
	sw_check "$l: ... by service: api $LB_N6, mail $LB_N6P, web $LB_N4" \
		sw_is_eq "by service" "$(pc query "$PROM" "count by (service) (synwall_backend_up{prefix=\"$P2\"})" |
			sort | awk '{ printf "%s ", $0 }')" \
		"service=api $LB_N6 service=mail $LB_N6P service=web $LB_N4 "
	sw_check "$l: backend label ADDR, or [ADDR6]:PORT for a backend port" backend_labels
	sw_check "$l: SynwallBackendDown pending or firing for P2 (nothing answers)" \
		sw_wait_for "alert_active SynwallBackendDown $P2" 20 0.5
	sw_check "$l: the largest reply the exporter read is under 16 KB ($(promq 'max(synwall_telemetry_reply_bytes)') bytes)" \
		awk -v g="$(promq 'max(synwall_telemetry_reply_bytes)')" 'BEGIN { exit !(g > 0 && g <= 16384 - 200) }'
	sw_log "$l: exporter scrape of P2 took $(promq "synwall_scrape_duration_seconds{prefix=\"$P2\"}") s," \
		"of P1 $(promq "synwall_scrape_duration_seconds{prefix=\"$SYNWALL_PREFIX\"}") s"
	sw_stop_pid "$pid" 10 || true
}

main()
{
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-prometheus
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool curl nginx trafgen prometheus dpdk-telemetry.py
	"$SW_PYTHON" -c 'import prometheus_client' 2>/dev/null ||
		sw_skip "no prometheus_client module for $SW_PYTHON"
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "the exporter reads synwall's telemetry, not a stand-in's"

	sw_topo_up
	sw_topo_web_start
	sw_dpdk_prefix SYNWALL_PREFIX synwall
	sw_dpdk_prefix P2 lb
	SYNWALL_LOG=$SW_TMP/synwall.log
	synwall_conf "$SW_TMP/synwall.conf"
	if ! start_synwall; then
		sw_check "start: synwall starts (2 workers)" false
		sw_checks_done
		return
	fi
	sw_check "start: synwall starts (2 workers)" true
	if ! start_exporter; then
		sw_check "start: synwall-exporter answers on $EXP_ADDR" false
		sw_checks_done
		return
	fi
	sw_check "start: synwall-exporter answers on $EXP_ADDR" true
	if ! start_prometheus; then
		sw_check "start: Prometheus is ready" false
		sw_checks_done
		return
	fi
	sw_check "start: Prometheus is ready" true
	sw_check "start: Prometheus scrapes the exporter (target up)" \
		sw_wait_for target_up 20 0.5
	sw_check "start: config/prometheus/synwall.rules.yml loads, every rule healthy" \
		rules_checked
	phase_exposition
	phase_flood
	phase_restart
	phase_limits
	sw_check "end: SIGTERM stops the exporter with status 0 within 5 s" \
		sw_stop_pid "$EXPORTER_PID" 5
	sw_checks_done
}

main "$@"
