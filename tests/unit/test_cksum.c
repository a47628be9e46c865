/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksum helpers against RFC 1071 / RFC 1624 examples, a byte-by-byte
 * reference sum, scapy's checksums in the vectors, one-bit corruption, and
 * incremental updates against full recomputation.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_cksum.h"
#include "sw_parse.h"

#include "sw_test.h"
#include "vectors.h"

#define BUF_MAX	2048

/* Copy a vector into `buf` and parse it; the test fails if it does not. */
static int
load(const struct sw_vec *v, uint8_t *buf, struct sw_pkt *p)
{
	memcpy(buf, v->frame, v->len);
	if (sw_parse(p, buf, v->len) != SW_PARSE_OK) {
		SW_CHECKF(0, "%s does not parse", v->name);
		return -1;
	}
	return 0;
}

/* Textbook RFC 1071 §4.1: big-endian byte pairs, carries folded at the end. */
static uint16_t
ref_sum(const uint8_t *b, size_t len)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Same value in ones' complement (0x0000 and 0xffff are both zero). */
static int
oc_equal(uint16_t a, uint16_t b)
{
	return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

static uint32_t
phdr_of(const uint8_t *f, const struct sw_pkt *p)
{
	uint32_t l4_len = (uint32_t)p->ip_end - p->l4_off;

	if (p->l3 == SW_L3_IPV4)
		return sw_ipv4_phdr_sum(f + p->l3_off, p->l4_proto, l4_len);
	return sw_ipv6_phdr_sum(f + p->l3_off, p->l4_proto, l4_len);
}

static uint32_t
ck_off(const struct sw_pkt *p)
{
	return p->l4_off + ((p->flags & SW_PKT_F_TCP) ?
		SW_TCP_CKSUM_OFF : SW_UDP_CKSUM_OFF);
}

/* RFC 1071 §3 numerical example. */
static void
test_rfc1071_example(void)
{
	static const uint8_t b[] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
	};

	SW_CHECK_EQ(sw_cksum_fold(sw_cksum_sum(b, sizeof(b), 0)), 0xddf2);
	SW_CHECK_EQ(sw_cksum(b, sizeof(b)), 0x220d);
	/* Chained over even pieces, with a non-zero start. */
	SW_CHECK_EQ(sw_cksum_fold(sw_cksum_sum(b + 2, 6,
		sw_cksum_sum(b, 2, 0))), 0xddf2);
	SW_CHECK_EQ(sw_cksum_fold(sw_cksum_sum(b, 0, 0x1ddf1)), 0xddf2);
	SW_CHECK_EQ(sw_cksum(b, 0), 0xffff);
}

/*
 * RFC 1624 §4: m = 0x5555 -> 0x3285 with the rest summing to 0xcd7a; the
 * right answer is 0x0000, which eqn. 2 would get wrong as 0xffff.
 */
