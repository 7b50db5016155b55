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

#endif /* WB_WRITEBACK_H */
