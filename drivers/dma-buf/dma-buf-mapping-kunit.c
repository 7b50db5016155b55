// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the dma-buf core's range-list mappings: mock exporters
 * (page list, legacy sg_table, both, dynamic, revocable, memory without
 * struct page) against mock importers (list, sg_table, raw physical,
 * dynamic, without P2P) on a KUnit device that maps through dma-direct,
 * and through swiotlb on the bounce topology.
 *
 * What a device would read is checked through dma_to_phys() of every DMA
 * address: the bytes there must be the exporter's bytes at that offset.
 */

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-buf-mapping.h>
#include <linux/dma-fence.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/range_list.h>
#include <linux/seq_file.h>
#include <linux/swiotlb.h>

#include "dma-buf-mapping.h"

MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(DMA_BUF_PHYS);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* 8 scattered pages and one order-2 block: 9 ranges, 12 pages */
#define MOCK_SINGLES	8
#define MOCK_ORDER	2
#define MOCK_SIZE	((MOCK_SINGLES + (1 << MOCK_ORDER)) * PAGE_SIZE)

struct mock_exp {
	struct phys_list pl;
	struct moving_list *cur;
	struct page *singles[MOCK_SINGLES];
	struct page *block;
	struct p2pdma_provider *provider;
	int fail_map;
	int map_phys, unmap_phys;
	int map_sgt, unmap_sgt;
	int pins, unpins;
	int unlocked_calls;
	int releases;
	int lists_freed;
};

/*
 * A list a moving exporter replaced at a move: freed by the exporter in
 * unmap_phys once the last mapping of it came back.
 */
struct moving_list {
	struct phys_list pl;
	int users;
};

static u8 mock_byte(size_t off)
{
	return (u8)(off * 7 + (off >> 12) + 1);
}

static void mock_check_locked(struct dma_buf_attachment *attach,
			      struct mock_exp *e)
{
	if (!ww_mutex_is_locked(&attach->dmabuf->resv->lock))
		e->unlocked_calls++;
}

static const struct phys_list *mock_map_phys(struct dma_buf_attachment *attach,
					     enum dma_data_direction dir,
					     struct p2pdma_provider **provider)
{
	struct mock_exp *e = attach->dmabuf->priv;

	mock_check_locked(attach, e);
	if (e->fail_map)
		return ERR_PTR(e->fail_map);
	e->map_phys++;
	*provider = e->provider;
	return &e->pl;
}

static void mock_unmap_phys(struct dma_buf_attachment *attach,
			    const struct phys_list *pl,
			    enum dma_data_direction dir)
{
	struct mock_exp *e = attach->dmabuf->priv;

	mock_check_locked(attach, e);
	e->unmap_phys++;
}

static struct sg_table *mock_map_sgt(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
	struct mock_exp *e = attach->dmabuf->priv;
	struct sg_table *sgt;
	int err;

	mock_check_locked(attach, e);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	err = phys_list_to_sgt_segs(&e->pl, sgt,
				    dma_get_max_seg_size(attach->dev),
				    dma_get_seg_boundary(attach->dev),
				    GFP_KERNEL);
	if (!err) {
		err = dma_map_sgtable(attach->dev, sgt, dir, 0);
		if (err)
			sg_free_table(sgt);
	}
	if (err) {
		kfree(sgt);
		return ERR_PTR(err);
	}
	e->map_sgt++;
	return sgt;
}

static void mock_unmap_sgt(struct dma_buf_attachment *attach,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
	struct mock_exp *e = attach->dmabuf->priv;

	mock_check_locked(attach, e);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
	e->unmap_sgt++;
}

static int mock_pin(struct dma_buf_attachment *attach)
{
	struct mock_exp *e = attach->dmabuf->priv;

	mock_check_locked(attach, e);
	e->pins++;
	return 0;
}

static void mock_unpin(struct dma_buf_attachment *attach)
{
	struct mock_exp *e = attach->dmabuf->priv;

	mock_check_locked(attach, e);
	e->unpins++;
}

static void mock_exp_free(struct mock_exp *e)
{
	int i;

	phys_list_free(&e->pl);
	for (i = 0; i < MOCK_SINGLES; i++)
		if (e->singles[i])
			__free_page(e->singles[i]);
	if (e->block)
		__free_pages(e->block, MOCK_ORDER);
	kfree(e);
}

/* The exporter state outlives the test: release runs at the last fput. */
static void mock_release(struct dma_buf *dmabuf)
{
	mock_exp_free(dmabuf->priv);
}

static const struct dma_buf_ops mock_list_ops = {
	.map_phys = mock_map_phys,
	.unmap_phys = mock_unmap_phys,
	.release = mock_release,
};

/* consents to raw physical ranges for allow_phys importers */
static const struct dma_buf_ops mock_phys_ops = {
	.allow_phys = true,
	.map_phys = mock_map_phys,
	.unmap_phys = mock_unmap_phys,
	.release = mock_release,
};

/* An exporter that, like udmabuf, has the core map with SKIP_CPU_SYNC */
static const struct dma_buf_ops mock_skip_sync_ops = {
	.map_attrs = DMA_ATTR_SKIP_CPU_SYNC,
	.map_phys = mock_map_phys,
	.unmap_phys = mock_unmap_phys,
	.release = mock_release,
};

static const struct dma_buf_ops mock_sgt_ops = {
	.map_dma_buf = mock_map_sgt,
	.unmap_dma_buf = mock_unmap_sgt,
	.release = mock_release,
};

static const struct dma_buf_ops mock_dynamic_ops = {
	.map_phys = mock_map_phys,
	.unmap_phys = mock_unmap_phys,
	.pin = mock_pin,
	.unpin = mock_unpin,
	.release = mock_release,
};

static const struct dma_buf_ops mock_revocable_ops = {
	.revocable = true,
	.map_phys = mock_map_phys,
	.unmap_phys = mock_unmap_phys,
	.release = mock_release,
};

/* Hands out e->cur, replaced at every move; see struct moving_list. */
static const struct phys_list *mock_moving_map(struct dma_buf_attachment *attach,
					       enum dma_data_direction dir,
					       struct p2pdma_provider **provider)
{
	struct mock_exp *e = attach->dmabuf->priv;

	e->map_phys++;
	e->cur->users++;
	*provider = NULL;
	return &e->cur->pl;
}

static void mock_moving_unmap(struct dma_buf_attachment *attach,
			      const struct phys_list *pl,
			      enum dma_data_direction dir)
{
	struct moving_list *ml = container_of(pl, struct moving_list, pl);
	struct mock_exp *e = attach->dmabuf->priv;

	e->unmap_phys++;
	if (!--ml->users && ml != e->cur) {
		phys_list_free(&ml->pl);
		kfree(ml);
		e->lists_freed++;
	}
}

