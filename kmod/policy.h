/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: policies (immutable, built at commit) and the builder that a
 * transaction fills. Pure logic: no hook or netlink registration code.
 *
 * A policy is built completely in process context and never changes
 * afterwards, except for its hit counters; the glue publishes it with one
 * RCU pointer swap and frees it after a grace period.
 */
#ifndef _NETFENCE_POLICY_H
#define _NETFENCE_POLICY_H

#include <linux/types.h>
#include "rule.h"

struct netlink_ext_ack;
struct netfence_policy;
struct netfence_builder;

/*
 * Builder: a growing set of validated rules. Process context. Builders and
 * policies are allocated with GFP_KERNEL_ACCOUNT: a request's memory is
 * charged to the memory cgroup of the task that sent it, so that a user
 * namespace cannot pin kernel memory outside its own limits.
 */
struct netfence_builder *netfence_builder_alloc(void);
void netfence_builder_free(struct netfence_builder *b);

/*
 * Lowers the number of rules the builder accepts (NETFENCE_MAX_RULES by
 * default), e.g. to NETFENCE_MAX_RULES_USERNS; before any rule is added.
 */
void netfence_builder_set_limit(struct netfence_builder *b, u32 max);

/*
 * Replaces the builder's rules with a copy of the policy's rules; -E2BIG
 * when they are more than the builder's limit.
 */
int netfence_builder_load(struct netfence_builder *b,
			  const struct netfence_policy *pol);

/*
 * Adds a rule (validated; -EINVAL with extack). An identical rule already
 * present is not added twice. -E2BIG beyond the builder's limit, -ENOMEM.
 * On error the builder is unchanged.
 */
int netfence_builder_add(struct netfence_builder *b,
			 const struct netfence_rule *r,
			 struct netlink_ext_ack *extack);

/* True when the builder holds a rule identical to r. */
bool netfence_builder_has(const struct netfence_builder *b,
			  const struct netfence_rule *r);

/* Removes the identical rule; -ENOENT if absent (builder unchanged). */
int netfence_builder_del(struct netfence_builder *b,
			 const struct netfence_rule *r,
			 struct netlink_ext_ack *extack);

u32 netfence_builder_count(const struct netfence_builder *b);

/*
 * Builds an immutable policy from the builder's rules and the policy flags
 * (NETFENCE_POLICY_F_*, already checked against __NETFENCE_POLICY_F_ALL).
 * The builder is left intact. Returns the policy or an ERR_PTR with extack.
 */
struct netfence_policy *netfence_policy_build(const struct netfence_builder *b,
					      u32 flags,
					      struct netlink_ext_ack *extack);

/* Frees at once: the caller guarantees no reader (e.g. via call_rcu). */
void netfence_policy_free(struct netfence_policy *pol);

u32 netfence_policy_flags(const struct netfence_policy *pol);
u32 netfence_policy_count(const struct netfence_policy *pol);

/* True when the policy has identity (uid, cgroup) rules. */
bool netfence_policy_has_identity(const struct netfence_policy *pol);

/*
 * Rule idx (0 <= idx < count), in a stable order (the same for dumps).
 * out->cgroup_path points into the policy (valid while it lives).
 */
void netfence_policy_rule(const struct netfence_policy *pol, u32 idx,
			  struct netfence_rule *out);

/* Hit counters: per CPU, summed on read. Safe from any context. */
void netfence_policy_hit(const struct netfence_policy *pol, u32 idx);
u64 netfence_policy_hits(const struct netfence_policy *pol, u32 idx);
void netfence_policy_reset_hits(const struct netfence_policy *pol);

/*
 * EtherTypes the link-layer stage lets through (network order, at most
 * NETFENCE_ETHERTYPES_MAX): set once, before the policy is published.
 */
void netfence_policy_set_ethertypes(struct netfence_policy *pol, const __be16 *types,
				    u32 n);
u32 netfence_policy_ethertypes(const struct netfence_policy *pol, const __be16 **types);
bool netfence_policy_ethertype_allowed(const struct netfence_policy *pol, __be16 type);

/* Bytes of kernel memory the policy holds (trie, rules, counters). */
size_t netfence_policy_mem(const struct netfence_policy *pol);

#endif /* _NETFENCE_POLICY_H */
