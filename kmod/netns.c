// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: per network namespace state.
 *
 * Each namespace has one immutable policy, published through an RCU
 * pointer, and is either released (no hook registered) or isolated (its
 * hooks registered). Policy transactions belong to the netlink socket that
 * opened them and vanish when it closes.
 */

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "compat.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"
#include "policy.h"

static unsigned int netfence_net_id __read_mostly;
static atomic_t netfence_isolated_count = ATOMIC_INIT(0);
/* Set as the module unloads: no namespace is isolated any more. */
static bool netfence_unloading;

/* A replaced policy, freed once no packet can still be using it. */
struct netfence_retired {
	struct rcu_head rcu;
	struct netfence_policy *policy;
};

struct netfence_net *netfence_net(const struct net *net)
{
	return net_generic(net, netfence_net_id);
}

unsigned int netfence_isolated_netns(void)
{
	return atomic_read(&netfence_isolated_count);
}

static void netfence_retired_free(struct rcu_head *rcu)
{
	struct netfence_retired *r = container_of(rcu, struct netfence_retired, rcu);

	netfence_policy_free(r->policy);
	kfree(r);
}

/* Frees pol after a grace period, or at once when there is nothing to free. */
static void netfence_retire(struct netfence_retired *r,
			    struct netfence_policy *pol)
{
	if (!pol) {
		kfree(r);
		return;
	}
	r->policy = pol;
	call_rcu(&r->rcu, netfence_retired_free);
}

static struct netfence_policy *
netfence_empty_policy(struct netlink_ext_ack *extack)
{
	struct netfence_builder *b = netfence_builder_alloc();
	struct netfence_policy *pol;

	if (!b)
		return ERR_PTR(-ENOMEM);
	pol = netfence_policy_build(b, NETFENCE_POLICY_F_DEFAULT, extack);
	netfence_builder_free(b);
	return pol;
}

int netfence_net_isolate(struct netfence_net *pn, struct netlink_ext_ack *extack)
{
	struct netfence_policy *pol;
	int err;

	lockdep_assert_held(&pn->lock);
	if (pn->isolated)
		return 0;

	/*
	 * Hooks registered now would outlive the module's code. The unload
	 * sets the flag, then takes each namespace's lock: an isolation
	 * either finishes before and is released there, or sees the flag.
	 */
	if (READ_ONCE(netfence_unloading)) {
		NL_SET_ERR_MSG(extack, "netfence is being unloaded");
		return -ESHUTDOWN;
	}

	/*
	 * The hooks always find a policy. A NULL pointer stands for the
	 * empty default policy as long as no hook can read it: materialise
	 * it now. No hook of this namespace is registered yet, so nobody
	 * can see the assignment half-done.
	 */
	if (!netfence_net_policy(pn)) {
		pol = netfence_empty_policy(extack);
		if (IS_ERR(pol))
			return PTR_ERR(pol);
		rcu_assign_pointer(pn->policy, pol);
	}

	/*
	 * Tamper resistance: the module stays loaded while a namespace of
	 * the initial user namespace is isolated. Any user may create the
	 * others: they must not keep root from unloading it, and are
	 * released by the unload instead (netfence_netns_unload()).
	 */
	if (!netfence_net_untrusted(pn)) {
		if (!try_module_get(THIS_MODULE)) {
			NL_SET_ERR_MSG(extack, "netfence is being unloaded");
			return -ESHUTDOWN;
		}
		pn->pinned = true;
	}

	err = netfence_hooks_register(pn);
	if (err) {
		if (pn->pinned)
			module_put(THIS_MODULE);
		pn->pinned = false;
		NL_SET_ERR_MSG(extack, "cannot register the netfilter hooks");
		return err;
	}

	pn->isolated = true;
	atomic_inc(&netfence_isolated_count);
	return 0;
}

/*
 * Without waiting: the work takes pn->lock, which the caller holds. A work
 * item already running finds deadline_set false and does nothing; the
 * namespace's exit waits for it (netfence_net_exit()).
 */
