/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Translation helpers for the lb mode, where synwall is an L3 hop:
 * destination NAT of client -> backend segments (VIP:vport ->
 * backend:port), source NAT of backend -> client segments (the reverse),
 * the ICMP errors that quote a translated segment, the TTL decrement of
 * a router and the Ethernet header of a routed frame. EAL-free, no
 * allocation; frames are rewritten in place, their length and offsets do
 * not change, so the struct sw_pkt stays valid.
 *
 * Checksums are updated incrementally, never re-summed (RFC 1624 eqn. 3,
 * HC' = ~(~HC + ~m + m'), summed over every changed 16-bit word): the
 * cost does not depend on the payload, and a checksum that arrived wrong
 * leaves wrong by exactly the same amount, so the end host still drops
 * the corrupted segment instead of our "repairing" it.
 *
 * Conventions: `addr` is network order, 4 bytes for IPv4 and 16 for
 * IPv6 (the family of the packet, p->l3); `port_be` is the port in
 * network order (the value a 16-bit load of the header field gives on
 * this host, e.g. rte_cpu_to_be_16(8080)). `frame` and `p` are as given
 * to / filled by sw_parse() (SW_PARSE_OK).
 */
#ifndef SW_NAT_H
#define SW_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sw_cksum.h"
#include "sw_parse.h"
#include "sw_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a checksum sees when `len` bytes (even) of the data it covers
 * change from `old` to `new_v` at an even offset: the sum of ~m + m'
 * over their words (RFC 1624 eqn. 3), as a running sum below 2^17.
 * Sum(~m) = ~Sum(m) in ones' complement, so one sum of each side does.
 */
static inline uint32_t
sw_nat_delta(const void *old, const void *new_v, size_t len)
{
	return (uint32_t)(uint16_t)~sw_cksum_sum(old, len, 0) +
		sw_cksum_sum(new_v, len, 0);
}

/* RFC 1624 eqn. 3: the checksum after changes whose deltas sum to `d`. */
static inline uint16_t
sw_nat_cksum_adjust(uint16_t cksum, uint32_t d)
{
	return sw_cksum_finish((uint32_t)(uint16_t)~cksum + d);
}

/*
 * Rewrite the destination (dst) or source address and port of a parsed
 * TCP segment (SW_PKT_F_TCP set: the ports are in this frame) to `addr`
 * and `port_be`. Updates the IPv4 header checksum (address) and the TCP
 * checksum (the address is in the pseudo-header, RFC 9293 §3.1 /
 * RFC 8200 §8.1; the port in the header). A first fragment is fine: its
 * TCP checksum field covers the reassembled segment and moves by the
 * same delta. IPv6: the pseudo-header destination is taken to be the
 * IPv6 destination, i.e. no routing header with segments left (the
 * caller does not translate those).
 */
static inline void
sw_nat_tcp(uint8_t *frame, const struct sw_pkt *p, bool dst,
		const uint8_t *addr, uint16_t port_be)
{
	uint8_t *ip = frame + p->l3_off;
	uint8_t *tcp = frame + p->l4_off;
	uint8_t *ck = tcp + SW_TCP_CKSUM_OFF;
	uint8_t *port = tcp + (dst ? 2 : 0);
	uint8_t *field;
	uint32_t d;

	if (p->l3 == SW_L3_IPV4) {
		uint8_t *ipck = ip + SW_IPV4_CKSUM_OFF;

		field = ip + (dst ? 16 : 12);
		d = sw_nat_delta(field, addr, 4);
		sw_cksum_wr16(ipck, sw_nat_cksum_adjust(sw_cksum_rd16(ipck),
				d));
		memmove(field, addr, 4);
	} else {
		field = ip + (dst ? 24 : 8);
		d = sw_nat_delta(field, addr, 16);
		memmove(field, addr, 16);
	}
	/* Both ports sit at even offsets of the TCP header. */
	d += sw_nat_delta(port, &port_be, 2);
	sw_cksum_wr16(ck, sw_nat_cksum_adjust(sw_cksum_rd16(ck), d));
	memcpy(port, &port_be, 2);
}

/*
 * Full NAT (lb mode, nat = snat): both ends of a parsed TCP segment at
 * once, the source to `saddr`:`sport_be` and the destination to
 * `daddr`:`dport_be`. One incremental update of each checksum over both
 * addresses (adjacent in both headers) and both ports (adjacent too),
 * so it costs little more than sw_nat_tcp() of one end. As sw_nat_tcp()
 * for fragments and routing headers.
 */
