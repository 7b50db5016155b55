// SPDX-License-Identifier: GPL-2.0
/*
 * Generators for what user space does with a dma-buf fd, whoever
 * exported it: the ioctls of <linux/dma-buf.h>, mmap and touching the
 * mapping, munmap, read, lseek, poll; and close and dup of any slot.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "fuzz.h"

/* Kinds whose mmap we know fails: no mmap method (or no read access) */
#define KM_NO_MMAP (KM(K_PIPE) | KM(K_SYNC_FILE) | KM(K_UDMABUF_DEV) | \
		    KM(K_EDU) | KM(K_EDU_SHM))

static uint64_t sync_flags(struct fctx *c, bool *valid)
{
	static const uint64_t good[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	uint64_t f;

	if (chance(&c->r, 80)) {
		*valid = true;
		return good[rnd(&c->r, 3)] |
			(chance(&c->r, 50) ? DMA_BUF_SYNC_END : DMA_BUF_SYNC_START);
	}
	f = chance(&c->r, 50) ? 1ULL << rnd(&c->r, 64) : rng_next(&c->r);
	if (chance(&c->r, 30))
		f &= DMA_BUF_SYNC_VALID_FLAGS_MASK;
	*valid = (f & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) == 0 &&
		 (f & DMA_BUF_SYNC_RW) != 0;
	return f;
}

static void gen_sync(struct fctx *c)
{
	struct dma_buf_sync s = { 0 };
	struct fdarg a;
	bool valid, badp = chance(&c->r, 5);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DMABUF), &a);
	s.flags = sync_flags(c, &valid);
	if (!valid)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DMABUF), C_DMABUF_SYNC);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DMA_BUF_IOCTL_SYNC, badp ? bad_ptr(c) : &s, &err);
	record(c, call, ret, err, "fd=%d(%d) flags=0x%llx%s", a.fd, a.kind,
	       (unsigned long long)s.flags, badp ? " badptr" : "");
}

static void gen_set_name(struct fctx *c)
{
	char name[128];
	struct fdarg a;
	unsigned long cmd = chance(&c->r, 50) ? DMA_BUF_SET_NAME_A :
						DMA_BUF_SET_NAME_B;
	unsigned int len;
	bool badp = chance(&c->r, 5);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DMABUF), &a);
	switch (rnd(&c->r, 4)) {
	case 0:
		len = DMA_BUF_NAME_LEN;		/* no room for the NUL */
		break;
	case 1:
		len = DMA_BUF_NAME_LEN + rnd(&c->r, 90);
		break;
	default:
		len = rnd(&c->r, DMA_BUF_NAME_LEN);
	}
	memset(name, 'a' + rnd(&c->r, 26), len);
	name[len] = 0;
	if (len >= DMA_BUF_NAME_LEN)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DMABUF), C_DMABUF_SET_NAME);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, cmd, badp ? bad_ptr(c) : name, &err);
	record(c, call, ret, err, "fd=%d(%d) %s len=%u%s", a.fd, a.kind,
	       cmd == DMA_BUF_SET_NAME_A ? "A" : "B", len, badp ? " badptr" : "");
}

static uint32_t rw_flags(struct fctx *c, bool *valid)
{
	uint32_t f;

	if (chance(&c->r, 80))
		f = 1 + rnd(&c->r, 3);
	else
		f = chance(&c->r, 50) ? 1u << rnd(&c->r, 32) : (uint32_t)rng_next(&c->r);
	*valid = f && !(f & ~DMA_BUF_SYNC_RW);
	return f;
}

static void gen_export_sync(struct fctx *c)
{
	struct dma_buf_export_sync_file x = { 0 };
	struct fdarg a;
	bool valid, badp = chance(&c->r, 5);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DMABUF), &a);
	x.flags = rw_flags(c, &valid);
	x.fd = chance(&c->r, 80) ? -1 : (int)rng_next(&c->r);	/* out only */
	if (!valid)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DMABUF), C_DMABUF_EXPORT_SYNC);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, badp ? bad_ptr(c) : &x, &err);
	record(c, call, ret, err, "fd=%d(%d) flags=0x%x%s", a.fd, a.kind,
	       x.flags, badp ? " badptr" : "");
	if (!ret && call == C_DMABUF_EXPORT_SYNC && !badp) {
		slot_unlock_all(c);
		slot_install(c, x.fd, K_SYNC_FILE, 0, 0, 0);
	}
}