static void netfence_deadline_clear(struct netfence_net *pn)
{
	pn->deadline_set = false;
	cancel_delayed_work(&pn->deadline_work);
}

static void netfence_key_clear(struct netfence_net *pn)
{
	pn->key_set = false;
	memzero_explicit(pn->key_digest, sizeof(pn->key_digest));
}

void netfence_net_audit(struct netfence_net *pn, u8 action, bool kernel,
			const struct nlattr *comment, const char *why)
{
	const struct netfence_policy *pol = netfence_net_policy(pn);
	u32 rules = pol ? netfence_policy_count(pol) : 0;
	struct netfence_audit *a = &pn->last_change;

	lockdep_assert_held(&pn->lock);
	netfence_audit_record(a, action, kernel, comment, why, pn->policy_gen);
	if (action == NETFENCE_ACTION_ISOLATE)
		netfence_audit_copy(&pn->isolated_by, a);
	else if (!pn->isolated)
		netfence_audit_clear(&pn->isolated_by);

	if (kernel)
		netfence_net_info(pn, "netns %u: %s by the kernel (policy %u, %u rule%s)%s%s%s\n",
				  pn->net->ns.inum, netfence_audit_action_name(action),
				  pn->policy_gen, rules, rules == 1 ? "" : "s",
				  a->comment[0] ? ": \"" : "", a->comment,
				  a->comment[0] ? "\"" : "");
	else
		netfence_net_info(pn, "netns %u: %s by uid %u auid %d pid %d comm %s (policy %u, %u rule%s)%s%s%s\n",
				  pn->net->ns.inum, netfence_audit_action_name(action),
				  from_kuid(&init_user_ns, a->uid),
				  uid_valid(a->loginuid) ?
				  (int)from_kuid(&init_user_ns, a->loginuid) : -1,
				  task_tgid_nr(current), a->comm,
				  pn->policy_gen, rules, rules == 1 ? "" : "s",
				  a->comment[0] ? ": \"" : "", a->comment,
				  a->comment[0] ? "\"" : "");
}

void netfence_net_release(struct netfence_net *pn)
{
	lockdep_assert_held(&pn->lock);
	if (!pn->isolated)
		return;

	netfence_deadline_clear(pn);
	netfence_key_clear(pn);

	netfence_hooks_unregister(pn);
	/* The next isolation learns its DHCP servers afresh. */
	netfence_dhcp_reset(&pn->dhcp);
	pn->isolated = false;
	atomic_dec(&netfence_isolated_count);
	if (pn->pinned)
		module_put(THIS_MODULE);
	pn->pinned = false;
}

int netfence_net_commit(struct netfence_net *pn, struct netfence_txn *txn,
			bool isolate, struct netlink_ext_ack *extack)
{
	struct netfence_policy *new, *old;
	struct netfence_retired *retired;
	int err;

	lockdep_assert_held(&pn->lock);

	/* Allocated first: once the new policy is built nothing may fail. */
	retired = kmalloc(sizeof(*retired), GFP_KERNEL_ACCOUNT);
	if (!retired)
		return -ENOMEM;

	new = netfence_policy_build(txn->builder, txn->policy_flags, extack);
	if (IS_ERR(new)) {
		kfree(retired);
		return PTR_ERR(new);
	}
	netfence_policy_set_ethertypes(new, txn->ethertypes, txn->n_ethertypes);

	/* Stateful from the new policy's first packet on (see hooks.c). */
	if (pn->isolated && !(txn->policy_flags & NETFENCE_POLICY_F_STATELESS))
		netfence_hooks_set_stateful(pn, true);

	old = rcu_replace_pointer(pn->policy, new, lockdep_is_held(&pn->lock));

	if (isolate && !pn->isolated) {
		/*
		 * The hooks are registered after the swap, so the first
		 * packet they see already meets the new policy.
		 */
		err = netfence_net_isolate(pn, extack);
		if (err) {
			/*
			 * Not isolated before, so the old policy never went
			 * out of force. A hook registered for a moment may
			 * still be reading the new one: retire it, do not
			 * free it.
			 */
			new = rcu_replace_pointer(pn->policy, old,
						  lockdep_is_held(&pn->lock));
			netfence_retire(retired, new);
			return err;
		}
	}

	/* After the swap: a packet that read the old policy was tracked. */
	if (pn->isolated && (txn->policy_flags & NETFENCE_POLICY_F_STATELESS))
		netfence_hooks_set_stateful(pn, false);

	pn->policy_gen++;
	netfence_events_set_rate(&pn->events, txn->event_rate);
	netfence_retire(retired, old);
	return 0;
}

