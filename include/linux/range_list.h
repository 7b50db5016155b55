/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compact chunked lists of physical and DMA address ranges.
 *
 * See Documentation/core-api/range_list.rst.
 */
#ifndef _LINUX_RANGE_LIST_H
#define _LINUX_RANGE_LIST_H

#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <linux/minmax.h>

/**
 * DOC: Overview
 *
 * A scatterlist entry describes both what the CPU knows (page, offset,
 * length) and what a device needs (DMA address, DMA length), and costs 32
 * bytes on 64-bit machines.  Range lists separate the two:
 *
 * ``struct phys_list``
 *   CPU physical ranges: a ``phys_addr_t`` start and a length.  The memory
 *   may or may not have a ``struct page``; PCI BAR memory is fine.
 *
 * ``struct dma_list``
 *   Device ranges: a ``dma_addr_t`` start and a length, as produced by a
 *   DMA mapping.
 *
 * They are two different types on purpose: a function that needs device
 * addresses cannot be handed CPU physical addresses by mistake, and the
 * compiler says so.  Both are thin wrappers around one storage engine,
 * ``struct range_list``, so there is a single implementation to review and
 * test.  Everything is declared in ``<linux/range_list.h>``.  Users call
 * the phys_list_*() and dma_list_*() functions only; the engine's types
 * and functions are in a section of the header marked internal.
 */

/**
 * DOC: Configuration
 *
 * ``struct range_list_cfg`` (or NULL for none) sets optional limits:
 *
 * - ``max_segment``: no entry is longer; longer ranges are split;
 * - ``seg_boundary``: a mask 2^n - 1 as dma_get_seg_boundary() returns it;
 *   no entry crosses an address that is a multiple of ``seg_boundary + 1``,
 *   ranges that do are split there, and coalescing never merges across it;
 * - ``coalesce``: a range starting where the last entry ends is merged into
 *   it, up to ``max_segment`` and the next segment boundary.  Merging never
 *   moves an entry: if the merged entry needs a wider encoding and the
 *   chunk has no room, a new entry is started instead;
 * - ``max_len``, ``max_entries``: appends that would go past them fail with
 *   ``-E2BIG``;
 * - ``align``: every start and length must be a multiple of it;
 * - ``split_on_read``: ranges are stored whole (merged without regard to
 *   ``max_segment`` and ``seg_boundary``) and split only as the iterators
 *   hand them out.  Users see the same pieces, within the same limits,
 *   and the same count, but a contiguous run of any length costs one
 *   entry: what a DMA list of an IOVA range wants.
 *
 * A DMA list for a device follows the device's limits with::
 *
 *   struct range_list_cfg cfg = {
 *           .max_segment = dma_get_max_seg_size(dev),
 *           .seg_boundary = dma_get_seg_boundary(dev),
 *           .coalesce = true,
 *           .split_on_read = true,
 *   };
 *
 *   dma_list_init(&dl, &cfg);
 *
 * With ``split_on_read`` the entry count, ``max_entries`` and
 * phys_list_count() / dma_list_count() are in pieces as handed out, and
 * are computed when a range is appended, not found by walking.
 */

/**
 * DOC: Errors
 *
 * Appending a zero or misaligned range returns ``-EINVAL``; a range that
 * wraps past the end of the address space ``-EOVERFLOW``; going past a
 * configured maximum (or past 2^64 - 1 bytes in total) ``-E2BIG``; a failed
 * chunk allocation ``-ENOMEM``.  On every error the list is exactly as it
 * was before the call, including for the helpers that append many ranges.
 * An inconsistent ``struct range_list_cfg`` makes phys_list_init() and
 * dma_list_init() return ``-EINVAL``.
 */

