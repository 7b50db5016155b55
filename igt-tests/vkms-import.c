// SPDX-License-Identifier: GPL-2.0
/*
 * vkms-import: vkms scans out dma-bufs of every exporter, zero-copy.
 *
 * Subtests are named for the exporter.  Each fills a buffer of the
 * exporter with one colour through the exporter's own mapping, imports it
 * into vkms by PRIME as an XRGB8888 framebuffer on the primary plane, and
 *  - checks the pipe CRC against vkms's own framebuffer of that colour;
 *  - checks in debugfs bufinfo that vkms is attached to the buffer (which
 *    pins it) and holds no DMA mapping of it: vkms composes with the CPU,
 *    through the buffer's vmap, and its device never reaches the memory;
 *  - has the exporter write a second colour through its mapping, with no
 *    call into vkms, and checks that the next CRC is the second colour's:
 *    vkms composes from the exporter's memory, not from a copy;
 *  - removes the framebuffer and closes the handle: vkms must let go of
 *    the buffer (no attachment left in bufinfo).
 * The writeback-into-EXPORTER subtests make the same buffers vkms's
 * output: vkms, with its writeback connector alone on its CRTC, composes
 * a framebuffer of its own of one colour and writes the frame back with
 * the CPU into a framebuffer on the imported buffer, poisoned before;
 * the exporter's mapping (bracketed by DMA_BUF_IOCTL_SYNC) must then hold
 * that colour in every pixel.  A second frame of the other colour into
 * the same import must show there too: vkms wrote the exporter's memory,
 * not a copy.  vkms holds the buffer attached and unmapped, as above.
 * writeback-back-to-back commits frame after frame, each the moment the
 * previous out-fence signals, and needs every fence to signal (6.12's
 * vkms stopped its composer under the next job; see the subtest).
 * P2P memory (the NVMe CMB behind the p2pmem heap, the ivshmem BAR) is
 * revocable, and vkms imports statically: the import must fail with
 * EOPNOTSUPP and leave nothing attached.
 * The edu-m2m-ALLOC subtests take a buffer a device writes: the CAPTURE
 * buffer of the edu's V4L2 mem2mem device (ALLOC its vb2 allocator),
 * exported by VIDIOC_EXPBUF (lib/m2m-export.h).  The edu writes frame A
 * into it by DMA, vkms scans it out, then the edu writes frame B with no
 * call into vkms: the CRCs must be those of vkms's own framebuffers of
 * A's and B's bytes.  vivid-capture-ALLOC does the same with vivid's
 * streaming capture (vivid-000, vb2-dma-contig; vivid-002, vb2-vmalloc;
 * lib/camera-export.h): vivid captures a newer frame into the buffer
 * vkms holds.  vkms's writeback output as the exporter is not here: it
 * would be vkms importing its own GEM object.
 */
#define _GNU_SOURCE
#include "igt.h"
#include "igt_device.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "lib/bufinfo.h"
#include "lib/camera-export.h"
#include "lib/devices.h"
#include "lib/exporters.h"
#include "lib/m2m-export.h"
#include "lib/writeback.h"

#define VKMS	"vkms"
/* A mode of vkms's writeback connector */
#define WB_W	640
#define WB_H	480
#define POISON	0x5a5a5a5a

/* The two colours, as XRGB8888 pixels and as IGT's fractions */
static const struct colour {
	uint32_t pixel;
	double r, g, b;
} colours[2] = {
	{ 0x00ff0000, 1.0, 0.0, 0.0 },
	{ 0x000000ff, 0.0, 0.0, 1.0 },
};

struct scanout {
	int fd;
	igt_display_t display;
	igt_output_t *output;
	igt_plane_t *primary;
	igt_pipe_crc_t *crc;
	drmModeModeInfo *mode;
	igt_crc_t ref[2];	/* vkms's own framebuffer of each colour */
};

