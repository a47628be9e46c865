/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker lcore: its engine (lib/engine: the packets' fate), its I/O
 * (lib/io: queues, pool, rings) and what the loop needs besides. The
 * main lcore only reads the engine's counters.
 */
#ifndef SW_WORKER_H
#define SW_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "sw_config.h"
#include "sw_engine.h"
#include "sw_io.h"

struct sw_worker {
	struct sw_engine e;		/* first: cache aligned */
	struct sw_io io;
	uint16_t lcore_id;
	uint64_t drain_tsc;		/* TX flushed at least this often */
	bool idle_adaptive;		/* [worker] idle = adaptive */
	uint32_t idle_sleep_max_us;
	const volatile bool *quit;
	struct rte_rcu_qsbr *qs;	/* key sets and generations */
	struct rte_ring *checks;	/* lb, worker 0: health checks */
	/* Memory the engine runs over. */
	void *flow_mem;
	size_t flow_mem_len;
	bool flow_mem_rte;		/* rte_malloc'd (else mmap'd) */
	void *neigh_mem;
	void *snat_mem;			/* lb: this worker's local ports */
	struct sw_lb_bcount *bc_mem;	/* lb: [SW_LB_SLOTS] */
} __rte_cache_aligned;

/* The engine's parameters from cfg (memory, I/O, clock: the caller's). */
void sw_worker_params(const struct sw_config *cfg, uint16_t id,
		uint16_t n_workers, struct sw_engine_params *p);

/*
 * After sw_engine_init(): what the engine reads of cfg besides its
 * parameters (replies, limiters at `hz`, lb's addresses and static
 * neighbours). 0, or -ENOSPC with `err`.
 */
int sw_worker_configure(struct sw_engine *e, const struct sw_config *cfg,
		unsigned int n_workers, uint64_t hz, char *err, size_t err_len);

/*
 * Set worker `w` up for `cfg` (its engine over memory of socket
 * `socket`); the caller fills w->io and the engine's read-mostly
 * fields. 0, or -errno with `err`.
 */
int sw_worker_setup(struct sw_worker *w, const struct sw_config *cfg,
		uint16_t id, uint16_t n_workers, int socket, char *err,
		size_t err_len);

/* Frames the engine holds back to the pool; memory freed. */
void sw_worker_teardown(struct sw_worker *w);

/* lcore entry point: rte_eal_remote_launch(sw_worker_main, w, lcore). */
int sw_worker_main(void *arg);

/* Sum the counters of the n workers into *total. */
void sw_counters_sum(const struct sw_worker *w, unsigned int n,
		struct sw_counters *total);

#endif /* SW_WORKER_H */
