// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: KUnit tests of the boot_allow parser. The KUnit module carries
 * its own copy of the logic under test.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/socket.h>

#include "../bootparam.c"

struct bootparam_case {
	const char *in;
	u8 family;
	const char *addr;	/* in the family's text form, NULL: none */
	u8 prefixlen;
	u8 proto;
	u16 port_min, port_max;
	u8 dir;
};

static const struct bootparam_case bootparam_good[] = {
	{ "192.0.2.10", AF_INET, "192.0.2.10", 32, 0, 0, 65535, NETFENCE_DIR_OUT },
	{ "192.0.2.10:tcp:22:in", AF_INET, "192.0.2.10", 32, IPPROTO_TCP, 22, 22,
	  NETFENCE_DIR_IN },
	{ "192.0.2.0/24:udp:1000-2000:both", AF_INET, "192.0.2.0", 24, IPPROTO_UDP,
	  1000, 2000, NETFENCE_DIR_BOTH },
	{ "2001:db8::/64", AF_INET6, "2001:db8::", 64, 0, 0, 65535, NETFENCE_DIR_OUT },
	{ "2001:db8::1", AF_INET6, "2001:db8::1", 128, 0, 0, 65535, NETFENCE_DIR_OUT },
	{ "2001:db8::/32:tcp:443", AF_INET6, "2001:db8::", 32, IPPROTO_TCP, 443, 443,
	  NETFENCE_DIR_OUT },
	{ "[2001:db8::5]:icmpv6", AF_INET6, "2001:db8::5", 128, IPPROTO_ICMPV6, 0, 65535,
	  NETFENCE_DIR_OUT },
	{ "[2001:db8::]/48:53", AF_INET6, "2001:db8::", 48, 0, 53, 53, NETFENCE_DIR_OUT },
	{ "any:udp:53", AF_UNSPEC, NULL, 0, IPPROTO_UDP, 53, 53, NETFENCE_DIR_OUT },
	{ "10.0.0.1:icmp", AF_INET, "10.0.0.1", 32, IPPROTO_ICMP, 0, 65535, NETFENCE_DIR_OUT },
};

static const char *const bootparam_bad[] = {
	"bogus", "in:22:tcp", "192.0.2.10/24", "192.0.2.0/33", "10.0.0.1:tcp:tcp",
	"10.0.0.1:22:23", "10.0.0.1:in:out", "10.0.0.1:tcp:90-80", "10.0.0.1:icmp:22",
	"10.0.0.1:70000", "2001:db8::1:tcp", "[2001:db8::1", "[2001:db8::1]x",
	"any/0", "10.0.0.1:icmpv6", "2001:db8::/129", "10.0.0.1:",
	"1.2.3.4:tcp:22:in:x",
};

static void bootparam_check(struct kunit *test, const struct bootparam_case *c)
{
	const char *pos = c->in;
	char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	char cg[NETFENCE_BOOTPARAM_ENTRY_MAX + 2];
	union nf_inet_addr want = {};
	struct netfence_rule r;

	KUNIT_ASSERT_EQ_MSG(test, netfence_bootparam_next(&pos, &r, entry, cg), 1, "%s", c->in);
	KUNIT_EXPECT_STREQ(test, entry, c->in);
	KUNIT_EXPECT_EQ_MSG(test, r.family, c->family, "%s", c->in);
	if (c->family == AF_INET)
		in4_pton(c->addr, -1, (u8 *)&want.ip, -1, NULL);
	else if (c->family == AF_INET6)
		in6_pton(c->addr, -1, (u8 *)&want.ip6, -1, NULL);
	KUNIT_EXPECT_EQ_MSG(test, memcmp(&r.addr, &want, sizeof(want)), 0, "%s", c->in);
	KUNIT_EXPECT_EQ_MSG(test, r.prefixlen, c->prefixlen, "%s", c->in);
	KUNIT_EXPECT_EQ_MSG(test, r.proto, c->proto, "%s", c->in);
	KUNIT_EXPECT_EQ_MSG(test, r.port_min, c->port_min, "%s", c->in);
	KUNIT_EXPECT_EQ_MSG(test, r.port_max, c->port_max, "%s", c->in);
	KUNIT_EXPECT_EQ_MSG(test, r.dir, c->dir, "%s", c->in);
	KUNIT_EXPECT_EQ_MSG(test, netfence_bootparam_next(&pos, &r, entry, cg), 0, "%s", c->in);
}

static void bootparam_good_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bootparam_good); i++)
		bootparam_check(test, &bootparam_good[i]);
}

static void bootparam_bad_test(struct kunit *test)
{
	char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	char cg[NETFENCE_BOOTPARAM_ENTRY_MAX + 2];
	struct netfence_rule r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bootparam_bad); i++) {
		const char *pos = bootparam_bad[i];

		KUNIT_EXPECT_EQ_MSG(test, netfence_bootparam_next(&pos, &r, entry, cg), -EINVAL,
				    "%s", bootparam_bad[i]);
		KUNIT_EXPECT_STREQ(test, entry, bootparam_bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, netfence_bootparam_next(&pos, &r, entry, cg), 0,
				    "%s", bootparam_bad[i]);
	}
}

