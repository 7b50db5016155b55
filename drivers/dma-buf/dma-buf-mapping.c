// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf mappings made by the core from an exporter's list of physical
 * ranges: for list importers, for sg_table importers of list exporters and,
 * in the other direction, for list importers of sg_table exporters.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-buf-revocable.h>
#include <linux/dma-phys-list.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "dma-buf-mapping.h"

/**
 * DOC: range-list mappings
 *
 * An exporter may describe its buffer as a list of CPU physical ranges
 * (&struct phys_list) through &dma_buf_ops.map_phys instead of, or as well
 * as, building a DMA-mapped &sg_table in &dma_buf_ops.map_dma_buf.  The
 * core then maps that list for each importer's device with
 * dma_map_phys_list(): one IOVA range per mapping behind an IOMMU, the PCI
 * peer-to-peer decision (bus address, through the host bridge, or refusal)
 * taken per range from the &struct p2pdma_provider the exporter names.
 * Exporters never call pci_p2pdma_distance() or dma_map_*() themselves.
 *
 * Importers choose their API independently of the exporter:
 *
 * - dma_buf_map_attachment_list() returns a &struct dma_list of DMA
 *   ranges for &dma_buf_attachment.dev.  With a list exporter the core
 *   maps the exporter's list; with an sg_table exporter it maps through
 *   &dma_buf_ops.map_dma_buf and presents the DMA side of that table.
 * - dma_buf_map_attachment() keeps working unchanged.  With a list
 *   exporter of memory with struct pages (not P2P) the core builds the
 *   table stock exporters built: page entries within the device's segment
 *   limits, mapped with dma_map_sgtable(), so importers that walk the
 *   pages (for_each_sgtable_page(), drm_prime_sg_to_page_array(),
 *   iommu_map_sgtable()) keep working.  Peer-to-peer memory, which only
 *   &dma_buf_attach_ops.allow_peer2peer importers ever receive, gets a
 *   DMA-only table made from the core's list mapping, with
 *   &sg_table.orig_nents 0 as mainline's dma_buf_phys_vec_to_sgt() makes
 *   it: there are no pages to walk.
 * - dma_buf_map_attachment_phys() hands out the physical ranges
 *   themselves, only to importers that set
 *   &dma_buf_attach_ops.allow_phys because they translate addresses
 *   themselves, for example through an IOMMU domain of their own.  No
 *   other importer ever sees a CPU physical address.
 *
 * A peer-to-peer range (ZONE_DEVICE P2P pages, or a BAR without struct
 * page) is only mapped for an importer that set
 * &dma_buf_attach_ops.allow_peer2peer; others get -EREMOTEIO with nothing
 * mapped, as they do when pci_p2pdma finds no path between the devices.
 * A range inside the BAR of the provider the exporter names is P2P
 * whatever pfn_valid() says of it.  Only revocable exporters may name a
 * provider: a BAR's lifetime ends when its driver unbinds.
 *
 * The exporter's list must cover the buffer exactly: importers size their
 * objects from &dma_buf.size, so a list of another length is refused with
 * a warning and -EINVAL, as is an sg_table exporter's table of another
 * DMA length.
 *
 * Locking follows the sg_table API: the map and unmap functions are called
 * with the reservation lock held, their _unlocked variants take it, and
 * &dma_buf_ops.map_phys and &dma_buf_ops.unmap_phys are called with it
 * held.  The core's record of every mapping hangs off its attachment and
 * is protected by the same lock.
 *
 * CPU access: the core syncs its list mappings for the CPU in
 * dma_buf_begin_cpu_access() and for the devices in
 * dma_buf_end_cpu_access(); exporters only look after their own kernel
 * mappings there.  &dma_buf_ops.map_attrs lets an exporter choose the DMA
 * attributes of the core's mappings (DMA_ATTR_SKIP_CPU_SYNC, say); the
 * explicit syncs happen whatever it chooses.
 *
 * Lifetime of the exporter's list: the core reads it from
 * &dma_buf_ops.map_phys until the matching &dma_buf_ops.unmap_phys
 * returns, also after dma_buf_move_notify() (it unmaps and syncs through
 * it), and never after.  An exporter that replaces its list at a move
 * frees the old one in unmap_phys once the last user returned it.
 */

/**
 * DOC: revoke
 *
 * Memory behind a buffer can go away: a PCI device providing a BAR or
 * peer-to-peer pages is unbound or unplugged.  Its exporter sets
 * &dma_buf_ops.revocable and calls dma_buf_revoke() before letting the
 * memory go.  The core then refuses new attachments and mappings with
 * -ENODEV, calls &dma_buf_attach_ops.move_notify of every attachment, and
 * waits until every list the exporter handed out through
 * &dma_buf_ops.map_phys has been returned.  Importers must therefore unmap
 * promptly after move_notify; they may do it inside the callback, which
 * runs with the reservation lock held.
 *
 * The sequence is mainline's: under the reservation lock, mark the buffer
 * revoked, invalidate every mapping (dma_buf_invalidate_mappings()), wait
 * for every fence of the reservation object, %DMA_RESV_USAGE_BOOKKEEP
 * included, since a dynamic importer's DMA in flight is covered by them;
 * then, without the lock, wait until the importers have unmapped.
 *
 * Only importers for which dma_buf_attach_revocable() is true may attach:
 * they set &dma_buf_attach_ops.allow_revoke, promising to unmap in bounded
 * time after move_notify.  Others (static importers, and pinned ones such
 * as RDMA's, whose move_notify cannot unmap) are refused with
 * -EOPNOTSUPP, and dma_buf_pin() of a revocable buffer fails with
 * -EOPNOTSUPP: a device that is gone cannot be pinned.  An importer that
 * breaks its promise (its fences do not signal, or it does not unmap)
 * holds revoke up for %DMA_BUF_REVOKE_TIMEOUT_MS at most at each of the
 * two waits: revoke then warns, naming the fences or the importer, and
 * goes on.
 */

/*
 * How a mapping was made, for the unmap path and for debugfs.  The names
 * read "importer API <- exporter API".
 */
enum dma_buf_map_api {
	DMA_BUF_MAP_LIST,
	DMA_BUF_MAP_LIST_FROM_SGT,
	DMA_BUF_MAP_SGT_FROM_LIST,
	DMA_BUF_MAP_PHYS,
	DMA_BUF_MAP_DOMAIN,
};

static const char * const dma_buf_map_api_names[] = {
	[DMA_BUF_MAP_LIST] = "list",
	[DMA_BUF_MAP_LIST_FROM_SGT] = "list<-sgt",
	[DMA_BUF_MAP_SGT_FROM_LIST] = "sgt<-list",
	[DMA_BUF_MAP_PHYS] = "phys",
	[DMA_BUF_MAP_DOMAIN] = "domain",
};

/*
 * The core's record of one mapping, on &dma_buf_attachment.mappings.
 * @pl and @provider come from the exporter's map_phys (all but
 * LIST_FROM_SGT); @p2p says whether @pl holds P2P ranges, when it was
 * asked.  @map is our mapping of @pl (LIST, and SGT_FROM_LIST without
 * @pages); @sgt is the legacy importer's table (SGT_FROM_LIST): with
 * @pages a page table mapped by dma_map_sgtable(), otherwise built from
 * @map with @sgt_ents entries and orig_nents 0 while it is handed out.
 * @exp_sgt is an sg_table exporter's table and @dl its DMA side
 * (LIST_FROM_SGT).  @domain, @iova and @mapped: where a DOMAIN mapping
 * put the list in the importer's IOMMU domain, and how much of it.
 */
