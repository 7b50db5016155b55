// SPDX-License-Identifier: GPL-2.0-only
/*
 * Map a physical range list for a device.
 *
 * The list is walked once: each range is classified (RAM, PCI
 * peer-to-peer memory reached by bus address, P2P memory reached through
 * the host bridge, or refused), then mapped and appended to the DMA list
 * before the next one is read; a refusal undoes what was mapped.  The
 * kinds are kept in the mapping as run-length encoded words, so that
 * sync and unmap never ask pci_p2pdma again (its provider may be gone by
 * then) and a list of one kind costs one word.  RAM in memory sections
 * that hold no ZONE_DEVICE pages is told apart without reading its
 * struct pages.
 *
 * With an IOMMU DMA domain the whole list goes into one IOVA range and
 * is made visible with a single flush.  The range is sized before the
 * walk as if every range needed one (an upper bound: ranges used by PCI
 * bus address take none); sizing reads only the list.  As mainline's
 * dma_iova_link() demands, only the first range may start inside an IOMMU
 * page: every later range goes to a page-aligned slot, linked from the
 * start of its first page, and page-aligned neighbours are packed back to
 * back (so a list of whole pages becomes one run of DMA addresses).  Without one
 * (or when the device must bounce) every range is mapped on its own, in
 * pieces no larger than dma_max_mapping_size() and within the device's
 * segment boundary: with dma_map_phys(), or, for RAM and a device without
 * dma_map_ops that is not forced to bounce, with dma-direct called in
 * line, the pieces appended to the DMA list in batches.
 *
 * Either way the DMA list hands out entries within the device's segment
 * limits (dma_get_max_seg_size(), dma_get_seg_boundary()), so a driver can
 * program every entry as it is.  It stores an IOVA run as one entry and
 * splits it as it is read (split_on_read), so the list costs no more for
 * a 64 MiB run than for a 64 KiB one.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-phys-list.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/iommu-dma.h>
#include <linux/jump_label.h>
#include <linux/kmsan.h>
#include <linux/ktime.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <trace/events/dma.h>

#include "debug.h"
#include "direct.h"

/* A run word: the kind in the low bits, the number of ranges above */
#define DPL_KIND_BITS	2
#define DPL_KIND_MASK	((1U << DPL_KIND_BITS) - 1)
#define DPL_RUN_MAX	(U32_MAX >> DPL_KIND_BITS)

#ifdef CONFIG_DMA_PHYS_LIST_PROFILE
/*
 * Phase timers for benchmarks: off unless a profile is being collected,
 * then every call on every CPU adds to it (callers measure on an idle
 * system).  A disabled static branch costs nothing on the mapping path.
 * Clock reads are far too slow to time each range (under QEMU's TCG a
 * pair costs more than classifying a page), so only whole phases are
 * timed; classification is timed by a separate pass over the list, made
 * only while profiling, and subtracted from the walk.
 */
static DEFINE_STATIC_KEY_FALSE(dpl_prof_on);
static struct dma_phys_list_profile *dpl_prof;

static bool dpl_profiling(void)
{
	return static_branch_unlikely(&dpl_prof_on);
}

static u64 dpl_prof_begin(void)
{
	return static_branch_unlikely(&dpl_prof_on) ? ktime_get_ns() : 0;
}

/* Add the time since @t to @phase; returns now, to start the next one. */
static u64 dpl_prof_end(enum dma_phys_list_phase phase, u64 t)
{
	u64 now;

	if (!static_branch_unlikely(&dpl_prof_on))
		return 0;
	now = ktime_get_ns();
	dpl_prof->ns[phase] += now - t;
	return now;
}

/**
 * dma_phys_list_profile_start() - time the phases of every mapping
 * @prof: receives the time spent in each phase, in nanoseconds; zeroed
 *	here and added to until dma_phys_list_profile_stop()
 *
 * For benchmarks: the timers run on every dma_map_phys_list() and
 * dma_unmap_phys_list() call in the system, add a classification pass to
 * every map, and only one profile can be collected at a time.
 *
 * Context: Process context, with no mapping call in flight.
 * Return: 0, or -EBUSY if a profile is already being collected.
 */
