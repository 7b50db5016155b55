// SPDX-License-Identifier: GPL-2.0-only
/*
 * The edu device as a dma-buf importer: the NIC stand-in of the tests.
 *
 * Each edu has a character device /dev/qemu_eduN (uapi in
 * include/uapi/misc/qemu_edu.h).  An open file attaches the device to one
 * dma-buf as a dynamic importer that accepts peer-to-peer memory, maps it
 * with the range-list API or with the legacy sg_table API, and lets the
 * device read a window of it (reporting checksums of the bytes that went
 * through the device) or write a pattern into it.  Both importer APIs are
 * thus exercised against every exporter, with the bytes checked by user
 * space against what the CPU sees.  For an sg_table mapping it also reads
 * the buffer through the table's pages, as the in-tree legacy importers
 * that walk the CPU side of imported tables do, so that user space can
 * check that side too.
 *
 * Locking: a file's mutex serialises its ioctls and its teardown by
 * unbind; the mapping itself is protected by the buffer's reservation
 * lock, which is held across every use of it, because move_notify (called
 * with that lock held) unmaps it on the spot.  The next use maps again,
 * which fails with -ENODEV once the exporter revoked the memory.
 */
#include <linux/crc32.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/misc/qemu_edu.h>

#include "qemu_edu.h"

MODULE_IMPORT_NS(DMA_BUF);

/* More ranges than any window of the tests has; bounds the kernel copy */
#define EDU_MAX_WIN_RANGES	65536

/* Order: edu_files_lock, then a file's lock, then a buffer's resv lock */
static DEFINE_MUTEX(edu_files_lock);
static DEFINE_IDA(edu_minor_ida);

/**
 * struct edu_file - one open /dev/qemu_eduN
 * @lock: serialises the file's ioctls against each other and against
 *	unbind
 * @edu: the device; NULL once it was unbound (under @lock and
 *	edu_files_lock)
 * @node: entry in &qemu_edu.files
 * @dmabuf: the attached buffer, or NULL
 * @attach: the attachment, or NULL
 * @offset: start of the window in the buffer
 * @length: length of the window
 * @dir: DMA direction of the attachment
 * @api: QEMU_EDU_API_LIST or QEMU_EDU_API_SGT
 * @dl: the range-list mapping (resv lock)
 * @sgt: the sg_table mapping (resv lock)
 * @mapped: @dl or @sgt is valid; cleared by move_notify (resv lock)
 */
struct edu_file {
	struct mutex lock;	/* ioctls and unbind */
	struct qemu_edu *edu;
	struct list_head node;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	u64 offset;
	u64 length;
	enum dma_data_direction dir;
	u32 api;
	const struct dma_list *dl;
	struct sg_table *sgt;
	bool mapped;
};

static int edu_map(struct edu_file *f)
{
	dma_resv_assert_held(f->dmabuf->resv);

	if (f->mapped)
		return 0;
	if (f->api == QEMU_EDU_API_LIST) {
		const struct dma_list *dl;

		dl = dma_buf_map_attachment_list(f->attach, f->dir);
		if (IS_ERR(dl))
			return PTR_ERR(dl);
		f->dl = dl;
	} else {
		struct sg_table *sgt;

		sgt = dma_buf_map_attachment(f->attach, f->dir);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		f->sgt = sgt;
	}
	f->mapped = true;
	atomic_inc(&f->edu->nr_dmabuf_maps);
	return 0;
}

static void edu_unmap(struct edu_file *f)
{
	dma_resv_assert_held(f->dmabuf->resv);

	if (!f->mapped)
		return;
	if (f->api == QEMU_EDU_API_LIST)
		dma_buf_unmap_attachment_list(f->attach, f->dl, f->dir);
	else
		dma_buf_unmap_attachment(f->attach, f->sgt, f->dir);
	f->dl = NULL;
	f->sgt = NULL;
	f->mapped = false;
	atomic_dec(&f->edu->nr_dmabuf_maps);
}

