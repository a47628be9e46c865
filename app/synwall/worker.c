/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore: its loop (as l3fwd's: drain TX on a timer, receive
 * a burst per port, let the engine decide, poll its timers) and the
 * memory its engine runs over.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "sw_log.h"
#include "sw_worker.h"

#define CHECKS_PER_POLL	8	/* lb health checks sent per loop */
#define CLUSTER_LOOKUP_BURST	32	/* [cluster] lookups a worker may ask at once */

/* This start of the node: random, never 0, the same for every worker
 * (workers are configured one after another on the main lcore). */
static uint64_t
node_boot_id(void)
{
	static uint64_t id;

	while (id == 0)
		id = rte_rand();
	return id;
}

void
sw_worker_params(const struct sw_config *cfg, uint16_t id, uint16_t n_workers,
		struct sw_engine_params *p)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->n_workers = n_workers;
	p->lb = cfg->mode == SW_MODE_LB;
	p->burst = (uint16_t)cfg->burst;
	p->flows = cfg->flows;
	p->flows6 = cfg->flows6;
	p->hold = cfg->hold;
	p->syn_retries = cfg->syn_retries;
	p->syn_timeout_ms = cfg->syn_timeout_ms;
	p->learn_refresh_ms = cfg->learn_refresh_ms;
	p->established_timeout = cfg->established_timeout;
	p->half_closed_timeout = cfg->half_closed_timeout;
	p->closing_timeout = cfg->closing_timeout;
	p->linger_ms = cfg->linger_ms;
	p->challenge_ack_rate = cfg->challenge_ack_rate;
	p->neigh_entries = cfg->lb.neigh_entries;
	if (p->lb) {
		p->snat_lo = (uint16_t)cfg->lb.snat_lo;
		p->snat_hi = (uint16_t)cfg->lb.snat_hi;
	}
}

int
sw_worker_configure(struct sw_engine *e, const struct sw_config *cfg,
		unsigned int n_workers, uint64_t hz, char *err, size_t err_len)
{
	e->drop_unprotected = cfg->unprotected == SW_UNPROTECTED_DROP;
	e->ttl = (uint8_t)cfg->ttl;
	e->window = (uint16_t)cfg->window;
	e->rst_on_bad = cfg->rst_on_bad != 0;
	sw_gcra_init(&e->reflect, cfg->reflect_rate, cfg->reflect_burst, hz);
	/* The total is shared out: each worker gets its part. */
	sw_gcra_init(&e->reflect_total, cfg->reflect_total == 0 ? 0 :
		RTE_MAX(cfg->reflect_total / n_workers, 1u),
		cfg->reflect_burst, hz);
	sw_gcra_init(&e->rst, cfg->rst_rate, 1, hz);
	if (cfg->mode != SW_MODE_LB)
		return 0;
	for (unsigned int i = 0; i < cfg->lb.n_static; i++) {
		const struct sw_lb_neigh_static *s = &cfg->lb.neigh_static[i];

		if (sw_neigh_static(&e->neigh, s->family, s->addr,
				s->mac) != 0) {
			snprintf(err, err_len,
				"[lb] neighbours: no room for static entry %u in worker %u's table (raise neigh_entries)",
				i + 1, e->id);
			return -ENOSPC;
		}
	}
	memcpy(e->own[SW_OUTSIDE], cfg->lb.outside, sizeof(cfg->lb.outside));
	memcpy(e->own[SW_INSIDE], cfg->lb.inside, sizeof(cfg->lb.inside));
	memcpy(e->snat_addr, cfg->lb.snat, sizeof(cfg->lb.snat));
	memcpy(e->gateway, cfg->lb.gateway, sizeof(e->gateway));
	memcpy(e->has_gateway, cfg->lb.has_gateway, sizeof(e->has_gateway));
	/* [cluster]: the peers, and the lookup rate shared out. */
	static_assert(SW_CLUSTER_PEERS_MAX <= SW_CLUSTER_PEERS,
		"[cluster] peers fit the engine");
	e->n_peers = (uint8_t)cfg->lb.n_peers;
	for (unsigned int i = 0; i < cfg->lb.n_peers; i++) {
		e->peers[i].family = cfg->lb.peer[i].family;
		memcpy(e->peers[i].addr, cfg->lb.peer[i].addr, 16);
	}
	sw_gcra_init(&e->lookup, RTE_MAX(cfg->lb.lookup_rate / n_workers, 1u),
		CLUSTER_LOOKUP_BURST, hz);
	/* Hellos: worker 0 says them, every worker judges by them. The
	 * start's id is the node's, one for all its workers. */
	e->peer_timeout = cfg->lb.n_peers == 0 ? 0 :
		(uint64_t)cfg->lb.peer_timeout_ms * hz / 1000;
	e->boot_id = node_boot_id();
	return 0;
}

