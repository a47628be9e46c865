/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow/sw_flow_table.c against its header's contract: round trips,
 * duplicates, stable and reused ids; 90 % of capacity always insertable
 * for IPv4 and IPv6 keys, including the capacities where the bucket
 * count rounds up least; failed inserts (ids exhausted, or no cuckoo
 * path in a deliberately crowded set of buckets) disturb nothing; churn
 * and mass expiry at 90 %; hardware and software CRC32C agree. Every
 * phase ends with a full check of the table's internals against what
 * the test inserted. Then ns and cycles per operation at 10/50/90 %,
 * printed, never asserted. Deterministic: fixed seeds, no EAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_flow_table.h"

#include "sw_test.h"

#define KEY4_LEN	12	/* client addr, server addr, client port, server port */
#define KEY6_LEN	36
#define NONE		UINT64_MAX

/* The failing case, for sw_test_ctx (static: it outlives each test). */
static char ctx[160];

/*
 * Key number i, distinct for distinct i: IPv4 keys are a bijection of
 * i < 2^36 onto client 198.18.0.0/15 x client port x 4 servers x 2
 * ports, so they look like a real worker's flows (few servers, clients
 * spread over the benchmarking range) rather than uniform bytes; IPv6
 * keys put a bijection of i in the client's interface id.
 */
static void
make_key(uint32_t key_len, uint64_t i, uint8_t *k)
{
	if (key_len == KEY4_LEN) {
		const uint64_t mask = (1ull << 36) - 1;
		uint64_t x = (i * 0x9e3779b97f4a7c15ull + 12345) & mask;
		uint32_t caddr, saddr;
		uint16_t cport, sport;

		x ^= x >> 18;
		x = (x * 0xbf58476d1ce4e5b9ull) & mask;
		x ^= x >> 17;
		caddr = 0xc6120000u | (uint32_t)(x & 0x1ffff);
		cport = (uint16_t)(x >> 17);
		saddr = 0xcb007101u + (uint32_t)((x >> 33) & 3);
		sport = (x >> 35) & 1 ? 443 : 80;
		memcpy(k, &caddr, 4);
		memcpy(k + 4, &saddr, 4);
		memcpy(k + 8, &cport, 2);
		memcpy(k + 10, &sport, 2);
	} else {
		/* splitmix64's finalizer: a bijection of 64 bits. */
		uint64_t x = i + 0x9e3779b97f4a7c15ull;
		static const uint8_t cpfx[8] = { 0x20, 0x01, 0x0d, 0xb8 };
		static const uint8_t srv[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff,
			0xff, [15] = 1 };
		uint16_t cport = (uint16_t)(i * 40503u);
		uint16_t sport = 443;

		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		x ^= x >> 31;
		memcpy(k, cpfx, 8);
		memcpy(k + 8, &x, 8);
		memcpy(k + 16, srv, 16);
		memcpy(k + 32, &cport, 2);
		memcpy(k + 34, &sport, 2);
	}
}

/* A table with the test's record of what it should hold. */
struct fix {
	struct sw_ft t;
	struct sw_ft_params p;
	void *mem;
	uint8_t *entries;
	uint64_t *key_of;	/* key number per id, NONE when free */
	uint32_t *live;		/* dense list of live ids, for random picks */
	uint32_t *live_pos;	/* id -> index in live[] */
	uint32_t n_live;
	uint64_t next_key;	/* key numbers below this have been used */
};

static void *
xalloc(size_t align, size_t len)
{
	void *p = aligned_alloc(align, (len + align - 1) / align * align);

	if (p == NULL) {
		perror("aligned_alloc");
		exit(EXIT_FAILURE);
	}
	return p;
}

static void
fix_init(struct fix *f, uint32_t capacity, uint32_t key_len,
		uint32_t entry_size)
{
	size_t len;

	memset(f, 0, sizeof(*f));
	f->p = (struct sw_ft_params){ capacity, key_len, entry_size };
	len = sw_ft_memsize(&f->p);
	SW_CHECK(len != 0);
	f->mem = xalloc(SW_FT_ALIGN, len);
	f->entries = xalloc(64, (size_t)capacity * entry_size);
	SW_CHECK_EQ(sw_ft_init(&f->t, &f->p, f->mem, len, f->entries), 0);
	f->key_of = xalloc(64, (size_t)capacity * sizeof(uint64_t));
	f->live = xalloc(64, (size_t)capacity * sizeof(uint32_t));
	f->live_pos = xalloc(64, (size_t)capacity * sizeof(uint32_t));
	for (uint32_t i = 0; i < capacity; i++)
		f->key_of[i] = NONE;
}

