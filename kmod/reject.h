/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: reject mode, answers to local senders whose packets isolation
 * drops (TCP RST, ICMP/ICMPv6 port unreachable).
 */
#ifndef _NETFENCE_REJECT_H
#define _NETFENCE_REJECT_H

#include <linux/netfilter.h>
#include <linux/types.h>

struct netfence_flow;
struct sk_buff;

/*
 * Answers the local sender of skb, dropped at LOCAL_OUT: a TCP RST for TCP,
 * an ICMP/ICMPv6 port unreachable for anything else. Does nothing where
 * the kernel lacks nf_reject (see netfence_reject_features()).
 */
void netfence_reject(struct sk_buff *skb, const struct nf_hook_state *state,
		     const struct netfence_flow *flow);

/* NETFENCE_FEAT_REJECT4/6 that this kernel offers. */
u32 netfence_reject_features(void);

#endif /* _NETFENCE_REJECT_H */
