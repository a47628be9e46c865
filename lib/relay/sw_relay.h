/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Translating a relayed segment between the client's view and the
 * server's, in place, with incremental checksums (RFC 1624).
 *
 * synwall answered the client with its own ISN (the cookie) and TSval,
 * then opened the server connection with the client's ISN and options.
 * So client → server sequence numbers need no change, and:
 *   server → client  seq   += seq_delta   (cookie ISN - server ISN)
 *                    TSval += ts_delta    (our TSval - server's TSval)
 *                    window rescaled from the server's shift to ours
 *   client → server  ack   -= seq_delta, and every SACK edge
 *                    TSecr -= ts_delta
 *                    window rescaled from the client's shift to the one
 *                    the server believes in (0 when it refused scaling)
 * All arithmetic is modulo 2^32, so it holds across wrap-around.
 * EAL-free; `frame` and `p` as given to / filled by sw_parse().
 */
#ifndef SW_RELAY_H
#define SW_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_cksum.h"
#include "sw_pkt.h"

struct sw_xlate {
	uint32_t seq_delta;	/* cookie ISN - server ISN */
	uint32_t ts_delta;	/* our SYN-ACK TSval - server's SYN-ACK TSval */
	uint8_t ws_server;	/* server's shift, 0 if it does not scale */
	uint8_t ws_ours;	/* shift we advertised to the client, 0 if none */
	uint8_t ws_client;	/* client's shift, 0 if it does not scale */
	uint8_t ws_client_srv;	/* the client's shift as the server knows it:
				 * 0 when the server did not agree to scaling */
	bool ts;		/* timestamps in use on both legs */
};

/*
 * A window field as the other end must read it: the sender's window in
 * bytes, in units of the receiver's shift, rounded up to a whole unit
 * and capped at 65535. Rounded down, an open window smaller than one
 * unit would close (the receiver sits in persist against a sender that
 * has room) and one of 1.5 units would hold less than a full segment
 * (the receiver waits out its silly-window avoidance). Linux rounds its
 * own windows up to a whole unit for the same reason (RFC 7323 §2.3
 * lets the unit exceed what is free): the other end may then overrun by
 * less than one unit, which the sender of the window trims. The shift
 * synwall advertises is kept small (at most the service's wscale,
 * default 7: 128-byte units) so that the overrun stays small. A window
 * of 0 stays 0.
 */
static inline uint16_t
sw_relay_window(uint16_t win, uint8_t ws_from, uint8_t ws_to)
{
	uint64_t bytes = (uint64_t)win << ws_from;
	uint64_t v = (bytes + (UINT64_C(1) << ws_to) - 1) >> ws_to;

	return v > 0xffff ? 0xffff : (uint16_t)v;
}

/*
 * Server → client: seq, TSval, window; the checksum updated once for all
 * of them.
 */
static inline void
sw_relay_to_client(uint8_t *frame, const struct sw_pkt *p,
		const struct sw_xlate *x)
{
	const uint32_t tcp = p->l4_off;
	uint32_t acc;

	acc = sw_pkt_tcp_put32(frame, p, tcp + 4, p->seq, p->seq + x->seq_delta,
			0);
	if (x->ts && p->opt.ts_off != 0)
		acc = sw_pkt_tcp_put32(frame, p, p->opt.ts_off, p->opt.tsval,
			p->opt.tsval + x->ts_delta, acc);
	/* RFC 7323 §2.2: the window of a SYN is never scaled. */
	if (x->ws_server != x->ws_ours && !(p->tcp_flags & SW_TCP_SYN))
		acc = sw_pkt_tcp_put16(frame, p, tcp + 14, p->window,
			sw_relay_window(p->window, x->ws_server, x->ws_ours),
			acc);
	sw_pkt_tcp_cksum_apply(frame, p, acc);
}

/* Client → server: ack, SACK edges, TSecr, window; one checksum update. */
static inline void
sw_relay_to_server(uint8_t *frame, const struct sw_pkt *p,
		const struct sw_xlate *x)
{
	const uint32_t tcp = p->l4_off;
	uint32_t acc = 0;

	if (p->tcp_flags & SW_TCP_ACK)
		acc = sw_pkt_tcp_put32(frame, p, tcp + 8, p->ack,
			p->ack - x->seq_delta, acc);
	for (unsigned int i = 0; i < p->opt.n_sack; i++) {
		uint32_t off = p->opt.sack_off[i];

		acc = sw_pkt_tcp_put32(frame, p, off, p->opt.sack[i][0],
			p->opt.sack[i][0] - x->seq_delta, acc);
		acc = sw_pkt_tcp_put32(frame, p, off + 4, p->opt.sack[i][1],
			p->opt.sack[i][1] - x->seq_delta, acc);
	}
	if (x->ts && p->opt.ts_off != 0)
		acc = sw_pkt_tcp_put32(frame, p, p->opt.ts_off + 4,
			p->opt.tsecr, p->opt.tsecr - x->ts_delta, acc);
	if (x->ws_client != x->ws_client_srv && !(p->tcp_flags & SW_TCP_SYN))
		acc = sw_pkt_tcp_put16(frame, p, tcp + 14, p->window,
			sw_relay_window(p->window, x->ws_client,
				x->ws_client_srv), acc);
	sw_pkt_tcp_cksum_apply(frame, p, acc);
}

#endif /* SW_RELAY_H */
