/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine_cycles: the engine's own cost per packet, on one core, without
 * EAL, rings or a generator: a burst of pre-built frames is copied into
 * frame buffers (untimed), then sw_engine_process() runs on it between
 * two TSC reads. Each figure is the minimum and the median over the
 * bursts, per packet: the minimum is what the code costs when the
 * machine leaves it alone, which a shared VM rarely does for a whole
 * run. Stages are timed the same way, each alone over the same frames:
 * parse, checksum verification, the cookie MAC, the SYN-ACK build.
 *
 * Then lb mode's relay, each direction alone, with destination NAT and
 * with source NAT (nat = snat) over the same flows: the flows are made
 * in the tables directly (as a handshake would leave them), the segments
 * are data of those flows, replayed.
 *
 * The lb cluster's costs (docs/cluster.md) are timed on an lb engine with
 * one peer: a peer's claim taken (a foreign entry made or refreshed), a
 * segment of a peer's flow sent on to it, a claim built and sent, and a
 * segment with no flow asked about (a lookup).
 *
 * usage: engine_cycles [--bursts N] [--mac scalar|avx2|avx512] [--check]
 *   --check: exit 1 unless every SYN got a SYN-ACK, every forged ACK
 *   was dropped as a bad cookie, and in the cluster every claim made an
 *   entry and every segment of a peer's flow went to it, and every lb
 *   segment was relayed (the unit suite runs it so, briefly; no figure
 *   is ever asserted).
 *
 * Addresses: clients 198.18.0.0/15 (RFC 2544) and 2001:2::/48 (RFC 5180),
 * the server 192.0.2.80 and 2001:db8::80 (documentation prefixes).
 * Nothing is sent anywhere.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sw_app.h"
#include "sw_cksum.h"
#include "sw_config.h"
#include "sw_cookie.h"
#include "sw_engine.h"
#include "sw_engine_inl.h"
#include "sw_lb.h"
#include "sw_parse.h"
#include "sw_worker.h"
#include "sw_build.h"

#define BURST		32
#define SETS		64		/* bursts of distinct frames */
#define FRAME_ROOM	256
#define HEADROOM	64

static inline uint64_t
tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
#endif
}

/* The frames of one run: SETS bursts of templates, and their buffers. */
struct buf {
	struct sw_frame f;
	uint8_t room[HEADROOM + FRAME_ROOM];
};

static uint8_t tmpl[SETS * BURST][FRAME_ROOM];
static uint16_t tmpl_len[SETS * BURST];
static struct buf bufs[BURST];
/* Frames the engine builds (the cluster's messages): a ring, reused
 * once sent (the TX here only counts). */
#define SPARES		256
static struct buf spares[SPARES];
static unsigned int spare_at;
static uint64_t n_tx, n_free;
static void *flow_mem;
/* lb mode's engine memory. */
static void *neigh_mem, *snat_mem;
static struct sw_lb_bcount *bcount;

static void
io_tx(void *ctx, enum sw_side side, struct sw_frame **f, uint16_t n)
{
	(void)ctx;
	(void)side;
	(void)f;
	n_tx += n;
}

static void
io_free(void *ctx, struct sw_frame **f, uint16_t n)
{
	(void)ctx;
	(void)f;
	n_free += n;
}

static struct sw_frame *
io_alloc(void *ctx)
{
	struct buf *b = &spares[spare_at++ % SPARES];

	(void)ctx;
	memset(&b->f, 0, sizeof(b->f));
	b->f.data = b->room + HEADROOM;
	b->f.cap = FRAME_ROOM;
	return &b->f;
}

static bool
io_steer(void *ctx, uint16_t owner, struct sw_frame *f)
{
	(void)ctx;
	(void)owner;
	(void)f;
	return false;
}

static void
io_share(void *ctx, struct sw_frame *f)
{
	(void)ctx;
	(void)f;
}

static void
io_answer(void *ctx, uint64_t a)
{
	(void)ctx;
	(void)a;
}

static void
io_notice(void *ctx, enum sw_side side, const char *what)
{
	(void)ctx;
	(void)side;
	(void)what;
}