static void mock_moving_release(struct dma_buf *dmabuf)
{
	struct mock_exp *e = dmabuf->priv;

	if (e->cur) {
		phys_list_free(&e->cur->pl);
		kfree(e->cur);
	}
	mock_exp_free(e);
}

static const struct dma_buf_ops mock_moving_ops = {
	.map_phys = mock_moving_map,
	.unmap_phys = mock_moving_unmap,
	.pin = mock_pin,
	.unpin = mock_unpin,
	.release = mock_moving_release,
};

/* mainline's exporter helpers: map_dma_buf from an array of ranges */
static struct sg_table *mock_vec_map(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
	struct mock_exp *e = attach->dmabuf->priv;
	struct phys_vec vec[MOCK_SINGLES + 1];
	struct phys_list_iter pi;
	struct sg_table *sgt;
	phys_addr_t phys;
	size_t n = 0;
	u64 len;

	phys_list_for_each(&e->pl, &pi, phys, len) {
		if (n == ARRAY_SIZE(vec))
			return ERR_PTR(-E2BIG);
		vec[n].paddr = phys;
		vec[n++].len = len;
	}
	sgt = dma_buf_phys_vec_to_sgt(attach, NULL, vec, n, MOCK_SIZE, dir);
	if (!IS_ERR(sgt))
		e->map_sgt++;
	return sgt;
}

static void mock_vec_unmap(struct dma_buf_attachment *attach,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
	struct mock_exp *e = attach->dmabuf->priv;

	dma_buf_free_sgt(attach, sgt, dir);
	e->unmap_sgt++;
}

static const struct dma_buf_ops mock_vec_ops = {
	.map_dma_buf = mock_vec_map,
	.unmap_dma_buf = mock_vec_unmap,
	.release = mock_release,
};

struct mock_imp {
	struct mock_exp *e;
	int moves;
	int unlocked_calls;
	bool unmap_on_move;
	const struct dma_list *dl;
	enum dma_data_direction dir;
};

static void mock_move_notify(struct dma_buf_attachment *attach)
{
	struct mock_imp *imp = attach->importer_priv;

	if (!ww_mutex_is_locked(&attach->dmabuf->resv->lock))
		imp->unlocked_calls++;
	imp->moves++;
	if (imp->unmap_on_move && imp->dl) {
		dma_buf_unmap_attachment_list(attach, imp->dl, imp->dir);
		imp->dl = NULL;
	}
}

static const struct dma_buf_attach_ops imp_dynamic = {
	.move_notify = mock_move_notify,
};

static const struct dma_buf_attach_ops imp_p2p = {
	.allow_peer2peer = true,
	.allow_revoke = true,
	.move_notify = mock_move_notify,
};

/* RDMA's pinned importer (ib_umem_dmabuf_get_pinned): cannot unmap */
static void mock_pinned_move_notify(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops imp_pinned = {
	.allow_peer2peer = true,
	.move_notify = mock_pinned_move_notify,
};

static const struct dma_buf_attach_ops imp_phys = {
	.allow_phys = true,
	.move_notify = mock_move_notify,
};

/* Each device of a test needs a name of its own. */
static struct device *mock_device(struct kunit *test)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct device *dev;
	char name[32];

	snprintf(name, sizeof(name), "dmabuf-mapping-imp%d",
		 atomic_inc_return(&seq));
	dev = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->coherent_dma_mask = DMA_BIT_MASK(64);
	dev->dma_mask = &dev->coherent_dma_mask;
	return dev;
}

/* A device whose DMA segments are at most @max_seg long and never cross
 * a multiple of @boundary + 1.
 */
static struct device *mock_device_limits(struct kunit *test,
					 unsigned int max_seg,
					 unsigned long boundary)
{
	struct device *dev = mock_device(test);

	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	dma_set_max_seg_size(dev, max_seg);
	dma_set_seg_boundary(dev, boundary);
	return dev;
}

KUNIT_DEFINE_ACTION_WRAPPER(dma_buf_put_action, dma_buf_put, struct dma_buf *);

/*
 * A buffer of 9 ranges filled with mock_byte(offset), and @extra_len
 * bytes at @extra after them (in the list and the buffer's size).
 */
static struct dma_buf *mock_export_with(struct kunit *test,
					const struct dma_buf_ops *ops,
					struct mock_exp **out,
					phys_addr_t extra, size_t extra_len)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct range_list_cfg cfg = { .coalesce = true };
	struct dma_buf *dmabuf;
	struct mock_exp *e;
	size_t off = 0;
	int i, j, err;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_EQ(test, phys_list_init(&e->pl, &cfg), 0);
	for (i = 0; i < MOCK_SINGLES; i++) {
		e->singles[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, e->singles[i]);
	}
	e->block = alloc_pages(GFP_KERNEL, MOCK_ORDER);
	KUNIT_ASSERT_NOT_NULL(test, e->block);

	for (i = 0; i <= MOCK_SINGLES; i++) {
		struct page *p = i < MOCK_SINGLES ? e->singles[i] : e->block;
		size_t len = i < MOCK_SINGLES ? PAGE_SIZE :
			     PAGE_SIZE << MOCK_ORDER;
		u8 *va = page_address(p);

		for (j = 0; j < len; j++)
			va[j] = mock_byte(off + j);
		KUNIT_ASSERT_EQ(test, phys_list_append(&e->pl, page_to_phys(p),
						       len, GFP_KERNEL), 0);
		off += len;
	}
	if (extra_len)
		KUNIT_ASSERT_EQ(test, phys_list_append(&e->pl, extra, extra_len,
						       GFP_KERNEL), 0);

	info.ops = ops;
	info.size = MOCK_SIZE + extra_len;
	info.flags = O_RDWR;
	info.priv = e;
	info.exp_name = "dma-buf-mapping-kunit";
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf))
		mock_exp_free(e);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	err = kunit_add_action_or_reset(test, dma_buf_put_action, dmabuf);
	KUNIT_ASSERT_EQ(test, err, 0);
	*out = e;
	return dmabuf;
}

static struct dma_buf *mock_export(struct kunit *test,
				   const struct dma_buf_ops *ops,
				   struct mock_exp **out)
{
	return mock_export_with(test, ops, out, 0, 0);
}

/* Every DMA range reaches the exporter's bytes for its offset. */
static void expect_device_sees(struct kunit *test, struct device *dev,
			       dma_addr_t addr, u64 len, size_t *off)
{
	const u8 *va = phys_to_virt(dma_to_phys(dev, addr));
	u64 i;

	for (i = 0; i < len; i++) {
		if (va[i] != mock_byte(*off + i)) {
			KUNIT_FAIL(test, "byte %zu: device reaches %#x, buffer holds %#x",
				   (size_t)(*off + i), va[i], mock_byte(*off + i));
			break;
		}
	}
	*off += len;
}

