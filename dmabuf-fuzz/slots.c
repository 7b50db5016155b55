// SPDX-License-Identifier: GPL-2.0
/*
 * The resources the fuzzer's threads share: a table of file descriptor
 * slots and a table of mappings, and the devices of the machine.
 *
 * Slot i always lives at fd FD_BASE + i: a fd the kernel returns is moved
 * there with dup3() at once.  The kernel hands out the lowest free number,
 * far below FD_BASE, so an empty slot's number is a closed fd nobody can
 * reuse behind our back, and a replay sees the same numbers.  Users of a
 * slot hold its read lock; installing and closing take the write lock,
 * always with trylock, and nobody waits for a write lock while holding
 * another: no deadlock, and a call never sees its fd change kind under it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/videodev2.h>
#include <misc/qemu_edu_shm.h>

#include "fuzz.h"

struct devices devs;
struct slot slots[NR_SLOTS];
struct map maps[NR_MAPS];

void slots_init(void)
{
	int i;

	for (i = 0; i < NR_SLOTS; i++) {
		pthread_rwlock_init(&slots[i].rw, NULL);
		pthread_mutex_init(&slots[i].meta, NULL);
		slots[i].kind = K_NONE;
	}
	for (i = 0; i < NR_MAPS; i++)
		pthread_rwlock_init(&maps[i].rw, NULL);
}

/* Close everything: the start of a replay */
void slots_reset(void)
{
	int i;

	for (i = 0; i < NR_SLOTS; i++) {
		if (slots[i].kind != K_NONE)
			close(slot_fd(i));
		slots[i].kind = K_NONE;
		slots[i].nr_handles = 0;
	}
	for (i = 0; i < NR_MAPS; i++) {
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
		maps[i].addr = NULL;
	}
}

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static void find_heaps(void)
{
	static const char *const order[] = { "system", "reserved", "linux,cma" };
	struct dirent *de;
	DIR *d;
	size_t i;

	/* the named heaps first, in a fixed order: replays need it */
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		char p[64];

		snprintf(p, sizeof(p), "/dev/dma_heap/%s", order[i]);
		if (access(p, R_OK) || devs.nr_heaps == MAX_DEVS)
			continue;
		strcpy(devs.heap_path[devs.nr_heaps], p);
		devs.heap_exp[devs.nr_heaps++] = i ? EXP_CMA : EXP_SYSTEM;
	}
	d = opendir("/dev/dma_heap");
	if (!d)
		return;
	while ((de = readdir(d)) && devs.nr_heaps < MAX_DEVS) {
		if (strncmp(de->d_name, "p2pmem-", 7))
			continue;
		snprintf(devs.heap_path[devs.nr_heaps], 64, "/dev/dma_heap/%.40s",
			 de->d_name);
		devs.heap_exp[devs.nr_heaps++] = EXP_P2PMEM;
	}
	closedir(d);
}

static void find_numbered(const char *fmt, char (*paths)[64], int *nr)
{
	int i;

	for (i = 0; i < 16 && *nr < MAX_DEVS; i++) {
		char p[64];

		snprintf(p, sizeof(p), fmt, i);
		if (!access(p, R_OK | W_OK))
			strcpy(paths[(*nr)++], p);
	}
}

/*
 * Whether the PCI device of a class device sits behind the PCIe switch:
 * root port, switch upstream and downstream ports above it.
 */
static bool behind_switch(const char *classdev)
{
	char p[128], real[PATH_MAX], *s;
	int n = 0;

	snprintf(p, sizeof(p), "%s/device", classdev);
	if (!realpath(p, real))
		return false;
	for (s = strstr(real, "/pci"); s && (s = strchr(s + 1, '/')); )
		n++;
	return n >= 4;	/* /pci0000:00/RP/UP/DOWN/DEV */
}

/* The V4L2 nodes we fuzz: the edu mem2mem ones and vivid's captures */
static bool v4l2_wanted(const char *name)
{
	return (!strncmp(name, "qemu_edu", 8) && strstr(name, "-m2m-")) ||
	       !strcmp(name, "vivid-000-vid-cap") || !strcmp(name, "vivid-001-vid-cap");
}

