/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ARP and neighbour discovery (lib/net/sw_arpnd.c): built
 * frames against byte vectors written from the RFCs (exp_* below),
 * build -> sw_parse -> sw_arp_parse / sw_nd_parse round trips, scapy's
 * ARP vectors (vectors.h), every RFC 4861 §7.1 rejection, and every
 * truncation. Parsers always get an exactly-sized heap copy, so under
 * ASan a read past the frame fails the test. No EAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_arpnd.h"
#include "sw_cksum.h"
#include "sw_parse.h"

#include "sw_test.h"
#include "vectors.h"

#define BUF		256
#define NOT_PARSED	(-1000)	/* sw_parse() refused the frame */

/* Documentation addresses only (RFC 5737, RFC 3849). */
static const uint8_t me_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t nb_mac[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];
static const uint8_t me4[4] = { 198, 51, 100, 1 };
static const uint8_t nb4[4] = { 198, 51, 100, 11 };
/* 2001:db8:100::1, 2001:db8:100::11 */
static const uint8_t me6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
	[15] = 0x01 };
static const uint8_t nb6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
	[15] = 0x11 };
static const uint8_t any6[16];
/* ff02::1, all nodes (RFC 4291 §2.7.1) */
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
/* 2001:db8:100::ab:cdef:1234: byte 12 (0xcd) is outside the low 24 bits */
static const uint8_t tgt6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
	0, 0, 0, 0, 0x00, 0xab, 0xcd, 0xef, 0x12, 0x34 };
/*
 * Its solicited-node address, by hand from RFC 4291 §2.7.1
 * (FF02:0:0:0:0:1:FF00::/104 and the low 24 bits, ef:1234):
 * ff02::1:ffef:1234; and RFC 2464 §7's MAC, 33:33 + its low 32 bits.
 */
static const uint8_t tgt6_snm[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0x01, 0xff, 0xef, 0x12, 0x34 };
static const uint8_t tgt6_snm_mac[6] = { 0x33, 0x33, 0xff, 0xef, 0x12, 0x34 };

/*
 * Expected frames, written field by field from RFC 826 / RFC 4861 §4.3,
 * §4.4 with the ICMPv6 sum computed by a separate Python script (not
 * from this code): sw_build_ns(me_mac, me6, tgt6, NULL),
 * sw_build_na(me_mac, nb_mac, me6, nb6, solicited), and
 * sw_build_arp(request, bcast, me_mac, me4, zero, nb4).
 */
static const uint8_t exp_ns[86] = {
	0x33, 0x33, 0xff, 0xef, 0x12, 0x34, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01,
	0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0xff, 0xef, 0x12, 0x34, 0x87, 0x00, 0x26, 0x39, 0x00, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xab, 0xcd, 0xef, 0x12, 0x34, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x01,
};

static const uint8_t exp_na[86] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x11, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01,
	0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x88, 0x00, 0x87, 0x64, 0x60, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x01,
};

