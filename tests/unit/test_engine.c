/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine (lib/engine) without EAL: the component scenarios
 * (tests/component/vectors, made by gen_vectors.py) replayed through
 * sw_engine_process() with a test I/O layer, on a virtual clock. Frames
 * in, frames out byte for byte, counters as S.expect says: the same
 * vectors test_forward runs through the program's workers and net_ring
 * ports, here in milliseconds, with every wait simulated. Covered:
 * classification (pass, drop, fragments, ICMP, martians), the SYN cookie
 * path, the hand-off and relay, first contact, two workers steering
 * flows to their owner, and lb mode: the backend pick (Maglev over the
 * generation lb.c builds), DNAT both ways, ARP and ND, the reverse map,
 * source NAT (nat = snat: local ports, replies steered by their port).
 *
 * usage: test_engine VECTOR_DIR SCENARIO...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "sw_app.h"
#include "sw_config.h"
#include "sw_engine.h"
#include "sw_lb.h"
#include "sw_worker.h"
#include "sw_test.h"

#define HZ		2000000000ull	/* the virtual TSC: 2 GHz */
#define MS		(HZ / 1000)
#define BUFS		4096		/* frame buffers, all engines */
#define BUF_ROOM	2048
#define HEADROOM	128
#define WORKERS_MAX	SCN_QUEUES_MAX
#define OUT_MAX		SCN_FRAMES_MAX
#define INBOX_MAX	1024
#define SETTLE_MS	20	/* as test_forward waits after each inject */

/* A frame buffer: its view, its bytes, how many hold it. */
struct tbuf {
	struct sw_frame f;
	unsigned int refs;
	uint8_t room[HEADROOM + BUF_ROOM];
};

/* One engine's I/O context: which worker, and its inbox. */
struct tio {
	unsigned int id;
	unsigned int n_in;
	struct sw_frame *in[INBOX_MAX];	/* steered to it, not yet run */
};

/* What left each port, in order. */
struct out {
	unsigned int n;
	uint32_t len[OUT_MAX];
	uint8_t *data[OUT_MAX];
};

static struct tbuf *bufs;
static unsigned int bufs_used;
static struct out sent[SW_SIDES];
static struct tio tio[WORKERS_MAX];
static struct sw_engine *eng[WORKERS_MAX];
static void *flow_mem[WORKERS_MAX];
static void *neigh_mem[WORKERS_MAX];
static void *snat_mem[WORKERS_MAX];
static struct sw_lb_bcount *bc[WORKERS_MAX];
static unsigned int n_eng;
static uint64_t now;

static struct tbuf *
buf_of(struct sw_frame *f)
{
	return (struct tbuf *)(void *)f;
}

static void
buf_put(struct sw_frame *f)
{
	struct tbuf *b = buf_of(f);

	SW_CHECKF(b->refs > 0, "%s", "a frame freed twice");
	if (b->refs > 0 && --b->refs == 0)
		bufs_used--;
}

static void
t_tx(void *ctx, enum sw_side side, struct sw_frame **f, uint16_t n)
{
	struct out *o = &sent[side];
	struct sw_port_counters *pc =
		&eng[((const struct tio *)ctx)->id]->c.port[side];

	for (uint16_t i = 0; i < n; i++) {
		pc->tx_pkts++;
		pc->tx_bytes += f[i]->len;
		SW_CHECKF(f[i]->tx <= SW_TX_CSUM6, "tx %u", f[i]->tx);
		if (o->n < OUT_MAX) {
			o->data[o->n] = malloc(f[i]->len);
			if (o->data[o->n] == NULL)
				abort();
			memcpy(o->data[o->n], f[i]->data, f[i]->len);
			o->len[o->n++] = f[i]->len;
		}
		buf_put(f[i]);
	}
}

static void
t_free(void *ctx, struct sw_frame **f, uint16_t n)
{
	(void)ctx;
	for (uint16_t i = 0; i < n; i++)
		buf_put(f[i]);
}

