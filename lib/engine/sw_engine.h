/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine: the fate of every packet, EAL-free (no rte_ include, no
 * mbuf). One instance per worker lcore, run to completion, sharing
 * nothing with another instance; the main lcore only reads its counters
 * (64-bit aligned stores are atomic on the platforms DPDK supports, so a
 * reader sees a value, maybe stale).
 *
 * It takes bursts of frame views (struct sw_frame: data, length, room,
 * the NIC's checksum verdicts, and the I/O layer's handle) and decides,
 * in one place per path, what becomes of each: sent on by a side,
 * rewritten in place and sent back, held (hand-off, first contact, a
 * neighbour being resolved), steered to the worker that owns its flow,
 * or dropped with a reason, counted. The I/O layer (lib/io) executes
 * those decisions through struct sw_io_ops: the one place that touches
 * mbufs and ports. docs/architecture.md has the picture.
 */
#ifndef SW_ENGINE_H
#define SW_ENGINE_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_build.h"
#include "sw_cookie.h"
#include "sw_replay.h"
#include "sw_flow_table.h"
#include "sw_lb_gen.h"
#include "sw_learn.h"
#include "sw_neigh.h"
#include "sw_parse.h"
#include "sw_pkt.h"
#include "sw_proxy.h"
#include "sw_snat.h"
#include "sw_timer_wheel.h"

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#define SW_MIN(a, b)	((a) < (b) ? (a) : (b))
#define SW_MAX(a, b)	((a) > (b) ? (a) : (b))
#define SW_DIM(a)	(sizeof(a) / sizeof((a)[0]))
#define SW_CACHE_LINE	64

#define SW_BURST_MAX	512
#define SW_SYNACK_PEND	32	/* SYN-ACKs whose cookies are made at once */

/*
 * Drops that are not a parse error: one list, from which the enum, the
 * names (telemetry, the final print) and the tests are made.
 */
#define SW_DROPS(X) \
	X(UNPROTECTED, unprotected)	/* unprotected = drop */ \
	X(TX_FULL, tx_full)		/* TX queue did not take it */ \
	X(MULTISEG, multiseg)		/* chained mbuf: no scatter RX */ \
	/* TCP to (or from) a protected service, no flow: */ \
	X(FRAGMENT, fragment)		/* IPv4 fragment / IPv6 fragment header */ \
	X(BAD_SRC, bad_src)		/* multicast, broadcast, loopback, own */ \
	X(IP_CKSUM, ip_cksum) \
	X(TCP_CKSUM, tcp_cksum) \
	X(SYN_FIN, syn_fin)		/* SYN with FIN */ \
	X(SYN_RST, syn_rst)		/* SYN with RST */ \
	X(SYNACK_NOFLOW, synack_noflow)	/* SYN+ACK */ \
	X(NO_FLAGS, no_flags)		/* none of SYN/ACK/RST/FIN/PSH/URG */ \
	X(NOACK, noack)			/* FIN/PSH/URG without ACK */ \
	X(RST_NOFLOW, rst_noflow) \
	X(MSS_LOW, mss_low)		/* MSS below 536 / 1220 (IPv6) */ \
	X(REFLECT_LIMITED, reflect_limited) /* SYN-ACK withheld */ \
	X(COOKIE_BAD, cookie_bad) \
	X(COOKIE_EXPIRED, cookie_expired) \
	X(COOKIE_REUSED, cookie_reused)	/* a used cookie replayed */ \
	X(NOFLOW_INSIDE, noflow_inside)	/* from a protected service */ \
	X(BUILD, build)			/* no room to build a reply */ \
	/* A segment of a flow synwall relays: */ \
	X(HOLD_FULL, hold_full)		/* hand-off: hold limit reached */ \
	X(DUP_ACK, dup_ack)		/* hand-off: the third ACK again */ \
	X(RST_WINDOW, rst_window)	/* RST outside the window */ \
	X(FLOW_STATE, flow_state)	/* not acceptable in this state */ \
	X(ACK_UNSENT, ack_unsent)	/* ACK for data never sent */ \
	X(TOO_BIG, too_big)		/* over the server's MSS */ \
	X(CHALLENGE_LIMITED, challenge_limited) /* over the rate */ \
	X(STEER_FULL, steer_full)	/* the owner's ring was full */ \
	X(NO_MBUF, no_mbuf)		/* no buffer for a frame we build */ \
	X(ICMP_NOFLOW, icmp_noflow)	/* ICMP error about no flow */ \
	/* lb mode: */ \
	X(NEIGH, neigh)			/* next hop unresolved */ \
	X(NO_ROUTE, no_route)		/* client off-link, no gateway */ \
	X(TTL, ttl)			/* TTL / hop limit would reach 0 */ \
	X(NOT_OURS, not_ours)		/* not for an owned address */ \
	X(BACKEND_MISMATCH, backend_mismatch) /* another's flow */ \
	X(SNAT_NOFLOW, snat_noflow)	/* to an snat_address port no */ \
					/* flow holds */ \
	/* lb cluster ([cluster] peers, cluster.c): */ \
	X(PEER_LOOP, peer_loop)		/* from a peer, another peer's here: */ \
					/* never forwarded twice */ \
	X(PEER_NOFLOW, peer_noflow)	/* from a peer, no flow and no valid */ \
					/* cookie here: dropped, not answered */ \
	X(FOREIGN_INSIDE, foreign_inside) /* a backend's segment of a flow */ \
					/* a peer owns (it answers to it) */ \
	X(LOOKUP, lookup)		/* no flow, no valid cookie: the peers */ \
					/* were asked who owns it; the client */ \
					/* retransmits to the owner */ \
	X(PEER_GONE, peer_gone)		/* a client's RST on a flow whose */ \
					/* owner is gone (the entry freed) */

