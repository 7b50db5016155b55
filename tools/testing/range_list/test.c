// SPDX-License-Identifier: GPL-2.0-only
/*
 * User space unit tests for lib/range_list.c under ASan/UBSan.  Prints
 * TAP "ok"/"not ok" lines; the plan is printed by run_check.sh, which
 * adds the fuzz run as the last test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/slab.h>
#include "harness.h"

static int failures;
static int test_ok;

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s\n", __FILE__, __LINE__, #cond);\
		test_ok = 0;						\
	}								\
} while (0)

static void t_encoding(void)
{
	struct phys_list pl;
	int i;

	phys_list_init(&pl, NULL);
	EXPECT(range_list_mem_bytes(&pl.rl) == sizeof(pl.rl));
	for (i = 0; i < (int)RANGE_LIST_CHUNK_WORDS; i++)
		EXPECT(!phys_list_append(&pl, (u64)(2 * i) << 12, 4096,
					 GFP_KERNEL));
	/* One 8-byte word per scattered page: still a single chunk. */
	EXPECT(pl.rl.head == pl.rl.tail);
	EXPECT(range_list_mem_bytes(&pl.rl) ==
	       sizeof(pl.rl) + RANGE_LIST_CHUNK_SIZE);
	EXPECT(phys_list_mem_bytes(&pl) == range_list_mem_bytes(&pl.rl));
	EXPECT(!phys_list_append(&pl, 1ULL << 40, 4096, GFP_KERNEL));
	EXPECT(pl.rl.head != pl.rl.tail && pl.rl.tail->used == 1);
	/* Each transition: unaligned, above 2^52, 32 GiB + 4 KiB, 2^62. */
	EXPECT(!phys_list_append(&pl, 1, 1, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 3);
	EXPECT(!phys_list_append(&pl, ((1ULL << 52) - 4096), 4096,
				 GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 4);
	EXPECT(!phys_list_append(&pl, 1ULL << 52, 4096, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 6);
	EXPECT(!phys_list_append(&pl, 0, 1ULL << 35, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 7);
	EXPECT(!phys_list_append(&pl, 0, (1ULL << 35) + 4096, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 9);
	EXPECT(!phys_list_append(&pl, 0, (1ULL << 62) - 1, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 11);
	EXPECT(!phys_list_append(&pl, 0, 1ULL << 62, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 14);
	phys_list_free(&pl);
	EXPECT(!phys_list_append(&pl, 0, 1ULL << 62, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == 3);
	EXPECT(phys_list_len(&pl) == 1ULL << 62 && phys_list_count(&pl) == 1);
	phys_list_free(&pl);
	EXPECT(!phys_list_append(&pl, 0, U64_MAX, GFP_KERNEL));
	EXPECT(phys_list_append(&pl, U64_MAX, 1, GFP_KERNEL) == -E2BIG);
	EXPECT(phys_list_len(&pl) == U64_MAX);
	phys_list_free(&pl);
}

static void t_errors(void)
{
	struct range_list_cfg cfg = { .align = 4096, .max_len = 1 << 20,
				      .max_entries = 3 };
	struct phys_list pl;
	struct dma_list dl;

	EXPECT(phys_list_init(&pl, &(struct range_list_cfg){ .align = 3 }) ==
	       -EINVAL);
	EXPECT(phys_list_init(&pl, &(struct range_list_cfg){
				.align = 4096, .max_segment = 100 }) == -EINVAL);
	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(phys_list_append(&pl, 0, 0, GFP_KERNEL) == -EINVAL);
	EXPECT(phys_list_append(&pl, 1, 4096, GFP_KERNEL) == -EINVAL);
	EXPECT(phys_list_append(&pl, 0, 4095, GFP_KERNEL) == -EINVAL);
	EXPECT(phys_list_append(&pl, U64_MAX & ~4095ULL, 8192, GFP_KERNEL) ==
	       -EOVERFLOW);
	EXPECT(phys_list_append(&pl, 0, 2 << 20, GFP_KERNEL) == -E2BIG);
	harness_install();
	harness_fail_in = 1;
	EXPECT(phys_list_append(&pl, 0, 4096, GFP_KERNEL) == -ENOMEM);
	harness_uninstall();
	EXPECT(!phys_list_count(&pl) && !phys_list_len(&pl) && !pl.rl.head);
	EXPECT(!phys_list_append(&pl, 0, 4096, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 8192, 4096, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 16384, 4096, GFP_KERNEL));
	EXPECT(phys_list_append(&pl, 32768, 4096, GFP_KERNEL) == -E2BIG);
	EXPECT(phys_list_count(&pl) == 3 && phys_list_len(&pl) == 12288);
	phys_list_free(&pl);

	dma_list_init(&dl, NULL);
	EXPECT(dma_list_append(&dl, U64_MAX, 2, GFP_KERNEL) == -EOVERFLOW);
	EXPECT(dma_list_mem_bytes(&dl) == sizeof(dl.rl));
	EXPECT(!dma_list_append(&dl, U64_MAX, 1, GFP_KERNEL));
	EXPECT(dma_list_len(&dl) == 1 && dma_list_count(&dl) == 1);
	EXPECT(dma_list_mem_bytes(&dl) == sizeof(dl.rl) + RANGE_LIST_CHUNK_SIZE);
	dma_list_free(&dl);
}

static void t_coalesce(void)
{
	struct range_list_cfg cfg = { .coalesce = true, .max_segment = 16384 };
	struct phys_list pl;
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l;
	int n = 0;

	phys_list_init(&pl, &cfg);
	EXPECT(!phys_list_append(&pl, 0, 4096, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 4096, 8192, GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 1);
	/* Fills the first segment to 16 KiB, spills 8 KiB into a second. */
	EXPECT(!phys_list_append(&pl, 12288, 12288, GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 2);
	/* Not adjacent. */
	EXPECT(!phys_list_append(&pl, 1 << 20, 1, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, (1 << 20) + 1, 4095, GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 3);
	/* Split without coalescing history: 40 KiB in 16 KiB segments. */
	EXPECT(!phys_list_append(&pl, 1 << 30, 40960, GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 6);
	phys_list_for_each(&pl, &pi, a, l) {
		EXPECT(l <= 16384);
		n++;
	}
	EXPECT(n == 6 && phys_list_len(&pl) == 24576 + 4096 + 40960);
	phys_list_free(&pl);
}

/* Compare a list with (addr, len) pairs. */
static int same_entries(const struct phys_list *pl, const u64 *want,
			unsigned int n)
{
	struct phys_list_iter pi;
	phys_addr_t a;
	unsigned int i = 0;
	u64 l, sum = 0;
	int ok = 1;

	phys_list_for_each(pl, &pi, a, l) {
		if (i >= n || a != want[2 * i] || l != want[2 * i + 1]) {
			fprintf(stderr, "# entry %u: %llx+%llx\n", i,
				(unsigned long long)a, (unsigned long long)l);
			ok = 0;
		}
		sum += l;
		i++;
	}
	if (i != n || phys_list_count(pl) != n || phys_list_len(pl) != sum) {
		fprintf(stderr, "# %u entries, count %lu, want %u\n", i,
			phys_list_count(pl), n);
		ok = 0;
	}
	return ok;
}

static int init_err(u64 seg_boundary, u32 align)
{
	struct range_list_cfg cfg = { .seg_boundary = seg_boundary,
				      .align = align };
	struct phys_list pl;
	int err = phys_list_init(&pl, &cfg);

	phys_list_free(&pl);
	return err;
}

static void t_seg_boundary(void)
{
	static const u64 want1[] = {
		0xf000, 0x1000, 0x10000, 0x10000,	/* split, merged */
		0x20000, 0x1000,			/* on a boundary */
		0x100000, 0x10000, 0x110000, 0x10000,	/* 3 segments + */
		0x120000, 0x10000, 0x130000, 0x800,
	};
	static const u64 want2[] = {
		0xe000, 0x2000, 0x10000, 0x6000, 0x16000, 0x6000,
		0x1c000, 0x4000, 0x20000, 0x2000,
	};
	static const u64 want3[] = {
		0x1e000, 0x2000, 0x20000, 0x1000, 0x40000, 0x3000,
		0x4f000, 0x1000, 0x50000, 0x2000,
	};
	static const u64 want4[] = {
		0x1000, 0x1000, 0x2000, 0x2000, 0x4000, 0x1000,
		0x6000, 0x2000,
	};
	struct range_list_cfg cfg = { .seg_boundary = 0xffff,
				      .coalesce = true };
	u64 addrs[] = { 0x1e000, 0x40000, 0x4f000 };
	struct phys_list pl;
	struct dma_list dl;
	struct dma_list_iter di;
	dma_addr_t da;
	u64 dlen;
	int n;

	EXPECT(init_err(0x1000, 0) == -EINVAL);
	EXPECT(init_err(0xfff0, 0) == -EINVAL);
	EXPECT(init_err(1ULL << 63, 0) == -EINVAL);
	EXPECT(init_err(0x7ff, 4096) == -EINVAL);
	EXPECT(!init_err(0xfff, 4096));
	EXPECT(!init_err(U64_MAX, 4096));
	EXPECT(!init_err(1, 0));

	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(!phys_list_append(&pl, 0xf000, 0x3000, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 0x12000, 0xe000, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 0x20000, 0x1000, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 0x100000, 0x30800, GFP_KERNEL));
	EXPECT(same_entries(&pl, want1, 7));
	phys_list_free(&pl);

	/* Combined with a maximum segment size. */
	cfg.max_segment = 0x6000;
	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(!phys_list_append(&pl, 0xe000, 0x10000, GFP_KERNEL));
	EXPECT(!phys_list_append(&pl, 0x1e000, 0x4000, GFP_KERNEL));
	EXPECT(same_entries(&pl, want2, 5));
	phys_list_free(&pl);

	/* Arrays: crossing ranges are split, with and without coalescing. */
	cfg.max_segment = 0;
	cfg.coalesce = false;
	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(!range_list_append_array(&pl.rl, addrs, 3, 0x3000, U64_MAX,
					GFP_KERNEL));
	EXPECT(same_entries(&pl, want3, 5));
	phys_list_free(&pl);
	cfg.coalesce = true;
	cfg.seg_boundary = 0x1fff;
	EXPECT(!phys_list_init(&pl, &cfg));
	/* Split, merge up to the boundary, no merge across it. */
	addrs[0] = 0x1000;
	addrs[1] = 0x3000;
	addrs[2] = 0x6000;
	EXPECT(!range_list_append_array(&pl.rl, addrs, 3, 0x2000, U64_MAX,
					GFP_KERNEL));
	EXPECT(same_entries(&pl, want4, 4));
	/* Longer than a segment: every range is split. */
	addrs[0] = 0x10000;
	addrs[1] = 0x20000;
	EXPECT(!range_list_append_array(&pl.rl, addrs, 2, 0x3000, U64_MAX,
					GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 8);
	phys_list_free(&pl);

	/* The entry limit counts the pieces; nothing changes on failure. */
	cfg = (struct range_list_cfg){ .seg_boundary = 0xfff,
				       .max_entries = 4 };
	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(!phys_list_append(&pl, 0x800, 0x1000, GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 2);
	EXPECT(phys_list_append(&pl, 0x10000, 0x2001, GFP_KERNEL) == -E2BIG);
	addrs[0] = 0x20000;
	addrs[1] = 0x30f80;
	EXPECT(range_list_append_array(&pl.rl, addrs, 2, 0x100, U64_MAX,
				       GFP_KERNEL) == -E2BIG);
	EXPECT(phys_list_count(&pl) == 2 && phys_list_len(&pl) == 0x1000);
	addrs[1] = 0x30800;
	EXPECT(!range_list_append_array(&pl.rl, addrs, 2, 0x100, U64_MAX,
					GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 4 && phys_list_len(&pl) == 0x1200);
	phys_list_free(&pl);

	/* At the top of the address space. */
	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(!phys_list_append(&pl, U64_MAX - 0x17ff, 0x1800, GFP_KERNEL));
	EXPECT(phys_list_count(&pl) == 2);
	phys_list_free(&pl);

	/* A device with 64 KiB segments that must not cross 4 GiB. */
	EXPECT(!dma_list_init(&dl, &(struct range_list_cfg){
				.max_segment = 0x10000,
				.seg_boundary = 0xffffffff,
				.coalesce = true }));
	EXPECT(!dma_list_append(&dl, 0xffff8000, 0x4000, GFP_KERNEL));
	EXPECT(!dma_list_append(&dl, 0xffffc000, 0x8000, GFP_KERNEL));
	EXPECT(dma_list_count(&dl) == 2 && dma_list_len(&dl) == 0xc000);
	n = 0;
	dma_list_for_each(&dl, &di, da, dlen) {
		EXPECT(da == (n ? 0x100000000ULL : 0xffff8000));
		EXPECT(dlen == (n ? 0x4000 : 0x8000));
		n++;
	}
	dma_list_free(&dl);
}

static void t_cursor(void)
{
	struct phys_list pl;
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l, off;
	int i;

	phys_list_init(&pl, NULL);
	phys_list_iter_init(&pi, &pl);
	EXPECT(!phys_list_iter_next(&pi, &a, &l));
	EXPECT(!phys_list_iter_seek(&pi, 0, 0));
	EXPECT(phys_list_iter_seek(&pi, 1, 0) == -ERANGE);
	for (i = 0; i < 1000; i++)
		phys_list_append(&pl, (u64)i << 20, 4096, GFP_KERNEL);
	phys_list_iter_init(&pi, &pl);
	/* Walk in 100-byte pieces, keeping the place. */
	for (off = 0; off < phys_list_len(&pl); off += 100) {
		u64 want = 100 < phys_list_len(&pl) - off ? 100 :
			   phys_list_len(&pl) - off, got = 0;

		EXPECT(!phys_list_iter_seek(&pi, off, want));
		while (phys_list_iter_next(&pi, &a, &l)) {
			EXPECT(a == (((off + got) / 4096) << 20 |
				    (off + got) % 4096));
			got += l;
		}
		EXPECT(got == want);
	}
	EXPECT(phys_list_iter_seek(&pi, phys_list_len(&pl), 1) == -ERANGE);
	EXPECT(!phys_list_iter_seek(&pi, phys_list_len(&pl), 0));
	EXPECT(!phys_list_iter_next(&pi, &a, &l));
	EXPECT(!phys_list_iter_seek(&pi, 4096 * 3 + 5, 1));
	EXPECT(phys_list_iter_next(&pi, &a, &l) && a == (3 << 20) + 5 &&
	       l == 1);
	phys_list_free(&pl);
}

static void t_prealloc(void)
{
	struct phys_list pl;
	int i;

	phys_list_init(&pl, NULL);
	harness_install();
	harness_fail_in = 1;
	EXPECT(phys_list_prealloc(&pl, 1, GFP_KERNEL) == -ENOMEM);
	harness_fail_in = 0;
	EXPECT(!phys_list_prealloc(&pl, 500, GFP_KERNEL));
	harness_forbid = 1;
	for (i = 0; i < 3; i++)
		EXPECT(!phys_list_append(&pl, (u64)i * 3, 1ULL << 62,
					 GFP_ATOMIC));
	for (i = 3; i < 500; i++)
		EXPECT(!phys_list_append(&pl, (u64)i * 7, 5, GFP_ATOMIC));
	harness_forbid = 0;
	harness_uninstall();
	phys_list_free(&pl);
	phys_list_init(&pl, NULL);
	harness_install();
	EXPECT(!phys_list_prealloc(&pl, 100, GFP_KERNEL));
	harness_forbid = 1;
	for (i = 0; i < 100; i++)
		EXPECT(!phys_list_append(&pl, (u64)i << 13, 4097, GFP_ATOMIC));
	harness_forbid = 0;
	harness_uninstall();
	phys_list_free(&pl);
}

/* A byte copy of every used word of a list, chunk by chunk. */
struct image {
	const struct range_list_chunk *chunk[16];
	unsigned int used[16];
	u64 w[16][RANGE_LIST_CHUNK_WORDS];
	unsigned int nr_chunks;
	unsigned long count;
	u64 len;
	size_t mem;
	const struct range_list_chunk *tail;
	unsigned int last;
};

static void take_image(const struct phys_list *pl, struct image *im)
{
	const struct range_list_chunk *c;
	unsigned int i = 0;

	memset(im, 0, sizeof(*im));
	for (c = pl->rl.head; c && i < 16; c = c->next, i++) {
		im->chunk[i] = c;
		im->used[i] = c->used;
		memcpy(im->w[i], c->w, c->used * sizeof(u64));
	}
	im->nr_chunks = c ? 17 : i;
	im->count = phys_list_count(pl);
	im->len = phys_list_len(pl);
	im->mem = range_list_mem_bytes(&pl->rl);
	im->tail = pl->rl.tail;
	im->last = pl->rl.last;
}

static int same_image(const struct image *a, const struct image *b)
{
	unsigned int i;

	if (a->nr_chunks != b->nr_chunks || a->count != b->count ||
	    a->len != b->len || a->mem != b->mem || a->tail != b->tail ||
	    a->last != b->last)
		return 0;
	if (a->nr_chunks > 16)
		return 0;
	for (i = 0; i < a->nr_chunks; i++)
		if (a->chunk[i] != b->chunk[i] || a->used[i] != b->used[i] ||
		    memcmp(a->w[i], b->w[i], a->used[i] * sizeof(u64)))
			return 0;
	return 1;
}

/* Appends spanning several chunks: merges, arrays, 3-word entries. */
static int rollback_batches(struct phys_list *pl)
{
	u64 addrs[150], end = 0;
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l;
	int i, err = 0;

	phys_list_for_each(pl, &pi, a, l)
		end = a + l;
	/* Widens the last entry from one word to two. */
	err |= phys_list_append(pl, end, 100, GFP_KERNEL);
	for (i = 0; i < 150; i++)
		addrs[i] = (1ULL << 32) + (u64)i * 3 * 4096;
	err |= range_list_append_array(&pl->rl, addrs, 150, 4096, U64_MAX,
				       GFP_KERNEL);
	err |= phys_list_append(pl, 1ULL << 40, 1ULL << 62, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		addrs[i] = (2ULL << 32) + (u64)(i / 2) * 3 * 4096 +
			   (i & 1) * 4096;
	err |= range_list_append_array(&pl->rl, addrs, 100, 4096, U64_MAX,
				       GFP_KERNEL);
	err |= phys_list_append(pl, 3ULL << 32, 1 << 20, GFP_KERNEL);
	return err;
}

static void t_rollback_batches(void)
{
	struct range_list_cfg cfg = { .coalesce = true };
	static struct image before, after;
	struct range_list_mark m;
	struct phys_list pl, ref;
	unsigned long count;
	int i;

	/* A mark inside a chunk whose last entry later grows. */
	EXPECT(!phys_list_init(&pl, &cfg));
	EXPECT(!phys_list_init(&ref, &cfg));
	for (i = 0; i < 40; i++) {
		EXPECT(!phys_list_append(&pl, (u64)i << 20, 8192, GFP_KERNEL));
		EXPECT(!phys_list_append(&ref, (u64)i << 20, 8192, GFP_KERNEL));
	}
	take_image(&pl, &before);
	range_list_mark(&pl.rl, &m);
	EXPECT(!rollback_batches(&pl));
	count = phys_list_count(&pl);
	EXPECT(count > 3 * RANGE_LIST_CHUNK_WORDS);
	range_list_rollback(&pl.rl, &m);
	take_image(&pl, &after);
	EXPECT(same_image(&before, &after));
	/* The list works on: the same appends give the same list again. */
	EXPECT(!rollback_batches(&pl));
	EXPECT(!rollback_batches(&ref));
	EXPECT(phys_list_count(&pl) == count);
	take_image(&pl, &before);
	take_image(&ref, &after);
	before.tail = after.tail;
	for (i = 0; i < (int)before.nr_chunks && i < 16; i++)
		before.chunk[i] = after.chunk[i];
	EXPECT(same_image(&before, &after));
	phys_list_free(&ref);
	phys_list_free(&pl);

	/* A mark when the tail chunk is exactly full. */
	EXPECT(!phys_list_init(&pl, &cfg));
	for (i = 0; i < (int)RANGE_LIST_CHUNK_WORDS; i++)
		EXPECT(!phys_list_append(&pl, (u64)i << 20, 4096, GFP_KERNEL));
	EXPECT(pl.rl.tail->used == RANGE_LIST_CHUNK_WORDS);
	take_image(&pl, &before);
	range_list_mark(&pl.rl, &m);
	EXPECT(!rollback_batches(&pl));
	range_list_rollback(&pl.rl, &m);
	take_image(&pl, &after);
	EXPECT(same_image(&before, &after));
	/* Further appends reuse the chunks given back, without allocating. */
	harness_install();
	harness_forbid = 1;
	EXPECT(!rollback_batches(&pl));
	harness_forbid = 0;
	harness_uninstall();
	/* The widened entry does not fit the full chunk: one entry more. */
	EXPECT(phys_list_count(&pl) == count - 40 + RANGE_LIST_CHUNK_WORDS + 1);
	phys_list_free(&pl);

	/* A mark on an empty list. */
	EXPECT(!phys_list_init(&pl, &cfg));
	take_image(&pl, &before);
	range_list_mark(&pl.rl, &m);
	EXPECT(!rollback_batches(&pl));
	range_list_rollback(&pl.rl, &m);
	take_image(&pl, &after);
	EXPECT(same_image(&before, &after) && !pl.rl.head && !pl.rl.tail);
	EXPECT(!rollback_batches(&pl));
	phys_list_free(&pl);
}

static void t_model(void)
{
	uint8_t buf[512];
	unsigned int seed = 12345;
	long bad = 0;
	int i;
	size_t j;

	harness_install();
	for (i = 0; i < 3000; i++) {
		for (j = 0; j < sizeof(buf); j++) {
			seed = seed * 1103515245 + 12345;
			buf[j] = seed >> 16;
		}
		bad += harness_run(buf, 16 + seed % (sizeof(buf) - 16));
	}
	harness_uninstall();
	EXPECT(!bad);
}

static void t_leaks(void)
{
	EXPECT(shim_live_objects == 0);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "encodings and chunk use", t_encoding },
	{ "bad input leaves the list unchanged", t_errors },
	{ "coalescing and maximum segment size", t_coalesce },
	{ "segment boundaries split and stop merges", t_seg_boundary },
	{ "cursor seek and sub-range walk", t_cursor },
	{ "preallocation makes appends allocation-free", t_prealloc },
	{ "rollback across append batches restores every byte", t_rollback_batches },
	{ "random operations against the array model", t_model },
	{ "no chunk leaked", t_leaks },
};

int main(int argc, char **argv)
{
	size_t i, n = sizeof(tests) / sizeof(tests[0]);

	if (argc > 1 && !strcmp(argv[1], "--count")) {
		printf("%zu\n", n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		test_ok = 1;
		tests[i].fn();
		printf("%sok %zu - %s\n", test_ok ? "" : "not ", i + 1,
		       tests[i].name);
		failures += !test_ok;
	}
	return failures ? 1 : 0;
}
