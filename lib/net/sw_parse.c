/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parser, the first thing every received frame meets.
 *
 * One pass, front to back. Each layer checks that the bytes it is about to
 * read are below a limit (the frame for L2 and the IP header, the datagram
 * end for everything inside the datagram) before reading them; the only
 * loops are the VLAN tags (<= SW_VLAN_MAX + 1), the IPv6 extension headers
 * (<= SW_IPV6_EXT_MAX + 1) and the TCP options (<= 40 bytes).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sw_parse.h"

#define SW_LIKELY(x)	__builtin_expect(!!(x), 1)
#define SW_UNLIKELY(x)	__builtin_expect(!!(x), 0)

#define SW_ETH_HLEN		14
#define SW_VLAN_HLEN		4
#define SW_ETHERTYPE_IPV4	0x0800
#define SW_ETHERTYPE_IPV6	0x86dd
#define SW_ETHERTYPE_VLAN	0x8100	/* 802.1Q C-tag */
#define SW_ETHERTYPE_QINQ	0x88a8	/* 802.1ad S-tag */
#define SW_ETHERTYPE_QINQ_OLD	0x9100	/* pre-802.1ad S-tag, still seen */

#define SW_IPV4_HLEN		20
#define SW_IPV4_MF		0x2000
#define SW_IPV4_OFF_MASK	0x1fff
#define SW_IPV6_HLEN		40

#define SW_PROTO_HOPOPTS	0
#define SW_PROTO_TCP		6
#define SW_PROTO_UDP		17
#define SW_PROTO_ROUTING	43
#define SW_PROTO_FRAGMENT	44
#define SW_PROTO_AH		51
#define SW_PROTO_NONE		59
#define SW_PROTO_DSTOPTS	60
#define SW_PROTO_MOBILITY	135
#define SW_PROTO_HIP		139
#define SW_PROTO_SHIM6		140

#define SW_TCP_HLEN		20
#define SW_UDP_HLEN		8

#define SW_TCPOPT_EOL		0
#define SW_TCPOPT_NOP		1
#define SW_TCPOPT_MSS		2
#define SW_TCPOPT_WSCALE	3
#define SW_TCPOPT_SACKOK	4
#define SW_TCPOPT_SACK		5
#define SW_TCPOPT_TS		8
#define SW_TCPOPT_FASTOPEN	34

static const char * const sw_parse_err_names[] = {
	[SW_PARSE_OK] = "ok",
	[SW_PARSE_L2_TRUNC] = "l2_trunc",
	[SW_PARSE_VLAN_DEPTH] = "vlan_depth",
	[SW_PARSE_IPV4_TRUNC] = "ipv4_trunc",
	[SW_PARSE_IPV4_VERSION] = "ipv4_version",
	[SW_PARSE_IPV4_IHL] = "ipv4_ihl",
	[SW_PARSE_IPV4_TOTLEN] = "ipv4_totlen",
	[SW_PARSE_IPV6_TRUNC] = "ipv6_trunc",
	[SW_PARSE_IPV6_VERSION] = "ipv6_version",
	[SW_PARSE_IPV6_PLEN] = "ipv6_plen",
	[SW_PARSE_IPV6_EXT_TRUNC] = "ipv6_ext_trunc",
	[SW_PARSE_IPV6_EXT_DEPTH] = "ipv6_ext_depth",
	[SW_PARSE_TCP_TRUNC] = "tcp_trunc",
	[SW_PARSE_TCP_DOFF] = "tcp_doff",
	[SW_PARSE_TCP_OPT] = "tcp_opt",
	[SW_PARSE_UDP_TRUNC] = "udp_trunc",
};

_Static_assert(sizeof(sw_parse_err_names) / sizeof(sw_parse_err_names[0]) ==
		SW_PARSE_ERR_MAX, "a parse error has no counter name");

const char *
sw_parse_err_name(enum sw_parse_err e)
{
	/* Cast: the enum may be signed, and callers pass counter indexes. */
	if ((unsigned int)e >= SW_PARSE_ERR_MAX)
		return "unknown";
	return sw_parse_err_names[e];
}

