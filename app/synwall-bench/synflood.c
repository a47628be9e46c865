/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synflood: spoofed SYNs to the server, from random addresses of
 * 198.18.0.0/15 and random ports, with the option sets real stacks
 * send. Counts the SYN-ACKs that come back and checks a sample of them
 * against the SYN they answer: Ethernet and IP addresses, ack, flags,
 * options, both checksums, and the cookie itself when synwall runs in
 * this process.
 *
 * Nothing is remembered per SYN: its sequence number, timestamp and
 * option set are functions of its tuple, found again from the SYN-ACK.
 * SWB_FRAMES SYNs are built at the start and sent in turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "sw_cookie.h"
#include "swb.h"

/* Option sets as Linux, Windows, macOS and a bare stack send them. */
struct optset {
	const char *name;
	uint8_t len;
	uint8_t bytes[24];
	uint16_t mss;
	uint8_t wscale;			/* SW_COOKIE_WSCALE_NONE: none */
	bool sack;
	int ts_off;			/* offset of TSval in bytes, or -1 */
};

static const struct optset optsets[] = {
	{ "linux", 20, { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 3, 3, 7 }, 1460, 7, true, 8 },
	{ "windows", 12, { 2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 }, 1460,
		8, true, -1 },
	{ "macos", 24, { 2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 0,
		0, 0, 0, 0, 4, 2, 0, 0 }, 1460, 6, true, 12 },
	{ "bare", 4, { 2, 4, 0x05, 0x78 }, 1400, SW_COOKIE_WSCALE_NONE, false,
		-1 },
};
#define N_OPTSETS	RTE_DIM(optsets)

struct synflood {
	uint64_t sent;
	uint64_t synack;		/* SYN-ACKs back */
	uint64_t checked;
	uint64_t bad;			/* failed a check */
	uint64_t cookie_checked;
	uint64_t other;			/* anything else back (RST, ...) */
	uint64_t inside;		/* reached the server side */
	uint64_t no_mbuf;
	struct swb_frames frames;
};

