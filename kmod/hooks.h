/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the netfilter hooks of an isolated namespace.
 */
#ifndef _NETFENCE_HOOKS_H
#define _NETFENCE_HOOKS_H

#include <linux/types.h>

struct netfence_net;

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

/* NETFENCE_FEAT_* that this kernel offers. */
u32 netfence_hooks_features(void);

#endif /* _NETFENCE_HOOKS_H */
