/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: what "netfence apply" changes, from the namespace's state and a
 * policy file. Pure computation and rendering, no netlink here.
 */
#ifndef NETFENCE_DIFF_H
#define NETFENCE_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rule.h"

/* The namespace as the kernel reports it (status and rule dump). */
struct policy_state {
	bool isolated;
	uint32_t flags;			/* NETFENCE_POLICY_F_* */
	uint32_t event_rate;
	size_t n_ethertypes;
	uint16_t ethertypes[NETFENCE_ETHERTYPES_MAX];
	bool has_deadline;
	uint64_t timeout_left_ms;
	bool key_set;			/* a release key is in force */
	const struct nf_rule *rules;
	size_t nrules;
};

enum {
	DIFF_TIMEOUT_KEEP,	/* the deadline (or its absence) stays */
	DIFF_TIMEOUT_SET,	/* a deadline of timeout seconds is armed */
	DIFF_TIMEOUT_CLEAR,	/* the deadline is removed */
};

/* Flags, event rate and EtherTypes as "option ..." lines, at most: */
#define DIFF_OPTION_MAX (32 + 1 + NETFENCE_ETHERTYPES_MAX)
#define DIFF_OPTION_LEN 48

struct policy_diff {
	bool changed;		/* anything at all */
	bool policy_changed;	/* rules, flags, event rate or EtherTypes */
	bool isolate_from, isolate_to;
	int timeout_op;		/* DIFF_TIMEOUT_* */
	uint32_t timeout;	/* seconds, with DIFF_TIMEOUT_SET */
	/*
	 * The file's key line sets a release key: only where none is in
	 * force (a key in force cannot be read back to compare).
	 */
	bool key_set;
	/* What the new policy is, whether or not it changed. */
	uint32_t flags;
	uint32_t event_rate;
	/* Borrowed from the state (removed) and the spec (added). */
	const struct nf_rule **added, **removed;
	size_t n_added, n_removed;
	char opt_added[DIFF_OPTION_MAX][DIFF_OPTION_LEN];
	char opt_removed[DIFF_OPTION_MAX][DIFF_OPTION_LEN];
	size_t n_opt_added, n_opt_removed;
};

/* Total order on rules, consistent with rule_equal. */
int rule_cmp(const struct nf_rule *a, const struct nf_rule *b);

/*
 * What it takes to make cur what want says. The file's rules form a set
 * (duplicates count once), flags, event rate and EtherTypes are the
 * file's or the defaults (as restore), isolation and deadline change only
 * when the file has an isolate or timeout line. A timeout DUR leaves a
 * deadline that is already set alone (renew moves it); timeout 0 removes
 * it. A key line sets a key where the namespace ends isolated without one. Returns 0, or -1 (out of memory) with a message in err.
 */
int policy_diff_compute(const struct policy_state *cur,
			const struct policy_spec *want, struct policy_diff *d,
			char *err, size_t errlen);
void policy_diff_free(struct policy_diff *d);

/* "- old" / "+ new" lines: isolation, deadline, options, then rules. */
void policy_diff_print(FILE *f, const struct policy_state *cur,
		       const struct policy_diff *d);
/*
 * {"changed":..,"isolated":{"from":..,"to":..},"added":[..],"removed":[..],
 *  "options":{"added":[..],"removed":[..]},"timeout":{"from":..,"to":..}}
 * (plus "check":true with check).
 */
void policy_diff_json(FILE *f, const struct policy_state *cur,
		      const struct policy_diff *d, bool check);
/* One line: "no change" or what changes ("isolate, 2 rules added, ..."). */
void policy_diff_summary(char *buf, size_t len, const struct policy_diff *d);

#endif
