/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _RL_SHIM_COMPILER_H
#define _RL_SHIM_COMPILER_H
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#endif
