/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Translation of ICMP errors that quote a translated TCP segment. The
 * inline helpers for the segments themselves are in sw_nat.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sw_nat.h"

#define ICMP_CKSUM_OFF	2	/* ICMPv4 and ICMPv6 alike */

/*
 * Write `len` (even) bytes `v` over `field`, a part of the ICMP message
 * that starts at `icmp`, and return the change as the ICMP checksum sees
 * it. A field at an odd offset from the message start straddles the
 * summed words, so its bytes enter the sum swapped (RFC 1071 §2(B)), the
 * rule sw_flow_icmp follows for the quoted sequence number. With the
 * quotes sw_parse_icmp_quote() finds every field here is at an even
 * offset (8-byte ICMP header, IHL * 4 or 40 bytes of IP header), but
 * the rule costs one test and keeps this right for any layout.
 */
static uint32_t
icmp_put(const uint8_t *icmp, uint8_t *field, const void *v, size_t len)
{
	uint16_t o = (uint16_t)sw_cksum_sum(field, len, 0);
	uint16_t n = (uint16_t)sw_cksum_sum(v, len, 0);

	if ((size_t)(field - icmp) & 1) {
		o = sw_cksum_odd16(o);
		n = sw_cksum_odd16(n);
	}
	memmove(field, v, len);
	return (uint32_t)(uint16_t)~o + n;
}

void
sw_nat_icmp(uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, bool outer_dst,
		const uint8_t *addr, uint16_t port_be)
{
	sw_nat_icmp_full(frame, p, q, outer_dst, addr, port_be, NULL, 0);
}

void
sw_nat_icmp_full(uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, bool outer_dst,
		const uint8_t *addr, uint16_t port_be, const uint8_t *peer,
		uint16_t peer_port_be)
{
	const bool v4 = p->l3 == SW_L3_IPV4;
	const size_t alen = v4 ? 4 : 16;
	uint8_t *ip = frame + p->l3_off;
	uint8_t *icmp = frame + p->l4_off;
	uint8_t *qip = frame + q->ip_off;
	uint8_t *ck = icmp + ICMP_CKSUM_OFF;
	uint8_t *outer, *inner, *port, *other, *other_port;
	uint32_t d, d_icmp;

	/*
	 * The quote is the packet the error's recipient sent, so it runs
	 * the other way: the outer destination is the quoted source.
	 */
	if (v4) {
		outer = ip + (outer_dst ? 16 : 12);
		inner = qip + (outer_dst ? 12 : 16);
		other = qip + (outer_dst ? 16 : 12);
	} else {
		outer = ip + (outer_dst ? 24 : 8);
		inner = qip + (outer_dst ? 8 : 24);
		other = qip + (outer_dst ? 24 : 8);
	}
	port = frame + q->tcp_off + (outer_dst ? 0 : 2);
	other_port = frame + q->tcp_off + (outer_dst ? 2 : 0);

	d = sw_nat_delta(outer, addr, alen);
	if (v4) {
		uint8_t *ipck = ip + SW_IPV4_CKSUM_OFF;

		sw_cksum_wr16(ipck, sw_nat_cksum_adjust(sw_cksum_rd16(ipck),
				d));
		d_icmp = 0;	/* RFC 792: no pseudo-header */
	} else {
		d_icmp = d;	/* RFC 4443 §2.3: outer addresses summed */
	}
	memmove(outer, addr, alen);

	if (v4) {
		/* The quoted header's own sum; the addresses are at even
		 * offsets of that header whatever its place in the frame. */
		uint8_t *qck = qip + SW_IPV4_CKSUM_OFF;
		uint32_t dq = sw_nat_delta(inner, addr, alen);
		uint8_t c[2];

		if (peer != NULL)
			dq += sw_nat_delta(other, peer, alen);
		sw_cksum_wr16(c, sw_nat_cksum_adjust(sw_cksum_rd16(qck), dq));
		d_icmp += icmp_put(icmp, qck, c, 2);
	}
	d_icmp += icmp_put(icmp, inner, addr, alen);
	d_icmp += icmp_put(icmp, port, &port_be, 2);
	if (peer != NULL) {
		d_icmp += icmp_put(icmp, other, peer, alen);
		d_icmp += icmp_put(icmp, other_port, &peer_port_be, 2);
	}
	sw_cksum_wr16(ck, sw_nat_cksum_adjust(sw_cksum_rd16(ck), d_icmp));
}
