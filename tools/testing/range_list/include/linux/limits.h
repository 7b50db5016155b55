/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _RL_SHIM_LIMITS_H
#define _RL_SHIM_LIMITS_H

#include <limits.h>

#define U64_MAX		UINT64_MAX
#define PHYS_ADDR_MAX	(~(phys_addr_t)0)

#endif
