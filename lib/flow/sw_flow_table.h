/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker flow table: maps a flow key to a stable 32-bit id, the
 * index of the flow's record in an array the caller owns.
 *
 * EAL-free and single-threaded: one worker owns a table, so there are
 * no locks and no atomics. All memory is passed in (the worker takes it
 * from rte_malloc on its NUMA node), nothing is allocated afterwards,
 * and every operation is bounded:
 *   lookup  2 buckets (one cache line each), at most 16 signature hits;
 *   insert  a lookup, then at most SW_FT_BFS_NODES buckets searched for
 *           a displacement path of at most 4 moves;
 *   remove  2 buckets.
 *
 * Layout: bucketized cuckoo hashing (MemC3, rte_hash). A bucket is one
 * cache line of 8 slots (16-bit signature + 32-bit id). A key may live
 * in its primary bucket (hash low bits) or in its alternative (primary
 * XOR a function of the signature), so a slot's other bucket is known
 * without reading the key: displacement reads buckets only. The key
 * itself lives at offset 0 of its entry, so a hit reads one bucket line
 * and one entry line.
 *
 * Sizing: buckets = next power of two >= capacity / (8 * 0.96), so the
 * slots are at most 96 % full when every id is used and at most 86.4 %
 * full at 90 % of capacity, where inserts always succeed in practice
 * (tests/unit/test_flow_table.c checks it at the worst rounding).
 *
 * Errors are negative errno values.
 */
#ifndef SW_FLOW_TABLE_H
#define SW_FLOW_TABLE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSE4_2__) && defined(__x86_64__)
#include <nmmintrin.h>
#define SW_FT_CRC_HW	1
#endif

#define SW_FT_BUCKET_SLOTS	8
#define SW_FT_CAPACITY_MAX	(1u << 26)
#define SW_FT_KEY_MAX		64	/* bytes; an IPv6 flow key is 36 */
#define SW_FT_ALIGN		64	/* of the memory given to sw_ft_init */
/*
 * Buckets one insert may read looking for a displacement path: bounds
 * the worst insert (a few tens of microseconds when every one misses
 * the cache) and the path length (2 + 16 + 128 + 1024 > 512: at most 3
 * displaced keys).
 */
#define SW_FT_BFS_NODES		512
#define SW_FT_BURST		32	/* keys per stage of a burst lookup */

/* One cache line. sig 0 marks an empty slot; sw_ft_sig() is never 0. */
struct sw_ft_bucket {
	uint16_t sig[SW_FT_BUCKET_SLOTS];
	uint32_t id[SW_FT_BUCKET_SLOTS];
	uint8_t reserved[16];
} __attribute__((aligned(64)));

struct sw_ft_params {
	uint32_t capacity;	/* flows (ids 0..capacity-1), 1..2^26 */
	uint32_t key_len;	/* 1..SW_FT_KEY_MAX, e.g. 12 (IPv4), 36 (IPv6) */
	uint32_t entry_size;	/* >= key_len; 64 or 128 keep one per line */
};

/* Plain struct, allocated by the caller; fields are private. */
struct sw_ft {
	struct sw_ft_bucket *buckets;
	uint8_t *entries;
	uint32_t *free_ids;	/* stack of unused ids, top at n_free - 1 */
	uint32_t bucket_mask;	/* bucket count - 1 (a power of two) */
	uint32_t capacity;
	uint32_t key_len;
	uint32_t entry_size;
	uint32_t n_free;
};

/*
 * Bytes of table memory (buckets and the free-id stack, not the
 * entries) for these parameters; 0 when they are invalid.
 */
size_t sw_ft_memsize(const struct sw_ft_params *p);

/*
 * Set up an empty table in `mem` (SW_FT_ALIGN-aligned, at least
 * sw_ft_memsize() bytes, owned by the table until the caller frees it)
 * over `entries`, capacity * entry_size bytes, which sw_ft_init does not
 * touch (pages fault in as flows arrive). 0 or -EINVAL.
 */
int sw_ft_init(struct sw_ft *t, const struct sw_ft_params *p, void *mem,
		size_t mem_len, void *entries);

/* CRC32C update (Castagnoli, reflected, no pre/post inversion). */
uint32_t sw_ft_crc32c_sw(uint32_t crc, const void *buf, size_t len);

#ifdef SW_FT_CRC_HW
/* Same value as sw_ft_crc32c_sw(), with the SSE4.2 instruction. */
static inline uint32_t
sw_ft_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = crc;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = _mm_crc32_u64(c, v);
	}
	crc = (uint32_t)c;
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		crc = _mm_crc32_u32(crc, v);
		p += 4;
		len -= 4;
	}
	for (; len > 0; p++, len--)
		crc = _mm_crc32_u8(crc, *p);
	return crc;
}
#endif

