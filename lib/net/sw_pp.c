/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "sw_pp.h"

const uint8_t sw_pp_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

#define PP_V2_FIXED	16	/* signature, ver/cmd, family, length */
#define PP_V2_CMD	0x21	/* version 2, PROXY */
#define PP_V2_TCP4	0x11	/* AF_INET, STREAM */
#define PP_V2_TCP6	0x21	/* AF_INET6, STREAM */

/* Decimal, no leading zeros. */
static unsigned int
put_dec(char *o, uint32_t v)
{
	char tmp[10];
	unsigned int n = 0, len;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	len = n;
	while (n > 0)
		*o++ = tmp[--n];
	return len;
}

static unsigned int
put_hex16(char *o, unsigned int v)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int n = 0;
	int shift = 12;

	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		o[n++] = digits[(v >> shift) & 0xf];
	return n;
}

static unsigned int
ip4_text(char *o, const uint8_t a[4])
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < 4; i++) {
		if (i != 0)
			o[n++] = '.';
		n += put_dec(o + n, a[i]);
	}
	return n;
}

unsigned int
sw_pp_ip6_text(char *o, const uint8_t a[16])
{
	unsigned int g[8];
	int best = -1, best_len = 0, run = -1, run_len = 0;
	unsigned int n = 0;

	for (unsigned int i = 0; i < 8; i++)
		g[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	/* RFC 5952 §4.2: the longest run of zero groups, at least two,
	 * the first of equal ones. */
	for (int i = 0; i < 8; i++) {
		if (g[i] == 0) {
			if (run < 0) {
				run = i;
				run_len = 0;
			}
			run_len++;
			if (run_len > best_len) {
				best = run;
				best_len = run_len;
			}
		} else {
			run = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o[n++] = ':';
			o[n++] = ':';
			i += best_len - 1;
			continue;
		}
		if (i != 0 && i != best + best_len)
			o[n++] = ':';
		n += put_hex16(o + n, g[i]);
	}
	return n;
}

/* A network-order port, whatever the host's byte order. */
static inline uint32_t
port_of(const uint16_t *be)
{
	const uint8_t *b = (const uint8_t *)be;

	return (uint32_t)b[0] << 8 | b[1];
}

/* Spec §2.1: "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n". */
static int
build_v1(uint8_t *buf, uint32_t cap, const struct sw_pp_addr *a)
{
	char t[SW_PP_MAX];
	unsigned int n = 0;

	memcpy(t, a->v6 ? "PROXY TCP6 " : "PROXY TCP4 ", 11);
	n = 11;
	n += a->v6 ? sw_pp_ip6_text(t + n, a->src) : ip4_text(t + n, a->src);
	t[n++] = ' ';
	n += a->v6 ? sw_pp_ip6_text(t + n, a->dst) : ip4_text(t + n, a->dst);
	t[n++] = ' ';
	n += put_dec(t + n, port_of(&a->sport_be));
	t[n++] = ' ';
	n += put_dec(t + n, port_of(&a->dport_be));
	t[n++] = '\r';
	t[n++] = '\n';
	if (n > cap)
		return -EINVAL;
	memcpy(buf, t, n);
	return (int)n;
}

/* Spec §2.2: signature, 0x21, family, length, addresses, ports. */
static int
build_v2(uint8_t *buf, uint32_t cap, const struct sw_pp_addr *a)
{
	const unsigned int alen = a->v6 ? 16 : 4;
	const unsigned int body = 2 * alen + 4;

	if (PP_V2_FIXED + body > cap)
		return -EINVAL;
	memcpy(buf, sw_pp_v2_sig, sizeof(sw_pp_v2_sig));
	buf[12] = PP_V2_CMD;
	buf[13] = a->v6 ? PP_V2_TCP6 : PP_V2_TCP4;
	buf[14] = 0;
	buf[15] = (uint8_t)body;
	memcpy(buf + 16, a->src, alen);
	memcpy(buf + 16 + alen, a->dst, alen);
	memcpy(buf + 16 + 2 * alen, &a->sport_be, 2);
	memcpy(buf + 18 + 2 * alen, &a->dport_be, 2);
	return (int)(PP_V2_FIXED + body);
}

int
sw_pp_build(uint8_t *buf, uint32_t cap, enum sw_pp_version v,
		const struct sw_pp_addr *a)
{
	switch (v) {
	case SW_PP_V1:
		return build_v1(buf, cap, a);
	case SW_PP_V2:
		return build_v2(buf, cap, a);
	case SW_PP_NONE:
	case SW_PP_VERSION_MAX:
		break;
	}
	return -EINVAL;
}
