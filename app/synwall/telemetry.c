/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands under /synwall/, readable with the stock
 * dpdk-telemetry.py (echo /synwall/stats | dpdk-telemetry.py -f PREFIX).
 *
 * 22.11 telemetry nests one level: the reply is a dict whose values are
 * numbers or dicts of numbers.
 *
 * Its limits, which it enforces silently: a reply is at most 16 KB of
 * JSON (MAX_OUTPUT_LEN in lib/telemetry, not exported: the hello says
 * "max_output_len"), and whatever does not fit is left out without a
 * word; a dict holds at most RTE_TEL_MAX_DICT_ENTRIES; names are
 * [A-Za-z0-9_/]. /synwall/stats has a fixed size (about 2 KB, 50
 * entries in its largest dict, "drop"). The replies that grow with the
 * config, /synwall/backends and /synwall/config, count the JSON they
 * add and stop before either limit, saying so in the reply ("next",
 * "truncated"); their parameters fetch the rest.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "sw_app.h"
#include "sw_log.h"
#include "sw_parse.h"

/*
 * rte_telemetry callbacks take no user argument. DPDK 22.11 cannot
 * unregister a command, and answers on threads of its own until the
 * process ends: tel_lock keeps the app alive while a callback reads it,
 * and sw_telemetry_unregister (before the app is freed) makes every
 * later call fail instead of reading freed memory. tel_closing cuts a
 * reload's wait short so that the unregister does not wait for it.
 */
static struct sw_app *tel_app;
static pthread_rwlock_t tel_lock = PTHREAD_RWLOCK_INITIALIZER;
static bool tel_closing;

#define TEL_REPLY_MAX	16384	/* lib/telemetry's MAX_OUTPUT_LEN in 22.11 */
/* Room left for {"/synwall/backends":...}, "next" / "truncated", '}'. */
#define TEL_BUDGET	(TEL_REPLY_MAX - 256)

/* JSON bytes of "name":N, (the comma counted for every entry). */
static size_t
json_u64_len(const char *name, uint64_t v)
{
	size_t n = strlen(name) + 4;

	do
		n++;
	while ((v /= 10) != 0);
	return n;
}

/* JSON bytes of "name":"value", with telemetry's escapes. */
static size_t
json_str_len(const char *name, const char *v)
{
	size_t n = strlen(name) + 6;

	for (; *v != '\0'; v++)
		n += (*v == '"' || *v == '\\' || *v == '\n' || *v == '\r' ||
			*v == '\t') ? 2 : 1;
	return n;
}

/* JSON bytes of "name":{...}, around a dict's entries. */
static size_t
json_dict_len(const char *name)
{
	return strlen(name) + 6;
}

/* rte_tel_data_add_dict_u64 that also counts the bytes in *len. */
static void
dict_u64(struct rte_tel_data *d, size_t *len, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
	*len += json_u64_len(name, v);
}

static void
dict_str(struct rte_tel_data *d, size_t *len, const char *name,
		const char *v)
{
	rte_tel_data_add_dict_string(d, name, v);
	*len += json_str_len(name, v);
}

static struct rte_tel_data *
port_dict(const struct sw_port_counters *c)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
#define F(name) rte_tel_data_add_dict_u64(d, #name, c->name);
	SW_PORT_COUNTERS(F)
#undef F
	return d;
}

static struct rte_tel_data *
drop_dict(const struct sw_counters *c)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 1; i < SW_PARSE_ERR_MAX; i++)
		rte_tel_data_add_dict_u64(d, sw_parse_err_name(i),
			c->malformed[i]);
	for (unsigned int i = 0; i < SW_DROP_MAX; i++)
		rte_tel_data_add_dict_u64(d, sw_drop_name(i), c->drop[i]);
	return d;
}

static struct rte_tel_data *
syncookie_dict(const struct sw_syncookie_counters *c)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
#define F(name) rte_tel_data_add_dict_u64(d, #name, c->name);
	SW_SYNCOOKIE_COUNTERS(F)
#undef F
	return d;
}

static struct rte_tel_data *
flow_dict(const struct sw_flow_counters *c)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
#define F(name) rte_tel_data_add_dict_u64(d, #name, c->name);
	SW_FLOW_COUNTERS(F)
#undef F
	return d;
}

static struct rte_tel_data *
lb_dict(const struct sw_lb_counters *c)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
#define F(name) rte_tel_data_add_dict_u64(d, #name, c->name);
	SW_LB_COUNTERS(F)
#undef F
	return d;
}

