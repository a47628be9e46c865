/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the protected-service table (lib/svc): port lists,
 * prefixes, lookups, bounds. No EAL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_service.h"
#include "sw_test.h"

static struct sw_svc_table t;

static uint32_t
v4(const char *s)
{
	uint32_t a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static const uint8_t *
v6(const char *s)
{
	static uint8_t a[16];

	if (inet_pton(AF_INET6, s, a) != 1)
		abort();
	return a;
}

static void
test_ports(void)
{
	static const char *const bad[] = {
		"", "0", "65536", "70000", "80-70", "80,,81", "abc", "80 81",
		"80,", "-80", "1234567", "080", "0080-0090", "80-090",
	};
	const char *where = NULL;
	int s;

	sw_svc_init(&t);
	s = sw_svc_add(&t, "web");
	SW_CHECK(s == 0);
	SW_CHECK(sw_svc_add_ports(&t, s, " 80, 443 ,8000-8010", &where) == 0);
	SW_CHECK(sw_svc_port_count(&t, s) == 13);
	SW_CHECK(sw_svc_port_in(&t.svc[s], 80));
	SW_CHECK(sw_svc_port_in(&t.svc[s], 8010));
	SW_CHECK(!sw_svc_port_in(&t.svc[s], 8011));
	SW_CHECK(!sw_svc_port_in(&t.svc[s], 0));
	SW_CHECK(sw_svc_add_ports(&t, s, "65535", NULL) == 0);
	SW_CHECK(sw_svc_port_in(&t.svc[s], 65535));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		where = NULL;
		SW_CHECK(sw_svc_add_ports(&t, s, bad[i], &where) == -EINVAL);
		SW_CHECK(where != NULL);
	}
	SW_CHECK(sw_svc_add_ports(&t, 5, "80", NULL) == -EINVAL);
}