int netfence_net_isolate_with(struct netfence_net *pn, struct netfence_builder *b,
			      u32 flags)
{
	struct netfence_txn txn = {
		.builder = b,
		.policy_flags = flags,
		.event_rate = netfence_events_rate(&pn->events),
	};

	lockdep_assert_held(&pn->lock);
	return netfence_net_commit(pn, &txn, true, NULL);
}

/* Releases the namespace at its deadline, from process context. */
static void netfence_deadline_work(struct work_struct *work)
{
	struct netfence_net *pn = container_of(to_delayed_work(work),
					       struct netfence_net, deadline_work);

	mutex_lock(&pn->lock);
	/* Renewed or released meanwhile: not this work's turn. */
	if (pn->isolated && pn->deadline_set &&
	    time_after_eq(jiffies, pn->deadline)) {
		netfence_net_release(pn);
		netfence_genl_event(pn, NETFENCE_CMD_EVT_RELEASED,
				    NETFENCE_REASON_TIMEOUT);
		netfence_net_audit(pn, NETFENCE_ACTION_DEADLINE, true, NULL,
				   "isolation deadline passed");
	}
	mutex_unlock(&pn->lock);
}

static void netfence_deadline_arm(struct netfence_net *pn, u32 secs)
{
	unsigned long delay;

	if (!secs) {
		netfence_deadline_clear(pn);
		return;
	}
	delay = min_t(u64, (u64)secs * HZ, MAX_JIFFY_OFFSET);
	pn->timeout = secs;
	pn->deadline = jiffies + delay;
	pn->deadline_set = true;
	mod_delayed_work(system_percpu_wq, &pn->deadline_work, delay);
}

/*
 * The digest of a secret. The request's copy of the secret is wiped once
 * hashed: it lives on in no buffer of the kernel.
 */
static void netfence_key_digest(struct nlattr *key, u8 digest[SHA256_DIGEST_SIZE])
{
	sha256(nla_data(key), nla_len(key), digest);
	memzero_explicit(nla_data(key), nla_len(key));
}

int netfence_net_key_check(struct netfence_net *pn, struct nlattr *key,
			   struct netlink_ext_ack *extack)
{
	u8 digest[SHA256_DIGEST_SIZE];
	bool wrong;

	lockdep_assert_held(&pn->lock);
	if (!pn->key_set)
		return 0;
	if (!key) {
		NL_SET_ERR_MSG(extack,
			       "a release key is set: the request must carry it (NETFENCE_A_KEY)");
		return -ENOKEY;
	}
	netfence_key_digest(key, digest);
	/* Constant time: how much of it matched must not show. */
	wrong = crypto_memneq(digest, pn->key_digest, sizeof(digest));
	memzero_explicit(digest, sizeof(digest));
	if (wrong) {
		NL_SET_ERR_MSG_ATTR(extack, key, "wrong release key");
		return -EKEYREJECTED;
	}
	return 0;
}