static const uint8_t exp_arp[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x01, 0xc6, 0x33, 0x64, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc6, 0x33, 0x64, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* sw_parse then sw_arp_parse, on an exactly-sized copy of the frame. */
static int
arp_parse_copy(const uint8_t *frame, uint32_t len, struct sw_arp *a)
{
	uint8_t *base, *buf = sw_test_copy(frame, len, 1, &base);
	struct sw_pkt p;
	int ret = NOT_PARSED;

	if (sw_parse(&p, buf, len) == SW_PARSE_OK)
		ret = sw_arp_parse(buf, &p, a);
	free(base);
	return ret;
}

static int
nd_parse_copy(const uint8_t *frame, uint32_t len, struct sw_nd *nd)
{
	uint8_t *base, *buf = sw_test_copy(frame, len, 1, &base);
	struct sw_pkt p;
	int ret = NOT_PARSED;

	memset(nd, 0xa5, sizeof(*nd));
	if (sw_parse(&p, buf, len) == SW_PARSE_OK)
		ret = sw_nd_parse(buf, &p, nd);
	free(base);
	return ret;
}

/* The ICMPv6 sum checked on its own: RFC 4443 §2.3 pseudo-header. */
static bool
icmp6_sum_ok(const uint8_t *f, uint32_t len)
{
	struct sw_pkt p;
	uint32_t l;

	if (sw_parse(&p, f, len) != SW_PARSE_OK || p.l3 != SW_L3_IPV6)
		return false;
	l = (uint32_t)p.ip_end - p.l4_off;
	return sw_l4_cksum_verify(sw_ipv6_phdr_sum(f + p.l3_off, 58, l),
		f + p.l4_off, l) == 0;
}

/* Sum a mutated message again, so only the mutation can be refused. */
static void
icmp6_sum_fix(uint8_t *f, uint32_t len)
{
	struct sw_pkt p;
	uint32_t l;
	uint8_t *ck;

	if (sw_parse(&p, f, len) != SW_PARSE_OK)
		return;
	l = (uint32_t)p.ip_end - p.l4_off;
	if (l < 4)
		return;
	ck = f + p.l4_off + 2;
	sw_cksum_wr16(ck, 0);
	sw_cksum_wr16(ck, sw_cksum_finish(sw_cksum_sum(f + p.l4_off, l,
		sw_ipv6_phdr_sum(f + p.l3_off, 58, l))));
}

static void
test_arp_build(void)
{
	uint8_t f[BUF], orig[BUF];
	struct sw_arp a;
	int len;

	memset(f, 0x5a, sizeof(f));
	len = sw_build_arp(f, sizeof(f), SW_ARP_REQUEST, bcast, me_mac, me4,
		zero_mac, nb4);
	SW_CHECK_EQ(len, 60);
	SW_CHECK(memcmp(f, exp_arp, sizeof(exp_arp)) == 0);
	SW_CHECK_EQ(f[60], 0x5a);
	SW_CHECK_EQ(arp_parse_copy(f, 60, &a), 0);
	SW_CHECK_EQ(a.op, SW_ARP_REQUEST);
	SW_CHECK(memcmp(a.sha, me_mac, 6) == 0);
	SW_CHECK(memcmp(a.spa, me4, 4) == 0);
	SW_CHECK(memcmp(a.tha, zero_mac, 6) == 0);
	SW_CHECK(memcmp(a.tpa, nb4, 4) == 0);

	/* A reply, unicast, from the neighbour. */
	len = sw_build_arp(f, 60, SW_ARP_REPLY, me_mac, nb_mac, nb4, me_mac,
		me4);
	SW_CHECK_EQ(len, 60);
	SW_CHECK(memcmp(f, me_mac, 6) == 0);
	SW_CHECK(memcmp(f + 6, nb_mac, 6) == 0);
	SW_CHECK_EQ(arp_parse_copy(f, 60, &a), 0);
	SW_CHECK_EQ(a.op, SW_ARP_REPLY);
	SW_CHECK(memcmp(a.sha, nb_mac, 6) == 0);
	SW_CHECK(memcmp(a.spa, nb4, 4) == 0);
	SW_CHECK(memcmp(a.tha, me_mac, 6) == 0);
	SW_CHECK(memcmp(a.tpa, me4, 4) == 0);

	/* Inputs inside the frame: the reply written over the request. */
	sw_build_arp(f, 60, SW_ARP_REQUEST, bcast, nb_mac, nb4, zero_mac,
		me4);
	len = sw_build_arp(f, 60, SW_ARP_REPLY, f + 22, me_mac, f + 38,
		f + 22, f + 28);
	SW_CHECK_EQ(len, 60);
	SW_CHECK_EQ(arp_parse_copy(f, 60, &a), 0);
	SW_CHECK(memcmp(f, nb_mac, 6) == 0);
	SW_CHECK(memcmp(a.spa, me4, 4) == 0);
	SW_CHECK(memcmp(a.tha, nb_mac, 6) == 0);
	SW_CHECK(memcmp(a.tpa, nb4, 4) == 0);

	/* Too small: refused, nothing written. */
	memcpy(orig, f, sizeof(f));
	SW_CHECK_EQ(sw_build_arp(f, 59, SW_ARP_REQUEST, bcast, me_mac, me4,
		zero_mac, nb4), -ENOSPC);
	SW_CHECK(memcmp(f, orig, sizeof(f)) == 0);
}

/* scapy's ARP frames (gen_vectors.py), untagged and behind 802.1Q. */
static void
test_arp_vectors(void)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	static const uint8_t a4[4] = { 192, 0, 2, 1 };
	static const uint8_t b4[4] = { 198, 51, 100, 1 };
	const struct sw_vec *v;
	struct sw_arp a;

	v = sw_vec_by_name("arp");
	sw_test_ctx = v->name;
	SW_CHECK_EQ(arp_parse_copy(v->frame, v->len, &a), 0);
	SW_CHECK_EQ(a.op, 1);
	SW_CHECK(memcmp(a.sha, mac_a, 6) == 0);
	SW_CHECK(memcmp(a.spa, a4, 4) == 0);
	SW_CHECK(memcmp(a.tha, zero_mac, 6) == 0);
	SW_CHECK(memcmp(a.tpa, b4, 4) == 0);

	v = sw_vec_by_name("vlan_arp");
	sw_test_ctx = v->name;
	SW_CHECK_EQ(arp_parse_copy(v->frame, v->len, &a), 0);
	SW_CHECK_EQ(a.op, 2);
	SW_CHECK(memcmp(a.sha, mac_b, 6) == 0);
	SW_CHECK(memcmp(a.spa, b4, 4) == 0);
	SW_CHECK(memcmp(a.tha, zero_mac, 6) == 0);
	SW_CHECK(memcmp(a.tpa, a4, 4) == 0);
	/* Every cut of the tagged one inside the ARP packet. */
	for (uint32_t l = 18; l < v->len; l++)
		SW_CHECK_EQ(arp_parse_copy(v->frame, l, &a), -EINVAL);
}

