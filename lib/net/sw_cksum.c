/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum: the summing loop and the frame-level helpers. The
 * small per-field helpers are inline in sw_cksum.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "sw_cksum.h"

#ifndef __BYTE_ORDER__
#error "sw_cksum.c needs __BYTE_ORDER__ (GCC or clang) to sum native words"
#endif

#define SW_PROTO_TCP	6
#define SW_PROTO_UDP	17

uint16_t
sw_ipv4_hdr_cksum(const void *ip, size_t hlen)
{
	const uint8_t *b = ip;
	uint32_t sum = sw_cksum_sum(ip, hlen, 0);

	/* Adding ~field cancels the field: sum as if it were zero. */
	sum += (uint16_t)~sw_cksum_rd16(b + SW_IPV4_CKSUM_OFF);
	return sw_cksum_finish(sum);
}

int
sw_ipv4_hdr_cksum_verify(const void *ip, size_t hlen)
{
	/* RFC 1071 §1: the sum over data and checksum is all ones. */
	return sw_cksum_fold(sw_cksum_sum(ip, hlen, 0)) == 0xffff ?
		0 : -EBADMSG;
}

void
sw_ipv4_hdr_cksum_set(void *ip, size_t hlen)
{
	uint8_t *b = ip;

	sw_cksum_wr16(b + SW_IPV4_CKSUM_OFF, sw_ipv4_hdr_cksum(ip, hlen));
}

uint16_t
sw_l4_cksum(uint32_t phdr, const void *l4, uint32_t l4_len, uint8_t proto)
{
	const uint8_t *b = l4;
	uint32_t off = proto == SW_PROTO_UDP ?
		SW_UDP_CKSUM_OFF : SW_TCP_CKSUM_OFF;
	uint32_t sum = sw_cksum_sum(l4, l4_len, phdr);
	uint16_t ck;

	sum += (uint16_t)~sw_cksum_rd16(b + off);
	ck = sw_cksum_finish(sum);
	if (proto == SW_PROTO_UDP && ck == 0)
		ck = 0xffff;
	return ck;
}

int
sw_l4_cksum_verify(uint32_t phdr, const void *l4, uint32_t l4_len)
{
	return sw_cksum_fold(sw_cksum_sum(l4, l4_len, phdr)) == 0xffff ?
		0 : -EBADMSG;
}

int
sw_pkt_ipv4_cksum_verify(const uint8_t *frame, const struct sw_pkt *p)
{
	if (p->l3 != SW_L3_IPV4)
		return -EINVAL;
	return sw_ipv4_hdr_cksum_verify(frame + p->l3_off, p->ip_hdr_len);
}

/* Pseudo-header sum of a parsed TCP/UDP packet. */
static uint32_t
sw_pkt_phdr_sum(const uint8_t *frame, const struct sw_pkt *p, uint8_t proto)
{
	uint32_t l4_len = (uint32_t)p->ip_end - p->l4_off;

	if (p->l3 == SW_L3_IPV4)
		return sw_ipv4_phdr_sum(frame + p->l3_off, proto, l4_len);
	return sw_ipv6_phdr_sum(frame + p->l3_off, proto, l4_len);
}

unsigned int
sw_pkt_tcp_cksums_verify(const uint8_t *frame, const struct sw_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;
	const uint32_t l4_len = (uint32_t)p->ip_end - p->l4_off;
	uint64_t addrs, l4;
	unsigned int bad = 0;

	if (p->l3 == SW_L3_IPV4) {
		addrs = sw_cksum_acc(ip + 12, 8);
		/* The rest of the header: its first 12 bytes, options. */
		if (sw_cksum_fold64(addrs + sw_cksum_acc(ip, 12) +
				sw_cksum_acc(ip + 20, p->ip_hdr_len - 20u)) !=
				0xffff)
			bad = SW_CKSUM_IP_BAD;
		/* Pseudo-header: zero, protocol, length as one word. */
		l4 = addrs + htonl(SW_PROTO_TCP << 16 | l4_len);
	} else {
		addrs = sw_cksum_acc(ip + 8, 32);
		l4 = addrs + htonl(l4_len) + htonl(SW_PROTO_TCP);
	}
	l4 += sw_cksum_acc(frame + p->l4_off, l4_len);
	if (sw_cksum_fold64(l4) != 0xffff)
		bad |= SW_CKSUM_L4_BAD;
	return bad;
}

int
sw_pkt_l4_cksum_verify(const uint8_t *frame, const struct sw_pkt *p)
{
	const uint8_t *l4 = frame + p->l4_off;
	uint8_t proto;

	if (!(p->flags & (SW_PKT_F_TCP | SW_PKT_F_UDP)) ||
			(p->flags & SW_PKT_F_FRAG))
		return -EINVAL;
	proto = (p->flags & SW_PKT_F_TCP) ? SW_PROTO_TCP : SW_PROTO_UDP;
	if (proto == SW_PROTO_UDP &&
			sw_cksum_rd16(l4 + SW_UDP_CKSUM_OFF) == 0)
		return p->l3 == SW_L3_IPV4 ? 0 : -EBADMSG;
	return sw_l4_cksum_verify(sw_pkt_phdr_sum(frame, p, proto), l4,
			(uint32_t)p->ip_end - p->l4_off);
}

int
sw_pkt_cksum_set(uint8_t *frame, const struct sw_pkt *p)
{
	int ret = -EINVAL;
	uint8_t proto;

	if (p->l3 == SW_L3_IPV4) {
		sw_ipv4_hdr_cksum_set(frame + p->l3_off, p->ip_hdr_len);
		ret = 0;
	}
	if ((p->flags & (SW_PKT_F_TCP | SW_PKT_F_UDP)) &&
			!(p->flags & SW_PKT_F_FRAG)) {
		uint8_t *l4 = frame + p->l4_off;
		uint32_t l4_len = (uint32_t)p->ip_end - p->l4_off;

		if (p->flags & SW_PKT_F_TCP) {
			proto = SW_PROTO_TCP;
			l4 += SW_TCP_CKSUM_OFF;
		} else {
			proto = SW_PROTO_UDP;
			l4 += SW_UDP_CKSUM_OFF;
		}
		sw_cksum_wr16(l4, sw_l4_cksum(sw_pkt_phdr_sum(frame, p, proto),
				frame + p->l4_off, l4_len, proto));
		ret = 0;
	}
	return ret;
}

void
sw_pkt_ipv4_set_addr(uint8_t *frame, const struct sw_pkt *p, int dst,
		uint32_t addr)
{
	uint8_t *ip = frame + p->l3_off;
	uint8_t *field = ip + (dst ? 16 : 12);
	uint8_t *ck = ip + SW_IPV4_CKSUM_OFF;
	uint32_t old = sw_cksum_rd32(field);
	uint16_t c;

	sw_cksum_wr16(ck, sw_cksum_update32(sw_cksum_rd16(ck), old, addr));
	if (p->flags & SW_PKT_F_TCP) {
		ck = frame + p->l4_off + SW_TCP_CKSUM_OFF;
		sw_cksum_wr16(ck, sw_cksum_update32(sw_cksum_rd16(ck), old,
				addr));
	} else if (p->flags & SW_PKT_F_UDP) {
		ck = frame + p->l4_off + SW_UDP_CKSUM_OFF;
		c = sw_cksum_rd16(ck);
		/* RFC 768: 0 is "no checksum", and a computed 0 is sent as ~0. */
		if (c != 0) {
			c = sw_cksum_update32(c, old, addr);
			sw_cksum_wr16(ck, c == 0 ? 0xffff : c);
		}
	}
	sw_cksum_wr32(field, addr);
}
