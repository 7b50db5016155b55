// SPDX-License-Identifier: GPL-2.0
/*
 * edu-dmabuf: the edu NIC stand-in imports dma-bufs of every exporter.
 *
 * Subtests are named EXPORTER-API: a buffer from the exporter's user-space
 * interface is filled by the CPU, each edu (the one behind the PCIe switch
 * next to the NVMe CMB and the ivshmem BAR, and the one on its own root
 * port) attaches to it through /dev/qemu_eduN, maps it with the range-list
 * API ("list") or the legacy sg_table API ("sgt") and
 *  - reads a window of it through the device: the checksums of the bytes
 *    that went through the device must match the CPU's, range by range,
 *    and the ranges must tile the window;
 *  - writes a pattern into the window: the CPU must see it there, and the
 *    bytes around the window must be untouched.
 * Through the sg_table API the CPU side of the table is checked as well,
 * the side in-tree legacy importers walk with for_each_sgtable_page():
 * memory with struct pages (udmabuf, system and CMA heaps) must come with
 * page entries through which the driver reads the bytes the CPU wrote
 * (the same the device read); P2P memory must come DMA-only (ENXIO).
 * Peer-to-peer memory: the route the core took (bus address inside the
 * switch, host bridge otherwise) is read from debugfs bufinfo and must be
 * the one pci_p2pdma gives for the edu's place; an importer that refuses
 * P2P must get -EREMOTEIO with nothing mapped.
 * Exporters whose device writes: edu-m2m-ALLOC-API takes the CAPTURE
 * buffer of the edu's V4L2 mem2mem device (lib/m2m-export.h), and
 * vkms-writeback-API vkms's writeback framebuffer (lib/writeback.h),
 * vivid-capture-ALLOC-API a streaming vivid capture buffer (lib/
 * camera-export.h; vivid captures the next frame into it).
 * The exporter's device writes frame A, both edus (the m2m device's own
 * among them) attach, map and read A by DMA; the device writes frame B
 * with no call into the edu files, and each edu's next read through the
 * same mapping must be B.  The bad-* subtests feed
 * every ioctl bad input and check the errno and that the device neither
 * holds a mapping nor moved a byte.
 */
#define _GNU_SOURCE
#include "igt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <misc/qemu_edu.h>
#include <sys/wait.h>

#include "lib/bufinfo.h"
#include "lib/camera-export.h"
#include "lib/devices.h"
#include "lib/exporters.h"
#include "lib/m2m-export.h"
#include "lib/writeback.h"

#define PAGE		4096UL
#define DEBUGFS		"/sys/kernel/debug"

/* A call returning an errno (0 on success) must return @want */
#define EXPECT_ERR(call, want) do { \
	int __e = (call); \
	igt_assert_f(__e == (want), "%s: got %s, want %s\n", #call, \
		     __e ? strerror(__e) : "success", strerror(want)); \
} while (0)

/* ---------------------------------------------------------------- edu */

struct edu {
	char node[64];		/* /dev/qemu_eduN */
	char pci[32];		/* 0000:04:00.0 */
	bool behind_switch;	/* next to the NVMe CMB and the ivshmem BAR */
};

/* "0000:00:02.0" for /sys/devices/pci0000:00/0000:00:02.0/... */
static void root_port_of(const char *sysdev, char *out, size_t len)
{
	char real[PATH_MAX], *p, *q;

	igt_assert_f(realpath(sysdev, real), "realpath %s: %m\n", sysdev);
	p = strchr(real + strlen("/sys/devices/"), '/');
	igt_assert(p);
	q = strchr(p + 1, '/');
	if (q)
		*q = 0;
	snprintf(out, len, "%s", p + 1);
}

static bool read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = 0;
	return true;
}