/**
 * DOC: Examples
 *
 * Build a list from the pages of a buffer and walk it::
 *
 *   struct phys_list pl;
 *   struct phys_list_iter pi;
 *   phys_addr_t phys;
 *   u64 len;
 *   int err;
 *
 *   phys_list_init(&pl, NULL);
 *   err = phys_list_from_pages(&pl, pages, nr_pages, GFP_KERNEL);
 *   if (err)
 *           return err;
 *   phys_list_for_each(&pl, &pi, phys, len)
 *           pr_debug("%pa + %llu\n", &phys, len);
 *   phys_list_free(&pl);
 *
 * phys_list_from_pages() appends many pages in one call, which is the
 * cheapest way and all or nothing.
 *
 * Append in atomic context after reserving room for the entries::
 *
 *   err = dma_list_prealloc(&dl, nr, GFP_KERNEL);
 *   ...
 *   spin_lock(&lock);
 *   err = dma_list_append(&dl, addr, len, GFP_ATOMIC);
 *   spin_unlock(&lock);
 *
 * Walk a buffer in pieces.  The cursor keeps its place, so walking a list
 * with N entries in consecutive pieces costs O(N) in total::
 *
 *   phys_list_iter_init(&pi, &pl);
 *   for (off = 0; off < phys_list_len(&pl); off += chunk) {
 *           n = min(chunk, phys_list_len(&pl) - off);
 *           phys_list_iter_seek(&pi, off, n);
 *           while (phys_list_iter_next(&pi, &phys, &len))
 *                   copy_piece(phys, len);
 *   }
 *
 * Seeking backwards restarts from the first entry; seeking past the end
 * returns ``-ERANGE``.  phys_list_for_each() uses a lighter walk over whole
 * entries (phys_list_iter_start() and phys_list_next_entry()); a cursor
 * used that way can still be passed to phys_list_iter_seek() afterwards.
 */

struct folio;
struct page;
struct sg_table;

/* Bytes per storage chunk; entries are 8, 16 or 24 bytes wide. */
#define RANGE_LIST_CHUNK_SIZE	512

/**
 * struct range_list_cfg - Optional limits and behaviour of a range list.
 * @max_segment: Largest length of one entry; longer ranges are split.
 *	0 means no limit.
 * @seg_boundary: Segment boundary mask, as dma_get_seg_boundary() returns
 *	it: no entry crosses an address that is a multiple of
 *	@seg_boundary + 1.  Ranges that do are split there and coalescing
 *	never merges across it.  Must be 2^n - 1; 0 means no limit.
 * @max_len: Largest total length in bytes; 0 means no limit.
 * @max_entries: Largest number of entries; 0 means no limit.
 * @align: If not 0, every start address and length must be a multiple
 *	of this power of two.
 * @coalesce: Merge a range into the previous entry when it starts where
 *	that entry ends (up to @max_segment, unless @split_on_read).
 * @split_on_read: Store ranges whole and apply @max_segment and
 *	@seg_boundary when entries are handed out.
 */
struct range_list_cfg {
	u64 max_segment;
	u64 seg_boundary;
	u64 max_len;
	unsigned long max_entries;
	u32 align;
	bool coalesce;
	bool split_on_read;
};

/*
 * ---------------------------------------------------------------------
 * Internal to the range list code: do not use.
 *
 * The storage engine is visible here only so that the phys_list and
 * dma_list helpers below can be inline.  Use those helpers; the types,
 * fields and functions of this section may change at any time.
 * ---------------------------------------------------------------------
 */

/**
 * struct range_list_chunk - One fixed-size block of encoded entries.
 * @next: Next chunk of the list (or of the spare pool), or NULL.
 * @used: Number of 64-bit words of @w holding entries.
 * @w: Encoded entries; an entry never spans two chunks.
 */
struct range_list_chunk {
	struct range_list_chunk *next;
	unsigned int used;
	u64 w[];
};

