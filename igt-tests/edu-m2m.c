// SPDX-License-Identifier: GPL-2.0
/*
 * edu-m2m: the edu V4L2 mem2mem devices copy frames by DMA, byte-exact,
 * between buffers of every kind videobuf2 takes.
 *
 * Each edu has a video device qemu_eduN-m2m-ALLOC (ALLOC the videobuf2
 * allocator, dma-sg or dma-contig) whose engine reads an OUTPUT frame by
 * DMA into its 4 KiB buffer and writes it out by DMA into a CAPTURE
 * buffer.  Subtests ALLOC-SOURCE:
 *  - mmap: both queues' own buffers;
 *  - udmabuf: both buffers imported from udmabufs.  The frame is written
 *    into the memfd after the import (after QBUF mapped it for the
 *    device) and read back from the CAPTURE memfd: no call in between
 *    could copy, so the bytes went memory -> device -> memory;
 *  - expbuf: the OUTPUT frame is a buffer the other edu device exported
 *    (VIDIOC_EXPBUF), written through the exporter's mapping after the
 *    import.
 * The -plane-desc variants of the dma-sg subtests make the driver read
 * the planes through the scatterlist vb2_dma_sg_plane_desc() builds for
 * legacy drivers instead of the DMA list it keeps (debugfs switch
 * v4l2_plane_desc): the same bytes must arrive, and the driver must
 * have counted those frames as read through the table.
 * ALLOC-bad-qbuf feeds QBUF of a DMABUF OUTPUT buffer what it must
 * refuse: a closed fd and a memfd (EINVAL), a dma-buf smaller than the
 * frame (EINVAL); the device must run no frame, and the same buffer
 * slot must then take a good dma-buf.
 * ALLOC-p2pmem: the edu device's queues import dynamically
 * (vb2_queue.dynamic_dmabuf), so they take p2pmem-heap buffers (the NVMe
 * CMB, one contiguous range) on both queues: the device reads and writes
 * the CMB.  QEMU routes no bus-address DMA inside a switch behind its
 * vIOMMU, so for the edu in the NVMe's switch on `iommu` the test checks
 * the route the core chose (debugfs bufinfo) and runs no DMA.
 * ALLOC-ivshmem: the same with buffers exported from the ivshmem BAR
 * (memory without struct page, revocable) by qemu_edu_shm.
 * ALLOC-p2pmem-revoke unbinds the NVMe controller while the device
 * reads a p2pmem-heap frame: the unbind waits until the device is done
 * with the frame (vb2 fences its buffers), the OUTPUT buffer comes back
 * with V4L2_BUF_FLAG_ERROR, the bytes the device read are the frame's,
 * and QBUF of the buffer fails with ENODEV, again and in a new slot;
 * after a rebind the heap feeds the device again.  Where QEMU cannot
 * route the DMA, the unbind finds the buffer imported but unmapped, and
 * QBUF must fail the same way.
 * ALLOC-p2pmem-revoke-unpaired-output queues the same buffer in a second
 * OUTPUT slot too, which no job can take (one CAPTURE buffer): the
 * driver must give it back with the error as the frame ends, not hold
 * the unbind up until the revoke gives up (5 s and a warning).
 * Each runs two frames through the same buffers with different bytes,
 * so a stale copy cannot pass, and checks that the device counted
 * exactly those frames (debugfs v4l2_frames).  vb2-dma-contig wants one
 * DMA-contiguous range: without an IOMMU, a buffer whose pages are not
 * physically contiguous (read from /proc/self/pagemap) must be refused
 * by QBUF with EFAULT, and nothing runs.
 *
 * Under swiotlb=force (topology bounce) the device sees bounce buffers,
 * copies by design: there the test writes the frame before QBUF and
 * brackets CPU access to dma-bufs with DMA_BUF_IOCTL_SYNC, as the DMA
 * API's ownership rules require, and checks the bytes; and dma-contig
 * may take pages that are not contiguous (swiotlb may bounce them into
 * adjacent slots) or refuse them with EFAULT.
 */
#define _GNU_SOURCE
#include "igt.h"

#include <glob.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>
#include <linux/videodev2.h>
#include <misc/qemu_edu_shm.h>

