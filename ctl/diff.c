// SPDX-License-Identifier: GPL-2.0
/* netfence: the change "netfence apply" makes, computed and rendered. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfence.h>

#include "diff.h"
#include "json.h"

static int cmp_u(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int rule_cmp(const struct nf_rule *a, const struct nf_rule *b)
{
	int c;

	if ((c = cmp_u(a->family, b->family)) || (c = cmp_u(a->prefixlen, b->prefixlen)) ||
	    (c = memcmp(a->addr, b->addr, sizeof(a->addr))) ||
	    (c = cmp_u(a->proto, b->proto)) || (c = cmp_u(a->dir, b->dir)) ||
	    (c = cmp_u(a->port_min, b->port_min)) || (c = cmp_u(a->port_max, b->port_max)) ||
	    (c = cmp_u(a->has_uid, b->has_uid)))
		return c;
	if (a->has_uid && ((c = cmp_u(a->uid_min, b->uid_min)) ||
			   (c = cmp_u(a->uid_max, b->uid_max))))
		return c;
	if (!a->cgroup || !b->cgroup)
		return cmp_u(!!a->cgroup, !!b->cgroup);
	return strcmp(a->cgroup, b->cgroup);
}

/* Sorted by rule, equal rules in their original order. */
static int cmp_ptr(const void *pa, const void *pb)
{
	const struct nf_rule *a = *(const struct nf_rule *const *)pa;
	const struct nf_rule *b = *(const struct nf_rule *const *)pb;
	int c = rule_cmp(a, b);

	return c ? c : (a < b ? -1 : a > b);
}

static const struct nf_rule **sorted(const struct nf_rule *v, size_t n)
{
	const struct nf_rule **p = calloc(n ? n : 1, sizeof(*p));

	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = &v[i];
	qsort(p, n, sizeof(*p), cmp_ptr);
	return p;
}

/*
 * mark[i] for rule i of a: 1 when no rule of b equals it and it is the
 * first of its equals in a, else 0.
 */
static void mark_missing(const struct nf_rule *a, const struct nf_rule **sa,
			 size_t na, const struct nf_rule **sb, size_t nb,
			 bool *mark)
{
	size_t i = 0, j = 0;

	while (i < na) {
		int c = j < nb ? rule_cmp(sa[i], sb[j]) : -1;

		if (c > 0) {
			j++;
			continue;
		}
		mark[sa[i] - a] = c < 0;
		/* Later equals of sa[i] are never marked. */
		for (i++; i < na && !rule_cmp(sa[i], sa[i - 1]); i++)
			mark[sa[i] - a] = false;
	}
}

static void opt_line(char *buf, uint32_t flags, uint32_t bit)
{
	snprintf(buf, DIFF_OPTION_LEN, "option %s %s", policy_flag_name(bit),
		 flags & bit ? "on" : "off");
}

static bool has_type(const uint16_t *v, size_t n, uint16_t t)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == t)
			return true;
	return false;
}

static void diff_options(const struct policy_state *cur,
			 const struct policy_spec *want, struct policy_diff *d)
{
	uint32_t rate = want->has_event_rate ? want->event_rate :
		NETFENCE_EVENT_RATE_DEFAULT;

	d->flags = policy_spec_flags(want, NETFENCE_POLICY_F_DEFAULT);
	d->event_rate = rate;
	for (unsigned int b = 0; b < 32; b++) {
		uint32_t bit = 1U << b;

		if (!policy_flag_name(bit) || !((cur->flags ^ d->flags) & bit))
			continue;
		opt_line(d->opt_removed[d->n_opt_removed++], cur->flags, bit);
		opt_line(d->opt_added[d->n_opt_added++], d->flags, bit);
	}
	if (cur->event_rate != rate) {
		snprintf(d->opt_removed[d->n_opt_removed++], DIFF_OPTION_LEN,
			 "option event-rate %" PRIu32, cur->event_rate);
		snprintf(d->opt_added[d->n_opt_added++], DIFF_OPTION_LEN,
			 "option event-rate %" PRIu32, rate);
	}
	for (size_t i = 0; i < cur->n_ethertypes && i < NETFENCE_ETHERTYPES_MAX; i++)
		if (!has_type(want->ethertypes, want->n_ethertypes, cur->ethertypes[i]))
			snprintf(d->opt_removed[d->n_opt_removed++], DIFF_OPTION_LEN,
				 "option ethertype 0x%04x", cur->ethertypes[i]);
	for (size_t i = 0; i < want->n_ethertypes; i++)
		if (!has_type(cur->ethertypes, cur->n_ethertypes, want->ethertypes[i]))
			snprintf(d->opt_added[d->n_opt_added++], DIFF_OPTION_LEN,
				 "option ethertype 0x%04x", want->ethertypes[i]);
}

