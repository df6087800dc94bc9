// SPDX-License-Identifier: GPL-2.0
/* netfence: status, stats and monitor. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

static const char status_usage[] =
	"Usage: netfence [-j] status\n"
	"\n"
	"Isolation state (isolated or released), policy generation and rule\n"
	"count, deadline and release key, drop events, policy flags, kernel\n"
	"features, hooks and per-hook counters.\n";

static const char monitor_usage[] =
	"Usage: netfence [-j] monitor [-t] [--count N]\n"
	"\n"
	"Print netfence's events as they happen, one per line, until\n"
	"interrupted: isolated, released (and why), committed, renewed, and\n"
	"drops (rate-limited: see isolate --event-rate). With -j, one JSON\n"
	"object per line, whose \"netns\" member names the namespace (as -n or\n"
	"--netns gave it, else net:[INODE]); text lines name it in front when\n"
	"-n or --netns is given.\n"
	"  -t, --timestamp  the time each event arrived, in front\n"
	"  -c, --count N    exit after N events\n";

/*
 * The namespace monitor's events are about: as the user named it, else
 * (JSON only) as the kernel does, net:[INODE]. NULL: not shown.
 */
static const char *monitor_netns(char *buf, size_t len)
{
	ssize_t n;

	if (g_opts.netns_name)
		return g_opts.netns_name;
	if (g_opts.netns_path)
		return g_opts.netns_path;
	if (!g_opts.json)
		return NULL;
	/* Read after nf_open() entered the namespace. */
	n = readlink("/proc/self/ns/net", buf, len - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static const char stats_usage[] =
	"Usage: netfence [-j] stats [--reset]\n"
	"\n"
	"Per-hook packet counters (accepted and dropped, IPv4 and IPv6).\n"
	"  --reset   print the counters, then zero them and every rule's hits\n";

/* The loaded module's version, from sysfs; NULL when unknown. */
static char *module_version(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/netfence/version", "re");
	char *nl;

	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf;
}

int cmd_status(int argc, char **argv)
{
	struct nf_status st;
	struct nf_sock s;
	struct rule_vec rules = { 0 };
	char version[64], digest[POLICY_DIGEST_LEN];
	struct timespec now;
	int rc = simple_opts(argc, argv, status_usage);

	if (rc >= 0)
		return rc;
	rc = nf_open(&s);
	if (rc)
		return rc;
	/* JSON: with the policy's digest, from the same generation. */
	rc = g_opts.json ? nf_get_policy(&s, &st, &rules) : nf_get_status(&s, &st);
	if (!rc && g_opts.json) {
		if (policy_digest(st.ethertypes, st.n_ethertypes, st.flags,
				  st.event_rate, rules.v, rules.n, digest)) {
			fprintf(stderr, "netfence: out of memory\n");
			rc = EXIT_FAIL;
			goto out;
		}
		st.policy_digest = digest;
	}
	if (rc) {
		rc = nf_report(&s, "status", rc);
	} else {
		st.renew_cmd = renew_hint();
		st.module_version = module_version(version, sizeof(version));
		clock_gettime(CLOCK_REALTIME, &now);
		st.now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		print_status(stdout, &st, g_opts.json);
		rc = EXIT_OK;
	}
out:
	nf_close(&s);
	rule_vec_free(&rules);
	return rc;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "reset", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct nf_status st;
	struct nf_sock s;
	bool reset = false;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hj", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(stats_usage, stdout);
			return EXIT_OK;
		case 'j':
			g_opts.json = true;
			break;
		case 'r':
			reset = true;
			break;
		default:
			return cmd_option_error(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	rc = nf_open(&s);
	if (rc)
		return rc;
	rc = nf_get_status(&s, &st);
	if (rc) {
		rc = nf_report(&s, "stats", rc);
		goto out;
	}
	print_counters(stdout, &st, g_opts.json);
	fflush(stdout);
	if (reset) {
		rc = nf_simple(&s, NETFENCE_CMD_COUNTERS_RESET, 0, 0);
		if (rc) {
			rc = nf_report(&s, "stats --reset", rc);
			goto out;
		}
	}
	rc = EXIT_OK;
out:
	nf_close(&s);
	return rc;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timestamp", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 0;
	bool stamp = false;
	struct nf_sock s;
	char ns[64];
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hjtc:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(monitor_usage, stdout);
			return EXIT_OK;
		case 'j':
			g_opts.json = true;
			break;
		case 't':
			stamp = true;
			break;
		case 'c': {
			char *end;

			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-' || !count)
				return usage_error("bad --count '%s' (a number of events, 1 or more)",
						   optarg);
			break;
		}
		default:
			return cmd_option_error(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	rc = nf_open(&s);
	if (rc)
		return rc;
	rc = nf_monitor(&s, g_opts.json, stamp, monitor_netns(ns, sizeof(ns)), count);
	nf_close(&s);
	return rc;
}
