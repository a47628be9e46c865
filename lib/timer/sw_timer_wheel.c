/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two-level timer wheel; the header explains the layout and the bounds.
 *
 * Where a timer lives follows from its expiry e, the cursor cur (the
 * next tick to process) and the last `now` advanced to (>= cur - 1):
 *   e <= now (arm), e < cur (moves)  the due list, first in first out
 *   e >> shift == cur >> shift       level 0, slot e & mask
 *   otherwise                        level 1, slot (e >> shift) & mask
 * Arms use `now`, not cur, so that a slot being worked off (cur <= now)
 * gets no new timers. A timer pushed later in place (sw_tw_arm) keeps its
 * list, which is visited no later than the one place() would pick; the
 * wheel calls place() again when it meets it. So every timer in the
 * level-0 slot of tick t expires at t or later, and fires exactly when
 * its expiry is t.
 *
 * The bitmaps say which slots may be non-empty: a bit is set when a timer
 * is linked into the slot and cleared only when the wheel finds the slot
 * empty (cancel leaves it), so the cursor can skip empty ticks and
 * periods 64 slots per word instead of one tick at a time.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sw_timer_wheel.h"

/* Sentinels: level-0 slots, level-1 slots, the due list, the cascade. */
static uint64_t
n_nodes(const struct sw_tw_params *p)
{
	return (uint64_t)p->n_timers + 2 * (uint64_t)p->n_slots + 2;
}

size_t
sw_tw_memsize(const struct sw_tw_params *p)
{
	if (p == NULL || p->n_timers == 0 || p->n_timers > SW_TW_MAX_TIMERS ||
			p->n_slots < SW_TW_MIN_SLOTS ||
			p->n_slots > SW_TW_MAX_SLOTS ||
			(p->n_slots & (p->n_slots - 1)) != 0)
		return 0;
	return n_nodes(p) * sizeof(struct sw_tw_node) +
		2 * (p->n_slots / 64) * sizeof(uint64_t);
}

int
sw_tw_init(struct sw_tw *w, const struct sw_tw_params *p, void *mem,
		size_t len, uint64_t now)
{
	size_t need = sw_tw_memsize(p);
	uint32_t words, i, n;

	if (w == NULL || need == 0 || mem == NULL || len < need ||
			((uintptr_t)mem & 7) != 0 || now >= (1ull << 63) ||
			(p->max_steps != 0 && p->max_steps < SW_TW_STEPS_MIN))
		return -EINVAL;

	memset(w, 0, sizeof(*w));
	n = (uint32_t)n_nodes(p);
	words = p->n_slots / 64;
	w->node = mem;
	w->bm0 = (uint64_t *)(w->node + n);
	w->bm1 = w->bm0 + words;
	w->n_timers = p->n_timers;
	w->mask = p->n_slots - 1;
	w->shift = (uint32_t)__builtin_ctz(p->n_slots);
	w->max_steps = p->max_steps != 0 ? p->max_steps : SW_TW_STEPS_DEFAULT;
	w->l0 = p->n_timers;
	w->l1 = w->l0 + p->n_slots;
	w->due = w->l1 + p->n_slots;
	w->casc = w->due + 1;
	w->now = now;
	w->cur = now + 1;
	w->cascaded = w->cur >> w->shift;

	for (i = 0; i < p->n_timers; i++)
		w->node[i] = (struct sw_tw_node){
			.next = SW_TW_NIL,
			.prev = SW_TW_NIL,
		};
	for (i = p->n_timers; i < n; i++)
		w->node[i] = (struct sw_tw_node){ .next = i, .prev = i };
	memset(w->bm0, 0, 2 * words * sizeof(uint64_t));
	return 0;
}

static inline bool
list_empty(const struct sw_tw *w, uint32_t head)
{
	return w->node[head].next == head;
}

/* At the head: the entries touched are the sentinel and the last arm. */
static inline void
link_head(struct sw_tw *w, uint32_t head, uint32_t id)
{
	uint32_t first = w->node[head].next;

	w->node[id].next = first;
	w->node[id].prev = head;
	w->node[first].prev = id;
	w->node[head].next = id;
}

