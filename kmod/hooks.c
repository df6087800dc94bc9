// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the netfilter hooks of an isolated namespace.
 *
 * Registered per namespace, and only while it is isolated: a released
 * namespace, and a host where no namespace is isolated, run no netfence
 * code per packet at all.
 */

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/dst.h>
#include <net/dst_metadata.h>
#include <net/ip6_fib.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "compat.h"
#include "conntrack.h"
#include "dhcp.h"
#include "events.h"
#include "hooks.h"
#include "link.h"
#include "match.h"
#include "netns.h"
#include "parse.h"
#include "policy.h"
#include "reject.h"
#include "sockid.h"

/*
 * Hook priorities, the same for IPv4 and IPv6.
 *
 * LOCAL_IN and FORWARD: -350. After defragmentation
 * (NF_IP_PRI_CONNTRACK_DEFRAG, -400), which netfence enables for the
 * namespace, so that the ports of fragmented packets are seen, and before
 * the raw table (-300), so that no raw rule acts on a packet isolation
 * drops. Conntrack and destination NAT already ran in PRE_ROUTING: the
 * addresses are the ones nftables' filter chains see, conntrack's state is
 * read to check replies, and the unconfirmed entry of a dropped packet is
 * freed with it, never entering the table (confirmation runs last).
 *
 * LOCAL_OUT: -50, after conntrack (-200) and destination NAT (-100), so
 * that a DNAT rule cannot turn an allowed destination into another one and
 * replies are checked against conntrack on the way out too; before the
 * filter table (0). The unconfirmed entry of a dropped packet is freed
 * with it.
 */
#define NETFENCE_PRI_IPV4	(NF_IP_PRI_RAW - 50)
#define NETFENCE_PRI_IPV6	(NF_IP6_PRI_RAW - 50)
#define NETFENCE_PRI_OUT_IPV4	(NF_IP_PRI_NAT_DST + 50)
#define NETFENCE_PRI_OUT_IPV6	(NF_IP6_PRI_NAT_DST + 50)
/* Link-layer stage: before any nftables netdev chain of the namespace. */
#define NETFENCE_PRI_LINK	INT_MIN

/*
 * Neighbour discovery never leaves the link: an ICMPv6 packet that the host
 * routes through a gateway is no such message, whatever its type and hop
 * limit say (a raw socket chooses both).
 */
static bool netfence_routed6(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_IPV6)
	const struct dst_entry *dst = skb_dst(skb);

	if (!dst || dst->ops->family != AF_INET6)
		return true;
#ifdef CONFIG_XFRM
	if (dst->xfrm)
		return true;
#endif
	return ((const struct rt6_info *)dst)->rt6i_flags & RTF_GATEWAY;
#else
	return true;
#endif
}

static bool netfence_is_loopback(const struct net_device *dev)
{
	return dev && (dev->flags & IFF_LOOPBACK);
}

