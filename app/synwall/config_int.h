/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the config files share, not an API (callers use sw_config.h):
 * config.c has the key table, reads, lints and loads the file, visits
 * the keys and checks reloads; config_svc.c reads and shows the
 * [service:NAME] sections; config_lb.c the [lb] keys and the services'
 * VIPs and backends; config_lb_check.c lb mode's cross-key rules.
 * Errors are 0 or a negative errno with one line in err, as
 * sw_config_load() returns.
 */
#ifndef SW_CONFIG_INT_H
#define SW_CONFIG_INT_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "sw_config.h"

#define SVC_SECTION	"service:"
#define LB_SECTION	"lb"
#define CLUSTER_SECTION	"cluster"	/* lb mode only, as [lb] */
#define ITEM_LEN	128	/* one item of a comma-separated list */
/* Text of one [lb] key's value (neighbours is the longest). */
#define VALUE_MAX	(SW_LB_NEIGH_STATIC_MAX * 64 + 64)
/* One backend as text: "[v6]:PORT weight W, ". */
#define BACKEND_TEXT_MAX	(INET6_ADDRSTRLEN + 24)

enum key_type {
	KEY_UINT,
	KEY_BOOL,
	KEY_ENUM,
	KEY_STR,
	KEY_PATH,			/* optional: default "" is "not set" */
	KEY_FUNC,			/* parse / format functions below */
};

struct key_spec;
typedef int (*key_parse_fn)(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
typedef void (*key_format_fn)(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);

struct key_spec {
	const char *section;
	const char *key;
	enum key_type type;
	size_t off;
	uint32_t min;			/* KEY_UINT; KEY_ENUM: value of names[0] */
	uint32_t max;
	const char *const *names;	/* KEY_ENUM, NULL-terminated */
	const char *def;		/* default, parsed like file text */
	key_parse_fn parse;		/* KEY_FUNC */
	key_format_fn format;		/* KEY_FUNC */
	bool reloadable;		/* a reload may change it: RELOAD */
};

static inline void __rte_format_printf(3, 4)
set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* The error for what sw_text_item() refused or returned empty. */
static inline int
item_error(const char *section, const char *key, int ret, char *err,
		size_t err_len)
{
	if (ret < 0)
		set_err(err, err_len,
			"[%s] %s: an item is longer than %d characters",
			section, key, ITEM_LEN - 1);
	else
		set_err(err, err_len,
			"[%s] %s: empty item in the list (two commas, or one at the end?)",
			section, key);
	return -EINVAL;
}

/* lb mode's addresses in messages and in sw_config_visit. */
static inline const char *
fam_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static inline void
addr_text(int family, const uint8_t *addr, char *buf, size_t len)
{
	if (inet_ntop(family, addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static inline void
ifaddr_text(const struct sw_lb_ifaddr *ifa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_text(ifa->family, ifa->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, ifa->plen);
}

struct rte_cfgfile_entry;

/* config_svc.c: one [service:NAME] section, its n entries in e. */
int sw_cfg_load_service(struct sw_config *cfg, const char *section,
		const struct rte_cfgfile_entry *e, int n, char *err,
		size_t err_len);

/* config_svc.c: sw_config_visit's "service:NAME" keys. */
void sw_cfg_visit_services(const struct sw_config *cfg,
		sw_config_visit_fn fn, void *arg);

/* config_lb.c: the KEY_FUNC keys of [lb]. */
int sw_cfg_parse_ifaddrs(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
void sw_cfg_format_ifaddrs(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);
int sw_cfg_parse_gateways(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
void sw_cfg_format_gateways(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);
int sw_cfg_parse_peers(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
void sw_cfg_format_peers(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);
int sw_cfg_parse_neighbours(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
void sw_cfg_format_neighbours(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);
int sw_cfg_parse_snat_addrs(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
void sw_cfg_format_snat_addrs(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);
int sw_cfg_parse_snat_ports(struct sw_config *cfg, const struct key_spec *k,
		const char *text, char *err, size_t err_len);
void sw_cfg_format_snat_ports(const struct sw_config *cfg,
		const struct key_spec *k, char *buf, size_t len);

/*
 * config_lb.c: a service's lb keys. Its prefix as VIPs (bare
 * addresses, at most one per family, also added to the service table
 * as host routes); one line of its backends (the key may repeat).
 */
int sw_cfg_add_vips(struct sw_config *cfg, const char *section, int svc,
		const char *text, char *err, size_t err_len);
int sw_cfg_parse_backends(struct sw_config *cfg, const char *section, int svc,
		const char *text, char *err, size_t err_len);

/* config_lb.c: a backend as text, as its list in backends shows it. */
void sw_cfg_format_backend(const struct sw_lb_backend_conf *b, bool weight,
		char *buf, size_t len);

/*
 * config_lb.c: a service's VIPs as its prefix shows them, and its
 * backends as "ADDR[:PORT] weight W, ..." in a buffer the caller frees
 * (NULL: out of memory).
 */
void sw_cfg_format_vips(const struct sw_config *cfg, unsigned int svc,
		char *buf, size_t len);
char *sw_cfg_backends_text(const struct sw_config *cfg, unsigned int svc);

/* config_lb_check.c: mode = lb's rules that involve more than one key. */
int sw_cfg_check_lb(struct sw_config *cfg, char *err, size_t err_len);

#endif /* SW_CONFIG_INT_H */
