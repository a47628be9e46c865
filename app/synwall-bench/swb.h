/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synwall-bench: a traffic generator and meter with testpmd's habits.
 *
 * The main lcore runs one traffic engine (a small struct of functions,
 * one short file each, like testpmd's forwarding engines) against a
 * device under test (DUT) reached through two ports: the outside one,
 * where the engine plays the clients, and the inside one, where it plays
 * the servers. The DUT is synwall itself in this process (net_ring pairs,
 * its worker on the other lcores), a reference loop in its place (5tswap
 * or io, as testpmd's), or another process behind real ports.
 *
 * synwall in this process runs inline (a bump in the wire: the servers
 * have the address the clients connect to) or, with --lb, as a load
 * balancer (docs/lb.md): the clients connect to a VIP, the server side
 * is one backend at another address, every relayed segment is NATed,
 * its TTL decremented and its Ethernet header written by synwall.
 */
#ifndef SWB_H
#define SWB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sw_config.h"
#include "sw_pkt.h"

#define SWB_BURST_MAX	256
#define SWB_QUEUES_MAX	16

/* Where the packets go. */
enum swb_dut {
	SWB_DUT_SYNWALL,	/* synwall's workers, in this process */
	SWB_DUT_5TSWAP,		/* reference: swap and send back (testpmd) */
	SWB_DUT_IO,		/* reference: forward to the other port */
	SWB_DUT_RXONLY,		/* reference: receive and free (testpmd) */
	SWB_DUT_EXTERNAL,	/* another process, behind --ports */
};

/* The DUT's counters, read by the main lcore (in-process DUTs only). */
struct swb_dut_stats {
	uint64_t rx;			/* packets received, both ports */
	uint64_t tx;			/* packets sent, both ports */
	uint64_t busy_cycles;		/* TSC on bursts that had packets */
	/* synwall only: where every received packet went */
	uint64_t drops;			/* counted by reason */
	uint64_t malformed;
	uint64_t originated;		/* backend SYNs it made; lb: and its */
					/* ARP/NS and health checks */
	uint64_t consumed;		/* ended in synwall with no drop */
	uint64_t holding;		/* held in hand-off now; lb: and */
					/* waiting for a next hop's MAC */
	uint64_t synack_tx;
	uint64_t cookie_ok;
	uint64_t cookie_bad;
	uint64_t flows_active;
	uint64_t established;
};

struct swb_port_stats {
	uint64_t tx;			/* taken by the port */
	uint64_t tx_full;		/* refused by the port, freed */
	uint64_t rx;
};

struct swb;

/* Report a named figure: `unit` is "" for plain counts. */
typedef void (*swb_put_fn)(void *arg, const char *name, double v,
		const char *unit);

struct swb_engine {
	const char *name;
	const char *what;		/* one line for --help */
	bool needs_synwall;		/* meaningless against a reference */
	/* Allocate state; 0 or -errno with one line in err. */
	int (*init)(struct swb *b, char *err, size_t len);
	/* Start at most `budget` packets (or connections); returns how
	 * many it started. Called only while generating. */
	uint32_t (*generate)(struct swb *b, uint32_t budget, uint64_t now);
	/* Past its warm-up (flows opened)? NULL: from the start. */
	bool (*measuring)(struct swb *b);
	/* The measured window opens (start) or closes: note counters. */
	void (*window)(struct swb *b, bool start);
	/* Packets from the DUT on `side`: consume (free or reuse) them. */
	void (*receive)(struct swb *b, enum sw_side side,
			struct rte_mbuf **pkts, uint16_t n, uint64_t now);
	/* The figures of the summary and the JSON. */
	void (*report)(struct swb *b, swb_put_fn put, void *arg);
	/* After the drain: do the counters add up? 0, or -1 with why.
	 * d is NULL when the DUT's counters are out of reach. */
	int (*account)(struct swb *b, const struct swb_dut_stats *d,
			char *why, size_t len);
	void (*fini)(struct swb *b);
};

extern const struct swb_engine swb_synflood;
extern const struct swb_engine swb_ackflood;
extern const struct swb_engine swb_handshake;
extern const struct swb_engine swb_relay;

struct swb {
	/* Options. */
	const struct swb_engine *eng;
	enum swb_dut dut;
	double seconds;
	uint64_t rate;			/* packets or connections/s; 0 = max */
	uint32_t flows;			/* relay/handshake: open flows */
	uint32_t concurrency;		/* handshake: in flight */
	uint16_t burst;
	uint16_t payload;		/* relay/handshake data bytes */
	uint32_t sample;		/* check every Nth answer (1 = all) */
	const char *telemetry;		/* external: synwall's --file-prefix */
	uint32_t dst_ip;		/* the server, network order */
	uint16_t dst_port;
	/* Where the emulated servers are: dst_ip:dst_port inline, the
	 * backend in lb mode (the clients still connect to dst_ip, the
	 * VIP). Network order / host order as above. */
	uint32_t srv_ip;
	uint16_t srv_port;
	bool lb;			/* --lb: synwall in lb mode */
	/* --snat (relay, lb): the service's nat = snat. The servers then
	 * see every segment from synwall's snat_address (its inside
	 * address, the default) and a local port per connection, and
	 * answer there. Network order. */
	bool snat;
	uint32_t snat_ip;
	/* --ipv6 (synflood): SYNs over IPv6 to dst_ip6, from RFC 5180's
	 * benchmarking prefix 2001:2::/48. */
	bool v6;
	uint8_t dst_ip6[16];
	/* --idle (the bench's own config): the workers' [worker] idle. */
	const char *idle;
	/* TTL lost on a relayed segment: 0 inline (a bridge), 1 in lb
	 * mode (a router hop). synwall's own segments (SYN-ACKs, the
	 * backend SYN) are never decremented. */
	uint8_t hops;
	bool verbose;

	/* Ports and mbufs. */
	uint16_t port[SW_SIDES];
	uint16_t n_queues;		/* per port (one per DUT worker) */
	uint16_t txq;			/* round robin over the queues */
	struct rte_mempool *pool;
	struct rte_ether_addr mac_client;
	struct rte_ether_addr mac_server;
	/*
	 * The Ethernet addresses of the frames the bench sends on each
	 * side; the DUT's frames on that side come from mac_dst to
	 * mac_src. Inline (and the references): client → server MAC
	 * outside, server → client inside, synwall a bridge that keeps
	 * them. lb: from the outside gateway (mac_client) and from the
	 * backend (mac_server) to the DUT port's own MAC, which synwall
	 * writes as the source of all it sends, to the static neighbour
	 * MACs of its config (its SYN-ACKs swap the SYN's).
	 */
	struct rte_ether_addr mac_src[SW_SIDES];
	struct rte_ether_addr mac_dst[SW_SIDES];
	struct swb_port_stats ps[SW_SIDES];
	uint64_t hz;
	uint64_t rng;
	uint64_t k_base;		/* first connection number (conns.h) */
	bool generating;

	/* The DUT in this process (dut.c). */
	void *dut_state;
	/* Its net_ring queues from the bench, by side and queue (NULL
	 * for an external DUT): the generator starts a burst only when
	 * the next queue has room for all of it, so a DUT in this
	 * process always dequeues whole bursts. */
	struct rte_ring *to_dut[SW_SIDES][SWB_QUEUES_MAX];
	/* The cookie keys when the DUT is synwall here (for checks). */
	const void *keys;

	/* The measured window, for the engines' reports. */
	double measured_seconds;
	struct swb_dut_stats dut_delta;	/* the DUT's counters over it */

	/* The engine's own. */
	void *state;
};

/* dut.c */
int swb_dut_setup(struct swb *b, const char *synwall_conf, char *err,
		size_t len);
void swb_dut_start(struct swb *b);
void swb_dut_poll(struct swb *b);	/* main lcore: key rotation */
void swb_dut_stop(struct swb *b);
void swb_dut_free(struct swb *b);
bool swb_dut_read(const struct swb *b, struct swb_dut_stats *d);
/* synwall's flow memory per worker and the table sizes it holds. */
bool swb_dut_flow_mem(const struct swb *b, uint64_t *bytes, uint32_t *flows4,
		uint32_t *flows6);
const char *swb_dut_name(enum swb_dut d);

/* remote.c: an external synwall's /synwall/stats over its telemetry. */
int swb_remote_open(const char *prefix, char *err, size_t len);
bool swb_remote_read(int fd, struct swb_dut_stats *s);

/* pkt.c: frames, randomness, checks. */

/* xorshift64*: fast, good enough for addresses and sequence numbers. */
static inline uint64_t
swb_rand(struct swb *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * UINT64_C(2685821657736338717);
}

/* A 32-bit mix (murmur3's finaliser): sequence numbers from tuples. */
static inline uint32_t
swb_mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* swb_mix32's inverse: swb_unmix32(swb_mix32(h)) == h. */
static inline uint32_t
swb_unmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7ed1b41du;		/* 0xc2b2ae35^-1 mod 2^32 */
	h ^= (h >> 13) ^ (h >> 26);
	h *= 0xa5cb9243u;		/* 0x85ebca6b^-1 mod 2^32 */
	h ^= h >> 16;
	return h;
}

/* One TCP segment over IPv4, as the engines describe it. */
struct swb_seg {
	uint32_t saddr;			/* network order */
	uint32_t daddr;
	uint16_t sport;			/* host order */
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;			/* SW_TCP_* */
	uint16_t window;
	const uint8_t *saddr6;		/* both set: IPv6, saddr/daddr unused */
	const uint8_t *daddr6;
	const uint8_t *opts;		/* a multiple of 4 bytes */
	uint8_t opts_len;
	uint16_t payload;		/* bytes of pattern after the header */
};

/* TCP option blocks the engines use. */
#define SWB_OPT_TS_LEN	12		/* NOP NOP TS */
void swb_opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr);
/* The 10-byte option alone (kind 8, RFC 7323 §3). */
void swb_opt_ts_kind(uint8_t *o, uint32_t tsval, uint32_t tsecr);

