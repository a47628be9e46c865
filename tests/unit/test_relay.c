/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of relay translation (lib/relay): sequence and timestamp
 * offsets across wrap-around, SACK edge shifts, window rescaling, and
 * checksums that stay right after incremental updates. No EAL.
 */
#include <stdint.h>
#include <string.h>

#include "sw_cksum.h"
#include "sw_parse.h"
#include "sw_relay.h"
#include "sw_test.h"
#include "vectors.h"

#define BUF	2048

static void
load(const char *name, uint8_t *buf, struct sw_pkt *p)
{
	const struct sw_vec *v = sw_vec_by_name(name);

	sw_test_ctx = name;
	memcpy(buf, v->frame, v->len);
	SW_CHECK(sw_parse(p, buf, v->len) == SW_PARSE_OK);
}

/* The translated frame parses and its checksums still hold. */
static void
reparse(uint8_t *buf, const struct sw_pkt *old, struct sw_pkt *p)
{
	SW_CHECK(sw_parse(p, buf, old->len) == SW_PARSE_OK);
	SW_CHECK(sw_pkt_l4_cksum_verify(buf, p) == 0);
	if (p->l3 == SW_L3_IPV4)
		SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, p) == 0);
}

static void
test_seq_wrap(void)
{
	static const uint32_t deltas[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678,
	};
	uint8_t buf[BUF];
	struct sw_pkt p, q;

	for (unsigned int i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		struct sw_xlate x = { .seq_delta = deltas[i] };

		/* The seed's B → A ACK: seq 20000 in the server's space. */
		load("hs_b_ack", buf, &p);
		sw_relay_to_client(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.seq, (uint32_t)(p.seq + deltas[i]));
		SW_CHECK_EQ(q.ack, p.ack);	/* client's space: unchanged */

		load("hs_a_data", buf, &p);
		sw_relay_to_server(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.ack, (uint32_t)(p.ack - deltas[i]));
		SW_CHECK_EQ(q.seq, p.seq);
		/* Back again: the two directions are inverses on ack/seq. */
		SW_CHECK_EQ((uint32_t)(q.ack + deltas[i]), p.ack);
	}
}

static void
test_sack(void)
{
	static const char *const names[] = { "sack1", "sack2", "sack3",
		"sack4", "sack3_ts" };
	struct sw_xlate x = { .seq_delta = 0xfffffff0, .ts_delta = 77,
		.ts = true };
	uint8_t buf[BUF];
	struct sw_pkt p, q;

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		load(names[i], buf, &p);
		SW_CHECK(p.opt.n_sack > 0);
		sw_relay_to_server(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.opt.n_sack, p.opt.n_sack);
		for (unsigned int b = 0; b < p.opt.n_sack; b++) {
			SW_CHECK_EQ(q.opt.sack[b][0],
				(uint32_t)(p.opt.sack[b][0] - x.seq_delta));
			SW_CHECK_EQ(q.opt.sack[b][1],
				(uint32_t)(p.opt.sack[b][1] - x.seq_delta));
		}
		if (p.opt.present & SW_TCPOPT_F_TS) {
			SW_CHECK_EQ(q.opt.tsecr, (uint32_t)(p.opt.tsecr - 77));
			SW_CHECK_EQ(q.opt.tsval, p.opt.tsval);
		}
	}
}

/* Two SACK options in one segment: every edge of both is translated. */
static void
test_sack_two_options(void)
{
	struct sw_xlate x = { .seq_delta = 0x80000123 };
	uint8_t buf[BUF];
	struct sw_pkt p, q;

	load("sack_two_opts", buf, &p);
	SW_CHECK_EQ(p.opt.n_sack, 3);
	sw_relay_to_server(buf, &p, &x);
	reparse(buf, &p, &q);
	SW_CHECK_EQ(q.opt.n_sack, 3);
	for (unsigned int b = 0; b < 3; b++) {
		SW_CHECK_EQ(q.opt.sack[b][0],
			(uint32_t)(p.opt.sack[b][0] - x.seq_delta));
		SW_CHECK_EQ(q.opt.sack[b][1],
			(uint32_t)(p.opt.sack[b][1] - x.seq_delta));
	}
}

