// SPDX-License-Identifier: GPL-2.0
/*
 * p2p-race: importers, the CPU and an unbind of the device behind P2P
 * memory, all at once.
 *
 * p2p-revoke unbinds a provider while its buffers sit still; here threads
 * keep using them while a revoker thread unbinds and rebinds the
 * provider's driver over and over, for a fixed time (issue #17, item 3):
 *
 * - two importer threads, one per edu importer API (range list and
 *   sg_table), loop: take a new buffer from the provider, ATTACH the edu on
 *   another root port (which maps it), let the device WRITE a pattern and
 *   CHECKSUM it back a few times, DETACH (or close the file with the
 *   attachment held, every other round);
 * - a CPU thread loops: take a buffer of its own, mmap it, write words,
 *   wait, read them back, munmap, again, and in between fault in the
 *   pages of the importers' latest buffer;
 * - the revoker unbinds the driver (which revokes every buffer), rebinds it
 *   and waits until the provider is back, for RACE_S seconds and at least
 *   MIN_CYCLES times.
 *
 * Every outcome is judged against what the revoker had done when the call
 * started and ended, so that a refusal without an unbind and a success on
 * a buffer whose unbind had completed both fail the test: a refusal must
 * be ENODEV (ENOENT for the ivshmem node while it is gone) or SIGBUS, and
 * only once an unbind started after the buffer was asked for; a call that
 * starts after an unbind that began after the buffer existed has
 * completed must fail.  What succeeds must move the right bytes.  Each
 * kind of thread must have both succeeded and been refused, so that the
 * run cannot pass without racing.
 *
 * The hung-task detector is armed with a short timeout for the run.  At
 * the end the provider works again (CPU and edu DMA both ways, bytes
 * checked) and user space sees nothing left behind: the exporter's
 * dma-bufs in debugfs bufinfo and the edu's attachments and mappings are
 * what they were before.  The workbench fails the boot on any kernel
 * splat (lockdep, KASAN, kmemleak, hung task).
 *
 * WB_RACE_SEED (the revoker's and the threads' pseudo-random timings) and
 * WB_RACE_SECONDS (time per subtest) override the defaults; the seed is
 * printed.
 */
#include "igt.h"
#include "igt_thread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <misc/qemu_edu_shm.h>
#include <misc/qemu_edu.h>

#include "lib/devices.h"
#include "lib/provider.h"

#define PAGE		4096UL
#define PCI_DEVS	"/sys/bus/pci/devices"
#define EDU_DEBUGFS	"/sys/kernel/debug/qemu_edu"
#define HUNG_TASK	"/proc/sys/kernel/hung_task_timeout_secs"
/* Short enough to catch a stuck unbind or ioctl within the run */
#define HUNG_TASK_S	"20"

/* Each buffer; the ivshmem windows of the threads do not overlap */
#define BUF_LEN		(16 * PAGE)
/* The edu's window: one transfer each way (an edu transfer takes 100 ms) */
#define WIN_LEN		2048
/* Write and read back this many times per attachment */
#define EDU_ROUNDS	3
/* The CPU writes and reads back one word in this many bytes */
#define CPU_STRIDE	256
/* Unbind/bind cycles the run needs, whatever the time (TCG under load) */
#define MIN_CYCLES	2
#define MAX_EXTRA_S	30
/* Racing time per subtest; two subtests stay within the CI budget */
#define RACE_S		25
#define SUBTEST_TIMEOUT_S	(WB_SUBTEST_TIMEOUT_S + 60)

enum slot { SLOT_LIST, SLOT_SGT, SLOT_CPU, SLOT_CHECK };

/* --------------------------------------------------------- helpers */

static bool write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
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

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	usleep(ms * 1000);
}

/* What the edu writes: byte @pos of the window (the uapi's pattern) */
static uint8_t edu_pattern(uint64_t pos, uint8_t seed)
{
	return (uint8_t)(pos * 7 + (pos >> 8) + seed);
}

static uint32_t edu_pattern_crc(uint8_t seed)
{
	uint8_t b[WIN_LEN];
	size_t i;

	for (i = 0; i < WIN_LEN; i++)
		b[i] = edu_pattern(i, seed);
	return crc32_le(~0u, b, WIN_LEN);
}

/* What the CPU writes: word @i of a buffer */
static uint64_t cpu_word(size_t i, uint32_t seed)
{
	return (i * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)seed << 32 | seed);
}

/* ----------------------------------------------- the edu importer */