/*
 * CRC32C is linear over GF(2), and so are the Toeplitz RSS hash and
 * any CRC-based software steering: the flows one worker receives may
 * share linear combinations of CRC bits, which would pile them into a
 * fraction of the buckets. A multiply-xorshift finalizer (Wellons'
 * lowbias32, a bijection) breaks that for a few cycles.
 */
static inline uint32_t
sw_ft_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

/*
 * The hash sw_ft_lookup/insert expect for `key` (t->key_len bytes).
 * Unkeyed: the cost of any key set, however chosen, stays bounded.
 */
static inline uint32_t
sw_ft_hash(const struct sw_ft *t, const void *key)
{
#ifdef SW_FT_CRC_HW
	return sw_ft_mix(sw_ft_crc32c_hw(UINT32_MAX, key, t->key_len));
#else
	return sw_ft_mix(sw_ft_crc32c_sw(UINT32_MAX, key, t->key_len));
#endif
}

/*
 * Signature: the high 16 bits, never 0 (the empty mark). With more than
 * 2^16 buckets its low bits repeat bucket-index bits (a 32-bit hash has
 * no more to give), so it filters a little less in the largest tables.
 */
static inline uint16_t
sw_ft_sig(uint32_t hash)
{
	uint16_t sig = (uint16_t)(hash >> 16);

	return sig != 0 ? sig : 1;
}

static inline uint32_t
sw_ft_primary(const struct sw_ft *t, uint32_t hash)
{
	return hash & t->bucket_mask;
}

/*
 * The other bucket of a key in `bucket`: an involution, so it needs the
 * signature only. The offset is odd, so the two buckets always differ.
 */
static inline uint32_t
sw_ft_alt(const struct sw_ft *t, uint32_t bucket, uint16_t sig)
{
	return (bucket ^ ((sig * 0x5bd1e995u) | 1u)) & t->bucket_mask;
}

static inline void *
sw_ft_entry(const struct sw_ft *t, uint32_t id)
{
	return t->entries + (size_t)id * t->entry_size;
}

/* Bit 2*i is set when slot i holds `sig` (pass 0 for empty slots). */
static inline uint32_t
sw_ft_match(const struct sw_ft_bucket *b, uint16_t sig)
{
#ifdef __SSE2__
	__m128i s = _mm_load_si128((const __m128i *)(const void *)b->sig);
	__m128i m = _mm_cmpeq_epi16(s, _mm_set1_epi16((short)sig));

	return (uint32_t)_mm_movemask_epi8(m) & 0x5555u;
#else
	uint32_t m = 0;

	for (unsigned int i = 0; i < SW_FT_BUCKET_SLOTS; i++)
		if (b->sig[i] == sig)
			m |= 1u << (2 * i);
	return m;
#endif
}

static inline int
sw_ft_key_eq(const void *a, const void *b, uint32_t len)
{
	const uint8_t *x = a;
	const uint8_t *y = b;
	uint64_t diff = 0;
	uint32_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t u, v;

		memcpy(&u, x + i, 8);
		memcpy(&v, y + i, 8);
		diff |= u ^ v;
	}
	if (i + 4 <= len) {
		uint32_t u, v;

		memcpy(&u, x + i, 4);
		memcpy(&v, y + i, 4);
		diff |= u ^ v;
		i += 4;
	}
	for (; i < len; i++)
		diff |= (uint64_t)(x[i] ^ y[i]);
	return diff == 0;
}

/* Candidates from sw_ft_match() whose entry holds `key`: id or -ENOENT. */
static inline int64_t
sw_ft_bucket_find(const struct sw_ft *t, const struct sw_ft_bucket *b,
		uint32_t m, const void *key)
{
	for (; m != 0; m &= m - 1) {
		uint32_t id = b->id[__builtin_ctz(m) >> 1];

		if (sw_ft_key_eq(sw_ft_entry(t, id), key, t->key_len))
			return id;
	}
	return -ENOENT;
}

/* The id of `key` (hash = sw_ft_hash(t, key)), or -ENOENT. */
static inline int64_t
sw_ft_lookup(const struct sw_ft *t, const void *key, uint32_t hash)
{
	uint16_t sig = sw_ft_sig(hash);
	uint32_t b1 = sw_ft_primary(t, hash);
	uint32_t b2 = sw_ft_alt(t, b1, sig);
	const struct sw_ft_bucket *p = &t->buckets[b1];
	const struct sw_ft_bucket *a = &t->buckets[b2];
	int64_t id;

	/* A miss reads both lines: start the second one now. */
	__builtin_prefetch(a);
	id = sw_ft_bucket_find(t, p, sw_ft_match(p, sig), key);
	if (id >= 0)
		return id;
	return sw_ft_bucket_find(t, a, sw_ft_match(a, sig), key);
}

