// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the two-step IOVA API and of dma_map_phys_list(), run
 * against every QEMU edu device in the machine, so that each mapping is
 * proven by a device reading and writing through it.  Parameter names
 * carry the device and the topology, for example "edu 0000:03:00.0 iommu".
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-phys-list.h>
#include <linux/dma-resv.h>
#include <linux/iommu.h>
#include <linux/iommu-dma.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/range_list.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "qemu_edu.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

static bool edu_dev_has_iommu(struct pci_dev *pdev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(&pdev->dev);

	return dom && (dom->type & __IOMMU_DOMAIN_PAGING);
}

static const void *edu_gen_params(const void *prev, char *desc)
{
	struct pci_dev *pdev;

	/* pci_get_device() drops the reference on @prev */
	pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE,
			      (struct pci_dev *)prev);
	if (pdev)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "edu %s %s",
			 pci_name(pdev),
			 edu_dev_has_iommu(pdev) ? "iommu" : "direct");
	return pdev;
}

struct edu_ctx {
	struct pci_dev *pdev;
	struct device *dev;
	struct qemu_edu *edu;
	bool iommu;
	gfp_t gfp;
};

static void edu_ctx_init(struct kunit *test, struct edu_ctx *c)
{
	c->pdev = (struct pci_dev *)test->param_value;
	c->dev = &c->pdev->dev;
	c->edu = qemu_edu_from_pci(c->pdev);
	if (!c->edu)
		kunit_skip(test, "%s is not bound to qemu_edu", pci_name(c->pdev));
	c->iommu = edu_dev_has_iommu(c->pdev);
	/* Without an IOMMU, give a narrow device memory it can address */
	c->gfp = GFP_KERNEL;
	if (!c->iommu && dma_get_mask(c->dev) < DMA_BIT_MASK(32))
		c->gfp |= GFP_DMA;
}

static void edu_free_page_action(void *p)
{
	__free_page(p);
}

/* A page that is not physically adjacent to the previous one we got. */
static struct page *edu_alloc_page(struct kunit *test, struct edu_ctx *c)
{
	struct page *gap, *p;
	int ret;

	gap = alloc_page(c->gfp);
	p = alloc_page(c->gfp);
	KUNIT_ASSERT_NOT_NULL(test, gap);
	KUNIT_ASSERT_NOT_NULL(test, p);
	ret = kunit_add_action_or_reset(test, edu_free_page_action, gap);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, edu_free_page_action, p);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return p;
}

static void edu_skip_without_iommu(struct kunit *test, struct edu_ctx *c)
{
	if (!c->iommu)
		kunit_skip(test, "%s: no IOMMU on this topology (see iova_no_iommu)",
			   pci_name(c->pdev));
}

/* Let the device read [addr, addr + len) and compare with @want. */
static void edu_expect_reads(struct kunit *test, struct edu_ctx *c,
			     dma_addr_t addr, u32 len, const void *want)
{
	u8 *got = kunit_kzalloc(test, len, GFP_KERNEL);
	u32 pos, n;

	KUNIT_ASSERT_NOT_NULL(test, got);
	for (pos = 0; pos < len; pos += n) {
		n = min_t(u32, len - pos, QEMU_EDU_XFER_MAX);
		KUNIT_ASSERT_EQ(test, 0, qemu_edu_to_device(c->edu, addr + pos,
							    0, n));
		KUNIT_ASSERT_EQ(test, 0, qemu_edu_read(c->edu, 0, got + pos, n));
	}
	KUNIT_EXPECT_EQ(test, 0, memcmp(got, want, len));
}

/* The device checksums every DMA range; compare with the CPU's bytes. */
static void edu_expect_checksums(struct kunit *test, struct edu_ctx *c,
				 const struct dma_list *dl, const u8 *lin)
{
	struct dma_list_iter di;
	unsigned int i = 0;
	dma_addr_t addr;
	u64 len, pos = 0;
	u32 crcs[8];

	KUNIT_ASSERT_LE(test, dma_list_count(dl), ARRAY_SIZE(crcs));
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_checksum_list(c->edu, dl, crcs,
							ARRAY_SIZE(crcs)));
	dma_list_for_each(dl, &di, addr, len) {
		KUNIT_EXPECT_EQ_MSG(test, crcs[i], crc32_le(~0U, lin + pos, len),
				    "DMA range %u", i);
		pos += len;
		i++;
	}
}

static void iova_lifecycle(struct kunit *test)
{
	struct iommu_domain *dom;
	struct dma_iova_state st;
	struct page *p[3];
	struct edu_ctx c;
	size_t off;
	int i, ret;
	u8 *want;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);

	want = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < 3; i++) {
		p[i] = edu_alloc_page(test, &c);
		qemu_edu_pattern(page_address(p[i]), PAGE_SIZE, i * PAGE_SIZE, 1);
		memcpy(want + i * PAGE_SIZE, page_address(p[i]), PAGE_SIZE);
	}

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &st, 0, 3 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, dma_iova_size(&st), 3 * PAGE_SIZE);
	KUNIT_EXPECT_LE(test, st.addr + 3 * PAGE_SIZE - 1, dma_get_mask(c.dev));

	for (i = 0; i < 3; i++) {
		ret = dma_iova_link(c.dev, &st, page_to_phys(p[i]),
				    i * PAGE_SIZE, PAGE_SIZE,
				    DMA_BIDIRECTIONAL, 0);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_ASSERT_EQ(test, 0, dma_iova_sync(c.dev, &st, 0, 3 * PAGE_SIZE));
	for (i = 0; i < 3; i++) {
		off = i * PAGE_SIZE + 0x123;
		KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr + off),
				page_to_phys(p[i]) + 0x123);
	}

	/* The device reads across the three links as one range */
	edu_expect_reads(test, &c, st.addr + PAGE_SIZE - 512, 1024,
			 want + PAGE_SIZE - 512);
	edu_expect_reads(test, &c, st.addr + 2 * PAGE_SIZE, PAGE_SIZE,
			 want + 2 * PAGE_SIZE);

	/* Unlink the middle: its neighbours stay */
	dma_iova_unlink(c.dev, &st, PAGE_SIZE, PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr + PAGE_SIZE), 0);
	KUNIT_EXPECT_NE(test, iommu_iova_to_phys(dom, st.addr), 0);
	KUNIT_EXPECT_NE(test, iommu_iova_to_phys(dom, st.addr + 2 * PAGE_SIZE), 0);

	/* Relink the hole with another page, then tear everything down */
	KUNIT_EXPECT_EQ(test, 0, dma_iova_link(c.dev, &st, page_to_phys(p[0]),
					       PAGE_SIZE, PAGE_SIZE,
					       DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &st, PAGE_SIZE, PAGE_SIZE));
	edu_expect_reads(test, &c, st.addr + PAGE_SIZE, 256, want);

	off = st.addr;
	dma_iova_destroy(c.dev, &st, 3 * PAGE_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, dma_iova_size(&st), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, off + i * PAGE_SIZE), 0);
}

static void iova_partial_link_error(struct kunit *test)
{
	struct dma_iova_state st, none = {};
	struct iommu_domain *dom;
	struct page *p[2];
	struct edu_ctx c;
	phys_addr_t a, b;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	p[0] = edu_alloc_page(test, &c);
	p[1] = edu_alloc_page(test, &c);

	/* A state without a range is refused */
	a = page_to_phys(p[0]);
	b = page_to_phys(p[1]);
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_link(c.dev, &none, a, 0,
						     PAGE_SIZE, DMA_TO_DEVICE,
						     0));

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &st, 0, 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_link(c.dev, &st, a, 0, PAGE_SIZE,
					       DMA_TO_DEVICE, 0));
	/* Runs past the end of the range, starts past it, is empty */
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_link(c.dev, &st, b, PAGE_SIZE,
						     2 * PAGE_SIZE,
						     DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_link(c.dev, &st, b,
						     2 * PAGE_SIZE, PAGE_SIZE,
						     DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_link(c.dev, &st, b, PAGE_SIZE,
						     0, DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_sync(c.dev, &st, PAGE_SIZE,
						     2 * PAGE_SIZE));
	/* Nothing of the failed links got mapped */
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr + PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &st, 0, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr), a);

	/* The caller unwinds what it mapped so far */
	dma_iova_destroy(c.dev, &st, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
}

static void iova_misaligned(struct kunit *test)
{
	struct iommu_domain *dom;
	struct dma_iova_state st;
	phys_addr_t a, b;
	struct edu_ctx c;
	u8 *want;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	a = page_to_phys(edu_alloc_page(test, &c));
	b = page_to_phys(edu_alloc_page(test, &c));
	qemu_edu_pattern(phys_to_virt(a), PAGE_SIZE, 0, 3);
	qemu_edu_pattern(phys_to_virt(b), PAGE_SIZE, PAGE_SIZE, 3);

	/* The IOVA inherits the in-page offset of the first range */
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &st, a + 0x100,
						   PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, st.addr & ~PAGE_MASK, 0x100);

	/* In-page offsets of IOVA and phys differ */
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_link(c.dev, &st, a + 0x180, 0,
						     0x100, DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, dma_iova_link(c.dev, &st, b,
						     PAGE_SIZE - 0x100 + 0x10,
						     0x10, DMA_TO_DEVICE, 0));

	/* Head range ends mid-page, the next starts on a page boundary */
	KUNIT_EXPECT_EQ(test, 0, dma_iova_link(c.dev, &st, a + 0x100, 0,
					       PAGE_SIZE - 0x100,
					       DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_link(c.dev, &st, b, PAGE_SIZE - 0x100,
					       0x100, DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &st, 0, PAGE_SIZE));

	want = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	memcpy(want, phys_to_virt(a + 0x100), PAGE_SIZE - 0x100);
	memcpy(want + PAGE_SIZE - 0x100, phys_to_virt(b), 0x100);
	edu_expect_reads(test, &c, st.addr, PAGE_SIZE, want);
	dma_iova_destroy(c.dev, &st, PAGE_SIZE, DMA_TO_DEVICE, 0);
}

/*
 * Caller bugs that mainline's API answers with a WARN: a link after the
 * first one starting inside a page (-EIO, nothing mapped) and unlinking a
 * part twice (nothing else unmapped).  The WARN is expected here, once per
 * boot; workbench/xfails names this case.
 */
static void iova_misuse_warns(struct kunit *test)
{
	struct iommu_domain *dom;
	struct dma_iova_state st;
	phys_addr_t a, b;
	struct edu_ctx c;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	a = page_to_phys(edu_alloc_page(test, &c));
	b = page_to_phys(edu_alloc_page(test, &c));

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &st, a + 0x800,
						   3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_link(c.dev, &st, a + 0x800, 0, 0x800,
					       DMA_TO_DEVICE, 0));
	/* Same in-page offset as the IOVA, but not the first link */
	KUNIT_EXPECT_EQ(test, -EIO, dma_iova_link(c.dev, &st, b + 0x800,
						  PAGE_SIZE, 0x100,
						  DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr + PAGE_SIZE), 0);

	KUNIT_EXPECT_EQ(test, 0, dma_iova_link(c.dev, &st, b, 0x800,
					       PAGE_SIZE, DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &st, 0, 0x800 +
					       PAGE_SIZE));
	dma_iova_unlink(c.dev, &st, 0x800, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr + 0x800), 0);
	dma_iova_unlink(c.dev, &st, 0x800, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, st.addr), a + 0x800);
	dma_iova_destroy(c.dev, &st, 0x800 + PAGE_SIZE, DMA_TO_DEVICE, 0);
}

static void iova_beyond_aperture(struct kunit *test)
{
	struct dma_iova_state st;
	struct edu_ctx c;
	size_t big;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);

	/* Larger than anything below the DMA mask, if that can be said */
	if (dma_get_mask(c.dev) < SIZE_MAX - PAGE_SIZE) {
		big = (size_t)dma_get_mask(c.dev) + 1 + PAGE_SIZE;
		KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(c.dev, &st, 0, big));
		KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
		KUNIT_EXPECT_EQ(test, dma_iova_size(&st), 0);
	}
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(c.dev, &st, 0, 1ULL << 48));
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(c.dev, &st, 0, SIZE_MAX));
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(c.dev, &st, 0x123,
						    SIZE_MAX - 0x100));
	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(c.dev, &st, 0, 0));
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));

	/* ... and the aperture is still usable afterwards */
	KUNIT_EXPECT_TRUE(test, dma_iova_try_alloc(c.dev, &st, 0, SZ_1M));
	dma_iova_free(c.dev, &st);
}

static void iova_no_iommu(struct kunit *test)
{
	struct dma_iova_state st = { .addr = 1, .__size = 2 };
	struct page *p;
	struct edu_ctx c;
	dma_addr_t addr;

	edu_ctx_init(test, &c);
	if (c.iommu)
		kunit_skip(test, "%s is behind an IOMMU", pci_name(c.pdev));

	KUNIT_EXPECT_FALSE(test, dma_iova_try_alloc(c.dev, &st, 0, PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&st));
	KUNIT_EXPECT_EQ(test, dma_iova_size(&st), 0);
	KUNIT_EXPECT_EQ(test, st.addr, 0);

	/* The fallback: map the page on its own and let the device read it */
	p = edu_alloc_page(test, &c);
	qemu_edu_pattern(page_address(p), PAGE_SIZE, 0, 4);
	addr = dma_map_page(c.dev, p, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(c.dev, addr));
	edu_expect_reads(test, &c, addr, PAGE_SIZE, page_address(p));
	dma_unmap_page(c.dev, addr, PAGE_SIZE, DMA_TO_DEVICE);
}

