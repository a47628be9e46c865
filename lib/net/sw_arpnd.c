/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP and neighbour discovery: parsing what arrives, building what we
 * send. Builders copy their inputs first, so that they may point into
 * the frame being written (an answer built over the request).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sw_arpnd.h"
#include "sw_cksum.h"

#define ETH_HLEN	14
#define VLAN_HLEN	4
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd

#define ARP_LEN		28	/* RFC 826 for Ethernet / IPv4 */
#define ARP_HTYPE_ETH	1

#define IPV6_HLEN	40
#define PROTO_ICMPV6	58
#define ND_HOP_LIMIT	255	/* RFC 4861 §7.1: proves it is on-link */
#define ND_HLEN		24	/* type, code, sum, flags, target */
#define ND_OPT_SLLA	1	/* RFC 4861 §4.6.1 */
#define ND_OPT_TLLA	2
#define ND_OPT_LLA_LEN	8	/* type, length (in 8 bytes), Ethernet MAC */
#define NA_F_ROUTER	0x80	/* RFC 4861 §4.4 */
#define NA_F_SOLICITED	0x40
#define NA_F_OVERRIDE	0x20

int
sw_arp_parse(const uint8_t *frame, const struct sw_pkt *p, struct sw_arp *a)
{
	/* Where sw_parse() read the ethertype from; l3_off is 0 here. */
	const uint32_t off = ETH_HLEN + VLAN_HLEN * (uint32_t)p->n_vlan;
	const uint8_t *b;
	uint16_t op;

	if (p->l3 != SW_L3_OTHER || p->ethertype != SW_ETHERTYPE_ARP ||
			p->n_vlan > SW_VLAN_MAX || p->len < off ||
			p->len - off < ARP_LEN)
		return -EINVAL;
	b = frame + off;
	if (sw_cksum_rd16(b) != ARP_HTYPE_ETH ||
			sw_cksum_rd16(b + 2) != ETHERTYPE_IPV4 ||
			b[4] != 6 || b[5] != 4)
		return -EINVAL;
	op = sw_cksum_rd16(b + 6);
	if (op != SW_ARP_REQUEST && op != SW_ARP_REPLY)
		return -EINVAL;
	a->op = op;
	memcpy(a->sha, b + 8, 6);
	memcpy(a->spa, b + 14, 4);
	memcpy(a->tha, b + 18, 6);
	memcpy(a->tpa, b + 24, 4);
	return 0;
}

static void
eth_hdr(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t et)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	sw_cksum_wr16(f + 12, et);
}

int
sw_build_arp(uint8_t *frame, uint32_t cap, uint16_t op,
		const uint8_t eth_dst[6], const uint8_t sha[6],
		const uint8_t spa[4], const uint8_t tha[6],
		const uint8_t tpa[4])
{
	uint8_t dst[6], s_ha[6], s_pa[4], t_ha[6], t_pa[4];
	uint8_t *b = frame + ETH_HLEN;

	if (cap < SW_ARP_FRAME_LEN)
		return -ENOSPC;
	memcpy(dst, eth_dst, 6);
	memcpy(s_ha, sha, 6);
	memcpy(s_pa, spa, 4);
	memcpy(t_ha, tha, 6);
	memcpy(t_pa, tpa, 4);

	eth_hdr(frame, dst, s_ha, SW_ETHERTYPE_ARP);
	sw_cksum_wr16(b, ARP_HTYPE_ETH);
	sw_cksum_wr16(b + 2, ETHERTYPE_IPV4);
	b[4] = 6;
	b[5] = 4;
	sw_cksum_wr16(b + 6, op);
	memcpy(b + 8, s_ha, 6);
	memcpy(b + 14, s_pa, 4);
	memcpy(b + 18, t_ha, 6);
	memcpy(b + 24, t_pa, 4);
	/* IEEE 802.3 minimum frame (60 bytes before the FCS). */
	memset(b + ARP_LEN, 0, SW_ARP_FRAME_LEN - ETH_HLEN - ARP_LEN);
	return SW_ARP_FRAME_LEN;
}

