#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_cluster.sh [SYNWALL_BIN]: two synwall nodes (lb mode, one key file)
# behind an ECMP router that learns the VIP over BGP (scripts/
# topo_cluster.sh: client -- router (BIRD 2, kernel multipath, L4 hash) --
# node1, node2 (synwall + BIRD 2 + synwall-bgp each) -- bridge -- b1 b2).
# docs/cluster.md describes the design.
#
# Checks, each printed as "ok - NAME" / "not ok - NAME":
#   routes. With both nodes up the router's kernel route to the VIP (IPv4
#      and IPv6) has both nodes' outside addresses as next hops. SIGTERM to
#      node2's synwall (by PID): synwall-bgp withdraws node2 within
#      $WITHDRAW_S s; synwall started again: node2 is back within
#      $RETURN_S s. Drain of node1 (SIGUSR1 to its synwall-bgp): the
#      router's BIRD shows node1's route with the graceful-shutdown
#      community (65535,0) and local preference 0 while the kernel route
#      holds node2 alone, and only after that node1's route is withdrawn;
#      SIGUSR2 brings it back.
#   anykey. The router steers (nftables mark + policy routing) pure SYNs
#      to node1 and every other segment to node2; the backends route via
#      node2. A download (IPv4 and IPv6) through the VIP is byte-exact:
#      node1 answered the SYN (synack_tx) and validated no cookie, node2
#      validated node1's cookie (cookie_ok), saw no SYN, and relayed the
#      flow (established).
#   spread. With the steering gone, $SPREAD_N SYNs from one client
#      address and $SPREAD_N source ports (scapy) reach the nodes
#      through ECMP: each node's syncookie.syn_rx grew by 25..75 % of
#      them, both by 90 % at least. A spoofed SYN flood (trafgen,
#      198.18.0.0/15, at most $FLOOD_COUNT packets / $FLOOD_SECS s) to
#      the VIP reaches both nodes and no backend (nftables counters).
#   survive. Every segment to the VIP via node1 (policy routing; the
#      backends route via node1): a rate-limited download of /big (IPv4
#      and IPv6, 24 MiB at 8 MiB/s) starts, then the route moves to node2
#      as a rehash moves a flow. The download completes byte-exact; node2
#      made no flow, reset nothing and sent at least $SURVIVE_FWD of the
#      client's segments on to node1 (cluster.fwd_tx), which took them
#      (cluster.fwd_rx); node1 had claimed the flow to node2.
#      Then (IPv4) the same with node2's synwall restarted while the
#      download runs via node1, before the move: node1 took the
#      restarted node2's sync request (cluster.sync_rx) and claimed the
#      flow to it again, so node2 forwards without asking (no lookup).
#   badkey. node2 restarted with another key file, the SYN-to-node1
#      steering back: a connection fails, node2 counts bad cookies and
#      sends no backend SYN.
#   end. SIGTERM stops each synwall with status 0; stopping node1's
#      synwall-bgp withdraws its route.
#
# Safety: everything runs in namespaces named for this run and removed at
# exit (traps, also on failure); synwall and BIRD run inside them, BIRD's
# sockets and configs are in the run's temp dir; spoofed sources only from
# 198.18.0.0/15; the flood is bounded in count and time; only processes
# started here are stopped, by PID.
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
SYNS=$SW_ROOT/tests/e2e/cluster_syns.py
WITHDRAW_S=10		# synwall gone -> route withdrawn (polls 200 ms, fall 2)
RETURN_S=30		# synwall started -> route back (start-up, rise 2)
DRAIN_GRACE=4		# synwall-bgp --drain-grace
SPREAD_N=400
FLOOD_COUNT=20000
FLOOD_RATE=4000
FLOOD_SECS=15
NFT_RT=synwall_cluster	# the steering table on the router
SURVIVE_FWD=100		# client segments node2 sends on to node1, at least

# grew A B KEY: B[KEY] - A[KEY] (arrays by name).
grew()
{
	local -n a=$1 b=$2
	echo $((${b[$3]:-0} - ${a[$3]:-0}))
}

# ----------------------------------------------------------------- routes

