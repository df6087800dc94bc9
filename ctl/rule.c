// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: rule and policy-file syntax.
 *
 *   RULE   := TARGET [proto tcp|udp|icmp|icmpv6|any] [port P[-Q]] [dir out|in|both]
 *             [uid N[-M]] [cgroup PATH]
 *           | uid N[-M] [cgroup PATH] [...]   | cgroup PATH [...]
 *   TARGET := IPV4[/LEN] | IPV6[/LEN] | any | any4 | any6 | HOSTNAME
 *
 * Also durations and release key files.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netfence.h>
#include <nettle/sha2.h>

#include "rule.h"

#define MAX_RESOLVED 64
#define MAX_WORDS 16

static void note_stderr(const char *msg)
{
	fprintf(stderr, "netfence: %s\n", msg);
}

rule_resolve_fn rule_resolve = rule_resolve_getaddrinfo;
void (*rule_note)(const char *msg) = note_stderr;

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int rule_vec_push(struct rule_vec *rv, const struct nf_rule *r)
{
	char *cg = NULL;

	if (rv->n == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 16;
		struct nf_rule *v = realloc(rv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		rv->v = v;
		rv->cap = cap;
	}
	if (r->cgroup) {
		cg = strdup(r->cgroup);
		if (!cg)
			return -1;
	}
	rv->v[rv->n] = *r;
	rv->v[rv->n++].cgroup = cg;
	return 0;
}

void rule_vec_clear(struct rule_vec *rv)
{
	for (size_t i = 0; i < rv->n; i++)
		free((char *)rv->v[i].cgroup);
	rv->n = 0;
}

void rule_vec_free(struct rule_vec *rv)
{
	rule_vec_clear(rv);
	free(rv->v);
	rv->v = NULL;
	rv->n = rv->cap = 0;
}

void policy_spec_free(struct policy_spec *p)
{
	rule_vec_free(&p->rules);
	p->set = p->clear = 0;
	p->has_event_rate = false;
	p->event_rate = 0;
	p->n_ethertypes = 0;
	p->has_isolate = p->isolate = false;
	p->has_timeout = false;
	p->timeout = 0;
}

uint32_t policy_spec_flags(const struct policy_spec *p, uint32_t base)
{
	return (base & ~p->clear) | p->set;
}

bool rule_has_ports(const struct nf_rule *r)
{
	return r->port_min != 0 || r->port_max != 0xffff;
}

bool rule_has_identity(const struct nf_rule *r)
{
	return r->has_uid || r->cgroup;
}

static int addr_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "any", 0 },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 },
};

const char *proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

const char *dir_name(uint8_t dir)
{
	switch (dir) {
	case NETFENCE_DIR_OUT:
		return "out";
	case NETFENCE_DIR_IN:
		return "in";
	case NETFENCE_DIR_BOTH:
		return "both";
	}
	return "?";
}

const char *family_name(uint8_t family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" :
	       family == AF_PACKET ? "link" : "any";
}

/* Zeroes host bits; returns true if some were set. */
static bool clear_host_bits(uint8_t *a, int bits, int prefixlen)
{
	bool set = false;

	for (int i = 0; i < bits / 8; i++) {
		int keep = prefixlen - i * 8;
		uint8_t mask;

		if (keep >= 8)
			continue;
		mask = keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		if (a[i] & ~mask)
			set = true;
		a[i] &= mask;
	}
	return set;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool looks_like_hostname(const char *s)
{
	size_t len = strlen(s);
	bool alpha = false;

	if (!len || len > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++) {
		if (isalpha((unsigned char)*p))
			alpha = true;
		else if (!isdigit((unsigned char)*p) && *p != '-' &&
			 *p != '.' && *p != '_')
			return false;
	}
	/* "10.0.0.256" is a mistyped address, not a name. */
	return alpha;
}

/* Parses an address literal with optional /LEN into r. */
static int parse_prefix(const char *word, struct nf_rule *r,
			char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(word, '/');
	size_t alen = slash ? (size_t)(slash - word) : strlen(word);
	int bits, plen;

	if (alen >= sizeof(buf))
		return fail(err, errlen, "bad address '%s'", word);
	memcpy(buf, word, alen);
	buf[alen] = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->family = AF_INET6;
	else
		return fail(err, errlen, "bad address '%s'", word);
	bits = addr_bits(r->family);
	plen = bits;
	if (slash) {
		if (!all_digits(slash + 1) || strlen(slash + 1) > 3 ||
		    atoi(slash + 1) > bits)
			return fail(err, errlen,
				    "bad prefix length '%s' in '%s' (0-%d)",
				    slash + 1, word, bits);
		plen = atoi(slash + 1);
	}
	r->prefixlen = (uint8_t)plen;
	if (clear_host_bits(r->addr, bits, plen)) {
		char net[INET6_ADDRSTRLEN];

		inet_ntop(r->family, r->addr, net, sizeof(net));
		return fail(err, errlen,
			    "%s: host bits set, did you mean %s/%d?",
			    word, net, plen);
	}
	return 0;
}

static int parse_port_num(const char *s, const char *word, uint16_t *out,
			  char *err, size_t errlen)
{
	if (!all_digits(s) || strlen(s) > 5 || atol(s) > 65535)
		return fail(err, errlen, "bad port '%s' (0-65535)", word);
	*out = (uint16_t)atol(s);
	return 0;
}

static int parse_ports(const char *word, struct nf_rule *r,
		       char *err, size_t errlen)
{
	char buf[16];
	char *dash;

	if (strlen(word) >= sizeof(buf))
		return fail(err, errlen, "bad port '%s' (0-65535)", word);
	strcpy(buf, word);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_port_num(buf, word, &r->port_min, err, errlen))
		return -1;
	r->port_max = r->port_min;
	if (dash) {
		if (parse_port_num(dash + 1, word, &r->port_max, err, errlen))
			return -1;
		if (r->port_min > r->port_max)
			return fail(err, errlen,
				    "bad port range '%s' (start above end)",
				    word);
	}
	return 0;
}

