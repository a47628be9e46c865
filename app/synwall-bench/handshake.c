/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handshake: whole proxied connections, one after another, `concurrency`
 * at a time: the client's SYN, synwall's cookie SYN-ACK, the third ACK
 * with a request, synwall's SYN to the server, the server's SYN-ACK, the
 * request released, the answer with the server's FIN, the client's FIN,
 * the last ACK. Measures connections per second, synwall's cycles per
 * connection, and setup latency (SYN → answer) percentiles.
 *
 * With --flows N, N connections are opened first and kept open, so the
 * handshakes run against a flow table holding N flows.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_mbuf.h>

#include "conns.h"

struct handshake {
	struct swb_conns cs;
	uint64_t other;			/* not IPv4 TCP */
	uint64_t completed_at[2];	/* at the window's start and end */
};

static int
hs_init(struct swb *b, char *err, size_t len)
{
	struct handshake *h = calloc(1, sizeof(*h));

	b->state = h;
	if (h == NULL || swb_conns_init(&h->cs, (uint64_t)b->flows +
			b->concurrency, b->concurrency, b->k_base,
			b->k_base + b->flows, b->payload,
			(uint16_t)(b->payload * 4), b->hz) != 0) {
		snprintf(err, len, "out of memory for %u + %u connections",
			b->flows, b->concurrency);
		return -ENOMEM;
	}
	return 0;
}

static bool
hs_measuring(struct swb *b)
{
	const struct handshake *h = b->state;

	return h->cs.k_tail >= b->k_base + b->flows;
}

static uint32_t
hs_generate(struct swb *b, uint32_t budget, uint64_t now)
{
	struct handshake *h = b->state;

	/* First the flows kept open, then the handshakes. */
	const uint64_t open_end = b->k_base + b->flows;

	/* Here too: with nothing coming back, receive never runs. */
	swb_conns_expire(&h->cs, now);
	return swb_conns_start(b, &h->cs, budget,
		h->cs.k_next < open_end ? open_end : UINT64_MAX, now);
}

static void
hs_receive(struct swb *b, enum sw_side side, struct rte_mbuf **pkts,
		uint16_t n, uint64_t now)
{
	struct handshake *h = b->state;

	for (uint16_t i = 0; i < n; i++) {
		struct sw_pkt p;

		if (!swb_parse(pkts[i], &p))
			h->other++;
		else if (!swb_conns_rx(b, &h->cs, side, pkts[i], &p, now))
			h->cs.stray++;	/* data on an open flow: not ours */
	}
	rte_pktmbuf_free_bulk(pkts, n);
	swb_conns_flush(b, &h->cs);
	swb_conns_expire(&h->cs, now);
}

static void
hs_window(struct swb *b, bool start)
{
	struct handshake *h = b->state;

	h->completed_at[!start] = h->cs.completed;
}

static void
hs_report(struct swb *b, swb_put_fn put, void *arg)
{
	struct handshake *h = b->state;
	const struct swb_conns *cs = &h->cs;
	const uint64_t done = h->completed_at[1] - h->completed_at[0];

	put(arg, "flows_open", (double)RTE_MIN(cs->opened, (uint64_t)b->flows),
		"");
	put(arg, "conn_started", (double)(cs->started -
		RTE_MIN(cs->started, (uint64_t)b->flows)), "");
	put(arg, "conn_completed", (double)cs->completed, "");
	if (b->measured_seconds > 0)
		put(arg, "conn_per_s", done / b->measured_seconds, "/s");
	if (done != 0 && b->dut_delta.busy_cycles != 0)
		put(arg, "cycles_per_conn",
			(double)b->dut_delta.busy_cycles / done, "cycles");
	put(arg, "setup_p50", swb_lat_pct(&h->cs.lat_setup, 50), "us");
	put(arg, "setup_p99", swb_lat_pct(&h->cs.lat_setup, 99), "us");
	put(arg, "setup_p999", swb_lat_pct(&h->cs.lat_setup, 99.9), "us");
	put(arg, "conn_p99", swb_lat_pct(&h->cs.lat_done, 99), "us");
	put(arg, "timeouts", (double)cs->timeouts, "");
	put(arg, "rst_rx", (double)cs->rst, "");
	put(arg, "backend_syn_retx", (double)cs->syn_retx, "");
	put(arg, "stray_rx", (double)cs->stray, "");
	put(arg, "bad", (double)cs->bad, "");
	put(arg, "other_rx", (double)h->other, "");
}

static int
hs_account(struct swb *b, const struct swb_dut_stats *d, char *why,
		size_t len)
{
	const struct handshake *h = b->state;
	const struct swb_conns *cs = &h->cs;

	RTE_SET_USED(d);
	if (cs->bad != 0 || cs->stray != 0 || cs->rst != 0 ||
			cs->timeouts != 0 || h->other != 0 ||
			cs->completed + b->flows != cs->started ||
			cs->opened != cs->started) {
		snprintf(why, len, "started %" PRIu64 ", opened %" PRIu64
			", completed %" PRIu64 " (+%u kept open); bad %" PRIu64
			", stray %" PRIu64 ", rst %" PRIu64 ", timeouts %" PRIu64,
			cs->started, cs->opened, cs->completed, b->flows,
			cs->bad, cs->stray, cs->rst, cs->timeouts);
		return -1;
	}
	return 0;
}

static void
hs_fini(struct swb *b)
{
	struct handshake *h = b->state;

	if (h != NULL)
		swb_conns_free(&h->cs);
	free(h);
	b->state = NULL;
}

const struct swb_engine swb_handshake = {
	.name = "handshake",
	.what = "whole proxied connections (request, answer, FINs): conn/s, cycles/conn, latency",
	.needs_synwall = true,
	.init = hs_init,
	.measuring = hs_measuring,
	.window = hs_window,
	.generate = hs_generate,
	.receive = hs_receive,
	.report = hs_report,
	.account = hs_account,
	.fini = hs_fini,
};
