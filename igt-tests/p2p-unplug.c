// SPDX-License-Identifier: GPL-2.0
/*
 * p2p-unplug: the device behind P2P memory is hot-unplugged (QEMU's
 * device_del, PCIe native hot-plug) while its buffer is in use, then
 * plugged back.
 *
 * p2p-revoke unbinds the driver politely; here the device itself goes
 * away, as a provider does on a surprise removal or when a VM's device is
 * detached: its struct pci_dev, its P2P pages and its BAR vanish.  Each
 * case holds one buffer of the provider mapped by the CPU and by an edu
 * through both importer APIs (a list mapping and an sg_table mapping),
 * asks the host to remove the device, and checks: the edus were revoked
 * (their next use and a new attachment fail with ENODEV), the CPU mapping
 * raises SIGBUS, new exports and allocations fail with ENODEV, closing
 * everything frees the buffer.  Then the host plugs the device back and
 * the exporter works again end to end: what the CPU writes, edu reads.
 * The host side is workbench/hotplug.py (see lib/hotplug.h).
 */
#include "igt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <misc/qemu_edu_shm.h>
#include <misc/qemu_edu.h>

#include "lib/devices.h"
#include "lib/hotplug.h"

#define PAGE		4096UL
#define BUF_LEN		(16 * PAGE)
#define PCI_DEVS	"/sys/bus/pci/devices"
#define EDU_DEBUGFS	"/sys/kernel/debug/qemu_edu"
/* The ids workbench/vm.sh gives the two providers */
#define NVME_ID		"wb-nvme"
#define SHM_ID		"wb-ivshmem"
/* Removal plus re-plug under TCG, with pciehp's 5 s delay */
#define SUBTEST_TIMEOUT_S	400
/* The re-plugged device found, probed and bound */
#define REPLUG_TIMEOUT_S	60

#define EXPECT_ERRNO(expr, err) do {					\
	int __r = (expr);						\
	igt_assert_f(__r < 0 && errno == (err),				\
		     "%s: expected %s, got %s\n", #expr, strerror(err),	\
		     __r < 0 ? strerror(errno) : "success");		\
} while (0)

static uint8_t pattern(size_t i, unsigned int seed)
{
	return (uint8_t)(i * 13 + (i >> 12) + seed);
}

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* Does reading (or writing) @p raise SIGBUS? */
static bool access_faults(volatile uint8_t *p, bool write)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile bool faulted = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		if (write)
			*p = 0x5a;
		else
			(void)*p;
	} else {
		faulted = true;
	}
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/* Dma-bufs of exporter @exp_name in debugfs' bufinfo */
static int count_bufs(const char *exp_name)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	char line[512], name[128];
	unsigned long size;
	unsigned int flags, mode;
	long count;
	int n = 0;

	igt_assert_f(f, "no /sys/kernel/debug/dma_buf/bufinfo: %m\n");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lu %x %x %ld %127s", &size, &flags, &mode,
			   &count, name) == 5 && !strcmp(name, exp_name))
			n++;
	fclose(f);
	return n;
}

/*
 * IGT runs both subtests in one process: one that fails leaves by a jump
 * with its files open and its buffer mapped, whose attachments would fail
 * the next subtest's checks (and whose buffer would keep a re-plugged
 * provider busy).  Each subtest starts by dropping what a failed one left.
 */
static int kept_fds[8];
static unsigned int nr_kept;
static void *kept_map;

static int keep(int fd)
{
	if (fd >= 0) {
		igt_assert(nr_kept < ARRAY_SIZE(kept_fds));
		kept_fds[nr_kept++] = fd;
	}
	return fd;
}

static void drop(int fd)
{
	unsigned int i;

	for (i = 0; i < nr_kept; i++)
		if (kept_fds[i] == fd) {
			kept_fds[i] = kept_fds[--nr_kept];
			break;
		}
	close(fd);
}

static void drop_leftovers(void)
{
	while (nr_kept)
		close(kept_fds[--nr_kept]);
	if (kept_map)
		munmap(kept_map, BUF_LEN);
	kept_map = NULL;
}

/* -------------------------------------------------------------- edu */

/*
 * The edu on another root port than the provider: its DMA reaches the
 * provider through the host bridge on every topology (QEMU routes no
 * peer-to-peer bus addresses inside a switch behind its vIOMMU).
 */
