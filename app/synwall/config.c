/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_log.h>

#include "sw_config.h"
#include "sw_cookie.h"

#define SVC_SECTION	"service:"
#define BURST_MAX	512
#define ENTRIES_MAX	64	/* keys per section */

enum key_type {
	KEY_UINT,
	KEY_BOOL,
	KEY_ENUM,
	KEY_STR,
	KEY_PATH,			/* optional: default "" is "not set" */
};

struct key_spec {
	const char *section;
	const char *key;
	enum key_type type;
	size_t off;
	uint32_t min;			/* KEY_UINT; KEY_ENUM: value of names[0] */
	uint32_t max;
	const char *const *names;	/* KEY_ENUM, NULL-terminated */
	const char *def;		/* default, parsed like file text */
};

static const char *const mode_names[] = { "inline", NULL };
static const char *const unprotected_names[] = { "pass", "drop", NULL };
static const char *const steering_names[] = { "auto", "software", NULL };
/* Index + 1 is the RTE_LOG_* level. */
static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	NULL
};

#define U(sec, k, f, lo, hi, d) \
	{ sec, k, KEY_UINT, offsetof(struct sw_config, f), lo, hi, NULL, d }
#define B(sec, k, f, d) \
	{ sec, k, KEY_BOOL, offsetof(struct sw_config, f), 0, 1, NULL, d }
#define E(sec, k, f, first, names, d) \
	{ sec, k, KEY_ENUM, offsetof(struct sw_config, f), first, 0, names, d }
#define S(sec, k, f, d) \
	{ sec, k, KEY_STR, offsetof(struct sw_config, f), 0, 0, NULL, d }
#define P(sec, k, f) \
	{ sec, k, KEY_PATH, offsetof(struct sw_config, f), 0, 0, NULL, "" }

/* The reference: keep in step with config/synwall.conf.example. */
static const struct key_spec keys[] = {
	E("synwall", "mode", mode, SW_MODE_INLINE, mode_names, "inline"),
	E("synwall", "unprotected", unprotected, SW_UNPROTECTED_PASS,
		unprotected_names, "pass"),
	E("synwall", "log_level", log_level, RTE_LOG_EMERG, level_names,
		"notice"),
	U("synwall", "stats_interval", stats_interval, 0, 86400, "10"),
	S("ports", "outside", port_name[SW_OUTSIDE], "0"),
	S("ports", "inside", port_name[SW_INSIDE], "1"),
	U("ports", "rx_desc", rx_desc, 64, 16384, "1024"),
	U("ports", "tx_desc", tx_desc, 64, 16384, "1024"),
	B("ports", "promiscuous", promiscuous, "yes"),
	U("worker", "burst", burst, 1, BURST_MAX, "32"),
	U("worker", "mbufs", mbufs, 1024, 1u << 24, "16383"),
	U("worker", "mbuf_cache", mbuf_cache, 0, 512, "256"),
	U("worker", "flows", flows, 1, 1u << 26, "1000000"),
	U("worker", "flows6", flows6, 1, 1u << 26, "250000"),
	U("worker", "tx_drain_us", tx_drain_us, 1, 100000, "100"),
	E("worker", "steering", steering, SW_STEERING_AUTO, steering_names,
		"auto"),
	U("flow", "hold", hold, 1, 64, "8"),
	U("flow", "syn_timeout_ms", syn_timeout_ms, 10, 60000, "1000"),
	U("flow", "syn_retries", syn_retries, 0, 10, "3"),
	U("flow", "established_timeout", established_timeout, 1, 604800,
		"600"),
	U("flow", "half_closed_timeout", half_closed_timeout, 1, 86400, "120"),
	U("flow", "closing_timeout", closing_timeout, 1, 3600, "10"),
	U("flow", "linger_ms", linger_ms, 0, 600000, "2000"),
	U("flow", "challenge_ack_rate", challenge_ack_rate, 1, 10000000,
		"1000"),
	U("syncookie", "slot_seconds", slot_seconds, 1, 3600, "64"),
	P("syncookie", "key_file", key_file),
	U("syncookie", "ttl", ttl, 1, 255, "64"),
	U("syncookie", "window", window, 1, 65535, "65535"),
	B("syncookie", "rst_on_bad", rst_on_bad, "no"),
	U("syncookie", "rst_rate", rst_rate, 1, 1000000, "100"),
	U("syncookie", "reflect_rate", reflect_rate, 0, 100000000, "0"),
	U("syncookie", "reflect_burst", reflect_burst, 1, 1000000, "16"),
	U("syncookie", "reflect_total", reflect_total, 0, 1000000000, "0"),
};

