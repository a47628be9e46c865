/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb mode's control plane, on the main lcore: backend slots, health
 * (passive from the workers' counters, active TCP checks sent by worker
 * 0), Maglev tables built off the data path and swapped under RCU, and
 * live reloads. docs/lb.md tells the story; sw_lb.h has the shapes.
 *
 * Services are reloaded the same way in inline mode: there the
 * generation carries only the service table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "sw_app.h"
#include "sw_lb.h"
#include "sw_log.h"
#include "sw_maglev.h"

#define PROBE_RING	2048	/* requests main -> worker 0 */
#define ANSWER_RING	4096	/* answers workers -> main */

/* The identity of a backend: same identity, same slot across reloads. */
static void
slot_of_conf(const struct sw_config *cfg, const struct sw_lb_backend_conf *b,
		struct sw_lb_slot *s)
{
	const struct sw_svc *svc = &cfg->svc.svc[b->svc];
	uint32_t first = 0;

	memset(s, 0, sizeof(*s));
	s->family = b->family;
	s->svc = b->svc;
	memcpy(s->addr, b->addr, sw_lb_addr_len(b->family));
	memcpy(s->vip, cfg->lb.vip[b->svc][sw_lb_fam(b->family)],
		sw_lb_addr_len(b->family));
	/* The lowest port of the service: health checks of a backend that
	 * keeps the VIP port connect there. */
	while (first < 65535 && !sw_svc_port_in(svc, (uint16_t)first))
		first++;
	if (b->port != 0) {
		s->port_be = rte_cpu_to_be_16(b->port);
		s->vport_be = rte_cpu_to_be_16((uint16_t)first);
		s->check_port_be = s->port_be;
	} else {
		s->check_port_be = rte_cpu_to_be_16((uint16_t)first);
	}
}

static bool
slot_same(const struct sw_lb_slot *a, const struct sw_lb_slot *b)
{
	const unsigned int n = sw_lb_addr_len(a->family);

	return a->family == b->family && a->port_be == b->port_be &&
		a->vport_be == b->vport_be && memcmp(a->addr, b->addr, n) == 0 &&
		memcmp(a->vip, b->vip, n) == 0;
}

void
sw_lb_slot_name(const struct sw_app *app, unsigned int i, char *buf,
		size_t len)
{
	const struct sw_lb_slot *s = &app->lb->slot[i];
	const struct sw_lb_health *h = &app->lb->h[i];
	char a[INET6_ADDRSTRLEN];

	inet_ntop(s->family, s->addr, a, sizeof(a));
	if (s->port_be != 0)
		snprintf(buf, len, s->family == AF_INET ? "%s %s:%u" :
			"%s [%s]:%u", h->svc_name, a,
			rte_be_to_cpu_16(s->port_be));
	else
		snprintf(buf, len, "%s %s", h->svc_name, a);
}

/* Per-slot counters summed over the workers, since the slot was taken:
 * a reused slot starts from the counts its last backend left (base). */
void
sw_lb_backend_counters(const struct sw_app *app, unsigned int i,
		struct sw_lb_bcount *t)
{
	const struct sw_lb_bcount *b = &app->lb->base[i];

	memset(t, 0, sizeof(*t));
	for (unsigned int k = 0; k < app->n_workers; k++) {
		const struct sw_lb_bcount *c = &app->workers[k].e.bc[i];

		t->active += c->active;
		t->created += c->created;
		t->established += c->established;
		t->syn_timeout += c->syn_timeout;
		t->rst += c->rst;
		t->to_pkts += c->to_pkts;
		t->to_bytes += c->to_bytes;
		t->from_pkts += c->from_pkts;
		t->from_bytes += c->from_bytes;
	}
	/* active is a gauge: zero when a slot is freed, never based. */
	t->created -= b->created;
	t->established -= b->established;
	t->syn_timeout -= b->syn_timeout;
	t->rst -= b->rst;
	t->to_pkts -= b->to_pkts;
	t->to_bytes -= b->to_bytes;
	t->from_pkts -= b->from_pkts;
	t->from_bytes -= b->from_bytes;
}

