// SPDX-License-Identifier: GPL-2.0
/* The edu V4L2 mem2mem device as an exporter (see m2m-export.h) */
/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "m2m-export.h"

#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#define PAGE		4096UL
#define OUT		V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE

void wb_m2m_export_open(struct wb_m2m_export *x, const char *alloc,
			uint32_t w, uint32_t h, size_t min_size)
{
	struct v4l2_format f = { .type = OUT };
	struct v4l2_create_buffers c = {
		.count = 1, .memory = V4L2_MEMORY_MMAP, .format.type = CAP,
	};
	struct v4l2_exportbuffer e = {
		.type = CAP, .index = 0, .flags = O_RDWR | O_CLOEXEC,
	};
	size_t size;

	memset(x, 0, sizeof(*x));
	x->in.dmabuf = -1;
	x->out.dmabuf = -1;
	x->in.memfd = -1;
	x->out.memfd = -1;
	x->b.fd = -1;
	m2m_open(&x->m, alloc);

	/* GREY: a frame is w * h bytes, so any byte pattern is a frame */
	wb_assert_sys(ioctl(x->m.fd, VIDIOC_G_FMT, &f));
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_GREY;
	f.fmt.pix.bytesperline = 0;
	wb_assert_sys(ioctl(x->m.fd, VIDIOC_S_FMT, &f));
	igt_assert_f(f.fmt.pix.pixelformat == V4L2_PIX_FMT_GREY,
		     "%s: no GREY frames\n", x->m.name);
	m2m_set_size(&x->m, w, h);
	igt_assert_f(x->m.size == w * h, "%s: a GREY %ux%u frame of %u bytes\n",
		     x->m.name, w, h, x->m.size);

	m2m_reqbufs(&x->m, OUT, V4L2_MEMORY_MMAP, 1);
	m2m_mmap_frame(&x->m, OUT, &x->in);

	/*
	 * CREATE_BUFS, not REQBUFS: an importer may want a buffer larger
	 * than the device's frame (vivid's 1280x720 frames), and a large
	 * frame would take minutes of edu transfers under TCG.
	 */
	size = min_size > x->m.size ? min_size : x->m.size;
	wb_assert_sys(ioctl(x->m.fd, VIDIOC_G_FMT, &c.format));
	c.format.fmt.pix.sizeimage = (size + PAGE - 1) / PAGE * PAGE;
	wb_assert_sys(ioctl(x->m.fd, VIDIOC_CREATE_BUFS, &c));
	igt_assert_f(c.count == 1 && c.index == 0,
		     "%s: CREATE_BUFS gave %u buffers from index %u\n",
		     x->m.name, c.count, c.index);
	m2m_mmap_frame(&x->m, CAP, &x->out);
	igt_assert_f(x->out.len >= size, "%s: a CAPTURE buffer of %zu bytes, want %zu\n",
		     x->m.name, x->out.len, size);

	wb_assert_sys(ioctl(x->m.fd, VIDIOC_EXPBUF, &e));
	x->b = (struct wb_buf){
		.fd = e.fd, .map = x->out.map, .size = x->out.len, .memfd = -1,
		.what = strcmp(alloc, "dma-sg") ?
			"edu m2m CAPTURE buffer (vb2-dma-contig)" :
			"edu m2m CAPTURE buffer (vb2-dma-sg)",
	};
	igt_info("%s: exports a CAPTURE buffer of %zu bytes; the device writes its first %u\n",
		 x->m.name, x->b.size, x->m.size);
}

void wb_m2m_export_write(struct wb_m2m_export *x, const uint8_t *bytes)
{
	unsigned long before = m2m_frames(&x->m);
	struct v4l2_buffer b;
	size_t bad = 0, first = 0;

	/* The OUTPUT buffer is the device's own MMAP buffer: QBUF syncs it */
	memcpy(x->in.map, bytes, x->m.size);
	igt_assert_eq(m2m_qbuf(&x->m, CAP, &x->out), 0);
	igt_assert_eq(m2m_qbuf(&x->m, OUT, &x->in), 0);
	if (!x->streaming) {
		m2m_stream(&x->m, VIDIOC_STREAMON, OUT);
		m2m_stream(&x->m, VIDIOC_STREAMON, CAP);
		x->streaming = true;
	}
	m2m_dqbuf(&x->m, CAP, V4L2_MEMORY_MMAP, &b);
	igt_assert_f(!(b.flags & V4L2_BUF_FLAG_ERROR),
		     "%s: the frame failed (see the kernel log)\n", x->m.name);
	igt_assert_eq_u32(b.bytesused, x->m.size);
	m2m_dqbuf(&x->m, OUT, V4L2_MEMORY_MMAP, &b);
	igt_assert_f(m2m_frames(&x->m) - before == 1,
		     "%s: the device counted %lu frames, want 1\n", x->m.name,
		     m2m_frames(&x->m) - before);

	/*
	 * The exporter's own mapping must show the frame: the device did
	 * write it.  SYNC_END then has the dma-buf core sync every
	 * importer's DMA mapping for its device; where swiotlb bounces, an
	 * importer mapped before this frame would otherwise read its bounce
	 * slots' old bytes.
	 */
	wb_buf_sync(&x->b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < x->m.size; i++) {
		if (x->b.map[i] != bytes[i] && !bad++)
			first = i;
	}
	if (bad)
		igt_info("%s: byte %zu of the CAPTURE buffer is %#x, want %#x\n",
			 x->m.name, first, x->b.map[first], bytes[first]);
	wb_buf_sync(&x->b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	igt_assert_f(!bad, "%s: %zu of %u bytes of the frame did not arrive in the CAPTURE buffer\n",
		     x->m.name, bad, x->m.size);
}

void wb_m2m_export_close(struct wb_m2m_export *x)
{
	if (x->streaming) {
		m2m_stream(&x->m, VIDIOC_STREAMOFF, CAP);
		m2m_stream(&x->m, VIDIOC_STREAMOFF, OUT);
		x->streaming = false;
	}
	if (x->b.fd >= 0)
		close(x->b.fd);
	x->b.fd = -1;
	x->b.map = NULL;
	m2m_frame_free(&x->out);
	m2m_frame_free(&x->in);
	close(x->m.fd);
	x->m.fd = -1;
}