/* The root port of the first PCI function VENDOR:DEVICE, or "" */
static void root_port_of_pci(const char *vendor, const char *device,
			     char *out, size_t len)
{
	glob_t g;

	out[0] = 0;
	if (glob("/sys/bus/pci/devices/*", 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char p[PATH_MAX], v[16], d[16];

		snprintf(p, sizeof(p), "%s/vendor", g.gl_pathv[i]);
		if (!read_file(p, v, sizeof(v)) || strncmp(v, vendor, 6))
			continue;
		snprintf(p, sizeof(p), "%s/device", g.gl_pathv[i]);
		if (!read_file(p, d, sizeof(d)) || strncmp(d, device, 6))
			continue;
		root_port_of(g.gl_pathv[i], out, len);
		break;
	}
	globfree(&g);
}

/* Both edus, the one behind the switch first. */
static int find_edus(struct edu *edus)
{
	char nvme_rp[64];
	glob_t g;
	int n = 0;

	root_port_of_pci("0x1b36", "0x0010", nvme_rp, sizeof(nvme_rp));
	if (glob("/dev/qemu_edu[0-9]*", 0, NULL, &g))
		wb_skip("no /dev/qemu_edu* node\n");
	for (size_t i = 0; i < g.gl_pathc && n < 2; i++) {
		char sys[PATH_MAX], real[PATH_MAX], rp[64];
		const char *name = g.gl_pathv[i] + strlen("/dev/");
		struct edu *e = &edus[n++];

		snprintf(e->node, sizeof(e->node), "%s", g.gl_pathv[i]);
		snprintf(sys, sizeof(sys), "/sys/class/misc/%s/device", name);
		igt_assert_f(realpath(sys, real), "%s: %m\n", sys);
		snprintf(e->pci, sizeof(e->pci), "%s", strrchr(real, '/') + 1);
		root_port_of(sys, rp, sizeof(rp));
		e->behind_switch = nvme_rp[0] && !strcmp(rp, nvme_rp);
	}
	globfree(&g);
	igt_assert_f(n == 2, "want two edu nodes, found %d\n", n);
	if (!edus[0].behind_switch) {
		struct edu t = edus[0];

		edus[0] = edus[1];
		edus[1] = t;
	}
	igt_assert_f(edus[0].behind_switch && !edus[1].behind_switch,
		     "want one edu behind the switch and one on a root port\n");
	return n;
}

static unsigned long edu_debugfs(const struct edu *e, const char *file)
{
	char p[PATH_MAX], buf[64];

	snprintf(p, sizeof(p), DEBUGFS "/qemu_edu/%s/%s", e->pci, file);
	igt_assert_f(read_file(p, buf, sizeof(buf)), "%s: %m\n", p);
	return strtoul(buf, NULL, 0);
}

/* The device holds no attachment and no mapping of any dma-buf. */
static void assert_edu_idle(const struct edu *e)
{
	unsigned long a = edu_debugfs(e, "dmabuf_attachments");
	unsigned long m = edu_debugfs(e, "dmabuf_mappings");

	igt_assert_f(!a && !m, "edu %s still holds %lu attachments, %lu mappings\n",
		     e->pci, a, m);
}

/*
 * The edu files a subtest has open.  IGT runs every subtest in one
 * process: one that fails leaves by a jump with its files still open,
 * and their attachments would fail the next subtest's idle checks.  So
 * each subtest starts by closing what a failed one left.
 */
static int edu_fds[8];
static unsigned int edu_nfds;

static int edu_open(const struct edu *e)
{
	int fd = open(e->node, O_RDWR | O_CLOEXEC);

	igt_assert_f(fd >= 0, "open %s: %m\n", e->node);
	igt_assert(edu_nfds < ARRAY_SIZE(edu_fds));
	edu_fds[edu_nfds++] = fd;
	return fd;
}

static void edu_close(int fd)
{
	for (unsigned int i = 0; i < edu_nfds; i++) {
		if (edu_fds[i] == fd) {
			edu_fds[i] = edu_fds[--edu_nfds];
			break;
		}
	}
	close(fd);
}

static void edu_close_leftovers(void)
{
	while (edu_nfds)
		close(edu_fds[--edu_nfds]);
}

/* ioctl's errno, 0 on success */
static int edu_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

/* ------------------------------------------------------------ buffers */

/* ------------------------------------------------------- checksums */

/* The device's WRITE pattern, byte @pos of the window */
static uint8_t edu_pattern(uint64_t pos, uint8_t seed)
{
	return (uint8_t)(pos * 7 + (pos >> 8) + seed);
}

/* A CPU pattern different in every subtest run */
static void cpu_fill(struct wb_buf *b, unsigned int seed)
{
	srandom(seed);
	wb_buf_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t i = 0; i < b->size; i += 4) {
		uint32_t r = random();

		memcpy(b->map + i, &r, b->size - i < 4 ? b->size - i : 4);
	}
	wb_buf_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/* ---------------------------------------------------------- bufinfo */

/* The core's view (debugfs bufinfo) of @e's attachment to @b. */
static struct wb_route bufinfo_route(const struct wb_buf *b, const struct edu *e)
{
	return wb_bufinfo_route(b->fd, e->pci);
}

/* ----------------------------------------------------------- the cases */

static int edu_attach(int fd, const struct wb_buf *b, uint64_t off, uint64_t len,
		      uint32_t dir, uint32_t api, uint32_t flags,
		      struct qemu_edu_attach *a)
{
	*a = (struct qemu_edu_attach){
		.fd = b->fd, .flags = flags, .offset = off, .length = len,
		.dir = dir, .api = api,
	};
	return edu_ioctl(fd, QEMU_EDU_IOC_ATTACH, a);
}

/*
 * Will the device's DMA reach @b?  QEMU has no peer-to-peer routing in a
 * switch: behind its vIOMMU every request of the device is translated, so
 * a bus address (the right answer on real hardware) would fault.
 */
static bool dma_emulated(const struct wb_buf *b, const struct edu *e)
{
	return !(b->p2p && e->behind_switch && wb_iommu_present());
}

/*
 * Every exporter here hands the core a range list, which the core maps
 * for the edu itself ("list", or "sgt<-list" for the sg_table API); a
 * mapping made from an exporter's sg_table ("list<-sgt") means the
 * exporter fell back to the legacy path.  The route the core took must
 * be pci_p2pdma's for this edu's place.
 */
static void check_route(const struct wb_buf *b, const struct edu *e)
{
	struct wb_route r = bufinfo_route(b, e);

	igt_assert_f(r.attached, "bufinfo shows edu %s not attached to %s\n",
		     e->pci, b->what);
	igt_assert_f(r.mappings > 0 && r.from_list == r.mappings,
		     "edu %s: %d of %d mappings of %s made from a range list; the exporter should give one\n",
		     e->pci, r.from_list, r.mappings, b->what);
	if (!b->p2p) {
		igt_assert_f(!r.bus && !r.host_bridge,
			     "%s is RAM, bufinfo shows P2P ranges\n", b->what);
		return;
	}
	igt_assert_f(r.mappings > 0, "bufinfo shows no mapping of %s for edu %s\n",
		     b->what, e->pci);
	igt_info("edu %s: %s mapped with %lu bus-address and %lu host-bridge ranges\n",
		 e->pci, b->what, r.bus, r.host_bridge);
	if (e->behind_switch)
		igt_assert_f(r.bus > 0 && !r.host_bridge,
			     "edu in the provider's switch: want bus addresses\n");
	else
		igt_assert_f(r.host_bridge > 0 && !r.bus,
			     "edu on its own root port: want the host bridge\n");
}

static int page_checksum(int fd, uint64_t off, uint64_t len,
			 struct qemu_edu_page_checksum *p)
{
	*p = (struct qemu_edu_page_checksum){ .offset = off, .length = len };
	return edu_ioctl(fd, QEMU_EDU_IOC_PAGE_CHECKSUM, p);
}

/* 4 KiB pages holding some of [off, off + len) */
static uint32_t pages_spanned(uint64_t off, uint64_t len)
{
	return (off + len + PAGE - 1) / PAGE - off / PAGE;
}

/*
 * The CPU side of @fd's mapping of @b: the window [off, off + len) and
 * the whole buffer read through the table's pages must be the bytes the
 * CPU wrote.  Returns the window's crc, for the device's to match.
 */
static uint32_t page_case(int fd, const struct wb_buf *b, const struct edu *e,
			  uint32_t api, uint64_t off, uint64_t len)
{
	struct qemu_edu_page_checksum p;
	int err;

	err = page_checksum(fd, off, len, &p);
	if (api == QEMU_EDU_API_LIST) {
		igt_assert_f(err == EINVAL, "PAGE_CHECKSUM of a list mapping: got %s, want %s\n",
			     err ? strerror(err) : "success", strerror(EINVAL));
		return 0;
	}
	if (b->p2p) {
		/* No struct page for the CPU to use: a DMA-only table */
		igt_assert_f(err == ENXIO,
			     "PAGE_CHECKSUM of %s, edu %s: got %s, want %s (a DMA-only table)\n",
			     b->what, e->pci, err ? strerror(err) : "success",
			     strerror(ENXIO));
		return 0;
	}
	igt_assert_f(!err, "PAGE_CHECKSUM of %s, edu %s: %s (no CPU side for a legacy importer)\n",
		     b->what, e->pci, strerror(err));
	igt_info("edu %s: %s sg_table has %u page entries, %u DMA entries\n",
		 e->pci, b->what, p.orig_nents, p.nents);
	igt_assert(p.orig_nents >= 1 && p.nents >= 1);
	igt_assert_f(p.crc == crc32_le(~0u, b->map + off, len),
		     "%s: the window read through the table's pages is not what the CPU wrote\n",
		     b->what);
	igt_assert_eq_u64(p.pages, pages_spanned(off, len));

	err = page_checksum(fd, 0, b->size, &p);
	igt_assert_f(!err, "PAGE_CHECKSUM of all of %s: %s\n", b->what,
		     strerror(err));
	igt_assert_f(p.crc == crc32_le(~0u, b->map, b->size),
		     "%s: the buffer read through the table's pages is not what the CPU wrote\n",
		     b->what);
	igt_assert_eq_u64(p.pages, b->size / PAGE);
	/* The same again: the walk left the table as it found it */
	EXPECT_ERR(page_checksum(fd, off, len, &p), 0);
	igt_assert_eq_u64(p.crc, crc32_le(~0u, b->map + off, len));
	return p.crc;
}

/* The device reads [off, off + len): per-range and total checksums. */
static void checksum_case(const struct wb_buf *b, const struct edu *e,
			  uint32_t api, uint64_t off, uint64_t len)
{
	struct qemu_edu_range ranges[64];
	struct qemu_edu_checksum c = {
		.ranges = (uintptr_t)ranges,
		.nr_ranges = ARRAY_SIZE(ranges),
	};
	struct qemu_edu_attach a;
	uint64_t pos = 0;
	uint32_t page_crc;
	int fd = edu_open(e), err;

	err = edu_attach(fd, b, off, len, QEMU_EDU_DIR_TO_DEVICE, api, 0, &a);
	igt_assert_f(!err, "ATTACH %s to edu %s: %s\n", b->what, e->pci,
		     strerror(err));
	igt_info("edu %s (%s): %s mapped in %u DMA ranges, %u in the window\n",
		 e->pci, e->behind_switch ? "switch" : "root port", b->what,
		 a.nr_ranges, a.win_ranges);
	igt_assert(a.win_ranges >= 1 && a.win_ranges <= a.nr_ranges);
	igt_assert_eq_u64(edu_debugfs(e, "dmabuf_mappings"), 1);
	check_route(b, e);
	page_crc = page_case(fd, b, e, api, off, len);
	if (!dma_emulated(b, e)) {
		igt_info("QEMU does not route bus-address DMA inside a switch behind its vIOMMU: mapping checked, no DMA\n");
		edu_close(fd);
		assert_edu_idle(e);
		return;
	}

	err = edu_ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c);
	igt_assert_f(!err, "CHECKSUM: %s\n", strerror(err));
	igt_assert_eq_u64(c.bytes, len);
	igt_assert_eq_u64(c.nr_ranges, a.win_ranges);
	igt_assert_eq_u64(c.crc, crc32_le(~0u, b->map + off, len));
	if (api == QEMU_EDU_API_SGT && !b->p2p)
		igt_assert_f(c.crc == page_crc,
			     "the device and the table's pages see different bytes\n");
	for (uint32_t i = 0; i < c.nr_ranges; i++) {
		const struct qemu_edu_range *r = &ranges[i];

		igt_assert_f(r->offset == pos && r->length &&
			     r->offset + r->length <= len,
			     "range %u at %llu+%llu does not follow %llu\n", i,
			     (unsigned long long)r->offset,
			     (unsigned long long)r->length,
			     (unsigned long long)pos);
		igt_assert_f(r->crc == crc32_le(~0u, b->map + off + r->offset,
						r->length),
			     "range %u (%llu+%llu): the device read other bytes\n",
			     i, (unsigned long long)r->offset,
			     (unsigned long long)r->length);
		pos += r->length;
	}
	igt_assert_eq_u64(pos, len);

	wb_assert_sys(ioctl(fd, QEMU_EDU_IOC_DETACH));
	assert_edu_idle(e);
	edu_close(fd);
}