/* The weight Maglev gets: none unless configured, up and weighted. */
static uint32_t
effective_weight(const struct sw_lb_health *h)
{
	return h->in_cfg && h->up ? h->weight : 0;
}

static void *
rte_gen_alloc(size_t len)
{
	return rte_zmalloc("sw_lb_gen", len, RTE_CACHE_LINE_SIZE);
}

/* Generations live in DPDK memory (hugepages when there are some). */
static const struct sw_lb_alloc rte_gen_mem = {
	.alloc = rte_gen_alloc,
	.free = rte_free,
};

static void
gen_free(struct sw_lb_gen *g, const struct sw_lb_alloc *a)
{
	if (g == NULL)
		return;
	for (unsigned int s = 0; s < SW_SVC_MAX; s++)
		for (unsigned int f = 0; f < 2; f++)
			a->free(g->maglev[s][f]);
	a->free(g->rev);
	a->free(g);
}

static int
rev_insert(struct sw_lb_gen *g, const struct sw_lb_slot *s, uint16_t slot,
		uint8_t svc)
{
	uint32_t i = sw_lb_rev_hash(s->family, s->addr, s->port_be) &
		g->rev_mask;

	for (uint32_t k = 0; k <= g->rev_mask; k++) {
		struct sw_lb_rev *e = &g->rev[(i + k) & g->rev_mask];

		if (e->slot != SW_LB_NONE)
			continue;
		e->slot = slot;
		e->svc = svc;
		e->port_be = s->port_be;
		e->family = s->family;
		memcpy(e->addr, s->addr, sw_lb_addr_len(s->family));
		return 0;
	}
	return -ENOSPC;
}

/*
 * A generation from app->cfg, the slots and their health: the service
 * table, a Maglev table per service and family with a backend up, the
 * reverse map of every slot in use (draining ones too: their flows'
 * replies must still find the way back).
 */
struct sw_lb_gen *
sw_lb_gen_build(struct sw_app *app, const struct sw_lb_alloc *a, char *err,
		size_t err_len)
{
	struct sw_lb *lb = app->lb;
	const struct sw_config *cfg = &app->cfg;
	struct sw_lb_gen *g;
	struct sw_maglev_backend *mb = NULL;
	uint16_t *ids = NULL;
	void *scratch = NULL;
	size_t scratch_len;
	uint32_t rev_n = 64;

	g = a->alloc(sizeof(*g));
	if (g == NULL)
		goto nomem;
	g->svc = cfg->svc;
	g->drain = lb->drain;
	g->grace_until = lb->grace_until;
	if (lb->grace_until != 0)
		g->prev = *lb->prev;
	if (cfg->mode != SW_MODE_LB)
		return g;
	g->maglev_size = cfg->lb.maglev_size;
	for (unsigned int s = 0; s < cfg->svc.n_svc; s++) {
		if (cfg->lb.has_vip[s][SW_LB_V4])
			memcpy(&g->vip4[g->n_vip4++], cfg->lb.vip[s][SW_LB_V4], 4);
		if (cfg->lb.has_vip[s][SW_LB_V6])
			memcpy(g->vip6[g->n_vip6++], cfg->lb.vip[s][SW_LB_V6], 16);
	}
	while (rev_n < 2 * SW_LB_SLOTS)
		rev_n <<= 1;
	g->rev_mask = rev_n - 1;
	g->rev = a->alloc(sizeof(*g->rev) * rev_n);
	mb = malloc(sizeof(*mb) * SW_LB_SLOTS);
	ids = malloc(sizeof(*ids) * SW_LB_SLOTS);
	scratch_len = sw_maglev_scratch_size(SW_LB_SLOTS);
	scratch = malloc(scratch_len);
	if (g->rev == NULL || mb == NULL || ids == NULL || scratch == NULL)
		goto nomem;
	for (uint32_t i = 0; i < rev_n; i++)
		g->rev[i].slot = SW_LB_NONE;
	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		const struct sw_lb_health *h = &lb->h[i];

		if (lb->slot[i].family == 0 || h->freeing)
			continue;
		if (rev_insert(g, &lb->slot[i], (uint16_t)i,
				h->in_cfg ? lb->slot[i].svc : SW_LB_ANY_SVC) != 0)
			goto nomem;
	}
	for (unsigned int s = 0; s < cfg->svc.n_svc; s++) {
		for (unsigned int f = 0; f < 2; f++) {
			uint32_t n = 0, total = 0;
			uint16_t *t;
			int ret;

			for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
				const struct sw_lb_slot *sl = &lb->slot[i];

				if (sl->family == 0 || !lb->h[i].in_cfg ||
						sl->svc != s ||
						sw_lb_fam(sl->family) != f)
					continue;
				/* Its permutation's seed: address and port
				 * hashed, the slot (fixed for the backend's
				 * life) making it unique. */
				mb[n].key = sw_lb_rev_hash(sl->family, sl->addr,
					sl->port_be) | ((uint64_t)i << 32);
				mb[n].weight = effective_weight(&lb->h[i]);
				total += mb[n].weight;
				ids[n++] = (uint16_t)i;
			}
			if (total == 0)
				continue;	/* nothing up: new clients get a RST */
			t = a->alloc(sizeof(*t) * g->maglev_size);
			if (t == NULL)
				goto nomem;
			ret = sw_maglev_build(t, g->maglev_size, mb, n, scratch,
				scratch_len);
			if (ret != 0) {
				a->free(t);
				snprintf(err, err_len,
					"Maglev table of service %s: %s",
					cfg->svc.svc[s].name, strerror(-ret));
				goto fail;
			}
			/* Entries name the backend's place in mb[]: make them
			 * slot numbers, which is what flows keep. */
			for (uint32_t k = 0; k < g->maglev_size; k++)
				t[k] = ids[t[k]];
			g->maglev[s][f] = t;
		}
	}
	free(mb);
	free(ids);
	free(scratch);
	return g;
