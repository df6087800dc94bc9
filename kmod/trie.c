// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: immutable path-compressed binary prefix trie in flat arrays.
 * See trie.h for the layout.
 */
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "trie.h"

#define NODE_BIT_MASK	0xffU
#define NODE_GROUP_SHIFT	8

static inline unsigned int key_bit(const u8 *k, unsigned int b)
{
	return (k[b >> 3] >> (7 - (b & 7))) & 1;
}

/* Number of leading bits that a and b share (alen * 8 when equal). */
static unsigned int common_bits(const u8 *a, const u8 *b, unsigned int alen)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		u8 x = a[i] ^ b[i];

		if (x)
			return i * 8 + 7 - __fls(x);
	}
	return alen * 8;
}

/* True when the first len bits of a and b are equal. */
static inline bool prefix_equal(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int n = len >> 3, r = len & 7;

	if (memcmp(a, b, n))
		return false;
	return !r || !((a[n] ^ b[n]) & (0xff00 >> r));
}

static inline const u8 *group_key(const struct netfence_trie *t, u32 g)
{
	return t->keys + (size_t)t->groups[g].start * t->alen;
}

/* A pending subtrie: groups [lo, hi), to hang under node pnode. */
struct build_item {
	u32 lo, hi;
	u32 parent;		/* group of the nearest prefix above */
	u32 pnode;
	u32 side;
};

/* First group in [lo, hi) whose key has bit b set (hi if none). */
static u32 split(const struct netfence_trie *t, u32 lo, u32 hi, unsigned int b)
{
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (key_bit(group_key(t, mid), b))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Creates the nodes over all groups, in pre-order, with an explicit stack
 * (its depth is bounded by the address bits plus one). Returns the number
 * of node slots used (including the unused slot 0) or 0 on allocation
 * failure.
 */
static u32 build_nodes(struct netfence_trie *t, const u8 *lens)
{
	unsigned int width = t->alen * 8;
	struct build_item *stack;
	u32 sp = 0, next = 1;

	stack = kmalloc_array(width + 2, sizeof(*stack), GFP_KERNEL_ACCOUNT);
	if (!stack)
		return 0;
	stack[sp++] = (struct build_item){ 1, t->ngroups + 1, 0, 0, 0 };
	while (sp) {
		struct build_item it = stack[--sp];
		unsigned int cb, flen, bit;
		u32 n = next++, info, a = it.lo, m, parent = it.parent;

		/* Up to two million nodes: let others run (process context). */
		cond_resched();
		/*
		 * Not reachable from a request: groups are unique and sorted
		 * (the policy's rules are), so every branch has two non-empty
		 * sides and g groups need at most 2 * g - 1 nodes.
		 */
		if (WARN_ON_ONCE(n >= 2 * t->ngroups)) {
			next = 0;
			break;
		}

		cb = common_bits(group_key(t, it.lo), group_key(t, it.hi - 1),
				 t->alen);
		flen = lens[t->groups[it.lo].start];
		if (flen <= cb) {
			/*
			 * Sorted groups are in pre-order: when the first one is
			 * a prefix of the last, it is a prefix of all of them.
			 */
			bit = flen;
			info = bit | it.lo << NODE_GROUP_SHIFT;
			t->groups[it.lo].parent = parent;
			parent = it.lo;
			a = it.lo + 1;
		} else {
			/* A branch where first and last differ. */
			bit = cb;
			info = bit;
		}
		t->nodes[n].info = info;
		t->nodes[n].child[0] = 0;
		t->nodes[n].child[1] = 0;
		t->nodes[it.pnode].child[it.side] = n;
		if (a >= it.hi)
			continue;
		m = split(t, a, it.hi, bit);
		if (m < it.hi)
			stack[sp++] = (struct build_item){ m, it.hi, parent, n, 1 };
		if (a < m)
			stack[sp++] = (struct build_item){ a, m, parent, n, 0 };
	}
	kfree(stack);
	return next;
}

int netfence_trie_build(struct netfence_trie *t, const u8 *keys,
			const u8 *lens, u32 n, u8 alen)
{
	u32 i, g;

	memset(t, 0, sizeof(*t));
	t->keys = keys;
	t->alen = alen;
	if (!n)
		return 0;

	for (i = 0, g = 0; i < n; i++) {
		cond_resched();
		if (!i || lens[i] != lens[i - 1] ||
		    memcmp(keys + (size_t)i * alen, keys + (size_t)(i - 1) * alen, alen))
			g++;
	}
	if (g > NETFENCE_TRIE_MAX_GROUPS)
		return -E2BIG;
	t->ngroups = g;
	t->groups = kvmalloc_array(g + 2, sizeof(*t->groups), GFP_KERNEL_ACCOUNT);
	if (!t->groups)
		return -ENOMEM;
	t->groups[0] = (struct netfence_trie_group){ 0, 0 };
	for (i = 0, g = 0; i < n; i++) {
		cond_resched();
		if (!i || lens[i] != lens[i - 1] ||
		    memcmp(keys + (size_t)i * alen, keys + (size_t)(i - 1) * alen, alen))
			t->groups[++g] = (struct netfence_trie_group){ i, 0 };
	}
	t->groups[g + 1] = (struct netfence_trie_group){ n, 0 };

	/*
	 * One node per group plus at most one branch per pair of groups,
	 * plus the unused slot 0: 2 * g nodes are always enough.
	 */
	t->nnodes = 2 * g;
	t->nodes = kvmalloc_array(t->nnodes, sizeof(*t->nodes), GFP_KERNEL_ACCOUNT);
	if (!t->nodes)
		goto err;
	t->nodes[0] = (struct netfence_trie_node){ { 0, 0 }, 0 };
	t->nnodes = build_nodes(t, lens);
	if (!t->nnodes)
		goto err;
	return 0;
err:
	netfence_trie_free(t);
	return -ENOMEM;
}

void netfence_trie_free(struct netfence_trie *t)
{
	kvfree(t->nodes);
	kvfree(t->groups);
	t->nodes = NULL;
	t->groups = NULL;
	t->nnodes = 0;
	t->ngroups = 0;
}

size_t netfence_trie_mem(const struct netfence_trie *t)
{
	if (!t->ngroups)
		return 0;
	return (size_t)2 * t->ngroups * sizeof(*t->nodes) +
	       (size_t)(t->ngroups + 2) * sizeof(*t->groups);
}

u32 netfence_trie_lookup(const struct netfence_trie *t, const u8 *addr)
{
	unsigned int width = t->alen * 8;
	u32 n = t->ngroups ? 1 : 0, best = 0;

	while (n) {
		const struct netfence_trie_node *node = &t->nodes[n];
		unsigned int bit = node->info & NODE_BIT_MASK;
		u32 g = node->info >> NODE_GROUP_SHIFT;

		if (g) {
			/* Nodes below extend this prefix: a mismatch ends it. */
			if (!prefix_equal(addr, group_key(t, g), bit))
				break;
			best = g;
		}
		if (bit >= width)
			break;
		n = node->child[key_bit(addr, bit)];
	}
	return best;
}