static struct rte_tel_data *
cluster_dict(const struct sw_cluster_counters *c)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
#define F(name) rte_tel_data_add_dict_u64(d, #name, c->name);
	SW_CLUSTER_COUNTERS(F)
#undef F
	return d;
}

/*
 * "flow_table": entries in use and capacity of the IPv4 and IPv6 flow
 * tables of workers [first, first + n), which "flow.active" adds up:
 * what a "table near full" alert needs, per family. Each worker writes
 * its own n_free; this reads it as it is (recent, not a snapshot).
 */
static struct rte_tel_data *
table_dict(const struct sw_app *app, unsigned int first, unsigned int n)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	uint64_t used4 = 0, cap4 = 0, used6 = 0, cap6 = 0;

	if (d == NULL)
		return NULL;
	for (unsigned int i = first; i < first + n; i++) {
		const struct sw_ft *t4 = &app->workers[i].e.ft4;
		const struct sw_ft *t6 = &app->workers[i].e.ft6;

		cap4 += t4->capacity;
		used4 += t4->capacity -
			__atomic_load_n(&t4->n_free, __ATOMIC_RELAXED);
		cap6 += t6->capacity;
		used6 += t6->capacity -
			__atomic_load_n(&t6->n_free, __ATOMIC_RELAXED);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ipv4_entries", used4);
	rte_tel_data_add_dict_u64(d, "ipv4_capacity", cap4);
	rte_tel_data_add_dict_u64(d, "ipv6_entries", used6);
	rte_tel_data_add_dict_u64(d, "ipv6_capacity", cap6);
	return d;
}

static int
add_child(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
	if (c == NULL)
		return -ENOMEM;
	if (rte_tel_data_add_dict_container(d, name, c, 0) != 0) {
		rte_tel_data_free(c);
		return -EINVAL;
	}
	return 0;
}

/* /synwall/stats[,WORKER]: totals, or one worker's counters. */
static int
tel_stats(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	const struct sw_app *app = tel_app;
	struct sw_counters c;
	unsigned int first = 0, n = app->n_workers;
	int ret = 0;

	if (params != NULL && *params != '\0') {
		char *end;
		unsigned long id = strtoul(params, &end, 10);

		if (*end != '\0' || id >= app->n_workers)
			return -EINVAL;
		c = app->workers[id].e.c;
		first = id;
		n = 1;
	} else {
		sw_counters_sum(app->workers, app->n_workers, &c);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "workers", app->n_workers);
	for (unsigned int s = 0; s < SW_SIDES && ret == 0; s++)
		ret = add_child(d, sw_side_name(s), port_dict(&c.port[s]));
	if (ret == 0)
		ret = add_child(d, "drop", drop_dict(&c));
	if (ret == 0)
		ret = add_child(d, "syncookie", syncookie_dict(&c.sc));
	if (ret == 0)
		ret = add_child(d, "flow", flow_dict(&c.flow));
	if (ret == 0)
		ret = add_child(d, "flow_table", table_dict(app, first, n));
	if (ret == 0 && app->cfg.mode == SW_MODE_LB)
		ret = add_child(d, "lb", lb_dict(&c.lb));
	if (ret == 0 && app->cfg.mode == SW_MODE_LB)
		ret = add_child(d, "cluster", cluster_dict(&c.cluster));
	rte_tel_data_add_dict_u64(d, "protected_pkts", c.protected_pkts);
	rte_tel_data_add_dict_u64(d, "busy_cycles", c.busy_cycles);
	rte_tel_data_add_dict_u64(d, "loops", c.loops);
	rte_tel_data_add_dict_u64(d, "idle_sleeps", c.idle_sleeps);
	rte_tel_data_add_dict_u64(d, "idle_intr_waits", c.idle_intr_waits);
	rte_tel_data_add_dict_u64(d, "idle_intr_wakes", c.idle_intr_wakes);
	return ret;
}

struct visit_ctx {
	struct rte_tel_data *d;
	struct rte_tel_data *section;
	char section_name[64];
	const char *only;	/* the one section asked for, or NULL: all */
	size_t used;		/* JSON bytes of the reply so far */
	unsigned int n_sections;	/* entries in d */
	unsigned int n_keys;	/* entries in section */
	bool found;		/* the section asked for exists */
	bool truncated;		/* something was left out to fit */
};

static void
flush_section(struct visit_ctx *v)
{
	if (v->section != NULL && add_child(v->d, v->section_name,
			v->section) == 0)
		v->n_sections++;
	v->section = NULL;
}

