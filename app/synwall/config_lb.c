/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mode = lb's config: the [lb] keys' text both ways, and the
 * services' VIPs (their prefix) and backends. The rules that involve
 * more than one key are in config_lb_check.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "config_int.h"
#include "sw_config.h"
#include "sw_text.h"

static unsigned int
fam_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* Are all bits from plen on `one` (true) or zero (false)? */
static bool
host_bits_all(const uint8_t *a, unsigned int bits, unsigned int plen,
		bool one)
{
	for (unsigned int i = plen; i < bits; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1) != one)
			return false;
	return true;
}

static void __rte_format_printf(3, 4)
append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- [lb]: the addresses synwall owns, its neighbours ---- */

/* outside_address, inside_address: "ADDR/LEN, ADDR/LEN", <= 1 per family. */
int
sw_cfg_parse_ifaddrs(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len)
{
	struct sw_lb_ifaddr *ifa = (void *)((char *)cfg + k->off);
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN];
	int ret;

	memset(ifa, 0, 2 * sizeof(*ifa));
	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		struct sw_lb_ifaddr one;
		uint32_t plen, bits;
		int len;

		if (item[0] == '\0')
			return item_error(k->section, k->key, 0, err, err_len);
		memset(&one, 0, sizeof(one));
		ret = sw_text_prefix(item, &one.family, one.addr, &len);
		if (ret == -EINVAL) {
			set_err(err, err_len,
				"[%s] %s: \"%s\" is not an IPv4 or IPv6 address/length",
				k->section, k->key, item);
			return -EINVAL;
		}
		bits = fam_bits(one.family);
		if (ret == 0 && len < 0) {
			set_err(err, err_len,
				"[%s] %s: %s has no /LEN (the on-link prefix length)",
				k->section, k->key, item);
			return -EINVAL;
		}
		if (ret < 0 || len == 0) {
			set_err(err, err_len,
				"[%s] %s: %s: the prefix length must be 1..%u",
				k->section, k->key, item, bits);
			return -EINVAL;
		}
		plen = (uint32_t)len;
		one.plen = (uint8_t)plen;
		if (ifa[sw_lb_fam(one.family)].family != 0) {
			set_err(err, err_len,
				"[%s] %s: %s is a second %s address (at most one per family)",
				k->section, k->key, item, fam_name(one.family));
			return -EINVAL;
		}
		/* "198.51.100.0/24" is the prefix itself: almost always a typo */
		if (plen + 1 < bits &&
				(host_bits_all(one.addr, bits, plen, false) ||
				(one.family == AF_INET &&
				 host_bits_all(one.addr, bits, plen, true)))) {
			set_err(err, err_len,
				"[%s] %s: %s is the %s address of its prefix, not a host in it",
				k->section, k->key, item,
				host_bits_all(one.addr, bits, plen, false) ?
				"network" : "broadcast");
			return -EINVAL;
		}
		ifa[sw_lb_fam(one.family)] = one;
	}
	return ret < 0 ? item_error(k->section, k->key, ret, err, err_len) : 0;
}

void
sw_cfg_format_ifaddrs(const struct sw_config *cfg, const struct key_spec *k,
		char *buf, size_t len)
{
	const struct sw_lb_ifaddr *ifa = (const void *)((const char *)cfg +
		k->off);
	char one[INET6_ADDRSTRLEN + 8];

	buf[0] = '\0';
	for (unsigned int f = 0; f < 2; f++) {
		if (ifa[f].family == 0)
			continue;
		ifaddr_text(&ifa[f], one, sizeof(one));
		append(buf, len, "%s%s", buf[0] != '\0' ? ", " : "", one);
	}
}

