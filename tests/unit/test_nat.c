/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the lb mode's translation helpers (lib/net/sw_nat.h,
 * sw_nat.c). The reference for every incremental update is the same
 * rewrite done naively: bytes copied in, then every checksum summed from
 * scratch (sw_pkt_cksum_set, sw_ipv4_hdr_cksum_set, a full ICMP sum);
 * the translated frame must equal it byte for byte. Segments are built
 * here: IPv4 and IPv6, with and without an 802.1Q tag, SYN / SYN-ACK /
 * ACK / FIN / RST with their usual options, payloads of every parity up
 * to a jumbo frame. No EAL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_cksum.h"
#include "sw_nat.h"
#include "sw_parse.h"

#include "pkt_check.h"
#include "sw_test.h"

#define BUF	9300

/* Documentation addresses only (RFC 5737, RFC 3849). */
static const uint8_t client4[4] = { 203, 0, 113, 20 };
static const uint8_t vip4[4] = { 203, 0, 113, 10 };
static const uint8_t backend4[4] = { 198, 51, 100, 11 };
static const uint8_t router4[4] = { 192, 0, 2, 254 };
static const uint8_t client6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x03,
	[15] = 0x20 };
static const uint8_t vip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x03,
	[15] = 0x10 };
static const uint8_t backend6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
	[15] = 0x11 };
static const uint8_t router6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x03,
	[15] = 0xfe };

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

static uint64_t rnd = 0x5eed0f5eed0f5eedull;

struct seg {
	bool v6;
	bool vlan;
	uint8_t flags;
	uint32_t payload;
	const uint8_t *src;
	const uint8_t *dst;
	uint16_t sport;
	uint16_t dport;
};

static uint16_t
be16(uint16_t host)
{
	uint16_t v;

	sw_cksum_wr16(&v, host);
	return v;
}

/* The options Linux sends with each kind of segment. */
static uint32_t
tcp_opts(uint8_t *o, uint8_t flags)
{
	static const uint8_t syn[20] = {
		2, 4, 0x05, 0xb4,		/* MSS 1460 */
		4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, /* SACK, TS */
		1, 3, 3, 7,			/* NOP, WS 7 */
	};
	static const uint8_t ts[12] = {
		1, 1, 8, 10, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	};

	if (flags & SW_TCP_SYN) {
		memcpy(o, syn, sizeof(syn));
		return sizeof(syn);
	}
	if (flags & SW_TCP_RST)
		return 0;
	memcpy(o, ts, sizeof(ts));
	return sizeof(ts);
}

/* Build segment `s` into `f`, checksums complete; returns the length. */
static uint32_t
mk_tcp(uint8_t *f, const struct seg *s, struct sw_pkt *p)
{
	uint32_t off = 12, ip_off, tcp_off, n_opt, tcp_len, i;
	uint8_t *ip, *tcp;

	memcpy(f, mac_a, 6);
	memcpy(f + 6, mac_b, 6);
	if (s->vlan) {
		sw_cksum_wr16(f + off, 0x8100);
		sw_cksum_wr16(f + off + 2, 42);
		off += 4;
	}
	sw_cksum_wr16(f + off, s->v6 ? 0x86dd : 0x0800);
	ip_off = off + 2;
	ip = f + ip_off;
	tcp_off = ip_off + (s->v6 ? 40 : 20);
	tcp = f + tcp_off;
	n_opt = tcp_opts(tcp + 20, s->flags);
	tcp_len = 20 + n_opt + s->payload;
	if (s->v6) {
		sw_cksum_wr32(ip, 0x60000000 | (uint32_t)(sw_test_rand(&rnd) &
			0xfffff));
		sw_cksum_wr16(ip + 4, (uint16_t)tcp_len);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		sw_cksum_wr16(ip + 2, (uint16_t)(20 + tcp_len));
		sw_cksum_wr16(ip + 4, (uint16_t)sw_test_rand(&rnd));
		sw_cksum_wr16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		sw_cksum_wr16(ip + 10, 0);
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
	}
	sw_cksum_wr16(tcp, s->sport);
	sw_cksum_wr16(tcp + 2, s->dport);
	sw_cksum_wr32(tcp + 4, (uint32_t)sw_test_rand(&rnd));
	sw_cksum_wr32(tcp + 8, (s->flags & SW_TCP_ACK) ?
		(uint32_t)sw_test_rand(&rnd) : 0);
	tcp[12] = (uint8_t)((20 + n_opt) / 4 << 4);
	tcp[13] = s->flags;
	sw_cksum_wr16(tcp + 14, 64240);
	sw_cksum_wr32(tcp + 16, 0);		/* sum, urgent pointer */
	for (i = 0; i < s->payload; i++)
		tcp[20 + n_opt + i] = (uint8_t)sw_test_rand(&rnd);

	SW_CHECK(sw_parse(p, f, tcp_off + tcp_len) == SW_PARSE_OK);
	SW_CHECK(p->flags & SW_PKT_F_TCP);
	SW_CHECK(sw_pkt_cksum_set(f, p) == 0);
	return tcp_off + tcp_len;
}

