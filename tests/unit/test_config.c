/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of config loading: every bad file is refused with one line
 * that names the key; the annotated example documents the real
 * defaults. Uses rte_cfgfile, no EAL.
 *
 * usage: test_config PATH/TO/synwall.conf.example PATH/TO/lb.conf.example
 *        test_config --write-bad DIR
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sw_config.h"
#include "sw_pp.h"
#include "sw_test.h"

static char path[64];
static const char *example;
static const char *lb_example;
static struct sw_config cfg;

static int
load_into(struct sw_config *c, const char *text, char *err, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	err[0] = '\0';
	return sw_config_load(path, c, err, len);
}

static int
load_text(const char *text, char *err, size_t len)
{
	return load_into(&cfg, text, err, len);
}

/* A bad file, and words its one-line error must contain. */
struct bad_case {
	const char *text;
	const char *want;
};

static const struct bad_case bad[] = {
	{ "[worker]\nburst = 0\n", "[worker] burst = 0" },
	{ "[worker]\nburst = 513\n", "burst = 513" },
	{ "[worker]\nburst = 12x\n", "burst = 12x" },
	{ "[worker]\nburst = -1\n", "burst = -1" },
	{ "[worker]\nbrust = 3\n", "brust: unknown key" },
	{ "[worker]\nburst = 1\nburst = 2\n", "burst: set twice" },
	{ "[worker]\nmbufs = 100\n", "mbufs = 100" },
	{ "[ports]\nrx_desc = 64\ntx_desc = 64\n[worker]\nmbufs = 1024\n"
		"mbuf_cache = 300\n", "mbuf_cache = 300" },
	{ "[foo]\na = 1\n", "[foo]: unknown section" },
	{ "[worker]\n[worker]\n", "[worker]: section appears twice" },
	{ "garbage\n", ":1: expected [section]" },
	{ "# comment\n", "comments start with ';'" },
	{ "[ports\n", "no ']'" },
	{ "a = 1\n", "outside of any [section]" },
	{ "[ports]\ninside =\n", "inside has no value" },
	{ "[ports]\ninside = 0\noutside = 0\n", "same port as outside" },
	{ "[ports]\npromiscuous = maybe\n", "promiscuous = maybe: must be yes or no" },
	{ "[synwall]\ncapture = maybe\n", "[synwall] capture = maybe: must be yes or no" },
	{ "[synwall]\nmode = bridge\n", "mode = bridge: must be one of inline | lb" },
	/* lb's keys in inline mode */
	{ "[lb]\nmaglev_size = 65537\n", "[lb]: only with [synwall] mode = lb" },
	{ "[synwall]\nmode = inline\n[lb]\nhealth_rise = 2\n",
		"[lb]: only with [synwall] mode = lb" },
	{ "[cluster]\npeers = 198.51.100.2\n",
		"[cluster]: only with [synwall] mode = lb" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\n"
		"backends = 198.51.100.11\n",
		"[service:web] backends: only with [synwall] mode = lb" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nnat = snat\n",
		"[service:web] nat: only with [synwall] mode = lb" },
	{ "[synwall]\nlog_level = loud\n", "log_level = loud" },
	{ "[synwall]\nunprotected = drop\n", "unprotected = drop" },
	{ "[service:web]\nports = 80\n", "[service:web] prefix: missing" },
	{ "[service:web]\nprefix = 192.0.2.0/24\n", "ports: missing" },
	{ "[service:web]\nprefix = 192.0.2.1/24\nports = 80\n",
		"\"192.0.2.1/24\"" },
	{ "[service:web]\nprefix = 192.0.2.0/24, nonsense\nports = 80\n",
		"\"nonsense\"" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80,70000\n",
		"at \"70000\"" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nport = 1\n",
		"port: unknown key" },
	{ "[service:a b]\nprefix = 192.0.2.0/24\nports = 80\n",
		"service names use" },
	{ "[service:]\nprefix = 192.0.2.0/24\nports = 80\n", "bad name" },
	{ "[syncookie]\nslot_seconds = 0\n", "[syncookie] slot_seconds = 0" },
	{ "[syncookie]\nttl = 256\n", "ttl = 256" },
	{ "[syncookie]\nwindow = 0\n", "window = 0" },
	{ "[syncookie]\nrst_on_bad = sometimes\n", "rst_on_bad = sometimes" },
	{ "[syncookie]\nkey_file = /nonexistent/cookie.key\n",
		"key_file = /nonexistent/cookie.key: No such file" },
	{ "[syncookie]\nkey_file = /etc/hostname\n", "key_file = /etc/hostname" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nwscale = 15\n",
		"wscale = 15: must be a whole number 0..14 or no" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nmss = 100\n",
		"mss = 100" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nmss6 = 1219\n",
		"mss6 = 1219" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\n"
		"first_contact = maybe\n",
		"first_contact = maybe: must be probe or trust" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nsack = maybe\n",
		"sack = maybe: must be yes or no" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\n"
		"proxy_protocol = v3\n",
		"[service:web] proxy_protocol = v3: must be no, v1 or v2" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\n"
		"proxy_protocol = yes\n",
		"proxy_protocol = yes: must be no, v1 or v2" },
	/* What the start would refuse is refused here (--check-config). */
	{ "[worker]\nmbufs = 4095\n",
		"[worker] mbufs = 4095: too few for 2 ports x (1024 rx + 1024 tx descriptors) and bursts; need at least 4512" },
	{ "[ports]\nrx_desc = 4096\n[worker]\nmbufs = 8192\n",
		"[worker] mbufs = 8192: too few" },
	{ "[worker]\nflows = 67108864\nflows6 = 1\n",
		"[worker] flows + flows6 = 67108865: at most 67108864" },
	/* Decimal numbers only. */
	{ "[worker]\nburst = 0x10\n", "[worker] burst = 0x10: must be a whole number 1..512 (decimal)" },
	{ "[worker]\nburst = 010\n", "[worker] burst = 010" },
	{ "[worker]\nburst = +10\n", "[worker] burst = +10" },
	{ "[worker]\nburst = 1e2\n", "[worker] burst = 1e2" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nmss = 01460\n",
		"[service:web] mss = 01460" },
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 080\n",
		"[service:web] ports = 080: bad port or range at \"080\"" },
	/* One strict grammar. */
	{ "[service:web] junk\nprefix = 192.0.2.0/24\nports = 80\n",
		":1: text after the section header: \"junk\"" },
	{ "[service:web]\nprefix = 192.0.2.10/32,\nports = 80\n",
		"[service:web] prefix: empty item" },
	{ "[service:web]\nprefix = 192.0.2.0/24,,198.51.100.0/24\nports = 80\n",
		"[service:web] prefix: empty item" },
	{ "[service:web]\nprefix = 192.0.2.10/ 32\nports = 80\n",
		"\"192.0.2.10/ 32\"" },
	{ "[service:web]\nprefix = 192.0.2.10/032\nports = 80\n",
		"\"192.0.2.10/032\"" },
	{ "[syncookie]\nkey_file = /tmp/a\\;b\n",
		":2: \"\\;\": no value may contain ';'" },
	/* A file that protects nothing, unless a bridge is asked for. */
	{ "", "no [service:NAME]: synwall would protect nothing" },
	{ "; nothing\n[synwall]\nlog_level = info\n",
		"no [service:NAME]: synwall would protect nothing" },
};

static void
test_bad_files(void)
{
	char err[SW_ERR_LEN];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = load_text(bad[i].text, err, sizeof(err));

		SW_CHECKF(ret < 0, "accepted: %s", bad[i].text);
		SW_CHECKF(strstr(err, bad[i].want) != NULL,
			"error \"%s\" lacks \"%s\"", err, bad[i].want);
		SW_CHECKF(strchr(err, '\n') == NULL, "error is not one line: %s",
			err);
	}
	SW_CHECKF(sw_config_load("/nonexistent/synwall.conf", &cfg, err,
		sizeof(err)) < 0 && strstr(err, "No such file") != NULL,
		"missing file: %s", err);
}

/* Only a regular file of bounded size is a config; a bridge is asked for. */
static void
test_not_a_config(void)
{
	static const char *const special[] = { "/dev/null", "/dev/zero", "/" };
	char fifo[sizeof(path) + 8], text[256], err[SW_ERR_LEN];
	FILE *f;

	for (unsigned int i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		sw_test_ctx = special[i];
		SW_CHECK(sw_config_load(special[i], &cfg, err, sizeof(err)) < 0);
		SW_CHECKF(strstr(err, "not a regular file") != NULL, "%s", err);
	}
	/* A FIFO with no writer: refused at once, not read (it would block). */
	sw_test_ctx = "FIFO";
	snprintf(fifo, sizeof(fifo), "%s.fifo", path);
	SW_CHECK(mkfifo(fifo, 0600) == 0);
	SW_CHECK(sw_config_load(fifo, &cfg, err, sizeof(err)) < 0);
	SW_CHECKF(strstr(err, "not a regular file (a FIFO)") != NULL, "%s", err);
	/* The same FIFO as the key file. */
	snprintf(text, sizeof(text), "[synwall]\nunprotected = pass\n"
		"[syncookie]\nkey_file = %s\n", fifo);
	SW_CHECK(load_text(text, err, sizeof(err)) < 0);
	SW_CHECKF(strstr(err, "key_file") != NULL &&
		strstr(err, "not a regular file") != NULL, "%s", err);
	unlink(fifo);
	/* Too big, and a NUL byte. */
	sw_test_ctx = "2 MiB";
	f = fopen(path, "w");
	SW_CHECK(f != NULL);
	for (unsigned int i = 0; f != NULL && i < 2u << 20; i += 64)
		fputs(";;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;\n",
			f);
	if (f != NULL)
		fclose(f);
	SW_CHECK(sw_config_load(path, &cfg, err, sizeof(err)) < 0);
	SW_CHECKF(strstr(err, "more than 1048576") != NULL, "%s", err);
	sw_test_ctx = "NUL byte";
	f = fopen(path, "w");
	SW_CHECK(f != NULL && fwrite("[synwall]\0x = 1\n", 1, 16, f) == 16);
	if (f != NULL)
		fclose(f);
	SW_CHECK(sw_config_load(path, &cfg, err, sizeof(err)) < 0);
	SW_CHECKF(strstr(err, "NUL byte") != NULL, "%s", err);
	/* A plain bridge, asked for in so many words. */
	sw_test_ctx = "bridge";
	SW_CHECKF(load_text("[synwall]\nunprotected = pass\n", err,
		sizeof(err)) == 0, "%s", err);
	SW_CHECK(cfg.svc.n_svc == 0);
	sw_test_ctx = "";
}

