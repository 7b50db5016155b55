// SPDX-License-Identifier: GPL-2.0
/*
 * p2p-revoke: the two exporters of P2P memory and what happens to their
 * buffers when the memory's device goes away.
 *
 * The ivshmem BAR (memory without struct page) is exported by
 * /dev/qemu_edu_shmN, the NVMe CMB (ZONE_DEVICE pages) by the heap
 * /dev/dma_heap/p2pmem-<pci name>.  Unbinding the device's driver through
 * sysfs while a buffer is held, mapped by the CPU and (with the edu
 * importer uapi) mapped by edu must complete, and afterwards the buffer
 * is dead: edu's next use fails with ENODEV, the CPU mapping faults, new
 * mappings and allocations are refused.  Binding the driver again brings
 * a working exporter back.
 */
#include "igt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <misc/qemu_edu_shm.h>
#include <misc/qemu_edu.h>

#include "lib/devices.h"
#include "lib/provider.h"

#define PAGE		4096UL
#define PCI_DEVS	"/sys/bus/pci/devices"

#define EXPECT_ERRNO(expr, err) do {					\
	int __r = (expr);						\
	igt_assert_f(__r < 0 && errno == (err),				\
		     "%s: expected %s, got %s\n", #expr, strerror(err),	\
		     __r < 0 ? strerror(errno) : "success");		\
} while (0)

static uint8_t pattern(size_t i, unsigned int seed)
{
	return (uint8_t)(i * 13 + (i >> 12) + seed);
}

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Does reading @p raise SIGBUS? */
static int read_faults(volatile const uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile int faulted = 0;
	uint8_t v;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		v = *p;
		(void)v;
	} else {
		faulted = 1;
	}
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/* Dma-bufs of exporter @exp_name in debugfs' bufinfo, -1 if unreadable */
static int count_bufs(const char *exp_name)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	char line[512], name[128];
	unsigned long size;
	unsigned int flags, mode;
	long count;
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lu %x %x %ld %127s", &size, &flags, &mode,
			   &count, name) == 5 && !strcmp(name, exp_name))
			n++;
	fclose(f);
	return n;
}

/* ------------------------------------------------------------ ivshmem */

struct shm {
	char pci[NAME_MAX + 1];
	char node[PATH_MAX];
	int dev;
	uint64_t bar_size;
};

static void shm_open_dev(struct shm *s)
{
	struct qemu_edu_shm_info info;
	char dir[PATH_MAX], name[NAME_MAX + 1];

	igt_assert_f(wb_find_entry(WB_SHM_DRV, "*:*", s->pci, sizeof(s->pci)),
		     "no device bound to qemu_edu_shm\n");
	snprintf(dir, sizeof(dir), PCI_DEVS "/%s/misc", s->pci);
	igt_assert_f(wb_find_entry(dir, "qemu_edu_shm*", name, sizeof(name)),
		     "%s has no qemu_edu_shm character device\n", s->pci);
	snprintf(s->node, sizeof(s->node), "/dev/%s", name);
	s->dev = open(s->node, O_RDWR | O_CLOEXEC);
	igt_assert_f(s->dev >= 0, "open %s: %m\n", s->node);
	memset(&info, 0xa5, sizeof(info));
	wb_assert_sys(ioctl(s->dev, QEMU_EDU_SHM_IOC_INFO, &info));
	igt_assert_f(info.bar_size && !(info.bar_size % PAGE) && !info.flags &&
		     !info.pad, "INFO: size %llu flags %u pad %u\n",
		     (unsigned long long)info.bar_size, info.flags, info.pad);
	s->bar_size = info.bar_size;
}

static int shm_export(struct shm *s, uint64_t off, uint64_t len,
		      uint32_t fd_flags)
{
	struct qemu_edu_shm_export x = {
		.offset = off, .length = len, .fd_flags = fd_flags, .fd = -1,
	};

	if (ioctl(s->dev, QEMU_EDU_SHM_IOC_EXPORT, &x) < 0)
		return -1;
	igt_assert_f(x.fd >= 0, "EXPORT succeeded with fd %d\n", x.fd);
	return x.fd;
}

