/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The [service:NAME] sections: prefix, ports and the SYN-ACK options
 * read into the service table (lb mode's VIPs and backends by
 * config_lb.c), and shown again by sw_config_visit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "config_int.h"
#include "sw_config.h"
#include "sw_service.h"
#include "sw_text.h"

/*
 * Per-service SYN-ACK option keys; off is into struct sw_svc_syn, whose
 * mss fields are uint16_t and the rest uint8_t/bool (written as one
 * byte). Defaults: sw_svc_add().
 */
static const char *const first_contact_names[] = { "probe", "trust", NULL };
/* In enum sw_pp_version's order. */
static const char *const proxy_protocol_names[] = { "no", "v1", "v2", NULL };

/* Services reload as a whole (their table is swapped): reloadable. */
#define SV(k, t, f, lo, hi, d) \
	{ .section = "service:NAME", .key = k, .type = t, \
		.off = offsetof(struct sw_svc_syn, f), .min = lo, .max = hi, \
		.def = d, .reloadable = true }
static const struct key_spec svc_keys[] = {
	SV("mss", KEY_UINT, mss4, 536, 65495, "1460"),
	SV("mss6", KEY_UINT, mss6, 1220, 65475, "1440"),
	SV("wscale", KEY_UINT, wscale, 0, 14, "7"),
	SV("sack", KEY_BOOL, sack, 0, 1, "yes"),
	SV("timestamps", KEY_BOOL, ts, 0, 1, "yes"),
	SV("ecn", KEY_BOOL, ecn, 0, 1, "no"),
	{ .section = "service:NAME", .key = "first_contact", .type = KEY_ENUM,
		.off = offsetof(struct sw_svc_syn, trust), .min = 0, .max = 1,
		.names = first_contact_names, .def = "probe",
		.reloadable = true },
	{ .section = "service:NAME", .key = "proxy_protocol",
		.type = KEY_ENUM,
		.off = offsetof(struct sw_svc_syn, proxy_protocol), .min = 0,
		.max = 2, .names = proxy_protocol_names, .def = "no",
		.reloadable = true },
};

static const struct key_spec *
find_svc_key(const char *key)
{
	for (unsigned int i = 0; i < RTE_DIM(svc_keys); i++)
		if (strcmp(svc_keys[i].key, key) == 0)
			return &svc_keys[i];
	return NULL;
}

