// SPDX-License-Identifier: GPL-2.0-only
/*
 * Driver for QEMU's "edu" PCI device used as a DMA engine.
 *
 * The device has one 4 KiB internal buffer at device address 0x40000 and a
 * single DMA channel that copies between that buffer and a bus address.
 * The driver only ever starts a transfer to or from an address range the
 * caller mapped for this device, checked against the device's DMA mask,
 * and it never lets a transfer leave the internal buffer (the emulator
 * aborts the whole VM if one does).
 *
 * Each transfer waits on a timer in the emulator (about 100 ms), so users
 * keep transfers few.  The emulator's range check excludes the last byte
 * of the buffer, so one transfer moves at most 4095 bytes.
 *
 * The DMA primitives let a caller point the device at any address it
 * mapped, so they are exported to the KUnit tests only (namespace
 * EXPORTED_FOR_KUNIT_TESTING), not to other drivers.
 */
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dma-phys-list.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/range_list.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "qemu_edu.h"

#define EDU_REG_ID		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_ID_MAGIC		0xed
#define EDU_DMA_RUN		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)

#define EDU_BUF_ADDR		0x40000

/*
 * QEMU takes a DMA register's value from a single access: a 32-bit write
 * sets the whole register and one to its upper half is ignored.  Without
 * 64-bit MMIO writes (writeq() then falls back to two halves) the device
 * can only be given 32-bit addresses.
 */
#define EDU_MAX_DMA_BITS	(IS_ENABLED(CONFIG_64BIT) ? 64U : 32U)
#define EDU_XFER_TIMEOUT_MS	5000

/* QEMU's default for the edu dma_mask property */
#define EDU_QEMU_DEFAULT_BITS	28
/* Bytes of random pattern for the probe's DMA reach check */
#define EDU_REACH_LEN		64

static unsigned int dma_bits = 28;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits,
		 "Address bits the device drives; QEMU's dma_mask property (default 28)");

static struct dentry *qemu_edu_debugfs;
static struct pci_driver qemu_edu_driver;

/**
 * qemu_edu_from_pci() - the edu state of a PCI device bound to this driver
 * @pdev: a PCI device, for example from pci_get_device()
 *
 * Context: Any context; the caller keeps the driver bound, for example
 * with qemu_edu_get().
 * Return: the state, or NULL if @pdev is not bound to this driver.
 */
struct qemu_edu *qemu_edu_from_pci(struct pci_dev *pdev)
{
	if (pdev->driver != &qemu_edu_driver)
		return NULL;
	return pci_get_drvdata(pdev);
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_from_pci);

/**
 * qemu_edu_get() - take a reference on a bound edu device
 * @pdev: a PCI device, for example from pci_get_device()
 *
 * The state stays valid until qemu_edu_put(), even if the driver is
 * unbound meanwhile: remove() then makes every transfer fail with
 * -ENODEV and waits for all references to be put before the state goes.
 * A holder must therefore put its reference soon after a transfer fails,
 * and unmap what it mapped for @pdev before that.
 *
 * Context: Process context; takes the device lock.
 * Return: the state, or NULL if @pdev is not bound to this driver.
 */
struct qemu_edu *qemu_edu_get(struct pci_dev *pdev)
{
	struct qemu_edu *edu;

	/* Binding and unbinding happen under the device lock */
	device_lock(&pdev->dev);
	edu = qemu_edu_from_pci(pdev);
	if (edu) {
		atomic_inc(&edu->users);
		pci_dev_get(pdev);
	}
	device_unlock(&pdev->dev);
	return edu;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_get);

/**
 * qemu_edu_put() - drop a reference taken with qemu_edu_get()
 * @edu: the device
 *
 * Context: Process context.
 */
void qemu_edu_put(struct qemu_edu *edu)
{
	struct pci_dev *pdev = edu->pdev;

	/*
	 * remove() may free @edu as soon as the count reaches zero;
	 * wake_up_var() only hashes the address, it does not touch it.
	 */
	if (atomic_dec_and_test(&edu->users))
		wake_up_var(&edu->users);
	pci_dev_put(pdev);
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_put);

/**
 * qemu_edu_topology() - how the device's DMA reaches memory
 * @edu: the device
 *
 * Context: Any context.
 * Return: "iommu" if an IOMMU translates the device's DMA, else "direct".
 */
const char *qemu_edu_topology(struct qemu_edu *edu)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(&edu->pdev->dev);

	return dom && (dom->type & __IOMMU_DOMAIN_PAGING) ? "iommu" : "direct";
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_topology);

