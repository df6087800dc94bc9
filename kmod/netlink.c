// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the "netfence" generic-netlink family, as documented in
 * include/uapi/linux/netfence.h.
 *
 * Every command has its own attribute policy, validated strictly by the
 * netlink core (unknown attributes, unknown flag bits and malformed nests
 * are refused before a handler runs); the handlers check what a policy
 * cannot express and name the offending attribute in the extended ack.
 * A rejected request changes nothing.
 */

#include <linux/err.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "cgpath.h"
#include "compat.h"
#include "events.h"
#include "hooks.h"
#include "netlink.h"
#include "netns.h"
#include "policy.h"
#include "rule.h"
#include "sockid.h"

/* netfence_genl_family: declared in events.h, drop events use it too. */

/* Sets msg only if nothing more precise was said; always names attr. */
#define NETFENCE_BLAME(extack, attr, msg) do {				\
	struct netlink_ext_ack *__ea = (extack);			\
									\
	if (__ea && !__ea->_msg)					\
		NL_SET_ERR_MSG_ATTR(__ea, (attr), msg);			\
	else								\
		NL_SET_BAD_ATTR(__ea, (attr));				\
} while (0)

/*
 * NETFENCE_A_PROTO, in every command's policy: a request in another version
 * of the protocol is refused by the netlink core, with the attribute named,
 * before a handler or a dump starts.
 */
static int netfence_validate_proto(const struct nlattr *attr,
				   struct netlink_ext_ack *extack)
{
	if (nla_len(attr) != sizeof(u32)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "NETFENCE_A_PROTO must be a u32");
		return -EINVAL;
	}
	if (nla_get_u32(attr) == NETFENCE_PROTO_VERSION)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr, "unsupported netfence protocol version");
	return -EPROTONOSUPPORT;
}

/*
 * Declared NLA_BINARY (length checked by the function): when the core
 * reports a policy violation it echoes the attribute's policy, and 6.1
 * cannot describe a validation function on an integer type (it warns in
 * nla_get_range_unsigned()).
 */
#define NETFENCE_PROTO_POLICY \
	[NETFENCE_A_PROTO] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, netfence_validate_proto, \
						    sizeof(u32))

static const struct nla_policy netfence_rule_policy[NETFENCE_RULE_A_MAX + 1] = {
	[NETFENCE_RULE_A_FAMILY] = { .type = NLA_U8 },
	[NETFENCE_RULE_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, sizeof(struct in_addr),
						  sizeof(struct in6_addr)),
	[NETFENCE_RULE_A_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[NETFENCE_RULE_A_PROTO] = { .type = NLA_U8 },
	[NETFENCE_RULE_A_PORT_MIN] = { .type = NLA_U16 },
	[NETFENCE_RULE_A_PORT_MAX] = { .type = NLA_U16 },
	[NETFENCE_RULE_A_DIR] = NLA_POLICY_RANGE(NLA_U8, NETFENCE_DIR_OUT, NETFENCE_DIR_BOTH),
	[NETFENCE_RULE_A_INDEX] = {
		.type = NLA_REJECT,
		.reject_message = "the rule index is reported by dumps only",
	},
	[NETFENCE_RULE_A_HITS] = {
		.type = NLA_REJECT,
		.reject_message = "the hit counter is reported by dumps only",
	},
	[NETFENCE_RULE_A_UID_MIN] = { .type = NLA_U32 },
	[NETFENCE_RULE_A_UID_MAX] = { .type = NLA_U32 },
	[NETFENCE_RULE_A_CGROUP] = { .type = NLA_NUL_STRING,
				     .len = NETFENCE_CGROUP_PATH_MAX },
	[NETFENCE_RULE_A_CGROUP_ID] = {
		.type = NLA_REJECT,
		.reject_message = "the cgroup id is reported by dumps only",
	},
};

/* Inside NETFENCE_A_RULES: NETFENCE_A_RULE nests, nothing else. */
static const struct nla_policy netfence_rules_policy[NETFENCE_A_RULE + 1] = {
	[NETFENCE_A_RULE] = NLA_POLICY_NESTED(netfence_rule_policy),
};

/* STATUS_GET, TXN_ABORT, RULES_GET, COUNTERS_RESET. */
static const struct nla_policy netfence_proto_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
};

/* Deadline and release key: limits of NETFENCE_A_TIMEOUT, EVENT_RATE. */
static struct netlink_range_validation netfence_timeout_range = {
	.max = 31536000,
};

static struct netlink_range_validation netfence_renew_range = {
	.min = 1,
	.max = 31536000,
};

static struct netlink_range_validation netfence_event_rate_range = {
	.max = NETFENCE_EVENT_RATE_MAX,
};

/*
 * NETFENCE_A_KEY: a short secret is refused by every command, before a
 * handler runs. Whoever can send RELEASE may try keys as fast as netlink
 * answers: only the length of the secret stands in the way. Checked here,
 * not by a range, for -EINVAL and a message that says what is wrong.
 */
static int netfence_validate_key(const struct nlattr *attr,
				 struct netlink_ext_ack *extack)
{
	if (nla_len(attr) >= NETFENCE_KEY_MIN)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "NETFENCE_A_KEY: release key shorter than "
			    __stringify(NETFENCE_KEY_MIN) " bytes");
	return -EINVAL;
}