/* The NVMe controller memory buffer published for P2P, if any. */
struct edu_pages {
	struct page *page;
	unsigned int order;
};

static void edu_free_pages_action(void *data)
{
	struct edu_pages *p = data;

	__free_pages(p->page, p->order);
}

/* 2^@order physically contiguous pages, freed with the test. */
static struct page *edu_alloc_pages(struct kunit *test, struct edu_ctx *c,
				    unsigned int order)
{
	struct edu_pages *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->page = alloc_pages(c->gfp | __GFP_NOWARN, order);
	if (!p->page)
		kunit_skip(test, "no order-%u block free", order);
	p->order = order;
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, edu_free_pages_action,
						  p));
	return p->page;
}

/* Link @vec with one dma_iova_link() per range, back to back from @off. */
static void edu_link_each(struct kunit *test, struct edu_ctx *c,
			  struct dma_iova_state *st, const struct phys_vec *vec,
			  unsigned int nr, size_t off)
{
	unsigned int i;

	for (i = 0; i < nr; off += vec[i].len, i++)
		KUNIT_ASSERT_EQ(test, 0, dma_iova_link(c->dev, st, vec[i].paddr,
						       off, vec[i].len,
						       DMA_BIDIRECTIONAL, 0));
}

/*
 * Compare every IOMMU page of @len bytes at @a and @b with the physical
 * addresses @vec says are there; the number of pages that differ.
 */
static unsigned int edu_vec_mismatches(struct kunit *test,
				       struct iommu_domain *dom,
				       dma_addr_t a, dma_addr_t b,
				       const struct phys_vec *vec,
				       unsigned int nr)
{
	unsigned int i, bad = 0;
	phys_addr_t pa, pb;
	size_t pos, off = 0;

	for (i = 0; i < nr; i++) {
		for (pos = 0; pos < vec[i].len; pos += PAGE_SIZE) {
			pa = iommu_iova_to_phys(dom, a + off + pos);
			pb = b ? iommu_iova_to_phys(dom, b + off + pos) :
				 vec[i].paddr + pos;
			if (pa == vec[i].paddr + pos && pb == pa)
				continue;
			if (!bad++)
				kunit_info(test, "range %u +%#zx: batched %pa, per range %pa, want %pa\n",
					   i, pos, &pa, &pb, &vec[i].paddr);
		}
		off += vec[i].len;
	}
	return bad;
}

/*
 * Whole pages linked as one vector end up exactly where one
 * dma_iova_link() per range puts them: every IOMMU page of 520 scattered
 * ranges (more than a leaf table of 512 entries, with some four-page
 * ranges among them) translates to the same physical page both ways, and
 * the device reads each page's own bytes at the leaf table edges.
 */
static void iova_link_ranges_matches_per_range(struct kunit *test)
{
	const unsigned int nr = 520;
	struct dma_iova_state a, b;
	struct iommu_domain *dom;
	size_t len = 0, edge;
	struct phys_vec *vec;
	size_t reads[4];
	struct page *p;
	struct edu_ctx c;
	unsigned int i;
	u8 want[64];

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	vec = kunit_kcalloc(test, nr, sizeof(*vec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vec);
	for (i = 0; i < nr; i++) {
		p = i % 100 == 7 ? edu_alloc_pages(test, &c, 2) :
				   edu_alloc_page(test, &c);
		vec[i].paddr = page_to_phys(p);
		vec[i].len = i % 100 == 7 ? 4 * PAGE_SIZE : PAGE_SIZE;
		qemu_edu_pattern(page_address(p), vec[i].len, len, 1);
		len += vec[i].len;
	}

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &a, 0, len));
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &b, 0, len));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_link_ranges(c.dev, &a, vec, nr, 0,
						      DMA_BIDIRECTIONAL, 0));
	edu_link_each(test, &c, &b, vec, nr, 0);
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &a, 0, len));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &b, 0, len));
	KUNIT_EXPECT_EQ(test, 0, edu_vec_mismatches(test, dom, a.addr, b.addr,
						    vec, nr));

	/* The first page, either side of the first leaf table edge, the last */
	edge = ALIGN(a.addr + 1, SZ_2M) - a.addr;
	reads[0] = 0;
	reads[1] = edge - PAGE_SIZE;
	reads[2] = edge;
	reads[3] = len - PAGE_SIZE;
	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		/* qemu_edu_pattern() numbers bytes by their buffer offset */
		qemu_edu_pattern(want, sizeof(want), reads[i], 1);
		edu_expect_reads(test, &c, a.addr + reads[i], sizeof(want), want);
	}

	dma_iova_destroy(c.dev, &a, len, DMA_BIDIRECTIONAL, 0);
	dma_iova_destroy(c.dev, &b, len, DMA_BIDIRECTIONAL, 0);
}

/*
 * A vector that runs into an IOVA page that is already mapped fails with
 * -EBUSY, and the pages it linked before that one are unmapped again
 * while the page that was there stays as it was.  Unaligned and empty
 * ranges are refused before anything is linked.
 */
static void iova_link_ranges_busy_unwinds_exactly(struct kunit *test)
{
	const unsigned int nr = 8, busy = 5;
	struct phys_vec vec[8], bad;
	struct iommu_domain *dom;
	struct dma_iova_state st;
	phys_addr_t there;
	struct edu_ctx c;
	unsigned int i;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	for (i = 0; i < nr; i++)
		vec[i] = (struct phys_vec){
			.paddr = page_to_phys(edu_alloc_page(test, &c)),
			.len = PAGE_SIZE,
		};
	there = page_to_phys(edu_alloc_page(test, &c));
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &st, 0,
						   nr * PAGE_SIZE));

	bad = vec[2];
	vec[2].len = PAGE_SIZE / 2;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_iova_link_ranges(c.dev, &st, vec, nr, 0,
					     DMA_TO_DEVICE, 0));
	vec[2].len = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_iova_link_ranges(c.dev, &st, vec, nr, 0,
					     DMA_TO_DEVICE, 0));
	vec[2] = bad;
	/* Past the end of the IOVA range; starting inside a page */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_iova_link_ranges(c.dev, &st, vec, nr, PAGE_SIZE,
					     DMA_TO_DEVICE, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_iova_link_ranges(c.dev, &st, vec, nr - 1,
					     PAGE_SIZE / 2, DMA_TO_DEVICE, 0));
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    iommu_iova_to_phys(dom, st.addr + i * PAGE_SIZE),
				    0, "IOVA page %u after a refused vector", i);

	KUNIT_ASSERT_EQ(test, 0, iommu_map(dom, st.addr + busy * PAGE_SIZE,
					   there, PAGE_SIZE,
					   IOMMU_READ | IOMMU_WRITE,
					   GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, -EBUSY,
			dma_iova_link_ranges(c.dev, &st, vec, nr, 0,
					     DMA_TO_DEVICE, 0));
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    iommu_iova_to_phys(dom, st.addr + i * PAGE_SIZE),
				    i == busy ? there : 0, "IOVA page %u", i);

	iommu_unmap(dom, st.addr + busy * PAGE_SIZE, PAGE_SIZE);
	dma_iova_free(c.dev, &st);
}

/*
 * Ranges that allow 2 MiB superpages get them in a vector, and 4 KiB
 * ranges between them still get 4 KiB entries: a 2 MiB block, 512
 * scattered pages, a 2 MiB block.  Unmapping one 4 KiB page of a
 * superpage takes the whole 2 MiB, which is how the test tells.
 */
static void iova_link_ranges_keeps_superpages(struct kunit *test)
{
	const unsigned int nr = 514;
	struct iommu_domain *dom;
	struct dma_iova_state st;
	struct phys_vec *vec;
	struct edu_ctx c;
	unsigned int i;
	size_t off;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	if (!(dom->pgsize_bitmap & SZ_2M))
		kunit_skip(test, "this IOMMU domain has no 2 MiB pages");
	vec = kunit_kcalloc(test, nr, sizeof(*vec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vec);
	for (i = 0; i < nr; i++) {
		if (!i || i == nr - 1)
			vec[i] = (struct phys_vec){
				.paddr = page_to_phys(edu_alloc_pages(test, &c, 9)),
				.len = SZ_2M,
			};
		else
			vec[i] = (struct phys_vec){
				.paddr = page_to_phys(edu_alloc_page(test, &c)),
				.len = PAGE_SIZE,
			};
	}

	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &st, 0, 8 * SZ_1M));
	off = ALIGN(st.addr, SZ_2M) - st.addr;
	KUNIT_ASSERT_EQ(test, 0, dma_iova_link_ranges(c.dev, &st, vec, nr, off,
						      DMA_BIDIRECTIONAL, 0));
	KUNIT_EXPECT_EQ(test, 0, dma_iova_sync(c.dev, &st, off, 6 * SZ_1M));
	KUNIT_EXPECT_EQ(test, 0, edu_vec_mismatches(test, dom, st.addr + off, 0,
						    vec, nr));

	KUNIT_EXPECT_EQ(test, SZ_2M, iommu_unmap(dom, st.addr + off, SZ_4K));
	KUNIT_EXPECT_EQ(test, SZ_4K, iommu_unmap(dom, st.addr + off + SZ_2M,
						 SZ_4K));
	KUNIT_EXPECT_EQ(test, SZ_2M, iommu_unmap(dom, st.addr + off + SZ_4M,
						 SZ_4K));
	iommu_unmap(dom, st.addr + off + SZ_2M + SZ_4K, SZ_2M - SZ_4K);
	for (off = 0; off < 8 * SZ_1M; off += PAGE_SIZE)
		if (iommu_iova_to_phys(dom, st.addr + off))
			break;
	KUNIT_EXPECT_EQ_MSG(test, off, 8 * SZ_1M, "IOVA +%#zx still mapped", off);
	dma_iova_free(c.dev, &st);
}

static struct pci_dev *edu_find_p2p_provider(void)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_class(PCI_CLASS_STORAGE_EXPRESS, pdev)))
		if (pci_has_p2pmem(pdev))
			return pdev;
	return NULL;
}

/* The switch upstream port above @pdev, or NULL on a root port. */
static struct pci_dev *edu_switch_of(struct pci_dev *pdev)
{
	struct pci_dev *port = pci_upstream_bridge(pdev);

	if (!port || pci_pcie_type(port) != PCI_EXP_TYPE_DOWNSTREAM)
		return NULL;
	return pci_upstream_bridge(port);
}

struct edu_p2p {
	struct pci_dev *provider;
	void *va;
	phys_addr_t phys;
	size_t len;
};

static void edu_p2p_free(void *data)
{
	struct edu_p2p *m = data;

	pci_free_p2pmem(m->provider, m->va, m->len);
	pci_dev_put(m->provider);
}

static struct edu_p2p *edu_p2p_alloc(struct kunit *test, size_t len)
{
	struct edu_p2p *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->provider = edu_find_p2p_provider();
	if (!m->provider)
		kunit_skip(test, "no PCI P2P memory provider (nvme CMB)");
	m->va = pci_alloc_p2pmem(m->provider, len);
	if (!m->va) {
		pci_dev_put(m->provider);
		kunit_skip(test, "no free P2P memory");
	}
	m->len = len;
	m->phys = page_to_phys(virt_to_page(m->va)) + offset_in_page(m->va);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, edu_p2p_free, m));
	return m;
}

static const char *const edu_map_type_names[] = {
	[PCI_P2PDMA_MAP_UNKNOWN] = "unknown",
	[PCI_P2PDMA_MAP_NONE] = "ram",
	[PCI_P2PDMA_MAP_NOT_SUPPORTED] = "refused",
	[PCI_P2PDMA_MAP_BUS_ADDR] = "bus-address",
	[PCI_P2PDMA_MAP_THRU_HOST_BRIDGE] = "host-bridge",
};

/* Does the downstream port above @pdev redirect peer requests upstream? */
static bool edu_acs_redirects(struct pci_dev *pdev)
{
	struct pci_dev *port = pci_upstream_bridge(pdev);
	u16 ctrl;
	int pos;

	if (!port)
		return false;
	pos = pci_find_ext_capability(port, PCI_EXT_CAP_ID_ACS);
	if (!pos)
		return false;
	pci_read_config_word(port, pos + PCI_ACS_CTRL, &ctrl);
	return ctrl & (PCI_ACS_RR | PCI_ACS_CR);
}

/*
 * The expected decision: below the same switch, without ACS redirection,
 * the peer is reached with a bus address.  QEMU's xio3130 downstream
 * ports have no ACS capability, so that holds with intel-iommu too.
 * Every other path crosses QEMU's q35 host bridge, which is whitelisted.
 */
static enum pci_p2pdma_map_type edu_expected_map(struct edu_ctx *c,
						 struct pci_dev *provider)
{
	struct pci_dev *sw = edu_switch_of(c->pdev);

	if (sw && sw == edu_switch_of(provider) &&
	    !edu_acs_redirects(c->pdev) && !edu_acs_redirects(provider))
		return PCI_P2PDMA_MAP_BUS_ADDR;
	return PCI_P2PDMA_MAP_THRU_HOST_BRIDGE;
}

/*
 * QEMU has no peer-to-peer routing inside a switch: with a vIOMMU every
 * DMA request of the device is translated, so a bus address would fault
 * there although it is the right answer on real hardware.
 */
static bool edu_p2p_emulated(struct edu_ctx *c, enum pci_p2pdma_map_type type)
{
	return !(c->iommu && type == PCI_P2PDMA_MAP_BUS_ADDR);
}

