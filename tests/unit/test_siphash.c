/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sw_siphash.h against the SipHash reference vectors and, bit for bit,
 * against libsodium's crypto_shorthash_siphash24() on random keys and
 * messages of every length 0..80, for the generic, word and pairwise
 * entry points. Then a timing report (printed, never asserted) of cycles
 * per hash for the two cookie shapes: the inline code is only worth
 * keeping on the data path if it beats the library.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sw_cookie.h"
#include "sw_siphash.h"

#include "sw_test.h"

#define RANDOM_CASES	100000
#define RANDOM_MAX_LEN	80
#define SHAPE_CASES	20000

/* synwall's cookie inputs (see sw_cookie.h): 20 bytes IPv4, 44 IPv6. */
#define V4_LEN		20
#define V4_NFULL	2
#define V6_LEN		44
#define V6_NFULL	5

/*
 * SipHash-2-4 with key 00 01 .. 0f over messages 00 01 .. (len - 1),
 * len = 0..63: vectors_sip64 of the reference implementation's vectors.h
 * (github.com/veorq/SipHash), its 8 output bytes read little-endian.
 */
static const uint64_t ref_vectors[64] = {
	0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull,
	0x85676696d7fb7e2dull, 0xcf2794e0277187b7ull, 0x18765564cd99a68dull,
	0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull, 0x93f5f5799a932462ull,
	0x9e0082df0ba9e4b0ull, 0x7a5dbbc594ddb9f3ull, 0xf4b32f46226bada7ull,
	0x751e8fbc860ee5fbull, 0x14ea5627c0843d90ull, 0xf723ca908e7af2eeull,
	0xa129ca6149be45e5ull, 0x3f2acc7f57c29bdbull, 0x699ae9f52cbe4794ull,
	0x4bc1b3f0968dd39cull, 0xbb6dc91da77961bdull, 0xbed65cf21aa2ee98ull,
	0xd0f2cbb02e3b67c7ull, 0x93536795e3a33e88ull, 0xa80c038ccd5ccec8ull,
	0xb8ad50c6f649af94ull, 0xbce192de8a85b8eaull, 0x17d835b85bbb15f3ull,
	0x2f2e6163076bcfadull, 0xde4daaaca71dc9a5ull, 0xa6a2506687956571ull,
	0xad87a3535c49ef28ull, 0x32d892fad841c342ull, 0x7127512f72f27cceull,
	0xa7f32346f95978e3ull, 0x12e0b01abb051238ull, 0x15e034d40fa197aeull,
	0x314dffbe0815a3b4ull, 0x027990f029623981ull, 0xcadcd4e59ef40c4dull,
	0x9abfd8766a33735cull, 0x0e3ea96b5304a7d0ull, 0xad0c42d6fc585992ull,
	0x187306c89bc215a9ull, 0xd4a60abcf3792b95ull, 0xf935451de4f21df2ull,
	0xa9538f0419755787ull, 0xdb9acddff56ca510ull, 0xd06c98cd5c0975ebull,
	0xe612a3cb9ecba951ull, 0xc766e62cfcadaf96ull, 0xee64435a9752fe72ull,
	0xa192d576b245165aull, 0x0a8787bf8ecb74b2ull, 0x81b3e73d20b49b6full,
	0x7fa8220ba3b2eceaull, 0x245731c13ca42499ull, 0xb78dbfaf3a8d83bdull,
	0xea1ad565322a1a0bull, 0x60e61c23a3795013ull, 0x6606d7e446282b93ull,
	0x6ca4ecb15c5f91e1ull, 0x9f626da15c9625f3ull, 0xe51b38608ef25f57ull,
	0x958a324ceb064572ull,
};

