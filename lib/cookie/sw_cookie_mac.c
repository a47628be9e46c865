/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SipHash-2-4 over a burst of cookie inputs, several lanes at once.
 *
 * One SipHash is a single chain of dependent adds, rotates and xors:
 * a core runs it at a fraction of its width. A burst of SYNs (or ACKs)
 * holds independent chains, so they go side by side in the 64-bit lanes
 * of one vector register: 8 with AVX-512F (which has a 64-bit rotate),
 * 4 with AVX2 (rotates by shifts, by a 32-bit shuffle for 32 and a byte
 * shuffle for 16). The implementation is chosen once, when the library
 * is loaded, from the CPU's flags; the portable build compiles the
 * vector functions with per-function target attributes, so the rest of
 * the program never assumes more than x86-64 (and other architectures
 * get the scalar loop only). tests/unit/test_siphash.c holds every
 * implementation this CPU runs to the scalar one and to libsodium, lane
 * for lane.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_cookie.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
	(defined(__GNUC__) || defined(__clang__))
#define SW_MAC_X86 1
#include <immintrin.h>
#endif

/* The last block of a 20-byte (IPv4) or 44-byte (IPv6) message. */
static inline uint64_t
last_block(const struct sw_cookie_mac_in *in)
{
	return in->n_words == 2 ?
		sw_siphash_last_block(in->tail, 20) :
		sw_siphash_last_block(in->tail, 44);
}

static void
mac_scalar(const struct sw_cookie_mac_in *in, uint64_t *out, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		out[i] = in[i].n_words == 2 ?
			sw_siphash24_words(in[i].key, in[i].w, 2, in[i].tail,
				20) :
			sw_siphash24_words(in[i].key, in[i].w, 5, in[i].tail,
				44);
}

#ifdef SW_MAC_X86

#define AVX2 __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f")))

/* AVX2: a 64-bit rotate left by b, 4 lanes. */
#define R256(x, b) _mm256_or_si256(_mm256_slli_epi64((x), (b)), \
	_mm256_srli_epi64((x), 64 - (b)))

AVX2 static inline __m256i
rot16_256(__m256i x)
{
	/* Byte i of a lane takes byte i - 2 (mod 8): a rotate by 16. */
	const __m256i m = _mm256_setr_epi8(6, 7, 0, 1, 2, 3, 4, 5,
		14, 15, 8, 9, 10, 11, 12, 13, 6, 7, 0, 1, 2, 3, 4, 5,
		14, 15, 8, 9, 10, 11, 12, 13);

	return _mm256_shuffle_epi8(x, m);
}

#define ROUND256(v0, v1, v2, v3) do { \
	v0 = _mm256_add_epi64(v0, v1); v1 = R256(v1, 13); \
	v1 = _mm256_xor_si256(v1, v0); \
	v0 = _mm256_shuffle_epi32(v0, 0xb1); \
	v2 = _mm256_add_epi64(v2, v3); v3 = rot16_256(v3); \
	v3 = _mm256_xor_si256(v3, v2); \
	v0 = _mm256_add_epi64(v0, v3); v3 = R256(v3, 21); \
	v3 = _mm256_xor_si256(v3, v0); \
	v2 = _mm256_add_epi64(v2, v1); v1 = R256(v1, 17); \
	v1 = _mm256_xor_si256(v1, v2); \
	v2 = _mm256_shuffle_epi32(v2, 0xb1); \
} while (0)

#define COMPRESS256(v0, v1, v2, v3, m) do { \
	v3 = _mm256_xor_si256(v3, m); \
	ROUND256(v0, v1, v2, v3); \
	ROUND256(v0, v1, v2, v3); \
	v0 = _mm256_xor_si256(v0, m); \
} while (0)

/* Lane i's value of field f, as an __m256i of 4 lanes. */
#define LANES4(p, f) _mm256_set_epi64x((long long)(p)[3]->f, \
	(long long)(p)[2]->f, (long long)(p)[1]->f, (long long)(p)[0]->f)