static void
fix_free(struct fix *f)
{
	free(f->mem);
	free(f->entries);
	free(f->key_of);
	free(f->live);
	free(f->live_pos);
}

static uint32_t
slots(const struct fix *f)
{
	return (f->t.bucket_mask + 1) * SW_FT_BUCKET_SLOTS;
}

/* Insert key number k; returns what sw_ft_insert returned. */
static int64_t
fix_insert(struct fix *f, uint64_t k)
{
	uint8_t key[SW_FT_KEY_MAX];
	int64_t id;

	make_key(f->p.key_len, k, key);
	id = sw_ft_insert(&f->t, key, sw_ft_hash(&f->t, key));
	if (id >= 0) {
		SW_CHECKF(id < f->p.capacity && f->key_of[id] == NONE,
			"id %lld", (long long)id);
		f->key_of[id] = k;
		f->live_pos[id] = f->n_live;
		f->live[f->n_live++] = (uint32_t)id;
	}
	return id;
}

static int64_t
fix_insert_new(struct fix *f)
{
	return fix_insert(f, f->next_key++);
}

static void
fix_remove(struct fix *f, uint32_t id)
{
	uint32_t pos = f->live_pos[id];

	SW_CHECK_EQ(sw_ft_remove(&f->t, id), 0);
	f->key_of[id] = NONE;
	f->live[pos] = f->live[--f->n_live];
	f->live_pos[f->live[pos]] = pos;
}

static int64_t
lookup_key(const struct fix *f, uint64_t k)
{
	uint8_t key[SW_FT_KEY_MAX];

	make_key(f->p.key_len, k, key);
	return sw_ft_lookup(&f->t, key, sw_ft_hash(&f->t, key));
}

/*
 * The table's internals against the test's record: every occupied slot
 * holds a live id, once, in one of its key's two buckets with its key's
 * signature; the free stack holds exactly the other ids.
 */
static void
check_internals(const struct fix *f)
{
	const struct sw_ft *t = &f->t;
	uint32_t cap = f->p.capacity, occupied = 0, bad = 0, bad_free = 0;
	uint8_t *seen = calloc(cap, 1);

	if (seen == NULL) {
		perror("calloc");
		exit(EXIT_FAILURE);
	}
	for (uint32_t b = 0; b <= t->bucket_mask; b++) {
		const struct sw_ft_bucket *bkt = &t->buckets[b];

		for (unsigned int s = 0; s < SW_FT_BUCKET_SLOTS; s++) {
			uint32_t id = bkt->id[s], h, p;

			if (bkt->sig[s] == 0)
				continue;
			occupied++;
			if (id >= cap || seen[id] || f->key_of[id] == NONE) {
				bad++;
				continue;
			}
			seen[id] = 1;
			h = sw_ft_hash(t, sw_ft_entry(t, id));
			p = sw_ft_primary(t, h);
			if (bkt->sig[s] != sw_ft_sig(h) || (b != p &&
					b != sw_ft_alt(t, p, sw_ft_sig(h))))
				bad++;
		}
	}
	for (uint32_t i = 0; i < t->n_free; i++) {
		uint32_t id = t->free_ids[i];

		if (id >= cap || seen[id])
			bad_free++;
		else
			seen[id] = 2;
	}
	free(seen);
	SW_CHECK_EQ(bad, 0);
	SW_CHECK_EQ(bad_free, 0);
	SW_CHECK_EQ(occupied, f->n_live);
	SW_CHECK_EQ(sw_ft_count(t), f->n_live);
	SW_CHECK_EQ(t->n_free + occupied, cap);
}

/*
 * What sw_ft_prefetch_entry() must return for `hash`, from first
 * principles: the id in the first slot with its signature, primary
 * bucket first, else -ENOENT.
 */
static int64_t
guess(const struct sw_ft *t, uint32_t hash)
{
	uint16_t sig = sw_ft_sig(hash);
	uint32_t b[2];

	b[0] = sw_ft_primary(t, hash);
	b[1] = sw_ft_alt(t, b[0], sig);
	for (int i = 0; i < 2; i++)
		for (unsigned int s = 0; s < SW_FT_BUCKET_SLOTS; s++)
			if (t->buckets[b[i]].sig[s] == sig)
				return t->buckets[b[i]].id[s];
	return -ENOENT;
}

/*
 * The public view: every live key is found at its id, one at a time
 * and in bursts of 1..64 (across SW_FT_BURST), with its key intact in
 * the entry; `misses` keys never inserted are not found; the staged
 * prefetch guesses the slot it should.
 */
