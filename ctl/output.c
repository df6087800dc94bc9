// SPDX-License-Identifier: GPL-2.0
/* netfence: human and JSON rendering of status, counters and rules. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/netfence.h>

#include "json.h"
#include "output.h"

static const struct {
	const char *name;
	uint32_t bit;
} features[] = {
	{ "defrag4", NETFENCE_FEAT_DEFRAG4 },
	{ "defrag6", NETFENCE_FEAT_DEFRAG6 },
	{ "conntrack", NETFENCE_FEAT_CONNTRACK },
	{ "socket4", NETFENCE_FEAT_SOCKET4 },
	{ "socket6", NETFENCE_FEAT_SOCKET6 },
	{ "reject4", NETFENCE_FEAT_REJECT4 },
	{ "reject6", NETFENCE_FEAT_REJECT6 },
	{ "cgroup", NETFENCE_FEAT_CGROUP },
	{ "link", NETFENCE_FEAT_LINK },
	{ "events", NETFENCE_FEAT_DROP_EVENTS },
};

static const uint32_t flag_bits[] = {
	NETFENCE_POLICY_F_ND, NETFENCE_POLICY_F_DHCP4, NETFENCE_POLICY_F_DHCP6,
	NETFENCE_POLICY_F_ICMP_ERR, NETFENCE_POLICY_F_AUDIT,
	NETFENCE_POLICY_F_REJECT, NETFENCE_POLICY_F_LOG, NETFENCE_POLICY_F_STATELESS,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *hook_name(uint8_t hook)
{
	switch (hook) {
	case NETFENCE_HOOK_LOCAL_IN:
		return "local_in";
	case NETFENCE_HOOK_LOCAL_OUT:
		return "local_out";
	case NETFENCE_HOOK_FORWARD:
		return "forward";
	case NETFENCE_HOOK_LINK_IN:
		return "link_in";
	case NETFENCE_HOOK_LINK_OUT:
		return "link_out";
	}
	return "unknown";
}

static void json_counters(struct json *j, const struct nf_status *st)
{
	json_arr_begin(j, "counters");
	for (size_t i = 0; i < st->ncounters; i++) {
		const struct nf_counter *c = &st->counters[i];

		json_obj_begin(j, NULL);
		json_str(j, "family", family_name(c->family));
		json_str(j, "hook", hook_name(c->hook));
		json_u64(j, "accepted_packets", c->accept_pkts);
		json_u64(j, "accepted_bytes", c->accept_bytes);
		json_u64(j, "dropped_packets", c->drop_pkts);
		json_u64(j, "dropped_bytes", c->drop_bytes);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Columns as wide as their widest number, so the table stays aligned. */
static void human_counters(FILE *f, const struct nf_status *st)
{
	static const char *const head[] = {
		"acc-packets", "acc-bytes", "drop-packets", "drop-bytes",
	};
	int w[4];

	for (int k = 0; k < 4; k++)
		w[k] = (int)strlen(head[k]);
	for (size_t i = 0; i < st->ncounters; i++) {
		const struct nf_counter *c = &st->counters[i];
		const uint64_t v[4] = {
			c->accept_pkts, c->accept_bytes, c->drop_pkts, c->drop_bytes,
		};

		for (int k = 0; k < 4; k++)
			if (digits(v[k]) > w[k])
				w[k] = digits(v[k]);
	}
	fprintf(f, "%-6s  %-9s  %*s  %*s  %*s  %*s\n", "family", "hook",
		w[0], head[0], w[1], head[1], w[2], head[2], w[3], head[3]);
	for (size_t i = 0; i < st->ncounters; i++) {
		const struct nf_counter *c = &st->counters[i];

		fprintf(f, "%-6s  %-9s  %*" PRIu64 "  %*" PRIu64 "  %*" PRIu64
			"  %*" PRIu64 "\n", family_name(c->family),
			hook_name(c->hook), w[0], c->accept_pkts, w[1],
			c->accept_bytes, w[2], c->drop_pkts, w[3], c->drop_bytes);
	}
}

