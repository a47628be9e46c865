/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The I/O layer: the only code that touches mbufs and ethdev queues on
 * the data path. It turns received mbufs into the engine's frame views
 * (struct sw_frame, kept in a dynamic field of each mbuf, so that a view
 * lives as long as its buffer, whichever pool it came from), and
 * executes what the engine decided: sends (the one place that sets
 * data_len, pkt_len and the offload flags), frees, allocations, steering
 * to another worker, shared neighbour answers, health-check answers.
 */
#ifndef SW_IO_H
#define SW_IO_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "sw_engine.h"

/* One worker's queues, pool and rings. */
struct sw_io {
	uint16_t id;			/* worker number */
	uint16_t n_workers;
	uint16_t queue;			/* same queue id on both ports */
	uint16_t port[SW_SIDES];
	struct rte_mempool *pool;
	/* Software steering: ring_out[j] to worker j, ring_in[j] from j. */
	struct rte_ring **ring_out;
	struct rte_ring **ring_in;
	struct rte_ring *answers;	/* lb: health answers, to main */
	struct sw_counters *c;		/* the engine's: port, tx_full */
	int logtype;			/* notices are logged with it */
	uint64_t notice_tsc;		/* last engine notice logged */
	uint64_t tx_full_tsc;		/* last tx_full line logged */
	/* RX interrupts of both queues in an epoll set of this worker's
	 * (sw_io_intr_open), or -1: none, the idle worker sleeps. */
	int epfd;
	bool intr_armed;
};

/* The offset of the frame view in every mbuf (sw_io_init()). */
extern int sw_io_frame_off;

/* Register the frame view's mbuf field; 0 or -errno. Once per process. */
int sw_io_init(void);

/* The engine's view of an mbuf, and back. */
static inline struct sw_frame *
sw_io_frame(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, sw_io_frame_off, struct sw_frame *);
}

static inline struct rte_mbuf *
sw_io_mbuf(struct sw_frame *f)
{
	return (struct rte_mbuf *)(void *)((uint8_t *)f - sw_io_frame_off);
}

/* A received mbuf's view: its bytes, room and the NIC's verdicts. */
static inline struct sw_frame *
sw_io_view(struct rte_mbuf *m, enum sw_side side)
{
	struct sw_frame *f = sw_io_frame(m);
	const uint64_t ol = m->ol_flags;
	const uint64_t ip = ol & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	const uint64_t l4 = ol & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	f->data = rte_pktmbuf_mtod(m, uint8_t *);
	f->len = rte_pktmbuf_data_len(m);
	f->cap = (uint16_t)(f->len + rte_pktmbuf_tailroom(m));
	f->rx = (ip == RTE_MBUF_F_RX_IP_CKSUM_GOOD ? SW_RX_IP_GOOD : 0) |
		(ip == RTE_MBUF_F_RX_IP_CKSUM_BAD ? SW_RX_IP_BAD : 0) |
		(l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD ? SW_RX_L4_GOOD : 0) |
		(l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD ? SW_RX_L4_BAD : 0) |
		(l4 == RTE_MBUF_F_RX_L4_CKSUM_NONE ? SW_RX_L4_NONE : 0) |
		(m->nb_segs != 1 ? SW_RX_CHAINED : 0);
	f->tx = SW_TX_AS_RECEIVED;
	f->side = (uint8_t)side;
	f->next = NULL;
	return f;
}

/*
 * Receive up to `max` frames on `side` into f[], views made and counted
 * (port rx counters). `m` is scratch room for `max` mbuf pointers.
 */
static inline uint16_t
sw_io_rx(struct sw_io *io, enum sw_side side, struct rte_mbuf **m,
		struct sw_frame **f, uint16_t max)
{
	struct sw_port_counters *pc = &io->c->port[side];
	const uint16_t n = rte_eth_rx_burst(io->port[side], io->queue, m,
		max);
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(m[i]);
	for (uint16_t i = 0; i < n; i++) {
		bytes += rte_pktmbuf_pkt_len(m[i]);
		f[i] = sw_io_view(m[i], side);
	}
	pc->rx_pkts += n;
	pc->rx_bytes += bytes;
	return n;
}

/* Frames worker `from` steered to this one (their views travel along). */
static inline uint16_t
sw_io_steered(struct sw_io *io, uint16_t from, struct sw_frame **f,
		uint16_t max)
{
	struct rte_mbuf **m = (struct rte_mbuf **)f;
	const unsigned int n = rte_ring_sc_dequeue_burst(io->ring_in[from],
		(void **)m, max, NULL);

	/* In place: a view pointer takes a mbuf pointer's slot. */
	for (unsigned int i = 0; i < n; i++)
		f[i] = sw_io_frame(m[i]);
	return (uint16_t)n;
}

/*
 * RX interrupts, for an idle worker ([worker] idle = adaptive) on ports
 * that have them (sw_port_info.rx_intr). Open puts both sides' queue
 * into a new epoll set (main lcore, after the ports started; 0 or
 * -errno, epfd stays -1 then). The worker arms them after many empty
 * polls, polls once more (a frame that came before the arming is seen
 * there), and only then waits: sw_io_intr_wait returns on a frame, or
 * after timeout_ms, disarmed either way. Disarm is for work found
 * while armed. The wait is a system call of an idle worker, never on a
 * packet's path.
 */
int sw_io_intr_open(struct sw_io *io);
void sw_io_intr_close(struct sw_io *io);
void sw_io_intr_arm(struct sw_io *io);
void sw_io_intr_disarm(struct sw_io *io);
/* Returns how many queues woke it (0: timeout). */
int sw_io_intr_wait(struct sw_io *io, int timeout_ms);

/* The engine's I/O operations over `struct sw_io` contexts. */
extern const struct sw_io_ops sw_io_ops;

#endif /* SW_IO_H */
