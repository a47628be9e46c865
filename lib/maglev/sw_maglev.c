/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Weighted Maglev population (Eisenbud et al., NSDI 2016, §3.4,
 * Pseudocode 1), with two changes:
 *
 * - Weights. The paper's backends take one turn per round; here backend
 *   i takes quota_i turns over quota_max rounds, spread evenly by a
 *   Bresenham credit (quota_i / quota_max turns per round). A turn fills
 *   exactly one entry, so a backend ends with exactly its quota, and the
 *   quotas are the largest-remainder apportionment of the table to the
 *   weights: each is within one entry of size * w / W. Taking turns by
 *   quota rather than by raw weight also bounds the rounds by the table
 *   size, whatever the ratio of the largest weight to the smallest.
 *
 * - Order. Backends take their turns in key order, and quota ties are
 *   broken by key, so the entries a key gets depend on the set of
 *   (key, weight) only, not on where the caller put it in the array.
 *
 * Cost: O(n log n) to sort, quota_max * active backends credit steps,
 * and the permutation walks, which the paper bounds at O(size log size)
 * expected when the table is filled to the end.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_maglev.h"

#define SW_MAGLEV_FREE	UINT16_MAX

/* One backend's state while the table is built (the scratch memory). */
struct sw_maglev_perm {
	uint64_t key;
	uint64_t rem;		/* size * weight mod W: largest remainder */
	uint32_t idx;		/* position in the caller's array */
	uint32_t weight;
	uint32_t quota;		/* entries it gets */
	uint32_t credit;	/* Bresenham: a turn when >= quota_max */
	uint32_t next;		/* next slot of its permutation to try */
	uint32_t skip;
};

/*
 * Offset and skip come from two different 64-bit finalisers of the key
 * (splitmix64's, Steele et al. 2014, and MurmurHash3's fmix64), so they
 * are independent of each other, and keys that differ in few bits (one
 * port apart) still get unrelated permutations. The paper only asks for
 * two independent hashes of the backend's name.
 */
static inline uint64_t
sw_maglev_h1(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline uint64_t
sw_maglev_h2(uint64_t x)
{
	x ^= 0x6a09e667f3bcc909ull;
	x = (x ^ (x >> 33)) * 0xff51afd7ed558ccdull;
	x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static bool
sw_maglev_is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

uint32_t
sw_maglev_prime(uint32_t n)
{
	if (n > (1u << 24))
		return 0;
	while (!sw_maglev_is_prime(n))
		n++;
	return n;
}

size_t
sw_maglev_scratch_size(uint32_t n)
{
	/* Room to align the start: the caller's memory may be any bytes. */
	return (size_t)n * sizeof(struct sw_maglev_perm) +
		alignof(struct sw_maglev_perm) - 1;
}

/* Key order: the order of turns, and the tie-break for quotas. */
static bool
sw_maglev_by_key(const struct sw_maglev_perm *a,
		const struct sw_maglev_perm *b)
{
	return a->key < b->key;
}

/* Largest remainder first, then key, to hand out the leftover entries. */
static bool
sw_maglev_by_rem(const struct sw_maglev_perm *a,
		const struct sw_maglev_perm *b)
{
	if (a->rem != b->rem)
		return a->rem > b->rem;
	return a->key < b->key;
}

/*
 * Heapsort: in place and O(n log n) worst case; libc's qsort may
 * allocate, which this library promises not to do.
 */
static void
sw_maglev_sort(struct sw_maglev_perm *p, uint32_t n,
		bool (*before)(const struct sw_maglev_perm *,
			const struct sw_maglev_perm *))
{
	struct sw_maglev_perm t;
	uint32_t end, root, child, i;

	for (i = n / 2; i-- > 0;) {
		for (root = i; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && before(&p[child], &p[child + 1]))
				child++;
			if (!before(&p[root], &p[child]))
				break;
			t = p[root], p[root] = p[child], p[child] = t;
		}
	}
	for (end = n; end-- > 1;) {
		t = p[0], p[0] = p[end], p[end] = t;
		for (root = 0; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end &&
					before(&p[child], &p[child + 1]))
				child++;
			if (!before(&p[root], &p[child]))
				break;
			t = p[root], p[root] = p[child], p[child] = t;
		}
	}
}

