/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protected services: which destinations synwall stands in front of.
 *
 * A service is a set of destination ports; it applies to one or more
 * destination prefixes (IPv4 or IPv6). Everything else is "unprotected"
 * and passes through or is dropped, per config.
 *
 * The table is built on the control plane (sw_svc_add_*) and then only
 * read by the workers (sw_svc_lookup*). EAL-free; the caller owns the
 * memory of the struct.
 */
#ifndef SW_SERVICE_H
#define SW_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SW_SVC_MAX		32
#define SW_SVC_PREFIX_MAX	64
#define SW_SVC_NAME_LEN		32

struct sw_svc_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length in bits */
	uint16_t svc;		/* index into sw_svc_table.svc */
	uint32_t addr[4];	/* network order, host bits cleared */
	uint32_t mask[4];	/* network order */
};

/*
 * What synwall offers a client of this service in its SYN-ACK (only
 * what the client offered too): the options the servers behind it
 * honour.
 */
struct sw_svc_syn {
	uint16_t mss4;			/* MSS advertised over IPv4 */
	uint16_t mss6;			/* MSS advertised over IPv6 */
	uint8_t wscale;			/* 0-14, SW_SVC_WSCALE_OFF: none */
	bool sack;
	bool ts;
	bool ecn;			/* answer ECN-setup SYNs (RFC 3168) */
	/* first_contact = trust: promise sack/ts as set here before the
	 * server has answered (else none until it has: docs/handoff.md) */
	bool trust;
	/* proxy_protocol: enum sw_pp_version (lib/net/sw_pp.h), the PROXY
	 * protocol header a backend connection starts with (0: none) */
	uint8_t proxy_protocol;
};

#define SW_SVC_WSCALE_OFF	0xff

/* lb mode: how a service's flows reach its backends (docs/lb.md). */
enum sw_svc_nat {
	SW_SVC_NAT_DNAT = 0,		/* the client's address kept */
	SW_SVC_NAT_SNAT,		/* from synwall's snat_address too */
};

struct sw_svc {
	char name[SW_SVC_NAME_LEN];
	struct sw_svc_syn syn;
	uint8_t nat;			/* enum sw_svc_nat; inline: DNAT */
	uint64_t ports[65536 / 64];	/* bitmap indexed by host-order port */
};

struct sw_svc_table {
	uint16_t n_svc;
	uint16_t n_v4;		/* IPv4 prefixes first in prefix[], ... */
	uint16_t n_v6;		/* ... IPv6 ones in prefix6[] */
	struct sw_svc_prefix prefix4[SW_SVC_PREFIX_MAX];
	struct sw_svc_prefix prefix6[SW_SVC_PREFIX_MAX];
	struct sw_svc svc[SW_SVC_MAX];
};

/* Empty the table. */
void sw_svc_init(struct sw_svc_table *t);

/*
 * Add a service with default SYN options (MSS 1460/1440, wscale 7, SACK,
 * timestamps, no ECN); returns its index, -ENOSPC when full, -EEXIST
 * when the name is taken, -EINVAL for an empty or overlong name.
 */
int sw_svc_add(struct sw_svc_table *t, const char *name);

/*
 * Parse "80, 443, 8000-8080" into service `svc`: decimal ports 1..65535
 * without leading zeros. Returns 0, or -EINVAL with *bad pointing at the
 * offending token.
 */
int sw_svc_add_ports(struct sw_svc_table *t, int svc, const char *list,
		const char **bad);

/*
 * Parse one prefix ("192.0.2.0/24", "2001:db8::/32", a bare address is
 * a host route; no blank around '/', a decimal length without leading
 * zeros) into service `svc`. Returns 0, -EINVAL (syntax, length,
 * host bits set), or -ENOSPC.
 */
int sw_svc_add_prefix(struct sw_svc_table *t, int svc, const char *text);

/*
 * Does table `a` protect every (address, port) that `b` protects? Per
 * prefix of b: its ports must be among those of the prefixes of `a`
 * that contain it. Conservative: coverage that `a` makes up only from
 * several narrower prefixes counts as missing. Control plane only.
 */
bool sw_svc_covers(const struct sw_svc_table *a, const struct sw_svc_table *b);

/* How many ports service `svc` covers. */
uint32_t sw_svc_port_count(const struct sw_svc_table *t, int svc);

static inline bool
sw_svc_port_in(const struct sw_svc *s, uint16_t port)
{
	return (s->ports[port >> 6] >> (port & 63)) & 1;
}

/*
 * Is (daddr, dport) a protected service? daddr in network order.
 * Returns the service index, or -1. Bounded: at most SW_SVC_PREFIX_MAX
 * prefixes are compared (longest-prefix order is not needed: any match
 * whose service has the port wins).
 */
static inline int
sw_svc_lookup4(const struct sw_svc_table *t, uint32_t daddr, uint16_t dport)
{
	for (unsigned int i = 0; i < t->n_v4; i++) {
		const struct sw_svc_prefix *p = &t->prefix4[i];

		if ((daddr & p->mask[0]) == p->addr[0] &&
				sw_svc_port_in(&t->svc[p->svc], dport))
			return p->svc;
	}
	return -1;
}

static inline bool
sw_svc_prefix6_has(const struct sw_svc_prefix *p, const uint32_t a[4])
{
	return (a[0] & p->mask[0]) == p->addr[0] &&
		(a[1] & p->mask[1]) == p->addr[1] &&
		(a[2] & p->mask[2]) == p->addr[2] &&
		(a[3] & p->mask[3]) == p->addr[3];
}

/* Is daddr inside any service's prefix, whatever the port? */
static inline bool
sw_svc_addr4(const struct sw_svc_table *t, uint32_t daddr)
{
	for (unsigned int i = 0; i < t->n_v4; i++)
		if ((daddr & t->prefix4[i].mask[0]) == t->prefix4[i].addr[0])
			return true;
	return false;
}

static inline bool
sw_svc_addr6(const struct sw_svc_table *t, const uint8_t *daddr)
{
	uint32_t a[4];

	memcpy(a, daddr, sizeof(a));
	for (unsigned int i = 0; i < t->n_v6; i++)
		if (sw_svc_prefix6_has(&t->prefix6[i], a))
			return true;
	return false;
}

/* daddr: the 16 bytes of the IPv6 destination address as in the header. */
static inline int
sw_svc_lookup6(const struct sw_svc_table *t, const uint8_t *daddr,
		uint16_t dport)
{
	uint32_t a[4];

	memcpy(a, daddr, sizeof(a));
	for (unsigned int i = 0; i < t->n_v6; i++) {
		const struct sw_svc_prefix *p = &t->prefix6[i];

		if (sw_svc_prefix6_has(p, a) &&
				sw_svc_port_in(&t->svc[p->svc], dport))
			return p->svc;
	}
	return -1;
}

#endif /* SW_SERVICE_H */