static void scanout_init(struct scanout *s)
{
	enum pipe pipe;
	bool found = false;

	s->fd = wb_drm_open(DRIVER_VKMS);
	igt_device_set_master(s->fd);
	igt_display_require(&s->display, s->fd);
	for_each_pipe_with_valid_output(&s->display, pipe, s->output) {
		igt_display_reset(&s->display);
		igt_output_set_pipe(s->output, pipe);
		found = true;
		break;
	}
	igt_assert_f(found, "vkms has no output on a pipe\n");
	s->mode = igt_output_get_mode(s->output);
	s->primary = igt_output_get_plane_type(s->output, DRM_PLANE_TYPE_PRIMARY);
	s->crc = igt_pipe_crc_new(s->fd, pipe, IGT_PIPE_CRC_SOURCE_AUTO);

	for (int i = 0; i < 2; i++) {
		struct igt_fb fb;

		igt_create_color_fb(s->fd, s->mode->hdisplay, s->mode->vdisplay,
				    DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR,
				    colours[i].r, colours[i].g, colours[i].b, &fb);
		igt_plane_set_fb(s->primary, &fb);
		igt_display_commit2(&s->display, COMMIT_ATOMIC);
		igt_pipe_crc_collect_crc(s->crc, &s->ref[i]);
		igt_plane_set_fb(s->primary, NULL);
		igt_display_commit2(&s->display, COMMIT_ATOMIC);
		igt_remove_fb(s->fd, &fb);
	}
	igt_assert_f(!igt_check_crc_equal(&s->ref[0], &s->ref[1]),
		     "vkms gives both colours the same CRC\n");
}

static void scanout_fini(struct scanout *s)
{
	igt_pipe_crc_free(s->crc);
	igt_display_fini(&s->display);
	close(s->fd);
}

static size_t frame_bytes(const struct scanout *s)
{
	return (size_t)s->mode->hdisplay * 4 * s->mode->vdisplay;
}

/* The exporter's CPU writes colour @c over the frame, between syncs. */
static void paint(struct wb_buf *b, size_t bytes, int c)
{
	uint32_t *p = (uint32_t *)b->map;

	wb_buf_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t i = 0; i < bytes / 4; i++)
		p[i] = colours[c].pixel;
	wb_buf_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/*
 * The frames vkms composes from now on must show colour @c.  The first
 * CRC read can be of a frame composed while the exporter was still
 * writing (seen: neither colour's CRC, a mix), so up to three are read.
 */
static bool crc_within_3(struct scanout *s, igt_crc_t *want,
			 igt_crc_t *other, const char *when)
{
	igt_crc_t crc;

	for (int i = 0; i < 3; i++) {
		igt_pipe_crc_collect_crc(s->crc, &crc);
		if (igt_check_crc_equal(&crc, want))
			return true;
		igt_info("%s: frame %d: CRC %s (want %s, the other pattern %s)\n",
			 when, i, igt_crc_to_string(&crc),
			 igt_crc_to_string(want), igt_crc_to_string(other));
	}
	return false;
}

static void expect_crc(struct scanout *s, int c, const char *when,
		       const struct wb_buf *b)
{
	igt_assert_f(crc_within_3(s, &s->ref[c], &s->ref[!c], when),
		     "%s: vkms scans out %s, not colour %#08x\n",
		     when, b->what, colours[c].pixel);
}

