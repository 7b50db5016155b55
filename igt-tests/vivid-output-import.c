// SPDX-License-Identifier: GPL-2.0
/*
 * vivid-output-import: vivid's V4L2 OUTPUT queue imports the dma-bufs of
 * every exporter, and the bytes vivid reads are the exporter's memory.
 *
 * The importer column "vivid output" of the zero-copy matrix (issue 16,
 * item 5).  Subtests EXPORTER-to-vivid-output-ALLOC: ALLOC dma-contig is
 * vivid-000 (vb2-dma-contig), vmalloc vivid-002 (vb2-vmalloc); vm.sh
 * boots vivid.allocators=1,1,0,0.
 *
 * The proof is vivid's loopback.  6.12's vivid has no "Loop Video"
 * control any more: each capture input has an "HDMI NNN-I Is Connected
 * To" (or S-Video) menu control whose items are "Test Pattern
 * Generator", "None" and every vivid instance's outputs ("Output HDMI
 * NNN-J").  An instance's HDMI input connected to its own HDMI output
 * captures what the output queue shows when vivid_vid_can_loop() holds:
 * the output streams, the capture source rectangle (the input's DV
 * timings) equals the output's sink rectangle (the output's timings),
 * same fourcc, same field, and the input has a signal
 * (vivid-vid-common.c, vivid-kthread-cap.c).  Both ends here are
 * 1280x720p60 (vivid's default timings), YUYV, progressive, with the
 * selections at their defaults (switching input and output resets them):
 * then vivid_copy_buffer() takes its "quick" path, a memcpy() of each
 * line of the first buffer on the output's active list into the capture
 * buffer, through the plane's kernel address (vb2_plane_vaddr(): the
 * dma-buf's vmap, for an import).  Nothing converts.  What vivid draws
 * afterwards, its OSD text (time, sequence, controls), is switched off
 * with "OSD Text Mode" = None, so a captured frame must equal, byte for
 * byte, the output buffer's bytes: the whole 1843200-byte frame is
 * compared.
 * Connected but not looping, vivid captures noise (vivid_update_quality()
 * sets TPG_QUAL_NOISE): seen once in a first frame after STREAMON (cma
 * heap into vivid-vmalloc, topology iommu, cause not found), so up to
 * MAX_NOISE frames of neither pattern may come before the first frame of
 * A; from then on every frame is A, or B once written.
 *
 * A subtest fills the exporter's buffer with pattern A through the
 * exporter's own CPU mapping (udmabuf: its memfd; the others: mmap of
 * the dma-buf or of the V4L2 buffer), bracketed by DMA_BUF_IOCTL_SYNC,
 * queues it as the only OUTPUT buffer (V4L2_MEMORY_DMABUF) and streams;
 * the same instance's capture queue (its own MMAP buffers) must show A.
 * vivid keeps the last queued output frame and returns a buffer only
 * when another is queued behind it, so the import stays with vivid.  The
 * exporter then writes pattern B, which differs from A in every byte,
 * through its mapping (SYNC START/END, no call into vivid), and later
 * captured frames must show B, while QUERYBUF says the OUTPUT buffer is
 * still queued: vivid reads the exporter's memory, not a copy.  A frame
 * captured while B was being written may mix A and B (each byte one or
 * the other, at most one such frame); no A after B.
 *
 * Exporters: udmabuf (4 KiB pages of a memfd; 2 MiB hugetlb folios), the
 * system heap, the CMA heap, vgem, a vkms dumb buffer, a vivid capture
 * buffer (vivid-001, vb2-dma-contig, exported by VIDIOC_EXPBUF, written
 * through the V4L2 buffer's mmap; vivid-001 never streams), and the edu
 * V4L2 mem2mem device's CAPTURE buffer (vb2-dma-contig and vb2-dma-sg,
 * VIDIOC_EXPBUF), into which the edu writes A and B by DMA, B while
 * vivid holds it, each one mem2mem frame into the buffer's first 16 KiB
 * (lib/m2m-export.h), the rest of the buffer as the device left it (see
 * m2m_write()); and vkms's writeback framebuffer (a vkms dumb buffer
 * exported by PRIME), into which vkms writes A and B back, frames of two
 * colours (lib/writeback.h): A and B differ in two bytes of four.
 *
 * Refusals, the errno asserted:
 *  - vb2-dma-contig wants the whole dma-buf in one DMA range, and
 *    vivid's platform device sits in no IOMMU group and has a 32-bit
 *    mask (lib/contig.h): a buffer of non-contiguous pages below 4 GiB
 *    is refused with EFAULT; where swiotlb bounces (swiotlb=force, pages
 *    above 4 GiB) or user space cannot read the pages (the heaps, vgem
 *    and vkms map VM_PFNMAP), taken (and checked) or EFAULT.  The CMA
 *    heap and the vivid capture buffer are one contiguous range (the
 *    latter allocated for vivid's 32-bit mask, below 4 GiB: taken on
 *    iommu and direct).
 *  - P2P memory (the p2pmem heap on the NVMe CMB, the ivshmem BAR
 *    export) is revocable: the dma-buf core refuses a static importer's
 *    attachment with EOPNOTSUPP (vivid's queues do not set
 *    vb2_queue.dynamic_dmabuf), so vivid-dma-contig's QBUF gives
 *    EOPNOTSUPP.  vb2-vmalloc does not attach, it vmaps the buffer at
 *    QBUF; these exporters have no vmap (no kernel mapping of revocable
 *    P2P memory), dma_buf_vmap() fails and vb2-vmalloc turns every vmap
 *    failure into EFAULT: vivid-vmalloc's QBUF gives EFAULT.  Either way
 *    nothing is attached and no buffer is queued.
 *
 * debugfs bufinfo: while streaming, vivid's platform device (vivid.0,
 * shared by all instances) is attached to the buffer for vb2-dma-contig
 * and not for vb2-vmalloc, which imports by vmap only; after REQBUFS(0)
 * nothing is attached.  Each subtest restores what it changed on the
 * instance (input, output, both formats, OSD mode, the connection), in
 * the parent, after the child that ran it exits, even if it failed.
 */
