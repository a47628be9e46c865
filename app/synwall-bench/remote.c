/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An external synwall's counters, read the way dpdk-telemetry.py reads
 * them: its telemetry socket, "/synwall/stats", a JSON dict back. So a
 * separate process is measured and accounted for like one in this
 * process: cycles per packet from inside it, every packet traced.
 *
 * The reply is flat dicts one level deep ("outside": {...}, "drop":
 * {...}); the scanner below reads exactly that shape and no more.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include "swb.h"

#define REPLY_MAX	(64 * 1024)

int
swb_remote_open(const char *prefix, char *err, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[PATH_MAX], *slash, *buf;
	int fd;

	/* Ours is <runtime>/<our prefix>; theirs <runtime>/<prefix>. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
			"%s/%s/dpdk_telemetry.v2", dir, prefix) >=
			sizeof(sun.sun_path)) {
		snprintf(err, len, "--telemetry %s: path too long", prefix);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, len, "--telemetry %s: cannot connect to %s: %s",
			prefix, sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	/* The greeting (version, pid, max output length). */
	buf = malloc(REPLY_MAX);
	if (buf == NULL || recv(fd, buf, REPLY_MAX, 0) <= 0) {
		snprintf(err, len, "--telemetry %s: no greeting", prefix);
		free(buf);
		close(fd);
		return -EIO;
	}
	free(buf);
	return fd;
}

/* The text of dict `name` ("name":{ ... }), or NULL. */
static const char *
dict(const char *js, const char *name)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":{", name);
	p = strstr(js, pat);
	return p == NULL ? NULL : p + strlen(pat);
}

/* A number "key":N at the top of dict `d` (before its '}'). */
static uint64_t
num(const char *d, const char *key)
{
	const char *end = d != NULL ? strchr(d, '}') : NULL;
	char pat[64];
	const char *p;

	if (end == NULL)
		return 0;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(d, pat);
	return p == NULL || p > end ? 0 : strtoull(p + strlen(pat), NULL, 10);
}

/* A number "key":N that appears once in the whole reply. */
static uint64_t
top(const char *js, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(js, pat);
	return p == NULL ? 0 : strtoull(p + strlen(pat), NULL, 10);
}

/* The sum of every number in dict `d`. */
static uint64_t
sum(const char *d)
{
	uint64_t s = 0;

	while (d != NULL && *d != '\0' && *d != '}') {
		const char *colon = strchr(d, ':');

		if (colon == NULL)
			break;
		s += strtoull(colon + 1, (char **)&d, 10);
		while (*d == ',' || *d == ' ')
			d++;
	}
	return s;
}

bool
swb_remote_read(int fd, struct swb_dut_stats *s)
{
	static const char cmd[] = "/synwall/stats";
	const char *stats, *out, *in, *flow, *sc, *lb;
	char *js;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	js = malloc(REPLY_MAX);
	if (js == NULL)
		return false;
	if (send(fd, cmd, strlen(cmd), 0) < 0 ||
			(n = recv(fd, js, REPLY_MAX - 1, 0)) <= 0) {
		free(js);
		return false;
	}
	js[n] = '\0';
	stats = strstr(js, "\"/synwall/stats\":{");
	out = dict(js, "outside");
	in = dict(js, "inside");
	flow = dict(js, "flow");
	sc = dict(js, "syncookie");
	if (stats == NULL || out == NULL || in == NULL || flow == NULL ||
			sc == NULL) {
		free(js);
		return false;
	}
	s->rx = num(out, "rx_pkts") + num(in, "rx_pkts");
	s->tx = num(out, "tx_pkts") + num(in, "tx_pkts");
	s->drops = sum(dict(js, "drop"));	/* malformed included */
	s->busy_cycles = top(js, "busy_cycles");
	s->originated = num(flow, "backend_syn_tx") +
		num(flow, "backend_syn_retx");
	s->consumed = num(flow, "consumed");
	s->holding = num(flow, "holding");
	/* lb mode's own packets and those waiting for a MAC (dut.c). */
	lb = dict(js, "lb");
	if (lb != NULL) {
		s->originated += num(lb, "arp_request_tx") + num(lb, "ns_tx") +
			num(lb, "probe_tx");
		s->holding += num(lb, "neigh_held") - num(lb, "neigh_released") -
			num(lb, "neigh_failed");
	}
	s->synack_tx = num(sc, "synack_tx");
	s->cookie_ok = num(sc, "cookie_ok");
	s->cookie_bad = num(sc, "cookie_bad");
	s->flows_active = num(flow, "active");
	s->established = num(flow, "established");
	free(js);
	return true;
}
