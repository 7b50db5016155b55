// SPDX-License-Identifier: GPL-2.0-only
/*
 * A V4L2 memory-to-memory device on each edu: a frame queued on the
 * OUTPUT queue is copied by the edu DMA engine into a buffer of the
 * CAPTURE queue.  The engine only moves bytes between memory and its
 * 4 KiB buffer, so a frame goes through it in windows: the device reads
 * a window of the source plane into its buffer and writes it out to the
 * destination plane, one transfer per DMA range of each plane that the
 * window covers.  Every byte of the frame crosses the bus twice, through
 * the IOMMU when there is one: this is a V4L2 device whose buffers are
 * really read and written by DMA, for testing videobuf2's imports and
 * exports of dma-bufs at a device.
 *
 * The videobuf2 allocator is chosen per device with the v4l2_memops
 * parameter: "dma-sg" (any pages; USERPTR everywhere) or "dma-contig"
 * (one DMA-contiguous range per plane; USERPTR only behind an IOMMU,
 * where any user memory can be made DMA-contiguous).  A dma-sg plane is
 * read as the DMA range list videobuf2 keeps for it, or, while the
 * debugfs switch v4l2_plane_desc is set, through the scatterlist legacy
 * drivers get from vb2_dma_sg_plane_desc(): the same ranges either way.
 *
 * Each transfer waits on a timer in QEMU's model, so frames are small by
 * default; S_FMT on the OUTPUT queue sets the frame size (the CAPTURE
 * format always follows it: the device copies, it does not convert).
 *
 * Locking: the device's dev_mutex serialises the ioctls of all its
 * contexts (it is the vb2 queues' lock).  The mem2mem framework runs one
 * job at a time per device; device_run() hands it to a work item, which
 * sleeps on the transfers and finishes the job.
 */
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <media/v4l2-common.h>
#include <media/v4l2-device.h>
#include <media/v4l2-ioctl.h>
#include <media/v4l2-mem2mem.h>
#include <media/videobuf2-dma-contig.h>
#include <media/videobuf2-dma-sg.h>

#include "qemu_edu.h"

#define EDU_V4L2_MAX_DEVS	8

static char *v4l2_memops[EDU_V4L2_MAX_DEVS];
module_param_array(v4l2_memops, charp, NULL, 0444);
MODULE_PARM_DESC(v4l2_memops,
		 "videobuf2 allocator of the V4L2 device of each edu, by minor (qemu_eduN): dma-sg (default) or dma-contig");

/*
 * Bytes the engine moves per window: half its buffer, so that a window
 * of a page-aligned plane never straddles a page and costs one transfer
 * in and one out.
 */
#define EDU_V4L2_WINDOW		2048
/* Pieces of one plane a window may cover before it is cut short */
#define EDU_V4L2_WINDOW_PIECES	8

#define EDU_V4L2_MIN_W		16
#define EDU_V4L2_MIN_H		16
#define EDU_V4L2_MAX_W		3840
#define EDU_V4L2_MAX_H		2160
/* 128x64 GREY: two pages, eight transfers (about 0.8 s under QEMU) */
#define EDU_V4L2_DEF_W		128
#define EDU_V4L2_DEF_H		64

enum edu_v4l2_alloc {
	EDU_V4L2_DMA_SG,
	EDU_V4L2_DMA_CONTIG,
};

static const char *const edu_v4l2_alloc_names[] = {
	[EDU_V4L2_DMA_SG] = "dma-sg",
	[EDU_V4L2_DMA_CONTIG] = "dma-contig",
};

/* Single-plane formats whose image is width * height * num / den bytes */
struct edu_v4l2_fmt {
	u32 fourcc;
	u32 num;
	u32 den;
};

static const struct edu_v4l2_fmt edu_v4l2_formats[] = {
	{ V4L2_PIX_FMT_GREY, 1, 1 },
	{ V4L2_PIX_FMT_NV12, 3, 2 },
};