void netfence_net_guard(struct netfence_net *pn, const struct nlattr *timeout,
			struct nlattr *key, const struct nlattr *digest)
{
	lockdep_assert_held(&pn->lock);
	if (!pn->isolated)
		return;
	if (timeout)
		netfence_deadline_arm(pn, nla_get_u32(timeout));
	/* A saved key: its digest, set or replacing one (the check passed). */
	if (digest) {
		memcpy(pn->key_digest, nla_data(digest), sizeof(pn->key_digest));
		pn->key_set = true;
		return;
	}
	/*
	 * Setting a key needs no proof; replacing one needed the current
	 * secret (netfence_net_key_check()), which is the key given here:
	 * the digest does not change. The check wiped the request's copy.
	 */
	if (key && !pn->key_set) {
		netfence_key_digest(key, pn->key_digest);
		pn->key_set = true;
	}
}

int netfence_net_renew(struct netfence_net *pn, const struct nlattr *timeout,
		       struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&pn->lock);
	if (!pn->isolated || !pn->deadline_set) {
		NL_SET_ERR_MSG(extack, "no isolation deadline to renew");
		return -ENOENT;
	}
	netfence_deadline_arm(pn, timeout ? nla_get_u32(timeout) : pn->timeout);
	return 0;
}

int netfence_net_put_deadline(struct sk_buff *skb, struct netfence_net *pn)
{
	long left = (long)(pn->deadline - jiffies);

	lockdep_assert_held(&pn->lock);
	if (!pn->deadline_set)
		return 0;
	return nla_put_u64_64bit(skb, NETFENCE_A_TIMEOUT_LEFT,
				 left > 0 ? jiffies_to_msecs(left) : 0, NETFENCE_A_PAD);
}

int netfence_net_put_guard(struct sk_buff *skb, struct netfence_net *pn)
{
	lockdep_assert_held(&pn->lock);
	if (netfence_net_put_deadline(skb, pn) ||
	    nla_put_u8(skb, NETFENCE_A_KEY_REQUIRED, pn->key_set) ||
	    nla_put_u32(skb, NETFENCE_A_EVENT_RATE, netfence_events_rate(&pn->events)))
		return -EMSGSIZE;
	return 0;
}

static void netfence_counters_sum(struct netfence_net *pn,
				  struct netfence_counters out[NETFENCE_NR_FAMILIES][__NETFENCE_HOOK_MAX])
{
	unsigned int start, f, h;
	int cpu;

	memset(out, 0, sizeof(pn->stats_base));
	for_each_possible_cpu(cpu) {
		const struct netfence_pcpu_stats *s = per_cpu_ptr(pn->stats, cpu);

		for (f = 0; f < NETFENCE_NR_FAMILIES; f++) {
			for (h = 0; h < __NETFENCE_HOOK_MAX; h++) {
				u64 ap, ab, dp, db;

				do {
					start = u64_stats_fetch_begin(&s->syncp);
					ap = u64_stats_read(&s->c[f][h].accept_pkts);
					ab = u64_stats_read(&s->c[f][h].accept_bytes);
					dp = u64_stats_read(&s->c[f][h].drop_pkts);
					db = u64_stats_read(&s->c[f][h].drop_bytes);
				} while (u64_stats_fetch_retry(&s->syncp, start));

				out[f][h].accept_pkts += ap;
				out[f][h].accept_bytes += ab;
				out[f][h].drop_pkts += dp;
				out[f][h].drop_bytes += db;
			}
		}
	}
}

void netfence_net_counters(struct netfence_net *pn,
			   struct netfence_counters out[NETFENCE_NR_FAMILIES][__NETFENCE_HOOK_MAX])
{
	unsigned int f, h;

	lockdep_assert_held(&pn->lock);
	netfence_counters_sum(pn, out);
	for (f = 0; f < NETFENCE_NR_FAMILIES; f++) {
		for (h = 0; h < __NETFENCE_HOOK_MAX; h++) {
			const struct netfence_counters *b = &pn->stats_base[f][h];

			out[f][h].accept_pkts -= b->accept_pkts;
			out[f][h].accept_bytes -= b->accept_bytes;
			out[f][h].drop_pkts -= b->drop_pkts;
			out[f][h].drop_bytes -= b->drop_bytes;
		}
	}
}

