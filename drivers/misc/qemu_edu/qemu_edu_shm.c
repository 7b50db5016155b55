// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's ivshmem-plain device as P2P memory without struct page.
 *
 * BAR 2 of ivshmem is plain RAM on the host side, so a peer can DMA to and
 * from it like to a GPU's VRAM aperture.  This driver offers the BAR with
 * pcim_p2pdma_init() and creates no pages for it: the edu tests use it to
 * prove that dma_map_phys_list() maps such a range for the provider its
 * owner names (BAR 2 only, never the register BAR 0) and
 * that the device then reads and writes the right bytes.
 *
 * User space gets windows of the BAR as dma-bufs through /dev/qemu_edu_shmN
 * (include/uapi/misc/qemu_edu_shm.h), the way VFIO exports a BAR: the
 * exporter hands the core one physical range and the BAR's provider, and
 * the core decides per importer how to reach it.  The BAR goes away when
 * the device is unbound, so the buffers are revocable: remove() revokes
 * every live buffer (the dma-buf core also zaps its CPU mappings) before it
 * returns and the BAR's mapping and provider are released.
 */
#include <linux/dma-buf.h>
#include <linux/dma-buf-revocable.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/misc/qemu_edu_shm.h>

#include "qemu_edu.h"

MODULE_IMPORT_NS(DMA_BUF);

#define SHM_BAR		2

/*
 * The device's state outlives the device: open files of the character
 * device and dma-bufs still held by user space keep a reference, and see
 * @gone once remove() ran.
 */
struct shm_dev {
	struct qemu_edu_shm shm;	/* what qemu_edu_shm_from_pci() returns */
	struct kref ref;
	struct mutex lock;		/* @gone, @buffers */
	bool gone;
	struct list_head buffers;
	struct miscdevice misc;
	int id;
	char name[32];
};

/* One exported window: @pl is built at export, handed to every importer. */
struct shm_buf {
	struct shm_dev *sd;
	struct list_head node;		/* on sd->buffers, under sd->lock */
	struct dma_buf *dmabuf;
	struct phys_list pl;
	phys_addr_t phys;
	size_t len;
	struct p2pdma_provider *provider;
};

static struct pci_driver qemu_edu_shm_driver;
static DEFINE_IDA(shm_ida);

/**
 * qemu_edu_shm_from_pci() - the shared memory of a bound ivshmem device
 * @pdev: a PCI device, for example from pci_get_device()
 *
 * Context: Any context; the caller keeps the driver bound.
 * Return: the state, or NULL if @pdev is not bound to this driver.
 */
struct qemu_edu_shm *qemu_edu_shm_from_pci(struct pci_dev *pdev)
{
	if (pdev->driver != &qemu_edu_shm_driver)
		return NULL;
	return pci_get_drvdata(pdev);
}
EXPORT_SYMBOL_GPL(qemu_edu_shm_from_pci);

static void shm_dev_free(struct kref *ref)
{
	struct shm_dev *sd = container_of(ref, struct shm_dev, ref);

	mutex_destroy(&sd->lock);
	kfree(sd);
}

static void shm_dev_put(struct shm_dev *sd)
{
	kref_put(&sd->ref, shm_dev_free);
}

/* --- the dma-buf --- */

static const struct phys_list *shm_map_phys(struct dma_buf_attachment *attach,
					    enum dma_data_direction dir,
					    struct p2pdma_provider **provider)
{
	struct shm_buf *buf = attach->dmabuf->priv;

	/*
	 * The core refuses to map a revoked buffer, so the provider is still
	 * that of a bound device here.
	 */
	*provider = buf->provider;
	return &buf->pl;
}

static void shm_unmap_phys(struct dma_buf_attachment *attach,
			   const struct phys_list *pl,
			   enum dma_data_direction dir)
{
	/* The list is the buffer's and lives until release. */
}

static void shm_release(struct dma_buf *dmabuf)
{
	struct shm_buf *buf = dmabuf->priv;
	struct shm_dev *sd = buf->sd;

	mutex_lock(&sd->lock);
	list_del(&buf->node);
	mutex_unlock(&sd->lock);

	phys_list_free(&buf->pl);
	kfree(buf);
	shm_dev_put(sd);
}

