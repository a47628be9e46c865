/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synwall-bench [EAL options] -- --mode MODE [options]
 *
 * The main lcore generates and meters; the DUT runs on the others (or
 * in another process). A line of per-port rates every --stats-period,
 * then a summary (and --json): the rates over the measured window, the
 * DUT's own busy cycles per packet, the engine's figures, and whether
 * every packet is accounted for.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "sw_port.h"
#include "swb.h"

static const struct swb_engine *const engines[] = {
	&swb_synflood, &swb_ackflood, &swb_handshake, &swb_relay,
};

struct opts {
	const char *conf;
	const char *ports;
	const char *json;
	double period;
	double setup_timeout;
	double wait_down;		/* external: wait for the peer to leave */
	uint32_t mbufs;
	bool check;
};

static volatile sig_atomic_t sig_stop;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	sig_stop++;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: synwall-bench [EAL options] -- --mode MODE [options]\n"
		"Modes:\n");
	for (size_t i = 0; i < RTE_DIM(engines); i++)
		fprintf(out, "  %-10s %s\n", engines[i]->name, engines[i]->what);
	fprintf(out,
		"Options:\n"
		"  --dut synwall|5tswap|io|rxonly|external\n"
		"                      synwall (default) or a reference loop on the other lcores,\n"
		"                      linked by net_ring pairs; external: --ports of this EAL\n"
		"  -c, --config FILE   synwall's config (--dut synwall); default: protect --server\n"
		"  --ports OUT,IN      external: outside and inside ports (ids or names; 0,1)\n"
		"  --telemetry PREFIX  external: read synwall's counters from its telemetry\n"
		"                      (its --file-prefix): cycles/pkt and the accounting\n"
		"  --wait-link-down S  external: after the summary, wait up to S s for the\n"
		"                      DUT to close its ports before closing ours (memif)\n"
		"  --server IP:PORT    the protected server (192.0.2.80:80); with --lb the VIP\n"
		"  --ipv6              synflood over IPv6: from 2001:2::/48 to 2001:db8::80\n"
		"  --idle poll|adaptive  the workers' [worker] idle, in the bench's own config\n"
		"  --lb                synwall in lb mode (docs/lb.md), with the bench's own config:\n"
		"                      the VIP --server in front of one backend (--backend), static\n"
		"                      neighbours, no health checks; --dut synwall, no -c\n"
		"  --backend IP[:PORT] lb: the backend the inside port plays (198.51.100.11, the\n"
		"                      VIP's port); implies --lb\n"
		"  --snat              relay, lb: the service's nat = snat (docs/lb.md): the backend\n"
		"                      sees synwall's inside address and a local port per flow\n"
		"                      (--flows at most 60000: one worker's ports); implies --lb\n"
		"  --seconds S         measured window (5)\n"
		"  --rate N            packets/s (connections/s for handshake); 0 = all it can (0)\n"
		"  --flows N           relay: open flows (65536); handshake: flows kept open (0)\n"
		"  --concurrency N     connections between SYN and end at once (256)\n"
		"  --payload N         data bytes per segment (64)\n"
		"  --burst N           packets per burst (32)\n"
		"  --sample N          check every Nth answer (1)\n"
		"  --mbufs N           the bench's mbuf pool (65535)\n"
		"  --stats-period S    seconds between rate lines, 0 = none (1)\n"
		"  --setup-timeout S   longest time to open --flows (120)\n"
		"  --json FILE         the summary as JSON (- = stdout; text then goes to stderr)\n"
		"  --check             exit 3 when the counters do not add up\n");
}