/* outside_gateway: bare addresses, <= 1 per family. */
int
sw_cfg_parse_gateways(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len)
{
	struct sw_lb_config *lb = &cfg->lb;
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN];
	int ret;

	memset(lb->gateway, 0, sizeof(lb->gateway));
	memset(lb->has_gateway, 0, sizeof(lb->has_gateway));
	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		uint8_t family, addr[16];
		unsigned int f;

		if (item[0] == '\0')
			return item_error(k->section, k->key, 0, err, err_len);
		if (sw_text_addr(item, &family, addr) < 0) {
			set_err(err, err_len,
				"[%s] %s: \"%s\" is not an IPv4 or IPv6 address",
				k->section, k->key, item);
			return -EINVAL;
		}
		f = sw_lb_fam(family);
		if (lb->has_gateway[f]) {
			set_err(err, err_len,
				"[%s] %s: %s is a second %s gateway (at most one per family)",
				k->section, k->key, item, fam_name(family));
			return -EINVAL;
		}
		memcpy(lb->gateway[f], addr, sizeof(addr));
		lb->has_gateway[f] = true;
	}
	return ret < 0 ? item_error(k->section, k->key, ret, err, err_len) : 0;
}

void
sw_cfg_format_gateways(const struct sw_config *cfg,
		const struct key_spec *k __rte_unused, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (unsigned int f = 0; f < 2; f++) {
		if (!cfg->lb.has_gateway[f])
			continue;
		addr_text(f == SW_LB_V6 ? AF_INET6 : AF_INET,
			cfg->lb.gateway[f], a, sizeof(a));
		append(buf, len, "%s%s", buf[0] != '\0' ? ", " : "", a);
	}
}

/*
 * [cluster] peers: bare addresses, one per other node (its inside
 * address); where they may be is checked with the others keys
 * (sw_cfg_check_lb()).
 */
int
sw_cfg_parse_peers(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len)
{
	struct sw_lb_config *lb = &cfg->lb;
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN];
	int ret;

	lb->n_peers = 0;
	memset(lb->peer, 0, sizeof(lb->peer));
	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		struct sw_cluster_peer_conf one;

		if (item[0] == '\0')
			return item_error(k->section, k->key, 0, err, err_len);
		memset(&one, 0, sizeof(one));
		if (sw_text_addr(item, &one.family, one.addr) < 0) {
			set_err(err, err_len,
				"[%s] %s: \"%s\" is not an IPv4 or IPv6 address",
				k->section, k->key, item);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < lb->n_peers; i++) {
			if (memcmp(&lb->peer[i], &one, sizeof(one)) == 0) {
				set_err(err, err_len,
					"[%s] %s: %s is listed twice",
					k->section, k->key, item);
				return -EINVAL;
			}
		}
		if (lb->n_peers == SW_CLUSTER_PEERS_MAX) {
			set_err(err, err_len,
				"[%s] %s: more than %u peers",
				k->section, k->key, SW_CLUSTER_PEERS_MAX);
			return -EINVAL;
		}
		lb->peer[lb->n_peers++] = one;
	}
	return ret < 0 ? item_error(k->section, k->key, ret, err, err_len) : 0;
}

void
sw_cfg_format_peers(const struct sw_config *cfg,
		const struct key_spec *k __rte_unused, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (unsigned int i = 0; i < cfg->lb.n_peers; i++) {
		addr_text(cfg->lb.peer[i].family, cfg->lb.peer[i].addr, a,
			sizeof(a));
		append(buf, len, "%s%s", i != 0 ? ", " : "", a);
	}
}

/*
 * snat_address: bare addresses, <= 1 per family. A family left out
 * takes its inside_address (sw_cfg_check_lb(), which also checks that
 * each is on-link there and nobody else's).
 */
int
sw_cfg_parse_snat_addrs(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len)
{
	struct sw_lb_ifaddr *snat = cfg->lb.snat;
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN];
	int ret;

	memset(snat, 0, sizeof(cfg->lb.snat));
	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		struct sw_lb_ifaddr one;

		if (item[0] == '\0')
			return item_error(k->section, k->key, 0, err, err_len);
		memset(&one, 0, sizeof(one));
		if (sw_text_addr(item, &one.family, one.addr) < 0) {
			set_err(err, err_len,
				"[%s] %s: \"%s\" is not an IPv4 or IPv6 address (a bare address, on-link in inside_address)",
				k->section, k->key, item);
			return -EINVAL;
		}
		if (snat[sw_lb_fam(one.family)].family != 0) {
			set_err(err, err_len,
				"[%s] %s: %s is a second %s address (at most one per family)",
				k->section, k->key, item, fam_name(one.family));
			return -EINVAL;
		}
		snat[sw_lb_fam(one.family)] = one;
	}
	return ret < 0 ? item_error(k->section, k->key, ret, err, err_len) : 0;
}