/* The device writes a pattern into [off, off + len); the CPU must see it. */
static void write_case(const struct wb_buf *b, const struct edu *e, uint32_t api,
		       uint64_t off, uint64_t len, uint8_t seed)
{
	struct qemu_edu_write w = { .seed = seed };
	struct qemu_edu_attach a;
	uint8_t *before = malloc(b->size);
	int fd = edu_open(e), err;

	igt_assert(before);
	wb_buf_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	memcpy(before, b->map, b->size);
	wb_buf_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	err = edu_attach(fd, b, off, len, QEMU_EDU_DIR_FROM_DEVICE, api, 0, &a);
	igt_assert_f(!err, "ATTACH %s to edu %s: %s\n", b->what, e->pci,
		     strerror(err));
	check_route(b, e);
	if (!dma_emulated(b, e)) {
		edu_close(fd);
		assert_edu_idle(e);
		free(before);
		return;
	}
	err = edu_ioctl(fd, QEMU_EDU_IOC_WRITE, &w);
	igt_assert_f(!err, "WRITE: %s\n", strerror(err));
	igt_assert_eq_u64(w.bytes, len);
	wb_assert_sys(ioctl(fd, QEMU_EDU_IOC_DETACH));
	assert_edu_idle(e);
	edu_close(fd);

	wb_buf_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (uint64_t i = 0; i < b->size; i++) {
		uint8_t want = i >= off && i < off + len ?
			       edu_pattern(i - off, seed) : before[i];

		igt_assert_f(b->map[i] == want,
			     "byte %llu: CPU sees %#x, want %#x (%s)\n",
			     (unsigned long long)i, b->map[i], want,
			     i >= off && i < off + len ? "device wrote it" :
			     "outside the window");
	}
	wb_buf_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	free(before);
}

/*
 * Read and write a window across a range boundary @boundary of @b on both
 * edus, through @api.  Windows are a few pages: each transfer of the
 * device takes ~100 ms.
 */
static void exercise(struct wb_buf *b, uint32_t api, uint64_t boundary)
{
	struct edu edus[2];
	uint64_t off = boundary - PAGE - 0x123, len = 2 * PAGE + 0x246;

	find_edus(edus);
	cpu_fill(b, getpid());
	for (int i = 0; i < 2; i++) {
		assert_edu_idle(&edus[i]);
		checksum_case(b, &edus[i], api, off, len);
		write_case(b, &edus[i], api, off + 0x10, len - 0x20,
			   0x30 + i);
	}
	wb_buf_free(b);
}

static void udmabuf_4k(uint32_t api)
{
	struct wb_buf b = { .what = "udmabuf (4K memfd)" };

	/* Shmem pages: scattered, each its own range without an IOMMU */
	wb_udmabuf_alloc(&b, 16 * PAGE, false);
	exercise(&b, api, 8 * PAGE);
}

static void udmabuf_2m(uint32_t api)
{
	struct wb_buf b = { .what = "udmabuf (2M hugetlb memfd)" };

	/* Two 2 MiB folios; the window crosses from one into the other */
	wb_udmabuf_alloc(&b, 2 * SZ_2M, true);
	exercise(&b, api, SZ_2M);
}

static void system_heap(uint32_t api)
{
	struct wb_buf b = { .what = "system heap" };

	/*
	 * 64 KiB + 3 pages: an order-4 chunk followed by order-0 pages, the
	 * window across the seam.  Not order 8: swiotlb=force (topology
	 * bounce) cannot bounce a 1 MiB segment of a legacy sg_table.
	 */
	wb_heap_alloc(&b, "/dev/dma_heap/system", 64 * 1024 + 3 * PAGE);
	exercise(&b, api, 64 * 1024);
}

static void cma_heap(uint32_t api)
{
	struct wb_buf b = { .what = "cma heap" };
	const char *node = wb_heap_node("/dev/dma_heap/reserved");

	if (!node)
		node = wb_heap_node("/dev/dma_heap/linux,cma");
	if (!node)
		wb_skip("no CMA heap in /dev/dma_heap\n");
	wb_heap_alloc(&b, node, 64 * 1024);
	exercise(&b, api, 32 * 1024);
}

static void vgem(uint32_t api)
{
	struct wb_buf b = { .what = "vgem object" };

	wb_vgem_alloc(&b, 16 * PAGE);
	exercise(&b, api, 8 * PAGE);
}

static void vkms_dumb(uint32_t api)
{
	struct wb_buf b = { .what = "vkms dumb buffer" };

	wb_vkms_dumb_alloc(&b, 16 * PAGE);
	exercise(&b, api, 8 * PAGE);
}

static void p2pmem_heap(uint32_t api)
{
	struct wb_buf b = { .what = "p2pmem heap (NVMe CMB)", .p2p = true };
	const char *node = wb_heap_node("/dev/dma_heap/p2pmem-*");

	if (!node)
		wb_skip("no /dev/dma_heap/p2pmem-* node\n");
	wb_heap_alloc(&b, node, 64 * 1024);
	exercise(&b, api, 32 * 1024);
}

