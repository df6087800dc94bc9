// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: KUnit tests of the pure logic (rules, trie, policy, parser,
 * matcher). Runs at module load on a kernel with KUnit.
 */
#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "../cgpath.h"
#include "../match.h"
#include "../parse.h"
#include "../policy.h"
#include "../rule.h"
#include "netfence_kunit.h"

#define OUT	NETFENCE_DIR_OUT
#define IN	NETFENCE_DIR_IN
#define BOTH	NETFENCE_DIR_BOTH
#define P_IN	NETFENCE_PATH_IN
#define P_OUT	NETFENCE_PATH_OUT
#define P_FWD	NETFENCE_PATH_FWD
#define CT_NONE	NETFENCE_CT_NONE
#define CT_INVALID NETFENCE_CT_INVALID
#define CT_NEW	NETFENCE_CT_NEW
#define CT_REPLY NETFENCE_CT_ESTABLISHED
#define CT_RELATED NETFENCE_CT_RELATED
#define DROP	NETFENCE_MATCH_DROP
#define BUILTIN	NETFENCE_MATCH_BUILTIN

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static union nf_inet_addr a4(u8 a, u8 b, u8 c, u8 d)
{
	union nf_inet_addr x = {};

	x.ip = htonl((u32)a << 24 | (u32)b << 16 | (u32)c << 8 | d);
	return x;
}

/* IPv6 address from eight 16-bit groups. */
static union nf_inet_addr a6(u16 g0, u16 g1, u16 g2, u16 g3,
			     u16 g4, u16 g5, u16 g6, u16 g7)
{
	union nf_inet_addr x = {};
	u16 g[8] = { g0, g1, g2, g3, g4, g5, g6, g7 };
	int i;

	for (i = 0; i < 8; i++)
		x.in6.s6_addr16[i] = htons(g[i]);
	return x;
}

static struct netfence_rule rule4(union nf_inet_addr addr, u8 len, u8 proto,
				  u16 pmin, u16 pmax, u8 dir)
{
	struct netfence_rule r = {
		.addr = addr, .family = AF_INET, .prefixlen = len, .proto = proto,
		.port_min = pmin, .port_max = pmax, .dir = dir,
	};
	return r;
}

static struct netfence_rule rule6(union nf_inet_addr addr, u8 len, u8 proto,
				  u16 pmin, u16 pmax, u8 dir)
{
	struct netfence_rule r = rule4(addr, len, proto, pmin, pmax, dir);

	r.family = AF_INET6;
	return r;
}

static struct netfence_rule rule_any(u8 proto, u16 pmin, u16 pmax, u8 dir)
{
	struct netfence_rule r = rule4((union nf_inet_addr){}, 0, proto, pmin, pmax, dir);

	r.family = AF_UNSPEC;
	return r;
}

/* Two rules in test-managed memory (keeps stack frames small). */
static struct netfence_rule *rule_pair(struct kunit *test, const struct netfence_rule *a,
				       const struct netfence_rule *b)
{
	struct netfence_rule *r = kunit_kmalloc_array(test, 2, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r[0] = *a;
	r[1] = *b;
	return r;
}

/* Builds a policy from n rules; the test fails if any rule is refused. */
static struct netfence_policy *mkpol(struct kunit *test,
				     const struct netfence_rule *rules,
				     unsigned int n, u32 flags)
{
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_policy *pol;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ_MSG(test, netfence_builder_add(b, &rules[i], NULL), 0,
				    "rule %u refused", i);
	pol = netfence_policy_build(b, flags, NULL);
	netfence_builder_free(b);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol));
	return pol;
}

/* Index of rule r in pol (the matcher returns indices), or -1. */
static int pol_index(const struct netfence_policy *pol, const struct netfence_rule *r)
{
	struct netfence_rule x;
	u32 i;

	for (i = 0; i < netfence_policy_count(pol); i++) {
		netfence_policy_rule(pol, i, &x);
		if (!netfence_rule_cmp(&x, r))
			return i;
	}
	return -1;
}

static struct netfence_flow flow4(u8 proto, union nf_inet_addr s, u16 sport,
				  union nf_inet_addr d, u16 dport, u8 flags)
{
	struct netfence_flow f = {};

	f.family = AF_INET;
	f.t.saddr = s;
	f.t.daddr = d;
	f.t.proto = proto;
	f.flags = flags;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		if (!(flags & NETFENCE_FLOW_FRAG))
			f.flags |= NETFENCE_FLOW_PORTS;
		f.t.sport = sport;
		f.t.dport = dport;
	}
	return f;
}

static struct netfence_flow flow6(u8 proto, union nf_inet_addr s, u16 sport,
				  union nf_inet_addr d, u16 dport, u8 flags)
{
	struct netfence_flow f = flow4(proto, s, sport, d, dport, flags);

	f.family = AF_INET6;
	return f;
}

static struct netfence_flow icmp4(union nf_inet_addr s, union nf_inet_addr d,
				  u8 type, u8 flags)
{
	struct netfence_flow f = flow4(IPPROTO_ICMP, s, 0, d, 0, flags);

	f.icmp_type = type;
	return f;
}

static struct netfence_flow icmp6(union nf_inet_addr s, union nf_inet_addr d,
				  u8 type, u8 flags)
{
	struct netfence_flow f = flow6(IPPROTO_ICMPV6, s, 0, d, 0, flags);

	f.icmp_type = type;
	return f;
}

/* ---------------------------------------------------------------------- */
/* Rules: validation and order                                            */

struct validate_case {
	const char *name;
	struct netfence_rule r;
	const char *msg;	/* NULL: valid */
};

#define N_VALIDATE_CASES	24
#define N_VALIDATE_CASES_A	8

/* Two halves: one array of all cases would need a large stack frame. */
static noinline void validate_cases_init_a(struct validate_case *out)
{
	const struct validate_case cases[] = {
		{ "v4 host", rule4(a4(10, 0, 0, 1), 32, 0, 0, 65535, OUT), NULL },
		{ "v4 any", rule4(a4(0, 0, 0, 0), 0, 0, 0, 65535, OUT), NULL },
		{ "v6 /64 tcp 443", rule6(a6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 64,
					  IPPROTO_TCP, 443, 443, BOTH), NULL },
		{ "unspec udp 53", rule_any(IPPROTO_UDP, 53, 53, OUT), NULL },
		{ "icmp v4", rule4(a4(10, 0, 0, 0), 8, IPPROTO_ICMP, 0, 65535, IN), NULL },
		{ "icmpv6 v6", rule6(a6(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, IPPROTO_ICMPV6,
				     0, 65535, OUT), NULL },
		{ "v4 prefix 33", rule4(a4(10, 0, 0, 1), 33, 0, 0, 65535, OUT),
		  "prefix length exceeds 32 for IPv4" },
		{ "v6 prefix 129", rule6(a6(0x2001, 0, 0, 0, 0, 0, 0, 0), 129, 0, 0, 65535, OUT),
		  "prefix length exceeds 128 for IPv6" },
	};

	BUILD_BUG_ON(ARRAY_SIZE(cases) != N_VALIDATE_CASES_A);
	memcpy(out, cases, sizeof(cases));
}

static noinline void validate_cases_init_b(struct validate_case *out)
{
	const struct validate_case cases[] = {
		{ "v4 host bits", rule4(a4(10, 0, 0, 1), 24, 0, 0, 65535, OUT),
		  "host bits set beyond prefix length" },
		{ "v4 host bits /0", rule4(a4(128, 0, 0, 0), 0, 0, 0, 65535, OUT),
		  "host bits set beyond prefix length" },
		{ "v6 host bits", rule6(a6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 127, 0, 0, 65535,
					OUT), "host bits set beyond prefix length" },
		{ "v6 host bit in byte", rule6(a6(0x2001, 0xdb9, 0, 0, 0, 0, 0, 0), 31, 0, 0,
					       65535, OUT), "host bits set beyond prefix length" },
		{ "ports with icmp", rule4(a4(10, 0, 0, 0), 8, IPPROTO_ICMP, 1, 2, OUT),
		  "ports need proto tcp, udp or any" },
		{ "ports with icmpv6", rule6(a6(0x2001, 0, 0, 0, 0, 0, 0, 0), 16,
					     IPPROTO_ICMPV6, 0, 10, OUT),
		  "ports need proto tcp, udp or any" },
		{ "port_min > port_max", rule4(a4(10, 0, 0, 0), 8, IPPROTO_TCP, 90, 80, OUT),
		  "port_min greater than port_max" },
		{ "icmp in v6 rule", rule6(a6(0x2001, 0, 0, 0, 0, 0, 0, 0), 16, IPPROTO_ICMP,
					   0, 65535, OUT), "icmp needs an IPv4 rule" },
		{ "icmp in unspec rule", rule_any(IPPROTO_ICMP, 0, 65535, OUT),
		  "icmp needs an IPv4 rule" },
		{ "icmpv6 in v4 rule", rule4(a4(10, 0, 0, 0), 8, IPPROTO_ICMPV6, 0, 65535,
					     OUT), "icmpv6 needs an IPv6 rule" },
		{ "unknown proto", rule4(a4(10, 0, 0, 0), 8, IPPROTO_GRE, 0, 65535, OUT),
		  "unsupported protocol (tcp, udp, icmp, icmpv6 or any)" },
		{ "dir 0", rule4(a4(10, 0, 0, 0), 8, 0, 0, 65535, 0),
		  "unknown direction (out, in or both)" },
		{ "dir 4", rule4(a4(10, 0, 0, 0), 8, 0, 0, 65535, 4),
		  "unknown direction (out, in or both)" },
		{ "unspec with prefix", { .family = AF_UNSPEC, .prefixlen = 8,
					  .port_max = 65535, .dir = OUT },
		  "prefix length needs an address family" },
		{ "unspec with address", { .addr = a4(10, 0, 0, 0), .family = AF_UNSPEC,
					   .port_max = 65535, .dir = OUT },
		  "address not allowed without an address family" },
		{ "family 99", { .family = 99, .port_max = 65535, .dir = OUT },
		  "unknown address family (AF_INET, AF_INET6 or AF_UNSPEC)" },
	};

	BUILD_BUG_ON(ARRAY_SIZE(cases) != N_VALIDATE_CASES - N_VALIDATE_CASES_A);
	memcpy(out, cases, sizeof(cases));
}

static void validate_cases_init(struct validate_case *out)
{
	validate_cases_init_a(out);
	validate_cases_init_b(out + N_VALIDATE_CASES_A);
}

static struct validate_case *validate_cases(struct kunit *test)
{
	struct validate_case *c = kunit_kcalloc(test, N_VALIDATE_CASES, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	validate_cases_init(c);
	return c;
}

static void rule_validate_test(struct kunit *test)
{
	const struct validate_case *cases = validate_cases(test);
	unsigned int i;

	for (i = 0; i < N_VALIDATE_CASES; i++) {
		struct netlink_ext_ack ext = {};
		int err = netfence_rule_validate(&cases[i].r, &ext);

		if (!cases[i].msg) {
			KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", cases[i].name);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "%s", cases[i].name);
		KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, ext._msg, "%s", cases[i].name);
		if (ext._msg)
			KUNIT_EXPECT_STREQ_MSG(test, ext._msg, cases[i].msg, "%s",
					       cases[i].name);
	}
}

static void rule_cmp_test(struct kunit *test)
{
	struct netfence_rule any = rule_any(0, 0, 65535, OUT);
	struct netfence_rule n8 = rule4(a4(10, 0, 0, 0), 8, 0, 0, 65535, OUT);
	struct netfence_rule n16 = rule4(a4(10, 0, 0, 0), 16, 0, 0, 65535, OUT);
	struct netfence_rule n16b = rule4(a4(10, 1, 0, 0), 16, 0, 0, 65535, OUT);
	struct netfence_rule n16tcp = rule4(a4(10, 0, 0, 0), 16, IPPROTO_TCP, 0, 65535, OUT);
	struct netfence_rule v6 = rule6(a6(0, 0, 0, 0, 0, 0, 0, 0), 0, 0, 0, 65535, OUT);
	struct netfence_rule junk = n8;

	/* Unused address bytes of an IPv4 rule do not count. */
	junk.addr.all[3] = 0xdeadbeef;
	KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&n8, &junk), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&any, &n8), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&n8, &v6), 0);
	/* A prefix sorts before its extensions (trie pre-order). */
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&n8, &n16), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&n16, &n16b), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&n16, &n16tcp), 0);
	KUNIT_EXPECT_GT(test, netfence_rule_cmp(&n16b, &n16tcp), 0);
	KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&n16, &n16), 0);
}

static struct kunit_case rule_cases[] = {
	KUNIT_CASE(rule_validate_test),
	KUNIT_CASE(rule_cmp_test),
	{}
};

static struct kunit_suite rule_suite = {
	.name = "netfence_rule",
	.test_cases = rule_cases,
};

/* ---------------------------------------------------------------------- */
/* Parser, on crafted skbs                                                */

struct pkt {
	u8 b[512];
	unsigned int len;
};

static void *put(struct pkt *p, unsigned int n)
{
	void *d = p->b + p->len;

	memset(d, 0, n);
	p->len += n;
	return d;
}

/* IPv4 header of ihl words (options are NOPs); frag = flags|offset. */
static void put_ip4(struct pkt *p, u8 ihl, u8 proto, union nf_inet_addr s,
		    union nf_inet_addr d, u16 frag)
{
	struct iphdr *iph = put(p, ihl * 4);

	iph->version = 4;
	iph->ihl = ihl;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->saddr = s.ip;
	iph->daddr = d.ip;
	iph->frag_off = htons(frag);
	memset(iph + 1, IPOPT_NOOP, ihl * 4 - sizeof(*iph));
}

static void put_tcp(struct pkt *p, u16 sport, u16 dport, bool syn, bool ack, u8 doff)
{
	struct tcphdr *th = put(p, doff * 4);

	th->source = htons(sport);
	th->dest = htons(dport);
	th->doff = doff;
	th->syn = syn;
	th->ack = ack;
}

static void put_udp(struct pkt *p, u16 sport, u16 dport)
{
	struct udphdr *uh = put(p, sizeof(*uh));

	uh->source = htons(sport);
	uh->dest = htons(dport);
}

static void put_icmp(struct pkt *p, u8 type, u8 code)
{
	u8 *h = put(p, 8);

	h[0] = type;
	h[1] = code;
}

static void put_ip6(struct pkt *p, u8 nexthdr, union nf_inet_addr s, union nf_inet_addr d)
{
	struct ipv6hdr *h = put(p, sizeof(*h));

	h->version = 6;
	h->nexthdr = nexthdr;
	h->hop_limit = 64;
	h->saddr = s.in6;
	h->daddr = d.in6;
}

/* Hop-by-hop, routing or destination options: (units + 1) * 8 bytes. */
static void put_opt(struct pkt *p, u8 nexthdr, u8 units)
{
	u8 *h = put(p, (units + 1) * 8);

	h[0] = nexthdr;
	h[1] = units;
}

/* Authentication header: (4 + 2) * 4 = 24 bytes. */
static void put_auth(struct pkt *p, u8 nexthdr)
{
	u8 *h = put(p, 24);

	h[0] = nexthdr;
	h[1] = 4;
}

static void put_frag6(struct pkt *p, u8 nexthdr, u16 offset, bool more)
{
	struct frag_hdr *fh = put(p, sizeof(*fh));

	fh->nexthdr = nexthdr;
	fh->frag_off = htons(offset << 3 | (more ? IP6_MF : 0));
	fh->identification = htonl(0x1234);
}