/* At the tail: the due list is first in, first out. */
static inline void
link_tail(struct sw_tw *w, uint32_t head, uint32_t id)
{
	uint32_t last = w->node[head].prev;

	w->node[id].next = head;
	w->node[id].prev = last;
	w->node[last].next = id;
	w->node[head].prev = id;
}

static inline void
unlink_node(struct sw_tw *w, uint32_t id)
{
	uint32_t next = w->node[id].next;
	uint32_t prev = w->node[id].prev;

	w->node[prev].next = next;
	w->node[next].prev = prev;
}

static inline void
bit_set(uint64_t *bm, uint32_t j)
{
	bm[j / 64] |= 1ull << (j % 64);
}

static inline void
place(struct sw_tw *w, uint32_t id)
{
	uint64_t e = w->node[id].expire;
	uint64_t period = e >> w->shift;
	uint32_t j;

	if (e < w->cur) {
		link_tail(w, w->due, id);
	} else if (period == w->cur >> w->shift) {
		j = (uint32_t)e & w->mask;
		link_head(w, w->l0 + j, id);
		bit_set(w->bm0, j);
	} else {
		j = (uint32_t)period & w->mask;
		link_head(w, w->l1 + j, id);
		bit_set(w->bm1, j);
	}
}

void
sw_tw_arm(struct sw_tw *w, uint32_t id, uint64_t expire)
{
	struct sw_tw_node *t = &w->node[id];

	if (t->next != SW_TW_NIL) {
		/*
		 * Later: the list it is in is visited no later than the
		 * right one, which re-places it (or fires it, if due by
		 * then). Saves two random misses (the neighbours) on every
		 * packet of a flow whose idle timer is pushed back.
		 */
		if (expire >= t->expire) {
			t->expire = expire;
			return;
		}
		unlink_node(w, id);
		w->n_armed--;
	}
	t->expire = expire;
	/*
	 * Due already: never into the slot of a tick being worked off,
	 * which would then not empty while the caller re-arms to now.
	 */
	if (expire <= w->now)
		link_tail(w, w->due, id);
	else
		place(w, id);
	w->n_armed++;
}

void
sw_tw_cancel(struct sw_tw *w, uint32_t id)
{
	if (w->node[id].next == SW_TW_NIL)
		return;
	unlink_node(w, id);
	w->node[id].next = SW_TW_NIL;
	w->n_armed--;
}

/*
 * First set bit of `bm` in [from, to), one step per word looked at.
 * Returns true with *pos at that bit; otherwise false with *pos = `to`,
 * or, when the budget ran out, the first bit not looked at (all bits in
 * [from, *pos) are clear).
 */
static bool
scan(const uint64_t *bm, uint32_t from, uint32_t to, uint32_t *budget,
		uint32_t *pos)
{
	uint32_t i = from;

	while (i < to) {
		uint64_t word;

		if (*budget == 0) {
			*pos = i;
			return false;
		}
		(*budget)--;
		word = bm[i / 64] & (~0ull << (i % 64));
		if (word != 0) {
			uint32_t b = (i & ~63u) + (uint32_t)__builtin_ctzll(word);

			if (b >= to)
				break;
			*pos = b;
			return true;
		}
		i = (i | 63) + 1;
	}
	*pos = to;
	return false;
}

/*
 * Bring the level-1 slot of `period` down (cur is inside that period and
 * level 0 holds nothing of it yet but direct arms). The slot is first
 * moved whole to the cascade list, so that timers of a later round put
 * back into it are not met twice, and arms and cancels between two
 * partial calls need no care. Returns false when the budget ran out.
 */
