// SPDX-License-Identifier: GPL-2.0
/*
 * DMA_BUF_IOCTL_SYNC on a udmabuf must never take back what the CPU wrote
 * to the memfd.  udmabuf's own CPU syncs exist for the caches of
 * non-coherent systems; where its device bounces through swiotlb
 * (swiotlb=force) a sync that copies a bounce buffer over the pages puts
 * old bytes back:
 *
 * - a mapping kept from one sync to the next holds the bytes of the
 *   last sync, so a write through the memfd between two syncs is lost;
 * - a mapping made and undone within one sync holds the bytes of the
 *   start of that sync, so a write by another thread during the sync is
 *   lost.
 *
 * Both are tested: one thread in order, and a reader that syncs in a loop
 * while a writer fills the buffer and checks that its last values stay.
 */
#define _GNU_SOURCE
#define __EXPORTED_HEADERS__

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/dma-buf.h>
#include <linux/memfd.h>
#include <linux/udmabuf.h>

#include "../../kselftest.h"

/* Large enough for swiotlb to need many bounce buffers */
#define BUF_SIZE	(8UL << 20)
#define MAX_SECONDS	5
#define MAX_ROUNDS	400

static size_t page_size;

struct buf {
	int memfd;
	int fd;
	/* The memfd's own mapping: what the CPU wrote, seen by all */
	uint32_t *mem;
};

static int buf_open(struct buf *b, int devfd)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	void *p;

	b->fd = -1;
	b->mem = NULL;
	b->memfd = memfd_create("udmabuf-cpu-sync", MFD_ALLOW_SEALING);
	if (b->memfd < 0)
		return -1;
	if (ftruncate(b->memfd, BUF_SIZE) ||
	    fcntl(b->memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		return -1;
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 b->memfd, 0);
	if (p == MAP_FAILED)
		return -1;
	b->mem = p;
	c.memfd = b->memfd;
	c.size = BUF_SIZE;
	b->fd = ioctl(devfd, UDMABUF_CREATE, &c);
	return b->fd < 0 ? -1 : 0;
}

static void buf_close(struct buf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	if (b->mem)
		munmap(b->mem, BUF_SIZE);
	if (b->memfd >= 0)
		close(b->memfd);
}

static int sync_buf(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Write @v to the first word of every page. */
static void stamp(struct buf *b, uint32_t v)
{
	size_t i, words = page_size / sizeof(*b->mem);

	for (i = 0; i < BUF_SIZE / page_size; i++)
		b->mem[i * words] = v;
}

/* The first page whose first word is not @v, or -1. */
static long find_other(struct buf *b, uint32_t v, uint32_t *got)
{
	size_t i, words = page_size / sizeof(*b->mem);

	for (i = 0; i < BUF_SIZE / page_size; i++) {
		if (b->mem[i * words] != v) {
			*got = b->mem[i * words];
			return i;
		}
	}
	return -1;
}

/*
 * One thread: write inside START/END, then write through the memfd
 * without a sync, then sync for reading: the second write stays.
 */
static void test_in_order(int devfd)
{
	struct buf b;
	uint32_t got;
	long page;
	bool ok = false;

	if (buf_open(&b, devfd)) {
		ksft_print_msg("in-order: udmabuf: %s\n", strerror(errno));
		goto out;
	}
	if (sync_buf(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		goto out;
	stamp(&b, 1);
	if (sync_buf(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
		goto out;
	stamp(&b, 2);
	if (sync_buf(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		goto out;
	page = find_other(&b, 2, &got);
	if (page >= 0)
		ksft_print_msg("in-order: page %ld holds %u after START, not 2\n",
			       page, got);
	ok = page < 0 && !sync_buf(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
out:
	buf_close(&b);
	ksft_test_result(ok, "udmabuf-sync-keeps-memfd-writes\n");
}

/* @stop and @err are shared while both threads run: __atomic builtins */
struct reader {
	int fd;
	bool stop;
	unsigned long syncs;
	int err;
};

/* START/END for reading (and now and then for both) until told to stop. */
static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	__u64 rw;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		rw = r->syncs & 1 ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ;
		if (sync_buf(r->fd, DMA_BUF_SYNC_START | rw) ||
		    sync_buf(r->fd, DMA_BUF_SYNC_END | rw)) {
			__atomic_store_n(&r->err, errno, __ATOMIC_RELAXED);
			break;
		}
		r->syncs++;
	}
	return NULL;
}

/*
 * A reader syncs in a loop; the writer, in START/END for writing, stamps
 * every page with the round number, and at the next round checks that
 * every page still holds it.  At the end, with the reader stopped, the
 * last round's stamps must all be there.
 */
static void test_concurrent(int devfd)
{
	struct reader r = { 0 };
	struct timespec t0, t;
	uint32_t round = 0, got;
	long page = -1;
	pthread_t tid;
	struct buf b;
	bool ok = false;

	if (buf_open(&b, devfd)) {
		ksft_print_msg("concurrent: udmabuf: %s\n", strerror(errno));
		goto out;
	}
	stamp(&b, 0);
	r.fd = b.fd;
	if (pthread_create(&tid, NULL, reader_fn, &r))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		page = find_other(&b, round, &got);
		if (page >= 0)
			break;
		round++;
		if (sync_buf(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
			break;
		stamp(&b, round);
		if (sync_buf(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < MAX_SECONDS && round < MAX_ROUNDS &&
		 !__atomic_load_n(&r.err, __ATOMIC_RELAXED));
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(tid, NULL);
	if (page < 0)
		page = find_other(&b, round, &got);

	ksft_print_msg("concurrent: %u rounds, %lu reader syncs\n", round,
		       r.syncs);
	if (r.err)
		ksft_print_msg("concurrent: reader sync: %s\n", strerror(r.err));
	if (page >= 0)
		ksft_print_msg("concurrent: page %ld holds %u, the writer wrote %u\n",
			       page, got, round);
	/* Let a run that overlapped little not pass unnoticed */
	ok = page < 0 && !r.err && r.syncs > 0 && round > 1;
out:
	buf_close(&b);
	ksft_test_result(ok, "udmabuf-sync-concurrent-writer\n");
}

int main(void)
{
	int devfd;

	ksft_print_header();
	page_size = getpagesize();
	devfd = open("/dev/udmabuf", O_RDWR);
	if (devfd < 0)
		ksft_exit_skip("no /dev/udmabuf\n");
	ksft_set_plan(2);
	test_in_order(devfd);
	test_concurrent(devfd);
	close(devfd);
	ksft_finished();
}