nomem:
	snprintf(err, err_len, "out of memory for the lb tables");
fail:
	free(mb);
	free(ids);
	free(scratch);
	gen_free(g, a);
	return NULL;
}

/* Publish g; when this returns no worker reads the old one. */
static void
gen_swap(struct sw_app *app, struct sw_lb_gen *g)
{
	struct sw_lb_gen *old = app->lb->gen;

	__atomic_store_n(&app->lb->gen, g, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(app->qs, RTE_QSBR_THRID_INVALID);
	gen_free(old, &rte_gen_mem);
	app->lb->dirty = false;
}

/* Rebuild after a health or weight change; on failure keep the old. */
static bool
gen_refresh(struct sw_app *app)
{
	char err[SW_ERR_LEN];
	struct sw_lb_gen *g = sw_lb_gen_build(app, &rte_gen_mem, err, sizeof(err));

	if (g == NULL) {
		SW_LOG_RL(ERR, main, rte_rdtsc(), "lb: %s: tables not updated",
			err);
		return false;
	}
	gen_swap(app, g);
	return true;
}

static void
health_set_cfg(struct sw_app *app, unsigned int i,
		const struct sw_lb_backend_conf *b)
{
	struct sw_lb_health *h = &app->lb->h[i];

	h->in_cfg = true;
	h->weight = b->weight;
	snprintf(h->svc_name, sizeof(h->svc_name), "%s",
		app->cfg.svc.svc[b->svc].name);
}

void
sw_lb_slots_init(struct sw_app *app)
{
	const struct sw_config *cfg = &app->cfg;
	struct sw_lb *lb = app->lb;

	for (unsigned int i = 0; i < cfg->lb.n_backends &&
			cfg->mode == SW_MODE_LB; i++) {
		slot_of_conf(cfg, &cfg->lb.backend[i], &lb->slot[i]);
		health_set_cfg(app, i, &cfg->lb.backend[i]);
		/* Up until a check says otherwise: a fresh start serves. */
		lb->h[i].up = true;
	}
}

int
sw_lb_init(struct sw_app *app)
{
	const struct sw_config *cfg = &app->cfg;
	struct sw_lb *lb;
	char err[SW_ERR_LEN];

	lb = rte_zmalloc("sw_lb", sizeof(*lb), RTE_CACHE_LINE_SIZE);
	if (lb == NULL) {
		fprintf(stderr, "synwall: cannot allocate the lb state\n");
		return -ENOMEM;
	}
	app->lb = lb;
	lb->prev = rte_zmalloc("sw_lb_prev", sizeof(*lb->prev), 0);
	if (lb->prev == NULL) {
		fprintf(stderr, "synwall: cannot allocate the lb state\n");
		return -ENOMEM;
	}
	sw_lb_slots_init(app);
	if (cfg->mode == SW_MODE_LB) {
		lb->probes = rte_ring_create_elem("sw_lb_probe",
			sizeof(uint64_t), PROBE_RING, SOCKET_ID_ANY,
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		lb->answers = rte_ring_create_elem("sw_lb_answer",
			sizeof(uint64_t), ANSWER_RING, SOCKET_ID_ANY,
			RING_F_SC_DEQ);
		if (lb->probes == NULL || lb->answers == NULL) {
			fprintf(stderr, "synwall: cannot create the lb rings: %s\n",
				rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	lb->gen = sw_lb_gen_build(app, &rte_gen_mem, err, sizeof(err));
	if (lb->gen == NULL) {
		fprintf(stderr, "synwall: %s\n", err);
		return -ENOMEM;
	}
	return 0;
}

void
sw_lb_free(struct sw_app *app)
{
	if (app->lb == NULL)
		return;
	gen_free(app->lb->gen, &rte_gen_mem);
	rte_free(app->lb->prev);
	rte_ring_free(app->lb->probes);
	rte_ring_free(app->lb->answers);
	rte_free(app->lb);
	app->lb = NULL;
}

static void
set_up(struct sw_app *app, unsigned int i, bool up, const char *why)
{
	struct sw_lb_health *h = &app->lb->h[i];
	char name[96];

	if (h->up == up)
		return;
	h->up = up;
	h->ok_run = 0;
	h->fail_run = 0;
	h->passive_run = 0;
	h->since_tsc = rte_rdtsc();
	h->transitions++;
	app->lb->dirty = true;
	sw_lb_slot_name(app, i, name, sizeof(name));
	SW_LOG(NOTICE, main, "lb: backend %s is %s (%s)", name,
		up ? "up" : "down", why);
}

/* Answers from the workers: SYN-ACK (up) or RST (refused). */
static void
take_answers(struct sw_app *app)
{
	struct sw_lb *lb = app->lb;
	uint64_t a[64];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst_elem(lb->answers, a, sizeof(a[0]),
			RTE_DIM(a), NULL)) != 0) {
		for (unsigned int k = 0; k < n; k++) {
			const unsigned int i = a[k] & 0xffff;
			const bool ok = (a[k] >> 16) & 1;
			const uint32_t ack = (uint32_t)(a[k] >> 32);
			struct sw_lb_health *h;

			if (i >= SW_LB_SLOTS)
				continue;
			h = &lb->h[i];
			/* Only the answer to the probe in flight counts. */
			if (!h->probing || ack != h->probe_seq + 1)
				continue;
			h->probing = false;
			if (ok) {
				h->checks_ok++;
				h->fail_run = 0;
				if (++h->ok_run >= app->cfg.lb.health_rise)
					set_up(app, i, true, "health checks pass");
			} else {
				h->checks_fail++;
				h->ok_run = 0;
				if (++h->fail_run >= app->cfg.lb.health_fall)
					set_up(app, i, false,
						"health checks refused");
			}
		}
	}
}

/* Active checks: time out the last round, send the next. */
static void
active_checks(struct sw_app *app, uint64_t now)
{
	struct sw_lb *lb = app->lb;
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t timeout = hz / 1000 * app->cfg.lb.health_timeout_ms;

	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		struct sw_lb_health *h = &lb->h[i];

		if (!h->probing || now - h->probe_tsc < timeout)
			continue;
		h->probing = false;
		h->checks_fail++;
		h->ok_run = 0;
		if (++h->fail_run >= app->cfg.lb.health_fall)
			set_up(app, i, false, "health checks time out");
	}
	if (now < lb->next_check_tsc)
		return;
	lb->next_check_tsc = now + hz / 1000 * app->cfg.lb.health_interval_ms;
	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		struct sw_lb_health *h = &lb->h[i];
		uint64_t req;

		if (!h->in_cfg || h->probing)
			continue;
		/* The low bits name the slot in the answer's ack. */
		h->probe_seq = ((uint32_t)rte_rand() & ~(SW_LB_SLOTS - 1u)) | i;
		req = SW_LB_PROBE(i, h->probe_seq);
		if (rte_ring_sp_enqueue_elem(lb->probes, &req,
				sizeof(req)) != 0)
			break;		/* worker 0 is behind: next round */
		h->probing = true;
		h->probe_tsc = now;
	}
}

/* Passive: failed hand-offs in a row, no success between them. */
static void
passive_checks(struct sw_app *app, uint64_t now)
{
	struct sw_lb *lb = app->lb;
	const struct sw_lb_config *lc = &app->cfg.lb;
	const uint64_t hz = rte_get_tsc_hz();

	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		struct sw_lb_health *h = &lb->h[i];
		struct sw_lb_bcount t;
		uint64_t fails, est;

		if (lb->slot[i].family == 0)
			continue;
		sw_lb_backend_counters(app, i, &t);
		h->active = t.active;
		fails = t.syn_timeout + t.rst - h->seen_fail;
		est = t.established - h->seen_est;
		h->seen_fail = t.syn_timeout + t.rst;
		h->seen_est = t.established;
		if (!h->in_cfg)
			continue;
		if (est != 0)
			h->passive_run = 0;
		else
			h->passive_run += fails;
		if (h->up && lc->passive_fall != 0 &&
				h->passive_run >= lc->passive_fall) {
			set_up(app, i, false, "backend handshakes fail");
			h->passive_down = true;
		}
		/* Without active checks nothing else can bring it back. */
		if (!h->up && h->passive_down && lc->health_interval_ms == 0 &&
				now - h->since_tsc >= hz * lc->passive_holddown) {
			set_up(app, i, true, "passive hold-down over");
			h->passive_down = false;
		}
		if (h->up)
			h->passive_down = false;
	}
}

