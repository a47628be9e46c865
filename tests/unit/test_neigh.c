/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/neigh against the "neighbour table bounds": a flood of
 * 100,000 unresolvable destinations never holds more than hold_total
 * packets or max_incomplete INCOMPLETE entries, never loses a STATIC or
 * REACHABLE entry, and every packet passed in is either refused or
 * comes back exactly once. Plus the state machine (RFC 4861 §7.3.2
 * names), probe rate, bounded tick work and IPv4/IPv6 keys. Packets are
 * tokens (addresses in one array), so each one's fate can be tracked.
 * Deterministic: fixed addresses and seeds, no EAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sw_neigh.h"

#include "sw_test.h"

#define MEM_WORDS	(1u << 17)	/* 1 MiB */

static uint64_t mem[MEM_WORDS];
static struct sw_neigh nt;

static const uint8_t MAC1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC2[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static struct sw_neigh_params
params(void)
{
	return (struct sw_neigh_params){
		.capacity = 1024,
		.max_incomplete = 64,
		.hold_per_entry = 4,
		.hold_total = 128,
		.max_probes = 3,
		.scan_per_tick = 64,
		.retrans_ticks = 10,
		.reachable_ticks = 1000,
		.stale_ticks = 5000,
		.seed = 0x5eed5eed12345678ull,
	};
}

static void
setup(const struct sw_neigh_params *p)
{
	size_t need = sw_neigh_memsize(p);

	SW_CHECK(need != 0 && need <= sizeof(mem));
	SW_CHECK_EQ(sw_neigh_init(&nt, p, mem, sizeof(mem)), 0);
}

/* 10.x.y.z in network byte order. */
static const uint8_t *
v4(uint32_t host)
{
	static uint8_t a[4];
	uint32_t x = 0x0a000000u | (host & 0xffffffu);

	a[0] = (uint8_t)(x >> 24);
	a[1] = (uint8_t)(x >> 16);
	a[2] = (uint8_t)(x >> 8);
	a[3] = (uint8_t)x;
	return a;
}

/* Packet tokens: a packet is &tok[i]; its fate is state[i]. */
#define N_TOK		400000u
enum { T_NEW, T_HELD, T_REFUSED, T_BACK };
static char tok[N_TOK];
static uint8_t tok_state[N_TOK];
static uint32_t tok_next;
static uint32_t tok_held;
static uint64_t tok_bad;	/* returned but not held: lost or twice */

static void
tok_reset(void)
{
	memset(tok_state, 0, sizeof(tok_state));
	tok_next = 0;
	tok_held = 0;
	tok_bad = 0;
}

static void *
tok_new(void)
{
	return &tok[tok_next++];
}

/* Record a resolve's verdict for packet `p`. */
static enum sw_neigh_verdict
tok_resolve(uint8_t family, const void *addr, uint64_t now, uint8_t mac[6])
{
	void *p = tok_new();
	uint32_t i = (uint32_t)((char *)p - tok);
	enum sw_neigh_verdict v = sw_neigh_resolve(&nt, family, addr, now, p,
		mac);

	if (v == SW_NEIGH_QUEUED || v == SW_NEIGH_QUEUED_SOLICIT) {
		tok_state[i] = T_HELD;
		tok_held++;
	} else {
		tok_state[i] = T_REFUSED;
	}
	return v;
}

static void
tok_back(void **pkts, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		uint32_t i = (uint32_t)((char *)pkts[k] - tok);

		if (i >= tok_next || tok_state[i] != T_HELD) {
			tok_bad++;
			continue;
		}
		tok_state[i] = T_BACK;
		tok_held--;
	}
}

static unsigned int
tick(uint64_t now, unsigned int *n_ev)
{
	struct sw_neigh_event ev[16];
	void *freed[64];
	unsigned int nf = 0;

	*n_ev = sw_neigh_tick(&nt, now, ev, 16, freed, 64, &nf);
	tok_back(freed, nf);
	return nf;
}

