/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vkms's writeback connector as an importer: vkms composes its primary
 * plane and writes the frame with the CPU into a framebuffer made on an
 * imported dma-buf.
 */
#ifndef WB_WRITEBACK_H
#define WB_WRITEBACK_H

/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "igt.h"

#include <stdint.h>

#include "exporters.h"

/* vkms with its writeback connector alone on PIPE_A, in a @w x @h mode */
struct wb_writeback {
	int fd;
	uint32_t w, h;
	igt_display_t display;
	igt_output_t *output;
	igt_plane_t *primary;
};

void wb_writeback_init(struct wb_writeback *d, uint32_t w, uint32_t h);
/*
 * An XRGB8888 framebuffer of the mode's size on dma-buf @dmabuf, imported
 * by PRIME, pitch w * 4; 0, or the import's errno (nothing is left then)
 */
int wb_writeback_fb(struct wb_writeback *d, int dmabuf, struct igt_fb *fb);
/* Remove a framebuffer of wb_writeback_fb() and close its handle */
void wb_writeback_fb_free(struct wb_writeback *d, struct igt_fb *fb);
/* vkms composes @in on the plane and writes the frame into @out; waits */
void wb_writeback_frame(struct wb_writeback *d, struct igt_fb *in,
			struct igt_fb *out);
/* Plane, writeback framebuffer and pipe off (before freeing the fbs) */
void wb_writeback_off(struct wb_writeback *d);
/* Closes the device (its framebuffers freed first) */
void wb_writeback_fini(struct wb_writeback *d);

/*
 * vkms's writeback output as an exporter: a vkms dumb buffer is the
 * writeback connector's framebuffer and is exported by PRIME, and each
 * new content of it is a frame vkms composes from one of two colour
 * framebuffers of its own and writes back.  The test never writes the
 * exported buffer itself.
 */
struct wb_writeback_export {
	struct wb_writeback d;
	struct igt_fb src[2];	/* vkms's own framebuffers of each colour */
	struct igt_fb out;	/* the writeback framebuffer, exported */
	struct wb_buf b;	/* @out as a dma-buf, b.map its mmap */
};

/* The two colours, XRGB8888, as vkms writes them back (X = 0xff) */
extern const uint32_t wb_writeback_colours[2];

/* vkms in a @w x @h writeback mode, the dumb buffer exported into x->b */
void wb_writeback_export_open(struct wb_writeback_export *x, uint32_t w,
			      uint32_t h);
/*
 * vkms writes a frame of colour @c (0 or 1) back into the exported
 * buffer.  Then the exporter's own mapping must show it in every pixel,
 * and DMA_BUF_IOCTL_SYNC hands it to the importers' DMA mappings where
 * they are copies (swiotlb=force).
 */
void wb_writeback_export_frame(struct wb_writeback_export *x, int c);
/* Writeback off, the buffer unmapped and closed, vkms closed */
void wb_writeback_export_close(struct wb_writeback_export *x);

#endif /* WB_WRITEBACK_H */
