/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "sw_cookie.h"

/*
 * Most common MSS values seen on the Internet, ascending; never below
 * the family minimum (RFC 9293 §3.7.1 / RFC 8200 §5). IPv4: 1460
 * Ethernet, 1452 PPPoE, 1440 tunnels and VPNs, 1400/1360 router
 * clamps (ip tcp adjust-mss), 1300 and 1200 mobile and IPsec paths.
 * IPv6: 1440 Ethernet, 1432 PPPoE, 1420 6in4/6rd (MTU 1480), clamps,
 * 1280 - 60 = 1220 the IPv6 minimum.
 */
const uint16_t sw_cookie_mss4[SW_COOKIE_MSS_N] = {
	536, 1200, 1300, 1360, 1400, 1440, 1452, 1460,
};
const uint16_t sw_cookie_mss6[SW_COOKIE_MSS_N] = {
	1220, 1280, 1340, 1380, 1400, 1420, 1432, 1440,
};

/* Window-scale classes of the ISN: what the backend is told without TS. */
static const uint8_t wclass_value[4] = { SW_COOKIE_WSCALE_NONE, 0, 6, 8 };

#define TS_WSCALE_NONE	15

/* Bits of the MAC input word that are not the tuple or the ISN. */
#define INFO_SLOT(c)	((uint32_t)(c))
#define INFO_MSS(i)	((uint32_t)(i) << 2)
#define INFO_SACK(b)	((uint32_t)(b) << 5)
#define INFO_WCLASS(c)	((uint32_t)(c) << 6)
#define INFO_TS		(1u << 8)
#define INFO_WSCALE(w)	((uint32_t)(w) << 9)
#define INFO_ECN(b)	((uint32_t)(b) << 13)
#define INFO_INET6	(1u << 14)

#define MAC_ISN_BITS	24
#define MAC_ISN_MASK	((1u << MAC_ISN_BITS) - 1)
#define MAC_TS_BITS	27
#define MAC_TS_MASK	((1u << MAC_TS_BITS) - 1)

int
sw_cookie_mss_index(uint8_t family, uint16_t mss)
{
	const uint16_t *tab = family == AF_INET6 ? sw_cookie_mss6 :
		sw_cookie_mss4;

	if (mss == 0)
		return 0;
	if (mss < tab[0])
		return -1;
	for (int i = SW_COOKIE_MSS_N - 1; i > 0; i--)
		if (mss >= tab[i])
			return i;
	return 0;
}

static inline unsigned int
wclass_of(uint8_t wscale)
{
	if (wscale == SW_COOKIE_WSCALE_NONE)
		return 0;
	if (wscale >= 8)
		return 3;
	return wscale >= 6 ? 2 : 1;
}

/* The PRF's input for (tuple, client ISN, info). */
static inline void
cookie_mac_in(const struct sw_siphash_key *key,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		uint32_t info, struct sw_cookie_mac_in *in)
{
	const uint64_t ports = (uint64_t)t->sport | (uint64_t)t->dport << 16 |
		(uint64_t)client_isn << 32;

	in->key = key;
	if (t->family != AF_INET6) {
		in->w[0] = (uint64_t)t->saddr[0] | (uint64_t)t->daddr[0] << 32;
		in->w[1] = ports;
		in->tail = info;
		in->n_words = 2;
		return;
	}
	in->w[0] = (uint64_t)t->saddr[0] | (uint64_t)t->saddr[1] << 32;
	in->w[1] = (uint64_t)t->saddr[2] | (uint64_t)t->saddr[3] << 32;
	in->w[2] = (uint64_t)t->daddr[0] | (uint64_t)t->daddr[1] << 32;
	in->w[3] = (uint64_t)t->daddr[2] | (uint64_t)t->daddr[3] << 32;
	in->w[4] = ports;
	in->tail = info | INFO_INET6;
	in->n_words = 5;
}

/* One PRF call over a prepared input (constant shapes: inlined). */
static inline uint64_t
cookie_mac(const struct sw_cookie_mac_in *in)
{
	if (in->n_words == 2)
		return sw_siphash24_words(in->key, in->w, 2, in->tail, 20);
	return sw_siphash24_words(in->key, in->w, 5, in->tail, 44);
}

