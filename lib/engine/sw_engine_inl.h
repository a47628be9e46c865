/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's private header: its small inline helpers, shared by
 * engine.c (classification, SYN cookies), flow.c (hand-off, relay),
 * probe.c (first contact) and lbpath.c (lb mode), and the functions
 * they call in one another. Data path: inline, no calls.
 */
#ifndef SW_ENGINE_INL_H
#define SW_ENGINE_INL_H

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "sw_build.h"
#include "sw_cksum.h"
#include "sw_engine.h"
#include "sw_hdr.h"
#include "sw_parse.h"

/*
 * How inline and lb mode differ, chosen once (sw_engine_init): the data
 * path calls through this and never asks which mode it runs in.
 * Inline flows all have backend 0 (counted in bc_none, read by nobody).
 */
struct sw_egress {
	/* A segment from inside: its service and flow key (r), or -1 for
	 * no service's (r->drain: a flow a reload left may own it). */
	int (*classify_inside)(struct sw_engine *w, const uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r);
	/* Not a service's: bridged or dropped; lb: ARP, ND, health. */
	void (*other)(struct sw_engine *w, enum sw_side side,
		struct sw_frame *m, uint8_t *frame, const struct sw_pkt *p);
	/* Steered to us and no service's: a neighbour's answer? */
	bool (*shared)(struct sw_engine *w, enum sw_side side,
		struct sw_frame *m, const uint8_t *frame,
		const struct sw_pkt *p);
	/* The backend of a new flow of r's service, or SW_LB_NONE. */
	uint16_t (*pick)(struct sw_engine *w, struct sw_fref *r);
	/* Relayed segments of flow f out, to the server or the client,
	 * and the frames synwall builds for f's server (its SYN, ICMP
	 * errors about the flow): false when dropped (counted). lb reads
	 * the flow's backend, local port and key (flow_backend() ...). */
	bool (*to_server)(struct sw_engine *w, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_flow *f);
	bool (*to_client)(struct sw_engine *w, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_flow *f);
	void (*syn_to_server)(struct sw_engine *w, struct sw_frame *m,
		const struct sw_flow *f);
	void (*icmp_to_server)(struct sw_engine *w, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, const struct sw_flow *f);
	/* Per loop: lb's health checks and neighbours. */
	void (*poll)(struct sw_engine *w, uint64_t now,
		const uint64_t *checks, unsigned int n_checks);
	bool first_contact;	/* client SYNs may wait for a server probe */
	bool icmp_inside;	/* ICMP errors from inside may quote flows */
};

extern const struct sw_egress sw_egress_inline;
extern const struct sw_egress sw_egress_lb;

/* engine.c: answer a SYN held during a probe (probe.c), now. */
void sw_engine_syn_answer(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p, struct sw_fref *r, uint64_t now);

/* probe.c: first contact (docs/handoff.md, "Learning"). */

/* Hold the SYN `m` while its unknown server is asked; false: answer now. */
bool sw_probe_hold(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p, const struct sw_fref *r, uint64_t now);

/* A server's segment with no flow: a probe's answer? true: consumed. */
bool sw_probe_answer(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_fref *r, uint64_t now);

/* Release the SYNs of probes that had no answer in time. */
void sw_probe_expire(struct sw_engine *w, uint64_t now);

void sw_probe_setup(struct sw_engine *w, uint32_t refresh_ms);
void sw_probe_teardown(struct sw_engine *w);

/* flow.c: the flow tables, the hand-off and the relay. */

int sw_flow_setup(struct sw_engine *w, const struct sw_engine_params *p,
		char *err, size_t err_len);
void sw_flow_teardown(struct sw_engine *w);

/*
 * What the server's SYN-ACK `sa` says about the options our SYN offered
 * (`offers`, SW_FX_OFFER_*), for the SYN-ACKs to its next clients.
 */
void sw_flow_learn(struct sw_engine *w, const struct sw_fref *r,
		const struct sw_pkt *sa, uint8_t offers);

/*
 * A segment of flow `id` (found by the caller). Returns false when the
 * flow was over and `m` opens a new one: the caller goes on as if there
 * were no flow (the SYN cookie engine).
 */
