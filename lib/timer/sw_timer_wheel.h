/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker timer wheel for up to SW_TW_MAX_TIMERS timers named by dense
 * 32-bit ids (the flow-table entry ids): backend SYN retransmission with
 * back-off, idle timeouts per state, the linger before a closed flow's
 * entry is freed.
 *
 * EAL-free and clock-free: time is in ticks (the caller converts TSC to
 * ticks, e.g. 1 ms), `now` is passed in, the caller provides the memory.
 * Single-threaded: one wheel per worker, no locks.
 *
 * Arm, re-arm and cancel are O(1): a timer is a node of an intrusive
 * circular doubly-linked list whose heads (sentinels) live in the same
 * node array, so unlinking needs neither a search nor the slot number.
 *
 * Two levels of n_slots (S) slots. Level 0 holds the timers of the
 * current period of S ticks, one slot per tick; level 1 holds later
 * timers, one slot per period, and covers S * S ticks (4.7 hours at
 * 1 ms ticks with S = 4096). When the cursor enters a period, that
 * period's level-1 slot is cascaded into level 0. A timer beyond S * S
 * ticks waits in the level-1 slot of its period mod S and is checked
 * again every S periods. So a timer is moved at most once before it
 * fires (plus once per S * S ticks beyond the span), whereas a single
 * level with "rounds" rescans every long timer once per S ticks (an
 * hour-long idle timeout: 878 visits at 1 ms, S = 4096).
 *
 * sw_tw_advance() is bounded twice: it returns at most `max` ids and does
 * at most params.max_steps units of work (an entry fired or moved, a slot
 * or 64 slots' worth of bitmap examined). When either bound stops it, the
 * wheel keeps its place and the next call continues; nothing is lost or
 * returned twice. The caller runs it once per loop (DPVS lesson: expiry
 * scans incremental and bounded per loop) and may call again while
 * sw_tw_caught_up() is false.
 *
 * Conventions: 0 / negative errno; ticks (now, expiry) below 2^63; `now`
 * passed to sw_tw_advance() never decreases.
 */
#ifndef SW_TIMER_WHEEL_H
#define SW_TIMER_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_TW_MAX_TIMERS	(1u << 26)
#define SW_TW_MIN_SLOTS		64		/* one bitmap word */
#define SW_TW_MAX_SLOTS		(1u << 20)
#define SW_TW_STEPS_DEFAULT	256
#define SW_TW_STEPS_MIN		2	/* look at a slot, take a timer */
#define SW_TW_NIL		UINT32_MAX	/* next of a timer not armed */

struct sw_tw_params {
	uint32_t n_timers;	/* ids 0 .. n_timers - 1 */
	uint32_t n_slots;	/* per level, power of two, 64 .. 2^20 */
	/*
	 * Work units per sw_tw_advance() call, at least SW_TW_STEPS_MIN;
	 * 0: SW_TW_STEPS_DEFAULT. A unit is a few ns when cached, one or
	 * two cache misses otherwise.
	 */
	uint32_t max_steps;
};

/*
 * 16 bytes: one cache line holds everything arm/cancel touch of a timer
 * (separate next[]/prev[]/expire[] arrays cost a miss each).
 */
struct sw_tw_node {
	uint32_t next;		/* SW_TW_NIL when not armed */
	uint32_t prev;
	uint64_t expire;	/* absolute tick */
};

/* Cumulative, for telemetry and tests. */
struct sw_tw_stats {
	uint64_t fired;		/* ids returned by sw_tw_advance() */
	uint64_t moved;		/* re-placements: cascades, lazy re-arms */
	uint64_t steps;		/* work units spent in sw_tw_advance() */
};

/* Plain struct, state only; the arrays are in the caller's memory. */
struct sw_tw {
	struct sw_tw_node *node;	/* timers, then list sentinels */
	uint64_t *bm0;		/* level-0 slots that may be non-empty */
	uint64_t *bm1;		/* level-1 slots that may be non-empty */
	uint64_t now;		/* last `now` advanced to */
	uint64_t cur;		/* next tick to process; earlier ones done */
	uint64_t cascaded;	/* last period whose level-1 slot went down */
	uint32_t n_timers;
	uint32_t n_armed;
	uint32_t mask;		/* n_slots - 1 */
	uint32_t shift;		/* log2(n_slots) */
	uint32_t max_steps;
	uint32_t l0;		/* sentinel of level-0 slot j: l0 + j */
	uint32_t l1;		/* sentinel of level-1 slot j: l1 + j */
	uint32_t due;		/* armed for a tick already processed */
	uint32_t casc;		/* level-1 slot being cascaded */
	bool casc_active;	/* casc holds a partly cascaded slot */
	struct sw_tw_stats stats;
};

/* Bytes of memory sw_tw_init() needs for `p`; 0 if `p` is invalid. */
size_t sw_tw_memsize(const struct sw_tw_params *p);

/*
 * Set up an empty wheel in `mem` (8-byte aligned, `len` >=
 * sw_tw_memsize()) whose last processed tick is `now`. Touches all of
 * `mem` once. Returns 0, or -EINVAL for bad parameters or memory.
 */
int sw_tw_init(struct sw_tw *w, const struct sw_tw_params *p, void *mem,
		size_t len, uint64_t now);

/*
 * (Re)arm timer `id` (< n_timers) to fire at tick `expire`; cancels it
 * first if armed. A tick already processed (expire <= the last `now`
 * advanced to) fires at the next sw_tw_advance() call, or, if that call
 * is still working off a backlog of earlier ticks, in arming order
 * after it. Pushing an armed timer later only
 * stores the new expiry (one cache line, the per-packet idle-timeout
 * case); the wheel moves it when its old slot comes up.
 */
void sw_tw_arm(struct sw_tw *w, uint32_t id, uint64_t expire);

/* Disarm timer `id`; no-op if not armed. */
void sw_tw_cancel(struct sw_tw *w, uint32_t id);

/*
 * Move towards `now` and store up to `max` expired ids in `expired`,
 * disarmed. Returns how many. Every id returned has expiry <= now. A
 * timer armed after this call returns fires at a later call, never in
 * this one.
 */
unsigned int sw_tw_advance(struct sw_tw *w, uint64_t now, uint32_t *expired,
		unsigned int max);

static inline bool
sw_tw_armed(const struct sw_tw *w, uint32_t id)
{
	return w->node[id].next != SW_TW_NIL;
}

/* The expiry the timer is armed for; meaningless when it is not armed. */
static inline uint64_t
sw_tw_expiry(const struct sw_tw *w, uint32_t id)
{
	return w->node[id].expire;
}

/* Armed timers. */
static inline uint32_t
sw_tw_count(const struct sw_tw *w)
{
	return w->n_armed;
}

/*
 * True when every timer due at `now` has been returned: false after a
 * call that stopped on `max` or on max_steps with work left for `now`.
 */
static inline bool
sw_tw_caught_up(const struct sw_tw *w, uint64_t now)
{
	return w->cur > now && w->node[w->due].next == w->due;
}

#endif /* SW_TIMER_WHEEL_H */