/* The core checks the upper bound (NLA_BINARY with len). */
#define NETFENCE_KEY_POLICY \
	[NETFENCE_A_KEY] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, netfence_validate_key, \
						  NETFENCE_KEY_MAX)

#define NETFENCE_KEY_DIGEST_POLICY \
	[NETFENCE_A_KEY_DIGEST] = NLA_POLICY_EXACT_LEN(NETFENCE_KEY_DIGEST_LEN)

/* Checked for control characters by netfence_audit_comment_check(). */
#define NETFENCE_COMMENT_POLICY \
	[NETFENCE_A_COMMENT] = { .type = NLA_NUL_STRING, .len = NETFENCE_COMMENT_MAX - 1 }

static const struct nla_policy netfence_release_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
	NETFENCE_KEY_POLICY,
	NETFENCE_COMMENT_POLICY,
};

static const struct nla_policy netfence_renew_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
	NETFENCE_KEY_POLICY,
	[NETFENCE_A_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &netfence_renew_range),
	NETFENCE_COMMENT_POLICY,
};

static const struct nla_policy netfence_txn_begin_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
	[NETFENCE_A_EVENT_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32, &netfence_event_rate_range),
	[NETFENCE_A_TXN_FLAGS] = NLA_POLICY_MASK(NLA_U32, __NETFENCE_TXN_F_ALL),
	[NETFENCE_A_POLICY_FLAGS] = NLA_POLICY_MASK(NLA_U32, __NETFENCE_POLICY_F_ALL),
	[NETFENCE_A_ETHERTYPES] = { .type = NLA_BINARY,
				    .len = NETFENCE_ETHERTYPES_MAX * sizeof(__be16) },
};

/* TXN_ADD, TXN_DEL. */
static const struct nla_policy netfence_txn_rules_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
	[NETFENCE_A_RULES] = NLA_POLICY_NESTED(netfence_rules_policy),
};

static const struct nla_policy netfence_txn_commit_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
	[NETFENCE_A_COMMIT_FLAGS] = NLA_POLICY_MASK(NLA_U32, __NETFENCE_COMMIT_F_ALL),
	[NETFENCE_A_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &netfence_timeout_range),
	NETFENCE_KEY_POLICY,
	NETFENCE_KEY_DIGEST_POLICY,
	NETFENCE_COMMENT_POLICY,
};

static const struct nla_policy netfence_isolate_policy[NETFENCE_A_MAX + 1] = {
	NETFENCE_PROTO_POLICY,
	[NETFENCE_A_ISOLATE_FLAGS] = NLA_POLICY_MASK(NLA_U32, __NETFENCE_ISOLATE_F_ALL),
	[NETFENCE_A_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &netfence_timeout_range),
	NETFENCE_KEY_POLICY,
	NETFENCE_KEY_DIGEST_POLICY,
	NETFENCE_COMMENT_POLICY,
};

/*
 * Every request names the protocol version it speaks. Its value was
 * checked by the command's policy (NETFENCE_PROTO_POLICY); what the
 * policy cannot require is its presence.
 */
static int netfence_check_proto(struct nlattr **attrs,
				struct netlink_ext_ack *extack)
{
	if (NL_REQ_ATTR_CHECK(extack, NULL, attrs, NETFENCE_A_PROTO)) {
		NL_SET_ERR_MSG(extack, "missing NETFENCE_A_PROTO (protocol version)");
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/*
 * NETFENCE_A_KEY_DIGEST sets a key: it may come with NETFENCE_A_KEY only
 * to prove the key it replaces (pn->lock held).
 */
static int netfence_key_digest_check(struct netfence_net *pn, struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	if (!attrs[NETFENCE_A_KEY_DIGEST] || !attrs[NETFENCE_A_KEY] || pn->key_set)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attrs[NETFENCE_A_KEY_DIGEST],
			    "NETFENCE_A_KEY_DIGEST and NETFENCE_A_KEY both set a key: give one");
	return -EINVAL;
}

static u32 netfence_nla_get_u32_default(const struct nlattr *attr, u32 def)
{
	return attr ? nla_get_u32(attr) : def;
}

/* A rule as received, with the attribute to blame if it is refused. */
struct netfence_nl_rule {
	struct netfence_rule rule;
	const struct nlattr *attr;
	bool done;	/* TXN_ADD: this message added it (not a duplicate) */
};

/*
 * Identity fields of a rule. A cgroup path gets its canonical form, in a
 * buffer the rule owns (freed by netfence_rules_free()), and its anchor:
 * the root of the sender's cgroup namespace. It need not exist.
 */
static int netfence_rule_identity_from_nla(struct nlattr **tb, struct netfence_rule *r,
					   struct netlink_ext_ack *extack)
{
	const struct nlattr *cg = tb[NETFENCE_RULE_A_CGROUP];
	char *path;
	int err;

