// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf mappings made by the core from an exporter's list of physical
 * ranges: for list importers, for sg_table importers of list exporters and,
 * in the other direction, for list importers of sg_table exporters.
 */

#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/dma-phys-list.h>
#include <linux/dma-resv.h>
#include <linux/memremap.h>
#include <linux/mm.h>
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
 *   exporter the core builds a DMA-only &sg_table (no struct page in its
 *   entries, as for any peer-to-peer export) from its own mapping.
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
 * mappings there.
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
 * An importer that cannot be notified (one attached with dma_buf_attach())
 * could hold a mapping forever, so it is refused attachment to a revocable
 * buffer with -EOPNOTSUPP.  Pinning is no answer: a device that is gone
 * cannot be pinned.
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
};

static const char * const dma_buf_map_api_names[] = {
	[DMA_BUF_MAP_LIST] = "list",
	[DMA_BUF_MAP_LIST_FROM_SGT] = "list<-sgt",
	[DMA_BUF_MAP_SGT_FROM_LIST] = "sgt<-list",
	[DMA_BUF_MAP_PHYS] = "phys",
};

/*
 * The core's record of one mapping, on &dma_buf_attachment.mappings.
 * @pl and @provider come from the exporter's map_phys (all but
 * LIST_FROM_SGT); @map is our mapping of @pl (LIST, SGT_FROM_LIST); @sgt
 * is built from it for a legacy importer (SGT_FROM_LIST); @exp_sgt is an
 * sg_table exporter's table and @dl its DMA side (LIST_FROM_SGT).
 */
struct dma_buf_mapping {
	struct list_head node;
	enum dma_buf_map_api api;
	enum dma_data_direction dir;
	bool pinned;
	const struct phys_list *pl;
	struct p2pdma_provider *provider;
	struct dma_phys_map map;
	struct sg_table sgt;
	struct sg_table *exp_sgt;
	struct dma_list dl;
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
	if (dmabuf->ops->revocable && !dma_buf_attachment_is_dynamic(attach))
		return -EOPNOTSUPP;
	return 0;
}

/* Dynamic exporters keep their memory in place while a mapping needs it. */
static bool dbm_must_pin(struct dma_buf_attachment *attach)
{
	return dma_buf_is_dynamic(attach->dmabuf) &&
	       (!IS_ENABLED(CONFIG_DMABUF_MOVE_NOTIFY) ||
		!dma_buf_attachment_is_dynamic(attach));
}

static int dbm_pin(struct dma_buf_attachment *attach, struct dma_buf_mapping *m)
{
	int err;

	if (!dbm_must_pin(attach))
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

/* A range that is PCI peer-to-peer memory: a BAR or ZONE_DEVICE P2P pages. */
static bool dbm_range_is_p2p(phys_addr_t phys)
{
	unsigned long pfn = PHYS_PFN(phys);

	return !pfn_valid(pfn) || is_pci_p2pdma_page(pfn_to_page(pfn));
}

static int dbm_check_p2p(struct dma_buf_attachment *attach,
			 const struct phys_list *pl)
{
	struct phys_list_iter pi;
	phys_addr_t phys;
	u64 len;

	if (attach->peer2peer)
		return 0;
	phys_list_for_each(pl, &pi, phys, len)
		if (dbm_range_is_p2p(phys))
			return -EREMOTEIO;
	return 0;
}

/* Ask the exporter for its list; counted for dma_buf_revoke(). */
static int dbm_get_phys(struct dma_buf_attachment *attach,
			struct dma_buf_mapping *m)
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
	dmabuf->nr_phys_maps++;

	err = dbm_check_p2p(attach, pl);
	if (err) {
		dmabuf->ops->unmap_phys(attach, pl, m->dir);
		dmabuf->nr_phys_maps--;
		m->pl = NULL;
	}
	return err;
}

static void dbm_put_phys(struct dma_buf_attachment *attach,
			 struct dma_buf_mapping *m)
{
	struct dma_buf *dmabuf = attach->dmabuf;

	dmabuf->ops->unmap_phys(attach, m->pl, m->dir);
	m->pl = NULL;
	if (!--dmabuf->nr_phys_maps && dmabuf->revoked) {
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

	err = dbm_get_phys(attach, m);
	if (err)
		return err;
	err = dma_map_phys_list(attach->dev, m->pl, m->provider, m->dir,
				attach->dmabuf->ops->map_attrs, &m->map);
	if (err)
		dbm_put_phys(attach, m);
	return err;
}

/*
 * The memory of a revocable buffer goes away as soon as dma_buf_revoke()
 * returns: its mappings are torn down with the IOTLB invalidated before
 * the exporter gets its list back, not later through a flush queue.
 */
static void dbm_unmap_list(struct dma_buf_attachment *attach,
			   struct dma_buf_mapping *m)
{
	if (attach->dmabuf->ops->revocable)
		dma_unmap_phys_list_strict(attach->dev, m->pl, &m->map);
	else
		dma_unmap_phys_list(attach->dev, m->pl, &m->map);
	dbm_put_phys(attach, m);
}

/* An sg_table exporter's mapping, its DMA side presented as a dma_list. */
static int dbm_map_list_from_sgt(struct dma_buf_attachment *attach,
				 struct dma_buf_mapping *m)
{
	struct range_list_cfg cfg = { .coalesce = true };
	struct sg_table *sgt;
	int err;

