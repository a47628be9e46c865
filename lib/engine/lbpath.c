/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb mode's data path: what a worker does besides inline mode's work.
 *
 *  - Segments from a backend are mapped back to the VIP their client
 *    knows (the reverse map of the current generation), so that both
 *    directions find the one flow keyed (client, VIP); with nat = snat
 *    they come to synwall's snat_address, and their destination port,
 *    the flow's local port, names the flow (engine.c, snat_in()).
 *  - Relayed segments are NATed (destination to the backend, source
 *    back to the VIP; nat = snat: the source to the snat_address and
 *    local port, the destination back to the client, too), their TTL
 *    decremented as a router does, and sent to the next hop's MAC: the
 *    backend on the inside; on the outside the client when on-link,
 *    else the outside gateway.
 *  - Next hops are resolved per worker (lib/neigh): ARP and neighbour
 *    solicitation, a bounded queue of packets waiting, answers for the
 *    addresses synwall owns.
 *  - Health checks: worker 0 sends the SYNs the main lcore asks for;
 *    whichever worker gets the answer passes it back and closes the
 *    half-open connection with a RST.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>


#include "sw_arpnd.h"
#include "sw_build.h"
#include "sw_cksum.h"
#include "sw_lb_gen.h"
#include "sw_maglev.h"
#include "sw_nat.h"
#include "sw_parse.h"
#include "sw_engine.h"
#include "sw_engine_inl.h"

#define NEIGH_HOLD_ENTRY	16	/* packets waiting per next hop */
#define NEIGH_HOLD_TOTAL	4096	/* ... in all, per worker */
#define NEIGH_PROBES		3	/* solicitations before giving up */
#define NEIGH_RETRANS_MS	1000	/* RFC 4861 RETRANS_TIMER */
#define NEIGH_REACHABLE_MS	30000	/* RFC 4861 REACHABLE_TIME */
#define NEIGH_STALE_MS		60000	/* STALE entries forgotten */
#define NEIGH_EVENTS		16	/* solicitations per tick */

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static inline uint8_t
fam_of(const struct sw_pkt *p)
{
	return p->l3 == SW_L3_IPV4 ? AF_INET : AF_INET6;
}

static enum sw_side
side_of(const struct sw_engine *w, uint8_t family, const uint8_t *addr)
{
	return sw_lb_on_link(&w->own[SW_INSIDE][sw_lb_fam(family)], family, addr) ?
		SW_INSIDE : SW_OUTSIDE;
}

static void
neigh_params(uint32_t entries, uint64_t seed, struct sw_neigh_params *np)
{
	*np = (struct sw_neigh_params){
		.capacity = entries,
		.max_incomplete = SW_MAX(entries / 4, 1u),
		.hold_per_entry = NEIGH_HOLD_ENTRY,
		.hold_total = NEIGH_HOLD_TOTAL,
		.max_probes = NEIGH_PROBES,
		.retrans_ticks = NEIGH_RETRANS_MS,
		.reachable_ticks = NEIGH_REACHABLE_MS,
		.stale_ticks = NEIGH_STALE_MS,
		.seed = seed,
	};
}

size_t
sw_engine_neigh_memsize(uint32_t entries)
{
	struct sw_neigh_params np;

	neigh_params(entries, 0, &np);
	return sw_neigh_memsize(&np);
}

size_t
sw_engine_snat_memsize(uint16_t lo, uint16_t hi, uint16_t n_workers)
{
	struct sw_snat_range r;

	if (sw_snat_range_init(&r, lo, hi, n_workers) != 0)
		return 0;
	return sw_snat_memsize(r.per);
}

