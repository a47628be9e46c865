/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer/sw_timer_wheel.c against its header's contract: random
 * operations checked against a brute-force model (every timer fires once,
 * never before its expiry, never once cancelled, and by the first call
 * that catches up with its tick), timers longer than the wheel's span,
 * the bounds of sw_tw_advance() with a million timers in one tick, and
 * re-arming to "now" between calls. Then cycles per arm, cancel, re-arm
 * and expiry with a million timers armed: printed, never asserted.
 * Deterministic: sw_test_rand() from fixed seeds, no EAL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_timer_wheel.h"

#include "sw_test.h"

/* The failing case, for sw_test_ctx (static: it outlives each test). */
static char ctx[160];

static void *
xmalloc(size_t len)
{
	void *p = malloc(len);

	if (p == NULL) {
		perror("malloc");
		exit(EXIT_FAILURE);
	}
	return p;
}

/* A wheel in its own exactly-sized allocation (ASan sees overruns). */
static void *
wheel_new(struct sw_tw *w, uint32_t n_timers, uint32_t n_slots,
		uint32_t max_steps, uint64_t now)
{
	struct sw_tw_params p = {
		.n_timers = n_timers,
		.n_slots = n_slots,
		.max_steps = max_steps,
	};
	size_t len = sw_tw_memsize(&p);
	void *mem;

	SW_CHECK(len != 0);
	mem = xmalloc(len);
	SW_CHECK_EQ(sw_tw_init(w, &p, mem, len, now), 0);
	return mem;
}

static uint64_t
rand_below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : sw_test_rand(s) % n;
}

/* 1. Parameters and memory are checked; nothing else is needed. */
static void
test_params(void)
{
	struct sw_tw_params p = { .n_timers = 100, .n_slots = 64 };
	static uint64_t mem[8192];
	struct sw_tw w;
	size_t len = sw_tw_memsize(&p);

	SW_CHECK(len != 0 && len <= sizeof(mem));
	SW_CHECK_EQ(sw_tw_init(&w, &p, mem, len, 0), 0);
	SW_CHECK_EQ(sw_tw_init(&w, &p, mem, len - 1, 0), -EINVAL);
	SW_CHECK_EQ(sw_tw_init(&w, &p, (char *)mem + 4, len, 0), -EINVAL);
	SW_CHECK_EQ(sw_tw_init(&w, &p, NULL, len, 0), -EINVAL);
	SW_CHECK_EQ(sw_tw_init(&w, &p, mem, len, 1ull << 63), -EINVAL);
	SW_CHECK_EQ(sw_tw_init(&w, NULL, mem, len, 0), -EINVAL);
	p.max_steps = SW_TW_STEPS_MIN - 1;
	SW_CHECK_EQ(sw_tw_init(&w, &p, mem, len, 0), -EINVAL);
	p.max_steps = SW_TW_STEPS_MIN;
	SW_CHECK_EQ(sw_tw_init(&w, &p, mem, len, 0), 0);
	SW_CHECK_EQ(sw_tw_memsize(NULL), 0);
	p.n_slots = 96;
	SW_CHECK_EQ(sw_tw_memsize(&p), 0);
	p.n_slots = 32;
	SW_CHECK_EQ(sw_tw_memsize(&p), 0);
	p.n_slots = SW_TW_MAX_SLOTS * 2;
	SW_CHECK_EQ(sw_tw_memsize(&p), 0);
	p.n_slots = 64;
	p.n_timers = 0;
	SW_CHECK_EQ(sw_tw_memsize(&p), 0);
	p.n_timers = SW_TW_MAX_TIMERS + 1;
	SW_CHECK_EQ(sw_tw_memsize(&p), 0);
	p.n_timers = SW_TW_MAX_TIMERS;
	SW_CHECK(sw_tw_memsize(&p) > (size_t)SW_TW_MAX_TIMERS * 16);
	SW_CHECK_EQ(sw_tw_init(&w, &p, mem, sizeof(mem), 0), -EINVAL);
}

