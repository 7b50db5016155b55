// SPDX-License-Identifier: GPL-2.0
/* The edu V4L2 mem2mem devices, as the tests drive them (m2m.h) */
/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "m2m.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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

#include "bufinfo.h"

#define PAGE		4096UL
#define OUT		V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE

/* The sysfs name of the edu video device with allocator @alloc, or false */
bool m2m_find(const char *alloc, char *name, size_t len)
{
	char path[PATH_MAX], buf[64], want[32];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	snprintf(want, sizeof(want), "-m2m-%s\n", alloc);
	dir = opendir("/sys/class/video4linux");
	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/video4linux/%s/name",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && !strncmp(buf, "qemu_edu", 8) &&
		    strlen(buf) > strlen(want) &&
		    !strcmp(buf + strlen(buf) - strlen(want), want)) {
			buf[strlen(buf) - 1] = 0;
			snprintf(name, len, "%s", buf);
			found = true;
		}
		fclose(f);
	}
	closedir(dir);
	return found;
}

void m2m_open(struct m2m *m, const char *alloc)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct v4l2_format f = { .type = OUT };
	struct stat st;

	wb_require_f(m2m_find(alloc, m->name, sizeof(m->name)),
		     "no edu V4L2 device with %s (qemu_edu.v4l2_memops)\n", alloc);
	m->fd = v4l2_open_by_name(m->name);
	wb_assert_sys(fstat(m->fd, &st));
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	igt_assert_f(realpath(path, real), "realpath %s: %m\n", path);
	snprintf(m->pci, sizeof(m->pci), "%s", strrchr(real, '/') + 1);
	wb_assert_sys(ioctl(m->fd, VIDIOC_G_FMT, &f));
	m->size = f.fmt.pix.sizeimage;
	/* The DMA list, unless a subtest asks for the legacy table */
	m2m_set_plane_desc(m, false);
	igt_assert_f(m->size > PAGE, "%s: a frame of %u bytes crosses no page\n",
		     m->name, m->size);
}

/*
 * The edu on another root port than the provider: the edu inside the
 * provider's switch would reach it by PCI bus address, which QEMU does
 * not route behind its vIOMMU; through the host bridge it reaches it on
 * every topology.  In the workbench that is the dma-sg device.
 */
void m2m_open_beside(struct m2m *m, const char *provider_rp)
{
	static const char *const allocs[] = { "dma-sg", "dma-contig" };
	char name[64], rp[NAME_MAX + 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allocs); i++) {
		if (!m2m_find(allocs[i], name, sizeof(name)))
			continue;
		m2m_open(m, allocs[i]);
		wb_root_port_of(m->pci, rp, sizeof(rp));
		if (strcmp(rp, provider_rp)) {
			igt_info("streaming through %s (edu %s)\n", m->name,
				 m->pci);
			return;
		}
		close(m->fd);
	}
	wb_skip("no edu V4L2 device on another root port than %s\n",
		provider_rp);
}

/* A number in the edu's debugfs directory */
unsigned long m2m_debugfs(struct m2m *m, const char *name)
{
	char path[PATH_MAX], buf[32];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/qemu_edu/%s/%s",
		 m->pci, name);
	f = fopen(path, "r");
	igt_assert_f(f, "open %s: %m\n", path);
	igt_assert(fgets(buf, sizeof(buf), f));
	fclose(f);
	return buf[0] == 'Y' ? 1 : buf[0] == 'N' ? 0 : strtoul(buf, NULL, 10);
}

/* Frames the device copied since boot */
unsigned long m2m_frames(struct m2m *m)
{
	return m2m_debugfs(m, "v4l2_frames");
}

/* Read dma-sg planes through vb2_dma_sg_plane_desc() (or the DMA list) */
void m2m_set_plane_desc(struct m2m *m, bool on)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/qemu_edu/%s/v4l2_plane_desc", m->pci);
	fd = open(path, O_WRONLY);
	igt_assert_f(fd >= 0, "open %s: %m\n", path);
	igt_assert(write(fd, on ? "1" : "0", 1) == 1);
	close(fd);
}

