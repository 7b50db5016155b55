// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-fuzz: a bounded fuzzer of the user-space interfaces around
 * dma-buf, run in the workbench's guest.
 *
 * What it calls: dma-buf fds (DMA_BUF_IOCTL_SYNC, DMA_BUF_SET_NAME_A/B,
 * EXPORT/IMPORT_SYNC_FILE, mmap, munmap, touching the mapping, read,
 * lseek, poll, close, dup), /dev/udmabuf (CREATE, CREATE_LIST on memfds
 * with and without F_SEAL_SHRINK, hugetlb memfds), every dma-heap
 * (ALLOC), the edu importer /dev/qemu_eduN (ATTACH, CHECKSUM, WRITE,
 * PAGE_CHECKSUM, DETACH), the edu BAR exporter /dev/qemu_edu_shmN
 * (INFO, EXPORT), V4L2 on the edu mem2mem nodes and vivid (REQBUFS,
 * CREATE_BUFS, QUERYBUF, QBUF, DQBUF, EXPBUF, STREAMON, STREAMOFF with
 * MMAP and DMABUF) and DRM PRIME on vgem (CREATE_DUMB, HANDLE_TO_FD,
 * FD_TO_HANDLE, GEM_CLOSE).
 *
 * How: an op is a generator (one per calls-*.c entry) and a 64-bit seed.
 * The generator draws its arguments from a PRNG seeded by the op's seed
 * and from the shared resource table (slots.c): valid ones mostly, and
 * boundary and invalid ones (bad, closed, reused and wrong-kind fds,
 * offsets and lengths at and past the end and overflowing, every flag
 * bit, wrong directions, zero sizes, huge counts, unaligned values, bad
 * pointers).  Resources carry from op to op: a heap's dma-buf goes into
 * edu ATTACH, V4L2 QBUF and DRM PRIME import, is mmapped, synced, closed
 * in the middle.  Each thread draws its ops from its own PRNG, seeded from
 * --seed and its number; all threads share the table.  With --threads 1
 * a run is a pure function of the seed (and the devices present); with
 * more, the interleaving is not reproducible, only each thread's ops are.
 *
 * Checking: every system call's outcome must be in the call's set in
 * errtab.c (and in the narrower set the generator gives for arguments it
 * knows to be invalid); a fatal signal is a failure, except SIGBUS while
 * touching a mapping of a revocable buffer.  A run that does not end
 * within its budget plus a grace period is a hang.  The edu device takes
 * ~100 ms of emulated time per transfer: ops that make it move data take
 * a token from --edu-dma (default 16 a run), and once they are gone only
 * the variants that fail before any transfer run.
 *
 * Process layout: the supervisor (the process started) forks a worker
 * that runs the threads; logs of ops, coverage and failures live in
 * shared memory, so a crash or hang of the worker loses nothing.  Then,
 * for each distinct failure, the supervisor replays the failing thread's
 * ops single-threaded in fresh child processes, shortest suffix first,
 * then drops ops one chunk at a time while the failure persists (a
 * simple delta-debugging minimiser, bounded by --minimise seconds), and
 * prints the seed and the shortest sequence with the command that
 * replays it (--replay).
 *
 * Output: TAP (results parsed by workbench/results.py): 1
 * no-unexpected-errno, 2 no-crash-or-hang, 3 calls (at least
 * --min-calls), the coverage as comments, and a last summary line with
 * the call count and the number of distinct (call, errno) pairs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

const char *const call_names[NR_CALLS] = {
#define X(id, name) [C_##id] = name,
	FUZZ_CALLS(X)
#undef X
};

struct options opt = {
	.threads = 4,
	.seconds = 60,
	.edu_dma_max = 16,
	.minimise_seconds = 60,
};

#define MAX_THREADS	16
#define LOG_OPS		65536	/* per thread, a ring */
#define MAX_FAILS	32
#define NR_RECENT	6