static struct sw_frame *
frame_new(const uint8_t *data, uint32_t len, enum sw_side side)
{
	for (unsigned int i = 0; i < BUFS; i++) {
		struct tbuf *b = &bufs[i];

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

static struct sw_frame *
t_alloc(void *ctx)
{
	struct sw_frame *f = frame_new(NULL, 0, SW_INSIDE);

	(void)ctx;
	if (f != NULL)
		f->tx = SW_TX_PLAIN;
	return f;
}

static bool
t_steer(void *ctx, uint16_t owner, struct sw_frame *f)
{
	struct tio *to = &tio[owner];

	(void)ctx;
	if (owner >= n_eng || to->n_in == INBOX_MAX)
		return false;
	to->in[to->n_in++] = f;
	return true;
}

static void
t_share(void *ctx, struct sw_frame *f)
{
	const struct tio *from = ctx;

	for (unsigned int j = 0; j < n_eng; j++)
		if (j != from->id && tio[j].n_in < INBOX_MAX) {
			buf_of(f)->refs++;
			tio[j].in[tio[j].n_in++] = f;
		}
}

static void
t_answer(void *ctx, uint64_t a)
{
	(void)ctx;
	(void)a;
}

static void
t_notice(void *ctx, enum sw_side side, const char *what)
{
	(void)ctx;
	printf("# notice: %s %s\n", side == SW_OUTSIDE ? "outside" : "inside",
		what);
}

static const struct sw_io_ops t_ops = {
	.tx = t_tx, .free = t_free, .alloc = t_alloc, .steer = t_steer,
	.share = t_share, .answer = t_answer, .notice = t_notice,
};

/* Frames steered between engines, run by their owner, until none. */
static void
run_inboxes(void)
{
	for (bool more = true; more; ) {
		more = false;
		for (unsigned int j = 0; j < n_eng; j++) {
			struct sw_frame *in[INBOX_MAX];
			const unsigned int n = tio[j].n_in;

			if (n == 0)
				continue;
			memcpy(in, tio[j].in, n * sizeof(in[0]));
			tio[j].n_in = 0;
			sw_engine_process_steered(eng[j], in, (uint16_t)n, now);
			more = true;
		}
	}
}

/* Time passes: `ms` milliseconds, every engine polled each one. */
static void
pass_ms(unsigned int ms)
{
	for (unsigned int i = 0; i < ms; i++) {
		now += MS;
		for (unsigned int j = 0; j < n_eng; j++)
			(void)sw_engine_poll(eng[j], now, NULL, 0);
		run_inboxes();
	}
	for (unsigned int j = 0; j < n_eng; j++)
		sw_engine_flush(eng[j]);
}

/* A burst of frames into engine `q` from `side`. */
static void
inject(unsigned int q, enum sw_side side, struct sw_frame **f, unsigned int n)
{
	const uint16_t burst = eng[q]->burst;
	struct sw_port_counters *pc = &eng[q]->c.port[side];

	/* The I/O layer's counters: what came in. */
	for (unsigned int i = 0; i < n; i++) {
		pc->rx_pkts++;
		pc->rx_bytes += f[i]->len;
	}
	for (unsigned int done = 0; done < n; ) {
		const uint16_t k = (uint16_t)SW_MIN(n - done, burst);

		sw_engine_process(eng[q], side, f + done, k, now);
		done += k;
		run_inboxes();
	}
	pass_ms(SETTLE_MS);
}

static void
clear_sent(void)
{
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		for (unsigned int i = 0; i < sent[s].n; i++)
			free(sent[s].data[i]);
		sent[s].n = 0;
	}
}

/* What left `side` must be want[0..n), in order, byte for byte. */
static void
compare(const char *where, enum sw_side side, const uint8_t *const *want,
		const uint32_t *want_len, unsigned int n)
{
	const struct out *o = &sent[side];
	const char *port = side == SW_OUTSIDE ? "outside" : "inside";

	SW_CHECKF(o->n == n, "%s: %u frames left %s, %u expected", where, o->n,
		port, n);
	for (unsigned int i = 0; i < o->n && i < n; i++) {
		uint32_t at = 0;

		while (at < o->len[i] && at < want_len[i] &&
				o->data[i][at] == want[i][at])
			at++;
		SW_CHECKF(o->len[i] == want_len[i] && at == want_len[i],
			"%s: %s frame %u differs at byte %u (len %u, expected %u)",
			where, port, i, at, o->len[i], want_len[i]);
	}
}

static void
sum(struct sw_counters *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int j = 0; j < n_eng; j++) {
		const uint64_t *src = (const uint64_t *)&eng[j]->c;
		uint64_t *dst = (uint64_t *)t;

		for (size_t k = 0; k < sizeof(*t) / sizeof(uint64_t); k++)
			dst[k] += src[k];
	}
}

