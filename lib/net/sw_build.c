/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sw_build.h"
#include "sw_cksum.h"
#include "sw_hdr.h"

#define IPV4_HDR	20
#define IPV6_HDR	40
#define TCP_HDR		20

/* TCP option kinds (RFC 9293 §3.2, RFC 2018, RFC 7323). */
#define OPT_NOP		1
#define OPT_MSS		2
#define OPT_WS		3
#define OPT_SACKOK	4
#define OPT_TS		8

/* Options of a SYN or SYN-ACK. */
struct syn_opts {
	uint16_t mss;		/* 0: none */
	uint8_t wscale;		/* SW_WSCALE_NONE: none */
	bool sack_ok;
	bool ts;
	uint32_t tsval;
	uint32_t tsecr;
};

/* The bytes syn_options() writes for `so`. */
static inline unsigned int
syn_options_len(const struct syn_opts *so)
{
	return (so->mss != 0 ? 4 : 0) + (so->ts ? 12 : so->sack_ok ? 4 : 0) +
		(so->wscale != SW_WSCALE_NONE ? 4 : 0);
}

/* A 32-bit value's two 16-bit halves, added: its ones' complement sum. */
static inline uint32_t
halves(uint32_t v)
{
	return (v >> 16) + (v & 0xffff);
}

/*
 * Linux's option layout, which middleboxes know best: 4-byte aligned,
 * written as whole 32-bit words. Returns the length; *sum gets the
 * ones' complement sum of the words (host order, unfolded), so that a
 * caller can checksum the segment without reading back what it just
 * wrote (a wide load over narrower fresh stores waits for them to
 * retire: store-to-load forwarding fails).
 */
static unsigned int
syn_options(uint8_t *o, const struct syn_opts *so, uint32_t *sum)
{
	unsigned int n = 0;
	uint32_t w, s = 0;

	if (so->mss != 0) {
		w = (uint32_t)OPT_MSS << 24 | 4u << 16 | so->mss;
		sw_cksum_wr32(o + n, w);
		s += halves(w);
		n += 4;
	}
	if (so->ts) {
		w = so->sack_ok ? (uint32_t)OPT_SACKOK << 24 | 2u << 16 :
			(uint32_t)OPT_NOP << 24 | (uint32_t)OPT_NOP << 16;
		w |= (uint32_t)OPT_TS << 8 | 10;
		sw_cksum_wr32(o + n, w);
		sw_cksum_wr32(o + n + 4, so->tsval);
		sw_cksum_wr32(o + n + 8, so->tsecr);
		s += halves(w) + halves(so->tsval) + halves(so->tsecr);
		n += 12;
	} else if (so->sack_ok) {
		w = (uint32_t)OPT_NOP << 24 | (uint32_t)OPT_NOP << 16 |
			(uint32_t)OPT_SACKOK << 8 | 2;
		sw_cksum_wr32(o + n, w);
		s += halves(w);
		n += 4;
	}
	if (so->wscale != SW_WSCALE_NONE) {
		w = (uint32_t)OPT_NOP << 24 | (uint32_t)OPT_WS << 16 |
			3u << 8 | so->wscale;
		sw_cksum_wr32(o + n, w);
		s += halves(w);
		n += 4;
	}
	*sum = s;
	return n;
}

/*
 * The common part of both replies: swap MACs, write a fresh IP header
 * with the addresses swapped right after the L2 header, and a TCP header
 * with the ports swapped. Returns the frame offset of the TCP header.
 */