int
sw_worker_setup(struct sw_worker *w, const struct sw_config *cfg,
		uint16_t id, uint16_t n_workers, int socket, char *err,
		size_t err_len)
{
	const bool lb = cfg->mode == SW_MODE_LB;
	size_t len = sw_engine_memsize(cfg->flows, cfg->flows6);
	struct sw_engine_params p;
	int ret;

	sw_worker_params(cfg, id, n_workers, &p);
	p.tsc_hz = rte_get_tsc_hz();
	p.now = rte_rdtsc();
	p.io = &sw_io_ops;
	p.io_ctx = &w->io;
	p.neigh_seed = rte_rand();
	if (len == 0) {
		snprintf(err, err_len,
			"[worker] flows + flows6 = %u: too many in all",
			cfg->flows + cfg->flows6);
		return -EINVAL;
	}
	/* Hugepages when there are some; else anonymous memory, asked to
	 * be backed by transparent huge pages (a random lookup over 4 KiB
	 * pages misses the TLB as well as the cache) and faulted in now so
	 * that the data path never page-faults. */
	w->flow_mem = NULL;
	if (rte_eal_has_hugepages())
		w->flow_mem = rte_zmalloc_socket("sw_flows", len, 64, socket);
	w->flow_mem_rte = w->flow_mem != NULL;
	if (w->flow_mem == NULL) {
		void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED) {
			snprintf(err, err_len,
				"[worker] flows = %u, flows6 = %u: cannot allocate %zu MiB for worker %u's flow tables",
				cfg->flows, cfg->flows6, len >> 20, id);
			return -ENOMEM;
		}
		(void)madvise(mem, len, MADV_HUGEPAGE);	/* a hint */
		memset(mem, 0, len);
		w->flow_mem = mem;
	}
	w->flow_mem_len = len;
	p.flow_mem = w->flow_mem;
	if (lb) {
		const size_t nlen = sw_engine_neigh_memsize(cfg->lb.neigh_entries);

		w->bc_mem = rte_zmalloc_socket("sw_lb_bc",
			sizeof(*p.bc) * SW_LB_SLOTS, RTE_CACHE_LINE_SIZE, socket);
		p.bc = w->bc_mem;
		w->neigh_mem = nlen == 0 ? NULL : rte_zmalloc_socket(
			"sw_neigh", nlen, RTE_CACHE_LINE_SIZE, socket);
		p.neigh_mem = w->neigh_mem;
		/* A slice of [lb] snat_ports: its free ports, their flows.
		 * (0: too few ports for the workers; sw_engine_init says.) */
		const size_t slen = sw_engine_snat_memsize(p.snat_lo, p.snat_hi,
			n_workers);

		w->snat_mem = slen == 0 ? NULL : rte_zmalloc_socket("sw_snat",
			slen, RTE_CACHE_LINE_SIZE, socket);
		p.snat_mem = w->snat_mem;
	}
	ret = sw_engine_init(&w->e, &p, err, err_len);
	if (ret != 0)
		return ret;
	SW_LOG(INFO, worker,
		"worker %u: %u IPv4 + %u IPv6 flows in %zu MiB (%s)",
		id, cfg->flows, cfg->flows6, len >> 20,
		w->flow_mem_rte ? "hugepages" : "anonymous");
	return sw_worker_configure(&w->e, cfg, n_workers, p.tsc_hz, err,
		err_len);
}

