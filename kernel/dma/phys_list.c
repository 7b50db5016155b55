// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map a physical range list for a device.
 *
 * Every range is classified once, before anything is mapped: RAM, PCI
 * peer-to-peer memory reached by bus address, P2P memory reached through
 * the host bridge, or refused.  The kinds are kept in the mapping as
 * run-length encoded words, so that sync and unmap never ask pci_p2pdma
 * again (its provider may be gone by then) and a list of one kind costs
 * one word.
 *
 * With an IOMMU DMA domain the whole list goes into one IOVA range and
 * is made visible with a single flush.  As mainline's dma_iova_link()
 * demands, only the first linked range may start inside an IOMMU page:
 * every later range goes to a page-aligned slot, linked from the start of
 * its first page, and page-aligned neighbours are packed back to back (so
 * a list of whole pages becomes one run of DMA addresses).  Without one
 * (or when the device must bounce) every range is mapped on its own with
 * dma_map_phys(), in pieces no larger than dma_max_mapping_size() and
 * within the device's segment boundary.
 *
 * Either way the DMA list is built with the device's segment limits
 * (dma_get_max_seg_size(), dma_get_seg_boundary()), so a driver can
 * program every entry as it is.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-phys-list.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/iommu-dma.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>
#include <linux/slab.h>

/* A run word: the kind in the low bits, the number of ranges above */
#define DPL_KIND_BITS	2
#define DPL_KIND_MASK	((1U << DPL_KIND_BITS) - 1)
#define DPL_RUN_MAX	(U32_MAX >> DPL_KIND_BITS)

/* Highest address @dev can generate without translation. */
static u64 dpl_dma_limit(struct device *dev)
{
	return min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
}

static u32 *dpl_runs(struct dma_phys_map *map)
{
	return map->runs ? map->runs : &map->run0;
}

/* Append the kind of the next range to the run-length record. */
static int dpl_record(struct dma_phys_map *map, enum dma_phys_kind kind)
{
	u32 *runs = dpl_runs(map), *grown;

	if (map->nr_runs) {
		u32 *last = &runs[map->nr_runs - 1];

		if ((*last & DPL_KIND_MASK) == kind &&
		    (*last >> DPL_KIND_BITS) < DPL_RUN_MAX) {
			*last += 1U << DPL_KIND_BITS;
			return 0;
		}
	}
	/* The first run lives in @run0, later ones in an array */
	if (map->nr_runs == (map->runs ? map->max_runs : 1)) {
		unsigned int n = map->runs ? map->max_runs * 2 : 8;

		grown = krealloc_array(map->runs, n, sizeof(*grown),
				       GFP_KERNEL);
		if (!grown)
			return -ENOMEM;
		if (!map->runs)
			grown[0] = map->run0;
		map->runs = grown;
		map->max_runs = n;
		runs = grown;
	}
	runs[map->nr_runs++] = (1U << DPL_KIND_BITS) | kind;
	return 0;
}

/* Walks the recorded kinds in list order. */
struct dpl_kinds {
	const u32 *run;
	u32 left;
};

static void dpl_kinds_init(struct dpl_kinds *k, struct dma_phys_map *map)
{
	k->run = dpl_runs(map);
	k->left = map->nr_runs ? *k->run >> DPL_KIND_BITS : 0;
}

static enum dma_phys_kind dpl_kinds_next(struct dpl_kinds *k)
{
	if (!k->left) {
		k->run++;
		k->left = *k->run >> DPL_KIND_BITS;
	}
	k->left--;
	return *k->run & DPL_KIND_MASK;
}

/**
 * dma_phys_map_kind() - how one range of a mapped list was mapped
 * @map: a mapping made by dma_map_phys_list()
 * @index: index of the range in the physical range list
 *
 * Context: Any context.
 * Return: the kind recorded at map time, or DMA_PHYS_RAM for an index
 * past the end.
 */
enum dma_phys_kind dma_phys_map_kind(struct dma_phys_map *map,
				     unsigned long index)
{
	const u32 *runs = dpl_runs(map);
	unsigned int i;

	for (i = 0; i < map->nr_runs; i++) {
		if (index < runs[i] >> DPL_KIND_BITS)
			return runs[i] & DPL_KIND_MASK;
		index -= runs[i] >> DPL_KIND_BITS;
	}
	return DMA_PHYS_RAM;
}
EXPORT_SYMBOL_GPL(dma_phys_map_kind);

