/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table; the header explains the states and the bounds.
 *
 * Memory: the slots, then the hold pool (the packets, then their links).
 * A held packet is a pool slot linked into its entry's FIFO; a free pool
 * slot is on the free list, so holding and releasing never allocate.
 *
 * Deadlines are kept exact: an entry that turns STALE is dated from its
 * REACHABLE deadline, not from when someone noticed, so resolve, the
 * tick and the eviction scan all agree whenever they look.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sw_neigh.h"

static bool
params_ok(const struct sw_neigh_params *p)
{
	uint32_t window = p->probe_window != 0 ? p->probe_window :
		SW_NEIGH_WINDOW_DEFAULT;

	return p->capacity >= SW_NEIGH_CAPACITY_MIN &&
		p->capacity <= SW_NEIGH_CAPACITY_MAX &&
		(p->capacity & (p->capacity - 1)) == 0 &&
		window <= SW_NEIGH_WINDOW_MAX && window <= p->capacity &&
		p->max_incomplete >= 1 &&
		p->hold_per_entry >= 1 &&
		p->hold_per_entry <= SW_NEIGH_HOLD_ENTRY_MAX &&
		p->hold_total >= 1 &&
		p->hold_total <= SW_NEIGH_HOLD_TOTAL_MAX &&
		p->max_probes >= 1 && p->max_probes <= SW_NEIGH_PROBES_MAX &&
		p->retrans_ticks >= 1 && p->reachable_ticks >= 1 &&
		p->stale_ticks >= 1;
}

size_t
sw_neigh_memsize(const struct sw_neigh_params *p)
{
	if (p == NULL || !params_ok(p))
		return 0;
	return (size_t)p->capacity * sizeof(struct sw_neigh_entry) +
		(size_t)p->hold_total * (sizeof(void *) + sizeof(uint32_t));
}

int
sw_neigh_init(struct sw_neigh *nt, const struct sw_neigh_params *p,
		void *mem, size_t len)
{
	size_t need = sw_neigh_memsize(p);
	uint32_t i;

	if (nt == NULL || need == 0 || mem == NULL || len < need ||
			((uintptr_t)mem & 7) != 0)
		return -EINVAL;

	memset(nt, 0, sizeof(*nt));
	nt->p = *p;
	nt->window = p->probe_window != 0 ? p->probe_window :
		SW_NEIGH_WINDOW_DEFAULT;
	nt->scan = p->scan_per_tick != 0 ? p->scan_per_tick :
		SW_NEIGH_SCAN_DEFAULT;
	if (nt->scan > p->capacity)
		nt->scan = p->capacity;
	nt->p.probe_window = nt->window;
	nt->p.scan_per_tick = nt->scan;
	nt->mask = p->capacity - 1;
	nt->ent = mem;
	nt->hold_pkt = (void **)(nt->ent + p->capacity);
	nt->hold_next = (uint32_t *)(nt->hold_pkt + p->hold_total);

	memset(nt->ent, 0, (size_t)p->capacity * sizeof(*nt->ent));
	for (i = 0; i < p->hold_total; i++) {
		nt->hold_pkt[i] = NULL;
		nt->hold_next[i] = i + 1 < p->hold_total ? i + 1 :
			SW_NEIGH_NIL;
	}
	nt->hold_free = 0;
	return 0;
}

/* The 16-byte key: IPv4 in the first 4 bytes, zero after. */
static inline bool
key_of(uint8_t family, const void *addr, uint8_t key[16])
{
	if (addr == NULL)
		return false;
	if (family == AF_INET) {
		memcpy(key, addr, 4);
		memset(key + 4, 0, 12);
		return true;
	}
	if (family == AF_INET6) {
		memcpy(key, addr, 16);
		return true;
	}
	return false;
}

/* MurmurHash3's finaliser. */
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

/*
 * Seeded, so a sender who picks destinations cannot aim them at one
 * window without knowing the seed; the family is hashed (and compared),
 * so an IPv4 address and an IPv6 one with the same leading bytes differ.
 */
static inline uint32_t
hash_of(const struct sw_neigh *nt, uint8_t family, const uint8_t key[16])
{
	uint64_t w0, w1;

	memcpy(&w0, key, 8);
	memcpy(&w1, key + 8, 8);
	return (uint32_t)mix64(mix64(nt->p.seed ^ family ^ w0) ^ w1);
}

