/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: what happens to a packet that isolation drops (drop events,
 * kernel log line, audit mode, reject mode).
 */
#ifndef _NETFENCE_EVENTS_H
#define _NETFENCE_EVENTS_H

#include <linux/atomic.h>
#include <linux/netfilter.h>
#include <linux/ratelimit.h>
#include <linux/types.h>
#include <uapi/linux/netfence.h>

struct genl_family;
struct netfence_flow;
struct netfence_net;
struct netfence_policy;
struct sk_buff;

/* The "netfence" generic-netlink family (kmod/netlink.c). */
extern struct genl_family netfence_genl_family;

/*
 * Rate limit of a namespace's drop events: at most rate events in each
 * window of one second. Lock-free: the packet path only reads and
 * increments atomics, and only when an event is due (a drop, with a
 * listener on the "events" group).
 */
struct netfence_events {
	atomic_long_t window;	/* jiffies at which the current window began */
	atomic_t sent;		/* events sent in the current window */
	atomic_t suppressed;	/* events lost since the last one sent */
	u32 rate;		/* events per second, 0 none (WRITE_ONCE) */
	/* Kernel log lines of NETFENCE_POLICY_F_LOG: one flood, one namespace. */
	struct ratelimit_state log_rs;
};

/* Kernel log lines per namespace: at most NETFENCE_LOG_BURST per interval. */
#define NETFENCE_LOG_INTERVAL	(5 * HZ)
#define NETFENCE_LOG_BURST	5

void netfence_events_init(struct netfence_events *ev);

static inline u32 netfence_events_rate(const struct netfence_events *ev)
{
	return READ_ONCE(ev->rate);
}

static inline void netfence_events_set_rate(struct netfence_events *ev, u32 rate)
{
	WRITE_ONCE(ev->rate, rate);
}

/*
 * A packet isolation does not allow: reports it (event, log line) as the
 * policy asks and returns the verdict: NF_ACCEPT in audit mode, otherwise
 * NF_DROP, after answering a local sender in reject mode. flow is the
 * parsed packet when reason is NETFENCE_DROP_NO_RULE, otherwise unused;
 * ethertype names a link-layer frame that is not parsed as IP (netdev
 * hooks). pol may be NULL. Runs in the packet path (softirq or process context).
 */
unsigned int netfence_dropped(struct netfence_net *pn,
			      const struct netfence_policy *pol,
			      struct sk_buff *skb,
			      const struct nf_hook_state *state,
			      const struct netfence_flow *flow,
			      enum netfence_hook hook, u8 reason, __be16 ethertype);

#endif /* _NETFENCE_EVENTS_H */
