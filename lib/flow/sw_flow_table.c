/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sw_flow_table.h"

_Static_assert(sizeof(struct sw_ft_bucket) == 64,
	"a bucket is one cache line");
_Static_assert(SW_FT_BFS_NODES <= UINT16_MAX,
	"BFS parents are 16-bit indices");

/* Reflected Castagnoli polynomial 0x82f63b78, one byte at a time. */
static const uint32_t crc32c_table[256] = {
	0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4,
	0xc79a971f, 0x35f1141c, 0x26a1e7e8, 0xd4ca64eb,
	0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b,
	0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24,
	0x105ec76f, 0xe235446c, 0xf165b798, 0x030e349b,
	0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
	0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54,
	0x5d1d08bf, 0xaf768bbc, 0xbc267848, 0x4e4dfb4b,
	0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a,
	0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35,
	0xaa64d611, 0x580f5512, 0x4b5fa6e6, 0xb93425e5,
	0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
	0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45,
	0xf779deae, 0x05125dad, 0x1642ae59, 0xe4292d5a,
	0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a,
	0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595,
	0x417b1dbc, 0xb3109ebf, 0xa0406d4b, 0x522bee48,
	0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
	0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687,
	0x0c38d26c, 0xfe53516f, 0xed03a29b, 0x1f682198,
	0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927,
	0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38,
	0xdbfc821c, 0x2997011f, 0x3ac7f2eb, 0xc8ac71e8,
	0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
	0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096,
	0xa65c047d, 0x5437877e, 0x4767748a, 0xb50cf789,
	0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859,
	0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46,
	0x7198540d, 0x83f3d70e, 0x90a324fa, 0x62c8a7f9,
	0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
	0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36,
	0x3cdb9bdd, 0xceb018de, 0xdde0eb2a, 0x2f8b6829,
	0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c,
	0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93,
	0x082f63b7, 0xfa44e0b4, 0xe9141340, 0x1b7f9043,
	0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
	0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3,
	0x55326b08, 0xa759e80b, 0xb4091bff, 0x466298fc,
	0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c,
	0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033,
	0xa24bb5a6, 0x502036a5, 0x4370c551, 0xb11b4652,
	0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
	0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d,
	0xef087a76, 0x1d63f975, 0x0e330a81, 0xfc588982,
	0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d,
	0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622,
	0x38cc2a06, 0xcaa7a905, 0xd9f75af1, 0x2b9cd9f2,
	0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
	0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530,
	0x0417b1db, 0xf67c32d8, 0xe52cc12c, 0x1747422f,
	0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff,
	0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0,
	0xd3d3e1ab, 0x21b862a8, 0x32e8915c, 0xc083125f,
	0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
	0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90,
	0x9e902e7b, 0x6cfbad78, 0x7fab5e8c, 0x8dc0dd8f,
	0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee,
	0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1,
	0x69e9f0d5, 0x9b8273d6, 0x88d28022, 0x7ab90321,
	0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
	0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81,
	0x34f4f86a, 0xc69f7b69, 0xd5cf889d, 0x27a40b9e,
	0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e,
	0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

uint32_t
sw_ft_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (; len > 0; p++, len--)
		crc = crc32c_table[(crc ^ *p) & 0xff] ^ (crc >> 8);
	return crc;
}

static int
params_ok(const struct sw_ft_params *p)
{
	return p != NULL && p->capacity >= 1 &&
		p->capacity <= SW_FT_CAPACITY_MAX &&
		p->key_len >= 1 && p->key_len <= SW_FT_KEY_MAX &&
		p->entry_size >= p->key_len;
}

/*
 * Next power of two >= capacity / (8 * 0.96), at least 2 (the two
 * candidate buckets of a key always differ). Random keys first fail to
 * find a cuckoo path at 98.6-99.2 % of the slots (measured, 2^10 to
 * 2^22 slots), so even a full table (<= 96 %) keeps a margin; 0.96
 * rather than 0.95 lets the default 1,000,000 flows fit 2^17 buckets
 * (8 MiB) instead of 2^18.
 */
static uint32_t
bucket_count(uint32_t capacity)
{
	uint64_t slots = ((uint64_t)capacity * 25 + 23) / 24;
	uint64_t need = (slots + SW_FT_BUCKET_SLOTS - 1) / SW_FT_BUCKET_SLOTS;
	uint32_t n = 2;

	while (n < need)
		n <<= 1;
	return n;
}

static size_t
stack_size(uint32_t capacity)
{
	size_t len = (size_t)capacity * sizeof(uint32_t);

	return (len + SW_FT_ALIGN - 1) & ~(size_t)(SW_FT_ALIGN - 1);
}

