/* SPDX-License-Identifier: BSD-3-Clause */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>


#include "sw_build.h"
#include "sw_hdr.h"
#include "sw_cksum.h"
#include "sw_parse.h"
#include "sw_service.h"
#include "sw_engine.h"
#include "sw_engine_inl.h"

static const char *const drop_names[SW_DROP_MAX] = {
#define SW_DROP_NAME(id, name) [SW_DROP_##id] = #name,
	SW_DROPS(SW_DROP_NAME)
#undef SW_DROP_NAME
};

const char *
sw_drop_name(enum sw_drop d)
{
	return (unsigned int)d < SW_DROP_MAX ? drop_names[d] : "unknown";
}

/*
 * Is this packet to (outside → inside) or from (inside → outside) a
 * protected service? Returns the service index or -1.
 */
static inline int
service_in(const struct sw_svc_table *t, enum sw_side side,
		const struct sw_pkt *p, const uint8_t *frame)
{
	uint16_t port;

	if (!(p->flags & SW_PKT_F_TCP))
		return -1;
	port = side == SW_OUTSIDE ? p->dst_port : p->src_port;
	if (p->l3 == SW_L3_IPV4) {
		uint32_t addr;

		memcpy(&addr, ip_addr(frame, p, side == SW_OUTSIDE), 4);
		return sw_svc_lookup4(t, addr, port);
	}
	return sw_svc_lookup6(t, ip_addr(frame, p, side == SW_OUTSIDE), port);
}

/*
 * Within a reload's grace period, on a port it made protected: a
 * connection from before may own this segment (docs/architecture.md).
 */
static inline bool
in_grace(const struct sw_engine *w, enum sw_side side, const struct sw_pkt *p,
		const uint8_t *frame, uint64_t now)
{
	if (likely(now >= w->gen->grace_until))
		return false;
	return service_in(&w->gen->prev, side, p, frame) < 0;
}

/* A segment of a connection from before the reload, as it is. */
static inline void
grace_pass(struct sw_engine *w, struct sw_frame *m, enum sw_side to)
{
	w->c.flow.grace_passed++;
	tx_enqueue(w, to, m);
}

/*
 * With unprotected = drop, what still has to cross for the segment to
 * work at all: non-IP frames (ARP) and IPv6 neighbour discovery.
 */
static inline bool
is_link_control(const struct sw_pkt *p, const uint8_t *frame)
{
	uint8_t type;

	if (p->l3 == SW_L3_OTHER)
		return true;
	if (p->l3 != SW_L3_IPV6 || p->l4_proto != IPPROTO_ICMPV6 ||
			(p->flags & SW_PKT_F_L4_NONE) || p->l4_off >= p->ip_end)
		return false;
	type = frame[p->l4_off];
	/* RFC 4861 §4: router/neighbour solicitation/advertisement, redirect */
	return type >= 133 && type <= 137;
}

/*
 * A segment's service, from the side it came by, and its flow key (r),
 * or -1 for no service's; r->drain: TCP that no service covers while a
 * reload's flows may remain (they relay on).
 */
static inline int
classify(struct sw_engine *w, enum sw_side side, const uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r)
{
	const int svc = service_in(w->svc, side, p, frame);

	r->drain = svc < 0 && unlikely(w->gen->drain) &&
		(p->flags & SW_PKT_F_TCP);
	if (svc < 0 && !r->drain)
		return -1;
	flow_key(side, frame, p, r);
	r->svc = r->drain ? 0 : svc;
	r->slot = 0;		/* inline flows have backend 0 */
	return svc;
}

void
sw_engine_flush_side(struct sw_engine *w, enum sw_side side)
{
	struct sw_txq *q = &w->txq[side];

	if (q->n == 0)
		return;
	w->io->tx(w->io_ctx, side, q->f, q->n);
	q->n = 0;
}

void
sw_engine_flush(struct sw_engine *w)
{
	sw_engine_synack_flush(w);
	sw_engine_flush_side(w, SW_OUTSIDE);
	sw_engine_flush_side(w, SW_INSIDE);
}

/* Frames dropped or consumed during a burst go back in one call. */
static inline void
free_dead(struct sw_engine *w)
{
	if (w->n_dead != 0) {
		w->io->free(w->io_ctx, w->dead, w->n_dead);
		w->n_dead = 0;
	}
}

void
sw_gcra_init(struct sw_gcra *g, uint64_t rate, uint64_t burst, uint64_t hz)
{
	g->interval = rate == 0 ? 0 : SW_MAX(hz / rate, UINT64_C(1));
	g->tau = burst > 0 ? (burst - 1) * g->interval : 0;
}

static inline void
cookie_tuple(const uint8_t *frame, const struct sw_pkt *p,
		struct sw_cookie_tuple *t)
{
	const size_t alen = p->l3 == SW_L3_IPV4 ? 4 : 16;

	t->family = p->l3 == SW_L3_IPV4 ? AF_INET : AF_INET6;
	memcpy(t->saddr, ip_addr(frame, p, false), alen);
	memcpy(t->daddr, ip_addr(frame, p, true), alen);
	memcpy(&t->sport, frame + p->l4_off, 2);
	memcpy(&t->dport, frame + p->l4_off + 2, 2);
}

/*
 * The client's address as one word: IPv4 (network order) with `mask4`
 * applied, or the IPv6 /64. Whole loads, then mask: a 3-byte copy into
 * a wider slot would stall store forwarding.
 */
static inline uint64_t
src_word(const uint8_t *frame, const struct sw_pkt *p, uint32_t mask4)
{
	const uint8_t *src = ip_addr(frame, p, false);
	uint64_t key;

	if (p->l3 == SW_L3_IPV4) {
		uint32_t a;

		memcpy(&a, src, 4);
		key = a & mask4;
	} else {
		memcpy(&key, src, 8);
	}
	return key;
}

