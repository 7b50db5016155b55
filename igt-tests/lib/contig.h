/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a vb2-dma-contig queue must do with an imported dma-buf, decided
 * from what user space can know of the buffer's pages.
 *
 * vb2-dma-contig wants the whole dma-buf (QBUF passes no plane length)
 * in one DMA range.  For a device no IOMMU translates a buffer whose
 * pages are not physically contiguous is refused by QBUF with EFAULT.
 * Where swiotlb bounces the pages (swiotlb=force, or pages above 4 GiB
 * for a device with a 32-bit mask) the device sees bounce slots, which
 * may be adjacent or not, so either outcome is right; so it is where
 * the pages cannot be read (a VM_PFNMAP mapping, which pagemap does not
 * walk).
 */
#ifndef WB_CONTIG_H
#define WB_CONTIG_H

/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "devices.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What user space can tell about a buffer's pages */
enum wb_tri { WB_NO, WB_YES, WB_UNKNOWN };

/* QBUF may take the buffer or refuse it with EFAULT (see above) */
#define WB_TAKEN_OR_EFAULT	(-1)

const char *wb_tri_str(enum wb_tri t, const char *yes, const char *no);

/*
 * Is the device behind V4L2 file @fd translated by an IOMMU?  Only a
 * device in an IOMMU group is (not vivid's platform device, even on
 * topology iommu).
 */
bool wb_v4l2_behind_iommu(int fd);

/*
 * Where the CMA area lies, from /proc/zoneinfo: WB_YES if all of it is
 * above 4 GiB, WB_NO if all below, else WB_UNKNOWN.
 */
enum wb_tri wb_cma_above_4g(void);

/*
 * Are the @pages pages @page(@ctx, 0 .. @pages - 1) (addresses in this
 * process, mappings pagemap walks) one physically contiguous run in
 * order, and does any lie above 4 GiB?  Each page is touched first.
 */
void wb_pagemap_pages(const uint8_t *(*page)(const void *ctx, size_t i),
		      const void *ctx, size_t pages, enum wb_tri *contig,
		      enum wb_tri *high);

/*
 * What QBUF of a dma-buf of @len bytes, whose pages are @contig and
 * @high, into the vb2-dma-contig queue of @who, a device no IOMMU
 * translates (with a 32-bit DMA mask if @dma32), must do: 0 (taken),
 * EFAULT, or WB_TAKEN_OR_EFAULT.
 */
int wb_contig_qbuf_expect(const char *who, bool dma32, size_t len,
			  enum wb_tri contig, enum wb_tri high);

/*
 * QBUF's errno @err (0: taken) of @what into @who against @want (0, an
 * errno, or WB_TAKEN_OR_EFAULT); true if the buffer was taken.
 */
bool wb_qbuf_judge(const char *who, const char *what, int err, int want);

#endif /* WB_CONTIG_H */