static void __rte_format_printf(3, 4)
set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int
parse_uint(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_bool(const char *text, uint32_t *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (unsigned int i = 0; i < RTE_DIM(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}

static void
enum_choices(const char *const *names, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; names[i] != NULL && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
			i ? " | " : "", names[i]);
}

static int
apply_key(struct sw_config *cfg, const struct key_spec *k, const char *text,
		char *err, size_t err_len)
{
	void *field = (char *)cfg + k->off;
	char choices[128];
	uint32_t v;

	switch (k->type) {
	case KEY_UINT:
		if (parse_uint(text, k->min, k->max, &v) < 0) {
			set_err(err, err_len,
				"[%s] %s = %s: must be a whole number %u..%u",
				k->section, k->key, text, k->min, k->max);
			return -EINVAL;
		}
		*(uint32_t *)field = v;
		return 0;
	case KEY_BOOL:
		if (parse_bool(text, &v) < 0) {
			set_err(err, err_len, "[%s] %s = %s: must be yes or no",
				k->section, k->key, text);
			return -EINVAL;
		}
		*(uint32_t *)field = v;
		return 0;
	case KEY_ENUM:
		for (unsigned int i = 0; k->names[i] != NULL; i++) {
			if (strcasecmp(text, k->names[i]) == 0) {
				*(uint32_t *)field = k->min + i;
				return 0;
			}
		}
		enum_choices(k->names, choices, sizeof(choices));
		set_err(err, err_len, "[%s] %s = %s: must be one of %s",
			k->section, k->key, text, choices);
		return -EINVAL;
	case KEY_STR:
		if (text[0] == '\0' || strlen(text) >= SW_PORT_NAME_LEN) {
			set_err(err, err_len,
				"[%s] %s = %s: must be 1..%d characters",
				k->section, k->key, text, SW_PORT_NAME_LEN - 1);
			return -EINVAL;
		}
		memcpy(field, text, strlen(text) + 1);
		return 0;
	case KEY_PATH:
		if (strlen(text) >= SW_PATH_LEN) {
			set_err(err, err_len, "[%s] %s: longer than %d characters",
				k->section, k->key, SW_PATH_LEN - 1);
			return -EINVAL;
		}
		memcpy(field, text, strlen(text) + 1);
		return 0;
	}
	return -EINVAL;
}

void
sw_config_defaults(struct sw_config *cfg)
{
	char err[SW_ERR_LEN];

	memset(cfg, 0, sizeof(*cfg));
	for (unsigned int i = 0; i < RTE_DIM(keys); i++)
		if (apply_key(cfg, &keys[i], keys[i].def, err, sizeof(err)))
			abort();	/* a bad default is a bug in this file */
	sw_svc_init(&cfg->svc);
}

static const struct key_spec *
find_key(const char *section, const char *key)
{
	for (unsigned int i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, section) == 0 &&
				strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

/*
 * Per-service SYN-ACK option keys; off is into struct sw_svc_syn, whose
 * mss fields are uint16_t and the rest uint8_t/bool (written as one
 * byte). Defaults: sw_svc_add().
 */
static const struct key_spec svc_keys[] = {
	{ "service:NAME", "mss", KEY_UINT, offsetof(struct sw_svc_syn, mss4),
		536, 65495, NULL, "1460" },
	{ "service:NAME", "mss6", KEY_UINT, offsetof(struct sw_svc_syn, mss6),
		1220, 65475, NULL, "1440" },
	{ "service:NAME", "wscale", KEY_UINT,
		offsetof(struct sw_svc_syn, wscale), 0, 14, NULL, "7" },
	{ "service:NAME", "sack", KEY_BOOL, offsetof(struct sw_svc_syn, sack),
		0, 1, NULL, "yes" },
	{ "service:NAME", "timestamps", KEY_BOOL,
		offsetof(struct sw_svc_syn, ts), 0, 1, NULL, "yes" },
	{ "service:NAME", "ecn", KEY_BOOL, offsetof(struct sw_svc_syn, ecn),
		0, 1, NULL, "no" },
};

static const struct key_spec *
find_svc_key(const char *key)
{
	for (unsigned int i = 0; i < RTE_DIM(svc_keys); i++)
		if (strcmp(svc_keys[i].key, key) == 0)
			return &svc_keys[i];
	return NULL;
}

static bool
known_section(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, name) == 0)
			return true;
	return false;
}

/*
 * rte_cfgfile skips lines it does not understand and gives no line
 * number for some errors, so look at the raw lines first: every line
 * must be blank, a ';' comment, a [section] or a key = value.
 */
static int
lint_lines(const char *path, char *err, size_t err_len)
{
	char line[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	bool in_section = false;
	unsigned int lineno = 0;
	int ret = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		set_err(err, err_len, "-c %s: %s", path, strerror(errno));
		return ret;
	}
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		char *p = line;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			set_err(err, err_len, "%s:%u: line too long", path,
				lineno);
			ret = -EINVAL;
			break;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == ';')
			continue;
		if (*p == '#') {
			set_err(err, err_len,
				"%s:%u: comments start with ';', not '#'",
				path, lineno);
			ret = -EINVAL;
		} else if (*p == '[') {
			if (strchr(p, ']') == NULL) {
				set_err(err, err_len,
					"%s:%u: section header has no ']'",
					path, lineno);
				ret = -EINVAL;
			}
			in_section = true;
		} else if (strchr(p, '=') == NULL) {
			set_err(err, err_len,
				"%s:%u: expected [section] or key = value",
				path, lineno);
			ret = -EINVAL;
		} else if (!in_section) {
			set_err(err, err_len,
				"%s:%u: key outside of any [section]", path,
				lineno);
			ret = -EINVAL;
		} else {
			const char *v = strchr(p, '=') + 1;

			while (isspace((unsigned char)*v))
				v++;
			if (*v == '\0' || *v == ';') {
				set_err(err, err_len,
					"%s:%u: %.*s has no value", path,
					lineno, (int)strcspn(p, " \t="), p);
				ret = -EINVAL;
			}
		}
	}
	fclose(f);
	return ret;
}