static void
test_good_file(void)
{
	char err[SW_ERR_LEN];
	int ret;

	ret = load_text("; comment\n[synwall]\nunprotected = drop ; inline\n"
		"log_level = debug\ncapture = off\n[ports]\noutside = net_tap0\n"
		"inside = 0000:03:00.0\npromiscuous = off\n"
		"[worker]\nburst = 64\nmbufs = 16384\n"
		"[service:web]\nprefix = 192.0.2.0/24, 2001:db8::/64\n"
		"ports = 80, 443\nwscale = no\nmss = 1400\necn = yes\n"
		"[service:ssh]\nprefix = 198.51.100.1\nports = 22\n"
		"timestamps = off\nfirst_contact = trust\n"
		"proxy_protocol = v2\n"
		"[service:pp1]\nprefix = 198.51.100.2\nports = 25\n"
		"proxy_protocol = v1\n"
		"[syncookie]\nslot_seconds = 30\n",
		err, sizeof(err));
	SW_CHECKF(ret == 0, "good file refused: %s", err);
	SW_CHECKF(cfg.unprotected == SW_UNPROTECTED_DROP, "%s", "unprotected");
	SW_CHECKF(cfg.log_level == 8, "%s", "log_level debug = RTE_LOG_DEBUG");
	SW_CHECKF(strcmp(cfg.port_name[SW_OUTSIDE], "net_tap0") == 0, "%s", "outside");
	SW_CHECKF(strcmp(cfg.port_name[SW_INSIDE], "0000:03:00.0") == 0, "%s", "inside");
	SW_CHECKF(cfg.promiscuous == 0, "%s", "promiscuous");
	SW_CHECKF(cfg.capture == 0, "%s", "capture = off");
	SW_CHECKF(cfg.burst == 64 && cfg.mbufs == 16384, "%s", "worker sizes");
	SW_CHECK(cfg.svc.svc[0].syn.wscale == SW_SVC_WSCALE_OFF);
	SW_CHECK(cfg.svc.svc[0].syn.mss4 == 1400);
	SW_CHECK(cfg.svc.svc[0].syn.mss6 == 1440);
	SW_CHECK(cfg.svc.svc[0].syn.ecn && cfg.svc.svc[0].syn.ts);
	SW_CHECK(cfg.svc.svc[1].syn.wscale == 7 && !cfg.svc.svc[1].syn.ts);
	SW_CHECK(cfg.svc.svc[1].syn.sack);
	/* first_contact: probe by default, trust when asked. */
	SW_CHECK(!cfg.svc.svc[0].syn.trust && cfg.svc.svc[1].syn.trust);
	/* proxy_protocol: no by default, v1 and v2 when asked. */
	SW_CHECK(cfg.svc.svc[0].syn.proxy_protocol == SW_PP_NONE);
	SW_CHECK(cfg.svc.svc[1].syn.proxy_protocol == SW_PP_V2);
	SW_CHECK(cfg.svc.svc[2].syn.proxy_protocol == SW_PP_V1);
	SW_CHECK(cfg.slot_seconds == 30);
	SW_CHECKF(cfg.svc.n_svc == 3 && cfg.svc.n_v4 == 3 && cfg.svc.n_v6 == 1, "%s",
		"services");
}

/* ---- mode = lb ---- */

/*
 * A valid lb config: IPv4 and IPv6 VIPs, two services sharing them on
 * different ports, kept and named backend ports, weights (0 included),
 * a backends list over two lines, static neighbours on both sides, one
 * service with source NAT (its snat_address the default, inside's).
 */
static const char lb_base[] =
	"[synwall]\n"
	"mode = lb\n"
	"[lb]\n"
	"outside_address = 203.0.113.1/24, 2001:db8:203::1/64\n"
	"outside_gateway = 203.0.113.254, 2001:db8:203::fe\n"
	"inside_address = 198.51.100.1/24, 2001:db8:100::1/64\n"
	"neighbours = 198.51.100.11 02:00:00:00:00:11, 2001:db8:203::fe 02:00:00:00:00:FE\n"
	"[service:web]\n"
	"prefix = 203.0.113.10, 2001:db8:203::10\n"
	"ports = 80\n"
	"backends = 198.51.100.11:8080 weight 3, 198.51.100.12:8080, [2001:db8:100::11]:8080 weight 2, 198.51.100.13\n"
	"backends = 2001:db8:100::12 weight 0\n"
	"nat = snat\n"
	"[service:tls]\n"
	"prefix = 2001:db8:203::10, 203.0.113.10\n"
	"ports = 443, 8443\n"
	"backends = 198.51.100.11, [2001:db8:100::11] weight 4\n"
	"nat = dnat\n";

/*
 * lb_base with one change. In `section` (NULL: `line` is appended at
 * the end), the line(s) of `key` are replaced by `line` (NULL: removed);
 * key NULL: `line` is added to the section (made at the end if lb_base
 * has none); key "*": every section whose name starts with `section`
 * is removed. `drop`: a key of the same section also removed.
 */
struct lb_case {
	const char *section;
	const char *key;
	const char *line;
	const char *want;
	const char *drop;
};

static bool
is_key_line(const char *p, const char *key)
{
	size_t n;

	if (key == NULL)
		return false;
	n = strlen(key);
	return strncmp(p, key, n) == 0 && (p[n] == ' ' || p[n] == '=');
}

static void
lb_variant(const struct lb_case *c, char *out, size_t len)
{
	const char *p = lb_base;
	bool all = c->key != NULL && strcmp(c->key, "*") == 0;
	bool added = false, replaced = false, seen = false;
	char cur[64] = "";

	out[0] = '\0';
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		int n = (int)(nl - p) + 1;
		bool in;

		if (p[0] == '[') {
			if (c->section != NULL && c->key == NULL && !added &&
					strcmp(cur, c->section) == 0) {
				snprintf(out + strlen(out), len - strlen(out),
					"%s\n", c->line);
				added = true;
			}
			snprintf(cur, sizeof(cur), "%.*s", n - 3, p + 1);
			seen |= c->section != NULL &&
				strcmp(cur, c->section) == 0;
		}
		in = c->section != NULL && (all ?
			strncmp(cur, c->section, strlen(c->section)) == 0 :
			strcmp(cur, c->section) == 0);
		if (in && all) {
			/* the whole section goes */
		} else if (in && is_key_line(p, c->key)) {
			if (c->line != NULL && !replaced)
				snprintf(out + strlen(out), len - strlen(out),
					"%s\n", c->line);
			replaced = true;
		} else if (!(in && is_key_line(p, c->drop))) {
			snprintf(out + strlen(out), len - strlen(out), "%.*s",
				n, p);
		}
		p = nl + 1;
	}
	if (c->section == NULL ||
			(c->key == NULL && !added && strcmp(cur, c->section) == 0))
		snprintf(out + strlen(out), len - strlen(out), "%s\n", c->line);
	else if (c->key == NULL && !seen)
		snprintf(out + strlen(out), len - strlen(out), "[%s]\n%s\n",
			c->section, c->line);
}

