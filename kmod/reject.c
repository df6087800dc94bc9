// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: reject mode.
 *
 * A local program whose packet isolation drops gets an answer, so that it
 * fails at once instead of waiting for its timeouts: connect() returns
 * ECONNREFUSED on a TCP RST, a UDP sender gets ECONNREFUSED on its next call
 * from an ICMP port unreachable. The answers come from nf_reject, the code
 * behind iptables' and nftables' REJECT, built as the reply to the dropped
 * packet: addressed to this host, they leave through the loopback device,
 * which isolation always lets pass (no answer ever answers an answer: no
 * RST to a RST, no ICMP error about an ICMP error).
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <uapi/linux/netfence.h>
#if IS_ENABLED(CONFIG_NF_REJECT_IPV4)
#include <net/netfilter/ipv4/nf_reject.h>
#endif
#if IS_ENABLED(CONFIG_NF_REJECT_IPV6)
#include <net/netfilter/ipv6/nf_reject.h>
#endif

#include "compat.h"
#include "parse.h"
#include "reject.h"

#define NETFENCE_HAVE_REJECT4	IS_ENABLED(CONFIG_NF_REJECT_IPV4)
#define NETFENCE_HAVE_REJECT6	(IS_ENABLED(CONFIG_IPV6) && IS_ENABLED(CONFIG_NF_REJECT_IPV6))

static void netfence_reject4(struct sk_buff *skb, const struct nf_hook_state *state,
			     const struct netfence_flow *flow)
{
#if NETFENCE_HAVE_REJECT4
	if (flow->t.proto == IPPROTO_TCP)
		netfence_send_reset(state->net, state->sk, skb, state->hook);
	else
		nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
#endif
}

static void netfence_reject6(struct sk_buff *skb, const struct nf_hook_state *state,
			     const struct netfence_flow *flow)
{
#if NETFENCE_HAVE_REJECT6
	if (flow->t.proto == IPPROTO_TCP)
		netfence_send_reset6(state->net, state->sk, skb, state->hook);
	else
		nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH, state->hook);
#endif
}

void netfence_reject(struct sk_buff *skb, const struct nf_hook_state *state,
		     const struct netfence_flow *flow)
{
	/* A non-first fragment is not answered: its headers are unseen. */
	if (flow->flags & NETFENCE_FLOW_FRAG)
		return;
	/* ICMP errors are never answered (icmp_send() checks it too). */
	if (flow->flags & NETFENCE_FLOW_ICMP_ERR)
		return;

	if (flow->family == AF_INET)
		netfence_reject4(skb, state, flow);
	else
		netfence_reject6(skb, state, flow);
}

u32 netfence_reject_features(void)
{
	u32 feat = 0;

	if (NETFENCE_HAVE_REJECT4)
		feat |= NETFENCE_FEAT_REJECT4;
	if (NETFENCE_HAVE_REJECT6)
		feat |= NETFENCE_FEAT_REJECT6;
	return feat;
}