/* IPv4:PORT, or with port_optional IPv4 alone (*port then 0). */
static int
parse_addr_port(const char *s, bool port_optional, uint32_t *ip,
		uint16_t *port)
{
	char buf[64], *colon, *end = NULL;
	struct in_addr a;
	unsigned long n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (colon == NULL && !port_optional)
		return -1;
	if (colon != NULL) {
		*colon = '\0';
		n = strtoul(colon + 1, &end, 10);
		if (*end != '\0' || n == 0 || n > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*ip = a.s_addr;
	*port = (uint16_t)n;
	return 0;
}

static int
parse_server(const char *s, struct swb *b)
{
	return parse_addr_port(s, false, &b->dst_ip, &b->dst_port);
}

/*
 * --lb's addresses (dut.c's lb_conf): the VIP's /24 is synwall's
 * outside subnet, the backend's /24 its inside one; they must be apart,
 * and apart from the clients' 198.18.0.0/15, which must stay off-link
 * (reached by the gateway, whose MAC is static).
 */
static int
check_lb(const struct swb *b, const struct opts *o)
{
	const uint32_t vip = rte_be_to_cpu_32(b->dst_ip);
	const uint32_t be = rte_be_to_cpu_32(b->srv_ip);
	const uint32_t m24 = UINT32_C(0xffffff00);

	if (b->dut != SWB_DUT_SYNWALL || o->conf != NULL) {
		fprintf(stderr,
			"synwall-bench: --lb runs synwall in this process with the bench's own lb config: --dut synwall, and no -c\n");
		return -1;
	}
	if ((vip & m24) == (be & m24) || (vip & SWB_NET_MASK) == SWB_NET ||
			(be & SWB_NET_MASK) == SWB_NET) {
		fprintf(stderr,
			"synwall-bench: --lb: the VIP (--server) and the backend (--backend) need /24s of their own, outside the clients' 198.18.0.0/15\n");
		return -1;
	}
	return 0;
}

static int
parse_u64(const char *name, const char *s, uint64_t lo, uint64_t hi,
		uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0' || x < lo || x > hi) {
		fprintf(stderr, "synwall-bench: --%s %s: must be %" PRIu64
			"..%" PRIu64 "\n", name, s, lo, hi);
		return -1;
	}
	*v = x;
	return 0;
}

static int
parse_args(int argc, char **argv, struct swb *b, struct opts *o)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "dut", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "ports", required_argument, NULL, 'P' },
		{ "server", required_argument, NULL, 'S' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "flows", required_argument, NULL, 'f' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "payload", required_argument, NULL, 'p' },
		{ "burst", required_argument, NULL, 'b' },
		{ "sample", required_argument, NULL, 'x' },
		{ "mbufs", required_argument, NULL, 'M' },
		{ "stats-period", required_argument, NULL, 'T' },
		{ "setup-timeout", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "telemetry", required_argument, NULL, 't' },
		{ "wait-link-down", required_argument, NULL, 'w' },
		{ "check", no_argument, NULL, 'k' },
		{ "lb", no_argument, NULL, 'L' },
		{ "snat", no_argument, NULL, 'N' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "idle", required_argument, NULL, 'I' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool flows_set = false;
	uint64_t v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			for (size_t i = 0; i < RTE_DIM(engines); i++)
				if (strcmp(optarg, engines[i]->name) == 0)
					b->eng = engines[i];
			if (b->eng == NULL) {
				fprintf(stderr, "synwall-bench: --mode %s: unknown\n",
					optarg);
				return -1;
			}
			break;
		case 'd':
			for (int d = SWB_DUT_SYNWALL; d <= SWB_DUT_EXTERNAL; d++)
				if (strcmp(optarg, swb_dut_name(d)) == 0)
					b->dut = d;
			if (strcmp(optarg, swb_dut_name(b->dut)) != 0) {
				fprintf(stderr, "synwall-bench: --dut %s: unknown\n",
					optarg);
				return -1;
			}
			break;
		case 'c': o->conf = optarg; break;
		case 'L': b->lb = true; break;
		case 'N': b->lb = b->snat = true; break;
		case '6': b->v6 = true; break;
		case 'I':
			if (strcmp(optarg, "poll") != 0 &&
					strcmp(optarg, "adaptive") != 0) {
				fprintf(stderr, "synwall-bench: --idle %s: want poll or adaptive\n",
					optarg);
				return -1;
			}
			b->idle = optarg;
			break;
		case 'B':
			if (parse_addr_port(optarg, true, &b->srv_ip,
					&b->srv_port) != 0) {
				fprintf(stderr, "synwall-bench: --backend %s: want IPv4[:PORT]\n",
					optarg);
				return -1;
			}
			b->lb = true;
			break;
		case 'P': o->ports = optarg; break;
		case 'S':
			if (parse_server(optarg, b) != 0) {
				fprintf(stderr, "synwall-bench: --server %s: want IPv4:PORT\n",
					optarg);
				return -1;
			}
			break;
		case 's':
		case 'T':
		case 'w':
		case 'o': {
			char *end;
			double d = strtod(optarg, &end);

			if (*end != '\0' || d < 0 || d > 86400 ||
					(opt == 's' && d == 0)) {
				fprintf(stderr, "synwall-bench: bad time %s\n", optarg);
				return -1;
			}
			if (opt == 's')
				b->seconds = d;
			else if (opt == 'T')
				o->period = d;
			else if (opt == 'w')
				o->wait_down = d;
			else
				o->setup_timeout = d;
			break;
		}
		case 'r':
			if (parse_u64("rate", optarg, 0, UINT64_C(1) << 40, &b->rate))
				return -1;
			break;
		case 'f':
			if (parse_u64("flows", optarg, 0, 1u << 26, &v))
				return -1;
			b->flows = (uint32_t)v;
			flows_set = true;
			break;
		case 'C':
			if (parse_u64("concurrency", optarg, 1, 1u << 20, &v))
				return -1;
			b->concurrency = (uint32_t)v;
			break;
		case 'p':
			if (parse_u64("payload", optarg, 1, 1400, &v))
				return -1;
			b->payload = (uint16_t)v;
			break;
		case 'b':
			if (parse_u64("burst", optarg, 1, SWB_BURST_MAX, &v))
				return -1;
			b->burst = (uint16_t)v;
			break;
		case 'x':
			if (parse_u64("sample", optarg, 1, UINT32_MAX, &v))
				return -1;
			b->sample = (uint32_t)v;
			break;
		case 'M':
			if (parse_u64("mbufs", optarg, 1024, 1u << 24, &v))
				return -1;
			o->mbufs = (uint32_t)v;
			break;
		case 'j': o->json = optarg; break;
		case 't': b->telemetry = optarg; break;
		case 'k': o->check = true; break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "synwall-bench: unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	if (b->eng == NULL) {
		fprintf(stderr, "synwall-bench: --mode is required\n");
		usage(stderr);
		return -1;
	}
	/* The servers: the protected address itself, or in lb mode the
	 * backend (keeping the VIP's port unless --backend names one). */
	if (!b->lb) {
		b->srv_ip = b->dst_ip;
		b->srv_port = b->dst_port;
	} else {
		if (b->srv_ip == 0)
			b->srv_ip = htonl(0xc633640b);	/* 198.51.100.11 */
		if (b->srv_port == 0)
			b->srv_port = b->dst_port;
		b->hops = 1;
		if (check_lb(b, o) != 0)
			return -1;
		/* dut.c's lb_conf: the inside address, .1 of the backend's
		 * /24 (.2 when that is the backend), the default
		 * snat_address. */
		b->snat_ip = htonl((ntohl(b->srv_ip) & UINT32_C(0xffffff00)) |
			((ntohl(b->srv_ip) & 255) == 1 ? 2 : 1));
	}
	if (b->v6 && (b->eng != &swb_synflood || b->lb ||
			b->dut == SWB_DUT_EXTERNAL)) {
		fprintf(stderr, "synwall-bench: --ipv6 is for --mode synflood, inline, in this process\n");
		return -1;
	}
	if (b->idle != NULL && (b->dut != SWB_DUT_SYNWALL || o->conf != NULL)) {
		fprintf(stderr, "synwall-bench: --idle sets the bench's own config: --dut synwall, and no -c\n");
		return -1;
	}
	if (b->eng == &swb_relay && !flows_set)
		b->flows = 65536;
	if (b->eng == &swb_relay && b->flows == 0) {
		fprintf(stderr, "synwall-bench: --mode relay needs --flows >= 1\n");
		return -1;
	}
	/* Each flow holds a local port of its worker's slice of [lb]
	 * snat_ports (1024-64511) for its life: relay keeps them all. */
	if (b->snat && (b->eng != &swb_relay || b->flows > 60000)) {
		fprintf(stderr, "synwall-bench: --snat is for --mode relay with --flows up to 60000 (the local ports of [lb] snat_ports)\n");
		return -1;
	}
	if (b->eng->needs_synwall && b->dut != SWB_DUT_SYNWALL &&
			b->dut != SWB_DUT_EXTERNAL) {
		fprintf(stderr,
			"synwall-bench: --mode %s needs a proxy to talk to: --dut synwall or external\n",
			b->eng->name);
		return -1;
	}
	return 0;
}

