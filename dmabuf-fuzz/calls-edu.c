// SPDX-License-Identifier: GPL-2.0
/*
 * Generators for the edu importer, /dev/qemu_eduN (uapi
 * include/uapi/misc/qemu_edu.h): ATTACH any fd as a dma-buf, CHECKSUM
 * and WRITE (the device moves data: each transfer takes ~100 ms of
 * emulated time, so windows are at most 8 KiB and every op that can move
 * data takes a token, see edu_dma_token()), PAGE_CHECKSUM, DETACH.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <misc/qemu_edu.h>

#include "fuzz.h"

#define EDU_WIN_MAX	8192	/* bytes a valid window may have */

static void gen_edu_open(struct fctx *c)
{
	int e = rnd(&c->r, devs.nr_edu), fd, err;

	fd = open(devs.edu_path[e], O_RDWR | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	record(c, C_EDU_OPEN, fd, err, "%s", devs.edu_path[e]);
	if (fd >= 0)
		slot_install(c, fd, K_EDU, e, 0, 0);
}

static void gen_edu_attach(struct fctx *c)
{
	struct qemu_edu_attach a = { 0 };
	struct fdarg edu, buf;
	uint64_t size = 0, end;
	bool badp = chance(&c->r, 4), p2p = false, *p2pf;
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU), &edu);
	pick_fd(c, KM(K_DMABUF), &buf);
	if (buf.kind == K_DMABUF) {
		size = slots[buf.slot].size;
		p2p = slots[buf.slot].dev == EXP_P2PMEM ||
		      slots[buf.slot].dev == EXP_EDU_SHM;
	}
	a.fd = buf.fd;
	a.dir = rnd(&c->r, 3);
	a.api = rnd(&c->r, 2);
	a.flags = chance(&c->r, 30) ? QEMU_EDU_ATTACH_NO_P2P : 0;
	a.length = 1 + rnd(&c->r, EDU_WIN_MAX);
	if (size && a.length > size)
		a.length = size;
	a.offset = size > a.length ? rnd(&c->r, size - a.length + 1) : 0;
	if (chance(&c->r, 30))
		a.offset &= ~(PAGE_SZ - 1);
	/* device-writable mappings collide in DMA-API debugging */
	if (excluded(F_DMA_DEBUG_OVERLAP))
		a.dir = QEMU_EDU_DIR_TO_DEVICE;
	if (buf.kind == K_DMABUF && !contig_seg_ok(buf.slot))
		return;
	/*
	 * dma_buf_dynamic_attach() maps a non-dynamic exporter's buffer at
	 * once, DMA_BIDIRECTIONAL, for the edu: a device-writable mapping.
	 */
	if (buf.kind == K_DMABUF && edu.kind == K_EDU &&
	    !writer_import_ok(buf.slot, slots[edu.slot].fid))
		return;
	switch (rnd(&c->r, 14)) {
	case 0: a.length = 0; break;
	case 1: a.offset = size - a.length + 1 + rnd(&c->r, 2 * PAGE_SZ); break;
	case 2: a.offset = ~0ULL - rnd(&c->r, 16); break;	/* wraps */
	case 3: a.length = (1ULL << 40) << rnd(&c->r, 23); break;
	case 4: a.dir = 3 + rnd(&c->r, 1000); break;
	case 5: a.api = 2 + (uint32_t)rng_next(&c->r) % 0xfffffffe; break;
	case 6: a.flags = 1u << rnd(&c->r, 32); break;
	case 7: a.nr_ranges = rng_next(&c->r); a.win_ranges = rng_next(&c->r); break;
	}
	/* edu_ioc_attach()'s order; EBUSY if this file holds an attachment */
	if ((a.flags & ~QEMU_EDU_ATTACH_FLAGS) || a.api > QEMU_EDU_API_SGT ||
	    a.dir > QEMU_EDU_DIR_BIDIRECTIONAL || !a.length)
		want(c, ESET(EINVAL));
	else if (__builtin_add_overflow(a.offset, a.length, &end))
		want(c, ESET(EOVERFLOW));
	else if (buf.kind == K_NONE)
		want(c, ESET(EBADF, EBUSY));
	else if (buf.kind != K_DMABUF || end > size)
		want(c, ESET(EINVAL, EBUSY));
	else if (p2p)
		/* EREMOTEIO: NO_P2P, or a provider the edu cannot reach */
		want(c, ESET(0, EBUSY, ENOMEM, EREMOTEIO));
	else
		want(c, ESET(0, EBUSY, ENOMEM));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &edu, KM(K_EDU), C_EDU_ATTACH);
	if (c->wrong_kind)
		badp = false;
	if (edu.kind == K_EDU)
		edu_file_lock(slots[edu.slot].fid, &p2pf);
	ret = xioctl(edu.fd, QEMU_EDU_IOC_ATTACH, badp ? bad_ptr(c) : &a, &err);
	/* an attachment the edu cannot move data of, in QEMU */
	if (edu.kind == K_EDU) {
		if (!ret && buf.kind == K_DMABUF)
			*p2pf = !p2p_dma_emulated(devs.edu_switch[slots[edu.slot].dev],
						  buf.slot);
		edu_file_unlock(slots[edu.slot].fid);
	}
	record(c, call, ret, err,
	       "edu=%d(%d) buf=%d(%d,exp %d,size 0x%llx) off=0x%llx len=0x%llx dir=%u api=%u flags=0x%x%s",
	       edu.fd, edu.kind, buf.fd, buf.kind,
	       buf.kind == K_DMABUF ? slots[buf.slot].dev : -1,
	       (unsigned long long)size, (unsigned long long)a.offset,
	       (unsigned long long)a.length, a.dir, a.api, a.flags,
	       badp ? " badptr" : "");
	if (!ret && !badp && call == C_EDU_ATTACH &&
	    (a.win_ranges > a.nr_ranges || !a.win_ranges))
		record(c, C_EDU_ATTACH, 0, R_BADVAL, "nr_ranges=%u win_ranges=%u",
		       a.nr_ranges, a.win_ranges);
}