static void shm_export_bad_input(void)
{
	struct shm s;
	int before, fd;

	shm_open_dev(&s);
	before = count_bufs("qemu_edu");
	igt_assert_f(before >= 0, "no /sys/kernel/debug/dma_buf/bufinfo\n");

	EXPECT_ERRNO(shm_export(&s, 0, 0, O_RDWR), EINVAL);
	EXPECT_ERRNO(shm_export(&s, 100, PAGE, O_RDWR), EINVAL);
	EXPECT_ERRNO(shm_export(&s, 0, PAGE + 1, O_RDWR), EINVAL);
	EXPECT_ERRNO(shm_export(&s, s.bar_size, PAGE, O_RDWR), EINVAL);
	EXPECT_ERRNO(shm_export(&s, 0, s.bar_size + PAGE, O_RDWR), EINVAL);
	EXPECT_ERRNO(shm_export(&s, PAGE, s.bar_size, O_RDWR), EINVAL);
	EXPECT_ERRNO(shm_export(&s, -PAGE, 2 * PAGE, O_RDWR), EOVERFLOW);
	EXPECT_ERRNO(shm_export(&s, 0, PAGE, O_RDWR | O_NONBLOCK), EINVAL);
	EXPECT_ERRNO(ioctl(s.dev, _IO(QEMU_EDU_SHM_IOC_MAGIC, 0x7f)), ENOTTY);
	EXPECT_ERRNO(ioctl(s.dev, QEMU_EDU_SHM_IOC_EXPORT, NULL), EFAULT);
	igt_assert_f(count_bufs("qemu_edu") == before,
		     "a refused export left a dma-buf behind (%d -> %d)\n",
		     before, count_bufs("qemu_edu"));

	/* The edges that are valid: the whole BAR, and its last page */
	fd = shm_export(&s, 0, s.bar_size, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "export of the whole BAR: %m\n");
	close(fd);
	fd = shm_export(&s, s.bar_size - PAGE, PAGE, O_RDONLY);
	igt_assert_f(fd >= 0, "export of the last page: %m\n");
	igt_assert_f(fcntl(fd, F_GETFD) == 0, "fd has FD_CLOEXEC without O_CLOEXEC\n");
	close(fd);
	close(s.dev);
}

/* What the CPU writes through the dma-buf lands in the BAR at its offset. */
static void shm_mmap_reaches_bar(void)
{
	const uint64_t off = 16 * PAGE, len = 16 * PAGE;
	char res[PATH_MAX];
	uint8_t *map, *bar;
	struct shm s;
	size_t i;
	int fd, rfd;

	shm_open_dev(&s);
	fd = shm_export(&s, off, len, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "EXPORT: %m\n");
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	igt_assert_f(map != MAP_FAILED, "mmap: %m\n");
	for (i = 0; i < len; i++)
		map[i] = pattern(i, 0x11);

	snprintf(res, sizeof(res), PCI_DEVS "/%s/resource2", s.pci);
	rfd = open(res, O_RDONLY);
	igt_assert_f(rfd >= 0, "open %s: %m\n", res);
	bar = mmap(NULL, off + len, PROT_READ, MAP_SHARED, rfd, 0);
	igt_assert_f(bar != MAP_FAILED, "mmap %s: %m\n", res);
	for (i = 0; i < len; i++)
		igt_assert_f(bar[off + i] == pattern(i, 0x11),
			     "BAR byte %llu is %#x, the buffer wrote %#x\n",
			     (unsigned long long)(off + i), bar[off + i],
			     pattern(i, 0x11));

	EXPECT_ERRNO(mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) ==
		     MAP_FAILED ? -1 : 0, EINVAL);
	munmap(bar, off + len);
	close(rfd);
	munmap(map, len);
	close(fd);
	close(s.dev);
}

/*
 * Unbind with a buffer exported, CPU-mapped and touched, and the
 * exporter's character device open: it completes, the mapping faults,
 * new mappings and ioctls are refused; rebinding brings a working
 * exporter back.
 */