static void
test_resolve_solicit_learn_releases_in_order(void)
{
	struct sw_neigh_params p = params();
	void *pk[3] = { &tok[0], &tok[1], &tok[2] };
	void *rel[8];
	uint8_t mac[6];

	setup(&p);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), 100, pk[0], mac),
		SW_NEIGH_QUEUED_SOLICIT);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), 101, pk[1], mac),
		SW_NEIGH_QUEUED);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), 102, pk[2], mac),
		SW_NEIGH_QUEUED);
	SW_CHECK_EQ(nt.n_held, 3);
	SW_CHECK_EQ(nt.n_incomplete, 1);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(1), MAC1, 103, true,
		rel, 8), 3);
	for (int k = 0; k < 3; k++)
		SW_CHECK(rel[k] == pk[k]);
	SW_CHECK_EQ(nt.n_held, 0);
	SW_CHECK_EQ(nt.n_incomplete, 0);
	SW_CHECK_EQ(sw_neigh_lookup(&nt, AF_INET, v4(1))->state,
		SW_NEIGH_REACHABLE);
	memset(mac, 0, 6);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), 104, pk[0], mac),
		SW_NEIGH_HAVE);
	SW_CHECK(memcmp(mac, MAC1, 6) == 0);
	SW_CHECK_EQ(nt.n_held, 0);
	SW_CHECK_EQ(nt.stats.solicits, 1);
	SW_CHECK_EQ(nt.stats.resolved, 1);
	SW_CHECK_EQ(nt.stats.released, 3);
}

/*
 * One flood: n_static STATIC and up to n_reach REACHABLE entries and
 * n_stale STALE ones (which may be evicted), then 100,000 distinct
 * unresolvable destinations, each group of 8 also re-resolving its
 * first address (so per-entry holds fill up), ticking as time passes.
 */