/* What sw_nat_tcp must give: the bytes copied in, sums from scratch. */
static void
naive_nat(uint8_t *f, const struct sw_pkt *p, bool dst, const uint8_t *addr,
		uint16_t port)
{
	uint8_t *ip = f + p->l3_off;

	if (p->l3 == SW_L3_IPV4)
		memcpy(ip + (dst ? 16 : 12), addr, 4);
	else
		memcpy(ip + (dst ? 24 : 8), addr, 16);
	sw_cksum_wr16(f + p->l4_off + (dst ? 2 : 0), port);
	sw_pkt_cksum_set(f, p);
}

/* Both sums of a parsed frame check out. */
static void
check_sums(const uint8_t *f, const struct sw_pkt *p)
{
	SW_CHECK(sw_pkt_l4_cksum_verify(f, p) == 0);
	if (p->l3 == SW_L3_IPV4)
		SW_CHECK(sw_pkt_ipv4_cksum_verify(f, p) == 0);
}

/*
 * Translate segment `f` (`len` bytes) and check it against the naive
 * rewrite, the parse of the result, and the way back.
 */
static void
nat_and_check(uint8_t *f, uint32_t len, const struct sw_pkt *p, bool dst,
		const uint8_t *addr, uint16_t port)
{
	static uint8_t orig[BUF], exp[BUF];
	const uint32_t alen = p->l3 == SW_L3_IPV4 ? 4 : 16;
	const uint32_t aoff = p->l3 == SW_L3_IPV4 ? (dst ? 16 : 12) :
		(dst ? 24 : 8);
	uint8_t old_addr[16];
	uint16_t old_port = dst ? p->dst_port : p->src_port;
	struct sw_pkt q;
	const char *why;

	memcpy(orig, f, len);
	memcpy(exp, f, len);
	memcpy(old_addr, f + p->l3_off + aoff, alen);
	naive_nat(exp, p, dst, addr, port);

	sw_nat_tcp(f, p, dst, addr, be16(port));
	SW_CHECK(memcmp(f, exp, len) == 0);

	SW_CHECK(sw_parse(&q, f, len) == SW_PARSE_OK);
	why = sw_pkt_check(&q, f, len);
	SW_CHECKF(why == NULL, "rule %s", why ? why : "");
	SW_CHECK(memcmp(f + q.l3_off + aoff, addr, alen) == 0);
	SW_CHECK_EQ(dst ? q.dst_port : q.src_port, port);
	SW_CHECK_EQ(dst ? q.src_port : q.dst_port,
		dst ? p->src_port : p->dst_port);
	SW_CHECK_EQ(q.seq, p->seq);
	SW_CHECK_EQ(q.tcp_flags, p->tcp_flags);
	check_sums(f, &q);

	/* And back: the reverse translation restores every byte. */
	sw_nat_tcp(f, &q, dst, old_addr, be16(old_port));
	SW_CHECK(memcmp(f, orig, len) == 0);
}

static const uint8_t seg_flags[] = {
	SW_TCP_SYN, SW_TCP_SYN | SW_TCP_ACK, SW_TCP_ACK,
	SW_TCP_ACK | SW_TCP_PSH, SW_TCP_FIN | SW_TCP_ACK, SW_TCP_RST,
	SW_TCP_RST | SW_TCP_ACK,
};
#define N_FLAGS	(sizeof(seg_flags) / sizeof(seg_flags[0]))

static const uint32_t payloads[] = { 0, 1, 2, 3, 7, 64, 513, 1460, 8960 };
#define N_PAYLOADS	(sizeof(payloads) / sizeof(payloads[0]))