struct tstate {
	atomic_ulong nr_ops;		/* ops started */
	struct op log[LOG_OPS];
	atomic_int in_op;
	char cur[320];			/* the call being made, for hangs */
	int crash_sig;
	atomic_uint nr_recent;		/* the last calls, for kernel reports */
	char recent[NR_RECENT][200];
};

struct shared {
	atomic_ulong calls;
	atomic_ulong gseq;
	atomic_int edu_tokens;
	atomic_int nr_fails;
	atomic_int stop;
	atomic_uint cov[NR_CALLS][NR_ERRNO];
	atomic_uint bad[NR_CALLS][NR_ERRNO];	/* failures per pair */
	struct failure fails[MAX_FAILS];
	struct tstate t[MAX_THREADS];
};

static struct shared *sh;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread sigjmp_buf touch_jmp;
static __thread volatile int touching;
static __thread int my_thread;
static __thread const struct op *cur_op;

const struct gen *gens[128];
int nr_gens;

void say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* splitmix64: small, good enough, and any seed is a fine state */
uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void want(struct fctx *c, struct eset s)
{
	c->narrow = true;
	c->want = s;
}

/*
 * The outcome of one system call: count it, check it against the table
 * (and the generator's narrower expectation), report a failure.
 */
void record(struct fctx *c, enum fuzz_call call, long ret, int err,
	    const char *fmt, ...)
{
	const struct eset *ok = errtab_allowed(call);
	bool bad;
	va_list ap;

	(void)ret;
	va_start(ap, fmt);
	vsnprintf(c->args, sizeof(c->args), fmt, ap);
	va_end(ap);
	if (err < 0 || err >= NR_ERRNO)
		err = NR_ERRNO - 3;
	atomic_fetch_add(&sh->calls, 1);
	atomic_fetch_add(&sh->cov[call][err], 1);
	bad = !eset_has(ok, err) || (c->narrow && !eset_has(&c->want, err));
	{
		struct tstate *ts = &sh->t[c->thread];
		unsigned int k = atomic_fetch_add(&ts->nr_recent, 1) % NR_RECENT;

		snprintf(ts->recent[k], sizeof(ts->recent[k]), "%s %.150s = %s",
			 call_names[call], c->args, err_name(err));
	}
	if (opt.verbose && !c->quiet)
		say("# t%d %s %s = %s\n", c->thread, call_names[call], c->args,
		    err_name(err));
	c->narrow = false;
	if (!bad)
		return;
	/* the first three of each (call, outcome) pair are printed */
	if (!c->quiet && atomic_fetch_add(&sh->bad[call][err], 1) < 3)
		say("# FAIL seed=0x%llx thread=%d op=%lu: %s %s -> %s (%s)\n",
		    (unsigned long long)opt.seed, c->thread,
		    cur_op ? (unsigned long)atomic_load(&sh->t[c->thread].nr_ops) - 1 : 0,
		    call_names[call], c->args, err_name(err),
		    eset_has(ok, err) ? "not what these arguments must give" :
		    "not in the documented set");
	/* one record per (call, errno) pair is enough */
	{
		int i, n = atomic_load(&sh->nr_fails);

		for (i = 0; i < n && i < MAX_FAILS; i++)
			if (sh->fails[i].call == call && sh->fails[i].err == err)
				return;
		n = atomic_fetch_add(&sh->nr_fails, 1);
		if (n >= MAX_FAILS)
			return;
		sh->fails[n].thread = c->thread;
		sh->fails[n].call = call;
		sh->fails[n].err = err;
		sh->fails[n].op_index = atomic_load(&sh->t[c->thread].nr_ops) - 1;
		sh->fails[n].gseq = cur_op ? cur_op->gseq : 0;
		snprintf(sh->fails[n].args, sizeof(sh->fails[n].args), "%s",
			 c->args);
	}
}

/* An edu DMA op may run: take a token */
int edu_dma_token(struct fctx *c)
{
	(void)c;
	return atomic_fetch_sub(&sh->edu_tokens, 1) > 0;
}

