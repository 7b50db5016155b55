// SPDX-License-Identifier: GPL-2.0-only
/*
 * DRM PRIME rows of the mapping benchmark: what a display driver pays to
 * import a dma-buf, and what setting up one frame along camera -> display
 * -> NIC costs, through 6.12's sg_table paths and through the series'
 * range-list paths, in the same boot.
 *
 * The display is vkms, found through its DRM node; it imports with the
 * shmem helpers.  Three sides:
 *  - sgt: 6.12's drm_gem_prime_import_dev() for such a driver, written
 *    out below because the series changed it: dma_buf_attach(),
 *    dma_buf_map_attachment_unlocked(),
 *    drm_gem_shmem_prime_import_sg_table();
 *  - list: the series' import for a shmem-helper driver that reaches the
 *    buffer by DMA (drm_gem_prime_import_dev() with
 *    drm_gem_shmem_prime_import_dma_list(), written out the same way):
 *    the core's DMA list of the exporter's range list;
 *  - nomap: vkms's own import in the series, which maps nothing
 *    (drm_gem_shmem_prime_import_no_map(): vkms uses the CPU).
 * The sg_table side imports from the reference exporters of the dma-buf
 * rows (written as 6.12's udmabuf and system heap are), the other two
 * from their list exporter, over the same pages.
 *
 * - prime_import_*: a 64 MiB udmabuf of 4 KiB pages (a memfd's) and of
 *   2 MiB folios (a hugetlb memfd's) imported by vkms.
 * - pipeline_frame_*: a 1920x1080 XRGB8888 frame, 8100 KiB of scattered
 *   4 KiB pages as a camera that writes with the CPU exports it
 *   (vivid's vmalloc buffers), imported by vkms as a framebuffer's
 *   memory; and the frame vkms writes back, in a system heap buffer of
 *   the same size, attached and mapped for reading by the first edu
 *   device (behind the IOMMU on the `iommu` topology), the NIC.
 *
 * Only the setup is timed (import; attach and map), best of PRB_ROUNDS,
 * the sides taking turns; the teardown is not.  Before the timed rounds
 * each side is checked once: vkms's object covers the buffer and was
 * imported the way the side claims (a scatterlist, a DMA list, neither).
 *
 * Run by qemu_edu_bench.c under its lock after the videobuf2 rows, with
 * the rules of the dma-buf rows.
 */
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-phys-list.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/seq_file.h>
#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>

#include "qemu_edu.h"
#include "qemu_edu_dmabuf_bench.h"
#include "qemu_edu_prime_bench.h"

#define PRB_ROUNDS	9
#define PRB_IMPORT_PAGES	((64UL << 20) >> PAGE_SHIFT)
#define PRB_FRAME_BYTES	(1920UL * 1080 * 4)
#define PRB_FRAME_PAGES	DIV_ROUND_UP(PRB_FRAME_BYTES, PAGE_SIZE)
#define PRB_DRM_NODES	16

MODULE_IMPORT_NS(DMA_BUF);

enum { PRB_SGT, PRB_LIST, PRB_NOMAP, PRB_NR };

static const char * const prb_side_names[PRB_NR] = {
	[PRB_SGT] = "sgt", [PRB_LIST] = "list", [PRB_NOMAP] = "nomap",
};

/* vkms, held open through one of its nodes for the whole run */
struct prb {
	struct qemu_edu *edu;
	struct file *node;
	struct drm_device *drm;
};

static int prb_open_vkms(struct prb *p)
{
	char path[32];
	int i;

	for (i = 0; i < PRB_DRM_NODES; i++) {
		struct drm_file *file_priv;
		struct file *f;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		f = filp_open(path, O_RDWR, 0);
		if (IS_ERR(f))
			continue;
		file_priv = f->private_data;
		if (f->f_op->open == drm_open && file_priv &&
		    !strcmp(file_priv->minor->dev->driver->name, "vkms")) {
			p->node = f;
			p->drm = file_priv->minor->dev;
			return 0;
		}
		filp_close(f, NULL);
	}
	return -ENODEV;
}

