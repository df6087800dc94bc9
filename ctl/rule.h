/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: rule and policy-file syntax. Pure text <-> struct conversion,
 * no netlink here. Hostname lookups go through rule_resolve so they can be
 * replaced.
 */
#ifndef NETFENCE_RULE_H
#define NETFENCE_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/netfence.h>

#define NF_ERR_LEN 512
/* Longest cgroup path of an identity rule, without the terminating NUL. */
#define NF_CGROUP_MAX 4095
/* Longest canonical rule text (a quoted path may double), with the NUL. */
#define NF_RULE_TEXT_LEN (2 * NF_CGROUP_MAX + 256)
/* Highest uid of a uid rule ((uid_t)-1 is not a uid). */
#define NF_UID_MAX 4294967294U

/* One allowlist rule, as in NETFENCE_A_RULE with defaults filled in. */
struct nf_rule {
	uint8_t family;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	uint8_t prefixlen;	/* 0 with any/any4/any6 */
	uint8_t proto;		/* 0 = any */
	uint8_t dir;		/* NETFENCE_DIR_* */
	uint16_t port_min;	/* 0..65535 = every port */
	uint16_t port_max;
	uint8_t addr[16];	/* network byte order; zero beyond prefixlen */
	bool has_uid;		/* identity: owner uid of the local socket */
	uint32_t uid_min, uid_max;
	/*
	 * Identity: cgroup v2 path of the local socket, NULL when absent.
	 * A rule_vec owns a copy of each path pushed into it; elsewhere it
	 * is borrowed.
	 */
	const char *cgroup;
	uint32_t index;		/* dump only */
	uint64_t hits;		/* dump only */
	bool has_cgroup_id;	/* dump only */
	uint64_t cgroup_id;
};

struct rule_vec {
	struct nf_rule *v;
	size_t n, cap;
};

/* A policy being built: rules plus flags to turn on or off. */
struct policy_spec {
	uint32_t set;		/* NETFENCE_POLICY_F_* forced on */
	uint32_t clear;		/* NETFENCE_POLICY_F_* forced off */
	bool has_event_rate;	/* option event-rate N */
	uint32_t event_rate;
	size_t n_ethertypes;	/* option ethertype 0xNNNN (link-layer stage) */
	uint16_t ethertypes[NETFENCE_ETHERTYPES_MAX];
	struct rule_vec rules;
	bool has_isolate;	/* isolate yes|no (netfence apply) */
	bool isolate;
	bool has_timeout;	/* timeout DUR (0: no deadline) */
	uint32_t timeout;
	bool has_key_digest;	/* key sha256:HEX (a saved release key) */
	uint8_t key_digest[NETFENCE_KEY_DIGEST_LEN];
	/*
	 * Set by the caller before parsing: the file is for boot, before the
	 * network is up, so hostnames and "dns auto" are refused.
	 */
	bool boot;
};

struct nf_addr {
	int family;
	uint8_t a[16];
};

/*
 * Resolves NAME into at most MAX addresses (IPv4 and IPv6). Returns the
 * count (> 0) or -1 with a message in err.
 */
typedef int (*rule_resolve_fn)(const char *name, struct nf_addr *out,
			       int max, char *err, size_t errlen);
extern rule_resolve_fn rule_resolve;
/* Refuses every name: for policies put in force at boot (--boot). */
int rule_resolve_boot(const char *name, struct nf_addr *out, int max,
		      char *err, size_t errlen);
int rule_resolve_getaddrinfo(const char *name, struct nf_addr *out, int max,
			     char *err, size_t errlen);

/* Informational messages (hostname resolution); default: stderr. */
extern void (*rule_note)(const char *msg);

/* Appends a copy of r (and of its cgroup path). Returns 0 or -1. */
int rule_vec_push(struct rule_vec *rv, const struct nf_rule *r);
/* Empties the vector, keeping its storage. */
void rule_vec_clear(struct rule_vec *rv);
void rule_vec_free(struct rule_vec *rv);
void policy_spec_free(struct policy_spec *p);
uint32_t policy_spec_flags(const struct policy_spec *p, uint32_t base);

bool rule_has_ports(const struct nf_rule *r);
/* Has a uid or cgroup condition. */
bool rule_has_identity(const struct nf_rule *r);

/*
 * Parses the words of one rule (TARGET [proto P] [port P[-Q]] [dir D]
 * [uid N[-M]] [cgroup PATH], or identity keywords without TARGET).
 * Appends one rule, or one per address for a hostname. Returns 0, or -1
 * with a message in err.
 */
int rule_parse_words(int argc, char *const argv[], struct rule_vec *out,
		     char *err, size_t errlen);
/* Same, from one string split at blanks ("double quotes" group words). */
int rule_parse_string(const char *s, struct rule_vec *out,
		      char *err, size_t errlen);

/*
 * The form save would write line in: a rule's canonical text, other lines
 * single-spaced, "" for a blank or comment-only line; names are not looked
 * up. *comment: the line's trailing comment (from '#'), or NULL. Returns 0,
 * -1 when out of memory.
 */
int policy_line_canonical(const char *line, char *out, size_t len,
			  const char **comment);

