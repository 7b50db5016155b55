/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Range lists: declarations private to lib/range_list*.c and their tests.
 *
 * Nothing here is part of the range list API; users include
 * <linux/range_list.h> and call the phys_list and dma_list helpers.
 */
#ifndef _LIB_RANGE_LIST_INTERNAL_H
#define _LIB_RANGE_LIST_INTERNAL_H

#include <linux/range_list.h>

/* Words of entries in one chunk. */
#define RANGE_LIST_CHUNK_WORDS						\
	((RANGE_LIST_CHUNK_SIZE - sizeof(struct range_list_chunk)) / sizeof(u64))

/**
 * struct range_list_mark - Saved state for range_list_rollback().
 * @tail: Tail chunk at the time of the mark.
 * @used: Words used in @tail.
 * @last: Index of the last entry in @tail.
 * @len: Total length.
 * @nr: Number of entries.
 * @bits: Address and length bits.
 * @w: Copy of the last entry, which coalescing may rewrite.
 */
struct range_list_mark {
	struct range_list_chunk *tail;
	unsigned int used;
	unsigned int last;
	u64 len;
	unsigned long nr;
	u64 bits;
	u64 w[3];
};

void range_list_mark(const struct range_list *rl, struct range_list_mark *m);
void range_list_rollback(struct range_list *rl,
			 const struct range_list_mark *m);

#if IS_ENABLED(CONFIG_KUNIT)
struct range_list_chunk *range_list_alloc_chunk(gfp_t gfp);
#endif

#endif /* _LIB_RANGE_LIST_INTERNAL_H */