static const struct lb_case lb_bad[] = {
	/* [synwall] */
	{ "synwall", NULL, "unprotected = pass",
		"[synwall] unprotected = pass: not in mode = lb", NULL },
	{ "service:", "*", NULL,
		"[synwall] mode = lb: needs at least one [service:NAME]", NULL },
	/* [lb] addresses */
	{ "lb", "outside_address",
		"outside_address = 203.0.113.1, 2001:db8:203::1/64",
		"[lb] outside_address: 203.0.113.1 has no /LEN", NULL },
	{ "lb", "outside_address",
		"outside_address = 203.0.113.1/24, 203.0.113.2/24",
		"[lb] outside_address: 203.0.113.2/24 is a second IPv4 address",
		NULL },
	{ "lb", "outside_address", "outside_address = 203.0.113.1/33",
		"[lb] outside_address: 203.0.113.1/33: the prefix length must be 1..32",
		NULL },
	{ "lb", "outside_address",
		"outside_address = 203.0.113.1/24, 2001:db8:203::1/0",
		"2001:db8:203::1/0: the prefix length must be 1..128", NULL },
	{ "lb", "outside_address", "outside_address = gateway/24",
		"[lb] outside_address: \"gateway/24\" is not an IPv4 or IPv6 address/length",
		NULL },
	{ "lb", "outside_address",
		"outside_address = 203.0.113.0/24, 2001:db8:203::1/64",
		"[lb] outside_address: 203.0.113.0/24 is the network address",
		NULL },
	{ "lb", "inside_address",
		"inside_address = 198.51.100.1/24, 2001:db8:100::/64",
		"[lb] inside_address: 2001:db8:100::/64 is the network address",
		NULL },
	{ "lb", "inside_address",
		"inside_address = 198.51.100.255/24, 2001:db8:100::1/64",
		"[lb] inside_address: 198.51.100.255/24 is the broadcast address",
		NULL },
	{ "lb", "inside_address",
		"inside_address = 198.51.100.1/24,, 2001:db8:100::1/64",
		"[lb] inside_address: empty item", NULL },
	{ "lb", "inside_address",
		"inside_address = 203.0.113.129/25, 2001:db8:100::1/64",
		"[lb] inside_address: 203.0.113.129/25 overlaps outside_address 203.0.113.1/24",
		NULL },
	{ "lb", "inside_address",
		"inside_address = 198.51.100.1/24, 2001:db8:203:0:1::1/80",
		"[lb] inside_address: 2001:db8:203:0:1::1/80 overlaps outside_address 2001:db8:203::1/64",
		NULL },
	{ "lb", "outside_gateway",
		"outside_gateway = 203.0.113.254, 203.0.113.253",
		"[lb] outside_gateway: 203.0.113.253 is a second IPv4 gateway",
		NULL },
	{ "lb", "outside_gateway", "outside_gateway = 192.0.2.254",
		"[lb] outside_gateway: 192.0.2.254 is not on-link in [lb] outside_address 203.0.113.1/24",
		NULL },
	{ "lb", "outside_gateway", "outside_gateway = 2001:db8:100::fe",
		"[lb] outside_gateway: 2001:db8:100::fe is not on-link in [lb] outside_address 2001:db8:203::1/64",
		NULL },
	{ "lb", "outside_gateway", "outside_gateway = 203.0.113.1",
		"[lb] outside_gateway: 203.0.113.1 is synwall's own outside_address",
		NULL },
	{ "lb", "outside_gateway", "outside_gateway = 203.0.113.254/24",
		"[lb] outside_gateway: \"203.0.113.254/24\" is not an IPv4 or IPv6 address",
		NULL },
	{ "lb", "outside_address", "outside_address = 203.0.113.1/24",
		"[lb] outside_gateway: 2001:db8:203::fe: [lb] outside_address has no IPv6 address",
		NULL },
	/* [lb] numbers */
	{ "lb", NULL, "maglev_size = 65536",
		"[lb] maglev_size = 65536: must be a whole number 65537..33554432",
		NULL },
	{ "lb", NULL, "maglev_size = 33554433",
		"maglev_size = 33554433: must be a whole number 65537..33554432",
		NULL },
	{ "lb", NULL, "maglev_size = 100000",
		"[lb] maglev_size = 100000: must be a prime (99991 is the nearest one below)",
		NULL },
	{ "lb", NULL, "maglev_size = 33554432",
		"maglev_size = 33554432: must be a prime (33554393", NULL },
	{ "lb", NULL, "neigh_entries = 15",
		"[lb] neigh_entries = 15: must be a whole number 16..1048576",
		NULL },
	{ "lb", NULL, "neigh_entries = 1048577",
		"neigh_entries = 1048577: must be a whole number 16..1048576",
		NULL },
	{ "lb", NULL, "health_interval_ms = 99",
		"[lb] health_interval_ms = 99: must be 0 (no active checks) or 100..3600000",
		NULL },
	{ "lb", NULL, "health_interval_ms = 3600001",
		"health_interval_ms = 3600001: must be a whole number 0..3600000",
		NULL },
	{ "lb", NULL, "health_timeout_ms = 2000",
		"[lb] health_timeout_ms = 2000: must be below health_interval_ms (2000)",
		NULL },
	{ "lb", NULL, "health_interval_ms = 500\nhealth_timeout_ms = 600",
		"health_timeout_ms = 600: must be below health_interval_ms (500)",
		NULL },
	{ "lb", NULL, "health_timeout_ms = 9",
		"[lb] health_timeout_ms = 9: must be a whole number 10..60000",
		NULL },
	{ "lb", NULL, "health_timeout_ms = 60001",
		"health_timeout_ms = 60001: must be a whole number 10..60000",
		NULL },
	{ "lb", NULL, "health_rise = 0",
		"[lb] health_rise = 0: must be a whole number 1..100", NULL },
	{ "lb", NULL, "health_rise = 101", "health_rise = 101", NULL },
	{ "lb", NULL, "health_fall = 0",
		"[lb] health_fall = 0: must be a whole number 1..100", NULL },
	{ "lb", NULL, "health_fall = 101", "health_fall = 101", NULL },
	{ "lb", NULL, "passive_fall = 1001",
		"[lb] passive_fall = 1001: must be a whole number 0..1000", NULL },
	{ "lb", NULL, "passive_holddown = 0",
		"[lb] passive_holddown = 0: must be a whole number 1..3600", NULL },
	{ "lb", NULL, "passive_holddown = 3601", "passive_holddown = 3601",
		NULL },
	{ "lb", NULL, "health_rise = 2\nhealth_rise = 3",
		"[lb] health_rise: set twice", NULL },
	{ "lb", NULL, "maglev = 65537", "[lb] maglev: unknown key", NULL },
	/* [lb] neighbours */
	{ "lb", "neighbours", "neighbours = 198.51.100.11 02:00:00:00:00",
		"[lb] neighbours: \"198.51.100.11 02:00:00:00:00\" is not ADDR xx:xx:xx:xx:xx:xx",
		NULL },
	{ "lb", "neighbours", "neighbours = 198.51.100.11 02:00:00:00:00:1",
		"is not ADDR xx:xx:xx:xx:xx:xx", NULL },
	{ "lb", "neighbours", "neighbours = 198.51.100.11",
		"\"198.51.100.11\" is not ADDR xx:xx:xx:xx:xx:xx", NULL },
	{ "lb", "neighbours",
		"neighbours = 198.51.100.11 02:00:00:00:00:11 static",
		"is not ADDR xx:xx:xx:xx:xx:xx", NULL },
	{ "lb", "neighbours", "neighbours = 198.51.100.11 01:00:5e:00:00:01",
		"[lb] neighbours: 198.51.100.11: 01:00:5e:00:00:01 is not a unicast MAC",
		NULL },
	{ "lb", "neighbours", "neighbours = 198.51.100.11 00:00:00:00:00:00",
		"00:00:00:00:00:00 is not a unicast MAC", NULL },
	{ "lb", "neighbours",
		"neighbours = 198.51.100.11 02:00:00:00:00:11, 198.51.100.11 02:00:00:00:00:12",
		"[lb] neighbours: 198.51.100.11 is listed twice", NULL },
	{ "lb", NULL, "neighbours = 198.51.100.11 02:00:00:00:00:21",
		"[lb] neighbours: 198.51.100.11 is listed twice", NULL },
	{ "lb", "neighbours", "neighbours = 192.0.2.7 02:00:00:00:00:07",
		"[lb] neighbours: 192.0.2.7 is not on-link in [lb] outside_address or inside_address",
		NULL },
	{ "lb", "neighbours", "neighbours = 198.51.100.1 02:00:00:00:00:01",
		"[lb] neighbours: 198.51.100.1 is synwall's own address ([lb] inside_address)",
		NULL },
	{ "lb", "neighbours", "neighbours = 203.0.113.10 02:00:00:00:00:10",
		"[lb] neighbours: 203.0.113.10 is synwall's own address (a VIP of [service:web])",
		NULL },
	/* VIPs */
	{ "service:web", "prefix", "prefix = 203.0.113.0/24",
		"[service:web] prefix: 203.0.113.0/24 is not a bare address",
		NULL },
	{ "service:web", "prefix", "prefix = 203.0.113.10/32",
		"[service:web] prefix: 203.0.113.10/32 is not a bare address",
		NULL },
	{ "service:web", "prefix", "prefix = 203.0.113.10, 203.0.113.11",
		"[service:web] prefix: 203.0.113.11 is a second IPv4 VIP", NULL },
	{ "service:web", "prefix",
		"prefix = 2001:db8:203::10, 203.0.113.10, 2001:db8:203::11",
		"[service:web] prefix: 2001:db8:203::11 is a second IPv6 VIP",
		NULL },
	{ "service:web", "prefix", "prefix = www.example",
		"[service:web] prefix: \"www.example\" is not an IPv4 or IPv6 address",
		NULL },
	{ "service:web", "prefix", "prefix = 203.0.113.1, 2001:db8:203::10",
		"[service:web] prefix: 203.0.113.1 is synwall's own [lb] outside_address",
		NULL },
	{ "service:web", "prefix", "prefix = 198.51.100.1, 2001:db8:203::10",
		"[service:web] prefix: 198.51.100.1 is synwall's own [lb] inside_address",
		NULL },
	{ "lb", "outside_address", "outside_address = 203.0.113.1/24",
		"[service:web] prefix: 2001:db8:203::10 is an IPv6 VIP but [lb] outside_address has no IPv6 address",
		"outside_gateway" },
	{ NULL, NULL,
		"[service:alt]\nprefix = 203.0.113.10\nports = 80\nbackends = 198.51.100.14",
		"[service:alt] prefix: 203.0.113.10 port 80 is also a VIP of [service:web]",
		NULL },
	{ NULL, NULL,
		"[service:alt]\nprefix = 203.0.113.10\nports = 8000-9000\nbackends = 198.51.100.14",
		"[service:alt] prefix: 203.0.113.10 port 8443 is also a VIP of [service:tls]",
		NULL },
	/* backends: syntax */
	{ "service:web", "backends", NULL,
		"[service:web] backends: missing", NULL },
	{ "service:web", "backends", "backends = 198.51.100.11:0",
		"[service:web] backends: \"198.51.100.11:0\": the port must be 1..65535",
		NULL },
	{ "service:web", "backends", "backends = 198.51.100.11:65536",
		"\"198.51.100.11:65536\": the port must be 1..65535", NULL },
	{ "service:web", "backends", "backends = 198.51.100.11:http",
		"\"198.51.100.11:http\": the port must be 1..65535", NULL },
	{ "service:web", "backends", "backends = 198.51.100.11 weight 65536",
		"[service:web] backends: \"198.51.100.11 weight 65536\": the weight must be 0..65535",
		NULL },
	{ "service:web", "backends", "backends = 198.51.100.11 weight",
		"\"198.51.100.11 weight\": the weight must be 0..65535", NULL },
	{ "service:web", "backends", "backends = 198.51.100.11 weight -1",
		"the weight must be 0..65535", NULL },
	{ "service:web", "backends", "backends = 198.51.100.11 wieght 3",
		"\"198.51.100.11 wieght 3\": only \"weight W\" may follow the address",
		NULL },
	{ "service:web", "backends", "backends = 198.51.100.11 weight 3 4",
		"\"198.51.100.11 weight 3 4\": only \"weight W\" may follow",
		NULL },
	{ "service:web", "backends", "backends = [2001:db8:100::11:8080",
		"no ']' after the IPv6 address", NULL },
	{ "service:web", "backends", "backends = [198.51.100.11]:8080",
		"\"[198.51.100.11]:8080\": not an IPv6 address in the brackets",
		NULL },
	{ "service:web", "backends", "backends = [2001:db8:100::11]8080",
		"expected [IPv6]:PORT", NULL },
	{ "service:web", "backends", "backends = backend1:8080",
		"\"backend1:8080\": not an IPv4 or IPv6 address", NULL },
	{ "service:web", "backends", "backends = 2001:db8:100::11:80:x",
		"\"2001:db8:100::11:80:x\": not an IPv4 or IPv6 address", NULL },
	{ "service:web", "backends", "backends = 198.51.100.11,",
		"[service:web] backends: empty item", NULL },
	{ "service:web", NULL, "backend = 198.51.100.11",
		"[service:web] backend: unknown key (known: prefix, ports, backends,",
		NULL },
	/* backends: where they are */
	{ "service:web", "prefix", "prefix = 203.0.113.10",
		"[service:web] backends: [2001:db8:100::11]:8080 is IPv6 but the service has no IPv6 VIP in prefix",
		NULL },
	{ "lb", "inside_address", "inside_address = 198.51.100.1/24",
		"[service:web] backends: [2001:db8:100::11]:8080 is IPv6 but [lb] inside_address has no IPv6 address",
		NULL },
	{ "lb", "inside_address", "inside_address = 198.51.100.1/24",
		"[service:web] backends: [2001:db8:100::11]:8080 is IPv6 but [lb] inside_address has no IPv6 address (nor, nat = snat, an snat_address in it)",
		NULL },
	/* nat = snat: the service's choice, the addresses and ports */
	{ "service:web", "nat", "nat = full",
		"[service:web] nat = full: must be dnat or snat", NULL },
	{ "service:tls", "nat", "nat = SNAT",
		"[service:tls] nat = SNAT: must be dnat or snat", NULL },
	{ "service:web", NULL, "nat = dnat",
		"[service:web] nat: set twice", NULL },
	{ "lb", NULL, "snat_ports = 1024-64512",
		"[lb] snat_ports = 1024-64512: at most 64511 (the ports above are synwall's health checks')",
		NULL },
	{ "lb", NULL, "snat_ports = 0-1000",
		"[lb] snat_ports = 0-1000: must be LO-HI, two ports 1..64511 (decimal)",
		NULL },
	{ "lb", NULL, "snat_ports = 1024",
		"[lb] snat_ports = 1024: must be LO-HI", NULL },
	{ "lb", NULL, "snat_ports = 1024 - 2048",
		"[lb] snat_ports = 1024 - 2048: must be LO-HI", NULL },
	{ "lb", NULL, "snat_ports = 0x400-2048",
		"[lb] snat_ports = 0x400-2048: must be LO-HI", NULL },
	{ "lb", NULL, "snat_ports = 2000-1999",
		"[lb] snat_ports = 2000-1999: LO above HI", NULL },
	{ "lb", NULL, "snat_address = 198.51.100.2, 198.51.100.3",
		"[lb] snat_address: 198.51.100.3 is a second IPv4 address (at most one per family)",
		NULL },
	{ "lb", NULL, "snat_address = 198.51.100.2/24",
		"[lb] snat_address: \"198.51.100.2/24\" is not an IPv4 or IPv6 address",
		NULL },
	{ "lb", NULL, "snat_address = 198.51.100.2,",
		"[lb] snat_address: empty item", NULL },
	{ "lb", NULL, "snat_address = 192.0.2.7",
		"[lb] snat_address: 192.0.2.7 is not on-link in [lb] inside_address 198.51.100.1/24",
		NULL },
	{ "lb", NULL, "snat_address = 2001:db8:203::7",
		"[lb] snat_address: 2001:db8:203::7 is not on-link in [lb] inside_address 2001:db8:100::1/64",
		NULL },
	{ "lb", "inside_address",
		"inside_address = 198.51.100.1/24\nsnat_address = 2001:db8:100::2",
		"[lb] snat_address: 2001:db8:100::2 is IPv6 but [lb] inside_address has no IPv6 address",
		NULL },
	{ "lb", NULL, "snat_address = 198.51.100.12",
		"[service:web] backends: 198.51.100.12:8080 is synwall's own address ([lb] snat_address)",
		NULL },
	{ "lb", NULL, "snat_address = 2001:db8:100::11",
		"[service:web] backends: [2001:db8:100::11]:8080 is synwall's own address ([lb] snat_address)",
		NULL },
	{ "lb", "neighbours",
		"neighbours = 198.51.100.50 02:00:00:00:00:50\nsnat_address = 198.51.100.50",
		"[lb] neighbours: 198.51.100.50 is synwall's own address ([lb] snat_address)",
		NULL },
	{ "lb", "inside_address",
		"inside_address = 198.51.100.1/29, 2001:db8:100::1/64",
		"[service:web] backends: 198.51.100.11:8080 is not on-link in [lb] inside_address 198.51.100.1/29",
		NULL },
	{ "service:web", "backends",
		"backends = 192.0.2.11:8080, 2001:db8:100::11",
		"[service:web] backends: 192.0.2.11:8080 is not on-link in [lb] inside_address 198.51.100.1/24",
		NULL },
	{ "service:web", "backends",
		"backends = 198.51.100.12, 2001:db8:101::11",
		"[service:web] backends: 2001:db8:101::11 is not on-link in [lb] inside_address 2001:db8:100::1/64",
		NULL },
	{ "service:web", "backends", "backends = 198.51.100.1, 2001:db8:100::11",
		"[service:web] backends: 198.51.100.1 is synwall's own address ([lb] inside_address)",
		NULL },
	{ "service:web", "backends",
		"backends = 198.51.100.12, [2001:db8:100::1]:8080",
		"[service:web] backends: [2001:db8:100::1]:8080 is synwall's own address ([lb] inside_address)",
		NULL },
	{ "service:tls", "backends",
		"backends = 198.51.100.12:8443, 2001:db8:100::12",
		"[service:tls] backends: 198.51.100.12:8443 names a port, but the service has 2 ports",
		NULL },
	{ "service:web", NULL, "backends = 198.51.100.12:8080 weight 9",
		"[service:web] backends: 198.51.100.12:8080 is listed twice (port 8080)",
		NULL },
	{ "service:web", NULL, "backends = 198.51.100.13 weight 5",
		"[service:web] backends: 198.51.100.13 is listed twice (port 80)",
		NULL },
	{ "service:web", NULL, "backends = 198.51.100.13:80",
		"[service:web] backends: 198.51.100.13:80 is listed twice (port 80)",
		NULL },
	{ NULL, NULL,
		"[service:alt]\nprefix = 203.0.113.11\nports = 8080\nbackends = 198.51.100.11",
		"[service:alt] backends: 198.51.100.11 (port 8080) is also a backend of [service:web]",
		NULL },
	{ NULL, NULL,
		"[service:alt]\nprefix = 2001:db8:203::11\nports = 8443\nbackends = 2001:db8:100::11",
		"[service:alt] backends: 2001:db8:100::11 (port 8443) is also a backend of [service:tls]",
		NULL },
	{ NULL, NULL,
		"[service:alt]\nprefix = 203.0.113.11\nports = 80\nbackends = 198.51.100.11:443",
		"[service:alt] backends: 198.51.100.11:443 (port 443) is also a backend of [service:tls]",
		NULL },
	{ "service:tls", "backends", "backends = 198.51.100.11",
		"[service:tls] backends: none is IPv6, but 2001:db8:203::10 is an IPv6 VIP",
		NULL },
	/* [cluster] */
	{ "cluster", NULL, "peers = 198.51.100.1",
		"[cluster] peers: 198.51.100.1 is this node's own inside_address",
		NULL },
	{ "cluster", NULL, "peers = 198.51.100.2, 192.0.2.7",
		"[cluster] peers: 192.0.2.7 is not on-link in inside_address 198.51.100.1/24",
		NULL },
	{ "cluster", NULL, "peers = 2001:db8:100::2, 2001:db8:100::2",
		"[cluster] peers: 2001:db8:100::2 is listed twice", NULL },
	{ "cluster", NULL, "peers = node2",
		"[cluster] peers: \"node2\" is not an IPv4 or IPv6 address",
		NULL },
	{ "cluster", NULL, "peers = 198.51.100.2,, 198.51.100.3",
		"[cluster] peers: empty item", NULL },
	{ "cluster", NULL, "lookup_rate = 0",
		"[cluster] lookup_rate = 0: must be a whole number 1..10000000",
		NULL },
	{ "cluster", NULL, "peers = 198.51.100.2\npeer_timeout_ms = 99",
		"[cluster] peer_timeout_ms = 99: 0 (never) or at least 100",
		NULL },
	{ "cluster", NULL, "peer_timeout_ms = 600001",
		"[cluster] peer_timeout_ms = 600001: must be a whole number 0..600000",
		NULL },
	{ NULL, NULL, "[syncookie]\nrst_on_bad = yes\n[cluster]\npeers = 198.51.100.2",
		"[syncookie] rst_on_bad = yes: not with [cluster] peers", NULL },
};

