// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the rules of the boot_allow module parameter (syntax in
 * bootparam.h).
 */

#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/inet.h>
#include <linux/kernel.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "bootparam.h"
#include "cgpath.h"

static int bootparam_addr(struct netfence_rule *r, const char *s, size_t len)
{
	const char *end;

	if (!len)
		return -EINVAL;
	if (len == 3 && !memcmp(s, "any", 3)) {
		r->family = AF_UNSPEC;
		return 0;
	}
	if (in4_pton(s, len, (u8 *)&r->addr.ip, -1, &end) == 1 && end == s + len) {
		r->family = AF_INET;
		r->prefixlen = 32;
		return 0;
	}
	if (in6_pton(s, len, (u8 *)&r->addr.ip6, -1, &end) == 1 && end == s + len) {
		r->family = AF_INET6;
		r->prefixlen = 128;
		return 0;
	}
	return -EINVAL;
}

static int bootparam_prefixlen(struct netfence_rule *r, const char *s)
{
	u8 plen;

	if (r->family == AF_UNSPEC || kstrtou8(s, 10, &plen))
		return -EINVAL;
	if (plen > r->prefixlen)
		return -EINVAL;
	r->prefixlen = plen;
	return 0;
}

/* uid=N[-M] */
static int bootparam_uid(struct netfence_rule *r, char *s)
{
	char *dash = strchr(s, '-');

	if (r->id_flags & NETFENCE_RULE_ID_UID)
		return -EINVAL;
	if (dash)
		*dash++ = '\0';
	if (kstrtou32(s, 10, &r->uid_min))
		return -EINVAL;
	r->uid_max = r->uid_min;
	if (dash && kstrtou32(dash, 10, &r->uid_max))
		return -EINVAL;
	r->id_flags |= NETFENCE_RULE_ID_UID;
	return 0;
}

static int bootparam_field(struct netfence_rule *r, char *f, bool *seen_proto,
			   bool *seen_port, bool *seen_dir)
{
	static const struct {
		const char *name;
		u8 proto;
	} protos[] = {
		{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	};
	static const struct {
		const char *name;
		u8 dir;
	} dirs[] = {
		{ "out", NETFENCE_DIR_OUT }, { "in", NETFENCE_DIR_IN },
		{ "both", NETFENCE_DIR_BOTH },
	};
	unsigned int i;
	char *dash;

	if (!strncmp(f, "uid=", 4))
		return bootparam_uid(r, f + 4);
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (strcmp(f, protos[i].name))
			continue;
		if (*seen_proto)
			return -EINVAL;
		*seen_proto = true;
		r->proto = protos[i].proto;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (strcmp(f, dirs[i].name))
			continue;
		if (*seen_dir)
			return -EINVAL;
		*seen_dir = true;
		r->dir = dirs[i].dir;
		return 0;
	}
	if (!isdigit(f[0]) || *seen_port)
		return -EINVAL;
	*seen_port = true;
	dash = strchr(f, '-');
	if (dash)
		*dash++ = '\0';
	if (kstrtou16(f, 10, &r->port_min))
		return -EINVAL;
	r->port_max = r->port_min;
	if (dash && kstrtou16(dash, 10, &r->port_max))
		return -EINVAL;
	return 0;
}

/*
 * Takes the cgroup=PATH field (the last one: the path runs to the end of
 * the entry) off e, its canonical form into cgroup.
 */
static int bootparam_cgroup(char *e, struct netfence_rule *r, char *cgroup)
{
	char *f = strstr(e, "cgroup=");
	int err;

	while (f && f != e && f[-1] != ':')
		f = strstr(f + 1, "cgroup=");
	if (!f)
		return 0;
	err = netfence_cgpath_normalize(f + 7, cgroup, NETFENCE_BOOTPARAM_ENTRY_MAX + 2, NULL);
	if (err)
		return err;
	if (f == e)
		*f = '\0';
	else
		f[-1] = '\0';
	r->id_flags |= NETFENCE_RULE_ID_CGROUP;
	r->cgroup_path = cgroup;
	return 0;
}

/* Parses one entry (NUL-terminated, modified in place). */
static int bootparam_entry(char *e, struct netfence_rule *r, char *cgroup)
{
	bool seen_proto = false, seen_port = false, seen_dir = false;
	struct netfence_rule v;
	char *fields = NULL, *slash, *f;
	const char *addr = e;
	size_t alen;
	int err;

	memset(r, 0, sizeof(*r));
	r->port_min = 0;
	r->port_max = U16_MAX;
	r->dir = NETFENCE_DIR_OUT;

	err = bootparam_cgroup(e, r, cgroup);
	if (err)
		return err;
	if (!e[0] || !strncmp(e, "uid=", 4)) {
		/* An identity without target: any remote address. */
		if (!e[0] && !r->id_flags)
			return -EINVAL;
		r->family = AF_UNSPEC;
		fields = e[0] ? e : NULL;
		goto fields;
	}

	if (e[0] == '[') {
		char *close = strchr(e, ']');

		if (!close)
			return -EINVAL;
		addr = e + 1;
		alen = close - addr;
		e = close + 1;
		if (*e && *e != '/' && *e != ':')
			return -EINVAL;
	} else {
		/* Without brackets, the address ends at "/" or, IPv4, at ":". */
		alen = strcspn(e, "/");
		if (!e[alen] && strchr(e, '.'))
			alen = strcspn(e, ":");
		else if (!e[alen] && !strncmp(e, "any", 3))
			alen = strcspn(e, ":");
		e += alen;
	}
	err = bootparam_addr(r, addr, alen);
	if (err)
		return err;

	if (*e == '/') {
		slash = e + 1;
		fields = strchr(slash, ':');
		if (fields)
			*fields++ = '\0';
		err = bootparam_prefixlen(r, slash);
		if (err)
			return err;
	} else if (*e == ':') {
		fields = e + 1;
	}

fields:
	while (fields && (f = strsep(&fields, ":"))) {
		err = bootparam_field(r, f, &seen_proto, &seen_port, &seen_dir);
		if (err)
			return err;
	}
	/* The caller sets the anchor of a cgroup rule: validate with one. */
	v = *r;
	if (v.id_flags & NETFENCE_RULE_ID_CGROUP)
		v.anchor_id = 1;
	return netfence_rule_validate(&v, NULL);
}

int netfence_bootparam_next(const char **pos, struct netfence_rule *r,
			    char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1],
			    char cgroup[NETFENCE_BOOTPARAM_ENTRY_MAX + 2])
{
	char buf[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	const char *s = *pos;
	size_t len;

	if (!s)
		return 0;
	/* Empty entries and blanks around entries are skipped. */
	while (*s == ',' || isspace(*s))
		s++;
	if (!*s) {
		*pos = s;
		return 0;
	}
	len = strcspn(s, ",");
	*pos = s + len;
	while (len && isspace(s[len - 1]))
		len--;

	strscpy(entry, s, min_t(size_t, len + 1, NETFENCE_BOOTPARAM_ENTRY_MAX + 1));
	if (len > NETFENCE_BOOTPARAM_ENTRY_MAX)
		return -EINVAL;
	memcpy(buf, entry, len + 1);
	return bootparam_entry(buf, r, cgroup) ?: 1;
}