static bool edu_bus_addr_ok(struct qemu_edu *edu, dma_addr_t addr, u32 len)
{
	u64 mask = dma_get_mask(&edu->pdev->dev);

	return len && addr <= mask && len - 1 <= mask - addr;
}

/**
 * qemu_edu_xfer_timeout_ms() - how long a transfer may take
 * @edu: the device
 *
 * A function rather than a constant so that a KUnit test can make a
 * transfer time out (with a static stub) without waiting seconds.
 *
 * Context: Any context.
 * Return: the timeout in milliseconds.
 */
VISIBLE_IF_KUNIT unsigned int qemu_edu_xfer_timeout_ms(struct qemu_edu *edu)
{
	KUNIT_STATIC_STUB_REDIRECT(qemu_edu_xfer_timeout_ms, edu);
	return EDU_XFER_TIMEOUT_MS;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_xfer_timeout_ms);

/*
 * A transfer that timed out is still armed: the engine keeps the address
 * and copies when it gets to it, possibly into memory the caller has
 * unmapped and freed by then.  QEMU's PCI model (like a real bus) drops a
 * device's DMA while Bus Master Enable is clear, so clear it and keep it
 * clear: the device is dead until the driver is bound again, and probe
 * waits for the engine to go idle before it sets bus mastering.
 */
static void edu_kill(struct qemu_edu *edu)
{
	lockdep_assert_held(&edu->lock);

	pci_clear_master(edu->pdev);
	edu->dead = true;
	pci_err(edu->pdev, "DMA transfer timed out: bus mastering off, transfers fail with -EIO until the driver is bound again\n");
}

/**
 * qemu_edu_bus_addr() - the value programmed for a DMA address
 * @edu: the device
 * @addr: the address the driver wants the device to use
 *
 * The identity.  A KUnit test replaces it with a static stub that drops
 * the upper bits like a device whose QEMU dma_mask property is narrower
 * than the dma_bits parameter, to prove that probe detects that.
 *
 * Context: Any context.
 * Return: @addr.
 */
VISIBLE_IF_KUNIT u64 qemu_edu_bus_addr(struct qemu_edu *edu, u64 addr)
{
	KUNIT_STATIC_STUB_REDIRECT(qemu_edu_bus_addr, edu, addr);
	return addr;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_bus_addr);

/* Program and start one transfer; the caller waits for it. */
static int edu_start(struct qemu_edu *edu, u64 src, u64 dst, u32 len, u32 cmd)
{
	lockdep_assert_held(&edu->lock);

	if (edu->gone)
		return -ENODEV;
	if (edu->dead)
		return -EIO;
	writeq(qemu_edu_bus_addr(edu, src), edu->mmio + EDU_REG_DMA_SRC);
	writeq(qemu_edu_bus_addr(edu, dst), edu->mmio + EDU_REG_DMA_DST);
	writeq(len, edu->mmio + EDU_REG_DMA_CNT);
	writel(cmd | EDU_DMA_RUN, edu->mmio + EDU_REG_DMA_CMD);
	edu->nr_xfers++;
	return 0;
}

