// SPDX-License-Identifier: GPL-2.0
/* netfence: human and JSON rendering of status, counters and rules. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

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
};

static const uint32_t flag_bits[] = {
	NETFENCE_POLICY_F_ND, NETFENCE_POLICY_F_DHCP4, NETFENCE_POLICY_F_DHCP6,
	NETFENCE_POLICY_F_ICMP_ERR, NETFENCE_POLICY_F_AUDIT,
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
		json_obj_end(&j);
		json_obj_begin(&j, "features");
		for (size_t i = 0; i < ARRAY_SIZE(features); i++)
			json_bool(&j, features[i].name,
				  st->features & features[i].bit);
		json_obj_end(&j);
		json_u64(&j, "isolated_namespaces", st->isolated_netns);
		json_u64(&j, "hooks_registered", st->hooks_registered);
		json_u64(&j, "policy_memory", st->policy_mem);
		json_counters(&j, st);
		json_obj_end(&j);
		return;
	}

	fprintf(f, "netfence: %s (policy %" PRIu32 ", %" PRIu32 " rule%s)%s\n",
		st->isolated ? "isolated" : "released", st->policy_gen,
		st->rule_count, st->rule_count == 1 ? "" : "s",
		st->isolated && (st->flags & NETFENCE_POLICY_F_AUDIT) ?
		" in audit mode: counting, not dropping" : "");
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