struct edu {
	char pci[NAME_MAX + 1];
	char node[PATH_MAX];
};

static void edu_find(const char *provider_rp, struct edu *e)
{
	char rp[NAME_MAX + 1], dir[PATH_MAX], name[NAME_MAX + 1];
	struct dirent *de;
	DIR *d = opendir("/sys/bus/pci/drivers/qemu_edu");

	wb_require_f(d, "no qemu_edu driver (CONFIG_QEMU_EDU)\n");
	e->node[0] = '\0';
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':'))
			continue;
		wb_root_port_of(de->d_name, rp, sizeof(rp));
		if (!strcmp(rp, provider_rp))
			continue;
		snprintf(dir, sizeof(dir), PCI_DEVS "/%s/misc", de->d_name);
		if (wb_find_entry(dir, "qemu_edu*", name, sizeof(name))) {
			snprintf(e->pci, sizeof(e->pci), "%s", de->d_name);
			snprintf(e->node, sizeof(e->node), "/dev/%s", name);
		}
	}
	closedir(d);
	wb_require_f(e->node[0], "no edu on another root port than %s\n",
		     provider_rp);
}

static unsigned long edu_debugfs(const struct edu *e, const char *file)
{
	char path[PATH_MAX], v[32];

	snprintf(path, sizeof(path), EDU_DEBUGFS "/%s/%s", e->pci, file);
	igt_assert_f(wb_read_line(path, v, sizeof(v)), "read %s: %m\n", path);
	return strtoul(v, NULL, 0);
}

static void edu_assert_holds(const struct edu *e, unsigned long attachments,
			     unsigned long mappings, const char *when)
{
	unsigned long a = edu_debugfs(e, "dmabuf_attachments");
	unsigned long m = edu_debugfs(e, "dmabuf_mappings");

	igt_assert_f(a == attachments && m == mappings,
		     "%s: edu %s holds %lu attachments and %lu mappings, want %lu and %lu\n",
		     when, e->pci, a, m, attachments, mappings);
}

/* edu's CHECKSUM of the whole window: 0 or errno, the crc in @crc */
static int edu_checksum(int fd, uint32_t *crc)
{
	struct qemu_edu_range r[16];
	struct qemu_edu_checksum c = {
		.ranges = (uintptr_t)r, .nr_ranges = ARRAY_SIZE(r),
	};

	if (ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c) < 0)
		return errno;
	igt_assert_f(c.bytes == BUF_LEN, "edu read %llu bytes, not %lu\n",
		     (unsigned long long)c.bytes, BUF_LEN);
	*crc = c.crc;
	return 0;
}

/* Attach a new edu file to @buf through @api; 0 or errno, the file in @out */
static int edu_attach(const struct edu *e, int buf, uint32_t api, int *out)
{
	struct qemu_edu_attach a = {
		.fd = buf, .length = BUF_LEN, .dir = QEMU_EDU_DIR_TO_DEVICE,
		.api = api,
	};
	int fd = open(e->node, O_RDWR | O_CLOEXEC);
	int err = 0;

	igt_assert_f(keep(fd) >= 0, "open %s: %m\n", e->node);
	if (ioctl(fd, QEMU_EDU_IOC_ATTACH, &a) < 0)
		err = errno;
	*out = fd;
	return err;
}

/* The edu reads @buf through @api and sees what the CPU wrote to @map */
static int edu_reads(const struct edu *e, int buf, const uint8_t *map,
		     uint32_t api, const char *what)
{
	uint32_t crc = 0, want = crc32_le(~0u, map, BUF_LEN);
	int fd, err;

	err = edu_attach(e, buf, api, &fd);
	igt_assert_f(!err, "%s: ATTACH (%s): %s\n", what,
		     api == QEMU_EDU_API_LIST ? "list" : "sg_table", strerror(err));
	err = edu_checksum(fd, &crc);
	igt_assert_f(!err, "%s: CHECKSUM (%s): %s\n", what,
		     api == QEMU_EDU_API_LIST ? "list" : "sg_table", strerror(err));
	igt_assert_f(crc == want, "%s: edu read crc %#x through the %s mapping, the CPU wrote %#x\n",
		     what, crc, api == QEMU_EDU_API_LIST ? "list" : "sg_table",
		     want);
	return fd;
}