enum sw_drop {
#define SW_DROP_ENUM(id, name) SW_DROP_##id,
	SW_DROPS(SW_DROP_ENUM)
#undef SW_DROP_ENUM
	SW_DROP_MAX
};

/* The SYN cookie engine's counters. */
#define SW_SYNCOOKIE_COUNTERS(X) \
	X(syn_rx)		/* pure SYNs to a protected service */ \
	X(synack_tx)		/* SYN-ACKs handed to TX */ \
	X(cookie_ok) \
	X(cookie_bad) \
	X(cookie_expired) \
	X(cookie_reused)	/* valid, but its flow was made already */ \
	X(reflect_limited) \
	X(rst_tx)		/* RSTs for bad cookies (rst_on_bad) */

struct sw_syncookie_counters {
#define SW_SC_COUNTER_FIELD(name) uint64_t name;
	SW_SYNCOOKIE_COUNTERS(SW_SC_COUNTER_FIELD)
#undef SW_SC_COUNTER_FIELD
};

/*
 * Generic cell rate algorithm: the token bucket as one timestamp.
 * Allowed when tat <= now + tau; then tat = max(tat, now) + interval.
 */
struct sw_gcra {
	uint64_t interval;		/* TSC cycles per token; 0 = no limit */
	uint64_t tau;			/* (burst - 1) * interval */
};

#define SW_REFLECT_CELLS	4096	/* per worker, per client /24 or /64 */

/*
 * The hand-off and relay (flow.c): one list, from which the struct, the
 * telemetry dict and the final print are made.
 */
