/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the DHCPv4/DHCPv6 client allowance (policy flags DHCP4 and
 * DHCP6). Pure logic: reads the skb through skb_header_pointer() and keeps
 * a small fixed-size state per namespace, no hook or netlink code (KUnit
 * tests it on crafted skbs).
 *
 * An isolated host may send well-formed client messages to the DHCP
 * multicast/broadcast address or to a server it learned, and may receive
 * server replies whose transaction id matches a request it sent in the
 * last NETFENCE_DHCP_XID_TTL. A server is learned from an accepted reply
 * and kept until the namespace is released.
 */
#ifndef _NETFENCE_DHCP_H
#define _NETFENCE_DHCP_H

#include <linux/netfilter.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "match.h"

struct sk_buff;

/* Requests remembered: enough for a DISCOVER, its REQUEST and retries. */
#define NETFENCE_DHCP_XIDS	8
/* A reply later than this after its request is not a reply. */
#define NETFENCE_DHCP_XID_TTL	(60 * HZ)
/* Servers remembered; the least recently confirmed one makes room. */
#define NETFENCE_DHCP_SERVERS	8

struct netfence_dhcp_xid {
	unsigned long stamp;	/* jiffies of the last request */
	u32 xid;		/* DHCPv4 xid, or the 3-byte DHCPv6 one */
	u8 family;		/* AF_UNSPEC: free slot */
};

struct netfence_dhcp_server {
	unsigned long stamp;	/* jiffies of the last reply that named it */
	union nf_inet_addr addr;
	u8 family;		/* AF_UNSPEC: free slot */
};

/*
 * Written from the packet path on any CPU (LOCAL_OUT in process context,
 * LOCAL_IN in softirq): lock is taken with BHs off. DHCP packets are rare,
 * so one lock costs nothing that matters.
 */
struct netfence_dhcp {
	spinlock_t lock;
	unsigned int next_xid;	/* slot the next new request overwrites */
	struct netfence_dhcp_xid xids[NETFENCE_DHCP_XIDS];
	struct netfence_dhcp_server servers[NETFENCE_DHCP_SERVERS];
};

void netfence_dhcp_init(struct netfence_dhcp *d);

/* Forgets every request and server (the namespace is released). */
void netfence_dhcp_reset(struct netfence_dhcp *d);

/*
 * True when the packet is a DHCP client exchange that policy_flags
 * (NETFENCE_POLICY_F_DHCP4/DHCP6) allow: an outbound client message (its
 * transaction id is then recorded) or an inbound reply to a recorded one
 * (its server is then learned). Never on NETFENCE_PATH_FWD. now is
 * jiffies. For packets the rules dropped: any context, no allocation.
 */
bool netfence_dhcp_allows(struct netfence_dhcp *d, u32 policy_flags,
			  const struct sk_buff *skb,
			  const struct netfence_flow *flow,
			  enum netfence_path path, unsigned long now);

#endif /* _NETFENCE_DHCP_H */
