/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DRM PRIME rows of the edu mapping benchmark, run by qemu_edu_bench.c
 * under its lock after the videobuf2 rows.  They import into vkms with
 * the shmem helpers, so a kernel without them says why they are missing.
 */
#ifndef _QEMU_EDU_PRIME_BENCH_H
#define _QEMU_EDU_PRIME_BENCH_H

#include <linux/kconfig.h>
#include <linux/seq_file.h>

struct qemu_edu;

#if IS_ENABLED(CONFIG_QEMU_EDU_PRIME_BENCH)
int qemu_edu_prime_bench(struct seq_file *m, struct qemu_edu *edu);
#else
static inline int qemu_edu_prime_bench(struct seq_file *m,
				       struct qemu_edu *edu)
{
	seq_puts(m, "# prime: needs CONFIG_DRM_GEM_SHMEM_HELPER\n");
	return 0;
}
#endif

#endif /* _QEMU_EDU_PRIME_BENCH_H */