#define _GNU_SOURCE
#include "igt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "lib/bufinfo.h"
#include "lib/contig.h"
#include "lib/devices.h"
#include "lib/exporters.h"
#include "lib/m2m-export.h"
#include "lib/writeback.h"

#define PAGE		4096UL
#define HUGE_PAGE	(2UL << 20)
#define OUT		V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE
#define CAP_BUFS	4
#define FRAME_TIMEOUT_MS	10000
/* Frames to wait for a new pattern: vivid makes 60 a second here */
#define MAX_FRAMES	120
/* Frames of noise allowed before the loop first shows pattern A */
#define MAX_NOISE	4
/* Further frames that must keep showing it */
#define STABLE_FRAMES	3
#define SEED_A		1
#define SEED_B		2
/* The exporter of the vivid-capture subtests: vb2-dma-contig */
#define VIVID_EXPORTER	"vivid-001-vid-cap"

struct importer {
	const char *alloc;	/* the subtest name's ALLOC */
	const char *inst;	/* vivid's instance, "000" */
	bool dma_contig;	/* vb2-dma-contig, else vb2-vmalloc */
};

/* One exporter's buffer and what user space knows of its pages */
struct xbuf {
	struct wb_buf b;
	enum wb_tri contig, high;
	int v4l2;		/* vivid-capture: the exporter's queue, else -1 */
	struct wb_m2m_export *m2m; /* edu-m2m: the device that writes B */
	struct wb_writeback_export *wbx; /* vkms-writeback: writes A and B */
};

struct exporter {
	const char *name;
	void (*alloc)(struct xbuf *x, size_t size);
	bool p2p;		/* refused by both importers */
	bool device;		/* the exporter's device writes pattern B */
};

/* The instance's state a subtest changes, restored after it */
struct saved {
	int input, output;
	struct v4l2_format cap, out;
	uint32_t connect_id, osd_id;
	int connect, osd;
};

/* ------------------------------------------------------------ exporters */

static const uint8_t *xbuf_page(const void *ctx, size_t i)
{
	const struct xbuf *x = ctx;

	return x->b.map + i * PAGE;
}

static void udmabuf_pages(struct xbuf *x, size_t size, bool huge)
{
	x->b.what = huge ? "udmabuf (2 MiB folios)" : "udmabuf";
	wb_udmabuf_alloc(&x->b, size, huge);
	/* Its CPU view is the memfd's mapping, which pagemap walks */
	wb_pagemap_pages(xbuf_page, x, size / PAGE, &x->contig, &x->high);
}

static void udmabuf_4k(struct xbuf *x, size_t size)
{
	udmabuf_pages(x, ALIGN(size, PAGE), false);
}

static void udmabuf_2m(struct xbuf *x, size_t size)
{
	udmabuf_pages(x, ALIGN(size, HUGE_PAGE), true);
}

static void heap(struct xbuf *x, const char *pattern, size_t size)
{
	const char *node = wb_heap_node(pattern);

	wb_require_f(node, "no dma-heap %s\n", pattern);
	x->b.what = pattern;
	wb_heap_alloc(&x->b, node, ALIGN(size, PAGE));
}

static void system_heap(struct xbuf *x, size_t size)
{
	/* Mapped VM_PFNMAP: pagemap cannot see the pages */
	heap(x, "/dev/dma_heap/system", size);
}

static void cma_heap(struct xbuf *x, size_t size)
{
	enum wb_tri high = wb_cma_above_4g();

	/* The default CMA area is "reserved" when cma= makes it */
	heap(x, wb_heap_node("/dev/dma_heap/reserved") ?
		"/dev/dma_heap/reserved" : "/dev/dma_heap/linux,cma", size);
	x->contig = WB_YES;
	x->high = high;
}

static void vgem(struct xbuf *x, size_t size)
{
	x->b.what = "vgem";
	wb_vgem_alloc(&x->b, ALIGN(size, PAGE));
}

static void vkms_dumb(struct xbuf *x, size_t size)
{
	x->b.what = "vkms dumb buffer";
	wb_vkms_dumb_alloc(&x->b, ALIGN(size, PAGE));
}

/*
 * One MMAP buffer of vivid-001's capture queue, of @size bytes (more
 * than its format's: CREATE_BUFS, the format untouched), exported.
 */
