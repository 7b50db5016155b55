/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Range-list mappings of dma-bufs: what dma-buf.c calls in
 * dma-buf-mapping.c.
 */
#ifndef _DMA_BUF_MAPPING_H
#define _DMA_BUF_MAPPING_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct dma_buf;
struct dma_buf_attachment;
struct dma_buf_ops;
struct device;
struct dma_list;
struct phys_list;
struct seq_file;
struct sg_table;

bool dma_buf_ops_valid(const struct dma_buf_ops *ops, const char *exp_name);
int dma_buf_attach_allowed(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach);
struct sg_table *dma_buf_map_sgt_from_phys(struct dma_buf_attachment *attach,
					   enum dma_data_direction dir);
void dma_buf_unmap_sgt_from_phys(struct dma_buf_attachment *attach,
				 struct sg_table *sgt,
				 enum dma_data_direction dir);
void dma_buf_release_mappings(struct dma_buf_attachment *attach);
void dma_buf_sync_mappings(struct dma_buf *dmabuf, bool for_cpu);
void dma_buf_show_mappings(struct seq_file *s,
			   struct dma_buf_attachment *attach);
void dma_buf_mangle_sg_table(struct sg_table *sg_table);

#if IS_ENABLED(CONFIG_KUNIT)
void *dma_buf_mapping_zalloc(size_t size);
int dma_buf_mapping_to_sgt(const struct dma_list *dl, struct sg_table *sgt);
int dma_buf_mapping_pages_to_sgt(const struct phys_list *pl,
				 struct sg_table *sgt, struct device *dev);
int dma_buf_mapping_from_sgt(struct dma_list *dl, const struct sg_table *sgt);
#endif

#endif /* _DMA_BUF_MAPPING_H */
