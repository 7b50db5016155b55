// SPDX-License-Identifier: GPL-2.0-only
/*
 * videobuf2 rows of the mapping benchmark: what the first QBUF of an
 * imported camera frame costs a vb2-dma-sg queue of the first edu device
 * (behind the IOMMU on the `iommu` topology) through 6.12's DMABUF import
 * (an sg_table) and through the series' (a DMA range list), and what each
 * holds for the mapped plane.
 *
 * The frame is an NV12 picture, 3840x2160 and 1920x1080, rounded up to
 * whole pages, in 4 KiB pages of which no two are adjacent, exported by
 * the list exporter of the dma-buf rows (qemu_edu_bench_export()).
 * Both paths import that very buffer, through its fd in the reading
 * process as VIDIOC_QBUF would, and differ only on the importing side:
 *
 * - list: vb2_dma_sg_memops, which maps DMABUF planes with
 *   dma_buf_map_attachment_list_unlocked(): the core maps the exporter's
 *   physical list with dma_map_phys_list(), one IOVA range.
 * - sgt: vbb_sgt_memops below, the DMABUF import of 6.12's vb2-dma-sg,
 *   kept here for this benchmark only: dma_buf_attach(),
 *   dma_buf_map_attachment_unlocked() (for a list exporter the core
 *   builds a table of one entry per page and maps it with
 *   dma_map_sgtable()) and the sync of that table for the device in
 *   prepare.
 *
 * Each path has a queue of its own, initialised with vb2_core_queue_init()
 * as the edu V4L2 device's OUTPUT queue is (DMABUF, DMA_TO_DEVICE,
 * lazy_sg_table).  A round asks for one buffer (vb2_core_reqbufs(), not
 * timed), times vb2_core_qbuf() of that fresh buffer (the fd's lookup,
 * the attach, the map and the memops' prepare: the first QBUF of an
 * imported buffer; the queue has no buf_prepare) and frees it
 * (vb2_core_reqbufs(0), not timed: the queue is cancelled, which unmaps,
 * and freed, which detaches).  The two paths take turns going first,
 * round by round.  Before the timed rounds each path queues the frame
 * once, untimed, to check that the plane maps the whole buffer through
 * exactly one attachment (none is left over from an earlier round) and to
 * count the plane's metadata.
 *
 * Run by qemu_edu_bench.c under its lock after the dma-buf rows, with
 * their rules: 24 MiB held at most (a spare page beside each frame page),
 * allocations that neither retry nor wake the OOM killer, and
 * qemu_edu_bench_yield() between pages and rounds.
 */
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/videodev2.h>
#include <media/videobuf2-core.h>
#include <media/videobuf2-dma-sg.h>

#include "qemu_edu.h"
#include "qemu_edu_dmabuf_bench.h"
#include "qemu_edu_vb2_bench.h"

#define VBB_ROUNDS	9

MODULE_IMPORT_NS(DMA_BUF);

enum { VBB_SGT, VBB_LIST, VBB_NR };

/* One frame size, both paths */
struct vbb {
	struct qemu_edu *edu;
	struct dma_buf *buf;		/* the frame */
	int fd;				/* @buf in the reading process */
	unsigned int frame_bytes;	/* the plane's size, before rounding */
	struct vb2_queue q[VBB_NR];
	bool q_ready[VBB_NR];
	u64 ns[VBB_NR][VBB_ROUNDS];	/* QBUF time of each round */
	u64 meta[VBB_NR];		/* see vbb_check() */
	size_t core[VBB_NR];		/* dma_buf_attachment_mem_bytes() */
	size_t plane_priv[VBB_NR];	/* the memops' per-plane object */
};

/* --- the sg_table import of 6.12's vb2-dma-sg, for this benchmark only --- */

struct vbb_sgt_buf {
	struct vb2_buffer *vb;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;		/* while mapped */
	enum dma_data_direction dir;
};

