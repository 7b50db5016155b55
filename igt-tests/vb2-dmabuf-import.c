// SPDX-License-Identifier: GPL-2.0
/*
 * vb2-dmabuf-import: videobuf2 importers stream into dma-bufs of the
 * exporters v4l2-compliance cannot drive, and refuse what they must.
 *
 * This is the part of the DMABUF streaming matrix (README, "Tests") that
 * v4l2-compliance's -e cannot run: its exporter must be a V4L2 device.
 * Subtests EXPORTER-to-IMPORTER, for the exporters
 *  - udmabuf: every other page of a memfd whose pages were allocated
 *    in order, so that they are not physically contiguous (the test
 *    reads whether they are, it does not rely on it);
 *  - system-heap: /dev/dma_heap/system;
 *  - cma-heap: the default CMA area's heap, one contiguous range;
 * and the importers
 *  - vivid-dma-contig, vivid-vmalloc: vivid capture queues (vivid-000,
 *    vb2-dma-contig; vivid-002, vb2-vmalloc) importing two buffers.  The
 *    CPU fills every buffer with a poison byte through the exporter's
 *    mapping before QBUF; three frames are captured (the first buffer
 *    twice, poisoned again in between), and after each DQBUF the
 *    exporter's mapping, bracketed by DMA_BUF_IOCTL_SYNC, must hold
 *    vivid's bytes: no page of the frame left all poison, and the third
 *    frame differs from the first, which the same buffer held (vivid
 *    draws each frame's sequence number and time stamp into it);
 *  - edu-dma-sg, edu-dma-contig: the edu mem2mem devices, both queues
 *    importing from the exporter: the OUTPUT buffer gets a pattern, the
 *    CAPTURE buffer poison, and after DQBUF the CAPTURE buffer holds the
 *    pattern byte for byte (the device copied it by DMA); two frames
 *    with different patterns, and the device counted exactly two.
 *
 * vb2-dma-contig wants the whole dma-buf (QBUF passes no plane length)
 * in one DMA range.  For a device no IOMMU translates a buffer whose
 * pages are not physically contiguous must be refused by QBUF with
 * EFAULT, and nothing runs; what decides is read from /proc/self/pagemap
 * through a mapping of the exporter's pages (the memfd for udmabuf).  A
 * CMA heap buffer is contiguous by construction.  The system heap maps
 * its buffers VM_PFNMAP, which pagemap does not walk: whether its pages
 * happen to be contiguous cannot be read from user space, so there
 * either outcome is right, and each is checked (the bytes when taken,
 * EFAULT and no frame when refused).  Under swiotlb=force (topology
 * bounce) the device sees bounce slots, which may be adjacent or not:
 * taken (bytes checked) or EFAULT.  vivid's platform device sits in no
 * IOMMU group, on topology iommu too, and has a 32-bit DMA mask: swiotlb
 * bounces its pages above 4 GiB on every topology, the CMA area here
 * (above 4 GiB, read from /proc/zoneinfo) and most pages of the 6 GiB
 * guest (read from pagemap); so for vivid-dma-contig those are taken or
 * EFAULT too.  The edus are 64-bit and, on iommu, translated.  These
 * rules live in lib/contig.c, which vivid-output-import shares.
 *
 * The V4L2 exporters whose buffers vb2-dma-contig must refuse without an
 * IOMMU (vivid's vb2-vmalloc instance vivid-003 and vim2m, which export
 * vmalloc pages) have subtests here too, run the same way into the two
 * vb2-dma-contig importers, so that the errno behind the
 * v4l2-compliance cells listed in workbench/xfails is asserted:
 * vivid-vmalloc-to-edu-dma-contig and the like.
 */
#define _GNU_SOURCE
#include "igt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
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
#include <linux/dma-heap.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>

#include "lib/contig.h"
#include "lib/devices.h"
#include "lib/m2m.h"