/* ----------------------------------------------------- one removal */

/*
 * One buffer of a provider, as the cases share it: exported, CPU-mapped
 * and filled, read by an edu through a list mapping and an sg_table
 * mapping that stay attached across the removal.
 */
struct victim {
	const char *id;		/* the device's id in QEMU */
	const char *driver;	/* the provider's PCI driver */
	const char *exp_name;	/* its dma-bufs' exporter name in bufinfo */
	char pci[NAME_MAX + 1];
	struct edu edu;
	int buf;
	uint8_t *map;
	int edu_list, edu_sgt;
	int bufs_before;	/* dma-bufs of the exporter, ours included */
};

static void victim_map(struct victim *v, unsigned int seed)
{
	size_t i;

	v->map = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->buf, 0);
	igt_assert_f(v->map != MAP_FAILED, "mmap of the %s buffer: %m\n", v->id);
	kept_map = v->map;
	for (i = 0; i < BUF_LEN; i++)
		v->map[i] = pattern(i, seed);
	v->edu_list = edu_reads(&v->edu, v->buf, v->map, QEMU_EDU_API_LIST,
				"before the removal");
	v->edu_sgt = edu_reads(&v->edu, v->buf, v->map, QEMU_EDU_API_SGT,
			       "before the removal");
	edu_assert_holds(&v->edu, 2, 2, "before the removal");
	v->bufs_before = count_bufs(v->exp_name);
}

static void victim_release(struct victim *v)
{
	drop(v->edu_list);
	drop(v->edu_sgt);
	munmap(v->map, BUF_LEN);
	kept_map = NULL;
	drop(v->buf);
}

/* What every provider's buffer must show once its device is gone */
static void victim_assert_revoked(struct victim *v)
{
	uint32_t crc;
	int fd, err;

	/* Told by the revoke, both importers unmapped at once */
	edu_assert_holds(&v->edu, 2, 0, "after the removal");
	err = edu_checksum(v->edu_list, &crc);
	igt_assert_f(err == ENODEV, "CHECKSUM through the list mapping after the removal: %s, want %s\n",
		     err ? strerror(err) : "success", strerror(ENODEV));
	err = edu_checksum(v->edu_sgt, &crc);
	igt_assert_f(err == ENODEV, "CHECKSUM through the sg_table mapping after the removal: %s, want %s\n",
		     err ? strerror(err) : "success", strerror(ENODEV));
	edu_assert_holds(&v->edu, 2, 0, "after CHECKSUM of a removed buffer");
	err = edu_attach(&v->edu, v->buf, QEMU_EDU_API_LIST, &fd);
	drop(fd);
	igt_assert_f(err == ENODEV, "a new ATTACH after the removal: %s, want %s\n",
		     err ? strerror(err) : "success", strerror(ENODEV));

	igt_assert_f(access_faults(v->map, false),
		     "reading the CPU mapping after the removal did not raise SIGBUS\n");
	igt_assert_f(access_faults(v->map + BUF_LEN - 1, true),
		     "writing the CPU mapping after the removal did not raise SIGBUS\n");
	EXPECT_ERRNO(mmap(NULL, BUF_LEN, PROT_READ, MAP_SHARED, v->buf, 0) ==
		     MAP_FAILED ? -1 : 0, ENODEV);

	wb_assert_sys(ioctl(v->edu_list, QEMU_EDU_IOC_DETACH));
	wb_assert_sys(ioctl(v->edu_sgt, QEMU_EDU_IOC_DETACH));
	edu_assert_holds(&v->edu, 0, 0, "after detaching from a removed buffer");
	/* The buffer object lives on until its fd is closed */
	igt_assert_f(count_bufs(v->exp_name) == v->bufs_before,
		     "the removed buffer vanished while its fd is open\n");
}

/*
 * Remove the device with @v's buffer in use, run @checks (the provider's
 * own) and the common ones in a child, release everything, plug the
 * device back.  The device comes back whatever the checks found; their
 * failure is reported after.
 */