static void
check_lookups(const struct fix *f, uint32_t misses)
{
	const struct sw_ft *t = &f->t;
	const void *keys[64];
	uint8_t kbuf[64][SW_FT_KEY_MAX];
	int64_t ids[64], want[64];
	unsigned int n = 0, blen = 1;
	uint32_t bad_entry = 0, bad_lookup = 0, bad_burst = 0, bad_guess = 0;

	for (uint32_t j = 0; j < f->n_live + misses; j++) {
		bool hit = j < f->n_live;
		uint32_t id = hit ? f->live[j] : 0;
		uint64_t k = hit ? f->key_of[id] : f->next_key + (j - f->n_live);

		make_key(f->p.key_len, k, kbuf[n]);
		if (hit && memcmp(sw_ft_entry(t, id), kbuf[n],
				f->p.key_len) != 0)
			bad_entry++;
		want[n] = hit ? (int64_t)id : -ENOENT;
		if (sw_ft_lookup(t, kbuf[n], sw_ft_hash(t, kbuf[n])) !=
				want[n])
			bad_lookup++;
		if (guess(t, sw_ft_hash(t, kbuf[n])) !=
				sw_ft_prefetch_entry(t, sw_ft_hash(t, kbuf[n])))
			bad_guess++;
		keys[n] = kbuf[n];
		if (++n == blen || j + 1 == f->n_live + misses) {
			sw_ft_lookup_burst(t, keys, n, ids);
			for (unsigned int i = 0; i < n; i++)
				if (ids[i] != want[i])
					bad_burst++;
			n = 0;
			blen = 1 + (blen + 36) % 64;
		}
	}
	SW_CHECK_EQ(bad_entry, 0);
	SW_CHECK_EQ(bad_lookup, 0);
	SW_CHECK_EQ(bad_burst, 0);
	SW_CHECK_EQ(bad_guess, 0);
}

static void
fix_check(const struct fix *f, uint32_t misses)
{
	check_internals(f);
	check_lookups(f, misses);
}

static void
test_params(void)
{
	struct sw_ft_params bad[] = {
		{ 0, 12, 64 },
		{ SW_FT_CAPACITY_MAX + 1, 12, 64 },
		{ 100, 0, 64 },
		{ 100, SW_FT_KEY_MAX + 1, 128 },
		{ 100, 36, 32 },
	};
	struct sw_ft_params ok = { 100, 12, 64 };
	struct sw_ft_params max = { SW_FT_CAPACITY_MAX, 36, 128 };
	struct sw_ft t;
	uint8_t entries[100 * 64];
	size_t len = sw_ft_memsize(&ok);
	uint8_t *mem = xalloc(SW_FT_ALIGN, len + SW_FT_ALIGN);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		SW_CHECK_EQ(sw_ft_memsize(&bad[i]), 0);
		SW_CHECK_EQ(sw_ft_init(&t, &bad[i], mem, len, entries),
			-EINVAL);
	}
	SW_CHECK_EQ(sw_ft_memsize(NULL), 0);
	SW_CHECK_EQ(sw_ft_init(&t, &ok, mem, len - 1, entries), -EINVAL);
	SW_CHECK_EQ(sw_ft_init(&t, &ok, mem + 8, len, entries), -EINVAL);
	SW_CHECK_EQ(sw_ft_init(&t, &ok, NULL, len, entries), -EINVAL);
	SW_CHECK_EQ(sw_ft_init(&t, &ok, mem, len, NULL), -EINVAL);
	SW_CHECK_EQ(sw_ft_init(&t, &ok, mem, len, entries), 0);
	/* 2^26 flows: 2^24 buckets (1 GiB) and a 256 MiB id stack. */
	SW_CHECK_EQ(sw_ft_memsize(&max), (64ull << 24) + (4ull << 26));
	free(mem);
}

