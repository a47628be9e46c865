/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the proxy state machine (lib/proxy sw_proxy): a flow from
 * its cookie ACK through SYN_SENT, the server's SYN-ACK, data, FINs and
 * RSTs, checked against RFC 9293 (§3.10.7), RFC 5961 (RST and SYN
 * checks), RFC 7323 (window scaling, timestamps and PAWS). Every
 * scenario runs with ISNs and timestamps near 2^32 and sequence offsets
 * of 0, 0x7fffffff, 0x80000000 and 0xffffffff. Challenge ACKs are checked
 * against a model of what the peer they go to must accept, and once
 * through sw_build_ack / sw_build_rst as real frames. No EAL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sw_build.h"
#include "sw_parse.h"
#include "sw_proxy.h"

#include "sw_test.h"
#include "vectors.h"

#define A	SW_TCP_ACK
#define F	SW_TCP_FIN
#define S	SW_TCP_SYN
#define R	SW_TCP_RST
#define P	SW_TCP_PSH

#define HOLD_MAX	4
#define OUR_WIN		29200	/* our SYN-ACK's window */
#define SYNACK_WIN	65535	/* the server's SYN-ACK window */
#define CWIN		500	/* client's window field */
#define SWIN		200	/* server's window field after SYN-ACK */
#define WS_C		7	/* client's shift */
#define WS_S		9	/* server's shift */
#define WS_OURS		8	/* shift our SYN-ACK advertised */
#define NO_WS		(-1)
#define SVC		3

/* The sequence and timestamp numbers of one connection. */
struct scen {
	const char *name;
	uint32_t cisn;		/* client's ISN (the backend SYN's too) */
	uint32_t cookie;	/* our ISN, the cookie */
	uint32_t sisn;		/* server's ISN */
	uint32_t cts;		/* client's TSval on its third ACK */
	uint32_t ots;		/* our SYN-ACK's TSval */
	uint32_t sts;		/* server's SYN-ACK TSval */
};

/*
 * seq_delta = cookie - sisn, ts_delta = ots - sts. Client and server
 * data cross 2^32 in most of them.
 */
static const struct scen scens[] = {
	{ "plain", 10000, 50000, 20000, 1000, 2000, 3000 },
	{ "delta_0", 0xffffff00, 0xfffffff0, 0xfffffff0, 5, 6, 7 },
	{ "delta_7fffffff", 0xffffffff, 0xffffffff, 0x80000000,
		0xfffffff0, 0x7fffffff, 0x80000000 },
	{ "delta_80000000", 0xffffffc0, 0x7fffffc0, 0xffffffc0,
		0x7ffffff0, 0xffffffff, 0x7fffffff },
	{ "delta_ffffffff", 0xfffffffe, 0xfffffff0, 0xfffffff1,
		0xffffffff, 0x80000000, 0x00000001 },
	{ "isn_0", 0, 0xffffffff, 0, 0, 0xffffffff, 0 },
};
#define N_SCENS	(sizeof(scens) / sizeof(scens[0]))

/* Options agreed on each leg. */
struct cfg {
	bool ts_c;		/* client sent timestamps */
	bool ts_s;		/* server's SYN-ACK has them */
	uint8_t ws_c;		/* client's shift, SW_PX_WS_NONE if none */
	int ws_s;		/* server's shift, NO_WS if none */
};

static const struct cfg full = { true, true, WS_C, WS_S };

/* Sequence numbers of the scenario: client space, server space, and the
 * server's stream in the client's view. */
#define C0(s)	((uint32_t)((s)->cisn + 1))
#define S0(s)	((uint32_t)((s)->sisn + 1))
#define V0(s)	((uint32_t)((s)->cookie + 1))

static int dummy_held;

static const char *
vname(enum sw_px_verdict v)
{
	static const char *const names[SW_PX_VERDICT_MAX] = {
		[SW_PX_FORWARD] = "FORWARD", [SW_PX_HOLD] = "HOLD",
		[SW_PX_ESTABLISH] = "ESTABLISH",
		[SW_PX_CHALLENGE] = "CHALLENGE", [SW_PX_RESET] = "RESET",
		[SW_PX_BACKEND_RST] = "BACKEND_RST", [SW_PX_NEW] = "NEW",
		[SW_PX_OLD_ACK] = "OLD_ACK",
		[SW_PX_DROP_HOLD_FULL] = "DROP_HOLD_FULL",
		[SW_PX_DROP_DUP] = "DROP_DUP", [SW_PX_DROP_RST] = "DROP_RST",
		[SW_PX_DROP_STATE] = "DROP_STATE",
		[SW_PX_DROP_ACK_UNSENT] = "DROP_ACK_UNSENT",
		[SW_PX_RESTART] = "RESTART",
		[SW_PX_HEADER] = "HEADER",
		[SW_PX_FORWARD_HEADER] = "FORWARD_HEADER",
	};

	return (unsigned int)v < SW_PX_VERDICT_MAX && names[v] != NULL ?
		names[v] : "?";
}

/* Verdicts by name when they differ. */
#define CHECK_V(expr, want) do { \
	enum sw_px_verdict v_ = (expr); \
	SW_CHECKF(v_ == (want), "-> %s, want %s", vname(v_), \
		vname(want)); \
} while (0)

static struct sw_pkt
seg(uint8_t fl, uint32_t seq, uint32_t ack, uint16_t win, uint16_t len)
{
	struct sw_pkt p;

	memset(&p, 0, sizeof(p));
	p.flags = SW_PKT_F_TCP;
	p.l3 = SW_L3_IPV4;
	p.l4_proto = 6;
	p.tcp_flags = fl;
	p.seq = seq;
	p.ack = fl & A ? ack : 0;
	p.window = win;
	p.payload_len = len;
	return p;
}

static struct sw_pkt
seg_ts(uint8_t fl, uint32_t seq, uint32_t ack, uint16_t win, uint16_t len,
		uint32_t tsval, uint32_t tsecr)
{
	struct sw_pkt p = seg(fl, seq, ack, win, len);

	p.opt.present = SW_TCPOPT_F_TS;
	p.opt.ts_off = 58;		/* any offset: the option is there */
	p.opt.tsval = tsval;
	p.opt.tsecr = tsecr;
	return p;
}

/* A client segment with the timestamps of the flow's config. */
static struct sw_pkt
cseg(const struct cfg *c, uint8_t fl, uint32_t seq, uint32_t ack,
		uint16_t len, uint32_t tsval, uint32_t tsecr)
{
	return c->ts_c ? seg_ts(fl, seq, ack, CWIN, len, tsval, tsecr) :
		seg(fl, seq, ack, CWIN, len);
}

static struct sw_pkt
sseg(const struct cfg *c, uint8_t fl, uint32_t seq, uint32_t ack,
		uint16_t len, uint32_t tsval, uint32_t tsecr)
{
	return c->ts_c && c->ts_s ?
		seg_ts(fl, seq, ack, SWIN, len, tsval, tsecr) :
		seg(fl, seq, ack, SWIN, len);
}

/* The client's third ACK, whose cookie decoded to `co`. */
static struct sw_pkt
cookie_ack(const struct scen *s, const struct cfg *c, uint8_t extra,
		uint16_t len)
{
	return cseg(c, A | extra, C0(s), V0(s), len, s->cts, s->ots);
}

static struct sw_cookie_opts
cookie_opts(const struct scen *s, const struct cfg *c)
{
	struct sw_cookie_opts co = {
		.mss = 1380,
		.wscale = c->ws_c,
		.sack_ok = true,
		.ts = c->ts_c,
		.ecn = false,
		.ts_recent = s->cts,
	};

	return co;
}

static uint8_t
ws_ours(const struct cfg *c)
{
	return c->ws_c == SW_PX_WS_NONE ? 0 : WS_OURS;
}

/* SYN_SENT, the cookie ACK held (as app/synwall/flow.c does). */
static void
open_syn_sent(struct sw_flow *f, const struct scen *s, const struct cfg *c)
{
	const struct sw_pkt p = cookie_ack(s, c, 0, 0);
	const struct sw_cookie_opts co = cookie_opts(s, c);

	sw_px_init(f, &p, &co, ws_ours(c), OUR_WIN, SVC);
	f->held = &dummy_held;
	f->n_held = 1;
}

static struct sw_pkt
synack(const struct scen *s, const struct cfg *c)
{
	struct sw_pkt p = c->ts_s ?
		seg_ts(S | A, s->sisn, C0(s), SYNACK_WIN, 0, s->sts, s->cts) :
		seg(S | A, s->sisn, C0(s), SYNACK_WIN, 0);

	if (c->ws_s != NO_WS) {
		p.opt.present |= SW_TCPOPT_F_WSCALE;
		p.opt.wscale = (uint8_t)c->ws_s;
	}
	p.opt.present |= SW_TCPOPT_F_MSS | SW_TCPOPT_F_SACKOK;
	p.opt.mss = 1400;
	return p;
}

static void
open_established(struct sw_flow *f, const struct scen *s,
		const struct cfg *c)
{
	struct sw_pkt p = synack(s, c);

	open_syn_sent(f, s, c);
	CHECK_V(sw_px_from_server(f, &p), SW_PX_ESTABLISH);
	f->held = NULL;
	sw_px_establish(f, &p);
	SW_CHECK_EQ(f->state, SW_FS_ESTABLISHED);
}

/*
 * ESTABLISHED with traffic both ways, then 50 bytes each way not yet
 * acknowledged:
 *   client sent C0 .. C0+150, server acknowledged C0+100;
 *   server sent S0 .. S0+350, client acknowledged S0+300;
 *   last TSvals: client cts+3, server sts+2 (ots+2 in the client's view).
 */
