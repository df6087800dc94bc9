/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: per network namespace state (policy, isolation, counters,
 * open policy transactions).
 */
#ifndef _NETFENCE_NETNS_H
#define _NETFENCE_NETNS_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>
#include <crypto/sha2.h>
#include <net/net_namespace.h>
#include <uapi/linux/netfence.h>

#include "audit.h"
#include "dhcp.h"
#include "events.h"

struct netfence_policy;
struct netfence_builder;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;

/* Counter families: 0 IPv4, 1 IPv6, 2 link-layer frames that are neither. */
#define NETFENCE_NR_FAMILIES	3
#define NETFENCE_FAMILY_LINK	2
/* LOCAL_IN, LOCAL_OUT and FORWARD of IPv4, then of IPv6. */
#define NETFENCE_NR_IP_HOOKS	6

/* Packet and byte counters of one (family, hook), as read or reset. */
struct netfence_counters {
	u64 accept_pkts;
	u64 accept_bytes;
	u64 drop_pkts;
	u64 drop_bytes;
};

/*
 * Per-CPU counters of one namespace: each CPU writes only its own copy, so
 * the packet path never writes a cache line shared with another CPU.
 */
struct netfence_pcpu_stats {
	struct {
		u64_stats_t accept_pkts;
		u64_stats_t accept_bytes;
		u64_stats_t drop_pkts;
		u64_stats_t drop_bytes;
	} c[NETFENCE_NR_FAMILIES][__NETFENCE_HOOK_MAX];
	struct u64_stats_sync syncp;
};

/* A policy transaction, owned by one netlink socket (portid). */
struct netfence_txn {
	struct list_head list;
	struct netfence_builder *builder;
	u32 portid;
	u32 policy_flags;
	u32 event_rate;		/* NETFENCE_A_EVENT_RATE, applied at commit */
	u32 n_ethertypes;	/* NETFENCE_A_ETHERTYPES, given to the new policy */
	__be16 ethertypes[NETFENCE_ETHERTYPES_MAX];
	bool del_absent;	/* NETFENCE_TXN_F_DEL_ABSENT */
};

/*
 * State of one network namespace. The packet path reads only policy and
 * stats (through the hook's private pointer) and keeps the DHCP exchanges
 * in dhcp (its own lock); everything else changes under lock, which also
 * serialises isolate, release and commit. The netlink family runs requests
 * in parallel (no genl_mutex): every request and dump of the namespace
 * takes lock, and state shared by namespaces is atomic.
 */
struct netfence_net {
	struct netfence_policy __rcu *policy;	/* NULL: empty, default flags */
	struct netfence_pcpu_stats __percpu *stats;

	struct mutex lock;
	struct net *net;
	bool isolated;
	bool pinned;				/* isolated and holds a module reference */
	u32 policy_gen;				/* bumped by every commit */
	unsigned int hooks_registered;
	bool stateful;				/* conntrack runs for us here */
	struct list_head txns;			/* struct netfence_txn */
	struct netfence_counters stats_base[NETFENCE_NR_FAMILIES][__NETFENCE_HOOK_MAX];
	struct nf_hook_ops hook_ops[NETFENCE_NR_IP_HOOKS];

	/*
	 * Link-layer stage: per-device netdev hooks (struct netfence_link_dev)
	 * while link_on. Both change under RTNL only (the device notifier
	 * holds it and never takes lock), after lock where both are taken.
	 */
	struct list_head link_devs;
	unsigned int link_ndevs;
	bool link_on;

	/*
	 * Deadline (lock-out protection): while deadline_set, the namespace
	 * releases itself at jiffies deadline; the work checks that under
	 * lock, so a work item that lost a race with renew or release does
	 * nothing. timeout is the duration last given, in seconds.
	 */
	struct delayed_work deadline_work;
	unsigned long deadline;
	u32 timeout;
	bool deadline_set;

	/* Release key: only the SHA-256 digest of the secret is kept. */
	bool key_set;
	u8 key_digest[SHA256_DIGEST_SIZE];

	/* Drop events, read by the packet path. */
	struct netfence_events events;

	struct list_head unload_node;		/* netfence_netns_unload() only */
	/* DHCP requests and learned servers, not part of the policy. */
	struct netfence_dhcp dhcp;
	/* Audit trail: the isolation (while isolated) and the latest change. */
	struct netfence_audit isolated_by;
	struct netfence_audit last_change;
};

struct netfence_net *netfence_net(const struct net *net);

