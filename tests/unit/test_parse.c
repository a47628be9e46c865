/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sw_parse() against the scapy vectors (vectors.h, gen_vectors.py), every
 * truncation of every good frame, random mutations, and the edges that
 * vectors cannot carry (frames past 64 KiB). Every frame is handed to the
 * parser in an exactly-sized heap copy, so that under ASan a read at or past
 * `len` fails the test.
 */
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_parse.h"

#include "pkt_check.h"
#include "sw_test.h"
#include "vectors.h"

static enum sw_parse_err
parse_copy(struct sw_pkt *p, const uint8_t *frame, uint32_t len, size_t off)
{
	enum sw_parse_err err;
	uint8_t *base;
	uint8_t *buf = sw_test_copy(frame, len, off, &base);

	/* Dirty the view: the parser must set every field it reports. */
	memset(p, 0xa5, sizeof(*p));
	err = sw_parse(p, buf, len);
	free(base);
	return err;
}

/* The parts of the view that the vector fixes (sack[] up to n_sack). */
static void
check_view(const struct sw_pkt *p, const struct sw_pkt *e)
{
	unsigned int i;

	SW_CHECK_EQ(p->len, e->len);
	SW_CHECK_EQ(p->flags, e->flags);
	SW_CHECK_EQ(p->ethertype, e->ethertype);
	SW_CHECK_EQ(p->n_vlan, e->n_vlan);
	for (i = 0; i < e->n_vlan; i++)
		SW_CHECK_EQ(p->vlan_tci[i], e->vlan_tci[i]);
	SW_CHECK_EQ(p->l3, e->l3);
	SW_CHECK_EQ(p->l4_proto, e->l4_proto);
	SW_CHECK_EQ(p->l3_off, e->l3_off);
	SW_CHECK_EQ(p->l4_off, e->l4_off);
	SW_CHECK_EQ(p->ip_end, e->ip_end);
	SW_CHECK_EQ(p->ip_hdr_len, e->ip_hdr_len);
	SW_CHECK_EQ(p->tcp_hdr_len, e->tcp_hdr_len);
	SW_CHECK_EQ(p->payload_off, e->payload_off);
	SW_CHECK_EQ(p->payload_len, e->payload_len);
	SW_CHECK_EQ(p->src_port, e->src_port);
	SW_CHECK_EQ(p->dst_port, e->dst_port);
	SW_CHECK_EQ(p->seq, e->seq);
	SW_CHECK_EQ(p->ack, e->ack);
	SW_CHECK_EQ(p->tcp_flags, e->tcp_flags);
	SW_CHECK_EQ(p->window, e->window);
	if (!(e->flags & SW_PKT_F_TCP))
		return;
	SW_CHECK_EQ(p->opt.present, e->opt.present);
	SW_CHECK_EQ(p->opt.mss, e->opt.mss);
	SW_CHECK_EQ(p->opt.wscale, e->opt.wscale);
	SW_CHECK_EQ(p->opt.n_sack, e->opt.n_sack);
	SW_CHECK_EQ(p->opt.ts_off, e->opt.ts_off);
	SW_CHECK_EQ(p->opt.tsval, e->opt.tsval);
	SW_CHECK_EQ(p->opt.tsecr, e->opt.tsecr);
	for (i = 0; i < e->opt.n_sack && i < SW_SACK_MAX; i++) {
		SW_CHECK_EQ(p->opt.sack[i][0], e->opt.sack[i][0]);
		SW_CHECK_EQ(p->opt.sack[i][1], e->opt.sack[i][1]);
		SW_CHECK_EQ(p->opt.sack_off[i], e->opt.sack_off[i]);
	}
}

/* Each vector parses to exactly what scapy says, or is refused as it says. */
static void
test_vectors(void)
{
	size_t i, shift;
	struct sw_pkt p;
	const char *why;

	for (i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];

		sw_test_ctx = v->name;
		/* Same result at any alignment of the frame. */
		for (shift = 0; shift < 4; shift++) {
			enum sw_parse_err err = parse_copy(&p, v->frame,
					v->len, shift);

			SW_CHECKF(err == v->err, "got %s want %s",
				sw_parse_err_name(err),
				sw_parse_err_name(v->err));
			if (err != SW_PARSE_OK || v->err != SW_PARSE_OK)
				continue;
			check_view(&p, &v->exp);
			why = sw_pkt_check(&p, v->frame, v->len);
			SW_CHECKF(why == NULL, "rule %s", why ? why : "");
		}
	}
}