static void gen_edu_checksum(struct fctx *c)
{
	struct qemu_edu_range ranges[8];
	struct qemu_edu_checksum k = { 0 };
	bool *p2pf = NULL;
	struct fdarg edu;
	bool badp = chance(&c->r, 3), badranges = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU), &edu);
	k.ranges = (uintptr_t)(badranges ? bad_ptr(c) : ranges);
	switch (rnd(&c->r, 8)) {
	case 0: k.nr_ranges = 0; break;
	case 1: k.flags = 1u << rnd(&c->r, 32); break;
	case 2: k.pad = rng_next(&c->r) | 1; break;
	default: k.nr_ranges = 1 + rnd(&c->r, ARRAY_SIZE(ranges));
	}
	if (edu.kind == K_EDU)
		edu_file_lock(slots[edu.slot].fid, &p2pf);
	/* it moves data only with valid flags and room for the ranges */
	if (!k.flags && !k.pad && k.nr_ranges &&
	    ((p2pf && *p2pf) || !edu_dma_token(c)))
		k.nr_ranges = 0;	/* ENOSPC before any transfer */
	if (k.flags || k.pad)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &edu, KM(K_EDU), C_EDU_CHECKSUM);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(edu.fd, QEMU_EDU_IOC_CHECKSUM, badp ? bad_ptr(c) : &k, &err);
	if (edu.kind == K_EDU)
		edu_file_unlock(slots[edu.slot].fid);
	record(c, call, ret, err, "edu=%d(%d) nr_ranges=%u flags=0x%x pad=0x%x%s%s",
	       edu.fd, edu.kind, k.nr_ranges, k.flags, k.pad,
	       badranges ? " bad-ranges-ptr" : "", badp ? " badptr" : "");
}

static void gen_edu_write(struct fctx *c)
{
	struct qemu_edu_write w = { 0 };
	bool *p2pf = NULL;
	struct fdarg edu;
	bool badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU), &edu);
	w.seed = rnd(&c->r, 256);
	switch (rnd(&c->r, 6)) {
	case 0: w.flags = 1u << rnd(&c->r, 32); break;
	case 1: w.seed = 256 + (uint32_t)rng_next(&c->r) % 0xffffff00; break;
	}
	if (edu.kind == K_EDU)
		edu_file_lock(slots[edu.slot].fid, &p2pf);
	/* no room to refuse before the transfers: no token, no valid write */
	if (!w.flags && w.seed < 256 && ((p2pf && *p2pf) || !edu_dma_token(c)))
		w.flags = 1;
	if (w.flags || w.seed > 255)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &edu, KM(K_EDU), C_EDU_WRITE);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(edu.fd, QEMU_EDU_IOC_WRITE, badp ? bad_ptr(c) : &w, &err);
	if (edu.kind == K_EDU)
		edu_file_unlock(slots[edu.slot].fid);
	record(c, call, ret, err, "edu=%d(%d) seed=%u flags=0x%x%s", edu.fd,
	       edu.kind, w.seed, w.flags, badp ? " badptr" : "");
}