/* Parses the first len bytes of p as a packet of family (network header at mac). */
static int parse_at(struct kunit *test, const struct pkt *p, unsigned int len,
		    unsigned int mac, u8 family, struct netfence_flow *f)
{
	struct sk_buff *skb;
	int err;

	skb = alloc_skb(len + mac + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	memset(skb_put(skb, mac), 0xee, mac);
	skb_put_data(skb, p->b, len);
	skb_set_network_header(skb, mac);
	err = netfence_parse(skb, family, f);
	kfree_skb(skb);
	return err;
}

static bool addr6_eq(const struct in6_addr *a, union nf_inet_addr b)
{
	return ipv6_addr_equal(a, &b.in6);
}

static int parse(struct kunit *test, const struct pkt *p, u8 family, struct netfence_flow *f)
{
	return parse_at(test, p, p->len, 0, family, f);
}

#define A_L4	a4(192, 168, 1, 2)	/* this host */
#define A_R4	a4(198, 51, 100, 7)	/* a remote host */
#define A_X4	a4(203, 0, 113, 1)	/* a router */
#define A_L6	a6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 2)
#define A_R6	a6(0x2001, 0xdb8, 0xbeef, 0, 0, 0, 0, 7)
#define A_X6	a6(0x2001, 0xdb8, 0xff, 0, 0, 0, 0, 1)

static void parse_ipv4_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};

	/* TCP SYN with 8 bytes of IP options, behind a 14-byte MAC header. */
	put_ip4(&p, 7, IPPROTO_TCP, A_L4, A_R4, 0);
	put_tcp(&p, 40000, 443, true, false, 5);
	KUNIT_ASSERT_EQ(test, parse_at(test, &p, p.len, 14, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(f.t.saddr.ip), ntohl(A_L4.ip));
	KUNIT_EXPECT_EQ(test, ntohl(f.t.daddr.ip), ntohl(A_R4.ip));
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, f.t.sport, 40000);
	KUNIT_EXPECT_EQ(test, f.t.dport, 443);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS | NETFENCE_FLOW_SYN);

	/* SYN+ACK does not open. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_TCP, A_R4, A_L4, 0);
	put_tcp(&p, 443, 40000, true, true, 5);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS);

	/* TCP with options: doff 8 needs 32 bytes. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_TCP, A_L4, A_R4, IP_DF);
	put_tcp(&p, 1, 2, false, true, 8);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 1, 0, AF_INET, &f), -EINVAL);

	/* UDP. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_UDP, A_L4, A_R4, 0);
	put_udp(&p, 5353, 53);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, f.t.sport, 5353);
	KUNIT_EXPECT_EQ(test, f.t.dport, 53);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS);
	/* Truncated UDP header. */
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 1, 0, AF_INET, &f), -EINVAL);

	/* Other protocols: no ports. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_UDPLITE, A_L4, A_R4, 0);
	put_udp(&p, 1, 2);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_UDPLITE);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_GRE, A_L4, A_R4, 0);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_GRE);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
}

static void parse_ipv4_bad_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};
	struct iphdr *iph;

	put_ip4(&p, 5, IPPROTO_UDP, A_L4, A_R4, 0);
	put_udp(&p, 1, 2);
	/* Truncated IP header. */
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, 19, 0, AF_INET, &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, 0, 0, AF_INET, &f), -EINVAL);
	/* Version that does not match the family. */
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET6, &f), -EINVAL);
	iph = (struct iphdr *)p.b;
	iph->version = 6;
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), -EINVAL);
	iph->version = 4;
	/* ihl below 5. */
	iph->ihl = 4;
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), -EINVAL);
	/* ihl beyond the packet: options claimed but absent. */
	iph->ihl = 15;
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), -EINVAL);
	/* A lying total length is not trusted either way. */
	iph->ihl = 5;
	iph->tot_len = htons(1500);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 2, 0, AF_INET, &f), -EINVAL);
}

static void parse_ipv4_frag_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};

	/* First fragment holding the whole UDP header. */
	put_ip4(&p, 5, IPPROTO_UDP, A_L4, A_R4, IP_MF);
	put_udp(&p, 1000, 2000);
	put(&p, 32);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS);
	KUNIT_EXPECT_EQ(test, f.t.dport, 2000);

	/* Tiny first fragment: 8 of 20 TCP header bytes. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_TCP, A_L4, A_R4, IP_MF);
	put_tcp(&p, 1000, 22, true, false, 5);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, 20 + 8, 0, AF_INET, &f), -EINVAL);
	/* First fragment whose TCP options are cut. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_TCP, A_L4, A_R4, IP_MF);
	put_tcp(&p, 1000, 22, true, false, 10);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, 20 + 24, 0, AF_INET, &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), 0);

	/* Non-first fragment: no transport header, whatever follows. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_TCP, A_L4, A_R4, 185);
	put(&p, 3);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_FRAG);
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, f.t.dport, 0);
	/* Last fragment (offset, no MF) with no payload at all. */
	p.len = 0;
	put_ip4(&p, 6, IPPROTO_UDP, A_L4, A_R4, 1);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_FRAG);
}

static void parse_icmp4_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};

	put_ip4(&p, 5, IPPROTO_ICMP, A_L4, A_R4, 0);
	put_icmp(&p, ICMP_ECHO, 0);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.icmp_type, ICMP_ECHO);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_REQ);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 1, 0, AF_INET, &f), -EINVAL);

	p.b[20] = ICMP_ECHOREPLY;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	p.b[20] = ICMP_TIMESTAMP;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_REQ);
	p.b[20] = ICMP_ADDRESS;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_REQ);

	/* Fragmentation needed, quoting our TCP packet (options and all). */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_ICMP, A_X4, A_L4, 0);
	put_icmp(&p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED);
	put_ip4(&p, 6, IPPROTO_TCP, A_L4, A_R4, IP_DF);
	put_tcp(&p, 40000, 443, false, true, 2);	/* 8 bytes quoted */
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	KUNIT_EXPECT_EQ(test, f.icmp_type, ICMP_DEST_UNREACH);
	KUNIT_EXPECT_EQ(test, f.icmp_code, ICMP_FRAG_NEEDED);
	KUNIT_EXPECT_EQ(test, ntohl(f.inner.saddr.ip), ntohl(A_L4.ip));
	KUNIT_EXPECT_EQ(test, ntohl(f.inner.daddr.ip), ntohl(A_R4.ip));
	KUNIT_EXPECT_EQ(test, f.inner.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, f.inner_flags, NETFENCE_FLOW_PORTS);
	KUNIT_EXPECT_EQ(test, f.inner.sport, 40000);
	KUNIT_EXPECT_EQ(test, f.inner.dport, 443);

	/* A quote without its ports: still an error, inner without ports. */
	KUNIT_ASSERT_EQ(test, parse_at(test, &p, 20 + 8 + 24 + 3, 0, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	KUNIT_EXPECT_EQ(test, f.inner_flags, 0);
	KUNIT_EXPECT_EQ(test, ntohl(f.inner.daddr.ip), ntohl(A_R4.ip));

	/* A quote whose IP header is cut or bogus is no error quote. */
	KUNIT_ASSERT_EQ(test, parse_at(test, &p, 20 + 8 + 22, 0, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	p.b[28] = 0x65;		/* version 6, ihl 5 */
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	KUNIT_EXPECT_EQ(test, f.icmp_type, ICMP_DEST_UNREACH);

	/* Time exceeded quoting UDP; redirects are no errors for netfence. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_ICMP, A_X4, A_L4, 0);
	put_icmp(&p, ICMP_TIME_EXCEEDED, 0);
	put_ip4(&p, 5, IPPROTO_UDP, A_L4, A_R4, 0);
	put_udp(&p, 33434, 33435);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	KUNIT_EXPECT_EQ(test, f.inner.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, f.inner.dport, 33435);
	p.b[20] = ICMP_REDIRECT;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	p.b[20] = ICMP_PARAMETERPROB;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	p.b[20] = ICMP_SOURCE_QUENCH;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);

	/* A quoted non-first fragment has no ports. */
	p.len = 0;
	put_ip4(&p, 5, IPPROTO_ICMP, A_X4, A_L4, 0);
	put_icmp(&p, ICMP_DEST_UNREACH, 0);
	put_ip4(&p, 5, IPPROTO_UDP, A_L4, A_R4, 100);
	put_udp(&p, 1, 2);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	KUNIT_EXPECT_EQ(test, f.inner_flags, 0);
}

static void parse_ipv6_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};
	union nf_inet_addr mapped = a6(0, 0, 0, 0, 0, 0xffff, 0xc633, 0x6407);

	put_ip6(&p, IPPROTO_TCP, A_L6, A_R6);
	put_tcp(&p, 50000, 22, true, false, 5);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, addr6_eq(&f.t.saddr.in6, A_L6));
	KUNIT_EXPECT_TRUE(test, addr6_eq(&f.t.daddr.in6, A_R6));
	KUNIT_EXPECT_EQ(test, f.t.sport, 50000);
	KUNIT_EXPECT_EQ(test, f.t.dport, 22);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS | NETFENCE_FLOW_SYN);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 1, 0, AF_INET6, &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, 39, 0, AF_INET6, &f), -EINVAL);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET, &f), -EINVAL);

	/* An IPv4-mapped address stays an IPv6 address. */
	p.len = 0;
	put_ip6(&p, IPPROTO_UDP, A_L6, mapped);
	put_udp(&p, 1, 53);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, addr6_eq(&f.t.daddr.in6, mapped));
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS);
}

/* Each extension header kind, alone before UDP, then all in one chain. */
static void parse_ipv6_exthdr_test(struct kunit *test)
{
	const u8 kinds[] = { NEXTHDR_HOP, NEXTHDR_ROUTING, NEXTHDR_DEST,
			     NEXTHDR_AUTH, NEXTHDR_FRAGMENT };
	struct netfence_flow f;
	struct pkt p = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		p.len = 0;
		put_ip6(&p, kinds[i], A_L6, A_R6);
		if (kinds[i] == NEXTHDR_AUTH)
			put_auth(&p, IPPROTO_UDP);
		else if (kinds[i] == NEXTHDR_FRAGMENT)
			put_frag6(&p, IPPROTO_UDP, 0, true);	/* first fragment */
		else
			put_opt(&p, IPPROTO_UDP, i);
		put_udp(&p, 546, 547);
		KUNIT_ASSERT_EQ_MSG(test, parse(test, &p, AF_INET6, &f), 0, "kind %u", kinds[i]);
		KUNIT_EXPECT_EQ_MSG(test, f.t.proto, IPPROTO_UDP, "kind %u", kinds[i]);
		KUNIT_EXPECT_EQ_MSG(test, f.flags, NETFENCE_FLOW_PORTS, "kind %u", kinds[i]);
		KUNIT_EXPECT_EQ_MSG(test, f.t.dport, 547, "kind %u", kinds[i]);
		/* The transport header cut: tiny first fragment or truncated. */
		KUNIT_EXPECT_EQ_MSG(test, parse_at(test, &p, p.len - 4, 0, AF_INET6, &f),
				    -EINVAL, "kind %u", kinds[i]);
		/* The extension header itself cut. */
		KUNIT_EXPECT_EQ_MSG(test, parse_at(test, &p, 40 + 1, 0, AF_INET6, &f),
				    -EINVAL, "kind %u", kinds[i]);
	}

	p.len = 0;
	put_ip6(&p, NEXTHDR_HOP, A_L6, A_R6);
	put_opt(&p, NEXTHDR_DEST, 0);
	put_opt(&p, NEXTHDR_ROUTING, 1);
	put_opt(&p, NEXTHDR_FRAGMENT, 2);
	put_frag6(&p, NEXTHDR_AUTH, 0, true);
	put_auth(&p, NEXTHDR_DEST);
	put_opt(&p, IPPROTO_TCP, 0);
	put_tcp(&p, 1234, 443, false, true, 5);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, f.t.sport, 1234);
	KUNIT_EXPECT_EQ(test, f.t.dport, 443);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS);

	/* An option header claiming more bytes than the packet has. */
	p.len = 0;
	put_ip6(&p, NEXTHDR_DEST, A_L6, A_R6);
	put_opt(&p, IPPROTO_UDP, 0);
	put_udp(&p, 1, 2);
	p.b[41] = 200;
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET6, &f), -EINVAL);

	/* ESP and "no next header" end the chain: no ports. */
	p.len = 0;
	put_ip6(&p, NEXTHDR_DEST, A_L6, A_R6);
	put_opt(&p, NEXTHDR_ESP, 0);
	put(&p, 16);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.proto, NEXTHDR_ESP);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	p.len = 0;
	put_ip6(&p, NEXTHDR_NONE, A_L6, A_R6);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.proto, NEXTHDR_NONE);
	KUNIT_EXPECT_EQ(test, f.flags, 0);

	/* 16 extension headers are walked, 17 are too many. */
	p.len = 0;
	put_ip6(&p, NEXTHDR_DEST, A_L6, A_R6);
	for (i = 0; i < 15; i++)
		put_opt(&p, NEXTHDR_DEST, 0);
	put_opt(&p, IPPROTO_UDP, 0);
	put_udp(&p, 1, 2);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	p.len = 0;
	put_ip6(&p, NEXTHDR_DEST, A_L6, A_R6);
	for (i = 0; i < 16; i++)
		put_opt(&p, NEXTHDR_DEST, 0);
	put_opt(&p, IPPROTO_UDP, 0);
	put_udp(&p, 1, 2);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET6, &f), -EINVAL);
}

static void parse_ipv6_frag_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};

	/* Non-first fragment, after a destination options header. */
	put_ip6(&p, NEXTHDR_DEST, A_L6, A_R6);
	put_opt(&p, NEXTHDR_FRAGMENT, 0);
	put_frag6(&p, IPPROTO_TCP, 181, true);
	put(&p, 5);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_FRAG);
	KUNIT_EXPECT_EQ(test, f.t.proto, IPPROTO_TCP);
	/* Last fragment, no data. */
	p.len = 0;
	put_ip6(&p, NEXTHDR_FRAGMENT, A_L6, A_R6);
	put_frag6(&p, IPPROTO_UDP, 1, false);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_FRAG);
	/* A cut fragment header. */
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 1, 0, AF_INET6, &f), -EINVAL);

	/* Tiny first fragment: 12 of 20 TCP header bytes. */
	p.len = 0;
	put_ip6(&p, NEXTHDR_FRAGMENT, A_L6, A_R6);
	put_frag6(&p, IPPROTO_TCP, 0, true);
	put_tcp(&p, 1, 22, true, false, 5);
	KUNIT_EXPECT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_PORTS | NETFENCE_FLOW_SYN);
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 8, 0, AF_INET6, &f), -EINVAL);
}