static void
open_mid(struct sw_flow *f, const struct scen *s, const struct cfg *c)
{
	struct sw_pkt p;

	open_established(f, s, c);
	p = cseg(c, A | P, C0(s), V0(s), 100, s->cts + 1, s->ots);
	CHECK_V(sw_px_from_client(f, &p, HOLD_MAX), SW_PX_FORWARD);
	p = sseg(c, A | P, S0(s), C0(s) + 100, 300, s->sts + 1, s->cts + 1);
	CHECK_V(sw_px_from_server(f, &p), SW_PX_FORWARD);
	p = cseg(c, A, C0(s) + 100, V0(s) + 300, 0, s->cts + 2, s->ots + 1);
	CHECK_V(sw_px_from_client(f, &p, HOLD_MAX), SW_PX_FORWARD);
	p = cseg(c, A | P, C0(s) + 100, V0(s) + 300, 50, s->cts + 3,
		s->ots + 1);
	CHECK_V(sw_px_from_client(f, &p, HOLD_MAX), SW_PX_FORWARD);
	p = sseg(c, A | P, S0(s) + 300, C0(s) + 100, 50, s->sts + 2,
		s->cts + 2);
	CHECK_V(sw_px_from_server(f, &p), SW_PX_FORWARD);
	SW_CHECK_EQ(f->state, SW_FS_ESTABLISHED);
}

static bool
flow_eq(const struct sw_flow *a, const struct sw_flow *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* ------------------------------------------------------------ init */

static void
test_init(void)
{
	static const struct cfg cfgs[] = {
		{ true, true, WS_C, WS_S },
		{ false, false, SW_PX_WS_NONE, NO_WS },
		{ true, false, 0, NO_WS },
		{ false, false, 14, 14 },
	};
	struct sw_flow f;

	SW_CHECK(sizeof(struct sw_flow) == 48);
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];

		sw_test_ctx = s->name;
		for (unsigned int k = 0; k < 4; k++) {
			const struct cfg *c = &cfgs[k];
			struct sw_cookie_opts co = cookie_opts(s, c);
			struct sw_pkt p = cookie_ack(s, c, 0, 0);

			co.ecn = k & 1;
			co.sack_ok = !(k & 2);
			memset(&f, 0xa5, sizeof(f));
			sw_px_init(&f, &p, &co, ws_ours(c), OUR_WIN, SVC);
			SW_CHECK_EQ(f.state, SW_FS_SYN_SENT);
			SW_CHECK(f.held == NULL);
			SW_CHECK_EQ(f.n_held, 0);
			SW_CHECK_EQ(f.retries, 0);
			SW_CHECK_EQ(f.cli_nxt, C0(s));
			SW_CHECK_EQ(f.srv_ack, C0(s));
			SW_CHECK_EQ(f.srv_nxt, V0(s));
			SW_CHECK_EQ(f.cli_ack, V0(s));
			SW_CHECK_EQ(f.cli_win, CWIN);
			SW_CHECK_EQ(f.srv_win, OUR_WIN);
			SW_CHECK_EQ(f.mss, 1380);
			SW_CHECK_EQ(f.ws_client, c->ws_c);
			SW_CHECK_EQ(f.ws_ours, ws_ours(c));
			SW_CHECK_EQ(f.ws_server, 0);
			SW_CHECK_EQ(f.ws_client_srv, 0);
			SW_CHECK_EQ(f.svc, SVC);
			/* srv_win is our SYN-ACK's: unscaled. */
			SW_CHECK_EQ(f.flags, SW_FF_SRV_WIN_SYN |
				(c->ts_c ? SW_FF_TS_CLIENT : 0) |
				(co.sack_ok ? SW_FF_SACK : 0) |
				(co.ecn ? SW_FF_ECN : 0));
			if (c->ts_c) {
				SW_CHECK_EQ(f.cli_tsval, s->cts);
				SW_CHECK_EQ(f.srv_tsval, s->ots);
			}
		}
		/* A first segment with data and FIN: all of it is sent. */
		{
			struct sw_cookie_opts co = cookie_opts(s, &full);
			struct sw_pkt p = cookie_ack(s, &full, F | P, 700);

			sw_px_init(&f, &p, &co, WS_OURS, OUR_WIN, SVC);
			SW_CHECK_EQ(f.cli_nxt, C0(s) + 701);
			SW_CHECK_EQ(f.srv_ack, C0(s));
			SW_CHECK(f.flags & SW_FF_FIN_C);
			SW_CHECK(!(f.flags & SW_FF_FIN_S));
		}
	}
	SW_CHECK(strcmp(sw_fstate_name(SW_FS_SYN_SENT), "syn_sent") == 0);
	SW_CHECK(strcmp(sw_fstate_name(SW_FS_TIME_WAIT), "time_wait") == 0);
	SW_CHECK(strcmp(sw_fstate_name(SW_FS_MAX), "unknown") == 0);
	SW_CHECK_EQ(sw_px_syn_backoff(1000, 0), 1000);
	SW_CHECK_EQ(sw_px_syn_backoff(1000, 3), 8000);
	SW_CHECK_EQ(sw_px_syn_backoff(1, 200), 1u << 16);
}

/* -------------------------------------------------------- SYN_SENT */

/* Client segments while the backend SYN is out: held, up to a limit. */
static void
test_syn_sent_hold(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		struct sw_flow f, g;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		/* The cookie ACK itself, with nothing held yet, is held. */
		p = cookie_ack(s, c, 0, 0);
		{
			const struct sw_cookie_opts co = cookie_opts(s, c);

			sw_px_init(&f, &p, &co, WS_OURS, OUR_WIN, SVC);
		}
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_HOLD);
		SW_CHECK_EQ(f.n_held, 1);

		/* The third ACK again (retransmitted): a duplicate. */
		open_syn_sent(&f, s, c);
		g = f;
		p = cookie_ack(s, c, 0, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
			SW_PX_DROP_DUP);
		SW_CHECK(flow_eq(&f, &g));

		/* Data, then more data: held, tracked. */
		p = cseg(c, A | P, C0(s), V0(s), 100, s->cts + 1, s->ots);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_HOLD);
		SW_CHECK_EQ(f.n_held, 2);
		SW_CHECK_EQ(f.cli_nxt, C0(s) + 100);
		SW_CHECK_EQ(f.cli_tsval, s->cts + 1);
		p = cseg(c, A | P, C0(s) + 100, V0(s), 100, s->cts + 2,
			s->ots);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_HOLD);
		SW_CHECK_EQ(f.cli_nxt, C0(s) + 200);
		/* A bare ACK after data is not the third ACK again. */
		p = cseg(c, A, C0(s) + 200, V0(s), 0, s->cts + 3, s->ots);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_HOLD);
		SW_CHECK_EQ(f.n_held, HOLD_MAX);
		/* Full: dropped, nothing tracked; the client retransmits. */
		g = f;
		p = cseg(c, A | P, C0(s) + 200, V0(s), 10, s->cts + 4,
			s->ots);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
			SW_PX_DROP_HOLD_FULL);
		SW_CHECK(flow_eq(&f, &g));
		SW_CHECK_EQ(f.state, SW_FS_SYN_SENT);

		/* Only an ACK of our SYN-ACK (cookie + 1) is the client's. */
		open_syn_sent(&f, s, c);
		g = f;
		{
			const uint32_t bad[] = { V0(s) - 1, V0(s) + 1,
				V0(s) + 0x80000000u, V0(s) + 0x40000000u };

			for (unsigned int k = 0; k < 4; k++) {
				p = cseg(c, A | P, C0(s), bad[k], 10,
					s->cts + 1, s->ots);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_DROP_STATE);
			}
		}
		/* RFC 9293 §3.10.7.4: no ACK bit, no business here. */
		p = cseg(c, P, C0(s), 0, 10, s->cts + 1, s->ots);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
			SW_PX_DROP_STATE);
		SW_CHECK(flow_eq(&f, &g));

		/* A held FIN: the flow opens half-closed. */
		p = cseg(c, A | F, C0(s), V0(s), 0, s->cts + 1, s->ots);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_HOLD);
		SW_CHECK(f.flags & SW_FF_FIN_C);
		SW_CHECK_EQ(f.cli_nxt, C0(s) + 1);
		p = synack(s, c);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_ESTABLISH);
		f.held = NULL;
		sw_px_establish(&f, &p);
		SW_CHECK_EQ(f.state, SW_FS_FIN_WAIT);
		/* Over n_held: the end of what the server sent. */
		SW_CHECK_EQ(f.srv_max, f.srv_nxt);
	}
}

/*
 * RFC 9293 §3.10.7.3 (SYN-SENT): only a segment whose ACK acknowledges
 * our SYN (ack == client ISN + 1) counts: a RST then refuses the
 * connection, a SYN-ACK establishes it, anything else is dropped.
 */
