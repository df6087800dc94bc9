// SPDX-License-Identifier: GPL-2.0
/* netfence: isolate, release and renew. */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
	"  -f, --file FILE       rules and options from a policy file ('-': stdin;\n"
	"                        its timeout line, if any, as --timeout)\n"
	"  -a, --allow 'RULE'    allow RULE (repeatable)\n"
	"      --dns auto        allow the nameservers of /etc/resolv.conf\n"
	"                        (udp and tcp port 53, dir out)\n"
	"      --no-nd           no IPv6 neighbour discovery\n"
	"      --no-dhcp4        no DHCPv4 client traffic\n"
	"      --no-dhcp6        no DHCPv6 client traffic\n"
	"      --no-icmp-errors  no ICMP errors about allowed flows\n"
	"      --audit           count what would be dropped, drop nothing\n"
	"      --reject          answer local programs at once (TCP RST, ICMP\n"
	"                        unreachable) instead of dropping silently\n"
	"      --log             a kernel log line per drop (rate-limited)\n"
	"      --stateless       match replies without conntrack (weaker)\n"
	"      --event-rate N    drop events per second for 'netfence monitor'\n"
	"      --ethertype T     let link-layer frames of EtherType T through\n"
	"                        (e.g. 0x88f7 for PTP; repeatable)\n"
	"                        (0: none; default 10)\n"
	"      --keep            start from the current policy, not an empty one\n"
	"\n"
	"Safety options:\n"
	"      --timeout DUR     release by itself after DUR unless renewed with\n"
	"                        'netfence renew' (DUR: 90s, 15m, 2h, 1d; 0: none)\n"
	"      --key-file FILE   release key: from now on, release and policy\n"
	"                        changes need this file's content ('-': stdin)\n"
	"      --comment TEXT    why, kept with who and when (netfence status)\n"
	"      --force           isolate even if that cuts this SSH session\n"
	"                        (without it, only with a --timeout)\n"
	"      --persist         also at every boot: save the policy (with the\n"
	"                        key's digest and the deadline) to\n"
	"                        /etc/netfence/policy, enable netfence-restore\n"
	"      --boot            refuse what cannot work before the network is\n"
	"                        up (hostnames, dns auto): the boot unit's mode\n"
	"\n"
	"Rule: TARGET [proto tcp|udp|icmp|icmpv6|any] [port P[-Q]] [dir out|in|both]\n"
	"             [uid N[-M]] [cgroup PATH]\n"
	"Example: netfence isolate --timeout 15m -a '192.0.2.10 proto tcp port 22 dir in' --dns auto\n";

static const char release_usage[] =
	"Usage: netfence release [--key-file FILE] [--comment TEXT] [--persist]\n"
	"\n"
	"End the isolation of this network namespace. The policy is kept and\n"
	"used again by a later 'netfence isolate'. While a release key is set,\n"
	"--key-file must give it. --comment says why (netfence status shows it).\n"
	"--persist also removes the boot unit's policy (/etc/netfence/policy),\n"
	"so that the next boot does not isolate the host again.\n";

static const char renew_usage[] =
	"Usage: netfence renew [--timeout DUR] [--key-file FILE] [--comment TEXT]\n"
	"\n"
	"Move the deadline of 'isolate --timeout' to now + DUR (default: the\n"
	"duration given last), so the isolation goes on. Without a renewal, the\n"
	"namespace is released at the deadline. While a release key is set,\n"
	"--key-file must give it.\n"
	"  --timeout DUR     90s, 15m, 2h, 1d (plain number: seconds)\n"
	"  --comment TEXT    why (netfence status shows it)\n";

enum {
	OPT_DNS = 256,
	OPT_NO_ND,
	OPT_NO_DHCP4,
	OPT_NO_DHCP6,
	OPT_NO_ICMP_ERR,
	OPT_AUDIT,
	OPT_KEEP,
	OPT_REJECT,
	OPT_STATELESS,
	OPT_LOG,
	OPT_EVENT_RATE,
	OPT_ETHERTYPE,
	OPT_TIMEOUT,
	OPT_KEY_FILE,
	OPT_COMMENT,
	OPT_FORCE,
	OPT_PERSIST,
	OPT_BOOT,
};

