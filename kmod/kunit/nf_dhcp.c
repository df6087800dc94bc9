// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: KUnit tests of the DHCP client allowance, on crafted skbs
 * classified by the real parser. The KUnit module carries its own copy of
 * the logic under test.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/udp.h>

#include "../dhcp.c"

#define P_IN	NETFENCE_PATH_IN
#define P_OUT	NETFENCE_PATH_OUT
#define P_FWD	NETFENCE_PATH_FWD
#define F_ALL	NETFENCE_POLICY_F_DEFAULT
#define T0	1000UL		/* jiffies of the first packet */

/* One test packet: IP header, UDP header, payload. */
struct dpkt {
	u8 family;
	union nf_inet_addr saddr, daddr;
	u16 sport, dport;
	u8 pl[600];
	unsigned int pl_len;
	int udp_len;		/* >= 0: overrides the UDP length field */
};

static union nf_inet_addr d4(u8 a, u8 b, u8 c, u8 d)
{
	union nf_inet_addr x = {};

	x.ip = htonl((u32)a << 24 | (u32)b << 16 | (u32)c << 8 | d);
	return x;
}

static union nf_inet_addr d6(u16 g0, u16 g1, u16 g6, u16 g7)
{
	union nf_inet_addr x = {};

	x.in6.s6_addr16[0] = htons(g0);
	x.in6.s6_addr16[1] = htons(g1);
	x.in6.s6_addr16[6] = htons(g6);
	x.in6.s6_addr16[7] = htons(g7);
	return x;
}

#define BCAST	d4(255, 255, 255, 255)
#define ZERO4	d4(0, 0, 0, 0)
#define HOST4	d4(192, 168, 1, 2)
#define SRV4	d4(192, 168, 1, 1)
#define RELAY4	d4(10, 9, 9, 9)
#define EVIL4	d4(198, 51, 100, 7)
#define ALL6	d6(0xff02, 0, 1, 2)
#define HOST6	d6(0xfe80, 0, 0, 2)
#define SRV6	d6(0xfe80, 0, 0, 1)
#define EVIL6	d6(0x2001, 0xdb8, 0, 7)

static void put_be32(u8 *b, u32 v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

/*
 * A DHCPv4 message: op, xid, the magic cookie, option 53 and, if server
 * is not 0.0.0.0, option 54.
 */
static struct dpkt *bootp(struct kunit *test, union nf_inet_addr s, u16 sport,
			  union nf_inet_addr d, u16 dport, u8 op, u32 xid,
			  union nf_inet_addr server)
{
	struct dpkt *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	u8 *o;

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->family = AF_INET;
	p->saddr = s;
	p->daddr = d;
	p->sport = sport;
	p->dport = dport;
	p->udp_len = -1;
	p->pl[0] = op;
	p->pl[1] = 1;		/* Ethernet */
	p->pl[2] = 6;
	put_be32(p->pl + 4, xid);
	put_be32(p->pl + BOOTP_HDR_LEN, BOOTP_COOKIE);
	o = p->pl + BOOTP_MIN_LEN;
	*o++ = 53;
	*o++ = 1;
	*o++ = op == BOOTREQUEST ? 1 : 2;	/* DISCOVER, OFFER */
	if (server.ip) {
		*o++ = 0;	/* padding is skipped */
		*o++ = DHCP4_OPT_SERVER_ID;
		*o++ = 4;
		memcpy(o, &server.ip, 4);
		o += 4;
	}
	*o++ = DHCP4_OPT_END;
	p->pl_len = o - p->pl;
	return p;
}

static struct dpkt *dhcp6(struct kunit *test, union nf_inet_addr s, u16 sport,
			  union nf_inet_addr d, u16 dport, u8 type, u32 xid)
{
	struct dpkt *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->family = AF_INET6;
	p->saddr = s;
	p->daddr = d;
	p->sport = sport;
	p->dport = dport;
	p->udp_len = -1;
	p->pl[0] = type;
	p->pl[1] = xid >> 16;
	p->pl[2] = xid >> 8;
	p->pl[3] = xid;
	/* An elapsed-time option, as a real client sends. */
	p->pl[5] = 8;
	p->pl[7] = 2;
	p->pl_len = 10;
	return p;
}

/* The skb of p, cut to keep bytes of payload (-1: all of it). */
static struct sk_buff *dpkt_skb(struct kunit *test, const struct dpkt *p, int keep)
{
	unsigned int pl = keep < 0 ? p->pl_len : keep;
	unsigned int ulen = sizeof(struct udphdr) + (p->udp_len >= 0 ? p->udp_len : p->pl_len);
	struct sk_buff *skb = alloc_skb(64 + sizeof(struct ipv6hdr) + 8 + pl, GFP_KERNEL);
	struct udphdr *uh;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_reset_network_header(skb);
	if (p->family == AF_INET) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = IPPROTO_UDP;
		iph->saddr = p->saddr.ip;
		iph->daddr = p->daddr.ip;
	} else {
		struct ipv6hdr *h = skb_put_zero(skb, sizeof(*h));

		h->version = 6;
		h->nexthdr = IPPROTO_UDP;
		h->hop_limit = 1;
		h->saddr = p->saddr.in6;
		h->daddr = p->daddr.in6;
	}
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(p->sport);
	uh->dest = htons(p->dport);
	uh->len = htons(ulen);
	skb_put_data(skb, p->pl, pl);
	return skb;
}