struct dma_buf_mapping {
	struct list_head node;
	enum dma_buf_map_api api;
	enum dma_data_direction dir;
	bool pinned;
	bool p2p;
	bool pages;
	unsigned int sgt_ents;
	const struct phys_list *pl;
	struct p2pdma_provider *provider;
	struct dma_phys_map map;
	struct sg_table sgt;
	struct sg_table *exp_sgt;
	struct dma_list dl;
	struct iommu_domain *domain;
	unsigned long iova;
	size_t mapped;
};

/*
 * The core's allocations, one function each so that KUnit can make every
 * one of them fail in turn and check what the failure leaves behind.
 */
VISIBLE_IF_KUNIT void *dma_buf_mapping_zalloc(size_t size)
{
	KUNIT_STATIC_STUB_REDIRECT(dma_buf_mapping_zalloc, size);
	return kzalloc(size, GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_zalloc);

VISIBLE_IF_KUNIT int dma_buf_mapping_to_sgt(const struct dma_list *dl,
					    struct sg_table *sgt)
{
	KUNIT_STATIC_STUB_REDIRECT(dma_buf_mapping_to_sgt, dl, sgt);
	return dma_list_to_sgt(dl, sgt, GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_to_sgt);

VISIBLE_IF_KUNIT int dma_buf_mapping_pages_to_sgt(const struct phys_list *pl,
						  struct sg_table *sgt,
						  struct device *dev)
{
	u64 max_seg = min_t(u64, dma_get_max_seg_size(dev),
			    dma_max_mapping_size(dev));

	KUNIT_STATIC_STUB_REDIRECT(dma_buf_mapping_pages_to_sgt, pl, sgt, dev);
	return phys_list_to_sgt_segs(pl, sgt, max_seg,
				     dma_get_seg_boundary(dev), GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_pages_to_sgt);

VISIBLE_IF_KUNIT int dma_buf_mapping_from_sgt(struct dma_list *dl,
					      const struct sg_table *sgt)
{
	KUNIT_STATIC_STUB_REDIRECT(dma_buf_mapping_from_sgt, dl, sgt);
	return dma_list_from_sgt(dl, sgt, GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_mapping_from_sgt);

bool dma_buf_ops_valid(const struct dma_buf_ops *ops, const char *exp_name)
{
	const char *why = NULL;

	if (!ops->map_dma_buf != !ops->unmap_dma_buf)
		why = "map_dma_buf and unmap_dma_buf come as a pair";
	else if (!ops->map_phys != !ops->unmap_phys)
		why = "map_phys and unmap_phys come as a pair";
	else if (!ops->map_dma_buf && !ops->map_phys)
		why = "neither map_dma_buf nor map_phys";
	else if (ops->revocable && !ops->map_phys)
		why = "revocable needs map_phys";
	else if (ops->revocable && ops->cache_sgt_mapping)
		why = "revocable excludes cache_sgt_mapping";
	else if (ops->revocable && ops->map_dma_buf)
		why = "revocable excludes map_dma_buf (revoke cannot see its tables)";
	if (why)
		pr_err("dma-buf: exporter %s: %s\n", exp_name ?: "(unnamed)", why);
	return !why;
}

int dma_buf_attach_allowed(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	dma_resv_assert_held(dmabuf->resv);

	if (dmabuf->revoked)
		return -ENODEV;
	if (dmabuf->ops->revocable && !dma_buf_attach_revocable(attach))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * dma_buf_attach_revocable - can the importer give the memory back on demand
 * @attach: attachment to check
 *
 * True if the importer follows the revoke sequence described in
 * `Revoking a buffer`_ in bounded time: it is dynamic (has
 * &dma_buf_attach_ops.move_notify) and set
 * &dma_buf_attach_ops.allow_revoke, promising to unmap every mapping of
 * @attach promptly after move_notify and never to pin the buffer.  Static
 * importers and pinned importers (whose move_notify cannot unmap) are not.
 * The core refuses the others attachment to revocable buffers; exporters
 * that revoke by other means may call it from &dma_buf_ops.attach.
 *
 * Return: true if the importer supports revocation.
 */
bool dma_buf_attach_revocable(struct dma_buf_attachment *attach)
{
	return attach->importer_ops && attach->importer_ops->move_notify &&
	       attach->importer_ops->allow_revoke;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_attach_revocable, DMA_BUF);

/* Dynamic exporters keep their memory in place while a mapping needs it. */
static bool dbm_must_pin(struct dma_buf_attachment *attach)
{
	return dma_buf_is_dynamic(attach->dmabuf) &&
	       (!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY) ||
		!dma_buf_attachment_is_dynamic(attach));
}

/*
 * dma_buf_map_attachment() pins for the sg_table API itself when the
 * importer cannot be told to move (CONFIG_DMABUF_MOVE_NOTIFY off).
 */
static int dbm_pin(struct dma_buf_attachment *attach, struct dma_buf_mapping *m,
		   bool sgt_api)
{
	int err;

	if (!dbm_must_pin(attach) ||
	    (sgt_api && !IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY)))
		return 0;
	err = attach->dmabuf->ops->pin(attach);
	m->pinned = !err;
	return err;
}

static void dbm_unpin(struct dma_buf_attachment *attach,
		      struct dma_buf_mapping *m)
{
	if (m->pinned)
		attach->dmabuf->ops->unpin(attach);
	m->pinned = false;
}

/*
 * A range that is PCI peer-to-peer memory: inside the BAR of the provider
 * the exporter named (whatever pfn_valid() says: BAR pfns can be valid on
 * sparsemem), without struct page, or ZONE_DEVICE P2P pages.
 */
static bool dbm_range_is_p2p(struct p2pdma_provider *provider,
			     phys_addr_t phys, u64 len)
{
	unsigned long pfn = PHYS_PFN(phys);

	if (provider && pci_p2pdma_provider_contains(provider, phys, len))
		return true;
	return !pfn_valid(pfn) || is_pci_p2pdma_page(pfn_to_page(pfn));
}

static bool dbm_list_has_p2p(const struct phys_list *pl,
			     struct p2pdma_provider *provider)
{
	struct phys_list_iter pi;
	phys_addr_t phys;
	u64 len;

	phys_list_for_each(pl, &pi, phys, len)
		if (dbm_range_is_p2p(provider, phys, len))
			return true;
	return false;
}

/* How the core makes sure a non-P2P importer gets no P2P range. */
enum dbm_p2p_check {
	DBM_P2P_WALK,		/* walk the list before handing it out */
	DBM_P2P_CLASSIFY,	/* walk it and set m->p2p for any importer */
	DBM_P2P_BY_MAP,		/* dma_map_phys_list_no_p2p() refuses it */
};

/*
 * The exporter's list, checked: it covers the buffer, names a provider
 * only for a revocable buffer, and holds P2P ranges only for a P2P
 * importer, checked as @check says.
 */
static int dbm_check_phys(struct dma_buf_attachment *attach,
			  struct dma_buf_mapping *m, enum dbm_p2p_check check)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	u64 len = phys_list_len(m->pl);

	if (len != dmabuf->size) {
		WARN(1, "dma-buf: exporter %s: map_phys covers %llu bytes of a %zu byte buffer\n",
		     dmabuf->exp_name, len, dmabuf->size);
		return -EINVAL;
	}
	if (m->provider && !dmabuf->ops->revocable) {
		WARN(1, "dma-buf: exporter %s names a P2P provider but is not revocable\n",
		     dmabuf->exp_name);
		return -EINVAL;
	}
	if (check == DBM_P2P_BY_MAP ||
	    (check == DBM_P2P_WALK && attach->peer2peer))
		return 0;
	m->p2p = dbm_list_has_p2p(m->pl, m->provider);
	return m->p2p && !attach->peer2peer ? -EREMOTEIO : 0;
}

/* Ask the exporter for its list; counted for dma_buf_revoke(). */
static int dbm_get_phys(struct dma_buf_attachment *attach,
			struct dma_buf_mapping *m, enum dbm_p2p_check check)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	const struct phys_list *pl;
	int err;

	if (dmabuf->revoked)
		return -ENODEV;
	m->provider = NULL;
	pl = dmabuf->ops->map_phys(attach, m->dir, &m->provider);
	if (WARN_ON_ONCE(!pl))
		return -EINVAL;
	if (IS_ERR(pl))
		return PTR_ERR(pl);
	m->pl = pl;
	/* under the lock, read without it by dma_buf_revoke() */
	WRITE_ONCE(dmabuf->nr_phys_maps, dmabuf->nr_phys_maps + 1);

	err = dbm_check_phys(attach, m, check);
	if (err) {
		dmabuf->ops->unmap_phys(attach, pl, m->dir);
		WRITE_ONCE(dmabuf->nr_phys_maps, dmabuf->nr_phys_maps - 1);
		m->pl = NULL;
	}
	return err;
}

static void dbm_put_phys(struct dma_buf_attachment *attach,
			 struct dma_buf_mapping *m)
{
	struct dma_buf *dmabuf = attach->dmabuf;
	unsigned int nr = dmabuf->nr_phys_maps - 1;

	dmabuf->ops->unmap_phys(attach, m->pl, m->dir);
	m->pl = NULL;
	WRITE_ONCE(dmabuf->nr_phys_maps, nr);
	if (!nr && dmabuf->revoked) {
		/* the count before the waiter's queue: pairs with its barrier */
		smp_mb();
		wake_up_var(&dmabuf->nr_phys_maps);
	}
}

/* The exporter's list mapped for the importer's device. */
static int dbm_map_list(struct dma_buf_attachment *attach,
			struct dma_buf_mapping *m)
{
	int err;

	err = dbm_get_phys(attach, m, DBM_P2P_BY_MAP);
	if (err)
		return err;
	if (attach->peer2peer)
		err = dma_map_phys_list(attach->dev, m->pl, m->provider, m->dir,
					attach->dmabuf->ops->map_attrs, &m->map);
	else
		err = dma_map_phys_list_no_p2p(attach->dev, m->pl, m->provider,
					       m->dir,
					       attach->dmabuf->ops->map_attrs,
					       &m->map);
	if (err)
		dbm_put_phys(attach, m);
	return err;
}

/*
 * The memory of a revocable buffer goes away as soon as dma_buf_revoke()
 * returns: its mappings are torn down with the IOTLB invalidated before
 * the exporter gets its list back, not later through a flush queue.
 */
static void dbm_unmap_phys_map(struct dma_buf_attachment *attach,
			       struct dma_buf_mapping *m)
{
	if (attach->dmabuf->ops->revocable)
		dma_unmap_phys_list_strict(attach->dev, m->pl, &m->map);
	else
		dma_unmap_phys_list(attach->dev, m->pl, &m->map);
}

static void dbm_unmap_list(struct dma_buf_attachment *attach,
			   struct dma_buf_mapping *m)
{
	dbm_unmap_phys_map(attach, m);
	dbm_put_phys(attach, m);
}

/*
 * An sg_table exporter's mapping, its DMA side presented as a dma_list
 * within the importer's segment limits: the exporter's segments are
 * merged where they are contiguous and split where they exceed them as
 * the list hands them out.
 */
static int dbm_map_list_from_sgt(struct dma_buf_attachment *attach,
				 struct dma_buf_mapping *m)
{
	struct range_list_cfg cfg = {
		.max_segment = dma_get_max_seg_size(attach->dev),
		.seg_boundary = dma_get_seg_boundary(attach->dev),
		.coalesce = true,
		.split_on_read = true,
	};
	struct dma_buf *dmabuf = attach->dmabuf;
	struct sg_table *sgt;
	int err;

	sgt = dma_buf_map_attachment(attach, m->dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	err = dma_list_init(&m->dl, &cfg);
	if (!err)
		err = dma_buf_mapping_from_sgt(&m->dl, sgt);
	if (!err && dma_list_len(&m->dl) != dmabuf->size) {
		WARN(1, "dma-buf: exporter %s: map_dma_buf maps %llu bytes of a %zu byte buffer\n",
		     dmabuf->exp_name, dma_list_len(&m->dl), dmabuf->size);
		err = -EINVAL;
	}
	if (err) {
		dma_list_free(&m->dl);
		dma_buf_unmap_attachment(attach, sgt, m->dir);
		return err;
	}
	m->exp_sgt = sgt;
	return 0;
}

/*
 * A legacy importer's table of a list exporter: for memory with struct
 * pages, the table stock exporters built, mapped by dma_map_sgtable();
 * for P2P memory a DMA-only table from our list mapping, whose
 * orig_nents is 0 while the importer has it (there are no pages).
 * Revocable memory gets the DMA-only table too: its pages may be gone
 * when the importer looks, and its mapping is torn down through our list
 * mapping, with the IOTLB invalidated before revoke returns.
 */
static int dbm_map_sgt(struct dma_buf_attachment *attach,
		       struct dma_buf_mapping *m)
{
	int err;

	if (!m->p2p && !attach->dmabuf->ops->revocable) {
		err = dma_buf_mapping_pages_to_sgt(m->pl, &m->sgt, attach->dev);
		if (err)
			return err;
		err = dma_map_sgtable(attach->dev, &m->sgt, m->dir,
				      attach->dmabuf->ops->map_attrs);
		if (err) {
			phys_list_free_sgt(&m->sgt);
			return err;
		}
		m->pages = true;
		return 0;
	}

	err = dma_map_phys_list(attach->dev, m->pl, m->provider, m->dir,
				attach->dmabuf->ops->map_attrs, &m->map);
	if (err)
		return err;
	err = dma_buf_mapping_to_sgt(&m->map.dl, &m->sgt);
	if (err) {
		dbm_unmap_phys_map(attach, m);
		return err;
	}
	m->sgt_ents = m->sgt.orig_nents;
	m->sgt.orig_nents = 0;
	return 0;
}

static void dbm_unmap_sgt(struct dma_buf_attachment *attach,
			  struct dma_buf_mapping *m)
{
	if (m->pages) {
		dma_unmap_sgtable(attach->dev, &m->sgt, m->dir,
				  attach->dmabuf->ops->map_attrs);
		phys_list_free_sgt(&m->sgt);
		return;
	}
	m->sgt.orig_nents = m->sgt_ents;
	dma_list_free_sgt(&m->sgt);
	dbm_unmap_phys_map(attach, m);
}

/* Remove a DOMAIN mapping (iommu_unmap() flushes the IOTLB first). */
static void dbm_unmap_domain(struct dma_buf_attachment *attach,
			     struct dma_buf_mapping *m)
{
	if (m->mapped)
		iommu_unmap(m->domain, m->iova, m->mapped);
	m->mapped = 0;
	dbm_put_phys(attach, m);
}

static void dbm_release(struct dma_buf_attachment *attach,
			struct dma_buf_mapping *m)
{
	switch (m->api) {
	case DMA_BUF_MAP_LIST:
		dbm_unmap_list(attach, m);
		break;
	case DMA_BUF_MAP_SGT_FROM_LIST:
		dbm_unmap_sgt(attach, m);
		dbm_put_phys(attach, m);
		break;
	case DMA_BUF_MAP_LIST_FROM_SGT:
		dma_list_free(&m->dl);
		dma_buf_unmap_attachment(attach, m->exp_sgt, m->dir);
		break;
	case DMA_BUF_MAP_PHYS:
		dbm_put_phys(attach, m);
		break;
	case DMA_BUF_MAP_DOMAIN:
		/* revoke may have torn it down already */
		if (m->pl)
			dbm_unmap_domain(attach, m);
		break;
	}
	dbm_unpin(attach, m);
	list_del(&m->node);
	kfree(m);
}

static struct dma_buf_mapping *dbm_alloc(struct dma_buf_attachment *attach,
					 enum dma_buf_map_api api,
					 enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;

	if (!valid_dma_direction(dir))
		return ERR_PTR(-EINVAL);
	if (attach->dmabuf->revoked)
		return ERR_PTR(-ENODEV);
	m = dma_buf_mapping_zalloc(sizeof(*m));
	if (!m)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&m->node);
	m->api = api;
	m->dir = dir;
	return m;
}

static const struct dma_list *dbm_dma_list(struct dma_buf_mapping *m)
{
	return m->api == DMA_BUF_MAP_LIST_FROM_SGT ? &m->dl : &m->map.dl;
}

/**
 * dma_buf_map_attachment_list - map a dma-buf as a list of DMA ranges
 * @attach: attachment of the importing device
 * @dir: direction of the DMA transfers
 *
 * Map the buffer for &dma_buf_attachment.dev and return its DMA ranges,
 * at most dma_get_max_seg_size() long each and never crossing the
 * device's segment boundary.  With an exporter that implements
 * &dma_buf_ops.map_phys the core maps the exporter's physical ranges
 * itself (see `range-list mappings`_); with an sg_table exporter it maps
 * through &dma_buf_ops.map_dma_buf and presents the DMA side of the table.
 *
 * Each call makes a new mapping; unmap it with
 * dma_buf_unmap_attachment_list().  Dynamic importers must wait for the
 * buffer's fences themselves, as with dma_buf_map_attachment(); for other
 * importers the core waits.
 *
 * Context: Process context, with the reservation lock of the buffer held.
 * Return: The DMA ranges, or an ERR_PTR(): -EINVAL for a bad direction,
 * -ENODEV if the buffer was revoked, -EREMOTEIO for peer-to-peer memory
 * the importer did not accept or cannot reach, -ENOMEM, or what the
 * exporter returned.  Nothing is left mapped on error.
 */
const struct dma_list *
dma_buf_map_attachment_list(struct dma_buf_attachment *attach,
			    enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;
	struct dma_buf *dmabuf;
	long ret;
	int err;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf))
		return ERR_PTR(-EINVAL);
	dmabuf = attach->dmabuf;
	dma_resv_assert_held(dmabuf->resv);

	m = dbm_alloc(attach, dmabuf->ops->map_phys ? DMA_BUF_MAP_LIST :
		      DMA_BUF_MAP_LIST_FROM_SGT, dir);
	if (IS_ERR(m))
		return ERR_CAST(m);

	if (m->api == DMA_BUF_MAP_LIST_FROM_SGT) {
		/* dma_buf_map_attachment() pins and waits as it always has */
		err = dbm_map_list_from_sgt(attach, m);
		if (err)
			goto err_free;
		list_add_tail(&m->node, &attach->mappings);
		return &m->dl;
	}

	err = dbm_pin(attach, m, false);
	if (err)
		goto err_free;
	err = dbm_map_list(attach, m);
	if (err)
		goto err_unpin;
	list_add_tail(&m->node, &attach->mappings);

	if (!dma_buf_attachment_is_dynamic(attach)) {
		ret = dma_resv_wait_timeout(dmabuf->resv, DMA_RESV_USAGE_KERNEL,
					    true, MAX_SCHEDULE_TIMEOUT);
		if (ret < 0) {
			dbm_release(attach, m);
			return ERR_PTR(ret);
		}
	}
	return &m->map.dl;

