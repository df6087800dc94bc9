// SPDX-License-Identifier: GPL-2.0
/*
 * netfence_kunit.ko carries its own copy of the logic under test, with the
 * rule limit in a variable so the limit can be tested with a few rules.
 */
#include "netfence_kunit.h"

u32 netfence_kunit_max_rules = NETFENCE_MAX_RULES;

#define NETFENCE_BUILDER_MAX_RULES	netfence_kunit_max_rules
#include "../policy.c"