	if (tb[NETFENCE_RULE_A_UID_MIN]) {
		r->id_flags |= NETFENCE_RULE_ID_UID;
		r->uid_min = nla_get_u32(tb[NETFENCE_RULE_A_UID_MIN]);
		r->uid_max = tb[NETFENCE_RULE_A_UID_MAX] ?
			     nla_get_u32(tb[NETFENCE_RULE_A_UID_MAX]) : r->uid_min;
	} else if (tb[NETFENCE_RULE_A_UID_MAX]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_UID_MAX],
				    "NETFENCE_RULE_A_UID_MAX without NETFENCE_RULE_A_UID_MIN");
		return -EINVAL;
	}
	if (cg) {
		r->id_flags |= NETFENCE_RULE_ID_CGROUP;
		path = kmalloc(nla_len(cg) + 2, GFP_KERNEL_ACCOUNT);
		if (!path)
			return -ENOMEM;
		r->cgroup_path = path;
		err = netfence_cgpath_normalize(nla_data(cg), path, nla_len(cg) + 2, extack);
		if (!err)
			err = netfence_sockid_cgroup_anchor(&r->anchor_id, &r->anchor_level,
							    extack);
		if (err) {
			NL_SET_BAD_ATTR(extack, cg);
			return err;
		}
	}
	return 0;
}

static int netfence_rule_from_nla(const struct nlattr *nest,
				  struct netfence_rule *r,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NETFENCE_RULE_A_MAX + 1];
	unsigned int alen;
	int err;

	err = nla_parse_nested(tb, NETFENCE_RULE_A_MAX, nest,
			       netfence_rule_policy, extack);
	if (err)
		return err;

	if (NL_REQ_ATTR_CHECK(extack, nest, tb, NETFENCE_RULE_A_FAMILY)) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "rule without NETFENCE_RULE_A_FAMILY");
		return -EINVAL;
	}

	memset(r, 0, sizeof(*r));
	r->family = nla_get_u8(tb[NETFENCE_RULE_A_FAMILY]);
	switch (r->family) {
	case AF_UNSPEC:
		alen = 0;
		break;
	case AF_INET:
		alen = sizeof(struct in_addr);
		break;
	case AF_INET6:
		alen = sizeof(struct in6_addr);
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_FAMILY],
				    "rule family must be AF_INET, AF_INET6 or AF_UNSPEC");
		return -EINVAL;
	}

	if (tb[NETFENCE_RULE_A_ADDR]) {
		if (!alen) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_ADDR],
					    "a rule of family AF_UNSPEC has no address");
			return -EINVAL;
		}
		if (nla_len(tb[NETFENCE_RULE_A_ADDR]) != alen) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_ADDR],
					    "address length does not match the rule family");
			return -EINVAL;
		}
		nla_memcpy(&r->addr, tb[NETFENCE_RULE_A_ADDR], alen);
		r->prefixlen = alen * BITS_PER_BYTE;
	}

	if (tb[NETFENCE_RULE_A_PREFIXLEN]) {
		u8 plen = nla_get_u8(tb[NETFENCE_RULE_A_PREFIXLEN]);

		if (plen && !tb[NETFENCE_RULE_A_ADDR]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_PREFIXLEN],
					    "prefix length without address");
			return -EINVAL;
		}
		if (plen > alen * BITS_PER_BYTE) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_PREFIXLEN],
					    "prefix length too long for the rule family");
			return -EINVAL;
		}
		r->prefixlen = plen;
	}

	if (tb[NETFENCE_RULE_A_PROTO])
		r->proto = nla_get_u8(tb[NETFENCE_RULE_A_PROTO]);

	r->port_min = 0;
	r->port_max = U16_MAX;
	if (tb[NETFENCE_RULE_A_PORT_MIN]) {
		r->port_min = nla_get_u16(tb[NETFENCE_RULE_A_PORT_MIN]);
		r->port_max = tb[NETFENCE_RULE_A_PORT_MAX] ?
			      nla_get_u16(tb[NETFENCE_RULE_A_PORT_MAX]) : r->port_min;
	} else if (tb[NETFENCE_RULE_A_PORT_MAX]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NETFENCE_RULE_A_PORT_MAX],
				    "NETFENCE_RULE_A_PORT_MAX without NETFENCE_RULE_A_PORT_MIN");
		return -EINVAL;
	}

	r->dir = tb[NETFENCE_RULE_A_DIR] ? nla_get_u8(tb[NETFENCE_RULE_A_DIR]) :
					   NETFENCE_DIR_OUT;

	err = netfence_rule_identity_from_nla(tb, r, extack);
	if (err)
		return err;

	err = netfence_rule_validate(r, extack);
	if (err) {
		NETFENCE_BLAME(extack, nest, "invalid rule");
		return err;
	}
	return 0;
}

static void netfence_rules_free(struct netfence_nl_rule *rules, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		kfree(rules[i].rule.cgroup_path);
	kvfree(rules);
}

/*
 * Parses and validates every rule of a NETFENCE_A_RULES nest before any is
 * used, so that a bad rule refuses the message as a whole.
 */
static struct netfence_nl_rule *
netfence_rules_from_nla(const struct nlattr *rules, u32 *count,
			struct netlink_ext_ack *extack)
{
	struct netfence_nl_rule *out;
	const struct nlattr *a;
	u32 n = 0;
	int rem, err;

	nla_for_each_nested(a, rules, rem) {
		if (nla_type(a) != NETFENCE_A_RULE) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "NETFENCE_A_RULES holds NETFENCE_A_RULE nests only");
			return ERR_PTR(-EINVAL);
		}
		if (++n > NETFENCE_MAX_RULES) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many rules");
			return ERR_PTR(-E2BIG);
		}
	}

	*count = n;
	if (!n)
		return NULL;

	/* Zeroed: a rule refused half-way owns no path yet. */
	out = kvcalloc(n, sizeof(*out), GFP_KERNEL_ACCOUNT);
	if (!out)
		return ERR_PTR(-ENOMEM);

	n = 0;
	nla_for_each_nested(a, rules, rem) {
		cond_resched();
		err = netfence_rule_from_nla(a, &out[n].rule, extack);
		if (err) {
			kfree(out[n].rule.cgroup_path);
			netfence_rules_free(out, n);
			return ERR_PTR(err);
		}
		out[n].attr = a;
		out[n].done = false;
		n++;
	}
	return out;
}

