/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Component test: synwall's worker, as the program runs it, between two
 * net_ring ports. Frames from S_rx_*.pcap go in; what comes out of each
 * port must equal S_tx_*.pcap byte for byte and in order, and the
 * counters must equal S.expect. Vectors: tests/component/gen_vectors.py.
 *
 * usage: test_forward VECTOR_DIR SCENARIO
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sw_app.h"
#include "sw_parse.h"
#include "sw_test.h"

#define FRAMES_MAX	256
#define RING_SIZE	1024
#define WAIT_MS		5000

struct frames {
	unsigned int n;
	uint32_t len[FRAMES_MAX];
	uint8_t *data[FRAMES_MAX];
};

static int
read_pcap(const char *dir, const char *scenario, const char *what,
		struct frames *f)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s_%s.pcap", dir, scenario, what);
	p = pcap_open_offline(path, err);
	if (p == NULL) {
		printf("not ok - cannot open %s: %s\n", path, err);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	while (f->n < FRAMES_MAX && pcap_next_ex(p, &h, &data) == 1) {
		f->len[f->n] = h->caplen;
		f->data[f->n] = malloc(h->caplen);
		if (f->data[f->n] == NULL)
			abort();
		memcpy(f->data[f->n], data, h->caplen);
		f->n++;
	}
	pcap_close(p);
	return 0;
}

static void
free_frames(struct frames *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		free(f->data[i]);
	f->n = 0;
}

static int
inject(struct rte_ring *r, struct rte_mempool *mp, const struct frames *f)
{
	for (unsigned int i = 0; i < f->n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		char *d;

		if (m == NULL)
			return -ENOMEM;
		d = rte_pktmbuf_append(m, (uint16_t)f->len[i]);
		if (d == NULL) {
			rte_pktmbuf_free(m);
			return -ENOSPC;
		}
		memcpy(d, f->data[i], f->len[i]);
		if (rte_ring_enqueue(r, m) != 0) {
			rte_pktmbuf_free(m);
			return -ENOBUFS;
		}
	}
	return 0;
}

/* Drain `r` and compare with `want`, frame by frame. */
static void
compare(const char *port, struct rte_ring *r, const struct frames *want)
{
	void *objs[FRAMES_MAX];
	unsigned int n = rte_ring_dequeue_burst(r, objs, FRAMES_MAX, NULL);

	SW_CHECKF(n == want->n, "%s: %u frames out, %u expected", port, n,
		want->n);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(m);

		if (i < want->n) {
			SW_CHECKF(len == want->len[i],
				"%s frame %u: %u bytes, %u expected", port, i,
				len, want->len[i]);
			if (len == want->len[i] &&
					memcmp(got, want->data[i], len) != 0) {
				uint32_t b = 0;

				while (got[b] == want->data[i][b])
					b++;
				SW_CHECKF(0, "%s frame %u differs at byte %u", port,
					i, b);
			}
		}
		rte_pktmbuf_free(m);
	}
	if (sw_test_failures == 0)
		printf("ok - %s: %u frames byte-exact\n", port, n);
}

static int
counter(const struct sw_counters *c, const char *name, uint64_t *v)
{
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		const struct sw_port_counters *p = &c->port[s];
		size_t l = strlen(sw_side_name(s));

		if (strncmp(name, sw_side_name(s), l) != 0 || name[l] != '.')
			continue;
		name += l + 1;
		if (!strcmp(name, "rx_pkts"))
			*v = p->rx_pkts;
		else if (!strcmp(name, "tx_pkts"))
			*v = p->tx_pkts;
		else
			return -1;
		return 0;
	}
	if (!strcmp(name, "protected_pkts")) {
		*v = c->protected_pkts;
		return 0;
	}
	if (strncmp(name, "syncookie.", 10) == 0) {
		static const struct {
			const char *name;
			size_t off;
		} sc[] = {
#define SC(f) { #f, offsetof(struct sw_syncookie_counters, f) }
			SC(syn_rx), SC(synack_tx), SC(cookie_ok), SC(cookie_bad),
			SC(cookie_expired), SC(reflect_limited), SC(rst_tx),
#undef SC
		};

		for (unsigned int i = 0; i < RTE_DIM(sc); i++)
			if (!strcmp(name + 10, sc[i].name)) {
				memcpy(v, (const char *)&c->sc + sc[i].off,
					sizeof(*v));
				return 0;
			}
	}
	if (strncmp(name, "drop.", 5) == 0) {
		for (unsigned int i = 1; i < SW_PARSE_ERR_MAX; i++)
			if (!strcmp(name + 5, sw_parse_err_name(i))) {
				*v = c->malformed[i];
				return 0;
			}
		for (unsigned int i = 0; i < SW_DROP_MAX; i++)
			if (!strcmp(name + 5, sw_drop_name(i))) {
				*v = c->drop[i];
				return 0;
			}
	}
	return -1;
}

/* The cookie secret and slot the vectors were made with. */
static int
install_keys(struct sw_app *app, const char *dir, const char *s)
{
	char path[512], hex[2 * SW_COOKIE_MASTER_LEN + 1];
	unsigned long long slot = 0;
	char line[256];
	int got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.keys", dir, s);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "master %64s", hex) == 1)
			got |= 1;
		else if (sscanf(line, "slot %llu", &slot) == 1)
			got |= 2;
	}
	fclose(f);
	if (got != 3 || strlen(hex) != sizeof(hex) - 1)
		return -1;
	for (unsigned int i = 0; i < SW_COOKIE_MASTER_LEN; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		app->master[i] = (uint8_t)b;
	}
	sw_app_keys_install(app, slot);
	return 0;
}

