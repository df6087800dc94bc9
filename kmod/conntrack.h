/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: conntrack for an isolated namespace, without depending on it.
 *
 * Where the kernel has nf_conntrack, an isolated namespace runs it (as an
 * nftables "ct" rule would make it), so that a packet that matches a rule
 * only as a reply is checked against a tracked connection. netfence.ko
 * does not link against nf_conntrack: the module is looked up when a
 * namespace is isolated, and a kernel without it isolates statelessly.
 */
#ifndef _NETFENCE_CONNTRACK_H
#define _NETFENCE_CONNTRACK_H

#include <linux/types.h>

#include "match.h"

struct net;
struct sk_buff;

/*
 * Turns conntrack on for net (IPv4 and IPv6). True when it runs there
 * from now on; false when the kernel has no conntrack or it could not be
 * turned on (the namespace is then isolated statelessly).
 */
bool netfence_ct_enable(struct net *net);
/* Undoes a successful netfence_ct_enable(). */
void netfence_ct_disable(struct net *net);

/* What conntrack knows of skb; NETFENCE_CT_NONE when !stateful. */
enum netfence_ct netfence_ct_state(const struct sk_buff *skb, bool stateful);

#endif /* _NETFENCE_CONNTRACK_H */
