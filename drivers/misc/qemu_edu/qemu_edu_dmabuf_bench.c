// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf rows of the mapping benchmark: what an importer pays to attach,
 * map, unmap and detach 64 MiB through an exporter that hands out
 * sg_tables the way 6.12's exporters do, against an exporter that hands
 * out one physical range list and lets the core map it; and the metadata
 * each side holds while four importers have the buffer mapped.
 *
 * The sg_table side is a reference written here, not a real heap: for
 * scattered 4 KiB pages it behaves as the system heap does (a table built
 * at allocation, a copy per attachment made in attach, dma_map_sgtable()
 * in map_dma_buf); for 2 MiB folios it behaves as udmabuf does (a table
 * with one entry per 4 KiB page built and mapped in map_dma_buf, cached
 * per attachment by the core).  Both exporters are real dma-bufs over the
 * same pages, imported by the first edu device behind an IOMMU.
 *
 * Run by qemu_edu_bench.c under its lock, after its own rows, with its
 * rules: up to 128 MiB held (the 4 KiB case keeps a spare page beside
 * each buffer page), allocations that neither retry nor wake the OOM
 * killer, and qemu_edu_bench_yield() between pages and rounds so that a
 * fatal signal or an unbind stops the run.
 */
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "qemu_edu.h"
#include "qemu_edu_dmabuf_bench.h"

#define DBB_BYTES	(64ULL << 20)
#define DBB_MIB		(DBB_BYTES >> 20)
#define DBB_PAGES	(DBB_BYTES >> PAGE_SHIFT)
#define DBB_ROUNDS	9
#define DBB_IMPORTERS	4
#define DBB_GFP		(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)
#define DBB_DIR		DMA_BIDIRECTIONAL

MODULE_IMPORT_NS(DMA_BUF);

/* The buffer's memory, owned by the benchmark and lent to both exporters */
struct dbb_mem {
	struct qemu_edu *edu;
	struct device *dev;
	unsigned int order;
	unsigned long nr_pages;	/* DBB_PAGES, or the size another row asked */
	struct page **pages;	/* @nr_pages pages, in buffer order */
	struct page **spare;	/* pages held to keep the others apart */
	unsigned long nr_spare;
	struct folio **folios;	/* @nr_pages >> order folios if order > 0 */
};

/* --- reference exporter 1: as 6.12's system heap --- */

struct dbb_heap {
	struct sg_table table;	/* one entry per page, built at export */
	struct mutex lock;	/* protects @attachments */
	struct list_head attachments;
};

struct dbb_heap_attachment {
	struct sg_table *table;	/* this attachment's own copy of the table */
	struct list_head node;
};

static struct sg_table *dbb_heap_copy(const struct sg_table *src)
{
	struct scatterlist *s, *d;
	struct sg_table *t;
	unsigned int i;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	if (sg_alloc_table(t, src->orig_nents, GFP_KERNEL)) {
		kfree(t);
		return ERR_PTR(-ENOMEM);
	}
	d = t->sgl;
	for_each_sgtable_sg(src, s, i) {
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
	return t;
}

static int dbb_heap_attach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	struct dbb_heap *h = dmabuf->priv;
	struct dbb_heap_attachment *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->table = dbb_heap_copy(&h->table);
	if (IS_ERR(a->table)) {
		int err = PTR_ERR(a->table);

		kfree(a);
		return err;
	}
	attach->priv = a;
	mutex_lock(&h->lock);
	list_add(&a->node, &h->attachments);
	mutex_unlock(&h->lock);
	return 0;
}

static void dbb_heap_detach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attach)
{
	struct dbb_heap_attachment *a = attach->priv;
	struct dbb_heap *h = dmabuf->priv;

	mutex_lock(&h->lock);
	list_del(&a->node);
	mutex_unlock(&h->lock);
	sg_free_table(a->table);
	kfree(a->table);
	kfree(a);
}

static struct sg_table *dbb_heap_map(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
	struct dbb_heap_attachment *a = attach->priv;
	int err;

	err = dma_map_sgtable(attach->dev, a->table, dir, 0);
	return err ? ERR_PTR(err) : a->table;
}

static void dbb_heap_unmap(struct dma_buf_attachment *attach,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
}