static void
test_rfc1624_example(void)
{
	SW_CHECK_EQ(sw_cksum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
	SW_CHECK_EQ(sw_cksum_update16(0x0000, 0x3285, 0x5555), 0xdd2f);
	SW_CHECK_EQ(sw_cksum_update32(0xdd2f, 0x00005555, 0x00003285),
		0x0000);
	SW_CHECK_EQ(sw_cksum_update32(0xdd2f, 0x55550000, 0x32850000),
		0x0000);
	/* 0x0000 and 0xffff are the same number: no change to the sum. */
	SW_CHECK_EQ(sw_cksum_update16(0x1234, 0x0000, 0xffff), 0x1234);
	SW_CHECK_EQ(sw_cksum_update16(0x1234, 0xffff, 0x0000), 0x1234);
	SW_CHECK_EQ(sw_cksum_odd16(0x1234), 0x3412);
	SW_CHECK_EQ(sw_cksum_odd32(0x11223344), 0x22114433);
}

/* The wide native-order loop equals the byte-pair reference everywhere. */
static void
test_sum_vs_reference(void)
{
	static uint8_t buf[BUF_MAX + 8];
	uint64_t seed = 42;
	int round;

	for (round = 0; round < 20000; round++) {
		uint64_t r = sw_test_rand(&seed);
		size_t len = (size_t)(r % (round < 1000 ? 80 : BUF_MAX));
		size_t shift = (size_t)(r >> 20) % 8, i, cut;
		uint32_t start = (uint32_t)(r >> 32);
		uint16_t want;

		for (i = 0; i < len; i++) {
			r = sw_test_rand(&seed);
			/* Mostly 0xff bytes in some rounds: carry stress. */
			buf[shift + i] = (round & 3) == 0 ? 0xff : (uint8_t)r;
		}
		want = ref_sum(buf + shift, len);
		SW_CHECKF(oc_equal(sw_cksum_fold(sw_cksum_sum(buf + shift,
			len, 0)), want), "len %zu shift %zu", len, shift);
		cut = (len / 2) & ~(size_t)1;
		SW_CHECKF(oc_equal(sw_cksum_fold(sw_cksum_sum(buf + shift +
			cut, len - cut, sw_cksum_sum(buf + shift, cut, 0))),
			want), "len %zu cut %zu", len, cut);
		SW_CHECKF(oc_equal(sw_cksum_fold(sw_cksum_sum(buf + shift,
			len, start)), sw_cksum_fold((uint32_t)want +
			sw_cksum_fold(start))), "start 0x%x", start);
	}
}

/* IPv4 header checksums: scapy's value, verify, every one-bit flip caught. */
static void
test_vectors_ipv4_hdr(void)
{
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	unsigned int n = 0, bit;
	size_t i;

	for (i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];
		uint8_t *ip;

		if (!v->has_ip_cksum)
			continue;
		sw_test_ctx = v->name;
		if (load(v, buf, &p) != 0)
			continue;
		n++;
		ip = buf + p.l3_off;
		SW_CHECK_EQ(sw_ipv4_hdr_cksum(ip, p.ip_hdr_len), v->ip_cksum);
		SW_CHECK_EQ(sw_cksum_rd16(ip + SW_IPV4_CKSUM_OFF), v->ip_cksum);
		SW_CHECK(sw_ipv4_hdr_cksum_verify(ip, p.ip_hdr_len) == 0);
		SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &p) == 0);
		for (bit = 0; bit < p.ip_hdr_len * 8u; bit++) {
			ip[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			SW_CHECKF(sw_pkt_ipv4_cksum_verify(buf, &p) == -EBADMSG,
				"bit %u", bit);
			ip[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		sw_cksum_wr16(ip + SW_IPV4_CKSUM_OFF, 0);
		sw_ipv4_hdr_cksum_set(ip, p.ip_hdr_len);
		SW_CHECK(memcmp(buf, v->frame, v->len) == 0);
	}
	sw_test_ctx = "";
	SW_CHECK(n >= 20);
}

/*
 * TCP/UDP checksums over both pseudo-headers: scapy's value, verify, every
 * one-bit flip in the segment and the addresses caught, set() restores.
 */
static void
test_vectors_l4(void)
{
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	unsigned int n4 = 0, n6 = 0, bit, nbits;
	size_t i;

	for (i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];
		uint32_t addr_off, l4_len;

		if (!v->has_l4_cksum)
			continue;
		sw_test_ctx = v->name;
		if (load(v, buf, &p) != 0)
			continue;
		if (p.l3 == SW_L3_IPV4)
			n4++;
		else
			n6++;
		l4_len = (uint32_t)p.ip_end - p.l4_off;
		SW_CHECK_EQ(sw_l4_cksum(phdr_of(buf, &p), buf + p.l4_off,
			l4_len, p.l4_proto), v->l4_cksum);
		SW_CHECK(sw_l4_cksum_verify(phdr_of(buf, &p), buf + p.l4_off,
			l4_len) == 0);
		SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == 0);

		/* Addresses (pseudo-header) then the whole segment. */
		addr_off = p.l3_off + (p.l3 == SW_L3_IPV4 ? 12 : 8);
		nbits = (p.l3 == SW_L3_IPV4 ? 8 : 32) * 8;
		for (bit = 0; bit < nbits + l4_len * 8; bit++) {
			uint32_t at = bit < nbits ? addr_off + bit / 8 :
				p.l4_off + (bit - nbits) / 8;
			uint8_t mask = (uint8_t)(1u << (bit % 8));

			buf[at] ^= mask;
			/* UDP/IPv4 checksum flipped to 0 reads "none sent". */
			if (!((p.flags & SW_PKT_F_UDP) &&
					p.l3 == SW_L3_IPV4 &&
					sw_cksum_rd16(buf + ck_off(&p)) == 0))
				SW_CHECKF(sw_pkt_l4_cksum_verify(buf, &p) ==
					-EBADMSG, "bit %u", bit);
			buf[at] ^= mask;
		}
		memset(buf + ck_off(&p), 0x5a, 2);
		if (p.l3 == SW_L3_IPV4)
			memset(buf + p.l3_off + SW_IPV4_CKSUM_OFF, 0x5a, 2);
		SW_CHECK(sw_pkt_cksum_set(buf, &p) == 0);
		SW_CHECK(memcmp(buf, v->frame, v->len) == 0);
	}
	sw_test_ctx = "";
	SW_CHECK(n4 >= 10 && n6 >= 4);
}