/**
 * struct qemu_edu_v4l2 - the V4L2 side of one edu
 * @edu: the device; not to be touched once @gone is set
 * @alloc: the videobuf2 allocator of its queues
 * @v4l2_dev: the V4L2 device; its release frees this structure
 * @vfd: the video device node
 * @m2m_dev: the mem2mem job scheduler
 * @dev_mutex: lock of the ioctls and of the vb2 queues
 * @gone: the driver is being unbound; jobs fail without touching @edu
 * @run: runs the current job, see edu_v4l2_device_run()
 * @plane_desc: read dma-sg planes through vb2_dma_sg_plane_desc()
 *	(debugfs v4l2_plane_desc)
 * @frames: frames copied since probe (debugfs v4l2_frames)
 * @frames_plane_desc: of which through vb2_dma_sg_plane_desc()
 *	(debugfs v4l2_frames_plane_desc)
 * @frame_ns: time the last frame took (debugfs v4l2_frame_ns)
 */
struct qemu_edu_v4l2 {
	struct qemu_edu *edu;
	enum edu_v4l2_alloc alloc;
	struct v4l2_device v4l2_dev;
	struct video_device vfd;
	struct v4l2_m2m_dev *m2m_dev;
	struct mutex dev_mutex;	/* ioctls and vb2 queues */
	bool gone;
	struct work_struct run;
	bool plane_desc;
	unsigned long frames;
	unsigned long frames_plane_desc;
	unsigned long frame_ns;
};

/**
 * struct edu_v4l2_ctx - one open file
 * @fh: the V4L2 file handle, with the mem2mem context
 * @dev: the device
 * @fmt: the image format of both queues
 * @aborting: streaming stops; the job in flight ends at its next window
 */
struct edu_v4l2_ctx {
	struct v4l2_fh fh;
	struct qemu_edu_v4l2 *dev;
	struct v4l2_pix_format fmt;
	bool aborting;
};

static struct edu_v4l2_ctx *file_to_ctx(struct file *file)
{
	return container_of(file->private_data, struct edu_v4l2_ctx, fh);
}

static const struct edu_v4l2_fmt *edu_v4l2_find_fmt(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(edu_v4l2_formats); i++)
		if (edu_v4l2_formats[i].fourcc == fourcc)
			return &edu_v4l2_formats[i];
	return NULL;
}

/* Make @pix a format the device takes: known fourcc, size in range */
static void edu_v4l2_fill_fmt(struct v4l2_pix_format *pix)
{
	const struct edu_v4l2_fmt *f = edu_v4l2_find_fmt(pix->pixelformat);

	if (!f) {
		f = &edu_v4l2_formats[0];
		pix->pixelformat = f->fourcc;
	}
	/* Even sizes, which NV12's half-resolution chroma needs */
	v4l_bound_align_image(&pix->width, EDU_V4L2_MIN_W, EDU_V4L2_MAX_W, 1,
			      &pix->height, EDU_V4L2_MIN_H, EDU_V4L2_MAX_H, 1,
			      0);
	pix->field = V4L2_FIELD_NONE;
	pix->bytesperline = pix->width;
	pix->sizeimage = pix->width * pix->height * f->num / f->den;
	pix->flags = 0;
	/*
	 * The bytes are copied, so is their meaning: the colorimetry set
	 * on OUTPUT is the one CAPTURE reports.  Unknown values fall back.
	 */
	if (pix->colorspace == V4L2_COLORSPACE_DEFAULT ||
	    pix->colorspace > V4L2_COLORSPACE_DCI_P3)
		pix->colorspace = V4L2_COLORSPACE_SRGB;
	if (pix->xfer_func > V4L2_XFER_FUNC_SMPTE2084)
		pix->xfer_func = V4L2_XFER_FUNC_DEFAULT;
	if (pix->ycbcr_enc > V4L2_YCBCR_ENC_SMPTE240M)
		pix->ycbcr_enc = V4L2_YCBCR_ENC_DEFAULT;
	if (pix->quantization > V4L2_QUANTIZATION_LIM_RANGE)
		pix->quantization = V4L2_QUANTIZATION_DEFAULT;
}

/*
 * A cursor over the DMA ranges of a plane as the queue's allocator
 * mapped them for the edu: vb2-dma-sg's DMA list (or the DMA segments of
 * the table vb2_dma_sg_plane_desc() builds from it), or vb2-dma-contig's
 * single range.
 */
struct edu_v4l2_cursor {
	const struct dma_list *dl;
	struct dma_list_iter di;
	struct scatterlist *sg;
	unsigned int sg_left;
	dma_addr_t addr;
	u64 len;
};