bool sw_flow_input(struct sw_engine *w, enum sw_side side,
		struct sw_frame *m, uint8_t *frame, const struct sw_pkt *p,
		const struct sw_fref *r, uint32_t id, uint64_t now);

/* A valid cookie ACK `m` from the client: create the flow, hand off. */
void sw_flow_create(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p, struct sw_fref *r,
		const struct sw_cookie_opts *co, uint64_t slot, uint64_t now);

/*
 * lb, nat = snat: the flow that holds local port r->lport (a backend's
 * segment to the snat_address, on this worker's slice), checked against
 * the sender: its backend's address and port. Fills r as the key lookup
 * would (key, slot, svc) and returns the flow's id; -1 when `m` was
 * dropped (drop.snat_noflow, drop.backend_mismatch).
 */
int64_t sw_flow_snat_find(struct sw_engine *w, struct sw_frame *m,
		const uint8_t *frame, const struct sw_pkt *p,
		struct sw_fref *r);

/*
 * A server's segment with no flow on a port a reload made protected,
 * within its grace period: adopt the connection as a pass-through flow
 * (not for a RST), and send the segment on as it is.
 */
void sw_flow_adopt(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p, struct sw_fref *r, uint64_t now);

/* An ICMP error quoting a segment of flow `id`: translate, forward. */
void sw_flow_icmp(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, const struct sw_fref *r,
		uint32_t id);

/* Timers due at `now` (TSC): bounded work per call; how many fired. */
unsigned int sw_flow_timers(struct sw_engine *w, uint64_t now);

/*
 * lb cluster, the table side (flow.c): a peer's claim makes (or moves)
 * a foreign entry, unless a live flow of ours has the key; its release
 * removes the entry it made; does a live flow of ours have the key?
 */
void sw_flow_claimed(struct sw_engine *w, struct sw_fref *r, uint8_t peer,
		uint64_t now);
void sw_flow_released(struct sw_engine *w, struct sw_fref *r, uint8_t peer);
bool sw_flow_owns(struct sw_engine *w, struct sw_fref *r);
/* A peer asked for our flows: claim every live one to it, a bounded
 * part per sw_flow_sync() call. */
void sw_flow_sync_start(struct sw_engine *w, uint8_t peer);
void sw_flow_sync(struct sw_engine *w);

/* lbpath.c: lb mode's data path. */

int sw_lb_engine_setup(struct sw_engine *w, const struct sw_engine_params *p,
		char *err, size_t err_len);
void sw_lb_engine_teardown(struct sw_engine *w);

/*
 * Send m to `nh` on `side`, or hold it until nh is resolved; false when
 * it was dropped (counted).
 */
bool sw_lb_neigh_out(struct sw_engine *w, enum sw_side side,
		struct sw_frame *m, uint8_t family, const uint8_t *nh);
/* The outside next hop towards `dst`: itself, the gateway, or NULL. */
const uint8_t *sw_lb_next_hop_out(const struct sw_engine *w, uint8_t family,
		const uint8_t *dst);

/* cluster.c: flows that survive a rehash (docs/cluster.md). */

#define SW_CLUSTER_ETHERTYPE	0x88b5	/* IEEE 802 local experimental 1 */
#define SW_CLUSTER_ALL		0xffu	/* sw_cluster_tell(): every peer */

enum sw_cluster_op {
	SW_CLUSTER_CLAIM = 1,	/* the flow is the sender's */
	SW_CLUSTER_RELEASE,	/* ... is no more */
	SW_CLUSTER_LOOKUP,	/* whose is it? (the owner claims it) */
	SW_CLUSTER_SYNC,	/* the sender started: claim all yours to it */
	SW_CLUSTER_HELLO,	/* the sender is up (no flow: its start's id) */
};

/* A message about flow `key` (struct sw_fkey4/6) to peer `to` or all. */
void sw_cluster_tell(struct sw_engine *w, enum sw_cluster_op op, bool v6,
		const void *key, unsigned int to);
/* A frame from inside: a control frame? true: taken (steered, done);
 * `shared`: another worker showed it to this one. */
bool sw_cluster_msg(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p, bool shared);
/* Per loop, with peers: worker 0 asks for the peers' flows once; the
 * walks for peers that asked for ours go on. */
