// SPDX-License-Identifier: GPL-2.0
/* netfence: apply, the namespace made what a policy file says. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfence.h>

#include "diff.h"
#include "netfence.h"
#include "nl.h"

static const char apply_usage[] =
	"Usage: netfence apply FILE [--check] [--diff] [--key-file KEYFILE]\n"
	"                      [--comment TEXT] [--force] [--boot]\n"
	"\n"
	"Make the namespace exactly what the policy file FILE ('-': stdin)\n"
	"says: isolated or released (isolate yes|no), its deadline (timeout\n"
	"DUR), options and rules. What already is so is left alone: when\n"
	"nothing differs, nothing is committed (the policy generation and the\n"
	"hit counters stay) and the exit status is 0; after a change it is 5.\n"
	"  --check           compute the change and have the kernel check the\n"
	"                    rules, commit nothing (exit 5: would change)\n"
	"  --diff            print the lines removed (- ) and added (+ )\n"
	"  --key-file FILE   the release key, while one is set (as release)\n"
	"  --comment TEXT    why, kept with who and when (netfence status)\n"
	"  --force           even if that cuts this SSH session (without it,\n"
	"                    only with a timeout line)\n"
	"  --boot            refuse what cannot work at boot, before the network\n"
	"                    is up (hostnames, dns auto): check a boot policy\n"
	"                    with --check --boot\n"
	"A key line (as save writes it) sets the release key by its digest where\n"
	"none is set; a key in force cannot be read back, so it is kept.\n"
	"  -j, --json        the change as JSON\n";

enum { OPT_CHECK = 256, OPT_DIFF, OPT_KEY_FILE, OPT_COMMENT, OPT_FORCE, OPT_BOOT };

/*
 * Lock-out guard for the state about to be in force: refused (EXIT_USAGE)
 * when it cuts the caller's SSH session with no deadline to undo it and
 * no --force; -1 to go on.
 */
static int lockout_guard(const struct policy_state *cur, const struct policy_spec *spec,
			 const struct policy_diff *d, bool force)
{
	const char *ssh = getenv("SSH_CONNECTION");
	char msg[NF_ERR_LEN];
	bool deadline;

	if (!ssh || !*ssh || (d->flags & NETFENCE_POLICY_F_AUDIT))
		return -1;
	if (!d->isolate_to && !(cur->isolated && !d->isolate_from && d->policy_changed))
		return -1;
	if (!ssh_session_cut(ssh, spec->rules.v, spec->rules.n, msg, sizeof(msg)))
		return -1;
	deadline = d->timeout_op == DIFF_TIMEOUT_SET ? d->timeout > 0 :
		   d->timeout_op == DIFF_TIMEOUT_KEEP && cur->isolated && cur->has_deadline;
	return ssh_lockout_verdict("apply", msg, deadline, force);
}

