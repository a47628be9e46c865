/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy state machine: what synwall does with a segment of a flow it
 * has handed off (docs/handoff.md has the diagram).
 *
 *   valid cookie ACK ──> SYN_SENT ──server SYN-ACK──> ESTABLISHED
 *                           │                            │ FIN (either)
 *      server RST / silence │                            v
 *      → RST to the client  │                         FIN_WAIT
 *                           v                            │ FIN (other)
 *                        (freed)                         v
 *                                                     CLOSING
 *                                                        │ both FINs ACKed
 *   exact RST (any state) ──> RESET ──linger──> (freed)  v
 *                                   TIME_WAIT ──linger──> (freed)
 *
 *   a connection from before a reload made its port protected:
 *     PASS ──FINs both ways──> TIME_WAIT;  SYN from the client: NEW
 *     (never translated: no offsets, no windows, no RST judged; the
 *     endpoints judge as they did before the reload)
 *
 * EAL-free and mbuf-free: a flow is a 48-byte struct sw_flow, a segment
 * is a parsed struct sw_pkt. Each input function updates the flow and
 * returns a verdict; the caller owns the packets and the timers and does
 * what the verdict says. Sequence numbers are kept in the space each end
 * sees: client seq space for the client's stream (the backend SYN carries
 * the client's ISN, so both legs agree), "client view" for the server's
 * stream (server seq + seq_delta: the space of the cookie ISN).
 */
#ifndef SW_PROXY_H
#define SW_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_cookie.h"
#include "sw_pkt.h"
#include "sw_pp.h"
#include "sw_relay.h"

enum sw_fstate {
	SW_FS_FREE = 0,
	SW_FS_SYN_SENT,		/* backend SYN out, client segments held */
	SW_FS_ESTABLISHED,
	SW_FS_FIN_WAIT,		/* one side has sent FIN (half-closed) */
	SW_FS_CLOSING,		/* both have: waiting for the last ACK */
	SW_FS_TIME_WAIT,	/* closed by FINs: ACK/FIN stragglers relayed */
	SW_FS_RESET,		/* closed by RST: everything dropped */
	SW_FS_PASS,		/* adopted after a reload: relayed as it is */
	SW_FS_FOREIGN,		/* lb cluster: a peer owns it; its segments
				 * go to that peer (lib/engine, cluster.c),
				 * never to sw_px_* */
	SW_FS_MAX
};

/* sw_flow.flags */
#define SW_FF_TS_CLIENT	0x01	/* timestamps agreed with the client */
#define SW_FF_TS	0x02	/* ... and with the server: translated */
#define SW_FF_SACK	0x04	/* SACK agreed with the client */
#define SW_FF_ECN	0x08	/* ECN agreed with the client */
#define SW_FF_FIN_C	0x10	/* the client has sent FIN */
#define SW_FF_FIN_S	0x20	/* the server has sent FIN */
#define SW_FF_SRV_WIN_SYN 0x40	/* srv_win is still a SYN's: unscaled */
#define SW_FF_PP	0x80	/* a PROXY protocol header starts the server's
				 * stream and the server has not acknowledged
				 * it yet (SYN_SENT: not sent yet) */

/* sw_flow.xflags */
#define SW_FX_OFFER_SACK 0x01	/* the backend SYN offered SACK-permitted */
#define SW_FX_OFFER_TS	0x02	/* ... timestamps */
#define SW_FX_OFFER_WS	0x04	/* ... a window scale */
#define SW_FX_SYNCED	0x08	/* offsets known: the server answered */
#define SW_FX_RST_S	0x10	/* RESET: the server sent the RST */
#define SW_FX_MSS_LOW	0x20	/* the server's MSS is below the service's:
				 * the client may have been promised more */
#define SW_FX_RESTARTED	0x40	/* the backend handshake was restarted */
#define SW_FX_PP_V2	0x80	/* with SW_FF_PP: the header is v2, else v1 */

#define SW_PX_WS_NONE	0xff	/* ws_client: the client does not scale */

/*
 * 48 bytes: with a 12-byte IPv4 key (padded to 16) a flow takes exactly
 * one 64-byte cache line; with a 36-byte IPv6 key, 88 bytes of a 128-byte
 * entry.
 */