static void
run_flood(const struct sw_neigh_params *p, uint32_t n_static,
		uint32_t n_reach, uint32_t n_stale)
{
	enum { KEEP_MAX = 64 };
	uint32_t keep[KEEP_MAX], n_keep = 0, n_keep_static = 0;
	uint8_t keep_mac[KEEP_MAX][6];
	uint8_t mac[6];
	void *rel[8];
	uint64_t now = 1;
	uint32_t i, k, rounds;
	unsigned int n_ev;

	setup(p);
	tok_reset();
	for (i = 0; i < n_static && n_keep < KEEP_MAX; i++) {
		uint8_t m[6] = { 0x02, 0x5a, 0, 0, 0, (uint8_t)i };

		if (sw_neigh_static(&nt, AF_INET, v4(0x10000 + i), m) != 0)
			continue;
		keep[n_keep] = 0x10000 + i;
		memcpy(keep_mac[n_keep++], m, 6);
	}
	n_keep_static = n_keep;
	for (i = 0; i < n_reach + n_stale && n_keep < KEEP_MAX; i++) {
		uint8_t m[6] = { 0x02, 0x4e, 0, 0, 0, (uint8_t)i };
		uint32_t a = 0x20000 + i;
		int n;

		if (tok_resolve(AF_INET, v4(a), now, mac) !=
				SW_NEIGH_QUEUED_SOLICIT)
			continue;
		n = sw_neigh_learn(&nt, AF_INET, v4(a), m, now, i < n_reach,
			rel, 8);
		SW_CHECK_EQ(n, 1);
		tok_back(rel, n > 0 ? (unsigned int)n : 0);
		if (i < n_reach) {
			keep[n_keep] = a;
			memcpy(keep_mac[n_keep++], m, 6);
		}
	}
	SW_CHECK(n_keep >= n_keep_static + n_reach / 2);

	for (i = 0; i < 100000; i++) {
		uint32_t a = 0x100000 + i;

		tok_resolve(AF_INET, v4(a), now, mac);
		if ((i & 7) != 0)
			tok_resolve(AF_INET, v4(a & ~7u), now, mac);
		if (nt.n_held > p->hold_total || tok_held != nt.n_held ||
				nt.n_incomplete > p->max_incomplete) {
			SW_CHECKF(0, "i %u held %u/%u incomplete %u", i,
				nt.n_held, tok_held, nt.n_incomplete);
			break;
		}
		if (i % 50 == 49) {
			now++;
			tick(now, &n_ev);
		}
		if (i % 1000 == 999) {
			for (k = 0; k < n_keep; k++) {
				enum sw_neigh_verdict v = sw_neigh_resolve(&nt,
					AF_INET, v4(keep[k]), now, &tok[0],
					mac);

				SW_CHECKF(v == SW_NEIGH_HAVE &&
					memcmp(mac, keep_mac[k], 6) == 0,
					"i %u keep %u v %d", i, k, (int)v);
			}
		}
	}
	SW_CHECK_EQ(tok_bad, 0);
	SW_CHECK(nt.stats.dropped_incomplete > 0);
	SW_CHECK(nt.stats.dropped_pool > 0);
	SW_CHECK(nt.stats.dropped_hold > 0);
	SW_CHECK(nt.stats.failed > 0);

	/* max_probes retransmissions, a whole scan each: all comes back. */
	for (rounds = 0; rounds < 10000 && (nt.n_held != 0 ||
			nt.n_incomplete != 0); rounds++) {
		now += p->retrans_ticks;
		for (k = 0; k <= p->capacity / nt.scan; k++)
			tick(now, &n_ev);
	}
	SW_CHECK_EQ(nt.n_held, 0);
	SW_CHECK_EQ(nt.n_incomplete, 0);
	SW_CHECK_EQ(tok_held, 0);
	SW_CHECK_EQ(tok_bad, 0);
	for (i = 0; i < tok_next; i++)
		if (tok_state[i] != T_REFUSED && tok_state[i] != T_BACK) {
			SW_CHECKF(0, "token %u state %u", i, tok_state[i]);
			break;
		}
	SW_CHECK_EQ(nt.stats.queued, nt.stats.released + nt.stats.freed);
	SW_CHECK_EQ(nt.n_static, n_keep_static);
	/* Only what was kept, plus STALE entries that were not evicted. */
	SW_CHECK(nt.n_entries >= n_keep && nt.n_entries <= n_keep + n_stale);
	for (k = 0; k < n_keep; k++) {
		SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(keep[k]), now,
			&tok[0], mac), SW_NEIGH_HAVE);
		SW_CHECK(memcmp(mac, keep_mac[k], 6) == 0);
	}
}

static void
test_flood_stays_within_bounds(void)
{
	struct sw_neigh_params p = params();

	/* Room in the table; the hold and INCOMPLETE bounds bite. */
	p.reachable_ticks = 1000000;
	p.stale_ticks = 1000000;
	sw_test_ctx = "roomy";
	run_flood(&p, 8, 32, 8);

	/* A small table mostly full: windows fill, STALE entries go. */
	p.capacity = 64;
	p.max_incomplete = 16;
	p.hold_total = 24;
	sw_test_ctx = "tight";
	run_flood(&p, 8, 16, 16);
	SW_CHECK(nt.stats.dropped_full > 0);
	SW_CHECK(nt.stats.evicted > 0);
}

static void
test_hold_per_entry_enforced(void)
{
	struct sw_neigh_params p = params();
	void *rel[8];
	uint8_t mac[6];

	setup(&p);
	tok_reset();
	SW_CHECK_EQ(tok_resolve(AF_INET, v4(7), 1, mac),
		SW_NEIGH_QUEUED_SOLICIT);
	for (int k = 0; k < 3; k++)
		SW_CHECK_EQ(tok_resolve(AF_INET, v4(7), 1, mac),
			SW_NEIGH_QUEUED);
	SW_CHECK_EQ(tok_resolve(AF_INET, v4(7), 1, mac), SW_NEIGH_DROP);
	SW_CHECK_EQ(tok_resolve(AF_INET, v4(7), 2, mac), SW_NEIGH_DROP);
	SW_CHECK_EQ(nt.stats.dropped_hold, 2);
	SW_CHECK_EQ(nt.n_held, 4);
	/* Too small a release array: refused before anything changes. */
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(7), MAC1, 3, true,
		rel, 3), -EINVAL);
	SW_CHECK_EQ(nt.n_held, 4);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(7), MAC1, 3, true,
		rel, 4), 4);
	tok_back(rel, 4);
	SW_CHECK_EQ(tok_held, 0);
	SW_CHECK_EQ(tok_bad, 0);
}

