#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/topo_lb.sh: the lb-mode topology, shared by tests/e2e/e2e_lb.sh
# and scripts/demo --mode lb, which source it after scripts/lib/common.sh
# (it then only defines functions; it sources scripts/topo.sh itself).
#
#   [client ns] eth0 203.0.113.20/24, 2001:db8:203::20/64
#               + 203.0.113.254, 2001:db8:203::fe (the outside gateway's role)
#        | veth
#   [synwall ns] w_out  synwall (lb mode, net_af_packet)  w_in     (no addresses)
#        | veth                                            VIP 203.0.113.10 / 2001:db8:203::10 :80
#   [lan ns] uplink - br0 --- b1 b2 b3 b4                    (a bridge only)
#        | veths
#   [b1..b4 ns] eth0 198.51.100.1N/24, 2001:db8:100::1N/64, default routes
#               via 198.51.100.1 / 2001:db8:100::1 (synwall's inside addresses);
#               nginx :80 serving /name ("bN\n"), /file (3 MiB), /big (24 MiB
#               at 2 MiB/s: ~12 s), every answer with "X-Backend: bN".
#
# synwall owns 203.0.113.1 / 2001:db8:203::1 outside and 198.51.100.1 /
# 2001:db8:100::1 inside (sw_lb_conf); b4 exists from the start but is in
# the config only when asked for (the reload test adds it).
#
# Run directly, it builds the topology with the backends' nginx and holds it
# (Ctrl-C or --hold SECONDS, default 300), printing how to start synwall;
# --check instead gives the lan namespace a temporary address, fetches /name
# and /file from every backend over IPv4 and IPv6 (no synwall involved),
# removes everything and exits 0 only when all answered right:
#	sudo scripts/topo_lb.sh [--hold SECONDS | --check]

if [[ -z $(declare -F sw_topo_up) ]]; then
	# shellcheck source=scripts/topo.sh
	. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/topo.sh"
fi

SW_LB_CLIENTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e/lb_clients.py

SW_LB_PORT=80
SW_LB_VIP4=203.0.113.10
SW_LB_VIP6=2001:db8:203::10
SW_LB_CLIENT_IP4=203.0.113.20
SW_LB_CLIENT_IP6=2001:db8:203::20
SW_LB_GW4=203.0.113.254		# on the client: the outside gateway's role
SW_LB_GW6=2001:db8:203::fe
SW_LB_OUT4=203.0.113.1		# synwall's own addresses (config only)
SW_LB_OUT6=2001:db8:203::1
SW_LB_IN4=198.51.100.1
SW_LB_IN6=2001:db8:100::1
SW_LB_NAMES=(b1 b2 b3 b4)
declare -gA SW_LB_IP4=([b1]=198.51.100.11 [b2]=198.51.100.12 [b3]=198.51.100.13 [b4]=198.51.100.14)
declare -gA SW_LB_IP6=([b1]=2001:db8:100::11 [b2]=2001:db8:100::12 [b3]=2001:db8:100::13 [b4]=2001:db8:100::14)
declare -gA SW_LB_WEIGHT=([b1]=1 [b2]=2 [b3]=3 [b4]=2)
declare -gA SW_LB_NS=() SW_LB_MAC=() SW_LB_NGINX_PID=()
SW_LB_FILE_SIZE=$((3 * 1024 * 1024 + 1234))	# /file: last segment not full
SW_LB_BIG_SIZE=$((24 * 1024 * 1024 + 1234))	# /big ...
SW_LB_BIG_RATE=${SW_LB_BIG_RATE:-2m}		# ... at most 2 MiB/s: ~12 s
SW_LB_NFT_TABLE=synwall_lb
# af_packet ring frames per queue (PMD default 512): a flood's bursts would
# overflow it and take legitimate segments with them (see e2e_relay.sh).
SW_LB_AFP_FRAMES=${SW_LB_AFP_FRAMES:-4096}