/* Fibonacci hashing: the top `bits` of a golden-ratio product. */
static inline unsigned int
fib_hash(uint64_t key, unsigned int bits)
{
	return (unsigned int)((key * UINT64_C(0x9e3779b97f4a7c15)) >>
		(64 - bits));
}

/* Which reflection cell a client prefix (/24, or /64) falls in. */
static inline unsigned int
reflect_cell(const uint8_t *frame, const struct sw_pkt *p)
{
	return fib_hash(src_word(frame, p, htonl(0xffffff00)), 12) &
		(SW_REFLECT_CELLS - 1);
}

/*
 * Clients that completed a handshake with this worker (a valid cookie),
 * by address (IPv6: /64), direct-mapped: only their SYNs may become
 * probes, so no spoofed SYN of a flood ever reaches a server. The key
 * itself is the tag: a collision only forgets a client.
 */
static inline uint64_t
client_key(const uint8_t *frame, const struct sw_pkt *p)
{
	/* Never 0 (an empty cell): IPv4 gets bit 32, IPv6 loses the
	 * /64's last bit. */
	return src_word(frame, p, UINT32_MAX) |
		(p->l3 == SW_L3_IPV4 ? UINT64_C(1) << 32 : 1);
}

static inline uint64_t *
verified_cell(struct sw_engine *w, uint64_t key)
{
	return &w->verified[fib_hash(key, SW_VERIFIED_BITS)];
}

static inline bool
client_proven(struct sw_engine *w, const uint8_t *frame,
		const struct sw_pkt *p)
{
	const uint64_t key = client_key(frame, p);

	return *verified_cell(w, key) == key;
}

/*
 * A pure SYN: answer with a cookie, keep nothing; or, the first to a
 * server this worker knows nothing of (or whose options are due to be
 * checked again), from a client that completed a handshake before, hold
 * it while the server is asked (probe.c). `held`: it was, and is answered now, counted and limited
 * already.
 */
static void
syn_reply(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_fref *r,
		const struct sw_cookie_keys *keys, uint64_t now, bool held)
{
	const struct sw_svc_syn *svc = &w->svc->svc[r->svc].syn;
	const struct sw_tcp_opts *o = &p->opt;
	const struct sw_learn_entry *e;
	struct sw_synack_pend *pd;
	uint16_t mss_ours;
	bool unknown, full;
	uint8_t lws;
	struct sw_synack_params sp;
	struct sw_cookie_opts co;
	struct sw_cookie_tuple t;
	uint16_t mss = (o->present & SW_TCPOPT_F_MSS) ? o->mss : 0;
	uint8_t family = p->l3 == SW_L3_IPV4 ? AF_INET : AF_INET6;

	if (!held) {
		w->c.sc.syn_rx++;
		if (unlikely(mss != 0 &&
				sw_cookie_mss_index(family, mss) < 0)) {
			drop(w, m, SW_DROP_MSS_LOW);
			return;
		}
		if (!gcra_allow(&w->reflect_total, &w->reflect_total_tat,
				now) || (w->reflect.interval != 0 &&
				!gcra_allow(&w->reflect, &w->reflect_tat[
					reflect_cell(frame, p)], now))) {
			w->c.sc.reflect_limited++;
			drop(w, m, SW_DROP_REFLECT_LIMITED);
			return;
		}
	}

	/* Offer only what the client offered, the service allows and the
	 * server (as far as its SYN-ACKs told us) will do. Until a server
	 * has said, SACK and timestamps are not promised: a client promised
	 * what the server then refuses recovers from loss by timeouts only
	 * (docs/handoff.md, "Learning"); the backend SYN asks for them. A
	 * service that trusts its settings, or a server that cannot be
	 * learned (the table is full), gets the service's settings. */
	e = flow_learned(w, r, false, &full);
	/* First contact, a server that has not said all yet, or what it
	 * said is over learn_refresh_ms old: ask it before promising
	 * (inline; probe.c). */
	if (!held && !svc->trust && w->eg->first_contact && (e == NULL ? !full :
			sw_learn_incomplete(e) || sw_probe_stale(w, e, now)) &&
			client_proven(w, frame, p) &&
			sw_probe_hold(w, m, p, r, now))
		return;
	unknown = svc->trust || (e == NULL && full);
	lws = sw_learn_ws(e, keys->slot);
	co.mss = mss;
	co.sack_ok = svc->sack && (o->present & SW_TCPOPT_F_SACKOK) &&
		sw_learn_sack(e, unknown);
	co.ts = svc->ts && (o->present & SW_TCPOPT_F_TS) &&
		sw_learn_ts(e, unknown);
	/* RFC 7323 §2.3: a shift over 14 is used as 14. */
	co.wscale = (svc->wscale != SW_SVC_WSCALE_OFF &&
		lws != SW_LEARN_WS_NONE &&
		(o->present & SW_TCPOPT_F_WSCALE)) ?
		SW_MIN(o->wscale, 14) : SW_COOKIE_WSCALE_NONE;
	/* RFC 3168 §6.1.1: ECE+CWR on the SYN asks; only the TSval can
	 * remember the answer. */
	co.ecn = svc->ecn && co.ts &&
		(p->tcp_flags & (SW_TCP_ECE | SW_TCP_CWR)) ==
		(SW_TCP_ECE | SW_TCP_CWR);
	cookie_tuple(frame, p, &t);

	pd = &w->synack[w->n_synack];
	pd->clear = sw_cookie_make_prep(keys, &t, p->seq, &co,
		&w->synack_in[w->n_synack]);
	mss_ours = family == AF_INET ? svc->mss4 : svc->mss6;
	sp.mss = e != NULL && e->mss != 0 ? SW_MIN(mss_ours, e->mss) :
		mss_ours;
	/* Our shift (ws_advertised() in flow.c finds it again). */
	sp.wscale = co.wscale == SW_COOKIE_WSCALE_NONE ? SW_WSCALE_NONE :
		our_shift(lws, svc->wscale);
	sp.sack_ok = co.sack_ok;
	sp.ts = co.ts;
	sp.ecn = co.ecn;
	sp.window = w->window;
	sp.ttl = w->ttl;
	sp.csum_offload = reply_offload(w, SW_OUTSIDE, p);
	/* Built with the others of its group, once their cookies'
	 * MACs are made together (sw_engine_synack_flush()). */
	pd->m = m;
	pd->p = p;
	pd->sp = sp;
	pd->co = co;
	if (++w->n_synack == SW_SYNACK_PEND)
		sw_engine_synack_flush(w);
}