#define SW_FLOW_COUNTERS(X) \
	X(active)		/* flows in the table now (a gauge) */ \
	X(created)		/* cookie ACKs that became flows */ \
	X(established)		/* server SYN-ACK accepted */ \
	X(backend_syn_tx)	/* first backend SYNs */ \
	X(backend_syn_retx)	/* retransmitted backend SYNs */ \
	X(backend_timeout)	/* no SYN-ACK after the retries */ \
	X(backend_rst)		/* the server refused */ \
	X(held)			/* segments held during hand-off */ \
	X(held_dropped)		/* ... dropped over the hold limit */ \
	X(holding)		/* segments held now (a gauge) */ \
	X(table_full)		/* new flows refused with a RST */ \
	X(to_server_pkts)	/* relayed client → server */ \
	X(to_server_bytes) \
	X(to_client_pkts)	/* relayed server → client */ \
	X(to_client_bytes) \
	X(challenge_ack_tx)	/* RFC 5961 challenge ACKs sent */ \
	X(reset)		/* flows closed by an acceptable RST */ \
	X(closed)		/* flows closed by FINs both ways */ \
	X(idle_timeout)		/* flows forgotten when idle */ \
	X(freed)		/* flows freed, for every reason */ \
	X(steered)		/* packets handed to their owner */ \
	X(rst_tx)		/* RSTs to clients (backend failed, full) */ \
	X(icmp_relayed)		/* ICMP errors about a flow, translated */ \
	X(consumed)		/* ended here, not dropped: server SYN-ACKs, */ \
				/* held segments of a failed hand-off */ \
	X(adopted)		/* connections from before a reload made */ \
				/* their port protected: pass-through flows */ \
	X(grace_passed)		/* their segments passed with no flow yet */ \
	X(backend_probe)	/* backend SYNs asking for more than the */ \
				/* client was promised, to learn the server */ \
	X(backend_restart)	/* ... that the server accepted: its half- */ \
				/* open connection reset, a SYN again */ \
	X(options_refused)	/* clients promised SACK or timestamps that */ \
				/* the server then refused (it changed) */ \
	X(ptb_tx)		/* ICMP "too big" for client segments over */ \
				/* the server's MSS (docs/handoff.md) */ \
	X(probe_tx)		/* first contact: SYNs sent to ask a server */ \
	X(probe_held)		/* client SYNs held meanwhile */ \
	X(probe_learned)	/* probes the server answered (SYN-ACK) */ \
	X(probe_refused)	/* ... refused (RST) */ \
	X(probe_retx)		/* ... sent again after PROBE_WAIT_MS of silence */ \
	X(probe_timeout)	/* ... left unanswered: careful answers */ \
	X(old_ack_rst)		/* our SYNs (backend, probe) answered with */ \
				/* the ACK of an older connection on the */ \
				/* tuple (a TIME_WAIT): RST at its ack */ \
	X(pp_header_tx)		/* PROXY protocol headers sent to servers */ \
	X(pp_header_retx)	/* ... sent again: the server lacked it */

struct sw_flow_counters {
#define SW_FLOW_COUNTER_FIELD(name) uint64_t name;
	SW_FLOW_COUNTERS(SW_FLOW_COUNTER_FIELD)
#undef SW_FLOW_COUNTER_FIELD
};

/* Per port, kept by the I/O layer: received, and accepted by TX. */
#define SW_PORT_COUNTERS(X) \
	X(rx_pkts) \
	X(rx_bytes) \
	X(tx_pkts) \
	X(tx_bytes)

struct sw_port_counters {
#define SW_PORT_COUNTER_FIELD(name) uint64_t name;
	SW_PORT_COUNTERS(SW_PORT_COUNTER_FIELD)
#undef SW_PORT_COUNTER_FIELD
};

/* lb mode: neighbours, health probes. */
#define SW_LB_COUNTERS(X) \
	X(arp_rx)		/* ARP frames taken */ \
	X(arp_reply_tx)		/* answers for our addresses */ \
	X(arp_request_tx)	/* resolutions and probes */ \
	X(nd_rx)		/* NS/NA taken */ \
	X(na_tx) \
	X(ns_tx) \
	X(neigh_held)		/* packets queued for a resolution */ \
	X(neigh_released)	/* ... sent when it came */ \
	X(neigh_failed)		/* ... dropped when it did not */ \
	X(no_backend)		/* cookie ACKs for a service with none up */ \
	X(probe_tx)		/* health check SYNs */ \
	X(probe_rx)		/* their SYN-ACKs and RSTs */ \
	X(snat_ports)		/* nat = snat: the ports of the worker's */ \
				/* slice of snat_ports (a constant) */ \
	X(snat_active)		/* ... held now (a gauge) */ \
	X(snat_no_port)		/* ... cookie ACKs refused (RST): no local */ \
				/* port free in the worker's slice */

