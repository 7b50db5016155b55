/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dma-buf rows of the edu mapping benchmark, run by qemu_edu_bench.c
 * under its lock after its own rows, and the helpers the videobuf2 and
 * PRIME rows (qemu_edu_vb2_bench.c, qemu_edu_prime_bench.c) share with
 * them.
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

/* The exporters of the dma-buf rows */
enum qemu_edu_bench_exp {
	QEMU_EDU_BENCH_HEAP,	/* as 6.12's system heap: a table per attachment */
	QEMU_EDU_BENCH_UDMABUF,	/* as 6.12's udmabuf: a table per map */
	QEMU_EDU_BENCH_LIST,	/* one physical range list, mapped by the core */
};

struct dbb_mem *qemu_edu_bench_mem(struct qemu_edu *edu, unsigned int order,
				   unsigned long nr_pages);
struct dma_buf *qemu_edu_bench_export(struct dbb_mem *mem,
				      enum qemu_edu_bench_exp exp);
void qemu_edu_bench_mem_free(struct dbb_mem *mem);
size_t qemu_edu_bench_sgt_chunk_bytes(const struct sg_table *sgt);
u64 qemu_edu_bench_sgt_dma_bytes(struct sg_table *sgt);
u64 qemu_edu_bench_list_dma_bytes(const struct dma_list *dl);

#endif /* _QEMU_EDU_DMABUF_BENCH_H */
