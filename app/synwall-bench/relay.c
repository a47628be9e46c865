/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relay: --flows N connections opened through synwall (N up to
 * millions: the flow table that full), then data both ways, round robin
 * over the flows, one segment of --payload bytes at a time. Measures
 * relayed packets per second and synwall's cycles per packet; checks
 * every --sample'th segment that crossed: sequence, ack and timestamps
 * translated into the receiver's space; addresses, ports, Ethernet
 * addresses and TTL as the receiver must see them (in lb mode: to the
 * backend, back from the VIP, one hop less; conns.c).
 *
 * Against a reference DUT (5tswap, io) there is nothing to open: the
 * same data segments go out at once, for the same input on the same
 * core.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "conns.h"

struct relay {
	struct swb_conns cs;
	bool reference;			/* no synwall: no flows to open */
	uint64_t cursor;		/* next flow to send on */
	uint64_t data_sent;
	uint64_t data_rx;
	uint64_t checked;
	uint64_t bad;
	uint64_t skipped;		/* flow lost in setup: not sent on */
	uint64_t other;
};

static int
rl_init(struct swb *b, char *err, size_t len)
{
	struct relay *r = calloc(1, sizeof(*r));

	b->state = r;
	if (r == NULL || swb_conns_init(&r->cs, b->flows, b->concurrency,
			b->k_base, UINT64_MAX, 0, 0, b->hz) != 0) {
		snprintf(err, len, "out of memory for %u flows", b->flows);
		return -ENOMEM;
	}
	r->reference = b->dut != SWB_DUT_SYNWALL && b->dut != SWB_DUT_EXTERNAL;
	if (r->reference) {
		/* Flows as if opened: numbers from k, nothing exchanged. */
		for (uint64_t k = b->k_base; k < b->k_base + b->flows; k++) {
			struct swb_conn *c = &r->cs.tab[k % b->flows];

			c->k = k;
			c->c_isn = swb_mix32((uint32_t)k);
			c->s_isn = swb_mix32((uint32_t)k + 7);
			c->cookie = c->s_isn;
			c->state = SWB_CS_OPEN;
		}
		r->cs.k_next = r->cs.k_tail = b->k_base + b->flows;
	}
	return 0;
}

static bool
rl_measuring(struct swb *b)
{
	const struct relay *r = b->state;

	return r->cs.k_tail >= b->k_base + b->flows;
}

/* One data segment of connection c, from the client or the server. */
static struct rte_mbuf *
data_seg(struct swb *b, struct swb_conn *c, bool client)
{
	uint32_t caddr;
	uint16_t cport;
	uint8_t o[SWB_OPT_TS_LEN];
	struct swb_seg s = {
		.flags = SW_TCP_ACK | SW_TCP_PSH,
		.window = 1024,
		.opts = o,
		.opts_len = SWB_OPT_TS_LEN,
		.payload = b->payload,
	};

	swb_client_of(c->k, &caddr, &cport);
	if (client) {
		s.saddr = caddr;
		s.daddr = b->dst_ip;
		s.sport = cport;
		s.dport = b->dst_port;
		s.seq = c->c_isn + 1 + c->c_sent;
		s.ack = c->cookie + 1 + c->s_sent;
		swb_opt_ts(o, swb_c_tsval(c->k) + 1, c->ck_tsval);
		c->c_sent += b->payload;
		return swb_seg_build(b, SW_OUTSIDE, &s);
	}
	s.saddr = b->srv_ip;
	s.daddr = b->snat ? b->snat_ip : caddr;
	s.sport = b->srv_port;
	s.dport = b->snat ? c->lport : cport;
	s.seq = c->s_isn + 1 + c->s_sent;
	s.ack = c->c_isn + 1 + c->c_sent;
	swb_opt_ts(o, swb_s_tsval(c->k), swb_c_tsval(c->k) + 1);
	c->s_sent += b->payload;
	return swb_seg_build(b, SW_INSIDE, &s);
}

static uint32_t
rl_generate(struct swb *b, uint32_t budget, uint64_t now)
{
	struct relay *r = b->state;
	struct rte_mbuf *pkts[SW_SIDES][SWB_BURST_MAX];
	uint16_t n[SW_SIDES] = { 0, 0 };
	uint32_t i;

	swb_conns_expire(&r->cs, now);	/* with nothing back, too */
	if (r->cs.k_next < b->k_base + b->flows)
		return swb_conns_start(b, &r->cs, budget, b->k_base + b->flows,
			now);
	if (!rl_measuring(b))
		return 0;		/* the last opens are on their way */
	budget = RTE_MIN(budget, b->burst);
	for (i = 0; i < budget; i++) {
		/* Each flow in turn, a client segment then a server one. */
		const uint64_t j = r->cursor++;
		struct swb_conn *c = &r->cs.tab[(b->k_base + j / 2) % b->flows];
		const bool client = (j & 1) == 0;
		const enum sw_side side = client ? SW_OUTSIDE : SW_INSIDE;
		struct rte_mbuf *m;

		if (c->state != SWB_CS_OPEN) {
			r->skipped++;
			continue;
		}
		m = data_seg(b, c, client);
		if (m == NULL)
			break;
		pkts[side][n[side]++] = m;
	}
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		const uint64_t before = b->ps[s].tx;

		swb_send(b, s, pkts[s], n[s]);
		r->data_sent += b->ps[s].tx - before;	/* what the port took */
	}
	return i;
}