static uint32_t
reply_headers(uint8_t *frame, const struct sw_pkt *p, uint8_t ttl,
		uint32_t tcp_len)
{
	struct sw_ether_hdr *eth = (struct sw_ether_hdr *)(void *)frame;
	uint8_t mac[6];
	struct sw_tcp_hdr *tcp;
	const uint16_t sport = p->src_port, dport = p->dst_port;

	memcpy(mac, eth->dst_addr, 6);
	memcpy(eth->dst_addr, eth->src_addr, 6);
	memcpy(eth->src_addr, mac, 6);

	if (p->l3 == SW_L3_IPV4) {
		struct sw_ipv4_hdr *ip =
			(struct sw_ipv4_hdr *)(void *)(frame + p->l3_off);
		const uint32_t src = ip->src_addr;

		ip->version_ihl = SW_IPV4_VHL_DEF;
		ip->type_of_service = 0;	/* not-ECT (RFC 3168 §6.1.1) */
		ip->total_length = htons((uint16_t)(IPV4_HDR + tcp_len));
		ip->packet_id = 0;		/* atomic (RFC 6864) */
		ip->fragment_offset = htons(SW_IPV4_DF);
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		ip->src_addr = ip->dst_addr;
		ip->dst_addr = src;
		tcp = (struct sw_tcp_hdr *)(void *)(ip + 1);
	} else {
		struct sw_ipv6_hdr *ip =
			(struct sw_ipv6_hdr *)(void *)(frame + p->l3_off);
		uint8_t src[16];

		memcpy(src, ip->src_addr, 16);
		ip->vtc_flow = htonl(SW_IPV6_VTC_DEF);
		ip->payload_len = htons((uint16_t)tcp_len);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = ttl;
		memcpy(ip->src_addr, ip->dst_addr, 16);
		memcpy(ip->dst_addr, src, 16);
		tcp = (struct sw_tcp_hdr *)(void *)(ip + 1);
	}
	tcp->src_port = htons(dport);
	tcp->dst_port = htons(sport);
	tcp->tcp_urp = 0;
	return (uint32_t)((uint8_t *)tcp - frame);
}

static void
reply_checksums(uint8_t *frame, const struct sw_pkt *p, uint32_t tcp_off,
		uint32_t tcp_len, bool offload)
{
	uint8_t *ip = frame + p->l3_off;
	uint8_t *tcp = frame + tcp_off;
	uint32_t phdr;

	sw_cksum_wr16(tcp + SW_TCP_CKSUM_OFF, 0);
	if (p->l3 == SW_L3_IPV4) {
		phdr = sw_ipv4_phdr_sum(ip, 6, tcp_len);
		if (!offload)
			sw_ipv4_hdr_cksum_set(ip, IPV4_HDR);
	} else {
		phdr = sw_ipv6_phdr_sum(ip, 6, tcp_len);
	}
	if (offload)	/* the NIC adds the segment to the pseudo-header sum */
		sw_cksum_wr16(tcp + SW_TCP_CKSUM_OFF, sw_cksum_fold(phdr));
	else
		sw_cksum_wr16(tcp + SW_TCP_CKSUM_OFF,
			sw_l4_cksum(phdr, tcp, tcp_len, 6));
}

static inline uint32_t
ip_hdr_len(const struct sw_pkt *p)
{
	return p->l3 == SW_L3_IPV4 ? IPV4_HDR : IPV6_HDR;
}

/*
 * The pseudo-header's addresses as a ones' complement sum (unfolded),
 * read from the received frame before anything is written: the sum
 * does not change when the reply swaps them.
 */
static inline uint32_t
addr_sum(const uint8_t *frame, const struct sw_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;
	uint32_t s = 0;

	if (p->l3 == SW_L3_IPV4)
		return halves(sw_cksum_rd32(ip + 12)) +
			halves(sw_cksum_rd32(ip + 16));
	for (unsigned int i = 8; i < 40; i += 4)
		s += halves(sw_cksum_rd32(ip + i));
	return s;
}