/* 4 inputs of the same shape (`words` 2 or 5). */
AVX2 static void
mac4_avx2(const struct sw_cookie_mac_in *const *p, unsigned int words,
		uint64_t *out[4])
{
	/* A burst's cookies are mostly under one key: broadcast it. */
	const bool one_key = p[0]->key == p[1]->key &&
		p[0]->key == p[2]->key && p[0]->key == p[3]->key;
	const __m256i k0 = one_key ? _mm256_set1_epi64x((long long)
		p[0]->key->k0) : LANES4(p, key->k0);
	const __m256i k1 = one_key ? _mm256_set1_epi64x((long long)
		p[0]->key->k1) : LANES4(p, key->k1);
	__m256i v0 = _mm256_xor_si256(k0, _mm256_set1_epi64x(
		(long long)SW_SIPHASH_C0));
	__m256i v1 = _mm256_xor_si256(k1, _mm256_set1_epi64x(
		(long long)SW_SIPHASH_C1));
	__m256i v2 = _mm256_xor_si256(k0, _mm256_set1_epi64x(
		(long long)SW_SIPHASH_C2));
	__m256i v3 = _mm256_xor_si256(k1, _mm256_set1_epi64x(
		(long long)SW_SIPHASH_C3));
	__m256i m;
	uint64_t r[4];

	for (unsigned int i = 0; i < words; i++) {
		m = LANES4(p, w[i]);
		COMPRESS256(v0, v1, v2, v3, m);
	}
	m = _mm256_set_epi64x((long long)last_block(p[3]),
		(long long)last_block(p[2]), (long long)last_block(p[1]),
		(long long)last_block(p[0]));
	COMPRESS256(v0, v1, v2, v3, m);
	v2 = _mm256_xor_si256(v2, _mm256_set1_epi64x(0xff));
	ROUND256(v0, v1, v2, v3);
	ROUND256(v0, v1, v2, v3);
	ROUND256(v0, v1, v2, v3);
	ROUND256(v0, v1, v2, v3);
	v0 = _mm256_xor_si256(_mm256_xor_si256(v0, v1),
		_mm256_xor_si256(v2, v3));
	_mm256_storeu_si256((__m256i *)(void *)r, v0);
	for (unsigned int i = 0; i < 4; i++)
		*out[i] = r[i];
}

#define ROUND512(v0, v1, v2, v3) do { \
	v0 = _mm512_add_epi64(v0, v1); v1 = _mm512_rol_epi64(v1, 13); \
	v1 = _mm512_xor_si512(v1, v0); v0 = _mm512_rol_epi64(v0, 32); \
	v2 = _mm512_add_epi64(v2, v3); v3 = _mm512_rol_epi64(v3, 16); \
	v3 = _mm512_xor_si512(v3, v2); \
	v0 = _mm512_add_epi64(v0, v3); v3 = _mm512_rol_epi64(v3, 21); \
	v3 = _mm512_xor_si512(v3, v0); \
	v2 = _mm512_add_epi64(v2, v1); v1 = _mm512_rol_epi64(v1, 17); \
	v1 = _mm512_xor_si512(v1, v2); v2 = _mm512_rol_epi64(v2, 32); \
} while (0)

#define COMPRESS512(v0, v1, v2, v3, m) do { \
	v3 = _mm512_xor_si512(v3, m); \
	ROUND512(v0, v1, v2, v3); \
	ROUND512(v0, v1, v2, v3); \
	v0 = _mm512_xor_si512(v0, m); \
} while (0)

#define LANES8(p, f) _mm512_set_epi64((long long)(p)[7]->f, \
	(long long)(p)[6]->f, (long long)(p)[5]->f, (long long)(p)[4]->f, \
	(long long)(p)[3]->f, (long long)(p)[2]->f, (long long)(p)[1]->f, \
	(long long)(p)[0]->f)