int
sw_cfg_load_service(struct sw_config *cfg, const char *section,
		const struct rte_cfgfile_entry *e, int n, char *err,
		size_t err_len)
{
	const char *name = section + strlen(SVC_SECTION);
	const char *prefixes = NULL, *ports = NULL, *nat = NULL;
	const char *bad = NULL, *p;
	char item[ITEM_LEN];
	bool backends = false;
	int svc, ret;

	for (int i = 0; i < n; i++) {
		if (strcmp(e[i].name, "prefix") == 0) {
			prefixes = e[i].value;
		} else if (strcmp(e[i].name, "ports") == 0) {
			ports = e[i].value;
		} else if (strcmp(e[i].name, "backends") == 0) {
			if (cfg->mode != SW_MODE_LB) {
				set_err(err, err_len,
					"[%s] backends: only with [synwall] mode = lb",
					section);
				return -EINVAL;
			}
			backends = true;
		} else if (strcmp(e[i].name, "nat") == 0) {
			if (cfg->mode != SW_MODE_LB) {
				set_err(err, err_len,
					"[%s] nat: only with [synwall] mode = lb",
					section);
				return -EINVAL;
			}
			nat = e[i].value;
		} else if (find_svc_key(e[i].name) == NULL) {
			set_err(err, err_len,
				"[%s] %s: unknown key (known: prefix, ports, %smss, mss6, wscale, sack, timestamps, ecn, first_contact, proxy_protocol)",
				section, e[i].name,
				cfg->mode == SW_MODE_LB ? "backends, nat, " : "");
			return -EINVAL;
		}
	}
	if (prefixes == NULL || ports == NULL) {
		set_err(err, err_len, "[%s] %s: missing", section,
			prefixes == NULL ? "prefix" : "ports");
		return -EINVAL;
	}
	if (cfg->mode == SW_MODE_LB && !backends) {
		set_err(err, err_len,
			"[%s] backends: missing (in mode = lb every service needs at least one)",
			section);
		return -EINVAL;
	}
	for (const char *c = name; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '_') {
			set_err(err, err_len,
				"[%s]: service names use letters, digits and '_'",
				section);
			return -EINVAL;
		}
	svc = sw_svc_add(&cfg->svc, name);
	if (svc == -EEXIST) {
		set_err(err, err_len, "[%s]: service defined twice", section);
		return svc;
	} else if (svc < 0) {
		set_err(err, err_len,
			"[%s]: %s (names 1..%d characters, at most %d services)",
			section, svc == -ENOSPC ? "too many services" :
			"bad name", SW_SVC_NAME_LEN - 1, SW_SVC_MAX);
		return svc;
	}
	for (int i = 0; i < n; i++) {
		const struct key_spec *k = find_svc_key(e[i].name);
		struct sw_svc_syn *syn = &cfg->svc.svc[svc].syn;
		uint32_t v;
		bool b;

		if (k == NULL)
			continue;
		if (k->type == KEY_BOOL) {
			if (sw_text_bool(e[i].value, &b) < 0) {
				set_err(err, err_len,
					"[%s] %s = %s: must be yes or no", section,
					k->key, e[i].value);
				return -EINVAL;
			}
			v = b;
		} else if (k->type == KEY_ENUM) {
			for (v = 0; k->names[v] != NULL; v++)
				if (strcmp(e[i].value, k->names[v]) == 0)
					break;
			if (k->names[v] == NULL) {
				set_err(err, err_len,
					"[%s] %s = %s: must be %s",
					section, k->key, e[i].value,
					k->names == first_contact_names ?
					"probe or trust" : "no, v1 or v2");
				return -EINVAL;
			}
		} else if (strcmp(k->key, "wscale") == 0 &&
				sw_text_bool(e[i].value, &b) == 0 && !b) {
			v = SW_SVC_WSCALE_OFF;
		} else if (sw_text_dec(e[i].value, k->min, k->max, &v) < 0) {
			set_err(err, err_len,
				"[%s] %s = %s: must be a whole number %u..%u%s (decimal)",
				section, k->key, e[i].value, k->min, k->max,
				strcmp(k->key, "wscale") ? "" : " or no");
			return -EINVAL;
		}
		if (k->max > 255)	/* mss, mss6 */
			*(uint16_t *)((char *)syn + k->off) = (uint16_t)v;
		else
			*((uint8_t *)syn + k->off) = (uint8_t)v;
	}
	/* lb: how its flows reach the backends (docs/lb.md). */
	if (nat != NULL) {
		if (strcmp(nat, "dnat") == 0) {
			cfg->svc.svc[svc].nat = SW_SVC_NAT_DNAT;
		} else if (strcmp(nat, "snat") == 0) {
			cfg->svc.svc[svc].nat = SW_SVC_NAT_SNAT;
		} else {
			set_err(err, err_len,
				"[%s] nat = %s: must be dnat or snat", section,
				nat);
			return -EINVAL;
		}
	}
	if (sw_svc_add_ports(&cfg->svc, svc, ports, &bad) < 0) {
		set_err(err, err_len,
			"[%s] ports = %s: bad port or range at \"%s\" (ports 1..65535, a-b ranges, comma separated)",
			section, ports, bad);
		return -EINVAL;
	}
	if (cfg->mode == SW_MODE_LB) {
		ret = sw_cfg_add_vips(cfg, section, svc, prefixes, err,
			err_len);

		for (int i = 0; i < n && ret == 0; i++)
			if (strcmp(e[i].name, "backends") == 0)
				ret = sw_cfg_parse_backends(cfg, section, svc,
					e[i].value, err, err_len);
		return ret;
	}
	p = sw_text_list_start(prefixes);
	while ((ret = sw_text_item(&p, item, sizeof(item))) > 0) {
		if (item[0] == '\0')
			return item_error(section, "prefix", 0, err, err_len);
		ret = sw_svc_add_prefix(&cfg->svc, svc, item);
		if (ret == -ENOSPC) {
			set_err(err, err_len,
				"[%s] prefix: more than %d prefixes per family",
				section, SW_SVC_PREFIX_MAX);
			return ret;
		} else if (ret < 0) {
			set_err(err, err_len,
				"[%s] prefix = %s: \"%s\" is not an address/length with host bits clear",
				section, prefixes, item);
			return ret;
		}
	}
	return ret < 0 ? item_error(section, "prefix", ret, err, err_len) : 0;
}