int policy_diff_compute(const struct policy_state *cur,
			const struct policy_spec *want, struct policy_diff *d,
			char *err, size_t errlen)
{
	const struct nf_rule **sc, **sw;
	const struct nf_rule *wv = want->rules.v;
	size_t nw = want->rules.n;
	bool *mc, *mw;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	sc = sorted(cur->rules, cur->nrules);
	sw = sorted(wv, nw);
	mc = calloc(cur->nrules + 1, sizeof(*mc));
	mw = calloc(nw + 1, sizeof(*mw));
	d->removed = calloc(cur->nrules + 1, sizeof(*d->removed));
	d->added = calloc(nw + 1, sizeof(*d->added));
	if (!sc || !sw || !mc || !mw || !d->removed || !d->added) {
		snprintf(err, errlen, "out of memory");
		policy_diff_free(d);
		goto out;
	}
	mark_missing(cur->rules, sc, cur->nrules, sw, nw, mc);
	mark_missing(wv, sw, nw, sc, cur->nrules, mw);
	for (size_t i = 0; i < cur->nrules; i++)
		if (mc[i])
			d->removed[d->n_removed++] = &cur->rules[i];
	for (size_t i = 0; i < nw; i++)
		if (mw[i])
			d->added[d->n_added++] = &wv[i];

	diff_options(cur, want, d);
	d->policy_changed = d->n_added || d->n_removed || d->n_opt_added ||
			    d->n_opt_removed;

	d->isolate_from = cur->isolated;
	d->isolate_to = want->has_isolate ? want->isolate : cur->isolated;
	d->timeout_op = DIFF_TIMEOUT_KEEP;
	if (d->isolate_to && want->has_timeout) {
		bool deadline = cur->isolated && cur->has_deadline;

		if (!want->timeout && deadline)
			d->timeout_op = DIFF_TIMEOUT_CLEAR;
		else if (want->timeout && !deadline)
			d->timeout_op = DIFF_TIMEOUT_SET;
		d->timeout = want->timeout;
	}
	d->key_set = d->isolate_to && want->has_key_digest &&
		     !(cur->isolated && cur->key_set);
	d->changed = d->policy_changed || d->isolate_from != d->isolate_to ||
		     d->timeout_op != DIFF_TIMEOUT_KEEP || d->key_set;
	rc = 0;
out:
	free(sc);
	free(sw);
	free(mc);
	free(mw);
	return rc;
}

void policy_diff_free(struct policy_diff *d)
{
	free(d->added);
	free(d->removed);
	d->added = d->removed = NULL;
	d->n_added = d->n_removed = 0;
}

static uint64_t left_secs(const struct policy_state *cur)
{
	uint64_t s = (cur->timeout_left_ms + 999) / 1000;

	return s ? s : 1;
}

void policy_diff_print(FILE *f, const struct policy_state *cur,
		       const struct policy_diff *d)
{
	char text[NF_RULE_TEXT_LEN];

	if (d->isolate_from != d->isolate_to)
		fprintf(f, "- isolate %s\n+ isolate %s\n",
			d->isolate_from ? "yes" : "no", d->isolate_to ? "yes" : "no");
	if (d->timeout_op == DIFF_TIMEOUT_CLEAR)
		fprintf(f, "- timeout %" PRIu64 "s\n", left_secs(cur));
	else if (d->timeout_op == DIFF_TIMEOUT_SET)
		fprintf(f, "+ timeout %" PRIu32 "s\n", d->timeout);
	if (d->key_set)
		fprintf(f, "+ key (release key set)\n");
	for (size_t i = 0; i < d->n_opt_removed; i++)
		fprintf(f, "- %s\n", d->opt_removed[i]);
	for (size_t i = 0; i < d->n_opt_added; i++)
		fprintf(f, "+ %s\n", d->opt_added[i]);
	for (size_t i = 0; i < d->n_removed; i++) {
		rule_format(d->removed[i], text, sizeof(text));
		fprintf(f, "- %s\n", text);
	}
	for (size_t i = 0; i < d->n_added; i++) {
		rule_format(d->added[i], text, sizeof(text));
		fprintf(f, "+ %s\n", text);
	}
}

