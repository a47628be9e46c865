/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synwall's configuration: an INI file read with rte_cfgfile.
 *
 * Every key, its default and its meaning is in
 * config/synwall.conf.example; the table in config.c is the one place
 * that lists them in code. Loading never starts anything: it fills a
 * struct sw_config or returns one line naming the key and the problem.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "sw_lb_gen.h"
#include "sw_service.h"

#define SW_PORT_NAME_LEN	64
#define SW_PATH_LEN		256
#define SW_ERR_LEN		256
/* A config file is at most this big (1,024 backends fit in 64 KiB). */
#define SW_CONFIG_MAX		(1u << 20)
#define SW_CLUSTER_PEERS_MAX	16	/* [cluster] peers */

enum sw_mode {
	SW_MODE_INLINE = 0,	/* a bump in the wire: addresses kept */
	SW_MODE_LB,		/* VIPs in front of backend pools: NAT */
};

enum sw_unprotected {
	SW_UNPROTECTED_PASS = 0,
	SW_UNPROTECTED_DROP,
};

enum sw_steering {
	SW_STEERING_AUTO = 0,	/* RSS when both ports have it, else rings */
	SW_STEERING_SOFTWARE,	/* always rings (tests, asymmetric NICs) */
};

/* What a worker does when its ports have nothing. */
enum sw_idle {
	SW_IDLE_POLL = 0,	/* poll again at once: 100 % of a CPU */
	SW_IDLE_ADAPTIVE,	/* spin, pause, then wait or sleep (default) */
};

struct sw_lb_backend_conf {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t svc;			/* index into sw_config.svc.svc[] */
	uint16_t port;			/* host order; 0: the VIP port kept */
	uint32_t weight;		/* 0..65535; 0: no new flows (drain) */
	uint8_t addr[16];		/* network order; IPv4 in [0..4) */
};

struct sw_lb_neigh_static {
	uint8_t family;
	uint8_t side;			/* enum sw_side the address is on */
	uint8_t addr[16];
	uint8_t mac[6];
};

struct sw_lb_config {
	/* [lb]: the addresses synwall owns, [SW_LB_V4] and [SW_LB_V6]. */
	struct sw_lb_ifaddr outside[2];	/* answers ARP/NS for it, sources */
					/* its own ARP/NS from it */
	struct sw_lb_ifaddr inside[2];	/* the backends' gateway */
	/* nat = snat: the source of a flow towards its backend, per
	 * family (the inside_address of the family unless set; plen is
	 * the inside prefix's), and the local ports, one slice of them
	 * per worker (docs/lb.md, "Source NAT"). */
	struct sw_lb_ifaddr snat[2];
	uint32_t snat_lo, snat_hi;
	uint8_t gateway[2][16];		/* outside next hop, when set */
	bool has_gateway[2];
	uint32_t n_static;
	struct sw_lb_neigh_static neigh_static[SW_LB_NEIGH_STATIC_MAX];
	uint32_t maglev_size;		/* prime, 65537 .. 2^25 */
	uint32_t neigh_entries;		/* per worker, power of two */
	uint32_t health_interval_ms;	/* active checks; 0: off */
	uint32_t health_timeout_ms;
	uint32_t health_rise;		/* checks in a row to come up */
	uint32_t health_fall;		/* ... to go down */
	uint32_t passive_fall;		/* failed hand-offs in a row; 0: off */
	uint32_t passive_holddown;	/* s; passive down, no active checks */
	/* [cluster]: the other nodes' inside addresses (none: no cluster),
	 * the lookups a node may ask of them per second, and how long a
	 * peer may be silent before its flows are reset. */
	uint32_t n_peers;
	struct sw_cluster_peer_conf {
		uint8_t family;
		uint8_t addr[16];
	} peer[SW_CLUSTER_PEERS_MAX];
	uint32_t lookup_rate;
	uint32_t peer_timeout_ms;	/* a peer silent this long is gone; 0: never */
	/* [service:NAME] in lb mode: its VIPs (prefix = bare addresses,
	 * at most one per family) and backends, in file order. */
	uint8_t vip[SW_SVC_MAX][2][16];
	bool has_vip[SW_SVC_MAX][2];
	uint32_t n_backends;
	struct sw_lb_backend_conf backend[SW_LB_BACKENDS_MAX];
};

