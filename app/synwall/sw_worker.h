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
#include <rte_rcu_qsbr.h>

#include "sw_config.h"
#include "sw_cookie.h"
#include "sw_pkt.h"

#define SW_BURST_MAX	512

/* Drops that are not a parse error; names in sw_drop_name(). */
enum sw_drop {
	SW_DROP_UNPROTECTED,	/* unprotected = drop */
	SW_DROP_TX_FULL,	/* TX queue did not take it */
	SW_DROP_MULTISEG,	/* chained mbuf: scatter RX is not enabled */
	/* TCP to (or from) a protected service, no flow: */
	SW_DROP_FRAGMENT,	/* any IPv4 fragment / IPv6 fragment header */
	SW_DROP_BAD_SRC,	/* multicast, broadcast, loopback, own address */
	SW_DROP_IP_CKSUM,
	SW_DROP_TCP_CKSUM,
	SW_DROP_SYN_FIN,	/* SYN with FIN */
	SW_DROP_SYN_RST,	/* SYN with RST */
	SW_DROP_SYNACK_NOFLOW,	/* SYN+ACK */
	SW_DROP_NO_FLAGS,	/* none of SYN/ACK/RST/FIN/PSH/URG */
	SW_DROP_NOACK,		/* FIN/PSH/URG without ACK */
	SW_DROP_RST_NOFLOW,
	SW_DROP_MSS_LOW,	/* MSS below 536 (IPv4) / 1220 (IPv6) */
	SW_DROP_REFLECT_LIMITED,	/* SYN-ACK withheld by a token bucket */
	SW_DROP_COOKIE_BAD,
	SW_DROP_COOKIE_EXPIRED,
	SW_DROP_HANDOFF,	/* cookie_ok: the backend hand-off is next */
	SW_DROP_NOFLOW_INSIDE,	/* from a protected service, no flow */
	SW_DROP_BUILD,		/* no room to build a reply */
	SW_DROP_MAX
};

struct sw_syncookie_counters {
	uint64_t syn_rx;		/* pure SYNs to a protected service */
	uint64_t synack_tx;		/* SYN-ACKs handed to TX */
	uint64_t cookie_ok;
	uint64_t cookie_bad;
	uint64_t cookie_expired;
	uint64_t reflect_limited;
	uint64_t rst_tx;		/* RSTs for bad cookies (rst_on_bad) */
};

/*
 * Generic cell rate algorithm: the token bucket as one timestamp.
 * Allowed when tat <= now + tau; then tat = max(tat, now) + interval.
 */
struct sw_gcra {
	uint64_t interval;		/* TSC cycles per token; 0 = no limit */
	uint64_t tau;			/* (burst - 1) * interval */
};

#define SW_REFLECT_CELLS	4096	/* per worker, per client /24 or /64 */

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
	struct sw_syncookie_counters sc;
	uint64_t busy_cycles;		/* TSC spent on bursts that had packets */
	uint64_t loops;
};

struct sw_txq {
	uint16_t n;
	uint64_t bytes;			/* pkt_len sum of pkts[0..n) */
	struct rte_mbuf *pkts[SW_BURST_MAX];	/* flushed at w->burst */
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
	/* SYN cookies: keys swapped by the main lcore under RCU. */
	struct sw_cookie_keys *const volatile *keys;
	struct rte_rcu_qsbr *qs;
	uint8_t ttl;
	uint16_t window;
	bool rst_on_bad;
	bool tx_cksum4;			/* outside port offloads IPv4+TCP sums */
	bool tx_cksum6;
	struct sw_gcra reflect;		/* per client prefix */
	struct sw_gcra reflect_total;
	struct sw_gcra rst;

	/* Written by this worker only. */
	struct sw_txq txq[SW_SIDES];
	uint16_t n_dead;		/* mbufs to free at the end of the burst */
	struct rte_mbuf *dead[SW_BURST_MAX];
	uint64_t reflect_tat[SW_REFLECT_CELLS];
	uint64_t reflect_total_tat;
	uint64_t rst_tat;
	struct sw_counters c __rte_cache_aligned;
} __rte_cache_aligned;

/* lcore entry point: rte_eal_remote_launch(sw_worker_main, w, lcore). */
int sw_worker_main(void *arg);

/*
 * Process packets received on `side`: count them, classify, forward to
 * the other side's TX buffer, answer, or drop and count. Exposed for
 * tests.
 */
void sw_worker_process(struct sw_worker *w, enum sw_side side,
		struct rte_mbuf **pkts, uint16_t n);

/* Hand buffered packets of `side` to the port; count what it refused. */
void sw_worker_flush(struct sw_worker *w, enum sw_side side);

const char *sw_drop_name(enum sw_drop d);

/* A limiter of `rate` per second (0: none) with `burst`. */
void sw_gcra_init(struct sw_gcra *g, uint64_t rate, uint64_t burst,
		uint64_t hz);

/* Sum the counters of n workers into *total. */
void sw_counters_sum(const struct sw_worker *w, unsigned int n,
		struct sw_counters *total);

#endif /* SW_WORKER_H */
