/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "sw_port.h"

/*
 * A Toeplitz key made of one repeated 16-bit pattern hashes (a, b) and
 * (b, a) alike, so both directions of a flow land on the same queue
 * (Woo & Park, "Scalable TCP Session Monitoring with Symmetric RSS").
 */
#define SW_RSS_KEY_MAX	64
#define SW_RSS_WORD	0x6d5a

int
sw_port_resolve(const char *text, uint16_t *port_id)
{
	char *end;
	unsigned long v;

	if (text == NULL || *text == '\0')
		return -ENODEV;
	v = strtoul(text, &end, 10);
	if (*end == '\0') {
		if (v >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(v))
			return -ENODEV;
		*port_id = (uint16_t)v;
		return 0;
	}
	if (rte_eth_dev_get_port_by_name(text, port_id) != 0)
		return -ENODEV;
	return 0;
}

bool
sw_port_is_id(const char *text)
{
	if (text == NULL || *text == '\0')
		return false;
	for (; *text != '\0'; text++)
		if (!isdigit((unsigned char)*text))
			return false;
	return true;
}

/* The ethdev port of the device named `name`, if any. */
static bool
device_has_port(const char *name)
{
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_eth_dev_info di;

		if (rte_eth_dev_info_get(pid, &di) == 0 && di.device != NULL &&
				strcmp(rte_dev_name(di.device), name) == 0)
			return true;
	}
	return false;
}

unsigned int
sw_port_missing_devices(char *buf, size_t len)
{
	struct rte_devargs *da;
	unsigned int n = 0;
	size_t used = 0;

	if (len > 0)
		buf[0] = '\0';
	RTE_EAL_DEVARGS_FOREACH(NULL, da) {
		if (da->policy == RTE_DEV_BLOCKED || device_has_port(da->name))
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
				n ? ", " : "", da->name);
		n++;
	}
	return n;
}

void
sw_port_kernel_iface(uint16_t port_id, char *buf, size_t len)
{
	struct rte_eth_dev_info di;
	const struct rte_devargs *da;
	const char *a;

	buf[0] = '\0';
	if (rte_eth_dev_info_get(port_id, &di) != 0 || di.device == NULL)
		return;
	da = rte_dev_devargs(di.device);
	if (da == NULL || da->args == NULL)
		return;
	/* "iface=NAME" as a whole key of the comma-separated args */
	for (a = da->args; (a = strstr(a, "iface=")) != NULL; a += 6)
		if (a == da->args || a[-1] == ',') {
			snprintf(buf, len, "%.*s", (int)strcspn(a + 6, ","),
				a + 6);
			return;
		}
}

/* The kernel's word on an interface: gone, down, no carrier, or up. */
static bool
kernel_iface_up(const char *name, char *why, size_t len)
{
	struct ifreq ifr;
	int fd, ret;

	if (if_nametoindex(name) == 0) {
		snprintf(why, len, "interface %s is gone", name);
		return false;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;		/* cannot tell: trust the PMD */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	if (ret != 0)
		return true;
	if (!(ifr.ifr_flags & IFF_UP)) {
		snprintf(why, len, "interface %s is down", name);
		return false;
	}
	if (!(ifr.ifr_flags & IFF_RUNNING)) {
		snprintf(why, len, "interface %s has no carrier", name);
		return false;
	}
	return true;
}

bool
sw_port_link_state(uint16_t port_id, const char *kiface, char *why,
		size_t len)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(port_id, &link) != 0) {
		snprintf(why, len, "no link status");
		return false;
	}
	if (link.link_status != RTE_ETH_LINK_UP) {
		snprintf(why, len, "the PMD reports link down");
		return false;
	}
	if (kiface != NULL && kiface[0] != '\0' &&
			!kernel_iface_up(kiface, why, len))
		return false;
	if (link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ||
			link.link_speed == RTE_ETH_SPEED_NUM_NONE)
		snprintf(why, len, "speed unknown");
	else
		snprintf(why, len, "%u Mbps %s-duplex", link.link_speed,
			link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ?
			"full" : "half");
	return true;
}