static void edu_v4l2_cursor_next(struct edu_v4l2_cursor *c)
{
	if (c->dl) {
		if (!dma_list_next_entry(&c->di, &c->addr, &c->len))
			c->len = 0;
		return;
	}
	if (!c->sg_left) {
		c->len = 0;
		return;
	}
	c->addr = sg_dma_address(c->sg);
	c->len = sg_dma_len(c->sg);
	c->sg = sg_next(c->sg);
	c->sg_left--;
}

static int edu_v4l2_cursor_init(struct edu_v4l2_cursor *c,
				struct qemu_edu_v4l2 *dev, struct vb2_buffer *vb,
				bool plane_desc)
{
	struct sg_table *sgt;

	memset(c, 0, sizeof(*c));
	if (dev->alloc == EDU_V4L2_DMA_CONTIG) {
		c->addr = vb2_dma_contig_plane_dma_addr(vb, 0);
		c->len = vb2_plane_size(vb, 0);
		return 0;
	}
	if (plane_desc) {
		sgt = vb2_dma_sg_plane_desc(vb, 0);
		if (!sgt)
			return -ENOMEM;
		c->sg = sgt->sgl;
		c->sg_left = sgt->nents;
	} else {
		c->dl = vb2_dma_sg_plane_dma_list(vb, 0);
		if (WARN_ON_ONCE(!c->dl))
			return -EINVAL;
		dma_list_iter_start(&c->di, c->dl);
	}
	edu_v4l2_cursor_next(c);
	return 0;
}

/* Take up to @len bytes from the cursor into @seg; returns the bytes */
static u32 edu_v4l2_cursor_take(struct edu_v4l2_cursor *c,
				struct qemu_edu_seg *seg, unsigned int *nr,
				u32 len)
{
	u32 n = min_t(u64, c->len, len);

	/* A piece that continues the previous one costs no transfer */
	if (*nr && seg[*nr - 1].addr + seg[*nr - 1].len == c->addr)
		seg[*nr - 1].len += n;
	else
		seg[(*nr)++] = (struct qemu_edu_seg){ .addr = c->addr, .len = n };
	c->addr += n;
	c->len -= n;
	if (!c->len)
		edu_v4l2_cursor_next(c);
	return n;
}

/*
 * Copy @len bytes from the start of @src's plane to the start of @dst's,
 * window by window.  A window ends early when either side has used up
 * its pieces, so it never needs more than EDU_V4L2_WINDOW_PIECES.
 */
static int edu_v4l2_copy(struct edu_v4l2_ctx *ctx, struct vb2_buffer *src,
			 struct vb2_buffer *dst, u32 len, bool plane_desc)
{
	struct qemu_edu_seg in[EDU_V4L2_WINDOW_PIECES];
	struct qemu_edu_seg out[EDU_V4L2_WINDOW_PIECES];
	struct qemu_edu_v4l2 *dev = ctx->dev;
	struct edu_v4l2_cursor cs, cd;
	unsigned int nr_in, nr_out;
	u32 win, n;
	int ret;

	ret = edu_v4l2_cursor_init(&cs, dev, src, plane_desc);
	if (!ret)
		ret = edu_v4l2_cursor_init(&cd, dev, dst, plane_desc);
	if (ret)
		return ret;
	while (len) {
		if (READ_ONCE(ctx->aborting))
			return -ECANCELED;
		nr_in = 0;
		nr_out = 0;
		win = 0;
		while (win < EDU_V4L2_WINDOW && win < len &&
		       nr_in < EDU_V4L2_WINDOW_PIECES &&
		       nr_out < EDU_V4L2_WINDOW_PIECES) {
			/* Both planes hold at least len bytes (buf_prepare) */
			if (WARN_ON_ONCE(!cs.len || !cd.len))
				return -EIO;
			n = min3(EDU_V4L2_WINDOW - win, len - win,
				 (u32)min(cs.len, cd.len));
			edu_v4l2_cursor_take(&cs, in, &nr_in, n);
			edu_v4l2_cursor_take(&cd, out, &nr_out, n);
			win += n;
		}
		ret = qemu_edu_copy(dev->edu, in, nr_in, out, nr_out);
		if (ret)
			return ret;
		len -= win;
	}
	return 0;
}

