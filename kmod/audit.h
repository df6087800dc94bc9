/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: who changed a namespace's isolation, when and why (uapi
 * "Audit trail").
 */
#ifndef _NETFENCE_AUDIT_H
#define _NETFENCE_AUDIT_H
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/netfence.h>

struct netlink_ext_ack;
struct nlattr;
struct pid;
struct sk_buff;

struct netfence_audit {
	u64 time;			/* CLOCK_REALTIME ns; 0: nothing recorded */
	struct pid *pid;		/* NULL: the kernel itself */
	kuid_t uid;
	kuid_t loginuid;
	u32 policy_gen;
	u8 action;			/* NETFENCE_ACTION_* */
	char comm[TASK_COMM_LEN];
	char comment[NETFENCE_COMMENT_MAX];
};

/* A comment must be printable text: -EINVAL with extack otherwise. */
int netfence_audit_comment_check(const struct nlattr *comment,
				 struct netlink_ext_ack *extack);

/*
 * Records action by the current task (kernel: by the kernel itself) with
 * comment, or why when no comment was given (either may be NULL).
 */
void netfence_audit_record(struct netfence_audit *a, u8 action, bool kernel,
			   const struct nlattr *comment, const char *why,
			   u32 policy_gen);
void netfence_audit_copy(struct netfence_audit *dst, const struct netfence_audit *src);
void netfence_audit_clear(struct netfence_audit *a);

/* Nests a under attrtype, as the current task sees identities. */
int netfence_audit_put(struct sk_buff *skb, int attrtype, const struct netfence_audit *a);

/* "isolated", "released", ... for log lines. */
const char *netfence_audit_action_name(u8 action);
#endif
