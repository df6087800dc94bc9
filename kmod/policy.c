// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the builder a transaction fills, and the immutable policy built
 * from it at commit.
 *
 * Everything here is allocated on behalf of a request: GFP_KERNEL_ACCOUNT,
 * charged to the sender's memory cgroup (policy.h). Building, loading and
 * resetting run in process context and may take a million rules: the long
 * loops reschedule (cond_resched()) so that one large commit never stalls
 * a CPU. Frees stay loop-light, they also run from RCU callbacks.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "policy_priv.h"

/* The KUnit module lowers this to test the limit cheaply. */
#ifndef NETFENCE_BUILDER_MAX_RULES
#define NETFENCE_BUILDER_MAX_RULES	NETFENCE_MAX_RULES
#endif

/*
 * The builder keeps its rules in insertion order in a growing array, with
 * an open-addressing hash table (linear probing, indices + 1) over them so
 * that duplicates are refused and deletions found in O(1).
 */
struct netfence_builder {
	struct netfence_rule *rules;
	u32 n;
	u32 cap;
	u32 *slots;
	u32 mask;		/* slots has mask + 1 entries (a power of two) */
	u32 max;		/* its own limit, see builder_max() */
};

/* Rules the builder accepts: its own limit, never more than the module's. */
static u32 builder_max(const struct netfence_builder *b)
{
	return min_t(u32, b->max, NETFENCE_BUILDER_MAX_RULES);
}

/*
 * Zeroes the address bytes the family does not use and the identity fields
 * the rule does not use, so that memcmp of the key bytes (and strcmp of
 * the paths) equals cmp. The cgroup path is borrowed, not copied (the
 * builder owns its own copy).
 */
static void rule_normalize(struct netfence_rule *dst,
			   const struct netfence_rule *src)
{
	*dst = *src;
	if (dst->family == AF_INET)
		memset((u8 *)&dst->addr + 4, 0, sizeof(dst->addr) - 4);
	memset(dst->id_pad, 0, sizeof(dst->id_pad));
	if (!(dst->id_flags & NETFENCE_RULE_ID_UID)) {
		dst->uid_min = 0;
		dst->uid_max = 0;
	}
	if (!(dst->id_flags & NETFENCE_RULE_ID_CGROUP)) {
		dst->anchor_id = 0;
		dst->anchor_level = 0;
		dst->cgroup_path = NULL;
	}
}

static u32 rule_hash(const struct netfence_rule *r)
{
	u32 h;

	BUILD_BUG_ON(NETFENCE_RULE_KEY_LEN % sizeof(u32));
	h = jhash2((const u32 *)r, NETFENCE_RULE_KEY_LEN / sizeof(u32), 0);
	if (r->cgroup_path)
		h = jhash(r->cgroup_path, strlen(r->cgroup_path), h);
	return h;
}

/* Normalized rules: equal key bytes and equal paths. */
static bool rule_equal(const struct netfence_rule *a, const struct netfence_rule *b)
{
	if (memcmp(a, b, NETFENCE_RULE_KEY_LEN))
		return false;
	if (!a->cgroup_path || !b->cgroup_path)
		return a->cgroup_path == b->cgroup_path;
	return !strcmp(a->cgroup_path, b->cgroup_path);
}

/* Slot of rule r (normalized), or of the empty slot where it would go. */
static u32 builder_find(const struct netfence_builder *b,
			const struct netfence_rule *r, bool *found)
{
	u32 h = rule_hash(r) & b->mask;

	while (b->slots[h]) {
		if (rule_equal(&b->rules[b->slots[h] - 1], r)) {
			*found = true;
			return h;
		}
		h = (h + 1) & b->mask;
	}
	*found = false;
	return h;
}

static int builder_rehash(struct netfence_builder *b, u32 nslots)
{
	u32 *slots, i, h;

	slots = kvcalloc(nslots, sizeof(*slots), GFP_KERNEL_ACCOUNT);
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < b->n; i++) {
		cond_resched();
		h = rule_hash(&b->rules[i]) & (nslots - 1);
		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = i + 1;
	}
	kvfree(b->slots);
	b->slots = slots;
	b->mask = nslots - 1;
	return 0;
}