static void
test_round_trip(void)
{
	struct fix f;
	uint8_t key[KEY4_LEN];
	int64_t ids[40];

	fix_init(&f, 40, KEY4_LEN, 64);
	for (int i = 0; i < 40; i++) {
		ids[i] = fix_insert_new(&f);
		/* Fresh table: ids handed out in order. */
		SW_CHECK_EQ(ids[i], i);
		memset((uint8_t *)sw_ft_entry(&f.t, (uint32_t)ids[i]) + KEY4_LEN,
			0xa5, 64 - KEY4_LEN);
	}
	SW_CHECK_EQ(sw_ft_count(&f.t), 40);
	for (int i = 0; i < 40; i++) {
		make_key(KEY4_LEN, (uint64_t)i, key);
		SW_CHECK_EQ(sw_ft_insert(&f.t, key, sw_ft_hash(&f.t, key)),
			-EEXIST);
		SW_CHECK_EQ(lookup_key(&f, (uint64_t)i), ids[i]);
	}
	/* Ids exhausted: -ENOSPC, nothing else changes. */
	SW_CHECK_EQ(fix_insert_new(&f), -ENOSPC);
	SW_CHECK_EQ(sw_ft_count(&f.t), 40);
	fix_check(&f, 100);

	fix_remove(&f, 7);
	fix_remove(&f, 23);
	SW_CHECK_EQ(lookup_key(&f, 7), -ENOENT);
	SW_CHECK_EQ(lookup_key(&f, 23), -ENOENT);
	SW_CHECK_EQ(sw_ft_count(&f.t), 38);
	SW_CHECK_EQ(sw_ft_remove(&f.t, 7), -ENOENT);	/* double remove */
	SW_CHECK_EQ(sw_ft_remove(&f.t, 40), -EINVAL);
	SW_CHECK_EQ(sw_ft_count(&f.t), 38);
	/* Removed ids come back, last freed first; the entry is zeroed. */
	SW_CHECK_EQ(fix_insert_new(&f), 23);
	SW_CHECK_EQ(fix_insert_new(&f), 7);
	for (int i = KEY4_LEN; i < 64; i++)
		SW_CHECKF(((uint8_t *)sw_ft_entry(&f.t, 7))[i] == 0,
			"byte %d", i);
	/* The old key is not back: the slot now maps the new key. */
	SW_CHECK_EQ(lookup_key(&f, 7), -ENOENT);
	SW_CHECK_EQ(fix_insert(&f, 7), -ENOSPC);
	fix_remove(&f, 0);
	SW_CHECK_EQ(fix_insert(&f, 7), 0);
	fix_check(&f, 100);
	fix_free(&f);

	/* One flow: the smallest table still has two buckets. */
	fix_init(&f, 1, KEY6_LEN, KEY6_LEN);
	SW_CHECK_EQ(fix_insert_new(&f), 0);
	SW_CHECK_EQ(fix_insert_new(&f), -ENOSPC);
	fix_remove(&f, 0);
	SW_CHECK_EQ(fix_insert_new(&f), 0);
	fix_check(&f, 10);
	fix_free(&f);
}

/*
 * A lookup staged over a burst (sw_ft_prefetch, sw_ft_prefetch_entry,
 * sw_ft_lookup, each for all keys in turn) while keys of the same burst
 * are inserted and removed between and within the stages, as packets
 * of one burst create and free flows: the lookups see the table as it
 * is when they run; the prefetches change nothing. A crowded table
 * (95 % of capacity, 91 % of slots) so that inserts displace keys.
 */
static void
test_staged(void)
{
	const uint32_t cap = 7864, n = 32;
	struct fix f;
	uint64_t s = 5150, k[32];
	uint32_t h[32], bad = 0, guessed = 0, hits = 0;
	bool live[32];		/* what the test expects of k[i] now */

	fix_init(&f, cap, KEY4_LEN, 64);
	while (f.n_live < cap / 100 * 95)
		SW_CHECK(fix_insert_new(&f) >= 0);
	for (int round = 0; round < 2000; round++) {
		uint8_t key[KEY4_LEN];

		/* Distinct keys: half live ones, half new, in random order. */
		for (uint32_t i = 0; i < n; i++) {
			bool dup;

			live[i] = sw_test_rand(&s) & 1;
			do {
				k[i] = live[i] ? f.key_of[f.live[
					sw_test_rand(&s) % f.n_live]] :
					f.next_key + i;
				dup = false;
				for (uint32_t j = 0; j < i; j++)
					dup |= k[j] == k[i];
			} while (dup);
			make_key(KEY4_LEN, k[i], key);
			h[i] = sw_ft_hash(&f.t, key);
			sw_ft_prefetch(&f.t, h[i]);
		}
		/* Between the stages: some of them come, some go. */
		for (uint32_t i = 0; i < n; i += 4) {
			int64_t id = lookup_key(&f, k[i]);

			if (live[i])
				fix_remove(&f, (uint32_t)id);
			else
				SW_CHECK(fix_insert(&f, k[i]) >= 0);
			live[i] = !live[i];
		}
		for (uint32_t i = 0; i < n; i++) {
			int64_t g = sw_ft_prefetch_entry(&f.t, h[i]);
			int64_t id = lookup_key(&f, k[i]);

			/* A guess is a live id with the key's signature. */
			if (g >= 0 && (f.key_of[g] == NONE || sw_ft_sig(
					sw_ft_hash(&f.t, sw_ft_entry(&f.t,
						(uint32_t)g))) != sw_ft_sig(h[i])))
				bad++;
			hits += id >= 0;
			guessed += id >= 0 && g == id;
		}
		/* At each key's turn, the lookup, then its own fate before
		 * the next key's: every third live one goes, new one comes. */
		for (uint32_t i = 0; i < n; i++) {
			int64_t id;

			make_key(KEY4_LEN, k[i], key);
			id = sw_ft_lookup(&f.t, key, h[i]);
			if (live[i] ? id < 0 || f.key_of[id] != k[i] :
					id != -ENOENT)
				bad++;
			if (i % 3 != 0)
				continue;
			if (live[i])
				fix_remove(&f, (uint32_t)id);
			else if (fix_insert(&f, k[i]) < 0)
				bad++;
			live[i] = !live[i];
		}
		f.next_key += n;
		while (f.n_live < cap / 100 * 95)
			SW_CHECK(fix_insert_new(&f) >= 0);
	}
	SW_CHECK_EQ(bad, 0);
	/* Signatures are 16 bits: nearly every hit is guessed right. */
	printf("  staged: %u of %u hits guessed right by the prefetch\n",
		guessed, hits);
	SW_CHECK(guessed >= hits - hits / 100);
	fix_check(&f, 1000);
	fix_free(&f);
}

