/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CPU mappings of revocable dma-bufs whose memory is addressed by PFN
 * (PCI BARs, ZONE_DEVICE P2P pages): the dma-buf core inserts the PFNs at
 * fault time and takes them away again in dma_buf_revoke().
 */
#ifndef _LINUX_DMA_BUF_REVOCABLE_H
#define _LINUX_DMA_BUF_REVOCABLE_H

#include <linux/types.h>

struct dma_buf;
struct vm_area_struct;

/**
 * struct dma_buf_pfn_mmap_ops - how the core finds the memory of a buffer
 *	mapped with dma_buf_mmap_revocable()
 * @pfn: Store in @pfn the page frame number backing page @pgoff of
 *	@dmabuf and return 0, or return a negative errno, which the faulting
 *	task sees as SIGBUS.  The core calls it at CPU fault time with the
 *	buffer's reservation lock held, only for a buffer that is not
 *	revoked and with @pgoff below the buffer's size in pages.
 *
 * The ops must live as long as any mapping of the buffer: a static const
 * instance of the exporter's module.
 */
struct dma_buf_pfn_mmap_ops {
	int (*pfn)(struct dma_buf *dmabuf, pgoff_t pgoff, unsigned long *pfn);
};

int dma_buf_mmap_revocable(struct dma_buf *dmabuf, struct vm_area_struct *vma,
			   const struct dma_buf_pfn_mmap_ops *ops);

#endif /* _LINUX_DMA_BUF_REVOCABLE_H */
