/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "sw_log.h"
#include "sw_parse.h"
#include "sw_service.h"
#include "sw_worker.h"

static const char *const drop_names[SW_DROP_MAX] = {
	[SW_DROP_UNPROTECTED] = "unprotected",
	[SW_DROP_TX_FULL] = "tx_full",
	[SW_DROP_MULTISEG] = "multiseg",
};

const char *
sw_drop_name(enum sw_drop d)
{
	return (unsigned int)d < SW_DROP_MAX ? drop_names[d] : "unknown";
}

/*
 * Is this packet to (outside → inside) or from (inside → outside) a
 * protected service? Returns the service index or -1.
 */
static inline int
service_of(const struct sw_worker *w, enum sw_side side,
		const struct sw_pkt *p, const uint8_t *frame)
{
	uint16_t port;

	if (!(p->flags & SW_PKT_F_TCP))
		return -1;
	port = side == SW_OUTSIDE ? p->dst_port : p->src_port;
	if (p->l3 == SW_L3_IPV4) {
		/* IPv4: saddr at +12, daddr at +16 */
		uint32_t addr;

		memcpy(&addr, frame + p->l3_off + (side == SW_OUTSIDE ? 16 : 12),
			sizeof(addr));
		return sw_svc_lookup4(w->svc, addr, port);
	}
	/* IPv6: saddr at +8, daddr at +24 */
	return sw_svc_lookup6(w->svc,
		frame + p->l3_off + (side == SW_OUTSIDE ? 24 : 8), port);
}

/*
 * With unprotected = drop, what still has to cross for the segment to
 * work at all: non-IP frames (ARP) and IPv6 neighbour discovery.
 */
static inline bool
is_link_control(const struct sw_pkt *p, const uint8_t *frame)
{
	uint8_t type;

	if (p->l3 == SW_L3_OTHER)
		return true;
	if (p->l3 != SW_L3_IPV6 || p->l4_proto != IPPROTO_ICMPV6 ||
			(p->flags & SW_PKT_F_L4_NONE) || p->l4_off >= p->ip_end)
		return false;
	type = frame[p->l4_off];
	/* RFC 4861 §4: router/neighbour solicitation/advertisement, redirect */
	return type >= 133 && type <= 137;
}

static inline void
tx_enqueue(struct sw_worker *w, enum sw_side to, struct rte_mbuf *m)
{
	struct sw_txq *q = &w->txq[to];

	q->pkts[q->n++] = m;
	if (q->n >= w->burst)
		sw_worker_flush(w, to);
}

void
sw_worker_flush(struct sw_worker *w, enum sw_side side)
{
	struct sw_txq *q = &w->txq[side];
	struct sw_port_counters *pc = &w->c.port[side];
	uint16_t sent, i;
	uint64_t bytes = 0;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(w->port[side], w->queue, q->pkts, q->n);
	/* Sent mbufs belong to the PMD now: count bytes from the running
	 * sum less what was refused, never by reading a sent mbuf. */
	for (i = sent; i < q->n; i++) {
		bytes += rte_pktmbuf_pkt_len(q->pkts[i]);
		rte_pktmbuf_free(q->pkts[i]);
	}
	if (unlikely(sent < q->n)) {
		w->c.drop[SW_DROP_TX_FULL] += q->n - sent;
		SW_LOG_RL(NOTICE, worker, rte_rdtsc(),
			"worker %u: %s port %u refused %u packets (tx_full)",
			w->id, sw_side_name(side), w->port[side], q->n - sent);
	}
	pc->tx_pkts += sent;
	pc->tx_bytes += q->bytes - bytes;
	q->n = 0;
	q->bytes = 0;
}

void
sw_worker_process(struct sw_worker *w, enum sw_side side,
		struct rte_mbuf **pkts, uint16_t n)
{
	const enum sw_side to = side == SW_OUTSIDE ? SW_INSIDE : SW_OUTSIDE;
	struct sw_pkt p;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
		enum sw_parse_err err;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(m->nb_segs != 1)) {
			w->c.drop[SW_DROP_MULTISEG]++;
			rte_pktmbuf_free(m);
			continue;
		}
		err = sw_parse(&p, frame, rte_pktmbuf_data_len(m));
		if (unlikely(err != SW_PARSE_OK)) {
			w->c.malformed[err]++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (service_of(w, side, &p, frame) >= 0) {
			/* Protected: relayed unchanged until the cookie
			 * engine takes these over. */
			w->c.protected_pkts++;
		} else if (w->drop_unprotected && !is_link_control(&p, frame)) {
			w->c.drop[SW_DROP_UNPROTECTED]++;
			rte_pktmbuf_free(m);
			continue;
		}
		w->txq[to].bytes += rte_pktmbuf_pkt_len(m);
		tx_enqueue(w, to, m);
	}
}

int
sw_worker_main(void *arg)
{
	struct sw_worker *w = arg;
	struct rte_mbuf *pkts[SW_BURST_MAX];
	uint64_t last_drain = rte_rdtsc();

	SW_LOG(INFO, worker, "worker %u on lcore %u: queue %u, burst %u",
		w->id, w->lcore_id, w->queue, w->burst);
	while (!*w->quit) {
		uint64_t now = rte_rdtsc();

		w->c.loops++;
		if (unlikely(now - last_drain >= w->drain_tsc)) {
			sw_worker_flush(w, SW_OUTSIDE);
			sw_worker_flush(w, SW_INSIDE);
			last_drain = now;
		}
		for (unsigned int side = 0; side < SW_SIDES; side++) {
			struct sw_port_counters *pc = &w->c.port[side];
			uint16_t n;

			n = rte_eth_rx_burst(w->port[side], w->queue, pkts,
				w->burst);
			if (n == 0)
				continue;
			pc->rx_pkts += n;
			for (uint16_t i = 0; i < n; i++)
				pc->rx_bytes += rte_pktmbuf_pkt_len(pkts[i]);
			sw_worker_process(w, side, pkts, n);
			w->c.busy_cycles += rte_rdtsc() - now;
			now = rte_rdtsc();
		}
	}
	sw_worker_flush(w, SW_OUTSIDE);
	sw_worker_flush(w, SW_INSIDE);
	SW_LOG(INFO, worker, "worker %u stopped", w->id);
	return 0;
}

static_assert(sizeof(struct sw_counters) % sizeof(uint64_t) == 0,
	"sw_counters must hold only uint64_t");

void
sw_counters_sum(const struct sw_worker *w, unsigned int n,
		struct sw_counters *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < n; i++) {
		const uint64_t *src = (const uint64_t *)&w[i].c;
		uint64_t *dst = (uint64_t *)t;

		/* sw_counters is only uint64_t fields (asserted below). */
		for (size_t k = 0; k < sizeof(*t) / sizeof(uint64_t); k++)
			dst[k] += src[k];
	}
}