/* An IPv6 client's address as the 32-bit key the derivations use. */
static inline uint32_t
fold6(const uint8_t a[16])
{
	uint32_t w[4];

	memcpy(w, a, 16);
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

/* What a SYN from this tuple carried: all derived from the tuple. */
static inline uint32_t
syn_seq(uint32_t saddr, uint16_t sport)
{
	return swb_mix32(saddr ^ ((uint32_t)sport << 16 | 0x5a5a));
}

static inline const struct optset *
syn_optset(uint32_t saddr, uint16_t sport)
{
	return &optsets[(saddr ^ sport) % N_OPTSETS];
}

static inline uint32_t
syn_tsval(uint32_t seq)
{
	return swb_mix32(seq + 1);
}

/* SYN i of the pre-built set: a random tuple, its options. */
static struct rte_mbuf *
sf_build(struct swb *b, uint32_t i)
{
	struct swb_seg s = {
		.daddr = b->dst_ip,
		.dport = b->dst_port,
		.flags = SW_TCP_SYN,
		.window = 64240,
	};
	const struct optset *o;
	uint8_t opts[24];
	uint64_t r;

	uint8_t a6[16];

	RTE_SET_USED(i);
	do {	/* .0: a martian to some stacks */
		r = swb_rand(b);
		s.saddr = rte_cpu_to_be_32(SWB_NET | ((uint32_t)r & 0x1ffff));
	} while ((rte_be_to_cpu_32(s.saddr) & 0xff) == 0);
	s.sport = (uint16_t)(1024 + (r >> 17) % 64512);
	if (b->v6) {
		/* The tuple's key below is the address folded to 32 bits. */
		swb_client6(swb_rand(b), a6);
		s.saddr6 = a6;
		s.daddr6 = b->dst_ip6;
		s.saddr = fold6(a6);
	}
	o = syn_optset(s.saddr, s.sport);
	s.seq = syn_seq(s.saddr, s.sport);
	memcpy(opts, o->bytes, o->len);
	if (o->ts_off >= 0) {
		uint32_t tsv = rte_cpu_to_be_32(syn_tsval(s.seq));

		memcpy(opts + o->ts_off, &tsv, 4);
	}
	s.opts = opts;
	s.opts_len = o->len;
	return swb_seg_build(b, SW_OUTSIDE, &s);
}

static int
sf_init(struct swb *b, char *err, size_t len)
{
	struct synflood *sf = calloc(1, sizeof(*sf));

	if (sf == NULL) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	b->state = sf;
	if (swb_frames_init(b, &sf->frames, SWB_FRAMES, sf_build, err,
			len) != 0) {
		free(sf);
		b->state = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* The pre-built SYNs in turn: the generator only copies. */
static uint32_t
sf_generate(struct swb *b, uint32_t budget, uint64_t now)
{
	struct synflood *sf = b->state;
	const uint16_t want = (uint16_t)RTE_MIN(budget, b->burst);
	const uint16_t n = swb_frames_send(b, &sf->frames, SW_OUTSIDE, want);

	RTE_SET_USED(now);
	sf->no_mbuf += want - n;
	sf->sent += n;
	return n;
}

/* Is this SYN-ACK the right answer to the SYN its tuple names? */
static bool
synack_ok(struct swb *b, const struct rte_mbuf *m, const struct sw_pkt *p)
{
	struct synflood *sf = b->state;
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *) + p->l3_off;
	const uint32_t caddr = b->v6 ? fold6(ip + 24) : swb_daddr(m, p);
	const struct optset *o = syn_optset(caddr, p->dst_port);
	const uint32_t seq = syn_seq(caddr, p->dst_port);
	const struct sw_tcp_opts *so = &p->opt;
	const bool ts = o->ts_off >= 0 && (so->present & SW_TCPOPT_F_TS);
	const bool from_server = b->v6 ?
		memcmp(ip + 8, b->dst_ip6, 16) == 0 :
		swb_saddr(m, p) == b->dst_ip;

	if (p->tcp_flags != (SW_TCP_SYN | SW_TCP_ACK) || p->ack != seq + 1 ||
			!from_server ||
			p->src_port != b->dst_port || p->payload_len != 0 ||
			!swb_hop_ok(b, SW_OUTSIDE, m, p, 0))
		return false;
	/* Never an option the client did not offer (RFC 7323 §2.2, §3.2,
	 * RFC 2018 §2); an MSS always. */
	if (!(so->present & SW_TCPOPT_F_MSS) ||
			(so->present & (SW_TCPOPT_F_UNKNOWN |
				SW_TCPOPT_F_FASTOPEN | SW_TCPOPT_F_SACK)) ||
			((so->present & SW_TCPOPT_F_WSCALE) &&
				o->wscale == SW_COOKIE_WSCALE_NONE) ||
			((so->present & SW_TCPOPT_F_SACKOK) && !o->sack) ||
			((so->present & SW_TCPOPT_F_TS) && o->ts_off < 0) ||
			(ts && so->tsecr != syn_tsval(seq)))
		return false;
	if (b->keys != NULL) {
		/* The ACK that would complete this handshake must pass. */
		struct sw_cookie_tuple t = { .family = AF_INET };
		struct sw_cookie_opts co;

		t.saddr[0] = caddr;
		t.daddr[0] = b->dst_ip;
		if (b->v6) {
			t.family = AF_INET6;
			memcpy(t.saddr, ip + 24, 16);
			memcpy(t.daddr, b->dst_ip6, 16);
		}
		t.sport = rte_cpu_to_be_16(p->dst_port);
		t.dport = rte_cpu_to_be_16(b->dst_port);
		sf->cookie_checked++;
		if (sw_cookie_check(b->keys, &t, seq, p->seq, ts,
				syn_tsval(seq) + 1, so->tsval, &co) != SW_COOKIE_OK)
			return false;
		/* What the cookie kept: an MSS the client can take, the
		 * SACK we promised, its window scale when we answered it. */
		if (co.mss > o->mss || co.sack_ok !=
				!!(so->present & SW_TCPOPT_F_SACKOK) ||
				((so->present & SW_TCPOPT_F_WSCALE) &&
					ts && co.wscale != o->wscale))
			return false;
	}
	return true;
}

static void
sf_receive(struct swb *b, enum sw_side side, struct rte_mbuf **pkts,
		uint16_t n, uint64_t now)
{
	struct synflood *sf = b->state;

	RTE_SET_USED(now);
	if (side == SW_INSIDE) {
		sf->inside += n;	/* a spoofed SYN reached the server */
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct sw_pkt p;

		if (!(b->v6 ? swb_parse6(pkts[i], &p) : swb_parse(pkts[i], &p)) ||
				!(p.tcp_flags & SW_TCP_SYN)) {
			sf->other++;
			continue;
		}
		if (sf->synack++ % b->sample == 0) {
			sf->checked++;
			sf->bad += !swb_cksum_ok(pkts[i], &p) ||
				!synack_ok(b, pkts[i], &p);
		}
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
sf_report(struct swb *b, swb_put_fn put, void *arg)
{
	const struct synflood *sf = b->state;

	put(arg, "syn_built", (double)sf->sent, "");
	put(arg, "synack_rx", (double)sf->synack, "");
	put(arg, "synack_checked", (double)sf->checked, "");
	put(arg, "synack_cookie_checked", (double)sf->cookie_checked, "");
	put(arg, "synack_bad", (double)sf->bad, "");
	put(arg, "other_rx", (double)sf->other, "");
	put(arg, "reached_server", (double)sf->inside, "");
}

/* Every SYN synwall took is answered or counted as dropped. */
static int
sf_account(struct swb *b, const struct swb_dut_stats *d, char *why, size_t len)
{
	const struct synflood *sf = b->state;
	const uint64_t taken = b->ps[SW_OUTSIDE].tx;

	if (sf->bad != 0 || sf->inside != 0) {
		snprintf(why, len, "%" PRIu64 " bad SYN-ACKs, %" PRIu64
			" packets reached the server", sf->bad, sf->inside);
		return -1;
	}
	if (d == NULL)
		return 0;
	if (d->rx != taken || taken != sf->synack + sf->other + d->drops +
			d->malformed) {
		snprintf(why, len, "sent %" PRIu64 ", synwall received %" PRIu64
			"; answered %" PRIu64 " + other %" PRIu64 " + dropped %"
			PRIu64 " + malformed %" PRIu64, taken, d->rx, sf->synack,
			sf->other, d->drops, d->malformed);
		return -1;
	}
	return 0;
}

static void
sf_fini(struct swb *b)
{
	struct synflood *sf = b->state;

	swb_frames_free(&sf->frames);
	free(b->state);
	b->state = NULL;
}

const struct swb_engine swb_synflood = {
	.name = "synflood",
	.what = "spoofed SYNs (198.18.0.0/15, or 2001:2::/48 with --ipv6; option mixes); SYN-ACKs checked",
	.init = sf_init,
	.generate = sf_generate,
	.receive = sf_receive,
	.report = sf_report,
	.account = sf_account,
	.fini = sf_fini,
};
