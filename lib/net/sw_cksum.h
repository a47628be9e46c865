/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum helpers (RFC 1071, RFC 1624). EAL-free, libc only.
 *
 * Values: every checksum and field value passed to or returned by these
 * functions is the host-order number of the big-endian 16/32-bit field on
 * the wire (what a big-endian load of the field gives). Results are the
 * same on any host byte order; write them back with sw_cksum_wr16().
 *
 * Where each is meant to be used:
 *  - Receive path, when the NIC did not check them (no
 *    RTE_MBUF_F_RX_IP_CKSUM_GOOD / RTE_MBUF_F_RX_L4_CKSUM_GOOD):
 *    sw_pkt_ipv4_cksum_verify(), sw_pkt_l4_cksum_verify().
 *  - A SYN rewritten in place into a SYN-ACK (addresses and ports swapped,
 *    seq/ack/flags/window set, options rewritten, lengths may change): fix
 *    the IPv4 total length / IPv6 payload length and the struct sw_pkt
 *    offsets, then sw_pkt_cksum_set(). A full sum of a ~60..80 byte frame
 *    costs about as much as tracking each change, and cannot go stale.
 *  - Relay of an established flow (seq/ack, SACK edges, TSval/TSecr,
 *    window, NAT of an IPv4 address): sw_pkt_tcp_set16(), sw_pkt_tcp_set32(),
 *    sw_pkt_ipv4_set_addr(): RFC 1624 incremental updates, whose cost does
 *    not depend on the payload size.
 *  - Building blocks for anything else: sw_cksum_sum(), sw_cksum_fold(),
 *    sw_ipv4_phdr_sum(), sw_ipv6_phdr_sum(), sw_l4_cksum(),
 *    sw_cksum_update16(), sw_cksum_update32().
 *
 * Errors: functions named *_verify return 0 for a good checksum,
 * -EBADMSG for a bad one and -EINVAL when the packet has no such checksum
 * to check (not IPv4, not TCP/UDP, or a fragment).
 */
#ifndef SW_CKSUM_H
#define SW_CKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sw_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SW_TCP_CKSUM_OFF	16	/* checksum field offset in the TCP header */
#define SW_UDP_CKSUM_OFF	6
#define SW_IPV4_CKSUM_OFF	10

