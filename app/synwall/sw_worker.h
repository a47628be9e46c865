/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker: one per worker lcore, run to completion.
 *
 * Each worker owns one RX/TX queue pair on each port, its mbuf pool and
 * its counters. Nothing here is shared with another worker; the main
 * lcore only reads the counters (64-bit aligned stores are atomic on
 * the platforms DPDK supports, so a reader sees a value, maybe stale).
 */
#ifndef SW_WORKER_H
#define SW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "sw_config.h"
#include "sw_cookie.h"
#include "sw_replay.h"
#include "sw_flow_table.h"
#include "sw_lb.h"
#include "sw_learn.h"
#include "sw_neigh.h"
#include "sw_parse.h"
#include "sw_pkt.h"
#include "sw_proxy.h"
#include "sw_timer_wheel.h"

#define SW_BURST_MAX	512

/* Drops that are not a parse error; names in sw_drop_name(). */
enum sw_drop {
	SW_DROP_UNPROTECTED,	/* unprotected = drop */
	SW_DROP_TX_FULL,	/* TX queue did not take it */
	SW_DROP_MULTISEG,	/* chained mbuf: scatter RX is not enabled */
	/* TCP to (or from) a protected service, no flow: */
	SW_DROP_FRAGMENT,	/* any IPv4 fragment / IPv6 fragment header */
	SW_DROP_BAD_SRC,	/* multicast, broadcast, loopback, own address */
	SW_DROP_IP_CKSUM,
	SW_DROP_TCP_CKSUM,
	SW_DROP_SYN_FIN,	/* SYN with FIN */
	SW_DROP_SYN_RST,	/* SYN with RST */
	SW_DROP_SYNACK_NOFLOW,	/* SYN+ACK */
	SW_DROP_NO_FLAGS,	/* none of SYN/ACK/RST/FIN/PSH/URG */
	SW_DROP_NOACK,		/* FIN/PSH/URG without ACK */
	SW_DROP_RST_NOFLOW,
	SW_DROP_MSS_LOW,	/* MSS below 536 (IPv4) / 1220 (IPv6) */
	SW_DROP_REFLECT_LIMITED,	/* SYN-ACK withheld by a token bucket */
	SW_DROP_COOKIE_BAD,
	SW_DROP_COOKIE_EXPIRED,
	SW_DROP_COOKIE_REUSED,	/* a used cookie replayed (sw_replay.h) */
	SW_DROP_NOFLOW_INSIDE,	/* from a protected service, no flow */
	SW_DROP_BUILD,		/* no room to build a reply */
	/* A segment of a flow synwall relays: */
	SW_DROP_HOLD_FULL,	/* hand-off: hold limit, client retransmits */
	SW_DROP_DUP_ACK,	/* hand-off: the third ACK again */
	SW_DROP_RST_WINDOW,	/* RST outside the window (RFC 5961 §3.2) */
	SW_DROP_FLOW_STATE,	/* not acceptable in the flow's state */
	SW_DROP_ACK_UNSENT,	/* client ACK for data the server never sent */
	SW_DROP_TOO_BIG,	/* client segment over the server's MSS */
	SW_DROP_CHALLENGE_LIMITED,	/* challenge ACK over challenge_ack_rate */
	SW_DROP_STEER_FULL,	/* the owner's steering ring was full */
	SW_DROP_NO_MBUF,	/* no mbuf for a backend SYN */
	SW_DROP_ICMP_NOFLOW,	/* ICMP error about no flow of ours */
	/* lb mode: */
	SW_DROP_NEIGH,		/* next hop unresolved: a neighbour bound */
	SW_DROP_NO_ROUTE,	/* client off-link and no outside_gateway */
	SW_DROP_TTL,		/* TTL / hop limit would reach 0 */
	SW_DROP_NOT_OURS,	/* ARP/ND/ICMP/TCP not for an owned address */
	SW_DROP_BACKEND_MISMATCH, /* a backend speaking for another's flow */
	SW_DROP_MAX
};

