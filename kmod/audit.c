// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the audit trail of a namespace's isolation. Records are kept
 * under the namespace's lock; identities are stored as kernel objects
 * (kuid_t, struct pid) and translated for each reader.
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>
#include <net/netlink.h>
#include "audit.h"
#include "compat.h"

int netfence_audit_comment_check(const struct nlattr *comment,
				 struct netlink_ext_ack *extack)
{
	const char *s;
	int i;

	if (!comment)
		return 0;
	s = nla_data(comment);
	/* The policy made it a NUL-terminated string of bounded length. */
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			NL_SET_ERR_MSG_ATTR(extack, comment,
					    "NETFENCE_A_COMMENT: control character in comment");
			return -EINVAL;
		}
	}
	return 0;
}

void netfence_audit_clear(struct netfence_audit *a)
{
	put_pid(a->pid);
	memset(a, 0, sizeof(*a));
}

void netfence_audit_record(struct netfence_audit *a, u8 action, bool kernel,
			   const struct nlattr *comment, const char *why,
			   u32 policy_gen)
{
	netfence_audit_clear(a);
	a->time = ktime_get_real_ns();
	a->action = action;
	a->policy_gen = policy_gen;
	a->uid = INVALID_UID;
	a->loginuid = INVALID_UID;
	if (!kernel) {
		a->pid = get_task_pid(current, PIDTYPE_TGID);
		a->uid = current_euid();
		a->loginuid = audit_get_loginuid(current);
		get_task_comm(a->comm, current);
	}
	if (comment)
		nla_strscpy(a->comment, comment, sizeof(a->comment));
	else if (why)
		strscpy(a->comment, why, sizeof(a->comment));
}

void netfence_audit_copy(struct netfence_audit *dst, const struct netfence_audit *src)
{
	netfence_audit_clear(dst);
	*dst = *src;
	get_pid(dst->pid);
}

int netfence_audit_put(struct sk_buff *skb, int attrtype, const struct netfence_audit *a)
{
	struct user_namespace *ns = current_user_ns();
	struct nlattr *nest;
	pid_t pid;

	if (!a->time)
		return 0;
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, NETFENCE_AUDIT_A_ACTION, a->action) ||
	    nla_put_u64_64bit(skb, NETFENCE_AUDIT_A_TIME, a->time, NETFENCE_AUDIT_A_PAD) ||
	    nla_put_u32(skb, NETFENCE_AUDIT_A_POLICY_GEN, a->policy_gen))
		goto err;
	if (a->pid) {
		pid = pid_nr_ns(a->pid, task_active_pid_ns(current));
		if ((pid && nla_put_u32(skb, NETFENCE_AUDIT_A_PID, pid)) ||
		    nla_put_u32(skb, NETFENCE_AUDIT_A_UID, from_kuid_munged(ns, a->uid)) ||
		    nla_put_string(skb, NETFENCE_AUDIT_A_COMM, a->comm))
			goto err;
		if (uid_valid(a->loginuid) &&
		    nla_put_u32(skb, NETFENCE_AUDIT_A_LOGINUID,
				from_kuid_munged(ns, a->loginuid)))
			goto err;
	}
	if (a->comment[0] && nla_put_string(skb, NETFENCE_AUDIT_A_COMMENT, a->comment))
		goto err;
	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

const char *netfence_audit_action_name(u8 action)
{
	switch (action) {
	case NETFENCE_ACTION_ISOLATE:
		return "isolated";
	case NETFENCE_ACTION_COMMIT:
		return "policy committed";
	case NETFENCE_ACTION_RELEASE:
		return "released";
	case NETFENCE_ACTION_RENEW:
		return "deadline renewed";
	case NETFENCE_ACTION_DEADLINE:
		return "released at its deadline";
	}
	return "changed";
}