int
sw_lb_engine_setup(struct sw_engine *w, const struct sw_engine_params *prm,
		char *err, size_t err_len)
{
	struct sw_neigh_params np;

	if (!prm->lb)
		return 0;
	neigh_params(prm->neigh_entries, prm->neigh_seed, &np);
	w->bc = prm->bc;
	if (w->bc == NULL || prm->neigh_mem == NULL ||
			sw_neigh_init(&w->neigh, &np, prm->neigh_mem,
				sw_neigh_memsize(&np)) != 0) {
		snprintf(err, err_len,
			"[lb] neigh_entries = %u: cannot set up worker %u's neighbour table",
			prm->neigh_entries, w->id);
		return -ENOMEM;
	}
	/* nat = snat: this worker's slice of the local ports. */
	if (prm->snat_lo == 0)
		return 0;
	if (sw_snat_range_init(&w->snat_range, prm->snat_lo, prm->snat_hi,
			prm->n_workers) != 0) {
		snprintf(err, err_len,
			"[lb] snat_ports = %u-%u: %u ports for %u workers (each needs a slice of at least one)",
			prm->snat_lo, prm->snat_hi,
			prm->snat_hi >= prm->snat_lo ?
			prm->snat_hi - prm->snat_lo + 1 : 0, prm->n_workers);
		return -EINVAL;
	}
	if (prm->snat_mem == NULL || sw_snat_init(&w->snat,
			sw_snat_slice_first(&w->snat_range, w->id),
			w->snat_range.per, prm->snat_mem,
			sw_snat_memsize(w->snat_range.per)) != 0) {
		snprintf(err, err_len,
			"[lb] snat_ports: cannot set up worker %u's local ports",
			w->id);
		return -ENOMEM;
	}
	w->c.lb.snat_ports = w->snat_range.per;
	return 0;
}

/* Packets still waiting for a resolution go back to the I/O layer. */
void
sw_lb_engine_teardown(struct sw_engine *w)
{
	struct sw_neigh *nt = &w->neigh;

	if (w->eg != &sw_egress_lb || nt->ent == NULL)
		return;
	for (uint32_t i = 0; i <= nt->mask; i++) {
		struct sw_neigh_entry *e = &nt->ent[i];

		for (uint32_t k = e->family != 0 ? e->hold_head :
				SW_NEIGH_NIL; k != SW_NEIGH_NIL;
				k = nt->hold_next[k])
			frame_free(w, nt->hold_pkt[k]);
		if (e->family != 0)
			e->hold_head = SW_NEIGH_NIL;
	}
}

/* Ethernet addresses for the next hop, then TX by `side`. */
static inline void
eth_out(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		const uint8_t mac[6])
{
	sw_eth_set(m->data, mac, w->mac[side]);
	tx_enqueue(w, side, m);
}

/* ARP request or neighbour solicitation for addr; unicast when `mac`. */
static void
solicit(struct sw_engine *w, enum sw_side side, uint8_t family,
		const uint8_t *addr, const uint8_t *mac)
{
	const struct sw_lb_ifaddr *own = &w->own[side][sw_lb_fam(family)];
	static const uint8_t zero[6];
	struct sw_frame *m;
	int len;

	if (own->family != family)
		return;		/* no address of ours to ask from */
	m = frame_alloc(w);
	if (unlikely(m == NULL)) {
		w->c.drop[SW_DROP_NO_MBUF]++;
		return;
	}
	if (family == AF_INET) {
		len = sw_build_arp(m->data,
			(m->cap - m->len), 1, mac != NULL ? mac : mac_bcast,
			w->mac[side], own->addr, zero, addr);
		w->c.lb.arp_request_tx++;
	} else {
		len = sw_build_ns(m->data,
			(m->cap - m->len), w->mac[side], own->addr, addr,
			mac);
		w->c.lb.ns_tx++;
	}
	if (unlikely(len < 0)) {
		frame_free(w, m);
		return;
	}
	m->len = (uint16_t)len;
	m->tx = SW_TX_PLAIN;
	tx_enqueue(w, side, m);
}

/*
 * Send m to `nh` on `side`, or hold it until nh is resolved; false when
 * it was dropped (a later failure to resolve counts as drop.neigh).
 */
bool
sw_lb_neigh_out(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t family, const uint8_t *nh)
{
	uint8_t mac[6];

	switch (sw_neigh_resolve(&w->neigh, family, nh, w->now_tick, m,
			mac)) {
	case SW_NEIGH_HAVE_PROBE:
		solicit(w, side, family, nh, mac);
		/* fall through */
	case SW_NEIGH_HAVE:
		eth_out(w, side, m, mac);
		return true;
	case SW_NEIGH_QUEUED_SOLICIT:
		solicit(w, side, family, nh, NULL);
		/* fall through */
	case SW_NEIGH_QUEUED:
		w->c.lb.neigh_held++;
		return true;
	case SW_NEIGH_DROP:
		break;
	}
	drop(w, m, SW_DROP_NEIGH);
	w->io->notice(w->io_ctx, side,
		"next hop unresolved, packets dropped (drop.neigh)");
	return false;
}

