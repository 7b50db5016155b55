// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of what keeps the edu DMA engine from writing where it must
 * not: a timed-out transfer is stopped, concurrent users do not see each
 * other's bytes, unbinding waits for users, probe notices a device that
 * drops address bits, the IOMMU refuses stale and read-only addresses,
 * and the benchmark is serialised and interruptible.  Every case checks
 * what the device did: bytes in memory and in its buffer, PCI_COMMAND.
 *
 * Cases that make the device DMA to an address the IOMMU does not map
 * print "WB-EXPECT-DMAR-FAULT begin/end <case>" (or WB-ALLOW-... where
 * QEMU may drop the access silently) around the transfer: the workbench
 * accepts DMAR faults inside such a window and fails on any other.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/range_list.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "qemu_edu.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
/* QEMU's edu copies about 100 ms after a transfer is started */
#define EDU_SETTLE_MS	500
/* Bytes moved by the single transfers of these tests */
#define EDU_LEN		1024

static bool edu_behind_iommu(struct pci_dev *pdev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(&pdev->dev);

	return dom && (dom->type & __IOMMU_DOMAIN_PAGING);
}

/* One parameter per edu device; pci_get_device() puts the previous one */
static const void *edu_safety_params(const void *prev, char *desc)
{
	struct pci_dev *pdev;

	pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, (struct pci_dev *)prev);
	if (pdev)
		snprintf(desc, KUNIT_PARAM_DESC_SIZE, "edu %s %s",
			 pci_name(pdev),
			 edu_behind_iommu(pdev) ? "iommu" : "direct");
	return pdev;
}

struct edu_t {
	struct pci_dev *pdev;
	struct device *dev;
	struct qemu_edu *edu;
	bool iommu;
	gfp_t gfp;
};

static void edu_put_action(void *edu)
{
	qemu_edu_put(edu);
}

/* A reference on the device of this parameter, put at the end */
static void edu_t_init(struct kunit *test, struct edu_t *c)
{
	c->pdev = (struct pci_dev *)test->param_value;
	c->dev = &c->pdev->dev;
	c->edu = qemu_edu_get(c->pdev);
	if (!c->edu)
		kunit_skip(test, "%s is not bound to qemu_edu", pci_name(c->pdev));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, edu_put_action,
							   c->edu));
	c->iommu = edu_behind_iommu(c->pdev);
	c->gfp = GFP_KERNEL;
	/* Without an IOMMU a narrow device reaches only low memory */
	if (!c->iommu && dma_get_mask(c->dev) < DMA_BIT_MASK(32))
		c->gfp |= GFP_DMA;
}

static void edu_t_put(struct kunit *test, struct edu_t *c)
{
	kunit_release_action(test, edu_put_action, c->edu);
	c->edu = NULL;
}

static void edu_free_page_action(void *page)
{
	__free_page(page);
}

static struct page *edu_page(struct kunit *test, struct edu_t *c)
{
	struct page *p = alloc_page(c->gfp);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_free_page_action,
							   p));
	return p;
}

struct edu_map {
	struct device *dev;
	dma_addr_t addr;
	enum dma_data_direction dir;
};

static void edu_unmap_action(void *data)
{
	struct edu_map *m = data;

	dma_unmap_page(m->dev, m->addr, PAGE_SIZE, m->dir);
}

/* Map a whole page for the device; unmapped at the end */
static struct edu_map *edu_map(struct kunit *test, struct edu_t *c,
			       struct page *p, enum dma_data_direction dir)
{
	struct edu_map *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->dev = c->dev;
	m->dir = dir;
	m->addr = dma_map_page(c->dev, p, 0, PAGE_SIZE, dir);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(c->dev, m->addr));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_unmap_action,
							   m));
	return m;
}

static void *edu_buf(struct kunit *test, size_t len)
{
	void *buf = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

/* The device buffer, as the device reads it back */
static void edu_expect_dev_bytes(struct kunit *test, struct edu_t *c,
				 const void *want, u32 len, const char *what)
{
	u8 *got = edu_buf(test, len);

	KUNIT_ASSERT_EQ(test, 0, qemu_edu_read(c->edu, 0, got, len));
	KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(got, want, len), "%s", what);
}