/* Proto and family must agree; ports need tcp, udp or any. */
static int check_rule(const struct nf_rule *r, const char *target,
		      char *err, size_t errlen)
{
	if (r->proto == IPPROTO_ICMP && r->family != AF_INET)
		return fail(err, errlen, r->family == AF_UNSPEC ?
			    "proto icmp needs an IPv4 target ('%s' covers IPv6 too: use any4)" :
			    "proto icmp needs an IPv4 target, '%s' is IPv6 (use icmpv6)",
			    target);
	if (r->proto == IPPROTO_ICMPV6 && r->family != AF_INET6)
		return fail(err, errlen, r->family == AF_UNSPEC ?
			    "proto icmpv6 needs an IPv6 target ('%s' covers IPv4 too: use any6)" :
			    "proto icmpv6 needs an IPv6 target, '%s' is IPv4 (use icmp)",
			    target);
	if (rule_has_ports(r) && r->proto != 0 && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP)
		return fail(err, errlen, "port needs proto tcp, udp or any");
	return 0;
}

int rule_resolve_getaddrinfo(const char *name, struct nf_addr *out, int max,
			     char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *res, *ai;
	int n = 0, rc;

	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc)
		return fail(err, errlen, "cannot resolve '%s': %s", name,
			    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		struct nf_addr a = { .family = ai->ai_family };
		bool dup = false;

		if (ai->ai_family == AF_INET)
			memcpy(a.a, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		else if (ai->ai_family == AF_INET6)
			memcpy(a.a, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		else
			continue;
		for (int i = 0; i < n; i++)
			if (out[i].family == a.family && !memcmp(out[i].a, a.a, 16))
				dup = true;
		if (!dup)
			out[n++] = a;
	}
	freeaddrinfo(res);
	if (!n)
		return fail(err, errlen, "cannot resolve '%s': no address", name);
	return n;
}

int rule_resolve_boot(const char *name, struct nf_addr *out, int max,
		      char *err, size_t errlen)
{
	(void)out;
	(void)max;
	return fail(err, errlen,
		    "'%s' is a hostname: at boot it cannot be resolved before the network is up; give its addresses",
		    name);
}

/* Expands a hostname rule into one rule per usable address. */
static int resolve_target(const char *name, const struct nf_rule *tmpl,
			  struct rule_vec *out, char *err, size_t errlen)
{
	struct nf_addr addrs[MAX_RESOLVED];
	char msg[NF_ERR_LEN];
	size_t off;
	int n, used = 0;

	n = rule_resolve(name, addrs, MAX_RESOLVED, err, errlen);
	if (n < 0)
		return -1;
	off = (size_t)snprintf(msg, sizeof(msg), "resolved %s to", name);
	for (int i = 0; i < n; i++) {
		struct nf_rule r = *tmpl;
		char text[INET6_ADDRSTRLEN];

		if ((tmpl->proto == IPPROTO_ICMP && addrs[i].family != AF_INET) ||
		    (tmpl->proto == IPPROTO_ICMPV6 && addrs[i].family != AF_INET6))
			continue;
		r.family = (uint8_t)addrs[i].family;
		r.prefixlen = (uint8_t)addr_bits(r.family);
		memset(r.addr, 0, sizeof(r.addr));
		memcpy(r.addr, addrs[i].a, r.family == AF_INET ? 4 : 16);
		if (rule_vec_push(out, &r))
			return fail(err, errlen, "out of memory");
		inet_ntop(r.family, r.addr, text, sizeof(text));
		if (off < sizeof(msg))
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
						"%s %s", used ? "," : "", text);
		used++;
	}
	if (!used)
		return fail(err, errlen, "'%s' has no %s address (proto %s)",
			    name, tmpl->proto == IPPROTO_ICMP ? "IPv4" : "IPv6",
			    proto_name(tmpl->proto));
	rule_note(msg);
	return 0;
}

