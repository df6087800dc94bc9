/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the local socket of a packet and its identity (owner uid,
 * cgroup v2), for identity rules.
 */
#ifndef _NETFENCE_SOCKID_H
#define _NETFENCE_SOCKID_H

#include <linux/types.h>

#include "match.h"

struct netlink_ext_ack;
struct nf_hook_state;
struct sk_buff;

/*
 * Fills sid for a packet at LOCAL_OUT (the sending socket) or LOCAL_IN
 * (the socket already attached to the skb, else a socket lookup where the
 * kernel offers one). Returns sid, or NULL when the packet has no socket
 * that carries an identity. A non-NULL result must be released with
 * netfence_sockid_put() (it may hold a socket reference). Runs in the
 * hook's RCU read-side section.
 */
const struct netfence_sockid *netfence_sockid_get(struct netfence_sockid *sid,
						  struct sk_buff *skb,
						  const struct nf_hook_state *state,
						  enum netfence_path path);
void netfence_sockid_put(struct netfence_sockid *sid);

/*
 * The verdict with identity rules: netfence_match() without a socket
 * first; only when that drops and the policy has identity rules is the
 * packet's socket looked up and the match repeated with it.
 */
int netfence_sockid_match(const struct netfence_policy *pol,
			  const struct netfence_flow *flow,
			  enum netfence_path path, enum netfence_ct ct,
			  struct sk_buff *skb, const struct nf_hook_state *state);

/*
 * The anchor of a cgroup rule the calling task adds: the id and level of
 * the root cgroup of its cgroup namespace. -EOPNOTSUPP (extack) without
 * cgroup socket data in the kernel.
 */
int netfence_sockid_cgroup_anchor(u64 *id, u32 *level,
				  struct netlink_ext_ack *extack);

/*
 * Id of the cgroup now at path below the anchor, as the calling task sees
 * it: 0 when no cgroup is there or when the task's cgroup namespace root
 * is not the anchor. Process context.
 */
u64 netfence_sockid_cgroup_id(u64 anchor_id, const char *path);

/* NETFENCE_FEAT_SOCKET4, _SOCKET6, _CGROUP as this kernel offers them. */
u32 netfence_sockid_features(void);

#endif /* _NETFENCE_SOCKID_H */