static void
test_arp_reject(void)
{
	/* Byte offset in the frame, value that breaks it. */
	static const struct {
		const char *what;
		unsigned int off;
		uint8_t v;
	} bad[] = {
		{ "htype 0x0101", 14, 0x01 },
		{ "htype 0", 15, 0x00 },
		{ "ptype 0x0806", 17, 0x06 },
		{ "ptype 0x86dd", 16, 0x86 },
		{ "hlen 8", 18, 8 },
		{ "plen 16", 19, 16 },
		{ "op 0", 21, 0 },
		{ "op 3", 21, 3 },
		{ "op 0x0101", 20, 1 },
	};
	uint8_t f[BUF];
	struct sw_arp a;
	uint32_t l;
	size_t i;

	memcpy(f, exp_arp, sizeof(exp_arp));
	SW_CHECK_EQ(arp_parse_copy(f, 60, &a), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sw_test_ctx = bad[i].what;
		memcpy(f, exp_arp, sizeof(exp_arp));
		f[bad[i].off] = bad[i].v;
		SW_CHECK_EQ(arp_parse_copy(f, 60, &a), -EINVAL);
	}
	sw_test_ctx = "truncated";
	for (l = 14; l < 42; l++)
		SW_CHECK_EQ(arp_parse_copy(exp_arp, l, &a), -EINVAL);
	SW_CHECK_EQ(arp_parse_copy(exp_arp, 42, &a), 0);

	/* Not ARP: IPv6, and a frame claiming IPv4. */
	sw_test_ctx = "not arp";
	SW_CHECK_EQ(arp_parse_copy(exp_ns, sizeof(exp_ns), &a), -EINVAL);
	memcpy(f, exp_arp, sizeof(exp_arp));
	f[12] = 0x08;
	f[13] = 0x00;
	SW_CHECK(arp_parse_copy(f, 60, &a) != 0);
}

