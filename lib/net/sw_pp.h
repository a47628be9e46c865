/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1
 * and 2) that synwall sends a backend as the first bytes of the
 * connection, so that a server behind SNAT or a VIP still learns the
 * client's address and port, and the address and port the client
 * connected to. Only what synwall needs: a TCP connection over IPv4 or
 * IPv6, command PROXY, no TLVs. EAL-free, no allocation, no libc
 * formatting: built per new flow on the data path.
 */
#ifndef SW_PP_H
#define SW_PP_H

#include <stdbool.h>
#include <stdint.h>

/* A service's proxy_protocol; a flow keeps the one it started with. */
enum sw_pp_version {
	SW_PP_NONE = 0,
	SW_PP_V1,		/* "PROXY TCP4 ...\r\n", text */
	SW_PP_V2,		/* binary, 16-byte fixed part + addresses */
	SW_PP_VERSION_MAX
};

/* Room for any header built: v1 over IPv6 takes at most 104 bytes
 * (spec §2.1), v2 over IPv6 52. */
#define SW_PP_MAX	108

/* v2's 12-byte signature (spec §2.2). */
extern const uint8_t sw_pp_v2_sig[12];

/* One side of the connection: address and port in network order. */
struct sw_pp_addr {
	bool v6;
	const uint8_t *src;	/* the client: 4 or 16 bytes */
	const uint8_t *dst;	/* what the client connected to */
	uint16_t sport_be;
	uint16_t dport_be;
};

/*
 * Write the header of version `v` for `a` into buf (`cap` bytes, at
 * least SW_PP_MAX is always enough). Returns its length, or -EINVAL
 * (SW_PP_NONE, an unknown version, or `cap` too small).
 */
int sw_pp_build(uint8_t *buf, uint32_t cap, enum sw_pp_version v,
		const struct sw_pp_addr *a);

/*
 * An IPv6 address as RFC 5952 §4 writes it (lower case, no leading
 * zeros, the longest run of two or more zero groups, the first one of
 * equal runs, as "::"), the form v1 carries. Returns the length
 * (2..39); buf needs 40 bytes (no NUL is written).
 */
unsigned int sw_pp_ip6_text(char *buf, const uint8_t a[16]);

#endif /* SW_PP_H */