static int netfence_txn_add_rules(struct netfence_net *pn, struct netfence_txn *txn,
				  struct netfence_nl_rule *rules, u32 n,
				  struct netlink_ext_ack *extack)
{
	u32 i, before;
	int err = 0;

	for (i = 0; i < n; i++) {
		cond_resched();
		before = netfence_builder_count(txn->builder);
		err = netfence_builder_add(txn->builder, &rules[i].rule, extack);
		if (err == -E2BIG && netfence_net_untrusted(pn)) {
			BUILD_BUG_ON(NETFENCE_MAX_RULES_USERNS != 65536);
			NL_SET_ERR_MSG_ATTR(extack, rules[i].attr,
					    "too many rules: a namespace owned by a user namespace holds at most 65536 (NETFENCE_MAX_RULES_USERNS)");
			break;
		}
		if (err) {
			NETFENCE_BLAME(extack, rules[i].attr, "cannot add the rule");
			break;
		}
		/* A rule already present is not added twice: nothing to undo. */
		rules[i].done = netfence_builder_count(txn->builder) != before;
	}
	if (!err)
		return 0;

	/*
	 * All or nothing: take back what this message added. Cannot fail:
	 * each rule taken back was added by this loop, under pn->lock, and
	 * deleting allocates nothing.
	 */
	while (i--) {
		if (rules[i].done &&
		    netfence_builder_del(txn->builder, &rules[i].rule, NULL))
			WARN_ON_ONCE(1);
	}
	return err;
}

/*
 * All or nothing, with nothing to undo: every rule is looked up before any
 * is removed. Putting removed rules back could fail (a cgroup rule's path
 * is copied again, charged to a memory cgroup the sender controls).
 */
static int netfence_txn_del_rules(struct netfence_txn *txn,
				  struct netfence_nl_rule *rules, u32 n,
				  struct netlink_ext_ack *extack)
{
	u32 i;

	for (i = 0; i < n && !txn->del_absent; i++) {
		cond_resched();
		if (!netfence_builder_has(txn->builder, &rules[i].rule)) {
			NL_SET_ERR_MSG_ATTR(extack, rules[i].attr,
					    "no such rule in the transaction");
			return -ENOENT;
		}
	}
	/* A rule named twice is removed once (-ENOENT the second time). */
	for (i = 0; i < n; i++)
		netfence_builder_del(txn->builder, &rules[i].rule, NULL);
	return 0;
}

static int netfence_put_counters(struct sk_buff *skb, struct netfence_net *pn)
{
	struct netfence_counters c[NETFENCE_NR_FAMILIES][__NETFENCE_HOOK_MAX];
	struct nlattr *stats, *entry;
	unsigned int f, h;

	netfence_net_counters(pn, c);
	stats = nla_nest_start(skb, NETFENCE_A_STATS);
	if (!stats)
		return -EMSGSIZE;
	for (f = 0; f < NETFENCE_NR_FAMILIES; f++) {
		for (h = 0; h < __NETFENCE_HOOK_MAX; h++) {
			/* Frames that are not IP only meet the link-layer stage. */
			if (f == NETFENCE_FAMILY_LINK && h != NETFENCE_HOOK_LINK_IN &&
			    h != NETFENCE_HOOK_LINK_OUT)
				continue;
			entry = nla_nest_start(skb, NETFENCE_STATS_A_ENTRY);
			if (!entry ||
			    nla_put_u8(skb, NETFENCE_STATS_A_FAMILY, f == 0 ? AF_INET :
				       f == 1 ? AF_INET6 : AF_PACKET) ||
			    nla_put_u8(skb, NETFENCE_STATS_A_HOOK, h) ||
			    nla_put_u64_64bit(skb, NETFENCE_STATS_A_ACCEPT_PKTS,
					      c[f][h].accept_pkts, NETFENCE_STATS_A_PAD) ||
			    nla_put_u64_64bit(skb, NETFENCE_STATS_A_ACCEPT_BYTES,
					      c[f][h].accept_bytes, NETFENCE_STATS_A_PAD) ||
			    nla_put_u64_64bit(skb, NETFENCE_STATS_A_DROP_PKTS,
					      c[f][h].drop_pkts, NETFENCE_STATS_A_PAD) ||
			    nla_put_u64_64bit(skb, NETFENCE_STATS_A_DROP_BYTES,
					      c[f][h].drop_bytes, NETFENCE_STATS_A_PAD))
				return -EMSGSIZE;
			nla_nest_end(skb, entry);
		}
	}
	nla_nest_end(skb, stats);
	return 0;
}

static int netfence_put_ethertypes(struct sk_buff *skb, const struct netfence_policy *pol)
{
	const __be16 *types;
	u32 n = pol ? netfence_policy_ethertypes(pol, &types) : 0;

	return n ? nla_put(skb, NETFENCE_A_ETHERTYPES, n * sizeof(*types), types) : 0;
}