static void
test_lb_bad(void)
{
	static char text[8192];
	char err[SW_ERR_LEN];

	for (unsigned int i = 0; i < sizeof(lb_bad) / sizeof(lb_bad[0]); i++) {
		int ret;

		lb_variant(&lb_bad[i], text, sizeof(text));
		sw_test_ctx = lb_bad[i].want;
		ret = load_text(text, err, sizeof(err));
		SW_CHECKF(ret == -EINVAL, "got %d \"%s\" for:\n%s", ret, err,
			text);
		SW_CHECKF(strstr(err, lb_bad[i].want) != NULL,
			"error \"%s\" lacks \"%s\"", err, lb_bad[i].want);
		SW_CHECKF(strchr(err, '\n') == NULL, "error is not one line: %s",
			err);
	}
	sw_test_ctx = "";
}

static bool
addr_is(int family, const uint8_t *addr, const char *text)
{
	uint8_t want[16] = { 0 };

	return inet_pton(family, text, want) == 1 &&
		memcmp(addr, want, family == AF_INET ? 4 : 16) == 0;
}

/* [cluster] peers: both families, in order; none by default. */
static void
test_cluster(void)
{
	static char text[8192];
	char err[SW_ERR_LEN];
	const struct lb_case c = { "cluster", NULL,
		"peers = 198.51.100.2, 2001:db8:100::3, 198.51.100.4\n"
		"lookup_rate = 500\npeer_timeout_ms = 0", NULL, NULL };

	SW_CHECKF(load_text(lb_base, err, sizeof(err)) == 0, "%s", err);
	SW_CHECK_EQ(cfg.lb.n_peers, 0u);
	SW_CHECK_EQ(cfg.lb.lookup_rate, 1000u);
	SW_CHECK_EQ(cfg.lb.peer_timeout_ms, 1000u);
	lb_variant(&c, text, sizeof(text));
	SW_CHECKF(load_text(text, err, sizeof(err)) == 0, "%s", err);
	SW_CHECK_EQ(cfg.lb.n_peers, 3u);
	SW_CHECK_EQ(cfg.lb.lookup_rate, 500u);
	SW_CHECK_EQ(cfg.lb.peer_timeout_ms, 0u);
	SW_CHECK(addr_is(AF_INET, cfg.lb.peer[0].addr, "198.51.100.2"));
	SW_CHECK(addr_is(AF_INET6, cfg.lb.peer[1].addr, "2001:db8:100::3"));
	SW_CHECK(addr_is(AF_INET, cfg.lb.peer[2].addr, "198.51.100.4"));
	SW_CHECK_EQ(cfg.lb.peer[1].family, AF_INET6);
}