static void shm_unbind_revokes(void)
{
	const uint64_t len = 4 * PAGE;
	int fd, fd2, before;
	uint8_t *map;
	struct shm s;
	size_t i;

	shm_open_dev(&s);
	fd = shm_export(&s, 0, len, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "EXPORT: %m\n");
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	igt_assert_f(map != MAP_FAILED, "mmap: %m\n");
	for (i = 0; i < len; i++)
		map[i] = pattern(i, 0x22);
	igt_assert(!read_faults(map + len - 1));
	before = count_bufs("qemu_edu");

	wb_unbind_or_fail(WB_SHM_DRV, s.pci);
	/* From here on, bind again whatever fails */
	int status;

	igt_fork(child, 1) {
		igt_assert_f(read_faults(map), "the CPU mapping survived the unbind\n");
		igt_assert_f(read_faults(map + len - 1),
			     "the CPU mapping survived the unbind\n");
		EXPECT_ERRNO(mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) ==
			     MAP_FAILED ? -1 : 0, ENODEV);
		EXPECT_ERRNO(shm_export(&s, 0, PAGE, O_RDWR), ENODEV);
		EXPECT_ERRNO(ioctl(s.dev, QEMU_EDU_SHM_IOC_INFO,
				   &(struct qemu_edu_shm_info){ 0 }), ENODEV);
		igt_assert_f(access(s.node, F_OK) < 0,
			     "%s still exists after the unbind\n", s.node);
		/* The buffer object lives on until its fd is closed */
		igt_assert_f(count_bufs("qemu_edu") == before,
			     "the revoked buffer vanished while its fd is open\n");
	}
	/* A child's failure is reported once the device is bound again */
	status = __igt_waitchildren();
	munmap(map, len);
	close(fd);
	close(s.dev);
	igt_assert_f(count_bufs("qemu_edu") == before - 1,
		     "closing the revoked buffer did not release it\n");
	wb_bind(WB_SHM_DRV, s.pci);
	igt_assert_f(status == 0, "checks after the unbind failed (%d)\n", status);

	shm_open_dev(&s);
	fd2 = shm_export(&s, 0, len, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd2 >= 0, "EXPORT after the rebind: %m\n");
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd2, 0);
	igt_assert_f(map != MAP_FAILED, "mmap after the rebind: %m\n");
	/* The BAR kept its bytes: the rebound exporter shows the same memory */
	for (i = 0; i < len; i++)
		igt_assert_f(map[i] == pattern(i, 0x22),
			     "byte %zu after the rebind is %#x, not %#x\n", i,
			     map[i], pattern(i, 0x22));
	munmap(map, len);
	close(fd2);
	close(s.dev);
}

/* ------------------------------------------------------- p2pmem heap */

/*
 * Attach an edu on another root port than @provider (P2P below the switch
 * uses PCI bus addresses, which QEMU's vIOMMU does not route) through
 * @api and let it read [0, @len); returns its file.
 */
static int edu_attach_read(const char *provider, int buf_fd, uint64_t len,
			   uint32_t api, uint32_t want_crc)
{
	struct qemu_edu_range r[16];
	struct qemu_edu_checksum c = { .ranges = (uintptr_t)r, .nr_ranges = 16 };
	char rp_prov[NAME_MAX + 1], rp[NAME_MAX + 1], dir[PATH_MAX];
	char name[NAME_MAX + 1], node[PATH_MAX + 8];
	struct qemu_edu_attach a = {
		.fd = buf_fd, .length = len,
		.dir = QEMU_EDU_DIR_TO_DEVICE, .api = api,
	};
	struct dirent *de;
	DIR *d;
	int fd;

	wb_root_port_of(provider, rp_prov, sizeof(rp_prov));
	d = opendir("/sys/bus/pci/drivers/qemu_edu");
	igt_assert_f(d, "no qemu_edu driver\n");
	node[0] = '\0';
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':'))
			continue;
		wb_root_port_of(de->d_name, rp, sizeof(rp));
		if (!strcmp(rp, rp_prov))
			continue;
		snprintf(dir, sizeof(dir), PCI_DEVS "/%s/misc", de->d_name);
		if (wb_find_entry(dir, "qemu_edu*", name, sizeof(name)))
			snprintf(node, sizeof(node), "/dev/%s", name);
	}
	closedir(d);
	igt_assert_f(node[0], "no edu on another root port than %s\n", provider);

	fd = open(node, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "open %s: %m\n", node);
	igt_assert_f(!ioctl(fd, QEMU_EDU_IOC_ATTACH, &a), "ATTACH %s: %m\n", node);
	igt_info("%s attached (api %u, %u ranges)\n", node, api, a.nr_ranges);
	igt_assert_f(!ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c),
		     "CHECKSUM before the unbind: %m\n");
	igt_assert_f(c.crc == want_crc && c.bytes == len,
		     "edu read crc %#x of %llu bytes, the CPU wrote %#x\n",
		     c.crc, (unsigned long long)c.bytes, want_crc);
	return fd;
}

static void edu_expect_revoked(int fd, int buf_fd)
{
	struct qemu_edu_range r[16];
	struct qemu_edu_checksum c = { .ranges = (uintptr_t)r, .nr_ranges = 16 };

	if (fd < 0)
		return;
	EXPECT_ERRNO(ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c), ENODEV);
	wb_assert_sys(ioctl(fd, QEMU_EDU_IOC_DETACH));
	EXPECT_ERRNO(ioctl(fd, QEMU_EDU_IOC_ATTACH, &(struct qemu_edu_attach){
			.fd = buf_fd, .length = PAGE,
			.dir = QEMU_EDU_DIR_TO_DEVICE }), ENODEV);
}

