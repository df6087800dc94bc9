/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: the link-layer stage's per-device hooks (see hooks.c for what
 * they do with a frame).
 */
#ifndef _NETFENCE_LINK_H
#define _NETFENCE_LINK_H

struct netfence_net;

/*
 * Hooks every device of the namespace, and from now on every device
 * registered in or moved into it; pn->lock held, takes RTNL. A device that
 * cannot be hooked is reported (status: link devices), not fatal.
 */
void netfence_link_start(struct netfence_net *pn);
/* Unhooks them all; pn->lock held, takes RTNL. */
void netfence_link_stop(struct netfence_net *pn);

int netfence_link_init(void);
void netfence_link_uninit(void);

#endif /* _NETFENCE_LINK_H */