static void gen_edu_page_checksum(struct fctx *c)
{
	struct qemu_edu_page_checksum p = { 0 };
	struct fdarg edu;
	bool badp = chance(&c->r, 4);
	enum fuzz_call call;
	uint64_t end;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU), &edu);
	if (chance(&c->r, 70)) {
		p.offset = rnd(&c->r, 4 * PAGE_SZ);
		p.length = 1 + rnd(&c->r, 2 * PAGE_SZ);
	} else {
		p.offset = edge_u64(c, 64 * 1024);
		p.length = edge_u64(c, 64 * 1024);
	}
	if (chance(&c->r, 5))
		p.flags = 1u << rnd(&c->r, 32);
	if (chance(&c->r, 5))
		p.pad = rng_next(&c->r) | 1;
	if (p.flags || p.pad || !p.length)
		want(c, ESET(EINVAL));
	else if (__builtin_add_overflow(p.offset, p.length, &end))
		want(c, ESET(EOVERFLOW));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &edu, KM(K_EDU), C_EDU_PAGE_CHECKSUM);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(edu.fd, QEMU_EDU_IOC_PAGE_CHECKSUM, badp ? bad_ptr(c) : &p, &err);
	record(c, call, ret, err, "edu=%d(%d) off=0x%llx len=0x%llx flags=0x%x pad=0x%x%s",
	       edu.fd, edu.kind, (unsigned long long)p.offset,
	       (unsigned long long)p.length, p.flags, p.pad, badp ? " badptr" : "");
}

static void gen_edu_detach(struct fctx *c)
{
	bool *p2pf;
	struct fdarg edu;
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU), &edu);
	call = fd_target(c, &edu, KM(K_EDU), C_EDU_DETACH);
	if (edu.kind == K_EDU)
		edu_file_lock(slots[edu.slot].fid, &p2pf);
	ret = xioctl(edu.fd, QEMU_EDU_IOC_DETACH, NULL, &err);
	if (edu.kind == K_EDU) {
		if (!ret)
			*p2pf = false;
		edu_file_unlock(slots[edu.slot].fid);
	}
	record(c, call, ret, err, "edu=%d(%d)", edu.fd, edu.kind);
}

static const unsigned long edu_cmds[] = {
	QEMU_EDU_IOC_ATTACH, QEMU_EDU_IOC_CHECKSUM, QEMU_EDU_IOC_WRITE,
	QEMU_EDU_IOC_DETACH, QEMU_EDU_IOC_PAGE_CHECKSUM,
};

static void gen_edu_bad_ioctl(struct fctx *c)
{
	unsigned char arg[128] = { 0 };
	struct fdarg edu;
	unsigned long cmd;
	size_t i;
	long ret;
	int err;

	pick_fd(c, KM(K_EDU), &edu);
	if (edu.kind != K_EDU)
		return;
	cmd = _IOC(rnd(&c->r, 4), QEMU_EDU_IOC_MAGIC, rnd(&c->r, 16),
		   rnd(&c->r, sizeof(arg)));
	for (i = 0; i < ARRAY_SIZE(edu_cmds); i++)
		if (cmd == edu_cmds[i])
			return;
	want(c, ESET(ENOTTY));
	ret = xioctl(edu.fd, cmd, arg, &err);
	record(c, C_EDU_BAD_IOCTL, ret, err, "edu=%d cmd=0x%lx", edu.fd, cmd);
}

static bool have_edu(void) { return devs.nr_edu > 0; }

const struct gen edu_gens[] = {
	{ "edu-open", gen_edu_open, 3, have_edu },
	{ "edu-attach", gen_edu_attach, 10, have_edu },
	{ "edu-checksum", gen_edu_checksum, 4, have_edu },
	{ "edu-write", gen_edu_write, 3, have_edu },
	{ "edu-page-checksum", gen_edu_page_checksum, 4, have_edu },
	{ "edu-detach", gen_edu_detach, 5, have_edu },
	{ "edu-unknown-ioctl", gen_edu_bad_ioctl, 1, have_edu },
};
const int nr_edu_gens = ARRAY_SIZE(edu_gens);
