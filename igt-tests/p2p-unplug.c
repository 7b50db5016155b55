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
 *
 * The -streaming cases add a V4L2 queue streaming from the buffer: the
 * edu mem2mem device (lib/m2m.h) on the other root port imports it as
 * its OUTPUT buffer, copies a first frame from it into its own MMAP
 * CAPTURE buffer (the bytes prove the device read the provider), and
 * has it queued again when the host removes the device, the same way
 * every time: the buffer is with the driver (so vb2 fences it for the
 * device) but no job can take it, having no CAPTURE partner.  The revoke
 * must not wait for a job that never comes (5 s, then a warning): the
 * driver gives the buffer back as soon as the revoke invalidates it, and
 * it comes back from DQBUF with V4L2_BUF_FLAG_ERROR; QBUF of it, in its
 * slot or in a fresh one, fails with ENODEV and keeps no reference to
 * it; the device ran no frame from it; STREAMOFF and REQBUFS 0 work.
 * After the re-plug a fresh buffer of the provider streams through the
 * same open device.  (p2p-revoke's m2m case has a job running when the
 * revoke comes.)
 */
#include "igt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/videodev2.h>
#include <misc/qemu_edu_shm.h>
#include <misc/qemu_edu.h>

#include "lib/devices.h"
#include "lib/hotplug.h"
#include "lib/m2m.h"

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
/* The host's "del" answers within 120 s (pciehp's 5 s delay included) */
#define REMOVAL_TIMEOUT_S	150
#define OUT		V4L2_BUF_TYPE_VIDEO_OUTPUT
#define CAP		V4L2_BUF_TYPE_VIDEO_CAPTURE

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

/* References to dma-buf @fd's file (bufinfo's count), -1 if not listed */
static long buf_refs(int fd)
{
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	char line[512], name[128];
	unsigned long size, ino;
	unsigned int flags, mode;
	long count, refs = -1;
	struct stat st;

	igt_assert_f(f, "no /sys/kernel/debug/dma_buf/bufinfo: %m\n");
	wb_assert_sys(fstat(fd, &st));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lu %x %x %ld %127s %lu", &size, &flags, &mode,
			   &count, name, &ino) == 6 && ino == st.st_ino)
			refs = count;
	fclose(f);
	return refs;
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
/*
 * A V4L2 CAPTURE buffer's mapping keeps its file, and with it the OUTPUT
 * queue's import of the provider's buffer, alive after close()
 */
static void *kept_cap;
static size_t kept_cap_len;

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
	if (kept_cap)
		munmap(kept_cap, kept_cap_len);
	kept_cap = NULL;
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

struct streamer;

/*
 * One buffer of a provider, as the cases share it: exported, CPU-mapped
 * and filled, read by an edu through a list mapping and an sg_table
 * mapping that stay attached across the removal; in the -streaming cases
 * also the OUTPUT buffer of a V4L2 queue.
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
	struct streamer *s;	/* the V4L2 queue streaming from it, or NULL */
	int status;		/* of the checks after the removal */
	int bufs_left;		/* of the exporter's, once all was closed */
};

static void victim_fill(struct victim *v, unsigned int seed)
{
	size_t i;

	v->map = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->buf, 0);
	igt_assert_f(v->map != MAP_FAILED, "mmap of the %s buffer: %m\n", v->id);
	kept_map = v->map;
	for (i = 0; i < BUF_LEN; i++)
		v->map[i] = pattern(i, seed);
}

/* The edu's list and sg_table mappings, each read once */
static void victim_attach(struct victim *v)
{
	v->edu_list = edu_reads(&v->edu, v->buf, v->map, QEMU_EDU_API_LIST,
				"before the removal");
	v->edu_sgt = edu_reads(&v->edu, v->buf, v->map, QEMU_EDU_API_SGT,
			       "before the removal");
	edu_assert_holds(&v->edu, 2, 2, "before the removal");
	v->bufs_before = count_bufs(v->exp_name);
}