#include "lib/bufinfo.h"
#include "lib/devices.h"
#include "lib/m2m.h"
#include "lib/provider.h"

#define PAGE		4096UL
#define OUT		V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE

static const char *const allocs[] = { "dma-sg", "dma-contig" };

/*
 * A udmabuf of @pages memfd pages taken every other page, so that they
 * are unlikely to be physically contiguous (the test reads whether they
 * are; it does not rely on it).
 */
static void udmabuf_frame(struct m2m_frame *fr, size_t pages)
{
	struct udmabuf_create_list *l;
	size_t i;
	int dev;

	l = calloc(1, sizeof(*l) + pages * sizeof(l->list[0]));
	igt_assert(l);
	*fr = (struct m2m_frame){ .memory = V4L2_MEMORY_DMABUF,
				  .len = pages * PAGE };
	fr->memfd = memfd_create("edu-m2m", MFD_ALLOW_SEALING);
	igt_assert_f(fr->memfd >= 0, "memfd_create: %m\n");
	wb_assert_sys(ftruncate(fr->memfd, 2 * pages * PAGE));
	wb_assert_sys(fcntl(fr->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	/*
	 * Every page of the memfd first, so that those the list takes
	 * have one between them; udmabuf would otherwise allocate only
	 * the listed ones, one after the other, often contiguous.
	 */
	wb_assert_sys(fallocate(fr->memfd, 0, 0, 2 * pages * PAGE));
	l->flags = UDMABUF_FLAGS_CLOEXEC;
	l->count = pages;
	for (i = 0; i < pages; i++)
		l->list[i] = (struct udmabuf_create_item){
			.memfd = fr->memfd, .offset = 2 * i * PAGE, .size = PAGE,
		};
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	igt_assert_f(dev >= 0, "open /dev/udmabuf: %m\n");
	fr->dmabuf = ioctl(dev, UDMABUF_CREATE_LIST, l);
	close(dev);
	free(l);
	igt_assert_f(fr->dmabuf >= 0, "UDMABUF_CREATE_LIST: %m\n");
	/* The CPU view is the dma-buf's own mapping: the exporter's pages */
	fr->map = mmap(NULL, fr->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fr->dmabuf, 0);
	igt_assert_f(fr->map != MAP_FAILED, "mmap udmabuf: %m\n");
	memset(fr->map, 0, fr->len);
	/*
	 * The dma-buf's mapping is VM_PFNMAP, which /proc/self/pagemap
	 * does not show: phys_contiguous() reads the memfd's.
	 */
	fr->memmap = mmap(NULL, 2 * fr->len, PROT_READ, MAP_SHARED, fr->memfd, 0);
	igt_assert_f(fr->memmap != MAP_FAILED, "mmap memfd: %m\n");
	for (i = 0; i < 2 * pages; i++)
		(void)*(volatile uint8_t *)(fr->memmap + i * PAGE);
}

/* The CPU address of page @i of @fr, in a mapping pagemap shows */
static const uint8_t *frame_page(const struct m2m_frame *fr, size_t i)
{
	return fr->memfd >= 0 ? fr->memmap + 2 * i * PAGE : fr->map + i * PAGE;
}

/* Are the first @len bytes of @fr one physically contiguous range? */
static bool phys_contiguous(const struct m2m_frame *fr, size_t len)
{
	uint64_t first = 0, e;
	size_t i;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	igt_assert_f(fd >= 0, "open /proc/self/pagemap: %m\n");
	for (i = 0; i < (len + PAGE - 1) / PAGE; i++) {
		off_t off = (uintptr_t)frame_page(fr, i) / PAGE * sizeof(e);

		igt_assert(pread(fd, &e, sizeof(e), off) == sizeof(e));
		igt_assert_f(e >> 63, "page %zu of the buffer is not present\n", i);
		e &= (1ULL << 55) - 1;
		igt_assert_f(e, "pagemap hides PFNs: not root?\n");
		igt_debug("page %zu: PFN %#" PRIx64 "\n", i, e);
		if (!i)
			first = e;
		else if (e != first + i)
			break;
	}
	close(fd);
	return i == (len + PAGE - 1) / PAGE;
}

/*
 * Whether imported buffer @fr of queue @type can be used: if @m is
 * dma-contig without an IOMMU and @fr is not physically contiguous, QBUF
 * must refuse it with EFAULT (and the device runs nothing).
 */
static bool import_or_refuse(struct m2m *m, const char *alloc,
			     uint32_t type, struct m2m_frame *fr)
{
	unsigned long before = m2m_frames(m);
	int err;

	if (strcmp(alloc, "dma-contig") || wb_iommu_present())
		return true;
	if (wb_bouncing()) {
		err = m2m_qbuf(m, type, fr);
		igt_assert_f(!err || err == EFAULT,
			     "%s: QBUF under swiotlb: got %s, want success or EFAULT\n",
			     m->name, strerror(err));
		if (err) {
			igt_info("%s: refused with EFAULT under swiotlb\n", m->name);
			return false;
		}
		/* Taken: give it back unused (STREAMOFF dequeues it) */
		m2m_stream(m, VIDIOC_STREAMOFF, type);
		return true;
	}
	if (phys_contiguous(fr, m->size)) {
		igt_info("%s: the buffer happens to be physically contiguous\n",
			 m->name);
		return true;
	}
	err = m2m_qbuf(m, type, fr);
	igt_assert_f(err == EFAULT,
		     "%s: QBUF of a non-contiguous buffer: got %s, want EFAULT\n",
		     m->name, err ? strerror(err) : "success");
	igt_assert_eq(m2m_frames(m) - before, 0);
	igt_info("%s: non-contiguous buffer refused with EFAULT, as it must be without an IOMMU\n",
		 m->name);
	return false;
}

/*
 * Frames through vb2_dma_sg_plane_desc() from now on, if @plane_desc;
 * returns the count of such frames so far.
 */
static unsigned long plane_desc_begin(struct m2m *m, bool plane_desc)
{
	m2m_set_plane_desc(m, plane_desc);
	return m2m_debugfs(m, "v4l2_frames_plane_desc");
}

static void plane_desc_end(struct m2m *m, bool plane_desc,
			   unsigned long before, bool ran)
{
	unsigned long n = m2m_debugfs(m, "v4l2_frames_plane_desc") - before;

	m2m_set_plane_desc(m, false);
	igt_assert_f(n == (plane_desc && ran ? 2 : 0),
		     "%s: %lu frames read through vb2_dma_sg_plane_desc(), want %d\n",
		     m->name, n, plane_desc && ran ? 2 : 0);
}

static void test_mmap(const char *alloc, bool plane_desc)
{
	struct m2m_frame in, out;
	unsigned long pd;
	struct m2m m;

	m2m_open(&m, alloc);
	pd = plane_desc_begin(&m, plane_desc);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_MMAP, 1);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_MMAP, 1);
	m2m_mmap_frame(&m, OUT, &in);
	m2m_mmap_frame(&m, CAP, &out);
	m2m_run_frames(&m, &in, &out, "CAPTURE mmap");
	plane_desc_end(&m, plane_desc, pd, true);
	m2m_frame_free(&in);
	m2m_frame_free(&out);
	close(m.fd);
}