static void gen_import_sync(struct fctx *c)
{
	struct dma_buf_import_sync_file x = { 0 };
	struct fdarg a, f;
	bool valid, badp = chance(&c->r, 5);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DMABUF), &a);
	pick_fd(c, KM(K_SYNC_FILE), &f);
	x.flags = rw_flags(c, &valid);
	x.fd = f.fd;
	/* sync_file_get_fence() fails: EINVAL, after the flags' EINVAL */
	if (!valid || f.kind != K_SYNC_FILE)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DMABUF), C_DMABUF_IMPORT_SYNC);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, badp ? bad_ptr(c) : &x, &err);
	record(c, call, ret, err, "fd=%d(%d) sync_fd=%d(%d) flags=0x%x%s", a.fd,
	       a.kind, f.fd, f.kind, x.flags, badp ? " badptr" : "");
}

static const unsigned long dmabuf_cmds[] = {
	DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME_A, DMA_BUF_SET_NAME_B,
	DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
};

/* A command dma_buf_ioctl() does not know: ENOTTY */
static void gen_bad_ioctl(struct fctx *c)
{
	unsigned char arg[256] = { 0 };
	unsigned long cmd;
	struct fdarg a;
	enum fuzz_call call;
	size_t i;
	long ret;
	int err;

	pick_fd(c, KM(K_DMABUF), &a);
	switch (rnd(&c->r, 3)) {
	case 0:		/* 'b', another number, size or direction */
		cmd = _IOC(rnd(&c->r, 4), 'b', rnd(&c->r, 8), rnd(&c->r, 64));
		break;
	case 1:		/* 'b', any number */
		cmd = _IOC(rnd(&c->r, 4), 'b', rnd(&c->r, 256), rnd(&c->r, 256));
		break;
	default:
		cmd = (uint32_t)rng_next(&c->r);
		cmd = _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
			   _IOC_SIZE(cmd) % sizeof(arg));
	}
	for (i = 0; i < ARRAY_SIZE(dmabuf_cmds); i++)
		if (cmd == dmabuf_cmds[i])
			return;
	if (a.kind != K_DMABUF)
		return;		/* other handlers know other commands */
	want(c, ESET(ENOTTY));
	call = fd_target(c, &a, KM(K_DMABUF), C_DMABUF_BAD_IOCTL);
	ret = xioctl(a.fd, cmd, arg, &err);
	record(c, call, ret, err, "fd=%d cmd=0x%lx", a.fd, cmd);
}

