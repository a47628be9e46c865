/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "sw_proxy.h"

static const char *const state_names[SW_FS_MAX] = {
	[SW_FS_FREE] = "free",
	[SW_FS_SYN_SENT] = "syn_sent",
	[SW_FS_ESTABLISHED] = "established",
	[SW_FS_FIN_WAIT] = "fin_wait",
	[SW_FS_CLOSING] = "closing",
	[SW_FS_TIME_WAIT] = "time_wait",
	[SW_FS_RESET] = "reset",
	[SW_FS_PASS] = "pass",
	[SW_FS_FOREIGN] = "foreign",
};

const char *
sw_fstate_name(enum sw_fstate s)
{
	return (unsigned int)s < SW_FS_MAX ? state_names[s] : "unknown";
}

static inline uint8_t
ws_eff(uint8_t ws)
{
	return ws == SW_PX_WS_NONE ? 0 : ws;
}

/* The shift of srv_win: none while it is a SYN's (RFC 7323 §2.2). */
static inline uint8_t
srv_win_shift(const struct sw_flow *f)
{
	return (f->flags & SW_FF_SRV_WIN_SYN) ? 0 : f->ws_server;
}

void
sw_px_init(struct sw_flow *f, const struct sw_pkt *p,
		const struct sw_cookie_opts *co, uint8_t ws_ours,
		uint16_t window, uint8_t svc)
{
	memset(f, 0, sizeof(*f));
	f->state = SW_FS_SYN_SENT;
	/* p->seq is the client's ISN + 1, p->ack our cookie ISN + 1. */
	f->cli_nxt = p->seq + sw_seg_len(p);
	f->srv_nxt = p->ack;
	f->cli_ack = p->ack;
	f->srv_ack = p->seq;
	f->cli_win = p->window;
	f->srv_win = window;
	f->flags = SW_FF_SRV_WIN_SYN;
	f->mss = co->mss;
	f->ws_client = co->wscale;
	f->ws_ours = ws_ours;
	f->svc = svc;
	if (co->ts) {
		f->flags |= SW_FF_TS_CLIENT;
		f->cli_tsval = p->opt.tsval;
		f->srv_tsval = p->opt.tsecr;	/* our TSval, echoed */
	}
	if (co->sack_ok)
		f->flags |= SW_FF_SACK;
	if (co->ecn)
		f->flags |= SW_FF_ECN;
	if (p->tcp_flags & SW_TCP_FIN)
		f->flags |= SW_FF_FIN_C;
	f->xflags = sw_px_client_offers(f);
}

void
sw_px_adopt(struct sw_flow *f, const struct sw_pkt *p, bool from_server,
		uint8_t svc)
{
	memset(f, 0, sizeof(*f));
	f->state = SW_FS_PASS;
	f->svc = svc;
	f->ws_client = SW_PX_WS_NONE;
	if (p->tcp_flags & SW_TCP_FIN)
		f->flags |= from_server ? SW_FF_FIN_S : SW_FF_FIN_C;
}

/*
 * PASS: everything crosses as it is. Both FINs seen, the flow lingers
 * in TIME_WAIT; a RST is the endpoints' to judge (we know no window),
 * so it closes nothing here: the idle timeout does.
 */
static enum sw_px_verdict
pass_segment(struct sw_flow *f, const struct sw_pkt *p, uint8_t mine)
{
	if (p->tcp_flags & SW_TCP_FIN) {
		f->flags |= mine;
		if ((f->flags & (SW_FF_FIN_C | SW_FF_FIN_S)) ==
				(SW_FF_FIN_C | SW_FF_FIN_S))
			f->state = SW_FS_TIME_WAIT;
	}
	return SW_PX_FORWARD;
}

/*
 * RFC 5961 §3.2 for a RST: exactly the next expected sequence number
 * resets; inside the receive window asks for a challenge ACK; anything
 * else is dropped. As a middlebox we know two values an honest peer
 * sends: the receiver's last ACK and the sender's highest seq + len.
 */
static enum sw_px_verdict
rst_check(uint32_t seq, uint32_t rcv_ack, uint32_t snd_nxt, uint32_t wnd)
{
	if (seq == rcv_ack || seq == snd_nxt)
		return SW_PX_RESET;
	if (!sw_seq_lt(seq, rcv_ack) && (uint32_t)(seq - rcv_ack) < wnd)
		return SW_PX_CHALLENGE;
	return SW_PX_DROP_RST;
}