/*
 * The edu on another root port than the provider: its DMA reaches the
 * provider through the host bridge on every topology (QEMU routes no
 * peer-to-peer bus addresses inside a switch behind its vIOMMU).
 */
struct edu {
	char pci[NAME_MAX + 1];
	char node[PATH_MAX];
};

static void edu_find(const char *provider, struct edu *e)
{
	char rp_prov[NAME_MAX + 1], rp[NAME_MAX + 1], dir[PATH_MAX];
	char name[NAME_MAX + 1];
	struct dirent *de;
	DIR *d = opendir("/sys/bus/pci/drivers/qemu_edu");

	wb_require_f(d, "no qemu_edu driver (CONFIG_QEMU_EDU)\n");
	wb_root_port_of(provider, rp_prov, sizeof(rp_prov));
	e->node[0] = '\0';
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':'))
			continue;
		wb_root_port_of(de->d_name, rp, sizeof(rp));
		if (!strcmp(rp, rp_prov))
			continue;
		snprintf(dir, sizeof(dir), PCI_DEVS "/%s/misc", de->d_name);
		if (wb_find_entry(dir, "qemu_edu*", name, sizeof(name))) {
			snprintf(e->pci, sizeof(e->pci), "%s", de->d_name);
			snprintf(e->node, sizeof(e->node), "/dev/%s", name);
		}
	}
	closedir(d);
	wb_require_f(e->node[0], "no edu on another root port than %s, no P2P path to test\n",
		     provider);
}

static unsigned long edu_debugfs(const struct edu *e, const char *file)
{
	char path[PATH_MAX], v[32];

	snprintf(path, sizeof(path), EDU_DEBUGFS "/%s/%s", e->pci, file);
	igt_assert_f(wb_read_line(path, v, sizeof(v)), "read %s: %m\n", path);
	return strtoul(v, NULL, 0);
}

/* 0 or errno */
static int edu_attach(int fd, int buf, uint32_t api)
{
	struct qemu_edu_attach a = {
		.fd = buf, .length = WIN_LEN,
		.dir = QEMU_EDU_DIR_BIDIRECTIONAL, .api = api,
	};

	return ioctl(fd, QEMU_EDU_IOC_ATTACH, &a) < 0 ? errno : 0;
}

static int edu_write(int fd, uint8_t seed)
{
	struct qemu_edu_write w = { .seed = seed };

	if (ioctl(fd, QEMU_EDU_IOC_WRITE, &w) < 0)
		return errno;
	igt_assert_f(w.bytes == WIN_LEN, "edu wrote %llu bytes, not %d\n",
		     (unsigned long long)w.bytes, WIN_LEN);
	return 0;
}

static int edu_checksum(int fd, uint32_t *crc)
{
	struct qemu_edu_range r[16];
	struct qemu_edu_checksum c = {
		.ranges = (uintptr_t)r, .nr_ranges = ARRAY_SIZE(r),
	};

	if (ioctl(fd, QEMU_EDU_IOC_CHECKSUM, &c) < 0)
		return errno;
	igt_assert_f(c.bytes == WIN_LEN, "edu read %llu bytes, not %d\n",
		     (unsigned long long)c.bytes, WIN_LEN);
	*crc = c.crc;
	return 0;
}

/* ----------------------------------------------------- the provider */

struct provider {
	const char *name;
	const char *drv;
	bool nvme;
	char pci[NAME_MAX + 1];
	char exp_name[PATH_MAX];	/* its dma-bufs' exporter in bufinfo */
	int heap;			/* nvme: the heap, open throughout */
};

/*
 * A new buffer for thread @slot: 0 and the dma-buf in *@out, or the
 * errno, and the call that failed in *@call.
 */
static int provider_obtain(struct provider *p, enum slot slot, int *out,
			   const char **call)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], node[PATH_MAX + 8];
	int dev, err = 0;

	if (p->nvme) {
		struct dma_heap_allocation_data d = {
			.len = BUF_LEN, .fd_flags = O_RDWR | O_CLOEXEC,
		};

		*call = "DMA_HEAP_IOCTL_ALLOC";
		if (ioctl(p->heap, DMA_HEAP_IOCTL_ALLOC, &d) < 0)
			return errno;
		*out = d.fd;
		return 0;
	}

	/* The node goes with the driver: look it up each time */
	*call = "find /dev/qemu_edu_shm*";
	snprintf(dir, sizeof(dir), PCI_DEVS "/%s/misc", p->pci);
	if (!wb_find_entry(dir, "qemu_edu_shm*", name, sizeof(name)))
		return ENOENT;
	snprintf(node, sizeof(node), "/dev/%s", name);
	*call = "open /dev/qemu_edu_shm*";
	dev = open(node, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return errno;
	{
		struct qemu_edu_shm_export x = {
			.offset = slot * BUF_LEN, .length = BUF_LEN,
			.fd_flags = O_RDWR | O_CLOEXEC, .fd = -1,
		};

		*call = "QEMU_EDU_SHM_IOC_EXPORT";
		if (ioctl(dev, QEMU_EDU_SHM_IOC_EXPORT, &x) < 0)
			err = errno;
		else
			*out = x.fd;
	}
	close(dev);
	return err;
}

