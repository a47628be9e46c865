/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device under test.
 *
 * In this process (synwall, 5tswap, io) the DUT's ports and the bench's
 * are net_ring pairs: what the bench sends on its outside port, the
 * DUT's outside port receives, and back. That is the least I/O cost a
 * DPDK port can have, so the DUT's own work dominates. Every lcore but
 * the main one is a DUT worker with one queue pair on each DUT port.
 * Otherwise (external) the bench's ports are the EAL's, and the DUT is
 * whatever is on their other end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "sw_app.h"
#include "swb.h"

#define RING_SIZE	2048	/* per queue and direction */
#define REF_BURST	32

/* A reference worker: testpmd's 5tswap, io or rxonly on a queue pair. */
struct ref_worker {
	uint16_t port[SW_SIDES];
	uint16_t queue;
	enum swb_dut kind;
	const volatile bool *quit;
	uint64_t rx;
	uint64_t tx;
	uint64_t busy_cycles;
} __rte_cache_aligned;

struct dut {
	enum swb_dut kind;
	uint16_t port[SW_SIDES];	/* the DUT's side of the ring pairs */
	struct rte_ring *rings[SW_SIDES][2][SWB_QUEUES_MAX];
	struct sw_app *app;		/* synwall */
	FILE *conf;			/* its default config (a memfd) */
	struct ref_worker *ref;		/* references: one per worker */
	unsigned int n_workers;
	int remote;			/* external: telemetry socket, or -1 */
	volatile bool quit;
	bool running;
};

static const char *const dut_names[] = {
	[SWB_DUT_SYNWALL] = "synwall",
	[SWB_DUT_5TSWAP] = "5tswap",
	[SWB_DUT_IO] = "io",
	[SWB_DUT_RXONLY] = "rxonly",
	[SWB_DUT_EXTERNAL] = "external",
};

const char *
swb_dut_name(enum swb_dut d)
{
	return dut_names[d];
}

/* 5tswap as testpmd does it: Ethernet, IP and TCP/UDP ports swapped. */
static void
five_tuple_swap(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr a = eth->src_addr;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	uint32_t addr;
	uint16_t port;

	eth->src_addr = eth->dst_addr;
	eth->dst_addr = a;
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*ip) +
			sizeof(*tcp))
		return;
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	addr = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = addr;
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return;
	tcp = (struct rte_tcp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	port = tcp->src_port;
	tcp->src_port = tcp->dst_port;
	tcp->dst_port = port;
}

static int
ref_main(void *arg)
{
	struct ref_worker *r = arg;
	struct rte_mbuf *pkts[REF_BURST];

	while (!*r->quit) {
		uint64_t now = rte_rdtsc();

		for (unsigned int s = 0; s < SW_SIDES; s++) {
			uint16_t n = rte_eth_rx_burst(r->port[s], r->queue, pkts,
				REF_BURST), sent;
			uint64_t done;

			if (n == 0)
				continue;
			if (r->kind == SWB_DUT_5TSWAP)
				for (uint16_t i = 0; i < n; i++)
					five_tuple_swap(pkts[i]);
			sent = r->kind == SWB_DUT_RXONLY ? 0 :
				rte_eth_tx_burst(r->kind == SWB_DUT_5TSWAP ?
					r->port[s] : r->port[s ^ 1], r->queue,
					pkts, n);
			if (sent < n)
				rte_pktmbuf_free_bulk(pkts + sent, n - sent);
			r->rx += n;
			r->tx += sent;
			done = rte_rdtsc();
			r->busy_cycles += done - now;
			now = done;
		}
	}
	return 0;
}

static int
port_start(uint16_t port, uint16_t nq, struct rte_mempool *pool, char *err,
		size_t len)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	for (uint16_t q = 0; ret == 0 && q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, 1024,
			rte_eth_dev_socket_id(port), NULL, pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, 1024,
				rte_eth_dev_socket_id(port), NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret == 0)
		rte_eth_promiscuous_enable(port);
	if (ret != 0) {
		snprintf(err, len, "port %u: cannot start: %s", port,
			rte_strerror(-ret));
		return ret;
	}
	/* Like testpmd: traffic starts when the link is up (memif and
	 * af_packet take a moment), or after 5 s with a warning. */
	for (int i = 0; i < 50; i++) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(port, &link) == 0 &&
				link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(100);
	}
	fprintf(stderr, "synwall-bench: port %u: link still down after 5 s\n",
		port);
	return 0;
}

