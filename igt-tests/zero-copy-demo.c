// SPDX-License-Identifier: GPL-2.0
/*
 * zero-copy-demo: a camera buffer shared with its importers.
 *
 * vivid-000 (a camera using vb2-dma-contig) captures a frame into an MMAP
 * buffer and exports it as a dma-buf.  Each importer receives that fd and
 * must see exactly the bytes the camera wrote, in the same memory: after
 * the camera captures again into the same buffer, the importer's view
 * changes with it, without a new import.
 *
 * The pipeline subtest carries a frame across three kinds of device:
 * camera -> display (vkms scans the camera's buffer out on a plane and
 * its writeback connector writes the composed frame into a dma-buf heap
 * buffer) -> NIC (edu, the stand-in, reads that buffer by DMA).  Each hop
 * is an import of the previous device's buffer, never a copy by the CPU,
 * and each prints how the core mapped it.
 */
#include "igt.h"
#include "igt_device.h"

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
#include <glob.h>
#include <limits.h>
#include <linux/dma-buf.h>
#include <misc/qemu_edu.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "lib/bufinfo.h"
#include "lib/devices.h"
#include "lib/exporters.h"
#include "lib/writeback.h"

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

static void release_pipeline(void);

static void vivid_to_vgem(void)
{
	struct wb_route r;
	unsigned int idx;
	size_t used, used2;
	uint32_t handle;
	uint64_t h1, h2;

	release_pipeline();
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

	release_pipeline();
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

/* ------------------------------------------------------------ pipeline */

#define PIPE_W		640
#define PIPE_H		480
#define PIPE_PITCH	(PIPE_W * 4)
/*
 * edu moves at most 4095 bytes a transfer, about 100 ms each under TCG:
 * it reads a window of the frame, four rows from the middle.
 */
#define EDU_OFFSET	((PIPE_H / 2) * PIPE_PITCH)
#define EDU_WINDOW	(4 * PIPE_PITCH)

/*
 * XRGB8888 as vkms writes it: its X byte is 0xff.  The camera's X byte
 * is its own affair, so the camera side is compared with X forced to
 * 0xff and the display's as written.
 */
static void force_x(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i += 4) {
		memcpy(dst + i, src + i, 3);
		dst[i + 3] = 0xff;
	}
}

static uint64_t frame_hash(const uint8_t *p, bool camera)
{
	static uint8_t row[PIPE_PITCH];
	uint64_t h = 0xcbf29ce484222325ull;

	for (int y = 0; y < PIPE_H; y++) {
		const uint8_t *r = p + (size_t)y * PIPE_PITCH;

		if (camera) {
			force_x(row, r, PIPE_PITCH);
			r = row;
		}
		for (int i = 0; i < PIPE_PITCH; i++)
			h = (h ^ r[i]) * 0x100000001b3ull;
	}
	return h;
}

static const char *route_kind(const struct wb_route *r)
{
	if (r->host_bridge)
		return "P2P through the host bridge";
	if (r->bus)
		return "P2P by PCI bus address";
	if (r->iova)
		return "IOVA (behind the IOMMU)";
	return "direct (physical addresses)";
}

/*
 * One hop as the dma-buf core mapped it (debugfs bufinfo).  A DMA hop:
 * one mapping, through the importer's range-list API, made from the
 * exporter's list.  A CPU hop (vkms composes and writes back with the
 * CPU, through the buffer's vmap): attached, so the buffer is pinned for
 * it, and nothing mapped for its device.
 */
static void show_hop(int n, int dmabuf, const char *dev, const char *exporter,
		     const char *importer, bool dma)
{
	struct wb_route r = wb_bufinfo_route(dmabuf, dev);

	if (!dma) {
		igt_assert_f(r.attached && r.mappings == 0,
			     "hop %d, %s -> %s: attached %d, %d mappings; want attached with no mapping (the CPU reaches it)\n",
			     n, exporter, importer, r.attached, r.mappings);
		igt_info("hop %d: %s -> %s: attached, no DMA mapping (the importer reads and writes it with the CPU)\n",
			 n, exporter, importer);
		return;
	}
	igt_assert_f(r.attached && r.mappings == 1 && r.list_api == 1 &&
		     r.from_list == 1,
		     "hop %d, %s -> %s: %d mappings, %d through the list API, %d from the exporter's list; want 1, 1, 1\n",
		     n, exporter, importer, r.mappings, r.list_api, r.from_list);
	igt_info("hop %d: %s -> %s: range-list mapping, %s, %lu DMA segment%s, %lu bytes of metadata\n",
		 n, exporter, importer, route_kind(&r), r.ranges,
		 r.ranges == 1 ? "" : "s", r.meta);
}