static int netfence_put_status(struct sk_buff *skb, struct netfence_net *pn)
{
	const struct netfence_policy *pol = netfence_net_policy(pn);

	if (nla_put_u8(skb, NETFENCE_A_ISOLATED, pn->isolated) ||
	    nla_put_u32(skb, NETFENCE_A_POLICY_FLAGS,
			pol ? netfence_policy_flags(pol) : NETFENCE_POLICY_F_DEFAULT) ||
	    nla_put_u32(skb, NETFENCE_A_POLICY_GEN, pn->policy_gen) ||
	    nla_put_u32(skb, NETFENCE_A_RULE_COUNT, pol ? netfence_policy_count(pol) : 0) ||
	    nla_put_u32(skb, NETFENCE_A_FEATURES, netfence_hooks_features()) ||
	    nla_put_u32(skb, NETFENCE_A_ISOLATED_NETNS, netfence_isolated_netns()) ||
	    nla_put_u32(skb, NETFENCE_A_HOOKS_REGISTERED, pn->hooks_registered) ||
	    nla_put_u8(skb, NETFENCE_A_STATEFUL, pn->isolated && pn->stateful) ||
	    nla_put_u32(skb, NETFENCE_A_LINK_DEVICES, READ_ONCE(pn->link_ndevs)) ||
	    netfence_put_ethertypes(skb, pol) ||
	    netfence_net_put_guard(skb, pn) ||
	    netfence_put_counters(skb, pn) ||
	    nla_put_u64_64bit(skb, NETFENCE_A_POLICY_MEM,
			      pol ? netfence_policy_mem(pol) : 0, NETFENCE_A_PAD) ||
	    (pn->isolated &&
	     netfence_audit_put(skb, NETFENCE_A_ISOLATED_BY, &pn->isolated_by)) ||
	    netfence_audit_put(skb, NETFENCE_A_LAST_CHANGE, &pn->last_change))
		return -EMSGSIZE;
	return 0;
}

static int netfence_nl_status_get(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = netfence_check_proto(info->attrs, info->extack);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &netfence_genl_family, 0,
				NETFENCE_CMD_STATUS_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&pn->lock);
	err = netfence_put_status(msg, pn);
	mutex_unlock(&pn->lock);
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static int netfence_nl_txn_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	const struct nlattr *pflags_attr = info->attrs[NETFENCE_A_POLICY_FLAGS];
	const struct nlattr *etypes = info->attrs[NETFENCE_A_ETHERTYPES];
	struct netfence_txn *txn;
	u32 txn_flags, pflags = 0;
	int err;

	err = netfence_check_proto(info->attrs, info->extack);
	if (err)
		return err;
	txn_flags = netfence_nla_get_u32_default(info->attrs[NETFENCE_A_TXN_FLAGS], 0);
	if (pflags_attr)
		pflags = nla_get_u32(pflags_attr);
	if (etypes && nla_len(etypes) % sizeof(__be16)) {
		NL_SET_ERR_MSG_ATTR(info->extack, etypes,
				    "EtherTypes are 16-bit values: odd attribute length");
		return -EINVAL;
	}

	mutex_lock(&pn->lock);
	if (netfence_txn_find(pn, info->snd_portid)) {
		GENL_SET_ERR_MSG(info, "this socket already has an open transaction");
		err = -EBUSY;
		goto out;
	}
	/* Each transaction may hold a policy's worth of rules: bound them. */
	if (netfence_txn_count(pn) >= NETFENCE_MAX_TXNS) {
		GENL_SET_ERR_MSG(info,
				 "too many open transactions in this namespace (NETFENCE_MAX_TXNS)");
		err = -ENOSPC;
		goto out;
	}
	txn = netfence_txn_begin(pn, info->snd_portid,
				 txn_flags & NETFENCE_TXN_F_APPEND,
				 pflags_attr ? &pflags : NULL);
	if (IS_ERR(txn)) {
		GENL_SET_ERR_MSG(info, "cannot open a transaction");
		err = PTR_ERR(txn);
		goto out;
	}
	if (info->attrs[NETFENCE_A_EVENT_RATE])
		txn->event_rate = nla_get_u32(info->attrs[NETFENCE_A_EVENT_RATE]);
	txn->del_absent = txn_flags & NETFENCE_TXN_F_DEL_ABSENT;
	if (etypes) {
		txn->n_ethertypes = nla_len(etypes) / sizeof(__be16);
		nla_memcpy(txn->ethertypes, etypes, sizeof(txn->ethertypes));
	}
out:
	mutex_unlock(&pn->lock);
	return err;
}

static int netfence_nl_txn_rules(struct sk_buff *skb, struct genl_info *info,
				 bool add)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	struct netfence_nl_rule *rules;
	struct netfence_txn *txn;
	u32 n;
	int err;

	err = netfence_check_proto(info->attrs, info->extack);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, NETFENCE_A_RULES)) {
		GENL_SET_ERR_MSG(info, "missing NETFENCE_A_RULES");
		return -EINVAL;
	}

	rules = netfence_rules_from_nla(info->attrs[NETFENCE_A_RULES], &n,
					info->extack);
	if (IS_ERR(rules))
		return PTR_ERR(rules);

	mutex_lock(&pn->lock);
	txn = netfence_txn_find(pn, info->snd_portid);
	if (!txn) {
		GENL_SET_ERR_MSG(info, "no open transaction on this socket");
		err = -ENOENT;
	} else if (add) {
		err = netfence_txn_add_rules(pn, txn, rules, n, info->extack);
	} else {
		err = netfence_txn_del_rules(txn, rules, n, info->extack);
	}
	mutex_unlock(&pn->lock);

	netfence_rules_free(rules, n);
	return err;
}