/* 6.12's PRIME import of a shmem-helper driver, as it was */
static struct drm_gem_object *prb_import_sgt(struct drm_device *drm,
					     struct dma_buf *buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	int err;

	attach = dma_buf_attach(buf, drm->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);
	get_dma_buf(buf);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		err = PTR_ERR(sgt);
		goto err_detach;
	}
	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto err_unmap;
	}
	obj->import_attach = attach;
	obj->resv = buf->resv;
	return obj;

err_unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(buf, attach);
	dma_buf_put(buf);
	return ERR_PTR(err);
}

/* The series' drm_gem_prime_import_dev() for a shmem driver that maps */
static struct drm_gem_object *prb_import_list(struct drm_device *drm,
					      struct dma_buf *buf)
{
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct drm_gem_object *obj;
	int err;

	attach = dma_buf_attach(buf, drm->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);
	get_dma_buf(buf);
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(dl)) {
		err = PTR_ERR(dl);
		goto err_detach;
	}
	obj = drm_gem_shmem_prime_import_dma_list(drm, attach, dl);
	if (IS_ERR(obj)) {
		err = PTR_ERR(obj);
		goto err_unmap;
	}
	obj->import_attach = attach;
	obj->resv = buf->resv;
	return obj;

err_unmap:
	dma_buf_unmap_attachment_list_unlocked(attach, dl, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(buf, attach);
	dma_buf_put(buf);
	return ERR_PTR(err);
}

static struct drm_gem_object *prb_import(struct prb *p, int side,
					 struct dma_buf *buf)
{
	if (side == PRB_SGT)
		return prb_import_sgt(p->drm, buf);
	if (side == PRB_LIST)
		return prb_import_list(p->drm, buf);
	return p->drm->driver->gem_prime_import(p->drm, buf);
}

/*
 * The object covers @buf, and the shmem helpers keep what the side says
 * it imports: a mapped scatterlist, a DMA list, or neither.
 */
static int prb_check_import(struct prb *p, int side, struct dma_buf *buf)
{
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	int err = 0;

	obj = prb_import(p, side, buf);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	shmem = to_drm_gem_shmem_obj(obj);
	if (obj->size != buf->size || obj->import_attach->dmabuf != buf)
		err = -EFAULT;
	else if (!shmem->sgt != (side != PRB_SGT) ||
		 !shmem->dma_list != (side != PRB_LIST))
		err = -EPROTO;
	drm_gem_object_put(obj);
	return err;
}

static void prb_ratio(struct seq_file *m, const char *name, u64 a, u64 b)
{
	u64 milli = b ? div64_u64(a * 1000, b) : 0;

	seq_printf(m, "%s,%llu.%03llu,ratio\n", name, milli / 1000,
		   milli % 1000);
}

/* --- prime_import_* --- */

static int prb_import_time(struct prb *p, struct dma_buf *bufs[PRB_NR],
			   u64 best[PRB_NR])
{
	struct drm_gem_object *obj;
	int round, i, side, err;
	u64 t;

	for (side = 0; side < PRB_NR; side++) {
		err = prb_check_import(p, side, bufs[side]);
		if (err)
			return err;
		best[side] = U64_MAX;
	}
	for (round = 0; round < PRB_ROUNDS; round++) {
		for (i = 0; i < PRB_NR; i++) {
			side = (round + i) % PRB_NR;
			err = qemu_edu_bench_yield(p->edu);
			if (err)
				return err;
			msleep(20);
			t = ktime_get_ns();
			obj = prb_import(p, side, bufs[side]);
			t = ktime_get_ns() - t;
			if (IS_ERR(obj))
				return PTR_ERR(obj);
			drm_gem_object_put(obj);
			best[side] = min(best[side], t);
		}
	}
	return 0;
}

