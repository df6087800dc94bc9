/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netfence: <crypto/sha2.h> for kernels that still call it <crypto/sha.h>
 * (before 5.11). Kbuild puts kmod/compat/ on the include path only when
 * the kernel's headers have no crypto/sha2.h (see kmod/compat.h).
 */
#ifndef _NETFENCE_COMPAT_CRYPTO_SHA2_H
#define _NETFENCE_COMPAT_CRYPTO_SHA2_H

#include <crypto/sha.h>

#endif /* _NETFENCE_COMPAT_CRYPTO_SHA2_H */