/*
 * The SYN-ACKs syn_reply() decided: one MAC call for all their cookies,
 * then each is built in place and sent, in the order decided.
 */
void
sw_engine_synack_flush(struct sw_engine *w)
{
	const uint16_t n = w->n_synack;
	uint64_t mac[SW_SYNACK_PEND];

	if (n == 0)
		return;
	w->n_synack = 0;	/* send_reply() must not come back here */
	sw_cookie_mac_burst(w->synack_in, mac, n);
	for (uint16_t i = 0; i < n; i++) {
		struct sw_synack_pend *pd = &w->synack[i];
		int len;

		pd->sp.isn = sw_cookie_make_finish(pd->clear, &pd->co, mac[i],
			&pd->sp.tsval);
		len = sw_build_synack(pd->m->data, pd->m->cap, pd->p, &pd->sp);
		if (unlikely(len < 0)) {
			drop(w, pd->m, SW_DROP_BUILD);
			continue;
		}
		w->c.sc.synack_tx++;
		send_reply(w, SW_OUTSIDE, pd->m, pd->p, len,
			pd->sp.csum_offload);
	}
}

void
sw_engine_syn_answer(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p, struct sw_fref *r, uint64_t now)
{
	syn_reply(w, m, m->data, p, r, *w->keys, now, true);
	sw_engine_synack_flush(w);	/* p is the caller's */
}

/*
 * lb cluster: an ACK with no flow here and no valid cookie. From a peer,
 * dropped unanswered (it asked, or its entry is stale); from a client,
 * maybe a peer's flow the router moved here: the peers are asked (the
 * owner claims it) and m is dropped. True: m is taken.
 */
static inline bool
cluster_noflow(struct sw_engine *w, struct sw_frame *m,
		const struct sw_fref *r, uint64_t now)
{
	if (likely(w->n_peers == 0))
		return false;
	if (r->peer) {
		drop(w, m, SW_DROP_PEER_NOFLOW);
		return true;
	}
	return sw_cluster_lookup(w, m, r, now);
}

/* An ACK with no flow: is it the end of one of our handshakes? */
static void
ack_check(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r,
		const struct sw_cookie_keys *keys, uint64_t now)
{
	const bool ts = p->opt.present & SW_TCPOPT_F_TS;
	struct sw_cookie_tuple t;
	struct sw_cookie_opts co;
	enum sw_drop why;

	cookie_tuple(frame, p, &t);
	/* Its MAC was made with its group's when it looked flowless. */
	switch (r->mac_ok ? sw_cookie_check_finish(keys, t.family,
			p->ack - 1, ts, p->opt.tsval, p->opt.tsecr, r->mac,
			&co) :
			sw_cookie_check(keys, &t, p->seq - 1, p->ack - 1, ts,
			p->opt.tsval, p->opt.tsecr, &co)) {
	case SW_COOKIE_OK:
		/* Checksums only now: a forged ACK fails on the cookie
		 * alone, which is cheaper than summing it. */
		why = bad_cksum(m, frame, p);
		if (unlikely(why != SW_DROP_MAX)) {
			drop(w, m, why);
			return;
		}
		/* Genuine, but its flow was made and is gone: a replay
		 * (docs/cookies.md, "Replays"). */
		if (unlikely(sw_replay_seen(&w->replay, sw_replay_hash(
				flow_hash(w, r), p->seq, p->ack), keys->slot))) {
			w->c.sc.cookie_reused++;
			drop(w, m, SW_DROP_COOKIE_REUSED);
			return;
		}
		/* The client is real: open the backend connection. The
		 * cookie names its slot (mod 4, ISN bits 31-30). */
		w->c.sc.cookie_ok++;
		{
			const uint64_t key = client_key(frame, p);

			*verified_cell(w, key) = key;
		}
		sw_flow_create(w, m, p, r, &co, keys->slot -
			((keys->slot - ((p->ack - 1) >> 30)) & 3), now);
		return;
	case SW_COOKIE_EXPIRED:
		w->c.sc.cookie_expired++;
		if (unlikely(cluster_noflow(w, m, r, now)))
			;
		else if (unlikely(in_grace(w, SW_OUTSIDE, p, frame, now)))
			grace_pass(w, m, SW_INSIDE);
		else
			drop(w, m, SW_DROP_COOKIE_EXPIRED);
		return;
	case SW_COOKIE_BAD:
		break;
	}
	w->c.sc.cookie_bad++;
	if (unlikely(cluster_noflow(w, m, r, now)))
		return;
	if (unlikely(in_grace(w, SW_OUTSIDE, p, frame, now))) {
		grace_pass(w, m, SW_INSIDE);
		return;
	}
	if (!w->rst_on_bad || !gcra_allow(&w->rst, &w->rst_tat, now)) {
		drop(w, m, SW_DROP_COOKIE_BAD);
		return;
	}
	reply_rst(w, SW_OUTSIDE, m, p, w->ttl, &w->c.sc.rst_tx);
}