/*
 * Other CPUs keep counting while we read, so their counters are never
 * written from here: a reset records the current sums as the new zero.
 */
void netfence_net_counters_reset(struct netfence_net *pn)
{
	struct netfence_policy *pol = netfence_net_policy(pn);

	lockdep_assert_held(&pn->lock);
	netfence_counters_sum(pn, pn->stats_base);
	if (pol)
		netfence_policy_reset_hits(pol);
}

struct netfence_txn *netfence_txn_find(struct netfence_net *pn, u32 portid)
{
	struct netfence_txn *txn;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(txn, &pn->txns, list) {
		if (txn->portid == portid)
			return txn;
	}
	return NULL;
}

unsigned int netfence_txn_count(struct netfence_net *pn)
{
	struct netfence_txn *txn;
	unsigned int n = 0;

	lockdep_assert_held(&pn->lock);
	list_for_each_entry(txn, &pn->txns, list)
		n++;
	return n;
}

struct netfence_txn *netfence_txn_begin(struct netfence_net *pn, u32 portid,
					bool append, const u32 *policy_flags)
{
	struct netfence_policy *pol = netfence_net_policy(pn);
	struct netfence_txn *txn;
	int err;

	lockdep_assert_held(&pn->lock);
	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn)
		return ERR_PTR(-ENOMEM);
	txn->builder = netfence_builder_alloc();
	if (!txn->builder) {
		kfree(txn);
		return ERR_PTR(-ENOMEM);
	}
	netfence_builder_set_limit(txn->builder, netfence_net_max_rules(pn));
	if (append && pol) {
		err = netfence_builder_load(txn->builder, pol);
		if (err) {
			netfence_builder_free(txn->builder);
			kfree(txn);
			return ERR_PTR(err);
		}
	}

	if (policy_flags)
		txn->policy_flags = *policy_flags;
	else if (append && pol)
		txn->policy_flags = netfence_policy_flags(pol);
	else
		txn->policy_flags = NETFENCE_POLICY_F_DEFAULT;
	txn->event_rate = append ? netfence_events_rate(&pn->events) :
				   NETFENCE_EVENT_RATE_DEFAULT;
	if (append && pol) {
		const __be16 *types;

		txn->n_ethertypes = netfence_policy_ethertypes(pol, &types);
		memcpy(txn->ethertypes, types, txn->n_ethertypes * sizeof(*types));
	}
	txn->portid = portid;
	list_add(&txn->list, &pn->txns);
	return txn;
}

void netfence_txn_free(struct netfence_txn *txn)
{
	list_del(&txn->list);
	netfence_builder_free(txn->builder);
	kfree(txn);
}

/* A closing netlink socket takes its open transaction with it. */
static int netfence_netlink_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct netfence_net *pn;
	struct netfence_txn *txn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;

	pn = netfence_net(n->net);
	mutex_lock(&pn->lock);
	txn = netfence_txn_find(pn, n->portid);
	if (txn)
		netfence_txn_free(txn);
	mutex_unlock(&pn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block netfence_netlink_notifier = {
	.notifier_call = netfence_netlink_event,
};

int netfence_txn_notifier_init(void)
{
	return netlink_register_notifier(&netfence_netlink_notifier);
}

void netfence_txn_notifier_uninit(void)
{
	netlink_unregister_notifier(&netfence_netlink_notifier);
}

static int __net_init netfence_net_init(struct net *net)
{
	struct netfence_net *pn = netfence_net(net);
	int cpu;

	pn->stats = alloc_percpu_gfp(struct netfence_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!pn->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pn->stats, cpu)->syncp);

	mutex_init(&pn->lock);
	INIT_LIST_HEAD(&pn->txns);
	INIT_LIST_HEAD(&pn->link_devs);
	pn->net = net;
	netfence_hooks_init(pn);
	INIT_DELAYED_WORK(&pn->deadline_work, netfence_deadline_work);
	netfence_events_init(&pn->events);
	netfence_dhcp_init(&pn->dhcp);
	return 0;
}

