// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: what happens to a packet that isolation does not allow.
 *
 * Everything here runs in the packet path, in softirq or in process
 * context, under rcu_read_lock(): nothing sleeps, allocations are atomic,
 * and the common case of a drop nobody watches costs one listener test.
 */

#include <linux/in.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_log.h>

#include "compat.h"
#include "events.h"
#include "netns.h"
#include "parse.h"
#include "policy.h"
#include "reject.h"

void netfence_events_init(struct netfence_events *ev)
{
	atomic_long_set(&ev->window, jiffies - HZ);
	atomic_set(&ev->sent, 0);
	atomic_set(&ev->suppressed, 0);
	ev->rate = NETFENCE_EVENT_RATE_DEFAULT;
	ratelimit_state_init(&ev->log_rs, NETFENCE_LOG_INTERVAL, NETFENCE_LOG_BURST);
}

/*
 * One more event in this second? The first CPU to see a window end opens
 * the next one; the others count into it. Racing CPUs may let a few more
 * events through at a window boundary, never fewer.
 */
static bool netfence_events_allow(struct netfence_events *ev, u32 *suppressed)
{
	unsigned long now = jiffies;
	long start = atomic_long_read(&ev->window);
	u32 rate = netfence_events_rate(ev);

	if (!rate)
		return false;
	if (time_after_eq(now, (unsigned long)start + HZ) &&
	    atomic_long_cmpxchg(&ev->window, start, now) == start)
		atomic_set(&ev->sent, 0);
	if ((u32)atomic_inc_return(&ev->sent) > rate) {
		/* Keep the count from wrapping in a long flood. */
		atomic_set(&ev->sent, rate);
		atomic_inc(&ev->suppressed);
		return false;
	}
	*suppressed = atomic_xchg(&ev->suppressed, 0);
	return true;
}

/* The addresses and protocol of the packet, parsed or not. */
struct netfence_drop_info {
	const void *saddr;
	const void *daddr;
	unsigned int alen;
	u8 family;		/* AF_PACKET: a link-layer frame, no addresses */
	u8 proto;
	__be16 ethertype;	/* AF_PACKET only */
	const struct netfence_flow *flow;	/* NULL: headers unparsed */
};

static void netfence_drop_info(struct netfence_drop_info *di, const struct sk_buff *skb,
			       const struct nf_hook_state *state,
			       const struct netfence_flow *flow, __be16 ethertype)
{
	memset(di, 0, sizeof(*di));
	di->flow = flow;
	if (flow) {
		di->family = flow->family;
		di->saddr = &flow->t.saddr;
		di->daddr = &flow->t.daddr;
		di->proto = flow->t.proto;
	} else if (state->pf == NFPROTO_IPV4) {
		/* The IP header itself was checked before any hook runs. */
		di->family = AF_INET;
		di->saddr = &ip_hdr(skb)->saddr;
		di->daddr = &ip_hdr(skb)->daddr;
		di->proto = ip_hdr(skb)->protocol;
	} else if (state->pf == NFPROTO_IPV6) {
		di->family = AF_INET6;
		di->saddr = &ipv6_hdr(skb)->saddr;
		di->daddr = &ipv6_hdr(skb)->daddr;
		di->proto = ipv6_hdr(skb)->nexthdr;
	} else {
		di->family = AF_PACKET;
		di->ethertype = ethertype;
		return;
	}
	di->alen = di->family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

static bool netfence_flow_has_icmp(const struct netfence_flow *flow)
{
	return flow && !(flow->flags & NETFENCE_FLOW_FRAG) &&
	       (flow->t.proto == IPPROTO_ICMP || flow->t.proto == IPPROTO_ICMPV6);
}

static int netfence_put_flow(struct sk_buff *msg, const struct netfence_drop_info *di,
			     const struct sk_buff *skb, enum netfence_hook hook,
			     u8 reason, bool audit)
{
	const struct netfence_flow *flow = di->flow;
	struct nlattr *nest;

	nest = nla_nest_start(msg, NETFENCE_A_FLOW);
	if (!nest ||
	    nla_put_u8(msg, NETFENCE_FLOW_A_FAMILY, di->family) ||
	    nla_put_u8(msg, NETFENCE_FLOW_A_HOOK, hook))
		return -EMSGSIZE;
	if (di->family == AF_PACKET) {
		if (nla_put_u16(msg, NETFENCE_FLOW_A_ETHERTYPE, ntohs(di->ethertype)))
			return -EMSGSIZE;
		goto tail;
	}
	if (nla_put_u8(msg, NETFENCE_FLOW_A_PROTO, di->proto) ||
	    nla_put(msg, NETFENCE_FLOW_A_SADDR, di->alen, di->saddr) ||
	    nla_put(msg, NETFENCE_FLOW_A_DADDR, di->alen, di->daddr))
		return -EMSGSIZE;
	if (flow && (flow->flags & NETFENCE_FLOW_PORTS) &&
	    (nla_put_u16(msg, NETFENCE_FLOW_A_SPORT, flow->t.sport) ||
	     nla_put_u16(msg, NETFENCE_FLOW_A_DPORT, flow->t.dport)))
		return -EMSGSIZE;
	if (netfence_flow_has_icmp(flow) &&
	    (nla_put_u8(msg, NETFENCE_FLOW_A_ICMP_TYPE, flow->icmp_type) ||
	     nla_put_u8(msg, NETFENCE_FLOW_A_ICMP_CODE, flow->icmp_code)))
		return -EMSGSIZE;
tail:
	if (nla_put_u32(msg, NETFENCE_FLOW_A_LEN, skb->len) ||
	    nla_put_u8(msg, NETFENCE_FLOW_A_REASON, reason) ||
	    nla_put_u8(msg, NETFENCE_FLOW_A_AUDIT, audit))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Room for one drop event: the flow nest and the suppressed counter. */
#define NETFENCE_EVT_DROP_SIZE	(nla_total_size(0) + 7 * nla_total_size(1) + \
				 2 * nla_total_size(sizeof(struct in6_addr)) + \
				 3 * nla_total_size(2) + 2 * nla_total_size(4))

static void netfence_event_drop(struct netfence_net *pn, const struct netfence_drop_info *di,
				const struct sk_buff *skb, enum netfence_hook hook,
				u8 reason, bool audit)
{
	struct sk_buff *msg;
	u32 suppressed;
	void *hdr;

	/* Nobody listens, or anybody could: nothing to build, nothing to count. */
	if (!NETFENCE_HAVE_MCAST_PERM ||
	    !genl_has_listeners(&netfence_genl_family, pn->net, 0))
		return;
	if (!netfence_events_allow(&pn->events, &suppressed))
		return;

	msg = genlmsg_new(NETFENCE_EVT_DROP_SIZE, GFP_ATOMIC);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &netfence_genl_family, 0, NETFENCE_CMD_EVT_DROP);
	if (!hdr)
		goto err_free;
	if (netfence_put_flow(msg, di, skb, hook, reason, audit) ||
	    nla_put_u32(msg, NETFENCE_A_EVENTS_SUPPRESSED, suppressed))
		goto err_free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&netfence_genl_family, pn->net, msg, 0, 0, GFP_ATOMIC);
	return;