/*
 * A source no TCP peer can have (RFC 1122 §4.2.3.10, RFC 4291 §2.7):
 * unspecified, loopback, multicast, class E and limited broadcast, or the
 * destination itself. Answering would reflect towards nobody or everyone.
 */
static inline bool
martian_src(const uint8_t *frame, const struct sw_pkt *p)
{
	static const uint8_t zero[15];

	if (p->l3 == SW_L3_IPV4) {
		const struct sw_ipv4_hdr *ip =
			(const struct sw_ipv4_hdr *)(const void *)(frame +
				p->l3_off);
		const uint8_t a = (uint8_t)(ntohl(ip->src_addr) >> 24);

		return a == 0 || a == 127 || a >= 224 ||
			ip->src_addr == ip->dst_addr;
	}
	{
		const struct sw_ipv6_hdr *ip =
			(const struct sw_ipv6_hdr *)(const void *)(frame +
				p->l3_off);

		/* ff00::/8 multicast, :: and ::1 */
		return ip->src_addr[0] == 0xff ||
			(memcmp(ip->src_addr, zero, 15) == 0 &&
			 ip->src_addr[15] <= 1) ||
			memcmp(ip->src_addr, ip->dst_addr, 16) == 0;
	}
}

/*
 * TCP from outside to a protected service, no flow state: the SYN cookie
 * engine owns its fate. Every path frees or sends `m`.
 */
static void
syncookie(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r,
		const struct sw_cookie_keys *keys, uint64_t now)
{
	const uint8_t f = p->tcp_flags;
	enum sw_drop why;

	if (unlikely(p->flags & SW_PKT_F_FRAG)) {
		drop(w, m, SW_DROP_FRAGMENT);
		return;
	}
	if (unlikely(martian_src(frame, p))) {
		drop(w, m, SW_DROP_BAD_SRC);
		return;
	}
	/* From a peer and no flow here: only a valid cookie makes one. */
	if (unlikely(r->peer) && (f & (SW_TCP_ACK | SW_TCP_SYN |
			SW_TCP_RST)) != SW_TCP_ACK) {
		drop(w, m, SW_DROP_PEER_NOFLOW);
		return;
	}
	/* ACKs are summed after their cookie checks out (ack_check). */
	if (!(f & SW_TCP_ACK) || (f & (SW_TCP_SYN | SW_TCP_RST))) {
		why = bad_cksum(m, frame, p);
		if (unlikely(why != SW_DROP_MAX)) {
			drop(w, m, why);
			return;
		}
	}
	if (f & SW_TCP_SYN) {
		if (unlikely(f & (SW_TCP_FIN | SW_TCP_RST)))
			drop(w, m, (f & SW_TCP_RST) ? SW_DROP_SYN_RST :
				SW_DROP_SYN_FIN);
		else if (unlikely(f & SW_TCP_ACK))
			drop(w, m, SW_DROP_SYNACK_NOFLOW);
		else
			syn_reply(w, m, frame, p, r, keys, now, false);
	} else if ((f & SW_TCP_ACK) && !(f & SW_TCP_RST)) {
		ack_check(w, m, frame, p, r, keys, now);
	} else if (unlikely(in_grace(w, SW_OUTSIDE, p, frame, now))) {
		grace_pass(w, m, SW_INSIDE);
	} else if (f & SW_TCP_RST) {
		/* RFC 9293 §3.10.7.1: never answer a RST. */
		drop(w, m, SW_DROP_RST_NOFLOW);
	} else {
		drop(w, m, (f & (SW_TCP_FIN | SW_TCP_PSH | SW_TCP_URG)) ?
			SW_DROP_NOACK : SW_DROP_NO_FLAGS);
	}
}

/* TCP fragments without a TCP header, to or from a protected prefix. */
static inline bool
protected_fragment(const struct sw_engine *w, enum sw_side side,
		const struct sw_pkt *p, const uint8_t *frame)
{
	const uint8_t *addr = ip_addr(frame, p, side == SW_OUTSIDE);

	if (!(p->flags & SW_PKT_F_L4_NONE) || p->l4_proto != IPPROTO_TCP)
		return false;
	if (p->l3 == SW_L3_IPV4) {
		uint32_t a;

		memcpy(&a, addr, 4);
		return sw_svc_addr4(w->svc, a);
	}
	return sw_svc_addr6(w->svc, addr);
}

/*
 * TCP to (outside) or from (inside) a protected service, its flow key
 * in `r`: the flow's owner relays it; with no flow, the SYN cookie
 * engine answers for the server. Every path frees, holds or sends `m`.
 */
static void
protected(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p, struct sw_fref *r,
		const struct sw_cookie_keys *keys, uint64_t now)
{
	struct sw_ft *ft;
	int64_t id;

	if (w->steer) {
		uint16_t owner = flow_owner(w, flow_hash(w, r));

		if (owner != w->id) {
			/* For the owner; a peer's came by the inside (its
			 * classification finds that again). */
			m->side = (uint8_t)(r->peer ? SW_INSIDE : side);
			steer(w, m, owner);
			return;
		}
	}
	if (unlikely(r->peer))
		sw_cluster_peer_in(w, m, p);
	ft = sw_flow_table(w, r->v6);
	/* Looked up now, not when the burst was staged: an earlier packet
	 * of the burst may have created or freed the flow since. An empty
	 * table (a flood before any client) costs no lookup. */
	id = sw_ft_count(ft) != 0 ?
		sw_ft_lookup(ft, &r->key, flow_hash(w, r)) : -ENOENT;
	if (id >= 0 && sw_flow_input(w, side, m, frame, p, r,
			(uint32_t)id, now))
		return;
	if (side == SW_OUTSIDE)
		syncookie(w, m, frame, p, r, keys, now);
	else if (unlikely(in_grace(w, side, p, frame, now)))
		sw_flow_adopt(w, m, p, r, now);
	else if (w->n_probes == 0 || !sw_probe_answer(w, m, frame, p, r, now))
		drop(w, m, SW_DROP_NOFLOW_INSIDE);
}