/* Byte loads: any alignment, any host byte order; compile to movbe/bswap. */
static inline uint16_t
sw_rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
sw_rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		(uint32_t)b[2] << 8 | b[3];
}

static inline int
sw_is_tpid(uint16_t et)
{
	return et == SW_ETHERTYPE_VLAN || et == SW_ETHERTYPE_QINQ ||
		et == SW_ETHERTYPE_QINQ_OLD;
}

/*
 * TCP options between `off` and `end` (one past the TCP header), both
 * already checked to lie inside the datagram. RFC 9293 §3.1: an option is
 * either a single byte (EOL, NOP) or kind, length (counting both), data.
 */
enum sw_parse_err
sw_parse_tcp_opts_full(struct sw_tcp_opts *o, const uint8_t *frame,
		uint32_t off, uint32_t end)
{
	while (off < end) {
		const uint8_t *b = frame + off;
		uint32_t olen, n, i;

		if (b[0] == SW_TCPOPT_EOL)
			break;	/* RFC 9293 §3.1: the rest is padding */
		if (b[0] == SW_TCPOPT_NOP) {
			off++;
			continue;
		}
		/* A length byte must exist, cover itself, and stay in the header. */
		if (SW_UNLIKELY(end - off < 2))
			return SW_PARSE_TCP_OPT;
		olen = b[1];
		if (SW_UNLIKELY(olen < 2 || olen > end - off))
			return SW_PARSE_TCP_OPT;

		switch (b[0]) {
		case SW_TCPOPT_MSS:	/* RFC 9293 §3.2 */
			if (SW_UNLIKELY(olen != 4))
				return SW_PARSE_TCP_OPT;
			o->present |= SW_TCPOPT_F_MSS;
			o->mss = sw_rd16(b + 2);
			break;
		case SW_TCPOPT_WSCALE:	/* RFC 7323 §2.2 */
			if (SW_UNLIKELY(olen != 3))
				return SW_PARSE_TCP_OPT;
			o->present |= SW_TCPOPT_F_WSCALE;
			o->wscale = b[2];
			break;
		case SW_TCPOPT_SACKOK:	/* RFC 2018 §2 */
			if (SW_UNLIKELY(olen != 2))
				return SW_PARSE_TCP_OPT;
			o->present |= SW_TCPOPT_F_SACKOK;
			break;
		case SW_TCPOPT_SACK:	/* RFC 2018 §3: 2 + 8n bytes */
			/* Blocks of a second SACK option are collected too:
			 * every edge must be translated, none passed raw.
			 * 40 option bytes cannot hold more than 4 blocks. */
			n = (olen - 2) / 8;
			if (SW_UNLIKELY(olen != 2 + 8 * n || n == 0 ||
					n > SW_SACK_MAX - (uint32_t)o->n_sack))
				return SW_PARSE_TCP_OPT;
			o->present |= SW_TCPOPT_F_SACK;
			for (i = 0; i < n; i++) {
				uint8_t k = o->n_sack++;

				o->sack_off[k] = (uint16_t)(off + 2 + 8 * i);
				o->sack[k][0] = sw_rd32(b + 2 + 8 * i);
				o->sack[k][1] = sw_rd32(b + 6 + 8 * i);
			}
			break;
		case SW_TCPOPT_TS:	/* RFC 7323 §3.2 */
			if (SW_UNLIKELY(olen != 10))
				return SW_PARSE_TCP_OPT;
			o->present |= SW_TCPOPT_F_TS;
			o->ts_off = (uint16_t)(off + 2);
			o->tsval = sw_rd32(b + 2);
			o->tsecr = sw_rd32(b + 6);
			break;
		case SW_TCPOPT_FASTOPEN:
			/* RFC 7413 §4.1.1: empty (cookie request) or 4..16 bytes */
			if (SW_UNLIKELY(olen != 2 && (olen < 6 || olen > 18)))
				return SW_PARSE_TCP_OPT;
			o->present |= SW_TCPOPT_F_FASTOPEN;
			break;
		default:
			/* RFC 9293 §3.1: skip what we do not know by its length. */
			o->present |= SW_TCPOPT_F_UNKNOWN;
			break;
		}
		off += olen;
	}
	return SW_PARSE_OK;
}

