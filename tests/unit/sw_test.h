/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal unit test harness: no EAL, no framework. A failed check prints
 * file:line, the running test and the context (e.g. the vector name), and
 * the test executable exits non-zero; checks do not stop the test, so one
 * run shows every failure.
 */
#ifndef SW_TEST_H
#define SW_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __x86_64__
#include <x86intrin.h>
#endif

static const char *sw_test_name = "";
static const char *sw_test_ctx = "";
static unsigned long sw_test_failures;
static unsigned long sw_test_checks;

#define SW_CHECK(cond) \
	SW_CHECKF(cond, "%s", "")

#define SW_CHECKF(cond, fmt, ...) do { \
	sw_test_checks++; \
	if (!(cond)) { \
		if (++sw_test_failures <= 100) \
			fprintf(stderr, "%s:%d: %s [%s]: check failed: %s " fmt \
				"\n", __FILE__, __LINE__, sw_test_name, \
				sw_test_ctx, #cond, __VA_ARGS__); \
	} \
} while (0)

/* Compare two integers and print both when they differ. */
#define SW_CHECK_EQ(a, b) do { \
	unsigned long long sw_a_ = (unsigned long long)(a); \
	unsigned long long sw_b_ = (unsigned long long)(b); \
	sw_test_checks++; \
	if (sw_a_ != sw_b_ && ++sw_test_failures <= 100) \
		fprintf(stderr, "%s:%d: %s [%s]: check failed: %s == %s " \
			"(%llu / 0x%llx != %llu / 0x%llx)\n", __FILE__, \
			__LINE__, sw_test_name, sw_test_ctx, #a, #b, sw_a_, \
			sw_a_, sw_b_, sw_b_); \
} while (0)

struct sw_test {
	const char *name;
	void (*fn)(void);
};

/* Run every test; the process exit status is the verdict. */
static inline int
sw_test_run(const struct sw_test *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned long before = sw_test_failures;

		sw_test_name = t[i].name;
		sw_test_ctx = "";
		t[i].fn();
		printf("%s %s\n", sw_test_failures == before ? "ok  " : "FAIL",
			t[i].name);
	}
	printf("%lu checks, %lu failed\n", sw_test_checks, sw_test_failures);
	return sw_test_failures != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * An exactly-sized heap copy: under ASan any read at or past `len` is
 * reported. `off` shifts the copy inside the allocation to check that
 * nothing assumes alignment; the allocation is then len + off bytes.
 */
static inline uint8_t *
sw_test_copy(const uint8_t *src, size_t len, size_t off, uint8_t **base)
{
	*base = calloc(1, len + off != 0 ? len + off : 1);
	if (*base == NULL) {
		perror("malloc");
		exit(EXIT_FAILURE);
	}
	if (len != 0)
		memcpy(*base + off, src, len);
	return *base + off;
}

/* xorshift64*: deterministic, so a failure reproduces. */
static inline uint64_t
sw_test_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* Monotonic nanoseconds, for informational timings. */
static inline uint64_t
sw_test_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* TSC ticks on x86-64 (what DPDK's cycles/packet use), else ns. */
static inline uint64_t
sw_test_cycles(void)
{
#ifdef __x86_64__
	return __rdtsc();
#else
	return sw_test_ns();
#endif
}

#endif /* SW_TEST_H */