struct sw_flow {
	union {
		void *held;		/* SYN_SENT: the caller's held segments */
		struct {		/* from ESTABLISHED on */
			uint32_t seq_delta;	/* cookie ISN - server ISN */
			uint32_t ts_delta;	/* our TSval - server's TSval */
		};
	};
	uint32_t cli_nxt;	/* client: highest seq + len sent (client space) */
	uint32_t srv_nxt;	/* server: highest seq + len sent (client view) */
	uint32_t cli_ack;	/* client's last ACK (client view) */
	uint32_t srv_ack;	/* server's last ACK (client space) */
	uint32_t cli_tsval;	/* client's last TSval */
	uint32_t srv_tsval;	/* server's last TSval, client view */
	uint16_t cli_win;	/* last window field from the client */
	uint16_t srv_win;	/* ... from the server (ours before SYN-ACK;
				 * unscaled while SW_FF_SRV_WIN_SYN) */
	union {
		struct {		/* SYN_SENT */
			uint16_t mss;	/* client's MSS from the cookie */
			uint8_t n_held;	/* segments held */
			uint8_t retries; /* backend SYNs retransmitted */
		};
		/* From ESTABLISHED on: the end of everything the server
		 * sent that synwall passed on (client view), in its
		 * window or not: no honest client acknowledges more. */
		uint32_t srv_max;
	};
	uint8_t state;		/* enum sw_fstate */
	uint8_t flags;		/* SW_FF_* */
	uint8_t ws_client;	/* client's shift, SW_PX_WS_NONE if none */
	uint8_t ws_client_srv;	/* client's shift as the server knows it */
	uint8_t ws_server;	/* server's shift, 0 if none */
	uint8_t ws_ours;	/* shift we advertised to the client, 0 if none */
	uint8_t svc;		/* service index */
	uint8_t xflags;		/* SW_FX_* */
};

enum sw_px_verdict {
	SW_PX_FORWARD,		/* translate, send on */
	SW_PX_HOLD,		/* SYN_SENT: keep it, release when established */
	SW_PX_ESTABLISH,	/* the server's SYN-ACK: sw_px_establish() */
	SW_PX_RESTART,		/* the server's SYN-ACK agrees to an option
				 * the client was not promised: learn it,
				 * RST the server's half-open connection and
				 * SYN again (sw_px_restart()) */
	SW_PX_CHALLENGE,	/* RFC 5961: challenge ACK to the sender, drop */
	SW_PX_RESET,		/* acceptable RST: forward it; flow is RESET */
	SW_PX_BACKEND_RST,	/* the server refused: RST the client, free */
	SW_PX_NEW,		/* SYN on a closed flow: free it, start afresh */
	SW_PX_OLD_ACK,		/* SYN_SENT: the server's ACK does not ack our
				 * SYN (a TIME_WAIT of the tuple answering):
				 * RST at its ack, drop (RFC 9293 §3.10.7.3) */
	SW_PX_HEADER,		/* the server resent its SYN-ACK: it lacks our
				 * ACK, which carried the PROXY header; send
				 * the header again, drop the SYN-ACK */
	SW_PX_FORWARD_HEADER,	/* the server's ACK is at the header's start:
				 * it lacks the header. Send it again, and
				 * forward the segment with its ack raised
				 * to the client's ISN + 1 */
	/* Drops: */
	SW_PX_DROP_HOLD_FULL,	/* hold limit reached: the client retransmits */
	SW_PX_DROP_DUP,		/* duplicate third ACK while SYN_SENT */
	SW_PX_DROP_RST,		/* RST outside the window (RFC 5961 §3.2) */
	SW_PX_DROP_STATE,	/* not acceptable in this state */
	SW_PX_DROP_ACK_UNSENT,	/* client ACK for data the server never sent */
	SW_PX_VERDICT_MAX
};

static inline bool
sw_seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
sw_seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Sequence space a segment takes: payload, plus one each for SYN, FIN. */
static inline uint32_t
sw_seg_len(const struct sw_pkt *p)
{
	return p->payload_len + ((p->tcp_flags & SW_TCP_SYN) ? 1u : 0u) +
		((p->tcp_flags & SW_TCP_FIN) ? 1u : 0u);
}

/*
 * A new flow from the ACK (or first data segment) `p` whose cookie
 * decoded to `co`: state SYN_SENT, nothing held yet. `ws_ours` is the
 * shift our SYN-ACK advertised (0 when none), `window` its window.
 */
void sw_px_init(struct sw_flow *f, const struct sw_pkt *p,
		const struct sw_cookie_opts *co, uint8_t ws_ours,
		uint16_t window, uint8_t svc);

/*
 * A flow adopted in state PASS for a connection that synwall did not
 * hand off (docs/architecture.md, "Reloads"), from its segment p.
 */
void sw_px_adopt(struct sw_flow *f, const struct sw_pkt *p, bool from_server,
		uint8_t svc);

