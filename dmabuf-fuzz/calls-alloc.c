// SPDX-License-Identifier: GPL-2.0
/*
 * Generators that make buffers and the fds around them: memfds (with and
 * without F_SEAL_SHRINK, hugetlb ones), udmabuf CREATE and CREATE_LIST,
 * dma-heap ALLOC (system, CMA, p2pmem-*), the edu BAR exporter's INFO
 * and EXPORT, signalled sync_files from sw_sync, pipes, and opening the
 * devices.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <misc/qemu_edu_shm.h>

#include "fuzz.h"

#define MIB (1ULL << 20)
#define HUGE_SZ (2 * MIB)
#define UDMABUF_MAX (64 * MIB)	/* udmabuf's size_limit_mb default */
#define UDMABUF_LIST_MAX 1024	/* its list_limit default */

/* sw_sync's debugfs interface (drivers/dma-buf/sw_sync.c), not uapi */
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)

static unsigned int acc_flags(int accmode)
{
	switch (accmode) {
	case O_RDONLY: return SLOT_NOWRITE;
	case O_WRONLY: return SLOT_NOREAD;
	case O_RDWR: return 0;
	}
	return SLOT_NOREAD | SLOT_NOWRITE;	/* 3: neither (OPEN_FMODE) */
}

/* --- memfds ----------------------------------------------------------- */

static void gen_memfd(struct fctx *c)
{
	bool huge = devs.hugetlb && chance(&c->r, 20);
	unsigned int flags = 0;
	uint64_t size;
	int fd, err, ret;

	if (huge)
		size = HUGE_SZ * (1 + rnd(&c->r, 2));
	else
		size = PAGE_SZ * (1 + rnd(&c->r, chance(&c->r, 20) ? 1024 : 16));
	fd = memfd_create("dmabuf-fuzz", MFD_ALLOW_SEALING | MFD_CLOEXEC |
			  (huge ? MFD_HUGETLB : 0));
	err = fd < 0 ? errno : 0;
	if (fd >= 0) {
		ret = ftruncate(fd, size);
		err = ret ? errno : 0;
	}
	if (!err && chance(&c->r, 80)) {
		int seals = F_SEAL_SHRINK;

		if (chance(&c->r, 10))
			seals |= F_SEAL_WRITE;	/* udmabuf refuses it */
		if (chance(&c->r, 30))
			seals |= F_SEAL_GROW;
		ret = fcntl(fd, F_ADD_SEALS, seals);
		err = ret ? errno : 0;
		flags |= SLOT_SEALED | (seals & F_SEAL_WRITE ? SLOT_WSEALED : 0);
	}
	if (huge)
		flags |= SLOT_HUGETLB;
	record(c, C_MEMFD_CREATE, err ? -1 : 0, err, "size=%llu%s flags=0x%x",
	       (unsigned long long)size, huge ? " hugetlb" : "", flags);
	if (fd < 0)
		return;
	if (err) {
		close(fd);
		return;
	}
	slot_install(c, fd, K_MEMFD, 0, flags, size);
}

/* --- udmabuf ------------------------------------------------------------ */

struct item {
	struct fdarg fd;
	uint64_t offset, size;
};

/* One item of a udmabuf: mostly valid for its memfd, else an edge */
static void udmabuf_item(struct fctx *c, struct item *it)
{
	uint64_t msize;

	pick_fd(c, KM(K_MEMFD), &it->fd);
	msize = it->fd.kind == K_MEMFD ? slots[it->fd.slot].size : 0;
	if (msize && chance(&c->r, 75)) {
		uint64_t pages = msize / PAGE_SZ, first = rnd(&c->r, pages);

		it->offset = first * PAGE_SZ;
		it->size = (1 + rnd(&c->r, pages - first)) * PAGE_SZ;
		return;
	}
	it->offset = edge_u64(c, msize);
	it->size = edge_u64(c, msize);
	if (chance(&c->r, 50))
		it->offset &= ~(PAGE_SZ - 1);
	if (chance(&c->r, 50))
		it->size &= ~(PAGE_SZ - 1);
}