/* 2. The single-timer contract, case by case. */
static void
test_basic(void)
{
	struct sw_tw w;
	uint32_t out[8];
	void *mem = wheel_new(&w, 8, 64, 0, 1000);

	SW_CHECK(!sw_tw_armed(&w, 3));
	SW_CHECK_EQ(sw_tw_count(&w), 0);
	sw_tw_cancel(&w, 3);			/* not armed: no-op */
	SW_CHECK_EQ(sw_tw_count(&w), 0);
	SW_CHECK(sw_tw_caught_up(&w, 1000));
	SW_CHECK(!sw_tw_caught_up(&w, 1001));

	/* expire <= now fires at the next call, whatever its now */
	sw_tw_arm(&w, 3, 1000);
	sw_tw_arm(&w, 4, 5);
	SW_CHECK(sw_tw_armed(&w, 3));
	SW_CHECK_EQ(sw_tw_expiry(&w, 4), 5);
	SW_CHECK_EQ(sw_tw_count(&w), 2);
	SW_CHECK(!sw_tw_caught_up(&w, 1000));
	SW_CHECK_EQ(sw_tw_advance(&w, 1000, out, 8), 2);
	SW_CHECK((out[0] == 3 && out[1] == 4) || (out[0] == 4 && out[1] == 3));
	SW_CHECK(!sw_tw_armed(&w, 3) && !sw_tw_armed(&w, 4));
	SW_CHECK_EQ(sw_tw_count(&w), 0);

	/* the next tick fires at that tick, not before */
	sw_tw_arm(&w, 1, 1001);
	SW_CHECK_EQ(sw_tw_advance(&w, 1000, out, 8), 0);
	SW_CHECK_EQ(sw_tw_advance(&w, 1001, out, 8), 1);
	SW_CHECK_EQ(out[0], 1);

	/* re-arm earlier, later (in place), and cancel */
	sw_tw_arm(&w, 2, 1100);
	sw_tw_arm(&w, 2, 1050);
	SW_CHECK_EQ(sw_tw_expiry(&w, 2), 1050);
	SW_CHECK_EQ(sw_tw_advance(&w, 1049, out, 8), 0);
	sw_tw_arm(&w, 2, 1060);		/* pushed later: stays in slot 1050 */
	SW_CHECK_EQ(sw_tw_count(&w), 1);
	SW_CHECK_EQ(sw_tw_advance(&w, 1059, out, 8), 0);
	SW_CHECK(sw_tw_armed(&w, 2));
	SW_CHECK(w.stats.moved >= 1);
	SW_CHECK_EQ(sw_tw_advance(&w, 1060, out, 8), 1);
	sw_tw_arm(&w, 5, 1070);
	sw_tw_cancel(&w, 5);
	sw_tw_cancel(&w, 5);
	SW_CHECK_EQ(sw_tw_count(&w), 0);
	SW_CHECK_EQ(sw_tw_advance(&w, 2000, out, 8), 0);

	/* a timer in a later period, and across the span (64 * 64) */
	sw_tw_arm(&w, 6, 2000 + 64 * 3 + 7);
	sw_tw_arm(&w, 7, 2000 + 64 * 64 * 5 + 9);
	SW_CHECK_EQ(sw_tw_advance(&w, 2000 + 64 * 3 + 6, out, 8), 0);
	SW_CHECK_EQ(sw_tw_advance(&w, 2000 + 64 * 3 + 7, out, 8), 1);
	SW_CHECK_EQ(out[0], 6);
	SW_CHECK_EQ(sw_tw_advance(&w, 2000 + 64 * 64 * 5 + 8, out, 8), 0);
	SW_CHECK(sw_tw_caught_up(&w, 2000 + 64 * 64 * 5 + 8));
	SW_CHECK_EQ(sw_tw_advance(&w, 2000 + 64 * 64 * 5 + 9, out, 8), 1);
	SW_CHECK_EQ(out[0], 7);
	free(mem);
}

/*
 * The model: armed[] and expire[], checked by brute force. Returns the
 * ids fired into out[]; checks each against the model and disarms it.
 */
struct model {
	uint32_t n;
	uint32_t count;
	bool *armed;
	uint64_t *expire;
};