static void
test_syn_sent_server(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const uint32_t bad[] = { s->cisn, C0(s) + 1,
			C0(s) + 0x80000000u, C0(s) + 0x40000000u };
		struct sw_flow f, g;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		open_syn_sent(&f, s, &full);
		g = f;
		p = seg(R | A, 0, C0(s), 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_BACKEND_RST);
		p = seg(R | A, s->sisn, C0(s), 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_BACKEND_RST);
		/* RST without ACK, or acknowledging something else. */
		p = seg(R, C0(s), 0, 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_RST);
		for (unsigned int k = 0; k < 4; k++) {
			p = seg(R | A, 0, bad[k], 0, 0);
			CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_RST);
			/* An ACK of something else (a TIME_WAIT's):
			 * RST at its ack. */
			p = synack(s, &full);
			p.ack = bad[k];
			CHECK_V(sw_px_from_server(&f, &p), SW_PX_OLD_ACK);
			p = seg(A, s->sisn + 1, bad[k], SWIN, 0);
			CHECK_V(sw_px_from_server(&f, &p), SW_PX_OLD_ACK);
		}
		/* Right ACK, but not a SYN-ACK. */
		p = seg(A, s->sisn + 1, C0(s), SWIN, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		p = seg(A | P, s->sisn + 1, C0(s), SWIN, 10);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		p = seg(S | A | F, s->sisn, C0(s), SWIN, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		/* A SYN without ACK (simultaneous open) is not an answer. */
		p = seg(S, s->sisn, 0, SWIN, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		SW_CHECK(flow_eq(&f, &g));
		p = synack(s, &full);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_ESTABLISH);
		/* The verdict alone changes nothing: establish() does. */
		SW_CHECK(flow_eq(&f, &g));
	}
}

/* ------------------------------------------------------- establish */

/*
 * Offsets from the server's SYN-ACK, and RFC 7323 §2.2: scaling is in
 * effect only if both SYNs carried the option (§2.3: a shift above 14
 * is taken as 14); timestamps only if both did.
 */
static void
test_establish(void)
{
	static const uint8_t ws_c[] = { SW_PX_WS_NONE, 0, 7, 14 };
	static const int ws_s[] = { NO_WS, 0, 9, 14, 15, 255 };

	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];

		sw_test_ctx = s->name;
		for (unsigned int m = 0; m < 4 * 4 * 6; m++) {
			const struct cfg c = {
				.ts_c = m & 1, .ts_s = m & 2,
				.ws_c = ws_c[(m >> 2) & 3],
				.ws_s = ws_s[m >> 4],
			};
			const bool ws_on = c.ws_c != SW_PX_WS_NONE &&
				c.ws_s != NO_WS;
			const bool ts_on = c.ts_c && c.ts_s;
			struct sw_flow f, g;
			struct sw_pkt p = synack(s, &c);
			struct sw_xlate x;

			open_syn_sent(&f, s, &c);
			/* Timestamps the client was not promised (nor our SYN
			 * offered): the handshake restarts, once; after that
			 * the server's SYN-ACK is taken as it is. */
			if (c.ts_s && !c.ts_c) {
				CHECK_V(sw_px_from_server(&f, &p),
					SW_PX_RESTART);
				sw_px_restart(&f);
			}
			g = f;
			CHECK_V(sw_px_from_server(&f, &p), SW_PX_ESTABLISH);
			f.held = NULL;
			sw_px_establish(&f, &p);
			SW_CHECK_EQ(f.state, SW_FS_ESTABLISHED);
			SW_CHECK_EQ(f.srv_max, f.srv_nxt);
			SW_CHECK_EQ(f.seq_delta,
				(uint32_t)(s->cookie - s->sisn));
			/* The SYN-ACK's seq in the client's view: our ISN. */
			SW_CHECK_EQ((uint32_t)(p.seq + f.seq_delta), s->cookie);
			SW_CHECK_EQ(!!(f.flags & SW_FF_TS), ts_on);
			SW_CHECK_EQ(!!(f.flags & SW_FF_TS_CLIENT), c.ts_c);
			if (ts_on) {
				SW_CHECK_EQ(f.ts_delta,
					(uint32_t)(s->ots - s->sts));
				SW_CHECK_EQ((uint32_t)(s->sts + f.ts_delta),
					s->ots);
			} else {
				SW_CHECK_EQ(f.ts_delta, 0);
			}
			SW_CHECK_EQ(f.ws_server, !ws_on ? 0 :
				c.ws_s > 14 ? 14 : c.ws_s);
			SW_CHECK_EQ(f.ws_client_srv, ws_on ? c.ws_c : 0);
			SW_CHECK_EQ(f.ws_client, c.ws_c);
			SW_CHECK_EQ(f.ws_ours, ws_ours(&c));
			/* What tracks the two streams is untouched. */
			SW_CHECK_EQ(f.cli_nxt, g.cli_nxt);
			SW_CHECK_EQ(f.srv_nxt, g.srv_nxt);
			SW_CHECK_EQ(f.cli_ack, g.cli_ack);
			SW_CHECK_EQ(f.srv_ack, g.srv_ack);
			SW_CHECK_EQ(f.cli_tsval, g.cli_tsval);
			SW_CHECK_EQ(f.srv_tsval, g.srv_tsval);
			SW_CHECK_EQ(f.srv_max, g.srv_nxt);
			SW_CHECK(f.xflags & SW_FX_SYNCED);
			SW_CHECK_EQ(f.svc, g.svc);

			x = sw_px_xlate(&f);
			SW_CHECK_EQ(x.seq_delta, f.seq_delta);
			SW_CHECK_EQ(x.ts_delta, f.ts_delta);
			SW_CHECK_EQ(x.ts, ts_on);
			SW_CHECK_EQ(x.ws_server, f.ws_server);
			SW_CHECK_EQ(x.ws_ours, ws_ours(&c));
			SW_CHECK_EQ(x.ws_client, c.ws_c == SW_PX_WS_NONE ? 0 :
				c.ws_c);
			SW_CHECK_EQ(x.ws_client_srv, f.ws_client_srv);
		}
	}
}

/* ------------------------------------------------------ RFC 5961 RST */

struct rst_case {
	uint32_t seq;
	enum sw_px_verdict v;
	const char *what;
};

/* Each RST on its own copy of `base`; only an accepted one closes. */
static void
run_rst(const struct sw_flow *base, bool from_client,
		const struct rst_case *rc, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		for (unsigned int withack = 0; withack < 2; withack++) {
			struct sw_flow f = *base;
			struct sw_pkt p = seg(R | (withack ? A : 0), rc[k].seq,
				from_client ? base->cli_ack :
				base->srv_ack, 0, 0);
			enum sw_px_verdict v = from_client ?
				sw_px_from_client(&f, &p, HOLD_MAX) :
				sw_px_from_server(&f, &p);

			SW_CHECKF(v == rc[k].v, "%s RST%s seq 0x%08x (%s): "
				"%s, want %s", from_client ? "client" :
				"server", withack ? "|ACK" : "", rc[k].seq,
				rc[k].what, vname(v), vname(rc[k].v));
			if (rc[k].v == SW_PX_RESET) {
				SW_CHECK_EQ(f.state, SW_FS_RESET);
			} else {
				SW_CHECK(flow_eq(&f, base));
			}
		}
	}
}

/*
 * RFC 5961 §3.2 both ways: a RST whose seq is exactly RCV.NXT (the
 * receiver's last ACK) or the sender's SND.NXT (its highest seq + len,
 * what the receiver will expect next once the data in flight lands)
 * resets; one inside the receiver's window asks for a challenge ACK;
 * anything else is dropped. Windows in bytes: field << shift.
 */
static void
test_rst_window(void)
{
	static const struct cfg cfgs[] = {
		{ true, true, WS_C, WS_S },
		{ false, false, SW_PX_WS_NONE, NO_WS },
		{ true, false, WS_C, NO_WS },	/* server: no scaling */
		{ true, true, SW_PX_WS_NONE, WS_S },	/* client: none */
	};

	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];

		sw_test_ctx = s->name;
		for (unsigned int k = 0; k < 4; k++) {
			const struct cfg *c = &cfgs[k];
			const bool ws_on = c->ws_c != SW_PX_WS_NONE &&
				c->ws_s != NO_WS;
			/* The server's receive window, the client's. */
			const uint32_t sw = (uint32_t)SWIN <<
				(ws_on ? WS_S : 0);
			const uint32_t cw = (uint32_t)CWIN <<
				(c->ws_c == SW_PX_WS_NONE ? 0 : c->ws_c);
			/* The server's RCV.NXT, the client's. */
			const uint32_t rc = C0(s) + 100;
			const uint32_t rs = S0(s) + 300;
			const struct rst_case from_c[] = {
				{ rc, SW_PX_RESET, "RCV.NXT" },
				{ C0(s) + 150, SW_PX_RESET, "SND.NXT" },
				{ rc + 1, SW_PX_CHALLENGE, "in window" },
				{ C0(s) + 149, SW_PX_CHALLENGE, "in window" },
				{ C0(s) + 151, SW_PX_CHALLENGE, "in window" },
				{ rc + sw - 1, SW_PX_CHALLENGE, "last byte" },
				{ rc + sw, SW_PX_DROP_RST, "right edge" },
				{ rc - 1, SW_PX_DROP_RST, "left of window" },
				{ C0(s), SW_PX_DROP_RST, "acknowledged" },
				{ rc + 0x40000000u, SW_PX_DROP_RST, "far" },
				{ rc + 0x80000000u, SW_PX_DROP_RST, "half" },
				{ rc - 0x40000000u, SW_PX_DROP_RST, "left" },
			};
			const struct rst_case from_s[] = {
				{ rs, SW_PX_RESET, "RCV.NXT" },
				{ S0(s) + 350, SW_PX_RESET, "SND.NXT" },
				{ rs + 1, SW_PX_CHALLENGE, "in window" },
				{ S0(s) + 349, SW_PX_CHALLENGE, "in window" },
				{ rs + cw - 1, SW_PX_CHALLENGE, "last byte" },
				{ rs + cw, SW_PX_DROP_RST, "right edge" },
				{ rs - 1, SW_PX_DROP_RST, "left of window" },
				{ S0(s), SW_PX_DROP_RST, "acknowledged" },
				{ rs + 0x40000000u, SW_PX_DROP_RST, "far" },
				{ rs + 0x80000000u, SW_PX_DROP_RST, "half" },
			};
			struct sw_flow f;

			open_mid(&f, s, c);
			run_rst(&f, true, from_c,
				sizeof(from_c) / sizeof(from_c[0]));
			run_rst(&f, false, from_s,
				sizeof(from_s) / sizeof(from_s[0]));
		}
	}
}