/**
 * struct range_list - Storage engine shared by phys_list and dma_list.
 * @head: First chunk, or NULL when empty.
 * @tail: Chunk that receives the next entry.
 * @spare: Preallocated chunks not yet holding entries.
 * @nr_spare: Number of chunks on @spare.
 * @last: Word index in @tail of the last entry.
 * @len: Total length of all entries in bytes.
 * @nr: Number of entries, counted in pieces as handed out.
 * @bits: OR of the start addresses and lengths of the entries, and of
 *	entries since merged into others: a bit clear here is clear in
 *	every entry's start and length.
 * @max_segment: See struct range_list_cfg (0 replaced by U64_MAX).
 * @seg_boundary: See struct range_list_cfg (0 replaced by U64_MAX).
 * @max_len: See struct range_list_cfg (0 replaced by U64_MAX).
 * @max_entries: See struct range_list_cfg (0 replaced by ULONG_MAX).
 * @align: See struct range_list_cfg (0 replaced by 1).
 * @coalesce: See struct range_list_cfg.
 * @split_on_read: See struct range_list_cfg.
 *
 * Users do not touch the fields; use the phys_list or dma_list helpers.
 */
struct range_list {
	struct range_list_chunk *head;
	struct range_list_chunk *tail;
	struct range_list_chunk *spare;
	unsigned int nr_spare;
	unsigned int last;
	u64 len;
	unsigned long nr;
	u64 bits;
	u64 max_segment;
	u64 seg_boundary;
	u64 max_len;
	unsigned long max_entries;
	u32 align;
	bool coalesce;
	bool split_on_read;
};

/**
 * struct range_list_iter - Cursor into a range list.
 * @chunk: Chunk of the current entry, or NULL if the list is empty.
 * @pos: Word index of the current entry in @chunk.
 * @width: Number of words of the current entry.
 * @addr: Start address of the current entry; when walking whole entries,
 *	of the rest of a stored entry still to be handed out.
 * @elen: Length of the current entry; when walking whole entries, of
 *	that rest (0 for none).
 * @base: Byte offset in the list at which the current entry starts.
 * @off: Byte offset of the cursor.
 * @end: Byte offset at which the window being walked ends.
 * @pend: Byte offset at which the piece holding @off ends.
 * @rl: The list.
 * @next: Next word to decode when walking whole entries.
 * @stop: End of the used words of @chunk when walking whole entries.
 *
 * The cursor keeps its place: seeking forward continues from the current
 * entry, so walking a list in consecutive pieces costs O(entries) in total.
 */
struct range_list_iter {
	const struct range_list_chunk *chunk;
	unsigned int pos;
	unsigned int width;
	u64 addr;
	u64 elen;
	u64 base;
	u64 off;
	u64 end;
	u64 pend;
	const struct range_list *rl;
	const u64 *next;
	const u64 *stop;
};

int range_list_init(struct range_list *rl, const struct range_list_cfg *cfg);
void range_list_free(struct range_list *rl);
int range_list_prealloc(struct range_list *rl, unsigned long nr, gfp_t gfp);
int range_list_append(struct range_list *rl, u64 addr, u64 len, u64 addr_max,
		      gfp_t gfp);
int range_list_append_array(struct range_list *rl, const u64 *addrs,
			    unsigned long n, u64 len, u64 addr_max, gfp_t gfp);
size_t range_list_mem_bytes(const struct range_list *rl);
void range_list_iter_rewind(struct range_list_iter *it);
int range_list_iter_seek(struct range_list_iter *it, u64 offset, u64 len);

/*
 * Entry encodings, in 64-bit words whose low bits tell them apart:
 *   1 word:  bit 0 clear; bits 1..23 hold (pages - 1) and bits 24..63 the
 *            4 KiB frame number (4 KiB aligned, below 4 PiB, <= 32 GiB).
 *   2 words: bits 1..0 = 01 and bits 2..63 the length (< 2^62); then the
 *            start address.
 *   3 words: bits 1..0 = 11; then the start address and the length.
 */
#define __RANGE_LIST_GRAN_SHIFT		12
#define __RANGE_LIST_NPG_BITS		23
#define __RANGE_LIST_FRAME_SHIFT	(1 + __RANGE_LIST_NPG_BITS)
#define __RANGE_LIST_FRAME_BITS		(64 - __RANGE_LIST_FRAME_SHIFT)

/*
 * Decode the entry starting at @w into @addr and @len; return the number
 * of words it occupies.  Inline so that walking a list is cheap.
 */
