// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for range lists (struct phys_list, struct dma_list).
 */

/**
 * DOC: Testing
 *
 * ``CONFIG_RANGE_LIST_KUNIT_TEST`` runs the KUnit suite ``range_list``.
 * The engine (``lib/range_list.c``) also builds unchanged in user space::
 *
 *   make -C tools/testing/range_list check
 *
 * runs unit tests under AddressSanitizer and UndefinedBehaviorSanitizer and
 * a bounded libFuzzer session that checks every operation against a model
 * of the list, which predicts every entry, including where coalescing,
 * ``max_segment`` and ``seg_boundary`` split and merge.
 * ``CONFIG_RANGE_LIST_BENCH`` adds ``/sys/kernel/debug/range_list/bench.csv``,
 * which compares memory use, build time and walk time with an sg_table over
 * the same scattered pages.
 */

#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>

#include "range_list_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Chunk allocations left before the stub starts failing; < 0: never. */
static int rl_allocs_left;
static int rl_allocs_done;

static struct range_list_chunk *rl_failing_alloc(gfp_t gfp)
{
	if (!rl_allocs_left)
		return NULL;
	rl_allocs_left--;
	rl_allocs_done++;
	kunit_deactivate_static_stub(kunit_get_current_test(),
				     range_list_alloc_chunk);
	{
		struct range_list_chunk *c = range_list_alloc_chunk(gfp);

		kunit_activate_static_stub(kunit_get_current_test(),
					   range_list_alloc_chunk,
					   rl_failing_alloc);
		return c;
	}
}

static void rl_fail_after(struct kunit *test, int n)
{
	rl_allocs_left = n;
	rl_allocs_done = 0;
	kunit_activate_static_stub(test, range_list_alloc_chunk,
				   rl_failing_alloc);
}

static void rl_stop_failing(struct kunit *test)
{
	kunit_deactivate_static_stub(test, range_list_alloc_chunk);
}

/* Compare a list with an array of (addr, len) pairs. */
static void rl_expect(struct kunit *test, const struct phys_list *pl,
		      const u64 *want, unsigned int n)
{
	struct phys_list_iter pi;
	phys_addr_t a;
	unsigned int i = 0;
	u64 l, sum = 0;

	phys_list_for_each(pl, &pi, a, l) {
		KUNIT_ASSERT_LT(test, i, n);
		KUNIT_EXPECT_EQ(test, (u64)a, want[2 * i]);
		KUNIT_EXPECT_EQ(test, l, want[2 * i + 1]);
		sum += l;
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, n);
	KUNIT_EXPECT_EQ(test, phys_list_count(pl), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, phys_list_len(pl), sum);
}

static void rl_test_empty(struct kunit *test)
{
	struct phys_list pl;
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l;

	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, NULL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), 0ULL);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 0UL);
	KUNIT_EXPECT_EQ(test, range_list_mem_bytes(&pl.rl),
			sizeof(struct range_list));
	phys_list_iter_init(&pi, &pl);
	KUNIT_EXPECT_FALSE(test, phys_list_iter_next(&pi, &a, &l));
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, 0, 0), 0);
	KUNIT_EXPECT_FALSE(test, phys_list_iter_next(&pi, &a, &l));
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, 0, 1), -ERANGE);
	phys_list_free(&pl);
	phys_list_free(&pl);
}

static void rl_test_one_byte(struct kunit *test)
{
	static const u64 want[] = { 0x1234567, 1 };
	struct phys_list pl;

	phys_list_init(&pl, NULL);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0x1234567, 1, GFP_KERNEL),
			0);
	rl_expect(test, &pl, want, 1);
	KUNIT_EXPECT_EQ(test, pl.rl.tail->used, 2U);
	phys_list_free(&pl);
}

static void rl_test_encodings(struct kunit *test)
{
	static const u64 want[] = {
		0, SZ_4K,			/* 1 word */
		(1ULL << 52) - SZ_4K, SZ_4K,	/* 1 word: highest frame */
		1ULL << 52, SZ_4K,		/* 2 words: frame too high */
		SZ_4K, 1ULL << 35,		/* 1 word: longest */
		SZ_4K, (1ULL << 35) + SZ_4K,	/* 2 words: too long */
		SZ_4K + 1, SZ_4K,		/* 2 words: unaligned */
		0, (1ULL << 62) - 1,		/* 2 words: longest */
		0, 1ULL << 62,			/* 3 words */
	};
	static const unsigned int used[] = { 1, 2, 4, 5, 7, 9, 11, 14 };
	struct phys_list pl;
	unsigned int i;

	phys_list_init(&pl, NULL);
	for (i = 0; i < ARRAY_SIZE(used); i++) {
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, want[2 * i],
						       want[2 * i + 1],
						       GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, pl.rl.tail->used, used[i]);
	}
	rl_expect(test, &pl, want, ARRAY_SIZE(used));
	phys_list_free(&pl);

	/* Largest sizes: the whole 64-bit space, then nothing more fits. */
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0, U64_MAX, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, U64_MAX, 1, GFP_KERNEL),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), U64_MAX);
	phys_list_free(&pl);
}

static void rl_test_chunks(struct kunit *test)
{
	struct phys_list pl;
	unsigned long i, n = RANGE_LIST_CHUNK_WORDS;

	phys_list_init(&pl, NULL);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, i * SZ_8K, SZ_4K,
						       GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, pl.rl.head, pl.rl.tail);
	KUNIT_EXPECT_EQ(test, range_list_mem_bytes(&pl.rl),
			sizeof(pl.rl) + RANGE_LIST_CHUNK_SIZE);
	KUNIT_EXPECT_EQ(test, phys_list_mem_bytes(&pl),
			sizeof(pl.rl) + RANGE_LIST_CHUNK_SIZE);
	/* A 2-word entry does not fit in the last word: new chunk. */
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 1, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_NE(test, pl.rl.head, pl.rl.tail);
	KUNIT_EXPECT_EQ(test, pl.rl.tail->used, 2U);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), n + 1);
	phys_list_free(&pl);
}