static void expect_list_reaches_buffer(struct kunit *test, struct device *dev,
				       const struct dma_list *dl)
{
	struct dma_list_iter di;
	dma_addr_t addr;
	size_t off = 0;
	u64 len;

	dma_list_for_each(dl, &di, addr, len)
		expect_device_sees(test, dev, addr, len, &off);
	KUNIT_EXPECT_EQ(test, off, MOCK_SIZE);
}

static void expect_sgt_reaches_buffer(struct kunit *test, struct device *dev,
				      struct sg_table *sgt)
{
	struct scatterlist *sg;
	size_t off = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i)
		expect_device_sees(test, dev, sg_dma_address(sg),
				   sg_dma_len(sg), &off);
	KUNIT_EXPECT_EQ(test, off, MOCK_SIZE);
}

/* The error of a list mapping expected to fail. */
static long list_map_error(struct dma_buf_attachment *attach,
			   enum dma_data_direction dir)
{
	return PTR_ERR(dma_buf_map_attachment_list_unlocked(attach, dir));
}

/* Map through either importer API and unmap again: 0 or the error. */
static int map_and_unmap(struct dma_buf_attachment *attach, bool sgt_api)
{
	const struct dma_list *dl;
	struct sg_table *sgt;

	if (sgt_api) {
		sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_TO_DEVICE);
		return 0;
	}
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	if (IS_ERR(dl))
		return PTR_ERR(dl);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_TO_DEVICE);
	return 0;
}

/* Nothing held: the exporter got back all it handed out, no record left. */
static void expect_balanced(struct kunit *test, struct mock_exp *e,
			    struct dma_buf_attachment *attach)
{
	KUNIT_EXPECT_EQ(test, e->map_phys, e->unmap_phys);
	KUNIT_EXPECT_EQ(test, e->map_sgt, e->unmap_sgt);
	KUNIT_EXPECT_EQ(test, e->pins, e->unpins);
	KUNIT_EXPECT_EQ(test, attach->dmabuf->nr_phys_maps, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&attach->mappings));
	KUNIT_EXPECT_EQ(test, e->unlocked_calls, 0);
}

static void dma_buf_export_rejects_inconsistent_ops(struct kunit *test)
{
	static const struct dma_buf_ops half_sgt = {
		.map_dma_buf = mock_map_sgt, .release = mock_release,
	};
	static const struct dma_buf_ops half_phys = {
		.map_phys = mock_map_phys, .release = mock_release,
	};
	static const struct dma_buf_ops neither = {
		.release = mock_release,
	};
	static const struct dma_buf_ops revocable_sgt = {
		.revocable = true, .map_dma_buf = mock_map_sgt,
		.unmap_dma_buf = mock_unmap_sgt, .release = mock_release,
	};
	static const struct dma_buf_ops revocable_cached = {
		.revocable = true, .cache_sgt_mapping = true,
		.map_phys = mock_map_phys, .unmap_phys = mock_unmap_phys,
		.release = mock_release,
	};
	/* revoke cannot see the tables an exporter maps itself */
	static const struct dma_buf_ops revocable_both = {
		.revocable = true,
		.map_phys = mock_map_phys, .unmap_phys = mock_unmap_phys,
		.map_dma_buf = mock_map_sgt, .unmap_dma_buf = mock_unmap_sgt,
		.release = mock_release,
	};
	const struct dma_buf_ops *bad[] = {
		&half_sgt, &half_phys, &neither, &revocable_sgt,
		&revocable_cached, &revocable_both,
	};
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	int dummy, i;

	info.size = PAGE_SIZE;
	info.priv = &dummy;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		info.ops = bad[i];
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(dma_buf_export(&info)),
				    -EINVAL, "op set %d", i);
	}
}

/* list importer, list exporter: the core maps the exporter's ranges */
static void dma_buf_list_importer_list_exporter(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);
	KUNIT_EXPECT_EQ(test, e->map_phys, 1);
	KUNIT_EXPECT_EQ(test, dmabuf->nr_phys_maps, 1);
	KUNIT_EXPECT_EQ(test, dma_list_len(dl), MOCK_SIZE);
	expect_list_reaches_buffer(test, dev, dl);

	dma_resv_lock(dmabuf->resv, NULL);
	KUNIT_EXPECT_GT(test, dma_buf_attachment_mem_bytes(attach), 0);
	dma_buf_unmap_attachment_list(attach, dl, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, dma_buf_attachment_mem_bytes(attach), 0);
	dma_resv_unlock(dmabuf->resv);
	expect_balanced(test, e, attach);
	KUNIT_EXPECT_EQ(test, e->map_sgt, 0);
	dma_buf_detach(dmabuf, attach);
}

/* sg_table importer, list exporter: a DMA-only table from the core */
static void dma_buf_sgt_importer_list_exporter(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);
	struct sg_table *sgt;

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, e->map_phys, 1);
	expect_sgt_reaches_buffer(test, dev, sgt);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/* list importer, sg_table exporter: the DMA side of the exporter's table */
static void dma_buf_list_importer_sgt_exporter(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_sgt_ops, &e);

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);
	KUNIT_EXPECT_EQ(test, e->map_sgt, 1);
	KUNIT_EXPECT_EQ(test, e->map_phys, 0);
	expect_list_reaches_buffer(test, dev, dl);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_TO_DEVICE);
	expect_balanced(test, e, attach);
	KUNIT_EXPECT_EQ(test, e->unmap_sgt, 1);
	dma_buf_detach(dmabuf, attach);
}

/* Every attachment may get the same cached list; mappings stay separate. */
static void dma_buf_shared_list_two_importers(struct kunit *test)
{
	struct device *dev1 = mock_device(test), *dev2 = mock_device(test);
	struct dma_buf_attachment *a1, *a2;
	const struct dma_list *dl1, *dl2;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);

	a1 = dma_buf_attach(dmabuf, dev1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a1);
	a2 = dma_buf_attach(dmabuf, dev2);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a2);
	dl1 = dma_buf_map_attachment_list_unlocked(a1, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl1);
	dl2 = dma_buf_map_attachment_list_unlocked(a2, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl2);
	KUNIT_EXPECT_PTR_NE(test, dl1, dl2);
	KUNIT_EXPECT_EQ(test, dmabuf->nr_phys_maps, 2);

	dma_buf_unmap_attachment_list_unlocked(a1, dl1, DMA_TO_DEVICE);
	expect_list_reaches_buffer(test, dev2, dl2);
	dma_buf_unmap_attachment_list_unlocked(a2, dl2, DMA_TO_DEVICE);
	expect_balanced(test, e, a1);
	expect_balanced(test, e, a2);
	dma_buf_detach(dmabuf, a2);
	dma_buf_detach(dmabuf, a1);
}

