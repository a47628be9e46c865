/* SPDX-License-Identifier: BSD-3-Clause */
/* Source NAT ports: the setup half of sw_snat.h. */
#include <string.h>

#include "sw_snat.h"

int
sw_snat_range_init(struct sw_snat_range *r, uint16_t lo, uint16_t hi,
		uint16_t n_workers)
{
	uint32_t ports;

	memset(r, 0, sizeof(*r));
	if (lo == 0 || hi < lo || n_workers == 0)
		return -EINVAL;
	ports = (uint32_t)hi - lo + 1;
	if (ports < n_workers)
		return -EINVAL;
	r->lo = lo;
	r->hi = hi;
	r->per = (uint16_t)(ports / n_workers);
	r->n_workers = n_workers;
	/* ceil(2^32 / per): exact owners for every 16-bit offset. */
	r->inv = ((UINT64_C(1) << 32) + r->per - 1) / r->per;
	return 0;
}

size_t
sw_snat_memsize(uint16_t n)
{
	/* The map first (4-byte words), then the FIFO. */
	return (size_t)n * (sizeof(uint32_t) + sizeof(uint16_t));
}

int
sw_snat_init(struct sw_snat *s, uint16_t first, uint16_t n, void *mem,
		size_t len)
{
	memset(s, 0, sizeof(*s));
	if (n == 0 || first == 0 || (uint32_t)first + n - 1 > UINT16_MAX ||
			mem == NULL || len < sw_snat_memsize(n) ||
			((uintptr_t)mem & 3) != 0)
		return -EINVAL;
	s->first = first;
	s->n = n;
	s->map = mem;
	s->fifo = (uint16_t *)(void *)(s->map + n);
	for (uint32_t i = 0; i < n; i++) {
		s->map[i] = SW_SNAT_FREE;
		s->fifo[i] = (uint16_t)(first + i);
	}
	s->head = 0;
	s->n_free = n;
	return 0;
}
