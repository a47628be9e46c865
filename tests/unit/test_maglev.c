/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/maglev against issue 6's contract: entry shares within one entry
 * of the exact weight shares for 3..100 backends at 65537 entries, so
 * within 1 % for every share of 100 entries or more (a smaller share
 * cannot be held to 1 %: one entry is more), and a backend set
 * change moves little beyond the changed backend's own share; plus the
 * errors, weight 0, and order independence. Deterministic: fixed seeds
 * and keys, no EAL. Disruption is compared by key, never by index.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_maglev.h"

#include "sw_test.h"

#define SIZE		65537u
#define N_MAX		1000u

static char ctx[160];
/* Worst relative error of the last check_shares(), small shares too. */
static double worst_rel_any;
static uint16_t tab_a[SIZE], tab_b[SIZE];
static uint8_t scratch[64 + N_MAX * 64];

/* Backend keys as a load balancer packs them: IPv4 address << 16 | port. */
static uint64_t
key_of(uint32_t i)
{
	return (uint64_t)(0x0a000000u + i / 4) << 16 | (8080 + i % 4);
}

static int
build(uint16_t *t, const struct sw_maglev_backend *b, uint32_t n)
{
	return sw_maglev_build(t, SIZE, b, n, scratch,
		sw_maglev_scratch_size(n));
}

static uint32_t
count_of(const uint16_t *t, uint16_t idx)
{
	uint32_t c = 0;

	for (uint32_t k = 0; k < SIZE; k++)
		c += t[k] == idx;
	return c;
}

static void
test_primes(void)
{
	SW_CHECK_EQ(sw_maglev_prime(65537), 65537);
	SW_CHECK_EQ(sw_maglev_prime(65538), 65539);
	SW_CHECK_EQ(sw_maglev_prime(0), 2);
	SW_CHECK_EQ(sw_maglev_prime(1), 2);
	SW_CHECK_EQ(sw_maglev_prime(2), 2);
	SW_CHECK_EQ(sw_maglev_prime(3), 3);
	SW_CHECK_EQ(sw_maglev_prime(4), 5);
	SW_CHECK_EQ(sw_maglev_prime(24), 29);
	SW_CHECK_EQ(sw_maglev_prime(65536), 65537);
	SW_CHECK_EQ(sw_maglev_prime(1u << 24), 16777259);
	SW_CHECK(sw_maglev_prime(1u << 24) < SW_MAGLEV_SIZE_MAX);
	SW_CHECK_EQ(sw_maglev_prime((1u << 24) + 1), 0);
}

/* -EINVAL / -ENOENT / -ENOSPC, and a failed build leaves the table alone. */
static void
test_errors_leave_table_untouched(void)
{
	struct sw_maglev_backend b[4] = {
		{ key_of(0), 1 }, { key_of(1), 1 }, { key_of(2), 1 },
		{ key_of(3), 1 },
	};
	struct sw_maglev_backend zero[2] = { { 1, 0 }, { 2, 0 } };
	struct sw_maglev_backend dup[2] = { { 7, 1 }, { 7, 2 } };
	size_t sl = sw_maglev_scratch_size(4);

	memset(tab_a, 0x5a, sizeof(tab_a));
	SW_CHECK_EQ(sw_maglev_build(tab_a, 65536, b, 4, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, 65535, b, 4, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, 0, b, 4, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, 1, b, 1, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, 3, b, 4, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, 33554467, b, 4, scratch, sl),
		-EINVAL);	/* prime, but >= SW_MAGLEV_SIZE_MAX */
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, b, 0, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, b, 65536, scratch, sl),
		-EINVAL);
	SW_CHECK_EQ(sw_maglev_build(NULL, SIZE, b, 4, scratch, sl), -EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, NULL, 4, scratch, sl),
		-EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, dup, 2, scratch, sl),
		-EINVAL);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, zero, 2, scratch, sl),
		-ENOENT);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, b, 4, scratch, sl - 1),
		-ENOSPC);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, b, 4, NULL, sl), -ENOSPC);
	for (uint32_t k = 0; k < SIZE; k++)
		if (tab_a[k] != 0x5a5a) {
			SW_CHECKF(0, "slot %u written", k);
			break;
		}
	/* Smallest valid cases, and scratch at an odd address. */
	SW_CHECK_EQ(sw_maglev_build(tab_a, 2, b, 1, scratch, sl), 0);
	SW_CHECK(tab_a[0] == 0 && tab_a[1] == 0);
	SW_CHECK_EQ(sw_maglev_build(tab_a, 5, b, 4, scratch + 1, sl), 0);
	SW_CHECK_EQ(sw_maglev_build(tab_a, SIZE, b, 4, scratch + 3, sl), 0);
	for (uint16_t i = 0; i < 4; i++)
		SW_CHECK(count_of(tab_a, i) == 16384 ||
			count_of(tab_a, i) == 16385);
}