static void test_udmabuf(const char *alloc, bool plane_desc)
{
	struct m2m_frame in, out;
	unsigned long pd;
	struct m2m m;
	size_t pages;
	bool ran = false;

	m2m_open(&m, alloc);
	pd = plane_desc_begin(&m, plane_desc);
	pages = (m.size + PAGE - 1) / PAGE;
	udmabuf_frame(&in, pages);
	udmabuf_frame(&out, pages);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 1);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_DMABUF, 1);
	if (import_or_refuse(&m, alloc, OUT, &in) &&
	    import_or_refuse(&m, alloc, CAP, &out)) {
		m2m_run_frames(&m, &in, &out, "CAPTURE udmabuf");
		ran = true;
	}
	plane_desc_end(&m, plane_desc, pd, ran);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(&in);
	m2m_frame_free(&out);
	close(m.fd);
}

/* A buffer from the first dma-heap node matching @pattern, or -1 */
static int heap_alloc(const char *pattern, size_t len)
{
	struct dma_heap_allocation_data a = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	glob_t g;
	int h;

	if (glob(pattern, 0, NULL, &g) || !g.gl_pathc)
		return -1;
	h = open(g.gl_pathv[0], O_RDONLY | O_CLOEXEC);
	igt_assert_f(h >= 0, "open %s: %m\n", g.gl_pathv[0]);
	igt_assert_f(!ioctl(h, DMA_HEAP_IOCTL_ALLOC, &a),
		     "allocate %zu bytes from %s: %m\n", len, g.gl_pathv[0]);
	close(h);
	globfree(&g);
	return a.fd;
}