void
sw_cfg_format_snat_addrs(const struct sw_config *cfg,
		const struct key_spec *k __rte_unused, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (unsigned int f = 0; f < 2; f++) {
		const struct sw_lb_ifaddr *s = &cfg->lb.snat[f];

		if (s->family == 0)
			continue;
		addr_text(s->family, s->addr, a, sizeof(a));
		append(buf, len, "%s%s", buf[0] != '\0' ? ", " : "", a);
	}
}

/*
 * snat_ports: LO-HI, decimal, within 1 .. SW_LB_PROBE_PORT0 - 1: the
 * ports above are the health checks' (they leave from inside_address,
 * which is also the default snat_address).
 */
int
sw_cfg_parse_snat_ports(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len)
{
	const uint32_t max = SW_LB_PROBE_PORT0 - 1;
	const char *dash = strchr(text, '-');
	char lo_text[16] = "";
	uint32_t lo = 0, hi = 0;

	if (dash != NULL && (size_t)(dash - text) < sizeof(lo_text))
		snprintf(lo_text, sizeof(lo_text), "%.*s", (int)(dash - text),
			text);
	if (dash == NULL || sw_text_dec(lo_text, 1, 65535, &lo) < 0 ||
			sw_text_dec(dash + 1, 1, 65535, &hi) < 0) {
		set_err(err, err_len,
			"[%s] %s = %s: must be LO-HI, two ports 1..%u (decimal)",
			k->section, k->key, text, max);
		return -EINVAL;
	}
	if (hi > max) {
		set_err(err, err_len,
			"[%s] %s = %s: at most %u (the ports above are synwall's health checks')",
			k->section, k->key, text, max);
		return -EINVAL;
	}
	if (lo > hi) {
		set_err(err, err_len,
			"[%s] %s = %s: LO above HI", k->section, k->key, text);
		return -EINVAL;
	}
	cfg->lb.snat_lo = lo;
	cfg->lb.snat_hi = hi;
	return 0;
}

void
sw_cfg_format_snat_ports(const struct sw_config *cfg,
		const struct key_spec *k __rte_unused, char *buf, size_t len)
{
	snprintf(buf, len, "%u-%u", cfg->lb.snat_lo, cfg->lb.snat_hi);
}

/*
 * neighbours: "ADDR MAC, ..."; the key may repeat, each line adds to
 * the list. The side is found by sw_cfg_check_lb() once the addresses
 * are in.
 */
int
sw_cfg_parse_neighbours(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len)
{
	struct sw_lb_config *lb = &cfg->lb;
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN], a[ITEM_LEN], m[ITEM_LEN];
	int ret;

	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		struct sw_lb_neigh_static n;
		char extra;

		if (item[0] == '\0')
			return item_error(k->section, k->key, 0, err, err_len);
		memset(&n, 0, sizeof(n));
		if (sscanf(item, "%127s %127s %c", a, m, &extra) != 2 ||
				sw_text_addr(a, &n.family, n.addr) < 0 ||
				sw_text_mac(m, n.mac) < 0) {
			set_err(err, err_len,
				"[%s] %s: \"%s\" is not ADDR xx:xx:xx:xx:xx:xx",
				k->section, k->key, item);
			return -EINVAL;
		}
		if ((n.mac[0] & 1) != 0 ||
				memcmp(n.mac, "\0\0\0\0\0\0", 6) == 0) {
			set_err(err, err_len,
				"[%s] %s: %s: %s is not a unicast MAC address",
				k->section, k->key, a, m);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < lb->n_static; i++)
			if (lb->neigh_static[i].family == n.family &&
					memcmp(lb->neigh_static[i].addr, n.addr,
					sizeof(n.addr)) == 0) {
				set_err(err, err_len,
					"[%s] %s: %s is listed twice",
					k->section, k->key, a);
				return -EINVAL;
			}
		if (lb->n_static == SW_LB_NEIGH_STATIC_MAX) {
			set_err(err, err_len,
				"[%s] %s: %s: more than %d static neighbours",
				k->section, k->key, a, SW_LB_NEIGH_STATIC_MAX);
			return -EINVAL;
		}
		lb->neigh_static[lb->n_static++] = n;
	}
	return ret < 0 ? item_error(k->section, k->key, ret, err, err_len) : 0;
}

