/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "sw_parse.h"

int
scn_read_pcap_path(const char *path, struct scn_frames *f)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	pcap_t *p;

	p = pcap_open_offline(path, err);
	if (p == NULL) {
		printf("not ok - cannot open %s: %s\n", path, err);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	while (f->n < SCN_FRAMES_MAX && pcap_next_ex(p, &h, &data) == 1) {
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

int
scn_read_pcap(const char *dir, const char *scenario, const char *what,
		struct scn_frames *f)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s_%s.pcap", dir, scenario, what);
	return scn_read_pcap_path(path, f);
}

void
scn_free_frames(struct scn_frames *f)
{
	for (unsigned int i = 0; i < f->n; i++)
		free(f->data[i]);
	f->n = 0;
}

static int
side_of(const char *s)
{
	if (strcmp(s, "outside") == 0)
		return SW_OUTSIDE;
	if (strcmp(s, "inside") == 0)
		return SW_INSIDE;
	return -1;
}

/*
 * S.steps → *sc. Returns 1 when the scenario has no script (one step
 * from S_rx_*.pcap), 0 when read, -1 on a bad line.
 */
int
scn_read_script(const char *dir, const char *scenario, struct scn_script *sc)
{
	char path[512], line[256], a[64], b[64];
	unsigned int lineno = 0, frame = 0;
	struct scn_step *st = NULL;
	int ret = 0;
	FILE *f;

	memset(sc, 0, sizeof(*sc));
	sc->workers = 1;
	snprintf(path, sizeof(path), "%s/%s.steps", dir, scenario);
	f = fopen(path, "r");
	if (f == NULL)
		return 1;
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *hash = strchr(line, '#');
		unsigned int u = 0;
		uint64_t v;
		int n, side;

		lineno++;
		if (hash != NULL)
			*hash = '\0';
		n = sscanf(line, "%63s %63s", a, b);
		if (n <= 0)
			continue;
		if (strcmp(a, "workers") == 0 && n == 2 && st == NULL &&
				sscanf(b, "%u", &u) == 1 && u >= 1 &&
				u <= SCN_QUEUES_MAX) {
			sc->workers = u;
		} else if (strcmp(a, "step") == 0 && n == 2 &&
				sc->n_steps < SCN_STEPS_MAX) {
			st = &sc->step[sc->n_steps++];
			snprintf(st->name, sizeof(st->name), "%s", b);
			st->first = sc->n_io;
			if (sscanf(line, "%*s %*s wait %u", &u) == 1)
				st->wait_ms = u;
		} else if ((strcmp(a, "in") == 0 || strcmp(a, "out") == 0) &&
				n == 2 && st != NULL && sc->n_io < SCN_FRAMES_MAX &&
				(side = side_of(b)) >= 0) {
			struct scn_io *io = &sc->io[sc->n_io++];

			io->in = a[0] == 'i';
			io->side = (uint8_t)side;
			io->frame = frame++;
			if (sscanf(line, "%*s %*s %u", &u) == 1) {
				if (!io->in || u >= sc->workers)
					ret = -1;
				io->queue = (uint8_t)u;
			}
			st->n_io++;
		} else if (strcmp(a, "expect") == 0 && st != NULL &&
				st->n_expect < SCN_EXPECTS_MAX &&
				sscanf(line, "%*s %63s %" SCNu64, a, &v) == 2) {
			struct scn_expect *e = &st->expect[st->n_expect++];

			snprintf(e->name, sizeof(e->name), "%s", a);
			e->value = v;
		} else {
			ret = -1;
		}
	}
	fclose(f);
	if (ret != 0)
		printf("not ok - %s:%u: bad line\n", path, lineno);
	return ret;
}

int
scn_counter(const struct sw_counters *c, const char *name, uint64_t *v)
{
	static const struct {
		const char *prefix;
		size_t base;
		const char *name;
		size_t off;
	} fields[] = {
#define SC(f) { "syncookie.", offsetof(struct sw_counters, sc), #f, \
		offsetof(struct sw_syncookie_counters, f) },
#define FL(f) { "flow.", offsetof(struct sw_counters, flow), #f, \
		offsetof(struct sw_flow_counters, f) },
#define LB(f) { "lb.", offsetof(struct sw_counters, lb), #f, \
		offsetof(struct sw_lb_counters, f) },
#define CL(f) { "cluster.", offsetof(struct sw_counters, cluster), #f, \
		offsetof(struct sw_cluster_counters, f) },
		SW_SYNCOOKIE_COUNTERS(SC)
		SW_FLOW_COUNTERS(FL)
		SW_LB_COUNTERS(LB)
		SW_CLUSTER_COUNTERS(CL)
#undef SC
#undef FL
#undef LB
#undef CL
	};

	static const char *const side_name[SW_SIDES] = { "outside", "inside" };

	for (unsigned int s = 0; s < SW_SIDES; s++) {
		static const struct {
			const char *name;
			size_t off;
		} port[] = {
#define PC(f) { #f, offsetof(struct sw_port_counters, f) },
			SW_PORT_COUNTERS(PC)
#undef PC
		};
		size_t l = strlen(side_name[s]);
		const char *f = name + l + 1;

		if (strncmp(name, side_name[s], l) != 0 || name[l] != '.')
			continue;
		for (unsigned int i = 0; i < SW_DIM(port); i++)
			if (strcmp(f, port[i].name) == 0) {
				memcpy(v, (const char *)&c->port[s] +
					port[i].off, sizeof(*v));
				return 0;
			}
		return -1;
	}
	if (!strcmp(name, "protected_pkts")) {
		*v = c->protected_pkts;
		return 0;
	}
	for (unsigned int i = 0; i < SW_DIM(fields); i++) {
		size_t l = strlen(fields[i].prefix);

		if (strncmp(name, fields[i].prefix, l) == 0 &&
				strcmp(name + l, fields[i].name) == 0) {
			memcpy(v, (const char *)c + fields[i].base +
				fields[i].off, sizeof(*v));
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

unsigned int
scn_check_counter(const struct sw_counters *c, const char *where,
		const char *name, uint64_t want)
{
	uint64_t got = 0;

	if (scn_counter(c, name, &got) != 0) {
		printf("# %s: unknown counter %s\n", where, name);
		return 1;
	}
	if (got != want) {
		printf("# %s: counter %s = %" PRIu64 ", expected %" PRIu64 "\n",
			where, name, got, want);
		return 1;
	}
	return 0;
}

int
scn_read_keys(const char *dir, const char *s,
		uint8_t master[SW_COOKIE_MASTER_LEN], uint64_t *slot)
{
	char path[512], hex[2 * SW_COOKIE_MASTER_LEN + 1];
	unsigned long long sl = 0;
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
		else if (sscanf(line, "slot %llu", &sl) == 1)
			got |= 2;
	}
	fclose(f);
	if (got != 3 || strlen(hex) != sizeof(hex) - 1)
		return -1;
	for (unsigned int i = 0; i < SW_COOKIE_MASTER_LEN; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		master[i] = (uint8_t)b;
	}
	*slot = sl;
	return 0;
}

unsigned int
scn_check_expect(const struct sw_counters *c, const char *dir, const char *s)
{
	char path[512], line[256], name[128];
	unsigned int bad = 0;
	uint64_t want;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.expect", dir, s);
	f = fopen(path, "r");
	if (f == NULL) {
		printf("# cannot open %s\n", path);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' ||
				sscanf(line, "%127s %" SCNu64, name, &want) != 2)
			continue;
		bad += scn_check_counter(c, s, name, want);
	}
	fclose(f);
	return bad;
}