/* "synwall", "synwall (lb)", "synwall (lb, snat)", "5tswap", ... */
static const char *
dut_label(const struct swb *b)
{
	if (b->snat)
		return "synwall (lb, snat)";
	return b->lb ? "synwall (lb)" : swb_dut_name(b->dut);
}

static uint64_t
bench_tx(const struct swb *b)
{
	return b->ps[SW_OUTSIDE].tx + b->ps[SW_INSIDE].tx;
}

static uint64_t
bench_rx(const struct swb *b)
{
	return b->ps[SW_OUTSIDE].rx + b->ps[SW_INSIDE].rx;
}

/*
 * Every packet the bench handed over is accounted for by the DUT, and
 * inside synwall every packet it received or made has gone somewhere:
 * sent, dropped by reason, malformed, consumed, or held now. In lb mode
 * "made" and "held" include its ARP/ND and health checks and packets
 * waiting for a next hop's MAC (swb_dut_read() explains).
 */
static int
account(struct swb *b, const struct swb_dut_stats *d, bool have_dut,
		char *why, size_t len)
{
	if (bench_tx(b) == 0) {
		snprintf(why, len, "nothing was sent: %" PRIu64
			" packets refused by the ports (link down?)",
			b->ps[SW_OUTSIDE].tx_full + b->ps[SW_INSIDE].tx_full);
		return -1;
	}
	if (have_dut) {
		if (d->rx != bench_tx(b) || d->tx != bench_rx(b)) {
			snprintf(why, len, "bench sent %" PRIu64 ", DUT received %"
				PRIu64 "; DUT sent %" PRIu64 ", bench received %"
				PRIu64, bench_tx(b), d->rx, d->tx, bench_rx(b));
			return -1;
		}
		if (b->dut != SWB_DUT_5TSWAP && b->dut != SWB_DUT_IO &&
				b->dut != SWB_DUT_RXONLY &&
				d->rx + d->originated !=
				d->tx + d->drops + d->malformed + d->consumed +
				d->holding) {
			snprintf(why, len, "synwall: received %" PRIu64
				" + made %" PRIu64 " != sent %" PRIu64
				" + dropped %" PRIu64 " + malformed %" PRIu64
				" + consumed %" PRIu64 " + holding %" PRIu64,
				d->rx, d->originated, d->tx, d->drops,
				d->malformed, d->consumed, d->holding);
			return -1;
		}
	}
	/* Without the DUT's counters, the engine checks what it saw. */
	if (b->dut == SWB_DUT_SYNWALL || b->dut == SWB_DUT_EXTERNAL)
		return b->eng->account(b, have_dut ? d : NULL, why, len);
	return 0;
}