static inline void
sw_nat_tcp_full(uint8_t *frame, const struct sw_pkt *p, const uint8_t *saddr,
		uint16_t sport_be, const uint8_t *daddr, uint16_t dport_be)
{
	uint8_t *ip = frame + p->l3_off;
	uint8_t *tcp = frame + p->l4_off;
	uint8_t *ck = tcp + SW_TCP_CKSUM_OFF;
	uint8_t addrs[32], ports[4];
	uint32_t d;

	memcpy(ports, &sport_be, 2);
	memcpy(ports + 2, &dport_be, 2);
	if (p->l3 == SW_L3_IPV4) {
		uint8_t *ipck = ip + SW_IPV4_CKSUM_OFF;

		memcpy(addrs, saddr, 4);
		memcpy(addrs + 4, daddr, 4);
		d = sw_nat_delta(ip + 12, addrs, 8);
		sw_cksum_wr16(ipck, sw_nat_cksum_adjust(sw_cksum_rd16(ipck),
				d));
		memcpy(ip + 12, addrs, 8);
	} else {
		memcpy(addrs, saddr, 16);
		memcpy(addrs + 16, daddr, 16);
		d = sw_nat_delta(ip + 8, addrs, 32);
		memcpy(ip + 8, addrs, 32);
	}
	d += sw_nat_delta(tcp, ports, 4);
	sw_cksum_wr16(ck, sw_nat_cksum_adjust(sw_cksum_rd16(ck), d));
	memcpy(tcp, ports, 4);
}

/*
 * A router's decrement of the IPv4 TTL / IPv6 hop limit (RFC 1812
 * §5.3.1, RFC 8200 §3), the IPv4 header checksum updated incrementally
 * (RFC 1624 §4: TTL and protocol form one 16-bit word). Returns false,
 * the frame untouched, when the TTL / hop limit is 0 or 1 (the caller
 * drops it) or the frame is not IP.
 */
static inline bool
sw_nat_ttl_dec(uint8_t *frame, const struct sw_pkt *p)
{
	uint8_t *ip = frame + p->l3_off;

	if (p->l3 == SW_L3_IPV4) {
		uint8_t *ck = ip + SW_IPV4_CKSUM_OFF;
		uint16_t old = sw_cksum_rd16(ip + 8);

		if (ip[8] <= 1)
			return false;
		ip[8]--;
		sw_cksum_wr16(ck, sw_cksum_update16(sw_cksum_rd16(ck), old,
				sw_cksum_rd16(ip + 8)));
		return true;
	}
	if (p->l3 == SW_L3_IPV6) {
		if (ip[7] <= 1)
			return false;
		ip[7]--;	/* no header checksum in IPv6 */
		return true;
	}
	return false;
}

/* Set the Ethernet destination and source MACs; VLAN tags are kept. */
static inline void
sw_eth_set(uint8_t *frame, const uint8_t dst[6], const uint8_t src[6])
{
	memmove(frame, dst, 6);
	memmove(frame + 6, src, 6);
}

/*
 * Translate an ICMP error quoting a TCP segment (`q` from
 * sw_parse_icmp_quote() on the same frame), in the family of the packet.
 *
 * outer_dst: the error is about a packet we sent translated (an error
 * from the outside about a backend -> client segment we gave the VIP as
 * source): the outer destination and the quoted segment's SOURCE
 * address and port become `addr` / `port_be` (the backend's).
 * !outer_dst: the error is from the inside about a segment we sent to a
 * backend: the outer source and the quoted DESTINATION address and port
 * become `addr` / `port_be` (the VIP's).
 *
 * Updated incrementally: the outer IPv4 header checksum; the quoted IPv4
 * header's checksum; the ICMPv4 checksum (RFC 792: over the ICMP message,
 * i.e. the quote) or the ICMPv6 checksum (RFC 4443 §2.3: over a
 * pseudo-header with the outer addresses, and the message).
 *
 * Not updated: the quoted TCP checksum. Routers usually quote only the
 * first 8 TCP bytes (RFC 792), which do not hold it, and no receiver
 * checks it (the error is matched on addresses, ports and sequence
 * number, RFC 5927 §4.1); where present it keeps the old pseudo-header's
 * value. The ICMP checksum does account for the bytes as they are.
 */
void sw_nat_icmp(uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, bool outer_dst,
		const uint8_t *addr, uint16_t port_be);

/*
 * sw_nat_icmp(), and the quote's other end too (full NAT, nat = snat):
 * the quoted destination (outer_dst) or source address and port become
 * `peer` / `peer_port_be`. With outer_dst, an error from the outside
 * about a VIP -> client segment becomes one about the backend's segment
 * to synwall's snat_address and local port, as the backend sent it. The
 * outer source (the router that sent it) is kept. peer NULL: as
 * sw_nat_icmp().
 */
void sw_nat_icmp_full(uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, bool outer_dst,
		const uint8_t *addr, uint16_t port_be, const uint8_t *peer,
		uint16_t peer_port_be);

#ifdef __cplusplus
}
#endif

#endif /* SW_NAT_H */