int
sw_build_synack(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_synack_params *sp)
{
	const struct syn_opts so = {
		.mss = sp->mss, .wscale = sp->wscale, .sack_ok = sp->sack_ok,
		.ts = sp->ts, .tsval = sp->tsval, .tsecr = p->opt.tsval,
	};
	const uint8_t flags = SW_TCP_SYN | SW_TCP_ACK |
		(sp->ecn ? SW_TCP_ECE : 0);
	const uint32_t n_opt = syn_options_len(&so);
	const uint32_t tcp_len = TCP_HDR + n_opt;
	const uint32_t ack = p->seq + 1;
	uint32_t len, tcp_off, asum, osum, sum;
	uint8_t *tcp;

	if (!(p->flags & SW_PKT_F_TCP) || p->l3 == SW_L3_OTHER)
		return -EINVAL;
	len = p->l3_off + ip_hdr_len(p) + tcp_len;
	if (len > cap)
		return -EINVAL;
	/*
	 * Every field is summed from the value written, never read back
	 * (see syn_options()). The SYN's options were parsed already: the
	 * TSval they held is in p.
	 */
	asum = addr_sum(frame, p);
	tcp_off = reply_headers(frame, p, sp->ttl, tcp_len);
	tcp = frame + tcp_off;
	sw_cksum_wr32(tcp + 4, sp->isn);
	sw_cksum_wr32(tcp + 8, ack);
	sw_cksum_wr16(tcp + 12, (uint16_t)((tcp_len / 4) << 12 | flags));
	sw_cksum_wr16(tcp + 14, sp->window);
	syn_options(tcp + TCP_HDR, &so, &osum);
	/* The pseudo-header: addresses, protocol, TCP length. */
	sum = asum + IPPROTO_TCP + tcp_len;
	if (sp->csum_offload) {
		/* The NIC adds the segment to the pseudo-header sum; it
		 * sums the IPv4 header too (left 0 by reply_headers). */
		sw_cksum_wr16(tcp + SW_TCP_CKSUM_OFF, sw_cksum_fold(sum));
		return (int)len;
	}
	sum += p->src_port + p->dst_port + halves(sp->isn) + halves(ack) +
		((tcp_len / 4) << 12 | flags) + sp->window + osum;
	sw_cksum_wr16(tcp + SW_TCP_CKSUM_OFF, sw_cksum_finish(sum));
	if (p->l3 == SW_L3_IPV4) {
		uint8_t *ip = frame + p->l3_off;

		/* reply_headers' fields: version/IHL, TOS 0, length, ID 0,
		 * DF, TTL and protocol, the addresses. */
		sum = (uint32_t)SW_IPV4_VHL_DEF << 8 | (IPV4_HDR + tcp_len);
		sum += SW_IPV4_DF + ((uint32_t)sp->ttl << 8 | IPPROTO_TCP) +
			asum;
		sw_cksum_wr16(ip + SW_IPV4_CKSUM_OFF, sw_cksum_finish(sum));
	}
	return (int)len;
}

int
sw_build_rst(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		uint8_t ttl, bool csum_offload)
{
	const bool had_ack = p->tcp_flags & SW_TCP_ACK;
	uint32_t seg_len = p->payload_len +
		((p->tcp_flags & SW_TCP_SYN) ? 1 : 0) +
		((p->tcp_flags & SW_TCP_FIN) ? 1 : 0);
	uint32_t seq = had_ack ? p->ack : 0;
	uint32_t ack = p->seq + seg_len;
	uint32_t tcp_off, len;
	uint8_t *tcp;

	if (!(p->flags & SW_PKT_F_TCP) || p->l3 == SW_L3_OTHER)
		return -EINVAL;
	len = p->l3_off + ip_hdr_len(p) + TCP_HDR;
	if (len > cap)
		return -EINVAL;
	tcp_off = reply_headers(frame, p, ttl, TCP_HDR);
	tcp = frame + tcp_off;
	sw_cksum_wr32(tcp + 4, seq);
	sw_cksum_wr32(tcp + 8, had_ack ? 0 : ack);
	tcp[12] = (TCP_HDR / 4) << 4;
	tcp[13] = had_ack ? SW_TCP_RST : SW_TCP_RST | SW_TCP_ACK;
	sw_cksum_wr16(tcp + 14, 0);
	reply_checksums(frame, p, tcp_off, TCP_HDR, csum_offload);
	return (int)len;
}

