/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands under /synwall/, readable with the stock
 * dpdk-telemetry.py (echo /synwall/stats | dpdk-telemetry.py -f PREFIX).
 *
 * 22.11 telemetry nests one level: the reply is a dict whose values are
 * numbers or dicts of numbers.
 */
#include <errno.h>
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

/* rte_telemetry callbacks take no user argument. */
static struct sw_app *tel_app;

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
	int ret = 0;

	if (params != NULL && *params != '\0') {
		char *end;
		unsigned long id = strtoul(params, &end, 10);

		if (*end != '\0' || id >= app->n_workers)
			return -EINVAL;
		c = app->workers[id].e.c;
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
	if (ret == 0 && app->cfg.mode == SW_MODE_LB)
		ret = add_child(d, "lb", lb_dict(&c.lb));
	rte_tel_data_add_dict_u64(d, "protected_pkts", c.protected_pkts);
	rte_tel_data_add_dict_u64(d, "busy_cycles", c.busy_cycles);
	rte_tel_data_add_dict_u64(d, "loops", c.loops);
	return ret;
}

struct visit_ctx {
	struct rte_tel_data *d;
	struct rte_tel_data *section;
	char section_name[64];
};

static void
flush_section(struct visit_ctx *v)
{
	if (v->section != NULL)
		add_child(v->d, v->section_name, v->section);
	v->section = NULL;
}

/*
 * A value longer than a telemetry string (127 characters: a backend
 * list) is split at its ", " separators over KEY, KEY_2, KEY_3, ...
 */
static void
add_long_string(struct rte_tel_data *d, const char *key, const char *value)
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
		rte_tel_data_add_dict_string(d, name, part);
		value += cut;
		if (strncmp(value, ", ", 2) == 0)
			value += 2;
		n++;
	}
	if (n == 1)
		snprintf(name, sizeof(name), "%s", key);
	else
		snprintf(name, sizeof(name), "%s_%u", key, n);
	rte_tel_data_add_dict_string(d, name, value);
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
	if (v->section == NULL || strcmp(name, v->section_name) != 0) {
		flush_section(v);
		v->section = rte_tel_data_alloc();
		if (v->section == NULL)
			return;
		rte_tel_data_start_dict(v->section);
		snprintf(v->section_name, sizeof(v->section_name), "%s", name);
	}
	add_long_string(v->section, key, value);
}

/* /synwall/config: every key's effective value, by section. */
static int
tel_config(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct visit_ctx v = { .d = d };

	rte_tel_data_start_dict(d);
	sw_config_visit(&tel_app->cfg, visit_key, &v);
	flush_section(&v);
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

/*
 * /synwall/backends: one dict per backend, "SERVICE_ADDR_PORT" (port 0:
 * the VIP port is kept; telemetry names allow letters, digits, '_' and
 * '/', so the address's '.' and ':' are written '_'), read
 * without stopping anyone: each number is recent, not a snapshot.
 */
static int
tel_backends(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	const struct sw_app *app = tel_app;
	const uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();

	rte_tel_data_start_dict(d);
	if (app->lb == NULL || app->cfg.mode != SW_MODE_LB)
		return 0;
	for (unsigned int i = 0; i < SW_LB_SLOTS; i++) {
		const struct sw_lb_slot *s = &app->lb->slot[i];
		const struct sw_lb_health *h = &app->lb->h[i];
		struct sw_lb_bcount t;
		struct rte_tel_data *b;
		char a[INET6_ADDRSTRLEN], name[RTE_TEL_MAX_STRING_LEN];

		if (s->family == 0)
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
		rte_tel_data_add_dict_u64(b, "up", h->up);
		rte_tel_data_add_dict_u64(b, "in_config", h->in_cfg);
		rte_tel_data_add_dict_u64(b, "weight", h->weight);
		rte_tel_data_add_dict_u64(b, "state_seconds",
			h->since_tsc == 0 ? (now - app->start_tsc) / hz :
			(now - h->since_tsc) / hz);
		rte_tel_data_add_dict_u64(b, "transitions", h->transitions);
		rte_tel_data_add_dict_u64(b, "checks_ok", h->checks_ok);
		rte_tel_data_add_dict_u64(b, "checks_fail", h->checks_fail);
		rte_tel_data_add_dict_u64(b, "active", t.active);
		rte_tel_data_add_dict_u64(b, "created", t.created);
		rte_tel_data_add_dict_u64(b, "established", t.established);
		rte_tel_data_add_dict_u64(b, "syn_timeout", t.syn_timeout);
		rte_tel_data_add_dict_u64(b, "rst", t.rst);
		rte_tel_data_add_dict_u64(b, "to_pkts", t.to_pkts);
		rte_tel_data_add_dict_u64(b, "to_bytes", t.to_bytes);
		rte_tel_data_add_dict_u64(b, "from_pkts", t.from_pkts);
		rte_tel_data_add_dict_u64(b, "from_bytes", t.from_bytes);
		if (add_child(d, name, b) != 0)
			return -ENOMEM;
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

int
sw_telemetry_register(struct sw_app *app)
{
	int ret;

	tel_app = app;
	ret = rte_telemetry_register_cmd("/synwall/stats", tel_stats,
		"Counters, summed over workers. Parameter: worker id for one worker's.");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/config", tel_config,
			"Effective configuration, every key. No parameters.");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/ports", tel_ports,
			"Ports: name, driver, link, offloads, RSS. No parameters.");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/backends",
			tel_backends,
			"lb mode: each backend's state, weight, flows, health checks. No parameters.");
	if (ret == 0)
		ret = rte_telemetry_register_cmd("/synwall/reload", tel_reload,
			"Re-read the config file and apply it (as SIGHUP). No parameters.");
	if (ret != 0)
		SW_LOG(WARNING, stats, "telemetry commands not registered: %s",
			rte_strerror(-ret));
	return ret;
}