/*
 * lb, nat = snat: a backend's segment to the snat_address, to local port
 * r->lport. The port names the worker that owns the flow (its slice of
 * [lb] snat_ports, lib/snat): another's is handed over; here the port
 * names the flow itself (sw_flow_snat_find()). A port no flow holds, or
 * one that no worker's slice has, is dropped (drop.snat_noflow).
 */
static void
snat_in(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r, uint64_t now)
{
	int64_t id;

	if (w->steer) {
		const uint16_t owner = sw_snat_owner(&w->snat_range, r->lport);

		if (unlikely(owner == SW_SNAT_NONE)) {
			drop(w, m, SW_DROP_SNAT_NOFLOW);
			return;
		}
		if (owner != w->id) {
			m->side = SW_INSIDE;	/* for the owner */
			steer(w, m, owner);
			return;
		}
	}
	id = sw_flow_snat_find(w, m, frame, p, r);
	if (id >= 0 && !sw_flow_input(w, SW_INSIDE, m, frame, p, r,
			(uint32_t)id, now))
		drop(w, m, SW_DROP_NOFLOW_INSIDE);
}

/*
 * TCP that no service covers while flows of a service a reload removed
 * may remain: the flow's owner relays it. Returns false when no flow
 * owns it: it is ordinary traffic.
 */
static bool
drained(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p, struct sw_fref *r,
		uint64_t now)
{
	struct sw_ft *ft = sw_flow_table(w, r->v6);
	int64_t id;

	if (w->steer) {
		uint16_t owner = flow_owner(w, flow_hash(w, r));

		if (owner != w->id) {
			m->side = (uint8_t)side;
			steer(w, m, owner);
			return true;
		}
	}
	if (sw_ft_count(ft) == 0)
		return false;
	id = sw_ft_lookup(ft, &r->key, flow_hash(w, r));
	/* A SYN that ends the flow (false) is ordinary traffic now. */
	return id >= 0 && sw_flow_input(w, side, m, frame, p, r, (uint32_t)id,
		now);
}

/*
 * An ICMP error about a segment to or from a protected service: only
 * the flow's owner may forward it, translated; with no flow it is a
 * blind guess (RFC 5927) and dropped. Returns false when the quote is
 * not about a protected service: the packet is ordinary traffic.
 */
static bool
icmp_error(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p)
{
	struct sw_icmp_quote q;
	struct sw_fref r;
	int64_t id;

	/* lb: errors from inside are about client -> backend segments,
	 * which no router between synwall and its on-link backends cuts. */
	if ((side == SW_INSIDE && !w->eg->icmp_inside) ||
			sw_parse_icmp_quote(frame, p, &q) != 0)
		return false;
	quote_key(side, frame, p, &q, &r);
	r.peer = false;
	if (p->l3 == SW_L3_IPV4)
		r.svc = sw_svc_lookup4(w->svc, r.key.v4.saddr,
			ntohs(r.key.v4.sport));
	else
		r.svc = sw_svc_lookup6(w->svc, r.key.v6.saddr,
			ntohs(r.key.v6.sport));
	/* Not a service's, unless a flow a reload left owns it. */
	if (r.svc < 0 && likely(!w->gen->drain))
		return false;
	if (w->steer) {
		uint16_t owner = flow_owner(w, flow_hash(w, &r));

		/* Draining, another worker's: it could not send it on as
		 * ordinary traffic, so it is that here. */
		if (owner != w->id && r.svc < 0)
			return false;
		if (owner != w->id) {
			m->side = (uint8_t)side;
			steer(w, m, owner);
			return true;
		}
	}
	id = sw_ft_lookup(sw_flow_table(w, r.v6), &r.key, flow_hash(w, &r));
	if (id < 0 && r.svc < 0)
		return false;
	if (id < 0)
		drop(w, m, SW_DROP_ICMP_NOFLOW);
	else
		sw_flow_icmp(w, side, m, frame, p, &q, &r, (uint32_t)id);
	return true;
}

static inline bool
is_icmp(const struct sw_pkt *p)
{
	return p->l4_proto == (p->l3 == SW_L3_IPV4 ? IPPROTO_ICMP :
		IPPROTO_ICMPV6);
}

/*
 * A burst is handled in groups of up to STAGE_MAX packets, in three
 * passes (as rte_hash's bulk lookup and l3fwd do), so that the cache
 * misses of a large flow table overlap instead of adding up: the first
 * pass parses and classifies every packet of the group and starts
 * loading the flow-table buckets of the protected ones; the second, the
 * buckets in by then, starts loading their flow entries and timers; the
 * third decides each packet's fate in order. Only the loads are early:
 * each flow is looked up at its packet's turn (protected()), since a
 * packet may create or end the flow of a later one in the same burst.
 */
#define STAGE_MAX	32

