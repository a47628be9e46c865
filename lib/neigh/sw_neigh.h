/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker neighbour table: IPv4 (ARP) and IPv6 (neighbour discovery)
 * address -> MAC, with the packets waiting for a resolution held in a
 * bounded pool. Only the table: the caller parses ARP/NA/NS, builds the
 * solicitations and probes it is told to send, and frees what it is
 * told to drop.
 *
 * EAL-free and clock-free: time is in ticks, `now` is passed in (never
 * decreasing, below 2^63), the caller provides the memory. Single-
 * threaded: one table per worker, no locks, no allocation.
 *
 * Bounded against a flood of unresolvable destinations: at most
 * max_incomplete INCOMPLETE entries, at most hold_per_entry packets per
 * entry and hold_total in all; a packet that would pass a bound is not
 * taken (SW_NEIGH_DROP) and the caller frees it. Entries are created
 * only by sw_neigh_resolve() (an address we want to reach) and
 * sw_neigh_static(), never by a learned ARP/NA/NS, so unsolicited
 * traffic cannot fill the table.
 *
 * States (RFC 4861 §7.3.2 names; RFC 826 ARP uses the same machine):
 *   INCOMPLETE  solicited, waiting; packets held; re-solicited every
 *               retrans_ticks, removed after max_probes solicitations
 *               (FAILED is "removed": held packets back to the caller).
 *   REACHABLE   confirmed less than reachable_ticks ago.
 *   STALE       usable; the first use, then at most one use per
 *               retrans_ticks, tells the caller to send a unicast probe
 *               (SW_NEIGH_HAVE_PROBE; DELAY/PROBE folded into this).
 *               Removed stale_ticks after it became STALE unless a
 *               solicited answer makes it REACHABLE again.
 *   STATIC      from the config; never expires, never changed by
 *               learning.
 *
 * Layout: open addressing, `capacity` slots (power of two); an address
 * lives in one of probe_window slots from its seeded hash. Lookups scan
 * the whole window (no tombstones, so removal just empties a slot).
 * When the window is full, a new entry may evict the oldest STALE entry
 * in it, never a STATIC, REACHABLE or INCOMPLETE one.
 *
 * Ageing is exact whoever sees it first: sw_neigh_resolve() applies
 * REACHABLE -> STALE -> removed on the entry it touches at the deadline
 * times, and sw_neigh_tick() walks the table with a cursor, at most
 * scan_per_tick slots per call (DPVS lesson: bounded, incremental).
 *
 * Conventions: 0 / negative errno. Addresses are network byte order:
 * 4 bytes read for AF_INET, 16 for AF_INET6.
 */
#ifndef SW_NEIGH_H
#define SW_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_NEIGH_CAPACITY_MIN	16
#define SW_NEIGH_CAPACITY_MAX	(1u << 24)
#define SW_NEIGH_WINDOW_DEFAULT	8
#define SW_NEIGH_WINDOW_MAX	64
#define SW_NEIGH_SCAN_DEFAULT	64
#define SW_NEIGH_HOLD_ENTRY_MAX	255
#define SW_NEIGH_HOLD_TOTAL_MAX	(1u << 24)
#define SW_NEIGH_PROBES_MAX	255
#define SW_NEIGH_NIL		UINT32_MAX

struct sw_neigh_params {
	uint32_t capacity;	/* slots, power of two, 16 .. 2^24 */
	uint32_t probe_window;	/* slots per address, 0: 8; <= 64, capacity */
	uint32_t max_incomplete; /* INCOMPLETE entries at once, >= 1 */
	uint32_t hold_per_entry; /* packets held per entry, 1 .. 255 */
	uint32_t hold_total;	/* packets held in all, 1 .. 2^24 */
	uint32_t max_probes;	/* solicitations before giving up, 1 .. 255 */
	uint32_t scan_per_tick;	/* slots per sw_neigh_tick(), 0: 64 */
	uint64_t retrans_ticks;	/* RFC 4861 RetransTimer, >= 1 */
	uint64_t reachable_ticks; /* RFC 4861 ReachableTime, >= 1 */
	uint64_t stale_ticks;	/* STALE -> removed, >= 1 */
	uint64_t seed;		/* hash seed: pick it at random */
};

enum sw_neigh_state {
	SW_NEIGH_INCOMPLETE = 1,
	SW_NEIGH_REACHABLE,
	SW_NEIGH_STALE,
	SW_NEIGH_STATIC,
};

enum sw_neigh_verdict {
	SW_NEIGH_HAVE,		/* mac_out filled, pkt not taken */
	SW_NEIGH_HAVE_PROBE,	/* the same, and send a unicast probe */
	SW_NEIGH_QUEUED_SOLICIT, /* new entry, pkt held: send a solicit */
	SW_NEIGH_QUEUED,	/* resolution under way, pkt held */
	SW_NEIGH_DROP,		/* a bound: pkt not taken, caller frees */
};

/* 56 bytes. family 0 marks an empty slot. */
struct sw_neigh_entry {
	uint8_t addr[16];	/* IPv4: first 4 bytes, the rest zero */
	uint8_t mac[6];
	uint8_t family;		/* 0, AF_INET or AF_INET6 */
	uint8_t state;		/* enum sw_neigh_state */
	uint8_t probes;		/* solicits (INCOMPLETE) / probes (STALE) */
	uint8_t n_held;
	uint32_t hold_head;	/* first held packet's pool slot, or NIL */
	uint32_t hold_tail;
	uint64_t since;		/* entered this state (ticks) */
	uint64_t probe_at;	/* last solicitation or probe */
};

/* "Send a (multicast/broadcast) solicitation for this address again." */
struct sw_neigh_event {
	uint8_t family;
	uint8_t addr[16];
};

