// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: conntrack for an isolated namespace, without depending on it.
 *
 * nf_ct_netns_get() is reached through symbol_get(): a reference on
 * nf_conntrack is held while a namespace uses it (the one of
 * nf_ct_netns_put, kept until it is called), and a kernel or an appliance
 * without the module still loads and isolates netfence, statelessly.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
#include <net/netfilter/nf_conntrack.h>
#endif

#include "conntrack.h"

#if IS_ENABLED(CONFIG_NF_CONNTRACK)
bool netfence_ct_enable(struct net *net)
{
	int (*get)(struct net *net, u8 nfproto);
	void (*put)(struct net *net, u8 nfproto);
	int err;

	/*
	 * A commit may switch to stateful mode while pn->lock is held:
	 * spawn modprobe only when nf_conntrack is not loaded yet.
	 */
	get = symbol_get(nf_ct_netns_get);
	if (!get && IS_MODULE(CONFIG_NF_CONNTRACK)) {
		request_module("nf_conntrack");
		get = symbol_get(nf_ct_netns_get);
	}
	if (!get)
		return false;
	put = symbol_get(nf_ct_netns_put);
	if (!put) {
		symbol_put(nf_ct_netns_get);
		return false;
	}
	err = get(net, NFPROTO_INET);
	symbol_put(nf_ct_netns_get);
	if (err) {
		symbol_put(nf_ct_netns_put);
		pr_warn_ratelimited("conntrack unavailable (%d): replies are matched statelessly\n",
				    err);
		return false;
	}
	/* The reference of nf_ct_netns_put stays until disable. */
	return true;
}

void netfence_ct_disable(struct net *net)
{
	void (*put)(struct net *net, u8 nfproto);

	/* Cannot fail: enable holds a reference on this very symbol. */
	put = symbol_get(nf_ct_netns_put);
	put(net, NFPROTO_INET);
	symbol_put(nf_ct_netns_put);	/* this call's reference */
	symbol_put(nf_ct_netns_put);	/* enable's */
}

enum netfence_ct netfence_ct_state(const struct sk_buff *skb, bool stateful)
{
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;

	if (!stateful)
		return NETFENCE_CT_NONE;
	/* nf_ct_get() only reads skb->_nfct: no call into nf_conntrack. */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_template(ct))
		return NETFENCE_CT_INVALID;
	switch (ctinfo) {
	case IP_CT_NEW:
		return NETFENCE_CT_NEW;
	case IP_CT_RELATED:
	case IP_CT_RELATED_REPLY:
		return NETFENCE_CT_RELATED;
	default:
		return NETFENCE_CT_ESTABLISHED;
	}
}
#else
bool netfence_ct_enable(struct net *net)
{
	return false;
}

void netfence_ct_disable(struct net *net)
{
}

enum netfence_ct netfence_ct_state(const struct sk_buff *skb, bool stateful)
{
	return NETFENCE_CT_NONE;
}
#endif