int dma_phys_list_profile_start(struct dma_phys_list_profile *prof)
{
	if (static_key_enabled(&dpl_prof_on))
		return -EBUSY;
	memset(prof, 0, sizeof(*prof));
	dpl_prof = prof;
	static_branch_enable(&dpl_prof_on);
	return 0;
}
EXPORT_SYMBOL_GPL(dma_phys_list_profile_start);

/**
 * dma_phys_list_profile_stop() - stop the phase timers
 *
 * Context: Process context, with no mapping call in flight.
 */
void dma_phys_list_profile_stop(void)
{
	static_branch_disable(&dpl_prof_on);
	dpl_prof = NULL;
}
EXPORT_SYMBOL_GPL(dma_phys_list_profile_stop);
#else
static inline bool dpl_profiling(void)
{
	return false;
}

static inline u64 dpl_prof_begin(void)
{
	return 0;
}

static inline u64 dpl_prof_end(enum dma_phys_list_phase phase, u64 t)
{
	return 0;
}
#endif /* CONFIG_DMA_PHYS_LIST_PROFILE */

/* Highest address @dev can generate without translation. */
static u64 dpl_dma_limit(struct device *dev)
{
	return min_not_zero(dma_get_mask(dev), dev->bus_dma_limit);
}

static u32 *dpl_runs(struct dma_phys_map *map)
{
	return map->runs ? map->runs : &map->run0;
}

/* Count one more range in the last run if it is of @kind and not full. */
static __always_inline bool dpl_record_more(struct dma_phys_map *map,
					    enum dma_phys_kind kind)
{
	u32 *last;

	if (!map->nr_runs)
		return false;
	last = &dpl_runs(map)[map->nr_runs - 1];
	if ((*last & DPL_KIND_MASK) != kind ||
	    (*last >> DPL_KIND_BITS) >= DPL_RUN_MAX)
		return false;
	*last += 1U << DPL_KIND_BITS;
	return true;
}

