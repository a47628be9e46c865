/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What must hold of every struct sw_pkt that sw_parse() returned OK for,
 * whatever the frame: shared by the unit tests (mutated vectors) and the
 * fuzzer. Returns NULL when consistent, else the rule that broke.
 */
#ifndef SW_PKT_CHECK_H
#define SW_PKT_CHECK_H

#include <stdint.h>

#include "sw_pkt.h"

static inline uint32_t
sw_check_rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		(uint32_t)b[2] << 8 | b[3];
}

#define SW_RULE(cond) do { \
	if (!(cond)) \
		return #cond; \
} while (0)

static inline const char *
sw_pkt_check(const struct sw_pkt *p, const uint8_t *frame, uint32_t len)
{
	const struct sw_tcp_opts *o = &p->opt;
	uint32_t i;

	SW_RULE(p->len == len);
	SW_RULE(p->n_vlan <= SW_VLAN_MAX);
	SW_RULE(len >= 14u + 4u * p->n_vlan);
	SW_RULE(p->l3 <= SW_L3_IPV6);
	if (p->l3 == SW_L3_OTHER) {
		SW_RULE(p->flags == 0);
		SW_RULE(p->l4_proto == 0 && p->l3_off == 0 && p->ip_end == 0);
		SW_RULE(p->ethertype != 0x0800 && p->ethertype != 0x86dd);
		return NULL;
	}
	SW_RULE(p->l3_off == 14u + 4u * p->n_vlan);
	SW_RULE(p->l3_off < p->l4_off);
	SW_RULE(p->l4_off <= p->ip_end);
	SW_RULE(p->ip_end <= len);
	SW_RULE(!!(p->flags & SW_PKT_F_PADDED) == (p->ip_end < len));
	if (p->l3 == SW_L3_IPV4) {
		SW_RULE(p->ethertype == 0x0800);
		SW_RULE(p->ip_hdr_len >= 20 && p->ip_hdr_len <= 60 &&
			p->ip_hdr_len % 4 == 0);
		SW_RULE(p->l4_off == p->l3_off + p->ip_hdr_len);
		SW_RULE(!!(p->flags & SW_PKT_F_IPV4_OPT) ==
			(p->ip_hdr_len > 20));
		SW_RULE(!(p->flags & SW_PKT_F_IPV6_EXT));
		SW_RULE((frame[p->l3_off] >> 4) == 4);
	} else {
		SW_RULE(p->ethertype == 0x86dd);
		SW_RULE(p->ip_hdr_len == 40);
		SW_RULE(p->l4_off >= p->l3_off + 40);
		SW_RULE(!!(p->flags & SW_PKT_F_IPV6_EXT) ==
			(p->l4_off > p->l3_off + 40));
		SW_RULE(p->l4_off - p->l3_off - 40 <= 8 * 2048);
		SW_RULE(!(p->flags & SW_PKT_F_IPV4_OPT));
		SW_RULE((frame[p->l3_off] >> 4) == 6);
	}
	if (p->flags & SW_PKT_F_FRAG_FIRST)
		SW_RULE(p->flags & SW_PKT_F_FRAG);
	if (p->flags & SW_PKT_F_L4_NONE) {
		/* A non-first fragment, or IPv6 No Next Header (59). */
		SW_RULE(!(p->flags & (SW_PKT_F_TCP | SW_PKT_F_UDP)));
		SW_RULE(((p->flags & SW_PKT_F_FRAG) &&
			!(p->flags & SW_PKT_F_FRAG_FIRST)) ||
			p->l4_proto == 59);
	} else {
		/* OK means the L4 header we know was parsed. */
		SW_RULE(!!(p->flags & SW_PKT_F_TCP) == (p->l4_proto == 6));
		SW_RULE(!!(p->flags & SW_PKT_F_UDP) == (p->l4_proto == 17));
	}
	if (p->flags & SW_PKT_F_UDP) {
		SW_RULE(p->payload_off == p->l4_off + 8);
		SW_RULE(p->payload_off + p->payload_len == p->ip_end);
	}
	if (!(p->flags & SW_PKT_F_TCP)) {
		SW_RULE(p->tcp_hdr_len == 0 && o->present == 0);
		SW_RULE(p->seq == 0 && p->ack == 0 && p->tcp_flags == 0);
		if (!(p->flags & SW_PKT_F_UDP))
			SW_RULE(p->src_port == 0 && p->payload_off == 0);
		return NULL;
	}
	SW_RULE(p->tcp_hdr_len >= 20 && p->tcp_hdr_len <= 60 &&
		p->tcp_hdr_len % 4 == 0);
	SW_RULE(p->payload_off == p->l4_off + p->tcp_hdr_len);
	SW_RULE(p->payload_off <= p->ip_end);
	SW_RULE(p->payload_off + p->payload_len == p->ip_end);
	SW_RULE(p->tcp_flags == frame[p->l4_off + 13]);
	SW_RULE(p->seq == sw_check_rd32(frame + p->l4_off + 4));
	SW_RULE(o->n_sack <= SW_SACK_MAX);
	SW_RULE(!!(o->present & SW_TCPOPT_F_SACK) == (o->n_sack != 0));
	SW_RULE(!!(o->present & SW_TCPOPT_F_TS) == (o->ts_off != 0));
	SW_RULE(o->present < (SW_TCPOPT_F_FASTOPEN << 1));
	if (o->present & SW_TCPOPT_F_TS) {
		SW_RULE(o->ts_off >= p->l4_off + 22);
		SW_RULE(o->ts_off + 8u <= p->payload_off);
		SW_RULE(frame[o->ts_off - 2] == 8 && frame[o->ts_off - 1] == 10);
		SW_RULE(o->tsval == sw_check_rd32(frame + o->ts_off));
		SW_RULE(o->tsecr == sw_check_rd32(frame + o->ts_off + 4));
	}
	SW_RULE(!!(o->present & SW_TCPOPT_F_SACK) == (o->n_sack != 0));
	SW_RULE(o->n_sack <= SW_SACK_MAX);
	for (i = 0; i < o->n_sack; i++) {
		/* In order, inside the options; each block either follows
		 * the one before in its option or opens a SACK option. */
		SW_RULE(o->sack_off[i] >= p->l4_off + 22);
		SW_RULE(o->sack_off[i] + 8u <= p->payload_off);
		SW_RULE(i == 0 || o->sack_off[i] >= o->sack_off[i - 1] + 8u);
		SW_RULE((i > 0 && o->sack_off[i] == o->sack_off[i - 1] + 8u) ||
			frame[o->sack_off[i] - 2] == 5);
		SW_RULE(o->sack[i][0] == sw_check_rd32(frame + o->sack_off[i]));
		SW_RULE(o->sack[i][1] ==
			sw_check_rd32(frame + o->sack_off[i] + 4));
	}
	return NULL;
}

#undef SW_RULE

#endif /* SW_PKT_CHECK_H */