static int heap_alloc(int heap, uint64_t len)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		return -1;
	return d.fd;
}

/*
 * Unbind nvme with a heap buffer CPU-mapped and (with the edu importer
 * uapi) mapped by edu through both importer APIs: the unbind completes,
 * edu's next use and a new attachment fail with ENODEV, the CPU mapping
 * faults, the heap refuses allocations until nvme is bound again.
 */
static void p2pmem_unbind_revokes(void)
{
	const uint64_t len = 64 * 1024;
	char pci[NAME_MAX + 1], heap_node[PATH_MAX];
	int heap, fd, status, edu_list, edu_sgt;
	uint8_t *map;
	size_t i;

	wb_find_p2pmem_nvme(pci, sizeof(pci), heap_node, sizeof(heap_node));
	heap = open(heap_node, O_RDONLY | O_CLOEXEC);
	igt_assert_f(heap >= 0, "open %s: %m\n", heap_node);
	fd = heap_alloc(heap, len);
	igt_assert_f(fd >= 0, "alloc: %m\n");
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	igt_assert_f(map != MAP_FAILED, "mmap: %m\n");
	for (i = 0; i < len; i++)
		map[i] = pattern(i, 0x33);
	edu_list = edu_attach_read(pci, fd, len, QEMU_EDU_API_LIST,
				   crc32_le(~0u, map, len));
	edu_sgt = edu_attach_read(pci, fd, len, QEMU_EDU_API_SGT,
				  crc32_le(~0u, map, len));

	wb_unbind_or_fail(WB_NVME_DRV, pci);
	igt_fork(child, 1) {
		edu_expect_revoked(edu_list, fd);
		edu_expect_revoked(edu_sgt, fd);
		igt_assert_f(read_faults(map), "the CPU mapping survived the unbind\n");
		EXPECT_ERRNO(mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) ==
			     MAP_FAILED ? -1 : 0, ENODEV);
		EXPECT_ERRNO(heap_alloc(heap, PAGE), ENODEV);
	}
	/* A child's failure is reported once the device is bound again */
	status = __igt_waitchildren();
	if (edu_list >= 0)
		close(edu_list);
	if (edu_sgt >= 0)
		close(edu_sgt);
	munmap(map, len);
	close(fd);
	wb_bind(WB_NVME_DRV, pci);
	igt_assert_f(status == 0, "checks after the unbind failed (%d)\n", status);
	igt_assert_f(wb_wait_published(pci), "%s did not publish its CMB again\n",
		     pci);

	fd = heap_alloc(heap, len);
	igt_assert_f(fd >= 0, "alloc after the rebind: %m\n");
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	igt_assert_f(map != MAP_FAILED, "mmap after the rebind: %m\n");
	for (i = 0; i < len; i++)
		map[i] = pattern(i, 0x44);
	for (i = 0; i < len; i++)
		igt_assert_f(map[i] == pattern(i, 0x44),
			     "byte %zu after the rebind reads back %#x\n", i,
			     map[i]);
	munmap(map, len);
	close(fd);
	close(heap);
}

IGT_TEST_DESCRIPTION("Unbinding the device behind P2P memory revokes the dma-bufs exported from it");

igt_main
{
	igt_describe("ivshmem export: zero, unaligned, past-the-end, overflowing, bad flags refused with their errnos, no buffer left");
	igt_subtest("shm-export-bad-input") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "shm-export-bad-input");
		shm_export_bad_input();
		igt_reset_timeout();
	}

	igt_describe("bytes written through an exported window land in the BAR at the window's offset");
	igt_subtest("shm-mmap-reaches-bar") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "shm-mmap-reaches-bar");
		shm_mmap_reaches_bar();
		igt_reset_timeout();
	}

	igt_describe("unbinding ivshmem with a mapped buffer completes; the mapping faults, mmap and ioctls ENODEV; rebind works");
	igt_subtest("shm-unbind-revokes") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "shm-unbind-revokes");
		shm_unbind_revokes();
		igt_reset_timeout();
	}

	igt_describe("unbinding nvme with a heap buffer mapped by edu (list and sg_table) and the CPU completes; ENODEV and faults after; rebind works");
	igt_subtest("p2pmem-unbind-revokes") {
		igt_set_timeout(WB_SUBTEST_TIMEOUT_S, "p2pmem-unbind-revokes");
		p2pmem_unbind_revokes();
		igt_reset_timeout();
	}
}