/* A packet of the group, parsed and classified ahead of its turn. */
struct staged {
	struct sw_frame *m;
	uint8_t *frame;
	enum sw_side side;	/* the port it came in by */
	bool chained;		/* multi-segment: not parsed */
	bool ahead;		/* its flow's buckets are on their way */
	bool flowless;		/* ours, and certainly no flow yet */
	enum sw_parse_err err;	/* SW_PARSE_OK or why the parser refused it */
	int svc;		/* protected service, or -1 */
	struct sw_fref r;	/* its flow, when svc >= 0 */
	struct sw_pkt p;
};

/*
 * lb cluster: TCP from inside to a VIP and service port is a client's
 * segment a peer sent on (nothing else sends that to the inside port):
 * taken as from outside, marked (r.peer) never to go to a peer again.
 */
static inline bool
peer_segment(struct sw_engine *w, struct staged *s)
{
	const int svc = classify(w, SW_OUTSIDE, s->frame, &s->p, &s->r);

	s->r.drain = false;
	if (svc < 0)
		return false;
	s->svc = svc;
	s->side = SW_OUTSIDE;
	s->r.peer = true;
	return true;
}

/*
 * Pass 1: parse and classify; for a segment of a protected service this
 * worker owns, hash its flow key and start loading the buckets.
 */
static inline void
stage_classify(struct sw_engine *w, struct staged *s)
{
	struct sw_frame *m = s->m;
	const struct sw_ft *ft;

	s->svc = -1;
	s->r.drain = false;
	s->r.peer = false;
	s->r.snat = false;
	s->r.mac_ok = false;
	s->ahead = false;
	s->flowless = false;
	s->chained = (m->rx & SW_RX_CHAINED) != 0;
	if (unlikely(s->chained))
		return;
	s->err = sw_parse(&s->p, s->frame, m->len);
	if (unlikely(s->err != SW_PARSE_OK))
		return;
	/* From inside, lb mode keys a backend's flow by the VIP; a lb
	 * cluster's peer sends a client's segment on to it unchanged. */
	if (s->side == SW_OUTSIDE)
		s->svc = classify(w, SW_OUTSIDE, s->frame, &s->p, &s->r);
	else if (unlikely(w->n_peers != 0) && peer_segment(w, s))
		;
	else
		s->svc = w->eg->classify_inside(w, s->frame, &s->p, &s->r);
	if (s->svc < 0 && !s->r.drain) {
		/* lb, nat = snat: the local port names the flow (and its
		 * owner); start loading what it says. */
		const uint32_t *slot = !s->r.snat ? NULL :
			sw_snat_slot(&w->snat, s->r.lport);

		if (slot != NULL && (!w->steer || sw_snat_owner(
				&w->snat_range, s->r.lport) == w->id)) {
			sw_ft_prefetch_line(slot);
			s->ahead = true;
		}
		return;
	}
	ft = sw_flow_table(w, s->r.v6);
	/* An empty table is not looked up; another worker's flow is not
	 * ours to look up. */
	if (w->steer && flow_owner(w, flow_hash(w, &s->r)) != w->id)
		return;
	if (sw_ft_count(ft) == 0) {
		s->flowless = true;
		return;
	}
	sw_ft_prefetch(ft, flow_hash(w, &s->r));
	s->ahead = true;
}

/*
 * Pass 2: the entry the buckets point to and its timer (flow.c's
 * timer_id(): IPv6 timers follow the IPv4 ones), both written when the
 * flow's segment is relayed.
 */
static inline void
stage_prefetch_flow(struct sw_engine *w, struct staged *s)
{
	int64_t id;

	if (!s->ahead)
		return;
	if (s->r.snat) {
		/* Its flow, as the port's map said in pass 1 (a guess: the
		 * lookup is at the packet's turn). */
		const uint32_t v = sw_snat_lookup(&w->snat, s->r.lport);
		const bool v6 = (v & SW_SNAT_V6) != 0;
		const uint32_t fid = v & ~SW_SNAT_V6;
		const struct sw_ft *ft = sw_flow_table(w, v6);

		if (v != SW_SNAT_FREE && fid < ft->capacity) {
			sw_ft_prefetch_line(sw_ft_entry(ft, fid));
			__builtin_prefetch(&w->tw.node[(v6 ?
				w->ft4.capacity : 0) + fid]);
		}
		return;
	}
	id = sw_ft_prefetch_entry(sw_flow_table(w, s->r.v6), s->r.hash);
	/* No entry bears its signature: it has no flow. */
	s->flowless = id < 0;
	if (id >= 0)
		__builtin_prefetch(&w->tw.node[(s->r.v6 ? w->ft4.capacity : 0) +
			(uint32_t)id]);
}

/*
 * Pass 2b: the ACKs from outside that have no flow will have their
 * cookies checked (ack_check()): make all their MACs in one call. Only
 * the MAC is early; the check itself runs at the packet's turn, where a
 * flow an earlier packet made takes it first and the MAC goes unused.
 */
static void
stage_macs(struct staged *s, uint16_t n, const struct sw_cookie_keys *keys)
{
	struct sw_cookie_mac_in in[STAGE_MAX];
	uint64_t mac[STAGE_MAX];
	uint16_t at[STAGE_MAX], k = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct sw_pkt *p = &s[i].p;
		struct sw_cookie_tuple t;

		if (!s[i].flowless || s[i].side != SW_OUTSIDE ||
				s[i].svc < 0 || (p->flags & SW_PKT_F_FRAG) ||
				(p->tcp_flags & (SW_TCP_ACK | SW_TCP_SYN |
					SW_TCP_RST)) != SW_TCP_ACK)
			continue;
		cookie_tuple(s[i].frame, p, &t);
		sw_cookie_check_prep(keys, &t, p->seq - 1, p->ack - 1,
			p->opt.present & SW_TCPOPT_F_TS, p->opt.tsecr, &in[k]);
		at[k++] = i;
	}
	if (k < 2)
		return;		/* one alone: ack_check() makes it */
	sw_cookie_mac_burst(in, mac, k);
	for (uint16_t j = 0; j < k; j++) {
		s[at[j]].r.mac = mac[j];
		s[at[j]].r.mac_ok = true;
	}
}

