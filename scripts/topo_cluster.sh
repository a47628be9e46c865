#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2034 # globals set here are read by the sourcing scripts
#
# scripts/topo_cluster.sh: several synwall nodes (lb mode) behind an ECMP
# router that learns the VIPs over BGP (docs/cluster.md), shared by
# tests/e2e/e2e_cluster.sh, which sources it after scripts/lib/common.sh
# (it then only defines functions; it sources scripts/topo_lb.sh itself,
# for the backends).
#
#   [client] eth0 203.0.113.20/24, 2001:db8:203::20/64, default routes
#        |        via the router
#   [router] eth0 203.0.113.254, 2001:db8:203::fe        (BIRD 2, kernel ECMP,
#        |   dN 192.0.2.(129+8N)/29, 2001:db8:1:N::1/64   L4 hash policy)
#        |   cN 192.0.2.(193+8N)/29, 2001:db8:2:N::1/64
#        | dN: data (veth)          | cN: control (veth, kernel addresses)
#   [nodeN] w_out synwall (lb, DPDK) w_in     ctl 192.0.2.(194+8N), 2001:db8:2:N::2
#           outside 192.0.2.(130+8N), 2001:db8:1:N::2   BIRD 2 (AS 65000) on ctl,
#           inside 198.51.100.N, 2001:db8:100::N        synwall-bgp beside it
#        | w_in (veth)
#   [lan]  uplinkN - br0 - b1 b2                        (a bridge only)
#   [b1, b2] 198.51.100.1N/24, 2001:db8:100::1N/64, nginx :80 as in
#           scripts/topo_lb.sh; default routes via node 1's inside
#           addresses (sw_cl_backend_gw moves them)
#
# Every node runs synwall in lb mode with the same VIPs (192.0.2.10,
# 2001:db8:10::10, port 80), the same backends and the same key_file, and
# its own outside and inside addresses. Its BIRD announces the VIPs to the
# router (AS 64512) over the control link with the node's outside data
# address as BGP next hop; the router's BIRD merges the equal routes into
# one multipath kernel route (merge paths), spread by the kernel with
# fib_multipath_hash_policy = 1 (source and destination addresses and
# ports). synwall-bgp (app/synwall-bgp) switches the announcement with
# synwall's health. With the default nat = dnat a backend's answers go to
# its default gateway, so only the flows of that node complete;
# SW_CL_NAT=snat (sw_cl_conf) makes every node's backend connections
# come from its own inside address, and the backends answer the owner.
#
# Run directly, it builds the topology with N nodes (default 2), starts
# everything (synwall, BIRD, synwall-bgp on every node) and holds it
# (Ctrl-C or --hold SECONDS, default 300), printing how to look at it:
#	sudo scripts/topo_cluster.sh [--nodes 2|3] [--hold SECONDS]

if [[ -z $(declare -F sw_lb_topo_up) ]]; then
	# shellcheck source=scripts/topo_lb.sh
	. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/topo_lb.sh"
fi

SW_CL_BGP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/app/synwall-bgp/synwall-bgp

SW_CL_VIP4=192.0.2.10
SW_CL_VIP6=2001:db8:10::10
SW_CL_CLIENT_IP4=203.0.113.20
SW_CL_CLIENT_IP6=2001:db8:203::20
SW_CL_RT_IP4=203.0.113.254	# the router, the client's side
SW_CL_RT_IP6=2001:db8:203::fe
SW_CL_AS_ROUTER=64512
SW_CL_AS_NODE=65000		# one AS for all nodes: an anycast service
SW_CL_IF_CTL=ctl		# a node's kernel control interface
SW_CL_NODES=()			# node1 .. nodeN
# The backends: scripts/topo_lb.sh's b1 and b2 (same addresses, nginx).
SW_LB_NAMES=(b1 b2)
declare -gA SW_CL_NS=() SW_CL_PID=() SW_CL_PREFIX=() SW_CL_LOG=() SW_CL_CONF=()
declare -gA SW_CL_BIRD_PID=() SW_CL_BIRD_SOCK=() SW_CL_AGENT_PID=()
declare -gA SW_CL_AGENT_STATE=() SW_CL_OUT_MAC=() SW_CL_STARTS=()