static void edu_v4l2_run(struct work_struct *work)
{
	struct qemu_edu_v4l2 *dev = container_of(work, struct qemu_edu_v4l2,
						 run);
	struct edu_v4l2_ctx *ctx = v4l2_m2m_get_curr_priv(dev->m2m_dev);
	struct vb2_v4l2_buffer *src, *dst;
	enum vb2_buffer_state state;
	ktime_t start = ktime_get();
	bool plane_desc = READ_ONCE(dev->plane_desc);
	u32 len;
	int ret;

	src = v4l2_m2m_src_buf_remove(ctx->fh.m2m_ctx);
	dst = v4l2_m2m_dst_buf_remove(ctx->fh.m2m_ctx);
	len = min(vb2_get_plane_payload(&src->vb2_buf, 0), ctx->fmt.sizeimage);
	if (READ_ONCE(dev->gone))
		ret = -ENODEV;
	else
		ret = edu_v4l2_copy(ctx, &src->vb2_buf, &dst->vb2_buf, len,
				    plane_desc);
	if (ret && ret != -ECANCELED)
		dev_warn_ratelimited(dev->vfd.dev_parent,
				     "frame copy failed: %d\n", ret);

	v4l2_m2m_buf_copy_metadata(src, dst, true);
	vb2_set_plane_payload(&dst->vb2_buf, 0, ret ? 0 : len);
	state = ret ? VB2_BUF_STATE_ERROR : VB2_BUF_STATE_DONE;
	if (!ret) {
		dev->frames++;
		if (plane_desc && dev->alloc == EDU_V4L2_DMA_SG)
			dev->frames_plane_desc++;
		dev->frame_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	}
	v4l2_m2m_buf_done(src, state);
	v4l2_m2m_buf_done(dst, state);
	v4l2_m2m_job_finish(dev->m2m_dev, ctx->fh.m2m_ctx);
}

static void edu_v4l2_device_run(void *priv)
{
	struct edu_v4l2_ctx *ctx = priv;

	/* The transfers sleep for a long time: not in the caller's context */
	queue_work(system_unbound_wq, &ctx->dev->run);
}

static void edu_v4l2_job_abort(void *priv)
{
	struct edu_v4l2_ctx *ctx = priv;

	WRITE_ONCE(ctx->aborting, true);
}

static const struct v4l2_m2m_ops edu_v4l2_m2m_ops = {
	.device_run = edu_v4l2_device_run,
	.job_abort = edu_v4l2_job_abort,
};

/* --- vb2 queues --- */

static int edu_v4l2_queue_setup(struct vb2_queue *vq, unsigned int *nbuffers,
				unsigned int *nplanes, unsigned int sizes[],
				struct device *alloc_devs[])
{
	struct edu_v4l2_ctx *ctx = vb2_get_drv_priv(vq);

	if (*nplanes)
		return *nplanes == 1 && sizes[0] >= ctx->fmt.sizeimage ?
			0 : -EINVAL;
	*nplanes = 1;
	sizes[0] = ctx->fmt.sizeimage;
	return 0;
}

static int edu_v4l2_buf_out_validate(struct vb2_buffer *vb)
{
	struct vb2_v4l2_buffer *vbuf = to_vb2_v4l2_buffer(vb);

	vbuf->field = V4L2_FIELD_NONE;
	return 0;
}

static int edu_v4l2_buf_prepare(struct vb2_buffer *vb)
{
	struct edu_v4l2_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);
	u32 size = ctx->fmt.sizeimage;

	if (vb2_plane_size(vb, 0) < size) {
		dev_dbg(ctx->dev->vfd.dev_parent,
			"plane of %lu bytes, the frame needs %u\n",
			vb2_plane_size(vb, 0), size);
		return -EINVAL;
	}
	if (!V4L2_TYPE_IS_OUTPUT(vb->vb2_queue->type))
		vb2_set_plane_payload(vb, 0, size);
	return 0;
}

static void edu_v4l2_buf_queue(struct vb2_buffer *vb)
{
	struct edu_v4l2_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);

	v4l2_m2m_buf_queue(ctx->fh.m2m_ctx, to_vb2_v4l2_buffer(vb));
}

