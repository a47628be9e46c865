/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config file: the table of keys, reading and linting the raw
 * file, loading it section by section, the checks across sections,
 * sw_config_visit and the reload check. The [service:NAME] sections
 * are read in config_svc.c, mode = lb's keys in config_lb.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_log.h>

#include "config_int.h"
#include "sw_config.h"
#include "sw_cookie.h"
#include "sw_text.h"
#include "sw_timer_wheel.h"

#define BURST_MAX	512
#define ENTRIES_MAX	64	/* keys per section */
#define MAGLEV_SIZE_MIN	65537u
#define MAGLEV_SIZE_MAX	33554432u	/* 2^25, lib/maglev's bound */

static const char *const mode_names[] = { "inline", "lb", NULL };
static const char *const unprotected_names[] = { "pass", "drop", NULL };
static const char *const steering_names[] = { "auto", "software", NULL };
static const char *const idle_names[] = { "poll", "adaptive", NULL };
/* Index + 1 is the RTE_LOG_* level. */
static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
	NULL
};

/*
 * The last column of the table: what a change of the key needs.
 * RELOAD: state the workers read through the RCU-published lb tables,
 * or that the main lcore owns. RESTART: it sizes memory, ports or the
 * addresses synwall answers for (sw_config_reload_check refuses it).
 * Services and their backends reload; they are not in the table.
 */
#define RELOAD	true
#define RESTART	false

#define CFG_FIELD(f)	.off = offsetof(struct sw_config, f)
#define U(sec, k, f, lo, hi, d, r) \
	{ .section = sec, .key = k, .type = KEY_UINT, CFG_FIELD(f), \
		.min = lo, .max = hi, .def = d, .reloadable = r }
#define B(sec, k, f, d, r) \
	{ .section = sec, .key = k, .type = KEY_BOOL, CFG_FIELD(f), \
		.max = 1, .def = d, .reloadable = r }
#define E(sec, k, f, first, n, d, r) \
	{ .section = sec, .key = k, .type = KEY_ENUM, CFG_FIELD(f), \
		.min = first, .names = n, .def = d, .reloadable = r }
#define S(sec, k, f, d, r) \
	{ .section = sec, .key = k, .type = KEY_STR, CFG_FIELD(f), \
		.def = d, .reloadable = r }
#define P(sec, k, f, r) \
	{ .section = sec, .key = k, .type = KEY_PATH, CFG_FIELD(f), \
		.def = "", .reloadable = r }
#define F(sec, k, f, p, fmt, r) \
	{ .section = sec, .key = k, .type = KEY_FUNC, CFG_FIELD(f), \
		.def = "", .parse = p, .format = fmt, .reloadable = r }
#define FD(sec, k, f, p, fmt, d, r) \
	{ .section = sec, .key = k, .type = KEY_FUNC, CFG_FIELD(f), \
		.def = d, .parse = p, .format = fmt, .reloadable = r }

/*
 * The reference: keep in step with config/synwall.conf.example and,
 * for [lb], config/lb.conf.example.
 */
