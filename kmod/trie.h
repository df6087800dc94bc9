/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: immutable prefix trie of one address family. Pure logic.
 *
 * The rules of one family are sorted (netfence_rule_cmp), so the rules of
 * one prefix are adjacent: they form a *group*. The trie holds one node per
 * group plus the branch nodes of a path-compressed binary trie, all in one
 * flat array linked by u32 indices. A node stores no key: descent follows
 * the address bit at the node's bit position, and each group node checks
 * its prefix against the key of its group's first rule. A group whose
 * prefix does not match ends the descent (every node below extends it).
 *
 * Each group links to the group of its longest proper prefix (its parent),
 * so a lookup returns the longest matching group and the caller walks the
 * parent links to visit all matching prefixes, longest first, without a
 * stack.
 */
#ifndef _NETFENCE_TRIE_H
#define _NETFENCE_TRIE_H

#include <linux/types.h>

/* Group and node index 0 means "none"; groups count from 1. */
struct netfence_trie_node {
	u32 child[2];
	u32 info;		/* bit position (low 8 bits) | group << 8 */
};

struct netfence_trie_group {
	u32 start;		/* first rule, index into the family's rules */
	u32 parent;		/* group of the longest proper prefix, or 0 */
};

struct netfence_trie {
	struct netfence_trie_node *nodes;	/* [0] unused, root at [1] */
	struct netfence_trie_group *groups;	/* [1..ngroups], [ngroups + 1].start = rules */
	const u8 *keys;		/* rule addresses, alen bytes each, network order */
	u32 nnodes;		/* used, including slot 0; 2 * ngroups allocated */
	u32 ngroups;
	u8 alen;		/* 4 or 16 */
};

#define NETFENCE_TRIE_MAX_GROUPS	((1U << 24) - 2)

/*
 * Builds the trie over n rules of one family, sorted by netfence_rule_cmp:
 * keys holds their addresses (alen bytes each, host bits zero), lens their
 * prefix lengths. The trie keeps a pointer to keys (it must outlive the
 * trie). Returns 0, -ENOMEM, or -E2BIG beyond NETFENCE_TRIE_MAX_GROUPS.
 * Process context: it may reschedule.
 */
int netfence_trie_build(struct netfence_trie *t, const u8 *keys,
			const u8 *lens, u32 n, u8 alen);
void netfence_trie_free(struct netfence_trie *t);

/* Bytes held by the trie (nodes and groups, not the keys). */
size_t netfence_trie_mem(const struct netfence_trie *t);

/* Longest group whose prefix contains addr (alen bytes), or 0. */
u32 netfence_trie_lookup(const struct netfence_trie *t, const u8 *addr);

static inline u32 netfence_trie_parent(const struct netfence_trie *t, u32 g)
{
	return t->groups[g].parent;
}

/* Rules [*first, *end) of group g (indices into the family's rules). */
static inline void netfence_trie_rules(const struct netfence_trie *t, u32 g,
				       u32 *first, u32 *end)
{
	*first = t->groups[g].start;
	*end = t->groups[g + 1].start;
}

#endif /* _NETFENCE_TRIE_H */
