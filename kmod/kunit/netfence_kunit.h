/* SPDX-License-Identifier: GPL-2.0 */
/* netfence: hooks of the logic under test that only the KUnit module has. */
#ifndef _NETFENCE_KUNIT_H
#define _NETFENCE_KUNIT_H

#include <linux/types.h>
#include <uapi/linux/netfence.h>

/* Rule limit of the builder (NETFENCE_MAX_RULES unless a test lowers it). */
extern u32 netfence_kunit_max_rules;

#endif /* _NETFENCE_KUNIT_H */
