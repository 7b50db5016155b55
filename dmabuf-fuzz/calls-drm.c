// SPDX-License-Identifier: GPL-2.0
/*
 * Generators for DRM PRIME on vgem: MODE_CREATE_DUMB (small valid
 * buffers, or sizes that overflow), PRIME_HANDLE_TO_FD (its dma-bufs join
 * the table), PRIME_FD_TO_HANDLE (any fd of the table: heap, udmabuf,
 * V4L2, edu BAR buffers), GEM_CLOSE.  The handles a DRM fd holds are kept
 * in its slot.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>

#include "fuzz.h"

static void gen_drm_open(struct fctx *c)
{
	int d = rnd(&c->r, devs.nr_drm), fd, err;

	fd = open(devs.drm_path[d], O_RDWR | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	record(c, C_DRM_OPEN, fd, err, "%s", devs.drm_path[d]);
	if (fd >= 0)
		slot_install(c, fd, K_DRM, d, 0, 0);
}

static void add_handle(int slot, uint32_t h)
{
	struct slot *s = &slots[slot];

	pthread_mutex_lock(&s->meta);
	if (s->nr_handles < NR_HANDLES)
		s->handles[s->nr_handles++] = h;
	pthread_mutex_unlock(&s->meta);
}

/* A handle the fd holds, mostly; or one it most likely does not */
static uint32_t pick_handle(struct fctx *c, const struct fdarg *a, bool *known)
{
	struct slot *s;
	uint32_t h = 0;

	*known = false;
	if (a->kind != K_DRM || chance(&c->r, 15))
		return chance(&c->r, 50) ? 0 : 0x7fff0000 + rnd(&c->r, 0xffff);
	s = &slots[a->slot];
	pthread_mutex_lock(&s->meta);
	if (s->nr_handles) {
		h = s->handles[rnd(&c->r, s->nr_handles)];
		*known = true;
	}
	pthread_mutex_unlock(&s->meta);
	return h;
}

static void drop_handle(int slot, uint32_t h)
{
	struct slot *s = &slots[slot];
	int i;

	pthread_mutex_lock(&s->meta);
	for (i = 0; i < s->nr_handles; i++)
		if (s->handles[i] == h) {
			s->handles[i] = s->handles[--s->nr_handles];
			break;
		}
	pthread_mutex_unlock(&s->meta);
}

static void gen_create_dumb(struct fctx *c)
{
	static const uint32_t bpps[] = { 8, 16, 24, 32 };
	struct drm_mode_create_dumb d = { 0 };
	struct fdarg a;
	bool badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DRM), &a);
	/* valid buffers stay small: a vgem object may be imported and pinned */
	d.width = 1 + rnd(&c->r, 256);
	d.height = 1 + rnd(&c->r, 256);
	d.bpp = bpps[rnd(&c->r, 4)];
	switch (rnd(&c->r, 8)) {
	case 0:
		*((uint32_t *[]){ &d.width, &d.height, &d.bpp })[rnd(&c->r, 3)] = 0;
		want(c, ESET(EINVAL));
		break;
	case 1:		/* cpp * width or height * stride past U32_MAX */
		d.width = 0x40000000 + rnd(&c->r, 0x3fffffff);
		d.bpp = 32;
		want(c, ESET(EINVAL));
		break;
	case 2:
		d.bpp = 0xfffffff8 + rnd(&c->r, 8);
		want(c, ESET(EINVAL));
		break;
	case 3:
		d.height = 0x80000000u + rnd(&c->r, 0x7fffffff);
		d.width = 256;
		want(c, ESET(EINVAL));
		break;
	case 4:		/* outputs are overwritten; 6.12 checks no flags */
		d.handle = rng_next(&c->r);
		d.pitch = rng_next(&c->r);
		d.size = rng_next(&c->r);
		d.flags = chance(&c->r, 50) ? rng_next(&c->r) : 0;
		break;
	}
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DRM), C_DRM_CREATE_DUMB);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DRM_IOCTL_MODE_CREATE_DUMB, badp ? bad_ptr(c) : &d, &err);
	record(c, call, ret, err, "fd=%d(%d) %ux%u bpp %u flags=0x%x%s", a.fd, a.kind,
	       d.width, d.height, d.bpp, d.flags, badp ? " badptr" : "");
	if (!ret && !badp && call == C_DRM_CREATE_DUMB) {
		if (d.size < (uint64_t)d.height * d.pitch || !d.handle)
			record(c, call, 0, R_BADVAL, "size=%llu pitch=%u handle=%u",
			       (unsigned long long)d.size, d.pitch, d.handle);
		add_handle(a.slot, d.handle);
	}
}