/* Two 8-byte compares, not a call to memcmp: this is every packet's. */
static inline bool
same_key(const struct sw_neigh_entry *e, uint8_t family,
		const uint8_t key[16])
{
	uint64_t a0, a1, k0, k1;

	memcpy(&a0, e->addr, 8);
	memcpy(&a1, e->addr + 8, 8);
	memcpy(&k0, key, 8);
	memcpy(&k1, key + 8, 8);
	return e->family == family && ((a0 ^ k0) | (a1 ^ k1)) == 0;
}

/* The slot holding (family, key), or NIL; the whole window is scanned. */
static uint32_t
find(const struct sw_neigh *nt, uint8_t family, const uint8_t key[16])
{
	uint32_t h = hash_of(nt, family, key);
	uint32_t i;

	for (i = 0; i < nt->window; i++) {
		uint32_t s = (h + i) & nt->mask;

		if (same_key(&nt->ent[s], family, key))
			return s;
	}
	return SW_NEIGH_NIL;
}

/*
 * Apply REACHABLE -> STALE at its deadline; true when the entry (STALE)
 * has outlived stale_ticks and must be removed. INCOMPLETE and STATIC
 * entries are not aged here.
 */
static inline bool
age(struct sw_neigh *nt, struct sw_neigh_entry *e, uint64_t now)
{
	if (e->state == SW_NEIGH_REACHABLE &&
			now - e->since >= nt->p.reachable_ticks) {
		e->state = SW_NEIGH_STALE;
		e->since += nt->p.reachable_ticks;
		e->probes = 0;
	}
	return e->state == SW_NEIGH_STALE &&
		now - e->since >= nt->p.stale_ticks;
}

/* Empty a slot whose held packets are already gone. */
static void
remove_slot(struct sw_neigh *nt, struct sw_neigh_entry *e)
{
	if (e->state == SW_NEIGH_INCOMPLETE)
		nt->n_incomplete--;
	else if (e->state == SW_NEIGH_STATIC)
		nt->n_static--;
	nt->n_entries--;
	e->family = 0;
	e->state = 0;
}

static inline void
hold(struct sw_neigh *nt, struct sw_neigh_entry *e, void *pkt)
{
	uint32_t s = nt->hold_free;

	nt->hold_free = nt->hold_next[s];
	nt->hold_pkt[s] = pkt;
	nt->hold_next[s] = SW_NEIGH_NIL;
	if (e->hold_head == SW_NEIGH_NIL)
		e->hold_head = s;
	else
		nt->hold_next[e->hold_tail] = s;
	e->hold_tail = s;
	e->n_held++;
	nt->n_held++;
	nt->stats.queued++;
}

/* Every packet held for `e`, in arrival order, into `out`. */
static unsigned int
drain(struct sw_neigh *nt, struct sw_neigh_entry *e, void **out)
{
	unsigned int n = 0;
	uint32_t s = e->hold_head;

	while (s != SW_NEIGH_NIL) {
		uint32_t next = nt->hold_next[s];

		out[n++] = nt->hold_pkt[s];
		nt->hold_pkt[s] = NULL;
		nt->hold_next[s] = nt->hold_free;
		nt->hold_free = s;
		s = next;
	}
	nt->n_held -= n;
	e->n_held = 0;
	e->hold_head = SW_NEIGH_NIL;
	e->hold_tail = SW_NEIGH_NIL;
	return n;
}

/* find(), then remove the entry if it has aged out. */
static uint32_t
find_aged(struct sw_neigh *nt, uint8_t family, const uint8_t key[16],
		uint64_t now)
{
	uint32_t s = find(nt, family, key);

	if (s != SW_NEIGH_NIL && age(nt, &nt->ent[s], now)) {
		remove_slot(nt, &nt->ent[s]);
		nt->stats.expired++;
		return SW_NEIGH_NIL;
	}
	return s;
}

/*
 * A slot in the window of (family, key) for a new entry: the first empty
 * one, else the oldest STALE one, evicted. With `aged`, entries past
 * their deadlines at `now` are aged (and removed) first. NIL if none.
 */