/* Two ring ports per side: the bench's and the DUT's, crossed. */
static int
ring_pairs(struct swb *b, struct dut *d, char *err, size_t len)
{
	static const char *const side_tag[SW_SIDES] = { "out", "in" };
	const unsigned int nq = d->n_workers;

	for (unsigned int s = 0; s < SW_SIDES; s++) {
		char name[RTE_RING_NAMESIZE];
		int gen, dut;

		for (unsigned int dir = 0; dir < 2; dir++)
			for (unsigned int q = 0; q < nq; q++) {
				/* dir 0: bench → DUT, 1: DUT → bench */
				snprintf(name, sizeof(name), "swb_%s%u_%u",
					side_tag[s], dir, q);
				d->rings[s][dir][q] = rte_ring_create(name,
					RING_SIZE, (int)rte_socket_id(),
					RING_F_SP_ENQ | RING_F_SC_DEQ);
				if (d->rings[s][dir][q] == NULL) {
					snprintf(err, len, "ring %s: %s", name,
						rte_strerror(rte_errno));
					return -ENOMEM;
				}
			}
		snprintf(name, sizeof(name), "swb_gen_%s", side_tag[s]);
		gen = rte_eth_from_rings(name, d->rings[s][1], nq,
			d->rings[s][0], nq, rte_socket_id());
		snprintf(name, sizeof(name), "swb_dut_%s", side_tag[s]);
		dut = rte_eth_from_rings(name, d->rings[s][0], nq,
			d->rings[s][1], nq, rte_socket_id());
		if (gen < 0 || dut < 0) {
			snprintf(err, len, "net_ring ports: %s",
				rte_strerror(rte_errno));
			return -ENODEV;
		}
		b->port[s] = (uint16_t)gen;
		d->port[s] = (uint16_t)dut;
		for (unsigned int q = 0; q < nq; q++)
			b->to_dut[s][q] = d->rings[s][0][q];
	}
	b->n_queues = (uint16_t)nq;
	return 0;
}

/* An IPv4 address (host order) as text. */
static const char *
ip_text(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255,
		a & 255);
	return buf;
}

/* Host `h` of a's /24, or `alt` when that is a itself. */
static uint32_t
host24(uint32_t a, uint32_t h, uint32_t alt)
{
	return (a & UINT32_C(0xffffff00)) | ((a & 255) == h ? alt : h);
}

/*
 * --lb: synwall as a load balancer in front of one backend (docs/lb.md),
 * set up so that every frame is deterministic: no ARP (static
 * neighbours: the outside gateway at the clients' MAC, the backend at
 * the servers'), no health checks (active off, passive off: a backend
 * SYN that times out must show as a timeout, not take the pool down).
 * The VIP is --server, in a /24 that synwall owns on the outside
 * (.1, and .254 its gateway; .2 and .253 when the VIP is one of them);
 * the clients (198.18.0.0/15) are off-link, reached by that gateway.
 * The backend (--backend) is in its own /24 on the inside, synwall .1
 * (.2). main.c checks that the two /24s and the clients' /15 are apart.
 */
static void
lb_conf(const struct swb *b, FILE *f)
{
	const uint32_t vip = rte_be_to_cpu_32(b->dst_ip);
	const uint32_t be = rte_be_to_cpu_32(b->srv_ip);
	char out[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], in[INET_ADDRSTRLEN];
	char bea[INET_ADDRSTRLEN], gmac[RTE_ETHER_ADDR_FMT_SIZE];
	char bmac[RTE_ETHER_ADDR_FMT_SIZE];

	ip_text(host24(vip, 1, 2), out, sizeof(out));
	ip_text(host24(vip, 254, 253), gw, sizeof(gw));
	ip_text(host24(be, 1, 2), in, sizeof(in));
	ip_text(be, bea, sizeof(bea));
	rte_ether_format_addr(gmac, sizeof(gmac), &b->mac_client);
	rte_ether_format_addr(bmac, sizeof(bmac), &b->mac_server);
	fprintf(f,
		"[lb]\noutside_address = %s/24\noutside_gateway = %s\n"
		"inside_address = %s/24\nneighbours = %s %s, %s %s\n"
		"health_interval_ms = 0\npassive_fall = 0\n",
		out, gw, in, gw, gmac, bea, bmac);
}