static void
run_step(const char *scenario, const struct scn_script *sc,
		const struct scn_step *st, const struct scn_frames *fr)
{
	const uint8_t *want[SW_SIDES][SCN_FRAMES_MAX];
	uint32_t want_len[SW_SIDES][SCN_FRAMES_MAX];
	unsigned int n_want[SW_SIDES] = { 0, 0 };
	struct sw_frame *burst[SCN_FRAMES_MAX];
	unsigned int n_burst = 0, q = 0;
	enum sw_side side = SW_OUTSIDE;
	struct sw_counters c;
	char where[160];

	snprintf(where, sizeof(where), "%s: step %s", scenario, st->name);
	clear_sent();
	for (unsigned int i = st->first; i < st->first + st->n_io; i++) {
		const struct scn_io *io = &sc->io[i];

		if (!io->in) {
			want[io->side][n_want[io->side]] = fr->data[io->frame];
			want_len[io->side][n_want[io->side]++] =
				fr->len[io->frame];
			continue;
		}
		/* Frames of one queue go in as a burst; across queues, one
		 * burst is done before the next goes in. */
		if (n_burst != 0 && (io->side != side || io->queue != q)) {
			inject(q, side, burst, n_burst);
			n_burst = 0;
		}
		side = io->side;
		q = io->queue;
		burst[n_burst] = frame_new(fr->data[io->frame],
			fr->len[io->frame], side);
		SW_CHECKF(burst[n_burst] != NULL, "%s: out of buffers", where);
		if (burst[n_burst] != NULL)
			n_burst++;
	}
	if (n_burst != 0)
		inject(q, side, burst, n_burst);
	pass_ms(st->wait_ms);
	for (unsigned int s = 0; s < SW_SIDES; s++)
		compare(where, s, want[s], want_len[s], n_want[s]);
	sum(&c);
	for (unsigned int i = 0; i < st->n_expect; i++)
		SW_CHECKF(scn_check_counter(&c, where, st->expect[i].name,
			st->expect[i].value) == 0, "%s", where);
}

/* The single-step shape: outside frames, then inside frames. */
static void
run_single(const char *dir, const char *scenario)
{
	static const char *const rx[] = { "rx_outside", "rx_inside" };
	static const char *const tx[] = { "tx_outside", "tx_inside" };
	static struct scn_frames in[SW_SIDES], out[SW_SIDES];
	struct sw_frame *f[SCN_FRAMES_MAX];

	clear_sent();
	for (unsigned int s = 0; s < SW_SIDES; s++)
		if (scn_read_pcap(dir, scenario, rx[s], &in[s]) != 0 ||
				scn_read_pcap(dir, scenario, tx[s], &out[s]) != 0)
			exit(1);
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		unsigned int n = 0;

		for (unsigned int i = 0; i < in[s].n; i++) {
			f[n] = frame_new(in[s].data[i], in[s].len[i], s);
			if (f[n] != NULL)
				n++;
		}
		inject(0, s, f, n);
	}
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		compare(scenario, s, (const uint8_t *const *)out[s].data,
			out[s].len, out[s].n);
		scn_free_frames(&in[s]);
		scn_free_frames(&out[s]);
	}
}

/* An engine as app/synwall sets one up, over malloc'd memory. */
static struct sw_engine *
engine_new(const struct sw_config *cfg, unsigned int id, unsigned int n,
		struct sw_cookie_keys *const *keys, struct sw_lb_gen *const *genp,
		const struct sw_lb_slot *slots)
{
	const size_t len = sw_engine_memsize(cfg->flows, cfg->flows6);
	struct sw_engine *e = aligned_alloc(64, (sizeof(*e) + 63) & ~63ul);
	struct sw_engine_params p;
	char err[256];

	sw_worker_params(cfg, (uint16_t)id, (uint16_t)n, &p);
	p.steer = n > 1;
	p.tsc_hz = HZ;
	p.now = now;
	p.io = &t_ops;
	p.io_ctx = &tio[id];
	p.neigh_seed = 1;
	p.flow_mem = aligned_alloc(64, (len + 63) & ~63ul);
	flow_mem[id] = p.flow_mem;
	if (e == NULL || p.flow_mem == NULL)
		abort();
	memset(e, 0, sizeof(*e));
	memset(p.flow_mem, 0, len);
	if (p.lb) {
		p.neigh_mem = neigh_mem[id] =
			calloc(1, sw_engine_neigh_memsize(p.neigh_entries));
		p.bc = bc[id] = calloc(SW_LB_SLOTS, sizeof(*p.bc));
		p.snat_mem = snat_mem[id] = calloc(1, sw_engine_snat_memsize(
			p.snat_lo, p.snat_hi, p.n_workers) + 1);
	}
	tio[id].id = id;
	tio[id].n_in = 0;
	if (sw_engine_init(e, &p, err, sizeof(err)) != 0 ||
			sw_worker_configure(e, cfg, n, HZ, err,
				sizeof(err)) != 0) {
		printf("not ok - engine: %s\n", err);
		exit(1);
	}
	/* What app.c points the engine at: keys, generation, slots; the
	 * ports' MACs are those of net_ring ports (zero). */
	e->genp = (struct sw_lb_gen *const volatile *)genp;
	e->gen = *genp;
	e->svc = &e->gen->svc;
	e->slots = slots;
	e->keys = (struct sw_cookie_keys *const volatile *)keys;
	return e;
}

