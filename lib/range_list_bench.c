// SPDX-License-Identifier: GPL-2.0-only
/*
 * Range list against sg_table benchmark.
 *
 * Reading /sys/kernel/debug/range_list/bench.csv builds a 64 MiB buffer of
 * scattered 4 KiB pages both as a phys_list and as an sg_table (with
 * sg_alloc_table_from_pages()), walks both, and prints "name,value,unit"
 * rows: memory per entry, build and walk time per MiB (best of 8 builds
 * and 32 walks), and the ratios of the two in the same boot.
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#define RLB_BYTES	SZ_64M
#define RLB_PAGES	(RLB_BYTES / PAGE_SIZE)
#define RLB_ROUNDS	8
#define RLB_WALKS	4
#define RLB_2M_ENTRIES	4096
#define RLB_2M_FOLIOS	16

struct rlb_times {
	u64 build;
	u64 iter;
};

/* Value scaled by 100 printed with two decimals. */
static void rlb_row(struct seq_file *m, const char *name, u64 x100,
		    const char *unit)
{
	seq_printf(m, "%s,%llu.%02llu,%s\n", name, x100 / 100, x100 % 100,
		   unit);
}

static int rlb_list(struct page **pages, struct rlb_times *t, u64 *bpe)
{
	struct phys_list pl;
	struct phys_list_iter pi;
	phys_addr_t phys;
	u64 len, sum = 0, t0, t1, t2;
	int err, w;

	phys_list_init(&pl, NULL);
	t0 = ktime_get_ns();
	err = phys_list_from_pages(&pl, pages, RLB_PAGES, GFP_KERNEL);
	t1 = ktime_get_ns();
	if (err)
		return err;
	t->build = min(t->build, t1 - t0);
	for (w = 0; w < RLB_WALKS; w++) {
		t1 = ktime_get_ns();
		phys_list_for_each(&pl, &pi, phys, len)
			sum += phys + len;
		t2 = ktime_get_ns();
		t->iter = min(t->iter, t2 - t1);
	}
	/* Keep the walk from being optimised away. */
	if (sum == 1)
		pr_info("range_list bench: %llu\n", sum);
	*bpe = div64_u64(phys_list_mem_bytes(&pl) * 100,
			 phys_list_count(&pl));
	phys_list_free(&pl);
	return 0;
}

static int rlb_sgt(struct page **pages, struct rlb_times *t, u64 *bpe)
{
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned int i, chains = 0;
	u64 sum = 0, t0, t1, t2;
	int err, w;

	t0 = ktime_get_ns();
	err = sg_alloc_table_from_pages(&sgt, pages, RLB_PAGES, 0, RLB_BYTES,
					GFP_KERNEL);
	t1 = ktime_get_ns();
	if (err)
		return err;
	t->build = min(t->build, t1 - t0);
	for (w = 0; w < RLB_WALKS; w++) {
		t1 = ktime_get_ns();
		for_each_sgtable_sg(&sgt, sg, i)
			sum += sg_phys(sg) + sg->length;
		t2 = ktime_get_ns();
		t->iter = min(t->iter, t2 - t1);
	}
	if (sum == 1)
		pr_info("range_list bench: %llu\n", sum);
	/* Every full block of SG_MAX_SINGLE_ALLOC ends with a chain link. */
	if (sgt.orig_nents > SG_MAX_SINGLE_ALLOC)
		chains = DIV_ROUND_UP(sgt.orig_nents - SG_MAX_SINGLE_ALLOC,
				      SG_MAX_SINGLE_ALLOC - 1);
	*bpe = div64_u64(((u64)sgt.orig_nents + chains) *
			 sizeof(struct scatterlist) * 100 + sizeof(sgt) * 100,
			 sgt.orig_nents);
	sg_free_table(&sgt);
	return 0;
}

/* Bytes per entry (x100) for a list of 2 MiB folios. */
static u64 rlb_2m(void)
{
	struct folio *folios[RLB_2M_FOLIOS];
	unsigned int nr = 0, i;
	struct phys_list pl;
	u64 bpe = 0;
	int err = 0;

	while (nr < RLB_2M_FOLIOS) {
		folios[nr] = folio_alloc(GFP_KERNEL | __GFP_NOWARN,
					 get_order(SZ_2M));
		if (!folios[nr])
			break;
		nr++;
	}
	phys_list_init(&pl, NULL);
	for (i = 0; i < RLB_2M_ENTRIES && !err; i++) {
		/* Without 2 MiB folios, use 2 MiB aligned address ranges. */
		if (nr)
			err = phys_list_append_folio(&pl, folios[i % nr], 0,
						     SZ_2M, GFP_KERNEL);
		else
			err = phys_list_append(&pl, (u64)i * SZ_4M, SZ_2M,
					       GFP_KERNEL);
	}
	if (!err)
		bpe = div64_u64(phys_list_mem_bytes(&pl) * 100,
				phys_list_count(&pl));
	phys_list_free(&pl);
	while (nr--)
		folio_put(folios[nr]);
	return bpe;
}

static int rlb_show(struct seq_file *m, void *v)
{
	struct rlb_times tl = { U64_MAX, U64_MAX }, ts = { U64_MAX, U64_MAX };
	struct page **pages;
	u64 bpe_list = 0, bpe_sgt = 0;
	unsigned long i, got;
	int err = 0, r;

	pages = kvmalloc_array(RLB_PAGES, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (got = 0; got < RLB_PAGES; got++) {
		pages[got] = alloc_page(GFP_KERNEL);
		if (!pages[got]) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* Shuffle so that neighbours are (almost never) physically adjacent. */
	for (i = RLB_PAGES - 1; i > 0; i--)
		swap(pages[i], pages[get_random_u32_below(i + 1)]);

	for (r = 0; r < RLB_ROUNDS && !err; r++) {
		err = rlb_list(pages, &tl, &bpe_list);
		if (!err)
			err = rlb_sgt(pages, &ts, &bpe_sgt);
		cond_resched();
	}
	if (err)
		goto out;

	rlb_row(m, "rangelist_bytes_per_entry_4k", bpe_list, "bytes");
	rlb_row(m, "sgtable_bytes_per_entry_4k", bpe_sgt, "bytes");
	rlb_row(m, "rangelist_bytes_per_entry_2m", rlb_2m(), "bytes");
	rlb_row(m, "rangelist_build_ns_per_mib", tl.build * 100 / 64, "ns");
	rlb_row(m, "sgtable_build_ns_per_mib", ts.build * 100 / 64, "ns");
	rlb_row(m, "rangelist_iter_ns_per_mib", tl.iter * 100 / 64, "ns");
	rlb_row(m, "sgtable_iter_ns_per_mib", ts.iter * 100 / 64, "ns");
	rlb_row(m, "rangelist_vs_sgtable_bytes_ratio",
		div64_u64(bpe_list * 100, bpe_sgt ?: 1), "ratio");
	rlb_row(m, "rangelist_vs_sgtable_build_ratio",
		div64_u64(tl.build * 100, ts.build ?: 1), "ratio");
	rlb_row(m, "rangelist_vs_sgtable_iter_ratio",
		div64_u64(tl.iter * 100, ts.iter ?: 1), "ratio");
out:
	while (got--)
		__free_page(pages[got]);
	kvfree(pages);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(rlb);

static int __init rlb_init(void)
{
	struct dentry *dir = debugfs_create_dir("range_list", NULL);

	debugfs_create_file("bench.csv", 0400, dir, NULL, &rlb_fops);
	return 0;
}
late_initcall(rlb_init);