static void rl_test_bad_input(struct kunit *test)
{
	struct range_list_cfg cfg = {
		.align = SZ_4K, .max_len = SZ_1M, .max_entries = 2,
	};
	static const u64 want[] = { 0, SZ_4K, SZ_1M - SZ_8K, SZ_4K };
	struct phys_list pl;
	struct dma_list dl;

	cfg.align = 3;
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &cfg), -EINVAL);
	cfg.align = SZ_4K;
	cfg.max_segment = 100;
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &cfg), -EINVAL);
	cfg.max_segment = 0;
	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);

	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0, SZ_4K, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_8K, 0, GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_8K + 1, SZ_4K,
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_8K, SZ_4K - 1,
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, PHYS_ADDR_MAX & ~0xfffULL,
					       SZ_8K, GFP_KERNEL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_8K, SZ_1M, GFP_KERNEL),
			-E2BIG);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1M - SZ_8K, SZ_4K,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_1G, SZ_4K, GFP_KERNEL),
			-E2BIG);
	rl_expect(test, &pl, want, 2);
	phys_list_free(&pl);

	/* Allocation failure on the first chunk leaves the list empty. */
	rl_fail_after(test, 0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, 0, SZ_4K, GFP_KERNEL),
			-ENOMEM);
	rl_stop_failing(test);
	KUNIT_EXPECT_NULL(test, pl.rl.head);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 0UL);

	dma_list_init(&dl, NULL);
	KUNIT_EXPECT_EQ(test, dma_list_append(&dl, (dma_addr_t)~0ULL, 2,
					      GFP_KERNEL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, dma_list_append(&dl, (dma_addr_t)~0ULL, 1,
					      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, dma_list_len(&dl), 1ULL);
	KUNIT_EXPECT_EQ(test, dma_list_count(&dl), 1UL);
	dma_list_free(&dl);
}

static void rl_test_coalesce(struct kunit *test)
{
	struct range_list_cfg cfg = { .coalesce = true, .max_segment = SZ_16K };
	static const u64 want[] = {
		0, SZ_16K, SZ_16K, SZ_8K,	/* 4K + 8K + 12K */
		SZ_1M, SZ_4K,			/* 1 + 4095 */
		SZ_1G, SZ_16K, SZ_1G + SZ_16K, SZ_16K,
		SZ_1G + SZ_32K, SZ_8K,		/* 40K split */
	};
	struct phys_list pl;

	phys_list_init(&pl, &cfg);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0, SZ_4K, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_4K, SZ_8K, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 1UL);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 3 * SZ_4K, 3 * SZ_4K,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1M, 1, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1M + 1, SZ_4K - 1,
					       GFP_KERNEL), 0);
	/* The 1-byte entry became page aligned: back to one word. */
	KUNIT_EXPECT_EQ(test, pl.rl.tail->used - pl.rl.last, 1U);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1G, 40 * SZ_1K,
					       GFP_KERNEL), 0);
	rl_expect(test, &pl, want, ARRAY_SIZE(want) / 2);

	/* A split that cannot allocate leaves everything as it was. */
	rl_fail_after(test, 0);
	while (pl.rl.tail->used < RANGE_LIST_CHUNK_WORDS)
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 4ULL * SZ_1G +
						       pl.rl.tail->used * SZ_1M,
						       SZ_4K, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, 8ULL * SZ_1G, SZ_32K,
					       GFP_KERNEL), -ENOMEM);
	rl_stop_failing(test);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl),
			SZ_16K + SZ_8K + SZ_4K + 40 * SZ_1K +
			(u64)(phys_list_count(&pl) - 6) * SZ_4K);
	phys_list_free(&pl);

	/* Ranges ending at the top of the space never merge with 0. */
	phys_list_init(&pl, &cfg);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, PHYS_ADDR_MAX, 1,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 2UL);
	phys_list_free(&pl);
}

