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
	"Usage: netfence save [FILE] [--key-file KEYFILE | --no-key]\n"
	"\n"
	"Write the namespace's state in policy-file syntax (isolate yes|no, the\n"
	"time left before a deadline, the release key's digest, option lines for\n"
	"non-default flags, then one rule per line) to FILE or stdout. FILE is\n"
	"replaced atomically (mode 0600); comments of the FILE it replaces are\n"
	"kept with the lines they precede. 'netfence apply FILE' gives back the\n"
	"same state; 'netfence restore FILE' the same policy.\n"
	"While a release key is set, --key-file gives it so that the saved policy\n"
	"keeps it (only its SHA-256 digest is written; it is not checked against\n"
	"the kernel's), or --no-key saves the policy without it.\n";

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

/* Comments of the file being replaced, to write back (save FILE). */
struct kept_comments {
	char *head;		/* before the first line that is not a comment */
	size_t n;
	struct kept_comment {
		char *line;	/* the line they preceded, as written */
		char *text;	/* comment lines, each with its newline */
	} *v;
};

static void kept_comments_free(struct kept_comments *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].line);
		free(k->v[i].text);
	}
	free(k->v);
	free(k->head);
	memset(k, 0, sizeof(*k));
}

static bool is_comment(const char *line)
{
	line += strspn(line, " \t");
	return *line == '#' || *line == '\n' || !*line;
}

/*
 * Reads the comment blocks (and blank lines) of path, each attached to the
 * line that follows it; a missing or unreadable file has none.
 */
static int kept_comments_read(const char *path, struct kept_comments *k)
{
	char *line = NULL, *block = NULL, canon[NF_RULE_TEXT_LEN];
	size_t cap = 0, blen = 0;
	bool head = true;
	FILE *f = fopen(path, "re");
	ssize_t len;
	int rc = 0;

	if (!f)
		return 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *text = line, *comment = NULL;
		size_t tlen;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		tlen = strlen(line);
		if (!is_comment(line)) {
			if (policy_line_canonical(line, canon, sizeof(canon), &comment))
				goto oom;
			/* A comment at the end of a line goes on the line before. */
			text = comment;
			tlen = comment ? strlen(comment) : 0;
		}
		if (text) {
			char *nb = realloc(block, blen + tlen + 2);

			if (!nb)
				goto oom;
			block = nb;
			memcpy(block + blen, text, tlen);
			blen += tlen;
			block[blen++] = '\n';
			block[blen] = '\0';
		}
		if (is_comment(line))
			continue;
		if (head) {
			k->head = block;
			head = false;
		} else if (block) {
			struct kept_comment *nv = realloc(k->v, (k->n + 1) * sizeof(*nv));

			if (!nv)
				goto oom;
			k->v = nv;
			k->v[k->n].text = block;
			k->v[k->n].line = strdup(canon);
			if (!k->v[k->n].line)
				goto oom;
			k->n++;
		}
		block = NULL;
		blen = 0;
	}
	/* Trailing comments stay at the end, after every line. */
	if (block) {
		struct kept_comment *nv = realloc(k->v, (k->n + 1) * sizeof(*nv));

		if (!nv)
			goto oom;
		k->v = nv;
		k->v[k->n].text = block;
		k->v[k->n].line = NULL;
		k->n++;
		block = NULL;
	}
	goto out;
oom:
	fprintf(stderr, "netfence: out of memory\n");
	rc = -1;
out:
	free(block);
	free(line);
	fclose(f);
	return rc;
}

/*
 * The saved policy: state lines, the key, option lines, rules; with keep,
 * the old file's comments before the lines they preceded.
 */