/* Does the provider the caller named own all of this range? */
static bool dpl_in_provider(struct p2pdma_provider *provider,
			    phys_addr_t phys, u64 len)
{
	return provider && pci_p2pdma_provider_contains(provider, phys, len);
}

/*
 * RAM, or P2P memory reached by bus address or through the host bridge.
 * A range in the BAR of the provider the caller named is that provider's
 * memory, whether or not its pfns are pfn_valid() (on sparsemem a BAR
 * sharing a memory section with RAM has valid pfns, and memremap_pages()
 * gives some BARs struct pages that are not P2P pages).  Other P2P memory
 * is ZONE_DEVICE pages of a pci_p2pdma provider; anything else without
 * struct page is refused.  @p2p caches the answer per provider of pages,
 * @bar_map the one for the named provider.
 */
static int dpl_classify(struct device *dev, struct pci_p2pdma_map_state *p2p,
			struct p2pdma_provider *provider,
			enum pci_p2pdma_map_type *bar_map,
			phys_addr_t phys, u64 len, enum dma_phys_kind *kind,
			struct p2pdma_provider **mem)
{
	unsigned long pfn = PHYS_PFN(phys), last = PHYS_PFN(phys + len - 1);
	enum pci_p2pdma_map_type type;
	struct page *first, *end;

	if (dpl_in_provider(provider, phys, len)) {
		if (*bar_map == PCI_P2PDMA_MAP_UNKNOWN)
			*bar_map = pci_p2pdma_map_type(provider, dev);
		type = *bar_map;
		*mem = provider;
	} else if (!pfn_valid(pfn)) {
		return -EREMOTEIO;
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
		type = pci_p2pdma_state(p2p, dev, first);
		if (type == PCI_P2PDMA_MAP_NONE) {
			*kind = DMA_PHYS_RAM;
			return 0;
		}
		*mem = p2p->mem;
	}

	switch (type) {
	case PCI_P2PDMA_MAP_BUS_ADDR:
		if (pci_p2pdma_bus_addr_map(*mem, phys + len - 1) >
		    dpl_dma_limit(dev))
			return -EREMOTEIO;
		*kind = DMA_PHYS_P2P_BUS;
		return 0;
	case PCI_P2PDMA_MAP_THRU_HOST_BRIDGE:
		*kind = DMA_PHYS_P2P_HOST_BRIDGE;
		return 0;
	default:
		return -EREMOTEIO;
	}
}

/*
 * Bus address of a range classified DMA_PHYS_P2P_BUS, still within
 * dma_map_phys_list(): its provider is valid.
 */
static dma_addr_t dpl_bus_addr(struct device *dev,
			       struct pci_p2pdma_map_state *p2p,
			       struct p2pdma_provider *provider,
			       phys_addr_t phys, u64 len)
{
	if (!dpl_in_provider(provider, phys, len)) {
		pci_p2pdma_state(p2p, dev, pfn_to_page(PHYS_PFN(phys)));
		provider = p2p->mem;
	}
	return pci_p2pdma_bus_addr_map(provider, phys);
}

/* Host-bridge P2P memory is device memory: MMIO, never CPU-synced. */
static unsigned long dpl_attrs(struct dma_phys_map *map,
			       enum dma_phys_kind kind)
{
	if (kind == DMA_PHYS_P2P_HOST_BRIDGE)
		return map->attrs | DMA_ATTR_MMIO | DMA_ATTR_SKIP_CPU_SYNC;
	return map->attrs;
}

/*
 * Length of the piece of a range at @phys that the per-range path hands
 * to dma_map_phys() at once: no more than a bounce buffer can take, and
 * not across the device's segment boundary, which swiotlb cannot bounce
 * across either.
 */
static u64 dpl_piece_len(struct device *dev, enum dma_phys_kind kind,
			 phys_addr_t phys, u64 len)
{
	u64 boundary = dma_get_seg_boundary(dev);

	if (kind == DMA_PHYS_RAM)
		len = min_t(u64, len, dma_max_mapping_size(dev));
	if (boundary != U64_MAX)
		len = min(len, boundary - (phys & boundary) + 1);
	return min_t(u64, len, SIZE_MAX);
}

