/* SPDX-License-Identifier: BSD-3-Clause */
/* Engines without EAL, for the tests and the fuzzer (engine_io.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_io.h"
#include "sw_worker.h"

#define HEADROOM	128

/* A frame buffer: its view, its bytes, how many hold it. */
struct eio_buf {
	struct sw_frame f;
	unsigned int refs;
	uint8_t room[HEADROOM + EIO_BUF_ROOM];
};

struct sw_engine *eio_eng[EIO_ENGINES];
struct eio_q eio_q[EIO_ENGINES];
unsigned int eio_n;
unsigned int eio_bufs_used;
void (*eio_sent)(unsigned int slot, enum sw_side side,
		const struct sw_frame *f);
void (*eio_fail)(const char *what);

static struct eio_buf *bufs;
static unsigned int n_bufs;
/* Each slot's memory, kept between engines. */
static struct eio_mem {
	void *flow, *neigh, *snat;
	size_t flow_len, neigh_len, snat_len;
	struct sw_lb_bcount *bc;
} mem[EIO_ENGINES];

static void
failed(const char *what)
{
	if (eio_fail != NULL)
		eio_fail(what);
	else
		fprintf(stderr, "engine_io: %s\n", what);
}

static struct eio_buf *
buf_of(struct sw_frame *f)
{
	return (struct eio_buf *)(void *)f;
}

void
eio_put(struct sw_frame *f)
{
	struct eio_buf *b = buf_of(f);

	if (b->refs == 0) {
		failed("a frame freed twice");
		return;
	}
	if (--b->refs == 0)
		eio_bufs_used--;
}

