/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the PROXY protocol header builder (lib/net/sw_pp.c)
 * against HAProxy's proxy-protocol.txt: v1 text and v2 binary, IPv4 and
 * IPv6, byte for byte; the spec's own v1 examples (§2.1, the longest
 * headers); a v2 header HAProxy wrote (captured in a public experiment:
 * 172.19.0.1:42578 -> 172.19.0.3:80); IPv6 text as RFC 5952 writes it,
 * checked against libc's inet_ntop; too small a buffer, no version.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "sw_pp.h"
#include "sw_test.h"

static uint16_t
be16(uint16_t v)
{
	return htons(v);
}

static void
check_bytes(const uint8_t *got, int len, const void *want, size_t want_len)
{
	SW_CHECK_EQ(len, (int)want_len);
	if (len == (int)want_len)
		SW_CHECK(memcmp(got, want, want_len) == 0);
}

static void
test_v1_ipv4(void)
{
	/* The spec's own v1 example (proxy-protocol.txt §2.1), byte for
	 * byte: its addresses are only text here, nothing is sent. */
	static const uint8_t c[4] = { 192, 168, 0, 1 };
	static const uint8_t s[4] = { 192, 168, 0, 11 };
	static const uint8_t ff[4] = { 255, 255, 255, 255 };
	static const uint8_t z[4] = { 0, 0, 0, 0 };
	static const char ex[] = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n";
	static const char max[] =
		"PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
	uint8_t buf[SW_PP_MAX];
	struct sw_pp_addr a = { .v6 = false, .src = c, .dst = s,
		.sport_be = be16(56324), .dport_be = be16(443) };
	int len;

	/* The spec's example (§2.1). */
	len = sw_pp_build(buf, sizeof(buf), SW_PP_V1, &a);
	check_bytes(buf, len, ex, strlen(ex));
	/* The longest TCP4 line (§2.1: 56 characters). */
	a.src = ff;
	a.dst = ff;
	a.sport_be = be16(65535);
	a.dport_be = be16(65535);
	len = sw_pp_build(buf, sizeof(buf), SW_PP_V1, &a);
	check_bytes(buf, len, max, strlen(max));
	SW_CHECK_EQ(len, 56);
	/* Zeros are written, not skipped. */
	a.src = z;
	a.dst = z;
	a.sport_be = be16(1);
	a.dport_be = be16(10);
	len = sw_pp_build(buf, sizeof(buf), SW_PP_V1, &a);
	check_bytes(buf, len, "PROXY TCP4 0.0.0.0 0.0.0.0 1 10\r\n", 33);
}

static void
test_v1_ipv6(void)
{
	static const char max[] = "PROXY TCP6 "
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	static const char doc[] =
		"PROXY TCP6 2001:db8::10 2001:db8:0:1::80 40123 8080\r\n";
	uint8_t ff[16], c[16], s[16];
	uint8_t buf[SW_PP_MAX];
	struct sw_pp_addr a = { .v6 = true, .src = ff, .dst = ff,
		.sport_be = be16(65535), .dport_be = be16(65535) };
	int len;

	memset(ff, 0xff, sizeof(ff));
	/* The longest TCP6 line (§2.1: 104 characters). */
	len = sw_pp_build(buf, sizeof(buf), SW_PP_V1, &a);
	check_bytes(buf, len, max, strlen(max));
	SW_CHECK_EQ(len, 104);
	inet_pton(AF_INET6, "2001:db8::10", c);
	inet_pton(AF_INET6, "2001:db8:0:1::80", s);
	a.src = c;
	a.dst = s;
	a.sport_be = be16(40123);
	a.dport_be = be16(8080);
	len = sw_pp_build(buf, sizeof(buf), SW_PP_V1, &a);
	check_bytes(buf, len, doc, strlen(doc));
	/* One byte short: refused, nothing claimed. */
	SW_CHECK_EQ(sw_pp_build(buf, (uint32_t)strlen(doc) - 1, SW_PP_V1, &a),
		-EINVAL);
	SW_CHECK_EQ(sw_pp_build(buf, (uint32_t)strlen(doc), SW_PP_V1, &a),
		(int)strlen(doc));
}

static void
test_v2_ipv4(void)
{
	/* HAProxy's own v2 header, as a public capture shows it. */
	static const uint8_t haproxy[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
		0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c,
		0xac, 0x13, 0x00, 0x01, 0xac, 0x13, 0x00, 0x03,
		0xa6, 0x52, 0x00, 0x50,
	};
	static const uint8_t c[4] = { 172, 19, 0, 1 };
	static const uint8_t s[4] = { 172, 19, 0, 3 };
	uint8_t buf[SW_PP_MAX];
	const struct sw_pp_addr a = { .v6 = false, .src = c, .dst = s,
		.sport_be = be16(42578), .dport_be = be16(80) };
	int len;

	len = sw_pp_build(buf, sizeof(buf), SW_PP_V2, &a);
	check_bytes(buf, len, haproxy, sizeof(haproxy));
	/* §2.2: 16 + 12 bytes, no more; one short is refused. */
	SW_CHECK_EQ(sw_pp_build(buf, 27, SW_PP_V2, &a), -EINVAL);
	SW_CHECK_EQ(sw_pp_build(buf, 28, SW_PP_V2, &a), 28);
}