static bool provider_bound(const struct provider *p)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver", p->pci);
	return access(path, F_OK) == 0;
}

/* ------------------------------------------------------- the race */

enum op {
	OP_OBTAIN, OP_ATTACH, OP_WRITE, OP_CHECKSUM, OP_DETACH, OP_CLOSE,
	OP_MMAP, OP_CPU_WRITE, OP_CPU_READ, OP_PEEK_MMAP, OP_PEEK, NR_OPS
};
static const char *const op_names[NR_OPS] = {
	"obtain", "attach", "write", "checksum", "detach", "close-attached",
	"mmap", "cpu-write", "cpu-read", "peek-mmap", "peek",
};
enum outcome { OUT_OK, OUT_ENODEV, OUT_ENOENT, OUT_SIGBUS, NR_OUTCOMES };
static const char *const outcome_names[NR_OUTCOMES] = {
	"ok", "ENODEV", "ENOENT", "SIGBUS",
};

struct race;

struct worker {
	struct race *r;
	const char *name;
	enum slot slot;
	uint32_t api;			/* importers */
	unsigned int rng;
	pthread_t thread;
	unsigned long n[NR_OPS][NR_OUTCOMES];
	/* Refused on a buffer it held (not only at obtain) */
	unsigned long revoked_live;
};

struct race {
	struct provider *p;
	struct edu edu;
	uint64_t deadline;
	/*
	 * What the revoker did, in this order: @started before it writes
	 * unbind, @done once the unbind returned (every buffer revoked),
	 * @bound once the provider is bound and serving again.
	 */
	unsigned long started, done, bound;
	bool stop;
	unsigned long unbind_ms_sum, unbind_ms_max, bind_ms_sum;
	/* The importers' latest buffer, for the CPU thread to fault in */
	pthread_mutex_t peek_lock;
	int peek_fd;
	unsigned long peek_before, peek_after;
	struct worker w[3];
	unsigned int seed;
};