/*
 * Build `s` into a fresh mbuf, from client (outside) or server (inside)
 * MAC to the other; checksums computed. NULL when the pool is empty.
 */
struct rte_mbuf *swb_seg_build(struct swb *b, enum sw_side from,
		const struct swb_seg *s);

/*
 * Pre-built frames (synflood, ackflood): built once by the engine, then
 * only copied into fresh mbufs, so that the generator costs a copy per
 * packet and keeps the DUT's bursts full, as a replayed pcap does.
 */
#define SWB_FRAME_MAX	128
#define SWB_FRAMES	8192

struct swb_frames {
	uint8_t (*data)[SWB_FRAME_MAX];
	uint16_t *len;
	uint32_t n;
	uint32_t next;			/* the next one to send */
};

/* Frame i of n, built into a fresh mbuf (NULL: out of mbufs). */
typedef struct rte_mbuf *(*swb_frame_fn)(struct swb *b, uint32_t i);

/* 0, or -1 with one line in err. */
int swb_frames_init(struct swb *b, struct swb_frames *f, uint32_t n,
		swb_frame_fn build, char *err, size_t len);
/* Copy the next `n` frames into mbufs and send them on `side`; returns
 * how many were made (fewer when the pool runs dry). */
uint16_t swb_frames_send(struct swb *b, struct swb_frames *f,
		enum sw_side side, uint16_t n);