static void find_v4l2(void)
{
	char names[64][48];
	int nodes[64], n = 0, i, j;

	for (i = 0; i < 64 && n < 64; i++) {
		char p[96], name[64];

		snprintf(p, sizeof(p), "/sys/class/video4linux/video%d/name", i);
		if (!read_line(p, name, sizeof(name)) || !v4l2_wanted(name))
			continue;
		snprintf(names[n], sizeof(names[n]), "%.40s", name);
		nodes[n++] = i;
	}
	/* by name, so that a replay finds them in the same order */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char t[48];
			int k = nodes[j];

			memcpy(t, names[j], sizeof(t));
			memcpy(names[j], names[j - 1], sizeof(t));
			memcpy(names[j - 1], t, sizeof(t));
			nodes[j] = nodes[j - 1];
			nodes[j - 1] = k;
		}
	for (i = 0; i < n && devs.nr_v4l2 < MAX_DEVS; i++) {
		struct v4l2_capability cap;
		unsigned int caps;
		int fd, d = devs.nr_v4l2;

		snprintf(devs.v4l2_path[d], 64, "/dev/video%d", nodes[i]);
		fd = open(devs.v4l2_path[d], O_RDWR | O_NONBLOCK);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (ioctl(fd, VIDIOC_QUERYCAP, &cap)) {
			close(fd);
			continue;
		}
		close(fd);
		caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ?
			cap.device_caps : cap.capabilities;
		devs.v4l2_type[d][0] = devs.v4l2_type[d][1] = -1;
		if (caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_M2M))
			devs.v4l2_type[d][0] = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		if (caps & (V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_VIDEO_M2M))
			devs.v4l2_type[d][1] = V4L2_BUF_TYPE_VIDEO_OUTPUT;
		if (caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE)
			devs.v4l2_type[d][0] = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
		if (caps & V4L2_CAP_VIDEO_M2M_MPLANE) {
			devs.v4l2_type[d][0] = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
			devs.v4l2_type[d][1] = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
		}
		memcpy(devs.v4l2_name[d], names[i], sizeof(devs.v4l2_name[d]));
		{
			char cd[64];

			snprintf(cd, sizeof(cd), "/sys/class/video4linux/video%d", nodes[i]);
			devs.v4l2_switch[d] = behind_switch(cd);
		}
		devs.v4l2_edu[d] = !strncmp(names[i], "qemu_edu", 8);
		devs.nr_v4l2++;
	}
}

static void find_vgem(void)
{
	int i;

	for (i = 0; i < 16 && devs.nr_drm < MAX_DEVS; i++) {
		struct drm_version v;
		char p[64], name[32];
		int fd;

		snprintf(p, sizeof(p), "/dev/dri/card%d", i);
		fd = open(p, O_RDWR);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			strcpy(devs.drm_path[devs.nr_drm++], p);
		close(fd);
	}
}

void devices_find(void)
{
	int fd;

	memset(&devs, 0, sizeof(devs));
	find_heaps();
	find_numbered("/dev/qemu_edu%d", devs.edu_path, &devs.nr_edu);
	find_numbered("/dev/qemu_edu_shm%d", devs.shm_path, &devs.nr_shm);
	for (fd = 0; fd < devs.nr_shm; fd++) {
		struct qemu_edu_shm_info info = { 0 };
		int sfd = open(devs.shm_path[fd], O_RDWR);

		if (sfd >= 0 && !ioctl(sfd, QEMU_EDU_SHM_IOC_INFO, &info))
			devs.shm_size[fd] = info.bar_size;
		if (sfd >= 0)
			close(sfd);
	}
	find_v4l2();
	find_vgem();
	for (fd = 0; fd < devs.nr_edu; fd++) {
		char cd[64];

		snprintf(cd, sizeof(cd), "/sys/class/misc/%s", devs.edu_path[fd] + 5);
		devs.edu_switch[fd] = behind_switch(cd);
	}
	{
		DIR *d = opendir("/sys/class/iommu");
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.')
				devs.iommu = true;
		if (d)
			closedir(d);
	}
	devs.udmabuf = !access("/dev/udmabuf", R_OK | W_OK);
	devs.sw_sync = !access("/sys/kernel/debug/sync/sw_sync", R_OK | W_OK);
	fd = memfd_create("probe", MFD_HUGETLB);
	if (fd >= 0) {
		devs.hugetlb = !ftruncate(fd, 2UL << 20);
		close(fd);
	}
}