static void victim_unplug(struct victim *v, void (*checks)(struct victim *))
{
	unsigned int del_ms, add_ms;
	double gone_s, back_s;
	int status, uevents;

	del_ms = wb_hotplug("del", v->id);
	/* QEMU deletes the device once the guest removed it */
	gone_s = wb_pci_wait_gone(v->pci, 10);
	igt_fork(child, 1) {
		victim_assert_revoked(v);
		checks(v);
	}
	status = __igt_waitchildren();

	victim_release(v);
	edu_assert_holds(&v->edu, 0, 0, "after closing everything");
	igt_assert_f(count_bufs(v->exp_name) == v->bufs_before - 1,
		     "closing the removed buffer did not free it (%d buffers of %s, want %d)\n",
		     count_bufs(v->exp_name), v->exp_name, v->bufs_before - 1);

	uevents = keep(wb_uevent_open());
	add_ms = wb_hotplug("add", v->id);
	back_s = wb_uevent_wait_bind(uevents, v->pci, v->driver, REPLUG_TIMEOUT_S);
	drop(uevents);
	igt_info("%s: del %u ms on the host (+%.1f s until sysfs showed it gone), add %u ms on the host + %.1f s until %s bound\n",
		 v->id, del_ms, gone_s, add_ms, back_s, v->driver);
	igt_assert_f(status == 0, "checks after the removal failed (%d)\n", status);
}

static void require_hotplug(const char *id)
{
	char why[512];

	wb_require_f(wb_hotplug_offers(id, why, sizeof(why)), "%s\n", why);
}

/* ------------------------------------------------------------ ivshmem */

#define SHM_DRV		"/sys/bus/pci/drivers/qemu_edu_shm"

static int shm_open_dev(const char *pci, char *node, size_t n)
{
	char dir[PATH_MAX], name[NAME_MAX + 1];
	int fd;

	snprintf(dir, sizeof(dir), PCI_DEVS "/%s/misc", pci);
	igt_assert_f(wb_find_entry(dir, "qemu_edu_shm*", name, sizeof(name)),
		     "%s has no qemu_edu_shm character device\n", pci);
	snprintf(node, n, "/dev/%s", name);
	fd = keep(open(node, O_RDWR | O_CLOEXEC));
	igt_assert_f(fd >= 0, "open %s: %m\n", node);
	return fd;
}

static int shm_export(int dev)
{
	struct qemu_edu_shm_export x = {
		.length = BUF_LEN, .fd_flags = O_RDWR | O_CLOEXEC, .fd = -1,
	};

	if (ioctl(dev, QEMU_EDU_SHM_IOC_EXPORT, &x) < 0)
		return -1;
	return x.fd;
}

/* The exporter's character device, open across the removal */
static int shm_dev = -1;
static char shm_node[PATH_MAX];

static void shm_checks(struct victim *v)
{
	struct qemu_edu_shm_info info;

	EXPECT_ERRNO(shm_export(shm_dev), ENODEV);
	EXPECT_ERRNO(ioctl(shm_dev, QEMU_EDU_SHM_IOC_INFO, &info), ENODEV);
	igt_assert_f(access(shm_node, F_OK) < 0,
		     "%s still exists after the removal\n", shm_node);
}

static void shm_unplug(void)
{
	struct victim v = {
		.id = SHM_ID, .driver = "qemu_edu_shm", .exp_name = "qemu_edu",
	};
	char rp[NAME_MAX + 1];

	require_hotplug(SHM_ID);
	wb_require_f(wb_find_entry(SHM_DRV, "*:*", v.pci, sizeof(v.pci)),
		     "no ivshmem device bound to qemu_edu_shm\n");
	wb_root_port_of(v.pci, rp, sizeof(rp));
	edu_find(rp, &v.edu);

	shm_dev = shm_open_dev(v.pci, shm_node, sizeof(shm_node));
	v.buf = keep(shm_export(shm_dev));
	igt_assert_f(v.buf >= 0, "EXPORT: %m\n");
	victim_map(&v, 0x51);

	victim_unplug(&v, shm_checks);
	drop(shm_dev);

	/* Plugged back: a new exporter, and edu reads what the CPU writes */
	shm_dev = shm_open_dev(v.pci, shm_node, sizeof(shm_node));
	v.buf = keep(shm_export(shm_dev));
	igt_assert_f(v.buf >= 0, "EXPORT after the re-plug: %m\n");
	victim_map(&v, 0x52);
	victim_release(&v);
	drop(shm_dev);
	edu_assert_holds(&v.edu, 0, 0, "after the re-plugged buffer's test");
}