static void parse_icmp6_test(struct kunit *test)
{
	struct netfence_flow f;
	struct pkt p = {};
	const u8 queries[] = { ICMPV6_ECHO_REQUEST, ICMPV6_MGM_QUERY, 133, 135,
			       ICMPV6_NI_QUERY };
	const u8 others[] = { ICMPV6_ECHO_REPLY, 134, 136, 137 };
	unsigned int i;

	put_ip6(&p, IPPROTO_ICMPV6, A_L6, A_R6);
	put_icmp(&p, ICMPV6_ECHO_REQUEST, 0);
	for (i = 0; i < ARRAY_SIZE(queries); i++) {
		p.b[40] = queries[i];
		KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
		KUNIT_EXPECT_EQ_MSG(test, f.flags, NETFENCE_FLOW_ICMP_REQ, "type %u", queries[i]);
		KUNIT_EXPECT_EQ(test, f.icmp_type, queries[i]);
	}
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		p.b[40] = others[i];
		KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
		KUNIT_EXPECT_EQ_MSG(test, f.flags, 0, "type %u", others[i]);
	}
	KUNIT_EXPECT_EQ(test, parse_at(test, &p, p.len - 1, 0, AF_INET6, &f), -EINVAL);

	/* Packet too big quoting our UDP packet behind a hop-by-hop header. */
	p.len = 0;
	put_ip6(&p, IPPROTO_ICMPV6, A_X6, A_L6);
	put_icmp(&p, ICMPV6_PKT_TOOBIG, 0);
	put_ip6(&p, NEXTHDR_HOP, A_L6, A_R6);
	put_opt(&p, IPPROTO_UDP, 0);
	put_udp(&p, 4500, 4501);
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	KUNIT_EXPECT_EQ(test, f.icmp_type, ICMPV6_PKT_TOOBIG);
	KUNIT_EXPECT_TRUE(test, addr6_eq(&f.inner.saddr.in6, A_L6));
	KUNIT_EXPECT_TRUE(test, addr6_eq(&f.inner.daddr.in6, A_R6));
	KUNIT_EXPECT_EQ(test, f.inner.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, f.inner_flags, NETFENCE_FLOW_PORTS);
	KUNIT_EXPECT_EQ(test, f.inner.dport, 4501);
	/* Quote cut in its ports, then in its extension header. */
	KUNIT_ASSERT_EQ(test, parse_at(test, &p, p.len - 6, 0, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, NETFENCE_FLOW_ICMP_ERR);
	KUNIT_EXPECT_EQ(test, f.inner_flags, 0);
	KUNIT_ASSERT_EQ(test, parse_at(test, &p, p.len - 12, 0, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
	/* Every error type; an IPv4 packet in the quote is malformed. */
	for (i = ICMPV6_DEST_UNREACH; i <= ICMPV6_PARAMPROB; i++) {
		p.b[40] = i;
		KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
		KUNIT_EXPECT_EQ_MSG(test, f.flags, NETFENCE_FLOW_ICMP_ERR, "type %u", i);
	}
	p.b[48] = 0x45;
	KUNIT_ASSERT_EQ(test, parse(test, &p, AF_INET6, &f), 0);
	KUNIT_EXPECT_EQ(test, f.flags, 0);
}

/* Ethernet header to dst with type (and VLAN tags before it). */
static void put_eth(struct pkt *p, const u8 *dst, const __be16 *tags, unsigned int ntags,
		    u16 type)
{
	u8 *h = put(p, ETH_ALEN * 2);
	unsigned int i;
	__be16 be;

	memcpy(h, dst, ETH_ALEN);
	memset(h + ETH_ALEN, 0x02, ETH_ALEN);
	for (i = 0; i < ntags; i++) {
		__be16 t[2] = { tags[i], htons(100 + i) };

		memcpy(put(p, sizeof(t)), t, sizeof(t));
	}
	be = htons(type);
	memcpy(put(p, sizeof(be)), &be, sizeof(be));
}

static void put_arp(struct pkt *p, u16 op)
{
	struct arphdr *ah = put(p, sizeof(*ah) + 2 * (ETH_ALEN + 4));

	ah->ar_hrd = htons(ARPHRD_ETHER);
	ah->ar_pro = htons(ETH_P_IP);
	ah->ar_hln = ETH_ALEN;
	ah->ar_pln = 4;
	ah->ar_op = htons(op);
}

static void parse_link_at(struct kunit *test, const struct pkt *p, unsigned int len, bool ether,
			  struct netfence_link *l)
{
	struct sk_buff *skb = alloc_skb(len + 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_put_data(skb, p->b, len);
	netfence_parse_link(skb, 0, ether, l);
	kfree_skb(skb);
}

static void parse_link_test(struct kunit *test)
{
	static const u8 peer[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 1 };
	static const u8 lldp[ETH_ALEN] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e };
	static const u8 not_ctl[ETH_ALEN] = { 0x01, 0x80, 0xc2, 0, 0, 0x10 };
	const __be16 q[3] = { htons(ETH_P_8021AD), htons(ETH_P_8021Q), htons(ETH_P_8021Q) };
	struct netfence_link l;
	struct netfence_flow f;
	struct pkt p = {};
	struct sk_buff *skb;

	put_eth(&p, peer, NULL, 0, ETH_P_IP);
	put_ip4(&p, 5, IPPROTO_UDP, A_L4, A_R4, 0);
	put_udp(&p, 40000, 9999);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_IPV4);
	KUNIT_EXPECT_EQ(test, l.nhoff, ETH_HLEN);
	/* The IP packet behind it parses at that offset. */
	skb = alloc_skb(p.len + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, p.b, p.len);
	KUNIT_EXPECT_EQ(test, netfence_parse_at(skb, l.nhoff, AF_INET, &f), 0);
	KUNIT_EXPECT_EQ(test, f.t.dport, 9999);
	kfree_skb(skb);
	/* Truncated Ethernet header. */
	parse_link_at(test, &p, ETH_HLEN - 1, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_MALFORMED);

	/* Two VLAN tags are unwrapped, a third is not. */
	p.len = 0;
	put_eth(&p, peer, q, 2, ETH_P_IPV6);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_IPV6);
	KUNIT_EXPECT_EQ(test, l.nhoff, ETH_HLEN + 8);
	p.len = 0;
	put_eth(&p, peer, q, 3, ETH_P_IP);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_OTHER);

	/* ARP: well-formed only. */
	p.len = 0;
	put_eth(&p, peer, NULL, 0, ETH_P_ARP);
	put_arp(&p, ARPOP_REQUEST);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_ARP);
	parse_link_at(test, &p, p.len - 1, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_MALFORMED);
	p.len = 0;
	put_eth(&p, peer, NULL, 0, ETH_P_ARP);
	put_arp(&p, 9);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_MALFORMED);

	/* Link-control group addresses, whatever the type; the next one is not. */
	p.len = 0;
	put_eth(&p, lldp, NULL, 0, 0x88cc);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_CONTROL);
	p.len = 0;
	put_eth(&p, not_ctl, NULL, 0, 0x88cc);
	parse_link_at(test, &p, p.len, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_OTHER);
	KUNIT_EXPECT_EQ(test, ntohs(l.ethertype), 0x88cc);

	/* 802.3 length field: LLC, type 0. */
	p.len = 0;
	put_eth(&p, peer, NULL, 0, 46);
	parse_link_at(test, &p, p.len + 46, true, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_OTHER);
	KUNIT_EXPECT_EQ(test, l.ethertype, 0);

	/* L3 devices: the version nibble. */
	p.len = 0;
	put_ip6(&p, IPPROTO_UDP, A_L6, A_R6);
	parse_link_at(test, &p, p.len, false, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_IPV6);
	KUNIT_EXPECT_EQ(test, l.nhoff, 0);
	p.b[0] = 0x50;
	parse_link_at(test, &p, p.len, false, &l);
	KUNIT_EXPECT_EQ(test, l.kind, NETFENCE_LINK_MALFORMED);
}

static struct kunit_case parse_cases[] = {
	KUNIT_CASE(parse_ipv4_test),
	KUNIT_CASE(parse_ipv4_bad_test),
	KUNIT_CASE(parse_ipv4_frag_test),
	KUNIT_CASE(parse_icmp4_test),
	KUNIT_CASE(parse_ipv6_test),
	KUNIT_CASE(parse_ipv6_exthdr_test),
	KUNIT_CASE(parse_ipv6_frag_test),
	KUNIT_CASE(parse_icmp6_test),
	KUNIT_CASE(parse_link_test),
	{}
};

static struct kunit_suite parse_suite = {
	.name = "netfence_parse",
	.test_cases = parse_cases,
};

/* ---------------------------------------------------------------------- */
/* Matcher: one case per clause of the rule semantics                     */

#define EXPECT_VERDICT(pol, f, path, ct, want) \
	KUNIT_EXPECT_EQ_MSG(test, netfence_match(pol, &(f), path, ct, NULL), want, \
			    "%s", #f " on " #path " " #ct)

static void match_dir_out_test(struct kunit *test)
{
	struct netfence_rule r = rule4(A_R4, 32, IPPROTO_TCP, 443, 443, OUT);
	struct netfence_policy *pol = mkpol(test, &r, 1, 0);
	struct netfence_flow syn = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 443, NETFENCE_FLOW_SYN);
	struct netfence_flow other_port = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 444, 0);
	struct netfence_flow synack = flow4(IPPROTO_TCP, A_R4, 443, A_L4, 40000, 0);
	struct netfence_flow in_syn = flow4(IPPROTO_TCP, A_R4, 443, A_L4, 40000,
					    NETFENCE_FLOW_SYN);
	struct netfence_flow to_local = flow4(IPPROTO_TCP, A_R4, 5555, A_L4, 443, 0);
	struct netfence_flow from_local = flow4(IPPROTO_TCP, A_L4, 443, A_R4, 5555, 0);
	struct netfence_flow other_host = flow4(IPPROTO_TCP, A_L4, 40000, A_X4, 443, 0);

	/* PATH_OUT, dir out: initiator on (daddr, dport); a SYN is fine. */
	EXPECT_VERDICT(pol, syn, P_OUT, CT_NONE, 0);
	EXPECT_VERDICT(pol, syn, P_OUT, CT_NEW, 0);
	EXPECT_VERDICT(pol, other_port, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol, other_host, P_OUT, CT_NONE, DROP);
	/* PATH_IN, dir out: reply on (saddr, sport), never a SYN. */
	EXPECT_VERDICT(pol, synack, P_IN, CT_NONE, 0);
	EXPECT_VERDICT(pol, synack, P_IN, CT_REPLY, 0);
	EXPECT_VERDICT(pol, in_syn, P_IN, CT_NONE, DROP);
	/* Nobody connects in through an out rule, nor do we answer one. */
	EXPECT_VERDICT(pol, to_local, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(pol, from_local, P_OUT, CT_NONE, DROP);
	/* Wrong direction of the same tuple. */
	EXPECT_VERDICT(pol, syn, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(pol, synack, P_OUT, CT_NONE, DROP);
	netfence_policy_free(pol);
}

static void match_dir_in_test(struct kunit *test)
{
	struct netfence_rule r = rule4(A_R4, 32, IPPROTO_TCP, 22, 22, IN);
	struct netfence_policy *pol = mkpol(test, &r, 1, 0);
	struct netfence_flow syn = flow4(IPPROTO_TCP, A_R4, 50000, A_L4, 22, NETFENCE_FLOW_SYN);
	struct netfence_flow other_port = flow4(IPPROTO_TCP, A_R4, 50000, A_L4, 23,
						NETFENCE_FLOW_SYN);
	struct netfence_flow synack = flow4(IPPROTO_TCP, A_L4, 22, A_R4, 50000, 0);
	struct netfence_flow out_syn = flow4(IPPROTO_TCP, A_L4, 22, A_R4, 50000,
					     NETFENCE_FLOW_SYN);
	struct netfence_flow connect_out = flow4(IPPROTO_TCP, A_L4, 50000, A_R4, 22, 0);
	struct netfence_flow from_22 = flow4(IPPROTO_TCP, A_R4, 22, A_L4, 50000, 0);

	/* PATH_IN, dir in: initiator on (saddr, dport = local port). */
	EXPECT_VERDICT(pol, syn, P_IN, CT_NONE, 0);
	EXPECT_VERDICT(pol, syn, P_IN, CT_NEW, 0);
	EXPECT_VERDICT(pol, other_port, P_IN, CT_NONE, DROP);
	/* PATH_OUT, dir in: reply on (daddr, sport = local port). */
	EXPECT_VERDICT(pol, synack, P_OUT, CT_NONE, 0);
	EXPECT_VERDICT(pol, synack, P_OUT, CT_REPLY, 0);
	EXPECT_VERDICT(pol, synack, P_OUT, CT_NEW, DROP);
	EXPECT_VERDICT(pol, out_syn, P_OUT, CT_NONE, DROP);
	/* An in rule lets us neither connect out nor take the remote's port 22. */
	EXPECT_VERDICT(pol, connect_out, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol, from_22, P_IN, CT_NONE, DROP);
	netfence_policy_free(pol);
}

static void match_dir_both_test(struct kunit *test)
{
	struct netfence_rule r = rule4(A_R4, 32, IPPROTO_TCP, 53, 53, BOTH);
	struct netfence_policy *pol = mkpol(test, &r, 1, 0);
	struct netfence_flow out_init = flow4(IPPROTO_TCP, A_L4, 1111, A_R4, 53, NETFENCE_FLOW_SYN);
	struct netfence_flow in_reply = flow4(IPPROTO_TCP, A_R4, 53, A_L4, 1111, 0);
	struct netfence_flow in_init = flow4(IPPROTO_TCP, A_R4, 2222, A_L4, 53, NETFENCE_FLOW_SYN);
	struct netfence_flow out_reply = flow4(IPPROTO_TCP, A_L4, 53, A_R4, 2222, 0);
	struct netfence_flow in_reply_syn = flow4(IPPROTO_TCP, A_R4, 53, A_L4, 1111,
						  NETFENCE_FLOW_SYN);

	EXPECT_VERDICT(pol, out_init, P_OUT, CT_NONE, 0);
	EXPECT_VERDICT(pol, in_reply, P_IN, CT_NONE, 0);
	EXPECT_VERDICT(pol, in_init, P_IN, CT_NONE, 0);
	EXPECT_VERDICT(pol, out_reply, P_OUT, CT_NONE, 0);
	/* Replies still refuse SYN and untracked state... */
	EXPECT_VERDICT(pol, in_reply_syn, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(pol, in_reply, P_IN, CT_NEW, DROP);
	/* ...while an initiator match does not care. */
	EXPECT_VERDICT(pol, in_init, P_IN, CT_NEW, 0);
	netfence_policy_free(pol);
}

static void match_icmp_query_test(struct kunit *test)
{
	struct netfence_rule r[] = {
		rule4(A_R4, 32, 0, 0, 65535, OUT),
		rule6(A_R6, 128, IPPROTO_ICMPV6, 0, 65535, IN),
	};
	struct netfence_policy *pol = mkpol(test, r, ARRAY_SIZE(r), 0);
	struct netfence_flow req_out = icmp4(A_L4, A_R4, ICMP_ECHO, NETFENCE_FLOW_ICMP_REQ);
	struct netfence_flow rep_in = icmp4(A_R4, A_L4, ICMP_ECHOREPLY, 0);
	struct netfence_flow req_in = icmp4(A_R4, A_L4, ICMP_ECHO, NETFENCE_FLOW_ICMP_REQ);
	struct netfence_flow req6_in = icmp6(A_R6, A_L6, ICMPV6_ECHO_REQUEST,
					     NETFENCE_FLOW_ICMP_REQ);
	struct netfence_flow rep6_out = icmp6(A_L6, A_R6, ICMPV6_ECHO_REPLY, 0);
	struct netfence_flow req6_out = icmp6(A_L6, A_R6, ICMPV6_ECHO_REQUEST,
					      NETFENCE_FLOW_ICMP_REQ);
	int i6 = pol_index(pol, &r[1]);

	EXPECT_VERDICT(pol, req_out, P_OUT, CT_NONE, 0);
	EXPECT_VERDICT(pol, rep_in, P_IN, CT_NONE, 0);
	EXPECT_VERDICT(pol, req_in, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(pol, req6_in, P_IN, CT_NONE, i6);
	EXPECT_VERDICT(pol, rep6_out, P_OUT, CT_NONE, i6);
	EXPECT_VERDICT(pol, req6_out, P_OUT, CT_NONE, DROP);
	netfence_policy_free(pol);
}

static void match_ct_test(struct kunit *test)
{
	struct netfence_rule r = rule4(A_R4, 32, IPPROTO_UDP, 0, 65535, OUT);
	struct netfence_policy *pol = mkpol(test, &r, 1, 0);
	struct netfence_flow reply = flow4(IPPROTO_UDP, A_R4, 53, A_L4, 3333, 0);
	struct netfence_flow query = flow4(IPPROTO_UDP, A_L4, 3333, A_R4, 53, 0);

	/* Stateless without conntrack state, stateful with it. */
	EXPECT_VERDICT(pol, reply, P_IN, CT_NONE, 0);
	EXPECT_VERDICT(pol, reply, P_IN, CT_REPLY, 0);
	EXPECT_VERDICT(pol, reply, P_IN, CT_NEW, DROP);
	EXPECT_VERDICT(pol, query, P_OUT, CT_NEW, 0);
	netfence_policy_free(pol);
}

static void match_forward_test(struct kunit *test)
{
	union nf_inet_addr c = a4(172, 17, 0, 2);	/* a container */
	struct netfence_rule r[] = {
		rule4(A_R4, 32, IPPROTO_TCP, 80, 80, OUT),
		rule4(A_X4, 32, IPPROTO_TCP, 22, 22, IN),
	};
	struct netfence_policy *pol = mkpol(test, r, ARRAY_SIZE(r), 0);
	int ir = pol_index(pol, &r[0]), ix = pol_index(pol, &r[1]);
	struct netfence_flow c_syn = flow4(IPPROTO_TCP, c, 40000, A_R4, 80, NETFENCE_FLOW_SYN);
	struct netfence_flow r_reply = flow4(IPPROTO_TCP, A_R4, 80, c, 40000, 0);
	struct netfence_flow r_syn = flow4(IPPROTO_TCP, A_R4, 80, c, 40000, NETFENCE_FLOW_SYN);
	struct netfence_flow r_in = flow4(IPPROTO_TCP, A_R4, 40000, c, 80, NETFENCE_FLOW_SYN);
	struct netfence_flow x_syn = flow4(IPPROTO_TCP, A_X4, 50000, c, 22, NETFENCE_FLOW_SYN);
	struct netfence_flow c_reply = flow4(IPPROTO_TCP, c, 22, A_X4, 50000, 0);
	struct netfence_flow c_syn22 = flow4(IPPROTO_TCP, c, 22, A_X4, 50000, NETFENCE_FLOW_SYN);

	/* Out rule: forwarded connections to R and their replies. */
	EXPECT_VERDICT(pol, c_syn, P_FWD, CT_NONE, ir);
	EXPECT_VERDICT(pol, r_reply, P_FWD, CT_NONE, ir);
	EXPECT_VERDICT(pol, r_reply, P_FWD, CT_REPLY, ir);
	EXPECT_VERDICT(pol, r_reply, P_FWD, CT_NEW, DROP);
	EXPECT_VERDICT(pol, r_syn, P_FWD, CT_NONE, DROP);
	EXPECT_VERDICT(pol, r_in, P_FWD, CT_NONE, DROP);
	/* In rule: X may open port 22 behind us, replies go back. */
	EXPECT_VERDICT(pol, x_syn, P_FWD, CT_NONE, ix);
	EXPECT_VERDICT(pol, c_reply, P_FWD, CT_NONE, ix);
	EXPECT_VERDICT(pol, c_syn22, P_FWD, CT_NONE, DROP);
	netfence_policy_free(pol);
}

static void match_ports_test(struct kunit *test)
{
	struct netfence_rule r[] = {
		rule4(A_R4, 32, IPPROTO_TCP, 1000, 2000, OUT),
		rule4(A_X4, 32, 0, 53, 53, OUT),
		rule4(A_L4, 32, IPPROTO_UDP, 0, 65535, OUT),
	};
	struct netfence_policy *pol = mkpol(test, r, ARRAY_SIZE(r), 0);
	int ir = pol_index(pol, &r[0]), ix = pol_index(pol, &r[1]), il = pol_index(pol, &r[2]);
	struct netfence_flow p999 = flow4(IPPROTO_TCP, A_L4, 1, A_R4, 999, 0);
	struct netfence_flow p1000 = flow4(IPPROTO_TCP, A_L4, 1, A_R4, 1000, 0);
	struct netfence_flow p2000 = flow4(IPPROTO_TCP, A_L4, 1, A_R4, 2000, 0);
	struct netfence_flow p2001 = flow4(IPPROTO_TCP, A_L4, 1, A_R4, 2001, 0);
	struct netfence_flow udp1500 = flow4(IPPROTO_UDP, A_L4, 1, A_R4, 1500, 0);
	struct netfence_flow tcp53 = flow4(IPPROTO_TCP, A_L4, 1, A_X4, 53, 0);
	struct netfence_flow udp53 = flow4(IPPROTO_UDP, A_L4, 1, A_X4, 53, 0);
	struct netfence_flow sctp = flow4(IPPROTO_SCTP, A_L4, 1, A_X4, 53, 0);
	struct netfence_flow icmp = icmp4(A_L4, A_X4, ICMP_ECHOREPLY, 0);
	struct netfence_flow udp_any = flow4(IPPROTO_UDP, A_X4, 7, A_L4, 9, 0);
	struct netfence_flow tcp_l = flow4(IPPROTO_TCP, A_X4, 7, A_L4, 9, 0);

	/* Range edges. */
	EXPECT_VERDICT(pol, p999, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol, p1000, P_OUT, CT_NONE, ir);
	EXPECT_VERDICT(pol, p2000, P_OUT, CT_NONE, ir);
	EXPECT_VERDICT(pol, p2001, P_OUT, CT_NONE, DROP);
	/* Protocol given: others do not match. */
	EXPECT_VERDICT(pol, udp1500, P_OUT, CT_NONE, DROP);
	/* Any protocol with ports: TCP and UDP only. */
	EXPECT_VERDICT(pol, tcp53, P_OUT, CT_NONE, ix);
	EXPECT_VERDICT(pol, udp53, P_OUT, CT_NONE, ix);
	EXPECT_VERDICT(pol, sctp, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol, icmp, P_OUT, CT_NONE, DROP);
	/* Protocol without ports: every port of that protocol only. */
	EXPECT_VERDICT(pol, udp_any, P_OUT, CT_NONE, il);
	EXPECT_VERDICT(pol, tcp_l, P_OUT, CT_NONE, DROP);
	netfence_policy_free(pol);
}

static void match_fragment_test(struct kunit *test)
{
	struct netfence_rule ports = rule4(A_R4, 32, IPPROTO_UDP, 4000, 5000, OUT);
	struct netfence_rule udp = rule4(A_R4, 32, IPPROTO_UDP, 0, 65535, OUT);
	struct netfence_rule any = rule4(A_R4, 32, 0, 0, 65535, OUT);
	struct netfence_rule tcp = rule4(A_R4, 32, IPPROTO_TCP, 0, 65535, OUT);
	struct netfence_flow frag = flow4(IPPROTO_UDP, A_L4, 0, A_R4, 0, NETFENCE_FLOW_FRAG);
	struct netfence_flow frag6 = flow6(IPPROTO_UDP, A_L6, 0, A_R6, 0, NETFENCE_FLOW_FRAG);
	struct netfence_rule any6 = rule6(A_R6, 128, 0, 0, 65535, OUT);
	struct netfence_rule ports6 = rule6(A_R6, 128, 0, 0, 1023, OUT);
	struct netfence_policy *pol;

	pol = mkpol(test, &ports, 1, 0);
	EXPECT_VERDICT(pol, frag, P_OUT, CT_NONE, DROP);
	netfence_policy_free(pol);
	pol = mkpol(test, &udp, 1, 0);
	EXPECT_VERDICT(pol, frag, P_OUT, CT_NONE, 0);
	netfence_policy_free(pol);
	pol = mkpol(test, &any, 1, 0);
	EXPECT_VERDICT(pol, frag, P_OUT, CT_NONE, 0);
	netfence_policy_free(pol);
	pol = mkpol(test, &tcp, 1, 0);
	EXPECT_VERDICT(pol, frag, P_OUT, CT_NONE, DROP);
	netfence_policy_free(pol);
	pol = mkpol(test, &ports6, 1, 0);
	EXPECT_VERDICT(pol, frag6, P_OUT, CT_NONE, DROP);
	netfence_policy_free(pol);
	pol = mkpol(test, &any6, 1, 0);
	EXPECT_VERDICT(pol, frag6, P_OUT, CT_NONE, 0);
	netfence_policy_free(pol);
}

/* An ICMPv6 message as neighbour discovery or MLD would send it. */
static struct netfence_flow nd6(union nf_inet_addr s, union nf_inet_addr d, u8 type,
				u8 hop_limit)
{
	struct netfence_flow f = icmp6(s, d, type, type == 133 || type == 135 ||
				       type == ICMPV6_MGM_QUERY ? NETFENCE_FLOW_ICMP_REQ : 0);

	f.hop_limit = hop_limit;
	return f;
}

static void match_builtin_nd_test(struct kunit *test)
{
	union nf_inet_addr mc = a6(0xff02, 0, 0, 0, 0, 1, 0xff00, 2);
	union nf_inet_addr ll = a6(0xfe80, 0, 0, 0, 0, 0, 0, 1);
	struct netfence_policy *on = mkpol(test, NULL, 0, NETFENCE_POLICY_F_DEFAULT);
	struct netfence_policy *off = mkpol(test, NULL, 0,
					    NETFENCE_POLICY_F_DEFAULT & ~NETFENCE_POLICY_F_ND);
	struct netfence_flow f;
	unsigned int type;

	for (type = 133; type <= 137; type++) {
		/* Router advertisements and redirects come from link-local sources. */
		f = nd6(type == 134 || type == 137 ? ll : A_L6, mc, type, 255);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), BUILTIN,
				    "type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_IN, CT_NEW, NULL), BUILTIN,
				    "type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_IN, CT_INVALID, NULL), BUILTIN,
				    "type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_FWD, CT_NONE, NULL), DROP,
				    "forwarded, type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(off, &f, P_OUT, CT_NONE, NULL), DROP,
				    "type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(off, &f, P_IN, CT_NONE, NULL), DROP,
				    "type %u", type);
		/* Routed from elsewhere: not neighbour discovery. */
		f.hop_limit = 254;
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_IN, CT_NONE, NULL), DROP,
				    "hop limit 254, type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), DROP,
				    "hop limit 254, type %u", type);
	}
	/* Neighbour solicitation and advertisement by global address (NUD). */
	f = nd6(A_L6, A_R6, NDISC_NEIGHBOUR_SOLICITATION, 255);
	EXPECT_VERDICT(on, f, P_OUT, CT_NONE, BUILTIN);
	f = nd6(A_R6, A_L6, NDISC_NEIGHBOUR_ADVERTISEMENT, 255);
	EXPECT_VERDICT(on, f, P_IN, CT_NONE, BUILTIN);
	/* A router advertisement or redirect from a global address. */
	f = nd6(A_R6, A_L6, NDISC_ROUTER_ADVERTISEMENT, 255);
	EXPECT_VERDICT(on, f, P_IN, CT_NONE, DROP);
	f = nd6(A_R6, A_L6, NDISC_REDIRECT, 255);
	EXPECT_VERDICT(on, f, P_IN, CT_NONE, DROP);
	/* The host routes it through a gateway: it is leaving the link. */
	f = nd6(A_L6, A_R6, NDISC_NEIGHBOUR_SOLICITATION, 255);
	f.flags |= NETFENCE_FLOW_ROUTED;
	EXPECT_VERDICT(on, f, P_OUT, CT_NONE, DROP);
	/* A fragmented one (a non-first fragment has no ICMPv6 header). */
	f = nd6(A_L6, mc, NDISC_NEIGHBOUR_SOLICITATION, 255);
	f.flags |= NETFENCE_FLOW_FRAG;
	EXPECT_VERDICT(on, f, P_OUT, CT_NONE, DROP);

	/* MLD: hop limit 1, link-local or unspecified source, link scope. */
	for (type = 130; type <= 143; type++) {
		if (type > 132 && type != 143)
			continue;
		f = nd6(ll, mc, type, 1);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), BUILTIN,
				    "MLD type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_IN, CT_INVALID, NULL), BUILTIN,
				    "MLD type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_FWD, CT_NONE, NULL), DROP,
				    "MLD forwarded, type %u", type);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(off, &f, P_OUT, CT_NONE, NULL), DROP,
				    "MLD type %u", type);
		f.hop_limit = 2;
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), DROP,
				    "MLD hop limit 2, type %u", type);
		f = nd6(A_L6, mc, type, 1);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), DROP,
				    "MLD from a global address, type %u", type);
		f = nd6(ll, a6(0xff05, 0, 0, 0, 0, 0, 0, 2), type, 1);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), DROP,
				    "MLD to site scope, type %u", type);
		f = nd6(ll, A_R6, type, 1);
		KUNIT_EXPECT_EQ_MSG(test, netfence_match(on, &f, P_OUT, CT_NONE, NULL), DROP,
				    "MLD to a global unicast address, type %u", type);
	}
	f = nd6(a6(0, 0, 0, 0, 0, 0, 0, 0), a6(0xff02, 0, 0, 0, 0, 0, 0, 0x16),
		ICMPV6_MLD2_REPORT, 1);
	EXPECT_VERDICT(on, f, P_OUT, CT_NONE, BUILTIN);
	f = nd6(A_L6, mc, 138, 255);
	EXPECT_VERDICT(on, f, P_OUT, CT_NONE, DROP);
	/* ICMPv4 of the same type number is not neighbour discovery. */
	f = icmp4(A_L4, A_R4, 135, 0);
	f.hop_limit = 255;
	EXPECT_VERDICT(on, f, P_OUT, CT_NONE, DROP);
	netfence_policy_free(on);
	netfence_policy_free(off);
}

