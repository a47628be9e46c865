/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The component vectors (tests/component/gen_vectors.py), read without
 * EAL: frames from pcaps, the scripts (S.steps), the cookie keys
 * (S.keys), the expected counters (S.expect), counters by name. Used by
 * test_forward (the program's workers between net_ring ports) and by
 * tests/unit/test_engine (the engine alone, on a virtual clock).
 */
#ifndef SW_SCENARIO_H
#define SW_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_cookie.h"
#include "sw_engine.h"

#define SCN_FRAMES_MAX	1024
#define SCN_QUEUES_MAX	4
#define SCN_STEPS_MAX	64
#define SCN_EXPECTS_MAX	32

struct scn_frames {
	unsigned int n;
	uint32_t len[SCN_FRAMES_MAX];
	uint8_t *data[SCN_FRAMES_MAX];
};

/* One line of S.steps that names a frame: in (inject) or out (expect). */
struct scn_io {
	bool in;
	uint8_t side;
	uint8_t queue;
	unsigned int frame;		/* index in S.pcap */
};

struct scn_expect {
	char name[64];
	uint64_t value;
};

struct scn_step {
	char name[64];
	unsigned int wait_ms;
	unsigned int first, n_io;	/* io[first .. first + n_io) */
	unsigned int n_expect;
	struct scn_expect expect[SCN_EXPECTS_MAX];
};

struct scn_script {
	unsigned int workers;
	unsigned int n_steps;
	struct scn_step step[SCN_STEPS_MAX];
	unsigned int n_io;
	struct scn_io io[SCN_FRAMES_MAX];
};

/* A pcap's frames, copied; 0 or -1 (said). */
int scn_read_pcap_path(const char *path, struct scn_frames *f);
/* DIR/S_WHAT.pcap. */
int scn_read_pcap(const char *dir, const char *scenario, const char *what,
		struct scn_frames *f);
void scn_free_frames(struct scn_frames *f);

/*
 * S.steps → *sc. Returns 1 when the scenario has no script (one step
 * from S_rx_*.pcap), 0 when read, -1 on a bad line (said).
 */
int scn_read_script(const char *dir, const char *scenario,
		struct scn_script *sc);

/* S.keys: the master secret and the slot the vectors were made with. */
int scn_read_keys(const char *dir, const char *scenario,
		uint8_t master[SW_COOKIE_MASTER_LEN], uint64_t *slot);

/* The counter telemetry calls `name` ("flow.created"); 0 or -1. */
int scn_counter(const struct sw_counters *c, const char *name, uint64_t *v);

/*
 * Check one counter, or every counter S.expect lists: the number of
 * mismatches (each said on stdout, TAP comments), or 1 for a file that
 * cannot be read.
 */
unsigned int scn_check_counter(const struct sw_counters *c,
		const char *where, const char *name, uint64_t want);
unsigned int scn_check_expect(const struct sw_counters *c, const char *dir,
		const char *scenario);

#endif /* SW_SCENARIO_H */
