#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/topo.sh: the standard inline topology, shared by scripts/demo and
# the e2e tests, which source this file (it then only defines functions).
#
#   [client ns]                 [synwall ns]                 [server ns]
#   eth0 192.0.2.10/24  ==veth== w_out  synwall  w_in ==veth== eth0 192.0.2.80/24
#        2001:db8::10/64        (outside)      (inside)           2001:db8::80/64
#                                                             nginx :80
#
# The synwall namespace holds only the two wires (no addresses, IPv6 off so
# its kernel sends nothing into them); the DPDK processes run there.
#
# Run directly, it builds the topology with nginx for hands-on work, prints
# how to use it (and a synwall config) and holds it until Ctrl-C or --hold
# SECONDS (default 300), then removes everything, stopping what still runs
# in its namespaces:
#	sudo scripts/topo.sh [--hold SECONDS]

SW_CLIENT_IP4=192.0.2.10
SW_CLIENT_IP6=2001:db8::10
SW_SERVER_IP4=192.0.2.80
SW_SERVER_IP6=2001:db8::80
SW_IF_OUT=w_out		# synwall's outside wire (towards the client)
SW_IF_IN=w_in		# synwall's inside wire (towards the server)

# sw_topo_up: the three namespaces and the two wires. Sets SW_NS_CLIENT,
# SW_NS_SYNWALL, SW_NS_SERVER and SW_SERVER_MAC / SW_CLIENT_MAC.
sw_topo_up()
{
	sw_ns_add SW_NS_CLIENT client
	sw_ns_add SW_NS_SYNWALL synwall
	sw_ns_add SW_NS_SERVER server
	sw_ns_exec "$SW_NS_SYNWALL" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null

	sw_veth "$SW_NS_SYNWALL" "$SW_IF_OUT" "$SW_NS_CLIENT" eth0
	sw_veth "$SW_NS_SYNWALL" "$SW_IF_IN" "$SW_NS_SERVER" eth0

	ip -n "$SW_NS_CLIENT" addr add "$SW_CLIENT_IP4/24" dev eth0
	ip -n "$SW_NS_CLIENT" addr add "$SW_CLIENT_IP6/64" dev eth0 nodad
	ip -n "$SW_NS_SERVER" addr add "$SW_SERVER_IP4/24" dev eth0
	ip -n "$SW_NS_SERVER" addr add "$SW_SERVER_IP6/64" dev eth0 nodad

	SW_CLIENT_MAC=$(sw_if_mac "$SW_NS_CLIENT" eth0)
	SW_SERVER_MAC=$(sw_if_mac "$SW_NS_SERVER" eth0)
	sw_log "topology up: $SW_NS_CLIENT ($SW_CLIENT_MAC) -- $SW_NS_SYNWALL -- $SW_NS_SERVER ($SW_SERVER_MAC)"
}

