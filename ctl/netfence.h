/* SPDX-License-Identifier: GPL-2.0 */
/* netfence: tool-wide options, exit codes and the subcommands. */
#ifndef NETFENCE_CTL_H
#define NETFENCE_CTL_H

#include <stdbool.h>
#include <stdint.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the kernel refused or the operation failed */
	EXIT_USAGE = 2,		/* bad arguments, rule or policy file */
	EXIT_PERM = 3,		/* EPERM/EACCES */
	EXIT_NOMODULE = 4,	/* no "netfence" generic-netlink family */
	EXIT_CHANGED = 5,	/* apply: the namespace was (--check: would be) changed */
};

struct global_opts {
	bool json;
	const char *netns_name;	/* -n NAME: /run/netns/NAME */
	const char *netns_path;	/* --netns PATH */
};

extern struct global_opts g_opts;
extern const char *prog_cmd;	/* "allow add", for error messages */

/* Prints "netfence: MSG" and a hint to stderr, returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Common getopt loop for commands with only -h and -j: returns -1 to go
 * on, or an exit code (help printed, usage error).
 */
int simple_opts(int argc, char **argv, const char *usage);
/* Usage error for getopt's '?' or ':' (names the option). */
int cmd_option_error(int c, char **argv);

struct policy_spec;
/* Reads a policy file ('-': stdin); errors printed. Returns an exit code. */
int policy_from_file(const char *path, struct policy_spec *p);

/*
 * Lock-out guard: msg says the caller's SSH session would be cut. With a
 * deadline (commit-confirmed) or --force it is a warning and the command
 * goes on (-1); otherwise the command is refused: EXIT_USAGE.
 */
int ssh_lockout_verdict(const char *what, const char *msg, bool deadline, bool force);

/* Takes --comment's argument into *comment once; usage error otherwise. */
int comment_option(const char *arg, const char **comment);

struct nf_key;
/* Reads --key-file's argument; errors printed. Returns an exit code. */
int key_from_file(const char *path, struct nf_key *key);

/*
 * Takes "--key-file FILE" / "--key-file=FILE" out of argv (shifting the
 * rest down) into *key_path. Returns -1 to go on, or an exit code.
 */
int take_key_option(int *argc, char **argv, const char **key_path);

struct nf_sock;
/*
 * Writes the namespace's state as a policy file to path (NULL or "-":
 * stdout; a file atomically, keeping its comments). A release key in force
 * is saved as digest (its SHA-256); without digest, the save is refused
 * unless no_key. Returns an exit code, errors printed with what.
 */
int policy_save(struct nf_sock *s, const char *path, const uint8_t *digest,
		bool no_key, const char *what);
/* Enables the boot unit (isolate --persist). Returns an exit code. */
int persist_enable_unit(void);

/*
 * The policy file of the boot unit: $NETFENCE_POLICY_FILE or
 * /etc/netfence/policy (isolate --persist, release --persist).
 */
const char *persist_path(void);

/* "netfence [-n NAME | --netns PATH] renew", for hints. */
const char *renew_hint(void);

/* Enters the namespace of -n/--netns, if any. Returns an exit code. */
int netns_enter(void);

int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_isolate(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_renew(int argc, char **argv);
int cmd_monitor(int argc, char **argv);

#endif