void m2m_reqbufs(struct m2m *m, uint32_t type, uint32_t memory,
		 uint32_t count)
{
	struct v4l2_requestbuffers rb = {
		.type = type, .memory = memory, .count = count,
	};

	wb_assert_sys(ioctl(m->fd, VIDIOC_REQBUFS, &rb));
	igt_assert_f(rb.count == count, "%s: REQBUFS gave %u buffers, want %u\n",
		     m->name, rb.count, count);
}

int m2m_qbuf_at(struct m2m *m, uint32_t type, struct m2m_frame *fr,
		unsigned int index)
{
	struct v4l2_buffer b = {
		.type = type, .memory = fr->memory, .index = index,
	};

	if (type == OUT)
		b.bytesused = m->size;
	if (fr->memory == V4L2_MEMORY_DMABUF)
		b.m.fd = fr->dmabuf;
	return ioctl(m->fd, VIDIOC_QBUF, &b) ? errno : 0;
}

int m2m_qbuf(struct m2m *m, uint32_t type, struct m2m_frame *fr)
{
	return m2m_qbuf_at(m, type, fr, 0);
}

void m2m_dqbuf(struct m2m *m, uint32_t type, uint32_t memory,
	       struct v4l2_buffer *b)
{
	struct pollfd p = { .fd = m->fd, .events = POLLIN | POLLOUT };

	igt_assert_f(poll(&p, 1, M2M_FRAME_TIMEOUT_MS) == 1,
		     "%s: no buffer done within %d ms\n", m->name,
		     M2M_FRAME_TIMEOUT_MS);
	*b = (struct v4l2_buffer){ .type = type, .memory = memory };
	wb_assert_sys(ioctl(m->fd, VIDIOC_DQBUF, b));
}

void m2m_stream(struct m2m *m, unsigned long req, uint32_t type)
{
	int t = type;

	wb_assert_sys(ioctl(m->fd, req, &t));
}

/* The bytes of frame @seed at offset @i: no two pages alike */
uint8_t m2m_pattern(size_t i, unsigned int seed)
{
	return (i * 7 + (i >> 12) * 13 + seed * 101) & 0xff;
}

/* Bracket CPU access to a dma-buf where the device's view is a copy */
static void m2m_cpu_sync(struct m2m_frame *fr, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	if (fr->dmabuf >= 0 && wb_bouncing())
		wb_assert_sys(ioctl(fr->dmabuf, DMA_BUF_IOCTL_SYNC, &sync));
}