/*
 * Passes 1 and 2 over s[0..n), whose m and side are set, after the
 * frames have been asked for: their headers can span two lines (with
 * timestamps, a TCP/IPv4 header ends at byte 66).
 */
static void
stage_group(struct sw_engine *w, struct staged *s, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		s[i].frame = s[i].m->data;
		__builtin_prefetch(s[i].frame);
		if (s[i].m->len > SW_CACHE_LINE)
			__builtin_prefetch(s[i].frame + SW_CACHE_LINE);
	}
	uint32_t inserts[2] = { 0, 0 };

	for (uint16_t i = 0; i < n; i++)
		stage_classify(w, &s[i]);
	for (uint16_t i = 0; i < n; i++) {
		stage_prefetch_flow(w, &s[i]);
		/* A flowless ACK from outside may prove its cookie and
		 * insert its flow: the entry it would take comes too. */
		if (s[i].flowless && s[i].side == SW_OUTSIDE &&
				(s[i].p.tcp_flags & (SW_TCP_ACK | SW_TCP_SYN |
					SW_TCP_RST)) == SW_TCP_ACK)
			inserts[s[i].r.v6]++;
	}
	if (inserts[0] != 0)
		sw_ft_prefetch_free(&w->ft4, inserts[0]);
	if (inserts[1] != 0)
		sw_ft_prefetch_free(&w->ft6, inserts[1]);
}

/* Not a protected service's: bridged, dropped, or lb's to handle. */
static inline void
unprotected(struct sw_engine *w, const struct staged *s)
{
	w->eg->other(w, s->side, s->m, s->frame, &s->p);
}

/* Pass 3: the fate of a packet received on s->side. */
static inline void
process_one(struct sw_engine *w, struct staged *s,
		const struct sw_cookie_keys *keys, uint64_t now)
{
	struct sw_frame *m = s->m;

	if (unlikely(s->chained)) {
		drop(w, m, SW_DROP_MULTISEG);
		return;
	}
	if (unlikely(s->err != SW_PARSE_OK)) {
		w->c.malformed[s->err]++;
		w->dead[w->n_dead++] = m;
		return;
	}
	if (s->svc >= 0) {
		w->c.protected_pkts++;
		protected(w, s->side, m, s->frame, &s->p, &s->r, keys, now);
		return;
	}
	if (s->r.snat) {
		w->c.protected_pkts++;
		snat_in(w, m, s->frame, &s->p, &s->r, now);
		return;
	}
	if (unlikely(s->r.drain) &&
			drained(w, s->side, m, s->frame, &s->p, &s->r, now)) {
		w->c.protected_pkts++;
		return;
	}
	if (unlikely(is_icmp(&s->p)) &&
			icmp_error(w, s->side, m, s->frame, &s->p)) {
		w->c.protected_pkts++;
		return;
	}
	if (unlikely(protected_fragment(w, s->side, &s->p, s->frame))) {
		drop(w, m, SW_DROP_FRAGMENT);
		return;
	}
	unprotected(w, s);
}

static void
process_burst(struct sw_engine *w, enum sw_side side, struct sw_frame **pkts,
		uint16_t n, uint64_t now)
{
	/* One key set and one generation of the services per burst: the
	 * main lcore swaps them under RCU. */
	const struct sw_cookie_keys *keys = *w->keys;
	struct staged s[STAGE_MAX];

	w->now = now;
	w->gen = *w->genp;
	w->svc = &w->gen->svc;
	for (uint16_t done = 0; done < n; ) {
		const uint16_t k = SW_MIN(n - done, STAGE_MAX);

		for (uint16_t i = 0; i < k; i++) {
			s[i].m = pkts[done + i];
			s[i].side = side;
		}
		stage_group(w, s, k);
		stage_macs(s, k, keys);
		for (uint16_t i = 0; i < k; i++)
			process_one(w, &s[i], keys, now);
		/* s[] is the next group's: its SYNs' replies go now. */
		sw_engine_synack_flush(w);
		done += k;
	}
	free_dead(w);
}

void
sw_engine_process(struct sw_engine *w, enum sw_side side,
		struct sw_frame **pkts, uint16_t n, uint64_t now)
{
	/* w->dead holds one burst: take longer arrays in bursts. */
	while (n > SW_BURST_MAX) {
		process_burst(w, side, pkts, SW_BURST_MAX, now);
		pkts += SW_BURST_MAX;
		n -= SW_BURST_MAX;
	}
	process_burst(w, side, pkts, n, now);
}