void devices_print(void)
{
	int i;

	say("# devices: iommu %s, udmabuf %s, sw_sync %s, hugetlb memfd %s\n",
	    devs.iommu ? "yes" : "no", devs.udmabuf ? "yes" : "no", devs.sw_sync ? "yes" : "no",
	    devs.hugetlb ? "yes" : "no");
	for (i = 0; i < devs.nr_heaps; i++)
		say("# heap %s\n", devs.heap_path[i]);
	for (i = 0; i < devs.nr_edu; i++)
		say("# edu importer %s%s\n", devs.edu_path[i],
		    devs.edu_switch[i] ? " (behind the switch)" : "");
	for (i = 0; i < devs.nr_shm; i++)
		say("# edu BAR export %s\n", devs.shm_path[i]);
	for (i = 0; i < devs.nr_v4l2; i++)
		say("# v4l2 %s %s (types %d %d)%s\n", devs.v4l2_path[i],
		    devs.v4l2_name[i], devs.v4l2_type[i][0], devs.v4l2_type[i][1],
		    devs.v4l2_switch[i] ? " (behind the switch)" : "");
	for (i = 0; i < devs.nr_drm; i++)
		say("# vgem %s\n", devs.drm_path[i]);
}

/* --- locking ------------------------------------------------------- */

static bool already_locked(struct fctx *c, int i)
{
	int k;

	for (k = 0; k < c->nr_locked; k++)
		if (c->locked[k] == i)
			return true;
	return false;
}

static int lock_slot(struct fctx *c, int i)
{
	if (c->nr_locked == MAX_LOCKS)
		return -1;
	if (already_locked(c, i))
		return i;
	pthread_rwlock_rdlock(&slots[i].rw);
	c->locked[c->nr_locked++] = i;
	return i;
}

static void unlock_last(struct fctx *c)
{
	pthread_rwlock_unlock(&slots[c->locked[--c->nr_locked]].rw);
}

/*
 * A random slot of one of the kinds in @kindmask, read-locked; the scan
 * starts at a random slot, so the choice depends on the op's seed and the
 * table only.
 */
int slot_lock_kind(struct fctx *c, unsigned int kindmask)
{
	int start = rnd(&c->r, NR_SLOTS), n;

	for (n = 0; n < NR_SLOTS; n++) {
		int i = (start + n) % NR_SLOTS;
		bool mine = already_locked(c, i);

		if (!(kindmask & KM(slots[i].kind)))
			continue;
		if (lock_slot(c, i) < 0)
			return -1;
		if (kindmask & KM(slots[i].kind))
			return i;
		if (!mine)
			unlock_last(c);
	}
	return -1;
}

int slot_lock_any(struct fctx *c)
{
	return lock_slot(c, rnd(&c->r, NR_SLOTS));
}

void slot_unlock_all(struct fctx *c)
{
	while (c->nr_locked)
		unlock_last(c);
}

const char *const finding_names[NR_FINDINGS] = {
	[F_DMA_DEBUG_OVERLAP] = "dma-debug-overlap",
	[F_EXPORT_SEG_MAX] = "export-seg-max",
	[F_M2M_REQUEST_FD_EPERM] = "m2m-request-fd-eperm",
};

bool excluded(enum finding f)
{
	return opt.finding_excluded[f];
}

/*
 * F_EXPORT_SEG_MAX: vb2-dma-contig (one segment) and DRM PRIME exports
 * (drm_gem_map_dma_buf(): the table built at export, contiguous pages
 * merged) are mapped for an importer whatever its max_segment_size;
 * DMA-API debugging reports a segment over 64 KiB (the PCI default, and
 * vgem's) for vgem and the edu.  With the exclusion, no importer gets a
 * V4L2 or vgem export larger than 64 KiB.
 */
bool contig_seg_ok(int slot)
{
	return !excluded(F_EXPORT_SEG_MAX) ||
	       (slots[slot].dev != EXP_V4L2 && slots[slot].dev != EXP_VGEM) ||
	       slots[slot].size <= 65536;
}

/*
 * Not a finding, the platform: QEMU routes no peer-to-peer request inside
 * a PCIe switch, so behind its vIOMMU an edu in the switch faults on the
 * bus address it is rightly given for the NVMe CMB or the ivshmem BAR (the
 * IGT and KUnit tests skip that DMA too).  Such an edu may map P2P buffers
 * but must not move their data.
 */
bool p2p_dma_emulated(bool sw, int buf_slot)
{
	int exp = slots[buf_slot].dev;

	return !(devs.iommu && sw && (exp == EXP_P2PMEM || exp == EXP_EDU_SHM));
}

/*
 * Per edu file: whether it may hold an attachment whose DMA QEMU cannot
 * emulate; attach, detach and the DMA ops hold the file's lock around
 * their ioctl and the flag.  A file whose entry was reused is assumed to.
 */
