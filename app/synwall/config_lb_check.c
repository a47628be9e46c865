/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mode = lb's rules that involve more than one key (docs/lb.md), once
 * every section is read: prefix lengths and gateways on-link, VIPs and
 * backends reachable and owned once, static neighbours on one side.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "config_int.h"
#include "sw_config.h"
#include "sw_service.h"

/*
 * Does synwall own (family, addr) in lb mode: one of its [lb] addresses
 * or (with_vips) a VIP? Returns what owns it, as text for an error, or
 * NULL.
 */
static const char *
lb_owner(const struct sw_config *cfg, int family, const uint8_t *addr,
		bool with_vips, char *buf, size_t len)
{
	unsigned int f = sw_lb_fam(family);
	size_t alen = family == AF_INET6 ? 16 : 4;

	if (cfg->lb.outside[f].family == family &&
			memcmp(cfg->lb.outside[f].addr, addr, alen) == 0)
		return "[lb] outside_address";
	if (cfg->lb.inside[f].family == family &&
			memcmp(cfg->lb.inside[f].addr, addr, alen) == 0)
		return "[lb] inside_address";
	if (cfg->lb.snat[f].family == family &&
			memcmp(cfg->lb.snat[f].addr, addr, alen) == 0)
		return "[lb] snat_address";
	for (unsigned int s = 0; with_vips && s < cfg->svc.n_svc; s++)
		if (cfg->lb.has_vip[s][f] &&
				memcmp(cfg->lb.vip[s][f], addr, alen) == 0) {
			snprintf(buf, len, "a VIP of [" SVC_SECTION "%s]",
				cfg->svc.svc[s].name);
			return buf;
		}
	return NULL;
}

static bool
is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	for (uint32_t d = 2; d <= n / d; d++)
		if (n % d == 0)
			return false;
	return true;
}

/* The first port two services share, or 0. */
static uint32_t
svc_port_clash(const struct sw_svc *a, const struct sw_svc *b)
{
	for (unsigned int w = 0; w < RTE_DIM(a->ports); w++)
		if ((a->ports[w] & b->ports[w]) != 0)
			return w * 64 + (uint32_t)__builtin_ctzll(a->ports[w] &
				b->ports[w]);
	return 0;
}

/* The first port both backends would be reached on, or 0. */
static uint32_t
backend_port_clash(const struct sw_config *cfg,
		const struct sw_lb_backend_conf *a,
		const struct sw_lb_backend_conf *b)
{
	const struct sw_svc *sa = &cfg->svc.svc[a->svc];
	const struct sw_svc *sb = &cfg->svc.svc[b->svc];

	if (a->family != b->family ||
			memcmp(a->addr, b->addr, sizeof(a->addr)) != 0)
		return 0;
	if (a->port != 0 && b->port != 0)
		return a->port == b->port ? a->port : 0;
	if (a->port != 0)
		return sw_svc_port_in(sb, a->port) ? a->port : 0;
	if (b->port != 0)
		return sw_svc_port_in(sa, b->port) ? b->port : 0;
	return svc_port_clash(sa, sb);	/* both keep the VIP port */
}

