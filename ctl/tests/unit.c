// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: host unit tests of the pure parts of the tool (rule syntax,
 * policy files, resolv.conf, JSON and human output). Tables of input and
 * expected output or error: add a line to add a case.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netfence.h>

#include "diff.h"
#include "json.h"
#include "output.h"
#include "rule.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int failures;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

/* ---- stub resolver and captured notes ---- */

static char notes[1024];

static void capture_note(const char *msg)
{
	snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes), "%s\n", msg);
}

static const struct {
	const char *name;
	const char *addrs[4];
} stub_hosts[] = {
	{ "dual.example", { "192.0.2.1", "2001:db8::1", "192.0.2.2" } },
	{ "v4.example", { "198.51.100.7" } },
	{ "v6.example", { "2001:db8::53" } },
};

static int stub_resolve(const char *name, struct nf_addr *out, int max,
			char *err, size_t errlen)
{
	for (size_t i = 0; i < ARRAY_SIZE(stub_hosts); i++) {
		int n = 0;

		if (strcmp(name, stub_hosts[i].name))
			continue;
		for (; n < 4 && n < max && stub_hosts[i].addrs[n]; n++) {
			const char *a = stub_hosts[i].addrs[n];

			memset(&out[n], 0, sizeof(out[n]));
			out[n].family = strchr(a, ':') ? AF_INET6 : AF_INET;
			inet_pton(out[n].family, a, out[n].a);
		}
		return n;
	}
	snprintf(err, errlen, "cannot resolve '%s': Name or service not known", name);
	return -1;
}

/* Parses s, formats every resulting rule, joins them with " | ". */
static int parse_format(const char *s, char *out, size_t len, char *err)
{
	struct rule_vec rv = { 0 };
	size_t off = 0;

	out[0] = '\0';
	if (rule_parse_string(s, &rv, err, NF_ERR_LEN)) {
		rule_vec_free(&rv);
		return -1;
	}
	for (size_t i = 0; i < rv.n; i++) {
		char text[NF_RULE_TEXT_LEN];

		rule_format(&rv.v[i], text, sizeof(text));
		off += (size_t)snprintf(out + off, len - off, "%s%s",
					i ? " | " : "", text);
	}
	rule_vec_free(&rv);
	return 0;
}

/* ---- canonical forms ---- */

static const struct {
	const char *in;
	const char *canonical;
} canon_cases[] = {
	{ "10.0.0.5", "10.0.0.5" },
	{ "10.0.0.5/32", "10.0.0.5" },
	{ "10.0.0.0/8", "10.0.0.0/8" },
	{ "0.0.0.0/0", "any4" },
	{ "::/0", "any6" },
	{ "any", "any" },
	{ "any4", "any4" },
	{ "any6", "any6" },
	{ "2001:DB8:0:0::1", "2001:db8::1" },
	{ "2001:db8::/32", "2001:db8::/32" },
	{ "2001:db8::1/128", "2001:db8::1" },
	{ "::ffff:10.0.0.1", "::ffff:10.0.0.1" },
	{ "10.0.0.5 proto tcp port 22 dir in", "10.0.0.5 proto tcp port 22 dir in" },
	{ "10.0.0.5 dir in port 22 proto tcp", "10.0.0.5 proto tcp port 22 dir in" },
	{ "10.0.0.5 dir out", "10.0.0.5" },
	{ "10.0.0.5 proto any", "10.0.0.5" },
	{ "10.0.0.5 port 0-65535 proto tcp", "10.0.0.5 proto tcp" },
	{ "10.0.0.5 port 80-80", "10.0.0.5 port 80" },
	{ "10.0.0.5 port 1000-2000 proto udp", "10.0.0.5 proto udp port 1000-2000" },
	{ "10.0.0.5 port 0", "10.0.0.5 port 0" },
	{ "10.0.0.5 port 65535", "10.0.0.5 port 65535" },
	{ "any port 53", "any port 53" },
	{ "any4 proto icmp", "any4 proto icmp" },
	{ "any6 proto icmpv6 dir both", "any6 proto icmpv6 dir both" },
	{ "fe80::/10 proto icmpv6", "fe80::/10 proto icmpv6" },
	{ "  192.0.2.0/24\tdir   both ", "192.0.2.0/24 dir both" },
	{ "10.0.0.0/7", "10.0.0.0/7" },
	{ "10.1.0.0/16", "10.1.0.0/16" },
	{ "dual.example proto tcp port 443",
	  "192.0.2.1 proto tcp port 443 | 2001:db8::1 proto tcp port 443 | 192.0.2.2 proto tcp port 443" },
	{ "dual.example proto icmp", "192.0.2.1 proto icmp | 192.0.2.2 proto icmp" },
	{ "dual.example proto icmpv6", "2001:db8::1 proto icmpv6" },
	{ "v6.example dir in", "2001:db8::53 dir in" },
};

static void test_rule_canonical(void)
{
	char out[1024], err[NF_ERR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(canon_cases); i++) {
		if (parse_format(canon_cases[i].in, out, sizeof(out), err)) {
			failf("'%s': unexpected error: %s", canon_cases[i].in, err);
			continue;
		}
		if (strcmp(out, canon_cases[i].canonical))
			failf("'%s': got '%s', want '%s'", canon_cases[i].in,
			      out, canon_cases[i].canonical);
	}
}

/* parse -> format -> parse gives the same struct; format is a fixpoint. */
static void test_rule_roundtrip(void)
{
	char err[NF_ERR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(canon_cases); i++) {
		struct rule_vec a = { 0 };

		if (rule_parse_string(canon_cases[i].in, &a, err, sizeof(err))) {
			failf("'%s': %s", canon_cases[i].in, err);
			continue;
		}
		for (size_t k = 0; k < a.n; k++) {
			struct rule_vec b = { 0 };
			char t1[NF_RULE_TEXT_LEN], t2[NF_RULE_TEXT_LEN];

			rule_format(&a.v[k], t1, sizeof(t1));
			if (rule_parse_string(t1, &b, err, sizeof(err)) || b.n != 1) {
				failf("'%s' -> '%s' does not parse back: %s",
				      canon_cases[i].in, t1, err);
			} else {
				rule_format(&b.v[0], t2, sizeof(t2));
				if (!rule_equal(&a.v[k], &b.v[0]) || strcmp(t1, t2))
					failf("'%s' -> '%s' -> '%s' differs",
					      canon_cases[i].in, t1, t2);
			}
			rule_vec_free(&b);
		}
		rule_vec_free(&a);
	}
}

/* Fields of parsed rules, against the protocol's defaults. */
static void test_rule_fields(void)
{
	struct rule_vec rv = { 0 };
	char err[NF_ERR_LEN];
	const struct nf_rule *r;

	if (rule_parse_string("10.0.0.0/8 proto udp port 53-54 dir both", &rv,
			      err, sizeof(err)) || rv.n != 1) {
		failf("parse failed: %s", err);
		goto out;
	}
	r = &rv.v[0];
	if (r->family != AF_INET || r->prefixlen != 8 || r->proto != 17 ||
	    r->port_min != 53 || r->port_max != 54 ||
	    r->dir != NETFENCE_DIR_BOTH || r->addr[0] != 10 || r->addr[1])
		failf("wrong fields");
	rule_vec_clear(&rv);
	if (rule_parse_string("any", &rv, err, sizeof(err)) || rv.n != 1 ||
	    rv.v[0].family != AF_UNSPEC || rv.v[0].prefixlen ||
	    rv.v[0].port_min != 0 || rv.v[0].port_max != 65535 ||
	    rv.v[0].dir != NETFENCE_DIR_OUT || rule_has_ports(&rv.v[0]))
		failf("'any' has wrong fields");
	rule_vec_clear(&rv);
	if (rule_parse_string("any6", &rv, err, sizeof(err)) || rv.n != 1 ||
	    rv.v[0].family != AF_INET6 || rv.v[0].prefixlen)
		failf("'any6' has wrong fields");
out:
	rule_vec_free(&rv);
}

/* ---- rejections ---- */

static const struct {
	const char *in;
	const char *err;
} reject_cases[] = {
	{ "", "missing rule target (address, prefix, hostname, any, uid or cgroup)" },
	{ "proto tcp", "missing rule target before 'proto'" },
	{ "port 22", "missing rule target before 'port'" },
	{ "10.0.0.256", "bad address '10.0.0.256'" },
	{ "10.0.0", "bad address '10.0.0'" },
	{ "2001:db8::g", "bad address '2001:db8::g'" },
	{ "fe80::1%eth0", "bad address 'fe80::1%eth0'" },
	{ "-foo", "bad address '-foo'" },
	{ "10.0.0.0/33", "bad prefix length '33' in '10.0.0.0/33' (0-32)" },
	{ "2001:db8::/129", "bad prefix length '129' in '2001:db8::/129' (0-128)" },
	{ "10.0.0.0/", "bad prefix length '' in '10.0.0.0/' (0-32)" },
	{ "10.0.0.0/-1", "bad prefix length '-1' in '10.0.0.0/-1' (0-32)" },
	{ "10.0.0.0/8x", "bad prefix length '8x' in '10.0.0.0/8x' (0-32)" },
	{ "10.0.0.0/1000", "bad prefix length '1000' in '10.0.0.0/1000' (0-32)" },
	{ "10.1.2.3/8", "10.1.2.3/8: host bits set, did you mean 10.0.0.0/8?" },
	{ "10.0.0.1/0", "10.0.0.1/0: host bits set, did you mean 0.0.0.0/0?" },
	{ "192.168.1.129/25", "192.168.1.129/25: host bits set, did you mean 192.168.1.128/25?" },
	{ "2001:db8::1/64", "2001:db8::1/64: host bits set, did you mean 2001:db8::/64?" },
	{ "10.0.0.5 port 70000", "bad port '70000' (0-65535)" },
	{ "10.0.0.5 port 65536", "bad port '65536' (0-65535)" },
	{ "10.0.0.5 port -1", "bad port '-1' (0-65535)" },
	{ "10.0.0.5 port ssh", "bad port 'ssh' (0-65535)" },
	{ "10.0.0.5 port 22-", "bad port '22-' (0-65535)" },
	{ "10.0.0.5 port 1-2-3", "bad port '1-2-3' (0-65535)" },
	{ "10.0.0.5 port 1-70000", "bad port '1-70000' (0-65535)" },
	{ "10.0.0.5 port 90-80", "bad port range '90-80' (start above end)" },
	{ "10.0.0.5 port 123456789012345678", "bad port '123456789012345678' (0-65535)" },
	{ "10.0.0.5 proto sctp", "bad proto 'sctp' (tcp, udp, icmp, icmpv6 or any)" },
	{ "10.0.0.5 proto TCP", "bad proto 'TCP' (tcp, udp, icmp, icmpv6 or any)" },
	{ "10.0.0.5 dir sideways", "bad dir 'sideways' (out, in or both)" },
	{ "10.0.0.5 proto icmpv6", "proto icmpv6 needs an IPv6 target, '10.0.0.5' is IPv4 (use icmp)" },
	{ "2001:db8::1 proto icmp", "proto icmp needs an IPv4 target, '2001:db8::1' is IPv6 (use icmpv6)" },
	{ "any proto icmp", "proto icmp needs an IPv4 target ('any' covers IPv6 too: use any4)" },
	{ "any proto icmpv6", "proto icmpv6 needs an IPv6 target ('any' covers IPv4 too: use any6)" },
	{ "any6 proto icmp", "proto icmp needs an IPv4 target, 'any6' is IPv6 (use icmpv6)" },
	{ "any4 proto icmp port 1", "port needs proto tcp, udp or any" },
	{ "10.0.0.5 port 22 proto icmp", "port needs proto tcp, udp or any" },
	{ "10.0.0.5 proto tcp proto udp", "'proto' given twice" },
	{ "10.0.0.5 port 1 port 2", "'port' given twice" },
	{ "10.0.0.5 dir in dir out", "'dir' given twice" },
	{ "10.0.0.5 proto", "missing value after 'proto'" },
	{ "10.0.0.5 port", "missing value after 'port'" },
	{ "10.0.0.5 dir", "missing value after 'dir'" },
	{ "10.0.0.5 tcp", "unknown keyword 'tcp' (expected proto, port, dir, uid or cgroup)" },
	{ "10.0.0.5 10.0.0.6", "unknown keyword '10.0.0.6' (expected proto, port, dir, uid or cgroup)" },
	{ "nx.example", "cannot resolve 'nx.example': Name or service not known" },
	{ "v4.example proto icmpv6", "'v4.example' has no IPv6 address (proto icmpv6)" },
	{ "v6.example proto icmp", "'v6.example' has no IPv4 address (proto icmp)" },
	{ "v4.example proto icmp port 7", "port needs proto tcp, udp or any" },
	{ "a b c d e f g h i j k l m n o p q", "too many words in rule 'a b c d e f g h i j k l m n o p q'" },
};