struct sw_lb_counters {
#define SW_LB_COUNTER_FIELD(name) uint64_t name;
	SW_LB_COUNTERS(SW_LB_COUNTER_FIELD)
#undef SW_LB_COUNTER_FIELD
};

/* lb cluster: flow ownership between nodes (cluster.c, docs/cluster.md). */
#define SW_CLUSTER_COUNTERS(X) \
	X(claim_tx)		/* "this flow is mine", to a peer */ \
	X(claim_rx) \
	X(release_tx)		/* "... no more" when it is freed */ \
	X(release_rx) \
	X(lookup_tx)		/* "whose is this flow?", to a peer */ \
	X(lookup_rx) \
	X(lookup_miss)		/* ... asked of us, not ours */ \
	X(lookup_limited)	/* not asked: over lookup_rate */ \
	X(foreign)		/* peers' flows in the table now (a gauge) */ \
	X(foreign_expired)	/* ... forgotten when idle (no release) */ \
	X(foreign_full)		/* claims not recorded: no room */ \
	X(claim_conflict)	/* claims for a live flow of ours: ignored */ \
	X(fwd_tx)		/* segments sent on to their owner */ \
	X(fwd_rx)		/* segments from peers, taken as outside */ \
	X(sync_tx)		/* "tell me your flows", at start, to a peer */ \
	X(sync_rx)		/* ... taken (by every worker): its flows */ \
				/* claimed to it again, a bounded walk */ \
	X(msg_bad)		/* control frames not from a peer, malformed */ \
	X(msg_no_mbuf)		/* control frames not built: no buffer */ \
	X(hello_tx)		/* "I am up", to a peer (worker 0) */ \
	X(hello_rx)		/* ... taken (by every worker) */ \
	X(peer_down)		/* peers judged gone: silent for */ \
				/* peer_timeout_ms after a hello (worker 0) */ \
	X(peer_restart)		/* a peer's hello with a new start (worker 0) */ \
	X(gone_rst)		/* client segments of a gone peer's flows: */ \
				/* answered with RST, the entry freed */

struct sw_cluster_counters {
#define SW_CLUSTER_COUNTER_FIELD(name) uint64_t name;
	SW_CLUSTER_COUNTERS(SW_CLUSTER_COUNTER_FIELD)
#undef SW_CLUSTER_COUNTER_FIELD
};

struct sw_counters {
	struct sw_port_counters port[SW_SIDES];
	uint64_t malformed[SW_PARSE_ERR_MAX];	/* [0] unused */
	uint64_t drop[SW_DROP_MAX];
	uint64_t protected_pkts;	/* to or from a protected service */
	struct sw_syncookie_counters sc;
	struct sw_flow_counters flow;
	struct sw_lb_counters lb;
	struct sw_cluster_counters cluster;
	uint64_t busy_cycles;		/* TSC spent on bursts that had packets */
	uint64_t loops;
	/* [worker] idle = adaptive: sleeps of an idle worker, and waits on
	 * RX interrupts (with how many an interrupt ended, not a timeout). */
	uint64_t idle_sleeps;
	uint64_t idle_intr_waits;
	uint64_t idle_intr_wakes;
};

/* The NIC's checksum verdicts on a received frame (sw_frame.rx). */
#define SW_RX_IP_GOOD	0x01
#define SW_RX_IP_BAD	0x02
#define SW_RX_L4_GOOD	0x04
#define SW_RX_L4_BAD	0x08
#define SW_RX_L4_NONE	0x10	/* integrity known, the sum not filled in */
#define SW_RX_CHAINED	0x20	/* several segments: never parsed */