/*
 * Capacities: round numbers, a prime, and the worst rounding of the
 * bucket count (capacity = 0.96 * 8 * buckets: 86.4 % of the slots
 * used at 90 % of capacity).
 */
static const uint32_t fill_caps[] = { 1000, 4096, 7864, 100003, 125829,
	1000000, 1u << 20 };

static void
fill(uint32_t cap, uint32_t key_len, uint32_t entry_size)
{
	struct fix f;
	uint32_t target = (uint32_t)((uint64_t)cap * 9 / 10), failed = 0;
	int64_t r;

	snprintf(ctx, sizeof(ctx), "capacity %u key %u", cap, key_len);
	sw_test_ctx = ctx;
	fix_init(&f, cap, key_len, entry_size);
	for (uint32_t i = 0; i < target; i++)
		if (fix_insert_new(&f) < 0)
			failed++;
	SW_CHECK_EQ(failed, 0);
	fix_check(&f, cap / 4 + 64);
	while ((r = fix_insert_new(&f)) >= 0)
		;
	printf("  %-22s buckets %8u: full at %u = %.2f%% of capacity, "
		"%.1f%% of slots (%s)\n", ctx, f.t.bucket_mask + 1,
		f.n_live, 100.0 * f.n_live / cap, 100.0 * f.n_live / slots(&f),
		f.n_live == cap ? "ids exhausted" : "no cuckoo path");
	SW_CHECK_EQ(r, -ENOSPC);
	fix_check(&f, cap / 4 + 64);
	fix_free(&f);
}

static void
test_fill_ipv4(void)
{
	for (size_t i = 0; i < sizeof(fill_caps) / sizeof(fill_caps[0]); i++)
		fill(fill_caps[i], KEY4_LEN, 64);
}

/* Without 2^20, the easy rounding: 128 MiB of entries for little. */
static void
test_fill_ipv6(void)
{
	for (size_t i = 0; fill_caps[i] != 1u << 20; i++)
		fill(fill_caps[i], KEY6_LEN, 128);
}

/*
 * A failed cuckoo search disturbs nothing. Keys are picked so that
 * both their buckets fall in the first 8 of 1024: 64 slots shared by
 * keys that can go nowhere else, so inserts into that set displace
 * keys over and over and finally fail with ids to spare. Then churn
 * inside the set, so that long displacement paths are executed.
 */