/*
 * Draining slots (out of the config) with no flow left: dropped from
 * the reverse map by a new generation, then free for reuse.
 */
static void
free_drained(struct sw_app *app)
{
	struct sw_lb *lb = app->lb;
	bool any = false;

	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		struct sw_lb_health *h = &lb->h[i];

		if (lb->slot[i].family == 0 || h->in_cfg || h->active != 0)
			continue;
		h->freeing = true;
		any = true;
	}
	if (!any)
		return;
	if (!gen_refresh(app)) {
		for (unsigned int i = 0; i < SW_LB_SLOTS; i++)
			lb->h[i].freeing = false;
		return;
	}
	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		char name[96];

		if (!lb->h[i].freeing)
			continue;
		sw_lb_slot_name(app, i, name, sizeof(name));
		SW_LOG(NOTICE, main, "lb: backend %s drained, removed", name);
		memset(&lb->slot[i], 0, sizeof(lb->slot[i]));
		memset(&lb->h[i], 0, sizeof(lb->h[i]));
		/* The workers' counts stay; the next backend here starts
		 * from them. */
		memset(&lb->base[i], 0, sizeof(lb->base[i]));
		sw_lb_backend_counters(app, i, &lb->base[i]);
	}
}

/*
 * After a reload that removed coverage: once no flow is left at all, no
 * flow of a removed service can be (new ones start only under the
 * current services), and unprotected TCP need not be looked up. A grace
 * period that has ended is forgotten.
 */