static void test_rule_reject(void)
{
	char out[1024], err[NF_ERR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(reject_cases); i++) {
		err[0] = '\0';
		if (!parse_format(reject_cases[i].in, out, sizeof(out), err)) {
			failf("'%s': accepted as '%s', want error '%s'",
			      reject_cases[i].in, out, reject_cases[i].err);
			continue;
		}
		if (strcmp(err, reject_cases[i].err))
			failf("'%s': error '%s', want '%s'", reject_cases[i].in,
			      err, reject_cases[i].err);
	}
}

static void test_resolve_note(void)
{
	char out[1024], err[NF_ERR_LEN];

	notes[0] = '\0';
	if (parse_format("dual.example", out, sizeof(out), err))
		failf("dual.example: %s", err);
	if (strcmp(notes, "resolved dual.example to 192.0.2.1, 2001:db8::1, 192.0.2.2\n"))
		failf("note '%s'", notes);
	notes[0] = '\0';
	if (parse_format("dual.example proto icmp", out, sizeof(out), err))
		failf("dual.example proto icmp: %s", err);
	if (strcmp(notes, "resolved dual.example to 192.0.2.1, 192.0.2.2\n"))
		failf("note '%s'", notes);
	notes[0] = '\0';
	if (parse_format("10.0.0.1", out, sizeof(out), err) || notes[0])
		failf("a literal address printed a note '%s'", notes);
}

/* The real resolver: numeric-only lookups work without a network. */
static void test_resolve_getaddrinfo(void)
{
	struct nf_addr a[4];
	char err[NF_ERR_LEN];
	int n = rule_resolve_getaddrinfo("localhost", a, 4, err, sizeof(err));

	if (n < 1)
		failf("localhost: %s", err);
	n = rule_resolve_getaddrinfo("nonexistent.invalid", a, 4, err, sizeof(err));
	if (n >= 0 || strncmp(err, "cannot resolve 'nonexistent.invalid': ", 38))
		failf("nonexistent.invalid: n=%d err='%s'", n, err);
}

/* ---- policy files ---- */

static char resolv_path[64];

static const struct {
	const char *text;
	int ok;
	const char *result;	/* flags then rules, or the error */
} policy_cases[] = {
	{ "", 1, "flags=0xf" },
	{ "# only a comment\n\n   \n", 1, "flags=0xf" },
	{ "10.0.0.5 proto tcp port 22 dir in   # jump host\n"
	  "\n"
	  "# EDR server\n"
	  "192.0.2.10 proto tcp port 443\n",
	  1, "flags=0xf; 10.0.0.5 proto tcp port 22 dir in; 192.0.2.10 proto tcp port 443" },
	{ "option nd off\noption audit on\n", 1, "flags=0x1e" },
	{ "option audit on\noption audit off\n", 1, "flags=0xf" },
	{ "option dhcp4 off\noption dhcp6 off\noption icmp-errors off\noption nd off\n",
	  1, "flags=0x0" },
	{ "option dhcp4 off\noption dhcp4 on\n", 1, "flags=0xf" },
	{ "option stateless on\n", 1, "flags=0x8f" },
	{ "dns auto\n", 1,
	  "flags=0xf; 192.0.2.53 proto udp port 53; 192.0.2.53 proto tcp port 53; "
	  "2001:db8::53 proto udp port 53; 2001:db8::53 proto tcp port 53; "
	  "fe80::1 proto udp port 53; fe80::1 proto tcp port 53" },
	{ "dual.example proto tcp port 22 dir in\n", 1,
	  "flags=0xf; 192.0.2.1 proto tcp port 22 dir in; 2001:db8::1 proto tcp port 22 dir in; "
	  "192.0.2.2 proto tcp port 22 dir in" },
	{ "10.0.0.1\n\n10.0.0.5 port 70000\n", 0, "policy:3: bad port '70000' (0-65535)" },
	{ "# c\noption nd maybe\n", 0, "policy:2: option nd: bad value 'maybe' (on or off)" },
	{ "option foo off\n", 0,
	  "policy:1: unknown option 'foo' (nd, dhcp4, dhcp6, icmp-errors, audit, reject, log, stateless, event-rate or ethertype)" },
	{ "option nd\n", 0, "policy:1: option needs a name and on or off: 'option nd off'" },
	{ "dns manual\n", 0, "policy:1: expected 'dns auto'" },
	{ "10.0.0.1\n10.1.2.3/8 # typo\n", 0,
	  "policy:2: 10.1.2.3/8: host bits set, did you mean 10.0.0.0/8?" },
	{ "allow 10.0.0.1\n", 0, "policy:1: unknown keyword '10.0.0.1' (expected proto, port, dir, uid or cgroup)" },
	{ "10.0.0.1 proto udp proto udp", 0, "policy:1: 'proto' given twice" },
	{ "nx.example\n", 0, "policy:1: cannot resolve 'nx.example': Name or service not known" },
	/* State lines for netfence apply. */
	{ "isolate yes\n10.0.0.1\n", 1, "flags=0xf; 10.0.0.1 isolate=yes" },
	{ "isolate no # released\n", 1, "flags=0xf isolate=no" },
	{ "isolate yes\ntimeout 15m\n", 1, "flags=0xf isolate=yes timeout=900" },
	{ "timeout 90\n", 1, "flags=0xf timeout=90" },
	{ "timeout 0\nisolate no\n", 1, "flags=0xf isolate=no timeout=0" },
	{ "isolate maybe\n", 0, "policy:1: expected 'isolate yes' or 'isolate no'" },
	{ "isolate\n", 0, "policy:1: expected 'isolate yes' or 'isolate no'" },
	{ "isolate yes\nisolate no\n", 0, "policy:2: isolate given twice" },
	{ "timeout 5x\n", 0, "policy:1: bad duration '5x' (use e.g. 90s, 15m, 2h)" },
	{ "timeout 400d\n", 0, "policy:1: duration '400d' too long (at most 365d)" },
	{ "timeout 1m\ntimeout 2m\n", 0, "policy:2: timeout given twice" },
	{ "timeout\n", 0, "policy:1: expected 'timeout DURATION' (e.g. 15m; 0: none)" },
	{ "isolate no\ntimeout 5m\n", 0, "policy: 'timeout 300s' needs 'isolate yes'" },
};

static void describe_policy(const struct policy_spec *p, char *out, size_t len)
{
	size_t off = (size_t)snprintf(out, len, "flags=0x%x",
				      policy_spec_flags(p, NETFENCE_POLICY_F_DEFAULT));

	for (size_t i = 0; i < p->rules.n && off < len; i++) {
		char text[NF_RULE_TEXT_LEN];

		rule_format(&p->rules.v[i], text, sizeof(text));
		off += (size_t)snprintf(out + off, len - off, "; %s", text);
	}
	if (p->has_isolate && off < len)
		off += (size_t)snprintf(out + off, len - off, " isolate=%s",
					p->isolate ? "yes" : "no");
	if (p->has_timeout && off < len)
		snprintf(out + off, len - off, " timeout=%u", p->timeout);
}

static void test_policy_file(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_cases); i++) {
		const char *t = policy_cases[i].text;
		struct policy_spec p = { 0 };
		char err[NF_ERR_LEN] = "", got[2048];
		FILE *f = fmemopen((void *)t, strlen(t) ? strlen(t) : 1, "r");
		int rc;

		if (!strlen(t)) {	/* fmemopen needs a size: read nothing */
			fclose(f);
			f = fopen("/dev/null", "r");
		}
		rc = policy_parse_file(f, "policy", &p, err, sizeof(err));
		fclose(f);
		if (rc == 0)
			describe_policy(&p, got, sizeof(got));
		else
			snprintf(got, sizeof(got), "%s", err);
		if ((rc == 0) != policy_cases[i].ok ||
		    strcmp(got, policy_cases[i].result))
			failf("case %zu: got %s '%s', want '%s'", i,
			      rc ? "error" : "policy", got, policy_cases[i].result);
		policy_spec_free(&p);
	}
}

/* parse_text: policy_parse_file on a string; 0 or -1 with err. */
static int parse_policy_text(const char *t, struct policy_spec *p, char *err, size_t len)
{
	FILE *f = fmemopen((void *)t, strlen(t), "r");
	int rc = policy_parse_file(f, "policy", p, err, len);

	fclose(f);
	return rc;
}

/* The policy digest: of the sorted lines, whatever the dump's order. */
static void test_policy_digest(void)
{
	struct rule_vec rv = { 0 };
	char err[NF_ERR_LEN], a[POLICY_DIGEST_LEN], b[POLICY_DIGEST_LEN];
	struct nf_rule tmp;
	uint32_t flags = NETFENCE_POLICY_F_DEFAULT | NETFENCE_POLICY_F_AUDIT;

	if (rule_parse_string("10.0.0.2 port 22", &rv, err, sizeof(err)) ||
	    rule_parse_string("10.0.0.1", &rv, err, sizeof(err)))
		failf("parse: %s", err);
	if (policy_digest(NULL, 0, flags, NETFENCE_EVENT_RATE_DEFAULT, rv.v, rv.n, a))
		failf("digest failed");
	/* printf '10.0.0.1\n10.0.0.2 port 22\noption audit on\n' | sha256sum */
	if (strcmp(a, "sha256:3b45765ebb48ffa094d3e6bad5f97b607985da17e2bfe411726909477e097bcd"))
		failf("digest %s", a);
	tmp = rv.v[0];
	rv.v[0] = rv.v[1];
	rv.v[1] = tmp;
	if (policy_digest(NULL, 0, flags, NETFENCE_EVENT_RATE_DEFAULT, rv.v, rv.n, b) ||
	    strcmp(a, b))
		failf("order changed the digest: %s", b);
	if (policy_digest(NULL, 0, NETFENCE_POLICY_F_DEFAULT, NETFENCE_EVENT_RATE_DEFAULT,
			  rv.v, rv.n, b) || !strcmp(a, b))
		failf("a flag did not change the digest");
	rule_vec_free(&rv);
}

/* Release key lines: the digest save writes, read back; bad ones refused. */
static void test_policy_key(void)
{
	/* SHA-256("0123456789abcdef"), as sha256sum prints it. */
	static const char want[] =
		"key sha256:9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f\n";
	struct nf_key key = { .set = true, .len = 16 };
	uint8_t d[NETFENCE_KEY_DIGEST_LEN];
	struct policy_spec p = { 0 };
	char err[NF_ERR_LEN], *buf = NULL;
	size_t len = 0;
	FILE *f;

	memcpy(key.data, "0123456789abcdef", 16);
	key_digest(&key, d);
	f = open_memstream(&buf, &len);
	policy_write_key(f, d);
	fclose(f);
	if (strcmp(buf, want))
		failf("key line '%s', want '%s'", buf, want);
	if (parse_policy_text(buf, &p, err, sizeof(err)) || !p.has_key_digest ||
	    memcmp(p.key_digest, d, sizeof(d)))
		failf("key line does not read back: %s", err);
	policy_spec_free(&p);
	free(buf);

	static const struct { const char *text, *err; } bad[] = {
		{ "key 9f9f\n", "policy:1: expected 'key sha256:HEX' (the 32-byte digest of a release key, as save writes it)" },
		{ "key sha256:9f\n", "policy:1: expected 'key sha256:HEX' (the 32-byte digest of a release key, as save writes it)" },
		{ "key sha256:zz9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f\n",
		  "policy:1: key: 'zz9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f' is not hexadecimal" },
		{ "key sha256:9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f\n"
		  "key sha256:9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f\n",
		  "policy:2: key given twice" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct policy_spec q = { 0 };

		err[0] = '\0';
		if (!parse_policy_text(bad[i].text, &q, err, sizeof(err)) || strcmp(err, bad[i].err))
			failf("bad key case %zu: got '%s', want '%s'", i, err, bad[i].err);
		policy_spec_free(&q);
	}
}

/* --boot: hostnames and dns auto refused, addresses fine. */
static void test_policy_boot(void)
{
	rule_resolve_fn saved = rule_resolve;
	static const struct { const char *text, *err; } cases[] = {
		{ "192.0.2.1 proto tcp port 22 dir in\n", "" },
		{ "v4.example port 443\n",
		  "policy:1: 'v4.example' is a hostname: at boot it cannot be resolved before the network is up; give its addresses" },
		{ "10.0.0.1\ndns auto\n",
		  "policy:2: 'dns auto' at boot: the resolvers are not known before the network is up; list them as rules" },
	};

	rule_resolve = rule_resolve_boot;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct policy_spec p = { .boot = true };
		char err[NF_ERR_LEN] = "";
		int rc = parse_policy_text(cases[i].text, &p, err, sizeof(err));

		if ((rc == 0) != !cases[i].err[0] || strcmp(err, cases[i].err))
			failf("boot case %zu: rc %d, got '%s', want '%s'", i, rc, err, cases[i].err);
		policy_spec_free(&p);
	}
	rule_resolve = saved;
}