/* DNAT client -> VIP:80 to backend:8080, SNAT backend -> VIP:80. */
static void
test_nat_tcp(void)
{
	static uint8_t f[BUF];
	struct sw_pkt p;
	unsigned int v6, vlan, fi, pi;
	uint32_t len;
	char ctx[96];

	for (v6 = 0; v6 < 2; v6++)
	for (vlan = 0; vlan < 2; vlan++)
	for (fi = 0; fi < N_FLAGS; fi++)
	for (pi = 0; pi < N_PAYLOADS; pi++) {
		struct seg s = {
			.v6 = v6, .vlan = vlan, .flags = seg_flags[fi],
			.payload = payloads[pi],
			.src = v6 ? client6 : client4,
			.dst = v6 ? vip6 : vip4,
			.sport = 40000 + (uint16_t)pi, .dport = 80,
		};

		snprintf(ctx, sizeof(ctx), "v6 %u vlan %u flags 0x%02x len %u",
			v6, vlan, s.flags, s.payload);
		sw_test_ctx = ctx;
		len = mk_tcp(f, &s, &p);
		nat_and_check(f, len, &p, true, v6 ? backend6 : backend4,
			8080);

		s.src = v6 ? backend6 : backend4;
		s.dst = v6 ? client6 : client4;
		s.sport = 8080;
		s.dport = 40000;
		len = mk_tcp(f, &s, &p);
		nat_and_check(f, len, &p, false, v6 ? vip6 : vip4, 80);
	}
}

/*
 * A segment corrupted on the way stays corrupt by the same amount: wrong
 * after the translation, right again once the damaged byte is restored.
 */
static void
test_nat_wrong_sum(void)
{
	static uint8_t f[BUF];
	struct sw_pkt p;
	unsigned int v6, pi;
	uint32_t len;

	for (v6 = 0; v6 < 2; v6++)
	for (pi = 0; pi < N_PAYLOADS; pi++) {
		struct seg s = {
			.v6 = v6, .flags = SW_TCP_ACK, .payload = payloads[pi],
			.src = v6 ? client6 : client4,
			.dst = v6 ? vip6 : vip4, .sport = 40000, .dport = 80,
		};
		uint8_t *tcp, *ip;

		sw_test_ctx = v6 ? "v6" : "v4";
		len = mk_tcp(f, &s, &p);
		(void)len;
		tcp = f + p.l4_off;
		ip = f + p.l3_off;
		tcp[14] ^= 0x5a;		/* window, not in the sum */
		if (!v6)
			ip[4] ^= 0xa5;		/* IP ID, idem */
		SW_CHECK(sw_pkt_l4_cksum_verify(f, &p) != 0);
		sw_nat_tcp(f, &p, true, v6 ? backend6 : backend4,
			be16(8080));
		SW_CHECK(sw_pkt_l4_cksum_verify(f, &p) != 0);
		if (!v6)
			SW_CHECK(sw_pkt_ipv4_cksum_verify(f, &p) != 0);
		tcp[14] ^= 0x5a;
		if (!v6)
			ip[4] ^= 0xa5;
		check_sums(f, &p);
	}
}

/*
 * RFC 1624 §3: eqn. 3 never turns a sum that a full computation gives
 * as 0x0000 into 0xffff. Steer a payload word (TCP) and the IP ID (IPv4
 * header) so that the sums are 0x0000 after (then before) translation.
 */
static void
test_nat_zero_sum(void)
{
	static uint8_t f[BUF], g[BUF];
	struct sw_pkt p;
	unsigned int v6, after;
	uint32_t len;

	for (v6 = 0; v6 < 2; v6++)
	for (after = 0; after < 2; after++) {
		struct seg s = {
			.v6 = v6, .flags = SW_TCP_ACK | SW_TCP_PSH,
			.payload = 101, .src = v6 ? client6 : client4,
			.dst = v6 ? vip6 : vip4, .sport = 40000, .dport = 80,
		};
		uint8_t *w = NULL;
		uint16_t c;

		sw_test_ctx = after ? "0 after" : "0 before";
		len = mk_tcp(f, &s, &p);
		memcpy(g, f, len);
		if (after)
			naive_nat(g, &p, true, v6 ? backend6 : backend4, 8080);
		/* Adding the sum to a covered word makes the sum 0. */
		c = sw_cksum_rd16(g + p.l4_off + SW_TCP_CKSUM_OFF);
		w = f + p.payload_off;
		sw_cksum_wr16(w, sw_cksum_fold((uint32_t)sw_cksum_rd16(w) + c));
		if (!v6) {
			c = sw_cksum_rd16(g + p.l3_off + SW_IPV4_CKSUM_OFF);
			w = f + p.l3_off + 4;
			sw_cksum_wr16(w, sw_cksum_fold(
				(uint32_t)sw_cksum_rd16(w) + c));
		}
		sw_pkt_cksum_set(f, &p);
		if (!after) {
			SW_CHECK_EQ(sw_cksum_rd16(f + p.l4_off +
				SW_TCP_CKSUM_OFF), 0);
			if (!v6)
				SW_CHECK_EQ(sw_cksum_rd16(f + p.l3_off +
					SW_IPV4_CKSUM_OFF), 0);
		}
		nat_and_check(f, len, &p, true, v6 ? backend6 : backend4,
			8080);
		if (after) {
			sw_nat_tcp(f, &p, true, v6 ? backend6 : backend4,
				be16(8080));
			SW_CHECK_EQ(sw_cksum_rd16(f + p.l4_off +
				SW_TCP_CKSUM_OFF), 0);
			if (!v6)
				SW_CHECK_EQ(sw_cksum_rd16(f + p.l3_off +
					SW_IPV4_CKSUM_OFF), 0);
		}
	}
}