/* A frame of @pages from the p2pmem heap (the NVMe CMB), CPU-mapped */
static void p2pmem_frame(struct m2m_frame *fr, size_t pages)
{
	*fr = (struct m2m_frame){ .memory = V4L2_MEMORY_DMABUF,
				  .len = pages * PAGE, .memfd = -1 };
	fr->dmabuf = heap_alloc("/dev/dma_heap/p2pmem-*", fr->len);
	wb_require_f(fr->dmabuf >= 0,
		     "no p2pmem dma-heap (NVMe CMB published as P2P memory)\n");
	fr->map = mmap(NULL, fr->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fr->dmabuf, 0);
	igt_assert_f(fr->map != MAP_FAILED, "mmap p2pmem-heap buffer: %m\n");
}

/*
 * A frame of @pages from the ivshmem BAR (memory without struct page),
 * exported by qemu_edu_shm at @off, CPU-mapped
 */
static void shm_frame(struct m2m_frame *fr, size_t pages, uint64_t off)
{
	struct qemu_edu_shm_export x = {
		.offset = off, .length = pages * PAGE,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int dev = open("/dev/qemu_edu_shm0", O_RDWR | O_CLOEXEC);

	wb_require_f(dev >= 0, "no /dev/qemu_edu_shm0 (ivshmem BAR export): %m\n");
	igt_assert_f(!ioctl(dev, QEMU_EDU_SHM_IOC_EXPORT, &x),
		     "QEMU_EDU_SHM_IOC_EXPORT: %m\n");
	close(dev);
	*fr = (struct m2m_frame){ .memory = V4L2_MEMORY_DMABUF, .dmabuf = x.fd,
				  .len = pages * PAGE, .memfd = -1 };
	fr->map = mmap(NULL, fr->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fr->dmabuf, 0);
	igt_assert_f(fr->map != MAP_FAILED, "mmap ivshmem export: %m\n");
}

/* QBUF of OUTPUT buffer 0 with dma-buf fd @fd must fail with @want */
static void qbuf_refused(struct m2m *m, int fd, int want, const char *what)
{
	struct m2m_frame fr = { .memory = V4L2_MEMORY_DMABUF, .dmabuf = fd };
	unsigned long before = m2m_frames(m);
	int err = m2m_qbuf(m, OUT, &fr);

	igt_assert_f(err == want, "%s: QBUF of %s: got %s, want %s\n",
		     m->name, what, err ? strerror(err) : "success",
		     strerror(want));
	igt_assert_eq(m2m_frames(m) - before, 0);
}

static void test_bad_qbuf(const char *alloc)
{
	struct m2m_frame in, out, small;
	struct m2m m;
	size_t pages;
	int fd;

	m2m_open(&m, alloc);
	pages = (m.size + PAGE - 1) / PAGE;
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 1);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_MMAP, 1);

	fd = memfd_create("edu-m2m-bad", 0);
	igt_assert(fd >= 0);
	wb_assert_sys(ftruncate(fd, pages * PAGE));
	qbuf_refused(&m, fd, EINVAL, "a memfd, not a dma-buf");
	close(fd);
	qbuf_refused(&m, fd, EINVAL, "a closed fd");

	udmabuf_frame(&small, pages - 1);
	qbuf_refused(&m, small.dmabuf, EINVAL,
		     "a dma-buf one page smaller than the frame");
	m2m_frame_free(&small);

	/* Nothing is left half done: the slot takes a good buffer */
	udmabuf_frame(&in, pages);
	m2m_mmap_frame(&m, CAP, &out);
	if (import_or_refuse(&m, alloc, OUT, &in))
		m2m_run_frames(&m, &in, &out, "CAPTURE mmap after refusals");
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(&in);
	m2m_frame_free(&out);
	close(m.fd);
}