/* A revoke must not wait for a buffer no job has taken: give it back */
static void edu_v4l2_buf_invalidate(struct vb2_buffer *vb)
{
	struct edu_v4l2_ctx *ctx = vb2_get_drv_priv(vb->vb2_queue);

	v4l2_m2m_buf_invalidate(ctx->fh.m2m_ctx, to_vb2_v4l2_buffer(vb));
}

static int edu_v4l2_start_streaming(struct vb2_queue *q, unsigned int count)
{
	struct edu_v4l2_ctx *ctx = vb2_get_drv_priv(q);

	WRITE_ONCE(ctx->aborting, false);
	return 0;
}

static void edu_v4l2_stop_streaming(struct vb2_queue *q)
{
	struct edu_v4l2_ctx *ctx = vb2_get_drv_priv(q);
	struct vb2_v4l2_buffer *vbuf;

	for (;;) {
		if (V4L2_TYPE_IS_OUTPUT(q->type))
			vbuf = v4l2_m2m_src_buf_remove(ctx->fh.m2m_ctx);
		else
			vbuf = v4l2_m2m_dst_buf_remove(ctx->fh.m2m_ctx);
		if (!vbuf)
			break;
		v4l2_m2m_buf_done(vbuf, VB2_BUF_STATE_ERROR);
	}
}

static const struct vb2_ops edu_v4l2_qops = {
	.queue_setup = edu_v4l2_queue_setup,
	.buf_out_validate = edu_v4l2_buf_out_validate,
	.buf_prepare = edu_v4l2_buf_prepare,
	.buf_queue = edu_v4l2_buf_queue,
	.buf_invalidate = edu_v4l2_buf_invalidate,
	.start_streaming = edu_v4l2_start_streaming,
	.stop_streaming = edu_v4l2_stop_streaming,
	.wait_prepare = vb2_ops_wait_prepare,
	.wait_finish = vb2_ops_wait_finish,
};

static void edu_v4l2_init_vq(struct edu_v4l2_ctx *ctx, struct vb2_queue *q,
			     enum v4l2_buf_type type)
{
	struct qemu_edu_v4l2 *dev = ctx->dev;

	q->type = type;
	q->io_modes = VB2_MMAP | VB2_DMABUF;
	/*
	 * Any user memory is one DMA range once an IOMMU maps it; without
	 * one, dma-contig would refuse all but physically contiguous memory.
	 */
	if (dev->alloc == EDU_V4L2_DMA_SG ||
	    device_iommu_mapped(dev->vfd.dev_parent))
		q->io_modes |= VB2_USERPTR;
	q->drv_priv = ctx;
	q->buf_struct_size = sizeof(struct v4l2_m2m_buffer);
	q->ops = &edu_v4l2_qops;
	q->mem_ops = dev->alloc == EDU_V4L2_DMA_CONTIG ?
		&vb2_dma_contig_memops : &vb2_dma_sg_memops;
	q->timestamp_flags = V4L2_BUF_FLAG_TIMESTAMP_COPY;
	q->lock = &dev->dev_mutex;
	q->dev = dev->vfd.dev_parent;
	/* Only the work item asks for scatterlists, and it may sleep */
	q->lazy_sg_table = 1;
	/*
	 * The work item takes the planes' addresses anew for each frame,
	 * so vb2 may import P2P and revocable dma-bufs.
	 */
	q->dynamic_dmabuf = 1;
}

static int edu_v4l2_queue_init(void *priv, struct vb2_queue *src_vq,
			       struct vb2_queue *dst_vq)
{
	struct edu_v4l2_ctx *ctx = priv;
	int ret;

	edu_v4l2_init_vq(ctx, src_vq, V4L2_BUF_TYPE_VIDEO_OUTPUT);
	ret = vb2_queue_init(src_vq);
	if (ret)
		return ret;
	edu_v4l2_init_vq(ctx, dst_vq, V4L2_BUF_TYPE_VIDEO_CAPTURE);
	return vb2_queue_init(dst_vq);
}

/* --- ioctls --- */

static int edu_v4l2_querycap(struct file *file, void *priv,
			     struct v4l2_capability *cap)
{
	struct edu_v4l2_ctx *ctx = file_to_ctx(file);

