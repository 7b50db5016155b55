// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test suite for the PRIME export of DMA GEM objects
 *
 * A DMA GEM object describes its memory as a range list, and the dma-buf
 * core maps that list for each importer within the importer's own limits.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/range_list.h>
#include <linux/sizes.h>

#include <kunit/test.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_dma_helper.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_prime.h>

MODULE_IMPORT_NS(DMA_BUF);

/* Contiguous, and larger than the mock device's 64 KiB segments */
#define TEST_SIZE		SZ_1M

DEFINE_DRM_GEM_DMA_FOPS(drm_gem_dma_test_fops);

static const struct drm_driver drm_gem_dma_test_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &drm_gem_dma_test_fops,
	DRM_GEM_DMA_DRIVER_OPS,
};

KUNIT_DEFINE_ACTION_WRAPPER(drm_gem_dma_free_wrapper, drm_gem_dma_free,
			    struct drm_gem_dma_object *);

/*
 * The last fput of a kthread's file is deferred: release the dma-buf, and
 * with it the export's reference to the object, before the object goes.
 */
static void drm_gem_dma_test_dma_buf_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
	flush_delayed_fput();
}

static void drm_gem_dma_test_phys_list_free(void *pl)
{
	phys_list_free(pl);
	kfree(pl);
}

static struct drm_gem_dma_object *drm_gem_dma_test_create(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_dma_object *dma_obj;
	int ret;

	dma_obj = drm_gem_dma_create(drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dma_obj);
	ret = kunit_add_action_or_reset(test, drm_gem_dma_free_wrapper, dma_obj);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return dma_obj;
}

/*
 * Test describing a DMA GEM object as a list of physical ranges.  The
 * buffer of a device without an IOMMU is physically contiguous, so the
 * test case succeeds if the list is one range: the buffer's own memory,
 * all of it.
 */
static void drm_gem_dma_test_get_phys_list(struct kunit *test)
{
	struct drm_gem_dma_object *dma_obj = drm_gem_dma_test_create(test);
	struct phys_list_iter pi;
	struct phys_list *pl;
	phys_addr_t phys;
	u64 len;
	int ret;

	if (!virt_addr_valid(dma_obj->vaddr))
		kunit_skip(test, "the buffer is remapped, not in the linear map");

	pl = drm_gem_dma_get_phys_list(dma_obj);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pl);
	ret = kunit_add_action_or_reset(test, drm_gem_dma_test_phys_list_free, pl);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test, phys_list_count(pl), 1);
	KUNIT_EXPECT_EQ(test, phys_list_len(pl), TEST_SIZE);
	phys_list_for_each(pl, &pi, phys, len) {
		KUNIT_EXPECT_EQ(test, phys, virt_to_phys(dma_obj->vaddr));
		KUNIT_EXPECT_EQ(test, len, TEST_SIZE);
	}
}

/*
 * Test that PRIME export maps the buffer within the importer's limits.
 * The mock device takes segments of 64 KiB at most (it has no dma_parms);
 * an sg_table built for the exporter would hand it one 1 MiB segment.
 * The test case succeeds if the export is a range-list export that the
 * device importing it recognises as its own, and the importer's sg_table
 * covers the buffer in segments the importer can take.
 */
static void drm_gem_dma_test_prime_export_honours_importer_segments(struct kunit *test)
{
	struct drm_device *drm = test->priv;
	struct drm_gem_dma_object *dma_obj = drm_gem_dma_test_create(test);
	unsigned int max_seg = dma_get_max_seg_size(drm->dev);
	struct dma_buf_attachment *attach;
	struct scatterlist *sg;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	u64 total = 0;
	unsigned int i;
	int ret;

	KUNIT_ASSERT_LT(test, max_seg, TEST_SIZE);

	dmabuf = drm_gem_prime_export(&dma_obj->base, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	ret = kunit_add_action_or_reset(test, drm_gem_dma_test_dma_buf_put, dmabuf);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NOT_NULL(test, dmabuf->ops->map_phys);
	KUNIT_EXPECT_NULL(test, dmabuf->ops->map_dma_buf);
	KUNIT_EXPECT_TRUE(test, drm_gem_is_prime_exported_dma_buf(drm, dmabuf));

	attach = dma_buf_attach(dmabuf, drm->dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt))
		dma_buf_detach(dmabuf, attach);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	for_each_sgtable_dma_sg(sgt, sg, i) {
		KUNIT_EXPECT_LE(test, sg_dma_len(sg), max_seg);
		total += sg_dma_len(sg);
	}
	KUNIT_EXPECT_EQ(test, total, TEST_SIZE);
	KUNIT_EXPECT_GE(test, sgt->nents, TEST_SIZE / max_seg);

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dmabuf, attach);
}

static int drm_gem_dma_test_init(struct kunit *test)
{
	struct drm_device *drm;
	struct device *dev;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);

	drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev,
							      sizeof(*drm), 0,
							      &drm_gem_dma_test_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	test->priv = drm;
	return 0;
}

static struct kunit_case drm_gem_dma_test_cases[] = {
	KUNIT_CASE(drm_gem_dma_test_get_phys_list),
	KUNIT_CASE(drm_gem_dma_test_prime_export_honours_importer_segments),
	{}
};

static struct kunit_suite drm_gem_dma_suite = {
	.name = "drm_gem_dma",
	.init = drm_gem_dma_test_init,
	.test_cases = drm_gem_dma_test_cases,
};

kunit_test_suite(drm_gem_dma_suite);

MODULE_DESCRIPTION("KUnit test suite for the PRIME export of DMA GEM objects");
MODULE_LICENSE("GPL");