/* A uid number: up to 10 digits, at most NF_UID_MAX. */
static bool uid_number(const char *s, size_t len, uint32_t *out)
{
	unsigned long long v = 0;

	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v > NF_UID_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* N or N-M: numeric uids; anything else: a user name (getpwnam). */
static int parse_uid(const char *word, struct nf_rule *r,
		     char *err, size_t errlen)
{
	const char *dash = strchr(word, '-');
	size_t len = strlen(word);
	struct passwd *pw;

	/* Digits, or digits-digits: numbers, whatever their size. */
	if (all_digits(word) ||
	    (dash && dash > word && dash[1] && !strchr(dash + 1, '-') &&
	     strspn(word, "0123456789") == (size_t)(dash - word) &&
	     all_digits(dash + 1))) {
		size_t lo_len = dash ? (size_t)(dash - word) : len;

		if (!uid_number(word, lo_len, &r->uid_min) ||
		    !uid_number(dash ? dash + 1 : word, dash ? strlen(dash + 1) : len,
				&r->uid_max))
			return fail(err, errlen, "bad uid '%s' (0-%u)", word, NF_UID_MAX);
		if (r->uid_min > r->uid_max)
			return fail(err, errlen, "bad uid range '%s' (start above end)",
				    word);
		r->has_uid = true;
		return 0;
	}
	pw = *word ? getpwnam(word) : NULL;
	if (!pw)
		return fail(err, errlen, "unknown user '%s' (uid N, N-M or a user name)",
			    word);
	r->has_uid = true;
	r->uid_min = r->uid_max = (uint32_t)pw->pw_uid;
	return 0;
}

static int parse_cgroup(const char *word, struct nf_rule *r,
			char *err, size_t errlen)
{
	if (word[0] != '/')
		return fail(err, errlen,
			    "bad cgroup path '%s' (must start with '/', relative to the cgroup2 mount)",
			    word);
	if (strlen(word) > NF_CGROUP_MAX)
		return fail(err, errlen, "cgroup path too long (at most %u bytes)",
			    NF_CGROUP_MAX);
	for (const unsigned char *p = (const unsigned char *)word; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fail(err, errlen,
				    "bad cgroup path: control character 0x%02x", *p);
	r->cgroup = word;
	return 0;
}

enum { KW_PROTO, KW_PORT, KW_DIR, KW_UID, KW_CGROUP, KW_COUNT };

static const char *const keywords[KW_COUNT] = {
	"proto", "port", "dir", "uid", "cgroup",
};

static int keyword(const char *w)
{
	for (int k = 0; k < KW_COUNT; k++)
		if (!strcmp(w, keywords[k]))
			return k;
	return -1;
}

int rule_parse_words(int argc, char *const argv[], struct rule_vec *out,
		     char *err, size_t errlen)
{
	struct nf_rule r = {
		.dir = NETFENCE_DIR_OUT,
		.port_max = 0xffff,
	};
	bool seen[KW_COUNT] = { false };
	bool hostname = false;
	const char *target;
	int i = 1;

	if (argc < 1)
		return fail(err, errlen, "missing rule target (address, prefix, hostname, any, uid or cgroup)");
	target = argv[0];
	if (!strcmp(target, "uid") || !strcmp(target, "cgroup")) {
		/* Identity rule without a target: any remote address. */
		r.family = AF_UNSPEC;
		target = "any";
		i = 0;
	} else if (!strcmp(target, "any")) {
		r.family = AF_UNSPEC;
	} else if (!strcmp(target, "any4")) {
		r.family = AF_INET;
	} else if (!strcmp(target, "any6")) {
		r.family = AF_INET6;
	} else if (keyword(target) >= 0) {
		return fail(err, errlen, "missing rule target before '%s'", target);
	} else if (looks_like_hostname(target)) {
		hostname = true;
	} else if (parse_prefix(target, &r, err, errlen)) {
		return -1;
	}

	for (; i < argc; i++) {
		const char *kw = argv[i], *val;
		int k = keyword(kw);

		if (k < 0)
			return fail(err, errlen,
				    "unknown keyword '%s' (expected proto, port, dir, uid or cgroup)",
				    kw);
		if (seen[k])
			return fail(err, errlen, "'%s' given twice", kw);
		seen[k] = true;
		if (i + 1 >= argc)
			return fail(err, errlen, "missing value after '%s'", kw);
		val = argv[++i];
		switch (k) {
		case KW_PROTO: {
			size_t p;

			for (p = 0; p < sizeof(protos) / sizeof(protos[0]); p++)
				if (!strcmp(val, protos[p].name))
					break;
			if (p == sizeof(protos) / sizeof(protos[0]))
				return fail(err, errlen,
					    "bad proto '%s' (tcp, udp, icmp, icmpv6 or any)",
					    val);
			r.proto = protos[p].proto;
			break;
		}
		case KW_PORT:
			if (parse_ports(val, &r, err, errlen))
				return -1;
			break;
		case KW_DIR:
			if (!strcmp(val, "out"))
				r.dir = NETFENCE_DIR_OUT;
			else if (!strcmp(val, "in"))
				r.dir = NETFENCE_DIR_IN;
			else if (!strcmp(val, "both"))
				r.dir = NETFENCE_DIR_BOTH;
			else
				return fail(err, errlen,
					    "bad dir '%s' (out, in or both)", val);
			break;
		case KW_UID:
			if (parse_uid(val, &r, err, errlen))
				return -1;
			break;
		case KW_CGROUP:
			if (parse_cgroup(val, &r, err, errlen))
				return -1;
			break;
		}
	}

	if (hostname) {
		struct nf_rule probe = r;

		/* Check proto/ports first, against a family that fits. */
		probe.family = r.proto == IPPROTO_ICMPV6 ? AF_INET6 : AF_INET;
		if (check_rule(&probe, target, err, errlen))
			return -1;
		return resolve_target(target, &r, out, err, errlen);
	}
	if (check_rule(&r, target, err, errlen))
		return -1;
	if (rule_vec_push(out, &r))
		return fail(err, errlen, "out of memory");
	return 0;
}

/*
 * Splits line in place into words at blanks. "Double quotes" group a word
 * (\" and \\ inside them); with comments, an unquoted '#' ends the line.
 * Returns the count, -1 for an unterminated quote, -2 for too many words.
 */
static int split_words(char *line, char **words, int max, bool comments)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		bool quoted = false;

		while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
			r++;
		if (!*r || (comments && *r == '#'))
			return n;
		if (n == max)
			return -2;
		words[n++] = w;
		for (; *r; r++) {
			if (*r == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && *r == '\\' && (r[1] == '"' || r[1] == '\\')) {
				*w++ = *++r;
				continue;
			}
			if (!quoted && (*r == ' ' || *r == '\t' || *r == '\r' ||
					*r == '\n' || (comments && *r == '#')))
				break;
			*w++ = *r;
		}
		if (quoted)
			return -1;
		if (*r == '#') {
			*w = '\0';
			return n;
		}
		if (*r)
			r++;
		*w++ = '\0';
		if (!*r)
			return n;
	}
}

