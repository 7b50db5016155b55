/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Map a list of CPU physical ranges (struct phys_list) for one device into
 * a list of DMA ranges (struct dma_list), using one IOVA range when an
 * IOMMU translates the device and deciding per range what PCI
 * peer-to-peer memory needs.
 */
#ifndef _LINUX_DMA_PHYS_LIST_H
#define _LINUX_DMA_PHYS_LIST_H

#include <linux/dma-mapping.h>
#include <linux/range_list.h>

struct device;
struct p2pdma_provider;

/**
 * enum dma_phys_kind - how one range of a list was mapped
 * @DMA_PHYS_RAM: ordinary memory, mapped and synced like RAM
 * @DMA_PHYS_P2P_BUS: PCI peer-to-peer memory used by PCI bus address;
 *	nothing was mapped
 * @DMA_PHYS_P2P_HOST_BRIDGE: PCI peer-to-peer memory reached through the
 *	host bridge, mapped with DMA_ATTR_MMIO and never CPU-synced
 */
enum dma_phys_kind {
	DMA_PHYS_RAM,
	DMA_PHYS_P2P_BUS,
	DMA_PHYS_P2P_HOST_BRIDGE,
};

/**
 * struct dma_phys_map - a mapped physical range list
 * @dl: the DMA ranges the device may use, within its segment limits; read
 *	with the dma_list helpers
 * @state: the IOVA range, if dma_use_iova(@state)
 * @iova_linked: bytes of the IOVA range covered by links
 * @dir: direction passed to dma_map_phys_list()
 * @attrs: attributes passed to dma_map_phys_list()
 * @nr_bus: number of ranges mapped with a PCI bus address
 * @nr_host_bridge: number of P2P ranges mapped through the host bridge
 * @runs: private: the kind of every range, run-length encoded, when more
 *	than one run is needed
 * @run0: private: the only run when @runs is NULL
 * @nr_runs: private: runs in use
 * @max_runs: private: runs allocated at @runs
 *
 * Filled in by dma_map_phys_list(); the caller keeps it, and the phys_list
 * it was made from, unchanged until dma_unmap_phys_list().
 */
struct dma_phys_map {
	struct dma_list dl;
	struct dma_iova_state state;
	u64 iova_linked;
	enum dma_data_direction dir;
	unsigned long attrs;
	unsigned long nr_bus;
	unsigned long nr_host_bridge;
	u32 *runs;
	u32 run0;
	unsigned int nr_runs;
	unsigned int max_runs;
};

/**
 * enum dma_phys_list_phase - where mapping and unmapping a list spend time
 * @DMA_PHYS_PHASE_SIZE: sizing the IOVA range from the list
 * @DMA_PHYS_PHASE_IOVA_ALLOC: allocating the IOVA range
 * @DMA_PHYS_PHASE_CLASSIFY: deciding RAM or P2P and recording it, timed
 *	by a second classification of the list made only while profiling
 * @DMA_PHYS_PHASE_LINK: the rest of the walk: writing IOMMU page tables
 *	(dma_iova_link()) or mapping pieces (dma_map_phys())
 * @DMA_PHYS_PHASE_APPEND: appending to the DMA list
 * @DMA_PHYS_PHASE_IOVA_SYNC: the one IOTLB flush after linking
 * @DMA_PHYS_PHASE_CPU_SYNC: CPU cache maintenance at unmap
 * @DMA_PHYS_PHASE_UNLINK: unlinking and freeing the IOVA range, or
 *	unmapping every piece
 * @DMA_PHYS_PHASE_FREE: freeing the DMA list and the recorded kinds
 * @DMA_PHYS_PHASE_NR: number of phases
 */
enum dma_phys_list_phase {
	DMA_PHYS_PHASE_SIZE,
	DMA_PHYS_PHASE_IOVA_ALLOC,
	DMA_PHYS_PHASE_CLASSIFY,
	DMA_PHYS_PHASE_LINK,
	DMA_PHYS_PHASE_APPEND,
	DMA_PHYS_PHASE_IOVA_SYNC,
	DMA_PHYS_PHASE_CPU_SYNC,
	DMA_PHYS_PHASE_UNLINK,
	DMA_PHYS_PHASE_FREE,
	DMA_PHYS_PHASE_NR,
};

/**
 * struct dma_phys_list_profile - time spent per phase, for benchmarks
 * @ns: nanoseconds per phase, indexed by enum dma_phys_list_phase
 */
struct dma_phys_list_profile {
	u64 ns[DMA_PHYS_PHASE_NR];
};

#ifdef CONFIG_DMA_PHYS_LIST_PROFILE
int dma_phys_list_profile_start(struct dma_phys_list_profile *prof);
void dma_phys_list_profile_stop(void);
#else
static inline int
dma_phys_list_profile_start(struct dma_phys_list_profile *prof)
{
	return -EOPNOTSUPP;
}

static inline void dma_phys_list_profile_stop(void)
{
}
#endif

#ifdef CONFIG_DMA_PHYS_LIST
int dma_map_phys_list(struct device *dev, const struct phys_list *pl,
		      struct p2pdma_provider *provider,
		      enum dma_data_direction dir, unsigned long attrs,
		      struct dma_phys_map *map);
int dma_map_phys_list_no_p2p(struct device *dev, const struct phys_list *pl,
			     struct p2pdma_provider *provider,
			     enum dma_data_direction dir, unsigned long attrs,
			     struct dma_phys_map *map);
enum dma_phys_kind dma_phys_map_kind(struct dma_phys_map *map,
				     unsigned long index);
void dma_unmap_phys_list(struct device *dev, const struct phys_list *pl,
			 struct dma_phys_map *map);
void dma_unmap_phys_list_strict(struct device *dev, const struct phys_list *pl,
				struct dma_phys_map *map);
void dma_sync_phys_list_for_cpu(struct device *dev,
				const struct phys_list *pl,
				struct dma_phys_map *map);
void dma_sync_phys_list_for_device(struct device *dev,
				   const struct phys_list *pl,
				   struct dma_phys_map *map);
#else
static inline int dma_map_phys_list(struct device *dev,
				    const struct phys_list *pl,
				    struct p2pdma_provider *provider,
				    enum dma_data_direction dir,
				    unsigned long attrs,
				    struct dma_phys_map *map)
{
	return -EOPNOTSUPP;
}

static inline int dma_map_phys_list_no_p2p(struct device *dev,
					   const struct phys_list *pl,
					   struct p2pdma_provider *provider,
					   enum dma_data_direction dir,
					   unsigned long attrs,
					   struct dma_phys_map *map)
{
	return -EOPNOTSUPP;
}

static inline enum dma_phys_kind dma_phys_map_kind(struct dma_phys_map *map,
						   unsigned long index)
{
	return DMA_PHYS_RAM;
}

static inline void dma_unmap_phys_list(struct device *dev,
				       const struct phys_list *pl,
				       struct dma_phys_map *map)
{
}

static inline void dma_unmap_phys_list_strict(struct device *dev,
					      const struct phys_list *pl,
					      struct dma_phys_map *map)
{
}

static inline void dma_sync_phys_list_for_cpu(struct device *dev,
					      const struct phys_list *pl,
					      struct dma_phys_map *map)
{
}

static inline void dma_sync_phys_list_for_device(struct device *dev,
						 const struct phys_list *pl,
						 struct dma_phys_map *map)
{
}
#endif /* CONFIG_DMA_PHYS_LIST */

#endif /* _LINUX_DMA_PHYS_LIST_H */
