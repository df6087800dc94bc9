/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the kernel's form of one allowlist rule, and its validation.
 * Pure logic: no hook or netlink registration code (KUnit tests it).
 */
#ifndef _NETFENCE_RULE_H
#define _NETFENCE_RULE_H

#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/netfilter.h>
#include <uapi/linux/netfence.h>

struct netlink_ext_ack;

/* Identity restrictions of a rule (netfence_rule.id_flags). */
#define NETFENCE_RULE_ID_UID	0x1	/* uid_min..uid_max */
#define NETFENCE_RULE_ID_CGROUP	0x2	/* cgroup_path below anchor_id */
#define NETFENCE_RULE_ID_ALL	(NETFENCE_RULE_ID_UID | NETFENCE_RULE_ID_CGROUP)

/*
 * One rule, as received from netlink (NETFENCE_RULE_A_*), with defaults
 * filled in: prefixlen 0 and a zero address mean "any address"; port_min 0
 * and port_max 65535 mean "any port"; proto 0 means any protocol.
 * family is AF_INET, AF_INET6 or AF_UNSPEC (address-less, both families).
 *
 * An identity rule (id_flags != 0) also requires the packet's local socket
 * to be owned by a uid in uid_min..uid_max and/or to belong to the cgroup
 * at cgroup_path or one of its descendants. The path (canonical, see
 * cgpath.h) is relative to the anchor: the cgroup anchor_id at depth
 * anchor_level of the cgroup v2 hierarchy, the root of the cgroup
 * namespace the rule was given in (the glue fills both). It need not
 * exist. The bytes before cgroup_path are compared as they are (no
 * implicit padding), the path as a string.
 */
struct netfence_rule {
	union nf_inet_addr addr;
	u8 family;
	u8 prefixlen;
	u8 proto;
	u8 dir;			/* NETFENCE_DIR_* */
	u16 port_min;
	u16 port_max;
	u8 id_flags;		/* NETFENCE_RULE_ID_* */
	u8 id_pad[3];		/* zero */
	u32 anchor_level;
	u32 uid_min;
	u32 uid_max;
	u64 anchor_id;
	const char *cgroup_path;	/* canonical; NULL without a cgroup */
};

/* Bytes of struct netfence_rule compared as bytes (then the path). */
#define NETFENCE_RULE_KEY_LEN	offsetof(struct netfence_rule, cgroup_path)

/* Longest cgroup path (bytes, without the terminating NUL). */
#define NETFENCE_CGROUP_PATH_MAX	4095

/* True when the rule restricts ports (then it covers TCP and UDP only). */
static inline bool netfence_rule_has_ports(const struct netfence_rule *r)
{
	return r->port_min != 0 || r->port_max != 0xffff;
}

static inline bool netfence_rule_has_identity(const struct netfence_rule *r)
{
	return r->id_flags != 0;
}

/*
 * Checks a rule for consistency (family, prefix length, host bits, protocol
 * against family, ports only with TCP/UDP/any, port_min <= port_max, dir,
 * identity: known flags, uid_min <= uid_max, a cgroup rule has a canonical
 * path and an anchor). Returns 0 or -EINVAL with an extack message naming
 * the problem.
 */
int netfence_rule_validate(const struct netfence_rule *r,
			   struct netlink_ext_ack *extack);

/* Total order on rules (for sorting, duplicate removal and lookups). */
int netfence_rule_cmp(const struct netfence_rule *a,
		      const struct netfence_rule *b);

#endif /* _NETFENCE_RULE_H */
