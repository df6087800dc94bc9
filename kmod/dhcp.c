// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the DHCP client allowance follows the exchange itself, so that
 * ports 68/546 are not a tunnel to anywhere: only well-formed client
 * messages leave, to the broadcast/multicast address or a learned server,
 * and only replies to a request sent moments ago come in.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <uapi/linux/netfence.h>

#include "dhcp.h"

#define DHCP4_CLIENT_PORT	68
#define DHCP4_SERVER_PORT	67
#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547

/* RFC 2131: the fixed BOOTP header, then the magic cookie, then options. */
#define BOOTP_HDR_LEN		236
#define BOOTP_COOKIE		0x63825363
#define BOOTP_MIN_LEN		(BOOTP_HDR_LEN + 4)
#define BOOTP_CHADDR_LEN	16
#define BOOTREQUEST		1
#define BOOTREPLY		2
#define DHCP4_OPT_PAD		0
#define DHCP4_OPT_SERVER_ID	54
#define DHCP4_OPT_END		255

/* RFC 8415: msg-type, 3-byte transaction-id, then options. */
#define DHCP6_HDR_LEN		4
#define DHCP6_ADVERTISE		2
#define DHCP6_REPLY		7

/* What a message says about its exchange. */
struct dhcp_msg {
	u32 xid;
	bool has_server_id;
	union nf_inet_addr server_id;	/* DHCPv4 option 54 */
};

/* Bytes of UDP payload the packet really holds (<0: no sane UDP header). */
static int udp_payload_len(const struct sk_buff *skb, unsigned int l4off)
{
	struct udphdr _uh;
	const struct udphdr *uh;
	unsigned int ulen;

	uh = skb_header_pointer(skb, l4off, sizeof(_uh), &_uh);
	if (!uh)
		return -1;
	ulen = min_t(unsigned int, ntohs(uh->len), skb->len - l4off);
	if (ulen < sizeof(_uh))
		return -1;
	return ulen - sizeof(_uh);
}

static bool udp_ports_are(const struct netfence_flow *flow, u16 sport, u16 dport)
{
	return flow->t.sport == sport && flow->t.dport == dport;
}

/* Option 54 (server identifier), if the options carry one. */
static void dhcp4_server_id(const struct sk_buff *skb, unsigned int off,
			    unsigned int end, struct dhcp_msg *m)
{
	u8 _o[2];
	const u8 *o;

	/* Each step moves forward: at most one step per byte. */
	while (off < end) {
		o = skb_header_pointer(skb, off, 1, _o);
		if (!o || o[0] == DHCP4_OPT_END)
			return;
		if (o[0] == DHCP4_OPT_PAD) {
			off++;
			continue;
		}
		o = skb_header_pointer(skb, off, 2, _o);
		if (!o || off + 2 + o[1] > end)
			return;
		if (o[0] == DHCP4_OPT_SERVER_ID && o[1] == 4) {
			if (skb_copy_bits(skb, off + 2, &m->server_id.ip, 4))
				return;
			m->has_server_id = true;
			return;
		}
		off += 2 + o[1];
	}
}

/* A BOOTREQUEST (out) or BOOTREPLY (in) with the DHCP magic cookie. */
static bool dhcp4_parse(const struct sk_buff *skb, const struct netfence_flow *flow,
			enum netfence_path path, struct dhcp_msg *m)
{
	unsigned int off = flow->l4off + sizeof(struct udphdr);
	u8 _h[8];
	const u8 *h;
	__be32 _c;
	const __be32 *c;
	int len;