int netfence_netns_init(void);
void netfence_netns_uninit(void);
/*
 * As the module unloads, before the netlink family goes: refuses further
 * isolation and releases every isolated namespace owned by a user
 * namespace other than the initial one, each with its event and a log line.
 */
void netfence_netns_unload(void);
int netfence_txn_notifier_init(void);
void netfence_txn_notifier_uninit(void);

/* Number of isolated namespaces, all of them. */
unsigned int netfence_isolated_netns(void);

/*
 * A namespace owned by a user namespace other than the initial one: any
 * user may have created it, so it gets tighter limits (uapi "Limits").
 */
static inline bool netfence_net_untrusted(const struct netfence_net *pn)
{
	return pn->net->user_ns != &init_user_ns;
}

/* Log lines about a namespace any user may own are rate-limited. */
#define netfence_net_info(pn, fmt, ...) do {				\
	if (netfence_net_untrusted(pn))					\
		pr_info_ratelimited(fmt, ##__VA_ARGS__);		\
	else								\
		pr_info(fmt, ##__VA_ARGS__);				\
} while (0)

/* Rules one policy of this namespace may hold. */
static inline u32 netfence_net_max_rules(const struct netfence_net *pn)
{
	return netfence_net_untrusted(pn) ? NETFENCE_MAX_RULES_USERNS : NETFENCE_MAX_RULES;
}

/* The following require pn->lock. */
static inline struct netfence_policy *
netfence_net_policy(const struct netfence_net *pn)
{
	return rcu_dereference_protected(pn->policy, lockdep_is_held(&pn->lock));
}

/*
 * Records a change (uapi "Audit trail") made by the current task, or by the
 * kernel, and logs it: one line per change.
 */
void netfence_net_audit(struct netfence_net *pn, u8 action, bool kernel,
			const struct nlattr *comment, const char *why);
int netfence_net_isolate(struct netfence_net *pn, struct netlink_ext_ack *extack);
void netfence_net_release(struct netfence_net *pn);
int netfence_net_commit(struct netfence_net *pn, struct netfence_txn *txn,
			bool isolate, struct netlink_ext_ack *extack);
void netfence_net_counters(struct netfence_net *pn,
			   struct netfence_counters out[NETFENCE_NR_FAMILIES][__NETFENCE_HOOK_MAX]);
void netfence_net_counters_reset(struct netfence_net *pn);

/*
 * Release key and deadline (pn->lock held). A request that could end or
 * weaken isolation calls netfence_net_key_check() with its NETFENCE_A_KEY
 * (or NULL) before it changes anything: 0, or -ENOKEY / -EKEYREJECTED with
 * an extack message. netfence_net_guard() then sets what an isolating
 * request asks: the deadline (timeout, NULL: unchanged, 0: none) and the
 * key (key: a secret, digest: its SHA-256, NULL: unchanged).
 * netfence_net_release() clears both.
 */
int netfence_net_key_check(struct netfence_net *pn, struct nlattr *key,
			   struct netlink_ext_ack *extack);
void netfence_net_guard(struct netfence_net *pn, const struct nlattr *timeout,
			struct nlattr *key, const struct nlattr *digest);
int netfence_net_renew(struct netfence_net *pn, const struct nlattr *timeout,
		       struct netlink_ext_ack *extack);
/* NETFENCE_A_TIMEOUT_LEFT, NETFENCE_A_KEY_REQUIRED, NETFENCE_A_EVENT_RATE. */
int netfence_net_put_guard(struct sk_buff *skb, struct netfence_net *pn);
/* NETFENCE_A_TIMEOUT_LEFT while a deadline is set (pn->lock held). */
int netfence_net_put_deadline(struct sk_buff *skb, struct netfence_net *pn);

/*
 * Isolates the namespace under a policy built from b (rules) and flags,
 * from module code (isolation at load); pn->lock held.
 */
int netfence_net_isolate_with(struct netfence_net *pn, struct netfence_builder *b,
			      u32 flags);

struct netfence_txn *netfence_txn_find(struct netfence_net *pn, u32 portid);
/* Open transactions of the namespace (at most NETFENCE_MAX_TXNS). */
unsigned int netfence_txn_count(struct netfence_net *pn);
struct netfence_txn *netfence_txn_begin(struct netfence_net *pn, u32 portid,
					bool append, const u32 *policy_flags);
void netfence_txn_free(struct netfence_txn *txn);

#endif /* _NETFENCE_NETNS_H */