static inline uint64_t
sw_rd64(const uint8_t *b)
{
	return (uint64_t)sw_rd32(b) << 32 | sw_rd32(b + 4);
}

/*
 * The option layouts real stacks send most, each recognised by its
 * length and a few masked compares instead of a loop whose branches a
 * mix of stacks keeps mispredicting. Anything else (and any near miss)
 * is left to the full parser, which gives the same result for these;
 * test_parse and the fuzzer hold them to it.
 */
bool
sw_parse_tcp_opts_fast(struct sw_tcp_opts *o, const uint8_t *frame,
		uint32_t off, uint32_t end)
{
	const uint8_t *b = frame + off;
	uint64_t w;

	switch (end - off) {
	case 4:		/* MSS alone: minimal stacks, scanners */
		if (b[0] != SW_TCPOPT_MSS || b[1] != 4)
			return false;
		o->present = SW_TCPOPT_F_MSS;
		o->mss = sw_rd16(b + 2);
		return true;
	case 12:
		w = sw_rd64(b);
		if (w >> 32 == UINT32_C(0x0101080a)) {
			/* NOP NOP TS: segments of Linux, macOS, BSD */
			o->present = SW_TCPOPT_F_TS;
			o->ts_off = (uint16_t)(off + 4);
			o->tsval = (uint32_t)w;
			o->tsecr = sw_rd32(b + 8);
			return true;
		}
		/* MSS, NOP WS, NOP NOP SACK-permitted: a Windows SYN */
		if ((w & UINT64_C(0xffff0000ffffff00)) !=
				UINT64_C(0x0204000001030300) ||
				sw_rd32(b + 8) != UINT32_C(0x01010402))
			return false;
		o->present = SW_TCPOPT_F_MSS | SW_TCPOPT_F_WSCALE |
			SW_TCPOPT_F_SACKOK;
		o->mss = (uint16_t)(w >> 32);
		o->wscale = b[7];
		return true;
	case 20:	/* MSS, SACK-permitted TS, NOP WS: a Linux SYN */
		w = sw_rd64(b);
		if ((w & UINT64_C(0xffff0000ffffffff)) !=
				UINT64_C(0x020400000402080a) ||
				(sw_rd32(b + 16) & UINT32_C(0xffffff00)) !=
				UINT32_C(0x01030300))
			return false;
		o->present = SW_TCPOPT_F_MSS | SW_TCPOPT_F_SACKOK |
			SW_TCPOPT_F_TS | SW_TCPOPT_F_WSCALE;
		o->mss = (uint16_t)(w >> 32);
		o->ts_off = (uint16_t)(off + 8);
		o->tsval = sw_rd32(b + 8);
		o->tsecr = sw_rd32(b + 12);
		o->wscale = b[19];
		return true;
	case 24:	/* MSS, NOP WS, NOP NOP TS, SACK-permitted EOL: macOS */
		w = sw_rd64(b);
		if ((w & UINT64_C(0xffff0000ffffff00)) !=
				UINT64_C(0x0204000001030300) ||
				sw_rd32(b + 8) != UINT32_C(0x0101080a) ||
				sw_rd32(b + 20) != UINT32_C(0x04020000))
			return false;
		o->present = SW_TCPOPT_F_MSS | SW_TCPOPT_F_WSCALE |
			SW_TCPOPT_F_TS | SW_TCPOPT_F_SACKOK;
		o->mss = (uint16_t)(w >> 32);
		o->wscale = b[7];
		o->ts_off = (uint16_t)(off + 12);
		o->tsval = sw_rd32(b + 12);
		o->tsecr = sw_rd32(b + 16);
		return true;
	default:
		return false;
	}
}

