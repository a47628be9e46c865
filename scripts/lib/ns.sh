# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# scripts/lib/ns.sh: network namespaces and veth pairs, for common.sh
# (which sources it; not meant to be sourced alone). sw_ns_add, sw_ns_del,
# sw_ns_exec, sw_veth, sw_if_mac.

# ------------------------------------------------- namespaces and veth pairs

# sw_ns_add VAR WHAT: create network namespace "sw<runid>-WHAT", name in VAR.
# Loopback up, IPv6 DAD off (addresses usable at once), removed at cleanup.
sw_ns_add()
{
	local var=$1 ns
	ns=$(sw_run_id_name "$2")
	ip netns add "$ns"
	sw_defer sw_ns_del "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
	printf -v "$var" '%s' "$ns"
}

# sw_ns_del NS: stop what still runs in our namespace (only our processes
# can be there: its name is unique to this run), then delete it and with it
# its veth ends.
sw_ns_del()
{
	local ns=$1 pid
	[[ -e /var/run/netns/$ns ]] || return 0
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		sw_stop_pid "$pid" 3 || true
	done
	ip netns del "$ns" 2>/dev/null || sw_warn "could not delete netns $ns"
}

# sw_ns_exec NS CMD...: run CMD inside NS.
sw_ns_exec()
{
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# sw_veth NS_A IF_A NS_B IF_B: a veth pair created directly inside the two
# namespaces (never in the root one), TX checksum offload off on both ends
# (af_packet would otherwise see partial checksums), links up.
sw_veth()
{
	local ns_a=$1 if_a=$2 ns_b=$3 if_b=$4
	ip -n "$ns_a" link add name "$if_a" type veth peer name "$if_b" netns "$ns_b"
	ip netns exec "$ns_a" ethtool -K "$if_a" tx off >/dev/null 2>&1 ||
		sw_warn "ethtool -K $if_a tx off failed"
	ip netns exec "$ns_b" ethtool -K "$if_b" tx off >/dev/null 2>&1 ||
		sw_warn "ethtool -K $if_b tx off failed"
	ip -n "$ns_a" link set "$if_a" up
	ip -n "$ns_b" link set "$if_b" up
}

# sw_if_mac NS IF: print the interface's MAC address (lower case).
sw_if_mac()
{
	ip -n "$1" -o link show dev "$2" |
		sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}
