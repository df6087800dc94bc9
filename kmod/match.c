// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: verdict for a classified packet. Lock-free and allocation-free:
 * it only reads the immutable policy.
 */
#include <linux/bits.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "match.h"
#include "policy_priv.h"

/* The packet's local socket and which cgroup paths it is in. */
struct match_id {
	const struct netfence_sockid *sid;	/* NULL: no identity rule */
	u64 cg_mask;				/* netfence_cgset_mask() */
};

/*
 * One side of a lookup: the remote address of the packet, the rule
 * direction that makes the packet an initiator here (its range is checked
 * against dport), and whether a reply match (the other direction, range
 * checked against sport) is acceptable.
 */
struct match_side {
	const struct netfence_tuple *t;
	const union nf_inet_addr *remote;
	u8 family;
	u8 flags;		/* NETFENCE_FLOW_* of t */
	u8 init_dir;		/* NETFENCE_DIR_OUT or NETFENCE_DIR_IN */
	bool reply_ok;
	const struct match_id *id;	/* NULL: no identity rule */
	bool id_only;		/* address rules already failed: skip them */
};

static inline bool port_in(const struct netfence_rule_fields *f, u16 port)
{
	return port >= f->port_min && port <= f->port_max;
}

static bool rule_allows(const struct netfence_rule_fields *f,
			const struct match_side *s)
{
	u8 reply_dir = s->init_dir ^ NETFENCE_DIR_BOTH;

	if (f->proto) {
		if (f->proto != s->t->proto)
			return false;
	} else if (f->has_ports && s->t->proto != IPPROTO_TCP &&
		   s->t->proto != IPPROTO_UDP) {
		return false;
	}
	if (!f->has_ports)
		return (f->dir & s->init_dir) || (s->reply_ok && (f->dir & reply_dir));
	/* Non-first fragments and ICMP have no ports: only port-less rules. */
	if (!(s->flags & NETFENCE_FLOW_PORTS))
		return false;
	if ((f->dir & s->init_dir) && port_in(f, s->t->dport))
		return true;
	return s->reply_ok && (f->dir & reply_dir) && port_in(f, s->t->sport);
}

/* True when the first len bits of a and b (network order) are equal. */
static bool prefix_equal(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !bits || !((a[bytes] ^ b[bytes]) & (0xff << (8 - bits)));
}

static bool identity_allows(const struct netfence_id_rule *ir,
			    const struct match_id *id)
{
	const struct netfence_sockid *sid = id->sid;

	if (ir->id_flags & NETFENCE_RULE_ID_UID) {
		if (!sid->uid_valid || sid->uid < ir->uid_min || sid->uid > ir->uid_max)
			return false;
	}
	if (ir->id_flags & NETFENCE_RULE_ID_CGROUP) {
		/* The socket's cgroup is at the rule's path or below it. */
		if (!(id->cg_mask & BIT_ULL(ir->cg_slot)))
			return false;
	}
	return true;
}

/*
 * Identity rules, in order: family (AF_UNSPEC = both), remote prefix, the
 * fields of an address rule, then the socket's identity.
 */
static int match_identity(const struct netfence_policy *pol,
			  const struct match_side *s)
{
	u32 i;

	for (i = 0; i < pol->n_id; i++) {
		const struct netfence_id_rule *ir = &pol->id_rules[i];
		u32 idx = pol->base_id + i;

		if (ir->family != AF_UNSPEC &&
		    (ir->family != s->family ||
		     !prefix_equal((const u8 *)&ir->addr, (const u8 *)s->remote,
				   pol->fields[idx].prefixlen)))
			continue;
		if (rule_allows(&pol->fields[idx], s) && identity_allows(ir, s->id))
			return idx;
	}
	return NETFENCE_MATCH_DROP;
}