/* The multiply-shift reaches both ends of the table. */
static void
test_lookup_spans_table(void)
{
	memset(tab_a, 0, sizeof(tab_a));
	tab_a[0] = 1;
	tab_a[SIZE / 2] = 2;
	tab_a[SIZE - 1] = 3;
	SW_CHECK_EQ(sw_maglev_lookup(tab_a, SIZE, 0), 1);
	SW_CHECK_EQ(sw_maglev_lookup(tab_a, SIZE, 0x80000000u), 2);
	SW_CHECK_EQ(sw_maglev_lookup(tab_a, SIZE, UINT32_MAX), 3);
	SW_CHECK_EQ(sw_maglev_lookup(tab_a, SIZE, UINT32_MAX / SIZE), 1);
}

/*
 * Checks every backend's entries against its exact share size * w / W:
 * never a whole entry off (the apportionment is exact), and within
 * 1 % relative. A backend whose share is under 100 entries cannot be
 * held to 1 % (one entry is more), so for those the entry bound is the
 * honest one. Returns the worst relative error over shares >= 100.
 */
static double
check_shares(const struct sw_maglev_backend *b, uint32_t n, double *worst_abs)
{
	uint64_t total = 0;
	uint32_t *cnt = calloc(n, sizeof(*cnt));
	double worst = 0;

	worst_rel_any = 0;
	for (uint32_t i = 0; i < n; i++)
		total += b[i].weight;
	for (uint32_t k = 0; k < SIZE; k++) {
		SW_CHECK(tab_a[k] < n);
		if (tab_a[k] < n)
			cnt[tab_a[k]]++;
	}
	for (uint32_t i = 0; i < n; i++) {
		double exp = (double)SIZE * b[i].weight / (double)total;
		double abs_err = fabs(cnt[i] - exp);

		if (exp > 0 && abs_err / exp > worst_rel_any)
			worst_rel_any = abs_err / exp;

		SW_CHECKF(abs_err < 1.0, "backend %u: %u entries, share %.2f",
			i, cnt[i], exp);
		if (abs_err > *worst_abs)
			*worst_abs = abs_err;
		if (exp >= 100) {
			double rel = abs_err / exp;

			SW_CHECKF(rel <= 0.01, "backend %u: %u entries, share "
				"%.2f", i, cnt[i], exp);
			if (rel > worst)
				worst = rel;
		}
	}
	free(cnt);
	return worst;
}

static void
test_distribution_equal_weights(void)
{
	static const uint32_t ns[] = { 1, 3, 10, 37, 100, 655 };
	struct sw_maglev_backend b[N_MAX];

	for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		double wa = 0, wr;

		snprintf(ctx, sizeof(ctx), "n=%u", ns[t]);
		sw_test_ctx = ctx;
		for (uint32_t i = 0; i < ns[t]; i++)
			b[i] = (struct sw_maglev_backend){ key_of(i), 1000 };
		SW_CHECK_EQ(build(tab_a, b, ns[t]), 0);
		wr = check_shares(b, ns[t], &wa);
		printf("  equal   n=%-4u worst %.3f %% / %.2f entries\n", ns[t],
			100 * wr, wa);
	}
}

