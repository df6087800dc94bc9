// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the local socket of a packet and its identity.
 *
 * LOCAL_OUT: the socket attached to the skb. A request socket (SYN-ACK of
 * a TCP handshake) stands for its listener (sk_to_full_sk). A time-wait
 * socket has no owner: its packets carry no identity. The kernel sends the
 * ACK and RST of TIME_WAIT and of closed ports from a per-netns control
 * socket (a kernel socket) or with no socket at all: kernel sockets never
 * carry an identity either, so such packets match no identity rule.
 *
 * LOCAL_IN: the socket early demux attached to the skb, else (when the
 * kernel has nf_socket_ipv4/ipv6) the socket the packet will be delivered
 * to, looked up as the xt_socket match does. Without the lookup, inbound
 * packets that early demux did not attribute never match identity rules.
 *
 * uid: the socket's owner (sk_uid, the file system uid of its creator),
 * in the user namespace that owns the socket's network namespace; a uid
 * not mapped there matches no uid rule. cgroup: the socket's cgroup v2
 * (set when the socket was created); its ancestors' ids and names are
 * compared with the rule's anchor and path (cgpath.c).
 */
#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/uidgid.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#if IS_ENABLED(CONFIG_NF_SOCKET_IPV4) || IS_ENABLED(CONFIG_NF_SOCKET_IPV6)
#include <net/netfilter/nf_socket.h>
#endif

#include "compat.h"
#include "sockid.h"

#ifdef CONFIG_SOCK_CGROUP_DATA
static u64 netfence_cgroup_at(const struct netfence_sockid *sid, u32 level)
{
	struct cgroup *cg = cgroup_ancestor(sid->cgroup, level);

	return cg ? cgroup_id(cg) : 0;
}

static const char *netfence_cgroup_name_at(const struct netfence_sockid *sid, u32 level)
{
	struct cgroup *cg = cgroup_ancestor(sid->cgroup, level);

	return cg && cg->kn ? netfence_kn_name(cg->kn) : NULL;
}
#endif

/* Looks up the receiving socket; the reference goes to sid->ref. */
static struct sock *netfence_sk_lookup(struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	switch (state->pf) {
#if IS_ENABLED(CONFIG_NF_SOCKET_IPV4)
	case NFPROTO_IPV4:
		return nf_sk_lookup_slow_v4(state->net, skb, state->in);
#endif
#if IS_ENABLED(CONFIG_NF_SOCKET_IPV6)
	case NFPROTO_IPV6:
		return nf_sk_lookup_slow_v6(state->net, skb, state->in);
#endif
	default:
		return NULL;
	}
}

const struct netfence_sockid *netfence_sockid_get(struct netfence_sockid *sid,
						  struct sk_buff *skb,
						  const struct nf_hook_state *state,
						  enum netfence_path path)
{
	struct sock *sk = NULL;
	kuid_t kuid;

	memset(sid, 0, sizeof(*sid));
	if (path == NETFENCE_PATH_OUT) {
		sk = skb->sk;
	} else if (path == NETFENCE_PATH_IN) {
		sk = skb->sk;
		if (!sk) {
			sk = netfence_sk_lookup(skb, state);
			sid->ref = sk;
		}
	}
	sk = sk_to_full_sk(sk);
	if (!sk || !sk_fullsock(sk) || sk->sk_kern_sock ||
	    !net_eq(sock_net(sk), state->net)) {
		netfence_sockid_put(sid);
		return NULL;
	}

	kuid = sk->sk_uid;
	sid->uid = from_kuid(sock_net(sk)->user_ns, kuid);
	sid->uid_valid = uid_valid(kuid) && sid->uid != (u32)-1;
#ifdef CONFIG_SOCK_CGROUP_DATA
	sid->cgroup = sock_cgroup_ptr(&sk->sk_cgrp_data);
	if (sid->cgroup) {
		sid->cgroup_level = ((struct cgroup *)sid->cgroup)->level;
		sid->cgroup_at = netfence_cgroup_at;
		sid->cgroup_name_at = netfence_cgroup_name_at;
		sid->cgroup_valid = true;
	}
#endif
	return sid;
}

void netfence_sockid_put(struct netfence_sockid *sid)
{
	if (sid->ref) {
		sock_gen_put(sid->ref);
		sid->ref = NULL;
	}
}

/*
 * True when the kernel's TCP stack holds a connection for this segment:
 * LOCAL_OUT, the sending socket; LOCAL_IN, the socket it is delivered to.
 * Only a TCP socket that completed a handshake qualifies; a raw socket
 * (CAP_NET_RAW) forging segments, a listener or a connect() in progress
 * does not.
 */