/* Called with the resv lock held: the mapping goes now, not later */
static void edu_move_notify(struct dma_buf_attachment *attach)
{
	edu_unmap(attach->importer_priv);
}

/* edu_move_notify() unmaps on the spot: revocable buffers may attach */
static const struct dma_buf_attach_ops edu_importer_p2p = {
	.allow_peer2peer = true,
	.allow_revoke = true,
	.move_notify = edu_move_notify,
};

static const struct dma_buf_attach_ops edu_importer_no_p2p = {
	.allow_revoke = true,
	.move_notify = edu_move_notify,
};

/*
 * Call @fn for each DMA range of the mapping clipped to the window, with
 * its position in the window; count all ranges and those in the window.
 * The resv lock is held, the mapping valid.
 */
typedef int (*edu_range_fn)(struct edu_file *f, u64 pos, dma_addr_t addr,
			    u64 len, void *ctx);

struct edu_walk {
	struct edu_file *f;
	edu_range_fn fn;
	void *ctx;
	u64 pos;		/* position of the next range in the buffer */
	u64 covered;		/* window bytes seen */
	u32 nr_all;
	u32 nr_win;
};

static int edu_walk_one(struct edu_walk *w, dma_addr_t addr, u64 len)
{
	struct edu_file *f = w->f;
	u64 start = max(w->pos, f->offset);
	u64 end = min(w->pos + len, f->offset + f->length);
	int ret = 0;

	if (start < end) {
		if (w->fn)
			ret = w->fn(f, start - f->offset,
				    addr + (start - w->pos), end - start,
				    w->ctx);
		w->nr_win++;
		w->covered += end - start;
	}
	w->nr_all++;
	w->pos += len;
	return ret;
}

static int edu_walk(struct edu_file *f, edu_range_fn fn, void *ctx,
		    u32 *nr_all, u32 *nr_win)
{
	struct edu_walk w = { .f = f, .fn = fn, .ctx = ctx };
	int ret = 0;

	dma_resv_assert_held(f->dmabuf->resv);

	if (f->api == QEMU_EDU_API_LIST) {
		struct dma_list_iter di;
		dma_addr_t addr;
		u64 len;

		dma_list_for_each(f->dl, &di, addr, len) {
			ret = edu_walk_one(&w, addr, len);
			if (ret)
				return ret;
		}
	} else {
		struct scatterlist *sg;
		unsigned int i;

		for_each_sgtable_dma_sg(f->sgt, sg, i) {
			ret = edu_walk_one(&w, sg_dma_address(sg),
					   sg_dma_len(sg));
			if (ret)
				return ret;
		}
	}
	/* A mapping shorter than the buffer must not pass for a good one */
	if (w.covered != f->length) {
		pci_err(f->edu->pdev, "dma-buf mapping covers %llu of the %llu window bytes\n",
			w.covered, f->length);
		return -EIO;
	}
	if (nr_all)
		*nr_all = w.nr_all;
	if (nr_win)
		*nr_win = w.nr_win;
	return 0;
}

static void edu_teardown(struct edu_file *f)
{
	if (!f->attach)
		return;
	dma_resv_lock(f->dmabuf->resv, NULL);
	edu_unmap(f);
	dma_resv_unlock(f->dmabuf->resv);
	dma_buf_detach(f->dmabuf, f->attach);
	dma_buf_put(f->dmabuf);
	f->attach = NULL;
	f->dmabuf = NULL;
	atomic_dec(&f->edu->nr_dmabuf_attach);
}

static int edu_dir(u32 dir, enum dma_data_direction *out)
{
	switch (dir) {
	case QEMU_EDU_DIR_TO_DEVICE:
		*out = DMA_TO_DEVICE;
		return 0;
	case QEMU_EDU_DIR_FROM_DEVICE:
		*out = DMA_FROM_DEVICE;
		return 0;
	case QEMU_EDU_DIR_BIDIRECTIONAL:
		*out = DMA_BIDIRECTIONAL;
		return 0;
	}
	return -EINVAL;
}