static void
rate_line(FILE *out, struct swb *b, double t, const struct swb_port_stats *pp,
		const struct swb_dut_stats *dp, double dt)
{
	struct swb_dut_stats d;

	fprintf(out, "[%6.1fs]", t);
	for (unsigned int s = 0; s < SW_SIDES; s++)
		fprintf(out, " %s tx %7.3f rx %7.3f Mpps%s", sw_side_name(s),
			(b->ps[s].tx - pp[s].tx) / dt / 1e6,
			(b->ps[s].rx - pp[s].rx) / dt / 1e6,
			s == SW_OUTSIDE ? " |" : "");
	if (swb_dut_read(b, &d)) {
		uint64_t rx = d.rx - dp->rx;

		fprintf(out, " | DUT rx %7.3f Mpps", rx / dt / 1e6);
		if (rx != 0)
			fprintf(out, ", %.0f cycles/pkt",
				(double)(d.busy_cycles - dp->busy_cycles) / rx);
	}
	fprintf(out, "%s\n", b->generating ? "" : " (draining)");
	fflush(out);
}

struct put_ctx {
	FILE *text;
	FILE *json;
	bool first;
};

static void
put_text(void *arg, const char *name, double v, const char *unit)
{
	struct put_ctx *c = arg;

	fprintf(c->text, "  %-24s %.*f %s\n", name, v == (uint64_t)v ? 0 : 2,
		v, unit);
}

static void
put_json(void *arg, const char *name, double v, const char *unit)
{
	struct put_ctx *c = arg;

	RTE_SET_USED(unit);
	fprintf(c->json, "%s\n    \"%s\": %.*f", c->first ? "" : ",", name,
		v == (uint64_t)v ? 0 : 3, v);
	c->first = false;
}