	strscpy(cap->driver, "qemu_edu", sizeof(cap->driver));
	snprintf(cap->card, sizeof(cap->card), "QEMU edu m2m (%s)",
		 edu_v4l2_alloc_names[ctx->dev->alloc]);
	return 0;
}

static int edu_v4l2_enum_fmt(struct file *file, void *priv,
			     struct v4l2_fmtdesc *f)
{
	if (f->index >= ARRAY_SIZE(edu_v4l2_formats))
		return -EINVAL;
	f->pixelformat = edu_v4l2_formats[f->index].fourcc;
	return 0;
}

static int edu_v4l2_enum_framesizes(struct file *file, void *priv,
				    struct v4l2_frmsizeenum *fsize)
{
	if (fsize->index || !edu_v4l2_find_fmt(fsize->pixel_format))
		return -EINVAL;
	fsize->type = V4L2_FRMSIZE_TYPE_STEPWISE;
	fsize->stepwise = (struct v4l2_frmsize_stepwise){
		.min_width = EDU_V4L2_MIN_W, .max_width = EDU_V4L2_MAX_W,
		.step_width = 2,
		.min_height = EDU_V4L2_MIN_H, .max_height = EDU_V4L2_MAX_H,
		.step_height = 2,
	};
	return 0;
}

static int edu_v4l2_g_fmt(struct file *file, void *priv,
			  struct v4l2_format *f)
{
	f->fmt.pix = file_to_ctx(file)->fmt;
	return 0;
}

static int edu_v4l2_try_fmt_out(struct file *file, void *priv,
				struct v4l2_format *f)
{
	edu_v4l2_fill_fmt(&f->fmt.pix);
	return 0;
}

/* The device copies: the CAPTURE format is the OUTPUT format */
static int edu_v4l2_try_fmt_cap(struct file *file, void *priv,
				struct v4l2_format *f)
{
	return edu_v4l2_g_fmt(file, priv, f);
}

static int edu_v4l2_s_fmt_out(struct file *file, void *priv,
			      struct v4l2_format *f)
{
	struct edu_v4l2_ctx *ctx = file_to_ctx(file);
	struct v4l2_m2m_ctx *m2m = ctx->fh.m2m_ctx;

	/* Both queues' buffers are sized for the format */
	if (vb2_is_busy(v4l2_m2m_get_src_vq(m2m)) ||
	    vb2_is_busy(v4l2_m2m_get_dst_vq(m2m)))
		return -EBUSY;
	edu_v4l2_fill_fmt(&f->fmt.pix);
	ctx->fmt = f->fmt.pix;
	return 0;
}

static int edu_v4l2_s_fmt_cap(struct file *file, void *priv,
			      struct v4l2_format *f)
{
	struct edu_v4l2_ctx *ctx = file_to_ctx(file);

	if (vb2_is_busy(v4l2_m2m_get_dst_vq(ctx->fh.m2m_ctx)))
		return -EBUSY;
	return edu_v4l2_g_fmt(file, priv, f);
}

static const struct v4l2_ioctl_ops edu_v4l2_ioctl_ops = {
	.vidioc_querycap = edu_v4l2_querycap,
	.vidioc_enum_fmt_vid_cap = edu_v4l2_enum_fmt,
	.vidioc_enum_fmt_vid_out = edu_v4l2_enum_fmt,
	.vidioc_enum_framesizes = edu_v4l2_enum_framesizes,
	.vidioc_g_fmt_vid_cap = edu_v4l2_g_fmt,
	.vidioc_g_fmt_vid_out = edu_v4l2_g_fmt,
	.vidioc_try_fmt_vid_cap = edu_v4l2_try_fmt_cap,
	.vidioc_try_fmt_vid_out = edu_v4l2_try_fmt_out,
	.vidioc_s_fmt_vid_cap = edu_v4l2_s_fmt_cap,
	.vidioc_s_fmt_vid_out = edu_v4l2_s_fmt_out,

	.vidioc_reqbufs = v4l2_m2m_ioctl_reqbufs,
	.vidioc_querybuf = v4l2_m2m_ioctl_querybuf,
	.vidioc_qbuf = v4l2_m2m_ioctl_qbuf,
	.vidioc_dqbuf = v4l2_m2m_ioctl_dqbuf,
	.vidioc_prepare_buf = v4l2_m2m_ioctl_prepare_buf,
	.vidioc_create_bufs = v4l2_m2m_ioctl_create_bufs,
	.vidioc_expbuf = v4l2_m2m_ioctl_expbuf,
	.vidioc_streamon = v4l2_m2m_ioctl_streamon,
	.vidioc_streamoff = v4l2_m2m_ioctl_streamoff,
};

