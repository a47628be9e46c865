/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the learned server options (lib/proxy/sw_learn.h): find
 * and add are bounded and never evict; a learned window scale takes
 * effect at the next cookie slot, and for every cookie that is still
 * valid (made in the current slot or the one before) the slot it names
 * gives back exactly the shift its SYN-ACK advertised. No EAL.
 */
#include <stdint.h>
#include <string.h>

#include "sw_learn.h"
#include "sw_test.h"

#define ENTRIES	64

static struct sw_learn_entry mem[ENTRIES];

static void
setup(struct sw_learn *l)
{
	memset(mem, 0, sizeof(mem));
	l->e = mem;
	l->mask = ENTRIES - 1;
}

static void
test_find(void)
{
	struct sw_learn l;
	uint8_t a4[4] = { 192, 0, 2, 80 };
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x80 };
	struct sw_learn_entry *e, *f;
	unsigned int added = 0;

	setup(&l);
	SW_CHECK(sw_learn_find(&l, a4, 4, 80, false, NULL) == NULL);
	e = sw_learn_find(&l, a4, 4, 80, true, NULL);
	SW_CHECK(e != NULL);
	SW_CHECK_EQ(sw_learn_ws(e, 5), SW_LEARN_WS_UNKNOWN);
	/* Unknown: whatever the caller says unknown means. */
	SW_CHECK(sw_learn_sack(e, true) && sw_learn_ts(e, true));
	SW_CHECK(!sw_learn_sack(e, false) && !sw_learn_ts(e, false));
	SW_CHECK(sw_learn_find(&l, a4, 4, 80, false, NULL) == e);
	/* Another port, another family with the same leading bytes. */
	f = sw_learn_find(&l, a4, 4, 81, true, NULL);
	SW_CHECK(f != NULL && f != e);
	memcpy(a6, a4, 4);
	f = sw_learn_find(&l, a6, 6, 80, true, NULL);
	SW_CHECK(f != NULL && f != e);
	/* Filling: every add lands or returns NULL, nothing is evicted. */
	for (uint16_t port = 1000; port < 1000 + 4 * ENTRIES; port++)
		if (sw_learn_find(&l, a4, 4, port, true, NULL) != NULL)
			added++;
	SW_CHECK(added <= ENTRIES - 3);
	SW_CHECK(sw_learn_find(&l, a4, 4, 80, false, NULL) == e);
	SW_CHECK(sw_learn_find(&l, a4, 4, 81, false, NULL) != NULL);
	/* `full`: false when found or when there is room, true only when
	 * every slot the server may use is another's. */
	{
		bool full = true;
		unsigned int fulls = 0, rooms = 0;

		SW_CHECK(sw_learn_find(&l, a4, 4, 80, false, &full) == e);
		SW_CHECK(!full);
		for (uint16_t port = 20000; port < 20000 + 4 * ENTRIES;
				port++) {
			if (sw_learn_find(&l, a4, 4, port, false, &full) !=
					NULL)
				continue;
			if (full)
				fulls++;
			else
				rooms++;
		}
		/* The table is (nearly) full after the filling above. */
		SW_CHECK(fulls > 0);
		setup(&l);
		SW_CHECK(sw_learn_find(&l, a4, 4, 80, false, &full) == NULL);
		SW_CHECK(!full);
		(void)rooms;
	}
}

static void
test_options(void)
{
	struct sw_learn_entry e = { .family = 4 };

	SW_CHECK(sw_learn_sack(NULL, true) && sw_learn_ts(NULL, true));
	SW_CHECK(!sw_learn_sack(NULL, false) && !sw_learn_ts(NULL, false));
	/* Known: what the server said, whatever `unknown` is. */
	e.flags = SW_LEARN_F_SACK_KNOWN;
	SW_CHECK(!sw_learn_sack(&e, true) && sw_learn_ts(&e, true));
	SW_CHECK(!sw_learn_sack(&e, false) && !sw_learn_ts(&e, false));
	e.flags |= SW_LEARN_F_SACK | SW_LEARN_F_TS_KNOWN;
	SW_CHECK(sw_learn_sack(&e, false) && !sw_learn_ts(&e, true));
}