/*
 * Raw ranges only with both sides' consent: the importer's at attach
 * time (-EPERM), the exporter's in its ops (-EACCES).
 */
static void dma_buf_phys_only_for_allow_phys(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *plain, *phys;
	struct p2pdma_provider *provider = (void *)1;
	const struct phys_list *pl;
	struct mock_exp *e, *e2, *e3;
	struct dma_buf *dmabuf = mock_export(test, &mock_phys_ops, &e);
	struct dma_buf *sgt_buf = mock_export(test, &mock_sgt_ops, &e2);
	struct dma_buf *no_consent = mock_export(test, &mock_list_ops, &e3);

	plain = dma_buf_dynamic_attach(dmabuf, dev, &imp_dynamic, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, plain);
	dma_resv_lock(dmabuf->resv, NULL);
	pl = dma_buf_map_attachment_phys(plain, DMA_TO_DEVICE, &provider);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pl), -EPERM);
	KUNIT_EXPECT_EQ(test, e->map_phys, 0);
	dma_buf_detach(dmabuf, plain);

	phys = dma_buf_dynamic_attach(dmabuf, dev, &imp_phys, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, phys);
	dma_resv_lock(dmabuf->resv, NULL);
	pl = dma_buf_map_attachment_phys(phys, DMA_TO_DEVICE, &provider);
	KUNIT_EXPECT_PTR_EQ(test, pl, (const struct phys_list *)&e->pl);
	KUNIT_EXPECT_NULL(test, provider);
	KUNIT_EXPECT_EQ(test, phys_list_len(pl), MOCK_SIZE);
	if (!IS_ERR(pl))
		dma_buf_unmap_attachment_phys(phys, pl, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	expect_balanced(test, e, phys);
	dma_buf_detach(dmabuf, phys);

	phys = dma_buf_dynamic_attach(sgt_buf, dev, &imp_phys, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, phys);
	dma_resv_lock(sgt_buf->resv, NULL);
	pl = dma_buf_map_attachment_phys(phys, DMA_TO_DEVICE, &provider);
	dma_resv_unlock(sgt_buf->resv);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pl), -EOPNOTSUPP);
	dma_buf_detach(sgt_buf, phys);

	phys = dma_buf_dynamic_attach(no_consent, dev, &imp_phys, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, phys);
	dma_resv_lock(no_consent->resv, NULL);
	pl = dma_buf_map_attachment_phys(phys, DMA_TO_DEVICE, &provider);
	dma_resv_unlock(no_consent->resv);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pl), -EACCES);
	KUNIT_EXPECT_EQ(test, e3->map_phys, 0);
	dma_buf_detach(no_consent, phys);
}

/*
 * A range without struct page is P2P memory: refused to an importer
 * without allow_peer2peer before anything is mapped, and refused by
 * dma_map_phys_list() when the exporter names no provider for it.
 */
static void dma_buf_p2p_range_refused(struct kunit *test)
{
	struct device *dev = mock_device(test);
	phys_addr_t beyond = PFN_PHYS(max_pfn + 0x10000);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct mock_exp *e;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;

	KUNIT_ASSERT_FALSE(test, pfn_valid(PHYS_PFN(beyond)));
	dmabuf = mock_export_with(test, &mock_list_ops, &e, beyond, PAGE_SIZE);

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_dynamic, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dl), -EREMOTEIO);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -EREMOTEIO);
	KUNIT_EXPECT_EQ(test, e->map_phys, 2);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dl), -EREMOTEIO);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/* Errors of the exporter reach the importer; nothing is held after. */
static void dma_buf_exporter_error_propagates(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);
	struct sg_table *sgt;

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	e->fail_map = -EBUSY;
	KUNIT_EXPECT_EQ(test, list_map_error(attach, DMA_TO_DEVICE), -EBUSY);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -EBUSY);
	KUNIT_EXPECT_EQ(test, list_map_error(attach, DMA_NONE), -EINVAL);
	e->fail_map = 0;
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * Dynamic list exporter, static importer: nothing is mapped or pinned at
 * attach (an importer of the list API would never see that table); each
 * mapping, through either API, keeps the exporter pinned while it lives.
 */
static void dma_buf_dynamic_exporter_pinned_while_mapped(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_dynamic_ops, &e);
	struct sg_table *sgt;

	attach = dma_buf_dynamic_attach(dmabuf, dev, NULL, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, e->pins, 0);
	KUNIT_EXPECT_EQ(test, e->map_phys, 0);
	KUNIT_EXPECT_NULL(test, attach->sgt);

	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);
	KUNIT_EXPECT_EQ(test, e->pins, 1);
	expect_list_reaches_buffer(test, dev, dl);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, e->unpins, 1);

	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, e->pins, 2);
	expect_sgt_reaches_buffer(test, dev, sgt);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, e->unpins, 2);
	KUNIT_EXPECT_EQ(test, e->map_phys, 2);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/* move_notify reaches dynamic importers with the lock held. */
static void dma_buf_move_notify_reaches_list_importer(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	struct mock_imp imp = { .unmap_on_move = true, .dir = DMA_TO_DEVICE };
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_dynamic_ops, &e);

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_dynamic, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_resv_lock(dmabuf->resv, NULL);
	imp.dl = dma_buf_map_attachment_list(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);
	/* mainline 7.1's name for dma_buf_move_notify() */
	dma_buf_invalidate_mappings(dmabuf);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_EXPECT_EQ(test, imp.moves, 1);
	KUNIT_EXPECT_EQ(test, imp.unlocked_calls, 0);
	KUNIT_EXPECT_NULL(test, imp.dl);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/* Revocable buffers: static importers refused, both at attach. */
static void dma_buf_revocable_refuses_static_importer(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);

	KUNIT_EXPECT_EQ(test, PTR_ERR(dma_buf_attach(dmabuf, dev)),
			-EOPNOTSUPP);
	KUNIT_EXPECT_TRUE(test, list_empty(&dmabuf->attachments));
}

struct revoke_thread {
	struct dma_buf *dmabuf;
	struct completion done;
};

static int revoke_fn(void *data)
{
	struct revoke_thread *rt = data;

	dma_buf_revoke(rt->dmabuf);
	/* for every waiter: the test waits twice on it */
	complete_all(&rt->done);
	return 0;
}

/*
 * Revoke while mapped: the importer is told, revoke waits for its unmap,
 * and afterwards attaching and mapping fail with -ENODEV.
 */