void m2m_fill(struct m2m_frame *fr, size_t len, int byte, unsigned int seed)
{
	m2m_cpu_sync(fr, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t i = 0; i < len; i++)
		fr->map[i] = byte < 0 ? m2m_pattern(i, seed) : byte;
	m2m_cpu_sync(fr, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

void m2m_check(const char *what, struct m2m_frame *fr, size_t len,
	       unsigned int seed)
{
	m2m_cpu_sync(fr, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < len; i++)
		igt_assert_f(fr->map[i] == m2m_pattern(i, seed),
			     "%s: byte %zu is %#x, the device should have written %#x (frame %u)\n",
			     what, i, fr->map[i], m2m_pattern(i, seed), seed);
	m2m_cpu_sync(fr, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}

void m2m_mmap_frame(struct m2m *m, uint32_t type, struct m2m_frame *fr)
{
	struct v4l2_buffer b = { .type = type, .memory = V4L2_MEMORY_MMAP };

	wb_assert_sys(ioctl(m->fd, VIDIOC_QUERYBUF, &b));
	*fr = (struct m2m_frame){ .memory = V4L2_MEMORY_MMAP, .dmabuf = -1,
				  .memfd = -1, .len = b.length };
	fr->map = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED,
		       m->fd, b.m.offset);
	igt_assert_f(fr->map != MAP_FAILED, "%s: mmap: %m\n", m->name);
}

void m2m_frame_free(struct m2m_frame *fr)
{
	if (fr->map)
		munmap(fr->map, fr->len);
	if (fr->memmap)
		munmap(fr->memmap, 2 * fr->len);
	if (fr->dmabuf >= 0)
		close(fr->dmabuf);
	if (fr->memfd >= 0)
		close(fr->memfd);
	fr->map = NULL;
	fr->memmap = NULL;
	fr->dmabuf = -1;
	fr->memfd = -1;
}

/*
 * Frame 1's OUTPUT bytes are written after both buffers are queued
 * (imported), before streaming, so that no copy made at QBUF can pass.
 * Frame 2's are written before QBUF: the queues stream by then, and QBUF
 * of OUTPUT starts the copy, which would race with the CPU (seen under
 * TCG: frame 1's bytes arrived); the buffer stays imported from frame 1.
 * When bouncing, the device sees a copy made at QBUF: always before.
 */
void m2m_run_frames(struct m2m *m, struct m2m_frame *in,
		    struct m2m_frame *out, const char *what)
{
	unsigned long before = m2m_frames(m);
	struct v4l2_buffer b;
	unsigned int seed;

	for (seed = 1; seed <= 2; seed++) {
		bool fill_first = wb_bouncing() || seed > 1;

		m2m_fill(out, m->size, 0xa5, 0);
		if (fill_first)
			m2m_fill(in, m->size, -1, seed);
		igt_assert_eq(m2m_qbuf(m, CAP, out), 0);
		igt_assert_eq(m2m_qbuf(m, OUT, in), 0);
		if (!fill_first)
			m2m_fill(in, m->size, -1, seed);
		if (seed == 1) {
			m2m_stream(m, VIDIOC_STREAMON, OUT);
			m2m_stream(m, VIDIOC_STREAMON, CAP);
		}
		m2m_dqbuf(m, CAP, out->memory, &b);
		igt_assert_f(!(b.flags & V4L2_BUF_FLAG_ERROR),
			     "%s: the copy failed (see the kernel log)\n", m->name);
		igt_assert_eq_u32(b.bytesused, m->size);
		m2m_dqbuf(m, OUT, in->memory, &b);
		m2m_check(what, out, m->size, seed);
	}
	m2m_stream(m, VIDIOC_STREAMOFF, CAP);
	m2m_stream(m, VIDIOC_STREAMOFF, OUT);
	igt_assert_f(m2m_frames(m) - before == 2,
		     "%s: the device counted %lu frames, want 2\n", m->name,
		     m2m_frames(m) - before);
}

/*
 * The route the dma-buf core took for P2P buffer @fr, queued (so
 * mapped) on @m's OUTPUT queue: P2P memory either way (debugfs bufinfo);
 * returns whether the edu's DMA can follow it.  QEMU routes no
 * bus-address DMA inside a switch behind its vIOMMU (on real hardware
 * the right answer; here it would fault), so there only the mapping is
 * checked.
 */
bool m2m_p2p_route_runs(struct m2m *m, struct m2m_frame *fr)
{
	struct wb_route r = wb_bufinfo_route(fr->dmabuf, m->pci);

	igt_assert_f(r.attached && r.mappings == 1,
		     "%s: bufinfo shows no mapping of the queued P2P buffer\n",
		     m->name);
	igt_assert_f(r.bus + r.host_bridge > 0,
		     "%s: the buffer was not mapped as P2P memory\n",
		     m->name);
	igt_info("%s: P2P buffer reached by %s\n", m->name,
		 r.bus ? "PCI bus address" : "the host bridge");
	if (r.bus && wb_iommu_present()) {
		igt_info("QEMU does not route bus-address DMA inside a switch behind its vIOMMU: mapping checked, no DMA\n");
		return false;
	}
	return true;
}

/* Frames of @width x @height of the current pixel format from now on */
void m2m_set_size(struct m2m *m, uint32_t width, uint32_t height)
{
	struct v4l2_format f = { .type = OUT };

	wb_assert_sys(ioctl(m->fd, VIDIOC_G_FMT, &f));
	f.fmt.pix.width = width;
	f.fmt.pix.height = height;
	wb_assert_sys(ioctl(m->fd, VIDIOC_S_FMT, &f));
	igt_assert_eq_u32(f.fmt.pix.width, width);
	igt_assert_eq_u32(f.fmt.pix.height, height);
	m->size = f.fmt.pix.sizeimage;
}
