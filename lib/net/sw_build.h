/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replies built by rewriting a received frame in place: the SYN-ACK that
 * answers a SYN, the RST that answers a segment. EAL-free: the caller
 * passes the frame (with `cap` bytes of room), its parsed view and what
 * to put in; the return value is the new frame length.
 *
 * What is kept: the Ethernet header with MACs swapped, and VLAN tags.
 * What goes: IPv4 options, IPv6 extension headers, TCP payload, every
 * TCP option we do not choose to send (unknown ones are never
 * reflected; no TFO).
 */
#ifndef SW_BUILD_H
#define SW_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_pkt.h"

#define SW_WSCALE_NONE	0xff

struct sw_synack_params {
	uint32_t isn;		/* our ISN: the cookie */
	uint32_t tsval;		/* our TSval, when ts */
	uint16_t mss;		/* 0: no MSS option */
	uint8_t wscale;		/* SW_WSCALE_NONE: no window scale option */
	bool sack_ok;
	bool ts;		/* TSecr = the SYN's TSval */
	bool ecn;		/* RFC 3168 §6.1.1: ECE on the SYN-ACK */
	uint16_t window;
	uint8_t ttl;		/* IPv4 TTL / IPv6 hop limit */
	bool csum_offload;	/* leave the sums to the NIC (see below) */
};

/*
 * Rewrite the TCP SYN at `frame` into its SYN-ACK: addresses and ports
 * swapped, ack = SYN seq + 1 (a SYN's payload is not acknowledged),
 * flags SYN|ACK (|ECE). With csum_offload, the IPv4 header checksum is
 * left 0 and the TCP checksum holds the pseudo-header sum, as DPDK's
 * TX checksum offload expects; otherwise both are complete.
 * Returns the new frame length, or -EINVAL when `p` is not a TCP
 * segment over IPv4/IPv6 or `cap` is too small.
 */
int sw_build_synack(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_synack_params *sp);

/*
 * Rewrite the TCP segment at `frame` (parsed as `p`) into the ICMP error
 * a router sends for a datagram too big for its next hop: ICMPv4
 * destination unreachable, fragmentation needed (RFC 792, RFC 1191 §4)
 * or ICMPv6 packet too big (RFC 4443 §3.2), announcing `mtu`, from the
 * segment's destination to its source, MACs swapped, VLAN tags kept,
 * quoting the datagram's start (at most 576 / 1280 bytes in all, RFC
 * 1812 §4.3.2.3, RFC 4443 §2.4). Checksums complete. Returns the new
 * frame length, or -EINVAL (not TCP over IP, `mtu` over 65535, or
 * `cap` too small).
 */
int sw_build_ptb(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		uint32_t mtu, uint8_t ttl);

/*
 * Rewrite the segment at `frame` into the RST that answers it
 * (RFC 9293 §3.10.7.1): with ACK set on the segment, seq = SEG.ACK and
 * no ACK; otherwise seq 0, ack = SEG.SEQ + SEG.LEN, flags RST|ACK.
 */
int sw_build_rst(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		uint8_t ttl, bool csum_offload);

/* A SYN synwall sends on behalf of a client (the backend SYN). */
struct sw_syn_params {
	uint32_t isn;		/* the client's ISN */
	uint32_t tsval;		/* the client's TSval, when ts */
	uint16_t mss;		/* 0: no MSS option */
	uint8_t wscale;		/* SW_WSCALE_NONE: no window scale option */
	bool sack_ok;
	bool ts;		/* TSecr 0 */
	bool ecn;		/* RFC 3168 §6.1.1: ECE|CWR */
	uint16_t window;
};

/*
 * Write into `dst` (`cap` bytes) the SYN the client of segment `src`
 * (parsed as `p`) would have sent: same Ethernet header and VLAN tags,
 * same addresses, ports, TTL and IPv4 ID, no IP options or extension
 * headers, the options in `sp`, both checksums complete. Returns the
 * frame length or -EINVAL.
 */
int sw_build_syn(uint8_t *dst, uint32_t cap, const uint8_t *src,
		const struct sw_pkt *p, const struct sw_syn_params *sp);

/* A bare ACK synwall answers a segment with (challenge ACK, re-ACK). */
struct sw_ack_params {
	uint32_t seq;
	uint32_t ack;
	uint16_t window;
	bool ts;
	uint32_t tsval;
	uint32_t tsecr;
	uint8_t ttl;
	bool csum_offload;
};

/*
 * Rewrite the segment at `frame` into an ACK back to its sender: MACs,
 * addresses and ports swapped, flags ACK, an optional timestamp.
 */
int sw_build_ack(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_ack_params *ap);

/*
 * The same ACK carrying `dlen` bytes of `data` (flags ACK|PSH): what
 * synwall sends a server in the client's name when the connection
 * starts with a PROXY protocol header (lib/net/sw_pp.h). `data` must
 * not lie in `frame`.
 */
int sw_build_ack_data(uint8_t *frame, uint32_t cap, const struct sw_pkt *p,
		const struct sw_ack_params *ap, const uint8_t *data,
		uint16_t dlen);

/* A health check's SYN: from synwall's own address to a backend. */
struct sw_check_syn_params {
	uint8_t family;		/* AF_INET or AF_INET6 */
	const uint8_t *src;	/* 4 or 16 bytes, network order */
	const uint8_t *dst;
	uint16_t sport_be;	/* network order */
	uint16_t dport_be;
	uint32_t seq;
	uint16_t mss;
	uint16_t window;
	uint8_t ttl;
};

/*
 * Write a SYN with one MSS option into `frame` (`cap` bytes): Ethernet
 * addresses zero (the caller resolves the next hop), DF, checksums
 * complete. Returns the frame length or -EINVAL.
 */
int sw_build_check_syn(uint8_t *frame, uint32_t cap,
		const struct sw_check_syn_params *cp);

/*
 * Rewrite a RST segment in place into a bare one: seq kept; no ACK, no
 * options, no payload, window 0; IP length and checksums redone. *out is
 * the parse of the result. Returns the new frame length or -EINVAL.
 */
int sw_build_bare_rst(uint8_t *frame, const struct sw_pkt *p,
		struct sw_pkt *out);

#endif /* SW_BUILD_H */
