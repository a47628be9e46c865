/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the engine (lib/engine): what an attacker or a
 * broken peer can send, on either port, at any time, into engines set up
 * as test_engine sets them up from the component vectors (their config,
 * cookie keys and frames, so that valid cookies, handshakes, relayed
 * flows, SNAT, the PROXY header and a cluster peer are reachable).
 *
 * The first input byte picks the scenario; the rest is records:
 *
 *   op & 3 == 0  a raw frame: length (2 bytes, little-endian, at most
 *                1514 and what is left), then its bytes
 *   op & 3 == 1  vector frame `next byte` (modulo their number)
 *   op & 3 == 2  that, one byte changed: index, offset (2 bytes), XOR
 *                mask; a zero mask cuts the frame at the offset instead
 *   op & 3 == 3  time passes: 2^(next byte % 22) ms in 8 polls; or,
 *                with bit 2 set, a cluster message from the peer
 *                (198.51.100.2): op (next byte, 1..5: claim, release,
 *                lookup, sync, hello), about the flow of vector frame
 *                `next byte` as a client sends it; a hello's start id
 *                is that byte
 *
 * Frames go in on side (op >> 2) & 1, queue (op >> 3) & 1 (two-worker
 * scenarios), in bursts of up to 32. What must hold: no crash, no
 * sanitizer report, every frame sent has a valid TX kind and fits its
 * buffer, and after the engines are released every frame came back (no
 * buffer leaks). The engines are set up afresh for every input, so a
 * crash reproduces from its input alone.
 *
 * With SW_FUZZ_ENGINE_SAY set, each input prints its scenario and how
 * far it got (cookies validated, flows made, segments relayed), to see
 * what a corpus reaches: ./fuzz_engine CORPUS_FILES...
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine_io.h"
#include "scenario.h"
#include "sw_app.h"
#include "sw_config.h"
#include "sw_engine.h"
#include "sw_lb.h"
#include "sw_worker.h"

#ifndef SW_FUZZ_VECTORS
#error "SW_FUZZ_VECTORS: the component vectors' directory"
#endif

#define HZ		2000000000ull
#define MS		(HZ / 1000)
#define WORKERS		2
#define BUFS		2048
#define BURST		32
#define FRAME_MAX	1514

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A scenario: its config, keys, lb generation and frames. */
struct fscn {
	const char *name;
	bool cluster;			/* give worker 0 a peer */
	struct sw_app app;
	struct sw_lb lb;
	struct sw_svc_table prev;
	struct sw_cookie_keys keys, *kp;
	struct sw_lb_gen *gen;
	struct scn_frames fr;
	unsigned int workers;
};

static struct fscn scn[] = {
	{ .name = "handshake4" }, { .name = "handshake6" },
	{ .name = "relay_edges" }, { .name = "first_contact" },
	{ .name = "proxy_protocol" }, { .name = "icmp" },
	{ .name = "two_workers" }, { .name = "too_big" },
	{ .name = "lb_handshake4" }, { .name = "lb_handshake6" },
	{ .name = "lb_snat4" }, { .name = "lb_snat6" }, { .name = "lb_arp" },
	{ .name = "lb_handshake4", .cluster = true },
};
#define N_SCN	(sizeof(scn) / sizeof(scn[0]))

static uint64_t now;

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_engine: %s\n", what);
	abort();
}