static void gen_handle_to_fd(struct fctx *c)
{
	struct drm_prime_handle p = { 0 };
	struct fdarg a;
	bool known, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DRM), &a);
	p.handle = pick_handle(c, &a, &known);
	p.flags = chance(&c->r, 85) ? (DRM_CLOEXEC * rnd(&c->r, 2)) | (DRM_RDWR * rnd(&c->r, 2)) :
				      1u << rnd(&c->r, 32);
	p.fd = rng_next(&c->r);
	if (p.flags & ~(DRM_CLOEXEC | DRM_RDWR))
		want(c, ESET(EINVAL));
	else if (!known)
		want(c, ESET(ENOENT));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DRM), C_DRM_HANDLE_TO_FD);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, badp ? bad_ptr(c) : &p, &err);
	record(c, call, ret, err, "fd=%d(%d) handle=%u flags=0x%x%s", a.fd, a.kind,
	       p.handle, p.flags, badp ? " badptr" : "");
	if (!ret && !badp && call == C_DRM_HANDLE_TO_FD) {
		off_t size = lseek(p.fd, 0, SEEK_END);

		slot_unlock_all(c);
		slot_install(c, p.fd, K_DMABUF, EXP_VGEM,
			     p.flags & DRM_RDWR ? 0 : SLOT_NOWRITE, size > 0 ? size : 0);
	}
}

static void gen_fd_to_handle(struct fctx *c)
{
	struct drm_prime_handle p = { 0 };
	struct fdarg a, buf;
	bool badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DRM), &a);
	pick_fd(c, KM(K_DMABUF), &buf);
	p.fd = buf.fd;
	p.flags = chance(&c->r, 90) ? 0 : rng_next(&c->r);	/* ignored */
	/*
	 * vgem maps what it imports for device writes.  The claims of
	 * writer_import_ok() still let some of its overlaps through (seen
	 * in every bounded run, cause not found yet): with the exclusion,
	 * vgem imports no dma-buf at all (see README.md).
	 */
	if (a.kind == K_DRM && buf.kind == K_DMABUF &&
	    (excluded(F_DMA_DEBUG_OVERLAP) || !contig_seg_ok(buf.slot) ||
	     !writer_import_ok(buf.slot, slots[a.slot].fid)))
		return;
	if (buf.kind == K_NONE)
		want(c, ESET(EBADF));
	else if (buf.kind != K_DMABUF)
		want(c, ESET(EINVAL));
	else if (slots[buf.slot].flags & SLOT_REVOCABLE)
		/* vgem attaches as a static importer */
		want(c, ESET(EOPNOTSUPP));
	else
		want(c, ESET(0, ENOMEM, EIO));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DRM), C_DRM_FD_TO_HANDLE);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, badp ? bad_ptr(c) : &p, &err);
	record(c, call, ret, err, "fd=%d(%d) dmabuf=%d(%d,exp %d,size %llu)%s",
	       a.fd, a.kind, buf.fd, buf.kind,
	       buf.kind == K_DMABUF ? slots[buf.slot].dev : -1,
	       buf.kind == K_DMABUF ? (unsigned long long)slots[buf.slot].size : 0,
	       badp ? " badptr" : "");
	if (!ret && !badp && call == C_DRM_FD_TO_HANDLE)
		add_handle(a.slot, p.handle);
}

static void gen_gem_close(struct fctx *c)
{
	struct drm_gem_close g = { 0 };
	struct fdarg a;
	bool known, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_DRM), &a);
	g.handle = pick_handle(c, &a, &known);
	/* drm_gem_close_ioctl() does not look at pad (6.12) */
	if (chance(&c->r, 5))
		g.pad = rng_next(&c->r) | 1;
	/* a known handle may be closed by another thread, or a dup'ed fd */
	if (!known)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_DRM), C_DRM_GEM_CLOSE);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, DRM_IOCTL_GEM_CLOSE, badp ? bad_ptr(c) : &g, &err);
	record(c, call, ret, err, "fd=%d(%d) handle=%u pad=0x%x%s", a.fd, a.kind,
	       g.handle, g.pad, badp ? " badptr" : "");
	if (!ret && call == C_DRM_GEM_CLOSE)
		drop_handle(a.slot, g.handle);
}

static bool have_vgem(void) { return devs.nr_drm > 0; }

const struct gen drm_gens[] = {
	{ "drm-open", gen_drm_open, 2, have_vgem },
	{ "drm-create-dumb", gen_create_dumb, 4, have_vgem },
	{ "drm-handle-to-fd", gen_handle_to_fd, 4, have_vgem },
	{ "drm-fd-to-handle", gen_fd_to_handle, 5, have_vgem },
	{ "drm-gem-close", gen_gem_close, 3, have_vgem },
};
const int nr_drm_gens = ARRAY_SIZE(drm_gens);