static void netfence_count(struct netfence_net *pn, unsigned int family,
			   enum netfence_hook hook, unsigned int len, bool accept)
{
	struct netfence_pcpu_stats *s = get_cpu_ptr(pn->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	if (accept) {
		u64_stats_inc(&s->c[family][hook].accept_pkts);
		u64_stats_add(&s->c[family][hook].accept_bytes, len);
	} else {
		u64_stats_inc(&s->c[family][hook].drop_pkts);
		u64_stats_add(&s->c[family][hook].drop_bytes, len);
	}
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(pn->stats);
}

/*
 * The verdict on a classified packet: the rules (and identity rules, and
 * the built-in allowances), then the DHCP exchanges. Counts the rule hit.
 */
static bool netfence_allows(struct netfence_net *pn, const struct netfence_policy *pol,
			    const struct netfence_flow *flow, enum netfence_path path,
			    enum netfence_ct ct, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	int verdict = netfence_sockid_match(pol, flow, path, ct, skb, state);

	if (verdict >= 0) {
		netfence_policy_hit(pol, verdict);
		return true;
	}
	return verdict == NETFENCE_MATCH_BUILTIN ||
	       netfence_dhcp_allows(&pn->dhcp, netfence_policy_flags(pol), skb, flow,
				    path, jiffies);
}

/*
 * pn->stateful says whether conntrack runs for us; the policy's flag wins,
 * so a commit switching modes is consistent for every packet: conntrack is
 * enabled before a stateful policy is published and disabled after a
 * stateless one is.
 */
static bool netfence_stateful(const struct netfence_net *pn,
			      const struct netfence_policy *pol)
{
	return READ_ONCE(pn->stateful) &&
	       !(netfence_policy_flags(pol) & NETFENCE_POLICY_F_STATELESS);
}

/*
 * Netfilter calls hooks under rcu_read_lock(): the policy read here stays
 * valid until the hook returns, even if a commit replaces it meanwhile.
 */
static __always_inline unsigned int
netfence_hook(struct netfence_net *pn, struct sk_buff *skb,
	      const struct nf_hook_state *state, enum netfence_path path,
	      enum netfence_hook hook)
{
	unsigned int family = state->pf == NFPROTO_IPV4 ? 0 : 1;
	const struct netfence_policy *pol = NULL;
	struct netfence_flow flow;
	u8 reason = NETFENCE_DROP_MALFORMED;

	/*
	 * Loopback is what local sockets send to lo and receive from it. A
	 * packet forwarded from or to lo was put there by a packet socket,
	 * not sent by a socket: it meets the policy (hook is a constant).
	 */
	if ((hook == NETFENCE_HOOK_LOCAL_IN && netfence_is_loopback(state->in)) ||
	    (hook == NETFENCE_HOOK_LOCAL_OUT && netfence_is_loopback(state->out)))
		goto accept;

	pol = rcu_dereference(pn->policy);
	if (unlikely(!pol))
		goto drop;
	if (netfence_parse(skb, family ? AF_INET6 : AF_INET, &flow))
		goto drop;
	reason = NETFENCE_DROP_NO_RULE;
	if (path == NETFENCE_PATH_OUT && flow.t.proto == IPPROTO_ICMPV6 &&
	    netfence_routed6(skb))
		flow.flags |= NETFENCE_FLOW_ROUTED;