/* A data segment that crossed: in the receiver's numbers? */
static bool
data_ok(struct swb *b, struct relay *r, enum sw_side side,
		const struct rte_mbuf *m, const struct sw_pkt *p)
{
	const struct swb_conn *c = side == SW_OUTSIDE ?
		swb_conns_find(&r->cs, swb_daddr(m, p), p->dst_port) :
		swb_conns_find_srv(b, &r->cs, swb_saddr(m, p), p);
	uint32_t off, ack;

	if (c == NULL || c->state != SWB_CS_OPEN ||
			p->payload_len != b->payload ||
			!swb_hop_ok(b, side, m, p, swb_relayed_ttl(b)))
		return false;
	if (side == SW_OUTSIDE) {
		/* Server → client: from the address the client knows, the
		 * cookie's space, synwall's clock. */
		off = p->seq - (c->cookie + 1);
		ack = p->ack - (c->c_isn + 1);
		return swb_saddr(m, p) == b->dst_ip &&
			p->src_port == b->dst_port &&
			off < c->s_sent && off % b->payload == 0 &&
			ack <= c->c_sent && p->opt.tsval == c->ck_tsval;
	}
	/* Client → server: to the server (the backend), in its own
	 * space and clock. */
	off = p->seq - (c->c_isn + 1);
	ack = p->ack - (c->s_isn + 1);
	return swb_daddr(m, p) == b->srv_ip && p->dst_port == b->srv_port &&
		off < c->c_sent && off % b->payload == 0 &&
		ack <= c->s_sent && p->opt.tsecr == swb_s_tsval(c->k);
}

static void
rl_receive(struct swb *b, enum sw_side side, struct rte_mbuf **pkts,
		uint16_t n, uint64_t now)
{
	struct relay *r = b->state;

	for (uint16_t i = 0; i < n; i++) {
		struct sw_pkt p;

		if (rl_measuring(b)) {
			/* Data: the segments are counted, a sample read. */
			r->data_rx++;
			if (r->data_rx % b->sample != 0)
				continue;
			r->checked++;
			if (!swb_parse(pkts[i], &p) ||
					!swb_cksum_ok(pkts[i], &p) ||
					!data_ok(b, r, side, pkts[i], &p))
				r->bad++;
			continue;
		}
		if (!swb_parse(pkts[i], &p))
			r->other++;
		else if (!swb_conns_rx(b, &r->cs, side, pkts[i], &p, now))
			r->cs.stray++;
	}
	rte_pktmbuf_free_bulk(pkts, n);
	swb_conns_flush(b, &r->cs);
	swb_conns_expire(&r->cs, now);
}

static void
rl_report(struct swb *b, swb_put_fn put, void *arg)
{
	const struct relay *r = b->state;

	put(arg, "flows", (double)b->flows, "");
	put(arg, "flows_open", (double)(r->reference ? b->flows :
		r->cs.opened), "");
	put(arg, "data_sent", (double)r->data_sent, "");
	put(arg, "data_rx", (double)r->data_rx, "");
	put(arg, "data_checked", (double)r->checked, "");
	put(arg, "bad", (double)r->bad, "");
	put(arg, "open_timeouts", (double)r->cs.timeouts, "");
	put(arg, "open_bad", (double)r->cs.bad, "");
	put(arg, "stray_rx", (double)r->cs.stray, "");
	put(arg, "skipped", (double)r->skipped, "");
}

static int
rl_account(struct swb *b, const struct swb_dut_stats *d, char *why,
		size_t len)
{
	const struct relay *r = b->state;

	RTE_SET_USED(d);
	if (r->bad != 0 || r->cs.bad != 0 || r->cs.stray != 0 ||
			r->cs.timeouts != 0 || r->other != 0 ||
			(!r->reference && r->cs.opened != b->flows) ||
			(d != NULL && r->data_rx + d->drops < r->data_sent)) {
		snprintf(why, len, "flows opened %" PRIu64 " of %u; data sent %"
			PRIu64 ", received %" PRIu64 ", %" PRIu64
			" bad; setup bad %" PRIu64 ", stray %" PRIu64
			", timeouts %" PRIu64, r->cs.opened, b->flows,
			r->data_sent, r->data_rx, r->bad, r->cs.bad,
			r->cs.stray, r->cs.timeouts);
		return -1;
	}
	return 0;
}

static void
rl_fini(struct swb *b)
{
	struct relay *r = b->state;

	if (r != NULL)
		swb_conns_free(&r->cs);
	free(r);
	b->state = NULL;
}

const struct swb_engine swb_relay = {
	.name = "relay",
	.what = "N open flows, data both ways: relayed pkt/s, cycles/pkt, translation checked",
	.init = rl_init,
	.measuring = rl_measuring,
	.generate = rl_generate,
	.receive = rl_receive,
	.report = rl_report,
	.account = rl_account,
	.fini = rl_fini,
};