typedef void (*dpl_piece_fn)(struct device *dev, struct dma_phys_map *map,
			     enum dma_phys_kind kind, dma_addr_t addr,
			     u64 len);

static void dpl_walk_pieces(struct device *dev, const struct phys_list *pl,
			    struct dma_phys_map *map, u64 nr, dpl_piece_fn fn)
{
	struct phys_list_iter pi;
	struct dma_list_iter di;
	struct dpl_kinds k;
	u64 len, off = 0, piece, dlen;
	enum dma_phys_kind kind;
	phys_addr_t phys;
	dma_addr_t addr;

	dma_list_iter_init(&di, &map->dl);
	dpl_kinds_init(&k, map);
	phys_list_for_each(pl, &pi, phys, len) {
		kind = dpl_kinds_next(&k);
		while (len && off < nr) {
			piece = kind == DMA_PHYS_P2P_BUS ? len :
				dpl_piece_len(dev, kind, phys, len);
			if (dma_list_iter_seek(&di, off, piece) ||
			    !dma_list_iter_next(&di, &addr, &dlen))
				return;
			fn(dev, map, kind, addr, piece);
			off += piece;
			phys += piece;
			len -= piece;
		}
		if (off >= nr)
			return;
	}
}

static void dpl_unmap_piece(struct device *dev, struct dma_phys_map *map,
			    enum dma_phys_kind kind, dma_addr_t addr, u64 len)
{
	if (kind != DMA_PHYS_P2P_BUS)
		dma_unmap_phys(dev, addr, len, map->dir, dpl_attrs(map, kind));
}

static int dpl_map_direct(struct device *dev, const struct phys_list *pl,
			  struct p2pdma_provider *provider,
			  struct dma_phys_map *map)
{
	struct pci_p2pdma_map_state p2p = {};
	struct phys_list_iter pi;
	u64 len, piece, mapped = 0;
	enum dma_phys_kind kind;
	struct dpl_kinds k;
	phys_addr_t phys;
	dma_addr_t addr;
	int ret = 0;

	dpl_kinds_init(&k, map);
	phys_list_for_each(pl, &pi, phys, len) {
		kind = dpl_kinds_next(&k);
		if (kind == DMA_PHYS_P2P_BUS) {
			ret = dma_list_append(&map->dl,
					      dpl_bus_addr(dev, &p2p, provider,
							   phys, len),
					      len, GFP_KERNEL);
			if (ret)
				goto err;
			mapped += len;
			continue;
		}
		/* dma-direct cannot bounce a BAR: refuse, don't warn */
		if (kind == DMA_PHYS_P2P_HOST_BRIDGE && !use_dma_iommu(dev) &&
		    !dma_capable(dev, phys_to_dma(dev, phys), len, false)) {
			ret = -EREMOTEIO;
			goto err;
		}
		while (len) {
			piece = dpl_piece_len(dev, kind, phys, len);
			addr = dma_map_phys(dev, phys, piece, map->dir,
					    dpl_attrs(map, kind));
			if (dma_mapping_error(dev, addr)) {
				ret = -EIO;
				goto err;
			}
			ret = dma_list_append(&map->dl, addr, piece, GFP_KERNEL);
			if (ret) {
				dpl_unmap_piece(dev, map, kind, addr, piece);
				goto err;
			}
			mapped += piece;
			phys += piece;
			len -= piece;
		}
	}
	return 0;

err:
	dpl_walk_pieces(dev, pl, map, mapped, dpl_unmap_piece);
	return ret;
}

/*
 * Offset from the start of the IOVA range at which a range starting at
 * @phys is linked, given that the ranges linked so far end at @cursor.
 * The first link keeps the in-page offset of dma_iova_try_alloc()'s
 * address (@pad0); later links start on a page boundary of the IOVA
 * range, packed right after the previous one when both meet at a page
 * boundary.  *@pad gets the bytes of the range's first page before @phys
 * that a later link covers too: it is linked from the page's start.
 */
static u64 dpl_slot(u64 cursor, bool first, phys_addr_t phys, u64 pad0,
		    u64 mask, u64 *pad)
{
	if (first) {
		*pad = 0;
		return 0;
	}
	*pad = phys & mask;
	return ALIGN(cursor + pad0, mask + 1) - pad0;
}