err_unpin:
	dbm_unpin(attach, m);
err_free:
	kfree(m);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment_list, DMA_BUF);

/*
 * An exporter may hand every mapping the same list, so phys mappings are
 * told apart by direction too; those equal in both are interchangeable.
 */
static struct dma_buf_mapping *
dbm_find(struct dma_buf_attachment *attach, bool phys, const void *list,
	 enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;

	list_for_each_entry(m, &attach->mappings, node) {
		if (phys && m->api == DMA_BUF_MAP_PHYS && m->pl == list &&
		    m->dir == dir)
			return m;
		if (!phys && (m->api == DMA_BUF_MAP_LIST ||
			      m->api == DMA_BUF_MAP_LIST_FROM_SGT) &&
		    dbm_dma_list(m) == list)
			return m;
	}
	return NULL;
}

/**
 * dma_buf_unmap_attachment_list - unmap what dma_buf_map_attachment_list()
 *	mapped
 * @attach: attachment the list was mapped for
 * @dl: the list dma_buf_map_attachment_list() returned
 * @dir: direction it was mapped with
 *
 * Context: Process context, with the reservation lock of the buffer held.
 */
void dma_buf_unmap_attachment_list(struct dma_buf_attachment *attach,
				   const struct dma_list *dl,
				   enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !dl))
		return;
	dma_resv_assert_held(attach->dmabuf->resv);

	m = dbm_find(attach, false, dl, dir);
	if (WARN(!m, "dma-buf: unmapping a list not mapped for this attachment\n"))
		return;
	WARN_ON_ONCE(m->dir != dir);
	dbm_release(attach, m);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment_list, DMA_BUF);