static void
scn_load(struct fscn *s)
{
	static struct scn_script sc;
	uint8_t master[SW_COOKIE_MASTER_LEN];
	char path[512], err[SW_ERR_LEN] = "";
	uint64_t slot;
	int scripted;

	scripted = scn_read_script(SW_FUZZ_VECTORS, s->name, &sc);
	snprintf(path, sizeof(path), "%s/%s.conf", SW_FUZZ_VECTORS, s->name);
	if (scripted < 0 || sw_config_load(path, &s->app.cfg, err,
			sizeof(err)) != 0 || scn_read_keys(SW_FUZZ_VECTORS,
			s->name, master, &slot) != 0) {
		fprintf(stderr, "fuzz_engine: %s: %s\n", s->name, err);
		exit(1);
	}
	sw_cookie_keys_fill(master, slot, &s->keys);
	s->kp = &s->keys;
	s->lb.prev = &s->prev;
	s->app.lb = &s->lb;
	sw_lb_slots_init(&s->app);
	s->gen = sw_lb_gen_build(&s->app, &eio_gen_mem, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/%s.pcap", SW_FUZZ_VECTORS, s->name);
	if (s->gen == NULL || scripted != 0 ||
			scn_read_pcap_path(path, &s->fr) != 0 || s->fr.n == 0) {
		fprintf(stderr, "fuzz_engine: %s: no generation or frames %s\n",
			s->name, err);
		exit(1);
	}
	s->workers = sc.workers < 1 ? 1 : sc.workers > WORKERS ? WORKERS :
		sc.workers;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (eio_init(BUFS) != 0)
		fail("out of memory");
	eio_fail = fail;
	for (unsigned int i = 0; i < N_SCN; i++)
		scn_load(&scn[i]);
	return 0;
}

/* Fresh engines for scenario s, as app/synwall sets them up. */
static void
engines_up(struct fscn *s)
{
	static const uint8_t peer[4] = { 198, 51, 100, 2 };
	static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };

	now = 1000000 * MS;
	eio_n = s->workers;
	for (unsigned int j = 0; j < eio_n; j++) {
		char err[256];
		struct sw_engine *e = eio_engine_new(j, 0, &s->app.cfg, j,
			eio_n, &s->kp, &s->gen, s->lb.slot, HZ, now, err,
			sizeof(err));

		if (e == NULL) {
			fprintf(stderr, "fuzz_engine: %s: %s\n", s->name, err);
			abort();
		}
		if (s->cluster) {
			e->n_peers = 1;
			e->peers[0].family = AF_INET;
			memcpy(e->peers[0].addr, peer, 4);
			e->peer_timeout = 500 * MS;
			e->boot_id = 0x5357;
			if (sw_neigh_static(&e->neigh, AF_INET, peer,
					peer_mac) != 0)
				fail("no static neighbour for the peer");
		}
	}
}

/*
 * A control frame from the peer (docs/cluster.md, "The messages"): op
 * 1 + op_b % 5, about the flow of vector frame v as its client sends
 * it (IPv4 TCP: the frame's addresses and ports, in the order of its
 * source; anything else gives zeros), or a hello whose id is v.
 */
static uint32_t
peer_msg(const struct fscn *s, uint8_t op_b, uint8_t v, uint8_t *f)
{
	static const uint8_t peer[4] = { 198, 51, 100, 2 };
	static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };
	const uint8_t *in = s->fr.data[v % s->fr.n];
	const uint8_t op = (uint8_t)(1 + op_b % 5);
	uint8_t *m = f + 14;

	memset(f, 0, 78);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	m[0] = 'S';
	m[1] = 'W';
	m[2] = 1;
	m[3] = op;
	m[4] = 4;
	memcpy(m + 8, peer, 4);
	if (op == 5) {
		m[32 + 7] = v;
	} else if (s->fr.len[v % s->fr.n] >= 54 && in[12] == 0x08 &&
			in[13] == 0x00 && in[23] == 6) {
		memcpy(m + 28, in + 34, 2);	/* client port: the source */
		memcpy(m + 30, in + 36, 2);
		memcpy(m + 32, in + 26, 4);	/* client address */
		memcpy(m + 48, in + 30, 4);
	}
	return 78;
}

