// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mapping benchmark: what it costs to map and unmap 64 MiB for an edu
 * device through a scatterlist, through a physical range list (built,
 * mapped, unmapped and freed; and dma_map_phys_list() with its unmap
 * alone), and with nothing but iommu_map()/iommu_unmap() (the floor), with
 * one vector written by iommu_map_ranges_nosync() (the page-table floor),
 * for scattered 4 KiB pages and for 2 MiB folios, where the time goes
 * phase by phase, and the same over buffer sizes from 64 KiB to 256 MiB.
 * All rows come from the same boot.
 *
 * A run holds 512 MiB at most (the 4 KiB case keeps a spare page beside
 * each buffer page), so runs are serialised: a reader that finds one in
 * progress gets -EBUSY.  Pages are allocated without retrying or waking
 * the OOM killer, and a failed allocation fails the read with -ENOMEM.
 * A fatal signal stops a run between pages and rounds with -EINTR.
 */
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dma-phys-list.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "qemu_edu.h"
#include "qemu_edu_dmabuf_bench.h"
#include "qemu_edu_prime_bench.h"
#include "qemu_edu_vb2_bench.h"

#define BENCH_BYTES	(64ULL << 20)
/* The size sweep: 64 KiB to 256 MiB of 4 KiB pages, by factors of 4 */
#define BENCH_SWEEP_MIN	SZ_64K
#define BENCH_SWEEP_MAX	SZ_256M
#define BENCH_ROUNDS	9
#define BENCH_GFP	(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)

/* One run at a time: each holds up to 512 MiB */
static DEFINE_MUTEX(bench_lock);

struct edu_bench {
	struct qemu_edu *edu;
	struct device *dev;
	u64 bytes;		/* size of the buffer */
	unsigned long nr_pages;
	struct page **pages;	/* @nr_pages pages, in buffer order */
	struct page **spare;	/* pages held to keep the others apart */
	struct folio **folios;
	unsigned long nr_spare;
	unsigned int order;
};

/**
 * qemu_edu_bench_yield() - whether a benchmark run may go on
 * @edu: the device measured
 *
 * Called between pages and between rounds, here and by the dma-buf rows
 * (qemu_edu_dmabuf_bench.c).  A KUnit test replaces it with a static stub
 * to act in the middle of a run.
 *
 * Context: Process context; may reschedule.
 * Return: 0, -EINTR if a fatal signal is pending, -ENODEV if the driver
 * is being unbound from @edu.
 */
int qemu_edu_bench_yield(struct qemu_edu *edu)
{
	KUNIT_STATIC_STUB_REDIRECT(qemu_edu_bench_yield, edu);
	cond_resched();
	if (fatal_signal_pending(current))
		return -EINTR;
	/* Unbinding waits for our reference: do not make it wait long */
	if (READ_ONCE(edu->gone))
		return -ENODEV;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_bench_yield);

/* The laps of one round of a path, in ns; the round takes their sum */
enum { LAP_BUILD, LAP_MAP, LAP_UNMAP, LAP_FREE, LAP_NR };

static const char *const bench_lap_names[LAP_NR] = {
	"build", "map", "unmap", "free",
};

/* Elapsed time since *@t into @ns; *@t moves on to now. */
static void bench_lap(u64 *t, u64 *ns)
{
	u64 now = ktime_get_ns();

	*ns = now - *t;
	*t = now;
}

static u64 bench_laps_sum(const u64 *lap)
{
	return lap[LAP_BUILD] + lap[LAP_MAP] + lap[LAP_UNMAP] + lap[LAP_FREE];
}

static int bench_sgtable_laps(struct edu_bench *b, u64 *lap)
{
	struct sg_table sgt;
	u64 t = ktime_get_ns();
	int ret;

	ret = sg_alloc_table_from_pages(&sgt, b->pages, b->nr_pages, 0,
					b->bytes, GFP_KERNEL);
	if (ret)
		return ret;
	bench_lap(&t, &lap[LAP_BUILD]);
	ret = dma_map_sgtable(b->dev, &sgt, DMA_BIDIRECTIONAL, 0);
	bench_lap(&t, &lap[LAP_MAP]);
	if (!ret)
		dma_unmap_sgtable(b->dev, &sgt, DMA_BIDIRECTIONAL, 0);
	bench_lap(&t, &lap[LAP_UNMAP]);
	sg_free_table(&sgt);
	bench_lap(&t, &lap[LAP_FREE]);
	return ret;
}

