// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the p2pmem dma-buf heaps: one heap per PCI device that
 * publishes peer-to-peer memory, named "p2pmem-<PCI device name>".
 *
 * For every such heap: a buffer comes out of the device's P2P memory (the
 * device's p2pmem/available shrinks by its size and grows back when it is
 * closed), is zeroed, and what the CPU writes through one mapping is read
 * back through another; bad sizes, flags and mappings are refused with the
 * heap's errnos and take nothing from the device.  Then the device's
 * driver is unbound twice, with a buffer open each time: every buffer is
 * revoked (its CPU mapping raises SIGBUS, mmap fails with ENODEV), the
 * heap refuses allocations while the driver is unbound, and the second
 * unbind copes with the buffer the first one already revoked.
 *
 * Skips only where no device publishes P2P memory; if one does
 * (/sys/bus/pci/devices/<dev>/p2pmem/published is 1) and its heap is
 * missing, that is a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "../kselftest.h"

#define HEAP_DIR	"/dev/dma_heap"
#define PCI_DIR		"/sys/bus/pci/devices"
#define MAX_PROVIDERS	8
#define BUF_SIZE	(1024 * 1024)
#define TESTS_PER_HEAP	22
/* An unbind that takes longer than this under TCG is a hang */
#define UNBIND_TIMEOUT_S	60

static long page_size;

static int read_sysfs_u64(const char *dev, const char *file, uint64_t *val)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PCI_DIR "/%s/p2pmem/%s", dev, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtoull(buf, NULL, 0);
	return 0;
}

/* PCI devices whose P2P memory is published, by name. */
static int published_providers(char names[][NAME_MAX + 1], int max)
{
	struct dirent *de;
	uint64_t published = 0;
	int n = 0;
	DIR *d;

	d = opendir(PCI_DIR);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		if (read_sysfs_u64(de->d_name, "published", &published) ||
		    published != 1)
			continue;
		snprintf(names[n++], NAME_MAX + 1, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static int heap_alloc(int heap_fd, uint64_t len, uint32_t fd_flags,
		      uint64_t heap_flags, int *buf_fd)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	*buf_fd = data.fd;
	return 0;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 31 + (i >> 12) + 0x5a);
}

/* Allocate, check where it came from, zeroes, write and read back. */
static void test_alloc_mmap(const char *dev, int heap_fd)
{
	/* A failed read of "available" fails the checks that use it */
	uint64_t before = 0, during = 0, after = UINT64_MAX;
	uint8_t *a, *b;
	int buf_fd = -1, ret;
	size_t i, bad;

	if (read_sysfs_u64(dev, "available", &before)) {
		ksft_test_result_fail("%s: p2pmem/available unreadable\n", dev);
		ksft_test_result_skip("%s: alloc failed\n", dev);
		ksft_test_result_skip("%s: alloc failed\n", dev);
		ksft_test_result_skip("%s: alloc failed\n", dev);
		ksft_test_result_skip("%s: alloc failed\n", dev);
		return;
	}
	ret = heap_alloc(heap_fd, BUF_SIZE, O_RDWR | O_CLOEXEC, 0, &buf_fd);
	if (ret) {
		ksft_test_result_fail("%s: alloc 1 MiB: %s\n", dev,
				      strerror(-ret));
		for (i = 0; i < 4; i++)
			ksft_test_result_skip("%s: alloc failed\n", dev);
		return;
	}
	read_sysfs_u64(dev, "available", &during);
	ksft_print_msg("%s: available %llu -> %llu\n", dev,
		       (unsigned long long)before, (unsigned long long)during);
	ksft_test_result(before - during >= BUF_SIZE,
			 "%s: alloc 1 MiB takes it from the device\n", dev);

	a = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
	/* A second view of the second half, through a page offset */
	b = mmap(NULL, BUF_SIZE / 2, PROT_READ, MAP_SHARED, buf_fd, BUF_SIZE / 2);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		ksft_test_result_fail("%s: mmap: %s\n", dev, strerror(errno));
		ksft_test_result_skip("%s: mmap failed\n", dev);
		ksft_test_result_skip("%s: mmap failed\n", dev);
		goto out;
	}
	ksft_test_result_pass("%s: mmap whole buffer and its second half\n", dev);

	for (bad = 0; bad < BUF_SIZE && !a[bad]; bad++)
		;
	if (bad != BUF_SIZE)
		ksft_print_msg("%s: byte %zu is not zero\n", dev, bad);
	ksft_test_result(bad == BUF_SIZE, "%s: new buffer is zeroed\n", dev);

	for (i = 0; i < BUF_SIZE; i++)
		a[i] = pattern(i);
	for (bad = 0; bad < BUF_SIZE / 2 && b[bad] == pattern(bad + BUF_SIZE / 2);
	     bad++)
		;
	if (bad != BUF_SIZE / 2)
		ksft_print_msg("%s: first mismatch at byte %zu of the second half\n",
			       dev, bad);
	ksft_test_result(bad == BUF_SIZE / 2,
			 "%s: bytes written through one mapping read back through another\n",
			 dev);