static bool
ipv6_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* RFC 4291 §2.7.1: ff02::1:ff00:0/104. */
static const uint8_t snm_prefix[13] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
};

int
sw_nd_parse(const uint8_t *frame, const struct sw_pkt *p, struct sw_nd *nd)
{
	const uint32_t end = p->ip_end;
	const uint8_t *ip = frame + p->l3_off;
	const uint8_t *icmp = frame + p->l4_off;
	uint32_t len, off, olen;
	struct sw_nd n;
	uint8_t want;

	if (p->l3 != SW_L3_IPV6 || p->l4_proto != PROTO_ICMPV6 ||
			(p->flags & (SW_PKT_F_IPV6_EXT | SW_PKT_F_FRAG |
				SW_PKT_F_L4_NONE)))
		return -EINVAL;
	len = end - p->l4_off;
	if (len < ND_HLEN)
		return -EINVAL;
	if (ip[7] != ND_HOP_LIMIT ||
			(icmp[0] != SW_ND_NS && icmp[0] != SW_ND_NA) ||
			icmp[1] != 0)
		return -EINVAL;
	if (sw_l4_cksum_verify(sw_ipv6_phdr_sum(ip, PROTO_ICMPV6, len), icmp,
			len) != 0)
		return -EINVAL;
	if (icmp[8] == 0xff)	/* target multicast */
		return -EINVAL;

	memset(&n, 0, sizeof(n));
	n.type = icmp[0];
	memcpy(n.src, ip + 8, 16);
	memcpy(n.dst, ip + 24, 16);
	memcpy(n.target, icmp + 8, 16);
	if (n.type == SW_ND_NA) {
		n.router = icmp[4] & NA_F_ROUTER;
		n.solicited = icmp[4] & NA_F_SOLICITED;
		n.override = icmp[4] & NA_F_OVERRIDE;
		want = ND_OPT_TLLA;
	} else {
		want = ND_OPT_SLLA;
	}

	/*
	 * RFC 4861 §4.6: type, length in units of 8 bytes, never 0. An
	 * option is at least 8 bytes, so a shorter tail is malformed
	 * whatever its length byte says (and may not have one).
	 */
	for (off = p->l4_off + ND_HLEN; off < end; off += olen) {
		if (end - off < ND_OPT_LLA_LEN)
			return -EINVAL;
		olen = (uint32_t)frame[off + 1] * 8;
		if (olen == 0 || olen > end - off)
			return -EINVAL;
		if (frame[off] == want && !n.has_lla) {
			n.has_lla = true;
			memcpy(n.lla, frame + off + 2, 6);
		}
	}

	if (n.type == SW_ND_NS && ipv6_unspecified(n.src)) {
		/* RFC 4861 §7.1.1: duplicate address detection. */
		if (n.has_lla || memcmp(n.dst, snm_prefix,
				sizeof(snm_prefix)) != 0)
			return -EINVAL;
	}
	if (n.type == SW_ND_NA && n.solicited && n.dst[0] == 0xff)
		return -EINVAL;	/* RFC 4861 §7.1.2 */
	*nd = n;
	return 0;
}