/*
 * In SYN_SENT the client's RST is checked against what we told it:
 * RCV.NXT client ISN + 1, our SYN-ACK's window (a SYN's window is never
 * scaled, RFC 7323 §2.2).
 */
static void
test_rst_syn_sent(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct rst_case rc[] = {
			{ C0(s), SW_PX_RESET, "RCV.NXT" },
			{ C0(s) + 1, SW_PX_CHALLENGE, "in window" },
			{ C0(s) + OUR_WIN - 1, SW_PX_CHALLENGE, "last byte" },
			{ C0(s) + OUR_WIN, SW_PX_DROP_RST, "right edge" },
			{ s->cisn, SW_PX_DROP_RST, "left" },
		};
		struct sw_flow f;

		sw_test_ctx = s->name;
		open_syn_sent(&f, s, &full);
		run_rst(&f, true, rc, sizeof(rc) / sizeof(rc[0]));
	}
}

/*
 * Right after the SYN-ACK, before the server's next segment, its
 * receive window is the SYN-ACK's window field, in bytes: RFC 7323
 * §2.2 says the window of a SYN is never scaled. A RST past it is
 * outside the window (RFC 5961 §3.2: drop), and a challenge ACK to the
 * client must not offer more than the server did.
 */
static void
test_rst_window_after_synack(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct rst_case rc[] = {
			{ C0(s), SW_PX_RESET, "RCV.NXT" },
			{ C0(s) + SYNACK_WIN - 1, SW_PX_CHALLENGE, "last" },
			{ C0(s) + SYNACK_WIN, SW_PX_DROP_RST, "right edge" },
			{ C0(s) + 4 * SYNACK_WIN, SW_PX_DROP_RST, "4 windows" },
		};
		struct sw_flow f;
		struct sw_px_seg cs;

		sw_test_ctx = s->name;
		open_established(&f, s, &full);
		run_rst(&f, true, rc, sizeof(rc) / sizeof(rc[0]));
		sw_px_challenge(&f, true, &cs);
		/* The server's SYN window, rounded up to our unit. */
		SW_CHECKF(((uint64_t)cs.window << WS_OURS) >= SYNACK_WIN,
			"window %u << %u offers less than the server's %u "
			"bytes", cs.window, WS_OURS, SYNACK_WIN);
		SW_CHECKF(((uint64_t)(cs.window - 1) << WS_OURS) < SYNACK_WIN,
			"window %u << %u", cs.window, WS_OURS);
	}
}

/* ------------------------------------------------- challenge ACKs */

/* An endpoint's view of the connection (RFC 9293 §3.3.1). */
struct peer {
	uint32_t snd_una, snd_nxt, rcv_nxt;
	uint32_t rcv_wnd;		/* bytes */
	uint8_t rcv_ws;			/* shift of the other's window */
	bool ts;
	uint32_t ts_recent;		/* RFC 7323 §4.3 */
	uint32_t last_tsval;		/* its own latest TSval */
};

/*
 * Would `pe` accept `s` as a segment of the connection? RFC 9293
 * §3.10.7.4 (sequence check for a zero-length segment, then the ACK
 * check), RFC 7323 §3.2 (TSopt on every segment once agreed) and §5.3
 * (PAWS). NULL if yes, else why not.
 */
static const char *
peer_rejects(const struct peer *pe, const struct sw_px_seg *s)
{
	if (pe->rcv_wnd == 0 ? s->seq != pe->rcv_nxt :
			(uint32_t)(s->seq - pe->rcv_nxt) >= pe->rcv_wnd)
		return "seq outside RCV.NXT .. RCV.NXT + RCV.WND";
	if (sw_seq_lt(s->ack, pe->snd_una))
		return "ack below SND.UNA";
	if (sw_seq_gt(s->ack, pe->snd_nxt))
		return "ack above SND.NXT";
	if (s->ts != pe->ts)
		return "timestamp option";
	if (pe->ts && sw_seq_lt(s->tsval, pe->ts_recent))
		return "PAWS: TSval < TS.Recent";
	return NULL;
}

static void
check_challenge(const struct peer *pe, const struct sw_px_seg *cs,
		uint32_t offered, const char *to)
{
	const char *why = peer_rejects(pe, cs);
	uint64_t bytes = (uint64_t)cs->window << pe->rcv_ws;

	SW_CHECKF(why == NULL, "challenge to %s (seq 0x%08x ack 0x%08x "
		"tsval 0x%08x): %s", to, cs->seq, cs->ack, cs->tsval,
		why ? why : "");
	/* The ACK echoes the peer's own latest TSval (RFC 7323 §4.3). */
	if (pe->ts)
		SW_CHECK_EQ(cs->tsecr, pe->last_tsval);
	/* The window we stand in for, rounded up to the peer's units (or
	 * as much as the field holds): never closed when open. */
	SW_CHECKF(cs->window == 0xffff || (bytes >= offered &&
		bytes - offered < (1u << pe->rcv_ws)),
		"to %s: window %u << %u vs %u bytes offered", to, cs->window,
		pe->rcv_ws, offered);
}

/*
 * The challenge ACK carries what the side we stand in for expects next
 * (RFC 5961 §3.2, §4.2): the peer accepts it as a segment of the
 * connection, in any state before it closes.
 */
static void
test_challenge(void)
{
	static const struct cfg cfgs[] = {
		{ true, true, WS_C, WS_S },
		{ false, false, SW_PX_WS_NONE, NO_WS },
		{ true, false, 0, 14 },
		{ true, true, 14, NO_WS },
	};

	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];

		sw_test_ctx = s->name;
		for (unsigned int k = 0; k < 4; k++) {
			const struct cfg *c = &cfgs[k];
			const bool ws_on = c->ws_c != SW_PX_WS_NONE &&
				c->ws_s != NO_WS;
			const bool ts_on = c->ts_c && c->ts_s;
			const uint8_t wsc = c->ws_c == SW_PX_WS_NONE ? 0 :
				c->ws_c;
			const uint8_t wss = ws_on ? (uint8_t)c->ws_s : 0;
			/* The client, in its space: S0 ↦ V0. */
			const struct peer cli = {
				.snd_una = C0(s) + 100, .snd_nxt = C0(s) + 150,
				.rcv_nxt = V0(s) + 350,
				.rcv_wnd = (uint32_t)CWIN << wsc,
				.rcv_ws = ws_ours(c),
				.ts = c->ts_c,
				.ts_recent = ts_on ? s->ots + 2 : s->ots,
				.last_tsval = s->cts + 3,
			};
			/* The server, which has not yet had the last 50. */
			const struct peer srv = {
				.snd_una = S0(s) + 300, .snd_nxt = S0(s) + 350,
				.rcv_nxt = C0(s) + 100,
				.rcv_wnd = (uint32_t)SWIN << wss,
				.rcv_ws = ws_on ? c->ws_c : 0,
				.ts = ts_on,
				.ts_recent = s->cts + 3,
				.last_tsval = s->sts + 2,
			};
			struct sw_flow f, g;
			struct sw_px_seg cs;
			struct sw_pkt p;

			open_mid(&f, s, c);
			g = f;
			/* An in-window RST from either side. */
			p = seg(R, C0(s) + 120, 0, 0, 0);
			CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
				SW_PX_CHALLENGE);
			sw_px_challenge(&f, true, &cs);
			check_challenge(&cli, &cs, (uint32_t)SWIN << wss,
				"client");
			p = seg(R, S0(s) + 320, 0, 0, 0);
			CHECK_V(sw_px_from_server(&f, &p),
				SW_PX_CHALLENGE);
			sw_px_challenge(&f, false, &cs);
			check_challenge(&srv, &cs, (uint32_t)CWIN << wsc,
				"server");
			/* ... the same once the server has the 50 bytes. */
			{
				struct peer srv2 = srv;

				srv2.rcv_nxt = C0(s) + 150;
				check_challenge(&srv2, &cs,
					(uint32_t)CWIN << wsc, "server");
			}
			SW_CHECK(flow_eq(&f, &g));
		}
	}
}

