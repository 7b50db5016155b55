// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map a physical range list for a device.
 *
 * With an IOMMU DMA domain the whole list goes into one IOVA range: every
 * range gets a slot whose offset within an IOMMU page equals that of its
 * physical address, slots that start and end on page boundaries are packed
 * back to back (so a list of whole pages becomes one DMA range), and all
 * links are made visible with a single flush.  Without one (or when the
 * device must bounce) every range is mapped on its own with the
 * single-range DMA API.
 *
 * PCI peer-to-peer memory is classified with pci_p2pdma against the
 * importing device, once per provider thanks to the cached state: a bus
 * address needs no mapping at all, memory reached through the host bridge
 * is mapped like RAM but never CPU-synced, anything else is refused with
 * -EREMOTEIO.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-phys-list.h>
#include <linux/export.h>
#include <linux/iommu-dma.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>

enum dpl_kind {
	DPL_RAM,
	DPL_P2P_BUS,
	DPL_P2P_HOST_BRIDGE,
};

/* Highest address @dev can generate without translation. */
static u64 dpl_dma_limit(struct device *dev)
{
	return min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
}

/*
 * RAM, or P2P memory reached by bus address or through the host bridge.
 * P2P memory is either ZONE_DEVICE pages of a pci_p2pdma provider or,
 * without struct page, a BAR offered with pcim_p2pdma_init(); anything
 * else without struct page has no known provider and is refused.  The
 * topology is walked once per provider, @p2p remembers the answer.
 */
static int dpl_classify(struct device *dev, struct pci_p2pdma_map_state *p2p,
			phys_addr_t phys, u64 len, enum dpl_kind *kind)
{
	unsigned long pfn = PHYS_PFN(phys), last = PHYS_PFN(phys + len - 1);
	struct p2pdma_provider *mem;
	enum pci_p2pdma_map_type type;
	struct page *first, *end;

	if (!pfn_valid(pfn)) {
		mem = pci_p2pdma_provider_of(phys, len);
		if (!mem)
			return -EREMOTEIO;
		type = pci_p2pdma_provider_state(p2p, dev, mem);
	} else {
		first = pfn_to_page(pfn);
		/* Both ends must be the same kind of memory */
		if (last != pfn) {
			if (!pfn_valid(last))
				return -EINVAL;
			end = pfn_to_page(last);
			if (is_pci_p2pdma_page(first) != is_pci_p2pdma_page(end) ||
			    (is_pci_p2pdma_page(first) &&
			     first->pgmap != end->pgmap))
				return -EINVAL;
		}
		if (!is_pci_p2pdma_page(first)) {
			*kind = DPL_RAM;
			return 0;
		}
		type = pci_p2pdma_state(p2p, dev, first);
	}

	switch (type) {
	case PCI_P2PDMA_MAP_BUS_ADDR:
		if (pci_p2pdma_bus_addr_map(p2p, phys + len - 1) >
		    dpl_dma_limit(dev))
			return -EREMOTEIO;
		*kind = DPL_P2P_BUS;
		return 0;
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		*kind = DPL_P2P_HOST_BRIDGE;
		return 0;
	default:
		return -EREMOTEIO;
	}
}

/* Offset in the IOVA range at which a range starting at @phys goes. */
static u64 dpl_slot(u64 cursor, phys_addr_t phys, u64 mask)
{
	if (!cursor || (!(cursor & mask) && !(phys & mask)))
		return cursor + (phys & mask);
	return ALIGN(cursor, mask + 1) + (phys & mask);
}

static unsigned long dpl_attrs(struct dma_phys_map *map, enum dpl_kind kind)
{
	if (kind == DPL_P2P_HOST_BRIDGE)
		return map->attrs | DMA_ATTR_SKIP_CPU_SYNC;
	return map->attrs;
}

/* Undo the per-range mapping of one range. */
static void dpl_unmap_one(struct device *dev, struct dma_phys_map *map,
			  enum dpl_kind kind, dma_addr_t addr, u64 len)
{
	if (kind == DPL_RAM)
		dma_unmap_page_attrs(dev, addr, len, map->dir, map->attrs);
	else if (kind == DPL_P2P_HOST_BRIDGE)
		dma_unmap_resource(dev, addr, len, map->dir,
				   dpl_attrs(map, kind));
}