/* The error every prefix of a datagram must get, from where it is cut. */
static enum sw_parse_err
cut_error(const struct sw_pkt *e, uint32_t k)
{
	if (k < e->l3_off)
		return SW_PARSE_L2_TRUNC;
	if (e->l3 == SW_L3_IPV4)
		return k - e->l3_off < 20 ? SW_PARSE_IPV4_TRUNC :
			SW_PARSE_IPV4_TOTLEN;
	return k - e->l3_off < 40 ? SW_PARSE_IPV6_TRUNC : SW_PARSE_IPV6_PLEN;
}

/*
 * Cut every good frame at every byte. A prefix that ends inside the IP
 * datagram must be refused, with the error of the layer it ends in; a
 * prefix that still holds the datagram parses to the same view, minus the
 * padding it lost.
 */
static void
test_truncation(void)
{
	struct sw_pkt p, e;
	size_t i;
	uint32_t k;

	for (i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];

		if (v->err != SW_PARSE_OK)
			continue;
		sw_test_ctx = v->name;
		for (k = 0; k < v->len; k++) {
			enum sw_parse_err err = parse_copy(&p, v->frame, k, 0);

			if (v->exp.l3 == SW_L3_OTHER) {
				SW_CHECKF(err == (k < 14u + 4u * v->exp.n_vlan ?
					SW_PARSE_L2_TRUNC : SW_PARSE_OK),
					"cut at %u: %s", k,
					sw_parse_err_name(err));
				continue;
			}
			if (k < v->exp.ip_end) {
				SW_CHECKF(err == cut_error(&v->exp, k),
					"cut at %u: %s", k,
					sw_parse_err_name(err));
				continue;
			}
			SW_CHECKF(err == SW_PARSE_OK, "cut at %u: %s", k,
				sw_parse_err_name(err));
			e = v->exp;
			e.len = k;
			if (k == e.ip_end)
				e.flags &= (uint16_t)~SW_PKT_F_PADDED;
			if (err == SW_PARSE_OK)
				check_view(&p, &e);
		}
	}
}

/*
 * Random byte changes, bit flips, cuts and growth on every vector: no read
 * past the end (ASan), and whatever parses OK is self-consistent. The
 * fuzzer does this better; this keeps a fixed, quick version in the suite.
 */
static void
test_mutations(void)
{
	uint64_t seed = 0x5eed5eed1234ull;
	uint8_t buf[2048];
	struct sw_pkt p;
	unsigned int n_ok = 0;
	size_t i;
	int round;

	for (i = 0; i < SW_N_VECS; i++) {
		const struct sw_vec *v = &sw_vecs[i];

		sw_test_ctx = v->name;
		for (round = 0; round < 3000; round++) {
			uint32_t len = v->len, n, j;
			uint64_t r = sw_test_rand(&seed);
			const char *why;

			memcpy(buf, v->frame, len);
			n = 1 + (uint32_t)(r % 4);
			for (j = 0; j < n; j++) {
				uint32_t at;

				r = sw_test_rand(&seed);
				/* Bias towards the headers, where the logic is. */
				at = (uint32_t)(r >> 8) % (len < 96 ? len : 96);
				if (r & 1)
					buf[at] ^= (uint8_t)(1u << (r >> 4 & 7));
				else
					buf[at] = (uint8_t)(r >> 16);
			}
			r = sw_test_rand(&seed);
			if ((r & 7) == 0)
				len = (uint32_t)(r >> 8) % (len + 1);
			else if ((r & 7) == 1 && len + 64 <= sizeof(buf))
				len += (uint32_t)(r >> 8) % 64;
			if (parse_copy(&p, buf, len, 0) != SW_PARSE_OK)
				continue;
			n_ok++;
			why = sw_pkt_check(&p, buf, len);
			SW_CHECKF(why == NULL, "round %d rule %s", round,
				why ? why : "");
		}
	}
	sw_test_ctx = "";
	SW_CHECK(n_ok > 1000);	/* the mutations did not all miss */
}