void swb_frames_free(struct swb_frames *f);

/* Hand pkts to `side`'s port; what it refuses is freed and counted. */
void swb_send(struct swb *b, enum sw_side side, struct rte_mbuf **pkts,
		uint16_t n);

/* 2001:2::/48 (RFC 5180): the IPv6 clients; host h of it. */
void swb_client6(uint64_t h, uint8_t a[16]);

/* Parse a received frame as IPv4 TCP (or, with b->v6, IPv6 TCP); false
 * when it is anything else. */
bool swb_parse(const struct rte_mbuf *m, struct sw_pkt *p);
bool swb_parse6(const struct rte_mbuf *m, struct sw_pkt *p);

/* Are its IPv4 header and TCP checksums right? */
bool swb_cksum_ok(const struct rte_mbuf *m, const struct sw_pkt *p);

/* The TTL of every segment the bench sends. */
#define SWB_TTL		64

/*
 * Did a frame from the DUT on `side` come the way it must: from the
 * MAC the bench sends to on that side, to the one it sends from, and,
 * when ttl != 0, with that TTL?
 */
bool swb_hop_ok(const struct swb *b, enum sw_side side,
		const struct rte_mbuf *m, const struct sw_pkt *p, uint8_t ttl);

/* The TTL of a segment the DUT relayed (not one it made). */
static inline uint8_t
swb_relayed_ttl(const struct swb *b)
{
	return (uint8_t)(SWB_TTL - b->hops);
}