/* The pci_p2pdma decision for @dev and the provider of a P2P @page. */
static enum pci_p2pdma_map_type edu_page_map_type(struct device *dev,
						  struct page *page)
{
	struct pci_p2pdma_map_state st = {};

	return pci_p2pdma_state(&st, dev, page);
}

/* Can this device address the P2P page at all, whatever the path? */
static bool edu_p2p_reachable(struct edu_ctx *c, struct edu_p2p *m)
{
	u64 mask = dma_get_mask(c->dev);
	enum pci_p2pdma_map_type type;

	type = edu_page_map_type(c->dev, virt_to_page(m->va));
	if (type == PCI_P2PDMA_MAP_NOT_SUPPORTED || !edu_p2p_emulated(c, type))
		return false;
	if (type == PCI_P2PDMA_MAP_BUS_ADDR)
		return pci_p2pmem_virt_to_bus(m->provider, m->va) +
		       m->len - 1 <= mask;
	return c->iommu || m->phys + m->len - 1 <= mask;
}

/* A mapping made by edu_map(), undone by KUnit even if an assertion fails */
struct edu_mapping {
	struct device *dev;
	const struct phys_list *pl;
	struct dma_phys_map map;
};

static void edu_unmap_action(void *data)
{
	struct edu_mapping *m = data;

	dma_unmap_phys_list(m->dev, m->pl, &m->map);
}

/* Map @pl for @c's device; *@err is dma_map_phys_list()'s result. */
static struct edu_mapping *edu_map_ret(struct kunit *test, struct edu_ctx *c,
				       const struct phys_list *pl,
				       struct p2pdma_provider *provider,
				       enum dma_data_direction dir, int *err)
{
	struct edu_mapping *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = c->dev;
	m->pl = pl;
	*err = dma_map_phys_list(c->dev, pl, provider, dir, 0, &m->map);
	if (!*err) {
		ret = kunit_add_action_or_reset(test, edu_unmap_action, m);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	return m;
}

static struct edu_mapping *edu_map(struct kunit *test, struct edu_ctx *c,
				   const struct phys_list *pl,
				   struct p2pdma_provider *provider,
				   enum dma_data_direction dir)
{
	struct edu_mapping *m;
	int ret;

	m = edu_map_ret(test, c, pl, provider, dir, &ret);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return m;
}

/* The DMA address at byte @off of a DMA list (entries may be merged). */
static dma_addr_t edu_dma_at(struct kunit *test, const struct dma_list *dl,
			     u64 off)
{
	struct dma_list_iter di;
	dma_addr_t addr;
	u64 len;

	dma_list_iter_init(&di, dl);
	KUNIT_ASSERT_EQ(test, 0, dma_list_iter_seek(&di, off, 1));
	KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
	return addr;
}

static void edu_free_list_action(void *pl)
{
	phys_list_free(pl);
}

/* An empty physical range list freed by KUnit after the test. */
static struct phys_list *edu_new_list(struct kunit *test)
{
	struct phys_list *pl = kunit_kzalloc(test, sizeof(*pl), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, pl);
	KUNIT_ASSERT_EQ(test, 0, phys_list_init(pl, NULL));
	ret = kunit_add_action_or_reset(test, edu_free_list_action, pl);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return pl;
}

/*
 * Map one CMB page for the device with its current DMA mask and check the
 * decision; with @dma, also let the device read through the mapping (not
 * possible with a narrowed mask: the driver's own buffer may lie above).
 */
static void edu_p2p_check(struct kunit *test, struct edu_ctx *c,
			  struct edu_p2p *m, bool dma)
{
	enum pci_p2pdma_map_type type;
	struct edu_mapping *mp;
	struct dma_list_iter di;
	struct phys_list *pl;
	dma_addr_t addr;
	u64 len;
	int ret;

	type = edu_page_map_type(c->dev, virt_to_page(m->va));

	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, m->phys, PAGE_SIZE,
						  GFP_KERNEL));
	mp = edu_map_ret(test, c, pl, NULL, DMA_BIDIRECTIONAL, &ret);
	if (type == PCI_P2PDMA_MAP_BUS_ADDR &&
	    pci_p2pmem_virt_to_bus(m->provider, m->va) + PAGE_SIZE - 1 >
	    dma_get_mask(c->dev)) {
		/* The peer is close, but outside what the device can drive */
		kunit_info(test, "bus address beyond the %llx DMA mask: refused\n",
			   dma_get_mask(c->dev));
		KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
	} else if (type == PCI_P2PDMA_MAP_THRU_HOST_BRIDGE && !c->iommu &&
		   m->phys + PAGE_SIZE - 1 > dma_get_mask(c->dev)) {
		kunit_info(test, "BAR beyond the %llx DMA mask: refused\n",
			   dma_get_mask(c->dev));
		KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
	} else if (type == PCI_P2PDMA_MAP_NOT_SUPPORTED) {
		KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
	} else {
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_EXPECT_EQ(test, mp->map.nr_bus,
				type == PCI_P2PDMA_MAP_BUS_ADDR ? 1 : 0);
		KUNIT_EXPECT_EQ(test, mp->map.nr_host_bridge,
				type == PCI_P2PDMA_MAP_THRU_HOST_BRIDGE ? 1 : 0);
		KUNIT_EXPECT_EQ(test, dma_use_iova(&mp->map.state),
				c->iommu && type != PCI_P2PDMA_MAP_BUS_ADDR);
		KUNIT_ASSERT_EQ(test, dma_list_count(&mp->map.dl), 1);
		dma_list_iter_init(&di, &mp->map.dl);
		KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
		if (type == PCI_P2PDMA_MAP_BUS_ADDR)
			KUNIT_EXPECT_EQ(test, addr,
					pci_p2pmem_virt_to_bus(m->provider, m->va));
		KUNIT_EXPECT_LE(test, addr + PAGE_SIZE - 1,
				dma_get_mask(c->dev));
		/* The device reads the peer's memory through the mapping */
		if (dma && edu_p2p_emulated(c, type))
			edu_expect_reads(test, c, addr, 512, m->va);
		else if (dma)
			kunit_info(test, "QEMU translates all DMA of a device behind its vIOMMU, even to a peer on the same switch: bus-address DMA not exercised\n");
		kunit_release_action(test, edu_unmap_action, mp);
	}
}

static void edu_restore_mask(void *data)
{
	struct device *dev = data;
	struct qemu_edu *edu = qemu_edu_from_pci(to_pci_dev(dev));

	/* Put back what the driver set at probe */
	WARN_ON(dma_set_mask(dev, edu->dma_mask));
}

/*
 * The P2P decision for the NVMe CMB, checked by the device reading through
 * the mapping, then again with the device limited to 28 address bits
 * (QEMU's default for edu): what it cannot reach is refused.
 */
static void edu_p2p_matrix(struct kunit *test)
{
	enum pci_p2pdma_map_type type, want;
	struct edu_p2p *m;
	struct edu_ctx c;
	int ret;

	edu_ctx_init(test, &c);
	m = edu_p2p_alloc(test, PAGE_SIZE);
	qemu_edu_pattern(m->va, PAGE_SIZE, 0, 6);

	type = edu_page_map_type(c.dev, virt_to_page(m->va));
	want = edu_expected_map(&c, m->provider);
	kunit_info(test, "edu %s %s: P2P from %s (%s): %s\n", pci_name(c.pdev),
		   c.iommu ? "iommu" : "direct", pci_name(m->provider),
		   edu_switch_of(c.pdev) ? "same switch" : "root port",
		   edu_map_type_names[type]);
	KUNIT_EXPECT_EQ(test, type, want);
	edu_p2p_check(test, &c, m, true);

	if (dma_get_mask(c.dev) <= DMA_BIT_MASK(28))
		return;
	ret = kunit_add_action_or_reset(test, edu_restore_mask, c.dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, 0, dma_set_mask(c.dev, DMA_BIT_MASK(28)));
	edu_p2p_check(test, &c, m, false);
	kunit_release_action(test, edu_restore_mask, c.dev);
}

static void edu_folio_put(void *f)
{
	folio_put(f);
}

/*
 * A buffer of a scattered page, part of a 2 MiB folio and (when the
 * topology lets this device reach it) a page of NVMe CMB: the device reads
 * every byte through the mapping and then writes every byte through it.
 */
static void edu_dma_multi_range(struct kunit *test)
{
	struct edu_mapping *mp;
	struct phys_list_iter pi;
	struct phys_list *pl;
	struct edu_p2p *m = NULL;
	struct pci_dev *prov;
	struct folio *folio;
	u64 len, total, pos;
	phys_addr_t phys;
	struct edu_ctx c;
	struct page *p;
	u8 *lin;
	int ret;

	edu_ctx_init(test, &c);
	p = edu_alloc_page(test, &c);
	folio = folio_alloc(c.gfp | __GFP_NOWARN, PMD_SHIFT - PAGE_SHIFT);
	if (!folio)
		kunit_skip(test, "no 2 MiB folio available");
	ret = kunit_add_action_or_reset(test, edu_folio_put, folio);
	KUNIT_ASSERT_EQ(test, ret, 0);

	pl = edu_new_list(test);
	/* Tail of a page, 1.5 pages in the middle of the folio, CMB page */
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, page_to_phys(p) + 0xc00,
						  0x400, GFP_KERNEL));
	phys = PFN_PHYS(folio_pfn(folio)) + SZ_1M;
	ret = phys_list_append(pl, phys, PAGE_SIZE + 0x800, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, ret, 0);
	prov = edu_find_p2p_provider();
	if (prov) {
		pci_dev_put(prov);
		m = edu_p2p_alloc(test, PAGE_SIZE);
		if (!edu_p2p_reachable(&c, m))
			m = NULL;
	}
	if (m)
		KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, m->phys,
							  PAGE_SIZE, GFP_KERNEL));
	else
		kunit_info(test, "edu %s: CMB not reachable by this device, RAM only\n",
			   pci_name(c.pdev));

	/* CPU writes the bytes; keep a linear copy of the whole list */
	total = phys_list_len(pl);
	lin = kunit_kzalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	pos = 0;
	phys_list_for_each(pl, &pi, phys, len) {
		void *va = (m && phys == m->phys) ? m->va : phys_to_virt(phys);

		qemu_edu_pattern(va, len, pos, 7);
		memcpy(lin + pos, va, len);
		pos += len;
	}

	mp = edu_map(test, &c, pl, NULL, DMA_BIDIRECTIONAL);
	kunit_info(test, "edu %s %s: %lu ranges -> %lu DMA ranges, %s, %lu bus, %lu host-bridge\n",
		   pci_name(c.pdev), c.iommu ? "iommu" : "direct",
		   phys_list_count(pl), dma_list_count(&mp->map.dl),
		   dma_use_iova(&mp->map.state) ? "one IOVA range" : "per range",
		   mp->map.nr_bus, mp->map.nr_host_bridge);
	KUNIT_EXPECT_EQ(test, dma_use_iova(&mp->map.state), c.iommu);
	KUNIT_EXPECT_EQ(test, dma_list_len(&mp->map.dl), total);

	/* Device reads: compare per DMA range with the CPU's bytes */
	edu_expect_checksums(test, &c, &mp->map.dl, lin);

	/* Device writes a new pattern; the CPU must see it everywhere */
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_fill_list(c.edu, &mp->map.dl, 9));
	dma_sync_phys_list_for_cpu(c.dev, pl, &mp->map);
	qemu_edu_pattern(lin, total, 0, 9);
	pos = 0;
	phys_list_for_each(pl, &pi, phys, len) {
		void *va = (m && phys == m->phys) ? m->va : phys_to_virt(phys);

		KUNIT_EXPECT_EQ(test, 0, memcmp(va, lin + pos, len));
		pos += len;
	}
	kunit_release_action(test, edu_unmap_action, mp);
}

/* The ivshmem BAR offered as P2P memory without struct page, if any. */
static struct qemu_edu_shm *edu_find_shm(void)
{
	struct pci_dev *pdev = NULL;
	struct qemu_edu_shm *shm;

	while ((pdev = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110,
				      pdev))) {
		shm = qemu_edu_shm_from_pci(pdev);
		if (shm) {
			pci_dev_put(pdev);
			return shm;
		}
	}
	return NULL;
}

/* RAM then a BAR range @provider must not cover: refused, nothing mapped */
static void edu_expect_bar_refused(struct kunit *test, struct edu_ctx *c,
				   phys_addr_t ram, phys_addr_t bar, u64 len,
				   struct p2pdma_provider *provider)
{
	struct dma_phys_map map;
	struct phys_list pl;