out:
	if (a != MAP_FAILED)
		munmap(a, BUF_SIZE);
	if (b != MAP_FAILED)
		munmap(b, BUF_SIZE / 2);
	close(buf_fd);
	read_sysfs_u64(dev, "available", &after);
	ksft_print_msg("%s: available %llu after close\n", dev,
		       (unsigned long long)after);
	ksft_test_result(after == before,
			 "%s: closing the buffer gives the memory back\n", dev);
}

static void expect_alloc_error(const char *dev, int heap_fd, uint64_t len,
			       uint32_t fd_flags, uint64_t heap_flags,
			       int want, const char *what)
{
	int buf_fd = -1, ret;

	ret = heap_alloc(heap_fd, len, fd_flags, heap_flags, &buf_fd);
	if (!ret)
		close(buf_fd);
	if (ret != -want)
		ksft_print_msg("%s: %s: got %s\n", dev, what,
			       ret ? strerror(-ret) : "success");
	ksft_test_result(ret == -want, "%s: %s refused with %s\n",
			 dev, what, strerror(want));
}

static void test_errors(const char *dev, int heap_fd)
{
	uint64_t size = 0, before = 0, after = UINT64_MAX;
	void *p;
	int buf_fd = -1;

	if (read_sysfs_u64(dev, "size", &size) ||
	    read_sysfs_u64(dev, "available", &before)) {
		size = 1ULL << 40;
		before = 0;
	}
	expect_alloc_error(dev, heap_fd, 0, O_RDWR, 0, EINVAL, "zero length");
	/* PAGE_ALIGN() of it wraps to zero */
	expect_alloc_error(dev, heap_fd, UINT64_MAX, O_RDWR, 0, EINVAL,
			   "length 2^64 - 1");
	expect_alloc_error(dev, heap_fd, size + page_size, O_RDWR, 0, ENOMEM,
			   "length past the device's P2P memory");
	expect_alloc_error(dev, heap_fd, page_size, O_RDWR, 1, EINVAL,
			   "heap flag 1");
	expect_alloc_error(dev, heap_fd, page_size, O_RDWR | O_NONBLOCK, 0,
			   EINVAL, "fd flag O_NONBLOCK");

	if (heap_alloc(heap_fd, 2 * page_size, O_RDWR | O_CLOEXEC, 0, &buf_fd)) {
		ksft_test_result_fail("%s: alloc 2 pages\n", dev);
		ksft_test_result_skip("%s: alloc failed\n", dev);
		ksft_test_result_skip("%s: alloc failed\n", dev);
		return;
	}
	p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 buf_fd, 0);
	ksft_test_result(p == MAP_FAILED && errno == EINVAL,
			 "%s: private mapping refused with EINVAL\n", dev);
	if (p != MAP_FAILED)
		munmap(p, 2 * page_size);
	p = mmap(NULL, 2 * page_size, PROT_READ, MAP_SHARED, buf_fd, page_size);
	ksft_test_result(p == MAP_FAILED && errno == EINVAL,
			 "%s: mapping past the end refused with EINVAL\n", dev);
	if (p != MAP_FAILED)
		munmap(p, 2 * page_size);
	close(buf_fd);

	read_sysfs_u64(dev, "available", &after);
	ksft_print_msg("%s: available %llu -> %llu\n", dev,
		       (unsigned long long)before, (unsigned long long)after);
	ksft_test_result(after == before,
			 "%s: refused requests took no memory\n", dev);
}

