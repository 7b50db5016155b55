/* SPDX-License-Identifier: GPL-2.0-only */
/* User space stand-in for the kernel's linux/types.h. */
#ifndef _RL_SHIM_TYPES_H
#define _RL_SHIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned long long u64;	/* as in the kernel */
typedef uint32_t u32;
typedef uint8_t u8;
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef unsigned int gfp_t;

#define GFP_KERNEL	1u
#define GFP_ATOMIC	2u
#define GFP_NOWAIT	4u

/* The kernel gets these from compiler_attributes.h on every build. */
#define noinline	__attribute__((__noinline__))

#define CONFIG_KUNIT	1
#define IS_ENABLED(option)	(option)

#endif