/* How a frame leaves (sw_frame.tx): what the I/O layer tells the NIC. */
enum sw_tx_ol {
	SW_TX_AS_RECEIVED = 0,	/* sent on: its offload flags untouched */
	SW_TX_PLAIN,		/* built or rewritten, sums complete */
	SW_TX_CSUM4,		/* IPv4 and TCP sums left to the NIC */
	SW_TX_CSUM6,		/* the TCP/IPv6 sum left to the NIC */
};

/*
 * A frame as the engine sees it. The I/O layer keeps one with every
 * buffer (lib/io: in the mbuf's private area), so a view outlives the
 * burst it came in with: held segments are chained through `next`, and
 * the neighbour table holds views opaquely. The engine writes `len`,
 * `tx`, `l2_len` and `side`; the I/O layer reads them when it sends.
 */
struct sw_frame {
	uint8_t *data;
	struct sw_frame *next;		/* held chains (engine only) */
	uint16_t len;			/* bytes of the frame */
	uint16_t cap;			/* bytes writable from data on */
	uint8_t rx;			/* SW_RX_*: the NIC's verdicts */
	uint8_t tx;			/* enum sw_tx_ol */
	uint8_t l2_len;			/* with SW_TX_CSUM*: L3 offset */
	uint8_t side;			/* the side it came in by */
};

/*
 * What the I/O layer does for the engine (lib/io's sw_io_ops(), or a
 * test's): the engine decides, these execute. Called per burst (tx,
 * free) or per rare event (alloc, steer, share, answer), never per
 * relayed segment except steer.
 */
struct sw_io_ops {
	/* Send f[0..n) by `side`, in order: the I/O layer's from now. */
	void (*tx)(void *ctx, enum sw_side side, struct sw_frame **f,
		uint16_t n);
	/* Done with f[0..n): dropped or consumed (counted by the engine). */
	void (*free)(void *ctx, struct sw_frame **f, uint16_t n);
	/* An empty frame to build in (len 0, cap its room), or NULL. */
	struct sw_frame *(*alloc)(void *ctx);
	/* f to worker `owner`, which owns its flow; false: ring full. */
	bool (*steer)(void *ctx, uint16_t owner, struct sw_frame *f);
	/* lb: a neighbour's answer, shown to every other worker too. */
	void (*share)(void *ctx, struct sw_frame *f);
	/* lb: a health check's answer (SW_LB_ANSWER) for the main lcore. */
	void (*answer)(void *ctx, uint64_t a);
	/* Something an operator should read; the I/O layer rate-limits. */
	void (*notice)(void *ctx, enum sw_side side, const char *what);
};

struct sw_txq {
	uint16_t n;
	struct sw_frame *f[SW_BURST_MAX];	/* handed to tx at e->burst */
};

/* Flow keys name the client first, whatever the direction. */
struct sw_fkey4 {
	uint32_t caddr;
	uint32_t saddr;
	uint16_t cport;
	uint16_t sport;
};

struct sw_fkey6 {
	uint8_t caddr[16];
	uint8_t saddr[16];
	uint16_t cport;
	uint16_t sport;
};

union sw_fkey {
	struct sw_fkey4 v4;
	struct sw_fkey6 v6;
};

/*
 * Table entries: the key at offset 0 (lib/flow), then in lb mode the
 * backend's slot (sw_lb.h) and, for a flow of a service with nat =
 * snat, its local port on the snat_address (0: destination NAT only):
 * the word just before the flow in both layouts (flow_backend(),
 * flow_lport()), then the flow. 12 + 4 + 48: an IPv4 flow is one line.
 */
struct sw_fentry4 {
	struct sw_fkey4 k;
	uint16_t backend;
	uint16_t lport;
	struct sw_flow f;
};

struct sw_fentry6 {
	struct sw_fkey6 k;
	uint16_t backend;
	uint16_t lport;
	struct sw_flow f;
};

#define SW_FENTRY4_SIZE	64
#define SW_FENTRY6_SIZE	128

