#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_cluster_flows.sh [SYNWALL_BIN]: connections and downloads through a
# cluster of synwall nodes while the router's ECMP set changes under them
# (scripts/topo_cluster.sh with three nodes: client -- router (BIRD 2,
# kernel multipath, L4 hash) -- node1..node3 -- bridge -- b1 b2). Every
# node source-NATs its flows ([service] nat = snat: the backends answer
# the node that owns a flow) and lists the others as [cluster] peers (a
# node that the router sends another node's flow to passes it to the
# owner). docs/cluster.md describes the design.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   conns. node1 and node2 announced: $CONNS connections to the VIP (one
#      new source port each) all answered, spread over the two nodes
#      (each created 30..70 % of the flows), while a spoofed SYN flood
#      (trafgen, 198.18.0.0/15, bounded) goes to the VIP; no backend sees
#      a packet of the flood.
#   add. $DL downloads of /file (sha256 known) run at a limited rate;
#      node3 starts and is announced (the router's route has three next
#      hops, so about half of the running flows move to another node):
#      every download completes byte-exact, $NEW new connections made
#      after the change all succeed, and the nodes passed segments of
#      moved flows to their owners (cluster counters).
#   drain. $DL downloads running, node1 drained (SIGUSR1 to its
#      synwall-bgp: graceful-shutdown community, the router takes node1
#      out of the multipath route at once): every download completes
#      byte-exact, new connections succeed, and synwall-bgp withdraws
#      node1's route only once its flows have ended. SIGUSR2 ends the
#      drain.
#   kill. $DL downloads running, node2's synwall killed (SIGKILL): its
#      route is withdrawn within $WITHDRAW_S s; new connections succeed
#      after that; every download owned by another node completes
#      byte-exact (only as many downloads fail as node2 had flows).
#      $HELD connections opened before the kill speak only after it
#      (tests/e2e/held_requests.py): each is answered (its owner lives)
#      or reset at once by the node the router moved it to (node2 fell
#      silent: [cluster] peer_timeout_ms); none is left hanging.
#
# Safety: everything runs in namespaces named for this run and removed at
# exit (traps, also on failure); synwall and BIRD run inside them; spoofed
# sources only from 198.18.0.0/15; the flood is bounded in count and time;
# only processes started here are stopped, by PID.
# Exit: 0 all passed, 1 a check failed, 77 skipped (not root, or bird2 or
# another prerequisite cannot be installed).
set -euo pipefail

SW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$SW_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/topo.sh
. "$SW_ROOT/scripts/topo.sh"
# shellcheck source=scripts/topo_cluster.sh
. "$SW_ROOT/scripts/topo_cluster.sh"
# shellcheck source=scripts/lib/packages.sh
. "$SW_ROOT/scripts/lib/packages.sh"

SW_E2E_DEPS=("${SW_PKGS_TEST[@]}" dpdk dpdk-dev util-linux)
CONNS=1000		# conns: connections through ECMP
NEW=100			# new connections after each change
DL=12			# downloads running across each change
DL_RATE=400000		# bytes/s each (slow_get.py): /file (3 MiB) takes ~8 s
WITHDRAW_S=10		# synwall gone -> route withdrawn (polls 200 ms, fall 2)
HELD=24			# kill: connections that speak after the kill
FLOOD_COUNT=20000
FLOOD_RATE=2000
FLOOD_SECS=15
SW_CL_NAT=snat
# The lb helpers (sw_lb_dist) address the cluster's VIPs.
SW_LB_VIP4=$SW_CL_VIP4
SW_LB_VIP6=$SW_CL_VIP6
SW_LB_CLIENT_IP4=$SW_CL_CLIENT_IP4
SW_LB_CLIENT_IP6=$SW_CL_CLIENT_IP6

# node_stat NODE KEY: one counter of NODE now (empty when it does not
# answer).
node_stat()
{
	sw_synwall_stats "${SW_CL_PREFIX[$1]}" 2>/dev/null || return 0
	echo "${SW_STATS[$2]:-0}"
}

