/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN cookies: the ISN (and, with timestamps, the TSval) of the SYN-ACK
 * carry what synwall must remember of a SYN, authenticated by a keyed
 * PRF, so that no state is kept until the client proves it is real.
 * docs/cookies.md explains the layout and the forging odds.
 *
 * EAL-free and clock-free: the keys (and with them the current time
 * slot) are passed in by the caller.
 *
 * ISN (32 bits, always):
 *   31-30 slot code (slot mod 4)
 *   29-27 MSS index into the family's table
 *   26    SACK-permitted
 *   25-24 window-scale class: none, 0, 6, 8 (the largest <= the client's)
 *   23-0  MAC bits 0-23
 * TSval (32 bits, when the client sent timestamps):
 *   31-28 exact window scale 0-14, 15 = none
 *   27    ECN (RFC 3168 ECN-setup SYN, and we agreed)
 *   26-0  MAC bits 24-50
 * The MAC is SipHash-2-4 under the slot's key over the tuple, the
 * client's ISN and every bit above that is not MAC. A cookie names its
 * slot (mod 4) so that checking it costs exactly one PRF evaluation.
 */
#ifndef SW_COOKIE_H
#define SW_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_siphash.h"

#define SW_COOKIE_SLOTS		4	/* keys kept: slots cur-3 .. cur */
#define SW_COOKIE_MSS_N		8	/* table entries per family */
#define SW_COOKIE_WSCALE_NONE	0xff

/*
 * Keys of the four most recent slots, key[s % 4] for slot s. Replaced
 * as a whole by the control plane (RCU), read by workers.
 */
struct sw_cookie_keys {
	uint64_t slot;			/* current slot number */
	struct sw_siphash_key key[SW_COOKIE_SLOTS];
};

/* The connection as the client's SYN names it (client → server). */
struct sw_cookie_tuple {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint32_t saddr[4];		/* client address, network order */
	uint32_t daddr[4];		/* server address, network order */
	uint16_t sport;			/* network order, as in the header */
	uint16_t dport;
};

/* What the SYN offered and synwall agreed to; what a valid ACK yields. */
struct sw_cookie_opts {
	uint16_t mss;			/* table value: <= what the client sent */
	uint8_t wscale;			/* 0-14 or SW_COOKIE_WSCALE_NONE */
	bool sack_ok;
	bool ts;			/* timestamps in use */
	bool ecn;
	uint32_t ts_recent;		/* ACK: the client's TSval */
};

enum sw_cookie_verdict {
	SW_COOKIE_OK = 0,
	SW_COOKIE_BAD,			/* forged, corrupted, or never ours */
	SW_COOKIE_EXPIRED,		/* genuine, from slot cur-2 or cur-3 */
};

/* MSS tables: ascending, [0] is the family's default/minimum. */
extern const uint16_t sw_cookie_mss4[SW_COOKIE_MSS_N];
extern const uint16_t sw_cookie_mss6[SW_COOKIE_MSS_N];

/*
 * Index of the largest table value <= mss (never rounds up); -1 when
 * mss is below the table's minimum. mss 0 means "no MSS option": the
 * family's default (RFC 9293 §3.7.1: 536 / RFC 8200: 1220), index 0.
 */
int sw_cookie_mss_index(uint8_t family, uint16_t mss);

/*
 * The cookie for a SYN: returns our ISN; when o->ts, *tsval is our
 * TSval. `o` is what we agreed to (mss already a table value or the
 * client's, wscale as the client sent it); the cookie stores what the
 * layout can, and sw_cookie_check() returns exactly that.
 */
uint32_t sw_cookie_make(const struct sw_cookie_keys *k,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		const struct sw_cookie_opts *o, uint32_t *tsval);

/*
 * Check the ACK that completes a handshake: cookie = ack - 1,
 * client_isn = seq - 1; with timestamps, tsecr is the ACK's TSecr
 * (our TSval echoed) and o->ts_recent is filled from `tsval`.
 * Exactly one PRF evaluation, whatever the input.
 */
enum sw_cookie_verdict sw_cookie_check(const struct sw_cookie_keys *k,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		uint32_t cookie, bool has_ts, uint32_t tsval, uint32_t tsecr,
		struct sw_cookie_opts *o);

/*
 * The same two operations in three steps, so that a burst of cookies
 * shares one vectorised PRF call (sw_cookie_mac_burst()):
 *   prep:   the PRF's input (key, message words, tail), and for make the
 *           cookie's clear bits (returned);
 *   mac:    the PRF over every input at once;
 *   finish: the ISN and TSval (make), or the verdict (check).
 * sw_cookie_make() and sw_cookie_check() are exactly prep, mac, finish.
 */
struct sw_cookie_mac_in {
	const struct sw_siphash_key *key;
	uint64_t w[5];			/* the message's whole words */
	uint64_t tail;			/* the info word (last 4 bytes) */
	uint8_t n_words;		/* 2 (IPv4, 20 bytes) or 5 (IPv6, 44) */
};

uint32_t sw_cookie_make_prep(const struct sw_cookie_keys *k,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		const struct sw_cookie_opts *o, struct sw_cookie_mac_in *in);
uint32_t sw_cookie_make_finish(uint32_t clear, const struct sw_cookie_opts *o,
		uint64_t mac, uint32_t *tsval);
void sw_cookie_check_prep(const struct sw_cookie_keys *k,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		uint32_t cookie, bool has_ts, uint32_t tsecr,
		struct sw_cookie_mac_in *in);
enum sw_cookie_verdict sw_cookie_check_finish(const struct sw_cookie_keys *k,
		uint8_t family, uint32_t cookie, bool has_ts, uint32_t tsval,
		uint32_t tsecr, uint64_t mac, struct sw_cookie_opts *o);

/*
 * SipHash-2-4 of in[0..n) into out[0..n): 8 lanes at once with
 * AVX-512F, 4 with AVX2, one at a time otherwise, chosen once at load
 * from the CPU's flags (cpuid: the library needs no EAL); IPv4 and IPv6
 * inputs may be mixed. Bit for bit the scalar sw_siphash24_words().
 */
void sw_cookie_mac_burst(const struct sw_cookie_mac_in *in, uint64_t *out,
		unsigned int n);

/* The implementations this CPU runs, for the tests and the bench. */
enum sw_cookie_mac_impl {
	SW_COOKIE_MAC_SCALAR,
	SW_COOKIE_MAC_AVX2,
	SW_COOKIE_MAC_AVX512,
};
/* The one in use. */
enum sw_cookie_mac_impl sw_cookie_mac_impl(void);
const char *sw_cookie_mac_impl_name(enum sw_cookie_mac_impl i);
/* Use `i` from now on (tests, bench; not while workers run). Returns
 * false when this CPU or build cannot. */
bool sw_cookie_mac_impl_set(enum sw_cookie_mac_impl i);

/*
 * Per-slot key: BLAKE2b-128 keyed with the master secret over
 * "synwall-cookie-v1" and the slot number (big endian), so every node
 * holding the same master secret derives the same keys. Control plane
 * only (libsodium).
 */
#define SW_COOKIE_MASTER_LEN	32
void sw_cookie_derive(const uint8_t master[SW_COOKIE_MASTER_LEN],
		uint64_t slot, struct sw_siphash_key *key);

/* Fill all SW_COOKIE_SLOTS keys for `slot` and the three before it. */
void sw_cookie_keys_fill(const uint8_t master[SW_COOKIE_MASTER_LEN],
		uint64_t slot, struct sw_cookie_keys *k);

/*
 * Read a master secret: 64 hex digits (whitespace around them ignored).
 * Refused (-EPERM) when group or others may read the file. Returns 0 or
 * negative errno with a reason in err.
 */
int sw_cookie_master_load(const char *path,
		uint8_t master[SW_COOKIE_MASTER_LEN], char *err, size_t err_len);

/* A random master secret (libsodium's randombytes). */
void sw_cookie_master_random(uint8_t master[SW_COOKIE_MASTER_LEN]);

#endif /* SW_COOKIE_H */