/* Add one string if it fits in the reply; else say the reply is cut. */
static void
add_key(struct visit_ctx *v, const char *name, const char *value)
{
	size_t len = json_str_len(name, value);

	if (v->truncated || v->used + len > TEL_BUDGET ||
			v->n_keys + 1 >= RTE_TEL_MAX_DICT_ENTRIES) {
		v->truncated = true;
		return;
	}
	rte_tel_data_add_dict_string(v->section, name, value);
	v->used += len;
	v->n_keys++;
}

/*
 * A value longer than a telemetry string (127 characters: a backend
 * list) is split at its ", " separators over KEY, KEY_2, KEY_3, ...
 */
static void
add_long_string(struct visit_ctx *v, const char *key, const char *value)
{
	char part[RTE_TEL_MAX_STRING_LEN], name[RTE_TEL_MAX_STRING_LEN];
	unsigned int n = 1;

	while (strlen(value) >= sizeof(part)) {
		size_t cut = sizeof(part) - 1;

		while (cut > 0 && strncmp(value + cut, ", ", 2) != 0)
			cut--;
		if (cut == 0)
			cut = sizeof(part) - 1;	/* no separator: plain cut */
		memcpy(part, value, cut);
		part[cut] = '\0';
		if (n == 1)
			snprintf(name, sizeof(name), "%s", key);
		else
			snprintf(name, sizeof(name), "%s_%u", key, n);
		add_key(v, name, part);
		value += cut;
		if (strncmp(value, ", ", 2) == 0)
			value += 2;
		n++;
	}
	if (n == 1)
		snprintf(name, sizeof(name), "%s", key);
	else
		snprintf(name, sizeof(name), "%s_%u", key, n);
	add_key(v, name, value);
}

static void
visit_key(const char *section, const char *key, const char *value, void *arg)
{
	struct visit_ctx *v = arg;

	char name[sizeof(v->section_name)];

	/* Telemetry names allow no ':': [service:web] is "service_web". */
	snprintf(name, sizeof(name), "%s", section);
	for (char *c = name; *c != '\0'; c++)
		if (*c == ':')
			*c = '_';
	if (v->only != NULL && strcmp(name, v->only) != 0)
		return;
	v->found = true;
	if (v->truncated)
		return;
	if (v->section == NULL || strcmp(name, v->section_name) != 0) {
		flush_section(v);
		if (v->used + json_dict_len(name) > TEL_BUDGET ||
				v->n_sections + 1 >= RTE_TEL_MAX_DICT_ENTRIES) {
			v->truncated = true;
			return;
		}
		v->section = rte_tel_data_alloc();
		if (v->section == NULL)
			return;
		rte_tel_data_start_dict(v->section);
		snprintf(v->section_name, sizeof(v->section_name), "%s", name);
		v->used += json_dict_len(name);
		v->n_keys = 0;
	}
	add_long_string(v, key, value);
}

/*
 * /synwall/config[,SECTION]: every key's effective value, by section, or
 * one section's ("worker", "service_web"). A reply that would pass
 * telemetry's limits (an lb config with many backends) stops at a
 * whole key and ends with "truncated": 1; ask for its sections one by
 * one.
 */
static int
tel_config(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct visit_ctx v = { .d = d };

	if (params != NULL && *params != '\0')
		v.only = params;
	rte_tel_data_start_dict(d);
	sw_config_visit(&tel_app->cfg, visit_key, &v);
	flush_section(&v);
	if (v.only != NULL && !v.found)
		return -EINVAL;
	if (v.truncated)
		rte_tel_data_add_dict_u64(d, "truncated", 1);
	return 0;
}

