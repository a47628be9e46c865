/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running instance as the control plane sees it: config, ports and
 * workers. Owned by main(); telemetry and stats only read it.
 */
#ifndef SW_APP_H
#define SW_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_config.h"
#include "sw_cookie.h"
#include "sw_lb.h"
#include "sw_port.h"
#include "sw_worker.h"

#define SW_STEER_RING	4096	/* packets in flight between two workers */

struct sw_app {
	struct sw_config cfg;
	uint16_t port_id[SW_SIDES];
	struct sw_port_info port_info[SW_SIDES];
	unsigned int n_workers;
	struct sw_worker *workers;	/* n_workers, each cache aligned */
	struct rte_ring **rings;	/* steering: [i * n + j] from i to j */
	volatile bool quit;
	bool ports_up;			/* sw_app_free() closes them */
	uint64_t start_tsc;
	/* SYN cookie keys: two buffers, swapped under RCU (keys.c). */
	uint8_t master[SW_COOKIE_MASTER_LEN];
	struct sw_cookie_keys keybuf[2];
	struct sw_cookie_keys *volatile keys;
	struct rte_rcu_qsbr *qs;
	/* Services and lb mode's backends, health, tables (lb.c). */
	const char *config_path;	/* re-read by a reload */
	struct sw_lb *lb;
	/* A reload asked for by telemetry, done by the main lcore. */
	volatile int reload_req;	/* 1: asked; 0: done */
	int reload_ret;
	char reload_err[SW_ERR_LEN];
	/* Links as last seen by sw_app_link_poll() (main lcore). */
	int link_event;			/* an LSC interrupt asks for a look */
	uint64_t link_next;		/* TSC of the next periodic look */
	bool link_known;
	bool link_up[SW_SIDES];
	char link_why[SW_SIDES][64];	/* why down, or the speed */
};

/*
 * Load the master secret ([syncookie] key_file, or random), set up RCU
 * for n_workers and install the keys of the current slot. Before
 * sw_app_setup_workers(). Prints the error naming the key.
 */
int sw_app_keys_init(struct sw_app *app, unsigned int n_workers);

/* The wall-clock slot: every node sharing key_file agrees on it. */
uint64_t sw_app_keys_slot_now(const struct sw_app *app);

/*
 * Publish the keys of `slot` (and the three before it) and wait until
 * no worker can still read the set they replace. Main lcore only.
 */
void sw_app_keys_install(struct sw_app *app, uint64_t slot);

/* cfg.port_name[] → port_id[]; prints the error naming the key. */
int sw_app_resolve_ports(struct sw_app *app);

/*
 * What the start checks of the ports before setting them up (queues
 * for n_workers), for --check-config. Prints the error.
 */
int sw_app_check_ports(const struct sw_app *app, unsigned int n_workers);

/*
 * Look at both links (every second, or now when forced or after an LSC
 * interrupt) and log every change. Main lcore.
 */
void sw_app_link_poll(struct sw_app *app, bool force);

/* One mbuf pool and sw_worker per worker lcore. */
int sw_app_setup_workers(struct sw_app *app);

/* Both ports, one queue pair per worker; logs what each port offers. */
int sw_app_setup_ports(struct sw_app *app);

void sw_app_launch(struct sw_app *app);
void sw_app_stop(struct sw_app *app);

/* Close ports, free pools and workers; safe on a partly set-up app. */
void sw_app_free(struct sw_app *app);

/* One line: per-port rx/tx, rates since *prev, drops. Updates *prev. */
void sw_stats_line(const struct sw_app *app, struct sw_counters *prev,
		uint64_t *prev_tsc, char *buf, size_t len);

/* Every non-zero counter, one per line, to stdout (at exit). */
void sw_stats_print_final(const struct sw_app *app);

/* Register /synwall/stats, config, ports, backends, reload. */
int sw_telemetry_register(struct sw_app *app);
/* Before the app is freed: telemetry calls fail from now on. */
void sw_telemetry_unregister(void);

#endif /* SW_APP_H */
