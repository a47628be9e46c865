/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sw_service.h"
#include "sw_text.h"

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
	t->svc[t->n_svc].nat = SW_SVC_NAT_DNAT;
	return t->n_svc++;
}

/* sw_text_ports() writes the bitmap of struct sw_svc directly. */
_Static_assert(sizeof(((struct sw_svc *)0)->ports) ==
	SW_TEXT_PORT_WORDS * sizeof(uint64_t), "port bitmap size");

int
sw_svc_add_ports(struct sw_svc_table *t, int svc, const char *list,
		const char **bad)
{
	if (svc < 0 || svc >= t->n_svc)
		return -EINVAL;
	return sw_text_ports(list, t->svc[svc].ports, bad);
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
	char buf[64];		/* more than "ADDR/LEN" ever needs (49) */
	struct sw_svc_prefix p;
	uint8_t family, addr[16];
	size_t n;
	int len;

	if (svc < 0 || svc >= t->n_svc)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	/* blanks around the prefix are the list's, not inside it */
	while (isspace((unsigned char)*text))
		text++;
	n = strlen(text);
	while (n > 0 && isspace((unsigned char)text[n - 1]))
		n--;
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (sw_text_prefix(buf, &family, addr, &len) < 0)
		return -EINVAL;
	p.family = family;
	memcpy(p.addr, addr, sizeof(p.addr));
	if (len < 0)
		len = family == AF_INET6 ? 128 : 32;	/* a host route */
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