/**
 * dma_buf_map_attachment_list_unlocked - dma_buf_map_attachment_list()
 *	taking the reservation lock
 * @attach: attachment of the importing device
 * @dir: direction of the DMA transfers
 *
 * Context: Process context, reservation lock not held.
 * Return: As for dma_buf_map_attachment_list().
 */
const struct dma_list *
dma_buf_map_attachment_list_unlocked(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
	const struct dma_list *dl;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf))
		return ERR_PTR(-EINVAL);

	dma_resv_lock(attach->dmabuf->resv, NULL);
	dl = dma_buf_map_attachment_list(attach, dir);
	dma_resv_unlock(attach->dmabuf->resv);
	return dl;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment_list_unlocked, DMA_BUF);

/**
 * dma_buf_unmap_attachment_list_unlocked - dma_buf_unmap_attachment_list()
 *	taking the reservation lock
 * @attach: attachment the list was mapped for
 * @dl: the list to unmap
 * @dir: direction it was mapped with
 *
 * Context: Process context, reservation lock not held.
 */
void dma_buf_unmap_attachment_list_unlocked(struct dma_buf_attachment *attach,
					    const struct dma_list *dl,
					    enum dma_data_direction dir)
{
	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !dl))
		return;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	dma_buf_unmap_attachment_list(attach, dl, dir);
	dma_resv_unlock(attach->dmabuf->resv);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment_list_unlocked, DMA_BUF);