static void
test_distribution_mixed_weights(void)
{
	static const uint32_t ns[] = { 3, 10, 37, 100 };
	struct sw_maglev_backend b[N_MAX];
	uint64_t s = 0x6d61676c6576ull;

	for (int rnd = 0; rnd < 2; rnd++)
		for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
			double wa = 0, wr;

			snprintf(ctx, sizeof(ctx), "n=%u %s", ns[t],
				rnd ? "random 1..100" : "1,2,3,..");
			sw_test_ctx = ctx;
			for (uint32_t i = 0; i < ns[t]; i++)
				b[i] = (struct sw_maglev_backend){ key_of(i),
					rnd ? 1 + (uint32_t)(sw_test_rand(&s) %
						100) : i + 1 };
			SW_CHECK_EQ(build(tab_a, b, ns[t]), 0);
			wr = check_shares(b, ns[t], &wa);
			printf("  %-13s n=%-4u worst %.3f %% (shares >= 100), "
				"%.3f %% (all), %.2f entries\n",
				rnd ? "random 1..100" : "1,2,3,..", ns[t],
				100 * wr, 100 * worst_rel_any, wa);
		}
	/* Extreme ratios: the rounds stay bounded by the table size. */
	sw_test_ctx = "weights 2^32-1 and 1";
	b[0] = (struct sw_maglev_backend){ key_of(0), UINT32_MAX };
	for (uint32_t i = 1; i < 100; i++)
		b[i] = (struct sw_maglev_backend){ key_of(i), 1 + i % 2 };
	SW_CHECK_EQ(build(tab_a, b, 100), 0);
	{
		double wa = 0;

		check_shares(b, 100, &wa);
	}
}

static void
test_weight_zero_gets_no_entries(void)
{
	struct sw_maglev_backend b[10];

	for (uint32_t i = 0; i < 10; i++)
		b[i] = (struct sw_maglev_backend){ key_of(i), i % 3 ? 5 : 0 };
	SW_CHECK_EQ(build(tab_a, b, 10), 0);
	for (uint16_t i = 0; i < 10; i++)
		if (b[i].weight == 0)
			SW_CHECK_EQ(count_of(tab_a, i), 0);
		else
			SW_CHECK(count_of(tab_a, i) >= SIZE / 6);
}

/*
 * Entries that neither table gives to the changed backend and that
 * point at different backends (by key) in the two, as a fraction of
 * the table: the disruption beyond the changed backend's own share.
 */
static double
moved_between_survivors(const struct sw_maglev_backend *ba,
		const struct sw_maglev_backend *bb, uint64_t changed)
{
	uint32_t moved = 0;

	for (uint32_t k = 0; k < SIZE; k++) {
		uint64_t ka = ba[tab_a[k]].key, kb = bb[tab_b[k]].key;

		if (ka == changed || kb == changed) {
			/* The changed backend's entries are its own share. */
			continue;
		}
		moved += ka != kb;
	}
	return (double)moved / SIZE;
}

/*
 * Maglev is not minimally disruptive: it trades a little movement
 * between surviving backends for balance (§3.4, §5.3). The bound
 * asserted: at most 1 % of the table moves between survivors for up to
 * 100 backends (measured worst 0.72 %), 2 % for 1000 (measured worst
 * 1.35 %: with 65 entries each, the entries one backend gives up or
 * takes sit on more of the other backends' permutation walks). With
 * mixed weights the bound also catches turns that are not spread
 * evenly over the rounds (5 % moved when they are front-loaded).
 */
static double
disruption_bound(uint32_t n)
{
	return n <= 100 ? 0.01 : 0.02;
}

static void
check_change(const char *what, uint32_t n, struct sw_maglev_backend *before,
		uint32_t nb, struct sw_maglev_backend *after, uint32_t na,
		uint64_t changed, double *worst)
{
	double f;
	uint32_t kept = 0;

	snprintf(ctx, sizeof(ctx), "%s n=%u key %#llx", what, n,
		(unsigned long long)changed);
	sw_test_ctx = ctx;
	SW_CHECK_EQ(build(tab_a, before, nb), 0);
	SW_CHECK_EQ(build(tab_b, after, na), 0);
	f = moved_between_survivors(before, after, changed);
	SW_CHECKF(f <= disruption_bound(n), "%.4f of the table moved", f);
	if (f > *worst)
		*worst = f;
	/* A removed or drained backend keeps none of its entries. */
	for (uint32_t k = 0; k < SIZE; k++)
		kept += after[tab_b[k]].key == changed &&
			after[tab_b[k]].weight == 0;
	SW_CHECK_EQ(kept, 0);
}

