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

#define NF_ERR_LEN 512
/* Longest canonical rule text, with the terminating NUL. */
#define NF_RULE_TEXT_LEN 128

/* One allowlist rule, as in NETFENCE_A_RULE with defaults filled in. */
struct nf_rule {
	uint8_t family;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	uint8_t prefixlen;	/* 0 with any/any4/any6 */
	uint8_t proto;		/* 0 = any */
	uint8_t dir;		/* NETFENCE_DIR_* */
	uint16_t port_min;	/* 0..65535 = every port */
	uint16_t port_max;
	uint8_t addr[16];	/* network byte order; zero beyond prefixlen */
	uint32_t index;		/* dump only */
	uint64_t hits;		/* dump only */
};

struct rule_vec {
	struct nf_rule *v;
	size_t n, cap;
};

/* A policy being built: rules plus flags to turn on or off. */
struct policy_spec {
	uint32_t set;		/* NETFENCE_POLICY_F_* forced on */
	uint32_t clear;		/* NETFENCE_POLICY_F_* forced off */
	struct rule_vec rules;
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
int rule_resolve_getaddrinfo(const char *name, struct nf_addr *out, int max,
			     char *err, size_t errlen);

/* Informational messages (hostname resolution); default: stderr. */
extern void (*rule_note)(const char *msg);

int rule_vec_push(struct rule_vec *rv, const struct nf_rule *r);
void rule_vec_free(struct rule_vec *rv);
void policy_spec_free(struct policy_spec *p);
uint32_t policy_spec_flags(const struct policy_spec *p, uint32_t base);

bool rule_has_ports(const struct nf_rule *r);

/*
 * Parses the words of one rule (TARGET [proto P] [port P[-Q]] [dir D]).
 * Appends one rule, or one per address for a hostname. Returns 0, or -1
 * with a message in err.
 */
int rule_parse_words(int argc, char *const argv[], struct rule_vec *out,
		     char *err, size_t errlen);
/* Same, from one string split at blanks. */
int rule_parse_string(const char *s, struct rule_vec *out,
		      char *err, size_t errlen);

/* Canonical text of a rule. Returns the length (truncated to len-1). */
size_t rule_format(const struct nf_rule *r, char *buf, size_t len);

/* Semantic equality (ignores index and hits). */
bool rule_equal(const struct nf_rule *a, const struct nf_rule *b);

/*
 * Policy file: rules, option lines, dns auto, comments. Errors read
 * "NAME:LINE: what". Returns 0 or -1.
 */
int policy_parse_file(FILE *f, const char *name, struct policy_spec *p,
		      char *err, size_t errlen);

/* Option keyword of a policy flag ("nd", "icmp-errors", ...) or NULL. */
const char *policy_flag_name(uint32_t flag);
/* Writes option lines for non-default flags, then the canonical rules. */
void policy_write(FILE *f, uint32_t flags, const struct nf_rule *rules,
		  size_t n);

/*
 * Appends udp and tcp port 53 dir out rules for every nameserver of the
 * resolv.conf at path (NULL: $NETFENCE_RESOLV_CONF or /etc/resolv.conf).
 */
int dns_auto(const char *path, struct rule_vec *out, char *err, size_t errlen);

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