static void rl_test_seg_boundary(struct kunit *test)
{
	struct range_list_cfg cfg = { .seg_boundary = SZ_64K - 1,
				      .coalesce = true };
	static const u64 want[] = {
		0xf000, SZ_4K, SZ_64K, SZ_64K,		/* split, merged */
		SZ_128K, SZ_4K,				/* on a boundary */
		SZ_1M, SZ_64K, SZ_1M + SZ_64K, 0x800,	/* long range */
	};
	static const u64 want_seg[] = {
		0xe000, SZ_8K, SZ_64K, 0x6000, 0x16000, 0x6000,
		0x1c000, SZ_16K, SZ_128K, SZ_8K,
	};
	static const u64 want_array[] = {
		0x1e000, SZ_8K, SZ_128K, SZ_4K, 0x40000, 0x3000,
		0x4f000, SZ_4K, 0x50000, SZ_8K,
	};
	u64 addrs[] = { 0x1e000, 0x40000, 0x4f000 };
	struct phys_list pl;
	struct dma_list dl;
	struct dma_list_iter di;
	dma_addr_t a;
	u64 l;

	/* Not 2^n - 1, or finer than the alignment. */
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &(struct range_list_cfg){
				.seg_boundary = SZ_4K }), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &(struct range_list_cfg){
				.seg_boundary = 0xfff0 }), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &(struct range_list_cfg){
				.seg_boundary = SZ_2K - 1, .align = SZ_4K }),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &(struct range_list_cfg){
				.seg_boundary = SZ_4K - 1, .align = SZ_4K }),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_init(&pl, &(struct range_list_cfg){
				.seg_boundary = U64_MAX, .align = SZ_4K }), 0);

	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0xf000, 0x3000,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0x12000, 0xe000,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_128K, SZ_4K,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1M, SZ_64K + 0x800,
					       GFP_KERNEL), 0);
	rl_expect(test, &pl, want, ARRAY_SIZE(want) / 2);
	phys_list_free(&pl);

	/* With a maximum segment size as well. */
	cfg.max_segment = 0x6000;
	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0xe000, SZ_64K,
					       GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0x1e000, SZ_16K,
					       GFP_KERNEL), 0);
	rl_expect(test, &pl, want_seg, ARRAY_SIZE(want_seg) / 2);
	phys_list_free(&pl);

	/* Arrays split crossing ranges too. */
	cfg.max_segment = 0;
	cfg.coalesce = false;
	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);
	KUNIT_ASSERT_EQ(test, range_list_append_array(&pl.rl, addrs, 3, 0x3000,
						      PHYS_ADDR_MAX,
						      GFP_KERNEL), 0);
	rl_expect(test, &pl, want_array, ARRAY_SIZE(want_array) / 2);
	phys_list_free(&pl);

	/* The pieces count against the entry limit; failures change nothing. */
	cfg = (struct range_list_cfg){ .seg_boundary = SZ_4K - 1,
				       .max_entries = 4 };
	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0x800, SZ_4K, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_64K, SZ_8K + 1,
					       GFP_KERNEL), -E2BIG);
	addrs[0] = SZ_128K;
	addrs[1] = 0x30f80;
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 2, 0x100,
						      PHYS_ADDR_MAX,
						      GFP_KERNEL), -E2BIG);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 2UL);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), (u64)SZ_4K);
	phys_list_free(&pl);

	/* A device with 64 KiB segments that must not cross 4 GiB. */
	KUNIT_ASSERT_EQ(test, dma_list_init(&dl, &(struct range_list_cfg){
				.max_segment = SZ_64K,
				.seg_boundary = U32_MAX,
				.coalesce = true }), 0);
	KUNIT_ASSERT_EQ(test, dma_list_append(&dl, 0xffff8000, SZ_16K,
					      GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, dma_list_append(&dl, 0xffffc000, SZ_32K,
					      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, dma_list_count(&dl), 2UL);
	dma_list_iter_start(&di, &dl);
	KUNIT_ASSERT_TRUE(test, dma_list_next_entry(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, 0xffff8000ULL);
	KUNIT_EXPECT_EQ(test, l, (u64)SZ_32K);
	KUNIT_ASSERT_TRUE(test, dma_list_next_entry(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, 0x100000000ULL);
	KUNIT_EXPECT_EQ(test, l, (u64)SZ_16K);
	KUNIT_EXPECT_FALSE(test, dma_list_next_entry(&di, &a, &l));
	dma_list_free(&dl);
}

static void rl_test_max_segment_no_coalesce(struct kunit *test)
{
	struct range_list_cfg cfg = { .max_segment = SZ_4K, .max_entries = 3 };
	static const u64 want[] = { 0, SZ_4K, SZ_4K, SZ_4K, SZ_8K, SZ_4K };
	struct phys_list pl;

	phys_list_init(&pl, &cfg);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0, SZ_8K, GFP_KERNEL), 0);
	/* Two more pieces would exceed the entry limit: nothing added. */
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_8K, SZ_8K, GFP_KERNEL),
			-E2BIG);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_8K, SZ_4K, GFP_KERNEL),
			0);
	rl_expect(test, &pl, want, 3);
	phys_list_free(&pl);
}

static void rl_test_cursor(struct kunit *test)
{
	struct phys_list pl;
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l, off, got, total;
	unsigned long i;

	phys_list_init(&pl, NULL);
	for (i = 0; i < 300; i++)
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, i * SZ_1M, SZ_4K,
						       GFP_KERNEL), 0);
	total = phys_list_len(&pl);
	phys_list_iter_init(&pi, &pl);
	for (off = 0; off < total; off += 1000) {
		u64 want = min_t(u64, 1000, total - off);

		KUNIT_ASSERT_EQ(test, phys_list_iter_seek(&pi, off, want), 0);
		got = 0;
		while (phys_list_iter_next(&pi, &a, &l)) {
			u64 pos = off + got;

			KUNIT_EXPECT_EQ(test, (u64)a,
					(pos / SZ_4K) * SZ_1M + pos % SZ_4K);
			got += l;
		}
		KUNIT_EXPECT_EQ(test, got, want);
	}
	/* Backwards, then past the end. */
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, SZ_4K + 7, 2), 0);
	KUNIT_EXPECT_TRUE(test, phys_list_iter_next(&pi, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, SZ_1M + 7ULL);
	KUNIT_EXPECT_EQ(test, l, 2ULL);
	KUNIT_EXPECT_FALSE(test, phys_list_iter_next(&pi, &a, &l));
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, total + 1, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, total, 1), -ERANGE);
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, 0, U64_MAX), -ERANGE);
	KUNIT_EXPECT_EQ(test, phys_list_iter_seek(&pi, total, 0), 0);
	KUNIT_EXPECT_FALSE(test, phys_list_iter_next(&pi, &a, &l));
	phys_list_free(&pl);
}

