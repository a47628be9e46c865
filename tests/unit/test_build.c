/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the segments synwall writes for the proxy (lib/net
 * sw_build_syn, sw_build_ack, sw_build_ptb, sw_build_check_syn,
 * sw_build_bare_rst). Every result is parsed back with
 * sw_parse() and checked field by field and for complete checksums;
 * two of each are also compared byte for byte with frames scapy built
 * (exp_* in vectors.h). Inputs: IPv4, IPv6, 802.1Q, QinQ, IPv4 options,
 * IPv6 extension headers, payload, Ethernet padding. No EAL.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_build.h"
#include "sw_cksum.h"
#include "sw_parse.h"

#include "pkt_check.h"
#include "sw_test.h"
#include "vectors.h"

#define BUF	2048
#define JUNK	0x5a	/* dst before a build: no byte of it may leak */

/* Client segments a backend SYN or a reply ACK is written from. */
static const char *const inputs[] = {
	"hs_a_ack",		/* IPv4, bare ACK, Ethernet padding */
	"hs_a_data",		/* IPv4, 100 bytes of payload */
	"cli_ack4_tos",		/* DSCP + ECT(1), no DF, TTL 57, data */
	"cli_ack4_vlan_opt",	/* 802.1Q, IPv4 Router Alert, CE, DF */
	"ipv4_opt_max_syn",	/* IHL 15 */
	"ipv4_frag_first",	/* MF set: must not be copied */
	"qinq_ipv4_syn",
	"ipv6_syn_linux",
	"cli_ack6_ext_data",	/* class, flow label, HbH + dest opts */
	"cli_ack6_qinq",	/* QinQ, trailer after the datagram */
	"ipv6_ext_syn",		/* four extension headers */
	"ipv6_ah_syn",		/* AH */
};
#define N_INPUTS	(sizeof(inputs) / sizeof(inputs[0]))

static const struct sw_vec *
load(const char *name, uint8_t *buf, struct sw_pkt *p)
{
	const struct sw_vec *v = sw_vec_by_name(name);

	sw_test_ctx = name;
	memset(buf, JUNK, BUF);
	memcpy(buf, v->frame, v->len);
	SW_CHECK(sw_parse(p, buf, v->len) == SW_PARSE_OK);
	SW_CHECK(p->flags & SW_PKT_F_TCP);
	return v;
}

/* The built frame parses, exactly `len` bytes, with complete checksums. */
static bool
reparse(const uint8_t *frame, int len, struct sw_pkt *q)
{
	const char *why;

	SW_CHECKF(len > 0, "len %d", len);
	if (len <= 0)
		return false;
	if (sw_parse(q, frame, (uint32_t)len) != SW_PARSE_OK) {
		SW_CHECK(!"built frame does not parse");
		return false;
	}
	why = sw_pkt_check(q, frame, (uint32_t)len);
	SW_CHECKF(why == NULL, "rule %s", why ? why : "");
	SW_CHECK(q->flags & SW_PKT_F_TCP);
	SW_CHECK(!(q->flags & (SW_PKT_F_PADDED | SW_PKT_F_FRAG |
		SW_PKT_F_IPV4_OPT | SW_PKT_F_IPV6_EXT)));
	SW_CHECK_EQ(q->ip_end, (uint32_t)len);
	SW_CHECK_EQ(q->ip_hdr_len, q->l3 == SW_L3_IPV4 ? 20 : 40);
	SW_CHECK_EQ(q->l4_off, q->l3_off + q->ip_hdr_len);
	SW_CHECK_EQ(q->payload_len, 0);
	SW_CHECK(sw_pkt_l4_cksum_verify(frame, q) == 0);
	if (q->l3 == SW_L3_IPV4)
		SW_CHECK(sw_pkt_ipv4_cksum_verify(frame, q) == 0);
	return true;
}

/*
 * The SYN options as Linux writes them (net/ipv4/tcp_output.c,
 * tcp_options_write): MSS; SACK-permitted folded into the TS word, or
 * NOP NOP TS; NOP NOP SACK-permitted without TS; NOP WS.
 */
