// SPDX-License-Identifier: GPL-2.0-only
/* User space implementation of the few kernel services range_list.c uses. */
#include <stdio.h>
#include <stdlib.h>
#include <linux/slab.h>

struct kmem_cache {
	unsigned int size;
};

long shim_live_objects;
void *shim_stub_hook;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *c = malloc(sizeof(*c));

	if (!c) {
		fprintf(stderr, "cannot create cache %s\n", name);
		abort();
	}
	c->size = size;
	return c;
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	void *p = malloc(cache->size);

	if (p)
		shim_live_objects++;
	return p;
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	if (obj)
		shim_live_objects--;
	free(obj);
}