/* What save matches a kept comment with: the line in its saved form. */
static void test_line_canonical(void)
{
	static const struct { const char *in, *out, *comment; } cases[] = {
		{ "10.0.0.5 dir in port 22 proto tcp   # jump host",
		  "10.0.0.5 proto tcp port 22 dir in", "# jump host" },
		{ "option   audit on", "option audit on", NULL },
		{ "timeout 15m # renew daily", "timeout 15m", "# renew daily" },
		{ "  # only a comment", "", "# only a comment" },
		{ "", "", NULL },
		{ "v4.example port 443", "v4.example port 443", NULL },
		{ "cgroup \"/a b#c\" # svc", "cgroup \"/a b#c\"", "# svc" },
	};
	char out[NF_RULE_TEXT_LEN];
	const char *comment;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (policy_line_canonical(cases[i].in, out, sizeof(out), &comment))
			failf("'%s': out of memory", cases[i].in);
		if (strcmp(out, cases[i].out) ||
		    (comment ? !cases[i].comment || strcmp(comment, cases[i].comment) :
		     cases[i].comment != NULL))
			failf("'%s': got '%s' / '%s', want '%s' / '%s'", cases[i].in, out,
			      comment ? comment : "(none)", cases[i].out,
			      cases[i].comment ? cases[i].comment : "(none)");
	}
}

/* save output -> policy file parser gives the same flags and rules. */
static void test_policy_save_restore(void)
{
	static const char *rules[] = {
		"10.0.0.5 proto tcp port 22 dir in", "any4 proto icmp",
		"2001:db8::/32 dir both", "any port 53", "any6",
	};
	static const uint32_t flag_sets[] = {
		NETFENCE_POLICY_F_DEFAULT, 0, NETFENCE_POLICY_F_AUDIT,
		NETFENCE_POLICY_F_DEFAULT | NETFENCE_POLICY_F_AUDIT,
		NETFENCE_POLICY_F_DHCP6,
	};
	struct rule_vec rv = { 0 };
	char err[NF_ERR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (rule_parse_string(rules[i], &rv, err, sizeof(err)))
			failf("%s: %s", rules[i], err);
	for (size_t k = 0; k < ARRAY_SIZE(flag_sets); k++) {
		struct policy_spec p = { 0 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		policy_write(f, flag_sets[k], NETFENCE_EVENT_RATE_DEFAULT, rv.v, rv.n);
		fclose(f);
		if (k == 0 && strncmp(buf, "10.0.0.5 proto tcp", 18))
			failf("default flags wrote option lines: '%s'", buf);
		f = fmemopen(buf, len, "r");
		if (policy_parse_file(f, "saved", &p, err, sizeof(err)))
			failf("saved policy does not parse: %s", err);
		fclose(f);
		if (policy_spec_flags(&p, NETFENCE_POLICY_F_DEFAULT) != flag_sets[k])
			failf("flags 0x%x came back as 0x%x", flag_sets[k],
			      policy_spec_flags(&p, NETFENCE_POLICY_F_DEFAULT));
		if (p.rules.n != rv.n)
			failf("%zu rules came back as %zu", rv.n, p.rules.n);
		for (size_t i = 0; i < rv.n && i < p.rules.n; i++)
			if (!rule_equal(&rv.v[i], &p.rules.v[i]))
				failf("rule %zu differs after save/restore", i);
		policy_spec_free(&p);
		free(buf);
	}
	rule_vec_free(&rv);
}

/* ---- netfence apply: save format and the change computed ---- */

static int parse_text(const char *t, struct policy_spec *p)
{
	char err[NF_ERR_LEN];
	FILE *f = fmemopen((void *)t, strlen(t) ? strlen(t) : 1, "r");
	int rc;

	if (!strlen(t)) {
		fclose(f);
		f = fopen("/dev/null", "r");
	}
	rc = policy_parse_file(f, "policy", p, err, sizeof(err));
	fclose(f);
	if (rc)
		failf("'%s' does not parse: %s", t, err);
	return rc;
}

/* The state lines save writes. */
static void test_save_format(void)
{
	static const struct {
		bool isolated, deadline;
		uint64_t left_ms;
		const char *want;
	} cases[] = {
		{ false, false, 0, "isolate no\n" },
		{ true, false, 0, "isolate yes\n" },
		{ true, true, 900000, "isolate yes\ntimeout 900s\n" },
		{ true, true, 899001, "isolate yes\ntimeout 900s\n" },	/* rounded up */
		{ true, true, 0, "isolate yes\ntimeout 1s\n" },	/* never 0: no deadline */
		{ false, true, 5000, "isolate no\n" },
	};
	static const char *rules[] = { "10.0.0.5 proto tcp port 22 dir in", "any6" };
	struct rule_vec rv = { 0 };
	char err[NF_ERR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		policy_write_state(f, cases[i].isolated, cases[i].deadline,
				   cases[i].left_ms);
		fclose(f);
		if (strcmp(buf, cases[i].want))
			failf("state case %zu: got '%s', want '%s'", i, buf, cases[i].want);
		free(buf);
	}
	/* A whole saved policy parses back to the same state. */
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (rule_parse_string(rules[i], &rv, err, sizeof(err)))
			failf("%s: %s", rules[i], err);
	{
		struct policy_spec p = { 0 };
		uint16_t types[] = { 0x88f7 };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		policy_write_state(f, true, true, 60000);
		policy_write_ethertypes(f, types, 1);
		policy_write(f, NETFENCE_POLICY_F_DEFAULT | NETFENCE_POLICY_F_AUDIT, 0,
			     rv.v, rv.n);
		fclose(f);
		if (strcmp(buf, "isolate yes\ntimeout 60s\noption ethertype 0x88f7\n"
			   "option audit on\noption event-rate 0\n"
			   "10.0.0.5 proto tcp port 22 dir in\nany6\n"))
			failf("saved policy: '%s'", buf);
		if (!parse_text(buf, &p)) {
			if (!p.has_isolate || !p.isolate || !p.has_timeout || p.timeout != 60 ||
			    p.n_ethertypes != 1 || !p.has_event_rate || p.event_rate ||
			    p.rules.n != 2)
				failf("saved policy came back different");
		}
		policy_spec_free(&p);
		free(buf);
	}
	rule_vec_free(&rv);
}

/* The kernel's side of a diff case. */
struct state_case {
	bool isolated;
	uint32_t flags;
	uint32_t event_rate;
	bool deadline;
	uint64_t left_ms;
	const char *ethertypes;	/* "0x88f7 0x8906" */
	const char *rules;	/* one per line */
};

static void fill_state(const struct state_case *c, struct policy_state *st,
		       struct policy_spec *rules)
{
	memset(st, 0, sizeof(*st));
	st->isolated = c->isolated;
	st->flags = c->flags;
	st->event_rate = c->event_rate;
	st->has_deadline = c->deadline;
	st->timeout_left_ms = c->left_ms;
	parse_text(c->rules, rules);
	st->rules = rules->rules.v;
	st->nrules = rules->rules.n;
	for (const char *p = c->ethertypes; p && *p;) {
		char *end;

		st->ethertypes[st->n_ethertypes++] = (uint16_t)strtoul(p, &end, 0);
		p = end + strspn(end, " ");
	}
}

#define DEF NETFENCE_POLICY_F_DEFAULT
#define RATE NETFENCE_EVENT_RATE_DEFAULT

static const struct {
	struct state_case cur;
	const char *file;
	int changed;
	const char *diff;	/* policy_diff_print */
	const char *summary;
} diff_cases[] = {
	/* Identical, whatever the order and duplicates: nothing to do. */
	{ { true, DEF, RATE, false, 0, NULL, "10.0.0.1\nany6 port 53\n" },
	  "isolate yes\nany6 port 53\n10.0.0.1\n10.0.0.1\n", 0, "", "no change" },
	/* No isolate line: the state stays (here released). */
	{ { false, DEF, RATE, false, 0, NULL, "10.0.0.1\n" }, "10.0.0.1\n", 0, "", "no change" },
	{ { false, DEF, RATE, false, 0, NULL, "" }, "isolate yes\n10.0.0.1\n", 1,
	  "- isolate no\n+ isolate yes\n+ 10.0.0.1\n", "isolate, 1 rule added" },
	{ { true, DEF, RATE, false, 0, NULL, "10.0.0.1\n10.0.0.2\n" },
	  "isolate no\n10.0.0.1\n10.0.0.2\n", 1, "- isolate yes\n+ isolate no\n", "release" },
	/* Only the edited rules. */
	{ { true, DEF, RATE, false, 0, NULL, "10.0.0.1\n10.0.0.2 proto tcp port 22 dir in\n10.0.0.3\n" },
	  "10.0.0.1\n10.0.0.2 proto tcp port 2222 dir in\n10.0.0.3\n10.0.0.4 proto udp\n", 1,
	  "- 10.0.0.2 proto tcp port 22 dir in\n+ 10.0.0.2 proto tcp port 2222 dir in\n"
	  "+ 10.0.0.4 proto udp\n", "2 rules added, 1 rule removed" },
	/* The file's options, the defaults for the rest (as restore). */
	{ { true, DEF | NETFENCE_POLICY_F_AUDIT, RATE, false, 0, NULL, "" },
	  "option nd off\n", 1,
	  "- option nd on\n- option audit on\n+ option nd off\n+ option audit off\n",
	  "2 option lines changed" },
	{ { true, DEF, 0, false, 0, "0x88f7", "" }, "option event-rate 0\noption ethertype 0x88f7\n",
	  0, "", "no change" },
	{ { true, DEF, RATE, false, 0, "0x88f7", "" }, "option ethertype 0x8906\n", 1,
	  "- option ethertype 0x88f7\n+ option ethertype 0x8906\n", "1 option line changed" },
	{ { true, DEF, 100, false, 0, NULL, "" }, "", 1,
	  "- option event-rate 100\n+ option event-rate 10\n", "1 option line changed" },
	/* Deadlines: a set one stays, timeout 0 clears, none set: armed. */
	{ { true, DEF, RATE, true, 500000, NULL, "" }, "isolate yes\ntimeout 15m\n", 0, "", "no change" },
	{ { true, DEF, RATE, true, 500000, NULL, "" }, "isolate yes\n", 0, "", "no change" },
	{ { true, DEF, RATE, true, 500000, NULL, "" }, "timeout 0\n", 1, "- timeout 500s\n",
	  "no deadline" },
	{ { true, DEF, RATE, false, 0, NULL, "" }, "timeout 0\n", 0, "", "no change" },
	{ { true, DEF, RATE, false, 0, NULL, "" }, "timeout 15m\n", 1, "+ timeout 900s\n",
	  "deadline in 900s" },
	{ { false, DEF, RATE, false, 0, NULL, "" }, "timeout 15m\n", 0, "", "no change" },
	{ { false, DEF, RATE, false, 0, NULL, "" }, "isolate yes\ntimeout 15m\n", 1,
	  "- isolate no\n+ isolate yes\n+ timeout 900s\n", "isolate, deadline in 900s" },
	/* Identity rules compare by uid range and cgroup path. */
	{ { true, DEF, RATE, false, 0, NULL, "uid 1000\ncgroup /a.slice\n" },
	  "cgroup /a.slice\nuid 1000-1001\n", 1, "- uid 1000\n+ uid 1000-1001\n",
	  "1 rule added, 1 rule removed" },
	{ { true, DEF, RATE, false, 0, NULL, "10.0.0.1\n" }, "", 1, "- 10.0.0.1\n",
	  "1 rule removed" },
};

static void test_policy_diff(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(diff_cases); i++) {
		struct policy_spec cur_rules = { 0 }, want = { 0 };
		struct policy_state st;
		struct policy_diff d;
		char err[NF_ERR_LEN], sum[256], *buf = NULL;
		size_t len = 0;
		FILE *f;

		fill_state(&diff_cases[i].cur, &st, &cur_rules);
		if (parse_text(diff_cases[i].file, &want))
			goto next;
		if (policy_diff_compute(&st, &want, &d, err, sizeof(err))) {
			failf("case %zu: %s", i, err);
			goto next;
		}
		f = open_memstream(&buf, &len);
		policy_diff_print(f, &st, &d);
		fclose(f);
		policy_diff_summary(sum, sizeof(sum), &d);
		if ((int)d.changed != diff_cases[i].changed)
			failf("case %zu: changed %d, want %d", i, d.changed, diff_cases[i].changed);
		if (strcmp(buf, diff_cases[i].diff))
			failf("case %zu: diff '%s', want '%s'", i, buf, diff_cases[i].diff);
		if (strcmp(sum, diff_cases[i].summary))
			failf("case %zu: summary '%s', want '%s'", i, sum, diff_cases[i].summary);
		free(buf);
		policy_diff_free(&d);
next:
		policy_spec_free(&cur_rules);
		policy_spec_free(&want);
	}
}

static void test_policy_diff_json(void)
{
	static const struct state_case cur = { false, DEF, RATE, false, 0, NULL, "10.0.0.1\n" };
	struct policy_spec cur_rules = { 0 }, want = { 0 };
	struct policy_state st;
	struct policy_diff d;
	char err[NF_ERR_LEN], *buf = NULL;
	size_t len = 0;
	FILE *f;

	fill_state(&cur, &st, &cur_rules);
	if (parse_text("isolate yes\ntimeout 90s\noption audit on\n\"10.0.0.2\" port 22\n", &want) ||
	    policy_diff_compute(&st, &want, &d, err, sizeof(err))) {
		failf("setup");
		goto out;
	}
	f = open_memstream(&buf, &len);
	policy_diff_json(f, &st, &d, true);
	fclose(f);
	if (strcmp(buf, "{\"changed\":true,\"check\":true,\"isolated\":{\"from\":false,\"to\":true},\"key_set\":false,"
		   "\"added\":[\"10.0.0.2 port 22\"],\"removed\":[\"10.0.0.1\"],"
		   "\"options\":{\"added\":[\"option audit on\"],\"removed\":[\"option audit off\"]},"
		   "\"timeout\":{\"from\":null,\"to\":90}}\n"))
		failf("json: [%s]", buf);
	free(buf);
	policy_diff_free(&d);
out:
	policy_spec_free(&cur_rules);
	policy_spec_free(&want);
}

/* ---- resolv.conf ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		failf("cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static const struct {
	const char *text;
	const char *result;	/* rules, or the error */
} resolv_cases[] = {
	{ "nameserver 192.0.2.53\n", "192.0.2.53 proto udp port 53; 192.0.2.53 proto tcp port 53" },
	{ "# generated\nsearch example.org\n; other comment\n"
	  "nameserver 2001:db8::53\noptions edns0\nnameserver\tfe80::1%eth0  \n",
	  "2001:db8::53 proto udp port 53; 2001:db8::53 proto tcp port 53; "
	  "fe80::1 proto udp port 53; fe80::1 proto tcp port 53" },
	{ "nameserver not-an-address\nnameserver 10.0.0.1\n",
	  "10.0.0.1 proto udp port 53; 10.0.0.1 proto tcp port 53" },
	{ "#nameserver 10.0.0.1\nsearch x\n", "dns auto: no nameserver in @" },
	{ "", "dns auto: no nameserver in @" },
};