static void dbb_heap_free(void *priv)
{
	struct dbb_heap *h = priv;

	sg_free_table(&h->table);
	kfree(h);
}

static void dbb_heap_release(struct dma_buf *dmabuf)
{
	dbb_heap_free(dmabuf->priv);
}

static const struct dma_buf_ops dbb_heap_ops = {
	.attach = dbb_heap_attach,
	.detach = dbb_heap_detach,
	.map_dma_buf = dbb_heap_map,
	.unmap_dma_buf = dbb_heap_unmap,
	.release = dbb_heap_release,
};

static void *dbb_heap_new(struct dbb_mem *mem)
{
	struct scatterlist *sg;
	struct dbb_heap *h;
	unsigned int i;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return NULL;
	if (sg_alloc_table(&h->table, mem->nr_pages, GFP_KERNEL)) {
		kfree(h);
		return NULL;
	}
	for_each_sgtable_sg(&h->table, sg, i)
		sg_set_page(sg, mem->pages[i], PAGE_SIZE, 0);
	mutex_init(&h->lock);
	INIT_LIST_HEAD(&h->attachments);
	return h;
}

/* --- reference exporter 2: as 6.12's udmabuf --- */

struct dbb_udmabuf {
	unsigned long nr_pages;
	struct folio **folios;	/* the folio of each 4 KiB page */
	pgoff_t *offsets;	/* the page's offset in its folio */
};

static struct sg_table *dbb_udmabuf_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct dbb_udmabuf *u = attach->dmabuf->priv;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int err;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	err = sg_alloc_table(sgt, u->nr_pages, GFP_KERNEL);
	if (err)
		goto err_free;
	for_each_sg(sgt->sgl, sg, u->nr_pages, i)
		sg_set_folio(sg, u->folios[i], PAGE_SIZE, u->offsets[i]);
	err = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (err)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(err);
}