static int match_rules(const struct netfence_policy *pol,
		       const struct match_side *s)
{
	const struct netfence_trie *trie;
	const u8 *key;
	u32 base, g, i, end;

	if (s->id_only)
		return match_identity(pol, s);
	if (s->family == AF_INET) {
		trie = &pol->trie4;
		base = pol->base4;
		key = (const u8 *)&s->remote->ip;
	} else {
		trie = &pol->trie6;
		base = pol->base6;
		key = (const u8 *)&s->remote->in6;
	}
	/* Longest prefix first, then its shorter prefixes. */
	for (g = netfence_trie_lookup(trie, key); g; g = netfence_trie_parent(trie, g)) {
		netfence_trie_rules(trie, g, &i, &end);
		for (; i < end; i++)
			if (rule_allows(&pol->fields[base + i], s))
				return base + i;
	}
	/* Address-less rules: prefix length 0 in both families. */
	for (i = 0; i < pol->n_unspec; i++)
		if (rule_allows(&pol->fields[i], s))
			return i;
	if (s->id)
		return match_identity(pol, s);
	return NETFENCE_MATCH_DROP;
}

static int match_path(const struct netfence_policy *pol, u8 family,
		      const struct netfence_tuple *t, u8 flags,
		      enum netfence_path path, bool reply_ok,
		      const struct match_id *id, bool id_only)
{
	struct match_side s = {
		.t = t,
		.family = family,
		.flags = flags,
		.reply_ok = reply_ok,
		/* Forwarded packets have no local socket. */
		.id = path == NETFENCE_PATH_FWD || !pol->n_id ? NULL : id,
		.id_only = id_only,
	};
	int ret;

	if (id_only && !s.id)
		return NETFENCE_MATCH_DROP;

	if (path == NETFENCE_PATH_IN) {
		s.remote = &t->saddr;
		s.init_dir = NETFENCE_DIR_IN;
		return match_rules(pol, &s);
	}
	/* PATH_OUT, and the first half of PATH_FWD. */
	s.remote = &t->daddr;
	s.init_dir = NETFENCE_DIR_OUT;
	ret = match_rules(pol, &s);
	if (ret >= 0 || path != NETFENCE_PATH_FWD)
		return ret;
	s.remote = &t->saddr;
	s.init_dir = NETFENCE_DIR_IN;
	return match_rules(pol, &s);
}

static bool addr_equal(u8 family, const union nf_inet_addr *a,
		       const union nf_inet_addr *b)
{
	if (family == AF_INET)
		return a->ip == b->ip;
	return ipv6_addr_equal(&a->in6, &b->in6);
}

static bool ipv6_is_link_local(const union nf_inet_addr *a)
{
	return (a->in6.s6_addr[0] == 0xfe) && ((a->in6.s6_addr[1] & 0xc0) == 0x80);
}

/*
 * Neighbour discovery (RFC 4861) and MLD (RFC 2710, 3810) are link-local
 * by definition: a hop limit of 255 (ND) or 1 (MLD) that no router can have
 * left, never forwarded, and the senders the protocol allows. What fails
 * these checks is not ND or MLD and gets no exemption.
 */
static bool nd_allows(const struct netfence_flow *flow, enum netfence_path path)
{
	const union nf_inet_addr *s = &flow->t.saddr, *d = &flow->t.daddr;

	if (path == NETFENCE_PATH_FWD || flow->t.proto != IPPROTO_ICMPV6 ||
	    (flow->flags & (NETFENCE_FLOW_FRAG | NETFENCE_FLOW_ROUTED)))
		return false;
	switch (flow->icmp_type) {
	case NDISC_ROUTER_ADVERTISEMENT:
	case NDISC_REDIRECT:
		/* Only a router on the link sends these, from its link-local address. */
		if (!ipv6_is_link_local(s))
			return false;
		fallthrough;
	case NDISC_ROUTER_SOLICITATION:
	case NDISC_NEIGHBOUR_SOLICITATION:
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		return flow->hop_limit == 255;
	case ICMPV6_MGM_QUERY:
	case ICMPV6_MGM_REPORT:
	case ICMPV6_MGM_REDUCTION:
	case ICMPV6_MLD2_REPORT:
		return flow->hop_limit == 1 &&
		       (ipv6_is_link_local(s) || ipv6_addr_any(&s->in6)) &&
		       (ipv6_is_link_local(d) ||
			(ipv6_addr_is_multicast(&d->in6) &&
			 IPV6_ADDR_MC_SCOPE(&d->in6) == IPV6_ADDR_SCOPE_LINKLOCAL));
	}
	return false;
}

