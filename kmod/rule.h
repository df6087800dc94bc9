/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the kernel's form of one allowlist rule, and its validation.
 * Pure logic: no hook or netlink registration code (KUnit tests it).
 */
#ifndef _NETFENCE_RULE_H
#define _NETFENCE_RULE_H

#include <linux/types.h>
#include <linux/netfilter.h>
#include <uapi/linux/netfence.h>

struct netlink_ext_ack;

/*
 * One rule, as received from netlink (NETFENCE_RULE_A_*), with defaults
 * filled in: prefixlen 0 and a zero address mean "any address"; port_min 0
 * and port_max 65535 mean "any port"; proto 0 means any protocol.
 * family is AF_INET, AF_INET6 or AF_UNSPEC (address-less, both families).
 */
struct netfence_rule {
	union nf_inet_addr addr;
	u8 family;
	u8 prefixlen;
	u8 proto;
	u8 dir;			/* NETFENCE_DIR_* */
	u16 port_min;
	u16 port_max;
};

/* True when the rule restricts ports (then it covers TCP and UDP only). */
static inline bool netfence_rule_has_ports(const struct netfence_rule *r)
{
	return r->port_min != 0 || r->port_max != 0xffff;
}

/*
 * Checks a rule for consistency (family, prefix length, host bits, protocol
 * against family, ports only with TCP/UDP/any, port_min <= port_max, dir).
 * Returns 0 or -EINVAL with an extack message naming the problem.
 */
int netfence_rule_validate(const struct netfence_rule *r,
			   struct netlink_ext_ack *extack);

/* Total order on rules (for sorting, duplicate removal and lookups). */
int netfence_rule_cmp(const struct netfence_rule *a,
		      const struct netfence_rule *b);

#endif /* _NETFENCE_RULE_H */