/* @b holds at least a frame; vkms scans it out, then follows its writes */
static void scan_out(struct scanout *s, struct wb_buf *b)
{
	uint32_t w = s->mode->hdisplay, h = s->mode->vdisplay;
	uint32_t handles[4] = {}, pitches[4] = { w * 4 }, offsets[4] = {};
	uint32_t handle, fb_id;
	struct igt_fb fb;
	struct wb_route r;

	igt_assert_lte(frame_bytes(s), b->size);
	paint(b, frame_bytes(s), 0);

	handle = prime_fd_to_handle(s->fd, b->fd);
	handles[0] = handle;
	wb_assert_sys(drmModeAddFB2(s->fd, w, h, DRM_FORMAT_XRGB8888, handles,
				    pitches, offsets, &fb_id, 0));
	igt_init_fb(&fb, s->fd, w, h, DRM_FORMAT_XRGB8888,
		    DRM_FORMAT_MOD_LINEAR, IGT_COLOR_YCBCR_BT709,
		    IGT_COLOR_YCBCR_LIMITED_RANGE);
	fb.fb_id = fb_id;
	fb.gem_handle = handle;
	igt_plane_set_fb(s->primary, &fb);
	igt_display_commit2(&s->display, COMMIT_ATOMIC);
	expect_crc(s, 0, "after the import", b);

	r = wb_bufinfo_route(b->fd, VKMS);
	igt_assert_f(r.attached && r.mappings == 0,
		     "vkms's import of %s: attached %d, %d mappings; want attached with no mapping (vkms uses the CPU)\n",
		     b->what, r.attached, r.mappings);

	/* Zero-copy: the exporter writes, vkms shows it, nothing between */
	paint(b, frame_bytes(s), 1);
	expect_crc(s, 1, "after the exporter's write", b);

	igt_plane_set_fb(s->primary, NULL);
	igt_display_commit2(&s->display, COMMIT_ATOMIC);
	wb_assert_sys(drmModeRmFB(s->fd, fb_id));
	gem_close(s->fd, handle);
	r = wb_bufinfo_route(b->fd, VKMS);
	igt_assert_f(!r.attached, "vkms still attached to %s after its handle closed\n",
		     b->what);
}

/* vkms, master of its node, for all subtests */
static struct scanout scanout;

/*
 * The edu's V4L2 mem2mem CAPTURE buffer as the exporter, written by the
 * device.  Its frames are small (each KiB costs about 0.1 s of edu
 * transfers under TCG), so the plane is a 64x64 framebuffer at the top
 * left of the mode, over vkms's black background: one GREY 128x128 frame
 * of the edu is exactly its 16 KiB.
 */
#define M2M_PX		64
#define M2M_GREY_W	128
#define M2M_GREY_H	128

/* Plane @fb at the top left, its own size */
static void show_small(struct scanout *s, struct igt_fb *fb)
{
	igt_plane_set_fb(s->primary, fb);
	igt_plane_set_position(s->primary, 0, 0);
	igt_plane_set_size(s->primary, fb->width, fb->height);
	igt_display_commit2(&s->display, COMMIT_ATOMIC);
}

/*
 * The CRC of vkms's own @w x @h framebuffer holding @bytes (@pitch bytes
 * a row), placed so
 */
static void small_ref_crc_of(struct scanout *s, uint32_t w, uint32_t h,
			     uint32_t pitch, const uint8_t *bytes,
			     igt_crc_t *crc)
{
	struct igt_fb fb;
	uint8_t *p;

	igt_create_fb(s->fd, w, h, DRM_FORMAT_XRGB8888,
		      DRM_FORMAT_MOD_LINEAR, &fb);
	p = igt_fb_map_buffer(s->fd, &fb);
	for (uint32_t y = 0; y < h; y++)
		memcpy(p + y * fb.strides[0], bytes + y * pitch, w * 4);
	igt_fb_unmap_buffer(&fb, p);
	show_small(s, &fb);
	igt_pipe_crc_collect_crc(s->crc, crc);
	igt_plane_set_fb(s->primary, NULL);
	igt_display_commit2(&s->display, COMMIT_ATOMIC);
	igt_remove_fb(s->fd, &fb);
}

static void small_ref_crc(struct scanout *s, const uint8_t *bytes,
			  igt_crc_t *crc)
{
	small_ref_crc_of(s, M2M_PX, M2M_PX, M2M_PX * 4, bytes, crc);
}

/*
 * The exporters of the device-written subtests, static: IGT runs every
 * subtest in this process, and one that fails leaves by a jump with its
 * exporter open (streaming, holding the device's buffers); the next one
 * closes it.
 */
static struct wb_m2m_export m2m_x = { .b.fd = -1 };
static struct wb_camera_export camera_x = { .b.fd = -1 };
static bool m2m_x_open, camera_x_open;

static void close_leftovers(void)
{
	if (m2m_x_open)
		wb_m2m_export_close(&m2m_x);
	if (camera_x_open)
		wb_camera_export_close(&camera_x);
	m2m_x_open = false;
	camera_x_open = false;
}