	KUNIT_ASSERT_EQ(test, 0, phys_list_init(&pl, NULL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(&pl, ram, PAGE_SIZE,
						  GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(&pl, bar, len, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, -EREMOTEIO,
			dma_map_phys_list(c->dev, &pl, provider, DMA_TO_DEVICE,
					  0, &map));
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&map.state));
	KUNIT_EXPECT_EQ(test, dma_list_count(&map.dl), 0);
	phys_list_free(&pl);
}

/*
 * RAM, a BAR range without struct page and RAM again: the helper finds the
 * BAR's provider, maps it by the topology's decision, and the device reads
 * and writes the right bytes in all three.  A range running past the end
 * of the BAR has no provider and is refused.
 */
static void edu_dma_bar_without_page(struct kunit *test)
{
	const u64 bar_off = SZ_64K + 0x200, bar_len = PAGE_SIZE + 0x600;
	enum pci_p2pdma_map_type type, want;
	struct phys_list_iter pi;
	struct qemu_edu_shm *shm;
	struct edu_mapping *mp;
	struct dma_list_iter di;
	struct phys_list *pl;
	u64 len, total, pos;
	phys_addr_t phys, ram[3];
	dma_addr_t addr;
	struct edu_ctx c;
	unsigned int i;
	u8 *lin;
	int ret;

	edu_ctx_init(test, &c);
	for (i = 0; i < ARRAY_SIZE(ram); i++)
		ram[i] = page_to_phys(edu_alloc_page(test, &c));
	shm = edu_find_shm();
	if (!shm)
		kunit_skip(test, "no ivshmem device bound to qemu_edu_shm");
	KUNIT_ASSERT_GE(test, (u64)shm->len, bar_off + bar_len);
	KUNIT_EXPECT_FALSE(test, pfn_valid(PHYS_PFN(shm->phys)));
	KUNIT_EXPECT_TRUE(test, pci_p2pdma_provider_contains(shm->mem,
							     shm->phys + bar_off,
							     bar_len));

	type = pci_p2pdma_map_type(shm->mem, c.dev);
	want = edu_expected_map(&c, shm->pdev);
	kunit_info(test, "edu %s %s: BAR without pages of %s (%s): %s\n",
		   pci_name(c.pdev), c.iommu ? "iommu" : "direct",
		   pci_name(shm->pdev),
		   edu_switch_of(c.pdev) ? "same switch" : "root port",
		   edu_map_type_names[type]);
	KUNIT_EXPECT_EQ(test, type, want);

	/*
	 * Past the end of the BAR, in the register BAR 0 that the exporter
	 * did not name, or with no provider named at all: refused, nothing
	 * mapped.
	 */
	edu_expect_bar_refused(test, &c, ram[0], shm->phys + shm->len -
			       PAGE_SIZE, 2 * PAGE_SIZE, shm->mem);
	edu_expect_bar_refused(test, &c, ram[0],
			       pci_resource_start(shm->pdev, 0), 0x100,
			       shm->mem);
	edu_expect_bar_refused(test, &c, ram[0], shm->phys + bar_off, bar_len,
			       NULL);

	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, ram[1] + 0x800, 0x800,
						  GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, shm->phys + bar_off,
						  bar_len, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, ram[2], 0x400,
						  GFP_KERNEL));

	/* The CPU writes every range; keep a linear copy */
	total = phys_list_len(pl);
	lin = kunit_kzalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	qemu_edu_pattern(lin, total, 0, 11);
	pos = 0;
	phys_list_for_each(pl, &pi, phys, len) {
		if (phys == shm->phys + bar_off)
			memcpy_toio(shm->va + bar_off, lin + pos, len);
		else
			memcpy(phys_to_virt(phys), lin + pos, len);
		pos += len;
	}

	mp = edu_map_ret(test, &c, pl, shm->mem, DMA_BIDIRECTIONAL,
			 &ret);
	if (type == PCI_P2PDMA_MAP_NOT_SUPPORTED) {
		KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	kunit_info(test, "edu %s %s: %lu ranges -> %lu DMA ranges, %lu bus, %lu host-bridge\n",
		   pci_name(c.pdev), c.iommu ? "iommu" : "direct",
		   phys_list_count(pl), dma_list_count(&mp->map.dl),
		   mp->map.nr_bus, mp->map.nr_host_bridge);
	KUNIT_EXPECT_EQ(test, mp->map.nr_bus,
			type == PCI_P2PDMA_MAP_BUS_ADDR ? 1 : 0);
	KUNIT_EXPECT_EQ(test, mp->map.nr_host_bridge,
			type == PCI_P2PDMA_MAP_THRU_HOST_BRIDGE ? 1 : 0);
	KUNIT_EXPECT_EQ(test, dma_use_iova(&mp->map.state), c.iommu);
	KUNIT_EXPECT_EQ(test, dma_list_len(&mp->map.dl), total);
	if (type == PCI_P2PDMA_MAP_BUS_ADDR) {
		dma_list_iter_init(&di, &mp->map.dl);
		KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
		KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
		KUNIT_EXPECT_EQ(test, addr, pci_bus_address(shm->pdev, 2) +
				bar_off);
	}
	if (!edu_p2p_emulated(&c, type)) {
		kunit_info(test, "QEMU translates all DMA of a device behind its vIOMMU: bus-address DMA not exercised\n");
		return;
	}

	/* The device reads what the CPU wrote, range by range */
	edu_expect_checksums(test, &c, &mp->map.dl, lin);

	/* The device writes; the CPU finds the new bytes everywhere */
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_fill_list(c.edu, &mp->map.dl, 12));
	dma_sync_phys_list_for_cpu(c.dev, pl, &mp->map);
	qemu_edu_pattern(lin, total, 0, 12);
	pos = 0;
	phys_list_for_each(pl, &pi, phys, len) {
		u8 *got = kunit_kzalloc(test, len, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, got);
		if (phys == shm->phys + bar_off)
			memcpy_fromio(got, shm->va + bar_off, len);
		else
			memcpy(got, phys_to_virt(phys), len);
		KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(got, lin + pos, len),
				    "range at offset %llu", pos);
		pos += len;
	}
}

static phys_addr_t edu_iova_phys(struct edu_ctx *c, dma_addr_t iova)
{
	return iommu_iova_to_phys(iommu_get_domain_for_dev(c->dev), iova);
}

/* A dma-buf exporter of one BAR window, for the core's P2P decision. */
struct edu_bar_exp {
	struct phys_list pl;
	struct p2pdma_provider *provider;
	int maps, unmaps;
};

static const struct phys_list *
edu_bar_map_phys(struct dma_buf_attachment *attach, enum dma_data_direction dir,
		 struct p2pdma_provider **provider)
{
	struct edu_bar_exp *e = attach->dmabuf->priv;

	e->maps++;
	*provider = e->provider;
	return &e->pl;
}

static void edu_bar_unmap_phys(struct dma_buf_attachment *attach,
			       const struct phys_list *pl,
			       enum dma_data_direction dir)
{
	struct edu_bar_exp *e = attach->dmabuf->priv;

	e->unmaps++;
}

static void edu_bar_exp_free(struct edu_bar_exp *e)
{
	phys_list_free(&e->pl);
	kfree(e);
}

static void edu_bar_release(struct dma_buf *dmabuf)
{
	edu_bar_exp_free(dmabuf->priv);
}

/* A BAR goes away with its device: only revocable exporters name one. */
static const struct dma_buf_ops edu_bar_ops = {
	.revocable = true,
	.map_phys = edu_bar_map_phys,
	.unmap_phys = edu_bar_unmap_phys,
	.release = edu_bar_release,
};

/* The buffers of these tests are never revoked or moved while mapped. */
static void edu_move_notify(struct dma_buf_attachment *attach)
{
}

static const struct dma_buf_attach_ops edu_importer_no_p2p = {
	.allow_revoke = true,
	.move_notify = edu_move_notify,
};

static const struct dma_buf_attach_ops edu_importer_p2p = {
	.allow_peer2peer = true,
	.allow_revoke = true,
	.move_notify = edu_move_notify,
};

KUNIT_DEFINE_ACTION_WRAPPER(edu_dma_buf_put_action, dma_buf_put,
			    struct dma_buf *);

/*
 * Export @len bytes of P2P memory at @phys (its @provider named if it has
 * no struct page) and check what the dma-buf core does with it: an edu
 * attached without allow_peer2peer is refused before anything is mapped,
 * even where pci_p2pdma has a path; with it, the device reads @lin through
 * the list the core mapped (where QEMU can carry the route, else the bus
 * address @bus is checked), and after unmap the IOVA is gone.
 */
static void edu_dmabuf_p2p_only_for_p2p_importers(struct kunit *test,
						  struct edu_ctx *c,
						  phys_addr_t phys, size_t len,
						  struct p2pdma_provider *provider,
						  enum pci_p2pdma_map_type want,
						  dma_addr_t bus, const u8 *lin)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	struct edu_bar_exp *e;
	struct dma_buf *dmabuf;
	dma_addr_t addr;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->provider = provider;
	ret = phys_list_init(&e->pl, NULL);
	if (!ret)
		ret = phys_list_append(&e->pl, phys, len, GFP_KERNEL);
	info.ops = &edu_bar_ops;
	info.size = len;
	info.flags = O_RDWR;
	info.priv = e;
	info.exp_name = "qemu_edu_kunit_p2p";
	dmabuf = ret ? ERR_PTR(ret) : dma_buf_export(&info);
	if (IS_ERR(dmabuf))
		edu_bar_exp_free(e);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	ret = kunit_add_action_or_reset(test, edu_dma_buf_put_action, dmabuf);
	KUNIT_ASSERT_EQ(test, ret, 0);

	attach = dma_buf_dynamic_attach(dmabuf, c->dev, &edu_importer_no_p2p,
					NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dl), -EREMOTEIO);
	KUNIT_EXPECT_EQ(test, e->maps, e->unmaps);
	dma_buf_detach(dmabuf, attach);

	attach = dma_buf_dynamic_attach(dmabuf, c->dev, &edu_importer_p2p, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dl = dma_buf_map_attachment_list_unlocked(attach, DMA_TO_DEVICE);
	if (!IS_ERR(dl)) {
		addr = edu_dma_at(test, dl, 0);
		if (want == PCI_P2PDMA_MAP_BUS_ADDR)
			KUNIT_EXPECT_EQ(test, addr, bus);
		if (edu_p2p_emulated(c, want))
			edu_expect_checksums(test, c, dl, lin);
		dma_buf_unmap_attachment_list_unlocked(attach, dl,
						       DMA_TO_DEVICE);
		if (c->iommu && want == PCI_P2PDMA_MAP_THRU_HOST_BRIDGE)
			KUNIT_EXPECT_EQ(test, edu_iova_phys(c, addr), 0);
	} else {
		KUNIT_FAIL(test, "map for a P2P importer: %ld", PTR_ERR(dl));
	}
	KUNIT_EXPECT_EQ(test, e->maps, e->unmaps);
	dma_buf_detach(dmabuf, attach);
}

/* A BAR without struct page, exported with the BAR's provider. */
static void edu_dmabuf_bar_only_for_p2p_importers(struct kunit *test)
{
	struct qemu_edu_shm *shm;
	struct edu_ctx c;
	u8 *lin;

	edu_ctx_init(test, &c);
	shm = edu_find_shm();
	if (!shm)
		kunit_skip(test, "no ivshmem device bound to qemu_edu_shm");
	lin = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	qemu_edu_pattern(lin, PAGE_SIZE, 0, 0x5a);
	memcpy_toio(shm->va + SZ_128K, lin, PAGE_SIZE);
	edu_dmabuf_p2p_only_for_p2p_importers(test, &c, shm->phys + SZ_128K,
					      PAGE_SIZE, shm->mem,
					      edu_expected_map(&c, shm->pdev),
					      pci_bus_address(shm->pdev, 2) +
					      SZ_128K, lin);
}

/* The PCI bus address of @phys in a memory BAR of @pdev, or 0. */
static dma_addr_t edu_bus_addr_of(struct pci_dev *pdev, phys_addr_t phys)
{
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		resource_size_t start = pci_resource_start(pdev, bar);

		if (pci_resource_flags(pdev, bar) & IORESOURCE_MEM &&
		    phys >= start && phys - start < pci_resource_len(pdev, bar))
			return pci_bus_address(pdev, bar) + (phys - start);
	}
	return 0;
}

/* ZONE_DEVICE P2P pages (the NVMe CMB): the pages name their provider. */
static void edu_dmabuf_cmb_pages_only_for_p2p_importers(struct kunit *test)
{
	struct edu_p2p *m;
	struct edu_ctx c;

	edu_ctx_init(test, &c);
	m = edu_p2p_alloc(test, PAGE_SIZE);
	qemu_edu_pattern(m->va, PAGE_SIZE, 0, 0x3c);
	edu_dmabuf_p2p_only_for_p2p_importers(test, &c, m->phys, PAGE_SIZE,
					      NULL,
					      edu_expected_map(&c, m->provider),
					      edu_bus_addr_of(m->provider, m->phys),
					      m->va);
}

/* A range the device cannot reach fails the whole list, nothing mapped. */
static void edu_phys_list_refuse(struct kunit *test)
{
	struct dma_phys_map map;
	struct phys_list pl;
	struct edu_ctx c;
	phys_addr_t phys;
	int ret;

	edu_ctx_init(test, &c);
	KUNIT_ASSERT_EQ(test, 0, phys_list_init(&pl, NULL));
	ret = dma_map_phys_list(c.dev, &pl, NULL, DMA_TO_DEVICE, 0, &map);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	phys = page_to_phys(edu_alloc_page(test, &c));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(&pl, phys, PAGE_SIZE,
						  GFP_KERNEL));
	/* No struct page behind it: the provider is unknown */
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(&pl, 1ULL << 50, PAGE_SIZE,
						  GFP_KERNEL));
	ret = dma_map_phys_list(c.dev, &pl, NULL, DMA_TO_DEVICE, 0, &map);
	KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&map.state));
	KUNIT_EXPECT_EQ(test, dma_list_count(&map.dl), 0);
	phys_list_free(&pl);
}

/*
 * A list exporter of @n pages at @phys (their @provider named for a BAR);
 * revocable, as exporters naming a provider must be.
 */