static const char *const action_names[] = {
	[NETFENCE_ACTION_ISOLATE] = "isolate",
	[NETFENCE_ACTION_COMMIT] = "commit",
	[NETFENCE_ACTION_RELEASE] = "release",
	[NETFENCE_ACTION_RENEW] = "renew",
	[NETFENCE_ACTION_DEADLINE] = "deadline",
};

static const char *action_name(uint8_t action)
{
	return action < ARRAY_SIZE(action_names) && action_names[action] ?
		action_names[action] : "unknown";
}

/* Local time, ISO 8601 ("T" between date and time for JSON). */
static void format_time(uint64_t ns, bool iso, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%d %H:%M:%S %z", &tm);
}

static void json_audit(struct json *j, const char *key, const struct nf_audit *a)
{
	char when[64];

	if (!a->set) {
		json_null(j, key);
		return;
	}
	format_time(a->time_ns, true, when, sizeof(when));
	json_obj_begin(j, key);
	json_str(j, "action", action_name(a->action));
	json_str(j, "time", when);
	json_u64(j, "time_ns", a->time_ns);
	json_u64(j, "policy_generation", a->policy_gen);
	if (a->by_kernel) {
		json_null(j, "uid");
		json_null(j, "comm");
	} else {
		json_u64(j, "uid", a->uid);
		json_str(j, "comm", a->comm);
	}
	if (a->has_loginuid)
		json_u64(j, "loginuid", a->loginuid);
	else
		json_null(j, "loginuid");
	if (a->has_pid)
		json_u64(j, "pid", a->pid);
	else
		json_null(j, "pid");
	json_str(j, "comment", a->comment[0] ? a->comment : NULL);
	json_obj_end(j);
}

/* "2026-12-02 14:05:09 +0000 by uid 0 auid 1000 pid 812 (netfence): "why"" */
static void human_audit(FILE *f, const struct nf_audit *a)
{
	char when[64];

	format_time(a->time_ns, false, when, sizeof(when));
	fprintf(f, "%s by ", when);
	if (a->by_kernel) {
		fprintf(f, "the kernel");
	} else {
		fprintf(f, "uid %" PRIu32, a->uid);
		if (a->has_loginuid)
			fprintf(f, " auid %" PRIu32, a->loginuid);
		if (a->has_pid)
			fprintf(f, " pid %" PRIu32, a->pid);
		fprintf(f, " (%s)", a->comm);
	}
	if (a->comment[0])
		fprintf(f, ": \"%s\"", a->comment);
	fputc('\n', f);
}