static void
test_v2_ipv6(void)
{
	/* §2.2: signature, 0x21 (v2, PROXY), 0x21 (TCP over IPv6),
	 * length 36, source, destination, source port, destination port. */
	static const uint8_t want[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
		0x55, 0x49, 0x54, 0x0a, 0x21, 0x21, 0x00, 0x24,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x80,
		0x9c, 0xbb, 0x1f, 0x90,
	};
	uint8_t c[16], s[16];
	uint8_t buf[SW_PP_MAX];
	struct sw_pp_addr a = { .v6 = true, .src = c, .dst = s,
		.sport_be = be16(40123), .dport_be = be16(8080) };
	int len;

	inet_pton(AF_INET6, "2001:db8::10", c);
	inet_pton(AF_INET6, "2001:db8:0:1::80", s);
	len = sw_pp_build(buf, sizeof(buf), SW_PP_V2, &a);
	check_bytes(buf, len, want, sizeof(want));
	SW_CHECK_EQ(len, 52);
	SW_CHECK_EQ(sw_pp_build(buf, 51, SW_PP_V2, &a), -EINVAL);
}

static void
test_no_version(void)
{
	static const uint8_t c[4] = { 192, 0, 2, 1 };
	uint8_t buf[SW_PP_MAX];
	const struct sw_pp_addr a = { .v6 = false, .src = c, .dst = c,
		.sport_be = 1, .dport_be = 1 };

	SW_CHECK_EQ(sw_pp_build(buf, sizeof(buf), SW_PP_NONE, &a), -EINVAL);
	SW_CHECK_EQ(sw_pp_build(buf, sizeof(buf), SW_PP_VERSION_MAX, &a),
		-EINVAL);
}

/* RFC 5952 text, as glibc's inet_ntop writes it (but IPv4-mapped and
 * -compatible forms, which it writes with dotted quads and v1 does not
 * use: HAProxy sends those as TCP4). */
static void
test_ip6_text(void)
{
	static const char *const cases[] = {
		"::", "::1", "1::", "2001:db8::", "2001:db8::1",
		"2001:db8:0:1:1:1:1:1",		/* one zero group: kept */
		"2001:0:0:1::1",		/* the longer run wins */
		"2001:db8::1:0:0:1",		/* equal runs: the first */
		"fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "a:b:c:d:e:f::",
		"::1:2:3:4:5:6", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"abcd:ef01:2345:6789:abcd:ef01:2345:6789",
	};
	uint32_t x = 2463534242u;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t a[16];
		char got[41], want[INET6_ADDRSTRLEN];
		unsigned int n;

		SW_CHECK(inet_pton(AF_INET6, cases[i], a) == 1);
		n = sw_pp_ip6_text(got, a);
		got[n] = '\0';
		inet_ntop(AF_INET6, a, want, sizeof(want));
		SW_CHECKF(strcmp(got, want) == 0 && strcmp(got, cases[i]) == 0,
			"%s: got %s, inet_ntop %s", cases[i], got, want);
	}
	/* Random addresses with zero groups here and there (xorshift). */
	for (unsigned int i = 0; i < 100000; i++) {
		uint8_t a[16];
		char got[41], want[INET6_ADDRSTRLEN];
		unsigned int n;

		for (unsigned int g = 0; g < 8; g++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			a[2 * g] = (x & 3) == 0 ? 0 : (uint8_t)(x >> 8);
			a[2 * g + 1] = (x & 3) == 0 ? 0 : (uint8_t)(x >> 16);
		}
		/* glibc writes ::a.b.c.d and ::ffff:a.b.c.d: not compared. */
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0", 10) == 0 &&
				((a[10] == 0 && a[11] == 0) ||
				(a[10] == 0xff && a[11] == 0xff)))
			continue;
		n = sw_pp_ip6_text(got, a);
		got[n] = '\0';
		inet_ntop(AF_INET6, a, want, sizeof(want));
		if (strcmp(got, want) != 0) {
			SW_CHECKF(0, "got %s, inet_ntop %s", got, want);
			break;
		}
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "v1 over IPv4: the spec's examples", test_v1_ipv4 },
		{ "v1 over IPv6: the longest header, RFC 5952 text",
			test_v1_ipv6 },
		{ "v2 over IPv4: as HAProxy writes it", test_v2_ipv4 },
		{ "v2 over IPv6: 52 bytes by the spec's layout", test_v2_ipv6 },
		{ "no version, no header", test_no_version },
		{ "IPv6 text as RFC 5952 and inet_ntop write it",
			test_ip6_text },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
