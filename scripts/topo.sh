#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/topo.sh: the standard inline topology, shared by scripts/demo and
# the e2e tests, which source this file (it then only defines functions).
#
#   [client ns]                 [synwall ns]                 [server ns]
#   eth0 192.0.2.10/24  ==veth== w_out  synwall  w_in ==veth== eth0 192.0.2.80/24
#        2001:db8::10/64        (outside)      (inside)           2001:db8::80/64
#                                                             nginx :80, :8080
#
# synwall's config (sw_synwall_conf in lib/synwall.sh) protects the server's
# port 8080 ($SW_PROTECTED_PORT): synwall answers its handshakes itself
# with SYN cookies. Port 80 is unprotected and passes through, which is
# where the HTTP transfers are checked end to end.
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
# Audits the SYN-ACKs in a capture (ack, flags, options, checksums, MACs).
SW_SYNACK_CHECK=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/synack_check.py

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

# sw_nginx_conf DIR CONNECTIONS KEEPALIVE SERVER: DIR/nginx.conf for a
# test nginx (one master, one worker, run as root) that keeps everything
# it writes (pid, logs, temp files) in DIR, with worker_connections,
# keepalive_timeout and one server block whose body is SERVER. Shared
# with scripts/topo_lb.sh's backends.
sw_nginx_conf()
{
	local dir=$1
	cat >"$dir/nginx.conf" <<-EOF
	# written by ${SW_NAME:-synwall} (run $SW_RUN_ID)
	daemon off;
	master_process on;
	worker_processes 1;
	user root;
	pid $dir/nginx.pid;
	error_log $dir/error.log notice;
	events { worker_connections $2; }
	http {
		access_log $dir/access.log;
		client_body_temp_path $dir/body;
		proxy_temp_path $dir/proxy;
		fastcgi_temp_path $dir/fastcgi;
		uwsgi_temp_path $dir/uwsgi;
		scgi_temp_path $dir/scgi;
		default_type application/octet-stream;
		sendfile on;
		keepalive_timeout $3;
		server {
	$4
		}
	}
	EOF
}

# sw_topo_web_start: nginx in the server namespace, on 192.0.2.80 and
# [2001:db8::80], ports 80 and $SW_PROTECTED_PORT, serving from
# $SW_TMP/www: /file ($SW_WEB_SIZE random bytes, default 2 MiB + 1234 so
# that the last segment is not full; its sha256 in SW_WEB_SHA256) and
# /index.html (small).
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

	sw_nginx_conf "$dir" 256 5 "$(cat <<-EOF
		listen $SW_SERVER_IP4:80;
		listen [$SW_SERVER_IP6]:80;
		listen $SW_SERVER_IP4:$SW_PROTECTED_PORT;
		listen [$SW_SERVER_IP6]:$SW_PROTECTED_PORT;
		root $www;
	EOF
	)"
	sw_spawn "$dir/stderr.log" ip netns exec "$SW_NS_SERVER" \
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
	SW_NGINX_PID=$SW_SPAWNED_PID
	# Ready when it answers on both addresses and ports, asked from its
	# own namespace (so nothing crosses synwall yet).
	if ! sw_wait_for "sw_ns_exec $SW_NS_SERVER curl -gsf -o /dev/null --max-time 1 http://$SW_SERVER_IP4/index.html &&
		sw_ns_exec $SW_NS_SERVER curl -gsf -o /dev/null --max-time 1 http://[$SW_SERVER_IP6]/index.html &&
		sw_ns_exec $SW_NS_SERVER curl -gsf -o /dev/null --max-time 1 http://$SW_SERVER_IP4:$SW_PROTECTED_PORT/index.html &&
		sw_ns_exec $SW_NS_SERVER curl -gsf -o /dev/null --max-time 1 http://[$SW_SERVER_IP6]:$SW_PROTECTED_PORT/index.html" 10; then
		sw_log_tail "$dir/error.log"
		sw_log_tail "$dir/stderr.log"
		return 1
	fi
	sw_log "nginx up (PID $SW_NGINX_PID), /file is $size bytes, sha256 ${SW_WEB_SHA256:0:16}..."
}