static inline unsigned int __range_list_decode(const u64 *w, u64 *addr,
					       u64 *len)
{
	u64 v = w[0];

	if (likely(!(v & 1))) {
		*addr = (v >> __RANGE_LIST_FRAME_SHIFT) <<
			__RANGE_LIST_GRAN_SHIFT;
		*len = (((v >> 1) & ((1ULL << __RANGE_LIST_NPG_BITS) - 1)) + 1)
			<< __RANGE_LIST_GRAN_SHIFT;
		return 1;
	}
	*addr = w[1];
	if (!(v & 2)) {
		*len = v >> 2;
		return 2;
	}
	*len = w[2];
	return 3;
}

/*
 * Length of the first piece of (@addr, @len) as handed out: at most
 * max_segment bytes, ending at the latest on the last byte before the
 * next segment boundary.  Written so that no limit (U64_MAX) cannot wrap.
 */
static inline u64 __range_list_piece(const struct range_list *rl, u64 addr,
				     u64 len)
{
	/* Bytes after @addr up to and including the last before a boundary. */
	u64 room = (addr | rl->seg_boundary) - addr;
	u64 piece = min(len, rl->max_segment);

	return piece - 1 > room ? room + 1 : piece;
}

/* Move @it to the next entry, which must exist. */
static inline void __range_list_iter_step(struct range_list_iter *it)
{
	it->base += it->elen;
	it->pos += it->width;
	if (it->pos >= it->chunk->used) {
		it->chunk = it->chunk->next;
		it->pos = 0;
	}
	it->width = __range_list_decode(&it->chunk->w[it->pos], &it->addr,
					&it->elen);
}

/**
 * range_list_iter_init() - Start a cursor covering a whole list.
 * @it: Cursor.
 * @rl: List.
 *
 * Context: Any context.
 */
static inline void range_list_iter_init(struct range_list_iter *it,
					const struct range_list *rl)
{
	it->rl = rl;
	range_list_iter_rewind(it);
	it->off = 0;
	it->end = rl->len;
}

/**
 * range_list_iter_next_entry() - Return the next whole entry.
 * @it: Cursor started with range_list_iter_first().
 * @addr: Returns the start address of the entry.
 * @len: Returns its length.
 *
 * The cheapest way to visit every entry once.
 *
 * Context: Any context.
 * Return: true if an entry was returned, false at the end of the list.
 */
static inline bool range_list_iter_next_entry(struct range_list_iter *it,
					      u64 *addr, u64 *len)
{
	u64 piece;

	if (unlikely(it->elen)) {
		/* The rest of an entry stored whole (split_on_read). */
		piece = __range_list_piece(it->rl, it->addr, it->elen);
		*addr = it->addr;
		*len = piece;
		it->addr += piece;
		it->elen -= piece;
		return true;
	}
	if (it->next >= it->stop) {
		const struct range_list_chunk *c;

		c = it->chunk ? it->chunk->next : it->rl->head;
		if (!c)
			return false;
		it->chunk = c;
		it->next = c->w;
		it->stop = c->w + c->used;
	}
	it->next += __range_list_decode(it->next, addr, len);
	if (unlikely(it->rl->split_on_read)) {
		piece = __range_list_piece(it->rl, *addr, *len);
		it->addr = *addr + piece;
		it->elen = *len - piece;
		*len = piece;
	}
	return true;
}

/**
 * range_list_iter_first() - Start a cursor for range_list_iter_next_entry().
 * @it: Cursor.
 * @rl: List.
 *
 * Context: Any context.
 */
static inline void range_list_iter_first(struct range_list_iter *it,
					 const struct range_list *rl)
{
	it->rl = rl;
	it->chunk = NULL;
	it->next = NULL;
	it->stop = NULL;
	it->elen = 0;
	/* Make a later seek start over and a windowed walk end at once. */
	it->width = 0;
	it->base = 0;
	it->off = 0;
	it->end = 0;
}

/**
 * range_list_iter_next() - Return the next piece of a cursor's window.
 * @it: Cursor.
 * @addr: Returns the start address of the piece.
 * @len: Returns its length.
 *
 * Context: Any context.
 * Return: true if a piece was returned, false when the window is done.
 */