int
sw_build_syn(uint8_t *dst, uint32_t cap, const uint8_t *src,
		const struct sw_pkt *p, const struct sw_syn_params *sp)
{
	const struct syn_opts so = {
		.mss = sp->mss, .wscale = sp->wscale, .sack_ok = sp->sack_ok,
		.ts = sp->ts, .tsval = sp->tsval, .tsecr = 0,
	};
	const uint8_t *sip = src + p->l3_off;
	uint8_t *ip = dst + p->l3_off;
	uint32_t n_opt, tcp_len, len, osum;
	uint8_t *tcp;

	if (!(p->flags & SW_PKT_F_TCP) || p->l3 == SW_L3_OTHER)
		return -EINVAL;
	n_opt = syn_options_len(&so);
	tcp_len = TCP_HDR + n_opt;
	len = p->l3_off + ip_hdr_len(p) + tcp_len;
	if (len > cap)
		return -EINVAL;
	memcpy(dst, src, p->l3_off);	/* Ethernet header and VLAN tags */
	tcp = ip + ip_hdr_len(p);
	syn_options(tcp + TCP_HDR, &so, &osum);
	if (p->l3 == SW_L3_IPV4) {
		ip[0] = 0x45;
		ip[1] = sip[1] & 0xfc;		/* RFC 3168 §6.1.1: SYN not-ECT */
		sw_cksum_wr16(ip + 2, (uint16_t)(IPV4_HDR + tcp_len));
		memcpy(ip + 4, sip + 4, 2);	/* ID */
		sw_cksum_wr16(ip + 6, sip[6] & 0x40 ? 0x4000 : 0);	/* DF */
		ip[8] = sip[8];
		ip[9] = 6;
		memcpy(ip + 12, sip + 12, 8);
	} else {
		uint32_t vtc = sw_cksum_rd32(sip);

		sw_cksum_wr32(ip, vtc & ~(UINT32_C(3) << 20));	/* not-ECT */
		sw_cksum_wr16(ip + 4, (uint16_t)tcp_len);
		ip[6] = 6;
		ip[7] = sip[7];
		memcpy(ip + 8, sip + 8, 32);
	}
	memcpy(tcp, src + p->l4_off, 4);	/* ports, same direction */
	sw_cksum_wr32(tcp + 4, sp->isn);
	sw_cksum_wr32(tcp + 8, 0);
	tcp[12] = (uint8_t)(tcp_len / 4) << 4;
	tcp[13] = SW_TCP_SYN | (sp->ecn ? SW_TCP_ECE | SW_TCP_CWR : 0);
	sw_cksum_wr16(tcp + 14, sp->window);
	sw_cksum_wr16(tcp + 18, 0);
	reply_checksums(dst, p, (uint32_t)(tcp - dst), tcp_len, false);
	return (int)len;
}

/* An ACK back to the sender of `p`, with `dlen` bytes of data (PSH). */
static int
build_ack(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_ack_params *ap, const uint8_t *data,
		uint32_t dlen)
{
	uint32_t hdr_len = TCP_HDR + (ap->ts ? 12 : 0);
	uint32_t tcp_off, len;
	uint8_t *tcp;

	if (!(p->flags & SW_PKT_F_TCP) || p->l3 == SW_L3_OTHER)
		return -EINVAL;
	len = p->l3_off + ip_hdr_len(p) + hdr_len + dlen;
	if (len > cap)
		return -EINVAL;
	tcp_off = reply_headers(frame, p, ap->ttl, hdr_len + dlen);
	tcp = frame + tcp_off;
	sw_cksum_wr32(tcp + 4, ap->seq);
	sw_cksum_wr32(tcp + 8, ap->ack);
	tcp[12] = (uint8_t)(hdr_len / 4) << 4;
	tcp[13] = dlen != 0 ? SW_TCP_ACK | SW_TCP_PSH : SW_TCP_ACK;
	sw_cksum_wr16(tcp + 14, ap->window);
	if (ap->ts) {
		uint8_t *o = tcp + TCP_HDR;

		o[0] = OPT_NOP;
		o[1] = OPT_NOP;
		o[2] = OPT_TS;
		o[3] = 10;
		sw_cksum_wr32(o + 4, ap->tsval);
		sw_cksum_wr32(o + 8, ap->tsecr);
	}
	if (dlen != 0)
		memcpy(tcp + hdr_len, data, dlen);
	reply_checksums(frame, p, tcp_off, hdr_len + dlen, ap->csum_offload);
	return (int)len;
}