/*
 * The buffer's pages (or folios) as a coalescing physical list.  On
 * error the list is still initialised, so phys_list_free() is safe.
 */
static int bench_build_list(struct edu_bench *b, struct phys_list *pl)
{
	const struct range_list_cfg cfg = { .coalesce = true };
	int ret = phys_list_init(pl, &cfg);

	if (ret)
		return ret;
	if (b->order)
		return phys_list_from_folios(pl, b->folios,
					     b->nr_pages >> b->order,
					     GFP_KERNEL);
	return phys_list_from_pages(pl, b->pages, b->nr_pages, GFP_KERNEL);
}

/* With @prof, the map and unmap also run dma_map_phys_list()'s timers. */
static int bench_rangelist_laps(struct edu_bench *b, u64 *lap,
				struct dma_phys_list_profile *prof)
{
	struct dma_phys_map map;
	struct phys_list pl;
	u64 t = ktime_get_ns();
	int ret;

	ret = bench_build_list(b, &pl);
	bench_lap(&t, &lap[LAP_BUILD]);
	if (!ret && prof) {
		ret = dma_phys_list_profile_start(prof);
		t = ktime_get_ns();
	}
	if (!ret) {
		ret = dma_map_phys_list(b->dev, &pl, NULL, DMA_BIDIRECTIONAL, 0,
					&map);
		bench_lap(&t, &lap[LAP_MAP]);
		if (!ret)
			dma_unmap_phys_list(b->dev, &pl, &map);
		bench_lap(&t, &lap[LAP_UNMAP]);
		if (prof)
			dma_phys_list_profile_stop();
	}
	phys_list_free(&pl);
	bench_lap(&t, &lap[LAP_FREE]);
	return ret;
}

static int bench_sgtable(struct edu_bench *b, u64 *ns)
{
	u64 lap[LAP_NR] = {};
	int ret = bench_sgtable_laps(b, lap);

	*ns = bench_laps_sum(lap);
	return ret;
}

static int bench_rangelist(struct edu_bench *b, u64 *ns)
{
	u64 lap[LAP_NR] = {};
	int ret = bench_rangelist_laps(b, lap, NULL);

	*ns = bench_laps_sum(lap);
	return ret;
}

/*
 * dma_map_phys_list() and dma_unmap_phys_list() alone, the list built
 * before the clock starts: what the floors are compared with, as they
 * too leave building their input (and the IOVA range) out.
 */
static int bench_dpl_only(struct edu_bench *b, u64 *ns)
{
	struct dma_phys_map map;
	struct phys_list pl;
	u64 t;
	int ret;

	ret = bench_build_list(b, &pl);
	if (!ret) {
		t = ktime_get_ns();
		ret = dma_map_phys_list(b->dev, &pl, NULL, DMA_BIDIRECTIONAL,
					0, &map);
		if (!ret)
			dma_unmap_phys_list(b->dev, &pl, &map);
		*ns = ktime_get_ns() - t;
	}
	phys_list_free(&pl);
	return ret;
}

static int bench_floor(struct edu_bench *b, u64 *ns)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(b->dev);
	unsigned long i, step = 1UL << b->order;
	struct dma_iova_state state;
	size_t unmapped;
	u64 t;
	int ret = 0;

	/* Not -ENODEV: that means the device went away and fails the read */
	if (!dom || !dma_iova_try_alloc(b->dev, &state, 0, b->bytes))
		return -EOPNOTSUPP;

	t = ktime_get_ns();
	for (i = 0; i < b->nr_pages; i += step) {
		ret = iommu_map(dom, state.addr + i * PAGE_SIZE,
				page_to_phys(b->pages[i]), PAGE_SIZE << b->order,
				IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE,
				GFP_KERNEL);
		if (ret)
			break;
	}
	unmapped = iommu_unmap(dom, state.addr, i * PAGE_SIZE);
	*ns = ktime_get_ns() - t;
	WARN_ON(unmapped != i * PAGE_SIZE);
	dma_iova_free(b->dev, &state);
	return ret;
}