	if (path == NETFENCE_PATH_OUT ?
	    !udp_ports_are(flow, DHCP4_CLIENT_PORT, DHCP4_SERVER_PORT) :
	    !udp_ports_are(flow, DHCP4_SERVER_PORT, DHCP4_CLIENT_PORT))
		return false;
	len = udp_payload_len(skb, flow->l4off);
	if (len < BOOTP_MIN_LEN)
		return false;
	/* op, htype, hlen, hops, xid */
	h = skb_header_pointer(skb, off, sizeof(_h), _h);
	if (!h || h[0] != (path == NETFENCE_PATH_OUT ? BOOTREQUEST : BOOTREPLY) ||
	    !h[1] || h[2] > BOOTP_CHADDR_LEN)
		return false;
	c = skb_header_pointer(skb, off + BOOTP_HDR_LEN, sizeof(_c), &_c);
	if (!c || *c != htonl(BOOTP_COOKIE))
		return false;
	m->xid = (u32)h[4] << 24 | (u32)h[5] << 16 | (u32)h[6] << 8 | h[7];
	if (path == NETFENCE_PATH_IN)
		dhcp4_server_id(skb, off + BOOTP_MIN_LEN, off + len, m);
	return true;
}

static bool dhcp6_client_type(u8 type)
{
	switch (type) {
	case 1:		/* SOLICIT */
	case 3:		/* REQUEST */
	case 4:		/* CONFIRM */
	case 5:		/* RENEW */
	case 6:		/* REBIND */
	case 8:		/* RELEASE */
	case 9:		/* DECLINE */
	case 11:	/* INFORMATION-REQUEST */
		return true;
	}
	return false;
}

/* A client message (out), or an ADVERTISE or REPLY (in). */
static bool dhcp6_parse(const struct sk_buff *skb, const struct netfence_flow *flow,
			enum netfence_path path, struct dhcp_msg *m)
{
	u8 _h[DHCP6_HDR_LEN];
	const u8 *h;

	if (path == NETFENCE_PATH_OUT ?
	    !udp_ports_are(flow, DHCP6_CLIENT_PORT, DHCP6_SERVER_PORT) :
	    !udp_ports_are(flow, DHCP6_SERVER_PORT, DHCP6_CLIENT_PORT))
		return false;
	if (udp_payload_len(skb, flow->l4off) < DHCP6_HDR_LEN)
		return false;
	h = skb_header_pointer(skb, flow->l4off + sizeof(struct udphdr), sizeof(_h), _h);
	if (!h)
		return false;
	if (path == NETFENCE_PATH_OUT ? !dhcp6_client_type(h[0]) :
	    h[0] != DHCP6_ADVERTISE && h[0] != DHCP6_REPLY)
		return false;
	m->xid = (u32)h[1] << 16 | (u32)h[2] << 8 | h[3];
	return true;
}

static bool addr_equal(u8 family, const union nf_inet_addr *a,
		       const union nf_inet_addr *b)
{
	if (family == AF_INET)
		return a->ip == b->ip;
	return ipv6_addr_equal(&a->in6, &b->in6);
}

/* The multicast/broadcast address that reaches the link's servers and relays. */
static bool dhcp_all_servers(u8 family, const union nf_inet_addr *daddr)
{
	static const struct in6_addr all6 = {
		.s6_addr = { 0xff, 0x02, [13] = 1, [15] = 2 },	/* ff02::1:2 */
	};

	if (family == AF_INET)
		return daddr->ip == htonl(INADDR_BROADCAST);
	return ipv6_addr_equal(&daddr->in6, &all6);
}

static struct netfence_dhcp_server *
server_find(struct netfence_dhcp *d, u8 family, const union nf_inet_addr *addr)
{
	unsigned int i;

	for (i = 0; i < NETFENCE_DHCP_SERVERS; i++) {
		struct netfence_dhcp_server *s = &d->servers[i];

		if (s->family == family && addr_equal(family, &s->addr, addr))
			return s;
	}
	return NULL;
}

static void server_learn(struct netfence_dhcp *d, u8 family,
			 const union nf_inet_addr *addr, unsigned long now)
{
	struct netfence_dhcp_server *s = server_find(d, family, addr);
	unsigned int i;

	if (!s) {
		/* A free slot, else the least recently confirmed server. */
		s = &d->servers[0];
		for (i = 0; i < NETFENCE_DHCP_SERVERS && s->family != AF_UNSPEC; i++) {
			struct netfence_dhcp_server *o = &d->servers[i];

			if (o->family == AF_UNSPEC || time_before(o->stamp, s->stamp))
				s = o;
		}
		memset(&s->addr, 0, sizeof(s->addr));
		if (family == AF_INET)
			s->addr.ip = addr->ip;
		else
			s->addr.in6 = addr->in6;
		s->family = family;
	}
	s->stamp = now;
}