static const struct sw_io_ops ops = {
	.tx = io_tx, .free = io_free, .alloc = io_alloc, .steer = io_steer,
	.share = io_share, .answer = io_answer, .notice = io_notice,
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

/* Option sets of real stacks' SYNs: Linux, Windows, macOS, bare. */
static const struct {
	uint8_t len;
	uint8_t b[24];
	int ts_off;
} optsets[] = {
	{ 20, { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3,
		3, 7 }, 8 - 2 },
	{ 12, { 2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 }, -1 },
	{ 24, { 2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0,
		0, 4, 2, 0, 0 }, 12 - 2 },
	{ 4, { 2, 4, 0x05, 0x78 }, -1 },
};

/*
 * A TCP segment from a random client of 198.18.0.0/15 (or 2001:2::/48,
 * RFC 5180's benchmarking prefix) to the server's port 80, checksums
 * set.
 */
static uint16_t
make_tcp(uint8_t *f, bool v6, uint8_t flags, const uint8_t *opts,
		uint8_t olen)
{
	const uint64_t r = rnd(), r2 = rnd();
	const uint32_t l3 = 14, ihl = v6 ? 40 : 20, thl = 20u + olen;
	const uint32_t len = l3 + ihl + thl;
	uint8_t *ip = f + l3, *t = f + l3 + ihl;
	struct sw_pkt p;

	memset(f, 0, len);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (!v6) {
		sw_cksum_wr16(f + 12, 0x0800);
		ip[0] = 0x45;
		sw_cksum_wr16(ip + 2, (uint16_t)(ihl + thl));
		sw_cksum_wr16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		sw_cksum_wr32(ip + 12, 0xc6120000u | ((uint32_t)r & 0x1fffe) |
			1);
		sw_cksum_wr32(ip + 16, 0xc0000250u);	/* 192.0.2.80 */
	} else {
		sw_cksum_wr16(f + 12, 0x86dd);
		ip[0] = 0x60;
		sw_cksum_wr16(ip + 4, (uint16_t)thl);
		ip[6] = 6;
		ip[7] = 64;
		sw_cksum_wr32(ip + 8, 0x20010002u);	/* 2001:2::/48 */
		sw_cksum_wr32(ip + 16, (uint32_t)r);
		sw_cksum_wr32(ip + 20, (uint32_t)(r >> 32) | 1);
		sw_cksum_wr32(ip + 24, 0x20010db8u);
		ip[39] = 0x80;				/* 2001:db8::80 */
	}
	sw_cksum_wr16(t, (uint16_t)(1024 + (r >> 40) % 60000));
	sw_cksum_wr16(t + 2, 80);
	sw_cksum_wr32(t + 4, (uint32_t)r2);
	sw_cksum_wr32(t + 8, flags & SW_TCP_SYN ? 0 : (uint32_t)(r2 >> 32));
	t[12] = (uint8_t)(thl / 4) << 4;
	t[13] = flags;
	sw_cksum_wr16(t + 14, 64240);
	memcpy(t + 20, opts, olen);
	if (sw_parse(&p, f, len) != SW_PARSE_OK ||
			sw_pkt_cksum_set(f, &p) != 0) {
		fprintf(stderr, "engine_cycles: could not build a frame\n");
		exit(2);
	}
	return (uint16_t)len;
}

static void
make_syns(bool v6)
{
	for (unsigned int i = 0; i < SETS * BURST; i++) {
		const unsigned int k = (unsigned int)(rnd() % SW_DIM(optsets));
		uint8_t o[24];

		memcpy(o, optsets[k].b, optsets[k].len);
		if (optsets[k].ts_off >= 0)
			sw_cksum_wr32(o + optsets[k].ts_off + 2,
				(uint32_t)rnd());
		tmpl_len[i] = make_tcp(tmpl[i], v6, SW_TCP_SYN, o,
			optsets[k].len);
	}
}

static void
make_acks(bool v6)
{
	for (unsigned int i = 0; i < SETS * BURST; i++) {
		uint8_t ts[12] = { 1, 1, 8, 10 };
		const bool with_ts = rnd() & 1;

		sw_cksum_wr32(ts + 4, (uint32_t)rnd());
		sw_cksum_wr32(ts + 8, (uint32_t)rnd());
		tmpl_len[i] = make_tcp(tmpl[i], v6, SW_TCP_ACK, ts,
			with_ts ? 12 : 0);
	}
}

/* Burst `set` of the templates into the buffers: the untimed part. */
static void
load(unsigned int set, struct sw_frame **f)
{
	for (unsigned int i = 0; i < BURST; i++) {
		struct buf *b = &bufs[i];
		const unsigned int k = set * BURST + i;

		memset(&b->f, 0, sizeof(b->f));
		b->f.data = b->room + HEADROOM;
		b->f.cap = FRAME_ROOM;
		b->f.len = tmpl_len[k];
		b->f.tx = SW_TX_AS_RECEIVED;
		memcpy(b->f.data, tmpl[k], tmpl_len[k]);
		f[i] = &b->f;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Per-burst samples to min and median cycles per packet. */
static void
report(const char *name, uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(v[0]), cmp_u64);
	printf("%-22s min %6.1f  median %6.1f cycles/pkt\n", name,
		(double)v[0] / BURST, (double)v[n / 2] / BURST);
}

/* lb.c's generations want zeroed memory, as rte_zmalloc gives. */
static void *
zalloc(size_t len)
{
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

static struct sw_engine *
engine(struct sw_app *app, struct sw_cookie_keys **kp, struct sw_lb_gen **gp)
{
	static struct sw_lb lb;
	static struct sw_svc_table prev;
	static const struct sw_lb_alloc mem = { .alloc = zalloc, .free = free };
	const struct sw_config *cfg = &app->cfg;
	const size_t len = sw_engine_memsize(cfg->flows, cfg->flows6);
	struct sw_engine *e = aligned_alloc(64, (sizeof(*e) + 63) & ~63ul);
	struct sw_engine_params p;
	char err[SW_ERR_LEN];

	memset(&lb, 0, sizeof(lb));
	lb.prev = &prev;
	app->lb = &lb;
	sw_lb_slots_init(app);
	*gp = sw_lb_gen_build(app, &mem, err, sizeof(err));
	sw_worker_params(cfg, 0, 1, &p);
	p.tsc_hz = 2000000000ull;
	p.now = tsc();
	p.io = &ops;
	p.io_ctx = NULL;
	p.flow_mem = flow_mem = aligned_alloc(64, (len + 63) & ~63ul);
	if (*gp == NULL || e == NULL || p.flow_mem == NULL) {
		fprintf(stderr, "engine_cycles: set-up: %s\n", err);
		exit(2);
	}
	memset(e, 0, sizeof(*e));
	memset(p.flow_mem, 0, len);
	if (p.lb) {
		p.neigh_mem = neigh_mem =
			calloc(1, sw_engine_neigh_memsize(p.neigh_entries));
		p.bc = bcount = calloc(SW_LB_SLOTS, sizeof(*p.bc));
		p.snat_mem = snat_mem = calloc(1, sw_engine_snat_memsize(
			p.snat_lo, p.snat_hi, 1));
	}
	if (sw_engine_init(e, &p, err, sizeof(err)) != 0 ||
			sw_worker_configure(e, cfg, 1, p.tsc_hz, err,
				sizeof(err)) != 0) {
		fprintf(stderr, "engine_cycles: engine: %s\n", err);
		exit(2);
	}
	e->genp = (struct sw_lb_gen *const volatile *)gp;
	e->gen = *gp;
	e->svc = &e->gen->svc;
	e->slots = lb.slot;
	e->keys = (struct sw_cookie_keys *const volatile *)kp;
	return e;
}

/* The whole engine on each burst, from `side`. */
static void
run_side(struct sw_engine *e, enum sw_side side, const char *name,
		unsigned int bursts, uint64_t *v)
{
	struct sw_frame *f[BURST];

	for (unsigned int i = 0; i < bursts; i++) {
		uint64_t t0;

		load(i % SETS, f);
		t0 = tsc();
		sw_engine_process(e, side, f, BURST, t0);
		sw_engine_flush(e);
		v[i] = tsc() - t0;
	}
	report(name, v, bursts);
}

static void
run_engine(struct sw_engine *e, const char *name, unsigned int bursts,
		uint64_t *v)
{
	run_side(e, SW_OUTSIDE, name, bursts, v);
}

/* A stage of the SYN path over one burst; returns something to keep. */
typedef uint32_t (*stage_fn)(struct sw_frame **f, struct sw_pkt *p,
		const struct sw_cookie_keys *k);

static uint32_t
st_parse(struct sw_frame **f, struct sw_pkt *p, const struct sw_cookie_keys *k)
{
	uint32_t r = 0;

	(void)k;
	for (unsigned int j = 0; j < BURST; j++)
		r += sw_parse(&p[j], f[j]->data, f[j]->len);
	return r;
}

static uint32_t
st_cksums(struct sw_frame **f, struct sw_pkt *p, const struct sw_cookie_keys *k)
{
	uint32_t r = 0;

	(void)k;
	for (unsigned int j = 0; j < BURST; j++)
		r += sw_pkt_tcp_cksums_verify(f[j]->data, &p[j]);
	return r;
}

/* As the engine makes a burst's cookies: prep each, one MAC call, finish. */
static uint32_t
st_cookie(struct sw_frame **f, struct sw_pkt *p, const struct sw_cookie_keys *k)
{
	static const struct sw_cookie_opts co = {
		.mss = 1460, .wscale = 7, .sack_ok = true, .ts = true,
	};
	struct sw_cookie_mac_in in[BURST];
	uint32_t clear[BURST], r = 0, tsval;
	uint64_t mac[BURST];

	for (unsigned int j = 0; j < BURST; j++) {
		const uint8_t *ip = f[j]->data + p[j].l3_off;
		struct sw_cookie_tuple t = { .family = AF_INET };

		memcpy(t.saddr, ip + 12, 4);
		memcpy(t.daddr, ip + 16, 4);
		memcpy(&t.sport, f[j]->data + p[j].l4_off, 2);
		memcpy(&t.dport, f[j]->data + p[j].l4_off + 2, 2);
		clear[j] = sw_cookie_make_prep(k, &t, p[j].seq, &co, &in[j]);
	}
	sw_cookie_mac_burst(in, mac, BURST);
	for (unsigned int j = 0; j < BURST; j++)
		r += sw_cookie_make_finish(clear[j], &co, mac[j], &tsval);
	return r;
}

static uint32_t
st_build(struct sw_frame **f, struct sw_pkt *p, const struct sw_cookie_keys *k)
{
	static const struct sw_synack_params sp = {
		.isn = 1, .tsval = 2, .mss = 1460, .wscale = 7,
		.sack_ok = true, .ts = true, .window = 65535, .ttl = 64,
	};
	uint32_t r = 0;

	(void)k;
	for (unsigned int j = 0; j < BURST; j++)
		r += (uint32_t)sw_build_synack(f[j]->data, f[j]->cap, &p[j],
			&sp);
	return r;
}

/* The SYN path's stages, each alone over the same SYNs (IPv4). */
static void
run_stages(const struct sw_cookie_keys *k, unsigned int bursts, uint64_t *v)
{
	static const struct {
		const char *name;
		stage_fn fn;
		bool parsed;		/* the burst parsed first, untimed */
	} stages[] = {
		{ "  parse", st_parse, false },
		{ "  checksums verified", st_cksums, true },
		{ "  cookie", st_cookie, true },
		{ "  SYN-ACK build", st_build, true },
	};
	static struct sw_pkt p[BURST];
	struct sw_frame *f[BURST];
	volatile uint32_t sink = 0;

	for (size_t s = 0; s < SW_DIM(stages); s++) {
		for (unsigned int i = 0; i < bursts; i++) {
			uint64_t t0;

			load(i % SETS, f);
			if (stages[s].parsed)
				(void)st_parse(f, p, k);
			t0 = tsc();
			sink += stages[s].fn(f, p, k);
			v[i] = tsc() - t0;
		}
		report(stages[s].name, v, bursts);
	}
	(void)sink;
}

/* ---- lb mode's relay: destination NAT against source NAT ---- */

#define LB_FLOWS	32768
#define LB_PAYLOAD	64

/* A TCP/IPv4 segment with timestamps and `payload` bytes, sums set. */
static uint16_t
make_seg4(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport,
		uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
		uint32_t tsval, uint32_t tsecr, uint16_t payload, bool syn_opts)
{
	static const uint8_t synack_opts[20] = {
		2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 3, 3, 7,
	};
	const uint32_t l3 = 14, olen = syn_opts ? 20 : 12;
	const uint32_t thl = 20 + olen, len = l3 + 20 + thl + payload;
	uint8_t *ip = f + l3, *t = ip + 20, *o = t + 20;
	struct sw_pkt p;

	memset(f, 0, len);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	sw_cksum_wr16(f + 12, 0x0800);
	ip[0] = 0x45;
	sw_cksum_wr16(ip + 2, (uint16_t)(20 + thl + payload));
	sw_cksum_wr16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	sw_cksum_wr32(ip + 12, src);
	sw_cksum_wr32(ip + 16, dst);
	sw_cksum_wr16(t, sport);
	sw_cksum_wr16(t + 2, dport);
	sw_cksum_wr32(t + 4, seq);
	sw_cksum_wr32(t + 8, ack);
	t[12] = (uint8_t)(thl / 4) << 4;
	t[13] = flags;
	sw_cksum_wr16(t + 14, 1024);
	if (syn_opts) {
		memcpy(o, synack_opts, sizeof(synack_opts));
		sw_cksum_wr32(o + 6, tsval);
		sw_cksum_wr32(o + 10, tsecr);
	} else {
		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		sw_cksum_wr32(o + 4, tsval);
		sw_cksum_wr32(o + 8, tsecr);
	}
	for (uint32_t i = 0; i < payload; i++)
		o[olen + i] = (uint8_t)(i * 7);
	if (sw_parse(&p, f, len) != SW_PARSE_OK ||
			sw_pkt_cksum_set(f, &p) != 0) {
		fprintf(stderr, "engine_cycles: could not build a segment\n");
		exit(2);
	}
	return (uint16_t)len;
}

#define LB_VIP		0xcb00710au	/* 203.0.113.10 */
#define LB_BACKEND	0xc633640bu	/* 198.51.100.11 */
#define LB_INSIDE	0xc6336401u	/* 198.51.100.1: the snat_address */
#define LB_CPORT	40000

/* Flow i's numbers: client 198.18.0.0/15, ISNs, clocks. */
static uint32_t lb_client(uint32_t i) { return 0xc6120001u + i; }
static uint32_t lb_c_isn(uint32_t i) { return i * 2654435761u; }
static uint32_t lb_cookie(uint32_t i) { return i * 40503u + 7; }
static uint32_t lb_s_isn(uint32_t i) { return ~(i * 2246822519u); }
static uint16_t lb_lport[LB_FLOWS];	/* nat = snat: the flow's port */

/*
 * LB_FLOWS established flows through the VIP to the one backend, as a
 * handshake leaves them (sw_px_init on the third ACK, sw_px_establish
 * on the backend's SYN-ACK), made in the tables directly; with `snat`
 * each takes a local port as sw_flow_create() gives one.
 */
static void
lb_flows(struct sw_engine *e, bool snat)
{
	static const struct sw_cookie_opts co = {
		.mss = 1460, .wscale = 7, .sack_ok = true, .ts = true,
	};
	uint8_t f[FRAME_ROOM];
	const uint64_t tick = e->now / e->tick_tsc;

	for (uint32_t i = 0; i < LB_FLOWS; i++) {
		struct sw_fkey4 k = { 0 };
		struct sw_fentry4 *en;
		struct sw_pkt ack, sa;
		uint16_t len;
		int64_t id;

		sw_cksum_wr32(&k.caddr, lb_client(i));
		sw_cksum_wr32(&k.saddr, LB_VIP);
		sw_cksum_wr16(&k.cport, LB_CPORT);
		sw_cksum_wr16(&k.sport, 80);
		id = sw_ft_insert(&e->ft4, &k, sw_ft_hash(&e->ft4, &k));
		if (id < 0) {
			fprintf(stderr, "engine_cycles: lb flow %u: %d\n", i,
				(int)id);
			exit(2);
		}
		en = sw_ft_entry(&e->ft4, (uint32_t)id);
		len = make_seg4(f, lb_client(i), LB_VIP, LB_CPORT, 80,
			SW_TCP_ACK, lb_c_isn(i) + 1, lb_cookie(i) + 1, 1000 + i,
			5000 + i, 0, false);
		(void)sw_parse(&ack, f, len);
		sw_px_init(&en->f, &ack, &co, 7, 65535, 0);
		len = make_seg4(f, LB_BACKEND, lb_client(i), 80, LB_CPORT,
			SW_TCP_SYN | SW_TCP_ACK, lb_s_isn(i), lb_c_isn(i) + 1,
			9000 + i, 1000 + i, 0, true);
		(void)sw_parse(&sa, f, len);
		sw_px_establish(&en->f, &sa);
		en->backend = 0;
		en->lport = snat ? sw_snat_get(&e->snat, (uint32_t)id) : 0;
		lb_lport[i] = en->lport;
		sw_tw_arm(&e->tw, (uint32_t)id, tick + 600000);
	}
}

/* Data of flow (set * BURST + j) % LB_FLOWS, one direction. */
static void
lb_make_data(bool to_server, bool snat)
{
	for (unsigned int n = 0; n < SETS * BURST; n++) {
		const uint32_t i = (uint32_t)((n * 40503u) % LB_FLOWS);

		if (to_server)
			tmpl_len[n] = make_seg4(tmpl[n], lb_client(i), LB_VIP,
				LB_CPORT, 80, SW_TCP_ACK | SW_TCP_PSH,
				lb_c_isn(i) + 1, lb_cookie(i) + 1, 1001 + i,
				5000 + i, LB_PAYLOAD, false);
		else
			tmpl_len[n] = make_seg4(tmpl[n], LB_BACKEND,
				snat ? LB_INSIDE : lb_client(i), 80,
				snat ? lb_lport[i] : LB_CPORT,
				SW_TCP_ACK | SW_TCP_PSH, lb_s_isn(i) + 1,
				lb_c_isn(i) + 1, 9001 + i, 1000 + i,
				LB_PAYLOAD, false);
	}
}

static void
run_engine_side(struct sw_engine *e, enum sw_side side, const char *name,
		unsigned int bursts, uint64_t *v)
{
	struct sw_frame *f[BURST];

	for (unsigned int i = 0; i < bursts; i++) {
		uint64_t t0;

		load(i % SETS, f);
		t0 = tsc();
		sw_engine_process(e, side, f, BURST, t0);
		sw_engine_flush(e);
		v[i] = tsc() - t0;
	}
	report(name, v, bursts);
}

static const char lb_relay_conf_text[] =
	"[synwall]\nmode = lb\nstats_interval = 0\n"
	"[worker]\nflows = 65536\nflows6 = 4096\n"
	"[flow]\nestablished_timeout = 3600\n"
	"[lb]\noutside_address = 203.0.113.1/24\n"
	"outside_gateway = 203.0.113.254\n"
	"inside_address = 198.51.100.1/24\n"
	"neighbours = 203.0.113.254 02:00:00:00:00:fe, "
	"198.51.100.11 02:00:00:00:00:11\n"
	"health_interval_ms = 0\npassive_fall = 0\n"
	"[service:web]\nprefix = 203.0.113.10\nports = 80\n"
	"first_contact = trust\nbackends = 198.51.100.11\nnat = %s\n";

/*
 * The templates (IPv4 segments from clients) turned into a peer's
 * claims of their flows, as cluster.c writes them; `keys` gets each
 * flow's key.
 */
static void
make_claims(struct sw_fkey4 *keys)
{
	for (unsigned int i = 0; i < SETS * BURST; i++) {
		const uint8_t *ip = tmpl[i] + 14, *t = tmpl[i] + 34;
		uint8_t *c = tmpl[i], *b = c + 14;

		memcpy(&keys[i].caddr, ip + 12, 4);
		memcpy(&keys[i].saddr, ip + 16, 4);
		memcpy(&keys[i].cport, t, 2);
		memcpy(&keys[i].sport, t + 2, 2);
		memset(c, 0, 78);
		memcpy(c, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x88\xb5", 14);
		memcpy(b, "SW\x01\x01\x04", 5);
		memcpy(b + 8, "\xc6\x33\x64\x02", 4);	/* 198.51.100.2 */
		memcpy(b + 28, &keys[i].cport, 2);
		memcpy(b + 30, &keys[i].sport, 2);
		memcpy(b + 32, &keys[i].caddr, 4);
		memcpy(b + 48, &keys[i].saddr, 4);
		tmpl_len[i] = 78;
	}
}

/* Claims of BURST flows built and sent (to one peer), timed alone. */
static void
run_claims_out(struct sw_engine *e, const struct sw_fkey4 *keys,
		unsigned int bursts, uint64_t *v)
{
	for (unsigned int i = 0; i < bursts; i++) {
		const struct sw_fkey4 *k = &keys[(i % SETS) * BURST];
		uint64_t t0 = tsc();

		e->now = t0;
		for (unsigned int j = 0; j < BURST; j++)
			sw_cluster_tell(e, SW_CLUSTER_CLAIM, false, &k[j],
				SW_CLUSTER_ALL);
		sw_engine_flush(e);
		v[i] = tsc() - t0;
	}
	report("claim built, sent", v, bursts);
}

/* lb mode, one peer: the cluster's costs (docs/cluster.md). */
static const char lb_conf_text[] =
	"[synwall]\nmode = lb\nstats_interval = 0\n"
	"[worker]\nflows = 65536\nflows6 = 4096\n"
	"[syncookie]\nreflect_rate = 0\nreflect_total = 0\n"
	"[lb]\noutside_address = 203.0.113.1/24\n"
	"outside_gateway = 203.0.113.254\n"
	"inside_address = 198.51.100.1/24\n"
	"neighbours = 198.51.100.2 02:00:00:00:00:02, "
	"198.51.100.11 02:00:00:00:00:11\n"
	"health_interval_ms = 0\npassive_fall = 0\n"
	"[cluster]\npeers = 198.51.100.2\nlookup_rate = 10000000\n"
	"[service:web]\nprefix = 192.0.2.80\nports = 80\n"
	"backends = 198.51.100.11\n";

static int
load_conf(const char *text, size_t len, struct sw_config *cfg)
{
	char path[] = "/tmp/engine_cycles.XXXXXX", err[SW_ERR_LEN];
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror("engine_cycles: config");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (sw_config_load(path, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "engine_cycles: config: %s\n", err);
		unlink(path);
		return -1;
	}
	unlink(path);
	return 0;
}

static void
free_engine(struct sw_engine *e, struct sw_lb_gen *gp)
{
	sw_engine_release(e);
	free(e);
	free(flow_mem);
	free(neigh_mem);
	free(snat_mem);
	free(bcount);
	flow_mem = neigh_mem = snat_mem = NULL;
	bcount = NULL;
	for (unsigned int s = 0; s < SW_SVC_MAX; s++)
		for (unsigned int f = 0; f < 2; f++)
			free(gp->maglev[s][f]);
	free(gp->rev);
	free(gp);
}

/*
 * lb relay, both directions, nat = dnat then nat = snat: returns false
 * when a segment was not relayed (--check).
 */
static bool
run_lb(struct sw_cookie_keys **kp, unsigned int bursts, uint64_t *v)
{
	bool ok = true;

	for (int snat = 0; snat < 2; snat++) {
		static struct sw_app app;
		char text[1024], name[48];
		struct sw_lb_gen *gp;
		struct sw_engine *e;
		uint64_t tx0;

		memset(&app, 0, sizeof(app));
		snprintf(text, sizeof(text), lb_relay_conf_text,
			snat ? "snat" : "dnat");
		if (load_conf(text, strlen(text), &app.cfg) != 0)
			exit(2);
		e = engine(&app, kp, &gp);
		e->gen = *e->genp;
		e->svc = &e->gen->svc;
		lb_flows(e, snat);
		lb_make_data(true, snat);
		tx0 = e->c.flow.to_server_pkts;
		snprintf(name, sizeof(name), "lb to backend, %s",
			snat ? "snat" : "dnat");
		run_engine_side(e, SW_OUTSIDE, name, bursts, v);
		ok &= e->c.flow.to_server_pkts - tx0 == (uint64_t)bursts * BURST;
		lb_make_data(false, snat);
		tx0 = e->c.flow.to_client_pkts;
		snprintf(name, sizeof(name), "lb to client, %s",
			snat ? "snat" : "dnat");
		run_engine_side(e, SW_INSIDE, name, bursts, v);
		ok &= e->c.flow.to_client_pkts - tx0 == (uint64_t)bursts * BURST;
		free_engine(e, gp);
	}
	return ok;
}

/* The cluster's figures; false when --check finds a count wrong. */
static bool
run_cluster(struct sw_cookie_keys **kp, unsigned int bursts, uint64_t *v)
{
	static struct sw_app app;
	static struct sw_fkey4 keys[SETS * BURST];
	const uint64_t n = (uint64_t)bursts * BURST;
	struct sw_lb_gen *gp;
	struct sw_engine *e;
	uint64_t seed;
	bool ok;

	if (load_conf(lb_conf_text, sizeof(lb_conf_text) - 1, &app.cfg) != 0)
		exit(2);
	e = engine(&app, kp, &gp);
	n_tx = n_free = 0;
	seed = rng;
	make_acks(false);
	make_claims(keys);
	run_side(e, SW_INSIDE, "claim in (foreign)", bursts, v);
	ok = e->c.cluster.claim_rx == n &&
		e->c.cluster.foreign == SETS * BURST && n_free == n;
	/* The same flows: make_acks() draws them from the same seed. */
	rng = seed;
	make_acks(false);
	run_engine(e, "segment -> owner", bursts, v);
	ok = ok && e->c.cluster.fwd_tx == n && n_tx == n;
	run_claims_out(e, keys, bursts, v);
	ok = ok && e->c.cluster.claim_tx == n && n_tx == 2 * n;
	make_acks(false);	/* other flows: the draws go on */
	run_engine(e, "no flow -> lookup", bursts, v);
	ok = ok && e->c.cluster.lookup_tx == n &&
		e->c.drop[SW_DROP_LOOKUP] == n;
	free_engine(e, gp);
	return ok;
}

static const char conf_text[] =
	"[synwall]\nunprotected = pass\nstats_interval = 0\n"
	"[worker]\nflows = 65536\nflows6 = 4096\n"
	"[syncookie]\nreflect_rate = 0\nreflect_total = 0\n"
	"[service:web]\nprefix = 192.0.2.80/32, 2001:db8::80/128\n"
	"ports = 80\nfirst_contact = trust\n";

int
main(int argc, char **argv)
{
	static struct sw_app app;
	static struct sw_cookie_keys keys;
	struct sw_cookie_keys *kp = &keys;
	struct sw_lb_gen *gp;
	uint8_t master[SW_COOKIE_MASTER_LEN];
	unsigned int bursts = 20000;
	bool check = false;
	struct sw_engine *e;
	uint64_t *v;
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bursts") == 0 && i + 1 < argc)
			bursts = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--check") == 0)
			check = true;
		else if (strcmp(argv[i], "--mac") == 0 && i + 1 < argc) {
			const char *m = argv[++i];
			int k = strcmp(m, "scalar") == 0 ? SW_COOKIE_MAC_SCALAR :
				strcmp(m, "avx2") == 0 ? SW_COOKIE_MAC_AVX2 :
				strcmp(m, "avx512") == 0 ? SW_COOKIE_MAC_AVX512 :
				-1;

			if (k < 0 || !sw_cookie_mac_impl_set(
					(enum sw_cookie_mac_impl)k)) {
				fprintf(stderr, "engine_cycles: --mac %s: not on this CPU\n",
					m);
				return 2;
			}
		}
		else {
			fprintf(stderr, "usage: %s [--bursts N] [--mac scalar|avx2|avx512] [--check]\n",
				argv[0]);
			return 2;
		}
	}
	if (bursts < SETS)
		bursts = SETS;
	if (load_conf(conf_text, sizeof(conf_text) - 1, &app.cfg) != 0)
		return 2;
	memset(master, 0x5a, sizeof(master));
	sw_cookie_keys_fill(master, 1000, &keys);
	v = calloc(bursts, sizeof(*v));
	if (v == NULL)
		return 2;
	e = engine(&app, &kp, &gp);
	printf("engine_cycles: %u bursts of %u, one core, TSC cycles per packet, cookie MAC %s\n",
		bursts, BURST, sw_cookie_mac_impl_name(sw_cookie_mac_impl()));

	make_syns(false);
	run_engine(e, "SYN -> SYN-ACK (IPv4)", bursts, v);
	bad |= check && e->c.sc.synack_tx != (uint64_t)bursts * BURST;
	run_stages(&keys, bursts, v);
	make_syns(true);
	run_engine(e, "SYN -> SYN-ACK (IPv6)", bursts, v);
	/* Counted, and handed to TX: the I/O layer saw every one. */
	bad |= check && (e->c.sc.synack_tx != 2ull * bursts * BURST ||
		n_tx != 2ull * bursts * BURST || n_free != 0);
	make_acks(false);
	run_engine(e, "forged ACK (IPv4)", bursts, v);
	bad |= check && (e->c.drop[SW_DROP_COOKIE_BAD] != (uint64_t)bursts *
		BURST || n_free != (uint64_t)bursts * BURST ||
		n_tx != 2ull * bursts * BURST);
	if (check)
		printf("%s - every SYN answered (%" PRIu64 "), every forged ACK dropped (%" PRIu64 ")\n",
			bad ? "not ok" : "ok", e->c.sc.synack_tx,
			e->c.drop[SW_DROP_COOKIE_BAD]);
	free_engine(e, gp);
	if (!run_lb(&kp, bursts, v) && check) {
		printf("not ok - lb: a data segment was not relayed\n");
		bad = 1;
	} else if (check) {
		printf("ok - lb: every data segment relayed, both NATs\n");
	}
	printf("lb cluster, one peer:\n");
	if (!run_cluster(&kp, bursts, v) && check) {
		printf("not ok - cluster: a claim, a forwarded segment or a lookup went uncounted\n");
		bad = 1;
	} else if (check) {
		printf("ok - cluster: every claim, forwarded segment and lookup counted\n");
	}
	free(v);
	return bad;
}
