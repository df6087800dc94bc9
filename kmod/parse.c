// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: packet classification. Every read goes through
 * skb_header_pointer() and is bounded by skb->len; length fields of the
 * packet only ever shorten what is read, never extend it.
 */
#include <linux/errno.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "parse.h"

/* IPv6 extension headers walked before giving up on a chain. */
#define NETFENCE_MAX_EXTHDRS	16

/* Minimum transport header a first fragment (or a packet) must hold. */
#define ICMP_HDR_LEN	8

/* Where the transport header is, once the network header is parsed. */
struct l3_info {
	unsigned int l4off;
	bool frag;		/* non-first fragment: no transport header */
	u8 hop_limit;
};

static int parse_ipv4(const struct sk_buff *skb, unsigned int off,
		      struct netfence_tuple *t, struct l3_info *l3)
{
	struct iphdr _iph;
	const struct iphdr *iph;
	unsigned int hlen;

	iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return -EINVAL;
	hlen = iph->ihl * 4;
	if (off + hlen > skb->len)
		return -EINVAL;
	t->saddr.ip = iph->saddr;
	t->daddr.ip = iph->daddr;
	t->proto = iph->protocol;
	l3->l4off = off + hlen;
	l3->frag = !!(iph->frag_off & htons(IP_OFFSET));
	l3->hop_limit = iph->ttl;
	return 0;
}

static int parse_ipv6(const struct sk_buff *skb, unsigned int off,
		      struct netfence_tuple *t, struct l3_info *l3)
{
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	unsigned int n;
	u8 nexthdr;

	ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return -EINVAL;
	t->saddr.in6 = ip6h->saddr;
	t->daddr.in6 = ip6h->daddr;
	nexthdr = ip6h->nexthdr;
	off += sizeof(_ip6h);
	l3->frag = false;
	l3->hop_limit = ip6h->hop_limit;

	for (n = 0; ; n++) {
		struct ipv6_opt_hdr _opt;
		const struct ipv6_opt_hdr *opt;
		struct frag_hdr _fh;
		const struct frag_hdr *fh;
		unsigned int len;

		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
		case NEXTHDR_AUTH:
		case NEXTHDR_FRAGMENT:
			break;
		default:
			/* Transport, ESP or NEXTHDR_NONE: the chain ends. */
			t->proto = nexthdr;
			l3->l4off = off;
			return 0;
		}
		if (n >= NETFENCE_MAX_EXTHDRS)
			return -EINVAL;
		if (nexthdr == NEXTHDR_FRAGMENT) {
			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return -EINVAL;
			nexthdr = fh->nexthdr;
			off += sizeof(_fh);
			if (fh->frag_off & htons(IP6_OFFSET)) {
				/* Non-first: what follows is not a header. */
				t->proto = nexthdr;
				l3->l4off = off;
				l3->frag = true;
				return 0;
			}
			continue;
		}
		opt = skb_header_pointer(skb, off, sizeof(_opt), &_opt);
		if (!opt)
			return -EINVAL;
		if (nexthdr == NEXTHDR_AUTH)
			len = ipv6_authlen(opt);
		else
			len = ipv6_optlen(opt);
		if (off + len > skb->len)
			return -EINVAL;
		nexthdr = opt->nexthdr;
		off += len;
	}
}

static bool icmp_is_query(u8 family, u8 type)
{
	if (family == AF_INET) {
		switch (type) {
		case ICMP_ECHO:
		case ICMP_TIMESTAMP:
		case ICMP_INFO_REQUEST:
		case ICMP_ADDRESS:
		case 10:	/* router solicitation */
			return true;
		}
		return false;
	}
	switch (type) {
	case ICMPV6_ECHO_REQUEST:
	case ICMPV6_MGM_QUERY:
	case NDISC_ROUTER_SOLICITATION:
	case NDISC_NEIGHBOUR_SOLICITATION:
	case ICMPV6_NI_QUERY:
	case 141:	/* inverse neighbour discovery solicitation */
	case ICMPV6_DHAAD_REQUEST:
	case ICMPV6_MOBILE_PREFIX_SOL:
		return true;
	}
	return false;
}

