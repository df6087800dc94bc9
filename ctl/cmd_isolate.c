// SPDX-License-Identifier: GPL-2.0
/* netfence: isolate and release. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

static const char isolate_usage[] =
	"Usage: netfence isolate [POLICY OPTIONS]\n"
	"\n"
	"Isolate this network namespace: every IPv4/IPv6 packet is dropped\n"
	"unless the policy allows it. Without policy options the current policy\n"
	"is used. With any, a new policy is built from them and put in force\n"
	"together with the isolation, in one atomic step.\n"
	"\n"
	"Policy options:\n"
	"  -f, --file FILE       rules and options from a policy file ('-': stdin)\n"
	"  -a, --allow 'RULE'    allow RULE (repeatable)\n"
	"      --dns auto        allow the nameservers of /etc/resolv.conf\n"
	"                        (udp and tcp port 53, dir out)\n"
	"      --no-nd           no IPv6 neighbour discovery\n"
	"      --no-dhcp4        no DHCPv4 client traffic\n"
	"      --no-dhcp6        no DHCPv6 client traffic\n"
	"      --no-icmp-errors  no ICMP errors about allowed flows\n"
	"      --audit           count what would be dropped, drop nothing\n"
	"      --keep            start from the current policy, not an empty one\n"
	"\n"
	"Rule: TARGET [proto tcp|udp|icmp|icmpv6|any] [port P[-Q]] [dir out|in|both]\n"
	"Example: netfence isolate -a '192.0.2.10 proto tcp port 22 dir in' --dns auto\n";

static const char release_usage[] =
	"Usage: netfence release\n"
	"\n"
	"End the isolation of this network namespace. The policy is kept and\n"
	"used again by a later 'netfence isolate'.\n";

enum {
	OPT_DNS = 256,
	OPT_NO_ND,
	OPT_NO_DHCP4,
	OPT_NO_DHCP6,
	OPT_NO_ICMP_ERR,
	OPT_AUDIT,
	OPT_KEEP,
};

static int read_policy_file(const char *path, struct policy_spec *p)
{
	char err[NF_ERR_LEN];
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "re");
	int rc;

	if (!f) {
		fprintf(stderr, "netfence: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	rc = policy_parse_file(f, is_stdin ? "stdin" : path, p, err, sizeof(err));
	if (!is_stdin)
		fclose(f);
	if (rc) {
		fprintf(stderr, "netfence: %s\n", err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int policy_from_file(const char *path, struct policy_spec *p)
{
	return read_policy_file(path, p);
}

/*
 * Warns (never refuses) when the policy about to be in force has no rule
 * for the SSH session this command runs in: responders lock themselves
 * out of remote hosts that way. Returns an exit code.
 */
static int warn_ssh_lockout(struct nf_sock *s, bool with_policy, bool keep,
			    struct policy_spec *spec)
{
	const char *ssh = getenv("SSH_CONNECTION");
	struct rule_vec cur = { 0 };
	struct nf_status st;
	char msg[NF_ERR_LEN];
	uint32_t flags;
	int rc;

	if (!ssh || !*ssh)
		return EXIT_OK;
	rc = nf_get_status(s, &st);
	if (rc)
		return nf_report(s, "isolate", rc);
	flags = with_policy ? policy_spec_flags(spec, keep ? st.flags :
						NETFENCE_POLICY_F_DEFAULT) : st.flags;
	if (flags & NETFENCE_POLICY_F_AUDIT)
		return EXIT_OK;
	if (!with_policy || keep) {
		rc = nf_get_rules(s, &cur);
		if (rc) {
			rule_vec_free(&cur);
			return nf_report(s, "isolate", rc);
		}
	}
	for (size_t i = 0; with_policy && i < spec->rules.n; i++) {
		if (rule_vec_push(&cur, &spec->rules.v[i])) {
			rule_vec_free(&cur);
			fprintf(stderr, "netfence: out of memory\n");
			return EXIT_FAIL;
		}
	}
	if (ssh_session_cut(ssh, cur.v, cur.n, msg, sizeof(msg)))
		fprintf(stderr, "netfence: %s\n", msg);
	rule_vec_free(&cur);
	return EXIT_OK;
}