void
sw_cfg_format_neighbours(const struct sw_config *cfg,
		const struct key_spec *k __rte_unused, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (unsigned int i = 0; i < cfg->lb.n_static; i++) {
		const struct sw_lb_neigh_static *n = &cfg->lb.neigh_static[i];

		addr_text(n->family, n->addr, a, sizeof(a));
		append(buf, len,
			"%s%s %02x:%02x:%02x:%02x:%02x:%02x", i ? ", " : "", a,
			n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
			n->mac[5]);
	}
}

/* ---- the services' VIPs and backends ---- */

/*
 * A backend as text: "198.51.100.11:8080", "[2001:db8:100::11]:8080",
 * "198.51.100.13", "2001:db8:100::13" (no port: the VIP port is kept),
 * then " weight W" when asked.
 */
void
sw_cfg_format_backend(const struct sw_lb_backend_conf *b, bool weight,
		char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_text(b->family, b->addr, a, sizeof(a));
	if (b->port == 0)
		snprintf(buf, len, "%s", a);
	else if (b->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, b->port);
	else
		snprintf(buf, len, "%s:%u", a, b->port);
	if (weight)
		append(buf, len, " weight %u", b->weight);
}

/* One backend item: ADDR[:PORT] [weight W]. Returns NULL or why not. */
static const char *
parse_backend(char *item, struct sw_lb_backend_conf *b)
{
	char *tok, *save, *addr, *port = NULL;
	uint32_t v;

	memset(b, 0, sizeof(*b));
	b->weight = 1;
	addr = strtok_r(item, " \t", &save);
	if (addr[0] == '[') {
		char *close = strchr(addr, ']');

		if (close == NULL)
			return "no ']' after the IPv6 address";
		*close = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return "expected [IPv6]:PORT";
		if (inet_pton(AF_INET6, addr + 1, b->addr) != 1)
			return "not an IPv6 address in the brackets";
		b->family = AF_INET6;
	} else if (inet_pton(AF_INET6, addr, b->addr) == 1) {
		b->family = AF_INET6;	/* bare IPv6: no port */
	} else {
		port = strchr(addr, ':');
		if (port != NULL && strchr(port + 1, ':') != NULL)
			return "not an IPv4 or IPv6 address";
		if (port != NULL)
			*port++ = '\0';
		if (inet_pton(AF_INET, addr, b->addr) != 1)
			return "not an IPv4 or IPv6 address";
		b->family = AF_INET;
	}
	if (port != NULL) {
		if (sw_text_dec(port, 1, 65535, &v) < 0)
			return "the port must be 1..65535";
		b->port = (uint16_t)v;
	}
	tok = strtok_r(NULL, " \t", &save);
	if (tok != NULL) {
		if (strcmp(tok, "weight") != 0)
			return "only \"weight W\" may follow the address";
		tok = strtok_r(NULL, " \t", &save);
		if (tok == NULL || sw_text_dec(tok, 0, 65535, &v) < 0)
			return "the weight must be 0..65535";
		b->weight = v;
		if (strtok_r(NULL, " \t", &save) != NULL)
			return "only \"weight W\" may follow the address";
	}
	return NULL;
}

