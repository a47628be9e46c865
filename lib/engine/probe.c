/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * First contact: learn a server's options before promising them
 * (docs/handoff.md, "Learning"). The first SYN to a server this worker
 * knows nothing of is held, and a copy of it, unchanged, goes to the
 * server: a probe. Its SYN-ACK (ack = that SYN's ISN + 1) comes back
 * through synwall, is learned from and answered with a RST at exactly
 * its ack, so the server forgets the half-open connection; then the
 * held SYNs are answered with cookies that promise what the server
 * does. A RST instead, or silence for PROBE_WAIT_MS after the probe was
 * sent a second time (a lost SYN or SYN-ACK is the usual silence, and a
 * careful answer costs the server's clients SACK and timestamps until the
 * next refresh), releases them with the careful answer (no SACK, no
 * timestamps). Bounded: SW_PROBES
 * servers at once, SW_PROBE_HOLD SYNs each; past that, SYNs are
 * answered carefully at once. Inline mode only: in lb mode the backend
 * SYN probes (flow.c).
 *
 * What a server said is checked again the same way by the first SYN
 * more than [flow] learn_refresh_ms later (the held SYN is then answered
 * with what was learned before, should the server not answer): a server
 * that changes its settings misleads the clients of at most that time.
 *
 * The probe carries the client's own ISN: should our RST be lost, the
 * backend SYN of the same client is, to the server, that SYN again,
 * and its SYN-ACK answers it.
 */
#include <string.h>


#include "sw_build.h"
#include "sw_engine.h"
#include "sw_engine_inl.h"

#define PROBE_WAIT_MS	200	/* then the held SYNs are answered anyway */

static bool
same_server(const struct sw_fref *a, const struct sw_fref *b)
{
	if (a->v6 != b->v6)
		return false;
	if (a->v6)
		return a->key.v6.sport == b->key.v6.sport &&
			memcmp(a->key.v6.saddr, b->key.v6.saddr, 16) == 0;
	return a->key.v4.sport == b->key.v4.sport &&
		a->key.v4.saddr == b->key.v4.saddr;
}

static bool
same_key(const struct sw_fref *a, const struct sw_fref *b)
{
	if (a->v6 != b->v6)
		return false;
	return a->v6 ? memcmp(&a->key.v6, &b->key.v6, sizeof(a->key.v6)) == 0 :
		memcmp(&a->key.v4, &b->key.v4, sizeof(a->key.v4)) == 0;
}

static void
hold(struct sw_engine *w, struct sw_probe *pr, struct sw_frame *m,
		const struct sw_pkt *p, const struct sw_fref *r)
{
	struct sw_probe_syn *h = &pr->held[pr->n++];

	h->m = m;
	h->p = *p;
	h->r = *r;
	w->c.flow.probe_held++;
}

/*
 * Send the probe: a copy of the first held SYN, with the ISN the probe
 * stands for (the client's, less a PROXY header's length). false when no
 * frame is free (counted).
 */
static bool
probe_send(struct sw_engine *w, const struct sw_probe *pr)
{
	const struct sw_probe_syn *h = &pr->held[0];
	struct sw_frame *c = frame_copy(w, h->m);

	if (unlikely(c == NULL)) {
		w->c.drop[SW_DROP_NO_MBUF]++;
		return false;
	}
	if (pr->isn != h->p.seq)
		sw_pkt_tcp_set32(c->data, &h->p, h->p.l4_off + 4, pr->isn);
	tx_enqueue(w, SW_INSIDE, c);
	return true;
}

bool
sw_probe_hold(struct sw_engine *w, struct sw_frame *m, const struct sw_pkt *p,
		const struct sw_fref *r, uint64_t now)
{
	struct sw_probe *free_pr = NULL;
	uint8_t hdr[SW_PP_MAX];
	struct sw_learn_entry *e;
	uint32_t pp;

	for (unsigned int i = 0; i < SW_PROBES; i++) {
		struct sw_probe *pr = &w->probing[i];

		if (pr->deadline == 0) {
			if (free_pr == NULL)
				free_pr = pr;
			continue;
		}
		if (!same_server(&pr->r, r))
			continue;
		/* Its probe is out: wait for it, within bounds. */
		if (pr->n == SW_PROBE_HOLD)
			return false;
		hold(w, pr, m, p, r);
		return true;
	}
	/* A SYN with data or options we do not know (TFO) would be more
	 * than a question to the server: it starts no probe. */
	if (free_pr == NULL || p->payload_len != 0 || (p->opt.present &
			(SW_TCPOPT_F_UNKNOWN | SW_TCPOPT_F_FASTOPEN)))
		return false;
	/* The server's entry, claimed now: whatever the answer (none, a
	 * RST), release() stamps it, so that it is asked again only when
	 * the refresh is due. A full table: no probe. */
	e = flow_learned(w, r, true, NULL);
	if (e == NULL)
		return false;
	free_pr->r = *r;
	free_pr->n = 0;
	hold(w, free_pr, m, p, r);
	/* A service that starts its connections with a PROXY header
	 * gives its backend SYNs the client's ISN less the header's length
	 * (flow.c): so does the probe, so that, should our RST be lost, the
	 * backend SYN is that SYN again to the server. */
	pp = (uint32_t)pp_build_key((enum sw_pp_version)
		w->svc->svc[r->svc].syn.proxy_protocol, &r->key, r->v6, hdr);
	free_pr->isn = p->seq - pp;
	if (!probe_send(w, free_pr)) {
		free_pr->n = 0;
		w->c.flow.probe_held--;
		return false;
	}
	e->flags |= SW_LEARN_F_PROBED;
	free_pr->deadline = now + w->probe_wait;
	free_pr->resent = false;
	free_pr->offers =
		((p->opt.present & SW_TCPOPT_F_SACKOK) ? SW_FX_OFFER_SACK : 0) |
		((p->opt.present & SW_TCPOPT_F_TS) ? SW_FX_OFFER_TS : 0) |
		((p->opt.present & SW_TCPOPT_F_WSCALE) ? SW_FX_OFFER_WS : 0);
	w->n_probes++;
	w->c.flow.probe_tx++;
	return true;
}

/* Answer the SYNs a probe held, now that the server has said (or not). */
static void
release(struct sw_engine *w, struct sw_probe *pr, uint64_t now)
{
	const unsigned int n = pr->n;
	struct sw_learn_entry *e = flow_learned(w, &pr->r, false, NULL);

	/* Unanswered or refused: not again before the refresh is due. */
	if (e != NULL)
		e->checked = probe_clock(now);
	pr->deadline = 0;
	pr->n = 0;
	w->n_probes--;
	for (unsigned int i = 0; i < n; i++)
		sw_engine_syn_answer(w, pr->held[i].m, &pr->held[i].p,
			&pr->held[i].r, now);
}

bool
sw_probe_answer(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_fref *r, uint64_t now)
{
	const uint8_t fl = p->tcp_flags;

	if (!(fl & SW_TCP_ACK) || (fl & (SW_TCP_SYN | SW_TCP_RST)) ==
			(SW_TCP_SYN | SW_TCP_RST))
		return false;
	for (unsigned int i = 0; i < SW_PROBES; i++) {
		struct sw_probe *pr = &w->probing[i];

		if (pr->deadline == 0 || !same_key(&pr->r, r) ||
				((fl & SW_TCP_RST) && p->ack != pr->isn + 1))
			continue;
		if (bad_cksum(m, frame, p) != SW_DROP_MAX)
			return false;
		if (p->ack != pr->isn + 1) {
			/* Not for our SYN: the tuple's previous connection,
			 * in TIME_WAIT at the server, answers it. A RST at
			 * its ack ends that (RFC 9293 §3.10.7.3), so the
			 * backend SYN after the wait is answered. */
			reply_rst(w, SW_INSIDE, m, p, w->ttl,
				&w->c.flow.old_ack_rst);
			return true;
		}
		if (fl & SW_TCP_RST) {
			/* No listener: the clients learn it from their
			 * backend SYN's RST. */
			w->c.flow.probe_refused++;
			consume(w, m);
		} else {
			sw_flow_learn(w, r, p, pr->offers);
			w->c.flow.probe_learned++;
			/* The server forgets the half-open connection:
			 * RST at exactly the ack it expects. */
			reply_rst(w, SW_INSIDE, m, p, w->ttl, NULL);
		}
		release(w, pr, now);
		return true;
	}
	return false;
}

void
sw_probe_expire(struct sw_engine *w, uint64_t now)
{
	for (unsigned int i = 0; i < SW_PROBES && w->n_probes != 0; i++) {
		struct sw_probe *pr = &w->probing[i];

		if (pr->deadline == 0 || (int64_t)(now - pr->deadline) < 0)
			continue;
		if (!pr->resent && probe_send(w, pr)) {
			pr->resent = true;
			pr->deadline = now + w->probe_wait;
			w->c.flow.probe_retx++;
			continue;
		}
		w->c.flow.probe_timeout++;
		release(w, pr, now);
	}
}

void
sw_probe_setup(struct sw_engine *w, uint32_t refresh_ms)
{
	memset(w->probing, 0, sizeof(w->probing));
	w->n_probes = 0;
	w->probe_wait = w->tsc_hz / 1000 * PROBE_WAIT_MS;
	/* 0: never (the largest interval the wrapping clock tells). */
	w->probe_refresh = refresh_ms == 0 ? INT32_MAX :
		(uint32_t)SW_MIN(w->tsc_hz / 1000 * refresh_ms >> 20,
			(uint64_t)INT32_MAX);
}

void
sw_probe_teardown(struct sw_engine *w)
{
	for (unsigned int i = 0; i < SW_PROBES; i++) {
		struct sw_probe *pr = &w->probing[i];

		for (unsigned int k = 0; k < pr->n; k++)
			frame_free(w, pr->held[k].m);
		pr->n = 0;
		pr->deadline = 0;
	}
	w->n_probes = 0;
}
