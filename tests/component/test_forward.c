/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Component test: synwall's workers, as the program runs them, between
 * two net_ring ports. Vectors: tests/component/gen_vectors.py.
 *
 * A scenario S is either
 *  - one step (S_rx_outside.pcap, S_rx_inside.pcap in; S_tx_outside.pcap,
 *    S_tx_inside.pcap expected out): the outside frames go in, then the
 *    inside ones; what leaves each port must equal S_tx_*.pcap byte for
 *    byte and in order; or
 *  - a script, S.steps, over the frames of S.pcap in order: a real
 *    exchange is interactive (the client's ACK makes a backend SYN, the
 *    server's SYN-ACK releases the ACK, ...), so each step injects some
 *    frames, waits, and compares what left each port during that step.
 * Either way the counters must then equal S.expect.
 *
 * S.steps, one directive a line ('#' starts a comment):
 *   workers N              worker lcores (first line; default 1), each
 *                          with its own queue on both ports
 *   step NAME [wait MS]    a new step; MS: sleep after injecting, so that
 *                          timers fire within the step
 *   in outside|inside [Q]  the next frame of S.pcap goes in on queue Q
 *   out outside|inside     the next frame of S.pcap must leave that port
 *   expect COUNTER VALUE   checked once the step's frames are out
 *
 * With several queues, what one worker sends keeps its order but two
 * workers' frames interleave freely: a port's expected frames must then
 * be an interleaving of what each TX queue holds (scenarios keep frames
 * that could be confused apart in different steps).
 *
 * SW_COMPONENT_DUMP=DIR writes what left the ports in a failing step to
 * DIR/S-STEP-PORT.pcap, to read with tcpdump or wireshark.
 *
 * usage: test_forward VECTOR_DIR SCENARIO
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stddef.h>
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

#include "scenario.h"
#include "sw_app.h"
#include "sw_parse.h"
#include "sw_test.h"

#define RING_SIZE	1024
#define WAIT_MS		5000	/* at most, for frames that should come */
#define SETTLE_MS	50	/* then, for frames that should not */

/* The test's rings: rx[side][q] feeds the port, tx[side][q] drains it. */
struct rings {
	unsigned int n_queues;
	struct rte_ring *rx[SW_SIDES][SCN_QUEUES_MAX];
	struct rte_ring *tx[SW_SIDES][SCN_QUEUES_MAX];
};

static const char *const port_name[] = { "sw_out", "sw_in" };
static const char *dump_dir;

static int
inject_one(struct rte_ring *r, struct rte_mempool *mp, const uint8_t *data,
		uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *d;

	if (m == NULL)
		return -ENOMEM;
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	memcpy(d, data, len);
	if (rte_ring_enqueue(r, m) != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

static int
inject(struct rte_ring *r, struct rte_mempool *mp, const struct scn_frames *f)
{
	for (unsigned int i = 0; i < f->n; i++) {
		int ret = inject_one(r, mp, f->data[i], f->len[i]);

		if (ret != 0)
			return ret;
	}
	return 0;
}

/* Sleep, not spin: on a small machine the workers need the CPUs. */
static void
sleep_ms(unsigned int ms)
{
	usleep(ms * 1000u);
}

static uint64_t
deadline_in(unsigned int ms)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
}

/* Wait (bounded) until the worker took everything from `rx`. */
static void
wait_drained(struct rte_ring *rx)
{
	uint64_t end = deadline_in(WAIT_MS);

	while (!rte_ring_empty(rx) && rte_get_timer_cycles() < end)
		sleep_ms(1);
	/* The ring is empty once the burst is taken, not yet processed. */
	sleep_ms(20);
}

static bool
rx_empty(const struct rings *rg)
{
	for (unsigned int s = 0; s < SW_SIDES; s++)
		for (unsigned int q = 0; q < rg->n_queues; q++)
			if (!rte_ring_empty(rg->rx[s][q]))
				return false;
	return true;
}

static unsigned int
tx_count(const struct rings *rg, unsigned int side)
{
	unsigned int n = 0;

	for (unsigned int q = 0; q < rg->n_queues; q++)
		n += rte_ring_count(rg->tx[side][q]);
	return n;
}

/*
 * Wait (bounded) until every expected frame is out, then a little
 * longer so that a frame that should not appear has the chance to.
 */
static void
wait_out(const struct rings *rg, const unsigned int want[SW_SIDES])
{
	uint64_t end = deadline_in(WAIT_MS);

	while (rte_get_timer_cycles() < end &&
			(tx_count(rg, SW_OUTSIDE) < want[SW_OUTSIDE] ||
			 tx_count(rg, SW_INSIDE) < want[SW_INSIDE] ||
			 !rx_empty(rg)))
		sleep_ms(1);
	sleep_ms(SETTLE_MS);
}

static void
hexdump(const char *what, const uint8_t *d, uint32_t len)
{
	fprintf(stderr, "  %s (%u bytes):", what, len);
	for (uint32_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n    ", d[i]);
	fprintf(stderr, "\n");
}

static void
dump_pcap(const char *scenario, const char *step, const char *port,
		struct rte_mbuf *const *m, unsigned int n)
{
	struct pcap_pkthdr h = { .ts = { 0, 0 } };
	char path[512];
	pcap_dumper_t *d;
	pcap_t *p;

	if (dump_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s-%s-%s.pcap", dump_dir, scenario,
		step, port);
	p = pcap_open_dead(DLT_EN10MB, 65535);
	d = p == NULL ? NULL : pcap_dump_open(p, path);
	if (d == NULL) {
		fprintf(stderr, "cannot write %s\n", path);
	} else {
		for (unsigned int i = 0; i < n; i++) {
			h.caplen = h.len = rte_pktmbuf_data_len(m[i]);
			pcap_dump((u_char *)d, &h,
				rte_pktmbuf_mtod(m[i], const u_char *));
		}
		pcap_dump_close(d);
		fprintf(stderr, "  got frames written to %s\n", path);
	}
	if (p != NULL)
		pcap_close(p);
}

static bool
same(struct rte_mbuf *m, const uint8_t *want, uint32_t len)
{
	return rte_pktmbuf_data_len(m) == len &&
		memcmp(rte_pktmbuf_mtod(m, const uint8_t *), want, len) == 0;
}

/* Say how `m` differs from the frame it should have been. */
static void
explain(const char *port, unsigned int i, struct rte_mbuf *m,
		const uint8_t *want, uint32_t want_len)
{
	const uint8_t *got = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), b = 0;

	while (b < len && b < want_len && got[b] == want[b])
		b++;
	SW_CHECKF(0,
		"%s frame %u: %u bytes, %u expected, first difference at byte %u",
		port, i, len, want_len, b);
	hexdump("got", got, len);
	hexdump("expected", want, want_len);
}

/*
 * Drain the TX rings of one port and compare with want[0..n): each
 * ring's frames in order, interleaved in any way across rings.
 */
static void
compare_port(const char *scenario, const char *step, const char *port,
		struct rte_ring *const *tx, unsigned int n_queues,
		const uint8_t *const *want, const uint32_t *want_len,
		unsigned int n)
{
	static struct rte_mbuf *got[SCN_QUEUES_MAX][SCN_FRAMES_MAX];
	struct rte_mbuf *all[SCN_QUEUES_MAX * SCN_FRAMES_MAX];
	unsigned int n_got[SCN_QUEUES_MAX], head[SCN_QUEUES_MAX] = { 0 };
	unsigned int total = 0, n_all = 0;
	unsigned long before = sw_test_failures;

	for (unsigned int q = 0; q < n_queues; q++) {
		n_got[q] = rte_ring_dequeue_burst(tx[q], (void **)got[q],
			SCN_FRAMES_MAX, NULL);
		total += n_got[q];
		for (unsigned int i = 0; i < n_got[q]; i++)
			all[n_all++] = got[q][i];
	}
	SW_CHECKF(total == n, "%s: step %s: %s: %u frames out, %u expected",
		scenario, step, port, total, n);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int q;

		/* The first queue whose next frame is this one. */
		for (q = 0; q < n_queues; q++)
			if (head[q] < n_got[q] &&
					same(got[q][head[q]], want[i], want_len[i]))
				break;
		if (q < n_queues) {
			head[q]++;
			continue;
		}
		/* None: show the nearest candidate, then stop comparing. */
		for (q = 0; q < n_queues; q++)
			if (head[q] < n_got[q]) {
				fprintf(stderr, "%s: step %s:\n", scenario, step);
				explain(port, i, got[q][head[q]], want[i],
					want_len[i]);
				break;
			}
		if (q == n_queues)
			SW_CHECKF(0, "%s: step %s: %s frame %u missing",
				scenario, step, port, i);
		break;
	}
	if (sw_test_failures == before)
		printf("ok - %s: step %s: %s: %u frames byte-exact\n", scenario,
			step, port, n);
	else
		dump_pcap(scenario, step, port, all, n_all);
	for (unsigned int i = 0; i < n_all; i++)
		rte_pktmbuf_free(all[i]);
}

/* The cookie secret and slot the vectors were made with. */
static int
install_keys(struct sw_app *app, const char *dir, const char *s)
{
	uint64_t slot;

	if (scn_read_keys(dir, s, app->master, &slot) != 0)
		return -1;
	sw_app_keys_install(app, slot);
	return 0;
}

static void
check_counters(const struct sw_app *app, const char *dir, const char *s)
{
	struct sw_counters c;

	sw_counters_sum(app->workers, app->n_workers, &c);
	SW_CHECKF(scn_check_expect(&c, dir, s) == 0, "%s.expect", s);
}

/* The old shape: outside frames, then inside frames, one comparison. */
static void
run_single(struct sw_app *app, const struct rings *rg,
		struct rte_mempool *mp, const char *dir, const char *scenario)
{
	static const char *const rx_name[] = { "rx_outside", "rx_inside" };
	static const char *const tx_name[] = { "tx_outside", "tx_inside" };
	struct scn_frames in[SW_SIDES], out[SW_SIDES];
	unsigned int want[SW_SIDES];

	for (unsigned int s = 0; s < SW_SIDES; s++)
		if (scn_read_pcap(dir, scenario, rx_name[s], &in[s]) != 0 ||
				scn_read_pcap(dir, scenario, tx_name[s], &out[s]) != 0)
			exit(1);
	sw_app_launch(app);
	/* Outside first, then inside: the order of what leaves the outside
	 * port (replies, then frames from inside) is then fixed. */
	SW_CHECKF(inject(rg->rx[SW_OUTSIDE][0], mp, &in[SW_OUTSIDE]) == 0,
		"%s", "inject outside");
	wait_drained(rg->rx[SW_OUTSIDE][0]);
	SW_CHECKF(inject(rg->rx[SW_INSIDE][0], mp, &in[SW_INSIDE]) == 0,
		"%s", "inject inside");
	for (unsigned int s = 0; s < SW_SIDES; s++)
		want[s] = out[s].n;
	wait_out(rg, want);
	sw_app_stop(app);
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		compare_port(scenario, "1", tx_name[s], rg->tx[s], 1,
			(const uint8_t *const *)out[s].data, out[s].len,
			out[s].n);
		scn_free_frames(&in[s]);
		scn_free_frames(&out[s]);
	}
}

