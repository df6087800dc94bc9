/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the rules of the boot_allow module parameter.
 *
 * Entries separated by commas, each one rule:
 *
 *	TARGET[:FIELD]...
 *	TARGET := IPV4[/LEN] | IPV6/LEN | [IPV6][/LEN] | IPV6 | any
 *	FIELD  := tcp | udp | icmp | icmpv6 | PORT[-PORT] | out | in | both
 *
 * An IPv6 address is followed by fields only with /LEN or in brackets
 * (otherwise the whole entry is the address). Fields come in any order,
 * each at most once; the defaults are those of a rule: any protocol (ports
 * then cover TCP and UDP), any port, dir out. Example:
 *	192.0.2.10:tcp:22:in,2001:db8::/64,any:udp:53
 *
 * Pure logic, no state: tested by KUnit.
 */
#ifndef _NETFENCE_BOOTPARAM_H
#define _NETFENCE_BOOTPARAM_H

#include <linux/types.h>

#include "rule.h"

/* Longest entry, bytes. */
#define NETFENCE_BOOTPARAM_ENTRY_MAX	96

/*
 * Parses the entry of s that starts at *pos and moves *pos past it.
 * Returns 1 with the rule in *r, 0 when no entry is left, or -EINVAL for an
 * entry that is not a valid rule. entry receives the entry's text (cut to
 * NETFENCE_BOOTPARAM_ENTRY_MAX bytes) for messages.
 */
int netfence_bootparam_next(const char **pos, struct netfence_rule *r,
			    char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1]);

#endif /* _NETFENCE_BOOTPARAM_H */