/*
 * The policy flags DHCP4/DHCP6 make no port pair a builtin: the matcher
 * drops DHCP unless a rule allows it, the hook then asks dhcp.c (which
 * reads the message and the namespace's exchanges, see nf_dhcp.c).
 */
static void match_dhcp_not_builtin_test(struct kunit *test)
{
	union nf_inet_addr bcast = a4(255, 255, 255, 255), zero = a4(0, 0, 0, 0);
	union nf_inet_addr srv6 = a6(0xff02, 0, 0, 0, 0, 0, 1, 2);
	union nf_inet_addr ll = a6(0xfe80, 0, 0, 0, 0, 0, 0, 1);
	struct netfence_rule r = rule4(A_X4, 32, IPPROTO_UDP, 67, 67, OUT);
	struct netfence_policy *on = mkpol(test, NULL, 0, NETFENCE_POLICY_F_DEFAULT);
	struct netfence_policy *named = mkpol(test, &r, 1, NETFENCE_POLICY_F_DEFAULT);
	struct netfence_flow disc = flow4(IPPROTO_UDP, zero, 68, bcast, 67, 0);
	struct netfence_flow offer = flow4(IPPROTO_UDP, A_X4, 67, bcast, 68, 0);
	struct netfence_flow renew = flow4(IPPROTO_UDP, A_L4, 68, A_X4, 67, 0);
	struct netfence_flow ack = flow4(IPPROTO_UDP, A_X4, 67, A_L4, 68, 0);
	struct netfence_flow sol = flow6(IPPROTO_UDP, ll, 546, srv6, 547, 0);
	struct netfence_flow adv = flow6(IPPROTO_UDP, A_X6, 547, ll, 546, 0);

	EXPECT_VERDICT(on, disc, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(on, offer, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(on, renew, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(on, sol, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(on, adv, P_IN, CT_NONE, DROP);
	/* A rule that names the server allows the unicast exchange with it. */
	EXPECT_VERDICT(named, renew, P_OUT, CT_NONE, pol_index(named, &r));
	EXPECT_VERDICT(named, ack, P_IN, CT_NONE, pol_index(named, &r));
	EXPECT_VERDICT(named, disc, P_OUT, CT_NONE, DROP);
	netfence_policy_free(on);
	netfence_policy_free(named);
}

/* An ICMP error from router X about a packet between L and R. */
static struct netfence_flow icmp_err4(union nf_inet_addr s, union nf_inet_addr d,
				      u8 iproto, union nf_inet_addr is, u16 isport,
				      union nf_inet_addr id, u16 idport, bool ports)
{
	struct netfence_flow f = icmp4(s, d, ICMP_DEST_UNREACH, NETFENCE_FLOW_ICMP_ERR);

	f.inner.saddr = is;
	f.inner.daddr = id;
	f.inner.proto = iproto;
	if (ports) {
		f.inner.sport = isport;
		f.inner.dport = idport;
		f.inner_flags = NETFENCE_FLOW_PORTS;
	}
	return f;
}

static void match_builtin_icmp_err_test(struct kunit *test)
{
	struct netfence_rule r = rule4(A_R4, 32, IPPROTO_TCP, 443, 443, OUT);
	struct netfence_rule r_any = rule4(A_R4, 32, 0, 0, 65535, OUT);
	struct netfence_rule r6 = rule6(A_R6, 128, IPPROTO_TCP, 443, 443, OUT);
	struct netfence_rule *both = rule_pair(test, &r, &r6);
	struct netfence_policy *pol = mkpol(test, both, 2, NETFENCE_POLICY_F_DEFAULT);
	struct netfence_policy *off = mkpol(test, both, 2, NETFENCE_POLICY_F_DEFAULT &
					    ~NETFENCE_POLICY_F_ICMP_ERR);
	struct netfence_policy *noports = mkpol(test, &r_any, 1, NETFENCE_POLICY_F_DEFAULT);
	/* Inbound: quotes our packet L:40000 -> R:443. */
	struct netfence_flow in_ok = icmp_err4(A_X4, A_L4, IPPROTO_TCP, A_L4, 40000, A_R4,
					       443, true);
	struct netfence_flow in_bad = icmp_err4(A_X4, A_L4, IPPROTO_TCP, A_L4, 40000, A_R4,
						80, true);
	struct netfence_flow in_noports = icmp_err4(A_X4, A_L4, IPPROTO_TCP, A_L4, 0, A_R4,
						    0, false);
	/* Outbound: quotes a packet we received, R:443 -> L:40000. */
	struct netfence_flow out_ok = icmp_err4(A_L4, A_R4, IPPROTO_TCP, A_R4, 443, A_L4,
						40000, true);
	struct netfence_flow out_bad = icmp_err4(A_L4, A_R4, IPPROTO_TCP, A_R4, 444, A_L4,
						 40000, true);
	/* Forwarded: quotes C:40000 -> R:443 on its way to C. */
	struct netfence_flow fwd_ok = icmp_err4(A_X4, a4(172, 17, 0, 2), IPPROTO_TCP,
						a4(172, 17, 0, 2), 40000, A_R4, 443, true);
	struct netfence_flow redirect = in_ok;
	struct netfence_flow err6;

	redirect.icmp_type = ICMP_REDIRECT;
	redirect.flags = 0;	/* the parser gives redirects no ICMP_ERR */
	EXPECT_VERDICT(pol, in_ok, P_IN, CT_NONE, BUILTIN);
	EXPECT_VERDICT(pol, in_bad, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(pol, in_noports, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(noports, in_noports, P_IN, CT_NONE, BUILTIN);
	EXPECT_VERDICT(pol, out_ok, P_OUT, CT_NONE, BUILTIN);
	EXPECT_VERDICT(pol, out_bad, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol, fwd_ok, P_FWD, CT_NONE, BUILTIN);
	EXPECT_VERDICT(pol, redirect, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(off, in_ok, P_IN, CT_NONE, DROP);
	EXPECT_VERDICT(off, out_ok, P_OUT, CT_NONE, DROP);

	/* IPv6 packet too big about our connection to R6. */
	err6 = icmp6(A_X6, A_L6, ICMPV6_PKT_TOOBIG, NETFENCE_FLOW_ICMP_ERR);
	err6.inner.saddr = A_L6;
	err6.inner.daddr = A_R6;
	err6.inner.proto = IPPROTO_TCP;
	err6.inner.sport = 40000;
	err6.inner.dport = 443;
	err6.inner_flags = NETFENCE_FLOW_PORTS;
	EXPECT_VERDICT(pol, err6, P_IN, CT_NONE, BUILTIN);
	EXPECT_VERDICT(off, err6, P_IN, CT_NONE, DROP);
	err6.inner.dport = 80;
	EXPECT_VERDICT(pol, err6, P_IN, CT_NONE, DROP);
	netfence_policy_free(pol);
	netfence_policy_free(off);
	netfence_policy_free(noports);
}

/* Where the error goes, and what conntrack says of it. */
static void match_builtin_icmp_err_addr_test(struct kunit *test)
{
	struct netfence_rule r = rule4(A_R4, 32, IPPROTO_TCP, 443, 443, OUT);
	struct netfence_policy *pol = mkpol(test, &r, 1, NETFENCE_POLICY_F_DEFAULT);
	/* Quotes our packet L:40000 -> R:443, and a packet R sent us. */
	struct netfence_flow in_ok = icmp_err4(A_X4, A_L4, IPPROTO_TCP, A_L4, 40000, A_R4,
					       443, true);
	struct netfence_flow out_ok = icmp_err4(A_L4, A_R4, IPPROTO_TCP, A_R4, 443, A_L4,
						40000, true);
	struct netfence_flow out_misaddr = icmp_err4(A_L4, A_X4, IPPROTO_TCP, A_R4, 443, A_L4,
						     40000, true);
	struct netfence_flow in_misaddr = icmp_err4(A_X4, A_L4, IPPROTO_TCP, A_X4, 40000,
						    A_R4, 443, true);

	/* With conntrack: only errors related to a tracked connection. */
	EXPECT_VERDICT(pol, in_ok, P_IN, CT_RELATED, BUILTIN);
	EXPECT_VERDICT(pol, in_ok, P_IN, CT_NEW, DROP);
	EXPECT_VERDICT(pol, in_ok, P_IN, CT_INVALID, DROP);
	EXPECT_VERDICT(pol, out_ok, P_OUT, CT_RELATED, BUILTIN);
	EXPECT_VERDICT(pol, out_ok, P_OUT, CT_INVALID, DROP);
	/* An error goes to the quoted packet's source, nowhere else. */
	EXPECT_VERDICT(pol, out_misaddr, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol, in_misaddr, P_IN, CT_NONE, DROP);
	netfence_policy_free(pol);
}

static void match_family_test(struct kunit *test)
{
	union nf_inet_addr mapped = a6(0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203);
	struct netfence_rule r[] = {
		rule4(a4(10, 1, 2, 3), 32, 0, 0, 65535, OUT),
		rule_any(IPPROTO_UDP, 53, 53, OUT),
	};
	struct netfence_rule r6 = rule6(a6(0, 0, 0, 0, 0, 0xffff, 0, 0), 96, IPPROTO_TCP,
					0, 65535, OUT);
	struct netfence_policy *pol = mkpol(test, r, ARRAY_SIZE(r), 0);
	struct netfence_policy *pol6 = mkpol(test, &r6, 1, 0);
	int i4 = pol_index(pol, &r[0]), iany = pol_index(pol, &r[1]);
	struct netfence_flow v4 = flow4(IPPROTO_TCP, A_L4, 1, a4(10, 1, 2, 3), 80, 0);
	struct netfence_flow v6m = flow6(IPPROTO_TCP, A_L6, 1, mapped, 80, 0);
	struct netfence_flow dns4 = flow4(IPPROTO_UDP, A_L4, 1, A_R4, 53, 0);
	struct netfence_flow dns6 = flow6(IPPROTO_UDP, A_L6, 1, A_R6, 53, 0);

	EXPECT_VERDICT(pol, v4, P_OUT, CT_NONE, i4);
	/* IPv4-mapped: an IPv6 address, never matched by an IPv4 rule. */
	EXPECT_VERDICT(pol, v6m, P_OUT, CT_NONE, DROP);
	EXPECT_VERDICT(pol6, v6m, P_OUT, CT_NONE, 0);
	EXPECT_VERDICT(pol6, v4, P_OUT, CT_NONE, DROP);
	/* Address-less rules apply to both families. */
	EXPECT_VERDICT(pol, dns4, P_OUT, CT_NONE, iany);
	EXPECT_VERDICT(pol, dns6, P_OUT, CT_NONE, iany);
	netfence_policy_free(pol);
	netfence_policy_free(pol6);
}

static void match_longest_prefix_test(struct kunit *test)
{
	struct netfence_rule r[] = {
		rule4(a4(10, 0, 0, 0), 8, 0, 0, 65535, OUT),
		rule4(a4(10, 1, 0, 0), 16, 0, 0, 65535, OUT),
		rule4(a4(10, 1, 2, 0), 24, IPPROTO_TCP, 22, 22, OUT),
		rule4(a4(10, 1, 2, 3), 32, IPPROTO_TCP, 8080, 8080, IN),
		rule_any(0, 0, 65535, OUT),
		rule4(a4(0, 0, 0, 0), 0, IPPROTO_UDP, 0, 65535, OUT),
	};
	struct netfence_policy *pol = mkpol(test, r, ARRAY_SIZE(r), 0);
	struct netfence_flow udp = flow4(IPPROTO_UDP, A_L4, 1, a4(10, 1, 2, 3), 80, 0);
	struct netfence_flow ssh = flow4(IPPROTO_TCP, A_L4, 1, a4(10, 1, 2, 3), 22, 0);
	struct netfence_flow ssh2 = flow4(IPPROTO_TCP, A_L4, 1, a4(10, 1, 2, 4), 22, 0);
	struct netfence_flow ten = flow4(IPPROTO_TCP, A_L4, 1, a4(10, 2, 0, 1), 22, 0);
	struct netfence_flow far_udp = flow4(IPPROTO_UDP, A_L4, 1, a4(11, 0, 0, 1), 1, 0);
	struct netfence_flow far_tcp = flow4(IPPROTO_TCP, A_L4, 1, a4(11, 0, 0, 1), 1, 0);

	EXPECT_VERDICT(pol, udp, P_OUT, CT_NONE, pol_index(pol, &r[1]));
	EXPECT_VERDICT(pol, ssh, P_OUT, CT_NONE, pol_index(pol, &r[2]));
	EXPECT_VERDICT(pol, ssh2, P_OUT, CT_NONE, pol_index(pol, &r[2]));
	EXPECT_VERDICT(pol, ten, P_OUT, CT_NONE, pol_index(pol, &r[0]));
	/* The family's own /0 before the address-less rules. */
	EXPECT_VERDICT(pol, far_udp, P_OUT, CT_NONE, pol_index(pol, &r[5]));
	EXPECT_VERDICT(pol, far_tcp, P_OUT, CT_NONE, pol_index(pol, &r[4]));
	netfence_policy_free(pol);
}

static struct kunit_case match_cases[] = {
	KUNIT_CASE(match_dir_out_test),
	KUNIT_CASE(match_dir_in_test),
	KUNIT_CASE(match_dir_both_test),
	KUNIT_CASE(match_icmp_query_test),
	KUNIT_CASE(match_ct_test),
	KUNIT_CASE(match_forward_test),
	KUNIT_CASE(match_ports_test),
	KUNIT_CASE(match_fragment_test),
	KUNIT_CASE(match_builtin_nd_test),
	KUNIT_CASE(match_dhcp_not_builtin_test),
	KUNIT_CASE(match_builtin_icmp_err_test),
	KUNIT_CASE(match_builtin_icmp_err_addr_test),
	KUNIT_CASE(match_family_test),
	KUNIT_CASE(match_longest_prefix_test),
	{}
};

static struct kunit_suite match_suite = {
	.name = "netfence_match",
	.test_cases = match_cases,
};

/* ---------------------------------------------------------------------- */
/* Policy: builder, limits, order, counters, memory                       */

static void policy_builder_test(struct kunit *test)
{
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_rule ok = rule4(a4(10, 0, 0, 0), 8, IPPROTO_TCP, 22, 22, IN);
	struct netfence_rule bad = rule4(a4(10, 0, 0, 1), 8, 0, 0, 65535, OUT);
	struct netfence_rule junk = ok;
	struct validate_case *cases = validate_cases(test);
	struct netlink_ext_ack ext = {};
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &ok, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &ok, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 1);
	/* Bytes an IPv4 rule does not use do not make it another rule. */
	junk.addr.all[2] = 0x55555555;
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &junk, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 1);
	/* An invalid rule is refused with its reason; nothing changes. */
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &bad, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "host bits set beyond prefix length");
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 1);
	/* Every invalid rule is refused by the builder, with its reason. */
	for (i = 0; i < N_VALIDATE_CASES; i++) {
		if (!cases[i].msg)
			continue;
		ext._msg = NULL;
		KUNIT_EXPECT_EQ_MSG(test, netfence_builder_add(b, &cases[i].r, &ext), -EINVAL,
				    "%s", cases[i].name);
		if (ext._msg)
			KUNIT_EXPECT_STREQ(test, ext._msg, cases[i].msg);
	}
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 1);
	/* Deleting an absent rule fails and changes nothing. */
	ext._msg = NULL;
	bad.prefixlen = 32;
	KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &bad, &ext), -ENOENT);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, ext._msg);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 1);
	KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &junk, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &ok, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &ok, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 1);
	netfence_builder_free(b);
}

