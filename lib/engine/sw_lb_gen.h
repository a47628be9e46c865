/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the engine shares with the control plane (EAL-free): the two
 * sides, the addresses synwall owns, and lb mode's generation (services,
 * backend slots, Maglev tables, the reverse map) that the main lcore
 * builds and swaps under RCU while the engine reads it.
 */
#ifndef SW_LB_GEN_H
#define SW_LB_GEN_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "sw_service.h"

enum sw_side {
	SW_OUTSIDE = 0,		/* clients, the router */
	SW_INSIDE,		/* protected servers */
	SW_SIDES
};

/* lb mode ([lb] and the services' backends): see config/lb.conf.example. */
#define SW_LB_BACKENDS_MAX	1024	/* in all services together */
#define SW_LB_NEIGH_STATIC_MAX	64
#define SW_LB_V4		0	/* index of per-family arrays */
#define SW_LB_V6		1

/* An address synwall owns on a port, with its on-link prefix. */
struct sw_lb_ifaddr {
	uint8_t family;			/* 0: not set; AF_INET or AF_INET6 */
	uint8_t plen;			/* on-link prefix length */
	uint8_t addr[16];		/* network order; IPv4 in [0..4) */
};

/* [SW_LB_V4] or [SW_LB_V6] for a family; its address length. */
static inline unsigned int
sw_lb_fam(int family)
{
	return family == AF_INET6 ? SW_LB_V6 : SW_LB_V4;
}

static inline unsigned int
sw_lb_addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Are the first plen bits of a and b (network order) equal? */
static inline bool
sw_lb_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	return rest == 0 ||
		((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Is addr in the on-link prefix of an owned address (0 if unset)? */
static inline bool
sw_lb_on_link(const struct sw_lb_ifaddr *ifa, int family, const uint8_t *addr)
{
	return ifa->family == family &&
		sw_lb_prefix_match(ifa->addr, addr, ifa->plen);
}

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
	const uint16_t port = ntohs(port_be);

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
#endif /* SW_LB_GEN_H */
