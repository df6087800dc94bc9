/* SPDX-License-Identifier: GPL-2.0 */
/* netfence: generic-netlink requests to the kernel module. */
#ifndef NETFENCE_NL_H
#define NETFENCE_NL_H

#include <stdint.h>

#include "output.h"
#include "rule.h"

struct nl_sock;
struct nl_msg;

struct nf_sock {
	struct nl_sock *sk;
	int family;
	char extack[256];	/* kernel's message for the last error */
};

/* Enters the target netns, opens the socket, resolves the family. Exit code. */
int nf_open(struct nf_sock *s);
void nf_close(struct nf_sock *s);

/*
 * Prints "netfence: WHAT: <extack or strerror>" (or the permission
 * message) for a negative errno and returns the exit code.
 */
int nf_report(const struct nf_sock *s, const char *what, int err);

/* Simple request with only NETFENCE_A_PROTO (+ optional u32 attr). */
int nf_simple(struct nf_sock *s, uint8_t cmd, int attr, uint32_t val);

/* Deadline, release key and comment carried by ISOLATE, COMMIT, RELEASE, RENEW. */
struct nf_guard {
	bool has_timeout;
	uint32_t timeout;		/* NETFENCE_A_TIMEOUT, seconds */
	const struct nf_key *key;	/* NETFENCE_A_KEY if set */
	const uint8_t *key_digest;	/* NETFENCE_A_KEY_DIGEST if not NULL */
	const char *comment;		/* NETFENCE_A_COMMENT if not NULL */
};

/* Request with NETFENCE_A_PROTO and the guard's attributes. */
int nf_guarded(struct nf_sock *s, uint8_t cmd, const struct nf_guard *g);

/*
 * Joins the "events" multicast group and prints every event until
 * SIGINT/SIGTERM or count events (0: no limit), each with the time (stamp)
 * and the namespace's name netns (unless NULL). Returns an exit code.
 */
int nf_monitor(struct nf_sock *s, bool json, bool stamp, const char *netns,
	       unsigned long count);

int nf_get_status(struct nf_sock *s, struct nf_status *st);
int nf_get_rules(struct nf_sock *s, struct rule_vec *out);
/*
 * Status and rules of one policy generation (retried while commits race
 * with the reads). Returns 0 or a negative errno, message in s->extack.
 */
int nf_get_policy(struct nf_sock *s, struct nf_status *st, struct rule_vec *out);

struct nf_txn {
	uint32_t txn_flags;	/* NETFENCE_TXN_F_* */
	bool set_flags;		/* send NETFENCE_A_POLICY_FLAGS */
	uint32_t policy_flags;
	uint8_t op;		/* NETFENCE_CMD_TXN_ADD or _DEL */
	const struct nf_rule *rules;
	size_t nrules;
	uint32_t commit_flags;	/* NETFENCE_COMMIT_F_* */
	bool has_event_rate;	/* NETFENCE_A_EVENT_RATE on TXN_BEGIN */
	uint32_t event_rate;
	const uint16_t *ethertypes;	/* NETFENCE_A_ETHERTYPES on TXN_BEGIN */
	size_t n_ethertypes;
	struct nf_guard guard;	/* on TXN_COMMIT */
	bool check;		/* ABORT instead of COMMIT: the kernel checks the rules */
};

/*
 * BEGIN, ADD/DEL in batches, COMMIT (ABORT with check); ABORT on failure. Returns an exit
 * code, error already printed with WHAT.
 */
int nf_txn_run(struct nf_sock *s, const struct nf_txn *t, const char *what);

#endif