static void rl_test_dma_iter(struct kunit *test)
{
	struct dma_list dl;
	struct dma_list_iter di;
	dma_addr_t a;
	u64 l, sum = 0;

	dma_list_init(&dl, NULL);
	KUNIT_ASSERT_EQ(test, dma_list_append(&dl, 0x10000, 0x3000,
					      GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, dma_list_append(&dl, 0x40000, 0x10, GFP_KERNEL),
			0);
	dma_list_for_each(&dl, &di, a, l)
		sum += l;
	KUNIT_EXPECT_EQ(test, sum, 0x3010ULL);
	KUNIT_EXPECT_EQ(test, dma_list_mem_bytes(&dl),
			sizeof(dl.rl) + RANGE_LIST_CHUNK_SIZE);
	KUNIT_ASSERT_EQ(test, dma_list_iter_seek(&di, 0x2ff8, 0x10), 0);
	KUNIT_EXPECT_TRUE(test, dma_list_iter_next(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, 0x12ff8ULL);
	KUNIT_EXPECT_EQ(test, l, 8ULL);
	KUNIT_EXPECT_TRUE(test, dma_list_iter_next(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, 0x40000ULL);
	KUNIT_EXPECT_EQ(test, l, 8ULL);
	KUNIT_EXPECT_FALSE(test, dma_list_iter_next(&di, &a, &l));
	dma_list_free(&dl);
}

static void rl_test_prealloc_atomic(struct kunit *test)
{
	struct dma_list dl;
	unsigned long i;
	spinlock_t lock;	/* only to run the appends atomically */
	int err = 0;

	spin_lock_init(&lock);
	dma_list_init(&dl, NULL);
	rl_fail_after(test, 0);
	KUNIT_EXPECT_EQ(test, dma_list_prealloc(&dl, 1, GFP_KERNEL), -ENOMEM);
	rl_fail_after(test, 100);
	KUNIT_ASSERT_EQ(test, dma_list_prealloc(&dl, 200, GFP_KERNEL), 0);
	/* From here on any allocation fails the test. */
	rl_fail_after(test, 0);
	spin_lock(&lock);
	for (i = 0; i < 200 && !err; i++)
		err = dma_list_append(&dl, i * 3, 1ULL << 54, GFP_ATOMIC);
	spin_unlock(&lock);
	rl_stop_failing(test);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, dma_list_count(&dl), 200UL);
	dma_list_free(&dl);
}

static void rl_test_rollback(struct kunit *test)
{
	struct range_list_cfg cfg = { .coalesce = true };
	static const u64 want[] = { 0, SZ_8K };
	struct range_list_mark m;
	struct phys_list pl;
	int i;

	phys_list_init(&pl, &cfg);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 0, SZ_8K, GFP_KERNEL), 0);
	range_list_mark(&pl.rl, &m);
	/* Widens the last entry, then fills several chunks. */
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_8K, 1, GFP_KERNEL), 0);
	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1G + i * SZ_1M,
						       SZ_4K, GFP_KERNEL), 0);
	range_list_rollback(&pl.rl, &m);
	rl_expect(test, &pl, want, 1);
	KUNIT_EXPECT_GT(test, pl.rl.nr_spare, 0U);
	phys_list_free(&pl);
}

#define RL_IMAGE_CHUNKS	8

/* A byte copy of a list's used words, chunk by chunk, and its counters. */
struct rl_image {
	const struct range_list_chunk *chunk[RL_IMAGE_CHUNKS];
	unsigned int used[RL_IMAGE_CHUNKS];
	u64 w[RL_IMAGE_CHUNKS][RANGE_LIST_CHUNK_WORDS];
	unsigned int nr_chunks;
	const struct range_list_chunk *tail;
	unsigned int last;
	unsigned long count;
	u64 len;
	size_t mem;
};

static void rl_take_image(struct kunit *test, const struct phys_list *pl,
			  struct rl_image *im)
{
	const struct range_list_chunk *c;
	unsigned int i = 0;

	memset(im, 0, sizeof(*im));
	for (c = pl->rl.head; c; c = c->next, i++) {
		KUNIT_ASSERT_LT(test, i, RL_IMAGE_CHUNKS);
		im->chunk[i] = c;
		im->used[i] = c->used;
		memcpy(im->w[i], c->w, c->used * sizeof(u64));
	}
	im->nr_chunks = i;
	im->tail = pl->rl.tail;
	im->last = pl->rl.last;
	im->count = phys_list_count(pl);
	im->len = phys_list_len(pl);
	im->mem = range_list_mem_bytes(&pl->rl);
}

static void rl_expect_image(struct kunit *test, const struct rl_image *a,
			    const struct rl_image *b)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, a->nr_chunks, b->nr_chunks);
	for (i = 0; i < a->nr_chunks; i++) {
		KUNIT_EXPECT_PTR_EQ(test, a->chunk[i], b->chunk[i]);
		KUNIT_ASSERT_EQ(test, a->used[i], b->used[i]);
		KUNIT_EXPECT_MEMEQ(test, a->w[i], b->w[i],
				   a->used[i] * sizeof(u64));
	}
	KUNIT_EXPECT_PTR_EQ(test, a->tail, b->tail);
	KUNIT_EXPECT_EQ(test, a->last, b->last);
	KUNIT_EXPECT_EQ(test, a->count, b->count);
	KUNIT_EXPECT_EQ(test, a->len, b->len);
	KUNIT_EXPECT_EQ(test, a->mem, b->mem);
}

