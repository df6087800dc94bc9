/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the cgroup v2 paths of identity rules, matched by name. Pure
 * logic (no hook or netlink code): tested by KUnit.
 *
 * A cgroup rule names a path below an anchor: the root cgroup of the cgroup
 * namespace of the task that added the rule, kept by id and level. A
 * socket's cgroup matches when its ancestor at the anchor's level is the
 * anchor and the names of its ancestors below that are the components of
 * the path, in order (the cgroup itself or a descendant). The rule follows
 * the path, not a cgroup: a cgroup removed and created again (new id), or
 * created only after the commit, matches. A cgroup namespace rooted
 * elsewhere has another anchor, so the same names created inside it do
 * not match.
 *
 * Cgroup v2 directories are never renamed or moved and cgroup ids are
 * never reused, so under one (immutable) policy the verdict for a cgroup
 * id never changes: a small per-CPU cache keyed by the socket's cgroup id
 * holds it, and a new policy comes with a new, empty cache.
 */
#ifndef _NETFENCE_CGPATH_H
#define _NETFENCE_CGPATH_H

#include <linux/percpu.h>
#include <linux/types.h>

#include "match.h"

struct netlink_ext_ack;

/* Distinct cgroup paths (path and anchor) in one policy. */
#define NETFENCE_CGROUP_PATHS_MAX	NETFENCE_MAX_CGROUP_PATHS
/* Longest component of a cgroup path (a kernfs name), bytes. */
#define NETFENCE_CGROUP_NAME_MAX	255

/* Per-CPU verdict cache: sets x ways entries. */
#define NETFENCE_CGCACHE_SETS_SHIFT	4
#define NETFENCE_CGCACHE_SETS		(1U << NETFENCE_CGCACHE_SETS_SHIFT)
#define NETFENCE_CGCACHE_WAYS		2

/* One distinct path of a policy: bit slot of netfence_cgset_mask(). */
struct netfence_cgpath {
	char *path;		/* canonical, owned */
	u64 anchor_id;		/* cgroup id of the anchor */
	u32 anchor_level;	/* its depth in the cgroup v2 hierarchy */
	u32 depth;		/* components of path */
};

struct netfence_cgcache_entry {
	u64 id;			/* socket's cgroup id, 0: empty */
	u64 mask;		/* bit i: paths[i] matches */
};

struct netfence_cgcache {
	bool busy;		/* in use on this CPU (an interrupt skips it) */
	struct netfence_cgcache_entry e[NETFENCE_CGCACHE_SETS][NETFENCE_CGCACHE_WAYS];
};

/* The cgroup paths of a policy and their verdict cache. */
struct netfence_cgset {
	u32 n;
	struct netfence_cgpath *paths;			/* [n] */
	struct netfence_cgcache __percpu *cache;	/* NULL without paths */
};

/*
 * Writes the canonical form of path into out (size bytes): "/" or
 * "/NAME[/NAME]...", empty components dropped. -EINVAL with extack for an
 * empty path, a component "." or ".." or longer than
 * NETFENCE_CGROUP_NAME_MAX, or a result that does not fit (or is longer
 * than NETFENCE_CGROUP_PATH_MAX).
 */
int netfence_cgpath_normalize(const char *path, char *out, size_t size,
			      struct netlink_ext_ack *extack);

/* True when path is in canonical form. */
bool netfence_cgpath_canonical(const char *path);

/* Components of a canonical path ("/" has none). */
u32 netfence_cgpath_depth(const char *path);

/* True when the socket's cgroup is at cp's path below its anchor, or below. */
bool netfence_cgpath_match(const struct netfence_cgpath *cp,
			   const struct netfence_sockid *sid);

/*
 * Adds the path (canonical) with its anchor to the set, or finds it there;
 * returns its slot, -E2BIG (extack) beyond NETFENCE_CGROUP_PATHS_MAX, or
 * -ENOMEM. Process context (GFP_KERNEL_ACCOUNT).
 */
int netfence_cgset_slot(struct netfence_cgset *set, const char *path,
			u64 anchor_id, u32 anchor_level,
			struct netlink_ext_ack *extack);

/* Allocates the set's cache (after the last slot); -ENOMEM. */
int netfence_cgset_seal(struct netfence_cgset *set);

/* Frees the paths and the cache. */
void netfence_cgset_free(struct netfence_cgset *set);

/* Bytes the set holds. */
size_t netfence_cgset_mem(const struct netfence_cgset *set);

/*
 * Bit i set when paths[i] matches the socket's cgroup. Any context, no
 * lock: the verdict comes from this CPU's cache when it has the socket's
 * cgroup id, else from comparing names (and then goes into the cache).
 */
u64 netfence_cgset_mask(const struct netfence_cgset *set,
			const struct netfence_sockid *sid);

#endif /* _NETFENCE_CGPATH_H */