static void *bad_page;

/* A pointer the kernel must refuse: NULL, a PROT_NONE page, kernel space */
void *bad_ptr(struct fctx *c)
{
	switch (rnd(&c->r, 3)) {
	case 0:
		return NULL;
	case 1:
		return bad_page;
	}
	return (void *)0xffff888000000000UL;
}

/* A boundary value around @size: 0, 1, size-1, size, size+1, page edges, huge */
uint64_t edge_u64(struct fctx *c, uint64_t size)
{
	switch (rnd(&c->r, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return size ? size - 1 : 0;
	case 3: return size;
	case 4: return size + 1;
	case 5: return size + PAGE_SZ;
	case 6: return PAGE_SZ;
	case 7: return PAGE_SZ - 1;
	case 8: return ~0ULL;
	case 9: return ~0ULL - PAGE_SZ + 1;
	case 10: return 1ULL << 63;
	}
	return rnd(&c->r, size + 1);
}

/*
 * Which call an fd-targeted call is recorded as: a bad fd must give
 * EBADF, an fd of another kind (never a dma-heap's) ENOTTY.
 */
enum fuzz_call fd_target(struct fctx *c, const struct fdarg *a,
			 unsigned int kindmask, enum fuzz_call call)
{
	if (a->kind == K_NONE) {
		want(c, ESET(EBADF));
		return C_BAD_FD;
	}
	if (!(kindmask & KM(a->kind))) {
		c->wrong_kind = true;
		want(c, ESET(ENOTTY));
		return C_WRONG_KIND_IOCTL;
	}
	return call;
}

long xioctl(int fd, unsigned long cmd, void *arg, int *err)
{
	long ret = ioctl(fd, cmd, arg);

	*err = ret < 0 ? errno : 0;
	return ret;
}

/* A free mapping entry, write-locked, or -1 */
int map_lock_free(struct fctx *c)
{
	int start = rnd(&c->r, NR_MAPS), n;

	for (n = 0; n < NR_MAPS; n++) {
		int i = (start + n) % NR_MAPS;

		if (maps[i].addr || pthread_rwlock_trywrlock(&maps[i].rw))
			continue;
		if (!maps[i].addr)
			return i;
		pthread_rwlock_unlock(&maps[i].rw);
	}
	return -1;
}

/* A mapping in use, read- or write-locked (trylock), or -1 */
int map_lock_used(struct fctx *c, bool write)
{
	int start = rnd(&c->r, NR_MAPS), n;

	for (n = 0; n < NR_MAPS; n++) {
		int i = (start + n) % NR_MAPS;

		if (!maps[i].addr)
			continue;
		if (write ? pthread_rwlock_trywrlock(&maps[i].rw) :
			    pthread_rwlock_tryrdlock(&maps[i].rw))
			continue;
		if (maps[i].addr)
			return i;
		pthread_rwlock_unlock(&maps[i].rw);
	}
	return -1;
}

void map_unlock(int i, bool write)
{
	(void)write;
	pthread_rwlock_unlock(&maps[i].rw);
}

/* --- signals --------------------------------------------------------- */

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (sig == SIGBUS && touching)
		siglongjmp(touch_jmp, 1);
	if (sh && my_thread >= 0 && my_thread < MAX_THREADS)
		sh->t[my_thread].crash_sig = sig;
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Touch a mapping: read and write a byte at @off.  Returns 0 or
 * R_SIGBUS.  Only the thread's own SIGBUS is caught.
 */
int touch(volatile unsigned char *p, bool write)
{
	if (sigsetjmp(touch_jmp, 1)) {
		touching = 0;
		return R_SIGBUS;
	}
	touching = 1;
	if (write)
		*p = *p + 1;
	else
		(void)*p;
	touching = 0;
	return 0;
}

static void install_handlers(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* --- generators ---------------------------------------------------------- */

static int gen_weight_sum;

void gens_init(void)
{
	static const struct {
		const struct gen *g;
		const int *n;
	} sets[] = {
		{ dmabuf_gens, &nr_dmabuf_gens }, { alloc_gens, &nr_alloc_gens },
		{ edu_gens, &nr_edu_gens }, { v4l2_gens, &nr_v4l2_gens },
		{ drm_gens, &nr_drm_gens },
	};
	size_t s;
	int i;

	nr_gens = 0;
	gen_weight_sum = 0;
	for (s = 0; s < ARRAY_SIZE(sets); s++)
		for (i = 0; i < *sets[s].n; i++) {
			const struct gen *g = &sets[s].g[i];

			if (g->usable && !g->usable())
				continue;
			gens[nr_gens++] = g;
			gen_weight_sum += g->weight;
		}
}

static int pick_gen(struct rng *r)
{
	int w = rnd(r, gen_weight_sum), i;

	for (i = 0; i < nr_gens; i++) {
		w -= gens[i]->weight;
		if (w < 0)
			return i;
	}
	return nr_gens - 1;
}

void run_op(struct fctx *c, int gen, uint64_t seed)
{
	c->r.s = seed;
	c->narrow = false;
	c->wrong_kind = false;
	c->nr_locked = 0;
	c->inst_nr_mem = 0;
	c->inst_overlap = false;
	c->inst_fid = 0;
	gens[gen]->fn(c);
	slot_unlock_all(c);
}

/* --- the worker ------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double t_end;

static void *thread_main(void *arg)
{
	int t = (int)(long)arg;
	struct tstate *ts = &sh->t[t];
	struct rng r = { opt.seed ^ (0x5851f42d4c957f2dULL * (t + 1)) };
	struct fctx c = { .thread = t };

	my_thread = t;
	while (!atomic_load(&sh->stop)) {
		unsigned long n = atomic_fetch_add(&ts->nr_ops, 1);
		struct op *o = &ts->log[n % LOG_OPS];

		if (now() > t_end ||
		    (opt.max_calls && (long)atomic_load(&sh->calls) >= opt.max_calls)) {
			atomic_store(&sh->stop, 1);
			atomic_fetch_sub(&ts->nr_ops, 1);
			break;
		}
		o->call = pick_gen(&r);
		o->seed = rng_next(&r);
		o->gseq = atomic_fetch_add(&sh->gseq, 1);
		cur_op = o;
		snprintf(ts->cur, sizeof(ts->cur), "%s", gens[o->call]->name);
		atomic_store(&ts->in_op, 1);
		run_op(&c, o->call, o->seed);
		atomic_store(&ts->in_op, 0);
	}
	return NULL;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < FD_BASE + NR_SLOTS + 200) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void common_init(void)
{
	raise_nofile();
	bad_page = mmap(NULL, PAGE_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	slots_init();
	install_handlers();
}

static int worker(void)
{
	pthread_t th[MAX_THREADS];
	int t;

	common_init();
	t_end = now() + opt.seconds;
	for (t = 0; t < opt.threads; t++)
		pthread_create(&th[t], NULL, thread_main, (void *)(long)t);
	for (t = 0; t < opt.threads; t++)
		pthread_join(th[t], NULL);
	return 0;
}

/* --- replay in this process (a child of the supervisor) ---------------------- */

static int replay_child(const struct op *ops, int n, bool quiet)
{
	struct fctx c = { .thread = 0, .quiet = quiet };
	int i;

	common_init();
	my_thread = 0;
	for (i = 0; i < n; i++) {
		struct tstate *ts = &sh->t[0];

		atomic_fetch_add(&ts->nr_ops, 1);
		cur_op = &ops[i];
		snprintf(ts->cur, sizeof(ts->cur), "%s", gens[ops[i].call]->name);
		run_op(&c, ops[i].call, ops[i].seed);
	}
	return 0;
}

static void shared_reset(void)
{
	memset(sh, 0, sizeof(*sh));
	atomic_store(&sh->edu_tokens, opt.edu_dma_max);
}

/*
 * Replay @ops single-threaded in a fresh child; returns 1 if it hit the
 * failure (@want_call, @want_err), 0 if not.  The shared area is reused:
 * call it only once the run is over.
 */
int replay_ops(const struct op *ops, int n, bool quiet, int want_call, int want_err)
{
	int status, i, hit = 0;
	pid_t pid;

	shared_reset();
	fflush(stdout);
	pid = fork();
	if (!pid) {
		alarm(60 + opt.edu_dma_max);
		_exit(replay_child(ops, n, quiet));
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status) && want_err == R_SIGSEGV)
		return 1;
	for (i = 0; i < atomic_load(&sh->nr_fails) && i < MAX_FAILS; i++)
		if (sh->fails[i].call == want_call && sh->fails[i].err == want_err)
			hit = 1;
	return hit;
}

/*
 * The supervisor reads the kernel log while the worker runs: a warning,
 * an IOMMU fault or a KASAN report is printed with each thread's last
 * calls, so that a splat can be tied to what the fuzzer was doing (the
 * host judges the splat; this only explains it).
 */
static int kmsg_fd = -1;

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

static void kmsg_poll(void)
{
	static const char *const pats[] = {
		"WARNING:", "BUG", "DMAR: [DMA", "DMAR: DRHD", "Oops",
		"general protection", "KASAN", "DMA-API: ", "unreferenced",
	};
	static int reports;
	char rec[1024];
	ssize_t n;
	size_t p;
	int t, k;

	if (kmsg_fd < 0)
		return;
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;

		if (n <= 0)
			continue;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = 0;
		for (p = 0; p < ARRAY_SIZE(pats); p++)
			if (strstr(msg, pats[p]))
				break;
		if (p == ARRAY_SIZE(pats) || !strncmp(msg, "DMA-API: Mapped", 15) ||
		    ++reports > 5)
			continue;
		say("# KERNEL REPORT during the run: %.200s\n", msg);
		for (t = 0; t < opt.threads; t++) {
			struct tstate *ts = &sh->t[t];
			unsigned int last = atomic_load(&ts->nr_recent);

			for (k = last > NR_RECENT ? last - NR_RECENT : 0; k < (int)last; k++)
				say("#   t%d: %s\n", t, ts->recent[k % NR_RECENT]);
		}
	}
}