static void
reload_settle(struct sw_app *app, uint64_t now)
{
	struct sw_lb *lb = app->lb;
	bool drained = lb->drain, graced = lb->grace_until != 0 &&
		now >= lb->grace_until;

	for (unsigned int i = 0; drained && i < app->n_workers; i++)
		if (__atomic_load_n(&app->workers[i].e.c.flow.active,
				__ATOMIC_RELAXED) != 0)
			drained = false;
	if (!drained && !graced)
		return;
	if (drained)
		lb->drain = false;
	if (graced)
		lb->grace_until = 0;
	if (!gen_refresh(app)) {
		/* The old generation stays: so does what it says. */
		lb->drain |= drained;
		if (graced)
			lb->grace_until = now;
		return;
	}
	if (drained)
		SW_LOG(NOTICE, main,
			"reload: the flows of removed services have all ended");
	if (graced)
		SW_LOG(NOTICE, main,
			"reload: grace period over, newly protected ports fully protected");
}

/*
 * A reload from `old` to `next` services: what the generations must
 * carry so that no live connection is cut (docs/architecture.md).
 */
static void
reload_transition(struct sw_app *app, const struct sw_config *old,
		const struct sw_config *next, uint64_t now)
{
	struct sw_lb *lb = app->lb;

	if (!sw_svc_covers(&next->svc, &old->svc)) {
		lb->drain = true;
		SW_LOG(NOTICE, main,
			"reload: coverage removed; its flows relay until they end");
	}
	/* Only a bridge carried connections on ports it did not protect. */
	if (next->mode == SW_MODE_INLINE &&
			next->unprotected == SW_UNPROTECTED_PASS &&
			next->reload_grace != 0 &&
			!sw_svc_covers(&old->svc, &next->svc)) {
		/* While a grace period is open, "before" stays the coverage
		 * from before it opened. */
		if (lb->grace_until == 0)
			*lb->prev = old->svc;
		lb->grace_until = now + rte_get_tsc_hz() * next->reload_grace;
		SW_LOG(NOTICE, main,
			"reload: coverage added; connections from before on it pass for %u s",
			next->reload_grace);
	}
}

