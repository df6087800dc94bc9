// SPDX-License-Identifier: GPL-2.0
/* netfence: allow add/del/list/flush and show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

static const char allow_usage[] =
	"Usage: netfence allow add [--exist] RULE... [--key-file FILE]\n"
	"       netfence allow del [--exist] RULE... [--key-file FILE]\n"
	"       netfence [-j] allow list\n"
	"       netfence allow flush [--key-file FILE]\n"
	"\n"
	"Change the allowlist of the current policy in one atomic step; the\n"
	"isolation state and the policy flags stay as they are.\n"
	"  add    allow one more rule (a hostname adds one rule per address)\n"
	"  del    remove the identical rule\n"
	"  --exist  no error and no commit when the rules already are present\n"
	"           (add) or absent (del)\n"
	"  list   the rules in policy-file syntax\n"
	"  flush  remove every rule\n"
	"While a release key is set, changes need it: --key-file FILE.\n"
	"\n"
	"Rule: TARGET [proto tcp|udp|icmp|icmpv6|any] [port P[-Q]] [dir out|in|both]\n"
	"             [uid N[-M]] [cgroup PATH]\n"
	"      TARGET := ADDRESS[/LEN] | HOSTNAME | any | any4 | any6\n"
	"      (no TARGET before uid or cgroup: any remote address)\n"
	"Examples: netfence allow add 10.0.0.5 proto tcp port 22 dir in\n"
	"          netfence allow add cgroup /system.slice/edr-agent.service\n";

static const char show_usage[] =
	"Usage: netfence [-j] show\n"
	"\n"
	"The rules of the current policy with their index and hit counter.\n";

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* Takes every "--exist" out of argv. Returns whether there was one. */
static bool take_exist_option(int *argc, char **argv)
{
	bool found = false;

	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--exist"))
			continue;
		memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof(*argv));
		(*argc)--;
		i--;
		found = true;
	}
	return found;
}

/*
 * --exist: keeps in rules only those that change the policy (add: absent
 * ones; del: present ones). Returns 0 or a negative errno.
 */
static int drop_no_ops(struct nf_sock *s, struct rule_vec *rules, bool add)
{
	struct rule_vec cur = { 0 };
	size_t n = 0;
	int rc = nf_get_rules(s, &cur);

	if (rc)
		goto out;
	for (size_t i = 0; i < rules->n; i++) {
		bool present = false;

		for (size_t j = 0; j < cur.n && !present; j++)
			present = rule_equal(&rules->v[i], &cur.v[j]);
		if (present == add) {
			free((void *)rules->v[i].cgroup);
			continue;
		}
		rules->v[n++] = rules->v[i];
	}
	rules->n = n;
out:
	rule_vec_free(&cur);
	return rc;
}

static int allow_change(int argc, char **argv, bool add)
{
	const char *what = add ? "allow add" : "allow del";
	const char *key_path = NULL;
	struct rule_vec rules = { 0 };
	char err[NF_ERR_LEN];
	struct nf_key key;
	struct nf_sock s;
	bool exist;
	int rc;

	key.set = false;
	if (argc >= 2 && is_help(argv[1])) {
		fputs(allow_usage, stdout);
		return EXIT_OK;
	}
	exist = take_exist_option(&argc, argv);
	rc = take_key_option(&argc, argv, &key_path);
	if (rc >= 0)
		goto out;
	if (rule_parse_words(argc - 1, argv + 1, &rules, err, sizeof(err))) {
		rc = usage_error("%s", err);
		goto out;
	}
	if (key_path) {
		rc = key_from_file(key_path, &key);
		if (rc)
			goto out;
	}
	rc = nf_open(&s);
	if (!rc && exist) {
		rc = drop_no_ops(&s, &rules, add);
		if (rc)
			rc = nf_report(&s, what, rc);
		else if (!rules.n)
			rc = EXIT_OK;	/* already so: nothing to commit */
		else
			rc = -1;
		if (rc >= 0)
			nf_close(&s);
	} else if (!rc) {
		rc = -1;
	}
	if (rc < 0) {
		struct nf_txn t = {
			/* Removed by someone else since the dump: not an error. */
			.txn_flags = NETFENCE_TXN_F_APPEND |
				     (exist && !add ? NETFENCE_TXN_F_DEL_ABSENT : 0),
			.op = add ? NETFENCE_CMD_TXN_ADD : NETFENCE_CMD_TXN_DEL,
			.rules = rules.v,
			.nrules = rules.n,
			.guard = { .key = &key },
		};

		rc = nf_txn_run(&s, &t, what);
		nf_close(&s);
	}
out:
	key_wipe(&key);
	rule_vec_free(&rules);
	return rc;
}

static int print_policy_rules(const char *what, bool hits)
{
	struct rule_vec rules = { 0 };
	struct nf_sock s;
	int rc = nf_open(&s);

	if (rc)
		return rc;
	rc = nf_get_rules(&s, &rules);
	if (rc) {
		rc = nf_report(&s, what, rc);
	} else {
		print_rules(stdout, rules.v, rules.n, g_opts.json, hits);
		rc = EXIT_OK;
	}
	nf_close(&s);
	rule_vec_free(&rules);
	return rc;
}

static int allow_flush(const struct nf_key *key)
{
	struct nf_status st;
	struct nf_sock s;
	int rc = nf_open(&s);

	if (rc)
		return rc;
	/* An empty rule set with the current flags and event rate. */
	rc = nf_get_status(&s, &st);
	if (rc) {
		rc = nf_report(&s, "allow flush", rc);
	} else {
		struct nf_txn t = {
			.set_flags = true,
			.policy_flags = st.flags,
			.op = NETFENCE_CMD_TXN_ADD,
			.has_event_rate = st.has_event_rate,
			.event_rate = st.event_rate,
			.guard = { .key = key },
		};

		rc = nf_txn_run(&s, &t, "allow flush");
	}
	nf_close(&s);
	return rc;
}

int cmd_allow(int argc, char **argv)
{
	const char *sub;
	int rc;

	if (argc < 2)
		return usage_error("missing subcommand (add, del, list or flush)");
	sub = argv[1];
	if (is_help(sub)) {
		fputs(allow_usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(sub, "add"))
		prog_cmd = "netfence allow add";
	else if (!strcmp(sub, "del"))
		prog_cmd = "netfence allow del";
	if (!strcmp(sub, "add") || !strcmp(sub, "del"))
		return allow_change(argc - 1, argv + 1, !strcmp(sub, "add"));
	if (!strcmp(sub, "list"))  {
		rc = simple_opts(argc - 1, argv + 1, allow_usage);
		if (rc >= 0)
			return rc;
		return print_policy_rules("allow list", false);
	}
	if (!strcmp(sub, "flush")) {
		const char *key_path = NULL;
		struct nf_key key;

		key.set = false;
		argc--;
		argv++;
		rc = take_key_option(&argc, argv, &key_path);
		if (rc < 0)
			rc = simple_opts(argc, argv, allow_usage);
		if (rc < 0 && key_path && key_from_file(key_path, &key))
			rc = EXIT_USAGE;
		if (rc < 0)
			rc = allow_flush(&key);
		key_wipe(&key);
		return rc;
	}
	return usage_error("unknown subcommand '%s' (add, del, list or flush)", sub);
}

int cmd_show(int argc, char **argv)
{
	int rc = simple_opts(argc, argv, show_usage);

	if (rc >= 0)
		return rc;
	return print_policy_rules("show", true);
}