static void edu_fault_close_action(void *data)
{
	struct kunit *test = data;

	/* The IOMMU reports the fault from an interrupt: let it be logged */
	msleep(50);
	pr_info("WB-%s-DMAR-FAULT end %s\n", (const char *)test->priv,
		test->name);
}

/*
 * DMAR faults are expected (@kind "EXPECT") or allowed without being
 * required ("ALLOW": QEMU drops some refused DMA without a fault record)
 * until edu_fault_close(), or the end of the case.
 */
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

/* Bind the driver again, if a case left the device without it */
static void edu_bind_action(void *data)
{
	struct pci_dev *pdev = data;

	if (!READ_ONCE(pdev->dev.driver) && device_attach(&pdev->dev) != 1)
		pci_err(pdev, "qemu_edu did not bind again\n");
}

/* Unbind and bind the driver: the way to revive a dead device */
static void edu_rebind_action(void *data)
{
	struct pci_dev *pdev = data;

	device_release_driver(&pdev->dev);
	edu_bind_action(pdev);
}

/* After a rebind: a reference on the new state, and proof that it works */
static void edu_expect_works(struct kunit *test, struct edu_t *c)
{
	u8 *buf = edu_buf(test, EDU_LEN);
	u16 cmd;

	c->edu = qemu_edu_get(c->pdev);
	KUNIT_ASSERT_NOT_NULL_MSG(test, c->edu, "qemu_edu did not bind again");
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, edu_put_action,
							   c->edu));
	pci_read_config_word(c->pdev, PCI_COMMAND, &cmd);
	KUNIT_EXPECT_TRUE(test, cmd & PCI_COMMAND_MASTER);
	qemu_edu_pattern(buf, EDU_LEN, 0, 0x5c);
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_write(c->edu, 0, buf, EDU_LEN));
	edu_expect_dev_bytes(test, c, buf, EDU_LEN, "round trip after rebind");
}

static unsigned int edu_stub_timeout_ms(struct qemu_edu *edu)
{
	return 1;
}

/*
 * A transfer that times out must not land afterwards: the driver clears
 * bus mastering, so when QEMU's timer fires (~100 ms) the write into the
 * page is dropped, and every later transfer is refused with -EIO.
 */
static void edu_timeout_stops_dma(struct kunit *test)
{
	struct edu_map *m;
	struct edu_t c;
	struct page *p;
	u8 *want, *k;
	u16 cmd;
	int ret;

	/* Registered first, so it runs after the unmap and the put */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_rebind_action,
							   (void *)test->param_value));
	edu_t_init(test, &c);
	p = edu_page(test, &c);
	want = edu_buf(test, PAGE_SIZE);
	k = edu_buf(test, EDU_LEN);
	qemu_edu_pattern(page_address(p), PAGE_SIZE, 0, 0x11);
	memcpy(want, page_address(p), PAGE_SIZE);
	qemu_edu_pattern(k, EDU_LEN, 0, 0x22);
	KUNIT_ASSERT_NE(test, 0, memcmp(k, want, EDU_LEN));
	m = edu_map(test, &c, p, DMA_FROM_DEVICE);
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_write(c.edu, 0, k, EDU_LEN));

	kunit_activate_static_stub(test, qemu_edu_xfer_timeout_ms,
				   edu_stub_timeout_ms);
	ret = qemu_edu_from_device(c.edu, 0, m->addr, EDU_LEN);
	kunit_deactivate_static_stub(test, qemu_edu_xfer_timeout_ms);
	KUNIT_ASSERT_EQ(test, ret, -ETIMEDOUT);

	pci_read_config_word(c.pdev, PCI_COMMAND, &cmd);
	KUNIT_EXPECT_FALSE(test, cmd & PCI_COMMAND_MASTER);
	KUNIT_EXPECT_EQ(test, -EIO, qemu_edu_to_device(c.edu, m->addr, 0, 16));
	KUNIT_EXPECT_EQ(test, -EIO, qemu_edu_read(c.edu, 0, k, 16));
	KUNIT_EXPECT_EQ(test, -EIO, qemu_edu_write(c.edu, 0, k, 16));

	/* Long after QEMU ran the armed transfer: nothing reached the page */
	msleep(EDU_SETTLE_MS);
	dma_sync_single_for_cpu(c.dev, m->addr, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(page_address(p), want, PAGE_SIZE),
			    "the timed-out transfer wrote the page");

	/* Unmap and put, then revive the device for the cases that follow */
	kunit_release_action(test, edu_unmap_action, m);
	edu_t_put(test, &c);
	kunit_release_action(test, edu_rebind_action, c.pdev);
	edu_expect_works(test, &c);
}

