/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF",
 * 2012), header-only and EAL-free, bit-exact with libsodium's
 * crypto_shorthash_siphash24() (whose 8 output bytes are the
 * little-endian encoding of the uint64_t returned here).
 *
 * Why not call libsodium on the data path: a SYN cookie hashes 20 or 44
 * bytes, so per-call overhead (an out-of-line call, byte-wise key and
 * message loads, a length-generic tail switch, storing the result as
 * bytes) is a large share of the cost. The _words variants take the
 * message as 64-bit values the caller has already assembled from header
 * fields, so with a compile-time shape the whole hash is straight-line
 * ARX code; the _x2 variant hashes two SYNs of a burst in one
 * instruction stream so that their two dependency chains overlap.
 * tests/unit/test_siphash.c checks all of them against libsodium and
 * prints cycles per hash for each.
 *
 * Only libc is used: the header is shared by the data path, the control
 * plane and the unit tests.
 */
#ifndef SW_SIPHASH_H
#define SW_SIPHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
/*
 * The hot-path entry points are forced inline so that n_full and len,
 * constants at synwall's call sites, reach the round loop and the tail
 * mask and fold away; an out-of-line copy would keep the generic loop.
 */
#define SW_SIPHASH_INLINE inline __attribute__((always_inline))
#else
#define SW_SIPHASH_INLINE inline
#endif

/*
 * GCC -O2 keeps a 5-iteration loop of this size rolled; the pragma lets
 * it peel the word loop completely when n_full is a constant. Clang
 * unrolls constant trip counts on its own and, given this pragma, does
 * a runtime unroll by 8 before n_full is known instead, so it is left
 * to its heuristics (its unroll(full) would warn at runtime-n callers).
 */
#if !defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 8
#define SW_SIPHASH_UNROLL _Pragma("GCC unroll 8")
#else
#define SW_SIPHASH_UNROLL
#endif

/* The 128-bit key as the algorithm reads it: two little-endian words. */
struct sw_siphash_key {
	uint64_t k0;	/* key bytes 0-7, little-endian */
	uint64_t k1;	/* key bytes 8-15, little-endian */
};

/* Internal: little-endian 64-bit load from any alignment. */
static SW_SIPHASH_INLINE uint64_t
sw_siphash_load_le64(const uint8_t *p)
{
	uint64_t v;

	/* memcpy: unaligned and alias-safe, compiles to one load. */
	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/*
 * Internal: the n < 8 bytes at p as a little-endian integer, reading
 * exactly those bytes (a message may end at a page or buffer boundary)
 * in at most three loads rather than a variable-length memcpy() call.
 */
static SW_SIPHASH_INLINE uint64_t
sw_siphash_load_tail(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	uint32_t v32;
	uint16_t v16;

	if (n & 4) {
		memcpy(&v32, p, sizeof(v32));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v32 = __builtin_bswap32(v32);
#endif
		v = v32;
		p += 4;
		shift = 32;
	}
	if (n & 2) {
		memcpy(&v16, p, sizeof(v16));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v16 = __builtin_bswap16(v16);
#endif
		v |= (uint64_t)v16 << shift;
		p += 2;
		shift += 16;
	}
	if (n & 1)
		v |= (uint64_t)*p << shift;
	return v;
}

static inline void
sw_siphash_key_from_bytes(struct sw_siphash_key *k, const uint8_t bytes[16])
{
	k->k0 = sw_siphash_load_le64(bytes);
	k->k1 = sw_siphash_load_le64(bytes + 8);
}

#define SW_SIPHASH_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

/* Internal: one SipRound on the state v[0..3]. */
#define SW_SIPHASH_ROUND(v0, v1, v2, v3) do { \
	(v0) += (v1); (v1) = SW_SIPHASH_ROTL(v1, 13); (v1) ^= (v0); \
	(v0) = SW_SIPHASH_ROTL(v0, 32); \
	(v2) += (v3); (v3) = SW_SIPHASH_ROTL(v3, 16); (v3) ^= (v2); \
	(v0) += (v3); (v3) = SW_SIPHASH_ROTL(v3, 21); (v3) ^= (v0); \
	(v2) += (v1); (v1) = SW_SIPHASH_ROTL(v1, 17); (v1) ^= (v2); \
	(v2) = SW_SIPHASH_ROTL(v2, 32); \
} while (0)

/* Internal: absorb one message word with c = 2 rounds. */
#define SW_SIPHASH_COMPRESS(v0, v1, v2, v3, m) do { \
	(v3) ^= (m); \
	SW_SIPHASH_ROUND(v0, v1, v2, v3); \
	SW_SIPHASH_ROUND(v0, v1, v2, v3); \
	(v0) ^= (m); \
} while (0)

/* Internal: d = 4 finalisation rounds; the digest is stored in out. */
#define SW_SIPHASH_FINAL(v0, v1, v2, v3, out) do { \
	(v2) ^= 0xff; \
	SW_SIPHASH_ROUND(v0, v1, v2, v3); \
	SW_SIPHASH_ROUND(v0, v1, v2, v3); \
	SW_SIPHASH_ROUND(v0, v1, v2, v3); \
	SW_SIPHASH_ROUND(v0, v1, v2, v3); \
	(out) = (v0) ^ (v1) ^ (v2) ^ (v3); \
} while (0)

/* Initialisation constants: "somepseudorandomlygeneratedbytes". */
#define SW_SIPHASH_C0 0x736f6d6570736575ull
#define SW_SIPHASH_C1 0x646f72616e646f6dull
#define SW_SIPHASH_C2 0x6c7967656e657261ull
#define SW_SIPHASH_C3 0x7465646279746573ull