/* An importer that refuses P2P gets -EREMOTEIO, and nothing is mapped. */
static void no_p2p(struct wb_buf *bp)
{
	struct wb_buf b = *bp;
	struct qemu_edu_attach a;
	struct edu edus[2];

	find_edus(edus);
	for (int i = 0; i < 2; i++) {
		for (uint32_t api = QEMU_EDU_API_LIST; api <= QEMU_EDU_API_SGT; api++) {
			int fd = edu_open(&edus[i]);
			int err = edu_attach(fd, &b, 0, PAGE, QEMU_EDU_DIR_TO_DEVICE,
					     api, QEMU_EDU_ATTACH_NO_P2P, &a);
			struct wb_route r = bufinfo_route(&b, &edus[i]);

			igt_assert_f(err == EREMOTEIO, "edu %s api %u: want EREMOTEIO, got %s\n",
				     edus[i].pci, api, strerror(err));
			igt_assert_f(!r.attached, "edu %s still attached after the refusal\n",
				     edus[i].pci);
			assert_edu_idle(&edus[i]);
			/* The same file then attaches with P2P allowed */
			err = edu_attach(fd, &b, 0, PAGE, QEMU_EDU_DIR_TO_DEVICE,
					 api, 0, &a);
			igt_assert_f(!err, "ATTACH with P2P after the refusal: %s\n",
				     strerror(err));
			edu_close(fd);
			assert_edu_idle(&edus[i]);
		}
	}
	wb_buf_free(&b);
}

static void p2pmem_heap_no_p2p(void)
{
	struct wb_buf b = { .what = "p2pmem heap (NVMe CMB)", .p2p = true };
	const char *node = wb_heap_node("/dev/dma_heap/p2pmem-*");

	if (!node)
		wb_skip("no /dev/dma_heap/p2pmem-* node\n");
	wb_heap_alloc(&b, node, 64 * 1024);
	no_p2p(&b);
}

/* ------------------------------------------------- ivshmem BAR */

#define SHM_DRIVER	"/sys/bus/pci/drivers/qemu_edu_shm"

/* The PCI name of the ivshmem device */
static void shm_pci(char *out, size_t len)
{
	char rp[64];
	glob_t g;

	out[0] = 0;
	root_port_of_pci("0x1af4", "0x1110", rp, sizeof(rp));
	igt_assert_f(rp[0], "no ivshmem device\n");
	igt_assert(!glob("/sys/bus/pci/devices/*", 0, NULL, &g));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char p[PATH_MAX], v[16], d[16];

		snprintf(p, sizeof(p), "%s/vendor", g.gl_pathv[i]);
		if (!read_file(p, v, sizeof(v)) || strncmp(v, "0x1af4", 6))
			continue;
		snprintf(p, sizeof(p), "%s/device", g.gl_pathv[i]);
		if (read_file(p, d, sizeof(d)) && !strncmp(d, "0x1110", 6)) {
			snprintf(out, len, "%s", strrchr(g.gl_pathv[i], '/') + 1);
			break;
		}
	}
	globfree(&g);
}

static void ivshmem_bar(uint32_t api)
{
	struct wb_buf b = { .what = "ivshmem BAR (no struct page)" };

	/* Not at the start of the BAR: the offset must reach the device */
	wb_shm_export(&b, 1UL << 20, 64 * 1024);
	exercise(&b, api, 32 * 1024);
}

static void ivshmem_bar_no_p2p(void)
{
	struct wb_buf b = { .what = "ivshmem BAR (no struct page)" };

	wb_shm_export(&b, 0, 64 * 1024);
	no_p2p(&b);
}

static void shm_bind(const char *what, const char *pci)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), SHM_DRIVER "/%s", what);
	fd = open(p, O_WRONLY);
	igt_assert_f(fd >= 0, "open %s: %m\n", p);
	igt_assert_f(write(fd, pci, strlen(pci)) == (ssize_t)strlen(pci),
		     "%s %s: %m\n", what, pci);
	close(fd);
}

/*
 * After the unbind: the importer was told and unmapped, the next use of
 * the mapping fails with ENODEV without a transfer, a new attachment is
 * refused, and detaching leaves nothing behind.
 */