/* A protected segment's flow, looked up once per packet. */
struct sw_fref {
	union sw_fkey key;
	uint32_t hash;			/* valid when hashed */
	bool hashed;
	bool v6;
	/* An ACK with no flow: its cookie's MAC, computed with the rest
	 * of its group (engine.c, stage_macs()). */
	bool mac_ok;
	uint64_t mac;
	int svc;			/* service index */
	uint16_t slot;			/* lb, from inside: the sender's backend */
	bool drain;			/* no service covers it, but a flow a */
					/* reload left may (sw_lb_gen.drain) */
	bool peer;			/* lb cluster: a client's segment a peer */
					/* sent on to us (from our inside port) */
	/* lb, from inside: to an snat_address and a port of [lb]
	 * snat_ports (nat = snat), found by that port, not by the key. */
	bool snat;
	uint16_t lport;
};

/* First contact (probe.c): SYNs held while a server is asked. */
#define SW_PROBES	16	/* servers probed at once, per worker */
#define SW_PROBE_HOLD	8	/* SYNs held per server meanwhile */

struct sw_probe_syn {
	struct sw_frame *m;
	struct sw_pkt p;
	struct sw_fref r;
};

struct sw_probe {
	uint64_t deadline;		/* TSC; 0: a free slot */
	struct sw_fref r;		/* the probe's tuple: the first SYN's */
	uint32_t isn;			/* its ISN: the SYN-ACK acks isn + 1 */
	uint8_t offers;			/* SW_FX_OFFER_*: what it offered */
	uint8_t n;
	bool resent;			/* sent a second time after a silence */
	struct sw_probe_syn held[SW_PROBE_HOLD];
};

/* What the engine is set up with (sw_engine_init). */
struct sw_engine_params {
	uint16_t id;			/* worker number, 0 .. n_workers - 1 */
	uint16_t n_workers;
	bool steer;			/* software steering between workers */
	bool lb;			/* lb mode (else inline) */
	uint16_t burst;			/* frames per tx call */
	uint64_t tsc_hz;		/* the clock `now` counts in */
	uint64_t now;			/* ... and its value at setup */
	const struct sw_io_ops *io;
	void *io_ctx;
	/* Flows: sw_engine_memsize() bytes at flow_mem, zeroed, 64-aligned. */
	uint32_t flows, flows6;
	void *flow_mem;
	uint32_t hold, syn_retries, syn_timeout_ms, learn_refresh_ms;
	uint32_t established_timeout, half_closed_timeout, closing_timeout;
	uint32_t linger_ms;		/* s, s, s; linger in ms */
	uint64_t challenge_ack_rate;
	/* lb: sw_engine_neigh_memsize() bytes at neigh_mem, zeroed. */
	uint32_t neigh_entries;
	uint64_t neigh_seed;
	void *neigh_mem;
	struct sw_lb_bcount *bc;	/* [SW_LB_SLOTS], zeroed */
	/* lb: [lb] snat_ports, cut into n_workers slices; this worker's
	 * ports in sw_engine_snat_memsize() bytes at snat_mem. */
	uint16_t snat_lo, snat_hi;
	void *snat_mem;
};

/*
 * lb cluster: the other nodes, by their inside address (on-link);
 * control frames (cluster.c) go to them, and segments of their flows.
 */
#define SW_CLUSTER_PEERS	16

struct sw_cluster_peer {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* IPv4: the first 4 bytes */
};

/* What a worker knows of a peer's life, from its hellos (cluster.c). */
struct sw_cluster_live {
	uint64_t seen;			/* TSC of its last hello */
	uint64_t boot;			/* its start's id; 0: no hello yet */
	uint32_t epoch;			/* its starts seen here, less one */
	bool down;			/* judged gone */
};

struct sw_egress;