static unsigned long rd(unsigned long *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

static void inc(unsigned long *v)
{
	__atomic_add_fetch(v, 1, __ATOMIC_SEQ_CST);
}

/* Workers run until the revoker is done */
static bool running(struct race *r)
{
	return !__atomic_load_n(&r->stop, __ATOMIC_SEQ_CST);
}

/*
 * The revoker goes on past the deadline until MIN_CYCLES unbinds and
 * binds are done (a loaded TCG host can take 10 s for one), within
 * MAX_EXTRA_S.
 */
static bool revoking(struct race *r)
{
	uint64_t t = now_ms();

	if (!running(r))
		return false;
	if (t < r->deadline)
		return true;
	return rd(&r->bound) < MIN_CYCLES &&
	       t < r->deadline + MAX_EXTRA_S * 1000ull;
}

/* A thread that fails leaves by pthread_exit(): end everyone's run */
static void worker_exit(void *arg)
{
	struct race *r = arg;

	__atomic_store_n(&r->stop, true, __ATOMIC_SEQ_CST);
}

/*
 * A buffer as its holder knows it: an unbind numbered above @before (the
 * unbinds completed when it was asked for) may have revoked it, including
 * one in progress then; one numbered above @after (those started when it
 * was there) did, once it completed.
 */
struct held {
	int fd;
	unsigned long before, after;
};

/*
 * Judge the outcome @err (0, an errno, or -1 for SIGBUS) of @op on
 * buffer @b, started when the revoker had completed @done_at_start
 * unbinds.  Returns whether it succeeded.
 */
static bool judge(struct worker *w, enum op op, const struct held *b,
		  unsigned long done_at_start, int err)
{
	struct race *r = w->r;

	if (!err) {
		igt_assert_f(done_at_start <= b->after,
			     "%s: %s succeeded on a buffer revoked by unbind %lu (taken after unbind %lu started)\n",
			     w->name, op_names[op], done_at_start, b->after);
		w->n[op][OUT_OK]++;
		return true;
	}
	igt_assert_f(err == ENODEV || err == -1,
		     "%s: %s: %s, want success or ENODEV\n", w->name,
		     op_names[op], strerror(err));
	igt_assert_f(rd(&r->started) > b->before,
		     "%s: %s: %s without an unbind since the buffer was taken (%lu unbinds done then)\n",
		     w->name, op_names[op], err < 0 ? "SIGBUS" : strerror(err),
		     b->before);
	w->n[op][err < 0 ? OUT_SIGBUS : OUT_ENODEV]++;
	if (op != OP_PEEK && op != OP_PEEK_MMAP)
		w->revoked_live++;
	return false;
}

/* Take a buffer while the revoker lets us; false if the provider refused */
static bool obtain(struct worker *w, struct held *b)
{
	struct race *r = w->r;
	unsigned long done, started, bound;
	const char *call = "";
	int err;

	done = rd(&r->done);
	started = rd(&r->started);
	bound = rd(&r->bound);
	err = provider_obtain(r->p, w->slot, &b->fd, &call);
	if (!err) {
		b->before = done;
		b->after = rd(&r->started);
		w->n[OP_OBTAIN][OUT_OK]++;
		return true;
	}
	/* ENOENT: the ivshmem node is gone with its driver */
	igt_assert_f(err == ENODEV || (!r->p->nvme && err == ENOENT),
		     "%s: %s: %s, want success or ENODEV\n", w->name, call,
		     strerror(err));
	/* Refused only while unbound, or during an unbind */
	igt_assert_f(started != bound || rd(&r->started) != started,
		     "%s: %s: %s with the provider bound (%lu unbinds, %lu binds)\n",
		     w->name, call, strerror(err), started, bound);
	w->n[OP_OBTAIN][err == ENOENT ? OUT_ENOENT : OUT_ENODEV]++;
	/* Do not spin while the provider is away */
	sleep_ms(40 + rand_r(&w->rng) % 40);
	return false;
}

static void importer_loop(struct worker *w)
{
	struct race *r = w->r;
	unsigned int round = 0;
	int edu = -1;

	while (running(r)) {
		uint8_t seed = rand_r(&w->rng);
		unsigned int i;
		struct held b;
		uint32_t crc;
		unsigned long d;
		int err;

		if (!obtain(w, &b))
			continue;

		/* Offer it to the CPU thread, which faults it in meanwhile */
		pthread_mutex_lock(&r->peek_lock);
		if (r->peek_fd >= 0)
			close(r->peek_fd);
		r->peek_fd = dup(b.fd);
		r->peek_before = b.before;
		r->peek_after = b.after;
		pthread_mutex_unlock(&r->peek_lock);

		if (edu < 0) {
			edu = open(r->edu.node, O_RDWR | O_CLOEXEC);
			igt_assert_f(edu >= 0, "%s: open %s: %m\n", w->name,
				     r->edu.node);
		}
		d = rd(&r->done);
		if (judge(w, OP_ATTACH, &b, d, edu_attach(edu, b.fd, w->api))) {
			/*
			 * A few transfers on the same mapping: an unbind
			 * between two of them finds it mapped, and the next
			 * one must map again and be refused.
			 */
			for (i = 0; i < EDU_ROUNDS; i++, seed += 17) {
				d = rd(&r->done);
				if (!judge(w, OP_WRITE, &b, d,
					   edu_write(edu, seed)))
					break;
				d = rd(&r->done);
				err = edu_checksum(edu, &crc);
				if (!judge(w, OP_CHECKSUM, &b, d, err))
					break;
				igt_assert_f(crc == edu_pattern_crc(seed),
					     "%s: edu read back crc %#x, it wrote %#x (seed %u)\n",
					     w->name, crc, edu_pattern_crc(seed),
					     seed);
			}
			/*
			 * Every other round the file goes with its
			 * attachment (the release path tears it down).
			 */
			if (round++ & 1) {
				wb_assert_sys(ioctl(edu, QEMU_EDU_IOC_DETACH));
				w->n[OP_DETACH][OUT_OK]++;
			} else {
				close(edu);
				edu = -1;
				w->n[OP_CLOSE][OUT_OK]++;
			}
		}
		close(b.fd);
	}
	if (edu >= 0)
		close(edu);
}

static void *importer(void *arg)
{
	struct worker *w = arg;

	pthread_cleanup_push(worker_exit, w->r);
	importer_loop(w);
	pthread_cleanup_pop(0);
	return NULL;
}

/* SIGBUS lands in the thread that faulted; each has its own way back */
static __thread sigjmp_buf fault_jmp;
static __thread volatile sig_atomic_t fault_armed;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (!fault_armed) {
		/* Not ours: die of it as IGT would report it */
		signal(SIGBUS, SIG_DFL);
		raise(SIGBUS);
		return;
	}
	siglongjmp(fault_jmp, 1);
}