static inline bool range_list_iter_next(struct range_list_iter *it,
					u64 *addr, u64 *len)
{
	u64 skip;

	if (it->off >= it->end)
		return false;
	while (it->off >= it->base + it->elen)
		__range_list_iter_step(it);
	skip = it->off - it->base;
	*addr = it->addr + skip;
	/* Pieces restart at entry starts; a seek sets @pend mid-entry. */
	if (it->off >= it->pend)
		it->pend = it->off + __range_list_piece(it->rl, *addr,
							 it->elen - skip);
	*len = min(it->pend, it->end) - it->off;
	it->off += *len;
	return true;
}

/*
 * OR of the start addresses and lengths of the entries as handed out.
 * The pieces of an entry stored whole start and end at its ends, at
 * multiples of max_segment from a start, or at segment boundaries, so
 * adding the limits in covers them.
 */
static inline u64 __range_list_bits(const struct range_list *rl)
{
	u64 bits = rl->bits;

	if (rl->split_on_read && rl->nr) {
		if (rl->max_segment != U64_MAX)
			bits |= rl->max_segment;
		if (rl->seg_boundary != U64_MAX)
			bits |= rl->seg_boundary + 1;
	}
	return bits;
}

/* --------------------- End of the internal section -------------------- */

/**
 * struct phys_list - List of CPU physical address ranges.
 * @rl: Storage; do not access directly.
 *
 * Ranges are (phys_addr_t start, u64 length) and may describe memory with
 * or without a struct page, including PCI BAR memory.
 */
struct phys_list {
	struct range_list rl;
};

/**
 * struct dma_list - List of device (DMA) address ranges.
 * @rl: Storage; do not access directly.
 *
 * Ranges are (dma_addr_t start, u64 length) as produced by a DMA mapping.
 */
struct dma_list {
	struct range_list rl;
};

/**
 * struct phys_list_iter - Cursor over a phys_list.
 * @it: Engine cursor; do not access directly.
 */
struct phys_list_iter {
	struct range_list_iter it;
};

/**
 * struct dma_list_iter - Cursor over a dma_list.
 * @it: Engine cursor; do not access directly.
 */
struct dma_list_iter {
	struct range_list_iter it;
};

/**
 * phys_list_init() - Initialise an empty physical range list.
 * @pl: List to initialise.
 * @cfg: Limits and behaviour, or NULL for no limits and no coalescing.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @cfg is inconsistent (alignment not a power
 * of two, maximum segment size not a multiple of it, segment boundary
 * mask not 2^n - 1 or smaller than the alignment).
 */
static inline int phys_list_init(struct phys_list *pl,
				 const struct range_list_cfg *cfg)
{
	return range_list_init(&pl->rl, cfg);
}

/**
 * phys_list_free() - Free all storage of a physical range list.
 * @pl: List to empty.
 *
 * The list is left empty with its configuration kept and may be reused.
 *
 * Context: Any context.
 */
static inline void phys_list_free(struct phys_list *pl)
{
	range_list_free(&pl->rl);
}

/**
 * phys_list_prealloc() - Reserve storage for future appends.
 * @pl: List.
 * @nr: Number of entries that must be appendable without allocating.
 * @gfp: Allocation flags.
 *
 * After success, @nr entries can be appended with GFP_ATOMIC or GFP_NOWAIT
 * without any allocation, so appends work in atomic context.
 *
 * Context: Process context if @gfp allows sleeping, otherwise any context.
 * Return: 0 or -ENOMEM.
 */
static inline int phys_list_prealloc(struct phys_list *pl, unsigned long nr,
				     gfp_t gfp)
{
	return range_list_prealloc(&pl->rl, nr, gfp);
}

/**
 * phys_list_append() - Append a physical range.
 * @pl: List.
 * @phys: Start address.
 * @len: Length in bytes.
 * @gfp: Allocation flags used if a new chunk is needed.
 *
 * Context: Process context if @gfp allows sleeping, otherwise any context.
 * Return: 0; -EINVAL for a zero or misaligned range; -EOVERFLOW if the
 * range wraps around the address space; -E2BIG if a configured maximum
 * would be exceeded; -ENOMEM.  On error the list is unchanged.
 */