static void
test_ns_build(void)
{
	uint8_t f[BUF], orig[BUF];
	struct sw_nd nd;
	int len;

	/* Resolution: multicast to the solicited-node address. */
	memset(f, 0x5a, sizeof(f));
	len = sw_build_ns(f, sizeof(f), me_mac, me6, tgt6, NULL);
	SW_CHECK_EQ(len, 86);
	SW_CHECK(memcmp(f, exp_ns, sizeof(exp_ns)) == 0);
	SW_CHECK(memcmp(f, tgt6_snm_mac, 6) == 0);
	SW_CHECK(memcmp(f + 14 + 24, tgt6_snm, 16) == 0);
	SW_CHECK_EQ(f[14 + 7], 255);
	SW_CHECK(icmp6_sum_ok(f, 86));
	SW_CHECK_EQ(f[86], 0x5a);
	SW_CHECK_EQ(nd_parse_copy(f, 86, &nd), 0);
	SW_CHECK_EQ(nd.type, SW_ND_NS);
	SW_CHECK(memcmp(nd.src, me6, 16) == 0);
	SW_CHECK(memcmp(nd.dst, tgt6_snm, 16) == 0);
	SW_CHECK(memcmp(nd.target, tgt6, 16) == 0);
	SW_CHECK(nd.has_lla);
	SW_CHECK(memcmp(nd.lla, me_mac, 6) == 0);
	SW_CHECK(!nd.solicited && !nd.override && !nd.router);

	/* Probe: unicast to the target at its known MAC. */
	len = sw_build_ns(f, 86, me_mac, me6, nb6, nb_mac);
	SW_CHECK_EQ(len, 86);
	SW_CHECK(memcmp(f, nb_mac, 6) == 0);
	SW_CHECK(memcmp(f + 6, me_mac, 6) == 0);
	SW_CHECK(icmp6_sum_ok(f, 86));
	SW_CHECK_EQ(nd_parse_copy(f, 86, &nd), 0);
	SW_CHECK(memcmp(nd.dst, nb6, 16) == 0);
	SW_CHECK(memcmp(nd.target, nb6, 16) == 0);
	SW_CHECK(nd.has_lla);

	/* From :: (RFC 4861 §4.3): no source LLA option. */
	memset(f, 0x5a, sizeof(f));
	len = sw_build_ns(f, 78, me_mac, any6, tgt6, NULL);
	SW_CHECK_EQ(len, 78);
	SW_CHECK_EQ(f[78], 0x5a);
	SW_CHECK(icmp6_sum_ok(f, 78));
	SW_CHECK_EQ(nd_parse_copy(f, 78, &nd), 0);
	SW_CHECK(memcmp(nd.src, any6, 16) == 0);
	SW_CHECK(memcmp(nd.dst, tgt6_snm, 16) == 0);
	SW_CHECK(!nd.has_lla);

	memcpy(orig, f, sizeof(f));
	SW_CHECK_EQ(sw_build_ns(f, 85, me_mac, me6, tgt6, NULL), -ENOSPC);
	SW_CHECK_EQ(sw_build_ns(f, 77, me_mac, any6, tgt6, NULL), -ENOSPC);
	SW_CHECK(memcmp(f, orig, sizeof(f)) == 0);
}