struct sw_frame *
eio_frame(const uint8_t *data, uint32_t len, enum sw_side side)
{
	if (len > EIO_BUF_ROOM)
		return NULL;
	for (unsigned int i = 0; i < n_bufs; i++) {
		struct eio_buf *b = &bufs[i];

		if (b->refs != 0)
			continue;
		b->refs = 1;
		eio_bufs_used++;
		memset(&b->f, 0, sizeof(b->f));
		b->f.data = b->room + HEADROOM;
		b->f.cap = EIO_BUF_ROOM;
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
e_tx(void *ctx, enum sw_side side, struct sw_frame **f, uint16_t n)
{
	const unsigned int slot = ((const struct eio_q *)ctx)->id;
	struct sw_port_counters *pc = &eio_eng[slot]->c.port[side];

	for (uint16_t i = 0; i < n; i++) {
		pc->tx_pkts++;
		pc->tx_bytes += f[i]->len;
		if (f[i]->tx > SW_TX_CSUM6)
			failed("a frame sent with no valid TX kind");
		else if (f[i]->len > f[i]->cap || f[i]->len < 14)
			failed("a frame sent longer than its buffer or shorter than Ethernet");
		else if (eio_sent != NULL)
			eio_sent(slot, side, f[i]);
		eio_put(f[i]);
	}
}

static void
e_free(void *ctx, struct sw_frame **f, uint16_t n)
{
	(void)ctx;
	for (uint16_t i = 0; i < n; i++)
		eio_put(f[i]);
}

static struct sw_frame *
e_alloc(void *ctx)
{
	struct sw_frame *f = eio_frame(NULL, 0, SW_INSIDE);

	(void)ctx;
	if (f != NULL)
		f->tx = SW_TX_PLAIN;
	return f;
}

static bool
e_steer(void *ctx, uint16_t owner, struct sw_frame *f)
{
	const struct eio_q *from = ctx;
	struct eio_q *to;

	if (owner >= from->n)
		return false;
	to = &eio_q[from->base + owner];
	if (to->n_in == EIO_INBOX)
		return false;
	to->in[to->n_in++] = f;
	return true;
}

static void
e_share(void *ctx, struct sw_frame *f)
{
	const struct eio_q *from = ctx;

	for (unsigned int j = from->base; j < from->base + from->n; j++)
		if (j != from->id && eio_q[j].n_in < EIO_INBOX) {
			buf_of(f)->refs++;
			eio_q[j].in[eio_q[j].n_in++] = f;
		}
}

static void
e_answer(void *ctx, uint64_t a)
{
	(void)ctx;
	(void)a;
}

static void
e_notice(void *ctx, enum sw_side side, const char *what)
{
	(void)ctx;
	(void)side;
	(void)what;
}

const struct sw_io_ops eio_ops = {
	.tx = e_tx, .free = e_free, .alloc = e_alloc, .steer = e_steer,
	.share = e_share, .answer = e_answer, .notice = e_notice,
};

void
eio_run_inboxes(uint64_t now)
{
	for (bool more = true; more; ) {
		more = false;
		for (unsigned int j = 0; j < eio_n; j++) {
			struct sw_frame *in[EIO_INBOX];
			const unsigned int n = eio_q[j].n_in;

			if (n == 0)
				continue;
			memcpy(in, eio_q[j].in, n * sizeof(in[0]));
			eio_q[j].n_in = 0;
			sw_engine_process_steered(eio_eng[j], in, (uint16_t)n,
				now);
			more = true;
		}
	}
}

void
eio_pass(uint64_t *now, uint64_t step, unsigned int times)
{
	for (unsigned int i = 0; i < times; i++) {
		*now += step;
		for (unsigned int j = 0; j < eio_n; j++)
			(void)sw_engine_poll(eio_eng[j], *now, NULL, 0);
		eio_run_inboxes(*now);
	}
	for (unsigned int j = 0; j < eio_n; j++)
		sw_engine_flush(eio_eng[j]);
}

static void *
gen_alloc(size_t len)
{
	void *p = aligned_alloc(64, (len + 63) & ~(size_t)63);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

const struct sw_lb_alloc eio_gen_mem = { .alloc = gen_alloc, .free = free };

int
eio_init(unsigned int n)
{
	bufs = calloc(n, sizeof(*bufs));
	n_bufs = bufs == NULL ? 0 : n;
	eio_bufs_used = 0;
	return bufs == NULL ? -1 : 0;
}

void
eio_fini(void)
{
	free(bufs);
	bufs = NULL;
	n_bufs = 0;
}

/* *p holds at least len zeroed, 64-aligned bytes; false: no memory. */
static bool
zeroed(void **p, size_t *have, size_t len)
{
	if (*p == NULL || *have < len) {
		free(*p);
		*p = aligned_alloc(64, (len + 63) & ~(size_t)63);
		*have = *p == NULL ? 0 : len;
	}
	if (*p != NULL)
		memset(*p, 0, len);
	return *p != NULL;
}

struct sw_engine *
eio_engine_new(unsigned int slot, unsigned int base,
		const struct sw_config *cfg, unsigned int id, unsigned int n,
		struct sw_cookie_keys *const *keys,
		struct sw_lb_gen *const *genp, const struct sw_lb_slot *slots,
		uint64_t hz, uint64_t now, char *err, size_t err_len)
{
	struct sw_engine_params p;
	struct sw_engine *e;
	struct eio_mem *m;

	if (slot >= EIO_ENGINES || base + n > EIO_ENGINES) {
		snprintf(err, err_len, "slot %u of %u engines", slot,
			EIO_ENGINES);
		return NULL;
	}
	m = &mem[slot];
	if (eio_eng[slot] == NULL)
		eio_eng[slot] = aligned_alloc(64,
			(sizeof(struct sw_engine) + 63) & ~(size_t)63);
	e = eio_eng[slot];
	sw_worker_params(cfg, (uint16_t)id, (uint16_t)n, &p);
	p.steer = n > 1;
	p.tsc_hz = hz;
	p.now = now;
	p.io = &eio_ops;
	p.io_ctx = &eio_q[slot];
	p.neigh_seed = 1;
	if (e == NULL || !zeroed(&m->flow, &m->flow_len,
			sw_engine_memsize(cfg->flows, cfg->flows6))) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	p.flow_mem = m->flow;
	memset(e, 0, sizeof(*e));
	if (p.lb) {
		if (m->bc == NULL)
			m->bc = calloc(SW_LB_SLOTS, sizeof(*m->bc));
		if (m->bc == NULL || !zeroed(&m->neigh, &m->neigh_len,
				sw_engine_neigh_memsize(p.neigh_entries)) ||
				!zeroed(&m->snat, &m->snat_len,
				sw_engine_snat_memsize(p.snat_lo, p.snat_hi,
					p.n_workers) + 1)) {
			snprintf(err, err_len, "out of memory");
			return NULL;
		}
		memset(m->bc, 0, SW_LB_SLOTS * sizeof(*m->bc));
		p.neigh_mem = m->neigh;
		p.bc = m->bc;
		p.snat_mem = m->snat;
	}
	eio_q[slot] = (struct eio_q){ .id = slot, .base = base, .n = n };
	if (sw_engine_init(e, &p, err, err_len) != 0 ||
			sw_worker_configure(e, cfg, n, hz, err, err_len) != 0)
		return NULL;
	/* What app.c points the engine at: keys, generation, slots; the
	 * ports' MACs are those of net_ring ports (zero). */
	e->genp = (struct sw_lb_gen *const volatile *)genp;
	e->gen = *genp;
	e->svc = &e->gen->svc;
	e->slots = slots;
	e->keys = (struct sw_cookie_keys *const volatile *)keys;
	return e;
}

void
eio_engines_free(void)
{
	for (unsigned int j = 0; j < EIO_ENGINES; j++) {
		free(eio_eng[j]);
		free(mem[j].flow);
		free(mem[j].neigh);
		free(mem[j].snat);
		free(mem[j].bc);
		eio_eng[j] = NULL;
		memset(&mem[j], 0, sizeof(mem[j]));
	}
}