/* systemd-resolved's stub stands for the upstream servers it forwards to. */
static void test_resolved_stub(void)
{
	char stub[] = "/tmp/netfence-stub-XXXXXX", up[] = "/tmp/netfence-up-XXXXXX";
	char err[NF_ERR_LEN], text[NF_RULE_TEXT_LEN], want[512];
	struct rule_vec rv = { 0 };
	int fd1 = mkstemp(stub), fd2 = mkstemp(up);

	if (fd1 < 0 || fd2 < 0) {
		failf("mkstemp failed");
		return;
	}
	close(fd1);
	close(fd2);
	write_file(stub, "nameserver 127.0.0.53\noptions edns0 trust-ad\n");
	write_file(up, "nameserver 198.51.100.7\nnameserver 127.0.0.53\n");
	setenv("NETFENCE_RESOLVED_CONF", up, 1);
	if (dns_auto(stub, &rv, err, sizeof(err))) {
		failf("stub: %s", err);
	} else if (rv.n != 2) {
		failf("stub: %zu rules, want the upstream's 2", rv.n);
	} else {
		rule_format(&rv.v[0], text, sizeof(text));
		if (strcmp(text, "198.51.100.7 proto udp port 53"))
			failf("stub: got '%s'", text);
	}
	rule_vec_free(&rv);

	/* resolved without upstream servers: say so instead of allowing nothing. */
	write_file(up, "# no servers\n");
	snprintf(want, sizeof(want),
		 "dns auto: %s names systemd-resolved's stub but %s has no nameserver",
		 stub, up);
	if (!dns_auto(stub, &rv, err, sizeof(err)) || strcmp(err, want))
		failf("stub without upstream: '%s'", err);
	rule_vec_free(&rv);
	unlink(up);
	snprintf(want, sizeof(want), "dns auto: %s: No such file or directory", up);
	if (!dns_auto(stub, &rv, err, sizeof(err)) || strcmp(err, want))
		failf("stub, upstream file missing: '%s'", err);
	rule_vec_free(&rv);
	unsetenv("NETFENCE_RESOLVED_CONF");
	unlink(stub);
}

static void test_resolv_conf(void)
{
	char path[] = "/tmp/netfence-resolv-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		failf("mkstemp failed");
		return;
	}
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(resolv_cases); i++) {
		struct rule_vec rv = { 0 };
		char err[NF_ERR_LEN], got[1024], want[1024];
		const char *at = strchr(resolv_cases[i].result, '@');
		size_t off = 0;

		write_file(path, resolv_cases[i].text);
		if (at)
			snprintf(want, sizeof(want), "%.*s%s",
				 (int)(at - resolv_cases[i].result),
				 resolv_cases[i].result, path);
		else
			snprintf(want, sizeof(want), "%s", resolv_cases[i].result);
		if (dns_auto(path, &rv, err, sizeof(err))) {
			snprintf(got, sizeof(got), "%s", err);
		} else {
			got[0] = '\0';
			for (size_t k = 0; k < rv.n; k++) {
				char text[NF_RULE_TEXT_LEN];

				rule_format(&rv.v[k], text, sizeof(text));
				off += (size_t)snprintf(got + off, sizeof(got) - off,
							"%s%s", k ? "; " : "", text);
			}
		}
		if (strcmp(got, want))
			failf("case %zu: got '%s', want '%s'", i, got, want);
		rule_vec_free(&rv);
	}
	unlink(path);
	/* The environment variable names the file when no path is given. */
	{
		struct rule_vec rv = { 0 };
		char err[NF_ERR_LEN];

		setenv("NETFENCE_RESOLV_CONF", "/nonexistent/resolv.conf", 1);
		if (!dns_auto(NULL, &rv, err, sizeof(err)) ||
		    strcmp(err, "dns auto: /nonexistent/resolv.conf: No such file or directory"))
			failf("NETFENCE_RESOLV_CONF not used: '%s'", err);
		setenv("NETFENCE_RESOLV_CONF", resolv_path, 1);
		rule_vec_free(&rv);
	}
	test_resolved_stub();
}

/* ---- JSON ---- */

static const struct {
	const char *in;
	const char *out;
} escape_cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "tab\there\nnl\rcr", "\"tab\\there\\nnl\\rcr\"" },
	{ "\b\f", "\"\\b\\f\"" },
	{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	{ "</script>", "\"</script>\"" },
};

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

static void escape_one(FILE *f, const void *s)
{
	json_escape(f, s);
}

static void test_json_escape(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(escape_cases); i++) {
		char *got = capture(escape_one, escape_cases[i].in);

		if (strcmp(got, escape_cases[i].out))
			failf("escape case %zu: got %s, want %s", i, got,
			      escape_cases[i].out);
		free(got);
	}
}

/* Runs python3 on a document: valid JSON and the expected shape. */
static int check_json(const char *doc, const char *pycheck)
{
	char path[] = "/tmp/netfence-json-XXXXXX", cmd[4096];
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return -1;
	if (write(fd, doc, strlen(doc)) != (ssize_t)strlen(doc)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "python3 -m json.tool %s >/dev/null && python3 -c '"
		 "import json,sys\nd=json.load(open(sys.argv[1]))\n%s' %s",
		 path, pycheck, path);
	rc = system(cmd);
	unlink(path);
	return rc;
}

static const struct nf_status sample_status = {
	.isolated = true,
	.policy_gen = 7,
	.rule_count = 3,
	.flags = NETFENCE_POLICY_F_DEFAULT & ~NETFENCE_POLICY_F_ND,
	.features = NETFENCE_FEAT_DEFRAG4 | NETFENCE_FEAT_CONNTRACK,
	.isolated_netns = 2,
	.hooks_registered = 6,
	.policy_mem = 4096,
	.ncounters = 6,
	.counters = {
		{ AF_INET, NETFENCE_HOOK_LOCAL_IN, 10, 1000, 2, 120 },
		{ AF_INET, NETFENCE_HOOK_LOCAL_OUT, 11, 1100, 0, 0 },
		{ AF_INET, NETFENCE_HOOK_FORWARD, 0, 0, 0, 0 },
		{ AF_INET6, NETFENCE_HOOK_LOCAL_IN, 1, 80, 18446744073709551615ULL, 9 },
		{ AF_INET6, NETFENCE_HOOK_LOCAL_OUT, 0, 0, 0, 0 },
		{ AF_INET6, NETFENCE_HOOK_FORWARD, 0, 0, 5, 500 },
	},
};

static void status_json(FILE *f, const void *st)
{
	print_status(f, st, true);
}

static void status_human(FILE *f, const void *st)
{
	print_status(f, st, false);
}

static void stats_json(FILE *f, const void *st)
{
	print_counters(f, st, true);
}

static struct rule_vec sample_rules;

static void rules_json(FILE *f, const void *rv)
{
	const struct rule_vec *r = rv;

	print_rules(f, r->v, r->n, true, true);
}

static void rules_human(FILE *f, const void *rv)
{
	const struct rule_vec *r = rv;

	print_rules(f, r->v, r->n, false, true);
}

static void rules_list(FILE *f, const void *rv)
{
	const struct rule_vec *r = rv;

	print_rules(f, r->v, r->n, false, false);
}

static void test_json_status(void)
{
	char *doc = capture(status_json, &sample_status);

	if (check_json(doc,
		       "assert d[\"isolated\"] is True and d[\"policy_generation\"]==7 and d[\"rules\"]==3\n"
		       "assert d[\"flags\"]=={\"nd\":False,\"dhcp4\":True,\"dhcp6\":True,\"icmp_errors\":True,\"audit\":False,\"reject\":False,\"log\":False,\"stateless\":False}\n"
		       "assert d[\"features\"]=={\"defrag4\":True,\"defrag6\":False,\"conntrack\":True,\"socket4\":False,\"socket6\":False,\"reject4\":False,\"reject6\":False,\"cgroup\":False,\"link\":False,\"events\":False}\n"
		       "assert d[\"timeout_left_ms\"] is None and d[\"key_required\"] is False and d[\"event_rate\"]==0\n"
		       "assert d[\"isolated_namespaces\"]==2 and d[\"hooks_registered\"]==6 and d[\"policy_memory\"]==4096\n"
		       "c=d[\"counters\"]; assert len(c)==6\n"
		       "assert c[0]=={\"family\":\"ipv4\",\"hook\":\"local_in\",\"accepted_packets\":10,\"accepted_bytes\":1000,\"dropped_packets\":2,\"dropped_bytes\":120}\n"
		       "assert c[3][\"family\"]==\"ipv6\" and c[3][\"dropped_packets\"]==2**64-1\n"
		       "assert c[5][\"hook\"]==\"forward\"\n"))
		failf("status JSON wrong: %s", doc);
	free(doc);
	doc = capture(stats_json, &sample_status);
	if (check_json(doc, "assert list(d)==[\"counters\"] and len(d[\"counters\"])==6\n"))
		failf("stats JSON wrong: %s", doc);
	free(doc);
}

