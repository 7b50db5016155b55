// SPDX-License-Identifier: GPL-2.0
/* vkms's writeback connector as an importer (see writeback.h) */
#include "writeback.h"
#include "igt_device.h"

#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "devices.h"

void wb_writeback_init(struct wb_writeback *d, uint32_t w, uint32_t h)
{
	drmModeModeInfo *mode = NULL;
	drmModeConnector *c;

	d->w = w;
	d->h = h;
	d->fd = wb_drm_open(DRIVER_VKMS);
	igt_device_set_master(d->fd);
	wb_assert_sys(drmSetClientCap(d->fd, DRM_CLIENT_CAP_ATOMIC, 1));
	wb_assert_sys(drmSetClientCap(d->fd,
				      DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, 1));
	igt_display_require(&d->display, d->fd);
	d->output = NULL;
	for (int i = 0; i < d->display.n_outputs; i++) {
		c = d->display.outputs[i].config.connector;
		if (c->connector_type == DRM_MODE_CONNECTOR_WRITEBACK)
			d->output = &d->display.outputs[i];
	}
	wb_require_f(d->output, "vkms has no writeback connector\n");
	/*
	 * vkms's two connectors share its one CRTC: the writeback one alone
	 * on it, so that it takes the frames.
	 */
	igt_display_reset(&d->display);
	igt_output_set_pipe(d->output, PIPE_A);
	c = d->output->config.connector;
	for (int i = 0; i < c->count_modes && !mode; i++)
		if (c->modes[i].hdisplay == w && c->modes[i].vdisplay == h)
			mode = &c->modes[i];
	igt_assert_f(mode, "vkms's writeback connector has no %ux%u mode\n",
		     w, h);
	igt_output_override_mode(d->output, mode);
	d->primary = igt_output_get_plane_type(d->output, DRM_PLANE_TYPE_PRIMARY);
}

int wb_writeback_fb(struct wb_writeback *d, int dmabuf, struct igt_fb *fb)
{
	uint32_t handles[4] = {}, pitches[4] = { d->w * 4 }, offsets[4] = {};
	uint32_t handle, fb_id;

	if (drmPrimeFDToHandle(d->fd, dmabuf, &handle))
		return errno;
	handles[0] = handle;
	wb_assert_sys(drmModeAddFB2(d->fd, d->w, d->h, DRM_FORMAT_XRGB8888,
				    handles, pitches, offsets, &fb_id, 0));
	igt_init_fb(fb, d->fd, d->w, d->h, DRM_FORMAT_XRGB8888,
		    DRM_FORMAT_MOD_LINEAR, IGT_COLOR_YCBCR_BT709,
		    IGT_COLOR_YCBCR_LIMITED_RANGE);
	fb->fb_id = fb_id;
	fb->gem_handle = handle;
	fb->strides[0] = d->w * 4;
	return 0;
}

void wb_writeback_fb_free(struct wb_writeback *d, struct igt_fb *fb)
{
	if (!fb->fb_id)
		return;
	wb_assert_sys(drmModeRmFB(d->fd, fb->fb_id));
	gem_close(d->fd, fb->gem_handle);
	fb->fb_id = 0;
}

void wb_writeback_frame(struct wb_writeback *d, struct igt_fb *in,
			struct igt_fb *out)
{
	struct pollfd p = { .events = POLLIN };

	/* wb_writeback_off() took the connector off its pipe */
	igt_output_set_pipe(d->output, PIPE_A);
	igt_plane_set_fb(d->primary, in);
	igt_output_set_writeback_fb(d->output, out);
	igt_display_commit_atomic(&d->display, DRM_MODE_ATOMIC_ALLOW_MODESET,
				  NULL);
	p.fd = d->output->writeback_out_fence_fd;
	igt_assert_f(p.fd >= 0, "vkms gave no writeback fence\n");
	igt_assert_f(poll(&p, 1, 10000) == 1,
		     "vkms's writeback did not signal in 10 s\n");
	close(p.fd);
	d->output->writeback_out_fence_fd = -1;
}

void wb_writeback_off(struct wb_writeback *d)
{
	igt_plane_set_fb(d->primary, NULL);
	igt_output_set_writeback_fb(d->output, NULL);
	igt_output_set_prop_value(d->output,
				  IGT_CONNECTOR_WRITEBACK_OUT_FENCE_PTR, 0);
	igt_output_set_pipe(d->output, PIPE_NONE);
	igt_display_commit_atomic(&d->display, DRM_MODE_ATOMIC_ALLOW_MODESET,
				  NULL);
}

void wb_writeback_fini(struct wb_writeback *d)
{
	igt_display_fini(&d->display);
	close(d->fd);
	d->fd = -1;
}

const uint32_t wb_writeback_colours[2] = { 0xffff0000, 0xff0000ff };

void wb_writeback_export_open(struct wb_writeback_export *x, uint32_t w,
			      uint32_t h)
{
	wb_writeback_init(&x->d, w, h);
	for (int i = 0; i < 2; i++) {
		uint32_t c = wb_writeback_colours[i];

		igt_create_color_fb(x->d.fd, w, h, DRM_FORMAT_XRGB8888,
				    DRM_FORMAT_MOD_LINEAR,
				    ((c >> 16) & 0xff) / 255.0,
				    ((c >> 8) & 0xff) / 255.0,
				    (c & 0xff) / 255.0, &x->src[i]);
	}
	igt_create_fb(x->d.fd, w, h, DRM_FORMAT_XRGB8888,
		      DRM_FORMAT_MOD_LINEAR, &x->out);
	igt_assert_f(x->out.strides[0] == w * 4,
		     "vkms's dumb buffer has %u bytes a row, want %u\n",
		     x->out.strides[0], w * 4);
	x->b = (struct wb_buf){
		.fd = prime_handle_to_fd_for_mmap(x->d.fd, x->out.gem_handle),
		.size = x->out.size, .memfd = -1,
		.what = "vkms writeback output (dumb buffer)",
	};
	wb_buf_map(&x->b);
	igt_info("vkms: exports its %ux%u writeback framebuffer, %zu bytes\n",
		 w, h, x->b.size);
}

void wb_writeback_export_frame(struct wb_writeback_export *x, int c)
{
	const uint32_t *p = (const uint32_t *)x->b.map;
	size_t bad = 0, first = 0, n = (size_t)x->d.w * x->d.h;

	wb_writeback_frame(&x->d, &x->src[c], &x->out);
	/*
	 * Off the pipe at once: a test that fails from here on leaves no
	 * writeback connector on vkms's CRTC for the next one to trip on
	 */
	wb_writeback_off(&x->d);
	/* The exporter's own view first: vkms did write the frame */
	wb_buf_sync(&x->b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < n; i++) {
		if (p[i] != wb_writeback_colours[c] && !bad++)
			first = i;
	}
	if (bad)
		igt_info("vkms's writeback: pixel %zu is %#010x\n", first,
			 p[first]);
	/* SYNC_END syncs the importers' DMA mappings for their devices */
	wb_buf_sync(&x->b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	igt_assert_f(!bad, "%zu of %zu pixels vkms wrote back are not %#010x\n",
		     bad, n, wb_writeback_colours[c]);
}

void wb_writeback_export_close(struct wb_writeback_export *x)
{
	wb_writeback_off(&x->d);
	wb_buf_free(&x->b);
	igt_remove_fb(x->d.fd, &x->out);
	for (int i = 0; i < 2; i++)
		igt_remove_fb(x->d.fd, &x->src[i]);
	wb_writeback_fini(&x->d);
}