static void vivid_capture(struct xbuf *x, size_t size)
{
	struct v4l2_create_buffers c = {
		.count = 1, .memory = V4L2_MEMORY_MMAP,
		.format.type = CAP,
	};
	struct v4l2_exportbuffer e = {
		.type = CAP, .flags = O_RDWR | O_CLOEXEC,
	};
	struct v4l2_buffer q = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	int fd = v4l2_open_by_name(VIVID_EXPORTER);

	x->v4l2 = fd;
	wb_assert_sys(ioctl(fd, VIDIOC_G_FMT, &c.format));
	c.format.fmt.pix.sizeimage = ALIGN(size, PAGE);
	wb_assert_sys(ioctl(fd, VIDIOC_CREATE_BUFS, &c));
	igt_assert_eq_u32(c.count, 1);
	q.index = e.index = c.index;
	wb_assert_sys(ioctl(fd, VIDIOC_QUERYBUF, &q));
	igt_assert_f(q.length >= size, "%s: a buffer of %u bytes, want %zu\n",
		     VIVID_EXPORTER, q.length, size);
	wb_assert_sys(ioctl(fd, VIDIOC_EXPBUF, &e));
	x->b = (struct wb_buf){ .fd = e.fd, .size = q.length, .memfd = -1,
				.what = "vivid capture buffer" };
	/* The exporter's own mapping: the V4L2 buffer's */
	x->b.map = mmap(NULL, q.length, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, q.m.offset);
	igt_assert_f(x->b.map != MAP_FAILED, "%s: mmap: %m\n", VIVID_EXPORTER);
	/*
	 * One vb2-dma-contig allocation (a VM_PFNMAP mapping: pagemap
	 * cannot tell), for vivid's 32-bit coherent mask: below 4 GiB.
	 */
	x->contig = WB_YES;
	x->high = WB_NO;
}

/*
 * The edu V4L2 mem2mem device's CAPTURE buffer, exported, of a whole
 * vivid frame.  The edu writes patterns A and B by DMA, each one GREY
 * 128x128 frame, the first 16 KiB of the buffer (a whole vivid frame
 * would take minutes of edu transfers); see m2m_write().
 */
#define M2M_W	128
#define M2M_H	128

static void edu_m2m(struct xbuf *x, const char *alloc, size_t size)
{
	x->m2m = calloc(1, sizeof(*x->m2m));
	igt_assert(x->m2m);
	wb_m2m_export_open(x->m2m, alloc, M2M_W, M2M_H, size);
	x->b = x->m2m->b;
	if (wb_v4l2_behind_iommu(x->m2m->m.fd)) {
		/* Mapped with vm_map_pages() by both allocators: pagemap sees them */
		wb_pagemap_pages(xbuf_page, x, x->b.size / PAGE, &x->contig,
				 &x->high);
	} else if (!strcmp(alloc, "dma-contig")) {
		/*
		 * One contiguous allocation from the CMA area (dma-direct's
		 * first choice), mapped VM_PFNMAP: pagemap cannot tell.
		 */
		x->contig = WB_YES;
		x->high = wb_cma_above_4g();
	} else {
		wb_pagemap_pages(xbuf_page, x, x->b.size / PAGE, &x->contig,
				 &x->high);
	}
}

static void edu_m2m_contig(struct xbuf *x, size_t size)
{
	edu_m2m(x, "dma-contig", size);
}

static void edu_m2m_sg(struct xbuf *x, size_t size)
{
	edu_m2m(x, "dma-sg", size);
}

/*
 * vkms's writeback framebuffer, exported: vkms writes both patterns
 * back, frames of its two colours (see test()).  800x600 is the
 * smallest of its modes whose frame holds a vivid frame.
 */
static void vkms_writeback(struct xbuf *x, size_t size)
{
	x->wbx = calloc(1, sizeof(*x->wbx));
	igt_assert(x->wbx);
	wb_writeback_export_open(x->wbx, 800, 600);
	igt_assert_lte(size, x->wbx->b.size);
	/* A dumb buffer of shmem pages, mapped VM_PFNMAP: unknown */
	x->b = x->wbx->b;
}

static void p2pmem_heap(struct xbuf *x, size_t size)
{
	heap(x, "/dev/dma_heap/p2pmem-*", size);
	x->b.p2p = true;
}

static void ivshmem_bar(struct xbuf *x, size_t size)
{
	x->b.what = "ivshmem BAR";
	wb_shm_export(&x->b, 0, ALIGN(size, PAGE));
}

static void xbuf_alloc(const struct exporter *e, struct xbuf *x, size_t size)
{
	*x = (struct xbuf){ .contig = WB_UNKNOWN, .high = WB_UNKNOWN,
			    .v4l2 = -1, .b.memfd = -1 };
	e->alloc(x, size);
}

static void xbuf_free(struct xbuf *x)
{
	if (x->m2m) {
		wb_m2m_export_close(x->m2m);
		free(x->m2m);
		x->m2m = NULL;
	} else if (x->wbx) {
		wb_writeback_export_close(x->wbx);
		free(x->wbx);
		x->wbx = NULL;
	} else {
		wb_buf_free(&x->b);
	}
	if (x->v4l2 >= 0)
		close(x->v4l2);
}

/* A and B differ in every byte: a frame's bytes say which it shows */
_Static_assert((SEED_B - SEED_A) * 101 % 256, "patterns A and B share bytes");

/* Byte @i of pattern @seed */
static uint8_t pattern(size_t i, unsigned int seed)
{
	return (i * 7 + (i >> 12) * 13 + seed * 101) & 0xff;
}

/* Patterns A and B, @frame_len bytes each, made once per subtest */
static uint8_t *pat_a, *pat_b;
static size_t frame_len;

static void patterns_make(size_t len)
{
	frame_len = len;
	pat_a = malloc(len);
	pat_b = malloc(len);
	igt_assert(pat_a && pat_b);
	for (size_t i = 0; i < len; i++) {
		pat_a[i] = pattern(i, SEED_A);
		pat_b[i] = pattern(i, SEED_B);
	}
}

