/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "sw_io.h"

int sw_io_frame_off = -1;

static const struct rte_mbuf_dynfield frame_field = {
	.name = "synwall_frame_view",
	.size = sizeof(struct sw_frame),
	.align = __alignof__(struct sw_frame),
};

int
sw_io_init(void)
{
	if (sw_io_frame_off >= 0)
		return 0;
	sw_io_frame_off = rte_mbuf_dynfield_register(&frame_field);
	return sw_io_frame_off < 0 ? -rte_errno : 0;
}

/* What the engine decided about a frame, written into its mbuf. */
static inline struct rte_mbuf *
apply(struct sw_frame *f)
{
	struct rte_mbuf *m = sw_io_mbuf(f);

	switch ((enum sw_tx_ol)f->tx) {
	case SW_TX_AS_RECEIVED:
		break;
	case SW_TX_PLAIN:
		m->data_len = f->len;
		m->pkt_len = f->len;
		m->ol_flags = 0;
		break;
	case SW_TX_CSUM4:
		m->data_len = f->len;
		m->pkt_len = f->len;
		m->l2_len = f->l2_len;
		m->l3_len = 20;
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_TCP_CKSUM;
		break;
	case SW_TX_CSUM6:
		m->data_len = f->len;
		m->pkt_len = f->len;
		m->l2_len = f->l2_len;
		m->l3_len = 40;
		m->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
		break;
	}
	return m;
}

static void
io_tx(void *ctx, enum sw_side side, struct sw_frame **f, uint16_t n)
{
	struct sw_io *io = ctx;
	struct sw_port_counters *pc = &io->c->port[side];
	struct rte_mbuf *m[SW_BURST_MAX];
	uint64_t bytes = 0, lost = 0;
	uint16_t sent;

	for (uint16_t i = 0; i < n; i++) {
		m[i] = apply(f[i]);
		bytes += f[i]->len;
	}
	sent = rte_eth_tx_burst(io->port[side], io->queue, m, n);
	/* Sent mbufs belong to the PMD now: count what was refused from
	 * the views, never by reading a sent mbuf. */
	if (unlikely(sent < n)) {
		for (uint16_t i = sent; i < n; i++)
			lost += f[i]->len;
		rte_pktmbuf_free_bulk(&m[sent], n - sent);
		io->c->drop[SW_DROP_TX_FULL] += n - sent;
		if (rte_rdtsc() - io->tx_full_tsc > rte_get_tsc_hz()) {
			io->tx_full_tsc = rte_rdtsc();
			rte_log(RTE_LOG_NOTICE, io->logtype,
				"synwall.worker: worker %u: %s port %u refused %u packets (tx_full)\n",
				io->id, side == SW_OUTSIDE ? "outside" : "inside",
				io->port[side], n - sent);
		}
	}
	pc->tx_pkts += sent;
	pc->tx_bytes += bytes - lost;
}

static void
io_free(void *ctx, struct sw_frame **f, uint16_t n)
{
	struct rte_mbuf *m[SW_BURST_MAX];

	(void)ctx;
	while (n > 0) {
		const uint16_t k = n < SW_BURST_MAX ? n : SW_BURST_MAX;

		for (uint16_t i = 0; i < k; i++)
			m[i] = sw_io_mbuf(f[i]);
		rte_pktmbuf_free_bulk(m, k);
		f += k;
		n -= k;
	}
}

static struct sw_frame *
io_alloc(void *ctx)
{
	struct sw_io *io = ctx;
	struct rte_mbuf *m = rte_pktmbuf_alloc(io->pool);
	struct sw_frame *f;

	if (unlikely(m == NULL))
		return NULL;
	f = sw_io_view(m, SW_INSIDE);
	f->tx = SW_TX_PLAIN;
	return f;
}

static bool
io_steer(void *ctx, uint16_t owner, struct sw_frame *f)
{
	struct sw_io *io = ctx;

	return rte_ring_sp_enqueue(io->ring_out[owner], sw_io_mbuf(f)) == 0;
}