size_t
sw_ft_memsize(const struct sw_ft_params *p)
{
	if (!params_ok(p))
		return 0;
	return (size_t)bucket_count(p->capacity) *
		sizeof(struct sw_ft_bucket) + stack_size(p->capacity);
}

int
sw_ft_init(struct sw_ft *t, const struct sw_ft_params *p, void *mem,
		size_t mem_len, void *entries)
{
	size_t need = sw_ft_memsize(p);
	uint32_t nb;

	if (t == NULL || need == 0 || mem == NULL || entries == NULL ||
			mem_len < need || (uintptr_t)mem % SW_FT_ALIGN != 0)
		return -EINVAL;
	nb = bucket_count(p->capacity);
	memset(mem, 0, (size_t)nb * sizeof(struct sw_ft_bucket));
	t->buckets = mem;
	t->free_ids = (uint32_t *)(void *)(t->buckets + nb);
	t->entries = entries;
	t->bucket_mask = nb - 1;
	t->capacity = p->capacity;
	t->key_len = p->key_len;
	t->entry_size = p->entry_size;
	/* Ids leave in ascending order: the first flows share pages. */
	for (uint32_t i = 0; i < p->capacity; i++)
		t->free_ids[i] = p->capacity - 1 - i;
	t->n_free = p->capacity;
	return 0;
}

static int
empty_slot(const struct sw_ft_bucket *b)
{
	uint32_t m = sw_ft_match(b, 0);

	return m != 0 ? __builtin_ctz(m) >> 1 : -1;
}

/* A bucket the search reached, and how: moving parent's `slot` here. */
struct bfs_node {
	uint32_t bucket;
	uint16_t parent;
	uint8_t slot;
};

#define BFS_ROOT	UINT16_MAX

/*
 * Is `bucket` already on the path from the roots to node `i`? A path
 * through a bucket twice is never a shortest one, and moves along it
 * could overwrite each other: prune it, leaving room for useful nodes.
 */
static int
on_path(const struct bfs_node *q, uint16_t i, uint32_t bucket)
{
	for (; i != BFS_ROOT; i = q[i].parent)
		if (q[i].bucket == bucket)
			return 1;
	return 0;
}

/*
 * Both candidate buckets are full: search breadth-first (shortest path
 * first) for a bucket with a free slot reachable by moving keys to their
 * other bucket, and only then move them, from the free end backwards, so
 * every move lands in a slot that is free at that moment and a failed
 * search changes nothing. On success (*bucket, *slot), in b1 or b2, is
 * free for the new key.
 */
static int
make_room(struct sw_ft *t, uint32_t b1, uint32_t b2, uint32_t *bucket,
		unsigned int *slot)
{
	struct bfs_node q[SW_FT_BFS_NODES];
	unsigned int head, tail = 2, dst_s, i;
	uint32_t dst_b;
	int e = -1;

	q[0] = (struct bfs_node){ .bucket = b1, .parent = BFS_ROOT };
	q[1] = (struct bfs_node){ .bucket = b2, .parent = BFS_ROOT };
	for (head = 0; head < tail; head++) {
		const struct sw_ft_bucket *b = &t->buckets[q[head].bucket];

		if (head >= 2) {
			e = empty_slot(b);
			if (e >= 0)
				break;
		}
		if (tail + SW_FT_BUCKET_SLOTS > SW_FT_BFS_NODES)
			continue;	/* still look for room in the rest */
		for (unsigned int s = 0; s < SW_FT_BUCKET_SLOTS; s++) {
			uint32_t a = sw_ft_alt(t, q[head].bucket, b->sig[s]);

			if (on_path(q, (uint16_t)head, a))
				continue;
			q[tail++] = (struct bfs_node){
				.bucket = a,
				.parent = (uint16_t)head,
				.slot = (uint8_t)s,
			};
			__builtin_prefetch(&t->buckets[a]);
		}
	}
	if (e < 0)
		return -ENOSPC;

	/*
	 * Each step fills (dst_b, dst_s) from the parent's slot, which the
	 * next step fills in turn; the last one, in a root bucket, is the
	 * caller's to fill, so no slot needs clearing on the way.
	 */
	dst_b = q[head].bucket;
	dst_s = (unsigned int)e;
	for (i = head; q[i].parent != BFS_ROOT; i = q[i].parent) {
		struct sw_ft_bucket *from = &t->buckets[q[q[i].parent].bucket];
		struct sw_ft_bucket *to = &t->buckets[dst_b];

		to->id[dst_s] = from->id[q[i].slot];
		to->sig[dst_s] = from->sig[q[i].slot];
		dst_b = q[q[i].parent].bucket;
		dst_s = q[i].slot;
	}
	*bucket = dst_b;
	*slot = dst_s;
	return 0;
}