/* A list: bad entries in the middle do not stop the good ones after them. */
static void bootparam_list_test(struct kunit *test)
{
	static const char list[] = " 192.0.2.10:tcp:22:in ,,bogus,2001:db8::/64, any:udp:53 ,";
	char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	char cg[NETFENCE_BOOTPARAM_ENTRY_MAX + 2];
	const char *pos = list;
	struct netfence_rule r;
	static const int want[] = { 1, -EINVAL, 1, 1, 0 };
	static const char *const text[] = {
		"192.0.2.10:tcp:22:in", "bogus", "2001:db8::/64", "any:udp:53",
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ret = netfence_bootparam_next(&pos, &r, entry, cg);
		KUNIT_EXPECT_EQ_MSG(test, ret, want[i], "entry %u", i);
		if (i < ARRAY_SIZE(text))
			KUNIT_EXPECT_STREQ(test, entry, text[i]);
	}
	pos = NULL;
	KUNIT_EXPECT_EQ(test, netfence_bootparam_next(&pos, &r, entry, cg), 0);
}

/* An entry longer than the limit is refused, never cut into a rule. */
static void bootparam_long_test(struct kunit *test)
{
	char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	char cg[NETFENCE_BOOTPARAM_ENTRY_MAX + 2];
	char *s = kunit_kzalloc(test, 2 * NETFENCE_BOOTPARAM_ENTRY_MAX, GFP_KERNEL);
	const char *pos = s;
	struct netfence_rule r;

	KUNIT_ASSERT_NOT_NULL(test, s);
	memset(s, '1', 2 * NETFENCE_BOOTPARAM_ENTRY_MAX - 1);
	KUNIT_EXPECT_EQ(test, netfence_bootparam_next(&pos, &r, entry, cg), -EINVAL);
	KUNIT_EXPECT_EQ(test, strlen(entry), NETFENCE_BOOTPARAM_ENTRY_MAX);
	KUNIT_EXPECT_EQ(test, netfence_bootparam_next(&pos, &r, entry, cg), 0);
}

/* Identity fields: uid=N[-M] anywhere, cgroup=PATH last; no target needed. */
static void bootparam_identity_test(struct kunit *test)
{
	static const struct {
		const char *in;
		u8 family, proto, id_flags;
		u32 uid_min, uid_max;
		const char *cgroup;
	} good[] = {
		{ "uid=998", AF_UNSPEC, 0, NETFENCE_RULE_ID_UID, 998, 998, NULL },
		{ "uid=1000-1999:tcp:443", AF_UNSPEC, IPPROTO_TCP, NETFENCE_RULE_ID_UID,
		  1000, 1999, NULL },
		{ "cgroup=/agent.slice/agent.service", AF_UNSPEC, 0, NETFENCE_RULE_ID_CGROUP,
		  0, 0, "/agent.slice/agent.service" },
		{ "192.0.2.10:tcp:443:cgroup=//a//b/", AF_INET, IPPROTO_TCP,
		  NETFENCE_RULE_ID_CGROUP, 0, 0, "/a/b" },
		{ "any:udp:uid=0:cgroup=/x:y", AF_UNSPEC, IPPROTO_UDP,
		  NETFENCE_RULE_ID_UID | NETFENCE_RULE_ID_CGROUP, 0, 0, "/x:y" },
		{ "[2001:db8::1]:cgroup=/", AF_INET6, 0, NETFENCE_RULE_ID_CGROUP, 0, 0, "/" },
	};
	static const char *const bad[] = {
		"uid=", "uid=5-1", "uid=x", "uid=1:uid=2", "cgroup=", "cgroup=/a/../b",
		"10.0.0.1:xcgroup=/a", "uid=-1",
	};
	char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	char cg[NETFENCE_BOOTPARAM_ENTRY_MAX + 2];
	struct netfence_rule r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		const char *pos = good[i].in;

		KUNIT_ASSERT_EQ_MSG(test, netfence_bootparam_next(&pos, &r, entry, cg), 1,
				    "%s", good[i].in);
		KUNIT_EXPECT_STREQ(test, entry, good[i].in);
		KUNIT_EXPECT_EQ_MSG(test, r.family, good[i].family, "%s", good[i].in);
		KUNIT_EXPECT_EQ_MSG(test, r.proto, good[i].proto, "%s", good[i].in);
		KUNIT_EXPECT_EQ_MSG(test, r.id_flags, good[i].id_flags, "%s", good[i].in);
		KUNIT_EXPECT_EQ_MSG(test, r.uid_min, good[i].uid_min, "%s", good[i].in);
		KUNIT_EXPECT_EQ_MSG(test, r.uid_max, good[i].uid_max, "%s", good[i].in);
		KUNIT_EXPECT_EQ_MSG(test, r.anchor_id, 0, "%s", good[i].in);
		if (good[i].cgroup) {
			KUNIT_ASSERT_NOT_NULL(test, r.cgroup_path);
			KUNIT_EXPECT_STREQ(test, r.cgroup_path, good[i].cgroup);
		} else {
			KUNIT_EXPECT_TRUE(test, !r.cgroup_path);
		}
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *pos = bad[i];

		KUNIT_EXPECT_EQ_MSG(test, netfence_bootparam_next(&pos, &r, entry, cg), -EINVAL,
				    "%s", bad[i]);
	}
}

static struct kunit_case bootparam_cases[] = {
	KUNIT_CASE(bootparam_identity_test),
	KUNIT_CASE(bootparam_good_test),
	KUNIT_CASE(bootparam_bad_test),
	KUNIT_CASE(bootparam_list_test),
	KUNIT_CASE(bootparam_long_test),
	{}
};

static struct kunit_suite bootparam_suite = {
	.name = "netfence_bootparam",
	.test_cases = bootparam_cases,
};

kunit_test_suites(&bootparam_suite);