static void victim_map(struct victim *v, unsigned int seed)
{
	victim_fill(v, seed);
	victim_attach(v);
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

/* ----------------------------------------------------- V4L2 streaming */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * An edu V4L2 mem2mem device streaming from a victim's buffer: OUTPUT
 * buffer 0 imports it (buffer 1 stays empty, for a fresh import after
 * the removal), CAPTURE buffer 0 is the device's own MMAP buffer.
 */
struct streamer {
	struct m2m m;
	struct m2m_frame in;	/* the victim's buffer as an OUTPUT frame */
	struct m2m_frame out;
	unsigned long frames;	/* v4l2_frames once the first frame ran */
	long refs[2];		/* the buffer's, before and after a refused QBUF */
};

static void stream_open(struct streamer *s, const char *provider_rp)
{
	m2m_open_beside(&s->m, provider_rp);
	keep(s->m.fd);
}

static void stream_close(struct streamer *s)
{
	m2m_frame_free(&s->out);
	kept_cap = NULL;
	m2m_reqbufs(&s->m, CAP, V4L2_MEMORY_MMAP, 0);
	drop(s->m.fd);
}

/* @v's buffer as the OUTPUT frame */
static void stream_import(struct victim *v)
{
	v->s->in = (struct m2m_frame){
		.memory = V4L2_MEMORY_DMABUF, .dmabuf = v->buf, .map = v->map,
		.len = BUF_LEN, .memfd = -1,
	};
}

/*
 * Stream a first frame (@seed) from @v's buffer: the device reads the
 * provider.  Its edu must not hold @v's buffer otherwise yet (bufinfo
 * would count those mappings as the queue's).
 */
static void stream_start(struct victim *v, unsigned int seed)
{
	struct streamer *s = v->s;
	unsigned long before = m2m_frames(&s->m);
	struct v4l2_buffer b;

	m2m_reqbufs(&s->m, OUT, V4L2_MEMORY_DMABUF, 2);
	m2m_reqbufs(&s->m, CAP, V4L2_MEMORY_MMAP, 1);
	m2m_mmap_frame(&s->m, CAP, &s->out);
	kept_cap = s->out.map;
	kept_cap_len = s->out.len;
	stream_import(v);

	m2m_fill(&s->in, s->m.size, -1, seed);
	m2m_fill(&s->out, s->m.size, 0xa5, 0);
	igt_assert_eq(m2m_qbuf(&s->m, OUT, &s->in), 0);
	igt_assert_f(m2m_p2p_route_runs(&s->m, &s->in),
		     "%s: QEMU cannot route the edu's DMA to the %s buffer\n",
		     s->m.name, v->id);
	igt_assert_eq(m2m_qbuf(&s->m, CAP, &s->out), 0);
	m2m_stream(&s->m, VIDIOC_STREAMON, OUT);
	m2m_stream(&s->m, VIDIOC_STREAMON, CAP);
	m2m_dqbuf(&s->m, CAP, V4L2_MEMORY_MMAP, &b);
	igt_assert_f(!(b.flags & V4L2_BUF_FLAG_ERROR),
		     "%s: the first frame failed (see the kernel log)\n",
		     s->m.name);
	igt_assert_eq_u32(b.bytesused, s->m.size);
	m2m_dqbuf(&s->m, OUT, V4L2_MEMORY_DMABUF, &b);
	igt_assert_f(!(b.flags & V4L2_BUF_FLAG_ERROR),
		     "%s: the first frame's OUTPUT buffer came back with V4L2_BUF_FLAG_ERROR\n",
		     s->m.name);
	m2m_check("CAPTURE of the first frame", &s->out, s->m.size, seed);
	s->frames = m2m_frames(&s->m);
	igt_assert_f(s->frames - before == 1,
		     "%s: the device counted %lu frames, want 1\n", s->m.name,
		     s->frames - before);
}

/*
 * Frame @seed queued for the removal.  The queues stream, so QBUF hands
 * the OUTPUT buffer to the driver and vb2 fences it for the device; the
 * driver cannot run it without a CAPTURE buffer, and none comes.
 */
static void stream_queue(struct victim *v, unsigned int seed)
{
	struct streamer *s = v->s;

	m2m_fill(&s->in, s->m.size, -1, seed);
	igt_assert_eq(m2m_qbuf(&s->m, OUT, &s->in), 0);
}

/*
 * In a child while the host removes the device.  The revoke invalidates
 * every importer's mapping before it waits (5 s at most, then it warns)
 * for the fences: the edu's own importers unmap on the spot, and their
 * count, a debugfs atomic, is read under no lock the revoke holds.  Once
 * it drops to 0 the revoke has begun, and the OUTPUT buffer no job could
 * take must come back well before the revoke would give up waiting.
 */
#define GIVE_BACK_TIMEOUT_MS	2500

static void stream_during_removal(struct victim *v)
{
	struct streamer *s = v->s;
	struct pollfd p = { .fd = s->m.fd, .events = POLLOUT };
	double t0 = now_s(), seen, done;

	while (edu_debugfs(&v->edu, "dmabuf_mappings")) {
		igt_assert_f(now_s() - t0 < REMOVAL_TIMEOUT_S,
			     "the revoke of the %s buffer did not begin within %d s\n",
			     v->id, REMOVAL_TIMEOUT_S);
		usleep(10 * 1000);
	}
	seen = now_s();
	igt_assert_f(poll(&p, 1, GIVE_BACK_TIMEOUT_MS) == 1 &&
		     (p.revents & POLLOUT),
		     "%s: the queued OUTPUT buffer no job could take was not given back within %d ms of the revoke: it holds the revoke up\n",
		     s->m.name, GIVE_BACK_TIMEOUT_MS);
	done = now_s();
	igt_info("the revoke began %.1f s after the request; the OUTPUT buffer came back %.3f s later\n",
		 seen - t0, done - seen);
}

/* After the removal: what became of the frame, and of the buffer */
static void stream_assert_revoked(struct victim *v)
{
	struct streamer *s = v->s;
	struct pollfd p = { .fd = s->m.fd, .events = POLLOUT };
	struct v4l2_buffer b;
	int err;

	/* The removal completed with the buffer given back */
	igt_assert_f(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
		     "%s: the removal completed while the driver still had the OUTPUT buffer\n",
		     s->m.name);
	m2m_dqbuf(&s->m, OUT, V4L2_MEMORY_DMABUF, &b);
	igt_assert_f(b.flags & V4L2_BUF_FLAG_ERROR,
		     "%s: the OUTPUT buffer revoked under the driver came back without V4L2_BUF_FLAG_ERROR\n",
		     s->m.name);
	igt_assert_f(m2m_frames(&s->m) == s->frames,
		     "%s: the device counted %lu frames during the removal, want 0\n",
		     s->m.name, m2m_frames(&s->m) - s->frames);

	/*
	 * Refused QBUFs must keep no reference to the buffer, or it outlives
	 * its last fd; stream_assert_no_refs() checks, last, so that a leak
	 * does not hide the other checks' findings
	 */
	s->refs[0] = buf_refs(v->buf);
	err = m2m_qbuf_at(&s->m, OUT, &s->in, 0);
	igt_assert_f(err == ENODEV, "%s: QBUF of the removed buffer: got %s, want ENODEV\n",
		     s->m.name, err ? strerror(err) : "success");
	err = m2m_qbuf_at(&s->m, OUT, &s->in, 1);
	igt_assert_f(err == ENODEV, "%s: QBUF of the removed buffer into a fresh slot: got %s, want ENODEV\n",
		     s->m.name, err ? strerror(err) : "success");
	s->refs[1] = buf_refs(v->buf);
	igt_assert_f(m2m_frames(&s->m) == s->frames,
		     "%s: the device ran frames from a refused QBUF\n",
		     s->m.name);
}

/*
 * videobuf2 takes a reference to the dma-buf of a QBUF (dma_buf_get())
 * before it attaches it, and must put it when the attach fails
 */
static void stream_assert_no_refs(struct streamer *s)
{
	igt_assert_f(s->refs[1] == s->refs[0],
		     "%s: QBUFs of the removed buffer refused with ENODEV left %ld references to it, there were %ld\n",
		     s->m.name, s->refs[1], s->refs[0]);
}

/* Stop streaming and let the OUTPUT queue's import of the buffer go */
static void stream_stop(struct streamer *s)
{
	m2m_stream(&s->m, VIDIOC_STREAMOFF, CAP);
	m2m_stream(&s->m, VIDIOC_STREAMOFF, OUT);
	m2m_reqbufs(&s->m, OUT, V4L2_MEMORY_DMABUF, 0);
}

/*
 * The same whatever the checks found, asserting nothing, so that the
 * buffer can be freed and the device plugged back: repeated after a
 * stream_stop() that worked, each call does nothing
 */
static void stream_stop_anyway(struct streamer *s)
{
	struct v4l2_requestbuffers rb = {
		.type = OUT, .memory = V4L2_MEMORY_DMABUF,
	};
	int type;

	type = CAP;
	ioctl(s->m.fd, VIDIOC_STREAMOFF, &type);
	type = OUT;
	ioctl(s->m.fd, VIDIOC_STREAMOFF, &type);
	ioctl(s->m.fd, VIDIOC_REQBUFS, &rb);
}

/* The re-plugged provider's fresh buffer @v streams through the device */
static void stream_again(struct victim *v)
{
	struct streamer *s = v->s;

	m2m_reqbufs(&s->m, OUT, V4L2_MEMORY_DMABUF, 1);
	stream_import(v);
	m2m_run_frames(&s->m, &s->in, &s->out,
		       "CAPTURE of the re-plugged provider's frames");
	m2m_reqbufs(&s->m, OUT, V4L2_MEMORY_DMABUF, 0);
}

/*
 * Remove the device with @v's buffer in use, run @checks (the provider's
 * own) and the common ones in a child, release everything, plug the
 * device back.  The device comes back whatever the checks found, and the
 * re-plugged one is tested too: victim_verdict() reports their failure
 * after.
 */
static void victim_unplug(struct victim *v, void (*checks)(struct victim *))
{
	unsigned int del_ms, add_ms;
	double gone_s, back_s;
	int status = 0, checked, uevents, bufs;

	/* "del" returns only once the removal, which waits for it, is done */
	if (v->s) {
		igt_fork(child, 1)
			stream_during_removal(v);
	}
	del_ms = wb_hotplug("del", v->id);
	if (v->s)
		status = __igt_waitchildren();
	/* QEMU deletes the device once the guest removed it */
	gone_s = wb_pci_wait_gone(v->pci, 10);
	igt_fork(child, 1) {
		victim_assert_revoked(v);
		if (v->s) {
			stream_assert_revoked(v);
			stream_stop(v->s);
		}
		checks(v);
		if (v->s)
			stream_assert_no_refs(v->s);
	}
	checked = __igt_waitchildren();
	status = status ?: checked;

	if (v->s)
		stream_stop_anyway(v->s);
	victim_release(v);
	bufs = count_bufs(v->exp_name);

	uevents = keep(wb_uevent_open());
	add_ms = wb_hotplug("add", v->id);
	back_s = wb_uevent_wait_bind(uevents, v->pci, v->driver, REPLUG_TIMEOUT_S);
	drop(uevents);
	igt_info("%s: del %u ms on the host (+%.1f s until sysfs showed it gone), add %u ms on the host + %.1f s until %s bound\n",
		 v->id, del_ms, gone_s, add_ms, back_s, v->driver);
	v->status = status;
	v->bufs_left = bufs - (v->bufs_before - 1);
}

static void victim_verdict(const struct victim *v)
{
	igt_assert_f(v->status == 0, "checks after the removal failed (%d)\n",
		     v->status);
	igt_assert_f(!v->bufs_left,
		     "closing the removed buffer did not free it (%d buffers of %s more than before it)\n",
		     v->bufs_left, v->exp_name);
}

/*
 * victim_map(), and if a V4L2 queue streams from @v's buffer: its first
 * frame (before the edu's own mappings, see stream_start()), then the
 * frame queued for the removal
 */
static void victim_stream_map(struct victim *v, const char *provider_rp,
			      unsigned int seed)
{
	if (!v->s) {
		victim_map(v, seed);
		return;
	}
	victim_fill(v, seed);
	stream_open(v->s, provider_rp);
	stream_start(v, 1);
	victim_attach(v);
	stream_queue(v, 2);
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

/* A V4L2 queue streams from the buffer too if @s */
static void shm_unplug(struct streamer *s)
{
	struct victim v = {
		.id = SHM_ID, .driver = "qemu_edu_shm", .exp_name = "qemu_edu",
		.s = s,
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
	victim_stream_map(&v, rp, 0x51);

	victim_unplug(&v, shm_checks);
	drop(shm_dev);

	/* Plugged back: a new exporter, and edu reads what the CPU writes */
	shm_dev = shm_open_dev(v.pci, shm_node, sizeof(shm_node));
	v.buf = keep(shm_export(shm_dev));
	igt_assert_f(v.buf >= 0, "EXPORT after the re-plug: %m\n");
	victim_map(&v, 0x52);
	if (s)
		stream_again(&v);
	victim_release(&v);
	drop(shm_dev);
	edu_assert_holds(&v.edu, 0, 0, "after the re-plugged buffer's test");
	if (s)
		stream_close(s);
	victim_verdict(&v);
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

/* A V4L2 queue streams from the buffer too if @s */
static void nvme_unplug(struct streamer *s)
{
	struct victim v = { .id = NVME_ID, .driver = "nvme", .s = s };
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
	victim_stream_map(&v, rp, 0x61);

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
	if (s)
		stream_again(&v);
	victim_release(&v);
	drop(heap);
	edu_assert_holds(&v.edu, 0, 0, "after the re-plugged buffer's test");
	if (s)
		stream_close(s);
	victim_verdict(&v);
}

IGT_TEST_DESCRIPTION("Hot-unplugging the device behind P2P memory revokes the dma-bufs exported from it; plugged back, it exports again");

igt_main
{
	static struct streamer s;

	igt_describe("ivshmem hot-unplugged with a BAR export mapped by edu (list and sg_table) and the CPU: edu ENODEV, SIGBUS, export ENODEV, buffer freed; re-plugged, edu reads the BAR again");
	igt_subtest("ivshmem-unplug") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "ivshmem-unplug");
		drop_leftovers();
		shm_unplug(NULL);
		igt_reset_timeout();
	}

	igt_describe("nvme hot-unplugged with a p2pmem heap buffer mapped by edu (list and sg_table) and the CPU: edu ENODEV, SIGBUS, alloc ENODEV, buffer freed; re-plugged, the heap serves edu again");
	igt_subtest("nvme-cmb-unplug") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "nvme-cmb-unplug");
		drop_leftovers();
		nvme_unplug(NULL);
		igt_reset_timeout();
	}

	igt_describe("ivshmem hot-unplugged as ivshmem-unplug, while the edu V4L2 device streams from the BAR export (its OUTPUT buffer, a first frame read byte-exact) and has it queued again with no CAPTURE buffer: the driver gives it back as the revoke begins (no 5 s wait), with V4L2_BUF_FLAG_ERROR; QBUF of it (same or fresh slot) fails with ENODEV; the device ran no frame from it; STREAMOFF and REQBUFS 0 work; re-plugged, a new export streams through the same device byte-exact");
	igt_subtest("ivshmem-unplug-streaming") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "ivshmem-unplug-streaming");
		drop_leftovers();
		shm_unplug(&s);
		igt_reset_timeout();
	}

	igt_describe("nvme hot-unplugged as nvme-cmb-unplug, while the edu V4L2 device streams from the p2pmem heap buffer (its OUTPUT buffer, a first frame read byte-exact) and has it queued again with no CAPTURE buffer: the driver gives it back as the revoke begins (no 5 s wait), with V4L2_BUF_FLAG_ERROR; QBUF of it (same or fresh slot) fails with ENODEV; the device ran no frame from it; STREAMOFF and REQBUFS 0 work; re-plugged, the heap's new buffer streams through the same device byte-exact");
	igt_subtest("nvme-cmb-unplug-streaming") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "nvme-cmb-unplug-streaming");
		drop_leftovers();
		nvme_unplug(&s);
		igt_reset_timeout();
	}
}