static void
test_crowded(void)
{
	const uint32_t cap = 4096, set = 8, others = 2000;
	const uint64_t first = 1ull << 30;	/* crowded key numbers */
	struct fix f;
	uint64_t crowd[200];
	unsigned int n_crowd = 0, fails = 0, ok = 0, in_set, max_in_set = 0;
	uint64_t s = 0xc0ffee;
	uint8_t key[KEY4_LEN];
	int64_t r = 0;

	fix_init(&f, cap, KEY4_LEN, 64);
	SW_CHECK_EQ(f.t.bucket_mask + 1, 1024);
	for (uint64_t k = first; n_crowd < 200; k++) {
		uint32_t h, p;

		make_key(KEY4_LEN, k, key);
		h = sw_ft_hash(&f.t, key);
		p = sw_ft_primary(&f.t, h);
		if (p < set && sw_ft_alt(&f.t, p, sw_ft_sig(h)) < set)
			crowd[n_crowd++] = k;
	}
	/* Ordinary flows around them, some of which must move out. */
	for (uint32_t i = 0; i < others; i++)
		SW_CHECK(fix_insert_new(&f) >= 0);
	for (unsigned int i = 0; i < n_crowd; i++) {
		uint32_t before = sw_ft_count(&f.t);
		uint32_t n_free = f.t.n_free;

		r = fix_insert(&f, crowd[i]);
		if (r >= 0)
			continue;
		SW_CHECK_EQ(sw_ft_count(&f.t), before);
		SW_CHECK_EQ(f.t.n_free, n_free);
		break;
	}
	SW_CHECK_EQ(r, -ENOSPC);
	in_set = f.n_live - others;
	printf("  %u-bucket set (%u slots) full after %u crowded keys\n", set,
		set * SW_FT_BUCKET_SLOTS, in_set);
	SW_CHECK(in_set >= set * SW_FT_BUCKET_SLOTS * 3 / 4);
	fix_check(&f, 1000);

	/* Churn inside the set: remove one crowded key, try two. */
	for (int round = 0; round < 3000; round++) {
		uint32_t id;

		do {
			id = f.live[sw_test_rand(&s) % f.n_live];
		} while (f.key_of[id] < first);
		fix_remove(&f, id);
		for (int j = 0; j < 2; j++) {
			uint64_t k = crowd[sw_test_rand(&s) % n_crowd];

			if (lookup_key(&f, k) >= 0)
				continue;
			if (fix_insert(&f, k) >= 0)
				ok++;
			else
				fails++;
		}
		in_set = f.n_live - others;
		if (in_set > max_in_set)
			max_in_set = in_set;
	}
	printf("  churn in the set: %u inserts, %u -ENOSPC, at most %u "
		"keys in %u slots\n", ok, fails, max_in_set,
		set * SW_FT_BUCKET_SLOTS);
	SW_CHECK(ok > 1000);
	SW_CHECK(fails > 1);
	fix_check(&f, 1000);
	fix_free(&f);
}

/* At 90 %: remove a random live flow and insert a new one, 10 x cap. */
static void
churn(uint32_t cap, uint32_t key_len, uint32_t entry_size)
{
	struct fix f;
	uint32_t target = (uint32_t)((uint64_t)cap * 9 / 10), failed = 0;
	uint64_t s = 42 + cap;

	snprintf(ctx, sizeof(ctx), "capacity %u key %u", cap, key_len);
	sw_test_ctx = ctx;
	fix_init(&f, cap, key_len, entry_size);
	for (uint32_t i = 0; i < target; i++)
		if (fix_insert_new(&f) < 0)
			failed++;
	for (uint64_t i = 0; i < (uint64_t)cap * 10; i++) {
		fix_remove(&f, f.live[sw_test_rand(&s) % f.n_live]);
		if (fix_insert_new(&f) < 0)
			failed++;
	}
	SW_CHECK_EQ(failed, 0);
	fix_check(&f, cap / 4 + 64);
	fix_free(&f);
}

static void
test_churn(void)
{
	churn(1000, KEY4_LEN, 64);
	churn(7864, KEY4_LEN, 64);
	churn(100003, KEY4_LEN, 64);
	churn(7864, KEY6_LEN, 128);
}

/* At 90 %: a random half expires; the rest stays, then refill. */
static void
expire(uint32_t cap, uint32_t key_len, uint32_t entry_size)
{
	struct fix f;
	uint32_t target = (uint32_t)((uint64_t)cap * 9 / 10), failed = 0;
	uint64_t s = 7 + cap;
	uint64_t *gone = xalloc(8, (size_t)cap * sizeof(uint64_t));
	uint32_t n_gone = 0, back = 0;

	snprintf(ctx, sizeof(ctx), "capacity %u key %u", cap, key_len);
	sw_test_ctx = ctx;
	fix_init(&f, cap, key_len, entry_size);
	for (uint32_t i = 0; i < target; i++)
		if (fix_insert_new(&f) < 0)
			failed++;
	while (f.n_live > target / 2) {
		uint32_t id = f.live[sw_test_rand(&s) % f.n_live];

		gone[n_gone++] = f.key_of[id];
		fix_remove(&f, id);
	}
	fix_check(&f, 64);
	for (uint32_t i = 0; i < n_gone; i++)
		if (lookup_key(&f, gone[i]) != -ENOENT)
			back++;
	SW_CHECK_EQ(back, 0);
	while (f.n_live < target)
		if (fix_insert_new(&f) < 0)
			failed++;
	SW_CHECK_EQ(failed, 0);
	fix_check(&f, cap / 4 + 64);
	fix_free(&f);
	free(gone);
}

static void
test_expire(void)
{
	expire(7864, KEY4_LEN, 64);
	expire(125829, KEY4_LEN, 64);
	expire(125829, KEY6_LEN, 128);
}