/* Appends over several chunks: a widening merge, arrays, a 3-word entry. */
static int rl_batches(struct phys_list *pl, u64 *addrs)
{
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l, end = 0;
	int i, err;

	phys_list_for_each(pl, &pi, a, l)
		end = a + l;
	err = phys_list_append(pl, end, 100, GFP_KERNEL);
	for (i = 0; i < 150; i++)
		addrs[i] = SZ_4G + (u64)i * 3 * SZ_4K;
	err = err ?: range_list_append_array(&pl->rl, addrs, 150, SZ_4K,
					     PHYS_ADDR_MAX, GFP_KERNEL);
	err = err ?: phys_list_append(pl, 1ULL << 40, 1ULL << 62, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		addrs[i] = 2 * SZ_4G + (u64)(i / 2) * 3 * SZ_4K +
			   (i & 1) * SZ_4K;
	err = err ?: range_list_append_array(&pl->rl, addrs, 100, SZ_4K,
					     PHYS_ADDR_MAX, GFP_KERNEL);
	return err ?: phys_list_append(pl, 3 * SZ_4G, SZ_1M, GFP_KERNEL);
}

static void rl_test_rollback_batches(struct kunit *test)
{
	struct range_list_cfg cfg = { .coalesce = true };
	struct rl_image *before, *after;
	struct range_list_mark m;
	struct phys_list pl, ref;
	unsigned long count;
	u64 *addrs;
	int i;

	before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	addrs = kunit_kmalloc_array(test, 150, sizeof(*addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	KUNIT_ASSERT_NOT_NULL(test, addrs);

	/* Mark inside a chunk whose last entry the batches widen. */
	phys_list_init(&pl, &cfg);
	phys_list_init(&ref, &cfg);
	for (i = 0; i < 40; i++) {
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, (u64)i * SZ_1M,
						       SZ_8K, GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, phys_list_append(&ref, (u64)i * SZ_1M,
						       SZ_8K, GFP_KERNEL), 0);
	}
	rl_take_image(test, &pl, before);
	range_list_mark(&pl.rl, &m);
	KUNIT_ASSERT_EQ(test, rl_batches(&pl, addrs), 0);
	count = phys_list_count(&pl);
	KUNIT_EXPECT_GT(test, count, 3 * RANGE_LIST_CHUNK_WORDS);
	range_list_rollback(&pl.rl, &m);
	rl_take_image(test, &pl, after);
	rl_expect_image(test, before, after);
	/* Appending again gives what a list that never rolled back holds. */
	KUNIT_ASSERT_EQ(test, rl_batches(&pl, addrs), 0);
	KUNIT_ASSERT_EQ(test, rl_batches(&ref, addrs), 0);
	rl_take_image(test, &pl, before);
	rl_take_image(test, &ref, after);
	memcpy(before->chunk, after->chunk, sizeof(before->chunk));
	before->tail = after->tail;
	rl_expect_image(test, before, after);
	phys_list_free(&ref);
	phys_list_free(&pl);

	/* Mark when the tail chunk is exactly full. */
	phys_list_init(&pl, &cfg);
	for (i = 0; i < (int)RANGE_LIST_CHUNK_WORDS; i++)
		KUNIT_ASSERT_EQ(test, phys_list_append(&pl, (u64)i * SZ_1M,
						       SZ_4K, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pl.rl.tail->used, RANGE_LIST_CHUNK_WORDS);
	rl_take_image(test, &pl, before);
	range_list_mark(&pl.rl, &m);
	KUNIT_ASSERT_EQ(test, rl_batches(&pl, addrs), 0);
	range_list_rollback(&pl.rl, &m);
	rl_take_image(test, &pl, after);
	rl_expect_image(test, before, after);
	/* The chunks given back serve further appends: none allocated. */
	rl_fail_after(test, 0);
	KUNIT_EXPECT_EQ(test, rl_batches(&pl, addrs), 0);
	rl_stop_failing(test);
	/* The widened entry no longer fits the full chunk: one more. */
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl),
			count - 40 + RANGE_LIST_CHUNK_WORDS + 1);
	phys_list_free(&pl);

	/* Mark on an empty list. */
	phys_list_init(&pl, &cfg);
	range_list_mark(&pl.rl, &m);
	KUNIT_ASSERT_EQ(test, rl_batches(&pl, addrs), 0);
	range_list_rollback(&pl.rl, &m);
	KUNIT_EXPECT_NULL(test, pl.rl.head);
	KUNIT_EXPECT_NULL(test, pl.rl.tail);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 0UL);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), 0ULL);
	KUNIT_EXPECT_EQ(test, range_list_mem_bytes(&pl.rl), sizeof(pl.rl));
	KUNIT_EXPECT_EQ(test, rl_batches(&pl, addrs), 0);
	phys_list_free(&pl);
}

static void rl_test_append_array(struct kunit *test)
{
	struct range_list_cfg cfg = { .align = SZ_4K, .max_entries = 150 };
	struct phys_list pl;
	u64 *addrs;
	unsigned int i;

	addrs = kunit_kmalloc_array(test, 200, sizeof(*addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, addrs);
	for (i = 0; i < 200; i++)
		addrs[i] = (u64)i * SZ_1M;
	phys_list_init(&pl, &cfg);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 1ULL << 52, SZ_4K,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 0, SZ_4K,
						      PHYS_ADDR_MAX,
						      GFP_KERNEL), 0);
	/* No memory for the third chunk (spare chunks are kept after this). */
	rl_fail_after(test, 1);
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 140,
						      SZ_4K, PHYS_ADDR_MAX,
						      GFP_KERNEL), -ENOMEM);
	rl_stop_failing(test);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 1UL);
	/* More entries than allowed, misaligned, wrapping. */
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 200,
						      SZ_4K, PHYS_ADDR_MAX,
						      GFP_KERNEL), -E2BIG);
	addrs[100] += 1;
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 140,
						      SZ_4K, PHYS_ADDR_MAX,
						      GFP_KERNEL), -EINVAL);
	addrs[100] = PHYS_ADDR_MAX & ~0xfffULL;
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 140,
						      SZ_8K, PHYS_ADDR_MAX,
						      GFP_KERNEL), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 2, 0,
						      PHYS_ADDR_MAX,
						      GFP_KERNEL), -EINVAL);
	addrs[100] = 100ULL * SZ_1M;
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 1UL);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), (u64)SZ_4K);
	/* Crosses chunk boundaries with a 2-word entry in front. */
	KUNIT_ASSERT_EQ(test, range_list_append_array(&pl.rl, addrs, 140,
						      SZ_4K, PHYS_ADDR_MAX,
						      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 141UL);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), 141ULL * SZ_4K);
	KUNIT_EXPECT_EQ(test, range_list_mem_bytes(&pl.rl),
			sizeof(pl.rl) + 3 * RANGE_LIST_CHUNK_SIZE);
	phys_list_free(&pl);
}

/*
 * phys_list_aligned() answers from what was appended, without a walk:
 * whole pages appended one by one or as an array are page aligned, one
 * sub-page range makes the list unaligned, and an append refused half-way
 * and rolled back leaves the answer as it was.
 */