int rule_parse_string(const char *s, struct rule_vec *out,
		      char *err, size_t errlen)
{
	char *copy = strdup(s), *words[MAX_WORDS];
	int n, rc;

	if (!copy)
		return fail(err, errlen, "out of memory");
	n = split_words(copy, words, MAX_WORDS, false);
	if (n == -2)
		rc = fail(err, errlen, "too many words in rule '%s'", s);
	else if (n == -1)
		rc = fail(err, errlen, "unterminated quote in rule '%s'", s);
	else
		rc = rule_parse_words(n, words, out, err, errlen);
	free(copy);
	return rc;
}

/* Appends printf output at *off, never past len (off keeps counting). */
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The first '#' of line outside double quotes, or NULL. */
static const char *comment_start(const char *line)
{
	bool quoted = false;

	for (const char *r = line; *r; r++) {
		if (*r == '"')
			quoted = !quoted;
		else if (quoted && *r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		else if (!quoted && *r == '#')
			return r;
	}
	return NULL;
}

int policy_line_canonical(const char *line, char *out, size_t len,
			  const char **comment)
{
	rule_resolve_fn resolve = rule_resolve;
	struct rule_vec rv = { 0 };
	char *copy, *words[MAX_WORDS], err[NF_ERR_LEN];
	const char *hash = comment_start(line);
	size_t off = 0;
	int n;

	*comment = hash;
	if (!len)
		return -1;
	out[0] = '\0';
	copy = strndup(line, hash ? (size_t)(hash - line) : strlen(line));
	if (!copy)
		return -1;
	n = split_words(copy, words, MAX_WORDS, true);
	if (n > 0 && strcmp(words[0], "option") && strcmp(words[0], "isolate") &&
	    strcmp(words[0], "timeout") && strcmp(words[0], "key") &&
	    strcmp(words[0], "dns")) {
		/* Names stay names: no lookup for a comment's sake. */
		rule_resolve = rule_resolve_boot;
		if (!rule_parse_words(n, words, &rv, err, sizeof(err)) && rv.n == 1) {
			rule_format(&rv.v[0], out, len);
			n = 0;
		}
		rule_resolve = resolve;
		rule_vec_free(&rv);
	}
	for (int i = 0; i < n; i++)
		append(out, len, &off, "%s%s", i ? " " : "", words[i]);
	free(copy);
	return 0;
}

/* A cgroup path as one word: quoted when it has blanks, quotes or '#'. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (*s == ' ' || *s == '\t' || *s == '"' || *s == '\\' || *s == '#')
			return true;
	return false;
}

static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static void format_identity(const struct nf_rule *r, char *buf, size_t len,
			    size_t *off)
{
	if (r->has_uid) {
		if (r->uid_min == r->uid_max)
			append(buf, len, off, "%suid %" PRIu32, *off ? " " : "",
			       r->uid_min);
		else
			append(buf, len, off, "%suid %" PRIu32 "-%" PRIu32,
			       *off ? " " : "", r->uid_min, r->uid_max);
	}
	if (!r->cgroup)
		return;
	append(buf, len, off, "%scgroup ", *off ? " " : "");
	if (!needs_quotes(r->cgroup)) {
		append(buf, len, off, "%s", r->cgroup);
		return;
	}
	append(buf, len, off, "\"");
	for (const char *c = r->cgroup; *c; c++)
		append(buf, len, off, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
	append(buf, len, off, "\"");
}

size_t rule_format(const struct nf_rule *r, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	size_t off = 0;
	const char *pn;
	/* An identity takes the place of the target "any". */
	bool ident_first = r->family == AF_UNSPEC && rule_has_identity(r);

	if (!len)
		return 0;
	buf[0] = '\0';
	if (ident_first) {
		format_identity(r, buf, len, &off);
	} else if (r->family == AF_UNSPEC) {
		append(buf, len, &off, "any");
	} else if (r->prefixlen == 0) {
		append(buf, len, &off, "%s", r->family == AF_INET ? "any4" : "any6");
	} else {
		inet_ntop(r->family, r->addr, addr, sizeof(addr));
		if (r->prefixlen == addr_bits(r->family))
			append(buf, len, &off, "%s", addr);
		else
			append(buf, len, &off, "%s/%u", addr, r->prefixlen);
	}
	if (r->proto) {
		pn = proto_name(r->proto);
		if (pn)
			append(buf, len, &off, " proto %s", pn);
		else
			append(buf, len, &off, " proto %u", r->proto);
	}
	if (rule_has_ports(r)) {
		if (r->port_min == r->port_max)
			append(buf, len, &off, " port %u", r->port_min);
		else
			append(buf, len, &off, " port %u-%u", r->port_min, r->port_max);
	}
	if (r->dir != NETFENCE_DIR_OUT)
		append(buf, len, &off, " dir %s", dir_name(r->dir));
	if (!ident_first)
		format_identity(r, buf, len, &off);
	return off < len ? off : len - 1;
}

