/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "sw_text.h"

int
sw_text_dec(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	if (text[0] == '0' && text[1] != '\0')
		return -ERANGE;
	/* 10 digits hold any uint32_t and cannot overflow v; an 11th
	 * digit is left unread and refused as trailing text. */
	for (; isdigit((unsigned char)*text) && digits < 10; text++, digits++)
		v = v * 10 + (uint64_t)(*text - '0');
	if (digits == 0 || *text != '\0' || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int
sw_text_bool(const char *text, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (unsigned int i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int
sw_text_addr(const char *text, uint8_t *family, uint8_t addr[16])
{
	uint8_t a[16];

	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, a) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, text, a) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	memcpy(addr, a, sizeof(a));
	return 0;
}

int
sw_text_prefix(const char *text, uint8_t *family, uint8_t addr[16],
		int *plen)
{
	/* longer than any address inet_pton() reads (45 characters) */
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	uint32_t len;

	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (sw_text_addr(buf, family, addr) < 0)
		return -EINVAL;
	if (slash != NULL && sw_text_dec(slash + 1, 0,
			*family == AF_INET6 ? 128 : 32, &len) < 0)
		return -ERANGE;
	*plen = slash != NULL ? (int)len : -1;
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
sw_text_mac(const char *text, uint8_t mac[6])
{
	uint8_t m[6];

	for (unsigned int i = 0; i < 6; i++) {
		int hi = hex_digit(text[0]);
		int lo = hi < 0 ? -1 : hex_digit(text[1]);

		if (lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
		text += 2;
		if (i < 5 && *text++ != ':')
			return -EINVAL;
	}
	if (*text != '\0')
		return -EINVAL;
	memcpy(mac, m, sizeof(m));
	return 0;
}

const char *
sw_text_list_start(const char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	return *text == '\0' ? NULL : text;
}

int
sw_text_item(const char **p, char *buf, size_t len)
{
	const char *s = *p, *comma;
	size_t n;

	if (s == NULL)
		return 0;
	comma = strchr(s, ',');
	n = comma != NULL ? (size_t)(comma - s) : strlen(s);
	*p = comma != NULL ? comma + 1 : NULL;
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		return -E2BIG;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 1;
}

static const char *
skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* One decimal port 1..65535; advances *s past it. */
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
sw_text_ports(const char *list, uint64_t *ports, const char **bad)
{
	const char *p = list;

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
			ports[port >> 6] |= UINT64_C(1) << (port & 63);
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