/* A resolution came: MAC learned, waiting packets go out by `side`. */
static void
neigh_learn(struct sw_engine *w, enum sw_side side, uint8_t family,
		const uint8_t *addr, const uint8_t mac[6], bool solicited)
{
	void *rel[NEIGH_HOLD_ENTRY];
	int n = sw_neigh_learn(&w->neigh, family, addr, mac, w->now_tick,
		solicited, rel, SW_DIM(rel));

	for (int i = 0; i < n; i++) {
		w->c.lb.neigh_released++;
		eth_out(w, side, rel[i], mac);
	}
}

static int
sw_lb_classify_inside(struct sw_engine *w, const uint8_t *frame,
		const struct sw_pkt *p, struct sw_fref *r)
{
	const uint8_t family = fam_of(p);
	const uint8_t *src = ip_addr(frame, p, false);
	const uint8_t *dst = ip_addr(frame, p, true);
	const uint8_t *tcp = frame + p->l4_off;
	const struct sw_lb_ifaddr *sa = &w->snat_addr[sw_lb_fam(family)];
	const struct sw_lb_slot *s;
	uint16_t sport_be, slot;
	int svc;

	r->snat = false;
	if (!(p->flags & SW_PKT_F_TCP))
		return -1;
	/* nat = snat: to the snat_address and a port of snat_ports, a
	 * backend's answer to a flow's local port (engine.c, snat_in()).
	 * The rest of the address's ports are not a flow's. */
	if (sa->family == family &&
			memcmp(sa->addr, dst, sw_lb_addr_len(family)) == 0) {
		if (!sw_snat_in_range(&w->snat_range, p->dst_port))
			return -1;
		r->v6 = family == AF_INET6;
		r->snat = true;
		r->lport = p->dst_port;
		r->hashed = false;
		r->drain = false;
		return -1;
	}
	/* To synwall itself (health check answers) is not a client's. */
	if (memcmp(w->own[SW_INSIDE][sw_lb_fam(family)].addr, dst,
			sw_lb_addr_len(family)) == 0)
		return -1;
	memcpy(&sport_be, tcp, 2);
	slot = sw_lb_rev_lookup(w->gen, family, src, sport_be, false, &svc);
	r->drain = false;
	if (slot == SW_LB_NONE && w->gen->drain) {
		/* A port a reload removed: its flows still relay. */
		slot = sw_lb_rev_lookup(w->gen, family, src, sport_be, true,
			&svc);
		r->drain = true;
	}
	if (slot == SW_LB_NONE)
		return -1;
	s = &w->slots[slot];
	/* The flow as the client named it: (client, VIP:port). */
	if (family == AF_INET) {
		r->v6 = false;
		memcpy(&r->key.v4.caddr, ip_addr(frame, p, true), 4);
		memcpy(&r->key.v4.saddr, s->vip, 4);
		memcpy(&r->key.v4.cport, tcp + 2, 2);
		r->key.v4.sport = s->port_be != 0 ? s->vport_be : sport_be;
	} else {
		r->v6 = true;
		memcpy(r->key.v6.caddr, ip_addr(frame, p, true), 16);
		memcpy(r->key.v6.saddr, s->vip, 16);
		memcpy(&r->key.v6.cport, tcp + 2, 2);
		r->key.v6.sport = s->port_be != 0 ? s->vport_be : sport_be;
	}
	r->hashed = false;
	r->slot = slot;
	r->svc = svc;
	return r->drain ? -1 : svc;
}