/* Checksums the helpers must decline rather than get wrong. */
static void
test_not_applicable(void)
{
	static const char * const l4_none[] = {
		"ipv4_frag_first", "ipv4_frag_later", "ipv6_frag_first",
		"ipv6_frag_later", "arp", "icmp4", "ipv6_nonext",
	};
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	size_t i;

	for (i = 0; i < sizeof(l4_none) / sizeof(l4_none[0]); i++) {
		sw_test_ctx = l4_none[i];
		if (load(sw_vec_by_name(l4_none[i]), buf, &p) == 0)
			SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == -EINVAL);
	}
	sw_test_ctx = "arp";
	if (load(sw_vec_by_name("arp"), buf, &p) == 0) {
		SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &p) == -EINVAL);
		SW_CHECK(sw_pkt_cksum_set(buf, &p) == -EINVAL);
	}
	sw_test_ctx = "ipv6_syn_linux";
	if (load(sw_vec_by_name("ipv6_syn_linux"), buf, &p) == 0)
		SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &p) == -EINVAL);
	/* A first fragment still gets its IPv4 header summed. */
	sw_test_ctx = "ipv4_frag_first";
	if (load(sw_vec_by_name("ipv4_frag_first"), buf, &p) == 0) {
		SW_CHECK(sw_pkt_cksum_set(buf, &p) == 0);
		SW_CHECK(memcmp(buf, sw_vec_by_name("ipv4_frag_first")->frame,
			p.len) == 0);
	}
}

/* RFC 768 / RFC 8200 §8.1: UDP checksum 0 is "none" on IPv4 only. */
static void
test_udp_zero(void)
{
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	uint32_t ck, pl;
	uint16_t s_rest, word;

	sw_test_ctx = "udp4_dns";
	if (load(sw_vec_by_name("udp4_dns"), buf, &p) != 0)
		return;
	ck = ck_off(&p);
	sw_cksum_wr16(buf + ck, 0);
	SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == 0);
	/* NAT of a checksum-less datagram must leave it checksum-less. */
	sw_pkt_ipv4_set_addr(buf, &p, 1, 0xcb007101);
	SW_CHECK_EQ(sw_cksum_rd16(buf + ck), 0);
	SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &p) == 0);

	/*
	 * Choose the first payload word so that the data sums to 0xffff: the
	 * computed checksum is 0, which UDP must send as 0xffff.
	 */
	pl = p.payload_off;
	sw_cksum_wr16(buf + pl, 0);
	s_rest = sw_cksum_fold(sw_cksum_sum(buf + p.l4_off, p.ip_end -
		p.l4_off, phdr_of(buf, &p)));
	word = (uint16_t)~s_rest;
	sw_cksum_wr16(buf + pl, word);
	SW_CHECK_EQ(sw_l4_cksum(phdr_of(buf, &p), buf + p.l4_off,
		p.ip_end - p.l4_off, 17), 0xffff);
	SW_CHECK(sw_pkt_cksum_set(buf, &p) == 0);
	SW_CHECK_EQ(sw_cksum_rd16(buf + ck), 0xffff);
	SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == 0);

	sw_test_ctx = "udp6";
	if (load(sw_vec_by_name("udp6"), buf, &p) != 0)
		return;
	SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == 0);
	sw_cksum_wr16(buf + ck_off(&p), 0);
	SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == -EBADMSG);
}