/* Both FINs sent and both acknowledged: the connection is closed. */
static inline void
check_closed(struct sw_flow *f)
{
	if ((f->flags & (SW_FF_FIN_C | SW_FF_FIN_S)) ==
			(SW_FF_FIN_C | SW_FF_FIN_S) &&
			f->cli_ack == f->srv_nxt && f->srv_ack == f->cli_nxt)
		f->state = SW_FS_TIME_WAIT;
}

/* A FIN moves ESTABLISHED → FIN_WAIT → CLOSING. */
static inline void
fin_seen(struct sw_flow *f, uint8_t mine, uint8_t other)
{
	if (f->flags & mine)
		return;
	f->flags |= mine;
	if (f->state == SW_FS_ESTABLISHED)
		f->state = SW_FS_FIN_WAIT;
	else if (f->state == SW_FS_FIN_WAIT && (f->flags & other))
		f->state = SW_FS_CLOSING;
}

/*
 * Is a segment's end inside what the receiver could accept: from its
 * last ACK to the right edge of the window it offered (RFC 9293
 * §3.10.7.4; one more for a FIN in a closed window)? What lies outside
 * is forwarded for the endpoint to judge, but moves none of our state:
 * a blind attacker cannot push the edges the RST check relies on.
 */
static inline bool
in_window(const struct sw_pkt *p, uint32_t seq, uint32_t rcv_ack,
		uint32_t wnd)
{
	uint32_t end = seq + sw_seg_len(p);

	return !sw_seq_lt(end, rcv_ack) && (uint32_t)(end - rcv_ack) <= wnd + 1;
}

/* RFC 7323 §5.3: TS.Recent only moves forward. */
static inline void
ts_newer(uint32_t *recent, uint32_t tsval)
{
	if ((int32_t)(tsval - *recent) > 0)
		*recent = tsval;
}

/* Track what the client sent: its stream's edge, its ACK, window, TSval. */
static inline bool
track_client(struct sw_flow *f, const struct sw_pkt *p)
{
	uint32_t end = p->seq + sw_seg_len(p);

	if (!in_window(p, p->seq, f->srv_ack,
			(uint32_t)f->srv_win << srv_win_shift(f)))
		return false;
	if (sw_seq_gt(end, f->cli_nxt))
		f->cli_nxt = end;
	/* Never past what the server sent: a forged ACK moves nothing. */
	if (sw_seq_gt(p->ack, f->cli_ack) && !sw_seq_gt(p->ack, f->srv_nxt))
		f->cli_ack = p->ack;
	f->cli_win = p->window;
	if (p->opt.ts_off != 0)
		ts_newer(&f->cli_tsval, p->opt.tsval);
	return true;
}

static inline bool
track_server(struct sw_flow *f, const struct sw_pkt *p)
{
	uint32_t seq = p->seq + f->seq_delta;
	uint32_t end = seq + sw_seg_len(p);

	/* Whatever synwall passes on, the client may acknowledge. */
	if (sw_seq_gt(end, f->srv_max))
		f->srv_max = end;
	if (!in_window(p, seq, f->cli_ack,
			(uint32_t)f->cli_win << ws_eff(f->ws_client)))
		return false;
	if (sw_seq_gt(end, f->srv_nxt))
		f->srv_nxt = end;
	if (sw_seq_gt(p->ack, f->srv_ack) && !sw_seq_gt(p->ack, f->cli_nxt))
		f->srv_ack = p->ack;
	f->srv_win = p->window;
	f->flags &= (uint8_t)~SW_FF_SRV_WIN_SYN;
	if (p->opt.ts_off != 0)
		ts_newer(&f->srv_tsval, p->opt.tsval + f->ts_delta);
	return true;
}

/* Closed by FINs: only bare ACKs and FINs (retransmitted) still cross. */
static inline bool
time_wait_ok(const struct sw_pkt *p)
{
	return p->payload_len == 0 && (p->tcp_flags & SW_TCP_ACK) &&
		!(p->tcp_flags & (SW_TCP_SYN | SW_TCP_RST));
}

/*
 * Does the server's SYN-ACK agree with what the client was promised?
 * Not when it agrees to SACK or timestamps the client was not promised:
 * the server would then wait for SACK blocks (or timestamps) the client
 * never sends, and recover its own losses by timeouts only. A probe
 * asked for them, this SYN's or an earlier one's (a late or resent
 * SYN-ACK of a probe, whose ISN the backend SYN shares). Restarted once;
 * a server that then still agrees to what was not asked (RFC 2018 §2,
 * RFC 7323 §3.2 forbid it) is taken as it is.
 */
