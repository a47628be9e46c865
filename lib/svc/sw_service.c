/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sw_service.h"

void
sw_svc_init(struct sw_svc_table *t)
{
	memset(t, 0, sizeof(*t));
}

int
sw_svc_add(struct sw_svc_table *t, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= SW_SVC_NAME_LEN)
		return -EINVAL;
	for (unsigned int i = 0; i < t->n_svc; i++)
		if (strcmp(t->svc[i].name, name) == 0)
			return -EEXIST;
	if (t->n_svc == SW_SVC_MAX)
		return -ENOSPC;
	memcpy(t->svc[t->n_svc].name, name, len + 1);
	t->svc[t->n_svc].syn = (struct sw_svc_syn){
		.mss4 = 1460,
		.mss6 = 1440,
		.wscale = 7,
		.sack = true,
		.ts = true,
		.ecn = false,
	};
	return t->n_svc++;
}

static const char *
skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* One decimal port 1..65535; advances *s. */
static int
parse_port(const char **s, uint16_t *port)
{
	const char *p = *s;
	unsigned long v = 0;
	int digits = 0;

	if (p[0] == '0')
		return -EINVAL;		/* "0", or "080": a typo, not a port */
	while (isdigit((unsigned char)*p) && digits < 6) {
		v = v * 10 + (unsigned long)(*p - '0');
		p++;
		digits++;
	}
	if (digits == 0 || digits == 6 || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	*s = p;
	return 0;
}

int
sw_svc_add_ports(struct sw_svc_table *t, int svc, const char *list,
		const char **bad)
{
	struct sw_svc *s;
	const char *p = list;

	if (svc < 0 || svc >= t->n_svc)
		return -EINVAL;
	s = &t->svc[svc];
	for (;;) {
		const char *tok;
		uint16_t lo, hi;

		p = skip_space(p);
		tok = p;
		if (parse_port(&p, &lo) < 0)
			goto err;
		hi = lo;
		p = skip_space(p);
		if (*p == '-') {
			p = skip_space(p + 1);
			if (parse_port(&p, &hi) < 0 || hi < lo)
				goto err;
			p = skip_space(p);
		}
		for (uint32_t port = lo; port <= hi; port++)
			s->ports[port >> 6] |= UINT64_C(1) << (port & 63);
		if (*p == '\0')
			return 0;
		if (*p != ',')
			goto err;
		p++;
		continue;
err:
		if (bad != NULL)
			*bad = tok;
		return -EINVAL;
	}
}

static void
make_mask(uint32_t mask[4], unsigned int len)
{
	for (unsigned int w = 0; w < 4; w++) {
		unsigned int bits = len > 32 * w ? len - 32 * w : 0;

		if (bits >= 32)
			mask[w] = 0xffffffffu;
		else if (bits == 0)
			mask[w] = 0;
		else
			mask[w] = htonl(~((1u << (32 - bits)) - 1));
	}
}

int
sw_svc_add_prefix(struct sw_svc_table *t, int svc, const char *text)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct sw_svc_prefix p;
	const char *slash;
	size_t alen;
	unsigned long len;
	unsigned int max;

	if (svc < 0 || svc >= t->n_svc)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	text = skip_space(text);
	alen = strcspn(text, "/ \t");
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, p.addr) == 1) {
		p.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p.addr) == 1) {
		p.family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	/* "ADDR/LEN" with nothing around the slash, LEN decimal with no
	 * leading zero; trailing blanks are the list's. */
	slash = text + alen;
	len = max;
	if (*slash == '/') {
		const char *d = slash + 1;
		char *end;

		if (!isdigit((unsigned char)*d) || (d[0] == '0' &&
				isdigit((unsigned char)d[1])))
			return -EINVAL;
		len = strtoul(d, &end, 10);
		if (len > max || *skip_space(end) != '\0')
			return -EINVAL;
	} else if (*skip_space(slash) != '\0') {
		return -EINVAL;
	}
	p.len = (uint8_t)len;
	p.svc = (uint16_t)svc;
	make_mask(p.mask, p.len);
	for (unsigned int w = 0; w < 4; w++)
		if (p.addr[w] & ~p.mask[w])
			return -EINVAL;	/* host bits set: almost always a typo */

	if (p.family == AF_INET) {
		if (t->n_v4 == SW_SVC_PREFIX_MAX)
			return -ENOSPC;
		t->prefix4[t->n_v4++] = p;
	} else {
		if (t->n_v6 == SW_SVC_PREFIX_MAX)
			return -ENOSPC;
		t->prefix6[t->n_v6++] = p;
	}
	return 0;
}

uint32_t
sw_svc_port_count(const struct sw_svc_table *t, int svc)
{
	uint32_t n = 0;

	if (svc < 0 || svc >= t->n_svc)
		return 0;
	for (unsigned int i = 0; i < sizeof(t->svc[0].ports) / sizeof(t->svc[0].ports[0]); i++)
		n += (uint32_t)__builtin_popcountll(t->svc[svc].ports[i]);
	return n;
}

/* Does prefix q contain prefix p (same family, q no longer, same bits)? */
static bool
prefix_contains(const struct sw_svc_prefix *q, const struct sw_svc_prefix *p)
{
	if (q->family != p->family || q->len > p->len)
		return false;
	for (unsigned int w = 0; w < 4; w++)
		if ((p->addr[w] & q->mask[w]) != q->addr[w])
			return false;
	return true;
}

static bool
prefix_covered(const struct sw_svc_table *a, const struct sw_svc_table *b,
		const struct sw_svc_prefix *p)
{
	const struct sw_svc_prefix *qa = p->family == AF_INET ? a->prefix4 :
		a->prefix6;
	const unsigned int n = p->family == AF_INET ? a->n_v4 : a->n_v6;
	const uint64_t *want = b->svc[p->svc].ports;

	for (unsigned int w = 0; w < 65536 / 64; w++) {
		uint64_t have = 0;

		if (want[w] == 0)
			continue;
		for (unsigned int i = 0; i < n; i++)
			if (prefix_contains(&qa[i], p))
				have |= a->svc[qa[i].svc].ports[w];
		if ((want[w] & ~have) != 0)
			return false;
	}
	return true;
}

bool
sw_svc_covers(const struct sw_svc_table *a, const struct sw_svc_table *b)
{
	for (unsigned int i = 0; i < b->n_v4; i++)
		if (!prefix_covered(a, b, &b->prefix4[i]))
			return false;
	for (unsigned int i = 0; i < b->n_v6; i++)
		if (!prefix_covered(a, b, &b->prefix6[i]))
			return false;
	return true;
}
