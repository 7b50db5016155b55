// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of videobuf2's dma-buf import: a queue of each allocator
 * imports buffers of a test exporter through vb2_core_qbuf(), the path
 * VIDIOC_QBUF takes.
 */
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/range_list.h>
#include <linux/slab.h>

#include <media/videobuf2-core.h>
#include <media/videobuf2-vmalloc.h>

/* The exporter: one page of RAM, which its vmap says is RAM or I/O */
struct vb2_kunit_exp {
	struct page *page;
	struct phys_list pl;
	bool iomem;
	int vmaps;
};

static int vb2_kunit_exp_vmap(struct dma_buf *dbuf, struct iosys_map *map)
{
	struct vb2_kunit_exp *e = dbuf->priv;
	void *vaddr = page_address(e->page);

	e->vmaps++;
	if (e->iomem)
		iosys_map_set_vaddr_iomem(map, (void __iomem __force *)vaddr);
	else
		iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void vb2_kunit_exp_vunmap(struct dma_buf *dbuf, struct iosys_map *map)
{
	struct vb2_kunit_exp *e = dbuf->priv;

	e->vmaps--;
}

static const struct phys_list *
vb2_kunit_exp_map_phys(struct dma_buf_attachment *attach,
		       enum dma_data_direction dir,
		       struct p2pdma_provider **provider)
{
	struct vb2_kunit_exp *e = attach->dmabuf->priv;

	return &e->pl;
}

static void vb2_kunit_exp_unmap_phys(struct dma_buf_attachment *attach,
				     const struct phys_list *pl,
				     enum dma_data_direction dir)
{
}

static void vb2_kunit_exp_release(struct dma_buf *dbuf)
{
}

static const struct dma_buf_ops vb2_kunit_exp_ops = {
	.map_phys = vb2_kunit_exp_map_phys,
	.unmap_phys = vb2_kunit_exp_unmap_phys,
	.vmap = vb2_kunit_exp_vmap,
	.vunmap = vb2_kunit_exp_vunmap,
	.release = vb2_kunit_exp_release,
};

/* The queue: one OUTPUT plane of a page, DMABUF only */
struct vb2_kunit {
	struct vb2_queue q;
	struct vb2_kunit_exp exp;
	struct dma_buf *dbuf;
	int fd;
};

static int vb2_kunit_queue_setup(struct vb2_queue *q, unsigned int *nbufs,
				 unsigned int *nplanes, unsigned int sizes[],
				 struct device *alloc_devs[])
{
	*nplanes = 1;
	sizes[0] = PAGE_SIZE;
	return 0;
}

static void vb2_kunit_buf_queue(struct vb2_buffer *vb)
{
	vb2_buffer_done(vb, VB2_BUF_STATE_DONE);
}

static const struct vb2_ops vb2_kunit_qops = {
	.queue_setup = vb2_kunit_queue_setup,
	.buf_queue = vb2_kunit_buf_queue,
};

/* What VIDIOC_QBUF would take from user space: the fd, a full plane */
static int vb2_kunit_fill_vb2_buffer(struct vb2_buffer *vb,
				     struct vb2_plane *planes)
{
	struct vb2_kunit *t = vb2_get_drv_priv(vb->vb2_queue);

	planes[0].m.fd = t->fd;
	planes[0].length = 0;
	planes[0].bytesused = PAGE_SIZE;
	return 0;
}

static const struct vb2_buf_ops vb2_kunit_buf_ops = {
	.fill_vb2_buffer = vb2_kunit_fill_vb2_buffer,
};

static int vb2_kunit_init(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vb2_kunit *t;
	unsigned int count = 1;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->exp.page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, t->exp.page);
	phys_list_init(&t->exp.pl, NULL);
	KUNIT_ASSERT_EQ(test, phys_list_append_page(&t->exp.pl, t->exp.page,
						    0, PAGE_SIZE, GFP_KERNEL), 0);
	exp_info.ops = &vb2_kunit_exp_ops;
	exp_info.size = PAGE_SIZE;
	exp_info.flags = O_RDWR;
	exp_info.priv = &t->exp;
	exp_info.exp_name = "vb2-kunit";
	t->dbuf = dma_buf_export(&exp_info);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dbuf));
	get_dma_buf(t->dbuf);
	t->fd = dma_buf_fd(t->dbuf, O_CLOEXEC);
	KUNIT_ASSERT_GE(test, t->fd, 0);

	t->q.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	t->q.is_output = 1;
	t->q.io_modes = VB2_DMABUF;
	t->q.drv_priv = t;
	t->q.ops = &vb2_kunit_qops;
	t->q.buf_ops = &vb2_kunit_buf_ops;
	t->q.mem_ops = &vb2_vmalloc_memops;
	KUNIT_ASSERT_EQ(test, vb2_core_queue_init(&t->q), 0);
	KUNIT_ASSERT_EQ(test, vb2_core_reqbufs(&t->q, VB2_MEMORY_DMABUF, 0,
					       &count), 0);
	KUNIT_ASSERT_EQ(test, count, 1);
	test->priv = t;
	return 0;
}

static void vb2_kunit_exit(struct kunit *test)
{
	struct vb2_kunit *t = test->priv;

	if (!t)
		return;
	vb2_core_queue_release(&t->q);
	/* Every vmap of the import was given back */
	KUNIT_EXPECT_EQ(test, t->exp.vmaps, 0);
	close_fd(t->fd);
	dma_buf_put(t->dbuf);
	phys_list_free(&t->exp.pl);
	__free_page(t->exp.page);
}

/* vb2-vmalloc takes a buffer of RAM: the plane is the exporter's vmap */
static void vb2_vmalloc_imports_ram(struct kunit *test)
{
	struct vb2_kunit *t = test->priv;
	struct vb2_buffer *vb = vb2_get_buffer(&t->q, 0);

	KUNIT_ASSERT_EQ(test, vb2_core_qbuf(&t->q, vb, NULL, NULL), 0);
	KUNIT_EXPECT_PTR_EQ(test, vb2_plane_vaddr(vb, 0),
			    page_address(t->exp.page));
	KUNIT_EXPECT_EQ(test, t->exp.vmaps, 1);
}

/*
 * vb2-vmalloc drivers access planes as ordinary memory: a dma-buf whose
 * vmap is I/O memory is refused with -EOPNOTSUPP, its vmap given back
 * (checked at exit), and the buffer is not queued.
 */
static void vb2_vmalloc_refuses_iomem(struct kunit *test)
{
	struct vb2_kunit *t = test->priv;
	struct vb2_buffer *vb = vb2_get_buffer(&t->q, 0);

	t->exp.iomem = true;
	KUNIT_EXPECT_EQ(test, vb2_core_qbuf(&t->q, vb, NULL, NULL),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, t->exp.vmaps, 0);
	KUNIT_EXPECT_EQ(test, vb->state, VB2_BUF_STATE_DEQUEUED);
}

static struct kunit_case vb2_import_cases[] = {
	KUNIT_CASE(vb2_vmalloc_imports_ram),
	KUNIT_CASE(vb2_vmalloc_refuses_iomem),
	{}
};

static struct kunit_suite vb2_import_suite = {
	.name = "videobuf2_import",
	.init = vb2_kunit_init,
	.exit = vb2_kunit_exit,
	.test_cases = vb2_import_cases,
};

kunit_test_suite(vb2_import_suite);

MODULE_DESCRIPTION("KUnit tests of videobuf2's dma-buf import");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
