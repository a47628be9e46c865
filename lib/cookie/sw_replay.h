/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cookies a worker has already used: a SYN cookie stays valid for up
 * to two slots, so the genuine third ACK of a connection, replayed after
 * its flow closed, would check out again and open a second server
 * connection that nobody uses (docs/cookies.md, "Replays"). Each flow
 * created from a cookie is remembered here until its cookie expires; a
 * valid cookie that is remembered is a replay.
 *
 * One direct-mapped table per worker, EAL-free, over caller memory: a
 * 64-bit word per entry, a 32-bit tag of the (tuple, seq, ack) hash and
 * the low 32 bits of the last slot the cookie is valid in. A newer
 * entry overwrites an older one in its place, so the memory is best
 * effort under churn: at R new flows per second per worker, an entry
 * lives about entries / R seconds, and a replay is caught while it
 * does (docs/cookies.md gives the numbers). A false match needs the
 * index and the 32-bit tag to agree: about 2^-48 per lookup with 64 Ki
 * entries.
 */
#ifndef SW_REPLAY_H
#define SW_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct sw_replay {
	uint64_t *e;
	uint32_t mask;		/* entries - 1, a power of two */
};

/*
 * The hash of a cookie ACK: its flow's hash (`tuple_hash`, any good
 * 32-bit hash of the connection's addresses and ports) and its seq and
 * ack, which name the client's ISN and our cookie. SplitMix64's
 * finalizer spreads them over 64 bits.
 */
static inline uint64_t
sw_replay_hash(uint32_t tuple_hash, uint32_t seq, uint32_t ack)
{
	uint64_t h = ((uint64_t)seq << 32 | ack) ^
		((uint64_t)tuple_hash * UINT64_C(0x9e3779b97f4a7c15));

	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	return h;
}

/* Tag: the hash's top half, never 0 (0 is an empty entry). */
static inline uint64_t
sw_replay_tag(uint64_t h)
{
	return (h | (UINT64_C(1) << 32)) & ~UINT64_C(0xffffffff);
}

/* Remember a used cookie, valid up to and including slot `until`. */
static inline void
sw_replay_add(struct sw_replay *r, uint64_t h, uint64_t until)
{
	r->e[h & r->mask] = sw_replay_tag(h) | (uint32_t)until;
}

/* Was this cookie used already, and is it still valid in `slot`? */
static inline bool
sw_replay_seen(const struct sw_replay *r, uint64_t h, uint64_t slot)
{
	uint64_t v = r->e[h & r->mask];

	return (v & ~UINT64_C(0xffffffff)) == sw_replay_tag(h) &&
		(int32_t)((uint32_t)v - (uint32_t)slot) >= 0;
}

#endif /* SW_REPLAY_H */