# sum_stat KEY NODE...: KEY summed over the NODEs that answer.
sum_stat()
{
	local key=$1 node s=0 v
	shift
	for node in "$@"; do
		v=$(node_stat "$node" "$key")
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# ------------------------------------------------------------ downloads

declare -gA DL_PID=()

# dl_start TAG: $DL downloads of /file through the IPv4 VIP (every third
# over IPv6), each paced to $DL_RATE bytes/s (scripts/lib/slow_get.py),
# given up after 8 s without progress.
dl_start()
{
	local tag=$1 i url
	for ((i = 0; i < DL; i++)); do
		url=http://$SW_CL_VIP4/file
		((i % 3 == 2)) && url=http://[$SW_CL_VIP6]/file
		sw_spawn "$SW_TMP/dl-$tag-$i.log" ip netns exec "$SW_NS_CLIENT" \
			"$SW_PYTHON" "$SW_ROOT/scripts/lib/slow_get.py" "$url" \
			"$SW_TMP/dl-$tag-$i" "$DL_RATE" 8
		DL_PID[$tag-$i]=$SW_SPAWNED_PID
	done
}

# dl_running TAG: how many of TAG's downloads still run.
dl_running()
{
	local i n=0
	for ((i = 0; i < DL; i++)); do
		sw_alive "${DL_PID[$1-$i]}" && n=$((n + 1))
	done
	echo "$n"
}

# dl_wait TAG: wait (bounded) for TAG's downloads; DL_OK, DL_BAD: how
# many arrived byte-exact and how many did not.
dl_wait()
{
	local tag=$1 i got
	sw_wait_for "((\$(dl_running $tag) == 0))" 120 0.5 || true
	DL_OK=0 DL_BAD=0
	for ((i = 0; i < DL; i++)); do
		sw_stop_pid "${DL_PID[$tag-$i]}" 2 2>/dev/null || true
		got=$(sha256sum "$SW_TMP/dl-$tag-$i" 2>/dev/null | cut -d' ' -f1)
		if [[ $got == "$SW_LB_FILE_SHA256" ]]; then
			DL_OK=$((DL_OK + 1))
		else
			DL_BAD=$((DL_BAD + 1))
			sw_diag "download $tag-$i: $(wc -c <"$SW_TMP/dl-$tag-$i" 2>/dev/null || echo 0) bytes; $(head -c 200 "$SW_TMP/dl-$tag-$i.log" 2>/dev/null)"
		fi
	done
}

# new_conns TAG: $NEW connections to the IPv4 VIP, fresh source ports;
# true when all were answered.
new_conns()
{
	local sport out=$SW_TMP/new-$1.out ok fail
	sw_lb_ports sport "$NEW"
	sw_lb_dist "$out" v4 "$NEW" "$sport" 8 || true
	ok=$(awk '$1 == "ok" { print $2 }' "$out")
	fail=$(awk '$1 == "fail" { print $2 }' "$out")
	((${ok:-0} == NEW && ${fail:-1} == 0)) && return 0
	sw_diag "$1: ${ok:-0} of $NEW answered; $(head -c 300 "$out.err" 2>/dev/null)"
	return 1
}

# forwarded NODE...: segments the NODEs passed to a flow's owner.
forwarded()
{
	sum_stat cluster.fwd_tx "$@"
}

# ---------------------------------------------------------------- conns

phase_conns()
{
	local sport out=$SW_TMP/conns.out ok fail c1 c2 lo hi
	local -A A0 B0 A1 B1
	sw_log "conns: $CONNS connections through ECMP, a spoofed flood beside them"
	sw_cl_snap A0 node1 && sw_cl_snap B0 node2 || sw_die "no telemetry from the nodes"
	sw_cl_flood_start "$FLOOD_COUNT" "$FLOOD_RATE" "$FLOOD_SECS" ||
		sw_die "cannot start the flood"
	sw_lb_ports sport "$CONNS"
	sw_lb_dist "$out" v4 "$CONNS" "$sport" 16 || true
	sw_topo_flood_wait
	sw_cl_snap A1 node1 && sw_cl_snap B1 node2 || sw_die "no telemetry from the nodes"
	ok=$(awk '$1 == "ok" { print $2 }' "$out")
	fail=$(awk '$1 == "fail" { print $2 }' "$out")
	sw_check "conns: $CONNS connections through the router all answered (${ok:-0} ok, ${fail:-?} failed)" \
		sw_is_eq "answered" "${ok:-0}" "$CONNS"
	c1=$((${A1[flow.created]:-0} - ${A0[flow.created]:-0}))
	c2=$((${B1[flow.created]:-0} - ${B0[flow.created]:-0}))
	sw_diag "flows created: node1 $c1, node2 $c2; flood: $SW_FLOOD_SENT SYNs sent"
	lo=$((CONNS * 3 / 10)) hi=$((CONNS * 7 / 10))
	sw_check "conns: node1 created 30..70 % of the flows ($c1)" \
		sw_in_range "node1 flow.created growth" "$c1" "$lo" "$hi"
	sw_check "conns: node2 created 30..70 % of the flows ($c2)" \
		sw_in_range "node2 flow.created growth" "$c2" "$lo" "$hi"
	sw_check "conns: the flood reached the nodes (syn_rx grew by >= half of $SW_FLOOD_SENT)" \
		sw_at_least "syn_rx growth, both nodes" \
		$((${A1[syncookie.syn_rx]:-0} - ${A0[syncookie.syn_rx]:-0} + \
		${B1[syncookie.syn_rx]:-0} - ${B0[syncookie.syn_rx]:-0})) $((SW_FLOOD_SENT / 2))
	sw_check "conns: no backend saw a packet from 198.18.0.0/15" sw_cl_spoofed_none
}

# ------------------------------------------------------------------ add

phase_add()
{
	local f0 f1 rc=0
	sw_log "add: node3 joins while $DL downloads run"
	f0=$(forwarded node1 node2)
	dl_start add
	sleep 2
	sw_cl_synwall_start node3 || sw_die "synwall of node3 does not start"
	sw_cl_agent_start node3
	sw_wait_for "sw_cl_nexthops_are 4 node1 node2 node3" 30 0.3 || rc=1
	sw_check "add: the router's route has three next hops" sw_is_eq "three next hops" "$rc" 0
	sw_diag "downloads still running when node3 came: $(dl_running add) of $DL"
	sw_check "add: $NEW new connections after node3 joined all answered" new_conns add
	dl_wait add
	f1=$(forwarded node1 node2 node3)
	sw_diag "segments passed to their owners: $((f1 - f0)); claims: $(sum_stat cluster.claim_tx node1 node2 node3) sent"
	sw_check "add: all $DL downloads across the change byte-exact ($DL_OK ok)" \
		sw_is_eq "downloads byte-exact" "$DL_OK" "$DL"
	sw_check "add: moved flows were passed to their owners (cluster.fwd_tx +$((f1 - f0)))" \
		sw_at_least "cluster.fwd_tx growth" $((f1 - f0)) 1
}

# ---------------------------------------------------------------- drain

phase_drain()
{
	local rc=0 state
	sw_log "drain: node1 drained while $DL downloads run"
	dl_start drain
	sleep 2
	kill -USR1 "${SW_CL_AGENT_PID[node1]}"
	sw_wait_for "sw_cl_nexthops_are 4 node2 node3" 15 0.2 || rc=1
	sw_check "drain: the router takes node1 out of its route" sw_is_eq "node1 out" "$rc" 0
	sw_diag "downloads still running when node1 left the route: $(dl_running drain) of $DL"
	sw_check "drain: $NEW new connections during the drain all answered" new_conns drain
	dl_wait drain
	sw_check "drain: all $DL downloads across the drain byte-exact ($DL_OK ok)" \
		sw_is_eq "downloads byte-exact" "$DL_OK" "$DL"
	rc=0
	sw_wait_for "grep -q '^withdrawn' '${SW_CL_AGENT_STATE[node1]}'" 40 0.5 || rc=1
	state=$(cat "${SW_CL_AGENT_STATE[node1]}" 2>/dev/null) || state=none
	sw_check "drain: node1 withdrawn once its flows ended ($state)" sw_is_eq "withdrawn" "$rc" 0
	kill -USR2 "${SW_CL_AGENT_PID[node1]}"
	rc=0
	sw_wait_for "sw_cl_nexthops_are 4 node1 node2 node3" 30 0.3 || rc=1
	sw_check "drain: ended (SIGUSR2): node1 back in the route" sw_is_eq "node1 back" "$rc" 0
}

# ----------------------------------------------------------------- kill

# held_ok OUT: every held connection answered or reset, none hanging.
held_ok()
{
	local v
	for v in ok reset timeout error; do
		local "$v=$(awk -v k=$v '$1 == k { print $2 }' "$1")"
	done
	((${ok:-0} + ${reset:-0} == HELD && ${timeout:-1} == 0 &&
		${error:-1} == 0)) && return 0
	sw_diag "held: ok ${ok:-?}, reset ${reset:-?}, timeout ${timeout:-?}, error ${error:-?} of $HELD"
	grep -v '^conn .* ok ' "$1" | head -5 | sed 's/^/# /' >&2
	return 1
}

# held_reset OUT GONE_RST: node2's held connections were reset by the
# survivors (at least one of $HELD: node2 owned none with odds 1 in
# 16,000), each by a RST of theirs.
held_reset()
{
	local reset
	reset=$(awk '$1 == "reset" { print $2 }' "$1")
	((${reset:-0} >= 1 && $2 >= ${reset:-0})) && return 0
	sw_diag "held: ${reset:-0} reset, cluster.gone_rst at node1 + node3 $2"
	return 1
}

phase_kill()
{
	local rc=0 owned t0 t1 held_pid out=$SW_TMP/held.out gone
	sw_log "kill: node2's synwall killed while $DL downloads run"
	rm -f "$SW_TMP/held.go"
	sw_spawn "$out" ip netns exec "$SW_NS_CLIENT" "$SW_PYTHON" \
		"$SW_ROOT/tests/e2e/held_requests.py" "$SW_CL_VIP4" 80 "$HELD" \
		"$SW_TMP/held.go" 8
	held_pid=$SW_SPAWNED_PID
	sw_wait_for "grep -q '^ready' '$out'" 20 0.2 ||
		sw_diag "held connections not ready: $(head -c 300 "$out")"
	dl_start kill
	sleep 3
	owned=$(node_stat node2 flow.active)
	t0=$(sw_now_ms)
	kill -KILL "${SW_CL_PID[node2]}"
	sw_wait_for "sw_cl_nexthops_are 4 node1 node3" "$WITHDRAW_S" 0.1 || rc=1
	t1=$(sw_now_ms)
	SW_CL_PID[node2]=""
	sw_check "kill: node2's route withdrawn within $WITHDRAW_S s ($((t1 - t0)) ms)" \
		sw_is_eq "withdrawn" "$rc" 0
	sw_check "kill: $NEW new connections after the withdrawal all answered" new_conns kill
	# node2 silent for longer than peer_timeout_ms (1 s) by now.
	touch "$SW_TMP/held.go"
	sw_wait_for "! sw_alive $held_pid" 30 0.2 || true
	sw_stop_pid "$held_pid" 2 2>/dev/null || true
	gone=$(sum_stat cluster.gone_rst node1 node3)
	sw_diag "held connections: $(grep -v '^conn' "$out" | tr '\n' ' ')(resets within $(awk '$1 == "conn" && $3 == "reset" && $4 > m { m = $4 } END { print m + 0 }' "$out") ms of speaking); node1 peer_down $(node_stat node1 cluster.peer_down), node3 $(node_stat node3 cluster.peer_down)"
	sw_check "kill: $HELD connections that spoke after the kill were answered or reset, none left hanging" \
		held_ok "$out"
	sw_check "kill: node2's among them were reset by the node the router moved them to (gone_rst $gone)" \
		held_reset "$out" "$gone"
	dl_wait kill
	sw_diag "node2 owned ${owned:-?} flows when it died; downloads: $DL_OK ok, $DL_BAD lost"
	sw_check "kill: the downloads of the other nodes completed byte-exact (lost $DL_BAD <= node2's ${owned:-?} flows)" \
		sw_at_least "downloads byte-exact" "$DL_OK" $((DL - ${owned:-0}))
}

main()
{
	local node t0
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_pmd_resolve
	sw_init e2e-cluster-flows
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	command -v bird >/dev/null 2>&1 && command -v birdc >/dev/null 2>&1 ||
		sw_skip "BIRD 2 (Debian package bird2: bird, birdc) is not installed"
	sw_require_cmds ip ethtool curl nginx trafgen nft dpdk-telemetry.py
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "lb mode needs synwall, not a stand-in"
	t0=$(sw_now_ms)

	sw_cl_topo_up 3
	sw_lb_web_start || sw_die "nginx does not start in the backends"
	sw_lb_nft_counters_start || sw_die "nftables counters in the backends"
	SW_CL_KEY=$SW_TMP/cookie.key
	sw_cl_keyfile "$SW_CL_KEY"
	if ! sw_cl_bird_up; then
		sw_check "BIRD runs on the router and the nodes, BGP sessions established" false
		sw_checks_done
		return
	fi
	for node in node1 node2; do
		sw_cl_synwall_start "$node" || sw_die "synwall of $node does not start"
		sw_cl_agent_start "$node" --drain-grace 2 --drain-timeout 60
	done
	sw_wait_for "sw_cl_nexthops_are 4 node1 node2" 30 0.3 ||
		sw_die "the router has no route over node1 and node2"

	phase_conns
	phase_add
	phase_drain
	phase_kill
	for node in node1 node3; do
		sw_synwall_stop_checks "end $node" "${SW_CL_PID[$node]}" "${SW_CL_LOG[$node]}"
	done
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	sw_checks_done
}

main "$@"
