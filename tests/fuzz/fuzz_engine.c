/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the engine (lib/engine): what an attacker or a
 * broken peer can send, on either port, at any time, into engines set up
 * as test_engine sets them up from the component vectors (their config,
 * cookie keys and frames, so that valid cookies, handshakes, relayed
 * flows, SNAT, the PROXY header and a cluster peer are reachable).
 *
 * The first input byte picks the scenario; the rest is records:
 *
 *   op & 3 == 0  a raw frame: length (2 bytes, little-endian, at most
 *                1514 and what is left), then its bytes
 *   op & 3 == 1  vector frame `next byte` (modulo their number)
 *   op & 3 == 2  that, one byte changed: index, offset (2 bytes), XOR
 *                mask; a zero mask cuts the frame at the offset instead
 *   op & 3 == 3  time passes: 2^(next byte % 22) ms in 8 polls; or,
 *                with bit 2 set, a cluster message from the peer
 *                (198.51.100.2): op (next byte, 1..5: claim, release,
 *                lookup, sync, hello), about the flow of vector frame
 *                `next byte` as a client sends it; a hello's start id
 *                is that byte
 *
 * Frames go in on side (op >> 2) & 1, queue (op >> 3) & 1 (two-worker
 * scenarios), in bursts of up to 32. What must hold: no crash, no
 * sanitizer report, every frame sent has a valid TX kind and fits its
 * buffer, and after the engines are released every frame came back (no
 * buffer leaks). The engines are set up afresh for every input, so a
 * crash reproduces from its input alone.
 *
 * With SW_FUZZ_ENGINE_SAY set, each input prints its scenario and how
 * far it got (cookies validated, flows made, segments relayed), to see
 * what a corpus reaches: ./fuzz_engine CORPUS_FILES...
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "scenario.h"
#include "sw_app.h"
#include "sw_config.h"
#include "sw_engine.h"
#include "sw_lb.h"
#include "sw_worker.h"

#ifndef SW_FUZZ_VECTORS
#error "SW_FUZZ_VECTORS: the component vectors' directory"
#endif

#define HZ		2000000000ull
#define MS		(HZ / 1000)
#define WORKERS		2
#define BUFS		2048
#define BUF_ROOM	2048
#define HEADROOM	128
#define INBOX_MAX	1024
#define BURST		32
#define FRAME_MAX	1514

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fbuf {
	struct sw_frame f;
	unsigned int refs;
	uint8_t room[HEADROOM + BUF_ROOM];
};

struct fio {
	unsigned int id, n;
	unsigned int n_in;
	struct sw_frame *in[INBOX_MAX];
};

/* A scenario: its config, keys, lb generation and frames. */
struct fscn {
	const char *name;
	bool cluster;			/* give worker 0 a peer */
	struct sw_app app;
	struct sw_lb lb;
	struct sw_svc_table prev;
	struct sw_cookie_keys keys, *kp;
	struct sw_lb_gen *gen;
	struct scn_frames fr;
	unsigned int workers;
};

static struct fscn scn[] = {
	{ .name = "handshake4" }, { .name = "handshake6" },
	{ .name = "relay_edges" }, { .name = "first_contact" },
	{ .name = "proxy_protocol" }, { .name = "icmp" },
	{ .name = "two_workers" }, { .name = "too_big" },
	{ .name = "lb_handshake4" }, { .name = "lb_handshake6" },
	{ .name = "lb_snat4" }, { .name = "lb_snat6" }, { .name = "lb_arp" },
	{ .name = "lb_handshake4", .cluster = true },
};
#define N_SCN	(sizeof(scn) / sizeof(scn[0]))

static struct fbuf *bufs;
static unsigned int bufs_used;
static struct fio fio[WORKERS];
static struct sw_engine *eng[WORKERS];
static void *flow_mem[WORKERS], *neigh_mem[WORKERS], *snat_mem[WORKERS];
static struct sw_lb_bcount *bc[WORKERS];
static size_t flow_len, neigh_len, snat_len;
static unsigned int n_eng;
static uint64_t now;

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_engine: %s\n", what);
	abort();
}

static void
buf_put(struct sw_frame *f)
{
	struct fbuf *b = (struct fbuf *)(void *)f;

	if (b->refs == 0)
		fail("a frame freed twice");
	if (--b->refs == 0)
		bufs_used--;
}

static struct sw_frame *
frame_new(const uint8_t *data, uint32_t len, enum sw_side side)
{
	for (unsigned int i = 0; i < BUFS; i++) {
		struct fbuf *b = &bufs[i];

		if (b->refs != 0)
			continue;
		b->refs = 1;
		bufs_used++;
		memset(&b->f, 0, sizeof(b->f));
		b->f.data = b->room + HEADROOM;
		b->f.cap = BUF_ROOM;
		b->f.len = (uint16_t)len;
		b->f.side = (uint8_t)side;
		b->f.tx = SW_TX_AS_RECEIVED;
		if (len != 0)
			memcpy(b->f.data, data, len);
		return &b->f;
	}
	return NULL;
}