uint32_t
sw_cookie_make_prep(const struct sw_cookie_keys *k,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		const struct sw_cookie_opts *o, struct sw_cookie_mac_in *in)
{
	const unsigned int code = (unsigned int)(k->slot & 3);
	int idx = sw_cookie_mss_index(t->family, o->mss);
	/* RFC 7323 §2.3: a shift over 14 is used as 14. */
	uint8_t ws = o->wscale == SW_COOKIE_WSCALE_NONE ? o->wscale :
		(o->wscale > 14 ? 14 : o->wscale);
	unsigned int wclass = wclass_of(ws);
	unsigned int wsc = ws == SW_COOKIE_WSCALE_NONE ? TS_WSCALE_NONE : ws;
	uint32_t info;

	if (idx < 0)
		idx = 0;	/* callers refuse such SYNs first */
	info = INFO_SLOT(code) | INFO_MSS(idx) | INFO_SACK(o->sack_ok) |
		INFO_WCLASS(wclass);
	if (o->ts)
		info |= INFO_TS | INFO_WSCALE(wsc) | INFO_ECN(o->ecn);
	cookie_mac_in(&k->key[code], t, client_isn, info, in);
	/* The clear bits, and the TSval's top (the window scale) in the
	 * low bits the MAC takes: finish puts each in place. */
	return (uint32_t)code << 30 | (uint32_t)idx << 27 |
		(uint32_t)o->sack_ok << 26 | (uint32_t)wclass << 24 | wsc;
}

uint32_t
sw_cookie_make_finish(uint32_t clear, const struct sw_cookie_opts *o,
		uint64_t h, uint32_t *tsval)
{
	if (o->ts)
		*tsval = (clear & 15) << 28 | (uint32_t)o->ecn << 27 |
			((uint32_t)(h >> MAC_ISN_BITS) & MAC_TS_MASK);
	return (clear & ~MAC_ISN_MASK) | ((uint32_t)h & MAC_ISN_MASK);
}

uint32_t
sw_cookie_make(const struct sw_cookie_keys *k, const struct sw_cookie_tuple *t,
		uint32_t client_isn, const struct sw_cookie_opts *o,
		uint32_t *tsval)
{
	struct sw_cookie_mac_in in;
	const uint32_t clear = sw_cookie_make_prep(k, t, client_isn, o, &in);

	return sw_cookie_make_finish(clear, o, cookie_mac(&in), tsval);
}

void
sw_cookie_check_prep(const struct sw_cookie_keys *k,
		const struct sw_cookie_tuple *t, uint32_t client_isn,
		uint32_t cookie, bool has_ts, uint32_t tsecr,
		struct sw_cookie_mac_in *in)
{
	const unsigned int code = cookie >> 30;
	uint32_t info = INFO_SLOT(code) | INFO_MSS((cookie >> 27) & 7) |
		INFO_SACK((cookie >> 26) & 1) | INFO_WCLASS((cookie >> 24) & 3);

	if (has_ts)
		info |= INFO_TS | INFO_WSCALE(tsecr >> 28) |
			INFO_ECN((tsecr >> 27) & 1);
	cookie_mac_in(&k->key[code], t, client_isn, info, in);
}

enum sw_cookie_verdict
sw_cookie_check_finish(const struct sw_cookie_keys *k, uint8_t family,
		uint32_t cookie, bool has_ts, uint32_t tsval, uint32_t tsecr,
		uint64_t h, struct sw_cookie_opts *o)
{
	const unsigned int code = cookie >> 30;
	const unsigned int idx = (cookie >> 27) & 7;
	const bool sack = (cookie >> 26) & 1;
	const unsigned int wclass = (cookie >> 24) & 3;
	const unsigned int wsc = has_ts ? tsecr >> 28 : 0;

	if ((cookie & MAC_ISN_MASK) != ((uint32_t)h & MAC_ISN_MASK))
		return SW_COOKIE_BAD;
	if (has_ts && (tsecr & MAC_TS_MASK) !=
			((uint32_t)(h >> MAC_ISN_BITS) & MAC_TS_MASK))
		return SW_COOKIE_BAD;
	/* The key at `code` is that of the newest slot with this code. */
	if (((k->slot - code) & 3) >= 2)
		return SW_COOKIE_EXPIRED;

	o->mss = family == AF_INET6 ? sw_cookie_mss6[idx] :
		sw_cookie_mss4[idx];
	o->sack_ok = sack;
	o->ts = has_ts;
	o->ecn = has_ts && ((tsecr >> 27) & 1);
	o->ts_recent = has_ts ? tsval : 0;
	if (has_ts)
		o->wscale = wsc == TS_WSCALE_NONE ? SW_COOKIE_WSCALE_NONE :
			(uint8_t)wsc;
	else
		o->wscale = wclass_value[wclass];
	if (o->wscale != SW_COOKIE_WSCALE_NONE && o->wscale > 14)
		return SW_COOKIE_BAD;	/* MAC'd, so only ever our own bug */
	return SW_COOKIE_OK;
}