static void
test_unsolicited_learn_for_unknown_creates_nothing(void)
{
	struct sw_neigh_params p = params();
	void *rel[8];

	setup(&p);
	for (uint32_t i = 0; i < 10000; i++) {
		SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(i), MAC1, i,
			false, rel, 8), -ENOENT);
		SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(i), MAC1, i,
			true, rel, 8), -ENOENT);
	}
	SW_CHECK_EQ(nt.n_entries, 0);
	SW_CHECK(sw_neigh_lookup(&nt, AF_INET, v4(0)) == NULL);
	SW_CHECK_EQ(nt.stats.ignored, 20000);
}

static void
test_static_never_expires_nor_learned_over(void)
{
	struct sw_neigh_params p = params();
	void *rel[8];
	uint8_t mac[6];
	unsigned int n_ev;
	uint64_t now;

	setup(&p);
	tok_reset();
	SW_CHECK_EQ(sw_neigh_static(&nt, AF_INET, v4(5), MAC1), 0);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(5), MAC2, 1, true,
		rel, 8), 0);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(5), MAC2, 1, false,
		rel, 8), 0);
	for (now = 0; now < 100 * p.stale_ticks; now += p.reachable_ticks)
		for (uint32_t k = 0; k <= p.capacity / nt.scan; k++)
			tick(now, &n_ev);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(5), now, &tok[0], mac),
		SW_NEIGH_HAVE);
	SW_CHECK(memcmp(mac, MAC1, 6) == 0);
	SW_CHECK_EQ(nt.n_static, 1);
	SW_CHECK_EQ(nt.n_entries, 1);
	/* A static entry replaces a learned one, and can be updated. */
	SW_CHECK_EQ(tok_resolve(AF_INET, v4(6), now, mac),
		SW_NEIGH_QUEUED_SOLICIT);
	SW_CHECK_EQ(sw_neigh_static(&nt, AF_INET, v4(6), MAC1), -EBUSY);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(6), MAC1, now, true,
		rel, 8), 1);
	SW_CHECK_EQ(sw_neigh_static(&nt, AF_INET, v4(6), MAC2), 0);
	SW_CHECK_EQ(sw_neigh_static(&nt, AF_INET, v4(5), MAC2), 0);
	SW_CHECK_EQ(nt.n_static, 2);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(5), now, &tok[0], mac),
		SW_NEIGH_HAVE);
	SW_CHECK(memcmp(mac, MAC2, 6) == 0);
}

