/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The text grammars of synwall's config values: one strict reading of
 * each, so that a typo or a guess at another syntax is refused instead
 * of read as something else. EAL-free; every function takes the text
 * as given (no blanks are skipped unless said) and returns 0 or a
 * negative errno, writing its outputs only on success unless said.
 */
#ifndef SW_TEXT_H
#define SW_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words of a port bitmap indexed by host-order port (sw_text_ports). */
#define SW_TEXT_PORT_WORDS	(65536 / 64)

/*
 * A decimal number min..max: digits only, no sign, no blank, no leading
 * zero ("010" and "0x10" are typos or a guess at another base).
 * Returns 0 or -ERANGE (syntax or bounds alike).
 */
int sw_text_dec(const char *text, uint32_t min, uint32_t max, uint32_t *out);

/* yes/true/on/1 or no/false/off/0, any case. Returns 0 or -EINVAL. */
int sw_text_bool(const char *text, bool *out);

/*
 * A bare IPv4 (dotted quad) or IPv6 address, as inet_pton() reads it;
 * an IPv4-mapped IPv6 address ("::ffff:192.0.2.1") is IPv6. *family is
 * AF_INET or AF_INET6, addr in network order, IPv4 in [0..4) and the
 * rest zero. Returns 0 or -EINVAL.
 */
int sw_text_addr(const char *text, uint8_t *family, uint8_t addr[16]);

/*
 * "ADDR" or "ADDR/LEN": an address as sw_text_addr() reads it, then
 * optionally '/' and a length 0..32 (IPv4) or 0..128 (IPv6) as
 * sw_text_dec() reads it; nothing around the '/'. *plen is -1 when
 * there is no '/'. Host bits are the caller's business. Returns 0,
 * -EINVAL (the address, checked first) or -ERANGE (the length; then
 * *family and addr are set, for the caller's error message).
 */
int sw_text_prefix(const char *text, uint8_t *family, uint8_t addr[16],
		int *plen);

/* xx:xx:xx:xx:xx:xx, two hex digits each, any case. 0 or -EINVAL. */
int sw_text_mac(const char *text, uint8_t mac[6]);

/*
 * Comma-separated lists. sw_text_list_start() gives the cursor for
 * sw_text_item(): NULL (no items) when the text is empty or blank.
 * sw_text_item() copies the next item, blanks trimmed, into buf and
 * returns 1, 0 after the last one, or -E2BIG when the item does not fit
 * in len (its cursor has moved on). An empty item ("a,,b", a trailing
 * comma) is returned as "": the caller refuses it. There are no escapes:
 * a backslash is an ordinary character and a comma always separates
 * (synwall's config lint refuses a "\;" in any line before).
 */
const char *sw_text_list_start(const char *text);
int sw_text_item(const char **p, char *buf, size_t len);

/*
 * "80, 443, 8000-8080": ports 1..65535 as decimal without leading zero,
 * a-b ranges (b >= a), blanks allowed around items and '-', no empty
 * item. Sets their bits in ports[SW_TEXT_PORT_WORDS], item by item:
 * on -EINVAL the items before the bad one are set (and the bad one's
 * ports when only what follows them is wrong: "80 81" sets 80), and
 * *bad (when not NULL) points at the bad item in list.
 */
int sw_text_ports(const char *list, uint64_t *ports, const char **bad);

#endif /* SW_TEXT_H */