/*
 * Internal: the last block, i.e. the (len mod 8) tail bytes with
 * len mod 256 in the top byte (paper §2, "Compression"). Tail bits
 * beyond the tail's length are masked off so a caller that assembled
 * the tail from a wider field still hashes exactly the message bytes;
 * with a constant len the mask is a constant.
 */
static SW_SIPHASH_INLINE uint64_t
sw_siphash_last_block(uint64_t tail, size_t len)
{
	unsigned int tail_bits = (unsigned int)(len & 7) * 8;

	return ((uint64_t)len << 56) | (tail & ((1ull << tail_bits) - 1));
}

/*
 * SipHash-2-4 of any byte string: the reference path for the control
 * plane and the tests. data may be unaligned; data may be NULL when len
 * is 0.
 */
static inline uint64_t
sw_siphash24(const struct sw_siphash_key *k, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0 = k->k0 ^ SW_SIPHASH_C0;
	uint64_t v1 = k->k1 ^ SW_SIPHASH_C1;
	uint64_t v2 = k->k0 ^ SW_SIPHASH_C2;
	uint64_t v3 = k->k1 ^ SW_SIPHASH_C3;
	size_t i;
	uint64_t m, out;

	for (i = 0; i + 8 <= len; i += 8) {
		m = sw_siphash_load_le64(p + i);
		SW_SIPHASH_COMPRESS(v0, v1, v2, v3, m);
	}
	/* Skipped for no tail: p may be NULL when len is 0. */
	m = (len & 7) != 0 ? sw_siphash_load_tail(p + i, len & 7) : 0;
	m = sw_siphash_last_block(m, len);
	SW_SIPHASH_COMPRESS(v0, v1, v2, v3, m);
	SW_SIPHASH_FINAL(v0, v1, v2, v3, out);
	return out;
}

/*
 * SipHash-2-4 of a message given as words: n_full 8-byte words, w[i]
 * being the little-endian value of message bytes 8i..8i+7, followed by
 * a tail of (len - 8 * n_full) bytes as a little-endian integer (the
 * first tail byte in bits 0-7). Requires len - 8 * n_full < 8; tail bits
 * at or above 8 * (len % 8) are ignored. Equal to sw_siphash24() over
 * those bytes.
 *
 * For the data path: IPv4 cookies are n_full = 2, len = 20; IPv6 are
 * n_full = 5, len = 44. Pass them as constants.
 */
static SW_SIPHASH_INLINE uint64_t
sw_siphash24_words(const struct sw_siphash_key *k, const uint64_t *w,
		unsigned int n_full, uint64_t tail, size_t len)
{
	uint64_t v0 = k->k0 ^ SW_SIPHASH_C0;
	uint64_t v1 = k->k1 ^ SW_SIPHASH_C1;
	uint64_t v2 = k->k0 ^ SW_SIPHASH_C2;
	uint64_t v3 = k->k1 ^ SW_SIPHASH_C3;
	uint64_t m, out;
	unsigned int i;

	SW_SIPHASH_UNROLL
	for (i = 0; i < n_full; i++) {
		m = w[i];
		SW_SIPHASH_COMPRESS(v0, v1, v2, v3, m);
	}
	m = sw_siphash_last_block(tail, len);
	SW_SIPHASH_COMPRESS(v0, v1, v2, v3, m);
	SW_SIPHASH_FINAL(v0, v1, v2, v3, out);
	return out;
}

/*
 * Two independent messages of the same shape (n_full, len), each under
 * its own key (k0 and k1 may point to the same key): out[0] is
 * sw_siphash24_words(k0, wa, n_full, tail_a, len), out[1] the same for
 * k1, wb, tail_b. SipHash is one serial dependency chain, so a single
 * hash leaves most of a superscalar core idle; writing the two chains
 * side by side in one loop body lets them issue in the same cycles.
 */
static SW_SIPHASH_INLINE void
sw_siphash24_words_x2(const struct sw_siphash_key *k0, const uint64_t *wa,
		const struct sw_siphash_key *k1, const uint64_t *wb,
		unsigned int n_full, uint64_t tail_a, uint64_t tail_b,
		size_t len, uint64_t out[2])
{
	uint64_t a0 = k0->k0 ^ SW_SIPHASH_C0;
	uint64_t a1 = k0->k1 ^ SW_SIPHASH_C1;
	uint64_t a2 = k0->k0 ^ SW_SIPHASH_C2;
	uint64_t a3 = k0->k1 ^ SW_SIPHASH_C3;
	uint64_t b0 = k1->k0 ^ SW_SIPHASH_C0;
	uint64_t b1 = k1->k1 ^ SW_SIPHASH_C1;
	uint64_t b2 = k1->k0 ^ SW_SIPHASH_C2;
	uint64_t b3 = k1->k1 ^ SW_SIPHASH_C3;
	uint64_t ma, mb, oa, ob;
	unsigned int i;

	SW_SIPHASH_UNROLL
	for (i = 0; i < n_full; i++) {
		ma = wa[i];
		mb = wb[i];
		SW_SIPHASH_COMPRESS(a0, a1, a2, a3, ma);
		SW_SIPHASH_COMPRESS(b0, b1, b2, b3, mb);
	}
	ma = sw_siphash_last_block(tail_a, len);
	mb = sw_siphash_last_block(tail_b, len);
	SW_SIPHASH_COMPRESS(a0, a1, a2, a3, ma);
	SW_SIPHASH_COMPRESS(b0, b1, b2, b3, mb);
	SW_SIPHASH_FINAL(a0, a1, a2, a3, oa);
	SW_SIPHASH_FINAL(b0, b1, b2, b3, ob);
	out[0] = oa;
	out[1] = ob;
}

#endif /* SW_SIPHASH_H */