static uint32_t
slot_for_new(struct sw_neigh *nt, uint8_t family, const uint8_t key[16],
		bool aged, uint64_t now)
{
	uint32_t h = hash_of(nt, family, key);
	uint32_t victim = SW_NEIGH_NIL;
	uint32_t i;

	for (i = 0; i < nt->window; i++) {
		uint32_t s = (h + i) & nt->mask;
		struct sw_neigh_entry *e = &nt->ent[s];

		if (e->family != 0 && aged && age(nt, e, now)) {
			remove_slot(nt, e);
			nt->stats.expired++;
		}
		if (e->family == 0)
			return s;
		if (e->state == SW_NEIGH_STALE && (victim == SW_NEIGH_NIL ||
				e->since < nt->ent[victim].since))
			victim = s;
	}
	if (victim != SW_NEIGH_NIL) {
		remove_slot(nt, &nt->ent[victim]);
		nt->stats.evicted++;
	}
	return victim;
}

static void
fill(struct sw_neigh *nt, struct sw_neigh_entry *e, uint8_t family,
		const uint8_t key[16], uint8_t state, uint64_t now)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, key, 16);
	e->family = family;
	e->state = state;
	e->since = now;
	e->probe_at = now;
	e->hold_head = SW_NEIGH_NIL;
	e->hold_tail = SW_NEIGH_NIL;
	nt->n_entries++;
}

int
sw_neigh_static(struct sw_neigh *nt, uint8_t family, const void *addr,
		const uint8_t mac[6])
{
	struct sw_neigh_entry *e;
	uint8_t key[16];
	uint32_t s;

	if (!key_of(family, addr, key) || mac == NULL)
		return -EINVAL;
	s = find(nt, family, key);
	if (s == SW_NEIGH_NIL) {
		s = slot_for_new(nt, family, key, false, 0);
		if (s == SW_NEIGH_NIL)
			return -ENOSPC;
		fill(nt, &nt->ent[s], family, key, SW_NEIGH_STATIC, 0);
		nt->n_static++;
	}
	e = &nt->ent[s];
	if (e->state == SW_NEIGH_INCOMPLETE)
		return -EBUSY;
	if (e->state != SW_NEIGH_STATIC) {
		e->state = SW_NEIGH_STATIC;
		nt->n_static++;
	}
	memcpy(e->mac, mac, 6);
	return 0;
}

enum sw_neigh_verdict
sw_neigh_resolve(struct sw_neigh *nt, uint8_t family, const void *addr,
		uint64_t now, void *pkt, uint8_t mac_out[6])
{
	struct sw_neigh_entry *e;
	uint8_t key[16];
	uint32_t s;

	if (!key_of(family, addr, key) || pkt == NULL) {
		nt->stats.dropped_invalid++;
		return SW_NEIGH_DROP;
	}
	s = nt->hint[family == AF_INET6];
	if (!same_key(&nt->ent[s], family, key))
		s = find(nt, family, key);
	if (s != SW_NEIGH_NIL && age(nt, &nt->ent[s], now)) {
		remove_slot(nt, &nt->ent[s]);
		nt->stats.expired++;
		s = SW_NEIGH_NIL;
	}
	if (s != SW_NEIGH_NIL) {
		nt->hint[family == AF_INET6] = s;
		e = &nt->ent[s];
		switch (e->state) {
		case SW_NEIGH_STATIC:
		case SW_NEIGH_REACHABLE:
			memcpy(mac_out, e->mac, 6);
			return SW_NEIGH_HAVE;
		case SW_NEIGH_STALE:
			memcpy(mac_out, e->mac, 6);
			/* RFC 4861 §7.3.3: use it, and verify it (probe). */
			if (e->probes != 0 &&
					now - e->probe_at < nt->p.retrans_ticks)
				return SW_NEIGH_HAVE;
			e->probes = 1;
			e->probe_at = now;
			nt->stats.probes++;
			return SW_NEIGH_HAVE_PROBE;
		default:
			break;
		}
		/* INCOMPLETE: RFC 4861 §7.2.2 queue, bounded per entry. */
		if (e->n_held >= nt->p.hold_per_entry) {
			nt->stats.dropped_hold++;
			return SW_NEIGH_DROP;
		}
		if (nt->n_held >= nt->p.hold_total) {
			nt->stats.dropped_pool++;
			return SW_NEIGH_DROP;
		}
		hold(nt, e, pkt);
		return SW_NEIGH_QUEUED;
	}

	if (nt->n_incomplete >= nt->p.max_incomplete) {
		nt->stats.dropped_incomplete++;
		return SW_NEIGH_DROP;
	}
	if (nt->n_held >= nt->p.hold_total) {
		nt->stats.dropped_pool++;
		return SW_NEIGH_DROP;
	}
	s = slot_for_new(nt, family, key, true, now);
	if (s == SW_NEIGH_NIL) {
		nt->stats.dropped_full++;
		return SW_NEIGH_DROP;
	}
	e = &nt->ent[s];
	fill(nt, e, family, key, SW_NEIGH_INCOMPLETE, now);
	e->probes = 1;
	nt->n_incomplete++;
	nt->stats.solicits++;
	hold(nt, e, pkt);
	return SW_NEIGH_QUEUED_SOLICIT;
}