err_free:
	nlmsg_free(msg);
lost:
	/* Count the event as lost, with those it was to report. */
	atomic_add(suppressed + 1, &pn->events.suppressed);
}

static const char *netfence_proto_name(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	default:
		return NULL;
	}
}

/*
 * The kernel log is the host's. A namespace other than the initial one (a
 * container) writes to it only where the host allows every namespace to,
 * as the LOG target does (net.netfilter.nf_log_all_netns); then its own
 * rate limit keeps one namespace's flood from taking the whole of
 * net_ratelimit(), which all of networking shares.
 */
static bool netfence_log_allowed(struct netfence_net *pn)
{
	if (!net_eq(pn->net, &init_net) && !READ_ONCE(sysctl_nf_log_all_netns))
		return false;
	return __ratelimit(&pn->events.log_rs) && net_ratelimit();
}

/* "netfence: drop IN=eth0 OUT= SRC=... DST=... LEN=60 PROTO=TCP SPT=.. DPT=.." */
static void netfence_log_drop(struct netfence_net *pn, const struct netfence_drop_info *di,
			      const struct sk_buff *skb, const struct nf_hook_state *state,
			      bool audit)
{
	const struct netfence_flow *flow = di->flow;
	const char *pname = netfence_proto_name(di->proto);
	char proto[8], tail[40] = "";

	if (!netfence_log_allowed(pn))
		return;
	if (pname)
		strscpy(proto, pname, sizeof(proto));
	else
		snprintf(proto, sizeof(proto), "%u", di->proto);
	if (flow && (flow->flags & NETFENCE_FLOW_PORTS))
		snprintf(tail, sizeof(tail), " SPT=%u DPT=%u", flow->t.sport, flow->t.dport);
	else if (netfence_flow_has_icmp(flow))
		snprintf(tail, sizeof(tail), " TYPE=%u CODE=%u", flow->icmp_type, flow->icmp_code);

	if (di->family == AF_PACKET)
		pr_info("drop IN=%s OUT=%s ETHERTYPE=0x%04x LEN=%u%s%s\n",
			state->in ? state->in->name : "", state->out ? state->out->name : "",
			ntohs(di->ethertype), skb->len, flow ? "" : " MALFORMED",
			audit ? " AUDIT" : "");
	else if (di->family == AF_INET)
		pr_info("drop IN=%s OUT=%s SRC=%pI4 DST=%pI4 LEN=%u PROTO=%s%s%s%s\n",
			state->in ? state->in->name : "", state->out ? state->out->name : "",
			di->saddr, di->daddr, skb->len, proto, tail,
			flow ? "" : " MALFORMED", audit ? " AUDIT" : "");
	else
		pr_info("drop IN=%s OUT=%s SRC=%pI6c DST=%pI6c LEN=%u PROTO=%s%s%s%s\n",
			state->in ? state->in->name : "", state->out ? state->out->name : "",
			di->saddr, di->daddr, skb->len, proto, tail,
			flow ? "" : " MALFORMED", audit ? " AUDIT" : "");
}

unsigned int netfence_dropped(struct netfence_net *pn,
			      const struct netfence_policy *pol,
			      struct sk_buff *skb,
			      const struct nf_hook_state *state,
			      const struct netfence_flow *flow,
			      enum netfence_hook hook, u8 reason, __be16 ethertype)
{
	u32 flags = pol ? netfence_policy_flags(pol) : 0;
	bool audit = flags & NETFENCE_POLICY_F_AUDIT;
	struct netfence_drop_info di;

	if (reason != NETFENCE_DROP_NO_RULE)
		flow = NULL;
	netfence_drop_info(&di, skb, state, flow, ethertype);

	netfence_event_drop(pn, &di, skb, hook, reason, audit);
	if (flags & NETFENCE_POLICY_F_LOG)
		netfence_log_drop(pn, &di, skb, state, audit);

	/* Audit mode: counted and reported as a drop, but it passes. */
	if (audit)
		return NF_ACCEPT;
	/* Reject mode answers local senders only: inbound drops stay silent. */
	if ((flags & NETFENCE_POLICY_F_REJECT) && hook == NETFENCE_HOOK_LOCAL_OUT && flow)
		netfence_reject(skb, state, flow);
	return NF_DROP;
}