struct netfence_builder *netfence_builder_alloc(void)
{
	struct netfence_builder *b;

	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	b->max = U32_MAX;
	if (builder_rehash(b, 64)) {
		kfree(b);
		return NULL;
	}
	return b;
}

static void builder_free_paths(struct netfence_rule *rules, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		kfree(rules[i].cgroup_path);
}

void netfence_builder_set_limit(struct netfence_builder *b, u32 max)
{
	b->max = max;
}

void netfence_builder_free(struct netfence_builder *b)
{
	if (!b)
		return;
	builder_free_paths(b->rules, b->n);
	kvfree(b->rules);
	kvfree(b->slots);
	kfree(b);
}

/* Makes room for one more rule (array and table), keeping the contents. */
static int builder_reserve(struct netfence_builder *b)
{
	int err;

	if (b->n == b->cap) {
		u32 cap = b->cap ? b->cap * 2 : 64;
		struct netfence_rule *rules;

		cap = min_t(u32, cap, builder_max(b));
		rules = kvmalloc_array(cap, sizeof(*rules), GFP_KERNEL_ACCOUNT);
		if (!rules)
			return -ENOMEM;
		if (b->n)
			memcpy(rules, b->rules, b->n * sizeof(*rules));
		kvfree(b->rules);
		b->rules = rules;
		b->cap = cap;
	}
	/* Load factor at most 1/2 keeps probe sequences short. */
	if ((b->n + 1) * 2 > b->mask + 1) {
		err = builder_rehash(b, (b->mask + 1) * 2);
		if (err)
			return err;
	}
	return 0;
}

int netfence_builder_add(struct netfence_builder *b,
			 const struct netfence_rule *r,
			 struct netlink_ext_ack *extack)
{
	struct netfence_rule nr;
	bool found;
	u32 h;
	int err;

	err = netfence_rule_validate(r, extack);
	if (err)
		return err;
	rule_normalize(&nr, r);
	builder_find(b, &nr, &found);
	if (found)
		return 0;
	if (b->n >= builder_max(b)) {
		NL_SET_ERR_MSG(extack, "too many rules in one policy");
		return -E2BIG;
	}
	err = builder_reserve(b);
	if (err)
		return err;
	if (r->id_flags & NETFENCE_RULE_ID_CGROUP) {
		nr.cgroup_path = kstrdup(r->cgroup_path, GFP_KERNEL_ACCOUNT);
		if (!nr.cgroup_path)
			return -ENOMEM;
	}
	h = builder_find(b, &nr, &found);
	b->rules[b->n++] = nr;
	b->slots[h] = b->n;
	return 0;
}

/* Empties slot h, shifting later entries of its probe run back. */
static void builder_slot_clear(struct netfence_builder *b, u32 h)
{
	u32 i = h, j = h, k;

	for (;;) {
		j = (j + 1) & b->mask;
		if (!b->slots[j])
			break;
		k = rule_hash(&b->rules[b->slots[j] - 1]) & b->mask;
		/* Entry j may move to i only if its home k is not in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		b->slots[i] = b->slots[j];
		i = j;
	}
	b->slots[i] = 0;
}

bool netfence_builder_has(const struct netfence_builder *b,
			  const struct netfence_rule *r)
{
	struct netfence_rule nr;
	bool found;

	rule_normalize(&nr, r);
	builder_find(b, &nr, &found);
	return found;
}

int netfence_builder_del(struct netfence_builder *b,
			 const struct netfence_rule *r,
			 struct netlink_ext_ack *extack)
{
	struct netfence_rule nr;
	u32 h, idx, last;
	bool found;

	rule_normalize(&nr, r);
	h = builder_find(b, &nr, &found);
	if (!found) {
		NL_SET_ERR_MSG(extack, "no such rule");
		return -ENOENT;
	}
	idx = b->slots[h] - 1;
	builder_slot_clear(b, h);
	kfree(b->rules[idx].cgroup_path);
	last = b->n - 1;
	if (idx != last) {
		/* Move the last rule into the hole and repoint its slot. */
		h = builder_find(b, &b->rules[last], &found);
		b->rules[idx] = b->rules[last];
		b->slots[h] = idx + 1;
	}
	b->n--;
	return 0;
}

u32 netfence_builder_count(const struct netfence_builder *b)
{
	return b->n;
}