/* A random host of 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or
 * 2001:db8::/32. */
static void
rand_addr(uint8_t *a, bool v6)
{
	static const uint8_t nets[3][3] = {
		{ 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 },
	};
	uint64_t r = sw_test_rand(&rnd), r2 = sw_test_rand(&rnd);

	if (!v6) {
		memcpy(a, nets[r % 3], 3);
		a[3] = (uint8_t)(r >> 8);
		return;
	}
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	memcpy(a + 4, &r, 8);
	memcpy(a + 12, &r2, 4);
}

/* Random segments, addresses, ports and directions (fixed seed). */
static void
test_nat_random(void)
{
	static uint8_t f[BUF];
	uint8_t src[16], dst[16], to[16];
	struct sw_pkt p;
	unsigned int i;
	char ctx[64];

	for (i = 0; i < 20000; i++) {
		uint64_t r = sw_test_rand(&rnd);
		struct seg s = {
			.v6 = r & 1, .vlan = r >> 1 & 1,
			.flags = seg_flags[(r >> 2) % N_FLAGS],
			.payload = (r >> 8 & 7) == 0 ? (uint32_t)(r >> 16) % 9000 :
				(uint32_t)(r >> 16) % 300,
			.src = src, .dst = dst,
			.sport = (uint16_t)(r >> 32), .dport = (uint16_t)(r >> 48),
		};
		bool to_dst = r >> 3 & 1;
		uint16_t port = (uint16_t)sw_test_rand(&rnd);
		uint32_t len;

		/* The ends of the port range now and then. */
		if ((r >> 4 & 15) == 0)
			port = (r >> 5 & 1) ? 0xffff : 0;
		snprintf(ctx, sizeof(ctx), "iteration %u", i);
		sw_test_ctx = ctx;
		rand_addr(src, s.v6);
		rand_addr(dst, s.v6);
		rand_addr(to, s.v6);
		len = mk_tcp(f, &s, &p);
		nat_and_check(f, len, &p, to_dst, to, port);
	}
}

/*
 * Full NAT (nat = snat): both ends at once, against the naive rewrite
 * of both, the parse of the result, and the way back; every segment
 * kind, payload parity, family and tag, then random ones.
 */
static void
full_and_check(uint8_t *f, uint32_t len, const struct sw_pkt *p,
		const uint8_t *saddr, uint16_t sport, const uint8_t *daddr,
		uint16_t dport)
{
	static uint8_t orig[BUF], exp[BUF];
	const uint32_t alen = p->l3 == SW_L3_IPV4 ? 4 : 16;
	const uint32_t soff = p->l3 == SW_L3_IPV4 ? 12 : 8;
	uint8_t old_s[16], old_d[16];
	struct sw_pkt q;
	const char *why;

	memcpy(orig, f, len);
	memcpy(exp, f, len);
	memcpy(old_s, f + p->l3_off + soff, alen);
	memcpy(old_d, f + p->l3_off + soff + alen, alen);
	memcpy(exp + p->l3_off + soff, saddr, alen);
	memcpy(exp + p->l3_off + soff + alen, daddr, alen);
	sw_cksum_wr16(exp + p->l4_off, sport);
	sw_cksum_wr16(exp + p->l4_off + 2, dport);
	sw_pkt_cksum_set(exp, p);

	sw_nat_tcp_full(f, p, saddr, be16(sport), daddr, be16(dport));
	SW_CHECK(memcmp(f, exp, len) == 0);
	SW_CHECK(sw_parse(&q, f, len) == SW_PARSE_OK);
	why = sw_pkt_check(&q, f, len);
	SW_CHECKF(why == NULL, "rule %s", why ? why : "");
	SW_CHECK_EQ(q.src_port, sport);
	SW_CHECK_EQ(q.dst_port, dport);
	SW_CHECK_EQ(q.seq, p->seq);
	check_sums(f, &q);
	/* The same as the two ends one after the other. */
	memcpy(exp, orig, len);
	sw_nat_tcp(exp, p, false, saddr, be16(sport));
	sw_nat_tcp(exp, p, true, daddr, be16(dport));
	SW_CHECK(memcmp(f, exp, len) == 0);
	/* And back. */
	sw_nat_tcp_full(f, &q, old_s, be16(p->src_port), old_d,
		be16(p->dst_port));
	SW_CHECK(memcmp(f, orig, len) == 0);
}

