/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port setup: the one thin layer between synwall and ethdev.
 *
 * Works the same for PCI devices and vdevs: one RX/TX queue pair per
 * worker, symmetric RSS when there is more than one worker and the port
 * has RSS (rss_hf says whether it did), checksum offloads enabled where
 * the port has them. Errors are returned as
 * negative errno with a one-line reason in `err`; nothing here exits.
 */
#ifndef SW_PORT_H
#define SW_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

struct sw_port_params {
	uint16_t port_id;
	uint16_t n_queues;		/* one RX/TX pair per worker */
	uint16_t rx_desc;
	uint16_t tx_desc;
	bool promiscuous;
	struct rte_mempool *const *pools;	/* n_queues, RX queue q uses pools[q] */
};

/* What setup found and enabled, for the log and /synwall/ports. */
struct sw_port_info {
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[32];
	uint64_t rx_offloads;		/* enabled */
	uint64_t tx_offloads;		/* enabled */
	uint64_t rss_hf;		/* 0 when RSS is off */
	uint16_t rx_desc;		/* after adjustment */
	uint16_t tx_desc;
	int socket_id;
	bool promiscuous;
};

/*
 * "0" or "net_tap0" or "0000:03:00.0" → port id. Returns 0, or -ENODEV
 * when no such port exists.
 */
int sw_port_resolve(const char *text, uint16_t *port_id);

int sw_port_setup(const struct sw_port_params *p, struct sw_port_info *info,
		char *err, size_t err_len);

/* "up 10 Gbps full-duplex" or "down"; waits at most wait_ms for link up. */
void sw_port_link_str(uint16_t port_id, unsigned int wait_ms, char *buf,
		size_t len);

void sw_port_close(uint16_t port_id);

#endif /* SW_PORT_H */