#define NR_EDU_FILES 256
static struct {
	pthread_mutex_t lock;	/* zeroed: PTHREAD_MUTEX_INITIALIZER */
	uint32_t fid;
	bool p2p;
} edu_files[NR_EDU_FILES];
static pthread_mutex_t edu_files_lock = PTHREAD_MUTEX_INITIALIZER;

void edu_file_lock(uint32_t fid, bool **p2p)
{
	static bool conservative;
	int i = fid % NR_EDU_FILES;

	pthread_mutex_lock(&edu_files_lock);
	if (fid > edu_files[i].fid) {	/* a newer file takes the entry */
		edu_files[i].fid = fid;
		edu_files[i].p2p = false;
	}
	pthread_mutex_unlock(&edu_files_lock);
	pthread_mutex_lock(&edu_files[i].lock);
	if (edu_files[i].fid != fid) {
		conservative = true;
		*p2p = &conservative;
		return;
	}
	*p2p = &edu_files[i].p2p;
}

void edu_file_unlock(uint32_t fid)
{
	pthread_mutex_unlock(&edu_files[fid % NR_EDU_FILES].lock);
}

/*
 * F_DMA_DEBUG_OVERLAP: DMA-API debugging reports two mappings of one
 * cacheline that a device may write ("cacheline tracking EEXIST,
 * overlapping mappings aren't supported"), which is what two importers
 * of one dma-buf make.  With the exclusion, the memory behind a buffer
 * (its inode, or a udmabuf's memfds) goes to one device-writing importer
 * only, ever: a vgem file, an edu file (the core maps a non-dynamic
 * exporter's buffer DMA_BIDIRECTIONAL at attach, and so for vb2's dynamic
 * imports), or one index of one V4L2 queue; the edu's own mappings are
 * for device reads only.
 * Buffers V4L2 exported are its own device's already.  Claims are never
 * released.
 */
#define NR_CLAIMS 4096
static struct {
	uint64_t key, owner;
} claims[NR_CLAIMS];
static int nr_claims;
static pthread_mutex_t claim_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t claim_owner(uint64_t key)
{
	int i;

	for (i = 0; i < nr_claims; i++)
		if (claims[i].key == key)
			return claims[i].owner;
	return 0;
}

static void claim(uint64_t key, uint64_t owner)
{
	if (!claim_owner(key) && nr_claims < NR_CLAIMS) {
		claims[nr_claims].key = key;
		claims[nr_claims++].owner = owner;
	}
}

bool writer_import_ok(int slot, uint64_t owner)
{
	struct slot *s = &slots[slot];
	struct stat st;
	bool ok = true;
	int i;

	if (!excluded(F_DMA_DEBUG_OVERLAP))
		return true;
	if (s->mem_overlap || !s->nr_mem || fstat(slot_fd(slot), &st))
		return false;
	/*
	 * The same importer may map the same buffer again (a re-queued
	 * V4L2 buffer; vgem finds its import): not another buffer over the
	 * same memory (two udmabufs of one memfd).
	 */
	owner = owner * 0x9e3779b97f4a7c15ULL ^ st.st_ino;
	pthread_mutex_lock(&claim_lock);
	for (i = 0; i < s->nr_mem; i++) {
		uint64_t o = claim_owner(s->mem[i]);

		if (o && o != owner)
			ok = false;
	}
	if (ok && nr_claims + s->nr_mem <= NR_CLAIMS)
		for (i = 0; i < s->nr_mem; i++)
			claim(s->mem[i], owner);
	else
		ok = false;
	pthread_mutex_unlock(&claim_lock);
	return ok;
}

#define OWNER_EXPORTER (~0ULL)

static uint32_t next_fid;

/*
 * What the kernel says about a new fd: a dma-buf's access mode (the flags
 * asked for may not be what we got: DRM hands out the dma-buf it exported
 * before, mode and all), its file and its memory.
 */