static long edu_ioc_attach(struct edu_file *f, void __user *uarg)
{
	const struct dma_buf_attach_ops *ops = &edu_importer_p2p;
	struct dma_buf_attachment *attach;
	struct qemu_edu_attach arg;
	enum dma_data_direction dir;
	struct dma_buf *dmabuf;
	u64 end;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~QEMU_EDU_ATTACH_FLAGS ||
	    (arg.api != QEMU_EDU_API_LIST && arg.api != QEMU_EDU_API_SGT) ||
	    edu_dir(arg.dir, &dir) || !arg.length)
		return -EINVAL;
	if (check_add_overflow(arg.offset, arg.length, &end))
		return -EOVERFLOW;
	if (f->attach)
		return -EBUSY;

	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (end > dmabuf->size) {
		ret = -EINVAL;
		goto err_put;
	}
	if (arg.flags & QEMU_EDU_ATTACH_NO_P2P)
		ops = &edu_importer_no_p2p;
	attach = dma_buf_dynamic_attach(dmabuf, &f->edu->pdev->dev, ops, f);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto err_put;
	}

	f->dmabuf = dmabuf;
	f->attach = attach;
	f->offset = arg.offset;
	f->length = arg.length;
	f->dir = dir;
	f->api = arg.api;
	atomic_inc(&f->edu->nr_dmabuf_attach);

	dma_resv_lock(dmabuf->resv, NULL);
	ret = edu_map(f);
	if (!ret)
		ret = edu_walk(f, NULL, NULL, &arg.nr_ranges, &arg.win_ranges);
	dma_resv_unlock(dmabuf->resv);
	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	if (ret)
		edu_teardown(f);
	return ret;

err_put:
	dma_buf_put(dmabuf);
	return ret;
}

struct edu_checksum_ctx {
	struct qemu_edu_range *ranges;
	u32 nr;
	u32 crc;
	u64 bytes;
	void *buf;
};