/* The first edu: its node and PCI name */
static void find_edu(char *node, size_t n, char *pci, size_t pn)
{
	char sys[PATH_MAX], real[PATH_MAX];
	glob_t g;

	if (glob("/dev/qemu_edu[0-9]*", 0, NULL, &g))
		wb_skip("no /dev/qemu_edu* node\n");
	snprintf(node, n, "%s", g.gl_pathv[0]);
	globfree(&g);
	snprintf(sys, sizeof(sys), "/sys/class/misc/%s/device",
		 node + strlen("/dev/"));
	igt_assert_f(realpath(sys, real), "%s: %m\n", sys);
	snprintf(pci, pn, "%s", strrchr(real, '/') + 1);
}

/*
 * The display's output buffer: P2P memory first (the NVMe CMB, as a NIC
 * would like it), which vkms must refuse (it composes with the CPU and
 * imports statically: P2P memory is revocable); then the system heap.
 */
static void output_buffer(struct wb_writeback *d, struct wb_buf *b,
			  struct igt_fb *fb)
{
	const char *node = wb_heap_node("/dev/dma_heap/p2pmem-*");
	int err;

	if (node) {
		*b = (struct wb_buf){ .what = "p2pmem heap", .memfd = -1,
				      .p2p = true };
		wb_heap_alloc(b, node, PIPE_H * PIPE_PITCH);
		err = wb_writeback_fb(d, b->fd, fb);
		igt_assert_f(err == EOPNOTSUPP,
			     "vkms importing P2P memory: got %s, want %s\n",
			     err ? strerror(err) : "success",
			     strerror(EOPNOTSUPP));
		igt_info("vkms refuses the p2pmem heap's buffer (%s): P2P memory is revocable and vkms writes with the CPU; the system heap instead\n",
			 strerror(err));
		wb_buf_free(b);
	} else {
		igt_info("no p2pmem heap on this machine: the system heap\n");
	}
	*b = (struct wb_buf){ .what = "system heap", .memfd = -1 };
	wb_heap_alloc(b, "/dev/dma_heap/system", PIPE_H * PIPE_PITCH);
	err = wb_writeback_fb(d, b->fd, fb);
	igt_assert_f(!err, "vkms importing a system heap buffer: %s\n",
		     strerror(err));
}

/* What a pipeline run holds, released by the next run if one fails */
static struct wb_writeback disp = { .fd = -1 };
static struct igt_fb cam_fb, out_fb;
static struct wb_buf out_buf = { .fd = -1, .memfd = -1 };
static int edu = -1;
static struct v4l2_format cam_old_fmt;
static struct v4l2_control cam_old_move;

static void release_pipeline(void)
{
	if (edu >= 0)
		close(edu);
	edu = -1;
	if (disp.fd >= 0) {
		wb_writeback_off(&disp);
		wb_writeback_fb_free(&disp, &cam_fb);
		wb_writeback_fb_free(&disp, &out_fb);
		wb_writeback_fini(&disp);
	}
	if (out_buf.fd >= 0)
		wb_buf_free(&out_buf);
	out_buf.fd = -1;
	release_held();
	if (cam_old_fmt.type) {
		int fd = v4l2_open_by_name(CAMERA);

		ioctl(fd, VIDIOC_S_FMT, &cam_old_fmt);
		if (cam_old_move.id)
			ioctl(fd, VIDIOC_S_CTRL, &cam_old_move);
		close(fd);
		cam_old_fmt.type = 0;
		cam_old_move.id = 0;
	}
}

/* The id of the camera's control named @name */
static uint32_t camera_ctrl(int fd, const char *name, struct v4l2_queryctrl *q)
{
	memset(q, 0, sizeof(*q));
	q->id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (!ioctl(fd, VIDIOC_QUERYCTRL, q)) {
		if (!strcmp((char *)q->name, name))
			return q->id;
		q->id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	igt_assert_f(false, "the camera has no control \"%s\"\n", name);
}

/*
 * The camera captures @PIPE_W x @PIPE_H XRGB8888 frames from now on, its
 * test pattern moving fast to the right: every row of one frame differs
 * from the last one's, the window the NIC reads included.
 */
static void camera_format(void)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	int fd = v4l2_open_by_name(CAMERA);
	struct v4l2_queryctrl q;
	struct v4l2_control move;

	cam_old_fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	wb_assert_sys(ioctl(fd, VIDIOC_G_FMT, &cam_old_fmt));
	move.id = camera_ctrl(fd, "Horizontal Movement", &q);
	cam_old_move.id = move.id;
	wb_assert_sys(ioctl(fd, VIDIOC_G_CTRL, &cam_old_move));
	move.value = q.maximum;
	wb_assert_sys(ioctl(fd, VIDIOC_S_CTRL, &move));
	f.fmt.pix.width = PIPE_W;
	f.fmt.pix.height = PIPE_H;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_XRGB32;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	wb_assert_sys(ioctl(fd, VIDIOC_S_FMT, &f));
	close(fd);
	igt_assert_f(f.fmt.pix.width == PIPE_W && f.fmt.pix.height == PIPE_H &&
		     f.fmt.pix.pixelformat == V4L2_PIX_FMT_XRGB32 &&
		     f.fmt.pix.bytesperline == PIPE_PITCH,
		     "the camera gives %ux%u %.4s, %u bytes a line\n",
		     f.fmt.pix.width, f.fmt.pix.height,
		     (char *)&f.fmt.pix.pixelformat, f.fmt.pix.bytesperline);
}