/* -------------------------------------------------------- p2pmem heap */

#define NVME_DRV	"/sys/bus/pci/drivers/nvme"

/* The NVMe controller that publishes its CMB, "" if none */
static void nvme_published(char *pci, size_t n)
{
	char path[PATH_MAX], v[8];
	struct dirent *de;
	DIR *d = opendir(NVME_DRV);

	pci[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':'))
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/p2pmem/published",
			 de->d_name);
		if (wb_read_line(path, v, sizeof(v)) && !strcmp(v, "1"))
			snprintf(pci, n, "%s", de->d_name);
	}
	closedir(d);
}

static int heap_alloc(int heap)
{
	struct dma_heap_allocation_data d = {
		.len = BUF_LEN, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
		return -1;
	return d.fd;
}

/* The heap, open across the removal */
static int heap = -1;
static char heap_node[PATH_MAX];

static void heap_checks(struct victim *v)
{
	int h;

	/* The heap outlives its provider; it refuses until one is back */
	EXPECT_ERRNO(heap_alloc(heap), ENODEV);
	h = open(heap_node, O_RDONLY | O_CLOEXEC);
	igt_assert_f(h >= 0, "open %s after the removal: %m\n", heap_node);
	EXPECT_ERRNO(heap_alloc(h), ENODEV);
	close(h);
}

static void heap_open(const char *pci)
{
	snprintf(heap_node, sizeof(heap_node), "/dev/dma_heap/p2pmem-%s", pci);
	heap = keep(open(heap_node, O_RDONLY | O_CLOEXEC));
	igt_assert_f(heap >= 0, "open %s: %m\n", heap_node);
}

static void nvme_unplug(void)
{
	struct victim v = { .id = NVME_ID, .driver = "nvme" };
	char rp[NAME_MAX + 1], published[NAME_MAX + 1];

	require_hotplug(NVME_ID);
	nvme_published(v.pci, sizeof(v.pci));
	wb_require_f(v.pci[0], "no nvme controller publishes its CMB as P2P memory\n");
	wb_root_port_of(v.pci, rp, sizeof(rp));
	edu_find(rp, &v.edu);

	heap_open(v.pci);
	v.exp_name = heap_node + strlen("/dev/dma_heap/");
	v.buf = keep(heap_alloc(heap));
	igt_assert_f(v.buf >= 0, "alloc from %s: %m\n", heap_node);
	victim_map(&v, 0x61);

	victim_unplug(&v, heap_checks);
	drop(heap);

	/* nvme publishes its CMB in probe(), which the bind uevent follows */
	nvme_published(published, sizeof(published));
	igt_assert_f(!strcmp(published, v.pci),
		     "%s is bound again but does not publish its CMB\n", v.pci);

	/* The same heap (named after the device) serves the new provider */
	heap_open(v.pci);
	v.buf = keep(heap_alloc(heap));
	igt_assert_f(v.buf >= 0, "alloc from %s after the re-plug: %m\n",
		     heap_node);
	victim_map(&v, 0x62);
	victim_release(&v);
	drop(heap);
	edu_assert_holds(&v.edu, 0, 0, "after the re-plugged buffer's test");
}

IGT_TEST_DESCRIPTION("Hot-unplugging the device behind P2P memory revokes the dma-bufs exported from it; plugged back, it exports again");

igt_main
{
	igt_describe("ivshmem hot-unplugged with a BAR export mapped by edu (list and sg_table) and the CPU: edu ENODEV, SIGBUS, export ENODEV, buffer freed; re-plugged, edu reads the BAR again");
	igt_subtest("ivshmem-unplug") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "ivshmem-unplug");
		drop_leftovers();
		shm_unplug();
		igt_reset_timeout();
	}

	igt_describe("nvme hot-unplugged with a p2pmem heap buffer mapped by edu (list and sg_table) and the CPU: edu ENODEV, SIGBUS, alloc ENODEV, buffer freed; re-plugged, the heap serves edu again");
	igt_subtest("nvme-cmb-unplug") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "nvme-cmb-unplug");
		drop_leftovers();
		nvme_unplug();
		igt_reset_timeout();
	}
}