/*
 * A lookup spread over a burst, for a caller that must still look each
 * key up at its own turn (a packet may create or free the flow a later
 * one of the same burst looks up): first sw_ft_prefetch() for every
 * key, then sw_ft_prefetch_entry() for every key, then sw_ft_lookup()
 * per key, which now finds its bucket and entry in the cache. The
 * prefetches neither change the table nor rely on it staying as it was:
 * whatever was inserted, removed or displaced in between, the lookup
 * gives the right answer, at worst after a miss.
 */

/*
 * Start loading the cache line of `p`. Not __builtin_prefetch(): GCC
 * takes a function whose only effect is that builtin for a pure one
 * (-fipa-pure-const) and drops the calls whose result is unused, which
 * is every call of a prefetch-only helper such as the ones below.
 */
static inline void
sw_ft_prefetch_line(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0" : : "m" (*(const volatile char *)p));
#elif defined(__aarch64__)
	__asm__ volatile("prfm pldl1keep, [%0]" : : "r" (p));
#else
	__builtin_prefetch(p);
#endif
}

/* Stage 1: start loading both candidate buckets of `hash`. */
static inline void
sw_ft_prefetch(const struct sw_ft *t, uint32_t hash)
{
	uint32_t b1 = sw_ft_primary(t, hash);

	sw_ft_prefetch_line(&t->buckets[b1]);
	sw_ft_prefetch_line(&t->buckets[sw_ft_alt(t, b1, sw_ft_sig(hash))]);
}

/*
 * Stage 2, once the buckets have had time to arrive: the id of the
 * first slot with the signature of `hash` (primary bucket first), its
 * entry prefetched, or -ENOENT. A guess, not a lookup: the key is not
 * compared, so the id is for prefetching the caller's other per-flow
 * state, never for using it.
 */
static inline int64_t
sw_ft_prefetch_entry(const struct sw_ft *t, uint32_t hash)
{
	const uint16_t sig = sw_ft_sig(hash);
	const uint32_t b1 = sw_ft_primary(t, hash);
	const struct sw_ft_bucket *b = &t->buckets[b1];
	uint32_t m = sw_ft_match(b, sig);
	uint32_t id;

	if (m == 0) {
		b = &t->buckets[sw_ft_alt(t, b1, sig)];
		m = sw_ft_match(b, sig);
		if (m == 0)
			return -ENOENT;
	}
	id = b->id[__builtin_ctz(m) >> 1];	/* a live id, < capacity */
	sw_ft_prefetch_line(sw_ft_entry(t, id));
	return id;
}

/*
 * The entries the next `n` inserts will take (the top of the free stack,
 * at most SW_FT_BURST of them), prefetched: an insert writes its entry's
 * line, which a lookup never brought in. The same lines while nothing is
 * inserted, so a burst that inserts nothing pays only hits.
 */
static inline void
sw_ft_prefetch_free(const struct sw_ft *t, uint32_t n)
{
	if (n > t->n_free)
		n = t->n_free;
	if (n > SW_FT_BURST)
		n = SW_FT_BURST;
	for (uint32_t i = 1; i <= n; i++)
		sw_ft_prefetch_line(sw_ft_entry(t, t->free_ids[t->n_free - i]));
}

/*
 * Add `key` (hash = sw_ft_hash(t, key)): returns its new id, whose entry
 * holds the key at offset 0 and zeroes after it; -EEXIST when the key is
 * present; -ENOSPC when no id is free or no displacement path was found
 * (nothing has moved then: flows in the table are never disturbed).
 */
int64_t sw_ft_insert(struct sw_ft *t, const void *key, uint32_t hash);

/*
 * Free a live id: its entry's key (which the caller must not have
 * changed) gives the two buckets to search. 0, -EINVAL (id out of
 * range) or -ENOENT (id not live: a double remove is caught unless the
 * id was handed out again in between). The entry is left as it is.
 */
int sw_ft_remove(struct sw_ft *t, uint32_t id);

static inline uint32_t
sw_ft_count(const struct sw_ft *t)
{
	return t->capacity - t->n_free;
}

/*
 * ids[i] = sw_ft_lookup(keys[i]) for n keys, with the memory accesses
 * of SW_FT_BURST keys at a time overlapped: hash all and prefetch their
 * buckets, then compare signatures and prefetch the candidate entries,
 * then compare keys.
 */
void sw_ft_lookup_burst(const struct sw_ft *t, const void *const *keys,
		unsigned int n, int64_t *ids);

#endif /* SW_FLOW_TABLE_H */
