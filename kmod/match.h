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

/* What conntrack already knows of the packet (computed by the hook). */
enum netfence_ct {
	NETFENCE_CT_NONE,	/* no conntrack state (or untracked) */
	NETFENCE_CT_REPLY,	/* established or related, reply direction */
	NETFENCE_CT_OTHER,	/* tracked, but not a reply of a known connection */
};

/* Verdicts besides a rule index (>= 0, the rule that allowed the packet). */
#define NETFENCE_MATCH_DROP	(-1)	/* nothing allows it */
#define NETFENCE_MATCH_BUILTIN	(-2)	/* allowed by a policy flag (ND, DHCP, ICMP error) */

/*
 * Returns the index of the first rule that allows the packet (longest
 * prefix first), NETFENCE_MATCH_BUILTIN, or NETFENCE_MATCH_DROP. Does not
 * count hits and ignores NETFENCE_POLICY_F_AUDIT (the caller decides).
 * Callable in any context (no allocation, no locks).
 */
int netfence_match(const struct netfence_policy *pol,
		   const struct netfence_flow *flow,
		   enum netfence_path path, enum netfence_ct ct);

#endif /* _NETFENCE_MATCH_H */
