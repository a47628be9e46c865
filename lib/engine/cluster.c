/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lb cluster: flows survive a rehash (docs/cluster.md, "Flow
 * ownership"). Several nodes share the VIPs behind ECMP routers and one
 * inside L2 segment; the node whose cookie check made a flow owns it
 * until it ends. Over the inside link:
 *
 *  - claims: a node that makes a flow tells every peer ("claim"), and
 *    again when it frees it ("release"). A peer keeps a foreign entry
 *    (SW_FS_FOREIGN, the owner's index in the backend word) in its own
 *    flow table, found by the lookup every segment has anyway, before
 *    any cookie check: a segment of a flow that moved to it, even one
 *    whose ACK still proves a valid cookie, goes to the owner instead of
 *    opening a second backend connection.
 *  - forwarding: such a segment leaves by the inside port unchanged at
 *    L3, to the owner's inside MAC. The owner knows it by where it came
 *    from and where it goes (the inside port, to a VIP and service port:
 *    nothing else sends that there) and takes it as if from outside;
 *    its answers leave by its own outside port. A segment from a peer
 *    is never sent on to a peer again.
 *  - lookups: a segment with no entry and no valid cookie (a flow made
 *    before this node was up, or whose claim was lost) is dropped, and
 *    the peers are asked whose it is (bounded per worker); the owner
 *    answers with a claim, and the client's retransmission goes there.
 *  - liveness: worker 0 says hello to every peer five times per
 *    peer_timeout, with an id of this start. A peer that said hello and
 *    then nothing for peer_timeout is gone, and a new id means it
 *    started again: either way the flows it owned before cannot be
 *    relayed by anyone, and a client segment on their foreign entries
 *    is answered with a RST (the client reconnects at once instead of
 *    retransmitting into a black hole until it gives up).
 *
 * Control frames are Ethernet, EtherType 0x88B5 (IEEE 802 local
 * experimental), 64 bytes after the header (below), one flow each. The
 * inside segment is trusted as it is for ARP: a claim moves where a
 * flow's segments go, never what is done with them (the owner checks
 * them as it checks any outside segment).
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sw_nat.h"
#include "sw_service.h"
#include "sw_engine.h"
#include "sw_engine_inl.h"

/* The message, after the Ethernet header (docs/cluster.md). */
struct sw_cluster_msg {
	uint8_t magic[2];		/* "SW" */
	uint8_t version;		/* MSG_VERSION */
	uint8_t op;			/* enum sw_cluster_op */
	uint8_t family;			/* the flow's: 4 or 6 */
	uint8_t pad[3];
	uint8_t from4[4];		/* the sender's inside addresses, */
	uint8_t from6[16];		/* zero for none */
	uint16_t cport;			/* network order */
	uint16_t vport;
	uint8_t caddr[16];		/* client (IPv4: the first 4 bytes); */
					/* hello: the start's id, 8 bytes */
	uint8_t vaddr[16];		/* VIP */
};

#define MSG_LEN		64
#define MSG_VERSION	1
#define ETH_LEN		14
#define VLAN_LEN	4

static_assert(sizeof(struct sw_cluster_msg) == MSG_LEN, "the wire size");

/* A control frame's message, copied out (frames need not be aligned). */
static bool
msg_read(const struct sw_frame *m, const struct sw_pkt *p,
		struct sw_cluster_msg *msg)
{
	const uint32_t off = ETH_LEN + VLAN_LEN * (uint32_t)p->n_vlan;

	if (p->l3 != SW_L3_OTHER || p->ethertype != SW_CLUSTER_ETHERTYPE ||
			m->len < off + MSG_LEN)
		return false;
	memcpy(msg, m->data + off, MSG_LEN);
	return true;
}

static void
send_msg(struct sw_engine *w, enum sw_cluster_op op, bool v6,
		const void *key, unsigned int peer)
{
	const struct sw_cluster_peer *pe = &w->peers[peer];
	const struct sw_lb_ifaddr *own = w->own[SW_INSIDE];
	struct sw_frame *m = frame_alloc(w);
	struct sw_cluster_msg msg;

	if (unlikely(m == NULL || m->cap < ETH_LEN + MSG_LEN)) {
		if (m != NULL)
			frame_free(w, m);
		w->c.cluster.msg_no_mbuf++;
		return;
	}
	memset(&msg, 0, sizeof(msg));
	msg.magic[0] = 'S';
	msg.magic[1] = 'W';
	msg.version = MSG_VERSION;
	msg.op = (uint8_t)op;
	msg.family = v6 ? 6 : 4;
	if (own[SW_LB_V4].family == AF_INET)
		memcpy(msg.from4, own[SW_LB_V4].addr, 4);
	if (own[SW_LB_V6].family == AF_INET6)
		memcpy(msg.from6, own[SW_LB_V6].addr, 16);
	if (v6) {
		const struct sw_fkey6 *k = key;

		msg.cport = k->cport;
		msg.vport = k->sport;
		memcpy(msg.caddr, k->caddr, 16);
		memcpy(msg.vaddr, k->saddr, 16);
	} else {
		const struct sw_fkey4 *k = key;

		msg.cport = k->cport;
		msg.vport = k->sport;
		memcpy(msg.caddr, &k->caddr, 4);
		memcpy(msg.vaddr, &k->saddr, 4);
	}
	/* Ethernet addresses: neigh_out's, for the peer. */
	memset(m->data, 0, ETH_LEN);
	if (op == SW_CLUSTER_HELLO)
		for (unsigned int i = 0; i < 8; i++)
			msg.caddr[i] = (uint8_t)(w->boot_id >> (56 - 8 * i));
	m->data[12] = SW_CLUSTER_ETHERTYPE >> 8;
	m->data[13] = SW_CLUSTER_ETHERTYPE & 0xff;
	memcpy(m->data + ETH_LEN, &msg, MSG_LEN);
	m->len = ETH_LEN + MSG_LEN;
	m->tx = SW_TX_PLAIN;
	switch (op) {
	case SW_CLUSTER_CLAIM:
		w->c.cluster.claim_tx++;
		break;
	case SW_CLUSTER_RELEASE:
		w->c.cluster.release_tx++;
		break;
	case SW_CLUSTER_LOOKUP:
		w->c.cluster.lookup_tx++;
		break;
	case SW_CLUSTER_SYNC:
		w->c.cluster.sync_tx++;
		break;
	case SW_CLUSTER_HELLO:
		w->c.cluster.hello_tx++;
		break;
	}
	/* Resolved like any inside next hop; held meanwhile. */
	sw_lb_neigh_out(w, SW_INSIDE, m, pe->family, pe->addr);
}

void
sw_cluster_tell(struct sw_engine *w, enum sw_cluster_op op, bool v6,
		const void *key, unsigned int to)
{
	for (unsigned int i = 0; i < w->n_peers; i++)
		if (to == SW_CLUSTER_ALL || to == i)
			send_msg(w, op, v6, key, i);
}

/* The peer that sent a message (by its inside addresses), or -1. */
static int
msg_peer(const struct sw_engine *w, const struct sw_cluster_msg *msg)
{
	for (unsigned int i = 0; i < w->n_peers; i++) {
		const struct sw_cluster_peer *pe = &w->peers[i];

		if (pe->family == AF_INET ?
				memcmp(msg->from4, pe->addr, 4) == 0 :
				memcmp(msg->from6, pe->addr, 16) == 0)
			return (int)i;
	}
	return -1;
}

/* The flow a message names, keyed as its client's segments are; its
 * service here, or -1. */
static int
msg_key(const struct sw_engine *w, const struct sw_cluster_msg *msg,
		struct sw_fref *r)
{
	memset(r, 0, sizeof(*r));
	if (msg->family == 4) {
		r->key.v4.cport = msg->cport;
		r->key.v4.sport = msg->vport;
		memcpy(&r->key.v4.caddr, msg->caddr, 4);
		memcpy(&r->key.v4.saddr, msg->vaddr, 4);
		r->svc = sw_svc_lookup4(w->svc, r->key.v4.saddr,
			ntohs(r->key.v4.sport));
	} else {
		r->v6 = true;
		r->key.v6.cport = msg->cport;
		r->key.v6.sport = msg->vport;
		memcpy(r->key.v6.caddr, msg->caddr, 16);
		memcpy(r->key.v6.saddr, msg->vaddr, 16);
		r->svc = sw_svc_lookup6(w->svc, r->key.v6.saddr,
			ntohs(r->key.v6.sport));
	}
	return r->svc;
}

/* A peer's hello: up now; a new start's id is a new epoch of its flows. */
static void
hello_in(struct sw_engine *w, unsigned int peer,
		const struct sw_cluster_msg *msg)
{
	struct sw_cluster_live *l = &w->live[peer];
	uint64_t boot = 0;

	for (unsigned int i = 0; i < 8; i++)
		boot = boot << 8 | msg->caddr[i];
	if (boot == 0) {
		w->c.cluster.msg_bad++;		/* ids are never 0 */
		return;
	}
	w->c.cluster.hello_rx++;
	if (l->boot != 0 && l->boot != boot) {
		l->epoch++;
		if (w->id == 0)
			w->c.cluster.peer_restart++;
	}
	l->boot = boot;
	l->seen = w->now;
	l->down = false;
}

uint32_t
sw_cluster_epoch(const struct sw_engine *w, uint32_t peer)
{
	return peer < SW_CLUSTER_PEERS ? w->live[peer].epoch : 0;
}

bool
sw_cluster_gone(const struct sw_engine *w, uint32_t peer, uint32_t epoch)
{
	const struct sw_cluster_live *l;

	if (w->peer_timeout == 0 || peer >= w->n_peers)
		return false;
	l = &w->live[peer];
	/* A peer that never said hello (one that predates hellos, or
	 * whose first is on its way) is never judged. */
	return l->boot != 0 && (epoch != l->epoch ||
		w->now - l->seen > w->peer_timeout);
}

bool
sw_cluster_msg(struct sw_engine *w, struct sw_frame *m, const struct sw_pkt *p,
		bool shared)
{
	struct sw_cluster_msg msg;
	struct sw_fref r;
	int peer;

	if (!msg_read(m, p, &msg))
		return false;	/* not ours: the caller's to drop */
	if (w->n_peers == 0 || msg.magic[0] != 'S' || msg.magic[1] != 'W' ||
			msg.version != MSG_VERSION ||
			msg.op < SW_CLUSTER_CLAIM || msg.op > SW_CLUSTER_HELLO ||
			(msg.family != 4 && msg.family != 6) ||
			(peer = msg_peer(w, &msg)) < 0) {
		w->c.cluster.msg_bad++;
		w->dead[w->n_dead++] = m;
		return true;
	}
	/* A peer that started asks for our flows: every worker walks its
	 * own table (the others are shown the frame, as ARP answers). A
	 * hello, too, every worker takes: each judges its own entries. */
	if (msg.op == SW_CLUSTER_SYNC || msg.op == SW_CLUSTER_HELLO) {
		if (msg.op == SW_CLUSTER_HELLO) {
			hello_in(w, (unsigned int)peer, &msg);
		} else {
			w->c.cluster.sync_rx++;
			sw_flow_sync_start(w, (uint8_t)peer);
		}
		if (w->steer && !shared) {
			m->side = SW_INSIDE;
			w->io->share(w->io_ctx, m);
		}
		w->dead[w->n_dead++] = m;
		return true;
	}
	if (msg_key(w, &msg, &r) < 0) {
		/* A node that is not a peer here, a flow of no service
		 * here (configs that differ), or garbage. */
		w->c.cluster.msg_bad++;
		w->dead[w->n_dead++] = m;
		return true;
	}
	/* The worker that owns the flow keeps its entry. */
	if (w->steer) {
		const uint16_t owner = flow_owner(w, flow_hash(w, &r));

		if (owner != w->id) {
			m->side = SW_INSIDE;
			steer(w, m, owner);
			return true;
		}
	}
	switch ((enum sw_cluster_op)msg.op) {
	case SW_CLUSTER_CLAIM:
		w->c.cluster.claim_rx++;
		sw_flow_claimed(w, &r, (uint8_t)peer, w->now);
		break;
	case SW_CLUSTER_RELEASE:
		w->c.cluster.release_rx++;
		sw_flow_released(w, &r, (uint8_t)peer);
		break;
	case SW_CLUSTER_LOOKUP:
		w->c.cluster.lookup_rx++;
		if (sw_flow_owns(w, &r))
			sw_cluster_tell(w, SW_CLUSTER_CLAIM, r.v6, &r.key,
				(unsigned int)peer);
		else
			w->c.cluster.lookup_miss++;
		break;
	case SW_CLUSTER_SYNC:
	case SW_CLUSTER_HELLO:
		break;		/* taken above */
	}
	w->dead[w->n_dead++] = m;
	return true;
}

void
sw_cluster_forward(struct sw_engine *w, struct sw_frame *m, uint32_t peer)
{
	const struct sw_cluster_peer *pe;

	/* A reload that shortened the list: the claim's peer is gone. */
	if (unlikely(peer >= w->n_peers)) {
		drop(w, m, SW_DROP_PEER_NOFLOW);
		return;
	}
	pe = &w->peers[peer];
	/* As received: L3 and the NIC's verdicts untouched. */
	m->tx = SW_TX_AS_RECEIVED;
	if (sw_lb_neigh_out(w, SW_INSIDE, m, pe->family, pe->addr))
		w->c.cluster.fwd_tx++;
}

void
sw_cluster_peer_in(struct sw_engine *w, struct sw_frame *m,
		const struct sw_pkt *p)
{
	static const uint8_t none[6];
	const uint8_t family = p->l3 == SW_L3_IPV4 ? AF_INET : AF_INET6;
	const uint8_t *nh = sw_lb_next_hop_out(w, family,
		ip_addr(m->data, p, false));
	const struct sw_neigh_entry *e = nh == NULL ? NULL :
		sw_neigh_lookup(&w->neigh, family, nh);

	/* As if the client's next hop had sent it to our outside port:
	 * answers built in place (challenge ACKs, "too big") swap these
	 * and leave by the outside. Our relays rewrite them anyway. A
	 * next hop we never resolved (we relay to it all the time, so
	 * hardly) gets those answers to no one: the client retries. */
	sw_eth_set(m->data, w->mac[SW_OUTSIDE], e != NULL &&
		e->state != SW_NEIGH_INCOMPLETE ? e->mac : none);
	w->c.cluster.fwd_rx++;
}

bool
sw_cluster_lookup(struct sw_engine *w, struct sw_frame *m,
		const struct sw_fref *r, uint64_t now)
{
	if (!gcra_allow(&w->lookup, &w->lookup_tat, now)) {
		w->c.cluster.lookup_limited++;
		return false;
	}
	sw_cluster_tell(w, SW_CLUSTER_LOOKUP, r->v6, &r->key, SW_CLUSTER_ALL);
	drop(w, m, SW_DROP_LOOKUP);
	return true;
}

/* Worker 0: hellos to every peer, and which peers fell silent. */
static void
hello_poll(struct sw_engine *w)
{
	static const struct sw_fkey4 none;

	w->hello_at = w->now + w->peer_timeout / 5;
	sw_cluster_tell(w, SW_CLUSTER_HELLO, false, &none, SW_CLUSTER_ALL);
	for (unsigned int i = 0; i < w->n_peers; i++) {
		struct sw_cluster_live *l = &w->live[i];

		if (l->boot != 0 && !l->down &&
				w->now - l->seen > w->peer_timeout) {
			l->down = true;
			w->c.cluster.peer_down++;
		}
	}
}

void
sw_cluster_poll(struct sw_engine *w)
{
	/* First, so that a peer learns of a new start before any claim
	 * of it. */
	if (w->peer_timeout != 0 && w->id == 0 && w->now >= w->hello_at)
		hello_poll(w);
	/* Once, at start: flows the peers made while this node was down
	 * or not yet up are claimed to it (docs/cluster.md, "The race"). */
	if (unlikely(!w->sync_asked) && w->id == 0) {
		static const struct sw_fkey4 none;

		w->sync_asked = true;
		sw_cluster_tell(w, SW_CLUSTER_SYNC, false, &none,
			SW_CLUSTER_ALL);
	}
	sw_flow_sync(w);
}