/* Every other worker sees the same frame, shared, read-only. */
static void
io_share(void *ctx, struct sw_frame *f)
{
	struct sw_io *io = ctx;
	struct rte_mbuf *m = sw_io_mbuf(f);

	for (uint16_t j = 0; j < io->n_workers; j++) {
		if (j == io->id)
			continue;
		rte_mbuf_refcnt_update(m, 1);
		if (rte_ring_sp_enqueue(io->ring_out[j], m) != 0)
			rte_mbuf_refcnt_update(m, -1);	/* it re-solicits */
	}
}

static void
io_answer(void *ctx, uint64_t a)
{
	struct sw_io *io = ctx;

	/* Full: the check times out on the main lcore instead. */
	(void)rte_ring_mp_enqueue_elem(io->answers, &a, sizeof(a));
}

/* Data-path notices: one line a second per worker at most. */
static void
io_notice(void *ctx, enum sw_side side, const char *what)
{
	struct sw_io *io = ctx;
	const uint64_t now = rte_rdtsc();

	if (now - io->notice_tsc < rte_get_tsc_hz())
		return;
	io->notice_tsc = now;
	rte_log(RTE_LOG_NOTICE, io->logtype, "synwall.worker: worker %u: %s %s\n",
		io->id, side == SW_OUTSIDE ? "outside" : "inside", what);
}

/*
 * Some PMDs (ixgbe) enable and disable a queue's interrupt by
 * read-modify-write of one register per port: workers sharing a port
 * take its lock around it. Only idle workers do.
 */
static rte_spinlock_t intr_lock[RTE_MAX_ETHPORTS] = {
	[0 ... RTE_MAX_ETHPORTS - 1] = RTE_SPINLOCK_INITIALIZER,
};

/* Take both sides' queues out of the epoll set, the first n that went in. */
static void
intr_del(struct sw_io *io, unsigned int n)
{
	for (unsigned int s = 0; s < n; s++)
		rte_eth_dev_rx_intr_ctl_q(io->port[s], io->queue, io->epfd,
			RTE_INTR_EVENT_DEL, NULL);
}

int
sw_io_intr_open(struct sw_io *io)
{
	unsigned int s;
	int ret = 0;

	io->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (io->epfd < 0)
		return -errno;
	for (s = 0; s < SW_SIDES && ret == 0; s++)
		ret = rte_eth_dev_rx_intr_ctl_q(io->port[s], io->queue,
			io->epfd, RTE_INTR_EVENT_ADD, NULL);
	if (ret != 0) {
		intr_del(io, s - 1);	/* side s - 1 failed: not in */
		close(io->epfd);
		io->epfd = -1;
	}
	return ret;
}

void
sw_io_intr_close(struct sw_io *io)
{
	if (io->epfd < 0)
		return;
	intr_del(io, SW_SIDES);
	close(io->epfd);
	io->epfd = -1;
}

static void
intr_set(struct sw_io *io, bool on)
{
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		rte_spinlock_t *l = &intr_lock[io->port[s]];

		rte_spinlock_lock(l);
		if (on)
			rte_eth_dev_rx_intr_enable(io->port[s], io->queue);
		else
			rte_eth_dev_rx_intr_disable(io->port[s], io->queue);
		rte_spinlock_unlock(l);
	}
	io->intr_armed = on;
}

/* A PMD whose event fd is simply readable while frames wait (net_tap)
 * has no enable/disable: -ENOTSUP is no failure there. */
void
sw_io_intr_arm(struct sw_io *io)
{
	intr_set(io, true);
}

void
sw_io_intr_disarm(struct sw_io *io)
{
	intr_set(io, false);
}

int
sw_io_intr_wait(struct sw_io *io, int timeout_ms)
{
	struct rte_epoll_event ev[SW_SIDES];
	int n = rte_epoll_wait(io->epfd, ev, SW_SIDES, timeout_ms);

	sw_io_intr_disarm(io);
	return n > 0 ? n : 0;
}

const struct sw_io_ops sw_io_ops = {
	.tx = io_tx,
	.free = io_free,
	.alloc = io_alloc,
	.steer = io_steer,
	.share = io_share,
	.answer = io_answer,
	.notice = io_notice,
};