/*
 * NAT of a UDP/IPv4 datagram with a checksum: the incremental update must
 * equal a full recomputation, including a result of 0 sent as 0xffff.
 */
static void
test_udp_nat(void)
{
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	uint64_t seed = 768;
	unsigned int n_ffff = 0;
	int round;

	sw_test_ctx = "udp4_dns";
	if (load(sw_vec_by_name("udp4_dns"), buf, &p) != 0)
		return;
	for (round = 0; round < 5000; round++) {
		uint64_t r = sw_test_rand(&seed);
		int dst = (int)(r & 1);
		uint32_t off = p.l3_off + (dst ? 16 : 12);
		uint32_t addr = (uint32_t)(r >> 16);
		uint16_t stored, full;

		if ((r & 6) == 0) {
			/* Low half chosen so the data sums to 0xffff. */
			uint32_t rest = (uint16_t)~sw_cksum_rd16(buf +
				ck_off(&p));

			rest += (uint16_t)~sw_cksum_rd16(buf + off + 2);
			rest += (uint16_t)~sw_cksum_rd16(buf + off);
			rest += addr >> 16;
			addr = (addr & 0xffff0000u) |
				(uint16_t)~sw_cksum_fold(rest);
		}
		sw_pkt_ipv4_set_addr(buf, &p, dst, addr);
		stored = sw_cksum_rd16(buf + ck_off(&p));
		full = sw_l4_cksum(phdr_of(buf, &p), buf + p.l4_off,
			(uint32_t)p.ip_end - p.l4_off, 17);
		n_ffff += stored == 0xffff;
		SW_CHECKF(stored == full, "round %d: 0x%04x vs 0x%04x", round,
			stored, full);
		SW_CHECK(stored != 0);
		SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == 0);
		SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &p) == 0);
	}
	SW_CHECK(n_ffff > 100);
}

/* Full checks after an incremental change: stored == recomputed, verify. */
static void
check_full(const uint8_t *buf, const struct sw_pkt *p, const char *what,
		int round)
{
	uint16_t stored = sw_cksum_rd16(buf + ck_off(p));
	uint16_t full = sw_l4_cksum(phdr_of(buf, p), buf + p->l4_off,
		(uint32_t)p->ip_end - p->l4_off, p->l4_proto);

	SW_CHECKF(stored == full, "%s round %d: incremental 0x%04x full 0x%04x",
		what, round, stored, full);
	SW_CHECKF(sw_pkt_l4_cksum_verify(buf, p) == 0, "%s round %d", what,
		round);
	if (p->l3 != SW_L3_IPV4)
		return;
	stored = sw_cksum_rd16(buf + p->l3_off + SW_IPV4_CKSUM_OFF);
	full = sw_ipv4_hdr_cksum(buf + p->l3_off, p->ip_hdr_len);
	SW_CHECKF(stored == full, "%s round %d: ip incremental 0x%04x full "
		"0x%04x", what, round, stored, full);
}

