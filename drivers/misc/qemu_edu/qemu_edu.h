/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interface of the QEMU edu DMA engine driver for its tests and benchmark.
 */
#ifndef _QEMU_EDU_H
#define _QEMU_EDU_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct dentry;
struct dma_list;
struct p2pdma_provider;
struct pci_dev;
struct qemu_edu_v4l2;

/* Size of the device's internal DMA buffer */
#define QEMU_EDU_BUF_SIZE	4096
/*
 * QEMU's range check wants the end of a transfer strictly inside the
 * buffer (it aborts the VM otherwise), so its last byte cannot be used:
 * a transfer moves at most 4095 bytes, less its offset in the buffer.
 */
#define QEMU_EDU_XFER_MAX	(QEMU_EDU_BUF_SIZE - 1)

/**
 * struct qemu_edu - one bound edu device
 * @pdev: the PCI device
 * @mmio: BAR 0
 * @dma_mask: the DMA mask set at probe, from the dma_bits parameter
 * @lock: serialises transfers; the engine runs one at a time
 * @scratch: coherent bounce page used to read the device buffer back
 * @scratch_dma: DMA address of @scratch
 * @dir: debugfs directory of this device
 * @nr_xfers: transfers started since probe
 * @dead: a transfer timed out; bus mastering is off and transfers fail
 *	with -EIO until the driver is bound again
 * @gone: the driver is being unbound; transfers fail with -ENODEV
 * @users: references taken with qemu_edu_get(); remove() waits for them
 * @misc: the character device of the dma-buf importer uapi
 * @minor_id: N in /dev/qemu_eduN
 * @files: open files of @misc, under the importer's file list lock
 * @nr_dmabuf_attach: dma-buf attachments held by open files
 * @nr_dmabuf_maps: dma-buf mappings held by open files
 * @v4l2: the V4L2 mem2mem device, see qemu_edu_v4l2.c
 */
struct qemu_edu {
	struct pci_dev *pdev;
	void __iomem *mmio;
	u64 dma_mask;
	struct mutex lock;	/* one transfer at a time */
	void *scratch;
	dma_addr_t scratch_dma;
	struct dentry *dir;
	unsigned long nr_xfers;
	bool dead;
	bool gone;
	atomic_t users;
	struct miscdevice misc;
	int minor_id;
	struct list_head files;
	atomic_t nr_dmabuf_attach;
	atomic_t nr_dmabuf_maps;
	struct qemu_edu_v4l2 *v4l2;
};

/**
 * struct qemu_edu_shm - QEMU ivshmem BAR offered as P2P memory
 * @pdev: the ivshmem PCI device
 * @va: CPU mapping of the BAR, for the tests' own accesses
 * @phys: CPU physical address of the BAR
 * @len: length of the BAR
 * @mem: its P2P provider; the BAR has no struct page
 */
struct qemu_edu_shm {
	struct pci_dev *pdev;
	void __iomem *va;
	phys_addr_t phys;
	resource_size_t len;
	struct p2pdma_provider *mem;
};

struct qemu_edu *qemu_edu_from_pci(struct pci_dev *pdev);
struct qemu_edu *qemu_edu_get(struct pci_dev *pdev);
void qemu_edu_put(struct qemu_edu *edu);
/**
 * struct qemu_edu_seg - a piece of memory for the device, see qemu_edu_copy()
 * @addr: DMA address mapped for the edu device
 * @len: bytes
 */
struct qemu_edu_seg {
	dma_addr_t addr;
	u32 len;
};

struct qemu_edu_shm *qemu_edu_shm_from_pci(struct pci_dev *pdev);
int qemu_edu_shm_register(void);
void qemu_edu_shm_unregister(void);
const char *qemu_edu_topology(struct qemu_edu *edu);
int qemu_edu_to_device(struct qemu_edu *edu, dma_addr_t src, u32 dev_off,
		       u32 len);
int qemu_edu_from_device(struct qemu_edu *edu, u32 dev_off, dma_addr_t dst,
			 u32 len);
int qemu_edu_read(struct qemu_edu *edu, u32 dev_off, void *buf, u32 len);
int qemu_edu_write(struct qemu_edu *edu, u32 dev_off, const void *buf,
		   u32 len);
int qemu_edu_read_through(struct qemu_edu *edu, dma_addr_t src, void *buf,
			  u32 len);
int qemu_edu_write_through(struct qemu_edu *edu, const void *buf,
			   dma_addr_t dst, u32 len);
int qemu_edu_cdev_add(struct qemu_edu *edu);
void qemu_edu_cdev_del(struct qemu_edu *edu);
int qemu_edu_checksum_list(struct qemu_edu *edu, const struct dma_list *dl,
			   u32 *crcs, unsigned int nr_crcs);
int qemu_edu_fill_list(struct qemu_edu *edu, const struct dma_list *dl,
		       u8 seed);
void qemu_edu_pattern(void *buf, size_t len, u64 pos, u8 seed);
int qemu_edu_copy(struct qemu_edu *edu, const struct qemu_edu_seg *src,
		  unsigned int nr_src, const struct qemu_edu_seg *dst,
		  unsigned int nr_dst);

#ifdef CONFIG_QEMU_EDU_V4L2
int qemu_edu_v4l2_add(struct qemu_edu *edu);
void qemu_edu_v4l2_del(struct qemu_edu *edu);
#else
static inline int qemu_edu_v4l2_add(struct qemu_edu *edu)
{
	return 0;
}

static inline void qemu_edu_v4l2_del(struct qemu_edu *edu)
{
}
#endif

#if IS_ENABLED(CONFIG_KUNIT)
/* Hooks the KUnit tests replace with static stubs */
unsigned int qemu_edu_xfer_timeout_ms(struct qemu_edu *edu);
u64 qemu_edu_bus_addr(struct qemu_edu *edu, u64 addr);
int qemu_edu_check_dma_reach(struct qemu_edu *edu);
int qemu_edu_to_device_irqs_off(struct qemu_edu *edu,
				void (*step)(void *arg), void *arg,
				dma_addr_t src, u32 dev_off, u32 len);
#endif

#if IS_ENABLED(CONFIG_KUNIT) && IS_ENABLED(CONFIG_QEMU_EDU_BENCH)
struct seq_file;
int qemu_edu_bench_run(struct seq_file *m);
int qemu_edu_bench_yield(struct qemu_edu *edu);
#endif

#ifdef CONFIG_QEMU_EDU_BENCH
int qemu_edu_bench_init(struct dentry *root);
#else
static inline int qemu_edu_bench_init(struct dentry *root)
{
	return 0;
}
#endif

#endif /* _QEMU_EDU_H */