static unsigned int
linux_syn_opts(uint8_t *o, const struct sw_syn_params *sp)
{
	unsigned int n = 0;

	if (sp->mss != 0) {
		o[n++] = 2;
		o[n++] = 4;
		o[n++] = (uint8_t)(sp->mss >> 8);
		o[n++] = (uint8_t)sp->mss;
	}
	if (sp->ts) {
		o[n++] = sp->sack_ok ? 4 : 1;
		o[n++] = sp->sack_ok ? 2 : 1;
		o[n++] = 8;
		o[n++] = 10;
		for (int i = 3; i >= 0; i--)
			o[n++] = (uint8_t)(sp->tsval >> (8 * i));
		memset(o + n, 0, 4);		/* TSecr 0 in a SYN */
		n += 4;
	} else if (sp->sack_ok) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	if (sp->wscale != SW_WSCALE_NONE) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = sp->wscale;
	}
	return n;
}

/* Every header field of a backend SYN written from client segment `p`. */
static void
check_syn(const uint8_t *src, const struct sw_pkt *p, const uint8_t *dst,
		int len, const struct sw_syn_params *sp)
{
	uint8_t opts[40];
	unsigned int n_opt = linux_syn_opts(opts, sp);
	const uint8_t *sip = src + p->l3_off, *ip, *tcp;
	struct sw_pkt q;

	SW_CHECK_EQ(len, p->l3_off + (p->l3 == SW_L3_IPV4 ? 20 : 40) + 20 +
		n_opt);
	if (!reparse(dst, len, &q))
		return;
	ip = dst + q.l3_off;
	tcp = dst + q.l4_off;
	/* Same Ethernet header and VLAN tags, same direction. */
	SW_CHECK_EQ(q.l3_off, p->l3_off);
	SW_CHECK(memcmp(dst, src, p->l3_off) == 0);
	SW_CHECK_EQ(q.n_vlan, p->n_vlan);
	SW_CHECK_EQ(q.l3, p->l3);
	if (p->l3 == SW_L3_IPV4) {
		SW_CHECK_EQ(ip[0], 0x45);
		/* DSCP kept; RFC 3168 §6.1.1: a SYN is not-ECT. */
		SW_CHECK_EQ(ip[1], sip[1] & 0xfc);
		SW_CHECK_EQ(sw_cksum_rd16(ip + 2), 20 + 20 + n_opt);
		SW_CHECK_EQ(sw_cksum_rd16(ip + 4), sw_cksum_rd16(sip + 4));
		/* DF as the client set it; no MF, offset 0. */
		SW_CHECK_EQ(sw_cksum_rd16(ip + 6), sip[6] & 0x40 ? 0x4000 : 0);
		SW_CHECK_EQ(ip[8], sip[8]);		/* TTL */
		SW_CHECK_EQ(ip[9], 6);
		SW_CHECK(memcmp(ip + 12, sip + 12, 8) == 0);
	} else {
		uint32_t vtc = sw_cksum_rd32(ip), svtc = sw_cksum_rd32(sip);

		SW_CHECK_EQ(vtc >> 28, 6);
		SW_CHECK_EQ((vtc >> 20) & 0xff, (svtc >> 20) & 0xfc);
		/* Same flow label. */
		SW_CHECK_EQ(vtc & 0xfffff, svtc & 0xfffff);
		SW_CHECK_EQ(sw_cksum_rd16(ip + 4), 20 + n_opt);
		SW_CHECK_EQ(ip[6], 6);
		SW_CHECK_EQ(ip[7], sip[7]);		/* hop limit */
		SW_CHECK(memcmp(ip + 8, sip + 8, 32) == 0);
	}
	SW_CHECK_EQ(q.src_port, p->src_port);
	SW_CHECK_EQ(q.dst_port, p->dst_port);
	SW_CHECK_EQ(q.seq, sp->isn);
	SW_CHECK_EQ(q.ack, 0);
	SW_CHECK_EQ(q.tcp_flags, SW_TCP_SYN |
		(sp->ecn ? SW_TCP_ECE | SW_TCP_CWR : 0));
	SW_CHECK_EQ(q.window, sp->window);
	/* Data offset; the reserved bits are 0. */
	SW_CHECK_EQ(tcp[12], (20 + n_opt) / 4 << 4);
	SW_CHECK_EQ(sw_cksum_rd16(tcp + 18), 0);	/* urgent pointer */
	SW_CHECK_EQ(q.tcp_hdr_len, 20 + n_opt);
	SW_CHECK(memcmp(tcp + 20, opts, n_opt) == 0);
	/* And as the parser reads them. */
	SW_CHECK_EQ(!!(q.opt.present & SW_TCPOPT_F_MSS), sp->mss != 0);
	if (sp->mss != 0)
		SW_CHECK_EQ(q.opt.mss, sp->mss);
	SW_CHECK_EQ(!!(q.opt.present & SW_TCPOPT_F_SACKOK), sp->sack_ok);
	SW_CHECK_EQ(!!(q.opt.present & SW_TCPOPT_F_WSCALE),
		sp->wscale != SW_WSCALE_NONE);
	if (sp->wscale != SW_WSCALE_NONE)
		SW_CHECK_EQ(q.opt.wscale, sp->wscale);
	SW_CHECK_EQ(!!(q.opt.present & SW_TCPOPT_F_TS), sp->ts);
	if (sp->ts) {
		SW_CHECK_EQ(q.opt.tsval, sp->tsval);
		SW_CHECK_EQ(q.opt.tsecr, 0);
	}
	SW_CHECK(!(q.opt.present & (SW_TCPOPT_F_UNKNOWN |
		SW_TCPOPT_F_FASTOPEN | SW_TCPOPT_F_SACK)));
}