/* Canonical text of a rule. Returns the length (truncated to len-1). */
size_t rule_format(const struct nf_rule *r, char *buf, size_t len);

/* Semantic equality (ignores index and hits). */
bool rule_equal(const struct nf_rule *a, const struct nf_rule *b);

/*
 * Policy file: rules, option lines, dns auto, isolate yes|no, timeout DUR,
 * comments. Errors read "NAME:LINE: what". Returns 0 or -1.
 */
int policy_parse_file(FILE *f, const char *name, struct policy_spec *p,
		      char *err, size_t errlen);

/* Event rate value (0..NETFENCE_EVENT_RATE_MAX) into p. Returns 0 or -1. */
int parse_event_rate(const char *val, struct policy_spec *p,
		     char *err, size_t errlen);

/* EtherType (0x0600-0xffff, hex or decimal) added to p. Returns 0 or -1. */
int parse_ethertype(const char *val, struct policy_spec *p,
		    char *err, size_t errlen);
/* "option ethertype 0xNNNN" lines. */
void policy_write_ethertypes(FILE *f, const uint16_t *types, size_t n);

/* Option keyword of a policy flag ("nd", "icmp-errors", ...) or NULL. */
const char *policy_flag_name(uint32_t flag);
/*
 * Writes option lines for non-default flags and event rate, then the
 * canonical rules.
 */
void policy_write(FILE *f, uint32_t flags, uint32_t event_rate,
		  const struct nf_rule *rules, size_t n);

/*
 * The state lines that start a saved policy: "isolate yes|no", then
 * "timeout Ns" (the time left, rounded up) while a deadline is set.
 */
void policy_write_state(FILE *f, bool isolated, bool has_deadline,
			uint64_t left_ms);

/*
 * Duration N[s|m|h|d] (plain N: seconds), 0..NF_DURATION_MAX seconds.
 * Returns 0, or -1 with a message in err.
 */
#define NF_DURATION_MAX 31536000U
int parse_duration(const char *s, uint32_t *secs, char *err, size_t errlen);
/* "14m 58s", "2h 0m 5s", "3d 4h 0m": the time left, from milliseconds. */
void format_duration_ms(uint64_t ms, char *buf, size_t len);

/* A release key read from a file, wiped by key_wipe. */
struct nf_key {
	bool set;
	size_t len;
	unsigned char data[NETFENCE_KEY_MAX];
};
/*
 * Reads the whole of path ("-": stdin) as a release key (NETFENCE_KEY_MIN
 * to NETFENCE_KEY_MAX bytes, 16..4096, kept byte for byte). Returns 0, or
 * -1 with a message in err.
 */
int key_read_file(const char *path, struct nf_key *key, char *err,
		  size_t errlen);
void key_wipe(struct nf_key *key);
/* SHA-256 of the key's secret: what NETFENCE_A_KEY_DIGEST carries. */
void key_digest(const struct nf_key *key, uint8_t out[NETFENCE_KEY_DIGEST_LEN]);
/* "sha256:" and 64 hexadecimal digits, with the NUL. */
#define POLICY_DIGEST_LEN (7 + 64 + 1)
/*
 * The policy's digest, for fleet inventory: SHA-256 of the option and rule
 * lines save writes, sorted bytewise, each ending in a newline; that is
 *   netfence save --no-key | grep -Ev '^(isolate|timeout|key) ' |
 *	LC_ALL=C sort | sha256sum
 * Returns 0, or -1 when out of memory.
 */
int policy_digest(const uint16_t *types, size_t ntypes, uint32_t flags,
		  uint32_t event_rate, const struct nf_rule *rules, size_t n,
		  char out[POLICY_DIGEST_LEN]);
/* "key sha256:HEX": the line of a saved policy that keeps a release key. */
void policy_write_key(FILE *f, const uint8_t digest[NETFENCE_KEY_DIGEST_LEN]);

/*
 * Appends udp and tcp port 53 dir out rules for every nameserver of the
 * resolv.conf at path (NULL: $NETFENCE_RESOLV_CONF or /etc/resolv.conf).
 * systemd-resolved's stub (127.0.0.53, 127.0.0.54) stands for the upstream
 * servers of $NETFENCE_RESOLVED_CONF or /run/systemd/resolve/resolv.conf.
 */
int dns_auto(const char *path, struct rule_vec *out, char *err, size_t errlen);

/*
 * Checks an audit comment (--comment): printable, at most
 * NETFENCE_COMMENT_MAX - 1 bytes. 0, or -1 with err set.
 */
int comment_check(const char *s, char *err, size_t errlen);

/*
 * Lock-out check: ssh_connection is $SSH_CONNECTION ("CLIENT CPORT SERVER
 * SPORT"). Returns 1 with a warning in msg when no rule lets CLIENT connect
 * to tcp port SPORT, 0 when one does or the variable is absent or unusable.
 */
int ssh_session_cut(const char *ssh_connection, const struct nf_rule *rules,
		    size_t n, char *msg, size_t len);

const char *proto_name(uint8_t proto);	/* NULL if none */
const char *dir_name(uint8_t dir);
const char *family_name(uint8_t family);	/* "ipv4", "ipv6", "any" */

#endif
