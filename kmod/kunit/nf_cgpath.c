// SPDX-License-Identifier: GPL-2.0
/* netfence_kunit.ko carries its own copy of the logic under test. */
#include "../cgpath.c"
