/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated connections: the client's and the server's side of every
 * step, and the check that what crossed the DUT is what the other end
 * must see. Through synwall the client sees the cookie as the server's
 * ISN and synwall's TSval; the server sees its own ISN and TSval acked,
 * so every check below also checks synwall's translation.
 *
 * In lb mode (b->lb) the server is a backend at b->srv_ip:srv_port: it
 * must get the backend SYN and every client segment addressed to it
 * (DNAT), it answers from there, and the client must see the answers
 * from the VIP (b->dst_ip:dst_port) again; relayed segments lose one
 * TTL (b->hops), synwall's own do not. Inline the two are the same
 * address and nothing is decremented: the same checks hold.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "conns.h"

#define CLIENT_WIN	1024		/* << 7: 128 KiB */
#define SERVER_WIN	1024

/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
static void
syn_opts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	static const uint8_t head[4] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t tail[4] = { 1, 3, 3, 7 };

	memcpy(o, head, 4);
	o[4] = 4;
	o[5] = 2;
	swb_opt_ts_kind(o + 6, tsval, tsecr);
	memcpy(o + 16, tail, 4);
}

int
swb_conns_init(struct swb_conns *cs, uint64_t cap, uint64_t window,
		uint64_t k_base, uint64_t full_from, uint16_t req, uint16_t resp,
		uint64_t hz)
{
	memset(cs, 0, sizeof(*cs));
	cs->tab = calloc(cap, sizeof(*cs->tab));
	cs->lport_k = calloc(UINT16_MAX + 1, sizeof(*cs->lport_k));
	if (cs->tab == NULL || cs->lport_k == NULL)
		return -ENOMEM;
	cs->cap = cap;
	cs->window = RTE_MIN(window, cap);
	cs->timeout = hz * 2;
	cs->full_from = full_from;
	cs->k_next = cs->k_tail = k_base;
	cs->req = req;
	cs->resp = resp;
	if (full_from != UINT64_MAX && (swb_lat_init(&cs->lat_setup, 1u << 20) != 0 ||
			swb_lat_init(&cs->lat_done, 1u << 20) != 0))
		return -ENOMEM;
	return 0;
}

void
swb_conns_free(struct swb_conns *cs)
{
	free(cs->tab);
	cs->tab = NULL;
	free(cs->lport_k);
	cs->lport_k = NULL;
	swb_lat_free(&cs->lat_setup);
	swb_lat_free(&cs->lat_done);
}

/* Queue a reply; sent by swb_conns_flush() after the burst. */
static void
out(struct swb *b, struct swb_conns *cs, enum sw_side side,
		const struct swb_seg *s)
{
	struct rte_mbuf *m;

	if (cs->n_out[side] == SWB_BURST_MAX)
		swb_conns_flush(b, cs);
	m = swb_seg_build(b, side, s);
	if (m == NULL) {
		cs->no_mbuf++;
		return;
	}
	cs->out[side][cs->n_out[side]++] = m;
}

/* Queue s with the timestamps option (every segment after the SYNs). */
static void
out_ts(struct swb *b, struct swb_conns *cs, enum sw_side side,
		struct swb_seg *s, uint32_t tsval, uint32_t tsecr)
{
	uint8_t o[SWB_OPT_TS_LEN];

	swb_opt_ts(o, tsval, tsecr);
	s->opts = o;
	s->opts_len = SWB_OPT_TS_LEN;
	out(b, cs, side, s);
}

void
swb_conns_flush(struct swb *b, struct swb_conns *cs)
{
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		swb_send(b, s, cs->out[s], cs->n_out[s]);
		cs->n_out[s] = 0;
	}
}

/* A segment of connection c from the client or the server. */
static void
seg_of(const struct swb *b, const struct swb_conn *c, bool client,
		struct swb_seg *s)
{
	uint32_t caddr;
	uint16_t cport;

	swb_client_of(c->k, &caddr, &cport);
	memset(s, 0, sizeof(*s));
	s->saddr = client ? caddr : b->srv_ip;
	s->daddr = client ? b->dst_ip : b->snat ? b->snat_ip : caddr;
	s->sport = client ? cport : b->srv_port;
	s->dport = client ? b->dst_port : b->snat ? c->lport : cport;
	s->window = client ? CLIENT_WIN : SERVER_WIN;
	s->flags = SW_TCP_ACK;
}