/*
 * Two users of one device: each runs checksum and fill sequences over its
 * own page with its own pattern, and checks that it got its own bytes.
 */
#define EDU_WORKER_ROUNDS	2

struct edu_worker {
	struct qemu_edu *edu;
	struct device *dev;
	struct page *page;
	dma_addr_t addr;
	u8 seed;
	int ret;
	unsigned int bad_crc, bad_fill;
	struct completion done;
};

static int edu_worker_fn(void *data)
{
	struct edu_worker *w = data;
	u8 *va = page_address(w->page), *want;
	struct dma_list dl;
	unsigned int i;
	u32 crc;
	int ret;

	want = kmalloc(PAGE_SIZE, GFP_KERNEL);
	ret = want ? dma_list_init(&dl, NULL) : -ENOMEM;
	if (!ret) {
		ret = dma_list_append(&dl, w->addr, PAGE_SIZE, GFP_KERNEL);
		for (i = 0; !ret && i < EDU_WORKER_ROUNDS; i++) {
			u8 seed = w->seed + 2 * i;

			qemu_edu_pattern(va, PAGE_SIZE, 0, seed);
			dma_sync_single_for_device(w->dev, w->addr, PAGE_SIZE,
						   DMA_BIDIRECTIONAL);
			ret = qemu_edu_checksum_list(w->edu, &dl, &crc, 1);
			if (ret)
				break;
			w->bad_crc += crc != crc32_le(~0U, va, PAGE_SIZE);

			ret = qemu_edu_fill_list(w->edu, &dl, seed + 1);
			dma_sync_single_for_cpu(w->dev, w->addr, PAGE_SIZE,
						DMA_BIDIRECTIONAL);
			qemu_edu_pattern(want, PAGE_SIZE, 0, seed + 1);
			w->bad_fill += !!memcmp(va, want, PAGE_SIZE);
		}
		dma_list_free(&dl);
	}
	kfree(want);
	w->ret = ret;
	kthread_complete_and_exit(&w->done, 0);
}

static void edu_worker_wait_action(void *data)
{
	struct edu_worker *w = data;

	/* The worker uses the page and the mapping until it is done */
	wait_for_completion(&w->done);
}

static void edu_concurrent_sequences(struct kunit *test)
{
	static const u8 seeds[] = { 0x10, 0x80 };
	struct edu_worker *w[ARRAY_SIZE(seeds)];
	struct task_struct *t;
	struct edu_t c;
	unsigned int i;
	int ret;

	edu_t_init(test, &c);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		w[i] = kunit_kzalloc(test, sizeof(*w[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, w[i]);
		w[i]->edu = c.edu;
		w[i]->dev = c.dev;
		w[i]->page = edu_page(test, &c);
		w[i]->addr = edu_map(test, &c, w[i]->page,
				     DMA_BIDIRECTIONAL)->addr;
		w[i]->seed = seeds[i];
		init_completion(&w[i]->done);
	}
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		t = kthread_run(edu_worker_fn, w[i], "edu-seq-%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		ret = kunit_add_action_or_reset(test, edu_worker_wait_action,
						w[i]);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		kunit_release_action(test, edu_worker_wait_action, w[i]);
		KUNIT_EXPECT_EQ_MSG(test, w[i]->ret, 0, "worker %u", i);
		KUNIT_EXPECT_EQ_MSG(test, w[i]->bad_crc, 0,
				    "worker %u: checksums of another's bytes", i);
		KUNIT_EXPECT_EQ_MSG(test, w[i]->bad_fill, 0,
				    "worker %u: pages filled with another's pattern",
				    i);
	}
}