static void
run_step(struct sw_app *app, const struct rings *rg, struct rte_mempool *mp,
		const char *scenario, const struct scn_script *sc,
		const struct scn_step *st, const struct scn_frames *fr)
{
	static const char *const tx_name[] = { "tx_outside", "tx_inside" };
	const uint8_t *want[SW_SIDES][SCN_FRAMES_MAX];
	uint32_t want_len[SW_SIDES][SCN_FRAMES_MAX];
	unsigned int n_want[SW_SIDES] = { 0, 0 };
	struct rte_ring *last = NULL;
	struct sw_counters c;
	char where[160];

	for (unsigned int i = st->first; i < st->first + st->n_io; i++) {
		const struct scn_io *io = &sc->io[i];
		struct rte_ring *r = rg->rx[io->side][io->queue];

		if (io->frame >= fr->n) {
			SW_CHECKF(0, "%s: step %s: frame %u not in the pcap",
				scenario, st->name, io->frame);
			return;
		}
		if (!io->in) {
			want[io->side][n_want[io->side]] = fr->data[io->frame];
			want_len[io->side][n_want[io->side]++] =
				fr->len[io->frame];
			continue;
		}
		/* Frames keep their order within a queue; across queues,
		 * one is taken before the next goes in. */
		if (last != NULL && last != r)
			wait_drained(last);
		SW_CHECKF(inject_one(r, mp, fr->data[io->frame],
			fr->len[io->frame]) == 0, "%s: step %s: inject frame %u",
			scenario, st->name, io->frame);
		last = r;
	}
	if (last != NULL)
		wait_drained(last);
	if (st->wait_ms != 0)
		sleep_ms(st->wait_ms);
	wait_out(rg, n_want);
	for (unsigned int s = 0; s < SW_SIDES; s++)
		compare_port(scenario, st->name, tx_name[s], rg->tx[s],
			rg->n_queues, want[s], want_len[s], n_want[s]);
	/* Live counters: the workers are idle by now, and a 64-bit load
	 * sees a whole value. */
	sw_counters_sum(app->workers, app->n_workers, &c);
	snprintf(where, sizeof(where), "%s: step %s", scenario, st->name);
	for (unsigned int i = 0; i < st->n_expect; i++)
		SW_CHECKF(scn_check_counter(&c, where, st->expect[i].name,
			st->expect[i].value) == 0, "%s", where);
}

