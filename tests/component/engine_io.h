/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Engines without EAL, for the tests (test_engine) and the engine fuzzer
 * (fuzz_engine): an I/O layer of plain frame buffers, queues between the
 * engines of a node (software steering, shared frames), and engines set
 * up as app/synwall sets them up from a config. The engines live in
 * slots 0 .. EIO_ENGINES - 1; a node is the slots base .. base + n - 1.
 */
#ifndef SW_ENGINE_IO_H
#define SW_ENGINE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_config.h"
#include "sw_engine.h"
#include "sw_lb.h"

#define EIO_ENGINES	4
#define EIO_INBOX	1024
#define EIO_BUF_ROOM	2048

/* A slot's queue: its engine's node (first slot, engines) and inbox. */
struct eio_q {
	unsigned int id, base, n;
	unsigned int n_in;
	struct sw_frame *in[EIO_INBOX];	/* steered to it, not yet run */
};

extern struct sw_engine *eio_eng[EIO_ENGINES];
extern struct eio_q eio_q[EIO_ENGINES];
extern unsigned int eio_n;		/* slots run by eio_run_inboxes() */
extern unsigned int eio_bufs_used;	/* frame buffers held now */
extern const struct sw_io_ops eio_ops;
extern const struct sw_lb_alloc eio_gen_mem;	/* lb generations: malloc */

/*
 * What the user sees: each frame an engine sends, before it goes back
 * (may be NULL), and misuse of the buffers or the TX contract (a frame
 * freed twice, a bad TX kind, a length past the buffer).
 */
extern void (*eio_sent)(unsigned int slot, enum sw_side side,
		const struct sw_frame *f);
extern void (*eio_fail)(const char *what);

/* The frame buffers (`n` of them); 0 or -1. */
int eio_init(unsigned int n);
void eio_fini(void);
/* A buffer holding data[0..len) from `side`; NULL when none is free. */
struct sw_frame *eio_frame(const uint8_t *data, uint32_t len,
		enum sw_side side);
void eio_put(struct sw_frame *f);
/* Frames steered between engines, run by their owners, until none. */
void eio_run_inboxes(uint64_t now);
/* Time passes: `times` steps of `step` on *now, every engine polled at
 * each (and the frames they steer run), then every engine flushed. */
void eio_pass(uint64_t *now, uint64_t step, unsigned int times);

/*
 * Slot `slot`: worker `id` of `n` of a node whose first slot is `base`,
 * set up from cfg (sw_worker_params, sw_engine_init,
 * sw_worker_configure) on a clock of `hz` at `now`, pointed at the keys
 * and lb generation. Its memory is kept for the next call on the slot
 * when big enough. NULL with err said on failure.
 */
struct sw_engine *eio_engine_new(unsigned int slot, unsigned int base,
		const struct sw_config *cfg, unsigned int id, unsigned int n,
		struct sw_cookie_keys *const *keys,
		struct sw_lb_gen *const *genp, const struct sw_lb_slot *slots,
		uint64_t hz, uint64_t now, char *err, size_t err_len);
/* Every slot's memory. */
void eio_engines_free(void);

#endif /* SW_ENGINE_IO_H */