/* Every option combination, ECN or not, from every kind of input. */
static void
test_syn_fields(void)
{
	static const uint8_t ws[] = { SW_WSCALE_NONE, 0, 7, 14 };
	uint8_t src[BUF], dst[BUF], copy[BUF];
	struct sw_pkt p;

	for (unsigned int i = 0; i < N_INPUTS; i++) {
		load(inputs[i], src, &p);
		memcpy(copy, src, BUF);
		for (unsigned int c = 0; c < 64; c++) {
			struct sw_syn_params sp = {
				.isn = 0xfffffffe - c * 0x01000001u,
				.tsval = 0x80000000u + c,
				.mss = (c & 1) ? 0 : (uint16_t)(536 + 32 * c),
				.wscale = ws[(c >> 1) & 3],
				.sack_ok = c & 8,
				.ts = c & 16,
				.ecn = c & 32,
				.window = (uint16_t)(65535 - 1000 * c),
			};
			int len;

			memset(dst, JUNK, BUF);
			len = sw_build_syn(dst, BUF, src, &p, &sp);
			check_syn(src, &p, dst, len, &sp);
		}
		/* The client's segment is read, never written. */
		SW_CHECK(memcmp(src, copy, BUF) == 0);
	}
}

/* Byte for byte what scapy writes for the same SYN. */
static void
test_syn_scapy(void)
{
	static const struct {
		const char *in, *exp;
		struct sw_syn_params sp;
	} t[] = {
		{ "cli_ack4_vlan_opt", "exp_syn4_vlan", {
			.isn = 0x7ffffffe, .tsval = 0xfffffff0, .mss = 1460,
			.wscale = 7, .sack_ok = true, .ts = true, .ecn = true,
			.window = 29200 } },
		{ "cli_ack6_ext_data", "exp_syn6_ext", {
			.isn = 0x7fffffff, .tsval = 0xfffffff0, .mss = 1460,
			.wscale = 7, .sack_ok = true, .ts = true, .ecn = false,
			.window = 4000 } },
	};
	uint8_t src[BUF], dst[BUF];
	struct sw_pkt p;

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct sw_vec *e = sw_vec_by_name(t[i].exp);
		int len;

		load(t[i].in, src, &p);
		memset(dst, JUNK, BUF);
		len = sw_build_syn(dst, BUF, src, &p, &t[i].sp);
		SW_CHECK_EQ(len, e->len);
		for (uint32_t b = 0; len == (int)e->len && b < e->len; b++)
			SW_CHECKF(dst[b] == e->frame[b], "byte %u: 0x%02x, "
				"scapy 0x%02x", b, dst[b], e->frame[b]);
	}
}

/*
 * -EINVAL for what is not TCP over IP, and when the SYN does not fit;
 * a SYN that fits exactly is written, and nothing at or past `cap` is.
 */