static void revoked_checks(const struct edu *e, int fd, const struct wb_buf *b)
{
	struct qemu_edu_range r[8];
	struct qemu_edu_checksum c = { .ranges = (uintptr_t)r, .nr_ranges = 8 };
	unsigned long xfers = edu_debugfs(e, "transfers");
	struct qemu_edu_attach a;
	int fd2;

	igt_assert_f(edu_debugfs(e, "dmabuf_mappings") == 0,
		     "edu still holds its mapping after the revoke\n");
	igt_assert_eq_u64(edu_debugfs(e, "dmabuf_attachments"), 1);
	EXPECT_ERR(edu_ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c), ENODEV);
	igt_assert_f(edu_debugfs(e, "transfers") == xfers,
		     "the device transferred from a revoked buffer\n");
	igt_assert_eq_u64(edu_debugfs(e, "dmabuf_mappings"), 0);
	EXPECT_ERR(edu_ioctl(fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	assert_edu_idle(e);

	fd2 = edu_open(e);
	EXPECT_ERR(edu_attach(fd2, b, 0, PAGE, QEMU_EDU_DIR_TO_DEVICE,
			      QEMU_EDU_API_LIST, 0, &a), ENODEV);
	edu_close(fd2);
	assert_edu_idle(e);
}

/*
 * The sg_table mapping of the other edu was dropped too: PAGE_CHECKSUM
 * cannot map it again (ENODEV), and the detach leaves nothing behind.
 */
static void revoked_sgt_checks(const struct edu *e, int fd)
{
	struct qemu_edu_page_checksum p;

	igt_assert_f(edu_debugfs(e, "dmabuf_mappings") == 0,
		     "edu %s still holds its sg_table mapping after the revoke\n",
		     e->pci);
	EXPECT_ERR(page_checksum(fd, 0, PAGE, &p), ENODEV);
	igt_assert_eq_u64(edu_debugfs(e, "dmabuf_mappings"), 0);
	EXPECT_ERR(edu_ioctl(fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	assert_edu_idle(e);
}

static void ivshmem_bar_revoke(void)
{
	struct wb_buf b = { .what = "ivshmem BAR (no struct page)" };
	struct qemu_edu_range r[8];
	struct qemu_edu_checksum c = { .ranges = (uintptr_t)r, .nr_ranges = 8 };
	struct qemu_edu_page_checksum p;
	struct qemu_edu_attach a;
	struct edu edus[2];
	const struct edu *e;
	char pci[32];
	int fd, fd_sgt, status;

	find_edus(edus);
	/* The edu on the root port: its DMA reaches the BAR on every topology */
	e = &edus[1];
	shm_pci(pci, sizeof(pci));
	wb_shm_export(&b, 0, 16 * 1024);
	cpu_fill(&b, getpid());

	fd = edu_open(e);
	EXPECT_ERR(edu_attach(fd, &b, PAGE, 2 * PAGE, QEMU_EDU_DIR_TO_DEVICE,
			      QEMU_EDU_API_LIST, 0, &a), 0);
	EXPECT_ERR(edu_ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c), 0);
	igt_assert_eq_u64(c.crc, crc32_le(~0u, b.map + PAGE, 2 * PAGE));
	/* The other edu maps it through the sg_table API (no DMA) */
	fd_sgt = edu_open(&edus[0]);
	EXPECT_ERR(edu_attach(fd_sgt, &b, 0, PAGE, QEMU_EDU_DIR_TO_DEVICE,
			      QEMU_EDU_API_SGT, 0, &a), 0);
	EXPECT_ERR(page_checksum(fd_sgt, 0, PAGE, &p), ENXIO);
	igt_assert_eq_u64(edu_debugfs(&edus[0], "dmabuf_mappings"), 1);
	/* The CPU mapping is zapped by the revoke; drop it first */
	munmap(b.map, b.size);
	b.map = NULL;

	igt_info("unbinding %s from qemu_edu_shm\n", pci);
	shm_bind("unbind", pci);
	/* Checked in a child, so that the device is bound again whatever happens */
	igt_fork(child, 1) {
		revoked_checks(e, fd, &b);
		revoked_sgt_checks(&edus[0], fd_sgt);
	}
	/* A child's failure is reported once the device is bound again */
	status = __igt_waitchildren();
	shm_bind("bind", pci);
	igt_assert_f(status == 0, "checks after the revoke failed (%d)\n", status);
	edu_close(fd);
	edu_close(fd_sgt);
	close(b.fd);
	assert_edu_idle(e);
	assert_edu_idle(&edus[0]);
	igt_assert_f(!access("/dev/qemu_edu_shm0", F_OK),
		     "/dev/qemu_edu_shm0 is not back after the rebind\n");
}

/* ------------------------------------ the edu V4L2 device as exporter */

/*
 * The edu V4L2 mem2mem device's CAPTURE buffer, exported, imported by
 * both edus (the exporter's own edu among them: its DMA engine reads
 * through the import what its V4L2 side wrote).  A GREY 128x64 frame:
 * two pages, whose ranges the checksums must tile.
 */
#define M2M_W	128
#define M2M_H	64

/*
 * @e's CHECKSUM of its window (@len bytes), attached on @fd, must be of
 * @want, the bytes the exporter's device wrote there
 */
static void m2m_device_reads(int fd, const struct wb_buf *b,
			     const struct edu *e, const uint8_t *want,
			     size_t len, const char *when)
{
	struct qemu_edu_range ranges[16];
	struct qemu_edu_checksum c = {
		.ranges = (uintptr_t)ranges,
		.nr_ranges = ARRAY_SIZE(ranges),
	};
	uint64_t pos = 0;
	int err;

	err = edu_ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c);
	igt_assert_f(!err, "%s: CHECKSUM of %s by edu %s: %s\n", when, b->what,
		     e->pci, strerror(err));
	igt_assert_eq_u64(c.bytes, len);
	igt_assert_f(c.crc == crc32_le(~0u, want, len),
		     "%s: edu %s read crc32 %08x from %s, the exporter's device wrote %08x\n",
		     when, e->pci, c.crc, b->what, crc32_le(~0u, want, len));
	for (uint32_t i = 0; i < c.nr_ranges; i++) {
		igt_assert_f(ranges[i].offset == pos &&
			     ranges[i].crc == crc32_le(~0u, want + pos,
							ranges[i].length),
			     "%s: edu %s, range %u (%llu+%llu) at %llu: other bytes\n",
			     when, e->pci, i,
			     (unsigned long long)ranges[i].offset,
			     (unsigned long long)ranges[i].length,
			     (unsigned long long)pos);
		pos += ranges[i].length;
	}
	igt_assert_eq_u64(pos, len);
	igt_info("%s: edu %s read the device's frame in %u ranges (crc32 %08x)\n",
		 when, e->pci, c.nr_ranges, c.crc);
}

/*
 * The edu V4L2 device writes frame A; both edus attach and map the
 * export through @api and read A by DMA; the V4L2 device writes frame
 * B, no edu file called in between; each edu's next read through the
 * same mapping must be B.
 */
static void edu_m2m(const char *alloc, uint32_t api)
{
	struct qemu_edu_attach a;
	struct wb_m2m_export x;
	struct edu edus[2];
	uint8_t *pat[2];
	int fds[2];
	size_t len;

	find_edus(edus);
	wb_m2m_export_open(&x, alloc, M2M_W, M2M_H, 0);
	len = x.m.size;
	for (int i = 0; i < 2; i++) {
		pat[i] = malloc(len);
		igt_assert(pat[i]);
		for (size_t k = 0; k < len; k++)
			pat[i][k] = m2m_pattern(k, i + 1);
	}
	igt_assert(crc32_le(~0u, pat[0], len) != crc32_le(~0u, pat[1], len));

	wb_m2m_export_write(&x, pat[0]);
	for (int i = 0; i < 2; i++) {
		int err;

		assert_edu_idle(&edus[i]);
		fds[i] = edu_open(&edus[i]);
		err = edu_attach(fds[i], &x.b, 0, len, QEMU_EDU_DIR_TO_DEVICE,
				 api, 0, &a);
		igt_assert_f(!err, "ATTACH %s to edu %s: %s\n", x.b.what,
			     edus[i].pci, strerror(err));
		igt_info("edu %s%s: %s mapped in %u DMA ranges\n", edus[i].pci,
			 strcmp(edus[i].pci, x.m.pci) ? "" : " (the exporter's own)",
			 x.b.what, a.nr_ranges);
		check_route(&x.b, &edus[i]);
		m2m_device_reads(fds[i], &x.b, &edus[i], pat[0], len, "frame A");
	}

	/* Zero-copy: the V4L2 device writes B; the edu files are not called */
	wb_m2m_export_write(&x, pat[1]);
	for (int i = 0; i < 2; i++) {
		igt_assert_eq_u64(edu_debugfs(&edus[i], "dmabuf_mappings"), 1);
		m2m_device_reads(fds[i], &x.b, &edus[i], pat[1], len, "frame B");
		check_route(&x.b, &edus[i]);
		wb_assert_sys(ioctl(fds[i], QEMU_EDU_IOC_DETACH));
		edu_close(fds[i]);
		assert_edu_idle(&edus[i]);
	}
	wb_m2m_export_close(&x);
	free(pat[0]);
	free(pat[1]);
}

/* ------------------------------------ vkms's writeback as exporter */

#define WBK_W	640
#define WBK_H	480

/*
 * @e's CHECKSUM of its window [off, off + len) of @b must be of the
 * bytes the exporter's own mapping shows, which are colour @c's pixels
 */
static void writeback_device_reads(int fd, const struct wb_buf *b,
				   const struct edu *e, uint64_t off,
				   uint64_t len, int c, const char *when)
{
	struct qemu_edu_range ranges[16];
	struct qemu_edu_checksum ck = {
		.ranges = (uintptr_t)ranges,
		.nr_ranges = ARRAY_SIZE(ranges),
	};
	uint8_t *want = malloc(len);
	uint32_t px = wb_writeback_colours[c];
	int err;

	igt_assert(want);
	/* The window's bytes: colour @c, as vkms wrote back the frame */
	for (uint64_t i = 0; i < len; i++)
		want[i] = px >> ((off + i) % 4 * 8);
	wb_buf_sync(b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	igt_assert_f(!memcmp(b->map + off, want, len),
		     "%s: the exporter's mapping of the window is not colour %#010x\n",
		     when, px);
	wb_buf_sync(b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	err = edu_ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &ck);
	igt_assert_f(!err, "%s: CHECKSUM of %s by edu %s: %s\n", when, b->what,
		     e->pci, strerror(err));
	igt_assert_eq_u64(ck.bytes, len);
	igt_assert_f(ck.crc == crc32_le(~0u, want, len),
		     "%s: edu %s read crc32 %08x from %s, vkms's frame of colour %#010x is %08x\n",
		     when, e->pci, ck.crc, b->what, px,
		     crc32_le(~0u, want, len));
	igt_info("%s: edu %s read colour %#010x in %u ranges\n", when, e->pci,
		 px, ck.nr_ranges);
	free(want);
}

/*
 * vkms writes frame A back into its exported dumb buffer; both edus
 * attach and map it through @api and read A; vkms writes frame B, no
 * edu file called in between; the edus' next reads must be B.
 */
static void edu_writeback(uint32_t api)
{
	/* A window across a page boundary, not aligned at either end */
	uint64_t off = 8 * PAGE - 0x123, len = 2 * PAGE + 0x246;
	struct wb_writeback_export x;
	struct qemu_edu_attach a;
	struct edu edus[2];
	int fds[2];

	find_edus(edus);
	wb_writeback_export_open(&x, WBK_W, WBK_H);
	wb_writeback_export_frame(&x, 0);
	for (int i = 0; i < 2; i++) {
		int err;

		assert_edu_idle(&edus[i]);
		fds[i] = edu_open(&edus[i]);
		err = edu_attach(fds[i], &x.b, off, len, QEMU_EDU_DIR_TO_DEVICE,
				 api, 0, &a);
		igt_assert_f(!err, "ATTACH %s to edu %s: %s\n", x.b.what,
			     edus[i].pci, strerror(err));
		check_route(&x.b, &edus[i]);
		writeback_device_reads(fds[i], &x.b, &edus[i], off, len, 0,
				       "frame A");
	}

	/* Zero-copy: vkms writes B back; the edu files are not called */
	wb_writeback_export_frame(&x, 1);
	for (int i = 0; i < 2; i++) {
		igt_assert_eq_u64(edu_debugfs(&edus[i], "dmabuf_mappings"), 1);
		writeback_device_reads(fds[i], &x.b, &edus[i], off, len, 1,
				       "frame B");
		wb_assert_sys(ioctl(fds[i], QEMU_EDU_IOC_DETACH));
		edu_close(fds[i]);
		assert_edu_idle(&edus[i]);
	}
	wb_writeback_export_close(&x);
}

/* ---------------------------------- vivid's streaming capture as exporter */

/*
 * vivid captures a frame into an MMAP buffer, exported; both edus attach
 * and map it through @api and read the window of vivid's first OSD text
 * line (its clock: 16 rows from row 16, different in every frame); vivid
 * captures a newer frame into the same buffer (queued back to vivid, no
 * edu file called), and each edu's next read through the same mapping
 * must be the new window the exporter's mapping shows.
 */
static void edu_camera(const char *node, uint32_t api)
{
	struct wb_camera_export x;
	struct qemu_edu_attach a;
	struct edu edus[2];
	uint64_t off, len;
	uint32_t crc[2];
	int fds[2];

	find_edus(edus);
	wb_camera_export_open(&x, node);
	off = 16 * x.cam.fmt.fmt.pix.bytesperline;
	len = 16 * x.cam.fmt.fmt.pix.bytesperline;
	igt_assert_lte(off + len, x.used);
	crc[0] = crc32_le(~0u, x.b.map + off, len);
	for (int i = 0; i < 2; i++) {
		int err;

		assert_edu_idle(&edus[i]);
		fds[i] = edu_open(&edus[i]);
		err = edu_attach(fds[i], &x.b, off, len, QEMU_EDU_DIR_TO_DEVICE,
				 api, 0, &a);
		igt_assert_f(!err, "ATTACH %s to edu %s: %s\n", x.b.what,
			     edus[i].pci, strerror(err));
		check_route(&x.b, &edus[i]);
		m2m_device_reads(fds[i], &x.b, &edus[i], x.b.map + off, len,
				 "vivid's frame");
	}

	/* Zero-copy: vivid captures into the buffer; the edus are not called */
	wb_camera_export_next(&x);
	crc[1] = crc32_le(~0u, x.b.map + off, len);
	igt_assert_f(crc[0] != crc[1],
		     "%s: the window is the same in two frames: nothing to tell apart\n",
		     node);
	for (int i = 0; i < 2; i++) {
		igt_assert_eq_u64(edu_debugfs(&edus[i], "dmabuf_mappings"), 1);
		m2m_device_reads(fds[i], &x.b, &edus[i], x.b.map + off, len,
				 "vivid's next frame");
		wb_assert_sys(ioctl(fds[i], QEMU_EDU_IOC_DETACH));
		edu_close(fds[i]);
		assert_edu_idle(&edus[i]);
	}
	wb_camera_export_close(&x);
}

/* -------------------------------------------------------- bad input */

struct bad {
	struct edu e;
	struct wb_buf b;
	int fd;
	unsigned long xfers;
};

static void bad_setup(struct bad *t)
{
	struct edu edus[2];

	find_edus(edus);
	t->e = edus[1];
	t->b = (struct wb_buf){ .what = "udmabuf (4K memfd)" };
	wb_udmabuf_alloc(&t->b, 4 * PAGE, false);
	cpu_fill(&t->b, getpid());
	t->fd = edu_open(&t->e);
	assert_edu_idle(&t->e);
	t->xfers = edu_debugfs(&t->e, "transfers");
}

/* Nothing attached, nothing mapped, no transfer since setup. */
static void bad_check_idle(struct bad *t)
{
	assert_edu_idle(&t->e);
	igt_assert_f(edu_debugfs(&t->e, "transfers") == t->xfers,
		     "the device transferred after a refused ioctl\n");
	igt_assert_f(!bufinfo_route(&t->b, &t->e).attached,
		     "bufinfo shows the edu attached after a refused ioctl\n");
}

static void bad_done(struct bad *t)
{
	edu_close(t->fd);
	assert_edu_idle(&t->e);
	wb_buf_free(&t->b);
}

static void bad_attach(void)
{
	struct qemu_edu_attach a;
	struct bad t;
	struct wb_buf nb;
	size_t sz;
	int memfd, null;

	bad_setup(&t);
	sz = t.b.size;
	/* Bad fds: -1, a closed one, a memfd, /dev/null */
	nb = t.b;
	nb.fd = -1;
	EXPECT_ERR(edu_attach(t.fd, &nb, 0, PAGE, 0, 0, 0, &a), EBADF);
	nb.fd = 1000;
	close(1000);
	EXPECT_ERR(edu_attach(t.fd, &nb, 0, PAGE, 0, 0, 0, &a), EBADF);
	memfd = memfd_create("not-a-dmabuf", 0);
	wb_assert_sys(memfd);
	wb_assert_sys(ftruncate(memfd, PAGE));
	nb.fd = memfd;
	EXPECT_ERR(edu_attach(t.fd, &nb, 0, PAGE, 0, 0, 0, &a), EINVAL);
	null = open("/dev/null", O_RDWR);
	wb_assert_sys(null);
	nb.fd = null;
	EXPECT_ERR(edu_attach(t.fd, &nb, 0, PAGE, 0, 0, 0, &a), EINVAL);
	close(memfd);
	close(null);
	bad_check_idle(&t);

	/* Windows: zero, past the end, overflowing */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, 0, 0, 0, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, sz, 1, 0, 0, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, sz + 1, 0, 0, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, sz - 1, 2, 0, 0, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, UINT64_MAX - 10, 100, 0, 0, 0, &a),
		   EOVERFLOW);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 1, UINT64_MAX, 0, 0, 0, &a),
		   EOVERFLOW);
	bad_check_idle(&t);

	/* Unknown direction, api, flags */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 3, 0, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, UINT32_MAX, 0, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 0, 2, 0, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 0, 0, 1u << 1, &a), EINVAL);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 0, 0, 1u << 31, &a), EINVAL);
	bad_check_idle(&t);

	/* A second attachment on the same file is refused, the first stays */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, sz, 0, 0, 0, &a), 0);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, sz, 0, 0, 0, &a), EBUSY);
	igt_assert_eq_u64(edu_debugfs(&t.e, "dmabuf_attachments"), 1);
	igt_assert_eq_u64(edu_debugfs(&t.e, "dmabuf_mappings"), 1);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	bad_check_idle(&t);
	bad_done(&t);
}