/* /synwall/ports: what each side's port is and what it has enabled. */
static int
tel_ports(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	const struct sw_app *app = tel_app;

	rte_tel_data_start_dict(d);
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		const struct sw_port_info *pi = &app->port_info[s];
		struct rte_tel_data *p = rte_tel_data_alloc();
		char str[64];

		if (p == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_u64(p, "port_id", app->port_id[s]);
		rte_tel_data_add_dict_string(p, "name", pi->name);
		rte_tel_data_add_dict_string(p, "driver", pi->driver);
		/* Asked now, not the last poll: the truth at this moment. */
		rte_tel_data_add_dict_string(p, "link",
			sw_port_link_state(app->port_id[s], pi->kiface, str,
			sizeof(str)) ? "up" : "down");
		rte_tel_data_add_dict_string(p, "link_detail", str);
		rte_tel_data_add_dict_string(p, "kernel_interface", pi->kiface);
		rte_tel_data_add_dict_u64(p, "link_interrupts", pi->lsc);
		rte_tel_data_add_dict_u64(p, "rx_offloads", pi->rx_offloads);
		rte_tel_data_add_dict_u64(p, "tx_offloads", pi->tx_offloads);
		rte_tel_data_add_dict_u64(p, "rss_hf", pi->rss_hf);
		rte_tel_data_add_dict_u64(p, "rx_desc", pi->rx_desc);
		rte_tel_data_add_dict_u64(p, "tx_desc", pi->tx_desc);
		rte_tel_data_add_dict_u64(p, "promiscuous", pi->promiscuous);
		if (add_child(d, sw_side_name(s), p) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* A service of the config, or one a reload removed that still drains. */
static bool
service_known(const struct sw_app *app, const char *name)
{
	for (unsigned int i = 0; i < app->cfg.svc.n_svc; i++)
		if (strcmp(app->cfg.svc.svc[i].name, name) == 0)
			return true;
	for (unsigned int i = 0; i < SW_LB_SLOTS; i++)
		if (app->lb->slot[i].family != 0 &&
				strcmp(app->lb->h[i].svc_name, name) == 0)
			return true;
	return false;
}

/*
 * /synwall/backends[,SERVICE[,FROM]]: one dict per backend, named
 * "SERVICE_ADDR_PORT" (telemetry names allow letters, digits, '_' and
 * '/', so the address's '.' and ':' are written '_'), which also says
 * "service", "addr" and "port" (0: the VIP's port is kept) as they are;
 * SERVICE ('*' or nothing: all) keeps one service's (an unknown one is
 * an error: null). Read without
 * stopping anyone: each number is recent, not a snapshot. A reply
 * holds the backends that fit in telemetry's 16 KB (about 40); when
 * some are left, it ends with "next": SLOT, and
 * /synwall/backends,SERVICE,SLOT (or *,SLOT) goes on from there.
 */
static int
tel_backends(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	const struct sw_app *app = tel_app;
	const uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	char svc[SW_SVC_NAME_LEN + 1] = "";
	unsigned long from = 0;
	unsigned int n = 0;
	size_t used = 0;

	if (params != NULL && *params != '\0') {
		const char *comma = strchr(params, ',');
		size_t len = comma != NULL ? (size_t)(comma - params) :
			strlen(params);
		char *end;

		if (len >= sizeof(svc))
			return -EINVAL;
		memcpy(svc, params, len);
		svc[len] = '\0';
		if (strcmp(svc, "*") == 0)
			svc[0] = '\0';
		if (comma != NULL) {
			from = strtoul(comma + 1, &end, 10);
			if (comma[1] == '\0' || *end != '\0' ||
					from > SW_LB_SLOTS)
				return -EINVAL;
		}
	}
	rte_tel_data_start_dict(d);
	if (app->lb == NULL || app->cfg.mode != SW_MODE_LB)
		return 0;
	if (svc[0] != '\0' && !service_known(app, svc))
		return -EINVAL;
	for (unsigned int i = from; i < SW_LB_SLOTS; i++) {
		const struct sw_lb_slot *s = &app->lb->slot[i];
		const struct sw_lb_health *h = &app->lb->h[i];
		struct sw_lb_bcount t;
		struct rte_tel_data *b;
		char a[INET6_ADDRSTRLEN], name[RTE_TEL_MAX_STRING_LEN];
		size_t len = 0;

		if (s->family == 0)
			continue;
		if (svc[0] != '\0' && strcmp(svc, h->svc_name) != 0)
			continue;
		inet_ntop(s->family, s->addr, a, sizeof(a));
		snprintf(name, sizeof(name), "%s_%s_%u", h->svc_name, a,
			rte_be_to_cpu_16(s->port_be));
		for (char *c = name; *c != '\0'; c++)
			if (*c == ':' || *c == '.')
				*c = '_';
		b = rte_tel_data_alloc();
		if (b == NULL)
			return -ENOMEM;
		sw_lb_backend_counters(app, i, &t);
		rte_tel_data_start_dict(b);
		dict_str(b, &len, "service", h->svc_name);
		dict_str(b, &len, "addr", a);
		dict_u64(b, &len, "port", rte_be_to_cpu_16(s->port_be));
		dict_u64(b, &len, "up", h->up);
		dict_u64(b, &len, "in_config", h->in_cfg);
		dict_u64(b, &len, "weight", h->weight);
		dict_u64(b, &len, "state_seconds",
			h->since_tsc == 0 ? (now - app->start_tsc) / hz :
			(now - h->since_tsc) / hz);
		dict_u64(b, &len, "transitions", h->transitions);
		dict_u64(b, &len, "checks_ok", h->checks_ok);
		dict_u64(b, &len, "checks_fail", h->checks_fail);
		dict_u64(b, &len, "active", t.active);
		dict_u64(b, &len, "created", t.created);
		dict_u64(b, &len, "established", t.established);
		dict_u64(b, &len, "syn_timeout", t.syn_timeout);
		dict_u64(b, &len, "rst", t.rst);
		dict_u64(b, &len, "to_pkts", t.to_pkts);
		dict_u64(b, &len, "to_bytes", t.to_bytes);
		dict_u64(b, &len, "from_pkts", t.from_pkts);
		dict_u64(b, &len, "from_bytes", t.from_bytes);
		len += json_dict_len(name);
		/* One entry and its bytes kept for "next". */
		if (used + len > TEL_BUDGET ||
				n + 1 >= RTE_TEL_MAX_DICT_ENTRIES) {
			rte_tel_data_free(b);
			rte_tel_data_add_dict_u64(d, "next", i);
			return 0;
		}
		if (add_child(d, name, b) != 0)
			return -ENOMEM;
		used += len;
		n++;
	}
	return 0;
}

/*
 * /synwall/reload: what SIGHUP does, with the answer. The main lcore
 * does the work (it owns the tables); this thread waits for it.
 */
static int
tel_reload(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct sw_app *app = tel_app;
	int expected = 0;

	if (!__atomic_compare_exchange_n(&app->reload_req, &expected, 1, false,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -EBUSY;
	/* The main lcore looks every 100 ms; a reload takes milliseconds. */
	for (int i = 0; i < 1000 &&
			!__atomic_load_n(&tel_closing, __ATOMIC_ACQUIRE) &&
			__atomic_load_n(&app->reload_req, __ATOMIC_ACQUIRE); i++)
		usleep(10 * 1000);
	rte_tel_data_start_dict(d);
	if (__atomic_load_n(&app->reload_req, __ATOMIC_ACQUIRE)) {
		rte_tel_data_add_dict_u64(d, "ok", 0);
		rte_tel_data_add_dict_string(d, "error",
			"no answer from the main lcore within 10 s");
		return 0;
	}
	rte_tel_data_add_dict_u64(d, "ok", app->reload_ret == 0);
	if (app->reload_ret != 0)
		rte_tel_data_add_dict_string(d, "error", app->reload_err);
	return 0;
}

typedef int (*tel_cb)(const char *cmd, const char *params,
		struct rte_tel_data *d);

static int
tel_guarded(tel_cb cb, const char *cmd, const char *params,
		struct rte_tel_data *d)
{
	int ret = -ENODEV;

	pthread_rwlock_rdlock(&tel_lock);
	if (tel_app != NULL)
		ret = cb(cmd, params, d);
	pthread_rwlock_unlock(&tel_lock);
	return ret;
}

#define TEL_GUARD(name) \
static int \
name##_guarded(const char *cmd, const char *params, struct rte_tel_data *d) \
{ \
	return tel_guarded(name, cmd, params, d); \
}
TEL_GUARD(tel_stats)
TEL_GUARD(tel_config)
TEL_GUARD(tel_ports)
TEL_GUARD(tel_backends)
TEL_GUARD(tel_reload)
#undef TEL_GUARD

void
sw_telemetry_unregister(void)
{
	__atomic_store_n(&tel_closing, true, __ATOMIC_RELEASE);
	pthread_rwlock_wrlock(&tel_lock);
	tel_app = NULL;
	pthread_rwlock_unlock(&tel_lock);
}

int
sw_telemetry_register(struct sw_app *app)
{
	int ret;

	pthread_rwlock_wrlock(&tel_lock);
	tel_app = app;
	pthread_rwlock_unlock(&tel_lock);
	ret = rte_telemetry_register_cmd("/synwall/stats", tel_stats_guarded,
		"Counters, summed over workers. Parameter: worker id for one worker's.");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/config", tel_config_guarded,
			"Effective configuration, every key. Parameter: one section (worker, service_NAME).");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/ports", tel_ports_guarded,
			"Ports: name, driver, link, offloads, RSS. No parameters.");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/backends",
			tel_backends_guarded,
			"lb mode: each backend's state, weight, flows, checks. Parameters: SERVICE or *, then a reply's \"next\".");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/reload", tel_reload_guarded,
			"Re-read the config file and apply it (as SIGHUP). No parameters.");
	if (ret != 0)
		SW_LOG(WARNING, stats, "telemetry commands not registered: %s",
			rte_strerror(-ret));
	return ret;
}
