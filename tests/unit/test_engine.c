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
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "engine_io.h"
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
#define OUT_MAX		SCN_FRAMES_MAX
#define SETTLE_MS	20	/* as test_forward waits after each inject */

/* What left each port, in order. */
struct out {
	unsigned int n;
	uint32_t len[OUT_MAX];
	uint8_t *data[OUT_MAX];
};

static struct out sent[SW_SIDES];
static uint64_t now;

/* A frame an engine sent: kept for the comparisons. */
static void
t_sent(unsigned int slot, enum sw_side side, const struct sw_frame *f)
{
	struct out *o = &sent[side];

	(void)slot;
	if (o->n < OUT_MAX) {
		o->data[o->n] = malloc(f->len);
		if (o->data[o->n] == NULL)
			abort();
		memcpy(o->data[o->n], f->data, f->len);
		o->len[o->n++] = f->len;
	}
}

static void
t_fail(const char *what)
{
	SW_CHECKF(0, "%s", what);
}

/* Time passes: `ms` milliseconds, every engine polled each one. */
static void
pass_ms(unsigned int ms)
{
	eio_pass(&now, MS, ms);
}

/* A burst of frames into engine `q` from `side`. */
static void
inject(unsigned int q, enum sw_side side, struct sw_frame **f, unsigned int n)
{
	const uint16_t burst = eio_eng[q]->burst;
	struct sw_port_counters *pc = &eio_eng[q]->c.port[side];

	/* The I/O layer's counters: what came in. */
	for (unsigned int i = 0; i < n; i++) {
		pc->rx_pkts++;
		pc->rx_bytes += f[i]->len;
	}
	for (unsigned int done = 0; done < n; ) {
		const uint16_t k = (uint16_t)SW_MIN(n - done, burst);

		sw_engine_process(eio_eng[q], side, f + done, k, now);
		done += k;
		eio_run_inboxes(now);
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
	for (unsigned int j = 0; j < eio_n; j++) {
		const uint64_t *src = (const uint64_t *)&eio_eng[j]->c;
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
		burst[n_burst] = eio_frame(fr->data[io->frame],
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
			f[n] = eio_frame(in[s].data[i], in[s].len[i], s);
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

/* An engine as app/synwall sets one up, in slot `slot` (engine_io.h):
 * worker `id` of `n` of the node whose first slot is `base`. */
static struct sw_engine *
engine_new(unsigned int slot, unsigned int base, const struct sw_config *cfg,
		unsigned int id, unsigned int n,
		struct sw_cookie_keys *const *keys, struct sw_lb_gen *const *genp,
		const struct sw_lb_slot *slots)
{
	char err[256];
	struct sw_engine *e = eio_engine_new(slot, base, cfg, id, n, keys,
		genp, slots, HZ, now, err, sizeof(err));

	if (e == NULL) {
		printf("not ok - engine: %s\n", err);
		exit(1);
	}
	return e;
}

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
	gp = sw_lb_gen_build(&app, &eio_gen_mem, err, sizeof(err));
	if (gp == NULL) {
		SW_CHECKF(0, "%s: generation: %s", name, err);
		return;
	}
	now = 1000000 * MS;
	eio_n = sc.workers;
	for (unsigned int j = 0; j < eio_n; j++)
		eio_eng[j] = engine_new(j, 0, cfg, j, eio_n, &kp, &gp, lb.slot);
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
	for (unsigned int j = 0; j < eio_n; j++)
		sw_engine_release(eio_eng[j]);
	/* Every frame went back: sent, freed, or released by the engine. */
	SW_CHECKF(eio_bufs_used == 0, "%s: %u frames never came back", name,
		eio_bufs_used);
	for (unsigned int s = 0; s < SW_SVC_MAX; s++)
		for (unsigned int f = 0; f < 2; f++)
			free(gp->maglev[s][f]);
	free(gp->rev);
	free(gp);
	clear_sent();
	printf("%s - scenario %s\n", sw_test_failures ? "not ok" : "ok", name);
}

/*
 * lb cluster (lib/engine/cluster.c, docs/cluster.md): two nodes, A
 * (engine 0) and B (engine 1), one worker each, sharing the cookie key
 * and an inside segment that the test carries by hand, built from the
 * lb_handshake4 vectors (A has the vectors' MACs, all zero, so what A
 * relays is compared byte for byte with them).
 */
#define CL_A		0
#define CL_B		1
#define CL_MSG_LEN	78	/* Ethernet + the 64-byte message */

static const uint8_t cl_mac_b[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };
static const uint8_t cl_mac_be[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t cl_mac_cli[6] = { 0x02, 0, 0, 0, 0, 0x20 };
static const uint8_t cl_mac_zero[6];
static const uint8_t cl_addr_a[4] = { 198, 51, 100, 1 };
static const uint8_t cl_addr_b[4] = { 198, 51, 100, 2 };
static const uint8_t cl_addr_be[4] = { 198, 51, 100, 11 };
static const uint8_t cl_addr_cli[4] = { 203, 0, 113, 20 };

/* A frame the test keeps: copied out of sent[] before it is cleared. */
struct cl_frame {
	uint32_t len;
	uint8_t data[EIO_BUF_ROOM];
};

/* The node's engines: A is engine 0, B engines 1 .. cl_b_workers. */
static unsigned int cl_b_workers;

static unsigned int
cl_first(unsigned int k)
{
	return k == CL_A ? 0 : 1;
}

static unsigned int
cl_count(unsigned int k)
{
	return k == CL_A ? 1 : cl_b_workers;
}

/* A node's counter: its workers' summed. */
static uint64_t
cl_ctr(unsigned int k, const char *name)
{
	uint64_t sum = 0;

	for (unsigned int j = cl_first(k); j < cl_first(k) + cl_count(k);
			j++) {
		uint64_t v = UINT64_MAX;

		SW_CHECKF(scn_counter(&eio_eng[j]->c, name, &v) == 0,
			"no counter %s", name);
		sum += v;
	}
	return sum;
}

#define CL_EQ(k, name, want) \
	SW_CHECKF(cl_ctr(k, name) == (want), "node %c %s = %" PRIu64 \
		", %u expected", "AB"[k], name, cl_ctr(k, name), \
		(unsigned int)(want))

static void
cl_in(unsigned int k, enum sw_side side, const uint8_t *d, uint32_t len)
{
	struct sw_frame *f;

	clear_sent();
	f = eio_frame(d, len, side);
	SW_CHECKF(f != NULL, "%s", "out of buffers");
	if (f != NULL)
		inject(cl_first(k), side, &f, 1);	/* its worker 0's queue */
}

static void
cl_keep(enum sw_side side, unsigned int i, struct cl_frame *out)
{
	out->len = 0;
	SW_CHECKF(i < sent[side].n, "frame %u of %u sent", i, sent[side].n);
	if (i >= sent[side].n)
		return;
	out->len = sent[side].len[i];
	memcpy(out->data, sent[side].data[i], out->len);
}

static void
cl_expect_sent(const char *where, enum sw_side side, unsigned int n)
{
	SW_CHECKF(sent[side].n == n, "%s: %u frames left %s, %u expected",
		where, sent[side].n, side == SW_OUTSIDE ? "outside" : "inside",
		n);
}

/* Sent frame i is vector frame `v`, byte for byte. */
static void
cl_expect_vec(const char *where, enum sw_side side, unsigned int i,
		const struct scn_frames *fr, unsigned int v)
{
	SW_CHECKF(i < sent[side].n && sent[side].len[i] == fr->len[v] &&
		memcmp(sent[side].data[i], fr->data[v], fr->len[v]) == 0,
		"%s: frame %u is not vector frame %u", where, i, v);
}

/* A control frame: to `dst`, from `src`, op, about client port `cport`. */
static void
cl_expect_msg(const char *where, const struct cl_frame *m,
		const uint8_t dst[6], const uint8_t src[6], uint8_t op,
		const uint8_t sender[4], uint16_t cport)
{
	const uint8_t *b = m->data + 14;

	SW_CHECKF(m->len == CL_MSG_LEN && memcmp(m->data, dst, 6) == 0 &&
		memcmp(m->data + 6, src, 6) == 0 && m->data[12] == 0x88 &&
		m->data[13] == 0xb5 && b[0] == 'S' && b[1] == 'W' &&
		b[2] == 1 && b[3] == op && b[4] == 4 &&
		memcmp(b + 8, sender, 4) == 0 &&
		b[28] == cport >> 8 && b[29] == (cport & 0xff) &&
		b[30] == 0 && b[31] == 80 &&
		memcmp(b + 32, cl_addr_cli, 4) == 0 &&
		b[48] == 203 && b[49] == 0 && b[50] == 113 && b[51] == 10,
		"%s: not the control frame expected (len %u, op %u)", where,
		m->len, m->len > 17 ? b[3] : 0);
}

/* A start's request for the peers' flows, from `sender`. */
static void
cl_expect_sync(const char *where, const struct cl_frame *m,
		const uint8_t dst[6], const uint8_t src[6],
		const uint8_t sender[4])
{
	const uint8_t *b = m->data + 14;

	SW_CHECKF(m->len == CL_MSG_LEN && memcmp(m->data, dst, 6) == 0 &&
		memcmp(m->data + 6, src, 6) == 0 && m->data[12] == 0x88 &&
		m->data[13] == 0xb5 && b[0] == 'S' && b[1] == 'W' &&
		b[2] == 1 && b[3] == 4 && memcmp(b + 8, sender, 4) == 0,
		"%s: not a sync request (len %u)", where, m->len);
}

/* The vector frame `v` as B sends it on to A: L2 rewritten only. */
static void
cl_expect_fwd(const char *where, const struct cl_frame *m,
		const struct scn_frames *fr, unsigned int v)
{
	SW_CHECKF(m->len == fr->len[v] && memcmp(m->data, cl_mac_zero, 6) == 0 &&
		memcmp(m->data + 6, cl_mac_b, 6) == 0 &&
		memcmp(m->data + 12, fr->data[v] + 12, fr->len[v] - 12) == 0,
		"%s: not vector frame %u with A's and B's MACs", where, v);
}

static void
cl_node(struct sw_engine *e, const uint8_t self[4], const uint8_t peer[4],
		const uint8_t peer_mac[6], const uint8_t mac[6])
{
	memcpy(e->mac[SW_INSIDE], mac, 6);
	memcpy(e->own[SW_INSIDE][SW_LB_V4].addr, self, 4);
	e->n_peers = 1;
	e->peers[0].family = AF_INET;
	memcpy(e->peers[0].addr, peer, 4);
	SW_CHECK(sw_neigh_static(&e->neigh, AF_INET, peer, peer_mac) == 0);
	SW_CHECK(sw_neigh_static(&e->neigh, AF_INET, cl_addr_be,
		cl_mac_be) == 0);
	SW_CHECK(sw_neigh_static(&e->neigh, AF_INET, cl_addr_cli,
		cl_mac_cli) == 0);
}

/* Peer `op` frames A left inside: the first is copied to `out`. */
static unsigned int
cl_find_op(uint8_t op, struct cl_frame *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < sent[SW_INSIDE].n; i++) {
		const uint8_t *d = sent[SW_INSIDE].data[i];

		if (sent[SW_INSIDE].len[i] == CL_MSG_LEN && d[12] == 0x88 &&
				d[13] == 0xb5 && d[14 + 3] == op &&
				memcmp(d + 14 + 8, cl_addr_a, 4) == 0 &&
				n++ == 0)
			cl_keep(SW_INSIDE, i, out);
	}
	return n;
}

/* B's engines judge peers after `ms` ms of silence (0: never). */
static void
cl_peer_timeout(unsigned int k, unsigned int ms)
{
	for (unsigned int j = cl_first(k); j < cl_first(k) + cl_count(k); j++)
		eio_eng[j]->peer_timeout = (uint64_t)ms * MS;
}

/* The segment B answered: a RST from the VIP to the client's port. */
static void
cl_expect_rst(const char *where, const struct scn_frames *fr, unsigned int v)
{
	const uint8_t *in = fr->data[v], *o = sent[SW_OUTSIDE].data[0];

	SW_CHECKF(sent[SW_OUTSIDE].n == 1 && sent[SW_OUTSIDE].len[0] >= 54 &&
		memcmp(o + 26, in + 30, 4) == 0 &&	/* IPv4 src, dst */
		memcmp(o + 30, in + 26, 4) == 0 &&
		memcmp(o + 34, in + 36, 2) == 0 &&	/* ports */
		memcmp(o + 36, in + 34, 2) == 0 &&
		(o[47] & 0x04) != 0,			/* RST */
		"%s: not a RST answering vector frame %u (%u frames out)",
		where, v, sent[SW_OUTSIDE].n);
}

/*
 * 16. Liveness (docs/cluster.md, "A node that dies"): A's hellos carry
 * its start's id; B resets the clients of A's flows once A has been
 * silent for peer_timeout, or once A started again since it claimed
 * them. A peer that never said hello is never judged.
 */
static void
cl_liveness(const struct scn_frames *fr, const struct cl_frame *claim)
{
	struct cl_frame hello, hello2;
	uint64_t boot = 0;

	SW_CHECK(cl_ctr(CL_B, "cluster.foreign") == 1);	/* port 40112 */
	cl_peer_timeout(CL_B, 500);
	/* a. No hello from A yet: never judged, however long. */
	pass_ms(2000);
	CL_EQ(CL_B, "cluster.peer_down", 0);
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.fwd_tx", 6);
	CL_EQ(CL_B, "cluster.gone_rst", 0);
	/* b. A says hello at once, then every 100 ms, with its id. */
	clear_sent();
	cl_peer_timeout(CL_A, 500);
	pass_ms(1);
	CL_EQ(CL_A, "cluster.hello_tx", 1);
	SW_CHECK(cl_find_op(5, &hello) == 1);
	cl_peer_timeout(CL_A, 0);
	for (unsigned int i = 0; i < 8; i++)
		boot = boot << 8 | hello.data[14 + 32 + i];
	SW_CHECKF(boot == eio_eng[0]->boot_id && boot != 0 &&
		memcmp(hello.data, cl_mac_b, 6) == 0,
		"hello: id %" PRIx64 ", A's %" PRIx64, boot, eio_eng[0]->boot_id);
	cl_in(CL_B, SW_INSIDE, hello.data, hello.len);
	CL_EQ(CL_B, "cluster.hello_rx", cl_b_workers);	/* every worker */
	cl_expect_sent("B: hello", SW_OUTSIDE, 0);
	/* c. A up: its flow's segments go to it. */
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.fwd_tx", 7);
	/* d. A silent for longer than peer_timeout: gone; the client of
	 * its flow gets a RST, the entry goes. */
	pass_ms(501);
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.gone_rst", 1);
	CL_EQ(CL_B, "cluster.fwd_tx", 7);
	CL_EQ(CL_B, "cluster.foreign", 0);
	cl_expect_rst("B: gone", fr, 56);
	/* Counted once, by worker 0, at its next hellos (100 ms). */
	pass_ms(100);
	CL_EQ(CL_B, "cluster.peer_down", 1);
	pass_ms(1000);
	CL_EQ(CL_B, "cluster.peer_down", 1);
	/* e. A back, the same start: its claims count again. */
	cl_in(CL_B, SW_INSIDE, hello.data, hello.len);
	cl_in(CL_B, SW_INSIDE, claim->data, claim->len);
	CL_EQ(CL_B, "cluster.foreign", 1);
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.fwd_tx", 8);
	CL_EQ(CL_B, "cluster.peer_restart", 0);
	/* f. A started again (a new id): what it claimed before is lost. */
	hello2 = hello;
	hello2.data[14 + 39] ^= 0x5a;
	cl_in(CL_B, SW_INSIDE, hello2.data, hello2.len);
	CL_EQ(CL_B, "cluster.peer_restart", 1);
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.gone_rst", 2);
	cl_expect_rst("B: restarted", fr, 56);
	/* ... and what it claims since is its. */
	cl_in(CL_B, SW_INSIDE, claim->data, claim->len);
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.fwd_tx", 9);
	CL_EQ(CL_B, "cluster.gone_rst", 2);
	/* g. peer_timeout 0: no judgement at all. */
	cl_peer_timeout(CL_B, 0);
	pass_ms(2000);
	cl_in(CL_B, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_B, "cluster.fwd_tx", 10);
	CL_EQ(CL_B, "cluster.msg_bad", 2);
	/* h. A hello without an id is refused (every worker sees it). */
	memset(hello2.data + 14 + 32, 0, 8);
	cl_in(CL_B, SW_INSIDE, hello2.data, hello2.len);
	CL_EQ(CL_B, "cluster.msg_bad", 2 + cl_b_workers);
	CL_EQ(CL_B, "cluster.hello_rx", 3 * cl_b_workers);	/* b, e, f */
	CL_EQ(CL_B, "cluster.peer_restart", 1);
}

static void
cl_run(const struct scn_frames *fr)
{
	struct cl_frame claim, fwd, msg, sync_b;
	uint8_t bad[256];
	uint32_t bad_len;

	/* 0. At start each node asks its peers for their flows (worker 0
	 * only); neither has any yet. */
	clear_sent();
	pass_ms(1);
	CL_EQ(CL_A, "cluster.sync_tx", 1);
	CL_EQ(CL_B, "cluster.sync_tx", 1);
	cl_expect_sent("start", SW_INSIDE, 2);
	cl_keep(SW_INSIDE, 0, &msg);
	cl_keep(SW_INSIDE, 1, &sync_b);
	cl_expect_sync("A: start", &msg, cl_mac_b, cl_mac_zero, cl_addr_a);
	cl_expect_sync("B: start", &sync_b, cl_mac_zero, cl_mac_b,
		cl_addr_b);
	cl_in(CL_B, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_B, "cluster.sync_rx", cl_b_workers);	/* every worker */
	cl_expect_sent("B: sync", SW_INSIDE, 0);
	cl_in(CL_A, SW_INSIDE, sync_b.data, sync_b.len);
	CL_EQ(CL_A, "cluster.sync_rx", 1);
	cl_expect_sent("A: sync", SW_INSIDE, 0);

	/* 1. A validates the cookie ACK: backend SYN, and a claim to B. */
	cl_in(CL_A, SW_OUTSIDE, fr->data[4], fr->len[4]);
	CL_EQ(CL_A, "flow.created", 1);
	CL_EQ(CL_A, "cluster.claim_tx", 1);
	cl_expect_sent("A: third ACK", SW_INSIDE, 2);
	cl_expect_vec("A: backend SYN", SW_INSIDE, 0, fr, 8);
	cl_keep(SW_INSIDE, 1, &claim);
	cl_expect_msg("A: claim", &claim, cl_mac_b, cl_mac_zero, 1,
		cl_addr_a, 40100);

	/* 2. B records the claim: a foreign entry, not a flow of its own. */
	cl_in(CL_B, SW_INSIDE, claim.data, claim.len);
	CL_EQ(CL_B, "cluster.claim_rx", 1);
	CL_EQ(CL_B, "cluster.foreign", 1);
	CL_EQ(CL_B, "flow.active", 0);
	cl_expect_sent("B: claim", SW_INSIDE, 0);
	cl_expect_sent("B: claim", SW_OUTSIDE, 0);

	/* 3. The rehash: the request (its ACK still a valid cookie) comes
	 * to B, which sends it to A unchanged, and opens nothing. */
	cl_in(CL_B, SW_OUTSIDE, fr->data[6], fr->len[6]);
	CL_EQ(CL_B, "flow.created", 0);
	CL_EQ(CL_B, "syncookie.cookie_ok", 0);
	CL_EQ(CL_B, "cluster.fwd_tx", 1);
	cl_expect_sent("B: request", SW_OUTSIDE, 0);
	cl_expect_sent("B: request", SW_INSIDE, 1);
	cl_keep(SW_INSIDE, 0, &fwd);
	cl_expect_fwd("B: request", &fwd, fr, 6);

	/* 4. A takes it as from outside: held with the ACK ... */
	cl_in(CL_A, SW_INSIDE, fwd.data, fwd.len);
	CL_EQ(CL_A, "cluster.fwd_rx", 1);
	CL_EQ(CL_A, "flow.held", 2);
	cl_expect_sent("A: request", SW_INSIDE, 0);
	/* ... and relays both when the backend answers, as the vectors. */
	cl_in(CL_A, SW_INSIDE, fr->data[9], fr->len[9]);
	CL_EQ(CL_A, "flow.established", 1);
	cl_expect_sent("A: server SYN-ACK", SW_INSIDE, 2);
	cl_expect_vec("A: held ACK", SW_INSIDE, 0, fr, 10);
	cl_expect_vec("A: held request", SW_INSIDE, 1, fr, 11);

	/* 5. A peer's segment is never sent on again: B drops one that
	 * comes back to it (as two stale entries would make it). */
	cl_in(CL_B, SW_INSIDE, fwd.data, fwd.len);
	CL_EQ(CL_B, "drop.peer_loop", 1);
	cl_expect_sent("B: loop", SW_INSIDE, 0);
	cl_expect_sent("B: loop", SW_OUTSIDE, 0);

	/* 6. The backend's data (to A, the owner), then the client's ACK
	 * of it through B: relayed by A as the vectors say. */
	cl_in(CL_A, SW_INSIDE, fr->data[12], fr->len[12]);
	cl_expect_vec("A: response", SW_OUTSIDE, 0, fr, 15);
	cl_in(CL_A, SW_INSIDE, fr->data[16], fr->len[16]);
	cl_expect_vec("A: data 200", SW_OUTSIDE, 0, fr, 17);
	cl_in(CL_A, SW_INSIDE, fr->data[18], fr->len[18]);
	cl_expect_vec("A: data 301", SW_OUTSIDE, 0, fr, 19);
	cl_in(CL_B, SW_OUTSIDE, fr->data[20], fr->len[20]);
	cl_keep(SW_INSIDE, 0, &fwd);
	cl_expect_fwd("B: client ACK", &fwd, fr, 20);
	cl_in(CL_A, SW_INSIDE, fwd.data, fwd.len);
	cl_expect_sent("A: client ACK", SW_INSIDE, 1);
	cl_expect_vec("A: client ACK", SW_INSIDE, 0, fr, 21);

	/* 7. A backend's segment of A's flow at B: not B's to relay. */
	cl_in(CL_B, SW_INSIDE, fr->data[26], fr->len[26]);
	CL_EQ(CL_B, "drop.foreign_inside", 1);
	cl_expect_sent("B: backend", SW_OUTSIDE, 0);

	/* 8. The close, the client's side through B. */
	cl_in(CL_A, SW_INSIDE, fr->data[26], fr->len[26]);
	cl_expect_vec("A: data 1", SW_OUTSIDE, 0, fr, 27);
	cl_in(CL_B, SW_OUTSIDE, fr->data[28], fr->len[28]);
	cl_keep(SW_INSIDE, 0, &fwd);
	cl_in(CL_A, SW_INSIDE, fwd.data, fwd.len);
	cl_expect_vec("A: client FIN", SW_INSIDE, 0, fr, 29);
	cl_in(CL_A, SW_INSIDE, fr->data[30], fr->len[30]);
	cl_expect_vec("A: backend FIN", SW_OUTSIDE, 0, fr, 31);
	cl_in(CL_B, SW_OUTSIDE, fr->data[32], fr->len[32]);
	cl_keep(SW_INSIDE, 0, &fwd);
	cl_in(CL_A, SW_INSIDE, fwd.data, fwd.len);
	cl_expect_vec("A: last ACK", SW_INSIDE, 0, fr, 33);
	CL_EQ(CL_A, "flow.closed", 1);
	CL_EQ(CL_B, "cluster.fwd_tx", 4);
	CL_EQ(CL_A, "cluster.fwd_rx", 4);

	/* 9. A frees it after the linger (60 s): a release, and B forgets. */
	clear_sent();
	pass_ms(60100);
	CL_EQ(CL_A, "flow.freed", 1);
	CL_EQ(CL_A, "cluster.release_tx", 1);
	cl_expect_sent("A: linger", SW_INSIDE, 1);
	cl_keep(SW_INSIDE, 0, &msg);
	cl_expect_msg("A: release", &msg, cl_mac_b, cl_mac_zero, 2,
		cl_addr_a, 40100);
	cl_in(CL_B, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_B, "cluster.release_rx", 1);
	CL_EQ(CL_B, "cluster.foreign", 0);

	/* 10. A flow B never heard of (its claim lost: B joined later).
	 * A later segment of it (not a cookie) at B: B asks, drops it. */
	cl_in(CL_A, SW_OUTSIDE, fr->data[52], fr->len[52]);
	CL_EQ(CL_A, "flow.created", 2);
	CL_EQ(CL_A, "cluster.claim_tx", 2);
	bad_len = fr->len[52];
	SW_CHECK(bad_len <= sizeof(bad));
	memcpy(bad, fr->data[52], bad_len);
	bad[14 + 20 + 7]++;		/* seq + 1: no cookie any more */
	cl_in(CL_B, SW_OUTSIDE, bad, bad_len);
	CL_EQ(CL_B, "cluster.lookup_tx", 1);
	CL_EQ(CL_B, "drop.lookup", 1);
	CL_EQ(CL_B, "syncookie.cookie_bad", 1);
	cl_expect_sent("B: lookup", SW_OUTSIDE, 0);	/* no RST */
	cl_expect_sent("B: lookup", SW_INSIDE, 1);
	cl_keep(SW_INSIDE, 0, &msg);
	cl_expect_msg("B: lookup", &msg, cl_mac_zero, cl_mac_b, 3,
		cl_addr_b, 40110);
	/* A owns it: it claims it, to B alone. */
	cl_in(CL_A, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_A, "cluster.lookup_rx", 1);
	CL_EQ(CL_A, "cluster.claim_tx", 3);
	cl_expect_sent("A: lookup", SW_INSIDE, 1);
	cl_keep(SW_INSIDE, 0, &claim);
	cl_expect_msg("A: answer", &claim, cl_mac_b, cl_mac_zero, 1,
		cl_addr_a, 40110);
	cl_in(CL_B, SW_INSIDE, claim.data, claim.len);
	CL_EQ(CL_B, "cluster.foreign", 1);
	/* The client's retransmission goes to A now. */
	cl_in(CL_B, SW_OUTSIDE, bad, bad_len);
	CL_EQ(CL_B, "cluster.fwd_tx", 5);
	CL_EQ(CL_B, "cluster.lookup_tx", 1);

	/* 11. Asked about a flow it does not have, A says nothing; a
	 * peer's segment with no flow and no cookie at A is dropped, not
	 * answered, not asked about. */
	bad[14 + 20 + 1]++;		/* another client port: 40111 */
	cl_in(CL_B, SW_OUTSIDE, bad, bad_len);
	CL_EQ(CL_B, "cluster.lookup_tx", 2);
	cl_keep(SW_INSIDE, 0, &msg);
	cl_in(CL_A, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_A, "cluster.lookup_miss", 1);
	cl_expect_sent("A: miss", SW_INSIDE, 0);
	memcpy(bad + 6, cl_mac_b, 6);
	cl_in(CL_A, SW_INSIDE, bad, bad_len);
	CL_EQ(CL_A, "drop.peer_noflow", 1);
	CL_EQ(CL_A, "cluster.lookup_tx", 0);
	cl_expect_sent("A: peer, no flow", SW_INSIDE, 0);
	cl_expect_sent("A: peer, no flow", SW_OUTSIDE, 0);

	/* 12. A SYN on a foreign entry starts the tuple afresh at B: the
	 * entry goes, B answers it (the vectors' SYN-ACK). */
	cl_in(CL_B, SW_OUTSIDE, fr->data[34], fr->len[34]);
	CL_EQ(CL_B, "cluster.foreign", 0);
	cl_expect_sent("B: SYN", SW_OUTSIDE, 1);
	cl_expect_vec("B: SYN-ACK", SW_OUTSIDE, 0, fr, 35);

	/* 13. An idle foreign entry is forgotten as an idle flow is. */
	cl_in(CL_B, SW_INSIDE, claim.data, claim.len);
	CL_EQ(CL_B, "cluster.foreign", 1);
	pass_ms(600 * 1000 + 100);
	CL_EQ(CL_B, "cluster.foreign", 0);
	CL_EQ(CL_B, "cluster.foreign_expired", 1);
	CL_EQ(CL_B, "flow.freed", 0);
	CL_EQ(CL_B, "cluster.release_tx", 0);
	CL_EQ(CL_B, "cluster.msg_bad", 0);
	CL_EQ(CL_A, "cluster.msg_bad", 0);

	/* 14. A claim from no peer, about no service here, or by the
	 * outside port: no entry. */
	msg = claim;
	msg.data[14 + 11] = 9;			/* from 198.51.100.9 */
	cl_in(CL_B, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_B, "cluster.msg_bad", 1);
	msg = claim;
	msg.data[14 + 31] = 81;			/* VIP port 81 */
	cl_in(CL_B, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_B, "cluster.msg_bad", 2);
	bad_len = (uint32_t)cl_ctr(CL_B, "drop.unprotected");
	cl_in(CL_B, SW_OUTSIDE, claim.data, claim.len);
	CL_EQ(CL_B, "drop.unprotected", bad_len + 1);
	CL_EQ(CL_B, "cluster.claim_rx", 3);
	CL_EQ(CL_B, "cluster.foreign", 0);

	/* 15. A flow B never heard of, then B asks A for its flows (as at
	 * a restart): A claims its live ones, this one, to B. */
	cl_in(CL_A, SW_OUTSIDE, fr->data[56], fr->len[56]);
	CL_EQ(CL_A, "flow.active", 1);
	clear_sent();
	cl_in(CL_A, SW_INSIDE, sync_b.data, sync_b.len);
	pass_ms(40);		/* 2048 entries, 64 per poll */
	CL_EQ(CL_A, "cluster.sync_rx", 2);
	cl_expect_sent("A: sync", SW_INSIDE, 1);
	cl_keep(SW_INSIDE, 0, &msg);
	cl_expect_msg("A: sync", &msg, cl_mac_b, cl_mac_zero, 1, cl_addr_a,
		40112);
	cl_in(CL_B, SW_INSIDE, msg.data, msg.len);
	CL_EQ(CL_B, "cluster.foreign", 1);
	CL_EQ(CL_B, "cluster.claim_rx", 4);
	/* With two workers, some of B's frames (claims, segments) were
	 * another worker's to take: the same outcome, steered. */
	SW_CHECKF(cl_b_workers == 1 ? cl_ctr(CL_B, "flow.steered") == 0 :
		cl_ctr(CL_B, "flow.steered") > 0, "B steered %" PRIu64,
		cl_ctr(CL_B, "flow.steered"));
	CL_EQ(CL_B, "drop.steer_full", 0);

	cl_liveness(fr, &msg);
}

static void
cluster(const char *dir, const char *name, unsigned int b_workers)
{
	static struct sw_app app;
	static struct sw_lb lb;
	static struct sw_svc_table prev;
	static struct sw_cookie_keys keys;
	static struct scn_frames fr;
	struct sw_config *cfg = &app.cfg;
	struct sw_cookie_keys *kp = &keys;
	uint8_t master[SW_COOKIE_MASTER_LEN];
	char path[512], err[SW_ERR_LEN];
	struct sw_lb_gen *gp;
	uint64_t slot;

	sw_test_ctx = "cluster";
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	err[0] = '\0';
	if (sw_config_load(path, cfg, err, sizeof(err)) != 0 ||
			scn_read_keys(dir, name, master, &slot) != 0) {
		SW_CHECKF(0, "cluster: vectors: %s", err);
		return;
	}
	sw_cookie_keys_fill(master, slot, &keys);
	memset(&lb, 0, sizeof(lb));
	lb.prev = &prev;
	app.lb = &lb;
	sw_lb_slots_init(&app);
	gp = sw_lb_gen_build(&app, &eio_gen_mem, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
	if (gp == NULL || scn_read_pcap_path(path, &fr) != 0 || fr.n < 54) {
		SW_CHECKF(0, "cluster: %s", err);
		return;
	}
	now = 1000000 * MS;
	/* A, one worker, is slot 0; B's workers are slots 1 .. n. */
	cl_b_workers = b_workers;
	eio_n = 1 + b_workers;
	for (unsigned int j = 0; j < eio_n; j++) {
		const unsigned int k = j == 0 ? CL_A : CL_B;

		eio_eng[j] = engine_new(j, cl_first(k), cfg, j - cl_first(k),
			cl_count(k), &kp, &gp, lb.slot);
		if (k == CL_A)
			cl_node(eio_eng[j], cl_addr_a, cl_addr_b, cl_mac_b,
				cl_mac_zero);
		else
			cl_node(eio_eng[j], cl_addr_b, cl_addr_a, cl_mac_zero,
				cl_mac_b);
	}
	cl_run(&fr);
	clear_sent();
	for (unsigned int j = 0; j < eio_n; j++)
		sw_engine_release(eio_eng[j]);
	SW_CHECKF(eio_bufs_used == 0, "cluster: %u frames never came back",
		eio_bufs_used);
	for (unsigned int s = 0; s < SW_SVC_MAX; s++)
		for (unsigned int f = 0; f < 2; f++)
			free(gp->maglev[s][f]);
	free(gp->rev);
	free(gp);
	scn_free_frames(&fr);
	printf("%s - cluster over %s, B with %u worker%s\n",
		sw_test_failures ? "not ok" : "ok", name, b_workers,
		b_workers == 1 ? "" : "s");
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s VECTOR_DIR SCENARIO...\n", argv[0]);
		return 2;
	}
	if (eio_init(BUFS) != 0)
		return 1;
	eio_sent = t_sent;
	eio_fail = t_fail;
	sw_test_name = "engine";
	for (int i = 2; i < argc; i++) {
		/* "cluster:S": two lb nodes over scenario S's frames. */
		if (strncmp(argv[i], "cluster:", 8) == 0) {
			/* B with one worker, then with two that steer. */
			cluster(argv[1], argv[i] + 8, 1);
			cluster(argv[1], argv[i] + 8, 2);
		}
		else
			scenario(argv[1], argv[i]);
	}
	eio_engines_free();
	eio_fini();
	printf("# %lu checks, %lu failed\n", sw_test_checks, sw_test_failures);
	return sw_test_failures ? 1 : 0;
}