static void bad_checksum(void)
{
	struct qemu_edu_range r[2];
	struct qemu_edu_checksum c;
	struct qemu_edu_attach a;
	struct bad t;

	bad_setup(&t);
	c = (struct qemu_edu_checksum){ .ranges = (uintptr_t)r, .nr_ranges = 2 };
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_CHECKSUM, &c), ENOENT);
	bad_check_idle(&t);

	/* Window of 3 pages: at least one range, up to 3 */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0x800, 2 * PAGE + 0x100, 0, 0, 0, &a), 0);
	c.flags = 1;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_CHECKSUM, &c), EINVAL);
	c.flags = 0;
	c.pad = 1;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_CHECKSUM, &c), EINVAL);
	c.pad = 0;
	c.nr_ranges = 0;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_CHECKSUM, &c), ENOSPC);
	igt_assert_eq_u64(c.nr_ranges, a.win_ranges);
	igt_assert_f(edu_debugfs(&t.e, "transfers") == t.xfers,
		     "the device transferred after a refused CHECKSUM\n");
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);

	/* A device-writes-only attachment cannot be read by the device */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, QEMU_EDU_DIR_FROM_DEVICE,
			      0, 0, &a), 0);
	c.nr_ranges = 2;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_CHECKSUM, &c), EACCES);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	bad_check_idle(&t);
	bad_done(&t);
}

