// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: isolate a host or a network namespace from the network, with
 * an allowlist. Global options, the command table and exit codes.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfence.h"
#include "rule.h"

struct global_opts g_opts;
const char *prog_cmd = "netfence";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
};

static const struct command commands[] = {
	{ "status", cmd_status, "isolation state, policy, kernel features and counters" },
	{ "isolate", cmd_isolate, "isolate, under the current policy or a new one" },
	{ "release", cmd_release, "end the isolation (the policy is kept)" },
	{ "renew", cmd_renew, "push back the deadline of isolate --timeout" },
	{ "allow", cmd_allow, "add, del, list or flush allowlist rules" },
	{ "show", cmd_show, "the rules with their hit counters" },
	{ "stats", cmd_stats, "per-hook packet counters" },
	{ "save", cmd_save, "write the policy in policy-file syntax" },
	{ "restore", cmd_restore, "replace the policy with a policy file's" },
	{ "apply", cmd_apply, "make the namespace what a policy file says" },
	{ "monitor", cmd_monitor, "print events (isolated, released, drops) as they happen" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netfence [-j] [-n NAME | --netns PATH] COMMAND [ARGS]\n"
		"\n"
		"Isolate this host or a network namespace from the network, except\n"
		"for an allowlist (netfence kernel module).\n"
		"\n"
		"Options:\n"
		"  -j, --json        print one JSON document\n"
		"  -n NAME           act on the network namespace /run/netns/NAME\n"
		"      --netns PATH  act on the network namespace at PATH\n"
		"  -h, --help        this help; 'netfence COMMAND --help' for a command\n"
		"  -V, --version     print the version\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].description);
	fprintf(f,
		"\n"
		"Rule: TARGET [proto tcp|udp|icmp|icmpv6|any] [port P[-Q]] [dir out|in|both]\n"
		"             [uid N[-M]] [cgroup PATH]\n"
		"      TARGET := ADDRESS[/LEN] | HOSTNAME | any | any4 | any6\n"
		"      (no TARGET before uid or cgroup: any remote address)\n"
		"\n"
		"Exit status: 0 ok, 1 failed, 2 usage error, 3 permission denied,\n"
		"4 kernel module not loaded, 5 apply changed something. See netfence(8).\n");
}

int comment_option(const char *arg, const char **comment)
{
	char err[NF_ERR_LEN];

	if (*comment)
		return usage_error("--comment given twice");
	if (comment_check(arg, err, sizeof(err)))
		return usage_error("%s", err);
	*comment = arg;
	return EXIT_OK;
}

int ssh_lockout_verdict(const char *what, const char *msg, bool deadline, bool force)
{
	if (deadline || force) {
		fprintf(stderr, "netfence: warning: %s\n", msg);
		return -1;
	}
	fprintf(stderr,
		"netfence: %s: %s; or give --timeout DUR (released by itself unless renewed), or --force\n",
		what, msg);
	return EXIT_USAGE;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "netfence: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog_cmd);
	return EXIT_USAGE;
}

/* Names the offending option after getopt returned '?' or ':'. */
static int option_error(int c, char **argv)
{
	const char *arg = argv[optind - 1];
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* For an unknown option inside a cluster (-jx), argv names the cluster. */
	if (optopt && (!arg || strncmp(arg, "--", 2)))
		arg = shortopt;
	if (c == ':')
		return usage_error("option '%s' needs an argument", arg);
	return usage_error("unknown option '%s'", arg);
}

int simple_opts(int argc, char **argv, const char *usage_text)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'j':
			g_opts.json = true;
			break;
		default:
			return option_error(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return -1;
}

int cmd_option_error(int c, char **argv)
{
	return option_error(c, argv);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "netns", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static char cmdname[64];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jn:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			g_opts.json = true;
			break;
		case 'n':
			g_opts.netns_name = optarg;
			g_opts.netns_path = NULL;
			break;
		case 'N':
			g_opts.netns_path = optarg;
			g_opts.netns_name = NULL;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("netfence %s\n", NETFENCE_VERSION);
			return EXIT_OK;
		default:
			return option_error(c, argv);
		}
	}
	if (g_opts.netns_name && (!*g_opts.netns_name ||
				  strchr(g_opts.netns_name, '/') ||
				  !strcmp(g_opts.netns_name, ".") ||
				  !strcmp(g_opts.netns_name, "..")))
		return usage_error("bad netns name '%s'", g_opts.netns_name);
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		snprintf(cmdname, sizeof(cmdname), "netfence %s", commands[i].name);
		prog_cmd = cmdname;
		return commands[i].fn(argc - optind, argv + optind);
	}
	return usage_error("unknown command '%s'", argv[optind]);
}
