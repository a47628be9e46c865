/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb mode: VIPs in front of backend pools (docs/lb.md).
 *
 * Three kinds of state, by who writes them:
 *
 *  - Backend slots (struct sw_lb_slot): one per backend the running
 *    instance knows, written by the main lcore only while no flow and
 *    no generation refers to the slot. A flow keeps its backend's slot
 *    number in its table entry, so a backend removed from the config,
 *    downed or drained keeps serving the flows it has (drain).
 *  - Generations (struct sw_lb_gen): everything the workers look up per
 *    packet that a reload or a health change may alter: the service
 *    table, each service's Maglev tables, the reverse map from a
 *    backend's address back to its VIP. Built whole on the main lcore,
 *    published with one pointer store, freed after an RCU grace period
 *    (the workers report a quiescent state once per loop).
 *  - Per-worker, per-slot counters (struct sw_lb_bcount), summed by the
 *    main lcore for health and for /synwall/backends.
 */
#ifndef SW_LB_H
#define SW_LB_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ring.h>

#include "sw_config.h"
#include "sw_lb_gen.h"
#include "sw_service.h"

struct sw_lb_health {
	bool in_cfg;			/* in the running config (else draining) */
	bool up;
	bool probing;			/* an active check is in flight */
	bool passive_down;		/* downed by failed hand-offs */
	bool freeing;			/* drained: leaves the reverse map */
	uint32_t weight;		/* configured */
	uint32_t ok_run;		/* active checks passed in a row */
	uint32_t fail_run;		/* ... failed in a row */
	uint32_t probe_seq;
	uint64_t probe_tsc;
	uint64_t passive_run;		/* failed hand-offs, none succeeded */
	uint64_t seen_fail;		/* counter values at the last tick */
	uint64_t seen_est;
	uint64_t active;		/* flows, at the last tick */
	uint64_t since_tsc;		/* last up/down change */
	uint64_t transitions;
	uint64_t checks_ok;
	uint64_t checks_fail;
	char svc_name[SW_SVC_NAME_LEN];
};

struct sw_lb {
	struct sw_lb_slot slot[SW_LB_SLOTS];	/* read by the workers */
	struct sw_lb_gen *volatile gen;		/* RCU: read by the workers */
	struct sw_lb_health h[SW_LB_SLOTS];
	struct sw_lb_bcount base[SW_LB_SLOTS];	/* counts at the slot's reuse */
	struct rte_ring *probes;	/* main -> worker 0, 64-bit elements */
	struct rte_ring *answers;	/* workers -> main */
	uint64_t next_check_tsc;
	bool dirty;			/* an effective weight changed */
	/* What every generation carries of the reloads (sw_lb_gen). */
	bool drain;
	uint64_t grace_until;
	struct sw_svc_table *prev;
};

struct sw_app;

/* Control plane (lb.c), main lcore only. */

/* Slots, rings and the first generation from app->cfg; prints errors. */
int sw_lb_init(struct sw_app *app);

/* Where a generation's tables live (DPDK memory; a test's malloc). */
struct sw_lb_alloc {
	void *(*alloc)(size_t len);	/* zeroed, cache-line aligned */
	void (*free)(void *p);
};

/* The backends of app->cfg in their slots, up (a fresh start serves). */
void sw_lb_slots_init(struct sw_app *app);

/*
 * A generation from app->cfg, the slots and their health: the service
 * table, a Maglev table per service and family with a backend up, the
 * reverse map. NULL with `err` on failure.
 */
struct sw_lb_gen *sw_lb_gen_build(struct sw_app *app,
		const struct sw_lb_alloc *a, char *err, size_t err_len);
void sw_lb_free(struct sw_app *app);

/*
 * Every ~100 ms: passive health from the workers' counters, active
 * checks sent and answered, slots freed, a new generation when any
 * backend's effective weight changed.
 */
void sw_lb_tick(struct sw_app *app);

/*
 * Re-read the config file, validate it, check that the running
 * instance can take it, and apply it (services and backends) without
 * disturbing a flow. 0, or -errno with one line in err; the running
 * config stays as it was on error.
 */
int sw_lb_reload(struct sw_app *app, char *err, size_t err_len);

/* Slot i's counters summed over the workers. */
void sw_lb_backend_counters(const struct sw_app *app, unsigned int i,
		struct sw_lb_bcount *t);

/* "web 198.51.100.11:8080" / "web [2001:db8::11]:80" for slot i. */
void sw_lb_slot_name(const struct sw_app *app, unsigned int i, char *buf,
		size_t len);

#endif /* SW_LB_H */