/*
 * What udmabuf_create() must answer for @items, in its order: EINVAL for
 * an unaligned or oversized item or no pages at all (first loop), then per
 * item EBADFD for an fd that is not shmem/hugetlbfs, EINVAL for seals or
 * a range past the end; a valid request succeeds or runs out of memory.
 */
static void udmabuf_expect(struct fctx *c, struct item *items, int n)
{
	uint64_t pages = 0;
	int i;

	for (i = 0; i < n; i++) {
		if ((items[i].offset | items[i].size) & (PAGE_SZ - 1))
			goto einval;
		pages += items[i].size / PAGE_SZ;
		if (pages > UDMABUF_MAX / PAGE_SZ)
			goto einval;
	}
	if (!pages)
		goto einval;
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		unsigned int f;

		if (it->fd.kind != K_MEMFD) {
			want(c, ESET(EBADFD));
			return;
		}
		f = slots[it->fd.slot].flags;
		if (!(f & SLOT_SEALED) || (f & SLOT_WSEALED))
			goto einval;
		if (it->offset + it->size < it->offset ||
		    it->offset + it->size > slots[it->fd.slot].size)
			goto einval;
		/* hugetlb: a size of 0 pins nothing; memfd_pin_folios EINVAL */
		if (!it->size)
			goto einval;
	}
	want(c, ESET(0, ENOMEM, EMFILE, ENOSPC));
	return;
einval:
	want(c, ESET(EINVAL));
}

/* The udmabuf's memory is its memfds' (F_DMA_DEBUG_OVERLAP) */
static void udmabuf_keys(struct fctx *c, struct item *items, int n)
{
	int i, j;

	c->inst_nr_mem = 0;
	c->inst_overlap = false;
	for (i = 0; i < n; i++) {
		uint64_t key;

		if (items[i].fd.kind != K_MEMFD || !slots[items[i].fd.slot].nr_mem)
			continue;
		key = slots[items[i].fd.slot].mem[0];
		for (j = 0; j < c->inst_nr_mem; j++)
			if (c->inst_mem[j] == key)
				c->inst_overlap = true;
		if (j == c->inst_nr_mem)
			c->inst_mem[c->inst_nr_mem++] = key;
	}
}

static uint64_t udmabuf_size(struct item *items, int n)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += items[i].size;
	return s;
}

static void gen_udmabuf_create(struct fctx *c)
{
	struct udmabuf_create u = { 0 };
	struct fdarg dev;
	struct item it;
	bool badp = chance(&c->r, 4);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_UDMABUF_DEV), &dev);
	udmabuf_item(c, &it);
	u.memfd = it.fd.fd;
	u.offset = it.offset;
	u.size = it.size;
	/* only UDMABUF_FLAGS_CLOEXEC is defined; 6.12 ignores the rest */
	u.flags = chance(&c->r, 80) ? UDMABUF_FLAGS_CLOEXEC * rnd(&c->r, 2) :
				      (uint32_t)rng_next(&c->r);
	udmabuf_expect(c, &it, 1);
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &dev, KM(K_UDMABUF_DEV), C_UDMABUF_CREATE);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(dev.fd, UDMABUF_CREATE, badp ? bad_ptr(c) : &u, &err);
	record(c, call, ret, err, "dev=%d(%d) memfd=%d(%d,0x%x) off=0x%llx size=0x%llx flags=0x%x%s",
	       dev.fd, dev.kind, it.fd.fd, it.fd.kind,
	       it.fd.slot >= 0 ? slots[it.fd.slot].flags : 0,
	       (unsigned long long)u.offset, (unsigned long long)u.size, u.flags,
	       badp ? " badptr" : "");
	if (ret >= 0 && call == C_UDMABUF_CREATE) {
		udmabuf_keys(c, &it, 1);
		slot_unlock_all(c);
		slot_install(c, ret, K_DMABUF, EXP_UDMABUF, 0, it.size);
	}
}