static const struct key_spec keys[] = {
	E("synwall", "mode", mode, SW_MODE_INLINE, mode_names, "inline",
		RESTART),
	E("synwall", "unprotected", unprotected, SW_UNPROTECTED_PASS,
		unprotected_names, "pass",	/* lb: drop, see sw_config_load */
		RESTART),
	E("synwall", "log_level", log_level, RTE_LOG_EMERG, level_names,
		"notice", RELOAD),
	U("synwall", "stats_interval", stats_interval, 0, 86400, "10",
		RELOAD),
	B("synwall", "capture", capture, "yes", RESTART),
	S("ports", "outside", port_name[SW_OUTSIDE], "0", RESTART),
	S("ports", "inside", port_name[SW_INSIDE], "1", RESTART),
	U("ports", "rx_desc", rx_desc, 64, 16384, "1024", RESTART),
	U("ports", "tx_desc", tx_desc, 64, 16384, "1024", RESTART),
	B("ports", "promiscuous", promiscuous, "yes", RESTART),
	U("worker", "burst", burst, 1, BURST_MAX, "32", RESTART),
	U("worker", "mbufs", mbufs, 1024, 1u << 24, "16383", RESTART),
	U("worker", "mbuf_cache", mbuf_cache, 0, 512, "256", RESTART),
	U("worker", "flows", flows, 1, 1u << 26, "1000000", RESTART),
	U("worker", "flows6", flows6, 1, 1u << 26, "250000", RESTART),
	U("worker", "tx_drain_us", tx_drain_us, 1, 100000, "100", RESTART),
	E("worker", "steering", steering, SW_STEERING_AUTO, steering_names,
		"auto", RESTART),
	E("worker", "idle", idle, SW_IDLE_POLL, idle_names, "adaptive",
		RESTART),
	U("worker", "idle_sleep_max_us", idle_sleep_max_us, 1, 1000, "50",
		RESTART),
	U("flow", "hold", hold, 1, 64, "8", RESTART),
	U("flow", "syn_timeout_ms", syn_timeout_ms, 10, 60000, "1000",
		RESTART),
	U("flow", "syn_retries", syn_retries, 0, 10, "3", RESTART),
	U("flow", "established_timeout", established_timeout, 1, 604800,
		"600", RESTART),
	U("flow", "half_closed_timeout", half_closed_timeout, 1, 86400, "120",
		RESTART),
	U("flow", "closing_timeout", closing_timeout, 1, 3600, "10", RESTART),
	U("flow", "linger_ms", linger_ms, 0, 600000, "2000", RESTART),
	U("flow", "challenge_ack_rate", challenge_ack_rate, 1, 10000000,
		"1000", RESTART),
	U("flow", "reload_grace", reload_grace, 0, 86400, "120", RELOAD),
	U("flow", "learn_refresh_ms", learn_refresh_ms, 0, 3600000, "1000",
		RESTART),
	U("syncookie", "slot_seconds", slot_seconds, 1, 3600, "64", RESTART),
	P("syncookie", "key_file", key_file, RESTART),
	U("syncookie", "ttl", ttl, 1, 255, "64", RESTART),
	U("syncookie", "window", window, 1, 65535, "65535", RESTART),
	B("syncookie", "rst_on_bad", rst_on_bad, "no", RESTART),
	U("syncookie", "rst_rate", rst_rate, 1, 1000000, "100", RESTART),
	U("syncookie", "reflect_rate", reflect_rate, 0, 100000000, "0",
		RESTART),
	U("syncookie", "reflect_burst", reflect_burst, 1, 1000000, "16",
		RESTART),
	U("syncookie", "reflect_total", reflect_total, 0, 1000000000, "0",
		RESTART),
	/* mode = lb only (an [lb] section is refused otherwise); the
	 * cross-key rules are in sw_cfg_check_lb(). */
	F(LB_SECTION, "outside_address", lb.outside, sw_cfg_parse_ifaddrs,
		sw_cfg_format_ifaddrs, RESTART),
	F(LB_SECTION, "outside_gateway", lb.gateway, sw_cfg_parse_gateways,
		sw_cfg_format_gateways, RESTART),
	F(LB_SECTION, "inside_address", lb.inside, sw_cfg_parse_ifaddrs,
		sw_cfg_format_ifaddrs, RESTART),
	/* Default: the inside_address of each family (sw_cfg_check_lb). */
	F(LB_SECTION, "snat_address", lb.snat, sw_cfg_parse_snat_addrs,
		sw_cfg_format_snat_addrs, RESTART),
	FD(LB_SECTION, "snat_ports", lb.snat_lo, sw_cfg_parse_snat_ports,
		sw_cfg_format_snat_ports, "1024-64511", RESTART),
	F(LB_SECTION, "neighbours", lb.neigh_static, sw_cfg_parse_neighbours,
		sw_cfg_format_neighbours, RELOAD),
	U(LB_SECTION, "maglev_size", lb.maglev_size, MAGLEV_SIZE_MIN,
		MAGLEV_SIZE_MAX, "65537", RESTART),
	U(LB_SECTION, "neigh_entries", lb.neigh_entries, 16, 1u << 20,
		"4096", RESTART),
	U(LB_SECTION, "health_interval_ms", lb.health_interval_ms, 0, 3600000,
		"2000", RELOAD),
	U(LB_SECTION, "health_timeout_ms", lb.health_timeout_ms, 10, 60000,
		"1000", RELOAD),
	U(LB_SECTION, "health_rise", lb.health_rise, 1, 100, "2", RELOAD),
	U(LB_SECTION, "health_fall", lb.health_fall, 1, 100, "3", RELOAD),
	U(LB_SECTION, "passive_fall", lb.passive_fall, 0, 1000, "5", RELOAD),
	U(LB_SECTION, "passive_holddown", lb.passive_holddown, 1, 3600, "10",
		RELOAD),
	/* lb mode only: several nodes behind ECMP (docs/cluster.md). */
	F(CLUSTER_SECTION, "peers", lb.peer, sw_cfg_parse_peers,
		sw_cfg_format_peers, RESTART),
	U(CLUSTER_SECTION, "lookup_rate", lb.lookup_rate, 1, 10000000,
		"1000", RESTART),
	U(CLUSTER_SECTION, "peer_timeout_ms", lb.peer_timeout_ms, 0, 600000,
		"1000", RESTART),
};

