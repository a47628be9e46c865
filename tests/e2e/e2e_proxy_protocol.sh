#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_proxy_protocol.sh [SYNWALL_BIN]: the PROXY protocol to backends, lb
# mode (scripts/topo_lb.sh: client -- synwall -- bridge -- b1), VIPs
# 203.0.113.10 / 2001:db8:203::10:
#   port 8001 proxy_protocol = v1, 8002 v2 -> nginx on b1 with
#       "listen ... proxy_protocol" logging $proxy_protocol_addr and
#       $proxy_protocol_port;
#   port 8003 v2, 8004 v1 -> scripts/lib/pp_banner.py on b1, a server that
#       reads the header and speaks first.
# Checks, each "ok - NAME" / "not ok - NAME":
#   nginx, v1 and v2 x IPv4 and IPv6: /file fetched byte-exact through the
#     VIP, and nginx logged the client's own address and source port;
#   banner, v1 and v2 x IPv4 and IPv6: the client reads the banner before
#     writing anything; it names the client's address and port; the
#     answer to the client's line comes;
#   flow.pp_header_tx counts one header per connection; synwall stops
#     cleanly.
# PP_NAT=snat (the e2e_proxy_protocol_snat variant) runs the services
# with nat = snat, the PROXY protocol's use case: the connection reaches
# nginx from synwall's snat_address (nginx's $remote_addr is checked to
# be it), the header still names the client.
# Safety: as e2e_lb.sh (namespaces named for this run, removed at exit
# also on failure; synwall inside its namespace; only processes started
# here are stopped, by PID). Exit: 0 all passed, 1 a check failed, 77
# skipped.
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
BANNER=$SW_ROOT/scripts/lib/pp_banner.py
declare -gA PP_VER=([8001]=v1 [8002]=v2 [8003]=v2 [8004]=v1)
PP_NAT=${PP_NAT:-dnat}
CONNS=0

# pp_conf FILE: the lb config with b1 only, and the four services.
pp_conf()
{
	local p
	sw_lb_conf "$1" "b1=1"
	for p in 8001 8002 8003 8004; do
		cat >>"$1" <<-EOF

		[service:pp$p]
		prefix = $SW_LB_VIP4, $SW_LB_VIP6
		ports = $p
		proxy_protocol = ${PP_VER[$p]}
		nat = $PP_NAT
		backends = ${SW_LB_IP4[b1]}:$p, [${SW_LB_IP6[b1]}]:$p
		EOF
	done
}

# pp_nginx_start: nginx on b1, ports 8001 and 8002 (both families), the
# PROXY protocol expected, its addresses logged to $SW_TMP/ppng/pp.log.
pp_nginx_start()
{
	local dir=$SW_TMP/ppng ns=${SW_LB_NS[b1]} p l=""
	mkdir -p "$dir"
	for p in 8001 8002; do
		l+="listen ${SW_LB_IP4[b1]}:$p proxy_protocol; "
		l+="listen [${SW_LB_IP6[b1]}]:$p proxy_protocol; "
	done
	cat >"$dir/nginx.conf" <<-EOF
	daemon off;
	worker_processes 1;
	user root;
	pid $dir/nginx.pid;
	error_log $dir/error.log notice;
	events { worker_connections 256; }
	http {
		log_format pp '\$server_port \$proxy_protocol_addr \$proxy_protocol_port \$remote_addr';
		access_log $dir/pp.log pp;
		client_body_temp_path $dir/body;
		proxy_temp_path $dir/proxy;
		fastcgi_temp_path $dir/fastcgi;
		uwsgi_temp_path $dir/uwsgi;
		scgi_temp_path $dir/scgi;
		sendfile on;
		server { $l root $SW_TMP/lbwww; }
	}
	EOF
	sw_spawn "$dir/stderr.log" ip netns exec "$ns" \
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
	sw_wait_for "sw_ns_exec $ns ss -Htln 'sport = :8002' | grep -q LISTEN" 10
}

# pp_banner_start: the banner server on b1, ports 8003 and 8004.
pp_banner_start()
{
	local ns=${SW_LB_NS[b1]} p a
	for p in 8003 8004; do
		for a in "${SW_LB_IP4[b1]}" "${SW_LB_IP6[b1]}"; do
			sw_spawn "$SW_TMP/banner-$p-${a//:/_}.log" ip netns exec "$ns" \
				python3 "$BANNER" server "$a" "$p"
		done
	done
	sw_wait_for "[[ \$(sw_ns_exec $ns ss -Htln 'sport = :8004' | grep -c LISTEN) == 2 ]]" 10
}