static void test_status_human(void)
{
	char *doc = capture(status_human, &sample_status);

	if (strncmp(doc, "netfence: isolated (policy 7, 3 rules)\n", 39) ||
	    !strstr(doc, "flags:     nd off dhcp4 on dhcp6 on icmp-errors on audit off reject off log off stateless off\n") ||
	    !strstr(doc, "features:  defrag4 no-defrag6 conntrack ") ||
	    !strstr(doc, "family  hook       acc-packets  acc-bytes          drop-packets  drop-bytes\n") ||
	    !strstr(doc, "ipv6    local_in             1         80  18446744073709551615           9\n") ||
	    !strstr(doc, "ipv4    forward              0          0                     0           0\n"))
		failf("status text:\n%s", doc);
	free(doc);
}

static void test_json_rules(void)
{
	static const char *texts[] = {
		"10.0.0.5 proto tcp port 22 dir in", "any", "any4 proto icmp",
		"2001:db8::/32 proto udp port 1000-2000 dir both",
	};
	char err[NF_ERR_LEN], *doc;

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (rule_parse_string(texts[i], &sample_rules, err, sizeof(err)))
			failf("%s: %s", texts[i], err);
	for (size_t i = 0; i < sample_rules.n; i++) {
		sample_rules.v[i].index = (uint32_t)i;
		sample_rules.v[i].hits = i * 100;
	}
	doc = capture(rules_json, &sample_rules);
	if (check_json(doc,
		       "assert len(d)==4\n"
		       "assert d[0]=={\"index\":0,\"rule\":\"10.0.0.5 proto tcp port 22 dir in\",\"family\":\"ipv4\",\"address\":\"10.0.0.5\",\"prefix_length\":32,\"proto\":\"tcp\",\"port_min\":22,\"port_max\":22,\"dir\":\"in\",\"uid_min\":None,\"uid_max\":None,\"cgroup\":None,\"cgroup_id\":None,\"hits\":0}\n"
		       "assert d[1][\"family\"]==\"any\" and d[1][\"address\"] is None and d[1][\"prefix_length\"]==0 and d[1][\"proto\"]==\"any\"\n"
		       "assert d[1][\"port_min\"]==0 and d[1][\"port_max\"]==65535 and d[1][\"dir\"]==\"out\" and d[1][\"hits\"]==100\n"
		       "assert d[2][\"address\"]==\"0.0.0.0\" and d[2][\"rule\"]==\"any4 proto icmp\"\n"
		       "assert d[3][\"family\"]==\"ipv6\" and d[3][\"address\"]==\"2001:db8::\" and d[3][\"dir\"]==\"both\"\n"))
		failf("rules JSON wrong: %s", doc);
	free(doc);
	doc = capture(rules_human, &sample_rules);
	if (strcmp(doc, "index          hits  rule\n"
			"    0             0  10.0.0.5 proto tcp port 22 dir in\n"
			"    1           100  any\n"
			"    2           200  any4 proto icmp\n"
			"    3           300  2001:db8::/32 proto udp port 1000-2000 dir both\n"))
		failf("show text:\n%s", doc);
	free(doc);
	doc = capture(rules_list, &sample_rules);
	if (strcmp(doc, "10.0.0.5 proto tcp port 22 dir in\nany\nany4 proto icmp\n"
			"2001:db8::/32 proto udp port 1000-2000 dir both\n"))
		failf("allow list text:\n%s", doc);
	free(doc);
	rule_vec_free(&sample_rules);
	/* An empty list is still a JSON array. */
	doc = capture(rules_json, &sample_rules);
	if (check_json(doc, "assert d==[]\n"))
		failf("empty rules JSON wrong: %s", doc);
	free(doc);
}

static const struct {
	const char *ssh;
	const char *rules;	/* separated by ';' */
	int cut;
} ssh_cases[] = {
	{ NULL, "", 0 },
	{ "", "", 0 },
	{ "garbage", "", 0 },
	{ "198.51.100.7 50000 10.0.0.2 22", "", 1 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.7 proto tcp port 22 dir in", 0 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.0/24 port 22 dir both", 0 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.6/31 dir in", 0 },
	{ "198.51.100.7 50000 10.0.0.2 22", "any dir in", 0 },
	{ "198.51.100.7 50000 10.0.0.2 22", "any4 port 1-1024 dir in", 0 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.7 proto tcp port 22", 1 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.7 proto udp port 22 dir in", 1 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.7 proto tcp port 2222 dir in", 1 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.8 proto tcp port 22 dir in", 1 },
	{ "198.51.100.7 50000 10.0.0.2 22", "198.51.100.4/31 dir in", 1 },
	{ "198.51.100.7 50000 10.0.0.2 22", "any6 dir in", 1 },
	{ "2001:db8::7 50000 2001:db8::1 22", "2001:db8::/64 proto tcp port 22 dir in", 0 },
	{ "fe80::7%eth0 50000 fe80::1%eth0 22", "fe80::/10 dir in", 0 },
	{ "2001:db8::7 50000 2001:db8::1 22", "any4 dir in; 198.51.100.7 dir in", 1 },
};

static void test_ssh_lockout(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(ssh_cases); i++) {
		struct rule_vec rv = { 0 };
		char err[NF_ERR_LEN], msg[NF_ERR_LEN], *copy, *save = NULL, *r;
		int cut;

		copy = strdup(ssh_cases[i].rules);
		for (r = strtok_r(copy, ";", &save); r; r = strtok_r(NULL, ";", &save))
			if (rule_parse_string(r, &rv, err, sizeof(err)))
				failf("case %zu: %s", i, err);
		free(copy);
		cut = ssh_session_cut(ssh_cases[i].ssh, rv.v, rv.n, msg, sizeof(msg));
		if (cut != ssh_cases[i].cut)
			failf("case %zu (%s / %s): cut=%d", i, ssh_cases[i].ssh,
			      ssh_cases[i].rules, cut);
		if (i == 3 && strcmp(msg, "no rule lets this SSH session in "
				     "(198.51.100.7 to tcp port 22): it would be cut off; allow it "
				     "with '198.51.100.7 proto tcp port 22 dir in'"))
			failf("message '%s'", msg);
		rule_vec_free(&rv);
	}
}

/* ---- identity rules ---- */

static const struct {
	const char *in;
	const char *canonical;
} ident_cases[] = {
	{ "uid 1000", "uid 1000" },
	{ "uid 1000-1999 proto tcp port 443", "uid 1000-1999 proto tcp port 443" },
	{ "proto tcp uid 1000-1999 port 443", "missing rule target before 'proto'" },
	{ "uid 5-5", "uid 5" },
	{ "uid 0", "uid 0" },
	{ "uid root", "uid 0" },
	{ "uid 4294967294", "uid 4294967294" },
	{ "uid 0-4294967294", "uid 0-4294967294" },
	{ "cgroup /system.slice/agent.service", "cgroup /system.slice/agent.service" },
	{ "cgroup /", "cgroup /" },
	{ "cgroup /a port 53 uid 7", "uid 7 cgroup /a port 53" },
	{ "any cgroup /agent", "cgroup /agent" },
	{ "any uid 3 dir both", "uid 3 dir both" },
	{ "192.0.2.0/24 proto tcp port 443 cgroup /agent",
	  "192.0.2.0/24 proto tcp port 443 cgroup /agent" },
	{ "192.0.2.0/24 cgroup /agent uid 10-20 port 443 proto tcp",
	  "192.0.2.0/24 proto tcp port 443 uid 10-20 cgroup /agent" },
	{ "any4 uid 1000", "any4 uid 1000" },
	{ "any6 proto icmpv6 cgroup /x", "any6 proto icmpv6 cgroup /x" },
	{ "cgroup \"/a b/c d.service\"", "cgroup \"/a b/c d.service\"" },
	{ "cgroup \"/q\\\"uote\"", "cgroup \"/q\\\"uote\"" },
	{ "cgroup \"/back\\\\slash\"", "cgroup \"/back\\\\slash\"" },
	{ "cgroup \"/hash#tag\"", "cgroup \"/hash#tag\"" },
	{ "cgroup /plain\"quoted part\"", "cgroup \"/plainquoted part\"" },
	{ "v4.example uid 33", "198.51.100.7 uid 33" },
};

static const struct {
	const char *in;
	const char *err;
} ident_reject[] = {
	{ "uid 2000-1000", "bad uid range '2000-1000' (start above end)" },
	{ "uid nosuchuser-netfence", "unknown user 'nosuchuser-netfence' (uid N, N-M or a user name)" },
	{ "uid 4294967295", "bad uid '4294967295' (0-4294967294)" },
	{ "uid 99999999999", "bad uid '99999999999' (0-4294967294)" },
	{ "uid 1-4294967295", "bad uid '1-4294967295' (0-4294967294)" },
	{ "uid 123456789012345678901234567890123456789", "bad uid '123456789012345678901234567890123456789' (0-4294967294)" },
	{ "uid 1-123456789012345678901234567890123456789", "bad uid '1-123456789012345678901234567890123456789' (0-4294967294)" },
	{ "uid 1-2-3", "unknown user '1-2-3' (uid N, N-M or a user name)" },
	{ "uid 5-1x", "unknown user '5-1x' (uid N, N-M or a user name)" },
	{ "uid -5", "unknown user '-5' (uid N, N-M or a user name)" },
	{ "uid 5-", "unknown user '5-' (uid N, N-M or a user name)" },
	{ "uid", "missing value after 'uid'" },
	{ "uid 1 uid 2", "'uid' given twice" },
	{ "10.0.0.1 uid 1 uid 2", "'uid' given twice" },
	{ "cgroup system.slice/x", "bad cgroup path 'system.slice/x' (must start with '/', relative to the cgroup2 mount)" },
	{ "cgroup \"\"", "bad cgroup path '' (must start with '/', relative to the cgroup2 mount)" },
	{ "cgroup /a cgroup /b", "'cgroup' given twice" },
	{ "cgroup", "missing value after 'cgroup'" },
	{ "cgroup \"/a b", "unterminated quote in rule 'cgroup \"/a b'" },
	{ "uid 1 proto icmp", "proto icmp needs an IPv4 target ('any' covers IPv6 too: use any4)" },
	{ "uid 1 proto icmp port 5", "proto icmp needs an IPv4 target ('any' covers IPv6 too: use any4)" },
	{ "any4 uid 1 proto icmp port 5", "port needs proto tcp, udp or any" },
};