struct sw_engine {
	/* Read-mostly, set before launch. */
	const struct sw_egress *eg;	/* inline or lb: chosen at init */
	uint16_t id;
	uint16_t burst;
	bool drop_unprotected;
	uint64_t tsc_hz;
	const struct sw_io_ops *io;
	void *io_ctx;
	const struct sw_svc_table *svc;
	/* SYN cookies: keys swapped by the main lcore under RCU. */
	struct sw_cookie_keys *const volatile *keys;
	uint8_t ttl;
	uint16_t window;
	bool rst_on_bad;
	bool tx_cksum4;			/* outside port offloads IPv4+TCP sums */
	bool tx_cksum6;
	struct sw_gcra reflect;		/* per client prefix */
	struct sw_gcra reflect_total;
	struct sw_gcra rst;
	/* Flows (flow.c): one memory region holds tables and wheel. */
	uint32_t hold_max;
	uint32_t syn_retries;
	uint64_t syn_timeout;		/* ticks */
	uint64_t fs_timeout[SW_FS_MAX];	/* ticks idle per state */
	uint64_t tick_tsc;		/* TSC cycles per tick (1 ms) */
	struct sw_gcra challenge;
	/* Software steering: to the worker that owns a flow. */
	bool steer;
	uint16_t n_workers;

	/* lb mode (lbpath.c): tables through an RCU pointer, the backends'
	 * slots, the addresses owned, the MACs of both ports. */
	struct sw_lb_gen *const volatile *genp;
	const struct sw_lb_gen *gen;	/* *genp, read once per burst */
	const struct sw_lb_slot *slots;
	struct sw_lb_ifaddr own[SW_SIDES][2];
	struct sw_lb_ifaddr snat_addr[2];	/* nat = snat's sources */
	struct sw_snat_range snat_range;	/* whose port is whose */
	uint8_t gateway[2][16];
	bool has_gateway[2];
	uint8_t mac[SW_SIDES][6];
	uint64_t now;			/* TSC at the burst's start */
	uint64_t now_tick;		/* ms ticks at the burst's start */
	uint64_t neigh_tick_at;
	/* lb cluster (cluster.c): none when n_peers is 0. */
	uint8_t n_peers;
	struct sw_cluster_peer peers[SW_CLUSTER_PEERS];
	struct sw_gcra lookup;		/* lookups asked, per worker */
	bool sync_asked;		/* worker 0: the peers asked, at start */
	/* Liveness: worker 0 says hello every peer_timeout / 5; a peer
	 * that said hello once and then nothing for peer_timeout is gone,
	 * and so are the flows it owned before a new start. */
	uint64_t peer_timeout;		/* TSC cycles; 0: no hellos, none gone */
	uint64_t boot_id;		/* this node's start, never 0 */
	uint64_t hello_at;		/* worker 0: the next hellos, TSC */
	struct sw_cluster_live live[SW_CLUSTER_PEERS];
	/* Table walks claiming our flows to a peer that asked: next
	 * entry (IPv6 ids after the IPv4 ones) and end; equal: none. */
	uint32_t sync_at[SW_CLUSTER_PEERS];
	uint32_t sync_end[SW_CLUSTER_PEERS];