static enum sw_parse_err
sw_parse_tcp(struct sw_pkt *p, const uint8_t *frame)
{
	uint32_t off = p->l4_off;
	uint32_t end = p->ip_end;
	const uint8_t *t = frame + off;
	uint32_t hlen;

	if (SW_UNLIKELY(end - off < SW_TCP_HLEN))
		return SW_PARSE_TCP_TRUNC;
	hlen = (uint32_t)(t[12] >> 4) * 4;
	if (SW_UNLIKELY(hlen < SW_TCP_HLEN || hlen > end - off))
		return SW_PARSE_TCP_DOFF;

	p->src_port = sw_rd16(t);
	p->dst_port = sw_rd16(t + 2);
	p->seq = sw_rd32(t + 4);
	p->ack = sw_rd32(t + 8);
	p->tcp_flags = t[13];
	p->window = sw_rd16(t + 14);
	p->tcp_hdr_len = (uint16_t)hlen;
	p->payload_off = (uint16_t)(off + hlen);
	p->payload_len = (uint16_t)(end - off - hlen);

	if (hlen > SW_TCP_HLEN && !sw_parse_tcp_opts_fast(&p->opt, frame,
			off + SW_TCP_HLEN, off + hlen)) {
		enum sw_parse_err err = sw_parse_tcp_opts_full(&p->opt, frame,
				off + SW_TCP_HLEN, off + hlen);

		if (SW_UNLIKELY(err != SW_PARSE_OK))
			return err;
	}
	p->flags |= SW_PKT_F_TCP;
	return SW_PARSE_OK;
}

static enum sw_parse_err
sw_parse_udp(struct sw_pkt *p, const uint8_t *frame)
{
	uint32_t off = p->l4_off;
	const uint8_t *u = frame + off;

	if (SW_UNLIKELY(p->ip_end - off < SW_UDP_HLEN))
		return SW_PARSE_UDP_TRUNC;
	p->src_port = sw_rd16(u);
	p->dst_port = sw_rd16(u + 2);
	p->payload_off = (uint16_t)(off + SW_UDP_HLEN);
	p->payload_len = (uint16_t)(p->ip_end - off - SW_UDP_HLEN);
	p->flags |= SW_PKT_F_UDP;
	return SW_PARSE_OK;
}

static enum sw_parse_err
sw_parse_ipv4(struct sw_pkt *p, const uint8_t *frame, uint32_t off,
		uint32_t lim)
{
	const uint8_t *ip = frame + off;
	uint32_t hlen, tot;
	uint16_t frag;

	if (SW_UNLIKELY(lim - off < SW_IPV4_HLEN))
		return SW_PARSE_IPV4_TRUNC;
	if (SW_UNLIKELY((ip[0] >> 4) != 4))
		return SW_PARSE_IPV4_VERSION;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if (SW_UNLIKELY(hlen < SW_IPV4_HLEN))
		return SW_PARSE_IPV4_IHL;
	/* RFC 791 §3.1: total length counts header and data. */
	tot = sw_rd16(ip + 2);
	if (SW_UNLIKELY(tot < SW_IPV4_HLEN || tot > lim - off))
		return SW_PARSE_IPV4_TOTLEN;
	if (SW_UNLIKELY(hlen > tot))
		return SW_PARSE_IPV4_IHL;

	p->l3 = SW_L3_IPV4;
	p->l3_off = (uint16_t)off;
	p->ip_hdr_len = (uint16_t)hlen;
	p->l4_off = (uint16_t)(off + hlen);
	p->ip_end = (uint16_t)(off + tot);
	p->l4_proto = ip[9];
	if (hlen > SW_IPV4_HLEN)
		p->flags |= SW_PKT_F_IPV4_OPT;

	frag = sw_rd16(ip + 6);
	if (SW_UNLIKELY(frag & (SW_IPV4_MF | SW_IPV4_OFF_MASK))) {
		p->flags |= SW_PKT_F_FRAG;
		if (frag & SW_IPV4_OFF_MASK) {
			/* Continuation bytes of the transport segment. */
			p->flags |= SW_PKT_F_L4_NONE;
			return SW_PARSE_OK;
		}
		p->flags |= SW_PKT_F_FRAG_FIRST;
	}

	if (SW_LIKELY(p->l4_proto == SW_PROTO_TCP))
		return sw_parse_tcp(p, frame);
	if (p->l4_proto == SW_PROTO_UDP)
		return sw_parse_udp(p, frame);
	return SW_PARSE_OK;
}