/*
 * The 16-bit value that makes a TCP checksum come out 0x0000 when written
 * at frame offset `off` (even distance from l4_off): the data then sums
 * to 0xffff. The edge where RFC 1624 eqn. 2 goes wrong.
 */
static uint16_t
value_for_zero(const uint8_t *buf, const struct sw_pkt *p, uint32_t off)
{
	uint16_t hc = sw_cksum_rd16(buf + ck_off(p));
	uint16_t m = sw_cksum_rd16(buf + off);
	uint32_t rest = (uint16_t)~hc;

	rest += (uint16_t)~m;
	return (uint16_t)~sw_cksum_fold(rest);
}

static uint32_t
pick32(uint64_t r, uint32_t old)
{
	switch (r & 7) {
	case 0:
		return 0;
	case 1:
		return 0xffffffffu;
	case 2:
		return old;
	case 3:
		return old ^ 0xffff0000u;	/* ~high half: same sum + carry */
	default:
		return (uint32_t)(r >> 16);
	}
}

/*
 * Thousands of random field changes through the incremental helpers
 * (sw_pkt_tcp_set16/32 at even and odd offsets, sw_pkt_ipv4_set_addr,
 * sw_cksum_update16/32 on IPv6 addresses and IPv4 id/TTL), each followed by
 * a full recomputation that must give the same bits, including 0x0000.
 */
static void
test_incremental_random(void)
{
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	uint64_t seed = 0x1624;
	unsigned int hit_zero = 0, odd = 0, n_vec = 0;
	size_t i;
	int round;

	for (i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];

		if (!v->has_l4_cksum || v->exp.l4_proto != 6)
			continue;
		sw_test_ctx = v->name;
		if (load(v, buf, &p) != 0)
			continue;
		n_vec++;
		for (round = 0; round < 3000; round++) {
			uint64_t r = sw_test_rand(&seed);
			uint32_t seg = (uint32_t)p.ip_end - p.l4_off, off, o32;
			uint16_t v16, o16;
			uint8_t *ck;
			const char *what;

			switch ((r >> 3) % 8) {
			case 0:	/* ports, window, urgent: 16-bit, even */
				off = p.l4_off + (uint32_t[]){ 0, 2, 14, 18 }
					[(r >> 8) & 3];
				v16 = (r & 7) == 2 ?
					value_for_zero(buf, &p, off) :
					(uint16_t)pick32(r, sw_cksum_rd16(
						buf + off));
				sw_pkt_tcp_set16(buf, &p, off, v16);
				what = "tcp16";
				break;
			case 1:	/* seq, ack */
				off = p.l4_off + ((r >> 8) & 1 ? 8 : 4);
				sw_pkt_tcp_set32(buf, &p, off, pick32(r,
					sw_cksum_rd32(buf + off)));
				what = "seq/ack";
				break;
			case 2:	/* TSval/TSecr (odd offset in ts_odd) */
				if (!(p.opt.present & SW_TCPOPT_F_TS))
					continue;
				off = p.opt.ts_off + ((r >> 8) & 1 ? 4 : 0);
				odd += (off - p.l4_off) & 1;
				sw_pkt_tcp_set32(buf, &p, off, pick32(r,
					sw_cksum_rd32(buf + off)));
				what = "ts";
				break;
			case 3:	/* any 16/32 bits of the segment past the
				 * checksum field, any parity */
				if (seg < 18 + 4)
					continue;
				off = p.l4_off + 18 +
					(uint32_t)((r >> 8) % (seg - 18 - 3));
				odd += (off - p.l4_off) & 1;
				if ((r >> 40) & 1)
					sw_pkt_tcp_set16(buf, &p, off,
						(uint16_t)pick32(r, 0));
				else
					sw_pkt_tcp_set32(buf, &p, off,
						pick32(r, sw_cksum_rd32(buf +
							off)));
				what = "segment";
				break;
			case 4:	/* addresses: pseudo-header (+ IPv4 hdr) */
				if (p.l3 == SW_L3_IPV4) {
					sw_pkt_ipv4_set_addr(buf, &p,
						(int)((r >> 8) & 1),
						pick32(r, 0xc0000201));
					what = "ipv4 addr";
					break;
				}
				off = p.l3_off + 8 + 4 * (uint32_t)((r >> 8) %
					8);
				ck = buf + ck_off(&p);
				o32 = sw_cksum_rd32(buf + off);
				sw_cksum_wr16(ck, sw_cksum_update32(
					sw_cksum_rd16(ck), o32,
					pick32(r, o32)));
				sw_cksum_wr32(buf + off, pick32(r, o32));
				what = "ipv6 addr";
				break;
			case 5:	/* IPv4 id or TTL|proto: header only */
				if (p.l3 != SW_L3_IPV4)
					continue;
				off = p.l3_off + ((r >> 8) & 1 ? 8 : 4);
				o16 = sw_cksum_rd16(buf + off);
				v16 = off - p.l3_off == 8 ?
					(uint16_t)((r >> 16 & 0xff00) |
						(o16 & 0xff)) :
					(uint16_t)pick32(r, o16);
				ck = buf + p.l3_off + SW_IPV4_CKSUM_OFF;
				sw_cksum_wr16(ck, sw_cksum_update16(
					sw_cksum_rd16(ck), o16, v16));
				sw_cksum_wr16(buf + off, v16);
				what = "ipv4 hdr";
				break;
			default:	/* force a 0x0000 checksum via the window */
				off = p.l4_off + 14;
				sw_pkt_tcp_set16(buf, &p, off,
					value_for_zero(buf, &p, off));
				SW_CHECK_EQ(sw_cksum_rd16(buf + ck_off(&p)), 0);
				what = "to zero";
				break;
			}
			hit_zero += sw_cksum_rd16(buf + ck_off(&p)) == 0;
			check_full(buf, &p, what, round);
		}
	}
	sw_test_ctx = "";
	SW_CHECK(n_vec >= 10);
	SW_CHECK(hit_zero > 100);
	SW_CHECK(odd > 100);
}