/* Undo the first @nr ranges of a per-range mapping. */
static void dpl_unmap_direct(struct device *dev, const struct phys_list *pl,
			     struct dma_phys_map *map, unsigned long nr)
{
	struct pci_p2pdma_map_state p2p = {};
	struct phys_list_iter pi;
	struct dma_list_iter di;
	enum dpl_kind kind;
	phys_addr_t phys;
	dma_addr_t addr;
	u64 len, dlen;

	/* Bus addresses only (their runs may be merged): nothing to undo */
	if (map->nr_bus == phys_list_count(pl))
		return;

	dma_list_iter_init(&di, &map->dl);
	phys_list_for_each(pl, &pi, phys, len) {
		if (!nr--)
			break;
		if (!dma_list_iter_next(&di, &addr, &dlen) ||
		    WARN_ON_ONCE(dlen != len))
			break;
		if (!dpl_classify(dev, &p2p, phys, len, &kind))
			dpl_unmap_one(dev, map, kind, addr, len);
	}
}

static int dpl_map_direct(struct device *dev, const struct phys_list *pl,
			  struct dma_phys_map *map)
{
	struct pci_p2pdma_map_state p2p = {};
	unsigned long nr = 0;
	struct phys_list_iter pi;
	enum dpl_kind kind;
	phys_addr_t phys;
	dma_addr_t addr;
	u64 len;
	int ret;

	ret = dma_list_init(&map->dl, NULL);
	if (ret)
		return ret;
	ret = dma_list_prealloc(&map->dl, phys_list_count(pl), GFP_KERNEL);
	if (ret)
		goto err;

	phys_list_for_each(pl, &pi, phys, len) {
		ret = dpl_classify(dev, &p2p, phys, len, &kind);
		if (ret)
			goto err;

		switch (kind) {
		case DPL_RAM:
			addr = dma_map_page_attrs(dev, pfn_to_page(PHYS_PFN(phys)),
						  offset_in_page(phys), len,
						  map->dir, map->attrs);
			break;
		case DPL_P2P_HOST_BRIDGE:
			/* dma-direct cannot bounce a BAR: refuse, don't warn */
			if (!use_dma_iommu(dev) &&
			    !dma_capable(dev, phys_to_dma(dev, phys), len,
					 false)) {
				ret = -EREMOTEIO;
				goto err;
			}
			addr = dma_map_resource(dev, phys, len, map->dir,
						dpl_attrs(map, kind));
			map->nr_host_bridge++;
			break;
		default:
			addr = pci_p2pdma_bus_addr_map(&p2p, phys);
			map->nr_bus++;
			break;
		}
		if (dma_mapping_error(dev, addr)) {
			ret = -EIO;
			goto err;
		}
		ret = dma_list_append(&map->dl, addr, len, GFP_KERNEL);
		if (ret) {
			/* Cannot happen after the prealloc; undo this one too */
			dpl_unmap_one(dev, map, kind, addr, len);
			goto err;
		}
		nr++;
	}
	return 0;

err:
	dpl_unmap_direct(dev, pl, map, nr);
	dma_list_free(&map->dl);
	return ret;
}

/*
 * Size of the IOVA range that holds every range of @pl.  Ranges are not
 * classified here, so that each is classified once, while linking: slots
 * are monotonic in the cursor, so skipping the ranges that turn out to
 * need no IOVA (PCI bus addresses) can only end below this size.
 */
static u64 dpl_iova_size(const struct phys_list *pl, u64 mask)
{
	struct phys_list_iter pi;
	u64 len, cursor = 0;
	phys_addr_t phys;

	phys_list_for_each(pl, &pi, phys, len)
		cursor = dpl_slot(cursor, phys, mask) + len;
	return cursor;
}

static int dpl_map_iova(struct device *dev, const struct phys_list *pl,
			struct dma_phys_map *map, u64 mask)
{
	struct pci_p2pdma_map_state p2p = {};
	u64 len, off, cursor = 0, run_len = 0;
	dma_addr_t addr, run = 0;
	struct phys_list_iter pi;
	enum dpl_kind kind;
	phys_addr_t phys;
	int ret;