int
sw_build_ack(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_ack_params *ap)
{
	return build_ack(frame, cap, p, ap, NULL, 0);
}

int
sw_build_ack_data(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_ack_params *ap, const uint8_t *data,
		uint16_t dlen)
{
	return build_ack(frame, cap, p, ap, data, dlen);
}

int
sw_build_ptb(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		uint32_t mtu, uint8_t ttl)
{
	const bool v4 = p->l3 == SW_L3_IPV4;
	/* RFC 1812 §4.3.2.3: an ICMPv4 error stays within 576 bytes;
	 * RFC 4443 §2.4 (c): an ICMPv6 error within the minimum MTU. */
	const uint32_t hdr = v4 ? IPV4_HDR + 8 : IPV6_HDR + 8;
	const uint32_t limit = v4 ? 576 : 1280;
	uint32_t quote = p->ip_end - p->l3_off;
	uint8_t *ip = frame + p->l3_off;
	uint8_t *icmp = ip + hdr - 8;
	uint8_t mac[6], src[16], dst[16];
	uint32_t len;

	if (!(p->flags & SW_PKT_F_TCP) || p->l3 == SW_L3_OTHER ||
			mtu > 0xffff)
		return -EINVAL;
	if (quote > limit - hdr)
		quote = limit - hdr;
	len = p->l3_off + hdr + quote;
	if (len > cap)
		return -EINVAL;
	memcpy(mac, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, mac, 6);
	memcpy(src, ip + (v4 ? 12 : 8), v4 ? 4 : 16);
	memcpy(dst, ip + (v4 ? 16 : 24), v4 ? 4 : 16);
	/* The offending datagram's start, quoted after the new headers. */
	memmove(ip + hdr, ip, quote);
	memset(icmp, 0, 8);
	if (v4) {
		ip[0] = 0x45;
		ip[1] = 0;
		sw_cksum_wr16(ip + 2, (uint16_t)(hdr + quote));
		sw_cksum_wr16(ip + 4, 0);
		sw_cksum_wr16(ip + 6, 0);
		ip[8] = ttl;
		ip[9] = 1;			/* ICMP */
		sw_cksum_wr16(ip + 10, 0);
		memcpy(ip + 12, dst, 4);	/* from the destination */
		memcpy(ip + 16, src, 4);
		sw_ipv4_hdr_cksum_set(ip, IPV4_HDR);
		icmp[0] = 3;			/* destination unreachable */
		icmp[1] = 4;			/* fragmentation needed, DF set */
		sw_cksum_wr16(icmp + 6, (uint16_t)mtu);	/* RFC 1191 §4 */
		sw_cksum_wr16(icmp + 2, sw_cksum(icmp, 8 + quote));
	} else {
		sw_cksum_wr32(ip, 0x60000000);
		sw_cksum_wr16(ip + 4, (uint16_t)(8 + quote));
		ip[6] = 58;			/* ICMPv6 */
		ip[7] = ttl;
		memcpy(ip + 8, dst, 16);
		memcpy(ip + 24, src, 16);
		icmp[0] = 2;			/* packet too big (RFC 4443 §3.2) */
		sw_cksum_wr32(icmp + 4, mtu);
		/* The checksum field is 0: sum everything as it is. */
		sw_cksum_wr16(icmp + 2, sw_cksum_finish(sw_cksum_sum(icmp,
			8 + quote, sw_ipv6_phdr_sum(ip, 58, 8 + quote))));
	}
	return (int)len;
}