/**
 * dma_buf_map_attachment_phys - the buffer's CPU physical ranges
 * @attach: attachment of an importer that set
 *	&dma_buf_attach_ops.allow_phys
 * @dir: direction of the accesses
 * @provider: set to the &struct p2pdma_provider of ranges without struct
 *	page, or NULL
 *
 * For importers that translate addresses themselves and so cannot use a
 * DMA mapping made for &dma_buf_attachment.dev.  The ranges are the
 * exporter's, unmapped; the importer must not touch them after
 * dma_buf_unmap_attachment_phys() or, for a dynamic exporter, after
 * &dma_buf_attach_ops.move_notify.
 *
 * Context: Process context, with the reservation lock of the buffer held.
 * Both sides must consent: the importer with &dma_buf_attach_ops.allow_phys,
 * the exporter with &dma_buf_ops.allow_phys.  Importers that only need the
 * buffer in an IOMMU domain of their own use
 * dma_buf_map_attachment_domain() instead.  Exported in the DMA_BUF_PHYS
 * symbol namespace, so that every module that uses it says so.
 *
 * Return: The list or an ERR_PTR(): -EPERM if the importer did not set
 * allow_phys, -EACCES if the exporter did not, -EOPNOTSUPP if the exporter
 * only implements &dma_buf_ops.map_dma_buf, -ENODEV if the buffer was
 * revoked, -EREMOTEIO for peer-to-peer memory without
 * &dma_buf_attach_ops.allow_peer2peer.
 */
const struct phys_list *
dma_buf_map_attachment_phys(struct dma_buf_attachment *attach,
			    enum dma_data_direction dir,
			    struct p2pdma_provider **provider)
{
	struct dma_buf_mapping *m;
	int err;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !provider))
		return ERR_PTR(-EINVAL);
	dma_resv_assert_held(attach->dmabuf->resv);

	if (!attach->allow_phys)
		return ERR_PTR(-EPERM);
	if (!attach->dmabuf->ops->map_phys)
		return ERR_PTR(-EOPNOTSUPP);
	if (!attach->dmabuf->ops->allow_phys)
		return ERR_PTR(-EACCES);
	m = dbm_alloc(attach, DMA_BUF_MAP_PHYS, dir);
	if (IS_ERR(m))
		return ERR_CAST(m);
	err = dbm_pin(attach, m, false);
	if (!err) {
		err = dbm_get_phys(attach, m, DBM_P2P_WALK);
		if (err)
			dbm_unpin(attach, m);
	}
	if (err) {
		kfree(m);
		return ERR_PTR(err);
	}
	list_add_tail(&m->node, &attach->mappings);
	*provider = m->provider;
	return m->pl;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment_phys, DMA_BUF_PHYS);

/**
 * dma_buf_unmap_attachment_phys - return ranges from
 *	dma_buf_map_attachment_phys()
 * @attach: attachment they were handed to
 * @pl: the list
 * @dir: direction they were handed out for
 *
 * Context: Process context, with the reservation lock of the buffer held.
 */
void dma_buf_unmap_attachment_phys(struct dma_buf_attachment *attach,
				   const struct phys_list *pl,
				   enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !pl))
		return;
	dma_resv_assert_held(attach->dmabuf->resv);

	m = dbm_find(attach, true, pl, dir);
	if (WARN(!m, "dma-buf: returning ranges not handed to this attachment\n"))
		return;
	WARN_ON_ONCE(m->dir != dir);
	dbm_release(attach, m);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment_phys, DMA_BUF_PHYS);

/**
 * DOC: importer IOMMU domains
 *
 * Some importers own the IOMMU domain their device translates through and
 * map imported buffers into it themselves (msm, rockchip and tegra call
 * iommu_map_sgtable() on imported sg_tables, reading the physical side of
 * tables that are not theirs).  dma_buf_map_attachment_domain() does it
 * for them without showing them a physical address: the importer names
 * its domain and the IOVA where the buffer should appear; the core maps
 * every range of the exporter's list there.  Peer-to-peer ranges are
 * decided as for the core's other mappings and mapped with IOMMU_MMIO
 * when pci_p2pdma routes them through the host bridge; a bus-address
 * route cannot go through a translating domain and is refused with
 * -EREMOTEIO, as is P2P memory for an importer without
 * &dma_buf_attach_ops.allow_peer2peer.  dma_buf_unmap_attachment_domain()
 * removes the mapping with iommu_unmap(), whose IOTLB flush is done when
 * it returns, and dma_buf_revoke() removes the domain mappings of a
 * revoked buffer itself: the device faults instead of reaching memory
 * that is gone.  CPU cache maintenance stays with the exporter's
 * begin/end_cpu_access, as for the importers' own iommu_map_sgtable()
 * today; RAM is mapped with IOMMU_CACHE where the IOMMU supports it.
 */

static int dbm_domain_prot(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return IOMMU_READ;
	case DMA_FROM_DEVICE:
		return IOMMU_WRITE;
	default:
		return IOMMU_READ | IOMMU_WRITE;
	}
}

/*
 * The protection bits of [@phys, +@len) for the importer's domain:
 * IOMMU_CACHE-capable RAM, P2P memory through the host bridge as MMIO, or
 * -EREMOTEIO for what the device cannot reach through a domain.
 */
static int dbm_domain_range_prot(struct dma_buf_attachment *attach,
				 struct dma_buf_mapping *m,
				 struct pci_p2pdma_map_state *st,
				 phys_addr_t phys, u64 len)
{
	unsigned long pfn = PHYS_PFN(phys);
	enum pci_p2pdma_map_type type;
	int prot = dbm_domain_prot(m->dir);

	if (m->provider && pci_p2pdma_provider_contains(m->provider, phys, len))
		type = pci_p2pdma_map_type(m->provider, attach->dev);
	else if (pfn_valid(pfn))
		type = pci_p2pdma_state(st, attach->dev, pfn_to_page(pfn));
	else
		return -EREMOTEIO;

	if (type == PCI_P2PDMA_MAP_NONE)
		return device_iommu_capable(attach->dev,
					    IOMMU_CAP_CACHE_COHERENCY) ?
		       prot | IOMMU_CACHE : prot;
	if (type == PCI_P2PDMA_MAP_THRU_HOST_BRIDGE)
		return prot | IOMMU_MMIO;
	return -EREMOTEIO;
}

/**
 * dma_buf_map_attachment_domain - map a dma-buf into the importer's domain
 * @attach: attachment of the importing device
 * @domain: an IOMMU domain the importer owns and its device is attached to
 * @iova: where the buffer should start in @domain, aligned to the
 *	domain's smallest page size
 * @dir: direction of the DMA transfers
 *
 * Map every range of the buffer, in order, at consecutive addresses from
 * @iova, so that the device reaches the whole buffer at [@iova, @iova +
 * &dma_buf.size) without the importer seeing a physical address (see
 * `importer IOMMU domains`_).  The exporter must implement
 * &dma_buf_ops.map_phys and its ranges must be aligned to the domain's
 * page size.  Unmap with dma_buf_unmap_attachment_domain(); revocable
 * buffers may be attached only by importers with
 * &dma_buf_attach_ops.allow_revoke, whose domain mappings dma_buf_revoke()
 * removes itself.
 *
 * Dynamic importers must wait for the buffer's fences themselves; for
 * other importers the core waits.
 *
 * Context: Process context, with the reservation lock of the buffer held.
 * Return: 0, or -EINVAL for a bad direction or misaligned address,
 * -EOPNOTSUPP for an exporter without map_phys, -ENODEV if the buffer was
 * revoked, -EREMOTEIO for P2P memory the importer did not accept or its
 * device cannot reach through the domain, -ENOMEM, or the exporter's
 * error.  Nothing is left mapped on error.
 */