/* Random adds and deletes against a shadow set (dedup and hash deletion). */
static void policy_builder_random_test(struct kunit *test)
{
	const unsigned int ncand = 300, nops = 4000;
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_rule *cand, r;
	struct netfence_policy *pol;
	struct rnd_state rnd;
	unsigned int i, j, present = 0;
	bool *in;

	KUNIT_ASSERT_NOT_NULL(test, b);
	cand = kunit_kcalloc(test, ncand, sizeof(*cand), GFP_KERNEL);
	in = kunit_kcalloc(test, ncand, sizeof(*in), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cand);
	KUNIT_ASSERT_NOT_NULL(test, in);
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < ncand; i++) {
		/* Distinct: the index is in the address or the port. */
		if (i % 3 == 2)
			cand[i] = rule6(a6(0x2001, 0xdb8, i, 0, 0, 0, 0, 0), 48, IPPROTO_UDP,
					i, i, OUT);
		else
			cand[i] = rule4(a4(10, i >> 8, i & 0xff, 0), 24, 0, 0, 65535,
					1 + i % 3);
	}
	for (i = 0; i < nops; i++) {
		j = prandom_u32_state(&rnd) % ncand;
		if (prandom_u32_state(&rnd) % 3) {
			KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &cand[j], NULL), 0);
			present += !in[j];
			in[j] = true;
		} else {
			/* TXN_DEL looks a rule up before it deletes any. */
			KUNIT_ASSERT_EQ(test, netfence_builder_has(b, &cand[j]), in[j]);
			KUNIT_ASSERT_EQ(test, netfence_builder_del(b, &cand[j], NULL),
					in[j] ? 0 : -ENOENT);
			present -= in[j];
			in[j] = false;
		}
		KUNIT_ASSERT_EQ(test, netfence_builder_count(b), present);
	}
	pol = netfence_policy_build(b, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol));
	KUNIT_EXPECT_EQ(test, netfence_policy_count(pol), present);
	for (j = 0; j < ncand; j++)
		KUNIT_EXPECT_EQ_MSG(test, pol_index(pol, &cand[j]) >= 0, in[j], "rule %u", j);
	/* Dump order is the rule order. */
	for (i = 1; i < netfence_policy_count(pol); i++) {
		netfence_policy_rule(pol, i - 1, &r);
		netfence_policy_rule(pol, i, &cand[0]);
		KUNIT_EXPECT_LT(test, netfence_rule_cmp(&r, &cand[0]), 0);
	}
	netfence_policy_free(pol);
	netfence_builder_free(b);
}

static void policy_limit_test(struct kunit *test)
{
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_policy *pol;
	struct netlink_ext_ack ext = {};
	struct netfence_rule r;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, netfence_kunit_max_rules, NETFENCE_MAX_RULES);
	netfence_kunit_max_rules = 8;
	for (i = 0; i < 8; i++) {
		r = rule4(a4(10, 0, 0, i), 32, 0, 0, 65535, OUT);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	r = rule4(a4(10, 0, 0, 8), 32, 0, 0, 65535, OUT);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, &ext), -E2BIG);
	KUNIT_EXPECT_STREQ(test, ext._msg, "too many rules in one policy");
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 8);
	/* A duplicate is no new rule: accepted at the limit. */
	r = rule4(a4(10, 0, 0, 7), 32, 0, 0, 65535, OUT);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &r, NULL), 0);
	r = rule4(a4(10, 0, 0, 8), 32, 0, 0, 65535, OUT);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 8);
	netfence_kunit_max_rules = NETFENCE_MAX_RULES;

	/* A builder's own, lower limit (user namespaces); APPEND loads too. */
	pol = netfence_policy_build(b, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pol));
	netfence_builder_free(b);
	b = netfence_builder_alloc();
	KUNIT_ASSERT_NOT_NULL(test, b);
	netfence_builder_set_limit(b, 4);
	for (i = 0; i < 4; i++) {
		r = rule4(a4(10, 0, 1, i), 32, 0, 0, 65535, OUT);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	r = rule4(a4(10, 0, 1, 4), 32, 0, 0, 65535, OUT);
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), -E2BIG);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 4);
	KUNIT_EXPECT_EQ(test, netfence_builder_load(b, pol), -E2BIG);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 4);
	netfence_builder_set_limit(b, 8);
	KUNIT_EXPECT_EQ(test, netfence_builder_load(b, pol), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 8);
	netfence_policy_free(pol);
	netfence_builder_free(b);
}

static void policy_build_test(struct kunit *test)
{
	struct netfence_rule r[] = {
		rule6(A_R6, 128, IPPROTO_TCP, 443, 443, OUT),
		rule4(A_R4, 32, IPPROTO_UDP, 53, 53, BOTH),
		rule_any(IPPROTO_TCP, 22, 22, IN),
		rule4(a4(10, 0, 0, 0), 8, 0, 0, 65535, OUT),
		rule6(a6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, IPPROTO_ICMPV6, 0, 65535, IN),
	};
	struct netfence_policy *pol = mkpol(test, r, ARRAY_SIZE(r), 0x9), *pol2, *empty;
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_rule x, y;
	struct netfence_flow f = flow4(IPPROTO_TCP, A_L4, 1, A_R4, 2, 0);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, netfence_policy_count(pol), ARRAY_SIZE(r));
	KUNIT_EXPECT_EQ(test, netfence_policy_flags(pol), 0x9);
	/* Stable order: address-less, IPv4, IPv6, each by address. */
	netfence_policy_rule(pol, 0, &x);
	KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&x, &r[2]), 0);
	netfence_policy_rule(pol, 1, &x);
	KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&x, &r[3]), 0);
	netfence_policy_rule(pol, 4, &x);
	KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&x, &r[0]), 0);
	KUNIT_EXPECT_EQ(test, x.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, x.port_min, 443);

	/* Load a policy into a builder: the same rules come back. */
	KUNIT_ASSERT_EQ(test, netfence_builder_load(b, pol), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), ARRAY_SIZE(r));
	KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r[1], NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), ARRAY_SIZE(r));
	pol2 = netfence_policy_build(b, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol2));
	KUNIT_ASSERT_EQ(test, netfence_policy_count(pol2), ARRAY_SIZE(r));
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		netfence_policy_rule(pol, i, &x);
		netfence_policy_rule(pol2, i, &y);
		KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&x, &y), 0);
	}

	/* Hit counters: per rule, summed, reset. */
	netfence_policy_hit(pol2, 1);
	netfence_policy_hit(pol2, 1);
	netfence_policy_hit(pol2, 4);
	KUNIT_EXPECT_EQ(test, netfence_policy_hits(pol2, 0), 0);
	KUNIT_EXPECT_EQ(test, netfence_policy_hits(pol2, 1), 2);
	KUNIT_EXPECT_EQ(test, netfence_policy_hits(pol2, 4), 1);
	netfence_policy_reset_hits(pol2);
	KUNIT_EXPECT_EQ(test, netfence_policy_hits(pol2, 1), 0);
	KUNIT_EXPECT_EQ(test, netfence_policy_hits(pol2, 4), 0);
	KUNIT_EXPECT_GT(test, netfence_policy_mem(pol2), netfence_policy_count(pol2) * 8);

	/* An empty policy allows nothing but its builtins. */
	netfence_builder_free(b);
	b = netfence_builder_alloc();
	KUNIT_ASSERT_NOT_NULL(test, b);
	empty = netfence_policy_build(b, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(empty));
	KUNIT_EXPECT_EQ(test, netfence_policy_count(empty), 0);
	KUNIT_EXPECT_GT(test, netfence_policy_mem(empty), 0);
	EXPECT_VERDICT(empty, f, P_OUT, CT_NONE, DROP);
	KUNIT_EXPECT_EQ(test, netfence_builder_load(b, empty), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 0);
	netfence_builder_free(b);
	netfence_policy_free(empty);
	netfence_policy_free(pol2);
	netfence_policy_free(pol);
}