/* A SYN on a live tuple (RFC 5961 §4.2): challenge, whatever its seq. */
static void
test_syn_live(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const uint32_t seqs[] = { s->cisn, C0(s) + 100, C0(s) + 120,
			C0(s) + 0x80000000u };

		sw_test_ctx = s->name;
		for (unsigned int st = 0; st < 4; st++) {
			struct sw_flow f, g;
			struct sw_pkt p;

			if (st == 0) {
				open_syn_sent(&f, s, &full);
			} else {
				open_mid(&f, s, &full);
				if (st >= 2) {	/* client FIN: FIN_WAIT */
					p = cseg(&full, A | F, C0(s) + 150,
						V0(s) + 350, 0, s->cts + 4,
						s->ots + 2);
					sw_px_from_client(&f, &p, HOLD_MAX);
				}
				if (st >= 3) {	/* server FIN: CLOSING */
					p = sseg(&full, A | F, S0(s) + 350,
						C0(s) + 151, 0, s->sts + 3,
						s->cts + 4);
					sw_px_from_server(&f, &p);
				}
			}
			SW_CHECK_EQ(f.state, st == 0 ? SW_FS_SYN_SENT :
				st == 1 ? SW_FS_ESTABLISHED :
				st == 2 ? SW_FS_FIN_WAIT : SW_FS_CLOSING);
			g = f;
			for (unsigned int k = 0; k < 4; k++) {
				p = seg(S, seqs[k], 0, 1000, 0);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_CHALLENGE);
				p = seg(S | SW_TCP_ECE | SW_TCP_CWR, seqs[k], 0,
					1000, 0);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_CHALLENGE);
				p = seg(S | A, seqs[k], V0(s), 1000, 0);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_CHALLENGE);
			}
			if (st != 0) {
				/* The server's SYN-ACK again (our ACK was
				 * lost), or a new SYN from its side. */
				p = synack(s, &full);
				CHECK_V(sw_px_from_server(&f, &p),
					SW_PX_CHALLENGE);
				p = seg(S, s->sisn + 77, 0, 1000, 0);
				CHECK_V(sw_px_from_server(&f, &p),
					SW_PX_CHALLENGE);
				p = seg(S | R, s->sisn, 0, 0, 0);
				CHECK_V(sw_px_from_server(&f, &p),
					SW_PX_DROP_STATE);
			}
			SW_CHECK(flow_eq(&f, &g));
		}
		/*
		 * The challenge for a resent SYN-ACK is exactly the ACK the
		 * server is missing: seq client ISN + 1, ack server ISN + 1.
		 */
		{
			struct sw_flow f;
			struct sw_px_seg cs;
			struct sw_pkt p = synack(s, &full);

			open_established(&f, s, &full);
			CHECK_V(sw_px_from_server(&f, &p), SW_PX_CHALLENGE);
			sw_px_challenge(&f, false, &cs);
			SW_CHECK_EQ(cs.seq, C0(s));
			SW_CHECK_EQ(cs.ack, S0(s));
			SW_CHECK(cs.ts);
			SW_CHECK_EQ(cs.tsval, s->cts);
			SW_CHECK_EQ(cs.tsecr, s->sts);
			SW_CHECK_EQ(cs.window, CWIN);	/* same shift */
			/* And to the client in SYN_SENT: our SYN-ACK's view. */
			open_syn_sent(&f, s, &full);
			sw_px_challenge(&f, true, &cs);
			SW_CHECK_EQ(cs.seq, V0(s));
			SW_CHECK_EQ(cs.ack, C0(s));
			SW_CHECK(cs.ts);
			SW_CHECK_EQ(cs.tsval, s->ots);
			SW_CHECK_EQ(cs.tsecr, s->cts);
			SW_CHECK_EQ(cs.window,
				(OUR_WIN + (1u << WS_OURS) - 1) >> WS_OURS);
		}
	}
}

/* ------------------------------------------------------------ FINs */

static void
test_fin(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		const uint32_t ct = s->cts + 10, st = s->sts + 10;
		struct sw_flow f;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		/* Client closes first; the server acknowledges, closes. */
		open_mid(&f, s, c);
		p = cseg(c, A | F | P, C0(s) + 150, V0(s) + 350, 20, ct,
			s->ots + 2);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_FIN_WAIT);
		SW_CHECK_EQ(f.cli_nxt, C0(s) + 171);
		SW_CHECK(f.flags & SW_FF_FIN_C);
		/* Half-closed: the server still sends data. */
		p = sseg(c, A | P, S0(s) + 350, C0(s) + 171, 100, st,
			ct);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_FIN_WAIT);
		SW_CHECK_EQ(f.srv_ack, C0(s) + 171);
		/* The client's FIN again: nothing moves. */
		p = cseg(c, A | F, C0(s) + 170, V0(s) + 450, 0, ct + 1,
			s->ots + 10);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_FIN_WAIT);
		p = sseg(c, A | F, S0(s) + 450, C0(s) + 171, 0, st + 1,
			ct + 1);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		SW_CHECK(f.flags & SW_FF_FIN_S);
		SW_CHECK_EQ(f.srv_nxt, V0(s) + 451);
		/* An ACK up to the FIN, not of it. */
		p = cseg(c, A, C0(s) + 171, V0(s) + 450, 0, ct + 2,
			s->ots + 11);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		p = cseg(c, A, C0(s) + 171, V0(s) + 451, 0, ct + 3,
			s->ots + 11);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_TIME_WAIT);

		/* Server first; the client's FIN+ACK, then the last ACK. */
		open_mid(&f, s, c);
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 150, 0, st, ct);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_FIN_WAIT);
		SW_CHECK(f.flags & SW_FF_FIN_S);
		SW_CHECK(!(f.flags & SW_FF_FIN_C));
		p = cseg(c, A | F, C0(s) + 150, V0(s) + 351, 0, ct,
			s->ots + 10);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		/* The server's ACK is still due. */
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		/* The server's FIN again, not acknowledging ours. */
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 150, 0, st + 1, ct);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		p = sseg(c, A, S0(s) + 351, C0(s) + 151, 0, st + 2, ct);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_TIME_WAIT);

		/* Simultaneous close: FINs cross, then both ACKs. */
		open_mid(&f, s, c);
		p = sseg(c, A, S0(s) + 350, C0(s) + 150, 0, st, ct);
		sw_px_from_server(&f, &p);	/* all data acknowledged */
		p = cseg(c, A | F, C0(s) + 150, V0(s) + 350, 0, ct,
			s->ots + 10);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 150, 0, st + 1, ct);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		p = sseg(c, A, S0(s) + 351, C0(s) + 151, 0, st + 2, ct);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		/* The client's ACK is still due. */
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		p = cseg(c, A, C0(s) + 151, V0(s) + 351, 0, ct + 1,
			s->ots + 12);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_TIME_WAIT);

		/* A FIN with no ACK bit is not taken (RFC 9293 §3.10.7.4). */
		open_mid(&f, s, c);
		p = cseg(c, F, C0(s) + 150, 0, 0, ct, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
			SW_PX_DROP_STATE);
		SW_CHECK_EQ(f.state, SW_FS_ESTABLISHED);
		SW_CHECK(!(f.flags & SW_FF_FIN_C));
	}
}

/* Closed by FINs: only bare ACKs and FINs still cross (RFC 9293 §3.6). */
static void
test_time_wait(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		struct sw_flow tw, rs, f;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		open_mid(&tw, s, c);
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 150, 0, s->sts + 3,
			s->cts + 3);
		sw_px_from_server(&tw, &p);
		p = cseg(c, A | F, C0(s) + 150, V0(s) + 351, 0, s->cts + 4,
			s->ots + 3);
		sw_px_from_client(&tw, &p, HOLD_MAX);
		p = sseg(c, A, S0(s) + 351, C0(s) + 151, 0, s->sts + 4,
			s->cts + 4);
		sw_px_from_server(&tw, &p);
		SW_CHECK_EQ(tw.state, SW_FS_TIME_WAIT);
		open_mid(&rs, s, c);
		p = seg(R, C0(s) + 100, 0, 0, 0);
		CHECK_V(sw_px_from_client(&rs, &p, HOLD_MAX), SW_PX_RESET);
		SW_CHECK_EQ(rs.state, SW_FS_RESET);

		/* Retransmitted last ACK and FIN: through, both ways. */
		f = tw;
		p = cseg(c, A, C0(s) + 151, V0(s) + 351, 0, s->cts + 5,
			s->ots + 4);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		p = cseg(c, A | F, C0(s) + 150, V0(s) + 351, 0, s->cts + 5,
			s->ots + 4);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 151, 0, s->sts + 5,
			s->cts + 5);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		p = sseg(c, A, S0(s) + 351, C0(s) + 151, 0, s->sts + 5,
			s->cts + 5);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_TIME_WAIT);

		/* Anything else is dropped, state and tracking kept. */
		f = tw;
		{
			const uint8_t fls[] = { A | P, F, R, R | A, S | A, 0 };

			for (unsigned int k = 0; k < 6; k++) {
				uint16_t len = k == 0 ? 10 : 0;

				p = cseg(c, fls[k], C0(s) + 151, V0(s) + 351,
					len, s->cts + 6, s->ots + 4);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_DROP_STATE);
				p = sseg(c, fls[k], S0(s) + 351, C0(s) + 151,
					len, s->sts + 6, s->cts + 6);
				CHECK_V(sw_px_from_server(&f, &p),
					SW_PX_DROP_STATE);
			}
			/* Data with FIN: not bare either. */
			p = cseg(c, A | F, C0(s) + 150, V0(s) + 351, 5,
				s->cts + 6, s->ots + 4);
			CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
				SW_PX_DROP_STATE);
		}
		SW_CHECK(flow_eq(&f, &tw));
		/* A server SYN does not reopen the tuple. */
		p = seg(S, s->sisn + 1000, 0, 1000, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);

		/* RESET by the client: only the server's bare ACK (its
		 * challenge) and the client's RSTs in the window (the answer)
		 * cross; everything else is dropped, both ways. */
		f = rs;
		{
			const uint8_t fls[] = { A, A | P, A | F, F, R, R | A,
				S | A };
			const enum sw_px_verdict from_c[] = { SW_PX_DROP_STATE,
				SW_PX_DROP_STATE, SW_PX_DROP_STATE,
				SW_PX_DROP_STATE, SW_PX_FORWARD, SW_PX_FORWARD,
				SW_PX_DROP_STATE };

			for (unsigned int k = 0; k < 7; k++) {
				p = cseg(c, fls[k], C0(s) + 150, V0(s) + 350,
					0, s->cts + 6, s->ots + 4);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), from_c[k]);
				p = sseg(c, fls[k], S0(s) + 350, C0(s) + 150,
					0, s->sts + 6, s->cts + 6);
				CHECK_V(sw_px_from_server(&f, &p), k <= 1 ?
					SW_PX_FORWARD : SW_PX_DROP_STATE);
				SW_CHECK_EQ(f.state, SW_FS_RESET);
			}
			/* The client's RST far outside: still dropped. */
			p = cseg(c, R, C0(s) + 0x40000000, 0, 0, 0, 0);
			CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
				SW_PX_DROP_RST);
			p = seg(S, s->sisn, 0, 1000, 0);
			CHECK_V(sw_px_from_server(&f, &p),
				SW_PX_DROP_STATE);
		}

		/* A client SYN on a closed tuple starts a new connection. */
		for (unsigned int k = 0; k < 2; k++) {
			const struct sw_flow *base = k ? &rs : &tw;
			const uint32_t seqs[] = { s->cisn, s->cisn + 0x1000000,
				s->cisn - 5 };

			for (unsigned int q = 0; q < 3; q++) {
				f = *base;
				p = seg(S, seqs[q], 0, 1000, 0);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_NEW);
				p = seg(S | SW_TCP_ECE | SW_TCP_CWR, seqs[q], 0,
					1000, 0);
				CHECK_V(sw_px_from_client(&f, &p,
					HOLD_MAX), SW_PX_NEW);
			}
		}
	}
}