/* Cumulative, for telemetry and tests. */
struct sw_neigh_stats {
	uint64_t solicits;	/* QUEUED_SOLICIT verdicts + tick events */
	uint64_t probes;	/* HAVE_PROBE verdicts */
	uint64_t queued;	/* packets held */
	uint64_t dropped_hold;	/* DROP: entry already holds hold_per_entry */
	uint64_t dropped_pool;	/* DROP: hold_total packets held */
	uint64_t dropped_incomplete; /* DROP: max_incomplete reached */
	uint64_t dropped_full;	/* DROP: window full, nothing to evict */
	uint64_t dropped_invalid; /* DROP: bad family or NULL pkt */
	uint64_t resolved;	/* INCOMPLETE entries learned */
	uint64_t released;	/* held packets returned by learn */
	uint64_t failed;	/* INCOMPLETE removed after max_probes */
	uint64_t freed;		/* held packets returned by tick */
	uint64_t expired;	/* STALE removed after stale_ticks */
	uint64_t evicted;	/* STALE removed for a new entry */
	uint64_t ignored;	/* learns for unknown or STATIC addresses */
	uint64_t scanned;	/* slots visited by sw_neigh_tick() */
};

/* Plain struct, state only; the arrays are in the caller's memory. */
struct sw_neigh {
	struct sw_neigh_entry *ent;	/* capacity slots */
	void **hold_pkt;		/* hold_total pool slots */
	uint32_t *hold_next;		/* pool links, NIL-terminated */
	uint32_t hold_free;		/* free list head, or NIL */
	uint32_t mask;			/* capacity - 1 */
	uint32_t window;
	uint32_t scan;
	uint32_t cursor;		/* next slot sw_neigh_tick() visits */
	uint32_t n_entries;		/* all states */
	uint32_t n_static;
	uint32_t n_incomplete;
	uint32_t n_held;		/* packets in the pool */
	/* The slot sw_neigh_resolve() found last, per family (IPv4, IPv6):
	 * a relay sends to one or two next hops in turn, and a hint that
	 * still holds the key saves the hash and the window scan. Only a
	 * hint: its slot is checked against the key each time. */
	uint32_t hint[2];
	struct sw_neigh_params p;
	struct sw_neigh_stats stats;
};

/* Bytes of memory sw_neigh_init() needs for `p`; 0 if `p` is invalid. */
size_t sw_neigh_memsize(const struct sw_neigh_params *p);

/*
 * Set up an empty table in `mem` (8-byte aligned, `len` >=
 * sw_neigh_memsize()). Returns 0, or -EINVAL for bad parameters or
 * memory.
 */
int sw_neigh_init(struct sw_neigh *nt, const struct sw_neigh_params *p,
		void *mem, size_t len);

/*
 * Add or update a STATIC entry. 0; -EINVAL for a bad family; -EBUSY
 * when the address is INCOMPLETE (packets are held for it: add statics
 * before traffic); -ENOSPC when its window has no free slot (a STALE
 * entry is evicted for it first).
 */
int sw_neigh_static(struct sw_neigh *nt, uint8_t family, const void *addr,
		const uint8_t mac[6]);

/*
 * The MAC for `addr`, or hold `pkt` (not NULL, opaque) until it is
 * known; see enum sw_neigh_verdict. `pkt` is taken only on the QUEUED
 * verdicts. A miss creates an INCOMPLETE entry only within
 * max_incomplete, a free pool slot and a free (or STALE) window slot.
 */
enum sw_neigh_verdict sw_neigh_resolve(struct sw_neigh *nt, uint8_t family,
		const void *addr, uint64_t now, void *pkt, uint8_t mac_out[6]);

/*
 * An ARP reply / NA for `addr` (solicited: the answer to our request or
 * probe, RFC 4861 NA S flag), or an ARP request / NS from it carrying
 * its MAC (not solicited). Changes only entries that exist, never a
 * STATIC one (-ENOENT for an unknown address, 0 for a STATIC one).
 * RFC 4861 §7.2.5, simplified:
 *   INCOMPLETE         MAC set; REACHABLE if solicited, else STALE;
 *                      every held packet goes to `released`, in order.
 *   REACHABLE / STALE  solicited: MAC set, REACHABLE from now.
 *                      not solicited: a different MAC is set and makes
 *                      the entry STALE; the same MAC changes nothing.
 * Returns the number of packets in `released`; -EINVAL for a bad family
 * or max < hold_per_entry (then nothing changes).
 */
int sw_neigh_learn(struct sw_neigh *nt, uint8_t family, const void *addr,
		const uint8_t mac[6], uint64_t now, bool solicited,
		void **released, unsigned int max);

/*
 * Visit at most scan_per_tick slots from the cursor:
 *   INCOMPLETE, retrans_ticks since the last solicit: an event in `ev`
 *     (solicit again), or, after max_probes solicitations, the entry is
 *     removed and its held packets go to `freed` for the caller to drop;
 *   REACHABLE, reachable_ticks old: STALE;
 *   STALE, stale_ticks old: removed.
 * Stops early, keeping its place, when the next slot's event or packets
 * do not fit, so nothing is lost. Does nothing unless max_ev >= 1 and
 * max_freed >= hold_per_entry. Returns the events; *n_freed the packets.
 */
unsigned int sw_neigh_tick(struct sw_neigh *nt, uint64_t now,
		struct sw_neigh_event *ev, unsigned int max_ev,
		void **freed, unsigned int max_freed, unsigned int *n_freed);

/* The entry for `addr` (any state), or NULL; does not age it. */
const struct sw_neigh_entry *sw_neigh_lookup(const struct sw_neigh *nt,
		uint8_t family, const void *addr);

#endif /* SW_NEIGH_H */
