/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Weighted Maglev lookup table: maps a flow hash to a backend so that
 * each backend gets a share of the table proportional to its weight,
 * and a change to the backend set moves few flows between the backends
 * that stay (Eisenbud et al., "Maglev: A Fast and Reliable Software
 * Network Load Balancer", NSDI 2016, §3.4).
 *
 * EAL-free, no allocation: the caller passes the table and the scratch
 * memory. sw_maglev_build() runs on the control plane into a table no
 * reader sees yet; the caller publishes it (RCU swap) once built, so
 * the data path only ever calls sw_maglev_lookup().
 *
 * Errors are negative errno values.
 */
#ifndef SW_MAGLEV_H
#define SW_MAGLEV_H

#include <stddef.h>
#include <stdint.h>

/* Table sizes: primes below this (the smallest prime >= 2^24 is). */
#define SW_MAGLEV_SIZE_MAX	(1u << 25)
/* Backend indexes are uint16_t and UINT16_MAX marks a free slot. */
#define SW_MAGLEV_BACKENDS_MAX	65535u

struct sw_maglev_backend {
	/*
	 * Stable identity of the backend (e.g. its address and port
	 * packed): decides its permutation, so it must not change while
	 * the backend lives, and two backends may not share it.
	 */
	uint64_t key;
	uint32_t weight;	/* 0: no entries (down or draining) */
};

/* Smallest prime >= n, for n <= 2^24 (then < SW_MAGLEV_SIZE_MAX); else 0. */
uint32_t sw_maglev_prime(uint32_t n);

/* Scratch bytes sw_maglev_build() needs for n backends (any alignment). */
size_t sw_maglev_scratch_size(uint32_t n);

/*
 * Fill table[0..size) with backend indexes 0..n-1 (positions in `b`)
 * by weighted Maglev population. Each backend with weight w gets
 * size * w / (sum of weights) entries rounded up or down (largest
 * remainder), so never a whole entry off its exact share.
 *
 * Deterministic: the same set of (key, weight) gives every key the same
 * entries, whatever the order of `b` (only the index written changes).
 *
 * 0; -EINVAL when size is not a prime in [n, SW_MAGLEV_SIZE_MAX), n is
 * 0 or above SW_MAGLEV_BACKENDS_MAX, or two backends share a key;
 * -ENOENT when every weight is 0; -ENOSPC when scratch_len is below
 * sw_maglev_scratch_size(n). On error the table is untouched.
 */
int sw_maglev_build(uint16_t *table, uint32_t size,
		const struct sw_maglev_backend *b, uint32_t n,
		void *scratch, size_t scratch_len);

/*
 * The backend index for a flow hash: a multiply-shift maps the 32-bit
 * hash onto [0, size) without a division, evenly to within one part in
 * 2^32 / size.
 */
static inline uint16_t
sw_maglev_lookup(const uint16_t *table, uint32_t size, uint32_t hash)
{
	return table[((uint64_t)hash * size) >> 32];
}

#endif /* SW_MAGLEV_H */