/* Append the kind of the next range to the run-length record. */
static int dpl_record(struct dma_phys_map *map, enum dma_phys_kind kind)
{
	u32 *runs = dpl_runs(map), *grown;

	if (dpl_record_more(map, kind))
		return 0;
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
 * One walk over a list: what the caller asked for, the device's limits
 * read once, and what classification has learnt so far.
 */
struct dpl_walk {
	struct device *dev;
	struct dma_phys_map *map;
	struct p2pdma_provider *provider;
	struct pci_p2pdma_map_state p2p;
	enum pci_p2pdma_map_type bar_map;
	unsigned long ram_section;
	u64 max_map;
	u64 boundary;
	bool no_p2p;
	bool direct_ram;
};

static void dpl_walk_init(struct dpl_walk *w, struct device *dev,
			  struct dma_phys_map *map,
			  struct p2pdma_provider *provider, bool no_p2p)
{
	*w = (struct dpl_walk) {
		.dev = dev,
		.map = map,
		.provider = provider,
		.bar_map = PCI_P2PDMA_MAP_UNKNOWN,
		.ram_section = ULONG_MAX,
		.max_map = dma_max_mapping_size(dev),
		.boundary = dma_get_seg_boundary(dev),
		.no_p2p = no_p2p,
		/* What dma_map_page_attrs() would hand to dma-direct */
		.direct_ram = dev->dma_mask && !use_dma_iommu(dev) &&
			      !get_dma_ops(dev) && !is_swiotlb_force_bounce(dev),
	};
}

/*
 * Is @pfn ordinary memory, without reading its struct page?  A memory
 * section that is online and not tainted by ZONE_DEVICE holds no device
 * pages (the rule pfn_to_online_page() relies on), so no P2P pages.  The
 * last such section is remembered if it is one of the boot memory map,
 * whose pfns are all valid (pfn_valid() asks no more of an early
 * section): a list of scattered pages then costs one comparison per page
 * in the common case.  False means "look at the page".
 */
static __always_inline bool dpl_plain_ram(struct dpl_walk *w,
					  unsigned long pfn)
{
#ifdef CONFIG_SPARSEMEM
	unsigned long nr = pfn_to_section_nr(pfn);
	struct mem_section *ms;

	if (nr == w->ram_section)
		return true;
	if (!pfn_valid(pfn))
		return false;
	ms = __nr_to_section(nr);
	if (!online_section(ms) || online_device_section(ms))
		return false;
	if (early_section(ms))
		w->ram_section = nr;
	return true;
#else
	return false;
#endif
}

/*
 * RAM, or P2P memory reached by bus address or through the host bridge.
 * A range in the BAR of the provider the caller named is that provider's
 * memory, whether or not its pfns are pfn_valid() (on sparsemem a BAR
 * sharing a memory section with RAM has valid pfns, and memremap_pages()
 * gives some BARs struct pages that are not P2P pages).  Other P2P memory
 * is ZONE_DEVICE pages of a pci_p2pdma provider; anything else without
 * struct page is refused, and so is any P2P memory when the caller asked
 * for none.  @w caches the answer per provider of pages and for the named
 * provider.
 */
static int dpl_classify(struct dpl_walk *w, phys_addr_t phys, u64 len,
			enum dma_phys_kind *kind, struct p2pdma_provider **mem)
{
	unsigned long pfn = PHYS_PFN(phys), last = PHYS_PFN(phys + len - 1);
	enum pci_p2pdma_map_type type;
	struct page *first, *end;

	if (dpl_in_provider(w->provider, phys, len)) {
		if (w->no_p2p)
			return -EREMOTEIO;
		if (w->bar_map == PCI_P2PDMA_MAP_UNKNOWN)
			w->bar_map = pci_p2pdma_map_type(w->provider, w->dev);
		type = w->bar_map;
		*mem = w->provider;
	} else if (dpl_plain_ram(w, pfn) &&
		   (last == pfn || dpl_plain_ram(w, last))) {
		*kind = DMA_PHYS_RAM;
		return 0;
	} else if (pfn_valid(pfn)) {
		first = pfn_to_page(pfn);
		if (w->no_p2p && is_pci_p2pdma_page(first))
			return -EREMOTEIO;
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
		type = pci_p2pdma_state(&w->p2p, w->dev, first);
		if (type == PCI_P2PDMA_MAP_NONE) {
			*kind = DMA_PHYS_RAM;
			return 0;
		}
		*mem = w->p2p.mem;
	} else {
		return -EREMOTEIO;
	}

	switch (type) {
	case PCI_P2PDMA_MAP_BUS_ADDR:
		if (pci_p2pdma_bus_addr_map(*mem, phys + len - 1) >
		    dpl_dma_limit(w->dev))
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

static noinline int dpl_next_kind_slow(struct dpl_walk *w, phys_addr_t phys,
				       u64 len, enum dma_phys_kind *kind,
				       dma_addr_t *bus_addr)
{
	struct dma_phys_map *map = w->map;
	struct p2pdma_provider *mem = NULL;
	int ret;

	ret = dpl_classify(w, phys, len, kind, &mem);
	if (!ret)
		ret = dpl_record(map, *kind);
	if (ret)
		return ret;
	if (*kind == DMA_PHYS_P2P_BUS) {
		map->nr_bus++;
		*bus_addr = pci_p2pdma_bus_addr_map(mem, phys);
	} else if (*kind == DMA_PHYS_P2P_HOST_BRIDGE) {
		map->nr_host_bridge++;
	}
	return 0;
}

/*
 * Classify the next range, record its kind and count it.  A range used
 * by PCI bus address gets its address in *@bus_addr.  RAM after RAM, the
 * common case of a list of pages, is decided here in line: under
 * emulation every call and return per page shows in the map time.
 */
static __always_inline int dpl_next_kind(struct dpl_walk *w,
					 phys_addr_t phys, u64 len,
					 enum dma_phys_kind *kind,
					 dma_addr_t *bus_addr)
{
	unsigned long pfn = PHYS_PFN(phys), last = PHYS_PFN(phys + len - 1);

	if (!w->provider && dpl_plain_ram(w, pfn) &&
	    (last == pfn || dpl_plain_ram(w, last)) &&
	    dpl_record_more(w->map, DMA_PHYS_RAM)) {
		*kind = DMA_PHYS_RAM;
		return 0;
	}
	return dpl_next_kind_slow(w, phys, len, kind, bus_addr);
}

/* Ranges batched at once by either path; small enough for the stack. */
#define DPL_BATCH	32

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
 * across either.  A range used by bus address is one piece.
 */
static u64 dpl_piece_len(struct dpl_walk *w, enum dma_phys_kind kind,
			 phys_addr_t phys, u64 len)
{
	if (kind == DMA_PHYS_P2P_BUS)
		return len;
	if (kind == DMA_PHYS_RAM)
		len = min(len, w->max_map);
	if (w->boundary != U64_MAX)
		len = min(len, w->boundary - (phys & w->boundary) + 1);
	return min_t(u64, len, SIZE_MAX);
}

/* Append to the DMA list, timed as its own phase. */
static int dpl_append(struct dma_phys_map *map, dma_addr_t addr, u64 len)
{
	u64 t = dpl_prof_begin();
	int ret;

	ret = dma_list_append(&map->dl, addr, len, GFP_KERNEL);
	dpl_prof_end(DMA_PHYS_PHASE_APPEND, t);
	return ret;
}

typedef void (*dpl_piece_fn)(struct device *dev, struct dma_phys_map *map,
			     enum dma_phys_kind kind, dma_addr_t addr,
			     u64 len);

/*
 * Call @fn for every piece of the first @nr bytes of a mapping made by
 * the per-range path, with the pieces' DMA addresses: the pieces are
 * found again from the list, the recorded kinds and the device's limits.
 */
static void dpl_walk_pieces(struct device *dev, const struct phys_list *pl,
			    struct dma_phys_map *map, u64 nr, dpl_piece_fn fn)
{
	struct phys_list_iter pi;
	struct dma_list_iter di;
	struct dpl_kinds k;
	u64 len, off = 0, piece, dlen;
	enum dma_phys_kind kind;
	struct dpl_walk w;
	phys_addr_t phys;
	dma_addr_t addr;

	dpl_walk_init(&w, dev, map, NULL, false);
	dma_list_iter_init(&di, &map->dl);
	dpl_kinds_init(&k, map);
	phys_list_for_each(pl, &pi, phys, len) {
		if (off >= nr)
			return;
		kind = dpl_kinds_next(&k);
		while (len && off < nr) {
			piece = dpl_piece_len(&w, kind, phys, len);
			if (dma_list_iter_seek(&di, off, piece) ||
			    !dma_list_iter_next(&di, &addr, &dlen))
				return;
			fn(dev, map, kind, addr, piece);
			off += piece;
			phys += piece;
			len -= piece;
		}
	}
}

static void dpl_unmap_piece(struct device *dev, struct dma_phys_map *map,
			    enum dma_phys_kind kind, dma_addr_t addr, u64 len)
{
	if (kind != DMA_PHYS_P2P_BUS)
		dma_unmap_phys(dev, addr, len, map->dir, dpl_attrs(map, kind));
}

/*
 * The per-range path's mapped RAM pieces of one length, waiting to be
 * appended with one range_list_append_array() call.  @mapped counts the
 * bytes already in the DMA list, which an error unwinds from the list;
 * the waiting pieces are unwound from here.
 */
struct dpl_direct {
	u64 addr[DPL_BATCH];
	unsigned int nr;
	u64 len;
	u64 mapped;
};

static int dpl_direct_flush(struct dpl_walk *w, struct dpl_direct *d)
{
	u64 t;
	int ret;

	if (!d->nr)
		return 0;
	t = dpl_prof_begin();
	ret = range_list_append_array(&w->map->dl.rl, d->addr, d->nr, d->len,
				      (dma_addr_t)~0ULL, GFP_KERNEL);
	dpl_prof_end(DMA_PHYS_PHASE_APPEND, t);
	if (ret)
		return ret;
	d->mapped += d->nr * d->len;
	d->nr = 0;
	return 0;
}

/* Unmap the waiting pieces: a later step failed before they were listed. */
static void dpl_direct_drop(struct dpl_walk *w, struct dpl_direct *d)
{
	struct dma_phys_map *map = w->map;

	while (d->nr)
		dma_unmap_phys(w->dev, d->addr[--d->nr], d->len, map->dir,
			       map->attrs);
}

/*
 * dma_map_page_attrs() of RAM for a device it hands to dma-direct, in
 * line: the same mapping (bounced if the device cannot reach the page),
 * sync, tracing and debug record, without two calls per page, which under
 * emulation cost more than the mapping itself.
 */
static __always_inline dma_addr_t dpl_direct_map(struct dpl_walk *w,
						 phys_addr_t phys, u64 len)
{
	struct page *page = pfn_to_page(PHYS_PFN(phys));
	unsigned long off = offset_in_page(phys);
	struct dma_phys_map *map = w->map;
	dma_addr_t addr;

	addr = dma_direct_map_page(w->dev, page, off, len, map->dir,
				   map->attrs);
	kmsan_handle_dma(page, off, len, map->dir);
	trace_dma_map_page(w->dev, phys, addr, len, map->dir, map->attrs);
	debug_dma_map_page(w->dev, page, off, len, map->dir, addr, map->attrs);
	return addr;
}

/* Map one classified range piece by piece. */
static int dpl_map_range(struct dpl_walk *w, struct dpl_direct *d,
			 enum dma_phys_kind kind, phys_addr_t phys, u64 len)
{
	struct dma_phys_map *map = w->map;
	struct device *dev = w->dev;
	dma_addr_t addr;
	u64 piece;
	int ret;

	/* dma-direct cannot bounce a BAR: refuse, don't warn */
	if (kind == DMA_PHYS_P2P_HOST_BRIDGE && !use_dma_iommu(dev) &&
	    !dma_capable(dev, phys_to_dma(dev, phys), len, false))
		return -EREMOTEIO;
	while (len) {
		piece = dpl_piece_len(w, kind, phys, len);
		if (kind == DMA_PHYS_RAM && w->direct_ram) {
			if (d->nr && (d->len != piece || d->nr == DPL_BATCH)) {
				ret = dpl_direct_flush(w, d);
				if (ret)
					return ret;
			}
			addr = dpl_direct_map(w, phys, piece);
			if (dma_mapping_error(dev, addr))
				return -EIO;
			d->addr[d->nr++] = addr;
			d->len = piece;
		} else {
			ret = dpl_direct_flush(w, d);
			if (ret)
				return ret;
			addr = dma_map_phys(dev, phys, piece, map->dir,
					    dpl_attrs(map, kind));
			if (dma_mapping_error(dev, addr))
				return -EIO;
			ret = dpl_append(map, addr, piece);
			if (ret) {
				dpl_unmap_piece(dev, map, kind, addr, piece);
				return ret;
			}
			d->mapped += piece;
		}
		phys += piece;
		len -= piece;
	}
	return 0;
}

/* The per-range path: no IOVA range, or none could be had. */
static int dpl_map_direct(struct dpl_walk *w, const struct phys_list *pl)
{
	struct dma_phys_map *map = w->map;
	struct phys_list_iter pi;
	enum dma_phys_kind kind;
	struct dpl_direct d;
	dma_addr_t bus = 0;
	phys_addr_t phys;
	int ret = 0;
	u64 len;

	d.nr = 0;
	d.mapped = 0;
	phys_list_for_each(pl, &pi, phys, len) {
		ret = dpl_next_kind(w, phys, len, &kind, &bus);
		if (ret)
			goto err;
		if (kind == DMA_PHYS_P2P_BUS) {
			ret = dpl_direct_flush(w, &d);
			if (!ret)
				ret = dpl_append(map, bus, len);
			if (ret)
				goto err;
			d.mapped += len;
			continue;
		}
		ret = dpl_map_range(w, &d, kind, phys, len);
		if (ret)
			goto err;
	}
	ret = dpl_direct_flush(w, &d);
	if (!ret)
		return 0;

err:
	/* The device never saw these addresses: no CPU sync needed */
	map->attrs |= DMA_ATTR_SKIP_CPU_SYNC;
	dpl_direct_drop(w, &d);
	dpl_walk_pieces(w->dev, pl, map, d.mapped, dpl_unmap_piece);
	return ret;
}

/*
 * Offset from the start of the IOVA range at which a range starting at
 * @phys is linked, given that the ranges linked so far end at @cursor.
 * The list's first range keeps the in-page offset of
 * dma_iova_try_alloc()'s address (@pad0); later ranges start on a page
 * boundary of the IOVA range, packed right after the previous one when
 * both meet at a page boundary.  *@pad gets the bytes of the range's
 * first page before @phys that a later link covers too: it is linked
 * from the page's start.
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
 * Size of the IOVA range for a list, from the list alone: every range
 * placed as dpl_slot() places it.  Ranges later found to be used by bus
 * address take no IOVA, and leaving one out only moves the later ones
 * down (dpl_slot() grows with @cursor), so this is an upper bound.  A
 * list of whole IOMMU pages packs back to back: its length, no walk.
 */
static u64 dpl_iova_size(const struct phys_list *pl, u64 mask)
{
	u64 len, pad, pad0 = 0, cursor = 0;
	struct phys_list_iter pi;
	bool first = true;
	phys_addr_t phys;

	if (phys_list_aligned(pl, mask + 1))
		return phys_list_len(pl);
	phys_list_for_each(pl, &pi, phys, len) {
		if (first)
			pad0 = phys & mask;
		cursor = dpl_slot(cursor, first, phys, pad0, mask, &pad) +
			 pad + len;
		first = false;
	}
	return cursor;
}

/* The first range of a list: where the IOVA range's offset comes from. */
static phys_addr_t dpl_first_phys(const struct phys_list *pl)
{
	struct phys_list_iter pi;
	phys_addr_t phys = 0;
	u64 len;

	phys_list_iter_start(&pi, pl);
	phys_list_next_entry(&pi, &phys, &len);
	return phys;
}

/*
 * Whole-page ranges of one kind waiting to be linked with one
 * dma_iova_link_ranges() call: the IOMMU driver then walks its page table
 * once per leaf table, not once per page.
 */
struct dpl_batch {
	struct phys_vec v[DPL_BATCH];
	unsigned int nr;
	enum dma_phys_kind kind;
	u64 off;
	u64 len;
};

/* Link the waiting ranges; what is linked of the IOVA range grows. */
static int dpl_batch_link(struct dpl_walk *w, struct dpl_batch *b)
{
	struct dma_phys_map *map = w->map;
	int ret;

	if (!b->nr)
		return 0;
	ret = dma_iova_link_ranges(w->dev, &map->state, b->v, b->nr, b->off,
				   map->dir, dpl_attrs(map, b->kind));
	if (ret)
		return ret;
	map->iova_linked = b->off + b->len;
	b->nr = 0;
	return 0;
}

/*
 * Link a range of @kind at @off of the IOVA range, from @pad bytes before
 * @phys: whole IOMMU pages join the batch, anything else is linked on its
 * own (after the batch, to keep what is linked one prefix of the range).
 */
static int dpl_link(struct dpl_walk *w, struct dpl_batch *b,
		    enum dma_phys_kind kind, phys_addr_t phys, u64 len,
		    u64 off, u64 pad, u64 mask)
{
	struct dma_phys_map *map = w->map;
	int ret;

	if (!((map->state.addr + off) & mask) && !((phys | len) & mask) &&
	    len <= SIZE_MAX) {
		if (b->nr && (b->kind != kind || b->nr == DPL_BATCH)) {
			ret = dpl_batch_link(w, b);
			if (ret)
				return ret;
		}
		if (!b->nr) {
			b->kind = kind;
			b->off = off;
			b->len = 0;
		}
		b->v[b->nr++] = (struct phys_vec){ .paddr = phys, .len = len };
		b->len += len;
		return 0;
	}
	ret = dpl_batch_link(w, b);
	if (ret)
		return ret;
	ret = dma_iova_link(w->dev, &map->state, phys - pad, off, len + pad,
			    map->dir, dpl_attrs(map, kind));
	if (ret)
		return ret;
	map->iova_linked = off + pad + len;
	return 0;
}

/* The IOVA path: link every range that needs translation, one flush. */
static int dpl_map_iova(struct dpl_walk *w, const struct phys_list *pl,
			u64 mask)
{
	struct dma_phys_map *map = w->map;
	struct device *dev = w->dev;
	u64 len, off, pad, pad0, cursor = 0, run_len = 0, t;
	dma_addr_t addr, run = 0;
	struct phys_list_iter pi;
	enum dma_phys_kind kind;
	struct dpl_batch b;
	bool first = true;
	phys_addr_t phys;
	int ret;

	b.nr = 0;
	pad0 = map->state.addr & mask;
	phys_list_for_each(pl, &pi, phys, len) {
		ret = dpl_next_kind(w, phys, len, &kind, &addr);
		if (ret)
			goto err;
		if (kind != DMA_PHYS_P2P_BUS) {
			off = dpl_slot(cursor, first, phys, pad0, mask, &pad);
			ret = dpl_link(w, &b, kind, phys, len, off, pad, mask);
			if (ret)
				goto err;
			cursor = off + pad + len;
			addr = map->state.addr + off + pad;
		}
		first = false;

		/* Collect adjacent pieces, append only when a run ends */
		if (run_len && run + run_len == addr) {
			run_len += len;
			continue;
		}
		if (run_len) {
			ret = dpl_append(map, run, run_len);
			if (ret)
				goto err;
		}
		run = addr;
		run_len = len;
	}
	ret = dpl_batch_link(w, &b);
	if (ret)
		goto err;
	ret = dpl_append(map, run, run_len);
	if (ret)
		goto err;

	if (!map->iova_linked) {
		/* every range was used by bus address */
		dma_iova_free(dev, &map->state);
		return 0;
	}
	t = dpl_prof_begin();
	ret = dma_iova_sync(dev, &map->state, 0, map->iova_linked);
	dpl_prof_end(DMA_PHYS_PHASE_IOVA_SYNC, t);
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

#ifdef CONFIG_DMA_PHYS_LIST_PROFILE
/*
 * The walk of a map just made took the time since @t, appends included
 * (timed on their own, @append0 before the walk).  Split the rest
 * between classification, timed now by classifying the list again into a
 * scratch record, and linking or mapping.
 */
static void dpl_prof_walk(struct device *dev, const struct phys_list *pl,
			  struct p2pdma_provider *provider, bool no_p2p,
			  u64 t, u64 append0)
{
	u64 walk = ktime_get_ns() - t, classify, append, len;
	struct dma_phys_map scratch = {};
	struct phys_list_iter pi;
	enum dma_phys_kind kind;
	struct dpl_walk w;
	phys_addr_t phys;
	dma_addr_t bus;

	dpl_walk_init(&w, dev, &scratch, provider, no_p2p);
	t = ktime_get_ns();
	phys_list_for_each(pl, &pi, phys, len)
		if (dpl_next_kind(&w, phys, len, &kind, &bus))
			break;
	classify = ktime_get_ns() - t;
	dpl_free_record(&scratch);
	append = dpl_prof->ns[DMA_PHYS_PHASE_APPEND] - append0;
	dpl_prof->ns[DMA_PHYS_PHASE_CLASSIFY] += classify;
	if (walk > classify + append)
		dpl_prof->ns[DMA_PHYS_PHASE_LINK] += walk - classify - append;
}

static u64 dpl_prof_appended(void)
{
	return dpl_prof ? dpl_prof->ns[DMA_PHYS_PHASE_APPEND] : 0;
}
#else
static inline void dpl_prof_walk(struct device *dev, const struct phys_list *pl,
				 struct p2pdma_provider *provider, bool no_p2p,
				 u64 t, u64 append0)
{
}

static inline u64 dpl_prof_appended(void)
{
	return 0;
}
#endif

static int __dma_map_phys_list(struct device *dev, const struct phys_list *pl,
			       struct p2pdma_provider *provider,
			       enum dma_data_direction dir, unsigned long attrs,
			       struct dma_phys_map *map, bool no_p2p)
{
	const struct range_list_cfg cfg = {
		.max_segment = dma_get_max_seg_size(dev),
		.seg_boundary = dma_get_seg_boundary(dev),
		.coalesce = true,
		/* An IOVA run is one entry, however many segments it holds. */
		.split_on_read = true,
	};
	u64 mask = dma_get_merge_boundary(dev);
	u64 size = 0, t, append0;
	struct dpl_walk w;
	int ret;

	might_sleep();
	memset(map, 0, sizeof(*map));
	map->dir = dir;
	map->attrs = attrs;
	if (!phys_list_count(pl) || !valid_dma_direction(dir))
		return -EINVAL;

	ret = dma_list_init(&map->dl, &cfg);
	if (ret)
		goto err;
	dpl_walk_init(&w, dev, map, provider, no_p2p);

	if (mask && use_dma_iommu(dev)) {
		t = dpl_prof_begin();
		size = dpl_iova_size(pl, mask);
		t = dpl_prof_end(DMA_PHYS_PHASE_SIZE, t);
		if (size > SIZE_MAX ||
		    !dma_iova_try_alloc(dev, &map->state, dpl_first_phys(pl),
					size))
			size = 0;
		dpl_prof_end(DMA_PHYS_PHASE_IOVA_ALLOC, t);
	}
	t = dpl_prof_begin();
	append0 = dpl_prof_appended();
	if (size)
		ret = dpl_map_iova(&w, pl, mask);
	else
		ret = dpl_map_direct(&w, pl);
	if (ret)
		goto err;
	if (dpl_profiling())
		dpl_prof_walk(dev, pl, provider, no_p2p, t, append0);
	return 0;

err:
	dma_list_free(&map->dl);
	dpl_free_record(map);
	memset(map, 0, sizeof(*map));
	return ret;
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
	return __dma_map_phys_list(dev, pl, provider, dir, attrs, map, false);
}
EXPORT_SYMBOL_GPL(dma_map_phys_list);

/**
 * dma_map_phys_list_no_p2p() - map a list that must hold RAM only
 * @dev: device that will access the memory
 * @pl: the CPU physical ranges; must stay unchanged until unmapped
 * @provider: P2P provider the list's owner named, or NULL: its ranges are
 *	refused like any other P2P memory
 * @dir: direction of the transfers
 * @attrs: DMA_ATTR_* flags, applied to every range
 * @map: filled in with the DMA ranges and what is needed to undo them
 *
 * dma_map_phys_list() for a device that must not be handed PCI
 * peer-to-peer memory, such as a dma-buf importer that did not ask for
 * it: any P2P range (in @provider's BAR, without struct page, or
 * ZONE_DEVICE P2P pages) fails the call with -EREMOTEIO and nothing stays
 * mapped.  The check is made in the same walk that maps the list.
 *
 * Context: Process context; may sleep.
 * Return: as dma_map_phys_list().
 */
int dma_map_phys_list_no_p2p(struct device *dev, const struct phys_list *pl,
			     struct p2pdma_provider *provider,
			     enum dma_data_direction dir, unsigned long attrs,
			     struct dma_phys_map *map)
{
	return __dma_map_phys_list(dev, pl, provider, dir, attrs, map, true);
}
EXPORT_SYMBOL_GPL(dma_map_phys_list_no_p2p);

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
	u64 t = dpl_prof_begin();

	if (dma_use_iova(&map->state)) {
		if (!(map->attrs & DMA_ATTR_SKIP_CPU_SYNC))
			dpl_sync(dev, pl, map, true);
		t = dpl_prof_end(DMA_PHYS_PHASE_CPU_SYNC, t);
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
	t = dpl_prof_end(DMA_PHYS_PHASE_UNLINK, t);
	dma_list_free(&map->dl);
	dpl_free_record(map);
	memset(map, 0, sizeof(*map));
	dpl_prof_end(DMA_PHYS_PHASE_FREE, t);
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