static void rl_test_aligned(struct kunit *test)
{
	struct range_list_cfg cfg = { .coalesce = true, .max_entries = 5 };
	/* 8 KiB ranges on odd 4 KiB boundaries: only the starts say 4 KiB */
	u64 addrs[3] = { SZ_1M + SZ_4K, SZ_2M + SZ_4K, SZ_4M + SZ_4K };
	struct phys_list pl;

	phys_list_init(&pl, &cfg);
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_1G));
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_64K, SZ_64K,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_64K));
	KUNIT_EXPECT_FALSE(test, phys_list_aligned(&pl, SZ_128K));
	KUNIT_ASSERT_EQ(test, range_list_append_array(&pl.rl, addrs, 3, SZ_8K,
						      PHYS_ADDR_MAX,
						      GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_4K));
	KUNIT_EXPECT_FALSE(test, phys_list_aligned(&pl, SZ_8K));

	/* Refused after its first entry and rolled back: nothing remains */
	addrs[0] = SZ_1G + 0x800;
	KUNIT_EXPECT_EQ(test, range_list_append_array(&pl.rl, addrs, 3, SZ_8K,
						      PHYS_ADDR_MAX,
						      GFP_KERNEL), -E2BIG);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 4UL);
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_4K));

	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_1G + 0x800, 0x800,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_FALSE(test, phys_list_aligned(&pl, SZ_4K));
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_2K));
	phys_list_free(&pl);
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_4K));
}