/* Counter names: stable, distinct, snake_case; "unknown" out of range. */
static void
test_err_names(void)
{
	unsigned int i, j;

	SW_CHECK(strcmp(sw_parse_err_name(SW_PARSE_OK), "ok") == 0);
	SW_CHECK(strcmp(sw_parse_err_name(SW_PARSE_L2_TRUNC), "l2_trunc") == 0);
	SW_CHECK(strcmp(sw_parse_err_name(SW_PARSE_IPV4_IHL), "ipv4_ihl") == 0);
	SW_CHECK(strcmp(sw_parse_err_name(SW_PARSE_TCP_OPT), "tcp_opt") == 0);
	SW_CHECK(strcmp(sw_parse_err_name(SW_PARSE_ERR_MAX), "unknown") == 0);
	SW_CHECK(strcmp(sw_parse_err_name((enum sw_parse_err)-1),
		"unknown") == 0);
	SW_CHECK(strcmp(sw_parse_err_name((enum sw_parse_err)1000),
		"unknown") == 0);
	for (i = 0; i < SW_PARSE_ERR_MAX; i++) {
		const char *n = sw_parse_err_name((enum sw_parse_err)i);
		const char *c;

		SW_CHECKF(n != NULL && strcmp(n, "unknown") != 0, "err %u", i);
		if (n == NULL)
			continue;
		for (c = n; *c != '\0'; c++)
			SW_CHECKF((*c >= 'a' && *c <= 'z') ||
				(*c >= '0' && *c <= '9') || *c == '_',
				"name %s", n);
		for (j = 0; j < i; j++)
			SW_CHECKF(strcmp(n, sw_parse_err_name(
				(enum sw_parse_err)j)) != 0, "dup %s", n);
	}
}

/*
 * The seed's worked example (DESIGN.md): A seq=10000 SYN; B seq=20000
 * ack=10001 SYN-ACK; A seq=10001 ack=20001 ACK; then data is acked with
 * seq + payload length.
 */
static void
test_handshake(void)
{
	struct sw_pkt a, b, c, d, e;

	SW_CHECK(parse_copy(&a, sw_vec_by_name("hs_a_syn")->frame,
		sw_vec_by_name("hs_a_syn")->len, 0) == SW_PARSE_OK);
	SW_CHECK(parse_copy(&b, sw_vec_by_name("hs_b_synack")->frame,
		sw_vec_by_name("hs_b_synack")->len, 0) == SW_PARSE_OK);
	SW_CHECK(parse_copy(&c, sw_vec_by_name("hs_a_ack")->frame,
		sw_vec_by_name("hs_a_ack")->len, 0) == SW_PARSE_OK);
	SW_CHECK(parse_copy(&d, sw_vec_by_name("hs_a_data")->frame,
		sw_vec_by_name("hs_a_data")->len, 0) == SW_PARSE_OK);
	SW_CHECK(parse_copy(&e, sw_vec_by_name("hs_b_ack")->frame,
		sw_vec_by_name("hs_b_ack")->len, 0) == SW_PARSE_OK);
	SW_CHECK_EQ(a.tcp_flags, SW_TCP_SYN);
	SW_CHECK_EQ(a.seq, 10000);
	SW_CHECK_EQ(b.tcp_flags, SW_TCP_SYN | SW_TCP_ACK);
	SW_CHECK_EQ(b.seq, 20000);
	SW_CHECK_EQ(b.ack, a.seq + 1);
	SW_CHECK_EQ(c.tcp_flags, SW_TCP_ACK);
	SW_CHECK_EQ(c.seq, a.seq + 1);
	SW_CHECK_EQ(c.ack, b.seq + 1);
	SW_CHECK(c.flags & SW_PKT_F_PADDED);	/* 54 bytes on a 60-byte wire */
	SW_CHECK_EQ(d.seq, c.seq);
	SW_CHECK_EQ(d.payload_len, 100);
	SW_CHECK_EQ(e.ack, d.seq + d.payload_len);
	SW_CHECK_EQ(a.dst_port, b.src_port);
	SW_CHECK_EQ(a.src_port, b.dst_port);
}

/* Write an IPv4 header + TCP header (no options) at `ip`. */
static void
put_ipv4_tcp(uint8_t *ip, uint32_t tot)
{
	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = 6;
	ip[20 + 12] = 0x50;
	ip[20 + 13] = SW_TCP_SYN;
}

/*
 * Offsets are 16-bit: a frame past UINT16_MAX bytes (not one mbuf segment)
 * is looked at up to UINT16_MAX only. A datagram that fits parses, the rest
 * of the frame is padding; one that would end past UINT16_MAX is refused.
 */
