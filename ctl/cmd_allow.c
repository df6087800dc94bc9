// SPDX-License-Identifier: GPL-2.0
/* netfence: allow add/del/list/flush and show. */
#include <stdio.h>
#include <string.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

static const char allow_usage[] =
	"Usage: netfence allow add RULE...\n"
	"       netfence allow del RULE...\n"
	"       netfence [-j] allow list\n"
	"       netfence allow flush\n"
	"\n"
	"Change the allowlist of the current policy in one atomic step; the\n"
	"isolation state and the policy flags stay as they are.\n"
	"  add    allow one more rule (a hostname adds one rule per address)\n"
	"  del    remove the identical rule\n"
	"  list   the rules in policy-file syntax\n"
	"  flush  remove every rule\n"
	"\n"
	"Rule: TARGET [proto tcp|udp|icmp|icmpv6|any] [port P[-Q]] [dir out|in|both]\n"
	"      TARGET := ADDRESS[/LEN] | HOSTNAME | any | any4 | any6\n"
	"Example: netfence allow add 10.0.0.5 proto tcp port 22 dir in\n";

static const char show_usage[] =
	"Usage: netfence [-j] show\n"
	"\n"
	"The rules of the current policy with their index and hit counter.\n";

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static int allow_change(int argc, char **argv, bool add)
{
	const char *what = add ? "allow add" : "allow del";
	struct rule_vec rules = { 0 };
	char err[NF_ERR_LEN];
	struct nf_sock s;
	int rc;

	if (argc >= 2 && is_help(argv[1])) {
		fputs(allow_usage, stdout);
		return EXIT_OK;
	}
	if (rule_parse_words(argc - 1, argv + 1, &rules, err, sizeof(err))) {
		rule_vec_free(&rules);
		return usage_error("%s", err);
	}
	rc = nf_open(&s);
	if (!rc) {
		struct nf_txn t = {
			.txn_flags = NETFENCE_TXN_F_APPEND,
			.op = add ? NETFENCE_CMD_TXN_ADD : NETFENCE_CMD_TXN_DEL,
			.rules = rules.v,
			.nrules = rules.n,
		};

		rc = nf_txn_run(&s, &t, what);
		nf_close(&s);
	}
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

static int allow_flush(void)
{
	struct nf_status st;
	struct nf_sock s;
	int rc = nf_open(&s);

	if (rc)
		return rc;
	/* An empty rule set with the current flags. */
	rc = nf_get_status(&s, &st);
	if (rc) {
		rc = nf_report(&s, "allow flush", rc);
	} else {
		struct nf_txn t = {
			.set_flags = true,
			.policy_flags = st.flags,
			.op = NETFENCE_CMD_TXN_ADD,
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
	if (!strcmp(sub, "list") || !strcmp(sub, "flush")) {
		rc = simple_opts(argc - 1, argv + 1, allow_usage);
		if (rc >= 0)
			return rc;
		if (!strcmp(sub, "list"))
			return print_policy_rules("allow list", false);
		return allow_flush();
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