void print_status(FILE *f, const struct nf_status *st, bool json)
{
	if (json) {
		struct json j;

		json_init(&j, f);
		json_obj_begin(&j, NULL);
		json_bool(&j, "isolated", st->isolated);
		json_u64(&j, "policy_generation", st->policy_gen);
		json_u64(&j, "rules", st->rule_count);
		json_obj_begin(&j, "flags");
		json_bool(&j, "nd", st->flags & NETFENCE_POLICY_F_ND);
		json_bool(&j, "dhcp4", st->flags & NETFENCE_POLICY_F_DHCP4);
		json_bool(&j, "dhcp6", st->flags & NETFENCE_POLICY_F_DHCP6);
		json_bool(&j, "icmp_errors", st->flags & NETFENCE_POLICY_F_ICMP_ERR);
		json_bool(&j, "audit", st->flags & NETFENCE_POLICY_F_AUDIT);
		json_bool(&j, "reject", st->flags & NETFENCE_POLICY_F_REJECT);
		json_bool(&j, "log", st->flags & NETFENCE_POLICY_F_LOG);
		json_bool(&j, "stateless", st->flags & NETFENCE_POLICY_F_STATELESS);
		json_obj_end(&j);
		json_obj_begin(&j, "features");
		for (size_t i = 0; i < ARRAY_SIZE(features); i++)
			json_bool(&j, features[i].name,
				  st->features & features[i].bit);
		json_obj_end(&j);
		json_u64(&j, "isolated_namespaces", st->isolated_netns);
		json_u64(&j, "hooks_registered", st->hooks_registered);
		json_bool(&j, "stateful", st->stateful);
		json_u64(&j, "link_devices", st->link_devices);
		json_arr_begin(&j, "ethertypes");
		for (size_t i = 0; i < st->n_ethertypes; i++) {
			char et[8];

			snprintf(et, sizeof(et), "0x%04x", st->ethertypes[i]);
			json_str(&j, NULL, et);
		}
		json_arr_end(&j);
		json_u64(&j, "policy_memory", st->policy_mem);
		if (st->has_timeout_left) {
			char when[64];

			json_u64(&j, "timeout_left_ms", st->timeout_left_ms);
			format_time(st->now_ns + st->timeout_left_ms * 1000000u, true,
				    when, sizeof(when));
			json_str(&j, "deadline", when);
		} else {
			json_null(&j, "timeout_left_ms");
			json_null(&j, "deadline");
		}
		json_bool(&j, "key_required", st->key_required);
		json_u64(&j, "event_rate", st->event_rate);
		if (st->policy_digest)
			json_str(&j, "policy_digest", st->policy_digest);
		json_obj_begin(&j, "versions");
		json_str(&j, "tool", NETFENCE_VERSION);
		json_str(&j, "module", st->module_version);
		json_u64(&j, "protocol", NETFENCE_PROTO_VERSION);
		json_obj_end(&j);
		json_audit(&j, "isolated_by", &st->isolated_by);
		json_audit(&j, "last_change", &st->last_change);
		json_counters(&j, st);
		json_obj_end(&j);
		return;
	}

	fprintf(f, "netfence: %s (policy %" PRIu32 ", %" PRIu32 " rule%s)%s\n",
		st->isolated ? "isolated" : "released", st->policy_gen,
		st->rule_count, st->rule_count == 1 ? "" : "s",
		st->isolated && (st->flags & NETFENCE_POLICY_F_AUDIT) ?
		" in audit mode: counting, not dropping" : "");
	if (st->isolated && st->isolated_by.set) {
		fprintf(f, "%-10s since ", "isolated:");
		human_audit(f, &st->isolated_by);
	}
	/* The isolation itself is the last change: said once. */
	if (st->last_change.set &&
	    (!st->isolated_by.set || st->last_change.time_ns != st->isolated_by.time_ns)) {
		fprintf(f, "%-10s %s ", "changed:", action_name(st->last_change.action));
		human_audit(f, &st->last_change);
	}
	if (st->has_timeout_left) {
		char left[64];

		format_duration_ms(st->timeout_left_ms, left, sizeof(left));
		fprintf(f, "deadline: releases in %s (renew with: %s)\n", left,
			st->renew_cmd ? st->renew_cmd : "netfence renew");
	}
	if (st->key_required)
		fprintf(f, "release key: required\n");
	if (st->has_event_rate)
		fprintf(f, "events: %" PRIu32 "/s\n", st->event_rate);
	fprintf(f, "%-10s", "flags:");
	for (size_t i = 0; i < ARRAY_SIZE(flag_bits); i++)
		fprintf(f, " %s %s", policy_flag_name(flag_bits[i]),
			st->flags & flag_bits[i] ? "on" : "off");
	fprintf(f, "\n%-10s", "features:");
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		fprintf(f, " %s%s", st->features & features[i].bit ? "" : "no-",
			features[i].name);
	fprintf(f, "\n%-10s %" PRIu32 " registered here, %" PRIu32
		" namespace%s isolated in all\n", "hooks:", st->hooks_registered,
		st->isolated_netns, st->isolated_netns == 1 ? "" : "s");
	if (st->isolated) {
		fprintf(f, "%-10s %" PRIu32 " device%s under the link-layer stage",
			"link:", st->link_devices, st->link_devices == 1 ? "" : "s");
		for (size_t i = 0; i < st->n_ethertypes; i++)
			fprintf(f, "%s0x%04x", i ? " " : ", ethertypes ", st->ethertypes[i]);
		fputc('\n', f);
	}
	if (st->isolated)
		fprintf(f, "%-10s %s\n", "replies:", st->stateful ?
			"stateful (checked against conntrack)" :
			st->flags & NETFENCE_POLICY_F_STATELESS ?
			"stateless (option stateless: spoofed replies from allowed endpoints pass)" :
			"stateless (no conntrack: spoofed replies from allowed endpoints pass)");
	fprintf(f, "%-10s %" PRIu64 " bytes of policy\n\n", "memory:",
		st->policy_mem);
	human_counters(f, st);
}