bool rule_equal(const struct nf_rule *a, const struct nf_rule *b)
{
	if (a->has_uid != b->has_uid || !a->cgroup != !b->cgroup)
		return false;
	if (a->has_uid && (a->uid_min != b->uid_min || a->uid_max != b->uid_max))
		return false;
	if (a->cgroup && strcmp(a->cgroup, b->cgroup))
		return false;
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       a->proto == b->proto && a->dir == b->dir &&
	       a->port_min == b->port_min && a->port_max == b->port_max &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static const struct {
	const char *name;
	uint32_t flag;
} option_names[] = {
	{ "nd", NETFENCE_POLICY_F_ND },
	{ "dhcp4", NETFENCE_POLICY_F_DHCP4 },
	{ "dhcp6", NETFENCE_POLICY_F_DHCP6 },
	{ "icmp-errors", NETFENCE_POLICY_F_ICMP_ERR },
	{ "audit", NETFENCE_POLICY_F_AUDIT },
	{ "reject", NETFENCE_POLICY_F_REJECT },
	{ "log", NETFENCE_POLICY_F_LOG },
	{ "stateless", NETFENCE_POLICY_F_STATELESS },
};

const char *policy_flag_name(uint32_t flag)
{
	for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
		if (option_names[i].flag == flag)
			return option_names[i].name;
	return NULL;
}

int parse_event_rate(const char *val, struct policy_spec *p,
		     char *err, size_t errlen)
{
	if (!all_digits(val) || strlen(val) > 6 ||
	    atol(val) > NETFENCE_EVENT_RATE_MAX)
		return fail(err, errlen, "bad event rate '%s' (0-%u per second)",
			    val, NETFENCE_EVENT_RATE_MAX);
	p->has_event_rate = true;
	p->event_rate = (uint32_t)atol(val);
	return 0;
}

int parse_ethertype(const char *val, struct policy_spec *p,
		    char *err, size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 0);
	if (!*val || *end || errno || v < 0x0600 || v > 0xffff)
		return fail(err, errlen, "bad EtherType '%s' (0x0600-0xffff, e.g. 0x88f7)", val);
	for (size_t i = 0; i < p->n_ethertypes; i++)
		if (p->ethertypes[i] == v)
			return 0;
	if (p->n_ethertypes == NETFENCE_ETHERTYPES_MAX)
		return fail(err, errlen, "more than %d EtherTypes", NETFENCE_ETHERTYPES_MAX);
	p->ethertypes[p->n_ethertypes++] = (uint16_t)v;
	return 0;
}

void policy_write_ethertypes(FILE *f, const uint16_t *types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "option ethertype 0x%04x\n", types[i]);
}

