/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dma-buf rows of the edu mapping benchmark, run by qemu_edu_bench.c
 * under its lock after its own rows.
 */
#ifndef _QEMU_EDU_DMABUF_BENCH_H
#define _QEMU_EDU_DMABUF_BENCH_H

struct qemu_edu;
struct seq_file;

int qemu_edu_bench_yield(struct qemu_edu *edu);
int qemu_edu_dmabuf_bench(struct seq_file *m, struct qemu_edu *edu);

#endif /* _QEMU_EDU_DMABUF_BENCH_H */