static int edu_checksum_range(struct edu_file *f, u64 pos, dma_addr_t addr,
			      u64 len, void *data)
{
	struct edu_checksum_ctx *c = data;
	struct qemu_edu_range *r = &c->ranges[c->nr++];

	r->offset = pos;
	r->length = len;
	r->crc = ~0U;
	while (len) {
		u32 n = min_t(u64, len, QEMU_EDU_XFER_MAX);
		int ret;

		if (signal_pending(current))
			return -EINTR;
		ret = qemu_edu_read_through(f->edu, addr, c->buf, n);
		if (ret)
			return ret;
		r->crc = crc32_le(r->crc, c->buf, n);
		c->crc = crc32_le(c->crc, c->buf, n);
		c->bytes += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static long edu_ioc_checksum(struct edu_file *f, void __user *uarg)
{
	struct edu_checksum_ctx c = { .crc = ~0U };
	struct qemu_edu_checksum arg;
	u32 nr_win = 0;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad)
		return -EINVAL;
	if (!f->attach)
		return -ENOENT;
	if (f->dir == DMA_FROM_DEVICE)
		return -EACCES;

	ret = dma_resv_lock_interruptible(f->dmabuf->resv, NULL);
	if (ret)
		return ret;
	ret = edu_map(f);
	if (!ret)
		ret = edu_walk(f, NULL, NULL, NULL, &nr_win);
	if (ret)
		goto out_unlock;
	if (nr_win > EDU_MAX_WIN_RANGES) {
		ret = -E2BIG;
		goto out_unlock;
	}
	if (nr_win > arg.nr_ranges) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	c.ranges = kvcalloc(nr_win, sizeof(*c.ranges), GFP_KERNEL);
	c.buf = kmalloc(QEMU_EDU_BUF_SIZE, GFP_KERNEL);
	if (!c.ranges || !c.buf) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = edu_walk(f, edu_checksum_range, &c, NULL, NULL);
out_unlock:
	dma_resv_unlock(f->dmabuf->resv);
	/* Copied out without the resv lock: a fault takes mmap_lock */
	if (ret == -ENOSPC) {
		arg.nr_ranges = nr_win;
		if (copy_to_user(uarg, &arg, sizeof(arg)))
			ret = -EFAULT;
	}
	if (!ret && copy_to_user(u64_to_user_ptr(arg.ranges), c.ranges,
				 array_size(c.nr, sizeof(*c.ranges))))
		ret = -EFAULT;
	if (!ret) {
		arg.nr_ranges = c.nr;
		arg.bytes = c.bytes;
		arg.crc = c.crc;
		if (copy_to_user(uarg, &arg, sizeof(arg)))
			ret = -EFAULT;
	}
	kfree(c.buf);
	kvfree(c.ranges);
	return ret;
}

struct edu_write_ctx {
	u8 seed;
	u64 bytes;
	void *buf;
};

static int edu_write_range(struct edu_file *f, u64 pos, dma_addr_t addr,
			   u64 len, void *data)
{
	struct edu_write_ctx *c = data;

	while (len) {
		u32 n = min_t(u64, len, QEMU_EDU_XFER_MAX);
		int ret;

		if (signal_pending(current))
			return -EINTR;
		qemu_edu_pattern(c->buf, n, pos, c->seed);
		ret = qemu_edu_write_through(f->edu, c->buf, addr, n);
		if (ret)
			return ret;
		c->bytes += n;
		addr += n;
		pos += n;
		len -= n;
	}
	return 0;
}

static long edu_ioc_write(struct edu_file *f, void __user *uarg)
{
	struct edu_write_ctx c = {};
	struct qemu_edu_write arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.seed > U8_MAX)
		return -EINVAL;
	if (!f->attach)
		return -ENOENT;
	if (f->dir == DMA_TO_DEVICE)
		return -EACCES;

	c.seed = arg.seed;
	c.buf = kmalloc(QEMU_EDU_BUF_SIZE, GFP_KERNEL);
	if (!c.buf)
		return -ENOMEM;
	ret = dma_resv_lock_interruptible(f->dmabuf->resv, NULL);
	if (ret)
		goto out_free;
	ret = edu_map(f);
	if (!ret)
		ret = edu_walk(f, edu_write_range, &c, NULL, NULL);
	dma_resv_unlock(f->dmabuf->resv);
	if (!ret) {
		arg.bytes = c.bytes;
		if (copy_to_user(uarg, &arg, sizeof(arg)))
			ret = -EFAULT;
	}
out_free:
	kfree(c.buf);
	return ret;
}

/*
 * With CONFIG_DMABUF_DEBUG the core XORs the page_link of every entry of
 * a table it hands to an importer with ~0xffUL (the SG_CHAIN and SG_END
 * bits survive), so that an importer that peeks at the pages crashes, and
 * XORs it again in __unmap_dma_buf() before the table goes back to the
 * exporter.  Walking the pages is the point of QEMU_EDU_IOC_PAGE_CHECKSUM,
 * so it undoes the mangling the way the core does at unmap, in place, and
 * redoes it before it lets go of the reservation lock: the table is only
 * unmapped (by us, or by the core or exporter through move_notify) with
 * that lock held, so nobody else ever sees it unmangled.  Like the
 * core's, this walk skips chain entries, whose page_link the core leaves
 * alone.
 */
static void edu_sgt_toggle_mangling(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_DMABUF_DEBUG))
		return;
	for_each_sgtable_sg(sgt, sg, i)
		sg->page_link ^= ~0xffUL;
}

/*
 * The page entries of the (unmangled) table must describe the whole
 * buffer: every entry with bytes has a page, and the lengths add up to
 * the buffer's size.  Checked before any page is mapped.
 */