static void write_policy(FILE *f, const struct nf_status *st,
			 const struct rule_vec *rules, const uint8_t *digest,
			 const struct kept_comments *keep)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m;

	if (!keep || !(m = open_memstream(&buf, &len))) {
		m = f;
		keep = NULL;
	}
	policy_write_state(m, st->isolated, st->has_timeout_left, st->timeout_left_ms);
	if (digest)
		policy_write_key(m, digest);
	policy_write_ethertypes(m, st->ethertypes, st->n_ethertypes);
	policy_write(m, st->flags, st->event_rate, rules->v, rules->n);
	if (!keep)
		return;
	fclose(m);
	if (keep->head)
		fputs(keep->head, f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (size_t i = 0; i < keep->n; i++) {
			/* A deadline's seconds change: its comment stays with it. */
			if (keep->v[i].line && (!strcmp(keep->v[i].line, line) ||
			    (!strncmp(line, "timeout ", 8) &&
			     !strncmp(keep->v[i].line, "timeout ", 8))))
				fputs(keep->v[i].text, f);
		}
		fprintf(f, "%s\n", line);
	}
	for (size_t i = 0; i < keep->n; i++)
		if (!keep->v[i].line)
			fputs(keep->v[i].text, f);
	free(buf);
}

/*
 * Writes path atomically: a temporary file (mode 0600) in the same
 * directory, flushed to disk, renamed over path. A crash or a full disk
 * leaves the old file whole, never half a policy. Returns an exit code.
 */
static int save_file(const char *path, const struct nf_status *st,
		     const struct rule_vec *rules, const uint8_t *digest)
{
	struct kept_comments keep = { 0 };
	size_t len = strlen(path);
	char *tmp = malloc(len + 16), *dir, *slash;
	int fd = -1, dfd, rc = EXIT_FAIL;
	const char *what = path;
	FILE *f = NULL;

	if (!tmp || kept_comments_read(path, &keep)) {
		fprintf(stderr, "netfence: out of memory\n");
		free(tmp);
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
	write_policy(f, st, rules, digest, &keep);
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
	kept_comments_free(&keep);
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
	kept_comments_free(&keep);
	return rc;
}

int policy_save(struct nf_sock *s, const char *path, const uint8_t *digest,
		bool no_key, const char *what)
{
	struct rule_vec rules = { 0 };
	struct nf_status st;
	int rc;

	/* State, flags and rules must come from one policy generation. */
	rc = nf_get_policy(s, &st, &rules);
	if (rc) {
		rc = nf_report(s, what, rc);
		goto out;
	}
	if (st.isolated && st.key_required && !digest && !no_key) {
		fprintf(stderr,
			"netfence: %s: a release key is set and the saved policy would lose it: give it with --key-file KEYFILE (only its digest is saved), or save without it with --no-key\n",
			what);
		rc = EXIT_FAIL;
		goto out;
	}
	/* A key lasts as long as the isolation: none in a released state. */
	if (!st.isolated || no_key)
		digest = NULL;
	if (path && strcmp(path, "-")) {
		rc = save_file(path, &st, &rules, digest);
		goto out;
	}
	write_policy(stdout, &st, &rules, digest, NULL);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "netfence: %s: stdout: %s\n", what, strerror(errno));
		rc = EXIT_FAIL;
	}
out:
	rule_vec_free(&rules);
	return rc;
}

int cmd_save(int argc, char **argv)
{
	uint8_t digest[NETFENCE_KEY_DIGEST_LEN];
	const char *key_path = NULL;
	bool no_key = false;
	struct nf_key key;
	struct nf_sock s;
	char *path;
	int rc;

	key.set = false;
	rc = take_key_option(&argc, argv, &key_path);
	if (rc >= 0)
		goto out;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-key"))
			continue;
		no_key = true;
		memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
		argc--;
		break;
	}
	if (no_key && key_path) {
		rc = usage_error("--key-file and --no-key: give one");
		goto out;
	}
	rc = parse_args(argc, argv, save_usage, 0, 1, &path);
	if (rc >= 0)
		goto out;
	if (key_path) {
		rc = key_from_file(key_path, &key);
		if (rc)
			goto out;
	}
	if (key.set)
		key_digest(&key, digest);
	rc = nf_open(&s);
	if (rc)
		goto out;
	rc = policy_save(&s, path, key.set ? digest : NULL, no_key, "save");
	nf_close(&s);
out:
	key_wipe(&key);
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
