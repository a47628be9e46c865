/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synwall [EAL options] -- -c FILE [--check-config]
 *
 * The main lcore is the control plane: it loads the config (before the
 * EAL starts, so a bad file starts nothing), sets up pools and ports,
 * launches one worker per remaining lcore, then only handles signals,
 * the periodic summary and telemetry until asked to stop.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "sw_app.h"
#include "sw_log.h"
#include "sw_port.h"

struct sw_args {
	const char *config;
	bool check_only;
};

static volatile sig_atomic_t sig_quit;
static volatile sig_atomic_t sig_dump;
static volatile sig_atomic_t sig_reload;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_dump = 1;
	else if (sig == SIGHUP)
		sig_reload = 1;
	else
		sig_quit = 1;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: synwall [EAL options] -- -c FILE [--check-config]\n"
		"  -c, --config FILE   configuration (see config/synwall.conf.example)\n"
		"  --check-config      validate FILE and the ports it names, then exit\n"
		"  -h, --help          this text\n"
		"  -v, --version       print the version\n"
		"Signals: SIGUSR1 prints a summary line; SIGHUP re-reads FILE\n"
		"(services and backends change live; a bad file is refused and\n"
		"the running config stays); SIGINT/SIGTERM stop.\n");
}

/*
 * Application arguments come after "--". They are read before
 * rte_eal_init() so that a bad config is refused before the EAL starts.
 * Returns 0, 1 when the program should exit successfully (help), or -1.
 */
static int
parse_args(int argc, char **argv, struct sw_args *a)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int first = argc, opt;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			first = i;
			break;
		}
	memset(a, 0, sizeof(*a));
	if (first == argc) {
		/* No "--": only help/version make sense without EAL args. */
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
				usage(stdout);
				return 1;
			}
			if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
				printf("synwall %s (%s)\n", SW_VERSION, rte_version());
				return 1;
			}
		}
		fprintf(stderr, "synwall: missing \"-- -c FILE\"\n");
		usage(stderr);
		return -1;
	}
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc - first, argv + first, "c:hv", longopts,
			NULL)) != -1) {
		switch (opt) {
		case 'c':
			a->config = optarg;
			break;
		case 'k':
			a->check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'v':
			printf("synwall %s (%s)\n", SW_VERSION, rte_version());
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc - first) {
		fprintf(stderr, "synwall: unexpected argument \"%s\"\n",
			argv[first + optind]);
		return -1;
	}
	if (a->config == NULL) {
		fprintf(stderr, "synwall: -c FILE is required\n");
		return -1;
	}
	return 0;
}

/* A handler that is never called: only asks whether IPC exists. */
static int
mp_probe(const struct rte_mp_msg *msg __rte_unused,
		const void *peer __rte_unused)
{
	return 0;
}

/*
 * Packet capture for the stock dpdk-dumpcap and dpdk-pdump. Both are
 * secondary processes: they map this process's memory, make a ring and
 * an mbuf pool in it, and ask over the EAL's multi-process socket for
 * copies of what a port receives and sends (rx and tx callbacks that
 * rte_pdump adds to every queue of the port, and removes when the tool
 * ends, unless it is killed: docs/deploy.md). So they need hugepages
 * (a --no-huge heap is private to this process) and the EAL's shared
 * files (--in-memory and --no-shconf have no socket). rte_pdump_init()
 * itself adds no callback: until a capture starts, the workers' bursts
 * run as they did without it. Returns true when capture is on
 * (rte_pdump_uninit() at exit).
 */
static bool
capture_init(const struct sw_app *app)
{
	/* The runtime dir is /var/run/dpdk/PREFIX: the tools' --file-prefix. */
	const char *dir = rte_eal_get_runtime_dir(), *slash = strrchr(dir, '/');
	const char *prefix = slash != NULL ? slash + 1 : dir;
	const char *why = NULL;

	if (!app->cfg.capture) {
		SW_LOG(NOTICE, main, "capture: off ([synwall] capture = no)");
		return false;
	}
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		why = "not the primary process";
	else if (!rte_eal_has_hugepages())
		why = "started with --no-huge: the tools map synwall's memory, which needs hugepages";
	else if (rte_mp_action_register("synwall_mp_probe", mp_probe) != 0)
		why = "started with --in-memory or --no-shconf: no multi-process socket for the tools";
	else
		rte_mp_action_unregister("synwall_mp_probe");
	if (why == NULL && rte_pdump_init() != 0)
		why = rte_strerror(rte_errno);
	if (why != NULL) {
		SW_LOG(NOTICE, main, "capture: unavailable (%s); synwall runs without it",
			why);
		return false;
	}
	SW_LOG(NOTICE, main,
		"capture: on: dpdk-dumpcap --file-prefix=%s -p -i %s -w FILE.pcapng (or dpdk-pdump --file-prefix=%s -- --pdump ...); stop it with Ctrl-C",
		prefix, app->port_info[SW_OUTSIDE].name, prefix);
	return true;
}

