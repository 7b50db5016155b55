/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dma-buf rows of the edu mapping benchmark, run by qemu_edu_bench.c
 * under its lock after its own rows, and the helpers the videobuf2 rows
 * (qemu_edu_vb2_bench.c) share with them.
 */
#ifndef _QEMU_EDU_DMABUF_BENCH_H
#define _QEMU_EDU_DMABUF_BENCH_H

#include <linux/types.h>

struct dbb_mem;
struct dma_buf;
struct dma_list;
struct qemu_edu;
struct seq_file;
struct sg_table;

int qemu_edu_bench_yield(struct qemu_edu *edu);
int qemu_edu_dmabuf_bench(struct seq_file *m, struct qemu_edu *edu);

struct dma_buf *qemu_edu_bench_list_buf(struct qemu_edu *edu,
					unsigned long nr_pages,
					struct dbb_mem **memp);
void qemu_edu_bench_list_buf_free(struct dbb_mem *mem);
size_t qemu_edu_bench_sgt_chunk_bytes(const struct sg_table *sgt);
u64 qemu_edu_bench_sgt_dma_bytes(struct sg_table *sgt);
u64 qemu_edu_bench_list_dma_bytes(const struct dma_list *dl);

#endif /* _QEMU_EDU_DMABUF_BENCH_H */
