/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the used-cookie memory (lib/cookie/sw_replay.h): a
 * cookie remembered is seen while it is valid and not after; another
 * tuple, ISN or cookie is not seen; a newer entry in the same place
 * replaces the older; an empty table sees nothing; slots wrap. No EAL.
 */
#include <stdint.h>
#include <string.h>

#include "sw_replay.h"
#include "sw_test.h"

#define ENTRIES	1024

static uint64_t mem[ENTRIES];

static void
setup(struct sw_replay *r)
{
	memset(mem, 0, sizeof(mem));
	r->e = mem;
	r->mask = ENTRIES - 1;
}

static void
test_seen(void)
{
	struct sw_replay r;
	const uint64_t h = sw_replay_hash(0x12345678, 1001, 0xdeadbeef);

	setup(&r);
	SW_CHECK(!sw_replay_seen(&r, h, 10));
	sw_replay_add(&r, h, 11);	/* made in slot 10: valid 10, 11 */
	SW_CHECK(sw_replay_seen(&r, h, 10));
	SW_CHECK(sw_replay_seen(&r, h, 11));
	SW_CHECK(!sw_replay_seen(&r, h, 12));	/* expired anyway */
	/* Another tuple, client ISN or cookie: not the same ACK. */
	SW_CHECK(!sw_replay_seen(&r, sw_replay_hash(0x12345679, 1001,
		0xdeadbeef), 10));
	SW_CHECK(!sw_replay_seen(&r, sw_replay_hash(0x12345678, 1002,
		0xdeadbeef), 10));
	SW_CHECK(!sw_replay_seen(&r, sw_replay_hash(0x12345678, 1001,
		0xdeadbeee), 10));
	/* Slot numbers past 2^32 compare by their low bits, wrapping. */
	sw_replay_add(&r, h, UINT64_C(0x100000000));
	SW_CHECK(sw_replay_seen(&r, h, UINT64_C(0xffffffff)));
	SW_CHECK(!sw_replay_seen(&r, h, UINT64_C(0x100000001)));
}

/* An empty table matches nothing, even a hash whose top half is 0. */
static void
test_empty(void)
{
	struct sw_replay r;

	setup(&r);
	for (uint32_t i = 0; i < 100000; i++)
		SW_CHECK(!sw_replay_seen(&r, sw_replay_hash(i, i * 7, ~i), 0));
	SW_CHECK(!sw_replay_seen(&r, 5, 0));
	SW_CHECK(sw_replay_tag(5) != 0);
}

/*
 * Many cookies: each is seen right after it is added; after 4 x ENTRIES
 * more, most are gone (overwritten), none is confused with another
 * (with 2^10 entries and 32-bit tags, a false match in this many
 * lookups would be a broken hash).
 */
static void
test_churn(void)
{
	struct sw_replay r;
	unsigned int kept = 0, false_hits = 0;

	setup(&r);
	for (uint32_t i = 0; i < 4 * ENTRIES; i++) {
		uint64_t h = sw_replay_hash(i * 2654435761u, i, i ^ 0x5555);

		sw_replay_add(&r, h, 100);
		SW_CHECK(sw_replay_seen(&r, h, 100));
	}
	for (uint32_t i = 0; i < 4 * ENTRIES; i++)
		if (sw_replay_seen(&r, sw_replay_hash(i * 2654435761u, i,
				i ^ 0x5555), 100))
			kept++;
	/* At most one per entry survives; a good hash fills most. */
	SW_CHECK(kept <= ENTRIES);
	SW_CHECK(kept > ENTRIES / 2);
	for (uint32_t i = 0; i < 1000000; i++)
		if (sw_replay_seen(&r, sw_replay_hash(i * 2654435761u, i,
				i ^ 0xaaaa), 100))
			false_hits++;
	SW_CHECK_EQ(false_hits, 0);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "a used cookie is seen while valid", test_seen },
		{ "an empty table sees nothing", test_empty },
		{ "churn: bounded, no false match", test_churn },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