void sw_cluster_poll(struct sw_engine *w);
/* The epoch a foreign entry of `peer` made now keeps (its flow's). */
uint32_t sw_cluster_epoch(const struct sw_engine *w, uint32_t peer);
/* Is the owner of a foreign entry of `epoch` gone (silent too long, or
 * started again since)? Its flow cannot be relayed by anyone. */
bool sw_cluster_gone(const struct sw_engine *w, uint32_t peer,
		uint32_t epoch);
/* A segment of a flow peer `peer` owns: to it, unchanged at L3. */
void sw_cluster_forward(struct sw_engine *w, struct sw_frame *m,
		uint32_t peer);
/* A peer's segment, at the owner: its L2 made as if from outside. */
void sw_cluster_peer_in(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p);
/* No flow, no valid cookie: ask the peers, drop m; false: over the
 * rate, m is the caller's still. */
bool sw_cluster_lookup(struct sw_engine *w, struct sw_frame *m,
		const struct sw_fref *r, uint64_t now);


/* The flow table of a family. */
static inline struct sw_ft *
sw_flow_table(struct sw_engine *w, bool v6)
{
	return v6 ? &w->ft6 : &w->ft4;
}

/* Frames the engine built or holds go back by the I/O layer. */
static inline struct sw_frame *
frame_alloc(struct sw_engine *w)
{
	return w->io->alloc(w->io_ctx);
}

static inline void
frame_free(struct sw_engine *w, struct sw_frame *m)
{
	w->io->free(w->io_ctx, &m, 1);
}

/* A copy of `m` in a new frame (a probe, a restart's RST), or NULL. */
static inline struct sw_frame *
frame_copy(struct sw_engine *w, const struct sw_frame *m)
{
	struct sw_frame *c = frame_alloc(w);

	if (c == NULL)
		return NULL;
	if (unlikely(c->cap < m->len)) {
		frame_free(w, c);
		return NULL;
	}
	memcpy(c->data, m->data, m->len);
	c->len = m->len;
	c->tx = SW_TX_PLAIN;
	return c;
}

void sw_engine_flush_side(struct sw_engine *w, enum sw_side side);

/* The source (dst = false) or destination address in the IP header. */
static inline const uint8_t *
ip_addr(const uint8_t *frame, const struct sw_pkt *p, bool dst)
{
	const uint8_t *ip = frame + p->l3_off;

	if (p->l3 == SW_L3_IPV4)
		return ip + (dst ? offsetof(struct sw_ipv4_hdr, dst_addr) :
			offsetof(struct sw_ipv4_hdr, src_addr));
	return ip + (dst ? offsetof(struct sw_ipv6_hdr, dst_addr) :
		offsetof(struct sw_ipv6_hdr, src_addr));
}

void sw_engine_synack_flush(struct sw_engine *w);

static inline void
tx_enqueue(struct sw_engine *w, enum sw_side to, struct sw_frame *m)
{
	struct sw_txq *q = &w->txq[to];

	/* SYN-ACKs decided earlier leave first: the order of the wire
	 * is the order of the decisions. */
	if (unlikely(w->n_synack != 0) && to == SW_OUTSIDE) {
		sw_engine_synack_flush(w);
		q = &w->txq[to];
	}

	q->f[q->n++] = m;
	if (q->n >= w->burst)
		sw_engine_flush_side(w, to);
}

static inline bool
gcra_allow(const struct sw_gcra *g, uint64_t *tat, uint64_t now)
{
	if (g->interval == 0)
		return true;
	if (*tat > now + g->tau)
		return false;
	*tat = SW_MAX(*tat, now) + g->interval;
	return true;
}

/* Dropped mbufs are freed in bulk at the end of the burst. */
static inline void
drop(struct sw_engine *w, struct sw_frame *m, enum sw_drop why)
{
	w->c.drop[why]++;
	w->dead[w->n_dead++] = m;
}

/* Hand a packet to the worker that owns its flow. */
static inline void
steer(struct sw_engine *w, struct sw_frame *m, uint16_t owner)
{
	if (unlikely(!w->io->steer(w->io_ctx, owner, m))) {
		drop(w, m, SW_DROP_STEER_FULL);
		return;
	}
	w->c.flow.steered++;
}