static struct dma_buf *edu_export_pages(struct kunit *test,
					const phys_addr_t *phys, unsigned int n,
					struct p2pdma_provider *provider,
					struct edu_bar_exp **out)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct edu_bar_exp *e;
	struct dma_buf *dmabuf;
	unsigned int i;
	int ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	e->provider = provider;
	ret = phys_list_init(&e->pl, NULL);
	for (i = 0; !ret && i < n; i++)
		ret = phys_list_append(&e->pl, phys[i], PAGE_SIZE, GFP_KERNEL);
	info.ops = &edu_bar_ops;
	info.size = n * PAGE_SIZE;
	info.flags = O_RDWR;
	info.priv = e;
	info.exp_name = "qemu_edu_kunit_range";
	dmabuf = ret ? ERR_PTR(ret) : dma_buf_export(&info);
	if (IS_ERR(dmabuf))
		edu_bar_exp_free(e);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	ret = kunit_add_action_or_reset(test, edu_dma_buf_put_action, dmabuf);
	KUNIT_ASSERT_EQ(test, ret, 0);
	*out = e;
	return dmabuf;
}

struct edu_own_domain {
	struct iommu_domain *domain;
	struct iommu_group *group;
	struct device *dev;
};

static void edu_own_domain_release(void *data)
{
	struct edu_own_domain *d = data;

	iommu_detach_group(d->domain, d->group);
	iommu_domain_free(d->domain);
	iommu_group_put(d->group);
}

/* Anything in the group but @data and bridges (which do no DMA)? */
static int edu_group_member_does_dma(struct device *dev, void *data)
{
	return dev != data && !(dev_is_pci(dev) &&
				pci_is_bridge(to_pci_dev(dev)));
}

#define EDU_DOMAIN_IOVA_RAM	0x40000000UL
#define EDU_DOMAIN_IOVA_BAR	0x40100000UL

/* What page @i of the RAM buffer's IOVA range translates to. */
static phys_addr_t edu_domain_phys(struct edu_own_domain *d, int i)
{
	return iommu_iova_to_phys(d->domain, EDU_DOMAIN_IOVA_RAM + i * PAGE_SIZE);
}

/*
 * An importer that owns its IOMMU domain, as msm, rockchip and tegra do:
 * the core maps a dma-buf of scattered RAM pages and one of the ivshmem
 * BAR at IOVAs the test chose, without handing out a physical address;
 * the device reads the right bytes there; unmap leaves nothing behind,
 * revoke takes the BAR mapping out by itself, and a non-P2P importer or
 * a misaligned IOVA is refused with nothing mapped.
 */
static void edu_dmabuf_domain_mapping(struct kunit *test)
{
	struct edu_own_domain *d;
	struct dma_buf_attachment *attach;
	struct qemu_edu_shm *shm;
	struct edu_bar_exp *e;
	struct dma_buf *dmabuf;
	phys_addr_t phys[2], scratch;
	struct edu_ctx c;
	u8 *lin;
	int err, i;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	d->dev = c.dev;
	d->group = iommu_group_get(c.dev);
	KUNIT_ASSERT_NOT_NULL(test, d->group);
	/* the root port's edu shares its group with the port, nothing else */
	if (iommu_group_for_each_dev(d->group, c.dev,
				     edu_group_member_does_dma)) {
		iommu_group_put(d->group);
		kunit_skip(test, "%s shares its IOMMU group with DMA masters",
			   pci_name(c.pdev));
	}
	/* qemu_edu_read() has the device write into the driver's scratch page */
	scratch = iommu_iova_to_phys(iommu_get_domain_for_dev(c.dev),
				     c.edu->scratch_dma);
	KUNIT_ASSERT_NE(test, scratch, 0);
	d->domain = iommu_paging_domain_alloc(c.dev);
	if (IS_ERR(d->domain)) {
		iommu_group_put(d->group);
		KUNIT_FAIL_AND_ABORT(test, "no paging domain: %ld",
				     PTR_ERR(d->domain));
	}
	err = iommu_attach_group(d->domain, d->group);
	if (err) {
		iommu_domain_free(d->domain);
		iommu_group_put(d->group);
		KUNIT_FAIL_AND_ABORT(test, "attaching the domain: %d", err);
	}
	err = kunit_add_action_or_reset(test, edu_own_domain_release, d);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = iommu_map(d->domain, c.edu->scratch_dma, scratch, PAGE_SIZE,
			IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, err, 0);

	/* two pages that are not adjacent: two ranges, one IOVA run */
	lin = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	for (i = 0; i < 2; i++) {
		struct page *p = edu_alloc_page(test, &c);

		qemu_edu_pattern(page_address(p), PAGE_SIZE, i * PAGE_SIZE, 11);
		memcpy(lin + i * PAGE_SIZE, page_address(p), PAGE_SIZE);
		phys[i] = page_to_phys(p);
	}
	dmabuf = edu_export_pages(test, phys, 2, NULL, &e);
	attach = dma_buf_dynamic_attach(dmabuf, c.dev, &edu_importer_no_p2p,
					NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dma_resv_lock(dmabuf->resv, NULL);
	err = dma_buf_map_attachment_domain(attach, d->domain,
					    EDU_DOMAIN_IOVA_RAM + 0x800,
					    DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(d->domain,
						 EDU_DOMAIN_IOVA_RAM), 0);
	err = dma_buf_map_attachment_domain(attach, d->domain,
					    EDU_DOMAIN_IOVA_RAM, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_ASSERT_EQ(test, err, 0);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, edu_domain_phys(d, i), phys[i]);
	edu_expect_reads(test, &c, EDU_DOMAIN_IOVA_RAM, 2 * PAGE_SIZE, lin);
	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_unmap_attachment_domain(attach, d->domain, EDU_DOMAIN_IOVA_RAM,
					DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, edu_domain_phys(d, i), 0);
	KUNIT_EXPECT_EQ(test, e->maps, e->unmaps);
	dma_buf_detach(dmabuf, attach);

	/* the BAR, through the host bridge, for a P2P importer only */
	shm = edu_find_shm();
	if (!shm || pci_p2pdma_map_type(shm->mem, c.dev) !=
		    PCI_P2PDMA_MAP_THRU_HOST_BRIDGE) {
		kunit_info(test, "%s: no ivshmem BAR through the host bridge, RAM only\n",
			   pci_name(c.pdev));
		return;
	}
	qemu_edu_pattern(lin, PAGE_SIZE, 0, 12);
	memcpy_toio(shm->va + SZ_64K, lin, PAGE_SIZE);
	phys[0] = shm->phys + SZ_64K;
	dmabuf = edu_export_pages(test, phys, 1, shm->mem, &e);

	attach = dma_buf_dynamic_attach(dmabuf, c.dev, &edu_importer_no_p2p,
					NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dma_resv_lock(dmabuf->resv, NULL);
	err = dma_buf_map_attachment_domain(attach, d->domain,
					    EDU_DOMAIN_IOVA_BAR, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_EXPECT_EQ(test, err, -EREMOTEIO);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(d->domain,
						 EDU_DOMAIN_IOVA_BAR), 0);
	dma_buf_detach(dmabuf, attach);

	attach = dma_buf_dynamic_attach(dmabuf, c.dev, &edu_importer_p2p, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(attach));
	dma_resv_lock(dmabuf->resv, NULL);
	err = dma_buf_map_attachment_domain(attach, d->domain,
					    EDU_DOMAIN_IOVA_BAR, DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(d->domain, EDU_DOMAIN_IOVA_BAR),
			shm->phys + SZ_64K);
	edu_expect_reads(test, &c, EDU_DOMAIN_IOVA_BAR, PAGE_SIZE, lin);

	/* this importer does not unmap in move_notify: revoke does it */
	dma_buf_revoke(dmabuf);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(d->domain,
						 EDU_DOMAIN_IOVA_BAR), 0);
	KUNIT_EXPECT_EQ(test, e->maps, e->unmaps);
	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_unmap_attachment_domain(attach, d->domain, EDU_DOMAIN_IOVA_BAR,
					DMA_TO_DEVICE);
	dma_resv_unlock(dmabuf->resv);
	dma_buf_detach(dmabuf, attach);
}

/* The ivshmem BAR, if @c's device reaches it through the host bridge. */
static struct qemu_edu_shm *edu_shm_through_host_bridge(struct kunit *test,
							struct edu_ctx *c)
{
	struct qemu_edu_shm *shm = edu_find_shm();

	if (!shm)
		kunit_skip(test, "no ivshmem device bound to qemu_edu_shm");
	if (pci_p2pdma_map_type(shm->mem, c->dev) !=
	    PCI_P2PDMA_MAP_THRU_HOST_BRIDGE)
		kunit_skip(test, "%s reaches %s without the host bridge",
			   pci_name(c->pdev), pci_name(shm->pdev));
	return shm;
}

/*
 * Spy on the page table writes of dma_iova_link() and of
 * dma_iova_link_ranges(): record what each link call asked for (a vector
 * as its start and total length) and optionally fail one of them, as a
 * driver does: nothing of the failed call mapped.
 */
struct edu_link_spy {
	unsigned int calls;
	unsigned int fail_at;
	dma_addr_t iova[8];
	size_t len[8];
	int prot[8];
};

static struct edu_link_spy *edu_spy;

/* Record one link call; false if it is the one to fail. */
static bool edu_spy_record(dma_addr_t iova, size_t len, int prot)
{
	unsigned int i = edu_spy->calls++;

	if (i < ARRAY_SIZE(edu_spy->prot)) {
		edu_spy->iova[i] = iova;
		edu_spy->len[i] = len;
		edu_spy->prot[i] = prot;
	}
	return i != edu_spy->fail_at;
}

static int edu_link_pages_spy(struct iommu_domain *domain, dma_addr_t iova,
			      phys_addr_t phys, size_t len, int prot)
{
	if (!edu_spy_record(iova, len, prot))
		return -ENOMEM;
	return iommu_map_nosync(domain, iova, phys, len, prot, GFP_ATOMIC);
}

static int edu_link_ranges_spy(struct iommu_domain *domain, dma_addr_t iova,
			       const struct phys_vec *ranges, unsigned int nr,
			       int prot)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		len += ranges[i].len;
	if (!edu_spy_record(iova, len, prot))
		return -ENOMEM;
	return iommu_map_ranges_nosync(domain, iova, ranges, nr, prot,
				       GFP_ATOMIC);
}

static struct edu_link_spy *edu_spy_start(struct kunit *test,
					  unsigned int fail_at)
{
	edu_spy = kunit_kzalloc(test, sizeof(*edu_spy), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, edu_spy);
	edu_spy->fail_at = fail_at;
	kunit_activate_static_stub(test, iommu_dma_link_pages,
				   edu_link_pages_spy);
	kunit_activate_static_stub(test, iommu_dma_link_ranges,
				   edu_link_ranges_spy);
	return edu_spy;
}

static void edu_spy_stop(struct kunit *test)
{
	kunit_deactivate_static_stub(test, iommu_dma_link_pages);
	kunit_deactivate_static_stub(test, iommu_dma_link_ranges);
}

/*
 * A list whose links take two calls per pair of ranges: a whole page
 * (batched) and the middle half of a page (linked on its own, after the
 * batch; never physically next to its neighbours, so never merged).
 */
static struct phys_list *edu_list_of_halves(struct kunit *test,
					    struct edu_ctx *c,
					    unsigned int pairs)
{
	struct phys_list *pl = edu_new_list(test);
	unsigned int i;

	for (i = 0; i < 2 * pairs; i++)
		KUNIT_ASSERT_EQ(test, 0,
				phys_list_append_page(pl, edu_alloc_page(test, c),
						      (i & 1) * PAGE_SIZE / 4,
						      PAGE_SIZE >> (i & 1),
						      GFP_KERNEL));
	return pl;
}

/*
 * A BAR reached through the host bridge is device memory: its link must
 * carry IOMMU_MMIO and must not claim CPU cache coherency, while the RAM
 * next to it is mapped as RAM.  The kind of every range is recorded.
 */
static void phys_list_host_bridge_is_mmio(struct kunit *test)
{
	struct qemu_edu_shm *shm;
	struct edu_link_spy *spy;
	struct edu_mapping *m;
	struct phys_list *pl;
	struct edu_ctx c;
	phys_addr_t ram;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	shm = edu_shm_through_host_bridge(test, &c);
	ram = page_to_phys(edu_alloc_page(test, &c));

	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, ram, PAGE_SIZE,
						  GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, shm->phys, PAGE_SIZE,
						  GFP_KERNEL));
	spy = edu_spy_start(test, UINT_MAX);
	m = edu_map(test, &c, pl, shm->mem, DMA_BIDIRECTIONAL);
	edu_spy_stop(test);
	KUNIT_EXPECT_EQ(test, spy->calls, 2);
	KUNIT_EXPECT_EQ(test, spy->prot[0] & IOMMU_MMIO, 0);
	KUNIT_EXPECT_EQ(test, spy->prot[1] & IOMMU_MMIO, IOMMU_MMIO);
	KUNIT_EXPECT_EQ(test, spy->prot[1] & IOMMU_CACHE, 0);
	KUNIT_EXPECT_EQ(test, dma_phys_map_kind(&m->map, 0), DMA_PHYS_RAM);
	KUNIT_EXPECT_EQ(test, dma_phys_map_kind(&m->map, 1),
			DMA_PHYS_P2P_HOST_BRIDGE);
}

/*
 * A link that fails half-way through a list: the call fails and every
 * range linked before is gone from the IOMMU's page tables.  Whole pages
 * are linked in batches, so the list alternates whole and half pages to
 * make four link calls: batch, single, batch, single; the last one fails,
 * right after a batch.
 */