# Per node N (1..3): data link, control link, inside addresses.
sw_cl_rt_data4() { echo "192.0.2.$((129 + 8 * $1))"; }
sw_cl_out4() { echo "192.0.2.$((130 + 8 * $1))"; }
sw_cl_rt_ctl4() { echo "192.0.2.$((193 + 8 * $1))"; }
sw_cl_ctl4() { echo "192.0.2.$((194 + 8 * $1))"; }
sw_cl_rt_data6() { echo "2001:db8:1:$1::1"; }
sw_cl_out6() { echo "2001:db8:1:$1::2"; }
sw_cl_rt_ctl6() { echo "2001:db8:2:$1::1"; }
sw_cl_ctl6() { echo "2001:db8:2:$1::2"; }
sw_cl_in4() { echo "198.51.100.$1"; }
sw_cl_in6() { echo "2001:db8:100::$1"; }

# sw_cl_topo_up N: client, router, lan, node1..nodeN, b1, b2 (N 2 or 3).
# Sets SW_NS_CLIENT, SW_NS_ROUTER, SW_NS_LAN, SW_CL_NS[nodeK],
# SW_LB_NS[bK], SW_CL_NODES, SW_ROUTER_MAC (the router's client side).
sw_cl_topo_up()
{
	local n=$1 i node ns b
	((n >= 2 && n <= 3)) || sw_die "sw_cl_topo_up: 2 or 3 nodes"
	sw_ns_add SW_NS_CLIENT client
	sw_ns_add SW_NS_ROUTER router
	sw_ns_add SW_NS_LAN lan
	sw_ns_exec "$SW_NS_LAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$SW_NS_LAN" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$SW_NS_LAN" link set dev br0 up

	# The router: forwards, no reverse-path filter (spoofed test
	# sources), ECMP hashed on addresses and ports (policy 1: L4) in
	# both families. Answers to 198.18.0.0/15 (SYN-ACKs to a spoofed
	# flood) die here quietly.
	sw_ns_exec "$SW_NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.fib_multipath_hash_policy=1 >/dev/null
	sw_veth "$SW_NS_ROUTER" eth0 "$SW_NS_CLIENT" eth0
	ip -n "$SW_NS_ROUTER" addr add "$SW_CL_RT_IP4/24" dev eth0
	ip -n "$SW_NS_ROUTER" addr add "$SW_CL_RT_IP6/64" dev eth0 nodad
	ip -n "$SW_NS_ROUTER" route add blackhole 198.18.0.0/15

	ip -n "$SW_NS_CLIENT" addr add "$SW_CL_CLIENT_IP4/24" dev eth0
	ip -n "$SW_NS_CLIENT" addr add "$SW_CL_CLIENT_IP6/64" dev eth0 nodad
	ip -n "$SW_NS_CLIENT" route add default via "$SW_CL_RT_IP4"
	ip -n "$SW_NS_CLIENT" -6 route add default via "$SW_CL_RT_IP6"
	sw_ns_exec "$SW_NS_CLIENT" sysctl -qw net.ipv4.ip_local_port_range="50000 60999"

	SW_CL_NODES=()
	for ((i = 1; i <= n; i++)); do
		node=node$i
		SW_CL_NODES+=("$node")
		sw_ns_add "SW_CL_NS[$node]" "$node"
		ns=${SW_CL_NS[$node]}
		# IPv6 off on synwall's wires (its kernel must send nothing
		# into them), on for the control link alone.
		sw_ns_exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
		sw_veth "$ns" "$SW_IF_OUT" "$SW_NS_ROUTER" "d$i"
		sw_veth "$ns" "$SW_IF_IN" "$SW_NS_LAN" "uplink$i"
		sw_veth "$ns" "$SW_CL_IF_CTL" "$SW_NS_ROUTER" "c$i"
		sw_ns_exec "$ns" sysctl -qw "net.ipv6.conf.$SW_CL_IF_CTL.disable_ipv6=0" >/dev/null
		ip -n "$SW_NS_LAN" link set dev "uplink$i" master br0
		ip -n "$ns" addr add "$(sw_cl_ctl4 "$i")/29" dev "$SW_CL_IF_CTL"
		ip -n "$ns" addr add "$(sw_cl_ctl6 "$i")/64" dev "$SW_CL_IF_CTL" nodad
		ip -n "$SW_NS_ROUTER" addr add "$(sw_cl_rt_data4 "$i")/29" dev "d$i"
		ip -n "$SW_NS_ROUTER" addr add "$(sw_cl_rt_data6 "$i")/64" dev "d$i" nodad
		ip -n "$SW_NS_ROUTER" addr add "$(sw_cl_rt_ctl4 "$i")/29" dev "c$i"
		ip -n "$SW_NS_ROUTER" addr add "$(sw_cl_rt_ctl6 "$i")/64" dev "c$i" nodad
		SW_CL_OUT_MAC[$node]=$(sw_if_mac "$ns" "$SW_IF_OUT")
	done

	for b in "${SW_LB_NAMES[@]}"; do
		sw_ns_add "SW_LB_NS[$b]" "$b"
		ns=${SW_LB_NS[$b]}
		sw_veth "$SW_NS_LAN" "$b" "$ns" eth0
		ip -n "$SW_NS_LAN" link set dev "$b" master br0
		ip -n "$ns" addr add "${SW_LB_IP4[$b]}/24" dev eth0
		ip -n "$ns" addr add "${SW_LB_IP6[$b]}/64" dev eth0 nodad
		SW_LB_MAC[$b]=$(sw_if_mac "$ns" eth0)
	done
	sw_cl_backend_gw 1

	SW_CLIENT_MAC=$(sw_if_mac "$SW_NS_CLIENT" eth0)
	SW_ROUTER_MAC=$(sw_if_mac "$SW_NS_ROUTER" eth0)
	sw_log "cluster topology up: $SW_NS_CLIENT -- $SW_NS_ROUTER -- ${SW_CL_NODES[*]} -- $SW_NS_LAN -- ${SW_LB_NAMES[*]}"
}