/* --- file operations --- */

static int edu_v4l2_open(struct file *file)
{
	struct qemu_edu_v4l2 *dev = video_drvdata(file);
	struct edu_v4l2_ctx *ctx;
	int ret = 0;

	if (mutex_lock_interruptible(&dev->dev_mutex))
		return -ERESTARTSYS;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx) {
		ret = -ENOMEM;
		goto unlock;
	}
	ctx->dev = dev;
	ctx->fmt.pixelformat = edu_v4l2_formats[0].fourcc;
	ctx->fmt.width = EDU_V4L2_DEF_W;
	ctx->fmt.height = EDU_V4L2_DEF_H;
	edu_v4l2_fill_fmt(&ctx->fmt);
	v4l2_fh_init(&ctx->fh, video_devdata(file));
	ctx->fh.m2m_ctx = v4l2_m2m_ctx_init(dev->m2m_dev, ctx,
					    edu_v4l2_queue_init);
	if (IS_ERR(ctx->fh.m2m_ctx)) {
		ret = PTR_ERR(ctx->fh.m2m_ctx);
		v4l2_fh_exit(&ctx->fh);
		kfree(ctx);
		goto unlock;
	}
	file->private_data = &ctx->fh;
	v4l2_fh_add(&ctx->fh);
unlock:
	mutex_unlock(&dev->dev_mutex);
	return ret;
}

static int edu_v4l2_release(struct file *file)
{
	struct edu_v4l2_ctx *ctx = file_to_ctx(file);
	struct qemu_edu_v4l2 *dev = ctx->dev;

	v4l2_fh_del(&ctx->fh);
	mutex_lock(&dev->dev_mutex);
	/*
	 * v4l2_m2m_job_finish() still reads the m2m context after it woke
	 * v4l2_m2m_ctx_release(), which frees it (KASAN: slab-use-after-free
	 * in __v4l2_m2m_try_queue() from edu_v4l2_run()).  Stop the
	 * context's jobs (STREAMOFF waits for a running one, and no new one
	 * starts) and wait until the work item that finished the last one
	 * has returned.
	 */
	v4l2_m2m_streamoff(file, ctx->fh.m2m_ctx, V4L2_BUF_TYPE_VIDEO_OUTPUT);
	v4l2_m2m_streamoff(file, ctx->fh.m2m_ctx, V4L2_BUF_TYPE_VIDEO_CAPTURE);
	flush_work(&dev->run);
	v4l2_m2m_ctx_release(ctx->fh.m2m_ctx);
	mutex_unlock(&dev->dev_mutex);
	v4l2_fh_exit(&ctx->fh);
	kfree(ctx);
	return 0;
}

static const struct v4l2_file_operations edu_v4l2_fops = {
	.owner = THIS_MODULE,
	.open = edu_v4l2_open,
	.release = edu_v4l2_release,
	.poll = v4l2_m2m_fop_poll,
	.unlocked_ioctl = video_ioctl2,
	.mmap = v4l2_m2m_fop_mmap,
};

/* --- the device --- */

/* The last reference went with the last open file (or at del()) */
static void edu_v4l2_dev_release(struct v4l2_device *v4l2_dev)
{
	struct qemu_edu_v4l2 *dev = container_of(v4l2_dev,
						 struct qemu_edu_v4l2,
						 v4l2_dev);
	struct device *parent = v4l2_dev->dev;

	v4l2_m2m_release(dev->m2m_dev);
	v4l2_device_unregister(v4l2_dev);
	put_device(parent);
	kfree(dev);
}

static int edu_v4l2_parse_alloc(struct qemu_edu *edu)
{
	const char *name = edu->minor_id < EDU_V4L2_MAX_DEVS ?
		v4l2_memops[edu->minor_id] : NULL;
	int i;

	if (!name || !*name)
		return EDU_V4L2_DMA_SG;
	i = match_string(edu_v4l2_alloc_names,
			 ARRAY_SIZE(edu_v4l2_alloc_names), name);
	if (i < 0)
		pci_err(edu->pdev, "v4l2_memops: unknown allocator '%s' (dma-sg or dma-contig)\n",
			name);
	return i;
}