static void *vbb_sgt_attach(struct vb2_buffer *vb, struct device *dev,
			    struct dma_buf *dbuf, unsigned long size)
{
	struct dma_buf_attachment *attach;
	struct vbb_sgt_buf *b;

	if (dbuf->size < size)
		return ERR_PTR(-EFAULT);
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return ERR_PTR(-ENOMEM);
	attach = dma_buf_attach(dbuf, dev);
	if (IS_ERR(attach)) {
		kfree(b);
		return ERR_CAST(attach);
	}
	b->vb = vb;
	b->attach = attach;
	b->dir = vb->vb2_queue->dma_dir;
	return b;
}

static int vbb_sgt_map(void *priv)
{
	struct vbb_sgt_buf *b = priv;
	struct sg_table *sgt;

	if (WARN_ON(b->sgt))
		return -EBUSY;
	sgt = dma_buf_map_attachment_unlocked(b->attach, b->dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	b->sgt = sgt;
	return 0;
}

static void vbb_sgt_unmap(void *priv)
{
	struct vbb_sgt_buf *b = priv;

	if (WARN_ON(!b->sgt))
		return;
	dma_buf_unmap_attachment_unlocked(b->attach, b->sgt, b->dir);
	b->sgt = NULL;
}

static void vbb_sgt_detach(void *priv)
{
	struct vbb_sgt_buf *b = priv;

	/* vb2 unmaps first */
	if (WARN_ON(b->sgt))
		vbb_sgt_unmap(b);
	dma_buf_detach(b->attach->dmabuf, b->attach);
	kfree(b);
}

/* 6.12 syncs imported planes too: nothing is set to skip it for DMABUF */
static void vbb_sgt_prepare(void *priv)
{
	struct vbb_sgt_buf *b = priv;

	if (!b->vb->skip_cache_sync_on_prepare)
		dma_sync_sgtable_for_device(b->attach->dev, b->sgt, b->dir);
}

static void vbb_sgt_finish(void *priv)
{
	struct vbb_sgt_buf *b = priv;

	if (!b->vb->skip_cache_sync_on_finish)
		dma_sync_sgtable_for_cpu(b->attach->dev, b->sgt, b->dir);
}

/* What vb2_dma_sg_plane_desc() returned in 6.12 */
static void *vbb_sgt_cookie(struct vb2_buffer *vb, void *priv)
{
	struct vbb_sgt_buf *b = priv;

	return b->sgt;
}

static const struct vb2_mem_ops vbb_sgt_memops = {
	.attach_dmabuf	= vbb_sgt_attach,
	.detach_dmabuf	= vbb_sgt_detach,
	.map_dmabuf	= vbb_sgt_map,
	.unmap_dmabuf	= vbb_sgt_unmap,
	.prepare	= vbb_sgt_prepare,
	.finish		= vbb_sgt_finish,
	.cookie		= vbb_sgt_cookie,
};

/* --- a queue that imports the frame --- */

static int vbb_queue_setup(struct vb2_queue *q, unsigned int *nbufs,
			   unsigned int *nplanes, unsigned int sizes[],
			   struct device *alloc_devs[])
{
	struct vbb *v = vb2_get_drv_priv(q);

	if (*nplanes)
		return *nplanes == 1 && sizes[0] >= v->frame_bytes ? 0 :
		       -EINVAL;
	*nplanes = 1;
	sizes[0] = v->frame_bytes;
	return 0;
}

/* The queues never stream, so vb2 never gives the driver a buffer */
static void vbb_buf_queue(struct vb2_buffer *vb)
{
	vb2_buffer_done(vb, VB2_BUF_STATE_ERROR);
}

static const struct vb2_ops vbb_qops = {
	.queue_setup	= vbb_queue_setup,
	.buf_queue	= vbb_buf_queue,
};

/* What VIDIOC_QBUF takes from user space: the frame's fd, its whole size */
static int vbb_fill_vb2_buffer(struct vb2_buffer *vb,
			       struct vb2_plane *planes)
{
	struct vbb *v = vb2_get_drv_priv(vb->vb2_queue);

	planes[0].m.fd = v->fd;
	planes[0].length = 0;
	planes[0].bytesused = v->frame_bytes;
	return 0;
}

static const struct vb2_buf_ops vbb_buf_ops = {
	.fill_vb2_buffer = vbb_fill_vb2_buffer,
};

static int vbb_queue_init(struct vbb *v, int path)
{
	struct vb2_queue *q = &v->q[path];
	int ret;

	q->type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	q->is_output = 1;
	q->io_modes = VB2_DMABUF;
	q->dev = &v->edu->pdev->dev;
	q->drv_priv = v;
	q->ops = &vbb_qops;
	q->buf_ops = &vbb_buf_ops;
	q->mem_ops = path == VBB_LIST ? &vb2_dma_sg_memops : &vbb_sgt_memops;
	q->lazy_sg_table = 1;
	ret = vb2_core_queue_init(q);
	v->q_ready[path] = !ret;
	return ret;
}

/* --- one QBUF --- */

/*
 * The queued plane of @vb: it must map the whole frame for the queue's
 * device through exactly one attachment of the frame.  Also counts the
 * plane's metadata into v->meta[@path], with the memory mapped:
 *
 * - sgt: the table the importer is handed and keeps while the plane is
 *   mapped: the struct sg_table and the scatterlist chunks sg_alloc_table()
 *   allocated for it (qemu_edu_bench_sgt_chunk_bytes(): whole pages of
 *   SG_MAX_SINGLE_ALLOC entries, chain entries included, and the kmalloc
 *   object of the last chunk).  In 6.12 the exporter allocates them for
 *   the attachment; here the dma-buf core does, as the exporter has a
 *   list.  The core's record around the table is not counted.
 * - list: everything the core holds for the attachment's mappings,
 *   dma_buf_attachment_mem_bytes(): its record of the mapping (a struct
 *   that also embeds an unused sg_table), the DMA list's chunks
 *   (dma_list_mem_bytes()) and the array of runs dma_map_phys_list()
 *   keeps for the unmap.
 *
 * Neither counts what both paths hold alike or what is not the
 * importer's: the exporter's physical list (one per buffer, for all
 * importers), the attachment, vb2's buffer and plane, and the memops'
 * own per-plane object (struct vbb_sgt_buf here, struct vb2_dma_sg_buf
 * on the list path; their slab sizes go to v->plane_priv for a comment
 * row).  For the record, the core's own count for the sgt path's
 * attachment (its record, with one struct scatterlist per table entry
 * but not the chain entries nor the rounding of the chunks) goes to
 * v->core for that comment row too.
 */
static int vbb_check(struct vbb *v, int path, struct vb2_buffer *vb)
{
	struct dma_buf_attachment *a, *attach = NULL;
	struct dma_buf *buf = v->buf;
	const struct dma_list *dl;
	struct sg_table *sgt;
	unsigned int n = 0;
	u64 bytes;

	dma_resv_lock(buf->resv, NULL);
	list_for_each_entry(a, &buf->attachments, node) {
		attach = a;
		n++;
	}
	if (n == 1)
		v->core[path] = dma_buf_attachment_mem_bytes(attach);
	dma_resv_unlock(buf->resv);
	if (n != 1 || attach->dev != v->q[path].dev)
		return -EBUSY;

	if (path == VBB_LIST) {
		dl = vb2_dma_sg_plane_dma_list(vb, 0);
		if (!dl)
			return -EFAULT;
		bytes = qemu_edu_bench_list_dma_bytes(dl);
		v->meta[path] = v->core[path];
	} else {
		sgt = vb2_plane_cookie(vb, 0);
		if (!sgt)
			return -EFAULT;
		bytes = qemu_edu_bench_sgt_dma_bytes(sgt);
		v->meta[path] = sizeof(*sgt) +
				qemu_edu_bench_sgt_chunk_bytes(sgt);
	}
	v->plane_priv[path] = ksize(vb->planes[0].mem_priv);
	return bytes == buf->size ? 0 : -EFAULT;
}

/*
 * One buffer asked for, its first QBUF timed into *@ns, and freed; with
 * @check, vbb_check() while it is queued.
 */
static int vbb_qbuf(struct vbb *v, int path, u64 *ns, bool check)
{
	struct vb2_queue *q = &v->q[path];
	unsigned int count = 1;
	struct vb2_buffer *vb;
	int ret, ret2;
	u64 t;

	ret = vb2_core_reqbufs(q, VB2_MEMORY_DMABUF, 0, &count);
	if (ret)
		return ret;
	vb = vb2_get_buffer(q, 0);
	if (WARN_ON(!vb)) {
		ret = -EINVAL;
	} else {
		t = ktime_get_ns();
		ret = vb2_core_qbuf(q, vb, NULL, NULL);
		*ns = ktime_get_ns() - t;
		if (!ret && check)
			ret = vbb_check(v, path, vb);
	}
	count = 0;
	ret2 = vb2_core_reqbufs(q, VB2_MEMORY_DMABUF, 0, &count);
	return ret ?: ret2;
}

static int vbb_time(struct vbb *v)
{
	int i, k, path, ret;
	u64 ns;

	for (path = 0; path < VBB_NR; path++) {
		ret = vbb_qbuf(v, path, &ns, true);
		if (ret)
			return ret;
	}
	for (i = 0; i < VBB_ROUNDS; i++) {
		for (k = 0; k < VBB_NR; k++) {
			path = (i + k) % VBB_NR;
			ret = qemu_edu_bench_yield(v->edu);
			if (ret)
				return ret;
			/* Let the IOMMU flush queue release the last IOVA */
			msleep(50);
			ret = vbb_qbuf(v, path, &v->ns[path][i], false);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* --- one frame --- */

static int vbb_frame(struct vbb *v, unsigned int width, unsigned int height,
		     const char **stage)
{
	struct dbb_mem *mem = NULL;
	struct dma_buf *buf;
	int path, ret;

	*stage = "export";
	v->fd = -1;
	v->frame_bytes = width * height * 3 / 2;
	mem = qemu_edu_bench_mem(v->edu, 0,
				 DIV_ROUND_UP(v->frame_bytes, PAGE_SIZE));
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	buf = qemu_edu_bench_export(mem, QEMU_EDU_BENCH_LIST);
	if (IS_ERR(buf)) {
		qemu_edu_bench_mem_free(mem);
		return PTR_ERR(buf);
	}
	v->buf = buf;
	/* The fd's reference, ours stays for the checks */
	get_dma_buf(buf);
	ret = dma_buf_fd(buf, O_CLOEXEC);
	if (ret < 0) {
		dma_buf_put(buf);
		goto out;
	}
	v->fd = ret;

	*stage = "queue";
	for (path = 0; path < VBB_NR; path++) {
		ret = vbb_queue_init(v, path);
		if (ret)
			goto out;
	}

	*stage = "qbuf";
	ret = vbb_time(v);
out:
	for (path = 0; path < VBB_NR; path++)
		if (v->q_ready[path])
			vb2_core_queue_release(&v->q[path]);
	if (v->fd >= 0)
		close_fd(v->fd);
	dma_buf_put(buf);
	qemu_edu_bench_mem_free(mem);
	return ret;
}

/* --- rows --- */

static int vbb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void vbb_ratio(struct seq_file *m, const char *name, const char *sfx,
		      u64 a, u64 b)
{
	u64 milli = b ? div64_u64(a * 1000, b) : 0;

	seq_printf(m, "%s%s,%llu.%03llu,ratio\n", name, sfx, milli / 1000,
		   milli % 1000);
}

static void vbb_rows(struct seq_file *m, struct vbb *v, const char *sfx,
		     bool meta)
{
	u64 best[VBB_NR], median[VBB_NR];
	int path;

	for (path = 0; path < VBB_NR; path++) {
		sort(v->ns[path], VBB_ROUNDS, sizeof(u64), vbb_cmp_u64, NULL);
		best[path] = v->ns[path][0];
		median[path] = v->ns[path][VBB_ROUNDS / 2];
	}
	seq_printf(m, "# vb2%s: %u-byte NV12 plane, QBUF median sgt %llu ns, list %llu ns\n",
		   sfx, v->frame_bytes, median[VBB_SGT], median[VBB_LIST]);
	seq_printf(m, "vb2_qbuf_dmabuf_sgt_ns%s,%llu,ns\n", sfx,
		   best[VBB_SGT]);
	seq_printf(m, "vb2_qbuf_dmabuf_list_ns%s,%llu,ns\n", sfx,
		   best[VBB_LIST]);
	vbb_ratio(m, "vb2_qbuf_dmabuf_list_over_sgt", sfx, best[VBB_LIST],
		  best[VBB_SGT]);
	if (!meta)
		return;
	seq_printf(m, "# vb2%s: not in the rows: memops' per-plane object sgt %zu B, list %zu B; dma_buf_attachment_mem_bytes() sgt %zu B\n",
		   sfx, v->plane_priv[VBB_SGT], v->plane_priv[VBB_LIST],
		   v->core[VBB_SGT]);
	seq_printf(m, "vb2_meta_sgt_bytes%s,%llu,B\n", sfx, v->meta[VBB_SGT]);
	seq_printf(m, "vb2_meta_list_bytes%s,%llu,B\n", sfx,
		   v->meta[VBB_LIST]);
	vbb_ratio(m, "vb2_meta_list_over_sgt", sfx, v->meta[VBB_LIST],
		  v->meta[VBB_SGT]);
}

/**
 * qemu_edu_vb2_bench() - the videobuf2 rows of the benchmark
 * @m: receives the CSV rows
 * @edu: the device whose queues import, held by the caller
 *
 * Writes, for a 3840x2160 and a 1920x1080 NV12 frame of scattered 4 KiB
 * pages, the best of VBB_ROUNDS times of the first QBUF of the imported
 * frame through 6.12's sg_table import and through vb2-dma-sg's list
 * import (a comment row gives the medians), their ratio, and for the
 * 3840x2160 frame the bytes of metadata each holds for the mapped plane
 * (see vbb_check()) and their ratio.  A frame that fails for another
 * reason than those below leaves a comment row instead of its rows.
 *
 * Context: Process context, under the benchmark's lock; creates and
 * closes a file descriptor of the calling process; sleeps for seconds.
 * Return: 0, -ENOMEM, -EINTR on a fatal signal, -ENODEV if @edu is being
 * unbound.
 */
int qemu_edu_vb2_bench(struct seq_file *m, struct qemu_edu *edu)
{
	static const struct {
		unsigned int width, height;
		const char *sfx;
	} frames[] = {
		{ 3840, 2160, "" },
		{ 1920, 1080, "_1080p" },
	};
	unsigned int f;
	int ret;

	seq_printf(m, "# vb2: edu %s, first QBUF of an imported NV12 frame, best of %d\n",
		   pci_name(edu->pdev), VBB_ROUNDS);
	for (f = 0; f < ARRAY_SIZE(frames); f++) {
		const char *sfx = frames[f].sfx, *stage;
		struct vbb *v;

		v = kzalloc(sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
		v->edu = edu;
		ret = vbb_frame(v, frames[f].width, frames[f].height, &stage);
		if (!ret)
			vbb_rows(m, v, sfx, f == 0);
		kfree(v);
		if (ret == -ENOMEM || ret == -EINTR || ret == -ENODEV)
			return ret;
		if (ret)
			seq_printf(m, "# vb2%s %s failed: %d\n", sfx, stage,
				   ret);
	}
	return 0;
}