static int netfence_nl_txn_add(struct sk_buff *skb, struct genl_info *info)
{
	return netfence_nl_txn_rules(skb, info, true);
}

static int netfence_nl_txn_del(struct sk_buff *skb, struct genl_info *info)
{
	return netfence_nl_txn_rules(skb, info, false);
}

static int netfence_nl_txn_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	struct netfence_txn *txn;
	bool was_isolated;
	u32 flags;
	int err;

	err = netfence_check_proto(info->attrs, info->extack) ?:
	      netfence_audit_comment_check(info->attrs[NETFENCE_A_COMMENT], info->extack);
	if (err)
		return err;
	flags = netfence_nla_get_u32_default(info->attrs[NETFENCE_A_COMMIT_FLAGS], 0);

	mutex_lock(&pn->lock);
	txn = netfence_txn_find(pn, info->snd_portid);
	if (!txn) {
		GENL_SET_ERR_MSG(info, "no open transaction on this socket");
		err = -ENOENT;
		goto out;
	}

	if (info->attrs[NETFENCE_A_TIMEOUT] && !(flags & NETFENCE_COMMIT_F_ISOLATE)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETFENCE_A_TIMEOUT],
				    "a deadline needs NETFENCE_COMMIT_F_ISOLATE");
		err = -EINVAL;
		goto out;
	}
	if (info->attrs[NETFENCE_A_KEY_DIGEST] && !(flags & NETFENCE_COMMIT_F_ISOLATE)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[NETFENCE_A_KEY_DIGEST],
				    "a release key needs NETFENCE_COMMIT_F_ISOLATE");
		err = -EINVAL;
		goto out;
	}
	/* A new policy could allow more: it needs the release key, if set. */
	err = netfence_key_digest_check(pn, info->attrs, info->extack) ?:
	      netfence_net_key_check(pn, info->attrs[NETFENCE_A_KEY], info->extack);
	if (err)
		goto out;

	was_isolated = pn->isolated;
	err = netfence_net_commit(pn, txn, flags & NETFENCE_COMMIT_F_ISOLATE,
				  info->extack);
	if (err)
		goto out;	/* the transaction stays open */
	if (flags & NETFENCE_COMMIT_F_ISOLATE)
		netfence_net_guard(pn, info->attrs[NETFENCE_A_TIMEOUT],
				   info->attrs[NETFENCE_A_KEY],
				   info->attrs[NETFENCE_A_KEY_DIGEST]);

	netfence_txn_free(txn);
	netfence_genl_event(pn, NETFENCE_CMD_EVT_COMMITTED, 0);
	if (!was_isolated && pn->isolated)
		netfence_genl_event(pn, NETFENCE_CMD_EVT_ISOLATED, 0);
	netfence_net_audit(pn, !was_isolated && pn->isolated ?
			   NETFENCE_ACTION_ISOLATE : NETFENCE_ACTION_COMMIT, false,
			   info->attrs[NETFENCE_A_COMMENT], NULL);
out:
	mutex_unlock(&pn->lock);
	return err;
}

static int netfence_nl_txn_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	struct netfence_txn *txn;
	int err;

	err = netfence_check_proto(info->attrs, info->extack);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	txn = netfence_txn_find(pn, info->snd_portid);
	if (txn) {
		netfence_txn_free(txn);
	} else {
		GENL_SET_ERR_MSG(info, "no open transaction on this socket");
		err = -ENOENT;
	}
	mutex_unlock(&pn->lock);
	return err;
}

static int netfence_nl_isolate(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	const struct nlattr *timeout = info->attrs[NETFENCE_A_TIMEOUT];
	struct nlattr *key = info->attrs[NETFENCE_A_KEY];
	struct nlattr *digest = info->attrs[NETFENCE_A_KEY_DIGEST];
	u8 action = 0;
	int err;

	err = netfence_check_proto(info->attrs, info->extack) ?:
	      netfence_audit_comment_check(info->attrs[NETFENCE_A_COMMENT], info->extack);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	/* A deadline or a key may replace one set before: key required. */
	err = netfence_key_digest_check(pn, info->attrs, info->extack);
	if (!err && (timeout || key || digest))
		err = netfence_net_key_check(pn, key, info->extack);
	if (!err && !pn->isolated) {
		err = netfence_net_isolate(pn, info->extack);
		if (!err) {
			netfence_genl_event(pn, NETFENCE_CMD_EVT_ISOLATED, 0);
			action = NETFENCE_ACTION_ISOLATE;
		}
	}
	if (!err)
		netfence_net_guard(pn, timeout, key, digest);
	if (!err && !action && timeout)
		netfence_genl_event(pn, NETFENCE_CMD_EVT_RENEWED, 0);
	/* Isolated already: only a new deadline or key is a change. */
	if (!err && (action || timeout || key || digest))
		netfence_net_audit(pn, action ?: NETFENCE_ACTION_RENEW, false,
				   info->attrs[NETFENCE_A_COMMENT], NULL);
	mutex_unlock(&pn->lock);
	return err;
}