/*
 * vkms imports @b by PRIME as a @w x @h XRGB8888 framebuffer of @pitch
 * bytes a row and scans it out on the small plane; vkms composes with
 * the CPU, so it must hold the buffer attached with no DMA mapping.
 */
static void show_import(struct wb_buf *b, uint32_t w, uint32_t h,
			uint32_t pitch, struct igt_fb *fb)
{
	uint32_t handles[4] = {}, pitches[4] = { pitch }, offsets[4] = {};
	struct wb_route r;
	uint32_t fb_id;

	handles[0] = prime_fd_to_handle(scanout.fd, b->fd);
	wb_assert_sys(drmModeAddFB2(scanout.fd, w, h, DRM_FORMAT_XRGB8888,
				    handles, pitches, offsets, &fb_id, 0));
	igt_init_fb(fb, scanout.fd, w, h, DRM_FORMAT_XRGB8888,
		    DRM_FORMAT_MOD_LINEAR, IGT_COLOR_YCBCR_BT709,
		    IGT_COLOR_YCBCR_LIMITED_RANGE);
	fb->fb_id = fb_id;
	fb->gem_handle = handles[0];
	show_small(&scanout, fb);
	r = wb_bufinfo_route(b->fd, VKMS);
	igt_assert_f(r.attached && r.mappings == 0,
		     "vkms's import of %s: attached %d, %d mappings; want attached with no mapping (vkms uses the CPU)\n",
		     b->what, r.attached, r.mappings);
}

/* Plane off, framebuffer and handle gone: vkms lets go of @b */
static void hide_import(struct wb_buf *b, struct igt_fb *fb)
{
	igt_plane_set_fb(scanout.primary, NULL);
	igt_display_commit2(&scanout.display, COMMIT_ATOMIC);
	wb_assert_sys(drmModeRmFB(scanout.fd, fb->fb_id));
	gem_close(scanout.fd, fb->gem_handle);
	igt_assert_f(!wb_bufinfo_route(b->fd, VKMS).attached,
		     "vkms still attached to %s after its handle closed\n",
		     b->what);
}

/*
 * The edu writes frame A into its CAPTURE buffer, vkms imports that
 * buffer and scans it out (CRC of A), then the edu writes frame B into
 * it by DMA with no call into vkms: the next CRCs must be B's.  Both
 * references are vkms's own framebuffers of the same bytes.
 */
static void m2m_case(const char *alloc)
{
	size_t len = (size_t)M2M_PX * M2M_PX * 4;
	struct wb_m2m_export *xp = &m2m_x;
	uint8_t *pat[2];
	igt_crc_t ref[2];
	struct igt_fb fb;

	igt_plane_set_fb(scanout.primary, NULL);
	igt_display_commit2(&scanout.display, COMMIT_ATOMIC);
	close_leftovers();
	wb_m2m_export_open(xp, alloc, M2M_GREY_W, M2M_GREY_H, 0);
	m2m_x_open = true;
	igt_assert_eq_u32(xp->m.size, len);
	for (int i = 0; i < 2; i++) {
		pat[i] = malloc(len);
		igt_assert(pat[i]);
		for (size_t k = 0; k < len; k++)
			pat[i][k] = m2m_pattern(k, i + 1);
		small_ref_crc(&scanout, pat[i], &ref[i]);
	}
	igt_assert_f(!igt_check_crc_equal(&ref[0], &ref[1]),
		     "vkms gives frames A and B the same CRC\n");

	wb_m2m_export_write(xp, pat[0]);
	show_import(&xp->b, M2M_PX, M2M_PX, M2M_PX * 4, &fb);
	igt_assert_f(crc_within_3(&scanout, &ref[0], &ref[1], "after the import"),
		     "after the import: vkms does not scan out the edu's frame A from %s\n",
		     xp->b.what);

	/* Zero-copy: the edu writes B by DMA, vkms is not called */
	wb_m2m_export_write(xp, pat[1]);
	igt_assert_f(crc_within_3(&scanout, &ref[1], &ref[0], "after the device's frame"),
		     "after the edu's frame B: vkms does not scan out B from %s\n",
		     xp->b.what);

	hide_import(&xp->b, &fb);
	close_leftovers();
	free(pat[0]);
	free(pat[1]);
}

