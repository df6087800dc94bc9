/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: layout of a built policy, shared by policy.c (which builds it)
 * and match.c (which reads it in the packet path). Pure logic.
 */
#ifndef _NETFENCE_POLICY_PRIV_H
#define _NETFENCE_POLICY_PRIV_H

#include <linux/in6.h>
#include <asm/local64.h>

#include "cgpath.h"
#include "policy.h"
#include "trie.h"

/* What a rule checks besides its address (8 bytes per rule). */
struct netfence_rule_fields {
	u16 port_min;
	u16 port_max;
	u8 proto;
	u8 dir;
	u8 prefixlen;
	u8 has_ports;
};

/*
 * An identity rule: kept out of the tries (the address rules' memory does
 * not grow), checked one by one when the packet has a local socket.
 */
struct netfence_id_rule {
	union nf_inet_addr addr;	/* remote prefix (family's bytes) */
	u8 family;
	u8 id_flags;			/* NETFENCE_RULE_ID_* */
	u8 cg_slot;			/* cgroup: its path in the policy's cg set */
	u32 uid_min;
	u32 uid_max;
};

/*
 * Rules are in netfence_rule_cmp order, which puts the address-less
 * (AF_UNSPEC) rules first, then IPv4, then IPv6, then the identity rules:
 * [0, n_unspec) [base4, base4 + n4) [base6, base6 + n6) [base_id, count).
 */
struct netfence_policy {
	u32 flags;
	u32 count;
	u32 n_unspec;
	u32 base4, n4;
	u32 base6, n6;
	u32 base_id, n_id;
	struct netfence_rule_fields *fields;	/* [count] */
	struct netfence_id_rule *id_rules;	/* [n_id] */
	struct netfence_cgset cg;		/* cgroup paths of id_rules */
	__be32 *addr4;				/* [n4], trie4's keys */
	struct in6_addr *addr6;			/* [n6], trie6's keys */
	struct netfence_trie trie4;
	struct netfence_trie trie6;
	local64_t **hits;			/* [nr_cpu_ids][count], possible CPUs */
	size_t mem;
	u32 n_ethertypes;
	__be16 ethertypes[NETFENCE_ETHERTYPES_MAX];	/* link-layer stage */
};

#endif /* _NETFENCE_POLICY_PRIV_H */