struct sw_syncookie_counters {
	uint64_t syn_rx;		/* pure SYNs to a protected service */
	uint64_t synack_tx;		/* SYN-ACKs handed to TX */
	uint64_t cookie_ok;
	uint64_t cookie_bad;
	uint64_t cookie_expired;
	uint64_t cookie_reused;		/* valid, but its flow was made already */
	uint64_t reflect_limited;
	uint64_t rst_tx;		/* RSTs for bad cookies (rst_on_bad) */
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
	X(probe_timeout)	/* ... left unanswered: careful answers */ \
	X(old_ack_rst)		/* our SYNs (backend, probe) answered with */ \
				/* the ACK of an older connection on the */ \
				/* tuple (a TIME_WAIT): RST at its ack */

struct sw_flow_counters {
#define SW_FLOW_COUNTER_FIELD(name) uint64_t name;
	SW_FLOW_COUNTERS(SW_FLOW_COUNTER_FIELD)
#undef SW_FLOW_COUNTER_FIELD
};

struct sw_port_counters {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
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
	X(probe_rx)		/* their SYN-ACKs and RSTs */

struct sw_lb_counters {
#define SW_LB_COUNTER_FIELD(name) uint64_t name;
	SW_LB_COUNTERS(SW_LB_COUNTER_FIELD)
#undef SW_LB_COUNTER_FIELD
};

struct sw_counters {
	struct sw_port_counters port[SW_SIDES];
	uint64_t malformed[SW_PARSE_ERR_MAX];	/* [0] unused */
	uint64_t drop[SW_DROP_MAX];
	uint64_t protected_pkts;	/* to or from a protected service */
	struct sw_syncookie_counters sc;
	struct sw_flow_counters flow;
	struct sw_lb_counters lb;
	uint64_t busy_cycles;		/* TSC spent on bursts that had packets */
	uint64_t loops;
};

struct sw_txq {
	uint16_t n;
	uint64_t bytes;			/* pkt_len sum of pkts[0..n) */
	struct rte_mbuf *pkts[SW_BURST_MAX];	/* flushed at w->burst */
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
 * Table entries: the key at offset 0 (lib/flow), the backend's slot in
 * lb mode (sw_lb.h; the word just before the flow in both, see
 * flow_backend()), then the flow.
 */
struct sw_fentry4 {
	struct sw_fkey4 k;
	uint32_t backend;
	struct sw_flow f;
};

struct sw_fentry6 {
	struct sw_fkey6 k;
	uint32_t backend;
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
	int svc;			/* service index */
	uint16_t slot;			/* lb, from inside: the sender's backend */
	bool drain;			/* no service covers it, but a flow a */
					/* reload left may (sw_lb_gen.drain) */
};

/* First contact (probe.c): SYNs held while a server is asked. */
#define SW_PROBES	16	/* servers probed at once, per worker */
#define SW_PROBE_HOLD	8	/* SYNs held per server meanwhile */

struct sw_probe_syn {
	struct rte_mbuf *m;
	struct sw_pkt p;
	struct sw_fref r;
};

struct sw_probe {
	uint64_t deadline;		/* TSC; 0: a free slot */
	struct sw_fref r;		/* the probe's tuple: the first SYN's */
	uint32_t isn;			/* its ISN: the SYN-ACK acks isn + 1 */
	uint8_t offers;			/* SW_FX_OFFER_*: what it offered */
	uint8_t n;
	struct sw_probe_syn held[SW_PROBE_HOLD];
};

struct sw_worker {
	/* Read-mostly, set before launch. */
	uint16_t id;
	uint16_t lcore_id;
	uint16_t queue;			/* same queue id on both ports */
	uint16_t port[SW_SIDES];
	uint16_t burst;
	bool drop_unprotected;
	uint64_t drain_tsc;
	const struct sw_svc_table *svc;
	const volatile bool *quit;
	struct rte_mempool *pool;
	/* SYN cookies: keys swapped by the main lcore under RCU. */
	struct sw_cookie_keys *const volatile *keys;
	struct rte_rcu_qsbr *qs;
	uint8_t ttl;
	uint16_t window;
	bool rst_on_bad;
	bool tx_cksum4;			/* outside port offloads IPv4+TCP sums */
	bool tx_cksum6;
	struct sw_gcra reflect;		/* per client prefix */
	struct sw_gcra reflect_total;
	struct sw_gcra rst;
	/* Flows (flow.c): one memory region holds tables and wheel. */
	void *flow_mem;
	size_t flow_mem_len;
	bool flow_mem_rte;		/* rte_malloc'd (else mmap'd) */
	uint32_t hold_max;
	uint32_t syn_retries;
	uint64_t syn_timeout;		/* ticks */
	uint64_t fs_timeout[SW_FS_MAX];	/* ticks idle per state */
	uint64_t tick_tsc;		/* TSC cycles per tick (1 ms) */
	int hold_off;			/* mbuf dynfield: next held segment */
	struct sw_gcra challenge;
	/* Software steering: ring_out[j] to worker j, ring_in[j] from j. */
	bool steer;
	uint16_t n_workers;
	struct rte_ring **ring_out;
	struct rte_ring **ring_in;