struct edu_unbinder {
	struct pci_dev *pdev;
	bool started;
	struct completion done;
};

static int edu_unbinder_fn(void *data)
{
	struct edu_unbinder *u = data;

	/* A few transfers into the caller's sequence */
	msleep(300);
	device_release_driver(&u->pdev->dev);
	kthread_complete_and_exit(&u->done, 0);
}

static void edu_unbinder_wait_action(void *data)
{
	struct edu_unbinder *u = data;

	if (u->started)
		wait_for_completion(&u->done);
}

/*
 * Unbinding while a sequence runs: the sequence stops with -ENODEV at its
 * next transfer, the unbind waits for the user's reference (KASAN would
 * catch a use of the freed state), and binding again gives a working
 * device.
 */
static void edu_unbind_during_sequence(struct kunit *test)
{
	struct edu_unbinder *u;
	struct task_struct *t;
	struct edu_map *m;
	struct dma_list dl;
	struct edu_t c;
	struct page *p;
	unsigned int i;
	u32 crcs[3];
	int ret;

	/* Cleanup order: unmap, put, wait for the unbind, bind again */
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_bind_action,
							   (void *)test->param_value));
	u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, u);
	u->pdev = (struct pci_dev *)test->param_value;
	init_completion(&u->done);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_unbinder_wait_action,
							   u));
	edu_t_init(test, &c);
	p = edu_page(test, &c);
	qemu_edu_pattern(page_address(p), PAGE_SIZE, 0, 0x44);
	m = edu_map(test, &c, p, DMA_TO_DEVICE);

	/* The same page three times: six pieces, twelve transfers a sequence */
	KUNIT_ASSERT_EQ(test, 0, dma_list_init(&dl, NULL));
	for (i = 0; i < ARRAY_SIZE(crcs); i++) {
		ret = dma_list_append(&dl, m->addr, PAGE_SIZE, GFP_KERNEL);
		if (ret)
			dma_list_free(&dl);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	t = kthread_run(edu_unbinder_fn, u, "edu-unbind");
	if (IS_ERR(t))
		dma_list_free(&dl);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	u->started = true;
	/*
	 * Sequence after sequence until the unbind stops one: a loaded host
	 * may run the unbinder only after the first sequence has finished
	 * (seen once in a boot at load 6 on 2 cores).
	 */
	for (i = 0; i < 50; i++) {
		ret = qemu_edu_checksum_list(c.edu, &dl, crcs, ARRAY_SIZE(crcs));
		if (ret)
			break;
	}
	dma_list_free(&dl);
	KUNIT_EXPECT_EQ(test, ret, -ENODEV);
	/* remove() is still waiting for our reference */
	KUNIT_EXPECT_FALSE(test, completion_done(&u->done));
	KUNIT_EXPECT_EQ(test, -ENODEV, qemu_edu_to_device(c.edu, m->addr, 0,
							  16));

	kunit_release_action(test, edu_unmap_action, m);
	edu_t_put(test, &c);
	KUNIT_ASSERT_NE_MSG(test, 0,
			    wait_for_completion_timeout(&u->done, 30 * HZ),
			    "unbind did not finish after the reference was put");
	/* complete() wakes one wait: the cleanup must not wait again */
	u->started = false;
	KUNIT_EXPECT_NULL(test, READ_ONCE(c.pdev->dev.driver));
	c.edu = qemu_edu_get(c.pdev);
	KUNIT_EXPECT_NULL(test, c.edu);
	if (c.edu)
		qemu_edu_put(c.edu);

	KUNIT_ASSERT_EQ(test, 1, device_attach(c.dev));
	edu_expect_works(test, &c);
}