static void
f_tx(void *ctx, enum sw_side side, struct sw_frame **f, uint16_t n)
{
	(void)ctx;
	(void)side;
	for (uint16_t i = 0; i < n; i++) {
		if (f[i]->tx > SW_TX_CSUM6)
			fail("a frame sent with no valid TX kind");
		if (f[i]->len > f[i]->cap || f[i]->len < 14)
			fail("a frame sent longer than its buffer, or shorter than Ethernet");
		buf_put(f[i]);
	}
}

static void
f_free(void *ctx, struct sw_frame **f, uint16_t n)
{
	(void)ctx;
	for (uint16_t i = 0; i < n; i++)
		buf_put(f[i]);
}

static struct sw_frame *
f_alloc(void *ctx)
{
	struct sw_frame *f = frame_new(NULL, 0, SW_INSIDE);

	(void)ctx;
	if (f != NULL)
		f->tx = SW_TX_PLAIN;
	return f;
}

static bool
f_steer(void *ctx, uint16_t owner, struct sw_frame *f)
{
	const struct fio *from = ctx;
	struct fio *to = &fio[owner];

	if (owner >= from->n || to->n_in == INBOX_MAX)
		return false;
	to->in[to->n_in++] = f;
	return true;
}

static void
f_share(void *ctx, struct sw_frame *f)
{
	const struct fio *from = ctx;

	for (unsigned int j = 0; j < from->n; j++)
		if (j != from->id && fio[j].n_in < INBOX_MAX) {
			((struct fbuf *)(void *)f)->refs++;
			fio[j].in[fio[j].n_in++] = f;
		}
}

static void
f_answer(void *ctx, uint64_t a)
{
	(void)ctx;
	(void)a;
}

static void
f_notice(void *ctx, enum sw_side side, const char *what)
{
	(void)ctx;
	(void)side;
	(void)what;
}

static const struct sw_io_ops f_ops = {
	.tx = f_tx, .free = f_free, .alloc = f_alloc, .steer = f_steer,
	.share = f_share, .answer = f_answer, .notice = f_notice,
};

static void
run_inboxes(void)
{
	for (bool more = true; more; ) {
		more = false;
		for (unsigned int j = 0; j < n_eng; j++) {
			struct sw_frame *in[INBOX_MAX];
			const unsigned int n = fio[j].n_in;

			if (n == 0)
				continue;
			memcpy(in, fio[j].in, n * sizeof(in[0]));
			fio[j].n_in = 0;
			sw_engine_process_steered(eng[j], in, (uint16_t)n, now);
			more = true;
		}
	}
}

static void
poll_all(uint64_t step, unsigned int times)
{
	for (unsigned int i = 0; i < times; i++) {
		now += step;
		for (unsigned int j = 0; j < n_eng; j++)
			(void)sw_engine_poll(eng[j], now, NULL, 0);
		run_inboxes();
	}
	for (unsigned int j = 0; j < n_eng; j++)
		sw_engine_flush(eng[j]);
}