static inline int phys_list_append(struct phys_list *pl, phys_addr_t phys,
				   u64 len, gfp_t gfp)
{
	return range_list_append(&pl->rl, phys, len, PHYS_ADDR_MAX, gfp);
}

/**
 * phys_list_len() - Total length of a physical range list.
 * @pl: List.
 *
 * Context: Any context.
 * Return: Sum of the lengths of all entries in bytes.
 */
static inline u64 phys_list_len(const struct phys_list *pl)
{
	return pl->rl.len;
}

/**
 * phys_list_aligned() - Whether every range starts and ends on a boundary.
 * @pl: List.
 * @align: A power of two.
 *
 * Known without walking the list: the list keeps the bits of every start
 * address and length appended.  May say false for a list whose ranges
 * are aligned but were built from unaligned pieces merged together.
 *
 * Context: Any context.
 * Return: true if the start address and the length of every entry are
 * multiples of @align.
 */
static inline bool phys_list_aligned(const struct phys_list *pl, u64 align)
{
	return !(__range_list_bits(&pl->rl) & (align - 1));
}

/**
 * phys_list_count() - Number of entries in a physical range list.
 * @pl: List.
 *
 * Context: Any context.
 * Return: Number of entries, after coalescing and splitting.
 */
static inline unsigned long phys_list_count(const struct phys_list *pl)
{
	return pl->rl.nr;
}

/**
 * phys_list_mem_bytes() - Memory used by a physical range list.
 * @pl: List.
 *
 * Context: Any context.
 * Return: Bytes of chunk storage holding entries plus the list itself;
 * chunks reserved by phys_list_prealloc() and not yet used do not count.
 */
static inline size_t phys_list_mem_bytes(const struct phys_list *pl)
{
	return range_list_mem_bytes(&pl->rl);
}

/**
 * phys_list_iter_init() - Start a cursor at offset 0 covering the list.
 * @pi: Cursor.
 * @pl: List; it must not change while the cursor is used.
 *
 * Context: Any context.
 */
static inline void phys_list_iter_init(struct phys_list_iter *pi,
				       const struct phys_list *pl)
{
	range_list_iter_init(&pi->it, &pl->rl);
}

/**
 * phys_list_iter_seek() - Move a cursor to a sub-range of the list.
 * @pi: Cursor.
 * @offset: Byte offset in the list.
 * @len: Number of bytes to walk from @offset.
 *
 * Seeking forward continues from the current place; seeking backwards
 * restarts from the head.
 *
 * Context: Any context.
 * Return: 0, or -ERANGE if (@offset, @len) extends past the end of the list.
 */
static inline int phys_list_iter_seek(struct phys_list_iter *pi, u64 offset,
				      u64 len)
{
	return range_list_iter_seek(&pi->it, offset, len);
}

/**
 * phys_list_iter_next() - Return the next piece of the cursor's window.
 * @pi: Cursor.
 * @phys: Returns the start of the piece.
 * @len: Returns the length of the piece.
 *
 * Context: Any context.
 * Return: true if a piece was returned, false at the end of the window.
 */
static inline bool phys_list_iter_next(struct phys_list_iter *pi,
				       phys_addr_t *phys, u64 *len)
{
	u64 addr;

	if (!range_list_iter_next(&pi->it, &addr, len))
		return false;
	*phys = addr;
	return true;
}

/**
 * phys_list_iter_start() - Start a cursor for phys_list_next_entry().
 * @pi: Cursor.
 * @pl: List.
 *
 * Used by phys_list_for_each().  Such a cursor walks whole entries with
 * phys_list_next_entry(); phys_list_iter_seek() turns it into a normal
 * cursor.
 *
 * Context: Any context.
 * Return: @pi.
 */
static inline struct phys_list_iter *
phys_list_iter_start(struct phys_list_iter *pi, const struct phys_list *pl)
{
	range_list_iter_first(&pi->it, &pl->rl);
	return pi;
}