/*
 * The two exporters of one world each over the same memory; the two
 * series sides import the same list exporter's buffer.
 */
static int prb_export(struct dbb_mem *mem, enum qemu_edu_bench_exp sgt_exp,
		      struct dma_buf *bufs[PRB_NR])
{
	bufs[PRB_SGT] = qemu_edu_bench_export(mem, sgt_exp);
	if (IS_ERR(bufs[PRB_SGT]))
		return PTR_ERR(bufs[PRB_SGT]);
	bufs[PRB_LIST] = qemu_edu_bench_export(mem, QEMU_EDU_BENCH_LIST);
	if (IS_ERR(bufs[PRB_LIST])) {
		dma_buf_put(bufs[PRB_SGT]);
		return PTR_ERR(bufs[PRB_LIST]);
	}
	bufs[PRB_NOMAP] = bufs[PRB_LIST];
	get_dma_buf(bufs[PRB_NOMAP]);
	return 0;
}

static void prb_put(struct dma_buf *bufs[PRB_NR])
{
	for (int side = 0; side < PRB_NR; side++)
		dma_buf_put(bufs[side]);
}

/*
 * Where one 4 KiB-page import spends its time, each side once, untimed by
 * the rows: dma_buf_attach(), the mapping (the exporter's table mapped,
 * or the core's mapping of its list, with the phases of
 * dma_map_phys_list()), and the GEM object.
 */
static int prb_phases(struct seq_file *m, struct prb *p,
		      struct dma_buf *bufs[PRB_NR])
{
	static const char * const names[] = {
		[DMA_PHYS_PHASE_CLASSIFY] = "classify",
		[DMA_PHYS_PHASE_LINK] = "map_pieces",
		[DMA_PHYS_PHASE_APPEND] = "append",
	};
	struct dma_phys_list_profile prof = {};
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	const struct dma_list *dl;
	struct sg_table *sgt;
	u64 t[4];
	int side, i, err;

	/* The nomap side has no mapping phase to show */
	for (side = 0; side < PRB_NOMAP; side++) {
		struct dma_buf *buf = bufs[side];
		const char *name = prb_side_names[side];

		msleep(20);
		t[0] = ktime_get_ns();
		attach = dma_buf_attach(buf, p->drm->dev);
		if (IS_ERR(attach))
			return PTR_ERR(attach);
		t[1] = ktime_get_ns();
		if (side == PRB_SGT) {
			sgt = dma_buf_map_attachment_unlocked(attach,
							      DMA_BIDIRECTIONAL);
			err = PTR_ERR_OR_ZERO(sgt);
		} else {
			err = dma_phys_list_profile_start(&prof);
			dl = err ? NULL :
			     dma_buf_map_attachment_list_unlocked(attach,
								  DMA_BIDIRECTIONAL);
			dma_phys_list_profile_stop();
			if (!err)
				err = PTR_ERR_OR_ZERO(dl);
		}
		if (err) {
			dma_buf_detach(buf, attach);
			return err;
		}
		t[2] = ktime_get_ns();
		get_dma_buf(buf);
		obj = side == PRB_SGT ?
		      drm_gem_shmem_prime_import_sg_table(p->drm, attach, sgt) :
		      drm_gem_shmem_prime_import_dma_list(p->drm, attach, dl);
		t[3] = ktime_get_ns();
		if (IS_ERR(obj)) {
			if (side == PRB_SGT)
				dma_buf_unmap_attachment_unlocked(attach, sgt,
								  DMA_BIDIRECTIONAL);
			else
				dma_buf_unmap_attachment_list_unlocked(attach, dl,
								       DMA_BIDIRECTIONAL);
			dma_buf_detach(buf, attach);
			dma_buf_put(buf);
			return PTR_ERR(obj);
		}
		obj->import_attach = attach;
		obj->resv = buf->resv;
		drm_gem_object_put(obj);
		seq_printf(m, "prime_phase_%s_attach_ns,%llu,ns\n", name,
			   t[1] - t[0]);
		seq_printf(m, "prime_phase_%s_map_ns,%llu,ns\n", name,
			   t[2] - t[1]);
		seq_printf(m, "prime_phase_%s_object_ns,%llu,ns\n", name,
			   t[3] - t[2]);
	}
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i])
			seq_printf(m, "prime_phase_list_map_%s_ns,%llu,ns\n",
				   names[i], prof.ns[i]);
	return 0;
}