static void test_identity(void)
{
	char out[NF_RULE_TEXT_LEN * 2], err[NF_ERR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(ident_cases); i++) {
		struct rule_vec a = { 0 };

		err[0] = '\0';
		if (parse_format(ident_cases[i].in, out, sizeof(out), err))
			snprintf(out, sizeof(out), "%s", err);
		if (strcmp(out, ident_cases[i].canonical)) {
			failf("'%s': got '%s', want '%s'", ident_cases[i].in, out,
			      ident_cases[i].canonical);
			continue;
		}
		/* Round trip: canonical text parses back to the same rule. */
		if (rule_parse_string(ident_cases[i].in, &a, err, sizeof(err))) {
			rule_vec_free(&a);
			continue;
		}
		for (size_t k = 0; k < a.n; k++) {
			struct rule_vec b = { 0 };
			char t1[NF_RULE_TEXT_LEN], t2[NF_RULE_TEXT_LEN];

			rule_format(&a.v[k], t1, sizeof(t1));
			if (rule_parse_string(t1, &b, err, sizeof(err)) || b.n != 1) {
				failf("'%s' does not parse back: %s", t1, err);
			} else {
				rule_format(&b.v[0], t2, sizeof(t2));
				if (!rule_equal(&a.v[k], &b.v[0]) || strcmp(t1, t2))
					failf("'%s' -> '%s' differs", t1, t2);
			}
			rule_vec_free(&b);
		}
		rule_vec_free(&a);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ident_reject); i++) {
		err[0] = '\0';
		if (!parse_format(ident_reject[i].in, out, sizeof(out), err))
			failf("'%s': accepted as '%s'", ident_reject[i].in, out);
		else if (strcmp(err, ident_reject[i].err))
			failf("'%s': error '%s', want '%s'", ident_reject[i].in, err,
			      ident_reject[i].err);
	}
	/* Fields: identity-only rules are AF_UNSPEC without address. */
	{
		struct rule_vec rv = { 0 };
		char *words[] = { "cgroup", "/a b", "uid", "10-20" };

		if (rule_parse_words(4, words, &rv, err, sizeof(err)) || rv.n != 1)
			failf("words with a blank: %s", err);
		else if (rv.v[0].family != AF_UNSPEC || rv.v[0].prefixlen ||
			 !rv.v[0].has_uid || rv.v[0].uid_min != 10 ||
			 rv.v[0].uid_max != 20 || strcmp(rv.v[0].cgroup, "/a b") ||
			 rv.v[0].cgroup == words[1])
			failf("identity fields wrong");
		rule_vec_free(&rv);
	}
	/* Equality looks at the identity too. */
	{
		struct rule_vec rv = { 0 };
		static const char *const diff[] = {
			"any", "uid 1", "uid 1-2", "cgroup /a", "cgroup /b",
			"uid 1 cgroup /a",
		};

		for (size_t i = 0; i < ARRAY_SIZE(diff); i++)
			if (rule_parse_string(diff[i], &rv, err, sizeof(err)))
				failf("%s: %s", diff[i], err);
		for (size_t i = 0; i < rv.n; i++)
			for (size_t k = 0; k < rv.n; k++)
				if (rule_equal(&rv.v[i], &rv.v[k]) != (i == k))
					failf("rule_equal('%s', '%s') wrong", diff[i], diff[k]);
		rule_vec_free(&rv);
	}
	/* The longest path fits, one byte more does not. */
	{
		struct rule_vec rv = { 0 };
		char *path = malloc(NF_CGROUP_MAX + 2), *words[2] = { "cgroup", path };
		char *text = malloc(NF_RULE_TEXT_LEN);

		memset(path, 'x', NF_CGROUP_MAX + 1);
		path[0] = '/';
		path[NF_CGROUP_MAX] = '\0';
		if (rule_parse_words(2, words, &rv, err, sizeof(err)))
			failf("longest path refused: %s", err);
		else if (rule_format(&rv.v[0], text, NF_RULE_TEXT_LEN) != 7 + NF_CGROUP_MAX)
			failf("longest path truncated");
		path[NF_CGROUP_MAX] = 'x';
		path[NF_CGROUP_MAX + 1] = '\0';
		if (!rule_parse_words(2, words, &rv, err, sizeof(err)) ||
		    strcmp(err, "cgroup path too long (at most 4095 bytes)"))
			failf("path too long: '%s'", err);
		path[1] = '\n';
		path[NF_CGROUP_MAX] = '\0';
		if (!rule_parse_words(2, words, &rv, err, sizeof(err)) ||
		    strcmp(err, "bad cgroup path: control character 0x0a"))
			failf("control character: '%s'", err);
		free(path);
		free(text);
		rule_vec_free(&rv);
	}
}

/* ---- policy-file options of the safety features ---- */

static const struct {
	const char *text;
	const char *result;	/* flags, event rate, rules; or the error */
} option_cases[] = {
	{ "option reject on\n", "flags=0x2f rate=- " },
	{ "option log on\noption reject on\noption reject off\n", "flags=0x4f rate=- " },
	{ "option event-rate 0\n", "flags=0xf rate=0 " },
	{ "option event-rate 100000\n", "flags=0xf rate=100000 " },
	{ "option event-rate 100001\n", "p:1: bad event rate '100001' (0-100000 per second)" },
	{ "option event-rate -1\n", "p:1: bad event rate '-1' (0-100000 per second)" },
	{ "option event-rate\n", "p:1: option needs a name and on or off: 'option nd off'" },
	{ "option log maybe\n", "p:1: option log: bad value 'maybe' (on or off)" },
	{ "cgroup \"/system.slice/my agent.service\"  # EDR\n"
	  "uid 1000-1999 proto tcp port 443\n",
	  "flags=0xf rate=- cgroup \"/system.slice/my agent.service\"; uid 1000-1999 proto tcp port 443" },
	{ "cgroup \"/a#b\" # comment\n", "flags=0xf rate=- cgroup \"/a#b\"" },
	{ "cgroup \"/open\n", "p:1: unterminated quote" },
	{ "10.0.0.1\ncgroup relative\n",
	  "p:2: bad cgroup path 'relative' (must start with '/', relative to the cgroup2 mount)" },
	{ "uid 10 uid 11\n", "p:1: 'uid' given twice" },
};

static void test_policy_options(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_cases); i++) {
		const char *t = option_cases[i].text;
		struct policy_spec p = { 0 };
		char err[NF_ERR_LEN] = "", got[2048];
		FILE *f = fmemopen((void *)t, strlen(t), "r");

		if (policy_parse_file(f, "p", &p, err, sizeof(err))) {
			snprintf(got, sizeof(got), "%s", err);
		} else {
			size_t off = (size_t)snprintf(got, sizeof(got), "flags=0x%x rate=",
						      policy_spec_flags(&p, NETFENCE_POLICY_F_DEFAULT));

			if (p.has_event_rate)
				off += (size_t)snprintf(got + off, sizeof(got) - off, "%u ",
							p.event_rate);
			else
				off += (size_t)snprintf(got + off, sizeof(got) - off, "- ");
			for (size_t k = 0; k < p.rules.n; k++) {
				char text[NF_RULE_TEXT_LEN];

				rule_format(&p.rules.v[k], text, sizeof(text));
				off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%s",
							k ? "; " : "", text);
			}
		}
		fclose(f);
		if (strcmp(got, option_cases[i].result))
			failf("case %zu: got '%s', want '%s'", i, got, option_cases[i].result);
		policy_spec_free(&p);
	}
	/* save -> restore keeps reject, log, event rate and identity rules. */
	{
		static const char *rules[] = {
			"cgroup \"/system.slice/edr agent.service\"", "uid 0-99 proto udp port 123",
			"192.0.2.0/24 proto tcp port 443 uid 1000 cgroup /a", "10.0.0.1",
		};
		struct rule_vec rv = { 0 };
		struct policy_spec p = { 0 };
		char err[NF_ERR_LEN], *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		uint32_t flags = NETFENCE_POLICY_F_DEFAULT | NETFENCE_POLICY_F_REJECT |
				 NETFENCE_POLICY_F_LOG;

		for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
			if (rule_parse_string(rules[i], &rv, err, sizeof(err)))
				failf("%s: %s", rules[i], err);
		policy_write(f, flags, 250, rv.v, rv.n);
		fclose(f);
		if (strcmp(buf, "option reject on\noption log on\noption event-rate 250\n"
				"cgroup \"/system.slice/edr agent.service\"\n"
				"uid 0-99 proto udp port 123\n"
				"192.0.2.0/24 proto tcp port 443 uid 1000 cgroup /a\n10.0.0.1\n"))
			failf("saved:\n%s", buf);
		f = fmemopen(buf, len, "r");
		if (policy_parse_file(f, "saved", &p, err, sizeof(err)))
			failf("saved policy does not parse: %s", err);
		fclose(f);
		if (policy_spec_flags(&p, NETFENCE_POLICY_F_DEFAULT) != flags ||
		    !p.has_event_rate || p.event_rate != 250 || p.rules.n != rv.n)
			failf("options or rules lost in save/restore");
		for (size_t i = 0; i < rv.n && i < p.rules.n; i++)
			if (!rule_equal(&rv.v[i], &p.rules.v[i]))
				failf("rule %zu differs after save/restore", i);
		policy_spec_free(&p);
		rule_vec_free(&rv);
		free(buf);
	}
}

/* ---- durations ---- */

static const struct {
	const char *in;
	long long secs;		/* -1: error */
	const char *err;
} duration_cases[] = {
	{ "90", 90, NULL },
	{ "90s", 90, NULL },
	{ "15m", 900, NULL },
	{ "2h", 7200, NULL },
	{ "1d", 86400, NULL },
	{ "0", 0, NULL },
	{ "0s", 0, NULL },
	{ "365d", 31536000, NULL },
	{ "31536000", 31536000, NULL },
	{ "007m", 420, NULL },
	{ "31536001", -1, "duration '31536001' too long (at most 365d)" },
	{ "366d", -1, "duration '366d' too long (at most 365d)" },
	{ "99999999999999999999999h", -1, "duration '99999999999999999999999h' too long (at most 365d)" },
	{ "5x", -1, "bad duration '5x' (use e.g. 90s, 15m, 2h)" },
	{ "", -1, "bad duration '' (use e.g. 90s, 15m, 2h)" },
	{ "m", -1, "bad duration 'm' (use e.g. 90s, 15m, 2h)" },
	{ "-5m", -1, "bad duration '-5m' (use e.g. 90s, 15m, 2h)" },
	{ "1.5h", -1, "bad duration '1.5h' (use e.g. 90s, 15m, 2h)" },
	{ "15 m", -1, "bad duration '15 m' (use e.g. 90s, 15m, 2h)" },
	{ "15M", -1, "bad duration '15M' (use e.g. 90s, 15m, 2h)" },
	{ "1h30m", -1, "bad duration '1h30m' (use e.g. 90s, 15m, 2h)" },
	{ "15min", -1, "bad duration '15min' (use e.g. 90s, 15m, 2h)" },
	{ "+5", -1, "bad duration '+5' (use e.g. 90s, 15m, 2h)" },
};

static const struct {
	uint64_t ms;
	const char *text;
} left_cases[] = {
	{ 0, "0s" }, { 1, "1s" }, { 999, "1s" }, { 1000, "1s" }, { 59000, "59s" },
	{ 60000, "1m 0s" }, { 898001, "14m 59s" }, { 898000, "14m 58s" },
	{ 3600000, "1h 0m 0s" }, { 7205000, "2h 0m 5s" }, { 86400000, "1d 0h 0m" },
	{ 31536000000ULL, "365d 0h 0m" },
};

static void test_duration(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(duration_cases); i++) {
		char err[NF_ERR_LEN] = "";
		uint32_t secs = 12345;
		int rc = parse_duration(duration_cases[i].in, &secs, err, sizeof(err));

		if (duration_cases[i].secs >= 0 &&
		    (rc || secs != duration_cases[i].secs))
			failf("'%s': rc %d secs %u err '%s', want %lld", duration_cases[i].in,
			      rc, secs, err, duration_cases[i].secs);
		if (duration_cases[i].secs < 0 &&
		    (!rc || strcmp(err, duration_cases[i].err)))
			failf("'%s': rc %d err '%s', want '%s'", duration_cases[i].in, rc,
			      err, duration_cases[i].err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(left_cases); i++) {
		char buf[64];

		format_duration_ms(left_cases[i].ms, buf, sizeof(buf));
		if (strcmp(buf, left_cases[i].text))
			failf("%llu ms: '%s', want '%s'", (unsigned long long)left_cases[i].ms,
			      buf, left_cases[i].text);
	}
}

/* ---- release key files ---- */

static void test_key_file(void)
{
	char dir[] = "/tmp/netfence-key-XXXXXX", path[128], err[NF_ERR_LEN], *big;
	struct nf_key key;
	FILE *f;

	if (!mkdtemp(dir)) {
		failf("mkdtemp failed");
		return;
	}
	/* Bytes are kept as they are: NULs and the trailing newline. */
	snprintf(path, sizeof(path), "%s/k", dir);
	f = fopen(path, "w");
	fwrite("se\0cret\nse\0cret\n", 1, 16, f);
	fclose(f);
	if (key_read_file(path, &key, err, sizeof(err)) || !key.set || key.len != 16 ||
	    memcmp(key.data, "se\0cret\nse\0cret\n", 16))
		failf("key not read as is: %s", err);
	key_wipe(&key);
	for (size_t i = 0; i < sizeof(key); i++)
		if (((unsigned char *)&key)[i]) {
			failf("key_wipe left byte %zu", i);
			break;
		}
	/* Exactly 4096 bytes is fine, 4097 is not. */
	big = malloc(NETFENCE_KEY_MAX + 1);
	memset(big, 'k', NETFENCE_KEY_MAX + 1);
	f = fopen(path, "w");
	fwrite(big, 1, NETFENCE_KEY_MAX, f);
	fclose(f);
	if (key_read_file(path, &key, err, sizeof(err)) || key.len != NETFENCE_KEY_MAX)
		failf("4096-byte key: %s", err);
	f = fopen(path, "w");
	fwrite(big, 1, NETFENCE_KEY_MAX + 1, f);
	fclose(f);
	free(big);
	snprintf(path, sizeof(path), "%s/k", dir);
	{
		char want[256];

		snprintf(want, sizeof(want), "key file '%s': larger than 4096 bytes", path);
		if (!key_read_file(path, &key, err, sizeof(err)) || strcmp(err, want) || key.set)
			failf("large key: '%s'", err);
		/* Shorter than NETFENCE_KEY_MIN: refused, nothing kept. */
		f = fopen(path, "w");
		fwrite("fifteen bytes!!", 1, 15, f);
		fclose(f);
		snprintf(want, sizeof(want),
			 "key file '%s': 15 bytes, a release key needs at least 16 bytes", path);
		if (!key_read_file(path, &key, err, sizeof(err)) || strcmp(err, want) || key.set)
			failf("15-byte key: '%s'", err);
		for (size_t i = 0; i < sizeof(key); i++)
			if (((unsigned char *)&key)[i]) {
				failf("refused short key left byte %zu", i);
				break;
			}
		f = fopen(path, "w");
		fclose(f);
		snprintf(want, sizeof(want), "key file '%s': empty", path);
		if (!key_read_file(path, &key, err, sizeof(err)) || strcmp(err, want))
			failf("empty key: '%s'", err);
		snprintf(want, sizeof(want), "cannot read key file '%s/none': No such file or directory",
			 dir);
		snprintf(path, sizeof(path), "%s/none", dir);
		if (!key_read_file(path, &key, err, sizeof(err)) || strcmp(err, want))
			failf("missing key: '%s'", err);
		snprintf(want, sizeof(want), "cannot read key file '%s': Is a directory", dir);
		if (!key_read_file(dir, &key, err, sizeof(err)) || strcmp(err, want))
			failf("directory as key: '%s'", err);
	}
	snprintf(path, sizeof(path), "%s/k", dir);
	unlink(path);
	rmdir(dir);
}