/* Freed with the dead: a segment whose job is done, not a drop. */
static inline void
consume(struct sw_engine *w, struct sw_frame *m)
{
	w->c.flow.consumed++;
	w->dead[w->n_dead++] = m;
}

/*
 * Checksums of a segment we are about to answer: trust the NIC's verdict
 * when it gave one, compute otherwise.
 */
static inline enum sw_drop
bad_cksum(const struct sw_frame *m, const uint8_t *frame,
		const struct sw_pkt *p)
{
	/* No verdict from the NIC (virtual ports): both sums, one pass. */
	if (m->rx == 0 && (p->flags & SW_PKT_F_TCP) &&
			!(p->flags & SW_PKT_F_FRAG)) {
		const unsigned int bad = sw_pkt_tcp_cksums_verify(frame, p);

		return (bad & SW_CKSUM_IP_BAD) ? SW_DROP_IP_CKSUM :
			bad ? SW_DROP_TCP_CKSUM : SW_DROP_MAX;
	}
	if (p->l3 == SW_L3_IPV4 && !(m->rx & SW_RX_IP_GOOD) &&
			((m->rx & SW_RX_IP_BAD) ||
			 sw_pkt_ipv4_cksum_verify(frame, p) != 0))
		return SW_DROP_IP_CKSUM;
	/* NONE: the data's sum is not filled in but its integrity is known. */
	if (m->rx & (SW_RX_L4_GOOD | SW_RX_L4_NONE))
		return SW_DROP_MAX;
	if ((m->rx & SW_RX_L4_BAD) ||
			sw_pkt_l4_cksum_verify(frame, p) != 0)
		return SW_DROP_TCP_CKSUM;
	return SW_DROP_MAX;
}

/* Hand a reply rewritten in place to TX on port `to`. */
static inline void
send_reply(struct sw_engine *w, enum sw_side to, struct sw_frame *m,
		const struct sw_pkt *p, int len, bool offload)
{
	m->len = (uint16_t)len;
	m->tx = SW_TX_PLAIN;
	if (offload) {
		m->l2_len = (uint8_t)p->l3_off;
		m->tx = p->l3 == SW_L3_IPV4 ? SW_TX_CSUM4 : SW_TX_CSUM6;
	}
	tx_enqueue(w, to, m);
}

/* May the NIC sum a reply leaving by `to`? (Only the outside is asked.) */
static inline bool
reply_offload(const struct sw_engine *w, enum sw_side to,
		const struct sw_pkt *p)
{
	if (to != SW_OUTSIDE)
		return false;
	return p->l3 == SW_L3_IPV4 ? w->tx_cksum4 : w->tx_cksum6;
}

/*
 * The reply pattern, written once: `m` rewritten in place into the RST
 * that answers it (RFC 9293 §3.10.7.1, hop limit `ttl`), sent back by
 * `to` and counted in *sent (may be NULL); with no room to build it,
 * dropped (drop.build). True when sent.
 */
static inline bool
reply_rst(struct sw_engine *w, enum sw_side to, struct sw_frame *m,
		const struct sw_pkt *p, uint8_t ttl, uint64_t *sent)
{
	const bool offload = reply_offload(w, to, p);
	const int len = sw_build_rst(m->data, m->cap, p, ttl, offload);

	if (unlikely(len < 0)) {
		drop(w, m, SW_DROP_BUILD);
		return false;
	}
	if (sent != NULL)
		(*sent)++;
	send_reply(w, to, m, p, len, offload);
	return true;
}

/*
 * The flow key of a protected segment (client first: the source when it
 * comes from outside, the destination when from inside). Its hash
 * (flow_hash()) also names the worker that owns the flow.
 */
