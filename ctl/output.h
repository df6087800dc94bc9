/* SPDX-License-Identifier: GPL-2.0 */
/* netfence: human and JSON rendering of kernel state (no netlink here). */
#ifndef NETFENCE_OUTPUT_H
#define NETFENCE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "rule.h"

#define NF_MAX_COUNTERS 16

struct nf_counter {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t hook;		/* NETFENCE_HOOK_* */
	uint64_t accept_pkts, accept_bytes, drop_pkts, drop_bytes;
};

/* An audit record (uapi "Audit trail"); set: one was reported. */
struct nf_audit {
	bool set;
	uint8_t action;		/* NETFENCE_ACTION_* */
	uint64_t time_ns;	/* since the epoch */
	uint32_t policy_gen;
	bool by_kernel;		/* no sender: deadline, isolate_on_load */
	uint32_t uid;
	bool has_loginuid;
	uint32_t loginuid;
	bool has_pid;
	uint32_t pid;
	char comm[16];
	char comment[NETFENCE_COMMENT_MAX];
};

struct nf_status {
	bool isolated;
	uint32_t policy_gen;
	uint32_t rule_count;
	uint32_t flags;		/* NETFENCE_POLICY_F_* */
	uint32_t features;	/* NETFENCE_FEAT_* */
	uint32_t isolated_netns;
	uint32_t hooks_registered;
	bool stateful;		/* replies checked against conntrack */
	uint32_t link_devices;	/* devices under the link-layer stage */
	size_t n_ethertypes;
	uint16_t ethertypes[NETFENCE_ETHERTYPES_MAX];
	uint64_t policy_mem;
	bool has_timeout_left;	/* a deadline is set */
	uint64_t timeout_left_ms;
	bool key_required;
	bool has_event_rate;
	uint32_t event_rate;
	const char *renew_cmd;	/* hint after the deadline; NULL: "netfence renew" */
	const char *module_version;	/* of the loaded module; NULL: unknown */
	const char *policy_digest;	/* policy_digest(); NULL: not computed */
	uint64_t now_ns;		/* when read (epoch): for the deadline's time */
	struct nf_audit isolated_by;
	struct nf_audit last_change;
	size_t ncounters;
	struct nf_counter counters[NF_MAX_COUNTERS];
};

void print_status(FILE *f, const struct nf_status *st, bool json);
void print_counters(FILE *f, const struct nf_status *st, bool json);
/* show: with hits; allow list: policy-file syntax (json: same shape). */
void print_rules(FILE *f, const struct nf_rule *rules, size_t n, bool json,
		 bool hits);

struct nlmsghdr;
/*
 * One event of the "events" multicast group as one line (human, or one
 * JSON object). Returns 1 if printed, 0 if not an event of netfence's,
 * -1 if malformed.
 */
int print_event(FILE *f, struct nlmsghdr *nlh, bool json);
/*
 * print_event() with ts (local time, ISO 8601) and the namespace's name in
 * front, each when not NULL.
 */
int print_event_stamped(FILE *f, struct nlmsghdr *nlh, bool json,
			const struct timespec *ts, const char *netns);

#endif