static void gen_udmabuf_create_list(struct fctx *c)
{
	struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item items[UDMABUF_LIST_MAX + 8];
	} *l;
	struct item it[4];
	struct fdarg dev;
	uint32_t count;
	int n = 0, i, err;
	enum fuzz_call call;
	long ret;

	l = calloc(1, sizeof(*l));
	pick_fd(c, KM(K_UDMABUF_DEV), &dev);
	switch (rnd(&c->r, 10)) {
	case 0:		/* zero-filled items: no pages, EINVAL */
		count = rnd(&c->r, UDMABUF_LIST_MAX + 1);
		want(c, ESET(EINVAL));
		break;
	case 1:		/* more than list_limit: EINVAL before reading */
		count = UDMABUF_LIST_MAX + 1 + rnd(&c->r, 1u << 31);
		if (chance(&c->r, 30))
			count = ~0u;
		want(c, ESET(EINVAL));
		break;
	default:
		n = 1 + rnd(&c->r, 4);
		for (i = 0; i < n; i++) {
			udmabuf_item(c, &it[i]);
			l->items[i].memfd = it[i].fd.fd;
			l->items[i].offset = it[i].offset;
			l->items[i].size = it[i].size;
			l->items[i].__pad = chance(&c->r, 90) ? 0 : rng_next(&c->r);
		}
		count = n;
		udmabuf_expect(c, it, n);
	}
	l->head.count = count;
	l->head.flags = chance(&c->r, 80) ? UDMABUF_FLAGS_CLOEXEC * rnd(&c->r, 2) :
					    (uint32_t)rng_next(&c->r);
	call = fd_target(c, &dev, KM(K_UDMABUF_DEV), C_UDMABUF_CREATE_LIST);
	ret = xioctl(dev.fd, UDMABUF_CREATE_LIST, l, &err);
	record(c, call, ret, err, "dev=%d(%d) count=%u items=%d first=(%d(%d) 0x%llx 0x%llx)",
	       dev.fd, dev.kind, count, n, n ? it[0].fd.fd : -1, n ? it[0].fd.kind : -1,
	       n ? (unsigned long long)it[0].offset : 0,
	       n ? (unsigned long long)it[0].size : 0);
	free(l);
	if (ret >= 0 && call == C_UDMABUF_CREATE_LIST) {
		udmabuf_keys(c, it, n);
		slot_unlock_all(c);
		slot_install(c, ret, K_DMABUF, EXP_UDMABUF, 0, udmabuf_size(it, n));
	}
}

/* --- dma-heaps ------------------------------------------------------------ */