static void
test_syn_einval(void)
{
	static const char *const non_tcp[] = { "udp4_dns", "udp6", "icmp4",
		"arp", "ipv4_frag_later", "ipv6_frag_later", "ipv6_nonext" };
	const struct sw_syn_params all = { .isn = 1, .tsval = 2, .mss = 1460,
		.wscale = 14, .sack_ok = true, .ts = true, .ecn = true,
		.window = 100 };
	const struct sw_syn_params none = { .isn = 1, .mss = 0,
		.wscale = SW_WSCALE_NONE, .window = 100 };
	uint8_t src[BUF], dst[BUF];
	struct sw_pkt p;

	for (unsigned int i = 0; i < sizeof(non_tcp) / sizeof(non_tcp[0]);
			i++) {
		const struct sw_vec *v = sw_vec_by_name(non_tcp[i]);

		sw_test_ctx = non_tcp[i];
		memcpy(src, v->frame, v->len);
		SW_CHECK(sw_parse(&p, src, v->len) == SW_PARSE_OK);
		memset(dst, JUNK, BUF);
		SW_CHECK_EQ(sw_build_syn(dst, BUF, src, &p, &all), -EINVAL);
	}
	for (unsigned int i = 0; i < N_INPUTS; i++) {
		const struct sw_syn_params *sps[] = { &all, &none };

		load(inputs[i], src, &p);
		for (unsigned int k = 0; k < 2; k++) {
			uint8_t opts[40];
			uint32_t need = p.l3_off + (p.l3 == SW_L3_IPV4 ? 20 :
				40) + 20 + linux_syn_opts(opts, sps[k]);
			int len;

			memset(dst, JUNK, BUF);
			SW_CHECK_EQ(sw_build_syn(dst, need - 1, src, &p,
				sps[k]), -EINVAL);
			SW_CHECK_EQ(sw_build_syn(dst, 0, src, &p, sps[k]),
				-EINVAL);
			memset(dst, JUNK, BUF);
			len = sw_build_syn(dst, need, src, &p, sps[k]);
			SW_CHECKF(len == (int)need, "cap %u (exactly the SYN): "
				"got %d", need, len);
			for (uint32_t b = need; b < BUF; b++)
				if (dst[b] != JUNK) {
					SW_CHECKF(dst[b] == JUNK, "byte %u "
						"past cap %u written", b, need);
					break;
				}
		}
	}
}