/* Keys that may be given on several lines, their lists joined. */
static bool
repeatable(const char *section, const char *key)
{
	if (strcmp(section, LB_SECTION) == 0)
		return strcmp(key, "neighbours") == 0;
	return strncmp(section, SVC_SECTION, strlen(SVC_SECTION)) == 0 &&
		strcmp(key, "backends") == 0;
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
	bool b;

	switch (k->type) {
	case KEY_UINT:
		if (sw_text_dec(text, k->min, k->max, &v) < 0) {
			set_err(err, err_len,
				"[%s] %s = %s: must be a whole number %u..%u (decimal)",
				k->section, k->key, text, k->min, k->max);
			return -EINVAL;
		}
		*(uint32_t *)field = v;
		return 0;
	case KEY_BOOL:
		if (sw_text_bool(text, &b) < 0) {
			set_err(err, err_len, "[%s] %s = %s: must be yes or no",
				k->section, k->key, text);
			return -EINVAL;
		}
		*(uint32_t *)field = b;
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
	case KEY_FUNC:
		return k->parse(cfg, k, text, err, err_len);
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

static bool
known_section(const char *name)
{
	for (unsigned int i = 0; i < RTE_DIM(keys); i++)
		if (strcmp(keys[i].section, name) == 0)
			return true;
	return false;
}

/*
 * A config must be a regular file of at most SW_CONFIG_MAX bytes: a FIFO
 * would block open() or read() forever, a device (/dev/zero) never ends,
 * a directory or /dev/null reads as an empty config (lib/cookie checks
 * the key file alike). Opened without blocking, checked, then read whole
 * into a NUL-terminated buffer the caller frees. Returns 0 or a negative
 * errno with one line in err.
 */
static int
read_config(const char *path, char **out, char *err, size_t err_len)
{
	const char *what = "-c";
	const size_t max = SW_CONFIG_MAX;
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ret = -errno;
		set_err(err, err_len, "%s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, err_len, "%s %s: not a regular file (a %s)", what,
			path, S_ISDIR(st.st_mode) ? "directory" :
			S_ISFIFO(st.st_mode) ? "FIFO" :
			S_ISCHR(st.st_mode) ? "character device" :
			S_ISSOCK(st.st_mode) ? "socket" : "special file");
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		set_err(err, err_len, "%s %s: %jd bytes, more than %zu", what,
			path, (intmax_t)st.st_size, max);
		close(fd);
		return -EFBIG;
	}
	buf = malloc(max + 2);
	if (buf == NULL) {
		close(fd);
		set_err(err, err_len, "%s %s: out of memory", what, path);
		return -ENOMEM;
	}
	/* The size may change under us: read at most max + 1 to know. */
	for (;;) {
		ssize_t r = read(fd, buf + got, max + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			set_err(err, err_len, "%s %s: %s", what, path,
				strerror(errno));
			close(fd);
			free(buf);
			return ret;
		}
		if (r == 0 || (got += (size_t)r) > max)
			break;
	}
	close(fd);
	if (got > max) {
		set_err(err, err_len, "%s %s: more than %zu bytes", what, path,
			max);
		free(buf);
		return -EFBIG;
	}
	buf[got] = '\0';
	if (strlen(buf) != got) {
		set_err(err, err_len, "%s %s: has a NUL byte (not a text file)",
			what, path);
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* The next line of a buffer, without its '\n'; NULL at the end. */
static char *
next_line(char **p)
{
	char *line = *p, *nl;

	if (*line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	return line;
}

/*
 * rte_cfgfile skips lines it does not understand, gives no line number
 * for some errors and cuts long values short, so look at the raw lines
 * first: every line must be blank, a ';' comment, a [section] (nothing
 * after it but a comment) or a key = value whose value fits.
 */
static int
lint_lines(const char *path, char *text, char *err, size_t err_len)
{
	const size_t line_max = CFG_NAME_LEN + CFG_VALUE_LEN + 2;
	bool in_section = false;
	unsigned int lineno = 0;
	char *line;

	while ((line = next_line(&text)) != NULL) {
		char *p = line;

		lineno++;
		if (strlen(line) > line_max) {
			set_err(err, err_len, "%s:%u: line too long (over %zu characters)",
				path, lineno, line_max);
			return -EINVAL;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == ';')
			continue;
		/* rte_cfgfile keeps "\;" and what follows in the value: no
		 * value of synwall's has a ';', so refuse it outright. */
		if (strstr(p, "\\;") != NULL) {
			set_err(err, err_len,
				"%s:%u: \"\\;\": no value may contain ';' (it starts a comment)",
				path, lineno);
			return -EINVAL;
		}
		if (*p == '#') {
			set_err(err, err_len,
				"%s:%u: comments start with ';', not '#'",
				path, lineno);
			return -EINVAL;
		} else if (*p == '[') {
			const char *close = strchr(p, ']');

			if (close == NULL) {
				set_err(err, err_len,
					"%s:%u: section header has no ']'",
					path, lineno);
				return -EINVAL;
			}
			close++;
			while (isspace((unsigned char)*close))
				close++;
			if (*close != '\0' && *close != ';') {
				set_err(err, err_len,
					"%s:%u: text after the section header: \"%s\"",
					path, lineno, close);
				return -EINVAL;
			}
			in_section = true;
		} else if (strchr(p, '=') == NULL) {
			set_err(err, err_len,
				"%s:%u: expected [section] or key = value",
				path, lineno);
			return -EINVAL;
		} else if (!in_section) {
			set_err(err, err_len,
				"%s:%u: key outside of any [section]", path,
				lineno);
			return -EINVAL;
		} else {
			const char *v = strchr(p, '=') + 1;
			size_t vlen;

			while (isspace((unsigned char)*v))
				v++;
			vlen = strcspn(v, ";");
			while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
				vlen--;
			if (vlen == 0) {
				set_err(err, err_len,
					"%s:%u: %.*s has no value", path,
					lineno, (int)strcspn(p, " \t="), p);
				return -EINVAL;
			} else if (vlen >= CFG_VALUE_LEN) {
				/* rte_cfgfile would cut it short silently */
				set_err(err, err_len,
					"%s:%u: %.*s: value longer than %d characters (a backends or neighbours list may go on over several lines of the same key)",
					path, lineno, (int)strcspn(p, " \t="),
					p, CFG_VALUE_LEN - 1);
				return -EINVAL;
			}
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
			if (strcmp(e[i].name, e[j].name) == 0 &&
					!repeatable(section, e[i].name)) {
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
			ret = sw_cfg_load_service(cfg, section, e, n, err,
				err_len);
			continue;
		}
		if ((strcmp(section, LB_SECTION) == 0 ||
				strcmp(section, CLUSTER_SECTION) == 0) &&
				cfg->mode != SW_MODE_LB) {
			set_err(err, err_len,
				"[%s]: only with [synwall] mode = lb", section);
			ret = -EINVAL;
			break;
		}
		if (!known_section(section)) {
			set_err(err, err_len,
				"[%s]: unknown section (known: synwall, ports, worker, flow, syncookie, lb, cluster, service:NAME)",
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
check_whole(struct sw_config *cfg, char *err, size_t err_len)
{
	if (strcmp(cfg->port_name[SW_OUTSIDE], cfg->port_name[SW_INSIDE]) == 0) {
		set_err(err, err_len,
			"[ports] inside = %s: same port as outside",
			cfg->port_name[SW_INSIDE]);
		return -EINVAL;
	}
	if (cfg->mbufs < sw_config_mbufs_needed(cfg)) {
		set_err(err, err_len,
			"[worker] mbufs = %u: too few for 2 ports x (%u rx + %u tx descriptors) and bursts; need at least %u",
			cfg->mbufs, cfg->rx_desc, cfg->tx_desc,
			sw_config_mbufs_needed(cfg));
		return -EINVAL;
	}
	if ((uint64_t)cfg->flows + cfg->flows6 > SW_TW_MAX_TIMERS) {
		set_err(err, err_len,
			"[worker] flows + flows6 = %" PRIu64 ": at most %u in all",
			(uint64_t)cfg->flows + cfg->flows6, SW_TW_MAX_TIMERS);
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
	if (cfg->mode == SW_MODE_LB) {
		int ret = sw_cfg_check_lb(cfg, err, err_len);

		if (ret != 0)
			return ret;
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
	const char *text;
	bool bridge_asked;
	char *raw;
	int ret;

	sw_config_defaults(cfg);
	ret = read_config(path, &raw, err, err_len);
	if (ret != 0)
		return ret;
	ret = lint_lines(path, raw, err, err_len);
	free(raw);
	if (ret != 0)
		return ret;
	f = rte_cfgfile_load(path, 0);
	if (f == NULL) {
		set_err(err, err_len,
			"%s: cannot be parsed (an empty value or a bad line?)",
			path);
		return -EINVAL;
	}
	/* Sections depend on the mode ([lb], backends, prefix): read it first. */
	text = rte_cfgfile_get_entry(f, "synwall", "mode");
	ret = text == NULL ? 0 :
		apply_key(cfg, find_key("synwall", "mode"), text, err, err_len);
	if (ret == 0)
		ret = load_sections(f, cfg, err, err_len);
	/* lb mode routes and bridges nothing: the default becomes drop */
	if (ret == 0 && cfg->mode == SW_MODE_LB) {
		if (!rte_cfgfile_has_entry(f, "synwall", "unprotected")) {
			cfg->unprotected = SW_UNPROTECTED_DROP;
		} else if (cfg->unprotected == SW_UNPROTECTED_PASS) {
			set_err(err, err_len,
				"[synwall] unprotected = pass: not in mode = lb, which bridges nothing (leave it out or say drop)");
			ret = -EINVAL;
		}
	}
	bridge_asked = rte_cfgfile_has_entry(f, "synwall", "unprotected");
	rte_cfgfile_close(f);
	if (ret == 0)
		ret = check_whole(cfg, err, err_len);
	/* An empty file (or one of defaults only) would run a plain bridge
	 * that protects nothing: only when asked for in so many words. */
	if (ret == 0 && cfg->svc.n_svc == 0 && !bridge_asked) {
		set_err(err, err_len,
			"%s: no [service:NAME]: synwall would protect nothing (add a service, or say [synwall] unprotected = pass to run as a plain bridge)",
			path);
		ret = -EINVAL;
	}
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
	case KEY_FUNC:
		k->format(cfg, k, buf, len);
		break;
	}
}

void
sw_config_visit(const struct sw_config *cfg, sw_config_visit_fn fn,
		void *arg)
{
	bool lb = cfg->mode == SW_MODE_LB;
	char value[VALUE_MAX];

	for (unsigned int i = 0; i < RTE_DIM(keys); i++) {
		if (!lb && (strcmp(keys[i].section, LB_SECTION) == 0 ||
				strcmp(keys[i].section, CLUSTER_SECTION) == 0))
			continue;
		key_value(cfg, &keys[i], value, sizeof(value));
		fn(keys[i].section, keys[i].key, value, arg);
	}
	sw_cfg_visit_services(cfg, fn, arg);
}

int
sw_config_reload_check(const struct sw_config *old,
		const struct sw_config *new_cfg, char *err, size_t err_len)
{
	char *was, *now;
	int ret = 0;

	/* two [lb] neighbours lists can be long: not on the stack */
	was = malloc(2 * VALUE_MAX);
	if (was == NULL) {
		set_err(err, err_len, "reload: out of memory");
		return -ENOMEM;
	}
	now = was + VALUE_MAX;
	/* The table compares by effective value as /synwall/config shows
	 * it; services (prefix, ports, options, backends) are not in it. */
	for (unsigned int i = 0; i < RTE_DIM(keys) && ret == 0; i++) {
		if (keys[i].reloadable)
			continue;
		key_value(old, &keys[i], was, VALUE_MAX);
		key_value(new_cfg, &keys[i], now, VALUE_MAX);
		if (strcmp(was, now) != 0) {
			set_err(err, err_len, "[%s] %s: %s -> %s needs a restart",
				keys[i].section, keys[i].key,
				was[0] != '\0' ? was : "(none)",
				now[0] != '\0' ? now : "(none)");
			ret = -EINVAL;
		}
	}
	free(was);
	return ret;
}

const char *
sw_side_name(enum sw_side side)
{
	return side == SW_OUTSIDE ? "outside" : "inside";
}
