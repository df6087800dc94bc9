// SPDX-License-Identifier: GPL-2.0
/* netfence: save and restore, in policy-file syntax. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/netfence.h>

#include "netfence.h"
#include "nl.h"

static const char save_usage[] =
	"Usage: netfence save [FILE]\n"
	"\n"
	"Write the namespace's state in policy-file syntax (isolate yes|no, the\n"
	"time left before a deadline, option lines for non-default flags, then\n"
	"one rule per line) to FILE or stdout. FILE is replaced atomically\n"
	"(mode 0600). 'netfence apply FILE' gives back the same state;\n"
	"'netfence restore FILE' the same policy.\n";

static const char restore_usage[] =
	"Usage: netfence restore FILE [--key-file KEYFILE]\n"
	"\n"
	"Replace the policy (rules, flags, event rate) with FILE's, atomically.\n"
	"FILE is a policy file ('-': stdin). The isolation state does not\n"
	"change (isolate and timeout lines are ignored: see 'netfence apply').\n"
	"While a release key is set, --key-file must give it.\n";

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

/* The saved policy: state lines, option lines, rules. */
static void write_policy(FILE *f, const struct nf_status *st,
			 const struct rule_vec *rules)
{
	policy_write_state(f, st->isolated, st->has_timeout_left,
			   st->timeout_left_ms);
	policy_write_ethertypes(f, st->ethertypes, st->n_ethertypes);
	policy_write(f, st->flags, st->event_rate, rules->v, rules->n);
}

/*
 * Writes path atomically: a temporary file (mode 0600) in the same
 * directory, flushed to disk, renamed over path. A crash or a full disk
 * leaves the old file whole, never half a policy. Returns an exit code.
 */
static int save_file(const char *path, const struct nf_status *st,
		     const struct rule_vec *rules)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 16), *dir, *slash;
	int fd = -1, dfd, rc = EXIT_FAIL;
	const char *what = path;
	FILE *f = NULL;

	if (!tmp) {
		fprintf(stderr, "netfence: out of memory\n");
		return EXIT_FAIL;
	}
	snprintf(tmp, len + 16, "%s.tmpXXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	what = tmp;
	if (fchmod(fd, 0600) || !(f = fdopen(fd, "w")))
		goto fail;
	fd = -1;
	write_policy(f, st, rules);
	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		goto fail;
	if (fclose(f)) {
		f = NULL;
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path))
		goto fail;
	what = path;
	/* The rename itself, on disk: sync the directory (best effort). */
	dir = strdup(path);
	if (dir) {
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	free(tmp);
	return EXIT_OK;
fail:
	fprintf(stderr, "netfence: save: %s: %s\n", what, strerror(errno));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (what == tmp)
		unlink(tmp);
	free(tmp);
	return rc;
}

int cmd_save(int argc, char **argv)
{
	struct rule_vec rules = { 0 };
	struct nf_status st;
	struct nf_sock s;
	char *path;
	int rc;

	rc = parse_args(argc, argv, save_usage, 0, 1, &path);
	if (rc >= 0)
		return rc;
	rc = nf_open(&s);
	if (rc)
		return rc;
	/* State, flags and rules must come from one policy generation. */
	rc = nf_get_policy(&s, &st, &rules);
	if (rc) {
		rc = nf_report(&s, "save", rc);
		goto out;
	}
	if (path && strcmp(path, "-")) {
		rc = save_file(path, &st, &rules);
		goto out;
	}
	write_policy(stdout, &st, &rules);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "netfence: save: stdout: %s\n", strerror(errno));
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