/* An ACK back to the sender of `p`, every field. */
static void
check_ack(const uint8_t *orig, const struct sw_pkt *p, const uint8_t *frame,
		int len, const struct sw_ack_params *ap)
{
	const uint8_t *oip = orig + p->l3_off, *ip, *tcp;
	uint32_t tcp_len = 20 + (ap->ts ? 12 : 0);
	struct sw_pkt q;

	SW_CHECK_EQ(len, p->l3_off + (p->l3 == SW_L3_IPV4 ? 20 : 40) +
		tcp_len);
	if (ap->csum_offload) {
		/*
		 * As the NIC would: IPv4 header sum from scratch, and the TCP
		 * sum over the segment whose checksum field holds the
		 * pseudo-header sum (DPDK's TX offload contract).
		 */
		uint8_t tmp[BUF];
		uint8_t *l4;
		uint32_t s;

		if (len <= 0 || len > BUF)
			return;
		memcpy(tmp, frame, (size_t)len);
		if (p->l3 == SW_L3_IPV4) {
			SW_CHECK_EQ(sw_cksum_rd16(tmp + p->l3_off + 10), 0);
			sw_ipv4_hdr_cksum_set(tmp + p->l3_off, 20);
		}
		l4 = tmp + p->l3_off + (p->l3 == SW_L3_IPV4 ? 20 : 40);
		s = sw_cksum_sum(l4, tcp_len, 0);
		sw_cksum_wr16(l4 + SW_TCP_CKSUM_OFF,
			(uint16_t)~sw_cksum_fold(s));
		check_ack(orig, p, tmp, len, &(struct sw_ack_params){
			.seq = ap->seq, .ack = ap->ack, .window = ap->window,
			.ts = ap->ts, .tsval = ap->tsval, .tsecr = ap->tsecr,
			.ttl = ap->ttl, .csum_offload = false });
		return;
	}
	if (!reparse(frame, len, &q))
		return;
	ip = frame + q.l3_off;
	tcp = frame + q.l4_off;
	/* MACs swapped, tags kept. */
	SW_CHECK(memcmp(frame, orig + 6, 6) == 0);
	SW_CHECK(memcmp(frame + 6, orig, 6) == 0);
	SW_CHECK(memcmp(frame + 12, orig + 12, p->l3_off - 12) == 0);
	SW_CHECK_EQ(q.n_vlan, p->n_vlan);
	SW_CHECK_EQ(q.l3, p->l3);
	if (p->l3 == SW_L3_IPV4) {
		SW_CHECK_EQ(ip[0], 0x45);
		SW_CHECK_EQ(ip[1], 0);		/* not-ECT, no DSCP */
		SW_CHECK_EQ(sw_cksum_rd16(ip + 2), 20 + tcp_len);
		SW_CHECK_EQ(sw_cksum_rd16(ip + 6), 0x4000);	/* DF only */
		SW_CHECK_EQ(ip[8], ap->ttl);
		SW_CHECK_EQ(ip[9], 6);
		SW_CHECK(memcmp(ip + 12, oip + 16, 4) == 0);
		SW_CHECK(memcmp(ip + 16, oip + 12, 4) == 0);
	} else {
		SW_CHECK_EQ(sw_cksum_rd32(ip), 0x60000000);
		SW_CHECK_EQ(sw_cksum_rd16(ip + 4), tcp_len);
		SW_CHECK_EQ(ip[6], 6);
		SW_CHECK_EQ(ip[7], ap->ttl);
		SW_CHECK(memcmp(ip + 8, oip + 24, 16) == 0);
		SW_CHECK(memcmp(ip + 24, oip + 8, 16) == 0);
	}
	SW_CHECK_EQ(q.src_port, p->dst_port);
	SW_CHECK_EQ(q.dst_port, p->src_port);
	SW_CHECK_EQ(q.seq, ap->seq);
	SW_CHECK_EQ(q.ack, ap->ack);
	SW_CHECK_EQ(q.tcp_flags, SW_TCP_ACK);
	SW_CHECK_EQ(q.window, ap->window);
	SW_CHECK_EQ(tcp[12], tcp_len / 4 << 4);
	SW_CHECK_EQ(sw_cksum_rd16(tcp + 18), 0);
	SW_CHECK_EQ(q.opt.present, ap->ts ? SW_TCPOPT_F_TS : 0);
	if (ap->ts) {
		/* NOP NOP TS: TSval 4-byte aligned. */
		SW_CHECK_EQ(tcp[20], 1);
		SW_CHECK_EQ(tcp[21], 1);
		SW_CHECK_EQ(q.opt.ts_off, q.l4_off + 24);
		SW_CHECK_EQ(q.opt.tsval, ap->tsval);
		SW_CHECK_EQ(q.opt.tsecr, ap->tsecr);
	}
}

static void
test_ack_fields(void)
{
	uint8_t orig[BUF], buf[BUF];
	struct sw_pkt p;

	for (unsigned int i = 0; i < N_INPUTS; i++) {
		for (unsigned int c = 0; c < 8; c++) {
			const struct sw_ack_params ap = {
				.seq = 0xffffffff - c, .ack = 0x80000000u + c,
				.window = (uint16_t)(c * 9000),
				.ts = c & 1, .tsval = 0xfffffff0u + c,
				.tsecr = 0x7fffffffu + c,
				.ttl = (uint8_t)(1 + 60 * c),
				.csum_offload = c & 2,
			};
			int len;

			load(inputs[i], buf, &p);
			memcpy(orig, buf, BUF);
			len = sw_build_ack(buf, BUF, &p, &ap);
			check_ack(orig, &p, buf, len, &ap);
		}
	}
}