/* 100k IPv4 rules: build time and bytes per rule (the trie's memory target). */
static void policy_mem_100k_test(struct kunit *test)
{
	const u32 n = 100000;
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_policy *pol;
	struct netfence_flow f;
	struct netfence_rule r;
	struct rnd_state rnd;
	u64 t0, t1, t2;
	size_t mem;
	u32 i, x;

	KUNIT_ASSERT_NOT_NULL(test, b);
	prandom_seed_state(&rnd, 100000);
	t0 = ktime_get_ns();
	while (netfence_builder_count(b) < n) {
		x = prandom_u32_state(&rnd);
		/* Mostly hosts, some networks: close to the worst case of distinct prefixes. */
		r = rule4(a4(0, 0, 0, 0), 32 - (x % 4 == 0 ? x % 9 : 0), IPPROTO_TCP, 443, 443, OUT);
		r.addr.ip = htonl(prandom_u32_state(&rnd)) &
			    (r.prefixlen ? htonl(~0U << (32 - r.prefixlen)) : 0);
		if (x & 0x100)
			r.port_min = r.port_max = 22;
		KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	t1 = ktime_get_ns();
	pol = netfence_policy_build(b, NETFENCE_POLICY_F_DEFAULT, NULL);
	t2 = ktime_get_ns();
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol));
	KUNIT_EXPECT_EQ(test, netfence_policy_count(pol), n);
	mem = netfence_policy_mem(pol);
	kunit_info(test, "100000 IPv4 rules: %zu bytes, %zu.%02zu bytes/rule with %u possible CPUs (%zu bytes/rule for counters)\n",
		   mem, mem / n, mem * 100 / n % 100, num_possible_cpus(),
		   num_possible_cpus() * sizeof(u64));
	kunit_info(test, "builder adds %llu ms, policy build %llu ms\n",
		   (t1 - t0) / NSEC_PER_MSEC, (t2 - t1) / NSEC_PER_MSEC);
	if (num_possible_cpus() <= 2)
		KUNIT_EXPECT_LE(test, mem, (size_t)n * 64);
	/* Every rule's own address matches it. */
	for (i = 0; i < n; i += 97) {
		netfence_policy_rule(pol, i, &r);
		f = flow4(IPPROTO_TCP, A_L4, 1, r.addr, r.port_min, 0);
		KUNIT_EXPECT_GE(test, netfence_match(pol, &f, P_OUT, CT_NONE, NULL), 0);
	}
	netfence_policy_free(pol);
	netfence_builder_free(b);
}

static struct kunit_case policy_cases[] = {
	KUNIT_CASE(policy_builder_test),
	KUNIT_CASE(policy_builder_random_test),
	KUNIT_CASE(policy_limit_test),
	KUNIT_CASE(policy_build_test),
	KUNIT_CASE(policy_mem_100k_test),
	{}
};

static struct kunit_suite policy_suite = {
	.name = "netfence_policy",
	.test_cases = policy_cases,
};

/* ---------------------------------------------------------------------- */
/* Trie: random policies cross-checked against reference matchers         */

static const u8 xc_lens4[] = { 0, 1, 3, 8, 10, 12, 16, 17, 20, 22, 23, 24, 24, 25, 26,
			       27, 28, 29, 30, 31, 32, 32, 32 };
static const u8 xc_lens6[] = { 0, 3, 8, 16, 29, 32, 33, 40, 48, 48, 56, 60, 63, 64, 64, 65,
			       72, 80, 96, 100, 112, 116, 120, 124, 126, 127, 128, 128 };
static const u16 xc_ports[] = { 0, 1, 22, 53, 80, 443, 999, 1000, 1500, 2000, 2001, 1023,
				1024, 8080, 65535 };

#define XC_POOL	64

struct xcheck {
	struct rnd_state rnd;
	union nf_inet_addr pool4[XC_POOL];
	union nf_inet_addr pool6[XC_POOL];
	struct netfence_rule *rules;	/* the policy's rules, in its order */
	u32 n, n_unspec;
	DECLARE_BITMAP(lens4, 33);	/* prefix lengths present */
	DECLARE_BITMAP(lens6, 129);
	u32 *htab;			/* first rule of each prefix, + 1 */
	u32 hmask;
};

static u32 xc_rand(struct xcheck *x)
{
	return prandom_u32_state(&x->rnd);
}

static void addr_mask(union nf_inet_addr *a, unsigned int width, unsigned int len)
{
	u8 *p = (u8 *)a;
	unsigned int i = len / 8;

	if (len % 8)
		p[i++] &= 0xff00 >> (len % 8);
	for (; i < width / 8; i++)
		p[i] = 0;
}

/* Flips random bits of a at positions >= from (up to width). */
static void addr_perturb(struct xcheck *x, union nf_inet_addr *a, unsigned int width,
			 unsigned int from)
{
	u8 *p = (u8 *)a;
	unsigned int i = from / 8;
	u32 v = 0;

	if (from >= width)
		return;
	if (from % 8)
		p[i++] ^= xc_rand(x) & (0xff >> (from % 8));
	for (; i < width / 8; i++) {
		if (i % 4 == 0 || !v)
			v = xc_rand(x);
		p[i] ^= v;
		v >>= 8;
	}
}

static void xc_rand_rule(struct xcheck *x, u8 fam, struct netfence_rule *r)
{
	unsigned int width = fam == AF_INET ? 32 : 128;
	u32 v = xc_rand(x);

	memset(r, 0, sizeof(*r));
	r->family = fam;
	r->addr = fam == AF_INET ? x->pool4[v % XC_POOL] : x->pool6[v % XC_POOL];
	v /= XC_POOL;
	r->prefixlen = fam == AF_INET ? xc_lens4[v % ARRAY_SIZE(xc_lens4)] :
					xc_lens6[v % ARRAY_SIZE(xc_lens6)];
	/* Neighbours of the pool addresses, so prefixes nest and collide. */
	addr_perturb(x, &r->addr, width, r->prefixlen > 8 ? r->prefixlen - 8 : 0);
	addr_mask(&r->addr, width, r->prefixlen);
	r->port_max = 65535;
	switch (xc_rand(x) % 6) {
	case 0:
	case 1:
		break;
	case 2:
	case 3:
		r->proto = IPPROTO_TCP;
		break;
	case 4:
		r->proto = IPPROTO_UDP;
		break;
	default:
		r->proto = fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		break;
	}
	if (r->proto != IPPROTO_ICMP && r->proto != IPPROTO_ICMPV6 && xc_rand(x) % 3) {
		v = xc_rand(x);
		switch (v % 5) {
		case 0:
			r->port_min = 1000;
			r->port_max = 2000;
			break;
		case 1:
			r->port_min = 0;
			r->port_max = 1023;
			break;
		case 2:
			r->port_min = 1024;
			break;
		default:
			r->port_min = xc_ports[(v / 8) % ARRAY_SIZE(xc_ports)];
			r->port_max = r->port_min;
			break;
		}
	}
	/* Short prefixes without ports would allow nearly every flow. */
	if (r->prefixlen < 16 && !netfence_rule_has_ports(r)) {
		if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6)
			r->proto = 0;
		r->port_min = xc_ports[v % ARRAY_SIZE(xc_ports)];
		r->port_max = r->port_min;
	}
	r->dir = 1 + xc_rand(x) % 3;
}

static void xc_rand_flow(struct xcheck *x, u8 fam, struct netfence_flow *f)
{
	unsigned int width = fam == AF_INET ? 32 : 128;
	union nf_inet_addr near, other = {};
	u32 v = xc_rand(x);

	memset(f, 0, sizeof(*f));
	f->family = fam;
	near = fam == AF_INET ? x->pool4[v % XC_POOL] : x->pool6[v % XC_POOL];
	addr_perturb(x, &near, width, (v / XC_POOL) % (width + 1));
	if (fam == AF_INET)
		other.ip = (__force __be32)xc_rand(x);
	else
		addr_perturb(x, &other, width, 0);
	if (xc_rand(x) & 1) {
		f->t.saddr = near;
		f->t.daddr = other;
	} else {
		f->t.saddr = other;
		f->t.daddr = near;
	}
	v = xc_rand(x);
	switch (v % 7) {
	case 0:
	case 1:
	case 2:
		f->t.proto = IPPROTO_TCP;
		break;
	case 3:
	case 4:
		f->t.proto = IPPROTO_UDP;
		break;
	case 5:
		f->t.proto = fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		if (v & 0x100)
			f->flags |= NETFENCE_FLOW_ICMP_REQ;
		break;
	default:
		f->t.proto = IPPROTO_GRE;
		break;
	}
	if (f->t.proto == IPPROTO_TCP || f->t.proto == IPPROTO_UDP) {
		if ((v >> 12) % 16 == 0) {
			f->flags |= NETFENCE_FLOW_FRAG;
		} else {
			f->flags |= NETFENCE_FLOW_PORTS;
			f->t.sport = xc_ports[xc_rand(x) % ARRAY_SIZE(xc_ports)];
			f->t.dport = xc_ports[xc_rand(x) % ARRAY_SIZE(xc_ports)];
			if (f->t.proto == IPPROTO_TCP && (v >> 16) % 3 == 0)
				f->flags |= NETFENCE_FLOW_SYN;
		}
	}
}

/* The semantics of engine.md for one rule whose address already matched. */
static bool ref_allows(const struct netfence_rule *r, const struct netfence_flow *f,
		       u8 init_dir, bool reply_ok)
{
	bool ports = r->port_min != 0 || r->port_max != 65535;
	bool init, reply;

	if (r->proto && r->proto != f->t.proto)
		return false;
	if (ports && f->t.proto != IPPROTO_TCP && f->t.proto != IPPROTO_UDP)
		return false;
	if (ports && !(f->flags & NETFENCE_FLOW_PORTS))
		return false;
	init = (r->dir & init_dir) &&
	       (!ports || (f->t.dport >= r->port_min && f->t.dport <= r->port_max));
	reply = reply_ok && (r->dir & ~init_dir & NETFENCE_DIR_BOTH) &&
		(!ports || (f->t.sport >= r->port_min && f->t.sport <= r->port_max));
	return init || reply;
}