/*
 * An ICMP error is addressed to the source of the packet it quotes: inbound
 * that is us, outbound and forwarded the peer. Any router on the path may
 * send it, so the outer source is free. Where conntrack runs, the error
 * must be related to a connection it tracks.
 */
static bool icmp_err_allows(const struct netfence_policy *pol,
			    const struct netfence_flow *flow,
			    enum netfence_path path, enum netfence_ct ct,
			    const struct match_id *id, bool id_only)
{
	enum netfence_path inner_path;

	if (!(flow->flags & NETFENCE_FLOW_ICMP_ERR) ||
	    (ct != NETFENCE_CT_NONE && ct != NETFENCE_CT_RELATED) ||
	    !addr_equal(flow->family, &flow->t.daddr, &flow->inner.saddr))
		return false;
	/*
	 * An inbound error quotes one of our outbound packets and the other
	 * way round. The quoted packet was allowed already, so its SYN/query
	 * state does not matter.
	 */
	if (path == NETFENCE_PATH_IN)
		inner_path = NETFENCE_PATH_OUT;
	else if (path == NETFENCE_PATH_OUT)
		inner_path = NETFENCE_PATH_IN;
	else
		inner_path = NETFENCE_PATH_FWD;
	return match_path(pol, flow->family, &flow->inner, flow->inner_flags,
			  inner_path, true, id, id_only) >= 0;
}

static bool builtin_allows(const struct netfence_policy *pol,
			   const struct netfence_flow *flow,
			   enum netfence_path path, enum netfence_ct ct,
			   const struct match_id *id, bool id_only)
{
	u32 pf = pol->flags;

	/*
	 * Neighbour discovery does not depend on the socket: already refused
	 * without it. DHCP is not decided here: it needs the payload and the
	 * namespace's exchanges (dhcp.c, asked by the hook).
	 */
	if (!id_only && flow->family == AF_INET6 && (pf & NETFENCE_POLICY_F_ND) &&
	    nd_allows(flow, path))
		return true;
	return (pf & NETFENCE_POLICY_F_ICMP_ERR) &&
	       icmp_err_allows(pol, flow, path, ct, id, id_only);
}

static int match(const struct netfence_policy *pol,
		 const struct netfence_flow *flow,
		 enum netfence_path path, enum netfence_ct ct,
		 const struct netfence_sockid *sid, bool id_only)
{
	struct match_id id = { .sid = sid };
	const struct match_id *idp = sid ? &id : NULL;
	bool reply_ok;
	int ret;

	/* Once per packet: which cgroup paths hold the socket (cached). */
	if (sid && path != NETFENCE_PATH_FWD && pol->cg.n)
		id.cg_mask = netfence_cgset_mask(&pol->cg, sid);

	/*
	 * Only an initiator may open: no SYN, no query. Where conntrack runs,
	 * a reply must belong to a connection it knew before this packet.
	 */
	reply_ok = !(flow->flags & (NETFENCE_FLOW_SYN | NETFENCE_FLOW_ICMP_REQ)) &&
		   (ct == NETFENCE_CT_NONE || ct == NETFENCE_CT_ESTABLISHED ||
		    ct == NETFENCE_CT_RELATED);
	ret = match_path(pol, flow->family, &flow->t, flow->flags, path, reply_ok,
			 idp, id_only);
	if (ret >= 0)
		return ret;
	return builtin_allows(pol, flow, path, ct, idp, id_only) ? NETFENCE_MATCH_BUILTIN :
							       NETFENCE_MATCH_DROP;
}

int netfence_match(const struct netfence_policy *pol,
		   const struct netfence_flow *flow,
		   enum netfence_path path, enum netfence_ct ct,
		   const struct netfence_sockid *sid)
{
	return match(pol, flow, path, ct, sid, false);
}

int netfence_match_identity(const struct netfence_policy *pol,
			    const struct netfence_flow *flow,
			    enum netfence_path path, enum netfence_ct ct,
			    const struct netfence_sockid *sid)
{
	return match(pol, flow, path, ct, sid, true);
}
