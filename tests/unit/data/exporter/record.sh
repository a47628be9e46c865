#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# record.sh [SYNWALL_BIN]: (re)record the telemetry replies that
# tests/unit/test_exporter.py parses, from real synwall instances, with
# synwall-exporter --record (one scrape's replies, as JSON):
#
#   inline-2workers.json  inline mode on scripts/topo.sh, two workers
#       (lcores 0@0,1@1,2@0, af_packet qpairs=2): 6 connect()s to the
#       protected port, HTTP through port 80 and 8080, then bounded
#       spoofed floods (trafgen: 2000 SYNs, 500 random ACKs, sources in
#       198.18.0.0/15).
#   lb-pages.json  lb mode on scripts/topo_lb.sh: b1..b3 up (IPv4 and
#       IPv6, weights 1:2:3) plus 120 backends that do not exist, spread
#       over two services so that /synwall/backends takes three pages;
#       30 requests to the VIPs.
#
# Root; everything in namespaces named for the run, removed at exit.
#   sudo tests/unit/data/exporter/record.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SW_ROOT=$(cd "$HERE/../../../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo_lb.sh
. "$SW_ROOT/scripts/topo_lb.sh"

EXPORTER=$SW_ROOT/app/synwall-exporter/synwall-exporter

# record PREFIX FILE: one scrape's replies, read from the client namespace.
record()
{
	sw_ns_exec "$SW_NS_CLIENT" "$EXPORTER" --file-prefix "$1" --record "$2"
	sw_log "recorded $2 ($(wc -c <"$2") bytes)"
}

record_inline()
{
	local conf=$SW_TMP/synwall.conf log=$SW_TMP/synwall.log prefix i
	sw_topo_up
	sw_topo_web_start
	sw_synwall_conf "$conf" pass 0
	sw_dpdk_prefix prefix inline
	SW_SYNWALL_LCORES="--lcores 0@0,1@1,2@0" sw_synwall_start "$SW_NS_SYNWALL" \
		"$prefix" "$conf" "$log" --no-huge -m 256 \
		--vdev "net_af_packet0,iface=$SW_IF_OUT,qpairs=2,framecnt=4096" \
		--vdev "net_af_packet1,iface=$SW_IF_IN,qpairs=2,framecnt=4096"
	sw_dpdk_wait_ready "$SW_SYNWALL_PID" "$prefix" /synwall/stats "$log" 30
	for ((i = 0; i < 6; i++)); do
		sw_topo_connect "$SW_SERVER_IP4" "$SW_PROTECTED_PORT" 5 || true
	done
	sw_topo_fetch "$(sw_topo_url v4 /file "$SW_PROTECTED_PORT")" /dev/null || true
	sw_topo_fetch "$(sw_topo_url v6 /index.html "$SW_PROTECTED_PORT")" /dev/null || true
	sw_topo_fetch "$(sw_topo_url v4)" /dev/null || true
	sw_topo_flood syn 2000 5000 10
	sw_topo_flood ack 500 5000 10
	sleep 1
	record "$prefix" "$HERE/inline-2workers.json"
	sw_stop_pid "$SW_SYNWALL_PID" 10 || true
}

# lb_lines FIRST N FORMAT: N backends from FIRST, 8 a line (rte_cfgfile
# keeps 255 characters of a value; the key repeats).
lb_lines()
{
	local i line=""
	for ((i = 0; i < $2; i++)); do
		# shellcheck disable=SC2059 # the format is the caller's
		line+="${line:+, }$(printf "$3" $(($1 + i)))"
		if (((i + 1) % 8 == 0 || i + 1 == $2)); then
			echo "backends = $line"
			line=""
		fi
	done
}

record_lb()
{
	local conf=$SW_TMP/lb.conf log=$SW_TMP/synwall-lb.log i
	sw_lb_topo_up
	sw_lb_web_start b1 b2 b3
	sw_lb_conf "$conf"
	{
		lb_lines 100 60 '198.51.100.%d'
		lb_lines $((0x100)) 20 '2001:db8:100::%x'
		printf '\n[service:api]\nprefix = 203.0.113.11, 2001:db8:203::11\nports = 443\n'
		lb_lines 160 20 '198.51.100.%d:8443'
		lb_lines $((0x200)) 20 '[2001:db8:100::%x]:8443'
	} >>"$conf"
	sw_lb_synwall_start "$conf" "$log"
	sleep 2
	for ((i = 0; i < 25; i++)); do
		sw_ns_exec "$SW_NS_CLIENT" curl -gsf -o /dev/null --max-time 3 \
			"$(sw_lb_url v4)" || true
	done
	for ((i = 0; i < 5; i++)); do
		sw_ns_exec "$SW_NS_CLIENT" curl -gsf -o /dev/null --max-time 3 \
			"$(sw_lb_url v6)" || true
	done
	sleep 2
	record "$SW_LB_PREFIX" "$HERE/lb-pages.json"
	sw_stop_pid "$SW_SYNWALL_PID" 10 || true
}

main()
{
	# shellcheck disable=SC2034 # read by scripts/lib/synwall.sh
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init record-exporter
	sw_require_cmds ip ethtool curl nginx trafgen
	record_inline
	# The lb topology has namespaces of the same names: a second run.
	sw_cleanup
	sw_init record-exporter
	record_lb
}

main "$@"