/* The allowance's verdict on p, at jiffies now, keeping keep payload bytes. */
static bool verdict_cut(struct kunit *test, struct netfence_dhcp *d, u32 flags,
			const struct dpkt *p, enum netfence_path path,
			unsigned long now, int keep)
{
	struct sk_buff *skb = dpkt_skb(test, p, keep);
	struct netfence_flow flow;
	bool ok;

	KUNIT_ASSERT_EQ(test, netfence_parse(skb, p->family, &flow), 0);
	ok = netfence_dhcp_allows(d, flags, skb, &flow, path, now);
	kfree_skb(skb);
	return ok;
}

static bool verdict(struct kunit *test, struct netfence_dhcp *d, u32 flags,
		    const struct dpkt *p, enum netfence_path path, unsigned long now)
{
	return verdict_cut(test, d, flags, p, path, now, -1);
}

static struct netfence_dhcp *dhcp_state(struct kunit *test)
{
	struct netfence_dhcp *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	netfence_dhcp_init(d);
	return d;
}

#define ALLOWS(p, path, now)	verdict(test, d, F_ALL, p, path, now)

/* Outbound: only well-formed client messages, to broadcast. */
static void dhcp4_request_test(struct kunit *test)
{
	struct netfence_dhcp *d = dhcp_state(test);
	struct dpkt *disc = bootp(test, ZERO4, 68, BCAST, 67, BOOTREQUEST, 0x1234, ZERO4);
	struct dpkt *p;

	KUNIT_EXPECT_TRUE(test, ALLOWS(disc, P_OUT, T0));
	KUNIT_EXPECT_FALSE(test, ALLOWS(disc, P_IN, T0));
	KUNIT_EXPECT_FALSE(test, ALLOWS(disc, P_FWD, T0));
	KUNIT_EXPECT_FALSE(test, verdict(test, d, F_ALL & ~NETFENCE_POLICY_F_DHCP4,
					 disc, P_OUT, T0));
	/* The DHCPv6 flag does not allow DHCPv4. */
	KUNIT_EXPECT_FALSE(test, verdict(test, d, NETFENCE_POLICY_F_DHCP6, disc, P_OUT, T0));

	/* Not a DHCP message: junk, short, no cookie, a reply, odd hardware. */
	p = bootp(test, HOST4, 68, BCAST, 67, BOOTREQUEST, 1, ZERO4);
	memset(p->pl, 'x', sizeof(p->pl));
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = bootp(test, HOST4, 68, BCAST, 67, BOOTREQUEST, 1, ZERO4);
	p->pl_len = BOOTP_MIN_LEN - 1;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p->pl_len = BOOTP_MIN_LEN;
	KUNIT_EXPECT_TRUE(test, ALLOWS(p, P_OUT, T0));
	/* The UDP length field, not the buffer, says where the message ends. */
	p->udp_len = BOOTP_MIN_LEN - 1;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p->udp_len = -1;
	/* A packet cut short of its UDP length. */
	KUNIT_EXPECT_FALSE(test, verdict_cut(test, d, F_ALL, p, P_OUT, T0, 200));
	p->pl[BOOTP_HDR_LEN] = 0;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = bootp(test, HOST4, 68, BCAST, 67, BOOTREPLY, 1, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = bootp(test, HOST4, 68, BCAST, 67, BOOTREQUEST, 1, ZERO4);
	p->pl[1] = 0;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p->pl[1] = 1;
	p->pl[2] = BOOTP_CHADDR_LEN + 1;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));

	/* Other ports, or a host that is not a learned server. */
	p = bootp(test, HOST4, 68, BCAST, 68, BOOTREQUEST, 1, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = bootp(test, HOST4, 1068, BCAST, 67, BOOTREQUEST, 1, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = bootp(test, HOST4, 68, EVIL4, 67, BOOTREQUEST, 1, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
}

/* Inbound: replies to a recorded request only, from any source. */
static void dhcp4_reply_test(struct kunit *test)
{
	struct netfence_dhcp *d = dhcp_state(test);
	struct dpkt *disc = bootp(test, ZERO4, 68, BCAST, 67, BOOTREQUEST, 0xabcd, ZERO4);
	struct dpkt *offer = bootp(test, SRV4, 67, BCAST, 68, BOOTREPLY, 0xabcd, SRV4);
	struct dpkt *relayed = bootp(test, RELAY4, 67, HOST4, 68, BOOTREPLY, 0xabcd, SRV4);
	struct dpkt *p;

	KUNIT_EXPECT_FALSE(test, ALLOWS(offer, P_IN, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(disc, P_OUT, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(offer, P_IN, T0 + 1));
	KUNIT_EXPECT_TRUE(test, ALLOWS(relayed, P_IN, T0 + 1));
	KUNIT_EXPECT_FALSE(test, ALLOWS(offer, P_FWD, T0 + 1));
	KUNIT_EXPECT_FALSE(test, ALLOWS(offer, P_OUT, T0 + 1));
	KUNIT_EXPECT_FALSE(test, verdict(test, d, F_ALL & ~NETFENCE_POLICY_F_DHCP4,
					 offer, P_IN, T0 + 1));

	/* Wrong xid, a request instead of a reply, no cookie, wrong ports. */
	p = bootp(test, EVIL4, 67, HOST4, 68, BOOTREPLY, 0xabce, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0 + 1));
	p = bootp(test, EVIL4, 67, HOST4, 68, BOOTREQUEST, 0xabcd, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0 + 1));
	p = bootp(test, EVIL4, 67, HOST4, 68, BOOTREPLY, 0xabcd, ZERO4);
	p->pl[BOOTP_HDR_LEN + 3] ^= 1;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0 + 1));
	p = bootp(test, EVIL4, 53, HOST4, 68, BOOTREPLY, 0xabcd, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0 + 1));

	/* The request expires; a retransmission with the same xid renews it. */
	KUNIT_EXPECT_TRUE(test, ALLOWS(offer, P_IN, T0 + NETFENCE_DHCP_XID_TTL - 1));
	KUNIT_EXPECT_FALSE(test, ALLOWS(offer, P_IN, T0 + NETFENCE_DHCP_XID_TTL));
	KUNIT_EXPECT_TRUE(test, ALLOWS(disc, P_OUT, T0 + 2 * NETFENCE_DHCP_XID_TTL));
	KUNIT_EXPECT_TRUE(test, ALLOWS(offer, P_IN, T0 + 3 * NETFENCE_DHCP_XID_TTL - 1));

	/* Release forgets it. */
	netfence_dhcp_reset(d);
	KUNIT_EXPECT_FALSE(test, ALLOWS(offer, P_IN, T0 + 2 * NETFENCE_DHCP_XID_TTL));
}

