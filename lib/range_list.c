// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compact chunked lists of address ranges: the storage engine behind
 * struct phys_list and struct dma_list.
 *
 * Entries live in fixed-size chunks from a kmem_cache and never move once
 * written.  Each entry takes the narrowest of three encodings (1, 2 or 3
 * 64-bit words), described with __range_list_decode() in the header.
 *
 * This file is also built in user space by tools/testing/range_list.
 */

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/range_list.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "range_list_internal.h"

/**
 * DOC: Storage
 *
 * Entries are appended to 512-byte chunks taken from a kmem_cache.
 * Appending is O(1), entries never move once written, and the total length
 * and the number of entries are kept up to date, so reading them is O(1)
 * too.  Each entry uses the smallest of three encodings:
 *
 * - 8 bytes for a 4 KiB aligned range below 4 PiB and at most 32 GiB long,
 *   which covers page and folio ranges of ordinary memory;
 * - 16 bytes for any other range shorter than 2^62 bytes;
 * - 24 bytes otherwise.
 *
 * A list of scattered 4 KiB pages therefore costs about 8.3 bytes per entry
 * (62 entries per chunk), against 32.25 for a chained scatterlist.
 * phys_list_mem_bytes() and dma_list_mem_bytes() report what a list uses.
 *
 * A list configured with ``split_on_read`` stores every range (or run of
 * merged ranges) as one entry whatever its length, and keeps ``nr`` in
 * pieces as the iterators hand them out: rl_pieces() computes how many
 * an entry makes when it is appended or grows, so the count stays O(1)
 * and ``max_entries`` still limits what a user sees.
 *
 * Functions that append many ranges (phys_list_from_pages() and the other
 * helpers) save the state of the list first and restore it on error, so a
 * failure anywhere leaves the list exactly as it was; chunks taken in the
 * meantime stay with the list as spares for later appends.
 */

#define RL_GRAN_MASK	((1ULL << __RANGE_LIST_GRAN_SHIFT) - 1)
#define RL_TAG_WIDE	1ULL
#define RL_TAG_WIDEST	3ULL
#define RL_LEN2_MAX	((1ULL << 62) - 1)
/* Highest start address of a 1-word entry. */
#define RL_COMPACT_MAX							\
	((1ULL << (__RANGE_LIST_GRAN_SHIFT + __RANGE_LIST_FRAME_BITS)) - 1)

static struct kmem_cache *range_list_cache;

static unsigned int rl_width(u64 addr, u64 len)
{
	if (!((addr | len) & RL_GRAN_MASK) &&
	    (addr >> __RANGE_LIST_GRAN_SHIFT) <
	    (1ULL << __RANGE_LIST_FRAME_BITS) &&
	    ((len >> __RANGE_LIST_GRAN_SHIFT) - 1) <
	    (1ULL << __RANGE_LIST_NPG_BITS))
		return 1;
	if (len <= RL_LEN2_MAX)
		return 2;
	return 3;
}

static void rl_encode(u64 *w, unsigned int width, u64 addr, u64 len)
{
	switch (width) {
	case 1:
		w[0] = (addr >> __RANGE_LIST_GRAN_SHIFT) <<
		       __RANGE_LIST_FRAME_SHIFT |
		       ((len >> __RANGE_LIST_GRAN_SHIFT) - 1) << 1;
		break;
	case 2:
		w[0] = len << 2 | RL_TAG_WIDE;
		w[1] = addr;
		break;
	default:
		w[0] = RL_TAG_WIDEST;
		w[1] = addr;
		w[2] = len;
		break;
	}
}

/**
 * range_list_alloc_chunk() - Allocate one storage chunk.
 * @gfp: Allocation flags.
 *
 * Tests may replace this function through a KUnit static stub to make
 * allocations fail.
 *
 * Context: As allowed by @gfp.
 * Return: A chunk or NULL.
 */
