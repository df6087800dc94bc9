/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the rules of the boot_allow module parameter.
 *
 * Entries separated by commas, each one rule:
 *
 *	TARGET[:FIELD]...[:cgroup=PATH]  |  uid=N[-M][:FIELD]...[:cgroup=PATH]
 *	|  cgroup=PATH
 *	TARGET := IPV4[/LEN] | IPV6/LEN | [IPV6][/LEN] | IPV6 | any
 *	FIELD  := tcp | udp | icmp | icmpv6 | PORT[-PORT] | out | in | both
 *		| uid=N[-M]
 *
 * An IPv6 address is followed by fields only with /LEN or in brackets
 * (otherwise the whole entry is the address). Fields come in any order,
 * each at most once; the defaults are those of a rule: any protocol (ports
 * then cover TCP and UDP), any port, dir out. Identity rules: uid=N[-M]
 * (the socket owner's uid range) and cgroup=PATH (a cgroup v2 path, given
 * its canonical form; always the last field, it runs to the end of the
 * entry); an entry that starts with one of them has no target (any remote
 * address). Example:
 *	192.0.2.10:tcp:22:in,2001:db8::/64,any:udp:53,cgroup=/agent.slice/agent.service
 *
 * Pure logic, no state: tested by KUnit.
 */
#ifndef _NETFENCE_BOOTPARAM_H
#define _NETFENCE_BOOTPARAM_H

#include <linux/types.h>

#include "rule.h"

/* Longest entry, bytes. */
#define NETFENCE_BOOTPARAM_ENTRY_MAX	128

/*
 * Parses the entry of s that starts at *pos and moves *pos past it.
 * Returns 1 with the rule in *r, 0 when no entry is left, or -EINVAL for an
 * entry that is not a valid rule. entry receives the entry's text (cut to
 * NETFENCE_BOOTPARAM_ENTRY_MAX bytes) for messages; cgroup the canonical
 * path of a cgroup rule (r->cgroup_path points to it). The anchor of a
 * cgroup rule is left zero: the caller sets it.
 */
int netfence_bootparam_next(const char **pos, struct netfence_rule *r,
			    char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1],
			    char cgroup[NETFENCE_BOOTPARAM_ENTRY_MAX + 2]);

#endif /* _NETFENCE_BOOTPARAM_H */