	ret = dma_list_init(&map->dl, NULL);
	if (ret)
		return ret;

	phys_list_for_each(pl, &pi, phys, len) {
		ret = dpl_classify(dev, &p2p, phys, len, &kind);
		if (ret)
			goto err;
		if (kind == DPL_P2P_BUS) {
			addr = pci_p2pdma_bus_addr_map(&p2p, phys);
			map->nr_bus++;
		} else {
			off = dpl_slot(cursor, phys, mask);
			ret = dma_iova_link(dev, &map->state, phys, off, len,
					    map->dir, dpl_attrs(map, kind));
			if (ret)
				goto err;
			cursor = off + len;
			map->iova_linked = cursor;
			addr = map->state.addr + off;
			if (kind == DPL_P2P_HOST_BRIDGE)
				map->nr_host_bridge++;
		}

		/* Collect adjacent pieces, append only when a run ends */
		if (run_len && run + run_len == addr) {
			run_len += len;
			continue;
		}
		if (run_len) {
			ret = dma_list_append(&map->dl, run, run_len,
					      GFP_KERNEL);
			if (ret)
				goto err;
		}
		run = addr;
		run_len = len;
	}
	ret = dma_list_append(&map->dl, run, run_len, GFP_KERNEL);
	if (ret)
		goto err;

	/* Only bus addresses: the IOVA range was not needed after all */
	if (!map->iova_linked) {
		dma_iova_free(dev, &map->state);
		return 0;
	}
	ret = dma_iova_sync(dev, &map->state, 0, map->iova_linked);
	if (ret)
		goto err;
	return 0;

err:
	/* The device never saw these addresses: no CPU sync needed */
	dma_iova_destroy(dev, &map->state, map->iova_linked, map->dir,
			 map->attrs | DMA_ATTR_SKIP_CPU_SYNC);
	dma_list_free(&map->dl);
	return ret;
}

/**
 * dma_map_phys_list() - map a physical range list for a device
 * @dev: device that will access the memory
 * @pl: the CPU physical ranges; must stay unchanged until unmapped
 * @dir: direction of the transfers
 * @attrs: DMA_ATTR_* flags, applied to every range
 * @map: filled in with the DMA ranges and what is needed to undo them
 *
 * Maps every range of @pl so that @dev can reach it and stores the device
 * addresses, in the same order, in @map->dl.  When @dev is behind an IOMMU
 * DMA domain all ranges that need translation share one IOVA range and one
 * IOTLB flush, and page-aligned neighbours come out as a single DMA range;
 * otherwise each range is mapped on its own and @map->dl has one entry per
 * range of @pl.
 *
 * Ranges in PCI P2P memory are classified against @dev: a PCI bus address
 * is used as is, memory reached through the host bridge is mapped like RAM
 * with DMA_ATTR_SKIP_CPU_SYNC, and memory @dev cannot reach makes the call
 * fail.  A range without struct page is P2P memory only if it lies in a
 * BAR offered with pcim_p2pdma_init(); otherwise its provider is unknown
 * and it is refused.  On failure nothing stays mapped.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL for an empty list or a range mixing RAM and
 * P2P memory; -EREMOTEIO for a range @dev cannot reach; -EIO if a mapping
 * failed; -ENOMEM; or an errno of dma_iova_link().
 */
int dma_map_phys_list(struct device *dev, const struct phys_list *pl,
		      enum dma_data_direction dir, unsigned long attrs,
		      struct dma_phys_map *map)
{
	u64 mask = dma_get_merge_boundary(dev);
	u64 size = 0;
	int ret;

	might_sleep();
	memset(map, 0, sizeof(*map));
	map->dir = dir;
	map->attrs = attrs;
	if (!phys_list_count(pl) || !valid_dma_direction(dir))
		return -EINVAL;