static bool
backend_is(const struct sw_lb_backend_conf *b, unsigned int svc,
		int family, const char *addr, uint16_t port, uint32_t weight)
{
	return b->svc == svc && b->family == family &&
		addr_is(family, b->addr, addr) && b->port == port &&
		b->weight == weight;
}

static void
test_lb_good(void)
{
	const struct sw_lb_config *lb = &cfg.lb;
	static const uint8_t mac11[6] = { 2, 0, 0, 0, 0, 0x11 };
	static const uint8_t macfe[6] = { 2, 0, 0, 0, 0, 0xfe };
	uint8_t a6[16];
	uint32_t a4;
	char err[SW_ERR_LEN];
	int ret;

	ret = load_text(lb_base, err, sizeof(err));
	SW_CHECKF(ret == 0, "lb config refused: %s", err);
	SW_CHECK(cfg.mode == SW_MODE_LB);
	SW_CHECKF(cfg.unprotected == SW_UNPROTECTED_DROP, "%s",
		"unprotected defaults to drop in lb mode");
	SW_CHECK(lb->outside[SW_LB_V4].family == AF_INET &&
		lb->outside[SW_LB_V4].plen == 24 &&
		addr_is(AF_INET, lb->outside[SW_LB_V4].addr, "203.0.113.1"));
	SW_CHECK(lb->outside[SW_LB_V6].family == AF_INET6 &&
		lb->outside[SW_LB_V6].plen == 64 &&
		addr_is(AF_INET6, lb->outside[SW_LB_V6].addr, "2001:db8:203::1"));
	SW_CHECK(lb->inside[SW_LB_V4].family == AF_INET &&
		lb->inside[SW_LB_V4].plen == 24 &&
		addr_is(AF_INET, lb->inside[SW_LB_V4].addr, "198.51.100.1"));
	SW_CHECK(lb->inside[SW_LB_V6].family == AF_INET6 &&
		lb->inside[SW_LB_V6].plen == 64 &&
		addr_is(AF_INET6, lb->inside[SW_LB_V6].addr, "2001:db8:100::1"));
	SW_CHECK(lb->has_gateway[SW_LB_V4] &&
		addr_is(AF_INET, lb->gateway[SW_LB_V4], "203.0.113.254"));
	SW_CHECK(lb->has_gateway[SW_LB_V6] &&
		addr_is(AF_INET6, lb->gateway[SW_LB_V6], "2001:db8:203::fe"));
	SW_CHECK_EQ(lb->n_static, 2);
	SW_CHECK(lb->neigh_static[0].family == AF_INET &&
		lb->neigh_static[0].side == SW_INSIDE &&
		addr_is(AF_INET, lb->neigh_static[0].addr, "198.51.100.11") &&
		memcmp(lb->neigh_static[0].mac, mac11, 6) == 0);
	SW_CHECK(lb->neigh_static[1].family == AF_INET6 &&
		lb->neigh_static[1].side == SW_OUTSIDE &&
		addr_is(AF_INET6, lb->neigh_static[1].addr, "2001:db8:203::fe") &&
		memcmp(lb->neigh_static[1].mac, macfe, 6) == 0);
	/* VIPs, in both services, whatever order prefix gives them in */
	SW_CHECK_EQ(cfg.svc.n_svc, 2);
	for (unsigned int s = 0; s < 2; s++) {
		SW_CHECK(lb->has_vip[s][SW_LB_V4] &&
			addr_is(AF_INET, lb->vip[s][SW_LB_V4], "203.0.113.10"));
		SW_CHECK(lb->has_vip[s][SW_LB_V6] &&
			addr_is(AF_INET6, lb->vip[s][SW_LB_V6],
			"2001:db8:203::10"));
	}
	/* backends in file order; no port: the VIP port is kept */
	SW_CHECK_EQ(lb->n_backends, 7);
	SW_CHECK(backend_is(&lb->backend[0], 0, AF_INET, "198.51.100.11", 8080, 3));
	SW_CHECK(backend_is(&lb->backend[1], 0, AF_INET, "198.51.100.12", 8080, 1));
	SW_CHECK(backend_is(&lb->backend[2], 0, AF_INET6, "2001:db8:100::11", 8080, 2));
	SW_CHECK(backend_is(&lb->backend[3], 0, AF_INET, "198.51.100.13", 0, 1));
	SW_CHECK(backend_is(&lb->backend[4], 0, AF_INET6, "2001:db8:100::12", 0, 0));
	SW_CHECK(backend_is(&lb->backend[5], 1, AF_INET, "198.51.100.11", 0, 1));
	SW_CHECK(backend_is(&lb->backend[6], 1, AF_INET6, "2001:db8:100::11", 0, 4));
	/* the service table classifies VIP:port as in inline mode */
	inet_pton(AF_INET, "203.0.113.10", &a4);
	SW_CHECK(sw_svc_lookup4(&cfg.svc, a4, 80) == 0);
	SW_CHECK(sw_svc_lookup4(&cfg.svc, a4, 443) == 1);
	SW_CHECK(sw_svc_lookup4(&cfg.svc, a4, 8080) == -1);
	inet_pton(AF_INET, "203.0.113.11", &a4);
	SW_CHECK(sw_svc_lookup4(&cfg.svc, a4, 80) == -1);
	inet_pton(AF_INET6, "2001:db8:203::10", a6);
	SW_CHECK(sw_svc_lookup6(&cfg.svc, a6, 8443) == 1);
	SW_CHECK(sw_svc_lookup6(&cfg.svc, a6, 80) == 0);
	inet_pton(AF_INET6, "2001:db8:203::11", a6);
	SW_CHECK(sw_svc_lookup6(&cfg.svc, a6, 80) == -1);
	/* the [lb] tunables not given keep their defaults */
	SW_CHECK_EQ(lb->maglev_size, 65537);
	SW_CHECK_EQ(lb->neigh_entries, 4096);
	/* source NAT: web's, from the inside addresses, default ports */
	SW_CHECK_EQ(cfg.svc.svc[0].nat, SW_SVC_NAT_SNAT);
	SW_CHECK_EQ(cfg.svc.svc[1].nat, SW_SVC_NAT_DNAT);
	SW_CHECK(memcmp(&lb->snat[SW_LB_V4], &lb->inside[SW_LB_V4],
		sizeof(lb->snat[0])) == 0);
	SW_CHECK(memcmp(&lb->snat[SW_LB_V6], &lb->inside[SW_LB_V6],
		sizeof(lb->snat[0])) == 0);
	SW_CHECK_EQ(lb->snat_lo, 1024);
	SW_CHECK_EQ(lb->snat_hi, 64511);
	/* snat_address of one family; the other's is inside's */
	ret = load_text("[synwall]\nmode = lb\n"
		"[lb]\noutside_address = 203.0.113.1/24, 2001:db8:203::1/64\n"
		"inside_address = 198.51.100.1/24, 2001:db8:100::1/64\n"
		"snat_address = 2001:db8:100::2\nsnat_ports = 1-64511\n"
		"[service:web]\nprefix = 203.0.113.10, 2001:db8:203::10\n"
		"ports = 80\nnat = snat\n"
		"backends = 198.51.100.11, 2001:db8:100::11\n",
		err, sizeof(err));
	SW_CHECKF(ret == 0, "snat config refused: %s", err);
	SW_CHECK(lb->snat[SW_LB_V4].family == AF_INET &&
		addr_is(AF_INET, lb->snat[SW_LB_V4].addr, "198.51.100.1"));
	SW_CHECK(lb->snat[SW_LB_V6].family == AF_INET6 &&
		lb->snat[SW_LB_V6].plen == 64 &&
		addr_is(AF_INET6, lb->snat[SW_LB_V6].addr, "2001:db8:100::2"));
	SW_CHECK(lb->snat_lo == 1 && lb->snat_hi == 64511);
	SW_CHECK_EQ(cfg.svc.svc[0].nat, SW_SVC_NAT_SNAT);
	ret = load_text("[synwall]\nmode = lb\n"
		"[lb]\noutside_address = 203.0.113.1/24\n"
		"inside_address = 198.51.100.1/24\n"
		"snat_address = 198.51.100.254\nsnat_ports = 40000-40000\n"
		"[service:web]\nprefix = 203.0.113.10\nports = 80\n"
		"backends = 198.51.100.11\n", err, sizeof(err));
	SW_CHECKF(ret == 0, "snat config refused: %s", err);
	SW_CHECK(addr_is(AF_INET, lb->snat[SW_LB_V4].addr, "198.51.100.254") &&
		lb->snat[SW_LB_V4].plen == 24 &&
		lb->snat[SW_LB_V6].family == 0);
	SW_CHECK(lb->snat_lo == 40000 && lb->snat_hi == 40000);
	SW_CHECK_EQ(cfg.svc.svc[0].nat, SW_SVC_NAT_DNAT);

	/* unprotected = drop may be said; only pass is refused */
	ret = load_text("[synwall]\nmode = lb\nunprotected = drop\n"
		"[lb]\noutside_address = 203.0.113.1/24\n"
		"inside_address = 198.51.100.1/24\n"
		"[service:web]\nprefix = 203.0.113.10\nports = 80\n"
		"backends = 198.51.100.11\n", err, sizeof(err));
	SW_CHECKF(ret == 0, "minimal lb config refused: %s", err);
	SW_CHECK(!lb->has_gateway[SW_LB_V4] && !lb->has_gateway[SW_LB_V6]);
	SW_CHECK(lb->n_static == 0 && lb->n_backends == 1);
	SW_CHECK(lb->outside[SW_LB_V6].family == 0 &&
		!lb->has_vip[0][SW_LB_V6]);
	/* a bare IPv6 backend, and brackets with no port */
	ret = load_text("[synwall]\nmode = lb\n"
		"[lb]\noutside_address = 2001:db8:203::1/64\n"
		"inside_address = 2001:db8:100::1/64\n"
		"[service:web]\nprefix = 2001:db8:203::10\nports = 80-81\n"
		"backends = 2001:db8:100::11 weight 7, [2001:db8:100::12]\n",
		err, sizeof(err));
	SW_CHECKF(ret == 0, "IPv6-only lb config refused: %s", err);
	SW_CHECK(backend_is(&lb->backend[0], 0, AF_INET6, "2001:db8:100::11", 0, 7));
	SW_CHECK(backend_is(&lb->backend[1], 0, AF_INET6, "2001:db8:100::12", 0, 1));
}