/* Protected packets another worker received for a flow this one owns. */
static void
process_steered(struct sw_engine *w, struct sw_frame **pkts, uint16_t n,
		uint64_t now)
{
	const struct sw_cookie_keys *keys = *w->keys;
	struct staged s[STAGE_MAX];

	w->now = now;
	w->gen = *w->genp;
	w->svc = &w->gen->svc;
	for (uint16_t done = 0; done < n; ) {
		const uint16_t k = SW_MIN(n - done, STAGE_MAX);

		for (uint16_t i = 0; i < k; i++) {
			s[i].m = pkts[done + i];
			s[i].side = s[i].m->side;
		}
		stage_group(w, s, k);
		for (uint16_t i = 0; i < k; i++) {
			struct staged *x = &s[i];

			/* Parsed and classified by the sender: a protected
			 * segment, or an ICMP error about one. */
			if (x->svc >= 0)
				protected(w, x->side, x->m, x->frame, &x->p,
					&x->r, keys, now);
			else if (x->r.snat)
				snat_in(w, x->m, x->frame, &x->p, &x->r, now);
			else if (x->r.drain) {
				/* Ours to relay, or ordinary traffic. */
				if (!drained(w, x->side, x->m, x->frame, &x->p,
						&x->r, now))
					unprotected(w, x);
			} else if (!x->chained && x->err == SW_PARSE_OK &&
					w->eg->shared(w, x->side, x->m,
						x->frame, &x->p))
				;	/* a neighbour's answer, learned */
			else if (x->chained || x->err != SW_PARSE_OK ||
					!is_icmp(&x->p) ||
					!icmp_error(w, x->side, x->m, x->frame,
						&x->p))
				w->dead[w->n_dead++] = x->m;
		}
		sw_engine_synack_flush(w);
		done += k;
	}
	free_dead(w);
}

void
sw_engine_process_steered(struct sw_engine *w, struct sw_frame **pkts,
		uint16_t n, uint64_t now)
{
	while (n > SW_BURST_MAX) {
		process_steered(w, pkts, SW_BURST_MAX, now);
		pkts += SW_BURST_MAX;
		n -= SW_BURST_MAX;
	}
	process_steered(w, pkts, n, now);
}

bool
sw_engine_poll(struct sw_engine *w, uint64_t now, const uint64_t *checks,
		unsigned int n_checks)
{
	bool busy = false;

	w->now = now;
	w->eg->poll(w, now, checks, n_checks);
	if (unlikely(w->n_probes != 0))
		sw_probe_expire(w, now);
	/* Expiry work (backend SYN retries, frees) is busy time. */
	if (sw_flow_timers(w, now) != 0)
		busy = true;
	free_dead(w);
	return busy;
}

int
sw_engine_init(struct sw_engine *w, const struct sw_engine_params *p,
		char *err, size_t err_len)
{
	int ret;

	if (p->io == NULL || p->burst == 0 || p->burst > SW_BURST_MAX ||
			p->tsc_hz < 1000 || p->n_workers == 0 ||
			p->id >= p->n_workers) {
		snprintf(err, err_len, "engine %u: bad parameters", p->id);
		return -EINVAL;
	}
	w->id = p->id;
	w->n_workers = p->n_workers;
	w->steer = p->steer;
	w->burst = p->burst;
	w->tsc_hz = p->tsc_hz;
	w->now = p->now;
	w->io = p->io;
	w->io_ctx = p->io_ctx;
	w->eg = p->lb ? &sw_egress_lb : &sw_egress_inline;
	w->bc = w->bc_none;
	ret = sw_flow_setup(w, p, err, err_len);
	if (ret != 0)
		return ret;
	return sw_lb_engine_setup(w, p, err, err_len);
}

void
sw_engine_release(struct sw_engine *w)
{
	if (w->io == NULL)
		return;
	/* Not sent: the ports may be stopped by now (the loop flushed
	 * before it returned, so this is a failed start's leftovers). */
	for (unsigned int s = 0; s < SW_SIDES; s++) {
		w->io->free(w->io_ctx, w->txq[s].f, w->txq[s].n);
		w->txq[s].n = 0;
	}
	free_dead(w);
	sw_flow_teardown(w);
	sw_lb_engine_teardown(w);
	w->io = NULL;
}

/* Inline mode: a bump in the wire, addresses kept. */
static int
inline_classify_inside(struct sw_engine *w, const uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r)
{
	return classify(w, SW_INSIDE, frame, p, r);
}

static void
inline_other(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p)
{
	if (w->drop_unprotected && !is_link_control(p, frame)) {
		drop(w, m, SW_DROP_UNPROTECTED);
		return;
	}
	tx_enqueue(w, side == SW_OUTSIDE ? SW_INSIDE : SW_OUTSIDE, m);
}

static bool
inline_shared(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		const uint8_t *frame, const struct sw_pkt *p)
{
	(void)w, (void)side, (void)m, (void)frame, (void)p;
	return false;
}

static uint16_t
inline_pick(struct sw_engine *w, struct sw_fref *r)
{
	(void)w, (void)r;
	return 0;
}

static bool
inline_to_server(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_flow *f)
{
	(void)frame, (void)p, (void)f;
	tx_enqueue(w, SW_INSIDE, m);
	return true;
}

static bool
inline_to_client(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_flow *f)
{
	(void)frame, (void)p, (void)f;
	tx_enqueue(w, SW_OUTSIDE, m);
	return true;
}

static void
inline_syn_to_server(struct sw_engine *w, struct sw_frame *m,
		const struct sw_flow *f)
{
	(void)f;
	tx_enqueue(w, SW_INSIDE, m);
}

static void
inline_icmp_to_server(struct sw_engine *w, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, const struct sw_flow *f)
{
	(void)frame, (void)p, (void)q, (void)f;
	tx_enqueue(w, SW_INSIDE, m);
}

static void
inline_poll(struct sw_engine *w, uint64_t now, const uint64_t *checks,
		unsigned int n_checks)
{
	(void)w, (void)now, (void)checks, (void)n_checks;
}

const struct sw_egress sw_egress_inline = {
	.classify_inside = inline_classify_inside,
	.other = inline_other,
	.shared = inline_shared,
	.pick = inline_pick,
	.to_server = inline_to_server,
	.to_client = inline_to_client,
	.syn_to_server = inline_syn_to_server,
	.icmp_to_server = inline_icmp_to_server,
	.poll = inline_poll,
	.first_contact = true,
	.icmp_inside = true,
};
