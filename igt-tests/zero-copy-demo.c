// SPDX-License-Identifier: GPL-2.0
/*
 * zero-copy-demo: a camera buffer shared with its importers.
 *
 * vivid-000 (a camera using vb2-dma-contig) captures a frame into an MMAP
 * buffer and exports it as a dma-buf.  Each importer receives that fd and
 * must see exactly the bytes the camera wrote, in the same memory: after
 * the camera captures again into the same buffer, the importer's view
 * changes with it, without a new import.
 */
#include "igt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "lib/bufinfo.h"
#include "lib/devices.h"

#define CAMERA "vivid-000-vid-cap"
#define SECOND_VIVID_OUT "vivid-001-vid-out"

static uint64_t fnv1a(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

/* Wait up to 10 s for a V4L2 queue to have a buffer done. */
static void wait_readable(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	int n = poll(&p, 1, 10000);

	wb_assert_sys(n);
	igt_assert_f(n > 0, "timed out waiting for %s\n", what);
}

/* Capture frames until buffer @want comes back; returns bytesused. */
static size_t capture_into(struct camera *cam, unsigned int want)
{
	for (int tries = 0; tries < 16; tries++) {
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		size_t used;
		unsigned int idx = camera_dequeue(cam, &used);

		if (idx == want)
			return used;
		b.index = idx;
		wb_assert_sys(ioctl(cam->fd, VIDIOC_QBUF, &b));
	}
	igt_assert_f(false, "buffer %u never came back\n", want);
}

static void requeue(struct camera *cam, unsigned int index)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
		.index = index,
	};

	wb_assert_sys(ioctl(cam->fd, VIDIOC_QBUF, &b));
}

/*
 * Import @dmabuf into vgem (dma_buf_attach + dma_buf_map_attachment in the
 * kernel) and map the buffer vgem now holds.  vgem cannot map an imported
 * object through its own node (drm_gem_dumb_map_offset refuses imports),
 * so the CPU view is the dma-buf vgem hands back for its handle, which
 * must be the camera's dma-buf itself, not a copy.
 */
static void *vgem_import_map(int drm, int dmabuf, size_t len, uint32_t *handle)
{
	struct stat a, b;
	int back;
	void *p;

	wb_assert_sys(drmPrimeFDToHandle(drm, dmabuf, handle));
	wb_assert_sys(drmPrimeHandleToFD(drm, *handle, DRM_CLOEXEC, &back));
	wb_assert_sys(fstat(dmabuf, &a));
	wb_assert_sys(fstat(back, &b));
	igt_assert_f(a.st_ino == b.st_ino,
		     "vgem's handle is backed by another dma-buf (a copy?)\n");
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, back, 0);
	igt_assert_f(p != MAP_FAILED, "mmap of vgem's dma-buf: %m\n");
	close(back);
	return p;
}

/* Bracket CPU reads of a dma-buf mapping, as importers must. */
static void dmabuf_cpu_read(int dmabuf, bool start)
{
	struct dma_buf_sync sync = {
		.flags = DMA_BUF_SYNC_READ |
			 (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END),
	};

	wb_assert_sys(ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync));
}

/*
 * What a subtest holds lives here: a subtest that fails leaves by a jump
 * and IGT runs the next one in the same process, so each subtest first
 * releases what a failed one left behind (a camera still streaming would
 * refuse the next subtest with EBUSY).
 */
static struct camera cam = { .fd = -1 };
static int drm = -1, dmabuf = -1, out = -1;
static void *view;
static size_t view_len;

static void release_held(void)
{
	if (view)
		munmap(view, view_len);
	view = NULL;
	if (dmabuf >= 0)
		close(dmabuf);
	if (out >= 0)
		close(out);
	if (cam.fd >= 0)
		camera_stop(&cam);
	if (drm >= 0)
		close(drm);
	dmabuf = -1;
	out = -1;
	drm = -1;
}