static inline bool
synack_fits(const struct sw_flow *f, const struct sw_pkt *p)
{
	const uint16_t have = p->opt.present;

	if (f->xflags & SW_FX_RESTARTED)
		return true;
	if (!(f->flags & SW_FF_SACK) && (have & SW_TCPOPT_F_SACKOK))
		return false;
	return !(!(f->flags & SW_FF_TS_CLIENT) && (have & SW_TCPOPT_F_TS));
}

static inline bool
pure_syn(uint8_t fl)
{
	return (fl & (SW_TCP_SYN | SW_TCP_ACK | SW_TCP_RST | SW_TCP_FIN)) ==
		SW_TCP_SYN;
}

/*
 * An ACK for data the server never sent (RFC 9293 §3.10.7.4: SEG.ACK >
 * SND.NXT is not acceptable). synwall passes on everything the server
 * sends, so an honest client cannot acknowledge beyond srv_max; an
 * optimistic-ACK attack starts exactly so. Dropped, like a connection
 * tracker's INVALID: the server never sees it.
 */
static inline bool
ack_unsent(const struct sw_flow *f, const struct sw_pkt *p)
{
	/* Not for a flow adopted at a reload: it knows no numbers. */
	return (p->tcp_flags & SW_TCP_ACK) && (f->xflags & SW_FX_SYNCED) &&
		sw_seq_gt(p->ack, f->srv_max);
}

/*
 * RESET: the RST synwall passed on was exact by what synwall had seen,
 * but the receiver may not have had all of it (data lost behind
 * synwall): then, in its window but not exact, the RST earns an RFC 5961
 * §3.2 challenge ACK, and the sender, closed, answers that with a RST at
 * exactly the challenge's ack (RFC 9293 §3.10.7.1). While the flow
 * lingers, both cross, translated, so the receiver's connection ends as
 * it would have without synwall: the receiver's bare ACKs, the sender's
 * RSTs in the window. Nothing else; nothing before the server answered
 * (no offsets: it had at most our SYN).
 */
static enum sw_px_verdict
reset_straggler(struct sw_flow *f, const struct sw_pkt *p, bool from_server)
{
	const uint8_t fl = p->tcp_flags;

	if (!(f->xflags & SW_FX_SYNCED))
		return SW_PX_DROP_STATE;
	if (from_server != !!(f->xflags & SW_FX_RST_S)) {
		/* The RST's receiver: its challenge ACK. */
		if ((fl & (SW_TCP_SYN | SW_TCP_RST | SW_TCP_FIN | SW_TCP_ACK)) !=
				SW_TCP_ACK || p->payload_len != 0)
			return SW_PX_DROP_STATE;
		if (!from_server && ack_unsent(f, p))
			return SW_PX_DROP_ACK_UNSENT;
		if (from_server)
			track_server(f, p);
		else
			track_client(f, p);
		return SW_PX_FORWARD;
	}
	/* The RST's sender: the answer to that challenge. */
	if ((fl & (SW_TCP_SYN | SW_TCP_RST)) != SW_TCP_RST)
		return SW_PX_DROP_STATE;
	if (from_server ? rst_check(p->seq + f->seq_delta, f->cli_ack,
			f->srv_nxt, (uint32_t)f->cli_win << ws_eff(f->ws_client)) ==
			SW_PX_DROP_RST : rst_check(p->seq, f->srv_ack, f->cli_nxt,
			(uint32_t)f->srv_win << srv_win_shift(f)) ==
			SW_PX_DROP_RST)
		return SW_PX_DROP_RST;
	return SW_PX_FORWARD;
}

