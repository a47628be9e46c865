/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/cookie/sw_cookie.c against its header's contract: every option
 * combination survives make -> check, a cookie lives two slots and is
 * told apart as expired for two more, every corruption is refused, the
 * forging odds match the MAC width, keys are the documented BLAKE2b
 * derivation, and master secret files are read (and refused) as
 * documented. Then cycles per make/check, printed, never asserted.
 * Deterministic: sw_test_rand() from fixed seeds, no EAL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "sw_cookie.h"

#include "sw_test.h"

#define FORGE_TRIES	(1u << 22)
#define BENCH_N		4096
#define BENCH_ROUNDS	64

static const uint8_t families[2] = { AF_INET, AF_INET6 };

/* The failing case, for sw_test_ctx (static: it outlives each test). */
static char ctx[192];

static const char *
fam_name(uint8_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static const uint16_t *
mss_table(uint8_t family)
{
	return family == AF_INET6 ? sw_cookie_mss6 : sw_cookie_mss4;
}

/* IPv4 uses word 0 of each address only; the rest stay zero. */
static void
rand_tuple(uint64_t *s, uint8_t family, struct sw_cookie_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = family;
	for (int i = 0; i < (family == AF_INET6 ? 4 : 1); i++) {
		t->saddr[i] = (uint32_t)sw_test_rand(s);
		t->daddr[i] = (uint32_t)sw_test_rand(s);
	}
	t->sport = (uint16_t)sw_test_rand(s);
	t->dport = (uint16_t)sw_test_rand(s);
}

/* Random keys straight into the struct: no derivation needed here. */
static void
rand_keys(uint64_t *s, struct sw_cookie_keys *k)
{
	k->slot = sw_test_rand(s) >> 8;
	for (int i = 0; i < SW_COOKIE_SLOTS; i++) {
		k->key[i].k0 = sw_test_rand(s);
		k->key[i].k1 = sw_test_rand(s);
	}
}

static void
rand_master(uint64_t *s, uint8_t m[SW_COOKIE_MASTER_LEN])
{
	for (int i = 0; i < SW_COOKIE_MASTER_LEN; i++)
		m[i] = (uint8_t)sw_test_rand(s);
}

/* What check() reports for the window scale without timestamps. */
static uint8_t
wscale_class(uint8_t w)
{
	if (w == SW_COOKIE_WSCALE_NONE)
		return SW_COOKIE_WSCALE_NONE;
	if (w >= 8)
		return 8;
	return w >= 6 ? 6 : 0;
}

/* 1. Every option combination comes back as the layout promises. */
static void
test_round_trip(void)
{
	uint64_t s = 0x5eed0001;

	sw_test_ctx = ctx;
	for (int f = 0; f < 2; f++) {
		const uint8_t fam = families[f];
		const uint16_t *tab = mss_table(fam);

		/* mss 0 and one entry past the table are valid requests too. */
		for (int mi = -1; mi <= SW_COOKIE_MSS_N; mi++)
		for (int above = 0; above < 2; above++)
		for (int w = 0; w <= 15; w++)
		for (int bits = 0; bits < 8; bits++) {
			const bool sack = bits & 1, ecn = bits & 2, ts = bits & 4;
			const uint8_t ws = w == 15 ? SW_COOKIE_WSCALE_NONE :
				(uint8_t)w;
			struct sw_cookie_keys k;
			struct sw_cookie_tuple t;
			struct sw_cookie_opts o = { 0 }, got;
			uint16_t req, want;
			uint32_t isn, cookie, tsval = 0, peer_ts;
			enum sw_cookie_verdict v;

			if (mi == -1) {		/* no MSS option */
				if (above)
					continue;
				req = 0;
				want = tab[0];
			} else if (mi == SW_COOKIE_MSS_N) {
				req = above ? 65535 : 9000;
				want = tab[SW_COOKIE_MSS_N - 1];
			} else {
				req = (uint16_t)(tab[mi] + above);
				want = tab[mi];
			}
			rand_keys(&s, &k);
			rand_tuple(&s, fam, &t);
			isn = (uint32_t)sw_test_rand(&s);
			peer_ts = (uint32_t)sw_test_rand(&s);
			o.mss = req;
			o.wscale = ws;
			o.sack_ok = sack;
			o.ecn = ecn;
			o.ts = ts;
			snprintf(ctx, sizeof(ctx),
				"%s mss %u wscale %u sack %d ecn %d ts %d",
				fam_name(fam), req, ws, sack, ecn, ts);

			cookie = sw_cookie_make(&k, &t, isn, &o, &tsval);
			memset(&got, 0xa5, sizeof(got));
			v = sw_cookie_check(&k, &t, isn, cookie, ts, peer_ts,
				tsval, &got);
			SW_CHECK_EQ(v, SW_COOKIE_OK);
			if (v != SW_COOKIE_OK)
				continue;
			SW_CHECK_EQ(got.mss, want);
			SW_CHECK(got.mss <= req || req == 0);
			SW_CHECK_EQ(got.sack_ok, sack);
			SW_CHECK_EQ(got.ts, ts);
			if (ts) {
				SW_CHECK_EQ(got.wscale, ws);
				SW_CHECK_EQ(got.ecn, ecn);
				SW_CHECK_EQ(got.ts_recent, peer_ts);
			} else {
				SW_CHECK_EQ(got.wscale, wscale_class(ws));
				SW_CHECK_EQ(got.ecn, false);
			}
		}

		snprintf(ctx, sizeof(ctx), "%s mss_index", fam_name(fam));
		SW_CHECK_EQ(sw_cookie_mss_index(fam, 0), 0);
		SW_CHECK_EQ(sw_cookie_mss_index(fam, 1), -1);
		SW_CHECK_EQ(sw_cookie_mss_index(fam, (uint16_t)(tab[0] - 1)),
			-1);
		SW_CHECK_EQ(sw_cookie_mss_index(fam, 65535),
			SW_COOKIE_MSS_N - 1);
		for (int i = 0; i < SW_COOKIE_MSS_N; i++) {
			SW_CHECK_EQ(sw_cookie_mss_index(fam, tab[i]), i);
			SW_CHECK_EQ(sw_cookie_mss_index(fam,
				(uint16_t)(tab[i] + 1)), i);
			if (i > 0) {
				SW_CHECK(tab[i] > tab[i - 1]);
				SW_CHECK_EQ(sw_cookie_mss_index(fam,
					(uint16_t)(tab[i] - 1)), i - 1);
			}
		}
	}
	SW_CHECK_EQ(sw_cookie_mss4[0], 536);	/* RFC 9293 §3.7.1 */
	SW_CHECK_EQ(sw_cookie_mss6[0], 1220);	/* RFC 8200 §5: 1280 - 60 */
}

/* 2. Alive for slots S and S+1, expired at S+2/S+3, unknown after. */
static void
test_slots(void)
{
	static const uint64_t base[] = {
		0, 1, 2, 3, 4, 5, 1000, 0x123456789ull, UINT64_MAX - 20,
	};
	uint64_t s = 0x5eed0002;
	uint8_t master[SW_COOKIE_MASTER_LEN], other[SW_COOKIE_MASTER_LEN];

	sw_test_ctx = ctx;
	rand_master(&s, master);
	rand_master(&s, other);
	for (size_t b = 0; b < sizeof(base) / sizeof(base[0]); b++)
	for (int f = 0; f < 2; f++)
	for (int ts = 0; ts < 2; ts++) {
		const uint64_t slot = base[b];
		struct sw_cookie_keys k, later, foreign;
		struct sw_cookie_tuple t;
		struct sw_cookie_opts o = {
			.mss = 1460, .wscale = 7, .sack_ok = true, .ts = ts,
		}, got;
		uint32_t isn, cookie, tsval = 0;

		rand_tuple(&s, families[f], &t);
		isn = (uint32_t)sw_test_rand(&s);
		sw_cookie_keys_fill(master, slot, &k);
		cookie = sw_cookie_make(&k, &t, isn, &o, &tsval);
		SW_CHECK_EQ(cookie >> 30, slot & 3);
		for (uint64_t d = 0; d < 12; d++) {
			enum sw_cookie_verdict want = d < 2 ? SW_COOKIE_OK :
				d < 4 ? SW_COOKIE_EXPIRED : SW_COOKIE_BAD;

			snprintf(ctx, sizeof(ctx),
				"%s ts %d made at slot %llu, checked at +%llu",
				fam_name(families[f]), ts,
				(unsigned long long)slot, (unsigned long long)d);
			sw_cookie_keys_fill(master, slot + d, &later);
			SW_CHECK_EQ(sw_cookie_check(&later, &t, isn, cookie,
				ts, 1, tsval, &got), want);
		}
		snprintf(ctx, sizeof(ctx), "%s ts %d slot %llu other master",
			fam_name(families[f]), ts, (unsigned long long)slot);
		sw_cookie_keys_fill(other, slot, &foreign);
		SW_CHECK_EQ(sw_cookie_check(&foreign, &t, isn, cookie, ts, 1,
			tsval, &got), SW_COOKIE_BAD);
	}
}

/* 3. Any single corrupted bit anywhere in what the ACK carries. */
static void
test_corruption(void)
{
	uint64_t s = 0x5eed0003;

	sw_test_ctx = ctx;
	for (int f = 0; f < 2; f++)
	for (int ts = 0; ts < 2; ts++)
	for (int trial = 0; trial < 64; trial++) {
		const uint8_t fam = families[f];
		const int nwords = fam == AF_INET6 ? 4 : 1;
		struct sw_cookie_keys k;
		struct sw_cookie_tuple t, bad;
		struct sw_cookie_opts o = { 0 }, got;
		uint32_t isn, cookie, tsval = 0, r;
		enum sw_cookie_verdict v;

		rand_keys(&s, &k);
		rand_tuple(&s, fam, &t);
		isn = (uint32_t)sw_test_rand(&s);
		r = (uint32_t)sw_test_rand(&s);
		o.mss = mss_table(fam)[r % SW_COOKIE_MSS_N];
		o.wscale = (r >> 3) % 16 == 15 ? SW_COOKIE_WSCALE_NONE :
			(uint8_t)((r >> 3) % 16);
		o.sack_ok = r & (1u << 8);
		o.ecn = r & (1u << 9);
		o.ts = ts;
		cookie = sw_cookie_make(&k, &t, isn, &o, &tsval);
		/* Half the cookies come from the previous, still valid slot. */
		if (trial & 1)
			k.slot++;

		snprintf(ctx, sizeof(ctx), "%s ts %d trial %d: unmodified",
			fam_name(fam), ts, trial);
		SW_CHECK_EQ(sw_cookie_check(&k, &t, isn, cookie, ts, 0, tsval,
			&got), SW_COOKIE_OK);

		for (int b = 0; b < 32; b++) {
			const uint32_t m = 1u << b;

			snprintf(ctx, sizeof(ctx),
				"%s ts %d trial %d: flip bit %d", fam_name(fam),
				ts, trial, b);
			v = sw_cookie_check(&k, &t, isn, cookie ^ m, ts, 0,
				tsval, &got);
			/* A changed slot code picks another key: never OK. */
			if (b >= 30)
				SW_CHECK(v != SW_COOKIE_OK);
			else
				SW_CHECK_EQ(v, SW_COOKIE_BAD);
			SW_CHECK_EQ(sw_cookie_check(&k, &t, isn ^ m, cookie,
				ts, 0, tsval, &got), SW_COOKIE_BAD);
			if (ts)
				SW_CHECK_EQ(sw_cookie_check(&k, &t, isn, cookie,
					ts, 0, tsval ^ m, &got),
					SW_COOKIE_BAD);
			for (int w = 0; w < nwords; w++) {
				bad = t;
				bad.saddr[w] ^= m;
				SW_CHECK_EQ(sw_cookie_check(&k, &bad, isn,
					cookie, ts, 0, tsval, &got),
					SW_COOKIE_BAD);
				bad = t;
				bad.daddr[w] ^= m;
				SW_CHECK_EQ(sw_cookie_check(&k, &bad, isn,
					cookie, ts, 0, tsval, &got),
					SW_COOKIE_BAD);
			}
			if (b < 16) {
				bad = t;
				bad.sport ^= (uint16_t)m;
				SW_CHECK_EQ(sw_cookie_check(&k, &bad, isn,
					cookie, ts, 0, tsval, &got),
					SW_COOKIE_BAD);
				bad = t;
				bad.dport ^= (uint16_t)m;
				SW_CHECK_EQ(sw_cookie_check(&k, &bad, isn,
					cookie, ts, 0, tsval, &got),
					SW_COOKIE_BAD);
			}
		}
		snprintf(ctx, sizeof(ctx), "%s ts %d trial %d: swaps",
			fam_name(fam), ts, trial);
		/* The reply direction's tuple is not the SYN's. */
		bad = t;
		memcpy(bad.saddr, t.daddr, sizeof(bad.saddr));
		memcpy(bad.daddr, t.saddr, sizeof(bad.daddr));
		bad.sport = t.dport;
		bad.dport = t.sport;
		SW_CHECK_EQ(sw_cookie_check(&k, &bad, isn, cookie, ts, 0,
			tsval, &got), SW_COOKIE_BAD);
		bad = t;
		bad.family = fam == AF_INET6 ? AF_INET : AF_INET6;
		SW_CHECK_EQ(sw_cookie_check(&k, &bad, isn, cookie, ts, 0,
			tsval, &got), SW_COOKIE_BAD);

		snprintf(ctx, sizeof(ctx), "%s trial %d: made with ts %d, "
			"checked with ts %d", fam_name(fam), trial, ts, !ts);
		/* Without ts at make time, try the TSecr an attacker wants. */
		SW_CHECK_EQ(sw_cookie_check(&k, &t, isn, cookie, !ts, 0,
			ts ? tsval : (uint32_t)sw_test_rand(&s), &got),
			SW_COOKIE_BAD);
	}
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * 4. Blind forging. Without timestamps a guess must match the 24 MAC
 * bits of the ISN: p = 2^-24 per try, so 2^22 tries accept
 * Binomial(2^22, 2^-24) ~ Poisson(0.25) cookies (counting EXPIRED ones
 * too: the MAC matched). P(X >= 5) = 1 - e^-0.25 (1 + .25 + .25^2/2 +
 * .25^3/6 + .25^4/24) ~ 6.4e-6, so "<= 4" fails a correct 24-bit MAC
 * only by a one-in-150,000 accident, while a MAC with even 20 effective
 * bits (expect 4, P(X >= 5) ~ 0.37) or 16 (expect 64) trips it.
 * With timestamps the guess must match 24 + 27 = 51 bits: expect
 * 2^-29 accepted, so any acceptance is a bug.
 */
static void
test_forging(void)
{
	uint64_t s = 0x5eed0004;
	struct sw_cookie_keys k;
	struct sw_cookie_tuple t;
	struct sw_cookie_opts got;
	unsigned int ok = 0, expired = 0, ok_ts = 0;
	double t0, t1;

	sw_test_ctx = "IPv4, fixed keys and tuple";
	rand_keys(&s, &k);
	rand_tuple(&s, AF_INET, &t);
	t0 = now_sec();
	for (uint32_t i = 0; i < FORGE_TRIES; i++) {
		uint64_t r = sw_test_rand(&s);

		switch (sw_cookie_check(&k, &t, (uint32_t)(r >> 32),
				(uint32_t)r, false, 0, 0, &got)) {
		case SW_COOKIE_OK:
			ok++;
			break;
		case SW_COOKIE_EXPIRED:
			expired++;
			break;
		case SW_COOKIE_BAD:
			break;
		}
	}
	for (uint32_t i = 0; i < FORGE_TRIES; i++) {
		uint64_t r = sw_test_rand(&s);

		if (sw_cookie_check(&k, &t, 12345, (uint32_t)r, true, 0,
				(uint32_t)(r >> 32), &got) != SW_COOKIE_BAD)
			ok_ts++;
	}
	t1 = now_sec();
	printf("  forging: %u tries without ts: %u OK + %u EXPIRED "
		"(expect ~0.25 MAC matches); %u tries with ts: %u "
		"(expect 0); %.2f s\n", FORGE_TRIES, ok, expired,
		FORGE_TRIES, ok_ts, t1 - t0);
	SW_CHECK(ok + expired <= 4);
	SW_CHECK_EQ(ok_ts, 0);
}

/*
 * 5. The worked example: client A 192.0.2.1:1024 -> B 198.51.100.1:80
 * sends SYN seq j = 10000; B answers SYN-ACK seq k (the cookie),
 * ack j + 1; A completes with ACK seq j + 1, ack k + 1. The checker
 * must undo both +1s: client_isn = seq - 1, cookie = ack - 1.
 */
static void
test_worked_example(void)
{
	uint8_t master[SW_COOKIE_MASTER_LEN];
	struct sw_cookie_keys k;
	struct sw_cookie_tuple t = { .family = AF_INET };
	struct sw_cookie_opts o = { .mss = 1460, .wscale = 7,
		.sack_ok = true }, got;
	const uint32_t j = 10000;
	uint32_t cookie, ack_seq, ack_ack, unused = 0;
	uint64_t s = 0x5eed0005;

	sw_test_ctx = "A 192.0.2.1:1024 -> B 198.51.100.1:80, j = 10000";
	rand_master(&s, master);
	sw_cookie_keys_fill(master, 77, &k);
	SW_CHECK_EQ(inet_pton(AF_INET, "192.0.2.1", &t.saddr[0]), 1);
	SW_CHECK_EQ(inet_pton(AF_INET, "198.51.100.1", &t.daddr[0]), 1);
	t.sport = htons(1024);
	t.dport = htons(80);

	cookie = sw_cookie_make(&k, &t, j, &o, &unused);
	printf("  worked example: cookie k = %u, SYN-ACK ack = %u\n",
		cookie, j + 1);
	ack_seq = j + 1;
	ack_ack = cookie + 1;
	SW_CHECK_EQ(ack_seq, 10001);
	SW_CHECK_EQ(sw_cookie_check(&k, &t, ack_seq - 1, ack_ack - 1, false,
		0, 0, &got), SW_COOKIE_OK);
	SW_CHECK_EQ(got.mss, 1460);
	SW_CHECK_EQ(got.wscale, 6);
	SW_CHECK_EQ(got.sack_ok, true);
	/* Forgetting either -1 must fail. */
	SW_CHECK_EQ(sw_cookie_check(&k, &t, ack_seq, ack_ack - 1, false, 0, 0,
		&got), SW_COOKIE_BAD);
	SW_CHECK_EQ(sw_cookie_check(&k, &t, ack_seq - 1, ack_ack, false, 0, 0,
		&got), SW_COOKIE_BAD);
}

/* Independent: BLAKE2b-128 keyed by master over label || slot (BE). */
static void
ref_derive(const uint8_t master[SW_COOKIE_MASTER_LEN], uint64_t slot,
		struct sw_siphash_key *key)
{
	uint8_t msg[17 + 8], out[16];

	memcpy(msg, "synwall-cookie-v1", 17);
	for (int i = 0; i < 8; i++)
		msg[17 + i] = (uint8_t)(slot >> (56 - 8 * i));
	crypto_generichash(out, sizeof(out), msg, sizeof(msg), master,
		SW_COOKIE_MASTER_LEN);
	key->k0 = key->k1 = 0;
	for (int i = 0; i < 8; i++) {
		key->k0 |= (uint64_t)out[i] << (8 * i);
		key->k1 |= (uint64_t)out[8 + i] << (8 * i);
	}
}

/* 6. Key derivation: documented, deterministic, one key per slot. */
static void
test_derive(void)
{
	static const uint64_t slots[] = {
		0, 1, 2, 3, 4, 255, 256, 0x0102030405060708ull,
		UINT64_MAX - 1, UINT64_MAX,
	};
	const size_t n = sizeof(slots) / sizeof(slots[0]);
	uint64_t s = 0x5eed0006;
	uint8_t master[SW_COOKIE_MASTER_LEN];
	struct sw_siphash_key a, b, ref, all[sizeof(slots) / sizeof(slots[0])];
	struct sw_cookie_keys k;

	sw_test_ctx = ctx;
	rand_master(&s, master);
	for (size_t i = 0; i < n; i++) {
		snprintf(ctx, sizeof(ctx), "slot %llu",
			(unsigned long long)slots[i]);
		sw_cookie_derive(master, slots[i], &a);
		sw_cookie_derive(master, slots[i], &b);
		ref_derive(master, slots[i], &ref);
		SW_CHECK_EQ(a.k0, b.k0);
		SW_CHECK_EQ(a.k1, b.k1);
		SW_CHECK_EQ(a.k0, ref.k0);
		SW_CHECK_EQ(a.k1, ref.k1);
		all[i] = a;
		for (size_t j = 0; j < i; j++)
			SW_CHECK(all[j].k0 != a.k0 || all[j].k1 != a.k1);

		sw_cookie_keys_fill(master, slots[i], &k);
		SW_CHECK_EQ(k.slot, slots[i]);
		for (uint64_t d = 0; d < SW_COOKIE_SLOTS; d++) {
			const uint64_t sl = slots[i] - d;

			ref_derive(master, sl, &ref);
			SW_CHECK_EQ(k.key[sl % SW_COOKIE_SLOTS].k0, ref.k0);
			SW_CHECK_EQ(k.key[sl % SW_COOKIE_SLOTS].k1, ref.k1);
		}
	}
	/* A one-bit change of the master changes the key. */
	sw_test_ctx = "master bit flip";
	sw_cookie_derive(master, 5, &a);
	master[31] ^= 0x80;
	sw_cookie_derive(master, 5, &b);
	SW_CHECK(a.k0 != b.k0 || a.k1 != b.k1);
}

/* Write `text` to a fresh temp file with `mode`; returns its path. */
static void
write_temp(char path[32], const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd;

	strcpy(path, "/tmp/sw_cookie_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(EXIT_FAILURE);
	}
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
		perror(path);
		exit(EXIT_FAILURE);
	}
	close(fd);
}

/* Load `text` from a temp file; the message must be one line. */
static int
load_text(const char *text, mode_t mode, uint8_t master[SW_COOKIE_MASTER_LEN])
{
	char path[32], err[512];
	int ret;

	write_temp(path, text, mode);
	err[0] = '\0';
	ret = sw_cookie_master_load(path, master, err, sizeof(err));
	unlink(path);
	if (ret != 0) {
		SW_CHECK(err[0] != '\0');
		SW_CHECKF(strchr(err, '\n') == NULL, "(err: %s)", err);
	}
	return ret;
}

/* 7. Master secret files: format, permissions, errors. */
static void
test_master_load(void)
{
	static const char hex[] =
		"000102030405060708090a0b0c0d0e0f"
		"F0E1D2C3B4A5968778695A4B3C2D1E0f";
	uint8_t want[SW_COOKIE_MASTER_LEN], m[SW_COOKIE_MASTER_LEN];
	char buf[512], path[32], err[512];

	for (int i = 0; i < 16; i++) {
		want[i] = (uint8_t)i;
		want[16 + i] = (uint8_t)(0xf0 - 0x0f * i);
	}
	want[31] = 0x0f;

	sw_test_ctx = "64 digits, 0600";
	memset(m, 0, sizeof(m));
	SW_CHECK_EQ(load_text(hex, 0600, m), 0);
	SW_CHECK(memcmp(m, want, sizeof(want)) == 0);

	sw_test_ctx = "whitespace around, 0400";
	memset(m, 0, sizeof(m));
	snprintf(buf, sizeof(buf), " \t\n%s\n\n", hex);
	SW_CHECK_EQ(load_text(buf, 0400, m), 0);
	SW_CHECK(memcmp(m, want, sizeof(want)) == 0);

	sw_test_ctx = "trailing newline (echo > file)";
	snprintf(buf, sizeof(buf), "%s\n", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), 0);

	sw_test_ctx = "0644";
	SW_CHECK_EQ(load_text(hex, 0644, m), -EPERM);
	sw_test_ctx = "0640";
	SW_CHECK_EQ(load_text(hex, 0640, m), -EPERM);
	sw_test_ctx = "0604";
	SW_CHECK_EQ(load_text(hex, 0604, m), -EPERM);

	sw_test_ctx = "63 digits";
	snprintf(buf, sizeof(buf), "%.63s", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "63 digits + newline";
	snprintf(buf, sizeof(buf), "%.63s\n", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "65 digits";
	snprintf(buf, sizeof(buf), "%s0", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "66 digits";
	snprintf(buf, sizeof(buf), "%s00", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "128 digits";
	snprintf(buf, sizeof(buf), "%s%s", hex, hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "non-hex digit";
	snprintf(buf, sizeof(buf), "%s", hex);
	buf[40] = 'g';
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "0x prefix";
	snprintf(buf, sizeof(buf), "0x%s", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);
	sw_test_ctx = "empty file";
	SW_CHECK_EQ(load_text("", 0600, m), -EINVAL);

	/*
	 * "whitespace around them ignored" (sw_cookie.h), whatever its
	 * length; and anything else in the file is an error, wherever it
	 * is.
	 */
	sw_test_ctx = "100 blanks, then 64 digits";
	snprintf(buf, sizeof(buf), "%100s%s\n", "", hex);
	SW_CHECK_EQ(load_text(buf, 0600, m), 0);
	sw_test_ctx = "64 digits, 100 blanks, junk";
	snprintf(buf, sizeof(buf), "%s%100sjunk\n", hex, "");
	SW_CHECK_EQ(load_text(buf, 0600, m), -EINVAL);

	sw_test_ctx = "missing file";
	write_temp(path, hex, 0600);
	unlink(path);
	err[0] = '\0';
	SW_CHECK_EQ(sw_cookie_master_load(path, m, err, sizeof(err)),
		-ENOENT);
	SW_CHECK(err[0] != '\0');
	SW_CHECK(strchr(err, '\n') == NULL);

	/* Not regular files: refused at once, never read (a FIFO with no
	 * writer would block open() forever, /dev/zero never ends). */
	sw_test_ctx = "a FIFO";
	write_temp(path, hex, 0600);
	unlink(path);
	SW_CHECK(mkfifo(path, 0600) == 0);
	err[0] = '\0';
	SW_CHECK_EQ(sw_cookie_master_load(path, m, err, sizeof(err)),
		-EINVAL);
	SW_CHECKF(strstr(err, "not a regular file") != NULL, "(err: %s)", err);
	unlink(path);
	sw_test_ctx = "a directory";
	SW_CHECK_EQ(sw_cookie_master_load("/", m, err, sizeof(err)), -EINVAL);
	SW_CHECKF(strstr(err, "not a regular file") != NULL, "(err: %s)", err);
	sw_test_ctx = "a device";
	SW_CHECK_EQ(sw_cookie_master_load("/dev/zero", m, err, sizeof(err)),
		-EINVAL);
}

/* 8. Cost per make and per check (informational, never asserted). */
static void
test_cost(void)
{
	static uint32_t isn[BENCH_N], cookie[BENCH_N], tsval[BENCH_N];
	static struct sw_cookie_tuple t[BENCH_N];
	const char *unit =
#ifdef __x86_64__
		"cycles";
#else
		"ns";
#endif
	uint64_t s = 0x5eed0008;
	struct sw_cookie_keys k;
	volatile uint32_t sink = 0;

	rand_keys(&s, &k);
	for (int f = 0; f < 2; f++)
	for (int ts = 0; ts < 2; ts++) {
		struct sw_cookie_opts o = { .mss = 1440, .wscale = 7,
			.sack_ok = true, .ts = ts }, got;
		uint64_t t0, make_t, check_t;
		uint32_t acc = 0;
		unsigned int bad = 0;

		for (int i = 0; i < BENCH_N; i++) {
			rand_tuple(&s, families[f], &t[i]);
			isn[i] = (uint32_t)sw_test_rand(&s);
		}
		/* One untimed pass: page faults, caches, frequency ramp. */
		for (int i = 0; i < BENCH_N; i++)
			cookie[i] = sw_cookie_make(&k, &t[i], isn[i], &o,
				&tsval[i]);
		t0 = sw_test_cycles();
		for (int r = 0; r < BENCH_ROUNDS; r++)
			for (int i = 0; i < BENCH_N; i++)
				cookie[i] = sw_cookie_make(&k, &t[i], isn[i],
					&o, &tsval[i]);
		make_t = sw_test_cycles() - t0;
		t0 = sw_test_cycles();
		for (int r = 0; r < BENCH_ROUNDS; r++)
			for (int i = 0; i < BENCH_N; i++) {
				bad += sw_cookie_check(&k, &t[i], isn[i],
					cookie[i], ts, 1, tsval[i], &got) !=
					SW_COOKIE_OK;
				acc += got.mss;
			}
		check_t = sw_test_cycles() - t0;
		sink = sink + acc;
		sw_test_ctx = "benchmark cookies";
		SW_CHECK_EQ(bad, 0);
		printf("  %s ts %d: make %.1f %s, check %.1f %s\n",
			fam_name(families[f]), ts,
			(double)make_t / (BENCH_N * BENCH_ROUNDS), unit,
			(double)check_t / (BENCH_N * BENCH_ROUNDS), unit);
	}
	(void)sink;
}

int
main(void)
{
	static const struct sw_test tests[] = {
		{ "round trip: every option combination, IPv4 and IPv6",
			test_round_trip },
		{ "slots: OK for 2, EXPIRED for 2 more, then BAD",
			test_slots },
		{ "any corrupted bit, tuple field or ts mismatch is BAD",
			test_corruption },
		{ "blind forging: <= 2^-24 without ts, 2^-51 with",
			test_forging },
		{ "worked example: ACK seq j+1, ack k+1 validates",
			test_worked_example },
		{ "key derivation: BLAKE2b-128(master, label || slot BE)",
			test_derive },
		{ "master secret file: format, mode, errors",
			test_master_load },
		{ "cost per make/check (informational)", test_cost },
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return EXIT_FAILURE;
	}
	return sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
}