static int edu_xfer(struct qemu_edu *edu, u64 src, u64 dst, u32 len, u32 cmd)
{
	unsigned long timeout;
	int ret;

	lockdep_assert_held(&edu->lock);

	ret = edu_start(edu, src, dst, len, cmd);
	if (ret)
		return ret;

	timeout = jiffies + msecs_to_jiffies(qemu_edu_xfer_timeout_ms(edu));
	while (readl(edu->mmio + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (time_after(jiffies, timeout)) {
			edu_kill(edu);
			return -ETIMEDOUT;
		}
		usleep_range(2000, 5000);
	}
	return 0;
}

/*
 * A transfer armed before this binding (the previous one timed out) must
 * run out while bus mastering is still off, or it would DMA into memory
 * that was freed long ago.
 */
static int edu_wait_idle(struct qemu_edu *edu)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(EDU_XFER_TIMEOUT_MS);

	while (readl(edu->mmio + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (time_after(jiffies, timeout))
			return -EBUSY;
		usleep_range(2000, 5000);
	}
	return 0;
}

static int edu_check(struct qemu_edu *edu, dma_addr_t addr, u32 dev_off,
		     u32 len)
{
	if (!len || dev_off >= QEMU_EDU_XFER_MAX ||
	    len > QEMU_EDU_XFER_MAX - dev_off)
		return -EINVAL;
	if (!edu_bus_addr_ok(edu, addr, len))
		return -ERANGE;
	return 0;
}

/*
 * Unlocked variants: a multi-step sequence (into the device, then back
 * out) holds the engine lock across its steps, so that another user's
 * transfer cannot replace the device buffer in between.
 */
static int __edu_to_device(struct qemu_edu *edu, dma_addr_t src, u32 dev_off,
			   u32 len)
{
	int ret = edu_check(edu, src, dev_off, len);

	lockdep_assert_held(&edu->lock);
	if (ret)
		return ret;
	return edu_xfer(edu, src, EDU_BUF_ADDR + dev_off, len, 0);
}

static int __edu_from_device(struct qemu_edu *edu, u32 dev_off,
			     dma_addr_t dst, u32 len)
{
	int ret = edu_check(edu, dst, dev_off, len);

	lockdep_assert_held(&edu->lock);
	if (ret)
		return ret;
	return edu_xfer(edu, EDU_BUF_ADDR + dev_off, dst, len, EDU_DMA_TO_RAM);
}

static int __edu_read(struct qemu_edu *edu, u32 dev_off, void *buf, u32 len)
{
	int ret = __edu_from_device(edu, dev_off, edu->scratch_dma, len);

	if (!ret)
		memcpy(buf, edu->scratch, len);
	return ret;
}

static int __edu_write(struct qemu_edu *edu, u32 dev_off, const void *buf,
		       u32 len)
{
	int ret = edu_check(edu, edu->scratch_dma, dev_off, len);

	lockdep_assert_held(&edu->lock);
	if (ret)
		return ret;
	memcpy(edu->scratch, buf, len);
	return __edu_to_device(edu, edu->scratch_dma, dev_off, len);
}

/**
 * qemu_edu_to_device() - DMA from memory into the device buffer
 * @edu: the device
 * @src: DMA address the caller mapped for @edu->pdev
 * @dev_off: offset in the device buffer
 * @len: bytes to copy; @dev_off + @len must not exceed QEMU_EDU_XFER_MAX
 *
 * Context: Process context; sleeps until the transfer is done.
 * Return: 0, -EINVAL for a copy outside the device buffer, -ERANGE for an
 * address the device cannot drive, -ETIMEDOUT if the transfer did not
 * finish (the device is then stopped, see below), -EIO if an earlier
 * transfer timed out: after a timeout the device's bus mastering is off
 * and every transfer fails until the driver is bound again.  -ENODEV once
 * the driver is being unbound from the device.
 */
int qemu_edu_to_device(struct qemu_edu *edu, dma_addr_t src, u32 dev_off,
		       u32 len)
{
	int ret;

	mutex_lock(&edu->lock);
	ret = __edu_to_device(edu, src, dev_off, len);
	mutex_unlock(&edu->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_to_device);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * qemu_edu_to_device_irqs_off() - a step, then DMA into the device buffer,
 *	with interrupts off throughout
 * @edu: the device
 * @step: called with interrupts disabled right before the transfer starts,
 *	or NULL; called even if the transfer is refused
 * @arg: argument of @step
 * @src: DMA address the caller mapped for @edu->pdev (or unmapped in @step)
 * @dev_off: offset in the device buffer
 * @len: bytes to copy; @dev_off + @len must not exceed QEMU_EDU_XFER_MAX
 *
 * From @step to the end of the transfer this CPU takes no interrupt and
 * runs no timer, in particular not the timer that empties the flush queue
 * of a lazy IOMMU domain when it was armed on this CPU.  A test therefore
 * sees what the device reaches right after an unmap done in @step (or
 * done just before the call, by a caller that keeps to this CPU with
 * migrate_disable()), not what it reaches once deferred IOTLB
 * invalidations have run.  The engine is polled, not slept on, so keep
 * such transfers few.
 *
 * Context: Process context; takes the engine lock.  @step must not sleep.
 * Return: as for qemu_edu_to_device().
 */
int qemu_edu_to_device_irqs_off(struct qemu_edu *edu,
				void (*step)(void *arg), void *arg,
				dma_addr_t src, u32 dev_off, u32 len)
{
	unsigned long flags;
	ktime_t timeout;
	int ret;

	mutex_lock(&edu->lock);
	ret = edu_check(edu, src, dev_off, len);
	local_irq_save(flags);
	if (step)
		step(arg);
	if (!ret)
		ret = edu_start(edu, src, EDU_BUF_ADDR + dev_off, len, 0);
	timeout = ktime_add_ms(ktime_get(), qemu_edu_xfer_timeout_ms(edu));
	while (!ret && readl(edu->mmio + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (ktime_after(ktime_get(), timeout)) {
			edu_kill(edu);
			ret = -ETIMEDOUT;
			break;
		}
		udelay(5);
	}
	local_irq_restore(flags);
	mutex_unlock(&edu->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_to_device_irqs_off);
#endif

/**
 * qemu_edu_from_device() - DMA from the device buffer into memory
 * @edu: the device
 * @dev_off: offset in the device buffer
 * @dst: DMA address the caller mapped for @edu->pdev
 * @len: bytes to copy; @dev_off + @len must not exceed QEMU_EDU_XFER_MAX
 *
 * Context: Process context; sleeps until the transfer is done.
 * Return: as for qemu_edu_to_device().
 */
int qemu_edu_from_device(struct qemu_edu *edu, u32 dev_off, dma_addr_t dst,
			 u32 len)
{
	int ret;

	mutex_lock(&edu->lock);
	ret = __edu_from_device(edu, dev_off, dst, len);
	mutex_unlock(&edu->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_from_device);

/**
 * qemu_edu_read() - copy part of the device buffer to the CPU
 * @edu: the device
 * @dev_off: offset in the device buffer
 * @buf: destination
 * @len: bytes to copy
 *
 * The device writes into the driver's own coherent page, which is then
 * copied to @buf: this shows what the device itself holds.
 *
 * Context: Process context; sleeps.
 * Return: as for qemu_edu_from_device().
 */
int qemu_edu_read(struct qemu_edu *edu, u32 dev_off, void *buf, u32 len)
{
	int ret;

	mutex_lock(&edu->lock);
	ret = __edu_read(edu, dev_off, buf, len);
	mutex_unlock(&edu->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_read);

/**
 * qemu_edu_write() - copy bytes from the CPU into the device buffer
 * @edu: the device
 * @dev_off: offset in the device buffer
 * @buf: source
 * @len: bytes to copy
 *
 * Context: Process context; sleeps.
 * Return: as for qemu_edu_to_device().
 */
int qemu_edu_write(struct qemu_edu *edu, u32 dev_off, const void *buf,
		   u32 len)
{
	int ret;

	mutex_lock(&edu->lock);
	ret = __edu_write(edu, dev_off, buf, len);
	mutex_unlock(&edu->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_write);

/**
 * qemu_edu_pattern() - the byte pattern used by qemu_edu_fill_list()
 * @buf: destination
 * @len: bytes to generate
 * @pos: position of @buf[0] in the whole pattern
 * @seed: pattern seed
 *
 * Context: Any context.
 */
void qemu_edu_pattern(void *buf, size_t len, u64 pos, u8 seed)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++, pos++)
		p[i] = (u8)(pos * 7 + (pos >> 8) + seed);
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_pattern);

/**
 * qemu_edu_read_through() - let the device read memory, and show what it read
 * @edu: the device
 * @src: DMA address the caller mapped for @edu->pdev
 * @buf: receives the bytes as they arrived in the device buffer
 * @len: bytes, at most QEMU_EDU_XFER_MAX
 *
 * The engine is held across both transfers (into the device, back out to
 * the driver's own page), so that concurrent users of the device do not
 * see each other's bytes.
 *
 * Context: Process context; sleeps, two transfers.
 * Return: as for qemu_edu_to_device().
 */
int qemu_edu_read_through(struct qemu_edu *edu, dma_addr_t src, void *buf,
			  u32 len)
{
	int ret;

	mutex_lock(&edu->lock);
	ret = __edu_to_device(edu, src, 0, len);
	if (!ret)
		ret = __edu_read(edu, 0, buf, len);
	mutex_unlock(&edu->lock);
	return ret;
}

/**
 * qemu_edu_write_through() - let the device write bytes into memory
 * @edu: the device
 * @buf: the bytes, first copied into the device buffer
 * @dst: DMA address the caller mapped for @edu->pdev
 * @len: bytes, at most QEMU_EDU_XFER_MAX
 *
 * The engine is held across both transfers, so that nobody replaces the
 * bytes in the device buffer before they go out.
 *
 * Context: Process context; sleeps, two transfers.
 * Return: as for qemu_edu_from_device().
 */
int qemu_edu_write_through(struct qemu_edu *edu, const void *buf,
			   dma_addr_t dst, u32 len)
{
	int ret;

	mutex_lock(&edu->lock);
	ret = __edu_write(edu, 0, buf, len);
	if (!ret)
		ret = __edu_from_device(edu, 0, dst, len);
	mutex_unlock(&edu->lock);
	return ret;
}

/**
 * qemu_edu_copy() - let the device copy memory to memory through its buffer
 * @edu: the device
 * @src: pieces to read, DMA addresses the caller mapped for @edu->pdev
 * @nr_src: number of pieces in @src
 * @dst: pieces to write, mapped for @edu->pdev like @src
 * @nr_dst: number of pieces in @dst
 *
 * The device reads the @src pieces one after the other into its buffer,
 * then writes the buffer out to the @dst pieces: one transfer per piece.
 * The engine is held across all of them, so that no other user replaces
 * the buffer in between.
 *
 * Context: Process context; sleeps, @nr_src + @nr_dst transfers.
 * Return: 0, -EINVAL if the pieces do not add up to the same length or
 * exceed QEMU_EDU_XFER_MAX, or an error of qemu_edu_to_device().
 */
int qemu_edu_copy(struct qemu_edu *edu, const struct qemu_edu_seg *src,
		  unsigned int nr_src, const struct qemu_edu_seg *dst,
		  unsigned int nr_dst)
{
	u32 off, src_len = 0, dst_len = 0;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr_src; i++)
		src_len += src[i].len;
	for (i = 0; i < nr_dst; i++)
		dst_len += dst[i].len;
	if (!src_len || src_len != dst_len || src_len > QEMU_EDU_XFER_MAX)
		return -EINVAL;

	mutex_lock(&edu->lock);
	for (i = 0, off = 0; i < nr_src && !ret; off += src[i++].len)
		ret = __edu_to_device(edu, src[i].addr, off, src[i].len);
	for (i = 0, off = 0; i < nr_dst && !ret; off += dst[i++].len)
		ret = __edu_from_device(edu, off, dst[i].addr, dst[i].len);
	mutex_unlock(&edu->lock);
	return ret;
}

/**
 * qemu_edu_checksum_list() - let the device read a DMA range list
 * @edu: the device
 * @dl: DMA ranges mapped for @edu->pdev
 * @crcs: receives the crc32_le (seed ~0) of each range as the device read it
 * @nr_crcs: number of entries of @crcs; must be at least dma_list_count(@dl)
 *
 * The device copies every range into its buffer, QEMU_EDU_XFER_MAX bytes
 * at a time, and each piece is read back from the device to compute the
 * checksum, see qemu_edu_read_through().
 *
 * Context: Process context; sleeps, two transfers per piece.
 * Return: 0, -EINVAL if @crcs is too small, or a transfer error.
 */
int qemu_edu_checksum_list(struct qemu_edu *edu, const struct dma_list *dl,
			   u32 *crcs, unsigned int nr_crcs)
{
	struct dma_list_iter di;
	unsigned int i = 0;
	dma_addr_t addr;
	void *buf;
	u64 len;
	int ret = 0;

	if (dma_list_count(dl) > nr_crcs)
		return -EINVAL;
	buf = kmalloc(QEMU_EDU_BUF_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	dma_list_for_each(dl, &di, addr, len) {
		u32 crc = ~0U;

		while (len) {
			u32 n = min_t(u64, len, QEMU_EDU_XFER_MAX);

			ret = qemu_edu_read_through(edu, addr, buf, n);
			if (ret)
				goto out;
			crc = crc32_le(crc, buf, n);
			addr += n;
			len -= n;
		}
		crcs[i++] = crc;
	}
out:
	kfree(buf);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_checksum_list);

/**
 * qemu_edu_fill_list() - let the device write a pattern into a range list
 * @edu: the device
 * @dl: DMA ranges mapped for @edu->pdev
 * @seed: pattern seed, see qemu_edu_pattern(); positions count from the
 *	start of the list
 *
 * Each piece of the pattern goes out through qemu_edu_write_through().
 *
 * Context: Process context; sleeps, two transfers per QEMU_EDU_XFER_MAX
 * bytes.
 * Return: 0 or a transfer error.
 */
int qemu_edu_fill_list(struct qemu_edu *edu, const struct dma_list *dl,
		       u8 seed)
{
	struct dma_list_iter di;
	dma_addr_t addr;
	u64 len, pos = 0;
	void *buf;
	int ret = 0;

	buf = kmalloc(QEMU_EDU_BUF_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	dma_list_for_each(dl, &di, addr, len) {
		while (len) {
			u32 n = min_t(u64, len, QEMU_EDU_XFER_MAX);

			qemu_edu_pattern(buf, n, pos, seed);
			ret = qemu_edu_write_through(edu, buf, addr, n);
			if (ret)
				goto out;
			addr += n;
			len -= n;
			pos += n;
		}
	}
out:
	kfree(buf);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_fill_list);

/* A source page the device must reach with an address above 2^28 */
struct edu_reach_src {
	struct page *page;
	struct dma_iova_state st;
	dma_addr_t addr;
};

/*
 * With an IOMMU, where an IOVA lands depends on the allocator's history
 * (top-down below 4 GiB from a cached position that a mapping under a
 * narrow mask leaves low): reserve a range longer than 2^28, which must
 * end above it, and link the page at its end.  Without one, the page's
 * physical address is used as it is.
 */
static int edu_reach_src_map(struct device *dev, struct edu_reach_src *src,
			     const void *want, size_t len)
{
	const size_t span = (size_t)DMA_BIT_MASK(EDU_QEMU_DEFAULT_BITS) + 1 +
			    PAGE_SIZE;
	int ret;

	src->page = alloc_page(GFP_KERNEL);
	if (!src->page)
		return -ENOMEM;
	/* Written before it is mapped: no sync needed on either path */
	memcpy(page_address(src->page), want, len);
	if (dma_iova_try_alloc(dev, &src->st, 0, span)) {
		ret = dma_iova_link(dev, &src->st, page_to_phys(src->page),
				    span - PAGE_SIZE, PAGE_SIZE,
				    DMA_TO_DEVICE, 0);
		if (!ret)
			ret = dma_iova_sync(dev, &src->st, span - PAGE_SIZE,
					    PAGE_SIZE);
		if (ret) {
			dma_iova_destroy(dev, &src->st, 0, DMA_TO_DEVICE, 0);
			__free_page(src->page);
			return ret;
		}
		src->addr = src->st.addr + span - PAGE_SIZE;
		return 0;
	}
	src->addr = dma_map_page(dev, src->page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src->addr)) {
		__free_page(src->page);
		return -ENOMEM;
	}
	return 0;
}

static void edu_reach_src_unmap(struct device *dev, struct edu_reach_src *src)
{
	size_t span = dma_iova_size(&src->st);

	if (dma_use_iova(&src->st))
		dma_iova_destroy(dev, &src->st, span, DMA_TO_DEVICE, 0);
	else
		dma_unmap_page(dev, src->addr, PAGE_SIZE, DMA_TO_DEVICE);
	__free_page(src->page);
}

/**
 * qemu_edu_check_dma_reach() - prove the device drives the upper DMA bits
 * @edu: the device, with its DMA mask set from dma_bits
 *
 * QEMU's edu ANDs every DMA address with its dma_mask property (28 bits
 * unless set) and then reads or writes wherever that points: with a
 * dma_bits parameter wider than the property, the device silently uses
 * the wrong memory.  Have it copy a random pattern from a page mapped
 * above 2^28 into its own buffer and from there into a page mapped below
 * 2^28.  Reading from a wrong address is harmless; writing to one is not,
 * hence the low landing page, which both masks reach.
 *
 * Context: Process context, before the device is used; sleeps, two
 * transfers.  Changes the DMA mask of the device for a moment.
 * Return: 0 if the pattern arrived or dma_bits is not above 28, -EIO if
 * it did not (logged with both settings), -ENXIO if no page could be
 * mapped on the right side of 2^28 (nothing verified), -ENOMEM or a
 * transfer error.
 */
VISIBLE_IF_KUNIT int qemu_edu_check_dma_reach(struct qemu_edu *edu)
{
	const u64 narrow = DMA_BIT_MASK(EDU_QEMU_DEFAULT_BITS);
	struct device *dev = &edu->pdev->dev;
	struct edu_reach_src src = {};
	u8 want[EDU_REACH_LEN];
	dma_addr_t lo_dma;
	void *lo;
	int ret;

	if (edu->dma_mask <= narrow)
		return 0;

	get_random_bytes(want, sizeof(want));
	ret = edu_reach_src_map(dev, &src, want, sizeof(want));
	if (ret)
		return ret;

	/* The landing page: mapped while the mask says 28 bits */
	ret = dma_set_mask_and_coherent(dev, narrow);
	if (ret)
		goto out_src;
	lo = dma_alloc_coherent(dev, PAGE_SIZE, &lo_dma, GFP_KERNEL);
	ret = dma_set_mask_and_coherent(dev, edu->dma_mask);
	if (!lo) {
		ret = ret ?: -ENOMEM;
		goto out_src;
	}
	if (ret)
		goto out_lo;
	if (src.addr <= narrow || lo_dma > narrow) {
		pci_info(edu->pdev, "no pages at %pad and %pad across 2^%u: DMA reach not verified\n",
			 &src.addr, &lo_dma, EDU_QEMU_DEFAULT_BITS);
		ret = -ENXIO;
		goto out_lo;
	}

	memset(lo, 0, sizeof(want));
	mutex_lock(&edu->lock);
	ret = __edu_to_device(edu, src.addr, 0, sizeof(want));
	if (!ret)
		ret = __edu_from_device(edu, 0, lo_dma, sizeof(want));
	mutex_unlock(&edu->lock);
	if (!ret && memcmp(lo, want, sizeof(want))) {
		pci_err(edu->pdev, "DMA from %pad did not reach the device: qemu_edu.dma_bits=%u is wider than the QEMU edu device's dma_mask property (default %u bits); give the device dma_mask=%#llx or lower dma_bits\n",
			&src.addr, dma_bits, EDU_QEMU_DEFAULT_BITS,
			edu->dma_mask);
		ret = -EIO;
	}
out_lo:
	dma_free_coherent(dev, PAGE_SIZE, lo, lo_dma);
out_src:
	edu_reach_src_unmap(dev, &src);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_check_dma_reach);

/*
 * debugfs "selftest": map three scattered pages with dma_map_phys_list(),
 * let the device read them and write them, and compare with the CPU.
 */
#define EDU_SELFTEST_PAGES	3

static int edu_selftest_show(struct seq_file *m, void *unused)
{
	struct qemu_edu *edu = m->private;
	struct device *dev = &edu->pdev->dev;
	struct page *pages[EDU_SELFTEST_PAGES * 2] = {};
	u32 crcs[EDU_SELFTEST_PAGES], want;
	struct dma_phys_map map;
	struct phys_list pl;
	bool ok = true;
	u8 *expect;
	gfp_t gfp;
	int i, ret;

	/* Without an IOMMU the device only reaches what its mask covers */
	gfp = GFP_KERNEL | __GFP_ZERO;
	if (dma_get_mask(dev) < DMA_BIT_MASK(32) &&
	    !strcmp(qemu_edu_topology(edu), "direct"))
		gfp |= GFP_DMA;

	expect = kmalloc(PAGE_SIZE, GFP_KERNEL);
	ret = expect ? phys_list_init(&pl, NULL) : -ENOMEM;
	if (ret)
		goto out_free;

	/* Every other page, so that no two are physically adjacent */
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = alloc_page(gfp);
		if (!pages[i]) {
			ret = -ENOMEM;
			goto out_pages;
		}
	}
	for (i = 0; i < EDU_SELFTEST_PAGES; i++) {
		struct page *p = pages[2 * i];

		qemu_edu_pattern(page_address(p), PAGE_SIZE, i * PAGE_SIZE, 0x5a);
		ret = phys_list_append_page(&pl, p, 0, PAGE_SIZE, GFP_KERNEL);
		if (ret)
			goto out_pages;
	}

	ret = dma_map_phys_list(dev, &pl, NULL, DMA_BIDIRECTIONAL, 0, &map);
	if (ret)
		goto out_pages;

	ret = qemu_edu_checksum_list(edu, &map.dl, crcs, ARRAY_SIZE(crcs));
	if (!ret && dma_list_count(&map.dl) == 1) {
		/* One IOVA range: compare against the CRC of all pages */
		want = ~0U;
		for (i = 0; i < EDU_SELFTEST_PAGES; i++)
			want = crc32_le(want, page_address(pages[2 * i]),
					PAGE_SIZE);
		ok = crcs[0] == want;
	} else if (!ret) {
		for (i = 0; i < EDU_SELFTEST_PAGES; i++)
			ok &= crcs[i] == crc32_le(~0U,
						  page_address(pages[2 * i]),
						  PAGE_SIZE);
	}
	if (!ret)
		ret = qemu_edu_fill_list(edu, &map.dl, 0xa5);
	dma_sync_phys_list_for_cpu(dev, &pl, &map);
	for (i = 0; !ret && i < EDU_SELFTEST_PAGES; i++) {
		qemu_edu_pattern(expect, PAGE_SIZE, i * PAGE_SIZE, 0xa5);
		ok &= !memcmp(expect, page_address(pages[2 * i]), PAGE_SIZE);
	}
	seq_printf(m, "edu %s %s mapping=%s dma_ranges=%lu transfers=%lu %s\n",
		   pci_name(edu->pdev), qemu_edu_topology(edu),
		   dma_use_iova(&map.state) ? "iova" : "direct",
		   dma_list_count(&map.dl), edu->nr_xfers,
		   ret ? "error" : ok ? "ok" : "MISMATCH");
	dma_unmap_phys_list(dev, &pl, &map);
	if (!ret && !ok)
		ret = -EIO;

out_pages:
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		if (pages[i])
			__free_page(pages[i]);
	phys_list_free(&pl);
out_free:
	kfree(expect);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(edu_selftest);

static int qemu_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct qemu_edu *edu;
	u32 ident;
	int ret;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	mutex_init(&edu->lock);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	edu->mmio = pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(edu->mmio))
		return PTR_ERR(edu->mmio);

	ident = readl(edu->mmio + EDU_REG_ID);
	if ((ident & 0xff) != EDU_ID_MAGIC) {
		pci_err(pdev, "unexpected identification %#x\n", ident);
		return -ENODEV;
	}

	edu->dma_mask = DMA_BIT_MASK(clamp(dma_bits, 12U, EDU_MAX_DMA_BITS));
	ret = dma_set_mask_and_coherent(&pdev->dev, edu->dma_mask);
	if (ret)
		return ret;
	pci_clear_master(pdev);
	ret = edu_wait_idle(edu);
	if (ret) {
		pci_err(pdev, "DMA engine still busy from an earlier binding\n");
		return ret;
	}
	pci_set_master(pdev);

	edu->scratch = dmam_alloc_coherent(&pdev->dev, QEMU_EDU_BUF_SIZE,
					   &edu->scratch_dma, GFP_KERNEL);
	if (!edu->scratch)
		return -ENOMEM;

	/* Before anybody can use the device: fail loudly, not corrupt */
	ret = qemu_edu_check_dma_reach(edu);
	if (ret == -ENXIO)
		ret = 0;
	if (ret)
		return ret;

	pci_set_drvdata(pdev, edu);
	ret = qemu_edu_cdev_add(edu);
	if (ret)
		return ret;
	edu->dir = debugfs_create_dir(pci_name(pdev), qemu_edu_debugfs);
	debugfs_create_file("selftest", 0400, edu->dir, edu,
			    &edu_selftest_fops);
	debugfs_create_ulong("transfers", 0400, edu->dir, &edu->nr_xfers);
	debugfs_create_atomic_t("dmabuf_attachments", 0400, edu->dir,
				&edu->nr_dmabuf_attach);
	debugfs_create_atomic_t("dmabuf_mappings", 0400, edu->dir,
				&edu->nr_dmabuf_maps);

	ret = qemu_edu_v4l2_add(edu);
	if (ret) {
		debugfs_remove(edu->dir);
		qemu_edu_cdev_del(edu);
		return ret;
	}

	pci_info(pdev, "edu %u.%u, %u-bit DMA, %s\n", ident >> 24,
		 (ident >> 16) & 0xff, clamp(dma_bits, 12U, EDU_MAX_DMA_BITS),
		 qemu_edu_topology(edu));
	return 0;
}

static void qemu_edu_remove(struct pci_dev *pdev)
{
	struct qemu_edu *edu = pci_get_drvdata(pdev);

	/* Users in the middle of a sequence stop at their next transfer */
	mutex_lock(&edu->lock);
	edu->gone = true;
	mutex_unlock(&edu->lock);

	/* Open files lose their dma-buf attachments and fail from now on */
	qemu_edu_cdev_del(edu);

	/* Waits for readers of the selftest, which hold no reference */
	debugfs_remove(edu->dir);
	/* The video device goes; a frame in flight stops at its next transfer */
	qemu_edu_v4l2_del(edu);
	wait_var_event(&edu->users, !atomic_read(&edu->users));

	mutex_lock(&edu->lock);
	pci_clear_master(pdev);
	mutex_unlock(&edu->lock);
}

static const struct pci_device_id qemu_edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, qemu_edu_ids);

static struct pci_driver qemu_edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = qemu_edu_ids,
	.probe = qemu_edu_probe,
	.remove = qemu_edu_remove,
};

static int __init qemu_edu_init(void)
{
	int ret;

	qemu_edu_debugfs = debugfs_create_dir("qemu_edu", NULL);
	ret = qemu_edu_bench_init(qemu_edu_debugfs);
	if (ret)
		goto err;
	ret = qemu_edu_shm_register();
	if (ret)
		goto err;
	ret = pci_register_driver(&qemu_edu_driver);
	if (ret)
		goto err_shm;
	return 0;
err_shm:
	qemu_edu_shm_unregister();
err:
	debugfs_remove(qemu_edu_debugfs);
	return ret;
}
module_init(qemu_edu_init);

static void __exit qemu_edu_exit(void)
{
	pci_unregister_driver(&qemu_edu_driver);
	qemu_edu_shm_unregister();
	debugfs_remove(qemu_edu_debugfs);
}
module_exit(qemu_edu_exit);

MODULE_DESCRIPTION("DMA engine driver for QEMU's edu test device");
MODULE_LICENSE("GPL");