/* Puts the change d in force. Returns an exit code, errors printed. */
static int apply_change(struct nf_sock *s, const struct policy_spec *spec,
			const struct policy_diff *d, const struct nf_key *key,
			const char *comment, bool check)
{
	struct nf_guard g = { .key = key, .comment = comment };
	struct nf_txn t = {
		.set_flags = true,
		.policy_flags = d->flags,
		.op = NETFENCE_CMD_TXN_ADD,
		.rules = spec->rules.v,
		.nrules = spec->rules.n,
		.has_event_rate = true,
		.event_rate = d->event_rate,
		.ethertypes = spec->ethertypes,
		.n_ethertypes = spec->n_ethertypes,
		.check = check,
	};
	int rc;

	if (check)
		return d->policy_changed ? nf_txn_run(s, &t, "apply") : EXIT_OK;
	if (d->key_set)
		g.key_digest = spec->key_digest;
	if (d->timeout_op != DIFF_TIMEOUT_KEEP) {
		g.has_timeout = true;
		g.timeout = d->timeout_op == DIFF_TIMEOUT_SET ? d->timeout : 0;
	}
	if (d->isolate_to) {
		if (d->policy_changed) {
			/* The new policy and the isolation in one step. */
			t.commit_flags = NETFENCE_COMMIT_F_ISOLATE;
			t.guard = g;
			return nf_txn_run(s, &t, "apply");
		}
		rc = nf_guarded(s, NETFENCE_CMD_ISOLATE, &g);
		return rc ? nf_report(s, "apply", rc) : EXIT_OK;
	}
	/* Release: the policy first, so a refused policy releases nothing. */
	if (d->policy_changed) {
		t.guard.key = key;
		t.guard.comment = comment;
		rc = nf_txn_run(s, &t, "apply");
		if (rc)
			return rc;
	}
	if (d->isolate_from) {
		g.has_timeout = false;
		rc = nf_guarded(s, NETFENCE_CMD_RELEASE, &g);
		if (rc)
			return nf_report(s, "apply", rc);
	}
	return EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "diff", no_argument, NULL, OPT_DIFF },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "boot", no_argument, NULL, OPT_BOOT },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_spec spec = { 0 };
	struct rule_vec cur_rules = { 0 };
	struct policy_diff d = { 0 };
	struct policy_state cur;
	struct nf_sock s = { 0 };
	struct nf_status st;
	struct nf_key key;
	const char *path, *key_path = NULL, *comment = NULL;
	bool check = false, diff = false, force = false;
	char err[NF_ERR_LEN], sum[256];
	int c, rc;

	key.set = false;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":hj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(apply_usage, stdout);
			return EXIT_OK;
		case 'j':
			g_opts.json = true;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_DIFF:
			diff = true;
			break;
		case OPT_KEY_FILE:
			if (key_path)
				return usage_error("--key-file given twice");
			key_path = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_BOOT:
			spec.boot = true;
			rule_resolve = rule_resolve_boot;
			break;
		case OPT_COMMENT:
			rc = comment_option(optarg, &comment);
			if (rc)
				return rc;
			break;
		default:
			return cmd_option_error(c, argv);
		}
	}
	if (optind >= argc)
		return usage_error("missing FILE");
	if (argc - optind > 1)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	path = argv[optind];
	if (key_path && !strcmp(key_path, "-") && !strcmp(path, "-"))
		return usage_error("FILE - and --key-file - cannot both read stdin");

	rc = policy_from_file(path, &spec);
	if (rc)
		goto out;
	if (key_path) {
		rc = key_from_file(key_path, &key);
		if (rc)
			goto out;
	}
	rc = nf_open(&s);
	if (rc)
		goto out;
	rc = nf_get_policy(&s, &st, &cur_rules);
	if (rc) {
		rc = nf_report(&s, "apply", rc);
		goto out;
	}
	cur = (struct policy_state) {
		.isolated = st.isolated,
		.flags = st.flags,
		.event_rate = st.has_event_rate ? st.event_rate :
			NETFENCE_EVENT_RATE_DEFAULT,
		.n_ethertypes = st.n_ethertypes,
		.has_deadline = st.has_timeout_left,
		.timeout_left_ms = st.timeout_left_ms,
		.key_set = st.key_required,
		.rules = cur_rules.v,
		.nrules = cur_rules.n,
	};
	memcpy(cur.ethertypes, st.ethertypes, sizeof(cur.ethertypes));
	if (policy_diff_compute(&cur, &spec, &d, err, sizeof(err))) {
		fprintf(stderr, "netfence: apply: %s\n", err);
		rc = EXIT_FAIL;
		goto out;
	}
	rc = lockout_guard(&cur, &spec, &d, force);
	if (rc >= 0)
		goto out;
	if (d.changed) {
		rc = apply_change(&s, &spec, &d, &key, comment, check);
		if (rc)
			goto out;
	}
	if (g_opts.json) {
		policy_diff_json(stdout, &cur, &d, check);
	} else {
		if (diff)
			policy_diff_print(stdout, &cur, &d);
		policy_diff_summary(sum, sizeof(sum), &d);
		printf("%s%s\n", check && d.changed ? "would change: " :
		       d.changed ? "changed: " : "", sum);
		if (!check && d.timeout_op == DIFF_TIMEOUT_SET) {
			char left[64];

			format_duration_ms((uint64_t)d.timeout * 1000, left, sizeof(left));
			fprintf(stderr, "netfence: releases by itself in %s unless renewed (%s)\n",
				left, renew_hint());
		}
	}
	if (fflush(stdout)) {
		rc = EXIT_FAIL;
		goto out;
	}
	rc = d.changed ? EXIT_CHANGED : EXIT_OK;
out:
	key_wipe(&key);
	nf_close(&s);
	policy_diff_free(&d);
	rule_vec_free(&cur_rules);
	policy_spec_free(&spec);
	return rc;
}