static inline uint32_t
swb_saddr(const struct rte_mbuf *m, const struct sw_pkt *p)
{
	uint32_t a;

	memcpy(&a, rte_pktmbuf_mtod(m, const uint8_t *) + p->l3_off + 12, 4);
	return a;
}

static inline uint32_t
swb_daddr(const struct rte_mbuf *m, const struct sw_pkt *p)
{
	uint32_t a;

	memcpy(&a, rte_pktmbuf_mtod(m, const uint8_t *) + p->l3_off + 16, 4);
	return a;
}

/*
 * Emulated clients: connection number k ↔ (address, port). Addresses
 * from 198.18.0.0/15 (RFC 2544's benchmarking range), 50,000 ports each
 * (10000-59999): 6.5 billion tuples before one repeats.
 */
#define SWB_NET		UINT32_C(0xc6120000)	/* 198.18.0.0 */
#define SWB_NET_MASK	UINT32_C(0xfffe0000)	/* /15 */
#define SWB_PORT_BASE	10000
#define SWB_PORTS	50000

static inline void
swb_client_of(uint64_t k, uint32_t *addr, uint16_t *port)
{
	/* .0 of the /15 is skipped: addresses 1 .. 131071. */
	*addr = rte_cpu_to_be_32(SWB_NET + 1 +
		(uint32_t)((k / SWB_PORTS) % ((1u << 17) - 1)));
	*port = (uint16_t)(SWB_PORT_BASE + k % SWB_PORTS);
}

/* The connection number of a client tuple, modulo the tuple space. */
static inline bool
swb_conn_of(uint32_t addr, uint16_t port, uint64_t *k)
{
	uint32_t a = rte_be_to_cpu_32(addr);

	if ((a & SWB_NET_MASK) != SWB_NET || a == SWB_NET ||
			port < SWB_PORT_BASE || port >= SWB_PORT_BASE + SWB_PORTS)
		return false;
	*k = (uint64_t)(a - SWB_NET - 1) * SWB_PORTS + (port - SWB_PORT_BASE);
	return true;
}

/*
 * Latency samples (ns), kept in a bounded reservoir: exact percentiles
 * up to `cap` samples, a uniform sample of them beyond.
 */
struct swb_lat {
	uint32_t *v;
	uint32_t cap;
	uint32_t n;
	uint64_t seen;
};

int swb_lat_init(struct swb_lat *l, uint32_t cap);
void swb_lat_add(struct swb *b, struct swb_lat *l, uint64_t ns);
/* Percentile q (0..100) in microseconds; sorts the samples. */
double swb_lat_pct(struct swb_lat *l, double q);
void swb_lat_free(struct swb_lat *l);

#endif /* SWB_H */