static int prb_import_row(struct seq_file *m, struct prb *p,
			  unsigned int order, const char *sfx)
{
	struct dma_buf *bufs[PRB_NR];
	u64 best[PRB_NR], mib = (PRB_IMPORT_PAGES << PAGE_SHIFT) >> 20;
	char name[48];
	struct dbb_mem *mem;
	int err;

	mem = qemu_edu_bench_mem(p->edu, order, PRB_IMPORT_PAGES);
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	err = prb_export(mem, QEMU_EDU_BENCH_UDMABUF, bufs);
	if (!err) {
		err = prb_import_time(p, bufs, best);
		if (!err && !order)
			err = prb_phases(m, p, bufs);
		prb_put(bufs);
	}
	qemu_edu_bench_mem_free(mem);
	if (err)
		return err;
	for (int side = 0; side < PRB_NR; side++)
		seq_printf(m, "prime_import_%s%s_ns_per_mib,%llu,ns/MiB\n",
			   prb_side_names[side], sfx, div_u64(best[side], mib));
	for (int side = PRB_LIST; side < PRB_NR; side++) {
		snprintf(name, sizeof(name), "prime_import_%s_over_sgt%s",
			 prb_side_names[side], sfx);
		prb_ratio(m, name, best[side], best[PRB_SGT]);
	}
	return 0;
}

/* --- pipeline_frame_* --- */

/* The NIC's half of a frame's setup: attach and map for reading */
struct prb_nic {
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	const struct dma_list *dl;
};

static int prb_nic_map(struct prb *p, int side, struct dma_buf *buf,
		       struct prb_nic *n)
{
	struct device *dev = &p->edu->pdev->dev;

	n->attach = dma_buf_attach(buf, dev);
	if (IS_ERR(n->attach))
		return PTR_ERR(n->attach);
	if (side == PRB_SGT) {
		n->sgt = dma_buf_map_attachment_unlocked(n->attach,
							 DMA_TO_DEVICE);
		if (!IS_ERR(n->sgt))
			return 0;
		dma_buf_detach(buf, n->attach);
		return PTR_ERR(n->sgt);
	}
	n->dl = dma_buf_map_attachment_list_unlocked(n->attach, DMA_TO_DEVICE);
	if (!IS_ERR(n->dl))
		return 0;
	dma_buf_detach(buf, n->attach);
	return PTR_ERR(n->dl);
}

static void prb_nic_unmap(int side, struct dma_buf *buf, struct prb_nic *n)
{
	if (side == PRB_SGT)
		dma_buf_unmap_attachment_unlocked(n->attach, n->sgt,
						  DMA_TO_DEVICE);
	else
		dma_buf_unmap_attachment_list_unlocked(n->attach, n->dl,
						       DMA_TO_DEVICE);
	dma_buf_detach(buf, n->attach);
}

/* One frame's setup on one side, timed; the teardown is not */
static int prb_frame(struct prb *p, int side, struct dma_buf *cam,
		     struct dma_buf *out, u64 *ns)
{
	struct drm_gem_object *obj;
	struct prb_nic n;
	u64 t;
	int err;

	t = ktime_get_ns();
	obj = prb_import(p, side, cam);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	err = prb_nic_map(p, side, out, &n);
	*ns = ktime_get_ns() - t;
	if (!err)
		prb_nic_unmap(side, out, &n);
	drm_gem_object_put(obj);
	return err;
}