/*
 * The config synwall runs with when the bench is not given one: the
 * server the engines talk to protected (inline; with --lb, a VIP in
 * front of one backend), tables sized for the flows the engine opens
 * plus those a handshake run leaves lingering (linger_ms, 2 s, at up to
 * about 1.5 M connections a second).
 */
static int
default_conf(const struct swb *b, struct dut *d, char *path, size_t plen)
{
	char ip[INET_ADDRSTRLEN], be[INET_ADDRSTRLEN];
	FILE *f;
	int fd;

	ip_text(rte_be_to_cpu_32(b->dst_ip), ip, sizeof(ip));
	fd = memfd_create("synwall-bench.conf", 0);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -ENOMEM;
	}
	fprintf(f,
		"[synwall]\nstats_interval = 0\n%s"
		"[worker]\nflows = %u\n",
		b->lb ? "mode = lb\n" : "", b->flows + 3000000u);
	if (b->idle != NULL)
		fprintf(f, "idle = %s\n", b->idle);
	if (b->lb) {
		lb_conf(b, f);
		ip_text(rte_be_to_cpu_32(b->srv_ip), be, sizeof(be));
		/* The backend keeps the VIP port unless --backend names one. */
		/* first_contact = trust: the bench measures synwall with a
		 * server it knows (first contact has its own tests). */
		fprintf(f, "[service:bench]\nprefix = %s\nports = %u\n"
			"first_contact = trust\n%sbackends = %s", ip,
			b->dst_port, b->snat ? "nat = snat\n" : "", be);
		if (b->srv_port != b->dst_port)
			fprintf(f, ":%u", b->srv_port);
		fprintf(f, "\n");
	} else {
		/* 2001:db8::80 too: --ipv6 floods it. */
		fprintf(f, "[service:bench]\nprefix = %s/32, 2001:db8::80/128\n"
			"ports = %u\nfirst_contact = trust\n", ip, b->dst_port);
	}
	fflush(f);
	/* Open until swb_dut_free(): the path names it. */
	d->conf = f;
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	return 0;
}

static int
synwall_setup(struct swb *b, struct dut *d, const char *conf, char *err,
		size_t len)
{
	char path[64], cerr[SW_ERR_LEN];
	struct sw_app *app;

	app = calloc(1, sizeof(*app));
	if (app == NULL)
		return -ENOMEM;
	d->app = app;
	if (conf == NULL) {
		if (default_conf(b, d, path, sizeof(path)) != 0) {
			snprintf(err, len, "cannot write synwall's config");
			return -ENOMEM;
		}
		conf = path;
	}
	if (sw_config_load(conf, &app->cfg, cerr, sizeof(cerr)) != 0) {
		snprintf(err, len, "synwall config: %s", cerr);
		return -EINVAL;
	}
	/* The engines that play the servers must know where the backend
	 * is and which MACs synwall writes: the bench's own lb config. */
	if (app->cfg.mode == SW_MODE_LB && !b->lb && (b->eng == &swb_handshake ||
			b->eng == &swb_relay)) {
		snprintf(err, len,
			"%s is a mode = lb config: --mode %s plays the backend and needs --lb (the bench's own lb config) instead",
			conf, b->eng->name);
		return -EINVAL;
	}
	for (unsigned int s = 0; s < SW_SIDES; s++)
		snprintf(app->cfg.port_name[s], sizeof(app->cfg.port_name[s]),
			"%u", d->port[s]);
	if (sw_app_resolve_ports(app) != 0 || sw_app_setup_workers(app) != 0 ||
			sw_app_setup_ports(app) != 0) {
		snprintf(err, len, "synwall did not start (see above)");
		return -EINVAL;
	}
	sw_telemetry_register(app);
	b->keys = app->keys;
	/* In lb mode synwall is a router hop: frames to it go to its
	 * ports' own MACs (net_ring's are 00:00:00:00:00:00), and come
	 * from them. */
	for (unsigned int s = 0; b->lb && s < SW_SIDES; s++)
		if (rte_eth_macaddr_get(d->port[s], &b->mac_dst[s]) != 0) {
			snprintf(err, len, "DUT %s port %u: no MAC address",
				sw_side_name(s), d->port[s]);
			return -ENODEV;
		}
	return 0;
}