static const uint8_t snat4[4] = { 198, 51, 100, 2 };
static const uint8_t snat6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
	[15] = 0x02 };

static void
test_nat_tcp_full(void)
{
	static uint8_t f[BUF];
	uint8_t src[16], dst[16], to_s[16], to_d[16];
	struct sw_pkt p;
	unsigned int v6, vlan, fi, pi, i;
	uint32_t len;
	char ctx[96];

	for (v6 = 0; v6 < 2; v6++)
	for (vlan = 0; vlan < 2; vlan++)
	for (fi = 0; fi < N_FLAGS; fi++)
	for (pi = 0; pi < N_PAYLOADS; pi++) {
		struct seg s = {
			.v6 = v6, .vlan = vlan, .flags = seg_flags[fi],
			.payload = payloads[pi],
			.src = v6 ? client6 : client4,
			.dst = v6 ? vip6 : vip4,
			.sport = 40000 + (uint16_t)pi, .dport = 80,
		};

		snprintf(ctx, sizeof(ctx), "full v6 %u vlan %u flags 0x%02x len %u",
			v6, vlan, s.flags, s.payload);
		sw_test_ctx = ctx;
		/* client -> VIP:80 becomes snat:1024 -> backend:8080 */
		len = mk_tcp(f, &s, &p);
		full_and_check(f, len, &p, v6 ? snat6 : snat4, 1024,
			v6 ? backend6 : backend4, 8080);
		/* backend:8080 -> snat:1024 becomes VIP:80 -> client */
		s.src = v6 ? backend6 : backend4;
		s.dst = v6 ? snat6 : snat4;
		s.sport = 8080;
		s.dport = 1024;
		len = mk_tcp(f, &s, &p);
		full_and_check(f, len, &p, v6 ? vip6 : vip4, 80,
			v6 ? client6 : client4, 40000);
	}
	for (i = 0; i < 20000; i++) {
		uint64_t r = sw_test_rand(&rnd), r2 = sw_test_rand(&rnd);
		struct seg s = {
			.v6 = r & 1, .vlan = r >> 1 & 1,
			.flags = seg_flags[(r >> 2) % N_FLAGS],
			.payload = (uint32_t)(r >> 16) % 1500,
			.src = src, .dst = dst,
			.sport = (uint16_t)(r >> 32), .dport = (uint16_t)(r >> 48),
		};

		snprintf(ctx, sizeof(ctx), "full iteration %u", i);
		sw_test_ctx = ctx;
		rand_addr(src, s.v6);
		rand_addr(dst, s.v6);
		rand_addr(to_s, s.v6);
		rand_addr(to_d, s.v6);
		len = mk_tcp(f, &s, &p);
		full_and_check(f, len, &p, to_s, (uint16_t)r2, to_d,
			(uint16_t)(r2 >> 16));
	}
}