static void bad_write(void)
{
	struct qemu_edu_write w;
	struct qemu_edu_attach a;
	uint8_t *before;
	struct bad t;

	bad_setup(&t);
	before = malloc(t.b.size);
	igt_assert(before);
	memcpy(before, t.b.map, t.b.size);
	w = (struct qemu_edu_write){ .seed = 1 };
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_WRITE, &w), ENOENT);

	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, QEMU_EDU_DIR_BIDIRECTIONAL,
			      0, 0, &a), 0);
	w.flags = 1;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_WRITE, &w), EINVAL);
	w.flags = 0;
	w.seed = 256;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_WRITE, &w), EINVAL);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);

	/* A device-reads-only attachment cannot be written by the device */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, QEMU_EDU_DIR_TO_DEVICE,
			      0, 0, &a), 0);
	w.seed = 1;
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_WRITE, &w), EACCES);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	bad_check_idle(&t);
	wb_buf_sync(&t.b, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	igt_assert_f(!memcmp(before, t.b.map, t.b.size),
		     "the buffer changed after refused WRITEs\n");
	wb_buf_sync(&t.b, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	free(before);
	bad_done(&t);
}

static void bad_page_checksum(void)
{
	struct qemu_edu_page_checksum p;
	struct qemu_edu_attach a;
	struct bad t;
	uint64_t sz;

	bad_setup(&t);
	sz = t.b.size;
	/* Nothing attached, before and after an attachment */
	EXPECT_ERR(page_checksum(t.fd, 0, PAGE, &p), ENOENT);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 0, QEMU_EDU_API_SGT, 0, &a), 0);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	EXPECT_ERR(page_checksum(t.fd, 0, PAGE, &p), ENOENT);
	bad_check_idle(&t);

	/* A list mapping has no sg_table */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, sz, 0, QEMU_EDU_API_LIST, 0, &a), 0);
	EXPECT_ERR(page_checksum(t.fd, 0, PAGE, &p), EINVAL);
	EXPECT_ERR(page_checksum(t.fd, 0, sz, &p), EINVAL);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	bad_check_idle(&t);

	/* An sg_table mapping: bad flags, padding and ranges */
	EXPECT_ERR(edu_attach(t.fd, &t.b, PAGE, PAGE, 0, QEMU_EDU_API_SGT, 0, &a), 0);
	p = (struct qemu_edu_page_checksum){ .length = PAGE, .flags = 1 };
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_PAGE_CHECKSUM, &p), EINVAL);
	p = (struct qemu_edu_page_checksum){ .length = PAGE, .flags = 1u << 31 };
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_PAGE_CHECKSUM, &p), EINVAL);
	p = (struct qemu_edu_page_checksum){ .length = PAGE, .pad = 1 };
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_PAGE_CHECKSUM, &p), EINVAL);
	EXPECT_ERR(page_checksum(t.fd, 0, 0, &p), EINVAL);
	EXPECT_ERR(page_checksum(t.fd, sz, 1, &p), EINVAL);
	EXPECT_ERR(page_checksum(t.fd, 0, sz + 1, &p), EINVAL);
	EXPECT_ERR(page_checksum(t.fd, sz - 1, 2, &p), EINVAL);
	EXPECT_ERR(page_checksum(t.fd, UINT64_MAX - 10, 100, &p), EOVERFLOW);
	EXPECT_ERR(page_checksum(t.fd, 1, UINT64_MAX, &p), EOVERFLOW);
	igt_assert_eq_u64(edu_debugfs(&t.e, "dmabuf_attachments"), 1);
	igt_assert_eq_u64(edu_debugfs(&t.e, "dmabuf_mappings"), 1);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	bad_check_idle(&t);
	bad_done(&t);
}

static void bad_detach(void)
{
	struct qemu_edu_attach a;
	struct bad t;

	bad_setup(&t);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), ENOENT);
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 0, QEMU_EDU_API_SGT, 0, &a), 0);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), 0);
	EXPECT_ERR(edu_ioctl(t.fd, QEMU_EDU_IOC_DETACH, NULL), ENOENT);
	EXPECT_ERR(edu_ioctl(t.fd, _IO(QEMU_EDU_IOC_MAGIC, 0x7f), NULL), ENOTTY);
	bad_check_idle(&t);
	/* Closing the file with an attachment releases it */
	EXPECT_ERR(edu_attach(t.fd, &t.b, 0, PAGE, 0, QEMU_EDU_API_LIST, 0, &a), 0);
	bad_done(&t);
}

IGT_TEST_DESCRIPTION("The edu NIC stand-in imports dma-bufs of every exporter, through the range-list and the sg_table importer APIs");