static int edu_sgt_check_pages(struct edu_file *f, struct sg_table *sgt)
{
	unsigned int i, nr_bad = 0;
	struct scatterlist *sg;
	u64 total = 0;

	for_each_sgtable_sg(sgt, sg, i) {
		struct page *page = sg_page(sg);

		if (sg->length && (!page || !pfn_valid(page_to_pfn(page))))
			nr_bad++;
		total += sg->length;
	}
	if (nr_bad || total != f->dmabuf->size) {
		pci_err(f->edu->pdev, "dma-buf sg_table: %u page entries cover %llu of the %zu buffer bytes, %u of them without a page\n",
			sgt->orig_nents, total, f->dmabuf->size, nr_bad);
		return -EIO;
	}
	return 0;
}

struct edu_page_sum {
	u64 start;		/* bytes [start, end) of the buffer */
	u64 end;
	u32 crc;
	u32 pages;		/* pages that held some of them */
};

/*
 * Checksum bytes [@s->start, @s->end) of the buffer as the CPU reads them
 * through the pages of the (unmangled, checked) table.  Entries follow
 * each other in the buffer; an entry's bytes start at its offset in its
 * first page.
 */
static void edu_sgt_sum_pages(struct sg_table *sgt, struct edu_page_sum *s)
{
	struct scatterlist *cur = NULL;
	struct sg_page_iter piter;
	u64 base = 0;		/* buffer position of the entry's first byte */

	for_each_sgtable_page(sgt, &piter, 0) {
		struct scatterlist *sg = piter.sg;
		u64 pg = (u64)piter.sg_pgoffset << PAGE_SHIFT;
		u64 from, to, pos, end;
		void *vaddr;

		/*
		 * Every entry with bytes yields a page, so those between
		 * @cur and @sg had none: @sg starts where @cur ends.
		 */
		if (sg != cur) {
			if (cur)
				base += cur->length;
			cur = sg;
		}
		/* The entry's bytes in this page, relative to sg_page(sg) */
		from = max_t(u64, pg, sg->offset);
		to = min_t(u64, pg + PAGE_SIZE, (u64)sg->offset + sg->length);
		if (from >= to)
			continue;
		/* ... in buffer positions, clipped to the bytes asked for */
		pos = max(base + from - sg->offset, s->start);
		end = min(base + to - sg->offset, s->end);
		if (pos >= end)
			continue;
		from = pos - base + sg->offset;
		vaddr = kmap_local_page(sg_page_iter_page(&piter));
		s->crc = crc32_le(s->crc, vaddr + (from - pg), end - pos);
		kunmap_local(vaddr);
		s->pages++;
	}
}

static long edu_ioc_page_checksum(struct edu_file *f, void __user *uarg)
{
	struct qemu_edu_page_checksum arg;
	struct edu_page_sum s = { .crc = ~0U };
	struct sg_table *sgt;
	u64 end;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || arg.pad || !arg.length)
		return -EINVAL;
	if (check_add_overflow(arg.offset, arg.length, &end))
		return -EOVERFLOW;
	if (!f->attach)
		return -ENOENT;
	if (f->api != QEMU_EDU_API_SGT || end > f->dmabuf->size)
		return -EINVAL;

	s.start = arg.offset;
	s.end = end;
	ret = dma_resv_lock_interruptible(f->dmabuf->resv, NULL);
	if (ret)
		return ret;
	ret = edu_map(f);
	if (ret)
		goto out_unlock;
	sgt = f->sgt;
	arg.orig_nents = sgt->orig_nents;
	arg.nents = sgt->nents;
	/* A DMA-only table: memory the CPU has no struct page for */
	if (!sgt->orig_nents) {
		ret = -ENXIO;
		goto out_unlock;
	}
	edu_sgt_toggle_mangling(sgt);
	ret = edu_sgt_check_pages(f, sgt);
	if (!ret)
		edu_sgt_sum_pages(sgt, &s);
	edu_sgt_toggle_mangling(sgt);
