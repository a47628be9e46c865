/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of config loading: every bad file is refused with one line
 * that names the key; the annotated example documents the real
 * defaults. Uses rte_cfgfile, no EAL.
 *
 * usage: test_config PATH/TO/synwall.conf.example
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sw_config.h"
#include "sw_test.h"

static char path[64];
static const char *example;
static struct sw_config cfg;

static int
load_text(const char *text, char *err, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	err[0] = '\0';
	return sw_config_load(path, &cfg, err, len);
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
	{ "[worker]\nmbufs = 1024\nmbuf_cache = 300\n", "mbuf_cache = 300" },
	{ "[foo]\na = 1\n", "[foo]: unknown section" },
	{ "[worker]\n[worker]\n", "[worker]: section appears twice" },
	{ "garbage\n", ":1: expected [section]" },
	{ "# comment\n", "comments start with ';'" },
	{ "[ports\n", "no ']'" },
	{ "a = 1\n", "outside of any [section]" },
	{ "[ports]\ninside =\n", "inside has no value" },
	{ "[ports]\ninside = 0\noutside = 0\n", "same port as outside" },
	{ "[ports]\npromiscuous = maybe\n", "promiscuous = maybe: must be yes or no" },
	{ "[synwall]\nmode = lb\n", "mode = lb: must be one of inline" },
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
	{ "[service:web]\nprefix = 192.0.2.0/24\nports = 80\nsack = maybe\n",
		"sack = maybe: must be yes or no" },
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

static void
test_good_file(void)
{
	char err[SW_ERR_LEN];
	int ret;

	ret = load_text("; comment\n[synwall]\nunprotected = drop ; inline\n"
		"log_level = debug\n[ports]\noutside = net_tap0\n"
		"inside = 0000:03:00.0\npromiscuous = off\n"
		"[worker]\nburst = 64\nmbufs = 0x4000\n"
		"[service:web]\nprefix = 192.0.2.0/24, 2001:db8::/64\n"
		"ports = 80, 443\nwscale = no\nmss = 1400\necn = yes\n"
		"[service:ssh]\nprefix = 198.51.100.1\nports = 22\n"
		"timestamps = off\n[syncookie]\nslot_seconds = 30\n",
		err, sizeof(err));
	SW_CHECKF(ret == 0, "good file refused: %s", err);
	SW_CHECKF(cfg.unprotected == SW_UNPROTECTED_DROP, "%s", "unprotected");
	SW_CHECKF(cfg.log_level == 8, "%s", "log_level debug = RTE_LOG_DEBUG");
	SW_CHECKF(strcmp(cfg.port_name[SW_OUTSIDE], "net_tap0") == 0, "%s", "outside");
	SW_CHECKF(strcmp(cfg.port_name[SW_INSIDE], "0000:03:00.0") == 0, "%s", "inside");
	SW_CHECKF(cfg.promiscuous == 0, "%s", "promiscuous");
	SW_CHECKF(cfg.burst == 64 && cfg.mbufs == 0x4000, "%s", "worker sizes");
	SW_CHECK(cfg.svc.svc[0].syn.wscale == SW_SVC_WSCALE_OFF);
	SW_CHECK(cfg.svc.svc[0].syn.mss4 == 1400);
	SW_CHECK(cfg.svc.svc[0].syn.mss6 == 1440);
	SW_CHECK(cfg.svc.svc[0].syn.ecn && cfg.svc.svc[0].syn.ts);
	SW_CHECK(cfg.svc.svc[1].syn.wscale == 7 && !cfg.svc.svc[1].syn.ts);
	SW_CHECK(cfg.svc.svc[1].syn.sack);
	SW_CHECK(cfg.slot_seconds == 30);
	SW_CHECKF(cfg.svc.n_svc == 2 && cfg.svc.n_v4 == 2 && cfg.svc.n_v6 == 1, "%s",
		"services");
}

struct seen {
	const char *text;
	int missing;
};

static void
check_documented(const char *section, const char *key,
		const char *value __attribute__((unused)), void *arg)
{
	struct seen *s = arg;
	char want[128];

	/* A key with no default is shown commented out: "; key = ...". */
	snprintf(want, sizeof(want), "\n%s = ", key);
	if (strstr(s->text, want) == NULL &&
			(snprintf(want, sizeof(want), "\n; %s = ", key) < 0 ||
			 strstr(s->text, want) == NULL)) {
		printf("not ok - [%s] %s is not documented in the example\n",
			section, key);
		s->missing++;
	}
}

/* The example must load, give exactly the defaults, and show every key. */
static void
test_example(void)
{
	static struct sw_config defaults;
	char err[SW_ERR_LEN], *text;
	struct seen s = { NULL, 0 };
	long size;
	FILE *f;

	sw_config_defaults(&defaults);
	SW_CHECKF(sw_config_load(example, &cfg, err, sizeof(err)) == 0,
		"example refused: %s", err);
	SW_CHECKF(memcmp(&cfg, &defaults, sizeof(cfg)) == 0, "%s",
		"example's values differ from the built-in defaults");
	f = fopen(example, "r");
	SW_CHECKF(f != NULL, "cannot open %s", example);
	if (f == NULL)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 2);
	text[0] = '\n';
	if (fread(text + 1, 1, (size_t)size, f) != (size_t)size)
		abort();
	fclose(f);
	s.text = text;
	sw_config_visit(&defaults, check_documented, &s);
	sw_test_failures += (unsigned long)s.missing;
	free(text);
}

int
main(int argc, char **argv)
{
	static const struct sw_test tests[] = {
		{ "bad configs are refused, each naming the key",
			test_bad_files },
		{ "a full config loads with every value", test_good_file },
		{ "the example documents every key with its default",
			test_example },
	};
	int fd, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s synwall.conf.example\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "/tmp/sw_test_config.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return 2;
	close(fd);
	example = argv[1];
	ret = sw_test_run(tests, sizeof(tests) / sizeof(tests[0]));
	unlink(path);
	return ret;
}