static u64 edu_stub_narrow_addr(struct qemu_edu *edu, u64 addr)
{
	/* What QEMU's edu does with its default dma_mask property */
	return addr & DMA_BIT_MASK(28);
}

/*
 * The probe-time check passes on this device (the workbench gives QEMU's
 * edu a 64-bit dma_mask) and fails when the device drops the bits above
 * 28 like one with QEMU's default mask.
 */
static void edu_dma_reach_mismatch(struct kunit *test)
{
	struct edu_t c;
	bool iommu;
	int ret;

	edu_t_init(test, &c);
	if (c.edu->dma_mask <= DMA_BIT_MASK(28))
		kunit_skip(test, "dma_bits is at most 28: nothing above to check");
	KUNIT_EXPECT_EQ(test, 0, qemu_edu_check_dma_reach(c.edu));

	/*
	 * With an IOMMU the narrowed address is unmapped: a read fault.
	 * Without one it is RAM the check never wrote: no fault.
	 */
	iommu = !strcmp(qemu_edu_topology(c.edu), "iommu");
	if (iommu)
		edu_fault_open(test, "EXPECT");
	kunit_activate_static_stub(test, qemu_edu_bus_addr,
				   edu_stub_narrow_addr);
	ret = qemu_edu_check_dma_reach(c.edu);
	kunit_deactivate_static_stub(test, qemu_edu_bus_addr);
	if (iommu)
		edu_fault_close(test);
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, dma_get_mask(c.dev), c.edu->dma_mask);
}

static void edu_skip_direct(struct kunit *test, struct edu_t *c)
{
	if (!c->iommu)
		kunit_skip(test, "%s: no IOMMU here, nothing translates or refuses DMA",
			   pci_name(c->pdev));
}

struct edu_iova {
	struct device *dev;
	struct dma_iova_state st;
	size_t mapped;
};

static void edu_iova_action(void *data)
{
	struct edu_iova *v = data;

	if (dma_use_iova(&v->st) && v->mapped)
		dma_iova_destroy(v->dev, &v->st, v->mapped, DMA_TO_DEVICE, 0);
	else if (dma_use_iova(&v->st))
		dma_iova_free(v->dev, &v->st);
}

/* Link the page at offset 0 and check that the device reads it */
static void edu_iova_link(struct kunit *test, struct edu_t *c,
			  struct edu_iova *v, struct page *p)
{
	KUNIT_ASSERT_EQ(test, 0, dma_iova_link(c->dev, &v->st, page_to_phys(p),
					       0, PAGE_SIZE, DMA_TO_DEVICE, 0));
	v->mapped = PAGE_SIZE;
	KUNIT_ASSERT_EQ(test, 0, dma_iova_sync(c->dev, &v->st, 0, PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_to_device(c->edu, v->st.addr, 0,
						    EDU_LEN));
	edu_expect_dev_bytes(test, c, page_address(p), EDU_LEN,
			     "read through the live IOVA");
}

/*
 * The device reads from an IOVA that is no longer mapped: the read faults
 * and the page's bytes do not reach the device buffer.  QEMU completes a
 * faulted read with zeros (unassigned memory), so the buffer does not
 * keep what was written into it before either: it holds zeros.
 */
static void edu_expect_stale_read_faults(struct kunit *test, struct edu_t *c,
					 dma_addr_t addr, struct page *p,
					 u8 seed)
{
	u8 *k = edu_buf(test, EDU_LEN), *got = edu_buf(test, EDU_LEN);
	u8 *zero = edu_buf(test, EDU_LEN);

	qemu_edu_pattern(k, EDU_LEN, 0, seed);
	KUNIT_ASSERT_NE(test, 0, memcmp(k, page_address(p), EDU_LEN));
	KUNIT_ASSERT_NE(test, 0, memcmp(k, zero, EDU_LEN));
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_write(c->edu, 0, k, EDU_LEN));

	edu_fault_open(test, "EXPECT");
	KUNIT_EXPECT_EQ(test, 0, qemu_edu_to_device(c->edu, addr, 0, EDU_LEN));
	edu_fault_close(test);

