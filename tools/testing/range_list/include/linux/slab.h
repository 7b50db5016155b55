/* SPDX-License-Identifier: GPL-2.0-only */
/* kmem_cache on top of malloc, with a live object count for leak checks. */
#ifndef _RL_SHIM_SLAB_H
#define _RL_SHIM_SLAB_H

#include <linux/types.h>

#define SLAB_PANIC	1u

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *));
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
extern long shim_live_objects;

#endif