igt_main
{
	igt_describe("edu reads and writes a udmabuf of 4K pages, list API");
	igt_subtest("udmabuf-4k-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "udmabuf-4k-list");
		edu_close_leftovers();
		udmabuf_4k(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a udmabuf of 4K pages, sg_table API, CPU reads the same bytes through its pages");
	igt_subtest("udmabuf-4k-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "udmabuf-4k-sgt");
		edu_close_leftovers();
		udmabuf_4k(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a udmabuf of 2M hugetlb folios, list API");
	igt_subtest("udmabuf-2m-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "udmabuf-2m-list");
		edu_close_leftovers();
		udmabuf_2m(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a udmabuf of 2M hugetlb folios, sg_table API, CPU reads the same bytes through its pages");
	igt_subtest("udmabuf-2m-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "udmabuf-2m-sgt");
		edu_close_leftovers();
		udmabuf_2m(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a system heap buffer, list API");
	igt_subtest("system-heap-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "system-heap-list");
		edu_close_leftovers();
		system_heap(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a system heap buffer, sg_table API, CPU reads the same bytes through its pages");
	igt_subtest("system-heap-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "system-heap-sgt");
		edu_close_leftovers();
		system_heap(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a CMA heap buffer, list API");
	igt_subtest("cma-heap-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "cma-heap-list");
		edu_close_leftovers();
		cma_heap(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a CMA heap buffer, sg_table API, CPU reads the same bytes through its pages");
	igt_subtest("cma-heap-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "cma-heap-sgt");
		edu_close_leftovers();
		cma_heap(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a vgem object exported by PRIME, list API");
	igt_subtest("vgem-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vgem-list");
		edu_close_leftovers();
		vgem(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a vgem object exported by PRIME, sg_table API, CPU reads the same bytes through its pages");
	igt_subtest("vgem-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vgem-sgt");
		edu_close_leftovers();
		vgem(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a vkms dumb buffer exported by PRIME, list API");
	igt_subtest("vkms-dumb-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vkms-dumb-list");
		edu_close_leftovers();
		vkms_dumb(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes a vkms dumb buffer exported by PRIME, sg_table API, CPU reads the same bytes through its pages");
	igt_subtest("vkms-dumb-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vkms-dumb-sgt");
		edu_close_leftovers();
		vkms_dumb(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes NVMe CMB memory, list API, P2P route checked");
	igt_subtest("p2pmem-heap-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-heap-list");
		edu_close_leftovers();
		p2pmem_heap(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes NVMe CMB memory, sg_table API, P2P route checked, DMA-only table");
	igt_subtest("p2pmem-heap-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-heap-sgt");
		edu_close_leftovers();
		p2pmem_heap(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("an importer refusing P2P gets EREMOTEIO, nothing mapped");
	igt_subtest("p2pmem-heap-nop2p") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-heap-nop2p");
		edu_close_leftovers();
		p2pmem_heap_no_p2p();
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes the ivshmem BAR (no struct page), list API, P2P route checked");
	igt_subtest("ivshmem-bar-list") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "ivshmem-bar-list");
		edu_close_leftovers();
		ivshmem_bar(QEMU_EDU_API_LIST);
		igt_reset_timeout();
	}

	igt_describe("edu reads and writes the ivshmem BAR (no struct page), sg_table API, P2P route checked, DMA-only table");
	igt_subtest("ivshmem-bar-sgt") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "ivshmem-bar-sgt");
		edu_close_leftovers();
		ivshmem_bar(QEMU_EDU_API_SGT);
		igt_reset_timeout();
	}

	igt_describe("an importer refusing P2P gets EREMOTEIO on the BAR, nothing mapped");
	igt_subtest("ivshmem-bar-nop2p") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "ivshmem-bar-nop2p");
		edu_close_leftovers();
		ivshmem_bar_no_p2p();
		igt_reset_timeout();
	}

	igt_describe("unbinding ivshmem revokes: edus unmapped, next CHECKSUM and PAGE_CHECKSUM ENODEV, no transfer");
	igt_subtest("ivshmem-bar-revoke") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "ivshmem-bar-revoke");
		edu_close_leftovers();
		ivshmem_bar_revoke();
		igt_reset_timeout();
	}

	for (volatile int i = 0; i < 4; i++) {
		static const char *const alloc[] = { "dma-contig", "dma-sg" };
		static const char *const api[] = { "list", "sgt" };

		igt_describe_f("both edus import the edu V4L2 mem2mem device's CAPTURE buffer (vb2-%s, VIDIOC_EXPBUF) through the %s API and read by DMA the frame the V4L2 device wrote, then the next one it writes while they hold their mappings",
			       alloc[i / 2], i % 2 ? "sg_table" : "range-list");
		igt_subtest_f("edu-m2m-%s-%s", alloc[i / 2], api[i % 2]) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "edu-m2m");
			edu_close_leftovers();
			/* A child: the exporter and the edu files close with it */
			igt_fork(child, 1)
				edu_m2m(alloc[i / 2], i % 2 ? QEMU_EDU_API_SGT :
					QEMU_EDU_API_LIST);
			igt_waitchildren();
			igt_reset_timeout();
		}
	}

	for (volatile int i = 0; i < 2; i++) {
		igt_describe_f("both edus import vkms's writeback framebuffer (a vkms dumb buffer exported by PRIME) through the %s API and read by DMA the frame vkms wrote back, then the next one vkms writes back while they hold their mappings",
			       i ? "sg_table" : "range-list");
		igt_subtest_f("vkms-writeback-%s", i ? "sgt" : "list") {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vkms-writeback");
			edu_close_leftovers();
			/* A child: vkms and the edu files close with it */
			igt_fork(child, 1)
				edu_writeback(i ? QEMU_EDU_API_SGT :
					      QEMU_EDU_API_LIST);
			igt_waitchildren();
			igt_reset_timeout();
		}
	}

	for (volatile int i = 0; i < 4; i++) {
		static const char *const alloc[] = { "dma-contig", "vmalloc" };
		static const char *const node[] = {
			"vivid-000-vid-cap", "vivid-002-vid-cap",
		};
		static const char *const api[] = { "list", "sgt" };

		igt_describe_f("both edus import vivid's streaming capture buffer (vb2-%s, VIDIOC_EXPBUF) through the %s API and read by DMA the frame vivid captured, then the next one vivid captures into it while they hold their mappings",
			       alloc[i / 2], i % 2 ? "sg_table" : "range-list");
		igt_subtest_f("vivid-capture-%s-%s", alloc[i / 2], api[i % 2]) {
			igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "vivid-capture");
			edu_close_leftovers();
			/* A child: the exporter and the edu files close with it */
			igt_fork(child, 1)
				edu_camera(node[i / 2], i % 2 ? QEMU_EDU_API_SGT :
					   QEMU_EDU_API_LIST);
			igt_waitchildren();
			igt_reset_timeout();
		}
	}

	igt_describe("ATTACH: bad fds, windows, directions, apis, flags; nothing mapped");
	igt_subtest("bad-attach") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "bad-attach");
		edu_close_leftovers();
		bad_attach();
		igt_reset_timeout();
	}

	igt_describe("CHECKSUM: unattached, bad flags, short array, wrong direction; no transfer");
	igt_subtest("bad-checksum") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "bad-checksum");
		edu_close_leftovers();
		bad_checksum();
		igt_reset_timeout();
	}

	igt_describe("WRITE: unattached, bad flags and seed, wrong direction; buffer untouched");
	igt_subtest("bad-write") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "bad-write");
		edu_close_leftovers();
		bad_write();
		igt_reset_timeout();
	}

	igt_describe("PAGE_CHECKSUM: unattached, detached, list mapping, bad flags, padding and ranges; no transfer");
	igt_subtest("bad-page-checksum") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "bad-page-checksum");
		edu_close_leftovers();
		bad_page_checksum();
		igt_reset_timeout();
	}

	igt_describe("DETACH: unattached, twice, unknown ioctl; close releases");
	igt_subtest("bad-detach") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "bad-detach");
		edu_close_leftovers();
		bad_detach();
		igt_reset_timeout();
	}
}