struct sw_config {
	/* [synwall] */
	uint32_t mode;			/* enum sw_mode */
	uint32_t unprotected;		/* enum sw_unprotected */
	uint32_t log_level;		/* RTE_LOG_EMERG (1) .. RTE_LOG_DEBUG (8) */
	uint32_t stats_interval;	/* seconds; 0 = on SIGUSR1 only */
	uint32_t capture;		/* bool: rte_pdump for dpdk-dumpcap */
	/* [ports] */
	char port_name[SW_SIDES][SW_PORT_NAME_LEN];
	uint32_t rx_desc;
	uint32_t tx_desc;
	uint32_t promiscuous;		/* bool */
	/* [worker] */
	uint32_t burst;
	uint32_t mbufs;
	uint32_t mbuf_cache;
	uint32_t flows;			/* IPv4 flows per worker */
	uint32_t flows6;		/* IPv6 flows per worker */
	uint32_t tx_drain_us;
	uint32_t steering;		/* enum sw_steering */
	uint32_t idle;			/* enum sw_idle */
	uint32_t idle_sleep_max_us;	/* adaptive: longest sleep */
	/* [flow] */
	uint32_t hold;			/* segments held per flow in hand-off */
	uint32_t syn_timeout_ms;	/* first backend SYN retransmission */
	uint32_t syn_retries;
	uint32_t established_timeout;	/* seconds idle */
	uint32_t half_closed_timeout;
	uint32_t closing_timeout;
	uint32_t linger_ms;		/* closed flow kept for stragglers */
	uint32_t learn_refresh_ms;	/* a server's options re-checked */
	uint32_t challenge_ack_rate;	/* per second per worker */
	uint32_t reload_grace;		/* s: connections from before pass */
	/* [syncookie] */
	uint32_t slot_seconds;		/* key slot length */
	char key_file[SW_PATH_LEN];	/* master secret; "" = random */
	uint32_t ttl;			/* of SYN-ACKs and RSTs */
	uint32_t window;		/* SYN-ACK window */
	uint32_t rst_on_bad;		/* bool: RST a bad-cookie ACK */
	uint32_t rst_rate;		/* RSTs/s per worker */
	uint32_t reflect_rate;		/* SYN-ACKs/s per client /24 or /64; 0 off */
	uint32_t reflect_burst;
	uint32_t reflect_total;		/* SYN-ACKs/s in all; 0 off */
	/* [service:NAME] */
	struct sw_svc_table svc;
	/* [lb] and the services' backends (mode = lb only) */
	struct sw_lb_config lb;
};

/*
 * Load and validate `path` into `cfg`. Returns 0, or a negative errno
 * with one line in `err` ("[worker] burst = 0: must be 1..512").
 */
int sw_config_load(const char *path, struct sw_config *cfg, char *err,
		size_t err_len);

/* Fill `cfg` with every default (what an empty file gives). */
void sw_config_defaults(struct sw_config *cfg);

/*
 * Visit every key with its effective value as text, in file order of
 * the reference table; services are visited as "service:NAME" keys.
 * In mode = lb also the [lb] keys, each service's "backends": its
 * list as "ADDR[:PORT] weight W, ..." (IPv6 with a port in brackets),
 * text that loads back to the same backends, and its "nat".
 */
typedef void (*sw_config_visit_fn)(const char *section, const char *key,
		const char *value, void *arg);
void sw_config_visit(const struct sw_config *cfg, sw_config_visit_fn fn,
		void *arg);

/*
 * May the running instance, started with `old`, take `new` (validated
 * by sw_config_load) by a reload? Services, backends and [lb]'s health
 * keys may change; a key whose change needs new ports, memory or
 * workers may not. Returns 0, or -EINVAL with one line naming the key
 * ("[worker] flows: 1000000 -> 2000000 needs a restart").
 */
int sw_config_reload_check(const struct sw_config *old,
		const struct sw_config *new_cfg, char *err, size_t err_len);

/*
 * The mbufs a worker needs at least: every mbuf it can have parked at
 * once in both ports' rings and its bursts, plus its cache.
 */
static inline uint32_t
sw_config_mbufs_needed(const struct sw_config *cfg)
{
	return SW_SIDES * (cfg->rx_desc + cfg->tx_desc + 2 * cfg->burst) +
		cfg->mbuf_cache + cfg->burst;
}

const char *sw_side_name(enum sw_side side);

#endif /* SW_CONFIG_H */
