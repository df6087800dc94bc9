// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: the link-layer stage's per-device hooks.
 *
 * Netdev hooks belong to one device: an isolated namespace hooks each of
 * its devices, follows devices registered in or moved into it (device
 * notifier), and lets go of a device before it leaves. Everything here
 * runs under RTNL, which the notifier already holds; the notifier never
 * takes pn->lock, so the order pn->lock, then RTNL, holds everywhere.
 */
#include <linux/if_arp.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "hooks.h"
#include "link.h"
#include "netns.h"

struct netfence_link_dev {
	struct list_head list;
	struct net_device *dev;
	unsigned int nops;
	struct nf_hook_ops ops[2];	/* egress, then ingress (Ethernet only) */
};

static void netfence_link_attach(struct netfence_net *pn, struct net_device *dev)
{
	struct netfence_link_dev *ld;
	int err;

	ASSERT_RTNL();
	if (dev->flags & IFF_LOOPBACK)
		return;
	ld = kzalloc(sizeof(*ld), GFP_KERNEL_ACCOUNT);
	if (!ld)
		goto err;
	ld->dev = dev;
	netfence_hooks_link_init(pn, dev, &ld->ops[0], &ld->ops[1]);
	/* Frames of other link types are not parsed on the way in. */
	ld->nops = dev->type == ARPHRD_ETHER ? 2 : 1;
	err = nf_register_net_hooks(dev_net(dev), ld->ops, ld->nops);
	if (err) {
		kfree(ld);
		goto err;
	}
	list_add(&ld->list, &pn->link_devs);
	WRITE_ONCE(pn->link_ndevs, pn->link_ndevs + 1);
	return;
err:
	net_warn_ratelimited("netfence: no link-layer stage on %s\n", dev->name);
}

static void netfence_link_detach(struct netfence_net *pn, struct netfence_link_dev *ld)
{
	nf_unregister_net_hooks(dev_net(ld->dev), ld->ops, ld->nops);
	list_del(&ld->list);
	WRITE_ONCE(pn->link_ndevs, pn->link_ndevs - 1);
	kfree(ld);
}

void netfence_link_start(struct netfence_net *pn)
{
	struct net_device *dev;

	lockdep_assert_held(&pn->lock);
	if (!IS_ENABLED(CONFIG_NETFILTER_EGRESS))
		return;
	rtnl_lock();
	pn->link_on = true;
	for_each_netdev(pn->net, dev)
		netfence_link_attach(pn, dev);
	rtnl_unlock();
}

void netfence_link_stop(struct netfence_net *pn)
{
	struct netfence_link_dev *ld, *tmp;

	lockdep_assert_held(&pn->lock);
	rtnl_lock();
	pn->link_on = false;
	list_for_each_entry_safe(ld, tmp, &pn->link_devs, list)
		netfence_link_detach(pn, ld);
	rtnl_unlock();
}

static int netfence_link_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netfence_net *pn = netfence_net(dev_net(dev));
	struct netfence_link_dev *ld;

	switch (event) {
	case NETDEV_REGISTER:
		if (pn->link_on)
			netfence_link_attach(pn, dev);
		break;
	case NETDEV_UNREGISTER:
		list_for_each_entry(ld, &pn->link_devs, list) {
			if (ld->dev == dev) {
				netfence_link_detach(pn, ld);
				break;
			}
		}
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block netfence_link_notifier = {
	.notifier_call = netfence_link_event,
};

int netfence_link_init(void)
{
	return register_netdevice_notifier(&netfence_link_notifier);
}

void netfence_link_uninit(void)
{
	unregister_netdevice_notifier(&netfence_link_notifier);
}