void print_counters(FILE *f, const struct nf_status *st, bool json)
{
	if (json) {
		struct json j;

		json_init(&j, f);
		json_obj_begin(&j, NULL);
		json_counters(&j, st);
		json_obj_end(&j);
		return;
	}
	human_counters(f, st);
}

void print_rules(FILE *f, const struct nf_rule *rules, size_t n, bool json,
		 bool hits)
{
	char text[NF_RULE_TEXT_LEN];

	if (json) {
		struct json j;

		json_init(&j, f);
		json_arr_begin(&j, NULL);
		for (size_t i = 0; i < n; i++) {
			const struct nf_rule *r = &rules[i];
			char addr[INET6_ADDRSTRLEN];
			const char *pn = proto_name(r->proto);

			rule_format(r, text, sizeof(text));
			json_obj_begin(&j, NULL);
			json_u64(&j, "index", r->index);
			json_str(&j, "rule", text);
			json_str(&j, "family", family_name(r->family));
			if (r->family == AF_UNSPEC) {
				json_null(&j, "address");
			} else {
				inet_ntop(r->family, r->addr, addr, sizeof(addr));
				json_str(&j, "address", addr);
			}
			json_u64(&j, "prefix_length", r->prefixlen);
			if (pn)
				json_str(&j, "proto", pn);
			else
				json_u64(&j, "proto", r->proto);
			json_u64(&j, "port_min", r->port_min);
			json_u64(&j, "port_max", r->port_max);
			json_str(&j, "dir", dir_name(r->dir));
			if (r->has_uid) {
				json_u64(&j, "uid_min", r->uid_min);
				json_u64(&j, "uid_max", r->uid_max);
			} else {
				json_null(&j, "uid_min");
				json_null(&j, "uid_max");
			}
			json_str(&j, "cgroup", r->cgroup);
			if (r->has_cgroup_id)
				json_u64(&j, "cgroup_id", r->cgroup_id);
			else
				json_null(&j, "cgroup_id");
			json_u64(&j, "hits", r->hits);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		return;
	}
	if (!hits) {
		for (size_t i = 0; i < n; i++) {
			rule_format(&rules[i], text, sizeof(text));
			fprintf(f, "%s\n", text);
		}
		return;
	}
	fprintf(f, "%5s  %12s  %s\n", "index", "hits", "rule");
	for (size_t i = 0; i < n; i++) {
		rule_format(&rules[i], text, sizeof(text));
		fprintf(f, "%5" PRIu32 "  %12" PRIu64 "  %s\n", rules[i].index,
			rules[i].hits, text);
	}
}

/* ---- events of the "events" multicast group ---- */

struct nf_flow {
	uint8_t family, hook, proto, reason, audit;
	bool has_ports, has_icmp;
	uint16_t sport, dport;
	uint8_t icmp_type, icmp_code;
	uint16_t ethertype;	/* family AF_PACKET */
	uint32_t len;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
};

static int flow_addr(struct nlattr *a, uint8_t family, char *buf, size_t len)
{
	int alen = family == AF_INET ? 4 : 16;

	if (!a || nla_len(a) != alen || !inet_ntop(family, nla_data(a), buf, (socklen_t)len))
		return -1;
	return 0;
}

static int parse_flow(struct nlattr *nest, struct nf_flow *fl)
{
	struct nlattr *tb[NETFENCE_FLOW_A_MAX + 1];

	memset(fl, 0, sizeof(*fl));
	if (!nest || nla_parse_nested(tb, NETFENCE_FLOW_A_MAX, nest, NULL) < 0)
		return -1;
	if (!tb[NETFENCE_FLOW_A_FAMILY])
		return -1;
	fl->family = nla_get_u8(tb[NETFENCE_FLOW_A_FAMILY]);
	if (fl->family == AF_PACKET) {
		fl->ethertype = tb[NETFENCE_FLOW_A_ETHERTYPE] ?
			nla_get_u16(tb[NETFENCE_FLOW_A_ETHERTYPE]) : 0;
	} else if (fl->family != AF_INET && fl->family != AF_INET6) {
		return -1;
	} else if (flow_addr(tb[NETFENCE_FLOW_A_SADDR], fl->family, fl->saddr,
			     sizeof(fl->saddr)) ||
		   flow_addr(tb[NETFENCE_FLOW_A_DADDR], fl->family, fl->daddr,
			     sizeof(fl->daddr))) {
		return -1;
	}
	fl->hook = tb[NETFENCE_FLOW_A_HOOK] ? nla_get_u8(tb[NETFENCE_FLOW_A_HOOK]) : 0xff;
	fl->proto = tb[NETFENCE_FLOW_A_PROTO] ? nla_get_u8(tb[NETFENCE_FLOW_A_PROTO]) : 0;
	if (tb[NETFENCE_FLOW_A_SPORT] && tb[NETFENCE_FLOW_A_DPORT]) {
		fl->has_ports = true;
		fl->sport = nla_get_u16(tb[NETFENCE_FLOW_A_SPORT]);
		fl->dport = nla_get_u16(tb[NETFENCE_FLOW_A_DPORT]);
	}
	if (tb[NETFENCE_FLOW_A_ICMP_TYPE]) {
		fl->has_icmp = true;
		fl->icmp_type = nla_get_u8(tb[NETFENCE_FLOW_A_ICMP_TYPE]);
		fl->icmp_code = tb[NETFENCE_FLOW_A_ICMP_CODE] ?
			nla_get_u8(tb[NETFENCE_FLOW_A_ICMP_CODE]) : 0;
	}
	fl->len = tb[NETFENCE_FLOW_A_LEN] ? nla_get_u32(tb[NETFENCE_FLOW_A_LEN]) : 0;
	fl->reason = tb[NETFENCE_FLOW_A_REASON] ? nla_get_u8(tb[NETFENCE_FLOW_A_REASON]) : 0;
	fl->audit = tb[NETFENCE_FLOW_A_AUDIT] ? nla_get_u8(tb[NETFENCE_FLOW_A_AUDIT]) : 0;
	return 0;
}

static const char *drop_reason(uint8_t reason, bool json)
{
	switch (reason) {
	case NETFENCE_DROP_NO_RULE:
		return json ? "no-rule" : "no rule";
	case NETFENCE_DROP_MALFORMED:
		return "malformed";
	case NETFENCE_DROP_LINK:
		return json ? "link-type" : "frame type not allowed";
	}
	return "unknown";
}

static const char *release_reason(uint8_t reason)
{
	switch (reason) {
	case NETFENCE_REASON_USER:
		return "user";
	case NETFENCE_REASON_TIMEOUT:
		return "timeout";
	case NETFENCE_REASON_NETNS_EXIT:
		return "netns-exit";
	case NETFENCE_REASON_MODULE_UNLOAD:
		return "module-unload";
	}
	return "unknown";
}

/* "10.0.0.2:40312", "[2001:db8::9]:443", or the bare address. */
static void endpoint(char *buf, size_t len, const struct nf_flow *fl,
		     const char *addr, uint16_t port)
{
	if (!fl->has_ports)
		snprintf(buf, len, "%s", addr);
	else if (fl->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", addr, port);
	else
		snprintf(buf, len, "%s:%u", addr, port);
}

static void print_drop(FILE *f, const struct nf_flow *fl, uint32_t suppressed,
		       bool json)
{
	const char *pn = fl->proto ? proto_name(fl->proto) : NULL;

	if (json) {
		struct json j;

		json_init(&j, f);
		json_obj_begin(&j, NULL);
		json_str(&j, "event", "drop");
		json_str(&j, "family", family_name(fl->family));
		json_str(&j, "hook", hook_name(fl->hook));
		if (fl->family == AF_PACKET) {
			char et[8];

			snprintf(et, sizeof(et), "0x%04x", fl->ethertype);
			json_str(&j, "ethertype", et);
			json_u64(&j, "len", fl->len);
			json_str(&j, "reason", drop_reason(fl->reason, true));
			json_bool(&j, "audit", fl->audit);
			json_u64(&j, "suppressed", suppressed);
			json_obj_end(&j);
			return;
		}
		if (pn)
			json_str(&j, "proto", pn);
		else
			json_u64(&j, "proto", fl->proto);
		json_str(&j, "saddr", fl->saddr);
		json_str(&j, "daddr", fl->daddr);
		if (fl->has_ports) {
			json_u64(&j, "sport", fl->sport);
			json_u64(&j, "dport", fl->dport);
		} else {
			json_null(&j, "sport");
			json_null(&j, "dport");
		}
		if (fl->has_icmp) {
			json_u64(&j, "icmp_type", fl->icmp_type);
			json_u64(&j, "icmp_code", fl->icmp_code);
		} else {
			json_null(&j, "icmp_type");
			json_null(&j, "icmp_code");
		}
		json_u64(&j, "len", fl->len);
		json_str(&j, "reason", drop_reason(fl->reason, true));
		json_bool(&j, "audit", fl->audit);
		json_u64(&j, "suppressed", suppressed);
		json_obj_end(&j);
		return;
	}
	{
		char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8];

		if (fl->family == AF_PACKET) {
			fprintf(f, "drop link %s ethertype 0x%04x len %" PRIu32 " (%s)%s",
				hook_name(fl->hook), fl->ethertype, fl->len,
				drop_reason(fl->reason, false), fl->audit ? " [audit]" : "");
			if (suppressed)
				fprintf(f, " (+%" PRIu32 " event%s suppressed)", suppressed,
					suppressed == 1 ? "" : "s");
			fputc('\n', f);
			return;
		}
		endpoint(src, sizeof(src), fl, fl->saddr, fl->sport);
		endpoint(dst, sizeof(dst), fl, fl->daddr, fl->dport);
		fprintf(f, "drop %s %s ", family_name(fl->family), hook_name(fl->hook));
		if (pn)
			fprintf(f, "%s", pn);
		else
			fprintf(f, "proto %u", fl->proto);
		fprintf(f, " %s -> %s", src, dst);
		if (fl->has_icmp)
			fprintf(f, " type %u code %u", fl->icmp_type, fl->icmp_code);
		fprintf(f, " len %" PRIu32 " (%s)%s", fl->len,
			drop_reason(fl->reason, false), fl->audit ? " [audit]" : "");
		if (suppressed)
			fprintf(f, " (+%" PRIu32 " event%s suppressed)", suppressed,
				suppressed == 1 ? "" : "s");
		fputc('\n', f);
	}
}

int print_event(FILE *f, struct nlmsghdr *nlh, bool json)
{
	struct nlattr *tb[NETFENCE_A_MAX + 1];
	struct genlmsghdr *g;
	uint32_t gen, rules;
	struct json j;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -1;
	g = nlmsg_data(nlh);
	if (genlmsg_parse(nlh, 0, tb, NETFENCE_A_MAX, NULL) < 0)
		return -1;
	json_init(&j, f);
	switch (g->cmd) {
	case NETFENCE_CMD_EVT_ISOLATED:
	case NETFENCE_CMD_EVT_COMMITTED: {
		const char *what = g->cmd == NETFENCE_CMD_EVT_ISOLATED ?
			"isolated" : "committed";

		if (!tb[NETFENCE_A_POLICY_GEN] || !tb[NETFENCE_A_RULE_COUNT])
			return -1;
		gen = nla_get_u32(tb[NETFENCE_A_POLICY_GEN]);
		rules = nla_get_u32(tb[NETFENCE_A_RULE_COUNT]);
		if (json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "event", what);
			json_u64(&j, "policy_generation", gen);
			json_u64(&j, "rules", rules);
			json_obj_end(&j);
		} else {
			fprintf(f, "%s policy %" PRIu32 " (%" PRIu32 " rule%s)\n",
				what, gen, rules, rules == 1 ? "" : "s");
		}
		return 1;
	}
	case NETFENCE_CMD_EVT_RELEASED: {
		const char *why = release_reason(tb[NETFENCE_A_REASON] ?
						 nla_get_u8(tb[NETFENCE_A_REASON]) : 0);

		if (json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "event", "released");
			json_str(&j, "reason", why);
			json_obj_end(&j);
		} else {
			fprintf(f, "released (reason: %s)\n", why);
		}
		return 1;
	}
	case NETFENCE_CMD_EVT_RENEWED: {
		uint64_t left;
		char dur[64];

		if (!tb[NETFENCE_A_TIMEOUT_LEFT])
			return -1;
		left = nla_get_u64(tb[NETFENCE_A_TIMEOUT_LEFT]);
		if (json) {
			json_obj_begin(&j, NULL);
			json_str(&j, "event", "renewed");
			json_u64(&j, "timeout_left_ms", left);
			json_obj_end(&j);
		} else {
			format_duration_ms(left, dur, sizeof(dur));
			fprintf(f, "renewed (deadline in %s)\n", dur);
		}
		return 1;
	}
	case NETFENCE_CMD_EVT_DROP: {
		struct nf_flow fl;

		if (parse_flow(tb[NETFENCE_A_FLOW], &fl))
			return -1;
		print_drop(f, &fl, tb[NETFENCE_A_EVENTS_SUPPRESSED] ?
			   nla_get_u32(tb[NETFENCE_A_EVENTS_SUPPRESSED]) : 0, json);
		return 1;
	}
	}
	return 0;
}