/* -------------------------------------------------- forged segments */

/*
 * An ACK beyond what the other side has sent is not taken as its state:
 * it cannot close the flow, nor make a RST at that seq exact.
 */
/*
 * An ACK for data the server never sent is dropped (RFC 9293
 * §3.10.7.4; how optimistic-ACK attacks start), in every state that
 * tracks numbers; what the server did send, in its window or not, may
 * be acknowledged.
 */
static void
test_ack_unsent(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		const uint32_t fwd[] = { 1, 2, 1000, 0x10000, 0x7fffffff };
		struct sw_flow f, g;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		open_mid(&f, s, c);
		for (unsigned int k = 0; k < 5; k++) {
			g = f;
			/* A bare ACK, data and a FIN, each acking beyond. */
			p = cseg(c, A, C0(s) + 150, V0(s) + 350 + fwd[k], 0,
				s->cts + 3, s->ots + 2);
			CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
				SW_PX_DROP_ACK_UNSENT);
			p = cseg(c, A | P, C0(s) + 150, V0(s) + 350 + fwd[k],
				20, s->cts + 3, s->ots + 2);
			CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
				SW_PX_DROP_ACK_UNSENT);
			p = cseg(c, A | F, C0(s) + 150, V0(s) + 350 + fwd[k],
				0, s->cts + 3, s->ots + 2);
			CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
				SW_PX_DROP_ACK_UNSENT);
			SW_CHECK(flow_eq(&f, &g));
		}
		/* Exactly what was sent: fine. */
		p = cseg(c, A, C0(s) + 150, V0(s) + 350, 0, s->cts + 3,
			s->ots + 2);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		/* The server sends beyond the client's window as synwall
		 * sees it: passed on, so the client may acknowledge it. */
		p = sseg(c, A | P, S0(s) + 350 + 0x100000, C0(s) + 150, 100,
			s->sts + 3, s->cts + 3);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		SW_CHECK_EQ(f.srv_max, V0(s) + 350 + 0x100000 + 100);
		SW_CHECK_EQ(f.srv_nxt, V0(s) + 350);	/* RST check: kept */
		p = cseg(c, A, C0(s) + 150, V0(s) + 350 + 0x100000 + 100, 0,
			s->cts + 4, s->ots + 3);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		/* A server FIN counts one: its ACK passes, one more not. */
		open_mid(&f, s, c);
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 150, 0, s->sts + 3,
			s->cts + 3);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		p = cseg(c, A, C0(s) + 150, V0(s) + 352, 0, s->cts + 4,
			s->ots + 3);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX),
			SW_PX_DROP_ACK_UNSENT);
		p = cseg(c, A | F, C0(s) + 150, V0(s) + 351, 0, s->cts + 4,
			s->ots + 3);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
	}
}

/*
 * Data lost behind synwall, then the sender's RST at its SND.NXT:
 * synwall judges it exact and passes it on; the receiver, missing the
 * data, finds it in its window but not exact and sends a challenge ACK
 * (RFC 5961 §3.2). That ACK must reach the sender, whose answering RST
 * (at exactly the challenge's ack) must reach the receiver: else the
 * receiver's connection stays open for ever. Both directions.
 */
static void
test_lost_data_rst(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		struct sw_flow f;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		/* Client side: 40 bytes the server never gets. */
		open_mid(&f, s, c);
		p = cseg(c, A | P, C0(s) + 150, V0(s) + 350, 40, s->cts + 4,
			s->ots + 2);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		p = seg(R, C0(s) + 190, 0, 0, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_RESET);
		SW_CHECK_EQ(f.state, SW_FS_RESET);
		/* The server's challenge ACK: its RCV.NXT is C0 + 150. */
		p = sseg(c, A, S0(s) + 350, C0(s) + 150, 0, s->sts + 3,
			s->cts + 3);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		/* Not its data, nor a FIN: the connection is over. */
		p = sseg(c, A | P, S0(s) + 350, C0(s) + 150, 10, s->sts + 3,
			s->cts + 3);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		/* The client, closed, answers with a RST at that ack. */
		p = seg(R, C0(s) + 150, 0, 0, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		/* But no client data or ACK, and no RST from the server. */
		p = cseg(c, A, C0(s) + 190, V0(s) + 350, 0, s->cts + 5,
			s->ots + 3);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_DROP_STATE);
		p = seg(R, S0(s) + 350, 0, 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		SW_CHECK_EQ(f.state, SW_FS_RESET);

		/* Server side, mirrored: 30 bytes the client never gets. */
		open_mid(&f, s, c);
		p = sseg(c, A | P, S0(s) + 350, C0(s) + 150, 30, s->sts + 3,
			s->cts + 3);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		p = seg(R, S0(s) + 380, 0, 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_RESET);
		SW_CHECK(f.xflags & SW_FX_RST_S);
		p = cseg(c, A, C0(s) + 150, V0(s) + 350, 0, s->cts + 4,
			s->ots + 3);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		p = seg(R, S0(s) + 350, 0, 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		p = seg(R, C0(s) + 150, 0, 0, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_DROP_STATE);

		/* Reset before the server answered: nothing crosses after. */
		open_syn_sent(&f, s, c);
		p = seg(R, C0(s), 0, 0, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_RESET);
		f.held = NULL;
		p = seg(A, s->sisn + 1, C0(s), 1000, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_STATE);
		p = seg(R, C0(s), 0, 0, 0);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_DROP_STATE);
	}
}

/*
 * A probe: the backend SYN asked for SACK and timestamps the client was
 * not promised. A SYN-ACK that agrees restarts the backend handshake
 * (the server would expect SACK blocks or timestamps the client never
 * sends); one that refuses establishes. After sw_px_restart() the SYN
 * offers the client's options only, so the next SYN-ACK establishes
 * whatever it says. A shift offered to a client that does not scale
 * lets the server's windows be rescaled to none.
 */
static void
test_probe_restart(void)
{
	static const struct cfg bare = { false, false, SW_PX_WS_NONE, WS_S };
	const struct scen *s = &scens[0];
	struct sw_cookie_opts co;
	struct sw_flow f;
	struct sw_pkt p, a;

	sw_test_ctx = "probe";
	a = cookie_ack(s, &bare, 0, 0);
	co = cookie_opts(s, &bare);
	co.sack_ok = false;
	sw_px_init(&f, &a, &co, 0, OUR_WIN, SVC);
	/* The client's offers: none of SACK, timestamps, scaling. */
	SW_CHECK_EQ(f.xflags, 0);
	f.held = &dummy_held;
	f.n_held = 1;
	f.xflags |= SW_FX_OFFER_SACK | SW_FX_OFFER_TS | SW_FX_OFFER_WS;
	/* Refused both (synack() of `bare` has SACK-permitted: drop it). */
	p = synack(s, &bare);
	p.opt.present &= (uint16_t)~SW_TCPOPT_F_SACKOK;
	{
		struct sw_flow g = f;

		CHECK_V(sw_px_from_server(&g, &p), SW_PX_ESTABLISH);
		g.held = NULL;
		sw_px_establish(&g, &p);
		/* Scaling on, to a client without: windows rescaled. */
		SW_CHECK_EQ(g.ws_server, WS_S);
		SW_CHECK_EQ(g.ws_client_srv, 0);
	}
	/* Agreed to SACK: restart. */
	p.opt.present |= SW_TCPOPT_F_SACKOK;
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_RESTART);
	SW_CHECK_EQ(f.state, SW_FS_SYN_SENT);
	/* Agreed to timestamps only: restart too. */
	{
		struct sw_flow g = f;
		struct sw_pkt q = seg_ts(S | A, s->sisn, C0(s), SYNACK_WIN, 0,
			s->sts, 0);

		CHECK_V(sw_px_from_server(&g, &q), SW_PX_RESTART);
	}
	sw_px_restart(&f);
	SW_CHECK_EQ(f.xflags & (SW_FX_OFFER_SACK | SW_FX_OFFER_TS), 0);
	SW_CHECK(f.xflags & SW_FX_OFFER_WS);	/* harmless, kept */
	SW_CHECK(f.xflags & SW_FX_RESTARTED);
	/* Whatever the server says now (it was not asked): established. */
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_ESTABLISH);
	/* A late SYN-ACK of a probe (the backend SYN offered no SACK, the
	 * server agrees to it all the same): restarted too, once. */
	sw_px_init(&f, &a, &co, 0, OUR_WIN, SVC);
	f.held = &dummy_held;
	f.n_held = 1;
	SW_CHECK_EQ(f.xflags & SW_FX_OFFER_SACK, 0);
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_RESTART);
	/* Promised SACK, the server refuses: established all the same
	 * (counted by the caller as options_refused). */
	open_syn_sent(&f, s, &full);
	SW_CHECK(f.xflags & SW_FX_OFFER_SACK);
	p = synack(s, &full);
	p.opt.present &= (uint16_t)~SW_TCPOPT_F_SACKOK;
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_ESTABLISH);
}