int
sw_port_check(uint16_t port_id, uint16_t n_queues, char *err, size_t err_len)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev_info di;
	int ret;

	rte_eth_dev_get_name_by_port(port_id, name);
	ret = rte_eth_dev_info_get(port_id, &di);
	if (ret != 0) {
		snprintf(err, err_len, "port %u (%s): cannot read device info: %s",
			port_id, name, rte_strerror(-ret));
		return ret;
	}
	if (di.max_rx_queues < n_queues || di.max_tx_queues < n_queues) {
		snprintf(err, err_len,
			"port %u (%s): has %u rx / %u tx queues, %u workers need %u",
			port_id, name, di.max_rx_queues, di.max_tx_queues,
			n_queues, n_queues);
		return -EINVAL;
	}
	return 0;
}

static void
rss_setup(const struct rte_eth_dev_info *di, uint16_t n_queues,
		struct rte_eth_conf *conf, uint8_t *key)
{
	uint8_t key_len = di->hash_key_size ? di->hash_key_size : 40;

	if (n_queues < 2 || di->flow_type_rss_offloads == 0)
		return;
	if (key_len > SW_RSS_KEY_MAX)
		key_len = SW_RSS_KEY_MAX;
	for (unsigned int i = 0; i < key_len; i += 2) {
		key[i] = SW_RSS_WORD >> 8;
		key[i + 1] = SW_RSS_WORD & 0xff;
	}
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_key = key;
	conf->rx_adv_conf.rss_conf.rss_key_len = key_len;
	conf->rx_adv_conf.rss_conf.rss_hf = di->flow_type_rss_offloads &
		(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
}

/*
 * Does every RX queue of a started port have an interrupt event fd of
 * its own? Most virtual PMDs (af_packet, af_xdp) have none, and ethdev
 * says so with an error line per question: asked with its log
 * quietened, the answer is one line of ours (the caller's). Queues
 * that share a vector (UIO, fewer MSI-X vectors than queues) would wake
 * one worker for another's frames: not usable either.
 */
static bool
rx_intr_usable(uint16_t port, uint16_t n_queues)
{
	const int lt = rte_log_register("lib.ethdev");
	const int level = lt >= 0 ? rte_log_get_level(lt) : -1;
	int fd[RTE_MAX_QUEUES_PER_PORT];
	bool ok = n_queues <= RTE_DIM(fd);

	if (level >= 0)
		rte_log_set_level(lt, RTE_LOG_CRIT);
	for (uint16_t q = 0; q < n_queues && ok; q++) {
		fd[q] = rte_eth_dev_rx_intr_ctl_q_get_fd(port, q);
		ok = fd[q] >= 0;
		for (uint16_t o = 0; o < q && ok; o++)
			ok = fd[o] != fd[q];
	}
	if (level >= 0)
		rte_log_set_level(lt, (uint32_t)level);
	return ok;
}

/*
 * Configure the port with `conf`, set up its queues and start it: what
 * sw_port_setup() does once, or twice when RX interrupts are refused.
 * Sets info's descriptor counts and socket.
 */
static int
bring_up(const struct sw_port_params *p, const struct rte_eth_dev_info *di,
		const struct rte_eth_conf *conf, struct sw_port_info *info,
		char *err, size_t err_len)
{
	uint16_t port = p->port_id;
	uint16_t nb_rxd = p->rx_desc, nb_txd = p->tx_desc;
	int ret, socket;

	ret = rte_eth_dev_configure(port, p->n_queues, p->n_queues, conf);
	if (ret != 0) {
		snprintf(err, err_len, "port %u (%s): configure failed: %s",
			port, info->name, rte_strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret != 0) {
		snprintf(err, err_len, "port %u (%s): descriptors: %s",
			port, info->name, rte_strerror(-ret));
		return ret;
	}
	socket = rte_eth_dev_socket_id(port);
	if (socket < 0)
		socket = (int)rte_socket_id();

	for (uint16_t q = 0; q < p->n_queues; q++) {
		struct rte_eth_rxconf rxc = di->default_rxconf;
		struct rte_eth_txconf txc = di->default_txconf;

		rxc.offloads = conf->rxmode.offloads;
		txc.offloads = conf->txmode.offloads;
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, socket, &rxc,
			p->pools[q]);
		if (ret != 0) {
			snprintf(err, err_len, "port %u (%s): rx queue %u: %s",
				port, info->name, q, rte_strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(port, q, nb_txd, socket, &txc);
		if (ret != 0) {
			snprintf(err, err_len, "port %u (%s): tx queue %u: %s",
				port, info->name, q, rte_strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(port);
	if (ret != 0) {
		snprintf(err, err_len, "port %u (%s): start failed: %s",
			port, info->name, rte_strerror(-ret));
		return ret;
	}
	info->rx_desc = nb_rxd;
	info->tx_desc = nb_txd;
	info->socket_id = socket;
	return 0;
}

int
sw_port_setup(const struct sw_port_params *p, struct sw_port_info *info,
		char *err, size_t err_len)
{
	const uint64_t want_rx = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	const uint64_t want_tx = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	uint8_t rss_key[SW_RSS_KEY_MAX];
	struct rte_eth_dev_info di;
	struct rte_eth_conf conf;
	uint16_t port = p->port_id;
	int ret;

	memset(info, 0, sizeof(*info));
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(port, &di);
	if (ret != 0) {
		snprintf(err, err_len, "port %u: cannot read device info: %s",
			port, rte_strerror(-ret));
		return ret;
	}
	rte_eth_dev_get_name_by_port(port, info->name);
	snprintf(info->driver, sizeof(info->driver), "%s", di.driver_name);

	ret = sw_port_check(port, p->n_queues, err, err_len);
	if (ret != 0)
		return ret;
	/* Without RSS the queues split traffic as the driver likes: the
	 * caller steers flows to their owners in software. */
	rss_setup(&di, p->n_queues, &conf, rss_key);
	info->rss_hf = conf.rx_adv_conf.rss_conf.rss_hf;
	conf.rxmode.offloads = di.rx_offload_capa & want_rx;
	conf.txmode.offloads = di.tx_offload_capa & want_tx;

	/* Link changes as interrupts where the PMD has them; the caller
	 * polls the others. */
	if ((*di.dev_flags & RTE_ETH_DEV_INTR_LSC) && p->lsc_cb != NULL) {
		conf.intr_conf.lsc = 1;
		info->lsc = true;
	}
	sw_port_kernel_iface(port, info->kiface, sizeof(info->kiface));

	if (info->lsc) {
		ret = rte_eth_dev_callback_register(port,
			RTE_ETH_EVENT_INTR_LSC, p->lsc_cb, p->lsc_arg);
		if (ret != 0)
			info->lsc = false;	/* polled like the others */
	}
	/* RX queue interrupts where asked. A PMD may refuse them at
	 * configure, or take them there and refuse them at start (more
	 * queues than it has interrupt vectors): the port is then brought
	 * up again without (it is polled, or slept on). */
	conf.intr_conf.rxq = p->rx_intr;
	ret = bring_up(p, &di, &conf, info, err, err_len);
	if (ret != 0 && conf.intr_conf.rxq) {
		conf.intr_conf.rxq = 0;
		ret = bring_up(p, &di, &conf, info, err, err_len);
	}
	if (ret != 0)
		return ret;
	/* A bump in the wire must see frames for every MAC on the segment. */
	if (p->promiscuous)
		info->promiscuous = rte_eth_promiscuous_enable(port) == 0;
	info->rx_intr = conf.intr_conf.rxq &&
		rx_intr_usable(port, p->n_queues);
	info->rx_offloads = conf.rxmode.offloads;
	info->tx_offloads = conf.txmode.offloads;
	return 0;
}

void
sw_port_link_str(uint16_t port_id, const char *kiface, unsigned int wait_ms,
		char *buf, size_t len)
{
	unsigned int waited = 0;
	char why[64];
	bool up;

	for (;;) {
		up = sw_port_link_state(port_id, kiface, why, sizeof(why));
		if (up || waited >= wait_ms)
			break;
		rte_delay_ms(10);
		waited += 10;
	}
	snprintf(buf, len, "link %s%s%s", up ? "up" : "down", up ? ", " : ": ",
		why);
}

void
sw_port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}