# sw_topo_web_start: nginx in the server namespace, on 192.0.2.80:80 and
# [2001:db8::80]:80, serving from $SW_TMP/www: /file ($SW_WEB_SIZE random
# bytes, default 2 MiB + 1234 so that the last segment is not full; its
# sha256 in SW_WEB_SHA256) and /index.html (small).
# Everything nginx writes (pid, logs, temp files) stays in $SW_TMP/nginx.
sw_topo_web_start()
{
	local size=${SW_WEB_SIZE:-$((2 * 1024 * 1024 + 1234))}
	local www=$SW_TMP/www dir=$SW_TMP/nginx
	mkdir -p "$www" "$dir"
	head -c "$size" /dev/urandom >"$www/file"
	SW_WEB_SIZE=$size
	SW_WEB_SHA256=$(sha256sum "$www/file" | cut -d' ' -f1)
	echo "<html><body>synwall test page, run $SW_RUN_ID</body></html>" \
		>"$www/index.html"

	cat >"$dir/nginx.conf" <<-EOF
	# written by ${SW_NAME:-synwall} (run $SW_RUN_ID)
	daemon off;
	master_process on;
	worker_processes 1;
	user root;
	pid $dir/nginx.pid;
	error_log $dir/error.log notice;
	events { worker_connections 256; }
	http {
		access_log $dir/access.log;
		client_body_temp_path $dir/body;
		proxy_temp_path $dir/proxy;
		fastcgi_temp_path $dir/fastcgi;
		uwsgi_temp_path $dir/uwsgi;
		scgi_temp_path $dir/scgi;
		default_type application/octet-stream;
		sendfile on;
		keepalive_timeout 5;
		server {
			listen $SW_SERVER_IP4:80;
			listen [$SW_SERVER_IP6]:80;
			root $www;
		}
	}
	EOF
	sw_spawn "$dir/stderr.log" ip netns exec "$SW_NS_SERVER" \
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
	SW_NGINX_PID=$SW_SPAWNED_PID
	# Ready when it answers on both addresses, asked from its own namespace
	# (so nothing crosses synwall yet).
	if ! sw_wait_for "sw_ns_exec $SW_NS_SERVER curl -gsf -o /dev/null --max-time 1 http://$SW_SERVER_IP4/index.html &&
		sw_ns_exec $SW_NS_SERVER curl -gsf -o /dev/null --max-time 1 http://[$SW_SERVER_IP6]/index.html" 10; then
		sw_log_tail "$dir/error.log"
		sw_log_tail "$dir/stderr.log"
		return 1
	fi
	sw_log "nginx up (PID $SW_NGINX_PID), /file is $size bytes, sha256 ${SW_WEB_SHA256:0:16}..."
}

# sw_topo_url v4|v6 [PATH]: the server's URL for PATH (default /file).
sw_topo_url()
{
	if [[ $1 == v6 ]]; then
		echo "http://[$SW_SERVER_IP6]${2:-/file}"
	else
		echo "http://$SW_SERVER_IP4${2:-/file}"
	fi
}

# sw_topo_fetch URL OUT [MAX_TIME]: curl URL from the client namespace into
# OUT (bounded by MAX_TIME seconds, default 30).
sw_topo_fetch()
{
	sw_ns_exec "$SW_NS_CLIENT" curl -gsS --fail --connect-timeout 5 \
		--max-time "${3:-30}" -o "$2" "$1"
}

# sw_topo_fetch_verify URL: fetch /file from the client and compare its
# sha256 with what nginx serves; prints diagnostics on failure.
sw_topo_fetch_verify()
{
	local out=$SW_TMP/fetch.$RANDOM sum
	if ! sw_topo_fetch "$1" "$out" 2>"$out.err"; then
		sw_diag "curl $1 failed: $(tr '\n' ' ' <"$out.err")"
		rm -f "$out" "$out.err"
		return 1
	fi
	sum=$(sha256sum "$out" | cut -d' ' -f1)
	rm -f "$out" "$out.err"
	if [[ $sum != "$SW_WEB_SHA256" ]]; then
		sw_diag "curl $1: sha256 $sum, expected $SW_WEB_SHA256"
		return 1
	fi
}

# sw_topo_ping ADDR [COUNT [DEADLINE]]: ping ADDR from the client; succeeds
# when at least one reply came back (COUNT probes 0.2 s apart, default 3;
# gives up after DEADLINE seconds, default COUNT + 2).
sw_topo_ping()
{
	local count=${2:-3}
	sw_ns_exec "$SW_NS_CLIENT" ping -q -n -c "$count" -i 0.2 -W 1 \
		-w "${3:-$((count + 2))}" "$1" >/dev/null 2>&1
}

# sw_topo_neigh_mac NS ADDR: the link-layer address NS has learnt for ADDR.
sw_topo_neigh_mac()
{
	ip -n "$1" neigh show "$2" dev eth0 |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p' | head -n 1
}