static bool
cascade(struct sw_tw *w, uint64_t period, uint32_t *budget)
{
	uint32_t j = (uint32_t)period & w->mask;
	uint32_t h = w->l1 + j, c = w->casc;

	if (!w->casc_active) {
		(*budget)--;
		w->bm1[j / 64] &= ~(1ull << (j % 64));
		if (list_empty(w, h)) {
			w->cascaded = period;
			return true;
		}
		w->node[c].next = w->node[h].next;
		w->node[c].prev = w->node[h].prev;
		w->node[w->node[c].next].prev = c;
		w->node[w->node[c].prev].next = c;
		w->node[h].next = h;
		w->node[h].prev = h;
		w->casc_active = true;
	}
	while (*budget > 0 && !list_empty(w, c)) {
		uint32_t id = w->node[c].next;

		(*budget)--;
		unlink_node(w, id);
		place(w, id);
		w->stats.moved++;
	}
	if (!list_empty(w, c))
		return false;
	w->casc_active = false;
	w->cascaded = period;
	return true;
}

/*
 * Level 0 holds nothing from cur to the end of `period`: the start of the
 * first later period whose level-1 slot may hold timers, UINT64_MAX if
 * none does, or, when the budget ran out, the first period not looked at.
 */
static uint64_t
next_busy_period(struct sw_tw *w, uint64_t period, uint32_t *budget)
{
	uint32_t j0 = (uint32_t)period & w->mask, pos;
	bool found;

	/* Slots j0 + 1 .. S - 1, then 0 .. j0 (j0 itself is S periods on). */
	found = scan(w->bm1, j0 + 1, w->mask + 1, budget, &pos);
	if (!found && pos == w->mask + 1) {
		found = scan(w->bm1, 0, j0 + 1, budget, &pos);
		if (!found && pos == j0 + 1)
			return UINT64_MAX;
	}
	return (period + ((pos - j0 - 1) & w->mask) + 1) << w->shift;
}

static inline uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

unsigned int
sw_tw_advance(struct sw_tw *w, uint64_t now, uint32_t *expired,
		unsigned int max)
{
	uint32_t budget = w->max_steps;
	unsigned int n = 0;

	/* Time going back: nothing more is due than at the last call. */
	if (now < w->now)
		return 0;
	w->now = now;

	while (n < max && budget > 0 && w->cur <= now) {
		uint64_t period = w->cur >> w->shift;
		uint32_t pos, end, h;
		uint64_t t;

		if (period != w->cascaded) {
			if (!cascade(w, period, &budget))
				break;
			continue;
		}
		/* Look no further than now: one word per call at one tick
		 * per call. */
		end = period == now >> w->shift ?
			((uint32_t)now & w->mask) + 1 : w->mask + 1;
		if (!scan(w->bm0, (uint32_t)w->cur & w->mask, end, &budget,
				&pos)) {
			if (pos < end)		/* budget ran out */
				t = (period << w->shift) | pos;
			else if (period == now >> w->shift)	/* none due */
				t = now + 1;
			else	/* level 0 is empty, now is past this period */
				t = next_busy_period(w, period, &budget);
			w->cur = min_u64(now + 1, t);
			continue;
		}
		t = (period << w->shift) | pos;
		w->cur = t;
		h = w->l0 + pos;
		while (n < max && budget > 0 && !list_empty(w, h)) {
			uint32_t id = w->node[h].next;

			budget--;
			unlink_node(w, id);
			if (w->node[id].expire > t) {
				/* pushed later in place since it was linked */
				place(w, id);
				w->stats.moved++;
				continue;
			}
			w->node[id].next = SW_TW_NIL;
			expired[n++] = id;
		}
		if (!list_empty(w, h))
			break;
		w->bm0[pos / 64] &= ~(1ull << (pos % 64));
		w->cur = t + 1;
	}

	/*
	 * Armed after their tick had passed, in arming order: after the
	 * wheel, so that a caller re-arming what fired to `now` at every
	 * call neither starves the wheel nor the older ones here.
	 */
	while (n < max && budget > 0 && !list_empty(w, w->due)) {
		uint32_t id = w->node[w->due].next;

		budget--;
		unlink_node(w, id);
		if (w->node[id].expire > now) {
			/* pushed later in place since it was linked */
			place(w, id);
			w->stats.moved++;
			continue;
		}
		w->node[id].next = SW_TW_NIL;
		expired[n++] = id;
	}

	w->n_armed -= n;
	w->stats.fired += n;
	w->stats.steps += w->max_steps - budget;
	return n;
}