enum sw_cookie_verdict
sw_cookie_check(const struct sw_cookie_keys *k, const struct sw_cookie_tuple *t,
		uint32_t client_isn, uint32_t cookie, bool has_ts, uint32_t tsval,
		uint32_t tsecr, struct sw_cookie_opts *o)
{
	struct sw_cookie_mac_in in;

	sw_cookie_check_prep(k, t, client_isn, cookie, has_ts, tsecr, &in);
	return sw_cookie_check_finish(k, t->family, cookie, has_ts, tsval,
		tsecr, cookie_mac(&in), o);
}

void
sw_cookie_derive(const uint8_t master[SW_COOKIE_MASTER_LEN], uint64_t slot,
		struct sw_siphash_key *key)
{
	static const char label[] = "synwall-cookie-v1";
	uint8_t msg[sizeof(label) - 1 + 8];
	uint8_t out[16];

	if (sodium_init() < 0)
		abort();
	memcpy(msg, label, sizeof(label) - 1);
	for (unsigned int i = 0; i < 8; i++)
		msg[sizeof(label) - 1 + i] = (uint8_t)(slot >> (56 - 8 * i));
	crypto_generichash(out, sizeof(out), msg, sizeof(msg), master,
		SW_COOKIE_MASTER_LEN);
	sw_siphash_key_from_bytes(key, out);
	sodium_memzero(out, sizeof(out));
}

void
sw_cookie_keys_fill(const uint8_t master[SW_COOKIE_MASTER_LEN], uint64_t slot,
		struct sw_cookie_keys *k)
{
	k->slot = slot;
	for (uint64_t s = slot - (SW_COOKIE_SLOTS - 1); s != slot + 1; s++)
		sw_cookie_derive(master, s, &k->key[s & 3]);
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#define KEY_FILE_MAX	4096	/* a key file is 64 digits and some blanks */

int
sw_cookie_master_load(const char *path, uint8_t master[SW_COOKIE_MASTER_LEN],
		char *err, size_t err_len)
{
	uint8_t key[SW_COOKIE_MASTER_LEN];
	char buf[KEY_FILE_MAX + 1];
	struct stat st;
	size_t n = 0, got = 0;
	ssize_t r;
	int fd, ret = 0;

	/* Not blocking: a FIFO must not hang the start in open(). */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_len, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, err_len,
			"%s: group or others may access the cookie secret (mode %03o): chmod 600 it",
			path, (unsigned int)(st.st_mode & 0777));
		close(fd);
		return -EPERM;
	}
	/* The whole file, or more than a key file can be: then refused. */
	while (got < sizeof(buf) &&
			(r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got > KEY_FILE_MAX)
		ret = -EINVAL;
	for (size_t i = 0; i < got && ret == 0; i++) {
		int hi, lo;

		if (isspace((unsigned char)buf[i]))
			continue;
		hi = hex_digit((unsigned char)buf[i]);
		lo = i + 1 < got ? hex_digit((unsigned char)buf[i + 1]) : -1;
		if (hi < 0 || lo < 0 || n == SW_COOKIE_MASTER_LEN)
			ret = -EINVAL;
		else
			key[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (ret == 0 && n != SW_COOKIE_MASTER_LEN)
		ret = -EINVAL;
	if (ret == 0)
		memcpy(master, key, sizeof(key));
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(key, sizeof(key));
	if (ret != 0)
		snprintf(err, err_len,
			"%s: expected %d hex digits (a %d-byte secret), e.g. from: head -c %d /dev/urandom | xxd -p -c %d",
			path, 2 * SW_COOKIE_MASTER_LEN, SW_COOKIE_MASTER_LEN,
			SW_COOKIE_MASTER_LEN, SW_COOKIE_MASTER_LEN);
	return ret;
}

void
sw_cookie_master_random(uint8_t master[SW_COOKIE_MASTER_LEN])
{
	if (sodium_init() < 0)
		abort();	/* no entropy source: nothing safe to do */
	randombytes_buf(master, SW_COOKIE_MASTER_LEN);
}