/*
 * The worker's job, both ways: turn the seed's SYN (A -> B, seq 10000) into
 * B's SYN-ACK in place and get scapy's SYN-ACK byte for byte, once through
 * incremental updates and once by rewriting and recomputing.
 */
static void
rewrite_synack(uint8_t *f, const struct sw_pkt *p, int incremental)
{
	uint8_t *ip = f + p->l3_off;
	uint8_t *ipck = ip + SW_IPV4_CKSUM_OFF;
	uint32_t a = sw_cksum_rd32(ip + 12), b = sw_cksum_rd32(ip + 16);
	uint16_t sport = p->src_port, dport = p->dst_port;

	if (incremental) {
		/* Swapping addresses or ports leaves every sum unchanged. */
		sw_pkt_ipv4_set_addr(f, p, 0, b);
		sw_pkt_ipv4_set_addr(f, p, 1, a);
		sw_pkt_tcp_set16(f, p, p->l4_off, dport);
		sw_pkt_tcp_set16(f, p, p->l4_off + 2, sport);
		sw_pkt_tcp_set32(f, p, p->l4_off + 4, 20000);
		sw_pkt_tcp_set32(f, p, p->l4_off + 8, p->seq + 1);
		sw_pkt_tcp_set16(f, p, p->l4_off + 12, (uint16_t)(
			(f[p->l4_off + 12] << 8) | SW_TCP_SYN | SW_TCP_ACK));
		sw_pkt_tcp_set16(f, p, p->l4_off + 14, 65535);
		/* scapy's defaults for B: id 1, no DF */
		sw_cksum_wr16(ipck, sw_cksum_update16(sw_cksum_rd16(ipck),
			sw_cksum_rd16(ip + 4), 1));
		sw_cksum_wr16(ip + 4, 1);
		sw_cksum_wr16(ipck, sw_cksum_update16(sw_cksum_rd16(ipck),
			sw_cksum_rd16(ip + 6), 0));
		sw_cksum_wr16(ip + 6, 0);
		return;
	}
	sw_cksum_wr32(ip + 12, b);
	sw_cksum_wr32(ip + 16, a);
	sw_cksum_wr16(ip + 4, 1);
	sw_cksum_wr16(ip + 6, 0);
	sw_cksum_wr16(f + p->l4_off, dport);
	sw_cksum_wr16(f + p->l4_off + 2, sport);
	sw_cksum_wr32(f + p->l4_off + 4, 20000);
	sw_cksum_wr32(f + p->l4_off + 8, p->seq + 1);
	f[p->l4_off + 13] = SW_TCP_SYN | SW_TCP_ACK;
	sw_cksum_wr16(f + p->l4_off + 14, 65535);
	SW_CHECK(sw_pkt_cksum_set(f, p) == 0);
}