static void dma_buf_revoke_waits_for_unmap(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_imp imp = { .dir = DMA_TO_DEVICE };
	struct dma_buf_attachment *attach;
	struct revoke_thread rt;
	struct task_struct *t;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);
	struct sg_table *sgt;

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	imp.dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);

	rt.dmabuf = dmabuf;
	init_completion(&rt.done);
	t = kthread_run(revoke_fn, &rt, "dmabuf-revoke-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* told, but still mapped: revoke must not have returned */
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&rt.done,
							     msecs_to_jiffies(200)));
	KUNIT_EXPECT_EQ(test, imp.moves, 1);
	KUNIT_EXPECT_EQ(test, e->unmap_phys, 0);
	expect_list_reaches_buffer(test, dev, imp.dl);

	dma_buf_unmap_attachment_list_unlocked(attach, imp.dl, DMA_TO_DEVICE);
	imp.dl = NULL;
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&rt.done,
							    msecs_to_jiffies(5000)));
	KUNIT_EXPECT_EQ(test, e->unmap_phys, 1);

	KUNIT_EXPECT_EQ(test, list_map_error(attach, DMA_TO_DEVICE), -ENODEV);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(sgt), -ENODEV);
	KUNIT_EXPECT_PTR_EQ(test, dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p,
							 NULL), ERR_PTR(-ENODEV));
	KUNIT_EXPECT_EQ(test, e->map_phys, 1);
	expect_balanced(test, e, attach);
	/* whatever failed above, detach ends the revoke: rt is on our stack */
	dma_buf_detach(dmabuf, attach);
	wait_for_completion(&rt.done);
}

/* Revoke with an importer that unmaps in move_notify does not wait. */
static void dma_buf_revoke_unmap_in_move_notify(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_imp imp = { .unmap_on_move = true, .dir = DMA_TO_DEVICE };
	struct dma_buf_attachment *attach;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	imp.dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);
	dma_buf_revoke(dmabuf);
	KUNIT_EXPECT_EQ(test, imp.moves, 1);
	KUNIT_EXPECT_NULL(test, imp.dl);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * CPU access syncs the core's mappings: under swiotlb what the device
 * wrote to its bounce slot reaches the page only at begin_cpu_access.
 */
static void dma_buf_begin_cpu_access_syncs_list_mappings(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct dma_list_iter di;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);
	dma_addr_t addr;
	u8 *slot, *page;
	u64 len;

	if (!is_swiotlb_force_bounce(dev))
		kunit_skip(test, "the device reaches the pages directly (no swiotlb=force)");

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);

	dma_list_iter_init(&di, dl);
	KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
	slot = phys_to_virt(dma_to_phys(dev, addr));
	page = page_address(e->singles[0]);
	KUNIT_ASSERT_PTR_NE(test, slot, page);
	slot[0] = ~mock_byte(0);		/* the "device" writes */
	KUNIT_EXPECT_EQ(test, page[0], mock_byte(0));
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, page[0], (u8)~mock_byte(0));
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);

	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_BIDIRECTIONAL);
	dma_buf_detach(dmabuf, attach);
}

/* What CONFIG_DMABUF_DEBUG did to the table's page links, undone (XOR). */
static void undo_debug_mangling(struct sg_table *sgt)
{
#ifdef CONFIG_DMABUF_DEBUG
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		sg->page_link ^= ~0xffUL;
#endif
}

/*
 * The pages of the exporter's list, in buffer order, against the CPU side
 * of a legacy importer's table: what msm, etnaviv or rockchip walk.
 */
static void expect_sgt_pages_are_exporters(struct kunit *test,
					   struct mock_exp *e,
					   struct sg_table *sgt)
{
	struct sg_page_iter piter;
	struct phys_list_iter pi;
	struct page **want;
	phys_addr_t phys;
	unsigned int n = 0, k = 0;
	u64 len, off;

	want = kunit_kcalloc(test, MOCK_SIZE / PAGE_SIZE, sizeof(*want),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	phys_list_for_each(&e->pl, &pi, phys, len)
		for (off = 0; off < len && n < MOCK_SIZE / PAGE_SIZE;
		     off += PAGE_SIZE)
			want[n++] = pfn_to_page(PHYS_PFN(phys + off));
	KUNIT_ASSERT_EQ(test, n, MOCK_SIZE / PAGE_SIZE);

	KUNIT_EXPECT_GT(test, sgt->orig_nents, 0);
	for_each_sgtable_page(sgt, &piter, 0) {
		if (k < n)
			KUNIT_EXPECT_PTR_EQ_MSG(test, sg_page_iter_page(&piter),
						want[k], "page %u", k);
		k++;
	}
	KUNIT_EXPECT_EQ(test, k, n);
}

/* Every DMA segment within the device's limits. */
static void expect_dma_segments_within(struct kunit *test, struct device *dev,
				       dma_addr_t addr, u64 len)
{
	u64 mask = dma_get_seg_boundary(dev);

	KUNIT_EXPECT_LE(test, len, (u64)dma_get_max_seg_size(dev));
	KUNIT_EXPECT_EQ_MSG(test, addr & ~mask, (addr + len - 1) & ~mask,
			    "segment %pad+%llu crosses the boundary", &addr, len);
}

/*
 * A legacy importer of a list exporter of ordinary memory gets the table
 * stock exporters gave it: both sides filled, the pages the exporter's,
 * each entry within the device's segment limits, the bytes reachable.
 */
static void dma_buf_sgt_importer_gets_pages(struct kunit *test)
{
	struct device *dev = mock_device_limits(test, SZ_8K, SZ_16K - 1);
	struct dma_buf_attachment *attach;
	struct scatterlist *sg;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);
	struct sg_table *sgt;
	unsigned int i;

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	undo_debug_mangling(sgt);
	expect_sgt_pages_are_exporters(test, e, sgt);
	for_each_sgtable_sg(sgt, sg, i)
		KUNIT_EXPECT_LE(test, sg->length, SZ_8K);
	undo_debug_mangling(sgt);

	KUNIT_EXPECT_GT(test, sgt->nents, 0);
	for_each_sgtable_dma_sg(sgt, sg, i)
		expect_dma_segments_within(test, dev, sg_dma_address(sg),
					   sg_dma_len(sg));
	expect_sgt_reaches_buffer(test, dev, sgt);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * A list importer of an sg_table exporter gets the exporter's DMA
 * segments merged only within its own limits (8 KiB, 16 KiB boundary):
 * the exporter's contiguous order-2 block comes as two 8 KiB entries.
 */
static void dma_buf_list_from_sgt_within_device_limits(struct kunit *test)
{
	struct device *dev = mock_device_limits(test, SZ_8K, SZ_16K - 1);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct dma_list_iter di;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_sgt_ops, &e);
	dma_addr_t addr;
	u64 len;

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);
	dma_list_for_each(dl, &di, addr, len)
		expect_dma_segments_within(test, dev, addr, len);
	expect_list_reaches_buffer(test, dev, dl);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_TO_DEVICE);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * An exporter whose list does not cover the buffer is refused with
 * -EINVAL and a warning, through both APIs, and so is an sg_table
 * exporter whose table maps less than the buffer.  The warnings are this
 * case's purpose (workbench/xfails).
 */
