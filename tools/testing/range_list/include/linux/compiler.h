/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _RL_SHIM_COMPILER_H
#define _RL_SHIM_COMPILER_H
#include <sys/cdefs.h>	/* glibc's __always_inline */
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