/* IPv6 header of an ND message: class 0, flow 0, ICMPv6, hop limit 255. */
static void
nd_ipv6_hdr(uint8_t *ip, uint32_t icmp_len, const uint8_t src[16],
		const uint8_t dst[16])
{
	sw_cksum_wr32(ip, 0x60000000);
	sw_cksum_wr16(ip + 4, (uint16_t)icmp_len);
	ip[6] = PROTO_ICMPV6;
	ip[7] = ND_HOP_LIMIT;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

/* RFC 4443 §2.3: over the pseudo-header and the message. */
static void
icmp6_cksum_set(const uint8_t *ip, uint8_t *icmp, uint32_t len)
{
	sw_cksum_wr16(icmp + 2, 0);
	sw_cksum_wr16(icmp + 2, sw_cksum_finish(sw_cksum_sum(icmp, len,
			sw_ipv6_phdr_sum(ip, PROTO_ICMPV6, len))));
}

/* The ND header and, when `mac`, an LLA option of kind `opt`. */
static uint32_t
nd_body(uint8_t *icmp, uint8_t type, uint8_t flags, const uint8_t target[16],
		uint8_t opt, const uint8_t *mac)
{
	icmp[0] = type;
	icmp[1] = 0;
	icmp[4] = flags;
	icmp[5] = icmp[6] = icmp[7] = 0;
	memcpy(icmp + 8, target, 16);
	if (mac == NULL)
		return ND_HLEN;
	icmp[ND_HLEN] = opt;
	icmp[ND_HLEN + 1] = 1;
	memcpy(icmp + ND_HLEN + 2, mac, 6);
	return ND_HLEN + ND_OPT_LLA_LEN;
}

int
sw_build_ns(uint8_t *frame, uint32_t cap, const uint8_t src_mac[6],
		const uint8_t src_ip[16], const uint8_t target[16],
		const uint8_t *dst_mac)
{
	uint8_t smac[6], dmac[6], sip[16], dip[16], tgt[16];
	const bool dad = ipv6_unspecified(src_ip);
	const uint32_t icmp_len = ND_HLEN + (dad ? 0 : ND_OPT_LLA_LEN);
	uint8_t *ip = frame + ETH_HLEN;
	uint8_t *icmp = ip + IPV6_HLEN;

	if (cap < ETH_HLEN + IPV6_HLEN + icmp_len)
		return -ENOSPC;
	memcpy(smac, src_mac, 6);
	memcpy(sip, src_ip, 16);
	memcpy(tgt, target, 16);
	if (dst_mac == NULL) {
		/* RFC 4291 §2.7.1: the prefix and the low 24 bits. */
		memcpy(dip, snm_prefix, sizeof(snm_prefix));
		memcpy(dip + 13, tgt + 13, 3);
		/* RFC 2464 §7: 33:33 and the low 32 bits. */
		dmac[0] = 0x33;
		dmac[1] = 0x33;
		memcpy(dmac + 2, dip + 12, 4);
	} else {
		memcpy(dip, tgt, 16);
		memcpy(dmac, dst_mac, 6);
	}

	eth_hdr(frame, dmac, smac, ETHERTYPE_IPV6);
	nd_ipv6_hdr(ip, icmp_len, sip, dip);
	nd_body(icmp, SW_ND_NS, 0, tgt, ND_OPT_SLLA, dad ? NULL : smac);
	icmp6_cksum_set(ip, icmp, icmp_len);
	return (int)(ETH_HLEN + IPV6_HLEN + icmp_len);
}

int
sw_build_na(uint8_t *frame, uint32_t cap, const uint8_t src_mac[6],
		const uint8_t dst_mac[6], const uint8_t target[16],
		const uint8_t dst_ip[16], bool solicited)
{
	uint8_t smac[6], dmac[6], dip[16], tgt[16];
	const uint32_t icmp_len = ND_HLEN + ND_OPT_LLA_LEN;
	uint8_t *ip = frame + ETH_HLEN;
	uint8_t *icmp = ip + IPV6_HLEN;

	if (solicited && dst_ip[0] == 0xff)
		return -EINVAL;
	if (cap < SW_ND_FRAME_LEN)
		return -ENOSPC;
	memcpy(smac, src_mac, 6);
	memcpy(dmac, dst_mac, 6);
	memcpy(dip, dst_ip, 16);
	memcpy(tgt, target, 16);

	eth_hdr(frame, dmac, smac, ETHERTYPE_IPV6);
	nd_ipv6_hdr(ip, icmp_len, tgt, dip);
	/* RFC 4861 §7.2.4: O set, our answer overrides a cached MAC. */
	nd_body(icmp, SW_ND_NA, (uint8_t)(NA_F_OVERRIDE |
			(solicited ? NA_F_SOLICITED : 0)), tgt, ND_OPT_TLLA,
			smac);
	icmp6_cksum_set(ip, icmp, icmp_len);
	return SW_ND_FRAME_LEN;
}