/* Errors that quote a packet and may pass for an allowed flow. */
static bool icmp_is_error(u8 family, u8 type)
{
	if (family == AF_INET)
		return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
		       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

static u8 icmp_proto(u8 family)
{
	return family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
}

static int parse_l3(const struct sk_buff *skb, unsigned int off, u8 family,
		    struct netfence_tuple *t, struct l3_info *l3)
{
	if (family == AF_INET)
		return parse_ipv4(skb, off, t, l3);
	if (family == AF_INET6)
		return parse_ipv6(skb, off, t, l3);
	return -EAFNOSUPPORT;
}

/*
 * The packet an ICMP error quotes: its network header must be whole; its
 * ports are taken when the quote holds them (only 8 bytes are promised).
 */
static void parse_quote(const struct sk_buff *skb, unsigned int off,
			struct netfence_flow *flow)
{
	struct netfence_tuple *in = &flow->inner;
	struct l3_info l3;
	__be16 _ports[2];
	const __be16 *ports;

	if (parse_l3(skb, off, flow->family, in, &l3))
		return;
	flow->flags |= NETFENCE_FLOW_ICMP_ERR;
	if (l3.frag || (in->proto != IPPROTO_TCP && in->proto != IPPROTO_UDP))
		return;
	ports = skb_header_pointer(skb, l3.l4off, sizeof(_ports), _ports);
	if (!ports)
		return;
	in->sport = ntohs(ports[0]);
	in->dport = ntohs(ports[1]);
	flow->inner_flags |= NETFENCE_FLOW_PORTS;
}

static int parse_l4(const struct sk_buff *skb, unsigned int off,
		    struct netfence_flow *flow)
{
	struct netfence_tuple *t = &flow->t;

	if (t->proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, off, sizeof(_th), &_th);
		if (!th || th->doff < 5 || off + th->doff * 4 > skb->len)
			return -EINVAL;
		t->sport = ntohs(th->source);
		t->dport = ntohs(th->dest);
		flow->flags |= NETFENCE_FLOW_PORTS;
		if (th->syn && !th->ack)
			flow->flags |= NETFENCE_FLOW_SYN;
	} else if (t->proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh)
			return -EINVAL;
		t->sport = ntohs(uh->source);
		t->dport = ntohs(uh->dest);
		flow->flags |= NETFENCE_FLOW_PORTS;
	} else if (t->proto == icmp_proto(flow->family)) {
		u8 _ih[ICMP_HDR_LEN];
		const u8 *ih;

		ih = skb_header_pointer(skb, off, sizeof(_ih), _ih);
		if (!ih)
			return -EINVAL;
		flow->icmp_type = ih[0];
		flow->icmp_code = ih[1];
		if (icmp_is_query(flow->family, ih[0]))
			flow->flags |= NETFENCE_FLOW_ICMP_REQ;
		else if (icmp_is_error(flow->family, ih[0]))
			parse_quote(skb, off + ICMP_HDR_LEN, flow);
	}
	return 0;
}

int netfence_parse_at(const struct sk_buff *skb, unsigned int off, u8 family,
		      struct netfence_flow *flow)
{
	struct l3_info l3;
	int err;

	memset(flow, 0, sizeof(*flow));
	flow->family = family;
	err = parse_l3(skb, off, family, &flow->t, &l3);
	if (err)
		return err;
	flow->hop_limit = l3.hop_limit;
	if (l3.frag) {
		flow->flags |= NETFENCE_FLOW_FRAG;
		return 0;
	}
	/*
	 * A whole packet or a first fragment: its transport header must be
	 * complete, or a tiny first fragment could hide the ports.
	 */
	flow->l4off = l3.l4off;
	return parse_l4(skb, l3.l4off, flow);
}