static void phys_list_error_undoes_links(struct kunit *test)
{
	struct iommu_domain *dom;
	struct edu_link_spy *spy;
	struct dma_phys_map map;
	struct phys_list *pl;
	struct edu_ctx c;
	unsigned int i;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	pl = edu_list_of_halves(test, &c, 2);

	spy = edu_spy_start(test, 3);
	KUNIT_EXPECT_EQ(test, -ENOMEM,
			dma_map_phys_list(c.dev, pl, NULL, DMA_TO_DEVICE, 0,
					  &map));
	edu_spy_stop(test);
	KUNIT_EXPECT_EQ(test, spy->calls, 4);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&map.state));
	KUNIT_EXPECT_EQ(test, dma_list_count(&map.dl), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(dom, spy->iova[i]),
				    0, "link %u still mapped", i);
}

/* Map @pl expecting -EREMOTEIO after @links links, all undone. */
static void edu_expect_refused_after_links(struct kunit *test,
					   struct edu_ctx *c,
					   struct phys_list *pl,
					   struct p2pdma_provider *provider,
					   bool no_p2p, unsigned int links)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(c->dev);
	struct edu_link_spy *spy;
	struct dma_phys_map map;
	unsigned int i;
	int ret;

	spy = edu_spy_start(test, UINT_MAX);
	if (no_p2p)
		ret = dma_map_phys_list_no_p2p(c->dev, pl, provider,
					       DMA_TO_DEVICE, 0, &map);
	else
		ret = dma_map_phys_list(c->dev, pl, provider, DMA_TO_DEVICE, 0,
					&map);
	edu_spy_stop(test);
	KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
	KUNIT_EXPECT_EQ(test, spy->calls, links);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&map.state));
	KUNIT_EXPECT_EQ(test, dma_list_count(&map.dl), 0);
	for (i = 0; i < min_t(unsigned int, spy->calls, ARRAY_SIZE(spy->iova));
	     i++)
		KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(dom, spy->iova[i]),
				    0, "link %u still mapped", i);
}

/*
 * The list is walked once: RAM ranges before a refused one are already
 * linked when the refusal comes, and the refusal takes them out of the
 * IOMMU again.  Refused here: a range without struct page and without
 * provider, and, for dma_map_phys_list_no_p2p(), a BAR range whose
 * provider is named (which dma_map_phys_list() maps).
 */
static void phys_list_refusal_undoes_earlier_links(struct kunit *test)
{
	struct qemu_edu_shm *shm;
	struct edu_mapping *m;
	struct phys_list *pl;
	struct edu_ctx c;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	pl = edu_list_of_halves(test, &c, 1);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, 1ULL << 50, PAGE_SIZE,
						  GFP_KERNEL));
	edu_expect_refused_after_links(test, &c, pl, NULL, false, 2);

	/* The BAR part needs a BAR this edu reaches through the host bridge */
	shm = edu_find_shm();
	if (!shm || pci_p2pdma_map_type(shm->mem, c.dev) !=
		    PCI_P2PDMA_MAP_THRU_HOST_BRIDGE) {
		kunit_info(test, "edu %s: no BAR through the host bridge, BAR part not run\n",
			   pci_name(c.pdev));
		return;
	}
	pl = edu_list_of_halves(test, &c, 1);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, shm->phys, PAGE_SIZE,
						  GFP_KERNEL));
	edu_expect_refused_after_links(test, &c, pl, shm->mem, true, 2);
	m = edu_map(test, &c, pl, shm->mem, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, m->map.nr_host_bridge, 1);
}

/* The limits PCI gives every device, restored after the test */
static void edu_restore_dma_parms(void *data)
{
	struct device *dev = data;

	dma_set_max_seg_size(dev, SZ_64K);
	dma_set_seg_boundary(dev, DMA_BIT_MASK(32));
}

/*
 * A device with small segment limits gets a DMA list it can program as
 * it is: no entry longer than its maximum segment, none crossing its
 * segment boundary, and the device reads the right bytes through them.
 */
static void phys_list_device_limits(struct kunit *test)
{
	const unsigned int max_seg = 0x1800, boundary = SZ_8K - 1;
	struct edu_mapping *m;
	struct dma_list_iter di;
	struct phys_list *pl;
	struct folio *folio;
	struct edu_ctx c;
	dma_addr_t addr;
	u64 len, total;
	u8 *lin;
	int ret;

	edu_ctx_init(test, &c);
	KUNIT_ASSERT_EQ(test, dma_get_max_seg_size(c.dev), SZ_64K);
	KUNIT_ASSERT_EQ(test, dma_get_seg_boundary(c.dev), DMA_BIT_MASK(32));
	ret = kunit_add_action_or_reset(test, edu_restore_dma_parms, c.dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	dma_set_max_seg_size(c.dev, max_seg);
	dma_set_seg_boundary(c.dev, boundary);

	folio = folio_alloc(c.gfp | __GFP_ZERO, 2);
	KUNIT_ASSERT_NOT_NULL(test, folio);
	ret = kunit_add_action_or_reset(test, edu_folio_put, folio);
	KUNIT_ASSERT_EQ(test, ret, 0);
	total = folio_size(folio) - 0x300;
	qemu_edu_pattern(folio_address(folio) + 0x300, total, 0, 21);
	lin = folio_address(folio) + 0x300;

	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, folio_pfn(folio) <<
						  PAGE_SHIFT | 0x300, total,
						  GFP_KERNEL));
	m = edu_map(test, &c, pl, NULL, DMA_TO_DEVICE);
	kunit_info(test, "edu %s %s: %llu bytes -> %lu DMA ranges\n",
		   pci_name(c.pdev), c.iommu ? "iommu" : "direct", total,
		   dma_list_count(&m->map.dl));
	KUNIT_EXPECT_EQ(test, dma_list_len(&m->map.dl), total);
	dma_list_for_each(&m->map.dl, &di, addr, len) {
		KUNIT_EXPECT_LE(test, len, max_seg);
		KUNIT_EXPECT_EQ_MSG(test, addr & ~(u64)boundary,
				    (addr + len - 1) & ~(u64)boundary,
				    "%pad + %llu crosses the boundary", &addr,
				    len);
	}
	edu_expect_checksums(test, &c, &m->map.dl, lin);
}

/*
 * With swiotlb bouncing (topology `bounce`), a range larger than the
 * largest bounce buffer is mapped in pieces that fit, the device reads
 * the right bytes, and what it writes reaches the CPU only through the
 * sync call.
 */
static void phys_list_bounce_pieces_and_sync(struct kunit *test)
{
	struct edu_mapping *m;
	struct dma_list_iter di;
	struct phys_list *pl;
	dma_addr_t addr;
	size_t max, n;
	u64 len;
	struct folio *folio;
	struct edu_ctx c;
	u8 *va, *want;
	int ret;

	edu_ctx_init(test, &c);
	max = dma_max_mapping_size(c.dev);
	if (!is_swiotlb_force_bounce(c.dev))
		kunit_skip(test, "%s does not bounce (boot with swiotlb=force)",
			   pci_name(c.pdev));
	KUNIT_ASSERT_LE(test, max, SZ_1M);

	/* One piece of the largest size and one more page */
	n = max + PAGE_SIZE;
	folio = folio_alloc(c.gfp | __GFP_ZERO, get_order(n));
	KUNIT_ASSERT_NOT_NULL(test, folio);
	ret = kunit_add_action_or_reset(test, edu_folio_put, folio);
	KUNIT_ASSERT_EQ(test, ret, 0);
	va = folio_address(folio);
	qemu_edu_pattern(va, n, 0, 31);

	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, folio_pfn(folio) <<
						  PAGE_SHIFT, n,
						  GFP_KERNEL));
	m = edu_map(test, &c, pl, NULL, DMA_BIDIRECTIONAL);
	kunit_info(test, "edu %s bounce: %zu bytes in pieces of at most %zu -> %lu DMA ranges\n",
		   pci_name(c.pdev), n, max, dma_list_count(&m->map.dl));
	dma_list_iter_init(&di, &m->map.dl);
	KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addr, &len));
	KUNIT_EXPECT_NOT_NULL(test,
			      swiotlb_find_pool(c.dev, dma_to_phys(c.dev, addr)));

	/* The device writes into the bounce buffers ... */
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_fill_list(c.edu, &m->map.dl, 32));
	want = kunit_kzalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	qemu_edu_pattern(want, n, 0, 32);
	KUNIT_EXPECT_NE(test, 0, memcmp(va, want, n));
	/* ... and the CPU sees the bytes once it takes the buffer back */
	dma_sync_phys_list_for_cpu(c.dev, pl, &m->map);
	KUNIT_EXPECT_EQ(test, 0, memcmp(va, want, n));
}

/*
 * DMA_ATTR_SKIP_CPU_SYNC skips the syncs of map and unmap only, as in the
 * streaming DMA API: explicit syncs of such a mapping must still move the
 * bytes.  Under swiotlb (topology `bounce`) a sync that does not happen
 * leaves the bounce buffer or the page stale, and the bytes show it: CPU
 * writes after the map reach the device only through sync_for_device,
 * device writes reach the page only through sync_for_cpu, and the unmap
 * copies nothing back.
 */
static void phys_list_skip_cpu_sync_explicit_syncs(struct kunit *test)
{
	const u32 len = 2048;
	struct edu_mapping *m;
	struct phys_list *pl;
	struct edu_ctx c;
	struct page *page;
	u8 *va, *want;
	dma_addr_t addr;
	int ret;

	edu_ctx_init(test, &c);
	if (!is_swiotlb_force_bounce(c.dev))
		kunit_skip(test, "%s does not bounce (boot with swiotlb=force)",
			   pci_name(c.pdev));

	page = edu_alloc_page(test, &c);
	va = page_address(page);
	qemu_edu_pattern(va, PAGE_SIZE, 0, 51);
	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(pl, page, 0, PAGE_SIZE,
						       GFP_KERNEL));
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = c.dev;
	m->pl = pl;
	ret = dma_map_phys_list(c.dev, pl, NULL, DMA_BIDIRECTIONAL,
				DMA_ATTR_SKIP_CPU_SYNC, &m->map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, edu_unmap_action, m);
	KUNIT_ASSERT_EQ(test, ret, 0);
	addr = edu_dma_at(test, &m->map.dl, 0);
	KUNIT_ASSERT_NOT_NULL(test, swiotlb_find_pool(c.dev,
						      dma_to_phys(c.dev, addr)));

	want = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);

	/* The CPU writes after the map; the device sees it after the sync */
	qemu_edu_pattern(va, PAGE_SIZE, 0, 52);
	memcpy(want, va, PAGE_SIZE);
	dma_sync_phys_list_for_device(c.dev, pl, &m->map);
	edu_expect_reads(test, &c, addr, len, want);

	/* The device writes; the CPU sees it only after the sync */
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_fill_list(c.edu, &m->map.dl, 53));
	KUNIT_EXPECT_EQ(test, 0, memcmp(va, want, PAGE_SIZE));
	dma_sync_phys_list_for_cpu(c.dev, pl, &m->map);
	qemu_edu_pattern(want, PAGE_SIZE, 0, 53);
	KUNIT_EXPECT_EQ(test, 0, memcmp(va, want, PAGE_SIZE));

	/* What the device writes after that is not copied back at unmap */
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_fill_list(c.edu, &m->map.dl, 54));
	kunit_release_action(test, edu_unmap_action, m);
	KUNIT_EXPECT_EQ(test, 0, memcmp(va, want, PAGE_SIZE));
}

/*
 * A list of scattered pages spanning several chunks of the range list:
 * every page is mapped where the DMA list says (the IOMMU translates each
 * DMA address back to its page), the device reads samples from the first,
 * middle and last page, and after the unmap nothing stays in the IOMMU.
 */
