// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PRIME helpers that turn an import's mapping into the
 * per-page arrays drivers keep: pages from an sg_table, DMA addresses
 * from a DMA list.
 */
#include <linux/mm.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>

#include <drm/drm_prime.h>

#include <kunit/test.h>

#define POISON_PAGE	((struct page *)0x5a5a5a5a5a5a5a5aUL)

static void drm_prime_free_table(void *sgt)
{
	sg_free_table(sgt);
}

/* An sg_table of @n pages, as exporters of memory with pages give it */
static struct sg_table *drm_prime_test_page_table(struct kunit *test,
						  struct page **pages, int n)
{
	struct sg_table *sgt = kunit_kzalloc(test, sizeof(*sgt), GFP_KERNEL);
	struct scatterlist *sg;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(sgt, n, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							drm_prime_free_table,
							sgt), 0);
	for_each_sgtable_sg(sgt, sg, i) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		sg_set_page(sg, pages[i], PAGE_SIZE, 0);
	}
	return sgt;
}

static void drm_prime_test_put_pages(struct page **pages, int n)
{
	while (n--)
		__free_page(pages[n]);
}

static void drm_prime_test_page_array_of_pages(struct kunit *test)
{
	struct page *pages[3], *got[3];
	struct sg_table *sgt = drm_prime_test_page_table(test, pages, 3);

	KUNIT_EXPECT_EQ(test, drm_prime_sg_to_page_array(sgt, got, 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, got[0], pages[0]);
	KUNIT_EXPECT_PTR_EQ(test, got[1], pages[1]);
	KUNIT_EXPECT_PTR_EQ(test, got[2], pages[2]);
	drm_prime_test_put_pages(pages, 3);
}

/*
 * Peer-to-peer memory comes as a DMA-only table (orig_nents 0): there are
 * no pages to walk, and a page array of it would be left unfilled.
 */
static void drm_prime_test_page_array_refuses_dma_only_table(struct kunit *test)
{
	struct page *pages[2], *got[2] = { POISON_PAGE, POISON_PAGE };
	struct sg_table *sgt = drm_prime_test_page_table(test, pages, 2);
	unsigned int orig = sgt->orig_nents;

	sg_dma_address(sgt->sgl) = 0x100000;
	sg_dma_len(sgt->sgl) = 2 * PAGE_SIZE;
	sgt->nents = 1;
	sgt->orig_nents = 0;
	KUNIT_EXPECT_EQ(test, drm_prime_sg_to_page_array(sgt, got, 2),
			-EOPNOTSUPP);
	KUNIT_EXPECT_PTR_EQ(test, got[0], POISON_PAGE);
	KUNIT_EXPECT_PTR_EQ(test, got[1], POISON_PAGE);
	/* sg_free_table() frees orig_nents entries */
	sgt->orig_nents = orig;
	drm_prime_test_put_pages(pages, 2);
}

static void drm_prime_free_dma_list(void *dl)
{
	dma_list_free(dl);
}

/* A DMA list of @n ranges @r[i][0] + @r[i][1] */
static struct dma_list *drm_prime_test_dma_list(struct kunit *test,
						const u64 (*r)[2], int n)
{
	struct dma_list *dl = kunit_kzalloc(test, sizeof(*dl), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, dl);
	KUNIT_ASSERT_EQ(test, dma_list_init(dl, NULL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							drm_prime_free_dma_list,
							dl), 0);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, dma_list_append(dl, r[i][0], r[i][1],
						      GFP_KERNEL), 0);
	return dl;
}

static void drm_prime_test_dma_list_to_addr_array(struct kunit *test)
{
	static const u64 r[][2] = {
		{ 0x10000, 2 * PAGE_SIZE },
		{ 0x40000, PAGE_SIZE },
	};
	struct dma_list *dl = drm_prime_test_dma_list(test, r, ARRAY_SIZE(r));
	dma_addr_t addrs[4] = { 1, 1, 1, 1 };

	KUNIT_EXPECT_EQ(test, drm_prime_dma_list_to_dma_addr_array(dl, addrs, 4),
			0);
	KUNIT_EXPECT_EQ(test, addrs[0], 0x10000);
	KUNIT_EXPECT_EQ(test, addrs[1], 0x10000 + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, addrs[2], 0x40000);
	/* Nothing written past the list's pages */
	KUNIT_EXPECT_EQ(test, addrs[3], 1);
}

static void drm_prime_test_dma_list_to_addr_array_too_short(struct kunit *test)
{
	static const u64 r[][2] = { { 0x10000, 3 * PAGE_SIZE } };
	struct dma_list *dl = drm_prime_test_dma_list(test, r, ARRAY_SIZE(r));
	dma_addr_t addrs[3] = { 1, 1, 1 };

	KUNIT_EXPECT_EQ(test, drm_prime_dma_list_to_dma_addr_array(dl, addrs, 2),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, addrs[2], 1);
}

static void drm_prime_test_dma_list_to_addr_array_unaligned(struct kunit *test)
{
	static const u64 r[][2] = {
		{ 0x10000, PAGE_SIZE },
		{ 0x40200, PAGE_SIZE },
	};
	struct dma_list *dl = drm_prime_test_dma_list(test, r, ARRAY_SIZE(r));
	dma_addr_t addrs[2];

	KUNIT_EXPECT_EQ(test, drm_prime_dma_list_to_dma_addr_array(dl, addrs, 2),
			-EINVAL);
}

static struct kunit_case drm_prime_tests[] = {
	KUNIT_CASE(drm_prime_test_page_array_of_pages),
	KUNIT_CASE(drm_prime_test_page_array_refuses_dma_only_table),
	KUNIT_CASE(drm_prime_test_dma_list_to_addr_array),
	KUNIT_CASE(drm_prime_test_dma_list_to_addr_array_too_short),
	KUNIT_CASE(drm_prime_test_dma_list_to_addr_array_unaligned),
	{}
};

static struct kunit_suite drm_prime_test_suite = {
	.name = "drm_prime",
	.test_cases = drm_prime_tests,
};

kunit_test_suite(drm_prime_test_suite);

MODULE_DESCRIPTION("KUnit tests of the DRM PRIME page and address array helpers");
MODULE_LICENSE("GPL");
