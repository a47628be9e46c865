/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hand-off and the relay: the frame side of lib/proxy's state
 * machine. A valid cookie ACK becomes a flow here; the client's segments
 * are held while the backend SYN is out; the server's SYN-ACK releases
 * them; from then on every segment is translated in place and sent on.
 * Nothing is allocated per packet except the backend SYN's frame.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "sw_build.h"
#include "sw_hdr.h"
#include "sw_parse.h"
#include "sw_relay.h"
#include "sw_service.h"
#include "sw_engine.h"
#include "sw_engine_inl.h"

#define TW_SLOTS	4096	/* per level: 4.1 s / 4.7 h at 1 ms ticks */
#define LEARN_ENTRIES	4096	/* servers whose options a worker learns */
#define REPLAY_ENTRIES	65536	/* cookies a worker remembers it used */
#define TIMERS_BURST	64	/* expired timers handled per call */
#define SYNC_BURST	64	/* entries a peer's sync walk visits per call */

/* Held segments are chained through their views (sw_frame.next). */
static inline struct sw_frame **
hold_next(const struct sw_engine *w, struct sw_frame *m)
{
	(void)w;
	return &m->next;
}

static inline size_t
align_up(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* The flow memory's parts, in order; 0 when the sizes are refused. */
static size_t
flow_layout(uint32_t flows, uint32_t flows6, struct sw_ft_params *p4,
		struct sw_ft_params *p6, struct sw_tw_params *pt, size_t part[7])
{
	size_t len = 0;

	*p4 = (struct sw_ft_params){ .capacity = flows,
		.key_len = sizeof(struct sw_fkey4),
		.entry_size = SW_FENTRY4_SIZE };
	*p6 = (struct sw_ft_params){ .capacity = flows6,
		.key_len = sizeof(struct sw_fkey6),
		.entry_size = SW_FENTRY6_SIZE };
	*pt = (struct sw_tw_params){ .n_timers = flows + flows6,
		.n_slots = TW_SLOTS };
	part[0] = align_up(sw_ft_memsize(p4));
	part[1] = align_up((size_t)p4->capacity * p4->entry_size);
	part[2] = align_up(sw_ft_memsize(p6));
	part[3] = align_up((size_t)p6->capacity * p6->entry_size);
	part[4] = align_up(sw_tw_memsize(pt));
	part[5] = align_up(LEARN_ENTRIES * sizeof(struct sw_learn_entry));
	part[6] = align_up(REPLAY_ENTRIES * sizeof(uint64_t));
	if (part[0] == 0 || part[2] == 0 || part[4] == 0 ||
			pt->n_timers > SW_TW_MAX_TIMERS)
		return 0;
	for (unsigned int i = 0; i < 7; i++)
		len += part[i];
	return len;
}

size_t
sw_engine_memsize(uint32_t flows, uint32_t flows6)
{
	struct sw_ft_params p4, p6;
	struct sw_tw_params pt;
	size_t part[7];

	return flow_layout(flows, flows6, &p4, &p6, &pt, part);
}

int
sw_flow_setup(struct sw_engine *w, const struct sw_engine_params *prm,
		char *err, size_t err_len)
{
	const uint64_t ms = prm->tsc_hz / 1000;
	struct sw_ft_params p4, p6;
	struct sw_tw_params pt;
	size_t part[7];
	uint8_t *mem = prm->flow_mem;

	if (flow_layout(prm->flows, prm->flows6, &p4, &p6, &pt, part) == 0) {
		snprintf(err, err_len,
			"[worker] flows + flows6 = %u: at most %u in all",
			pt.n_timers, SW_TW_MAX_TIMERS);
		return -EINVAL;
	}
	if (sw_ft_init(&w->ft4, &p4, mem, part[0], mem + part[0]) != 0)
		goto fail;
	mem += part[0] + part[1];
	if (sw_ft_init(&w->ft6, &p6, mem, part[2], mem + part[2]) != 0)
		goto fail;
	mem += part[2] + part[3];
	if (sw_tw_init(&w->tw, &pt, mem, part[4], prm->now / ms) != 0)
		goto fail;
	mem += part[4];
	w->learn.e = (struct sw_learn_entry *)mem;
	w->learn.mask = LEARN_ENTRIES - 1;
	w->replay.e = (uint64_t *)(mem + part[5]);
	w->replay.mask = REPLAY_ENTRIES - 1;
	sw_probe_setup(w, prm->learn_refresh_ms);
	w->tick_tsc = ms;
	w->hold_max = prm->hold;
	w->syn_retries = prm->syn_retries;
	w->syn_timeout = prm->syn_timeout_ms;
	w->fs_timeout[SW_FS_ESTABLISHED] = prm->established_timeout * 1000ull;
	w->fs_timeout[SW_FS_FIN_WAIT] = prm->half_closed_timeout * 1000ull;
	w->fs_timeout[SW_FS_CLOSING] = prm->closing_timeout * 1000ull;
	w->fs_timeout[SW_FS_TIME_WAIT] = prm->linger_ms;
	w->fs_timeout[SW_FS_RESET] = prm->linger_ms;
	w->fs_timeout[SW_FS_PASS] = prm->established_timeout * 1000ull;
	/* A peer's flow: forgotten when idle as long as its owner's would
	 * be, if no release came. */
	w->fs_timeout[SW_FS_FOREIGN] = prm->established_timeout * 1000ull;
	sw_gcra_init(&w->challenge, prm->challenge_ack_rate,
		SW_MAX(prm->challenge_ack_rate / 10, UINT64_C(1)), prm->tsc_hz);
	return 0;
fail:
	snprintf(err, err_len, "flow table setup failed");
	return -EINVAL;
}

/* Held frames of every flow and probe go back to the I/O layer. */
void
sw_flow_teardown(struct sw_engine *w)
{
	sw_probe_teardown(w);
	for (int v6 = 0; v6 < 2; v6++) {
		struct sw_ft *ft = sw_flow_table(w, v6);

		if (ft->capacity == 0 || sw_ft_count(ft) == 0)
			continue;
		for (uint32_t id = 0; id < ft->capacity; id++) {
			struct sw_flow *f = v6 ?
				&((struct sw_fentry6 *)sw_ft_entry(ft, id))->f :
				&((struct sw_fentry4 *)sw_ft_entry(ft, id))->f;

			if (f->state != SW_FS_SYN_SENT || f->held == NULL)
				continue;
			for (struct sw_frame *m = f->held, *next; m != NULL;
					m = next) {
				next = m->next;
				frame_free(w, m);
			}
			f->held = NULL;
		}
	}
}

/* The flow of table id `id`; its timer id follows the IPv4 ids. */
static inline struct sw_flow *
flow_of(struct sw_engine *w, bool v6, uint32_t id)
{
	if (v6)
		return &((struct sw_fentry6 *)sw_ft_entry(&w->ft6, id))->f;
	return &((struct sw_fentry4 *)sw_ft_entry(&w->ft4, id))->f;
}

static inline uint32_t
timer_id(const struct sw_engine *w, bool v6, uint32_t id)
{
	return v6 ? w->ft4.capacity + id : id;
}

/* The PROXY protocol header the server still lacks, if any. */
static inline int
pp_header(const struct sw_flow *f, const union sw_fkey *k, bool v6,
		uint8_t buf[SW_PP_MAX])
{
	return pp_build_key(sw_px_pp(f), k, v6, buf);
}

static inline uint32_t
pp_len(const struct sw_flow *f, const union sw_fkey *k, bool v6)
{
	uint8_t buf[SW_PP_MAX];

	return (f->flags & SW_FF_PP) ? (uint32_t)pp_header(f, k, v6, buf) : 0;
}

/* The key of table id `id` (timers know ids only). */
static inline const union sw_fkey *
key_of(struct sw_engine *w, bool v6, uint32_t id)
{
	if (v6)
		return (const union sw_fkey *)(const void *)
			&((struct sw_fentry6 *)sw_ft_entry(&w->ft6, id))->k;
	return (const union sw_fkey *)(const void *)
		&((struct sw_fentry4 *)sw_ft_entry(&w->ft4, id))->k;
}

static inline uint64_t
ticks(const struct sw_engine *w, uint64_t tsc)
{
	return tsc / w->tick_tsc;
}

/* Flows of ours: the tables hold peers' (foreign entries) too. */
static inline void
update_active(struct sw_engine *w)
{
	w->c.flow.active = sw_ft_count(&w->ft4) + sw_ft_count(&w->ft6) -
		w->c.cluster.foreign;
}

/* Free every held segment of a SYN_SENT flow but `keep`. */
static void
free_held(struct sw_engine *w, struct sw_flow *f, struct sw_frame *keep)
{
	struct sw_frame *m = f->held;

	while (m != NULL) {
		struct sw_frame *next = *hold_next(w, m);

		w->c.flow.holding--;
		if (m != keep) {
			w->c.flow.consumed++;
			frame_free(w, m);
		}
		m = next;
	}
	f->held = NULL;
	f->n_held = 0;
}

static void
flow_free(struct sw_engine *w, bool v6, uint32_t id, struct sw_flow *f)
{
	struct sw_ft *ft = sw_flow_table(w, v6);

	if (f->state == SW_FS_FOREIGN) {
		w->c.cluster.foreign--;		/* a peer's: nothing to tell */
	} else {
		const uint16_t lport = *flow_lport(f);

		if (f->state == SW_FS_SYN_SENT)
			free_held(w, f, NULL);
		/* nat = snat: its local port to the back of the worker's
		 * queue, the last to be handed out again (lib/snat:
		 * TIME_WAIT). */
		if (lport != 0 && sw_snat_put(&w->snat, lport) == 0)
			w->c.lb.snat_active--;
		w->bc[*flow_backend(f)].active--;
		w->c.flow.freed++;
		/* The key is the entry's first bytes. */
		if (w->n_peers != 0)
			sw_cluster_tell(w, SW_CLUSTER_RELEASE, v6,
				sw_ft_entry(ft, id), SW_CLUSTER_ALL);
	}
	f->state = SW_FS_FREE;
	sw_tw_cancel(&w->tw, timer_id(w, v6, id));
	sw_ft_remove(ft, id);
	update_active(w);
}

/*
 * The backend SYN, built from the first held segment (the client's
 * third ACK): the client's ISN, MSS, window scale, SACK and timestamps
 * as its SYN offered them and the cookie kept them.
 */
static bool
send_backend_syn(struct sw_engine *w, const struct sw_flow *f, uint32_t pp)
{
	struct sw_frame *held = f->held;
	const uint8_t *src = held->data;
	struct sw_syn_params sp;
	struct sw_frame *m;
	struct sw_pkt p;
	int len;

	if (sw_parse(&p, src, held->len) != SW_PARSE_OK)
		return false;	/* parsed fine when it was held */
	m = frame_alloc(w);
	if (unlikely(m == NULL)) {
		w->c.drop[SW_DROP_NO_MBUF]++;
		return false;
	}
	/* With a PROXY header, it takes the pp bytes just before the
	 * client's first: the server's stream is the header, then the
	 * client's bytes at the client's own sequence numbers. */
	sp.isn = p.seq - 1 - pp;
	sp.tsval = p.opt.tsval;	/* timestamps only as the client has them */
	sp.mss = f->mss;
	/* A probe's shift, for a client that does not scale: 0, which
	 * lets the server scale its own windows (they are rescaled). */
	sp.wscale = !(f->xflags & SW_FX_OFFER_WS) ? SW_WSCALE_NONE :
		f->ws_client == SW_PX_WS_NONE ? 0 : f->ws_client;
	sp.sack_ok = f->xflags & SW_FX_OFFER_SACK;
	sp.ts = f->xflags & SW_FX_OFFER_TS;
	sp.ecn = f->flags & SW_FF_ECN;
	/* A SYN's window is never scaled (RFC 7323 §2.2). */
	sp.window = sw_relay_window(p.window,
		f->ws_client == SW_PX_WS_NONE ? 0 : f->ws_client, 0);
	len = sw_build_syn(m->data, m->cap, src, &p, &sp);
	if (unlikely(len < 0)) {
		frame_free(w, m);
		return false;
	}
	m->len = (uint16_t)len;
	m->tx = SW_TX_PLAIN;
	w->eg->syn_to_server(w, m, f);
	return true;
}

/* RST to the client in place of its first held segment; the rest go. */
static void
rst_client(struct sw_engine *w, struct sw_flow *f)
{
	struct sw_frame *m = f->held;
	uint8_t *frame = m->data;
	struct sw_pkt p;

	free_held(w, f, m);
	/* Parsed fine when it was held: cannot fail. */
	if (unlikely(sw_parse(&p, frame, m->len) != SW_PARSE_OK)) {
		frame_free(w, m);
		return;
	}
	reply_rst(w, SW_OUTSIDE, m, &p, w->ttl, &w->c.flow.rst_tx);
}

/* The shift our SYN-ACK of cookie slot `slot` advertised (0: none). */
static uint8_t
ws_advertised(struct sw_engine *w, const struct sw_fref *r,
		const struct sw_cookie_opts *co, uint64_t slot)
{
	if (co->wscale == SW_COOKIE_WSCALE_NONE)
		return 0;
	return our_shift(sw_learn_ws(flow_learned(w, r, false, NULL), slot),
		w->svc->svc[r->svc].syn.wscale);
}

/* The family's MSS without the option: 536 (RFC 9293 §3.7.1) / 1220. */
static inline uint16_t
default_mss(const struct sw_pkt *p)
{
	return p->l3 == SW_L3_IPV4 ? sw_cookie_mss4[0] : sw_cookie_mss6[0];
}

static inline uint16_t
server_mss(const struct sw_pkt *synack)
{
	if (synack->opt.present & SW_TCPOPT_F_MSS)
		return synack->opt.mss;
	return default_mss(synack);
}

/*
 * What the server's SYN-ACK says about what our SYN offered, for the
 * SYN-ACKs to its next clients (RFC 7323 §2.2, RFC 2018 §2: an option
 * missing from the SYN-ACK is refused). The latest answer wins.
 */
void
sw_flow_learn(struct sw_engine *w, const struct sw_fref *r,
		const struct sw_pkt *sa, uint8_t offers)
{
	struct sw_learn_entry *e = flow_learned(w, r, true, NULL);
	const uint16_t have = sa->opt.present;

	if (e == NULL)
		return;		/* full: the service's settings apply */
	e->checked = probe_clock(w->now);
	e->mss = server_mss(sa);
	if (offers & SW_FX_OFFER_SACK)
		e->flags = (e->flags & ~SW_LEARN_F_SACK) |
			SW_LEARN_F_SACK_KNOWN |
			((have & SW_TCPOPT_F_SACKOK) ? SW_LEARN_F_SACK : 0);
	if (offers & SW_FX_OFFER_TS)
		e->flags = (e->flags & ~SW_LEARN_F_TS) | SW_LEARN_F_TS_KNOWN |
			((have & SW_TCPOPT_F_TS) ? SW_LEARN_F_TS : 0);
	if (offers & SW_FX_OFFER_WS)
		sw_learn_ws_update(e, (have & SW_TCPOPT_F_WSCALE) ?
			SW_MIN(sa->opt.wscale, 14) : SW_LEARN_WS_NONE,
			(*w->keys)->slot);
}

/*
 * What the backend SYN offers beyond what the client was promised, to
 * learn the server's answer (docs/handoff.md, "Learning"): SACK and a
 * window scale that the service allows but the server is not known to
 * do, either never seen (unless the service trusts its settings) or
 * refused last time; once per cookie slot per server. A server that
 * accepts a probed SACK costs this flow a restarted backend handshake
 * (SW_PX_RESTART); a window scale never does (windows are rescaled).
 * Never timestamps: a client not promised them sent none, and an
 * invented TSval is older than a server's TIME_WAIT for the tuple may
 * remember (RFC 7323 §5: PAWS), which then ignores the SYN for good.
 * First-contact probes (probe.c) carry the client's own.
 */
static uint8_t
probe_offers(struct sw_engine *w, const struct sw_flow *f,
		const struct sw_fref *r)
{
	const struct sw_svc_syn *svc = &w->svc->svc[f->svc].syn;
	const uint8_t have = sw_px_client_offers(f);
	struct sw_learn_entry *e;
	uint8_t want = 0;
	uint8_t lws;

	if (svc->sack && !(have & SW_FX_OFFER_SACK))
		want |= SW_FX_OFFER_SACK;
	if (svc->wscale != SW_SVC_WSCALE_OFF && !(have & SW_FX_OFFER_WS))
		want |= SW_FX_OFFER_WS;
	if (want == 0)
		return 0;
	/* A real client (its cookie checked out): it may claim an entry. */
	e = flow_learned(w, r, true, NULL);
	if (e == NULL)
		return 0;	/* cannot be learned: the client's options */
	/* Known to do it (this client just did not ask): nothing to learn. */
	if (e->flags & SW_LEARN_F_SACK)
		want &= (uint8_t)~SW_FX_OFFER_SACK;
	lws = sw_learn_ws(e, (*w->keys)->slot);
	if (lws != SW_LEARN_WS_UNKNOWN && lws != SW_LEARN_WS_NONE)
		want &= (uint8_t)~SW_FX_OFFER_WS;
	/* Trusted settings: only what the server refused is asked again. */
	if (svc->trust) {
		if (!(e->flags & SW_LEARN_F_SACK_KNOWN))
			want &= (uint8_t)~SW_FX_OFFER_SACK;
		if (lws == SW_LEARN_WS_UNKNOWN)
			want &= (uint8_t)~SW_FX_OFFER_WS;
	}
	if (want == 0 || !sw_learn_probe(e, (*w->keys)->slot))
		return 0;
	w->c.flow.backend_probe++;
	return want;
}

void
sw_flow_create(struct sw_engine *w, struct sw_frame *m, const struct sw_pkt *p,
		struct sw_fref *r, const struct sw_cookie_opts *co,
		uint64_t slot, uint64_t now)
{
	struct sw_ft *ft = sw_flow_table(w, r->v6);
	const uint16_t backend = w->eg->pick(w, r);
	struct sw_flow *f;
	int64_t id = -ENOSPC;

	if (likely(backend != SW_LB_NONE))
		id = sw_ft_insert(ft, &r->key, flow_hash(w, r));
	else
		w->c.lb.no_backend++;
	if (unlikely(id < 0)) {
		/* Full (or no displacement path), or no backend up: refuse
		 * this client only. */
		if (backend != SW_LB_NONE)
			w->c.flow.table_full++;
		reply_rst(w, SW_OUTSIDE, m, p, w->ttl, &w->c.flow.rst_tx);
		return;
	}
	f = flow_of(w, r->v6, (uint32_t)id);
	/* nat = snat: a local port of this worker's slice, which the
	 * backend's replies come back to; none free, this client is
	 * refused like one for a full table (the slice, lib/snat). */
	if (w->svc->svc[r->svc].nat == SW_SVC_NAT_SNAT) {
		const uint16_t lport = sw_snat_get(&w->snat,
			snat_holder(r->v6, (uint32_t)id));

		if (unlikely(lport == 0)) {
			sw_ft_remove(ft, (uint32_t)id);
			w->c.lb.snat_no_port++;
			reply_rst(w, SW_OUTSIDE, m, p, w->ttl,
				&w->c.flow.rst_tx);
			return;
		}
		*flow_lport(f) = lport;
		w->c.lb.snat_active++;
	}
	/* Its cookie is used: valid in its slot and the next. */
	sw_replay_add(&w->replay, sw_replay_hash(flow_hash(w, r), p->seq,
		p->ack), slot + 1);
	sw_px_init(f, p, co, ws_advertised(w, r, co, slot), w->window,
		(uint8_t)r->svc);
	sw_px_set_pp(f, (enum sw_pp_version)
		w->svc->svc[r->svc].syn.proxy_protocol);
	f->xflags |= probe_offers(w, f, r);
	f->held = m;
	f->n_held = 1;
	*hold_next(w, m) = NULL;
	*flow_backend(f) = backend;
	w->bc[backend].created++;
	w->bc[backend].active++;
	w->c.flow.created++;
	w->c.flow.held++;
	w->c.flow.holding++;
	update_active(w);
	if (send_backend_syn(w, f, pp_len(f, &r->key, r->v6)))
		w->c.flow.backend_syn_tx++;
	/* lb cluster: ours; the peers send its segments here. */
	if (w->n_peers != 0)
		sw_cluster_tell(w, SW_CLUSTER_CLAIM, r->v6, &r->key,
			SW_CLUSTER_ALL);
	/* Sent or not (no mbuf), the timer retries it. */
	sw_tw_arm(&w->tw, timer_id(w, r->v6, (uint32_t)id),
		ticks(w, now) + w->syn_timeout);
}

/* Append to the held chain (bounded by hold_max, checked by sw_px). */
static void
hold(struct sw_engine *w, struct sw_flow *f, struct sw_frame *m)
{
	struct sw_frame **pp = (struct sw_frame **)&f->held;

	while (*pp != NULL)
		pp = hold_next(w, *pp);
	*pp = m;
	*hold_next(w, m) = NULL;
	w->c.flow.held++;
	w->c.flow.holding++;
}

/*
 * A segment from `side` goes on to the other side, counted as relayed;
 * in lb mode NATed and sent to the next hop (lbpath.c).
 */
static inline void
send_on(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p, const struct sw_flow *f)
{
	const uint32_t len = m->len;

	if (side == SW_OUTSIDE) {
		if (!w->eg->to_server(w, m, frame, p, f))
			return;		/* dropped and counted */
		w->c.flow.to_server_pkts++;
		w->c.flow.to_server_bytes += len;
	} else {
		if (!w->eg->to_client(w, m, frame, p, f))
			return;
		w->c.flow.to_client_pkts++;
		w->c.flow.to_client_bytes += len;
	}
}

static inline void
relay(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p, const struct sw_flow *f)
{
	const struct sw_xlate x = sw_px_xlate(f);

	if (side == SW_OUTSIDE)
		sw_relay_to_server(frame, p, &x);
	else
		sw_relay_to_client(frame, p, &x);
	send_on(w, side, m, frame, p, f);
}

/*
 * The server accepted a probe's SACK or timestamps that the client was
 * not promised: reset its half-open connection (a bare RST at the
 * client's ISN + 1, which its SYN-RECEIVED accepts, RFC 9293 §3.10.7.4)
 * and send the backend SYN again with the client's options only. The
 * held segments stay held; the SYN timer goes on.
 */
/* A bare RST of `frame` (parsed as p) at its seq - pp: the server's
 * RCV.NXT in SYN-RECEIVED, the PROXY header's first byte if any. */
static uint16_t
bare_rst(uint8_t *frame, const struct sw_pkt *p, struct sw_pkt *q,
		uint32_t pp)
{
	uint16_t len = (uint16_t)sw_build_bare_rst(frame, p, q);

	if (pp != 0) {
		q->seq -= pp;
		sw_pkt_tcp_set32(frame, q, q->l4_off + 4, q->seq);
	}
	return len;
}

static void
restart(struct sw_engine *w, struct sw_flow *f, uint32_t pp)
{
	struct sw_frame *m = frame_copy(w, f->held);
	struct sw_pkt p, q;

	sw_px_restart(f);
	w->c.flow.backend_restart++;
	if (likely(m != NULL) && sw_parse(&p, m->data, m->len) ==
			SW_PARSE_OK) {
		m->len = bare_rst(m->data, &p, &q, pp);
		m->tx = SW_TX_PLAIN;
		send_on(w, SW_OUTSIDE, m, m->data, &q, f);
	} else if (m != NULL) {
		frame_free(w, m);
	} else {
		w->c.drop[SW_DROP_NO_MBUF]++;
	}
	/* Sent or not (no mbuf), the SYN timer retries it. Counted as the
	 * restart, not as a first backend SYN. */
	(void)send_backend_syn(w, f, pp);
}

/*
 * The PROXY protocol header to the server, in the client's name, in
 * place of the server's segment `m` (parsed as p): an ACK of what the
 * server sent, as the client's would be (sw_px_challenge), at the
 * header's first byte, carrying the header. After the server's SYN-ACK
 * it is the ACK that completes the server's handshake; sent again, it
 * answers a server that shows it lacks it. Its last byte is just below
 * the client's first (ISN + 1), so nothing else is translated for it.
 */
static void
pp_send(struct sw_engine *w, const struct sw_flow *f, struct sw_frame *m,
		const struct sw_pkt *p, const struct sw_fref *r, bool again,
		const struct sw_frame *first)
{
	uint8_t hdr[SW_PP_MAX];
	const int hl = pp_header(f, &r->key, r->v6, hdr);
	struct sw_ack_params ap;
	struct sw_px_seg s;
	int len;

	sw_px_challenge(f, false, &s);
	ap.seq = f->srv_ack - (uint32_t)hl;
	ap.ack = s.ack;
	ap.window = s.window;
	ap.ts = s.ts;
	ap.tsval = s.tsval;
	ap.tsecr = s.tsecr;
	if (first != NULL && s.ts) {
		/* Sent before the held segments: with the oldest TSval of
		 * theirs, the first's, or the server's PAWS (RFC 7323 §5)
		 * would drop the held data behind a newer one. */
		struct sw_pkt h;

		if (sw_parse(&h, first->data, first->len) == SW_PARSE_OK &&
				h.opt.ts_off != 0)
			ap.tsval = h.opt.tsval;
	}
	ap.ttl = w->ttl;
	ap.csum_offload = reply_offload(w, SW_INSIDE, p);
	len = sw_build_ack_data(m->data, m->cap, p, &ap, hdr, (uint16_t)hl);
	if (unlikely(hl == 0 || len < 0)) {
		drop(w, m, SW_DROP_BUILD);
		return;
	}
	if (again)
		w->c.flow.pp_header_retx++;
	else
		w->c.flow.pp_header_tx++;
	send_reply(w, SW_INSIDE, m, p, len, ap.csum_offload);
}


/*
 * A client segment larger than its server's MSS: the client was promised
 * more than the server takes (a first contact, or a server whose MTU
 * shrank), and a link on the server's side would drop it, for ever.
 * synwall is then the hop with the smaller MTU, and says so as a router
 * does (RFC 1191, RFC 8201): the segment is dropped and the client gets
 * an ICMP "too big" announcing MSS + 40 (IPv6: + 60), rate-limited with
 * the challenge ACKs; the client resends smaller. IPv4 without DF would
 * be fragmented by a router; synwall fragments nothing: dropped.
 */
static bool
too_big(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_fref *r, uint64_t now)
{
	const struct sw_learn_entry *e = flow_learned(w, r, false, NULL);
	const bool v4 = p->l3 == SW_L3_IPV4;
	uint16_t mss = e != NULL && e->mss != 0 ? e->mss : default_mss(p);
	int len;

	if ((uint32_t)p->payload_len + p->tcp_hdr_len - 20 <= mss)
		return false;
	if ((v4 && !(((const struct sw_ipv4_hdr *)(const void *)(frame +
			p->l3_off))->fragment_offset & htons(SW_IPV4_DF))) ||
			!gcra_allow(&w->challenge, &w->challenge_tat, now)) {
		drop(w, m, SW_DROP_TOO_BIG);
		return true;
	}
	len = sw_build_ptb(frame, m->cap, p, mss + (v4 ? 40u : 60u), w->ttl);
	if (unlikely(len < 0)) {
		drop(w, m, SW_DROP_BUILD);
		return true;
	}
	w->c.drop[SW_DROP_TOO_BIG]++;
	w->c.flow.ptb_tx++;
	send_reply(w, SW_OUTSIDE, m, p, len, false);
	return true;
}

/*
 * The server answered (its SYN-ACK `sa`, parsed as synack): the PROXY
 * header first, in place of the SYN-ACK, if the flow has one, then the
 * held segments, translated.
 */
static void
establish(struct sw_engine *w, struct sw_flow *f, struct sw_frame *sa,
		const struct sw_pkt *synack, const struct sw_fref *r)
{
	struct sw_frame *m = f->held;

	f->held = NULL;
	/* The client was promised what this server now refuses: this flow
	 * lives with it; the next clients are promised what it does. */
	if (((f->flags & SW_FF_SACK) &&
			!(synack->opt.present & SW_TCPOPT_F_SACKOK)) ||
			((f->flags & SW_FF_TS_CLIENT) &&
			!(synack->opt.present & SW_TCPOPT_F_TS)))
		w->c.flow.options_refused++;
	sw_px_establish(f, synack);
	sw_flow_learn(w, r, synack, f->xflags);
	/* A server behind a smaller MTU than the service's MSS assumes:
	 * its client may have been promised more (first contact). Checked
	 * against what was learned (too_big()): not when nothing was. */
	if (server_mss(synack) < (r->v6 ? w->svc->svc[f->svc].syn.mss6 :
			w->svc->svc[f->svc].syn.mss4) &&
			flow_learned(w, r, false, NULL) != NULL)
		f->xflags |= SW_FX_MSS_LOW;
	w->c.flow.established++;
	w->bc[*flow_backend(f)].established++;
	/* The client had our SYN-ACK: the server's is consumed, or
	 * becomes the ACK that carries the PROXY header. */
	if (f->flags & SW_FF_PP)
		pp_send(w, f, sa, synack, r, false, m);
	else
		consume(w, sa);
	while (m != NULL) {
		struct sw_frame *next = *hold_next(w, m);
		uint8_t *frame = m->data;
		struct sw_pkt p;

		*hold_next(w, m) = NULL;
		w->c.flow.holding--;
		if (sw_parse(&p, frame, m->len) ==
				SW_PARSE_OK) {
			relay(w, SW_OUTSIDE, m, frame, &p, f);
		} else {
			/* Parsed fine when it was held: cannot happen. */
			w->c.flow.consumed++;
			frame_free(w, m);
		}
		m = next;
	}
}

/*
 * The server answered our SYN with an ACK that is not for it: the
 * tuple's previous connection, still in TIME_WAIT there with no
 * listener to take a new SYN (or a SYN too old for it). A RST at its
 * ack ends it (RFC 9293 §3.10.7.3), as a client's stack would, and the
 * SYN sent again on the timer gets a real answer. One RST per segment
 * the server sends, on the inside link: nothing to amplify.
 */
static void
old_ack(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p)
{
	const enum sw_drop why = bad_cksum(m, frame, p);

	if (why != SW_DROP_MAX) {
		drop(w, m, why);
		return;
	}
	reply_rst(w, SW_INSIDE, m, p, w->ttl, &w->c.flow.old_ack_rst);
}

/* RFC 5961 challenge ACK, rate-limited, in place of `m`, to its sender. */
static void
challenge(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p, const struct sw_flow *f,
		uint64_t now)
{
	struct sw_px_seg s;
	struct sw_ack_params ap;
	int len;

	if (!gcra_allow(&w->challenge, &w->challenge_tat, now)) {
		drop(w, m, SW_DROP_CHALLENGE_LIMITED);
		return;
	}
	sw_px_challenge(f, side == SW_OUTSIDE, &s);
	ap.seq = s.seq;
	ap.ack = s.ack;
	ap.window = s.window;
	ap.ts = s.ts;
	ap.tsval = s.tsval;
	ap.tsecr = s.tsecr;
	ap.ttl = w->ttl;
	ap.csum_offload = reply_offload(w, side, p);
	len = sw_build_ack(frame, m->cap, p, &ap);
	if (unlikely(len < 0)) {
		drop(w, m, SW_DROP_BUILD);
		return;
	}
	w->c.flow.challenge_ack_tx++;
	send_reply(w, side, m, p, len, ap.csum_offload);
}

/*
 * lb cluster: a segment of a flow a peer owns goes to it, whatever it
 * carries (a valid cookie too: the flow is made already). Not when it
 * came from a peer (never twice), nor a backend's (it answers to the
 * owner). A SYN starts the tuple afresh: the entry goes, and the SYN
 * is answered here (false); the flow its ACK makes is claimed again.
 * An owner gone (silent, or started again since its claim) took the
 * flow with it: the entry goes and the client is answered with a RST.
 */
static bool
foreign_input(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		const struct sw_pkt *p, const struct sw_fref *r, uint32_t id,
		struct sw_flow *f, uint64_t now)
{
	if (unlikely(r->peer)) {
		drop(w, m, SW_DROP_PEER_LOOP);
		return true;
	}
	if (side == SW_INSIDE) {
		drop(w, m, SW_DROP_FOREIGN_INSIDE);
		return true;
	}
	if ((p->tcp_flags & (SW_TCP_SYN | SW_TCP_ACK | SW_TCP_RST)) ==
			SW_TCP_SYN) {
		flow_free(w, r->v6, id, f);
		return false;
	}
	if (unlikely(sw_cluster_gone(w, *flow_backend(f), f->seq_delta))) {
		flow_free(w, r->v6, id, f);
		if (p->tcp_flags & SW_TCP_RST) {
			drop(w, m, SW_DROP_PEER_GONE);
		} else if (reply_rst(w, SW_OUTSIDE, m, p, w->ttl,
				&w->c.flow.rst_tx)) {
			w->c.cluster.gone_rst++;
		}
		return true;
	}
	sw_cluster_forward(w, m, *flow_backend(f));
	sw_tw_arm(&w->tw, timer_id(w, r->v6, id),
		ticks(w, now) + w->fs_timeout[SW_FS_FOREIGN]);
	return true;
}

bool
sw_flow_input(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p, const struct sw_fref *r,
		uint32_t id, uint64_t now)
{
	struct sw_flow *f = flow_of(w, r->v6, id);
	const uint32_t tid = timer_id(w, r->v6, id);
	const uint8_t before = f->state;
	enum sw_px_verdict v;
	enum sw_drop why;

	if (unlikely(before == SW_FS_FOREIGN))
		return foreign_input(w, side, m, p, r, id, f, now);

	/* Segments that change a flow's state are summed first: a corrupt
	 * RST must not close what the endpoint would keep. Data is left
	 * to the endpoints (incremental updates keep a bad sum bad). */
	if (p->tcp_flags & (SW_TCP_SYN | SW_TCP_RST | SW_TCP_FIN)) {
		why = bad_cksum(m, frame, p);
		if (unlikely(why != SW_DROP_MAX)) {
			drop(w, m, why);
			return true;
		}
	}
	if (unlikely(p->flags & SW_PKT_F_FRAG)) {
		drop(w, m, SW_DROP_FRAGMENT);
		return true;
	}
	/* lb: only the flow's own backend speaks for its server side,
	 * and to the address its flow gave it: a flow with a local port
	 * (nat = snat) hears only what comes to that port. */
	if (unlikely(side == SW_INSIDE && (*flow_backend(f) != r->slot ||
			(*flow_lport(f) != 0) != r->snat))) {
		drop(w, m, SW_DROP_BACKEND_MISMATCH);
		return true;
	}
	if (unlikely((f->xflags & SW_FX_MSS_LOW) && side == SW_OUTSIDE &&
			p->payload_len > 0 && too_big(w, m, frame, p, r, now)))
		return true;
	v = side == SW_OUTSIDE ? sw_px_from_client(f, p, w->hold_max) :
		sw_px_from_server_pp(f, p, pp_len(f, &r->key, r->v6));
	switch (v) {
	case SW_PX_FORWARD:
		/* Adopted: as it is (no offsets, nothing to translate). */
		if (before == SW_FS_PASS)
			send_on(w, side, m, frame, p, f);
		else
			relay(w, side, m, frame, p, f);
		break;
	case SW_PX_HOLD:
		hold(w, f, m);
		return true;		/* the SYN timer stays as it is */
	case SW_PX_ESTABLISH:
		establish(w, f, m, p, r);
		break;
	case SW_PX_RESTART:
		sw_flow_learn(w, r, p, f->xflags);
		restart(w, f, pp_len(f, &r->key, r->v6));
		consume(w, m);
		return true;		/* the SYN timer stays as it is */
	case SW_PX_HEADER:
		/* Limited as challenge ACKs are: what a server sends is
		 * answered at most at that rate. */
		if (!gcra_allow(&w->challenge, &w->challenge_tat, now)) {
			drop(w, m, SW_DROP_CHALLENGE_LIMITED);
			return true;
		}
		pp_send(w, f, m, p, r, true, NULL);
		return true;
	case SW_PX_FORWARD_HEADER: {
		struct sw_frame *c = NULL;

		if (gcra_allow(&w->challenge, &w->challenge_tat, now)) {
			c = frame_copy(w, m);
			if (likely(c != NULL))
				pp_send(w, f, c, p, r, true, NULL);
			else
				w->c.drop[SW_DROP_NO_MBUF]++;
		} else {
			w->c.drop[SW_DROP_CHALLENGE_LIMITED]++;
		}
		/* The client never sent the header: an ACK below its
		 * ISN + 1 would acknowledge what it never sent. */
		sw_pkt_tcp_set32(frame, p, p->l4_off + 8, f->srv_ack);
		relay(w, side, m, frame, p, f);
		break;
	}
	case SW_PX_CHALLENGE:
		challenge(w, side, m, frame, p, f, now);
		return true;
	case SW_PX_RESET:
		w->c.flow.reset++;
		if (before == SW_FS_SYN_SENT) {
			/* No offsets yet: the server has at most our SYN.
			 * The client's seq (its ISN + 1) is in the server's
			 * space, but its ack and TSecr are the cookie's,
			 * which a server in SYN-RECEIVED finds unacceptable
			 * and ignores the RST for (RFC 9293 §3.10.7.3, RFC
			 * 7323 §5.3): sent on bare, seq only. */
			struct sw_pkt q;

			free_held(w, f, NULL);
			m->len = bare_rst(frame, p, &q,
				pp_len(f, &r->key, r->v6));
			m->tx = SW_TX_PLAIN;
			send_on(w, side, m, frame, &q, f);
		} else {
			relay(w, side, m, frame, p, f);
		}
		break;
	case SW_PX_BACKEND_RST:
		w->c.flow.backend_rst++;
		w->bc[*flow_backend(f)].rst++;
		rst_client(w, f);
		consume(w, m);
		flow_free(w, r->v6, id, f);
		return true;
	case SW_PX_NEW:
		flow_free(w, r->v6, id, f);
		return false;
	case SW_PX_OLD_ACK:
		old_ack(w, m, frame, p);
		return true;		/* the SYN timer sends our SYN again */
	case SW_PX_DROP_HOLD_FULL:
		w->c.flow.held_dropped++;
		drop(w, m, SW_DROP_HOLD_FULL);
		return true;
	case SW_PX_DROP_DUP:
		drop(w, m, SW_DROP_DUP_ACK);
		return true;
	case SW_PX_DROP_RST:
		drop(w, m, SW_DROP_RST_WINDOW);
		return true;
	case SW_PX_DROP_ACK_UNSENT:
		drop(w, m, SW_DROP_ACK_UNSENT);
		return true;
	case SW_PX_DROP_STATE:
	case SW_PX_VERDICT_MAX:
		drop(w, m, SW_DROP_FLOW_STATE);
		return true;
	}
	if (f->state != before && f->state == SW_FS_TIME_WAIT)
		w->c.flow.closed++;
	/* Idle timeout for the state the flow is in now (lazy: pushing a
	 * timer later only stores the new expiry). */
	sw_tw_arm(&w->tw, tid, ticks(w, now) + w->fs_timeout[f->state]);
	return true;
}

void
sw_flow_adopt(struct sw_engine *w, struct sw_frame *m, const struct sw_pkt *p,
		struct sw_fref *r, uint64_t now)
{
	/* Only the server's segments adopt: a blind attacker outside can
	 * make the server send a RST, nothing else, and a RST adopts
	 * nothing. A full table leaves the connection to its grace. */
	if (!(p->tcp_flags & SW_TCP_RST)) {
		int64_t id = sw_ft_insert(sw_flow_table(w, r->v6), &r->key,
			flow_hash(w, r));

		if (id >= 0) {
			struct sw_flow *f = flow_of(w, r->v6, (uint32_t)id);

			sw_px_adopt(f, p, true, (uint8_t)r->svc);
			*flow_backend(f) = 0;	/* inline: bc_none */
			w->c.flow.adopted++;
			update_active(w);
			sw_tw_arm(&w->tw, timer_id(w, r->v6, (uint32_t)id),
				ticks(w, now) + w->fs_timeout[SW_FS_PASS]);
		}
	}
	w->c.flow.grace_passed++;
	tx_enqueue(w, SW_OUTSIDE, m);
}

int64_t
sw_flow_snat_find(struct sw_engine *w, struct sw_frame *m,
		const uint8_t *frame, const struct sw_pkt *p,
		struct sw_fref *r)
{
	const uint32_t v = sw_snat_lookup(&w->snat, r->lport);
	const bool v6 = (v & SW_SNAT_V6) != 0;
	const uint32_t id = v & ~SW_SNAT_V6;
	const struct sw_lb_slot *s;
	const struct sw_flow *f;
	uint16_t slot, sport_be;

	/* No flow holds the port (any more), or one of the other family. */
	if (v == SW_SNAT_FREE || v6 != r->v6) {
		drop(w, m, SW_DROP_SNAT_NOFLOW);
		return -1;
	}
	f = flow_of(w, v6, id);
	slot = *flow_backend(f);
	s = &w->slots[slot];
	memcpy(&sport_be, frame + p->l4_off, 2);
	/* Only the flow's backend, from its port (the VIP port when it
	 * keeps it), speaks for the flow. */
	if (v6) {
		const struct sw_fkey6 *k = flow_key6(f);

		if (memcmp(ip_addr(frame, p, false), s->addr, 16) != 0 ||
				sport_be != (s->port_be != 0 ? s->port_be :
					k->sport)) {
			drop(w, m, SW_DROP_BACKEND_MISMATCH);
			return -1;
		}
		r->key.v6 = *k;
	} else {
		const struct sw_fkey4 *k = flow_key4(f);

		if (memcmp(ip_addr(frame, p, false), s->addr, 4) != 0 ||
				sport_be != (s->port_be != 0 ? s->port_be :
					k->sport)) {
			drop(w, m, SW_DROP_BACKEND_MISMATCH);
			return -1;
		}
		r->key.v4 = *k;
	}
	r->hashed = false;
	r->slot = slot;
	r->svc = f->svc;
	r->drain = false;
	return id;
}

void
sw_flow_icmp(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, const struct sw_fref *r,
		uint32_t id)
{
	const struct sw_flow *f = flow_of(w, r->v6, id);
	uint8_t *ck = frame + p->l4_off + 2;
	uint8_t *seq = frame + q->tcp_off + 4;
	uint32_t old, v;

	/* Before the SYN-ACK the client knows nothing of our SYN; after a
	 * close nothing of the flow matters any more. */
	if (f->state == SW_FS_SYN_SENT || f->state == SW_FS_RESET ||
			f->state == SW_FS_FOREIGN) {
		drop(w, m, SW_DROP_FLOW_STATE);
		return;
	}
	if (side == SW_OUTSIDE) {
		/* It quotes a server → client segment as the client saw it:
		 * the server matches the quoted seq against its own space
		 * (RFC 5927 §4.1), so shift it back. The ICMP sum covers
		 * the quote (and for ICMPv6 a pseudo-header that does not
		 * change): RFC 1624 over the one word, at an even offset
		 * from the ICMP header (8 + IP header + 4). */
		old = sw_cksum_rd32(seq);
		v = old - f->seq_delta;
		sw_cksum_wr16(ck, sw_cksum_update32(sw_cksum_rd16(ck), old, v));
		sw_cksum_wr32(seq, v);
		w->eg->icmp_to_server(w, m, frame, p, q, f);
	} else {
		/* Client → server segments keep the client's numbers. */
		tx_enqueue(w, SW_OUTSIDE, m);
	}
	w->c.flow.icmp_relayed++;
}

/* A timer fired: what it means depends on the state. */
static void
expire(struct sw_engine *w, uint32_t tid, uint64_t now)
{
	const bool v6 = tid >= w->ft4.capacity;
	const uint32_t id = v6 ? tid - w->ft4.capacity : tid;
	struct sw_flow *f = flow_of(w, v6, id);

	switch ((enum sw_fstate)f->state) {
	case SW_FS_SYN_SENT:
		if (f->retries < w->syn_retries) {
			f->retries++;
			if (send_backend_syn(w, f,
					pp_len(f, key_of(w, v6, id), v6)))
				w->c.flow.backend_syn_retx++;
			sw_tw_arm(&w->tw, tid, ticks(w, now) +
				sw_px_syn_backoff(w->syn_timeout, f->retries));
			return;
		}
		w->c.flow.backend_timeout++;
		w->bc[*flow_backend(f)].syn_timeout++;
		rst_client(w, f);
		break;
	case SW_FS_ESTABLISHED:
	case SW_FS_FIN_WAIT:
	case SW_FS_CLOSING:
	case SW_FS_PASS:
		w->c.flow.idle_timeout++;
		break;
	case SW_FS_TIME_WAIT:
	case SW_FS_RESET:
		break;
	case SW_FS_FOREIGN:
		w->c.cluster.foreign_expired++;
		break;
	case SW_FS_FREE:
	case SW_FS_MAX:
		return;			/* not a live flow: nothing to free */
	}
	flow_free(w, v6, id, f);
}

/*
 * A peer's claim. A live flow of ours keeps the key (both nodes made
 * one: counted, docs/cluster.md "The race"); one that is closing gives
 * way. Foreign entries never take the last quarter of a table: the
 * node's own flows keep it.
 */
void
sw_flow_claimed(struct sw_engine *w, struct sw_fref *r, uint8_t peer,
		uint64_t now)
{
	struct sw_ft *ft = sw_flow_table(w, r->v6);
	int64_t id = sw_ft_count(ft) != 0 ?
		sw_ft_lookup(ft, &r->key, flow_hash(w, r)) : -ENOENT;
	struct sw_flow *f;

	if (id >= 0) {
		f = flow_of(w, r->v6, (uint32_t)id);
		if (f->state == SW_FS_TIME_WAIT || f->state == SW_FS_RESET) {
			flow_free(w, r->v6, (uint32_t)id, f);
			id = -ENOENT;
		} else if (f->state != SW_FS_FOREIGN) {
			w->c.cluster.claim_conflict++;
			return;
		}
	}
	if (id < 0) {
		if (sw_ft_count(ft) >= ft->capacity - ft->capacity / 4 ||
				(id = sw_ft_insert(ft, &r->key,
					flow_hash(w, r))) < 0) {
			w->c.cluster.foreign_full++;
			return;
		}
		f = flow_of(w, r->v6, (uint32_t)id);
		memset(f, 0, sizeof(*f));
		f->state = SW_FS_FOREIGN;
		w->c.cluster.foreign++;
		update_active(w);
	}
	*flow_backend(f) = peer;
	f->seq_delta = sw_cluster_epoch(w, peer);	/* unused otherwise */
	sw_tw_arm(&w->tw, timer_id(w, r->v6, (uint32_t)id),
		ticks(w, now) + w->fs_timeout[SW_FS_FOREIGN]);
}

/* A peer's release: only the entry its claim made goes. */
void
sw_flow_released(struct sw_engine *w, struct sw_fref *r, uint8_t peer)
{
	struct sw_ft *ft = sw_flow_table(w, r->v6);
	int64_t id = sw_ft_count(ft) != 0 ?
		sw_ft_lookup(ft, &r->key, flow_hash(w, r)) : -ENOENT;
	struct sw_flow *f;

	if (id < 0)
		return;
	f = flow_of(w, r->v6, (uint32_t)id);
	if (f->state == SW_FS_FOREIGN && *flow_backend(f) == peer)
		flow_free(w, r->v6, (uint32_t)id, f);
}

bool
sw_flow_owns(struct sw_engine *w, struct sw_fref *r)
{
	struct sw_ft *ft = sw_flow_table(w, r->v6);
	int64_t id = sw_ft_count(ft) != 0 ?
		sw_ft_lookup(ft, &r->key, flow_hash(w, r)) : -ENOENT;

	return id >= 0 &&
		flow_of(w, r->v6, (uint32_t)id)->state != SW_FS_FOREIGN;
}

unsigned int
sw_flow_timers(struct sw_engine *w, uint64_t now)
{
	uint32_t ids[TIMERS_BURST];
	unsigned int n = sw_tw_advance(&w->tw, ticks(w, now), ids,
		TIMERS_BURST);

	/* An expiry touches a flow and its buckets last seen seconds ago:
	 * load them for the whole batch first, as the receive path does
	 * for a burst (entries, then the buckets their keys hash to). */
	for (unsigned int i = 0; i < n; i++) {
		const bool v6 = ids[i] >= w->ft4.capacity;

		sw_ft_prefetch_line(sw_ft_entry(sw_flow_table(w, v6),
			v6 ? ids[i] - w->ft4.capacity : ids[i]));
	}
	for (unsigned int i = 0; i < n; i++) {
		const bool v6 = ids[i] >= w->ft4.capacity;
		const struct sw_ft *ft = sw_flow_table(w, v6);

		sw_ft_prefetch(ft, sw_ft_hash(ft, sw_ft_entry(ft,
			v6 ? ids[i] - w->ft4.capacity : ids[i])));
	}
	for (unsigned int i = 0; i < n; i++)
		expire(w, ids[i], now);
	return n;
}

void
sw_flow_sync_start(struct sw_engine *w, uint8_t peer)
{
	/* From the start again: a peer that asks twice started twice. */
	w->sync_at[peer] = 0;
	w->sync_end[peer] = w->ft4.capacity + w->ft6.capacity;
}

/*
 * SYNC_BURST entries per peer per call (both tables as one range of
 * timer ids): a claim for every flow of ours that is live, none for
 * those closing (their segments are stragglers) or a peer's.
 */
void
sw_flow_sync(struct sw_engine *w)
{
	for (unsigned int i = 0; i < w->n_peers; i++) {
		uint32_t at = w->sync_at[i];
		const uint32_t end = SW_MIN(w->sync_end[i], at + SYNC_BURST);

		for (; at < end; at++) {
			const bool v6 = at >= w->ft4.capacity;
			const uint32_t id = v6 ? at - w->ft4.capacity : at;
			const struct sw_flow *f = flow_of(w, v6, id);

			switch ((enum sw_fstate)f->state) {
			case SW_FS_SYN_SENT:
			case SW_FS_ESTABLISHED:
			case SW_FS_FIN_WAIT:
			case SW_FS_CLOSING:
			case SW_FS_PASS:
				sw_cluster_tell(w, SW_CLUSTER_CLAIM, v6,
					sw_ft_entry(sw_flow_table(w, v6), id),
					i);
				break;
			case SW_FS_FREE:
			case SW_FS_TIME_WAIT:
			case SW_FS_RESET:
			case SW_FS_FOREIGN:
			case SW_FS_MAX:
				break;
			}
		}
		w->sync_at[i] = at;
	}
}
