/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the "netfence" generic-netlink family.
 */
#ifndef _NETFENCE_NETLINK_H
#define _NETFENCE_NETLINK_H

#include <linux/types.h>

struct netfence_net;

int netfence_genl_init(void);
void netfence_genl_uninit(void);

/*
 * Multicasts an event (NETFENCE_CMD_EVT_*) to the "events" group of the
 * namespace. reason is used by NETFENCE_CMD_EVT_RELEASED only. pn->lock held.
 */
void netfence_genl_event(struct netfence_net *pn, u8 cmd, u8 reason);

#endif /* _NETFENCE_NETLINK_H */