#define PAGE		4096UL
#define OUT		V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE
#define POISON		0x5a
/* An edu frame takes 0.8 s of transfers; vivid makes 30 a second */
#define FRAME_TIMEOUT_MS	20000
#define MAX_BUFS	4

/* One dma-buf of an exporter and the exporter's CPU view of it */
struct buf {
	int dmabuf;
	uint8_t *map;		/* the exporter's mapping */
	size_t len;
	int memfd;		/* udmabuf: its memfd, else -1 */
	uint8_t *memmap;	/* udmabuf: the memfd mapped, for pagemap */
	bool pfn_map;		/* map is VM_PFNMAP: pagemap cannot see it */
	bool one_segment;	/* one physically contiguous allocation */
	enum wb_tri high;	/* for PFN maps: some page above 4 GiB */
};

struct exporter {
	const char *name;
	/* @n buffers of at least @size bytes; the V4L2 ones keep @ctx */
	void (*alloc)(const struct exporter *e, struct buf *b, unsigned int n,
		      size_t size, int *ctx);
	const char *v4l2;	/* the V4L2 exporter's device name */
	uint32_t v4l2_type;	/* and the queue it exports */
};

struct importer {
	const char *name;
	const char *dev;	/* vivid's device name, or NULL for an edu */
	const char *alloc;	/* the videobuf2 allocator */
	bool dma32;		/* its device addresses only the low 4 GiB */
	bool iommu;		/* set when opened: behind an IOMMU */
};

/*
 * V4L2 file handles of the running subtest: one that fails leaves them
 * open, owning their queues, and the next subtest closes them first.
 */
static int open_fds[4];
static unsigned int nr_open_fds;

static int v4l2_open(const char *name)
{
	int fd = v4l2_open_by_name(name);

	igt_assert(nr_open_fds < ARRAY_SIZE(open_fds));
	open_fds[nr_open_fds++] = fd;
	return fd;
}

static void v4l2_close(int fd)
{
	for (unsigned int i = 0; i < nr_open_fds; i++) {
		if (open_fds[i] == fd) {
			open_fds[i] = open_fds[--nr_open_fds];
			break;
		}
	}
	close(fd);
}

static void close_leftovers(void)
{
	while (nr_open_fds)
		close(open_fds[--nr_open_fds]);
}

static void sync_cpu(struct buf *b, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	wb_assert_sys(ioctl(b->dmabuf, DMA_BUF_IOCTL_SYNC, &s));
}

static void buf_map(struct buf *b, const char *what)
{
	b->map = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->dmabuf, 0);
	igt_assert_f(b->map != MAP_FAILED, "mmap %s: %m\n", what);
}