/*
 * Write @seed's words into the mapping (one every CPU_STRIDE bytes: the
 * memory is uncached, each access costs an exit under TCG); -1 on SIGBUS,
 * else 0.
 */
static int cpu_write(volatile uint64_t *map, uint32_t seed)
{
	volatile size_t i = 0;
	const size_t step = CPU_STRIDE / sizeof(*map);

	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		return -1;
	}
	fault_armed = 1;
	for (i = 0; i < BUF_LEN / sizeof(*map); i += step)
		map[i] = cpu_word(i, seed);
	fault_armed = 0;
	return 0;
}

/* Read them back: -1 on SIGBUS; a word read back wrong fails the test */
static int cpu_read(struct worker *w, volatile uint64_t *map, uint32_t seed)
{
	volatile size_t i = 0;
	const size_t step = CPU_STRIDE / sizeof(*map);
	uint64_t v;

	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		return -1;
	}
	fault_armed = 1;
	for (i = 0; i < BUF_LEN / sizeof(*map); i += step) {
		v = map[i];
		if (v != cpu_word(i, seed)) {
			fault_armed = 0;
			igt_assert_f(false,
				     "%s: word %zu reads %#llx, the CPU wrote %#llx\n",
				     w->name, (size_t)i, (unsigned long long)v,
				     (unsigned long long)cpu_word(i, seed));
		}
	}
	fault_armed = 0;
	return 0;
}

/* Read a byte of every page; -1 on SIGBUS, else 0 */
static int cpu_peek(volatile const uint8_t *map)
{
	volatile size_t i = 0;
	uint8_t v;

	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		return -1;
	}
	fault_armed = 1;
	for (i = 0; i < BUF_LEN; i += PAGE) {
		v = map[i];
		(void)v;
	}
	fault_armed = 0;
	return 0;
}

/* Fault in the importers' latest buffer, which they and the edu use */
static void cpu_peek_importers(struct worker *w)
{
	struct race *r = w->r;
	struct held b = { .fd = -1 };
	unsigned long d;
	void *map;

	pthread_mutex_lock(&r->peek_lock);
	if (r->peek_fd >= 0) {
		b.fd = dup(r->peek_fd);
		b.before = r->peek_before;
		b.after = r->peek_after;
	}
	pthread_mutex_unlock(&r->peek_lock);
	if (b.fd < 0)
		return;

	d = rd(&r->done);
	map = mmap(NULL, BUF_LEN, PROT_READ, MAP_SHARED, b.fd, 0);
	if (judge(w, OP_PEEK_MMAP, &b, d, map == MAP_FAILED ? errno : 0)) {
		/* Twice, the mapping held between: an unbind may come */
		d = rd(&r->done);
		if (judge(w, OP_PEEK, &b, d, cpu_peek(map))) {
			sleep_ms(10 + rand_r(&w->rng) % 30);
			d = rd(&r->done);
			judge(w, OP_PEEK, &b, d, cpu_peek(map));
		}
		munmap(map, BUF_LEN);
	}
	close(b.fd);
}

static void cpu_loop(struct worker *w)
{
	struct race *r = w->r;

	while (running(r)) {
		struct held b;
		unsigned int i;

		if (!obtain(w, &b))
			continue;
		/*
		 * Map, write, wait with the mapping held (where an unbind
		 * comes), read back, unmap: each round faults afresh.
		 */
		for (i = 0; i < 8 && running(r); i++) {
			uint32_t seed = rand_r(&w->rng);
			unsigned long d = rd(&r->done);
			void *map;
			int err;

			map = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
				   MAP_SHARED, b.fd, 0);
			if (!judge(w, OP_MMAP, &b, d,
				   map == MAP_FAILED ? errno : 0))
				break;
			d = rd(&r->done);
			err = cpu_write(map, seed);
			if (judge(w, OP_CPU_WRITE, &b, d, err)) {
				sleep_ms(20 + rand_r(&w->rng) % 60);
				d = rd(&r->done);
				err = cpu_read(w, map, seed);
				judge(w, OP_CPU_READ, &b, d, err);
			}
			munmap(map, BUF_LEN);
			if (err) {
				/* Faulted: revoked, so no new mapping either */
				map = mmap(NULL, BUF_LEN, PROT_READ, MAP_SHARED,
					   b.fd, 0);
				igt_assert_f(map == MAP_FAILED && errno == ENODEV,
					     "%s: mmap after SIGBUS: %s, want ENODEV\n",
					     w->name, map == MAP_FAILED ?
					     strerror(errno) : "success");
				break;
			}
			cpu_peek_importers(w);
		}
		close(b.fd);
	}
}