static void
test_forged_ack(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		const uint32_t fwd[] = { 1, 2, 1000, 0x10000, 0x7fffffff };
		struct sw_flow f, g;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		open_mid(&f, s, c);
		for (unsigned int k = 0; k < 5; k++) {
			p = cseg(c, A, C0(s) + 150, V0(s) + 350 + fwd[k], 0,
				s->cts + 3, s->ots + 2);
			sw_px_from_client(&f, &p, HOLD_MAX);
			SW_CHECK_EQ(f.cli_ack, V0(s) + 300);
			p = sseg(c, A, S0(s) + 350, C0(s) + 150 + fwd[k], 0,
				s->sts + 2, s->cts + 3);
			sw_px_from_server(&f, &p);
			SW_CHECK_EQ(f.srv_ack, C0(s) + 100);
		}
		/* Genuine ACKs move them; older ones do not move them back. */
		p = cseg(c, A, C0(s) + 150, V0(s) + 350, 0, s->cts + 3,
			s->ots + 2);
		sw_px_from_client(&f, &p, HOLD_MAX);
		SW_CHECK_EQ(f.cli_ack, V0(s) + 350);
		p = cseg(c, A, C0(s) + 150, V0(s) + 310, 0, s->cts + 3,
			s->ots + 2);
		sw_px_from_client(&f, &p, HOLD_MAX);
		SW_CHECK_EQ(f.cli_ack, V0(s) + 350);
		p = sseg(c, A, S0(s) + 350, C0(s) + 150, 0, s->sts + 2,
			s->cts + 3);
		sw_px_from_server(&f, &p);
		SW_CHECK_EQ(f.srv_ack, C0(s) + 150);
		p = sseg(c, A, S0(s) + 350, C0(s) + 120, 0, s->sts + 2,
			s->cts + 3);
		sw_px_from_server(&f, &p);
		SW_CHECK_EQ(f.srv_ack, C0(s) + 150);

		/* A RST at a forged ACK value is not exact. */
		open_mid(&f, s, c);
		p = cseg(c, A, C0(s) + 150, V0(s) + 0x40000000u, 0,
			s->cts + 3, s->ots + 2);
		sw_px_from_client(&f, &p, HOLD_MAX);
		g = f;
		p = seg(R, S0(s) + 0x40000000u, 0, 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_RST);
		SW_CHECK(flow_eq(&f, &g));

		/* Both FINs out, the server's acknowledged, the client's not:
		 * a forged server ACK of it does not close the flow. */
		open_mid(&f, s, c);
		p = cseg(c, A | F, C0(s) + 150, V0(s) + 350, 0, s->cts + 4,
			s->ots + 2);
		sw_px_from_client(&f, &p, HOLD_MAX);
		p = sseg(c, A | F, S0(s) + 350, C0(s) + 150, 0, s->sts + 3,
			s->cts + 4);
		sw_px_from_server(&f, &p);
		p = cseg(c, A, C0(s) + 151, V0(s) + 351, 0, s->cts + 5,
			s->ots + 3);
		sw_px_from_client(&f, &p, HOLD_MAX);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		p = sseg(c, A, S0(s) + 351, C0(s) + 152, 0, s->sts + 4,
			s->cts + 5);
		sw_px_from_server(&f, &p);
		SW_CHECK_EQ(f.state, SW_FS_CLOSING);
		p = sseg(c, A, S0(s) + 351, C0(s) + 151, 0, s->sts + 4,
			s->cts + 5);
		sw_px_from_server(&f, &p);
		SW_CHECK_EQ(f.state, SW_FS_TIME_WAIT);
	}
}

/*
 * A segment whose seq is far outside the receiver's window is not
 * acceptable (RFC 9293 §3.10.7.4: the receiver drops it), so it must not
 * move what synwall takes as the sender's SND.NXT: otherwise a blind
 * attacker sends one such segment and then a RST at its end, which
 * would be "exact" (RFC 5961 §3.2 defeated in two packets), and a FIN
 * the endpoint never took half-closes the flow.
 */
static void
test_forged_seq(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		const uint32_t off = 0x40000000;
		struct sw_flow f;
		struct sw_px_seg cs;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		/* From the client's side, at the server. */
		open_mid(&f, s, c);
		p = cseg(c, A | P, C0(s) + off, V0(s) + 350, 10, s->cts + 3,
			s->ots + 2);
		sw_px_from_client(&f, &p, HOLD_MAX);
		p = seg(R, C0(s) + off + 10, 0, 0, 0);
		/* A RST at the forged segment's end. */
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_DROP_RST);
		SW_CHECK_EQ(f.state, SW_FS_ESTABLISHED);
		sw_px_challenge(&f, true, &cs);
		SW_CHECK_EQ(cs.ack, C0(s) + 150);	/* client's SND.NXT */
		open_mid(&f, s, c);
		p = cseg(c, A | F, C0(s) + off, V0(s) + 350, 0, s->cts + 3,
			s->ots + 2);
		sw_px_from_client(&f, &p, HOLD_MAX);
		SW_CHECK_EQ(f.state, SW_FS_ESTABLISHED);

		/* From the server's side, at the client. */
		open_mid(&f, s, c);
		p = sseg(c, A | P, S0(s) + 350 + off, C0(s) + 100, 10,
			s->sts + 2, s->cts + 3);
		sw_px_from_server(&f, &p);
		p = seg(R, S0(s) + 360 + off, 0, 0, 0);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_DROP_RST);
		SW_CHECK_EQ(f.state, SW_FS_ESTABLISHED);
	}
}

/*
 * RFC 7323 §4.3 / §5.3: TS.Recent only moves forward. After a newer
 * segment, an older one (reordered, or retransmitted from before) does
 * not lower it at the peer, so a challenge ACK must carry a TSval at
 * least the newest the peer has seen, or the peer's PAWS check drops it.
 */
static void
test_ts_reorder(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct cfg *c = &full;
		struct sw_flow f;
		struct sw_px_seg cs;
		struct sw_pkt p;

		sw_test_ctx = s->name;
		open_mid(&f, s, c);
		/* Server: TSval sts+2 seen; now a delayed one with sts+1
		 * (its first data segment, retransmitted). */
		p = sseg(c, A | P, S0(s), C0(s) + 100, 300, s->sts + 1,
			s->cts + 1);
		CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
		sw_px_challenge(&f, true, &cs);
		SW_CHECKF(!sw_seq_lt(cs.tsval, s->ots + 2), "tsval 0x%08x < "
			"client's TS.Recent 0x%08x", cs.tsval, s->ots + 2);
		/* Client: cts+3 seen; a delayed one with cts+2. */
		p = cseg(c, A, C0(s) + 100, V0(s) + 300, 0, s->cts + 2,
			s->ots + 1);
		CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
		sw_px_challenge(&f, false, &cs);
		SW_CHECKF(!sw_seq_lt(cs.tsval, s->cts + 3), "tsval 0x%08x < "
			"server's TS.Recent 0x%08x", cs.tsval, s->cts + 3);
	}
}

/*
 * The whole RFC 5961 loop as frames: an in-window RST from a client
 * that really lost the connection gets a challenge ACK (sw_build_ack);
 * the client, having no connection, answers it with a RST
 * (sw_build_rst, RFC 9293 §3.10.7.1: seq = the ACK's ack), which is
 * exact and resets the flow. The same from the server's side.
 */
static void
test_challenge_frames(void)
{
	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];
		const struct sw_vec *v = sw_vec_by_name("hs_a_ack");
		uint8_t buf[256];
		struct sw_flow f;
		struct sw_px_seg cs;
		struct sw_pkt p, q;

		sw_test_ctx = s->name;
		for (unsigned int side = 0; side < 2; side++) {
			const bool to_client = side == 0;
			struct sw_ack_params ap;
			int len;

			open_mid(&f, s, &full);
			memcpy(buf, v->frame, v->len);
			SW_CHECK(sw_parse(&p, buf, v->len) == SW_PARSE_OK);
			p.tcp_flags = R;
			p.seq = to_client ? C0(s) + 120 : S0(s) + 320;
			CHECK_V(to_client ?
				sw_px_from_client(&f, &p, HOLD_MAX) :
				sw_px_from_server(&f, &p), SW_PX_CHALLENGE);
			sw_px_challenge(&f, to_client, &cs);
			ap = (struct sw_ack_params){ .seq = cs.seq,
				.ack = cs.ack, .window = cs.window,
				.ts = cs.ts, .tsval = cs.tsval,
				.tsecr = cs.tsecr, .ttl = 64 };
			len = sw_build_ack(buf, sizeof(buf), &p, &ap);
			SW_CHECK(len > 0);
			SW_CHECK(sw_parse(&q, buf, (uint32_t)len) ==
				SW_PARSE_OK);
			SW_CHECK_EQ(q.tcp_flags, A);
			SW_CHECK_EQ(q.seq, cs.seq);
			SW_CHECK_EQ(q.ack, cs.ack);
			len = sw_build_rst(buf, sizeof(buf), &q, 64, false);
			SW_CHECK(len > 0);
			SW_CHECK(sw_parse(&p, buf, (uint32_t)len) ==
				SW_PARSE_OK);
			SW_CHECK_EQ(p.tcp_flags, R);
			CHECK_V(to_client ?
				sw_px_from_client(&f, &p, HOLD_MAX) :
				sw_px_from_server(&f, &p), SW_PX_RESET);
			SW_CHECK_EQ(f.state, SW_FS_RESET);
		}
	}
}