/*
 * Both queues import P2P memory, from the p2pmem heap (the NVMe CMB) or
 * exported from the ivshmem BAR; the device reads and writes it where
 * QEMU routes it (m2m_p2p_route_runs()).  Once the buffers are freed the
 * core shows no attachment left.
 */
static void test_p2p(const char *alloc, bool ivshmem)
{
	unsigned long before;
	struct m2m_frame in, out;
	struct m2m m;
	size_t pages;

	m2m_open(&m, alloc);
	pages = (m.size + PAGE - 1) / PAGE;
	if (ivshmem) {
		/* Not at the start of the BAR: offsets must reach the device */
		shm_frame(&in, pages, 1 << 20);
		shm_frame(&out, pages, 2 << 20);
	} else {
		p2pmem_frame(&in, pages);
		p2pmem_frame(&out, pages);
	}
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 1);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_DMABUF, 1);
	before = m2m_frames(&m);
	igt_assert_eq(m2m_qbuf(&m, OUT, &in), 0);
	if (m2m_p2p_route_runs(&m, &in)) {
		m2m_stream(&m, VIDIOC_STREAMOFF, OUT);
		m2m_run_frames(&m, &in, &out, ivshmem ? "CAPTURE ivshmem BAR" :
			       "CAPTURE p2pmem heap");
	} else {
		igt_assert_eq(m2m_qbuf(&m, CAP, &out), 0);
		m2m_stream(&m, VIDIOC_STREAMOFF, OUT);
		m2m_stream(&m, VIDIOC_STREAMOFF, CAP);
		igt_assert_eq(m2m_frames(&m) - before, 0);
	}
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_DMABUF, 0);
	igt_assert_f(!wb_bufinfo_route(in.dmabuf, m.pci).attached &&
		     !wb_bufinfo_route(out.dmabuf, m.pci).attached,
		     "%s: a freed buffer is still attached\n", m.name);
	m2m_frame_free(&in);
	m2m_frame_free(&out);
	close(m.fd);
}

static void check_revoked_qbuf(struct m2m *m, struct m2m_frame *in);

/*
 * After the unbind: what the revoke left of frame 3, its buffer and, if
 * @nr_out is 2, the same buffer waiting in OUTPUT slot 1
 */
static void check_revoked_frame(struct m2m *m, struct m2m_frame *in,
				struct m2m_frame *out, unsigned long before,
				unsigned int nr_out)
{
	struct pollfd p = { .fd = m->fd, .events = POLLOUT };
	struct v4l2_buffer b;
	unsigned int i;

	/*
	 * The revoke waited for the device to finish with the memory, and
	 * the driver gave back the buffer no job could take
	 */
	for (i = 0; i < nr_out; i++) {
		igt_assert_f(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
			     "%s: the unbind returned while the driver still had OUTPUT buffer %u\n",
			     m->name, i);
		m2m_dqbuf(m, OUT, V4L2_MEMORY_DMABUF, &b);
		igt_assert_eq_u32(b.index, i);
		igt_assert_f(b.flags & V4L2_BUF_FLAG_ERROR,
			     "%s: the revoked OUTPUT buffer %u came back without V4L2_BUF_FLAG_ERROR\n",
			     m->name, i);
	}
	m2m_dqbuf(m, CAP, V4L2_MEMORY_MMAP, &b);
	igt_assert_f(!(b.flags & V4L2_BUF_FLAG_ERROR),
		     "%s: the CAPTURE buffer of the revoked frame failed\n",
		     m->name);
	m2m_check("CAPTURE of the frame read while revoked", out, m->size, 3);
	igt_assert_eq(m2m_frames(m) - before, 1);
	check_revoked_qbuf(m, in);
	igt_assert_eq(m2m_frames(m) - before, 1);
}

/*
 * Mapping a revoked buffer again fails, and keeps failing; so does
 * attaching it to a fresh buffer slot.
 */