/* Defaults of [lb], and neigh_entries rounded up to a power of two. */
static void
test_lb_defaults(void)
{
	static struct sw_config d;
	char err[SW_ERR_LEN];
	int ret;

	sw_config_defaults(&d);
	SW_CHECK(d.mode == SW_MODE_INLINE);
	SW_CHECK(d.unprotected == SW_UNPROTECTED_PASS);
	SW_CHECK_EQ(d.lb.maglev_size, 65537);
	SW_CHECK_EQ(d.lb.neigh_entries, 4096);
	SW_CHECK_EQ(d.lb.health_interval_ms, 2000);
	SW_CHECK_EQ(d.lb.health_timeout_ms, 1000);
	SW_CHECK_EQ(d.lb.health_rise, 2);
	SW_CHECK_EQ(d.lb.health_fall, 3);
	SW_CHECK_EQ(d.lb.passive_fall, 5);
	SW_CHECK_EQ(d.lb.passive_holddown, 10);
	SW_CHECK(d.lb.n_backends == 0 && d.lb.n_static == 0);
	SW_CHECK(d.lb.outside[0].family == 0 && d.lb.inside[1].family == 0);
	SW_CHECK(d.lb.snat[0].family == 0 && d.lb.snat[1].family == 0);
	SW_CHECK(d.lb.snat_lo == 1024 && d.lb.snat_hi == 64511);

	ret = load_text("[synwall]\nmode = lb\n[lb]\n"
		"outside_address = 203.0.113.1/24\n"
		"inside_address = 198.51.100.1/24\n"
		"neigh_entries = 1000\nmaglev_size = 131071\n"
		"health_interval_ms = 0\nhealth_timeout_ms = 60000\n"
		"health_rise = 100\nhealth_fall = 1\npassive_fall = 0\n"
		"passive_holddown = 3600\n"
		"[service:web]\nprefix = 203.0.113.10\nports = 80\n"
		"backends = 198.51.100.11\n", err, sizeof(err));
	SW_CHECKF(ret == 0, "refused: %s", err);
	SW_CHECK_EQ(cfg.lb.neigh_entries, 1024);
	SW_CHECK_EQ(cfg.lb.maglev_size, 131071);
	SW_CHECKF(cfg.lb.health_interval_ms == 0 &&
		cfg.lb.health_timeout_ms == 60000, "%s",
		"checks off: the timeout is not compared");
	SW_CHECK(cfg.lb.health_rise == 100 && cfg.lb.health_fall == 1);
	SW_CHECK(cfg.lb.passive_fall == 0 && cfg.lb.passive_holddown == 3600);
	ret = load_text("[synwall]\nmode = lb\n[lb]\n"
		"outside_address = 203.0.113.1/24\n"
		"inside_address = 198.51.100.1/24\nneigh_entries = 1048576\n"
		"maglev_size = 33554393\n"
		"[service:web]\nprefix = 203.0.113.10\nports = 80\n"
		"backends = 198.51.100.11\n", err, sizeof(err));
	SW_CHECKF(ret == 0, "refused: %s", err);
	SW_CHECK_EQ(cfg.lb.neigh_entries, 1048576);
	SW_CHECK_EQ(cfg.lb.maglev_size, 33554393);
}

/* Lists beyond one line, and the limits on them. */
static void
test_lb_limits(void)
{
	static char text[65536];
	char err[SW_ERR_LEN];
	size_t used;
	int ret;

	/* 1024 backends in two services load; one more does not */
	for (unsigned int extra = 0; extra < 2; extra++) {
		used = (size_t)snprintf(text, sizeof(text), "[synwall]\nmode = lb\n"
			"[lb]\noutside_address = 203.0.113.1/24\n"
			"inside_address = 198.51.100.1/24\n");
		for (unsigned int s = 0; s < 2; s++) {
			unsigned int n = s == 0 ? 520 : 504 + extra;

			used += (size_t)snprintf(text + used, sizeof(text) - used,
				"[service:s%u]\nprefix = 203.0.113.10\nports = %u\n",
				s, 80 + s);
			for (unsigned int i = 0; i < n; i++)
				used += (size_t)snprintf(text + used,
					sizeof(text) - used, "%s198.51.100.%u:%u%s",
					i % 12 == 0 ? "backends = " : "", 11 + s,
					1000 + i,
					i % 12 == 11 || i == n - 1 ? "\n" : ", ");
		}
		ret = load_text(text, err, sizeof(err));
		if (extra == 0) {
			SW_CHECKF(ret == 0, "1024 backends refused: %s", err);
			SW_CHECK_EQ(cfg.lb.n_backends, 1024);
			SW_CHECK(cfg.lb.backend[1023].svc == 1 &&
				cfg.lb.backend[1023].port == 1503);
		} else {
			SW_CHECKF(ret == -EINVAL && strstr(err,
				"[service:s1] backends: 198.51.100.12:1504: more than 1024 backends in all services") != NULL,
				"1025 backends: %d %s", ret, err);
		}
	}
	/* 64 static neighbours load; one more does not */
	for (unsigned int extra = 0; extra < 2; extra++) {
		unsigned int n = 64 + extra;

		used = (size_t)snprintf(text, sizeof(text), "[synwall]\nmode = lb\n"
			"[lb]\noutside_address = 203.0.113.1/24\n"
			"inside_address = 198.51.100.1/24\n");
		for (unsigned int i = 0; i < n; i++)
			used += (size_t)snprintf(text + used, sizeof(text) - used,
				"%s198.51.100.%u 02:00:00:00:01:%02x%s",
				i % 7 == 0 ? "neighbours = " : "", 100 + i, i,
				i % 7 == 6 || i == n - 1 ? "\n" : ", ");
		snprintf(text + used, sizeof(text) - used,
			"[service:web]\nprefix = 203.0.113.10\nports = 80\n"
			"backends = 198.51.100.11\n");
		ret = load_text(text, err, sizeof(err));
		if (extra == 0) {
			SW_CHECKF(ret == 0, "64 neighbours refused: %s", err);
			SW_CHECK_EQ(cfg.lb.n_static, 64);
			SW_CHECK(cfg.lb.neigh_static[63].mac[5] == 63 &&
				cfg.lb.neigh_static[63].side == SW_INSIDE);
		} else {
			SW_CHECKF(ret == -EINVAL && strstr(err,
				"[lb] neighbours: 198.51.100.164: more than 64 static neighbours") != NULL,
				"65 neighbours: %d %s", ret, err);
		}
	}
	/* a value rte_cfgfile would cut short is refused, not truncated */
	used = (size_t)snprintf(text, sizeof(text), "[synwall]\nmode = lb\n"
		"[service:web]\nprefix = 203.0.113.10\nports = 80\nbackends = ");
	/* 278 characters: the line is still short enough for the linter */
	for (unsigned int i = 0; i < 14; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
			"%s198.51.100.%u:8080", i ? ", " : "", 11 + i);
	snprintf(text + used, sizeof(text) - used, "\n");
	ret = load_text(text, err, sizeof(err));
	SW_CHECKF(ret == -EINVAL && strstr(err,
		":6: backends: value longer than 255 characters") != NULL,
		"long value: %d %s", ret, err);
}

