/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861 NS/NA) for the lb
 * mode, where synwall owns addresses and resolves its neighbours' MACs:
 * parse what arrives, build what we send. EAL-free, no allocation.
 *
 * Parsers take `frame` and the `p` sw_parse() filled (SW_PARSE_OK) and
 * never read past p->len (ARP) or p->ip_end (ND); they return 0 or
 * -EINVAL. Builders write a complete untagged Ethernet frame into
 * `frame` (`cap` bytes) and return its length, or -ENOSPC when `cap` is
 * too small (nothing written). Addresses are network order.
 */
#ifndef SW_ARPND_H
#define SW_ARPND_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SW_ETHERTYPE_ARP	0x0806
#define SW_ARP_REQUEST		1
#define SW_ARP_REPLY		2
#define SW_ARP_FRAME_LEN	60	/* 42 bytes, padded to the minimum */

#define SW_ND_NS		135
#define SW_ND_NA		136
#define SW_ND_FRAME_LEN		86	/* Ethernet + IPv6 + 24 + LLA option */

/* An Ethernet/IPv4 ARP packet (RFC 826); op is host order. */
struct sw_arp {
	uint16_t op;
	uint8_t sha[6];
	uint8_t spa[4];
	uint8_t tha[6];
	uint8_t tpa[4];
};

/*
 * Parse the ARP packet of a frame sw_parse() passed as SW_L3_OTHER with
 * ethertype 0x0806. sw_parse() leaves l3_off 0 for non-IP frames, so the
 * ARP header is taken to start after the Ethernet header and its
 * p->n_vlan tags, where sw_parse() found the ethertype. Accepts only
 * htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4 and op 1 or 2, with
 * all 28 bytes within p->len (Ethernet padding after them is ignored).
 */
int sw_arp_parse(const uint8_t *frame, const struct sw_pkt *p,
		struct sw_arp *a);

/*
 * An untagged Ethernet ARP frame from sha (also the Ethernet source),
 * padded with zeros to 60 bytes. The caller chooses: a request goes to
 * eth_dst ff:ff:ff:ff:ff:ff with tha zero (RFC 826 leaves it unused; a
 * unicast probe of a stale entry uses the known MAC as eth_dst), a reply
 * to the requester's MAC. Returns 60 or -ENOSPC.
 */
int sw_build_arp(uint8_t *frame, uint32_t cap, uint16_t op,
		const uint8_t eth_dst[6], const uint8_t sha[6],
		const uint8_t spa[4], const uint8_t tha[6],
		const uint8_t tpa[4]);

/* A validated neighbour solicitation or advertisement. */
struct sw_nd {
	uint8_t type;		/* SW_ND_NS or SW_ND_NA */
	uint8_t src[16];	/* IPv6 source and destination */
	uint8_t dst[16];
	uint8_t target[16];
	bool has_lla;		/* NS: source LLA option; NA: target LLA */
	uint8_t lla[6];
	bool solicited;		/* NA flags; false for an NS */
	bool override;
	bool router;
};

/*
 * Validate and parse an NS or NA (RFC 4861 §7.1.1 / §7.1.2): hop limit
 * 255, code 0, ICMP length >= 24, ICMPv6 checksum right, target not
 * multicast, every option of length > 0 and inside the datagram; an NS
 * from :: has no source LLA option and goes to a solicited-node
 * multicast address; an NA to a multicast address has S clear. Also
 * refused: any IPv6 extension header (RFC 6980 §5 forbids fragments in
 * ND, atomic ones included; ND needs no other). The first LLA option of
 * the right kind (1 for NS, 2 for NA) of at least 8 bytes fills lla;
 * other options are skipped (RFC 4861 §4.6). Returns 0 or -EINVAL.
 */
int sw_nd_parse(const uint8_t *frame, const struct sw_pkt *p,
		struct sw_nd *nd);

/*
 * A neighbour solicitation for `target` from src_mac / src_ip, hop limit
 * 255, ICMPv6 checksum set. dst_mac NULL: multicast to the target's
 * solicited-node address ff02::1:ffXX:XXXX (RFC 4291 §2.7.1), Ethernet
 * 33:33:ff:XX:XX:XX (RFC 2464 §7), for a resolution; otherwise unicast to
 * the target at dst_mac (RFC 4861 §7.3.3 probe). With the source LLA
 * option, unless src_ip is :: (RFC 4861 §4.3: then it MUST NOT be there;
 * 78 bytes). Returns 86 (78) or -ENOSPC.
 */
int sw_build_ns(uint8_t *frame, uint32_t cap, const uint8_t src_mac[6],
		const uint8_t src_ip[16], const uint8_t target[16],
		const uint8_t *dst_mac);

/*
 * A neighbour advertisement for our address `target` (also the IPv6
 * source) from src_mac to dst_mac / dst_ip: R 0, O 1, S as given, target
 * LLA option src_mac, hop limit 255, checksum set. The caller picks the
 * destination (RFC 4861 §7.2.4): the soliciting node's address with S
 * set, or, answering an NS from ::, ff02::1 (Ethernet 33:33:00:00:00:01)
 * with S clear. Returns 86, -ENOSPC, or -EINVAL for S set to a multicast
 * dst_ip (RFC 4861 §7.1.2: receivers drop that).
 */
int sw_build_na(uint8_t *frame, uint32_t cap, const uint8_t src_mac[6],
		const uint8_t dst_mac[6], const uint8_t target[16],
		const uint8_t dst_ip[16], bool solicited);

#ifdef __cplusplus
}
#endif

#endif /* SW_ARPND_H */