/*
 * As print_event(), with the time ts (if not NULL) and the namespace netns
 * (if not NULL) in front: "[ISO 8601] [netns NAME] " on a line, leading
 * "time" and "netns" members in JSON.
 */
int print_event_stamped(FILE *f, struct nlmsghdr *nlh, bool json,
			const struct timespec *ts, const char *netns)
{
	char stamp[64] = "", *buf = NULL, *ns = NULL;
	size_t len = 0, off, nslen = 0;
	struct tm tm;
	FILE *mem;
	int rc;

	if (ts) {
		localtime_r(&ts->tv_sec, &tm);
		off = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		off += (size_t)snprintf(stamp + off, sizeof(stamp) - off, ".%06ld",
					ts->tv_nsec / 1000);
		strftime(stamp + off, sizeof(stamp) - off, "%z", &tm);
	}
	/* The name as a JSON string (a path may hold anything). */
	if (netns && json) {
		struct json j;

		mem = open_memstream(&ns, &nslen);
		if (!mem)
			return -1;
		json_init(&j, mem);
		json_str(&j, NULL, netns);
		fclose(mem);
	}
	mem = open_memstream(&buf, &len);
	if (!mem)
		return -1;
	rc = print_event(mem, nlh, json);
	fclose(mem);
	if (rc > 0 && json && len > 1 && buf[0] == '{') {
		fputc('{', f);
		if (ts)
			fprintf(f, "\"time\":\"%s\",", stamp);
		if (ns)
			fprintf(f, "\"netns\":%s,", ns);
		fputs(buf + 1, f);
	} else if (rc > 0) {
		if (ts)
			fprintf(f, "[%s] ", stamp);
		if (netns)
			fprintf(f, "[netns %s] ", netns);
		fputs(buf, f);
	}
	free(ns);
	free(buf);
	return rc;
}
