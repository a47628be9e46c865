/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames the engines send, the parse of what comes back, latencies. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_tcp.h>

#include "sw_cksum.h"
#include "sw_parse.h"
#include "swb.h"

void
swb_opt_ts_kind(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 8;
	o[1] = 10;
	tsval = rte_cpu_to_be_32(tsval);
	tsecr = rte_cpu_to_be_32(tsecr);
	memcpy(o + 2, &tsval, 4);
	memcpy(o + 6, &tsecr, 4);
}

void
swb_opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 1;
	o[1] = 1;
	swb_opt_ts_kind(o + 2, tsval, tsecr);
}

void
swb_client6(uint64_t h, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[3] = 0x02;			/* 2001:2::/48 */
	for (unsigned int i = 0; i < 8; i++)
		a[8 + i] = (uint8_t)(h >> (56 - 8 * i));
	a[15] |= 1;			/* never the subnet-router anycast */
}

/*
 * One segment over IPv4 or IPv6 (s->saddr6): Ethernet from the `from`
 * side's MACs, the IP header, TCP with its options and a recognisable
 * payload (the sequence number's low byte onwards), checksums computed.
 */
struct rte_mbuf *
swb_seg_build(struct swb *b, enum sw_side from, const struct swb_seg *s)
{
	const bool v6 = s->saddr6 != NULL;
	const uint16_t thl = (uint16_t)(sizeof(struct rte_tcp_hdr) + s->opts_len);
	const uint16_t ip_hlen = v6 ? sizeof(struct rte_ipv6_hdr) :
		sizeof(struct rte_ipv4_hdr);
	const uint16_t len = (uint16_t)(sizeof(struct rte_ether_hdr) +
		ip_hlen + thl + s->payload);
	struct rte_mbuf *m = rte_pktmbuf_alloc(b->pool);
	struct rte_ether_hdr *eth;
	struct rte_tcp_hdr *tcp;
	uint8_t *data;

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_tailroom(m) < len) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	tcp = (struct rte_tcp_hdr *)((uint8_t *)(eth + 1) + ip_hlen);
	rte_ether_addr_copy(&b->mac_src[from], &eth->src_addr);
	rte_ether_addr_copy(&b->mac_dst[from], &eth->dst_addr);
	eth->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 :
		RTE_ETHER_TYPE_IPV4);
	tcp->src_port = rte_cpu_to_be_16(s->sport);
	tcp->dst_port = rte_cpu_to_be_16(s->dport);
	tcp->sent_seq = rte_cpu_to_be_32(s->seq);
	tcp->recv_ack = rte_cpu_to_be_32(s->ack);
	tcp->data_off = (uint8_t)((thl / 4) << 4);
	tcp->tcp_flags = s->flags;
	tcp->rx_win = rte_cpu_to_be_16(s->window);
	tcp->cksum = 0;
	tcp->tcp_urp = 0;
	data = (uint8_t *)(tcp + 1);
	if (s->opts_len != 0)
		memcpy(data, s->opts, s->opts_len);
	for (uint16_t i = 0; i < s->payload; i++)
		data[s->opts_len + i] = (uint8_t)(s->seq + i);
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);

		ip->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(thl + s->payload));
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = SWB_TTL;
		memcpy(ip->src_addr, s->saddr6, 16);
		memcpy(ip->dst_addr, s->daddr6, 16);
		tcp->cksum = rte_ipv6_udptcp_cksum(ip, tcp);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(ip_hlen + thl +
			s->payload));
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = SWB_TTL;
		ip->next_proto_id = IPPROTO_TCP;
		ip->hdr_checksum = 0;
		ip->src_addr = s->saddr;
		ip->dst_addr = s->daddr;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	}
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

int
swb_frames_init(struct swb *b, struct swb_frames *f, uint32_t n,
		swb_frame_fn build, char *err, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->data = calloc(n, sizeof(*f->data));
	f->len = calloc(n, sizeof(*f->len));
	if (f->data == NULL || f->len == NULL) {
		swb_frames_free(f);
		snprintf(err, len, "out of memory for %u frames", n);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = build(b, i);

		if (m == NULL || rte_pktmbuf_data_len(m) > SWB_FRAME_MAX) {
			rte_pktmbuf_free(m);
			swb_frames_free(f);
			snprintf(err, len, "could not build frame %u", i);
			return -1;
		}
		f->len[i] = rte_pktmbuf_data_len(m);
		memcpy(f->data[i], rte_pktmbuf_mtod(m, const uint8_t *),
			f->len[i]);
		rte_pktmbuf_free(m);
	}
	f->n = n;
	return 0;
}