/**
 * phys_list_next_entry() - Return the next whole entry.
 * @pi: Cursor started with phys_list_iter_start().
 * @phys: Returns the start of the entry.
 * @len: Returns its length.
 *
 * Context: Any context.
 * Return: true if an entry was returned, false at the end of the list.
 */
static inline bool phys_list_next_entry(struct phys_list_iter *pi,
					phys_addr_t *phys, u64 *len)
{
	u64 addr;

	if (!range_list_iter_next_entry(&pi->it, &addr, len))
		return false;
	*phys = addr;
	return true;
}

/**
 * phys_list_for_each() - Iterate over all ranges of a physical range list.
 * @pl: List.
 * @pi: struct phys_list_iter used as the cursor.
 * @phys: phys_addr_t receiving each start address.
 * @len: u64 receiving each length.
 */
#define phys_list_for_each(pl, pi, phys, len)				\
	for (typeof(pi) __pli = phys_list_iter_start(pi, pl);		\
	     phys_list_next_entry(__pli, &(phys), &(len));)

/**
 * dma_list_init() - Initialise an empty DMA range list.
 * @dl: List to initialise.
 * @cfg: Limits and behaviour, or NULL for no limits and no coalescing.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @cfg is inconsistent.
 */
static inline int dma_list_init(struct dma_list *dl,
				const struct range_list_cfg *cfg)
{
	return range_list_init(&dl->rl, cfg);
}

/**
 * dma_list_free() - Free all storage of a DMA range list.
 * @dl: List to empty; it may be reused afterwards.
 *
 * Context: Any context.
 */
static inline void dma_list_free(struct dma_list *dl)
{
	range_list_free(&dl->rl);
}

/**
 * dma_list_prealloc() - Reserve storage for future appends.
 * @dl: List.
 * @nr: Number of entries that must be appendable without allocating.
 * @gfp: Allocation flags.
 *
 * Context: Process context if @gfp allows sleeping, otherwise any context.
 * Return: 0 or -ENOMEM.
 */
static inline int dma_list_prealloc(struct dma_list *dl, unsigned long nr,
				    gfp_t gfp)
{
	return range_list_prealloc(&dl->rl, nr, gfp);
}

/**
 * dma_list_append() - Append a DMA range.
 * @dl: List.
 * @addr: Device address.
 * @len: Length in bytes.
 * @gfp: Allocation flags used if a new chunk is needed.
 *
 * Context: Process context if @gfp allows sleeping, otherwise any context.
 * Return: 0, -EINVAL, -EOVERFLOW, -E2BIG or -ENOMEM as for
 * phys_list_append().  On error the list is unchanged.
 */
static inline int dma_list_append(struct dma_list *dl, dma_addr_t addr,
				  u64 len, gfp_t gfp)
{
	return range_list_append(&dl->rl, addr, len, (dma_addr_t)~0ULL, gfp);
}

/**
 * dma_list_len() - Total length of a DMA range list.
 * @dl: List.
 *
 * Context: Any context.
 * Return: Sum of the lengths of all entries in bytes.
 */
static inline u64 dma_list_len(const struct dma_list *dl)
{
	return dl->rl.len;
}

/**
 * dma_list_count() - Number of entries in a DMA range list.
 * @dl: List.
 *
 * Context: Any context.
 * Return: Number of entries, after coalescing and splitting.
 */
static inline unsigned long dma_list_count(const struct dma_list *dl)
{
	return dl->rl.nr;
}

/**
 * dma_list_mem_bytes() - Memory used by a DMA range list.
 * @dl: List.
 *
 * Context: Any context.
 * Return: As for phys_list_mem_bytes().
 */
static inline size_t dma_list_mem_bytes(const struct dma_list *dl)
{
	return range_list_mem_bytes(&dl->rl);
}

/**
 * dma_list_iter_init() - Start a cursor at offset 0 covering the list.
 * @di: Cursor.
 * @dl: List; it must not change while the cursor is used.
 *
 * Context: Any context.
 */
static inline void dma_list_iter_init(struct dma_list_iter *di,
				      const struct dma_list *dl)
{
	range_list_iter_init(&di->it, &dl->rl);
}