/* ------------------------------------------------------------ PASS */

/*
 * A connection synwall did not hand off, adopted from the server's
 * segment during a reload's grace period: everything crosses, whatever
 * its numbers (no window is known), a RST closes nothing here, FINs
 * both ways end it in TIME_WAIT, and a client SYN on the tuple starts
 * afresh.
 */
static void
test_pass(void)
{
	struct sw_flow f;
	struct sw_pkt p;

	memset(&f, 0xa5, sizeof(f));
	p = seg(A | P, 5000, 9000, 100, 1000);
	sw_px_adopt(&f, &p, true, SVC);
	SW_CHECK_EQ(f.state, SW_FS_PASS);
	SW_CHECK_EQ(f.svc, SVC);
	SW_CHECK_EQ(f.seq_delta, 0);
	SW_CHECK_EQ(f.ts_delta, 0);
	SW_CHECK(strcmp(sw_fstate_name(SW_FS_PASS), "pass") == 0);
	/* any numbers, both ways, windows unknown */
	p = seg(A, 9000, 6000, 0, 0);
	CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
	p = seg(A | P, 1, 2, 1, 1400);
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
	p = seg(A | P, 0x80000000u, 7, 65535, 1400);
	CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
	/* a RST crosses for the endpoint to judge; the flow stays */
	p = seg(R | A, 123, 456, 0, 0);
	CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
	SW_CHECK_EQ(f.state, SW_FS_PASS);
	/* a SYN-ACK from the server (a handshake begun before) crosses */
	p = seg(S | A, 77, 88, 100, 0);
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
	/* FIN one way: still PASS; the other way: TIME_WAIT */
	p = seg(F | A, 6000, 9000, 100, 0);
	CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
	SW_CHECK_EQ(f.state, SW_FS_PASS);
	p = seg(F | A, 9000, 6001, 100, 0);
	CHECK_V(sw_px_from_server(&f, &p), SW_PX_FORWARD);
	SW_CHECK_EQ(f.state, SW_FS_TIME_WAIT);
	p = seg(A, 6001, 9001, 100, 0);
	CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_FORWARD);
	/* adopted from a FIN; a new SYN on the tuple is a new connection */
	p = seg(F | A, 5000, 9000, 100, 0);
	sw_px_adopt(&f, &p, false, SVC);
	SW_CHECK(f.flags & SW_FF_FIN_C);
	p = seg(S, 42, 0, 100, 0);
	CHECK_V(sw_px_from_client(&f, &p, HOLD_MAX), SW_PX_NEW);
}

/* ---------------------------------------------- PROXY protocol header */

/*
 * A flow whose server stream starts with a PROXY header of HL bytes:
 * the backend SYN's ISN is the client's less HL, so the server's
 * SYN-ACK acknowledges C0 - HL. Until the server acknowledges the
 * header (an ACK at C0 or beyond, up to what the client sent), a
 * resent SYN-ACK asks for the header again (HEADER), an ACK at the
 * header's start forwards with the header again (FORWARD_HEADER);
 * after, the flow is like any other. A flow without one ignores the
 * length.
 */
static void
test_pp_header(void)
{
	static const uint32_t lens[] = { 28, 52, 56, 104 };

	for (unsigned int i = 0; i < N_SCENS; i++) {
		const struct scen *s = &scens[i];

		sw_test_ctx = s->name;
		for (unsigned int l = 0; l < 4; l++) {
			const uint32_t hl = lens[l];
			const uint32_t hs = C0(s) - hl;	/* header's start */
			const enum sw_pp_version ver = l & 1 ? SW_PP_V2 :
				SW_PP_V1;
			struct sw_flow f, g;
			struct sw_pkt p = synack(s, &full);
			struct sw_pkt q;

			open_syn_sent(&f, s, &full);
			sw_px_set_pp(&f, ver);
			SW_CHECK_EQ(sw_px_pp(&f), ver);
			SW_CHECK_EQ(f.srv_ack, C0(s));
			/* SYN_SENT: only the header's start acks our SYN. */
			CHECK_V(sw_px_from_server_pp(&f, &p, hl),
				SW_PX_OLD_ACK);
			q = seg(R | A, 0, C0(s), 0, 0);
			CHECK_V(sw_px_from_server_pp(&f, &q, hl),
				SW_PX_DROP_RST);
			q = seg(R | A, 0, hs, 0, 0);
			g = f;
			CHECK_V(sw_px_from_server_pp(&g, &q, hl),
				SW_PX_BACKEND_RST);
			p.ack = hs;
			CHECK_V(sw_px_from_server_pp(&f, &p, hl),
				SW_PX_ESTABLISH);
			f.held = NULL;
			sw_px_establish(&f, &p);
			SW_CHECK_EQ(f.state, SW_FS_ESTABLISHED);
			/* Client space untouched: the client's ISN + 1. */
			SW_CHECK_EQ(f.srv_ack, C0(s));
			SW_CHECK_EQ(f.cli_nxt, C0(s));
			SW_CHECK_EQ(sw_px_pp(&f), ver);
			/* Our ACK with the header lost: the SYN-ACK again. */
			CHECK_V(sw_px_from_server_pp(&f, &p, hl), SW_PX_HEADER);
			/* An ACK at the header's start: it lacks the header. */
			q = sseg(&full, A, S0(s), hs, 0, s->sts + 1, s->cts);
			CHECK_V(sw_px_from_server_pp(&f, &q, hl),
				SW_PX_FORWARD_HEADER);
			SW_CHECK_EQ(sw_px_pp(&f), ver);
			SW_CHECK_EQ(f.srv_ack, C0(s));
			/* Inside the header (it is one segment: cannot be)
			 * or beyond what the client sent: nothing learned. */
			q.ack = hs + 1;
			CHECK_V(sw_px_from_server_pp(&f, &q, hl), SW_PX_FORWARD);
			q.ack = C0(s) + 1000;
			CHECK_V(sw_px_from_server_pp(&f, &q, hl), SW_PX_FORWARD);
			SW_CHECK_EQ(sw_px_pp(&f), ver);
			SW_CHECK_EQ(f.srv_ack, C0(s));
			/* The client's request crosses unchanged in seq. */
			q = cseg(&full, A | P, C0(s), V0(s), 100, s->cts + 1,
				s->ots);
			CHECK_V(sw_px_from_client(&f, &q, HOLD_MAX),
				SW_PX_FORWARD);
			/* A server that speaks first: its banner acks the
			 * header (C0), the flow is plain from then on. */
			q = sseg(&full, A | P, S0(s), C0(s), 20, s->sts + 2,
				s->cts + 1);
			CHECK_V(sw_px_from_server_pp(&f, &q, hl), SW_PX_FORWARD);
			SW_CHECK_EQ(sw_px_pp(&f), SW_PP_NONE);
			SW_CHECK_EQ(f.srv_nxt, V0(s) + 20);
			CHECK_V(sw_px_from_server_pp(&f, &p, hl),
				SW_PX_CHALLENGE);
			q = sseg(&full, A, S0(s) + 20, hs, 0, s->sts + 3,
				s->cts + 1);
			CHECK_V(sw_px_from_server_pp(&f, &q, hl), SW_PX_FORWARD);
			q.ack = C0(s) + 100;
			CHECK_V(sw_px_from_server_pp(&f, &q, hl), SW_PX_FORWARD);
			SW_CHECK_EQ(f.srv_ack, C0(s) + 100);

			/* Without a header the length means nothing. */
			open_syn_sent(&f, s, &full);
			SW_CHECK_EQ(sw_px_pp(&f), SW_PP_NONE);
			sw_px_set_pp(&f, SW_PP_NONE);
			SW_CHECK_EQ(sw_px_pp(&f), SW_PP_NONE);
			p.ack = C0(s);
			CHECK_V(sw_px_from_server_pp(&f, &p, hl),
				SW_PX_ESTABLISH);
			f.held = NULL;
			sw_px_establish(&f, &p);
			CHECK_V(sw_px_from_server_pp(&f, &p, hl),
				SW_PX_CHALLENGE);
		}
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "init", test_init },
		{ "syn_sent_hold", test_syn_sent_hold },
		{ "syn_sent_server", test_syn_sent_server },
		{ "establish", test_establish },
		{ "rst_window", test_rst_window },
		{ "rst_syn_sent", test_rst_syn_sent },
		{ "rst_window_after_synack", test_rst_window_after_synack },
		{ "challenge", test_challenge },
		{ "challenge_frames", test_challenge_frames },
		{ "syn_live", test_syn_live },
		{ "fin", test_fin },
		{ "time_wait", test_time_wait },
		{ "forged_ack", test_forged_ack },
		{ "ack_unsent: an ACK for data never sent", test_ack_unsent },
		{ "probe: a SYN-ACK agreeing beyond the client restarts",
			test_probe_restart },
		{ "lost data, then the exact RST: challenge and answer cross",
			test_lost_data_rst },
		{ "forged_seq", test_forged_seq },
		{ "ts_reorder", test_ts_reorder },
		{ "pass: adopted at a reload, relayed as it is", test_pass },
		{ "PROXY header: before the client's ISN, resent when lacked",
			test_pp_header },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
