/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for sw_parse() and the checksum helpers.
 *
 * The input goes into a heap buffer of exactly its size, so that under ASan
 * any read at or past `len` crashes. Whatever parses OK must satisfy
 * sw_pkt_check() (tests/unit/pkt_check.h); TCP/UDP packets then go through
 * verify, full set and incremental update, which must agree, and TCP
 * options through the fast path and the full parser, which must too.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_cksum.h"
#include "sw_parse.h"

#include "pkt_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sw_fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_parse: %s\n", what);
	abort();
}

static void
sw_fuzz_cksum(uint8_t *f, const struct sw_pkt *p)
{
	int l4 = sw_pkt_l4_cksum_verify(f, p);
	int ip = sw_pkt_ipv4_cksum_verify(f, p);

	if (l4 != 0 && l4 != -EBADMSG && l4 != -EINVAL)
		sw_fuzz_fail("l4 verify: bad return");
	if (ip != 0 && ip != -EBADMSG && ip != -EINVAL)
		sw_fuzz_fail("ip verify: bad return");
	if ((ip == -EINVAL) != (p->l3 != SW_L3_IPV4))
		sw_fuzz_fail("ip verify: -EINVAL iff not IPv4");
	if (l4 == -EINVAL)
		return;
	/* The one-pass check of both finds what the two find. */
	if ((p->flags & SW_PKT_F_TCP) &&
			sw_pkt_tcp_cksums_verify(f, p) !=
			((ip == -EBADMSG ? SW_CKSUM_IP_BAD : 0u) |
			 (l4 != 0 ? SW_CKSUM_L4_BAD : 0u)))
		sw_fuzz_fail("one-pass verify differs from the two verifies");

	/* Set, then both verifies pass; an incremental change keeps it so. */
	if (sw_pkt_cksum_set(f, p) != 0)
		sw_fuzz_fail("cksum_set refused a checkable packet");
	if (sw_pkt_l4_cksum_verify(f, p) != 0)
		sw_fuzz_fail("l4 verify after set");
	if (p->l3 == SW_L3_IPV4 && sw_pkt_ipv4_cksum_verify(f, p) != 0)
		sw_fuzz_fail("ip verify after set");
	if (p->flags & SW_PKT_F_TCP) {
		sw_pkt_tcp_set32(f, p, p->l4_off + 4, ~p->seq);
		if (p->payload_len >= 2)
			sw_pkt_tcp_set16(f, p, p->ip_end - 2u, 0xfffe);
		if (sw_pkt_l4_cksum_verify(f, p) != 0)
			sw_fuzz_fail("l4 verify after incremental update");
	}
	if (p->l3 == SW_L3_IPV4) {
		sw_pkt_ipv4_set_addr(f, p, 1, 0xc6336401);
		if (sw_pkt_ipv4_cksum_verify(f, p) != 0 ||
				sw_pkt_l4_cksum_verify(f, p) != 0)
			sw_fuzz_fail("verify after address rewrite");
	}
}

/* The options fast path, where it takes a layout, is the full parser. */
static void
sw_fuzz_opts(const uint8_t *f, const struct sw_pkt *p)
{
	struct sw_tcp_opts fast, full;
	uint32_t off, end;

	if (!(p->flags & SW_PKT_F_TCP) || p->tcp_hdr_len <= 20)
		return;
	off = p->l4_off + 20u;
	end = p->l4_off + (uint32_t)p->tcp_hdr_len;
	memset(&fast, 0, sizeof(fast));
	memset(&full, 0, sizeof(full));
	if (sw_parse_tcp_opts_fast(&fast, f, off, end) &&
			(sw_parse_tcp_opts_full(&full, f, off, end) !=
				SW_PARSE_OK ||
			memcmp(&fast, &full, sizeof(fast)) != 0))
		sw_fuzz_fail("options: fast path and full parser disagree");
}

/* An ICMP error's quote, when accepted, lies inside the datagram. */
static void
sw_fuzz_icmp(const uint8_t *f, const struct sw_pkt *p)
{
	struct sw_icmp_quote q;

	if (sw_parse_icmp_quote(f, p, &q) != 0)
		return;
	if (q.ip_off != p->l4_off + 8 || q.tcp_off <= q.ip_off ||
			q.tcp_len < 8 || q.tcp_off + q.tcp_len != p->ip_end)
		sw_fuzz_fail("icmp quote out of the datagram");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_pkt p, q;
	const char *why;
	uint8_t *f;
	uint32_t len;

	if (size > 70000)
		return 0;
	len = (uint32_t)size;
	f = malloc(size != 0 ? size : 1);
	if (f == NULL)
		return 0;
	if (size != 0)
		memcpy(f, data, size);

	if (sw_parse(&p, f, len) == SW_PARSE_OK) {
		why = sw_pkt_check(&p, f, len);
		if (why != NULL)
			sw_fuzz_fail(why);
		/* The parser is a pure function of the bytes. */
		if (sw_parse(&q, f, len) != SW_PARSE_OK ||
				memcmp(&p, &q, offsetof(struct sw_pkt,
					opt.sack)) != 0)
			sw_fuzz_fail("second parse differs");
		sw_fuzz_opts(f, &p);
		sw_fuzz_icmp(f, &p);
		sw_fuzz_cksum(f, &p);
	}
	free(f);
	return 0;
}