int dma_buf_map_attachment_domain(struct dma_buf_attachment *attach,
				  struct iommu_domain *domain,
				  unsigned long iova,
				  enum dma_data_direction dir)
{
	struct pci_p2pdma_map_state st = {};
	struct dma_buf_mapping *m;
	struct phys_list_iter pi;
	phys_addr_t phys;
	long ret;
	u64 len;
	int err;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !domain))
		return -EINVAL;
	dma_resv_assert_held(attach->dmabuf->resv);

	if (!attach->dmabuf->ops->map_phys)
		return -EOPNOTSUPP;
	m = dbm_alloc(attach, DMA_BUF_MAP_DOMAIN, dir);
	if (IS_ERR(m))
		return PTR_ERR(m);
	m->domain = domain;
	m->iova = iova;
	err = dbm_pin(attach, m, false);
	if (err)
		goto err_free;
	err = dbm_get_phys(attach, m, DBM_P2P_WALK);
	if (err)
		goto err_unpin;

	phys_list_for_each(m->pl, &pi, phys, len) {
		int prot = dbm_domain_range_prot(attach, m, &st, phys, len);

		err = prot < 0 ? prot : iommu_map(domain, iova + m->mapped,
						  phys, len, prot, GFP_KERNEL);
		if (err)
			goto err_unmap;
		m->mapped += len;
	}
	list_add_tail(&m->node, &attach->mappings);

	if (!dma_buf_attachment_is_dynamic(attach)) {
		ret = dma_resv_wait_timeout(attach->dmabuf->resv,
					    DMA_RESV_USAGE_KERNEL, true,
					    MAX_SCHEDULE_TIMEOUT);
		if (ret < 0) {
			dbm_release(attach, m);
			return ret;
		}
	}
	return 0;

err_unmap:
	dbm_unmap_domain(attach, m);
err_unpin:
	dbm_unpin(attach, m);
err_free:
	kfree(m);
	return err;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment_domain, DMA_BUF);

/**
 * dma_buf_unmap_attachment_domain - remove a dma_buf_map_attachment_domain()
 *	mapping
 * @attach: attachment it was made for
 * @domain: the domain
 * @iova: the address it was mapped at
 * @dir: direction it was mapped with
 *
 * When it returns, the IOTLB no longer holds the mapping.
 *
 * Context: Process context, with the reservation lock of the buffer held.
 */
void dma_buf_unmap_attachment_domain(struct dma_buf_attachment *attach,
				     struct iommu_domain *domain,
				     unsigned long iova,
				     enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;

	might_sleep();
	if (WARN_ON(!attach || !attach->dmabuf || !domain))
		return;
	dma_resv_assert_held(attach->dmabuf->resv);

	list_for_each_entry(m, &attach->mappings, node) {
		if (m->api == DMA_BUF_MAP_DOMAIN && m->domain == domain &&
		    m->iova == iova) {
			WARN_ON_ONCE(m->dir != dir);
			dbm_release(attach, m);
			return;
		}
	}
	WARN(1, "dma-buf: unmapping a domain mapping not made for this attachment\n");
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment_domain, DMA_BUF);

/*
 * &dma_buf_ops.map_dma_buf for a list exporter without one (see
 * dbm_map_sgt() for the table).  Fence waits stay with the callers in
 * dma-buf.c, and so does pinning unless a static importer of a dynamic
 * exporter could otherwise be moved: list exporters are not mapped at
 * attach time.
 */
struct sg_table *dma_buf_map_sgt_from_phys(struct dma_buf_attachment *attach,
					   enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;
	int err;

	dma_resv_assert_held(attach->dmabuf->resv);

	m = dbm_alloc(attach, DMA_BUF_MAP_SGT_FROM_LIST, dir);
	if (IS_ERR(m))
		return ERR_CAST(m);
	err = dbm_pin(attach, m, true);
	if (err)
		goto err_free;
	err = dbm_get_phys(attach, m, DBM_P2P_CLASSIFY);
	if (err)
		goto err_unpin;
	err = dbm_map_sgt(attach, m);
	if (err)
		goto err_put;
	list_add_tail(&m->node, &attach->mappings);
	return &m->sgt;

err_put:
	dbm_put_phys(attach, m);
err_unpin:
	dbm_unpin(attach, m);
err_free:
	kfree(m);
	return ERR_PTR(err);
}

void dma_buf_unmap_sgt_from_phys(struct dma_buf_attachment *attach,
				 struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	struct dma_buf_mapping *m;

	dma_resv_assert_held(attach->dmabuf->resv);

	list_for_each_entry(m, &attach->mappings, node) {
		if (m->api == DMA_BUF_MAP_SGT_FROM_LIST && &m->sgt == sgt) {
			dbm_release(attach, m);
			return;
		}
	}
	WARN(1, "dma-buf: unmapping an sg_table not mapped for this attachment\n");
}

/* Detach: mappings an importer forgot are reported and undone. */
void dma_buf_release_mappings(struct dma_buf_attachment *attach)
{
	struct dma_buf_mapping *m, *tmp;

	dma_resv_assert_held(attach->dmabuf->resv);

	list_for_each_entry_safe(m, tmp, &attach->mappings, node) {
		WARN(1, "dma-buf: %s detached with a %s mapping left\n",
		     dev_name(attach->dev), dma_buf_map_api_names[m->api]);
		dbm_release(attach, m);
	}
}

/*
 * The core put them there, so the core takes them out: the device faults
 * instead of reaching memory that is going away.  The importer's own
 * unmap later only drops the record.
 */
static void dbm_revoke_domains(struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping *m;

	list_for_each_entry(attach, &dmabuf->attachments, node)
		list_for_each_entry(m, &attach->mappings, node)
			if (m->api == DMA_BUF_MAP_DOMAIN && m->pl)
				dbm_unmap_domain(attach, m);
}

/* Name every importer that still holds the exporter's list. */
static void dbm_report_holders(struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping *m;

	dma_resv_lock(dmabuf->resv, NULL);
	list_for_each_entry(attach, &dmabuf->attachments, node)
		list_for_each_entry(m, &attach->mappings, node)
			if (m->pl)
				pr_err("dma-buf: %s: importer %s (move_notify %ps) still holds a %s mapping\n",
				       dmabuf->exp_name, dev_name(attach->dev),
				       attach->importer_ops ?
				       attach->importer_ops->move_notify : NULL,
				       dma_buf_map_api_names[m->api]);
	dma_resv_unlock(dmabuf->resv);
}

/*
 * The fences revoke waited for in vain.  A dynamic importer's fence that
 * never signals is usually a buffer the driver holds without running it
 * (a mem2mem OUTPUT buffer whose CAPTURE partner never came): name the
 * timelines so that the driver can be found.
 */
static void dbm_report_fences(struct dma_buf *dmabuf)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;

	dma_resv_for_each_fence(&cursor, dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP,
				fence) {
		if (dma_fence_is_signaled(fence))
			continue;
		pr_err("dma-buf: %s: fence %s:%s context %llu seqno %llu did not signal\n",
		       dmabuf->exp_name, fence->ops->get_driver_name(fence),
		       fence->ops->get_timeline_name(fence), fence->context,
		       fence->seqno);
	}
	WARN(1, "dma-buf: %s: revoke gave up after %u ms on fences that did not signal\n",
	     dmabuf->exp_name, DMA_BUF_REVOKE_TIMEOUT_MS);
}

/**
 * dma_buf_revoke - take a buffer's memory away from its importers
 * @dmabuf: buffer of an exporter with &dma_buf_ops.revocable
 *
 * Marks the buffer revoked, so that attaching and mapping it fail with
 * -ENODEV from now on, invalidates every importer's mappings through
 * &dma_buf_attach_ops.move_notify, waits for every fence of the
 * reservation object (DMA still in flight on the old mappings), then
 * waits until the last list handed out by &dma_buf_ops.map_phys has been
 * returned.  When it returns, no device can reach the memory through this
 * buffer and the exporter may release it.  The buffer itself lives on
 * until its last reference is put.
 *
 * Both waits are bounded: an importer whose fences do not signal, or that
 * does not unmap, within %DMA_BUF_REVOKE_TIMEOUT_MS breaks the promise it
 * made with &dma_buf_attach_ops.allow_revoke.  Revoke then names the
 * fences or the importer, warns and goes on; the exporter must keep the
 * list valid until its &dma_buf_ops.unmap_phys comes back for it.  A
 * remove() or surprise removal of the exporter's device cannot be held up
 * for ever by an importer.
 *
 * CPU mappings of the buffer are zapped; those made with
 * dma_buf_mmap_revocable() fault with SIGBUS from now on.
 *
 * Context: Process context, reservation lock not held.  Sleeps until the
 * fences signal and the importers have unmapped, or twice
 * %DMA_BUF_REVOKE_TIMEOUT_MS at most.
 */