static inline void
flow_key(enum sw_side side, const uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r)
{
	const bool out = side == SW_OUTSIDE;
	const uint8_t *c = ip_addr(frame, p, !out);
	const uint8_t *sv = ip_addr(frame, p, out);
	const uint8_t *tcp = frame + p->l4_off;

	if (p->l3 == SW_L3_IPV4) {
		r->v6 = false;
		memcpy(&r->key.v4.caddr, c, 4);
		memcpy(&r->key.v4.saddr, sv, 4);
		memcpy(&r->key.v4.cport, tcp + (out ? 0 : 2), 2);
		memcpy(&r->key.v4.sport, tcp + (out ? 2 : 0), 2);
	} else {
		r->v6 = true;
		memcpy(r->key.v6.caddr, c, 16);
		memcpy(r->key.v6.saddr, sv, 16);
		memcpy(&r->key.v6.cport, tcp + (out ? 0 : 2), 2);
		memcpy(&r->key.v6.sport, tcp + (out ? 2 : 0), 2);
	}
	r->hashed = false;
	r->snat = false;
}

/* The key's hash, computed once, when a lookup or steering needs it. */
static inline uint32_t
flow_hash(const struct sw_engine *w, struct sw_fref *r)
{
	if (!r->hashed) {
		r->hash = sw_ft_hash(r->v6 ? &w->ft6 : &w->ft4, &r->key);
		r->hashed = true;
	}
	return r->hash;
}

/*
 * The flow key of the TCP segment an ICMP error quotes. From outside it
 * quotes what the server sent the client, from inside what the client
 * sent the server. `svc` is the quoted server address and port's service.
 */
static inline void
quote_key(enum sw_side side, const uint8_t *frame,
		const struct sw_pkt *p, const struct sw_icmp_quote *q,
		struct sw_fref *r)
{
	const bool out = side == SW_OUTSIDE;
	const uint8_t *ip = frame + q->ip_off;
	const uint8_t *tcp = frame + q->tcp_off;
	/* quoted source and destination addresses */
	const uint8_t *qs = ip + (p->l3 == SW_L3_IPV4 ? 12 : 8);
	const uint8_t *qd = ip + (p->l3 == SW_L3_IPV4 ? 16 : 24);

	if (p->l3 == SW_L3_IPV4) {
		r->v6 = false;
		memcpy(&r->key.v4.caddr, out ? qd : qs, 4);
		memcpy(&r->key.v4.saddr, out ? qs : qd, 4);
		memcpy(&r->key.v4.cport, tcp + (out ? 2 : 0), 2);
		memcpy(&r->key.v4.sport, tcp + (out ? 0 : 2), 2);
	} else {
		r->v6 = true;
		memcpy(r->key.v6.caddr, out ? qd : qs, 16);
		memcpy(r->key.v6.saddr, out ? qs : qd, 16);
		memcpy(&r->key.v6.cport, tcp + (out ? 2 : 0), 2);
		memcpy(&r->key.v6.sport, tcp + (out ? 0 : 2), 2);
	}
	r->hashed = false;
	r->snat = false;
}

/*
 * The shift synwall's SYN-ACK advertises, from what the server's last
 * SYN-ACKs said (`learned`, sw_learn_ws()) and the service's wscale:
 * the server's own, so that windows pass unscaled, but never more than
 * the service's (default 7). A server's windows in units larger than
 * its own are rounded up (sw_relay_window()): a small cap keeps that
 * overrun below one small unit even right after the server shrank its
 * buffers (docs/handoff.md, "Translation").
 */
static inline uint8_t
our_shift(uint8_t learned, uint8_t svc_ws)
{
	if (learned == SW_LEARN_WS_UNKNOWN)
		return svc_ws;
	if (learned == SW_LEARN_WS_NONE)
		return 0;
	return learned < svc_ws ? learned : svc_ws;
}

/* The probe clock: TSC >> 20 (about a millisecond), wrapping. */
static inline uint32_t
probe_clock(uint64_t tsc)
{
	return (uint32_t)(tsc >> 20);
}

/* Is what the server said older than probe_refresh (probe.c)? */
static inline bool
sw_probe_stale(const struct sw_engine *w, const struct sw_learn_entry *e,
		uint64_t now)
{
	const int32_t age = (int32_t)(probe_clock(now) - e->checked);

	/* A negative age: the clock wrapped (days of silence): stale. */
	return w->probe_refresh != INT32_MAX &&
		(age >= (int32_t)w->probe_refresh || age < 0);
}

