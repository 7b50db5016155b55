/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-fuzz: declarations shared by its files.  See main.c for the
 * design.
 */
#ifndef DMABUF_FUZZ_H
#define DMABUF_FUZZ_H

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE_SZ		4096UL

/* --- the calls: one id per system call the fuzzer checks ------------- */

#define FUZZ_CALLS(X)							\
	X(DMABUF_SYNC,		"dmabuf.SYNC")				\
	X(DMABUF_SET_NAME,	"dmabuf.SET_NAME")			\
	X(DMABUF_EXPORT_SYNC,	"dmabuf.EXPORT_SYNC_FILE")		\
	X(DMABUF_IMPORT_SYNC,	"dmabuf.IMPORT_SYNC_FILE")		\
	X(DMABUF_BAD_IOCTL,	"dmabuf.unknown-ioctl")			\
	X(DMABUF_MMAP,		"dmabuf.mmap")				\
	X(DMABUF_MUNMAP,	"dmabuf.munmap")			\
	X(DMABUF_TOUCH,		"dmabuf.touch-mapping")			\
	X(DMABUF_READ,		"dmabuf.read")				\
	X(DMABUF_LSEEK,		"dmabuf.lseek")				\
	X(DMABUF_POLL,		"dmabuf.poll")				\
	X(FD_CLOSE,		"close")				\
	X(FD_DUP,		"dup")					\
	X(MEMFD_CREATE,		"memfd_create")				\
	X(UDMABUF_CREATE,	"udmabuf.CREATE")			\
	X(UDMABUF_CREATE_LIST,	"udmabuf.CREATE_LIST")			\
	X(HEAP_ALLOC,		"heap.ALLOC")				\
	X(SYNC_FILE_NEW,	"sw_sync.CREATE_FENCE")			\
	X(EDU_OPEN,		"edu.open")				\
	X(EDU_ATTACH,		"edu.ATTACH")				\
	X(EDU_CHECKSUM,		"edu.CHECKSUM")				\
	X(EDU_WRITE,		"edu.WRITE")				\
	X(EDU_PAGE_CHECKSUM,	"edu.PAGE_CHECKSUM")			\
	X(EDU_DETACH,		"edu.DETACH")				\
	X(EDU_BAD_IOCTL,	"edu.unknown-ioctl")			\
	X(SHM_INFO,		"edu_shm.INFO")				\
	X(SHM_EXPORT,		"edu_shm.EXPORT")			\
	X(V4L2_OPEN,		"v4l2.open")				\
	X(V4L2_REQBUFS,		"v4l2.REQBUFS")				\
	X(V4L2_CREATE_BUFS,	"v4l2.CREATE_BUFS")			\
	X(V4L2_QUERYBUF,	"v4l2.QUERYBUF")			\
	X(V4L2_QBUF,		"v4l2.QBUF")				\
	X(V4L2_DQBUF,		"v4l2.DQBUF")				\
	X(V4L2_EXPBUF,		"v4l2.EXPBUF")				\
	X(V4L2_STREAMON,	"v4l2.STREAMON")			\
	X(V4L2_STREAMOFF,	"v4l2.STREAMOFF")			\
	X(DRM_OPEN,		"drm.open")				\
	X(DRM_CREATE_DUMB,	"drm.MODE_CREATE_DUMB")			\
	X(DRM_HANDLE_TO_FD,	"drm.PRIME_HANDLE_TO_FD")		\
	X(DRM_FD_TO_HANDLE,	"drm.PRIME_FD_TO_HANDLE")		\
	X(DRM_GEM_CLOSE,	"drm.GEM_CLOSE")			\
	X(WRONG_KIND_IOCTL,	"ioctl-on-wrong-kind")			\
	X(WRONG_KIND_MMAP,	"mmap-on-wrong-kind")			\
	X(BAD_FD,		"call-on-bad-fd")				\
	X(CRASH,		"fatal-signal")

enum fuzz_call {
#define X(id, name) C_##id,
	FUZZ_CALLS(X)
#undef X
	NR_CALLS
};

extern const char *const call_names[NR_CALLS];

/*
 * Pseudo errno values: a call's outcome is 0 (success), an errno, or
 * one of these.
 */
#define NR_ERRNO	140
#define R_BADVAL	(NR_ERRNO - 3)	/* succeeded with a wrong result */
#define R_SIGBUS	(NR_ERRNO - 2)	/* SIGBUS while touching a mapping */
#define R_SIGSEGV	(NR_ERRNO - 1)	/* any other fatal signal, or a hang */

/* --- errno sets (errtab.c) ------------------------------------------ */

struct eset {
	uint64_t w[(NR_ERRNO + 63) / 64];
};

static inline bool eset_has(const struct eset *s, int e)
{
	return e >= 0 && e < NR_ERRNO && (s->w[e / 64] >> (e % 64)) & 1;
}

