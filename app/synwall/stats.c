/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "sw_app.h"
#include "sw_parse.h"

static uint64_t
total_malformed(const struct sw_counters *c)
{
	uint64_t n = 0;

	for (unsigned int i = 1; i < SW_PARSE_ERR_MAX; i++)
		n += c->malformed[i];
	return n;
}

static uint64_t
total_drops(const struct sw_counters *c)
{
	uint64_t n = total_malformed(c);

	for (unsigned int i = 0; i < SW_DROP_MAX; i++)
		n += c->drop[i];
	return n;
}

void
sw_stats_line(const struct sw_app *app, struct sw_counters *prev,
		uint64_t *prev_tsc, char *buf, size_t len)
{
	struct sw_counters now;
	uint64_t tsc = rte_rdtsc();
	double dt = (double)(tsc - *prev_tsc) / (double)rte_get_tsc_hz();
	size_t used = 0;

	sw_counters_sum(app->workers, app->n_workers, &now);
	if (dt <= 0)
		dt = 1;
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		const struct sw_port_counters *c = &now.port[s];
		const struct sw_port_counters *p = &prev->port[s];

		used += (size_t)snprintf(buf + used, len - used,
			"%s rx %" PRIu64 " (%.0f pps) tx %" PRIu64 " (%.0f pps) | ",
			sw_side_name(s), c->rx_pkts,
			(double)(c->rx_pkts - p->rx_pkts) / dt, c->tx_pkts,
			(double)(c->tx_pkts - p->tx_pkts) / dt);
		if (used >= len)
			return;
	}
	snprintf(buf + used, len - used,
		"syn %" PRIu64 " synack %" PRIu64 " (%.0f/s) cookie ok %" PRIu64
		" bad %" PRIu64 " expired %" PRIu64 " | flows %" PRIu64
		" (created %" PRIu64 ", established %" PRIu64 ") | drops %" PRIu64
		" (malformed %" PRIu64 ", unprotected %" PRIu64 ", tx_full %"
		PRIu64 ")",
		now.sc.syn_rx, now.sc.synack_tx,
		(double)(now.sc.synack_tx - prev->sc.synack_tx) / dt,
		now.sc.cookie_ok, now.sc.cookie_bad, now.sc.cookie_expired,
		now.flow.active, now.flow.created, now.flow.established,
		total_drops(&now), total_malformed(&now),
		now.drop[SW_DROP_UNPROTECTED], now.drop[SW_DROP_TX_FULL]);
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		used = strlen(buf);
		if (app->link_known && !app->link_up[s] && used < len)
			snprintf(buf + used, len - used, " | %s link DOWN (%s)",
				sw_side_name(s), app->link_why[s]);
	}
	*prev = now;
	*prev_tsc = tsc;
}

static void
print_counter(const char *name, uint64_t v)
{
	printf("  %-28s %" PRIu64 "\n", name, v);
}

void
sw_stats_print_final(const struct sw_app *app)
{
	struct sw_counters t;
	char name[64];

	sw_counters_sum(app->workers, app->n_workers, &t);
	printf("synwall: final counters (%u worker%s)\n", app->n_workers,
		app->n_workers == 1 ? "" : "s");
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		const struct sw_port_counters *c = &t.port[s];
		const char *side = sw_side_name(s);

#define F(f) snprintf(name, sizeof(name), "%s." #f, side); \
		print_counter(name, c->f);
		SW_PORT_COUNTERS(F)
#undef F
	}
	print_counter("protected_pkts", t.protected_pkts);
#define F(name) print_counter("syncookie." #name, t.sc.name);
	SW_SYNCOOKIE_COUNTERS(F)
#undef F
#define F(name) print_counter("flow." #name, t.flow.name);
	SW_FLOW_COUNTERS(F)
#undef F
	if (app->cfg.mode == SW_MODE_LB) {
#define F(name) print_counter("lb." #name, t.lb.name);
		SW_LB_COUNTERS(F)
#undef F
#define F(name) print_counter("cluster." #name, t.cluster.name);
		SW_CLUSTER_COUNTERS(F)
#undef F
	}
	print_counter("drops", total_drops(&t));
	for (unsigned int i = 1; i < SW_PARSE_ERR_MAX; i++) {
		if (t.malformed[i] == 0)
			continue;
		snprintf(name, sizeof(name), "drop.%s", sw_parse_err_name(i));
		print_counter(name, t.malformed[i]);
	}
	for (unsigned int i = 0; i < SW_DROP_MAX; i++) {
		if (t.drop[i] == 0)
			continue;
		snprintf(name, sizeof(name), "drop.%s", sw_drop_name(i));
		print_counter(name, t.drop[i]);
	}
	fflush(stdout);
}
