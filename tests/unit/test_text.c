/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the config's text grammars (lib/text): each table lists
 * what the grammar reads and what it refuses, the refusals being the
 * typos and guesses at other syntaxes a config file may hold (leading
 * zeros, signs, other bases, blanks around '/', empty list items,
 * backslashes taken for escapes). No EAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "sw_text.h"
#include "sw_test.h"

#define DIM(a)	(sizeof(a) / sizeof((a)[0]))

struct dec_case {
	const char *text;
	uint32_t min;
	uint32_t max;
	int ret;
	uint32_t want;
};

static void
test_dec(void)
{
	static const struct dec_case c[] = {
		{ "0", 0, 10, 0, 0 },
		{ "7", 0, 10, 0, 7 },
		{ "10", 0, 10, 0, 10 },
		{ "512", 1, 512, 0, 512 },
		{ "4294967295", 0, UINT32_MAX, 0, UINT32_MAX },
		/* bounds */
		{ "0", 1, 512, -ERANGE, 0 },
		{ "513", 1, 512, -ERANGE, 0 },
		{ "11", 0, 10, -ERANGE, 0 },
		/* overflow: past uint32_t, 10 digits and more */
		{ "4294967296", 0, UINT32_MAX, -ERANGE, 0 },
		{ "9999999999", 0, UINT32_MAX, -ERANGE, 0 },
		{ "12345678901", 0, UINT32_MAX, -ERANGE, 0 },
		{ "99999999999999999999999", 0, UINT32_MAX, -ERANGE, 0 },
		/* leading zeros: a typo or octal */
		{ "00", 0, 10, -ERANGE, 0 },
		{ "010", 0, 100, -ERANGE, 0 },
		{ "01460", 0, 65535, -ERANGE, 0 },
		{ "00000000001", 0, 10, -ERANGE, 0 },
		/* other bases, signs, exponents, fractions */
		{ "0x10", 0, 100, -ERANGE, 0 },
		{ "0X10", 0, 100, -ERANGE, 0 },
		{ "10h", 0, 100, -ERANGE, 0 },
		{ "+10", 0, 100, -ERANGE, 0 },
		{ "-1", 0, 100, -ERANGE, 0 },
		{ "-0", 0, 100, -ERANGE, 0 },
		{ "1e2", 0, 1000, -ERANGE, 0 },
		{ "1.0", 0, 100, -ERANGE, 0 },
		{ "1,000", 0, 10000, -ERANGE, 0 },
		{ "1_000", 0, 10000, -ERANGE, 0 },
		/* blanks are the caller's (rte_cfgfile trims values) */
		{ " 1", 0, 100, -ERANGE, 0 },
		{ "1 ", 0, 100, -ERANGE, 0 },
		{ "1 2", 0, 100, -ERANGE, 0 },
		{ "", 0, 100, -ERANGE, 0 },
		{ "12x", 0, 100, -ERANGE, 0 },
		{ "x", 0, 100, -ERANGE, 0 },
	};

	for (unsigned int i = 0; i < DIM(c); i++) {
		uint32_t v = 12345;
		int ret;

		sw_test_ctx = c[i].text;
		ret = sw_text_dec(c[i].text, c[i].min, c[i].max, &v);
		SW_CHECK_EQ(ret, c[i].ret);
		SW_CHECK_EQ(v, ret == 0 ? c[i].want : 12345);
	}
}

static void
test_bool(void)
{
	static const struct {
		const char *text;
		int ret;
		bool want;
	} c[] = {
		{ "yes", 0, true }, { "true", 0, true }, { "on", 0, true },
		{ "1", 0, true }, { "YES", 0, true }, { "True", 0, true },
		{ "oN", 0, true },
		{ "no", 0, false }, { "false", 0, false }, { "off", 0, false },
		{ "0", 0, false }, { "NO", 0, false }, { "FaLsE", 0, false },
		{ "OFF", 0, false },
		{ "y", -EINVAL, false }, { "n", -EINVAL, false },
		{ "2", -EINVAL, false }, { "01", -EINVAL, false },
		{ "00", -EINVAL, false }, { "", -EINVAL, false },
		{ " yes", -EINVAL, false }, { "yes ", -EINVAL, false },
		{ "enable", -EINVAL, false }, { "maybe", -EINVAL, false },
		{ "yess", -EINVAL, false }, { "nope", -EINVAL, false },
	};

	for (unsigned int i = 0; i < DIM(c); i++) {
		bool v = !c[i].want;
		int ret;

		sw_test_ctx = c[i].text;
		ret = sw_text_bool(c[i].text, &v);
		SW_CHECK_EQ(ret, c[i].ret);
		if (ret == 0)
			SW_CHECK_EQ(v, c[i].want);
	}
}