static void vivid_to_vgem(void)
{
	struct wb_route r;
	unsigned int idx;
	size_t used, used2;
	uint32_t handle;
	uint64_t h1, h2;

	release_held();
	drm = wb_drm_open(DRIVER_VGEM);
	camera_start(&cam, CAMERA, 2, 0);
	idx = camera_dequeue(&cam, &used);
	igt_assert(used > 0 && used <= cam.len[idx]);
	dmabuf = camera_export(&cam, idx);
	view_len = cam.len[idx];
	view = vgem_import_map(drm, dmabuf, view_len, &handle);
	/*
	 * vgem imports with the shmem helpers: one mapping, the core's DMA
	 * list of vivid's range list, no scatterlist
	 */
	r = wb_bufinfo_route(dmabuf, "vgem");
	igt_assert_f(r.attached && r.mappings == 1 && r.list_api == 1 &&
		     r.from_list == 1,
		     "vgem's import: %d mappings, %d through the list API, %d from the exporter's list; want 1, 1, 1\n",
		     r.mappings, r.list_api, r.from_list);

	h1 = fnv1a(cam.map[idx], used);
	igt_info("camera frame: %zu bytes, %ux%u, fnv1a %016llx\n", used,
		 cam.fmt.fmt.pix.width, cam.fmt.fmt.pix.height,
		 (unsigned long long)h1);
	dmabuf_cpu_read(dmabuf, true);
	igt_assert_f(!memcmp(view, cam.map[idx], used),
		     "vgem sees other bytes than the camera wrote\n");
	dmabuf_cpu_read(dmabuf, false);

	/* Same memory, not a copy: a new frame shows through the import. */
	requeue(&cam, idx);
	used2 = capture_into(&cam, idx);
	h2 = fnv1a(cam.map[idx], used2);
	igt_assert_f(h2 != h1, "the camera wrote the same frame twice\n");
	dmabuf_cpu_read(dmabuf, true);
	igt_assert_f(!memcmp(view, cam.map[idx], used2),
		     "vgem's view did not follow the camera's new frame\n");
	dmabuf_cpu_read(dmabuf, false);
	igt_info("vgem handle %u follows the camera: fnv1a %016llx\n", handle,
		 (unsigned long long)h2);

	/* Closing the handle frees the import: unmapped and detached */
	wb_assert_sys(drmCloseBufferHandle(drm, handle));
	r = wb_bufinfo_route(dmabuf, "vgem");
	igt_assert_f(!r.attached, "vgem still attached after its handle closed\n");

	release_held();
}

static void vivid_to_vivid_output(void)
{
	struct v4l2_requestbuffers req = {
		.count = 2,
		.type = V4L2_BUF_TYPE_VIDEO_OUTPUT,
		.memory = V4L2_MEMORY_DMABUF,
	};
	struct v4l2_format ofmt = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT };
	int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	struct v4l2_buffer b = { 0 };
	unsigned int idx;
	size_t used;
	uint64_t h;

	release_held();
	/*
	 * vivid's output has its own frame size (its standard's, e.g.
	 * 720x576): give the camera buffers large enough for either.
	 */
	out = v4l2_open_by_name(SECOND_VIVID_OUT);
	wb_assert_sys(ioctl(out, VIDIOC_G_FMT, &ofmt));
	ofmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	wb_assert_sys(ioctl(out, VIDIOC_S_FMT, &ofmt));

	igt_info("vivid-001 output: %ux%u, %u bytes a frame\n",
		 ofmt.fmt.pix.width, ofmt.fmt.pix.height, ofmt.fmt.pix.sizeimage);
	camera_start(&cam, CAMERA, 2, ofmt.fmt.pix.sizeimage);
	idx = camera_dequeue(&cam, &used);
	igt_info("camera frame in buffer %u: %zu bytes\n", idx, used);
	h = fnv1a(cam.map[idx], used);
	dmabuf = camera_export(&cam, idx);
	igt_assert_f(ofmt.fmt.pix.sizeimage <= cam.len[idx],
		     "output wants %u bytes, the camera buffer has %zu\n",
		     ofmt.fmt.pix.sizeimage, cam.len[idx]);
	wb_assert_sys(ioctl(out, VIDIOC_REQBUFS, &req));

	/*
	 * vivid keeps the last queued output frame on "screen" and returns
	 * a buffer only once another is queued behind it: queue the frame
	 * twice (two vb2 buffers importing the same dma-buf).
	 */
	igt_assert_f(req.count >= 2, "vivid gave %u output buffers\n", req.count);
	for (unsigned int i = 0; i < 2; i++) {
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
		b.memory = V4L2_MEMORY_DMABUF;
		b.index = i;
		b.m.fd = dmabuf;
		b.bytesused = ofmt.fmt.pix.sizeimage;
		b.length = cam.len[idx];
		wb_assert_sys(ioctl(out, VIDIOC_QBUF, &b));
	}
	wb_assert_sys(ioctl(out, VIDIOC_STREAMON, &type));
	igt_info("vivid-001 output streaming the camera's dma-buf\n");
	wait_readable(out, "vivid-001 output to return the buffer");
	wb_assert_sys(ioctl(out, VIDIOC_DQBUF, &b));
	igt_assert(!(b.flags & V4L2_BUF_FLAG_ERROR));
	wb_assert_sys(ioctl(out, VIDIOC_STREAMOFF, &type));
	igt_info("vivid-001 output consumed %u bytes of the camera's dma-buf\n",
		 b.bytesused);

	/* An output importer reads; the camera's frame must be intact. */
	igt_assert_f(fnv1a(cam.map[idx], used) == h,
		     "the output device changed the camera's frame\n");

	req.count = 0;
	wb_assert_sys(ioctl(out, VIDIOC_REQBUFS, &req));
	release_held();
}

IGT_TEST_DESCRIPTION("A camera frame shared by dma-buf with vgem and a second vivid, checked byte for byte");

igt_main
{
	igt_describe("vgem imports a camera frame and sees its bytes");
	igt_subtest("vivid-to-vgem") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vivid-to-vgem");
		vivid_to_vgem();
		igt_reset_timeout();
	}

	igt_describe("a second vivid plays a camera frame by dma-buf");
	igt_subtest("vivid-to-vivid-output") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vivid-to-vivid-output");
		vivid_to_vivid_output();
		igt_reset_timeout();
	}
}