static int
load_service(struct sw_config *cfg, const char *section,
		const struct rte_cfgfile_entry *e, int n, char *err,
		size_t err_len)
{
	const char *name = section + strlen(SVC_SECTION);
	const char *prefixes = NULL, *ports = NULL;
	const char *bad = NULL;
	char buf[CFG_VALUE_LEN];
	char *tok, *save;
	int svc;

	for (int i = 0; i < n; i++) {
		if (strcmp(e[i].name, "prefix") == 0) {
			prefixes = e[i].value;
		} else if (strcmp(e[i].name, "ports") == 0) {
			ports = e[i].value;
		} else if (find_svc_key(e[i].name) == NULL) {
			set_err(err, err_len,
				"[%s] %s: unknown key (known: prefix, ports, mss, mss6, wscale, sack, timestamps, ecn)",
				section, e[i].name);
			return -EINVAL;
		}
	}
	if (prefixes == NULL || ports == NULL) {
		set_err(err, err_len, "[%s] %s: missing", section,
			prefixes == NULL ? "prefix" : "ports");
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

		if (k == NULL)
			continue;
		if (k->type == KEY_BOOL) {
			if (parse_bool(e[i].value, &v) < 0) {
				set_err(err, err_len,
					"[%s] %s = %s: must be yes or no", section,
					k->key, e[i].value);
				return -EINVAL;
			}
		} else if (strcmp(k->key, "wscale") == 0 &&
				parse_bool(e[i].value, &v) == 0 && v == 0) {
			v = SW_SVC_WSCALE_OFF;
		} else if (parse_uint(e[i].value, k->min, k->max, &v) < 0) {
			set_err(err, err_len,
				"[%s] %s = %s: must be a whole number %u..%u%s",
				section, k->key, e[i].value, k->min, k->max,
				strcmp(k->key, "wscale") ? "" : " or no");
			return -EINVAL;
		}
		if (k->max > 255)	/* mss, mss6 */
			*(uint16_t *)((char *)syn + k->off) = (uint16_t)v;
		else
			*((uint8_t *)syn + k->off) = (uint8_t)v;
	}
	if (sw_svc_add_ports(&cfg->svc, svc, ports, &bad) < 0) {
		set_err(err, err_len,
			"[%s] ports = %s: bad port or range at \"%s\" (ports 1..65535, a-b ranges, comma separated)",
			section, ports, bad);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", prefixes);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		int ret = sw_svc_add_prefix(&cfg->svc, svc, tok);

		if (ret == -ENOSPC) {
			set_err(err, err_len,
				"[%s] prefix: more than %d prefixes per family",
				section, SW_SVC_PREFIX_MAX);
			return ret;
		} else if (ret < 0) {
			while (isspace((unsigned char)*tok))
				tok++;
			set_err(err, err_len,
				"[%s] prefix = %s: \"%s\" is not an address/length with host bits clear",
				section, prefixes, tok);
			return ret;
		}
	}
	return 0;
}