static void
cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && c != NULL) {
			snprintf(buf, len, "%s", c + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

/* The summary, as text and (optionally) JSON. */
static void
summary(struct swb *b, const struct opts *o, FILE *text,
		const struct swb_port_stats *p0, const struct swb_port_stats *p1,
		bool have_dut, int acc, const char *why)
{
	const double secs = b->measured_seconds;
	const struct swb_dut_stats *dd = &b->dut_delta;
	struct put_ctx pc = { .text = text, .first = true };
	uint32_t f4 = 0, f6 = 0;
	uint64_t mem = 0;
	char cpu[128];
	FILE *js = NULL;

	cpu_model(cpu, sizeof(cpu));
	if (b->dut == SWB_DUT_EXTERNAL)
		fprintf(text, "\nsynwall-bench: %s against an external DUT%s%s%s, %.1f s measured\n",
			b->eng->name, b->telemetry ? " (synwall, telemetry " : "",
			b->telemetry ? b->telemetry : "",
			b->telemetry ? ")" : "", secs);
	else
		fprintf(text, "\nsynwall-bench: %s against %s, %u DUT lcore%s, %.1f s measured\n",
			b->eng->name, dut_label(b), rte_lcore_count() - 1,
			rte_lcore_count() == 2 ? "" : "s", secs);
	fprintf(text, "  %s, %s\n", cpu, rte_version());
	for (unsigned int s = 0; s < SW_SIDES; s++)
		fprintf(text, "  %-8s tx %" PRIu64 " (%.3f Mpps), refused %" PRIu64
			", rx %" PRIu64 " (%.3f Mpps)\n", sw_side_name(s),
			b->ps[s].tx, secs > 0 ? (p1[s].tx - p0[s].tx) / secs / 1e6 : 0,
			b->ps[s].tx_full, b->ps[s].rx,
			secs > 0 ? (p1[s].rx - p0[s].rx) / secs / 1e6 : 0);
	if (have_dut)
		fprintf(text, "  DUT      rx %.3f Mpps, tx %.3f Mpps, %.0f cycles/pkt (its busy TSC over its packets)\n",
			secs > 0 ? dd->rx / secs / 1e6 : 0,
			secs > 0 ? dd->tx / secs / 1e6 : 0,
			dd->rx ? (double)dd->busy_cycles / dd->rx : 0);
	if (swb_dut_flow_mem(b, &mem, &f4, &f6))
		fprintf(text, "  synwall  flow memory %.1f MiB per worker for %u IPv4 + %u IPv6 flows\n",
			mem / 1048576.0, f4, f6);
	b->eng->report(b, put_text, &pc);
	fprintf(text, "  accounting: %s%s\n", acc == 0 ? "every packet accounted for" :
		"MISMATCH: ", acc == 0 ? "" : why);
	fflush(text);
	if (o->json == NULL)
		return;
	js = strcmp(o->json, "-") == 0 ? stdout : fopen(o->json, "w");
	if (js == NULL) {
		fprintf(stderr, "synwall-bench: --json %s: %s\n", o->json,
			strerror(errno));
		return;
	}
	fprintf(js, "{\n  \"mode\": \"%s\",\n  \"dut\": \"%s\",\n  \"dut_lcores\": %u,\n"
		"  \"seconds\": %.3f,\n  \"cpu\": \"%s\",\n  \"dpdk\": \"%s\",\n",
		b->eng->name, swb_dut_name(b->dut), rte_lcore_count() - 1, secs,
		cpu, rte_version());
	if (b->dut == SWB_DUT_SYNWALL)
		fprintf(js, "  \"synwall_mode\": \"%s\",\n", b->lb ? "lb" : "inline");
	if (b->dut == SWB_DUT_SYNWALL && b->lb)
		fprintf(js, "  \"synwall_nat\": \"%s\",\n", b->snat ? "snat" : "dnat");
	for (unsigned int s = 0; s < SW_SIDES; s++)
		fprintf(js, "  \"%s\": {\"tx\": %" PRIu64 ", \"tx_full\": %" PRIu64
			", \"rx\": %" PRIu64 ", \"tx_pps\": %.0f, \"rx_pps\": %.0f},\n",
			sw_side_name(s), b->ps[s].tx, b->ps[s].tx_full, b->ps[s].rx,
			secs > 0 ? (p1[s].tx - p0[s].tx) / secs : 0,
			secs > 0 ? (p1[s].rx - p0[s].rx) / secs : 0);
	if (have_dut)
		fprintf(js, "  \"dut_stats\": {\"rx_pps\": %.0f, \"tx_pps\": %.0f, "
			"\"busy_cycles\": %" PRIu64 ", \"cycles_per_pkt\": %.1f, "
			"\"drops\": %" PRIu64 "},\n",
			secs > 0 ? dd->rx / secs : 0, secs > 0 ? dd->tx / secs : 0,
			dd->busy_cycles,
			dd->rx ? (double)dd->busy_cycles / dd->rx : 0, dd->drops);
	if (mem != 0)
		fprintf(js, "  \"flow_memory\": {\"bytes\": %" PRIu64
			", \"flows4\": %u, \"flows6\": %u},\n", mem, f4, f6);
	fprintf(js, "  \"engine\": {");
	pc.json = js;
	b->eng->report(b, put_json, &pc);
	fprintf(js, "\n  },\n  \"accounted\": %s", acc == 0 ? "true" : "false");
	if (acc != 0)
		fprintf(js, ",\n  \"mismatch\": \"%s\"", why);
	fprintf(js, "\n}\n");
	if (js != stdout)
		fclose(js);
}

static void
dut_delta(const struct swb_dut_stats *a, const struct swb_dut_stats *z,
		struct swb_dut_stats *d)
{
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)z;
	uint64_t *out = (uint64_t *)d;

	for (size_t i = 0; i < sizeof(*d) / sizeof(uint64_t); i++)
		out[i] = y[i] - x[i];
}

/* Receive on every queue of both ports; returns packets received. */
static uint32_t
poll_rx(struct swb *b, uint64_t now)
{
	struct rte_mbuf *pkts[SWB_BURST_MAX];
	const bool engine_rx = b->dut == SWB_DUT_SYNWALL ||
		b->dut == SWB_DUT_EXTERNAL;
	uint32_t total = 0;

	for (unsigned int s = 0; s < SW_SIDES; s++)
		for (uint16_t q = 0; q < b->n_queues; q++) {
			uint16_t n = rte_eth_rx_burst(b->port[s], q, pkts,
				b->burst);

			if (n == 0)
				continue;
			b->ps[s].rx += n;
			total += n;
			if (engine_rx)
				b->eng->receive(b, s, pkts, n, now);
			else
				rte_pktmbuf_free_bulk(pkts, n);
		}
	return total;
}

/*
 * Has the DUT's next queue room for a whole burst on both sides? A
 * burst built for a full ring would only be refused, and a partial one
 * would leave the DUT partial bursts to dequeue ever after.
 */
static bool
room(const struct swb *b, uint32_t n)
{
	const uint16_t q = (uint16_t)((b->txq + 1) % b->n_queues);

	for (unsigned int s = 0; s < SW_SIDES; s++)
		if (b->to_dut[s][q] != NULL &&
				rte_ring_free_count(b->to_dut[s][q]) < n)
			return false;
	return true;
}

static int
run(struct swb *b, const struct opts *o, FILE *text)
{
	const uint64_t hz = b->hz;
	const uint64_t t_begin = rte_rdtsc();
	struct swb_port_stats p0[SW_SIDES], p1[SW_SIDES], pp[SW_SIDES];
	struct swb_dut_stats d0, d1, dp, dstart, dend, dtot;
	uint64_t started = 0, t_win = 0, t_end = 0, t_quiet = 0, t_drain = 0;
	uint64_t t_print = t_begin, t_keys = t_begin, t_check = 0;
	bool have_dut, in_window = false;
	char why[256] = "";
	int acc;

	memset(p0, 0, sizeof(p0));
	memset(&d0, 0, sizeof(d0));
	memcpy(pp, b->ps, sizeof(pp));
	have_dut = swb_dut_read(b, &dp);
	dstart = dp;		/* an external DUT may have counted before */
	b->generating = true;
	for (;;) {
		const uint64_t now = rte_rdtsc();
		uint32_t got;

		if (b->generating) {
			uint32_t budget = b->burst;

			if (b->rate != 0) {
				/* Paced from the start: at most rate per second. */
				uint64_t due = (uint64_t)((double)(now - t_begin) /
					hz * b->rate);

				budget = due > started ? (uint32_t)RTE_MIN(due -
					started, (uint64_t)b->burst) : 0;
			}
			if (budget != 0 && room(b, budget))
				started += b->eng->generate(b, budget, now);
		}
		got = poll_rx(b, now);
		if (now - t_keys > hz / 10) {
			swb_dut_poll(b);
			t_keys = now;
		}
		if (o->period > 0 && now - t_print >= o->period * hz) {
			rate_line(text, b, (double)(now - t_begin) / hz, pp, &dp,
				(double)(now - t_print) / hz);
			memcpy(pp, b->ps, sizeof(pp));
			swb_dut_read(b, &dp);
			t_print = now;
		}
		if (b->generating && !in_window && (b->eng->measuring == NULL ||
				b->eng->measuring(b))) {
			in_window = true;
			t_win = now;
			t_end = now + (uint64_t)(b->seconds * hz);
			memcpy(p0, b->ps, sizeof(p0));
			swb_dut_read(b, &d0);
			if (b->eng->window != NULL)
				b->eng->window(b, true);
		}
		if (b->generating && !in_window && o->setup_timeout > 0 &&
				now - t_begin > o->setup_timeout * hz) {
			fprintf(stderr, "synwall-bench: the flows did not open within %.0f s\n",
				o->setup_timeout);
			b->generating = false;
			t_drain = t_quiet = now;
		}
		if (b->generating && ((in_window && now >= t_end) || sig_stop)) {
			if (in_window) {
				b->measured_seconds = (double)(now - t_win) / hz;
				memcpy(p1, b->ps, sizeof(p1));
				swb_dut_read(b, &d1);
				dut_delta(&d0, &d1, &b->dut_delta);
				if (b->eng->window != NULL)
					b->eng->window(b, false);
			}
			b->generating = false;
			t_drain = t_quiet = now;
		}
		if (b->generating)
			continue;
		/* Draining: until nothing moves for 200 ms and, in this
		 * process, the DUT has sent all it took; at most 5 s. */
		if (got != 0)
			t_quiet = now;
		if (sig_stop > 1 || now - t_drain > 5 * hz)
			break;
		/* The DUT's counters at most every 50 ms: an external one's
		 * cost a telemetry round trip. */
		if (now - t_quiet <= hz / 5 || now - t_check <= hz / 20)
			continue;
		t_check = now;
		if (!have_dut || (swb_dut_read(b, &dend) &&
				dend.rx - dstart.rx == bench_tx(b) &&
				dend.tx - dstart.tx == bench_rx(b)))
			break;
	}
	if (!in_window)
		memcpy(p1, b->ps, sizeof(p1));
	swb_dut_read(b, &dend);
	dut_delta(&dstart, &dend, &dtot);
	dtot.holding = dend.holding;	/* a gauge */
	acc = in_window ? account(b, &dtot, have_dut, why, sizeof(why)) : -1;
	if (!in_window)
		snprintf(why, sizeof(why), "never got to the measured window");
	summary(b, o, text, p0, p1, have_dut, acc, why);
	return acc;
}

/*
 * net_memif in DPDK 22.11 unmaps the shared rings when the peer leaves,
 * on its interrupt thread, while the data path may be inside a burst
 * on them: the side that still polls can crash. So a run against a
 * memif DUT can end the safe way round: this side has stopped polling,
 * it waits until the DUT has stopped and closed its ports, then closes
 * its own. Only link status is read meanwhile, never a ring.
 */
static void
wait_link_down(const struct swb *b, double seconds)
{
	const uint64_t end = rte_rdtsc() + (uint64_t)(seconds * b->hz);

	fprintf(stderr, "synwall-bench: done; waiting for the DUT to close its ports\n");
	while (rte_rdtsc() < end && sig_stop < 2) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(b->port[SW_OUTSIDE], &link) == 0 &&
				link.link_status == RTE_ETH_LINK_DOWN)
			return;
		rte_delay_ms(20);
	}
}