/*
 * After the run every fd is closed: streaming DMA mappings of the
 * importers we drove should all be gone.  DMA-API debugging lists those
 * still held (debugfs dma-api/dump); print them, as a diagnosis.
 */
static void dma_api_left(void)
{
	/* dump lines start with the driver and device: vgem has no driver */
	static const char *const drivers[] = { "platform vgem", "qemu_edu", "vivid" };
	FILE *f = fopen("/sys/kernel/debug/dma-api/dump", "r");
	char line[512];
	int n[3] = { 0 }, shown = 0;
	size_t d;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "coherent"))
			continue;
		for (d = 0; d < ARRAY_SIZE(drivers); d++)
			if (!strncmp(line, drivers[d], strlen(drivers[d]))) {
				n[d]++;
				if (shown++ < 5)
					say("# dma-api entry left: %.200s", line);
			}
	}
	fclose(f);
	say("# streaming DMA mappings left after the run: vgem %d, qemu_edu %d, vivid %d\n",
	    n[0], n[1], n[2]);
}

/* --- the supervisor ------------------------------------------------------------ */

static void print_coverage(void)
{
	unsigned long total = 0;
	int call, e, pairs = 0;

	for (call = 0; call < NR_CALLS; call++) {
		char line[1024];
		int len = 0;

		line[0] = 0;
		for (e = 0; e < NR_ERRNO; e++) {
			unsigned int n = atomic_load(&sh->cov[call][e]);

			if (!n)
				continue;
			pairs++;
			total += n;
			len += snprintf(line + len, sizeof(line) - len, " %s=%u",
					err_name(e), n);
			if (len >= (int)sizeof(line))
				len = sizeof(line) - 1;
		}
		if (line[0])
			say("# cov %s:%s\n", call_names[call], line);
	}
	say("# coverage: %d distinct (call, errno) pairs over %lu calls\n",
	    pairs, total);
}

