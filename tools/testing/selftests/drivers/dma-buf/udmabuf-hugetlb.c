// SPDX-License-Identifier: GPL-2.0
/*
 * udmabuf on 2 MiB hugetlb folios: the bytes a udmabuf shows are those of
 * the memfd range it was made from, whether the range starts on a folio,
 * inside one or spans several; an importer's mapping covers every folio;
 * CPU access syncs leave the bytes alone; a buffer made from folios
 * nobody faulted in yet is zeroed and leaves the hugetlb pool's counters
 * as it found them; and the requests udmabuf refuses are refused without
 * a buffer being made.
 */
#define _GNU_SOURCE
#define __EXPORTED_HEADERS__

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/dma-buf.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>
#include <drm/drm.h>

#include "../../kselftest.h"

#define SZ_1M		(1024UL * 1024)
#define SZ_2M		(2 * SZ_1M)
#define NR_FOLIOS	3
#define MEMFD_SIZE	(NR_FOLIOS * SZ_2M)
/* udmabuf's default size_limit_mb */
#define UDMABUF_LIMIT	(64 * SZ_1M)
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define HPAGE_SYSFS	"/sys/kernel/mm/hugepages/hugepages-2048kB/"

static int devfd;

/*
 * A sealed memfd of @size bytes on 2 MiB hugetlb folios, or -1.  Nothing
 * is faulted in: the folios udmabuf pins are allocated by
 * memfd_pin_folios() unless a test wrote them first.
 */
