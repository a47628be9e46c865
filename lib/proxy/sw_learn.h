/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each server's SYN-ACKs told synwall (MSS, window scale, SACK,
 * timestamps), so that later SYN-ACKs to its clients promise what the
 * server will do and relayed windows need no rescaling. The latest
 * SYN-ACK wins: an option the server refused is asked for again by a
 * backend SYN once per cookie slot (sw_learn_probe()), so a server that
 * turns it back on is noticed (docs/handoff.md, "Learning").
 *
 * One table per worker, EAL-free, over caller memory: open addressing,
 * at most SW_LEARN_PROBE slots looked at, entries never evicted (a table
 * that is full only means "use the service's settings" for more
 * servers).
 *
 * The window scale needs care: the shift our SYN-ACK advertised is not
 * in the cookie, so when the client's ACK comes back the worker must
 * know which value the SYN-ACK used. A learned change therefore takes
 * effect at the next cookie slot, and another change is accepted only
 * once the previous one has been in effect for a whole slot: a cookie
 * is valid in its own slot and the next, so for any valid cookie the
 * slot it was made in names the value exactly (sw_learn_ws()).
 */
#ifndef SW_LEARN_H
#define SW_LEARN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SW_LEARN_PROBE		8
#define SW_LEARN_WS_UNKNOWN	0xfe	/* not learned: the service's value */
#define SW_LEARN_WS_NONE	0xff	/* the server does not scale */

/* An option is known once our SYN offered it and the server answered. */
#define SW_LEARN_F_SACK_KNOWN	0x01
#define SW_LEARN_F_SACK		0x02	/* the server does SACK */
#define SW_LEARN_F_TS_KNOWN	0x04
#define SW_LEARN_F_TS		0x08	/* the server does timestamps */
#define SW_LEARN_F_PROBED	0x10	/* a first-contact probe was sent */

struct sw_learn_entry {
	uint8_t addr[16];	/* IPv4: first 4 bytes, rest 0 */
	uint16_t port;		/* network order */
	uint8_t family;		/* 0: empty, 4 or 6 */
	uint8_t flags;		/* SW_LEARN_F_* */
	uint16_t mss;		/* 0: not learned */
	uint8_t ws_old;		/* before eff_slot */
	uint8_t ws_new;		/* from eff_slot on */
	uint32_t probe_slot;	/* last slot a backend SYN probed, + 1 */
	uint32_t checked;	/* caller's clock: when the server last said */
	uint64_t eff_slot;
};

struct sw_learn {
	struct sw_learn_entry *e;
	uint32_t mask;		/* entries - 1, a power of two */
};

/*
 * May a SYN-ACK promise this option for the server? What its last
 * SYN-ACK said; `unknown` when none has said yet.
 */
static inline bool
sw_learn_sack(const struct sw_learn_entry *e, bool unknown)
{
	if (e == NULL || !(e->flags & SW_LEARN_F_SACK_KNOWN))
		return unknown;
	return e->flags & SW_LEARN_F_SACK;
}

static inline bool
sw_learn_ts(const struct sw_learn_entry *e, bool unknown)
{
	if (e == NULL || !(e->flags & SW_LEARN_F_TS_KNOWN))
		return unknown;
	return e->flags & SW_LEARN_F_TS;
}

/*
 * Has the server not said yet whether it does SACK, or timestamps, and
 * no first-contact probe asked it (the backend SYN learns SACK, never
 * timestamps)? One such probe per entry; after that, the refresh.
 */
static inline bool
sw_learn_incomplete(const struct sw_learn_entry *e)
{
	return !(e->flags & SW_LEARN_F_PROBED) &&
		(e->flags & (SW_LEARN_F_SACK_KNOWN | SW_LEARN_F_TS_KNOWN)) !=
		(SW_LEARN_F_SACK_KNOWN | SW_LEARN_F_TS_KNOWN);
}

/*
 * May a backend SYN in cookie slot `slot` offer the server more than
 * its client was promised, to learn its answer? Once per slot per
 * server and worker: each probe the server accepts costs its flow a
 * restarted backend handshake (one round trip to the server).
 */
static inline bool
sw_learn_probe(struct sw_learn_entry *e, uint64_t slot)
{
	if (e->probe_slot == (uint32_t)slot + 1)
		return false;
	e->probe_slot = (uint32_t)slot + 1;
	return true;
}

static inline uint32_t
sw_learn_hash(const uint8_t *addr, uint8_t family, uint16_t port)
{
	uint32_t h = port * 0x9e3779b1u;
	unsigned int n = family == 4 ? 4 : 16;

	for (unsigned int i = 0; i < n; i += 4) {
		uint32_t w;

		memcpy(&w, addr + i, 4);
		h = (h ^ w) * 0x85ebca6bu;
		h ^= h >> 13;
	}
	return h;
}

/*
 * The entry of server (addr, port), or NULL. With `add`, an empty slot
 * is claimed (SW_LEARN_WS_UNKNOWN, no flags) when the server is new.
 * `full` (may be NULL) says, when NULL is returned, whether the server
 * could not be learned at all (every slot it may use is another's).
 */
static inline struct sw_learn_entry *
sw_learn_find(struct sw_learn *l, const uint8_t *addr, uint8_t family,
		uint16_t port, bool add, bool *full)
{
	const unsigned int n = family == 4 ? 4 : 16;
	uint32_t h = sw_learn_hash(addr, family, port);

	if (full != NULL)
		*full = false;
	for (unsigned int i = 0; i < SW_LEARN_PROBE; i++) {
		struct sw_learn_entry *e = &l->e[(h + i) & l->mask];

		if (e->family == 0) {
			if (!add)
				return NULL;
			memset(e, 0, sizeof(*e));
			memcpy(e->addr, addr, n);
			e->port = port;
			e->family = family;
			e->ws_old = SW_LEARN_WS_UNKNOWN;
			e->ws_new = SW_LEARN_WS_UNKNOWN;
			return e;
		}
		if (e->family == family && e->port == port &&
				memcmp(e->addr, addr, n) == 0)
			return e;
	}
	if (full != NULL)
		*full = true;
	return NULL;
}

/* The shift learned for SYN-ACKs made in `slot` (or UNKNOWN / NONE). */
static inline uint8_t
sw_learn_ws(const struct sw_learn_entry *e, uint64_t slot)
{
	if (e == NULL)
		return SW_LEARN_WS_UNKNOWN;
	return slot >= e->eff_slot ? e->ws_new : e->ws_old;
}

/*
 * A SYN-ACK from the server said `ws` (SW_LEARN_WS_NONE if it carried
 * no window scale), in cookie slot `slot`: take it for SYN-ACKs made
 * from slot + 1 on, unless a change made less than a slot ago could
 * still be named by a valid cookie. Returns true if recorded.
 */
static inline bool
sw_learn_ws_update(struct sw_learn_entry *e, uint8_t ws, uint64_t slot)
{
	if (sw_learn_ws(e, slot + 1) == ws)
		return true;
	if (e->eff_slot > slot) {
		/* The pending change is in effect for no SYN-ACK yet. */
		e->ws_new = ws;
		return true;
	}
	if (slot < e->eff_slot + 1)
		return false;	/* slot - 1 still needs ws_old */
	e->ws_old = e->ws_new;
	e->ws_new = ws;
	e->eff_slot = slot + 1;
	return true;
}

#endif /* SW_LEARN_H */