static bool ref_prefix(const struct netfence_rule *r, const union nf_inet_addr *a)
{
	const u8 *p = (const u8 *)&r->addr, *q = (const u8 *)a;
	unsigned int i;

	for (i = 0; i < r->prefixlen; i++)
		if ((p[i / 8] ^ q[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* Linear reference: the allowing rule with the longest prefix, then lowest index. */
static int ref_linear_side(const struct xcheck *x, const struct netfence_flow *f,
			   const union nf_inet_addr *remote, u8 init_dir, bool reply_ok)
{
	int best = DROP, best_rank = -1, rank;
	u32 i;

	for (i = 0; i < x->n; i++) {
		const struct netfence_rule *r = &x->rules[i];

		if (r->family != AF_UNSPEC && r->family != f->family)
			continue;
		/* Address-less rules rank below the family's /0. */
		rank = r->family == AF_UNSPEC ? 0 : 1 + r->prefixlen;
		if (rank <= best_rank)
			continue;
		if (r->family != AF_UNSPEC && !ref_prefix(r, remote))
			continue;
		if (ref_allows(r, f, init_dir, reply_ok)) {
			best = i;
			best_rank = rank;
		}
	}
	return best;
}

/* Slot of the group (family, masked address, len) in the reference's hash table. */
static u32 ref_hash(const struct xcheck *x, u8 family, const union nf_inet_addr *a, u8 len)
{
	return jhash(a, family == AF_INET ? 4 : 16, family << 8 | len) & x->hmask;
}

static bool ref_same_group(const struct netfence_rule *r, u8 family,
			   const union nf_inet_addr *a, u8 len)
{
	return r->family == family && r->prefixlen == len &&
	       !memcmp(&r->addr, a, family == AF_INET ? 4 : 16);
}

/*
 * Faster reference: for each prefix length present, a hash lookup of the
 * masked address gives the first rule of that prefix.
 */
static int ref_hash_side(const struct xcheck *x, const struct netfence_flow *f,
			 const union nf_inet_addr *remote, u8 init_dir, bool reply_ok)
{
	unsigned int width = f->family == AF_INET ? 32 : 128;
	union nf_inet_addr key = *remote;
	u32 h, i;
	int len;

	for (len = width; len >= 0; len--) {
		if (!test_bit(len, f->family == AF_INET ? x->lens4 : x->lens6))
			continue;
		addr_mask(&key, width, len);
		for (h = ref_hash(x, f->family, &key, len); x->htab[h]; h = (h + 1) & x->hmask)
			if (ref_same_group(&x->rules[x->htab[h] - 1], f->family, &key, len))
				break;
		if (!x->htab[h])
			continue;
		for (i = x->htab[h] - 1; i < x->n; i++) {
			const struct netfence_rule *r = &x->rules[i];

			if (!ref_same_group(r, f->family, &key, len))
				break;
			if (ref_allows(r, f, init_dir, reply_ok))
				return i;
		}
	}
	for (i = 0; i < x->n_unspec; i++)
		if (ref_allows(&x->rules[i], f, init_dir, reply_ok))
			return i;
	return DROP;
}

typedef int (*ref_side_fn)(const struct xcheck *x, const struct netfence_flow *f,
			   const union nf_inet_addr *remote, u8 init_dir, bool reply_ok);

static int ref_match(const struct xcheck *x, ref_side_fn side, const struct netfence_flow *f,
		     enum netfence_path path, enum netfence_ct ct)
{
	bool reply_ok = !(f->flags & (NETFENCE_FLOW_SYN | NETFENCE_FLOW_ICMP_REQ)) &&
			(ct == NETFENCE_CT_NONE || ct == NETFENCE_CT_ESTABLISHED ||
			 ct == NETFENCE_CT_RELATED);
	int ret;

	if (path == NETFENCE_PATH_IN)
		return side(x, f, &f->t.saddr, NETFENCE_DIR_IN, reply_ok);
	ret = side(x, f, &f->t.daddr, NETFENCE_DIR_OUT, reply_ok);
	if (ret >= 0 || path == NETFENCE_PATH_OUT)
		return ret;
	return side(x, f, &f->t.saddr, NETFENCE_DIR_IN, reply_ok);
}

static void xc_init(struct xcheck *x, u64 seed)
{
	unsigned int i;

	memset(x, 0, sizeof(*x));
	prandom_seed_state(&x->rnd, seed);
	for (i = 0; i < XC_POOL; i++) {
		x->pool4[i].ip = (__force __be32)xc_rand(x);
		addr_perturb(x, &x->pool6[i], 128, 0);
		/* A few share long prefixes with each other. */
		if (i % 4 == 1) {
			x->pool4[i] = x->pool4[i - 1];
			addr_perturb(x, &x->pool4[i], 32, 20);
			x->pool6[i] = x->pool6[i - 1];
			addr_perturb(x, &x->pool6[i], 128, 100);
		}
	}
}

/*
 * Random policy with about n4 IPv4, n6 IPv6 and nu address-less rules.
 * Fills x->rules with the policy's rules, in its order.
 */
static struct netfence_policy *xc_policy(struct kunit *test, struct xcheck *x,
					 u32 n4, u32 n6, u32 nu)
{
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_policy *pol;
	struct netfence_rule r;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	while (netfence_builder_count(b) < n4) {
		xc_rand_rule(x, AF_INET, &r);
		KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	while (netfence_builder_count(b) < n4 + n6) {
		xc_rand_rule(x, AF_INET6, &r);
		KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	while (netfence_builder_count(b) < n4 + n6 + nu) {
		xc_rand_rule(x, AF_INET, &r);
		r.family = AF_UNSPEC;
		r.prefixlen = 0;
		memset(&r.addr, 0, sizeof(r.addr));
		if (r.proto == IPPROTO_ICMP)
			r.proto = 0;
		/* Narrow, or they would answer every lookup. */
		if (!netfence_rule_has_ports(&r))
			r.port_min = r.port_max = 1500;
		KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	pol = netfence_policy_build(b, 0, NULL);
	netfence_builder_free(b);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol));
	x->n = netfence_policy_count(pol);
	KUNIT_ASSERT_EQ(test, x->n, n4 + n6 + nu);
	kvfree(x->rules);
	x->rules = kvmalloc_array(x->n + 1, sizeof(*x->rules), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x->rules);
	x->n_unspec = 0;
	bitmap_zero(x->lens4, 33);
	bitmap_zero(x->lens6, 129);
	for (i = 0; i < x->n; i++) {
		netfence_policy_rule(pol, i, &x->rules[i]);
		if (x->rules[i].family == AF_UNSPEC)
			x->n_unspec++;
		else if (x->rules[i].family == AF_INET)
			__set_bit(x->rules[i].prefixlen, x->lens4);
		else
			__set_bit(x->rules[i].prefixlen, x->lens6);
		if (i)
			KUNIT_ASSERT_LT(test, netfence_rule_cmp(&x->rules[i - 1], &x->rules[i]), 0);
	}
	kvfree(x->htab);
	x->hmask = roundup_pow_of_two(2 * x->n + 2) - 1;
	x->htab = kvcalloc(x->hmask + 1, sizeof(*x->htab), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x->htab);
	for (i = x->n_unspec; i < x->n; i++) {
		const struct netfence_rule *r = &x->rules[i];
		u32 h;

		if (i > x->n_unspec &&
		    ref_same_group(&x->rules[i - 1], r->family, &r->addr, r->prefixlen))
			continue;
		for (h = ref_hash(x, r->family, &r->addr, r->prefixlen); x->htab[h];
		     h = (h + 1) & x->hmask)
			;
		x->htab[h] = i + 1;
	}
	return pol;
}

/* Compares the matcher with a reference on n random flows of a family. */
static void xc_run(struct kunit *test, struct xcheck *x, const struct netfence_policy *pol,
		   u8 fam, u32 n, ref_side_fn side, u32 *allowed)
{
	struct netfence_flow f;
	u32 i, bad = 0;
	int got, want;

	for (i = 0; i < n; i++) {
		enum netfence_path path;
		enum netfence_ct ct;

		if (i % 1024 == 0)
			cond_resched();
		xc_rand_flow(x, fam, &f);
		path = xc_rand(x) % 3;
		ct = xc_rand(x) % (NETFENCE_CT_RELATED + 1);
		got = netfence_match(pol, &f, path, ct, NULL);
		want = ref_match(x, side, &f, path, ct);
		*allowed += got >= 0;
		if (got == want)
			continue;
		if (bad++ < 5)
			KUNIT_FAIL(test, "flow %u family %u path %d ct %d proto %u flags %#x ports %u->%u: got %d want %d",
				   i, fam, path, ct, f.t.proto, f.flags, f.t.sport, f.t.dport,
				   got, want);
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0, "%u of %u lookups differ", bad, n);
}

/* 10,000 rules per family, 100,000 lookups per family. */
static void trie_random_large_test(struct kunit *test)
{
	struct xcheck *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct netfence_policy *pol;
	u32 allowed4 = 0, allowed6 = 0, dummy = 0;
	u64 t0, t1;

	KUNIT_ASSERT_NOT_NULL(test, x);
	xc_init(x, 0x6e6574666e6365ULL);
	pol = xc_policy(test, x, 10000, 10000, 6);
	t0 = ktime_get_ns();
	xc_run(test, x, pol, AF_INET, 100000, ref_hash_side, &allowed4);
	xc_run(test, x, pol, AF_INET6, 100000, ref_hash_side, &allowed6);
	t1 = ktime_get_ns();
	/* The fast reference itself, against the linear one. */
	xc_run(test, x, pol, AF_INET, 1000, ref_linear_side, &dummy);
	xc_run(test, x, pol, AF_INET6, 1000, ref_linear_side, &dummy);
	kunit_info(test, "%u rules; allowed %u of 100000 IPv4 and %u of 100000 IPv6 lookups (%llu ms), linear check %llu ms\n",
		   x->n, allowed4, allowed6, (t1 - t0) / NSEC_PER_MSEC,
		   (ktime_get_ns() - t1) / NSEC_PER_MSEC);
	/* The random flows must exercise both verdicts. */
	KUNIT_EXPECT_GT(test, allowed4, 10000);
	KUNIT_EXPECT_LT(test, allowed4, 90000);
	KUNIT_EXPECT_GT(test, allowed6, 10000);
	KUNIT_EXPECT_LT(test, allowed6, 90000);
	netfence_policy_free(pol);
	kvfree(x->rules);
	kvfree(x->htab);
}

/* Many small policies (deep nesting, few groups) against the linear reference. */
static void trie_random_small_test(struct kunit *test)
{
	struct xcheck *x = kunit_kzalloc(test, sizeof(*x), GFP_KERNEL);
	struct netfence_policy *pol;
	u32 round, allowed = 0;
	u64 t0 = ktime_get_ns();

	KUNIT_ASSERT_NOT_NULL(test, x);
	xc_init(x, 7);
	for (round = 0; round < 300; round++) {
		u32 n4 = xc_rand(x) % 40, n6 = xc_rand(x) % 40, nu = xc_rand(x) % 3;

		pol = xc_policy(test, x, n4, n6, nu);
		xc_run(test, x, pol, AF_INET, 300, ref_linear_side, &allowed);
		xc_run(test, x, pol, AF_INET6, 300, ref_linear_side, &allowed);
		netfence_policy_free(pol);
	}
	kunit_info(test, "300 policies, 180000 lookups, %u allowed (%llu ms)\n", allowed,
		   (ktime_get_ns() - t0) / NSEC_PER_MSEC);
	kvfree(x->rules);
	kvfree(x->htab);
}

static struct kunit_case trie_cases[] = {
	KUNIT_CASE(trie_random_small_test),
	KUNIT_CASE(trie_random_large_test),
	{}
};

static struct kunit_suite trie_suite = {
	.name = "netfence_trie",
	.test_cases = trie_cases,
};

/* ---------------------------------------------------------------------- */
/* Identity rules (uid, cgroup v2)                                        */

/* A socket identity as the glue fills it, with a fake cgroup hierarchy. */
struct fake_sid {
	struct netfence_sockid sid;
	u64 ids[8];		/* cgroup id of each level, root first */
	char names[8][24];	/* name of each level (the root has none) */
	unsigned int name_calls;	/* cgroup_name_at() calls */
};

static u64 fake_cgroup_at(const struct netfence_sockid *sid, u32 level)
{
	const struct fake_sid *f = container_of(sid, struct fake_sid, sid);

	return level <= sid->cgroup_level ? f->ids[level] : 0;
}

static const char *fake_cgroup_name_at(const struct netfence_sockid *sid, u32 level)
{
	struct fake_sid *f = container_of(sid, struct fake_sid, sid);

	f->name_calls++;
	return level && level <= sid->cgroup_level ? f->names[level] : NULL;
}

/*
 * uid (or none: U32_MAX), and the socket's cgroup: a canonical path (NULL:
 * no cgroup), the root's id 1, the levels below it id, id + 1, ... Two
 * different cgroups never share an id (the verdict cache relies on it).
 */
static void fake_sid_init(struct fake_sid *f, u32 uid, const char *path, u64 id)
{
	u32 level = 0;
	const char *p;

	memset(f, 0, sizeof(*f));
	if (uid != U32_MAX) {
		f->sid.uid_valid = true;
		f->sid.uid = uid;
	}
	if (!path)
		return;
	f->ids[0] = 1;
	for (p = path; *p && p[1]; ) {
		const char *end = strchrnul(p + 1, '/');

		level++;
		f->ids[level] = id++;
		memcpy(f->names[level], p + 1, min_t(size_t, end - p - 1, 23));
		p = end;
	}
	f->sid.cgroup_valid = true;
	f->sid.cgroup_level = level;
	f->sid.cgroup_at = fake_cgroup_at;
	f->sid.cgroup_name_at = fake_cgroup_name_at;
}

static struct netfence_rule rule_uid(struct netfence_rule r, u32 min, u32 max)
{
	r.id_flags |= NETFENCE_RULE_ID_UID;
	r.uid_min = min;
	r.uid_max = max;
	return r;
}

/* A cgroup rule: path below the anchor (cgroup id, level). */
static struct netfence_rule rule_cg(struct netfence_rule r, const char *path, u64 anchor,
				    u32 level)
{
	r.id_flags |= NETFENCE_RULE_ID_CGROUP;
	r.cgroup_path = path;
	r.anchor_id = anchor;
	r.anchor_level = level;
	return r;
}

/*
 * Also checks that the glue's second pass, identity rules only after a
 * drop without the socket, gives the same verdict as the full match.
 */
#define EXPECT_SID(pol, f, path, ct, sid, want) do { \
	KUNIT_EXPECT_EQ_MSG(test, netfence_match(pol, &(f), path, ct, sid), want, \
			    "%s", #f " on " #path " " #ct " with " #sid); \
	if (netfence_match(pol, &(f), path, ct, NULL) == DROP) \
		KUNIT_EXPECT_EQ_MSG(test, netfence_match_identity(pol, &(f), path, ct, sid), \
				    want, "%s", "identity pass: " #f " on " #path " " #ct \
				    " with " #sid); \
} while (0)

static void identity_validate_test(struct kunit *test)
{
	struct netfence_rule any = rule_any(0, 0, 65535, OUT);
	struct netfence_rule r;
	struct netlink_ext_ack ext = {};

	r = rule_uid(any, 1000, 1999);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), 0);
	r = rule_uid(rule4(A_R4, 32, IPPROTO_TCP, 443, 443, OUT), 0, 0);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), 0);
	r = rule_cg(rule6(A_R6, 128, 0, 0, 65535, BOTH), "/a", 7, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), 0);
	r = rule_cg(rule_uid(any, 5, 5), "/a/b", 9, 2);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), 0);

	r = rule_uid(any, 2000, 1999);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "uid_min greater than uid_max");
	r = any;
	r.id_flags = 0x80;
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "unknown identity flags");
	r = rule_cg(any, NULL, 7, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "cgroup rule without a path");
	r = rule_cg(any, "", 7, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	/* The glue gives the path its canonical form. */
	r = rule_cg(any, "/a/", 7, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "cgroup path not in canonical form");
	r = rule_cg(any, "a", 7, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	r = rule_cg(any, "/a/../b", 7, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	/* The glue sets the anchor (the cgroup namespace's root). */
	r = rule_cg(any, "/gone", 0, 1);
	KUNIT_EXPECT_EQ(test, netfence_rule_validate(&r, &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "cgroup rule without its cgroup namespace root");
	/* The builder refuses what validation refuses. */
	{
		struct netfence_builder *b = netfence_builder_alloc();

		KUNIT_ASSERT_NOT_NULL(test, b);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), -EINVAL);
		r = rule_uid(any, 2, 1);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &r, NULL), -EINVAL);
		KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 0);
		netfence_builder_free(b);
	}
}

static void identity_cmp_test(struct kunit *test)
{
	struct netfence_rule any = rule_any(0, 0, 65535, OUT);
	struct netfence_rule v6 = rule6(A_R6, 128, 0, 0, 65535, OUT);
	struct netfence_rule u1 = rule_uid(any, 1000, 1000);
	struct netfence_rule u2 = rule_uid(any, 1000, 1999);
	struct netfence_rule c1 = rule_cg(any, "/a", 7, 1);
	struct netfence_rule c1b = rule_cg(any, "/a", 9, 1);
	struct netfence_rule c2 = rule_cg(any, "/b", 7, 1);
	struct netfence_rule both = rule_cg(u1, "/a", 7, 1);
	struct netfence_rule junk = any;

	/* Every identity rule sorts after every address rule. */
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&v6, &u1), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&any, &c1), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&u1, &u2), 0);
	KUNIT_EXPECT_NE(test, netfence_rule_cmp(&u1, &c1), 0);
	KUNIT_EXPECT_LT(test, netfence_rule_cmp(&c1, &c2), 0);
	KUNIT_EXPECT_NE(test, netfence_rule_cmp(&c1, &both), 0);
	/* The same path below another anchor is another rule. */
	KUNIT_EXPECT_NE(test, netfence_rule_cmp(&c1, &c1b), 0);
	/* Identity fields the rule does not use do not take part. */
	junk.uid_max = 77;
	junk.anchor_id = 99;
	KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&any, &junk), 0);
	{
		struct netfence_builder *b = netfence_builder_alloc();
		char *path = kunit_kzalloc(test, 4, GFP_KERNEL);
		struct netfence_rule c1c;

		KUNIT_ASSERT_NOT_NULL(test, b);
		KUNIT_ASSERT_NOT_NULL(test, path);
		strscpy(path, "/a", 4);
		c1c = rule_cg(any, path, 7, 1);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &any, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &junk, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &u1, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &c1, NULL), 0);
		/* Same rule, the path in another buffer: not added twice. */
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &c1c, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_add(b, &both, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 4);
		/* Paths differ only in the name: two rules. */
		KUNIT_EXPECT_TRUE(test, netfence_builder_has(b, &c1));
		KUNIT_EXPECT_FALSE(test, netfence_builder_has(b, &c2));
		KUNIT_EXPECT_FALSE(test, netfence_builder_has(b, &c1b));
		/* The builder keeps its own copy of the path. */
		path[1] = 'z';
		KUNIT_EXPECT_TRUE(test, netfence_builder_has(b, &c1));
		KUNIT_EXPECT_FALSE(test, netfence_builder_has(b, &c1c));
		KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &c1c, NULL), -ENOENT);
		path[1] = 'a';
		KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &u1, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &u1, NULL), -ENOENT);
		KUNIT_EXPECT_EQ(test, netfence_builder_del(b, &c1c, NULL), 0);
		KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 2);
		netfence_builder_free(b);
	}
}

static void identity_policy_test(struct kunit *test)
{
	struct netfence_rule rules[] = {
		rule_cg(rule_any(IPPROTO_TCP, 8080, 8080, OUT), "/agent", 42, 1),
		rule4(A_R4, 32, IPPROTO_TCP, 443, 443, OUT),
		rule_uid(rule_any(0, 0, 65535, OUT), 1000, 1999),
		rule6(A_R6, 128, 0, 0, 65535, OUT),
	};
	struct netfence_policy *pol = mkpol(test, rules, ARRAY_SIZE(rules), 0);
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_policy *pol2;
	struct netfence_rule r;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, netfence_policy_count(pol), 4);
	KUNIT_EXPECT_TRUE(test, netfence_policy_has_identity(pol));
	/* Address rules first, identity rules after them. */
	netfence_policy_rule(pol, 0, &r);
	KUNIT_EXPECT_EQ(test, r.id_flags, 0);
	netfence_policy_rule(pol, 2, &r);
	KUNIT_EXPECT_EQ(test, r.id_flags, NETFENCE_RULE_ID_UID);
	KUNIT_EXPECT_EQ(test, r.uid_min, 1000);
	KUNIT_EXPECT_EQ(test, r.uid_max, 1999);
	netfence_policy_rule(pol, 3, &r);
	KUNIT_EXPECT_EQ(test, r.id_flags, NETFENCE_RULE_ID_CGROUP);
	KUNIT_EXPECT_EQ(test, r.anchor_id, 42);
	KUNIT_EXPECT_EQ(test, r.anchor_level, 1);
	KUNIT_EXPECT_EQ(test, r.port_min, 8080);
	KUNIT_ASSERT_NOT_NULL(test, r.cgroup_path);
	KUNIT_EXPECT_STREQ(test, r.cgroup_path, "/agent");
	/* A commit that starts from this policy keeps the identity rules. */
	KUNIT_EXPECT_EQ(test, netfence_builder_load(b, pol), 0);
	KUNIT_EXPECT_EQ(test, netfence_builder_count(b), 4);
	pol2 = netfence_policy_build(b, 0, NULL);
	netfence_builder_free(b);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol2));
	for (i = 0; i < 4; i++) {
		struct netfence_rule x;

		netfence_policy_rule(pol, i, &r);
		netfence_policy_rule(pol2, i, &x);
		KUNIT_EXPECT_EQ(test, netfence_rule_cmp(&r, &x), 0);
		if (r.cgroup_path) {
			KUNIT_ASSERT_NOT_NULL(test, x.cgroup_path);
			KUNIT_EXPECT_STREQ(test, x.cgroup_path, r.cgroup_path);
		}
	}
	netfence_policy_free(pol2);
	netfence_policy_free(pol);

	/* Address rules alone: no identity section. */
	pol = mkpol(test, &rules[1], 1, 0);
	KUNIT_EXPECT_FALSE(test, netfence_policy_has_identity(pol));
	netfence_policy_free(pol);
}

static void identity_match_uid_test(struct kunit *test)
{
	struct netfence_rule r = rule_uid(rule_any(0, 0, 65535, OUT), 1000, 1999);
	struct netfence_policy *pol = mkpol(test, &r, 1, 0);
	struct netfence_flow syn = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 443, NETFENCE_FLOW_SYN);
	struct netfence_flow synack = flow4(IPPROTO_TCP, A_R4, 443, A_L4, 40000, 0);
	struct netfence_flow in_syn = flow4(IPPROTO_TCP, A_R4, 50000, A_L4, 22,
					    NETFENCE_FLOW_SYN);
	struct netfence_flow udp6 = flow6(IPPROTO_UDP, A_L6, 40000, A_R6, 53, 0);
	struct netfence_flow udp6r = flow6(IPPROTO_UDP, A_R6, 53, A_L6, 40000, 0);
	struct fake_sid lo, in, hi, none;

	fake_sid_init(&lo, 999, NULL, 0);
	fake_sid_init(&in, 1000, NULL, 0);
	fake_sid_init(&hi, 2000, NULL, 0);
	fake_sid_init(&none, U32_MAX, NULL, 0);

	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &in.sid, 0);
	EXPECT_SID(pol, synack, P_IN, CT_REPLY, &in.sid, 0);
	EXPECT_SID(pol, udp6, P_OUT, CT_NONE, &in.sid, 0);
	EXPECT_SID(pol, udp6r, P_IN, CT_REPLY, &in.sid, 0);
	in.sid.uid = 1999;
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &in.sid, 0);
	/* Outside the range, no uid, no socket: the address stays closed. */
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &lo.sid, DROP);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &hi.sid, DROP);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &none.sid, DROP);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, NULL, DROP);
	EXPECT_SID(pol, synack, P_IN, CT_REPLY, NULL, DROP);
	/* dir out: the rule's replies, not connections to the socket. */
	EXPECT_SID(pol, in_syn, P_IN, CT_NONE, &in.sid, DROP);
	EXPECT_SID(pol, synack, P_IN, CT_NEW, &in.sid, DROP);
	/* Forwarded packets never match an identity rule. */
	EXPECT_SID(pol, syn, P_FWD, CT_NONE, &in.sid, DROP);
	EXPECT_SID(pol, synack, P_FWD, CT_REPLY, &in.sid, DROP);
	netfence_policy_free(pol);
}