	/* Written by this worker only. */
	struct sw_neigh neigh;
	struct sw_snat snat;		/* this worker's local ports */
	struct sw_lb_bcount *bc;	/* [SW_LB_SLOTS]; inline: bc_none */
	struct sw_lb_bcount bc_none[1];	/* inline flows' backend 0 */
	struct sw_ft ft4;
	struct sw_ft ft6;
	struct sw_tw tw;
	struct sw_learn learn;		/* servers' options, from SYN-ACKs */
	struct sw_replay replay;	/* cookies used, until they expire */
	uint16_t n_probes;		/* first contacts under way */
#define SW_VERIFIED_BITS	12
	uint64_t verified[1u << SW_VERIFIED_BITS];	/* engine.c */
	uint64_t probe_wait;		/* TSC cycles a probe may take */
	uint32_t probe_refresh;		/* probe_clock() units between checks */
	struct sw_probe probing[SW_PROBES];
	uint64_t challenge_tat;
	struct sw_txq txq[SW_SIDES];
	/*
	 * SYN-ACKs decided but not built: their cookies' MACs are made
	 * together (sw_cookie_mac_burst()), then each is built and sent,
	 * before anything else leaves by the outside and at the end of
	 * every group (engine.c, synack_flush()).
	 */
	uint16_t n_synack;
	struct sw_synack_pend {
		struct sw_frame *m;
		const struct sw_pkt *p;
		struct sw_synack_params sp;	/* isn, tsval: at the flush */
		struct sw_cookie_opts co;
		uint32_t clear;			/* sw_cookie_make_prep() */
	} synack[SW_SYNACK_PEND];
	struct sw_cookie_mac_in synack_in[SW_SYNACK_PEND];
	uint16_t n_dead;		/* frames to free at the end of the burst */
	struct sw_frame *dead[SW_BURST_MAX];
	uint64_t reflect_tat[SW_REFLECT_CELLS];
	uint64_t reflect_total_tat;
	uint64_t rst_tat;
	uint64_t lookup_tat;
	alignas(SW_CACHE_LINE) struct sw_counters c;
};

/* Bytes of flow memory (tables, timers, learned options, used cookies). */
size_t sw_engine_memsize(uint32_t flows, uint32_t flows6);
/* lb: bytes of neighbour table for `entries` (0: bad). */
size_t sw_engine_neigh_memsize(uint32_t entries);
/* lb: bytes of one worker's local ports of snat_lo..snat_hi (0: bad). */
size_t sw_engine_snat_memsize(uint16_t lo, uint16_t hi, uint16_t n_workers);

/*
 * Set `e` up over the caller's memory (params). Fields of sw_engine
 * outside the params (svc, keys, genp, ttl, window, limiters, lb
 * addresses and MACs) are the caller's to fill before the first burst.
 * 0, or -EINVAL with `err`.
 */
int sw_engine_init(struct sw_engine *e, const struct sw_engine_params *p,
		char *err, size_t err_len);

/*
 * Every frame the engine still has (batched for TX, held by the
 * hand-off, probes, neighbours) back to the I/O layer, freed, not sent;
 * the engine is unusable after. Safe on a failed or repeated setup.
 */
void sw_engine_release(struct sw_engine *e);

/*
 * The fate of f[0..n), received on `side`, at `now` (TSC): every frame
 * is sent, held, steered or freed through the I/O ops before it returns
 * (sends are batched: sw_engine_flush() hands over what is left).
 */
void sw_engine_process(struct sw_engine *e, enum sw_side side,
		struct sw_frame **f, uint16_t n, uint64_t now);

/* Frames other workers steered to this one (sw_frame.side set). */
void sw_engine_process_steered(struct sw_engine *e, struct sw_frame **f,
		uint16_t n, uint64_t now);

/* Hand the batched frames of both sides to the I/O layer. */
void sw_engine_flush(struct sw_engine *e);

/* Frames queued for TX (or SYN-ACKs decided), not yet handed over? */
static inline bool
sw_engine_tx_pending(const struct sw_engine *e)
{
	return e->txq[SW_OUTSIDE].n != 0 || e->txq[SW_INSIDE].n != 0 ||
		e->n_synack != 0;
}

/*
 * Per loop: lb's health checks (`checks[0..n)`, SW_LB_PROBE values the
 * main lcore asked worker 0 for) and neighbour ageing, first contacts
 * that waited too long, backend SYN retries and idle flows. Bounded
 * work per call; true when there was some besides lb's.
 */
bool sw_engine_poll(struct sw_engine *e, uint64_t now,
		const uint64_t *checks, unsigned int n_checks);

const char *sw_drop_name(enum sw_drop d);

/* A limiter of `rate` per second (0: none) with `burst`. */
void sw_gcra_init(struct sw_gcra *g, uint64_t rate, uint64_t burst,
		uint64_t hz);

#endif /* SW_ENGINE_H */