static int parse_option(int argc, char **argv, struct policy_spec *p,
			char *err, size_t errlen)
{
	size_t i;
	bool on;

	if (argc == 3 && !strcmp(argv[1], "event-rate"))
		return parse_event_rate(argv[2], p, err, errlen);
	if (argc == 3 && !strcmp(argv[1], "ethertype"))
		return parse_ethertype(argv[2], p, err, errlen);
	if (argc != 3)
		return fail(err, errlen,
			    "option needs a name and on or off: 'option nd off'");
	for (i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
		if (!strcmp(argv[1], option_names[i].name))
			break;
	if (i == sizeof(option_names) / sizeof(option_names[0]))
		return fail(err, errlen,
			    "unknown option '%s' (nd, dhcp4, dhcp6, icmp-errors, audit, reject, log, stateless, event-rate or ethertype)",
			    argv[1]);
	if (!strcmp(argv[2], "on"))
		on = true;
	else if (!strcmp(argv[2], "off"))
		on = false;
	else
		return fail(err, errlen, "option %s: bad value '%s' (on or off)",
			    argv[1], argv[2]);
	if (on) {
		p->set |= option_names[i].flag;
		p->clear &= ~option_names[i].flag;
	} else {
		p->clear |= option_names[i].flag;
		p->set &= ~option_names[i].flag;
	}
	return 0;
}

/* key sha256:HEX, as policy_write_key() writes it. */
static int parse_key_line(int n, char **words, struct policy_spec *p,
			  char *err, size_t errlen)
{
	const char *hex = n == 2 ? words[1] : "";

	if (strncmp(hex, "sha256:", 7) || strlen(hex + 7) != 2 * NETFENCE_KEY_DIGEST_LEN)
		return fail(err, errlen,
			    "expected 'key sha256:HEX' (the %d-byte digest of a release key, as save writes it)",
			    NETFENCE_KEY_DIGEST_LEN);
	if (p->has_key_digest)
		return fail(err, errlen, "key given twice");
	hex += 7;
	for (int i = 0; i < NETFENCE_KEY_DIGEST_LEN; i++) {
		unsigned int byte;

		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return fail(err, errlen, "key: '%s' is not hexadecimal", hex);
		p->key_digest[i] = (uint8_t)byte;
	}
	p->has_key_digest = true;
	return 0;
}

static int parse_policy_line(char *line, struct policy_spec *p,
			     char *err, size_t errlen)
{
	char *words[MAX_WORDS];
	int n = split_words(line, words, MAX_WORDS, true);

	if (n == -2)
		return fail(err, errlen, "too many words");
	if (n == -1)
		return fail(err, errlen, "unterminated quote");
	if (!n)
		return 0;
	if (!strcmp(words[0], "option"))
		return parse_option(n, words, p, err, errlen);
	if (!strcmp(words[0], "isolate")) {
		if (n != 2 || (strcmp(words[1], "yes") && strcmp(words[1], "no")))
			return fail(err, errlen, "expected 'isolate yes' or 'isolate no'");
		if (p->has_isolate)
			return fail(err, errlen, "isolate given twice");
		p->has_isolate = true;
		p->isolate = !strcmp(words[1], "yes");
		return 0;
	}
	if (!strcmp(words[0], "timeout")) {
		if (n != 2)
			return fail(err, errlen, "expected 'timeout DURATION' (e.g. 15m; 0: none)");
		if (p->has_timeout)
			return fail(err, errlen, "timeout given twice");
		if (parse_duration(words[1], &p->timeout, err, errlen))
			return -1;
		p->has_timeout = true;
		return 0;
	}
	if (!strcmp(words[0], "key"))
		return parse_key_line(n, words, p, err, errlen);
	if (!strcmp(words[0], "dns")) {
		if (n != 2 || strcmp(words[1], "auto"))
			return fail(err, errlen, "expected 'dns auto'");
		if (p->boot)
			return fail(err, errlen,
				    "'dns auto' at boot: the resolvers are not known before the network is up; list them as rules");
		return dns_auto(NULL, &p->rules, err, errlen);
	}
	return rule_parse_words(n, words, &p->rules, err, errlen);
}

int policy_parse_file(FILE *f, const char *name, struct policy_spec *p,
		      char *err, size_t errlen)
{
	char *line = NULL, msg[NF_ERR_LEN];
	size_t cap = 0;
	unsigned int lineno = 0;
	int rc = 0;

	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if (parse_policy_line(line, p, msg, sizeof(msg))) {
			fail(err, errlen, "%s:%u: %s", name, lineno, msg);
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f))
		rc = fail(err, errlen, "%s: %s", name, strerror(errno));
	if (!rc && p->has_isolate && !p->isolate && p->has_timeout && p->timeout)
		rc = fail(err, errlen, "%s: 'timeout %" PRIu32 "s' needs 'isolate yes'",
			  name, p->timeout);
	free(line);
	return rc;
}

void policy_write_state(FILE *f, bool isolated, bool has_deadline,
			uint64_t left_ms)
{
	uint64_t left = (left_ms + 999) / 1000;

	fprintf(f, "isolate %s\n", isolated ? "yes" : "no");
	/* A deadline due this very second still is one: never "timeout 0". */
	if (isolated && has_deadline)
		fprintf(f, "timeout %" PRIu64 "s\n", left ? left : 1);
}

void policy_write(FILE *f, uint32_t flags, uint32_t event_rate,
		  const struct nf_rule *rules, size_t n)
{
	char text[NF_RULE_TEXT_LEN];

	for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++) {
		uint32_t fl = option_names[i].flag;

		if ((flags & fl) != (NETFENCE_POLICY_F_DEFAULT & fl))
			fprintf(f, "option %s %s\n", option_names[i].name,
				flags & fl ? "on" : "off");
	}
	if (event_rate != NETFENCE_EVENT_RATE_DEFAULT)
		fprintf(f, "option event-rate %" PRIu32 "\n", event_rate);
	for (size_t i = 0; i < n; i++) {
		rule_format(&rules[i], text, sizeof(text));
		fprintf(f, "%s\n", text);
	}
}

/* systemd-resolved's local stubs: lo, which isolation never cuts. */
static bool resolved_stub(const struct nf_rule *r)
{
	static const uint8_t stub53[4] = { 127, 0, 0, 53 };
	static const uint8_t stub54[4] = { 127, 0, 0, 54 };

	return r->family == AF_INET && (!memcmp(r->addr, stub53, 4) ||
					!memcmp(r->addr, stub54, 4));
}

/*
 * Appends the nameservers of resolv.conf file path; *stub says whether it
 * named a systemd-resolved stub (not appended).
 */