static void
test_reachable_stale_removed_and_probe_rate(void)
{
	struct sw_neigh_params p = params();
	const uint64_t t0 = 1000, R = p.reachable_ticks, S = p.stale_ticks;
	const uint64_t X = p.retrans_ticks;
	void *rel[8];
	uint8_t mac[6];
	unsigned int n_ev;

	setup(&p);
	tok_reset();
	/* Lazily, through resolve. */
	tok_resolve(AF_INET, v4(1), t0, mac);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(1), MAC1, t0, true,
		rel, 8), 1);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), t0 + R - 1, &tok[0],
		mac), SW_NEIGH_HAVE);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), t0 + R, &tok[0],
		mac), SW_NEIGH_HAVE_PROBE);
	SW_CHECK(memcmp(mac, MAC1, 6) == 0);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), t0 + R, &tok[0],
		mac), SW_NEIGH_HAVE);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), t0 + R + X - 1,
		&tok[0], mac), SW_NEIGH_HAVE);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), t0 + R + X,
		&tok[0], mac), SW_NEIGH_HAVE_PROBE);
	SW_CHECK_EQ(nt.stats.probes, 2);
	/* The probe's answer (solicited) makes it REACHABLE again. */
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(1), MAC1, t0 + R + X,
		true, rel, 8), 0);
	SW_CHECK_EQ(sw_neigh_lookup(&nt, AF_INET, v4(1))->state,
		SW_NEIGH_REACHABLE);
	/* An unsolicited new MAC is taken but unconfirmed: STALE. */
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(1), MAC2, t0 + R + X,
		false, rel, 8), 0);
	SW_CHECK_EQ(sw_neigh_lookup(&nt, AF_INET, v4(1))->state,
		SW_NEIGH_STALE);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), t0 + R + X,
		&tok[0], mac), SW_NEIGH_HAVE_PROBE);
	SW_CHECK(memcmp(mac, MAC2, 6) == 0);
	/* STALE for stale_ticks: gone; the next resolve solicits afresh. */
	SW_CHECK_EQ(tok_resolve(AF_INET, v4(1), t0 + R + X + S, mac),
		SW_NEIGH_QUEUED_SOLICIT);
	SW_CHECK_EQ(nt.stats.expired, 1);

	/* Eagerly, through ticks: an unsolicited answer is STALE at once. */
	setup(&p);
	tok_resolve(AF_INET, v4(2), t0, mac);
	tok_resolve(AF_INET, v4(3), t0, mac);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(2), MAC1, t0, true,
		rel, 8), 1);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET, v4(3), MAC1, t0, false,
		rel, 8), 1);
	SW_CHECK_EQ(sw_neigh_lookup(&nt, AF_INET, v4(3))->state,
		SW_NEIGH_STALE);
	for (uint32_t k = 0; k < p.capacity / nt.scan; k++)
		tick(t0 + R - 1, &n_ev);
	SW_CHECK_EQ(sw_neigh_lookup(&nt, AF_INET, v4(2))->state,
		SW_NEIGH_REACHABLE);
	for (uint32_t k = 0; k < p.capacity / nt.scan; k++)
		tick(t0 + R, &n_ev);
	SW_CHECK_EQ(sw_neigh_lookup(&nt, AF_INET, v4(2))->state,
		SW_NEIGH_STALE);
	for (uint32_t k = 0; k < p.capacity / nt.scan; k++)
		tick(t0 + S, &n_ev);
	SW_CHECK(sw_neigh_lookup(&nt, AF_INET, v4(3)) == NULL);
	SW_CHECK(sw_neigh_lookup(&nt, AF_INET, v4(2)) != NULL);
	for (uint32_t k = 0; k < p.capacity / nt.scan; k++)
		tick(t0 + R + S, &n_ev);
	SW_CHECK(sw_neigh_lookup(&nt, AF_INET, v4(2)) == NULL);
	SW_CHECK_EQ(nt.n_entries, 0);
	SW_CHECK_EQ(nt.stats.expired, 2);
}

static void
test_incomplete_resolicits_then_fails(void)
{
	struct sw_neigh_params p = params();
	struct sw_neigh_event ev[4];
	void *freed[8];
	unsigned int nf, total_ev = 0;
	uint8_t mac[6];
	uint64_t now;

	setup(&p);
	tok_reset();
	tok_resolve(AF_INET, v4(9), 0, mac);
	tok_resolve(AF_INET, v4(9), 0, mac);
	for (now = 0; now <= 3 * p.retrans_ticks; now++) {
		for (uint32_t k = 0; k < p.capacity / nt.scan; k++) {
			unsigned int n = sw_neigh_tick(&nt, now, ev, 4, freed,
				8, &nf);

			for (unsigned int j = 0; j < n; j++)
				SW_CHECK(ev[j].family == AF_INET &&
					memcmp(ev[j].addr, v4(9), 4) == 0);
			total_ev += n;
			tok_back(freed, nf);
		}
		if (now < 3 * p.retrans_ticks)
			SW_CHECK_EQ(nt.n_incomplete, 1);
	}
	/* One solicit from resolve, max_probes - 1 from the tick. */
	SW_CHECK_EQ(total_ev, p.max_probes - 1);
	SW_CHECK_EQ(nt.stats.solicits, p.max_probes);
	SW_CHECK_EQ(nt.n_incomplete, 0);
	SW_CHECK_EQ(nt.n_entries, 0);
	SW_CHECK_EQ(nt.stats.failed, 1);
	SW_CHECK_EQ(nt.stats.freed, 2);
	SW_CHECK_EQ(tok_held, 0);
	SW_CHECK_EQ(tok_bad, 0);
}