static void *cpu(void *arg)
{
	struct worker *w = arg;

	pthread_cleanup_push(worker_exit, w->r);
	cpu_loop(w);
	pthread_cleanup_pop(0);
	return NULL;
}

/* Unbind and rebind the provider until the time is up */
static void *revoker(void *arg)
{
	struct race *r = arg;
	struct provider *p = r->p;
	unsigned int rng = r->seed;
	uint64_t t;
	double s;

	pthread_cleanup_push(worker_exit, r);
	while (revoking(r)) {
		/* Long enough bound for the importers to get through a round */
		sleep_ms(500 + rand_r(&rng) % 1000);
		if (!revoking(r))
			break;
		inc(&r->started);
		s = wb_unbind_or_fail(p->drv, p->pci);
		inc(&r->done);
		r->unbind_ms_sum += s * 1000;
		if (s * 1000 > r->unbind_ms_max)
			r->unbind_ms_max = s * 1000;
		sleep_ms(rand_r(&rng) % 300);
		t = now_ms();
		wb_bind(p->drv, p->pci);
		if (p->nvme)
			igt_assert_f(wb_wait_published(p->pci),
				     "%s did not publish its CMB again\n",
				     p->pci);
		r->bind_ms_sum += now_ms() - t;
		inc(&r->bound);
	}
	pthread_cleanup_pop(0);
	return NULL;
}

static unsigned int race_seed(void)
{
	const char *s = getenv("WB_RACE_SEED");

	return s ? strtoul(s, NULL, 0) : (unsigned int)time(NULL);
}

static unsigned int race_seconds(void)
{
	const char *s = getenv("WB_RACE_SECONDS");

	return s ? strtoul(s, NULL, 0) : RACE_S;
}

static void print_counts(struct race *r)
{
	char line[512];
	int op, o, i, len;

	igt_info("%s: %lu unbind/bind cycles, unbind %.2f s mean %.2f s max, bind %.2f s mean (seed %u)\n",
		 r->p->name, r->done, r->done ? r->unbind_ms_sum / 1000.0 / r->done : 0,
		 r->unbind_ms_max / 1000.0,
		 r->bound ? r->bind_ms_sum / 1000.0 / r->bound : 0, r->seed);
	for (i = 0; i < 3; i++) {
		struct worker *w = &r->w[i];

		for (op = 0; op < NR_OPS; op++) {
			unsigned long total = 0;

			for (o = 0; o < NR_OUTCOMES; o++)
				total += w->n[op][o];
			if (!total)
				continue;
			len = snprintf(line, sizeof(line), "%s: %-14s %5lu:",
				       w->name, op_names[op], total);
			for (o = 0; o < NR_OUTCOMES; o++)
				if (w->n[op][o])
					len += snprintf(line + len,
							sizeof(line) - len,
							" %s %lu",
							outcome_names[o],
							w->n[op][o]);
			igt_info("%s\n", line);
		}
	}
}

/* A subtest that failed mid-run must not leave its provider unbound */
static void rebind_provider(struct provider *p)
{
	if (p && p->pci[0] && !provider_bound(p)) {
		igt_info("binding %s again\n", p->pci);
		wb_bind(p->drv, p->pci);
		if (p->nvme)
			wb_wait_published(p->pci);
	}
}