static void
test_timestamps(void)
{
	static const uint32_t deltas[] = { 1, 0x80000000, 0xffffffff };
	uint8_t buf[BUF];
	struct sw_pkt p, q;

	for (unsigned int i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		struct sw_xlate x = { .ts_delta = deltas[i], .ts = true };

		/* ts_odd puts the timestamp option at an odd offset. */
		load("ts_odd", buf, &p);
		SW_CHECK(p.opt.present & SW_TCPOPT_F_TS);
		sw_relay_to_client(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.opt.tsval, (uint32_t)(p.opt.tsval + deltas[i]));
		SW_CHECK_EQ(q.opt.tsecr, p.opt.tsecr);

		load("ts_odd", buf, &p);
		sw_relay_to_server(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.opt.tsecr, (uint32_t)(p.opt.tsecr - deltas[i]));
		SW_CHECK_EQ(q.opt.tsval, p.opt.tsval);
	}
	/* Without timestamps in use, the option is left alone. */
	{
		struct sw_xlate x = { .ts_delta = 5, .ts = false };

		load("ts_odd", buf, &p);
		sw_relay_to_client(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.opt.tsval, p.opt.tsval);
	}
}

static void
test_window(void)
{
	uint8_t buf[BUF];
	struct sw_pkt p, q;

	/* Bytes are preserved, rounded up to a unit, capped at 65535. */
	SW_CHECK_EQ(sw_relay_window(1000, 7, 7), 1000);
	SW_CHECK_EQ(sw_relay_window(1000, 9, 7), 4000);
	SW_CHECK_EQ(sw_relay_window(1000, 7, 9), 250);
	SW_CHECK_EQ(sw_relay_window(1001, 0, 2), 251);
	SW_CHECK_EQ(sw_relay_window(65535, 14, 0), 65535);
	SW_CHECK_EQ(sw_relay_window(65535, 0, 14), 4);
	/* 1536 bytes at shift 10: two units, room for a full segment (one
	 * unit, 1024 bytes, left a client with MSS 1448 waiting). */
	SW_CHECK_EQ(sw_relay_window(12, 7, 10), 2);
	SW_CHECK_EQ(sw_relay_window(0, 14, 0), 0);
	SW_CHECK_EQ(sw_relay_window(0, 0, 14), 0);
	/* An open window below one unit of the receiver's shift stays
	 * open: a 104-byte window at shift 7 (was 0: the client sat in
	 * persist while the server had room). */
	SW_CHECK_EQ(sw_relay_window(104, 0, 7), 1);
	SW_CHECK_EQ(sw_relay_window(1, 7, 14), 1);
	SW_CHECK_EQ(sw_relay_window(1, 0, 14), 1);
	for (unsigned int from = 0; from <= 14; from++)
		for (unsigned int to = 0; to <= 14; to++)
			for (unsigned int win = 0; win < 70000; win += 997) {
				uint16_t in = win > 0xffff ? 0xffff :
					(uint16_t)win;
				uint64_t bytes = (uint64_t)in << from;
				uint16_t w = sw_relay_window(in, (uint8_t)from,
					(uint8_t)to);

				/* Open stays open, closed stays closed. */
				SW_CHECK((w == 0) == (in == 0));
				/* Within one unit above what the sender
				 * offered, never below (but at the cap). */
				SW_CHECK(w == 0xffff ||
					((uint64_t)w << to >= bytes &&
					((uint64_t)w << to) - bytes <
					(UINT64_C(1) << to)));
			}

	/* In a frame: rescaled when the shifts differ, not otherwise. */
	{
		struct sw_xlate x = { .ws_server = 9, .ws_ours = 7 };

		load("hs_b_ack", buf, &p);
		sw_relay_to_client(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.window, sw_relay_window(p.window, 9, 7));
		x.ws_ours = 9;
		load("hs_b_ack", buf, &p);
		sw_relay_to_client(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.window, p.window);
	}
	/* Client → server: a server that refused scaling reads the client's
	 * windows unscaled, so they are expanded (capped at 65535). */
	{
		struct sw_xlate x = { .ws_client = 7, .ws_client_srv = 0 };

		load("hs_a_data", buf, &p);
		sw_relay_to_server(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.window, sw_relay_window(p.window, 7, 0));
		x.ws_client_srv = 7;
		load("hs_a_data", buf, &p);
		sw_relay_to_server(buf, &p, &x);
		reparse(buf, &p, &q);
		SW_CHECK_EQ(q.window, p.window);
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "seq/ack offsets across wrap-around", test_seq_wrap },
		{ "SACK edges shifted client to server", test_sack },
		{ "every block of two SACK options shifted",
			test_sack_two_options },
		{ "timestamp offsets both ways", test_timestamps },
		{ "window rescaling", test_window },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
