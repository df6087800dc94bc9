/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: packet classification into a flow key. Pure logic: reads the
 * skb only through skb_header_pointer(), never trusts a length field, and
 * has no hook or netlink code (KUnit tests it on crafted skbs).
 */
#ifndef _NETFENCE_PARSE_H
#define _NETFENCE_PARSE_H

#include <linux/types.h>
#include <linux/netfilter.h>

struct sk_buff;

/* flow->flags */
#define NETFENCE_FLOW_PORTS	BIT(0)	/* sport/dport are valid (TCP, UDP) */
#define NETFENCE_FLOW_SYN	BIT(1)	/* TCP SYN without ACK: opens a connection */
#define NETFENCE_FLOW_FRAG	BIT(2)	/* non-first fragment: transport header unseen */
#define NETFENCE_FLOW_ICMP_ERR	BIT(3)	/* ICMP(v6) error; inner = quoted packet */
#define NETFENCE_FLOW_ICMP_REQ	BIT(4)	/* ICMP(v6) query (echo request...): opens */
#define NETFENCE_FLOW_ROUTED	BIT(5)	/* LOCAL_OUT ICMPv6 routed via a gateway (set by the hook) */

struct netfence_tuple {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	u16 sport;		/* host order, valid with NETFENCE_FLOW_PORTS */
	u16 dport;
	u8 proto;		/* transport protocol after extension headers */
};

struct netfence_flow {
	struct netfence_tuple t;
	/*
	 * The packet quoted by an ICMP error (NETFENCE_FLOW_ICMP_ERR): its
	 * addresses and, when the quote holds them, its ports
	 * (inner_flags & NETFENCE_FLOW_PORTS).
	 */
	struct netfence_tuple inner;
	u8 family;		/* AF_INET or AF_INET6 */
	u8 flags;		/* NETFENCE_FLOW_* */
	u8 inner_flags;
	u8 icmp_type;		/* valid for IPPROTO_ICMP/ICMPV6 */
	u8 icmp_code;
	u8 hop_limit;		/* IPv4 TTL, IPv6 hop limit */
	/* Offset of the transport header (not of non-first fragments). */
	unsigned int l4off;
};

/*
 * Classifies the packet at skb_network_offset(skb) of the given family.
 * Returns 0, or a negative errno when the packet must be dropped while
 * isolated: truncated headers, an IPv6 extension header chain that cannot
 * be walked, a first fragment that does not hold the whole transport
 * header, a version field that does not match the family.
 */
int netfence_parse(const struct sk_buff *skb, u8 family,
		   struct netfence_flow *flow);

/* What a link-layer frame carries (netfence_parse_link). */
enum netfence_link_kind {
	NETFENCE_LINK_MALFORMED,	/* too short, or a bad ARP header */
	NETFENCE_LINK_IPV4,
	NETFENCE_LINK_IPV6,
	NETFENCE_LINK_ARP,		/* well-formed Ethernet/IPv4 ARP */
	NETFENCE_LINK_CONTROL,		/* to 01:80:c2:00:00:0x (STP, LACP, LLDP, EAPOL) */
	NETFENCE_LINK_OTHER,		/* another EtherType, or 802.3/LLC (type 0) */
};

struct netfence_link {
	enum netfence_link_kind kind;
	__be16 ethertype;	/* after VLAN tags; 0 for 802.3 (LLC) frames */
	int nhoff;		/* offset of what follows the link header */
};

/*
 * Classifies the frame at offset off (relative to skb->data, may be
 * negative at ingress): an Ethernet header when ether, otherwise a bare
 * IPv4/IPv6 packet (L3 devices). At most two VLAN tags are unwrapped.
 */
void netfence_parse_link(const struct sk_buff *skb, int off, bool ether,
			 struct netfence_link *link);

/* netfence_parse() of the IP packet at offset off instead of the network header. */
int netfence_parse_at(const struct sk_buff *skb, unsigned int off, u8 family,
		      struct netfence_flow *flow);

#endif /* _NETFENCE_PARSE_H */