# sw_cl_backend_gw K: the backends' default routes via node K's inside
# addresses (with nat = dnat, the backends' answers go to the gateway).
sw_cl_backend_gw()
{
	local b ns
	for b in "${SW_LB_NAMES[@]}"; do
		ns=${SW_LB_NS[$b]}
		ip -n "$ns" route replace default via "$(sw_cl_in4 "$1")" dev eth0
		ip -n "$ns" -6 route replace default via "$(sw_cl_in6 "$1")" dev eth0
	done
}

# sw_cl_resilient_check: can this kernel make resilient next-hop groups?
# Tried with two next hops in a scratch group on the router, removed at
# once. Says which in SW_CL_RESILIENT (yes / no: WHY). BIRD 2.0 writes
# multipath routes (RTA_MULTIPATH), not next-hop objects, so the routes
# it installs cannot use them either way (docs/cluster.md).
sw_cl_resilient_check()
{
	local out ns=$SW_NS_ROUTER
	if out=$(ip -n "$ns" nexthop add id 901 via "$(sw_cl_out4 1)" dev d1 2>&1 &&
		ip -n "$ns" nexthop add id 902 via "$(sw_cl_out4 2)" dev d2 2>&1 &&
		ip -n "$ns" nexthop add id 900 group 901/902 type resilient \
			buckets 64 idle_timer 10 2>&1); then
		SW_CL_RESILIENT=yes
	else
		SW_CL_RESILIENT="no: ${out//$'\n'/ }"
	fi
	ip -n "$ns" nexthop del id 900 2>/dev/null || true
	ip -n "$ns" nexthop del id 901 2>/dev/null || true
	ip -n "$ns" nexthop del id 902 2>/dev/null || true
	sw_log "resilient next-hop groups in this kernel: $SW_CL_RESILIENT"
}