int64_t
sw_ft_insert(struct sw_ft *t, const void *key, uint32_t hash)
{
	uint16_t sig = sw_ft_sig(hash);
	uint32_t b1 = sw_ft_primary(t, hash);
	uint32_t b2 = sw_ft_alt(t, b1, sig);
	struct sw_ft_bucket *p = &t->buckets[b1];
	struct sw_ft_bucket *a = &t->buckets[b2];
	uint32_t bucket, id;
	unsigned int slot;
	uint8_t *entry;
	int s;

	if (sw_ft_bucket_find(t, p, sw_ft_match(p, sig), key) >= 0 ||
			sw_ft_bucket_find(t, a, sw_ft_match(a, sig), key) >= 0)
		return -EEXIST;
	if (t->n_free == 0)
		return -ENOSPC;
	/* Primary first: most hits then read a single bucket. */
	if ((s = empty_slot(p)) >= 0) {
		bucket = b1;
		slot = (unsigned int)s;
	} else if ((s = empty_slot(a)) >= 0) {
		bucket = b2;
		slot = (unsigned int)s;
	} else if (make_room(t, b1, b2, &bucket, &slot) != 0) {
		return -ENOSPC;
	}
	id = t->free_ids[--t->n_free];
	entry = sw_ft_entry(t, id);
	memcpy(entry, key, t->key_len);
	memset(entry + t->key_len, 0, t->entry_size - t->key_len);
	t->buckets[bucket].id[slot] = id;
	t->buckets[bucket].sig[slot] = sig;
	return id;
}

int
sw_ft_remove(struct sw_ft *t, uint32_t id)
{
	uint32_t hash, b[2];
	uint16_t sig;

	if (id >= t->capacity)
		return -EINVAL;
	hash = sw_ft_hash(t, sw_ft_entry(t, id));
	sig = sw_ft_sig(hash);
	b[0] = sw_ft_primary(t, hash);
	b[1] = sw_ft_alt(t, b[0], sig);
	for (unsigned int i = 0; i < 2; i++) {
		struct sw_ft_bucket *bkt = &t->buckets[b[i]];
		uint32_t m;

		for (m = sw_ft_match(bkt, sig); m != 0; m &= m - 1) {
			unsigned int s = (unsigned int)__builtin_ctz(m) >> 1;

			if (bkt->id[s] != id)
				continue;
			bkt->sig[s] = 0;
			t->free_ids[t->n_free++] = id;
			return 0;
		}
	}
	return -ENOENT;
}

static void
lookup_chunk(const struct sw_ft *t, const void *const *keys, unsigned int n,
		int64_t *ids)
{
	const struct sw_ft_bucket *p[SW_FT_BURST], *a[SW_FT_BURST];
	uint32_t mp[SW_FT_BURST], ma[SW_FT_BURST];
	uint16_t sig[SW_FT_BURST];
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t hash = sw_ft_hash(t, keys[i]);
		uint32_t b1 = sw_ft_primary(t, hash);

		sig[i] = sw_ft_sig(hash);
		p[i] = &t->buckets[b1];
		a[i] = &t->buckets[sw_ft_alt(t, b1, sig[i])];
		__builtin_prefetch(p[i]);
		__builtin_prefetch(a[i]);
	}
	for (i = 0; i < n; i++) {
		mp[i] = sw_ft_match(p[i], sig[i]);
		ma[i] = sw_ft_match(a[i], sig[i]);
		if (mp[i] != 0)
			__builtin_prefetch(sw_ft_entry(t,
				p[i]->id[__builtin_ctz(mp[i]) >> 1]));
		else if (ma[i] != 0)
			__builtin_prefetch(sw_ft_entry(t,
				a[i]->id[__builtin_ctz(ma[i]) >> 1]));
	}
	for (i = 0; i < n; i++) {
		ids[i] = sw_ft_bucket_find(t, p[i], mp[i], keys[i]);
		if (ids[i] < 0)
			ids[i] = sw_ft_bucket_find(t, a[i], ma[i], keys[i]);
	}
}

void
sw_ft_lookup_burst(const struct sw_ft *t, const void *const *keys,
		unsigned int n, int64_t *ids)
{
	while (n > 0) {
		unsigned int k = n < SW_FT_BURST ? n : SW_FT_BURST;

		lookup_chunk(t, keys, k, ids);
		keys += k;
		ids += k;
		n -= k;
	}
}