static int
check_duplicates(const char *section, const struct rte_cfgfile_entry *e,
		int n, char *err, size_t err_len)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(e[i].name, e[j].name) == 0) {
				set_err(err, err_len, "[%s] %s: set twice",
					section, e[i].name);
				return -EINVAL;
			}
	return 0;
}

static int
load_sections(struct rte_cfgfile *f, struct sw_config *cfg, char *err,
		size_t err_len)
{
	int n_sections = rte_cfgfile_num_sections(f, NULL, 0);
	struct rte_cfgfile_entry *e;
	int ret = 0;

	e = calloc(ENTRIES_MAX, sizeof(*e));
	if (e == NULL) {
		set_err(err, err_len, "config: out of memory");
		return -ENOMEM;
	}
	for (int s = 0; s < n_sections && ret == 0; s++) {
		char section[CFG_NAME_LEN];
		int n;

		n = rte_cfgfile_section_num_entries_by_index(f, section, s);
		if (n > ENTRIES_MAX) {
			set_err(err, err_len, "[%s]: more than %d keys",
				section, ENTRIES_MAX);
			ret = -EINVAL;
			break;
		}
		n = rte_cfgfile_section_entries_by_index(f, s, section, e,
			ENTRIES_MAX);
		for (int t = 0; t < s; t++) {
			char other[CFG_NAME_LEN];

			rte_cfgfile_section_num_entries_by_index(f, other, t);
			if (strcmp(other, section) == 0) {
				set_err(err, err_len,
					"[%s]: section appears twice", section);
				ret = -EINVAL;
			}
		}
		if (ret == 0)
			ret = check_duplicates(section, e, n, err, err_len);
		if (ret != 0)
			break;
		if (strncmp(section, SVC_SECTION, strlen(SVC_SECTION)) == 0) {
			ret = load_service(cfg, section, e, n, err, err_len);
			continue;
		}
		if (!known_section(section)) {
			set_err(err, err_len,
				"[%s]: unknown section (known: synwall, ports, worker, syncookie, service:NAME)",
				section);
			ret = -EINVAL;
			break;
		}
		for (int i = 0; i < n && ret == 0; i++) {
			const struct key_spec *k = find_key(section, e[i].name);

			if (k == NULL) {
				set_err(err, err_len, "[%s] %s: unknown key",
					section, e[i].name);
				ret = -EINVAL;
			} else {
				ret = apply_key(cfg, k, e[i].value, err,
					err_len);
			}
		}
	}
	free(e);
	return ret;
}