/* RFC 1812 §5.3.1: TTL 0 or 1 is not forwarded. */
static void
test_ttl(void)
{
	static const uint8_t ttls[] = { 0, 1, 2, 3, 64, 128, 255 };
	static uint8_t f[BUF], orig[BUF];
	struct sw_pkt p, q;
	unsigned int v6, i;
	uint32_t len;

	for (v6 = 0; v6 < 2; v6++)
	for (i = 0; i < sizeof(ttls); i++) {
		struct seg s = {
			.v6 = v6, .vlan = i & 1, .flags = SW_TCP_ACK,
			.payload = i, .src = v6 ? client6 : client4,
			.dst = v6 ? vip6 : vip4, .sport = 40000, .dport = 80,
		};
		uint8_t *hl;
		bool ok;

		sw_test_ctx = v6 ? "v6" : "v4";
		len = mk_tcp(f, &s, &p);
		hl = f + p.l3_off + (v6 ? 7 : 8);
		*hl = ttls[i];
		sw_pkt_cksum_set(f, &p);
		memcpy(orig, f, len);
		ok = sw_nat_ttl_dec(f, &p);
		SW_CHECK_EQ(ok, ttls[i] > 1);
		if (!ok) {
			SW_CHECK(memcmp(f, orig, len) == 0);
			continue;
		}
		SW_CHECK_EQ(*hl, ttls[i] - 1);
		/* Only the TTL and the header sum changed, and the sum is
		 * what a full computation gives. */
		memcpy(orig + (hl - f), hl, 1);
		sw_pkt_cksum_set(orig, &p);
		SW_CHECK(memcmp(f, orig, len) == 0);
		SW_CHECK(sw_parse(&q, f, len) == SW_PARSE_OK);
		check_sums(f, &q);
	}

	/* Not IP: nothing to decrement, nothing written. */
	memset(f, 0, 60);
	sw_cksum_wr16(f + 12, 0x0806);
	f[22] = 64;
	SW_CHECK(sw_parse(&p, f, 60) == SW_PARSE_OK);
	SW_CHECK(!sw_nat_ttl_dec(f, &p));
	SW_CHECK_EQ(f[22], 64);
}