/*
 * First pass: classify and record every range, and size the IOVA range
 * for the ranges that need one.  Returns the size, 0 if no range needs
 * an IOVA, and the first linked range's address in @first_phys.
 */
static int dpl_classify_all(struct device *dev, const struct phys_list *pl,
			    struct p2pdma_provider *provider,
			    struct dma_phys_map *map, u64 mask, u64 *size,
			    phys_addr_t *first_phys)
{
	enum pci_p2pdma_map_type bar_map = PCI_P2PDMA_MAP_UNKNOWN;
	struct pci_p2pdma_map_state p2p = {};
	u64 len, pad, cursor = 0, pad0 = 0;
	struct p2pdma_provider *mem;
	struct phys_list_iter pi;
	enum dma_phys_kind kind;
	bool first = true;
	phys_addr_t phys;
	int ret;

	phys_list_for_each(pl, &pi, phys, len) {
		ret = dpl_classify(dev, &p2p, provider, &bar_map, phys, len,
				   &kind, &mem);
		if (!ret)
			ret = dpl_record(map, kind);
		if (ret)
			return ret;
		if (kind == DMA_PHYS_P2P_BUS) {
			map->nr_bus++;
			continue;
		}
		if (kind == DMA_PHYS_P2P_HOST_BRIDGE)
			map->nr_host_bridge++;
		if (!mask)
			continue;
		if (first) {
			pad0 = phys & mask;
			*first_phys = phys;
		}
		cursor = dpl_slot(cursor, first, phys, pad0, mask, &pad) +
			 pad + len;
		first = false;
	}
	*size = cursor;
	return 0;
}

static int dpl_map_iova(struct device *dev, const struct phys_list *pl,
			struct p2pdma_provider *provider,
			struct dma_phys_map *map, u64 mask)
{
	struct pci_p2pdma_map_state p2p = {};
	u64 len, off, pad, pad0, cursor = 0, run_len = 0;
	dma_addr_t addr, run = 0;
	struct phys_list_iter pi;
	enum dma_phys_kind kind;
	struct dpl_kinds k;
	bool first = true;
	phys_addr_t phys;
	int ret;