int netfence_builder_load(struct netfence_builder *b,
			  const struct netfence_policy *pol)
{
	struct netfence_builder nb = { .max = b->max };
	struct netfence_rule r;
	bool found;
	u32 i, h, cap = max_t(u32, pol->count, 64);
	int err;

	if (pol->count > builder_max(b))
		return -E2BIG;

	nb.rules = kvmalloc_array(cap, sizeof(*nb.rules), GFP_KERNEL_ACCOUNT);
	if (!nb.rules)
		return -ENOMEM;
	nb.cap = cap;
	err = builder_rehash(&nb, roundup_pow_of_two(cap * 2));
	if (err) {
		kvfree(nb.rules);
		return err;
	}
	for (i = 0; i < pol->count; i++) {
		cond_resched();
		netfence_policy_rule(pol, i, &r);
		h = builder_find(&nb, &r, &found);
		if (found)
			continue;
		if (r.cgroup_path) {
			r.cgroup_path = kstrdup(r.cgroup_path, GFP_KERNEL_ACCOUNT);
			if (!r.cgroup_path) {
				builder_free_paths(nb.rules, nb.n);
				kvfree(nb.rules);
				kvfree(nb.slots);
				return -ENOMEM;
			}
		}
		nb.rules[nb.n++] = r;
		nb.slots[h] = nb.n;
	}
	builder_free_paths(b->rules, b->n);
	kvfree(b->rules);
	kvfree(b->slots);
	*b = nb;
	return 0;
}

/*
 * Sorting: each rule maps to a 24-byte key whose numeric order is the
 * netfence_rule_cmp order (family, 16 address bytes, prefix length,
 * protocol, ports, direction), so the sort compares three u64 inline and
 * the keys decode back to the rules. Unused address bytes are zero: the
 * builder normalizes them and AF_UNSPEC rules have no address.
 */
struct rule_key {
	u64 w[3];
};

static void rule_to_key(const struct netfence_rule *r, struct rule_key *k)
{
	const u8 *a = (const u8 *)&r->addr;
	unsigned int i;

	k->w[0] = r->family;
	for (i = 0; i < 7; i++)
		k->w[0] = k->w[0] << 8 | a[i];
	k->w[1] = 0;
	for (i = 7; i < 15; i++)
		k->w[1] = k->w[1] << 8 | a[i];
	k->w[2] = (u64)a[15] << 56 | (u64)r->prefixlen << 48 | (u64)r->proto << 40 |
		  (u64)r->port_min << 24 | (u64)r->port_max << 8 | r->dir;
}

static void key_to_rule(const struct rule_key *k, struct netfence_rule *r)
{
	u8 *a = (u8 *)&r->addr;
	int i;

	for (i = 6; i >= 0; i--)
		a[i] = k->w[0] >> (8 * (6 - i));
	r->family = k->w[0] >> 56;
	for (i = 14; i >= 7; i--)
		a[i] = k->w[1] >> (8 * (14 - i));
	a[15] = k->w[2] >> 56;
	r->prefixlen = k->w[2] >> 48;
	r->proto = k->w[2] >> 40;
	r->port_min = k->w[2] >> 24;
	r->port_max = k->w[2] >> 8;
	r->dir = k->w[2];
}

static inline bool key_less(const struct rule_key *a, const struct rule_key *b)
{
	if (a->w[0] != b->w[0])
		return a->w[0] < b->w[0];
	if (a->w[1] != b->w[1])
		return a->w[1] < b->w[1];
	return a->w[2] < b->w[2];
}

static inline bool key_equal(const struct rule_key *a, const struct rule_key *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2];
}

#define KEY_RUN	16

/*
 * Bottom-up merge sort (insertion-sorted runs first): O(n log n) in all
 * cases, no recursion. Returns the buffer that holds the result.
 */
static struct rule_key *key_sort(struct rule_key *a, struct rule_key *tmp, u32 n)
{
	u32 lo, width, i, j;