static unsigned int
model_advance(struct sw_tw *w, struct model *m, uint64_t now, uint32_t *out,
		unsigned int max)
{
	uint64_t steps = w->stats.steps;
	unsigned int k = sw_tw_advance(w, now, out, max);

	SW_CHECK(k <= max);
	SW_CHECK(w->stats.steps - steps <= w->max_steps);
	for (unsigned int i = 0; i < k; i++) {
		uint32_t id = out[i];

		SW_CHECKF(id < m->n, "id %u", id);
		if (id >= m->n)
			continue;
		/* fired once: a duplicate finds the model disarmed */
		SW_CHECKF(m->armed[id], "id %u fired unarmed or twice", id);
		SW_CHECKF(m->expire[id] <= now, "id %u early: %" PRIu64
			" > now %" PRIu64, id, m->expire[id], now);
		SW_CHECK(!sw_tw_armed(w, id));
		if (m->armed[id])
			m->count--;
		m->armed[id] = false;
	}
	SW_CHECK_EQ(sw_tw_count(w), m->count);
	return k;
}

/* Caught up with `now`: nothing armed in the model may be due. */
static void
model_check_due(const struct sw_tw *w, const struct model *m, uint64_t now)
{
	for (uint32_t id = 0; id < m->n; id++)
		SW_CHECKF(!m->armed[id] || m->expire[id] > now,
			"id %u lost: due %" PRIu64 ", now %" PRIu64, id,
			m->expire[id], now);
	for (uint32_t id = 0; id < m->n; id += 7) {
		SW_CHECK(sw_tw_armed(w, id) == m->armed[id]);
		if (m->armed[id])
			SW_CHECK_EQ(sw_tw_expiry(w, id), m->expire[id]);
	}
}

static uint64_t
rand_expiry(uint64_t *s, uint64_t now, uint64_t slots)
{
	uint64_t span = slots * slots;

	switch (rand_below(s, 10)) {
	case 0:		/* already passed */
		return now - rand_below(s, now < 100 ? now + 1 : 100);
	case 1:
	case 2:
	case 3:		/* this period or the next */
		return now + rand_below(s, 2 * slots);
	case 4:
	case 5:
	case 6:		/* within the span */
		return now + rand_below(s, span);
	case 7:		/* around the span's edge */
		return now + span - slots + rand_below(s, 2 * slots);
	default:	/* beyond it, up to four rounds */
		return now + rand_below(s, 4 * span);
	}
}

/* 3. Random operations against the model. */
static void
run_model(uint32_t n, uint32_t slots, uint32_t max_steps, uint64_t seed,
		unsigned int ops)
{
	struct sw_tw w;
	struct model m = { .n = n };
	uint64_t s = seed, now = 1ull << 40, steps_max = 0;
	uint64_t span = (uint64_t)slots * slots;
	uint32_t out[64];
	void *mem = wheel_new(&w, n, slots, max_steps, now);

	snprintf(ctx, sizeof(ctx), "n %u slots %u max_steps %u seed %" PRIx64,
		n, slots, max_steps, seed);
	sw_test_ctx = ctx;
	m.armed = calloc(n, sizeof(*m.armed));
	m.expire = calloc(n, sizeof(*m.expire));
	if (m.armed == NULL || m.expire == NULL)
		exit(EXIT_FAILURE);

	for (unsigned int op = 0; op < ops; op++) {
		uint32_t id = (uint32_t)rand_below(&s, n);
		uint64_t r = rand_below(&s, 100), e, step;
		unsigned int k, max;

		if (r < 35) {			/* arm or re-arm */
			e = rand_expiry(&s, now, slots);
			sw_tw_arm(&w, id, e);
			m.count += !m.armed[id];
			m.armed[id] = true;
			m.expire[id] = e;
		} else if (r < 45) {		/* push an armed one later */
			if (!m.armed[id])
				continue;
			e = m.expire[id] + rand_below(&s, 3 * slots);
			sw_tw_arm(&w, id, e);
			m.expire[id] = e;
		} else if (r < 60) {		/* cancel */
			sw_tw_cancel(&w, id);
			m.count -= m.armed[id];
			m.armed[id] = false;
		} else {			/* advance */
			r = rand_below(&s, 100);
			if (r < 50)
				step = rand_below(&s, 3);
			else if (r < 85)
				step = rand_below(&s, 2 * slots);
			else if (r < 97)
				step = rand_below(&s, span);
			else
				step = rand_below(&s, 3 * span);
			now += step;
			max = 1 + (unsigned int)rand_below(&s, 64);
			k = model_advance(&w, &m, now, out, max);
			/* re-arm some of them at or before now, as a caller
			 * handling them would: they fire at a later call */
			for (unsigned int i = 0; i < k; i++) {
				if (rand_below(&s, 4) != 0)
					continue;
				e = now - rand_below(&s, 3);
				sw_tw_arm(&w, out[i], e);
				m.count += !m.armed[out[i]];
				m.armed[out[i]] = true;
				m.expire[out[i]] = e;
			}
			/* half the time catch up, else leave it behind */
			if (rand_below(&s, 2) == 0)
				continue;
			for (unsigned int calls = 0; !sw_tw_caught_up(&w, now);
					calls++) {
				uint64_t st = w.stats.steps;

				model_advance(&w, &m, now, out, max);
				if (w.stats.steps - st > steps_max)
					steps_max = w.stats.steps - st;
				if (calls > 10000000) {
					SW_CHECKF(false, "%s", "no progress");
					break;
				}
			}
			model_check_due(&w, &m, now);
		}
	}
	/* Everything still armed fires, and only once. */
	now += 5 * span;
	while (!sw_tw_caught_up(&w, now))
		model_advance(&w, &m, now, out, 64);
	model_check_due(&w, &m, now);
	SW_CHECK_EQ(m.count, 0);
	SW_CHECK_EQ(sw_tw_count(&w), 0);
	SW_CHECK(steps_max <= w.max_steps);
	free(m.armed);
	free(m.expire);
	free(mem);
}