int
sw_build_check_syn(uint8_t *frame, uint32_t cap,
		const struct sw_check_syn_params *cp)
{
	const bool v4 = cp->family == AF_INET;
	const uint32_t ip_len = v4 ? IPV4_HDR : IPV6_HDR;
	const uint32_t tcp_len = TCP_HDR + 4;
	const uint32_t len = (uint32_t)sizeof(struct sw_ether_hdr) + ip_len +
		tcp_len;
	struct sw_ether_hdr *eth = (struct sw_ether_hdr *)(void *)frame;
	struct sw_tcp_hdr *tcp;
	uint8_t *opt;
	uint32_t phdr;

	if ((cp->family != AF_INET && cp->family != AF_INET6) || len > cap)
		return -EINVAL;
	memset(frame, 0, len);
	if (v4) {
		struct sw_ipv4_hdr *ip = (struct sw_ipv4_hdr *)(void *)(eth + 1);

		eth->ether_type = htons(SW_ETHER_TYPE_IPV4);
		ip->version_ihl = SW_IPV4_VHL_DEF;
		ip->total_length = htons((uint16_t)(ip_len + tcp_len));
		ip->fragment_offset = htons(SW_IPV4_DF);
		ip->time_to_live = cp->ttl;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, cp->src, 4);
		memcpy(&ip->dst_addr, cp->dst, 4);
		sw_ipv4_hdr_cksum_set((uint8_t *)ip, IPV4_HDR);
		phdr = sw_ipv4_phdr_sum((const uint8_t *)ip, IPPROTO_TCP,
			tcp_len);
		tcp = (struct sw_tcp_hdr *)(void *)(ip + 1);
	} else {
		struct sw_ipv6_hdr *ip = (struct sw_ipv6_hdr *)(void *)(eth + 1);

		eth->ether_type = htons(SW_ETHER_TYPE_IPV6);
		ip->vtc_flow = htonl(SW_IPV6_VTC_DEF);
		ip->payload_len = htons((uint16_t)tcp_len);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = cp->ttl;
		memcpy(ip->src_addr, cp->src, 16);
		memcpy(ip->dst_addr, cp->dst, 16);
		phdr = sw_ipv6_phdr_sum((const uint8_t *)ip, IPPROTO_TCP,
			tcp_len);
		tcp = (struct sw_tcp_hdr *)(void *)(ip + 1);
	}
	tcp->src_port = cp->sport_be;
	tcp->dst_port = cp->dport_be;
	tcp->sent_seq = htonl(cp->seq);
	tcp->data_off = (uint8_t)((tcp_len / 4) << 4);
	tcp->tcp_flags = SW_TCP_SYN;
	tcp->rx_win = htons(cp->window);
	opt = (uint8_t *)(tcp + 1);
	opt[0] = OPT_MSS;
	opt[1] = 4;
	sw_cksum_wr16(opt + 2, cp->mss);
	tcp->cksum = 0;
	sw_cksum_wr16((uint8_t *)&tcp->cksum,
		sw_l4_cksum(phdr, (const uint8_t *)tcp, tcp_len, IPPROTO_TCP));
	return (int)len;
}

int
sw_build_bare_rst(uint8_t *frame, const struct sw_pkt *p, struct sw_pkt *out)
{
	struct sw_tcp_hdr *tcp =
		(struct sw_tcp_hdr *)(void *)(frame + p->l4_off);
	struct sw_pkt q = *p;

	if (!(p->flags & SW_PKT_F_TCP) || p->l3 == SW_L3_OTHER)
		return -EINVAL;
	tcp->recv_ack = 0;
	tcp->data_off = (TCP_HDR / 4) << 4;
	tcp->tcp_flags = SW_TCP_RST;
	tcp->rx_win = 0;
	tcp->tcp_urp = 0;
	q.tcp_flags = SW_TCP_RST;
	q.ack = 0;
	q.window = 0;
	q.opt.present = 0;
	q.tcp_hdr_len = TCP_HDR;
	q.ip_end = (uint16_t)(p->l4_off + TCP_HDR);
	q.payload_off = q.ip_end;
	q.payload_len = 0;
	if (p->l3 == SW_L3_IPV4)
		((struct sw_ipv4_hdr *)(void *)(frame + p->l3_off))->total_length =
			htons((uint16_t)(q.ip_end - p->l3_off));
	else
		((struct sw_ipv6_hdr *)(void *)(frame + p->l3_off))->payload_len =
			htons((uint16_t)(q.ip_end - p->l3_off - IPV6_HDR));
	sw_pkt_cksum_set(frame, &q);
	*out = q;
	return q.ip_end;
}