/* [lb] on its own: numbers and the addresses synwall owns. */
static int
check_lb_keys(struct sw_config *cfg, char *err, size_t err_len)
{
	struct sw_lb_config *lb = &cfg->lb;
	char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];

	if (!is_prime(lb->maglev_size)) {
		uint32_t below = lb->maglev_size;

		while (!is_prime(below))
			below--;	/* stops at 65537 at the latest */
		set_err(err, err_len,
			"[lb] maglev_size = %u: must be a prime (%u is the nearest one below)",
			lb->maglev_size, below);
		return -EINVAL;
	}
	/* lib/neigh's table has a power-of-two capacity */
	lb->neigh_entries = rte_align32pow2(lb->neigh_entries);
	if (lb->health_interval_ms != 0 && lb->health_interval_ms < 100) {
		set_err(err, err_len,
			"[lb] health_interval_ms = %u: must be 0 (no active checks) or 100..3600000",
			lb->health_interval_ms);
		return -EINVAL;
	}
	if (lb->health_interval_ms != 0 &&
			lb->health_timeout_ms >= lb->health_interval_ms) {
		set_err(err, err_len,
			"[lb] health_timeout_ms = %u: must be below health_interval_ms (%u)",
			lb->health_timeout_ms, lb->health_interval_ms);
		return -EINVAL;
	}
	for (unsigned int f = 0; f < 2; f++) {
		const struct sw_lb_ifaddr *o = &lb->outside[f];
		const struct sw_lb_ifaddr *in = &lb->inside[f];
		int family = f == SW_LB_V6 ? AF_INET6 : AF_INET;

		/* on both sides at once, "on-link" would not name a port */
		if (o->family != 0 && in->family != 0 &&
				sw_lb_prefix_match(o->addr, in->addr,
				RTE_MIN(o->plen, in->plen))) {
			ifaddr_text(in, a, sizeof(a));
			ifaddr_text(o, b, sizeof(b));
			set_err(err, err_len,
				"[lb] inside_address: %s overlaps outside_address %s",
				a, b);
			return -EINVAL;
		}
		/* snat_address: on-link inside (the backends reach it
		 * as a neighbour), the inside_address unless set. */
		if (lb->snat[f].family != 0) {
			addr_text(family, lb->snat[f].addr, a, sizeof(a));
			if (in->family == 0) {
				set_err(err, err_len,
					"[lb] snat_address: %s is %s but [lb] inside_address has no %s address",
					a, fam_name(family), fam_name(family));
				return -EINVAL;
			}
			ifaddr_text(in, b, sizeof(b));
			if (!sw_lb_on_link(in, family, lb->snat[f].addr)) {
				set_err(err, err_len,
					"[lb] snat_address: %s is not on-link in [lb] inside_address %s",
					a, b);
				return -EINVAL;
			}
			lb->snat[f].plen = in->plen;
		} else if (in->family != 0) {
			lb->snat[f] = *in;
		}
		if (!lb->has_gateway[f])
			continue;
		addr_text(family, lb->gateway[f], a, sizeof(a));
		if (o->family == 0) {
			set_err(err, err_len,
				"[lb] outside_gateway: %s: [lb] outside_address has no %s address",
				a, fam_name(family));
			return -EINVAL;
		}
		ifaddr_text(o, b, sizeof(b));
		if (!sw_lb_on_link(o, family, lb->gateway[f])) {
			set_err(err, err_len,
				"[lb] outside_gateway: %s is not on-link in [lb] outside_address %s",
				a, b);
			return -EINVAL;
		}
		if (memcmp(o->addr, lb->gateway[f], sizeof(o->addr)) == 0) {
			set_err(err, err_len,
				"[lb] outside_gateway: %s is synwall's own outside_address",
				a);
			return -EINVAL;
		}
	}
	return 0;
}