static void
test_model(void)
{
	/* few steps per call: partial cascades, scans and drains */
	run_model(2048, 64, 8, 0x5eed0301, 150000);
	run_model(2048, 64, SW_TW_STEPS_MIN, 0x5eed0302, 60000);
	run_model(4096, 256, 0, 0x5eed0303, 150000);
	run_model(300, 128, 50, 0x5eed0304, 100000);
}

/*
 * 4. Longer than the span (4096 slots at 1 ms: 4.66 h): an hour, the
 * span's edges, a day; each fires at its tick and not one tick early,
 * and is moved about once per span it waits, not once per 4096 ticks.
 */
static void
test_long(void)
{
	static const uint64_t hour = 3600 * 1000;
	const uint64_t span = 4096ull * 4096;
	const uint64_t t0 = 123456789;
	const uint64_t delay[] = {
		hour, hour + 1, span - 1, span, span + 1, 2 * span + 4095,
		24 * hour, 25 * hour + 17,
	};
	const unsigned int n = sizeof(delay) / sizeof(delay[0]);
	struct sw_tw w;
	uint32_t out[16];
	uint64_t now = t0, moved, bound = 0;
	void *mem = wheel_new(&w, n + 1, 4096, 0, t0);

	sw_test_ctx = "4096 slots";
	for (uint32_t i = 0; i < n; i++) {
		sw_tw_arm(&w, i, t0 + delay[i]);
		bound += delay[i] / span + 2;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = t0 + delay[i];

		/* catch up to the tick before: big jumps, bounded calls */
		while (!sw_tw_caught_up(&w, e - 1))
			SW_CHECK_EQ(sw_tw_advance(&w, e - 1, out, 16), 0);
		SW_CHECKF(sw_tw_armed(&w, i), "timer %u fired early", i);
		SW_CHECK_EQ(sw_tw_advance(&w, e, out, 16), 1);
		SW_CHECK_EQ(out[0], i);
		SW_CHECK(sw_tw_caught_up(&w, e));
		now = e;
	}
	moved = w.stats.moved;
	/* cascades: one per span waited, plus one or two */
	SW_CHECKF(moved <= bound, "moved %" PRIu64 " > %" PRIu64, moved,
		bound);
	printf("  long timers: %u timers up to %.1f h, %" PRIu64
		" moves, %" PRIu64 " steps\n", n, (double)delay[n - 1] / hour,
		moved, w.stats.steps);

	/* an hour, one tick per call, among neighbours in the same tick */
	sw_tw_arm(&w, n, now + hour);
	sw_tw_arm(&w, 0, now + hour + 1);
	for (uint64_t t = now + 1; t < now + hour; t++)
		if (sw_tw_advance(&w, t, out, 16) != 0)
			SW_CHECKF(false, "fired at %" PRIu64, t - now);
	SW_CHECK_EQ(sw_tw_advance(&w, now + hour, out, 16), 1);
	SW_CHECK_EQ(out[0], n);
	SW_CHECK_EQ(sw_tw_advance(&w, now + hour + 1, out, 16), 1);
	SW_CHECK_EQ(out[0], 0);
	free(mem);
}