static void
test_hash(void)
{
	static const char check[] = "123456789";
	uint8_t buf[256 + 8];
	uint64_t s = 99;
	uint32_t diff = 0;
	struct sw_ft t = { .key_len = 36 };

	/* RFC 3720 B.4's CRC32C check value of "123456789". */
	SW_CHECK_EQ(~sw_ft_crc32c_sw(UINT32_MAX, check, 9), 0xe3069283u);
	/* iSCSI's 32 zero bytes example (RFC 3720 B.4): 0x8a9136aa. */
	memset(buf, 0, 32);
	SW_CHECK_EQ(~sw_ft_crc32c_sw(UINT32_MAX, buf, 32), 0x8a9136aau);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)sw_test_rand(&s);
#ifdef SW_FT_CRC_HW
	SW_CHECK_EQ(~sw_ft_crc32c_hw(UINT32_MAX, check, 9), 0xe3069283u);
	for (int i = 0; i < 20000; i++) {
		size_t off = sw_test_rand(&s) % 8, len = sw_test_rand(&s) % 257;
		uint32_t seed = (uint32_t)sw_test_rand(&s);

		if (sw_ft_crc32c_hw(seed, buf + off, len) !=
				sw_ft_crc32c_sw(seed, buf + off, len))
			diff++;
	}
	printf("  sw_ft_hash uses SSE4.2; software path checked against it\n");
#else
	printf("  no SSE4.2 at compile time: software CRC32C only\n");
#endif
	SW_CHECK_EQ(diff, 0);
	SW_CHECK_EQ(sw_ft_hash(&t, buf),
		sw_ft_mix(sw_ft_crc32c_sw(UINT32_MAX, buf, 36)));
	/* Signature never 0 (the empty mark); alt is an involution. */
	t.bucket_mask = (1u << 18) - 1;
	SW_CHECK_EQ(sw_ft_sig(0x0000ffffu), 1);
	for (uint32_t sig = 1; sig <= UINT16_MAX; sig++) {
		uint32_t b = (sig * 2654435761u) & t.bucket_mask;
		uint32_t a = sw_ft_alt(&t, b, (uint16_t)sig);

		if (a == b || sw_ft_alt(&t, a, (uint16_t)sig) != b)
			diff++;
	}
	SW_CHECK_EQ(diff, 0);
}

/* ---- cost, printed only ---- */

struct stopwatch {
	uint64_t ns, tsc;
};

static void
watch_start(struct stopwatch *w)
{
	w->ns = sw_test_ns();
	w->tsc = sw_test_cycles();
}

/* "ns (cycles)" per operation since watch_start(). */
static void
watch_print(const struct stopwatch *w, uint32_t n)
{
	uint64_t tsc = sw_test_cycles() - w->tsc, ns = sw_test_ns() - w->ns;
	char cell[32];

	snprintf(cell, sizeof(cell), "%.0f (%.0f)", (double)ns / n,
		(double)tsc / n);
	printf(" %-11s", cell);
}

/* Share of live keys kept in their alternative bucket. */
static double
in_alt(const struct sw_ft *t)
{
	uint32_t alt = 0, all = 0;

	for (uint32_t b = 0; b <= t->bucket_mask; b++)
		for (unsigned int s = 0; s < SW_FT_BUCKET_SLOTS; s++) {
			uint32_t h;

			if (t->buckets[b].sig[s] == 0)
				continue;
			h = sw_ft_hash(t, sw_ft_entry(t, t->buckets[b].id[s]));
			all++;
			alt += sw_ft_primary(t, h) != b;
		}
	return all != 0 ? 100.0 * alt / all : 0;
}

#define BENCH_N		(1u << 18)

/*
 * Random keys, BENCH_N per sample, hash included (what a worker pays):
 * tables of 16-64 MiB plus entries are far bigger than the caches, so
 * nearly every lookup misses on its bucket and on its entry.
 */