static int
ref_setup(struct swb *b, struct dut *d, char *err, size_t len)
{
	unsigned int lcore, i = 0;
	int ret;

	d->ref = rte_zmalloc("swb_ref", sizeof(*d->ref) * d->n_workers,
		RTE_CACHE_LINE_SIZE);
	if (d->ref == NULL)
		return -ENOMEM;
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		ret = port_start(d->port[s], (uint16_t)d->n_workers, b->pool,
			err, len);
		if (ret != 0)
			return ret;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct ref_worker *r = &d->ref[i];

		r->port[SW_OUTSIDE] = d->port[SW_OUTSIDE];
		r->port[SW_INSIDE] = d->port[SW_INSIDE];
		r->queue = (uint16_t)i;
		r->kind = d->kind;
		r->quit = &d->quit;
		i++;
	}
	return 0;
}

int
swb_dut_setup(struct swb *b, const char *synwall_conf, char *err, size_t len)
{
	struct dut *d = calloc(1, sizeof(*d));
	int ret;

	if (d == NULL)
		return -ENOMEM;
	b->dut_state = d;
	d->kind = b->dut;
	d->remote = -1;
	if (b->dut == SWB_DUT_EXTERNAL) {
		if (b->telemetry != NULL) {
			d->remote = swb_remote_open(b->telemetry, err, len);
			if (d->remote < 0)
				return d->remote;
		}
		b->n_queues = 1;
		for (unsigned int s = 0; s < SW_SIDES; s++) {
			ret = port_start(b->port[s], 1, b->pool, err, len);
			if (ret != 0)
				return ret;
		}
		return 0;
	}
	d->n_workers = rte_lcore_count() - 1;
	if (d->n_workers == 0 || d->n_workers > SWB_QUEUES_MAX) {
		snprintf(err, len,
			"--dut %s needs 2 to %u lcores (-l 0,1: the bench on the main lcore, the DUT on the others)",
			swb_dut_name(b->dut), SWB_QUEUES_MAX + 1);
		return -EINVAL;
	}
	ret = ring_pairs(b, d, err, len);
	if (ret == 0)
		ret = b->dut == SWB_DUT_SYNWALL ?
			synwall_setup(b, d, synwall_conf, err, len) :
			ref_setup(b, d, err, len);
	if (ret != 0)
		return ret;
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		ret = port_start(b->port[s], b->n_queues, b->pool, err, len);
		if (ret != 0)
			return ret;
	}
	return 0;
}

void
swb_dut_start(struct swb *b)
{
	struct dut *d = b->dut_state;
	unsigned int lcore, i = 0;

	if (d->app != NULL) {
		sw_app_launch(d->app);
	} else if (d->ref != NULL) {
		d->quit = false;
		RTE_LCORE_FOREACH_WORKER(lcore)
			rte_eal_remote_launch(ref_main, &d->ref[i++], lcore);
	}
	d->running = d->app != NULL || d->ref != NULL;
}

void
swb_dut_poll(struct swb *b)
{
	struct dut *d = b->dut_state;
	uint64_t slot;

	if (d->app == NULL || !d->running)
		return;
	/* What synwall's control loop does: new cookie keys each slot. */
	slot = sw_app_keys_slot_now(d->app);
	if (slot != d->app->keys->slot)
		sw_app_keys_install(d->app, slot);
	b->keys = d->app->keys;
	/* ... and its lb bookkeeping (with the bench's config, health
	 * checks off: nothing changes). */
	if (d->app->cfg.mode == SW_MODE_LB)
		sw_lb_tick(d->app);
}