void dma_buf_revoke(struct dma_buf *dmabuf)
{
	might_sleep();
	if (WARN_ON(!dmabuf || !dmabuf->ops->revocable))
		return;

	dma_resv_lock(dmabuf->resv, NULL);
	dmabuf->revoked = true;
	dma_buf_invalidate_mappings(dmabuf);
	if (dma_resv_wait_timeout(dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP, false,
				  msecs_to_jiffies(DMA_BUF_REVOKE_TIMEOUT_MS)) <= 0)
		dbm_report_fences(dmabuf);
	dbm_revoke_domains(dmabuf);
	/*
	 * CPU mappings, under the lock: see `revocable CPU mappings`_.  Each
	 * VMA holds a reference to the file.  None left means nothing is
	 * mapped and the buffer is being released, its inode and address
	 * space maybe gone already; else ours keeps them over the zap.
	 */
	if (atomic_long_inc_not_zero(&dmabuf->file->f_count)) {
		unmap_mapping_range(dmabuf->file->f_mapping, 0, 0, 1);
		fput(dmabuf->file);
	}
	dma_resv_unlock(dmabuf->resv);

	if (wait_var_event_timeout(&dmabuf->nr_phys_maps,
				   !READ_ONCE(dmabuf->nr_phys_maps),
				   msecs_to_jiffies(DMA_BUF_REVOKE_TIMEOUT_MS)))
		return;
	dbm_report_holders(dmabuf);
	WARN(1, "dma-buf: %s: revoke gave up after %u ms on importers that did not unmap\n",
	     dmabuf->exp_name, DMA_BUF_REVOKE_TIMEOUT_MS);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_revoke, DMA_BUF);

/*
 * A page table the importer holds, synced; under CONFIG_DMABUF_DEBUG its
 * page links are mangled while the importer has it, so the sync sees them
 * restored (the importer cannot look: we hold the reservation lock).
 */
static void dbm_sync_sgt(struct dma_buf_attachment *attach,
			 struct dma_buf_mapping *m, bool for_cpu)
{
	dma_buf_mangle_sg_table(&m->sgt);
	if (for_cpu)
		dma_sync_sgtable_for_cpu(attach->dev, &m->sgt, m->dir);
	else
		dma_sync_sgtable_for_device(attach->dev, &m->sgt, m->dir);
	dma_buf_mangle_sg_table(&m->sgt);
}

/* Lists the core mapped for devices, synced for the CPU or the devices. */
void dma_buf_sync_mappings(struct dma_buf *dmabuf, bool for_cpu)
{
	struct dma_buf_attachment *attach;
	struct dma_buf_mapping *m;

	if (!dmabuf->ops->map_phys)
		return;

	dma_resv_lock(dmabuf->resv, NULL);
	list_for_each_entry(attach, &dmabuf->attachments, node) {
		list_for_each_entry(m, &attach->mappings, node) {
			if (m->pages) {
				dbm_sync_sgt(attach, m, for_cpu);
				continue;
			}
			if (m->api != DMA_BUF_MAP_LIST &&
			    m->api != DMA_BUF_MAP_SGT_FROM_LIST)
				continue;
			if (for_cpu)
				dma_sync_phys_list_for_cpu(attach->dev, m->pl,
							   &m->map);
			else
				dma_sync_phys_list_for_device(attach->dev, m->pl,
							      &m->map);
		}
	}
	dma_resv_unlock(dmabuf->resv);
}

static size_t dbm_mem_bytes(struct dma_buf_mapping *m)
{
	size_t bytes = sizeof(*m);

	switch (m->api) {
	case DMA_BUF_MAP_SGT_FROM_LIST:
		if (m->pages)
			return bytes + m->sgt.orig_nents *
				       sizeof(struct scatterlist);
		bytes += m->sgt_ents * sizeof(struct scatterlist);
		fallthrough;
	case DMA_BUF_MAP_LIST:
		bytes += dma_list_mem_bytes(&m->map.dl) +
			 m->map.max_runs * sizeof(*m->map.runs);
		break;
	case DMA_BUF_MAP_LIST_FROM_SGT:
		bytes += dma_list_mem_bytes(&m->dl);
		break;
	case DMA_BUF_MAP_PHYS:
	case DMA_BUF_MAP_DOMAIN:
		break;
	}
	return bytes;
}

/**
 * dma_buf_attachment_mem_bytes - metadata the core holds for mappings
 * @attach: attachment
 *
 * Counts the core's records of the attachment's range-list mappings with
 * their DMA range lists and, for legacy importers of list exporters, the
 * sg_tables built for them.  Not counted: the exporter's own lists and
 * sg_tables an sg_table exporter built.
 *
 * Context: Reservation lock of the buffer held.
 * Return: Bytes.
 */
size_t dma_buf_attachment_mem_bytes(struct dma_buf_attachment *attach)
{
	struct dma_buf_mapping *m;
	size_t bytes = 0;

	dma_resv_assert_held(attach->dmabuf->resv);
	list_for_each_entry(m, &attach->mappings, node)
		bytes += dbm_mem_bytes(m);
	return bytes;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_attachment_mem_bytes, DMA_BUF);

void dma_buf_show_mappings(struct seq_file *s,
			   struct dma_buf_attachment *attach)
{
	struct dma_buf_mapping *m;
	unsigned long ranges;

	list_for_each_entry(m, &attach->mappings, node) {
		if (m->api == DMA_BUF_MAP_PHYS || m->api == DMA_BUF_MAP_DOMAIN)
			ranges = m->pl ? phys_list_count(m->pl) : 0;
		else if (m->api == DMA_BUF_MAP_SGT_FROM_LIST)
			ranges = m->sgt.nents;
		else
			ranges = dma_list_count(dbm_dma_list(m));
		seq_printf(s, "\t\tmapping %s dir %d ranges %lu meta %zu",
			   dma_buf_map_api_names[m->api], m->dir, ranges,
			   dbm_mem_bytes(m));
		if (m->pages)
			seq_puts(s, " pages");
		else if (m->api == DMA_BUF_MAP_DOMAIN)
			seq_printf(s, " iova %#lx mapped %zu", m->iova, m->mapped);
		else if (m->api == DMA_BUF_MAP_LIST ||
			 m->api == DMA_BUF_MAP_SGT_FROM_LIST)
			seq_printf(s, " p2p-bus %lu p2p-host-bridge %lu iova %s",
				   m->map.nr_bus, m->map.nr_host_bridge,
				   dma_use_iova(&m->map.state) ? "yes" : "no");
		seq_putc(s, '\n');
	}
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_show_mappings);

/*
 * Mainline's exporter helpers (6.19, struct phys_vec since 7.0): a DMA-only
 * sg_table of an array of physical ranges, made here with the same
 * mapping code as everything else, so that exporters written for those
 * kernels (VFIO's BAR export) build unchanged.
 */
struct dma_buf_vec_sgt {
	struct sg_table sgt;
	unsigned int ents;
	struct phys_list pl;
	struct dma_phys_map map;
};