# fetch_check PORT FAM LPORT: /file through the VIP from source port LPORT,
# byte-exact, and nginx's log names the client and LPORT.
fetch_check()
{
	local port=$1 fam=$2 lport=$3 vip ip out=$SW_TMP/file-$1-$2 got from
	vip=$(sw_lb_vip "$fam")
	ip=$(sw_lb_client_ip "$fam")
	[[ $fam == v6 ]] && vip="[$vip]"
	CONNS=$((CONNS + 1))
	sw_ns_exec "$SW_NS_CLIENT" curl -gsf --max-time 20 --local-port "$lport" \
		-o "$out" "http://$vip:$port/file" || { sw_diag "curl failed"; return 1; }
	got=$(sha256sum "$out" | cut -d' ' -f1)
	[[ $got == "$SW_LB_FILE_SHA256" ]] || { sw_diag "sha256 $got"; return 1; }
	# The connection comes from the client itself (dnat) or from synwall's
	# snat_address, its inside_address here (snat).
	from=$ip
	if [[ $PP_NAT == snat ]]; then
		from=$SW_LB_IN4
		[[ $fam == v6 ]] && from=$SW_LB_IN6
	fi
	sw_wait_for "grep -q '^$port $ip $lport $from\$' $SW_TMP/ppng/pp.log" 3 0.2 || {
		sw_diag "nginx logged: $(tail -n 2 "$SW_TMP/ppng/pp.log" | tr '\n' '|')"
		return 1
	}
}

# banner_check PORT FAM: the client reads the banner first; it names the
# client's address and port; the answer comes.
banner_check()
{
	local port=$1 fam=$2 vip out=$SW_TMP/banner-$1-$2.out me
	vip=$(sw_lb_vip "$fam")
	CONNS=$((CONNS + 1))
	sw_ns_exec "$SW_NS_CLIENT" python3 "$BANNER" client "$vip" "$port" \
		>"$out" 2>&1 || { sw_diag "client: $(tr '\n' '|' <"$out")"; return 1; }
	me=$(awk '$1 == "me" { print $2, $3 }' "$out")
	grep -qx "banner 220 $me" "$out" || { sw_diag "$(tr '\n' '|' <"$out")"; return 1; }
}

main()
{
	local port fam lport=41000 tx
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_init e2e-pp
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	sw_require_cmds ip ethtool curl nginx ss python3 dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "the PROXY protocol needs synwall, not a stand-in"

	sw_lb_topo_up
	sw_lb_web_start b1 || sw_die "nginx does not start in b1"
	pp_nginx_start || sw_die "the PROXY protocol nginx does not start"
	pp_banner_start || sw_die "the banner server does not start"

	pp_conf "$SW_TMP/synwall-pp.conf"
	if ! sw_lb_synwall_start "$SW_TMP/synwall-pp.conf" "$SW_TMP/synwall-pp.log"; then
		sw_check "synwall starts in lb mode" false
		sw_checks_done
		return
	fi
	sw_check "synwall starts in lb mode" true
	# b1 up for every service (health checks), then a connection works.
	sw_wait_for "sw_ns_exec $SW_NS_CLIENT curl -sf --max-time 1 -o /dev/null $(sw_lb_url v4)" 20 0.5 || true

	for port in 8001 8002; do
		for fam in v4 v6; do
			lport=$((lport + 1))
			sw_check "nginx ${PP_VER[$port]} $fam ($PP_NAT): /file byte-exact, \$proxy_protocol_addr/port the client's" \
				fetch_check "$port" "$fam" "$lport"
		done
	done
	for port in 8003 8004; do
		for fam in v4 v6; do
			sw_check "server speaks first, ${PP_VER[$port]} $fam: banner before the client writes, naming the client" \
				banner_check "$port" "$fam"
		done
	done
	sw_synwall_stats "$SW_LB_PREFIX" >/dev/null 2>&1 || true
	tx=${SW_STATS[flow.pp_header_tx]:-0}
	sw_check "flow.pp_header_tx $tx: one header per connection ($CONNS)" \
		sw_is_eq "flow.pp_header_tx" "$tx" "$CONNS"
	sw_synwall_stop_checks "end" "$SW_SYNWALL_PID" "$SW_TMP/synwall-pp.log"
	((SW_FAIL == 0)) || sw_log_tail "$SW_TMP/synwall-pp.log"
	sw_checks_done
}

main "$@"