/* Checks that involve more than one key. */
static int
check_whole(const struct sw_config *cfg, char *err, size_t err_len)
{
	if (strcmp(cfg->port_name[SW_OUTSIDE], cfg->port_name[SW_INSIDE]) == 0) {
		set_err(err, err_len,
			"[ports] inside = %s: same port as outside",
			cfg->port_name[SW_INSIDE]);
		return -EINVAL;
	}
	if (cfg->mbuf_cache > cfg->mbufs / 4) {
		set_err(err, err_len,
			"[worker] mbuf_cache = %u: at most mbufs / 4 (%u)",
			cfg->mbuf_cache, cfg->mbufs / 4);
		return -EINVAL;
	}
	if (cfg->key_file[0] != '\0') {
		uint8_t master[SW_COOKIE_MASTER_LEN];
		char why[SW_ERR_LEN];
		int ret = sw_cookie_master_load(cfg->key_file, master, why,
			sizeof(why));

		memset(master, 0, sizeof(master));
		if (ret != 0) {
			set_err(err, err_len, "[syncookie] key_file = %s", why);
			return ret;
		}
	}
	if (cfg->svc.n_svc == 0 && cfg->unprotected == SW_UNPROTECTED_DROP) {
		set_err(err, err_len,
			"[synwall] unprotected = drop: no [service:NAME] section, so every packet would be dropped");
		return -EINVAL;
	}
	return 0;
}

int
sw_config_load(const char *path, struct sw_config *cfg, char *err,
		size_t err_len)
{
	struct rte_cfgfile *f;
	int ret;

	sw_config_defaults(cfg);
	ret = lint_lines(path, err, err_len);
	if (ret != 0)
		return ret;
	f = rte_cfgfile_load(path, 0);
	if (f == NULL) {
		set_err(err, err_len,
			"%s: cannot be parsed (an empty value or a bad line?)",
			path);
		return -EINVAL;
	}
	ret = load_sections(f, cfg, err, err_len);
	rte_cfgfile_close(f);
	if (ret == 0)
		ret = check_whole(cfg, err, err_len);
	return ret;
}

static void
key_value(const struct sw_config *cfg, const struct key_spec *k, char *buf,
		size_t len)
{
	const void *field = (const char *)cfg + k->off;
	uint32_t v = *(const uint32_t *)field;

	switch (k->type) {
	case KEY_UINT:
		snprintf(buf, len, "%u", v);
		break;
	case KEY_BOOL:
		snprintf(buf, len, "%s", v ? "yes" : "no");
		break;
	case KEY_ENUM:
		snprintf(buf, len, "%s", k->names[v - k->min]);
		break;
	case KEY_STR:
	case KEY_PATH:
		snprintf(buf, len, "%s", (const char *)field);
		break;
	}
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
	snprintf(buf, len, "mss=%u mss6=%u wscale=%s sack=%s timestamps=%s ecn=%s",
		o->mss4, o->mss6, ws, o->sack ? "yes" : "no",
		o->ts ? "yes" : "no", o->ecn ? "yes" : "no");
}

void
sw_config_visit(const struct sw_config *cfg, sw_config_visit_fn fn,
		void *arg)
{
	char value[CFG_VALUE_LEN];
	char section[CFG_NAME_LEN];

	for (unsigned int i = 0; i < RTE_DIM(keys); i++) {
		key_value(cfg, &keys[i], value, sizeof(value));
		fn(keys[i].section, keys[i].key, value, arg);
	}
	for (unsigned int s = 0; s < cfg->svc.n_svc; s++) {
		size_t used = 0;

		snprintf(section, sizeof(section), SVC_SECTION "%s",
			cfg->svc.svc[s].name);
		value[0] = '\0';
		for (unsigned int f = 0; f < 2; f++) {
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
		fn(section, "prefix", value, arg);
		format_ports(&cfg->svc.svc[s], value, sizeof(value));
		fn(section, "ports", value, arg);
		format_syn(&cfg->svc.svc[s].syn, value, sizeof(value));
		fn(section, "syn", value, arg);
	}
}

const char *
sw_side_name(enum sw_side side)
{
	return side == SW_OUTSIDE ? "outside" : "inside";
}