/* Visited keys as "[section] key = value" lines. */
struct dump {
	char text[16384];
	size_t used;
};

static void
dump_key(const char *section, const char *key, const char *value, void *arg)
{
	struct dump *d = arg;

	d->used += (size_t)snprintf(d->text + d->used,
		sizeof(d->text) - d->used, "[%s] %s = %s\n", section, key, value);
}

static void
test_lb_visit(void)
{
	static const char *const want[] = {
		"[synwall] mode = lb\n",
		"[synwall] unprotected = drop\n",
		"[lb] outside_address = 203.0.113.1/24, 2001:db8:203::1/64\n",
		"[lb] outside_gateway = 203.0.113.254, 2001:db8:203::fe\n",
		"[lb] inside_address = 198.51.100.1/24, 2001:db8:100::1/64\n",
		"[lb] snat_address = 198.51.100.1, 2001:db8:100::1\n",
		"[lb] snat_ports = 1024-64511\n",
		"[lb] neighbours = 198.51.100.11 02:00:00:00:00:11, 2001:db8:203::fe 02:00:00:00:00:fe\n",
		"[lb] maglev_size = 65537\n",
		"[lb] neigh_entries = 4096\n",
		"[lb] health_interval_ms = 2000\n",
		"[lb] health_timeout_ms = 1000\n",
		"[lb] health_rise = 2\n",
		"[lb] health_fall = 3\n",
		"[lb] passive_fall = 5\n",
		"[lb] passive_holddown = 10\n",
		"[service:web] prefix = 203.0.113.10, 2001:db8:203::10\n"
		"[service:web] ports = 80\n"
		"[service:web] backends = 198.51.100.11:8080 weight 3, 198.51.100.12:8080 weight 1, [2001:db8:100::11]:8080 weight 2, 198.51.100.13 weight 1, 2001:db8:100::12 weight 0\n"
		"[service:web] syn = ",
		"[service:web] nat = snat\n",
		"[service:tls] nat = dnat\n",
		"[service:tls] prefix = 203.0.113.10, 2001:db8:203::10\n"
		"[service:tls] ports = 443,8443\n"
		"[service:tls] backends = 198.51.100.11 weight 1, 2001:db8:100::11 weight 4\n",
	};
	static struct dump d, again;
	static struct sw_config first;
	static char text[4096];
	char err[SW_ERR_LEN];
	const char *web;

	SW_CHECKF(load_text(lb_base, err, sizeof(err)) == 0, "%s", err);
	d.used = 0;
	sw_config_visit(&cfg, dump_key, &d);
	for (unsigned int i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		SW_CHECKF(strstr(d.text, want[i]) != NULL, "lacks \"%s\" in:\n%s",
			want[i], d.text);

	/* The dump's lists read back to the same config. */
	web = strstr(d.text, "[service:web] backends = ");
	SW_CHECK(web != NULL);
	if (web == NULL)
		return;
	web += strlen("[service:web] backends = ");
	first = cfg;
	snprintf(text, sizeof(text), "[synwall]\nmode = lb\n[lb]\n"
		"outside_address = 203.0.113.1/24, 2001:db8:203::1/64\n"
		"outside_gateway = 203.0.113.254, 2001:db8:203::fe\n"
		"inside_address = 198.51.100.1/24, 2001:db8:100::1/64\n"
		"neighbours = 198.51.100.11 02:00:00:00:00:11, 2001:db8:203::fe 02:00:00:00:00:fe\n"
		"[service:web]\nprefix = 203.0.113.10, 2001:db8:203::10\n"
		"ports = 80\nbackends = %.*s\nnat = snat\n"
		"[service:tls]\nprefix = 203.0.113.10, 2001:db8:203::10\n"
		"ports = 443,8443\n"
		"backends = 198.51.100.11 weight 1, 2001:db8:100::11 weight 4\n",
		(int)strcspn(web, "\n"), web);
	SW_CHECKF(load_text(text, err, sizeof(err)) == 0, "%s", err);
	SW_CHECKF(memcmp(&first.lb, &cfg.lb, sizeof(cfg.lb)) == 0, "%s",
		"the dumped text loads to different [lb] / backends");
	again.used = 0;
	sw_config_visit(&cfg, dump_key, &again);
	SW_CHECKF(strcmp(d.text, again.text) == 0, "dumps differ:\n%s\n%s",
		d.text, again.text);

	/* inline mode shows neither [lb] nor backends */
	SW_CHECKF(load_text("[service:web]\nprefix = 192.0.2.0/24\nports = 80\n",
		err, sizeof(err)) == 0, "%s", err);
	d.used = 0;
	sw_config_visit(&cfg, dump_key, &d);
	SW_CHECKF(strstr(d.text, "[lb]") == NULL &&
		strstr(d.text, "backends") == NULL, "inline dump:\n%s", d.text);
	SW_CHECK(strstr(d.text, "[service:web] prefix = 192.0.2.0/24\n") != NULL);
}

/* What a reload may change, and the line for what it may not. */
struct reload_case {
	const struct lb_case change;
	const char *want;		/* NULL: accepted */
};

static const struct reload_case reload_cases[] = {
	{ { "service:web", "backends", "backends = 198.51.100.12 weight 9, 2001:db8:100::13",
		NULL, NULL }, NULL },
	{ { "service:tls", "ports", "ports = 443, 8443, 9443", NULL, NULL },
		NULL },
	{ { "service:web", NULL, "mss = 1400", NULL, NULL }, NULL },
	/* a service's NAT: its new flows only (the old keep theirs) */
	{ { "service:web", "nat", "nat = dnat", NULL, NULL }, NULL },
	{ { "service:tls", "nat", NULL, NULL, NULL }, NULL },
	{ { "service:tls", "nat", "nat = snat", NULL, NULL }, NULL },
	{ { "service:tls", "*", NULL, NULL, NULL }, NULL },
	{ { NULL, NULL, "[service:alt]\nprefix = 203.0.113.11\nports = 80\n"
		"backends = 198.51.100.14", NULL, NULL }, NULL },
	{ { "lb", "neighbours", NULL, NULL, NULL }, NULL },
	{ { "lb", NULL, "health_interval_ms = 0", NULL, NULL }, NULL },
	{ { "lb", NULL, "health_timeout_ms = 500", NULL, NULL }, NULL },
	{ { "lb", NULL, "health_rise = 5\nhealth_fall = 5", NULL, NULL },
		NULL },
	{ { "lb", NULL, "passive_fall = 0\npassive_holddown = 60", NULL,
		NULL }, NULL },
	{ { "synwall", NULL, "log_level = debug\nstats_interval = 1", NULL,
		NULL }, NULL },
	{ { "lb", NULL, "maglev_size = 131071", NULL, NULL },
		"[lb] maglev_size: 65537 -> 131071 needs a restart" },
	{ { "lb", NULL, "neigh_entries = 5000", NULL, NULL },
		"[lb] neigh_entries: 4096 -> 8192 needs a restart" },
	{ { "lb", "outside_address",
		"outside_address = 203.0.113.2/24, 2001:db8:203::1/64", NULL,
		NULL },
		"[lb] outside_address: 203.0.113.1/24, 2001:db8:203::1/64 -> 203.0.113.2/24, 2001:db8:203::1/64 needs a restart" },
	{ { "lb", "inside_address",
		"inside_address = 198.51.100.1/25, 2001:db8:100::1/64", NULL,
		NULL },
		"[lb] inside_address: 198.51.100.1/24, 2001:db8:100::1/64 -> 198.51.100.1/25, 2001:db8:100::1/64 needs a restart" },
	{ { "lb", "outside_gateway", NULL, NULL, NULL },
		"[lb] outside_gateway: 203.0.113.254, 2001:db8:203::fe -> (none) needs a restart" },
	{ { "lb", NULL, "snat_ports = 2000-3000", NULL, NULL },
		"[lb] snat_ports: 1024-64511 -> 2000-3000 needs a restart" },
	{ { "lb", NULL, "snat_address = 198.51.100.2", NULL, NULL },
		"[lb] snat_address: 198.51.100.1, 2001:db8:100::1 -> 198.51.100.2, 2001:db8:100::1 needs a restart" },
	/* the default, said: no change */
	{ { "lb", NULL, "snat_address = 2001:db8:100::1, 198.51.100.1\n"
		"snat_ports = 1024-64511", NULL, NULL }, NULL },
	{ { "worker", NULL, "flows = 2000000", NULL, NULL },
		"[worker] flows: 1000000 -> 2000000 needs a restart" },
	{ { "ports", NULL, "outside = net_tap0", NULL, NULL },
		"[ports] outside: 0 -> net_tap0 needs a restart" },
	{ { "syncookie", NULL, "ttl = 32", NULL, NULL },
		"[syncookie] ttl: 64 -> 32 needs a restart" },
	{ { "flow", NULL, "hold = 4", NULL, NULL },
		"[flow] hold: 8 -> 4 needs a restart" },
	{ { "synwall", NULL, "capture = no", NULL, NULL },
		"[synwall] capture: yes -> no needs a restart" },
};

static void
test_reload_check(void)
{
	static struct sw_config old, inl;
	static char text[8192];
	char err[SW_ERR_LEN];
	int ret;

	SW_CHECKF(load_into(&old, lb_base, err, sizeof(err)) == 0, "%s", err);
	SW_CHECK(sw_config_reload_check(&old, &old, err, sizeof(err)) == 0);
	for (unsigned int i = 0; i < sizeof(reload_cases) /
			sizeof(reload_cases[0]); i++) {
		const struct reload_case *c = &reload_cases[i];

		lb_variant(&c->change, text, sizeof(text));
		sw_test_ctx = c->change.line != NULL ? c->change.line :
			c->change.key;
		ret = load_text(text, err, sizeof(err));
		SW_CHECKF(ret == 0, "variant refused: %s\n%s", err, text);
		err[0] = '\0';
		ret = sw_config_reload_check(&old, &cfg, err, sizeof(err));
		if (c->want == NULL) {
			SW_CHECKF(ret == 0, "refused: %s", err);
		} else {
			SW_CHECKF(ret == -EINVAL, "accepted: %d", ret);
			SW_CHECKF(strcmp(err, c->want) == 0, "\"%s\" is not \"%s\"",
				err, c->want);
		}
	}
	sw_test_ctx = "";
	/* the mode itself */
	SW_CHECKF(load_into(&inl, "[service:web]\nprefix = 203.0.113.10\n"
		"ports = 80\n", err, sizeof(err)) == 0, "%s", err);
	ret = sw_config_reload_check(&inl, &old, err, sizeof(err));
	SW_CHECKF(ret == -EINVAL && strcmp(err,
		"[synwall] mode: inline -> lb needs a restart") == 0,
		"%d %s", ret, err);
	ret = sw_config_reload_check(&old, &inl, err, sizeof(err));
	SW_CHECKF(ret == -EINVAL && strcmp(err,
		"[synwall] mode: lb -> inline needs a restart") == 0,
		"%d %s", ret, err);
	/* inline: services change freely, as before */
	SW_CHECKF(load_text("[service:web]\nprefix = 192.0.2.0/24\n"
		"ports = 80, 443\n[service:ssh]\nprefix = 198.51.100.1\n"
		"ports = 22\n", err, sizeof(err)) == 0, "%s", err);
	SW_CHECKF(sw_config_reload_check(&inl, &cfg, err, sizeof(err)) == 0,
		"%s", err);
	SW_CHECKF(load_text("[synwall]\nunprotected = drop\n"
		"[service:web]\nprefix = 203.0.113.10\nports = 80\n", err,
		sizeof(err)) == 0, "%s", err);
	ret = sw_config_reload_check(&inl, &cfg, err, sizeof(err));
	SW_CHECKF(ret == -EINVAL && strcmp(err,
		"[synwall] unprotected: pass -> drop needs a restart") == 0,
		"%d %s", ret, err);
}

struct seen {
	const char *text;
	const char *name;		/* of the example */
	bool lb;			/* check lb's keys only, else the others */
	int missing;
};

/* Keys only mode = lb has: documented in lb.conf.example. */
static bool
lb_only(const char *section, const char *key)
{
	return strcmp(section, "lb") == 0 || strcmp(section, "cluster") == 0 ||
		strcmp(key, "backends") == 0 || strcmp(key, "nat") == 0;
}

static void
check_documented(const char *section, const char *key,
		const char *value __attribute__((unused)), void *arg)
{
	struct seen *s = arg;
	char want[128];

	if (lb_only(section, key) != s->lb)
		return;
	/* A key with no default is shown commented out: "; key = ...". */
	snprintf(want, sizeof(want), "\n%s = ", key);
	if (strstr(s->text, want) == NULL &&
			(snprintf(want, sizeof(want), "\n; %s = ", key) < 0 ||
			 strstr(s->text, want) == NULL)) {
		printf("not ok - [%s] %s is not documented in %s\n",
			section, key, s->name);
		s->missing++;
	}
}

/* The file's text after a '\n', so that "\nkey = " finds line one. */
static char *
read_text(const char *name)
{
	char *text;
	long size;
	FILE *f;

	f = fopen(name, "r");
	SW_CHECKF(f != NULL, "cannot open %s", name);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 2);
	text[0] = '\n';
	if (fread(text + 1, 1, (size_t)size, f) != (size_t)size)
		abort();
	fclose(f);
	return text;
}