/* Spelled out so compilers merge it into one load (fair to libsodium). */
static uint64_t
le64(const uint8_t b[8])
{
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
		(uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 |
		(uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
		(uint64_t)b[7] << 56;
}

/* libsodium's digest as the integer sw_siphash24() returns. */
static uint64_t
sodium_hash(const uint8_t key[16], const uint8_t *msg, size_t len)
{
	uint8_t out[crypto_shorthash_siphash24_BYTES];

	crypto_shorthash_siphash24(out, msg, len, key);
	return le64(out);
}

/*
 * Split a byte string into the _words form the data path builds from
 * header fields; byte-wise, so it does not share code with the header.
 */
static unsigned int
to_words(const uint8_t *msg, size_t len, uint64_t *w, uint64_t *tail)
{
	unsigned int n_full = (unsigned int)(len / 8);
	unsigned int i;
	size_t j;

	for (i = 0; i < n_full; i++)
		w[i] = le64(msg + 8 * i);
	*tail = 0;
	for (j = len; j > 8 * (size_t)n_full; j--)
		*tail = *tail << 8 | msg[j - 1];
	return n_full;
}

static void
rand_bytes(uint64_t *seed, uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(sw_test_rand(seed) >> 56);
}

static void
test_key_from_bytes(void)
{
	static const uint8_t kb[16] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	};
	struct sw_siphash_key k;

	sw_siphash_key_from_bytes(&k, kb);
	SW_CHECK_EQ(k.k0, 0x0706050403020100ull);
	SW_CHECK_EQ(k.k1, 0x0f0e0d0c0b0a0908ull);
}

/* The paper's worked example (Appendix A), independent of any table. */
static void
test_paper_example(void)
{
	static const uint8_t expect_bytes[8] = {
		0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1,
	};
	uint8_t kb[16], msg[15], out[8];
	struct sw_siphash_key k;
	uint64_t w[1], tail, pair[2];
	unsigned int i, n_full;

	for (i = 0; i < sizeof(kb); i++)
		kb[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	sw_siphash_key_from_bytes(&k, kb);

	SW_CHECK_EQ(sw_siphash24(&k, msg, sizeof(msg)), 0xa129ca6149be45e5ull);
	n_full = to_words(msg, sizeof(msg), w, &tail);
	SW_CHECK_EQ(n_full, 1);
	SW_CHECK_EQ(sw_siphash24_words(&k, w, n_full, tail, sizeof(msg)),
		0xa129ca6149be45e5ull);
	sw_siphash24_words_x2(&k, w, &k, w, n_full, tail, tail, sizeof(msg),
		pair);
	SW_CHECK_EQ(pair[0], 0xa129ca6149be45e5ull);
	SW_CHECK_EQ(pair[1], 0xa129ca6149be45e5ull);

	/* The byte order libsodium writes is the one the paper prints. */
	crypto_shorthash_siphash24(out, msg, sizeof(msg), kb);
	SW_CHECK(memcmp(out, expect_bytes, sizeof(out)) == 0);
}

/* All 64 reference vectors, each message an exactly-sized heap copy. */
static void
test_reference_vectors(void)
{
	uint8_t kb[16], msg[64], *copy, *base;
	struct sw_siphash_key k;
	uint64_t w[8], tail, pair[2];
	unsigned int i, n_full;
	size_t len, off;
	char ctx[32];

	for (i = 0; i < sizeof(kb); i++)
		kb[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	sw_siphash_key_from_bytes(&k, kb);
	sw_test_ctx = ctx;

	for (len = 0; len < 64; len++) {
		snprintf(ctx, sizeof(ctx), "len %zu", len);
		SW_CHECK_EQ(sodium_hash(kb, msg, len), ref_vectors[len]);
		for (off = 0; off < 8; off += 3) {
			copy = sw_test_copy(msg, len, off, &base);
			SW_CHECK_EQ(sw_siphash24(&k, copy, len),
				ref_vectors[len]);
			free(base);
		}
		n_full = to_words(msg, len, w, &tail);
		SW_CHECK_EQ(sw_siphash24_words(&k, w, n_full, tail, len),
			ref_vectors[len]);
		sw_siphash24_words_x2(&k, w, &k, w, n_full, tail, tail, len,
			pair);
		SW_CHECK_EQ(pair[0], ref_vectors[len]);
		SW_CHECK_EQ(pair[1], ref_vectors[len]);
	}
	SW_CHECK_EQ(sw_siphash24(&k, NULL, 0), ref_vectors[0]);
	sw_test_ctx = "";
}

/*
 * Random keys and messages of every length 0..80 (several blocks, every
 * tail length), each hashed by libsodium, the generic path from an
 * exactly-sized misaligned heap copy, the word path, and the pairwise
 * path next to an unrelated message under another key.
 */
static void
test_random_vs_libsodium(void)
{
	uint8_t ka[16], kb[16], ma[RANDOM_MAX_LEN], mb[RANDOM_MAX_LEN];
	uint8_t *copy, *base;
	uint64_t wa[RANDOM_MAX_LEN / 8], wb[RANDOM_MAX_LEN / 8];
	uint64_t seed = 0x5eed5a17c00c1e5ull, ta, tb, ra, rb, pair[2];
	struct sw_siphash_key keya, keyb;
	unsigned int i, n_full;
	size_t len;
	char ctx[48];

	sw_test_ctx = ctx;
	for (i = 0; i < RANDOM_CASES; i++) {
		len = i % (RANDOM_MAX_LEN + 1);
		snprintf(ctx, sizeof(ctx), "case %u len %zu", i, len);
		rand_bytes(&seed, ka, sizeof(ka));
		rand_bytes(&seed, kb, sizeof(kb));
		rand_bytes(&seed, ma, len);
		rand_bytes(&seed, mb, len);
		sw_siphash_key_from_bytes(&keya, ka);
		sw_siphash_key_from_bytes(&keyb, kb);
		ra = sodium_hash(ka, ma, len);
		rb = sodium_hash(kb, mb, len);

		copy = sw_test_copy(ma, len, i % 8, &base);
		SW_CHECK_EQ(sw_siphash24(&keya, copy, len), ra);
		free(base);

		n_full = to_words(ma, len, wa, &ta);
		to_words(mb, len, wb, &tb);
		SW_CHECK_EQ(sw_siphash24_words(&keya, wa, n_full, ta, len), ra);
		sw_siphash24_words_x2(&keya, wa, &keyb, wb, n_full, ta, tb,
			len, pair);
		SW_CHECK_EQ(pair[0], ra);
		SW_CHECK_EQ(pair[1], rb);
	}
	sw_test_ctx = "";
}

/*
 * The two cookie shapes with n_full and len as constants, as at the
 * data-path call sites, so the unrolled and constant-folded code is what
 * is checked. The tail is given with junk above its 4 bytes, as a caller
 * widening a 32-bit field might: it must not change the hash.
 */
static void
check_shape(unsigned int n_full, size_t len, const char *name)
{
	uint8_t ka[16], kb[16], ma[V6_LEN], mb[V6_LEN];
	uint64_t wa[V6_NFULL], wb[V6_NFULL], ta, tb, ra, rb, pair[2];
	uint64_t seed = 0xc0071e5eedull + len;
	struct sw_siphash_key keya, keyb;
	unsigned int i;

	sw_test_ctx = name;
	for (i = 0; i < SHAPE_CASES; i++) {
		rand_bytes(&seed, ka, sizeof(ka));
		rand_bytes(&seed, kb, sizeof(kb));
		rand_bytes(&seed, ma, len);
		rand_bytes(&seed, mb, len);
		sw_siphash_key_from_bytes(&keya, ka);
		sw_siphash_key_from_bytes(&keyb, kb);
		ra = sodium_hash(ka, ma, len);
		rb = sodium_hash(kb, mb, len);
		SW_CHECK(to_words(ma, len, wa, &ta) == n_full);
		to_words(mb, len, wb, &tb);

		SW_CHECK_EQ(sw_siphash24(&keya, ma, len), ra);
		SW_CHECK_EQ(sw_siphash24_words(&keya, wa, n_full, ta, len), ra);
		SW_CHECK_EQ(sw_siphash24_words(&keya, wa, n_full,
			ta | sw_test_rand(&seed) << 32, len), ra);
		sw_siphash24_words_x2(&keya, wa, &keyb, wb, n_full, ta, tb,
			len, pair);
		SW_CHECK_EQ(pair[0], ra);
		SW_CHECK_EQ(pair[1], rb);
		sw_siphash24_words_x2(&keya, wa, &keya, wb, n_full,
			ta | 0xdeadbeef00000000ull, tb, len, pair);
		SW_CHECK_EQ(pair[0], ra);
		SW_CHECK_EQ(pair[1], sodium_hash(ka, mb, len));
	}
	sw_test_ctx = "";
}

static void
test_cookie_shapes(void)
{
	check_shape(V4_NFULL, V4_LEN, "ipv4 20 bytes");
	check_shape(V6_NFULL, V6_LEN, "ipv6 44 bytes");
}

/*
 * Timing report. Throughput over a burst of independent messages (the
 * data path hashes a burst of SYNs), median of BENCH_RUNS runs. TSC ticks
 * on x86_64 (the reference clock, not core cycles under turbo), else ns.
 */
#define BENCH_N		512
#define BENCH_RUNS	101

#ifdef __x86_64__
#define BENCH_UNIT	"TSC cycles/hash"
#else
#define BENCH_UNIT	"ns/hash"
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(BENCH_ASAN) || \
	!defined(__OPTIMIZE__)
#define BENCH_CAVEAT	" (sanitizer or -O0 build: not meaningful)"
#else
#define BENCH_CAVEAT	""
#endif

enum bench_impl {
	BENCH_SODIUM,
	BENCH_GENERIC,
	BENCH_WORDS,
	BENCH_X2,
	BENCH_IMPLS
};

static const char *const bench_names[BENCH_IMPLS] = {
	"libsodium", "sw_siphash24", "sw_siphash24_words", "_words_x2",
};

struct bench_set {
	uint8_t msg[BENCH_N][V6_LEN];
	uint64_t w[BENCH_N][V6_NFULL];
	uint64_t tail[BENCH_N];
};

/* Keeps every digest live so no loop is optimised away. */
static volatile uint64_t bench_sink;

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One timed pass over the burst with one implementation, in ticks per
 * hash. always_inline: n_full and len stay constants, as on the data
 * path.
 */
static inline __attribute__((always_inline)) double
bench_pass(const struct bench_set *s, enum bench_impl impl,
	const uint8_t kb[16], const struct sw_siphash_key *k,
	unsigned int n_full, size_t len)
{
	uint64_t t0, acc = 0, pair[2];
	unsigned int i;

	t0 = sw_test_cycles();
	switch (impl) {
	case BENCH_SODIUM:
		for (i = 0; i < BENCH_N; i++)
			acc ^= sodium_hash(kb, s->msg[i], len);
		break;
	case BENCH_GENERIC:
		for (i = 0; i < BENCH_N; i++)
			acc ^= sw_siphash24(k, s->msg[i], len);
		break;
	case BENCH_WORDS:
		for (i = 0; i < BENCH_N; i++)
			acc ^= sw_siphash24_words(k, s->w[i], n_full,
				s->tail[i], len);
		break;
	case BENCH_X2:
		for (i = 0; i < BENCH_N; i += 2) {
			sw_siphash24_words_x2(k, s->w[i], k, s->w[i + 1],
				n_full, s->tail[i], s->tail[i + 1], len, pair);
			acc ^= pair[0] ^ pair[1];
		}
		break;
	case BENCH_IMPLS:
		break;
	}
	t0 = sw_test_cycles() - t0;
	bench_sink = acc;
	return (double)t0 / BENCH_N;
}

/*
 * The implementations take turns within each run, so a slow patch of
 * the machine (frequency change, a noisy neighbour) hits all of them
 * rather than skewing one.
 */
static inline __attribute__((always_inline)) void
bench_shape(struct bench_set *s, unsigned int n_full, size_t len,
	const char *name)
{
	static double t[BENCH_IMPLS][BENCH_RUNS];
	uint64_t seed = 0xbe9c4ull + len;
	struct sw_siphash_key k;
	uint8_t kb[16];
	unsigned int i, r;

	rand_bytes(&seed, kb, sizeof(kb));
	sw_siphash_key_from_bytes(&k, kb);
	for (i = 0; i < BENCH_N; i++) {
		rand_bytes(&seed, s->msg[i], len);
		to_words(s->msg[i], len, s->w[i], &s->tail[i]);
	}
	for (r = 0; r < BENCH_RUNS; r++)
		for (i = 0; i < BENCH_IMPLS; i++)
			t[i][r] = bench_pass(s, (enum bench_impl)i, kb, &k,
				n_full, len);
	printf("  %s:", name);
	for (i = 0; i < BENCH_IMPLS; i++) {
		qsort(t[i], BENCH_RUNS, sizeof(t[i][0]), cmp_double);
		printf(" %s %.1f%s", bench_names[i], t[i][BENCH_RUNS / 2],
			i + 1 < BENCH_IMPLS ? "," : "\n");
	}
}

static void
test_timing_report(void)
{
	struct bench_set *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		perror("calloc");
		exit(EXIT_FAILURE);
	}
	printf("  %s, median of %d runs of %d hashes%s\n", BENCH_UNIT,
		BENCH_RUNS, BENCH_N,
		BENCH_CAVEAT);
	bench_shape(s, V4_NFULL, V4_LEN, "ipv4 20B");
	bench_shape(s, V6_NFULL, V6_LEN, "ipv6 44B");
	free(s);
}

/*
 * The cookie MAC over a burst (sw_cookie_mac_burst()), in every
 * implementation this CPU runs: IPv4 and IPv6 shapes mixed, keys mixed,
 * bursts of 1 to 40 (whole vector groups, short tails, one alone), each
 * lane against libsodium over the same bytes. Prints cycles per MAC.
 */
static void
test_mac_burst(void)
{
	static struct sw_siphash_key keys[4];
	static uint8_t key_bytes[4][16];
	struct sw_cookie_mac_in in[40];
	uint64_t out[40], rng = 0x243f6a8885a308d3ull;
	const enum sw_cookie_mac_impl was = sw_cookie_mac_impl();
	unsigned int tested = 0;

	for (unsigned int k = 0; k < 4; k++) {
		for (unsigned int j = 0; j < 16; j++)
			key_bytes[k][j] = (uint8_t)(k * 16 + j * 7 + 1);
		sw_siphash_key_from_bytes(&keys[k], key_bytes[k]);
	}
	for (int impl = SW_COOKIE_MAC_SCALAR; impl <= SW_COOKIE_MAC_AVX512;
			impl++) {
		uint64_t t0, best = UINT64_MAX;

		if (!sw_cookie_mac_impl_set((enum sw_cookie_mac_impl)impl)) {
			printf("# mac burst: %s not on this CPU\n",
				sw_cookie_mac_impl_name(
					(enum sw_cookie_mac_impl)impl));
			continue;
		}
		tested++;
		for (unsigned int trial = 0; trial < 2000; trial++) {
			const unsigned int n = 1 + trial % 40;

			for (unsigned int i = 0; i < n; i++) {
				rng = rng * 6364136223846793005ull +
					1442695040888963407ull;
				in[i].key = &keys[rng >> 62];
				in[i].n_words = (rng >> 61) & 1 ? 5 : 2;
				for (unsigned int j = 0; j < 5; j++) {
					rng = rng * 6364136223846793005ull +
						1442695040888963407ull;
					in[i].w[j] = rng ^ (rng >> 29);
				}
				in[i].tail = (uint32_t)(rng >> 17);
			}
			sw_cookie_mac_burst(in, out, n);
			for (unsigned int i = 0; i < n; i++) {
				uint8_t msg[44];
				const size_t len = 8u * in[i].n_words + 4;

				for (unsigned int j = 0; j < in[i].n_words; j++)
					for (unsigned int b = 0; b < 8; b++)
						msg[8 * j + b] = (uint8_t)(
							in[i].w[j] >> (8 * b));
				for (unsigned int b = 0; b < 4; b++)
					msg[len - 4 + b] = (uint8_t)(in[i].tail >>
						(8 * b));
				SW_CHECKF(out[i] == sodium_hash(key_bytes[
					in[i].key - keys], msg, len),
					"%s: burst of %u, lane %u",
					sw_cookie_mac_impl_name(
					(enum sw_cookie_mac_impl)impl), n, i);
			}
		}
		/* Cycles per IPv4 MAC in bursts of 32 under one key (a
		 * burst of SYNs): the best of 200. */
		for (unsigned int i = 0; i < 32; i++) {
			in[i].n_words = 2;
			in[i].key = &keys[0];
		}
		for (unsigned int r = 0; r < 200; r++) {
			t0 = sw_test_cycles();
			sw_cookie_mac_burst(in, out, 32);
			t0 = sw_test_cycles() - t0;
			best = t0 < best ? t0 : best;
		}
		printf("# mac burst %-7s %5.1f " BENCH_UNIT " per IPv4 cookie MAC (best burst of 32)%s\n",
			sw_cookie_mac_impl_name((enum sw_cookie_mac_impl)impl),
			(double)best / 32, BENCH_CAVEAT);
	}
	SW_CHECK(tested >= 1);
	(void)sw_cookie_mac_impl_set(was);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "siphash_key_from_bytes_le", test_key_from_bytes },
		{ "siphash_paper_example", test_paper_example },
		{ "siphash_reference_vectors", test_reference_vectors },
		{ "siphash_random_eq_libsodium", test_random_vs_libsodium },
		{ "siphash_cookie_shapes_eq_libsodium", test_cookie_shapes },
		{ "siphash_timing_report", test_timing_report },
		{ "siphash_cookie_mac_burst", test_mac_burst },
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return EXIT_FAILURE;
	}
	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