# sw_lb_topo_up: client, synwall, lan (bridge) and the four backend
# namespaces. Sets SW_NS_CLIENT, SW_NS_SYNWALL, SW_NS_LAN, SW_LB_NS[bN],
# SW_CLIENT_MAC, SW_LB_MAC[bN], SW_LB_OUT_MAC / SW_LB_IN_MAC (synwall's
# wires: net_af_packet takes the interface's MAC as the port's).
sw_lb_topo_up()
{
	local b ns
	sw_ns_add SW_NS_CLIENT client
	sw_ns_add SW_NS_SYNWALL synwall
	sw_ns_add SW_NS_LAN lan
	# No kernel traffic from synwall's wires or the bridge: IPv6 off
	# (bridging IPv6 frames is not affected), no IPv4 addresses.
	sw_ns_exec "$SW_NS_SYNWALL" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	sw_ns_exec "$SW_NS_LAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null

	sw_veth "$SW_NS_SYNWALL" "$SW_IF_OUT" "$SW_NS_CLIENT" eth0
	sw_veth "$SW_NS_SYNWALL" "$SW_IF_IN" "$SW_NS_LAN" uplink
	# No STP (ports forward at once), no multicast snooping (IPv6 NS to
	# solicited-node groups must reach the backends whatever MLD did).
	ip -n "$SW_NS_LAN" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$SW_NS_LAN" link set dev uplink master br0
	ip -n "$SW_NS_LAN" link set dev br0 up

	# The client: its own addresses, and the gateway's (so that synwall's
	# packets to off-link destinations, e.g. SYN-ACKs to spoofed sources,
	# land here and die: no forwarding). The gateway's IPv6 address is
	# deprecated so it is never picked as a source. The VIPs are on-link:
	# the client resolves them to synwall's outside MAC. Ephemeral ports
	# 50000-60999: lb_clients.py binds its own source ports below that.
	ip -n "$SW_NS_CLIENT" addr add "$SW_LB_CLIENT_IP4/24" dev eth0
	ip -n "$SW_NS_CLIENT" addr add "$SW_LB_GW4/24" dev eth0
	ip -n "$SW_NS_CLIENT" addr add "$SW_LB_CLIENT_IP6/64" dev eth0 nodad
	ip -n "$SW_NS_CLIENT" addr add "$SW_LB_GW6/64" dev eth0 nodad preferred_lft 0
	sw_ns_exec "$SW_NS_CLIENT" sysctl -qw net.ipv4.ip_local_port_range="50000 60999"

	for b in "${SW_LB_NAMES[@]}"; do
		# (not into a local: sw_ns_add has locals of its own)
		sw_ns_add "SW_LB_NS[$b]" "$b"
		ns=${SW_LB_NS[$b]}
		sw_veth "$SW_NS_LAN" "$b" "$ns" eth0
		ip -n "$SW_NS_LAN" link set dev "$b" master br0
		ip -n "$ns" addr add "${SW_LB_IP4[$b]}/24" dev eth0
		ip -n "$ns" addr add "${SW_LB_IP6[$b]}/64" dev eth0 nodad
		ip -n "$ns" route add default via "$SW_LB_IN4" dev eth0
		ip -n "$ns" -6 route add default via "$SW_LB_IN6" dev eth0
		SW_LB_MAC[$b]=$(sw_if_mac "$ns" eth0)
	done

	SW_CLIENT_MAC=$(sw_if_mac "$SW_NS_CLIENT" eth0)
	SW_LB_OUT_MAC=$(sw_if_mac "$SW_NS_SYNWALL" "$SW_IF_OUT")
	SW_LB_IN_MAC=$(sw_if_mac "$SW_NS_SYNWALL" "$SW_IF_IN")
	sw_log "lb topology up: $SW_NS_CLIENT ($SW_CLIENT_MAC) -- $SW_NS_SYNWALL" \
		"(out $SW_LB_OUT_MAC, in $SW_LB_IN_MAC) -- $SW_NS_LAN -- ${SW_LB_NAMES[*]}"
}