/* After the run: the provider serves again, the edu moves its bytes */
static void check_provider_works(struct race *r)
{
	struct held b;
	const char *call = "";
	uint8_t *map;
	uint32_t crc;
	size_t i;
	int edu, err;

	err = provider_obtain(r->p, SLOT_CHECK, &b.fd, &call);
	igt_assert_f(!err, "after the race: %s: %s\n", call, strerror(err));
	map = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0);
	igt_assert_f(map != MAP_FAILED, "after the race: mmap: %m\n");
	for (i = 0; i < BUF_LEN; i++)
		map[i] = (uint8_t)(i * 13 + 0x5a);

	edu = open(r->edu.node, O_RDWR | O_CLOEXEC);
	igt_assert_f(edu >= 0, "open %s: %m\n", r->edu.node);
	err = edu_attach(edu, b.fd, QEMU_EDU_API_LIST);
	igt_assert_f(!err, "after the race: ATTACH: %s\n", strerror(err));
	err = edu_checksum(edu, &crc);
	igt_assert_f(!err, "after the race: CHECKSUM: %s\n", strerror(err));
	igt_assert_f(crc == crc32_le(~0u, map, WIN_LEN),
		     "after the race: edu read crc %#x, the CPU wrote %#x\n",
		     crc, crc32_le(~0u, map, WIN_LEN));
	err = edu_write(edu, 0xa7);
	igt_assert_f(!err, "after the race: WRITE: %s\n", strerror(err));
	for (i = 0; i < WIN_LEN; i++)
		igt_assert_f(map[i] == edu_pattern(i, 0xa7),
			     "after the race: byte %zu is %#x, the edu wrote %#x\n",
			     i, map[i], edu_pattern(i, 0xa7));
	/* Past the window the CPU's bytes stay */
	igt_assert_f(map[WIN_LEN] == (uint8_t)(WIN_LEN * 13 + 0x5a),
		     "after the race: the edu wrote past its window\n");
	wb_assert_sys(ioctl(edu, QEMU_EDU_IOC_DETACH));
	close(edu);
	munmap(map, BUF_LEN);
	close(b.fd);
}

static void race(struct provider *p)
{
	unsigned long attach0, maps0;
	struct race r = { .p = p, .peek_fd = -1 };
	struct sigaction sa = {
		.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO,
	}, old_sa;
	unsigned int i, secs = race_seconds();
	pthread_t rev;
	int bufs0;

	edu_find(p->pci, &r.edu);
	bufs0 = count_bufs(p->exp_name);
	attach0 = edu_debugfs(&r.edu, "dmabuf_attachments");
	maps0 = edu_debugfs(&r.edu, "dmabuf_mappings");
	r.seed = race_seed();
	igt_info("%s %s: racing for %u s with the edu %s, seed %u (WB_RACE_SEED)\n",
		 p->name, p->pci, secs, r.edu.pci, r.seed);

	pthread_mutex_init(&r.peek_lock, NULL);
	r.w[0] = (struct worker){ .name = "importer-list", .slot = SLOT_LIST,
				  .api = QEMU_EDU_API_LIST };
	r.w[1] = (struct worker){ .name = "importer-sgt", .slot = SLOT_SGT,
				  .api = QEMU_EDU_API_SGT };
	r.w[2] = (struct worker){ .name = "cpu", .slot = SLOT_CPU };
	sigaction(SIGBUS, &sa, &old_sa);
	r.deadline = now_ms() + secs * 1000ull;
	for (i = 0; i < 3; i++) {
		r.w[i].r = &r;
		r.w[i].rng = r.seed * 3 + i + 1;
		igt_assert(!pthread_create(&r.w[i].thread, NULL,
					   i < 2 ? importer : cpu, &r.w[i]));
	}

	/*
	 * The revoker is a thread too: whichever thread fails stops the
	 * others, and the main thread, which IGT's failures jump out of,
	 * waits for all of them and binds the provider again before it
	 * reports anything.
	 */
	igt_assert(!pthread_create(&rev, NULL, revoker, &r));
	pthread_join(rev, NULL);
	__atomic_store_n(&r.stop, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < 3; i++)
		pthread_join(r.w[i].thread, NULL);
	rebind_provider(p);
	sigaction(SIGBUS, &old_sa, NULL);
	if (r.peek_fd >= 0)
		close(r.peek_fd);
	pthread_mutex_destroy(&r.peek_lock);
	print_counts(&r);

	/* A worker's failure first: it says more than the counts below */
	igt_thread_assert_no_failures();
	igt_assert_f(r.bound >= MIN_CYCLES, "only %lu unbind/bind cycles in %u + %u s\n",
		     r.bound, secs, MAX_EXTRA_S);
	for (i = 0; i < 2; i++) {
		igt_assert_f(r.w[i].n[OP_CHECKSUM][OUT_OK],
			     "%s: no edu round trip succeeded\n", r.w[i].name);
		igt_assert_f(r.w[i].revoked_live,
			     "%s: no unbind ever caught a buffer it held\n",
			     r.w[i].name);
	}
	igt_assert_f(r.w[2].n[OP_CPU_READ][OUT_OK],
		     "cpu: no write and read-back succeeded\n");
	igt_assert_f(r.w[2].n[OP_CPU_WRITE][OUT_SIGBUS] +
		     r.w[2].n[OP_CPU_READ][OUT_SIGBUS] +
		     r.w[2].n[OP_PEEK][OUT_SIGBUS],
		     "cpu: no access ever raised SIGBUS\n");
	igt_assert_f(r.w[2].revoked_live, "cpu: no unbind ever caught its buffer\n");

	check_provider_works(&r);
	igt_assert_f(count_bufs(p->exp_name) == bufs0,
		     "%d dma-bufs of %s after the race, %d before\n",
		     count_bufs(p->exp_name), p->exp_name, bufs0);
	igt_assert_f(edu_debugfs(&r.edu, "dmabuf_attachments") == attach0 &&
		     edu_debugfs(&r.edu, "dmabuf_mappings") == maps0,
		     "edu %s holds %lu attachments and %lu mappings after the race, %lu and %lu before\n",
		     r.edu.pci, edu_debugfs(&r.edu, "dmabuf_attachments"),
		     edu_debugfs(&r.edu, "dmabuf_mappings"), attach0, maps0);
}