VISIBLE_IF_KUNIT struct range_list_chunk *range_list_alloc_chunk(gfp_t gfp)
{
	KUNIT_STATIC_STUB_REDIRECT(range_list_alloc_chunk, gfp);
	return kmem_cache_alloc(range_list_cache, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(range_list_alloc_chunk);

static void rl_free_chain(struct range_list_chunk *c)
{
	while (c) {
		struct range_list_chunk *next = c->next;

		kmem_cache_free(range_list_cache, c);
		c = next;
	}
}

/**
 * range_list_init() - Initialise an empty range list.
 * @rl: List.
 * @cfg: Limits and behaviour, or NULL for none.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @cfg->align is not 0 or a power of two, if
 * @cfg->max_segment is not a multiple of it, if @cfg->seg_boundary is not
 * 0 or 2^n - 1, or if @cfg->seg_boundary + 1 is not a multiple of
 * @cfg->align.  @rl is initialised (without limits) even on error so that
 * freeing it is safe.
 */
int range_list_init(struct range_list *rl, const struct range_list_cfg *cfg)
{
	*rl = (struct range_list) {
		.max_segment = U64_MAX,
		.seg_boundary = U64_MAX,
		.max_len = U64_MAX,
		.max_entries = ULONG_MAX,
		.align = 1,
	};
	if (!cfg)
		return 0;
	if (cfg->align && !is_power_of_2(cfg->align))
		return -EINVAL;
	if (cfg->align && (cfg->max_segment & (cfg->align - 1)))
		return -EINVAL;
	/* 2^n - 1: adding one clears every set bit (U64_MAX wraps to 0). */
	if (cfg->seg_boundary & (cfg->seg_boundary + 1))
		return -EINVAL;
	/* A boundary every seg_boundary + 1 bytes must keep the alignment. */
	if (cfg->align && cfg->seg_boundary &&
	    cfg->seg_boundary < cfg->align - 1)
		return -EINVAL;
	if (cfg->max_segment)
		rl->max_segment = cfg->max_segment;
	if (cfg->seg_boundary)
		rl->seg_boundary = cfg->seg_boundary;
	if (cfg->max_len)
		rl->max_len = cfg->max_len;
	if (cfg->max_entries)
		rl->max_entries = cfg->max_entries;
	if (cfg->align)
		rl->align = cfg->align;
	rl->coalesce = cfg->coalesce;
	rl->split_on_read = cfg->split_on_read;
	return 0;
}
EXPORT_SYMBOL_GPL(range_list_init);

/**
 * range_list_free() - Free all chunks of a range list.
 * @rl: List; left empty, with its configuration, ready for reuse.
 *
 * Context: Any context.
 */
void range_list_free(struct range_list *rl)
{
	rl_free_chain(rl->head);
	rl_free_chain(rl->spare);
	rl->head = NULL;
	rl->tail = NULL;
	rl->spare = NULL;
	rl->nr_spare = 0;
	rl->last = 0;
	rl->len = 0;
	rl->nr = 0;
	rl->bits = 0;
}
EXPORT_SYMBOL_GPL(range_list_free);

static unsigned long rl_capacity(const struct range_list *rl)
{
	unsigned long cap = (unsigned long)rl->nr_spare *
			    (RANGE_LIST_CHUNK_WORDS / 3);

	if (rl->tail)
		cap += (RANGE_LIST_CHUNK_WORDS - rl->tail->used) / 3;
	return cap;
}

/**
 * range_list_prealloc() - Reserve chunks for future appends.
 * @rl: List.
 * @nr: Number of entries (of any encoding) to make room for.
 * @gfp: Allocation flags.
 *
 * Context: As allowed by @gfp.
 * Return: 0, or -ENOMEM (chunks allocated so far stay reserved).
 */
int range_list_prealloc(struct range_list *rl, unsigned long nr, gfp_t gfp)
{
	while (rl_capacity(rl) < nr) {
		struct range_list_chunk *c = range_list_alloc_chunk(gfp);

		if (!c)
			return -ENOMEM;
		c->next = rl->spare;
		rl->spare = c;
		rl->nr_spare++;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(range_list_prealloc);

/**
 * range_list_mark() - Save the state of a list before several appends.
 * @rl: List.
 * @m: Receives the state.
 *
 * Context: Any context.
 */
void range_list_mark(const struct range_list *rl, struct range_list_mark *m)
{
	m->tail = rl->tail;
	m->used = rl->tail ? rl->tail->used : 0;
	m->last = rl->last;
	m->len = rl->len;
	m->nr = rl->nr;
	m->bits = rl->bits;
	if (rl->nr)
		memcpy(m->w, &rl->tail->w[rl->last],
		       (m->used - m->last) * sizeof(u64));
}
EXPORT_SYMBOL_IF_KUNIT(range_list_mark);

/**
 * range_list_rollback() - Undo the appends made since range_list_mark().
 * @rl: List.
 * @m: State saved by range_list_mark(); no other change may have happened
 *	in between.
 *
 * Chunks no longer needed go to the spare pool of the list.
 *
 * Context: Any context.
 */
void range_list_rollback(struct range_list *rl,
			 const struct range_list_mark *m)
{
	struct range_list_chunk *extra;

	if (m->tail) {
		extra = m->tail->next;
		m->tail->next = NULL;
	} else {
		extra = rl->head;
		rl->head = NULL;
	}
	while (extra) {
		struct range_list_chunk *next = extra->next;

		extra->next = rl->spare;
		rl->spare = extra;
		rl->nr_spare++;
		extra = next;
	}
	rl->tail = m->tail;
	rl->last = m->last;
	rl->len = m->len;
	rl->nr = m->nr;
	rl->bits = m->bits;
	if (m->tail) {
		m->tail->used = m->used;
		if (m->nr)
			memcpy(&m->tail->w[m->last], m->w,
			       (m->used - m->last) * sizeof(u64));
	}
}
EXPORT_SYMBOL_IF_KUNIT(range_list_rollback);

/* Try to grow the last entry by @len bytes; true on success. */
static bool rl_extend_last(struct range_list *rl, u64 len)
{
	struct range_list_chunk *t = rl->tail;
	u64 addr, elen;
	unsigned int old, new;

	old = __range_list_decode(&t->w[rl->last], &addr, &elen);
	new = rl_width(addr, elen + len);
	if (new > old && rl->last + new > RANGE_LIST_CHUNK_WORDS)
		return false;
	rl_encode(&t->w[rl->last], new, addr, elen + len);
	t->used = rl->last + new;
	rl->bits |= elen + len;
	return true;
}

/* Add an entry that counts as @pieces; see rl_pieces(). */
static int rl_add_entry(struct range_list *rl, u64 addr, u64 len, u64 pieces,
			gfp_t gfp)
{
	struct range_list_chunk *t = rl->tail;
	unsigned int width = rl_width(addr, len);

	if (pieces > rl->max_entries - rl->nr)
		return -E2BIG;
	if (!t || t->used + width > RANGE_LIST_CHUNK_WORDS) {
		struct range_list_chunk *c = rl->spare;

		if (c) {
			rl->spare = c->next;
			rl->nr_spare--;
		} else {
			c = range_list_alloc_chunk(gfp);
			if (!c)
				return -ENOMEM;
		}
		c->next = NULL;
		c->used = 0;
		if (t)
			t->next = c;
		else
			rl->head = c;
		rl->tail = c;
		t = c;
	}
	rl->last = t->used;
	rl_encode(&t->w[t->used], width, addr, len);
	t->used += width;
	rl->nr += pieces;
	rl->bits |= addr | len;
	return 0;
}

/*
 * Longest entry that may start at @addr: at most max_segment bytes, and
 * ending at the latest on the last byte before the next segment boundary.
 */
static u64 rl_seg_limit(const struct range_list *rl, u64 addr)
{
	return __range_list_piece(rl, addr, U64_MAX);
}

/* Pieces of @len >= 1 bytes at most @max long. */
static u64 rl_div_up(u64 len, u64 max)
{
	return div64_u64(len - 1, max) + 1;
}

/*
 * Number of pieces the iterators cut (@addr, @len) into: one up to the
 * first segment boundary, then a number per whole segment, then the rest;
 * each part in max_segment steps.  What a walk would count, in O(1).
 */
static u64 rl_pieces(const struct range_list *rl, u64 addr, u64 len)
{
	u64 bmask = rl->seg_boundary, first, n;

	if (bmask == U64_MAX)
		return rl_div_up(len, rl->max_segment);
	first = min(len, bmask - (addr & bmask) + 1);
	n = rl_div_up(first, rl->max_segment);
	len -= first;
	/* The rest starts on a boundary: whole segments, then a tail. */
	n += (len >> ilog2(bmask + 1)) * rl_div_up(bmask + 1, rl->max_segment);
	if (len & bmask)
		n += rl_div_up(len & bmask, rl->max_segment);
	return n;
}

/*
 * Number of bytes of (@addr, @len) that can be merged into the last entry,
 * or 0 if it cannot.
 */
static u64 rl_mergeable(const struct range_list *rl, u64 addr, u64 len)
{
	u64 laddr, llen;

	if (!rl->coalesce || !rl->nr)
		return 0;
	__range_list_decode(&rl->tail->w[rl->last], &laddr, &llen);
	/* laddr + llen cannot overflow: a range never ends past U64_MAX. */
	if (laddr + llen - 1 == U64_MAX || laddr + llen != addr)
		return 0;
	if (rl->split_on_read)
		return len;
	if (llen >= rl->max_segment)
		return 0;
	/* @addr on a segment boundary starts a new segment. */
	if (!(addr & rl->seg_boundary))
		return 0;
	return min3(len, rl->max_segment - llen, rl_seg_limit(rl, addr));
}

/* Merge into the last entry and/or split into several; all or nothing. */
static noinline int rl_append_slow(struct range_list *rl, u64 addr, u64 len,
				   gfp_t gfp)
{
	struct range_list_mark m;
	int err;

	range_list_mark(rl, &m);
	while (len) {
		u64 part = rl_mergeable(rl, addr, len);

		if (!part || !rl_extend_last(rl, part)) {
			part = min(len, rl_seg_limit(rl, addr));
			err = rl_add_entry(rl, addr, part, 1, gfp);
			if (err) {
				range_list_rollback(rl, &m);
				return err;
			}
		}
		addr += part;
		len -= part;
	}
	return 0;
}

/*
 * split_on_read: merge into the last entry or add one, never split; the
 * count grows by the pieces the merge or the new entry adds.
 */
static noinline int rl_append_whole(struct range_list *rl, u64 addr, u64 len,
				    gfp_t gfp)
{
	u64 laddr, llen, more;

	if (rl_mergeable(rl, addr, len)) {
		__range_list_decode(&rl->tail->w[rl->last], &laddr, &llen);
		/* Fits: the list's total length, llen included, fits. */
		more = rl_pieces(rl, laddr, llen + len) -
		       rl_pieces(rl, laddr, llen);
		/* Merging never adds more pieces than a new entry would. */
		if (more > rl->max_entries - rl->nr)
			return -E2BIG;
		if (rl_extend_last(rl, len)) {
			rl->nr += more;
			return 0;
		}
	}
	return rl_add_entry(rl, addr, len, rl_pieces(rl, addr, len), gfp);
}

/**
 * range_list_append() - Append a range, merging or splitting as configured.
 * @rl: List.
 * @addr: Start address.
 * @len: Length in bytes.
 * @addr_max: Largest valid address of the list's address space.
 * @gfp: Allocation flags for new chunks.
 *
 * Context: As allowed by @gfp; any context after range_list_prealloc().
 * Return: 0; -EINVAL for zero length or misalignment; -EOVERFLOW if the
 * range ends past @addr_max; -E2BIG past a configured maximum; -ENOMEM.
 * On error the list is unchanged.
 */
int range_list_append(struct range_list *rl, u64 addr, u64 len, u64 addr_max,
		      gfp_t gfp)
{
	u64 total;
	int err;

	if (!len || ((addr | len) & (rl->align - 1)))
		return -EINVAL;
	if (addr > addr_max || len - 1 > addr_max - addr)
		return -EOVERFLOW;
	if (check_add_overflow(rl->len, len, &total) || total > rl->max_len)
		return -E2BIG;

	/* Fast path: one new entry, nothing to undo on failure. */
	if (len <= rl_seg_limit(rl, addr) && !rl_mergeable(rl, addr, len))
		err = rl_add_entry(rl, addr, len, 1, gfp);
	else if (rl->split_on_read)
		err = rl_append_whole(rl, addr, len, gfp);
	else
		err = rl_append_slow(rl, addr, len, gfp);
	if (!err)
		rl->len = total;
	return err;
}
EXPORT_SYMBOL_GPL(range_list_append);

/*
 * The inner loop of range_list_append_array(): encode up to @k addresses
 * as 1-word entries of one length (@lenbits) and stop at the first that
 * needs more: one outside @fmask/@fmax, one crossing a segment boundary
 * (if @check_seg) or one continuing the previous range of @len bytes (if
 * @coalesce, from @prev_end).  Returns how many were written.  Specialised by its
 * constant flags so that a list without a boundary or coalescing keeps
 * every value in a register: in an emulated guest, each memory access
 * per page costs more than the arithmetic.
 */
static __always_inline unsigned long
rl_fill_compact(u64 *w, const u64 *addrs, unsigned long k, u64 len,
		u64 lenbits, u64 fmask, u64 fmax, u64 bmask, u64 bmax, bool check_seg,
		bool coalesce, u64 prev_end, u64 *bits)
{
	u64 addr, seen = 0, end = prev_end;
	unsigned long j;

	for (j = 0; j < k; j++) {
		addr = addrs[j];
		if ((addr & fmask) || addr > fmax)
			break;
		if (check_seg && (addr & bmask) > bmax)
			break;
		if (coalesce && addr == end)
			break;
		w[j] = (addr >> __RANGE_LIST_GRAN_SHIFT) <<
		       __RANGE_LIST_FRAME_SHIFT | lenbits;
		seen |= addr;
		if (coalesce)
			end = addr + len;
	}
	*bits |= seen;
	return j;
}

/* Out of line, so that the loop gets registers of its own. */
static noinline unsigned long
rl_fill_plain(u64 *w, const u64 *addrs, unsigned long k, u64 lenbits,
	      u64 fmask, u64 fmax, u64 *bits)
{
	return rl_fill_compact(w, addrs, k, 0, lenbits, fmask, fmax, 0, 0,
			       false, false, 0, bits);
}

static noinline unsigned long
rl_fill_checked(u64 *w, const u64 *addrs, unsigned long k, u64 len,
		u64 lenbits, u64 fmask, u64 fmax, u64 bmask, u64 bmax,
		bool coalesce, u64 prev_end, u64 *bits)
{
	if (coalesce)
		return rl_fill_compact(w, addrs, k, len, lenbits, fmask, fmax,
				       bmask, bmax, true, true, prev_end, bits);
	return rl_fill_compact(w, addrs, k, len, lenbits, fmask, fmax, bmask,
			       bmax, true, false, prev_end, bits);
}

/**
 * range_list_append_array() - Append ranges of equal length.
 * @rl: List.
 * @addrs: Start addresses.
 * @n: Number of entries in @addrs.
 * @len: Length of every range.
 * @addr_max: Largest valid address of the list's address space.
 * @gfp: Allocation flags for new chunks.
 *
 * Same as calling range_list_append() for each address, but faster, and
 * all or nothing: on error no range was appended.
 *
 * Context: As allowed by @gfp; any context after range_list_prealloc().
 * Return: 0 or an error as for range_list_append().
 */
int range_list_append_array(struct range_list *rl, const u64 *addrs,
			    unsigned long n, u64 len, u64 addr_max, gfp_t gfp)
{
	struct range_list_chunk *t;
	struct range_list_mark m;
	u64 bytes, total, amask, amax, lenbits, fmask, fmax, prev_end = 0;
	u64 bmask, bmax, bits = 0;
	unsigned long i, nr, max_nr;
	unsigned int used, last;
	bool compact, plain;
	int err = 0;

	if (!n)
		return 0;
	if (!len || (len & (rl->align - 1)))
		return -EINVAL;
	if (len - 1 > addr_max)
		return -EOVERFLOW;
	if (check_mul_overflow(len, (u64)n, &bytes) ||
	    check_add_overflow(rl->len, bytes, &total) || total > rl->max_len)
		return -E2BIG;

	range_list_mark(rl, &m);
	if (len > rl->max_segment || len - 1 > rl->seg_boundary) {
		for (i = 0; i < n && !err; i++)
			err = range_list_append(rl, addrs[i], len, addr_max, gfp);
		goto out;
	}
	/*
	 * When coalescing, an address that continues the previous range goes
	 * through range_list_append(), which merges; so does one whose range
	 * crosses a segment boundary, which it splits.  All others are new
	 * entries.  prev_end may match by accident (nothing before, or a
	 * range ending at the top of the address space): that only costs
	 * the slow path, which then declines to merge.
	 */
	if (rl->coalesce && rl->nr) {
		u64 laddr, llen;

		__range_list_decode(&rl->tail->w[rl->last], &laddr, &llen);
		prev_end = laddr + llen;
	}

	/* Keep the tail state in locals; write it back at chunk changes. */
	t = rl->tail;
	used = t ? t->used : 0;
	last = rl->last;
	nr = rl->nr;
	amask = rl->align - 1;
	amax = addr_max - (len - 1);
	max_nr = rl->max_entries;
	/* A range crosses a boundary iff its offset in the segment is past. */
	bmask = rl->seg_boundary;
	bmax = bmask - (len - 1);
	/* 1-word entries need only the address folded in when len fits. */
	compact = rl_width(0, len) == 1;
	lenbits = ((len >> __RANGE_LIST_GRAN_SHIFT) - 1) << 1;
	fmask = amask | RL_GRAN_MASK;
	fmax = min(amax, RL_COMPACT_MAX);
	plain = !rl->coalesce && bmask == U64_MAX;
	i = 0;
	while (i < n) {
		u64 addr;
		unsigned int width;

		if (compact && t) {
			/* Tight loop while entries fit this chunk in one word. */
			unsigned long j, k = min(n - i, max_nr - nr);
			u64 *w = &t->w[used];

			k = min_t(unsigned long, k, RANGE_LIST_CHUNK_WORDS - used);
			if (plain)
				j = rl_fill_plain(w, addrs + i, k, lenbits,
						  fmask, fmax, &bits);
			else
				j = rl_fill_checked(w, addrs + i, k, len,
						    lenbits, fmask, fmax, bmask,
						    bmax, rl->coalesce,
						    prev_end, &bits);
			if (j) {
				prev_end = addrs[i + j - 1] + len;
				last = used + j - 1;
				used += j;
				nr += j;
				i += j;
				if (i == n)
					break;
			}
		}
		addr = addrs[i];
		if ((addr & amask) || addr > amax) {
			err = (addr & amask) ? -EINVAL : -EOVERFLOW;
			break;
		}
		if ((rl->coalesce && addr == prev_end) ||
		    (addr & bmask) > bmax) {
			/* range_list_append() merges or splits; take its state. */
			if (t)
				t->used = used;
			rl->last = last;
			rl->nr = nr;
			err = range_list_append(rl, addr, len, addr_max, gfp);
			if (err)
				break;
			t = rl->tail;
			used = t->used;
			last = rl->last;
			nr = rl->nr;
			prev_end = addr + len;
			i++;
			continue;
		}
		if (nr >= max_nr) {
			err = -E2BIG;
			break;
		}
		prev_end = addr + len;
		width = rl_width(addr, len);
		if (!t || used + width > RANGE_LIST_CHUNK_WORDS) {
			if (t)
				t->used = used;
			rl->nr = nr;
			err = rl_add_entry(rl, addr, len, 1, gfp);
			if (err)
				break;
			t = rl->tail;
			used = t->used;
			last = rl->last;
			nr = rl->nr;
		} else {
			rl_encode(&t->w[used], width, addr, len);
			bits |= addr;
			last = used;
			used += width;
			nr++;
		}
		i++;
	}
	if (t)
		t->used = used;
	rl->last = last;
	rl->nr = nr;
	rl->bits |= bits | len;
out:
	if (err) {
		range_list_rollback(rl, &m);
		return err;
	}
	rl->len = total;
	return 0;
}
EXPORT_SYMBOL_GPL(range_list_append_array);

/**
 * range_list_mem_bytes() - Memory used by a list, excluding spare chunks.
 * @rl: List.
 *
 * Context: Any context.
 * Return: Bytes of chunk storage plus the list head itself.
 */
size_t range_list_mem_bytes(const struct range_list *rl)
{
	const struct range_list_chunk *c;
	size_t bytes = sizeof(*rl);

	for (c = rl->head; c; c = c->next)
		bytes += RANGE_LIST_CHUNK_SIZE;
	return bytes;
}
EXPORT_SYMBOL_GPL(range_list_mem_bytes);

/**
 * range_list_iter_rewind() - Put a cursor on the first entry.
 * @it: Cursor whose @rl is set.
 *
 * Context: Any context.
 */
void range_list_iter_rewind(struct range_list_iter *it)
{
	it->chunk = it->rl->head;
	it->pos = 0;
	it->base = 0;
	it->elen = 0;
	it->width = 0;
	it->pend = 0;
	if (it->chunk)
		it->width = __range_list_decode(it->chunk->w, &it->addr,
						&it->elen);
}
EXPORT_SYMBOL_GPL(range_list_iter_rewind);

/*
 * End (a list offset) of the piece holding @it->off within the current
 * entry, as a walk from the entry's start cuts it: pieces run in
 * max_segment steps from the entry's start or from a segment boundary.
 */
static u64 rl_piece_end(const struct range_list_iter *it)
{
	const struct range_list *rl = it->rl;
	u64 x = it->addr + (it->off - it->base);
	u64 from = max(it->addr, x & ~rl->seg_boundary);
	u64 start = from + div64_u64(x - from, rl->max_segment) *
			   rl->max_segment;
	u64 rest = it->elen - (start - it->addr);

	return it->base + (start - it->addr) +
	       __range_list_piece(rl, start, rest);
}

/**
 * range_list_iter_seek() - Restrict a cursor to (@offset, @len).
 * @it: Cursor.
 * @offset: Byte offset in the list.
 * @len: Bytes to walk.
 *
 * Context: Any context.
 * Return: 0, or -ERANGE if the window ends past the list (cursor unchanged).
 */
int range_list_iter_seek(struct range_list_iter *it, u64 offset, u64 len)
{
	u64 total = it->rl->len;

	if (offset > total || len > total - offset)
		return -ERANGE;
	if (offset < it->base || !it->chunk || !it->width)
		range_list_iter_rewind(it);
	/* Stop on the entry holding @offset, or on the last one. */
	while (it->chunk && offset >= it->base + it->elen &&
	       it->base + it->elen < total)
		__range_list_iter_step(it);
	it->off = offset;
	it->end = offset + len;
	it->pend = offset;
	if (it->rl->split_on_read && it->chunk && offset < it->base + it->elen)
		it->pend = rl_piece_end(it);
	return 0;
}
EXPORT_SYMBOL_GPL(range_list_iter_seek);

static int __init range_list_cache_init(void)
{
	range_list_cache = kmem_cache_create("range_list_chunk",
					     RANGE_LIST_CHUNK_SIZE, 0,
					     SLAB_PANIC, NULL);
	return 0;
}
core_initcall(range_list_cache_init);