/* The services' VIPs: reachable from outside, owned by one service. */
static int
check_lb_vips(const struct sw_config *cfg, char *err, size_t err_len)
{
	const struct sw_lb_config *lb = &cfg->lb;
	char a[INET6_ADDRSTRLEN], owner[64];

	for (unsigned int s = 0; s < cfg->svc.n_svc; s++) {
		const char *name = cfg->svc.svc[s].name;

		for (unsigned int f = 0; f < 2; f++) {
			int family = f == SW_LB_V6 ? AF_INET6 : AF_INET;
			const char *own;

			if (!lb->has_vip[s][f])
				continue;
			addr_text(family, lb->vip[s][f], a, sizeof(a));
			if (lb->outside[f].family == 0) {
				set_err(err, err_len,
					"[" SVC_SECTION "%s] prefix: %s is an %s VIP but [lb] outside_address has no %s address",
					name, a, fam_name(family),
					fam_name(family));
				return -EINVAL;
			}
			/* VIPs among themselves: by port, below */
			own = lb_owner(cfg, family, lb->vip[s][f], false, owner,
				sizeof(owner));
			if (own != NULL) {
				set_err(err, err_len,
					"[" SVC_SECTION "%s] prefix: %s is synwall's own %s",
					name, a, own);
				return -EINVAL;
			}
			for (unsigned int t = 0; t < s; t++) {
				uint32_t port;

				if (!lb->has_vip[t][f] ||
						memcmp(lb->vip[t][f], lb->vip[s][f],
						sizeof(lb->vip[s][f])) != 0)
					continue;
				port = svc_port_clash(&cfg->svc.svc[s],
					&cfg->svc.svc[t]);
				if (port != 0) {
					set_err(err, err_len,
						"[" SVC_SECTION "%s] prefix: %s port %u is also a VIP of [" SVC_SECTION "%s]",
						name, a, port,
						cfg->svc.svc[t].name);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

static int
check_lb_backends(const struct sw_config *cfg, char *err, size_t err_len)
{
	const struct sw_lb_config *lb = &cfg->lb;
	char text[BACKEND_TEXT_MAX], in[INET6_ADDRSTRLEN + 8], owner[64];
	bool seen[SW_SVC_MAX][2];

	memset(seen, 0, sizeof(seen));
	for (unsigned int i = 0; i < lb->n_backends; i++) {
		const struct sw_lb_backend_conf *b = &lb->backend[i];
		const char *name = cfg->svc.svc[b->svc].name;
		unsigned int f = sw_lb_fam(b->family);
		const char *fam = fam_name(b->family);
		const char *own;
		uint32_t n_ports;

		sw_cfg_format_backend(b, false, text, sizeof(text));
		if (!lb->has_vip[b->svc][f]) {
			set_err(err, err_len,
				"[" SVC_SECTION "%s] backends: %s is %s but the service has no %s VIP in prefix",
				name, text, fam, fam);
			return -EINVAL;
		}
		if (lb->inside[f].family == 0) {
			set_err(err, err_len,
				"[" SVC_SECTION "%s] backends: %s is %s but [lb] inside_address has no %s address%s",
				name, text, fam, fam,
				cfg->svc.svc[b->svc].nat == SW_SVC_NAT_SNAT ?
				" (nor, nat = snat, an snat_address in it)" :
				"");
			return -EINVAL;
		}
		if (!sw_lb_on_link(&lb->inside[f], b->family, b->addr)) {
			ifaddr_text(&lb->inside[f], in, sizeof(in));
			set_err(err, err_len,
				"[" SVC_SECTION "%s] backends: %s is not on-link in [lb] inside_address %s",
				name, text, in);
			return -EINVAL;
		}
		own = lb_owner(cfg, b->family, b->addr, true, owner,
			sizeof(owner));
		if (own != NULL) {
			set_err(err, err_len,
				"[" SVC_SECTION "%s] backends: %s is synwall's own address (%s)",
				name, text, own);
			return -EINVAL;
		}
		n_ports = sw_svc_port_count(&cfg->svc, b->svc);
		if (b->port != 0 && n_ports != 1) {
			set_err(err, err_len,
				"[" SVC_SECTION "%s] backends: %s names a port, but the service has %u ports (a backend port needs exactly one)",
				name, text, n_ports);
			return -EINVAL;
		}
		/* replies from one address:port could not tell which VIP */
		for (unsigned int j = 0; j < i; j++) {
			const struct sw_lb_backend_conf *o = &lb->backend[j];
			uint32_t port = backend_port_clash(cfg, b, o);

			if (port == 0)
				continue;
			if (o->svc == b->svc)
				set_err(err, err_len,
					"[" SVC_SECTION "%s] backends: %s is listed twice (port %u)",
					name, text, port);
			else
				set_err(err, err_len,
					"[" SVC_SECTION "%s] backends: %s (port %u) is also a backend of [" SVC_SECTION "%s]; replies could not tell which VIP",
					name, text, port,
					cfg->svc.svc[o->svc].name);
			return -EINVAL;
		}
		seen[b->svc][f] = true;
	}
	/* a VIP without a backend of its family could only refuse */
	for (unsigned int s = 0; s < cfg->svc.n_svc; s++)
		for (unsigned int f = 0; f < 2; f++) {
			if (!lb->has_vip[s][f] || seen[s][f])
				continue;
			addr_text(f == SW_LB_V6 ? AF_INET6 : AF_INET,
				lb->vip[s][f], in, sizeof(in));
			set_err(err, err_len,
				"[" SVC_SECTION "%s] backends: none is %s, but %s is an %s VIP",
				cfg->svc.svc[s].name,
				fam_name(f == SW_LB_V6 ? AF_INET6 : AF_INET), in,
				fam_name(f == SW_LB_V6 ? AF_INET6 : AF_INET));
			return -EINVAL;
		}
	return 0;
}

/* Static neighbours: on-link on exactly one side, which is recorded. */
static int
check_lb_neighbours(struct sw_config *cfg, char *err, size_t err_len)
{
	struct sw_lb_config *lb = &cfg->lb;
	char a[INET6_ADDRSTRLEN], owner[64];

	for (unsigned int i = 0; i < lb->n_static; i++) {
		struct sw_lb_neigh_static *n = &lb->neigh_static[i];
		unsigned int f = sw_lb_fam(n->family);
		const char *own;

		addr_text(n->family, n->addr, a, sizeof(a));
		if (sw_lb_on_link(&lb->outside[f], n->family, n->addr)) {
			n->side = SW_OUTSIDE;
		} else if (sw_lb_on_link(&lb->inside[f], n->family, n->addr)) {
			n->side = SW_INSIDE;
		} else {
			set_err(err, err_len,
				"[lb] neighbours: %s is not on-link in [lb] outside_address or inside_address",
				a);
			return -EINVAL;
		}
		own = lb_owner(cfg, n->family, n->addr, true, owner,
			sizeof(owner));
		if (own != NULL) {
			set_err(err, err_len,
				"[lb] neighbours: %s is synwall's own address (%s)",
				a, own);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * [cluster] peers: each on-link in inside_address (the control frames
 * and the segments of its flows go to its MAC), none our own; and no RST
 * for a bad cookie, which would reset a flow that moved here before its
 * owner is asked (docs/cluster.md).
 */
static int
check_cluster(const struct sw_config *cfg, char *err, size_t err_len)
{
	const struct sw_lb_config *lb = &cfg->lb;
	char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];

	if (lb->n_peers == 0)
		return 0;
	for (unsigned int i = 0; i < lb->n_peers; i++) {
		const struct sw_cluster_peer_conf *pe = &lb->peer[i];
		const struct sw_lb_ifaddr *in =
			&lb->inside[sw_lb_fam(pe->family)];

		addr_text(pe->family, pe->addr, a, sizeof(a));
		if (in->family != pe->family) {
			set_err(err, err_len,
				"[cluster] peers: %s: no %s inside_address to reach it from",
				a, fam_name(pe->family));
			return -EINVAL;
		}
		ifaddr_text(in, b, sizeof(b));
		if (memcmp(in->addr, pe->addr, 16) == 0) {
			set_err(err, err_len,
				"[cluster] peers: %s is this node's own inside_address",
				a);
			return -EINVAL;
		}
		if (!sw_lb_prefix_match(in->addr, pe->addr, in->plen)) {
			set_err(err, err_len,
				"[cluster] peers: %s is not on-link in inside_address %s",
				a, b);
			return -EINVAL;
		}
	}
	if (cfg->rst_on_bad) {
		set_err(err, err_len,
			"[syncookie] rst_on_bad = yes: not with [cluster] peers (it would reset flows that moved from a peer)");
		return -EINVAL;
	}
	/* Hellos go out five times per timeout: not thousands a second. */
	if (lb->peer_timeout_ms != 0 && lb->peer_timeout_ms < 100) {
		set_err(err, err_len,
			"[cluster] peer_timeout_ms = %u: 0 (never) or at least 100",
			lb->peer_timeout_ms);
		return -EINVAL;
	}
	return 0;
}

/* mode = lb: the rules that involve more than one key (lb-spec.md). */
int
sw_cfg_check_lb(struct sw_config *cfg, char *err, size_t err_len)
{
	int ret;

	ret = check_lb_keys(cfg, err, err_len);
	if (ret != 0)
		return ret;
	if (cfg->svc.n_svc == 0) {
		set_err(err, err_len,
			"[synwall] mode = lb: needs at least one [service:NAME] with its VIPs (prefix), ports and backends");
		return -EINVAL;
	}
	ret = check_lb_vips(cfg, err, err_len);
	if (ret == 0)
		ret = check_lb_backends(cfg, err, err_len);
	if (ret == 0)
		ret = check_lb_neighbours(cfg, err, err_len);
	if (ret == 0)
		ret = check_cluster(cfg, err, err_len);
	return ret;
}