enum sw_px_verdict
sw_px_from_client(struct sw_flow *f, const struct sw_pkt *p,
		uint32_t hold_max)
{
	const uint8_t fl = p->tcp_flags;
	enum sw_px_verdict v;

	if (f->state == SW_FS_PASS)
		return pure_syn(fl) ? SW_PX_NEW : pass_segment(f, p, SW_FF_FIN_C);
	if (f->state == SW_FS_TIME_WAIT || f->state == SW_FS_RESET) {
		/* The tuple is being reused: the old flow is over. */
		if (pure_syn(fl))
			return SW_PX_NEW;
		if (f->state == SW_FS_RESET)
			return reset_straggler(f, p, false);
		if (!time_wait_ok(p))
			return SW_PX_DROP_STATE;
		if (ack_unsent(f, p))
			return SW_PX_DROP_ACK_UNSENT;
		track_client(f, p);
		return SW_PX_FORWARD;
	}
	/* RFC 5961 §4.2: a SYN on a synchronized tuple, whatever its seq. */
	if (fl & SW_TCP_SYN)
		return SW_PX_CHALLENGE;
	if (fl & SW_TCP_RST) {
		v = rst_check(p->seq, f->srv_ack, f->cli_nxt,
			(uint32_t)f->srv_win << srv_win_shift(f));
		if (v == SW_PX_RESET)
			f->state = SW_FS_RESET;
		return v;
	}
	/* RFC 9293 §3.10.7.4: no ACK, no business in a synchronized state. */
	if (!(fl & SW_TCP_ACK))
		return SW_PX_DROP_STATE;
	if (f->state == SW_FS_SYN_SENT) {
		/* The only ACK the client can send yet acknowledges our
		 * SYN-ACK: anything else is not from the client we know. */
		if (p->ack != f->cli_ack)
			return SW_PX_DROP_STATE;
		if (p->payload_len == 0 && !(fl & SW_TCP_FIN) &&
				p->seq == f->srv_ack && f->n_held > 0)
			return SW_PX_DROP_DUP;
		if (f->n_held >= hold_max)
			return SW_PX_DROP_HOLD_FULL;
		if (!track_client(f, p))
			return SW_PX_DROP_STATE;	/* beyond our window */
		if (fl & SW_TCP_FIN)
			f->flags |= SW_FF_FIN_C;
		f->n_held++;
		return SW_PX_HOLD;
	}
	if (ack_unsent(f, p))
		return SW_PX_DROP_ACK_UNSENT;
	if (track_client(f, p)) {
		if (fl & SW_TCP_FIN)
			fin_seen(f, SW_FF_FIN_C, SW_FF_FIN_S);
		if (f->state == SW_FS_CLOSING)
			check_closed(f);
	}
	return SW_PX_FORWARD;
}

enum sw_px_verdict
sw_px_from_server_pp(struct sw_flow *f, const struct sw_pkt *p,
		uint32_t pp_len)
{
	const uint8_t fl = p->tcp_flags;
	/* Where the server's stream from us starts: the client's ISN + 1,
	 * or the PROXY header's first byte, pp_len before it. */
	const uint32_t start = f->srv_ack - ((f->flags & SW_FF_PP) ? pp_len : 0);
	enum sw_px_verdict v;
	bool short_ack = false;

	switch ((enum sw_fstate)f->state) {
	case SW_FS_SYN_SENT:
		/* RFC 9293 §3.10.7.3: only a segment that acknowledges our
		 * SYN counts, the RST included. Any other ACK is answered
		 * with <SEQ=SEG.ACK><CTL=RST>: a server still holding the
		 * tuple's previous connection in TIME_WAIT answers our SYN
		 * with that connection's ACK until this RST ends it. */
		if (!(fl & SW_TCP_ACK) || p->ack != start) {
			if (fl & SW_TCP_RST)
				return SW_PX_DROP_RST;
			return (fl & SW_TCP_ACK) ? SW_PX_OLD_ACK :
				SW_PX_DROP_STATE;
		}
		if (fl & SW_TCP_RST)
			return SW_PX_BACKEND_RST;
		if ((fl & (SW_TCP_SYN | SW_TCP_FIN)) == SW_TCP_SYN)
			return synack_fits(f, p) ? SW_PX_ESTABLISH :
				SW_PX_RESTART;
		return SW_PX_DROP_STATE;
	case SW_FS_TIME_WAIT:
		if (time_wait_ok(p)) {
			track_server(f, p);
			return SW_PX_FORWARD;
		}
		return SW_PX_DROP_STATE;
	case SW_FS_RESET:
		return reset_straggler(f, p, true);
	case SW_FS_PASS:
		return pass_segment(f, p, SW_FF_FIN_S);
	case SW_FS_FREE:
	case SW_FS_ESTABLISHED:
	case SW_FS_FIN_WAIT:
	case SW_FS_CLOSING:
	case SW_FS_FOREIGN:	/* the engine never asks about these */
	case SW_FS_MAX:
		break;
	}
	/* RFC 5961 §4.2; also a SYN-ACK resent because our ACK was lost:
	 * the challenge ACK is exactly the ACK it is missing, unless that
	 * ACK carried the PROXY header, which it then lacks too. */
	if (fl & SW_TCP_SYN) {
		if (fl & SW_TCP_RST)
			return SW_PX_DROP_STATE;
		return (f->flags & SW_FF_PP) ? SW_PX_HEADER : SW_PX_CHALLENGE;
	}
	if (fl & SW_TCP_RST) {
		v = rst_check(p->seq + f->seq_delta, f->cli_ack, f->srv_nxt,
			(uint32_t)f->cli_win << ws_eff(f->ws_client));
		if (v == SW_PX_RESET) {
			f->state = SW_FS_RESET;
			f->xflags |= SW_FX_RST_S;
		}
		return v;
	}
	if (!(fl & SW_TCP_ACK))
		return SW_PX_DROP_STATE;
	if (f->flags & SW_FF_PP) {
		/* The header is one segment: the server acknowledges all
		 * of it (and the flow is plain from now on) or none. An
		 * ACK beyond what the client sent moves nothing. */
		if (!sw_seq_lt(p->ack, f->srv_ack)) {
			if (!sw_seq_gt(p->ack, f->cli_nxt))
				f->flags &= (uint8_t)~SW_FF_PP;
		} else if (p->ack == start) {
			short_ack = true;
		}
	}
	if (track_server(f, p)) {
		if (fl & SW_TCP_FIN)
			fin_seen(f, SW_FF_FIN_S, SW_FF_FIN_C);
		if (f->state == SW_FS_CLOSING)
			check_closed(f);
	}
	return short_ack ? SW_PX_FORWARD_HEADER : SW_PX_FORWARD;
}