# gshut_then_withdrawn NODE TIMEOUT: poll the router's BIRD: NODE's IPv4
# route must show (65535,0) with local preference 0, the kernel route
# hold only the other node meanwhile, then NODE's route disappear.
# Sets GSHUT_SEEN, KERNEL_OTHER_ONLY, WITHDRAWN_AFTER (0/1).
gshut_then_withdrawn()
{
	local node=$1 other=$2 timeout=$3 t0 out
	GSHUT_SEEN=0 KERNEL_OTHER_ONLY=0 WITHDRAWN_AFTER=0
	t0=$(sw_now_ms)
	while (($(sw_now_ms) - t0 < timeout * 1000)); do
		out=$(sw_cl_birdc router show route all "$SW_CL_VIP4/32" 2>/dev/null |
			awk -v p="[${node}_4 " 'index($0, p) { on = 1; print; next }
				/unicast \[/ { on = 0 } on') || true
		if [[ -z $out ]]; then
			((GSHUT_SEEN)) && WITHDRAWN_AFTER=1
			((GSHUT_SEEN)) && return 0
		elif grep -q '(65535,0)' <<<"$out" &&
			grep -q 'BGP.local_pref: 0' <<<"$out"; then
			GSHUT_SEEN=1
			sw_cl_nexthops_are 4 "$other" && KERNEL_OTHER_ONLY=1
		fi
		sleep 0.1
	done
	return 1
}

phase_routes()
{
	local t0 ms rc
	sw_log "routes: ECMP, health withdrawal, drain"
	sw_wait_for "sw_cl_nexthops_are 4 node1 node2 && sw_cl_nexthops_are 6 node1 node2" 30 0.3 || true
	sw_diag "router: $(sw_cl_nexthops 4 | tr '\n' ' ')/ $(sw_cl_nexthops 6 | tr '\n' ' ')"
	sw_check "routes: the router's IPv4 route to $SW_CL_VIP4 has both nodes as next hops" \
		sw_cl_nexthops_are 4 node1 node2
	sw_check "routes: the router's IPv6 route to $SW_CL_VIP6 has both nodes as next hops" \
		sw_cl_nexthops_are 6 node1 node2

	# synwall of node2 stops: its synwall-bgp sees telemetry go.
	t0=$(sw_now_ms)
	rc=0
	sw_stop_pid "${SW_CL_PID[node2]}" 10 || rc=$?
	sw_check "routes: node2's synwall exits with status 0 on SIGTERM" sw_is_eq "exit status" "$rc" 0
	rc=0
	sw_wait_for "sw_cl_nexthops_are 4 node1 && sw_cl_nexthops_are 6 node1" "$WITHDRAW_S" 0.1 || rc=1
	ms=$(($(sw_now_ms) - t0))
	sw_diag "node2 withdrawn $ms ms after SIGTERM; router: $(sw_cl_nexthops 4 | tr '\n' ' ')"
	sw_check "routes: node2 withdrawn (both families) within ${WITHDRAW_S}s of its synwall stopping" \
		sw_is_eq "withdrawn" "$rc" 0

	t0=$(sw_now_ms)
	sw_cl_synwall_start node2 || sw_die "synwall of node2 does not start again"
	rc=0
	sw_wait_for "sw_cl_nexthops_are 4 node1 node2 && sw_cl_nexthops_are 6 node1 node2" "$RETURN_S" 0.2 || rc=1
	sw_diag "node2 back $(($(sw_now_ms) - t0)) ms after its start"
	sw_check "routes: node2 announced again within ${RETURN_S}s of synwall starting" \
		sw_is_eq "announced" "$rc" 0

	# Drain node1.
	kill -USR1 "${SW_CL_AGENT_PID[node1]}"
	rc=0
	gshut_then_withdrawn node1 node2 $((DRAIN_GRACE + 15)) || rc=1
	sw_check "routes: drain: node1's route carries (65535,0), local preference 0, at the router" \
		sw_is_eq "graceful shutdown seen" "$GSHUT_SEEN" 1
	sw_check "routes: drain: meanwhile the kernel route holds node2 alone" \
		sw_is_eq "node2 alone" "$KERNEL_OTHER_ONLY" 1
	sw_check "routes: drain: then node1's route is withdrawn" \
		sw_is_eq "withdrawn after graceful shutdown" "$WITHDRAWN_AFTER" 1
	kill -USR2 "${SW_CL_AGENT_PID[node1]}"
	rc=0
	sw_wait_for "sw_cl_nexthops_are 4 node1 node2" 15 0.2 || rc=1
	sw_check "routes: drain ended (SIGUSR2): node1 announced again" sw_is_eq "announced" "$rc" 0
}

# ----------------------------------------------------------------- anykey

# steer A B: on the router, pure SYNs to the VIPs via node A, every
# other segment via node B (nftables marks, policy routing); the
# backends route via B.
steer()
{
	local a=${1#node} b=${2#node}
	sw_ns_exec "$SW_NS_ROUTER" nft -f - <<-EOF
	table inet $NFT_RT {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			ip daddr $SW_CL_VIP4 tcp flags & (syn | ack) == syn meta mark set 1
			ip daddr $SW_CL_VIP4 tcp flags & (syn | ack) != syn meta mark set 2
			ip6 daddr $SW_CL_VIP6 tcp flags & (syn | ack) == syn meta mark set 1
			ip6 daddr $SW_CL_VIP6 tcp flags & (syn | ack) != syn meta mark set 2
		}
	}
	EOF
	ip -n "$SW_NS_ROUTER" route replace "$SW_CL_VIP4" via "$(sw_cl_out4 "$a")" table 101
	ip -n "$SW_NS_ROUTER" route replace "$SW_CL_VIP4" via "$(sw_cl_out4 "$b")" table 102
	ip -n "$SW_NS_ROUTER" -6 route replace "$SW_CL_VIP6" via "$(sw_cl_out6 "$a")" table 101
	ip -n "$SW_NS_ROUTER" -6 route replace "$SW_CL_VIP6" via "$(sw_cl_out6 "$b")" table 102
	ip -n "$SW_NS_ROUTER" rule add fwmark 1 table 101 priority 101
	ip -n "$SW_NS_ROUTER" rule add fwmark 2 table 102 priority 102
	ip -n "$SW_NS_ROUTER" -6 rule add fwmark 1 table 101 priority 101
	ip -n "$SW_NS_ROUTER" -6 rule add fwmark 2 table 102 priority 102
	sw_cl_backend_gw "$b"
}

unsteer()
{
	sw_ns_exec "$SW_NS_ROUTER" nft delete table inet "$NFT_RT" 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" rule del priority 101 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" rule del priority 102 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" -6 rule del priority 101 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" -6 rule del priority 102 2>/dev/null || true
	sw_cl_backend_gw 1
}

# fetch URL OUT: curl from the client (bounded), body to OUT.
fetch()
{
	sw_ns_exec "$SW_NS_CLIENT" curl -gsS --max-time 20 -o "$2" "$1" 2>"$2.err"
}

# sha_is FILE [SHA256]: FILE is /file (or has SHA256).
sha_is()
{
	local got want=${2:-$SW_LB_FILE_SHA256}
	got=$(sha256sum "$1" 2>/dev/null | cut -d' ' -f1)
	[[ $got == "$want" ]] && return 0
	sw_diag "sha256 of $1: ${got:-none}, expected $want ($(head -c 200 "$1.err" 2>/dev/null))"
	return 1
}

phase_anykey()
{
	local fam url
	local -A A0 A1 B0 B1
	sw_log "anykey: SYN to node1, the rest to node2"
	steer node1 node2
	for fam in v4 v6; do
		if [[ $fam == v6 ]]; then url=http://[$SW_CL_VIP6]/file; else url=http://$SW_CL_VIP4/file; fi
		sw_cl_snap A0 node1 && sw_cl_snap B0 node2 || sw_die "no telemetry from the nodes"
		fetch "$url" "$SW_TMP/anykey-$fam" || true
		sw_cl_snap A1 node1 && sw_cl_snap B1 node2 || sw_die "no telemetry from the nodes"
		sw_check "anykey $fam: /file through the VIP, SYN via node1, the rest via node2: byte-exact" \
			sha_is "$SW_TMP/anykey-$fam"
		sw_check "anykey $fam: node1 answered the SYN (synack_tx +$(grew A0 A1 syncookie.synack_tx))" \
			sw_at_least "node1 synack_tx growth" "$(grew A0 A1 syncookie.synack_tx)" 1
		sw_check "anykey $fam: node1 validated no cookie" \
			sw_is_eq "node1 cookie_ok growth" "$(grew A0 A1 syncookie.cookie_ok)" 0
		sw_check "anykey $fam: node2 saw no SYN" \
			sw_is_eq "node2 syn_rx growth" "$(grew B0 B1 syncookie.syn_rx)" 0
		sw_check "anykey $fam: node2 validated node1's cookie (cookie_ok +$(grew B0 B1 syncookie.cookie_ok))" \
			sw_at_least "node2 cookie_ok growth" "$(grew B0 B1 syncookie.cookie_ok)" 1
		sw_check "anykey $fam: node2 opened the backend connection (established +$(grew B0 B1 flow.established))" \
			sw_at_least "node2 established growth" "$(grew B0 B1 flow.established)" 1
	done
	unsteer
}

# ---------------------------------------------------------------- survive

# route_all K: every TCP segment to the VIPs via node K (nftables mark,
# policy routing table 103); the backends route via node 1.
route_all()
{
	sw_ns_exec "$SW_NS_ROUTER" nft -f - <<-EOF
	table inet $NFT_RT {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			ip daddr $SW_CL_VIP4 meta l4proto tcp meta mark set 3
			ip6 daddr $SW_CL_VIP6 meta l4proto tcp meta mark set 3
		}
	}
	EOF
	ip -n "$SW_NS_ROUTER" route replace "$SW_CL_VIP4" via "$(sw_cl_out4 "$1")" table 103
	ip -n "$SW_NS_ROUTER" -6 route replace "$SW_CL_VIP6" via "$(sw_cl_out6 "$1")" table 103
	ip -n "$SW_NS_ROUTER" rule add fwmark 3 table 103 priority 103 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" -6 rule add fwmark 3 table 103 priority 103 2>/dev/null || true
}

route_all_end()
{
	sw_ns_exec "$SW_NS_ROUTER" nft delete table inet "$NFT_RT" 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" rule del priority 103 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" -6 rule del priority 103 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" route flush table 103 2>/dev/null || true
	ip -n "$SW_NS_ROUTER" -6 route flush table 103 2>/dev/null || true
}

phase_survive()
{
	local fam url pid rc
	local -A A0 A1 B0 B1
	sw_log "survive: a download moves from node1 to node2 mid-way"
	sw_cl_backend_gw 1
	for fam in v4 v6; do
		if [[ $fam == v6 ]]; then url=http://[$SW_CL_VIP6]/big; else url=http://$SW_CL_VIP4/big; fi
		route_all 1
		sw_cl_snap A0 node1 && sw_cl_snap B0 node2 || sw_die "no telemetry from the nodes"
		# /big (24 MiB) at 8 MiB/s: about 3 s, moved after 1 s, when
		# the client's socket buffer cannot hold the rest: its ACKs and
		# window updates go on for seconds, via node2.
		sw_ns_exec "$SW_NS_CLIENT" curl -gsS --max-time 30 --limit-rate 8M \
			-o "$SW_TMP/survive-$fam" "$url" 2>"$SW_TMP/survive-$fam.err" &
		pid=$!
		sleep 1
		ip -n "$SW_NS_ROUTER" route replace "$SW_CL_VIP4" via "$(sw_cl_out4 2)" table 103
		ip -n "$SW_NS_ROUTER" -6 route replace "$SW_CL_VIP6" via "$(sw_cl_out6 2)" table 103
		rc=0
		wait "$pid" || rc=$?
		sw_cl_snap A1 node1 && sw_cl_snap B1 node2 || sw_die "no telemetry from the nodes"
		route_all_end
		sw_check "survive $fam: the download moved from node1 to node2 mid-way completes byte-exact (curl $rc)" \
			sha_is "$SW_TMP/survive-$fam" "$SW_LB_BIG_SHA256"
		sw_check "survive $fam: node1 made the flow (created +$(grew A0 A1 flow.created)) and claimed it (claim_tx +$(grew A0 A1 cluster.claim_tx))" \
			sw_at_least "node1 claim_tx growth" "$(grew A0 A1 cluster.claim_tx)" 1
		sw_check "survive $fam: node2 made no flow of its own" \
			sw_is_eq "node2 created growth" "$(grew B0 B1 flow.created)" 0
		sw_check "survive $fam: node2 sent the client's segments on to node1 (fwd_tx +$(grew B0 B1 cluster.fwd_tx))" \
			sw_at_least "node2 fwd_tx growth" "$(grew B0 B1 cluster.fwd_tx)" "$SURVIVE_FWD"
		sw_check "survive $fam: node1 took them as from outside (fwd_rx +$(grew A0 A1 cluster.fwd_rx))" \
			sw_at_least "node1 fwd_rx growth" "$(grew A0 A1 cluster.fwd_rx)" 1
		sw_check "survive $fam: node2 reset nothing (rst_tx +$(grew B0 B1 syncookie.rst_tx), flow.rst_tx +$(grew B0 B1 flow.rst_tx))" \
			sw_is_eq "node2 RSTs" "$(($(grew B0 B1 syncookie.rst_tx) + $(grew B0 B1 flow.rst_tx)))" 0
	done
	survive_restart
}

# survive_restart: a download via node1; node2's synwall restarted
# meanwhile (its foreign entries gone); its sync request makes node1
# claim the flow to it again before the route moves to node2.
survive_restart()
{
	local url=http://$SW_CL_VIP4/big pid rc
	local -A A0 A1 B0 B1
	route_all 1
	sw_cl_snap A0 node1 || sw_die "no telemetry from node1"
	# 24 MiB at 2 MiB/s: about 12 s, for a restart in the middle.
	sw_ns_exec "$SW_NS_CLIENT" curl -gsS --max-time 60 --limit-rate 2M \
		-o "$SW_TMP/survive-restart" "$url" 2>"$SW_TMP/survive-restart.err" &
	pid=$!
	sleep 1
	sw_cl_synwall_stop node2
	sw_cl_synwall_start node2 || sw_die "synwall of node2 does not start again"
	sleep 1		# the sync walk: a 20 k-entry table, well under that
	sw_cl_snap B0 node2 || sw_die "no telemetry from node2"
	ip -n "$SW_NS_ROUTER" route replace "$SW_CL_VIP4" via "$(sw_cl_out4 2)" table 103
	rc=0
	wait "$pid" || rc=$?
	sw_cl_snap A1 node1 && sw_cl_snap B1 node2 || sw_die "no telemetry from the nodes"
	route_all_end
	sw_check "survive restart: the download completes byte-exact across node2's restart and the move (curl $rc)" \
		sha_is "$SW_TMP/survive-restart" "$SW_LB_BIG_SHA256"
	sw_check "survive restart: node1 took node2's sync request (sync_rx +$(grew A0 A1 cluster.sync_rx)) and claimed the flow again (claim_tx +$(grew A0 A1 cluster.claim_tx))" \
		sw_at_least "node1 sync_rx growth" "$(grew A0 A1 cluster.sync_rx)" 1
	sw_check "survive restart: node2 forwarded (fwd_tx +$(grew B0 B1 cluster.fwd_tx)) without a lookup (lookup_tx +$(grew B0 B1 cluster.lookup_tx))" \
		sw_is_eq "node2 lookups" "$(grew B0 B1 cluster.lookup_tx)" 0
	sw_check "survive restart: node2 made no flow" \
		sw_is_eq "node2 created growth" "$(grew B0 B1 flow.created)" 0
	sw_check "survive restart: node2 sent at least $SURVIVE_FWD segments on" \
		sw_at_least "node2 fwd_tx growth" "$(grew B0 B1 cluster.fwd_tx)" "$SURVIVE_FWD"
}

# ----------------------------------------------------------------- spread

# spread_arrived: SPREAD1 / SPREAD2, the growth of syn_rx of node1 /
# node2 since the caller's S1_0 / S2_0; true once all SYNs are counted.
spread_arrived()
{
	local -A a b
	sw_cl_snap a node1 && sw_cl_snap b node2 || return 1
	SPREAD1=$((${a[syncookie.syn_rx]} - ${S1_0[syncookie.syn_rx]}))
	SPREAD2=$((${b[syncookie.syn_rx]} - ${S2_0[syncookie.syn_rx]}))
	((SPREAD1 + SPREAD2 >= SPREAD_N))
}

phase_spread()
{
	local out lo hi sport
	local -A S1_0 S2_0 F1 F2
	sw_log "spread: $SPREAD_N SYNs through ECMP, then a spoofed flood"
	sw_cl_snap S1_0 node1 && sw_cl_snap S2_0 node2 || sw_die "no telemetry from the nodes"
	sw_lb_ports sport "$SPREAD_N"
	out=$(sw_ns_exec "$SW_NS_CLIENT" timeout 120 "$SW_PYTHON" "$SYNS" \
		"$SW_CL_CLIENT_IP4" "$SW_CL_VIP4" "$SW_LB_PORT" "$sport" "$SPREAD_N" 400 2>&1) ||
		sw_diag "cluster_syns.py: $out"
	SPREAD1=0 SPREAD2=0
	sw_wait_for spread_arrived 10 0.3 || true
	sw_diag "SYNs counted: node1 $SPREAD1, node2 $SPREAD2 of $SPREAD_N sent"
	lo=$((SPREAD_N / 4)) hi=$((SPREAD_N * 3 / 4))
	sw_check "spread: node1 got 25..75 % of $SPREAD_N SYNs ($SPREAD1)" \
		sw_in_range "node1 syn_rx growth" "$SPREAD1" "$lo" "$hi"
	sw_check "spread: node2 got 25..75 % of $SPREAD_N SYNs ($SPREAD2)" \
		sw_in_range "node2 syn_rx growth" "$SPREAD2" "$lo" "$hi"
	sw_check "spread: at least 90 % of the SYNs reached a node" \
		sw_at_least "syn_rx growth, both nodes" $((SPREAD1 + SPREAD2)) $((SPREAD_N * 9 / 10))

	sw_cl_snap S1_0 node1 && sw_cl_snap S2_0 node2 || sw_die "no telemetry from the nodes"
	flood
	sleep 1
	sw_cl_snap F1 node1 && sw_cl_snap F2 node2 || sw_die "no telemetry from the nodes"
	SPREAD1=$((${F1[syncookie.syn_rx]} - ${S1_0[syncookie.syn_rx]}))
	SPREAD2=$((${F2[syncookie.syn_rx]} - ${S2_0[syncookie.syn_rx]}))
	sw_diag "flood: $SW_FLOOD_SENT sent; syn_rx node1 +$SPREAD1, node2 +$SPREAD2"
	sw_check "spread: the spoofed flood reached node1 (>= 20 % of $SW_FLOOD_SENT)" \
		sw_at_least "node1 syn_rx growth" "$SPREAD1" $((SW_FLOOD_SENT / 5))
	sw_check "spread: the spoofed flood reached node2 (>= 20 % of $SW_FLOOD_SENT)" \
		sw_at_least "node2 syn_rx growth" "$SPREAD2" $((SW_FLOOD_SENT / 5))
	sw_check "spread: no backend saw a packet from 198.18.0.0/15" sw_cl_spoofed_none
}

# flood: a bounded spoofed SYN flood at the IPv4 VIP, to its end; the
# count sent in SW_FLOOD_SENT.
flood()
{
	sw_cl_flood_start "$FLOOD_COUNT" "$FLOOD_RATE" "$FLOOD_SECS" && sw_topo_flood_wait
}

# ----------------------------------------------------------------- badkey

phase_badkey()
{
	# shellcheck disable=SC2034 # read through grew's namerefs
	local -A A0 A1 B0 B1
	local rc=0
	sw_log "badkey: node2 with another key file"
	sw_cl_synwall_stop node2
	sw_cl_keyfile "$SW_TMP/other.key"
	sw_cl_synwall_start node2 "$SW_TMP/other.key" || sw_die "synwall of node2 does not start"
	steer node1 node2
	sw_cl_snap A0 node1 && sw_cl_snap B0 node2 || sw_die "no telemetry from the nodes"
	sw_ns_exec "$SW_NS_CLIENT" curl -gsS --max-time 4 -o /dev/null \
		"http://$SW_CL_VIP4/name" 2>/dev/null || rc=$?
	sw_cl_snap A1 node1 && sw_cl_snap B1 node2 || sw_die "no telemetry from the nodes"
	unsteer
	sw_check "badkey: the connection fails (curl status $rc)" sw_at_least "curl status" "$rc" 1
	sw_check "badkey: node1 answered the SYN" \
		sw_at_least "node1 synack_tx growth" "$(grew A0 A1 syncookie.synack_tx)" 1
	sw_check "badkey: node2 refused node1's cookie (cookie_bad +$(grew B0 B1 syncookie.cookie_bad))" \
		sw_at_least "node2 cookie_bad growth" "$(grew B0 B1 syncookie.cookie_bad)" 1
	sw_check "badkey: node2 validated no cookie" \
		sw_is_eq "node2 cookie_ok growth" "$(grew B0 B1 syncookie.cookie_ok)" 0
	sw_check "badkey: node2 sent no backend SYN" \
		sw_is_eq "node2 backend_syn_tx growth" "$(grew B0 B1 flow.backend_syn_tx)" 0
}

# -------------------------------------------------------------------- end

phase_end()
{
	local node rc
	sw_stop_pid "${SW_CL_AGENT_PID[node1]}" 5 || true
	rc=0
	sw_wait_for "sw_cl_nexthops_are 4 node2" 5 0.1 || rc=1
	sw_check "end: stopping node1's synwall-bgp withdraws its route" sw_is_eq "withdrawn" "$rc" 0
	for node in "${SW_CL_NODES[@]}"; do
		sw_synwall_stop_checks "end $node" "${SW_CL_PID[$node]}" "${SW_CL_LOG[$node]}"
	done
}

main()
{
	local node t0
	SW_SYNWALL_BIN=${1:-$SW_ROOT/build/app/synwall/synwall}
	sw_need_root
	sw_pmd_resolve
	sw_init e2e-cluster
	sw_install_deps "${SW_E2E_DEPS[@]}" ||
		sw_skip "cannot install ${SW_E2E_DEPS[*]}"
	command -v bird >/dev/null 2>&1 && command -v birdc >/dev/null 2>&1 ||
		sw_skip "BIRD 2 (Debian package bird2: bird, birdc) is not installed"
	sw_require_cmds ip ethtool curl nginx trafgen nft dpdk-telemetry.py
	"$SW_PYTHON" -c 'import scapy.all' 2>/dev/null || sw_skip "python3-scapy missing"
	[[ -x $SW_SYNWALL_BIN ]] || sw_die "synwall binary '$SW_SYNWALL_BIN' not found (build first)"
	sw_synwall_is_standin && sw_skip "lb mode needs synwall, not a stand-in"
	t0=$(sw_now_ms)

	sw_cl_topo_up 2
	sw_lb_web_start || sw_die "nginx does not start in the backends"
	sw_lb_nft_counters_start || sw_die "nftables counters in the backends"
	sw_cl_resilient_check
	sw_diag "resilient next-hop groups: $SW_CL_RESILIENT (not used: BIRD installs multipath routes)"
	SW_CL_KEY=$SW_TMP/cookie.key
	sw_cl_keyfile "$SW_CL_KEY"
	if ! sw_cl_bird_up; then
		sw_check "BIRD runs on the router and the nodes, BGP sessions established" false
		sw_checks_done
		return
	fi
	sw_check "BIRD runs on the router and the nodes, BGP sessions established" true
	for node in "${SW_CL_NODES[@]}"; do
		sw_cl_synwall_start "$node" || sw_die "synwall of $node does not start"
		sw_cl_agent_start "$node" --drain-grace "$DRAIN_GRACE" --drain-timeout 20
	done

	phase_routes
	phase_anykey
	phase_survive
	phase_spread
	phase_badkey
	phase_end
	sw_log "total $((($(sw_now_ms) - t0) / 1000)) s"
	sw_checks_done
}

main "$@"