static void check_revoked_qbuf(struct m2m *m, struct m2m_frame *in)
{
	int err;

	err = m2m_qbuf(m, OUT, in);
	igt_assert_f(err == ENODEV, "%s: QBUF of the revoked buffer: got %s, want ENODEV\n",
		     m->name, err ? strerror(err) : "success");
	err = m2m_qbuf(m, OUT, in);
	igt_assert_f(err == ENODEV, "%s: QBUF of the revoked buffer again: got %s, want ENODEV\n",
		     m->name, err ? strerror(err) : "success");
	m2m_stream(m, VIDIOC_STREAMOFF, CAP);
	m2m_stream(m, VIDIOC_STREAMOFF, OUT);
	m2m_reqbufs(m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_reqbufs(m, OUT, V4L2_MEMORY_DMABUF, 1);
	err = m2m_qbuf(m, OUT, in);
	igt_assert_f(err == ENODEV, "%s: QBUF of the revoked buffer into a new slot: got %s, want ENODEV\n",
		     m->name, err ? strerror(err) : "success");
}

/*
 * Where the edu's DMA cannot follow the route (m2m_p2p_route_runs()), the
 * revoke finds the buffer imported and not mapped (given back by
 * STREAMOFF); QBUF must then fail as after a revoke mid-frame.
 */
static void test_p2pmem_revoke_unmapped(struct m2m *m,
					struct m2m_frame *in, const char *pci)
{
	size_t pages = in->len / PAGE;
	int status;

	m2m_stream(m, VIDIOC_STREAMOFF, OUT);
	wb_unbind_or_fail(WB_NVME_DRV, pci);
	igt_fork(child, 1)
		check_revoked_qbuf(m, in);
	status = __igt_waitchildren();
	m2m_reqbufs(m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(in);
	wb_bind(WB_NVME_DRV, pci);
	igt_assert_f(status == 0, "checks after the unbind failed (%d)\n", status);
	igt_assert_f(wb_wait_published(pci), "%s did not publish its CMB again\n",
		     pci);

	/* The heap's buffers map for the device again */
	p2pmem_frame(in, pages);
	m2m_reqbufs(m, OUT, V4L2_MEMORY_DMABUF, 1);
	igt_assert_eq(m2m_qbuf(m, OUT, in), 0);
	igt_assert(!m2m_p2p_route_runs(m, in));
	m2m_stream(m, VIDIOC_STREAMOFF, OUT);
	m2m_reqbufs(m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(in);
	close(m->fd);
}

/*
 * The frame runs from OUTPUT slot 0; with @nr_out 2 the same buffer also
 * waits in slot 1 for a CAPTURE buffer that never comes.
 */
static void test_p2pmem_revoke(const char *alloc, unsigned int nr_out)
{
	char pci[NAME_MAX + 1], heap[PATH_MAX];
	struct m2m_frame in, out;
	unsigned long before;
	struct m2m m;
	size_t pages;
	double secs;
	int status;

	wb_find_p2pmem_nvme(pci, sizeof(pci), heap, sizeof(heap));
	m2m_open(&m, alloc);
	/*
	 * 16 KiB: 16 edu transfers, some 1.8 s under the debug kernel; the
	 * revoke comes within 0.5 s, and gives up waiting after 5 s
	 */
	m2m_set_size(&m, 128, 128);
	pages = (m.size + PAGE - 1) / PAGE;
	p2pmem_frame(&in, pages);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, nr_out);
	m2m_fill(&in, m.size, -1, 3);
	igt_assert_eq(m2m_qbuf(&m, OUT, &in), 0);
	if (!m2m_p2p_route_runs(&m, &in)) {
		test_p2pmem_revoke_unmapped(&m, &in, pci);
		return;
	}
	if (nr_out == 2)
		igt_assert_eq(m2m_qbuf_at(&m, OUT, &in, 1), 0);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_MMAP, 1);
	m2m_mmap_frame(&m, CAP, &out);
	m2m_fill(&out, m.size, 0xa5, 0);
	before = m2m_frames(&m);
	igt_assert_eq(m2m_qbuf(&m, CAP, &out), 0);
	m2m_stream(&m, VIDIOC_STREAMON, OUT);
	m2m_stream(&m, VIDIOC_STREAMON, CAP);

	secs = wb_unbind_or_fail(WB_NVME_DRV, pci);
	/* A child checks, so that the controller is bound again whatever */
	igt_fork(child, 1)
		check_revoked_frame(&m, &in, &out, before, nr_out);
	status = __igt_waitchildren();
	m2m_stream(&m, VIDIOC_STREAMOFF, CAP);
	m2m_stream(&m, VIDIOC_STREAMOFF, OUT);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(&in);
	wb_bind(WB_NVME_DRV, pci);
	igt_assert_f(status == 0, "checks after the unbind failed (%d)\n", status);
	igt_assert_f(wb_wait_published(pci), "%s did not publish its CMB again\n",
		     pci);
	/* Without the give-back the revoke waits 5 s for slot 1 */
	igt_assert_f(nr_out == 1 || secs < 5,
		     "the unbind waited %.1f s: the buffer no job could take held it up\n",
		     secs);

	/* The heap serves the device again */
	p2pmem_frame(&in, pages);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 1);
	m2m_run_frames(&m, &in, &out, "CAPTURE mmap after the rebind");
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(&in);
	m2m_frame_free(&out);
	close(m.fd);
}

