// SPDX-License-Identifier: GPL-2.0
/*
 * Buffers from the exporters the zero-copy tests share; see exporters.h.
 */
#define _GNU_SOURCE
#include "igt.h"
#include "igt_vgem.h"

#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>
#include <misc/qemu_edu_shm.h>

#include "devices.h"
#include "exporters.h"

#define PAGE	4096UL

void wb_buf_sync(const struct wb_buf *b, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	wb_assert_sys(ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &s));
}

void wb_buf_map(struct wb_buf *b)
{
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->fd, 0);
	igt_assert_f(b->map != MAP_FAILED, "mmap %s dma-buf: %m\n", b->what);
}

void wb_udmabuf_alloc(struct wb_buf *b, size_t size, bool huge)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	unsigned int flags = MFD_ALLOW_SEALING;
	int dev;

	if (huge)
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
	b->memfd = memfd_create("wb-udmabuf", flags);
	igt_assert_f(b->memfd >= 0, "memfd_create%s: %m\n", huge ? " (hugetlb 2M)" : "");
	wb_assert_sys(ftruncate(b->memfd, size));
	wb_assert_sys(fcntl(b->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	b->size = size;
	b->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->memfd, 0);
	igt_assert_f(b->map != MAP_FAILED, "mmap memfd: %m\n");
	/* Populate now: hugetlb reservation failures show here, not as SIGBUS */
	memset(b->map, 0, size);

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	igt_assert_f(dev >= 0, "open /dev/udmabuf: %m\n");
	c.memfd = b->memfd;
	c.size = size;
	b->fd = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	igt_assert_f(b->fd >= 0, "UDMABUF_CREATE: %m\n");
}

void wb_heap_alloc(struct wb_buf *b, const char *heap, size_t size)
{
	struct dma_heap_allocation_data a = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int h = open(heap, O_RDONLY | O_CLOEXEC);

	igt_assert_f(h >= 0, "open %s: %m\n", heap);
	igt_assert_f(!ioctl(h, DMA_HEAP_IOCTL_ALLOC, &a), "alloc %zu from %s: %m\n",
		     size, heap);
	close(h);
	b->fd = a.fd;
	b->size = size;
	b->memfd = -1;
	wb_buf_map(b);
}

const char *wb_heap_node(const char *pattern)
{
	static char node[PATH_MAX];
	glob_t g;
	bool found;

	if (glob(pattern, 0, NULL, &g))
		return NULL;
	found = g.gl_pathc > 0;
	if (found)
		snprintf(node, sizeof(node), "%s", g.gl_pathv[0]);
	globfree(&g);
	return found ? node : NULL;
}

/* The BAR's window, exported by the qemu_edu_shm driver, CPU-mapped */
void wb_shm_export(struct wb_buf *b, uint64_t off, uint64_t len)
{
	struct qemu_edu_shm_export x = {
		.offset = off, .length = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int dev = open("/dev/qemu_edu_shm0", O_RDWR | O_CLOEXEC);

	if (dev < 0)
		wb_skip("no ivshmem BAR exporter (/dev/qemu_edu_shm0): %m\n");
	igt_assert_f(!ioctl(dev, QEMU_EDU_SHM_IOC_EXPORT, &x),
		     "QEMU_EDU_SHM_IOC_EXPORT: %m\n");
	close(dev);
	b->fd = x.fd;
	b->size = len;
	b->memfd = -1;
	b->p2p = true;
	wb_buf_map(b);
}

/* Shmem pages, mapped write-combined; the dma-buf holds the object. */
void wb_vgem_alloc(struct wb_buf *b, size_t size)
{
	struct vgem_bo bo = { .width = PAGE / 4, .bpp = 32 };
	int drm = wb_drm_open(DRIVER_VGEM);

	bo.height = size / PAGE;
	vgem_create(drm, &bo);
	igt_assert_eq_u64(bo.size, size);
	b->fd = prime_handle_to_fd_for_mmap(drm, bo.handle);
	igt_assert_f(b->fd >= 0, "PRIME export of a vgem object: %m\n");
	close(drm);
	b->size = size;
	b->memfd = -1;
	wb_buf_map(b);
}

void wb_vkms_dumb_alloc(struct wb_buf *b, size_t size)
{
	int drm = wb_drm_open(DRIVER_VKMS);
	uint32_t handle, stride;
	uint64_t bo_size;

	handle = kmstest_dumb_create(drm, PAGE / 4, size / PAGE, 32, &stride,
				     &bo_size);
	igt_assert_eq_u64(bo_size, size);
	b->fd = prime_handle_to_fd_for_mmap(drm, handle);
	igt_assert_f(b->fd >= 0, "PRIME export of a vkms dumb buffer: %m\n");
	/* The dma-buf holds the object */
	gem_close(drm, handle);
	close(drm);
	b->size = size;
	b->memfd = -1;
	wb_buf_map(b);
}

void wb_buf_free(struct wb_buf *b)
{
	munmap(b->map, b->size);
	close(b->fd);
	if (b->memfd >= 0)
		close(b->memfd);
}