static inline void eset_add(struct eset *s, int e)
{
	if (e >= 0 && e < NR_ERRNO)
		s->w[e / 64] |= 1ULL << (e % 64);
}

/* An errno list ends with -1 */
struct eset eset_of(const int *list);
#define ESET(...)	eset_of((const int[]){ __VA_ARGS__, -1 })

void errtab_init(void);
const struct eset *errtab_allowed(enum fuzz_call call);
const char *err_name(int e);
int err_parse(const char *s);

/* --- resources: file descriptors and mappings (slots.c) ------------- */

enum kind {
	K_NONE,
	K_DMABUF,
	K_MEMFD,
	K_SYNC_FILE,
	K_PIPE,
	K_UDMABUF_DEV,
	K_HEAP,
	K_EDU,
	K_EDU_SHM,
	K_V4L2,
	K_DRM,
	NR_KINDS
};

/* Where a dma-buf came from (slot.dev of a K_DMABUF slot) */
enum exporter {
	EXP_SYSTEM, EXP_CMA, EXP_P2PMEM, EXP_UDMABUF, EXP_EDU_SHM,
	EXP_V4L2, EXP_VGEM, NR_EXPORTERS
};

#define SLOT_REVOCABLE	(1u << 0)	/* buffer can be revoked: SIGBUS ok */
#define SLOT_NOREAD	(1u << 1)	/* opened without read access */
#define SLOT_NOWRITE	(1u << 2)	/* opened without write access */
#define SLOT_SEALED	(1u << 3)	/* memfd: F_SEAL_SHRINK */
#define SLOT_HUGETLB	(1u << 4)	/* memfd: MFD_HUGETLB */
#define SLOT_WSEALED	(1u << 5)	/* memfd: F_SEAL_WRITE */
#define SLOT_EDU_M2M	(1u << 6)	/* V4L2: an edu mem2mem node */

#define NR_SLOTS	64
#define FD_BASE		600	/* slot i lives at fd FD_BASE + i */
#define NR_HANDLES	8
#define NR_MAPS		24

struct slot {
	pthread_rwlock_t rw;	/* read: using the fd; write: install/close */
	pthread_mutex_t meta;	/* the fields below that change under read */
	enum kind kind;
	int dev;		/* device index, heap or exporter */
	unsigned int flags;
	uint64_t size;		/* dma-buf or memfd bytes */
	uint32_t handles[NR_HANDLES];	/* DRM: GEM handles we hold */
	int nr_handles;
	uint32_t fid;		/* the open file: dup'ed fds share it */
	uint64_t mem[4];	/* the memory behind it: inode numbers */
	int nr_mem;
	bool mem_overlap;	/* some memory twice in one buffer */
};

struct map {
	pthread_rwlock_t rw;	/* read: touching; write: mmap/munmap */
	void *addr;
	size_t len;
	unsigned int flags;	/* SLOT_REVOCABLE, SLOT_NOWRITE */
	int prot;
};

/* The devices this machine has, found once at start */
#define MAX_DEVS 8
struct devices {
	int nr_heaps;
	char heap_path[MAX_DEVS][64];
	enum exporter heap_exp[MAX_DEVS];
	int nr_edu;
	char edu_path[MAX_DEVS][64];
	int nr_shm;
	char shm_path[MAX_DEVS][64];
	uint64_t shm_size[MAX_DEVS];
	int nr_v4l2;
	char v4l2_path[MAX_DEVS][64];
	char v4l2_name[MAX_DEVS][48];
	bool v4l2_edu[MAX_DEVS];
	bool v4l2_switch[MAX_DEVS];	/* its edu sits behind the PCIe switch */
	bool edu_switch[MAX_DEVS];
	bool iommu;
	int v4l2_type[MAX_DEVS][2];	/* buffer types: capture, output or -1 */
	int nr_drm;
	char drm_path[MAX_DEVS][64];
	bool udmabuf;
	bool sw_sync;
	bool hugetlb;
};

extern struct devices devs;
extern struct slot slots[NR_SLOTS];
extern struct map maps[NR_MAPS];

void devices_find(void);
void devices_print(void);
void slots_init(void);
void slots_reset(void);
static inline int slot_fd(int i) { return FD_BASE + i; }

/* --- one call's context ------------------------------------------------ */

#define NR_FINDINGS_MAX 8

/* Options that change what a sequence does: the same for a replay */
struct options {
	uint64_t seed;
	int threads;
	double seconds;
	long max_calls;
	long min_calls;
	int edu_dma_max;	/* edu DMA ops (~100 ms each) per run */
	double minimise_seconds;
	bool verbose;
	const char *replay;
	const char *exclude;	/* calls left out, comma separated */
	bool exclude_set[NR_CALLS];
	bool finding_excluded[NR_FINDINGS_MAX];
};
extern struct options opt;

struct rng {
	uint64_t s;
};