# sw_topo_url v4|v6 [PATH [PORT]]: the server's URL for PATH (default
# /file) on PORT (default 80, unprotected).
sw_topo_url()
{
	local port=
	[[ -n ${3:-} && $3 != 80 ]] && port=:$3
	if [[ $1 == v6 ]]; then
		echo "http://[$SW_SERVER_IP6]$port${2:-/file}"
	else
		echo "http://$SW_SERVER_IP4$port${2:-/file}"
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
# transfer byte-exact on port 80 (unprotected: it passes through; the
# protected port's handshakes are answered by synwall itself and handed
# off to nginx, which tests/e2e/e2e_relay.sh covers).
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

# ------------------------------------------- handshakes, captures, floods

# sw_topo_connect ADDR PORT [TIMEOUT]: a real Linux connect() from the
# client namespace (tcp_connect.py, TIMEOUT seconds, default 5); succeeds
# when the three-way handshake completed. The socket is then closed with
# an RST (SO_LINGER 0): one segment, no FIN retransmissions left behind to
# disturb the counters of the next check.
sw_topo_connect()
{
	sw_ns_exec "$SW_NS_CLIENT" "$SW_PYTHON" "$SW_LIB_DIR/tcp_connect.py" "$1" "$2" \
		"${3:-5}"
}

# sw__topo_connect_counted ADDR PREFIX: connect() to ADDR on the protected
# port completes and synwall (telemetry PREFIX) counts exactly one more
# valid cookie: the handshake was answered by synwall's SYN cookie.
sw__topo_connect_counted()
{
	local addr=$1 prefix=$2 before after err
	sw_synwall_stats "$prefix" || { sw_diag "no answer from telemetry"; return 1; }
	before=${SW_STATS[syncookie.cookie_ok]:-}
	[[ -n $before ]] || { sw_diag "telemetry has no syncookie.cookie_ok"; return 1; }
	if ! err=$(sw_topo_connect "$addr" "$SW_PROTECTED_PORT" 5 2>&1); then
		sw_diag "$err"
		return 1
	fi
	sw_wait_for "sw_synwall_stats $prefix &&
		((SW_STATS[syncookie.cookie_ok] > $before))" 3 0.2 || true
	after=${SW_STATS[syncookie.cookie_ok]:-$before}
	(( after == before + 1 )) && return 0
	sw_diag "syncookie.cookie_ok went from $before to $after, expected +1"
	return 1
}

# sw_topo_synack_audit PCAP MIN_PAIRS: synack_check.py on a capture taken
# on the client's wire; its report as TAP diagnostics, its figures in the
# associative array SW_AUDIT (syns, synacks, pairs, bad, ...). The Linux
# client is no judge of checksums: veth marks frames that come without
# checksum state as verified, so a wrong sum would go unnoticed.
declare -gA SW_AUDIT=()
sw_topo_synack_audit()
{
	local out rc=0 k v
	out=$("$SW_PYTHON" "$SW_SYNACK_CHECK" "$1" --min-pairs "$2" 2>&1) || rc=$?
	SW_AUDIT=()
	while read -r k v; do
		[[ $k == '#' || -z $k ]] || SW_AUDIT[$k]=$v
	done <<<"$out"
	sw_diag "$(grep -v '^#' <<<"$out" | tr '\n' ' ')"
	grep '^#' <<<"$out" || true
	return "$rc"
}

# sw_topo_protected_checks LABEL PREFIX: the protected port's handshake,
# IPv4 and IPv6, is completed by synwall's SYN cookies (cookie_ok +1 each)
# with well-formed SYN-ACKs (captured on the client's wire, audited).
# What follows (hand-off, relay) is tests/e2e/e2e_relay.sh's business.
sw_topo_protected_checks()
{
	local l=$1 prefix=$2 cap pcap=$SW_TMP/protected-$RANDOM.pcap
	if sw_synwall_is_standin; then
		sw_check_skip "$l: protected port $SW_PROTECTED_PORT: SYN cookies" \
			"testpmd stand-in"
		return 0
	fi
	sw_topo_capture_start cap "$SW_NS_CLIENT" "tcp port $SW_PROTECTED_PORT" "$pcap" ||
		cap=""
	sw_check "$l: connect() to $SW_SERVER_IP4:$SW_PROTECTED_PORT (protected) completes, cookie_ok +1" \
		sw__topo_connect_counted "$SW_SERVER_IP4" "$prefix"
	sw_check "$l: connect() to [$SW_SERVER_IP6]:$SW_PROTECTED_PORT (protected) completes, cookie_ok +1" \
		sw__topo_connect_counted "$SW_SERVER_IP6" "$prefix"
	if [[ -z $cap ]]; then
		sw_check "$l: capture on the client's wire starts" false
		return 0
	fi
	sw_topo_capture_stop "$cap" "$pcap"
	sw_check "$l: synwall's SYN-ACKs are well-formed (ack, options, checksums)" \
		sw_topo_synack_audit "$pcap" 2
}

# sw_topo_http_fails URL: a GET that must not complete (bounded: 3 s).
sw_topo_http_fails()
{
	! sw_ns_exec "$SW_NS_CLIENT" curl -gsf -o /dev/null --connect-timeout 2 \
		--max-time 3 "$1" 2>/dev/null
}

# sw_topo_if_counter NS STAT: the kernel's counter STAT (rx_packets,
# tx_packets, ...) of eth0 in NS.
sw_topo_if_counter()
{
	sw_ns_exec "$1" cat "/sys/class/net/eth0/statistics/$2"
}

# sw_topo_capture_start VAR NS FILTER PCAP: tcpdump on eth0 of NS writing
# the packets that match FILTER to PCAP (first 128 bytes of each), bounded
# by a 300 s timeout; PID in VAR. Returns once tcpdump listens.
# --immediate-mode: without it, packets wait in a TPACKET_V3 block until
# it fills or times out, and a capture stopped early loses them.
sw_topo_capture_start()
{
	local var=$1 ns=$2 filter=$3 pcap=$4 pid
	sw_spawn "$pcap.log" ip netns exec "$ns" timeout -s INT 300 \
		tcpdump -i eth0 -nn -s 128 -B 16384 --immediate-mode -U -w "$pcap" "$filter"
	pid=$SW_SPAWNED_PID
	printf -v "$var" '%s' "$pid"
	if ! sw_wait_for "grep -q 'listening on' $pcap.log || ! sw_alive $pid" 10 0.1 ||
		! sw_alive "$pid"; then
		sw_log_tail "$pcap.log"
		return 1
	fi
}

# sw_topo_capture_stop PID PCAP: stop the capture; SW_CAPTURED is the number
# of packets the filter matched (those in PCAP, or more when tcpdump was
# stopped before it wrote them all) and SW_CAPTURE_DROPPED what the kernel
# dropped.
sw_topo_capture_stop()
{
	local pid=$1 pcap=$2 in_file matched
	# Give packets still in flight (veth, softirq) time to reach the ring,
	# then SIGINT, as timeout -s INT would: tcpdump flushes, tallies, exits.
	sleep 0.5
	kill -INT "$pid" 2>/dev/null || true
	sw_wait_for "! sw_alive $pid" 5 0.1 || sw_stop_pid "$pid" 3 || true
	wait "$pid" 2>/dev/null || true
	in_file=$(tcpdump -nn -r "$pcap" 2>/dev/null | wc -l)
	matched=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter.*/\1/p' \
		"$pcap.log" | tail -n 1)
	SW_CAPTURED=$((in_file > ${matched:-0} ? in_file : ${matched:-0}))
	SW_CAPTURE_DROPPED=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' \
		"$pcap.log" | tail -n 1)
	SW_CAPTURE_DROPPED=${SW_CAPTURE_DROPPED:-0}
}

# sw_topo_trafgen_conf FILE syn|ack: a trafgen (netsniff-ng) packet
# configuration for a spoofed flood from the client's wire to the
# protected service $SW_SERVER_IP4:$SW_PROTECTED_PORT, as raw Ethernet
# frames (source MAC the client's, destination the server's, so that
# synwall's answers come back to the client namespace and die there: it
# has no route to the spoofed sources). Sources are random in
# 198.18.0.0/15 (RFC 2544 benchmarking range, nothing else), source ports
# random in 1024-65535, sequence numbers random.
#   syn: SYNs with Linux's options: MSS 1460, SACK-permitted, timestamps
#        (random TSval), NOP, window scale 7.
#   ack: bare ACKs with random seq/ack, every second one with timestamps
#        (random TSval/TSecr), as a forger guessing cookies would send.
sw_topo_trafgen_conf()
{
	local file=$1 kind=$2 l2 l3 l4
	l2="eth(da=$SW_SERVER_MAC, sa=$SW_CLIENT_MAC)"
	l3="ipv4(sa=198.18.0.1, sa[1]=dinc(18, 19), sa[2:2]=drnd(), da=$SW_SERVER_IP4, id=drnd(), df, ttl=64)"
	l4="sp=drnd(1024, 65535), dp=$SW_PROTECTED_PORT, seq=drnd()"
	case $kind in
	syn)
		cat >"$file" <<-EOF
		{
		  $l2,
		  $l3,
		  tcp($l4, syn, win=64240, hlen=10),
		  0x02, 0x04, c16(1460), 0x04, 0x02, 0x08, 0x0a, drnd(4), c32(0),
		  0x01, 0x03, 0x03, 0x07
		}
		EOF
		;;
	ack)
		cat >"$file" <<-EOF
		{
		  $l2,
		  $l3,
		  tcp($l4, aseq=drnd(), ack, win=502)
		}
		{
		  $l2,
		  $l3,
		  tcp($l4, aseq=drnd(), ack, win=502, hlen=8),
		  0x01, 0x01, 0x08, 0x0a, drnd(4), drnd(4)
		}
		EOF
		;;
	*)
		sw_warn "sw_topo_trafgen_conf: unknown kind '$kind'"
		return 1
		;;
	esac
}