static int count_pairs(void)
{
	int call, e, pairs = 0;

	for (call = 0; call < NR_CALLS; call++)
		for (e = 0; e < NR_ERRNO; e++)
			pairs += !!atomic_load(&sh->cov[call][e]);
	return pairs;
}

/* Every thread's ops up to the failing one, in the order they started */
static int cmp_gseq(const void *a, const void *b)
{
	const struct op *x = a, *y = b;

	return x->gseq < y->gseq ? -1 : x->gseq > y->gseq;
}

static int all_ops(const struct failure *f, struct op **out)
{
	int t, n = 0;

	*out = malloc(sizeof(**out) * LOG_OPS * opt.threads);
	for (t = 0; t < opt.threads; t++) {
		struct tstate *ts = &sh->t[t];
		uint64_t last = atomic_load(&ts->nr_ops), i;

		for (i = last > LOG_OPS ? last - LOG_OPS : 0; i < last; i++)
			if (ts->log[i % LOG_OPS].gseq <= f->gseq)
				(*out)[n++] = ts->log[i % LOG_OPS];
	}
	qsort(*out, n, sizeof(**out), cmp_gseq);
	return n;
}

/* The failing thread's ops, oldest first, up to the failing one */
static int thread_ops(const struct failure *f, struct op **out)
{
	struct tstate *ts = &sh->t[f->thread];
	uint64_t last = f->op_index, first;
	int n, i;

	first = last + 1 > LOG_OPS ? last + 1 - LOG_OPS : 0;
	n = last + 1 - first;
	*out = malloc(sizeof(**out) * n);
	for (i = 0; i < n; i++)
		(*out)[i] = ts->log[(first + i) % LOG_OPS];
	return n;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dmabuf-fuzz [options]\n"
		"  --seed N         seed (default: from the clock, printed)\n"
		"  --seconds S      time budget (default 60)\n"
		"  --threads N      threads sharing the resources (default 4)\n"
		"  --max-calls N    stop after N calls\n"
		"  --min-calls N    fail (TAP test 3) below N calls\n"
		"  --edu-dma N      edu DMA ops allowed in the run (default 16)\n"
		"  --minimise S     seconds for minimising each failure (default 60)\n"
		"  --exclude LIST   generators to leave out, comma separated\n"
		"  --exclude-finding LIST  keep known findings out (dma-debug-overlap,\n"
		"                   export-seg-max, m2m-request-fd-eperm; README)\n"
		"  --replay OPS     run OPS (gen@seed,...) single-threaded\n"
		"  --list           list the generators and exit\n"
		"  --verbose        print every call\n");
	exit(2);
}