static void
test_ack_scapy(void)
{
	static const struct {
		const char *in, *exp;
		struct sw_ack_params ap;
	} t[] = {
		{ "cli_ack4_vlan_opt", "exp_ack4_vlan", {
			.seq = 0x12345678, .ack = 0x8000000a, .window = 1234,
			.ts = true, .tsval = 0xa0000000, .tsecr = 0xfffffff0,
			.ttl = 200 } },
		{ "cli_ack6_ext_data", "exp_ack6_ext", {
			.seq = 0xffffffff, .ack = 0x80000011, .window = 77,
			.ttl = 200 } },
	};
	uint8_t buf[BUF];
	struct sw_pkt p;

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct sw_vec *e = sw_vec_by_name(t[i].exp);
		int len;

		load(t[i].in, buf, &p);
		len = sw_build_ack(buf, BUF, &p, &t[i].ap);
		SW_CHECK_EQ(len, e->len);
		for (uint32_t b = 0; len == (int)e->len && b < e->len; b++)
			SW_CHECKF(buf[b] == e->frame[b], "byte %u: 0x%02x, "
				"scapy 0x%02x", b, buf[b], e->frame[b]);
	}
}

static void
test_ack_einval(void)
{
	static const char *const non_tcp[] = { "udp4_dns", "udp6", "icmp4",
		"arp", "ipv4_frag_later", "ipv6_frag_later", "ipv6_nonext" };
	uint8_t buf[BUF], orig[BUF];
	struct sw_pkt p;

	for (unsigned int i = 0; i < sizeof(non_tcp) / sizeof(non_tcp[0]);
			i++) {
		const struct sw_vec *v = sw_vec_by_name(non_tcp[i]);
		const struct sw_ack_params ap = { .seq = 1, .ack = 2,
			.ts = true, .ttl = 64 };

		sw_test_ctx = non_tcp[i];
		memcpy(buf, v->frame, v->len);
		SW_CHECK(sw_parse(&p, buf, v->len) == SW_PARSE_OK);
		SW_CHECK_EQ(sw_build_ack(buf, BUF, &p, &ap), -EINVAL);
		SW_CHECK(memcmp(buf, v->frame, v->len) == 0);
	}
	for (unsigned int i = 0; i < N_INPUTS; i++) {
		for (unsigned int ts = 0; ts < 2; ts++) {
			const struct sw_ack_params ap = { .seq = 1, .ack = 2,
				.ts = ts, .ttl = 64 };
			uint32_t need;

			load(inputs[i], buf, &p);
			need = p.l3_off + (p.l3 == SW_L3_IPV4 ? 20 : 40) + 20 +
				(ts ? 12 : 0);
			memcpy(orig, buf, BUF);
			SW_CHECK_EQ(sw_build_ack(buf, need - 1, &p, &ap),
				-EINVAL);
			/* Refused: the frame is left as it was. */
			SW_CHECK(memcmp(buf, orig, BUF) == 0);
			SW_CHECK_EQ(sw_build_ack(buf, need, &p, &ap),
				(int)need);
			SW_CHECK(memcmp(buf + need, orig + need,
				BUF - need) == 0);
		}
	}
}

/*
 * sw_build_ptb: the ICMP error a router sends for a segment too big for
 * its next hop, from the segment's destination, quoting its start; the
 * quote parses as sw_parse_icmp_quote() reads errors; sums complete.
 */