int
sw_maglev_build(uint16_t *table, uint32_t size,
		const struct sw_maglev_backend *b, uint32_t n,
		void *scratch, size_t scratch_len)
{
	struct sw_maglev_perm *p;
	uint64_t total = 0, given = 0;
	uint32_t i, k, active, quota_max, round;
	uintptr_t a;

	if (table == NULL || b == NULL || n == 0 ||
			n > SW_MAGLEV_BACKENDS_MAX || size < n ||
			size >= SW_MAGLEV_SIZE_MAX || !sw_maglev_is_prime(size))
		return -EINVAL;
	if (scratch == NULL || scratch_len < sw_maglev_scratch_size(n))
		return -ENOSPC;
	a = (uintptr_t)scratch;
	a = (a + alignof(struct sw_maglev_perm) - 1) &
		~(uintptr_t)(alignof(struct sw_maglev_perm) - 1);
	p = (struct sw_maglev_perm *)a;

	for (i = 0; i < n; i++) {
		p[i].key = b[i].key;
		p[i].idx = i;
		p[i].weight = b[i].weight;
		total += b[i].weight;
	}
	sw_maglev_sort(p, n, sw_maglev_by_key);
	for (i = 1; i < n; i++)
		if (p[i].key == p[i - 1].key)
			return -EINVAL;	/* same permutation: order would decide */
	if (total == 0)
		return -ENOENT;

	/*
	 * Largest-remainder apportionment. size * weight < 2^57 and
	 * total < 2^48, so nothing overflows. The leftover entries are
	 * fewer than the backends with a non-zero remainder (the
	 * remainders sum to leftover * total, each below total), so a
	 * weight-0 backend never gets one.
	 */
	for (i = 0; i < n; i++) {
		uint64_t s = (uint64_t)size * p[i].weight;

		p[i].quota = (uint32_t)(s / total);
		p[i].rem = s % total;
		given += p[i].quota;
	}
	if (given < size) {
		sw_maglev_sort(p, n, sw_maglev_by_rem);
		for (i = 0; i < size - given; i++)
			p[i].quota++;
		sw_maglev_sort(p, n, sw_maglev_by_key);
	}

	/* Only backends with entries to take stay in the turn order. */
	quota_max = 0;
	for (i = 0, active = 0; i < n; i++) {
		if (p[i].quota == 0)
			continue;
		p[active] = p[i];
		p[active].credit = 0;
		p[active].next = (uint32_t)(sw_maglev_h1(p[i].key) % size);
		/* size is prime, so any skip in [1, size) visits every slot. */
		p[active].skip =
			(uint32_t)(sw_maglev_h2(p[i].key) % (size - 1)) + 1;
		if (p[i].quota > quota_max)
			quota_max = p[i].quota;
		active++;
	}

	for (k = 0; k < size; k++)
		table[k] = SW_MAGLEV_FREE;
	/*
	 * After quota_max rounds every backend has taken exactly quota
	 * turns: the quotas sum to size, so a backend with a turn always
	 * finds a free slot on its permutation, and the table ends full.
	 */
	for (round = 0; round < quota_max; round++) {
		for (i = 0; i < active; i++) {
			struct sw_maglev_perm *q = &p[i];
			uint32_t c;

			q->credit += q->quota;
			if (q->credit < quota_max)
				continue;
			q->credit -= quota_max;
			for (c = q->next; table[c] != SW_MAGLEV_FREE;) {
				c += q->skip;
				if (c >= size)
					c -= size;
			}
			table[c] = (uint16_t)q->idx;
			c += q->skip;
			q->next = c >= size ? c - size : c;
		}
	}
	return 0;
}
