/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's small helpers, shared by worker.c (classification, SYN
 * cookies) and flow.c (hand-off, relay). Data path: inline, no calls.
 */
#ifndef SW_WORKER_INL_H
#define SW_WORKER_INL_H

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "sw_cksum.h"
#include "sw_parse.h"
#include "sw_worker.h"

/* The source (dst = false) or destination address in the IP header. */
static inline const uint8_t *
ip_addr(const uint8_t *frame, const struct sw_pkt *p, bool dst)
{
	if (p->l3 == SW_L3_IPV4)
		return frame + p->l3_off + (dst ? 16 : 12);
	return frame + p->l3_off + (dst ? 24 : 8);
}

static inline void
tx_enqueue(struct sw_worker *w, enum sw_side to, struct rte_mbuf *m)
{
	struct sw_txq *q = &w->txq[to];

	q->bytes += rte_pktmbuf_pkt_len(m);
	q->pkts[q->n++] = m;
	if (q->n >= w->burst)
		sw_worker_flush(w, to);
}

static inline bool
gcra_allow(const struct sw_gcra *g, uint64_t *tat, uint64_t now)
{
	if (g->interval == 0)
		return true;
	if (*tat > now + g->tau)
		return false;
	*tat = RTE_MAX(*tat, now) + g->interval;
	return true;
}

/* Dropped mbufs are freed in bulk at the end of the burst. */
static inline void
drop(struct sw_worker *w, struct rte_mbuf *m, enum sw_drop why)
{
	w->c.drop[why]++;
	w->dead[w->n_dead++] = m;
}

/* Freed with the dead: a segment whose job is done, not a drop. */
static inline void
consume(struct sw_worker *w, struct rte_mbuf *m)
{
	w->c.flow.consumed++;
	w->dead[w->n_dead++] = m;
}

/*
 * Checksums of a segment we are about to answer: trust the NIC's verdict
 * when it gave one, compute otherwise.
 */
static inline enum sw_drop
bad_cksum(const struct rte_mbuf *m, const uint8_t *frame,
		const struct sw_pkt *p)
{
	const uint64_t ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	const uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	if (p->l3 == SW_L3_IPV4 && ip != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			(ip == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
			 sw_pkt_ipv4_cksum_verify(frame, p) != 0))
		return SW_DROP_IP_CKSUM;
	/* NONE: the data's sum is not filled in but its integrity is known. */
	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD || l4 == RTE_MBUF_F_RX_L4_CKSUM_NONE)
		return SW_DROP_MAX;
	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
			sw_pkt_l4_cksum_verify(frame, p) != 0)
		return SW_DROP_TCP_CKSUM;
	return SW_DROP_MAX;
}

/* Hand a reply rewritten in place to TX on port `to`. */
static inline void
send_reply(struct sw_worker *w, enum sw_side to, struct rte_mbuf *m,
		const struct sw_pkt *p, int len, bool offload)
{
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->ol_flags = 0;
	if (offload) {
		m->l2_len = p->l3_off;
		if (p->l3 == SW_L3_IPV4) {
			m->l3_len = 20;
			m->ol_flags = RTE_MBUF_F_TX_IPV4 |
				RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
		} else {
			m->l3_len = 40;
			m->ol_flags = RTE_MBUF_F_TX_IPV6 |
				RTE_MBUF_F_TX_TCP_CKSUM;
		}
	}
	tx_enqueue(w, to, m);
}

/* May the NIC sum a reply leaving by `to`? (Only the outside is asked.) */
static inline bool
reply_offload(const struct sw_worker *w, enum sw_side to,
		const struct sw_pkt *p)
{
	if (to != SW_OUTSIDE)
		return false;
	return p->l3 == SW_L3_IPV4 ? w->tx_cksum4 : w->tx_cksum6;
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
}

/* The key's hash, computed once, when a lookup or steering needs it. */
static inline uint32_t
flow_hash(const struct sw_worker *w, struct sw_fref *r)
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
sw_probe_stale(const struct sw_worker *w, const struct sw_learn_entry *e,
		uint64_t now)
{
	const int32_t age = (int32_t)(probe_clock(now) - e->checked);

	/* A negative age: the clock wrapped (days of silence): stale. */
	return w->probe_refresh != INT32_MAX &&
		(age >= (int32_t)w->probe_refresh || age < 0);
}

/* The server's entry in the learned-options table. */
static inline struct sw_learn_entry *
flow_learned(struct sw_worker *w, const struct sw_fref *r, bool add,
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
flow_owner(const struct sw_worker *w, uint32_t hash)
{
	return (uint16_t)(((uint64_t)hash * w->n_workers) >> 32);
}

/*
 * lb mode: the backend slot of a flow, the word before it in its table
 * entry (both entry layouts put it there).
 */
static_assert(offsetof(struct sw_fentry4, f) ==
	offsetof(struct sw_fentry4, backend) + sizeof(uint32_t),
	"backend slot right before the flow");
static_assert(offsetof(struct sw_fentry6, f) ==
	offsetof(struct sw_fentry6, backend) + sizeof(uint32_t),
	"backend slot right before the flow");

static inline uint32_t *
flow_backend(const struct sw_flow *f)
{
	return (uint32_t *)(uintptr_t)((const uint8_t *)f - sizeof(uint32_t));
}

#endif /* SW_WORKER_INL_H */