static void rl_test_pages_folios(struct kunit *test)
{
	struct range_list_cfg cfg = { .coalesce = true };
	struct page *pages[4];
	struct folio *folio;
	struct phys_list pl;
	unsigned int i;

	folio = folio_alloc(GFP_KERNEL, 1);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	for (i = 0; i < 4; i++)
		pages[i] = folio_page(folio, i & 1);

	phys_list_init(&pl, &cfg);
	/* Pages 0,1 merge; page 0 again starts a new entry. */
	KUNIT_EXPECT_EQ(test, phys_list_from_pages(&pl, pages, 4, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 2UL);
	KUNIT_EXPECT_EQ(test, phys_list_len(&pl), 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, phys_list_from_folios(&pl, &folio, 1, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 3UL);
	KUNIT_EXPECT_EQ(test, phys_list_append_folio(&pl, folio, 1,
						     folio_size(folio),
						     GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_append_folio(&pl, folio,
						     folio_size(folio), 0,
						     GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_append_folio(&pl, folio, 5, 10,
						     GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_append_page(&pl, pages[1], 100, 50,
						    GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 5UL);
	phys_list_free(&pl);

	/* Without coalescing, every page is an entry. */
	phys_list_init(&pl, NULL);
	KUNIT_EXPECT_EQ(test, phys_list_from_pages(&pl, pages, 4, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 4UL);
	phys_list_free(&pl);

	/* A failure part way leaves the list empty again. */
	rl_fail_after(test, 0);
	KUNIT_EXPECT_EQ(test, phys_list_from_pages(&pl, pages, 4, GFP_KERNEL),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, phys_list_from_folios(&pl, &folio, 1,
						    GFP_KERNEL), -ENOMEM);
	rl_stop_failing(test);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 0UL);
	phys_list_free(&pl);
	folio_put(folio);
}

static void rl_test_sgt_round_trip(struct kunit *test)
{
	struct range_list_cfg cfg = { .max_entries = 2 };
	struct page *pages[3];
	struct phys_list pl, back;
	struct dma_list dl, dback;
	struct sg_table sgt;
	struct scatterlist *sg;
	unsigned int i;
	u64 want[6];

	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	phys_list_init(&pl, NULL);
	KUNIT_EXPECT_EQ(test, phys_list_to_sgt(&pl, &sgt, GFP_KERNEL),
			-EINVAL);
	for (i = 0; i < 3; i++) {
		want[2 * i] = page_to_phys(pages[i]) + 8 * i;
		want[2 * i + 1] = PAGE_SIZE - 8 * i;
		KUNIT_ASSERT_EQ(test, phys_list_append_page(&pl, pages[i],
							    8 * i,
							    PAGE_SIZE - 8 * i,
							    GFP_KERNEL), 0);
	}
	KUNIT_ASSERT_EQ(test, phys_list_to_sgt(&pl, &sgt, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, 3U);
	for_each_sgtable_sg(&sgt, sg, i) {
		KUNIT_EXPECT_PTR_EQ(test, sg_page(sg), pages[i]);
		KUNIT_EXPECT_EQ(test, sg->offset, 8 * i);
	}
	phys_list_init(&back, NULL);
	KUNIT_EXPECT_EQ(test, phys_list_from_sgt(&back, &sgt, GFP_KERNEL), 0);
	rl_expect(test, &back, want, 3);
	phys_list_free(&back);
	/* Too many entries for the target: nothing appended. */
	phys_list_init(&back, &cfg);
	KUNIT_EXPECT_EQ(test, phys_list_from_sgt(&back, &sgt, GFP_KERNEL),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, phys_list_count(&back), 0UL);
	phys_list_free(&back);
	phys_list_free_sgt(&sgt);

	/* Memory without struct page cannot become a page sg_table. */
	phys_list_free(&pl);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, 1ULL << 51, PAGE_SIZE,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_to_sgt(&pl, &sgt, GFP_KERNEL),
			-EINVAL);
	phys_list_free(&pl);

	/* DMA side: DMA-only table, pieces of at most 2 GiB. */
	dma_list_init(&dl, NULL);
	KUNIT_EXPECT_EQ(test, dma_list_to_sgt(&dl, &sgt, GFP_KERNEL), -EINVAL);
	KUNIT_ASSERT_EQ(test, dma_list_append(&dl, 0x1000, 0x200, GFP_KERNEL),
			0);
	KUNIT_ASSERT_EQ(test, dma_list_append(&dl, 0x100000000ULL,
					      (u64)SZ_4G + 5, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, dma_list_to_sgt(&dl, &sgt, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, sgt.nents, 4U);
	for_each_sgtable_dma_sg(&sgt, sg, i)
		KUNIT_EXPECT_NULL(test, sg_page(sg));
	dma_list_init(&dback, NULL);
	KUNIT_EXPECT_EQ(test, dma_list_from_sgt(&dback, &sgt, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, dma_list_count(&dback), 4UL);
	KUNIT_EXPECT_EQ(test, dma_list_len(&dback), dma_list_len(&dl));
	dma_list_free(&dback);
	dma_list_init(&dback, &cfg);
	KUNIT_EXPECT_EQ(test, dma_list_from_sgt(&dback, &sgt, GFP_KERNEL),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, dma_list_count(&dback), 0UL);
	dma_list_free(&dback);
	dma_list_free_sgt(&sgt);
	dma_list_free(&dl);

	for (i = 0; i < 3; i++)
		__free_page(pages[i]);
}

/*
 * Page tables for a device: no entry longer than its maximum segment,
 * none crossing its segment boundary, the pages and bytes unchanged.
 */
static void rl_test_sgt_device_limits(struct kunit *test)
{
	struct sg_table sgt;
	struct scatterlist *sg;
	struct phys_list pl;
	struct page *block;
	phys_addr_t base;
	u64 want[] = { SZ_16K, SZ_16K - SZ_4K, SZ_16K, SZ_16K - SZ_4K };
	unsigned int i;

	/* 64 KiB, naturally aligned: [4K, 60K) crosses the 32 KiB boundary */
	block = alloc_pages(GFP_KERNEL, 4);
	KUNIT_ASSERT_NOT_NULL(test, block);
	base = page_to_phys(block);
	phys_list_init(&pl, NULL);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, base + SZ_4K,
					       SZ_64K - SZ_8K, GFP_KERNEL), 0);

	KUNIT_EXPECT_EQ(test, phys_list_to_sgt_segs(&pl, &sgt, SZ_16K,
						    SZ_32K - 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, (unsigned int)ARRAY_SIZE(want));
	for_each_sgtable_sg(&sgt, sg, i) {
		if (i >= ARRAY_SIZE(want))
			break;
		KUNIT_EXPECT_EQ(test, (u64)sg->length, want[i]);
		KUNIT_EXPECT_EQ(test, sg_phys(sg) >> 15,
				(sg_phys(sg) + sg->length - 1) >> 15);
	}
	KUNIT_EXPECT_EQ(test, sg_phys(sgt.sgl), base + SZ_4K);
	phys_list_free_sgt(&sgt);

	/* limits below a page are refused */
	KUNIT_EXPECT_EQ(test, phys_list_to_sgt_segs(&pl, &sgt, SZ_2K, U64_MAX,
						    GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, phys_list_to_sgt_segs(&pl, &sgt, SZ_16K, SZ_2K - 1,
						    GFP_KERNEL), -EINVAL);
	phys_list_free(&pl);
	__free_pages(block, 4);
}

/* The pieces of a DMA list's whole walk, as (addr, len) pairs. */
static unsigned int rl_dma_pieces(const struct dma_list *dl, u64 *out,
				  unsigned int max)
{
	struct dma_list_iter di;
	unsigned int n = 0;
	dma_addr_t a;
	u64 l;

	dma_list_for_each(dl, &di, a, l) {
		if (n < max) {
			out[2 * n] = a;
			out[2 * n + 1] = l;
		}
		n++;
	}
	return n;
}

/*
 * An IOVA run as dma_map_phys_list() appends it: 64 MiB across a 4 GiB
 * boundary, in 4 KiB appends, for a device with 64 KiB segments.  Stored
 * whole it is one entry (split at the boundary and in segments only when
 * handed out), and users still see 1,024 pieces of 64 KiB.
 */
static void rl_test_split_on_read_stores_runs_whole(struct kunit *test)
{
	const struct range_list_cfg cfg = {
		.max_segment = SZ_64K,
		.seg_boundary = SZ_4G - 1,
		.coalesce = true,
		.split_on_read = true,
	};
	const u64 start = SZ_4G - SZ_32M;
	struct dma_list_iter di;
	struct sg_table sgt;
	struct scatterlist *sg;
	struct dma_list dl;
	u64 off, l, next = start;
	unsigned int i, n = 0;
	dma_addr_t a;

	KUNIT_ASSERT_EQ(test, dma_list_init(&dl, &cfg), 0);
	for (off = 0; off < SZ_64M; off += SZ_4K)
		KUNIT_ASSERT_EQ(test, dma_list_append(&dl, start + off, SZ_4K,
						      GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, dma_list_mem_bytes(&dl),
			sizeof(dl.rl) + RANGE_LIST_CHUNK_SIZE);
	KUNIT_EXPECT_EQ(test, dma_list_count(&dl), 1024UL);
	KUNIT_EXPECT_EQ(test, dma_list_len(&dl), (u64)SZ_64M);
	dma_list_for_each(&dl, &di, a, l) {
		KUNIT_EXPECT_EQ(test, (u64)a, next);
		KUNIT_EXPECT_EQ(test, l, (u64)SZ_64K);
		next = a + l;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 1024U);

	/* A window starting inside a piece gets the rest of that piece. */
	dma_list_iter_init(&di, &dl);
	KUNIT_ASSERT_EQ(test, dma_list_iter_seek(&di, SZ_64K + SZ_8K, SZ_128K),
			0);
	KUNIT_EXPECT_TRUE(test, dma_list_iter_next(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, start + SZ_64K + SZ_8K);
	KUNIT_EXPECT_EQ(test, l, (u64)(SZ_64K - SZ_8K));
	KUNIT_EXPECT_TRUE(test, dma_list_iter_next(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, l, (u64)SZ_64K);
	KUNIT_EXPECT_TRUE(test, dma_list_iter_next(&di, &a, &l));
	KUNIT_EXPECT_EQ(test, (u64)a, start + 3 * SZ_64K);
	KUNIT_EXPECT_EQ(test, l, (u64)SZ_8K);
	KUNIT_EXPECT_FALSE(test, dma_list_iter_next(&di, &a, &l));

	/* The DMA-only table has the same pieces, sized from the count. */
	KUNIT_ASSERT_EQ(test, dma_list_to_sgt(&dl, &sgt, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, sgt.orig_nents, 1024U);
	next = start;
	for_each_sgtable_dma_sg(&sgt, sg, i) {
		KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(sg), next);
		KUNIT_EXPECT_EQ(test, sg_dma_len(sg), SZ_64K);
		next += SZ_64K;
	}
	dma_list_free_sgt(&sgt);
	dma_list_free(&dl);
}

/*
 * Odd limits (a segment of 12 KiB, a 32 KiB boundary, unaligned ranges):
 * a list that stores ranges whole hands out exactly the pieces, and the
 * count, of one that splits them when they are appended.
 */
static void rl_test_split_on_read_matches_split_on_append(struct kunit *test)
{
	static const u64 ranges[] = {
		0x1000, 0x20000,	/* many segments and boundaries */
		0x21000, 0x800,		/* continues it */
		0x21800, 0x1f800,	/* ends on a boundary */
		0x48100, 0x3000,	/* unaligned */
		0x4b100, 0x2ff00,	/* continues it across a boundary */
		0x100000, 0x3000,
	};
	struct range_list_cfg cfg = {
		.max_segment = SZ_8K + SZ_4K,
		.seg_boundary = SZ_32K - 1,
		.coalesce = true,
	};
	u64 *got, *want;
	struct dma_list whole, split;
	unsigned int i, n;

	got = kunit_kcalloc(test, 2 * 64, sizeof(u64), GFP_KERNEL);
	want = kunit_kcalloc(test, 2 * 64, sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_EQ(test, dma_list_init(&split, &cfg), 0);
	cfg.split_on_read = true;
	KUNIT_ASSERT_EQ(test, dma_list_init(&whole, &cfg), 0);
	for (i = 0; i < ARRAY_SIZE(ranges); i += 2) {
		KUNIT_ASSERT_EQ(test, dma_list_append(&split, ranges[i],
						      ranges[i + 1],
						      GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, dma_list_append(&whole, ranges[i],
						      ranges[i + 1],
						      GFP_KERNEL), 0);
	}
	n = rl_dma_pieces(&split, want, 64);
	KUNIT_ASSERT_LE(test, n, 64U);
	KUNIT_EXPECT_EQ(test, rl_dma_pieces(&whole, got, 64), n);
	KUNIT_EXPECT_EQ(test, dma_list_count(&whole), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, dma_list_count(&split), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, 2 * n * sizeof(u64)), 0);
	dma_list_free(&whole);
	dma_list_free(&split);
}

/* max_entries counts pieces; a refused append or merge changes nothing. */
static void rl_test_split_on_read_entry_limit(struct kunit *test)
{
	const struct range_list_cfg cfg = {
		.max_segment = SZ_4K,
		.max_entries = 4,
		.coalesce = true,
		.split_on_read = true,
	};
	u64 want[] = { SZ_1M, SZ_4K, SZ_1M + SZ_4K, SZ_4K,
		       SZ_1M + SZ_8K, SZ_4K, SZ_1M + SZ_8K + SZ_4K, SZ_4K };
	struct phys_list pl;

	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_1M, SZ_8K, GFP_KERNEL),
			0);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_1M + SZ_8K, SZ_8K,
					       GFP_KERNEL), 0);
	rl_expect(test, &pl, want, 4);
	/* A merge that would add a piece, and a new entry: both refused. */
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_1M + SZ_16K, SZ_4K,
					       GFP_KERNEL), -E2BIG);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_2M, SZ_4K, GFP_KERNEL),
			-E2BIG);
	rl_expect(test, &pl, want, 4);
	phys_list_free(&pl);
	KUNIT_EXPECT_EQ(test, phys_list_append(&pl, SZ_1M, SZ_16K + SZ_4K,
					       GFP_KERNEL), -E2BIG);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 0UL);
	phys_list_free(&pl);
}

/* phys_list_aligned() answers for the pieces, not for the stored run. */
static void rl_test_split_on_read_aligned(struct kunit *test)
{
	const struct range_list_cfg cfg = {
		.max_segment = SZ_8K + SZ_4K,
		.split_on_read = true,
	};
	struct phys_list pl;

	KUNIT_ASSERT_EQ(test, phys_list_init(&pl, &cfg), 0);
	KUNIT_ASSERT_EQ(test, phys_list_append(&pl, SZ_2M, SZ_16K + SZ_8K,
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, phys_list_count(&pl), 2UL);
	/* The second piece starts at 2 MiB + 12 KiB. */
	KUNIT_EXPECT_TRUE(test, phys_list_aligned(&pl, SZ_4K));
	KUNIT_EXPECT_FALSE(test, phys_list_aligned(&pl, SZ_8K));
	phys_list_free(&pl);
}

static struct kunit_case range_list_test_cases[] = {
	KUNIT_CASE(rl_test_empty),
	KUNIT_CASE(rl_test_one_byte),
	KUNIT_CASE(rl_test_encodings),
	KUNIT_CASE(rl_test_chunks),
	KUNIT_CASE(rl_test_bad_input),
	KUNIT_CASE(rl_test_coalesce),
	KUNIT_CASE(rl_test_max_segment_no_coalesce),
	KUNIT_CASE(rl_test_seg_boundary),
	KUNIT_CASE(rl_test_cursor),
	KUNIT_CASE(rl_test_dma_iter),
	KUNIT_CASE(rl_test_prealloc_atomic),
	KUNIT_CASE(rl_test_rollback),
	KUNIT_CASE(rl_test_rollback_batches),
	KUNIT_CASE(rl_test_append_array),
	KUNIT_CASE(rl_test_aligned),
	KUNIT_CASE(rl_test_pages_folios),
	KUNIT_CASE(rl_test_sgt_round_trip),
	KUNIT_CASE(rl_test_sgt_device_limits),
	KUNIT_CASE(rl_test_split_on_read_stores_runs_whole),
	KUNIT_CASE(rl_test_split_on_read_matches_split_on_append),
	KUNIT_CASE(rl_test_split_on_read_entry_limit),
	KUNIT_CASE(rl_test_split_on_read_aligned),
	{}
};

static struct kunit_suite range_list_test_suite = {
	.name = "range_list",
	.test_cases = range_list_test_cases,
};

kunit_test_suite(range_list_test_suite);

MODULE_DESCRIPTION("KUnit tests for physical and DMA range lists");
MODULE_LICENSE("GPL");
