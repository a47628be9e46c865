/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed protocol headers, DPDK-free mirrors of rte_ether.h, rte_ip.h and
 * rte_tcp.h (same field names, layout and network byte order; the unit
 * test test_hdr checks the layouts against DPDK's). Builders and the
 * engine write headers through these rather than through byte offsets.
 */
#ifndef SW_HDR_H
#define SW_HDR_H

#include <assert.h>
#include <stdint.h>

#define SW_ETHER_TYPE_IPV4	0x0800
#define SW_ETHER_TYPE_IPV6	0x86dd
#define SW_ETHER_TYPE_ARP	0x0806

struct sw_ether_hdr {
	uint8_t dst_addr[6];
	uint8_t src_addr[6];
	uint16_t ether_type;		/* network order */
} __attribute__((packed, aligned(2)));

struct sw_ipv4_hdr {
	uint8_t version_ihl;
	uint8_t type_of_service;
	uint16_t total_length;
	uint16_t packet_id;
	uint16_t fragment_offset;	/* flags and offset */
	uint8_t time_to_live;
	uint8_t next_proto_id;
	uint16_t hdr_checksum;
	uint32_t src_addr;
	uint32_t dst_addr;
} __attribute__((packed));

#define SW_IPV4_VHL_DEF		0x45	/* version 4, 20-byte header */
#define SW_IPV4_DF		0x4000	/* in fragment_offset, host order */

struct sw_ipv6_hdr {
	uint32_t vtc_flow;		/* version, class, flow label */
	uint16_t payload_len;
	uint8_t proto;
	uint8_t hop_limits;
	uint8_t src_addr[16];
	uint8_t dst_addr[16];
} __attribute__((packed));

#define SW_IPV6_VTC_DEF		0x60000000u	/* class 0, label 0 */

struct sw_tcp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t sent_seq;
	uint32_t recv_ack;
	uint8_t data_off;		/* header length in words << 4 */
	uint8_t tcp_flags;
	uint16_t rx_win;
	uint16_t cksum;
	uint16_t tcp_urp;
} __attribute__((packed));

static_assert(sizeof(struct sw_ether_hdr) == 14, "Ethernet header");
static_assert(sizeof(struct sw_ipv4_hdr) == 20, "IPv4 header");
static_assert(sizeof(struct sw_ipv6_hdr) == 40, "IPv6 header");
static_assert(sizeof(struct sw_tcp_hdr) == 20, "TCP header");

#endif /* SW_HDR_H */