/* ---- status additions ---- */

/* Who isolated, when and why; the last change when it is another. */
static void test_status_audit(void)
{
	struct nf_status st = sample_status;
	char *doc;

	setenv("TZ", "UTC", 1);
	tzset();
	st.isolated_by = (struct nf_audit){
		.set = true, .action = NETFENCE_ACTION_ISOLATE,
		.time_ns = 1796212800123456789ull, .policy_gen = 6, .uid = 0,
		.has_loginuid = true, .loginuid = 1000, .has_pid = true, .pid = 812,
		.comm = "netfence", .comment = "case 4711: \"beacon\" to 203.0.113.9",
	};
	st.last_change = (struct nf_audit){
		.set = true, .action = NETFENCE_ACTION_RENEW,
		.time_ns = 1796213400000000000ull, .policy_gen = 7, .by_kernel = false,
		.uid = 0, .has_pid = false, .comm = "edr-agent",
	};
	doc = capture(status_human, &st);
	if (!strstr(doc, "\nisolated:  since 2026-12-02 12:00:00 +0000 by uid 0 auid 1000 pid 812 (netfence): \"case 4711: \"beacon\" to 203.0.113.9\"\n") ||
	    !strstr(doc, "\nchanged:   renew 2026-12-02 12:10:00 +0000 by uid 0 (edr-agent)\n"))
		failf("status text:\n%s", doc);
	free(doc);
	st.module_version = "0.1.0";
	st.now_ns = 1796212800000000000ull;
	st.has_timeout_left = true;
	st.timeout_left_ms = 600000;
	doc = capture(status_json, &st);
	if (check_json(doc,
		       "assert d[\"versions\"]=={\"tool\":\"" NETFENCE_VERSION "\",\"module\":\"0.1.0\",\"protocol\":1}\n"
		       "assert d[\"deadline\"]==\"2026-12-02T12:10:00+0000\" and d[\"timeout_left_ms\"]==600000\n"
		       "b=d[\"isolated_by\"]; c=d[\"last_change\"]\n"
		       "assert b[\"action\"]==\"isolate\" and b[\"time\"]==\"2026-12-02T12:00:00+0000\"\n"
		       "assert b[\"time_ns\"]==1796212800123456789 and b[\"uid\"]==0 and b[\"loginuid\"]==1000\n"
		       "assert b[\"pid\"]==812 and b[\"comm\"]==\"netfence\" and b[\"policy_generation\"]==6\n"
		       "assert b[\"comment\"]==\"case 4711: \"+chr(34)+\"beacon\"+chr(34)+\" to 203.0.113.9\"\n"
		       "assert c[\"action\"]==\"renew\" and c[\"pid\"] is None and c[\"loginuid\"] is None and c[\"comment\"] is None\n"))
		failf("status JSON: %s", doc);
	free(doc);

	/* Released at the deadline: the kernel did it, and nothing is isolated. */
	st.isolated = false;
	st.isolated_by.set = false;
	st.last_change = (struct nf_audit){
		.set = true, .action = NETFENCE_ACTION_DEADLINE,
		.time_ns = 1796214000000000000ull, .by_kernel = true,
		.comment = "isolation deadline passed",
	};
	doc = capture(status_human, &st);
	if (strstr(doc, "isolated:") ||
	    !strstr(doc, "\nchanged:   deadline 2026-12-02 12:20:00 +0000 by the kernel: \"isolation deadline passed\"\n"))
		failf("status text after the deadline:\n%s", doc);
	free(doc);
	st.module_version = NULL;
	st.has_timeout_left = false;
	doc = capture(status_json, &st);
	if (check_json(doc, "assert d[\"isolated_by\"] is None and d[\"last_change\"][\"uid\"] is None\n"
			    "assert d[\"versions\"][\"module\"] is None and d[\"deadline\"] is None\n"))
		failf("status JSON after the deadline: %s", doc);
	free(doc);
	unsetenv("TZ");
	tzset();
}

static void test_comment_check(void)
{
	char err[NF_ERR_LEN], big[NETFENCE_COMMENT_MAX + 1];

	if (comment_check("case 4711: isolate per SOC, ticket #9 — ok", err, sizeof(err)))
		failf("plain comment refused: %s", err);
	memset(big, 'x', NETFENCE_COMMENT_MAX - 1);
	big[NETFENCE_COMMENT_MAX - 1] = '\0';
	if (comment_check(big, err, sizeof(err)))
		failf("255-byte comment refused: %s", err);
	big[NETFENCE_COMMENT_MAX - 1] = 'x';
	big[NETFENCE_COMMENT_MAX] = '\0';
	if (!comment_check(big, err, sizeof(err)) ||
	    strcmp(err, "comment too long: 256 bytes (at most 255)"))
		failf("long comment: '%s'", err);
	if (!comment_check("two\nlines", err, sizeof(err)) ||
	    strcmp(err, "comment has a control character (byte 4): one line of text"))
		failf("newline in comment: '%s'", err);
	if (!comment_check("esc\x1b[31m", err, sizeof(err)))
		failf("escape sequence accepted");
}

static void test_status_safety(void)
{
	struct nf_status st = sample_status;
	char *doc;

	st.has_timeout_left = true;
	st.timeout_left_ms = 898000;
	st.key_required = true;
	st.has_event_rate = true;
	st.event_rate = 10;
	st.flags |= NETFENCE_POLICY_F_REJECT;
	st.features |= NETFENCE_FEAT_CGROUP;
	doc = capture(status_json, &st);
	if (check_json(doc,
		       "assert d[\"timeout_left_ms\"]==898000 and d[\"key_required\"] is True\n"
		       "assert d[\"event_rate\"]==10 and d[\"flags\"][\"reject\"] is True and d[\"flags\"][\"log\"] is False\n"
		       "assert d[\"features\"][\"cgroup\"] is True\n"))
		failf("status JSON wrong: %s", doc);
	free(doc);
	doc = capture(status_human, &st);
	if (!strstr(doc, "\ndeadline: releases in 14m 58s (renew with: netfence renew)\n") ||
	    !strstr(doc, "\nrelease key: required\n") || !strstr(doc, "\nevents: 10/s\n") ||
	    !strstr(doc, " reject on log off stateless off\n") || !strstr(doc, " cgroup no-link no-events\n"))
		failf("status text:\n%s", doc);
	free(doc);
	st.renew_cmd = "netfence -n blue renew";
	st.key_required = false;
	st.has_timeout_left = false;
	doc = capture(status_human, &st);
	if (strstr(doc, "deadline") || strstr(doc, "release key"))
		failf("status text without deadline or key:\n%s", doc);
	free(doc);
	st.has_timeout_left = true;
	doc = capture(status_human, &st);
	if (!strstr(doc, "(renew with: netfence -n blue renew)"))
		failf("renew hint:\n%s", doc);
	free(doc);
}

/* Identity fields in the JSON of show / allow list. */
static void test_json_identity(void)
{
	static const char *texts[] = {
		"uid 1000-1999 proto tcp port 443", "192.0.2.0/24 cgroup \"/a b\"",
	};
	struct rule_vec rv = { 0 };
	char err[NF_ERR_LEN], *doc;

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++)
		if (rule_parse_string(texts[i], &rv, err, sizeof(err)))
			failf("%s: %s", texts[i], err);
	rv.v[1].has_cgroup_id = true;
	rv.v[1].cgroup_id = 4242;
	doc = capture(rules_json, &rv);
	if (check_json(doc,
		       "assert d[0][\"rule\"]==\"uid 1000-1999 proto tcp port 443\" and d[0][\"family\"]==\"any\"\n"
		       "assert d[0][\"address\"] is None and d[0][\"uid_min\"]==1000 and d[0][\"uid_max\"]==1999\n"
		       "assert d[0][\"cgroup\"] is None and d[0][\"cgroup_id\"] is None\n"
		       "assert d[1][\"rule\"]==\"192.0.2.0/24 cgroup \\\"/a b\\\"\" and d[1][\"cgroup\"]==\"/a b\"\n"
		       "assert d[1][\"cgroup_id\"]==4242 and d[1][\"uid_min\"] is None\n"))
		failf("identity JSON wrong: %s", doc);
	free(doc);
	rule_vec_free(&rv);
}

/* ---- monitor: events as the kernel sends them ---- */

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

struct flow_spec {
	uint8_t family, hook, proto;
	const char *saddr, *daddr;
	int sport, dport;	/* -1: absent */
	int type, code;		/* -1: absent */
	uint32_t len;
	uint8_t reason, audit;
	int64_t suppressed;	/* -1: absent */
};

static struct nl_msg *event_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, NETFENCE_GENL_VERSION);
	return msg;
}

static struct nl_msg *drop_msg(const struct flow_spec *fs)
{
	struct nl_msg *msg = event_msg(NETFENCE_CMD_EVT_DROP);
	struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED | NETFENCE_A_FLOW);
	uint8_t a[16];
	int alen = fs->family == AF_INET ? 4 : 16;

	nla_put_u8(msg, NETFENCE_FLOW_A_FAMILY, fs->family);
	nla_put_u8(msg, NETFENCE_FLOW_A_HOOK, fs->hook);
	nla_put_u8(msg, NETFENCE_FLOW_A_PROTO, fs->proto);
	inet_pton(fs->family, fs->saddr, a);
	nla_put(msg, NETFENCE_FLOW_A_SADDR, alen, a);
	inet_pton(fs->family, fs->daddr, a);
	nla_put(msg, NETFENCE_FLOW_A_DADDR, alen, a);
	if (fs->sport >= 0) {
		nla_put_u16(msg, NETFENCE_FLOW_A_SPORT, (uint16_t)fs->sport);
		nla_put_u16(msg, NETFENCE_FLOW_A_DPORT, (uint16_t)fs->dport);
	}
	if (fs->type >= 0) {
		nla_put_u8(msg, NETFENCE_FLOW_A_ICMP_TYPE, (uint8_t)fs->type);
		nla_put_u8(msg, NETFENCE_FLOW_A_ICMP_CODE, (uint8_t)fs->code);
	}
	nla_put_u32(msg, NETFENCE_FLOW_A_LEN, fs->len);
	nla_put_u8(msg, NETFENCE_FLOW_A_REASON, fs->reason);
	nla_put_u8(msg, NETFENCE_FLOW_A_AUDIT, fs->audit);
	nla_nest_end(msg, nest);
	if (fs->suppressed >= 0)
		nla_put_u32(msg, NETFENCE_A_EVENTS_SUPPRESSED, (uint32_t)fs->suppressed);
	return msg;
}