/*
 * Remove, drain (weight 0) and add one backend, 4 random victims per n,
 * with equal weights and with random weights 1..100.
 */
static void
test_minimal_disruption(void)
{
	static const uint32_t ns[] = { 3, 10, 37, 100, 1000 };
	static struct sw_maglev_backend b[N_MAX + 1], c[N_MAX + 1];
	uint64_t s = 42;

	for (size_t t = 0; t < 2 * sizeof(ns) / sizeof(ns[0]); t++) {
		uint32_t n = ns[t / 2];
		bool mixed = t % 2;
		double worst[3] = { 0, 0, 0 };

		for (uint32_t i = 0; i <= n; i++)
			b[i] = (struct sw_maglev_backend){ key_of(i), mixed ?
				1 + (uint32_t)(sw_test_rand(&s) % 100) : 100 };
		for (int v = 0; v < 4; v++) {
			uint32_t r = (uint32_t)(sw_test_rand(&s) % n);

			/* Remove r: the array closes up, indexes shift. */
			memcpy(c, b, n * sizeof(b[0]));
			memmove(&c[r], &c[r + 1], (n - r - 1) * sizeof(c[0]));
			check_change("remove", n, b, n, c, n - 1, b[r].key,
				&worst[0]);
			/* Drain r: same array, weight 0. */
			memcpy(c, b, n * sizeof(b[0]));
			c[r].weight = 0;
			check_change("drain", n, b, n, c, n, b[r].key,
				&worst[1]);
		}
		/* Add backend n (and back: the same pair of tables). */
		check_change("add", n, b, n, b, n + 1, b[n].key, &worst[2]);
		printf("  n=%-4u %-5s moved between survivors: remove "
			"%.3f %%, drain %.3f %%, add %.3f %% of the table "
			"(bound %.0f %%)\n", n, mixed ? "mixed" : "equal",
			100 * worst[0], 100 * worst[1], 100 * worst[2],
			100 * disruption_bound(n));
	}
}

/* Same (key, weight) set in another order: every entry, by key, agrees. */
static void
test_order_independent(void)
{
	static struct sw_maglev_backend b[N_MAX], c[N_MAX];
	uint64_t s = 7;
	uint32_t n = 100, diff = 0;

	for (uint32_t i = 0; i < n; i++)
		b[i] = (struct sw_maglev_backend){ key_of(i),
			(uint32_t)(sw_test_rand(&s) % 4) };
	b[5].weight = 9;	/* not all zero whatever the seed */
	memcpy(c, b, sizeof(b));
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(sw_test_rand(&s) % (i + 1));
		struct sw_maglev_backend t = c[i];

		c[i] = c[j], c[j] = t;
	}
	SW_CHECK_EQ(build(tab_a, b, n), 0);
	SW_CHECK_EQ(build(tab_b, c, n), 0);
	for (uint32_t k = 0; k < SIZE; k++)
		diff += b[tab_a[k]].key != c[tab_b[k]].key;
	SW_CHECK_EQ(diff, 0);
	/* And a rebuild of the same array is the same table. */
	SW_CHECK_EQ(build(tab_b, b, n), 0);
	SW_CHECK(memcmp(tab_a, tab_b, sizeof(tab_a)) == 0);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "primes", test_primes },
		{ "errors_leave_table_untouched",
			test_errors_leave_table_untouched },
		{ "lookup_spans_table", test_lookup_spans_table },
		{ "distribution_equal_weights",
			test_distribution_equal_weights },
		{ "distribution_mixed_weights",
			test_distribution_mixed_weights },
		{ "weight_zero_gets_no_entries",
			test_weight_zero_gets_no_entries },
		{ "minimal_disruption", test_minimal_disruption },
		{ "order_independent", test_order_independent },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