/* 8 inputs of the same shape. */
AVX512 static void
mac8_avx512(const struct sw_cookie_mac_in *const *p, unsigned int words,
		uint64_t *out[8])
{
	bool one_key = true;
	__m512i k0, k1, v0, v1, v2, v3;
	__m512i m;
	uint64_t r[8];

	for (unsigned int i = 1; i < 8; i++)
		one_key = one_key && p[i]->key == p[0]->key;
	k0 = one_key ? _mm512_set1_epi64((long long)p[0]->key->k0) :
		LANES8(p, key->k0);
	k1 = one_key ? _mm512_set1_epi64((long long)p[0]->key->k1) :
		LANES8(p, key->k1);
	v0 = _mm512_xor_si512(k0, _mm512_set1_epi64((long long)SW_SIPHASH_C0));
	v1 = _mm512_xor_si512(k1, _mm512_set1_epi64((long long)SW_SIPHASH_C1));
	v2 = _mm512_xor_si512(k0, _mm512_set1_epi64((long long)SW_SIPHASH_C2));
	v3 = _mm512_xor_si512(k1, _mm512_set1_epi64((long long)SW_SIPHASH_C3));
	for (unsigned int i = 0; i < words; i++) {
		m = LANES8(p, w[i]);
		COMPRESS512(v0, v1, v2, v3, m);
	}
	m = _mm512_set_epi64((long long)last_block(p[7]),
		(long long)last_block(p[6]), (long long)last_block(p[5]),
		(long long)last_block(p[4]), (long long)last_block(p[3]),
		(long long)last_block(p[2]), (long long)last_block(p[1]),
		(long long)last_block(p[0]));
	COMPRESS512(v0, v1, v2, v3, m);
	v2 = _mm512_xor_si512(v2, _mm512_set1_epi64(0xff));
	ROUND512(v0, v1, v2, v3);
	ROUND512(v0, v1, v2, v3);
	ROUND512(v0, v1, v2, v3);
	ROUND512(v0, v1, v2, v3);
	v0 = _mm512_xor_si512(_mm512_xor_si512(v0, v1),
		_mm512_xor_si512(v2, v3));
	_mm512_storeu_si512((void *)r, v0);
	for (unsigned int i = 0; i < 8; i++)
		*out[i] = r[i];
}

/*
 * The inputs of one shape in groups of `lanes`; a short last group is
 * filled with copies of its first input (their results go to a sink).
 */
typedef void (*mac_lanes_fn)(const struct sw_cookie_mac_in *const *p,
		unsigned int words, uint64_t **out);

static void
mac_vector(const struct sw_cookie_mac_in *in, uint64_t *out, unsigned int n,
		unsigned int lanes, mac_lanes_fn fn)
{
	for (unsigned int words = 2; words <= 5; words += 3) {
		const struct sw_cookie_mac_in *p[8];
		uint64_t *o[8], sink[8];
		unsigned int k = 0;

		for (unsigned int i = 0; i < n; i++) {
			if (in[i].n_words != words)
				continue;
			p[k] = &in[i];
			o[k++] = &out[i];
			if (k == lanes) {
				fn(p, words, o);
				k = 0;
			}
		}
		if (k == 1) {
			mac_scalar(p[0], o[0], 1);
		} else if (k != 0) {
			for (unsigned int j = k; j < lanes; j++) {
				p[j] = p[0];
				o[j] = &sink[j];
			}
			fn(p, words, o);
		}
	}
}

static void
mac_avx2(const struct sw_cookie_mac_in *in, uint64_t *out, unsigned int n)
{
	mac_vector(in, out, n, 4, mac4_avx2);
}

static void
mac_avx512(const struct sw_cookie_mac_in *in, uint64_t *out, unsigned int n)
{
	mac_vector(in, out, n, 8, mac8_avx512);
}