struct addr_case {
	const char *text;
	int ret;
	int family;
	const char *canon;	/* inet_ntop() of what was read */
};
/* family 0: nothing read */

static const struct addr_case addr_cases[] = {
	{ "192.0.2.1", 0, AF_INET, "192.0.2.1" },
	{ "0.0.0.0", 0, AF_INET, "0.0.0.0" },
	{ "255.255.255.255", 0, AF_INET, "255.255.255.255" },
	{ "::", 0, AF_INET6, "::" },
	{ "::1", 0, AF_INET6, "::1" },
	{ "2001:db8::1", 0, AF_INET6, "2001:db8::1" },
	{ "2001:DB8:0:0:0:0:0:A", 0, AF_INET6, "2001:db8::a" },
	{ "0000::1", 0, AF_INET6, "::1" },
	{ "1:2:3:4:5:6:7::", 0, AF_INET6, "1:2:3:4:5:6:7:0" },
	/* IPv4-mapped and -compatible IPv6 addresses stay IPv6 */
	{ "::ffff:192.0.2.1", 0, AF_INET6, "::ffff:192.0.2.1" },
	{ "::192.0.2.1", 0, AF_INET6, "::192.0.2.1" },
	/* not dotted quads: inet_aton() would take some of these */
	{ "192.0.2", -EINVAL, 0, NULL },
	{ "127.1", -EINVAL, 0, NULL },
	{ "192.0.2.1.5", -EINVAL, 0, NULL },
	{ "256.0.0.1", -EINVAL, 0, NULL },
	{ "192.0.2.01", -EINVAL, 0, NULL },
	{ "0x7f.0.0.1", -EINVAL, 0, NULL },
	{ "::ffff:192.0.2.001", -EINVAL, 0, NULL },
	/* bad IPv6 */
	{ "2001:db8::1::1", -EINVAL, 0, NULL },
	{ "2001:db8:0:0:0:0:0:0:1", -EINVAL, 0, NULL },
	{ "00000::1", -EINVAL, 0, NULL },
	{ "2001:db8:::1", -EINVAL, 0, NULL },
	{ "2001:db8::g", -EINVAL, 0, NULL },
	{ "fe80::1%eth0", -EINVAL, 0, NULL },
	{ "[2001:db8::1]", -EINVAL, 0, NULL },
	/* no blanks, no prefix, no names */
	{ "", -EINVAL, 0, NULL },
	{ " 192.0.2.1", -EINVAL, 0, NULL },
	{ "192.0.2.1 ", -EINVAL, 0, NULL },
	{ "192.0.2.1/32", -EINVAL, 0, NULL },
	{ "localhost", -EINVAL, 0, NULL },
};

static void
check_addr(const struct addr_case *c, int ret, uint8_t family,
		const uint8_t *addr)
{
	char text[INET6_ADDRSTRLEN];
	static const uint8_t zero[12];

	SW_CHECK_EQ(ret, c->ret);
	if (ret != c->ret || c->family == 0)
		return;
	SW_CHECK_EQ(family, c->family);
	SW_CHECK(inet_ntop(family, addr, text, sizeof(text)) != NULL);
	SW_CHECKF(strcmp(text, c->canon) == 0, "read as %s", text);
	if (family == AF_INET)
		SW_CHECK(memcmp(addr + 4, zero, sizeof(zero)) == 0);
}

static void
test_addr(void)
{
	for (unsigned int i = 0; i < DIM(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];
		uint8_t family = 0, addr[16];
		int ret;

		sw_test_ctx = c->text;
		memset(addr, 0xa5, sizeof(addr));
		ret = sw_text_addr(c->text, &family, addr);
		check_addr(c, ret, family, addr);
	}
}

struct prefix_case {
	const char *text;
	int ret;
	int family;
	const char *canon;
	int plen;
};