/**
 * dma_buf_phys_vec_to_sgt - map an array of physical ranges as an sg_table
 * @attach: attachment of the importing device
 * @provider: the &struct p2pdma_provider of ranges without struct page
 *	(every range must lie in its BAR), or NULL
 * @phys_vec: the ranges, in buffer order
 * @nr_ranges: number of entries of @phys_vec
 * @size: total length of the ranges
 * @dir: direction of the DMA transfers
 *
 * For exporters that keep &dma_buf_ops.map_dma_buf and describe their
 * memory as an array, as mainline's VFIO does: call it from map_dma_buf.
 * The ranges are mapped for &dma_buf_attachment.dev with
 * dma_map_phys_list(), P2P decided per range from @provider.  The table
 * has DMA entries only (&sg_table.orig_nents is 0); release it with
 * dma_buf_free_sgt().  Exporters of P2P memory accept only importers
 * with &dma_buf_attachment.peer2peer, in their attach callback.
 *
 * Context: Process context, reservation lock held (map_dma_buf's).
 * Return: The table, or an ERR_PTR(): -EINVAL if @size is not the sum of
 * the ranges or there are none, -EREMOTEIO if @dev cannot reach P2P
 * memory, -ENOMEM.
 */
struct sg_table *dma_buf_phys_vec_to_sgt(struct dma_buf_attachment *attach,
					 struct p2pdma_provider *provider,
					 struct phys_vec *phys_vec,
					 size_t nr_ranges, size_t size,
					 enum dma_data_direction dir)
{
	struct range_list_cfg cfg = { .coalesce = true };
	struct dma_buf_vec_sgt *v;
	size_t i;
	int err;

	if (!nr_ranges || !valid_dma_direction(dir))
		return ERR_PTR(-EINVAL);
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return ERR_PTR(-ENOMEM);
	err = phys_list_init(&v->pl, &cfg);
	for (i = 0; !err && i < nr_ranges; i++)
		err = phys_list_append(&v->pl, phys_vec[i].paddr,
				       phys_vec[i].len, GFP_KERNEL);
	if (!err && phys_list_len(&v->pl) != size)
		err = -EINVAL;
	if (err)
		goto err_free;
	err = dma_map_phys_list(attach->dev, &v->pl, provider, dir, 0, &v->map);
	if (err)
		goto err_free;
	err = dma_list_to_sgt(&v->map.dl, &v->sgt, GFP_KERNEL);
	if (err)
		goto err_unmap;
	v->ents = v->sgt.orig_nents;
	v->sgt.orig_nents = 0;
	return &v->sgt;

err_unmap:
	dma_unmap_phys_list(attach->dev, &v->pl, &v->map);
err_free:
	phys_list_free(&v->pl);
	kfree(v);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_phys_vec_to_sgt, DMA_BUF);

/**
 * dma_buf_free_sgt - unmap and free a table from dma_buf_phys_vec_to_sgt()
 * @attach: attachment it was made for
 * @sgt: the table
 * @dir: direction it was made with
 *
 * Context: Process context (unmap_dma_buf's).
 */
void dma_buf_free_sgt(struct dma_buf_attachment *attach, struct sg_table *sgt,
		      enum dma_data_direction dir)
{
	struct dma_buf_vec_sgt *v = container_of(sgt, struct dma_buf_vec_sgt,
						 sgt);

	WARN_ON_ONCE(v->map.dir != dir);
	sgt->orig_nents = v->ents;
	dma_list_free_sgt(sgt);
	dma_unmap_phys_list(attach->dev, &v->pl, &v->map);
	phys_list_free(&v->pl);
	kfree(v);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_free_sgt, DMA_BUF);

/**
 * DOC: revocable CPU mappings
 *
 * A revocable exporter whose memory the CPU reaches by page frame number
 * (a PCI BAR without struct page, or P2P pages that die with their
 * provider) implements &dma_buf_ops.mmap with dma_buf_mmap_revocable() and
 * leaves the CPU mappings to the core.  The core maps the buffer
 * VM_PFNMAP | VM_IO, uncached, and inserts each page's PFN, asked from the
 * exporter's &dma_buf_pfn_mmap_ops.pfn, when the CPU first touches it.
 * VM_PFNMAP keeps get_user_pages() out, so no page reference taken through
 * a mapping can outlive the memory.  Nothing is inserted at mmap time: a
 * VMA joins the address space of &dma_buf.file, where the zap finds it,
 * only once mmap returned.
 *
 * That address space is the buffer's own and holds every CPU mapping of
 * it, user space's and those made through dma_buf_mmap().
 * dma_buf_revoke() zaps it with the reservation lock held, right after
 * marking the buffer revoked.  A fault takes the same lock, so it either
 * inserted its PTE before the revoke, and the zap removes it, or finds the
 * buffer revoked and raises SIGBUS.  New mappings of a revoked buffer are
 * refused with -ENODEV.
 */

static vm_fault_t dma_buf_revocable_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	const struct dma_buf_pfn_mmap_ops *ops = vma->vm_private_data;
	struct dma_buf *dmabuf = vma->vm_file->private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long pfn;

	dma_resv_lock(dmabuf->resv, NULL);
	if (!dmabuf->revoked && vmf->pgoff < dmabuf->size >> PAGE_SHIFT &&
	    !ops->pfn(dmabuf, vmf->pgoff, &pfn))
		ret = vmf_insert_pfn(vma, vmf->address, pfn);
	dma_resv_unlock(dmabuf->resv);
	return ret;
}

static const struct vm_operations_struct dma_buf_revocable_vm_ops = {
	.fault = dma_buf_revocable_fault,
};

/**
 * dma_buf_mmap_revocable - map a revocable buffer's memory by PFN
 * @dmabuf: buffer of an exporter with &dma_buf_ops.revocable
 * @vma: the mapping, of &dma_buf.file, as &dma_buf_ops.mmap receives it
 * @ops: how to find the PFN of a page of @dmabuf
 *
 * Called from an exporter's &dma_buf_ops.mmap, which may simply return
 * what this returns.  Sets @vma up so that the CPU's first access to each
 * page inserts the PFN @ops gives for it, uncached, and so that the
 * mapping faults with SIGBUS once dma_buf_revoke() zapped it (see
 * `revocable CPU mappings`_).  The exporter needs no vm_operations, no
 * count of its mappings and no zap of its own.
 *
 * Context: Process context, mmap lock held (as for &dma_buf_ops.mmap);
 * takes the buffer's reservation lock.
 * Return: 0, -EINVAL for a private mapping or one past the end of the
 * buffer, or -ENODEV if the buffer was revoked.
 */
int dma_buf_mmap_revocable(struct dma_buf *dmabuf, struct vm_area_struct *vma,
			   const struct dma_buf_pfn_mmap_ops *ops)
{
	int ret = 0;

	if (WARN_ON(!dmabuf || !vma || !ops || !ops->pfn))
		return -EINVAL;
	/* the fault finds the buffer through the VMA's file */
	if (WARN_ON(!dmabuf->ops->revocable || vma->vm_file != dmabuf->file))
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff + vma_pages(vma) > dmabuf->size >> PAGE_SHIFT)
		return -EINVAL;

	dma_resv_lock(dmabuf->resv, NULL);
	if (dmabuf->revoked)
		ret = -ENODEV;
	dma_resv_unlock(dmabuf->resv);
	if (ret)
		return ret;

	/* A revoke from here on finds the VMA or leaves the fault SIGBUS */
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &dma_buf_revocable_vm_ops;
	vma->vm_private_data = (void *)ops;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(dma_buf_mmap_revocable, DMA_BUF);