void
sw_px_establish(struct sw_flow *f, const struct sw_pkt *synack)
{
	const bool srv_ts = synack->opt.present & SW_TCPOPT_F_TS;
	const bool srv_ws = synack->opt.present & SW_TCPOPT_F_WSCALE;

	/* srv_nxt is still our cookie ISN + 1: the server's ISN + 1 in
	 * the client's view. */
	f->seq_delta = f->srv_nxt - 1 - synack->seq;
	f->ts_delta = 0;
	if ((f->flags & SW_FF_TS_CLIENT) && srv_ts) {
		f->flags |= SW_FF_TS;
		f->ts_delta = f->srv_tsval - synack->opt.tsval;
	}
	/* RFC 7323 §2.2: scaling is on only if both SYNs carried it. Our
	 * SYN may have offered shift 0 for a client that does not scale
	 * (a probe): the server's windows are then rescaled to it. */
	if ((f->xflags & SW_FX_OFFER_WS) && srv_ws) {
		f->ws_server = synack->opt.wscale > 14 ? 14 :
			synack->opt.wscale;
		f->ws_client_srv = ws_eff(f->ws_client);
	} else {
		f->ws_server = 0;
		f->ws_client_srv = 0;
	}
	/* RFC 7323 §2.2: a SYN's window is never scaled. */
	f->srv_win = synack->window;
	f->flags |= SW_FF_SRV_WIN_SYN;
	f->srv_max = f->srv_nxt;	/* over n_held, retries, mss */
	f->xflags |= SW_FX_SYNCED;
	f->state = (f->flags & SW_FF_FIN_C) ? SW_FS_FIN_WAIT :
		SW_FS_ESTABLISHED;
}

void
sw_px_challenge(const struct sw_flow *f, bool to_client, struct sw_px_seg *s)
{
	memset(s, 0, sizeof(*s));
	if (to_client) {
		/* As the server: our SND.NXT and RCV.NXT. */
		s->seq = f->srv_nxt;
		s->ack = f->cli_nxt;
		/* Before the server's first non-SYN segment, srv_win is a
		 * SYN's (ours, then the server's), unscaled. */
		s->window = sw_relay_window(f->srv_win, srv_win_shift(f),
			f->ws_ours);
		s->ts = f->flags & SW_FF_TS_CLIENT;
		s->tsval = f->srv_tsval;
		s->tsecr = f->cli_tsval;
	} else {
		/* As the client, in the server's space. */
		s->seq = f->cli_nxt;
		s->ack = f->srv_nxt - f->seq_delta;
		s->window = sw_relay_window(f->cli_win, ws_eff(f->ws_client),
			f->ws_client_srv);
		s->ts = f->flags & SW_FF_TS;
		s->tsval = f->cli_tsval;
		s->tsecr = f->srv_tsval - f->ts_delta;
	}
}