static void
test_eth_set(void)
{
	static const uint8_t d[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t s[6] = { 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa };
	static uint8_t f[BUF], orig[BUF];
	struct seg sg = {
		.vlan = true, .flags = SW_TCP_ACK, .payload = 10,
		.src = client4, .dst = vip4, .sport = 40000, .dport = 80,
	};
	struct sw_pkt p;
	uint32_t len = mk_tcp(f, &sg, &p);

	memcpy(orig, f, len);
	sw_eth_set(f, d, s);
	SW_CHECK(memcmp(f, d, 6) == 0);
	SW_CHECK(memcmp(f + 6, s, 6) == 0);
	/* The tag and everything after it are left alone. */
	SW_CHECK(memcmp(f + 12, orig + 12, len - 12) == 0);
}

/*
 * ICMP errors quoting a TCP segment. `hdr` is the ICMP header length:
 * 8 as on the wire, or 9, a made-up layout that puts every quoted field
 * at an odd offset of the message to exercise that rule.
 */
struct icmp_case {
	bool v6;
	bool outer_dst;
	bool full;		/* the quote's other end too (nat = snat) */
	uint32_t hdr;
	uint32_t quote;		/* bytes of the quoted datagram kept */
};

static uint32_t
icmp_len(const struct sw_pkt *p)
{
	return (uint32_t)p->ip_end - p->l4_off;
}

static uint32_t
icmp_phdr(const uint8_t *f, const struct sw_pkt *p)
{
	return p->l3 == SW_L3_IPV6 ?
		sw_ipv6_phdr_sum(f + p->l3_off, 58, icmp_len(p)) : 0;
}

static int
icmp_verify(const uint8_t *f, const struct sw_pkt *p)
{
	return sw_l4_cksum_verify(icmp_phdr(f, p), f + p->l4_off, icmp_len(p));
}

static void
icmp_sum_set(uint8_t *f, const struct sw_pkt *p)
{
	uint8_t *ck = f + p->l4_off + 2;

	sw_cksum_wr16(ck, 0);
	sw_cksum_wr16(ck, sw_cksum_finish(sw_cksum_sum(f + p->l4_off,
		icmp_len(p), icmp_phdr(f, p))));
}

/*
 * The error: IPv4 fragmentation needed (RFC 1191) or ICMPv6 packet too
 * big (RFC 4443 §3.2), quoting the first `c->quote` bytes of the IP
 * datagram of segment `s`.
 */
static uint32_t
mk_icmp(uint8_t *f, const struct icmp_case *c, const struct seg *s,
		const uint8_t *osrc, const uint8_t *odst, struct sw_pkt *p,
		struct sw_icmp_quote *q)
{
	static uint8_t inner[BUF];
	struct sw_pkt ip_in;
	const uint32_t ihl = c->v6 ? 40 : 20;
	uint32_t qlen, mlen, len;
	uint8_t *ip = f + 14, *icmp = ip + ihl;

	mk_tcp(inner, s, &ip_in);
	qlen = (uint32_t)ip_in.ip_end - ip_in.l3_off;
	if (c->quote < qlen)
		qlen = c->quote;
	mlen = c->hdr + qlen;
	len = 14 + ihl + mlen;

	memcpy(f, mac_a, 6);
	memcpy(f + 6, mac_b, 6);
	sw_cksum_wr16(f + 12, c->v6 ? 0x86dd : 0x0800);
	if (c->v6) {
		sw_cksum_wr32(ip, 0x60000000);
		sw_cksum_wr16(ip + 4, (uint16_t)mlen);
		ip[6] = 58;
		ip[7] = 64;
		memcpy(ip + 8, osrc, 16);
		memcpy(ip + 24, odst, 16);
		icmp[0] = 2;			/* packet too big */
		icmp[1] = 0;
		sw_cksum_wr32(icmp + 4, 1280);
	} else {
		ip[0] = 0x45;
		ip[1] = 0xc0;
		sw_cksum_wr16(ip + 2, (uint16_t)(20 + mlen));
		sw_cksum_wr16(ip + 4, 0x1234);
		sw_cksum_wr16(ip + 6, 0);
		ip[8] = 255;
		ip[9] = 1;
		memcpy(ip + 12, osrc, 4);
		memcpy(ip + 16, odst, 4);
		icmp[0] = 3;			/* unreachable, frag needed */
		icmp[1] = 4;
		sw_cksum_wr32(icmp + 4, 1400);	/* next-hop MTU */
	}
	memset(icmp + 8, 0x77, c->hdr - 8);
	memcpy(icmp + c->hdr, inner + ip_in.l3_off, qlen);

	SW_CHECK(sw_parse(p, f, len) == SW_PARSE_OK);
	icmp_sum_set(f, p);
	if (!c->v6)
		sw_ipv4_hdr_cksum_set(ip, 20);
	if (c->hdr == 8) {
		SW_CHECK(sw_parse_icmp_quote(f, p, q) == 0);
	} else {
		q->ip_off = (uint16_t)(p->l4_off + c->hdr);
		q->tcp_off = (uint16_t)(q->ip_off + ihl);
		q->tcp_len = (uint16_t)(qlen - ihl);
		q->type = icmp[0];
		q->code = icmp[1];
	}
	SW_CHECK_EQ(q->ip_off, p->l4_off + c->hdr);
	SW_CHECK_EQ(q->tcp_len, qlen - ihl);
	return len;
}

static void
check_icmp(const struct icmp_case *c)
{
	static uint8_t f[BUF], orig[BUF], exp[BUF];
	const uint8_t *client = c->v6 ? client6 : client4;
	const uint8_t *vip = c->v6 ? vip6 : vip4;
	const uint8_t *backend = c->v6 ? backend6 : backend4;
	const uint32_t alen = c->v6 ? 16 : 4;
	const uint8_t *addr;
	struct seg s = {
		.v6 = c->v6, .flags = SW_TCP_ACK | SW_TCP_PSH,
		.payload = 1400,
	};
	struct sw_icmp_quote q;
	struct sw_pkt p;
	uint32_t len, oaddr, qaddr, qport, paddr, pport;
	uint8_t *qip;
	uint16_t port, old_be, old_peer_be;
	uint8_t old_addr[16], old_port[2], old_peer[16];
	const uint8_t *peer = c->v6 ? snat6 : snat4;
	const uint16_t peer_port = 1024;

	if (c->outer_dst) {
		/* From the outside, about backend -> client as translated. */
		s.src = vip;
		s.dst = client;
		s.sport = 80;
		s.dport = 40000;
		len = mk_icmp(f, c, &s, c->v6 ? router6 : router4, vip, &p,
			&q);
		addr = backend;
		port = 8080;
	} else {
		/* From a backend, about client -> backend as translated. */
		s.src = client;
		s.dst = backend;
		s.sport = 40000;
		s.dport = 8080;
		len = mk_icmp(f, c, &s, backend, client, &p, &q);
		addr = vip;
		port = 80;
	}
	oaddr = p.l3_off + (c->v6 ? (c->outer_dst ? 24 : 8) :
		(c->outer_dst ? 16 : 12));
	qaddr = q.ip_off + (c->v6 ? (c->outer_dst ? 8 : 24) :
		(c->outer_dst ? 12 : 16));
	qport = q.tcp_off + (c->outer_dst ? 0 : 2);
	paddr = q.ip_off + (c->v6 ? (c->outer_dst ? 24 : 8) :
		(c->outer_dst ? 16 : 12));
	pport = q.tcp_off + (c->outer_dst ? 2 : 0);
	SW_CHECK(icmp_verify(f, &p) == 0);
	memcpy(old_addr, f + oaddr, alen);
	SW_CHECK(memcmp(f + qaddr, old_addr, alen) == 0);
	memcpy(old_port, f + qport, 2);
	memcpy(old_peer, f + paddr, alen);
	memcpy(&old_peer_be, f + pport, 2);
	memcpy(orig, f, len);

	/* The naive way: copy in, sum everything again. */
	memcpy(exp, f, len);
	memcpy(exp + oaddr, addr, alen);
	memcpy(exp + qaddr, addr, alen);
	sw_cksum_wr16(exp + qport, port);
	if (c->full) {
		memcpy(exp + paddr, peer, alen);
		sw_cksum_wr16(exp + pport, peer_port);
	}
	if (!c->v6) {
		sw_ipv4_hdr_cksum_set(exp + q.ip_off, 20);
		sw_ipv4_hdr_cksum_set(exp + p.l3_off, 20);
	}
	icmp_sum_set(exp, &p);

	if (c->full)
		sw_nat_icmp_full(f, &p, &q, c->outer_dst, addr, be16(port),
			peer, be16(peer_port));
	else
		sw_nat_icmp(f, &p, &q, c->outer_dst, addr, be16(port));
	SW_CHECK(memcmp(f, exp, len) == 0);
	SW_CHECK(icmp_verify(f, &p) == 0);
	qip = f + q.ip_off;
	if (!c->v6) {
		SW_CHECK(sw_pkt_ipv4_cksum_verify(f, &p) == 0);
		SW_CHECK(sw_ipv4_hdr_cksum_verify(qip, 20) == 0);
	}
	SW_CHECK(memcmp(f + oaddr, addr, alen) == 0);
	SW_CHECK(memcmp(f + qaddr, addr, alen) == 0);
	SW_CHECK_EQ(sw_cksum_rd16(f + qport), port);
	if (c->hdr == 8) {
		struct sw_icmp_quote q2;
		struct sw_pkt p2;

		SW_CHECK(sw_parse(&p2, f, len) == SW_PARSE_OK);
		SW_CHECK(sw_parse_icmp_quote(f, &p2, &q2) == 0);
	}

	/* Back again gives the original bytes. */
	memcpy(&old_be, old_port, 2);
	if (c->full)
		sw_nat_icmp_full(f, &p, &q, c->outer_dst, old_addr, old_be,
			old_peer, old_peer_be);
	else
		sw_nat_icmp(f, &p, &q, c->outer_dst, old_addr, old_be);
	SW_CHECK(memcmp(f, orig, len) == 0);

	/* A wrong ICMP sum stays wrong (the MTU word is not translated). */
	f[p.l4_off + 6] ^= 0x01;
	sw_nat_icmp_full(f, &p, &q, c->outer_dst, addr, be16(port),
		c->full ? peer : NULL, be16(peer_port));
	SW_CHECK(icmp_verify(f, &p) != 0);
	f[p.l4_off + 6] ^= 0x01;
	SW_CHECK(icmp_verify(f, &p) == 0);
}

static void
test_nat_icmp(void)
{
	/* A router's 8 TCP bytes; a header and options; most of it; an
	 * odd-length quote. */
	static const uint32_t quotes4[] = { 28, 60, 548, 20 + 8 + 13 };
	static const uint32_t quotes6[] = { 48, 80, 1232, 40 + 8 + 13 };
	unsigned int v6, dir, hdr, i, full;
	char ctx[96];

	for (v6 = 0; v6 < 2; v6++)
	for (dir = 0; dir < 2; dir++)
	for (hdr = 8; hdr <= 9; hdr++)
	for (full = 0; full < 2; full++)
	for (i = 0; i < 4; i++) {
		struct icmp_case c = {
			.v6 = v6, .outer_dst = dir, .hdr = hdr, .full = full,
			.quote = v6 ? quotes6[i] : quotes4[i],
		};

		snprintf(ctx, sizeof(ctx),
			"v6 %u outer_dst %u hdr %u full %u quote %u", v6, dir,
			hdr, full, c.quote);
		sw_test_ctx = ctx;
		check_icmp(&c);
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "nat_tcp", test_nat_tcp },
		{ "nat_wrong_sum", test_nat_wrong_sum },
		{ "nat_zero_sum", test_nat_zero_sum },
		{ "nat_random", test_nat_random },
		{ "nat_tcp_full", test_nat_tcp_full },
		{ "ttl", test_ttl },
		{ "eth_set", test_eth_set },
		{ "nat_icmp", test_nat_icmp },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