static void
run_script(struct sw_app *app, const struct rings *rg,
		struct rte_mempool *mp, const char *dir, const char *scenario,
		const struct scn_script *sc)
{
	static struct scn_frames fr;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.pcap", dir, scenario);
	if (scn_read_pcap_path(path, &fr) != 0)
		exit(1);
	SW_CHECKF(fr.n == sc->n_io, "%s: %u frames in the pcap, %u in the steps",
		scenario, fr.n, sc->n_io);
	sw_app_launch(app);
	for (unsigned int i = 0; i < sc->n_steps; i++)
		run_step(app, rg, mp, scenario, sc, &sc->step[i], &fr);
	sw_app_stop(app);
	scn_free_frames(&fr);
}

/*
 * "-l 0,1,...": the main lcore and one per worker. On a machine with
 * fewer CPUs than that, lcores share CPUs (--lcores): the test sleeps
 * while it waits, so the workers still get to run.
 */
static void
lcores_arg(unsigned int workers, char *buf, size_t len)
{
	unsigned int cpus[SCN_QUEUES_MAX + 1], n_cpus = 0;
	size_t used;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (unsigned int c = 0; c < CPU_SETSIZE &&
				n_cpus <= workers; c++)
			if (CPU_ISSET(c, &set))
				cpus[n_cpus++] = c;
	if (n_cpus == 0)
		cpus[n_cpus++] = 0;
	used = (size_t)snprintf(buf, len, "--lcores=");
	for (unsigned int l = 0; l <= workers && used < len; l++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u@%u",
			l ? "," : "", l, cpus[l % n_cpus]);
}