static void udmabuf_alloc(const struct exporter *e, struct buf *b,
			  unsigned int n, size_t size, int *ctx)
{
	size_t pages = (size + PAGE - 1) / PAGE;

	for (unsigned int k = 0; k < n; k++) {
		struct udmabuf_create_list *l;
		struct buf *x = &b[k];
		int dev;

		l = calloc(1, sizeof(*l) + pages * sizeof(l->list[0]));
		igt_assert(l);
		*x = (struct buf){ .len = pages * PAGE };
		x->memfd = memfd_create("vb2-dmabuf-import", MFD_ALLOW_SEALING);
		igt_assert_f(x->memfd >= 0, "memfd_create: %m\n");
		wb_assert_sys(ftruncate(x->memfd, 2 * x->len));
		wb_assert_sys(fcntl(x->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
		/*
		 * Every page of the memfd allocated in order first: the
		 * udmabuf's pages, every other one, then have a page between
		 * them (UDMABUF_CREATE would allocate just its own, likely
		 * one after the other).  pagemap reads them through this
		 * mapping.
		 */
		x->memmap = mmap(NULL, 2 * x->len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, x->memfd, 0);
		igt_assert_f(x->memmap != MAP_FAILED, "mmap memfd: %m\n");
		for (size_t i = 0; i < 2 * pages; i++)
			x->memmap[i * PAGE] = 0;
		l->flags = UDMABUF_FLAGS_CLOEXEC;
		l->count = pages;
		for (size_t i = 0; i < pages; i++)
			l->list[i] = (struct udmabuf_create_item){
				.memfd = x->memfd, .offset = 2 * i * PAGE,
				.size = PAGE,
			};
		dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		igt_assert_f(dev >= 0, "open /dev/udmabuf: %m\n");
		x->dmabuf = ioctl(dev, UDMABUF_CREATE_LIST, l);
		close(dev);
		free(l);
		igt_assert_f(x->dmabuf >= 0, "UDMABUF_CREATE_LIST: %m\n");
		buf_map(x, "udmabuf");
	}
}

static void heap_alloc(const char *pattern, struct buf *b, unsigned int n,
		       size_t size)
{
	glob_t g;
	int h;

	wb_require_f(!glob(pattern, 0, NULL, &g) && g.gl_pathc,
		     "no dma-heap %s\n", pattern);
	h = open(g.gl_pathv[0], O_RDONLY | O_CLOEXEC);
	igt_assert_f(h >= 0, "open %s: %m\n", g.gl_pathv[0]);
	for (unsigned int k = 0; k < n; k++) {
		struct dma_heap_allocation_data a = {
			.len = (size + PAGE - 1) / PAGE * PAGE,
			.fd_flags = O_RDWR | O_CLOEXEC,
		};

		igt_assert_f(!ioctl(h, DMA_HEAP_IOCTL_ALLOC, &a),
			     "allocate %llu bytes from %s: %m\n",
			     (unsigned long long)a.len, g.gl_pathv[0]);
		b[k] = (struct buf){ .dmabuf = a.fd, .len = a.len, .memfd = -1,
				     .pfn_map = true, .high = WB_UNKNOWN };
		buf_map(&b[k], g.gl_pathv[0]);
	}
	close(h);
	globfree(&g);
}

static void system_heap_alloc(const struct exporter *e, struct buf *b,
			      unsigned int n, size_t size, int *ctx)
{
	heap_alloc("/dev/dma_heap/system", b, n, size);
}

static void cma_heap_alloc(const struct exporter *e, struct buf *b,
			   unsigned int n, size_t size, int *ctx)
{
	enum wb_tri high = wb_cma_above_4g();

	/* The default CMA area is "reserved" when cma= makes it */
	if (access("/dev/dma_heap/reserved", F_OK))
		heap_alloc("/dev/dma_heap/linux,cma", b, n, size);
	else
		heap_alloc("/dev/dma_heap/reserved", b, n, size);
	for (unsigned int k = 0; k < n; k++) {
		b[k].one_segment = true;
		b[k].high = high;
	}
}

/* @n MMAP buffers of a V4L2 exporter's queue, exported (EXPBUF) */
static void v4l2_alloc(const struct exporter *e, struct buf *b,
		       unsigned int n, size_t size, int *ctx)
{
	struct v4l2_requestbuffers rb = {
		.type = e->v4l2_type, .memory = V4L2_MEMORY_MMAP, .count = n,
	};
	int fd = v4l2_open(e->v4l2);

	*ctx = fd;
	wb_assert_sys(ioctl(fd, VIDIOC_REQBUFS, &rb));
	igt_assert_f(rb.count >= n, "%s: REQBUFS gave %u buffers, want %u\n",
		     e->v4l2, rb.count, n);
	for (unsigned int k = 0; k < n; k++) {
		struct v4l2_exportbuffer x = {
			.type = e->v4l2_type, .index = k,
			.flags = O_RDWR | O_CLOEXEC,
		};
		struct v4l2_buffer q = {
			.type = e->v4l2_type, .memory = V4L2_MEMORY_MMAP,
			.index = k,
		};

		wb_assert_sys(ioctl(fd, VIDIOC_QUERYBUF, &q));
		igt_assert_f(q.length >= size,
			     "%s: buffers of %u bytes, the importer wants %zu\n",
			     e->v4l2, q.length, size);
		wb_assert_sys(ioctl(fd, VIDIOC_EXPBUF, &x));
		b[k] = (struct buf){ .dmabuf = x.fd, .len = q.length,
				     .memfd = -1 };
		/* The exporter's own mapping of its buffer */
		b[k].map = mmap(NULL, q.length, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, q.m.offset);
		igt_assert_f(b[k].map != MAP_FAILED, "%s: mmap: %m\n", e->v4l2);
	}
}

static void buf_free(struct buf *b)
{
	munmap(b->map, b->len);
	if (b->memmap)
		munmap(b->memmap, 2 * b->len);
	close(b->dmabuf);
	if (b->memfd >= 0)
		close(b->memfd);
}

/* Page @i of buffer @ctx in a mapping /proc/self/pagemap shows */
static const uint8_t *buf_page(const void *ctx, size_t i)
{
	const struct buf *b = ctx;

	return b->memmap ? b->memmap + 2 * i * PAGE : b->map + i * PAGE;
}

/*
 * What QBUF of @b into @imp's queue must do: 0 (taken), an errno
 * (refused), or WB_TAKEN_OR_EFAULT (both right).  A DMABUF plane is as
 * long as its dma-buf (QBUF passes no length), so vb2-dma-contig wants
 * the whole dma-buf in one DMA range, not just the frame.
 */
static int qbuf_expect(const struct importer *imp, const struct buf *b)
{
	enum wb_tri contig, high;

	if (strcmp(imp->alloc, "dma-contig") || imp->iommu)
		return 0;
	if (b->pfn_map) {
		contig = b->one_segment ? WB_YES : WB_UNKNOWN;
		high = b->high;
	} else {
		wb_pagemap_pages(buf_page, b, (b->len + PAGE - 1) / PAGE,
				 &contig, &high);
	}
	return wb_contig_qbuf_expect(imp->name, imp->dma32, b->len, contig,
				     high);
}

/* QBUF's result against the expectation; true if the buffer was taken */
static bool qbuf_judge(const struct importer *imp, const char *what,
		       int err, int want)
{
	return wb_qbuf_judge(imp->name, what, err, want);
}

static void fill(struct buf *b, size_t len, int byte, unsigned int seed)
{
	sync_cpu(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t i = 0; i < len; i++)
		b->map[i] = byte >= 0 ? byte :
			    (i * 7 + (i >> 12) * 13 + seed * 101) & 0xff;
	sync_cpu(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static int qbuf(int fd, uint32_t type, unsigned int index, struct buf *b,
		size_t len)
{
	struct v4l2_buffer q = {
		.type = type, .memory = V4L2_MEMORY_DMABUF, .index = index,
		.m.fd = b->dmabuf,
	};

	if (type == OUT)
		q.bytesused = len;
	return ioctl(fd, VIDIOC_QBUF, &q) ? errno : 0;
}

static void dqbuf(int fd, uint32_t type, struct v4l2_buffer *q)
{
	struct pollfd p = { .fd = fd, .events = type == OUT ? POLLOUT : POLLIN };

	igt_assert_f(poll(&p, 1, FRAME_TIMEOUT_MS) == 1,
		     "no buffer done within %d ms\n", FRAME_TIMEOUT_MS);
	*q = (struct v4l2_buffer){ .type = type, .memory = V4L2_MEMORY_DMABUF };
	wb_assert_sys(ioctl(fd, VIDIOC_DQBUF, q));
	igt_assert_f(!(q->flags & V4L2_BUF_FLAG_ERROR),
		     "buffer %u came back with V4L2_BUF_FLAG_ERROR\n", q->index);
}

static void stream(int fd, unsigned long req, uint32_t type)
{
	int t = type;

	wb_assert_sys(ioctl(fd, req, &t));
}

static unsigned int reqbufs(int fd, uint32_t type, unsigned int count)
{
	struct v4l2_requestbuffers rb = {
		.type = type, .memory = V4L2_MEMORY_DMABUF, .count = count,
	};

	wb_assert_sys(ioctl(fd, VIDIOC_REQBUFS, &rb));
	return rb.count;
}

/*
 * After DQBUF: vivid wrote frame @q into @b.  No page of it may be left
 * all poison; returns a copy of the frame.
 */
static uint8_t *vivid_frame(const struct importer *imp, struct buf *b,
			    const struct v4l2_buffer *q, size_t len)
{
	uint8_t *copy = malloc(len);

	igt_assert(copy);
	igt_assert_f(q->bytesused == len, "%s: frame %u has %u bytes, want %zu\n",
		     imp->name, q->sequence, q->bytesused, len);
	sync_cpu(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	memcpy(copy, b->map, len);
	sync_cpu(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	for (size_t p = 0; p < len; p += PAGE) {
		size_t end = min(len, p + PAGE), i = p;

		while (i < end && copy[i] == POISON)
			i++;
		igt_assert_f(i < end,
			     "%s: bytes %zu..%zu of frame %u are all poison: vivid did not write them into the exporter's memory\n",
			     imp->name, p, end - 1, q->sequence);
	}
	return copy;
}

static void test_vivid(const struct exporter *e, struct importer *imp)
{
	struct v4l2_format f = { .type = CAP };
	uint8_t *first, *third;
	struct buf b[MAX_BUFS];
	struct v4l2_buffer q;
	unsigned int n, k;
	int fd, ctx = -1, want;
	uint32_t seq;
	size_t len;

	fd = v4l2_open(imp->dev);
	imp->iommu = wb_v4l2_behind_iommu(fd);
	wb_assert_sys(ioctl(fd, VIDIOC_G_FMT, &f));
	len = f.fmt.pix.sizeimage;
	n = reqbufs(fd, CAP, 2);
	igt_assert_f(n >= 2 && n <= MAX_BUFS, "%s: REQBUFS gave %u buffers\n",
		     imp->dev, n);
	e->alloc(e, b, n, len, &ctx);
	igt_info("%s: %ux%u, %zu bytes a frame, %u buffers from %s\n", imp->dev,
		 f.fmt.pix.width, f.fmt.pix.height, len, n, e->name);
	for (k = 0; k < n; k++) {
		fill(&b[k], len, POISON, 0);
		want = qbuf_expect(imp, &b[k]);
		if (!qbuf_judge(imp, e->name, qbuf(fd, CAP, k, &b[k], len), want))
			goto out;
	}
	stream(fd, VIDIOC_STREAMON, CAP);
	dqbuf(fd, CAP, &q);
	k = q.index;
	seq = q.sequence;
	first = vivid_frame(imp, &b[k], &q, len);
	/* The same buffer again, poisoned, for a later frame */
	fill(&b[k], len, POISON, 0);
	igt_assert_eq(qbuf(fd, CAP, k, &b[k], len), 0);
	do {
		dqbuf(fd, CAP, &q);
		if (q.index != k) {
			free(vivid_frame(imp, &b[q.index], &q, len));
			fill(&b[q.index], len, POISON, 0);
			igt_assert_eq(qbuf(fd, CAP, q.index, &b[q.index], len), 0);
		}
	} while (q.index != k);
	igt_assert_f(q.sequence > seq, "%s: sequence %u after %u\n", imp->dev,
		     q.sequence, seq);
	third = vivid_frame(imp, &b[k], &q, len);
	igt_assert_f(memcmp(first, third, len),
		     "%s: frames %u and %u in buffer %u are the same bytes: the second did not reach the exporter's memory\n",
		     imp->dev, seq, q.sequence, k);
	free(first);
	free(third);
	stream(fd, VIDIOC_STREAMOFF, CAP);
out:
	reqbufs(fd, CAP, 0);
	for (k = 0; k < n; k++)
		buf_free(&b[k]);
	if (ctx >= 0)
		v4l2_close(ctx);
	v4l2_close(fd);
}

/* The edu m2m device with allocator @alloc: its fd, PCI name in @pci */
static int edu_open(const char *alloc, char *pci, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], name[64];
	struct stat st;
	int fd;

	wb_require_f(m2m_find(alloc, name, sizeof(name)),
		     "no edu V4L2 device with %s\n", alloc);
	fd = v4l2_open(name);
	wb_assert_sys(fstat(fd, &st));
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	igt_assert_f(realpath(path, real), "realpath %s: %m\n", path);
	snprintf(pci, len, "%s", strrchr(real, '/') + 1);
	return fd;
}

static unsigned long edu_frames(const char *pci)
{
	char path[PATH_MAX], line[32];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/qemu_edu/%s/v4l2_frames",
		 pci);
	f = fopen(path, "r");
	igt_assert_f(f, "open %s: %m\n", path);
	igt_assert(fgets(line, sizeof(line), f));
	fclose(f);
	return strtoul(line, NULL, 10);
}

static void test_edu(const struct exporter *e, struct importer *imp)
{
	struct v4l2_format f = { .type = OUT };
	unsigned long before;
	struct v4l2_buffer q;
	struct buf b[2];	/* OUTPUT, CAPTURE */
	char pci[64];
	int fd, ctx = -1;
	size_t len;

	fd = edu_open(imp->alloc, pci, sizeof(pci));
	imp->iommu = wb_v4l2_behind_iommu(fd);
	wb_assert_sys(ioctl(fd, VIDIOC_G_FMT, &f));
	len = f.fmt.pix.sizeimage;
	igt_assert_eq(reqbufs(fd, OUT, 1), 1);
	igt_assert_eq(reqbufs(fd, CAP, 1), 1);
	e->alloc(e, b, 2, len, &ctx);
	before = edu_frames(pci);
	for (unsigned int seed = 1; seed <= 2; seed++) {
		fill(&b[1], len, POISON, 0);
		fill(&b[0], len, -1, seed);
		if (seed == 1) {
			if (!qbuf_judge(imp, "the OUTPUT buffer",
					qbuf(fd, OUT, 0, &b[0], len),
					qbuf_expect(imp, &b[0])))
				break;
			if (!qbuf_judge(imp, "the CAPTURE buffer",
					qbuf(fd, CAP, 0, &b[1], len),
					qbuf_expect(imp, &b[1])))
				break;
			stream(fd, VIDIOC_STREAMON, OUT);
			stream(fd, VIDIOC_STREAMON, CAP);
		} else {
			igt_assert_eq(qbuf(fd, OUT, 0, &b[0], len), 0);
			igt_assert_eq(qbuf(fd, CAP, 0, &b[1], len), 0);
		}
		dqbuf(fd, CAP, &q);
		igt_assert_eq_u32(q.bytesused, len);
		dqbuf(fd, OUT, &q);
		sync_cpu(&b[1], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		for (size_t i = 0; i < len; i++) {
			uint8_t want = (i * 7 + (i >> 12) * 13 + seed * 101) & 0xff;

			igt_assert_f(b[1].map[i] == want,
				     "%s: byte %zu of frame %u is %#x in the exporter's CAPTURE buffer, the device copied %#x\n",
				     imp->name, i, seed, b[1].map[i], want);
		}
		sync_cpu(&b[1], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		if (seed == 2)
			igt_assert_f(edu_frames(pci) - before == 2,
				     "%s: the device counted %lu frames, want 2\n",
				     imp->name, edu_frames(pci) - before);
	}
	/* A refused buffer runs nothing */
	if (edu_frames(pci) - before != 2)
		igt_assert_f(edu_frames(pci) == before,
			     "%s: %lu frames ran after a refused QBUF\n",
			     imp->name, edu_frames(pci) - before);
	ioctl(fd, VIDIOC_STREAMOFF, &(int){ CAP });
	ioctl(fd, VIDIOC_STREAMOFF, &(int){ OUT });
	reqbufs(fd, OUT, 0);
	reqbufs(fd, CAP, 0);
	buf_free(&b[0]);
	buf_free(&b[1]);
	if (ctx >= 0)
		v4l2_close(ctx);
	v4l2_close(fd);
}

static const struct exporter exporters[] = {
	{ "udmabuf", udmabuf_alloc },
	{ "system-heap", system_heap_alloc },
	{ "cma-heap", cma_heap_alloc },
};

/* V4L2 exporters of vmalloc pages, for the pairs vb2-dma-contig refuses */
static const struct exporter v4l2_exporters[] = {
	{ "vivid-vmalloc", v4l2_alloc, "vivid-003-vid-cap", CAP },
	{ "vim2m", v4l2_alloc, "vim2m", OUT },
};

static const struct importer importers[] = {
	/* vivid_create_instance() gives vivid's device a 32-bit DMA mask */
	{ "vivid-dma-contig", "vivid-000-vid-cap", "dma-contig", true },
	{ "vivid-vmalloc", "vivid-002-vid-cap", "vmalloc", true },
	/* vm.sh: QEMU's dma_mask and qemu_edu.dma_bits=64 */
	{ "edu-dma-sg", NULL, "dma-sg", false },
	{ "edu-dma-contig", NULL, "dma-contig", false },
};

/*
 * Each subtest runs in a child: one that fails leaves nothing behind
 * (its exported dma-bufs and mappings would keep the exporter's queue
 * busy for the next).
 */
static void run(const struct exporter *e, const struct importer *imp)
{
	close_leftovers();
	igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vb2-dmabuf-import");
	igt_fork(child, 1) {
		struct importer i = *imp;

		if (i.dev)
			test_vivid(e, &i);
		else
			test_edu(e, &i);
	}
	igt_waitchildren();
	igt_reset_timeout();
}

static void describe(const struct exporter *e, const struct importer *imp)
{
	if (!e->v4l2)
		igt_describe_f("%s streams into %s buffers it imports: the exporter's CPU view (mmap, DMA_BUF_IOCTL_SYNC) shows what the device wrote over the poison%s",
			       imp->name, e->name,
			       strcmp(imp->alloc, "dma-contig") ? "" :
			       "; without an IOMMU QBUF refuses a non-contiguous buffer with EFAULT and nothing runs");
	else
		igt_describe_f("%s imports the vmalloc pages %s exports (EXPBUF): without an IOMMU QBUF refuses them with EFAULT where they are not physically contiguous, and nothing runs; with one, the device's bytes reach the exporter's memory",
			       imp->name, e->name);
}

igt_main
{
	/* Static: the subtests longjmp back into these loops */
	static unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(exporters); i++) {
		for (j = 0; j < ARRAY_SIZE(importers); j++) {
			describe(&exporters[i], &importers[j]);
			igt_subtest_f("%s-to-%s", exporters[i].name,
				      importers[j].name)
				run(&exporters[i], &importers[j]);
		}
	}

	/* Only vb2-dma-contig refuses their pages */
	for (i = 0; i < ARRAY_SIZE(v4l2_exporters); i++) {
		for (j = 0; j < ARRAY_SIZE(importers); j++) {
			if (strcmp(importers[j].alloc, "dma-contig"))
				continue;
			describe(&v4l2_exporters[i], &importers[j]);
			igt_subtest_f("%s-to-%s", v4l2_exporters[i].name,
				      importers[j].name)
				run(&v4l2_exporters[i], &importers[j]);
		}
	}
}