static void gen_mmap(struct fctx *c)
{
	static const int prots[] = {
		PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE, PROT_NONE,
	};
	struct fdarg a;
	uint64_t size = 0, len, off;
	int prot = prots[rnd(&c->r, 4)], flags = MAP_SHARED, m, err;
	unsigned int sflags = 0;
	enum fuzz_call call = C_DMABUF_MMAP;
	bool valid = true;
	void *p;

	if (chance(&c->r, 8))
		flags = MAP_PRIVATE;
	pick_fd(c, KM(K_DMABUF), &a);
	if (a.kind == K_DMABUF) {
		size = slots[a.slot].size;
		sflags = slots[a.slot].flags;
	}
	/* mostly a page-aligned window inside the buffer */
	if (a.kind != K_DMABUF) {
		off = 0;	/* a window valid for any buffer: the fd is wrong */
		len = PAGE_SZ;
	} else if (chance(&c->r, 75) && size >= PAGE_SZ) {
		uint64_t pages = size / PAGE_SZ;

		off = rnd(&c->r, pages);
		len = (1 + rnd(&c->r, pages - off)) * PAGE_SZ;
		if (len > 16 * PAGE_SZ && chance(&c->r, 70))
			len = 16 * PAGE_SZ;
		off *= PAGE_SZ;
	} else {
		uint64_t alen, end;

		off = edge_u64(c, size) & ~(PAGE_SZ - 1);
		len = edge_u64(c, size);
		if (chance(&c->r, 10))
			off |= 1 + rnd(&c->r, PAGE_SZ - 1);	/* unaligned */
		alen = (len + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
		valid = len && alen && !(off & (PAGE_SZ - 1)) &&
			!__builtin_add_overflow(off, alen, &end) && end <= size;
		/* past the end: do_mmap() or dma_buf_mmap_internal() */
		if (!valid && (sflags & (SLOT_NOREAD | SLOT_NOWRITE)))
			want(c, ESET(EINVAL, ENOMEM, EOVERFLOW, EACCES));
		else if (!valid)
			want(c, ESET(EINVAL, ENOMEM, EOVERFLOW));
	}
	if (a.kind == K_NONE) {
		want(c, ESET(EBADF));
		call = C_BAD_FD;
	} else if (a.kind != K_DMABUF) {
		if (!(KM(a.kind) & KM_NO_MMAP))
			return;
		want(c, ESET(ENODEV, EACCES));
		call = C_WRONG_KIND_MMAP;
	}
	m = map_lock_free(c);
	if (m < 0)
		return;
	p = mmap(NULL, len, prot, flags, a.fd, off);
	err = p == MAP_FAILED ? errno : 0;
	record(c, call, p == MAP_FAILED ? -1 : 0, err,
	       "fd=%d(%d) size=%llu off=0x%llx len=0x%llx prot=%d %s", a.fd, a.kind,
	       (unsigned long long)size, (unsigned long long)off,
	       (unsigned long long)len, prot, flags == MAP_SHARED ? "shared" : "private");
	if (p != MAP_FAILED) {
		maps[m].addr = p;
		maps[m].len = (len + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
		maps[m].prot = prot;
		maps[m].flags = sflags;
	}
	map_unlock(m, true);
}

static void gen_munmap(struct fctx *c)
{
	int m = map_lock_used(c, true), ret, err;
	struct map *mp;

	if (m < 0)
		return;
	mp = &maps[m];
	if (chance(&c->r, 10)) {
		/* unaligned: EINVAL, nothing unmapped */
		want(c, ESET(EINVAL));
		ret = munmap((char *)mp->addr + 1 + rnd(&c->r, PAGE_SZ - 1), PAGE_SZ);
		err = ret ? errno : 0;
		record(c, C_DMABUF_MUNMAP, ret, err, "unaligned in map %d", m);
	} else if (mp->len > PAGE_SZ && chance(&c->r, 30)) {
		/* the first page only: the rest stays mapped */
		ret = munmap(mp->addr, PAGE_SZ);
		err = ret ? errno : 0;
		record(c, C_DMABUF_MUNMAP, ret, err, "first page of map %d", m);
		if (!ret) {
			mp->addr = (char *)mp->addr + PAGE_SZ;
			mp->len -= PAGE_SZ;
		}
	} else {
		ret = munmap(mp->addr, mp->len);
		err = ret ? errno : 0;
		record(c, C_DMABUF_MUNMAP, ret, err, "map %d len 0x%zx", m, mp->len);
		if (!ret)
			mp->addr = NULL;
	}
	map_unlock(m, true);
}

static void gen_touch(struct fctx *c)
{
	int m = map_lock_used(c, false), res;
	struct map *mp;
	size_t off;
	bool write;

	if (m < 0)
		return;
	mp = &maps[m];
	if (!(mp->prot & PROT_READ)) {
		map_unlock(m, false);
		return;
	}
	write = (mp->prot & PROT_WRITE) && chance(&c->r, 50);
	off = chance(&c->r, 30) ? mp->len - 1 : rnd(&c->r, mp->len);
	if (!(mp->flags & SLOT_REVOCABLE))
		want(c, ESET(0));
	res = touch((unsigned char *)mp->addr + off, write);
	record(c, C_DMABUF_TOUCH, 0, res, "map %d off 0x%zx of 0x%zx %s", m, off,
	       mp->len, write ? "write" : "read");
	map_unlock(m, false);
}

static void gen_read(struct fctx *c)
{
	char buf[64];
	struct fdarg a;
	ssize_t ret;
	int err;

	pick_fd(c, KM(K_DMABUF), &a);
	if (a.kind != K_DMABUF && a.kind != K_NONE)
		return;
	/* dma_buf_fops has no read method; fds without FMODE_READ: EBADF */
	want(c, ESET(EINVAL, EBADF));
	ret = read(a.fd, buf, rnd(&c->r, sizeof(buf)));
	err = ret < 0 ? errno : 0;
	record(c, a.kind == K_NONE ? C_BAD_FD : C_DMABUF_READ, ret, err,
	       "fd=%d(%d)", a.fd, a.kind);
}

static void gen_lseek(struct fctx *c)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE, 7 };
	struct fdarg a;
	int whence = whences[rnd(&c->r, ARRAY_SIZE(whences))], err;
	off_t off = chance(&c->r, 70) ? 0 : (off_t)edge_u64(c, 4096);
	off_t ret;

	pick_fd(c, KM(K_DMABUF), &a);
	if (a.kind != K_DMABUF)
		return;
	if (off || (whence != SEEK_SET && whence != SEEK_END))
		want(c, ESET(EINVAL));
	ret = lseek(a.fd, off, whence);
	err = ret < 0 ? errno : 0;
	/* SEEK_END, 0 is how user space learns the size */
	if (!err && whence == SEEK_END && (uint64_t)ret != slots[a.slot].size)
		err = R_BADVAL;
	if (!err && whence == SEEK_SET && ret != 0)
		err = R_BADVAL;
	record(c, C_DMABUF_LSEEK, ret, err, "fd=%d off=%lld whence=%d -> %lld (size %llu)",
	       a.fd, (long long)off, whence, (long long)ret,
	       (unsigned long long)slots[a.slot].size);
}