/* Wait (bounded) until the worker took everything from `rx`. */
static void
wait_drained(struct rte_ring *rx)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * WAIT_MS / 1000;

	while (!rte_ring_empty(rx) && rte_get_timer_cycles() < end)
		rte_delay_ms(1);
	/* The ring is empty once the burst is taken, not yet processed. */
	rte_delay_ms(20);
}

static void
check_counters(const struct sw_app *app, const char *dir, const char *s)
{
	char path[512], line[256], name[128];
	struct sw_counters c;
	uint64_t want, got = 0;
	FILE *f;

	sw_counters_sum(app->workers, app->n_workers, &c);
	snprintf(path, sizeof(path), "%s/%s.expect", dir, s);
	f = fopen(path, "r");
	SW_CHECKF(f != NULL, "cannot open %s", path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' ||
				sscanf(line, "%127s %" SCNu64, name, &want) != 2)
			continue;
		SW_CHECKF(counter(&c, name, &got) == 0, "unknown counter %s", name);
		SW_CHECKF(got == want, "counter %s = %" PRIu64 ", expected %" PRIu64,
			name, got, want);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	static struct sw_app app;
	struct rte_ring *rx[SW_SIDES], *tx[SW_SIDES];
	struct frames in[SW_SIDES], out[SW_SIDES];
	static const char *const rx_name[] = { "rx_outside", "rx_inside" };
	static const char *const tx_name[] = { "tx_outside", "tx_inside" };
	static const char *const port_name[] = { "sw_out", "sw_in" };
	char prefix[64], path[512], err[SW_ERR_LEN];
	struct rte_mempool *mp;
	const char *dir, *scenario;
	uint64_t deadline;

	if (argc != 3) {
		fprintf(stderr, "usage: %s VECTOR_DIR SCENARIO\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	scenario = argv[2];
	snprintf(prefix, sizeof(prefix), "--file-prefix=swc%d", (int)getpid());
	char *eal[] = { argv[0], "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--no-telemetry", prefix, "-l", "0,1", "--log-level=lib.eal:warning",
		NULL };
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		printf("not ok - EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("test_in", 1023, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		char name[32];

		snprintf(name, sizeof(name), "%s_rx", port_name[s]);
		rx[s] = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "%s_tx", port_name[s]);
		tx[s] = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (mp == NULL || rx[s] == NULL || tx[s] == NULL ||
				rte_eth_from_rings(port_name[s], &rx[s], 1,
					&tx[s], 1, rte_socket_id()) < 0) {
			printf("not ok - ring ports: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
	}

	snprintf(path, sizeof(path), "%s/%s.conf", dir, scenario);
	if (sw_config_load(path, &app.cfg, err, sizeof(err)) != 0) {
		printf("not ok - config: %s\n", err);
		return 1;
	}
	if (sw_app_resolve_ports(&app) != 0 ||
			sw_app_setup_workers(&app) != 0 ||
			sw_app_setup_ports(&app) != 0) {
		printf("not ok - setup failed\n");
		return 1;
	}
	for (unsigned int s = 0; s < SW_SIDES; s++)
		if (read_pcap(dir, scenario, rx_name[s], &in[s]) != 0 ||
				read_pcap(dir, scenario, tx_name[s], &out[s]) != 0)
			return 1;

	SW_CHECKF(install_keys(&app, dir, scenario) == 0, "%s.keys", scenario);
	sw_app_launch(&app);
	/* Outside first, then inside: the order of what leaves the outside
	 * port (replies, then frames from inside) is then fixed. */
	SW_CHECKF(inject(rx[SW_OUTSIDE], mp, &in[SW_OUTSIDE]) == 0, "%s",
		"inject outside");
	wait_drained(rx[SW_OUTSIDE]);
	SW_CHECKF(inject(rx[SW_INSIDE], mp, &in[SW_INSIDE]) == 0, "%s",
		"inject inside");

	/* Wait (bounded) for every expected frame, then a little longer so
	 * that a frame that should not appear has the chance to. */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * WAIT_MS / 1000;
	while (rte_get_timer_cycles() < deadline &&
			(rte_ring_count(tx[SW_OUTSIDE]) < out[SW_OUTSIDE].n ||
			 rte_ring_count(tx[SW_INSIDE]) < out[SW_INSIDE].n ||
			 !rte_ring_empty(rx[SW_OUTSIDE]) ||
			 !rte_ring_empty(rx[SW_INSIDE])))
		rte_delay_ms(1);
	rte_delay_ms(50);
	sw_app_stop(&app);

	for (unsigned int s = 0; s < SW_SIDES; s++)
		compare(tx_name[s], tx[s], &out[s]);
	check_counters(&app, dir, scenario);

	for (unsigned int s = 0; s < SW_SIDES; s++) {
		free_frames(&in[s]);
		free_frames(&out[s]);
	}
	sw_app_free(&app);
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		rte_ring_free(rx[s]);
		rte_ring_free(tx[s]);
	}
	rte_mempool_free(mp);
	/* The EAL leaves its (by now empty) runtime directory behind. */
	snprintf(path, sizeof(path), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(path);
	printf("%s - scenario %s\n", sw_test_failures ? "not ok" : "ok", scenario);
	return sw_test_failures ? 1 : 0;
}