static void
test_ptb(void)
{
	static const struct { const char *in; uint32_t mtu; } cases[] = {
		{ "big4", 1280 }, { "big6", 1280 }, { "hs_a_data", 576 },
		{ "cli_ack4_vlan_opt", 1400 }, { "cli_ack6_qinq", 1300 },
	};
	uint8_t buf[BUF], orig[BUF];

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sw_vec *v = sw_vec_by_name(cases[i].in);
		const bool v4 = v->exp.l3 == SW_L3_IPV4;
		struct sw_pkt p, q;
		struct sw_icmp_quote iq;
		uint32_t ilen, quote;
		const uint8_t *icmp;
		int len;

		sw_test_ctx = cases[i].in;
		memcpy(buf, v->frame, v->len);
		memcpy(orig, v->frame, v->len);
		SW_CHECK(sw_parse(&p, buf, v->len) == SW_PARSE_OK);
		len = sw_build_ptb(buf, sizeof(buf), &p, cases[i].mtu, 64);
		SW_CHECK(len > 0);
		if (len <= 0)
			continue;
		SW_CHECK(sw_parse(&q, buf, (uint32_t)len) == SW_PARSE_OK);
		SW_CHECK_EQ(q.l4_proto, v4 ? 1 : 58);
		SW_CHECK_EQ(q.ip_end, (uint32_t)len);
		/* Within 576 / 1280 bytes, quoting all it may. */
		ilen = q.ip_end - q.l3_off;
		quote = p.ip_end - p.l3_off;
		if (quote > (v4 ? 548u : 1232u))
			quote = v4 ? 548 : 1232;
		SW_CHECK_EQ(ilen, (v4 ? 28 : 48) + quote);
		SW_CHECK(memcmp(buf + q.l4_off + 8, orig + p.l3_off, quote) == 0);
		/* MACs swapped, tags kept; addresses swapped. */
		SW_CHECK(memcmp(buf, orig + 6, 6) == 0);
		SW_CHECK(memcmp(buf + 6, orig, 6) == 0);
		SW_CHECK(memcmp(buf + 12, orig + 12, p.l3_off - 12) == 0);
		if (v4) {
			SW_CHECK(memcmp(buf + q.l3_off + 12, orig + p.l3_off + 16,
				4) == 0);
			SW_CHECK(memcmp(buf + q.l3_off + 16, orig + p.l3_off + 12,
				4) == 0);
			SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &q) == 0);
		} else {
			SW_CHECK(memcmp(buf + q.l3_off + 8, orig + p.l3_off + 24,
				16) == 0);
			SW_CHECK(memcmp(buf + q.l3_off + 24, orig + p.l3_off + 8,
				16) == 0);
		}
		icmp = buf + q.l4_off;
		SW_CHECK_EQ(icmp[0], v4 ? 3 : 2);
		SW_CHECK_EQ(icmp[1], v4 ? 4 : 0);
		if (v4)
			SW_CHECK_EQ(sw_cksum_rd16(icmp + 6), cases[i].mtu);
		else
			SW_CHECK_EQ(sw_cksum_rd32(icmp + 4), cases[i].mtu);
		SW_CHECK(v4 ? sw_cksum(icmp, ilen - 20) == 0 :
			sw_l4_cksum_verify(sw_ipv6_phdr_sum(buf + q.l3_off, 58,
				ilen - 40), icmp, ilen - 40) == 0);
		/* Read back as an error quoting the segment. */
		SW_CHECK(sw_parse_icmp_quote(buf, &q, &iq) == 0);
		SW_CHECK_EQ(iq.type, v4 ? 3 : 2);
		SW_CHECK(memcmp(buf + iq.tcp_off, orig + p.l4_off, 8) == 0);
	}
	/* Not TCP, or an MTU that does not fit the field: refused. */
	{
		const struct sw_vec *v = sw_vec_by_name("udp4_dns");
		struct sw_pkt p;

		memcpy(buf, v->frame, v->len);
		SW_CHECK(sw_parse(&p, buf, v->len) == SW_PARSE_OK);
		SW_CHECK_EQ(sw_build_ptb(buf, sizeof(buf), &p, 1280, 64),
			-EINVAL);
		v = sw_vec_by_name("big4");
		memcpy(buf, v->frame, v->len);
		SW_CHECK(sw_parse(&p, buf, v->len) == SW_PARSE_OK);
		SW_CHECK_EQ(sw_build_ptb(buf, sizeof(buf), &p, 70000, 64),
			-EINVAL);
		SW_CHECK_EQ(sw_build_ptb(buf, 100, &p, 1280, 64), -EINVAL);
	}
}

