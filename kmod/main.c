// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: network isolation with an allowlist, per network namespace.
 *
 * Module initialisation: per-namespace state first, the generic-netlink
 * family last, so that no request can arrive before everything it needs
 * exists; torn down in the reverse order. With isolate_on_load, the
 * initial namespace is isolated before the load completes (fail closed at
 * boot: isolation is in force before any network interface comes up), or
 * the load fails: the module never stays loaded without the isolation it
 * was asked for.
 */

#include <linux/err.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <uapi/linux/netfence.h>

#include "bootparam.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "policy.h"
#include "sockid.h"

#define NETFENCE_VERSION	"0.1.0"

static bool isolate_on_load;
module_param(isolate_on_load, bool, 0444);
MODULE_PARM_DESC(isolate_on_load,
		 "Isolate the initial network namespace as the module loads (fail closed at boot). Allowed: loopback, IPv6 neighbour discovery, DHCP clients, ICMP errors of allowed flows, and the rules of boot_allow. Default: off");

static char *boot_allow;
module_param(boot_allow, charp, 0444);
MODULE_PARM_DESC(boot_allow,
		 "Rules of the policy of isolate_on_load, separated by commas, each TARGET[:FIELD]...: TARGET is IPV4[/LEN], IPV6/LEN, [IPV6][/LEN] or any; FIELD is tcp, udp, icmp or icmpv6, PORT or PORT-PORT, out, in or both, uid=N[-M], or last cgroup=PATH (defaults: any protocol, any port, out); an entry may start with uid= or cgroup= (any address). Example: 192.0.2.10:tcp:22:in,2001:db8::/64,any:udp:53,cgroup=/system.slice/agent.service. An invalid entry makes the load fail (nothing is loaded, the reason is logged)");

/*
 * The rules of boot_allow, every one of them or an error: a boot policy
 * with an entry left out is not the one the administrator wrote, and the
 * host would only look isolated as asked. Runs before anything is
 * registered, so a bad list leaves nothing behind.
 */
static struct netfence_builder *__init netfence_boot_rules(void)
{
	char entry[NETFENCE_BOOTPARAM_ENTRY_MAX + 1];
	char cgroup[NETFENCE_BOOTPARAM_ENTRY_MAX + 2];
	const char *pos = boot_allow;
	struct netfence_builder *b;
	struct netfence_rule r;
	int ret, err;

	b = netfence_builder_alloc();
	if (!b) {
		pr_err("isolate_on_load: out of memory for the boot policy: not loaded\n");
		return ERR_PTR(-ENOMEM);
	}
	while ((ret = netfence_bootparam_next(&pos, &r, entry, cgroup))) {
		if (ret < 0) {
			pr_err("boot_allow: invalid rule \"%s\": not loaded\n", entry);
			err = ret;
			goto err_free;
		}
		/* Anchored at the loading task's cgroup namespace root. */
		if ((r.id_flags & NETFENCE_RULE_ID_CGROUP) &&
		    netfence_sockid_cgroup_anchor(&r.anchor_id, &r.anchor_level, NULL)) {
			pr_err("boot_allow: rule \"%s\": no cgroup support: not loaded\n", entry);
			err = -EOPNOTSUPP;
			goto err_free;
		}
		err = netfence_builder_add(b, &r, NULL);
		if (err) {
			pr_err("boot_allow: cannot add rule \"%s\" (error %d): not loaded\n",
			       entry, err);
			goto err_free;
		}
	}
	return b;

err_free:
	netfence_builder_free(b);
	return ERR_PTR(err);
}

/* Isolates the initial namespace: the default policy flags plus b's rules. */
static int __init netfence_isolate_on_load(struct netfence_builder *b)
{
	struct netfence_net *pn = netfence_net(&init_net);
	unsigned int n = netfence_builder_count(b);
	int err;

	mutex_lock(&pn->lock);
	err = netfence_net_isolate_with(pn, b, NETFENCE_POLICY_F_DEFAULT);
	if (!err) {
		netfence_genl_event(pn, NETFENCE_CMD_EVT_ISOLATED, 0);
		netfence_net_audit(pn, NETFENCE_ACTION_ISOLATE, true, NULL,
				   "isolate_on_load");
	}
	mutex_unlock(&pn->lock);

	if (err) {
		pr_err("isolate_on_load: cannot isolate the initial namespace (error %d): not loaded\n",
		       err);
		return err;
	}
	pr_info("isolate_on_load: initial namespace isolated with %u rule%s from boot_allow\n",
		n, n == 1 ? "" : "s");
	return 0;
}

static int __init netfence_init(void)
{
	struct netfence_builder *boot = NULL;
	int err;

	if (isolate_on_load) {
		boot = netfence_boot_rules();
		if (IS_ERR(boot))
			return PTR_ERR(boot);
	} else if (boot_allow && *boot_allow) {
		pr_warn("boot_allow is used only with isolate_on_load=1\n");
	}

	err = netfence_netns_init();
	if (err)
		goto err_netns;

	err = netfence_txn_notifier_init();
	if (err)
		goto err_notifier;

	err = netfence_link_init();
	if (err)
		goto err_link;

	err = netfence_genl_init();
	if (err)
		goto err_genl;

	if (boot) {
		err = netfence_isolate_on_load(boot);
		if (err)
			goto err_isolate;
		netfence_builder_free(boot);
	}

	pr_info("version " NETFENCE_VERSION " loaded\n");
	return 0;

err_isolate:
	netfence_genl_uninit();
err_genl:
	netfence_link_uninit();
err_link:
	netfence_txn_notifier_uninit();
err_notifier:
	netfence_netns_uninit();
err_netns:
	if (boot)
		netfence_builder_free(boot);
	return err;
}

static void __exit netfence_exit(void)
{
	/* While the family exists: each namespace released gets its event. */
	netfence_netns_unload();
	netfence_genl_uninit();
	netfence_link_uninit();
	netfence_txn_notifier_uninit();
	netfence_netns_uninit();
	/* Replaced policies may still wait in call_rcu(): let them go first. */
	rcu_barrier();
}

module_init(netfence_init);
module_exit(netfence_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network isolation with an allowlist, per network namespace");
MODULE_AUTHOR("netfence");
MODULE_VERSION(NETFENCE_VERSION);
MODULE_ALIAS_GENL_FAMILY(NETFENCE_GENL_NAME);