static void
say(const struct fscn *s)
{
	static const char *const names[] = { "syncookie.synack_tx",
		"syncookie.cookie_ok", "flow.created", "flow.to_server_pkts",
		"flow.to_client_pkts", "cluster.fwd_tx", "cluster.gone_rst" };

	printf("%s%s:", s->name, s->cluster ? "+peer" : "");
	for (unsigned int k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		uint64_t sum = 0;

		for (unsigned int j = 0; j < eio_n; j++) {
			uint64_t v = 0;

			if (scn_counter(&eio_eng[j]->c, names[k], &v) == 0)
				sum += v;
		}
		printf(" %s %llu", names[k], (unsigned long long)sum);
	}
	printf("\n");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_frame *burst[BURST];
	unsigned int n_burst = 0, b_side = 0, b_q = 0;
	struct fscn *s;
	size_t i = 1;

	if (size < 1)
		return 0;
	s = &scn[data[0] % N_SCN];
	engines_up(s);
	while (i < size) {
		const uint8_t op = data[i++];
		const unsigned int side = (op >> 2) & 1;
		const unsigned int q = ((op >> 3) & 1) % eio_n;
		uint8_t frame[FRAME_MAX];
		uint32_t len = 0;
		uint64_t step;

		if ((op & 3) == 3) {
			if (n_burst != 0) {
				sw_engine_process(eio_eng[b_q], (enum sw_side)b_side,
					burst, (uint16_t)n_burst, now);
				n_burst = 0;
				eio_run_inboxes(now);
			}
			if ((op & 4) != 0) {
				if (i + 2 > size)
					break;
				len = peer_msg(s, data[i], data[i + 1], frame);
				i += 2;
				burst[0] = eio_frame(frame, len, SW_INSIDE);
				if (burst[0] != NULL) {
					sw_engine_process(eio_eng[0], SW_INSIDE, burst,
						1, now);
					eio_run_inboxes(now);
				}
				continue;
			}
			if (i >= size)
				break;
			step = (uint64_t)(1u << (data[i++] % 22)) * MS / 8;
			eio_pass(&now, step + 1, 8);
			continue;
		}
		if ((op & 3) == 0) {
			if (i + 2 > size)
				break;
			len = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8;
			i += 2;
			if (len > FRAME_MAX)
				len = FRAME_MAX;
			if (len > size - i)
				len = (uint32_t)(size - i);
			memcpy(frame, data + i, len);
			i += len;
		} else {
			const unsigned int v = i < size ? data[i++] % s->fr.n : 0;

			len = s->fr.len[v] > FRAME_MAX ? FRAME_MAX : s->fr.len[v];
			memcpy(frame, s->fr.data[v], len);
			if ((op & 3) == 2 && i + 3 <= size && len != 0) {
				const uint32_t off = ((uint32_t)data[i] |
					(uint32_t)data[i + 1] << 8) % len;

				if (data[i + 2] == 0)
					len = off;
				else
					frame[off] ^= data[i + 2];
				i += 3;
			}
		}
		if (n_burst != 0 && (side != b_side || q != b_q ||
				n_burst == BURST)) {
			sw_engine_process(eio_eng[b_q], (enum sw_side)b_side, burst,
				(uint16_t)n_burst, now);
			n_burst = 0;
			eio_run_inboxes(now);
		}
		b_side = side;
		b_q = q;
		if ((burst[n_burst] = eio_frame(frame, len,
				(enum sw_side)side)) != NULL)
			n_burst++;
	}
	if (n_burst != 0) {
		sw_engine_process(eio_eng[b_q], (enum sw_side)b_side, burst,
			(uint16_t)n_burst, now);
		eio_run_inboxes(now);
	}
	eio_pass(&now, MS, 2);
	if (getenv("SW_FUZZ_ENGINE_SAY") != NULL)
		say(s);
	for (unsigned int j = 0; j < eio_n; j++)
		sw_engine_release(eio_eng[j]);
	if (eio_bufs_used != 0) {
		fprintf(stderr, "fuzz_engine: %s: %u frames never came back\n",
			s->name, eio_bufs_used);
		abort();
	}
	return 0;
}