/*
 * 5. A million timers in one tick: each call returns at most max and
 * spends at most max_steps; all fire once; a timer of the next tick
 * waits. Once straight in level 0, once through a level-1 cascade.
 */
static void
test_bounded(void)
{
	const uint32_t n = 1u << 20, steps = 256;
	struct sw_tw w;
	uint32_t out[64];
	uint8_t *seen = calloc(n + 1, 1);
	void *mem = wheel_new(&w, n + 1, 4096, steps, 0);

	if (seen == NULL)
		exit(EXIT_FAILURE);
	for (int round = 0; round < 2; round++) {
		uint64_t base = w.cur - 1;
		uint64_t e = base + (round == 0 ? 10 : 3600 * 1000);
		uint64_t calls = 0, fired = 0, worst = 0, s0 = w.stats.steps;

		sw_test_ctx = round == 0 ? "level 0" : "cascade";
		memset(seen, 0, n + 1);
		for (uint32_t id = 0; id < n; id++)
			sw_tw_arm(&w, id, e);
		sw_tw_arm(&w, n, e + 1);
		while (!sw_tw_caught_up(&w, e)) {
			uint64_t st = w.stats.steps;
			unsigned int k = sw_tw_advance(&w, e, out, 64);

			calls++;
			SW_CHECK(k <= 64);
			if (w.stats.steps - st > worst)
				worst = w.stats.steps - st;
			for (unsigned int i = 0; i < k; i++) {
				SW_CHECK(out[i] < n && seen[out[i]] == 0);
				if (out[i] < n)
					seen[out[i]] = 1;
			}
			fired += k;
			if (calls > 10 * (uint64_t)n)
				break;
		}
		SW_CHECK_EQ(fired, n);
		SW_CHECK(worst <= steps);
		SW_CHECK(sw_tw_armed(&w, n));
		SW_CHECK_EQ(sw_tw_advance(&w, e + 1, out, 64), 1);
		printf("  1M in one tick (%s): %" PRIu64 " calls, <= 64 ids "
			"and <= %" PRIu64 " steps per call, %.2f steps/timer\n",
			sw_test_ctx, calls, worst,
			(double)(w.stats.steps - s0) / n);
	}
	free(seen);
	free(mem);
}

/*
 * 6. A caller that re-arms what fired to `now` (or earlier) at every
 * call: each call ends and returns an id at most once, the re-armed ones
 * fire at later calls, and in turn, so none of the others starves.
 */
static void
test_rearm_now(void)
{
	const uint32_t n = 1000;
	struct sw_tw w;
	uint32_t out[64], lo = UINT32_MAX, hi = 0;
	uint32_t *last = calloc(n, sizeof(*last));
	uint32_t *times = calloc(n, sizeof(*times));
	void *mem = wheel_new(&w, n, 64, 0, 0);

	if (last == NULL || times == NULL)
		exit(EXIT_FAILURE);
	for (uint32_t id = 0; id < n; id++)
		sw_tw_arm(&w, id, 100);
	for (uint32_t call = 1; call <= 400; call++) {
		unsigned int k = sw_tw_advance(&w, 100, out, 64);

		SW_CHECK(k <= 64);
		for (unsigned int i = 0; i < k; i++) {
			SW_CHECK(last[out[i]] != call);
			last[out[i]] = call;
			times[out[i]]++;
			sw_tw_arm(&w, out[i], 100 - (out[i] & 1));
		}
	}
	SW_CHECK_EQ(sw_tw_count(&w), n);
	for (uint32_t id = 0; id < n; id++) {
		lo = times[id] < lo ? times[id] : lo;
		hi = times[id] > hi ? times[id] : hi;
	}
	SW_CHECKF(lo >= 20 && hi - lo <= 1, "fired %u to %u times", lo, hi);
	free(times);
	free(last);
	free(mem);
}

static void
report(const char *what, uint64_t c, uint64_t t, uint64_t ops)
{
	printf("  %-34s %7.1f %s %7.1f ns\n", what, (double)c / ops,
#ifdef __x86_64__
		"TSC cycles",
#else
		"ns        ",
#endif
		(double)t / ops);
}

/*
 * 7. Cost with 1M timers armed over an hour of 1 ms ticks, ids in random
 * order (each touch a likely cache miss, as with real flows). Printed,
 * never asserted.
 */
