// SPDX-License-Identifier: GPL-2.0-only
/*
 * Glue between range lists and pages, folios and scatterlists.
 *
 * Scatterlist conversion exists for drivers that still consume an
 * sg_table; new code should walk the lists directly.
 */

#include <linux/export.h>
#include <linux/mm.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "range_list_internal.h"

/**
 * DOC: Scatterlist conversion
 *
 * For drivers that still consume an sg_table, phys_list_to_sgt() builds a
 * page-based table (every range must have a ``struct page``), split within
 * a device's segment limits by phys_list_to_sgt_segs(), and
 * dma_list_to_sgt() a DMA-only table whose entries carry only a DMA address
 * and length; walk it with for_each_sgtable_dma_sg().  Ranges longer than
 * 2 GiB take several scatterlist entries.  Release the tables with
 * phys_list_free_sgt() and dma_list_free_sgt().  phys_list_from_sgt() and
 * dma_list_from_sgt() go the other way.  New code should walk the lists
 * directly.
 */

/* Largest piece put in one scatterlist entry (its length is 32 bits). */
#define RL_SG_PIECE	SZ_2G

/* Pages converted per call of range_list_append_array(). */
#define RL_PAGE_BATCH	64UL

/**
 * phys_list_append_page() - Append a byte range of physically contiguous pages.
 * @pl: List.
 * @page: First page.
 * @offset: Offset of the range from the start of @page.
 * @len: Length in bytes.
 * @gfp: Allocation flags.
 *
 * Context: As allowed by @gfp.
 * Return: As for phys_list_append().
 */
int phys_list_append_page(struct phys_list *pl, struct page *page,
			  unsigned long offset, u64 len, gfp_t gfp)
{
	return phys_list_append(pl, page_to_phys(page) + offset, len, gfp);
}
EXPORT_SYMBOL_GPL(phys_list_append_page);

/**
 * phys_list_append_folio() - Append a byte range of a folio.
 * @pl: List.
 * @folio: Folio.
 * @offset: Offset of the range in @folio.
 * @len: Length in bytes.
 * @gfp: Allocation flags.
 *
 * Context: As allowed by @gfp.
 * Return: As for phys_list_append(); also -EINVAL if the range does not
 * lie inside @folio.
 */
int phys_list_append_folio(struct phys_list *pl, struct folio *folio,
			   size_t offset, size_t len, gfp_t gfp)
{
	size_t size = folio_size(folio);

	if (offset >= size || len > size - offset)
		return -EINVAL;
	return phys_list_append(pl, folio_pfn(folio) * (u64)PAGE_SIZE + offset,
				len, gfp);
}
EXPORT_SYMBOL_GPL(phys_list_append_folio);

/**
 * phys_list_from_pages() - Append whole pages from an array.
 * @pl: List.
 * @pages: Pages.
 * @nr_pages: Number of entries in @pages.
 * @gfp: Allocation flags.
 *
 * Physically adjacent pages become one entry if the list coalesces.
 *
 * Context: As allowed by @gfp.
 * Return: As for phys_list_append(); on error no page was appended.
 */