static void *
gen_alloc(size_t len)
{
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

static const struct sw_lb_alloc gen_mem = { .alloc = gen_alloc, .free = free };

static void
scn_load(struct fscn *s)
{
	static struct scn_script sc;
	uint8_t master[SW_COOKIE_MASTER_LEN];
	char path[512], err[SW_ERR_LEN] = "";
	uint64_t slot;
	int scripted;

	scripted = scn_read_script(SW_FUZZ_VECTORS, s->name, &sc);
	snprintf(path, sizeof(path), "%s/%s.conf", SW_FUZZ_VECTORS, s->name);
	if (scripted < 0 || sw_config_load(path, &s->app.cfg, err,
			sizeof(err)) != 0 || scn_read_keys(SW_FUZZ_VECTORS,
			s->name, master, &slot) != 0) {
		fprintf(stderr, "fuzz_engine: %s: %s\n", s->name, err);
		exit(1);
	}
	sw_cookie_keys_fill(master, slot, &s->keys);
	s->kp = &s->keys;
	s->lb.prev = &s->prev;
	s->app.lb = &s->lb;
	sw_lb_slots_init(&s->app);
	s->gen = sw_lb_gen_build(&s->app, &gen_mem, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/%s.pcap", SW_FUZZ_VECTORS, s->name);
	if (s->gen == NULL || scripted != 0 ||
			scn_read_pcap_path(path, &s->fr) != 0 || s->fr.n == 0) {
		fprintf(stderr, "fuzz_engine: %s: no generation or frames %s\n",
			s->name, err);
		exit(1);
	}
	s->workers = sc.workers < 1 ? 1 : sc.workers > WORKERS ? WORKERS :
		sc.workers;
	if (s->app.cfg.flows > 1024 || s->app.cfg.flows6 > 1024)
		fail("a scenario with more flows than the harness holds");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bufs = calloc(BUFS, sizeof(*bufs));
	flow_len = sw_engine_memsize(1024, 1024);
	for (unsigned int j = 0; j < WORKERS; j++) {
		eng[j] = aligned_alloc(64, (sizeof(struct sw_engine) + 63) &
			~(size_t)63);
		flow_mem[j] = aligned_alloc(64, (flow_len + 63) & ~(size_t)63);
		bc[j] = calloc(SW_LB_SLOTS, sizeof(*bc[j]));
	}
	for (unsigned int i = 0; i < N_SCN; i++) {
		struct sw_engine_params p;
		size_t n, s;

		scn_load(&scn[i]);
		sw_worker_params(&scn[i].app.cfg, 0, 1, &p);
		n = sw_engine_neigh_memsize(p.neigh_entries);
		s = sw_engine_snat_memsize(p.snat_lo, p.snat_hi, 1);
		neigh_len = n > neigh_len ? n : neigh_len;
		snat_len = s > snat_len ? s : snat_len;
	}
	for (unsigned int j = 0; j < WORKERS; j++) {
		neigh_mem[j] = calloc(1, neigh_len + 1);
		snat_mem[j] = calloc(1, snat_len + 1);
		if (eng[j] == NULL || flow_mem[j] == NULL || bc[j] == NULL ||
				neigh_mem[j] == NULL || snat_mem[j] == NULL)
			fail("out of memory");
	}
	if (bufs == NULL)
		fail("out of memory");
	return 0;
}

/* Fresh engines for scenario s, as app/synwall sets them up. */
static void
engines_up(struct fscn *s)
{
	static const uint8_t peer[4] = { 198, 51, 100, 2 };
	static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };

	now = 1000000 * MS;
	n_eng = s->workers;
	for (unsigned int j = 0; j < n_eng; j++) {
		struct sw_engine *e = eng[j];
		struct sw_engine_params p;
		char err[256];

		sw_worker_params(&s->app.cfg, (uint16_t)j, (uint16_t)n_eng, &p);
		p.steer = n_eng > 1;
		p.tsc_hz = HZ;
		p.now = now;
		p.io = &f_ops;
		p.io_ctx = &fio[j];
		p.neigh_seed = 1;
		p.flow_mem = flow_mem[j];
		memset(e, 0, sizeof(*e));
		memset(flow_mem[j], 0, flow_len);
		if (p.lb) {
			memset(neigh_mem[j], 0, neigh_len + 1);
			memset(snat_mem[j], 0, snat_len + 1);
			memset(bc[j], 0, SW_LB_SLOTS * sizeof(*bc[j]));
			p.neigh_mem = neigh_mem[j];
			p.bc = bc[j];
			p.snat_mem = snat_mem[j];
		}
		fio[j] = (struct fio){ .id = j, .n = n_eng };
		if (sw_engine_init(e, &p, err, sizeof(err)) != 0 ||
				sw_worker_configure(e, &s->app.cfg, n_eng, HZ, err,
					sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_engine: %s: %s\n", s->name, err);
			abort();
		}
		e->genp = (struct sw_lb_gen *const volatile *)&s->gen;
		e->gen = s->gen;
		e->svc = &s->gen->svc;
		e->slots = s->lb.slot;
		e->keys = (struct sw_cookie_keys *const volatile *)&s->kp;
		if (s->cluster) {
			e->n_peers = 1;
			e->peers[0].family = AF_INET;
			memcpy(e->peers[0].addr, peer, 4);
			e->peer_timeout = 500 * MS;
			e->boot_id = 0x5357;
			if (sw_neigh_static(&e->neigh, AF_INET, peer,
					peer_mac) != 0)
				fail("no static neighbour for the peer");
		}
	}
}

/*
 * A control frame from the peer (docs/cluster.md, "The messages"): op
 * 1 + op_b % 5, about the flow of vector frame v as its client sends
 * it (IPv4 TCP: the frame's addresses and ports, in the order of its
 * source; anything else gives zeros), or a hello whose id is v.
 */
static uint32_t
peer_msg(const struct fscn *s, uint8_t op_b, uint8_t v, uint8_t *f)
{
	static const uint8_t peer[4] = { 198, 51, 100, 2 };
	static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };
	const uint8_t *in = s->fr.data[v % s->fr.n];
	const uint8_t op = (uint8_t)(1 + op_b % 5);
	uint8_t *m = f + 14;

	memset(f, 0, 78);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	m[0] = 'S';
	m[1] = 'W';
	m[2] = 1;
	m[3] = op;
	m[4] = 4;
	memcpy(m + 8, peer, 4);
	if (op == 5) {
		m[32 + 7] = v;
	} else if (s->fr.len[v % s->fr.n] >= 54 && in[12] == 0x08 &&
			in[13] == 0x00 && in[23] == 6) {
		memcpy(m + 28, in + 34, 2);	/* client port: the source */
		memcpy(m + 30, in + 36, 2);
		memcpy(m + 32, in + 26, 4);	/* client address */
		memcpy(m + 48, in + 30, 4);
	}
	return 78;
}

static void
say(const struct fscn *s)
{
	static const char *const names[] = { "syncookie.synack_tx",
		"syncookie.cookie_ok", "flow.created", "flow.to_server_pkts",
		"flow.to_client_pkts", "cluster.fwd_tx", "cluster.gone_rst" };

	printf("%s%s:", s->name, s->cluster ? "+peer" : "");
	for (unsigned int k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		uint64_t sum = 0;

		for (unsigned int j = 0; j < n_eng; j++) {
			uint64_t v = 0;

			if (scn_counter(&eng[j]->c, names[k], &v) == 0)
				sum += v;
		}
		printf(" %s %llu", names[k], (unsigned long long)sum);
	}
	printf("\n");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_frame *burst[BURST];
	unsigned int n_burst = 0, b_side = 0, b_q = 0;
	struct fscn *s;
	size_t i = 1;

	if (size < 1)
		return 0;
	s = &scn[data[0] % N_SCN];
	engines_up(s);
	while (i < size) {
		const uint8_t op = data[i++];
		const unsigned int side = (op >> 2) & 1;
		const unsigned int q = ((op >> 3) & 1) % n_eng;
		uint8_t frame[FRAME_MAX];
		uint32_t len = 0;

		if ((op & 3) == 3) {
			if (n_burst != 0) {
				sw_engine_process(eng[b_q], (enum sw_side)b_side,
					burst, (uint16_t)n_burst, now);
				n_burst = 0;
				run_inboxes();
			}
			if ((op & 4) != 0) {
				if (i + 2 > size)
					break;
				len = peer_msg(s, data[i], data[i + 1], frame);
				i += 2;
				burst[0] = frame_new(frame, len, SW_INSIDE);
				if (burst[0] != NULL) {
					sw_engine_process(eng[0], SW_INSIDE, burst,
						1, now);
					run_inboxes();
				}
				continue;
			}
			if (i >= size)
				break;
			poll_all((uint64_t)(1u << (data[i++] % 22)) * MS / 8 + 1,
				8);
			continue;
		}
		if ((op & 3) == 0) {
			if (i + 2 > size)
				break;
			len = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8;
			i += 2;
			if (len > FRAME_MAX)
				len = FRAME_MAX;
			if (len > size - i)
				len = (uint32_t)(size - i);
			memcpy(frame, data + i, len);
			i += len;
		} else {
			const unsigned int v = i < size ? data[i++] % s->fr.n : 0;

			len = s->fr.len[v] > FRAME_MAX ? FRAME_MAX : s->fr.len[v];
			memcpy(frame, s->fr.data[v], len);
			if ((op & 3) == 2 && i + 3 <= size && len != 0) {
				const uint32_t off = ((uint32_t)data[i] |
					(uint32_t)data[i + 1] << 8) % len;

				if (data[i + 2] == 0)
					len = off;
				else
					frame[off] ^= data[i + 2];
				i += 3;
			}
		}
		if (n_burst != 0 && (side != b_side || q != b_q ||
				n_burst == BURST)) {
			sw_engine_process(eng[b_q], (enum sw_side)b_side, burst,
				(uint16_t)n_burst, now);
			n_burst = 0;
			run_inboxes();
		}
		b_side = side;
		b_q = q;
		if ((burst[n_burst] = frame_new(frame, len,
				(enum sw_side)side)) != NULL)
			n_burst++;
	}
	if (n_burst != 0) {
		sw_engine_process(eng[b_q], (enum sw_side)b_side, burst,
			(uint16_t)n_burst, now);
		run_inboxes();
	}
	poll_all(MS, 2);
	if (getenv("SW_FUZZ_ENGINE_SAY") != NULL)
		say(s);
	for (unsigned int j = 0; j < n_eng; j++)
		sw_engine_release(eng[j]);
	for (unsigned int j = 0; j < n_eng; j++)
		while (fio[j].n_in != 0)
			buf_put(fio[j].in[--fio[j].n_in]);
	if (bufs_used != 0) {
		fprintf(stderr, "fuzz_engine: %s: %u frames never came back\n",
			s->name, bufs_used);
		abort();
	}
	return 0;
}
