/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edu V4L2 mem2mem device as an exporter whose device writes: its
 * CAPTURE queue's MMAP buffer, exported with VIDIOC_EXPBUF, is the
 * buffer the importers take, and each new content of it is a frame the
 * edu copies into it by DMA from the OUTPUT buffer.  The test never
 * writes the exported buffer with the CPU, so what an importer sees
 * afterwards came from the device, through the exporter's own memory.
 */
#ifndef WB_M2M_EXPORT_H
#define WB_M2M_EXPORT_H

/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "m2m.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporters.h"

struct wb_m2m_export {
	struct m2m m;
	struct m2m_frame in;	/* OUTPUT MMAP buffer 0: what the edu reads */
	struct m2m_frame out;	/* CAPTURE MMAP buffer 0: what it writes */
	struct wb_buf b;	/* @out exported; b.map is @out's mmap */
	bool streaming;
};

/*
 * Open the edu V4L2 device with allocator @alloc ("dma-contig" or
 * "dma-sg"; a skip if there is none), make its frames GREY @w x @h (so
 * x->m.size is @w * @h bytes), and export a CAPTURE buffer of at least
 * @min_size bytes (0: one frame) into x->b.  The device writes only the
 * frame's first x->m.size bytes of it.
 */
void wb_m2m_export_open(struct wb_m2m_export *x, const char *alloc,
			uint32_t w, uint32_t h, size_t min_size);

/*
 * The edu writes @bytes (x->m.size of them) into the exported buffer by
 * DMA: one mem2mem frame from the OUTPUT buffer.  Nothing else is
 * called but the exported dma-buf's DMA_BUF_IOCTL_SYNC afterwards, which
 * checks the exporter's own mapping and hands the new bytes to the
 * importers' DMA mappings where they are copies (swiotlb=force).
 */
void wb_m2m_export_write(struct wb_m2m_export *x, const uint8_t *bytes);

/* Stop streaming, unmap, close the export and the device */
void wb_m2m_export_close(struct wb_m2m_export *x);

#endif /* WB_M2M_EXPORT_H */