/* Big-endian 16/32-bit field access at any alignment. */
static inline uint16_t
sw_cksum_rd16(const void *field)
{
	const uint8_t *b = field;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
sw_cksum_rd32(const void *field)
{
	const uint8_t *b = field;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		(uint32_t)b[2] << 8 | b[3];
}

static inline void
sw_cksum_wr16(void *field, uint16_t v)
{
	uint8_t *b = field;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void
sw_cksum_wr32(void *field, uint32_t v)
{
	uint8_t *b = field;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}


/* Fold a running sum's carries back in: the 16-bit ones' complement sum. */
static inline uint16_t
sw_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The native 32-bit words of `len` bytes at `buf` (any alignment, any
 * length, an odd last byte padded), added into 64 bits and not folded:
 * for sums of several pieces that fold once (sw_cksum_fold64()). Every
 * piece but the last must have a length that is a multiple of 4.
 */
static inline uint64_t
sw_cksum_acc(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint64_t acc = 0, q;
	uint32_t d;
	uint16_t h;

	for (; len >= 8; b += 8, len -= 8) {
		memcpy(&q, b, 8);
		acc += (q & 0xffffffff) + (q >> 32);
	}
	if (len >= 4) {
		memcpy(&d, b, 4);
		acc += d;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		acc += h;
		b += 2;
		len -= 2;
	}
	if (len != 0)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		acc += b[0];
#else
		acc += (uint32_t)b[0] << 8;
#endif
	return acc;
}

/* An sw_cksum_acc() total folded to 16 bits (in native order). */
static inline uint16_t
sw_cksum_fold64(uint64_t acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return sw_cksum_fold((uint32_t)acc);
}

/*
 * Add `len` bytes at `buf` to the running ones' complement sum `sum`
 * (RFC 1071 §4.1), and return the new running sum, folded to 16 bits.
 * Chain calls to sum discontiguous pieces; every piece but the last must
 * have an even length (an odd one would shift the next piece by a byte).
 * `sum` may be any 32-bit value (e.g. several sums added together).
 * Inline: the headers it sums are short, and a call cost as much as
 * their bytes (about 30 cycles per call on the SYN path).
 */
static inline uint32_t
sw_cksum_sum(const void *buf, size_t len, uint32_t sum)
{
	/*
	 * RFC 1071 §2(B): the sum of native-order words is the byte-swap of
	 * the sum of big-endian words, so sum wide native loads
	 * (sw_cksum_acc) and swap once at the end.
	 */
	uint16_t h = sw_cksum_fold64(sw_cksum_acc(buf, len));
	uint64_t acc;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	h = (uint16_t)(h << 8 | h >> 8);
#endif
	acc = (uint64_t)h + sum;
	acc = (acc & 0xffffffff) + (acc >> 32);
	return sw_cksum_fold((uint32_t)acc);
}

/* The checksum for a running sum: its ones' complement. */
static inline uint16_t
sw_cksum_finish(uint32_t sum)
{
	return (uint16_t)~sw_cksum_fold(sum);
}

/* RFC 1071 Internet checksum of a buffer (e.g. ICMP, whole headers). */
static inline uint16_t
sw_cksum(const void *buf, size_t len)
{
	return sw_cksum_finish(sw_cksum_sum(buf, len, 0));
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after a 16-bit
 * field at an even offset of the summed data changes from `old` to
 * `new_v`. Unlike eqn. 2 it never yields 0xffff for a checksum that a full
 * computation gives as 0x0000 (RFC 1624 §3).
 */
static inline uint16_t
sw_cksum_update16(uint16_t cksum, uint16_t old, uint16_t new_v)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~old;
	sum += new_v;
	return sw_cksum_finish(sum);
}

/* The same for a 32-bit field (an address, a sequence number, TSval). */
static inline uint16_t
sw_cksum_update32(uint16_t cksum, uint32_t old, uint32_t new_v)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~(old >> 16);
	sum += (uint16_t)~old;
	sum += new_v >> 16;
	sum += new_v & 0xffff;
	return sw_cksum_finish(sum);
}

/*
 * A field at an odd offset from the start of the summed data (a TCP
 * option after a single NOP, payload bytes) straddles 16-bit words: its
 * bytes enter the sum swapped (RFC 1071 §2(B)). Pass old and new values
 * through these before sw_cksum_update16/32.
 */
static inline uint16_t
sw_cksum_odd16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

static inline uint32_t
sw_cksum_odd32(uint32_t v)
{
	return (v & 0x00ff00ffu) << 8 | (v >> 8 & 0x00ff00ffu);
}

/*
 * IPv4 header checksum (RFC 791 §3.1) of the `hlen`-byte header at `ip`,
 * computed as if its checksum field were zero: the value to store.
 */
uint16_t sw_ipv4_hdr_cksum(const void *ip, size_t hlen);

/* 0 if the header's checksum is right, -EBADMSG otherwise. */
int sw_ipv4_hdr_cksum_verify(const void *ip, size_t hlen);

/* Compute and store the header checksum. */
void sw_ipv4_hdr_cksum_set(void *ip, size_t hlen);

/*
 * Pseudo-header running sums for TCP/UDP checksums: RFC 9293 §3.1 / RFC 768
 * (IPv4: source, destination, protocol, L4 length) and RFC 8200 §8.1 (IPv6:
 * source, destination, upper-layer length, next header). The addresses are
 * read from the fixed IP header at `ip`. With an IPv6 routing header whose
 * segments left is not 0 the real destination is the routing header's last
 * address: sum it with sw_cksum_sum() yourself.
 */
static inline uint32_t
sw_ipv4_phdr_sum(const void *ip, uint8_t proto, uint32_t l4_len)
{
	return sw_cksum_sum((const uint8_t *)ip + 12, 8,
			(uint32_t)proto + (l4_len & 0xffff));
}

static inline uint32_t
sw_ipv6_phdr_sum(const void *ip6, uint8_t proto, uint32_t l4_len)
{
	return sw_cksum_sum((const uint8_t *)ip6 + 8, 32,
			(uint32_t)proto + (l4_len >> 16) + (l4_len & 0xffff));
}

/*
 * TCP or UDP checksum (by `proto`, 6 or 17) of the `l4_len` bytes at `l4`
 * (header and payload) plus the pseudo-header sum `phdr`, computed as if
 * the checksum field were zero: the value to store. For UDP a computed 0 is
 * sent as 0xffff (RFC 768: 0 means "no checksum").
 */
uint16_t sw_l4_cksum(uint32_t phdr, const void *l4, uint32_t l4_len,
		uint8_t proto);

/* 0 if the sum over pseudo-header and segment checks out, else -EBADMSG. */
int sw_l4_cksum_verify(uint32_t phdr, const void *l4, uint32_t l4_len);

/*
 * Frame-level helpers: `frame` and `p` as given to / filled by sw_parse().
 */

/*
 * Both checksums of a parsed TCP segment over IPv4 or IPv6 (not a
 * fragment) in one pass, the addresses summed once for the IPv4 header
 * and the pseudo-header: SW_CKSUM_IP_BAD and/or SW_CKSUM_L4_BAD, 0 when
 * both are right. What sw_pkt_ipv4_cksum_verify() and
 * sw_pkt_l4_cksum_verify() find, at a fraction of the cost.
 */
#define SW_CKSUM_IP_BAD	1u
#define SW_CKSUM_L4_BAD	2u
unsigned int sw_pkt_tcp_cksums_verify(const uint8_t *frame,
		const struct sw_pkt *p);

/* IPv4 header checksum; -EINVAL if not IPv4. */
int sw_pkt_ipv4_cksum_verify(const uint8_t *frame, const struct sw_pkt *p);

/*
 * TCP or UDP checksum over l4_off..ip_end. -EINVAL if neither was parsed
 * or the packet is a fragment (the sum covers the reassembled segment).
 * UDP over IPv4 with checksum 0 is accepted (RFC 768: none sent); over
 * IPv6 it is refused (RFC 8200 §8.1).
 */
int sw_pkt_l4_cksum_verify(const uint8_t *frame, const struct sw_pkt *p);

/*
 * Recompute and store the IPv4 header checksum (IPv4) and the TCP/UDP
 * checksum (when SW_PKT_F_TCP or SW_PKT_F_UDP, not a fragment), after an
 * in-place rewrite: `p` must describe the rewritten frame (l3_off,
 * ip_hdr_len, l4_off, ip_end). Returns 0, or -EINVAL if nothing was set.
 */
int sw_pkt_cksum_set(uint8_t *frame, const struct sw_pkt *p);

/*
 * Write a 16/32-bit field at frame offset `off` (inside the TCP segment of
 * a parsed, unfragmented TCP packet: header, option or payload) and update
 * the TCP checksum incrementally (RFC 1624 eqn. 3). Any offset parity.
 */
static inline void
sw_pkt_tcp_set16(uint8_t *frame, const struct sw_pkt *p, uint32_t off,
		uint16_t v)
{
	uint8_t *ck = frame + p->l4_off + SW_TCP_CKSUM_OFF;
	uint16_t old = sw_cksum_rd16(frame + off);

	if ((off - p->l4_off) & 1)
		sw_cksum_wr16(ck, sw_cksum_update16(sw_cksum_rd16(ck),
				sw_cksum_odd16(old), sw_cksum_odd16(v)));
	else
		sw_cksum_wr16(ck, sw_cksum_update16(sw_cksum_rd16(ck), old,
				v));
	sw_cksum_wr16(frame + off, v);
}

static inline void
sw_pkt_tcp_set32(uint8_t *frame, const struct sw_pkt *p, uint32_t off,
		uint32_t v)
{
	uint8_t *ck = frame + p->l4_off + SW_TCP_CKSUM_OFF;
	uint32_t old = sw_cksum_rd32(frame + off);

	if ((off - p->l4_off) & 1)
		sw_cksum_wr16(ck, sw_cksum_update32(sw_cksum_rd16(ck),
				sw_cksum_odd32(old), sw_cksum_odd32(v)));
	else
		sw_cksum_wr16(ck, sw_cksum_update32(sw_cksum_rd16(ck), old,
				v));
	sw_cksum_wr32(frame + off, v);
}

/*
 * Several fields of one segment rewritten, the TCP checksum updated once
 * (RFC 1624 eqn. 3 summed over the fields: ~m + m' of each, added to ~HC
 * at the end). Each sw_pkt_tcp_put16/32 writes the field and returns the
 * running sum of its changes; sw_pkt_tcp_cksum_apply() folds them into
 * the checksum. `old` is the field's current value, as the parse read it
 * (no read of the frame). Up to 64 fields per sum (no overflow).
 */
static inline uint32_t
sw_pkt_tcp_put32(uint8_t *frame, const struct sw_pkt *p, uint32_t off,
		uint32_t old, uint32_t v, uint32_t acc)
{
	uint32_t o = old, n = v;

	if ((off - p->l4_off) & 1) {
		o = sw_cksum_odd32(old);
		n = sw_cksum_odd32(v);
	}
	acc += (uint16_t)~(o >> 16);
	acc += (uint16_t)~o;
	acc += n >> 16;
	acc += n & 0xffff;
	sw_cksum_wr32(frame + off, v);
	return acc;
}

static inline uint32_t
sw_pkt_tcp_put16(uint8_t *frame, const struct sw_pkt *p, uint32_t off,
		uint16_t old, uint16_t v, uint32_t acc)
{
	uint16_t o = old, n = v;

	if ((off - p->l4_off) & 1) {
		o = sw_cksum_odd16(old);
		n = sw_cksum_odd16(v);
	}
	acc += (uint16_t)~o;
	acc += n;
	sw_cksum_wr16(frame + off, v);
	return acc;
}

static inline void
sw_pkt_tcp_cksum_apply(uint8_t *frame, const struct sw_pkt *p, uint32_t acc)
{
	uint8_t *ck = frame + p->l4_off + SW_TCP_CKSUM_OFF;

	sw_cksum_wr16(ck, sw_cksum_finish((uint16_t)~sw_cksum_rd16(ck) + acc));
}

/*
 * Replace the IPv4 source (dst == 0) or destination address of a parsed
 * IPv4 packet, updating the header checksum and, because the address is in
 * the pseudo-header, the TCP/UDP checksum when there is one in this
 * packet (not for non-first fragments; a UDP checksum of 0 stays 0).
 */
void sw_pkt_ipv4_set_addr(uint8_t *frame, const struct sw_pkt *p, int dst,
		uint32_t addr);

#ifdef __cplusplus
}
#endif

#endif /* SW_CKSUM_H */