static uint16_t
sw_lb_pick(struct sw_engine *w, struct sw_fref *r)
{
	const uint16_t *t = w->gen->maglev[r->svc][r->v6 ? SW_LB_V6 : SW_LB_V4];
	uint32_t h = flow_hash(w, r);

	if (t == NULL)
		return SW_LB_NONE;
	/* The top bits also pick the owning worker: mix them (murmur3's
	 * finaliser) so that each worker's flows spread over the table. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return sw_maglev_lookup(t, w->gen->maglev_size, h);
}

/*
 * A client -> VIP segment of a flow on backend `s` as the backend must
 * get it: to its address and port; nat = snat (a local port), from the
 * snat_address and that port too.
 */
static inline void
nat_to_backend(const struct sw_engine *w, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_lb_slot *s,
		uint16_t lport)
{
	const uint16_t dport_be = s->port_be != 0 ? s->port_be :
		htons(p->dst_port);

	if (lport == 0)
		sw_nat_tcp(frame, p, true, s->addr, dport_be);
	else
		sw_nat_tcp_full(frame, p,
			w->snat_addr[sw_lb_fam(s->family)].addr, htons(lport),
			s->addr, dport_be);
}

static bool
sw_lb_to_backend(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_flow *f)
{
	const uint16_t slot = *flow_backend(f);
	const struct sw_lb_slot *s = &w->slots[slot];
	const uint32_t len = m->len;

	if (unlikely(!sw_nat_ttl_dec(frame, p))) {
		drop(w, m, SW_DROP_TTL);
		return false;
	}
	nat_to_backend(w, frame, p, s, *flow_lport(f));
	if (!sw_lb_neigh_out(w, SW_INSIDE, m, s->family, s->addr))
		return false;
	w->bc[slot].to_pkts++;
	w->bc[slot].to_bytes += len;
	return true;
}

/* The outside next hop towards a client: itself, or the gateway. */
const uint8_t *
sw_lb_next_hop_out(const struct sw_engine *w, uint8_t family,
		const uint8_t *dst)
{
	const unsigned int f = sw_lb_fam(family);

	if (sw_lb_on_link(&w->own[SW_OUTSIDE][f], family, dst))
		return dst;
	return w->has_gateway[f] ? w->gateway[f] : NULL;
}

static bool
sw_lb_to_client(struct sw_engine *w, struct sw_frame *m, uint8_t *frame,
		const struct sw_pkt *p, const struct sw_flow *f)
{
	const uint16_t slot = *flow_backend(f);
	const uint16_t lport = *flow_lport(f);
	const struct sw_lb_slot *s = &w->slots[slot];
	const uint16_t sport_be = s->port_be != 0 ? s->vport_be :
		htons(p->src_port);
	const uint32_t len = m->len;
	const uint8_t *nh;

	if (unlikely(!sw_nat_ttl_dec(frame, p))) {
		drop(w, m, SW_DROP_TTL);
		return false;
	}
	/* From the VIP; nat = snat: to the client again, from the key. */
	if (lport == 0) {
		sw_nat_tcp(frame, p, false, s->vip, sport_be);
	} else if (s->family == AF_INET) {
		const struct sw_fkey4 *k = flow_key4(f);

		sw_nat_tcp_full(frame, p, s->vip, sport_be,
			(const uint8_t *)&k->caddr, k->cport);
	} else {
		const struct sw_fkey6 *k = flow_key6(f);

		sw_nat_tcp_full(frame, p, s->vip, sport_be, k->caddr,
			k->cport);
	}
	nh = sw_lb_next_hop_out(w, s->family, ip_addr(frame, p, true));
	if (unlikely(nh == NULL)) {
		drop(w, m, SW_DROP_NO_ROUTE);
		return false;
	}
	if (!sw_lb_neigh_out(w, SW_OUTSIDE, m, s->family, nh))
		return false;
	w->bc[slot].from_pkts++;
	w->bc[slot].from_bytes += len;
	return true;
}

static void
sw_lb_syn_to_backend(struct sw_engine *w, struct sw_frame *m,
		const struct sw_flow *f)
{
	const struct sw_lb_slot *s = &w->slots[*flow_backend(f)];
	uint8_t *frame = m->data;
	struct sw_pkt p;

	if (unlikely(sw_parse(&p, frame, m->len) !=
			SW_PARSE_OK)) {
		frame_free(w, m);	/* built by us: cannot happen */
		return;
	}
	nat_to_backend(w, frame, &p, s, *flow_lport(f));
	sw_lb_neigh_out(w, SW_INSIDE, m, s->family, s->addr);
}

static void
sw_lb_icmp_to_backend(struct sw_engine *w, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p,
		const struct sw_icmp_quote *q, const struct sw_flow *f)
{
	const struct sw_lb_slot *s = &w->slots[*flow_backend(f)];
	const uint16_t lport = *flow_lport(f);
	uint16_t qport_be;

	/* The quote is a segment we sent from VIP:vport: it becomes one
	 * from the backend, as the backend sent it; nat = snat: to the
	 * snat_address and local port it sent it to. */
	memcpy(&qport_be, frame + q->tcp_off, 2);
	if (unlikely(!sw_nat_ttl_dec(frame, p))) {
		drop(w, m, SW_DROP_TTL);
		return;
	}
	if (lport == 0)
		sw_nat_icmp(frame, p, q, true, s->addr,
			s->port_be != 0 ? s->port_be : qport_be);
	else
		sw_nat_icmp_full(frame, p, q, true, s->addr,
			s->port_be != 0 ? s->port_be : qport_be,
			w->snat_addr[sw_lb_fam(s->family)].addr,
			htons(lport));
	sw_lb_neigh_out(w, SW_INSIDE, m, s->family, s->addr);
}

/*
 * Is addr (IPv4) ours on `side`: its address, a VIP outside, the
 * snat_address inside?
 */
static bool
owned4(const struct sw_engine *w, enum sw_side side, const uint8_t *addr)
{
	const struct sw_lb_ifaddr *a = &w->own[side][SW_LB_V4];
	uint32_t v;

	if (a->family == AF_INET && memcmp(a->addr, addr, 4) == 0)
		return true;
	if (side != SW_OUTSIDE)
		return w->snat_addr[SW_LB_V4].family == AF_INET &&
			memcmp(w->snat_addr[SW_LB_V4].addr, addr, 4) == 0;
	memcpy(&v, addr, 4);
	for (unsigned int i = 0; i < w->gen->n_vip4; i++)
		if (w->gen->vip4[i] == v)
			return true;
	return false;
}

static bool
owned6(const struct sw_engine *w, enum sw_side side, const uint8_t *addr)
{
	const struct sw_lb_ifaddr *a = &w->own[side][SW_LB_V6];

	if (a->family == AF_INET6 && memcmp(a->addr, addr, 16) == 0)
		return true;
	if (side != SW_OUTSIDE)
		return w->snat_addr[SW_LB_V6].family == AF_INET6 &&
			memcmp(w->snat_addr[SW_LB_V6].addr, addr, 16) == 0;
	for (unsigned int i = 0; i < w->gen->n_vip6; i++)
		if (memcmp(w->gen->vip6[i], addr, 16) == 0)
			return true;
	return false;
}

/* Hand a frame we rewrote in place to TX (no checksum offload). */
static void
send_frame(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		int len)
{
	m->len = (uint16_t)len;
	m->tx = SW_TX_PLAIN;
	tx_enqueue(w, side, m);
}

/*
 * An answer to a resolution (ARP reply, NA) reaches the worker whose
 * queue the NIC picked, but every worker resolves for itself: with
 * steering rings, the others get the same frame, shared, read-only.
 */
static void
share_answer(struct sw_engine *w, enum sw_side side, struct sw_frame *m)
{
	if (!w->steer)
		return;
	m->side = (uint8_t)side;	/* for the others */
	w->io->share(w->io_ctx, m);
}

static bool
sw_lb_shared_answer(struct sw_engine *w, enum sw_side side,
		struct sw_frame *m, const uint8_t *frame,
		const struct sw_pkt *p)
{
	struct sw_arp a;
	struct sw_nd nd;

	if (p->l3 == SW_L3_OTHER && p->ethertype == 0x0806 &&
			sw_arp_parse(frame, p, &a) == 0) {
		neigh_learn(w, side, AF_INET, a.spa, a.sha, a.op == 2);
	} else if (p->l3 == SW_L3_IPV6 && p->l4_proto == IPPROTO_ICMPV6 &&
			sw_nd_parse(frame, p, &nd) == 0 && nd.type == 136) {
		if (nd.has_lla)
			neigh_learn(w, side, AF_INET6, nd.target, nd.lla,
				nd.solicited);
	} else {
		/* lb cluster: a peer's message about a flow we own. */
		return side == SW_INSIDE && sw_cluster_msg(w, m, p, true);
	}
	frame_free(w, m);
	return true;
}

static void
arp_in(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p)
{
	struct sw_arp a;
	int len;

	w->c.lb.arp_rx++;
	if (sw_arp_parse(frame, p, &a) != 0) {
		drop(w, m, SW_DROP_NOT_OURS);
		return;
	}
	/* A request carries its sender's MAC too (RFC 826 "merge"); only
	 * entries we asked for are updated (lib/neigh). */
	neigh_learn(w, side, AF_INET, a.spa, a.sha, a.op == 2);
	if (a.op == 2)
		share_answer(w, side, m);
	if (a.op != 1 || !owned4(w, side, a.tpa)) {
		consume(w, m);
		return;
	}
	len = sw_build_arp(frame, m->cap, 2, a.sha, w->mac[side], a.tpa, a.sha,
		a.spa);
	if (unlikely(len < 0)) {
		drop(w, m, SW_DROP_BUILD);
		return;
	}
	w->c.lb.arp_reply_tx++;
	send_frame(w, side, m, len);
}

static void
nd_in(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p)
{
	static const uint8_t unspec[16];
	static const uint8_t all_nodes[16] = {
		0xff, 0x02, [15] = 0x01,
	};
	static const uint8_t all_nodes_mac[6] = {
		0x33, 0x33, 0, 0, 0, 0x01,
	};
	struct sw_nd nd;
	bool from_unspec;
	int len;

	w->c.lb.nd_rx++;
	if (sw_nd_parse(frame, p, &nd) != 0) {
		drop(w, m, SW_DROP_NOT_OURS);
		return;
	}
	if (nd.type == 136) {
		if (nd.has_lla) {
			neigh_learn(w, side, AF_INET6, nd.target, nd.lla,
				nd.solicited);
			share_answer(w, side, m);
		}
		consume(w, m);
		return;
	}
	from_unspec = memcmp(nd.src, unspec, 16) == 0;
	if (nd.has_lla && !from_unspec)
		neigh_learn(w, side, AF_INET6, nd.src, nd.lla, false);
	if (!owned6(w, side, nd.target)) {
		consume(w, m);
		return;
	}
	/* RFC 4861 §7.2.4: to the soliciting node, or all-nodes when it
	 * has no address yet (then not "solicited"). */
	len = sw_build_na(frame, m->cap, w->mac[side],
		from_unspec ? all_nodes_mac : nd.has_lla ? nd.lla : frame + 6,
		nd.target, from_unspec ? all_nodes : nd.src, !from_unspec);
	if (unlikely(len < 0)) {
		drop(w, m, SW_DROP_BUILD);
		return;
	}
	w->c.lb.na_tx++;
	send_frame(w, side, m, len);
}

/*
 * An answer to one of our health checks: SYN-ACK (passes) or RST
 * (refused). The check's ISN names its slot in its low bits, so the
 * ack does (the main lcore matches the whole ISN).
 */
static void
probe_in(struct sw_engine *w, struct sw_frame *m, const struct sw_pkt *p)
{
	const unsigned int slot = (p->ack - 1) & (SW_LB_SLOTS - 1);
	const uint8_t f = p->tcp_flags;
	const bool ok = (f & (SW_TCP_SYN | SW_TCP_ACK | SW_TCP_RST)) ==
		(SW_TCP_SYN | SW_TCP_ACK);
	uint64_t a;

	w->c.lb.probe_rx++;
	if (f & SW_TCP_RST) {
		a = SW_LB_ANSWER(slot, false, p->ack);
		/* Full: the check times out on the main lcore instead. */
		w->io->answer(w->io_ctx, a);
		consume(w, m);
		return;
	}
	if (!(f & SW_TCP_ACK)) {
		drop(w, m, SW_DROP_NOT_OURS);
		return;
	}
	if (ok) {
		a = SW_LB_ANSWER(slot, true, p->ack);
		w->io->answer(w->io_ctx, a);
	}
	/* Close the half-open connection the check made; a bare ACK
	 * (RFC 5961 §4: the backend still holds an older check on these
	 * ports) is answered the same way, and the next round passes. */
	reply_rst(w, SW_INSIDE, m, p, 64, NULL);
}

static void
sw_lb_other(struct sw_engine *w, enum sw_side side, struct sw_frame *m,
		uint8_t *frame, const struct sw_pkt *p)
{
	if (p->l3 == SW_L3_OTHER) {
		if (p->ethertype == 0x0806)
			arp_in(w, side, m, frame, p);
		else if (side != SW_INSIDE || !sw_cluster_msg(w, m, p, false))
			drop(w, m, SW_DROP_UNPROTECTED);
		return;
	}
	if (p->l3 == SW_L3_IPV6 && p->l4_proto == IPPROTO_ICMPV6 &&
			!(p->flags & SW_PKT_F_L4_NONE) &&
			p->l4_off < p->ip_end &&
			(frame[p->l4_off] == 135 || frame[p->l4_off] == 136)) {
		nd_in(w, side, m, frame, p);
		return;
	}
	/* Health checks leave from the inside address (not an
	 * snat_address of its own), from ports above snat_ports. */
	if (side == SW_INSIDE && (p->flags & SW_PKT_F_TCP) &&
			p->dst_port >= SW_LB_PROBE_PORT0 &&
			w->own[SW_INSIDE][sw_lb_fam(fam_of(p))].family ==
			fam_of(p) && memcmp(w->own[SW_INSIDE][sw_lb_fam(
				fam_of(p))].addr, ip_addr(frame, p, true),
				sw_lb_addr_len(fam_of(p))) == 0) {
		probe_in(w, m, p);
		return;
	}
	/* lb mode routes its services only. */
	drop(w, m, SW_DROP_UNPROTECTED);
}

/* A health check: a SYN from the inside address to the backend. */
static void
probe_send(struct sw_engine *w, unsigned int slot, uint32_t seq)
{
	const struct sw_lb_slot *s = &w->slots[slot];
	const struct sw_lb_ifaddr *own;
	struct sw_check_syn_params cp;
	struct sw_frame *m;
	int len;
	/* A new source port each round (from the ISN's high bits): a
	 * backend still holding the last check's half-open connection
	 * would take the same ports for a duplicate. */
	const uint16_t sport = (uint16_t)(SW_LB_PROBE_PORT0 +
		((slot + (seq >> 22)) & (SW_LB_SLOTS - 1)));

	if (slot >= SW_LB_SLOTS || s->family == 0)
		return;
	own = &w->own[SW_INSIDE][sw_lb_fam(s->family)];
	if (own->family != s->family)
		return;
	cp.family = s->family;
	cp.src = own->addr;
	cp.dst = s->addr;
	cp.sport_be = htons(sport);
	cp.dport_be = s->check_port_be;
	cp.seq = seq;
	cp.mss = s->family == AF_INET ? 1460 : 1440;
	cp.window = 65535;
	cp.ttl = 64;
	m = frame_alloc(w);
	if (unlikely(m == NULL)) {
		w->c.drop[SW_DROP_NO_MBUF]++;
		return;
	}
	len = sw_build_check_syn(m->data, m->cap, &cp);
	if (unlikely(len < 0)) {
		frame_free(w, m);
		return;
	}
	m->len = (uint16_t)len;
	m->tx = SW_TX_PLAIN;
	w->c.lb.probe_tx++;
	sw_lb_neigh_out(w, SW_INSIDE, m, s->family, s->addr);
}

static void
sw_lb_poll(struct sw_engine *w, uint64_t now, const uint64_t *checks,
		unsigned int n_checks)
{
	struct sw_neigh_event ev[NEIGH_EVENTS];
	void *freed[NEIGH_HOLD_ENTRY * 4];
	unsigned int n_ev, n_freed = 0;

	w->now_tick = now / w->tick_tsc;
	if (unlikely(w->n_peers != 0))
		sw_cluster_poll(w);
	for (unsigned int i = 0; i < n_checks; i++)
		probe_send(w, checks[i] & 0xffff,
			(uint32_t)(checks[i] >> 32));
	/* Neighbour ageing and re-solicitation: once per tick (1 ms). */
	if (w->now_tick == w->neigh_tick_at)
		return;
	w->neigh_tick_at = w->now_tick;
	n_ev = sw_neigh_tick(&w->neigh, w->now_tick, ev, SW_DIM(ev), freed,
		SW_DIM(freed), &n_freed);
	for (unsigned int i = 0; i < n_ev; i++)
		solicit(w, side_of(w, ev[i].family, ev[i].addr), ev[i].family,
			ev[i].addr, NULL);
	for (unsigned int i = 0; i < n_freed; i++) {
		w->c.lb.neigh_failed++;
		w->c.drop[SW_DROP_NEIGH]++;
		frame_free(w, freed[i]);
	}
}

const struct sw_egress sw_egress_lb = {
	.classify_inside = sw_lb_classify_inside,
	.other = sw_lb_other,
	.shared = sw_lb_shared_answer,
	.pick = sw_lb_pick,
	.to_server = sw_lb_to_backend,
	.to_client = sw_lb_to_client,
	.syn_to_server = sw_lb_syn_to_backend,
	.icmp_to_server = sw_lb_icmp_to_backend,
	.poll = sw_lb_poll,
	.first_contact = false,		/* the backend SYN probes instead */
	.icmp_inside = false,		/* on-link backends: no router cuts */
};
