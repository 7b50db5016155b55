// SPDX-License-Identifier: GPL-2.0
/*
 * Generators for V4L2 streaming I/O with MMAP and DMABUF buffers, on the
 * edu mem2mem nodes (qemu_edu0-m2m-dma-sg, qemu_edu1-m2m-dma-contig) and
 * vivid's capture nodes: REQBUFS, CREATE_BUFS, QUERYBUF, QBUF (DMABUF:
 * any fd of the table), DQBUF, EXPBUF (its dma-bufs join the table),
 * STREAMON, STREAMOFF.  Nodes are opened non-blocking.  An edu node
 * copies each frame by DMA (~0.8 s): its QBUF and STREAMON take tokens.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "fuzz.h"

#define BAD_INDEX 1000		/* past any queue's maximum */

static void gen_v4l2_open(struct fctx *c)
{
	int d = rnd(&c->r, devs.nr_v4l2), fd, err;

	fd = open(devs.v4l2_path[d], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	record(c, C_V4L2_OPEN, fd, err, "%s", devs.v4l2_name[d]);
	if (fd >= 0)
		slot_install(c, fd, K_V4L2, d,
			     devs.v4l2_edu[d] ? SLOT_EDU_M2M : 0, 0);
}

/*
 * A buffer type: one the node has mostly; else the wrong direction (an
 * output type on a capture-only node) or one no node has.
 */
static uint32_t buf_type(struct fctx *c, const struct fdarg *a, bool *bad)
{
	static const uint32_t bad_types[] = { 0, 15, 0x80, 0xffffffff };
	int d = a->kind == K_V4L2 ? slots[a->slot].dev : 0;
	int t;

	*bad = false;
	if (a->kind == K_V4L2 && devs.v4l2_type[d][1] < 0 && chance(&c->r, 4)) {
		*bad = true;
		return V4L2_BUF_TYPE_VIDEO_OUTPUT;
	}
	if (chance(&c->r, 90)) {
		t = devs.v4l2_type[d][rnd(&c->r, 2)];
		if (t < 0)
			t = devs.v4l2_type[d][0];
		return t;
	}
	*bad = true;
	return bad_types[rnd(&c->r, ARRAY_SIZE(bad_types))];
}

static uint32_t memory(struct fctx *c, bool *bad)
{
	*bad = false;
	if (chance(&c->r, 92))
		return chance(&c->r, 50) ? V4L2_MEMORY_MMAP : V4L2_MEMORY_DMABUF;
	*bad = true;
	return chance(&c->r, 50) ? 0 : 5 + rnd(&c->r, 1000);
}

static bool edu_node(const struct fdarg *a)
{
	return a->kind == K_V4L2 && (slots[a->slot].flags & SLOT_EDU_M2M);
}

/*
 * What an ioctl with a bad argument the v4l2 core does not check must
 * give: EINVAL, or EBUSY on a vivid node, where vb2_ioctl_*() check first
 * that this file owns the queue (mem2mem files each have their own).
 */
static struct eset refused(const struct fdarg *a)
{
	return a->kind == K_V4L2 && !edu_node(a) ? ESET(EINVAL, EBUSY) : ESET(EINVAL);
}

static void gen_reqbufs(struct fctx *c)
{
	struct v4l2_requestbuffers rb = { 0 };
	struct fdarg a;
	bool badt, badm, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	rb.type = buf_type(c, &a, &badt);
	rb.memory = memory(c, &badm);
	rb.count = chance(&c->r, 90) ? rnd(&c->r, 6) : edge_u64(c, 64);
	if (chance(&c->r, 10))
		rb.flags = rng_next(&c->r);
	if (badt || badm)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), C_V4L2_REQBUFS);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, VIDIOC_REQBUFS, badp ? bad_ptr(c) : &rb, &err);
	record(c, call, ret, err, "fd=%d(%d) type=%u memory=%u count=%u flags=0x%x%s",
	       a.fd, a.kind, rb.type, rb.memory, rb.count, rb.flags,
	       badp ? " badptr" : "");
}

static void gen_create_bufs(struct fctx *c)
{
	struct v4l2_create_buffers cb = { 0 };
	struct fdarg a;
	bool badt, badm, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	cb.format.type = buf_type(c, &a, &badt);
	if (a.kind == K_V4L2 && !badt)
		ioctl(a.fd, VIDIOC_G_FMT, &cb.format);	/* a helper, not fuzzed */
	cb.memory = memory(c, &badm);
	cb.count = chance(&c->r, 90) ? rnd(&c->r, 4) : edge_u64(c, 64);
	if (chance(&c->r, 10) && !badt)
		cb.format.fmt.pix.sizeimage = rnd(&c->r, cb.format.fmt.pix.sizeimage + 1);
	if (badt || badm)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), C_V4L2_CREATE_BUFS);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, VIDIOC_CREATE_BUFS, badp ? bad_ptr(c) : &cb, &err);
	record(c, call, ret, err, "fd=%d(%d) type=%u memory=%u count=%u sizeimage=%u%s",
	       a.fd, a.kind, cb.format.type, cb.memory, cb.count,
	       cb.format.fmt.pix.sizeimage, badp ? " badptr" : "");
}