static void
test_na_build(void)
{
	uint8_t f[BUF], orig[BUF];
	struct sw_nd nd;
	int len;

	/* Answer to an NS from nb6. */
	memset(f, 0x5a, sizeof(f));
	len = sw_build_na(f, sizeof(f), me_mac, nb_mac, me6, nb6, true);
	SW_CHECK_EQ(len, 86);
	SW_CHECK(memcmp(f, exp_na, sizeof(exp_na)) == 0);
	SW_CHECK_EQ(f[86], 0x5a);
	SW_CHECK(icmp6_sum_ok(f, 86));
	SW_CHECK_EQ(nd_parse_copy(f, 86, &nd), 0);
	SW_CHECK_EQ(nd.type, SW_ND_NA);
	SW_CHECK(memcmp(nd.src, me6, 16) == 0);
	SW_CHECK(memcmp(nd.dst, nb6, 16) == 0);
	SW_CHECK(memcmp(nd.target, me6, 16) == 0);
	SW_CHECK(nd.has_lla);
	SW_CHECK(memcmp(nd.lla, me_mac, 6) == 0);
	SW_CHECK(nd.solicited);
	SW_CHECK(nd.override);
	SW_CHECK(!nd.router);

	/* Answer to an NS from ::, to all nodes, S clear (§7.2.4). */
	len = sw_build_na(f, 86, me_mac, all_nodes_mac, me6, all_nodes, false);
	SW_CHECK_EQ(len, 86);
	SW_CHECK(icmp6_sum_ok(f, 86));
	SW_CHECK_EQ(nd_parse_copy(f, 86, &nd), 0);
	SW_CHECK(memcmp(nd.dst, all_nodes, 16) == 0);
	SW_CHECK(!nd.solicited);
	SW_CHECK(nd.override);

	/* S to a multicast address, or no room: refused, nothing written. */
	memcpy(orig, f, sizeof(f));
	SW_CHECK_EQ(sw_build_na(f, 86, me_mac, all_nodes_mac, me6, all_nodes,
		true), -EINVAL);
	SW_CHECK_EQ(sw_build_na(f, 85, me_mac, nb_mac, me6, nb6, true),
		-ENOSPC);
	SW_CHECK(memcmp(f, orig, sizeof(f)) == 0);

	/* Inputs inside the frame: an NA written over the NS it answers. */
	sw_build_ns(f, 86, nb_mac, nb6, me6, NULL);
	len = sw_build_na(f, 86, me_mac, f + 6, f + 14 + 40 + 8, f + 14 + 8,
		true);
	SW_CHECK_EQ(len, 86);
	SW_CHECK(memcmp(f, exp_na, sizeof(exp_na)) == 0);
}

/* A mutation of a good frame that RFC 4861 §7.1 makes invalid. */
struct nd_bad {
	const char *what;
	int kind;		/* 0 NS, 1 NS from ::, 2 NA to ff02::1 */
	unsigned int off;	/* frame offset of the byte to change */
	uint8_t v;
	bool keep_sum;		/* not in the sum: leave it as it is */
};