int netfence_parse(const struct sk_buff *skb, u8 family,
		   struct netfence_flow *flow)
{
	return netfence_parse_at(skb, skb_network_offset(skb), family, flow);
}

/* An ARP header for IPv4 over Ethernet, request or reply: nothing else. */
static bool arp_well_formed(const struct sk_buff *skb, int off)
{
	struct arphdr _ah;
	const struct arphdr *ah;

	ah = skb_header_pointer(skb, off, sizeof(_ah), &_ah);
	return ah && ah->ar_hrd == htons(ARPHRD_ETHER) && ah->ar_pro == htons(ETH_P_IP) &&
	       ah->ar_hln == ETH_ALEN && ah->ar_pln == 4 &&
	       (ah->ar_op == htons(ARPOP_REQUEST) || ah->ar_op == htons(ARPOP_REPLY)) &&
	       off + (int)sizeof(_ah) + 2 * (ETH_ALEN + 4) <= (int)skb->len;
}

static void link_l3(const struct sk_buff *skb, int off, struct netfence_link *link)
{
	u8 _v;
	const u8 *v;

	link->nhoff = off;
	v = skb_header_pointer(skb, off, 1, &_v);
	if (v && (*v >> 4) == 4) {
		link->kind = NETFENCE_LINK_IPV4;
		link->ethertype = htons(ETH_P_IP);
	} else if (v && (*v >> 4) == 6) {
		link->kind = NETFENCE_LINK_IPV6;
		link->ethertype = htons(ETH_P_IPV6);
	}
}

void netfence_parse_link(const struct sk_buff *skb, int off, bool ether,
			 struct netfence_link *link)
{
	/* IEEE 802.1D reserved group addresses 01:80:c2:00:00:00-0f. */
	static const u8 ctl_addr[5] = { 0x01, 0x80, 0xc2, 0x00, 0x00 };
	struct ethhdr _eh;
	const struct ethhdr *eh;
	unsigned int tags;
	__be16 type;

	memset(link, 0, sizeof(*link));
	if (!ether) {
		link_l3(skb, off, link);
		return;
	}
	eh = skb_header_pointer(skb, off, sizeof(_eh), &_eh);
	if (!eh)
		return;
	type = eh->h_proto;
	off += sizeof(_eh);
	for (tags = 0; tags < 2 && (type == htons(ETH_P_8021Q) || type == htons(ETH_P_8021AD));
	     tags++) {
		struct vlan_hdr _vh;
		const struct vlan_hdr *vh;

		vh = skb_header_pointer(skb, off, sizeof(_vh), &_vh);
		if (!vh)
			return;
		type = vh->h_vlan_encapsulated_proto;
		off += sizeof(_vh);
	}
	link->nhoff = off;
	if (!memcmp(eh->h_dest, ctl_addr, sizeof(ctl_addr)) && !(eh->h_dest[5] & 0xf0)) {
		link->kind = NETFENCE_LINK_CONTROL;
		link->ethertype = ntohs(type) >= ETH_P_802_3_MIN ? type : 0;
		return;
	}
	if (ntohs(type) < ETH_P_802_3_MIN) {
		/* 802.3 length: an LLC frame (or a third VLAN tag's payload). */
		link->kind = NETFENCE_LINK_OTHER;
		return;
	}
	link->ethertype = type;
	if (type == htons(ETH_P_IP)) {
		link->kind = NETFENCE_LINK_IPV4;
	} else if (type == htons(ETH_P_IPV6)) {
		link->kind = NETFENCE_LINK_IPV6;
	} else if (type == htons(ETH_P_ARP)) {
		if (arp_well_formed(skb, off))
			link->kind = NETFENCE_LINK_ARP;
	} else {
		/* Any other type, a third VLAN tag included. */
		link->kind = NETFENCE_LINK_OTHER;
	}
}