uint16_t
swb_frames_send(struct swb *b, struct swb_frames *f, enum sw_side side,
		uint16_t n)
{
	struct rte_mbuf *pkts[SWB_BURST_MAX];

	n = RTE_MIN(n, (uint16_t)SWB_BURST_MAX);
	if (rte_pktmbuf_alloc_bulk(b->pool, pkts, n) != 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		const uint32_t k = f->next;

		rte_memcpy(rte_pktmbuf_mtod(pkts[i], uint8_t *), f->data[k],
			f->len[k]);
		pkts[i]->data_len = f->len[k];
		pkts[i]->pkt_len = f->len[k];
		f->next = k + 1 == f->n ? 0 : k + 1;
	}
	swb_send(b, side, pkts, n);
	return n;
}

void
swb_frames_free(struct swb_frames *f)
{
	free(f->data);
	free(f->len);
	memset(f, 0, sizeof(*f));
}

void
swb_send(struct swb *b, enum sw_side side, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0;

	/* Round robin over the queues: one per DUT worker. */
	if (n == 0)
		return;
	b->txq = (uint16_t)((b->txq + 1) % b->n_queues);
	sent = rte_eth_tx_burst(b->port[side], b->txq, pkts, n);
	b->ps[side].tx += sent;
	if (sent < n) {
		b->ps[side].tx_full += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

bool
swb_parse(const struct rte_mbuf *m, struct sw_pkt *p)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);

	return m->nb_segs == 1 &&
		sw_parse(p, frame, rte_pktmbuf_data_len(m)) == SW_PARSE_OK &&
		p->l3 == SW_L3_IPV4 && (p->flags & SW_PKT_F_TCP);
}

bool
swb_parse6(const struct rte_mbuf *m, struct sw_pkt *p)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);

	return m->nb_segs == 1 &&
		sw_parse(p, frame, rte_pktmbuf_data_len(m)) == SW_PARSE_OK &&
		p->l3 == SW_L3_IPV6 && (p->flags & SW_PKT_F_TCP);
}

bool
swb_cksum_ok(const struct rte_mbuf *m, const struct sw_pkt *p)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);

	return (p->l3 != SW_L3_IPV4 ||
		sw_pkt_ipv4_cksum_verify(frame, p) == 0) &&
		sw_pkt_l4_cksum_verify(frame, p) == 0;
}

bool
swb_hop_ok(const struct swb *b, enum sw_side side, const struct rte_mbuf *m,
		const struct sw_pkt *p, uint8_t ttl)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *) + p->l3_off;

	return rte_is_same_ether_addr(&eth->dst_addr, &b->mac_src[side]) &&
		rte_is_same_ether_addr(&eth->src_addr, &b->mac_dst[side]) &&
		(ttl == 0 || ip[8] == ttl);
}

int
swb_lat_init(struct swb_lat *l, uint32_t cap)
{
	memset(l, 0, sizeof(*l));
	l->v = calloc(cap, sizeof(*l->v));
	if (l->v == NULL)
		return -ENOMEM;
	l->cap = cap;
	return 0;
}

void
swb_lat_add(struct swb *b, struct swb_lat *l, uint64_t ns)
{
	uint32_t v = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;

	l->seen++;
	if (l->n < l->cap) {
		l->v[l->n++] = v;
		return;
	}
	/* Reservoir sampling (Vitter's algorithm R). */
	uint64_t j = swb_rand(b) % l->seen;
	if (j < l->cap)
		l->v[j] = v;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

double
swb_lat_pct(struct swb_lat *l, double q)
{
	size_t i;

	if (l->n == 0)
		return 0;
	qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
	/* Nearest rank. */
	i = (size_t)(q / 100.0 * l->n + 0.999999);
	if (i > 0)
		i--;
	if (i >= l->n)
		i = l->n - 1;
	return l->v[i] / 1000.0;
}

void
swb_lat_free(struct swb_lat *l)
{
	free(l->v);
	l->v = NULL;
}
