/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker: one per worker lcore, run to completion.
 *
 * Each worker owns one RX/TX queue pair on each port, its mbuf pool and
 * its counters. Nothing here is shared with another worker; the main
 * lcore only reads the counters (64-bit aligned stores are atomic on
 * the platforms DPDK supports, so a reader sees a value, maybe stale).
 */
#ifndef SW_WORKER_H
#define SW_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "sw_config.h"
#include "sw_pkt.h"

#define SW_BURST_MAX	512

/* Drops that are not a parse error; names in sw_drop_name(). */
enum sw_drop {
	SW_DROP_UNPROTECTED,	/* unprotected = drop */
	SW_DROP_TX_FULL,	/* TX queue did not take it */
	SW_DROP_MULTISEG,	/* chained mbuf: scatter RX is not enabled */
	SW_DROP_MAX
};

struct sw_port_counters {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
};

struct sw_counters {
	struct sw_port_counters port[SW_SIDES];
	uint64_t malformed[SW_PARSE_ERR_MAX];	/* [0] unused */
	uint64_t drop[SW_DROP_MAX];
	uint64_t protected_pkts;	/* to or from a protected service */
	uint64_t busy_cycles;		/* TSC spent on bursts that had packets */
	uint64_t loops;
};

struct sw_txq {
	uint16_t n;
	uint64_t bytes;			/* pkt_len sum of pkts[0..n) */
	struct rte_mbuf *pkts[2 * SW_BURST_MAX];
};

struct sw_worker {
	/* Read-mostly, set before launch. */
	uint16_t id;
	uint16_t lcore_id;
	uint16_t queue;			/* same queue id on both ports */
	uint16_t port[SW_SIDES];
	uint16_t burst;
	bool drop_unprotected;
	uint64_t drain_tsc;
	const struct sw_svc_table *svc;
	const volatile bool *quit;
	struct rte_mempool *pool;

	/* Written by this worker only. */
	struct sw_txq txq[SW_SIDES];
	struct sw_counters c __rte_cache_aligned;
} __rte_cache_aligned;

/* lcore entry point: rte_eal_remote_launch(sw_worker_main, w, lcore). */
int sw_worker_main(void *arg);

/*
 * Process a burst received on `side`: classify, forward to the other
 * side's TX buffer or drop and count. Exposed for tests.
 */
void sw_worker_process(struct sw_worker *w, enum sw_side side,
		struct rte_mbuf **pkts, uint16_t n);

/* Hand buffered packets of `side` to the port; count what it refused. */
void sw_worker_flush(struct sw_worker *w, enum sw_side side);

const char *sw_drop_name(enum sw_drop d);

/* Sum the counters of n workers into *total. */
void sw_counters_sum(const struct sw_worker *w, unsigned int n,
		struct sw_counters *total);

#endif /* SW_WORKER_H */
