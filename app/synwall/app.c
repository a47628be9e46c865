/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bringing an instance up and down: ports resolved, one mbuf pool and
 * worker per worker lcore, ports set up, workers launched. Shared by
 * main() and the component tests so both run the same code.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sodium.h>

#include "sw_app.h"
#include "sw_log.h"
#include "sw_port.h"

/* " 0=net_af_packet0 1=..." : the ports there are, for an error. */
static void
list_ports(FILE *out)
{
	uint16_t pid, n = rte_eth_dev_count_avail();

	fprintf(out, " (%u port%s available:", n, n == 1 ? "" : "s");
	RTE_ETH_FOREACH_DEV(pid) {
		char name[RTE_ETH_NAME_MAX_LEN];

		rte_eth_dev_get_name_by_port(pid, name);
		fprintf(out, " %u=%s", pid, name);
	}
	fprintf(out, ")");
}

int
sw_app_resolve_ports(struct sw_app *app)
{
	char missing[256];
	unsigned int n_missing = sw_port_missing_devices(missing,
		sizeof(missing));

	for (unsigned int s = 0; s < SW_SIDES; s++) {
		const char *text = app->cfg.port_name[s];
		uint16_t pid;

		/* Ids count the ports that came up: with one missing, "1"
		 * may now be another device, or none. */
		if (n_missing != 0 && sw_port_is_id(text)) {
			fprintf(stderr,
				"synwall: config error: [ports] %s = %s: port ids are ambiguous: %s, given to the EAL, did not become a port (see the EAL lines above), so the ids after it moved; name the ports instead",
				sw_side_name(s), text, missing);
			list_ports(stderr);
			fprintf(stderr, "\n");
			return -ENODEV;
		}
		if (sw_port_resolve(text, &pid) == 0) {
			app->port_id[s] = pid;
			continue;
		}
		fprintf(stderr, "synwall: config error: [ports] %s = %s: no such port",
			sw_side_name(s), text);
		list_ports(stderr);
		if (n_missing != 0)
			fprintf(stderr, "; %s did not come up (see the EAL lines above)",
				missing);
		fprintf(stderr, "\n");
		return -ENODEV;
	}
	if (app->port_id[SW_OUTSIDE] == app->port_id[SW_INSIDE]) {
		fprintf(stderr,
			"synwall: config error: [ports] inside = %s: same port as outside\n",
			app->cfg.port_name[SW_INSIDE]);
		return -EINVAL;
	}
	return 0;
}

/*
 * What the config asks of the worker count: in lb mode a slice of
 * [lb] snat_ports for each worker (lib/snat). Said as a config error,
 * the same at --check-config and at the start.
 */
static int
check_workers(const struct sw_config *cfg, unsigned int n_workers)
{
	const uint32_t ports = cfg->lb.snat_hi - cfg->lb.snat_lo + 1;

	if (cfg->mode != SW_MODE_LB || n_workers == 0 || ports >= n_workers)
		return 0;
	fprintf(stderr,
		"synwall: config error: [lb] snat_ports = %u-%u: %u port%s for %u workers (each needs a slice of at least one)\n",
		cfg->lb.snat_lo, cfg->lb.snat_hi, ports, ports == 1 ? "" : "s",
		n_workers);
	return -EINVAL;
}

int
sw_app_check_ports(const struct sw_app *app, unsigned int n_workers)
{
	char err[SW_ERR_LEN];

	if (check_workers(&app->cfg, n_workers) != 0)
		return -EINVAL;
	for (unsigned int s = 0; s < SW_SIDES; s++)
		if (sw_port_check(app->port_id[s], (uint16_t)n_workers, err,
				sizeof(err)) != 0) {
			fprintf(stderr, "synwall: %s: %s\n", sw_side_name(s),
				err);
			return -EINVAL;
		}
	return 0;
}