# sw_topo_neigh_flush: forget neighbours on both hosts, so that the next
# packets need ARP / neighbour discovery across synwall again.
sw_topo_neigh_flush()
{
	ip -n "$SW_NS_CLIENT" neigh flush dev eth0 2>/dev/null || true
	ip -n "$SW_NS_SERVER" neigh flush dev eth0 2>/dev/null || true
}

# sw__topo_neigh_is_server ADDR: the client resolved ADDR to the server's
# own MAC, i.e. ARP / neighbour discovery crossed synwall unchanged.
sw__topo_neigh_is_server()
{
	local mac
	mac=$(sw_topo_neigh_mac "$SW_NS_CLIENT" "$1")
	[[ $mac == "$SW_SERVER_MAC" ]] && return 0
	sw_diag "client's neighbour entry for $1: '${mac:-none}', server's MAC $SW_SERVER_MAC"
	return 1
}

# sw_topo_ping_fails ADDR: no echo reply to 5 probes in 2 s.
sw_topo_ping_fails()
{
	! sw_topo_ping "$1" 5 2
}

# sw_topo_traffic_checks LABEL: prove traffic crosses synwall both ways,
# IPv4 and IPv6: ping, ARP / ND resolve to the real server, HTTP file
# transfer byte-exact (port 80 is a protected service, so it is proxied).
sw_topo_traffic_checks()
{
	local l=$1
	sw_check "$l: IPv4 ping client -> $SW_SERVER_IP4 crosses" \
		sw_topo_ping "$SW_SERVER_IP4"
	sw_check "$l: ARP crossed: client's neighbour $SW_SERVER_IP4 = server MAC" \
		sw__topo_neigh_is_server "$SW_SERVER_IP4"
	sw_check "$l: IPv6 ping client -> $SW_SERVER_IP6 crosses" \
		sw_topo_ping "$SW_SERVER_IP6"
	sw_check "$l: ND crossed: client's neighbour $SW_SERVER_IP6 = server MAC" \
		sw__topo_neigh_is_server "$SW_SERVER_IP6"
	sw_check "$l: HTTP over IPv4: $SW_WEB_SIZE-byte file, sha256 matches" \
		sw_topo_fetch_verify "$(sw_topo_url v4)"
	sw_check "$l: HTTP over IPv6: $SW_WEB_SIZE-byte file, sha256 matches" \
		sw_topo_fetch_verify "$(sw_topo_url v6)"
}

# ---------------------------------------------- standalone: hold a topology

sw__topo_main()
{
	local hold=300 root prefix
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	while (($#)); do
		case $1 in
		--hold) hold=${2:?--hold needs seconds}; shift 2 ;;
		-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; return 0 ;;
		*) echo "usage: $0 [--hold SECONDS]" >&2; return 2 ;;
		esac
	done
	((hold > 0 && hold <= 3600)) || { echo "--hold: 1..3600" >&2; return 2; }
	# shellcheck source=scripts/lib/common.sh
	. "$root/scripts/lib/common.sh"
	sw_need_root --sudo --hold "$hold"
	sw_init topo
	sw_topo_up
	sw_topo_web_start
	sw_dpdk_prefix prefix synwall
	sw_synwall_conf "$SW_TMP/synwall.conf" pass
	cat <<-EOF

	Topology ready. In ${hold}s or on Ctrl-C it is removed, stopping whatever
	still runs in its namespaces.
	  client : ip netns exec $SW_NS_CLIENT bash      # curl -g http://[$SW_SERVER_IP6]/file
	  synwall: ip netns exec $SW_NS_SYNWALL $root/build/app/synwall/synwall \\
	             -l 0,1 --no-huge -m 256 --file-prefix $prefix \\
	             --vdev net_af_packet0,iface=$SW_IF_OUT --vdev net_af_packet1,iface=$SW_IF_IN \\
	             -- -c $SW_TMP/synwall.conf
	  server : ip netns exec $SW_NS_SERVER bash      # nginx serves $SW_TMP/www
	EOF
	sw_spawn /dev/null sleep "$hold"
	wait "$SW_SPAWNED_PID" || true
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	sw__topo_main "$@"
fi