/*
 * The page-table floor: the same leaf entries written as one vector with
 * iommu_map_ranges_nosync() (one walk per leaf table where the driver
 * has map_ranges), one flush, one unmap.  The vector is built before the
 * clock starts; nothing else runs while it is timed.
 */
static int bench_pte_floor(struct edu_bench *b, u64 *ns)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(b->dev);
	unsigned long i, n = 0, step = 1UL << b->order;
	struct dma_iova_state state;
	struct phys_vec *vec;
	size_t unmapped;
	u64 t;
	int ret;

	if (!dom || !dma_iova_try_alloc(b->dev, &state, 0, b->bytes))
		return -EOPNOTSUPP;
	vec = kvcalloc(b->nr_pages >> b->order, sizeof(*vec), GFP_KERNEL);
	if (!vec) {
		dma_iova_free(b->dev, &state);
		return -ENOMEM;
	}
	for (i = 0; i < b->nr_pages; i += step)
		vec[n++] = (struct phys_vec){
			.paddr = page_to_phys(b->pages[i]),
			.len = PAGE_SIZE << b->order,
		};

	t = ktime_get_ns();
	ret = iommu_map_ranges_nosync(dom, state.addr, vec, n,
				      IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE,
				      GFP_KERNEL);
	if (!ret)
		ret = iommu_sync_map(dom, state.addr, b->bytes);
	unmapped = ret ? b->bytes : iommu_unmap(dom, state.addr, b->bytes);
	*ns = ktime_get_ns() - t;
	WARN_ON(unmapped != b->bytes);
	kvfree(vec);
	dma_iova_free(b->dev, &state);
	return ret;
}

static void bench_free(struct edu_bench *b)
{
	unsigned long i;

	if (b->folios) {
		for (i = 0; i < b->nr_pages >> b->order; i++)
			if (b->folios[i])
				folio_put(b->folios[i]);
	} else if (b->pages) {
		for (i = 0; i < b->nr_pages; i++)
			if (b->pages[i])
				__free_page(b->pages[i]);
	}
	for (i = 0; i < b->nr_spare; i++)
		__free_page(b->spare[i]);
	kvfree(b->folios);
	kvfree(b->pages);
	kvfree(b->spare);
}

/*
 * 4 KiB case: allocate pages in pairs and keep one of each, holding the
 * other until the end so that no two buffer pages are adjacent.
 */
static int bench_alloc(struct edu_bench *b, unsigned int order, u64 bytes)
{
	unsigned long i, j;
	int ret;

	b->order = order;
	b->bytes = bytes;
	b->nr_pages = bytes >> PAGE_SHIFT;
	b->pages = kvcalloc(b->nr_pages, sizeof(*b->pages), GFP_KERNEL);
	if (!b->pages)
		return -ENOMEM;
	if (!order) {
		b->spare = kvcalloc(b->nr_pages, sizeof(*b->spare), GFP_KERNEL);
		if (!b->spare)
			return -ENOMEM;
		for (i = 0; i < b->nr_pages; i++) {
			ret = qemu_edu_bench_yield(b->edu);
			if (ret)
				return ret;
			b->pages[i] = alloc_page(BENCH_GFP);
			b->spare[i] = alloc_page(BENCH_GFP);
			if (b->spare[i])
				b->nr_spare++;
			if (!b->pages[i] || !b->spare[i])
				return -ENOMEM;
		}
		return 0;
	}

	b->folios = kvcalloc(b->nr_pages >> order, sizeof(*b->folios),
			     GFP_KERNEL);
	if (!b->folios)
		return -ENOMEM;
	for (i = 0; i < b->nr_pages >> order; i++) {
		ret = qemu_edu_bench_yield(b->edu);
		if (ret)
			return ret;
		b->folios[i] = folio_alloc(BENCH_GFP, order);
		if (!b->folios[i])
			return -ENOMEM;
		for (j = 0; j < 1UL << order; j++)
			b->pages[(i << order) + j] = folio_page(b->folios[i], j);
	}
	return 0;
}