static void
test_prefix(void)
{
	static const struct prefix_case c[] = {
		{ "192.0.2.0/24", 0, AF_INET, "192.0.2.0", 24 },
		{ "192.0.2.1/32", 0, AF_INET, "192.0.2.1", 32 },
		{ "0.0.0.0/0", 0, AF_INET, "0.0.0.0", 0 },
		{ "2001:db8::/32", 0, AF_INET6, "2001:db8::", 32 },
		{ "::/0", 0, AF_INET6, "::", 0 },
		{ "2001:db8::1/128", 0, AF_INET6, "2001:db8::1", 128 },
		{ "::ffff:192.0.2.0/120", 0, AF_INET6, "::ffff:192.0.2.0",
			120 },
		/* no /LEN: -1, the caller decides (host route, or refused) */
		{ "198.51.100.7", 0, AF_INET, "198.51.100.7", -1 },
		{ "2001:db8::10", 0, AF_INET6, "2001:db8::10", -1 },
		/* host bits are the caller's business */
		{ "192.0.2.1/24", 0, AF_INET, "192.0.2.1", 24 },
		/* the length: decimal, no leading zero, within the family;
		 * the address read is kept for the caller's error message */
		{ "192.0.2.0/33", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "::/129", -ERANGE, AF_INET6, "::", 0 },
		{ "192.0.2.0/4294967320", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.10/032", -ERANGE, AF_INET, "192.0.2.10", 0 },
		{ "2001:db8::/064", -ERANGE, AF_INET6, "2001:db8::", 0 },
		{ "192.0.2.0/00", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/+24", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/-1", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/0x18", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/x", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/24/8", -ERANGE, AF_INET, "192.0.2.0", 0 },
		{ "192.0.2.0/24 x", -ERANGE, AF_INET, "192.0.2.0", 0 },
		/* nothing around the '/' */
		{ "192.0.2.10/ 32", -ERANGE, AF_INET, "192.0.2.10", 0 },
		{ "192.0.2.10/32 ", -ERANGE, AF_INET, "192.0.2.10", 0 },
		{ "192.0.2.10 /32", -EINVAL, 0, NULL, 0 },
		{ " 192.0.2.10/32", -EINVAL, 0, NULL, 0 },
		/* the address first, whatever the length */
		{ "300.0.0.1", -EINVAL, 0, NULL, 0 },
		{ "gateway/24", -EINVAL, 0, NULL, 0 },
		{ "300.0.0.0/33", -EINVAL, 0, NULL, 0 },
		{ "/24", -EINVAL, 0, NULL, 0 },
		{ "", -EINVAL, 0, NULL, 0 },
		{ "/", -EINVAL, 0, NULL, 0 },
		{ "2001:db8::%eth0/64", -EINVAL, 0, NULL, 0 },
		/* an address part longer than any address */
		{ "0000000000000000000000000000000000"
			"000000000000000000000000000000000/8",
			-EINVAL, 0, NULL, 0 },
	};

	for (unsigned int i = 0; i < DIM(c); i++) {
		const struct addr_case a = {
			c[i].text, c[i].ret, c[i].family, c[i].canon
		};
		uint8_t family = 0, addr[16];
		int plen = -2, ret;

		sw_test_ctx = c[i].text;
		memset(addr, 0xa5, sizeof(addr));
		ret = sw_text_prefix(c[i].text, &family, addr, &plen);
		check_addr(&a, ret, family, addr);
		SW_CHECK_EQ(plen, ret == 0 ? c[i].plen : -2);
	}
}

static void
test_mac(void)
{
	static const struct {
		const char *text;
		int ret;
		uint8_t want[6];
	} c[] = {
		{ "02:00:00:00:00:11", 0, { 2, 0, 0, 0, 0, 0x11 } },
		{ "02:00:00:00:00:FE", 0, { 2, 0, 0, 0, 0, 0xfe } },
		{ "aB:cD:eF:01:23:45", 0, { 0xab, 0xcd, 0xef, 1, 0x23, 0x45 } },
		/* unicast is the caller's rule, not the grammar's */
		{ "01:00:5e:00:00:01", 0, { 1, 0, 0x5e, 0, 0, 1 } },
		{ "00:00:00:00:00:00", 0, { 0 } },
		{ "ff:ff:ff:ff:ff:ff", 0,
			{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		/* two hex digits each, six of them, ':' between */
		{ "02:00:00:00:00", -EINVAL, { 0 } },
		{ "02:00:00:00:00:", -EINVAL, { 0 } },
		{ "02:00:00:00:00:11:22", -EINVAL, { 0 } },
		{ "02:00:00:00:00:11:", -EINVAL, { 0 } },
		{ "2:00:00:00:00:11", -EINVAL, { 0 } },
		{ "02:0:00:00:00:11", -EINVAL, { 0 } },
		{ "020:00:00:00:00:11", -EINVAL, { 0 } },
		{ "02:00:00:00:00:111", -EINVAL, { 0 } },
		{ "02-00-00-00-00-11", -EINVAL, { 0 } },
		{ "0200.0000.0011", -EINVAL, { 0 } },
		{ "020000000011", -EINVAL, { 0 } },
		{ "02:00:00:00:00:1g", -EINVAL, { 0 } },
		{ "0x:00:00:00:00:11", -EINVAL, { 0 } },
		{ "02:00:00:00:00:11 ", -EINVAL, { 0 } },
		{ " 02:00:00:00:00:11", -EINVAL, { 0 } },
		{ "", -EINVAL, { 0 } },
	};

	static const uint8_t untouched[6] = {
		0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5
	};

	for (unsigned int i = 0; i < DIM(c); i++) {
		uint8_t mac[6];
		int ret;

		sw_test_ctx = c[i].text;
		memset(mac, 0xa5, sizeof(mac));
		ret = sw_text_mac(c[i].text, mac);
		SW_CHECK_EQ(ret, c[i].ret);
		if (ret == 0)
			SW_CHECK(memcmp(mac, c[i].want, sizeof(mac)) == 0);
		else
			SW_CHECK(memcmp(mac, untouched, sizeof(mac)) == 0);
	}
}

/* A list's items as sw_text_item() returns them, "|" between, "!" for
 * -E2BIG; buffers of 8 bytes, so items of 8 characters do not fit. */
static void
test_items(void)
{
	static const struct {
		const char *text;
		const char *want;
	} c[] = {
		{ "", "" },
		{ " \t ", "" },
		{ "a", "a" },
		{ " a , b ,c ", "a|b|c" },
		{ "a,b", "a|b" },
		/* blanks inside an item are kept */
		{ "a b, c\td", "a b|c\td" },
		/* empty items are returned as such: the caller refuses them */
		{ "a,,b", "a||b" },
		{ "a,", "a|" },
		{ "a, ", "a|" },
		{ ",a", "|a" },
		{ ",", "|" },
		/* no escapes: a backslash is an ordinary character */
		{ "a\\,b", "a\\|b" },
		{ "a\\;b", "a\\;b" },
		{ "\\", "\\" },
		/* 7 characters fit in 8 bytes, 8 do not; the next one
		 * follows */
		{ "1234567", "1234567" },
		{ "12345678", "!" },
		{ "12345678, x", "!|x" },
		{ "   1234567   ,x", "1234567|x" },
	};

	for (unsigned int i = 0; i < DIM(c); i++) {
		const char *p = sw_text_list_start(c[i].text);
		char got[128] = "", item[8];
		unsigned int n = 0;
		int ret;

		sw_test_ctx = c[i].text;
		while ((ret = sw_text_item(&p, item, sizeof(item))) != 0 &&
				n++ < 16)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				"%s%s", n > 1 ? "|" : "",
				ret < 0 ? "!" : item);
		SW_CHECKF(strcmp(got, c[i].want) == 0, "got \"%s\"", got);
		SW_CHECK(p == NULL);
	}
	SW_CHECK(sw_text_list_start("") == NULL);
	SW_CHECK(sw_text_list_start(" \t\n") == NULL);
}

static uint32_t
port_count(const uint64_t *ports)
{
	uint32_t n = 0;

	for (unsigned int w = 0; w < SW_TEXT_PORT_WORDS; w++)
		n += (uint32_t)__builtin_popcountll(ports[w]);
	return n;
}

static bool
port_in(const uint64_t *ports, uint32_t port)
{
	return (ports[port >> 6] >> (port & 63)) & 1;
}

static void
test_ports(void)
{
	/* bad: offset of *bad in the list; count: ports set, even on error
	 * (the bad item's own when only what follows it is wrong) */
	static const struct {
		const char *list;
		int ret;
		int bad;
		uint32_t count;
		uint32_t lo;	/* the lowest and highest port set */
		uint32_t hi;
	} c[] = {
		{ "80", 0, 0, 1, 80, 80 },
		{ "1", 0, 0, 1, 1, 1 },
		{ "65535", 0, 0, 1, 65535, 65535 },
		{ " 80, 443 ,8000-8010", 0, 0, 13, 80, 8010 },
		{ "443,80", 0, 0, 2, 80, 443 },
		{ "80-80", 0, 0, 1, 80, 80 },
		{ "80 - 81 ", 0, 0, 2, 80, 81 },
		{ "1-65535", 0, 0, 65535, 1, 65535 },
		{ "80,80,79-81", 0, 0, 3, 79, 81 },
		/* bounds, and leading zeros as in every number */
		{ "0", -EINVAL, 0, 0, 0, 0 },
		{ "65536", -EINVAL, 0, 0, 0, 0 },
		{ "70000", -EINVAL, 0, 0, 0, 0 },
		{ "1234567", -EINVAL, 0, 0, 0, 0 },
		{ "080", -EINVAL, 0, 0, 0, 0 },
		{ "0080-0090", -EINVAL, 0, 0, 0, 0 },
		{ "80-090", -EINVAL, 0, 0, 0, 0 },
		{ "0x50", -EINVAL, 0, 0, 0, 0 },
		{ "+80", -EINVAL, 0, 0, 0, 0 },
		{ "8e1", -EINVAL, 0, 1, 8, 8 },
		/* ranges */
		{ "80-70", -EINVAL, 0, 0, 0, 0 },
		{ "-80", -EINVAL, 0, 0, 0, 0 },
		{ "80-", -EINVAL, 0, 0, 0, 0 },
		{ "80-90-100", -EINVAL, 0, 11, 80, 90 },
		/* the list: no empty item, commas only */
		{ "", -EINVAL, 0, 0, 0, 0 },
		{ " ", -EINVAL, 1, 0, 0, 0 },
		{ "abc", -EINVAL, 0, 0, 0, 0 },
		{ "80 81", -EINVAL, 0, 1, 80, 80 },
		{ "80;81", -EINVAL, 0, 1, 80, 80 },
		{ ",80", -EINVAL, 0, 0, 0, 0 },
		/* the items before the bad one are set */
		{ "80,,81", -EINVAL, 3, 1, 80, 80 },
		{ "80,", -EINVAL, 3, 1, 80, 80 },
		{ "80, 70000", -EINVAL, 4, 1, 80, 80 },
		{ "22, 80-81, 0", -EINVAL, 11, 3, 22, 81 },
	};

	for (unsigned int i = 0; i < DIM(c); i++) {
		static uint64_t ports[SW_TEXT_PORT_WORDS];
		const char *bad = NULL;
		int ret;

		sw_test_ctx = c[i].list;
		memset(ports, 0, sizeof(ports));
		ret = sw_text_ports(c[i].list, ports, &bad);
		SW_CHECK_EQ(ret, c[i].ret);
		if (ret == 0)
			SW_CHECK(bad == NULL);
		else
			SW_CHECK_EQ(bad != NULL ? bad - c[i].list : -1,
				c[i].bad);
		SW_CHECK_EQ(port_count(ports), c[i].count);
		SW_CHECK(!port_in(ports, 0));
		if (c[i].count != 0) {
			SW_CHECK(port_in(ports, c[i].lo) &&
				port_in(ports, c[i].hi));
			SW_CHECK(c[i].lo == 0 || !port_in(ports, c[i].lo - 1));
			SW_CHECK(c[i].hi == 65535 ||
				!port_in(ports, c[i].hi + 1));
		}
	}
	/* *bad is optional */
	{
		static uint64_t ports[SW_TEXT_PORT_WORDS];

		sw_test_ctx = "bad = NULL";
		SW_CHECK_EQ(sw_text_ports("80,x", ports, NULL), -EINVAL);
	}
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "decimal numbers", test_dec },
		{ "booleans", test_bool },
		{ "IPv4 and IPv6 addresses", test_addr },
		{ "prefixes ADDR[/LEN]", test_prefix },
		{ "MAC addresses", test_mac },
		{ "comma-separated list items", test_items },
		{ "port lists and ranges", test_ports },
	};

	return sw_test_run(tests, DIM(tests));
}
