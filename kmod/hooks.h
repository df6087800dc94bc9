/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the netfilter hooks of an isolated namespace.
 */
#ifndef _NETFENCE_HOOKS_H
#define _NETFENCE_HOOKS_H

#include <linux/types.h>

struct net_device;
struct netfence_net;
struct nf_hook_ops;

/* Fills pn->hook_ops (once, when the namespace's state is created). */
void netfence_hooks_init(struct netfence_net *pn);

/*
 * Enables defragmentation and registers the IPv4 and IPv6 hooks of the
 * namespace (pn->lock held). Nothing is left registered on failure.
 */
int netfence_hooks_register(struct netfence_net *pn);

/*
 * Unregisters them. A packet already inside a hook may still run it until
 * the next RCU grace period: the policy and pn must outlive that.
 */
void netfence_hooks_unregister(struct netfence_net *pn);

/*
 * Runs conntrack for the namespace (on) or stops (pn->lock held). Where the
 * kernel has no conntrack, on leaves the namespace stateless.
 */
void netfence_hooks_set_stateful(struct netfence_net *pn, bool on);

/* The link-layer stage's hook ops for dev (kmod/link.c registers them). */
void netfence_hooks_link_init(struct netfence_net *pn, struct net_device *dev,
			      struct nf_hook_ops *egress, struct nf_hook_ops *ingress);

/* NETFENCE_FEAT_* that this kernel offers. */
u32 netfence_hooks_features(void);

#endif /* _NETFENCE_HOOKS_H */