/* @ns for the whole buffer as nanoseconds per MiB */
static u64 bench_per_mib(struct edu_bench *b, u64 ns)
{
	return div64_u64(ns * SZ_1M, b->bytes);
}

/*
 * Where the time goes, phase by phase, from separate rounds: the laps of
 * both paths, and the list path's phases inside the map and unmap from
 * the phase timers of dma_map_phys_list() and dma_unmap_phys_list()
 * (which add a classification pass, so only their split counts).  Each
 * phase is the best of BENCH_ROUNDS rounds.
 */
static const char *const bench_dpl_phase_names[DMA_PHYS_PHASE_NR] = {
	[DMA_PHYS_PHASE_SIZE] = "size",
	[DMA_PHYS_PHASE_IOVA_ALLOC] = "iova_alloc",
	[DMA_PHYS_PHASE_CLASSIFY] = "classify",
	[DMA_PHYS_PHASE_LINK] = "link",
	[DMA_PHYS_PHASE_APPEND] = "append",
	[DMA_PHYS_PHASE_IOVA_SYNC] = "iova_sync",
	[DMA_PHYS_PHASE_CPU_SYNC] = "cpu_sync",
	[DMA_PHYS_PHASE_UNLINK] = "unlink",
	[DMA_PHYS_PHASE_FREE] = "free_map",
};

struct bench_phases {
	u64 sgt[LAP_NR], rl[LAP_NR];
	struct dma_phys_list_profile prof;
	u64 best_sgt[LAP_NR], best_rl[LAP_NR], best_dpl[DMA_PHYS_PHASE_NR];
};

static void bench_keep_best(u64 *best, const u64 *ns, int n)
{
	int i;

	for (i = 0; i < n; i++)
		best[i] = min(best[i], ns[i]);
}

static void bench_print_phases(struct seq_file *m, struct edu_bench *b,
			       const char *path, const char *const *names,
			       const u64 *best, int n, const char *sfx)
{
	int i;

	for (i = 0; i < n; i++)
		seq_printf(m, "phase_%s_%s_ns_per_mib%s,%llu,ns/MiB\n", path,
			   names[i], sfx, bench_per_mib(b, best[i]));
}

static int bench_phases(struct seq_file *m, struct edu_bench *b,
			const char *sfx)
{
	struct bench_phases *p;
	int i, ret = 0;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memset(p->best_sgt, 0xff, sizeof(p->best_sgt));
	memset(p->best_rl, 0xff, sizeof(p->best_rl));
	memset(p->best_dpl, 0xff, sizeof(p->best_dpl));
	for (i = 0; i < BENCH_ROUNDS && !ret; i++) {
		ret = qemu_edu_bench_yield(b->edu);
		if (ret)
			break;
		msleep(50);
		ret = bench_sgtable_laps(b, p->sgt);
		if (ret)
			break;
		msleep(50);
		ret = bench_rangelist_laps(b, p->rl, &p->prof);
		if (ret)
			break;
		bench_keep_best(p->best_sgt, p->sgt, LAP_NR);
		bench_keep_best(p->best_rl, p->rl, LAP_NR);
		bench_keep_best(p->best_dpl, p->prof.ns, DMA_PHYS_PHASE_NR);
	}
	if (!ret) {
		bench_print_phases(m, b, "sgtable", bench_lap_names,
				   p->best_sgt, LAP_NR, sfx);
		bench_print_phases(m, b, "rangelist", bench_lap_names,
				   p->best_rl, LAP_NR, sfx);
		bench_print_phases(m, b, "rangelist", bench_dpl_phase_names,
				   p->best_dpl, DMA_PHYS_PHASE_NR, sfx);
	}
	kfree(p);
	return ret;
}

typedef int (*bench_fn)(struct edu_bench *b, u64 *ns);