static void dma_buf_wrong_length_refused(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	struct mock_exp *e, *e2;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);
	struct dma_buf *sgt_buf = mock_export(test, &mock_sgt_ops, &e2);
	struct page *page;

	/* one page more in the list than in the buffer */
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, phys_list_append(&e->pl, page_to_phys(page),
					       PAGE_SIZE, GFP_KERNEL), 0);
	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, map_and_unmap(attach, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, map_and_unmap(attach, true), -EINVAL);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);

	/* the sg_table exporter's table is built from its (longer) list */
	KUNIT_ASSERT_EQ(test, phys_list_append(&e2->pl, page_to_phys(page),
					       PAGE_SIZE, GFP_KERNEL), 0);
	attach = dma_buf_attach(sgt_buf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_EQ(test, map_and_unmap(attach, false), -EINVAL);
	expect_balanced(test, e2, attach);
	dma_buf_detach(sgt_buf, attach);
	__free_page(page);
}

/*
 * Two raw mappings of one shared list in different directions: each
 * unmap returns its own record.
 */
static void dma_buf_phys_mappings_told_apart(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct p2pdma_provider *provider;
	struct dma_buf_attachment *attach;
	const struct phys_list *to, *from;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_phys_ops, &e);
	struct seq_file m = { .size = PAGE_SIZE };
	char want[64];

	m.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_phys, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_resv_lock(dmabuf->resv, NULL);
	to = dma_buf_map_attachment_phys(attach, DMA_TO_DEVICE, &provider);
	from = dma_buf_map_attachment_phys(attach, DMA_FROM_DEVICE, &provider);
	KUNIT_ASSERT_FALSE(test, IS_ERR(to) || IS_ERR(from));
	KUNIT_EXPECT_PTR_EQ(test, to, from);

	dma_buf_unmap_attachment_phys(attach, from, DMA_FROM_DEVICE);
	dma_buf_show_mappings(&m, attach);
	snprintf(want, sizeof(want), "mapping phys dir %d ", DMA_TO_DEVICE);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, want), "%s", m.buf);
	dma_buf_unmap_attachment_phys(attach, to, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * A moving exporter replaces its list at the move and frees the old one
 * when its last mapping comes back through unmap_phys; the core must be
 * done with the old list by then (KASAN sees it if not).
 */
static void dma_buf_old_list_freed_at_unmap_phys(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_imp imp = { .dir = DMA_BIDIRECTIONAL };
	struct range_list_cfg cfg = { .coalesce = true };
	struct dma_buf_attachment *attach;
	struct moving_list *ml[2];
	struct phys_list_iter pi;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_moving_ops, &e);
	struct sg_table *sgt;
	phys_addr_t phys;
	u64 len;
	int i;

	for (i = 0; i < 2; i++) {
		ml[i] = kzalloc(sizeof(*ml[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ml[i]);
		KUNIT_ASSERT_EQ(test, phys_list_init(&ml[i]->pl, &cfg), 0);
		phys_list_for_each(&e->pl, &pi, phys, len)
			KUNIT_ASSERT_EQ(test, phys_list_append(&ml[i]->pl, phys,
							       len, GFP_KERNEL), 0);
	}
	e->cur = ml[0];

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_dynamic, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dma_resv_lock(dmabuf->resv, NULL);
	imp.dl = dma_buf_map_attachment_list(attach, DMA_BIDIRECTIONAL);
	/*
	 * The device only reads through the second mapping: two mappings of
	 * the same memory that the device may write are overlapping
	 * mappings to DMA-API debugging (cacheline tracking EEXIST)
	 */
	sgt = dma_buf_map_attachment(attach, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	/* the move: a new list, the importer told, its unmaps come later */
	dma_resv_lock(dmabuf->resv, NULL);
	e->cur = ml[1];
	dma_buf_move_notify(dmabuf);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_EXPECT_EQ(test, imp.moves, 1);

	/* syncs after the move still go through the old list */
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, e->lists_freed, 0);
	dma_buf_unmap_attachment_list_unlocked(attach, imp.dl, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, e->lists_freed, 1);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * Revocable buffers: RDMA's pinned importer (move_notify cannot unmap) is
 * refused at attach; an importer that promised to unmap may attach but
 * not pin.  Pinning of other dynamic buffers is untouched.
 */
static void dma_buf_revocable_refuses_pinned_importer(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	struct mock_exp *e, *e2;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);
	struct dma_buf *moving = mock_export(test, &mock_dynamic_ops, &e2);
	int err;

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_pinned, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(attach), -EOPNOTSUPP);
	KUNIT_EXPECT_TRUE(test, list_empty(&dmabuf->attachments));

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_TRUE(test, dma_buf_attach_revocable(attach));
	dma_resv_lock(dmabuf->resv, NULL);
	err = dma_buf_pin(attach);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
	dma_buf_detach(dmabuf, attach);

	attach = dma_buf_dynamic_attach(moving, dev, &imp_pinned, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	KUNIT_EXPECT_FALSE(test, dma_buf_attach_revocable(attach));
	dma_resv_lock(moving->resv, NULL);
	KUNIT_EXPECT_EQ(test, dma_buf_pin(attach), 0);
	dma_buf_unpin(attach);
	dma_resv_unlock(moving->resv);
	KUNIT_EXPECT_EQ(test, e2->pins, e2->unpins);
	dma_buf_detach(moving, attach);
}

static const char *mock_fence_name(struct dma_fence *f)
{
	return "dma-buf-mapping-kunit";
}

static const struct dma_fence_ops mock_fence_ops = {
	.get_driver_name = mock_fence_name,
	.get_timeline_name = mock_fence_name,
};

static DEFINE_SPINLOCK(mock_fence_lock);

/* An unsignaled fence in @dmabuf's reservation, as a dynamic importer's DMA */
static struct dma_fence *add_pending_fence(struct kunit *test,
					   struct dma_buf *dmabuf)
{
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &mock_fence_ops, &mock_fence_lock,
		       dma_fence_context_alloc(1), 1);
	dma_resv_lock(dmabuf->resv, NULL);
	KUNIT_ASSERT_EQ(test, dma_resv_reserve_fences(dmabuf->resv, 1), 0);
	dma_resv_add_fence(dmabuf->resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(dmabuf->resv);
	return fence;
}

/*
 * DMA still in flight on an invalidated mapping is covered by a fence in
 * the reservation object: revoke waits for it even after the importer
 * unmapped, and returns once it signals.
 */
static void dma_buf_revoke_waits_for_fences(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_imp imp = { .unmap_on_move = true, .dir = DMA_TO_DEVICE };
	struct dma_buf_attachment *attach;
	struct dma_fence *fence;
	struct revoke_thread rt;
	struct task_struct *t;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	imp.dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);

	fence = add_pending_fence(test, dmabuf);

	rt.dmabuf = dmabuf;
	init_completion(&rt.done);
	t = kthread_run(revoke_fn, &rt, "dmabuf-revoke-kunit");
	if (IS_ERR(t)) {
		dma_fence_signal(fence);
		dma_fence_put(fence);
		KUNIT_FAIL(test, "no revoke thread");
		return;
	}
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&rt.done,
							     msecs_to_jiffies(300)));
	KUNIT_EXPECT_EQ(test, imp.moves, 1);
	KUNIT_EXPECT_NULL(test, imp.dl);
	dma_fence_signal(fence);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&rt.done,
							    msecs_to_jiffies(5000)));
	dma_fence_put(fence);
	wait_for_completion(&rt.done);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * An importer that promised to unmap after move_notify and does not:
 * revoke gives up after DMA_BUF_REVOKE_TIMEOUT_MS, naming it, with a
 * warning (this case's purpose: workbench/xfails), instead of hanging the
 * exporter's remove() forever.
 */
static void dma_buf_revoke_bounded_for_stuck_importer(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_imp imp = { .dir = DMA_TO_DEVICE };
	struct dma_buf_attachment *attach;
	struct revoke_thread rt;
	struct task_struct *t;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);
	unsigned long start, wait;

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	imp.dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);

	rt.dmabuf = dmabuf;
	init_completion(&rt.done);
	start = jiffies;
	t = kthread_run(revoke_fn, &rt, "dmabuf-revoke-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait = msecs_to_jiffies(DMA_BUF_REVOKE_TIMEOUT_MS + 5000);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&rt.done, wait));
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - start),
			DMA_BUF_REVOKE_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, imp.moves, 1);
	KUNIT_EXPECT_EQ(test, e->unmap_phys, 0);

	/* late, but the mapping still comes back whole */
	dma_buf_unmap_attachment_list_unlocked(attach, imp.dl, DMA_TO_DEVICE);
	wait_for_completion(&rt.done);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * A fence that never signals (a driver that holds a buffer without
 * running it): revoke gives up on it after DMA_BUF_REVOKE_TIMEOUT_MS with
 * a warning naming it (this case's purpose: workbench/xfails) and goes
 * on, the importer unmapping as move_notify told it, instead of hanging
 * the exporter's remove() forever.
 */
static void dma_buf_revoke_bounded_for_stuck_fence(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct mock_imp imp = { .unmap_on_move = true, .dir = DMA_TO_DEVICE };
	struct dma_buf_attachment *attach;
	struct dma_fence *fence;
	struct revoke_thread rt;
	struct task_struct *t;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_revocable_ops, &e);
	unsigned long start, wait;

	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_p2p, &imp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	imp.dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imp.dl);

	fence = add_pending_fence(test, dmabuf);

	rt.dmabuf = dmabuf;
	init_completion(&rt.done);
	start = jiffies;
	t = kthread_run(revoke_fn, &rt, "dmabuf-revoke-kunit");
	if (IS_ERR(t)) {
		dma_fence_signal(fence);
		dma_fence_put(fence);
		KUNIT_FAIL(test, "no revoke thread");
		return;
	}
	wait = msecs_to_jiffies(DMA_BUF_REVOKE_TIMEOUT_MS + 5000);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&rt.done, wait));
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - start),
			DMA_BUF_REVOKE_TIMEOUT_MS);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(fence));
	KUNIT_EXPECT_EQ(test, imp.moves, 1);
	KUNIT_EXPECT_NULL(test, imp.dl);

	dma_fence_signal(fence);
	dma_fence_put(fence);
	wait_for_completion(&rt.done);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/*
 * Mainline's exporter helpers: an exporter written for 6.19+ maps an
 * array of ranges with dma_buf_phys_vec_to_sgt(); importers of both APIs
 * reach its bytes, and the table has no CPU side (orig_nents 0).
 */