/**
 * qemu_edu_v4l2_add() - give an edu its V4L2 mem2mem device
 * @edu: the device, bound and ready for transfers
 *
 * Context: Process context, from probe.
 * Return: 0 or a negative errno; -EINVAL for an unknown v4l2_memops.
 */
int qemu_edu_v4l2_add(struct qemu_edu *edu)
{
	struct device *parent = &edu->pdev->dev;
	struct qemu_edu_v4l2 *dev;
	int alloc, ret;

	alloc = edu_v4l2_parse_alloc(edu);
	if (alloc < 0)
		return -EINVAL;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->edu = edu;
	dev->alloc = alloc;
	mutex_init(&dev->dev_mutex);
	INIT_WORK(&dev->run, edu_v4l2_run);

	ret = v4l2_device_register(parent, &dev->v4l2_dev);
	if (ret) {
		kfree(dev);
		return ret;
	}
	/* vb2 maps buffers for the PCI device until the last file closes */
	get_device(parent);
	dev->v4l2_dev.release = edu_v4l2_dev_release;
	dev->m2m_dev = v4l2_m2m_init(&edu_v4l2_m2m_ops);
	if (IS_ERR(dev->m2m_dev)) {
		ret = PTR_ERR(dev->m2m_dev);
		dev->m2m_dev = NULL;
		goto err_put;
	}

	dev->vfd = (struct video_device){
		.fops = &edu_v4l2_fops,
		.ioctl_ops = &edu_v4l2_ioctl_ops,
		.release = video_device_release_empty,
		.v4l2_dev = &dev->v4l2_dev,
		.lock = &dev->dev_mutex,
		.vfl_dir = VFL_DIR_M2M,
		.device_caps = V4L2_CAP_VIDEO_M2M | V4L2_CAP_STREAMING,
	};
	snprintf(dev->vfd.name, sizeof(dev->vfd.name), "qemu_edu%d-m2m-%s",
		 edu->minor_id, edu_v4l2_alloc_names[alloc]);
	video_set_drvdata(&dev->vfd, dev);
	ret = video_register_device(&dev->vfd, VFL_TYPE_VIDEO, -1);
	if (ret)
		goto err_put;

	edu->v4l2 = dev;
	debugfs_create_ulong("v4l2_frames", 0400, edu->dir, &dev->frames);
	debugfs_create_ulong("v4l2_frame_ns", 0400, edu->dir, &dev->frame_ns);
	debugfs_create_bool("v4l2_plane_desc", 0600, edu->dir,
			    &dev->plane_desc);
	debugfs_create_ulong("v4l2_frames_plane_desc", 0400, edu->dir,
			     &dev->frames_plane_desc);
	pci_info(edu->pdev, "V4L2 mem2mem device %s (%s)\n",
		 video_device_node_name(&dev->vfd), edu_v4l2_alloc_names[alloc]);
	return 0;

err_put:
	v4l2_device_put(&dev->v4l2_dev);
	return ret;
}

/**
 * qemu_edu_v4l2_del() - remove the V4L2 device of an edu being unbound
 * @edu: the device; its transfers already fail with -ENODEV
 *
 * The node goes away, so that open files get -ENODEV from every ioctl;
 * a frame in flight fails at its next transfer and completes with an
 * error before this returns.  A job that the mem2mem framework still
 * starts after that (the one in flight schedules the next when it
 * finishes) fails at once without touching @edu, which goes with the
 * binding.  The structure lives on until the last open
 * file is closed, which also frees its buffers.
 *
 * Context: Process context, from remove.
 */
void qemu_edu_v4l2_del(struct qemu_edu *edu)
{
	struct qemu_edu_v4l2 *dev = edu->v4l2;

	if (!dev)
		return;
	video_unregister_device(&dev->vfd);
	WRITE_ONCE(dev->gone, true);
	flush_work(&dev->run);
	edu->v4l2 = NULL;
	v4l2_device_put(&dev->v4l2_dev);
}