/**
 * dma_list_iter_seek() - Move a cursor to a sub-range of the list.
 * @di: Cursor.
 * @offset: Byte offset in the list.
 * @len: Number of bytes to walk from @offset.
 *
 * Context: Any context.
 * Return: 0, or -ERANGE if (@offset, @len) extends past the end of the list.
 */
static inline int dma_list_iter_seek(struct dma_list_iter *di, u64 offset,
				     u64 len)
{
	return range_list_iter_seek(&di->it, offset, len);
}

/**
 * dma_list_iter_next() - Return the next piece of the cursor's window.
 * @di: Cursor.
 * @addr: Returns the device address of the piece.
 * @len: Returns the length of the piece.
 *
 * Context: Any context.
 * Return: true if a piece was returned, false at the end of the window.
 */
static inline bool dma_list_iter_next(struct dma_list_iter *di,
				      dma_addr_t *addr, u64 *len)
{
	u64 a;

	if (!range_list_iter_next(&di->it, &a, len))
		return false;
	*addr = a;
	return true;
}

/**
 * dma_list_iter_start() - Start a cursor for dma_list_next_entry().
 * @di: Cursor.
 * @dl: List.
 *
 * Used by dma_list_for_each().  Such a cursor walks whole entries with
 * dma_list_next_entry(); dma_list_iter_seek() turns it into a normal
 * cursor.
 *
 * Context: Any context.
 * Return: @di.
 */
static inline struct dma_list_iter *
dma_list_iter_start(struct dma_list_iter *di, const struct dma_list *dl)
{
	range_list_iter_first(&di->it, &dl->rl);
	return di;
}

/**
 * dma_list_next_entry() - Return the next whole entry.
 * @di: Cursor started with dma_list_iter_start().
 * @addr: Returns the device address of the entry.
 * @len: Returns its length.
 *
 * Context: Any context.
 * Return: true if an entry was returned, false at the end of the list.
 */
static inline bool dma_list_next_entry(struct dma_list_iter *di,
				       dma_addr_t *addr, u64 *len)
{
	u64 a;

	if (!range_list_iter_next_entry(&di->it, &a, len))
		return false;
	*addr = a;
	return true;
}

/**
 * dma_list_for_each() - Iterate over all ranges of a DMA range list.
 * @dl: List.
 * @di: struct dma_list_iter used as the cursor.
 * @addr: dma_addr_t receiving each start address.
 * @len: u64 receiving each length.
 */
#define dma_list_for_each(dl, di, addr, len)				\
	for (typeof(di) __dli = dma_list_iter_start(di, dl);		\
	     dma_list_next_entry(__dli, &(addr), &(len));)

/* Page, folio and scatterlist glue (lib/range_list_sg.c). */
int phys_list_append_page(struct phys_list *pl, struct page *page,
			  unsigned long offset, u64 len, gfp_t gfp);
int phys_list_append_folio(struct phys_list *pl, struct folio *folio,
			   size_t offset, size_t len, gfp_t gfp);
int phys_list_from_pages(struct phys_list *pl, struct page **pages,
			 unsigned long nr_pages, gfp_t gfp);
int phys_list_from_folios(struct phys_list *pl, struct folio **folios,
			  unsigned long nr_folios, gfp_t gfp);
int phys_list_from_sgt(struct phys_list *pl, const struct sg_table *sgt,
		       gfp_t gfp);
int dma_list_from_sgt(struct dma_list *dl, const struct sg_table *sgt,
		      gfp_t gfp);
int phys_list_to_sgt_segs(const struct phys_list *pl, struct sg_table *sgt,
			  u64 max_seg, u64 boundary, gfp_t gfp);
int phys_list_to_sgt(const struct phys_list *pl, struct sg_table *sgt,
		     gfp_t gfp);
void phys_list_free_sgt(struct sg_table *sgt);
int dma_list_to_sgt(const struct dma_list *dl, struct sg_table *sgt,
		    gfp_t gfp);
void dma_list_free_sgt(struct sg_table *sgt);

#endif /* _LINUX_RANGE_LIST_H */