/* backends: one line of service `svc`'s list; the key may repeat. */
int
sw_cfg_parse_backends(struct sw_config *cfg, const char *section, int svc,
		const char *text, char *err, size_t err_len)
{
	struct sw_lb_config *lb = &cfg->lb;
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN], shown[ITEM_LEN];
	int ret;

	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		struct sw_lb_backend_conf b;
		const char *why;

		if (item[0] == '\0')
			return item_error(section, "backends", 0, err, err_len);
		snprintf(shown, sizeof(shown), "%s", item);
		why = parse_backend(item, &b);
		if (why != NULL) {
			set_err(err, err_len,
				"[%s] backends: \"%s\": %s (ADDR[:PORT] [weight W], IPv6 with a port as [ADDR]:PORT)",
				section, shown, why);
			return -EINVAL;
		}
		if (lb->n_backends == SW_LB_BACKENDS_MAX) {
			set_err(err, err_len,
				"[%s] backends: %s: more than %d backends in all services",
				section, shown, SW_LB_BACKENDS_MAX);
			return -EINVAL;
		}
		b.svc = (uint8_t)svc;
		lb->backend[lb->n_backends++] = b;
	}
	return ret < 0 ? item_error(section, "backends", ret, err, err_len) : 0;
}

/* lb mode's prefix: the service's VIPs, bare addresses, <= 1 per family. */
int
sw_cfg_add_vips(struct sw_config *cfg, const char *section, int svc,
		const char *text, char *err, size_t err_len)
{
	const char *p = sw_text_list_start(text);
	char item[ITEM_LEN];
	int ret;

	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		uint8_t family, addr[16];
		unsigned int f;

		if (item[0] == '\0')
			return item_error(section, "prefix", 0, err, err_len);
		if (strchr(item, '/') != NULL) {
			set_err(err, err_len,
				"[%s] prefix: %s is not a bare address (in mode = lb prefix lists the service's VIPs, at most one per family)",
				section, item);
			return -EINVAL;
		}
		if (sw_text_addr(item, &family, addr) < 0) {
			set_err(err, err_len,
				"[%s] prefix: \"%s\" is not an IPv4 or IPv6 address",
				section, item);
			return -EINVAL;
		}
		f = sw_lb_fam(family);
		if (cfg->lb.has_vip[svc][f]) {
			set_err(err, err_len,
				"[%s] prefix: %s is a second %s VIP (at most one per family)",
				section, item, fam_name(family));
			return -EINVAL;
		}
		memcpy(cfg->lb.vip[svc][f], addr, sizeof(addr));
		cfg->lb.has_vip[svc][f] = true;
		/* a host route: classification works as in inline mode */
		ret = sw_svc_add_prefix(&cfg->svc, svc, item);
		if (ret < 0) {
			set_err(err, err_len,
				"[%s] prefix: more than %d prefixes per family",
				section, SW_SVC_PREFIX_MAX);
			return ret;
		}
	}
	return ret < 0 ? item_error(section, "prefix", ret, err, err_len) : 0;
}

/* lb mode's prefix: the VIPs as given, bare. */
void
sw_cfg_format_vips(const struct sw_config *cfg, unsigned int svc, char *buf,
		size_t len)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (unsigned int f = 0; f < 2; f++) {
		if (!cfg->lb.has_vip[svc][f])
			continue;
		addr_text(f == SW_LB_V6 ? AF_INET6 : AF_INET,
			cfg->lb.vip[svc][f], a, sizeof(a));
		append(buf, len, "%s%s", buf[0] != '\0' ? ", " : "", a);
	}
}

/* A service's backends, canonical: "ADDR[:PORT] weight W, ...". */
char *
sw_cfg_backends_text(const struct sw_config *cfg, unsigned int svc)
{
	size_t len = 1;
	char *buf;

	for (unsigned int i = 0; i < cfg->lb.n_backends; i++)
		if (cfg->lb.backend[i].svc == svc)
			len += BACKEND_TEXT_MAX;
	buf = malloc(len);
	if (buf == NULL)
		return NULL;
	buf[0] = '\0';
	for (unsigned int i = 0; i < cfg->lb.n_backends; i++) {
		char one[BACKEND_TEXT_MAX];

		if (cfg->lb.backend[i].svc != svc)
			continue;
		sw_cfg_format_backend(&cfg->lb.backend[i], true, one,
			sizeof(one));
		append(buf, len, "%s%s", buf[0] != '\0' ? ", " : "", one);
	}
	return buf;
}