/*
 * vivid's capture as the exporter, streaming (lib/camera-export.h):
 * vkms scans out the buffer holding vivid's first frame, its bytes taken
 * as XRGB8888 pixels (bytesperline / 4 of them a row); then vivid
 * captures a newer frame into the same buffer (the buffer is queued back
 * to vivid, vkms is not called), and vkms must scan out that frame: a
 * CRC of a frame composed after vivid returned the buffer equals the CRC
 * of vkms's own framebuffer of the bytes the exporter's mapping shows.
 * The reference is made after those CRCs are taken: showing it changes
 * the plane.  vivid's OSD text (its clock) differs in every frame.
 */
static void camera_case(const char *node)
{
	struct wb_camera_export *xp = &camera_x;
	igt_crc_t ref[2], crc;
	uint32_t w, h, pitch;
	struct igt_fb fb;
	uint8_t *old;
	size_t len;

	igt_plane_set_fb(scanout.primary, NULL);
	igt_display_commit2(&scanout.display, COMMIT_ATOMIC);
	close_leftovers();
	wb_camera_export_open(xp, node);
	camera_x_open = true;
	pitch = xp->cam.fmt.fmt.pix.bytesperline;
	h = xp->cam.fmt.fmt.pix.height;
	w = pitch / 4;
	len = (size_t)pitch * h;
	igt_assert_f(pitch % 4 == 0 && len <= xp->used &&
		     w <= scanout.mode->hdisplay && h <= scanout.mode->vdisplay,
		     "%s: a frame of %u lines of %u bytes does not make an XRGB8888 plane of vkms's %ux%u mode\n",
		     node, h, pitch, scanout.mode->hdisplay,
		     scanout.mode->vdisplay);
	old = malloc(len);
	igt_assert(old);
	memcpy(old, xp->b.map, len);
	small_ref_crc_of(&scanout, w, h, pitch, old, &ref[0]);

	show_import(&xp->b, w, h, pitch, &fb);
	igt_assert_f(crc_within_3(&scanout, &ref[0], &ref[0], "after the import"),
		     "after the import: vkms does not scan out the frame vivid captured into %s\n",
		     xp->b.what);

	/* Zero-copy: vivid captures into the buffer, vkms is not called */
	wb_camera_export_next(xp);
	igt_assert_f(memcmp(old, xp->b.map, len),
		     "%s: two frames of the same bytes: nothing to tell apart\n",
		     node);
	for (int i = 0; i < 3; i++)
		igt_pipe_crc_collect_crc(scanout.crc, &crc);
	memcpy(old, xp->b.map, len);

	hide_import(&xp->b, &fb);
	small_ref_crc_of(&scanout, w, h, pitch, old, &ref[1]);
	igt_assert_f(!igt_check_crc_equal(&ref[0], &ref[1]),
		     "vkms gives vivid's two frames the same CRC\n");
	igt_assert_f(igt_check_crc_equal(&crc, &ref[1]),
		     "after vivid's next frame: vkms scans out CRC %s, vivid's new frame is %s (the frame before %s)\n",
		     igt_crc_to_string(&crc), igt_crc_to_string(&ref[1]),
		     igt_crc_to_string(&ref[0]));
	close_leftovers();
	free(old);
}

static void exporter_case(void (*alloc)(struct wb_buf *b, size_t bytes),
			  const char *what)
{
	struct wb_buf b = { .what = what, .memfd = -1 };

	/* A failed subtest may have left its framebuffer on the plane */
	igt_plane_set_fb(scanout.primary, NULL);
	igt_display_commit2(&scanout.display, COMMIT_ATOMIC);
	alloc(&b, frame_bytes(&scanout));
	scan_out(&scanout, &b);
	wb_buf_free(&b);
}

#define ROUND_UP(x, a)	(((x) + (a) - 1) / (a) * (a))

static void udmabuf_4k(struct wb_buf *b, size_t bytes)
{
	wb_udmabuf_alloc(b, ROUND_UP(bytes, 4096), false);
}

