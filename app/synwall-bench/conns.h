/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated connections through the DUT, both ends played by the bench:
 * clients on the outside port, servers on the inside one. Used by the
 * handshake engine (whole connections: request, answer, FINs) and by
 * the relay engine (connections opened and kept for data).
 *
 * Connection k has the client tuple swb_client_of(k) and lives in entry
 * k % cap. Connections start in order; at most `window` are between
 * their SYN and their end, and one stuck longer than the timeout is
 * abandoned (counted), so a lost packet never stalls the run.
 */
#ifndef SWB_CONNS_H
#define SWB_CONNS_H

#include "swb.h"

enum swb_cs {
	SWB_CS_FREE = 0,
	SWB_CS_SYN_SENT,	/* client SYN out, waiting for the cookie */
	SWB_CS_ACK_SENT,	/* client ACK out, waiting for the server SYN */
	SWB_CS_SYNACK_SENT,	/* server SYN-ACK out, waiting for the ACK */
	SWB_CS_OPEN,		/* established, kept open (relay) */
	SWB_CS_RESP_SENT,	/* server answer + FIN out */
	SWB_CS_FIN_SENT,	/* client FIN out */
	SWB_CS_LAST_ACK,	/* server's last ACK out */
};

struct swb_conn {
	uint64_t k;
	uint64_t t0;			/* TSC of the SYN */
	uint32_t c_isn;			/* the client's ISN */
	uint32_t cookie;		/* synwall's ISN: the server's, seen outside */
	uint32_t s_isn;			/* the emulated server's ISN */
	uint32_t ck_tsval;		/* synwall's TSval in the SYN-ACK */
	uint32_t c_sent;		/* relay: payload bytes client → server */
	uint32_t s_sent;		/* ... server → client */
	uint16_t lport;			/* --snat: synwall's port to the server */
	uint8_t state;			/* enum swb_cs */
};

struct swb_conns {
	struct swb_conn *tab;
	uint64_t *lport_k;		/* --snat: [local port] -> k */
	uint64_t cap;
	uint64_t k_next;		/* next to start */
	uint64_t k_tail;		/* oldest maybe still in flight */
	uint64_t window;
	uint64_t timeout;		/* TSC */
	uint64_t full_from;		/* from this k on: request, answer, close */
	uint16_t req;			/* request bytes (full) */
	uint16_t resp;			/* answer bytes (full) */
	/* Counters. */
	uint64_t started;
	uint64_t opened;		/* the server got the third ACK */
	uint64_t completed;		/* closed both ways (full) */
	uint64_t timeouts;
	uint64_t bad;			/* a check failed */
	uint64_t stray;			/* no such connection in that state */
	uint64_t rst;
	uint64_t syn_retx;		/* backend SYNs again */
	uint64_t no_mbuf;
	uint64_t rx_seen;		/* segments matched, for --sample */
	struct swb_lat lat_setup;	/* SYN → the server's answer (full) */
	struct swb_lat lat_done;	/* SYN → the last ACK (full) */
	/* Replies of one receive burst, per side. */
	uint16_t n_out[SW_SIDES];
	struct rte_mbuf *out[SW_SIDES][SWB_BURST_MAX];
};

/* Connections k_base, k_base + 1, ...; from full_from on, whole ones. */
int swb_conns_init(struct swb_conns *cs, uint64_t cap, uint64_t window,
		uint64_t k_base, uint64_t full_from, uint16_t req,
		uint16_t resp, uint64_t hz);
void swb_conns_free(struct swb_conns *cs);

/* Start up to `budget` connections, none at or beyond k_limit. */
uint32_t swb_conns_start(struct swb *b, struct swb_conns *cs, uint32_t budget,
		uint64_t k_limit, uint64_t now);

/*
 * A parsed TCP segment from the DUT on `side`: the handshake or close
 * step it completes, answered into cs->out. Returns false when it is
 * not one (data of an open connection: the caller's).
 */
bool swb_conns_rx(struct swb *b, struct swb_conns *cs, enum sw_side side,
		struct rte_mbuf *m, const struct sw_pkt *p, uint64_t now);

/* Send what swb_conns_rx answered. */
void swb_conns_flush(struct swb *b, struct swb_conns *cs);

/* Move the tail over finished connections; abandon stuck ones. */
void swb_conns_expire(struct swb_conns *cs, uint64_t now);

/* Connections between SYN and end (or open). */
static inline uint64_t
swb_conns_in_flight(const struct swb_conns *cs)
{
	return cs->k_next - cs->k_tail;
}

/* The entry of a client tuple, or NULL. */
static inline struct swb_conn *
swb_conns_find(struct swb_conns *cs, uint32_t caddr, uint16_t cport)
{
	struct swb_conn *c;
	uint64_t k;

	if (!swb_conn_of(caddr, cport, &k))
		return NULL;
	c = &cs->tab[k % cs->cap];
	return c->k == k && c->state != SWB_CS_FREE ? c : NULL;
}

/*
 * The entry of a segment that reached the servers (inside), or NULL: by
 * its source, the client's tuple; with --snat (synwall's snat_address
 * and a local port) by the port, which the connection's backend SYN
 * told: its TSval is the client's, swb_c_tsval(k) + 1, and k follows.
 */
static inline struct swb_conn *
swb_conns_find_srv(const struct swb *b, struct swb_conns *cs, uint32_t saddr,
		const struct sw_pkt *p)
{
	struct swb_conn *c;
	uint64_t k;

	if (!b->snat)
		return swb_conns_find(cs, saddr, p->src_port);
	if (saddr != b->snat_ip)
		return NULL;
	if ((p->tcp_flags & (SW_TCP_SYN | SW_TCP_ACK)) == SW_TCP_SYN &&
			(p->opt.present & SW_TCPOPT_F_TS)) {
		const uint32_t x = swb_unmix32(p->opt.tsval - 1);

		if ((x & 1) == 0)
			return NULL;
		k = x >> 1;
		c = &cs->tab[k % cs->cap];
		if (c->k != k || c->state == SWB_CS_FREE)
			return NULL;
		c->lport = p->src_port;
		cs->lport_k[p->src_port] = k;
		return c;
	}
	k = cs->lport_k[p->src_port];
	c = &cs->tab[k % cs->cap];
	return c->k == k && c->lport == p->src_port &&
		c->state != SWB_CS_FREE ? c : NULL;
}

/* A whole connection (request, answer, close) or one kept open? */
static inline bool
swb_conn_full(const struct swb_conns *cs, const struct swb_conn *c)
{
	return c->k >= cs->full_from;
}

/* The fixed per-connection values, from k. */
static inline uint32_t
swb_c_tsval(uint64_t k)
{
	return swb_mix32((uint32_t)k * 2 + 1);
}

static inline uint32_t
swb_s_tsval(uint64_t k)
{
	return swb_mix32((uint32_t)k * 2 + 2) | 1;
}

#endif /* SWB_CONNS_H */