#endif /* SW_MAC_X86 */

typedef void (*mac_fn)(const struct sw_cookie_mac_in *in, uint64_t *out,
		unsigned int n);

static mac_fn mac_impl = mac_scalar;
static enum sw_cookie_mac_impl mac_which = SW_COOKIE_MAC_SCALAR;

static bool
cpu_has(enum sw_cookie_mac_impl i)
{
	switch (i) {
	case SW_COOKIE_MAC_SCALAR:
		return true;
	case SW_COOKIE_MAC_AVX2:
#ifdef SW_MAC_X86
		return __builtin_cpu_supports("avx2");
#else
		return false;
#endif
	case SW_COOKIE_MAC_AVX512:
#ifdef SW_MAC_X86
		return __builtin_cpu_supports("avx512f");
#else
		return false;
#endif
	}
	return false;
}

bool
sw_cookie_mac_impl_set(enum sw_cookie_mac_impl i)
{
	if (!cpu_has(i))
		return false;
	switch (i) {
	case SW_COOKIE_MAC_SCALAR:
		mac_impl = mac_scalar;
		break;
	case SW_COOKIE_MAC_AVX2:
#ifdef SW_MAC_X86
		mac_impl = mac_avx2;
#endif
		break;
	case SW_COOKIE_MAC_AVX512:
#ifdef SW_MAC_X86
		mac_impl = mac_avx512;
#endif
		break;
	}
	mac_which = i;
	return true;
}

enum sw_cookie_mac_impl
sw_cookie_mac_impl(void)
{
	return mac_which;
}

const char *
sw_cookie_mac_impl_name(enum sw_cookie_mac_impl i)
{
	switch (i) {
	case SW_COOKIE_MAC_SCALAR:
		return "scalar";
	case SW_COOKIE_MAC_AVX2:
		return "avx2";
	case SW_COOKIE_MAC_AVX512:
		return "avx512";
	}
	return "?";
}

/*
 * Does implementation `i` give the scalar results on this CPU? 24
 * inputs of both shapes under two keys, every lane position used: a
 * vector path is taken only once it has proven itself here.
 */
static bool
mac_self_test(enum sw_cookie_mac_impl i)
{
	static const struct sw_siphash_key keys[2] = {
		{ 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull },
		{ 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull },
	};
	struct sw_cookie_mac_in in[24];
	uint64_t want[24], got[24], x = 0x94d049bb133111ebull;
	const mac_fn prev = mac_impl;
	const enum sw_cookie_mac_impl prev_which = mac_which;
	bool same = true;

	for (unsigned int k = 0; k < 24; k++) {
		in[k].key = &keys[k % 3 == 0];
		in[k].n_words = k % 5 == 0 ? 5 : 2;
		for (unsigned int j = 0; j < 5; j++) {
			x ^= x >> 31;
			x *= 0xbf58476d1ce4e5b9ull;
			in[k].w[j] = x;
		}
		in[k].tail = (uint32_t)x;
	}
	mac_scalar(in, want, 24);
	if (!sw_cookie_mac_impl_set(i))
		return false;
	sw_cookie_mac_burst(in, got, 24);
	for (unsigned int k = 0; k < 24; k++)
		same = same && got[k] == want[k];
	if (!same) {
		mac_impl = prev;
		mac_which = prev_which;
	}
	return same;
}

/* The widest this CPU runs and gets right, before main() and any
 * worker. */
__attribute__((constructor)) static void
mac_choose(void)
{
#ifdef SW_MAC_X86
	__builtin_cpu_init();
#endif
	if (!mac_self_test(SW_COOKIE_MAC_AVX512))
		(void)mac_self_test(SW_COOKIE_MAC_AVX2);
}

void
sw_cookie_mac_burst(const struct sw_cookie_mac_in *in, uint64_t *out,
		unsigned int n)
{
	mac_impl(in, out, n);
}