static void phys_list_many_chunks(struct kunit *test)
{
	const unsigned int nr = 300;
	struct iommu_domain *dom = NULL;
	struct edu_mapping *m;
	struct dma_list_iter di;
	struct phys_list *pl;
	struct page **pages;
	dma_addr_t *addrs;
	struct edu_ctx c;
	unsigned int i;
	u64 off;
	int ret;

	edu_ctx_init(test, &c);
	if (c.iommu)
		dom = iommu_get_domain_for_dev(c.dev);
	pages = kunit_kcalloc(test, nr, sizeof(*pages), GFP_KERNEL);
	addrs = kunit_kcalloc(test, nr, sizeof(*addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, addrs);
	pl = edu_new_list(test);
	for (i = 0; i < nr; i++) {
		pages[i] = edu_alloc_page(test, &c);
		qemu_edu_pattern(page_address(pages[i]), PAGE_SIZE,
				 (u64)i * PAGE_SIZE, 41);
		ret = phys_list_append_page(pl, pages[i], 0, PAGE_SIZE,
					    GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_ASSERT_GT(test, phys_list_mem_bytes(pl),
			2 * RANGE_LIST_CHUNK_SIZE);

	m = edu_map(test, &c, pl, NULL, DMA_TO_DEVICE);
	kunit_info(test, "edu %s %s: %u pages, %zu bytes of list -> %lu DMA ranges\n",
		   pci_name(c.pdev), c.iommu ? "iommu" : "direct", nr,
		   phys_list_mem_bytes(pl), dma_list_count(&m->map.dl));
	KUNIT_EXPECT_EQ(test, dma_list_len(&m->map.dl), (u64)nr * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dma_phys_map_kind(&m->map, nr - 1), DMA_PHYS_RAM);
	for (i = 0, off = 0; i < nr; i++, off += PAGE_SIZE) {
		u64 len;

		dma_list_iter_init(&di, &m->map.dl);
		KUNIT_ASSERT_EQ(test, 0, dma_list_iter_seek(&di, off, PAGE_SIZE));
		KUNIT_ASSERT_TRUE(test, dma_list_iter_next(&di, &addrs[i], &len));
		KUNIT_ASSERT_EQ(test, len, PAGE_SIZE);
		if (dom)
			KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(dom, addrs[i]),
					    page_to_phys(pages[i]), "page %u", i);
	}
	edu_expect_reads(test, &c, addrs[0], 64, page_address(pages[0]));
	edu_expect_reads(test, &c, addrs[nr / 2] + 100, 64,
			 page_address(pages[nr / 2]) + 100);
	edu_expect_reads(test, &c, addrs[nr - 1] + PAGE_SIZE - 64, 64,
			 page_address(pages[nr - 1]) + PAGE_SIZE - 64);

	kunit_release_action(test, edu_unmap_action, m);
	for (i = 0; dom && i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(dom, addrs[i]), 0,
				    "page %u still mapped", i);
}

/*
 * A list refused at its end unmaps every page mapped before the refusal,
 * those already in the DMA list and those still waiting to be appended
 * (pages are listed in batches on the per-range path), and the device
 * then reads the pages through a new mapping of the same list.  The
 * mappings are bidirectional: with CONFIG_DMA_API_DEBUG a page the
 * refused call left mapped makes the second mapping of it an overlapping
 * one, which DMA-API debug reports ("cacheline tracking EEXIST").
 */
static void phys_list_refusal_unmaps_mapped_pages(struct kunit *test)
{
	const unsigned int nr = 100;
	struct dma_phys_map map;
	struct edu_mapping *m;
	struct phys_list *pl, *bad;
	struct page **pages;
	struct edu_ctx c;
	unsigned int i;
	int ret;

	edu_ctx_init(test, &c);
	pages = kunit_kcalloc(test, nr, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	pl = edu_new_list(test);
	bad = edu_new_list(test);
	for (i = 0; i < nr; i++) {
		pages[i] = edu_alloc_page(test, &c);
		qemu_edu_pattern(page_address(pages[i]), PAGE_SIZE,
				 (u64)i * PAGE_SIZE, 43);
		KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(pl, pages[i], 0,
							       PAGE_SIZE,
							       GFP_KERNEL));
		KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(bad, pages[i], 0,
							       PAGE_SIZE,
							       GFP_KERNEL));
	}
	/* No struct page behind it and no provider: refused */
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(bad, 1ULL << 50, PAGE_SIZE,
						  GFP_KERNEL));
	ret = dma_map_phys_list(c.dev, bad, NULL, DMA_BIDIRECTIONAL, 0, &map);
	KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
	KUNIT_EXPECT_EQ(test, dma_list_count(&map.dl), 0);

	m = edu_map(test, &c, pl, NULL, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, dma_list_len(&m->map.dl), (u64)nr * PAGE_SIZE);
	for (i = 0; i < nr; i += 33)
		edu_expect_reads(test, &c, edu_dma_at(test, &m->map.dl,
						      (u64)i * PAGE_SIZE),
				 64, page_address(pages[i]));
}

static void edu_restore_trust(void *data)
{
	to_pci_dev(data)->untrusted = 0;
}

/*
 * An untrusted device behind the IOMMU gets no IOVA range: the list is
 * mapped range by range through the IOMMU (bouncing what needs it), the
 * device reads the right bytes and after the unmap nothing stays mapped.
 */
static void phys_list_untrusted_per_range(struct kunit *test)
{
	struct iommu_domain *dom;
	struct edu_mapping *m;
	struct phys_list *pl;
	dma_addr_t addr[2];
	struct page *p[2];
	struct edu_ctx c;
	int ret;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	KUNIT_ASSERT_FALSE(test, c.pdev->untrusted);
	ret = kunit_add_action_or_reset(test, edu_restore_trust, c.dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	c.pdev->untrusted = 1;

	p[0] = edu_alloc_page(test, &c);
	p[1] = edu_alloc_page(test, &c);
	qemu_edu_pattern(page_address(p[0]), PAGE_SIZE, 0, 51);
	qemu_edu_pattern(page_address(p[1]), PAGE_SIZE, PAGE_SIZE, 51);
	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(pl, p[0], 0x800, 0x800,
						       GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(pl, p[1], 0, PAGE_SIZE,
						       GFP_KERNEL));
	m = edu_map(test, &c, pl, NULL, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&m->map.state));
	addr[0] = edu_dma_at(test, &m->map.dl, 0);
	addr[1] = edu_dma_at(test, &m->map.dl, 0x800);
	kunit_info(test, "edu %s untrusted: per range, %s head\n",
		   pci_name(c.pdev),
		   iommu_iova_to_phys(dom, addr[0]) == page_to_phys(p[0]) + 0x800 ?
		   "direct" : "bounced");
	KUNIT_EXPECT_NE(test, iommu_iova_to_phys(dom, addr[0]), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, addr[1]),
			page_to_phys(p[1]));
	edu_expect_reads(test, &c, addr[0], 0x800, page_address(p[0]) + 0x800);
	edu_expect_reads(test, &c, addr[1], 256, page_address(p[1]));

	kunit_release_action(test, edu_unmap_action, m);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, addr[0]), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, addr[1]), 0);
}

static void edu_rebind_shm(void *data)
{
	struct pci_dev *pdev = data;

	if (device_attach(&pdev->dev) <= 0)
		pci_err(pdev, "qemu_edu_shm did not bind again\n");
	pci_dev_put(pdev);
}

/*
 * The owner of a BAR goes away between map and unmap (its driver unbinds
 * and frees the provider): the unmap still undoes the BAR's mapping,
 * because the decision was recorded at map time.  Per-range mappings
 * behind the IOMMU (an untrusted device) are the ones that would leak.
 */
static void phys_list_unmap_after_provider_unbind(struct kunit *test)
{
	struct qemu_edu_shm *shm;
	struct iommu_domain *dom;
	struct edu_mapping *m;
	struct pci_dev *owner;
	struct phys_list *pl;
	dma_addr_t ram, bar;
	struct edu_ctx c;
	int ret;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	shm = edu_shm_through_host_bridge(test, &c);
	ret = kunit_add_action_or_reset(test, edu_restore_trust, c.dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	c.pdev->untrusted = 1;

	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(pl,
						       edu_alloc_page(test, &c),
						       0, PAGE_SIZE,
						       GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, shm->phys, PAGE_SIZE,
						  GFP_KERNEL));
	m = edu_map(test, &c, pl, shm->mem, DMA_TO_DEVICE);
	KUNIT_EXPECT_FALSE(test, dma_use_iova(&m->map.state));
	ram = edu_dma_at(test, &m->map.dl, 0);
	bar = edu_dma_at(test, &m->map.dl, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, bar), shm->phys);

	/* The owner unbinds: the provider is freed */
	owner = pci_dev_get(shm->pdev);
	device_release_driver(&owner->dev);
	ret = kunit_add_action_or_reset(test, edu_rebind_shm, owner);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, qemu_edu_shm_from_pci(owner));

	kunit_release_action(test, edu_unmap_action, m);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, ram), 0);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, bar), 0);
}

/*
 * Kernel log windows in which the workbench accepts DMAR faults: "EXPECT"
 * requires one in some window of the case, "ALLOW" only tolerates them.
 */
static void edu_fault_close_action(void *data)
{
	struct kunit *test = data;

	/* The IOMMU reports the fault from an interrupt: let it be logged */
	msleep(50);
	pr_info("WB-%s-DMAR-FAULT end %s\n", (const char *)test->priv,
		test->name);
}

static void edu_fault_open(struct kunit *test, const char *kind)
{
	test->priv = (void *)kind;
	pr_info("WB-%s-DMAR-FAULT begin %s\n", kind, test->name);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_fault_close_action,
							   test));
}

static void edu_fault_close(struct kunit *test)
{
	kunit_release_action(test, edu_fault_close_action, test);
}

/* Bytes the device reads through an address that was just unmapped */
#define EDU_STALE_LEN	512

/* Fill the device buffer with a marker that differs from @old. */
static void edu_mark_buffer(struct kunit *test, struct edu_ctx *c,
			    const u8 *old)
{
	u8 *mark = kunit_kzalloc(test, EDU_STALE_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mark);
	qemu_edu_pattern(mark, EDU_STALE_LEN, 0, 0xe7);
	KUNIT_ASSERT_NE(test, 0, memcmp(mark, old, EDU_STALE_LEN));
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_write(c->edu, 0, mark,
						EDU_STALE_LEN));
}

/* What the device buffer holds after the read of an unmapped address. */
static u8 *edu_buffer(struct kunit *test, struct edu_ctx *c)
{
	u8 *got = kunit_kzalloc(test, EDU_STALE_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_read(c->edu, 0, got, EDU_STALE_LEN));
	return got;
}

/*
 * The read of an unmapped address faulted: the old bytes did not reach the
 * device, and QEMU completed the read with zeros (unassigned memory).
 */
static void edu_expect_unreachable(struct kunit *test, const u8 *got,
				   const u8 *old)
{
	KUNIT_EXPECT_NE_MSG(test, 0, memcmp(got, old, EDU_STALE_LEN),
			    "the device read the old bytes through an unmapped IOVA");
	KUNIT_EXPECT_TRUE_MSG(test, !got[0] &&
			      !memcmp(got, got + 1, EDU_STALE_LEN - 1),
			      "the faulted read did not complete with zeros");
}

struct edu_unmap_step {
	struct edu_mapping *m;
	bool strict;
};

static void edu_unmap_step(void *arg)
{
	struct edu_unmap_step *s = arg;

	if (s->strict)
		dma_unmap_phys_list_strict(s->m->dev, s->m->pl, &s->m->map);
	else
		dma_unmap_phys_list(s->m->dev, s->m->pl, &s->m->map);
}

/*
 * Map a page, let the device read it (the IOMMU now caches the
 * translation), then unmap it and let the device read the old IOVA at
 * once: interrupts stay off from the unmap to the end of that read, so a
 * flush queue cannot be emptied in between.  Returns the device buffer;
 * @iova and @old get the old address and the page's bytes.
 */
static u8 *edu_unmap_then_read(struct kunit *test, struct edu_ctx *c,
			       bool strict, bool want_iova, dma_addr_t *iova,
			       const u8 **old)
{
	struct edu_unmap_step s = { .strict = strict };
	struct phys_list *pl = edu_new_list(test);
	struct page *p = edu_alloc_page(test, c);
	int ret;

	qemu_edu_pattern(page_address(p), PAGE_SIZE, 0, strict ? 0x71 : 0x72);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append_page(pl, p, 0, PAGE_SIZE,
						       GFP_KERNEL));
	s.m = edu_map(test, c, pl, NULL, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, dma_use_iova(&s.m->map.state), want_iova);
	*iova = edu_dma_at(test, &s.m->map.dl, 0);
	*old = page_address(p);
	edu_expect_reads(test, c, *iova, EDU_STALE_LEN, *old);
	edu_mark_buffer(test, c, *old);

	/* The step unmaps, whatever happens to the transfer */
	kunit_remove_action(test, edu_unmap_action, s.m);
	ret = qemu_edu_to_device_irqs_off(c->edu, edu_unmap_step, &s, *iova,
					  0, EDU_STALE_LEN);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return edu_buffer(test, c);
}

/*
 * dma_unmap_phys_list_strict() leaves no translation behind, in the IOMMU
 * page tables or in its IOTLB: the device faults on the old IOVA right
 * after the unmap, through one IOVA range and range by range (an
 * untrusted device, whose mappings go through the per-range DMA API and
 * its flush queue).  Beforehand, the plain unmap shows what the IOTLB of
 * a lazy domain keeps: QEMU's VT-d caches translations until the kernel
 * invalidates them.
 */
static void phys_list_strict_unmap_invalidates(struct kunit *test)
{
	struct iommu_domain *dom;
	const u8 *old;
	dma_addr_t iova;
	struct edu_ctx c;
	u8 *got;
	int ret;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	kunit_info(test, "edu %s: DMA domain in %s mode\n", pci_name(c.pdev),
		   dom->type == IOMMU_DOMAIN_DMA_FQ ? "lazy (flush queue)" :
		   "strict");

	edu_fault_open(test, "ALLOW");
	got = edu_unmap_then_read(test, &c, false, true, &iova, &old);
	edu_fault_close(test);
	kunit_info(test, "plain unmap, device reads the old IOVA at once: %s\n",
		   memcmp(got, old, EDU_STALE_LEN) ? "refused" :
		   "gets the old bytes (stale IOTLB entry)");
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, iova), 0);

	edu_fault_open(test, "EXPECT");
	got = edu_unmap_then_read(test, &c, true, true, &iova, &old);
	edu_fault_close(test);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, iova), 0);
	edu_expect_unreachable(test, got, old);

	ret = kunit_add_action_or_reset(test, edu_restore_trust, c.dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	c.pdev->untrusted = 1;
	edu_fault_open(test, "EXPECT");
	got = edu_unmap_then_read(test, &c, true, false, &iova, &old);
	edu_fault_close(test);
	kunit_release_action(test, edu_restore_trust, c.dev);
	KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, iova), 0);
	edu_expect_unreachable(test, got, old);
}

/* A revocable dma-buf exporter of RAM pages. */
struct edu_rev_exp {
	struct phys_list pl;
	int maps, unmaps;
};

static const struct phys_list *
edu_rev_map_phys(struct dma_buf_attachment *attach,
		 enum dma_data_direction dir, struct p2pdma_provider **provider)
{
	struct edu_rev_exp *e = attach->dmabuf->priv;

