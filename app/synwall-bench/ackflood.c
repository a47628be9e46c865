/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ackflood: ACKs with forged cookies, the flood that tries to open
 * connections without a handshake (or to guess a cookie). Random
 * sources in 198.18.0.0/15, random seq and ack; half carry timestamps.
 * SWB_FRAMES of them are built at the start and sent in turn.
 * Every one must die in synwall: counted as dropped, or answered with a
 * RST when [syncookie] rst_on_bad asks for that, never passed inside.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "swb.h"

struct ackflood {
	uint64_t sent;
	uint64_t rst;			/* RSTs back (rst_on_bad) */
	uint64_t other;
	uint64_t inside;		/* reached the server (guessed cookies) */
	uint64_t no_mbuf;
	struct swb_frames frames;
};

/* ACK i of the pre-built set: random tuple, seq, ack; half with TS. */
static struct rte_mbuf *
af_build(struct swb *b, uint32_t i)
{
	uint64_t r = swb_rand(b), r2 = swb_rand(b);
	uint8_t ts[SWB_OPT_TS_LEN];
	struct swb_seg s = {
		.saddr = rte_cpu_to_be_32(SWB_NET | 1 |
			((uint32_t)r & 0x1fffe)),
		.daddr = b->dst_ip,
		.sport = (uint16_t)(1024 + (r >> 17) % 64512),
		.dport = b->dst_port,
		.seq = (uint32_t)r2,
		.ack = (uint32_t)(r2 >> 32),
		.flags = SW_TCP_ACK,
		.window = 502,
	};

	RTE_SET_USED(i);
	if (r & (UINT64_C(1) << 63)) {
		swb_opt_ts(ts, (uint32_t)(r >> 20), (uint32_t)r2 ^
			(uint32_t)r);
		s.opts = ts;
		s.opts_len = sizeof(ts);
	}
	return swb_seg_build(b, SW_OUTSIDE, &s);
}

static int
af_init(struct swb *b, char *err, size_t len)
{
	struct ackflood *af = calloc(1, sizeof(*af));

	if (af == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	b->state = af;
	if (swb_frames_init(b, &af->frames, SWB_FRAMES, af_build, err,
			len) != 0) {
		free(af);
		b->state = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The pre-built ACKs in turn: the generator only copies. */
static uint32_t
af_generate(struct swb *b, uint32_t budget, uint64_t now)
{
	struct ackflood *af = b->state;
	const uint16_t want = (uint16_t)RTE_MIN(budget, b->burst);
	const uint16_t n = swb_frames_send(b, &af->frames, SW_OUTSIDE, want);

	RTE_SET_USED(now);
	af->no_mbuf += want - n;
	af->sent += n;
	return n;
}

static void
af_receive(struct swb *b, enum sw_side side, struct rte_mbuf **pkts,
		uint16_t n, uint64_t now)
{
	struct ackflood *af = b->state;

	RTE_SET_USED(now);
	if (side == SW_INSIDE) {
		af->inside += n;
	} else {
		for (uint16_t i = 0; i < n; i++) {
			struct sw_pkt p;

			if (swb_parse(pkts[i], &p) &&
					(p.tcp_flags & SW_TCP_RST))
				af->rst++;
			else
				af->other++;
		}
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
af_report(struct swb *b, swb_put_fn put, void *arg)
{
	const struct ackflood *af = b->state;
	struct swb_dut_stats d;

	put(arg, "ack_built", (double)af->sent, "");
	put(arg, "rst_rx", (double)af->rst, "");
	put(arg, "other_rx", (double)af->other, "");
	put(arg, "reached_server", (double)af->inside, "");
	if (swb_dut_read(b, &d))
		put(arg, "cookie_guessed", (double)d.cookie_ok, "");
}

/*
 * Every forged ACK dies in synwall. A random one passes with odds of
 * at most 2^-24 (2^-32 with timestamps, docs/cookies.md): over tens of
 * millions a few may, and then synwall opens a server connection like
 * for any client. More than the odds allow is a failure.
 */
static int
af_account(struct swb *b, const struct swb_dut_stats *d, char *why, size_t len)
{
	const struct ackflood *af = b->state;
	const uint64_t taken = b->ps[SW_OUTSIDE].tx;
	const uint64_t allowed = 8 + 4 * (taken >> 24);

	if (af->other != 0) {
		snprintf(why, len, "%" PRIu64 " unexpected answers", af->other);
		return -1;
	}
	if (d == NULL)
		return 0;
	if (d->cookie_ok > allowed || af->inside != d->originated) {
		snprintf(why, len, "%" PRIu64 " forged ACKs passed as cookies (%"
			PRIu64 " allowed by the odds), %" PRIu64
			" packets reached the server for %" PRIu64
			" backend SYNs", d->cookie_ok, allowed, af->inside,
			d->originated);
		return -1;
	}
	/* Where each went (dropped, RST, held) main's check has seen. */
	return 0;
}

static void
af_fini(struct swb *b)
{
	struct ackflood *af = b->state;

	swb_frames_free(&af->frames);
	free(b->state);
	b->state = NULL;
}

const struct swb_engine swb_ackflood = {
	.name = "ackflood",
	.what = "ACKs with forged cookies; every one must be dropped (or RST)",
	.init = af_init,
	.generate = af_generate,
	.receive = af_receive,
	.report = af_report,
	.account = af_account,
	.fini = af_fini,
};