/* The name of the driver @dev is bound to, into @drv. */
static int driver_of(const char *dev, char *drv, size_t n)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t len;

	snprintf(path, sizeof(path), PCI_DIR "/%s/driver", dev);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	snprintf(drv, n, "%s", basename(target));
	return 0;
}

static int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? n : -EIO;
}

/*
 * Unbind @dev from driver @drv in a child, so that a hung unbind is
 * reported instead of blocking the test: true if it completed in time.
 */
static bool unbind_dev(const char *dev, const char *drv)
{
	char path[PATH_MAX];
	int status, waited;
	pid_t pid;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", drv);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(sysfs_write(path, dev) ? 1 : 0);
	for (waited = 0; waited < UNBIND_TIMEOUT_S * 10; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status);
		usleep(100 * 1000);
	}
	ksft_print_msg("%s: unbinding from %s did not complete in %d s\n",
		       dev, drv, UNBIND_TIMEOUT_S);
	return false;
}

/* Bind @dev to @drv and wait until its P2P memory is published again. */
static bool rebind(const char *dev, const char *drv)
{
	char path[PATH_MAX];
	uint64_t published = 0;
	int i, ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", drv);
	ret = sysfs_write(path, dev);
	if (ret) {
		ksft_print_msg("%s: bind to %s: %s\n", dev, drv, strerror(-ret));
		return false;
	}
	for (i = 0; i < 300; i++) {
		if (!read_sysfs_u64(dev, "published", &published) &&
		    published == 1)
			return true;
		usleep(100 * 1000);
	}
	ksft_print_msg("%s: P2P memory not published again after the bind\n",
		       dev);
	return false;
}

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Does reading @p raise SIGBUS? */
static bool read_faults(const uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool faulted;
	uint8_t v;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		v = *p;
		/* the load must happen */
		asm volatile("" : : "r" (v));
		faulted = false;
	} else {
		faulted = true;
	}
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/* mmap of a revoked buffer must fail with ENODEV. */
static bool mmap_refused(const char *dev, int buf_fd, const char *which)
{
	void *p;

	p = mmap(NULL, page_size, PROT_READ, MAP_SHARED, buf_fd, 0);
	if (p != MAP_FAILED) {
		munmap(p, page_size);
		ksft_print_msg("%s: mmap of the %s buffer succeeded\n", dev,
			       which);
		return false;
	}
	if (errno != ENODEV)
		ksft_print_msg("%s: mmap of the %s buffer: %s\n", dev, which,
			       strerror(errno));
	return errno == ENODEV;
}

static void skip_rest(const char *dev, int *left, const char *why)
{
	for (; *left > 0; (*left)--)
		ksft_test_result_skip("%s: %s\n", dev, why);
}

#define RESULT(cond, ...) do {				\
	ksft_test_result(cond, __VA_ARGS__);		\
	left--;						\
} while (0)

/*
 * Unbind the provider's driver with a buffer open and CPU-mapped, bind it
 * again, allocate a second buffer and unbind again while the first, already
 * revoked, is still open; bind again for whatever runs next.
 */