static void gen_querybuf(struct fctx *c)
{
	struct v4l2_buffer b = { 0 };
	struct fdarg a;
	bool badt, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	b.type = buf_type(c, &a, &badt);
	b.index = chance(&c->r, 85) ? rnd(&c->r, 6) : BAD_INDEX + rng_next(&c->r) % 1000000;
	if (badt || b.index >= BAD_INDEX)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), C_V4L2_QUERYBUF);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, VIDIOC_QUERYBUF, badp ? bad_ptr(c) : &b, &err);
	record(c, call, ret, err, "fd=%d(%d) type=%u index=%u%s", a.fd, a.kind,
	       b.type, b.index, badp ? " badptr" : "");
}

static void gen_qbuf(struct fctx *c)
{
	struct v4l2_buffer b = { 0 };
	struct fdarg a, buf = { .fd = -1, .slot = -1, .kind = K_NONE };
	bool badt, badm, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	b.type = buf_type(c, &a, &badt);
	b.memory = memory(c, &badm);
	b.index = chance(&c->r, 90) ? rnd(&c->r, 6) : BAD_INDEX + rnd(&c->r, 1000000);
	if (edu_node(&a) && !badt && !badm && b.index < BAD_INDEX &&
	    !edu_dma_token(c))
		b.index = BAD_INDEX;	/* refused before any frame runs */
	if (b.memory == V4L2_MEMORY_DMABUF) {
		pick_fd(c, KM(K_DMABUF), &buf);
		b.m.fd = buf.fd;
		b.length = chance(&c->r, 70) ? 0 :
			   (buf.kind == K_DMABUF ? edge_u64(c, slots[buf.slot].size) :
						   rng_next(&c->r));
	}
	if (V4L2_TYPE_IS_OUTPUT(b.type))
		b.bytesused = chance(&c->r, 80) ? 64 * 128 : rng_next(&c->r);
	if (chance(&c->r, 5))
		b.flags = rng_next(&c->r);
	/* v4l2_m2m_qbuf(): EPERM, where vidioc-qbuf.rst says EBADR */
	if (excluded(F_M2M_REQUEST_FD_EPERM) && edu_node(&a) &&
	    !V4L2_TYPE_IS_OUTPUT(b.type))
		b.flags &= ~V4L2_BUF_FLAG_REQUEST_FD;
	if (b.memory == V4L2_MEMORY_DMABUF && buf.kind == K_DMABUF &&
	    a.kind == K_V4L2 && !contig_seg_ok(buf.slot))
		return;
	/* the switch edu's frames cannot move P2P data in QEMU */
	if (b.memory == V4L2_MEMORY_DMABUF && buf.kind == K_DMABUF && edu_node(&a) &&
	    !p2p_dma_emulated(devs.v4l2_switch[slots[a.slot].dev], buf.slot))
		return;
	/*
	 * A capture queue maps it for device writes; an output queue too
	 * where vb2 imports dynamically (dma-sg): the core maps a
	 * non-dynamic exporter's buffer DMA_BIDIRECTIONAL at attach.
	 */
	if (b.memory == V4L2_MEMORY_DMABUF && buf.kind == K_DMABUF &&
	    a.kind == K_V4L2 && !badt && b.index < BAD_INDEX &&
	    !writer_import_ok(buf.slot, ((uint64_t)slots[a.slot].fid << 24 |
					 b.type << 16 | b.index) + 1))
		return;
	if (badt)		/* check_fmt() in the v4l2 core */
		want(c, ESET(EINVAL));
	else if (badm || b.index >= BAD_INDEX)
		want(c, refused(&a));
	else if (b.memory == V4L2_MEMORY_DMABUF && buf.kind != K_DMABUF)
		/* "invalid dmabuf fd" once the buffer is found; or its owner's */
		want(c, ESET(EINVAL, EBUSY));
	/* requests: EBADR (vidioc-qbuf.rst), before or after the above */
	if (c->narrow && (b.flags & V4L2_BUF_FLAG_REQUEST_FD)) {
		eset_add(&c->want, EBADR);
		eset_add(&c->want, EBUSY);
	}
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), C_V4L2_QBUF);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, VIDIOC_QBUF, badp ? bad_ptr(c) : &b, &err);
	record(c, call, ret, err,
	       "fd=%d(%d) type=%u memory=%u index=%u dmabuf=%d(%d,exp %d) length=%u bytesused=%u flags=0x%x%s",
	       a.fd, a.kind, b.type, b.memory, b.index, buf.fd, buf.kind,
	       buf.kind == K_DMABUF ? slots[buf.slot].dev : -1, b.length,
	       b.bytesused, b.flags, badp ? " badptr" : "");
}

