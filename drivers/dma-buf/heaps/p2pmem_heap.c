// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA-BUF heaps of PCI peer-to-peer memory.
 *
 * One heap per PCI device that publishes P2P memory with
 * pci_p2pmem_publish() (an NVMe controller memory buffer, say), named
 * "p2pmem-<PCI device name>".  Buffers are ZONE_DEVICE pages allocated
 * with pci_alloc_p2pmem(), handed to the dma-buf core as one physical
 * range: the core finds the provider from the pages' pgmap and decides
 * per importer whether to use a PCI bus address, go through the host
 * bridge or refuse.
 *
 * The memory belongs to the provider's driver and goes away when it
 * unbinds (devres tears the pages down after its remove()).  A heap
 * cannot be removed, so it outlives its device: a bus notifier learns of
 * providers when their driver is bound and, on unbind, revokes every
 * buffer of the heap (importers unmap, the core zaps CPU mappings), frees
 * their memory and leaves the heap without a device.  Allocations then
 * fail with -ENODEV until a driver publishes the device's memory again.
 * Buffers left open stay valid as objects: maps fail with -ENODEV and
 * CPU accesses fault.
 *
 * Memory published later than its driver's probe (none in mainline) is
 * not seen before the device's next bind.
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-revocable.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>
#include <linux/slab.h>

/*
 * @pdev is the bound provider with a reference held, or NULL while its
 * driver is unbound; @buffers are the buffers whose memory is allocated
 * from @pdev.  Both under @lock.  Buffers revoked by an unbind leave
 * @buffers: their memory went back to a provider that may since have been
 * bound again.
 */
struct p2pmem_heap {
	struct list_head node;		/* on p2pmem_heaps */
	struct dma_heap *heap;
	const char *name;
	struct mutex lock;		/* @pdev, @buffers */
	struct pci_dev *pdev;
	struct list_head buffers;
};

/*
 * @kaddr is NULL once the memory went back to the provider (revoked), and
 * @node is then off ph->buffers; both under ph->lock.
 */
struct p2pmem_buf {
	struct p2pmem_heap *ph;
	struct list_head node;
	struct dma_buf *dmabuf;
	void *kaddr;
	phys_addr_t phys;
	size_t len;
	struct phys_list pl;
};

static LIST_HEAD(p2pmem_heaps);
static DEFINE_MUTEX(p2pmem_heaps_lock);	/* the list, heap creation */

static const struct phys_list *
p2pmem_map_phys(struct dma_buf_attachment *attach, enum dma_data_direction dir,
		struct p2pdma_provider **provider)
{
	struct p2pmem_buf *buf = attach->dmabuf->priv;

	/*
	 * The pages are P2P pages with a pgmap: the core classifies them
	 * itself, so no provider is named.  A revoked buffer, whose memory
	 * is gone, is never mapped by the core.
	 */
	*provider = NULL;
	return &buf->pl;
}

static void p2pmem_unmap_phys(struct dma_buf_attachment *attach,
			      const struct phys_list *pl,
			      enum dma_data_direction dir)
{
	/* The list is the buffer's and lives until release. */
}

static void p2pmem_release(struct dma_buf *dmabuf)
{
	struct p2pmem_buf *buf = dmabuf->priv;
	struct p2pmem_heap *ph = buf->ph;

	mutex_lock(&ph->lock);
	/* Still allocated means not revoked, so ph->pdev is the provider. */
	if (buf->kaddr) {
		list_del(&buf->node);
		pci_free_p2pmem(ph->pdev, buf->kaddr, buf->len);
	}
	mutex_unlock(&ph->lock);

	phys_list_free(&buf->pl);
	kfree(buf);
}

/*
 * The core's revocable mmap inserts the PFNs at fault time, not pages with
 * vm_insert_page() as the p2pmem sysfs file does: a page reference taken
 * through the mapping (get_user_pages()) could outlive the revoke, and the
 * struct pages are destroyed when the provider unbinds.  Called with the
 * reservation lock held, only while the buffer is not revoked.
 */
static int p2pmem_mmap_pfn(struct dma_buf *dmabuf, pgoff_t pgoff,
			   unsigned long *pfn)
{
	struct p2pmem_buf *buf = dmabuf->priv;

	*pfn = PHYS_PFN(buf->phys) + pgoff;
	return 0;
}

static const struct dma_buf_pfn_mmap_ops p2pmem_mmap_ops = {
	.pfn = p2pmem_mmap_pfn,
};

/* memremap_pages() maps P2P memory uncached for the kernel too */
static int p2pmem_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	return dma_buf_mmap_revocable(dmabuf, vma, &p2pmem_mmap_ops);
}

static const struct dma_buf_ops p2pmem_dmabuf_ops = {
	.revocable = true,
	.map_phys = p2pmem_map_phys,
	.unmap_phys = p2pmem_unmap_phys,
	.release = p2pmem_release,
	.mmap = p2pmem_mmap,
};

static struct dma_buf *p2pmem_allocate(struct dma_heap *heap,
				       unsigned long len, u32 fd_flags,
				       u64 heap_flags)
{
	struct p2pmem_heap *ph = dma_heap_get_drvdata(heap);
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	struct p2pmem_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->ph = ph;
	buf->len = len;
	phys_list_init(&buf->pl, NULL);

	/* Under ph->lock, so that an unbind cannot miss the buffer. */
	mutex_lock(&ph->lock);
	if (!ph->pdev) {
		ret = -ENODEV;
		goto err_unlock;
	}
	buf->kaddr = pci_alloc_p2pmem(ph->pdev, len);
	if (!buf->kaddr) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	buf->phys = page_to_phys(virt_to_page(buf->kaddr));
	/* Do not hand out what the last user of the memory left there. */
	memset(buf->kaddr, 0, len);

	ret = phys_list_append(&buf->pl, buf->phys, len, GFP_KERNEL);
	if (ret)
		goto err_free_mem;

	exp_info.exp_name = dma_heap_get_name(heap);
	exp_info.ops = &p2pmem_dmabuf_ops;
	exp_info.size = len;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free_mem;
	}
	buf->dmabuf = dmabuf;
	list_add_tail(&buf->node, &ph->buffers);
	mutex_unlock(&ph->lock);
	return dmabuf;