static int hugetlb_memfd(size_t size, unsigned int seals)
{
	int fd;

	fd = memfd_create("udmabuf-hugetlb",
			  MFD_HUGETLB | MFD_HUGE_2MB | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A counter of the 2 MiB hugetlb pool (free_hugepages, ...), or -1. */
static long hpage_count(const char *name)
{
	char path[128];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), HPAGE_SYSFS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* A word that differs at every offset and between memfds. */
static uint32_t pattern(size_t off, uint32_t seed)
{
	return (uint32_t)(off / 4) * 2654435761u ^ seed;
}

static void fill(void *p, size_t size, uint32_t seed)
{
	uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = pattern(i * 4, seed);
}

/*
 * Compare @size bytes at @p with the pattern as written from offset
 * @off of the memfd; report the first difference.
 */
static bool check(const void *p, size_t size, size_t off, uint32_t seed)
{
	const uint32_t *w = p;
	size_t i;

	for (i = 0; i < size / 4; i++) {
		if (w[i] != pattern(off + i * 4, seed)) {
			ksft_print_msg("byte %zu: %08x, memfd offset %zu has %08x\n",
				       i * 4, w[i], off + i * 4,
				       pattern(off + i * 4, seed));
			return false;
		}
	}
	return true;
}

static int create(int memfd, __u64 offset, __u64 size)
{
	struct udmabuf_create c = {
		.memfd = memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = offset,
		.size = size,
	};

	return ioctl(devfd, UDMABUF_CREATE, &c);
}

static void *map(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Number of open file descriptors of this process. */
static int count_fds(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The udmabuf made from [@offset, @offset + @size) of a memfd of three
 * folios shows exactly those bytes, and a write through the udmabuf lands
 * in the memfd.
 */
static void test_range(const char *name, size_t offset, size_t size)
{
	uint32_t seed = (uint32_t)(offset ^ size) | 1;
	void *mem = NULL, *buf = NULL;
	int memfd, fd = -1;
	bool ok = false;

	memfd = hugetlb_memfd(MEMFD_SIZE, F_SEAL_SHRINK);
	if (memfd < 0) {
		ksft_test_result_fail("%s: hugetlb memfd: %s\n", name,
				      strerror(errno));
		return;
	}
	mem = map(memfd, MEMFD_SIZE);
	if (!mem)
		goto out;
	fill(mem, MEMFD_SIZE, seed);

	fd = create(memfd, offset, size);
	if (fd < 0) {
		ksft_print_msg("%s: UDMABUF_CREATE: %s\n", name, strerror(errno));
		goto out;
	}
	buf = map(fd, size);
	if (!buf) {
		ksft_print_msg("%s: mmap udmabuf: %s\n", name, strerror(errno));
		goto out;
	}
	if (!check(buf, size, offset, seed))
		goto out;

	/* The other way round: the udmabuf's pages are the memfd's. */
	fill(buf, size, ~seed);
	ok = check((char *)mem + offset, size, 0, ~seed);
out:
	if (buf)
		munmap(buf, size);
	if (fd >= 0)
		close(fd);
	if (mem)
		munmap(mem, MEMFD_SIZE);
	close(memfd);
	ksft_test_result(ok, "%s\n", name);
}

/*
 * A udmabuf made from a memfd whose folios were never faulted in:
 * memfd_pin_folios() allocates them.  Stock 6.12 took them from the pool
 * without a reservation and hit VM_BUG_ON(!h->resv_huge_pages) in
 * alloc_hugetlb_folio_reserve() (or, without CONFIG_DEBUG_VM, made the
 * reserve count underflow).  The buffer must read as zeroes, hold what is
 * written to it, and the pool's free and reserved counts must be back
 * where they were once buffer and memfd are gone.
 */
static void test_never_faulted(void)
{
	long free0, resv0, free1, resv1, free2, resv2;
	uint32_t seed = 0xfa017ed;
	void *buf = NULL;
	int memfd, fd = -1;
	bool ok = false;
	size_t i;

	free0 = hpage_count("free_hugepages");
	resv0 = hpage_count("resv_hugepages");
	memfd = hugetlb_memfd(MEMFD_SIZE, F_SEAL_SHRINK);
	if (memfd < 0 || free0 < 0 || resv0 < 0)
		goto out;
	fd = create(memfd, 0, MEMFD_SIZE);
	if (fd < 0) {
		ksft_print_msg("never-faulted: UDMABUF_CREATE: %s\n",
			       strerror(errno));
		goto out;
	}
	buf = map(fd, MEMFD_SIZE);
	if (!buf)
		goto out;
	for (i = 0; i < MEMFD_SIZE; i++) {
		if (((char *)buf)[i]) {
			ksft_print_msg("never-faulted: byte %zu is not zero\n", i);
			goto out;
		}
	}
	fill(buf, MEMFD_SIZE, seed);
	if (!check(buf, MEMFD_SIZE, 0, seed))
		goto out;
	free1 = hpage_count("free_hugepages");
	resv1 = hpage_count("resv_hugepages");
	ok = true;
out:
	if (buf)
		munmap(buf, MEMFD_SIZE);
	if (fd >= 0)
		close(fd);
	if (memfd >= 0)
		close(memfd);
	if (ok) {
		free2 = hpage_count("free_hugepages");
		resv2 = hpage_count("resv_hugepages");
		ksft_print_msg("never-faulted: free %ld/%ld/%ld, reserved %ld/%ld/%ld\n",
			       free0, free1, free2, resv0, resv1, resv2);
		ok = free1 == free0 - NR_FOLIOS && resv1 == resv0 &&
		     free2 == free0 && resv2 == resv0;
	}
	ksft_test_result(ok, "hugetlb-2m-never-faulted\n");
}

/*
 * UDMABUF_CREATE_LIST with the folios in reverse order and one item that
 * starts inside a folio: the buffer shows the items back to back.
 */
static void test_list(void)
{
	static const struct { size_t off, size; } items[] = {
		{ 2 * SZ_2M, SZ_2M },
		{ SZ_2M + SZ_1M, SZ_1M },
		{ 0, SZ_2M },
	};
	const size_t n = ARRAY_SIZE(items);
	struct udmabuf_create_list *list;
	uint32_t seed = 0x5eed1157;
	size_t i, size = 0, at;
	void *mem = NULL, *buf = NULL;
	int memfd, fd = -1;
	bool ok = false;

	list = calloc(1, sizeof(*list) + n * sizeof(list->list[0]));
	memfd = hugetlb_memfd(MEMFD_SIZE, F_SEAL_SHRINK);
	if (!list || memfd < 0)
		goto out;
	mem = map(memfd, MEMFD_SIZE);
	if (!mem)
		goto out;
	fill(mem, MEMFD_SIZE, seed);

	for (i = 0; i < n; i++) {
		list->list[i].memfd = memfd;
		list->list[i].offset = items[i].off;
		list->list[i].size = items[i].size;
		size += items[i].size;
	}
	list->count = n;
	list->flags = UDMABUF_FLAGS_CLOEXEC;
	fd = ioctl(devfd, UDMABUF_CREATE_LIST, list);
	if (fd < 0) {
		ksft_print_msg("UDMABUF_CREATE_LIST: %s\n", strerror(errno));
		goto out;
	}
	buf = map(fd, size);
	if (!buf)
		goto out;
	ok = true;
	for (i = 0, at = 0; i < n && ok; at += items[i++].size)
		ok = check((char *)buf + at, items[i].size, items[i].off, seed);
out:
	if (buf)
		munmap(buf, size);
	if (fd >= 0)
		close(fd);
	if (mem)
		munmap(mem, MEMFD_SIZE);
	if (memfd >= 0)
		close(memfd);
	free(list);
	ksft_test_result(ok, "hugetlb-2m-list-reversed\n");
}

static int sync_buf(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/*
 * DMA_BUF_IOCTL_SYNC around CPU writes: ending access that never began is
 * refused, as udmabuf always did, and begin/end keep what the CPU wrote
 * (a sync that copied stale data back would show here under swiotlb).
 */
static void test_sync(void)
{
	uint32_t seed = 0x0c0ffee1;
	void *buf = NULL;
	int memfd, fd = -1;
	bool ok = false;

	memfd = hugetlb_memfd(SZ_2M, F_SEAL_SHRINK);
	if (memfd < 0)
		goto out;
	fd = create(memfd, 0, SZ_2M);
	if (fd < 0)
		goto out;
	buf = map(fd, SZ_2M);
	if (!buf)
		goto out;

	if (sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) != -1 ||
	    errno != EINVAL) {
		ksft_print_msg("END before START was not refused with EINVAL\n");
		goto out;
	}
	if (sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		goto out;
	fill(buf, SZ_2M, seed);
	if (sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		goto out;
	/* CPU writes outside a START/END window must survive the next one. */
	fill(buf, SZ_1M, ~seed);
	if (sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		goto out;
	ok = check(buf, SZ_1M, 0, ~seed) &&
	     check((char *)buf + SZ_1M, SZ_1M, SZ_1M, seed);
	ok &= !sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
out:
	if (buf)
		munmap(buf, SZ_2M);
	if (fd >= 0)
		close(fd);
	if (memfd >= 0)
		close(memfd);
	ksft_test_result(ok, "hugetlb-2m-cpu-sync\n");
}

static int open_vgem(void)
{
	char name[32], drv[16];
	struct drm_version v;
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "/dev/dri/card%d", i);
		fd = open(name, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(drv, 0, sizeof(drv));
		v.name = drv;
		v.name_len = sizeof(drv) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(drv, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * Ranges of the mapping the dma-buf core made for the one attachment of
 * the buffer with inode @ino, from debugfs; -1 if not found.
 */
static long bufinfo_ranges(unsigned long ino)
{
	char line[512], exp[64];
	unsigned long size, i;
	bool ours = false;
	long ranges = -1;
	FILE *f;
	char *p;

	f = fopen(BUFINFO, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lu %*x %*x %*d %63s %lu", &size, exp,
			   &i) == 3) {
			ours = !strcmp(exp, "udmabuf") && i == ino;
			continue;
		}
		p = strstr(line, " ranges ");
		if (ours && strstr(line, "mapping ") && p) {
			ranges = strtol(p + 8, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ranges;
}

/* Import @nr folios' worth of udmabuf into vgem; the ranges it got. */
static long import_ranges(int vgem, int memfd, int nr)
{
	struct drm_prime_handle h = { .flags = 0 };
	struct drm_gem_close c = { 0 };
	struct stat st;
	long ranges = -1;

	h.fd = create(memfd, 0, nr * SZ_2M);
	if (h.fd < 0)
		return -1;
	if (fstat(h.fd, &st) || ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &h))
		goto out;
	/* vgem maps the attachment at import and keeps it until close. */
	ranges = bufinfo_ranges(st.st_ino);
	c.handle = h.handle;
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &c);
out:
	close(h.fd);
	return ranges;
}

/*
 * An sg_table importer (vgem) maps a buffer of three folios: its mapping,
 * made by the core from the range list udmabuf hands out, must cover all
 * three.  The importer's DMA ranges are cut at its segment size, which
 * for vgem (64 KiB) divides a folio, so three folios give exactly three
 * times the ranges of one; a folio missing from the list gives fewer.
 */
static void test_import(void)
{
	long one, three;
	int vgem, memfd;

	if (access(BUFINFO, R_OK)) {
		ksft_test_result_skip("hugetlb-2m-import-covers-folios: no %s\n",
				      BUFINFO);
		return;
	}
	vgem = open_vgem();
	if (vgem < 0) {
		ksft_test_result_skip("hugetlb-2m-import-covers-folios: no vgem\n");
		return;
	}
	memfd = hugetlb_memfd(MEMFD_SIZE, F_SEAL_SHRINK);
	one = memfd < 0 ? -1 : import_ranges(vgem, memfd, 1);
	three = memfd < 0 ? -1 : import_ranges(vgem, memfd, NR_FOLIOS);
	ksft_print_msg("vgem ranges: 1 folio %ld, %d folios %ld\n", one,
		       NR_FOLIOS, three);
	ksft_test_result(one > 1 && three == NR_FOLIOS * one,
			 "hugetlb-2m-import-covers-folios\n");
	if (memfd >= 0)
		close(memfd);
	close(vgem);
}

/*
 * A request udmabuf refuses: @errno_want from UDMABUF_CREATE and no file
 * descriptor left behind.
 */
static void test_bad(const char *name, size_t memfd_size, unsigned int seals,
		     __u64 offset, __u64 size, int errno_want)
{
	int memfd, fd, before, after, err;

	memfd = hugetlb_memfd(memfd_size, seals);
	if (memfd < 0) {
		ksft_test_result_fail("%s: hugetlb memfd: %s\n", name,
				      strerror(errno));
		return;
	}
	before = count_fds();
	fd = create(memfd, offset, size);
	err = errno;
	after = count_fds();
	if (fd >= 0)
		close(fd);
	close(memfd);
	if (fd >= 0 || err != errno_want)
		ksft_print_msg("%s: got %d (%s), want %s\n", name, fd,
			       fd >= 0 ? "a buffer" : strerror(err),
			       strerror(errno_want));
	ksft_test_result(fd < 0 && err == errno_want && before == after,
			 "%s\n", name);
}

int main(void)
{
	int memfd;

	ksft_print_header();

	devfd = open("/dev/udmabuf", O_RDWR);
	if (devfd < 0)
		ksft_exit_skip("no /dev/udmabuf\n");
	if (hpage_count("free_hugepages") < NR_FOLIOS)
		ksft_exit_skip("fewer than %d free 2 MiB hugetlb pages\n",
			       NR_FOLIOS);

	ksft_set_plan(15);

	test_never_faulted();
	test_range("hugetlb-2m-one-folio", 0, SZ_2M);
	test_range("hugetlb-2m-all-folios", 0, MEMFD_SIZE);
	test_range("hugetlb-2m-second-folio", SZ_2M, SZ_2M);
	test_range("hugetlb-2m-inside-folio", SZ_1M, 4096);
	test_range("hugetlb-2m-across-folios", SZ_1M + 4096, 2 * SZ_2M);
	test_list();
	test_sync();
	test_import();

	test_bad("bad-offset-not-page-aligned", SZ_2M, F_SEAL_SHRINK,
		 SZ_1M + 2048, 4096, EINVAL);
	test_bad("bad-size-not-page-aligned", SZ_2M, F_SEAL_SHRINK,
		 0, SZ_1M + 2048, EINVAL);
	test_bad("bad-size-zero", SZ_2M, F_SEAL_SHRINK, 0, 0, EINVAL);
	/* The memfd is large enough: only the limit refuses the request. */
	test_bad("bad-size-over-limit", UDMABUF_LIMIT + SZ_2M, F_SEAL_SHRINK,
		 0, UDMABUF_LIMIT + SZ_2M, EINVAL);
	test_bad("bad-memfd-not-sealed-shrink", SZ_2M, 0, 0, SZ_2M, EINVAL);
	test_bad("bad-memfd-sealed-write", SZ_2M,
		 F_SEAL_SHRINK | F_SEAL_WRITE, 0, SZ_2M, EINVAL);

	close(devfd);
	ksft_finished();
}