static void
test_nd_reject(void)
{
	/* Offsets: IPv6 at 14, ICMPv6 at 54, target at 62, option at 78. */
	static const struct nd_bad bad[] = {
		{ "hop limit 254", 0, 14 + 7, 254, true },
		{ "hop limit 1", 0, 14 + 7, 1, true },
		{ "code 1", 0, 54 + 1, 1, false },
		{ "type 134 (RA)", 0, 54, 134, false },
		{ "type 137 (redirect)", 0, 54, 137, false },
		{ "type 128 (echo)", 0, 54, 128, false },
		{ "multicast target", 0, 62, 0xff, false },
		{ "multicast target NA", 2, 62, 0xff, false },
		{ "option length 0", 0, 79, 0, false },
		{ "option past the end", 0, 79, 2, false },
		{ "NA option length 0", 2, 79, 0, false },
		{ "NS from :: to unicast", 1, 14 + 24, 0x20, false },
		{ "NS from :: to ff02::1:fe..", 1, 14 + 24 + 12, 0xfe, false },
		{ "NA S=1 to multicast", 2, 54 + 4, 0x60, false },
		{ "next header UDP", 0, 14 + 6, 17, false },
	};
	uint8_t f[BUF];
	struct sw_nd nd;
	size_t i;
	int len = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sw_test_ctx = bad[i].what;
		switch (bad[i].kind) {
		case 0:
			len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
			break;
		case 1:
			len = sw_build_ns(f, BUF, nb_mac, any6, me6, NULL);
			break;
		default:
			len = sw_build_na(f, BUF, nb_mac, all_nodes_mac, nb6,
				all_nodes, false);
			break;
		}
		/* Good before, so the mutation is what gets it refused. */
		SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), 0);
		f[bad[i].off] = bad[i].v;
		if (!bad[i].keep_sum)
			icmp6_sum_fix(f, (uint32_t)len);
		SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), -EINVAL);
	}

	sw_test_ctx = "bad checksum";
	len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
	f[54 + 3] ^= 0x01;
	SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), -EINVAL);
	f[54 + 3] ^= 0x01;
	SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), 0);

	/* An NS from :: carrying a source LLA option. */
	sw_test_ctx = "NS from :: with SLLA";
	len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
	memset(f + 14 + 8, 0, 16);
	icmp6_sum_fix(f, (uint32_t)len);
	SW_CHECK(icmp6_sum_ok(f, (uint32_t)len));
	SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), -EINVAL);

	/* ICMP length 20 < 24 (a consistent, shorter datagram). */
	sw_test_ctx = "icmp length 20";
	len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
	sw_cksum_wr16(f + 14 + 4, 20);
	icmp6_sum_fix(f, 74);
	SW_CHECK(icmp6_sum_ok(f, 74));
	SW_CHECK_EQ(nd_parse_copy(f, 74, &nd), -EINVAL);

	/* A 4-byte tail after the option: no room for another. */
	sw_test_ctx = "4-byte tail";
	len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
	memcpy(f + 86, "\x01\x01\x00\x00", 4);
	sw_cksum_wr16(f + 14 + 4, 36);
	icmp6_sum_fix(f, 90);
	SW_CHECK_EQ(nd_parse_copy(f, 90, &nd), -EINVAL);

	/*
	 * An option that runs past the datagram into Ethernet padding: the
	 * bytes are in the frame but not in the packet.
	 */
	sw_test_ctx = "option into padding";
	len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
	f[79] = 2;
	memset(f + 86, 0, 8);
	icmp6_sum_fix(f, 94);
	SW_CHECK_EQ(nd_parse_copy(f, 94, &nd), -EINVAL);
	/* ... while padding after a good datagram is ignored. */
	len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
	memset(f + 86, 0xee, 8);
	SW_CHECK_EQ(nd_parse_copy(f, 94, &nd), 0);

	/*
	 * RFC 6980 §5: no fragment header, not even an atomic one; and so
	 * no extension header at all. Insert an 8-byte one before the ICMP.
	 */
	for (i = 0; i < 2; i++) {
		uint8_t g[BUF];

		sw_test_ctx = i == 0 ? "hop-by-hop" : "atomic fragment";
		len = sw_build_ns(f, BUF, nb_mac, nb6, me6, NULL);
		memcpy(g, f, 54);
		memcpy(g + 62, f + 54, 32);
		g[14 + 6] = i == 0 ? 0 : 44;
		sw_cksum_wr16(g + 14 + 4, 40);
		memset(g + 54, 0, 8);
		g[54] = 58;			/* next header */
		if (i == 0) {
			g[56] = 1;		/* PadN, 4 bytes */
			g[57] = 4;
		} else {
			g[58] = 0x12;		/* identification */
		}
		icmp6_sum_fix(g, 94);
		SW_CHECK(icmp6_sum_ok(g, 94));
		SW_CHECK_EQ(nd_parse_copy(g, 94, &nd), -EINVAL);
	}

	sw_test_ctx = "not ICMPv6";
	SW_CHECK_EQ(nd_parse_copy(exp_arp, sizeof(exp_arp), &nd), -EINVAL);
}

