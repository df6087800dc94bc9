/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the verdict for one classified packet under a policy. Pure
 * logic: lookups through the policy's prefix tries, no hook code.
 */
#ifndef _NETFENCE_MATCH_H
#define _NETFENCE_MATCH_H

#include "parse.h"
#include "policy.h"

/* Where the packet was seen. */
enum netfence_path {
	NETFENCE_PATH_IN,	/* LOCAL_IN: remote is saddr */
	NETFENCE_PATH_OUT,	/* LOCAL_OUT: remote is daddr */
	NETFENCE_PATH_FWD,	/* FORWARD: remote is daddr (out) or saddr (reply) */
};

/*
 * What conntrack knows of the packet (computed by the hook). NONE: the
 * namespace runs without conntrack (stateless mode). Otherwise the packet
 * has been through conntrack, and a packet that matches a rule only as a
 * reply must belong to a connection conntrack already knew.
 */
enum netfence_ct {
	NETFENCE_CT_NONE,	/* stateless mode: no conntrack in the namespace */
	NETFENCE_CT_INVALID,	/* no entry: invalid, untracked or not trackable */
	NETFENCE_CT_NEW,	/* this packet opens the entry (not yet answered) */
	NETFENCE_CT_ESTABLISHED, /* a known connection, either direction */
	NETFENCE_CT_RELATED,	/* related to a known connection (ICMP errors...) */
};

/*
 * The local socket a packet belongs to (LOCAL_OUT: the sender; LOCAL_IN:
 * the socket it will be delivered to), filled by the glue. The matcher
 * checks identity rules only with a valid sockid, never on FORWARD.
 */
struct netfence_sockid {
	bool uid_valid;		/* uid is the owner, in the netns's user ns */
	bool cgroup_valid;	/* cgroup_at() can be asked */
	u32 uid;
	u32 cgroup_level;	/* depth of the socket's cgroup */
	/* Id of the socket's cgroup ancestor at level (<= cgroup_level). */
	u64 (*cgroup_at)(const struct netfence_sockid *sid, u32 level);
	/* Name of that ancestor (level >= 1), valid in the caller's RCU section. */
	const char *(*cgroup_name_at)(const struct netfence_sockid *sid, u32 level);
	void *cgroup;		/* the glue's cgroup, for cgroup_at(), _name_at() */
	void *ref;		/* the glue's socket reference, if any */
};

/* Verdicts besides a rule index (>= 0, the rule that allowed the packet). */
#define NETFENCE_MATCH_DROP	(-1)	/* nothing allows it */
#define NETFENCE_MATCH_BUILTIN	(-2)	/* allowed by a policy flag (ND, ICMP error) */

/*
 * Returns the index of the first rule that allows the packet (longest
 * prefix first, identity rules after address rules), NETFENCE_MATCH_BUILTIN,
 * or NETFENCE_MATCH_DROP. sid is the packet's local socket or NULL (no
 * socket, or FORWARD): without it no identity rule matches. Does not count
 * hits and ignores NETFENCE_POLICY_F_AUDIT (the caller decides). Callable
 * in any context (no allocation, no locks).
 */
int netfence_match(const struct netfence_policy *pol,
		   const struct netfence_flow *flow,
		   enum netfence_path path, enum netfence_ct ct,
		   const struct netfence_sockid *sid);

/*
 * For a packet that netfence_match() dropped without a socket: the same
 * verdict netfence_match() gives with sid, found by trying only the rules
 * that depend on the socket (identity rules, also for the packet an ICMP
 * error quotes), not the address rules and builtins again.
 */
int netfence_match_identity(const struct netfence_policy *pol,
			    const struct netfence_flow *flow,
			    enum netfence_path path, enum netfence_ct ct,
			    const struct netfence_sockid *sid);

#endif /* _NETFENCE_MATCH_H */