static int netfence_nl_release(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	int err;

	err = netfence_check_proto(info->attrs, info->extack) ?:
	      netfence_audit_comment_check(info->attrs[NETFENCE_A_COMMENT], info->extack);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	err = netfence_net_key_check(pn, info->attrs[NETFENCE_A_KEY], info->extack);
	if (!err && pn->isolated) {
		netfence_net_release(pn);
		netfence_genl_event(pn, NETFENCE_CMD_EVT_RELEASED,
				    NETFENCE_REASON_USER);
		netfence_net_audit(pn, NETFENCE_ACTION_RELEASE, false,
				   info->attrs[NETFENCE_A_COMMENT], NULL);
	}
	mutex_unlock(&pn->lock);
	return err;
}

static int netfence_nl_renew(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	int err;

	err = netfence_check_proto(info->attrs, info->extack) ?:
	      netfence_audit_comment_check(info->attrs[NETFENCE_A_COMMENT], info->extack);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	err = netfence_net_key_check(pn, info->attrs[NETFENCE_A_KEY], info->extack);
	if (!err)
		err = netfence_net_renew(pn, info->attrs[NETFENCE_A_TIMEOUT], info->extack);
	if (!err)
		netfence_genl_event(pn, NETFENCE_CMD_EVT_RENEWED, 0);
	if (!err)
		netfence_net_audit(pn, NETFENCE_ACTION_RENEW, false,
				   info->attrs[NETFENCE_A_COMMENT], NULL);
	mutex_unlock(&pn->lock);
	return err;
}

static int netfence_nl_counters_reset(struct sk_buff *skb, struct genl_info *info)
{
	struct netfence_net *pn = netfence_net(genl_info_net(info));
	int err;

	err = netfence_check_proto(info->attrs, info->extack);
	if (err)
		return err;

	mutex_lock(&pn->lock);
	netfence_net_counters_reset(pn);
	mutex_unlock(&pn->lock);
	return 0;
}

static int netfence_nl_rules_start(struct netlink_callback *cb)
{
	struct nlattr *tb[NETFENCE_A_MAX + 1];
	int err;

	/*
	 * The core validated the request (a wrong version is refused there);
	 * parse it again for the check that the version is present. Some
	 * kernels (6.1 among them) give a dump's start no extack: the error
	 * then arrives without its message.
	 */
	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, NETFENCE_A_MAX,
			  netfence_proto_policy, cb->extack);
	if (err)
		return err;
	err = netfence_check_proto(tb, cb->extack);
	if (err)
		return err;

	cb->args[0] = 0;	/* index of the next rule to dump */
	return 0;
}

static int netfence_put_rule(struct sk_buff *skb, const struct netfence_policy *pol,
			     u32 idx)
{
	struct netfence_rule r;
	struct nlattr *nest;

	netfence_policy_rule(pol, idx, &r);

	nest = nla_nest_start(skb, NETFENCE_A_RULE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NETFENCE_RULE_A_FAMILY, r.family))
		return -EMSGSIZE;
	if (r.family == AF_INET || r.family == AF_INET6) {
		if (nla_put(skb, NETFENCE_RULE_A_ADDR,
			    r.family == AF_INET ? sizeof(struct in_addr) :
						  sizeof(struct in6_addr), &r.addr) ||
		    nla_put_u8(skb, NETFENCE_RULE_A_PREFIXLEN, r.prefixlen))
			return -EMSGSIZE;
	}
	if (nla_put_u8(skb, NETFENCE_RULE_A_PROTO, r.proto))
		return -EMSGSIZE;
	if (netfence_rule_has_ports(&r) &&
	    (nla_put_u16(skb, NETFENCE_RULE_A_PORT_MIN, r.port_min) ||
	     nla_put_u16(skb, NETFENCE_RULE_A_PORT_MAX, r.port_max)))
		return -EMSGSIZE;
	if (nla_put_u8(skb, NETFENCE_RULE_A_DIR, r.dir) ||
	    nla_put_u32(skb, NETFENCE_RULE_A_INDEX, idx) ||
	    nla_put_u64_64bit(skb, NETFENCE_RULE_A_HITS,
			      netfence_policy_hits(pol, idx), NETFENCE_RULE_A_PAD))
		return -EMSGSIZE;
	if ((r.id_flags & NETFENCE_RULE_ID_UID) &&
	    (nla_put_u32(skb, NETFENCE_RULE_A_UID_MIN, r.uid_min) ||
	     nla_put_u32(skb, NETFENCE_RULE_A_UID_MAX, r.uid_max)))
		return -EMSGSIZE;
	if (r.id_flags & NETFENCE_RULE_ID_CGROUP) {
		u64 id = netfence_sockid_cgroup_id(r.anchor_id, r.cgroup_path);

		if (nla_put_string(skb, NETFENCE_RULE_A_CGROUP, r.cgroup_path) ||
		    (id && nla_put_u64_64bit(skb, NETFENCE_RULE_A_CGROUP_ID, id,
					     NETFENCE_RULE_A_PAD)))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int netfence_nl_rules_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct netfence_net *pn = netfence_net(sock_net(cb->skb->sk));
	const struct netfence_policy *pol;
	u32 idx = cb->args[0], count;
	void *hdr;

	mutex_lock(&pn->lock);
	pol = netfence_net_policy(pn);
	count = pol ? netfence_policy_count(pol) : 0;

	/*
	 * A commit between two parts of the dump changes the generation:
	 * genl_dump_check_consistent() then flags the dump NLM_F_DUMP_INTR.
	 * The offset keeps cb->seq non-zero, which the check requires.
	 */
	cb->seq = pn->policy_gen + 1;

	for (; idx < count; idx++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &netfence_genl_family, NLM_F_MULTI,
				  NETFENCE_CMD_RULES_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (nla_put_u32(skb, NETFENCE_A_POLICY_GEN, pn->policy_gen) ||
		    netfence_put_rule(skb, pol, idx)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&pn->lock);

	cb->args[0] = idx;
	return skb->len;
}

static int netfence_nl_rules_done(struct netlink_callback *cb)
{
	return 0;
}

void netfence_genl_event(struct netfence_net *pn, u8 cmd, u8 reason)
{
	const struct netfence_policy *pol = netfence_net_policy(pn);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &netfence_genl_family, 0, cmd);
	if (!hdr)
		goto err_free;

	if (cmd == NETFENCE_CMD_EVT_RELEASED) {
		if (nla_put_u8(msg, NETFENCE_A_REASON, reason))
			goto err_free;
	} else if (cmd == NETFENCE_CMD_EVT_RENEWED) {
		if (netfence_net_put_deadline(msg, pn))
			goto err_free;
	} else {
		if (nla_put_u32(msg, NETFENCE_A_POLICY_GEN, pn->policy_gen) ||
		    nla_put_u32(msg, NETFENCE_A_RULE_COUNT,
				pol ? netfence_policy_count(pol) : 0))
			goto err_free;
	}
	genlmsg_end(msg, hdr);

	/* Nobody listening (-ESRCH) is not an error. */
	genlmsg_multicast_netns(&netfence_genl_family, pn->net, msg, 0, 0,
				GFP_KERNEL);
	return;

err_free:
	nlmsg_free(msg);
}