/* The PMD says a link changed: the control loop looks now. */
static int
on_lsc(uint16_t port_id __rte_unused, enum rte_eth_event_type type __rte_unused,
		void *arg, void *ret_param __rte_unused)
{
	struct sw_app *app = arg;

	__atomic_store_n(&app->link_event, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Another process may turn a port's promiscuous mode off under us:
 * dpdk-dumpcap does when it ends unless run with -p, and a bump in the
 * wire that is not promiscuous stops seeing frames for the servers'
 * MAC addresses. Turn it back on, and say who probably did it.
 */
static void
promiscuous_keep(const struct sw_app *app, unsigned int s)
{
	uint16_t port = app->port_id[s];

	if (!app->port_info[s].promiscuous ||
			rte_eth_promiscuous_get(port) != 0)
		return;
	SW_LOG(WARNING, port,
		"%s: port %u (%s): promiscuous mode was turned off by another process (dpdk-dumpcap without -p?): %s",
		sw_side_name(s), port, app->port_info[s].name,
		rte_eth_promiscuous_enable(port) == 0 ? "turned back on" :
		"cannot turn it back on");
}

void
sw_app_link_poll(struct sw_app *app, bool force)
{
	const uint64_t now = rte_rdtsc();

	if (__atomic_exchange_n(&app->link_event, 0, __ATOMIC_ACQ_REL))
		force = true;
	if (!force && now < app->link_next)
		return;
	app->link_next = now + rte_get_tsc_hz();	/* every second */
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		char why[sizeof(app->link_why[s])];
		bool up = sw_port_link_state(app->port_id[s],
			app->port_info[s].kiface, why, sizeof(why));

		if (app->link_known && up != app->link_up[s]) {
			if (up)
				SW_LOG(NOTICE, port, "%s: port %u (%s): link up, %s",
					sw_side_name(s), app->port_id[s],
					app->port_info[s].name, why);
			else
				SW_LOG(WARNING, port, "%s: port %u (%s): link down: %s",
					sw_side_name(s), app->port_id[s],
					app->port_info[s].name, why);
		}
		app->link_up[s] = up;
		memcpy(app->link_why[s], why, sizeof(why));
		promiscuous_keep(app, s);
	}
	app->link_known = true;
}

int
sw_app_setup_workers(struct sw_app *app)
{
	const struct sw_config *cfg = &app->cfg;
	unsigned int lcore, i = 0;
	char err[SW_ERR_LEN];
	int ret;

	app->n_workers = rte_lcore_count() - 1;
	if (app->n_workers == 0) {
		fprintf(stderr,
			"synwall: needs at least two lcores (e.g. -l 0,1): the main lcore is the control plane, the others are workers\n");
		return -EINVAL;
	}
	if (check_workers(cfg, app->n_workers) != 0 ||
			sw_app_keys_init(app, app->n_workers) != 0)
		return -EINVAL;
	ret = sw_lb_init(app);
	if (ret != 0)
		return ret;
	app->workers = rte_zmalloc("sw_workers",
		sizeof(*app->workers) * app->n_workers, RTE_CACHE_LINE_SIZE);
	if (app->workers == NULL) {
		fprintf(stderr, "synwall: cannot allocate %u workers\n",
			app->n_workers);
		return -ENOMEM;
	}
	for (unsigned int k = 0; k < app->n_workers; k++)
		app->workers[k].io.epfd = -1;	/* no RX interrupts yet */
	ret = sw_io_init();
	if (ret != 0) {
		fprintf(stderr, "synwall: cannot register an mbuf field: %s\n",
			rte_strerror(-ret));
		return ret;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct sw_worker *w = &app->workers[i];
		struct sw_engine *e = &w->e;
		char name[RTE_MEMPOOL_NAMESIZE];
		int socket = (int)rte_lcore_to_socket_id(lcore);

		snprintf(name, sizeof(name), "sw_mbuf_%u", i);
		w->io.pool = rte_pktmbuf_pool_create(name, cfg->mbufs,
			cfg->mbuf_cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
		if (w->io.pool == NULL) {
			fprintf(stderr,
				"synwall: [worker] mbufs = %u: cannot allocate the pool of worker %u on socket %d: %s (reserve hugepages, or run with --no-huge -m MB)\n",
				cfg->mbufs, i, socket, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		w->io.id = (uint16_t)i;
		w->io.n_workers = (uint16_t)app->n_workers;
		w->io.queue = (uint16_t)i;
		w->io.port[SW_OUTSIDE] = app->port_id[SW_OUTSIDE];
		w->io.port[SW_INSIDE] = app->port_id[SW_INSIDE];
		w->io.answers = app->lb->answers;
		w->io.c = &e->c;
		w->io.logtype = sw_logtype_worker;
		w->lcore_id = (uint16_t)lcore;
		w->drain_tsc = rte_get_tsc_hz() / 1000000 * cfg->tx_drain_us;
		w->idle_adaptive = cfg->idle == SW_IDLE_ADAPTIVE;
		w->idle_sleep_max_us = cfg->idle_sleep_max_us;
		w->checks = i == 0 ? app->lb->probes : NULL;
		w->quit = &app->quit;
		w->qs = app->qs;
		ret = sw_worker_setup(w, cfg, (uint16_t)i,
			(uint16_t)app->n_workers, socket, err, sizeof(err));
		if (ret != 0) {
			fprintf(stderr, "synwall: %s\n", err);
			return ret;
		}
		e->genp = (struct sw_lb_gen *const volatile *)&app->lb->gen;
		e->gen = app->lb->gen;
		e->svc = &e->gen->svc;
		e->slots = app->lb->slot;
		e->keys = (struct sw_cookie_keys *const volatile *)&app->keys;
		if (cfg->mode == SW_MODE_LB) {
			for (unsigned int s = 0; s < SW_SIDES; s++) {
				struct rte_ether_addr a;

				if (rte_eth_macaddr_get(app->port_id[s], &a) != 0) {
					fprintf(stderr,
						"synwall: %s port %u: no MAC address\n",
						sw_side_name(s), app->port_id[s]);
					return -ENODEV;
				}
				memcpy(e->mac[s], a.addr_bytes, 6);
			}
		}
		rte_rcu_qsbr_thread_register(app->qs, i);
		i++;
	}
	/* Where backends' answers to source NAT land: per worker, for the
	 * NICs' flow rules (docs/lb.md, "Source NAT"). */
	for (unsigned int k = 0; cfg->mode == SW_MODE_LB &&
			k < app->n_workers; k++) {
		const struct sw_engine *e = &app->workers[k].e;

		SW_LOG(INFO, worker,
			"worker %u: source NAT ports %u-%u of [lb] snat_ports %u-%u",
			k, e->snat.first, e->snat.first + e->snat.n - 1,
			cfg->lb.snat_lo, cfg->lb.snat_hi);
	}
	return 0;
}

/*
 * With several workers, both directions of a flow must meet on one.
 * Symmetric RSS does it in the NICs when both ports have it; otherwise
 * (or with steering = software) every worker hands packets it does not
 * own to their owner through a ring per (sender, owner) pair.
 */
static int
setup_steering(struct sw_app *app)
{
	const unsigned int n = app->n_workers;
	bool rss = app->port_info[SW_OUTSIDE].rss_hf != 0 &&
		app->port_info[SW_INSIDE].rss_hf != 0;

	/* lb mode NATs: a backend's reply does not hash like its client's
	 * segment, so the NICs cannot bring them together. */
	if (n < 2 || (rss && app->cfg.steering == SW_STEERING_AUTO &&
			app->cfg.mode != SW_MODE_LB))
		return 0;
	app->rings = rte_zmalloc("sw_steer", sizeof(*app->rings) * n * n,
		RTE_CACHE_LINE_SIZE);
	if (app->rings == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		struct sw_worker *w = &app->workers[i];

		w->e.steer = true;
		w->io.ring_out = &app->rings[i * n];	/* [i][j]: i → j */
		w->io.ring_in = rte_zmalloc("sw_steer_in",
			sizeof(*w->io.ring_in) * n, RTE_CACHE_LINE_SIZE);
		if (w->io.ring_in == NULL)
			return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int j = 0; j < n; j++) {
			char name[RTE_RING_NAMESIZE];
			struct rte_ring *r;

			if (i == j)
				continue;
			snprintf(name, sizeof(name), "sw_steer_%u_%u",
				(uint16_t)i, (uint16_t)j);
			r = rte_ring_create(name, SW_STEER_RING,
				(int)rte_lcore_to_socket_id(
					app->workers[j].lcore_id),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL) {
				fprintf(stderr,
					"synwall: cannot create steering ring %s: %s\n",
					name, rte_strerror(rte_errno));
				return -ENOMEM;
			}
			app->rings[i * n + j] = r;
			app->workers[j].io.ring_in[i] = r;
		}
	}
	SW_LOG(NOTICE, worker,
		"%u workers, %s: flows steered to their owner in software",
		n, app->cfg.mode == SW_MODE_LB ? "lb mode" :
		rss ? "steering = software" : "a port has no RSS");
	return 0;
}

/*
 * [worker] idle = adaptive: where both ports have RX interrupts, an
 * idle worker waits on them; elsewhere it sleeps in bounded steps.
 */
static void
setup_rx_intr(struct sw_app *app)
{
	const struct sw_port_info *pi = app->port_info;
	unsigned int n = 0;
	int ret = 0;

	if (app->cfg.idle != SW_IDLE_ADAPTIVE)
		return;
	/* Frames handed over by another worker come through a ring, which
	 * has no interrupt: those workers sleep, in bounded steps. */
	if (app->workers[0].e.steer) {
		SW_LOG(NOTICE, worker,
			"idle = adaptive: software steering between workers (rings, no interrupts): idle workers sleep, %u us at most",
			app->cfg.idle_sleep_max_us);
		return;
	}
	if (!pi[SW_OUTSIDE].rx_intr || !pi[SW_INSIDE].rx_intr) {
		const struct sw_port_info *no = pi[SW_OUTSIDE].rx_intr ?
			&pi[SW_INSIDE] : &pi[SW_OUTSIDE];

		SW_LOG(NOTICE, worker,
			"idle = adaptive: %s (%s) has no RX interrupts: idle workers sleep, %u us at most",
			no->name, no->driver, app->cfg.idle_sleep_max_us);
		return;
	}
	for (; n < app->n_workers && ret == 0; n++)
		ret = sw_io_intr_open(&app->workers[n].io);
	if (ret != 0) {
		for (unsigned int i = 0; i < n; i++)
			sw_io_intr_close(&app->workers[i].io);
		SW_LOG(NOTICE, worker,
			"idle = adaptive: RX interrupts not usable (%s): idle workers sleep, %u us at most",
			rte_strerror(-ret), app->cfg.idle_sleep_max_us);
		return;
	}
	SW_LOG(NOTICE, worker,
		"idle = adaptive: idle workers wait on RX interrupts");
}

int
sw_app_setup_ports(struct sw_app *app)
{
	struct rte_mempool *pools[RTE_MAX_LCORE];
	char err[SW_ERR_LEN];

	app->ports_up = true;
	for (unsigned int i = 0; i < app->n_workers; i++)
		pools[i] = app->workers[i].io.pool;
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		struct sw_port_params p = {
			.port_id = app->port_id[s],
			.lsc_cb = on_lsc,
			.lsc_arg = app,
			.n_queues = (uint16_t)app->n_workers,
			.rx_desc = (uint16_t)app->cfg.rx_desc,
			.tx_desc = (uint16_t)app->cfg.tx_desc,
			.promiscuous = app->cfg.promiscuous != 0,
			.rx_intr = app->cfg.idle == SW_IDLE_ADAPTIVE,
			.pools = pools,
		};
		struct sw_port_info *pi = &app->port_info[s];
		char link[64];
		int ret;

		ret = sw_port_setup(&p, pi, err, sizeof(err));
		if (ret != 0) {
			fprintf(stderr, "synwall: %s: %s\n", sw_side_name(s),
				err);
			return ret;
		}
		sw_port_link_str(p.port_id, pi->kiface, 1000, link,
			sizeof(link));
		SW_LOG(NOTICE, port,
			"%s: port %u %s (%s%s%s) %u rxq/txq, %u/%u desc, rx offloads 0x%" PRIx64
			", tx offloads 0x%" PRIx64 ", rss 0x%" PRIx64 "%s, %s (%s)",
			sw_side_name(s), p.port_id, pi->name, pi->driver,
			pi->kiface[0] != '\0' ? " on " : "", pi->kiface,
			p.n_queues, pi->rx_desc, pi->tx_desc, pi->rx_offloads,
			pi->tx_offloads, pi->rss_hf,
			pi->promiscuous ? ", promiscuous" : "", link,
			pi->lsc ? "link changes by interrupt" :
			"link polled every second");
	}
	sw_app_link_poll(app, true);
	/* Replies leave by the outside port: may the NIC sum them? */
	for (unsigned int i = 0; i < app->n_workers; i++) {
		const uint64_t tx = app->port_info[SW_OUTSIDE].tx_offloads;

		app->workers[i].e.tx_cksum4 =
			(tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) &&
			(tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
		app->workers[i].e.tx_cksum6 = tx & RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	}
	const int ret = setup_steering(app);

	if (ret == 0)
		setup_rx_intr(app);
	return ret;
}

void
sw_app_launch(struct sw_app *app)
{
	app->quit = false;
	app->start_tsc = rte_rdtsc();
	for (unsigned int i = 0; i < app->n_workers; i++)
		rte_eal_remote_launch(sw_worker_main, &app->workers[i],
			app->workers[i].lcore_id);
}

void
sw_app_stop(struct sw_app *app)
{
	app->quit = true;
	rte_eal_mp_wait_lcore();
}

void
sw_app_free(struct sw_app *app)
{
	/* Held frames back to their pools first (a worker holds frames of
	 * other workers' pools), while every pool is still there; then
	 * the ports (their queues free into the pools), the rings with
	 * whatever is still in them, and only then the pools. */
	for (unsigned int i = 0; app->workers != NULL && i < app->n_workers;
			i++)
		sw_worker_teardown(&app->workers[i]);
	for (unsigned int i = 0; app->workers != NULL && i < app->n_workers;
			i++)
		sw_io_intr_close(&app->workers[i].io);
	if (app->ports_up)
		for (unsigned int s = 0; s < SW_SIDES; s++)
			sw_port_close(app->port_id[s]);
	app->ports_up = false;
	if (app->rings != NULL) {
		for (unsigned int i = 0; i < app->n_workers * app->n_workers;
				i++) {
			void *m;

			while (app->rings[i] != NULL &&
					rte_ring_dequeue(app->rings[i], &m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(app->rings[i]);
		}
		rte_free(app->rings);
		app->rings = NULL;
	}
	if (app->workers != NULL) {
		for (unsigned int i = 0; i < app->n_workers; i++) {
			struct sw_worker *w = &app->workers[i];

			rte_free(w->io.ring_in);
			rte_mempool_free(w->io.pool);
		}
		rte_free(app->workers);
	}
	app->workers = NULL;
	sw_lb_free(app);
	rte_free(app->qs);
	app->qs = NULL;
	sodium_memzero(app->master, sizeof(app->master));
}
