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

#include <rte_byteorder.h>
#include <rte_ring.h>

#include "sw_config.h"
#include "sw_service.h"

#define SW_LB_SLOTS		SW_LB_BACKENDS_MAX
#define SW_LB_NONE		UINT16_MAX	/* no slot */
/* Health probes leave from the inside address, from a source port at or
 * above PROBE_PORT0 (the inside address is synwall's: no client has
 * it); their ISN's low bits are the slot. */
#define SW_LB_PROBE_PORT0	(65535 - SW_LB_SLOTS + 1)
static_assert((SW_LB_SLOTS & (SW_LB_SLOTS - 1)) == 0,
	"slots: a power of two, named by an ISN's low bits");

/* A backend as the workers see it. */
struct sw_lb_slot {
	uint8_t family;			/* 0: free */
	uint8_t svc;			/* service index, in the generation */
	uint16_t port_be;		/* backend port; 0: the VIP port kept */
	uint16_t vport_be;		/* with port_be: the service's port */
	uint16_t check_port_be;		/* where health checks connect */
	uint8_t addr[16];		/* backend address, network order */
	uint8_t vip[16];		/* the service's VIP of this family */
};

/* Reverse map: a backend's address (and named port) -> its slot. */
struct sw_lb_rev {
	uint16_t slot;			/* SW_LB_NONE: empty */
	uint16_t port_be;		/* 0 for a backend that keeps the port */
	uint8_t family;
	uint8_t svc;			/* its service in this generation, or */
					/* SW_LB_ANY_SVC (draining, any port) */
	uint8_t addr[16];
};

#define SW_LB_ANY_SVC	0xff

struct sw_lb_gen {
	struct sw_svc_table svc;
	uint32_t maglev_size;
	/* [service][SW_LB_V4/V6]: slot numbers, NULL when none is up. */
	uint16_t *maglev[SW_SVC_MAX][2];
	uint32_t rev_mask;		/* rev[] has rev_mask + 1 entries */
	struct sw_lb_rev *rev;
	/* Addresses answered for on the outside besides outside_address. */
	uint16_t n_vip4, n_vip6;
	uint32_t vip4[SW_SVC_MAX];
	uint8_t vip6[SW_SVC_MAX][16];
	/*
	 * Reloads never cut a live connection (docs/architecture.md):
	 * after one that removed coverage, TCP that no service covers is
	 * looked up in the flow tables (drain) until no flow is left;
	 * after one that added coverage (inline, unprotected = pass), a
	 * segment of a newly protected port that is not ours crosses as
	 * before, the server's adopting its connection, until grace_until
	 * (TSC); prev is the coverage from before.
	 */
	bool drain;
	uint64_t grace_until;
	struct sw_svc_table prev;
};

/* Per worker, per slot; the active gauge goes up and down. */
struct sw_lb_bcount {
	uint64_t active;
	uint64_t created;
	uint64_t established;
	uint64_t syn_timeout;
	uint64_t rst;
	uint64_t to_pkts;
	uint64_t to_bytes;
	uint64_t from_pkts;
	uint64_t from_bytes;
};

/* A probe request (main -> worker 0) and its answer (any worker -> main)
 * are 64-bit ring elements. */
#define SW_LB_PROBE(slot, seq)	((uint64_t)(slot) | ((uint64_t)(seq) << 32))
#define SW_LB_ANSWER(slot, ok, ack) \
	((uint64_t)(slot) | ((uint64_t)!!(ok) << 16) | ((uint64_t)(ack) << 32))

/* Hash of a slot's reverse-map key. */
static inline uint32_t
sw_lb_rev_hash(uint8_t family, const uint8_t *addr, uint16_t port_be)
{
	uint32_t h = 2166136261u ^ family;
	const unsigned int n = family == AF_INET ? 4 : 16;

	/* FNV-1a: a handful of bytes, a table rebuilt per generation. */
	for (unsigned int i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619u;
	h = (h ^ (port_be & 0xff)) * 16777619u;
	h = (h ^ (port_be >> 8)) * 16777619u;
	return h ^ (h >> 15);
}

/*
 * The slot a segment from a backend (source addr:port_be) belongs to,
 * or SW_LB_NONE; *svc its service (0 for a draining backend whose
 * service is gone: only the flow's key matters then). A backend with a
 * named port is found by address and port; one that keeps the VIP port
 * by address alone, among whose services the port must be one. Probes
 * end at the first empty entry (the table is at most half full).
 */
static inline uint16_t
sw_lb_rev_lookup(const struct sw_lb_gen *g, uint8_t family,
		const uint8_t *addr, uint16_t port_be, bool any_port, int *svc)
{
	const unsigned int n = family == AF_INET ? 4 : 16;
	const uint16_t port = rte_be_to_cpu_16(port_be);

	if (g->rev == NULL)
		return SW_LB_NONE;
	for (int pass = 0; pass < 2; pass++) {
		const uint16_t want = pass == 0 ? port_be : 0;
		uint32_t i = sw_lb_rev_hash(family, addr, want) & g->rev_mask;

		for (uint32_t k = 0; k <= g->rev_mask; k++) {
			const struct sw_lb_rev *e = &g->rev[(i + k) & g->rev_mask];

			if (e->slot == SW_LB_NONE)
				break;
			if (e->family != family || e->port_be != want ||
					memcmp(e->addr, addr, n) != 0)
				continue;
			if (pass == 0 || e->svc == SW_LB_ANY_SVC || any_port ||
					sw_svc_port_in(&g->svc.svc[e->svc],
						port)) {
				*svc = e->svc == SW_LB_ANY_SVC ? 0 : e->svc;
				return e->slot;
			}
		}
	}
	return SW_LB_NONE;
}

/* Health and bookkeeping of a slot: main lcore only. */
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