static void
test_prefixes(void)
{
	static const char *const bad[] = {
		"192.0.2.1/24", "192.0.2.0/33", "2001:db8::1/32", "192.0.2.0/",
		"192.0.2.0/x", "300.0.0.1", "", "192.0.2.0/24 x", "::/129",
		"192.0.2.10/ 32", "192.0.2.10 /32", "192.0.2.10/032",
		"2001:db8::/064", "192.0.2.0/+24",
	};
	int web, all;

	sw_svc_init(&t);
	web = sw_svc_add(&t, "web");
	all = sw_svc_add(&t, "ssh");
	SW_CHECK(sw_svc_add_ports(&t, web, "80,443", NULL) == 0);
	SW_CHECK(sw_svc_add_ports(&t, all, "22", NULL) == 0);
	SW_CHECK(sw_svc_add_prefix(&t, web, "192.0.2.0/24") == 0);
	SW_CHECK(sw_svc_add_prefix(&t, web, " 198.51.100.7") == 0);	/* /32 */
	SW_CHECK(sw_svc_add_prefix(&t, web, "2001:db8::/32") == 0);
	SW_CHECK(sw_svc_add_prefix(&t, all, "0.0.0.0/0") == 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		SW_CHECK(sw_svc_add_prefix(&t, web, bad[i]) == -EINVAL);

	SW_CHECK(sw_svc_lookup4(&t, v4("192.0.2.77"), 80) == web);
	SW_CHECK(sw_svc_lookup4(&t, v4("192.0.2.255"), 443) == web);
	SW_CHECK(sw_svc_lookup4(&t, v4("192.0.2.77"), 81) == -1);
	SW_CHECK(sw_svc_lookup4(&t, v4("203.0.113.9"), 80) == -1);
	SW_CHECK(sw_svc_lookup4(&t, v4("198.51.100.7"), 80) == web);
	SW_CHECK(sw_svc_lookup4(&t, v4("198.51.100.8"), 80) == -1);
	SW_CHECK(sw_svc_lookup4(&t, v4("203.0.113.1"), 22) == all);
	SW_CHECK(sw_svc_lookup6(&t, v6("2001:db8:ffff::1"), 443) == web);
	SW_CHECK(sw_svc_lookup6(&t, v6("2001:db9::1"), 443) == -1);
	SW_CHECK(sw_svc_lookup6(&t, v6("2001:db8::1"), 22) == -1);
}

static void
test_bounds(void)
{
	char name[64];
	int s;

	sw_svc_init(&t);
	for (int i = 0; i < SW_SVC_MAX; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		SW_CHECK(sw_svc_add(&t, name) == i);
	}
	SW_CHECK(sw_svc_add(&t, "one-too-many") == -ENOSPC);
	SW_CHECK(sw_svc_add(&t, "s3") == -EEXIST);
	sw_svc_init(&t);
	SW_CHECK(sw_svc_add(&t, "") == -EINVAL);
	memset(name, 'a', SW_SVC_NAME_LEN);
	name[SW_SVC_NAME_LEN] = '\0';
	SW_CHECK(sw_svc_add(&t, name) == -EINVAL);
	s = sw_svc_add(&t, "web");
	for (int i = 0; i < SW_SVC_PREFIX_MAX; i++) {
		snprintf(name, sizeof(name), "198.18.%d.0/24", i);
		SW_CHECK(sw_svc_add_prefix(&t, s, name) == 0);
	}
	SW_CHECK(sw_svc_add_prefix(&t, s, "198.19.0.0/16") == -ENOSPC);
	SW_CHECK(sw_svc_add_prefix(&t, s, "2001:db8::/64") == 0);
}

/* table = one service "s" with PORTS on each prefix of PREFIXES (";"). */
static void
table(struct sw_svc_table *x, const char *prefixes, const char *ports)
{
	char buf[256], *tok, *save;
	int s;

	sw_svc_init(x);
	s = sw_svc_add(x, "s");
	SW_CHECK(sw_svc_add_ports(x, s, ports, NULL) == 0);
	snprintf(buf, sizeof(buf), "%s", prefixes);
	for (tok = strtok_r(buf, ";", &save); tok != NULL;
			tok = strtok_r(NULL, ";", &save))
		SW_CHECK(sw_svc_add_prefix(x, s, tok) == 0);
}

static void
test_covers(void)
{
	static struct sw_svc_table a, b, e;

	table(&a, "192.0.2.0/24;2001:db8::/64", "80,443");
	table(&b, "192.0.2.0/24;2001:db8::/64", "80,443");
	SW_CHECK(sw_svc_covers(&a, &b) && sw_svc_covers(&b, &a));
	/* a port removed: b no longer covers a, a still covers b */
	table(&b, "192.0.2.0/24;2001:db8::/64", "80");
	SW_CHECK(!sw_svc_covers(&b, &a));
	SW_CHECK(sw_svc_covers(&a, &b));
	/* the same port moved: 80 -> 81 neither way */
	table(&b, "192.0.2.0/24;2001:db8::/64", "81,443");
	SW_CHECK(!sw_svc_covers(&b, &a) && !sw_svc_covers(&a, &b));
	/* a wider prefix covers a narrower one, not the reverse */
	table(&b, "192.0.2.0/23;2001:db8::/48", "80,443");
	SW_CHECK(sw_svc_covers(&b, &a) && !sw_svc_covers(&a, &b));
	/* an IPv6 prefix dropped */
	table(&b, "192.0.2.0/24", "1-65535");
	SW_CHECK(!sw_svc_covers(&b, &a));
	/* nothing covers nothing; anything covers nothing */
	sw_svc_init(&e);
	SW_CHECK(sw_svc_covers(&e, &e) && sw_svc_covers(&a, &e));
	SW_CHECK(!sw_svc_covers(&e, &a));
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "service port lists", test_ports },
		{ "service prefixes and lookups", test_prefixes },
		{ "coverage: what a reload keeps, removes, adds",
			test_covers },
		{ "service table bounds", test_bounds },
	};

	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