	if (!netfence_allows(pn, pol, &flow, path,
			     netfence_ct_state(skb, netfence_stateful(pn, pol)),
			     skb, state))
		goto drop;

accept:
	netfence_count(pn, family, hook, skb->len, true);
	return NF_ACCEPT;

drop:
	netfence_count(pn, family, hook, skb->len, false);
	/* Events, log line, audit and reject mode: see events.c. */
	return netfence_dropped(pn, pol, skb, state, &flow, hook, reason, 0);
}

static unsigned int netfence_hook_local_in(void *priv, struct sk_buff *skb,
					   const struct nf_hook_state *state)
{
	return netfence_hook(priv, skb, state, NETFENCE_PATH_IN,
			     NETFENCE_HOOK_LOCAL_IN);
}

static unsigned int netfence_hook_local_out(void *priv, struct sk_buff *skb,
					    const struct nf_hook_state *state)
{
	return netfence_hook(priv, skb, state, NETFENCE_PATH_OUT,
			     NETFENCE_HOOK_LOCAL_OUT);
}

static unsigned int netfence_hook_forward(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	return netfence_hook(priv, skb, state, NETFENCE_PATH_FWD,
			     NETFENCE_HOOK_FORWARD);
}

/*
 * Did this namespace's IP stack route the packet (so that LOCAL_OUT or
 * FORWARD judged it)? A packet routed by another namespace's stack, sent
 * through a device of this one (macvlan, ipvlan), did not.
 */
static bool netfence_routed_here(const struct sk_buff *skb, const struct net *net)
{
	const struct dst_entry *dst = skb_valid_dst(skb) ? skb_dst(skb) : NULL;

	return dst && dst->dev && net_eq(dev_net(dst->dev), net);
}

/*
 * The link-layer stage (netdev egress and ingress of every device of an
 * isolated namespace): what never crosses the IP hooks. Egress: IP frames
 * the stack did not route (packet sockets, bridged or redirected frames)
 * are judged by the rules, other frames by their kind. Ingress: IP frames
 * go on to the IP hooks or to the egress stage of the port they are
 * bridged to; other frames are judged by their kind.
 */
static __always_inline unsigned int
netfence_link_hook(struct netfence_net *pn, struct sk_buff *skb,
		   const struct nf_hook_state *state, bool egress)
{
	const struct net_device *dev = egress ? state->out : state->in;
	enum netfence_hook hook = egress ? NETFENCE_HOOK_LINK_OUT : NETFENCE_HOOK_LINK_IN;
	unsigned int family = NETFENCE_FAMILY_LINK;
	const struct netfence_policy *pol;
	u8 reason = NETFENCE_DROP_LINK;
	struct netfence_link link = {};
	struct netfence_flow flow;
	enum netfence_path path;
	enum netfence_ct ct;

	if (egress && netfence_routed_here(skb, state->net))
		return NF_ACCEPT;
	pol = rcu_dereference(pn->policy);
	if (unlikely(!pol))
		goto drop;
	netfence_parse_link(skb, egress ? 0 : skb_mac_offset(skb),
			    dev->type == ARPHRD_ETHER, &link);
	switch (link.kind) {
	case NETFENCE_LINK_ARP:
	case NETFENCE_LINK_CONTROL:
		goto accept;
	case NETFENCE_LINK_IPV4:
	case NETFENCE_LINK_IPV6:
		if (!egress)
			return NF_ACCEPT;
		family = link.kind == NETFENCE_LINK_IPV6;
		break;
	default:
		if (netfence_policy_ethertype_allowed(pol, link.ethertype))
			goto accept;
		goto drop;
	}

	reason = NETFENCE_DROP_MALFORMED;
	if (netfence_parse_at(skb, link.nhoff, family ? AF_INET6 : AF_INET, &flow))
		goto drop;
	reason = NETFENCE_DROP_NO_RULE;
	/*
	 * Built on this host (a packet socket): a local packet, which in
	 * stateful mode cannot be a reply, having no connection. Received
	 * and bridged or redirected, or routed by another namespace: a
	 * forwarded one, judged statelessly (no conntrack at this layer).
	 */
	if (!skb->skb_iif && !skb_dst(skb)) {
		path = NETFENCE_PATH_OUT;
		ct = netfence_stateful(pn, pol) ? NETFENCE_CT_INVALID :
						     NETFENCE_CT_NONE;
	} else {
		path = NETFENCE_PATH_FWD;
		ct = NETFENCE_CT_NONE;
	}
	if (!netfence_allows(pn, pol, &flow, path, ct, skb, state))
		goto drop;

accept:
	netfence_count(pn, family, hook, skb->len, true);
	return NF_ACCEPT;

drop:
	netfence_count(pn, family, hook, skb->len, false);
	return netfence_dropped(pn, pol, skb, state, &flow, hook, reason, link.ethertype);
}

static unsigned int netfence_hook_link_in(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	return netfence_link_hook(priv, skb, state, false);
}

static unsigned int netfence_hook_link_out(void *priv, struct sk_buff *skb,
					   const struct nf_hook_state *state)
{
	return netfence_link_hook(priv, skb, state, true);
}

void netfence_hooks_link_init(struct netfence_net *pn, struct net_device *dev,
			      struct nf_hook_ops *egress, struct nf_hook_ops *ingress)
{
	*egress = (struct nf_hook_ops) {
		.hook = netfence_hook_link_out,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_EGRESS,
		.priority = NETFENCE_PRI_LINK,
		.dev = dev,
		.priv = pn,
	};
	*ingress = (struct nf_hook_ops) {
		.hook = netfence_hook_link_in,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS,
		.priority = NETFENCE_PRI_LINK,
		.dev = dev,
		.priv = pn,
	};
}

/* IPv4 first: without IPv6 support only the first three are registered. */
static const struct nf_hook_ops netfence_hook_ops_template[NETFENCE_NR_IP_HOOKS] = {
	{
		.hook = netfence_hook_local_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NETFENCE_PRI_IPV4,
	},
	{
		.hook = netfence_hook_local_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NETFENCE_PRI_OUT_IPV4,
	},
	{
		.hook = netfence_hook_forward,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NETFENCE_PRI_IPV4,
	},
	{
		.hook = netfence_hook_local_in,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NETFENCE_PRI_IPV6,
	},
	{
		.hook = netfence_hook_local_out,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NETFENCE_PRI_OUT_IPV6,
	},
	{
		.hook = netfence_hook_forward,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NETFENCE_PRI_IPV6,
	},
};

#define NETFENCE_NR_HOOKS_USED	(IS_ENABLED(CONFIG_IPV6) ? NETFENCE_NR_IP_HOOKS : \
				 NETFENCE_NR_IP_HOOKS / 2)