/* --------------------------------------------------------- subtests */

static struct provider *current;

static void race_p2pmem(void)
{
	static struct provider p = {
		.name = "p2pmem", .drv = WB_NVME_DRV, .nvme = true, .heap = -1,
	};
	char heap_node[PATH_MAX];

	current = &p;
	wb_find_p2pmem_nvme(p.pci, sizeof(p.pci), heap_node, sizeof(heap_node));
	snprintf(p.exp_name, sizeof(p.exp_name), "%s",
		 heap_node + strlen("/dev/dma_heap/"));
	/* The heap outlives its provider: one open file for the whole run */
	p.heap = open(heap_node, O_RDONLY | O_CLOEXEC);
	igt_assert_f(p.heap >= 0, "open %s: %m\n", heap_node);
	race(&p);
	close(p.heap);
	p.heap = -1;
	current = NULL;
}

static void race_shm(void)
{
	static struct provider p = {
		.name = "shm", .drv = WB_SHM_DRV, .exp_name = "qemu_edu",
	};

	current = &p;
	wb_require_f(wb_find_entry(WB_SHM_DRV, "*:*", p.pci, sizeof(p.pci)),
		     "no ivshmem device bound to qemu_edu_shm\n");
	race(&p);
	current = NULL;
}

static char hung_task_old[32];

/* At exit, whatever happened: plain writes, nothing that asserts */
static void restore_hung_task(int sig)
{
	char path[PATH_MAX];

	if (hung_task_old[0])
		write_str(HUNG_TASK, hung_task_old);
	if (current && current->pci[0] && !provider_bound(current)) {
		snprintf(path, sizeof(path), "%s/bind", current->drv);
		write_str(path, current->pci);
	}
}

IGT_TEST_DESCRIPTION("Importers, the CPU and unbinds of the P2P provider racing: only ENODEV and SIGBUS after a revoke, the right bytes before, nothing left behind");

igt_main
{
	igt_fixture {
		/* Armed for the run, restored however it ends */
		wb_require_f(wb_read_line(HUNG_TASK, hung_task_old,
				       sizeof(hung_task_old)),
			     "no %s (CONFIG_DETECT_HUNG_TASK)\n", HUNG_TASK);
		igt_install_exit_handler(restore_hung_task);
		igt_assert_f(write_str(HUNG_TASK, HUNG_TASK_S),
			     "write %s: %m\n", HUNG_TASK);
		igt_info("hung-task timeout %s s (was %s)\n", HUNG_TASK_S,
			 hung_task_old);
	}

	igt_describe("edu importers (list and sg_table) attach, map, DMA, unmap, detach p2pmem heap buffers while the CPU faults them and nvme is unbound and rebound: ENODEV or SIGBUS only after a revoke, right bytes before, nothing leaked");
	igt_subtest("p2pmem-race-unbind") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "p2pmem-race-unbind");
		rebind_provider(current);
		race_p2pmem();
		igt_reset_timeout();
	}

	igt_describe("edu importers (list and sg_table) attach, map, DMA, unmap, detach ivshmem BAR exports while the CPU faults them and ivshmem is unbound and rebound: ENODEV or SIGBUS only after a revoke, right bytes before, nothing leaked");
	igt_subtest("shm-race-unbind") {
		igt_set_timeout(SUBTEST_TIMEOUT_S, "shm-race-unbind");
		rebind_provider(current);
		race_shm();
		igt_reset_timeout();
	}

	igt_fixture {
		rebind_provider(current);
		igt_assert_f(write_str(HUNG_TASK, hung_task_old),
			     "restore %s: %m\n", HUNG_TASK);
	}
}
