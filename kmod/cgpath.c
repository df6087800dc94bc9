// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: cgroup v2 paths of identity rules, matched by name (see
 * cgpath.h).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cgpath.h"
#include "rule.h"

static bool cgpath_dot(const char *c, size_t len)
{
	return (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.');
}

int netfence_cgpath_normalize(const char *path, char *out, size_t size,
			      struct netlink_ext_ack *extack)
{
	const char *p = path, *end;
	size_t o = 0, len;

	if (!path || !path[0]) {
		NL_SET_ERR_MSG(extack, "cgroup rule without a path");
		return -EINVAL;
	}
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		len = end - p;
		if (len > NETFENCE_CGROUP_NAME_MAX) {
			NL_SET_ERR_MSG(extack, "cgroup path component longer than 255 bytes");
			return -EINVAL;
		}
		if (cgpath_dot(p, len)) {
			NL_SET_ERR_MSG(extack, "cgroup path with a \".\" or \"..\" component");
			return -EINVAL;
		}
		if (o + 1 + len >= size || o + 1 + len > NETFENCE_CGROUP_PATH_MAX) {
			NL_SET_ERR_MSG(extack, "cgroup path too long");
			return -EINVAL;
		}
		out[o++] = '/';
		memcpy(out + o, p, len);
		o += len;
		p = end;
	}
	if (!o) {
		if (size < 2)
			return -EINVAL;
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}

bool netfence_cgpath_canonical(const char *path)
{
	const char *p = path, *c, *end;
	size_t len;

	if (!p || p[0] != '/')
		return false;
	if (!p[1])
		return true;
	while (*p) {
		c = p + 1;
		end = strchrnul(c, '/');
		len = end - c;
		if (!len || len > NETFENCE_CGROUP_NAME_MAX || cgpath_dot(c, len))
			return false;
		p = end;
	}
	return true;
}

u32 netfence_cgpath_depth(const char *path)
{
	u32 n = 0;

	if (!path[1])
		return 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

bool netfence_cgpath_match(const struct netfence_cgpath *cp,
			   const struct netfence_sockid *sid)
{
	const char *p = cp->path, *c, *end, *name;
	u32 level, last = cp->anchor_level + cp->depth;
	size_t len;

	if (!sid->cgroup_valid || sid->cgroup_level < last ||
	    sid->cgroup_at(sid, cp->anchor_level) != cp->anchor_id)
		return false;
	for (level = cp->anchor_level + 1; level <= last; level++) {
		c = p + 1;
		end = strchrnul(c, '/');
		len = end - c;
		name = sid->cgroup_name_at(sid, level);
		if (!name || strncmp(name, c, len) || name[len])
			return false;
		p = end;
	}
	return true;
}

int netfence_cgset_slot(struct netfence_cgset *set, const char *path,
			u64 anchor_id, u32 anchor_level,
			struct netlink_ext_ack *extack)
{
	struct netfence_cgpath *cp;
	u32 i;

	for (i = 0; i < set->n; i++) {
		cp = &set->paths[i];
		if (cp->anchor_id == anchor_id && cp->anchor_level == anchor_level &&
		    !strcmp(cp->path, path))
			return i;
	}
	if (set->n >= NETFENCE_CGROUP_PATHS_MAX) {
		BUILD_BUG_ON(NETFENCE_CGROUP_PATHS_MAX != 64);
		NL_SET_ERR_MSG(extack,
			       "too many cgroup paths: a policy names at most 64 distinct cgroup paths");
		return -E2BIG;
	}
	if (!set->paths) {
		set->paths = kcalloc(NETFENCE_CGROUP_PATHS_MAX, sizeof(*set->paths),
				     GFP_KERNEL_ACCOUNT);
		if (!set->paths)
			return -ENOMEM;
	}
	cp = &set->paths[set->n];
	cp->path = kstrdup(path, GFP_KERNEL_ACCOUNT);
	if (!cp->path)
		return -ENOMEM;
	cp->anchor_id = anchor_id;
	cp->anchor_level = anchor_level;
	cp->depth = netfence_cgpath_depth(path);
	return set->n++;
}

int netfence_cgset_seal(struct netfence_cgset *set)
{
	if (!set->n)
		return 0;
	set->cache = alloc_percpu_gfp(struct netfence_cgcache, GFP_KERNEL_ACCOUNT);
	return set->cache ? 0 : -ENOMEM;
}

void netfence_cgset_free(struct netfence_cgset *set)
{
	u32 i;

	free_percpu(set->cache);
	for (i = 0; i < set->n; i++)
		kfree(set->paths[i].path);
	kfree(set->paths);
	memset(set, 0, sizeof(*set));
}

size_t netfence_cgset_mem(const struct netfence_cgset *set)
{
	size_t mem = 0;
	u32 i;

	if (!set->n)
		return 0;
	mem = NETFENCE_CGROUP_PATHS_MAX * sizeof(*set->paths) +
	      (size_t)num_possible_cpus() * sizeof(struct netfence_cgcache);
	for (i = 0; i < set->n; i++)
		mem += strlen(set->paths[i].path) + 1;
	return mem;
}

static u64 cgset_compute(const struct netfence_cgset *set,
			 const struct netfence_sockid *sid)
{
	u64 mask = 0;
	u32 i;

	for (i = 0; i < set->n; i++)
		if (netfence_cgpath_match(&set->paths[i], sid))
			mask |= BIT_ULL(i);
	return mask;
}

u64 netfence_cgset_mask(const struct netfence_cgset *set,
			const struct netfence_sockid *sid)
{
	struct netfence_cgcache_entry *e;
	struct netfence_cgcache *c;
	u64 id, mask;

	if (!set->n || !sid->cgroup_valid)
		return 0;
	id = sid->cgroup_at(sid, sid->cgroup_level);
	if (!id || !set->cache)
		return cgset_compute(set, sid);

	c = get_cpu_ptr(set->cache);
	/* An interrupt that came while this CPU updates its cache: skip it. */
	if (READ_ONCE(c->busy)) {
		put_cpu_ptr(set->cache);
		return cgset_compute(set, sid);
	}
	WRITE_ONCE(c->busy, true);
	barrier();
	e = c->e[hash_64(id, NETFENCE_CGCACHE_SETS_SHIFT)];
	if (e[0].id == id) {
		mask = e[0].mask;
	} else if (e[1].id == id) {
		mask = e[1].mask;
		swap(e[0], e[1]);
	} else {
		mask = cgset_compute(set, sid);
		e[1] = e[0];
		e[0].id = id;
		e[0].mask = mask;
	}
	barrier();
	WRITE_ONCE(c->busy, false);
	put_cpu_ptr(set->cache);
	return mask;
}