static void dma_buf_mainline_phys_vec_exporter(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_vec_ops, &e);
	struct sg_table *sgt;

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, sgt->orig_nents, 0);
	KUNIT_EXPECT_GT(test, sgt->nents, 0);
	expect_sgt_reaches_buffer(test, dev, sgt);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_TO_DEVICE);

	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);
	expect_list_reaches_buffer(test, dev, dl);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_TO_DEVICE);
	expect_balanced(test, e, attach);
	KUNIT_EXPECT_EQ(test, e->map_sgt, 2);
	dma_buf_detach(dmabuf, attach);
}

/*
 * &dma_buf_ops.map_attrs with DMA_ATTR_SKIP_CPU_SYNC spares the syncs of
 * the core's map and unmap only: end_cpu_access still hands the CPU's
 * writes to the device and begin_cpu_access the device's to the CPU,
 * which under swiotlb shows in the bytes of the bounce slot and the page.
 */
static void dma_buf_cpu_access_syncs_skip_cpu_sync_mappings(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct dma_list_iter di;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_skip_sync_ops, &e);
	dma_addr_t addr;
	u8 *slot, *page;
	u64 len;

	if (!is_swiotlb_force_bounce(dev))
		kunit_skip(test, "the device reaches the pages directly (no swiotlb=force)");

	attach = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);

	dma_list_iter_init(&di, dl);
	KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
	KUNIT_ASSERT_GE(test, len, 3);
	slot = phys_to_virt(dma_to_phys(dev, addr));
	page = page_address(e->singles[0]);
	KUNIT_ASSERT_PTR_NE(test, slot, page);

	/* The CPU writes; the device sees it after end_cpu_access */
	page[0] = ~mock_byte(0);
	KUNIT_EXPECT_EQ(test, slot[0], mock_byte(0));
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, slot[0], (u8)~mock_byte(0));

	/* The "device" writes; the CPU sees it after begin_cpu_access */
	slot[1] = ~mock_byte(1);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, page[1], (u8)~mock_byte(1));
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);

	/* The unmap copies nothing back */
	slot[2] = ~mock_byte(2);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, page[2], mock_byte(2));
	dma_buf_detach(dmabuf, attach);
}