/* Every ICMPv6 length of an NS: only 24 (no option) and 32 are good. */
static void
test_nd_truncation(void)
{
	uint8_t f[BUF];
	struct sw_nd nd;
	uint32_t k;
	char ctx[32];

	for (k = 0; k <= 48; k++) {
		snprintf(ctx, sizeof(ctx), "icmp length %u", k);
		sw_test_ctx = ctx;
		memset(f, 0, sizeof(f));
		sw_build_ns(f, BUF, me_mac, me6, tgt6, NULL);
		sw_cksum_wr16(f + 14 + 4, (uint16_t)k);
		icmp6_sum_fix(f, 54 + k);
		SW_CHECK_EQ(nd_parse_copy(f, 54 + k, &nd),
			k == 24 || k == 32 ? 0 : -EINVAL);
		if (k == 24)
			SW_CHECK(!nd.has_lla);
	}
}

/* Options we do not use are skipped; the first LLA of the kind counts. */
static void
test_nd_options(void)
{
	static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	uint8_t f[BUF];
	struct sw_nd nd;
	int len;

	/* NS: nonce (RFC 3971 §5.3.2, type 14), target LLA, SLLA, SLLA. */
	sw_test_ctx = "ns options";
	len = sw_build_ns(f, BUF, me_mac, me6, tgt6, NULL);
	memcpy(f + 86, f + 78, 8);		/* SLLA moves back */
	memcpy(f + 78, "\x0e\x01\x01\x02\x03\x04\x05\x06", 8);
	memcpy(f + 94, "\x02\x01", 2);
	memcpy(f + 96, other_mac, 6);
	memcpy(f + 102, "\x01\x01", 2);
	memcpy(f + 104, other_mac, 6);
	sw_cksum_wr16(f + 14 + 4, 24 + 32);
	len = 54 + 24 + 32;
	icmp6_sum_fix(f, (uint32_t)len);
	SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), 0);
	SW_CHECK(nd.has_lla);
	SW_CHECK(memcmp(nd.lla, me_mac, 6) == 0);

	/* NA with a source LLA only: no target LLA to learn. */
	sw_test_ctx = "na without tlla";
	len = sw_build_na(f, BUF, me_mac, nb_mac, me6, nb6, true);
	f[78] = 1;
	icmp6_sum_fix(f, (uint32_t)len);
	SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), 0);
	SW_CHECK(!nd.has_lla);

	/* A longer option (16 bytes): its first 6 bytes are the MAC. */
	sw_test_ctx = "long tlla";
	len = sw_build_na(f, BUF, me_mac, nb_mac, me6, nb6, true);
	f[79] = 2;
	memset(f + 86, 0, 8);
	sw_cksum_wr16(f + 14 + 4, 40);
	icmp6_sum_fix(f, 94);
	SW_CHECK_EQ(nd_parse_copy(f, 94, &nd), 0);
	SW_CHECK(nd.has_lla);
	SW_CHECK(memcmp(nd.lla, me_mac, 6) == 0);

	/* R flag read. */
	sw_test_ctx = "router";
	len = sw_build_na(f, BUF, me_mac, nb_mac, me6, nb6, false);
	f[58] |= 0x80;
	icmp6_sum_fix(f, (uint32_t)len);
	SW_CHECK_EQ(nd_parse_copy(f, (uint32_t)len, &nd), 0);
	SW_CHECK(nd.router && !nd.solicited && nd.override);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "arp_build", test_arp_build },
		{ "arp_vectors", test_arp_vectors },
		{ "arp_reject", test_arp_reject },
		{ "ns_build", test_ns_build },
		{ "na_build", test_na_build },
		{ "nd_reject", test_nd_reject },
		{ "nd_truncation", test_nd_truncation },
		{ "nd_options", test_nd_options },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