err_free_mem:
	pci_free_p2pmem(ph->pdev, buf->kaddr, len);
err_unlock:
	mutex_unlock(&ph->lock);
	phys_list_free(&buf->pl);
	kfree(buf);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops p2pmem_heap_ops = {
	.allocate = p2pmem_allocate,
};

/*
 * The provider's driver is unbinding; its P2P pages are torn down once
 * its remove() returned.  Revoke every buffer (dma_buf_revoke() waits
 * until importers let go and zaps the CPU mappings) and give the memory
 * back now, or memunmap_pages() would wait for it forever.  A buffer whose
 * last reference is being dropped waits in p2pmem_release() for the lock
 * meanwhile; it has no attachment nor VMA left and is freed here.
 *
 * Revoked buffers leave the list: open ones stay revoked for good, and a
 * later unbind, of the provider bound again, must not free their memory a
 * second time.
 */
static void p2pmem_heap_unbind(struct p2pmem_heap *ph, struct pci_dev *pdev)
{
	struct p2pmem_buf *buf, *tmp;

	mutex_lock(&ph->lock);
	if (ph->pdev != pdev) {
		mutex_unlock(&ph->lock);
		return;
	}
	list_for_each_entry_safe(buf, tmp, &ph->buffers, node) {
		dma_buf_revoke(buf->dmabuf);
		pci_free_p2pmem(ph->pdev, buf->kaddr, buf->len);
		buf->kaddr = NULL;
		list_del(&buf->node);
	}
	pci_info(ph->pdev, "dma-heap %s: provider unbound, buffers revoked\n",
		 ph->name);
	pci_dev_put(ph->pdev);
	ph->pdev = NULL;
	mutex_unlock(&ph->lock);
}

static struct p2pmem_heap *p2pmem_heap_find(struct pci_dev *pdev)
{
	struct p2pmem_heap *ph;
	char name[64];

	lockdep_assert_held(&p2pmem_heaps_lock);
	snprintf(name, sizeof(name), "p2pmem-%s", pci_name(pdev));
	list_for_each_entry(ph, &p2pmem_heaps, node)
		if (!strcmp(ph->name, name))
			return ph;
	return NULL;
}

/* A driver bound @pdev: if it published P2P memory, give it its heap. */
static void p2pmem_heap_bind(struct pci_dev *pdev)
{
	struct dma_heap_export_info exp_info = { };
	struct p2pmem_heap *ph;

	if (!pci_has_p2pmem(pdev))
		return;

	mutex_lock(&p2pmem_heaps_lock);
	ph = p2pmem_heap_find(pdev);
	if (!ph) {
		ph = kzalloc(sizeof(*ph), GFP_KERNEL);
		if (!ph)
			goto out;
		ph->name = kasprintf(GFP_KERNEL, "p2pmem-%s", pci_name(pdev));
		if (!ph->name) {
			kfree(ph);
			goto out;
		}
		mutex_init(&ph->lock);
		INIT_LIST_HEAD(&ph->buffers);
		exp_info.name = ph->name;
		exp_info.ops = &p2pmem_heap_ops;
		exp_info.priv = ph;
		ph->heap = dma_heap_add(&exp_info);
		if (IS_ERR(ph->heap)) {
			pci_err(pdev, "dma-heap %s not added: %pe\n", ph->name,
				ph->heap);
			kfree(ph->name);
			kfree(ph);
			goto out;
		}
		list_add_tail(&ph->node, &p2pmem_heaps);
	}

	mutex_lock(&ph->lock);
	/* The initial scan and the notifier may both see a device. */
	if (!ph->pdev) {
		ph->pdev = pci_dev_get(pdev);
		pci_info(pdev, "dma-heap %s: P2P memory provider bound\n",
			 ph->name);
	}
	mutex_unlock(&ph->lock);
out:
	mutex_unlock(&p2pmem_heaps_lock);
}

static int p2pmem_heap_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	struct p2pmem_heap *ph;

	switch (action) {
	case BUS_NOTIFY_BOUND_DRIVER:
		p2pmem_heap_bind(pdev);
		break;
	case BUS_NOTIFY_UNBIND_DRIVER:
		/* Before the driver's remove(): its memory is still there. */
		mutex_lock(&p2pmem_heaps_lock);
		ph = p2pmem_heap_find(pdev);
		mutex_unlock(&p2pmem_heaps_lock);
		if (ph)
			p2pmem_heap_unbind(ph, pdev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block p2pmem_heap_nb = {
	.notifier_call = p2pmem_heap_notify,
};

static int __init p2pmem_heap_init(void)
{
	struct pci_dev *pdev = NULL;
	int ret;

	/* Notifier first, so that no bind between the two is missed. */
	ret = bus_register_notifier(&pci_bus_type, &p2pmem_heap_nb);
	if (ret)
		return ret;

	for_each_pci_dev(pdev) {
		device_lock(&pdev->dev);
		if (pdev->dev.driver)
			p2pmem_heap_bind(pdev);
		device_unlock(&pdev->dev);
	}
	return 0;
}
module_init(p2pmem_heap_init);
MODULE_DESCRIPTION("DMA-BUF heaps of PCI peer-to-peer memory");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
