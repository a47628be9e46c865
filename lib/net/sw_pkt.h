/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet view: what the parser learned about one frame.
 *
 * The parser (sw_parse) is the front door of the data path. It reads a
 * frame of `len` bytes, never past `len`, and either fills a struct sw_pkt
 * or returns the reason the frame is malformed. It needs no EAL and no
 * mbuf: the worker hands it rte_pktmbuf_mtod() and the data length.
 *
 * All offsets are from the first byte of the frame. Multi-byte header
 * fields stay in network order in the frame; the values copied into the
 * view are in host order unless the field name ends in _be.
 */
#ifndef SW_PKT_H
#define SW_PKT_H

#include <stdint.h>

#define SW_VLAN_MAX		2	/* 802.1Q, or QinQ (802.1ad + 802.1Q) */
#define SW_IPV6_EXT_MAX		8	/* extension headers walked before giving up */
#define SW_SACK_MAX		4	/* SACK blocks that fit in 40 option bytes */

enum sw_l3 {
	SW_L3_OTHER = 0,	/* not IP (ARP, LLDP, ...): no L3 fields set */
	SW_L3_IPV4,
	SW_L3_IPV6,
};

/* Bits of sw_pkt.flags */
#define SW_PKT_F_IPV4_OPT	(1u << 0)	/* IPv4 header has options */
#define SW_PKT_F_FRAG		(1u << 1)	/* IPv4 MF/offset, or IPv6 frag hdr */
#define SW_PKT_F_FRAG_FIRST	(1u << 2)	/* ... and it is the first fragment */
#define SW_PKT_F_IPV6_EXT	(1u << 3)	/* IPv6 extension headers present */
#define SW_PKT_F_PADDED		(1u << 4)	/* bytes after the IP datagram */
#define SW_PKT_F_TCP		(1u << 5)	/* TCP header parsed (tcp_* valid) */
#define SW_PKT_F_L4_NONE	(1u << 6)	/* no L4 header: non-first fragment,
						 * or IPv6 No Next Header (59) */
#define SW_PKT_F_UDP		(1u << 7)	/* UDP header parsed (ports valid) */

/* Bits of sw_tcp_opts.present */
#define SW_TCPOPT_F_MSS		(1u << 0)
#define SW_TCPOPT_F_WSCALE	(1u << 1)
#define SW_TCPOPT_F_SACKOK	(1u << 2)
#define SW_TCPOPT_F_SACK	(1u << 3)
#define SW_TCPOPT_F_TS		(1u << 4)
#define SW_TCPOPT_F_UNKNOWN	(1u << 5)	/* any other kind seen */
#define SW_TCPOPT_F_FASTOPEN	(1u << 6)	/* kind 34 (RFC 7413) */

/* TCP flag bits as in the header's 13th byte */
#define SW_TCP_FIN	0x01
#define SW_TCP_SYN	0x02
#define SW_TCP_RST	0x04
#define SW_TCP_PSH	0x08
#define SW_TCP_ACK	0x10
#define SW_TCP_URG	0x20
#define SW_TCP_ECE	0x40
#define SW_TCP_CWR	0x80

struct sw_tcp_opts {
	uint16_t present;	/* SW_TCPOPT_F_* */
	uint16_t mss;
	uint8_t wscale;		/* as sent (may exceed 14; RFC 7323 says clamp) */
	uint8_t n_sack;		/* SACK blocks of all SACK options, <= SW_SACK_MAX */
	uint16_t ts_off;	/* frame offset of the TSval field, 0 if none */
	uint32_t tsval;
	uint32_t tsecr;
	/*
	 * Every block of every SACK option, in order (a segment may carry
	 * more than one option; 40 option bytes hold 4 blocks at most):
	 * left, right edges and the frame offset of the left one. Only
	 * i < n_sack is written.
	 */
	uint32_t sack[SW_SACK_MAX][2];
	uint16_t sack_off[SW_SACK_MAX];
};

struct sw_pkt {
	uint32_t len;		/* frame length handed to the parser */
	uint16_t flags;		/* SW_PKT_F_* */
	uint16_t ethertype;	/* innermost, host order */
	uint8_t n_vlan;
	uint8_t l3;		/* enum sw_l3 */
	uint8_t l4_proto;	/* IPPROTO_* of the last header; 0 if L3_OTHER */
	uint8_t tcp_flags;	/* SW_TCP_* */
	uint16_t vlan_tci[SW_VLAN_MAX];	/* outermost first, host order */
	uint16_t l3_off;	/* first byte of the IP header */
	uint16_t l4_off;	/* first byte after IPv4 opts / IPv6 ext hdrs */
	uint16_t ip_end;	/* one past the IP datagram (ip_end <= len) */
	uint16_t ip_hdr_len;	/* IPv4 IHL*4, or 40 for IPv6 (no ext) */
	uint16_t tcp_hdr_len;	/* data offset * 4 */
	uint16_t payload_off;	/* first byte of TCP (or UDP) payload */
	uint16_t payload_len;	/* L4 payload bytes (ip_end - payload_off) */
	uint16_t src_port;	/* host order, TCP (and UDP) */
	uint16_t dst_port;
	uint32_t seq;		/* host order */
	uint32_t ack;
	uint16_t window;
	struct sw_tcp_opts opt;	/* valid when SW_PKT_F_TCP */
};

/*
 * Why a frame was refused. Stable: the names are counter names in
 * /synwall/stats (drop.<name>).
 */
enum sw_parse_err {
	SW_PARSE_OK = 0,
	SW_PARSE_L2_TRUNC,	/* shorter than Ethernet header or VLAN tag */
	SW_PARSE_VLAN_DEPTH,	/* more than SW_VLAN_MAX tags */
	SW_PARSE_IPV4_TRUNC,	/* frame ends inside the fixed IPv4 header */
	SW_PARSE_IPV4_VERSION,	/* version field is not 4 */
	SW_PARSE_IPV4_IHL,	/* IHL < 5, or header past total length */
	SW_PARSE_IPV4_TOTLEN,	/* total length < 20 or > frame */
	SW_PARSE_IPV6_TRUNC,	/* frame ends inside the fixed IPv6 header */
	SW_PARSE_IPV6_VERSION,
	SW_PARSE_IPV6_PLEN,	/* payload length past the frame, or jumbo */
	SW_PARSE_IPV6_EXT_TRUNC,	/* ext header cut short */
	SW_PARSE_IPV6_EXT_DEPTH,	/* more than SW_IPV6_EXT_MAX ext headers */
	SW_PARSE_TCP_TRUNC,	/* datagram ends inside the TCP header */
	SW_PARSE_TCP_DOFF,	/* data offset < 5 or past datagram */
	SW_PARSE_TCP_OPT,	/* option length 0/1/overrun, or wrong size */
	SW_PARSE_UDP_TRUNC,	/* datagram ends inside the UDP header */
	SW_PARSE_ERR_MAX
};

#endif /* SW_PKT_H */