	e->maps++;
	*provider = NULL;
	return &e->pl;
}

static void edu_rev_unmap_phys(struct dma_buf_attachment *attach,
			       const struct phys_list *pl,
			       enum dma_data_direction dir)
{
	struct edu_rev_exp *e = attach->dmabuf->priv;

	e->unmaps++;
}

static void edu_rev_release(struct dma_buf *dmabuf)
{
	struct edu_rev_exp *e = dmabuf->priv;

	phys_list_free(&e->pl);
	kfree(e);
}

static const struct dma_buf_ops edu_rev_ops = {
	.revocable = true,
	.map_phys = edu_rev_map_phys,
	.unmap_phys = edu_rev_unmap_phys,
	.release = edu_rev_release,
};

/* The edu as a dynamic importer that unmaps when told to move. */
struct edu_rev_imp {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	const struct dma_list *dl;
	int moves;
};

static void edu_rev_move_notify(struct dma_buf_attachment *attach)
{
	struct edu_rev_imp *imp = attach->importer_priv;

	imp->moves++;
	if (imp->dl)
		dma_buf_unmap_attachment_list(attach, imp->dl, DMA_TO_DEVICE);
	imp->dl = NULL;
}

static const struct dma_buf_attach_ops edu_rev_importer = {
	.allow_revoke = true,
	.move_notify = edu_rev_move_notify,
};

static void edu_rev_detach_action(void *data)
{
	struct edu_rev_imp *imp = data;

	if (imp->dl)
		dma_buf_unmap_attachment_list_unlocked(imp->attach, imp->dl,
						       DMA_TO_DEVICE);
	dma_buf_detach(imp->dmabuf, imp->attach);
}

/*
 * When dma_buf_revoke() returns, no device reaches the memory: the edu,
 * a dynamic importer that unmaps in move_notify, read the buffer through
 * its mapping before the revoke and faults on the old IOVA right after
 * it, with the IOMMU page tables empty there.  The read starts with
 * interrupts off on the CPU that ran the revoke, so a flush queue armed
 * by the unmap has not been emptied yet: only an unmap that invalidated
 * the IOTLB itself passes.
 */
static void edu_dmabuf_revoke_invalidates_iotlb(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct iommu_domain *dom;
	struct edu_rev_imp *imp;
	struct edu_rev_exp *e;
	struct dma_buf *dmabuf;
	dma_addr_t iova[2];
	struct page *p[2];
	struct edu_ctx c;
	unsigned int i;
	u8 *lin;
	int ret;

	edu_ctx_init(test, &c);
	edu_skip_without_iommu(test, &c);
	dom = iommu_get_domain_for_dev(c.dev);
	lin = kunit_kzalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	imp = kunit_kzalloc(test, sizeof(*imp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	KUNIT_ASSERT_NOT_NULL(test, imp);

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	ret = phys_list_init(&e->pl, NULL);
	for (i = 0; !ret && i < ARRAY_SIZE(p); i++) {
		p[i] = edu_alloc_page(test, &c);
		qemu_edu_pattern(page_address(p[i]), PAGE_SIZE, i * PAGE_SIZE,
				 0x4d);
		memcpy(lin + i * PAGE_SIZE, page_address(p[i]), PAGE_SIZE);
		ret = phys_list_append_page(&e->pl, p[i], 0, PAGE_SIZE,
					    GFP_KERNEL);
	}
	info.ops = &edu_rev_ops;
	info.size = 2 * PAGE_SIZE;
	info.flags = O_RDWR;
	info.priv = e;
	info.exp_name = "qemu_edu_kunit_revocable";
	dmabuf = ret ? ERR_PTR(ret) : dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		phys_list_free(&e->pl);
		kfree(e);
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	ret = kunit_add_action_or_reset(test, edu_dma_buf_put_action, dmabuf);
	KUNIT_ASSERT_EQ(test, ret, 0);

	imp->dmabuf = dmabuf;
	imp->attach = dma_buf_dynamic_attach(dmabuf, c.dev, &edu_rev_importer,
					     imp);
	KUNIT_ASSERT_FALSE(test, IS_ERR(imp->attach));
	ret = kunit_add_action_or_reset(test, edu_rev_detach_action, imp);
	KUNIT_ASSERT_EQ(test, ret, 0);
	imp->dl = dma_buf_map_attachment_list_unlocked(imp->attach,
						       DMA_TO_DEVICE);
	if (IS_ERR(imp->dl)) {
		ret = PTR_ERR(imp->dl);
		imp->dl = NULL;
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	/* The device reads the buffer: the IOMMU caches the translations */
	KUNIT_ASSERT_EQ(test, dma_list_len(imp->dl), 2 * PAGE_SIZE);
	edu_expect_checksums(test, &c, imp->dl, lin);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		iova[i] = edu_dma_at(test, imp->dl, i * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, iommu_iova_to_phys(dom, iova[i]),
				page_to_phys(p[i]));
	}
	edu_mark_buffer(test, &c, lin);

	/*
	 * Revoke, then read the first page's old IOVA at once, on this CPU
	 * and with interrupts off: a flush queue the unmap armed here
	 * cannot be emptied before the device reads.
	 */
	/*
	 * ALLOW, not EXPECT: the case before faulted this device on purpose
	 * and QEMU's vIOMMU records no new fault until that one is cleared,
	 * so the report may not come; the bytes the device did not reach
	 * and the empty page tables are the proof.
	 */
	edu_fault_open(test, "ALLOW");
	migrate_disable();
	dma_buf_revoke(dmabuf);
	ret = qemu_edu_to_device_irqs_off(c.edu, NULL, NULL, iova[0], 0,
					  EDU_STALE_LEN);
	migrate_enable();
	edu_fault_close(test);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test, imp->moves, 1);
	KUNIT_EXPECT_NULL(test, imp->dl);
	KUNIT_EXPECT_EQ(test, e->maps, e->unmaps);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_EXPECT_EQ_MSG(test, iommu_iova_to_phys(dom, iova[i]), 0,
				    "page %u still mapped after revoke", i);
	edu_expect_unreachable(test, edu_buffer(test, &c), lin);
}

static void edu_memunmap_pages_action(void *pgmap)
{
	memunmap_pages(pgmap);
}

/*
 * A range of the BAR the exporter names as its provider is classified by
 * that provider even when its pfns are pfn_valid() but are no P2P pages:
 * on sparsemem a BAR that shares a memory section with RAM has valid
 * pfns, and a driver may memremap_pages() its BAR for its own use.  QEMU
 * puts no BAR next to RAM, so the test gives the ivshmem BAR struct pages
 * of another kind (MEMORY_DEVICE_GENERIC) for its duration.  Classified
 * by its page, the range would be mapped as RAM: CPU-synced, bounced, no
 * DMA_ATTR_MMIO.
 */
static void phys_list_provider_before_pfn_valid(struct kunit *test)
{
	const u64 off = SZ_256K;
	enum pci_p2pdma_map_type type;
	struct dev_pagemap *pgmap;
	struct qemu_edu_shm *shm;
	struct edu_mapping *mp;
	struct phys_list *pl;
	struct edu_ctx c;
	struct page *page;
	dma_addr_t addr;
	void *va;
	u8 *lin;
	int ret;

	edu_ctx_init(test, &c);
	shm = edu_find_shm();
	if (!shm)
		kunit_skip(test, "no ivshmem device bound to qemu_edu_shm");
	lin = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	pgmap = kunit_kzalloc(test, sizeof(*pgmap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lin);
	KUNIT_ASSERT_NOT_NULL(test, pgmap);
	KUNIT_ASSERT_GE(test, (u64)shm->len, off + PAGE_SIZE);

	if (!pfn_valid(PHYS_PFN(shm->phys + off))) {
		pgmap->type = MEMORY_DEVICE_GENERIC;
		pgmap->range.start = shm->phys;
		pgmap->range.end = shm->phys + shm->len - 1;
		pgmap->nr_range = 1;
		va = memremap_pages(pgmap, dev_to_node(&shm->pdev->dev));
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(va),
				       "memremap_pages() of the ivshmem BAR: %ld",
				       PTR_ERR(va));
		ret = kunit_add_action_or_reset(test, edu_memunmap_pages_action,
						pgmap);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_ASSERT_TRUE(test, pfn_valid(PHYS_PFN(shm->phys + off)));
	page = pfn_to_page(PHYS_PFN(shm->phys + off));
	KUNIT_ASSERT_FALSE(test, is_pci_p2pdma_page(page));

	qemu_edu_pattern(lin, PAGE_SIZE, 0, 0x2b);
	memcpy_toio(shm->va + off, lin, PAGE_SIZE);
	pl = edu_new_list(test);
	KUNIT_ASSERT_EQ(test, 0, phys_list_append(pl, shm->phys + off,
						  PAGE_SIZE, GFP_KERNEL));
	type = pci_p2pdma_map_type(shm->mem, c.dev);
	kunit_info(test, "edu %s %s: pfn_valid() BAR of %s: %s\n",
		   pci_name(c.pdev), c.iommu ? "iommu" : "direct",
		   pci_name(shm->pdev), edu_map_type_names[type]);
	mp = edu_map_ret(test, &c, pl, shm->mem, DMA_TO_DEVICE, &ret);
	if (type != PCI_P2PDMA_MAP_BUS_ADDR &&
	    type != PCI_P2PDMA_MAP_THRU_HOST_BRIDGE) {
		KUNIT_EXPECT_EQ(test, ret, -EREMOTEIO);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, dma_phys_map_kind(&mp->map, 0),
			type == PCI_P2PDMA_MAP_BUS_ADDR ? DMA_PHYS_P2P_BUS :
			DMA_PHYS_P2P_HOST_BRIDGE);
	KUNIT_EXPECT_EQ(test, mp->map.nr_bus,
			type == PCI_P2PDMA_MAP_BUS_ADDR ? 1 : 0);
	KUNIT_EXPECT_EQ(test, mp->map.nr_host_bridge,
			type == PCI_P2PDMA_MAP_THRU_HOST_BRIDGE ? 1 : 0);
	addr = edu_dma_at(test, &mp->map.dl, 0);
	if (type == PCI_P2PDMA_MAP_BUS_ADDR)
		KUNIT_EXPECT_EQ(test, addr, pci_bus_address(shm->pdev, 2) + off);
	if (edu_p2p_emulated(&c, type))
		edu_expect_reads(test, &c, addr, 256, lin);
	kunit_release_action(test, edu_unmap_action, mp);
}

static int edu_suite_init(struct kunit_suite *suite)
{
	struct pci_dev *nvme;
	int i;

	/* nvme probes asynchronously; give its CMB a moment to appear */
	wait_for_device_probe();
	nvme = pci_get_class(PCI_CLASS_STORAGE_EXPRESS, NULL);
	for (i = 0; nvme && i < 100 && !pci_has_p2pmem(nvme); i++)
		msleep(100);
	pci_dev_put(nvme);
	return 0;
}

static struct kunit_case qemu_edu_iova_cases[] = {
	KUNIT_CASE_PARAM(iova_lifecycle, edu_gen_params),
	KUNIT_CASE_PARAM(iova_partial_link_error, edu_gen_params),
	KUNIT_CASE_PARAM(iova_misaligned, edu_gen_params),
	KUNIT_CASE_PARAM(iova_misuse_warns, edu_gen_params),
	KUNIT_CASE_PARAM(iova_beyond_aperture, edu_gen_params),
	KUNIT_CASE_PARAM(iova_no_iommu, edu_gen_params),
	KUNIT_CASE_PARAM(iova_link_ranges_busy_unwinds_exactly, edu_gen_params),
	KUNIT_CASE_PARAM(iova_link_ranges_keeps_superpages, edu_gen_params),
	KUNIT_CASE_PARAM(edu_phys_list_refuse, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_host_bridge_is_mmio, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_error_undoes_links, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_refusal_undoes_earlier_links,
			 edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_device_limits, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_many_chunks, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_refusal_unmaps_mapped_pages, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_untrusted_per_range, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_unmap_after_provider_unbind, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_bounce_pieces_and_sync, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_provider_before_pfn_valid, edu_gen_params),
	KUNIT_CASE_PARAM(phys_list_skip_cpu_sync_explicit_syncs, edu_gen_params),
	KUNIT_CASE_PARAM(edu_p2p_matrix, edu_gen_params),
	KUNIT_CASE_PARAM(edu_dmabuf_bar_only_for_p2p_importers, edu_gen_params),
	KUNIT_CASE_PARAM(edu_dmabuf_cmb_pages_only_for_p2p_importers,
			 edu_gen_params),
	KUNIT_CASE_PARAM(edu_dmabuf_domain_mapping, edu_gen_params),
	/* Eight device reads at ~100 ms each */
	KUNIT_CASE_PARAM_ATTR(iova_link_ranges_matches_per_range, edu_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	/* Twelve or more device transfers at ~100 ms each */
	KUNIT_CASE_PARAM_ATTR(edu_dma_multi_range, edu_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(edu_dma_bar_without_page, edu_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(phys_list_strict_unmap_invalidates, edu_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(edu_dmabuf_revoke_invalidates_iotlb,
			      edu_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite qemu_edu_iova_suite = {
	.name = "qemu_edu_iova",
	.suite_init = edu_suite_init,
	.test_cases = qemu_edu_iova_cases,
};

kunit_test_suite(qemu_edu_iova_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(DMA_BUF);
MODULE_DESCRIPTION("KUnit tests of the two-step IOVA API on QEMU's edu device");
MODULE_LICENSE("GPL");