static void test_unbind_twice(const char *dev, int heap_fd)
{
	char drv[NAME_MAX + 1];
	int first = -1, second = -1, ret, left = 9;
	uint8_t *map = MAP_FAILED;
	bool ok;

	ret = driver_of(dev, drv, sizeof(drv));
	if (ret) {
		ksft_test_result_fail("%s: no driver bound: %s\n", dev,
				      strerror(-ret));
		left--;
		skip_rest(dev, &left, "no driver to unbind");
		return;
	}
	ret = heap_alloc(heap_fd, BUF_SIZE, O_RDWR | O_CLOEXEC, 0, &first);
	if (!ret) {
		map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   first, 0);
		if (map == MAP_FAILED)
			ret = -errno;
		else
			map[0] = 0xa5;
	}
	if (ret) {
		ksft_test_result_fail("%s: alloc and mmap a buffer: %s\n", dev,
				      strerror(-ret));
		left--;
		skip_rest(dev, &left, "no buffer");
		goto out;
	}
	RESULT(true, "%s: alloc, mmap and touch a buffer\n", dev);

	ksft_print_msg("%s: unbinding from %s\n", dev, drv);
	ok = unbind_dev(dev, drv);
	RESULT(ok, "%s: unbind with a live buffer completes\n", dev);
	if (!ok) {
		skip_rest(dev, &left, "unbind failed");
		goto out;
	}
	RESULT(read_faults(map),
	       "%s: the CPU mapping raises SIGBUS after the unbind\n", dev);
	RESULT(mmap_refused(dev, first, "revoked"),
	       "%s: mmap of a revoked buffer refused with ENODEV\n", dev);
	ret = heap_alloc(heap_fd, page_size, O_RDWR | O_CLOEXEC, 0, &second);
	if (!ret) {
		close(second);
		second = -1;
	}
	RESULT(ret == -ENODEV,
	       "%s: alloc while unbound refused with ENODEV\n", dev);

	ok = rebind(dev, drv) &&
	     !heap_alloc(heap_fd, BUF_SIZE, O_RDWR | O_CLOEXEC, 0, &second);
	RESULT(ok, "%s: after a rebind the heap allocates again\n", dev);
	if (!ok) {
		skip_rest(dev, &left, "rebind failed");
		goto out;
	}

	/* The first buffer, revoked by the first unbind, is still open */
	ksft_print_msg("%s: unbinding from %s again\n", dev, drv);
	ok = unbind_dev(dev, drv);
	RESULT(ok, "%s: second unbind with a buffer the first revoked completes\n",
	       dev);
	if (!ok) {
		skip_rest(dev, &left, "second unbind failed");
		goto out;
	}
	RESULT(mmap_refused(dev, second, "second") &&
	       mmap_refused(dev, first, "first"),
	       "%s: the second unbind revokes the buffer allocated after the rebind\n",
	       dev);
	RESULT(rebind(dev, drv),
	       "%s: the driver binds again after the second unbind\n", dev);
out:
	if (map != MAP_FAILED)
		munmap(map, BUF_SIZE);
	if (first >= 0)
		close(first);
	if (second >= 0)
		close(second);
}

int main(void)
{
	char providers[MAX_PROVIDERS][NAME_MAX + 1], path[PATH_MAX];
	int nr, i, heap_fd;

	page_size = sysconf(_SC_PAGESIZE);
	ksft_print_header();

	nr = published_providers(providers, MAX_PROVIDERS);
	if (!nr)
		ksft_exit_skip("no PCI device publishes P2P memory\n");
	ksft_set_plan(nr * TESTS_PER_HEAP);

	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), HEAP_DIR "/p2pmem-%s",
			 providers[i]);
		heap_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (heap_fd < 0) {
			ksft_print_msg("%s publishes P2P memory but %s: %s\n",
				       providers[i], path, strerror(errno));
			for (int t = 0; t < TESTS_PER_HEAP; t++)
				ksft_test_result_fail("%s: heap missing\n",
						      providers[i]);
			continue;
		}
		ksft_print_msg("heap %s\n", path);
		test_alloc_mmap(providers[i], heap_fd);
		test_errors(providers[i], heap_fd);
		test_unbind_twice(providers[i], heap_fd);
		close(heap_fd);
	}
	ksft_finished();
}