out_unlock:
	dma_resv_unlock(f->dmabuf->resv);
	if (ret)
		return ret;
	arg.crc = s.crc;
	arg.pages = s.pages;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&f->lock);
	if (!f->edu) {
		ret = -ENODEV;
		goto out;
	}
	switch (cmd) {
	case QEMU_EDU_IOC_ATTACH:
		ret = edu_ioc_attach(f, uarg);
		break;
	case QEMU_EDU_IOC_CHECKSUM:
		ret = edu_ioc_checksum(f, uarg);
		break;
	case QEMU_EDU_IOC_WRITE:
		ret = edu_ioc_write(f, uarg);
		break;
	case QEMU_EDU_IOC_PAGE_CHECKSUM:
		ret = edu_ioc_page_checksum(f, uarg);
		break;
	case QEMU_EDU_IOC_DETACH:
		ret = f->attach ? 0 : -ENOENT;
		edu_teardown(f);
		break;
	default:
		ret = -ENOTTY;
	}
out:
	mutex_unlock(&f->lock);
	return ret;
}

static int edu_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct qemu_edu *edu = container_of(misc, struct qemu_edu, misc);
	struct edu_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);

	mutex_lock(&edu_files_lock);
	/*
	 * misc_open() holds misc_mtx across this call and unbind
	 * deregisters the device (taking misc_mtx) before it walks the
	 * list, so @edu is alive; refuse an open that comes after unbind
	 * began all the same.
	 */
	if (edu->gone) {
		mutex_unlock(&edu_files_lock);
		kfree(f);
		return -ENODEV;
	}
	f->edu = edu;
	list_add(&f->node, &edu->files);
	mutex_unlock(&edu_files_lock);

	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int edu_release(struct inode *inode, struct file *file)
{
	struct edu_file *f = file->private_data;

	mutex_lock(&edu_files_lock);
	mutex_lock(&f->lock);
	if (f->edu) {
		edu_teardown(f);
		list_del(&f->node);
		f->edu = NULL;
	}
	mutex_unlock(&f->lock);
	mutex_unlock(&edu_files_lock);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * qemu_edu_cdev_add() - create /dev/qemu_eduN for a bound edu device
 * @edu: the device, ready for transfers
 *
 * Context: Process context, from probe.
 * Return: 0 or a negative errno.
 */
int qemu_edu_cdev_add(struct qemu_edu *edu)
{
	int ret;

	INIT_LIST_HEAD(&edu->files);
	ret = ida_alloc(&edu_minor_ida, GFP_KERNEL);
	if (ret < 0)
		return ret;
	edu->minor_id = ret;
	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = kasprintf(GFP_KERNEL, "qemu_edu%d", edu->minor_id);
	edu->misc.fops = &edu_fops;
	edu->misc.parent = &edu->pdev->dev;
	edu->misc.mode = 0600;
	if (!edu->misc.name) {
		ret = -ENOMEM;
		goto err_ida;
	}
	ret = misc_register(&edu->misc);
	if (ret)
		goto err_name;
	return 0;

err_name:
	kfree(edu->misc.name);
err_ida:
	ida_free(&edu_minor_ida, edu->minor_id);
	return ret;
}

/**
 * qemu_edu_cdev_del() - remove /dev/qemu_eduN and detach its open files
 * @edu: the device being unbound, with &qemu_edu.gone set, so that a
 *	transfer in progress in an ioctl stops at its next step
 *
 * Files that stay open fail every ioctl with -ENODEV afterwards.
 *
 * Context: Process context, from remove(); waits for running ioctls.
 */
void qemu_edu_cdev_del(struct qemu_edu *edu)
{
	struct edu_file *f, *tmp;

	misc_deregister(&edu->misc);

	mutex_lock(&edu_files_lock);
	list_for_each_entry_safe(f, tmp, &edu->files, node) {
		mutex_lock(&f->lock);
		edu_teardown(f);
		list_del(&f->node);
		f->edu = NULL;
		mutex_unlock(&f->lock);
	}
	mutex_unlock(&edu_files_lock);

	kfree(edu->misc.name);
	ida_free(&edu_minor_ida, edu->minor_id);
}