/*
 * A buffer queued but never given to the driver (the queue does not
 * stream) is not in use by the device: unbinding the provider must not
 * wait for it, and QBUF must then fail with ENODEV.
 */
static void test_p2pmem_revoke_queued(const char *alloc)
{
	char pci[NAME_MAX + 1], heap[PATH_MAX];
	struct m2m_frame in;
	struct m2m m;
	size_t pages;
	double secs;

	wb_find_p2pmem_nvme(pci, sizeof(pci), heap, sizeof(heap));
	m2m_open(&m, alloc);
	pages = (m.size + PAGE - 1) / PAGE;
	p2pmem_frame(&in, pages);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 1);
	igt_assert_eq(m2m_qbuf(&m, OUT, &in), 0);
	secs = wb_unbind_or_fail(WB_NVME_DRV, pci);
	m2m_stream(&m, VIDIOC_STREAMOFF, OUT);
	check_revoked_qbuf(&m, &in);
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	m2m_frame_free(&in);
	close(m.fd);
	wb_bind(WB_NVME_DRV, pci);
	igt_assert_f(wb_wait_published(pci), "%s did not publish its CMB again\n",
		     pci);
	igt_assert_f(secs < 5, "the unbind waited %.1f s for a buffer no device used\n",
		     secs);
}

static void test_expbuf(const char *alloc, const char *exporter)
{
	struct v4l2_exportbuffer e = { .type = CAP, .flags = O_RDWR };
	struct m2m_frame in, out, exp;
	struct m2m m, x;

	m2m_open(&m, alloc);
	m2m_open(&x, exporter);
	igt_assert_eq_u32(x.size, m.size);
	m2m_reqbufs(&x, CAP, V4L2_MEMORY_MMAP, 1);
	m2m_mmap_frame(&x, CAP, &exp);
	wb_assert_sys(ioctl(x.fd, VIDIOC_EXPBUF, &e));
	/* The exporter's mapping is the CPU view of the imported frame */
	in = (struct m2m_frame){ .memory = V4L2_MEMORY_DMABUF, .dmabuf = e.fd,
				 .map = exp.map, .len = exp.len, .memfd = -1 };
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 1);
	m2m_reqbufs(&m, CAP, V4L2_MEMORY_MMAP, 1);
	m2m_mmap_frame(&m, CAP, &out);
	if (import_or_refuse(&m, alloc, OUT, &in))
		m2m_run_frames(&m, &in, &out, "CAPTURE mmap");
	m2m_reqbufs(&m, OUT, V4L2_MEMORY_DMABUF, 0);
	close(e.fd);
	m2m_frame_free(&out);
	m2m_frame_free(&exp);
	close(m.fd);
	close(x.fd);
}