/* lb's health check SYN: every field, both families, the bounds. */
static void
test_check_syn(void)
{
	static const uint8_t src4[4] = { 198, 51, 100, 1 };
	static const uint8_t dst4[4] = { 198, 51, 100, 11 };
	static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 11 };
	uint8_t buf[BUF];

	for (int v6 = 0; v6 < 2; v6++) {
		const struct sw_check_syn_params cp = {
			.family = v6 ? AF_INET6 : AF_INET,
			.src = v6 ? src6 : src4, .dst = v6 ? dst6 : dst4,
			.sport_be = htons(64513), .dport_be = htons(8080),
			.seq = 0x12345678, .mss = v6 ? 1440 : 1460,
			.window = 65535, .ttl = 64,
		};
		const uint32_t want = 14 + (v6 ? 40 : 20) + 24;
		struct sw_pkt q;
		int len;

		sw_test_ctx = v6 ? "IPv6" : "IPv4";
		memset(buf, JUNK, sizeof(buf));
		len = sw_build_check_syn(buf, sizeof(buf), &cp);
		SW_CHECK_EQ(len, want);
		if (!reparse(buf, len, &q))
			continue;
		SW_CHECK_EQ(q.l3, v6 ? SW_L3_IPV6 : SW_L3_IPV4);
		SW_CHECK_EQ(q.tcp_flags, SW_TCP_SYN);
		SW_CHECK_EQ(q.src_port, 64513);
		SW_CHECK_EQ(q.dst_port, 8080);
		SW_CHECK_EQ(q.seq, 0x12345678);
		SW_CHECK_EQ(q.window, 65535);
		SW_CHECK_EQ(q.opt.present, SW_TCPOPT_F_MSS);
		SW_CHECK_EQ(q.opt.mss, cp.mss);
		SW_CHECK(memcmp(buf + q.l3_off + (v6 ? 8 : 12), cp.src,
			v6 ? 16 : 4) == 0);
		SW_CHECK(memcmp(buf + q.l3_off + (v6 ? 24 : 16), cp.dst,
			v6 ? 16 : 4) == 0);
		/* TTL / hop limit, and DF on IPv4 */
		SW_CHECK_EQ(buf[q.l3_off + (v6 ? 7 : 8)], 64);
		if (!v6)
			SW_CHECK_EQ(buf[q.l3_off + 6], 0x40);
		/* Ethernet addresses are the next hop's business: zero. */
		for (int i = 0; i < 12; i++)
			SW_CHECK_EQ(buf[i], 0);
		SW_CHECK_EQ(sw_build_check_syn(buf, want - 1, &cp), -EINVAL);
	}
	{
		struct sw_check_syn_params bad = { .family = 0 };

		SW_CHECK_EQ(sw_build_check_syn(buf, sizeof(buf), &bad),
			-EINVAL);
	}
}

/* A client's RST made bare: seq kept, nothing else, sums complete. */
static void
test_bare_rst(void)
{
	for (unsigned int i = 0; i < N_INPUTS; i++) {
		uint8_t buf[BUF];
		struct sw_pkt p, q, r;
		uint32_t seq;
		int len;

		load(inputs[i], buf, &p);
		/* The engine drops fragments before any flow sees them. */
		if (p.flags & SW_PKT_F_FRAG)
			continue;
		seq = p.seq;
		len = sw_build_bare_rst(buf, &p, &q);
		/* IP options and extension headers stay: only TCP changes. */
		SW_CHECK_EQ(len, p.l4_off + 20);
		if (len <= 0 || sw_parse(&r, buf, (uint32_t)len) != SW_PARSE_OK) {
			SW_CHECK(!"bare RST does not parse");
			continue;
		}
		SW_CHECK(sw_pkt_check(&r, buf, (uint32_t)len) == NULL);
		SW_CHECK_EQ(r.tcp_flags, SW_TCP_RST);
		SW_CHECK_EQ(r.seq, seq);
		SW_CHECK_EQ(r.ack, 0);
		SW_CHECK_EQ(r.window, 0);
		SW_CHECK_EQ(r.tcp_hdr_len, 20);
		SW_CHECK_EQ(r.payload_len, 0);
		SW_CHECK_EQ(q.ip_end, r.ip_end);
		SW_CHECK_EQ(q.tcp_flags, r.tcp_flags);
		SW_CHECK(sw_pkt_l4_cksum_verify(buf, &r) == 0);
		if (r.l3 == SW_L3_IPV4)
			SW_CHECK(sw_pkt_ipv4_cksum_verify(buf, &r) == 0);
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "syn_fields", test_syn_fields },
		{ "syn_scapy", test_syn_scapy },
		{ "syn_einval", test_syn_einval },
		{ "ack_fields", test_ack_fields },
		{ "ack_scapy", test_ack_scapy },
		{ "ack_einval", test_ack_einval },
		{ "ptb: packet too big, quoting the segment", test_ptb },
		{ "check_syn: lb health check SYN", test_check_syn },
		{ "bare_rst: a RST stripped to its seq", test_bare_rst },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