static void parse_findings(const char *arg)
{
	char *list = strdup(arg), *tok, *save;
	int f;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (f = 0; f < NR_FINDINGS; f++)
			if (!strcmp(finding_names[f], tok))
				break;
		if (f == NR_FINDINGS) {
			fprintf(stderr, "--exclude-finding: no finding '%s'\n", tok);
			exit(2);
		}
		opt.finding_excluded[f] = true;
	}
	free(list);
}

static void apply_exclude(void)
{
	char *list, *tok, *save;
	int i, j;

	if (!opt.exclude)
		return;
	list = strdup(opt.exclude);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < nr_gens; i++)
			if (!strcmp(gens[i]->name, tok))
				break;
		if (i == nr_gens) {
			fprintf(stderr, "--exclude: no generator '%s'\n", tok);
			exit(2);
		}
		for (j = i; j < nr_gens - 1; j++)
			gens[j] = gens[j + 1];
		nr_gens--;
	}
	free(list);
	gen_weight_sum = 0;
	for (i = 0; i < nr_gens; i++)
		gen_weight_sum += gens[i]->weight;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", 1, NULL, 's' }, { "seconds", 1, NULL, 't' },
		{ "threads", 1, NULL, 'j' }, { "max-calls", 1, NULL, 'n' },
		{ "min-calls", 1, NULL, 'm' }, { "edu-dma", 1, NULL, 'e' },
		{ "minimise", 1, NULL, 'M' }, { "replay", 1, NULL, 'r' },
		{ "exclude", 1, NULL, 'x' }, { "verbose", 0, NULL, 'v' },
		{ "list", 0, NULL, 'l' }, { "exclude-finding", 1, NULL, 'F' },
		{ "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false, list = false, crashed = false, hung = false;
	double t0, grace;
	int o, status, nfails, i;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 's': opt.seed = strtoull(optarg, NULL, 0); seeded = true; break;
		case 't': opt.seconds = atof(optarg); break;
		case 'j': opt.threads = atoi(optarg); break;
		case 'n': opt.max_calls = atol(optarg); break;
		case 'm': opt.min_calls = atol(optarg); break;
		case 'e': opt.edu_dma_max = atoi(optarg); break;
		case 'M': opt.minimise_seconds = atof(optarg); break;
		case 'r': opt.replay = optarg; break;
		case 'x': opt.exclude = optarg; break;
		case 'v': opt.verbose = true; break;
		case 'l': list = true; break;
		case 'F': parse_findings(optarg); break;
		default: usage();
		}
	}
	if (opt.threads < 1 || opt.threads > MAX_THREADS)
		usage();
	if (!seeded)
		opt.seed = (uint64_t)time(NULL) * 2654435761ULL ^ getpid();
	errtab_init();
	devices_find();
	gens_init();
	apply_exclude();
	if (list) {
		for (i = 0; i < nr_gens; i++)
			printf("%s\n", gens[i]->name);
		return 0;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	shared_reset();

	if (opt.replay) {
		struct op *ops;
		int n = parse_replay(opt.replay, &ops);

		if (n < 0)
			return 2;
		say("# replaying %d ops single-threaded (seed 0x%llx)\n", n,
		    (unsigned long long)opt.seed);
		pid = fork();
		if (!pid)
			_exit(replay_child(ops, n, false));
		waitpid(pid, &status, 0);
		print_coverage();
		nfails = atomic_load(&sh->nr_fails);
		if (WIFSIGNALED(status))
			say("# replay: killed by signal %d\n", WTERMSIG(status));
		say("# replay: %d failures\n", nfails);
		return nfails || WIFSIGNALED(status);
	}

	say("TAP version 13\n");
	say("1..3\n");
	say("# dmabuf-fuzz seed=0x%llx threads=%d seconds=%g edu-dma=%d%s%s\n",
	    (unsigned long long)opt.seed, opt.threads, opt.seconds,
	    opt.edu_dma_max, opt.exclude ? " exclude=" : "",
	    opt.exclude ? opt.exclude : "");
	for (i = 0; i < NR_FINDINGS; i++)
		if (opt.finding_excluded[i])
			say("# known finding kept out: %s\n", finding_names[i]);
	say("# interleaving of %d threads is not reproducible; each thread's ops are\n",
	    opt.threads);
	devices_print();
	say("# %d generators\n", nr_gens);

	kmsg_open();
	t0 = now();
	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(worker());
	/* the budget, plus time for the last edu ops and closing everything */
	grace = 60 + opt.edu_dma_max * 1.0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (now() - t0 > opt.seconds + grace) {
			hung = true;
			say("# HANG: the worker did not finish %g s after its budget; threads:\n",
			    grace);
			for (i = 0; i < opt.threads; i++)
				say("#   thread %d %s in %s (op %lu)\n", i,
				    atomic_load(&sh->t[i].in_op) ? "stuck" : "idle",
				    sh->t[i].cur, atomic_load(&sh->t[i].nr_ops));
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		kmsg_poll();
		usleep(100000);
	}
	if (!hung && WIFSIGNALED(status)) {
		crashed = true;
		for (i = 0; i < opt.threads; i++) {
			struct failure *f;
			int n;

			if (!sh->t[i].crash_sig)
				continue;
			say("# CRASH: signal %d in thread %d during %s\n",
			    sh->t[i].crash_sig, i, sh->t[i].cur);
			n = atomic_fetch_add(&sh->nr_fails, 1);
			if (n >= MAX_FAILS)
				break;
			f = &sh->fails[n];
			f->thread = i;
			f->call = C_CRASH;
			f->err = R_SIGSEGV;
			f->op_index = atomic_load(&sh->t[i].nr_ops) - 1;
			f->gseq = sh->t[i].log[f->op_index % LOG_OPS].gseq;
			{
				char cur[sizeof(sh->t[i].cur)];

				memcpy(cur, sh->t[i].cur, sizeof(cur));
				snprintf(f->args, sizeof(f->args), "signal %d in %.200s",
					 sh->t[i].crash_sig, cur);
			}
		}
		if (!atomic_load(&sh->nr_fails))
			say("# CRASH: worker killed by signal %d\n", WTERMSIG(status));
	}

	{
		unsigned long calls = atomic_load(&sh->calls);
		double secs = now() - t0;
		int pairs = count_pairs();
		static struct shared saved;	/* replays reuse the area */

		nfails = atomic_load(&sh->nr_fails);
		kmsg_poll();
		dma_api_left();
		print_coverage();
		for (i = 0; i < NR_CALLS * NR_ERRNO; i++) {
			unsigned int n = atomic_load(&sh->bad[i / NR_ERRNO][i % NR_ERRNO]);

			if (n)
				say("# failed: %s -> %s %u times\n", call_names[i / NR_ERRNO],
				    err_name(i % NR_ERRNO), n);
		}
		memcpy(&saved, sh, sizeof(saved));
		for (i = 0; i < nfails && i < 3; i++) {
			struct failure f = saved.fails[i];
			struct op *ops;
			int n;

			memcpy(sh, &saved, sizeof(saved));
			n = thread_ops(&f, &ops);
			say("# failure %d: %s -> %s (%s), thread %d, op %lu; minimising %d ops\n",
			    i + 1, call_names[f.call], err_name(f.err), f.args,
			    f.thread, (unsigned long)f.op_index, n);
			if (!minimise(&f, ops, n) && opt.threads > 1) {
				free(ops);
				memcpy(sh, &saved, sizeof(saved));
				n = all_ops(&f, &ops);
				say("# not reproduced from thread %d's ops alone: trying all "
				    "threads' %d ops in their start order\n", f.thread, n);
				if (!minimise(&f, ops, n))
					say("# not reproduced single-threaded: it needs the threads "
					    "to run concurrently; seed 0x%llx, --threads %d\n",
					    (unsigned long long)opt.seed, opt.threads);
			}
			free(ops);
		}
		memcpy(sh, &saved, sizeof(saved));
		{
			int nerr = 0;

			for (i = 0; i < nfails && i < MAX_FAILS; i++)
				nerr += sh->fails[i].err != R_SIGSEGV;
			say("%s 1 no-unexpected-errno # %d failures\n",
			    nerr ? "not ok" : "ok", nerr);
		}
		say("%s 2 no-crash-or-hang\n", crashed || hung ? "not ok" : "ok");
		say("%s 3 calls # %lu calls, minimum %ld\n",
		    (long)calls >= opt.min_calls ? "ok" : "not ok", calls,
		    opt.min_calls);
		say("# summary: %lu calls in %.1f s (%d threads, seed 0x%llx), "
		    "%d distinct (call, errno) pairs, %d failures\n", calls, secs,
		    opt.threads, (unsigned long long)opt.seed, pairs, nfails);
		return nfails || crashed || hung || (long)calls < opt.min_calls;
	}
}
