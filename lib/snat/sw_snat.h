/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source NAT ports (lb mode, nat = snat; docs/lb.md, "Source NAT").
 *
 * A flow of a service with nat = snat reaches its backend from synwall's
 * snat_address and a local port of its own. The port range ([lb]
 * snat_ports, LO-HI) is cut into one slice per worker, so that the
 * destination port of a backend's reply names the worker that owns the
 * flow (sw_snat_owner(): software steering; on a NIC, one rte_flow rule
 * per slice), and each worker hands out the ports of its slice alone:
 * no sharing, no atomics.
 *
 *   range: LO .................................................. HI
 *   slices: [worker 0: per ports][worker 1: per ports] ... [unused]
 *           per = (HI - LO + 1) / workers; the remainder, fewer ports
 *           than workers, is never handed out
 *
 * A worker's ports (struct sw_snat) are a FIFO of free ports and a map
 * from port to the value its holder set (the engine: the flow's table
 * id and family). A port is handed out least recently freed first, so a
 * freed port comes back only after every other free port of the slice
 * was used once: with F free ports and N new flows per second on the
 * worker, at least F / N seconds after its flow ended, which keeps a
 * backend's TIME_WAIT of the same tuple (RFC 9293: 2 MSL, 60 s in
 * Linux) out of the way while the slice is far from full.
 *
 * EAL-free and single-threaded per worker; the memory is the caller's,
 * every operation O(1) and allocation-free. Errors are negative errno.
 */
#ifndef SW_SNAT_H
#define SW_SNAT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define SW_SNAT_NONE	UINT16_MAX	/* sw_snat_owner(): no worker's */
#define SW_SNAT_FREE	UINT32_MAX	/* sw_snat_lookup(): no holder */

/* The range and its slices: the same on every worker. */
struct sw_snat_range {
	uint16_t lo;			/* first port of slice 0 */
	uint16_t hi;			/* last port of the range */
	uint16_t per;			/* ports per worker */
	uint16_t n_workers;
	uint64_t inv;			/* 2^32 / per, rounded up: see owner */
};

/*
 * Cut ports lo..hi (1 <= lo <= hi <= 65535) into n_workers slices. 0, or
 * -EINVAL when the range is empty or has fewer ports than workers.
 */
int sw_snat_range_init(struct sw_snat_range *r, uint16_t lo, uint16_t hi,
		uint16_t n_workers);

/* Worker w's slice: ports *first .. *first + r->per - 1. */
static inline uint16_t
sw_snat_slice_first(const struct sw_snat_range *r, uint16_t w)
{
	return (uint16_t)(r->lo + (uint32_t)w * r->per);
}

/* Is `port` in the range (a slice's, or the remainder's)? */
static inline int
sw_snat_in_range(const struct sw_snat_range *r, uint16_t port)
{
	return r->n_workers != 0 && port >= r->lo && port <= r->hi;
}

/*
 * The worker whose slice holds `port`, or SW_SNAT_NONE. (port - lo) /
 * per by a multiply: for x < 2^16 and per <= 2^16, x * ceil(2^32 / per)
 * >> 32 is exactly floor(x / per) (the rounding adds less than
 * x / 2^32 < 2^-16 <= 1 / per), and it costs a few cycles, not a
 * division's tens.
 */
static inline uint16_t
sw_snat_owner(const struct sw_snat_range *r, uint16_t port)
{
	const uint32_t x = (uint32_t)port - r->lo;
	uint32_t w;

	if (port < r->lo)
		return SW_SNAT_NONE;
	w = (uint32_t)((x * r->inv) >> 32);
	return w < r->n_workers ? (uint16_t)w : SW_SNAT_NONE;
}

/* One worker's slice: its free ports and who holds the others. */
struct sw_snat {
	uint16_t first;			/* ports first .. first + n - 1 */
	uint16_t n;
	uint16_t head;			/* fifo[head]: the next handed out */
	uint16_t n_free;
	uint16_t *fifo;			/* [n]: free ports, a ring from head */
	uint32_t *map;			/* [n]: holder's value, SW_SNAT_FREE */
};

/* Bytes of memory sw_snat_init needs for a slice of n ports. */
size_t sw_snat_memsize(uint16_t n);

/*
 * Set `s` up for ports first .. first + n - 1 (n >= 1, within 1..65535)
 * over `mem` (sw_snat_memsize(n) bytes, 4-aligned, the caller's): every
 * port free, handed out in increasing order at first. 0 or -EINVAL.
 */
int sw_snat_init(struct sw_snat *s, uint16_t first, uint16_t n, void *mem,
		size_t len);

/*
 * A free port for a holder that `value` (not SW_SNAT_FREE) names: the
 * least recently freed one. 0 when none is free.
 */
static inline uint16_t
sw_snat_get(struct sw_snat *s, uint32_t value)
{
	uint16_t port;

	if (s->n_free == 0)
		return 0;
	port = s->fifo[s->head];
	s->head = (uint16_t)(s->head + 1 == s->n ? 0 : s->head + 1);
	s->n_free--;
	s->map[port - s->first] = value;
	return port;
}

/* The value of port's holder; SW_SNAT_FREE when free or not ours. */
static inline uint32_t
sw_snat_lookup(const struct sw_snat *s, uint16_t port)
{
	const uint32_t i = (uint32_t)port - s->first;

	return port >= s->first && i < s->n ? s->map[i] : SW_SNAT_FREE;
}

/* Where port's holder is kept (to prefetch), or NULL when not ours. */
static inline const uint32_t *
sw_snat_slot(const struct sw_snat *s, uint16_t port)
{
	const uint32_t i = (uint32_t)port - s->first;

	return port >= s->first && i < s->n ? &s->map[i] : NULL;
}

/*
 * The holder is done with `port`: it goes to the back of the queue.
 * 0, or -EINVAL for a port that is not ours or not held (nothing is
 * changed then: a double put cannot hand a port out twice).
 */
static inline int
sw_snat_put(struct sw_snat *s, uint16_t port)
{
	const uint32_t i = (uint32_t)port - s->first;
	uint32_t tail;

	if (port < s->first || i >= s->n || s->map[i] == SW_SNAT_FREE)
		return -EINVAL;
	s->map[i] = SW_SNAT_FREE;
	tail = (uint32_t)s->head + s->n_free;
	if (tail >= s->n)
		tail -= s->n;
	s->fifo[tail] = port;
	s->n_free++;
	return 0;
}

/* Ports held now. */
static inline uint16_t
sw_snat_used(const struct sw_snat *s)
{
	return (uint16_t)(s->n - s->n_free);
}

#endif /* SW_SNAT_H */