	if (mask)
		size = dpl_iova_size(pl, mask);
	if (size && size <= SIZE_MAX &&
	    dma_iova_try_alloc(dev, &map->state, 0, size)) {
		ret = dpl_map_iova(dev, pl, map, mask);
	} else {
		ret = dpl_map_direct(dev, pl, map);
	}
	if (ret) {
		memset(map, 0, sizeof(*map));
		return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dma_map_phys_list);

/*
 * Sync the RAM ranges of a mapping, one direction.  Linked IOVA ranges are
 * synced by physical address: they were never bounced, and the
 * single-range sync calls only know about single-range mappings.
 */
static void dpl_sync(struct device *dev, const struct phys_list *pl,
		     struct dma_phys_map *map, bool for_cpu)
{
	struct pci_p2pdma_map_state p2p = {};
	bool iova = dma_use_iova(&map->state);
	struct phys_list_iter pi;
	struct dma_list_iter di;
	enum dpl_kind kind;
	phys_addr_t phys;
	dma_addr_t addr;
	u64 len, dlen;

	if (map->attrs & DMA_ATTR_SKIP_CPU_SYNC)
		return;
	if (iova ? dev_is_dma_coherent(dev) : !dma_dev_need_sync(dev))
		return;

	dma_list_iter_init(&di, &map->dl);
	phys_list_for_each(pl, &pi, phys, len) {
		if (dpl_classify(dev, &p2p, phys, len, &kind))
			return;
		if (iova) {
			if (kind != DPL_RAM)
				continue;
			if (for_cpu)
				arch_sync_dma_for_cpu(phys, len, map->dir);
			else
				arch_sync_dma_for_device(phys, len, map->dir);
			continue;
		}
		if (!dma_list_iter_next(&di, &addr, &dlen))
			return;
		if (kind != DPL_RAM)
			continue;
		if (for_cpu)
			dma_sync_single_for_cpu(dev, addr, len, map->dir);
		else
			dma_sync_single_for_device(dev, addr, len, map->dir);
	}
	if (iova && for_cpu)
		arch_sync_dma_for_cpu_all();
}

/**
 * dma_sync_phys_list_for_cpu() - give a mapped list back to the CPU
 * @dev: device passed to dma_map_phys_list()
 * @pl: list passed to dma_map_phys_list()
 * @map: the mapping
 *
 * Needed only on non-coherent paths, between device access and CPU access;
 * a no-op for coherent devices, for P2P memory and for mappings made with
 * DMA_ATTR_SKIP_CPU_SYNC.
 *
 * Context: Any context.
 */
void dma_sync_phys_list_for_cpu(struct device *dev, const struct phys_list *pl,
				struct dma_phys_map *map)
{
	dpl_sync(dev, pl, map, true);
}
EXPORT_SYMBOL_GPL(dma_sync_phys_list_for_cpu);

/**
 * dma_sync_phys_list_for_device() - give a mapped list back to the device
 * @dev: device passed to dma_map_phys_list()
 * @pl: list passed to dma_map_phys_list()
 * @map: the mapping
 *
 * The counterpart of dma_sync_phys_list_for_cpu(), called after the CPU
 * touched the memory and before the device uses it again.
 *
 * Context: Any context.
 */
void dma_sync_phys_list_for_device(struct device *dev,
				   const struct phys_list *pl,
				   struct dma_phys_map *map)
{
	dpl_sync(dev, pl, map, false);
}
EXPORT_SYMBOL_GPL(dma_sync_phys_list_for_device);

/**
 * dma_unmap_phys_list() - undo dma_map_phys_list()
 * @dev: device passed to dma_map_phys_list()
 * @pl: list passed to dma_map_phys_list()
 * @map: the mapping; zeroed afterwards
 *
 * CPU caches are synced for the RAM ranges unless the mapping was made
 * with DMA_ATTR_SKIP_CPU_SYNC; IOVA space may be released through the
 * IOMMU flush queue.
 *
 * Context: Process context.
 */
void dma_unmap_phys_list(struct device *dev, const struct phys_list *pl,
			 struct dma_phys_map *map)
{
	if (dma_use_iova(&map->state)) {
		dpl_sync(dev, pl, map, true);
		dma_iova_destroy(dev, &map->state, map->iova_linked, map->dir,
				 map->attrs | DMA_ATTR_SKIP_CPU_SYNC);
	} else {
		dpl_unmap_direct(dev, pl, map, ULONG_MAX);
	}
	dma_list_free(&map->dl);
	memset(map, 0, sizeof(*map));
}
EXPORT_SYMBOL_GPL(dma_unmap_phys_list);