/* A probe once per cookie slot per server, whatever the slot number. */
static void
test_probe(void)
{
	struct sw_learn_entry e = { .family = 4 };
	static const uint64_t slots[] = { 0, 1, 2, 0xfffffffe, 0xffffffff,
		UINT64_C(0x100000000), UINT64_C(0x123456789) };

	for (unsigned int i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		SW_CHECK(sw_learn_probe(&e, slots[i]));
		SW_CHECK(!sw_learn_probe(&e, slots[i]));
		SW_CHECK(!sw_learn_probe(&e, slots[i]));
	}
}

/*
 * The rule that matters: whatever sequence of updates, a SYN-ACK made in
 * slot s advertised sw_learn_ws(e, s) at that time, and when its cookie
 * comes back in slot s or s + 1 the entry still says the same for s.
 */
static void
test_ws_slots(void)
{
	enum { SLOTS = 400, UPDATES_PER_SLOT = 3 };
	struct sw_learn_entry e = { .family = 4,
		.ws_old = SW_LEARN_WS_UNKNOWN, .ws_new = SW_LEARN_WS_UNKNOWN };
	uint8_t advertised[SLOTS + 1];
	unsigned int changes = 0, refused = 0;
	uint64_t rng = 0x5eed1ea4;

	/* First learning: effective from the next slot only. */
	SW_CHECK(sw_learn_ws_update(&e, 7, 10));
	SW_CHECK_EQ(sw_learn_ws(&e, 10), SW_LEARN_WS_UNKNOWN);
	SW_CHECK_EQ(sw_learn_ws(&e, 11), 7);
	/* A change while the first is pending replaces it. */
	SW_CHECK(sw_learn_ws_update(&e, 9, 10));
	SW_CHECK_EQ(sw_learn_ws(&e, 10), SW_LEARN_WS_UNKNOWN);
	SW_CHECK_EQ(sw_learn_ws(&e, 11), 9);
	/* In slot 11 cookies of slot 10 need the old value: refused. */
	SW_CHECK(!sw_learn_ws_update(&e, 8, 11));
	SW_CHECK(sw_learn_ws_update(&e, 9, 11));	/* no change: fine */
	/* From slot 12 on the change is accepted, for slot 13. */
	SW_CHECK(sw_learn_ws_update(&e, 8, 12));
	SW_CHECK_EQ(sw_learn_ws(&e, 11), 9);
	SW_CHECK_EQ(sw_learn_ws(&e, 12), 9);
	SW_CHECK_EQ(sw_learn_ws(&e, 13), 8);

	/* Random servers changing their minds, checked for every slot. */
	memset(&e, 0, sizeof(e));
	e.family = 4;
	e.ws_old = e.ws_new = SW_LEARN_WS_UNKNOWN;
	for (uint64_t s = 1; s <= SLOTS; s++) {
		advertised[s] = sw_learn_ws(&e, s);	/* SYN-ACKs of slot s */
		for (unsigned int u = 0; u < UPDATES_PER_SLOT; u++) {
			uint8_t ws = (uint8_t)(sw_test_rand(&rng) % 16);

			if (ws == 15)
				ws = SW_LEARN_WS_NONE;
			if (sw_test_rand(&rng) % 4 != 0)
				continue;
			if (sw_learn_ws_update(&e, ws, s))
				changes++;
			else
				refused++;
		}
		/* Cookies of slot s - 1 and s are valid now. */
		SW_CHECKF(sw_learn_ws(&e, s) == advertised[s],
			"slot %u: %u advertised, %u found", (unsigned int)s,
			advertised[s], sw_learn_ws(&e, s));
		if (s > 1)
			SW_CHECKF(sw_learn_ws(&e, s - 1) == advertised[s - 1],
				"slot %u cookie in slot %u", (unsigned int)s - 1,
				(unsigned int)s);
	}
	SW_CHECK(changes > 0 && refused > 0);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "find/add bounded, never evicts", test_find },
		{ "SACK / timestamps: as answered, else the caller's", test_options },
		{ "a probe once per slot", test_probe },
		{ "window scale: a valid cookie's slot names its shift",
			test_ws_slots },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