/* A segment from the client on flow f. */
enum sw_px_verdict sw_px_from_client(struct sw_flow *f,
		const struct sw_pkt *p, uint32_t hold_max);

/*
 * The backend SYN offers what the client was promised (sw_px_init sets
 * that in xflags); a probe adds SW_FX_OFFER_* bits to learn the server's
 * answer. After SW_PX_RESTART, the next backend SYN offers only what
 * the client was promised.
 */
static inline uint8_t
sw_px_client_offers(const struct sw_flow *f)
{
	return ((f->flags & SW_FF_SACK) ? SW_FX_OFFER_SACK : 0) |
		((f->flags & SW_FF_TS_CLIENT) ? SW_FX_OFFER_TS : 0) |
		(f->ws_client != SW_PX_WS_NONE ? SW_FX_OFFER_WS : 0);
}

static inline void
sw_px_restart(struct sw_flow *f)
{
	/* A window scale offered stays: it needs no restart. */
	f->xflags = (uint8_t)((f->xflags &
		~(SW_FX_OFFER_SACK | SW_FX_OFFER_TS)) |
		sw_px_client_offers(f) | SW_FX_RESTARTED);
}

/*
 * A segment from the server on flow f. `pp_len` is the length of the
 * flow's PROXY protocol header while SW_FF_PP is set (0 otherwise):
 * the header takes the pp_len bytes just before the client's first
 * byte, so the backend SYN's ISN is the client's ISN - pp_len and the
 * server's ACKs of it are below the client's ISN + 1.
 */
enum sw_px_verdict sw_px_from_server_pp(struct sw_flow *f,
		const struct sw_pkt *p, uint32_t pp_len);

/* The same for a flow without a PROXY protocol header. */
static inline enum sw_px_verdict
sw_px_from_server(struct sw_flow *f, const struct sw_pkt *p)
{
	return sw_px_from_server_pp(f, p, 0);
}

/*
 * The flow's backend connection starts with a PROXY protocol header of
 * version v (docs/handoff.md, "PROXY protocol"): set after sw_px_init.
 */
static inline void
sw_px_set_pp(struct sw_flow *f, enum sw_pp_version v)
{
	if (v == SW_PP_NONE)
		return;
	f->flags |= SW_FF_PP;
	if (v == SW_PP_V2)
		f->xflags |= SW_FX_PP_V2;
}

/* The header the server still lacks (SW_PP_NONE once acknowledged). */
static inline enum sw_pp_version
sw_px_pp(const struct sw_flow *f)
{
	if (!(f->flags & SW_FF_PP))
		return SW_PP_NONE;
	return (f->xflags & SW_FX_PP_V2) ? SW_PP_V2 : SW_PP_V1;
}

/*
 * After SW_PX_ESTABLISH: learn the offsets and the server's options
 * from its SYN-ACK. f->held must have been taken by the caller (the
 * offsets overwrite it).
 */
void sw_px_establish(struct sw_flow *f, const struct sw_pkt *synack);

/* The translation for relayed segments of an established flow. */
static inline struct sw_xlate
sw_px_xlate(const struct sw_flow *f)
{
	struct sw_xlate x = {
		.seq_delta = f->seq_delta,
		.ts_delta = f->ts_delta,
		.ws_server = f->ws_server,
		.ws_ours = f->ws_ours,
		.ws_client = f->ws_client == SW_PX_WS_NONE ? 0 : f->ws_client,
		.ws_client_srv = f->ws_client_srv,
		.ts = (f->flags & SW_FF_TS) != 0,
	};

	return x;
}

/* A segment synwall writes on its own: a challenge ACK, a re-ACK. */
struct sw_px_seg {
	uint32_t seq;
	uint32_t ack;
	uint16_t window;
	bool ts;
	uint32_t tsval;
	uint32_t tsecr;
};

/*
 * The challenge ACK (RFC 5961 §3.2, §4) that answers a segment from the
 * client (to_client) or from the server: it carries what the side we
 * stand in for expects next, so a genuine peer answers with an exact
 * RST and a blind attacker learns nothing.
 */
void sw_px_challenge(const struct sw_flow *f, bool to_client,
		struct sw_px_seg *s);

/* Retransmitted backend SYN's timeout: initial << retries (back-off). */
static inline uint64_t
sw_px_syn_backoff(uint64_t initial, uint8_t retries)
{
	return initial << (retries < 16 ? retries : 16);
}

const char *sw_fstate_name(enum sw_fstate s);

#endif /* SW_PROXY_H */