int phys_list_from_pages(struct phys_list *pl, struct page **pages,
			 unsigned long nr_pages, gfp_t gfp)
{
	u64 addrs[RL_PAGE_BATCH];
	struct range_list_mark m;
	unsigned long i, j, n;
	int err;

	range_list_mark(&pl->rl, &m);
	for (i = 0; i < nr_pages; i += n) {
		n = min(nr_pages - i, RL_PAGE_BATCH);
		for (j = 0; j < n; j++)
			addrs[j] = page_to_phys(pages[i + j]);
		err = range_list_append_array(&pl->rl, addrs, n, PAGE_SIZE,
					      PHYS_ADDR_MAX, gfp);
		if (err) {
			range_list_rollback(&pl->rl, &m);
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(phys_list_from_pages);

/**
 * phys_list_from_folios() - Append whole folios from an array.
 * @pl: List.
 * @folios: Folios.
 * @nr_folios: Number of entries in @folios.
 * @gfp: Allocation flags.
 *
 * Context: As allowed by @gfp.
 * Return: As for phys_list_append(); on error no folio was appended.
 */
int phys_list_from_folios(struct phys_list *pl, struct folio **folios,
			  unsigned long nr_folios, gfp_t gfp)
{
	struct range_list_mark m;
	unsigned long i;
	int err;

	range_list_mark(&pl->rl, &m);
	for (i = 0; i < nr_folios; i++) {
		err = phys_list_append_folio(pl, folios[i], 0,
					     folio_size(folios[i]), gfp);
		if (err) {
			range_list_rollback(&pl->rl, &m);
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(phys_list_from_folios);

/**
 * phys_list_from_sgt() - Append the CPU side of an sg_table.
 * @pl: List.
 * @sgt: Table; its page entries (orig_nents) are used.
 * @gfp: Allocation flags.
 *
 * Context: As allowed by @gfp.
 * Return: As for phys_list_append(); on error nothing was appended.
 */
int phys_list_from_sgt(struct phys_list *pl, const struct sg_table *sgt,
		       gfp_t gfp)
{
	struct range_list_mark m;
	struct scatterlist *sg;
	unsigned int i;
	int err;

	range_list_mark(&pl->rl, &m);
	for_each_sgtable_sg(sgt, sg, i) {
		err = phys_list_append(pl, sg_phys(sg), sg->length, gfp);
		if (err) {
			range_list_rollback(&pl->rl, &m);
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(phys_list_from_sgt);

/**
 * dma_list_from_sgt() - Append the DMA side of a mapped sg_table.
 * @dl: List.
 * @sgt: Table; its DMA entries (nents) are used.
 * @gfp: Allocation flags.
 *
 * Context: As allowed by @gfp.
 * Return: As for dma_list_append(); on error nothing was appended.
 */
int dma_list_from_sgt(struct dma_list *dl, const struct sg_table *sgt,
		      gfp_t gfp)
{
	struct range_list_mark m;
	struct scatterlist *sg;
	unsigned int i;
	int err;

	range_list_mark(&dl->rl, &m);
	for_each_sgtable_dma_sg(sgt, sg, i) {
		err = dma_list_append(dl, sg_dma_address(sg), sg_dma_len(sg),
				      gfp);
		if (err) {
			range_list_rollback(&dl->rl, &m);
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dma_list_from_sgt);

/* Length of the piece of [@addr, +@len) that starts at @addr. */
static u64 rl_sg_piece(u64 addr, u64 len, u64 max_seg, u64 boundary)
{
	u64 to_boundary = boundary - (addr & boundary);
	u64 piece = min(len, max_seg);

	/* piece >= 1; written so that boundary U64_MAX cannot wrap */
	return piece - 1 > to_boundary ? to_boundary + 1 : piece;
}

static unsigned int rl_sg_pieces(const struct range_list *rl, bool pages,
				 u64 max_seg, u64 boundary)
{
	struct range_list_iter it;
	u64 addr, len, n = 0;

	range_list_iter_init(&it, rl);
	while (range_list_iter_next(&it, &addr, &len)) {
		if (pages && (!pfn_valid(PHYS_PFN(addr)) ||
			      !pfn_valid(PHYS_PFN(addr + len - 1))))
			return 0;
		while (len) {
			u64 piece = rl_sg_piece(addr, len, max_seg, boundary);

			addr += piece;
			len -= piece;
			if (++n > UINT_MAX)
				return 0;
		}
	}
	return n;
}

/**
 * phys_list_to_sgt_segs() - Build a page-based sg_table within segment limits.
 * @pl: List; every range must be backed by struct pages.
 * @sgt: Table to initialise.
 * @max_seg: Longest entry, in bytes (at least PAGE_SIZE; 2 GiB at most is
 *	used, as an entry's length is 32 bits).
 * @boundary: Segment boundary mask (2^n - 1, at least PAGE_SIZE - 1) as
 *	dma_get_seg_boundary() returns it: no entry crosses a multiple of
 *	@boundary + 1 in physical addresses.
 * @gfp: Allocation flags.
 *
 * For a device that maps the table with dma_map_sgtable() and checks each
 * entry against its limits, as dma-direct and swiotlb do: pass
 * dma_get_max_seg_size() (or dma_max_mapping_size() if smaller) and
 * dma_get_seg_boundary().  The table is not DMA mapped.  Release it with
 * phys_list_free_sgt().
 *
 * Context: As allowed by @gfp.
 * Return: 0; -EINVAL if the list is empty, a range has no struct page or a
 * limit is below a page; -ENOMEM.
 */
int phys_list_to_sgt_segs(const struct phys_list *pl, struct sg_table *sgt,
			  u64 max_seg, u64 boundary, gfp_t gfp)
{
	struct range_list_iter it;
	struct scatterlist *sg;
	unsigned int n;
	u64 addr, len;
	int err;

	if (max_seg < PAGE_SIZE || boundary < PAGE_SIZE - 1)
		return -EINVAL;
	max_seg = min_t(u64, max_seg, RL_SG_PIECE);
	n = rl_sg_pieces(&pl->rl, true, max_seg, boundary);
	if (!n)
		return -EINVAL;
	err = sg_alloc_table(sgt, n, gfp);
	if (err)
		return err;
	sg = sgt->sgl;
	range_list_iter_init(&it, &pl->rl);
	while (range_list_iter_next(&it, &addr, &len)) {
		while (len) {
			u64 part = rl_sg_piece(addr, len, max_seg, boundary);

			sg_set_page(sg, pfn_to_page(PHYS_PFN(addr)), part,
				    offset_in_page(addr));
			addr += part;
			len -= part;
			sg = sg_next(sg);
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(phys_list_to_sgt_segs);

/**
 * phys_list_to_sgt() - Build a page-based sg_table from a physical list.
 * @pl: List; every range must be backed by struct pages.
 * @sgt: Table to initialise.
 * @gfp: Allocation flags.
 *
 * phys_list_to_sgt_segs() without device limits: one entry per range, or
 * per 2 GiB of it.  The table is not DMA mapped.  Release it with
 * phys_list_free_sgt().
 *
 * Context: As allowed by @gfp.
 * Return: 0; -EINVAL if the list is empty or a range has no struct page;
 * -ENOMEM.
 */
int phys_list_to_sgt(const struct phys_list *pl, struct sg_table *sgt,
		     gfp_t gfp)
{
	return phys_list_to_sgt_segs(pl, sgt, RL_SG_PIECE, U64_MAX, gfp);
}
EXPORT_SYMBOL_GPL(phys_list_to_sgt);

/**
 * phys_list_free_sgt() - Release a table built by phys_list_to_sgt().
 * @sgt: Table.
 *
 * Context: Any context.
 */
void phys_list_free_sgt(struct sg_table *sgt)
{
	sg_free_table(sgt);
}
EXPORT_SYMBOL_GPL(phys_list_free_sgt);

/*
 * Entries of the table for @dl: when no piece the list hands out can be
 * longer than an sg entry, its count, which the list keeps; else walked.
 */
static unsigned int dl_sg_nents(const struct dma_list *dl)
{
	unsigned long n = dma_list_count(dl);

	if (dl->rl.max_segment <= RL_SG_PIECE)
		return n <= UINT_MAX ? n : 0;
	return rl_sg_pieces(&dl->rl, false, RL_SG_PIECE, U64_MAX);
}

/**
 * dma_list_to_sgt() - Build a DMA-only sg_table from a DMA list.
 * @dl: List.
 * @sgt: Table to initialise.
 * @gfp: Allocation flags.
 *
 * Only the DMA address and length of each entry are set; there are no
 * pages, so importers must walk the table with for_each_sgtable_dma_sg().
 * Release it with dma_list_free_sgt(), never with dma_unmap_sgtable().
 *
 * Context: As allowed by @gfp.
 * Return: 0, -EINVAL if the list is empty, or -ENOMEM.
 */
int dma_list_to_sgt(const struct dma_list *dl, struct sg_table *sgt,
		    gfp_t gfp)
{
	unsigned int n = dl_sg_nents(dl);
	struct range_list_iter it;
	struct scatterlist *sg;
	u64 addr, len;
	int err;

	if (!n)
		return -EINVAL;
	err = sg_alloc_table(sgt, n, gfp);
	if (err)
		return err;
	sg = sgt->sgl;
	range_list_iter_init(&it, &dl->rl);
	while (range_list_iter_next(&it, &addr, &len)) {
		while (len) {
			unsigned int part = min_t(u64, len, RL_SG_PIECE);

			/* The list's count sized the table: never run past it. */
			if (WARN_ON_ONCE(!sg))
				goto miscounted;
			sg_dma_address(sg) = addr;
			sg_dma_len(sg) = part;
			addr += part;
			len -= part;
			sg = sg_next(sg);
		}
	}
	if (WARN_ON_ONCE(sg))
		goto miscounted;
	sgt->nents = n;
	return 0;

miscounted:
	sg_free_table(sgt);
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(dma_list_to_sgt);

/**
 * dma_list_free_sgt() - Release a table built by dma_list_to_sgt().
 * @sgt: Table.
 *
 * Context: Any context.
 */
void dma_list_free_sgt(struct sg_table *sgt)
{
	sg_free_table(sgt);
}
EXPORT_SYMBOL_GPL(dma_list_free_sgt);