static void gen_heap_alloc(struct fctx *c)
{
	struct dma_heap_allocation_data d = { 0 };
	static const uint32_t accs[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY, 3 };
	enum exporter exp = EXP_SYSTEM;
	struct fdarg h;
	bool badp = chance(&c->r, 4), valid = true;
	enum fuzz_call call;
	uint64_t max;
	long ret;
	int err;

	pick_fd(c, KM(K_HEAP), &h);
	if (h.kind == K_HEAP)
		exp = devs.heap_exp[slots[h.slot].dev];
	max = exp == EXP_SYSTEM ? 4 * MIB : exp == EXP_CMA ? 4 * MIB : MIB;
	d.len = 1 + rnd(&c->r, max);
	if (chance(&c->r, 50))
		d.len = (d.len + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
	d.fd_flags = accs[rnd(&c->r, ARRAY_SIZE(accs))] |
		     (chance(&c->r, 50) ? O_CLOEXEC : 0);
	switch (rnd(&c->r, 12)) {
	case 0:		/* PAGE_ALIGN() to 0 */
		d.len = chance(&c->r, 50) ? 0 : ~0ULL - rnd(&c->r, PAGE_SZ - 1);
		valid = false;
		break;
	case 1:		/* far more than any heap has: only where it fails fast */
		if (exp != EXP_SYSTEM) {
			d.len = (1ULL << 40) << rnd(&c->r, 20);
			want(c, ESET(ENOMEM));
		}
		break;
	case 2:
		d.fd = 1 + rnd(&c->r, 1000);
		valid = false;
		break;
	case 3:
		d.fd_flags |= 1u << rnd(&c->r, 32);
		valid = !(d.fd_flags & ~(O_CLOEXEC | O_ACCMODE));
		break;
	case 4:
		d.heap_flags = 1ULL << rnd(&c->r, 64);
		valid = false;
		break;
	}
	if (!valid)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &h, KM(K_HEAP), C_HEAP_ALLOC);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(h.fd, DMA_HEAP_IOCTL_ALLOC, badp ? bad_ptr(c) : &d, &err);
	record(c, call, ret, err, "heap=%d(%d,%s) len=0x%llx fd=%u fd_flags=0x%x heap_flags=0x%llx%s",
	       h.fd, h.kind, h.kind == K_HEAP ? devs.heap_path[slots[h.slot].dev] + 14 : "-",
	       (unsigned long long)d.len, d.fd, d.fd_flags,
	       (unsigned long long)d.heap_flags, badp ? " badptr" : "");
	if (!ret && call == C_HEAP_ALLOC && !badp) {
		slot_unlock_all(c);
		slot_install(c, d.fd, K_DMABUF, exp,
			     acc_flags(d.fd_flags & O_ACCMODE) |
			     (exp == EXP_P2PMEM ? SLOT_REVOCABLE : 0),
			     (d.len + PAGE_SZ - 1) & ~(PAGE_SZ - 1));
	}
}

/* --- the edu BAR exporter ---------------------------------------------------- */

static void gen_shm_info(struct fctx *c)
{
	struct qemu_edu_shm_info info;
	struct fdarg a;
	bool badp = chance(&c->r, 5);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU_SHM), &a);
	memset(&info, 0xa5, sizeof(info));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_EDU_SHM), C_SHM_INFO);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, QEMU_EDU_SHM_IOC_INFO, badp ? bad_ptr(c) : &info, &err);
	if (!ret && !badp && call == C_SHM_INFO &&
	    (info.flags || info.pad || info.bar_size != devs.shm_size[slots[a.slot].dev]))
		err = R_BADVAL;
	record(c, call, ret, err, "fd=%d(%d)%s", a.fd, a.kind, badp ? " badptr" : "");
}

static void gen_shm_export(struct fctx *c)
{
	static const uint32_t accs[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY, 3 };
	struct qemu_edu_shm_export x = { 0 };
	struct fdarg a;
	uint64_t bar = 0, end;
	bool badp = chance(&c->r, 4);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU_SHM), &a);
	if (a.kind == K_EDU_SHM)
		bar = devs.shm_size[slots[a.slot].dev];
	x.fd_flags = accs[rnd(&c->r, ARRAY_SIZE(accs))] | (chance(&c->r, 50) ? O_CLOEXEC : 0);
	if (bar >= PAGE_SZ && chance(&c->r, 70)) {
		uint64_t pages = bar / PAGE_SZ, first = rnd(&c->r, pages);

		x.offset = first * PAGE_SZ;
		x.length = (1 + rnd(&c->r, pages - first)) * PAGE_SZ;
	} else {
		x.offset = edge_u64(c, bar);
		x.length = edge_u64(c, bar);
		if (chance(&c->r, 10))
			x.fd_flags |= 1u << rnd(&c->r, 32);
	}
	x.fd = (int)rng_next(&c->r);	/* out only */
	/* shm_ioc_export()'s order */
	if (x.fd_flags & ~(O_CLOEXEC | O_ACCMODE) || !x.length ||
	    (x.offset | x.length) & (PAGE_SZ - 1))
		want(c, ESET(EINVAL));
	else if (__builtin_add_overflow(x.offset, x.length, &end))
		want(c, ESET(EOVERFLOW));
	else if (end > bar)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_EDU_SHM), C_SHM_EXPORT);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, QEMU_EDU_SHM_IOC_EXPORT, badp ? bad_ptr(c) : &x, &err);
	record(c, call, ret, err, "fd=%d(%d) off=0x%llx len=0x%llx fd_flags=0x%x%s",
	       a.fd, a.kind, (unsigned long long)x.offset,
	       (unsigned long long)x.length, x.fd_flags, badp ? " badptr" : "");
	if (!ret && !badp && call == C_SHM_EXPORT) {
		slot_unlock_all(c);
		slot_install(c, x.fd, K_DMABUF, EXP_EDU_SHM,
			     SLOT_REVOCABLE | acc_flags(x.fd_flags & O_ACCMODE),
			     x.length);
	}
}