static void json_rules(struct json *j, const char *key,
		       const struct nf_rule **v, size_t n)
{
	char text[NF_RULE_TEXT_LEN];

	json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++) {
		rule_format(v[i], text, sizeof(text));
		json_str(j, NULL, text);
	}
	json_arr_end(j);
}

static void json_lines(struct json *j, const char *key,
		       const char (*v)[DIFF_OPTION_LEN], size_t n)
{
	json_arr_begin(j, key);
	for (size_t i = 0; i < n; i++)
		json_str(j, NULL, v[i]);
	json_arr_end(j);
}

void policy_diff_json(FILE *f, const struct policy_state *cur,
		      const struct policy_diff *d, bool check)
{
	bool from_deadline = cur->isolated && cur->has_deadline;
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_bool(&j, "changed", d->changed);
	if (check)
		json_bool(&j, "check", true);
	json_obj_begin(&j, "isolated");
	json_bool(&j, "from", d->isolate_from);
	json_bool(&j, "to", d->isolate_to);
	json_obj_end(&j);
	json_bool(&j, "key_set", d->key_set);
	json_rules(&j, "added", d->added, d->n_added);
	json_rules(&j, "removed", d->removed, d->n_removed);
	json_obj_begin(&j, "options");
	json_lines(&j, "added", (const char (*)[DIFF_OPTION_LEN])d->opt_added, d->n_opt_added);
	json_lines(&j, "removed", (const char (*)[DIFF_OPTION_LEN])d->opt_removed, d->n_opt_removed);
	json_obj_end(&j);
	/* Seconds: the time left before, the duration armed after. */
	json_obj_begin(&j, "timeout");
	if (from_deadline)
		json_u64(&j, "from", left_secs(cur));
	else
		json_null(&j, "from");
	if (d->timeout_op == DIFF_TIMEOUT_SET)
		json_u64(&j, "to", d->timeout);
	else if (d->timeout_op == DIFF_TIMEOUT_KEEP && from_deadline && d->isolate_to)
		json_u64(&j, "to", left_secs(cur));
	else
		json_null(&j, "to");
	json_obj_end(&j);
	json_obj_end(&j);
}

static void add_part(char *buf, size_t len, size_t *off, const char *s)
{
	if (*off < len)
		*off += (size_t)snprintf(buf + *off, len - *off, "%s%s",
					 *off ? ", " : "", s);
}

void policy_diff_summary(char *buf, size_t len, const struct policy_diff *d)
{
	char part[64];
	size_t off = 0;

	buf[0] = '\0';
	if (!d->changed) {
		snprintf(buf, len, "no change");
		return;
	}
	if (d->isolate_from != d->isolate_to)
		add_part(buf, len, &off, d->isolate_to ? "isolate" : "release");
	if (d->timeout_op == DIFF_TIMEOUT_SET) {
		snprintf(part, sizeof(part), "deadline in %" PRIu32 "s", d->timeout);
		add_part(buf, len, &off, part);
	} else if (d->timeout_op == DIFF_TIMEOUT_CLEAR) {
		add_part(buf, len, &off, "no deadline");
	}
	if (d->key_set)
		add_part(buf, len, &off, "release key set");
	if (d->n_opt_added || d->n_opt_removed) {
		snprintf(part, sizeof(part), "%zu option line%s changed",
			 d->n_opt_added > d->n_opt_removed ? d->n_opt_added : d->n_opt_removed,
			 (d->n_opt_added > d->n_opt_removed ? d->n_opt_added : d->n_opt_removed) == 1 ? "" : "s");
		add_part(buf, len, &off, part);
	}
	if (d->n_added) {
		snprintf(part, sizeof(part), "%zu rule%s added", d->n_added,
			 d->n_added == 1 ? "" : "s");
		add_part(buf, len, &off, part);
	}
	if (d->n_removed) {
		snprintf(part, sizeof(part), "%zu rule%s removed", d->n_removed,
			 d->n_removed == 1 ? "" : "s");
		add_part(buf, len, &off, part);
	}
}