static void install_meta(struct fctx *c, struct slot *s, enum kind kind, int dev)
{
	struct stat st;
	int fl, i;

	s->fid = c->inst_fid ? c->inst_fid : __atomic_add_fetch(&next_fid, 1, __ATOMIC_RELAXED);
	s->nr_mem = 0;
	s->mem_overlap = c->inst_overlap;
	if (c->inst_nr_mem) {
		for (i = 0; i < c->inst_nr_mem; i++)
			s->mem[i] = c->inst_mem[i];
		s->nr_mem = c->inst_nr_mem;
	} else if (!fstat(slot_fd(s - slots), &st)) {
		s->mem[0] = st.st_ino;
		s->nr_mem = 1;
	}
	c->inst_nr_mem = 0;
	c->inst_overlap = false;
	c->inst_fid = 0;
	if (kind != K_DMABUF)
		return;
	fl = fcntl(slot_fd(s - slots), F_GETFL);
	if (fl >= 0) {
		s->flags &= ~(SLOT_NOREAD | SLOT_NOWRITE);
		if ((fl & O_ACCMODE) == O_RDONLY || (fl & O_ACCMODE) == 3)
			s->flags |= SLOT_NOWRITE;
		if ((fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == 3)
			s->flags |= SLOT_NOREAD;
	}
	if (dev == EXP_V4L2 && excluded(F_DMA_DEBUG_OVERLAP)) {
		pthread_mutex_lock(&claim_lock);
		for (i = 0; i < s->nr_mem; i++)
			claim(s->mem[i], OWNER_EXPORTER);
		pthread_mutex_unlock(&claim_lock);
	}
}

/*
 * Move @newfd into a slot: an empty one mostly, sometimes one in use,
 * whose object is closed by dup3 (an fd number reused for something
 * else).  Returns the slot, or -1 (newfd closed) when every candidate is
 * busy.
 */
int slot_install(struct fctx *c, int newfd, enum kind kind, int dev,
		 unsigned int flags, uint64_t size)
{
	bool replace = chance(&c->r, 10);
	int start = rnd(&c->r, NR_SLOTS), n;

	for (n = 0; n < NR_SLOTS; n++) {
		int i = (start + n) % NR_SLOTS;
		struct slot *s = &slots[i];

		if (already_locked(c, i))
			continue;
		if (!replace && s->kind != K_NONE)
			continue;
		if (pthread_rwlock_trywrlock(&s->rw))
			continue;
		if (!replace && s->kind != K_NONE) {
			pthread_rwlock_unlock(&s->rw);
			continue;
		}
		if (dup3(newfd, slot_fd(i), O_CLOEXEC) < 0) {
			pthread_rwlock_unlock(&s->rw);
			break;
		}
		s->kind = kind;
		s->dev = dev;
		s->flags = flags;
		s->size = size;
		s->nr_handles = 0;
		install_meta(c, s, kind, dev);
		pthread_rwlock_unlock(&s->rw);
		close(newfd);
		return i;
	}
	close(newfd);
	return -1;
}

/* close() a slot's fd; the caller holds no lock on it */
int slot_close(struct fctx *c, int i)
{
	struct slot *s = &slots[i];
	int ret, err;

	if (already_locked(c, i) || pthread_rwlock_trywrlock(&s->rw))
		return -1;
	ret = close(slot_fd(i));
	err = ret ? errno : 0;
	if (s->kind == K_NONE)
		want(c, ESET(EBADF));
	record(c, C_FD_CLOSE, ret, err, "close(slot %d fd %d %s)", i,
	       slot_fd(i), s->kind == K_NONE ? "empty" : "live");
	s->kind = K_NONE;
	s->nr_handles = 0;
	pthread_rwlock_unlock(&s->rw);
	return 0;
}

/*
 * An fd argument: mostly a live slot of a wanted kind; else a hostile
 * value: -1, a huge number, an empty slot's number (closed, maybe
 * closed a moment ago), or a live fd of another kind.  a->kind tells what
 * it is (K_NONE for a bad fd) so the caller can narrow the expected
 * outcome.
 */
void pick_fd(struct fctx *c, unsigned int kindmask, struct fdarg *a)
{
	unsigned int p = rnd(&c->r, 100);
	int i;

	a->slot = -1;
	a->kind = K_NONE;
	if (p < 80) {
		i = slot_lock_kind(c, kindmask);
		if (i >= 0) {
			a->fd = slot_fd(i);
			a->slot = i;
			a->kind = slots[i].kind;
			return;
		}
	}
	if (p < 90) {
		i = slot_lock_kind(c, ~kindmask & ~KM(K_NONE) & ~KM(K_HEAP));
		if (i >= 0) {
			a->fd = slot_fd(i);
			a->slot = i;
			a->kind = slots[i].kind;
			return;
		}
	}
	switch (rnd(&c->r, 4)) {
	case 0:
		a->fd = -1;
		return;
	case 1:
		a->fd = 0x7fffffff;
		return;
	case 2:
		a->fd = FD_BASE + NR_SLOTS + 100;
		return;
	}
	/* an empty slot's number: EBADF while we hold its read lock */
	i = slot_lock_kind(c, KM(K_NONE));
	a->fd = i >= 0 ? slot_fd(i) : -1;
}