static enum sw_parse_err
sw_parse_ipv6(struct sw_pkt *p, const uint8_t *frame, uint32_t off,
		uint32_t lim)
{
	const uint8_t *ip = frame + off;
	uint32_t plen, end, hlen;
	unsigned int n_ext = 0;
	uint16_t frag;
	uint8_t nh;

	if (SW_UNLIKELY(lim - off < SW_IPV6_HLEN))
		return SW_PARSE_IPV6_TRUNC;
	if (SW_UNLIKELY((ip[0] >> 4) != 6))
		return SW_PARSE_IPV6_VERSION;
	plen = sw_rd16(ip + 4);
	nh = ip[6];
	if (SW_UNLIKELY(plen > lim - off - SW_IPV6_HLEN))
		return SW_PARSE_IPV6_PLEN;
	/* RFC 2675 jumbograms (length in hop-by-hop) cannot fit a frame here. */
	if (SW_UNLIKELY(plen == 0 && nh == SW_PROTO_HOPOPTS))
		return SW_PARSE_IPV6_PLEN;

	end = off + SW_IPV6_HLEN + plen;
	p->l3 = SW_L3_IPV6;
	p->l3_off = (uint16_t)off;
	p->ip_hdr_len = SW_IPV6_HLEN;
	p->ip_end = (uint16_t)end;
	off += SW_IPV6_HLEN;

	/*
	 * RFC 8200 §4: walk the chain. Every extension header is at least 8
	 * bytes, so check 8 before reading its length byte.
	 */
	for (;;) {
		const uint8_t *e = frame + off;

		switch (nh) {
		case SW_PROTO_HOPOPTS:
		case SW_PROTO_ROUTING:
		case SW_PROTO_DSTOPTS:
		case SW_PROTO_MOBILITY:	/* RFC 7045: same length format */
		case SW_PROTO_HIP:
		case SW_PROTO_SHIM6:
		case SW_PROTO_FRAGMENT:
		case SW_PROTO_AH:
			break;
		case SW_PROTO_NONE:
			/* RFC 8200 §4.7: whatever follows is ignored. */
			p->flags |= SW_PKT_F_L4_NONE;
			goto l4;
		default:
			goto l4;
		}
		if (SW_UNLIKELY(n_ext == SW_IPV6_EXT_MAX))
			return SW_PARSE_IPV6_EXT_DEPTH;
		if (SW_UNLIKELY(end - off < 8))
			return SW_PARSE_IPV6_EXT_TRUNC;
		n_ext++;

		if (nh == SW_PROTO_FRAGMENT) {
			/* RFC 8200 §4.5: offset in 8-byte units, M in bit 0 */
			hlen = 8;
			frag = sw_rd16(e + 2);
			/* RFC 6946: offset 0 with M clear is a whole packet. */
			if (frag & 0xfff9) {
				p->flags |= SW_PKT_F_FRAG;
				if (frag & 0xfff8) {
					/* Even after a first-fragment header:
					 * what follows is no L4 header. */
					p->flags &= (uint16_t)~SW_PKT_F_FRAG_FIRST;
					p->flags |= SW_PKT_F_L4_NONE;
					nh = e[0];
					off += hlen;
					goto l4;
				}
				p->flags |= SW_PKT_F_FRAG_FIRST;
			}
		} else if (nh == SW_PROTO_AH) {
			/* RFC 4302 §2.2: length in 4-byte units, minus 2. */
			hlen = ((uint32_t)e[1] + 2) * 4;
		} else {
			/* RFC 8200 §4.3: length in 8-byte units, minus 1. */
			hlen = ((uint32_t)e[1] + 1) * 8;
		}
		if (SW_UNLIKELY(hlen > end - off))
			return SW_PARSE_IPV6_EXT_TRUNC;
		nh = e[0];
		off += hlen;
	}
l4:
	p->l4_off = (uint16_t)off;
	p->l4_proto = nh;
	if (n_ext != 0)
		p->flags |= SW_PKT_F_IPV6_EXT;
	if (p->flags & SW_PKT_F_L4_NONE)
		return SW_PARSE_OK;
	if (SW_LIKELY(nh == SW_PROTO_TCP))
		return sw_parse_tcp(p, frame);
	if (nh == SW_PROTO_UDP)
		return sw_parse_udp(p, frame);
	return SW_PARSE_OK;
}