/* Best of BENCH_ROUNDS runs, in ns per MiB. */
static int bench_best(struct edu_bench *b, bench_fn fn, u64 *ns_per_mib)
{
	u64 ns, best = U64_MAX;
	int i, ret;

	for (i = 0; i < BENCH_ROUNDS; i++) {
		ret = qemu_edu_bench_yield(b->edu);
		if (ret)
			return ret;
		/* Let the IOMMU flush queue release the previous round's IOVA */
		msleep(50);
		ret = fn(b, &ns);
		if (ret)
			return ret;
		best = min(best, ns);
	}
	*ns_per_mib = bench_per_mib(b, best);
	return 0;
}

static void bench_ratio(struct seq_file *m, const char *name,
			const char *sfx, u64 a, u64 b)
{
	u64 milli = b ? div64_u64(a * 1000, b) : 0;

	seq_printf(m, "%s%s,%llu.%03llu,ratio\n", name, sfx, milli / 1000,
		   milli % 1000);
}

/*
 * Rows for one buffer size.  A method that cannot run here (the floor
 * without an IOMMU) leaves a comment row; running out of memory, a fatal
 * signal or an unbind fails the whole read.
 */
static int bench_one(struct seq_file *m, struct qemu_edu *edu,
		     unsigned int order, const char *sfx)
{
	struct edu_bench b = { .edu = edu, .dev = &edu->pdev->dev };
	const char *stage = "alloc";
	u64 sgt, rl, dpl, floor, pte_floor;
	int ret, phases = 0;

	ret = bench_alloc(&b, order, BENCH_BYTES);
	if (!ret) {
		stage = "sgtable";
		ret = bench_best(&b, bench_sgtable, &sgt);
	}
	if (!ret) {
		stage = "rangelist";
		ret = bench_best(&b, bench_rangelist, &rl);
	}
	if (!ret) {
		stage = "dma_phys_list";
		ret = bench_best(&b, bench_dpl_only, &dpl);
	}
	if (!ret) {
		stage = "floor";
		ret = bench_best(&b, bench_floor, &floor);
	}
	if (!ret) {
		stage = "pte_floor";
		ret = bench_best(&b, bench_pte_floor, &pte_floor);
	}
	if (!ret || ret == -EOPNOTSUPP)
		phases = bench_phases(m, &b, sfx);
	bench_free(&b);
	if (!ret)
		ret = phases;
	if (ret == -ENOMEM || ret == -EINTR || ret == -ENODEV)
		return ret;
	if (ret) {
		seq_printf(m, "# %s%s failed: %d\n", stage, sfx, ret);
		return 0;
	}

	seq_printf(m, "map_unmap_sgtable_ns_per_mib%s,%llu,ns/MiB\n", sfx, sgt);
	seq_printf(m, "map_unmap_rangelist_ns_per_mib%s,%llu,ns/MiB\n", sfx, rl);
	seq_printf(m, "map_unmap_dma_phys_list_ns_per_mib%s,%llu,ns/MiB\n", sfx,
		   dpl);
	seq_printf(m, "map_unmap_floor_ns_per_mib%s,%llu,ns/MiB\n", sfx, floor);
	seq_printf(m, "map_unmap_pte_floor_ns_per_mib%s,%llu,ns/MiB\n", sfx,
		   pte_floor);
	bench_ratio(m, "rangelist_over_floor", sfx, rl, floor);
	bench_ratio(m, "rangelist_over_pte_floor", sfx, rl, pte_floor);
	bench_ratio(m, "rangelist_over_sgtable", sfx, rl, sgt);
	bench_ratio(m, "dma_phys_list_over_floor", sfx, dpl, floor);
	bench_ratio(m, "dma_phys_list_over_pte_floor", sfx, dpl, pte_floor);
	return 0;
}

/*
 * The four methods over buffer sizes of scattered 4 KiB pages, one
 * buffer at a time: rows sweep_<method>_<KiB>kib in ns per MiB, for the
 * plot `make bench` draws.
 */
