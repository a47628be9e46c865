/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb mode's source NAT ports (lib/snat): slices that partition the
 * range and whose owner a multiply finds exactly as a division would,
 * for every range and worker count tried; a worker's ports handed out
 * least recently freed first, exhaustion, double and foreign puts
 * refused, the map from port to holder; and a churn against a model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_snat.h"
#include "sw_test.h"

/* Every port of 1..65535 has the owner a division gives, or none. */
static bool
owners_exact(uint16_t lo, uint16_t hi, uint16_t n)
{
	struct sw_snat_range r;
	uint32_t per;

	if (sw_snat_range_init(&r, lo, hi, n) != 0)
		return false;
	per = ((uint32_t)hi - lo + 1) / n;
	if (r.per != per || r.lo != lo || r.n_workers != n)
		return false;
	for (uint32_t p = 1; p <= 65535; p++) {
		uint32_t want = p < lo || p >= lo + per * n ? SW_SNAT_NONE :
			(p - lo) / per;

		if (sw_snat_owner(&r, (uint16_t)p) != want)
			return false;
	}
	/* Each slice starts where the owner changes. */
	for (uint16_t w = 0; w < n; w++)
		if (sw_snat_owner(&r, sw_snat_slice_first(&r, w)) != w ||
				(w > 0 && sw_snat_owner(&r, (uint16_t)(
				sw_snat_slice_first(&r, w) - 1)) != w - 1))
			return false;
	return true;
}

