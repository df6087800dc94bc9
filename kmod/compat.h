/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: differences between the kernels netfence builds for.
 *
 * The code is written for Linux 6.1 and uses no interface removed since.
 * What differs is detected by feature, never by version number (distros
 * backport): a macro tested here, or a NETFENCE_HAVE_* flag that Kbuild
 * sets after looking into the kernel's headers.
 */
#ifndef _NETFENCE_COMPAT_H
#define _NETFENCE_COMPAT_H

#include <linux/kernfs.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/netlink.h>

/*
 * genl_family.resv_start_op: operations from this command on are validated
 * strictly, reserved header fields included. Kernels without the field
 * validate every genl_ops strictly unless told otherwise.
 */
#ifdef NETFENCE_HAVE_GENL_RESV_START_OP
#define NETFENCE_GENL_RESV_START_OP(first_op)	.resv_start_op = (first_op),
#else
#define NETFENCE_GENL_RESV_START_OP(first_op)
#endif

/*
 * Binding to a multicast group may require CAP_NET_ADMIN. Where it cannot
 * (before 6.7, unless backported), any local user could listen: drop
 * events, which name the addresses of dropped traffic, are then not sent.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define NETFENCE_GENL_MCGRP(_name) \
	{ .name = (_name), .flags = GENL_MCAST_CAP_NET_ADMIN, }
#define NETFENCE_HAVE_MCAST_PERM	1
#else
#define NETFENCE_GENL_MCGRP(_name)	{ .name = (_name), }
#define NETFENCE_HAVE_MCAST_PERM	0
#endif

/* Reporting a missing attribute by its type (the caller adds a message). */
#ifndef NL_REQ_ATTR_CHECK
#define NL_REQ_ATTR_CHECK(extack, nest, tb, type)	(!(tb)[(type)])
#endif

#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	struct genl_info *__info = (info);				\
									\
	NL_REQ_ATTR_CHECK(__info->extack, NULL, __info->attrs, (attr));	\
})
#endif

/* nla_strscpy() was nla_strlcpy() before 5.11 (its result is unused here). */
#ifndef NETFENCE_HAVE_NLA_STRSCPY
#define nla_strscpy(dst, nla, dstsize)	nla_strlcpy((dst), (nla), (dstsize))
#endif

/*
 * The netdev egress hook (5.16). Where the kernel lacks it, so does
 * CONFIG_NETFILTER_EGRESS: the link-layer stage is never started and
 * status does not report NETFENCE_FEAT_LINK. The hook number only has to
 * compile; an out-of-range one would be refused if it were ever used.
 */
#ifndef NETFENCE_HAVE_NF_NETDEV_EGRESS
#define NF_NETDEV_EGRESS	NF_NETDEV_NUMHOOKS
#endif

/*
 * Before 5.13 defragmentation, once enabled in a namespace, stays on until
 * the namespace goes: there is nothing to disable.
 */
#ifndef NETFENCE_HAVE_NF_DEFRAG_DISABLE
#define nf_defrag_ipv4_disable(net)	((void)(net))
#define nf_defrag_ipv6_disable(net)	((void)(net))
#endif

/*
 * nf_send_reset() and nf_send_reset6() take the socket of the packet
 * they answer since 5.11 (5.10.198 on 5.10).
 */
#ifdef NETFENCE_HAVE_NF_SEND_RESET_SK
#define netfence_send_reset(net, sk, skb, hook)	nf_send_reset((net), (sk), (skb), (hook))
#else
#define netfence_send_reset(net, sk, skb, hook)	nf_send_reset((net), (skb), (hook))
#endif
#ifdef NETFENCE_HAVE_NF_SEND_RESET6_SK
#define netfence_send_reset6(net, sk, skb, hook) nf_send_reset6((net), (sk), (skb), (hook))
#else
#define netfence_send_reset6(net, sk, skb, hook) nf_send_reset6((net), (skb), (hook))
#endif

/* Newer kernels name the per-CPU system workqueue for what it is. */
#ifndef NETFENCE_HAVE_SYSTEM_PERCPU_WQ
#define system_percpu_wq	system_wq
#endif

#ifndef rcu_replace_pointer
#define rcu_replace_pointer(rcu_ptr, ptr, c)				\
({									\
	typeof(ptr) __tmp = rcu_dereference_protected((rcu_ptr), (c));	\
	rcu_assign_pointer((rcu_ptr), (ptr));				\
	__tmp;								\
})
#endif

/*
 * The name of a kernfs node (a cgroup's directory), in an RCU read-side
 * section. Newer kernels make kernfs_node.name an RCU pointer (renames
 * replace it); before, it was a plain pointer. Cgroup v2 directories are
 * never renamed, so either way the name read is the one the node has.
 */
static inline const char *netfence_kn_name(const struct kernfs_node *kn)
{
#ifdef NETFENCE_HAVE_KERNFS_RCU_NAME
	return rcu_dereference(kn->name);
#else
	return kn->name;
#endif
}

#endif /* _NETFENCE_COMPAT_H */