/* The server's entry in the learned-options table. */
static inline struct sw_learn_entry *
flow_learned(struct sw_engine *w, const struct sw_fref *r, bool add,
		bool *full)
{
	if (r->v6)
		return sw_learn_find(&w->learn, r->key.v6.saddr, 6,
			r->key.v6.sport, add, full);
	return sw_learn_find(&w->learn, (const uint8_t *)&r->key.v4.saddr, 4,
		r->key.v4.sport, add, full);
}

/* The worker that owns a flow: its hash scaled to the worker count. */
static inline uint16_t
flow_owner(const struct sw_engine *w, uint32_t hash)
{
	return (uint16_t)(((uint64_t)hash * w->n_workers) >> 32);
}

/*
 * lb mode: the backend slot and the local port (nat = snat; 0: none) of
 * a flow, the two halves of the word before it in its table entry (both
 * entry layouts put it there), and the flow's key, at the entry's start.
 */
static_assert(offsetof(struct sw_fentry4, f) ==
	offsetof(struct sw_fentry4, backend) + 2 * sizeof(uint16_t) &&
	offsetof(struct sw_fentry4, lport) ==
	offsetof(struct sw_fentry4, backend) + sizeof(uint16_t),
	"backend slot and local port right before the flow");
static_assert(offsetof(struct sw_fentry6, f) ==
	offsetof(struct sw_fentry6, backend) + 2 * sizeof(uint16_t) &&
	offsetof(struct sw_fentry6, lport) ==
	offsetof(struct sw_fentry6, backend) + sizeof(uint16_t),
	"backend slot and local port right before the flow");
static_assert(sizeof(struct sw_fentry4) == SW_FENTRY4_SIZE,
	"an IPv4 flow is one cache line");
static_assert(sizeof(struct sw_fentry6) <= SW_FENTRY6_SIZE,
	"an IPv6 flow fits two cache lines");

/*
 * A flow's PROXY protocol header of version v (docs/handoff.md, "PROXY
 * protocol"), built from its key whenever it is needed, nothing stored:
 * the client's address and port, and the address and port it connected
 * to (the server's inline, the VIP's in lb mode). Its length, 0 for
 * SW_PP_NONE.
 */
static inline int
pp_build_key(enum sw_pp_version v, const union sw_fkey *k, bool v6,
		uint8_t buf[SW_PP_MAX])
{
	struct sw_pp_addr a;
	int len;

	if (v == SW_PP_NONE)
		return 0;
	a.v6 = v6;
	a.src = v6 ? k->v6.caddr : (const uint8_t *)&k->v4.caddr;
	a.dst = v6 ? k->v6.saddr : (const uint8_t *)&k->v4.saddr;
	a.sport_be = v6 ? k->v6.cport : k->v4.cport;
	a.dport_be = v6 ? k->v6.sport : k->v4.sport;
	len = sw_pp_build(buf, SW_PP_MAX, v, &a);
	return len < 0 ? 0 : len;	/* SW_PP_MAX always holds it */
}

static inline uint16_t *
flow_backend(const struct sw_flow *f)
{
	return (uint16_t *)(uintptr_t)((const uint8_t *)f -
		2 * sizeof(uint16_t));
}

static inline uint16_t *
flow_lport(const struct sw_flow *f)
{
	return (uint16_t *)(uintptr_t)((const uint8_t *)f - sizeof(uint16_t));
}

static inline const struct sw_fkey4 *
flow_key4(const struct sw_flow *f)
{
	return (const struct sw_fkey4 *)(const void *)((const uint8_t *)f -
		offsetof(struct sw_fentry4, f));
}

static inline const struct sw_fkey6 *
flow_key6(const struct sw_flow *f)
{
	return (const struct sw_fkey6 *)(const void *)((const uint8_t *)f -
		offsetof(struct sw_fentry6, f));
}

/* The value lib/snat keeps for a local port's holder: the flow. */
#define SW_SNAT_V6	(UINT32_C(1) << 31)

static inline uint32_t
snat_holder(bool v6, uint32_t id)
{
	return id | (v6 ? SW_SNAT_V6 : 0);
}

#endif /* SW_ENGINE_INL_H */