/*
 * The edu writes @p's first frame into its CAPTURE buffer; the rest of
 * the buffer is what the exporter's own mapping shows, so that is what
 * @p must hold there.  The test writes nothing into a buffer its device
 * writes: videobuf2 maps a CAPTURE buffer DMA_FROM_DEVICE, so where
 * swiotlb bounces, each frame's sync for the CPU copies the whole bounce
 * buffer over the pages, the bytes the device did not write included;
 * bytes the CPU had written there would be gone (seen on topology
 * bounce).  The tail is the same in A and B: the device wrote only its
 * frame.
 */
static void m2m_write(struct xbuf *x, uint8_t *p, unsigned int seed)
{
	size_t frame = x->m2m->m.size;

	wb_m2m_export_write(x->m2m, p);
	wb_buf_sync(&x->b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	memcpy(p + frame, x->b.map + frame, frame_len - frame);
	wb_buf_sync(&x->b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < frame; i++)
		igt_assert_f(p[i] == pattern(i, seed),
			     "byte %zu of the edu's frame is %#x, pattern %u's %#x\n",
			     i, p[i], seed, pattern(i, seed));
	if (p == pat_b)
		igt_assert_f(!memcmp(pat_a + frame, pat_b + frame,
				     frame_len - frame),
			     "the CAPTURE buffer changed past the edu's frame\n");
}

/*
 * @p into the exporter's memory, through its own mapping, or by the
 * exporter's device (no call into vivid either way)
 */
static void write_pattern(struct xbuf *x, const uint8_t *p)
{
	if (x->m2m) {
		m2m_write(x, p == pat_a ? pat_a : pat_b,
			  p == pat_a ? SEED_A : SEED_B);
		return;
	}
	if (x->wbx) {
		wb_writeback_export_frame(x->wbx, p == pat_b);
		return;
	}
	wb_buf_sync(&x->b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memcpy(x->b.map, p, frame_len);
	wb_buf_sync(&x->b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/* ------------------------------------------------------- vivid's state */

static int node_open(const struct importer *imp, const char *kind)
{
	char name[64];

	snprintf(name, sizeof(name), "vivid-%s-vid-%s", imp->inst, kind);
	return v4l2_open_by_name(name);
}

/* The first input (output) with DV timings: the HDMI one */
static int hdmi_input(int fd)
{
	struct v4l2_input in = {};

	for (in.index = 0; !ioctl(fd, VIDIOC_ENUMINPUT, &in); in.index++)
		if (in.capabilities & V4L2_IN_CAP_DV_TIMINGS)
			return in.index;
	wb_skip("vivid has no HDMI input\n");
	return -1;
}

static int hdmi_output(int fd)
{
	struct v4l2_output out = {};

	for (out.index = 0; !ioctl(fd, VIDIOC_ENUMOUTPUT, &out); out.index++)
		if (out.capabilities & V4L2_OUT_CAP_DV_TIMINGS)
			return out.index;
	wb_skip("vivid has no HDMI output\n");
	return -1;
}

/* The control named @name, or 0 */
static uint32_t ctrl_find(int fd, const char *name, struct v4l2_query_ext_ctrl *q)
{
	*q = (struct v4l2_query_ext_ctrl){ .id = V4L2_CTRL_FLAG_NEXT_CTRL };
	while (!ioctl(fd, VIDIOC_QUERY_EXT_CTRL, q)) {
		if (!strcmp(q->name, name))
			return q->id;
		q->id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

/* The index of menu item @item of control @q */
static int menu_find(int fd, const struct v4l2_query_ext_ctrl *q,
		     const char *item)
{
	for (int64_t i = q->minimum; i <= q->maximum; i++) {
		struct v4l2_querymenu m = { .id = q->id, .index = i };

		/* Items in use elsewhere are skipped: EINVAL */
		if (!ioctl(fd, VIDIOC_QUERYMENU, &m) &&
		    !strcmp((char *)m.name, item))
			return i;
	}
	return -1;
}

static int ctrl_get(int fd, uint32_t id)
{
	struct v4l2_control c = { .id = id };

	wb_assert_sys(ioctl(fd, VIDIOC_G_CTRL, &c));
	return c.value;
}

static void ctrl_set(int fd, uint32_t id, int value)
{
	struct v4l2_control c = { .id = id, .value = value };

	wb_assert_sys(ioctl(fd, VIDIOC_S_CTRL, &c));
}

static void save_state(const struct importer *imp, struct saved *s)
{
	struct v4l2_query_ext_ctrl q;
	char name[64];
	int cap = node_open(imp, "cap"), out = node_open(imp, "out");

	*s = (struct saved){ .cap.type = CAP, .out.type = OUT };
	wb_assert_sys(ioctl(cap, VIDIOC_G_INPUT, &s->input));
	wb_assert_sys(ioctl(cap, VIDIOC_G_FMT, &s->cap));
	wb_assert_sys(ioctl(out, VIDIOC_G_OUTPUT, &s->output));
	wb_assert_sys(ioctl(out, VIDIOC_G_FMT, &s->out));
	snprintf(name, sizeof(name), "HDMI %s-0 Is Connected To", imp->inst);
	s->connect_id = ctrl_find(cap, name, &q);
	wb_require_f(s->connect_id, "vivid-%s: no control \"%s\"\n", imp->inst,
		     name);
	s->connect = ctrl_get(cap, s->connect_id);
	s->osd_id = ctrl_find(cap, "OSD Text Mode", &q);
	wb_require_f(s->osd_id, "vivid-%s: no OSD Text Mode control\n",
		     imp->inst);
	s->osd = ctrl_get(cap, s->osd_id);
	close(cap);
	close(out);
}

static void restore_state(const struct importer *imp, const struct saved *s)
{
	int cap = node_open(imp, "cap"), out = node_open(imp, "out");
	struct v4l2_format f;

	ctrl_set(cap, s->connect_id, s->connect);
	ctrl_set(cap, s->osd_id, s->osd);
	wb_assert_sys(ioctl(cap, VIDIOC_S_INPUT, &s->input));
	f = s->cap;
	wb_assert_sys(ioctl(cap, VIDIOC_S_FMT, &f));
	wb_assert_sys(ioctl(out, VIDIOC_S_OUTPUT, &s->output));
	f = s->out;
	wb_assert_sys(ioctl(out, VIDIOC_S_FMT, &f));
	close(cap);
	close(out);
}

/*
 * Select input (output) @to anew, so that vivid resets its rectangles
 * to the timings' (it does nothing for the current one)
 */
static void select_io(int fd, unsigned long get, unsigned long set, int to)
{
	int cur, other = !to;

	wb_assert_sys(ioctl(fd, get, &cur));
	if (cur == to)
		wb_assert_sys(ioctl(fd, set, &other));
	wb_assert_sys(ioctl(fd, set, &to));
}

static void set_yuyv(int fd, uint32_t type, struct v4l2_format *f,
		     const struct v4l2_dv_timings *t)
{
	*f = (struct v4l2_format){ .type = type };
	wb_assert_sys(ioctl(fd, VIDIOC_G_FMT, f));
	f->fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f->fmt.pix.width = t->bt.width;
	f->fmt.pix.height = t->bt.height;
	f->fmt.pix.field = V4L2_FIELD_NONE;
	f->fmt.pix.bytesperline = 0;
	wb_assert_sys(ioctl(fd, VIDIOC_S_FMT, f));
	igt_assert_f(f->fmt.pix.pixelformat == V4L2_PIX_FMT_YUYV &&
		     f->fmt.pix.width == t->bt.width &&
		     f->fmt.pix.height == t->bt.height &&
		     f->fmt.pix.field == V4L2_FIELD_NONE,
		     "%s format: got %.4s %ux%u field %u, want YUYV %ux%u progressive\n",
		     type == CAP ? "capture" : "output",
		     (char *)&f->fmt.pix.pixelformat, f->fmt.pix.width,
		     f->fmt.pix.height, f->fmt.pix.field, t->bt.width,
		     t->bt.height);
}

/*
 * Connect the HDMI input (control @id) to menu item @item, and see that
 * it stays so.  Setting the control queues vivid's
 * update_hdmi_ctrls_work_handler(), which narrows every HDMI control's
 * menu to the items not in use, excluding each control's current value
 * read without the control's lock: run while our S_CTRL is in flight, it
 * sees the old value, finds the new one in use and resets the control to
 * its default (the test pattern), disconnecting the loop.  Read it back
 * after the work had time to run, and connect again if it was undone.
 */
static void connect(int cap, uint32_t id, int item)
{
	int stable = 0;

	ctrl_set(cap, id, item);
	for (int tries = 0; stable < 4; tries++) {
		igt_assert_f(tries < 40, "the HDMI connection does not stay\n");
		usleep(50 * 1000);
		if (ctrl_get(cap, id) == item) {
			stable++;
			continue;
		}
		igt_info("vivid undid the HDMI connection (its control work raced S_CTRL): connecting again\n");
		stable = 0;
		ctrl_set(cap, id, item);
	}
}

/*
 * The loop: the instance's HDMI input connected to its own HDMI output,
 * both at the same timings in YUYV, OSD text off.  Returns the frame
 * size.
 */
static size_t loop_setup(const struct importer *imp, const struct saved *s,
			 int cap, int out)
{
	struct v4l2_dv_timings tin = {}, tout = {};
	struct v4l2_format fc, fo;
	struct v4l2_query_ext_ctrl q;
	char item[64];
	int i;

	select_io(cap, VIDIOC_G_INPUT, VIDIOC_S_INPUT, hdmi_input(cap));
	select_io(out, VIDIOC_G_OUTPUT, VIDIOC_S_OUTPUT, hdmi_output(out));
	wb_assert_sys(ioctl(cap, VIDIOC_G_DV_TIMINGS, &tin));
	wb_assert_sys(ioctl(out, VIDIOC_G_DV_TIMINGS, &tout));
	igt_assert_f(tin.bt.width == tout.bt.width &&
		     tin.bt.height == tout.bt.height &&
		     !tin.bt.interlaced && !tout.bt.interlaced,
		     "HDMI input %ux%u%s, output %ux%u%s: no loop\n",
		     tin.bt.width, tin.bt.height, tin.bt.interlaced ? "i" : "p",
		     tout.bt.width, tout.bt.height,
		     tout.bt.interlaced ? "i" : "p");
	set_yuyv(cap, CAP, &fc, &tin);
	set_yuyv(out, OUT, &fo, &tout);
	igt_assert_f(fc.fmt.pix.bytesperline == fo.fmt.pix.bytesperline &&
		     fc.fmt.pix.sizeimage == fo.fmt.pix.sizeimage,
		     "capture %u bytes a line, %u a frame; output %u, %u\n",
		     fc.fmt.pix.bytesperline, fc.fmt.pix.sizeimage,
		     fo.fmt.pix.bytesperline, fo.fmt.pix.sizeimage);

	ctrl_find(cap, "OSD Text Mode", &q);
	i = menu_find(cap, &q, "None");
	igt_assert_f(i >= 0, "OSD Text Mode has no item None\n");
	ctrl_set(cap, s->osd_id, i);

	snprintf(item, sizeof(item), "Output HDMI %s-0", imp->inst);
	q = (struct v4l2_query_ext_ctrl){ .id = s->connect_id };
	wb_assert_sys(ioctl(cap, VIDIOC_QUERY_EXT_CTRL, &q));
	i = menu_find(cap, &q, item);
	igt_assert_f(i >= 0, "\"%s\" has no free item \"%s\"\n", q.name, item);
	connect(cap, s->connect_id, i);
	igt_info("vivid-%s: HDMI input %u connected to \"%s\"; %ux%u YUYV, %u bytes a frame, OSD off\n",
		 imp->inst, hdmi_input(cap), item, fc.fmt.pix.width,
		 fc.fmt.pix.height, fc.fmt.pix.sizeimage);
	return fc.fmt.pix.sizeimage;
}

/* ------------------------------------------------------------- streams */

static void stream(int fd, unsigned long req, uint32_t type)
{
	int t = type;

	wb_assert_sys(ioctl(fd, req, &t));
}

static unsigned int reqbufs(int fd, uint32_t type, uint32_t memory,
			    unsigned int count)
{
	struct v4l2_requestbuffers rb = {
		.type = type, .memory = memory, .count = count,
	};

	wb_assert_sys(ioctl(fd, VIDIOC_REQBUFS, &rb));
	return rb.count;
}

/* The capture side: MMAP buffers of the same instance */
struct capture {
	int fd;
	unsigned int n;
	uint8_t *map[CAP_BUFS];
	size_t len[CAP_BUFS];
};

static void capture_queue(struct capture *c, unsigned int i)
{
	struct v4l2_buffer q = {
		.type = CAP, .memory = V4L2_MEMORY_MMAP, .index = i,
	};

	wb_assert_sys(ioctl(c->fd, VIDIOC_QBUF, &q));
}

static void capture_start(struct capture *c)
{
	c->n = reqbufs(c->fd, CAP, V4L2_MEMORY_MMAP, CAP_BUFS);
	igt_assert_f(c->n >= 2 && c->n <= CAP_BUFS, "capture: %u buffers\n",
		     c->n);
	for (unsigned int i = 0; i < c->n; i++) {
		struct v4l2_buffer q = {
			.type = CAP, .memory = V4L2_MEMORY_MMAP, .index = i,
		};

		wb_assert_sys(ioctl(c->fd, VIDIOC_QUERYBUF, &q));
		c->len[i] = q.length;
		c->map[i] = mmap(NULL, q.length, PROT_READ, MAP_SHARED, c->fd,
				 q.m.offset);
		igt_assert_f(c->map[i] != MAP_FAILED, "capture mmap: %m\n");
		capture_queue(c, i);
	}
	stream(c->fd, VIDIOC_STREAMON, CAP);
}

static void capture_stop(struct capture *c)
{
	stream(c->fd, VIDIOC_STREAMOFF, CAP);
	for (unsigned int i = 0; i < c->n; i++)
		munmap(c->map[i], c->len[i]);
	reqbufs(c->fd, CAP, V4L2_MEMORY_MMAP, 0);
}

/* What a captured frame shows */
enum shows { SHOWS_A, SHOWS_B, SHOWS_MIX, SHOWS_OTHER };

static const char *shows_str(enum shows s)
{
	static const char *const str[] = {
		"pattern A", "pattern B", "A and B mixed", "neither pattern",
	};

	return str[s];
}

/*
 * Dequeue the next frame, classify its @len bytes, queue the buffer
 * again; *seq gets its sequence number
 */
static enum shows capture_frame(struct capture *c, size_t len, uint32_t *seq)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct v4l2_buffer q = { .type = CAP, .memory = V4L2_MEMORY_MMAP };
	size_t a = 0, b = 0, first_bad = SIZE_MAX;
	const uint8_t *f;

	igt_assert_f(poll(&p, 1, FRAME_TIMEOUT_MS) == 1,
		     "no frame captured within %d ms\n", FRAME_TIMEOUT_MS);
	wb_assert_sys(ioctl(c->fd, VIDIOC_DQBUF, &q));
	igt_assert_f(!(q.flags & V4L2_BUF_FLAG_ERROR),
		     "capture buffer %u came back with V4L2_BUF_FLAG_ERROR\n",
		     q.index);
	igt_assert_f(q.bytesused == len, "frame %u: %u bytes, want %zu\n",
		     q.sequence, q.bytesused, len);
	*seq = q.sequence;
	f = c->map[q.index];
	if (!memcmp(f, pat_a, len)) {
		capture_queue(c, q.index);
		return SHOWS_A;
	}
	if (!memcmp(f, pat_b, len)) {
		capture_queue(c, q.index);
		return SHOWS_B;
	}
	for (size_t i = 0; i < len; i++) {
		if (f[i] == pat_a[i])
			a++;
		else if (f[i] == pat_b[i])
			b++;
		else if (first_bad == SIZE_MAX)
			first_bad = i;
	}
	if (first_bad != SIZE_MAX)
		igt_info("frame %u: byte %zu is %#x, pattern A %#x, B %#x (%zu bytes A, %zu B of %zu)\n",
			 q.sequence, first_bad, f[first_bad], pat_a[first_bad],
			 pat_b[first_bad], a, b, len);
	else
		igt_info("frame %u: %zu bytes of pattern A, %zu of B\n",
			 q.sequence, a, b);
	capture_queue(c, q.index);
	return a + b == len ? SHOWS_MIX : SHOWS_OTHER;
}

/*
 * Capture until a frame shows @want; before it only frames of the
 * pattern before (@prev) or, up to @max_mixed times, both mixed (frames
 * vivid copied while the exporter wrote); then STABLE_FRAMES more that
 * show @want.
 */
static void capture_until(struct capture *c, size_t len, enum shows want,
			  int prev, unsigned int max_mixed)
{
	unsigned int n, mixed = 0, other = 0;
	enum shows s;
	uint32_t seq;

	for (n = 0; n < MAX_FRAMES; n++) {
		s = capture_frame(c, len, &seq);
		if (s == want)
			break;
		/* Before the loop holds: vivid's noise (see the top) */
		if (prev < 0 && s == SHOWS_OTHER && ++other <= MAX_NOISE)
			continue;
		igt_assert_f(s == prev ||
			     (s == SHOWS_MIX && prev >= 0 && mixed++ < max_mixed),
			     "frame %u shows %s while waiting for %s\n", seq,
			     shows_str(s), shows_str(want));
	}
	igt_assert_f(n < MAX_FRAMES, "%u frames, none shows %s\n", n,
		     shows_str(want));
	igt_info("frame %u shows %s, after %u frame%s before it\n", seq,
		 shows_str(want), n, n == 1 ? "" : "s");
	for (unsigned int k = 0; k < STABLE_FRAMES; k++) {
		s = capture_frame(c, len, &seq);
		igt_assert_f(s == want, "frame %u shows %s after %s\n", seq,
			     shows_str(s), shows_str(want));
	}
}

/* vivid's platform device, as bufinfo names it: the node's parent */
static void vivid_device(int fd, char *dev, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	wb_assert_sys(fstat(fd, &st));
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	igt_assert_f(realpath(path, real), "realpath %s: %m\n", path);
	snprintf(dev, len, "%s", strrchr(real, '/') + 1);
}

static uint32_t out_flags(int out)
{
	struct v4l2_buffer q = {
		.type = OUT, .memory = V4L2_MEMORY_DMABUF, .index = 0,
	};

	wb_assert_sys(ioctl(out, VIDIOC_QUERYBUF, &q));
	return q.flags;
}

/* ------------------------------------------------------------- subtest */

/* What QBUF of @x into @imp's OUTPUT queue must do */
static int qbuf_expect(const struct importer *imp, const struct xbuf *x,
		       bool iommu)
{
	if (x->b.p2p)
		return imp->dma_contig ? EOPNOTSUPP : EFAULT;
	if (!imp->dma_contig || iommu)
		return 0;
	/* vivid_create_instance() gives vivid's device a 32-bit DMA mask */
	return wb_contig_qbuf_expect(imp->alloc, true, x->b.size, x->contig,
				     x->high);
}

static void test(const struct exporter *e, const struct importer *imp,
		 const struct saved *s)
{
	struct v4l2_buffer q = {
		.type = OUT, .memory = V4L2_MEMORY_DMABUF, .index = 0,
	};
	struct capture c = {};
	struct wb_route r;
	char dev[64], who[64];
	struct xbuf x;
	int out, err, want;
	size_t len;

	c.fd = node_open(imp, "cap");
	out = node_open(imp, "out");
	vivid_device(out, dev, sizeof(dev));
	snprintf(who, sizeof(who), "vivid-%s output (%s)", imp->inst,
		 imp->alloc);
	len = loop_setup(imp, s, c.fd, out);
	xbuf_alloc(e, &x, len);
	igt_info("%s: %zu bytes of %s\n", who, x.b.size, x.b.what);
	patterns_make(len);
	/* vkms writes frames of its two colours: A and B are those pixels */
	for (size_t i = 0; x.wbx && i < len; i++) {
		pat_a[i] = wb_writeback_colours[0] >> (i % 4 * 8);
		pat_b[i] = wb_writeback_colours[1] >> (i % 4 * 8);
	}
	write_pattern(&x, pat_a);

	/* vivid allocates two at least; only the first is queued */
	igt_assert_lte(1, reqbufs(out, OUT, V4L2_MEMORY_DMABUF, 1));
	want = qbuf_expect(imp, &x, wb_v4l2_behind_iommu(out));
	q.m.fd = x.b.fd;
	q.bytesused = len;
	err = ioctl(out, VIDIOC_QBUF, &q) ? errno : 0;
	if (!wb_qbuf_judge(who, x.b.what, err, want)) {
		/* Refused: nothing attached, nothing queued */
		igt_assert_f(!wb_bufinfo_route(x.b.fd, dev).attached,
			     "%s: refused, yet %s is attached to the buffer\n",
			     who, dev);
		igt_assert_f(!(out_flags(out) & V4L2_BUF_FLAG_QUEUED),
			     "%s: refused, yet the buffer is queued\n", who);
		goto release;
	}
	stream(out, VIDIOC_STREAMON, OUT);
	r = wb_bufinfo_route(x.b.fd, dev);
	if (imp->dma_contig) {
		igt_assert_f(r.attached,
			     "%s: streaming, but bufinfo shows no attachment of %s\n",
			     who, dev);
		igt_info("%s: %s attached, %d mapping%s, %lu DMA range%s\n",
			 who, dev, r.mappings, r.mappings == 1 ? "" : "s",
			 r.ranges, r.ranges == 1 ? "" : "s");
	} else {
		/* vb2-vmalloc vmaps the dma-buf and attaches nothing */
		igt_assert_f(!r.attached,
			     "%s: vb2-vmalloc imports by vmap, yet %s is attached\n",
			     who, dev);
		igt_info("%s: imported by vmap, no attachment (vb2-vmalloc)\n",
			 who);
	}

	capture_start(&c);
	capture_until(&c, len, SHOWS_A, -1, 0);
	igt_assert_f(!(out_flags(out) & V4L2_BUF_FLAG_DONE),
		     "%s: vivid returned the only OUTPUT buffer\n", who);

	/* The exporter writes B; vivid is not called */
	write_pattern(&x, pat_b);
	/*
	 * A CPU memcpy() of a frame ends within one vivid frame.  A device
	 * writes for longer (vkms composes and writes back 1.9 MB with the
	 * CPU under TCG, the edu moves 16 KiB at 10 KiB/s), and every frame
	 * vivid captures meanwhile may mix A and B; none is dequeued before
	 * the write returns, so vivid captured into at most the CAP_BUFS
	 * buffers queued before it returned.
	 */
	capture_until(&c, len, SHOWS_B, SHOWS_A, e->device ? CAP_BUFS : 1);

	/* vivid still holds the same import: it was never given back */
	igt_assert_f((out_flags(out) & (V4L2_BUF_FLAG_QUEUED |
					V4L2_BUF_FLAG_DONE)) ==
		     V4L2_BUF_FLAG_QUEUED,
		     "%s: the OUTPUT buffer is not queued (flags %#x)\n", who,
		     out_flags(out));
	igt_info("%s: the captured frames changed with the exporter's memory, the OUTPUT buffer queued throughout\n",
		 who);

	capture_stop(&c);
	stream(out, VIDIOC_STREAMOFF, OUT);
release:
	reqbufs(out, OUT, V4L2_MEMORY_DMABUF, 0);
	igt_assert_f(!wb_bufinfo_route(x.b.fd, dev).attached,
		     "%s: released, yet %s is still attached\n", who, dev);
	xbuf_free(&x);
	free(pat_a);
	free(pat_b);
	close(out);
	close(c.fd);
}

static const struct exporter exporters[] = {
	{ "udmabuf", udmabuf_4k },
	{ "udmabuf-2m", udmabuf_2m },
	{ "system-heap", system_heap },
	{ "cma-heap", cma_heap },
	{ "vgem", vgem },
	{ "vkms-dumb", vkms_dumb },
	{ "vivid-capture", vivid_capture },
	{ "edu-m2m-dma-contig", edu_m2m_contig, false, true },
	{ "edu-m2m-dma-sg", edu_m2m_sg, false, true },
	{ "vkms-writeback", vkms_writeback, false, true },
	{ "p2pmem-heap", p2pmem_heap, true },
	{ "ivshmem-bar", ivshmem_bar, true },
};

static const struct importer importers[] = {
	{ "dma-contig", "000", true },
	{ "vmalloc", "002", false },
};

/*
 * Each subtest runs in a child, which leaves nothing open behind it if
 * it fails; the parent saved vivid's state before and restores it after,
 * whatever the child did.
 */
static void run(const struct exporter *e, const struct importer *imp)
{
	struct saved s;
	int err;

	igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vivid-output-import");
	save_state(imp, &s);
	igt_fork(child, 1)
		test(e, imp, &s);
	err = __igt_waitchildren();
	restore_state(imp, &s);
	igt_reset_timeout();
	if (err)
		igt_fail(err);
}

static void describe(const struct exporter *e, const struct importer *imp)
{
	if (e->p2p)
		igt_describe_f("P2P memory (%s) into vivid's %s OUTPUT queue, a static importer: QBUF refuses it with %s, nothing attached or queued",
			       e->name, imp->alloc,
			       imp->dma_contig ? "EOPNOTSUPP (the dma-buf core refuses a static attachment of a revocable buffer)" :
			       "EFAULT (vb2-vmalloc vmaps; the exporter has no vmap)");
	else
		igt_describe_f("vivid's %s OUTPUT queue imports a %s buffer; looped back to its own capture, frames show the exporter's pattern byte for byte, and a second pattern the exporter writes while vivid holds the buffer%s%s",
			       imp->alloc, e->name,
			       e->device ? " (the exporter's device writes it, not the test)" : "",
			       imp->dma_contig ? "; QBUF refuses non-contiguous pages with EFAULT where vivid's device reaches them untranslated, taken or EFAULT where user space cannot know" : "");
}

igt_main
{
	/* Static: the subtests longjmp back into these loops */
	static unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(exporters); i++) {
		for (j = 0; j < ARRAY_SIZE(importers); j++) {
			describe(&exporters[i], &importers[j]);
			igt_subtest_f("%s-to-vivid-output-%s", exporters[i].name,
				      importers[j].alloc)
				run(&exporters[i], &importers[j]);
		}
	}
}