/* SIGHUP or /synwall/reload: re-read the config, apply or refuse it. */
static int
reload(struct sw_app *app, char *err, size_t len)
{
	int ret;

	SW_LOG(NOTICE, main, "reload: reading %s", app->config_path);
	ret = sw_lb_reload(app, err, len);
	if (ret != 0)
		SW_LOG(ERR, main, "reload refused, the running config stays: %s",
			err);
	return ret;
}

static void
control_loop(struct sw_app *app)
{
	const uint64_t hz = rte_get_tsc_hz();
	struct sw_counters prev;
	uint64_t prev_tsc = rte_rdtsc(), next;
	char line[512];

	memset(&prev, 0, sizeof(prev));
	next = prev_tsc + hz * app->cfg.stats_interval;
	while (!sig_quit) {
		uint64_t now, slot;

		usleep(100 * 1000);
		now = rte_rdtsc();
		slot = sw_app_keys_slot_now(app);
		if (slot != app->keys->slot)
			sw_app_keys_install(app, slot);
		if (sig_reload) {
			sig_reload = 0;
			(void)reload(app, line, sizeof(line));
		}
		if (__atomic_load_n(&app->reload_req, __ATOMIC_ACQUIRE)) {
			app->reload_ret = reload(app, app->reload_err,
				sizeof(app->reload_err));
			__atomic_store_n(&app->reload_req, 0, __ATOMIC_RELEASE);
		}
		sw_lb_tick(app);
		sw_app_link_poll(app, false);
		if (sig_dump || (app->cfg.stats_interval != 0 && now >= next)) {
			sig_dump = 0;
			sw_stats_line(app, &prev, &prev_tsc, line, sizeof(line));
			printf("synwall: %s\n", line);
			fflush(stdout);
			next = now + hz * app->cfg.stats_interval;
		}
	}
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
main(int argc, char **argv)
{
	static struct sw_app app;	/* large (service bitmaps): not on the stack */
	char err[SW_ERR_LEN];
	struct sw_args args;
	int ret, status = EXIT_FAILURE;
	bool capture = false;

	ret = parse_args(argc, argv, &args);
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	app.config_path = args.config;
	if (sw_config_load(args.config, &app.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "synwall: config error: %s\n", err);
		return EXIT_FAILURE;
	}
	/* Before rte_eal_init so that --log-level on the command line wins. */
	rte_log_set_level_pattern("user.synwall.*", app.cfg.log_level);
	install_signals();

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr,
			"synwall: EAL init failed%s%s: see the EAL lines above (no hugepages? reserve some, or add --no-huge -m 512; another instance? use a different --file-prefix)\n",
			rte_errno ? ": " : "",
			rte_errno ? rte_strerror(rte_errno) : "");
		return EXIT_FAILURE;
	}
	if (sw_app_resolve_ports(&app) != 0)
		goto out;
	if (args.check_only) {
		if (sw_app_check_ports(&app, rte_lcore_count() - 1) != 0)
			goto out;
		printf("synwall: %s: config OK (%u service%s, ports %u and %u, %u worker lcore%s)\n",
			args.config, app.cfg.svc.n_svc,
			app.cfg.svc.n_svc == 1 ? "" : "s",
			app.port_id[SW_OUTSIDE], app.port_id[SW_INSIDE],
			rte_lcore_count() - 1, rte_lcore_count() == 2 ? "" : "s");
		status = rte_lcore_count() > 1 ? EXIT_SUCCESS : EXIT_FAILURE;
		if (status != EXIT_SUCCESS)
			fprintf(stderr, "synwall: needs at least two lcores (e.g. -l 0,1)\n");
		goto out;
	}
	if (sw_app_setup_workers(&app) != 0 || sw_app_setup_ports(&app) != 0)
		goto out;
	sw_telemetry_register(&app);
	capture = capture_init(&app);
	sw_app_launch(&app);
	if (app.cfg.mode == SW_MODE_LB)
		SW_LOG(NOTICE, main, "running: lb mode, %u worker%s, %u service%s, %u backend%s",
			app.n_workers, app.n_workers == 1 ? "" : "s",
			app.cfg.svc.n_svc, app.cfg.svc.n_svc == 1 ? "" : "s",
			app.cfg.lb.n_backends,
			app.cfg.lb.n_backends == 1 ? "" : "s");
	else
		SW_LOG(NOTICE, main, "running: inline mode, %u worker%s, %u service%s, unprotected traffic %s",
			app.n_workers, app.n_workers == 1 ? "" : "s",
			app.cfg.svc.n_svc, app.cfg.svc.n_svc == 1 ? "" : "s",
			app.cfg.unprotected == SW_UNPROTECTED_DROP ?
			"dropped" : "passed");
	printf("synwall: running (pid %d); SIGUSR1 prints counters, SIGTERM stops\n",
		(int)getpid());
	fflush(stdout);

	control_loop(&app);
	sw_app_stop(&app);
	/* No worker bursts any more: a capture still running sees no
	 * more packets and ends when it finds the primary gone. */
	if (capture)
		rte_pdump_uninit();
	sw_stats_print_final(&app);
	status = EXIT_SUCCESS;
out:
	sw_telemetry_unregister();
	sw_app_free(&app);
	rte_eal_cleanup();
	return status;
}