static const struct {
	struct flow_spec fs;
	const char *human;
	const char *pycheck;
} drop_cases[] = {
	{ { AF_INET, NETFENCE_HOOK_LOCAL_OUT, IPPROTO_TCP, "10.0.0.2", "192.0.2.9",
	    40312, 443, -1, -1, 60, NETFENCE_DROP_NO_RULE, 0, 0 },
	  "drop ipv4 local_out tcp 10.0.0.2:40312 -> 192.0.2.9:443 len 60 (no rule)\n",
	  "assert d=={\"event\":\"drop\",\"family\":\"ipv4\",\"hook\":\"local_out\",\"proto\":\"tcp\","
	  "\"saddr\":\"10.0.0.2\",\"daddr\":\"192.0.2.9\",\"sport\":40312,\"dport\":443,"
	  "\"icmp_type\":None,\"icmp_code\":None,\"len\":60,\"reason\":\"no-rule\",\"audit\":False,"
	  "\"suppressed\":0}\n" },
	{ { AF_INET6, NETFENCE_HOOK_LOCAL_IN, IPPROTO_ICMPV6, "2001:db8::9", "2001:db8::2",
	    -1, -1, 128, 0, 104, NETFENCE_DROP_NO_RULE, 1, -1 },
	  "drop ipv6 local_in icmpv6 2001:db8::9 -> 2001:db8::2 type 128 code 0 len 104 (no rule) [audit]\n",
	  "assert d[\"proto\"]==\"icmpv6\" and d[\"icmp_type\"]==128 and d[\"icmp_code\"]==0\n"
	  "assert d[\"sport\"] is None and d[\"audit\"] is True and d[\"suppressed\"]==0\n" },
	{ { AF_INET6, NETFENCE_HOOK_FORWARD, IPPROTO_UDP, "2001:db8::9", "2001:db8:1::53",
	    5353, 53, -1, -1, 80, NETFENCE_DROP_NO_RULE, 0, 17 },
	  "drop ipv6 forward udp [2001:db8::9]:5353 -> [2001:db8:1::53]:53 len 80 (no rule) (+17 events suppressed)\n",
	  "assert d[\"hook\"]==\"forward\" and d[\"daddr\"]==\"2001:db8:1::53\" and d[\"dport\"]==53 and d[\"suppressed\"]==17\n" },
	{ { AF_INET, NETFENCE_HOOK_LOCAL_IN, 47, "198.51.100.1", "10.0.0.2",
	    -1, -1, -1, -1, 1500, NETFENCE_DROP_MALFORMED, 0, 1 },
	  "drop ipv4 local_in proto 47 198.51.100.1 -> 10.0.0.2 len 1500 (malformed) (+1 event suppressed)\n",
	  "assert d[\"proto\"]==47 and d[\"reason\"]==\"malformed\" and d[\"suppressed\"]==1\n" },
	{ { AF_INET, NETFENCE_HOOK_LOCAL_OUT, IPPROTO_ICMP, "10.0.0.2", "192.0.2.1",
	    -1, -1, 8, 0, 84, NETFENCE_DROP_NO_RULE, 0, 0 },
	  "drop ipv4 local_out icmp 10.0.0.2 -> 192.0.2.1 type 8 code 0 len 84 (no rule)\n",
	  "assert d[\"proto\"]==\"icmp\" and d[\"icmp_type\"]==8\n" },
};

static char *event_text(struct nl_msg *msg, bool json, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = print_event(f, nlmsg_hdr(msg), json);
	fclose(f);
	return buf;
}

static void test_monitor_format(void)
{
	struct {
		uint8_t cmd;
		int gen, rules, reason;
		const char *human, *json;
	} state_cases[] = {
		{ NETFENCE_CMD_EVT_ISOLATED, 7, 3, -1, "isolated policy 7 (3 rules)\n",
		  "{\"event\":\"isolated\",\"policy_generation\":7,\"rules\":3}\n" },
		{ NETFENCE_CMD_EVT_COMMITTED, 8, 1, -1, "committed policy 8 (1 rule)\n",
		  "{\"event\":\"committed\",\"policy_generation\":8,\"rules\":1}\n" },
		{ NETFENCE_CMD_EVT_RELEASED, -1, -1, NETFENCE_REASON_USER, "released (reason: user)\n",
		  "{\"event\":\"released\",\"reason\":\"user\"}\n" },
		{ NETFENCE_CMD_EVT_RELEASED, -1, -1, NETFENCE_REASON_TIMEOUT,
		  "released (reason: timeout)\n", "{\"event\":\"released\",\"reason\":\"timeout\"}\n" },
		{ NETFENCE_CMD_EVT_RELEASED, -1, -1, NETFENCE_REASON_NETNS_EXIT,
		  "released (reason: netns-exit)\n",
		  "{\"event\":\"released\",\"reason\":\"netns-exit\"}\n" },
		{ NETFENCE_CMD_EVT_RELEASED, -1, -1, NETFENCE_REASON_MODULE_UNLOAD,
		  "released (reason: module-unload)\n",
		  "{\"event\":\"released\",\"reason\":\"module-unload\"}\n" },
	};
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(state_cases); i++) {
		struct nl_msg *msg = event_msg(state_cases[i].cmd);
		char *h, *j;

		if (state_cases[i].gen >= 0) {
			nla_put_u32(msg, NETFENCE_A_POLICY_GEN, (uint32_t)state_cases[i].gen);
			nla_put_u32(msg, NETFENCE_A_RULE_COUNT, (uint32_t)state_cases[i].rules);
		}
		if (state_cases[i].reason >= 0)
			nla_put_u8(msg, NETFENCE_A_REASON, (uint8_t)state_cases[i].reason);
		h = event_text(msg, false, &rc);
		if (rc != 1 || strcmp(h, state_cases[i].human))
			failf("state %zu: rc %d '%s'", i, rc, h);
		j = event_text(msg, true, &rc);
		if (rc != 1 || strcmp(j, state_cases[i].json) || check_json(j, "pass\n"))
			failf("state %zu: rc %d '%s'", i, rc, j);
		free(h);
		free(j);
		nlmsg_free(msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(drop_cases); i++) {
		struct nl_msg *msg = drop_msg(&drop_cases[i].fs);
		char *h = event_text(msg, false, &rc), *j;

		if (rc != 1 || strcmp(h, drop_cases[i].human))
			failf("drop %zu: rc %d\n  got  %s  want %s", i, rc, h, drop_cases[i].human);
		j = event_text(msg, true, &rc);
		if (rc != 1 || strchr(j, '\n') != j + strlen(j) - 1 ||
		    check_json(j, drop_cases[i].pycheck))
			failf("drop %zu JSON: %s", i, j);
		free(h);
		free(j);
		nlmsg_free(msg);
	}
	/* renewed: the time left before the new deadline. */
	{
		struct nl_msg *msg = event_msg(NETFENCE_CMD_EVT_RENEWED);
		char *h, *j;

		nla_put_u64(msg, NETFENCE_A_TIMEOUT_LEFT, 899500);
		h = event_text(msg, false, &rc);
		if (rc != 1 || strcmp(h, "renewed (deadline in 15m 0s)\n"))
			failf("renewed: rc %d '%s'", rc, h);
		j = event_text(msg, true, &rc);
		if (rc != 1 || strcmp(j, "{\"event\":\"renewed\",\"timeout_left_ms\":899500}\n"))
			failf("renewed JSON: rc %d '%s'", rc, j);
		free(h);
		free(j);
		nlmsg_free(msg);
		msg = event_msg(NETFENCE_CMD_EVT_RENEWED);
		h = event_text(msg, false, &rc);
		if (rc != -1)
			failf("renewed without the time left: rc %d '%s'", rc, h);
		free(h);
		nlmsg_free(msg);
	}
	/* monitor -t: the time in front, on a line and as JSON's first member. */
	{
		struct timespec ts = { .tv_sec = 1796212800, .tv_nsec = 42123456 };
		struct nl_msg *msg = event_msg(NETFENCE_CMD_EVT_RELEASED);
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		setenv("TZ", "UTC", 1);
		tzset();
		nla_put_u8(msg, NETFENCE_A_REASON, NETFENCE_REASON_USER);
		f = open_memstream(&buf, &len);
		rc = print_event_stamped(f, nlmsg_hdr(msg), false, &ts, "net:[4026531840]");
		rc += print_event_stamped(f, nlmsg_hdr(msg), true, &ts, "blue");
		rc += print_event_stamped(f, nlmsg_hdr(msg), true, NULL, "a\"b");
		rc += print_event_stamped(f, nlmsg_hdr(msg), false, &ts, NULL);
		fclose(f);
		if (rc != 4 || strcmp(buf, "[2026-12-02T12:00:00.042123+0000] [netns net:[4026531840]] released (reason: user)\n"
				   "{\"time\":\"2026-12-02T12:00:00.042123+0000\",\"netns\":\"blue\",\"event\":\"released\",\"reason\":\"user\"}\n"
				   "{\"netns\":\"a\\\"b\",\"event\":\"released\",\"reason\":\"user\"}\n"
				   "[2026-12-02T12:00:00.042123+0000] released (reason: user)\n"))
			failf("stamped events: rc %d '%s'", rc, buf);
		free(buf);
		nlmsg_free(msg);
		unsetenv("TZ");
		tzset();
	}
	/* Malformed events are refused, unknown commands ignored. */
	{
		struct nl_msg *msg = event_msg(NETFENCE_CMD_EVT_ISOLATED);
		char *t = event_text(msg, false, &rc);

		if (rc != -1 || *t)
			failf("isolated without generation: rc %d '%s'", rc, t);
		free(t);
		nlmsg_free(msg);
		msg = event_msg(NETFENCE_CMD_EVT_DROP);
		t = event_text(msg, true, &rc);
		if (rc != -1 || *t)
			failf("drop without flow: rc %d '%s'", rc, t);
		free(t);
		nlmsg_free(msg);
		msg = event_msg(NETFENCE_CMD_STATUS_GET);
		t = event_text(msg, false, &rc);
		if (rc != 0 || *t)
			failf("status reply taken as an event: rc %d '%s'", rc, t);
		free(t);
		nlmsg_free(msg);
		/* A flow address of the wrong length. */
		msg = event_msg(NETFENCE_CMD_EVT_DROP);
		{
			struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED | NETFENCE_A_FLOW);

			nla_put_u8(msg, NETFENCE_FLOW_A_FAMILY, AF_INET6);
			nla_put(msg, NETFENCE_FLOW_A_SADDR, 4, "abcd");
			nla_put(msg, NETFENCE_FLOW_A_DADDR, 4, "abcd");
			nla_nest_end(msg, nest);
		}
		t = event_text(msg, false, &rc);
		if (rc != -1 || *t)
			failf("short IPv6 address: rc %d '%s'", rc, t);
		free(t);
		nlmsg_free(msg);
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "rule_canonical", test_rule_canonical },
	{ "rule_roundtrip", test_rule_roundtrip },
	{ "rule_fields", test_rule_fields },
	{ "rule_reject", test_rule_reject },
	{ "resolve_stub", test_resolve_note },
	{ "resolve_getaddrinfo", test_resolve_getaddrinfo },
	{ "policy_file", test_policy_file },
	{ "policy_key", test_policy_key },
	{ "policy_digest", test_policy_digest },
	{ "policy_boot", test_policy_boot },
	{ "line_canonical", test_line_canonical },
	{ "policy_save_restore", test_policy_save_restore },
	{ "save_format", test_save_format },
	{ "policy_diff", test_policy_diff },
	{ "policy_diff_json", test_policy_diff_json },
	{ "resolv_conf", test_resolv_conf },
	{ "json_escape", test_json_escape },
	{ "json_status", test_json_status },
	{ "status_text", test_status_human },
	{ "json_rules", test_json_rules },
	{ "ssh_lockout", test_ssh_lockout },
	{ "identity_rules", test_identity },
	{ "policy_options", test_policy_options },
	{ "duration", test_duration },
	{ "key_file", test_key_file },
	{ "status_safety", test_status_safety },
	{ "status_audit", test_status_audit },
	{ "comment_check", test_comment_check },
	{ "json_identity", test_json_identity },
	{ "monitor_format", test_monitor_format },
};

int main(void)
{
	char path[] = "/tmp/netfence-resolvconf-XXXXXX";
	int fd = mkstemp(path), failed = 0;

	if (fd < 0)
		return 1;
	close(fd);
	write_file(path, "nameserver 192.0.2.53\nnameserver 2001:db8::53\n"
			 "nameserver fe80::1%eth0\n");
	snprintf(resolv_path, sizeof(resolv_path), "%s", path);
	setenv("NETFENCE_RESOLV_CONF", path, 1);
	rule_resolve = stub_resolve;
	rule_note = capture_note;

	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		failures = 0;
		if (!strcmp(tests[i].name, "resolve_getaddrinfo"))
			rule_resolve = rule_resolve_getaddrinfo;
		tests[i].fn();
		rule_resolve = stub_resolve;
		printf("%s ctl/%s\n", failures ? "FAIL" : "PASS", tests[i].name);
		fflush(stdout);
		failed += failures != 0;
	}
	unlink(path);
	return failed ? 1 : 0;
}