void netfence_hooks_init(struct netfence_net *pn)
{
	unsigned int i;

	for (i = 0; i < NETFENCE_NR_IP_HOOKS; i++) {
		pn->hook_ops[i] = netfence_hook_ops_template[i];
		pn->hook_ops[i].priv = pn;
	}
}

/* Takes or drops this namespace's conntrack reference (stateful mode). */
void netfence_hooks_set_stateful(struct netfence_net *pn, bool on)
{
	lockdep_assert_held(&pn->lock);
	if (on && !pn->stateful) {
		WRITE_ONCE(pn->stateful, netfence_ct_enable(pn->net));
	} else if (!on && pn->stateful) {
		WRITE_ONCE(pn->stateful, false);
		netfence_ct_disable(pn->net);
	}
}

int netfence_hooks_register(struct netfence_net *pn)
{
	struct net *net = pn->net;
	int err;

	lockdep_assert_held(&pn->lock);

	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV4)) {
		err = nf_defrag_ipv4_enable(net);
		if (err)
			return err;
	}
	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)) {
		err = nf_defrag_ipv6_enable(net);
		if (err)
			goto err_defrag6;
	}

	/* Before the hooks: their first packet already has its state. */
	netfence_hooks_set_stateful(pn, !(netfence_policy_flags(netfence_net_policy(pn)) &
					  NETFENCE_POLICY_F_STATELESS));

	err = nf_register_net_hooks(net, pn->hook_ops, NETFENCE_NR_HOOKS_USED);
	if (err)
		goto err_hooks;
	pn->hooks_registered = NETFENCE_NR_HOOKS_USED;
	netfence_link_start(pn);
	return 0;

err_hooks:
	netfence_hooks_set_stateful(pn, false);
	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV6))
		nf_defrag_ipv6_disable(net);
err_defrag6:
	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV4))
		nf_defrag_ipv4_disable(net);
	return err;
}

void netfence_hooks_unregister(struct netfence_net *pn)
{
	struct net *net = pn->net;

	lockdep_assert_held(&pn->lock);
	if (!pn->hooks_registered)
		return;

	netfence_link_stop(pn);
	nf_unregister_net_hooks(net, pn->hook_ops, pn->hooks_registered);
	pn->hooks_registered = 0;
	netfence_hooks_set_stateful(pn, false);
	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV6))
		nf_defrag_ipv6_disable(net);
	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV4))
		nf_defrag_ipv4_disable(net);
}

u32 netfence_hooks_features(void)
{
	u32 feat = 0;

	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV4))
		feat |= NETFENCE_FEAT_DEFRAG4;
	if (IS_ENABLED(CONFIG_NF_DEFRAG_IPV6))
		feat |= NETFENCE_FEAT_DEFRAG6;
	if (IS_ENABLED(CONFIG_NF_CONNTRACK))
		feat |= NETFENCE_FEAT_CONNTRACK;
	if (IS_ENABLED(CONFIG_NETFILTER_EGRESS))
		feat |= NETFENCE_FEAT_LINK;
	if (NETFENCE_HAVE_MCAST_PERM)
		feat |= NETFENCE_FEAT_DROP_EVENTS;
	feat |= netfence_reject_features();
	feat |= netfence_sockid_features();
	return feat;
}