static void
test_tick_bounded_work(void)
{
	struct sw_neigh_params p = params();
	struct sw_neigh_event ev[1];
	void *freed[4];
	unsigned int nf, total = 0, calls = 0;
	uint8_t mac[6];
	uint64_t before;

	p.scan_per_tick = 16;
	p.max_incomplete = 200;
	p.hold_total = 200;
	setup(&p);
	tok_reset();
	for (uint32_t i = 0; i < 200; i++)
		SW_CHECK_EQ(tok_resolve(AF_INET, v4(i), 0, mac),
			SW_NEIGH_QUEUED_SOLICIT);
	/* Too little room for a failed entry's packets: no work at all. */
	before = nt.stats.scanned;
	SW_CHECK_EQ(sw_neigh_tick(&nt, p.retrans_ticks, ev, 1, freed, 3, &nf),
		0);
	SW_CHECK_EQ(nt.stats.scanned, before);
	/* One event per call at most: each due entry is reached in turn. */
	while (total < 200 && calls < 10000) {
		before = nt.stats.scanned;
		total += sw_neigh_tick(&nt, p.retrans_ticks, ev, 1, freed, 4,
			&nf);
		SW_CHECK(nt.stats.scanned - before <= 16);
		SW_CHECK_EQ(nf, 0);
		calls++;
	}
	SW_CHECK_EQ(total, 200);
	SW_CHECK(calls >= 200);
	/* Nothing due: a call visits exactly scan_per_tick slots. */
	before = nt.stats.scanned;
	SW_CHECK_EQ(sw_neigh_tick(&nt, p.retrans_ticks, ev, 1, freed, 4, &nf),
		0);
	SW_CHECK_EQ(nt.stats.scanned - before, 16);
	/*
	 * Past max_probes: each failed entry returns its packet, at most
	 * max_freed per call; the rest wait for later calls, none lost.
	 */
	for (uint64_t now = 2 * p.retrans_ticks; now <= 3 * p.retrans_ticks;
			now += p.retrans_ticks) {
		for (calls = 0; calls < 10000 && nt.n_incomplete != 0 &&
				(now < 3 * p.retrans_ticks ||
				nt.stats.failed < 200); calls++) {
			before = nt.stats.scanned;
			total += sw_neigh_tick(&nt, now, ev, 1, freed, 4, &nf);
			SW_CHECK(nf <= 4);
			SW_CHECK(nt.stats.scanned - before <= 16);
			tok_back(freed, nf);
			if (now < 3 * p.retrans_ticks && total == 400)
				break;
		}
	}
	SW_CHECK_EQ(total, 400);
	SW_CHECK_EQ(nt.stats.failed, 200);
	SW_CHECK_EQ(nt.n_incomplete, 0);
	SW_CHECK_EQ(tok_held, 0);
	SW_CHECK_EQ(tok_bad, 0);
}

static void
check_keys_apart(const struct sw_neigh_params *p)
{
	uint8_t a6[16] = { 10, 0, 0, 1 };	/* 0a00:0001:: */
	uint8_t a4[16] = { 10, 0, 0, 1, 0xff, 0xff, 0xff, 0xff };
	void *rel[8];
	uint8_t mac[6];

	setup(p);
	tok_reset();
	SW_CHECK_EQ(sw_neigh_static(&nt, AF_INET, a4, MAC1), 0);
	SW_CHECK_EQ(tok_resolve(AF_INET6, a6, 1, mac),
		SW_NEIGH_QUEUED_SOLICIT);
	SW_CHECK_EQ(sw_neigh_learn(&nt, AF_INET6, a6, MAC2, 1, true, rel, 8),
		1);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), 2, &tok[0], mac),
		SW_NEIGH_HAVE);
	SW_CHECK(memcmp(mac, MAC1, 6) == 0);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET6, a6, 2, &tok[0], mac),
		SW_NEIGH_HAVE);
	SW_CHECK(memcmp(mac, MAC2, 6) == 0);
	SW_CHECK_EQ(nt.n_entries, 2);
	/* Bytes past an IPv4 address's 4 are not part of its key. */
	SW_CHECK(sw_neigh_lookup(&nt, AF_INET, a4) ==
		sw_neigh_lookup(&nt, AF_INET, v4(1)));
}