# sw_lb_web_start [NAME...]: the content (once) and nginx in each backend
# (default: all). Content in $SW_TMP/lbwww, shared: /file, /big; their
# sha256 in SW_LB_FILE_SHA256, SW_LB_BIG_SHA256.
sw_lb_web_start()
{
	local www=$SW_TMP/lbwww b
	(($#)) || set -- "${SW_LB_NAMES[@]}"
	if [[ ! -f $www/big ]]; then
		mkdir -p "$www"
		head -c "$SW_LB_FILE_SIZE" /dev/urandom >"$www/file"
		head -c "$SW_LB_BIG_SIZE" /dev/urandom >"$www/big"
		SW_LB_FILE_SHA256=$(sha256sum "$www/file" | cut -d' ' -f1)
		SW_LB_BIG_SHA256=$(sha256sum "$www/big" | cut -d' ' -f1)
	fi
	for b in "$@"; do
		sw_lb_nginx_start "$b" || return 1
	done
}

# sw_lb_nginx_start NAME: nginx (one master, one worker) in backend NAME's
# namespace on its two addresses, port 80; files in $SW_TMP/nginx-NAME.
# PID in SW_LB_NGINX_PID[NAME]. Ready when it answers in its namespace.
sw_lb_nginx_start()
{
	local b=$1 dir=$SW_TMP/nginx-$1 ns=${SW_LB_NS[$1]}
	mkdir -p "$dir"
	sw_nginx_conf "$dir" 1024 0 "$(cat <<-EOF
		listen ${SW_LB_IP4[$b]}:$SW_LB_PORT;
		listen [${SW_LB_IP6[$b]}]:$SW_LB_PORT;
		root $SW_TMP/lbwww;
		add_header X-Backend $b always;
		location = /name {
			default_type text/plain;
			return 200 "$b\n";
		}
		location = /big {
			limit_rate $SW_LB_BIG_RATE;
		}
	EOF
	)"
	rm -f "$dir/nginx.pid"
	sw_spawn "$dir/stderr.log" ip netns exec "$ns" \
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
	SW_LB_NGINX_PID[$b]=$SW_SPAWNED_PID
	if ! sw_wait_for "sw_lb_backend_answers $b" 10; then
		sw_log_tail "$dir/error.log"
		sw_log_tail "$dir/stderr.log"
		return 1
	fi
	sw_log "nginx of $b up (PID ${SW_LB_NGINX_PID[$b]})"
}

# sw_lb_backend_answers NAME: nginx of NAME answers /name right on both
# addresses, asked from its own namespace (nothing crosses synwall).
sw_lb_backend_answers()
{
	local b=$1 ns=${SW_LB_NS[$1]} u
	for u in "http://${SW_LB_IP4[$b]}/name" "http://[${SW_LB_IP6[$b]}]/name"; do
		[[ $(sw_ns_exec "$ns" curl -gsf --max-time 1 "$u" 2>/dev/null) == "$b" ]] ||
			return 1
	done
}

# sw_lb_nginx_stop NAME: stop NAME's nginx (by its PID); its namespace
# then answers port 80 with RSTs.
sw_lb_nginx_stop()
{
	sw_stop_pid "${SW_LB_NGINX_PID[$1]}" 5 || true
	sw_wait_for "! sw_ns_exec ${SW_LB_NS[$1]} ss -Htln 'sport = :$SW_LB_PORT' | grep -q LISTEN" 5 ||
		sw_warn "nginx of $1 still listens"
}

# sw_lb_backends_line SPEC [FAMILY]: a value for [service:web] backends
# from SPEC, a list "b1=1 b2=2 ..." (NAME=WEIGHT; the VIP's port kept,
# " weight W" left out when 1): the backends' addresses of FAMILY (4 or 6;
# default both).
sw_lb_backends_line()
{
	local spec=$1 fam=${2:-46} e b w out="" a
	for e in $spec; do
		b=${e%%=*} w=${e#*=}
		for a in "${SW_LB_IP4[$b]}" "${SW_LB_IP6[$b]}"; do
			[[ $a == *:* && $fam == *6* || $a != *:* && $fam == *4* ]] || continue
			out+="${out:+, }$a"
			[[ $w == 1 ]] || out+=" weight $w"
		done
	done
	echo "$out"
}

# sw_lb_conf FILE [SPEC [EXTRA]]: write synwall's lb config for this
# topology: ports 0 (outside, w_out) and 1 (inside, w_in); [lb] addresses,
# gateway and fast health checks; [service:web] VIPs port 80 with the
# backends of SPEC (default "b1=1 b2=2 b3=3"; see sw_lb_backends_line), one
# "backends" line per family (the key may repeat; rte_cfgfile keeps at most
# 255 characters of a value), and EXTRA (raw entries, e.g. an off-link
# backend for a bad config) on a third.
sw_lb_conf()
{
	local file=$1 spec=${2:-b1=1 b2=2 b3=3} b4 b6
	b4=$(sw_lb_backends_line "$spec" 4)
	b6=$(sw_lb_backends_line "$spec" 6)
	cat >"$file.tmp" <<-EOF
	; written by ${SW_NAME:-synwall} (run $SW_RUN_ID), backends: $spec${3:+ + $3}
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
	syn_retries = 2
	linger_ms = 200
	closing_timeout = 3

	[lb]
	outside_address = $SW_LB_OUT4/24, $SW_LB_OUT6/64
	outside_gateway = $SW_LB_GW4, $SW_LB_GW6
	inside_address = $SW_LB_IN4/24, $SW_LB_IN6/64
	maglev_size = 65537
	neigh_entries = 256
	health_interval_ms = 500
	health_timeout_ms = 300
	health_fall = 2
	health_rise = 2

	[service:web]
	prefix = $SW_LB_VIP4, $SW_LB_VIP6
	ports = $SW_LB_PORT
	backends = $b4
	backends = $b6
	EOF
	[[ -z ${3:-} ]] || echo "backends = $3" >>"$file.tmp"
	# Atomic: a reload must never read half a file.
	mv -f "$file.tmp" "$file"
}

# sw_lb_synwall_start CONF LOG: synwall in lb mode in its namespace on the
# two wires ($SW_PMD: net_af_packet with rings of $SW_LB_AFP_FRAMES, or
# net_af_xdp; several queue pairs are always af_packet's). Sets
# SW_LB_PREFIX (telemetry), SW_SYNWALL_PID; returns once it answers
# /synwall/stats (30 s at most).
sw_lb_synwall_start()
{
	local conf=$1 log=$2 mem vdevs
	sw_dpdk_prefix SW_LB_PREFIX "synwall-lb$RANDOM"
	mapfile -t mem < <(sw_dpdk_eal_mem)
	sw_pmd_resolve
	# A veth has one queue: several queue pairs are af_packet's.
	((${SW_LB_QPAIRS:-1} == 1)) || SW_PMD=af_packet
	mapfile -t vdevs < <(sw_pmd_vdevs "$SW_IF_OUT" "$SW_IF_IN" \
		"framecnt=$SW_LB_AFP_FRAMES,qpairs=${SW_LB_QPAIRS:-1}")
	sw_synwall_start "$SW_NS_SYNWALL" "$SW_LB_PREFIX" "$conf" "$log" "${mem[@]}" \
		"${vdevs[@]}"
	sw_dpdk_wait_ready "$SW_SYNWALL_PID" "$SW_LB_PREFIX" /synwall/stats "$log" 30
}

# sw_lb_url v4|v6 [PATH]: the VIP's URL for PATH (default /name).
sw_lb_url()
{
	if [[ $1 == v6 ]]; then
		echo "http://[$SW_LB_VIP6]${2:-/name}"
	else
		echo "http://$SW_LB_VIP4${2:-/name}"
	fi
}

# sw_lb_vip v4|v6: the VIP of that family.
sw_lb_vip()
{
	if [[ $1 == v6 ]]; then echo "$SW_LB_VIP6"; else echo "$SW_LB_VIP4"; fi
}

# sw_lb_client_ip v4|v6: the client's own (source) address of that family.
sw_lb_client_ip()
{
	if [[ $1 == v6 ]]; then echo "$SW_LB_CLIENT_IP6"; else echo "$SW_LB_CLIENT_IP4"; fi
}

# sw_lb_namemap: "b1=ADDR4,ADDR6;b2=..." for lb_clients.py backends.
sw_lb_namemap()
{
	local b out=""
	for b in "${SW_LB_NAMES[@]}"; do
		out+="${out:+;}$b=${SW_LB_IP4[$b]},${SW_LB_IP6[$b]}"
	done
	echo "$out"
}

# sw_lb_ports VAR N: the first of N source ports for the client that no
# earlier call handed out (10000 .. 49999; the kernel's own ephemeral ports
# are 50000 and up): a tuple never repeats within a run, so each connection
# is a new flow for synwall, Maglev and the backend.
SW_LB_NEXT_PORT=10000
sw_lb_ports()
{
	((SW_LB_NEXT_PORT + $2 <= 50000)) || sw_die "sw_lb_ports: source ports used up"
	printf -v "$1" '%s' "$SW_LB_NEXT_PORT"
	SW_LB_NEXT_PORT=$((SW_LB_NEXT_PORT + $2))
}

# sw_lb_dist OUT v4|v6 N SPORT [CONC [PATH]]: N connections from the client
# to the VIP, source ports SPORT.. SPORT+N-1 (each tuple new), CONC at a
# time (default 16); lb_clients.py's report in OUT ("backend bN COUNT",
# "ok N", "fail N"), errors in OUT.err. Returns its exit status.
sw_lb_dist()
{
	local out=$1 fam=$2
	sw_ns_exec "$SW_NS_CLIENT" timeout 300 "$SW_PYTHON" "$SW_LB_CLIENTS" dist \
		"$(sw_lb_vip "$fam")" "$SW_LB_PORT" "${6:-/name}" "$3" "$4" "${5:-16}" 5 \
		"$(sw_lb_client_ip "$fam")" >"$out" 2>"$out.err"
}

# sw_lb_nft_counters_start [NAME...]: in each backend's namespace (default:
# all), before anything else there (prerouting, raw priority): counters
# "spoofed" (any packet from 198.18.0.0/15) and "syn" (SYNs to port 80).
# The table goes with the namespace.
sw_lb_nft_counters_start()
{
	local b
	(($#)) || set -- "${SW_LB_NAMES[@]}"
	for b in "$@"; do
		sw_ns_exec "${SW_LB_NS[$b]}" nft -f - <<-EOF || return 1
		table inet $SW_LB_NFT_TABLE {
			counter spoofed {}
			counter syn {}
			chain prerouting {
				type filter hook prerouting priority -300; policy accept;
				ip saddr 198.18.0.0/15 counter name spoofed
				tcp dport $SW_LB_PORT tcp flags & (syn | ack) == syn counter name syn
			}
		}
		EOF
	done
}

# sw_lb_nft_counter NAME COUNTER: packets counted in backend NAME ("" when
# the table is missing).
sw_lb_nft_counter()
{
	sw_ns_exec "${SW_LB_NS[$1]}" nft list counter inet "$SW_LB_NFT_TABLE" "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | head -n 1
}

# sw_lb_flood_start COUNT RATE SECONDS: sw_topo_flood_start's spoofed SYN
# flood (sources random in 198.18.0.0/15, bounded by COUNT and SECONDS)
# aimed at the IPv4 VIP port 80 through synwall's outside MAC.
sw_lb_flood_start()
{
	local SW_SERVER_MAC=$SW_LB_OUT_MAC SW_SERVER_IP4=$SW_LB_VIP4
	local SW_PROTECTED_PORT=$SW_LB_PORT
	sw_topo_flood_start syn "$@"
}

# sw_lb_backends PREFIX [--table]: /synwall/backends through lb_clients.py:
# one line per entry "NAME FAMILY STATE CREATED ACTIVE WEIGHT KEY" (STATE
# 1 up, 0 down; -1 for a field not found), or a table for people.
sw_lb_backends()
{
	local j
	j=$(sw_telemetry "$1" /synwall/backends) || return 1
	"$SW_PYTHON" "$SW_LB_CLIENTS" backends "$(sw_lb_namemap)" ${2:+"$2"} <<<"$j"
}

# ------------------------------------------- standalone: hold or check

# sw__lb_check: from the lan namespace (a temporary address on br0 in each
# family), every backend serves /name and /file right over both.
sw__lb_check()
{
	local b u rc=0 got
	ip -n "$SW_NS_LAN" addr add 198.51.100.250/24 dev br0
	sw_ns_exec "$SW_NS_LAN" sysctl -qw net.ipv6.conf.br0.disable_ipv6=0
	ip -n "$SW_NS_LAN" addr add 2001:db8:100::250/64 dev br0 nodad
	for b in "${SW_LB_NAMES[@]}"; do
		for u in "http://${SW_LB_IP4[$b]}" "http://[${SW_LB_IP6[$b]}]"; do
			got=$(sw_ns_exec "$SW_NS_LAN" curl -gsS --max-time 5 "$u/name" 2>&1) || true
			if [[ $got == "$b" ]]; then
				echo "ok - $u/name from the lan: $got"
			else
				echo "not ok - $u/name from the lan: '$got'"
				rc=1
			fi
			got=$(sw_ns_exec "$SW_NS_LAN" curl -gsS --max-time 10 "$u/file" | sha256sum | cut -d' ' -f1)
			if [[ $got == "$SW_LB_FILE_SHA256" ]]; then
				echo "ok - $u/file from the lan: sha256 matches"
			else
				echo "not ok - $u/file from the lan: sha256 $got"
				rc=1
			fi
		done
		got=$(sw_ns_exec "$SW_NS_LAN" curl -gsS -o /dev/null -D - --max-time 5 \
			"http://${SW_LB_IP4[$b]}/big" -r 0-0 | tr -d '\r' | sed -n 's/^X-Backend: //Ip')
		if [[ $got == "$b" ]]; then
			echo "ok - $b: /big answers with X-Backend: $got"
		else
			echo "not ok - $b: /big X-Backend '$got'"
			rc=1
		fi
	done
	return "$rc"
}

sw__lb_main()
{
	local hold=300 check=0 root prefix
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	while (($#)); do
		case $1 in
		--hold) hold=${2:?--hold needs seconds}; shift 2 ;;
		--check) check=1; shift ;;
		-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; return 0 ;;
		*) echo "usage: $0 [--hold SECONDS | --check]" >&2; return 2 ;;
		esac
	done
	((hold > 0 && hold <= 3600)) || { echo "--hold: 1..3600" >&2; return 2; }
	# shellcheck source=scripts/lib/common.sh
	. "$root/scripts/lib/common.sh"
	if ((check)); then
		sw_need_root --sudo --check
	else
		sw_need_root --sudo --hold "$hold"
	fi
	sw_init topo-lb
	sw_lb_topo_up
	sw_lb_web_start
	if ((check)); then
		sw__lb_check
		return
	fi
	sw_dpdk_prefix prefix synwall
	sw_lb_conf "$SW_TMP/synwall-lb.conf"
	cat <<-EOF

	lb topology ready. In ${hold}s or on Ctrl-C it is removed, stopping whatever
	still runs in its namespaces.
	  client : ip netns exec $SW_NS_CLIENT bash     # curl -g http://$SW_LB_VIP4/name
	  synwall: ip netns exec $SW_NS_SYNWALL $root/build/app/synwall/synwall \\
	             -l 0,1 --no-huge -m 256 --file-prefix $prefix --no-pci \\
	             --vdev net_af_packet0,iface=$SW_IF_OUT --vdev net_af_packet1,iface=$SW_IF_IN \\
	             -- -c $SW_TMP/synwall-lb.conf
	  backends: ${SW_LB_NS[*]}   (nginx content in $SW_TMP/lbwww)
	EOF
	sw_spawn /dev/null sleep "$hold"
	wait "$SW_SPAWNED_PID" || true
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	sw__lb_main "$@"
fi
