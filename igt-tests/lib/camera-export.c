// SPDX-License-Identifier: GPL-2.0
/* A streaming V4L2 capture device as an exporter (see camera-export.h) */
/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "camera-export.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

static void requeue(struct wb_camera_export *x, unsigned int index)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP, .index = index,
	};

	wb_assert_sys(ioctl(x->cam.fd, VIDIOC_QBUF, &b));
}

void wb_camera_export_open(struct wb_camera_export *x, const char *name)
{
	memset(x, 0, sizeof(*x));
	x->b.fd = -1;
	camera_start(&x->cam, name, 2, 0);
	x->index = camera_dequeue(&x->cam, &x->used);
	igt_assert_f(x->used > 0 && x->used <= x->cam.len[x->index],
		     "%s: a frame of %zu bytes in a buffer of %zu\n", name,
		     x->used, x->cam.len[x->index]);
	x->b = (struct wb_buf){
		.fd = camera_export(&x->cam, x->index),
		.map = x->cam.map[x->index], .size = x->cam.len[x->index],
		.memfd = -1, .what = "vivid capture buffer (streaming)",
	};
	igt_info("%s: exports buffer %u, %zu bytes, a frame of %zu (%ux%u, %u bytes a line)\n",
		 name, x->index, x->b.size, x->used, x->cam.fmt.fmt.pix.width,
		 x->cam.fmt.fmt.pix.height, x->cam.fmt.fmt.pix.bytesperline);
}

void wb_camera_export_next(struct wb_camera_export *x)
{
	unsigned int i;
	size_t used;
	int n;

	requeue(x, x->index);
	/* The other buffer may come back first: it goes round again */
	for (n = 0; n < 8; n++) {
		i = camera_dequeue(&x->cam, &used);
		if (i == x->index)
			break;
		requeue(x, i);
	}
	igt_assert_f(n < 8, "the capture device did not return buffer %u\n",
		     x->index);
	igt_assert_eq_u64(used, x->used);
	/*
	 * vb2 synced the frame for the CPU at DQBUF; SYNC_END syncs the
	 * importers' DMA mappings for their devices
	 */
	wb_buf_sync(&x->b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	wb_buf_sync(&x->b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

void wb_camera_export_close(struct wb_camera_export *x)
{
	if (x->b.fd >= 0)
		close(x->b.fd);
	x->b.fd = -1;
	x->b.map = NULL;
	/* Unmaps every buffer, the exported one's too */
	camera_stop(&x->cam);
}
