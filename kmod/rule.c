// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: validation and ordering of allowlist rules.
 */
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "cgpath.h"
#include "rule.h"

/* Bytes of the address that a family uses (AF_UNSPEC: none). */
static unsigned int rule_addr_len(u8 family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

/* True when any bit at or beyond position len (from the top) is set. */
static bool host_bits_set(const u8 *addr, unsigned int alen, unsigned int len)
{
	unsigned int i = len / 8;

	if (len % 8) {
		if (addr[i] & (0xff >> (len % 8)))
			return true;
		i++;
	}
	for (; i < alen; i++)
		if (addr[i])
			return true;
	return false;
}

static int rule_validate_identity(const struct netfence_rule *r,
				  struct netlink_ext_ack *extack)
{
	if (r->id_flags & ~NETFENCE_RULE_ID_ALL) {
		NL_SET_ERR_MSG(extack, "unknown identity flags");
		return -EINVAL;
	}
	if ((r->id_flags & NETFENCE_RULE_ID_UID) && r->uid_min > r->uid_max) {
		NL_SET_ERR_MSG(extack, "uid_min greater than uid_max");
		return -EINVAL;
	}
	if (r->id_flags & NETFENCE_RULE_ID_CGROUP) {
		if (!r->cgroup_path || !r->cgroup_path[0]) {
			NL_SET_ERR_MSG(extack, "cgroup rule without a path");
			return -EINVAL;
		}
		if (strnlen(r->cgroup_path, NETFENCE_CGROUP_PATH_MAX + 1) >
		    NETFENCE_CGROUP_PATH_MAX) {
			NL_SET_ERR_MSG(extack, "cgroup path too long");
			return -EINVAL;
		}
		if (!netfence_cgpath_canonical(r->cgroup_path)) {
			NL_SET_ERR_MSG(extack, "cgroup path not in canonical form");
			return -EINVAL;
		}
		if (!r->anchor_id) {
			NL_SET_ERR_MSG(extack, "cgroup rule without its cgroup namespace root");
			return -EINVAL;
		}
	}
	return 0;
}

int netfence_rule_validate(const struct netfence_rule *r,
			   struct netlink_ext_ack *extack)
{
	const u8 *addr = (const u8 *)&r->addr;
	unsigned int alen = rule_addr_len(r->family);

	switch (r->family) {
	case AF_UNSPEC:
		if (r->prefixlen) {
			NL_SET_ERR_MSG(extack, "prefix length needs an address family");
			return -EINVAL;
		}
		if (host_bits_set(addr, sizeof(r->addr), 0)) {
			NL_SET_ERR_MSG(extack, "address not allowed without an address family");
			return -EINVAL;
		}
		break;
	case AF_INET:
		if (r->prefixlen > 32) {
			NL_SET_ERR_MSG(extack, "prefix length exceeds 32 for IPv4");
			return -EINVAL;
		}
		break;
	case AF_INET6:
		if (r->prefixlen > 128) {
			NL_SET_ERR_MSG(extack, "prefix length exceeds 128 for IPv6");
			return -EINVAL;
		}
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown address family (AF_INET, AF_INET6 or AF_UNSPEC)");
		return -EINVAL;
	}
	if (alen && host_bits_set(addr, alen, r->prefixlen)) {
		NL_SET_ERR_MSG(extack, "host bits set beyond prefix length");
		return -EINVAL;
	}

	switch (r->proto) {
	case 0:
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		break;
	case IPPROTO_ICMP:
		if (r->family != AF_INET) {
			NL_SET_ERR_MSG(extack, "icmp needs an IPv4 rule");
			return -EINVAL;
		}
		break;
	case IPPROTO_ICMPV6:
		if (r->family != AF_INET6) {
			NL_SET_ERR_MSG(extack, "icmpv6 needs an IPv6 rule");
			return -EINVAL;
		}
		break;
	default:
		NL_SET_ERR_MSG(extack, "unsupported protocol (tcp, udp, icmp, icmpv6 or any)");
		return -EINVAL;
	}

	if (r->port_min > r->port_max) {
		NL_SET_ERR_MSG(extack, "port_min greater than port_max");
		return -EINVAL;
	}
	if (netfence_rule_has_ports(r) && r->proto != 0 &&
	    r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG(extack, "ports need proto tcp, udp or any");
		return -EINVAL;
	}

	switch (r->dir) {
	case NETFENCE_DIR_OUT:
	case NETFENCE_DIR_IN:
	case NETFENCE_DIR_BOTH:
		break;
	default:
		NL_SET_ERR_MSG(extack, "unknown direction (out, in or both)");
		return -EINVAL;
	}
	return rule_validate_identity(r, extack);
}

static int cmp_num(unsigned int a, unsigned int b)
{
	return a < b ? -1 : a > b;
}

/*
 * Rules without identity first. Then family, then address as a big-endian
 * bit string, then prefix length: within one family, rules are in the
 * pre-order of their prefix trie (a prefix before its extensions) and rules
 * of one prefix are adjacent. Only the bytes the family uses take part.
 * Identity fields last: uid range, the cgroup's anchor, then its path.
 */
int netfence_rule_cmp(const struct netfence_rule *a,
		      const struct netfence_rule *b)
{
	int d;

	d = cmp_num(netfence_rule_has_identity(a), netfence_rule_has_identity(b));
	if (!d)
		d = cmp_num(a->family, b->family);
	if (!d)
		d = memcmp(&a->addr, &b->addr, rule_addr_len(a->family));
	if (!d)
		d = cmp_num(a->prefixlen, b->prefixlen);
	if (!d)
		d = cmp_num(a->proto, b->proto);
	if (!d)
		d = cmp_num(a->port_min, b->port_min);
	if (!d)
		d = cmp_num(a->port_max, b->port_max);
	if (!d)
		d = cmp_num(a->dir, b->dir);
	if (!d)
		d = cmp_num(a->id_flags, b->id_flags);
	if (!d && (a->id_flags & NETFENCE_RULE_ID_UID)) {
		d = cmp_num(a->uid_min, b->uid_min);
		if (!d)
			d = cmp_num(a->uid_max, b->uid_max);
	}
	if (!d && (a->id_flags & NETFENCE_RULE_ID_CGROUP)) {
		d = a->anchor_id < b->anchor_id ? -1 : a->anchor_id > b->anchor_id;
		if (!d)
			d = cmp_num(a->anchor_level, b->anchor_level);
		if (!d)
			d = strcmp(a->cgroup_path, b->cgroup_path);
	}
	return d < 0 ? -1 : d > 0;
}