/* debugfs bufinfo: a line per mapping, naming the API pair and its size */
static void dma_buf_bufinfo_lists_each_mapping(struct kunit *test)
{
	struct device *dev = mock_device(test);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct mock_exp *e;
	struct dma_buf *dmabuf = mock_export(test, &mock_list_ops, &e);
	struct sg_table *sgt;
	struct seq_file m = { .size = PAGE_SIZE };
	char want[96];

	m.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	attach = dma_buf_dynamic_attach(dmabuf, dev, &imp_dynamic, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dl);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_show_mappings(&m, attach);
	dma_resv_unlock(dmabuf->resv);

	snprintf(want, sizeof(want), "mapping list dir %d ranges %lu meta ",
		 DMA_TO_DEVICE, dma_list_count(dl));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, want), "%s", m.buf);
	snprintf(want, sizeof(want), "mapping sgt<-list dir %d ranges %u meta ",
		 DMA_BIDIRECTIONAL, sgt->nents);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, want), "%s", m.buf);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, " p2p-bus 0 p2p-host-bridge 0 iova no\n"));

	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_TO_DEVICE);
	expect_balanced(test, e, attach);
	dma_buf_detach(dmabuf, attach);
}

/* Fail the n-th call of the allocation the stub replaces. */
static int fail_at, calls;

static void *fail_zalloc(size_t size)
{
	return ++calls == fail_at ? NULL : kzalloc(size, GFP_KERNEL);
}

static int fail_to_sgt(const struct dma_list *dl, struct sg_table *sgt)
{
	return ++calls == fail_at ? -ENOMEM : dma_list_to_sgt(dl, sgt, GFP_KERNEL);
}

static int fail_pages_to_sgt(const struct phys_list *pl, struct sg_table *sgt,
			     struct device *dev)
{
	return ++calls == fail_at ? -ENOMEM :
	       phys_list_to_sgt_segs(pl, sgt, dma_get_max_seg_size(dev),
				     dma_get_seg_boundary(dev), GFP_KERNEL);
}

static int fail_from_sgt(struct dma_list *dl, const struct sg_table *sgt)
{
	return ++calls == fail_at ? -ENOMEM : dma_list_from_sgt(dl, sgt, GFP_KERNEL);
}

/*
 * Every allocation of every path fails once in turn: each failure reaches
 * the importer as -ENOMEM and leaves nothing held.
 */
static void dma_buf_alloc_failure_unwinds(struct kunit *test)
{
	struct device *dev = mock_device(test);
	const struct dma_buf_ops *ops[] = { &mock_list_ops, &mock_dynamic_ops,
					    &mock_sgt_ops };
	int o, api, failures = 0;

	kunit_activate_static_stub(test, dma_buf_mapping_zalloc, fail_zalloc);
	kunit_activate_static_stub(test, dma_buf_mapping_to_sgt, fail_to_sgt);
	kunit_activate_static_stub(test, dma_buf_mapping_pages_to_sgt,
				   fail_pages_to_sgt);
	kunit_activate_static_stub(test, dma_buf_mapping_from_sgt, fail_from_sgt);

	for (o = 0; o < ARRAY_SIZE(ops); o++) {
		struct mock_exp *e;
		struct dma_buf *dmabuf = mock_export(test, ops[o], &e);
		struct dma_buf_attachment *attach;

		/*
		 * A dynamic importer of a static sg_table exporter would get
		 * the exporter's table cached at attach: attach statically.
		 */
		attach = dma_buf_dynamic_attach(dmabuf, dev,
						ops[o] == &mock_sgt_ops ? NULL :
						&imp_dynamic, NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
		for (api = 0; api < 2; api++) {
			for (fail_at = 1; ; fail_at++) {
				int err;

				calls = 0;
				err = map_and_unmap(attach, api);
				if (!err)
					break;
				KUNIT_EXPECT_EQ(test, err, -ENOMEM);
				expect_balanced(test, e, attach);
				failures++;
			}
			fail_at = 0;
			expect_balanced(test, e, attach);
		}
		dma_buf_detach(dmabuf, attach);
	}
	/*
	 * list<-list: record; sgt<-list: record, page table; list<-sgt:
	 * record, list; the sg_table exporter's own path has none of ours.
	 */
	KUNIT_EXPECT_EQ(test, failures, 1 + 2 + 1 + 2 + 2);
}

static struct kunit_case dma_buf_mapping_cases[] = {
	KUNIT_CASE(dma_buf_export_rejects_inconsistent_ops),
	KUNIT_CASE(dma_buf_list_importer_list_exporter),
	KUNIT_CASE(dma_buf_sgt_importer_list_exporter),
	KUNIT_CASE(dma_buf_sgt_importer_gets_pages),
	KUNIT_CASE(dma_buf_list_from_sgt_within_device_limits),
	KUNIT_CASE(dma_buf_wrong_length_refused),
	KUNIT_CASE(dma_buf_phys_mappings_told_apart),
	KUNIT_CASE(dma_buf_old_list_freed_at_unmap_phys),
	KUNIT_CASE(dma_buf_list_importer_sgt_exporter),
	KUNIT_CASE(dma_buf_shared_list_two_importers),
	KUNIT_CASE(dma_buf_phys_only_for_allow_phys),
	KUNIT_CASE(dma_buf_p2p_range_refused),
	KUNIT_CASE(dma_buf_exporter_error_propagates),
	KUNIT_CASE(dma_buf_dynamic_exporter_pinned_while_mapped),
	KUNIT_CASE(dma_buf_move_notify_reaches_list_importer),
	KUNIT_CASE(dma_buf_revocable_refuses_static_importer),
	KUNIT_CASE(dma_buf_revoke_waits_for_unmap),
	KUNIT_CASE(dma_buf_revoke_unmap_in_move_notify),
	KUNIT_CASE(dma_buf_revocable_refuses_pinned_importer),
	KUNIT_CASE(dma_buf_revoke_waits_for_fences),
	KUNIT_CASE(dma_buf_revoke_bounded_for_stuck_importer),
	KUNIT_CASE(dma_buf_revoke_bounded_for_stuck_fence),
	KUNIT_CASE(dma_buf_mainline_phys_vec_exporter),
	KUNIT_CASE(dma_buf_begin_cpu_access_syncs_list_mappings),
	KUNIT_CASE(dma_buf_cpu_access_syncs_skip_cpu_sync_mappings),
	KUNIT_CASE(dma_buf_bufinfo_lists_each_mapping),
	KUNIT_CASE(dma_buf_alloc_failure_unwinds),
	{}
};

static struct kunit_suite dma_buf_mapping_suite = {
	.name = "dma_buf_mapping",
	.test_cases = dma_buf_mapping_cases,
};

kunit_test_suite(dma_buf_mapping_suite);

MODULE_DESCRIPTION("KUnit tests for dma-buf range-list mappings");
MODULE_LICENSE("GPL");