static void gen_dqbuf(struct fctx *c)
{
	struct v4l2_buffer b = { 0 };
	struct fdarg a;
	bool badt, badm, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	b.type = buf_type(c, &a, &badt);
	b.memory = memory(c, &badm);
	if (badt)
		want(c, ESET(EINVAL));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), C_V4L2_DQBUF);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, VIDIOC_DQBUF, badp ? bad_ptr(c) : &b, &err);
	record(c, call, ret, err, "fd=%d(%d) type=%u memory=%u%s", a.fd, a.kind,
	       b.type, b.memory, badp ? " badptr" : "");
}

static void gen_expbuf(struct fctx *c)
{
	struct v4l2_exportbuffer e = { 0 };
	struct fdarg a;
	bool badt, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	e.type = buf_type(c, &a, &badt);
	e.index = chance(&c->r, 90) ? rnd(&c->r, 6) : BAD_INDEX + rnd(&c->r, 1000000);
	e.plane = chance(&c->r, 90) ? 0 : 1 + rnd(&c->r, 100);
	e.flags = O_CLOEXEC * rnd(&c->r, 2) | (chance(&c->r, 80) ? O_RDWR : rnd(&c->r, 4));
	if (chance(&c->r, 10))
		e.flags |= 1u << rnd(&c->r, 32);
	e.fd = rng_next(&c->r);		/* out only */
	if (badt || e.index >= BAD_INDEX || e.plane ||
	    e.flags & ~(O_CLOEXEC | O_ACCMODE))
		want(c, refused(&a));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), C_V4L2_EXPBUF);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, VIDIOC_EXPBUF, badp ? bad_ptr(c) : &e, &err);
	record(c, call, ret, err, "fd=%d(%d) type=%u index=%u plane=%u flags=0x%x%s",
	       a.fd, a.kind, e.type, e.index, e.plane, e.flags, badp ? " badptr" : "");
	if (!ret && !badp && call == C_V4L2_EXPBUF) {
		off_t size = lseek(e.fd, 0, SEEK_END);
		unsigned int acc = e.flags & O_ACCMODE;

		slot_unlock_all(c);
		slot_install(c, e.fd, K_DMABUF, EXP_V4L2,
			     (acc == O_RDONLY ? SLOT_NOWRITE : 0) |
			     (acc == O_WRONLY ? SLOT_NOREAD : 0) |
			     (acc == 3 ? SLOT_NOREAD | SLOT_NOWRITE : 0),
			     size > 0 ? size : 0);
	}
}

static void gen_stream(struct fctx *c, bool on)
{
	struct fdarg a;
	uint32_t type;
	bool badt, badp = chance(&c->r, 3);
	enum fuzz_call call;
	long ret;
	int err;

	pick_fd(c, KM(K_V4L2), &a);
	type = buf_type(c, &a, &badt);
	if (on && edu_node(&a) && !badt && !edu_dma_token(c)) {
		type = 0;
		badt = true;
	}
	if (badt)
		want(c, refused(&a));
	if (badp)
		want(c, ESET(EFAULT));
	call = fd_target(c, &a, KM(K_V4L2), on ? C_V4L2_STREAMON : C_V4L2_STREAMOFF);
	if (c->wrong_kind)
		badp = false;
	ret = xioctl(a.fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF,
		     badp ? bad_ptr(c) : &type, &err);
	record(c, call, ret, err, "fd=%d(%d) type=%u%s", a.fd, a.kind, type,
	       badp ? " badptr" : "");
}

static void gen_streamon(struct fctx *c) { gen_stream(c, true); }
static void gen_streamoff(struct fctx *c) { gen_stream(c, false); }
static bool have_v4l2(void) { return devs.nr_v4l2 > 0; }

const struct gen v4l2_gens[] = {
	{ "v4l2-open", gen_v4l2_open, 3, have_v4l2 },
	{ "v4l2-reqbufs", gen_reqbufs, 5, have_v4l2 },
	{ "v4l2-create-bufs", gen_create_bufs, 3, have_v4l2 },
	{ "v4l2-querybuf", gen_querybuf, 3, have_v4l2 },
	{ "v4l2-qbuf", gen_qbuf, 6, have_v4l2 },
	{ "v4l2-dqbuf", gen_dqbuf, 4, have_v4l2 },
	{ "v4l2-expbuf", gen_expbuf, 4, have_v4l2 },
	{ "v4l2-streamon", gen_streamon, 3, have_v4l2 },
	{ "v4l2-streamoff", gen_streamoff, 3, have_v4l2 },
};
const int nr_v4l2_gens = ARRAY_SIZE(v4l2_gens);