static void *
t_gen_alloc(size_t len)
{
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

/* lb mode's generations, in malloc'd memory here. */
static const struct sw_lb_alloc t_gen_mem = {
	.alloc = t_gen_alloc,
	.free = free,
};

static void
scenario(const char *dir, const char *name)
{
	static struct scn_script sc;
	static struct scn_frames fr;
	static struct sw_app app;
	static struct sw_lb lb;
	static struct sw_svc_table prev;
	static struct sw_cookie_keys keys;
	struct sw_config *cfg = &app.cfg;
	struct sw_cookie_keys *kp = &keys;
	struct sw_lb_gen *gp;
	uint8_t master[SW_COOKIE_MASTER_LEN];
	char path[512], err[SW_ERR_LEN];
	struct sw_counters c;
	uint64_t slot;
	int scripted;

	sw_test_ctx = name;
	scripted = scn_read_script(dir, name, &sc);
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	err[0] = '\0';
	if (scripted < 0 || sw_config_load(path, cfg, err, sizeof(err)) != 0 ||
			scn_read_keys(dir, name, master, &slot) != 0) {
		SW_CHECKF(0, "%s: vectors: %s", name, err);
		return;
	}
	sw_cookie_keys_fill(master, slot, &keys);
	/* The first generation, as lb.c builds it: the services (and in
	 * lb mode the backends in their slots, Maglev, the reverse map). */
	memset(&lb, 0, sizeof(lb));
	lb.prev = &prev;
	app.lb = &lb;
	sw_lb_slots_init(&app);
	gp = sw_lb_gen_build(&app, &t_gen_mem, err, sizeof(err));
	if (gp == NULL) {
		SW_CHECKF(0, "%s: generation: %s", name, err);
		return;
	}
	now = 1000000 * MS;
	n_eng = sc.workers;
	for (unsigned int j = 0; j < n_eng; j++)
		eng[j] = engine_new(cfg, j, n_eng, &kp, &gp, lb.slot);
	if (scripted == 0) {
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
		if (scn_read_pcap_path(path, &fr) != 0)
			exit(1);
		SW_CHECKF(fr.n == sc.n_io, "%s: %u frames, %u in the steps",
			name, fr.n, sc.n_io);
		for (unsigned int i = 0; i < sc.n_steps; i++)
			run_step(name, &sc, &sc.step[i], &fr);
		scn_free_frames(&fr);
	} else {
		run_single(dir, name);
	}
	sum(&c);
	SW_CHECKF(scn_check_expect(&c, dir, name) == 0, "%s.expect", name);
	for (unsigned int j = 0; j < n_eng; j++)
		sw_engine_release(eng[j]);
	/* Every frame went back: sent, freed, or released by the engine. */
	SW_CHECKF(bufs_used == 0, "%s: %u frames never came back", name,
		bufs_used);
	for (unsigned int j = 0; j < n_eng; j++) {
		free(eng[j]);
		free(flow_mem[j]);
		free(neigh_mem[j]);
		free(snat_mem[j]);
		free(bc[j]);
		neigh_mem[j] = NULL;
		snat_mem[j] = NULL;
		bc[j] = NULL;
	}
	for (unsigned int s = 0; s < SW_SVC_MAX; s++)
		for (unsigned int f = 0; f < 2; f++)
			free(gp->maglev[s][f]);
	free(gp->rev);
	free(gp);
	clear_sent();
	printf("%s - scenario %s\n", sw_test_failures ? "not ok" : "ok", name);
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s VECTOR_DIR SCENARIO...\n", argv[0]);
		return 2;
	}
	bufs = calloc(BUFS, sizeof(*bufs));
	if (bufs == NULL)
		return 1;
	sw_test_name = "engine";
	for (int i = 2; i < argc; i++)
		scenario(argv[1], argv[i]);
	free(bufs);
	printf("# %lu checks, %lu failed\n", sw_test_checks, sw_test_failures);
	return sw_test_failures ? 1 : 0;
}