uint32_t
swb_conns_start(struct swb *b, struct swb_conns *cs, uint32_t budget,
		uint64_t k_limit, uint64_t now)
{
	uint32_t n = 0;

	budget = RTE_MIN(budget, (uint32_t)SWB_BURST_MAX);
	while (n < budget && cs->k_next < k_limit &&
			swb_conns_in_flight(cs) < cs->window) {
		struct swb_conn *c = &cs->tab[cs->k_next % cs->cap];
		uint8_t o[20];
		struct swb_seg s;

		if (c->state != SWB_CS_FREE && c->state != SWB_CS_OPEN)
			break;		/* the oldest still runs: wait */
		memset(c, 0, sizeof(*c));
		c->k = cs->k_next++;
		c->t0 = now;
		c->c_isn = (uint32_t)swb_rand(b);
		c->state = SWB_CS_SYN_SENT;
		seg_of(b, c, true, &s);
		s.flags = SW_TCP_SYN;
		s.seq = c->c_isn;
		syn_opts(o, swb_c_tsval(c->k), 0);
		s.opts = o;
		s.opts_len = sizeof(o);
		s.window = 64240;
		out(b, cs, SW_OUTSIDE, &s);
		cs->started++;
		n++;
	}
	swb_conns_flush(b, cs);
	return n;
}

/* The client's side: segments from the server, through the DUT. */
static bool
client_rx(struct swb *b, struct swb_conns *cs, struct swb_conn *c,
		const struct sw_pkt *p, uint8_t ttl, uint64_t now)
{
	const uint8_t f = p->tcp_flags;
	const bool full = swb_conn_full(cs, c);
	struct swb_seg s;

	seg_of(b, c, true, &s);
	if (c->state == SWB_CS_SYN_SENT && f == (SW_TCP_SYN | SW_TCP_ACK)) {
		/* The cookie SYN-ACK, answered with the third ACK (and the
		 * request with it, as HTTP clients do). */
		if (p->ack != c->c_isn + 1 || !(p->opt.present & SW_TCPOPT_F_TS) ||
				p->opt.tsecr != swb_c_tsval(c->k)) {
			cs->bad++;
			return true;
		}
		c->cookie = p->seq;
		c->ck_tsval = p->opt.tsval;
		s.seq = c->c_isn + 1;
		s.ack = c->cookie + 1;
		s.payload = full ? cs->req : 0;
		s.flags = SW_TCP_ACK | (s.payload ? SW_TCP_PSH : 0);
		out_ts(b, cs, SW_OUTSIDE, &s, swb_c_tsval(c->k) + 1,
			c->ck_tsval);
		c->state = SWB_CS_ACK_SENT;
		return true;
	}
	if (!full)
		return false;
	if (c->state == SWB_CS_RESP_SENT && (f & SW_TCP_FIN)) {
		/* The answer: the server's bytes at the cookie's numbers,
		 * its TSval moved into synwall's clock. */
		if (p->seq != c->cookie + 1 || p->ack != c->c_isn + 1 + cs->req ||
				p->payload_len != cs->resp ||
				p->opt.tsval != c->ck_tsval ||
				ttl != swb_relayed_ttl(b)) {
			cs->bad++;
			return true;
		}
		swb_lat_add(b, &cs->lat_setup, (now - c->t0) * 1000000000 / b->hz);
		s.seq = c->c_isn + 1 + cs->req;
		s.ack = c->cookie + 1 + cs->resp + 1;
		s.flags = SW_TCP_ACK | SW_TCP_FIN;
		out_ts(b, cs, SW_OUTSIDE, &s, swb_c_tsval(c->k) + 2,
			c->ck_tsval);
		c->state = SWB_CS_FIN_SENT;
		return true;
	}
	if (c->state == SWB_CS_LAST_ACK && f == SW_TCP_ACK) {
		if (p->seq != c->cookie + 2 + cs->resp ||
				p->ack != c->c_isn + 2 + cs->req ||
				ttl != swb_relayed_ttl(b)) {
			cs->bad++;
			return true;
		}
		swb_lat_add(b, &cs->lat_done, (now - c->t0) * 1000000000 / b->hz);
		cs->completed++;
		c->state = SWB_CS_FREE;
		return true;
	}
	return false;
}