static void pipeline(void)
{
	struct qemu_edu_range ranges[64];
	struct qemu_edu_attach a = {
		.offset = EDU_OFFSET, .length = EDU_WINDOW,
		.dir = QEMU_EDU_DIR_TO_DEVICE, .api = QEMU_EDU_API_LIST,
	};
	char edu_node[64], edu_pci[32];
	static uint8_t win[EDU_WINDOW];
	uint64_t prev = 0;
	uint32_t prev_crc = 0;
	unsigned int idx;
	size_t used;

	release_pipeline();
	find_edu(edu_node, sizeof(edu_node), edu_pci, sizeof(edu_pci));
	camera_format();
	camera_start(&cam, CAMERA, 2, 0);
	idx = camera_dequeue(&cam, &used);
	igt_assert_eq_u64(used, PIPE_H * PIPE_PITCH);
	dmabuf = camera_export(&cam, idx);

	wb_writeback_init(&disp, PIPE_W, PIPE_H);
	igt_assert_f(!wb_writeback_fb(&disp, dmabuf, &cam_fb),
		     "vkms importing the camera's buffer: %m\n");
	output_buffer(&disp, &out_buf, &out_fb);
	wb_writeback_frame(&disp, &cam_fb, &out_fb);
	show_hop(1, dmabuf, "vkms", "camera (vivid, vb2-dma-contig)",
		 "display (vkms plane)", false);
	show_hop(2, out_buf.fd, "vkms", out_buf.what,
		 "display (vkms writeback)", false);

	edu = open(edu_node, O_RDWR | O_CLOEXEC);
	igt_assert_f(edu >= 0, "open %s: %m\n", edu_node);
	a.fd = out_buf.fd;
	wb_assert_sys(ioctl(edu, QEMU_EDU_IOC_ATTACH, &a));
	show_hop(3, out_buf.fd, edu_pci, out_buf.what, "NIC (edu)", true);

	/*
	 * Two frames through the same imports: the second shows at every
	 * hop with no new import, so no hop holds a copy of the first.
	 */
	for (int frame = 1; frame <= 2; frame++) {
		struct qemu_edu_checksum c = {
			.ranges = (uintptr_t)ranges,
			.nr_ranges = ARRAY_SIZE(ranges),
		};
		uint64_t cam_h, out_h;
		uint32_t cam_crc, out_crc;

		if (frame > 1) {
			requeue(&cam, idx);
			used = capture_into(&cam, idx);
			wb_writeback_frame(&disp, &cam_fb, &out_fb);
		}
		cam_h = frame_hash(cam.map[idx], true);
		force_x(win, (uint8_t *)cam.map[idx] + EDU_OFFSET, EDU_WINDOW);
		cam_crc = crc32_le(~0u, win, EDU_WINDOW);

		wb_buf_sync(&out_buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		out_h = frame_hash(out_buf.map, false);
		out_crc = crc32_le(~0u, out_buf.map + EDU_OFFSET, EDU_WINDOW);
		wb_buf_sync(&out_buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

		wb_assert_sys(ioctl(edu, QEMU_EDU_IOC_CHECKSUM, &c));
		igt_assert_eq_u64(c.bytes, EDU_WINDOW);

		igt_info("frame %d: camera fnv1a %016llx, display's writeback fnv1a %016llx\n",
			 frame, (unsigned long long)cam_h,
			 (unsigned long long)out_h);
		igt_info("frame %d: rows %d-%d: camera crc32 %08x, writeback buffer crc32 %08x, read by the NIC's DMA crc32 %08x (%u DMA range%s)\n",
			 frame, PIPE_H / 2, PIPE_H / 2 + 3, cam_crc, out_crc,
			 c.crc, c.nr_ranges, c.nr_ranges == 1 ? "" : "s");
		igt_assert_f(cam_h == out_h,
			     "frame %d: the display wrote back another frame than the camera's\n",
			     frame);
		igt_assert_f(cam_crc == out_crc && out_crc == c.crc,
			     "frame %d: the NIC read other bytes than the camera's\n",
			     frame);
		igt_assert_f(cam_h != prev && cam_crc != prev_crc,
			     "the camera captured the same frame twice\n");
		prev = cam_h;
		prev_crc = cam_crc;
	}
	igt_info("the camera's frames reached the NIC through the display with the checksums matching at every hop\n");
	release_pipeline();
}

IGT_TEST_DESCRIPTION("A camera frame shared by dma-buf with vgem, a second vivid and, through the display, the NIC, checked byte for byte");

igt_main
{
	igt_describe("camera -> vkms plane -> vkms writeback -> edu DMA: two frames through the same imports, checksums equal at every hop");
	igt_subtest("camera-display-nic") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "camera-display-nic");
		pipeline();
		igt_reset_timeout();
	}

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