static void
test_cost(void)
{
	const uint32_t base = 1u << 20, b = 1u << 18, n = base + b;
	const uint64_t hour = 3600 * 1000, t0 = 1000;
	struct sw_tw w;
	uint32_t *perm = xmalloc(n * sizeof(*perm));
	uint32_t out[64];
	uint64_t s = 0x5eed0307, c, t, fired = 0, st;
	void *mem = wheel_new(&w, n, 4096, 0, t0);

	sw_test_ctx = "cost";
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)rand_below(&s, i + 1), x = perm[i];

		perm[i] = perm[j];
		perm[j] = x;
	}
	/* 1M armed, then the timed batches on top (random ids) */
	for (uint32_t i = 0; i < base; i++)
		sw_tw_arm(&w, perm[i], t0 + 1 + rand_below(&s, hour));
	printf("  %u armed, 4096 slots, per operation:\n", sw_tw_count(&w));

	c = sw_test_cycles(), t = sw_test_ns();
	for (uint32_t i = base; i < n; i++)
		sw_tw_arm(&w, perm[i], t0 + 1 + (perm[i] * 2654435761u) % hour);
	report("arm", sw_test_cycles() - c, sw_test_ns() - t, b);

	c = sw_test_cycles(), t = sw_test_ns();
	for (uint32_t i = 0; i < b; i++)	/* another order */
		sw_tw_cancel(&w, perm[base + ((i * 40503u) & (b - 1))]);
	report("cancel", sw_test_cycles() - c, sw_test_ns() - t, b);

	c = sw_test_cycles(), t = sw_test_ns();
	for (uint32_t i = 0; i < b; i++) {
		uint32_t id = perm[i * 4];

		sw_tw_arm(&w, id, sw_tw_expiry(&w, id) + 1000);
	}
	report("re-arm later (idle timer pushed)", sw_test_cycles() - c, sw_test_ns() - t, b);

	c = sw_test_cycles(), t = sw_test_ns();
	for (uint32_t i = 0; i < b; i++) {
		uint32_t id = perm[i * 4 + 1];

		sw_tw_arm(&w, id, t0 + 1 + (sw_tw_expiry(&w, id) - t0) / 2);
	}
	report("re-arm earlier (moved)", sw_test_cycles() - c, sw_test_ns() - t, b);

	c = sw_test_cycles(), t = sw_test_ns();
	for (uint32_t i = 0; i < b; i++)
		sw_tw_arm(&w, perm[i * 4 + 2], t0 + 1 + rand_below(&s, hour));
	report("re-arm random", sw_test_cycles() - c, sw_test_ns() - t, b);

	/* All of them in one jump, 64 per call: cascades and fires. */
	st = w.stats.steps;
	c = sw_test_cycles(), t = sw_test_ns();
	while (!sw_tw_caught_up(&w, t0 + 2 * hour))
		fired += sw_tw_advance(&w, t0 + 2 * hour, out, 64);
	c = sw_test_cycles() - c, t = sw_test_ns() - t;
	SW_CHECK_EQ(fired, base);
	SW_CHECK_EQ(sw_tw_count(&w), 0);
	report("advance, per timer fired", c, t, fired);
	printf("  (%.2f steps, %.2f moves per timer)\n",
		(double)(w.stats.steps - st) / fired,
		(double)w.stats.moved / fired);

	/* The same million over the next hour, one call per 1 ms tick. */
	for (uint32_t i = 0; i < base; i++)
		sw_tw_arm(&w, perm[i], t0 + 2 * hour + 1 + rand_below(&s, hour));
	fired = 0;
	c = sw_test_cycles(), t = sw_test_ns();
	for (uint64_t now = t0 + 2 * hour + 1; now <= t0 + 3 * hour; now++)
		do
			fired += sw_tw_advance(&w, now, out, 64);
		while (!sw_tw_caught_up(&w, now));
	c = sw_test_cycles() - c, t = sw_test_ns() - t;
	SW_CHECK_EQ(fired, base);
	report("advance, per 1 ms tick (0.29 fire)", c, t, hour);
	free(perm);
	free(mem);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "params", test_params },
		{ "basic", test_basic },
		{ "model", test_model },
		{ "long", test_long },
		{ "bounded", test_bounded },
		{ "rearm_now", test_rearm_now },
		{ "cost", test_cost },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