static int read_nameservers(const char *path, struct rule_vec *out, int *found,
			    bool *stub, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return fail(err, errlen, "dns auto: %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) >= 0) {
		char *save = NULL, *kw, *addr, *pct;
		struct nf_rule r = {
			.dir = NETFENCE_DIR_OUT,
			.port_min = 53,
			.port_max = 53,
		};

		kw = strtok_r(line, " \t\r\n", &save);
		if (!kw || strcmp(kw, "nameserver"))
			continue;
		addr = strtok_r(NULL, " \t\r\n", &save);
		if (!addr)
			continue;
		pct = strchr(addr, '%');
		if (pct)
			*pct = '\0';
		if (inet_pton(AF_INET, addr, r.addr) == 1) {
			r.family = AF_INET;
			r.prefixlen = 32;
		} else if (inet_pton(AF_INET6, addr, r.addr) == 1) {
			r.family = AF_INET6;
			r.prefixlen = 128;
		} else {
			continue;
		}
		if (resolved_stub(&r)) {
			*stub = true;
			continue;
		}
		r.proto = IPPROTO_UDP;
		if (rule_vec_push(out, &r)) {
			rc = fail(err, errlen, "out of memory");
			break;
		}
		r.proto = IPPROTO_TCP;
		if (rule_vec_push(out, &r)) {
			rc = fail(err, errlen, "out of memory");
			break;
		}
		(*found)++;
	}
	free(line);
	fclose(f);
	return rc;
}

int dns_auto(const char *path, struct rule_vec *out, char *err, size_t errlen)
{
	const char *upstream;
	bool stub = false, ignored = false;
	int found = 0, rc;

	if (!path)
		path = getenv("NETFENCE_RESOLV_CONF");
	if (!path || !*path)
		path = "/etc/resolv.conf";
	rc = read_nameservers(path, out, &found, &stub, err, errlen);
	if (rc || !stub)
		goto out;

	/*
	 * The stub forwards to the upstream servers, which isolation must
	 * let it reach: systemd-resolved lists them in its own resolv.conf.
	 */
	upstream = getenv("NETFENCE_RESOLVED_CONF");
	if (!upstream || !*upstream)
		upstream = "/run/systemd/resolve/resolv.conf";
	rc = read_nameservers(upstream, out, &found, &ignored, err, errlen);
	if (!rc && !found)
		return fail(err, errlen,
			    "dns auto: %s names systemd-resolved's stub but %s has no nameserver",
			    path, upstream);
out:
	if (!rc && !found)
		rc = fail(err, errlen, "dns auto: no nameserver in %s", path);
	return rc;
}

int comment_check(const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s);

	if (len > NETFENCE_COMMENT_MAX - 1)
		return fail(err, errlen, "comment too long: %zu bytes (at most %d)",
			    len, NETFENCE_COMMENT_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(err, errlen,
				    "comment has a control character (byte %zu): one line of text",
				    i + 1);
	return 0;
}

/* Does r let remote (family, addr) open a TCP connection to local port? */
static bool rule_allows_tcp_in(const struct nf_rule *r, int family,
			       const uint8_t *addr, uint16_t port)
{
	int full, bits = r->prefixlen;

	/* What an identity covers is not known here: do not count on it. */
	if (rule_has_identity(r))
		return false;
	if (r->dir != NETFENCE_DIR_IN && r->dir != NETFENCE_DIR_BOTH)
		return false;
	if (r->proto != 0 && r->proto != IPPROTO_TCP)
		return false;
	if (port < r->port_min || port > r->port_max)
		return false;
	if (r->family == AF_UNSPEC)
		return true;
	if (r->family != family)
		return false;
	full = bits / 8;
	if (memcmp(r->addr, addr, (size_t)full))
		return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		if ((r->addr[full] & mask) != (addr[full] & mask))
			return false;
	}
	return true;
}

int ssh_session_cut(const char *ssh_connection, const struct nf_rule *rules,
		    size_t n, char *msg, size_t len)
{
	char client[INET6_ADDRSTRLEN + 16];
	unsigned int cport, sport;
	uint8_t addr[16] = { 0 };
	char *pct;
	int family;

	if (!ssh_connection ||
	    sscanf(ssh_connection, "%61s %u %*s %u", client, &cport, &sport) != 3 ||
	    sport > 65535)
		return 0;
	pct = strchr(client, '%');
	if (pct)
		*pct = '\0';
	if (inet_pton(AF_INET, client, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, client, addr) == 1)
		family = AF_INET6;
	else
		return 0;
	for (size_t i = 0; i < n; i++)
		if (rule_allows_tcp_in(&rules[i], family, addr, (uint16_t)sport))
			return 0;
	snprintf(msg, len,
		 "no rule lets this SSH session in (%s to tcp port %u): it would be cut off; "
		 "allow it with '%s proto tcp port %u dir in'",
		 client, sport, client, sport);
	return 1;
}