static void
format_prefix(const struct sw_svc_prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, p->len);
}

static void
format_ports(const struct sw_svc *s, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t port = 1;

	buf[0] = '\0';
	while (port <= 65535 && used + 16 < len) {
		uint32_t end;

		if (!sw_svc_port_in(s, (uint16_t)port)) {
			port++;
			continue;
		}
		end = port;
		while (end < 65535 && sw_svc_port_in(s, (uint16_t)(end + 1)))
			end++;
		if (end == port)
			used += (size_t)snprintf(buf + used, len - used,
				"%s%u", used ? "," : "", port);
		else
			used += (size_t)snprintf(buf + used, len - used,
				"%s%u-%u", used ? "," : "", port, end);
		port = end + 1;
	}
}

static void
format_syn(const struct sw_svc_syn *o, char *buf, size_t len)
{
	char ws[8];

	if (o->wscale == SW_SVC_WSCALE_OFF)
		snprintf(ws, sizeof(ws), "no");
	else
		snprintf(ws, sizeof(ws), "%u", o->wscale);
	snprintf(buf, len,
		"mss=%u mss6=%u wscale=%s sack=%s timestamps=%s ecn=%s first_contact=%s proxy_protocol=%s",
		o->mss4, o->mss6, ws, o->sack ? "yes" : "no",
		o->ts ? "yes" : "no", o->ecn ? "yes" : "no",
		o->trust ? "trust" : "probe",
		proxy_protocol_names[o->proxy_protocol < 3 ?
		o->proxy_protocol : 0]);
}

/* sw_config_visit's services: prefix, ports, backends (lb), syn, nat (lb). */
void
sw_cfg_visit_services(const struct sw_config *cfg, sw_config_visit_fn fn,
		void *arg)
{
	bool lb = cfg->mode == SW_MODE_LB;
	char value[VALUE_MAX];
	char section[CFG_NAME_LEN];

	for (unsigned int s = 0; s < cfg->svc.n_svc; s++) {
		size_t used = 0;

		snprintf(section, sizeof(section), SVC_SECTION "%s",
			cfg->svc.svc[s].name);
		value[0] = '\0';
		for (unsigned int f = 0; f < 2 && !lb; f++) {
			const struct sw_svc_prefix *p = f ? cfg->svc.prefix6 :
				cfg->svc.prefix4;
			unsigned int n = f ? cfg->svc.n_v6 : cfg->svc.n_v4;

			for (unsigned int i = 0; i < n; i++) {
				char one[INET6_ADDRSTRLEN + 8];

				if (p[i].svc != s || used + sizeof(one) >= sizeof(value))
					continue;
				format_prefix(&p[i], one, sizeof(one));
				used += (size_t)snprintf(value + used,
					sizeof(value) - used, "%s%s",
					used ? "," : "", one);
			}
		}
		if (lb)
			sw_cfg_format_vips(cfg, s, value, sizeof(value));
		fn(section, "prefix", value, arg);
		format_ports(&cfg->svc.svc[s], value, sizeof(value));
		fn(section, "ports", value, arg);
		if (lb) {
			char *list = sw_cfg_backends_text(cfg, s);

			fn(section, "backends", list != NULL ? list :
				"(out of memory)", arg);
			free(list);
		}
		format_syn(&cfg->svc.svc[s].syn, value, sizeof(value));
		fn(section, "syn", value, arg);
		if (lb)
			fn(section, "nat", cfg->svc.svc[s].nat ==
				SW_SVC_NAT_SNAT ? "snat" : "dnat", arg);
	}
}