static int bench_sweep(struct seq_file *m, struct qemu_edu *edu)
{
	static const struct {
		const char *name;
		bench_fn fn;
	} methods[] = {
		{ "sgtable", bench_sgtable },
		{ "rangelist", bench_rangelist },
		{ "floor", bench_floor },
		{ "pte_floor", bench_pte_floor },
	};
	u64 bytes, ns;
	int i, ret = 0;

	for (bytes = BENCH_SWEEP_MIN; bytes <= BENCH_SWEEP_MAX; bytes *= 4) {
		struct edu_bench b = { .edu = edu, .dev = &edu->pdev->dev };

		ret = bench_alloc(&b, 0, bytes);
		for (i = 0; i < ARRAY_SIZE(methods) && !ret; i++) {
			ret = bench_best(&b, methods[i].fn, &ns);
			if (!ret)
				seq_printf(m, "sweep_%s_%llukib,%llu,ns/MiB\n",
					   methods[i].name, bytes >> 10, ns);
		}
		bench_free(&b);
		if (ret)
			break;
	}
	/*
	 * The floor needs an IOMMU, the largest sizes need memory: the sweep
	 * stops there and says so, the rows so far stand.
	 */
	if (ret == -EOPNOTSUPP || ret == -ENOMEM) {
		seq_printf(m, "# sweep stopped at %llu KiB: %d\n", bytes >> 10,
			   ret);
		ret = 0;
	}
	return ret;
}

/*
 * A reference on the device to measure, so that unbinding it meanwhile
 * waits for the benchmark instead of freeing the state under it.
 */
static struct qemu_edu *bench_get_edu(void)
{
	struct qemu_edu *first = NULL, *edu;
	struct pci_dev *pdev = NULL;

	/* Prefer a device behind an IOMMU; the floor needs one */
	while ((pdev = pci_get_device(0x1234, 0x11e8, pdev))) {
		edu = qemu_edu_get(pdev);
		if (!edu)
			continue;
		if (!strcmp(qemu_edu_topology(edu), "iommu")) {
			pci_dev_put(pdev);
			if (first)
				qemu_edu_put(first);
			return edu;
		}
		if (first)
			qemu_edu_put(edu);
		else
			first = edu;
	}
	return first;
}

/**
 * qemu_edu_bench_run() - run the benchmark once
 * @m: receives the CSV rows
 *
 * Context: Process context; sleeps for seconds.
 * Return: 0, -EBUSY if another run is in progress, -ENODEV without a bound
 * edu device or if it is unbound meanwhile, -ENOMEM, -EINTR on a fatal
 * signal.
 */
VISIBLE_IF_KUNIT int qemu_edu_bench_run(struct seq_file *m)
{
	struct qemu_edu *edu;
	int ret;

	if (!mutex_trylock(&bench_lock))
		return -EBUSY;
	edu = bench_get_edu();
	if (!edu) {
		ret = -ENODEV;
		goto out;
	}

	seq_printf(m, "# edu %s %s, 64 MiB, best of %d\n",
		   pci_name(edu->pdev), qemu_edu_topology(edu), BENCH_ROUNDS);
	ret = bench_one(m, edu, 0, "");
	if (!ret)
		ret = bench_one(m, edu, PMD_SHIFT - PAGE_SHIFT, "_2m");
	if (!ret)
		ret = qemu_edu_dmabuf_bench(m, edu);
	if (!ret)
		ret = qemu_edu_vb2_bench(m, edu);
	if (!ret)
		ret = qemu_edu_prime_bench(m, edu);
	if (!ret)
		ret = bench_sweep(m, edu);
	qemu_edu_put(edu);
out:
	mutex_unlock(&bench_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(qemu_edu_bench_run);

static int bench_show(struct seq_file *m, void *unused)
{
	return qemu_edu_bench_run(m);
}
DEFINE_SHOW_ATTRIBUTE(bench);

/**
 * qemu_edu_bench_init() - create the benchmark file
 * @root: the driver's debugfs directory
 *
 * Context: Process context.
 * Return: 0.
 */
int qemu_edu_bench_init(struct dentry *root)
{
	debugfs_create_file("bench.csv", 0400, root, NULL, &bench_fops);
	return 0;
}
