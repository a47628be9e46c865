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

#include "sw_service.h"

#define SW_PORT_NAME_LEN	64
#define SW_PATH_LEN		256
#define SW_ERR_LEN		256

enum sw_mode {
	SW_MODE_INLINE = 0,
};

enum sw_unprotected {
	SW_UNPROTECTED_PASS = 0,
	SW_UNPROTECTED_DROP,
};

enum sw_steering {
	SW_STEERING_AUTO = 0,	/* RSS when both ports have it, else rings */
	SW_STEERING_SOFTWARE,	/* always rings (tests, asymmetric NICs) */
};

enum sw_side {
	SW_OUTSIDE = 0,		/* clients, the router */
	SW_INSIDE,		/* protected servers */
	SW_SIDES
};

struct sw_config {
	/* [synwall] */
	uint32_t mode;			/* enum sw_mode */
	uint32_t unprotected;		/* enum sw_unprotected */
	uint32_t log_level;		/* RTE_LOG_EMERG (1) .. RTE_LOG_DEBUG (8) */
	uint32_t stats_interval;	/* seconds; 0 = on SIGUSR1 only */
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
	/* [flow] */
	uint32_t hold;			/* segments held per flow in hand-off */
	uint32_t syn_timeout_ms;	/* first backend SYN retransmission */
	uint32_t syn_retries;
	uint32_t established_timeout;	/* seconds idle */
	uint32_t half_closed_timeout;
	uint32_t closing_timeout;
	uint32_t linger_ms;		/* closed flow kept for stragglers */
	uint32_t challenge_ack_rate;	/* per second per worker */
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
 */
typedef void (*sw_config_visit_fn)(const char *section, const char *key,
		const char *value, void *arg);
void sw_config_visit(const struct sw_config *cfg, sw_config_visit_fn fn,
		void *arg);

const char *sw_side_name(enum sw_side side);

#endif /* SW_CONFIG_H */