static void
test_range(void)
{
	static const uint16_t ranges[][2] = {
		{ 1024, 64511 }, { 1, 65535 }, { 1, 1 }, { 40000, 40000 },
		{ 1, 64511 }, { 60000, 60007 }, { 32768, 65535 }, { 2, 65535 },
		{ 1000, 1999 },
	};
	static const uint16_t workers[] = { 1, 2, 3, 4, 7, 8, 13, 64, 127 };
	struct sw_snat_range r;

	for (unsigned int i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (unsigned int j = 0; j < sizeof(workers) /
				sizeof(workers[0]); j++) {
			const uint16_t lo = ranges[i][0], hi = ranges[i][1];
			const uint16_t n = workers[j];

			if ((uint32_t)hi - lo + 1 < n) {
				SW_CHECKF(sw_snat_range_init(&r, lo, hi, n) ==
					-EINVAL, "%u-%u for %u workers", lo,
					hi, n);
				continue;
			}
			SW_CHECKF(owners_exact(lo, hi, n),
				"%u-%u for %u workers", lo, hi, n);
		}
	/* The default range over 2 workers: 31744 ports each. */
	SW_CHECK(sw_snat_range_init(&r, 1024, 64511, 2) == 0);
	SW_CHECK_EQ(r.per, 31744);
	SW_CHECK_EQ(sw_snat_slice_first(&r, 1), 32768);
	SW_CHECK_EQ(sw_snat_owner(&r, 1023), SW_SNAT_NONE);
	SW_CHECK_EQ(sw_snat_owner(&r, 32767), 0);
	SW_CHECK_EQ(sw_snat_owner(&r, 32768), 1);
	SW_CHECK_EQ(sw_snat_owner(&r, 64511), 1);
	SW_CHECK_EQ(sw_snat_owner(&r, 64512), SW_SNAT_NONE);
	/* 10 ports over 3: 3 each, the tenth never handed out. */
	SW_CHECK(sw_snat_range_init(&r, 100, 109, 3) == 0);
	SW_CHECK_EQ(r.per, 3);
	SW_CHECK_EQ(sw_snat_owner(&r, 108), 2);
	SW_CHECK_EQ(sw_snat_owner(&r, 109), SW_SNAT_NONE);
	/* Nonsense. */
	SW_CHECK(sw_snat_range_init(&r, 0, 10, 1) == -EINVAL);
	SW_CHECK(sw_snat_range_init(&r, 10, 9, 1) == -EINVAL);
	SW_CHECK(sw_snat_range_init(&r, 10, 20, 0) == -EINVAL);
}

static void *
slice_mem(uint16_t n)
{
	void *m = malloc(sw_snat_memsize(n));

	if (m == NULL)
		abort();
	return m;
}

static void
test_fifo(void)
{
	struct sw_snat s;
	void *mem = slice_mem(5);

	SW_CHECK(sw_snat_init(&s, 0, 5, mem, sw_snat_memsize(5)) == -EINVAL);
	SW_CHECK(sw_snat_init(&s, 65534, 5, mem, sw_snat_memsize(5)) ==
		-EINVAL);
	SW_CHECK(sw_snat_init(&s, 100, 5, mem, sw_snat_memsize(5) - 1) ==
		-EINVAL);
	SW_CHECK(sw_snat_init(&s, 100, 5, mem, sw_snat_memsize(5)) == 0);
	SW_CHECK_EQ(s.n_free, 5);
	SW_CHECK_EQ(sw_snat_used(&s), 0);
	/* In order at first. */
	for (uint32_t i = 0; i < 5; i++) {
		SW_CHECK_EQ(sw_snat_get(&s, 10 + i), 100 + i);
		SW_CHECK_EQ(sw_snat_lookup(&s, (uint16_t)(100 + i)), 10 + i);
	}
	/* Exhausted: 0, nothing changes. */
	SW_CHECK_EQ(sw_snat_get(&s, 99), 0);
	SW_CHECK_EQ(sw_snat_used(&s), 5);
	/* Freed 103, 101, 104: handed out again in that order. */
	SW_CHECK(sw_snat_put(&s, 103) == 0);
	SW_CHECK(sw_snat_put(&s, 101) == 0);
	SW_CHECK(sw_snat_put(&s, 104) == 0);
	SW_CHECK_EQ(sw_snat_lookup(&s, 103), SW_SNAT_FREE);
	SW_CHECK_EQ(sw_snat_lookup(&s, 102), 12);
	/* A double put and foreign ports are refused, changing nothing. */
	SW_CHECK(sw_snat_put(&s, 103) == -EINVAL);
	SW_CHECK(sw_snat_put(&s, 99) == -EINVAL);
	SW_CHECK(sw_snat_put(&s, 105) == -EINVAL);
	SW_CHECK(sw_snat_put(&s, 0) == -EINVAL);
	SW_CHECK_EQ(s.n_free, 3);
	SW_CHECK_EQ(sw_snat_lookup(&s, 99), SW_SNAT_FREE);
	SW_CHECK_EQ(sw_snat_lookup(&s, 105), SW_SNAT_FREE);
	SW_CHECK_EQ(sw_snat_get(&s, 20), 103);
	SW_CHECK(sw_snat_put(&s, 100) == 0);
	SW_CHECK_EQ(sw_snat_get(&s, 21), 101);
	SW_CHECK_EQ(sw_snat_get(&s, 22), 104);
	SW_CHECK_EQ(sw_snat_get(&s, 23), 100);
	SW_CHECK_EQ(sw_snat_get(&s, 24), 0);
	SW_CHECK_EQ(sw_snat_lookup(&s, 100), 23);
	free(mem);

	/* One port alone. */
	mem = slice_mem(1);
	SW_CHECK(sw_snat_init(&s, 65535, 1, mem, sw_snat_memsize(1)) == 0);
	for (unsigned int i = 0; i < 3; i++) {
		SW_CHECK_EQ(sw_snat_get(&s, i), 65535);
		SW_CHECK_EQ(sw_snat_get(&s, i), 0);
		SW_CHECK(sw_snat_put(&s, 65535) == 0);
	}
	free(mem);
}

/*
 * Random gets and puts against a model (a FIFO of ports): same ports,
 * same order, through wrap-arounds of the ring; and the interval: a
 * port is handed out again only after every port freed before it.
 */
static void
test_churn(void)
{
	enum { N = 1000, OPS = 200000 };
	static uint16_t model[N], held[N];
	/* At a port's put: gets so far, and ports free before it. */
	static uint64_t gets_at[65536], free_before[65536];
	static bool was_put[65536];
	unsigned int m_head = 0, m_n = N, n_held = 0;
	uint64_t seed = 42, gets = 0;
	struct sw_snat s;
	void *mem = slice_mem(N);

	SW_CHECK(sw_snat_init(&s, 30000, N, mem, sw_snat_memsize(N)) == 0);
	for (unsigned int i = 0; i < N; i++)
		model[i] = (uint16_t)(30000 + i);
	for (unsigned int op = 0; op < OPS; op++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		if ((seed >> 33) % 100 < 55 || n_held == 0) {
			uint16_t want = m_n == 0 ? 0 : model[m_head];
			uint16_t got = sw_snat_get(&s, op);

			SW_CHECK_EQ(got, want);
			if (got == 0 || got != want)
				continue;
			m_head = (m_head + 1) % N;
			m_n--;
			held[n_held++] = got;
			/* Back only after every port free before it went. */
			SW_CHECKF(!was_put[got] || gets - gets_at[got] >=
				free_before[got], "port %u reused early", got);
			gets++;
		} else {
			unsigned int k = (unsigned int)((seed >> 40) % n_held);
			uint16_t port = held[k];

			SW_CHECK(sw_snat_put(&s, port) == 0);
			held[k] = held[--n_held];
			model[(m_head + m_n) % N] = port;
			was_put[port] = true;
			gets_at[port] = gets;
			free_before[port] = m_n;
			m_n++;
		}
		if (sw_snat_used(&s) != n_held) {
			SW_CHECK_EQ(sw_snat_used(&s), n_held);
			break;
		}
	}
	/* Everything back: all N free again, each exactly once. */
	while (n_held > 0)
		SW_CHECK(sw_snat_put(&s, held[--n_held]) == 0);
	SW_CHECK_EQ(s.n_free, N);
	{
		static bool seen[65536];
		uint16_t p;

		while ((p = sw_snat_get(&s, 1)) != 0) {
			SW_CHECKF(!seen[p], "port %u twice", p);
			seen[p] = true;
		}
		SW_CHECK_EQ(sw_snat_used(&s), N);
	}
	free(mem);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "slices partition the range; owner = division, exactly",
			test_range },
		{ "a worker's ports: FIFO, exhaustion, puts refused",
			test_fifo },
		{ "churn against a model, through the ring's wrap",
			test_churn },
	};

	sw_test_name = "snat";
	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
