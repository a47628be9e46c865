/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parser: Ethernet, 802.1Q / QinQ, IPv4 | IPv6 (bounded extension
 * header walk), TCP with options, UDP ports. EAL-free, libc only.
 *
 * What it guarantees, so that the worker can trust a struct sw_pkt:
 *  - it never reads frame[len] or beyond;
 *  - on SW_PARSE_OK every offset is ordered and inside the datagram:
 *    l3_off < l4_off <= payload_off <= ip_end <= len (L3 frames), and
 *    ip_end < len exactly when SW_PKT_F_PADDED is set; bytes past ip_end
 *    (Ethernet padding, trailers) are never looked at;
 *  - IPv4 and IPv6 lengths are checked against each other and the frame,
 *    TCP data offset against the datagram, every TCP option length against
 *    the data offset and, for the options we use, against its RFC size.
 *
 * What it does not do: verify checksums (see sw_cksum.h, the NIC may have
 * done it), reassemble fragments, interpret IPv4 options. Non-IP frames are
 * SW_PARSE_OK with l3 == SW_L3_OTHER.
 *
 * Frames longer than UINT16_MAX bytes (impossible in one mbuf segment, whose
 * data_len is 16-bit) are looked at up to UINT16_MAX bytes only, so that all
 * offsets fit struct sw_pkt; a datagram that would end past that is refused.
 */
#ifndef SW_PARSE_H
#define SW_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Parse `len` bytes at `frame` into `p`.
 *
 * Returns SW_PARSE_OK (0) or the reason the frame is malformed. On error,
 * p->len and the fields of the layers before the failing one are set, the
 * rest is unspecified: callers count the error and drop.
 * The TCP option fields (p->opt) are valid when SW_PKT_F_TCP is set;
 * p->opt.sack[i] only for i < p->opt.n_sack.
 */
enum sw_parse_err sw_parse(struct sw_pkt *p, const uint8_t *frame,
		uint32_t len);

/*
 * The TCP options between frame offsets `off` and `end` (one past the
 * TCP header, end > off, both inside the datagram) into a zeroed `o`,
 * as sw_parse() does: first the fast path, which recognises the layouts
 * of Linux, Windows and macOS SYNs, NOP NOP TS and MSS alone (false:
 * not one of them, `o` untouched), then the full parser for the rest.
 * Both are exported so that tests can hold them to the same result.
 */
bool sw_parse_tcp_opts_fast(struct sw_tcp_opts *o, const uint8_t *frame,
		uint32_t off, uint32_t end);
enum sw_parse_err sw_parse_tcp_opts_full(struct sw_tcp_opts *o,
		const uint8_t *frame, uint32_t off, uint32_t end);

/*
 * An ICMP error that quotes a TCP segment (RFC 792, RFC 4443 §2.4): the
 * offsets of the quoted IP and TCP headers, of the same IP version as
 * the outer packet, with at least the first 8 TCP bytes (ports and
 * sequence number, RFC 5927 §4.1) inside the outer datagram.
 */
struct sw_icmp_quote {
	uint16_t ip_off;	/* frame offset of the quoted IP header */
	uint16_t tcp_off;	/* ... of the quoted TCP header */
	uint16_t tcp_len;	/* quoted TCP bytes present, >= 8 */
	uint8_t type;
	uint8_t code;
};

/*
 * 0 and `q` filled when `p` (SW_PARSE_OK) is an ICMPv4 destination
 * unreachable / time exceeded / parameter problem, or an ICMPv6
 * destination unreachable / packet too big / time exceeded / parameter
 * problem, quoting a first (or only) fragment of a TCP segment with no
 * IPv6 extension headers; -EINVAL otherwise. Reads nothing past ip_end.
 */
int sw_parse_icmp_quote(const uint8_t *frame, const struct sw_pkt *p,
		struct sw_icmp_quote *q);

/*
 * Short snake_case name of a parse result ("ok", "l2_trunc", "ipv4_ihl",
 * ...), stable, used as the counter name drop.<name>. "unknown" when `e`
 * is out of range.
 */
const char *sw_parse_err_name(enum sw_parse_err e);

#ifdef __cplusplus
}
#endif

#endif /* SW_PARSE_H */