	for (lo = 0; lo < n; lo += KEY_RUN) {
		u32 hi = min(lo + KEY_RUN, n);

		cond_resched();
		for (i = lo + 1; i < hi; i++) {
			struct rule_key k = a[i];

			for (j = i; j > lo && key_less(&k, &a[j - 1]); j--)
				a[j] = a[j - 1];
			a[j] = k;
		}
	}
	for (width = KEY_RUN; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			u32 mid = min(lo + width, n), hi = min(lo + 2 * width, n);
			u32 k = lo;

			cond_resched();
			i = lo;
			j = mid;
			while (i < mid && j < hi)
				tmp[k++] = key_less(&a[j], &a[i]) ? a[j++] : a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		swap(a, tmp);
	}
	return a;
}

static int rule_cmp_sort(const void *a, const void *b)
{
	return netfence_rule_cmp(a, b);
}

/*
 * The builder's rules, sorted and unique, into rules[] and their number:
 * address rules through the key sort, then the identity rules (few: the
 * generic sort on netfence_rule_cmp). rules[] borrows the builder's paths.
 */
static int sort_rules(const struct netfence_builder *b, struct netfence_rule *rules,
		      u32 *count)
{
	struct rule_key *keys, *tmp, *sorted;
	u32 i, nk = 0, nid = 0, n = 0;

	keys = kvmalloc_array(b->n, sizeof(*keys), GFP_KERNEL_ACCOUNT);
	tmp = kvmalloc_array(b->n, sizeof(*tmp), GFP_KERNEL_ACCOUNT);
	if (!keys || !tmp) {
		kvfree(keys);
		kvfree(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < b->n; i++) {
		cond_resched();
		if (netfence_rule_has_identity(&b->rules[i]))
			nid++;
		else
			rule_to_key(&b->rules[i], &keys[nk++]);
	}
	sorted = key_sort(keys, tmp, nk);
	/* The builder refuses duplicates; stay safe regardless. */
	for (i = 0; i < nk; i++) {
		cond_resched();
		if (n && key_equal(&sorted[i], &sorted[i - 1]))
			continue;
		memset(&rules[n], 0, sizeof(rules[n]));
		key_to_rule(&sorted[i], &rules[n++]);
	}
	kvfree(keys);
	kvfree(tmp);

	if (nid) {
		struct netfence_rule *id = &rules[n];
		u32 m = 0;

		for (i = 0; i < b->n; i++)
			if (netfence_rule_has_identity(&b->rules[i]))
				id[m++] = b->rules[i];
		sort(id, nid, sizeof(*id), rule_cmp_sort, NULL);
		for (i = 0, m = 0; i < nid; i++) {
			if (m && !netfence_rule_cmp(&id[i], &id[m - 1]))
				continue;
			id[m++] = id[i];
		}
		n += m;
	}
	*count = n;
	return 0;
}

static void policy_free_parts(struct netfence_policy *pol)
{
	unsigned int cpu;

	if (pol->hits) {
		for_each_possible_cpu(cpu)
			kvfree(pol->hits[cpu]);
		kfree(pol->hits);
	}
	netfence_trie_free(&pol->trie4);
	netfence_trie_free(&pol->trie6);
	kvfree(pol->id_rules);
	netfence_cgset_free(&pol->cg);
	kvfree(pol->fields);
	kvfree(pol->addr4);
	kvfree(pol->addr6);
}

static int policy_alloc_hits(struct netfence_policy *pol)
{
	unsigned int cpu;

	pol->hits = kcalloc(nr_cpu_ids, sizeof(*pol->hits), GFP_KERNEL_ACCOUNT);
	if (!pol->hits)
		return -ENOMEM;
	pol->mem += nr_cpu_ids * sizeof(*pol->hits);
	if (!pol->count)
		return 0;
	for_each_possible_cpu(cpu) {
		pol->hits[cpu] = kvcalloc(pol->count, sizeof(local64_t), GFP_KERNEL_ACCOUNT);
		if (!pol->hits[cpu])
			return -ENOMEM;
		pol->mem += (size_t)pol->count * sizeof(local64_t);
	}
	return 0;
}

/* Splits the sorted rules into the per-family arrays and builds the tries. */
static int policy_fill(struct netfence_policy *pol,
		       const struct netfence_rule *rules,
		       struct netlink_ext_ack *extack)
{
	u8 *lens;
	u32 i;
	int err;

	for (i = 0; i < pol->count; i++) {
		const struct netfence_rule *r = &rules[i];
		struct netfence_rule_fields *f = &pol->fields[i];

		cond_resched();
		f->port_min = r->port_min;
		f->port_max = r->port_max;
		f->proto = r->proto;
		f->dir = r->dir;
		f->prefixlen = r->prefixlen;
		f->has_ports = netfence_rule_has_ports(r);
		if (i >= pol->base_id)
			continue;
		if (r->family == AF_INET)
			pol->addr4[i - pol->base4] = r->addr.ip;
		else if (r->family == AF_INET6)
			pol->addr6[i - pol->base6] = r->addr.in6;
	}
	for (i = 0; i < pol->n_id; i++) {
		const struct netfence_rule *r = &rules[pol->base_id + i];
		struct netfence_id_rule *ir = &pol->id_rules[i];

		cond_resched();
		ir->addr = r->addr;
		ir->family = r->family;
		ir->id_flags = r->id_flags;
		ir->uid_min = r->uid_min;
		ir->uid_max = r->uid_max;
		if (r->id_flags & NETFENCE_RULE_ID_CGROUP) {
			err = netfence_cgset_slot(&pol->cg, r->cgroup_path, r->anchor_id,
						  r->anchor_level, extack);
			if (err < 0)
				return err;
			ir->cg_slot = err;
		}
	}
	err = netfence_cgset_seal(&pol->cg);
	if (err)
		return err;
	pol->mem += netfence_cgset_mem(&pol->cg);

	lens = kvmalloc(max(pol->n4, pol->n6) + 1, GFP_KERNEL_ACCOUNT);
	if (!lens)
		return -ENOMEM;
	for (i = 0; i < pol->n4; i++)
		lens[i] = pol->fields[pol->base4 + i].prefixlen;
	err = netfence_trie_build(&pol->trie4, (const u8 *)pol->addr4, lens,
				  pol->n4, 4);
	if (!err) {
		for (i = 0; i < pol->n6; i++)
			lens[i] = pol->fields[pol->base6 + i].prefixlen;
		err = netfence_trie_build(&pol->trie6, (const u8 *)pol->addr6,
					  lens, pol->n6, 16);
	}
	kvfree(lens);
	return err;
}

struct netfence_policy *netfence_policy_build(const struct netfence_builder *b,
					      u32 flags,
					      struct netlink_ext_ack *extack)
{
	struct netfence_policy *pol;
	struct netfence_rule *rules = NULL;
	u32 i, n = 0;
	int err = -ENOMEM;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		goto err;
	pol->flags = flags;
	pol->mem = sizeof(*pol);

	if (b->n) {
		rules = kvmalloc_array(b->n, sizeof(*rules), GFP_KERNEL_ACCOUNT);
		if (!rules)
			goto err;
		err = sort_rules(b, rules, &n);
		if (err)
			goto err;
		err = -ENOMEM;
	}
	pol->count = n;
	for (i = 0; i < n; i++) {
		if (netfence_rule_has_identity(&rules[i]))
			pol->n_id++;
		else if (rules[i].family == AF_UNSPEC)
			pol->n_unspec++;
		else if (rules[i].family == AF_INET)
			pol->n4++;
		else
			pol->n6++;
	}
	pol->base4 = pol->n_unspec;
	pol->base6 = pol->base4 + pol->n4;
	pol->base_id = pol->base6 + pol->n6;

	if (n) {
		pol->fields = kvmalloc_array(n, sizeof(*pol->fields), GFP_KERNEL_ACCOUNT);
		if (!pol->fields)
			goto err;
		pol->mem += (size_t)n * sizeof(*pol->fields);
	}
	if (pol->n4) {
		pol->addr4 = kvmalloc_array(pol->n4, sizeof(*pol->addr4), GFP_KERNEL_ACCOUNT);
		if (!pol->addr4)
			goto err;
		pol->mem += (size_t)pol->n4 * sizeof(*pol->addr4);
	}
	if (pol->n6) {
		pol->addr6 = kvmalloc_array(pol->n6, sizeof(*pol->addr6), GFP_KERNEL_ACCOUNT);
		if (!pol->addr6)
			goto err;
		pol->mem += (size_t)pol->n6 * sizeof(*pol->addr6);
	}
	if (pol->n_id) {
		pol->id_rules = kvcalloc(pol->n_id, sizeof(*pol->id_rules), GFP_KERNEL_ACCOUNT);
		if (!pol->id_rules)
			goto err;
		pol->mem += (size_t)pol->n_id * sizeof(*pol->id_rules);
	}
	err = policy_fill(pol, rules, extack);
	if (err)
		goto err;
	pol->mem += netfence_trie_mem(&pol->trie4) + netfence_trie_mem(&pol->trie6);
	err = policy_alloc_hits(pol);
	if (err)
		goto err;
	kvfree(rules);
	return pol;

err:
	kvfree(rules);
	if (pol) {
		policy_free_parts(pol);
		kfree(pol);
	}
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory building the policy");
	return ERR_PTR(err);
}

void netfence_policy_free(struct netfence_policy *pol)
{
	if (!pol)
		return;
	policy_free_parts(pol);
	kfree(pol);
}

u32 netfence_policy_flags(const struct netfence_policy *pol)
{
	return pol->flags;
}

u32 netfence_policy_count(const struct netfence_policy *pol)
{
	return pol->count;
}

bool netfence_policy_has_identity(const struct netfence_policy *pol)
{
	return pol->n_id != 0;
}

void netfence_policy_rule(const struct netfence_policy *pol, u32 idx,
			  struct netfence_rule *out)
{
	const struct netfence_rule_fields *f = &pol->fields[idx];

	memset(out, 0, sizeof(*out));
	if (idx >= pol->base_id) {
		const struct netfence_id_rule *ir = &pol->id_rules[idx - pol->base_id];

		out->family = ir->family;
		out->addr = ir->addr;
		out->id_flags = ir->id_flags;
		out->uid_min = ir->uid_min;
		out->uid_max = ir->uid_max;
		if (ir->id_flags & NETFENCE_RULE_ID_CGROUP) {
			const struct netfence_cgpath *cp = &pol->cg.paths[ir->cg_slot];

			out->anchor_id = cp->anchor_id;
			out->anchor_level = cp->anchor_level;
			out->cgroup_path = cp->path;
		}
	} else if (idx >= pol->base6) {
		out->family = AF_INET6;
		out->addr.in6 = pol->addr6[idx - pol->base6];
	} else if (idx >= pol->base4) {
		out->family = AF_INET;
		out->addr.ip = pol->addr4[idx - pol->base4];
	} else {
		out->family = AF_UNSPEC;
	}
	out->prefixlen = f->prefixlen;
	out->proto = f->proto;
	out->dir = f->dir;
	out->port_min = f->port_min;
	out->port_max = f->port_max;
}

void netfence_policy_hit(const struct netfence_policy *pol, u32 idx)
{
	/*
	 * local64_inc() is safe against interrupts on this CPU; preemption
	 * is off so that the CPU cannot change under it.
	 */
	preempt_disable();
	local64_inc(&pol->hits[smp_processor_id()][idx]);
	preempt_enable();
}

u64 netfence_policy_hits(const struct netfence_policy *pol, u32 idx)
{
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += local64_read(&pol->hits[cpu][idx]);
	return sum;
}

void netfence_policy_reset_hits(const struct netfence_policy *pol)
{
	unsigned int cpu;
	u32 i;

	for_each_possible_cpu(cpu) {
		for (i = 0; i < pol->count; i++)
			local64_set(&pol->hits[cpu][i], 0);
		cond_resched();
	}
}

size_t netfence_policy_mem(const struct netfence_policy *pol)
{
	return pol->mem;
}

void netfence_policy_set_ethertypes(struct netfence_policy *pol, const __be16 *types,
				    u32 n)
{
	pol->n_ethertypes = min_t(u32, n, NETFENCE_ETHERTYPES_MAX);
	memcpy(pol->ethertypes, types, pol->n_ethertypes * sizeof(*types));
}

u32 netfence_policy_ethertypes(const struct netfence_policy *pol, const __be16 **types)
{
	*types = pol->ethertypes;
	return pol->n_ethertypes;
}

bool netfence_policy_ethertype_allowed(const struct netfence_policy *pol, __be16 type)
{
	u32 i;

	for (i = 0; i < pol->n_ethertypes; i++)
		if (pol->ethertypes[i] == type)
			return true;
	return false;
}