static void
cost(uint32_t cap)
{
	struct fix f;
	uint8_t (*hit)[KEY4_LEN] = xalloc(64, BENCH_N * KEY4_LEN);
	uint8_t (*miss)[KEY4_LEN] = xalloc(64, BENCH_N * KEY4_LEN);
	uint8_t (*add)[KEY4_LEN] = xalloc(64, BENCH_N * KEY4_LEN);
	const void **ptr = xalloc(64, BENCH_N * sizeof(void *));
	int64_t *ids = xalloc(64, BENCH_N * sizeof(int64_t));
	uint32_t *added = xalloc(64, BENCH_N * sizeof(uint32_t));
	static const unsigned int pct[] = { 10, 50, 90 };
	const uint32_t n_add = BENCH_N / 16;
	struct stopwatch w;
	uint64_t s = 1234, sink = 0;

	fix_init(&f, cap, KEY4_LEN, 64);
	printf("  capacity %u, %u buckets, IPv4, 64-byte entries: "
		"ns (TSC cycles) per operation\n", cap, f.t.bucket_mask + 1);
	printf("  %-4s %5s %6s  %-11s %-11s %-11s %-11s %-11s %-11s\n",
		"occ", "slots", "in-alt", "hit", "miss", "burst hit",
		"burst miss", "insert", "remove");
	for (size_t l = 0; l < sizeof(pct) / sizeof(pct[0]); l++) {
		uint32_t target = (uint32_t)((uint64_t)cap * pct[l] / 100);

		while (f.n_live < target)
			fix_insert_new(&f);
		for (uint32_t i = 0; i < BENCH_N; i++) {
			uint32_t id = f.live[sw_test_rand(&s) % f.n_live];

			make_key(KEY4_LEN, f.key_of[id], hit[i]);
			make_key(KEY4_LEN, f.next_key + i, miss[i]);
		}
		for (uint32_t i = 0; i < n_add; i++)
			make_key(KEY4_LEN, f.next_key + BENCH_N + i, add[i]);
		printf("  %3u%% %4.0f%% %5.1f%% ", pct[l],
			100.0 * f.n_live / slots(&f), in_alt(&f.t));

		watch_start(&w);
		for (uint32_t i = 0; i < BENCH_N; i++)
			sink += (uint64_t)sw_ft_lookup(&f.t, hit[i],
				sw_ft_hash(&f.t, hit[i]));
		watch_print(&w, BENCH_N);
		watch_start(&w);
		for (uint32_t i = 0; i < BENCH_N; i++)
			sink += (uint64_t)sw_ft_lookup(&f.t, miss[i],
				sw_ft_hash(&f.t, miss[i]));
		watch_print(&w, BENCH_N);

		for (int m = 0; m < 2; m++) {
			for (uint32_t i = 0; i < BENCH_N; i++)
				ptr[i] = m == 0 ? hit[i] : miss[i];
			watch_start(&w);
			for (uint32_t i = 0; i < BENCH_N; i += 32)
				sw_ft_lookup_burst(&f.t, ptr + i, 32, ids + i);
			watch_print(&w, BENCH_N);
			for (uint32_t i = 0; i < BENCH_N; i++)
				sink += (uint64_t)ids[i];
		}

		/* n_add more flows, then the same ones removed. */
		watch_start(&w);
		for (uint32_t i = 0; i < n_add; i++)
			added[i] = (uint32_t)sw_ft_insert(&f.t, add[i],
				sw_ft_hash(&f.t, add[i]));
		watch_print(&w, n_add);
		watch_start(&w);
		for (uint32_t i = 0; i < n_add; i++)
			sink += (uint64_t)sw_ft_remove(&f.t, added[i]);
		watch_print(&w, n_add);
		printf("\n");
		SW_CHECK_EQ(sw_ft_count(&f.t), f.n_live);
	}
	/* Keeps the lookups from being optimised away. */
	if (sink == 42)
		printf("\n");
	fix_free(&f);
	free(hit);
	free(miss);
	free(add);
	free(ptr);
	free(ids);
	free(added);
}

static void
test_cost(void)
{
	static const uint32_t caps[] = { 1u << 20, 1000000 };

	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++)
		cost(caps[c]);
	for (int v = 0; v < 2; v++) {
		struct sw_ft_params p = { 0, v ? KEY6_LEN : KEY4_LEN,
			v ? 128 : 64 };

		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			p.capacity = caps[c];
			printf("  bytes per flow, capacity %u, %s: table %.1f + "
				"entry %u = %.1f\n", p.capacity,
				v ? "IPv6" : "IPv4",
				(double)sw_ft_memsize(&p) / p.capacity,
				p.entry_size, (double)sw_ft_memsize(&p) /
				p.capacity + p.entry_size);
		}
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "params", test_params },
		{ "round trip, duplicates, id reuse", test_round_trip },
		{ "staged lookups with inserts and removes between", test_staged },
		{ "hash: CRC32C hw = sw, signature, alt bucket", test_hash },
		{ "fill IPv4 to 90% and to -ENOSPC", test_fill_ipv4 },
		{ "fill IPv6 to 90% and to -ENOSPC", test_fill_ipv6 },
		{ "failed cuckoo search disturbs nothing", test_crowded },
		{ "churn at 90%", test_churn },
		{ "expire half at 90%, refill", test_expire },
		{ "cost (printed, not checked)", test_cost },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
