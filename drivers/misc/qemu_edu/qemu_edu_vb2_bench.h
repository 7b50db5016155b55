/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The videobuf2 rows of the edu mapping benchmark, run by qemu_edu_bench.c
 * under its lock after the dma-buf rows.  They need a vb2-dma-sg queue,
 * so a kernel without CONFIG_QEMU_EDU_V4L2 says why they are missing.
 */
#ifndef _QEMU_EDU_VB2_BENCH_H
#define _QEMU_EDU_VB2_BENCH_H

#include <linux/kconfig.h>
#include <linux/seq_file.h>

struct qemu_edu;

#if IS_ENABLED(CONFIG_QEMU_EDU_VB2_BENCH)
int qemu_edu_vb2_bench(struct seq_file *m, struct qemu_edu *edu);
#else
static inline int qemu_edu_vb2_bench(struct seq_file *m,
				     struct qemu_edu *edu)
{
	seq_puts(m, "# vb2: needs CONFIG_QEMU_EDU_V4L2\n");
	return 0;
}
#endif

#endif /* _QEMU_EDU_VB2_BENCH_H */