const char *persist_path(void)
{
	const char *p = getenv("NETFENCE_POLICY_FILE");

	return p && *p ? p : "/etc/netfence/policy";
}

/*
 * --persist is about the boot unit, which isolates the host's namespace:
 * the one of pid 1 (of this pid namespace: a container's init and its
 * own boot policy).
 */
static int persist_check(void)
{
	char self[64], init[64];
	ssize_t a, b;

	if (g_opts.netns_name || g_opts.netns_path)
		return usage_error("--persist: the boot unit isolates the host's own namespace, not one given with -n/--netns");
	a = readlink("/proc/self/ns/net", self, sizeof(self) - 1);
	b = readlink("/proc/1/ns/net", init, sizeof(init) - 1);
	if (a > 0 && b > 0 && (a != b || memcmp(self, init, (size_t)a)))
		return usage_error("--persist: this is not the namespace of pid 1, which the boot unit isolates");
	return -1;
}

/*
 * isolate --persist: the policy now in force (key digest, deadline) to the
 * boot unit's file, and the unit enabled. The isolation stays whatever
 * happens here. Returns an exit code.
 */
static int persist_save(struct nf_sock *s, const uint8_t *digest)
{
	const char *path = persist_path();
	char *dir = strdup(path), *slash;
	int rc;

	/* mkdir -p of the file's directory. */
	if (dir && (slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		for (char *p = strchr(dir + 1, '/');; p = strchr(p + 1, '/')) {
			if (p)
				*p = '\0';
			if (mkdir(dir, 0755) && errno != EEXIST) {
				fprintf(stderr, "netfence: isolate: --persist: %s: %s\n", dir,
					strerror(errno));
				free(dir);
				return EXIT_FAIL;
			}
			if (!p)
				break;
			*p = '/';
		}
	}
	free(dir);
	/* The key in force: the file's if it set one, else --key-file's. */
	rc = policy_save(s, path, digest, false, "isolate");
	if (rc)
		return rc;
	return persist_enable_unit();
}

/* Where systemd runs; elsewhere, says what is left to do. */
int persist_enable_unit(void)
{
	char *argv[] = { "systemctl", "enable", "--quiet", "netfence-restore.service", NULL };
	int status;
	pid_t pid;

	if (access("/run/systemd/system", F_OK)) {
		fprintf(stderr,
			"netfence: saved %s; systemd is not running: have the init system run 'netfence isolate --boot --file %s' at boot\n",
			persist_path(), persist_path());
		return EXIT_OK;
	}
	if (posix_spawnp(&pid, "systemctl", NULL, NULL, argv, environ)) {
		fprintf(stderr, "netfence: isolate: --persist: cannot run systemctl: %s\n",
			strerror(errno));
		return EXIT_FAIL;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr,
			"netfence: isolate: --persist: 'systemctl enable netfence-restore.service' failed: the policy is saved in %s but the boot unit is not enabled\n",
			persist_path());
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

const char *renew_hint(void)
{
	static char hint[512];

	if (g_opts.netns_name)
		snprintf(hint, sizeof(hint), "netfence -n %s renew", g_opts.netns_name);
	else if (g_opts.netns_path)
		snprintf(hint, sizeof(hint), "netfence --netns %s renew", g_opts.netns_path);
	else
		snprintf(hint, sizeof(hint), "netfence renew");
	return hint;
}

int key_from_file(const char *path, struct nf_key *key)
{
	char err[NF_ERR_LEN];

	if (key_read_file(path, key, err, sizeof(err)))
		return usage_error("%s", err);
	return EXIT_OK;
}

int take_key_option(int *argc, char **argv, const char **key_path)
{
	for (int i = 1; i < *argc; i++) {
		const char *path;
		int used = 1;

		if (!strcmp(argv[i], "--key-file")) {
			if (i + 1 >= *argc)
				return usage_error("option '--key-file' needs an argument");
			path = argv[i + 1];
			used = 2;
		} else if (!strncmp(argv[i], "--key-file=", 11)) {
			path = argv[i] + 11;
		} else {
			continue;
		}
		if (*key_path)
			return usage_error("--key-file given twice");
		*key_path = path;
		memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof(*argv));
		*argc -= used;
		i--;
	}
	return -1;
}

static int duration_arg(const char *arg, struct nf_guard *g)
{
	char err[NF_ERR_LEN];

	if (parse_duration(arg, &g->timeout, err, sizeof(err)))
		return usage_error("%s", err);
	g->has_timeout = true;
	return EXIT_OK;
}

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
/*
 * Refuses (EXIT_USAGE) a policy that cuts the caller's SSH session, unless
 * a deadline undoes it (given now, or one already running that this
 * command keeps) or --force; -1 to go on, or an exit code.
 */
static int ssh_lockout_guard(struct nf_sock *s, bool with_policy, bool keep,
			     struct policy_spec *spec, const struct nf_guard *g,
			     bool force)
{
	const char *ssh = getenv("SSH_CONNECTION");
	struct rule_vec cur = { 0 };
	struct nf_status st;
	char msg[NF_ERR_LEN];
	uint32_t flags;
	int rc;

	if (!ssh || !*ssh)
		return -1;
	rc = nf_get_status(s, &st);
	if (rc)
		return nf_report(s, "isolate", rc);
	flags = with_policy ? policy_spec_flags(spec, keep ? st.flags :
						NETFENCE_POLICY_F_DEFAULT) : st.flags;
	if (flags & NETFENCE_POLICY_F_AUDIT)
		return -1;
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
	rc = -1;
	if (ssh_session_cut(ssh, cur.v, cur.n, msg, sizeof(msg)))
		rc = ssh_lockout_verdict("isolate", msg,
					 g->has_timeout ? g->timeout > 0 :
					 st.isolated && st.has_timeout_left, force);
	rule_vec_free(&cur);
	return rc;
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
		{ "reject", no_argument, NULL, OPT_REJECT },
		{ "stateless", no_argument, NULL, OPT_STATELESS },
		{ "log", no_argument, NULL, OPT_LOG },
		{ "event-rate", required_argument, NULL, OPT_EVENT_RATE },
		{ "ethertype", required_argument, NULL, OPT_ETHERTYPE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "persist", no_argument, NULL, OPT_PERSIST },
		{ "boot", no_argument, NULL, OPT_BOOT },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_spec spec = { 0 }, cli_types = { 0 };
	uint8_t file_digest[NETFENCE_KEY_DIGEST_LEN], arg_digest[NETFENCE_KEY_DIGEST_LEN];
	const char **allows = calloc((size_t)argc + 1, sizeof(*allows));
	size_t n_allows = 0;
	bool dns = false, persist = false, boot = false;
	struct nf_sock s = { 0 };
	struct nf_key key;
	struct nf_guard guard = { .key = &key };
	bool with_policy = false, keep = false, cli_rate = false, force = false;
	const char *file = NULL, *key_path = NULL;
	uint32_t cli_set = 0, cli_clear = 0, rate = 0;
	char err[NF_ERR_LEN];
	int c, rc = EXIT_OK;

	key.set = false;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hjf:a:", opts, NULL)) != -1) {
		if (c != 'h' && c != 'j' && c != '?' && c != ':' &&
		    c != OPT_TIMEOUT && c != OPT_KEY_FILE && c != OPT_COMMENT &&
		    c != OPT_FORCE && c != OPT_PERSIST && c != OPT_BOOT)
			with_policy = true;
		switch (c) {
		case 'h':
			fputs(isolate_usage, stdout);
			goto out;
		case 'j':
			g_opts.json = true;
			break;
		case 'f':
			if (file) {
				rc = usage_error("--file given twice");
				goto out;
			}
			file = optarg;
			break;
		case 'a':
			/* Parsed after the loop, once --boot is known. */
			if (!allows) {
				fprintf(stderr, "netfence: out of memory\n");
				rc = EXIT_FAIL;
				goto out;
			}
			allows[n_allows++] = optarg;
			break;
		case OPT_DNS:
			if (strcmp(optarg, "auto")) {
				rc = usage_error("bad --dns value '%s' (only 'auto')", optarg);
				goto out;
			}
			dns = true;
			break;
		case OPT_PERSIST:
			persist = true;
			break;
		case OPT_BOOT:
			boot = true;
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
		case OPT_REJECT:
			cli_set |= NETFENCE_POLICY_F_REJECT;
			break;
		case OPT_LOG:
			cli_set |= NETFENCE_POLICY_F_LOG;
			break;
		case OPT_STATELESS:
			cli_set |= NETFENCE_POLICY_F_STATELESS;
			break;
		case OPT_EVENT_RATE: {
			struct policy_spec tmp = { 0 };

			if (parse_event_rate(optarg, &tmp, err, sizeof(err))) {
				rc = usage_error("%s", err);
				goto out;
			}
			cli_rate = true;
			rate = tmp.event_rate;
			break;
		}
		case OPT_ETHERTYPE:
			if (parse_ethertype(optarg, &cli_types, err, sizeof(err))) {
				rc = usage_error("%s", err);
				goto out;
			}
			break;
		case OPT_TIMEOUT:
			rc = duration_arg(optarg, &guard);
			if (rc)
				goto out;
			break;
		case OPT_KEY_FILE:
			if (key_path) {
				rc = usage_error("--key-file given twice");
				goto out;
			}
			key_path = optarg;
			break;
		case OPT_COMMENT:
			rc = comment_option(optarg, &guard.comment);
			if (rc)
				goto out;
			break;
		case OPT_FORCE:
			force = true;
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
	if (file && key_path && !strcmp(file, "-") && !strcmp(key_path, "-")) {
		rc = usage_error("--file - and --key-file - cannot both read stdin");
		goto out;
	}
	if (persist) {
		rc = persist_check();
		if (rc >= 0)
			goto out;
		rc = EXIT_OK;
	}
	if (boot) {
		rule_resolve = rule_resolve_boot;
		spec.boot = true;
		if (dns) {
			rc = usage_error("--dns auto with --boot: the resolvers are not known before the network is up; allow them as rules");
			goto out;
		}
	}
	for (size_t i = 0; i < n_allows; i++) {
		if (rule_parse_string(allows[i], &spec.rules, err, sizeof(err))) {
			rc = usage_error("%s", err);
			goto out;
		}
	}
	if (dns && dns_auto(NULL, &spec.rules, err, sizeof(err))) {
		fprintf(stderr, "netfence: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (file) {
		rc = read_policy_file(file, &spec);
		if (rc)
			goto out;
		/* isolate isolates: fail closed (the boot unit) even then. */
		if (spec.has_isolate && !spec.isolate)
			fprintf(stderr, "netfence: %s: 'isolate no' ignored (netfence apply FILE releases)\n",
				file);
		/* The file's deadline, unless --timeout gives one. */
		if (spec.has_timeout && !guard.has_timeout) {
			guard.has_timeout = true;
			guard.timeout = spec.timeout;
		}
	}
	if (key_path) {
		rc = key_from_file(key_path, &key);
		if (rc)
			goto out;
		key_digest(&key, arg_digest);
	}
	/*
	 * A saved key (the file's key line) is set by its digest, unless
	 * --key-file gives that very key; a different one proves the key in
	 * force, and the file's replaces it.
	 */
	if (spec.has_key_digest) {
		memcpy(file_digest, spec.key_digest, sizeof(file_digest));
		if (!key_path || memcmp(arg_digest, file_digest, sizeof(file_digest)))
			guard.key_digest = file_digest;
	}
	/* Command-line switches win over the policy file's option lines. */
	spec.set = (spec.set & ~cli_clear) | cli_set;
	spec.clear = (spec.clear & ~cli_set) | cli_clear;
	if (cli_rate) {
		spec.has_event_rate = true;
		spec.event_rate = rate;
	}
	for (size_t i = 0; i < cli_types.n_ethertypes; i++) {
		char et[8];

		snprintf(et, sizeof(et), "%u", cli_types.ethertypes[i]);
		if (parse_ethertype(et, &spec, err, sizeof(err))) {
			rc = usage_error("%s", err);
			goto out;
		}
	}

	rc = nf_open(&s);
	if (rc)
		goto out;
	rc = ssh_lockout_guard(&s, with_policy, keep, &spec, &guard, force);
	if (rc >= 0)
		goto out;
	rc = EXIT_OK;
	if (!with_policy) {
		rc = nf_guarded(&s, NETFENCE_CMD_ISOLATE, &guard);
		rc = rc ? nf_report(&s, "isolate", rc) : EXIT_OK;
	} else {
		struct nf_txn t = {
			.txn_flags = keep ? NETFENCE_TXN_F_APPEND : 0,
			.set_flags = true,
			.op = NETFENCE_CMD_TXN_ADD,
			.rules = spec.rules.v,
			.nrules = spec.rules.n,
			.commit_flags = NETFENCE_COMMIT_F_ISOLATE,
			.has_event_rate = spec.has_event_rate,
			.event_rate = spec.event_rate,
			.ethertypes = spec.ethertypes,
			.n_ethertypes = spec.n_ethertypes,
			.guard = guard,
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
	if (!rc && guard.has_timeout && guard.timeout && !g_opts.json) {
		char left[64];

		format_duration_ms((uint64_t)guard.timeout * 1000, left, sizeof(left));
		fprintf(stderr, "netfence: releases by itself in %s unless renewed (%s)\n",
			left, renew_hint());
	}
	if (!rc && persist)
		rc = persist_save(&s, guard.key_digest ? guard.key_digest :
					key.set ? arg_digest : NULL);
out:
	free(allows);
	key_wipe(&key);
	nf_close(&s);
	policy_spec_free(&spec);
	return rc;
}

/* -h, -j, --key-file and (renew) --timeout; no positional argument. */
static int guard_opts(int argc, char **argv, const char *usage, bool timeout,
		      struct nf_guard *g, struct nf_key *key, bool *persist)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "key-file", required_argument, NULL, OPT_KEY_FILE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "persist", no_argument, NULL, OPT_PERSIST },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_path = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case 'j':
			g_opts.json = true;
			break;
		case OPT_KEY_FILE:
			if (key_path)
				return usage_error("--key-file given twice");
			key_path = optarg;
			break;
		case OPT_TIMEOUT:
			if (!timeout)
				return usage_error("unknown option '--timeout'");
			rc = duration_arg(optarg, g);
			if (rc)
				return rc;
			if (!g->timeout)
				return usage_error("renew needs a duration of at least 1s");
			break;
		case OPT_COMMENT:
			rc = comment_option(optarg, &g->comment);
			if (rc)
				return rc;
			break;
		case OPT_PERSIST:
			if (!persist)
				return usage_error("unknown option '--persist'");
			rc = persist_check();
			if (rc >= 0)
				return rc;
			*persist = true;
			break;
		default:
			return cmd_option_error(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (key_path) {
		rc = key_from_file(key_path, key);
		if (rc)
			return rc;
	}
	return -1;
}

static int guarded_cmd(int argc, char **argv, const char *usage, uint8_t cmd,
		       const char *what)
{
	struct nf_key key;
	struct nf_guard g = { .key = &key };
	bool persist = false;
	struct nf_sock s;
	int rc;

	key.set = false;
	rc = guard_opts(argc, argv, usage, cmd == NETFENCE_CMD_RENEW, &g, &key,
			cmd == NETFENCE_CMD_RELEASE ? &persist : NULL);
	if (rc >= 0)
		goto out;
	rc = nf_open(&s);
	if (rc)
		goto out;
	rc = nf_guarded(&s, cmd, &g);
	if (rc == -ENOENT && cmd == NETFENCE_CMD_RENEW && !s.extack[0])
		snprintf(s.extack, sizeof(s.extack),
			 "no deadline is set (see: netfence isolate --timeout)");
	rc = rc ? nf_report(&s, what, rc) : EXIT_OK;
	nf_close(&s);
	/* Released: the next boot must not isolate again. */
	if (!rc && persist && unlink(persist_path()) && errno != ENOENT) {
		fprintf(stderr, "netfence: release: released, but --persist cannot remove %s: %s (the next boot isolates again)\n",
			persist_path(), strerror(errno));
		rc = EXIT_FAIL;
	}
out:
	key_wipe(&key);
	return rc;
}

int cmd_release(int argc, char **argv)
{
	return guarded_cmd(argc, argv, release_usage, NETFENCE_CMD_RELEASE, "release");
}

int cmd_renew(int argc, char **argv)
{
	return guarded_cmd(argc, argv, renew_usage, NETFENCE_CMD_RENEW, "renew");
}