void
sw_worker_teardown(struct sw_worker *w)
{
	sw_engine_release(&w->e);
	if (w->flow_mem != NULL) {
		if (w->flow_mem_rte)
			rte_free(w->flow_mem);
		else
			munmap(w->flow_mem, w->flow_mem_len);
	}
	w->flow_mem = NULL;
	rte_free(w->neigh_mem);
	w->neigh_mem = NULL;
	rte_free(w->snat_mem);
	w->snat_mem = NULL;
	rte_free(w->bc_mem);
	w->bc_mem = NULL;
}

/* Frames other workers steered to this one, per source ring. */
static uint64_t
steered_in(struct sw_worker *w, struct sw_frame **f, uint64_t now)
{
	for (uint16_t j = 0; j < w->io.n_workers; j++) {
		uint16_t n;
		uint64_t done;

		if (j == w->io.id)
			continue;
		n = sw_io_steered(&w->io, j, f, w->e.burst);
		if (n == 0)
			continue;
		sw_engine_process_steered(&w->e, f, n, now);
		done = rte_rdtsc();
		w->e.c.busy_cycles += done - now;
		now = done;
	}
	return now;
}

/*
 * [worker] idle = adaptive: after IDLE_SPIN loops in a row that found
 * nothing to do, pause in each loop (the core's spin-wait hint); after
 * IDLE_PAUSE, rest until work can be there again:
 *
 * - where both ports have RX interrupts (and no software steering,
 *   whose rings have none: sw_app_setup_ports), arm them, poll once
 *   more (a frame that came before the arming is found there, not slept
 *   on), then wait on them: a frame wakes the worker at once. The wait
 *   ends after IDLE_INTR_MS anyway, for timers and expiry, or 1 ms on
 *   the worker that sends lb health checks (their clock runs from when
 *   the main lcore queued them). The worker is RCU-offline meanwhile,
 *   so a reload or key rotation does not wait for it;
 * - elsewhere, sleep: 1 µs then doubling up to idle_sleep_max_us, which
 *   bounds how late a frame arriving at an idle worker is seen.
 *
 * Any work starts the count again, so a loaded worker never rests. The
 * sleep or wait is a system call of a worker that had nothing to do,
 * never on a packet's path.
 */
#define IDLE_SPIN	256
#define IDLE_PAUSE	2048
#define IDLE_INTR_MS	10

static inline void
idle_backoff(struct sw_worker *w, uint32_t *n)
{
	uint32_t us;

	if (++*n < IDLE_SPIN)
		return;
	if (*n < IDLE_PAUSE) {
		rte_pause();
		return;
	}
	if (w->io.epfd >= 0) {
		if (!w->io.intr_armed) {
			sw_io_intr_arm(&w->io);	/* the next loop polls once more */
			return;
		}
		w->e.c.idle_intr_waits++;
		rte_rcu_qsbr_thread_offline(w->qs, w->e.id);
		if (sw_io_intr_wait(&w->io, w->checks != NULL ? 1 :
				IDLE_INTR_MS) > 0)
			w->e.c.idle_intr_wakes++;
		rte_rcu_qsbr_thread_online(w->qs, w->e.id);
		return;
	}
	us = *n - IDLE_PAUSE < 16 ? UINT32_C(1) << (*n - IDLE_PAUSE) :
		UINT32_MAX;
	w->e.c.idle_sleeps++;
	rte_delay_us_sleep(RTE_MIN(us, w->idle_sleep_max_us));
}