static void dbb_udmabuf_unmap(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void dbb_udmabuf_free(void *priv)
{
	struct dbb_udmabuf *u = priv;

	kvfree(u->folios);
	kvfree(u->offsets);
	kfree(u);
}

static void dbb_udmabuf_release(struct dma_buf *dmabuf)
{
	dbb_udmabuf_free(dmabuf->priv);
}

static const struct dma_buf_ops dbb_udmabuf_ops = {
	.cache_sgt_mapping = true,
	.map_dma_buf = dbb_udmabuf_map,
	.unmap_dma_buf = dbb_udmabuf_unmap,
	.release = dbb_udmabuf_release,
};

static void *dbb_udmabuf_new(struct dbb_mem *mem)
{
	struct dbb_udmabuf *u;
	unsigned long i;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return NULL;
	u->nr_pages = mem->nr_pages;
	u->folios = kvmalloc_array(u->nr_pages, sizeof(*u->folios),
				   GFP_KERNEL);
	u->offsets = kvmalloc_array(u->nr_pages, sizeof(*u->offsets),
				    GFP_KERNEL);
	if (!u->folios || !u->offsets) {
		dbb_udmabuf_free(u);
		return NULL;
	}
	/* A memfd of 4 KiB pages has a folio per page */
	for (i = 0; i < u->nr_pages; i++) {
		u->folios[i] = page_folio(mem->pages[i]);
		u->offsets[i] = folio_page_idx(u->folios[i], mem->pages[i]) <<
				PAGE_SHIFT;
	}
	return u;
}

/* --- the list exporter: one phys_list built at export --- */

struct dbb_list {
	struct phys_list pl;
};

static const struct phys_list *
dbb_list_map_phys(struct dma_buf_attachment *attach,
		  enum dma_data_direction dir,
		  struct p2pdma_provider **provider)
{
	struct dbb_list *l = attach->dmabuf->priv;

	return &l->pl;
}

static void dbb_list_unmap_phys(struct dma_buf_attachment *attach,
				const struct phys_list *pl,
				enum dma_data_direction dir)
{
	/* The list lives as long as the buffer */
}

static void dbb_list_free(void *priv)
{
	struct dbb_list *l = priv;

	phys_list_free(&l->pl);
	kfree(l);
}

static void dbb_list_release(struct dma_buf *dmabuf)
{
	dbb_list_free(dmabuf->priv);
}

static const struct dma_buf_ops dbb_list_ops = {
	.map_phys = dbb_list_map_phys,
	.unmap_phys = dbb_list_unmap_phys,
	.release = dbb_list_release,
};

static void *dbb_list_new(struct dbb_mem *mem)
{
	struct dbb_list *l;
	int err;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return NULL;
	/* No coalescing: one range per folio, or per scattered page */
	err = phys_list_init(&l->pl, NULL);
	if (!err && mem->order)
		err = phys_list_from_folios(&l->pl, mem->folios,
					    mem->nr_pages >> mem->order,
					    GFP_KERNEL);
	else if (!err)
		err = phys_list_from_pages(&l->pl, mem->pages, mem->nr_pages,
					   GFP_KERNEL);
	if (err) {
		dbb_list_free(l);
		return NULL;
	}
	return l;
}

/* How to make and unmake an exporter's state over the benchmark's pages */
struct dbb_exporter {
	const struct dma_buf_ops *ops;
	void *(*new)(struct dbb_mem *mem);
	void (*free)(void *priv);
};

static const struct dbb_exporter dbb_heap_exp = {
	&dbb_heap_ops, dbb_heap_new, dbb_heap_free,
};

static const struct dbb_exporter dbb_udmabuf_exp = {
	&dbb_udmabuf_ops, dbb_udmabuf_new, dbb_udmabuf_free,
};

static const struct dbb_exporter dbb_list_exp = {
	&dbb_list_ops, dbb_list_new, dbb_list_free,
};

/*
 * A dma-buf over @mem.  Its release callback frees the exporter's state
 * once the last file reference goes, which may be after the benchmark has
 * freed the pages: release touches only the exporter's own tables.
 */
static struct dma_buf *dbb_export(struct dbb_mem *mem,
				  const struct dbb_exporter *exp)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf *buf;
	void *priv;

	priv = exp->new(mem);
	if (!priv)
		return ERR_PTR(-ENOMEM);
	info.ops = exp->ops;
	info.size = (size_t)mem->nr_pages << PAGE_SHIFT;
	info.flags = O_RDWR;
	info.priv = priv;
	buf = dma_buf_export(&info);
	/* Not exported: release will not be called */
	if (IS_ERR(buf))
		exp->free(priv);
	return buf;
}

/* --- one import, both APIs --- */

/* The DMA lengths of a mapping added up: shared with the videobuf2 rows */
u64 qemu_edu_bench_sgt_dma_bytes(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;
	u64 bytes = 0;

	for_each_sgtable_dma_sg(sgt, sg, i)
		bytes += sg_dma_len(sg);
	return bytes;
}

u64 qemu_edu_bench_list_dma_bytes(const struct dma_list *dl)
{
	struct dma_list_iter di;
	u64 len, bytes = 0;
	dma_addr_t addr;

	dma_list_for_each(dl, &di, addr, len)
		bytes += len;
	return bytes;
}

/*
 * Attach, map, unmap and detach once through the sg_table API, timed.  If
 * @dma_bytes, also add up the DMA lengths of the mapping (the caller then
 * ignores the time).
 */
static int dbb_import_sgt(struct dma_buf *buf, struct device *dev, u64 *ns,
			  u64 *dma_bytes)
{
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	u64 t = ktime_get_ns();
	int err = 0;

	attach = dma_buf_attach(buf, dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DBB_DIR);
	if (IS_ERR(sgt)) {
		err = PTR_ERR(sgt);
	} else {
		if (dma_bytes)
			*dma_bytes = qemu_edu_bench_sgt_dma_bytes(sgt);
		dma_buf_unmap_attachment_unlocked(attach, sgt, DBB_DIR);
	}
	dma_buf_detach(buf, attach);
	*ns = ktime_get_ns() - t;
	return err;
}