/* Enum keys map each name to its own value: idle's default is adaptive. */
static void
test_idle(void)
{
	char err[SW_ERR_LEN];
	struct sw_config d;

	sw_config_defaults(&d);
	SW_CHECK_EQ(d.idle, (uint32_t)SW_IDLE_ADAPTIVE);
	SW_CHECK_EQ(d.idle_sleep_max_us, 50u);
	SW_CHECKF(load_text("[synwall]\nunprotected = pass\n"
		"[worker]\nidle = poll\n", err, sizeof(err)) == 0,
		"idle = poll refused: %s", err);
	SW_CHECK_EQ(cfg.idle, (uint32_t)SW_IDLE_POLL);
	SW_CHECKF(load_text("[synwall]\nunprotected = pass\n"
		"[worker]\nidle = adaptive\nidle_sleep_max_us = 200\n",
		err, sizeof(err)) == 0, "idle = adaptive refused: %s", err);
	SW_CHECK_EQ(cfg.idle, (uint32_t)SW_IDLE_ADAPTIVE);
	SW_CHECK_EQ(cfg.idle_sleep_max_us, 200u);
	SW_CHECK(load_text("[worker]\nidle = interrupt\n", err, sizeof(err)) != 0);
}

/* The example must load, give exactly the defaults, and show every key. */
static void
test_example(void)
{
	static struct sw_config defaults;
	char err[SW_ERR_LEN], *text;
	struct seen s = { NULL, example, false, 0 };

	sw_config_defaults(&defaults);
	SW_CHECKF(sw_config_load(example, &cfg, err, sizeof(err)) == 0,
		"example refused: %s", err);
	SW_CHECKF(memcmp(&cfg, &defaults, sizeof(cfg)) == 0, "%s",
		"example's values differ from the built-in defaults");
	text = read_text(example);
	if (text == NULL)
		return;
	SW_CHECKF(strstr(text, "config/lb.conf.example") != NULL, "%s",
		"the example does not point to config/lb.conf.example");
	s.text = text;
	sw_config_visit(&defaults, check_documented, &s);
	sw_test_failures += (unsigned long)s.missing;
	free(text);
}

/*
 * The lb example must load as lb, keep [lb]'s tunables at their
 * defaults, and show every key only lb mode has.
 */
static void
test_lb_example(void)
{
	static struct sw_config defaults;
	struct seen s = { NULL, lb_example, true, 0 };
	char err[SW_ERR_LEN], *text;

	sw_config_defaults(&defaults);
	SW_CHECKF(sw_config_load(lb_example, &cfg, err, sizeof(err)) == 0,
		"lb example refused: %s", err);
	SW_CHECK(cfg.mode == SW_MODE_LB);
	SW_CHECK(cfg.unprotected == SW_UNPROTECTED_DROP);
	SW_CHECK(cfg.svc.n_svc >= 1 && cfg.lb.n_backends >= 1);
	SW_CHECK(cfg.lb.has_vip[0][SW_LB_V4] && cfg.lb.has_vip[0][SW_LB_V6]);
	SW_CHECK(cfg.lb.has_gateway[SW_LB_V4] && cfg.lb.has_gateway[SW_LB_V6]);
	SW_CHECK_EQ(cfg.lb.maglev_size, defaults.lb.maglev_size);
	SW_CHECK_EQ(cfg.lb.neigh_entries, defaults.lb.neigh_entries);
	SW_CHECK_EQ(cfg.lb.health_interval_ms, defaults.lb.health_interval_ms);
	SW_CHECK_EQ(cfg.lb.health_timeout_ms, defaults.lb.health_timeout_ms);
	SW_CHECK_EQ(cfg.lb.health_rise, defaults.lb.health_rise);
	SW_CHECK_EQ(cfg.lb.health_fall, defaults.lb.health_fall);
	SW_CHECK_EQ(cfg.lb.passive_fall, defaults.lb.passive_fall);
	SW_CHECK_EQ(cfg.lb.passive_holddown, defaults.lb.passive_holddown);
	text = read_text(lb_example);
	if (text == NULL)
		return;
	s.text = text;
	sw_config_visit(&cfg, check_documented, &s);
	sw_test_failures += (unsigned long)s.missing;
	free(text);
}

/*
 * --write-bad DIR: every bad case as DIR/NNN.conf with the words its
 * error must contain in DIR/NNN.want, so that tests/component/
 * check_config.sh can show that synwall --check-config and the real
 * start refuse each one alike (one table drives both).
 */
static int
write_bad(const char *dir)
{
	char name[512];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f;

		snprintf(name, sizeof(name), "%s/%03u.conf", dir, i);
		f = fopen(name, "w");
		if (f == NULL || fputs(bad[i].text, f) < 0 || fclose(f) != 0)
			return 2;
		snprintf(name, sizeof(name), "%s/%03u.want", dir, i);
		f = fopen(name, "w");
		if (f == NULL || fprintf(f, "%s\n", bad[i].want) < 0 ||
				fclose(f) != 0)
			return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct sw_test tests[] = {
		{ "bad configs are refused, each naming the key",
			test_bad_files },
		{ "not a config: special files, too big, NUL, no service",
			test_not_a_config },
		{ "a full config loads with every value", test_good_file },
		{ "lb: every rule refuses with one line naming the item",
			test_lb_bad },
		{ "lb: a full config loads with every value", test_lb_good },
		{ "lb: [cluster] peers load in order", test_cluster },
		{ "lb: defaults, ranges' ends, neigh_entries rounded up",
			test_lb_defaults },
		{ "lb: lists over several lines, up to their limits",
			test_lb_limits },
		{ "lb: /synwall/config shows [lb] and backends, reloadably",
			test_lb_visit },
		{ "reload: services, health and neighbours change, the rest not",
			test_reload_check },
		{ "the example documents every key with its default",
			test_example },
		{ "[worker] idle: default adaptive, names map to their values",
			test_idle },
		{ "the lb example loads and documents every lb key",
			test_lb_example },
	};
	int fd, ret;

	if (argc == 3 && strcmp(argv[1], "--write-bad") == 0)
		return write_bad(argv[2]);
	if (argc != 3) {
		fprintf(stderr, "usage: %s synwall.conf.example lb.conf.example\n",
			argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/tmp/sw_test_config.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return 2;
	close(fd);
	example = argv[1];
	lb_example = argv[2];
	ret = sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
	unlink(path);
	return ret;
}