/*
 * A namespace that goes away while isolated: its hooks go first, before
 * the namespace core waits for a grace period and calls the exit method.
 */
static void __net_exit netfence_net_pre_exit(struct net *net)
{
	struct netfence_net *pn = netfence_net(net);

	mutex_lock(&pn->lock);
	netfence_net_release(pn);
	mutex_unlock(&pn->lock);
}

static void __net_exit netfence_net_exit(struct net *net)
{
	struct netfence_net *pn = netfence_net(net);
	struct netfence_txn *txn, *tmp;
	struct netfence_policy *pol;

	/*
	 * pre_exit released the namespace, which cancelled the deadline
	 * without waiting (under pn->lock): wait here, without the lock, for
	 * a work item that may still be running. Module unload passes here
	 * for every namespace too.
	 */
	cancel_delayed_work_sync(&pn->deadline_work);

	/*
	 * No hook is registered since pre_exit and a grace period has
	 * passed since: no packet can still use the policy. Replaced
	 * policies still queued in call_rcu are freed by their callbacks.
	 */
	mutex_lock(&pn->lock);
	list_for_each_entry_safe(txn, tmp, &pn->txns, list)
		netfence_txn_free(txn);
	netfence_audit_clear(&pn->isolated_by);
	netfence_audit_clear(&pn->last_change);
	pol = rcu_replace_pointer(pn->policy, NULL, lockdep_is_held(&pn->lock));
	mutex_unlock(&pn->lock);
	if (pol)
		netfence_policy_free(pol);

	mutex_destroy(&pn->lock);
	free_percpu(pn->stats);
}

static struct pernet_operations netfence_net_ops = {
	.init = netfence_net_init,
	.pre_exit = netfence_net_pre_exit,
	.exit = netfence_net_exit,
	.id = &netfence_net_id,
	.size = sizeof(struct netfence_net),
};

int netfence_netns_init(void)
{
	return register_pernet_subsys(&netfence_net_ops);
}

void netfence_netns_unload(void)
{
	struct netfence_net *pn, *tmp;
	unsigned int released = 0;
	LIST_HEAD(owned);
	struct net *net;

	WRITE_ONCE(netfence_unloading, true);

	/*
	 * Collect the namespaces first, with a reference, and take their
	 * locks after net_rwsem is dropped: pn->lock is never taken inside
	 * it. A namespace whose last reference is gone is left to pre_exit,
	 * which releases it when its turn comes (reason: netns exit).
	 */
	down_read(&net_rwsem);
	for_each_net(net) {
		if (net->user_ns == &init_user_ns || !maybe_get_net(net))
			continue;
		list_add_tail(&netfence_net(net)->unload_node, &owned);
	}
	up_read(&net_rwsem);

	list_for_each_entry_safe(pn, tmp, &owned, unload_node) {
		list_del(&pn->unload_node);
		mutex_lock(&pn->lock);
		if (pn->isolated) {
			netfence_net_release(pn);
			netfence_genl_event(pn, NETFENCE_CMD_EVT_RELEASED,
					    NETFENCE_REASON_MODULE_UNLOAD);
			netfence_net_audit(pn, NETFENCE_ACTION_RELEASE, true, NULL,
					   "module unloading: released a namespace of a user namespace");
			released++;
		}
		mutex_unlock(&pn->lock);
		put_net(pn->net);
	}
	if (released)
		pr_info("module unloading: %u isolated namespace%s of user namespaces released\n",
			released, released == 1 ? "" : "s");
}

void netfence_netns_uninit(void)
{
	unregister_pernet_subsys(&netfence_net_ops);
}
