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
	/* Called on the interrupt thread when the link changes (ports
	 * with LSC interrupts only); NULL: none. */
	rte_eth_dev_cb_fn lsc_cb;
	void *lsc_arg;
	uint16_t n_queues;		/* one RX/TX pair per worker */
	uint16_t rx_desc;
	uint16_t tx_desc;
	bool promiscuous;
	/* Ask for RX queue interrupts ([worker] idle = adaptive): an idle
	 * worker then waits on them instead of sleeping blindly. */
	bool rx_intr;
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
	bool lsc;			/* link changes come as interrupts */
	bool rx_intr;			/* every RX queue has an interrupt */
	char kiface[32];		/* kernel interface behind it, or "" */
};

/*
 * "0" or "net_tap0" or "0000:03:00.0" → port id. Returns 0, or -ENODEV
 * when no such port exists.
 */
int sw_port_resolve(const char *text, uint16_t *port_id);

/*
 * Devices given to the EAL (--vdev, -a) that did not become a port (a
 * vdev whose interface is missing, a NIC whose probe failed): their
 * names, comma separated, into buf. Returns how many. When one is
 * missing, the port ids of those after it have moved down, so a port
 * named by id is ambiguous.
 */
unsigned int sw_port_missing_devices(char *buf, size_t len);

/* Is text a port id ("0") rather than a name? */
bool sw_port_is_id(const char *text);

/*
 * The kernel interface behind a port, when its devargs name one
 * ("iface=veth0" of net_af_packet, net_af_xdp, net_tap); "" otherwise.
 */
void sw_port_kernel_iface(uint16_t port_id, char *buf, size_t len);

/*
 * The truth about a port's link: the PMD's link status, and for a port
 * on a kernel interface (kiface, "" if none) whether that interface
 * still exists, is up and has a carrier, which net_af_packet's own
 * status never reflects. Returns true when up; *why says why not
 * ("interface w_in is gone"), or the speed when up. Control plane only
 * (an ioctl).
 */
bool sw_port_link_state(uint16_t port_id, const char *kiface, char *why,
		size_t len);

/*
 * What sw_port_setup() checks before it touches the port (n_queues
 * queue pairs), for --check-config. Returns 0 or a negative errno with
 * one line in err.
 */
int sw_port_check(uint16_t port_id, uint16_t n_queues, char *err,
		size_t err_len);

int sw_port_setup(const struct sw_port_params *p, struct sw_port_info *info,
		char *err, size_t err_len);

/*
 * "link up, 10000 Mbps full-duplex" or "link down: interface w_in is
 * gone" (sw_port_link_state); waits at most wait_ms for link up.
 */
void sw_port_link_str(uint16_t port_id, const char *kiface,
		unsigned int wait_ms, char *buf, size_t len);

void sw_port_close(uint16_t port_id);

#endif /* SW_PORT_H */