# sw_cl_keyfile FILE: a fresh cookie secret (64 hex digits, mode 600).
sw_cl_keyfile()
{
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$1" && echo >>"$1")
}

# sw_cl_conf K FILE KEYFILE: synwall's lb config for node K: its own
# outside / inside addresses, the shared VIPs, backends and key_file,
# and the other nodes as its [cluster] peers (flows survive a rehash;
# SW_CL_NO_PEERS=1 leaves them out, to see what happens without).
# SW_CL_NAT=snat makes the service source-NAT its flows (the backends
# answer the node that owns a flow, whatever their gateway).
sw_cl_conf()
{
	local k=$1 file=$2 key=$3 b4 b6 node peers=""
	b4=$(sw_lb_backends_line "b1=1 b2=1" 4)
	b6=$(sw_lb_backends_line "b1=1 b2=1" 6)
	for node in "${SW_CL_NODES[@]}"; do
		[[ ${node#node} == "$k" || ${SW_CL_NO_PEERS:-0} == 1 ]] && continue
		peers+=${peers:+, }$(sw_cl_in4 "${node#node}")
	done
	cat >"$file.tmp" <<-EOF
	; written by ${SW_NAME:-synwall} (run $SW_RUN_ID): cluster node $k
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
	flows6 = 4096

	[flow]
	syn_timeout_ms = 200
	syn_retries = 2
	linger_ms = 200
	closing_timeout = 3

	[syncookie]
	key_file = $key

	[lb]
	outside_address = $(sw_cl_out4 "$k")/29, $(sw_cl_out6 "$k")/64
	outside_gateway = $(sw_cl_rt_data4 "$k"), $(sw_cl_rt_data6 "$k")
	inside_address = $(sw_cl_in4 "$k")/24, $(sw_cl_in6 "$k")/64
	maglev_size = 65537
	neigh_entries = 256
	health_interval_ms = 500
	health_timeout_ms = 300
	health_fall = 2
	health_rise = 2

	[cluster]
	${peers:+peers = $peers}

	[service:web]
	prefix = $SW_CL_VIP4, $SW_CL_VIP6
	ports = $SW_LB_PORT
	backends = $b4
	backends = $b6
	nat = ${SW_CL_NAT:-dnat}
	EOF
	mv -f "$file.tmp" "$file"
}

# sw_cl_synwall_start NODE [KEYFILE]: synwall of NODE (nodeK) in its
# namespace, config $SW_TMP/NODE.conf with KEYFILE (default
# $SW_CL_KEY); the same file prefix on every start of the node (its
# synwall-bgp keeps watching it). Sets SW_CL_PID, SW_CL_PREFIX,
# SW_CL_LOG, SW_CL_CONF of NODE; returns once it answers telemetry.
sw_cl_synwall_start()
{
	local node=$1 k=${1#node} mem vdevs pid
	[[ -n ${SW_CL_PREFIX[$node]:-} ]] || sw_dpdk_prefix "SW_CL_PREFIX[$node]" "$node"
	SW_CL_CONF[$node]=$SW_TMP/$node.conf
	# A log per start: the one of a run that ended stays for diagnosis.
	SW_CL_STARTS[$node]=$((${SW_CL_STARTS[$node]:-0} + 1))
	SW_CL_LOG[$node]=$SW_TMP/synwall-$node-${SW_CL_STARTS[$node]}.log
	sw_cl_conf "$k" "${SW_CL_CONF[$node]}" "${2:-$SW_CL_KEY}"
	mapfile -t mem < <(sw_dpdk_eal_mem)
	mapfile -t vdevs < <(sw_pmd_vdevs "$SW_IF_OUT" "$SW_IF_IN" \
		"framecnt=$SW_LB_AFP_FRAMES")
	sw_synwall_start "${SW_CL_NS[$node]}" "${SW_CL_PREFIX[$node]}" \
		"${SW_CL_CONF[$node]}" "${SW_CL_LOG[$node]}" "${mem[@]}" "${vdevs[@]}"
	pid=$SW_SYNWALL_PID
	SW_CL_PID[$node]=$pid
	sw_dpdk_wait_ready "$pid" "${SW_CL_PREFIX[$node]}" /synwall/stats \
		"${SW_CL_LOG[$node]}" 30
}

# sw_cl_synwall_stop NODE: SIGTERM to NODE's synwall (by its PID), wait.
sw_cl_synwall_stop()
{
	sw_stop_pid "${SW_CL_PID[$1]}" 10 || true
	SW_CL_PID[$1]=""
}

# ------------------------------------------------------------------- BIRD

# sw_cl_bird_start NAME NS CONF: BIRD 2 in NS, in the foreground (-f) in
# the background, its control socket and pid file in $SW_TMP; waits (15 s)
# until birdc answers. Sets SW_CL_BIRD_PID[NAME], SW_CL_BIRD_SOCK[NAME].
sw_cl_bird_start()
{
	local name=$1 ns=$2 conf=$3 sock=$SW_TMP/bird-$1.ctl log=$SW_TMP/bird-$1.log
	sw_spawn "$log" ip netns exec "$ns" bird -f -c "$conf" -s "$sock" \
		-P "$SW_TMP/bird-$name.pid"
	SW_CL_BIRD_PID[$name]=$SW_SPAWNED_PID
	SW_CL_BIRD_SOCK[$name]=$sock
	SW_DIAG_LOGS+=("$log")
	if ! sw_wait_for "sw_cl_birdc $name show status" 15 0.2; then
		sw_log_tail "$log"
		return 1
	fi
	sw_log "BIRD of $name up (PID ${SW_CL_BIRD_PID[$name]})"
}

# sw_cl_birdc NAME CMD...: birdc of that BIRD (router, nodeK).
sw_cl_birdc()
{
	local name=$1
	shift
	timeout 5 birdc -s "${SW_CL_BIRD_SOCK[$name]}" "$@"
}

# sw_cl_bird_router_conf FILE: the router's BIRD: one IPv4 and one IPv6
# BGP session per node, only the VIPs taken (the graceful-shutdown
# community lowers local preference to 0: RFC 8326 §4), kernel
# protocols that merge equal routes into one multipath route.
sw_cl_bird_router_conf()
{
	local file=$1 node k
	cat >"$file" <<-EOF
	# written by ${SW_NAME:-synwall} (run $SW_RUN_ID): the ECMP router
	log stderr all;
	router id $SW_CL_RT_IP4;

	protocol device { scan time 5; }

	# Equal BGP routes become one kernel route with a next hop per
	# node; the kernel spreads flows (fib_multipath_hash_policy).
	protocol kernel kernel4 {
		ipv4 { import none; export all; };
		merge paths on;
	}
	protocol kernel kernel6 {
		ipv6 { import none; export all; };
		merge paths on;
	}

	# Only the VIPs, as host routes, from the nodes.
	filter synwall_in4 {
		if net != $SW_CL_VIP4/32 then reject;
		if (65535, 0) ~ bgp_community then bgp_local_pref = 0;
		accept;
	}
	filter synwall_in6 {
		if net != $SW_CL_VIP6/128 then reject;
		if (65535, 0) ~ bgp_community then bgp_local_pref = 0;
		accept;
	}

	template bgp synwall_node {
		local as $SW_CL_AS_ROUTER;
		hold time 9;
		keepalive time 3;
		connect retry time 2;
		error wait time 1, 10;
	}
	EOF
	for node in "${SW_CL_NODES[@]}"; do
		k=${node#node}
		cat >>"$file" <<-EOF
		protocol bgp ${node}_4 from synwall_node {
			local $(sw_cl_rt_ctl4 "$k");
			neighbor $(sw_cl_ctl4 "$k") as $SW_CL_AS_NODE;
			ipv4 { import filter synwall_in4; export none; };
		}
		protocol bgp ${node}_6 from synwall_node {
			local $(sw_cl_rt_ctl6 "$k");
			neighbor $(sw_cl_ctl6 "$k") as $SW_CL_AS_NODE;
			ipv6 { import filter synwall_in6; export none; };
		}
		EOF
	done
}

# sw_cl_bird_node_conf K FILE: node K's BIRD: the VIPs in two pairs of
# static protocols (synwall_up4/6 and synwall_gshut4/6, disabled until
# synwall-bgp enables them), exported to the router with the node's
# outside data address as next hop and, from the gshut ones, the
# graceful-shutdown community 65535:0.
sw_cl_bird_node_conf()
{
	local k=$1 file=$2
	cat >"$file" <<-EOF
	# written by ${SW_NAME:-synwall} (run $SW_RUN_ID): cluster node $k
	log stderr all;
	router id $(sw_cl_ctl4 "$k");

	protocol device { scan time 5; }

	# The data path is synwall's DPDK port, which the kernel here does
	# not know: the next hop is set by the export filters below.
	define SW_NEXT_HOP4 = $(sw_cl_out4 "$k");
	define SW_NEXT_HOP6 = $(sw_cl_out6 "$k");

	# synwall-bgp switches these (birdc enable / disable). gshut wins on
	# preference when both are enabled: that is the drain.
	protocol static synwall_up4 {
		disabled yes;
		ipv4 { preference 100; };
		route $SW_CL_VIP4/32 blackhole;
	}
	protocol static synwall_gshut4 {
		disabled yes;
		ipv4 { preference 110; };
		route $SW_CL_VIP4/32 blackhole;
	}
	protocol static synwall_up6 {
		disabled yes;
		ipv6 { preference 100; };
		route $SW_CL_VIP6/128 blackhole;
	}
	protocol static synwall_gshut6 {
		disabled yes;
		ipv6 { preference 110; };
		route $SW_CL_VIP6/128 blackhole;
	}

	filter synwall_out4 {
		if !(proto ~ "synwall_*") then reject;
		if proto = "synwall_gshut4" then bgp_community.add((65535, 0));
		bgp_next_hop = SW_NEXT_HOP4;
		accept;
	}
	filter synwall_out6 {
		if !(proto ~ "synwall_*") then reject;
		if proto = "synwall_gshut6" then bgp_community.add((65535, 0));
		bgp_next_hop = SW_NEXT_HOP6;
		accept;
	}

	template bgp synwall_router {
		local as $SW_CL_AS_NODE;
		hold time 9;
		keepalive time 3;
		connect retry time 2;
		error wait time 1, 10;
	}
	protocol bgp router4 from synwall_router {
		local $(sw_cl_ctl4 "$k");
		neighbor $(sw_cl_rt_ctl4 "$k") as $SW_CL_AS_ROUTER;
		ipv4 { import none; export filter synwall_out4; };
	}
	protocol bgp router6 from synwall_router {
		local $(sw_cl_ctl6 "$k");
		neighbor $(sw_cl_rt_ctl6 "$k") as $SW_CL_AS_ROUTER;
		ipv6 { import none; export filter synwall_out6; };
	}
	EOF
}

# sw_cl_bird_up: BIRD on the router and on every node, each with its
# config in $SW_TMP (bird-NAME.conf); waits (30 s) until every BGP
# session is established.
sw_cl_bird_up()
{
	local node
	sw_cl_bird_router_conf "$SW_TMP/bird-router.conf"
	sw_cl_bird_start router "$SW_NS_ROUTER" "$SW_TMP/bird-router.conf" || return 1
	for node in "${SW_CL_NODES[@]}"; do
		sw_cl_bird_node_conf "${node#node}" "$SW_TMP/bird-$node.conf"
		sw_cl_bird_start "$node" "${SW_CL_NS[$node]}" "$SW_TMP/bird-$node.conf" ||
			return 1
	done
	if ! sw_wait_for sw_cl_sessions_up 30 0.5; then
		sw_warn "BGP sessions not all established:"
		sw_cl_birdc router show protocols | sed 's/^/#   /' >&"$SW_LOGFD"
		return 1
	fi
	sw_log "BGP sessions established with ${SW_CL_NODES[*]}"
}

# sw_cl_sessions_up: every node's two sessions established at the router.
sw_cl_sessions_up()
{
	local n
	n=$(sw_cl_birdc router show protocols | grep -c ' BGP .*Established') || true
	((n == 2 * ${#SW_CL_NODES[@]}))
}

# sw_cl_agent_start NODE [ARG...]: synwall-bgp of NODE (in its namespace,
# where its BIRD is), fast polls (200 ms, fall 2, rise 2) unless ARGs say
# otherwise; its state file is SW_CL_AGENT_STATE[NODE].
sw_cl_agent_start()
{
	local node=$1
	shift
	SW_CL_AGENT_STATE[$node]=$SW_TMP/bgp-$node.state
	sw_spawn "$SW_TMP/bgp-$node.log" ip netns exec "${SW_CL_NS[$node]}" \
		"$SW_PYTHON" "$SW_CL_BGP" --file-prefix "${SW_CL_PREFIX[$node]}" \
		--birdc-socket "${SW_CL_BIRD_SOCK[$node]}" --interval-ms 200 \
		--state-file "${SW_CL_AGENT_STATE[$node]}" "$@"
	SW_CL_AGENT_PID[$node]=$SW_SPAWNED_PID
	SW_DIAG_LOGS+=("$SW_TMP/bgp-$node.log")
}

# ------------------------------------------------------ the router's view

# sw_cl_nexthops 4|6: the next hops of the router's kernel route to the
# VIP of that family, sorted, one per line (none: no route).
sw_cl_nexthops()
{
	local vip=$SW_CL_VIP4 fam=-4
	[[ $1 == 6 ]] && vip=$SW_CL_VIP6 fam=-6
	ip -n "$SW_NS_ROUTER" "$fam" route show "$vip" 2>/dev/null |
		grep -o 'via [0-9a-f.:]*' | awk '{ print $2 }' | sort
}

# sw_cl_nexthops_are 4|6 NODE...: the kernel route has exactly those
# nodes' outside addresses as next hops (no NODE: no route).
sw_cl_nexthops_are()
{
	local fam=$1 node want="" got
	shift
	for node in "$@"; do
		if [[ $fam == 6 ]]; then
			want+="$(sw_cl_out6 "${node#node}")"$'\n'
		else
			want+="$(sw_cl_out4 "${node#node}")"$'\n'
		fi
	done
	want=$(sort <<<"${want%$'\n'}" | sed '/^$/d')
	got=$(sw_cl_nexthops "$fam")
	[[ $got == "$want" ]]
}

# ------------------------------------------------------------ for tests

# sw_cl_snap VAR NODE: NODE's /synwall/stats (dotted keys) into the
# associative array VAR.
# shellcheck disable=SC2034,SC2178 # dst is a nameref
sw_cl_snap()
{
	local -n dst=$1
	local k
	dst=()
	sw_synwall_stats "${SW_CL_PREFIX[$2]}" || return 1
	for k in "${!SW_STATS[@]}"; do
		dst["$k"]=${SW_STATS[$k]}
	done
}

# sw_cl_flood_start COUNT RATE SECONDS: sw_topo_flood_start's spoofed
# SYNs (198.18.0.0/15, bounded) at the IPv4 VIP port 80, through the
# router's client-side MAC; sw_topo_flood_wait ends it.
sw_cl_flood_start()
{
	local SW_SERVER_MAC=$SW_ROUTER_MAC SW_SERVER_IP4=$SW_CL_VIP4
	local SW_PROTECTED_PORT=$SW_LB_PORT
	sw_topo_flood_start syn "$@"
}

# sw_cl_spoofed_none: no backend counted a packet from 198.18.0.0/15.
sw_cl_spoofed_none()
{
	local b n rc=0
	for b in "${SW_LB_NAMES[@]}"; do
		n=$(sw_lb_nft_counter "$b" spoofed)
		sw_is_eq "$b: packets from 198.18.0.0/15" "${n:-missing}" 0 || rc=1
	done
	return "$rc"
}

# ------------------------------------------------ standalone: hold it

sw__cl_main()
{
	local hold=300 nodes=2 root node
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	while (($#)); do
		case $1 in
		--hold) hold=${2:?--hold needs seconds}; shift 2 ;;
		--nodes) nodes=${2:?--nodes needs 2 or 3}; shift 2 ;;
		-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; return 0 ;;
		*) echo "usage: $0 [--nodes 2|3] [--hold SECONDS]" >&2; return 2 ;;
		esac
	done
	((hold > 0 && hold <= 3600)) || { echo "--hold: 1..3600" >&2; return 2; }
	((nodes >= 2 && nodes <= 3)) || { echo "--nodes: 2 or 3" >&2; return 2; }
	# shellcheck source=scripts/lib/common.sh
	. "$root/scripts/lib/common.sh"
	sw_need_root --sudo --nodes "$nodes" --hold "$hold"
	sw_init topo-cluster
	SW_SYNWALL_BIN=${SW_SYNWALL_BIN:-$root/build/app/synwall/synwall}
	command -v bird >/dev/null 2>&1 || sw_die "bird (Debian: bird2) not installed"
	sw_cl_topo_up "$nodes"
	sw_lb_web_start
	sw_cl_resilient_check
	SW_CL_KEY=$SW_TMP/cookie.key
	sw_cl_keyfile "$SW_CL_KEY"
	sw_cl_bird_up || sw_die "BIRD did not come up"
	for node in "${SW_CL_NODES[@]}"; do
		sw_cl_synwall_start "$node" || sw_die "synwall of $node did not start"
		sw_cl_agent_start "$node"
	done
	sw_wait_for "sw_cl_nexthops_are 4 ${SW_CL_NODES[*]}" 20 0.5 ||
		sw_warn "the router has no ECMP route over all nodes yet"
	cat <<-EOF

	cluster ready ($nodes nodes). In ${hold}s or on Ctrl-C it is removed,
	stopping whatever still runs in its namespaces.
	  client : ip netns exec $SW_NS_CLIENT curl -g http://$SW_CL_VIP4/name
	           (answers only for flows of node1: backends route via node1)
	  router : ip -n $SW_NS_ROUTER route show $SW_CL_VIP4
	           birdc -s ${SW_CL_BIRD_SOCK[router]} show route all
	  nodes  : ${SW_CL_NODES[*]}: birdc -s $SW_TMP/bird-NODE.ctl show protocols
	           telemetry prefixes: ${SW_CL_PREFIX[*]}
	           drain: kill -USR1 PID (synwall-bgp PIDs: ${SW_CL_AGENT_PID[*]})
	  logs and configs: $SW_TMP
	EOF
	sw_spawn /dev/null sleep "$hold"
	wait "$SW_SPAWNED_PID" || true
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	sw__cl_main "$@"
fi