static void
test_oversize(void)
{
	const uint32_t len = 70000;
	uint8_t *f = calloc(1, len);
	struct sw_pkt p;

	if (f == NULL)
		exit(EXIT_FAILURE);
	f[12] = 0x08;
	put_ipv4_tcp(f + 14, 65535 - 14);
	SW_CHECK(sw_parse(&p, f, len) == SW_PARSE_OK);
	SW_CHECK_EQ(p.ip_end, 65535);
	SW_CHECK_EQ(p.payload_len, 65535 - 14 - 40);
	SW_CHECK(p.flags & SW_PKT_F_PADDED);
	SW_CHECK(sw_pkt_check(&p, f, len) == NULL);
	put_ipv4_tcp(f + 14, 65535);
	SW_CHECK(sw_parse(&p, f, len) == SW_PARSE_IPV4_TOTLEN);
	/* The same datagram in a frame just large enough is fine ... */
	put_ipv4_tcp(f + 14, 65535 - 14);
	SW_CHECK(sw_parse(&p, f, 65535) == SW_PARSE_OK);
	SW_CHECK(!(p.flags & SW_PKT_F_PADDED));
	/* ... and IPv6 with a 64 KiB payload length past the cap is not. */
	memset(f, 0, 128);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = 0xff;
	f[19] = 0xff;
	f[20] = 59;
	SW_CHECK(sw_parse(&p, f, len) == SW_PARSE_IPV6_PLEN);
	f[18] = 0xff;
	f[19] = 0xff - 54;
	SW_CHECK(sw_parse(&p, f, len) == SW_PARSE_OK);
	SW_CHECK(p.flags & SW_PKT_F_L4_NONE);
	free(f);
}

/* A zero-length frame, and a NULL-free path for len 0. */
static void
test_empty(void)
{
	struct sw_pkt p;

	SW_CHECK(parse_copy(&p, NULL, 0, 0) == SW_PARSE_L2_TRUNC);
	SW_CHECK_EQ(p.len, 0);
}

/*
 * The options fast path against the full parser: every layout it knows,
 * then each of their bytes changed to every value, then random option
 * bytes of every length. Where the fast path takes a layout, its result
 * must be the full parser's, field for field.
 */
static void
opts_agree(const uint8_t *opt, uint32_t len, uint64_t *taken)
{
	uint8_t frame[128] = { 0 };
	struct sw_tcp_opts fast, full;
	const uint32_t off = 34 + 20;

	memcpy(frame + off, opt, len);
	memset(&fast, 0, sizeof(fast));
	memset(&full, 0, sizeof(full));
	if (!sw_parse_tcp_opts_fast(&fast, frame, off, off + len))
		return;
	(*taken)++;
	SW_CHECKF(sw_parse_tcp_opts_full(&full, frame, off, off + len) ==
		SW_PARSE_OK && memcmp(&fast, &full, sizeof(fast)) == 0,
		"fast and full options disagree (len %u, %02x %02x %02x %02x)",
		len, opt[0], opt[1], len > 2 ? opt[2] : 0, len > 3 ? opt[3] : 0);
}

static void
test_opts_fast(void)
{
	static const struct {
		uint8_t len;
		uint8_t b[24];
	} known[] = {
		{ 4, { 2, 4, 0x05, 0xb4 } },
		{ 12, { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ 12, { 2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 } },
		{ 20, { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8,
			1, 3, 3, 7 } },
		{ 24, { 2, 4, 0x05, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 1, 2, 3, 4,
			5, 6, 7, 8, 4, 2, 0, 0 } },
	};
	uint64_t taken = 0, rng = 1;
	uint8_t o[40];

	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		uint64_t before = taken;

		opts_agree(known[k].b, known[k].len, &taken);
		SW_CHECKF(taken == before + 1, "layout %zu not on the fast path",
			k);
		for (uint32_t i = 0; i < known[k].len; i++)
			for (unsigned int v = 0; v < 256; v++) {
				memcpy(o, known[k].b, known[k].len);
				o[i] = (uint8_t)v;
				opts_agree(o, known[k].len, &taken);
			}
	}
	for (unsigned int n = 0; n < 200000; n++) {
		const uint32_t len = 4 * (1 + n % 10);

		for (uint32_t i = 0; i < len; i++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			o[i] = (uint8_t)rng;
		}
		/* Now and then a known layout's start, so random bytes
		 * reach the deeper compares. */
		if (n % 3 == 0)
			memcpy(o, known[n % 5].b, len < 4 ? len : 4);
		opts_agree(o, len, &taken);
	}
	printf("# %" PRIu64 " option blocks on the fast path, all as the full parser\n",
		taken);
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "parse_vectors", test_vectors },
		{ "parse_truncated_every_byte", test_truncation },
		{ "parse_mutations_consistent", test_mutations },
		{ "parse_err_names", test_err_names },
		{ "parse_seed_handshake", test_handshake },
		{ "parse_oversize_frame", test_oversize },
		{ "parse_empty_frame", test_empty },
		{ "parse_opts_fast_as_full", test_opts_fast },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
