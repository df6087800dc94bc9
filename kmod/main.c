// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: network isolation with an allowlist, per network namespace.
 *
 * Module initialisation: per-namespace state first, the generic-netlink
 * family last, so that no request can arrive before everything it needs
 * exists; torn down in the reverse order.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <uapi/linux/netfence.h>

#include "netlink.h"
#include "netns.h"

#define NETFENCE_VERSION	"0.1.0"

static int __init netfence_init(void)
{
	int err;

	err = netfence_netns_init();
	if (err)
		goto err_netns;

	err = netfence_txn_notifier_init();
	if (err)
		goto err_notifier;

	err = netfence_genl_init();
	if (err)
		goto err_genl;

	pr_info("version " NETFENCE_VERSION " loaded\n");
	return 0;

err_genl:
	netfence_txn_notifier_uninit();
err_notifier:
	netfence_netns_uninit();
err_netns:
	return err;
}

static void __exit netfence_exit(void)
{
	netfence_genl_uninit();
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