static void
test_synack_in_place(void)
{
	const struct sw_vec *syn = sw_vec_by_name("hs_a_syn");
	const struct sw_vec *sa = sw_vec_by_name("hs_b_synack");
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	int inc;

	for (inc = 0; inc < 2; inc++) {
		sw_test_ctx = inc ? "incremental" : "recompute";
		if (load(syn, buf, &p) != 0)
			return;
		SW_CHECK_EQ(syn->len, sa->len);
		rewrite_synack(buf, &p, inc);
		SW_CHECK(memcmp(buf + p.l3_off, sa->frame + p.l3_off,
			sa->len - p.l3_off) == 0);
		SW_CHECK(sw_pkt_l4_cksum_verify(buf, &p) == 0);
		SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &p) == 0);
	}
}

/*
 * The one-pass check of both sums against the two verifies: every TCP
 * vector as it is, then with each bit of the whole frame flipped in
 * turn (header, addresses, options, payload, the sums themselves).
 */
static void
test_tcp_one_pass(void)
{
	uint8_t buf[BUF_MAX];
	struct sw_pkt p;
	unsigned int n = 0;

	for (size_t i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];

		if (v->err != SW_PARSE_OK || !v->has_l4_cksum)
			continue;
		sw_test_ctx = v->name;
		if (load(v, buf, &p) != 0 || !(p.flags & SW_PKT_F_TCP) ||
				(p.flags & SW_PKT_F_FRAG))
			continue;
		n++;
		for (uint32_t bit = 0; bit <= p.ip_end * 8u; bit++) {
			unsigned int want;

			if (bit < p.ip_end * 8u)
				buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			want = (p.l3 == SW_L3_IPV4 &&
				sw_pkt_ipv4_cksum_verify(buf, &p) != 0 ?
				SW_CKSUM_IP_BAD : 0u) |
				(sw_pkt_l4_cksum_verify(buf, &p) != 0 ?
				SW_CKSUM_L4_BAD : 0u);
			SW_CHECKF(sw_pkt_tcp_cksums_verify(buf, &p) == want,
				"bit %u", bit);
			if (bit < p.ip_end * 8u)
				buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		SW_CHECK(sw_pkt_tcp_cksums_verify(buf, &p) == 0);
	}
	sw_test_ctx = "";
	SW_CHECK(n >= 10);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "cksum_rfc1071_example", test_rfc1071_example },
		{ "cksum_rfc1624_example", test_rfc1624_example },
		{ "cksum_sum_matches_reference", test_sum_vs_reference },
		{ "cksum_ipv4_hdr_vectors", test_vectors_ipv4_hdr },
		{ "cksum_l4_vectors", test_vectors_l4 },
		{ "cksum_not_applicable", test_not_applicable },
		{ "cksum_udp_zero", test_udp_zero },
		{ "cksum_udp_nat_incremental", test_udp_nat },
		{ "cksum_incremental_eq_full", test_incremental_random },
		{ "cksum_synack_in_place", test_synack_in_place },
		{ "cksum_tcp_one_pass", test_tcp_one_pass },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