/* The server's side: segments from the client, through the DUT. */
static bool
server_rx(struct swb *b, struct swb_conns *cs, struct swb_conn *c,
		const struct sw_pkt *p, uint8_t ttl)
{
	const uint8_t f = p->tcp_flags;
	const bool again = c->state == SWB_CS_SYNACK_SENT;
	const bool full = swb_conn_full(cs, c);
	uint8_t o[20];
	struct swb_seg s;

	seg_of(b, c, false, &s);
	if ((c->state == SWB_CS_ACK_SENT || again) && f == SW_TCP_SYN) {
		/* synwall's SYN: the client's own ISN, and the TSval (and
		 * TTL: synwall's own segment) of the third ACK it was made
		 * from. */
		if (p->seq != c->c_isn || !(p->opt.present & SW_TCPOPT_F_TS) ||
				p->opt.tsval != swb_c_tsval(c->k) + 1 ||
				!(p->opt.present & SW_TCPOPT_F_MSS) ||
				ttl != SWB_TTL) {
			cs->bad++;
			return true;
		}
		if (again)
			cs->syn_retx++;
		else
			c->s_isn = (uint32_t)swb_rand(b);
		s.flags = SW_TCP_SYN | SW_TCP_ACK;
		s.seq = c->s_isn;
		s.ack = c->c_isn + 1;
		syn_opts(o, swb_s_tsval(c->k), p->opt.tsval);
		s.opts = o;
		s.opts_len = sizeof(o);
		s.window = 65160;
		out(b, cs, SW_INSIDE, &s);
		c->state = SWB_CS_SYNACK_SENT;
		return true;
	}
	if (again && (f & SW_TCP_ACK) && !(f & (SW_TCP_SYN | SW_TCP_FIN))) {
		/* The client's third ACK, held and released: acking our
		 * ISN, echoing our TSval. */
		if (p->seq != c->c_isn + 1 || p->ack != c->s_isn + 1 ||
				p->opt.tsecr != swb_s_tsval(c->k) ||
				p->payload_len != (full ? cs->req : 0) ||
				ttl != swb_relayed_ttl(b)) {
			cs->bad++;
			return true;
		}
		cs->opened++;
		if (!full) {
			c->state = SWB_CS_OPEN;
			return true;
		}
		s.seq = c->s_isn + 1;
		s.ack = c->c_isn + 1 + cs->req;
		s.payload = cs->resp;
		s.flags = SW_TCP_ACK | SW_TCP_PSH | SW_TCP_FIN;
		out_ts(b, cs, SW_INSIDE, &s, swb_s_tsval(c->k),
			swb_c_tsval(c->k) + 1);
		c->state = SWB_CS_RESP_SENT;
		return true;
	}
	if (full && c->state == SWB_CS_FIN_SENT && (f & SW_TCP_FIN)) {
		if (p->seq != c->c_isn + 1 + cs->req ||
				p->ack != c->s_isn + 2 + cs->resp ||
				ttl != swb_relayed_ttl(b)) {
			cs->bad++;
			return true;
		}
		s.seq = c->s_isn + 2 + cs->resp;
		s.ack = c->c_isn + 2 + cs->req;
		out_ts(b, cs, SW_INSIDE, &s, swb_s_tsval(c->k) + 1,
			swb_c_tsval(c->k) + 2);
		c->state = SWB_CS_LAST_ACK;
		return true;
	}
	return false;
}

bool
swb_conns_rx(struct swb *b, struct swb_conns *cs, enum sw_side side,
		struct rte_mbuf *m, const struct sw_pkt *p, uint64_t now)
{
	const uint8_t ttl = rte_pktmbuf_mtod(m, const uint8_t *)[p->l3_off + 8];
	struct swb_conn *c;

	/* The client's tuple: the destination of what reaches the
	 * clients, the source of what reaches the servers. */
	c = side == SW_OUTSIDE ?
		swb_conns_find(cs, swb_daddr(m, p), p->dst_port) :
		swb_conns_find_srv(b, cs, swb_saddr(m, p), p);
	if (c == NULL) {
		cs->stray++;
		return true;
	}
	/* The server's end as each side must see it: the address the
	 * client connected to outside, the server's own inside (the
	 * backend's in lb mode), the Ethernet hop it came by, and, every
	 * --sample'th segment, both checksums (updated in place by
	 * synwall's translation and NAT). */
	if ((side == SW_OUTSIDE ? swb_saddr(m, p) != b->dst_ip ||
			p->src_port != b->dst_port :
			swb_daddr(m, p) != b->srv_ip ||
			p->dst_port != b->srv_port) ||
			!swb_hop_ok(b, side, m, p, 0) ||
			(cs->rx_seen++ % b->sample == 0 && !swb_cksum_ok(m, p))) {
		cs->bad++;
		return true;
	}
	if (p->tcp_flags & SW_TCP_RST) {
		cs->rst++;
		c->state = SWB_CS_FREE;
		return true;
	}
	if (side == SW_OUTSIDE ? client_rx(b, cs, c, p, ttl, now) :
			server_rx(b, cs, c, p, ttl))
		return true;
	if (c->state == SWB_CS_OPEN && p->payload_len != 0)
		return false;		/* the relay's data */
	cs->stray++;
	return true;
}

void
swb_conns_expire(struct swb_conns *cs, uint64_t now)
{
	/* Bounded: at most 64 entries per call. */
	for (unsigned int i = 0; i < 64 && cs->k_tail < cs->k_next; i++) {
		struct swb_conn *c = &cs->tab[cs->k_tail % cs->cap];

		if (c->k != cs->k_tail || c->state == SWB_CS_FREE ||
				c->state == SWB_CS_OPEN) {
			cs->k_tail++;
			continue;
		}
		if (now - c->t0 < cs->timeout)
			return;
		cs->timeouts++;
		c->state = SWB_CS_FREE;
		cs->k_tail++;
	}
}