void
sw_lb_tick(struct sw_app *app)
{
	const uint64_t now = rte_rdtsc();

	reload_settle(app, now);
	if (app->cfg.mode != SW_MODE_LB)
		return;
	take_answers(app);
	passive_checks(app, now);
	if (app->cfg.lb.health_interval_ms != 0)
		active_checks(app, now);
	if (app->lb->dirty)
		gen_refresh(app);
	free_drained(app);
}

/*
 * Where each backend of `cfg` goes: the slot of the same identity, or
 * a free one. A backend whose address and port a draining slot of a
 * different identity still answers for is refused: replies could not
 * tell the two apart.
 */
static int
plan_slots(const struct sw_app *app, const struct sw_config *cfg,
		uint16_t *where, char *err, size_t err_len)
{
	const struct sw_lb *lb = app->lb;
	bool taken[SW_LB_SLOTS] = { false };

	for (unsigned int b = 0; b < cfg->lb.n_backends; b++) {
		struct sw_lb_slot want;

		slot_of_conf(cfg, &cfg->lb.backend[b], &want);
		where[b] = SW_LB_NONE;
		for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
			const struct sw_lb_slot *s = &lb->slot[i];

			if (s->family == 0)
				continue;
			if (slot_same(s, &want) && !taken[i]) {
				where[b] = (uint16_t)i;
				break;
			}
			if (s->family == want.family &&
					s->port_be == want.port_be &&
					memcmp(s->addr, want.addr,
						sw_lb_addr_len(s->family)) == 0 &&
					lb->h[i].active != 0) {
				char name[96];

				sw_lb_slot_name(app, i, name, sizeof(name));
				snprintf(err, err_len,
					"backend %s still has %" PRIu64 " flows of the running config under another VIP or port; reload again once they have drained",
					name, lb->h[i].active);
				return -EBUSY;
			}
		}
		if (where[b] != SW_LB_NONE) {
			taken[where[b]] = true;
			continue;
		}
		for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
			if (lb->slot[i].family == 0 && !taken[i]) {
				where[b] = (uint16_t)i;
				taken[i] = true;
				break;
			}
		}
		if (where[b] == SW_LB_NONE) {
			snprintf(err, err_len,
				"no free backend slot: %u in use with draining ones; reload again once they have drained",
				SW_LB_SLOTS);
			return -ENOSPC;
		}
	}
	return 0;
}