uint64_t rng_next(struct rng *r);
static inline uint64_t rnd(struct rng *r, uint64_t n)	/* [0, n) */
{
	return n ? rng_next(r) % n : 0;
}
static inline bool chance(struct rng *r, unsigned int percent)
{
	return rnd(r, 100) < percent;
}

#define MAX_LOCKS 4

struct fctx {
	struct rng r;
	int thread;
	bool quiet;		/* replaying: no output */
	int locked[MAX_LOCKS];	/* slots read-locked by this op */
	int nr_locked;
	/*
	 * Set by a generator that knows its arguments are invalid: the
	 * outcome must be in @want (a subset of the call's table entry).
	 */
	bool narrow;
	struct eset want;
	bool wrong_kind;	/* the target fd is of another kind */
	char args[320];
	/* for slot_install(): memory keys of a udmabuf, the file of a dup */
	uint64_t inst_mem[4];
	int inst_nr_mem;
	bool inst_overlap;
	uint32_t inst_fid;
};

/*
 * Named exclusions of known findings (--exclude-finding), for bounded
 * runs: each keeps one deterministic, reported kernel behaviour out.
 */
enum finding {
	F_DMA_DEBUG_OVERLAP,	/* two device-writable mappings of one page */
	F_EXPORT_SEG_MAX,	/* exported segments > importer's max */
	F_M2M_REQUEST_FD_EPERM,	/* m2m QBUF capture + REQUEST_FD: EPERM */
	NR_FINDINGS
};
extern const char *const finding_names[NR_FINDINGS];
bool excluded(enum finding f);
bool writer_import_ok(int slot, uint64_t owner);
bool contig_seg_ok(int slot);
bool p2p_dma_emulated(bool behind_switch, int buf_slot);
void edu_file_lock(uint32_t fid, bool **p2p);
void edu_file_unlock(uint32_t fid);

/* Per-thread state of the one op running, in shared memory */
struct op {
	uint16_t call;
	uint64_t seed;
	uint64_t gseq;		/* global order of the op, for replays */
};

/* Picking resources; each returns a slot index read-locked, or -1 */
int slot_lock_kind(struct fctx *c, unsigned int kindmask);
int slot_lock_any(struct fctx *c);
int slot_lock_empty_or_any(struct fctx *c, bool *empty);
void slot_unlock_all(struct fctx *c);
int slot_install(struct fctx *c, int newfd, enum kind kind, int dev,
		 unsigned int flags, uint64_t size);
int slot_close(struct fctx *c, int i);
#define KM(k) (1u << (k))

/* An fd argument: a slot's fd of the asked kind, or a hostile one */
struct fdarg {
	int fd;
	int slot;		/* -1: not a live slot */
	enum kind kind;		/* K_NONE: bad fd */
};
void pick_fd(struct fctx *c, unsigned int kindmask, struct fdarg *a);
enum fuzz_call fd_target(struct fctx *c, const struct fdarg *a,
			 unsigned int kindmask, enum fuzz_call call);
long xioctl(int fd, unsigned long cmd, void *arg, int *err);
int touch(volatile unsigned char *p, bool write);
int map_lock_free(struct fctx *c);
int map_lock_used(struct fctx *c, bool write);
void map_unlock(int i, bool write);

/* --- outcome of a call ------------------------------------------------ */

void want(struct fctx *c, struct eset s);
void record(struct fctx *c, enum fuzz_call call, long ret, int err,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int edu_dma_token(struct fctx *c);
void *bad_ptr(struct fctx *c);
uint64_t edge_u64(struct fctx *c, uint64_t size);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- the generators, one set per file -------------------------------- */

typedef void (*gen_fn)(struct fctx *c);
struct gen {
	const char *name;
	gen_fn fn;
	int weight;
	bool (*usable)(void);
};

extern const struct gen dmabuf_gens[];
extern const int nr_dmabuf_gens;
extern const struct gen alloc_gens[];
extern const int nr_alloc_gens;
extern const struct gen edu_gens[];
extern const int nr_edu_gens;
extern const struct gen v4l2_gens[];
extern const int nr_v4l2_gens;
extern const struct gen drm_gens[];
extern const int nr_drm_gens;

/* All generators, in one table (main.c) */
extern const struct gen *gens[];
extern int nr_gens;
void gens_init(void);
void run_op(struct fctx *c, int gen, uint64_t seed);

/* --- replay and minimising (minimise.c) ------------------------------- */

struct failure {
	int thread;
	uint16_t call;		/* enum fuzz_call */
	int err;		/* outcome that was not allowed */
	uint64_t op_index;	/* index of the op in the thread's log */
	uint64_t gseq;
	char args[320];
};

int parse_replay(const char *s, struct op **ops);
void print_ops(const char *prefix, const struct op *ops, int n);
int replay_ops(const struct op *ops, int n, bool quiet,
	       int want_call, int want_err);
int minimise(const struct failure *f, struct op *ops, int n);

#endif /* DMABUF_FUZZ_H */