static void identity_match_cgroup_test(struct kunit *test)
{
	struct netfence_rule rules[] = {
		rule_cg(rule_any(0, 0, 65535, BOTH), "/system.slice/agent", 1, 0),
		rule_cg(rule_uid(rule_any(IPPROTO_UDP, 0, 65535, OUT), 0, 0), "/", 1, 0),
	};
	struct netfence_policy *pol = mkpol(test, rules, ARRAY_SIZE(rules), 0);
	struct netfence_flow syn = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 443, NETFENCE_FLOW_SYN);
	struct netfence_flow in_syn = flow6(IPPROTO_TCP, A_R6, 50000, A_L6, 22,
					    NETFENCE_FLOW_SYN);
	struct netfence_flow udp = flow4(IPPROTO_UDP, A_L4, 40000, A_R4, 53, 0);
	struct fake_sid *sids = kunit_kcalloc(test, 8, sizeof(*sids), GFP_KERNEL);
	struct fake_sid *s_agent = &sids[0], *s_child = &sids[1], *s_parent = &sids[2];
	struct fake_sid *s_other = &sids[3], *s_nocg = &sids[4], *s_root = &sids[5];
	struct fake_sid *s_again = &sids[6], *s_prefix = &sids[7];
	int i_cg = pol_index(pol, &rules[0]), i_both = pol_index(pol, &rules[1]);

	KUNIT_ASSERT_NOT_NULL(test, sids);
	KUNIT_ASSERT_GE(test, i_cg, 0);
	KUNIT_ASSERT_GE(test, i_both, 0);
	fake_sid_init(s_agent, 5, "/system.slice/agent", 10);
	fake_sid_init(s_child, 5, "/system.slice/agent/worker", 10);
	fake_sid_init(s_parent, 5, "/system.slice", 10);
	/* Ids are never reused: the verdict cache is keyed by them. */
	fake_sid_init(s_other, 5, "/system.slice/other", 20);
	fake_sid_init(s_nocg, 5, NULL, 0);
	fake_sid_init(s_root, 0, "/system.slice/other", 30);
	/* The service restarted: its cgroup made again, with new ids. */
	fake_sid_init(s_again, 5, "/system.slice/agent", 300);
	fake_sid_init(s_prefix, 5, "/system.slice/agent2", 400);

	/* The cgroup and its descendants, both directions (dir both). */
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_agent->sid, i_cg);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_child->sid, i_cg);
	EXPECT_SID(pol, in_syn, P_IN, CT_NONE, &s_child->sid, i_cg);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_again->sid, i_cg);
	/* Not its parent, not a sibling, not a socket without cgroup. */
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_parent->sid, DROP);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_other->sid, DROP);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_prefix->sid, DROP);
	EXPECT_SID(pol, in_syn, P_IN, CT_NONE, &s_other->sid, DROP);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_nocg->sid, DROP);
	EXPECT_SID(pol, syn, P_FWD, CT_NONE, &s_agent->sid, DROP);
	/* uid and cgroup together: both must hold (and the rule's proto). */
	EXPECT_SID(pol, udp, P_OUT, CT_NONE, &s_root->sid, i_both);
	EXPECT_SID(pol, syn, P_OUT, CT_NONE, &s_root->sid, DROP);
	EXPECT_SID(pol, udp, P_OUT, CT_NONE, &s_other->sid, DROP);
	s_root->sid.cgroup_valid = false;
	EXPECT_SID(pol, udp, P_OUT, CT_NONE, &s_root->sid, DROP);
	netfence_policy_free(pol);
}

/* A cgroup namespace: the same names below another root do not match. */
static void identity_match_cgroup_ns_test(struct kunit *test)
{
	struct netfence_rule rules[] = {
		/* Given on the host: anchored at the root (id 1, level 0). */
		rule_cg(rule_any(IPPROTO_TCP, 0, 65535, OUT), "/agent.slice/agent.service", 1, 0),
		/* Given inside the container's cgroup namespace, rooted at /ctr (id 50). */
		rule_cg(rule_any(IPPROTO_UDP, 0, 65535, OUT), "/agent.slice/agent.service", 50, 1),
	};
	struct netfence_policy *pol = mkpol(test, rules, ARRAY_SIZE(rules), 0);
	struct netfence_flow tcp = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 443, NETFENCE_FLOW_SYN);
	struct netfence_flow udp = flow4(IPPROTO_UDP, A_L4, 40000, A_R4, 53, 0);
	struct fake_sid *sids = kunit_kcalloc(test, 3, sizeof(*sids), GFP_KERNEL);
	struct fake_sid *s_host = &sids[0], *s_ctr = &sids[1], *s_other_ctr = &sids[2];
	int i_host = pol_index(pol, &rules[0]), i_ctr = pol_index(pol, &rules[1]);

	KUNIT_ASSERT_NOT_NULL(test, sids);
	fake_sid_init(s_host, 0, "/agent.slice/agent.service", 10);
	/* /ctr/agent.slice/agent.service, /ctr has id 50. */
	fake_sid_init(s_ctr, 0, "/ctr/agent.slice/agent.service", 50);
	/* Another container, /ctr2 (id 60), same names below it. */
	fake_sid_init(s_other_ctr, 0, "/ctr2/agent.slice/agent.service", 60);

	EXPECT_SID(pol, tcp, P_OUT, CT_NONE, &s_host->sid, i_host);
	EXPECT_SID(pol, udp, P_OUT, CT_NONE, &s_host->sid, DROP);
	/* The container's cgroup does not inherit the host's rule... */
	EXPECT_SID(pol, tcp, P_OUT, CT_NONE, &s_ctr->sid, DROP);
	/* ...but matches the rule given in its own namespace. */
	EXPECT_SID(pol, udp, P_OUT, CT_NONE, &s_ctr->sid, i_ctr);
	EXPECT_SID(pol, tcp, P_OUT, CT_NONE, &s_other_ctr->sid, DROP);
	EXPECT_SID(pol, udp, P_OUT, CT_NONE, &s_other_ctr->sid, DROP);
	netfence_policy_free(pol);
}

static void cgpath_normalize_test(struct kunit *test)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "/", "/" }, { "//", "/" }, { "a", "/a" }, { "/a/", "/a" },
		{ "//a//b///", "/a/b" }, { "/agent.slice/agent.service", "/agent.slice/agent.service" },
		{ "/a/.b/..c/...", "/a/.b/..c/..." },
	};
	static const char *const bad[] = { "", "/.", "/a/..", "./a", "/a/./b" };
	struct netlink_ext_ack ext = {};
	char *name = kunit_kzalloc(test, 300, GFP_KERNEL);
	char out[300];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, name);
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		KUNIT_EXPECT_EQ(test, netfence_cgpath_normalize(ok[i].in, out, sizeof(out), &ext), 0);
		KUNIT_EXPECT_STREQ(test, out, ok[i].out);
		KUNIT_EXPECT_TRUE(test, netfence_cgpath_canonical(out));
		KUNIT_EXPECT_EQ(test, netfence_cgpath_canonical(ok[i].in),
				!strcmp(ok[i].in, ok[i].out));
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, netfence_cgpath_normalize(bad[i], out, sizeof(out), &ext),
				    -EINVAL, "%s", bad[i]);
		KUNIT_EXPECT_FALSE(test, netfence_cgpath_canonical(bad[i]));
	}
	/* Components of 255 bytes at most (a kernfs name). */
	name[0] = '/';
	memset(name + 1, 'x', 255);
	KUNIT_EXPECT_EQ(test, netfence_cgpath_normalize(name, out, sizeof(out), &ext), 0);
	KUNIT_EXPECT_TRUE(test, netfence_cgpath_canonical(name));
	name[256] = 'x';
	KUNIT_EXPECT_EQ(test, netfence_cgpath_normalize(name, out, sizeof(out), &ext), -EINVAL);
	KUNIT_EXPECT_STREQ(test, ext._msg, "cgroup path component longer than 255 bytes");
	KUNIT_EXPECT_FALSE(test, netfence_cgpath_canonical(name));
	/* The output buffer is too small: refused, never overrun. */
	KUNIT_EXPECT_EQ(test, netfence_cgpath_normalize("/abc", out, 4, &ext), -EINVAL);
	KUNIT_EXPECT_EQ(test, netfence_cgpath_normalize("abc", out, 5, &ext), 0);
	KUNIT_EXPECT_STREQ(test, out, "/abc");

	KUNIT_EXPECT_EQ(test, netfence_cgpath_depth("/"), 0);
	KUNIT_EXPECT_EQ(test, netfence_cgpath_depth("/a"), 1);
	KUNIT_EXPECT_EQ(test, netfence_cgpath_depth("/a/b/c"), 3);
}

/* The verdict cache: keyed by the cgroup id, one computation per id. */
static void cgpath_cache_test(struct kunit *test)
{
	struct netfence_cgset set = {};
	struct fake_sid *f = kunit_kcalloc(test, 40, sizeof(*f), GFP_KERNEL);
	unsigned int i, calls[2];
	u64 m[5];

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_EQ(test, netfence_cgset_slot(&set, "/a", 1, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, netfence_cgset_slot(&set, "/a/b", 1, 0, NULL), 1);
	KUNIT_EXPECT_EQ(test, netfence_cgset_slot(&set, "/a", 7, 1, NULL), 2);
	KUNIT_EXPECT_EQ(test, netfence_cgset_slot(&set, "/a", 1, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, netfence_cgset_seal(&set), 0);

	fake_sid_init(&f[0], 0, "/a/b/c", 100);
	fake_sid_init(&f[1], 0, "/a", 200);
	for (i = 2; i < 40; i++)
		fake_sid_init(&f[i], 0, "/x/y", 1000 + 10 * i);
	/*
	 * Same CPU throughout, so that the second lookup sees the first (the
	 * results are checked after, outside the atomic section).
	 */
	preempt_disable();
	m[0] = netfence_cgset_mask(&set, &f[0].sid);
	calls[0] = f[0].name_calls;
	/* Cached: the names are not read again. */
	m[1] = netfence_cgset_mask(&set, &f[0].sid);
	calls[1] = f[0].name_calls;
	m[2] = netfence_cgset_mask(&set, &f[1].sid);
	/* Many other cgroups push the first out: computed again, same verdict. */
	m[3] = 0;
	for (i = 2; i < 40; i++)
		m[3] |= netfence_cgset_mask(&set, &f[i].sid);
	m[4] = netfence_cgset_mask(&set, &f[0].sid);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, m[0], BIT_ULL(0) | BIT_ULL(1));
	KUNIT_EXPECT_GT(test, calls[0], 0);
	KUNIT_EXPECT_EQ(test, m[1], m[0]);
	KUNIT_EXPECT_EQ(test, calls[1], calls[0]);
	KUNIT_EXPECT_EQ(test, m[2], BIT_ULL(0));
	KUNIT_EXPECT_EQ(test, m[3], 0);
	KUNIT_EXPECT_EQ(test, m[4], m[0]);
	netfence_cgset_free(&set);
}

/* At most 64 distinct cgroup paths per policy: the commit says so. */
static void cgpath_limit_test(struct kunit *test)
{
	struct netfence_builder *b = netfence_builder_alloc();
	struct netlink_ext_ack ext = {};
	struct netfence_policy *pol;
	struct netfence_rule r;
	char path[16];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/s%u", i);
		r = rule_cg(rule_any(0, 0, 65535, OUT), path, 1, 0);
		KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
		/* The same path with a uid as well: no new path. */
		r = rule_uid(r, i, i);
		KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	}
	pol = netfence_policy_build(b, 0, &ext);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(pol));
	netfence_policy_free(pol);
	r = rule_cg(rule_any(0, 0, 65535, OUT), "/one-more", 1, 0);
	KUNIT_ASSERT_EQ(test, netfence_builder_add(b, &r, NULL), 0);
	pol = netfence_policy_build(b, 0, &ext);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pol), -E2BIG);
	KUNIT_EXPECT_STREQ(test, ext._msg,
			   "too many cgroup paths: a policy names at most 64 distinct cgroup paths");
	netfence_builder_free(b);
}

static struct netfence_rule *identity_fields_rules(struct kunit *test)
{
	struct netfence_rule *r = kunit_kmalloc_array(test, 3, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r[0] = rule_cg(rule4(A_R4, 32, IPPROTO_TCP, 443, 443, OUT), "/agent", 1, 0);
	r[1] = rule_cg(rule6(a6(0x2001, 0xdb8, 0xbeef, 0, 0, 0, 0, 0), 48, IPPROTO_TCP,
			     8080, 8080, IN), "/agent", 1, 0);
	r[2] = rule4(A_X4, 32, 0, 0, 65535, OUT);
	return r;
}

static void identity_match_fields_test(struct kunit *test)
{
	struct netfence_rule *rules = identity_fields_rules(test);
	struct netfence_policy *pol = mkpol(test, rules, 3, 0);
	struct netfence_flow ok = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 443, NETFENCE_FLOW_SYN);
	struct netfence_flow ok_reply = flow4(IPPROTO_TCP, A_R4, 443, A_L4, 40000, 0);
	struct netfence_flow port80 = flow4(IPPROTO_TCP, A_L4, 40000, A_R4, 80, 0);
	struct netfence_flow udp443 = flow4(IPPROTO_UDP, A_L4, 40000, A_R4, 443, 0);
	struct netfence_flow host_x = flow4(IPPROTO_TCP, A_L4, 40000, A_X4, 443, 0);
	struct netfence_flow host_y = flow4(IPPROTO_TCP, A_L4, 40000, a4(198, 51, 100, 8),
					    443, 0);
	struct netfence_flow v6_in = flow6(IPPROTO_TCP, A_R6, 50000, A_L6, 8080,
					   NETFENCE_FLOW_SYN);
	struct netfence_flow v6_in_far = flow6(IPPROTO_TCP, A_X6, 50000, A_L6, 8080,
					       NETFENCE_FLOW_SYN);
	struct netfence_flow v6_out = flow6(IPPROTO_TCP, A_L6, 8080, A_R6, 50000, 0);
	struct fake_sid *s_agent = kunit_kcalloc(test, 2, sizeof(*s_agent), GFP_KERNEL);
	struct fake_sid *s_other = s_agent + 1;
	int i4 = pol_index(pol, &rules[0]), i6 = pol_index(pol, &rules[1]);
	int ix = pol_index(pol, &rules[2]);

	KUNIT_ASSERT_NOT_NULL(test, s_agent);
	fake_sid_init(s_agent, 1000, "/agent", 42);
	fake_sid_init(s_other, 1000, "/other", 43);
	KUNIT_EXPECT_EQ(test, ix, 0);

	EXPECT_SID(pol, ok, P_OUT, CT_NONE, &s_agent->sid, i4);
	EXPECT_SID(pol, ok_reply, P_IN, CT_REPLY, &s_agent->sid, i4);
	EXPECT_SID(pol, port80, P_OUT, CT_NONE, &s_agent->sid, DROP);
	EXPECT_SID(pol, udp443, P_OUT, CT_NONE, &s_agent->sid, DROP);
	EXPECT_SID(pol, host_y, P_OUT, CT_NONE, &s_agent->sid, DROP);
	/* The remote never becomes allowed for another socket. */
	EXPECT_SID(pol, ok, P_OUT, CT_NONE, &s_other->sid, DROP);
	EXPECT_SID(pol, ok_reply, P_IN, CT_REPLY, &s_other->sid, DROP);
	EXPECT_SID(pol, ok, P_OUT, CT_NONE, NULL, DROP);
	/* An address rule still decides for everyone. */
	EXPECT_SID(pol, host_x, P_OUT, CT_NONE, &s_other->sid, ix);
	EXPECT_SID(pol, host_x, P_OUT, CT_NONE, NULL, ix);
	/* dir in, prefix /48, local port 8080: connections to the agent. */
	EXPECT_SID(pol, v6_in, P_IN, CT_NONE, &s_agent->sid, i6);
	EXPECT_SID(pol, v6_out, P_OUT, CT_REPLY, &s_agent->sid, i6);
	EXPECT_SID(pol, v6_in_far, P_IN, CT_NONE, &s_agent->sid, DROP);
	EXPECT_SID(pol, v6_in, P_IN, CT_NONE, &s_other->sid, DROP);
	/* IPv4 rule, IPv6 packet (and the other way round): no match. */
	v6_in.family = AF_INET;
	EXPECT_SID(pol, v6_in, P_IN, CT_NONE, &s_agent->sid, DROP);
	netfence_policy_free(pol);
}

static struct kunit_case identity_cases[] = {
	KUNIT_CASE(identity_validate_test),
	KUNIT_CASE(identity_cmp_test),
	KUNIT_CASE(identity_policy_test),
	KUNIT_CASE(identity_match_uid_test),
	KUNIT_CASE(identity_match_cgroup_test),
	KUNIT_CASE(identity_match_cgroup_ns_test),
	KUNIT_CASE(cgpath_normalize_test),
	KUNIT_CASE(cgpath_cache_test),
	KUNIT_CASE(cgpath_limit_test),
	KUNIT_CASE(identity_match_fields_test),
	{}
};

static struct kunit_suite identity_suite = {
	.name = "netfence_identity",
	.test_cases = identity_cases,
};

kunit_test_suites(&rule_suite, &parse_suite, &match_suite, &policy_suite, &trie_suite,
		  &identity_suite);

MODULE_DESCRIPTION("netfence: KUnit tests of the pure logic");
MODULE_LICENSE("GPL");