int cmd_isolate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "allow", required_argument, NULL, 'a' },
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "no-nd", no_argument, NULL, OPT_NO_ND },
		{ "no-dhcp4", no_argument, NULL, OPT_NO_DHCP4 },
		{ "no-dhcp6", no_argument, NULL, OPT_NO_DHCP6 },
		{ "no-icmp-errors", no_argument, NULL, OPT_NO_ICMP_ERR },
		{ "audit", no_argument, NULL, OPT_AUDIT },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_spec spec = { 0 };
	struct nf_sock s = { 0 };
	bool with_policy = false, keep = false;
	uint32_t cli_set = 0, cli_clear = 0;
	char err[NF_ERR_LEN];
	int c, rc = EXIT_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hjf:a:", opts, NULL)) != -1) {
		if (c != 'h' && c != 'j' && c != '?' && c != ':')
			with_policy = true;
		switch (c) {
		case 'h':
			fputs(isolate_usage, stdout);
			goto out;
		case 'j':
			g_opts.json = true;
			break;
		case 'f':
			rc = read_policy_file(optarg, &spec);
			if (rc)
				goto out;
			break;
		case 'a':
			if (rule_parse_string(optarg, &spec.rules, err, sizeof(err))) {
				rc = usage_error("%s", err);
				goto out;
			}
			break;
		case OPT_DNS:
			if (strcmp(optarg, "auto")) {
				rc = usage_error("bad --dns value '%s' (only 'auto')", optarg);
				goto out;
			}
			if (dns_auto(NULL, &spec.rules, err, sizeof(err))) {
				fprintf(stderr, "netfence: %s\n", err);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_NO_ND:
			cli_clear |= NETFENCE_POLICY_F_ND;
			break;
		case OPT_NO_DHCP4:
			cli_clear |= NETFENCE_POLICY_F_DHCP4;
			break;
		case OPT_NO_DHCP6:
			cli_clear |= NETFENCE_POLICY_F_DHCP6;
			break;
		case OPT_NO_ICMP_ERR:
			cli_clear |= NETFENCE_POLICY_F_ICMP_ERR;
			break;
		case OPT_AUDIT:
			cli_set |= NETFENCE_POLICY_F_AUDIT;
			break;
		case OPT_KEEP:
			keep = true;
			break;
		default:
			rc = cmd_option_error(c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = usage_error("unexpected argument '%s' (rules go after -a)",
				 argv[optind]);
		goto out;
	}
	/* Command-line switches win over the policy file's option lines. */
	spec.set = (spec.set & ~cli_clear) | cli_set;
	spec.clear = (spec.clear & ~cli_set) | cli_clear;

	rc = nf_open(&s);
	if (rc)
		goto out;
	rc = warn_ssh_lockout(&s, with_policy, keep, &spec);
	if (rc)
		goto out;
	if (!with_policy) {
		rc = nf_simple(&s, NETFENCE_CMD_ISOLATE, 0, 0);
		rc = rc ? nf_report(&s, "isolate", rc) : EXIT_OK;
	} else {
		struct nf_txn t = {
			.txn_flags = keep ? NETFENCE_TXN_F_APPEND : 0,
			.set_flags = true,
			.op = NETFENCE_CMD_TXN_ADD,
			.rules = spec.rules.v,
			.nrules = spec.rules.n,
			.commit_flags = NETFENCE_COMMIT_F_ISOLATE,
		};
		uint32_t base = NETFENCE_POLICY_F_DEFAULT;

		if (keep) {
			struct nf_status st;

			rc = nf_get_status(&s, &st);
			if (rc) {
				rc = nf_report(&s, "isolate", rc);
				goto out;
			}
			base = st.flags;
		}
		t.policy_flags = policy_spec_flags(&spec, base);
		rc = nf_txn_run(&s, &t, "isolate");
	}
out:
	nf_close(&s);
	policy_spec_free(&spec);
	return rc;
}

int cmd_release(int argc, char **argv)
{
	struct nf_sock s;
	int rc = simple_opts(argc, argv, release_usage);

	if (rc >= 0)
		return rc;
	rc = nf_open(&s);
	if (rc)
		return rc;
	rc = nf_simple(&s, NETFENCE_CMD_RELEASE, 0, 0);
	rc = rc ? nf_report(&s, "release", rc) : EXIT_OK;
	nf_close(&s);
	return rc;
}