int
sw_neigh_learn(struct sw_neigh *nt, uint8_t family, const void *addr,
		const uint8_t mac[6], uint64_t now, bool solicited,
		void **released, unsigned int max)
{
	struct sw_neigh_entry *e;
	uint8_t key[16];
	unsigned int n;
	uint32_t s;

	if (!key_of(family, addr, key) || mac == NULL || released == NULL ||
			max < nt->p.hold_per_entry)
		return -EINVAL;
	s = find_aged(nt, family, key, now);
	if (s == SW_NEIGH_NIL) {
		/* Only addresses we asked about: no table fill by ARP spam. */
		nt->stats.ignored++;
		return -ENOENT;
	}
	e = &nt->ent[s];
	switch (e->state) {
	case SW_NEIGH_STATIC:
		nt->stats.ignored++;
		return 0;
	case SW_NEIGH_INCOMPLETE:
		/* RFC 4861 §7.2.5: S flag -> REACHABLE, else STALE. */
		memcpy(e->mac, mac, 6);
		e->state = solicited ? SW_NEIGH_REACHABLE : SW_NEIGH_STALE;
		e->since = now;
		e->probes = 0;
		nt->n_incomplete--;
		nt->stats.resolved++;
		n = drain(nt, e, released);
		nt->stats.released += n;
		return (int)n;
	default:
		break;
	}
	if (solicited) {
		memcpy(e->mac, mac, 6);
		e->state = SW_NEIGH_REACHABLE;
		e->since = now;
		e->probes = 0;
	} else if (memcmp(e->mac, mac, 6) != 0) {
		/* RFC 4861 §7.2.5 / §7.2.3: a new address is unconfirmed. */
		memcpy(e->mac, mac, 6);
		e->state = SW_NEIGH_STALE;
		e->since = now;
		e->probes = 0;
	}
	return 0;
}

unsigned int
sw_neigh_tick(struct sw_neigh *nt, uint64_t now, struct sw_neigh_event *ev,
		unsigned int max_ev, void **freed, unsigned int max_freed,
		unsigned int *n_freed)
{
	unsigned int n_ev = 0, nf = 0, visited;

	if (ev == NULL || freed == NULL || max_ev < 1 ||
			max_freed < nt->p.hold_per_entry) {
		if (n_freed != NULL)
			*n_freed = 0;
		return 0;
	}
	for (visited = 0; visited < nt->scan; visited++) {
		struct sw_neigh_entry *e = &nt->ent[nt->cursor];

		if (e->family == 0 || e->state == SW_NEIGH_STATIC) {
			/* nothing to do */
		} else if (e->state != SW_NEIGH_INCOMPLETE) {
			if (age(nt, e, now)) {
				remove_slot(nt, e);
				nt->stats.expired++;
			}
		} else if (now - e->probe_at < nt->p.retrans_ticks) {
			/* waiting for the answer */
		} else if (e->probes >= nt->p.max_probes) {
			/* RFC 4861 §7.3.3: no answer, FAILED; drop its queue. */
			if (max_freed - nf < e->n_held)
				break;
			nf += drain(nt, e, freed + nf);
			remove_slot(nt, e);
			nt->stats.failed++;
		} else {
			if (n_ev == max_ev)
				break;
			ev[n_ev].family = e->family;
			memcpy(ev[n_ev].addr, e->addr, 16);
			n_ev++;
			e->probes++;
			e->probe_at = now;
			nt->stats.solicits++;
		}
		nt->cursor = (nt->cursor + 1) & nt->mask;
		nt->stats.scanned++;
	}
	nt->stats.freed += nf;
	if (n_freed != NULL)
		*n_freed = nf;
	return n_ev;
}

const struct sw_neigh_entry *
sw_neigh_lookup(const struct sw_neigh *nt, uint8_t family, const void *addr)
{
	uint8_t key[16];
	uint32_t s;

	if (!key_of(family, addr, key))
		return NULL;
	s = find(nt, family, key);
	return s != SW_NEIGH_NIL ? &nt->ent[s] : NULL;
}