igt_main
{
	/* Static: the subtests longjmp back into this loop */
	static unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allocs); i++) {
		const char *a = allocs[i], *other = allocs[!i];

		igt_describe("the edu V4L2 device copies frames between its own MMAP buffers by DMA, byte-exact");
		igt_subtest_f("%s-mmap", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "mmap");
			test_mmap(a, false);
			igt_reset_timeout();
		}

		igt_describe("the edu V4L2 device reads and writes imported udmabufs by DMA: bytes written after the import arrive; dma-contig without an IOMMU refuses non-contiguous pages with EFAULT");
		igt_subtest_f("%s-udmabuf", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "udmabuf");
			test_udmabuf(a, false);
			igt_reset_timeout();
		}

		igt_describe("the edu V4L2 device reads a frame the other edu V4L2 device exported (EXPBUF) by DMA");
		igt_subtest_f("%s-expbuf", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "expbuf");
			test_expbuf(a, other);
			igt_reset_timeout();
		}

		igt_describe("QBUF refuses what it must with a clear errno (closed fd, memfd, too small a dma-buf: EINVAL), runs nothing, and the slot then takes a good buffer");
		igt_subtest_f("%s-bad-qbuf", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "bad-qbuf");
			test_bad_qbuf(a);
			igt_reset_timeout();
		}
	}

	igt_describe("the dma-sg edu V4L2 device reads its MMAP planes through the scatterlist vb2_dma_sg_plane_desc() builds for legacy drivers: the same bytes arrive");
	igt_subtest("dma-sg-mmap-plane-desc") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "mmap-plane-desc");
		test_mmap("dma-sg", true);
		igt_reset_timeout();
	}

	igt_describe("the dma-sg edu V4L2 device reads imported udmabuf planes through the (DMA-only) scatterlist vb2_dma_sg_plane_desc() builds: the same bytes arrive");
	igt_subtest("dma-sg-udmabuf-plane-desc") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "udmabuf-plane-desc");
		test_udmabuf("dma-sg", true);
		igt_reset_timeout();
	}

	for (i = 0; i < ARRAY_SIZE(allocs); i++) {
		const char *a = allocs[i];

		igt_describe("vb2 imports dynamically: the edu V4L2 device takes p2pmem-heap buffers (the NVMe CMB) on both queues and reads and writes them byte-exact where QEMU routes the core's P2P route (else the route is checked); freed, nothing stays attached");
		igt_subtest_f("%s-p2pmem", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem");
			test_p2p(a, false);
			igt_reset_timeout();
		}

		igt_describe("the edu V4L2 device takes buffers exported from the ivshmem BAR (memory without struct page) on both queues and reads and writes them byte-exact where QEMU routes the core's P2P route (else the route is checked); freed, nothing stays attached");
		igt_subtest_f("%s-ivshmem", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "ivshmem");
			test_p2p(a, true);
			igt_reset_timeout();
		}

		igt_describe("unbinding the NVMe controller while a p2pmem-heap buffer is queued on a queue that does not stream does not wait for it; QBUF of the buffer then fails with ENODEV");
		igt_subtest_f("%s-p2pmem-revoke-queued", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-revoke-queued");
			test_p2pmem_revoke_queued(a);
			igt_reset_timeout();
		}

		igt_describe("unbinding the NVMe controller while the device reads a p2pmem-heap frame waits for the frame, which completes with V4L2_BUF_FLAG_ERROR (where QEMU cannot route it: while the buffer is imported, unmapped); QBUF of the buffer then fails with ENODEV; after a rebind the heap feeds the device again");
		igt_subtest_f("%s-p2pmem-revoke", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-revoke");
			test_p2pmem_revoke(a, 1);
			igt_reset_timeout();
		}

		igt_describe("regression test of a revoke waiting 5 s (and warning) for an OUTPUT buffer no job could take: as p2pmem-revoke, with the same buffer also queued in a second OUTPUT slot that has no CAPTURE partner; the driver gives it back with V4L2_BUF_FLAG_ERROR as the running frame ends, and the unbind takes less than the revoke's 5 s");
		igt_subtest_f("%s-p2pmem-revoke-unpaired-output", a) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-revoke-unpaired-output");
			test_p2pmem_revoke(a, 2);
			igt_reset_timeout();
		}
	}
}
