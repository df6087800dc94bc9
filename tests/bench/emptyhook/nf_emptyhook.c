// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of the netfence benchmark: a netfilter hook on IPv4 and IPv6
 * FORWARD, at netfence's priority, that accepts every packet and does
 * nothing else. What a hook costs before it looks at the packet.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/net_namespace.h>

static unsigned int emptyhook_accept(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops emptyhook_ops[] = {
	{
		.hook = emptyhook_accept,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_RAW - 50,
	},
	{
		.hook = emptyhook_accept,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_RAW - 50,
	},
};

static int __init emptyhook_init(void)
{
	return nf_register_net_hooks(&init_net, emptyhook_ops,
				     ARRAY_SIZE(emptyhook_ops));
}

static void __exit emptyhook_exit(void)
{
	nf_unregister_net_hooks(&init_net, emptyhook_ops,
				ARRAY_SIZE(emptyhook_ops));
}

module_init(emptyhook_init);
module_exit(emptyhook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Benchmark floor: FORWARD hook that accepts everything");