static bool netfence_tcp_connected(struct sk_buff *skb,
				   const struct nf_hook_state *state,
				   enum netfence_path path)
{
	struct sock *sk = skb->sk, *ref = NULL;
	bool ok;

	if (!sk && path == NETFENCE_PATH_IN) {
		sk = netfence_sk_lookup(skb, state);
		ref = sk;
	}
	ok = sk && sk_fullsock(sk) && sk->sk_type == SOCK_STREAM &&
	     sk->sk_protocol == IPPROTO_TCP && net_eq(sock_net(sk), state->net) &&
	     ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2 | TCPF_CLOSE_WAIT |
				     TCPF_LAST_ACK | TCPF_CLOSING));
	if (ref)
		sock_gen_put(ref);
	return ok;
}

/*
 * Conntrack did not know the connection of a TCP segment that matched only
 * as a reply: one open before isolation started, picked up mid-stream (or
 * not tracked at all with nf_conntrack_tcp_loose=0). It keeps flowing when
 * the TCP stack holds it; anything else stays a forged reply.
 */
static bool netfence_tcp_pickup(const struct netfence_flow *flow,
				enum netfence_path path, enum netfence_ct ct)
{
	return (ct == NETFENCE_CT_NEW || ct == NETFENCE_CT_INVALID) &&
	       path != NETFENCE_PATH_FWD && flow->t.proto == IPPROTO_TCP &&
	       (flow->flags & NETFENCE_FLOW_PORTS) && !(flow->flags & NETFENCE_FLOW_SYN);
}

int netfence_sockid_match(const struct netfence_policy *pol,
			  const struct netfence_flow *flow,
			  enum netfence_path path, enum netfence_ct ct,
			  struct sk_buff *skb, const struct nf_hook_state *state)
{
	const struct netfence_sockid *id;
	struct netfence_sockid sid;
	int ret;

	ret = netfence_match(pol, flow, path, ct, NULL);
	if (ret == NETFENCE_MATCH_DROP && netfence_tcp_pickup(flow, path, ct) &&
	    netfence_tcp_connected(skb, state, path)) {
		ct = NETFENCE_CT_ESTABLISHED;
		ret = netfence_match(pol, flow, path, ct, NULL);
	}
	if (ret != NETFENCE_MATCH_DROP || path == NETFENCE_PATH_FWD ||
	    !netfence_policy_has_identity(pol))
		return ret;
	id = netfence_sockid_get(&sid, skb, state, path);
	if (!id)
		return ret;
	ret = netfence_match_identity(pol, flow, path, ct, id);
	netfence_sockid_put(&sid);
	return ret;
}

int netfence_sockid_cgroup_anchor(u64 *id, u32 *level,
				  struct netlink_ext_ack *extack)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	struct cgroup *cg;

	/* "/" is the root of the caller's cgroup namespace. */
	cg = cgroup_get_from_path("/");
	if (IS_ERR(cg)) {
		NL_SET_ERR_MSG(extack, "cannot find the root of the cgroup namespace");
		return -ENOENT;
	}
	*id = cgroup_id(cg);
	*level = cg->level;
	cgroup_put(cg);
	return 0;
#else
	NL_SET_ERR_MSG(extack, "this kernel has no cgroup data on sockets");
	return -EOPNOTSUPP;
#endif
}

u64 netfence_sockid_cgroup_id(u64 anchor_id, const char *path)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	struct cgroup *cg;
	u64 id = 0;

	cg = cgroup_get_from_path("/");
	if (IS_ERR(cg))
		return 0;
	if (cgroup_id(cg) == anchor_id) {
		cgroup_put(cg);
		cg = cgroup_get_from_path(path);
		if (IS_ERR(cg))
			return 0;
		id = cgroup_id(cg);
	}
	cgroup_put(cg);
	return id;
#else
	return 0;
#endif
}

u32 netfence_sockid_features(void)
{
	u32 feat = 0;

	if (IS_ENABLED(CONFIG_NF_SOCKET_IPV4))
		feat |= NETFENCE_FEAT_SOCKET4;
	if (IS_ENABLED(CONFIG_NF_SOCKET_IPV6))
		feat |= NETFENCE_FEAT_SOCKET6;
	if (IS_ENABLED(CONFIG_SOCK_CGROUP_DATA))
		feat |= NETFENCE_FEAT_CGROUP;
	return feat;
}