static void gen_poll(struct fctx *c)
{
	struct pollfd p;
	struct fdarg a;
	int ret, err;

	pick_fd(c, KM(K_DMABUF), &a);
	if (a.kind != K_DMABUF)
		return;
	p.fd = a.fd;
	p.events = rng_next(&c->r);
	p.revents = 0;
	ret = poll(&p, 1, 0);
	err = ret < 0 ? errno : 0;
	record(c, C_DMABUF_POLL, ret, err, "fd=%d events=0x%x", a.fd, p.events);
}

static void gen_close(struct fctx *c)
{
	slot_close(c, rnd(&c->r, NR_SLOTS));
}

/* Another fd of the same object, in another slot */
static void gen_dup(struct fctx *c)
{
	struct slot copy;
	int i = slot_lock_kind(c, ~KM(K_NONE)), fd, err;

	if (i < 0)
		return;
	fd = fcntl(slot_fd(i), F_DUPFD_CLOEXEC, 0);
	err = fd < 0 ? errno : 0;
	record(c, C_FD_DUP, fd, err, "slot %d fd %d kind %d", i, slot_fd(i),
	       slots[i].kind);
	if (fd < 0)
		return;
	copy = slots[i];
	slot_unlock_all(c);
	c->inst_fid = copy.fid;
	memcpy(c->inst_mem, copy.mem, sizeof(copy.mem));
	c->inst_nr_mem = copy.nr_mem;
	c->inst_overlap = copy.mem_overlap;
	i = slot_install(c, fd, copy.kind, copy.dev, copy.flags, copy.size);
	if (i >= 0 && copy.kind == K_DRM) {
		/* the handles belong to the file, which both fds share */
		memcpy(slots[i].handles, copy.handles, sizeof(copy.handles));
		slots[i].nr_handles = copy.nr_handles;
	}
}

const struct gen dmabuf_gens[] = {
	{ "dmabuf-sync", gen_sync, 10 },
	{ "dmabuf-set-name", gen_set_name, 4 },
	{ "dmabuf-export-sync-file", gen_export_sync, 4 },
	{ "dmabuf-import-sync-file", gen_import_sync, 4 },
	{ "dmabuf-unknown-ioctl", gen_bad_ioctl, 2 },
	{ "dmabuf-mmap", gen_mmap, 8 },
	{ "dmabuf-munmap", gen_munmap, 4 },
	{ "dmabuf-touch", gen_touch, 8 },
	{ "dmabuf-read", gen_read, 2 },
	{ "dmabuf-lseek", gen_lseek, 3 },
	{ "dmabuf-poll", gen_poll, 2 },
	{ "close", gen_close, 8 },
	{ "dup", gen_dup, 2 },
};
const int nr_dmabuf_gens = ARRAY_SIZE(dmabuf_gens);