static bool xid_live(const struct netfence_dhcp_xid *x, unsigned long now)
{
	return x->family != AF_UNSPEC &&
	       time_before(now, x->stamp + NETFENCE_DHCP_XID_TTL);
}

static struct netfence_dhcp_xid *xid_find(struct netfence_dhcp *d, u8 family,
					  u32 xid, unsigned long now)
{
	unsigned int i;

	for (i = 0; i < NETFENCE_DHCP_XIDS; i++) {
		struct netfence_dhcp_xid *x = &d->xids[i];

		if (x->family == family && x->xid == xid && xid_live(x, now))
			return x;
	}
	return NULL;
}

static void xid_record(struct netfence_dhcp *d, u8 family, u32 xid,
		       unsigned long now)
{
	struct netfence_dhcp_xid *x = xid_find(d, family, xid, now);
	unsigned int i;

	if (!x) {
		/* A free or expired slot, else the oldest request. */
		x = &d->xids[0];
		for (i = 0; i < NETFENCE_DHCP_XIDS && xid_live(x, now); i++) {
			struct netfence_dhcp_xid *o = &d->xids[i];

			if (!xid_live(o, now) || time_before(o->stamp, x->stamp))
				x = o;
		}
		x->family = family;
		x->xid = xid;
	}
	/* A retransmission (same xid) extends its exchange. */
	x->stamp = now;
}

static bool dhcp_request(struct netfence_dhcp *d, const struct netfence_flow *flow,
			 const struct dhcp_msg *m, unsigned long now)
{
	bool ok = true;

	spin_lock_bh(&d->lock);
	if (!dhcp_all_servers(flow->family, &flow->t.daddr))
		ok = server_find(d, flow->family, &flow->t.daddr);
	if (ok)
		xid_record(d, flow->family, m->xid, now);
	spin_unlock_bh(&d->lock);
	return ok;
}

/*
 * From any source: a relay agent answers from its own address. The server
 * to renew with is the one option 54 names (DHCPv4), else the sender.
 */
static bool dhcp_reply(struct netfence_dhcp *d, const struct netfence_flow *flow,
		       const struct dhcp_msg *m, unsigned long now)
{
	const union nf_inet_addr *server;
	bool ok;

	server = m->has_server_id ? &m->server_id : &flow->t.saddr;
	spin_lock_bh(&d->lock);
	ok = xid_find(d, flow->family, m->xid, now);
	if (ok)
		server_learn(d, flow->family, server, now);
	spin_unlock_bh(&d->lock);
	return ok;
}

void netfence_dhcp_init(struct netfence_dhcp *d)
{
	spin_lock_init(&d->lock);
	netfence_dhcp_reset(d);
}

void netfence_dhcp_reset(struct netfence_dhcp *d)
{
	spin_lock_bh(&d->lock);
	memset(d->xids, 0, sizeof(d->xids));
	memset(d->servers, 0, sizeof(d->servers));
	spin_unlock_bh(&d->lock);
}

bool netfence_dhcp_allows(struct netfence_dhcp *d, u32 policy_flags,
			  const struct sk_buff *skb,
			  const struct netfence_flow *flow,
			  enum netfence_path path, unsigned long now)
{
	struct dhcp_msg m = {};
	bool ok;

	if (path == NETFENCE_PATH_FWD || flow->t.proto != IPPROTO_UDP ||
	    !(flow->flags & NETFENCE_FLOW_PORTS))
		return false;
	if (flow->family == AF_INET)
		ok = (policy_flags & NETFENCE_POLICY_F_DHCP4) &&
		     dhcp4_parse(skb, flow, path, &m);
	else
		ok = (policy_flags & NETFENCE_POLICY_F_DHCP6) &&
		     dhcp6_parse(skb, flow, path, &m);
	if (!ok)
		return false;
	if (path == NETFENCE_PATH_OUT)
		return dhcp_request(d, flow, &m, now);
	return dhcp_reply(d, flow, &m, now);
}