/* Unicast (renew, release) only to a server a reply named. */
static void dhcp4_server_test(struct kunit *test)
{
	struct netfence_dhcp *d = dhcp_state(test);
	struct dpkt *disc = bootp(test, ZERO4, 68, BCAST, 67, BOOTREQUEST, 7, ZERO4);
	/* Relayed: the relay sends, option 54 names the server. */
	struct dpkt *ack = bootp(test, RELAY4, 67, HOST4, 68, BOOTREPLY, 7, SRV4);
	/* No option 54: the sender is the server. */
	struct dpkt *ack2 = bootp(test, EVIL4, 67, HOST4, 68, BOOTREPLY, 7, ZERO4);
	struct dpkt *renew = bootp(test, HOST4, 68, SRV4, 67, BOOTREQUEST, 8, ZERO4);
	struct dpkt *to_relay = bootp(test, HOST4, 68, RELAY4, 67, BOOTREQUEST, 8, ZERO4);
	struct dpkt *to_evil = bootp(test, HOST4, 68, EVIL4, 67, BOOTREQUEST, 8, ZERO4);
	struct dpkt *renew_ack = bootp(test, SRV4, 67, HOST4, 68, BOOTREPLY, 8, SRV4);

	KUNIT_EXPECT_FALSE(test, ALLOWS(renew, P_OUT, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(disc, P_OUT, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(ack, P_IN, T0));
	KUNIT_EXPECT_FALSE(test, ALLOWS(renew_ack, P_IN, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(renew, P_OUT, T0 + 1));
	KUNIT_EXPECT_TRUE(test, ALLOWS(renew_ack, P_IN, T0 + 2));
	KUNIT_EXPECT_FALSE(test, ALLOWS(to_relay, P_OUT, T0 + 1));
	KUNIT_EXPECT_FALSE(test, ALLOWS(to_evil, P_OUT, T0 + 1));
	/* Learned servers do not expire with the requests (leases are long). */
	KUNIT_EXPECT_TRUE(test, ALLOWS(renew, P_OUT, T0 + 100 * NETFENCE_DHCP_XID_TTL));
	KUNIT_EXPECT_TRUE(test, ALLOWS(disc, P_OUT, T0 + 100 * NETFENCE_DHCP_XID_TTL));
	KUNIT_EXPECT_TRUE(test, ALLOWS(ack2, P_IN, T0 + 100 * NETFENCE_DHCP_XID_TTL));
	KUNIT_EXPECT_TRUE(test, ALLOWS(to_evil, P_OUT, T0 + 100 * NETFENCE_DHCP_XID_TTL));

	netfence_dhcp_reset(d);
	KUNIT_EXPECT_FALSE(test, ALLOWS(renew, P_OUT, T0 + 101 * NETFENCE_DHCP_XID_TTL));
}

/* Fixed-size tables: the oldest request, the staler server make room. */
static void dhcp_tables_test(struct kunit *test)
{
	struct netfence_dhcp *d = dhcp_state(test);
	struct dpkt *p;
	u32 i;

	for (i = 0; i <= NETFENCE_DHCP_XIDS; i++) {
		p = bootp(test, ZERO4, 68, BCAST, 67, BOOTREQUEST, 100 + i, ZERO4);
		KUNIT_EXPECT_TRUE(test, ALLOWS(p, P_OUT, T0 + i));
	}
	p = bootp(test, SRV4, 67, BCAST, 68, BOOTREPLY, 100, ZERO4);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0 + 20));
	for (i = 1; i <= NETFENCE_DHCP_XIDS; i++) {
		p = bootp(test, SRV4, 67, BCAST, 68, BOOTREPLY, 100 + i, ZERO4);
		KUNIT_EXPECT_TRUE(test, ALLOWS(p, P_IN, T0 + 20));
	}

	/* Servers 10.0.0.1..9 learned in turn: 10.0.0.1 is forgotten. */
	netfence_dhcp_reset(d);
	p = bootp(test, ZERO4, 68, BCAST, 67, BOOTREQUEST, 5, ZERO4);
	KUNIT_EXPECT_TRUE(test, ALLOWS(p, P_OUT, T0));
	for (i = 1; i <= NETFENCE_DHCP_SERVERS + 1; i++) {
		p = bootp(test, d4(10, 0, 0, i), 67, BCAST, 68, BOOTREPLY, 5, ZERO4);
		KUNIT_EXPECT_TRUE(test, ALLOWS(p, P_IN, T0 + i));
	}
	for (i = 1; i <= NETFENCE_DHCP_SERVERS + 1; i++) {
		p = bootp(test, HOST4, 68, d4(10, 0, 0, i), 67, BOOTREQUEST, 6, ZERO4);
		KUNIT_EXPECT_EQ_MSG(test, ALLOWS(p, P_OUT, T0 + 20), i != 1, "server %u", i);
	}
}

static void dhcp6_test(struct kunit *test)
{
	static const u8 client_types[] = { 1, 3, 4, 5, 6, 8, 9, 11 };
	static const u8 other_types[] = { 0, 2, 7, 10, 12, 13, 255 };
	struct netfence_dhcp *d = dhcp_state(test);
	struct dpkt *sol = dhcp6(test, HOST6, 546, ALL6, 547, 1, 0x123456);
	struct dpkt *adv = dhcp6(test, SRV6, 547, HOST6, 546, 2, 0x123456);
	struct dpkt *req = dhcp6(test, HOST6, 546, SRV6, 547, 3, 0x654321);
	struct dpkt *reply = dhcp6(test, SRV6, 547, HOST6, 546, 7, 0x654321);
	struct dpkt *p;
	unsigned int i;

	KUNIT_EXPECT_FALSE(test, ALLOWS(adv, P_IN, T0));
	KUNIT_EXPECT_FALSE(test, ALLOWS(req, P_OUT, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(sol, P_OUT, T0));
	KUNIT_EXPECT_FALSE(test, ALLOWS(sol, P_FWD, T0));
	KUNIT_EXPECT_FALSE(test, verdict(test, d, F_ALL & ~NETFENCE_POLICY_F_DHCP6,
					 sol, P_OUT, T0));
	KUNIT_EXPECT_FALSE(test, ALLOWS(reply, P_IN, T0));
	KUNIT_EXPECT_TRUE(test, ALLOWS(adv, P_IN, T0 + 1));
	KUNIT_EXPECT_FALSE(test, ALLOWS(adv, P_FWD, T0 + 1));
	/* The advertising server was learned: unicast to it is allowed. */
	KUNIT_EXPECT_TRUE(test, ALLOWS(req, P_OUT, T0 + 2));
	KUNIT_EXPECT_TRUE(test, ALLOWS(reply, P_IN, T0 + 3));

	for (i = 0; i < ARRAY_SIZE(client_types); i++) {
		p = dhcp6(test, HOST6, 546, ALL6, 547, client_types[i], 9);
		KUNIT_EXPECT_TRUE_MSG(test, ALLOWS(p, P_OUT, T0), "type %u", client_types[i]);
	}
	for (i = 0; i < ARRAY_SIZE(other_types); i++) {
		p = dhcp6(test, HOST6, 546, ALL6, 547, other_types[i], 9);
		KUNIT_EXPECT_FALSE_MSG(test, ALLOWS(p, P_OUT, T0), "type %u", other_types[i]);
	}
	/* Only ADVERTISE and REPLY come in (RECONFIGURE has no request). */
	for (i = 1; i < 14; i++) {
		p = dhcp6(test, EVIL6, 547, HOST6, 546, i, 9);
		KUNIT_EXPECT_EQ_MSG(test, ALLOWS(p, P_IN, T0 + 1), i == 2 || i == 7,
				    "type %u", i);
	}
	p = dhcp6(test, EVIL6, 547, HOST6, 546, 7, 10);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0 + 1));
	/* Not to a host that never answered, not from other ports, not short. */
	netfence_dhcp_reset(d);
	p = dhcp6(test, HOST6, 546, EVIL6, 547, 1, 11);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = dhcp6(test, HOST6, 5460, ALL6, 547, 1, 11);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	p = dhcp6(test, HOST6, 546, ALL6, 547, 1, 11);
	p->pl_len = DHCP6_HDR_LEN - 1;
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_OUT, T0));
	/* A DHCPv4 xid of the same value is another exchange. */
	p = bootp(test, ZERO4, 68, BCAST, 67, BOOTREQUEST, 0x42, ZERO4);
	KUNIT_EXPECT_TRUE(test, ALLOWS(p, P_OUT, T0));
	p = dhcp6(test, SRV6, 547, HOST6, 546, 7, 0x42);
	KUNIT_EXPECT_FALSE(test, ALLOWS(p, P_IN, T0));
}

static struct kunit_case dhcp_cases[] = {
	KUNIT_CASE(dhcp4_request_test),
	KUNIT_CASE(dhcp4_reply_test),
	KUNIT_CASE(dhcp4_server_test),
	KUNIT_CASE(dhcp_tables_test),
	KUNIT_CASE(dhcp6_test),
	{}
};

static struct kunit_suite dhcp_suite = {
	.name = "netfence_dhcp",
	.test_cases = dhcp_cases,
};

kunit_test_suites(&dhcp_suite);
