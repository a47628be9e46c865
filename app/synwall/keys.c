/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cookie key rotation on the main lcore. Workers read the current key
 * set through one pointer; a new set is written into the other buffer,
 * published, and the old buffer is reused only after every worker has
 * passed a quiescent state (rte_rcu_qsbr): no lock on the data path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <sodium.h>

#include "sw_app.h"
#include "sw_log.h"

int
sw_app_keys_init(struct sw_app *app, unsigned int n_workers)
{
	char err[SW_ERR_LEN];
	size_t sz;

	if (app->cfg.key_file[0] != '\0') {
		if (sw_cookie_master_load(app->cfg.key_file, app->master, err,
				sizeof(err)) != 0) {
			fprintf(stderr,
				"synwall: config error: [syncookie] key_file = %s\n",
				err);
			return -EINVAL;
		}
	} else {
		sw_cookie_master_random(app->master);
		SW_LOG(NOTICE, main,
			"no [syncookie] key_file: random cookie secret (cookies valid on this node only)");
	}
	sz = rte_rcu_qsbr_get_memsize(n_workers);
	app->qs = rte_zmalloc("sw_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (app->qs == NULL || rte_rcu_qsbr_init(app->qs, n_workers) != 0) {
		fprintf(stderr, "synwall: cannot set up RCU for %u workers\n",
			n_workers);
		return -ENOMEM;
	}
	sw_cookie_keys_fill(app->master, sw_app_keys_slot_now(app),
		&app->keybuf[0]);
	app->keys = &app->keybuf[0];
	return 0;
}

uint64_t
sw_app_keys_slot_now(const struct sw_app *app)
{
	return (uint64_t)time(NULL) / app->cfg.slot_seconds;
}

void
sw_app_keys_install(struct sw_app *app, uint64_t slot)
{
	struct sw_cookie_keys *next = app->keys == &app->keybuf[0] ?
		&app->keybuf[1] : &app->keybuf[0];

	sw_cookie_keys_fill(app->master, slot, next);
	__atomic_store_n(&app->keys, next, __ATOMIC_RELEASE);
	/* After this no worker holds the old set: it may be rewritten. */
	rte_rcu_qsbr_synchronize(app->qs, RTE_QSBR_THRID_INVALID);
	SW_LOG(INFO, main, "cookie keys: slot %" PRIu64, slot);
}