/*
 * Called by the core's revocable mmap at CPU fault time, with the
 * reservation lock held and only while the buffer is not revoked, so the
 * BAR is still there.
 */
static int shm_mmap_pfn(struct dma_buf *dmabuf, pgoff_t pgoff,
			unsigned long *pfn)
{
	struct shm_buf *buf = dmabuf->priv;

	*pfn = PHYS_PFN(buf->phys) + pgoff;
	return 0;
}

static const struct dma_buf_pfn_mmap_ops shm_mmap_ops = {
	.pfn = shm_mmap_pfn,
};

static int shm_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	return dma_buf_mmap_revocable(dmabuf, vma, &shm_mmap_ops);
}

static const struct dma_buf_ops shm_dmabuf_ops = {
	.revocable = true,
	.map_phys = shm_map_phys,
	.unmap_phys = shm_unmap_phys,
	.release = shm_release,
	.mmap = shm_mmap,
};

/* --- the character device --- */

static struct shm_dev *shm_dev_of_file(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct shm_dev, misc);
}

static int shm_cdev_open(struct inode *inode, struct file *file)
{
	struct shm_dev *sd = shm_dev_of_file(file);

	kref_get(&sd->ref);
	return 0;
}

static int shm_cdev_release(struct inode *inode, struct file *file)
{
	shm_dev_put(shm_dev_of_file(file));
	return 0;
}

static int shm_ioc_info(struct shm_dev *sd, void __user *arg)
{
	struct qemu_edu_shm_info info = { };

	mutex_lock(&sd->lock);
	if (sd->gone) {
		mutex_unlock(&sd->lock);
		return -ENODEV;
	}
	info.bar_size = sd->shm.len;
	mutex_unlock(&sd->lock);

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

/* Export with @sd->lock held, so that remove() finds the buffer. */
static struct dma_buf *shm_export(struct shm_dev *sd, u64 offset, u64 length,
				  u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	struct shm_buf *buf;
	int ret;

	lockdep_assert_held(&sd->lock);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->sd = sd;
	buf->phys = sd->shm.phys + offset;
	buf->len = length;
	buf->provider = sd->shm.mem;
	phys_list_init(&buf->pl, NULL);
	ret = phys_list_append(&buf->pl, buf->phys, length, GFP_KERNEL);
	if (ret)
		goto err_free;

	exp_info.ops = &shm_dmabuf_ops;
	exp_info.size = length;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free;
	}
	buf->dmabuf = dmabuf;
	kref_get(&sd->ref);
	list_add_tail(&buf->node, &sd->buffers);
	return dmabuf;

err_free:
	phys_list_free(&buf->pl);
	kfree(buf);
	return ERR_PTR(ret);
}

static int shm_ioc_export(struct shm_dev *sd, void __user *arg)
{
	struct qemu_edu_shm_export req;
	struct dma_buf *dmabuf;
	u64 end;
	int fd;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.fd_flags & ~(O_CLOEXEC | O_ACCMODE))
		return -EINVAL;
	if (!req.length || !PAGE_ALIGNED(req.offset) ||
	    !PAGE_ALIGNED(req.length))
		return -EINVAL;
	if (check_add_overflow(req.offset, req.length, &end))
		return -EOVERFLOW;
	/* sd->shm.len is fixed at probe; only @gone needs the lock */
	if (end > sd->shm.len)
		return -EINVAL;

	mutex_lock(&sd->lock);
	if (sd->gone)
		dmabuf = ERR_PTR(-ENODEV);
	else
		dmabuf = shm_export(sd, req.offset, req.length, req.fd_flags);
	mutex_unlock(&sd->lock);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	/* Install the fd only once user space can learn its number. */
	fd = get_unused_fd_flags(req.fd_flags & O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	req.fd = fd;
	if (copy_to_user(arg, &req, sizeof(req))) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;
}