	pad0 = map->state.addr & mask;
	dpl_kinds_init(&k, map);
	phys_list_for_each(pl, &pi, phys, len) {
		kind = dpl_kinds_next(&k);
		if (kind == DMA_PHYS_P2P_BUS) {
			addr = dpl_bus_addr(dev, &p2p, provider, phys, len);
		} else {
			off = dpl_slot(cursor, first, phys, pad0, mask, &pad);
			ret = dma_iova_link(dev, &map->state, phys - pad, off,
					    len + pad, map->dir,
					    dpl_attrs(map, kind));
			if (ret)
				goto err;
			cursor = off + pad + len;
			map->iova_linked = cursor;
			addr = map->state.addr + off + pad;
			first = false;
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

	ret = dma_iova_sync(dev, &map->state, 0, map->iova_linked);
	if (ret)
		goto err;
	return 0;

err:
	/* The device never saw these addresses: no CPU sync needed */
	dma_iova_destroy(dev, &map->state, map->iova_linked, map->dir,
			 map->attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return ret;
}

static void dpl_free_record(struct dma_phys_map *map)
{
	kfree(map->runs);
}

/**
 * dma_map_phys_list() - map a physical range list for a device
 * @dev: device that will access the memory
 * @pl: the CPU physical ranges; must stay unchanged until unmapped
 * @provider: P2P provider of the ranges without struct page, from
 *	pcim_p2pdma_provider() of the exporting driver, or NULL if there
 *	are none
 * @dir: direction of the transfers
 * @attrs: DMA_ATTR_* flags, applied to every range
 * @map: filled in with the DMA ranges and what is needed to undo them
 *
 * Maps every range of @pl so that @dev can reach it and stores the device
 * addresses, in the same order, in @map->dl, split and merged to suit the
 * device's maximum segment size and segment boundary.  When @dev is
 * behind an IOMMU DMA domain all ranges that need translation share one
 * IOVA range and one IOTLB flush, and page-aligned neighbours come out as
 * one run of addresses; otherwise each range is mapped on its own, in
 * pieces no larger than dma_max_mapping_size() and within the device's
 * segment boundary.
 *
 * Ranges in PCI P2P memory are classified against @dev: a PCI bus address
 * is used as is, memory reached through the host bridge is mapped with
 * DMA_ATTR_MMIO, and memory @dev cannot reach makes the call fail.  A
 * range that lies in @provider's BAR is classified by @provider, even if
 * its pfns are pfn_valid(); any other range without struct page is
 * refused.  The decision is recorded in
 * @map (see dma_phys_map_kind()) and never taken again: @provider need
 * only stay valid until this call returns, but the memory it describes
 * must stay until dma_unmap_phys_list().  On failure nothing stays mapped.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL for an empty list, a bad direction or a
 * range mixing RAM and P2P memory; -EREMOTEIO for a range @dev cannot
 * reach or whose provider is unknown; -EIO if a mapping failed; -ENOMEM;
 * or an errno of dma_iova_link().
 */
int dma_map_phys_list(struct device *dev, const struct phys_list *pl,
		      struct p2pdma_provider *provider,
		      enum dma_data_direction dir, unsigned long attrs,
		      struct dma_phys_map *map)
{
	const struct range_list_cfg cfg = {
		.max_segment = dma_get_max_seg_size(dev),
		.seg_boundary = dma_get_seg_boundary(dev),
		.coalesce = true,
	};
	u64 mask = dma_get_merge_boundary(dev);
	phys_addr_t first_phys = 0;
	u64 size = 0;
	int ret;

	might_sleep();
	memset(map, 0, sizeof(*map));
	map->dir = dir;
	map->attrs = attrs;
	if (!phys_list_count(pl) || !valid_dma_direction(dir))
		return -EINVAL;

	ret = dpl_classify_all(dev, pl, provider, map, mask, &size,
			       &first_phys);
	if (!ret)
		ret = dma_list_init(&map->dl, &cfg);
	if (ret)
		goto err;

	if (size && size <= SIZE_MAX &&
	    dma_iova_try_alloc(dev, &map->state, first_phys, size))
		ret = dpl_map_iova(dev, pl, provider, map, mask);
	else
		ret = dpl_map_direct(dev, pl, provider, map);
	if (ret)
		goto err;
	return 0;

err:
	dma_list_free(&map->dl);
	dpl_free_record(map);
	memset(map, 0, sizeof(*map));
	return ret;
}
EXPORT_SYMBOL_GPL(dma_map_phys_list);

static void dpl_sync_piece_for_cpu(struct device *dev, struct dma_phys_map *map,
				   enum dma_phys_kind kind, dma_addr_t addr,
				   u64 len)
{
	if (kind == DMA_PHYS_RAM)
		dma_sync_single_for_cpu(dev, addr, len, map->dir);
}

static void dpl_sync_piece_for_device(struct device *dev,
				      struct dma_phys_map *map,
				      enum dma_phys_kind kind, dma_addr_t addr,
				      u64 len)
{
	if (kind == DMA_PHYS_RAM)
		dma_sync_single_for_device(dev, addr, len, map->dir);
}

/*
 * Sync the RAM ranges of a mapping, one direction, by the kinds recorded
 * at map time.  Linked IOVA ranges are synced by physical address: they
 * were never bounced, and the single-range sync calls only know about
 * single-range mappings.
 *
 * DMA_ATTR_SKIP_CPU_SYNC does not matter here: as in the streaming DMA
 * API it only spares the syncs that map and unmap would do, never one the
 * caller asks for.
 */
static void dpl_sync(struct device *dev, const struct phys_list *pl,
		     struct dma_phys_map *map, bool for_cpu)
{
	struct phys_list_iter pi;
	struct dpl_kinds k;
	phys_addr_t phys;
	u64 len;

	if (!dma_use_iova(&map->state)) {
		if (dma_dev_need_sync(dev))
			dpl_walk_pieces(dev, pl, map, U64_MAX,
					for_cpu ? dpl_sync_piece_for_cpu :
					dpl_sync_piece_for_device);
		return;
	}
	if (dev_is_dma_coherent(dev))
		return;

	dpl_kinds_init(&k, map);
	phys_list_for_each(pl, &pi, phys, len) {
		if (dpl_kinds_next(&k) != DMA_PHYS_RAM)
			continue;
		if (for_cpu)
			arch_sync_dma_for_cpu(phys, len, map->dir);
		else
			arch_sync_dma_for_device(phys, len, map->dir);
	}
	if (for_cpu)
		arch_sync_dma_for_cpu_all();
}

/**
 * dma_sync_phys_list_for_cpu() - give a mapped list back to the CPU
 * @dev: device passed to dma_map_phys_list()
 * @pl: list passed to dma_map_phys_list()
 * @map: the mapping
 *
 * Needed only on non-coherent or bouncing paths, between device access
 * and CPU access; touches the RAM ranges only, as recorded at map time.
 * Mappings made with DMA_ATTR_SKIP_CPU_SYNC are synced too: that
 * attribute only skips the syncs of dma_map_phys_list() and
 * dma_unmap_phys_list().
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
 * touched the memory and before the device uses it again; it syncs
 * mappings made with DMA_ATTR_SKIP_CPU_SYNC too.
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

/*
 * Undo a mapping.  With @strict, the IOTLB is invalidated before this
 * returns: the IOVA range is unlinked (one synchronous flush) and freed at
 * once instead of going through the flush queue, and per-range mappings
 * behind an IOMMU, which dma_unmap_phys() may leave to the flush queue,
 * are followed by a flush of the whole domain.
 */
static void dpl_unmap(struct device *dev, const struct phys_list *pl,
		      struct dma_phys_map *map, bool strict)
{
	unsigned long attrs = map->attrs | DMA_ATTR_SKIP_CPU_SYNC;

	if (dma_use_iova(&map->state)) {
		if (!(map->attrs & DMA_ATTR_SKIP_CPU_SYNC))
			dpl_sync(dev, pl, map, true);
		if (strict) {
			dma_iova_unlink(dev, &map->state, 0, map->iova_linked,
					map->dir, attrs);
			dma_iova_free(dev, &map->state);
		} else {
			dma_iova_destroy(dev, &map->state, map->iova_linked,
					 map->dir, attrs);
		}
	} else {
		dpl_walk_pieces(dev, pl, map, U64_MAX, dpl_unmap_piece);
		if (strict && use_dma_iommu(dev))
			iommu_flush_iotlb_all(iommu_get_domain_for_dev(dev));
	}
	dma_list_free(&map->dl);
	dpl_free_record(map);
	memset(map, 0, sizeof(*map));
}

/**
 * dma_unmap_phys_list() - undo dma_map_phys_list()
 * @dev: device passed to dma_map_phys_list()
 * @pl: list passed to dma_map_phys_list()
 * @map: the mapping; zeroed afterwards
 *
 * Every range is undone as recorded at map time, whatever happened to
 * its P2P provider since.  CPU caches are synced for the RAM ranges
 * unless the mapping was made with DMA_ATTR_SKIP_CPU_SYNC.  On an IOMMU
 * domain in lazy mode the IOTLB invalidation and the release of the IOVA
 * space may be deferred through the flush queue: the device may still
 * reach the memory for a short while after this returns.  Use
 * dma_unmap_phys_list_strict() when the memory goes away right after.
 *
 * Context: Process context.
 */
void dma_unmap_phys_list(struct device *dev, const struct phys_list *pl,
			 struct dma_phys_map *map)
{
	dpl_unmap(dev, pl, map, false);
}
EXPORT_SYMBOL_GPL(dma_unmap_phys_list);

/**
 * dma_unmap_phys_list_strict() - undo dma_map_phys_list() at once
 * @dev: device passed to dma_map_phys_list()
 * @pl: list passed to dma_map_phys_list()
 * @map: the mapping; zeroed afterwards
 *
 * Like dma_unmap_phys_list(), but when it returns the IOMMU's IOTLB no
 * longer holds any translation of the mapping, whatever the domain's
 * flush policy: no device can reach the memory through it any more.  For
 * memory that is taken away from the device for good, such as a revoked
 * dma-buf whose exporter releases the memory right after.  It costs a
 * synchronous invalidation per call where dma_unmap_phys_list() may batch
 * them.
 *
 * Context: Process context.
 */
void dma_unmap_phys_list_strict(struct device *dev, const struct phys_list *pl,
				struct dma_phys_map *map)
{
	dpl_unmap(dev, pl, map, true);
}
EXPORT_SYMBOL_GPL(dma_unmap_phys_list_strict);