	/* lb mode (lbpath.c): tables through an RCU pointer, the backends'
	 * slots, the addresses owned, the MACs of both ports. */
	bool lb;
	struct sw_lb_gen *const volatile *genp;
	const struct sw_lb_gen *gen;	/* *genp, read once per burst */
	const struct sw_lb_slot *slots;
	struct sw_lb_ifaddr own[SW_SIDES][2];
	uint8_t gateway[2][16];
	bool has_gateway[2];
	uint8_t mac[SW_SIDES][6];
	struct rte_ring *probes;	/* worker 0: health checks to send */
	struct rte_ring *answers;	/* their answers, to the main lcore */
	void *neigh_mem;
	uint64_t now_tick;		/* ms ticks at the burst's start */
	uint64_t neigh_tick_at;

	/* Written by this worker only. */
	struct sw_neigh neigh;
	struct sw_lb_bcount *bc;	/* [SW_LB_SLOTS] */
	struct sw_ft ft4;
	struct sw_ft ft6;
	struct sw_tw tw;
	struct sw_learn learn;		/* servers' options, from SYN-ACKs */
	struct sw_replay replay;	/* cookies used, until they expire */
	uint16_t n_probes;		/* first contacts under way */
#define SW_VERIFIED_BITS	12
	uint64_t verified[1u << SW_VERIFIED_BITS];	/* worker.c */
	uint64_t probe_wait;		/* TSC cycles a probe may take */
	uint32_t probe_refresh;		/* probe_clock() units between checks */
	struct sw_probe probing[SW_PROBES];
	uint64_t challenge_tat;
	struct sw_txq txq[SW_SIDES];
	uint16_t n_dead;		/* mbufs to free at the end of the burst */
	struct rte_mbuf *dead[SW_BURST_MAX];
	uint64_t reflect_tat[SW_REFLECT_CELLS];
	uint64_t reflect_total_tat;
	uint64_t rst_tat;
	struct sw_counters c __rte_cache_aligned;
} __rte_cache_aligned;

/* lcore entry point: rte_eal_remote_launch(sw_worker_main, w, lcore). */
int sw_worker_main(void *arg);

/*
 * Process packets received on `side`: count them, classify, forward to
 * the other side's TX buffer, answer, or drop and count. Exposed for
 * tests.
 */
void sw_worker_process(struct sw_worker *w, enum sw_side side,
		struct rte_mbuf **pkts, uint16_t n);

/* Hand buffered packets of `side` to the port; count what it refused. */
void sw_worker_flush(struct sw_worker *w, enum sw_side side);

const char *sw_drop_name(enum sw_drop d);

/* worker.c: answer a SYN held during a probe (probe.c), now. */
void sw_worker_syn_answer(struct sw_worker *w, struct rte_mbuf *m,
		const struct sw_pkt *p, struct sw_fref *r, uint64_t now);

/* probe.c: first contact (docs/handoff.md, "Learning"). */

/* Hold the SYN `m` while its unknown server is asked; false: answer now. */
bool sw_probe_hold(struct sw_worker *w, struct rte_mbuf *m,
		const struct sw_pkt *p, const struct sw_fref *r, uint64_t now);

/* A server's segment with no flow: a probe's answer? true: consumed. */
bool sw_probe_answer(struct sw_worker *w, struct rte_mbuf *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_fref *r, uint64_t now);

/* Release the SYNs of probes that had no answer in time. */
void sw_probe_expire(struct sw_worker *w, uint64_t now);

void sw_probe_setup(struct sw_worker *w, uint32_t refresh_ms);
void sw_probe_teardown(struct sw_worker *w);

/* flow.c: the flow tables, the hand-off and the relay. */

/* Size and allocate w's tables and wheel; 0 or -errno with `err`. */
int sw_flow_setup(struct sw_worker *w, const struct sw_config *cfg,
		int socket, char *err, size_t err_len);
void sw_flow_teardown(struct sw_worker *w);

/*
 * What the server's SYN-ACK `sa` says about the options our SYN offered
 * (`offers`, SW_FX_OFFER_*), for the SYN-ACKs to its next clients.
 */
void sw_flow_learn(struct sw_worker *w, const struct sw_fref *r,
		const struct sw_pkt *sa, uint8_t offers);

/*
 * A segment of flow `id` (found by the caller). Returns false when the
 * flow was over and `m` opens a new one: the caller goes on as if there
 * were no flow (the SYN cookie engine).
 */
bool sw_flow_input(struct sw_worker *w, enum sw_side side,
		struct rte_mbuf *m, uint8_t *frame, const struct sw_pkt *p,
		const struct sw_fref *r, uint32_t id, uint64_t now);

/* A valid cookie ACK `m` from the client: create the flow, hand off. */
void sw_flow_create(struct sw_worker *w, struct rte_mbuf *m,
		const struct sw_pkt *p, struct sw_fref *r,
		const struct sw_cookie_opts *co, uint64_t slot, uint64_t now);

/* An ICMP error quoting a segment of flow `id`: translate, forward. */
/*
 * A server's segment with no flow on a port a reload made protected,
 * within its grace period: adopt the connection as a pass-through flow
 * (not for a RST), and send the segment on as it is.
 */
void sw_flow_adopt(struct sw_worker *w, struct rte_mbuf *m,
		const struct sw_pkt *p, struct sw_fref *r, uint64_t now);

void sw_flow_icmp(struct sw_worker *w, enum sw_side side, struct rte_mbuf *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, const struct sw_fref *r,
		uint32_t id);

/* Timers due at `now` (TSC): bounded work per call; how many fired. */
unsigned int sw_flow_timers(struct sw_worker *w, uint64_t now);

/* lbpath.c: lb mode's data path. */

/* Tables, neighbours and counters of w; 0 or -errno with `err`. */
int sw_lb_worker_setup(struct sw_worker *w, const struct sw_config *cfg,
		int socket, char *err, size_t err_len);
void sw_lb_worker_teardown(struct sw_worker *w);

/*
 * A segment from a backend: its slot, and the flow key with the VIP the
 * client knows. Returns the service index, or -1.
 */
int sw_lb_classify_inside(struct sw_worker *w, const uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r);

/* Not a service's: ARP, ND, health answers, or a drop. */
void sw_lb_other(struct sw_worker *w, enum sw_side side, struct rte_mbuf *m,
		uint8_t *frame, const struct sw_pkt *p);

/* The backend for a new flow of r's service, or SW_LB_NONE. */
uint16_t sw_lb_pick(struct sw_worker *w, struct sw_fref *r);

/*
 * A relayed segment (p parsed from frame) to the backend / the client:
 * NAT, TTL, next hop. False when it was dropped (and counted) instead.
 */
bool sw_lb_to_backend(struct sw_worker *w, struct rte_mbuf *m,
		uint8_t *frame, const struct sw_pkt *p, uint16_t slot);
bool sw_lb_to_client(struct sw_worker *w, struct rte_mbuf *m,
		uint8_t *frame, const struct sw_pkt *p, uint16_t slot);

/* A frame synwall built for `slot`'s backend (its SYN): DNAT, send. */
void sw_lb_syn_to_backend(struct sw_worker *w, struct rte_mbuf *m,
		uint16_t slot);

/* An ICMP error from outside about a flow of `slot`: to its backend. */
void sw_lb_icmp_to_backend(struct sw_worker *w, struct rte_mbuf *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, uint16_t slot);

/*
 * With several workers, ARP replies and NAs reach one worker: it hands
 * them (shared, refcounted) to the others through the steering rings.
 * This takes such a frame on the receiving end: learned, freed; true.
 */
bool sw_lb_shared_answer(struct sw_worker *w, enum sw_side side,
		struct rte_mbuf *m, const uint8_t *frame,
		const struct sw_pkt *p);

/* Per loop: health checks to send (worker 0), neighbour ageing. */
void sw_lb_poll(struct sw_worker *w, uint64_t now);

/* The flow table of a family and the flow of an id. */
static inline struct sw_ft *
sw_flow_table(struct sw_worker *w, bool v6)
{
	return v6 ? &w->ft6 : &w->ft4;
}

/* A limiter of `rate` per second (0: none) with `burst`. */
void sw_gcra_init(struct sw_gcra *g, uint64_t rate, uint64_t burst,
		uint64_t hz);

/* Sum the counters of n workers into *total. */
void sw_counters_sum(const struct sw_worker *w, unsigned int n,
		struct sw_counters *total);

#endif /* SW_WORKER_H */