static void
test_ipv4_ipv6_keys_apart(void)
{
	struct sw_neigh_params p = params();

	check_keys_apart(&p);
	/* One window spans the table: the keys meet, the family tells. */
	p.capacity = 16;
	p.probe_window = 16;
	sw_test_ctx = "one window";
	check_keys_apart(&p);
}

static void
test_params_and_errors(void)
{
	struct sw_neigh_params p = params();
	uint8_t mac[6];
	uint32_t i;
	int rc = 0;

	p.capacity = 1000;
	SW_CHECK_EQ(sw_neigh_memsize(&p), 0);
	p = params();
	p.hold_per_entry = 0;
	SW_CHECK_EQ(sw_neigh_memsize(&p), 0);
	p = params();
	p.probe_window = 65;
	SW_CHECK_EQ(sw_neigh_memsize(&p), 0);
	p = params();
	p.retrans_ticks = 0;
	SW_CHECK_EQ(sw_neigh_memsize(&p), 0);
	SW_CHECK_EQ(sw_neigh_init(&nt, &p, mem, sizeof(mem)), -EINVAL);
	p = params();
	SW_CHECK_EQ(sw_neigh_init(&nt, &p, mem, sw_neigh_memsize(&p) - 1),
		-EINVAL);
	SW_CHECK_EQ(sw_neigh_init(&nt, &p, (char *)mem + 4, sizeof(mem) - 8),
		-EINVAL);
	setup(&p);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, 99, v4(1), 0, &tok[0], mac),
		SW_NEIGH_DROP);
	SW_CHECK_EQ(sw_neigh_resolve(&nt, AF_INET, v4(1), 0, NULL, mac),
		SW_NEIGH_DROP);
	SW_CHECK_EQ(nt.stats.dropped_invalid, 2);
	SW_CHECK_EQ(sw_neigh_static(&nt, 99, v4(1), MAC1), -EINVAL);
	SW_CHECK_EQ(nt.n_entries, 0);
	/* Statics past what the windows hold: -ENOSPC, never an overwrite. */
	p.capacity = 16;
	p.probe_window = 4;
	setup(&p);
	for (i = 0; i < 64 && rc == 0; i++)
		rc = sw_neigh_static(&nt, AF_INET, v4(i), MAC1);
	SW_CHECK_EQ(rc, -ENOSPC);
	SW_CHECK_EQ(nt.n_static, i - 1);
	SW_CHECK(nt.n_static <= 16);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "resolve_solicit_learn_releases_in_order",
			test_resolve_solicit_learn_releases_in_order },
		{ "flood_stays_within_bounds",
			test_flood_stays_within_bounds },
		{ "hold_per_entry_enforced", test_hold_per_entry_enforced },
		{ "unsolicited_learn_for_unknown_creates_nothing",
			test_unsolicited_learn_for_unknown_creates_nothing },
		{ "static_never_expires_nor_learned_over",
			test_static_never_expires_nor_learned_over },
		{ "reachable_stale_removed_and_probe_rate",
			test_reachable_stale_removed_and_probe_rate },
		{ "incomplete_resolicits_then_fails",
			test_incomplete_resolicits_then_fails },
		{ "tick_bounded_work", test_tick_bounded_work },
		{ "ipv4_ipv6_keys_apart", test_ipv4_ipv6_keys_apart },
		{ "params_and_errors", test_params_and_errors },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