static void udmabuf_2m(struct wb_buf *b, size_t bytes)
{
	wb_udmabuf_alloc(b, ROUND_UP(bytes, 2 << 20), true);
}

static void system_heap(struct wb_buf *b, size_t bytes)
{
	wb_heap_alloc(b, "/dev/dma_heap/system", ROUND_UP(bytes, 4096));
}

static void cma_heap(struct wb_buf *b, size_t bytes)
{
	const char *node = wb_heap_node("/dev/dma_heap/reserved");

	if (!node)
		node = wb_heap_node("/dev/dma_heap/linux,cma");
	if (!node)
		wb_skip("no CMA heap in /dev/dma_heap\n");
	wb_heap_alloc(b, node, ROUND_UP(bytes, 4096));
}

static void vgem(struct wb_buf *b, size_t bytes)
{
	wb_vgem_alloc(b, ROUND_UP(bytes, 4096));
}

/*
 * vkms with its writeback connector, for one writeback subtest: each runs
 * in a child, so that one that fails leaves no import or framebuffer
 * behind for the next (its file closes with it).
 */
static struct wb_writeback wbk = { .fd = -1 };
/* vkms's own framebuffer of each colour, the plane's input */
static struct igt_fb wb_src[2];

static void writeback_init(void)
{
	wb_writeback_init(&wbk, WB_W, WB_H);
	for (int i = 0; i < 2; i++)
		igt_create_color_fb(wbk.fd, WB_W, WB_H, DRM_FORMAT_XRGB8888,
				    DRM_FORMAT_MOD_LINEAR, colours[i].r,
				    colours[i].g, colours[i].b, &wb_src[i]);
}

static void writeback_fini(void)
{
	wb_writeback_off(&wbk);
	for (int i = 0; i < 2; i++)
		igt_remove_fb(wbk.fd, &wb_src[i]);
	wb_writeback_fini(&wbk);
}

/* Every pixel the exporter's mapping shows is colour @c (vkms sets X) */
static void expect_written(const struct wb_buf *b, int c, const char *when)
{
	const uint32_t *p = (const uint32_t *)b->map;
	size_t bad = 0, first = 0;

	wb_buf_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < (size_t)WB_W * WB_H; i++) {
		if ((p[i] & 0xffffff) != colours[c].pixel && !bad++)
			first = i;
	}
	if (bad)
		igt_info("%s: pixel %zu is %#010x\n", when, first, p[first]);
	wb_buf_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	igt_assert_f(!bad,
		     "%s: %zu of %u pixels of the %s buffer are not colour %#08x vkms wrote back\n",
		     when, bad, WB_W * WB_H, b->what, colours[c].pixel);
}