	KUNIT_ASSERT_EQ(test, 0, qemu_edu_read(c->edu, 0, got, EDU_LEN));
	KUNIT_EXPECT_NE_MSG(test, 0, memcmp(got, page_address(p), EDU_LEN),
			    "the page's bytes arrived through a stale IOVA");
	KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(got, zero, EDU_LEN),
			    "the faulted read did not complete with zeros");
}

/* A stale IOVA after dma_iova_unlink() and after dma_iova_destroy() */
static void edu_stale_iova_faults(struct kunit *test)
{
	struct edu_iova *v;
	struct edu_t c;
	struct page *p;
	dma_addr_t addr;

	edu_t_init(test, &c);
	edu_skip_direct(test, &c);
	p = edu_page(test, &c);
	qemu_edu_pattern(page_address(p), PAGE_SIZE, 0, 0x33);
	v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	v->dev = c.dev;
	KUNIT_ASSERT_TRUE(test, dma_iova_try_alloc(c.dev, &v->st, 0,
						   PAGE_SIZE));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   edu_iova_action, v));

	/* Unlinked: the range is still ours, but maps nothing */
	edu_iova_link(test, &c, v, p);
	addr = v->st.addr;
	dma_iova_unlink(c.dev, &v->st, 0, PAGE_SIZE, DMA_TO_DEVICE, 0);
	v->mapped = 0;
	edu_expect_stale_read_faults(test, &c, addr, p, 0x3c);

	/* Destroyed: unmapped and given back */
	edu_iova_link(test, &c, v, p);
	addr = v->st.addr;
	dma_iova_destroy(c.dev, &v->st, PAGE_SIZE, DMA_TO_DEVICE, 0);
	v->mapped = 0;
	edu_expect_stale_read_faults(test, &c, addr, p, 0x3d);
}

/*
 * A DMA_TO_DEVICE mapping is read-only for the device: the IOMMU refuses
 * its write and the page keeps its bytes.  QEMU drops such a write
 * without a fault record (seen on 7.2), so a fault is allowed, not
 * required.
 */
static void edu_to_device_map_refuses_writes(struct kunit *test)
{
	u8 *want, *k;
	struct edu_map *m;
	struct edu_t c;
	struct page *p;

	edu_t_init(test, &c);
	edu_skip_direct(test, &c);
	p = edu_page(test, &c);
	want = edu_buf(test, PAGE_SIZE);
	k = edu_buf(test, EDU_LEN);
	qemu_edu_pattern(page_address(p), PAGE_SIZE, 0, 0x66);
	memcpy(want, page_address(p), PAGE_SIZE);
	qemu_edu_pattern(k, EDU_LEN, 0, 0x99);
	KUNIT_ASSERT_NE(test, 0, memcmp(k, want, EDU_LEN));
	m = edu_map(test, &c, p, DMA_TO_DEVICE);

	/* The mapping works for what it is for */
	KUNIT_ASSERT_EQ(test, 0, qemu_edu_to_device(c.edu, m->addr, 0,
						    EDU_LEN));
	edu_expect_dev_bytes(test, &c, want, EDU_LEN, "read through the mapping");

	KUNIT_ASSERT_EQ(test, 0, qemu_edu_write(c.edu, 0, k, EDU_LEN));
	edu_fault_open(test, "ALLOW");
	KUNIT_EXPECT_EQ(test, 0, qemu_edu_from_device(c.edu, 0, m->addr,
						      EDU_LEN));
	edu_fault_close(test);
	KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(page_address(p), want, PAGE_SIZE),
			    "the device wrote through a DMA_TO_DEVICE mapping");
}