int parse_duration(const char *s, uint32_t *secs, char *err, size_t errlen)
{
	static const struct {
		char unit;
		uint32_t mult;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	size_t len = strlen(s), digits = len;
	uint32_t mult = 1;
	unsigned long long v = 0;

	if (len && !isdigit((unsigned char)s[len - 1])) {
		digits = len - 1;
		mult = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (s[len - 1] == units[i].unit)
				mult = units[i].mult;
	}
	if (!digits || !mult)
		goto bad;
	for (size_t i = 0; i < digits; i++) {
		if (!isdigit((unsigned char)s[i]))
			goto bad;
		v = v * 10 + (unsigned long long)(s[i] - '0');
		if (v > NF_DURATION_MAX)
			return fail(err, errlen,
				    "duration '%s' too long (at most 365d)", s);
	}
	v *= mult;
	if (v > NF_DURATION_MAX)
		return fail(err, errlen, "duration '%s' too long (at most 365d)", s);
	*secs = (uint32_t)v;
	return 0;
bad:
	return fail(err, errlen, "bad duration '%s' (use e.g. 90s, 15m, 2h)", s);
}

void format_duration_ms(uint64_t ms, char *buf, size_t len)
{
	/* Round up: "1s" left until the very end, never "0s". */
	uint64_t t = (ms + 999) / 1000;
	uint64_t d = t / 86400, h = t / 3600 % 24, m = t / 60 % 60, sec = t % 60;

	if (d)
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h %" PRIu64 "m", d, h, m);
	else if (h)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m %" PRIu64 "s", h, m, sec);
	else if (m)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", m, sec);
	else
		snprintf(buf, len, "%" PRIu64 "s", sec);
}

void key_wipe(struct nf_key *key)
{
	explicit_bzero(key, sizeof(*key));
}

void key_digest(const struct nf_key *key, uint8_t out[NETFENCE_KEY_DIGEST_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, key->len, key->data);
	sha256_digest(&ctx, NETFENCE_KEY_DIGEST_LEN, out);
	explicit_bzero(&ctx, sizeof(ctx));
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int policy_digest(const uint16_t *types, size_t ntypes, uint32_t flags,
		  uint32_t event_rate, const struct nf_rule *rules, size_t n,
		  char out[POLICY_DIGEST_LEN])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char *buf = NULL, **lines = NULL, *save = NULL, *l;
	struct sha256_ctx ctx;
	size_t len = 0, nl = 0, cap = n + 64;
	FILE *m = open_memstream(&buf, &len);
	int rc = -1;

	if (!m)
		return -1;
	policy_write_ethertypes(m, types, ntypes);
	policy_write(m, flags, event_rate, rules, n);
	if (fclose(m))
		goto out;
	lines = malloc(cap * sizeof(*lines));
	if (!lines)
		goto out;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (nl == cap) {
			char **nv = realloc(lines, 2 * cap * sizeof(*lines));

			if (!nv)
				goto out;
			lines = nv;
			cap *= 2;
		}
		lines[nl++] = l;
	}
	/* As "LC_ALL=C sort" orders them: the dump's order does not count. */
	qsort(lines, nl, sizeof(*lines), line_cmp);
	sha256_init(&ctx);
	for (size_t i = 0; i < nl; i++) {
		sha256_update(&ctx, strlen(lines[i]), (const uint8_t *)lines[i]);
		sha256_update(&ctx, 1, (const uint8_t *)"\n");
	}
	sha256_digest(&ctx, sizeof(d), d);
	len = (size_t)snprintf(out, POLICY_DIGEST_LEN, "sha256:");
	for (size_t i = 0; i < sizeof(d); i++)
		len += (size_t)snprintf(out + len, POLICY_DIGEST_LEN - len, "%02x", d[i]);
	rc = 0;
out:
	free(lines);
	free(buf);
	return rc;
}

void policy_write_key(FILE *f, const uint8_t digest[NETFENCE_KEY_DIGEST_LEN])
{
	fputs("key sha256:", f);
	for (int i = 0; i < NETFENCE_KEY_DIGEST_LEN; i++)
		fprintf(f, "%02x", digest[i]);
	fputc('\n', f);
}

int key_read_file(const char *path, struct nf_key *key, char *err,
		  size_t errlen)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "stdin" : path;
	/* One byte more than allowed, to see a file that is too large. */
	unsigned char extra;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0;
	int saved;

	key_wipe(key);
	if (fd < 0)
		return fail(err, errlen, "cannot read key file '%s': %s", name,
			    strerror(errno));
	for (;;) {
		unsigned char *dst = len < sizeof(key->data) ? key->data + len : &extra;
		size_t room = len < sizeof(key->data) ? sizeof(key->data) - len : 1;
		ssize_t n = read(fd, dst, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			if (!is_stdin)
				close(fd);
			key_wipe(key);
			return fail(err, errlen, "cannot read key file '%s': %s",
				    name, strerror(saved));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > sizeof(key->data)) {
			if (!is_stdin)
				close(fd);
			key_wipe(key);
			explicit_bzero(&extra, sizeof(extra));
			return fail(err, errlen, "key file '%s': larger than %u bytes",
				    name, NETFENCE_KEY_MAX);
		}
	}
	if (!is_stdin)
		close(fd);
	if (!len)
		return fail(err, errlen, "key file '%s': empty", name);
	/* The kernel refuses it too; say so before anything is sent. */
	if (len < NETFENCE_KEY_MIN) {
		key_wipe(key);
		return fail(err, errlen,
			    "key file '%s': %zu byte%s, a release key needs at least %u bytes",
			    name, len, len == 1 ? "" : "s", NETFENCE_KEY_MIN);
	}
	key->len = len;
	key->set = true;
	return 0;
}