	sgt = dma_buf_map_attachment(attach, m->dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	err = dma_list_init(&m->dl, &cfg);
	if (!err)
		err = dma_buf_mapping_from_sgt(&m->dl, sgt);
	if (err) {
		dma_list_free(&m->dl);
		dma_buf_unmap_attachment(attach, sgt, m->dir);
		return err;
	}
	m->exp_sgt = sgt;
	return 0;
}

static void dbm_release(struct dma_buf_attachment *attach,
			struct dma_buf_mapping *m)
{
	switch (m->api) {
	case DMA_BUF_MAP_LIST:
		dbm_unmap_list(attach, m);
		break;
	case DMA_BUF_MAP_SGT_FROM_LIST:
		dma_list_free_sgt(&m->sgt);
		dbm_unmap_list(attach, m);
		break;
	case DMA_BUF_MAP_LIST_FROM_SGT:
		dma_list_free(&m->dl);
		dma_buf_unmap_attachment(attach, m->exp_sgt, m->dir);
		break;
	case DMA_BUF_MAP_PHYS:
		dbm_put_phys(attach, m);
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

	err = dbm_pin(attach, m);
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

static struct dma_buf_mapping *
dbm_find(struct dma_buf_attachment *attach, bool phys, const void *list)
{
	struct dma_buf_mapping *m;

	list_for_each_entry(m, &attach->mappings, node) {
		if (phys ? m->api == DMA_BUF_MAP_PHYS && m->pl == list :
		    (m->api == DMA_BUF_MAP_LIST ||
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

	m = dbm_find(attach, false, dl);
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
 * Return: The list or an ERR_PTR(): -EPERM if the importer did not set
 * allow_phys, -EOPNOTSUPP if the exporter only implements
 * &dma_buf_ops.map_dma_buf, -ENODEV if the buffer was revoked, -EREMOTEIO
 * for peer-to-peer memory without &dma_buf_attach_ops.allow_peer2peer.
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
	m = dbm_alloc(attach, DMA_BUF_MAP_PHYS, dir);
	if (IS_ERR(m))
		return ERR_CAST(m);
	err = dbm_pin(attach, m);
	if (!err) {
		err = dbm_get_phys(attach, m);
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
EXPORT_SYMBOL_NS_GPL(dma_buf_map_attachment_phys, DMA_BUF);

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

	m = dbm_find(attach, true, pl);
	if (WARN(!m, "dma-buf: returning ranges not handed to this attachment\n"))
		return;
	WARN_ON_ONCE(m->dir != dir);
	dbm_release(attach, m);
}
EXPORT_SYMBOL_NS_GPL(dma_buf_unmap_attachment_phys, DMA_BUF);

/*
 * &dma_buf_ops.map_dma_buf for a list exporter without one: the
 * importer's sg_table is built from the core's mapping of the list.  Its
 * entries carry DMA addresses only, like every peer-to-peer export.
 * Pinning and fence waits stay with the callers in dma-buf.c.
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
	err = dbm_map_list(attach, m);
	if (err)
		goto err_free;
	err = dma_buf_mapping_to_sgt(&m->map.dl, &m->sgt);
	if (err)
		goto err_unmap;
	list_add_tail(&m->node, &attach->mappings);
	return &m->sgt;

err_unmap:
	dbm_unmap_list(attach, m);
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

/**
 * dma_buf_revoke - take a buffer's memory away from its importers
 * @dmabuf: buffer of an exporter with &dma_buf_ops.revocable
 *
 * Marks the buffer revoked, so that attaching and mapping it fail with
 * -ENODEV from now on, notifies every importer through
 * &dma_buf_attach_ops.move_notify, and waits until the last list handed
 * out by &dma_buf_ops.map_phys has been returned.  When it returns, no
 * device can reach the memory through this buffer and the exporter may
 * release it.  The buffer itself lives on until its last reference is put.
 *
 * Context: Process context, reservation lock not held.  Sleeps until the
 * importers have unmapped.
 */
void dma_buf_revoke(struct dma_buf *dmabuf)
{
	might_sleep();
	if (WARN_ON(!dmabuf || !dmabuf->ops->revocable))
		return;

	dma_resv_lock(dmabuf->resv, NULL);
	dmabuf->revoked = true;
	dma_buf_move_notify(dmabuf);
	dma_resv_unlock(dmabuf->resv);

	wait_var_event(&dmabuf->nr_phys_maps,
		       !READ_ONCE(dmabuf->nr_phys_maps));
}
EXPORT_SYMBOL_NS_GPL(dma_buf_revoke, DMA_BUF);

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
		bytes += m->sgt.orig_nents * sizeof(struct scatterlist);
		fallthrough;
	case DMA_BUF_MAP_LIST:
		bytes += dma_list_mem_bytes(&m->map.dl) +
			 m->map.max_runs * sizeof(*m->map.runs);
		break;
	case DMA_BUF_MAP_LIST_FROM_SGT:
		bytes += dma_list_mem_bytes(&m->dl);
		break;
	case DMA_BUF_MAP_PHYS:
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
		if (m->api == DMA_BUF_MAP_PHYS)
			ranges = phys_list_count(m->pl);
		else
			ranges = dma_list_count(dbm_dma_list(m));
		seq_printf(s, "\t\tmapping %s dir %d ranges %lu meta %zu",
			   dma_buf_map_api_names[m->api], m->dir, ranges,
			   dbm_mem_bytes(m));
		if (m->api == DMA_BUF_MAP_LIST ||
		    m->api == DMA_BUF_MAP_SGT_FROM_LIST)
			seq_printf(s, " p2p-bus %lu p2p-host-bridge %lu iova %s",
				   m->map.nr_bus, m->map.nr_host_bridge,
				   dma_use_iova(&m->map.state) ? "yes" : "no");
		seq_putc(s, '\n');
	}
}
EXPORT_SYMBOL_IF_KUNIT(dma_buf_show_mappings);
