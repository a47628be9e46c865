/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net's typed headers (sw_hdr.h) against DPDK's own (rte_ether.h,
 * rte_ip.h, rte_tcp.h): the same size and every field at the same
 * offset, so code written against either reads the same bytes. Only
 * DPDK's headers are used: no EAL, no DPDK library.
 */
#include <stddef.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "sw_hdr.h"
#include "sw_test.h"

#define SAME(sw, rte, f) \
	SW_CHECK_EQ(offsetof(struct sw, f), offsetof(struct rte, f))
#define SAME2(sw, swf, rte, rtef) \
	SW_CHECK_EQ(offsetof(struct sw, swf), offsetof(struct rte, rtef))

static void
test_ether(void)
{
	SW_CHECK_EQ(sizeof(struct sw_ether_hdr), sizeof(struct rte_ether_hdr));
	SAME(sw_ether_hdr, rte_ether_hdr, dst_addr);
	SAME(sw_ether_hdr, rte_ether_hdr, src_addr);
	SAME(sw_ether_hdr, rte_ether_hdr, ether_type);
	SW_CHECK_EQ(SW_ETHER_TYPE_IPV4, RTE_ETHER_TYPE_IPV4);
	SW_CHECK_EQ(SW_ETHER_TYPE_IPV6, RTE_ETHER_TYPE_IPV6);
	SW_CHECK_EQ(SW_ETHER_TYPE_ARP, RTE_ETHER_TYPE_ARP);
}

static void
test_ipv4(void)
{
	SW_CHECK_EQ(sizeof(struct sw_ipv4_hdr), sizeof(struct rte_ipv4_hdr));
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, version_ihl);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, type_of_service);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, total_length);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, packet_id);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, fragment_offset);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, time_to_live);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, next_proto_id);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, hdr_checksum);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, src_addr);
	SAME(sw_ipv4_hdr, rte_ipv4_hdr, dst_addr);
	SW_CHECK_EQ(SW_IPV4_VHL_DEF, RTE_IPV4_VHL_DEF);
	SW_CHECK_EQ(SW_IPV4_DF, RTE_IPV4_HDR_DF_FLAG);
}

static void
test_ipv6(void)
{
	SW_CHECK_EQ(sizeof(struct sw_ipv6_hdr), sizeof(struct rte_ipv6_hdr));
	SAME(sw_ipv6_hdr, rte_ipv6_hdr, vtc_flow);
	SAME(sw_ipv6_hdr, rte_ipv6_hdr, payload_len);
	SAME(sw_ipv6_hdr, rte_ipv6_hdr, proto);
	SAME(sw_ipv6_hdr, rte_ipv6_hdr, hop_limits);
	SAME(sw_ipv6_hdr, rte_ipv6_hdr, src_addr);
	SAME(sw_ipv6_hdr, rte_ipv6_hdr, dst_addr);
}

static void
test_tcp(void)
{
	SW_CHECK_EQ(sizeof(struct sw_tcp_hdr), sizeof(struct rte_tcp_hdr));
	SAME(sw_tcp_hdr, rte_tcp_hdr, src_port);
	SAME(sw_tcp_hdr, rte_tcp_hdr, dst_port);
	SAME(sw_tcp_hdr, rte_tcp_hdr, sent_seq);
	SAME(sw_tcp_hdr, rte_tcp_hdr, recv_ack);
	SAME(sw_tcp_hdr, rte_tcp_hdr, data_off);
	SAME(sw_tcp_hdr, rte_tcp_hdr, tcp_flags);
	SAME(sw_tcp_hdr, rte_tcp_hdr, rx_win);
	SAME(sw_tcp_hdr, rte_tcp_hdr, cksum);
	SAME(sw_tcp_hdr, rte_tcp_hdr, tcp_urp);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "ether", test_ether },
		{ "ipv4", test_ipv4 },
		{ "ipv6", test_ipv6 },
		{ "tcp", test_tcp },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