static void writeback_case(void (*alloc)(struct wb_buf *b, size_t bytes),
			   const char *what)
{
	struct wb_buf b = { .what = what, .memfd = -1 };
	size_t bytes = (size_t)WB_W * 4 * WB_H;
	struct igt_fb out = {};
	struct wb_route r;
	uint32_t *p;
	int err;

	alloc(&b, bytes);
	p = (uint32_t *)b.map;
	wb_buf_sync(&b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t i = 0; i < bytes / 4; i++)
		p[i] = POISON;
	wb_buf_sync(&b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	err = wb_writeback_fb(&wbk, b.fd, &out);
	igt_assert_f(!err, "vkms importing %s as its output: %s\n", what,
		     strerror(err));
	r = wb_bufinfo_route(b.fd, VKMS);
	igt_assert_f(r.attached && r.mappings == 0,
		     "vkms's import of %s: attached %d, %d mappings; want attached with no mapping (vkms uses the CPU)\n",
		     what, r.attached, r.mappings);

	/* Two frames into the same import: each lands in the exporter's pages */
	wb_writeback_frame(&wbk, &wb_src[0], &out);
	expect_written(&b, 0, "frame 1");
	wb_writeback_frame(&wbk, &wb_src[1], &out);
	expect_written(&b, 1, "frame 2");

	wb_writeback_off(&wbk);
	wb_writeback_fb_free(&wbk, &out);
	igt_assert_f(!wb_bufinfo_route(b.fd, VKMS).attached,
		     "vkms still attached to %s after its handle closed\n", what);
	wb_buf_free(&b);
}

/*
 * Frames back to back: each commit goes in the moment the previous frame's
 * writeback out-fence signals, before vkms's worker has cleaned the
 * finished job up (drm_writeback_signal_completion() signals first and
 * queues the cleanup after).  In 6.12 that cleanup switched vkms's
 * composer off under the job just committed, whose fence then never
 * signalled.  The race is made certain, not likely: unbound workqueues
 * (vkms's composer worker among them) are confined to CPU 0, where this
 * process runs at real-time priority, so the fence's wake-up preempts the
 * composer worker before it has queued the cleanup, and the next commit
 * comes first.
 */
#define BACK_TO_BACK_FRAMES	16
#define WQ_CPUMASK		"/sys/devices/virtual/workqueue/cpumask"

static char wq_cpumask_saved[128];

static void wq_cpumask_set(const char *mask)
{
	int fd = open(WQ_CPUMASK, O_WRONLY);

	if (fd < 0 || write(fd, mask, strlen(mask)) < 0)
		igt_warn("writing %s to %s: %m\n", mask, WQ_CPUMASK);
	if (fd >= 0)
		close(fd);
}

static void wq_cpumask_restore(int sig)
{
	wq_cpumask_set(wq_cpumask_saved);
}

static void writeback_back_to_back(void)
{
	struct sched_param rt = { .sched_priority = 10 };
	struct wb_buf b = { .what = "udmabuf (4K memfd)", .memfd = -1 };
	struct igt_fb out = {};
	cpu_set_t cpu0;
	int err;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	wb_assert_sys(sched_setaffinity(0, sizeof(cpu0), &cpu0));
	wb_assert_sys(sched_setscheduler(0, SCHED_FIFO, &rt));

	udmabuf_4k(&b, (size_t)WB_W * 4 * WB_H);
	err = wb_writeback_fb(&wbk, b.fd, &out);
	igt_assert_f(!err, "vkms importing %s as its output: %s\n", b.what,
		     strerror(err));
	for (int i = 0; i < BACK_TO_BACK_FRAMES; i++) {
		igt_debug("frame %d\n", i + 1);
		wb_writeback_frame(&wbk, &wb_src[i % 2], &out);
	}
	expect_written(&b, (BACK_TO_BACK_FRAMES - 1) % 2, "the last frame");

	wb_writeback_off(&wbk);
	wb_writeback_fb_free(&wbk, &out);
	wb_buf_free(&b);
}

/* Revocable P2P memory into a static importer: refused, nothing held */
static void p2p_refused(struct wb_buf *b)
{
	uint32_t handle;
	int err;

	err = drmPrimeFDToHandle(scanout.fd, b->fd, &handle) ? errno : 0;
	igt_assert_f(err == EOPNOTSUPP,
		     "PRIME import of %s into vkms: got %s, want %s\n", b->what,
		     err ? strerror(err) : "success", strerror(EOPNOTSUPP));
	igt_assert_f(!wb_bufinfo_route(b->fd, VKMS).attached,
		     "vkms attached to %s after a refused import\n", b->what);
	wb_buf_free(b);
}

static void p2pmem_heap_refused(void)
{
	struct wb_buf b = { .what = "p2pmem heap (NVMe CMB)", .p2p = true };
	const char *node = wb_heap_node("/dev/dma_heap/p2pmem-*");

	if (!node)
		wb_skip("no /dev/dma_heap/p2pmem-* node\n");
	wb_heap_alloc(&b, node, 64 * 1024);
	p2p_refused(&b);
}

static void ivshmem_bar_refused(void)
{
	struct wb_buf b = { .what = "ivshmem BAR (no struct page)" };

	wb_shm_export(&b, 0, 64 * 1024);
	p2p_refused(&b);
}

static const struct {
	const char *name, *what;
	void (*alloc)(struct wb_buf *b, size_t bytes);
} exporters[] = {
	{ "udmabuf-4k", "udmabuf (4K memfd)", udmabuf_4k },
	{ "udmabuf-2m", "udmabuf (2M hugetlb memfd)", udmabuf_2m },
	{ "system-heap", "system heap", system_heap },
	{ "cma-heap", "CMA heap", cma_heap },
	{ "vgem", "vgem object", vgem },
};

IGT_TEST_DESCRIPTION("vkms scans out dma-bufs of every exporter by PRIME, zero-copy, checked by CRC");

igt_main
{
	igt_fixture
		scanout_init(&scanout);

	/* volatile: igt_subtest() longjmps back into the loop */
	for (volatile int i = 0; i < ARRAY_SIZE(exporters); i++) {
		igt_describe_f("vkms scans out a %s buffer and follows the exporter's later writes (CRC)",
			       exporters[i].what);
		igt_subtest(exporters[i].name) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, exporters[i].name);
			exporter_case(exporters[i].alloc, exporters[i].what);
			igt_reset_timeout();
		}
	}

	igt_describe("P2P memory into vkms (a static importer): EOPNOTSUPP, nothing attached");
	igt_subtest("p2pmem-heap-refused") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-heap-refused");
		p2pmem_heap_refused();
		igt_reset_timeout();
	}

	igt_describe("a BAR without struct page into vkms (a static importer): EOPNOTSUPP, nothing attached");
	igt_subtest("ivshmem-bar-refused") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "ivshmem-bar-refused");
		ivshmem_bar_refused();
		igt_reset_timeout();
	}

	for (volatile int i = 0; i < 2; i++) {
		static const char *const alloc[] = { "dma-contig", "dma-sg" };

		igt_describe_f("the edu V4L2 mem2mem device's CAPTURE buffer (vb2-%s, VIDIOC_EXPBUF): vkms scans out the frame the edu wrote by DMA, then the next one it writes while vkms holds the import (CRC against vkms's own framebuffer of the same bytes)",
			       alloc[i]);
		igt_subtest_f("edu-m2m-%s", alloc[i]) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "edu-m2m");
			m2m_case(alloc[i]);
			igt_reset_timeout();
		}
	}

	for (volatile int i = 0; i < 2; i++) {
		static const char *const alloc[] = { "dma-contig", "vmalloc" };
		static const char *const node[] = {
			"vivid-000-vid-cap", "vivid-002-vid-cap",
		};

		igt_describe_f("vivid's streaming capture buffer (vb2-%s, VIDIOC_EXPBUF): vkms scans out the frame vivid captured, then the next one vivid captures into the same buffer while vkms holds the import (CRC against vkms's own framebuffer of the bytes the exporter's mapping shows)",
			       alloc[i]);
		igt_subtest_f("vivid-capture-%s", alloc[i]) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vivid-capture");
			camera_case(node[i]);
			igt_reset_timeout();
		}
	}

	igt_fixture
		scanout_fini(&scanout);

	for (volatile int i = 0; i < ARRAY_SIZE(exporters); i++) {
		igt_describe_f("vkms writes two frames back with the CPU into one import of a %s buffer; the exporter's mapping shows each frame",
			       exporters[i].what);
		igt_subtest_f("writeback-into-%s", exporters[i].name) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, exporters[i].name);
			igt_fork(child, 1) {
				writeback_init();
				writeback_case(exporters[i].alloc,
					       exporters[i].what);
				writeback_fini();
			}
			igt_waitchildren();
			igt_reset_timeout();
		}
	}

	igt_describe("vkms writes frames back one right after another, each committed before the last frame's job is cleaned up: every out-fence signals");
	igt_subtest("writeback-back-to-back") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "writeback-back-to-back");
		wb_require_f(wb_read_line(WQ_CPUMASK, wq_cpumask_saved,
					  sizeof(wq_cpumask_saved)),
			     "no %s\n", WQ_CPUMASK);
		igt_install_exit_handler(wq_cpumask_restore);
		wq_cpumask_set("1");
		igt_fork(child, 1) {
			writeback_init();
			writeback_back_to_back();
			writeback_fini();
		}
		igt_waitchildren();
		wq_cpumask_restore(0);
		igt_reset_timeout();
	}
}