int
main(int argc, char **argv)
{
	static struct sw_app app;
	static struct scn_script sc;
	struct rings rg = { .n_queues = 1 };
	char prefix[64], lcores[128], path[512], err[SW_ERR_LEN];
	struct rte_mempool *mp;
	const char *dir, *scenario;
	int scripted;

	if (argc != 3) {
		fprintf(stderr, "usage: %s VECTOR_DIR SCENARIO\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	scenario = argv[2];
	dump_dir = getenv("SW_COMPONENT_DUMP");
	scripted = scn_read_script(dir, scenario, &sc);
	if (scripted < 0)
		return 1;
	scripted = scripted == 0;
	rg.n_queues = sc.workers;
	lcores_arg(sc.workers, lcores, sizeof(lcores));
	snprintf(prefix, sizeof(prefix), "--file-prefix=swc%d", (int)getpid());
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--no-telemetry", prefix, lcores,
		"--log-level=lib.eal:warning", NULL };
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0) {
		printf("not ok - EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("test_in", 2047, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		for (unsigned int q = 0; q < rg.n_queues; q++) {
			char name[32];

			snprintf(name, sizeof(name), "%s_rx%u", port_name[s], q);
			rg.rx[s][q] = rte_ring_create(name, RING_SIZE,
				(int)rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(name, sizeof(name), "%s_tx%u", port_name[s], q);
			rg.tx[s][q] = rte_ring_create(name, RING_SIZE,
				(int)rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rg.rx[s][q] == NULL || rg.tx[s][q] == NULL)
				break;
		}
		if (mp == NULL || rg.rx[s][rg.n_queues - 1] == NULL ||
				rg.tx[s][rg.n_queues - 1] == NULL ||
				rte_eth_from_rings(port_name[s], rg.rx[s],
					rg.n_queues, rg.tx[s], rg.n_queues,
					rte_socket_id()) < 0) {
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
	SW_CHECKF(app.n_workers == rg.n_queues, "%u workers, %u expected",
		app.n_workers, rg.n_queues);
	SW_CHECKF(install_keys(&app, dir, scenario) == 0, "%s.keys", scenario);
	if (scripted)
		run_script(&app, &rg, mp, dir, scenario, &sc);
	else
		run_single(&app, &rg, mp, dir, scenario);
	check_counters(&app, dir, scenario);
	/* Which way flows crossed depends on the flow hash: say it. */
	for (unsigned int i = 0; app.n_workers > 1 && i < app.n_workers; i++)
		printf("# worker %u: %" PRIu64 " packets steered to their owner\n",
			i, app.workers[i].e.c.flow.steered);

	sw_app_free(&app);
	for (unsigned int s = 0; s < SW_SIDES; s++)
		for (unsigned int q = 0; q < rg.n_queues; q++) {
			rte_ring_free(rg.rx[s][q]);
			rte_ring_free(rg.tx[s][q]);
		}
	rte_mempool_free(mp);
	/* The EAL leaves its (by now empty) runtime directory behind. */
	snprintf(path, sizeof(path), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(path);
	printf("%s - scenario %s\n", sw_test_failures ? "not ok" : "ok", scenario);
	return sw_test_failures ? 1 : 0;
}