# sw_topo_flood_start syn|ack COUNT RATE SECONDS: send exactly COUNT
# spoofed packets (sw_topo_trafgen_conf) from the client namespace's eth0
# at RATE packets/s at most, in the background; trafgen stops by itself
# after COUNT, and is interrupted after SECONDS whatever happened. PID in
# SW_FLOOD_PID. trafgen is told to leave system settings alone
# (--no-sock-mem: no global socket buffer sysctls; -Q: no IRQ affinity);
# -q sends through the qdisc path, so that a capture on the client's eth0
# sees the flood too. The rate is an inter-packet gap (-t): trafgen's -b
# sends each second's packets in one burst, which overflows the 512-frame
# af_packet ring on synwall's side and loses packets before synwall sees
# them. nanosleep() overshoots, so the real rate is somewhat lower.
# RATE 0 means no gap: as fast as trafgen and the machine go (its TX ring).
sw_topo_flood_start()
{
	local kind=$1 count=$2 rate=$3 secs=$4 cfg gap=()
	cfg=$SW_TMP/flood-$kind.cfg
	SW_FLOOD_LOG=$SW_TMP/flood-$kind.log
	sw_topo_trafgen_conf "$cfg" "$kind" || return 1
	((rate > 0)) && gap=(-t "$((1000000000 / rate))ns")
	sw_log "flood: $count spoofed ${kind^^}s from 198.18.0.0/15 to $SW_SERVER_IP4:$SW_PROTECTED_PORT, <= $( ((rate > 0)) && echo "$rate" || echo 'max') pps, <= ${secs}s"
	sw_spawn "$SW_FLOOD_LOG" ip netns exec "$SW_NS_CLIENT" \
		timeout -s INT -k 5 "$secs" trafgen --no-sock-mem -Q -q -C -P 1 \
		-n "$count" "${gap[@]}" -c "$cfg" -o eth0
	SW_FLOOD_PID=$SW_SPAWNED_PID
}

# sw_topo_flood_wait: wait for the flood to end (bounded by its own
# timeout); SW_FLOOD_SENT is the number of packets trafgen reports sent.
sw_topo_flood_wait()
{
	sw_wait_for "! sw_alive $SW_FLOOD_PID" 120 0.1 || true
	sw_stop_pid "$SW_FLOOD_PID" 5 || true
	# trafgen colours its tally (ANSI escapes): take the digits only.
	SW_FLOOD_SENT=$(grep -ao '[0-9][0-9]* packets outgoing' "$SW_FLOOD_LOG" |
		awk '{ n = $1 } END { print n + 0 }')
	((SW_FLOOD_SENT > 0)) || sw_log_tail "$SW_FLOOD_LOG"
}

# sw_topo_flood syn|ack COUNT RATE SECONDS: the two above in one.
sw_topo_flood()
{
	sw_topo_flood_start "$@" && sw_topo_flood_wait
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