static long shm_cdev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct shm_dev *sd = shm_dev_of_file(file);

	switch (cmd) {
	case QEMU_EDU_SHM_IOC_INFO:
		return shm_ioc_info(sd, (void __user *)arg);
	case QEMU_EDU_SHM_IOC_EXPORT:
		return shm_ioc_export(sd, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations shm_cdev_fops = {
	.owner = THIS_MODULE,
	.open = shm_cdev_open,
	.release = shm_cdev_release,
	.unlocked_ioctl = shm_cdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* --- the PCI driver --- */

static int qemu_edu_shm_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct qemu_edu_shm *shm;
	struct shm_dev *sd;
	int ret;

	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	kref_init(&sd->ref);
	mutex_init(&sd->lock);
	INIT_LIST_HEAD(&sd->buffers);
	sd->id = ida_alloc(&shm_ida, GFP_KERNEL);
	if (sd->id < 0) {
		ret = sd->id;
		kfree(sd);
		return ret;
	}
	shm = &sd->shm;
	shm->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		goto err_put;
	if (!(pci_resource_flags(pdev, SHM_BAR) & IORESOURCE_MEM)) {
		ret = -ENODEV;
		goto err_put;
	}
	shm->phys = pci_resource_start(pdev, SHM_BAR);
	shm->len = pci_resource_len(pdev, SHM_BAR);
	shm->va = pcim_iomap_region(pdev, SHM_BAR, KBUILD_MODNAME);
	if (IS_ERR(shm->va)) {
		ret = PTR_ERR(shm->va);
		goto err_put;
	}

	ret = pcim_p2pdma_init(pdev);
	if (ret)
		goto err_put;
	shm->mem = pcim_p2pdma_provider(pdev, SHM_BAR);
	if (!shm->mem) {
		ret = -ENODEV;
		goto err_put;
	}

	pci_set_drvdata(pdev, shm);
	snprintf(sd->name, sizeof(sd->name), "qemu_edu_shm%d", sd->id);
	sd->misc.minor = MISC_DYNAMIC_MINOR;
	sd->misc.name = sd->name;
	sd->misc.fops = &shm_cdev_fops;
	sd->misc.parent = &pdev->dev;
	ret = misc_register(&sd->misc);
	if (ret)
		goto err_put;

	pci_info(pdev, "%pa + %pa offered as P2P memory without struct page, exported by /dev/%s\n",
		 &shm->phys, &shm->len, sd->name);
	return 0;

err_put:
	ida_free(&shm_ida, sd->id);
	shm_dev_put(sd);
	return ret;
}

/*
 * The BAR's mapping and provider are devres of @pdev, released after this
 * returns: every buffer must be revoked first, and stay revoked.
 */
static void qemu_edu_shm_remove(struct pci_dev *pdev)
{
	struct qemu_edu_shm *shm = pci_get_drvdata(pdev);
	struct shm_dev *sd = container_of(shm, struct shm_dev, shm);
	struct shm_buf *buf;

	misc_deregister(&sd->misc);
	/* The node's name is free for a new bind even while files are open */
	ida_free(&shm_ida, sd->id);

	/*
	 * dma_buf_revoke() waits until importers let go and zaps the CPU
	 * mappings.  A buffer whose last reference is being dropped waits in
	 * shm_release() for the lock and stays allocated meanwhile; it has
	 * no attachment and no VMA left, so revoking it is harmless.
	 */
	mutex_lock(&sd->lock);
	sd->gone = true;
	list_for_each_entry(buf, &sd->buffers, node)
		dma_buf_revoke(buf->dmabuf);
	mutex_unlock(&sd->lock);

	shm_dev_put(sd);
}

static const struct pci_device_id qemu_edu_shm_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, qemu_edu_shm_ids);

static struct pci_driver qemu_edu_shm_driver = {
	.name = "qemu_edu_shm",
	.id_table = qemu_edu_shm_ids,
	.probe = qemu_edu_shm_probe,
	.remove = qemu_edu_shm_remove,
};

/**
 * qemu_edu_shm_register() - register the ivshmem driver
 *
 * Context: Process context, from the module's init.
 * Return: 0 or the errno of pci_register_driver().
 */
int qemu_edu_shm_register(void)
{
	return pci_register_driver(&qemu_edu_shm_driver);
}

/**
 * qemu_edu_shm_unregister() - unregister the ivshmem driver
 *
 * Context: Process context, from the module's exit.
 */
void qemu_edu_shm_unregister(void)
{
	pci_unregister_driver(&qemu_edu_shm_driver);
}