/* --ports OUT,IN for an external DUT. */
static int
resolve_ports(struct swb *b, const char *spec)
{
	char buf[128], *comma;

	snprintf(buf, sizeof(buf), "%s", spec != NULL ? spec : "0,1");
	comma = strchr(buf, ',');
	if (comma == NULL)
		return -1;
	*comma = '\0';
	if (sw_port_resolve(buf, &b->port[SW_OUTSIDE]) != 0 ||
			sw_port_resolve(comma + 1, &b->port[SW_INSIDE]) != 0 ||
			b->port[SW_OUTSIDE] == b->port[SW_INSIDE]) {
		fprintf(stderr, "synwall-bench: --ports %s: need two different ports of %u\n",
			spec != NULL ? spec : "0,1", rte_eth_dev_count_avail());
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct swb b;
	struct opts o = { .period = 1, .setup_timeout = 120, .mbufs = 65535 };
	char err[256];
	FILE *text = stdout;
	int ret, status = 1;

	b.seconds = 5;
	b.concurrency = 256;
	b.payload = 64;
	b.burst = 32;
	b.sample = 1;
	b.dst_ip = htonl(0xc0000250);	/* 192.0.2.80 */
	/* 2001:db8::80 (RFC 3849), the server's IPv6 address. */
	memcpy(b.dst_ip6, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x80", 16);
	b.dst_port = 80;
	b.rng = 0x9e3779b97f4a7c15ull;
	rte_ether_unformat_addr("02:00:00:00:00:10", &b.mac_client);
	rte_ether_unformat_addr("02:00:00:00:00:80", &b.mac_server);
	/* Client → server outside, back inside (lb: dut.c sets mac_dst to
	 * the DUT ports' own). */
	b.mac_src[SW_OUTSIDE] = b.mac_dst[SW_INSIDE] = b.mac_client;
	b.mac_src[SW_INSIDE] = b.mac_dst[SW_OUTSIDE] = b.mac_server;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "synwall-bench: EAL init failed: %s (no hugepages? add --no-huge -m 1024)\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = (char *)"synwall-bench";
	ret = parse_args(argc, argv, &b, &o);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret > 0 ? 0 : 1;
	}
	if (o.json != NULL && strcmp(o.json, "-") == 0)
		text = stderr;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	b.hz = rte_get_tsc_hz();
	/* A DUT that outlives this run still holds the tuples of the last
	 * one (open, or lingering): start elsewhere in the 6.5e9 tuples. */
	if (b.dut == SWB_DUT_EXTERNAL) {
		b.rng ^= rte_rdtsc();
		b.k_base = swb_rand(&b) % (UINT64_C(6000000000));
	}
	b.pool = rte_pktmbuf_pool_create("swb_pool", o.mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (b.pool == NULL) {
		fprintf(stderr, "synwall-bench: --mbufs %u: %s (reserve hugepages, or --no-huge -m MB)\n",
			o.mbufs, rte_strerror(rte_errno));
		goto out;
	}
	if (b.dut == SWB_DUT_EXTERNAL && resolve_ports(&b, o.ports) != 0)
		goto out;
	if (swb_dut_setup(&b, o.conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "synwall-bench: %s\n", err);
		goto out;
	}
	if (b.eng->init(&b, err, sizeof(err)) != 0) {
		fprintf(stderr, "synwall-bench: %s: %s\n", b.eng->name, err);
		goto out;
	}
	fprintf(text, "synwall-bench: %s against %s: %u queue%s per port, burst %u%s\n",
		b.eng->name, dut_label(&b), b.n_queues,
		b.n_queues == 1 ? "" : "s", b.burst,
		b.rate ? "" : ", as fast as the bench can");
	fflush(text);
	swb_dut_start(&b);
	ret = run(&b, &o, text);
	status = ret == 0 || !o.check ? 0 : 3;
	if (b.dut == SWB_DUT_EXTERNAL && o.wait_down > 0)
		wait_link_down(&b, o.wait_down);
out:
	if (b.eng != NULL && b.state != NULL)
		b.eng->fini(&b);
	swb_dut_free(&b);
	if (b.dut == SWB_DUT_EXTERNAL)
		for (unsigned int s = 0; s < SW_SIDES; s++)
			if (rte_eth_dev_is_valid_port(b.port[s]))
				sw_port_close(b.port[s]);
	rte_mempool_free(b.pool);
	rte_eal_cleanup();
	return status;
}