void
swb_dut_stop(struct swb *b)
{
	struct dut *d = b->dut_state;

	if (d == NULL || !d->running)
		return;
	if (d->app != NULL) {
		sw_app_stop(d->app);
	} else {
		d->quit = true;
		rte_eal_mp_wait_lcore();
	}
	d->running = false;
}

bool
swb_dut_read(const struct swb *b, struct swb_dut_stats *s)
{
	const struct dut *d = b->dut_state;

	memset(s, 0, sizeof(*s));
	if (d == NULL)
		return false;
	if (d->remote >= 0)
		return swb_remote_read(d->remote, s);
	if (d->app != NULL) {
		struct sw_counters c;

		sw_counters_sum(d->app->workers, d->app->n_workers, &c);
		for (unsigned int i = 0; i < SW_SIDES; i++) {
			s->rx += c.port[i].rx_pkts;
			s->tx += c.port[i].tx_pkts;
		}
		for (unsigned int i = 0; i < SW_DROP_MAX; i++)
			s->drops += c.drop[i];
		for (unsigned int i = 0; i < SW_PARSE_ERR_MAX; i++)
			s->malformed += c.malformed[i];
		s->busy_cycles = c.busy_cycles;
		/*
		 * lb mode adds to both sides of the identity (main.c's
		 * account()): packets synwall makes besides backend SYNs
		 * (ARP requests and neighbour solicitations, health-check
		 * SYNs), and packets waiting for a next hop's MAC, held as
		 * the hand-off holds: a gauge of those queued (neigh_held)
		 * less those sent when the MAC came (neigh_released, in tx)
		 * and those dropped when it did not (neigh_failed, in
		 * drop.neigh too). The rest of lb mode's work is in the
		 * counters already: ARP/ND taken is consumed or answered in
		 * place (tx), a health-check answer consumed or turned into
		 * a RST (tx), a refusal (no backend up, TTL, no route)
		 * dropped by reason or answered. All zero inline.
		 */
		s->originated = c.flow.backend_syn_tx + c.flow.backend_syn_retx +
			c.lb.arp_request_tx + c.lb.ns_tx + c.lb.probe_tx;
		s->consumed = c.flow.consumed;
		s->holding = c.flow.holding + c.lb.neigh_held -
			c.lb.neigh_released - c.lb.neigh_failed;
		s->synack_tx = c.sc.synack_tx;
		s->cookie_ok = c.sc.cookie_ok;
		s->cookie_bad = c.sc.cookie_bad;
		s->flows_active = c.flow.active;
		s->established = c.flow.established;
		return true;
	}
	if (d->ref != NULL) {
		for (unsigned int i = 0; i < d->n_workers; i++) {
			s->rx += d->ref[i].rx;
			s->tx += d->ref[i].tx;
			s->busy_cycles += d->ref[i].busy_cycles;
		}
		s->drops = s->rx - s->tx;	/* freed: rxonly, or refused */
		return true;
	}
	return false;
}

bool
swb_dut_flow_mem(const struct swb *b, uint64_t *bytes, uint32_t *flows4,
		uint32_t *flows6)
{
	const struct dut *d = b->dut_state;

	if (d == NULL || d->app == NULL)
		return false;
	*bytes = d->app->workers[0].flow_mem_len;
	*flows4 = d->app->cfg.flows;
	*flows6 = d->app->cfg.flows6;
	return true;
}

void
swb_dut_free(struct swb *b)
{
	struct dut *d = b->dut_state;

	if (d == NULL)
		return;
	swb_dut_stop(b);
	if (d->app != NULL) {
		sw_app_free(d->app);
		free(d->app);
	}
	if (d->ref != NULL) {
		for (unsigned int s = 0; s < SW_SIDES; s++)
			sw_port_close(d->port[s]);
		rte_free(d->ref);
	}
	if (d->conf != NULL)
		fclose(d->conf);
	if (d->remote >= 0)
		close(d->remote);
	free(d);
	b->dut_state = NULL;
}