int
sw_worker_main(void *arg)
{
	struct sw_worker *w = arg;
	struct sw_engine *e = &w->e;
	struct rte_mbuf *pkts[SW_BURST_MAX];
	struct sw_frame *f[SW_BURST_MAX];
	uint64_t last_drain = rte_rdtsc();
	uint32_t idle = 0;

	SW_LOG(INFO, worker, "worker %u on lcore %u: queue %u, burst %u, idle %s",
		e->id, w->lcore_id, w->io.queue, e->burst,
		w->idle_adaptive ? "adaptive" : "poll");
	/* A sleep of a few µs must not become the kernel's default 50 µs
	 * of timer slack. */
	if (w->idle_adaptive && prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0) != 0)
		SW_LOG(NOTICE, worker, "worker %u: timer slack not lowered: %s",
			e->id, strerror(errno));
	rte_rcu_qsbr_thread_online(w->qs, e->id);
	while (!*w->quit) {
		uint64_t checks[CHECKS_PER_POLL];
		unsigned int n_checks = 0;
		uint64_t now = rte_rdtsc();
		const uint64_t busy0 = e->c.busy_cycles;

		/* Holds no key-set pointer across iterations. */
		rte_rcu_qsbr_quiescent(w->qs, e->id);
		e->c.loops++;
		if (unlikely(now - last_drain >= w->drain_tsc)) {
			sw_engine_flush(e);
			last_drain = now;
		}
		bool saturated = false;

		for (unsigned int side = 0; side < SW_SIDES; side++) {
			const uint16_t n = sw_io_rx(&w->io, side, pkts, f,
				e->burst);
			uint64_t done;

			saturated |= n == e->burst;
			if (n == 0)
				continue;
			sw_engine_process(e, side, f, n, now);
			done = rte_rdtsc();
			e->c.busy_cycles += done - now;
			now = done;
		}
		/* Light load (no port had a full burst waiting): what is
		 * queued leaves now instead of waiting for the drain timer.
		 * Under load the batches fill and leave full. */
		if (!saturated && sw_engine_tx_pending(e)) {
			uint64_t done;

			sw_engine_flush(e);
			done = rte_rdtsc();
			e->c.busy_cycles += done - now;
			now = done;
		}
		if (e->steer)
			now = steered_in(w, f, now);
		if (w->checks != NULL)
			n_checks = rte_ring_sc_dequeue_burst_elem(w->checks,
				checks, sizeof(checks[0]), CHECKS_PER_POLL,
				NULL);
		/* Expiry work (backend SYN retries, frees) is busy time. */
		if (sw_engine_poll(e, now, checks, n_checks))
			e->c.busy_cycles += rte_rdtsc() - now;
		/* Busy cycles grow exactly when this loop had work. */
		if (w->idle_adaptive) {
			if (e->c.busy_cycles != busy0 || n_checks != 0) {
				idle = 0;
				if (unlikely(w->io.intr_armed))
					sw_io_intr_disarm(&w->io);
			} else {
				idle_backoff(w, &idle);
			}
		}
	}
	sw_engine_flush(e);
	rte_rcu_qsbr_thread_offline(w->qs, e->id);
	SW_LOG(INFO, worker, "worker %u stopped", e->id);
	return 0;
}

static_assert(sizeof(struct sw_counters) % sizeof(uint64_t) == 0,
	"sw_counters must hold only uint64_t");

void
sw_counters_sum(const struct sw_worker *w, unsigned int n,
		struct sw_counters *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < n; i++) {
		const uint64_t *src = (const uint64_t *)&w[i].e.c;
		uint64_t *dst = (uint64_t *)t;

		/* sw_counters is only uint64_t fields (asserted above). */
		for (size_t k = 0; k < sizeof(*t) / sizeof(uint64_t); k++)
			dst[k] += src[k];
	}
}