static int prb_frame_row(struct seq_file *m, struct prb *p)
{
	struct dma_buf *cam[PRB_NR], *out[PRB_NR];
	struct dbb_mem *cam_mem, *out_mem;
	u64 ns, best[PRB_NR] = { U64_MAX, U64_MAX, U64_MAX };
	int round, i, side, err;

	cam_mem = qemu_edu_bench_mem(p->edu, 0, PRB_FRAME_PAGES);
	if (IS_ERR(cam_mem))
		return PTR_ERR(cam_mem);
	out_mem = qemu_edu_bench_mem(p->edu, 0, PRB_FRAME_PAGES);
	if (IS_ERR(out_mem)) {
		err = PTR_ERR(out_mem);
		goto free_cam;
	}
	err = prb_export(cam_mem, QEMU_EDU_BENCH_HEAP, cam);
	if (err)
		goto free_out;
	err = prb_export(out_mem, QEMU_EDU_BENCH_HEAP, out);
	if (err)
		goto put_cam;

	for (side = 0; side < PRB_NR && !err; side++)
		err = prb_check_import(p, side, cam[side]);
	for (round = 0; round < PRB_ROUNDS && !err; round++) {
		for (i = 0; i < PRB_NR && !err; i++) {
			side = (round + i) % PRB_NR;
			err = qemu_edu_bench_yield(p->edu);
			if (err)
				break;
			/* Let the IOMMU flush queue release the last IOVA */
			msleep(20);
			err = prb_frame(p, side, cam[side], out[side], &ns);
			best[side] = min(best[side], ns);
		}
	}
	prb_put(out);
put_cam:
	prb_put(cam);
free_out:
	qemu_edu_bench_mem_free(out_mem);
free_cam:
	qemu_edu_bench_mem_free(cam_mem);
	if (err)
		return err;
	for (side = 0; side < PRB_NR; side++)
		seq_printf(m, "pipeline_frame_%s_ns,%llu,ns\n",
			   prb_side_names[side], best[side]);
	for (side = PRB_LIST; side < PRB_NR; side++) {
		char name[48];

		snprintf(name, sizeof(name), "pipeline_frame_%s_over_sgt",
			 prb_side_names[side]);
		prb_ratio(m, name, best[side], best[PRB_SGT]);
	}
	return 0;
}

/**
 * qemu_edu_prime_bench() - the DRM PRIME rows of the benchmark
 * @m: receives the CSV rows
 * @edu: the NIC of the pipeline rows, held by the caller
 *
 * Writes prime_import_{sgt,list,nomap}[_2m]_ns_per_mib and
 * pipeline_frame_{sgt,list,nomap}_ns with their ratios to the sgt side.
 * Without a vkms device, or if a case fails for another reason than those
 * below, a comment row says so instead of the rows.
 *
 * Context: Process context, under the benchmark's lock; sleeps for
 * seconds.
 * Return: 0, -ENOMEM, -EINTR on a fatal signal, -ENODEV if @edu is being
 * unbound.
 */
int qemu_edu_prime_bench(struct seq_file *m, struct qemu_edu *edu)
{
	struct prb p = { .edu = edu };
	const char *stage;
	int err;

	err = prb_open_vkms(&p);
	if (err) {
		seq_puts(m, "# prime failed: no vkms DRM node in /dev/dri\n");
		return 0;
	}
	seq_printf(m, "# prime: vkms imports (best of %d), the frame's NIC is edu %s\n",
		   PRB_ROUNDS, pci_name(edu->pdev));
	stage = "import";
	err = prb_import_row(m, &p, 0, "");
	if (!err)
		err = prb_import_row(m, &p, PMD_SHIFT - PAGE_SHIFT, "_2m");
	if (!err) {
		stage = "frame";
		err = prb_frame_row(m, &p);
	}
	filp_close(p.node, NULL);
	if (err == -ENOMEM || err == -EINTR || err == -ENODEV)
		return err;
	if (err)
		seq_printf(m, "# prime %s failed: %d\n", stage, err);
	return 0;
}