static struct kunit_case qemu_edu_safety_cases[] = {
	KUNIT_CASE_PARAM_ATTR(edu_timeout_stops_dma, edu_safety_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(edu_concurrent_sequences, edu_safety_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM_ATTR(edu_unbind_during_sequence, edu_safety_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM(edu_dma_reach_mismatch, edu_safety_params),
	KUNIT_CASE_PARAM(edu_stale_iova_faults, edu_safety_params),
	KUNIT_CASE_PARAM(edu_to_device_map_refuses_writes, edu_safety_params),
	{}
};

static struct kunit_suite qemu_edu_safety_suite = {
	.name = "qemu_edu_safety",
	.test_cases = qemu_edu_safety_cases,
};

#if IS_ENABLED(CONFIG_QEMU_EDU_BENCH)
struct edu_bench_t {
	struct seq_file m, other_m;
	int other_ret;
	unsigned int calls;
	struct completion other_done;
};

static int edu_bench_other_fn(void *data)
{
	struct edu_bench_t *b = data;

	b->other_ret = qemu_edu_bench_run(&b->other_m);
	kthread_complete_and_exit(&b->other_done, 0);
}

/*
 * Called at the first page of a run: a second reader must be turned away,
 * and a fatal signal must stop the run at the real check.
 */
static int edu_stub_bench_yield(struct qemu_edu *edu)
{
	struct kunit *test = kunit_get_current_test();
	struct edu_bench_t *b = test->priv;
	struct task_struct *t;

	b->calls++;
	t = kthread_run(edu_bench_other_fn, b, "edu-bench-other");
	if (IS_ERR(t))
		b->other_ret = PTR_ERR(t);
	else
		wait_for_completion(&b->other_done);

	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	kunit_deactivate_static_stub(test, qemu_edu_bench_yield);
	return qemu_edu_bench_yield(edu);
}

static int edu_stub_bench_stop(struct qemu_edu *edu)
{
	return -EINTR;
}

static void edu_seq_init(struct kunit *test, struct seq_file *m)
{
	m->size = PAGE_SIZE;
	m->buf = edu_buf(test, m->size);
}

static void edu_bench_serialised_interruptible(struct kunit *test)
{
	struct edu_bench_t *b;
	ktime_t t0;
	s64 ms;
	int ret;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	edu_seq_init(test, &b->m);
	edu_seq_init(test, &b->other_m);
	init_completion(&b->other_done);
	test->priv = b;

	kunit_activate_static_stub(test, qemu_edu_bench_yield,
				   edu_stub_bench_yield);
	t0 = ktime_get();
	ret = qemu_edu_bench_run(&b->m);
	ms = ktime_ms_delta(ktime_get(), t0);
	flush_signals(current);
	disallow_signal(SIGKILL);
	if (ret == -ENODEV)
		kunit_skip(test, "no edu device bound to qemu_edu");

	kunit_info(test, "interrupted run took %lld ms\n", ms);
	KUNIT_EXPECT_EQ(test, b->calls, 1);
	KUNIT_EXPECT_EQ_MSG(test, b->other_ret, -EBUSY,
			    "a second run started beside the first");
	KUNIT_EXPECT_EQ_MSG(test, ret, -EINTR,
			    "a fatal signal did not stop the run");
	/* Only the header row; no measurement of an interrupted run */
	KUNIT_EXPECT_NULL(test, strstr(b->m.buf, "ns/MiB"));

	/* The interrupted run let go of the lock: no -EBUSY now */
	kunit_activate_static_stub(test, qemu_edu_bench_yield,
				   edu_stub_bench_stop);
	b->m.count = 0;
	KUNIT_EXPECT_EQ(test, -EINTR, qemu_edu_bench_run(&b->m));
}

static struct kunit_case qemu_edu_bench_safety_cases[] = {
	KUNIT_CASE(edu_bench_serialised_interruptible),
	{}
};

static struct kunit_suite qemu_edu_bench_safety_suite = {
	.name = "qemu_edu_bench_safety",
	.test_cases = qemu_edu_bench_safety_cases,
};

kunit_test_suites(&qemu_edu_safety_suite, &qemu_edu_bench_safety_suite);
#else
kunit_test_suite(qemu_edu_safety_suite);
#endif

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of the QEMU edu driver's DMA safety");
MODULE_LICENSE("GPL");