/* --- sync_files, pipes, devices --------------------------------------------- */

/* A signalled fence: created on a fresh timeline, which is then advanced */
static void gen_sync_file(struct fctx *c)
{
	struct sw_sync_create_fence_data d = { 0 };
	uint32_t one = 1;
	int tl, err;
	long ret;

	tl = open("/sys/kernel/debug/sync/sw_sync", O_RDWR | O_CLOEXEC);
	if (tl < 0)
		return;
	d.value = 1;
	snprintf(d.name, sizeof(d.name), "fuzz");
	ret = xioctl(tl, SW_SYNC_IOC_CREATE_FENCE, &d, &err);
	record(c, C_SYNC_FILE_NEW, ret, err, "value=1");
	ioctl(tl, SW_SYNC_IOC_INC, &one);
	close(tl);
	if (!ret)
		slot_install(c, d.fence, K_SYNC_FILE, 0, 0, 0);
}

static void gen_pipe(struct fctx *c)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return;
	slot_install(c, p[0], K_PIPE, 0, SLOT_NOWRITE, 0);
	slot_install(c, p[1], K_PIPE, 0, SLOT_NOREAD, 0);
}

static void gen_open_dev(struct fctx *c)
{
	int fd;

	switch (rnd(&c->r, 3)) {
	case 0:
		if (!devs.nr_heaps)
			return;
		{
			int h = rnd(&c->r, devs.nr_heaps);

			fd = open(devs.heap_path[h], O_RDONLY | O_CLOEXEC);
			if (fd >= 0)
				slot_install(c, fd, K_HEAP, h, 0, 0);
		}
		return;
	case 1:
		if (!devs.udmabuf)
			return;
		fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			slot_install(c, fd, K_UDMABUF_DEV, 0, 0, 0);
		return;
	default:
		if (!devs.nr_shm)
			return;
		{
			int s = rnd(&c->r, devs.nr_shm);

			fd = open(devs.shm_path[s], O_RDWR | O_CLOEXEC);
			if (fd >= 0)
				slot_install(c, fd, K_EDU_SHM, s, 0, 0);
		}
	}
}

static bool have_udmabuf(void) { return devs.udmabuf; }
static bool have_heaps(void) { return devs.nr_heaps > 0; }
static bool have_shm(void) { return devs.nr_shm > 0; }
static bool have_sw_sync(void) { return devs.sw_sync; }

const struct gen alloc_gens[] = {
	{ "memfd", gen_memfd, 5 },
	{ "udmabuf-create", gen_udmabuf_create, 6, have_udmabuf },
	{ "udmabuf-create-list", gen_udmabuf_create_list, 4, have_udmabuf },
	{ "heap-alloc", gen_heap_alloc, 10, have_heaps },
	{ "edu-shm-info", gen_shm_info, 1, have_shm },
	{ "edu-shm-export", gen_shm_export, 4, have_shm },
	{ "sync-file", gen_sync_file, 2, have_sw_sync },
	{ "pipe", gen_pipe, 1 },
	{ "open-device", gen_open_dev, 4 },
};
const int nr_alloc_gens = ARRAY_SIZE(alloc_gens);
