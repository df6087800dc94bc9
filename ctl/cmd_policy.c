// SPDX-License-Identifier: GPL-2.0
/* netfence: save and restore, in policy-file syntax. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

#define SAVE_TRIES 5

static const char save_usage[] =
	"Usage: netfence save [FILE]\n"
	"\n"
	"Write the current policy in policy-file syntax (option lines for\n"
	"non-default flags, then one rule per line) to FILE or stdout.\n"
	"'netfence restore' of that file gives back the same policy.\n";

static const char restore_usage[] =
	"Usage: netfence restore FILE [--key-file KEYFILE]\n"
	"\n"
	"Replace the policy (rules, flags, event rate) with FILE's, atomically.\n"
	"FILE is a policy file ('-': stdin). The isolation state does not\n"
	"change. While a release key is set, --key-file must give it.\n";

/* -h and -j, then up to max positional arguments. */
static int parse_args(int argc, char **argv, const char *usage, int min,
		      int max, char **pos)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int rc = -1;

	*pos = NULL;
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+:hj", opts, NULL)) != -1;) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		if (c != 'j')
			return cmd_option_error(c, argv);
	}
	if (argc - optind < min)
		return usage_error("missing FILE");
	if (argc - optind > max)
		return usage_error("unexpected argument '%s'", argv[optind + max]);
	if (optind < argc)
		*pos = argv[optind];
	return rc;
}

int cmd_save(int argc, char **argv)
{
	struct rule_vec rules = { 0 };
	struct nf_status st, st2;
	struct nf_sock s;
	char *path;
	FILE *f;
	int rc, i;

	rc = parse_args(argc, argv, save_usage, 0, 1, &path);
	if (rc >= 0)
		return rc;
	rc = nf_open(&s);
	if (rc)
		return rc;
	/* Flags and rules must come from one policy generation. */
	for (i = 0; i < SAVE_TRIES; i++) {
		rc = nf_get_status(&s, &st);
		if (!rc)
			rc = nf_get_rules(&s, &rules);
		if (!rc)
			rc = nf_get_status(&s, &st2);
		if (rc || st.policy_gen == st2.policy_gen)
			break;
	}
	if (!rc && i == SAVE_TRIES) {
		snprintf(s.extack, sizeof(s.extack),
			 "the policy kept changing, try again");
		rc = -EAGAIN;
	}
	if (rc) {
		rc = nf_report(&s, "save", rc);
		goto out;
	}
	f = path && strcmp(path, "-") ? fopen(path, "we") : stdout;
	if (!f) {
		fprintf(stderr, "netfence: save: %s: %s\n", path, strerror(errno));
		rc = EXIT_FAIL;
		goto out;
	}
	policy_write_ethertypes(f, st.ethertypes, st.n_ethertypes);
	policy_write(f, st.flags, st.event_rate, rules.v, rules.n);
	if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
		fprintf(stderr, "netfence: save: %s: %s\n",
			path ? path : "stdout", strerror(errno));
		rc = EXIT_FAIL;
	}
out:
	nf_close(&s);
	rule_vec_free(&rules);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	struct policy_spec spec = { 0 };
	const char *key_path = NULL;
	struct nf_key key;
	struct nf_sock s;
	char *path;
	int rc;

	key.set = false;
	rc = take_key_option(&argc, argv, &key_path);
	if (rc >= 0)
		goto out;
	rc = parse_args(argc, argv, restore_usage, 1, 1, &path);
	if (rc >= 0)
		goto out;
	if (key_path && !strcmp(key_path, "-") && !strcmp(path, "-")) {
		rc = usage_error("FILE - and --key-file - cannot both read stdin");
		goto out;
	}
	rc = policy_from_file(path, &spec);
	if (rc)
		goto out;
	if (key_path) {
		rc = key_from_file(key_path, &key);
		if (rc)
			goto out;
	}
	rc = nf_open(&s);
	if (!rc) {
		struct nf_txn t = {
			.set_flags = true,
			.policy_flags = policy_spec_flags(&spec, NETFENCE_POLICY_F_DEFAULT),
			.op = NETFENCE_CMD_TXN_ADD,
			.rules = spec.rules.v,
			.nrules = spec.rules.n,
			.has_event_rate = spec.has_event_rate,
			.event_rate = spec.event_rate,
			.ethertypes = spec.ethertypes,
			.n_ethertypes = spec.n_ethertypes,
			.guard = { .key = &key },
		};

		rc = nf_txn_run(&s, &t, "restore");
		nf_close(&s);
	}
out:
	key_wipe(&key);
	policy_spec_free(&spec);
	return rc;
}