int
sw_parse_icmp_quote(const uint8_t *frame, const struct sw_pkt *p,
		struct sw_icmp_quote *q)
{
	const uint32_t end = p->ip_end;
	uint32_t off = p->l4_off;
	const uint8_t *ip;
	uint32_t hlen;
	uint8_t type;

	if ((p->flags & (SW_PKT_F_FRAG | SW_PKT_F_L4_NONE)) ||
			end - off < 8)
		return -EINVAL;
	type = frame[off];
	if (p->l3 == SW_L3_IPV4) {
		/* RFC 792: 3 unreachable, 11 time exceeded, 12 parameter */
		if (p->l4_proto != 1 || (type != 3 && type != 11 && type != 12))
			return -EINVAL;
	} else if (p->l3 == SW_L3_IPV6) {
		/* RFC 4443 §3: error messages are types 1 to 4 */
		if (p->l4_proto != 58 || type < 1 || type > 4)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	q->type = type;
	q->code = frame[off + 1];
	off += 8;
	ip = frame + off;
	if (p->l3 == SW_L3_IPV4) {
		if (end - off < SW_IPV4_HLEN || (ip[0] >> 4) != 4 ||
				ip[9] != SW_PROTO_TCP ||
				(sw_rd16(ip + 6) & SW_IPV4_OFF_MASK))
			return -EINVAL;
		hlen = (uint32_t)(ip[0] & 0x0f) * 4;
		if (hlen < SW_IPV4_HLEN)
			return -EINVAL;
	} else {
		if (end - off < SW_IPV6_HLEN || (ip[0] >> 4) != 6 ||
				ip[6] != SW_PROTO_TCP)
			return -EINVAL;
		hlen = SW_IPV6_HLEN;
	}
	if (end - off < hlen + 8)
		return -EINVAL;
	q->ip_off = (uint16_t)off;
	q->tcp_off = (uint16_t)(off + hlen);
	q->tcp_len = (uint16_t)(end - off - hlen);
	return 0;
}

enum sw_parse_err
sw_parse(struct sw_pkt *p, const uint8_t *frame, uint32_t len)
{
	/* Offsets are 16-bit; see sw_parse.h for frames past UINT16_MAX. */
	uint32_t lim = len > UINT16_MAX ? UINT16_MAX : len;
	enum sw_parse_err err;
	uint32_t off = SW_ETH_HLEN;
	uint16_t et;

	/* The SACK blocks are written only up to n_sack: spare the stores. */
	memset(p, 0, offsetof(struct sw_pkt, opt.sack));
	p->len = len;

	if (SW_UNLIKELY(lim < SW_ETH_HLEN))
		return SW_PARSE_L2_TRUNC;
	et = sw_rd16(frame + 12);
	/* A third tag is refused, not passed on as "not IP": it would hide IP. */
	while (sw_is_tpid(et)) {
		if (SW_UNLIKELY(p->n_vlan == SW_VLAN_MAX))
			return SW_PARSE_VLAN_DEPTH;
		if (SW_UNLIKELY(lim - off < SW_VLAN_HLEN))
			return SW_PARSE_L2_TRUNC;
		p->vlan_tci[p->n_vlan++] = sw_rd16(frame + off);
		et = sw_rd16(frame + off + 2);
		off += SW_VLAN_HLEN;
	}
	p->ethertype = et;

	if (SW_LIKELY(et == SW_ETHERTYPE_IPV4))
		err = sw_parse_ipv4(p, frame, off, lim);
	else if (et == SW_ETHERTYPE_IPV6)
		err = sw_parse_ipv6(p, frame, off, lim);
	else
		return SW_PARSE_OK;

	/* Short Ethernet frames are padded to 60 bytes (IEEE 802.3 §3.2.7). */
	if (SW_LIKELY(err == SW_PARSE_OK) && p->ip_end < len)
		p->flags |= SW_PKT_F_PADDED;
	return err;
}
