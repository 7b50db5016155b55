/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming V4L2 capture device (vivid) as an exporter: one of its
 * MMAP buffers, exported with VIDIOC_EXPBUF, is what the importers take,
 * and each new content of it is a frame the device captures into it
 * (vivid's test pattern, its OSD text counting frames).  The test never
 * writes the buffer; it reads the frame through the exporter's own
 * mapping (the V4L2 buffer's mmap).
 */
#ifndef WB_CAMERA_EXPORT_H
#define WB_CAMERA_EXPORT_H

/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "devices.h"

#include <stddef.h>

#include "exporters.h"

struct wb_camera_export {
	struct camera cam;
	unsigned int index;	/* the exported buffer */
	struct wb_buf b;	/* it, as a dma-buf; b.map is its mmap */
	size_t used;		/* bytes of the frame it holds */
};

/*
 * Stream from the capture node @name (e.g. "vivid-000-vid-cap") into two
 * MMAP buffers, take the first frame and export its buffer into x->b;
 * the buffer stays with user space, holding that frame.
 */
void wb_camera_export_open(struct wb_camera_export *x, const char *name);

/*
 * Give the exported buffer back to the device and wait until it returns
 * it with a newer frame (the other buffer goes round meanwhile).  Only
 * the exporter is called; DMA_BUF_IOCTL_SYNC then hands the new frame to
 * the importers' DMA mappings where they are copies (swiotlb=force).
 */
void wb_camera_export_next(struct wb_camera_export *x);

void wb_camera_export_close(struct wb_camera_export *x);

#endif /* WB_CAMERA_EXPORT_H */