/* The same through the range-list API. */
static int dbb_import_list(struct dma_buf *buf, struct device *dev, u64 *ns,
			   u64 *dma_bytes)
{
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	u64 t = ktime_get_ns();
	int err = 0;

	attach = dma_buf_attach(buf, dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	dl = dma_buf_map_attachment_list_unlocked(attach, DBB_DIR);
	if (IS_ERR(dl)) {
		err = PTR_ERR(dl);
	} else {
		if (dma_bytes)
			*dma_bytes = qemu_edu_bench_list_dma_bytes(dl);
		dma_buf_unmap_attachment_list_unlocked(attach, dl, DBB_DIR);
	}
	dma_buf_detach(buf, attach);
	*ns = ktime_get_ns() - t;
	return err;
}

typedef int (*dbb_import_fn)(struct dma_buf *buf, struct device *dev,
			     u64 *ns, u64 *dma_bytes);

/* Once untimed: the mapping must cover the whole buffer. */
static int dbb_check(struct dbb_mem *mem, struct dma_buf *buf,
		     dbb_import_fn fn)
{
	u64 ns, bytes = 0;
	int err;

	err = fn(buf, mem->dev, &ns, &bytes);
	if (!err && bytes != DBB_BYTES)
		err = -EFAULT;
	return err;
}

/*
 * Best of DBB_ROUNDS rounds for each exporter, in ns per MiB.  The two
 * alternate, so that a slow spell of the host hits both alike.
 */
static int dbb_time(struct dbb_mem *mem, struct dma_buf *sgt_buf,
		    struct dma_buf *list_buf, u64 *sgt_ns, u64 *list_ns)
{
	u64 ns, best_sgt = U64_MAX, best_list = U64_MAX;
	int i, err;

	for (i = 0; i < DBB_ROUNDS; i++) {
		err = qemu_edu_bench_yield(mem->edu);
		if (err)
			return err;
		/* Let the IOMMU flush queue release the previous IOVA */
		msleep(50);
		err = dbb_import_sgt(sgt_buf, mem->dev, &ns, NULL);
		if (err)
			return err;
		best_sgt = min(best_sgt, ns);
		msleep(50);
		err = dbb_import_list(list_buf, mem->dev, &ns, NULL);
		if (err)
			return err;
		best_list = min(best_list, ns);
	}
	*sgt_ns = div_u64(best_sgt, DBB_MIB);
	*list_ns = div_u64(best_list, DBB_MIB);
	return 0;
}

/* --- metadata held with DBB_IMPORTERS importers mapped --- */

/**
 * qemu_edu_bench_sgt_chunk_bytes() - what sg_alloc_table() allocated
 * @sgt: a table made by sg_alloc_table() or a helper built on it
 *
 * Chunks of SG_MAX_SINGLE_ALLOC entries (a page each) chained by their
 * last entry, and a last chunk of the entries left over from kmalloc.
 * The struct sg_table itself is not counted.
 *
 * Context: Any context.
 * Return: Bytes.
 */
size_t qemu_edu_bench_sgt_chunk_bytes(const struct sg_table *sgt)
{
	struct scatterlist *sg = sgt->sgl;
	size_t bytes = 0;
	unsigned int n;

	while (sg) {
		for (n = 1; !sg_is_chain(&sg[n - 1]) && !sg_is_last(&sg[n - 1]);
		     n++)
			;
		if (n == SG_MAX_SINGLE_ALLOC)
			bytes += PAGE_SIZE;
		else
			bytes += kmalloc_size_roundup(n * sizeof(*sg));
		sg = sg_is_chain(&sg[n - 1]) ? sg_chain_ptr(&sg[n - 1]) : NULL;
	}
	return bytes;
}

/*
 * The system-heap reference: its own table (inside its buffer state) and
 * the kmalloc'ed copy of each mapped attachment.
 */
static int dbb_meta_sgt(struct dbb_mem *mem, struct dma_buf *buf, u64 *bytes)
{
	struct dma_buf_attachment *attach[DBB_IMPORTERS] = {};
	struct sg_table *sgt[DBB_IMPORTERS] = {};
	struct dbb_heap *h = buf->priv;
	int i, err = 0;

	*bytes = qemu_edu_bench_sgt_chunk_bytes(&h->table);
	for (i = 0; i < DBB_IMPORTERS && !err; i++) {
		attach[i] = dma_buf_attach(buf, mem->dev);
		if (IS_ERR(attach[i])) {
			err = PTR_ERR(attach[i]);
			attach[i] = NULL;
			break;
		}
		sgt[i] = dma_buf_map_attachment_unlocked(attach[i], DBB_DIR);
		if (IS_ERR(sgt[i])) {
			err = PTR_ERR(sgt[i]);
			sgt[i] = NULL;
			break;
		}
		*bytes += kmalloc_size_roundup(sizeof(*sgt[i])) +
			  qemu_edu_bench_sgt_chunk_bytes(sgt[i]);
	}
	for (i = 0; i < DBB_IMPORTERS; i++) {
		if (sgt[i])
			dma_buf_unmap_attachment_unlocked(attach[i], sgt[i],
							  DBB_DIR);
		if (attach[i])
			dma_buf_detach(buf, attach[i]);
	}
	return err;
}

/* The list exporter's list and what the core holds per mapping. */
static int dbb_meta_list(struct dbb_mem *mem, struct dma_buf *buf, u64 *bytes)
{
	struct dma_buf_attachment *attach[DBB_IMPORTERS] = {};
	const struct dma_list *dl[DBB_IMPORTERS] = {};
	struct dbb_list *l = buf->priv;
	int i, err = 0;

	*bytes = phys_list_mem_bytes(&l->pl);
	for (i = 0; i < DBB_IMPORTERS && !err; i++) {
		attach[i] = dma_buf_attach(buf, mem->dev);
		if (IS_ERR(attach[i])) {
			err = PTR_ERR(attach[i]);
			attach[i] = NULL;
			break;
		}
		dl[i] = dma_buf_map_attachment_list_unlocked(attach[i],
							     DBB_DIR);
		if (IS_ERR(dl[i])) {
			err = PTR_ERR(dl[i]);
			dl[i] = NULL;
			break;
		}
	}
	if (!err) {
		dma_resv_lock(buf->resv, NULL);
		for (i = 0; i < DBB_IMPORTERS; i++)
			*bytes += dma_buf_attachment_mem_bytes(attach[i]);
		dma_resv_unlock(buf->resv);
	}
	for (i = 0; i < DBB_IMPORTERS; i++) {
		if (dl[i])
			dma_buf_unmap_attachment_list_unlocked(attach[i], dl[i],
							       DBB_DIR);
		if (attach[i])
			dma_buf_detach(buf, attach[i]);
	}
	return err;
}

/* --- pages --- */

static void dbb_free(struct dbb_mem *mem)
{
	unsigned long i;

	if (mem->folios) {
		for (i = 0; i < mem->nr_pages >> mem->order; i++)
			if (mem->folios[i])
				folio_put(mem->folios[i]);
	} else if (mem->pages) {
		for (i = 0; i < mem->nr_pages; i++)
			if (mem->pages[i])
				__free_page(mem->pages[i]);
	}
	for (i = 0; i < mem->nr_spare; i++)
		__free_page(mem->spare[i]);
	kvfree(mem->folios);
	kvfree(mem->pages);
	kvfree(mem->spare);
}

/*
 * Order 0: pages allocated in pairs, one of each kept for the buffer and
 * the other held to the end, so that no two buffer pages are adjacent and
 * nothing can be merged.  Higher orders: whole folios.
 */
static int dbb_alloc(struct dbb_mem *mem, unsigned int order,
		     unsigned long nr_pages)
{
	unsigned long i, j;
	int err;

	mem->order = order;
	mem->nr_pages = nr_pages;
	mem->pages = kvcalloc(nr_pages, sizeof(*mem->pages), GFP_KERNEL);
	if (!mem->pages)
		return -ENOMEM;
	if (!order) {
		mem->spare = kvcalloc(nr_pages, sizeof(*mem->spare),
				      GFP_KERNEL);
		if (!mem->spare)
			return -ENOMEM;
		for (i = 0; i < nr_pages; i++) {
			err = qemu_edu_bench_yield(mem->edu);
			if (err)
				return err;
			mem->pages[i] = alloc_page(DBB_GFP);
			mem->spare[i] = alloc_page(DBB_GFP);
			if (mem->spare[i])
				mem->nr_spare++;
			if (!mem->pages[i] || !mem->spare[i])
				return -ENOMEM;
		}
		return 0;
	}

	mem->folios = kvcalloc(nr_pages >> order, sizeof(*mem->folios),
			       GFP_KERNEL);
	if (!mem->folios)
		return -ENOMEM;
	for (i = 0; i < nr_pages >> order; i++) {
		err = qemu_edu_bench_yield(mem->edu);
		if (err)
			return err;
		mem->folios[i] = folio_alloc(DBB_GFP, order);
		if (!mem->folios[i])
			return -ENOMEM;
		for (j = 0; j < 1UL << order; j++)
			mem->pages[(i << order) + j] =
				folio_page(mem->folios[i], j);
	}
	return 0;
}

/**
 * qemu_edu_bench_mem() - pages for a benchmark buffer
 * @edu: the device measured, held by the caller
 * @order: 0 for 4 KiB pages of which no two are adjacent, else the order
 *	of the folios
 * @nr_pages: size of the buffer in pages, a multiple of 1 << @order
 *
 * The memory of the dma-buf rows, allocated with their rules, for the
 * rows of other files: the videobuf2 rows (qemu_edu_vb2_bench.c) and the
 * PRIME rows (qemu_edu_prime_bench.c) export it with
 * qemu_edu_bench_export().
 *
 * Context: Process context, under the benchmark's lock.
 * Return: The pages, or an ERR_PTR(): -ENOMEM, -EINTR on a fatal signal,
 * -ENODEV if @edu is being unbound.
 */
struct dbb_mem *qemu_edu_bench_mem(struct qemu_edu *edu, unsigned int order,
				   unsigned long nr_pages)
{
	struct dbb_mem *mem;
	int err;

	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->edu = edu;
	mem->dev = &edu->pdev->dev;
	err = dbb_alloc(mem, order, nr_pages);
	if (err) {
		qemu_edu_bench_mem_free(mem);
		return ERR_PTR(err);
	}
	return mem;
}

/**
 * qemu_edu_bench_export() - a dma-buf over benchmark pages
 * @mem: from qemu_edu_bench_mem()
 * @exp: which exporter: the reference exporters of the dma-buf rows,
 *	written as 6.12's system heap and udmabuf are, or the list exporter
 *
 * Several exporters may share @mem.  The caller owns the one reference
 * returned.
 *
 * Context: Process context.
 * Return: The dma-buf, or an ERR_PTR().
 */
struct dma_buf *qemu_edu_bench_export(struct dbb_mem *mem,
				      enum qemu_edu_bench_exp exp)
{
	switch (exp) {
	case QEMU_EDU_BENCH_HEAP:
		return dbb_export(mem, &dbb_heap_exp);
	case QEMU_EDU_BENCH_UDMABUF:
		return dbb_export(mem, &dbb_udmabuf_exp);
	case QEMU_EDU_BENCH_LIST:
		return dbb_export(mem, &dbb_list_exp);
	}
	return ERR_PTR(-EINVAL);
}

/**
 * qemu_edu_bench_mem_free() - free benchmark pages
 * @mem: from qemu_edu_bench_mem()
 *
 * May come before the release of the buffers over @mem: the exporters
 * free only their own tables.
 *
 * Context: Process context.
 */
void qemu_edu_bench_mem_free(struct dbb_mem *mem)
{
	dbb_free(mem);
	kfree(mem);
}

/* --- rows --- */

static void dbb_ratio(struct seq_file *m, const char *name, const char *sfx,
		      u64 a, u64 b)
{
	u64 milli = b ? div64_u64(a * 1000, b) : 0;

	seq_printf(m, "%s%s,%llu.%03llu,ratio\n", name, sfx, milli / 1000,
		   milli % 1000);
}

struct dbb_result {
	u64 sgt_ns, list_ns;
	u64 sgt_meta, list_meta;
};

/*
 * One buffer: both exporters over the same pages, checked once, timed,
 * and for 4 KiB pages their metadata counted.
 */
static int dbb_one(struct dbb_mem *mem, unsigned int order,
		   struct dbb_result *res, const char **stage)
{
	struct dma_buf *sgt_buf = NULL, *list_buf = NULL;
	int err;

	*stage = "alloc";
	err = dbb_alloc(mem, order, DBB_PAGES);
	if (err)
		goto out;

	*stage = "export";
	sgt_buf = dbb_export(mem, order ? &dbb_udmabuf_exp : &dbb_heap_exp);
	if (IS_ERR(sgt_buf)) {
		err = PTR_ERR(sgt_buf);
		sgt_buf = NULL;
		goto out;
	}
	list_buf = dbb_export(mem, &dbb_list_exp);
	if (IS_ERR(list_buf)) {
		err = PTR_ERR(list_buf);
		list_buf = NULL;
		goto out;
	}

	*stage = "check";
	err = dbb_check(mem, sgt_buf, dbb_import_sgt);
	if (!err)
		err = dbb_check(mem, list_buf, dbb_import_list);
	if (err)
		goto out;

	*stage = "time";
	err = dbb_time(mem, sgt_buf, list_buf, &res->sgt_ns, &res->list_ns);
	if (err || order)
		goto out;

	*stage = "meta";
	err = dbb_meta_sgt(mem, sgt_buf, &res->sgt_meta);
	if (!err)
		err = dbb_meta_list(mem, list_buf, &res->list_meta);
out:
	if (list_buf)
		dma_buf_put(list_buf);
	if (sgt_buf)
		dma_buf_put(sgt_buf);
	dbb_free(mem);
	return err;
}

/**
 * qemu_edu_dmabuf_bench() - the dma-buf rows of the benchmark
 * @m: receives the CSV rows
 * @edu: the device that imports, held by the caller
 *
 * Writes, for scattered 4 KiB pages and for 2 MiB folios, the cost per
 * MiB of attach + map + unmap + detach through the sg_table reference
 * exporter (dma_buf_map_attachment()) and through the list exporter
 * (dma_buf_map_attachment_list()), their ratio, and for the 4 KiB buffer
 * the metadata bytes per MiB each side holds with DBB_IMPORTERS mappings.
 * A case that fails for another reason than those below leaves a comment
 * row instead of its rows.
 *
 * Context: Process context, under the benchmark's lock; sleeps for
 * seconds.
 * Return: 0, -ENOMEM, -EINTR on a fatal signal, -ENODEV if @edu is being
 * unbound.
 */
int qemu_edu_dmabuf_bench(struct seq_file *m, struct qemu_edu *edu)
{
	static const struct {
		unsigned int order;
		const char *sfx;
	} cases[] = {
		{ 0, "" },
		{ PMD_SHIFT - PAGE_SHIFT, "_2m" },
	};
	unsigned int c;
	int err;

	seq_printf(m, "# dma-buf: edu %s, 64 MiB, attach+map+unmap+detach best of %d, metadata with %d importers\n",
		   pci_name(edu->pdev), DBB_ROUNDS, DBB_IMPORTERS);
	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		struct dbb_mem mem = { .edu = edu, .dev = &edu->pdev->dev };
		const char *sfx = cases[c].sfx, *stage;
		struct dbb_result res = {};

		err = dbb_one(&mem, cases[c].order, &res, &stage);
		if (err == -ENOMEM || err == -EINTR || err == -ENODEV)
			return err;
		if (err) {
			seq_printf(m, "# dmabuf%s %s failed: %d\n", sfx, stage,
				   err);
			continue;
		}
		seq_printf(m, "dmabuf_map_sgt%s_ns_per_mib,%llu,ns/MiB\n", sfx,
			   res.sgt_ns);
		seq_printf(m, "dmabuf_map_list%s_ns_per_mib,%llu,ns/MiB\n", sfx,
			   res.list_ns);
		dbb_ratio(m, "dmabuf_map_list_over_sgt", sfx, res.list_ns,
			  res.sgt_ns);
		if (cases[c].order)
			continue;
		seq_printf(m, "dmabuf_meta_sgt_bytes_per_mib,%llu,B/MiB\n",
			   div_u64(res.sgt_meta, DBB_MIB));
		seq_printf(m, "dmabuf_meta_list_bytes_per_mib,%llu,B/MiB\n",
			   div_u64(res.list_meta, DBB_MIB));
		dbb_ratio(m, "dmabuf_meta_list_over_sgt", "", res.list_meta,
			  res.sgt_meta);
	}
	return 0;
}