static const struct genl_ops netfence_genl_ops[] = {
	{
		.cmd = NETFENCE_CMD_STATUS_GET,
		.doit = netfence_nl_status_get,
		.policy = netfence_proto_policy,
		.maxattr = ARRAY_SIZE(netfence_proto_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_TXN_BEGIN,
		.doit = netfence_nl_txn_begin,
		.policy = netfence_txn_begin_policy,
		.maxattr = ARRAY_SIZE(netfence_txn_begin_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_TXN_ADD,
		.doit = netfence_nl_txn_add,
		.policy = netfence_txn_rules_policy,
		.maxattr = ARRAY_SIZE(netfence_txn_rules_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_TXN_DEL,
		.doit = netfence_nl_txn_del,
		.policy = netfence_txn_rules_policy,
		.maxattr = ARRAY_SIZE(netfence_txn_rules_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_TXN_COMMIT,
		.doit = netfence_nl_txn_commit,
		.policy = netfence_txn_commit_policy,
		.maxattr = ARRAY_SIZE(netfence_txn_commit_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_TXN_ABORT,
		.doit = netfence_nl_txn_abort,
		.policy = netfence_proto_policy,
		.maxattr = ARRAY_SIZE(netfence_proto_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_ISOLATE,
		.doit = netfence_nl_isolate,
		.policy = netfence_isolate_policy,
		.maxattr = ARRAY_SIZE(netfence_isolate_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_RELEASE,
		.doit = netfence_nl_release,
		.policy = netfence_release_policy,
		.maxattr = ARRAY_SIZE(netfence_release_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_RENEW,
		.doit = netfence_nl_renew,
		.policy = netfence_renew_policy,
		.maxattr = ARRAY_SIZE(netfence_renew_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_RULES_GET,
		.start = netfence_nl_rules_start,
		.dumpit = netfence_nl_rules_dump,
		.done = netfence_nl_rules_done,
		.policy = netfence_proto_policy,
		.maxattr = ARRAY_SIZE(netfence_proto_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = NETFENCE_CMD_COUNTERS_RESET,
		.doit = netfence_nl_counters_reset,
		.policy = netfence_proto_policy,
		.maxattr = ARRAY_SIZE(netfence_proto_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group netfence_genl_mcgrps[] = {
	NETFENCE_GENL_MCGRP(NETFENCE_MCGRP_EVENTS),
};

struct genl_family netfence_genl_family __ro_after_init = {
	.name = NETFENCE_GENL_NAME,
	.version = NETFENCE_GENL_VERSION,
	.netnsok = true,
	/*
	 * Requests run in parallel: everything a handler or the dump touches
	 * is the namespace's, under pn->lock, or atomic. genl_mutex would let
	 * one large commit stall every family that still uses it.
	 */
	.parallel_ops = true,
	/* Every command validates strictly, reserved header bytes included. */
	NETFENCE_GENL_RESV_START_OP(NETFENCE_CMD_STATUS_GET)
	.ops = netfence_genl_ops,
	.n_ops = ARRAY_SIZE(netfence_genl_ops),
	.mcgrps = netfence_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(netfence_genl_mcgrps),
	.module = THIS_MODULE,
};

int __init netfence_genl_init(void)
{
	return genl_register_family(&netfence_genl_family);
}

void netfence_genl_uninit(void)
{
	genl_unregister_family(&netfence_genl_family);
}