int
sw_lb_reload(struct sw_app *app, char *err, size_t err_len)
{
	struct sw_lb *lb = app->lb;
	struct sw_config *next;
	uint16_t *where = NULL;
	struct sw_lb_gen *g;
	unsigned int draining = 0;
	int ret;

	if (app->config_path == NULL) {
		snprintf(err, err_len, "no config file to re-read");
		return -ENOENT;
	}
	next = malloc(sizeof(*next));
	where = malloc(sizeof(*where) * SW_LB_BACKENDS_MAX);
	if (next == NULL || where == NULL) {
		snprintf(err, err_len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	ret = sw_config_load(app->config_path, next, err, err_len);
	if (ret == 0)
		ret = sw_config_reload_check(&app->cfg, next, err, err_len);
	if (ret == 0 && next->mode == SW_MODE_LB) {
		/* Fresh counts: a slot's flows decide whether it may move. */
		for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
			struct sw_lb_bcount t;

			sw_lb_backend_counters(app, i, &t);
			lb->h[i].active = t.active;
		}
		ret = plan_slots(app, next, where, err, err_len);
	}
	if (ret != 0)
		goto out;
	/* Commit: nothing below can fail but the table build, which puts
	 * the old state back. */
	{
		struct sw_config *prev = malloc(sizeof(*prev));
		struct sw_lb_slot *slot_prev = malloc(sizeof(lb->slot));
		struct sw_lb_health *h_prev = malloc(sizeof(lb->h));

		if (prev == NULL || slot_prev == NULL || h_prev == NULL) {
			free(prev);
			free(slot_prev);
			free(h_prev);
			snprintf(err, err_len, "out of memory");
			ret = -ENOMEM;
			goto out;
		}
		const bool drain_prev = lb->drain;
		const uint64_t grace_prev = lb->grace_until;

		*prev = app->cfg;
		memcpy(slot_prev, lb->slot, sizeof(lb->slot));
		memcpy(h_prev, lb->h, sizeof(lb->h));
		reload_transition(app, &app->cfg, next, rte_rdtsc());
		app->cfg = *next;
		for (unsigned int i = 0; i < SW_LB_SLOTS; i++)
			lb->h[i].in_cfg = false;
		for (unsigned int b = 0; next->mode == SW_MODE_LB &&
				b < next->lb.n_backends; b++) {
			const unsigned int i = where[b];
			const bool fresh = lb->slot[i].family == 0;

			if (fresh) {
				/* A free slot: no flow or generation uses it. */
				slot_of_conf(next, &next->lb.backend[b],
					&lb->slot[i]);
				memset(&lb->h[i], 0, sizeof(lb->h[i]));
				lb->h[i].up = true;
			}
			/* The service index may have moved: it is only read
			 * through generations, published below. */
			lb->slot[i].svc = next->lb.backend[b].svc;
			health_set_cfg(app, i, &next->lb.backend[b]);
		}
		g = sw_lb_gen_build(app, &rte_gen_mem, err, err_len);
		if (g == NULL) {
			lb->drain = drain_prev;
			lb->grace_until = grace_prev;
			app->cfg = *prev;
			memcpy(lb->slot, slot_prev, sizeof(lb->slot));
			memcpy(lb->h, h_prev, sizeof(lb->h));
			ret = -ENOMEM;
		}
		free(prev);
		free(slot_prev);
		free(h_prev);
		if (ret != 0)
			goto out;
	}
	gen_swap(app, g);
	for (unsigned int i = 0; i < SW_LB_SLOTS; i++)
		if (lb->slot[i].family != 0 && !lb->h[i].in_cfg)
			draining++;
	rte_log_set_level_pattern("user.synwall.*", app->cfg.log_level);
	SW_LOG(NOTICE, main,
		"reload: applied %s (%u service%s, %u backend%s, %u draining)",
		app->config_path, app->cfg.svc.n_svc,
		app->cfg.svc.n_svc == 1 ? "" : "s", app->cfg.lb.n_backends,
		app->cfg.lb.n_backends == 1 ? "" : "s", draining);
out:
	free(next);
	free(where);
	return ret;
}
