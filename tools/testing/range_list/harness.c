// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drives range_list.c from a byte string and checks every result against
 * a plain array model.  Used by the fuzzer and, with pseudo-random input,
 * by the unit tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/slab.h>
#include "harness.h"

int harness_fail_in;
int harness_forbid;
long harness_allocs;
static int forbidden_attempt;

extern void *shim_stub_hook;

static struct range_list_chunk *stub_alloc(gfp_t gfp)
{
	if (harness_forbid) {
		forbidden_attempt = 1;
		return NULL;
	}
	if (harness_fail_in && --harness_fail_in == 0)
		return NULL;
	harness_allocs++;
	shim_stub_hook = NULL;
	struct range_list_chunk *c = range_list_alloc_chunk(gfp);

	shim_stub_hook = (void *)stub_alloc;
	return c;
}

void harness_install(void)
{
	shim_stub_hook = (void *)stub_alloc;
}

void harness_uninstall(void)
{
	shim_stub_hook = NULL;
}

struct rng {
	u64 addr, len;
};

struct vec {
	struct rng *r;
	size_t n, cap;
};

static void vec_push(struct vec *v, u64 addr, u64 len)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		v->r = realloc(v->r, v->cap * sizeof(*v->r));
		if (!v->r)
			abort();
	}
	v->r[v->n].addr = addr;
	v->r[v->n].len = len;
	v->n++;
}

static bool contiguous(const struct rng *a, u64 addr)
{
	return a->addr + a->len - 1 != U64_MAX && a->addr + a->len == addr;
}

/* Merge contiguous neighbours: the byte stream a list describes. */
static void canon(const struct vec *in, struct vec *out)
{
	out->n = 0;
	for (size_t i = 0; i < in->n; i++) {
		if (out->n && contiguous(&out->r[out->n - 1], in->r[i].addr))
			out->r[out->n - 1].len += in->r[i].len;
		else
			vec_push(out, in->r[i].addr, in->r[i].len);
	}
}

static bool vec_eq(const struct vec *a, const struct vec *b)
{
	return a->n == b->n &&
	       (!a->n || !memcmp(a->r, b->r, a->n * sizeof(*a->r)));
}

struct state {
	struct phys_list pl;
	struct range_list_cfg cfg;
	u64 maxseg, bmask, align;
	bool split;		/* cfg.split_on_read */
	struct vec model;	/* successfully appended input ranges */
	u64 total;
	long mismatches;
	struct vec a, b, c, d;	/* scratch */
	struct vec stored;	/* split_on_read: the entries as stored */
};

#define FAIL(st, ...) do {						\
	if ((st)->mismatches++ < 3) {					\
		fprintf(stderr, "# mismatch line %d: ", __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static void snapshot(const struct phys_list *pl, struct vec *v)
{
	struct phys_list_iter pi;
	phys_addr_t a;
	u64 l;

	v->n = 0;
	phys_list_for_each(pl, &pi, a, l)
		vec_push(v, a, l);
}

/* Bytes from @a to the end of its segment (0 stands for 2^64). */
static u64 seg_room(const struct state *st, u64 a)
{
	return (a | st->bmask) - a + 1;
}

/* Whether @a and the byte before it lie in one segment. */
static bool same_seg(const struct state *st, u64 a)
{
	return ((a - 1) & ~st->bmask) == (a & ~st->bmask);
}

static u64 min_room(const struct state *st, u64 a, u64 l)
{
	u64 room = seg_room(st, a);

	if (room && room < l)
		l = room;
	return l;
}

/*
 * The storage layout, modelled independently of range_list.c: a chunk
 * holds 62 words after its 16-byte header; an entry takes one word when
 * start and length are 4 KiB multiples, the start is below 2^52 and the
 * length at most 2^35, else two words below 2^62 bytes, else three.  A
 * merge that would widen the last entry past the end of its chunk starts
 * a new entry instead, which is why the layout decides the entry count.
 */
#define M_WORDS	((512 - 16) / 8)

static unsigned int m_width(u64 a, u64 l)
{
	if (!((a | l) & 4095) && a < (1ULL << 52) && l <= (1ULL << 35))
		return 1;
	return l < (1ULL << 62) ? 2 : 3;
}

struct layout {
	unsigned int used;	/* words in the last chunk; M_WORDS: none */
	unsigned int last;	/* word index of the last entry */
};

static void m_new(struct vec *out, struct layout *lo, u64 a, u64 l)
{
	unsigned int w = m_width(a, l);

	if (lo->used + w > M_WORDS)
		lo->used = 0;
	lo->last = lo->used;
	lo->used += w;
	vec_push(out, a, l);
}

/*
 * split_on_read stores a range whole: merged into the last entry when
 * contiguous (unless widening it would overflow its chunk), else new.
 */
static void m_append_whole(const struct state *st, struct vec *out,
			   struct layout *lo, u64 a, u64 l)
{
	struct rng *last = out->n ? &out->r[out->n - 1] : NULL;

	if (st->cfg.coalesce && last && contiguous(last, a)) {
		unsigned int ow = m_width(last->addr, last->len);
		unsigned int nw = m_width(last->addr, last->len + l);

		if (nw <= ow || lo->last + nw <= M_WORDS) {
			last->len += l;
			lo->used = lo->last + nw;
			return;
		}
	}
	m_new(out, lo, a, l);
}

/*
 * Cut stored entries into the pieces the iterators hand out; stop past
 * the entry limit (a stored entry may stand for 2^50 pieces).
 */
static void m_split(const struct state *st, const struct vec *in,
		    struct vec *out)
{
	out->n = 0;
	for (size_t i = 0; i < in->n; i++) {
		u64 a = in->r[i].addr, l = in->r[i].len;

		while (l && out->n <= st->cfg.max_entries) {
			u64 part = min_room(st, a, l < st->maxseg ? l :
					    st->maxseg);

			vec_push(out, a, part);
			a += part;
			l -= part;
		}
	}
}

/* Add (@a, @l) to the modelled entries @out, exactly as the list would. */
static void m_append(const struct state *st, struct vec *out,
		     struct layout *lo, u64 a, u64 l)
{
	if (st->split) {
		m_append_whole(st, out, lo, a, l);
		return;
	}
	while (l) {
		struct rng *last = out->n ? &out->r[out->n - 1] : NULL;
		u64 part = 0;

		if (st->cfg.coalesce && last && contiguous(last, a) &&
		    last->len < st->maxseg && same_seg(st, a)) {
			unsigned int ow = m_width(last->addr, last->len), nw;

			part = st->maxseg - last->len;
			part = min_room(st, a, part < l ? part : l);
			nw = m_width(last->addr, last->len + part);
			if (nw > ow && lo->last + nw > M_WORDS) {
				part = 0;
			} else {
				last->len += part;
				lo->used = lo->last + nw;
			}
		}
		if (!part) {
			part = min_room(st, a, l < st->maxseg ? l : st->maxseg);
			m_new(out, lo, a, part);
			/* Past any real list: enough for a mismatch. */
			if (out->n > st->cfg.max_entries)
				return;
		}
		a += part;
		l -= part;
	}
}

/* Exact entries (as handed out) of the list built from the model. */
static void expected(struct state *st, struct vec *out)
{
	struct layout lo = { .used = M_WORDS };
	struct vec *sto = st->split ? &st->stored : out;

	sto->n = 0;
	for (size_t i = 0; i < st->model.n; i++)
		m_append(st, sto, &lo, st->model.r[i].addr, st->model.r[i].len);
	if (st->split)
		m_split(st, sto, out);
}

/*
 * Entries the list would hold after also appending @n ranges of @len at
 * @addrs; more than max_entries means the append must fail with -E2BIG.
 */
static size_t predict_count(struct state *st, const u64 *addrs,
			    unsigned int n, u64 len)
{
	struct vec *out = st->split ? &st->stored : &st->b;
	struct layout lo = { .used = M_WORDS };

	out->n = 0;
	for (size_t i = 0; i < st->model.n && out->n <= st->cfg.max_entries;
	     i++)
		m_append(st, out, &lo, st->model.r[i].addr, st->model.r[i].len);
	for (unsigned int i = 0; i < n && out->n <= st->cfg.max_entries; i++)
		m_append(st, out, &lo, addrs[i], len);
	if (!st->split)
		return out->n;
	/* Stored entries never outnumber pieces: stopping early is fine. */
	m_split(st, out, &st->b);
	return st->b.n;
}

static void check_list(struct state *st)
{
	struct vec *act = &st->a, *exp = &st->b;
	u64 sum = 0, bits = 0;

	snapshot(&st->pl, act);
	expected(st, exp);
	if (act->n != phys_list_count(&st->pl))
		FAIL(st, "count %lu iterated %zu", phys_list_count(&st->pl),
		     act->n);
	for (size_t i = 0; i < act->n; i++) {
		const struct rng *r = &act->r[i];

		sum += r->len;
		bits |= r->addr | r->len;
		if (!r->len || r->len > st->maxseg ||
		    ((r->addr | r->len) & (st->align - 1)) ||
		    r->len - 1 > (r->addr | st->bmask) - r->addr)
			FAIL(st, "bad entry %zu", i);
	}
	if (sum != phys_list_len(&st->pl) || sum != st->total)
		FAIL(st, "length %llu/%llu/%llu", (unsigned long long)sum,
		     (unsigned long long)phys_list_len(&st->pl),
		     (unsigned long long)st->total);
	/*
	 * phys_list_aligned() may only err towards false: the kept bits hold
	 * every entry's, and exactly those while nothing merges.  Stored
	 * whole, pieces start at sums the kept bits do not hold; the claims
	 * checked below are what counts.
	 */
	if (!st->split && (st->pl.rl.bits & bits) != bits)
		FAIL(st, "alignment bits %llx miss %llx",
		     (unsigned long long)st->pl.rl.bits,
		     (unsigned long long)bits);
	if (!st->split && !st->cfg.coalesce && st->pl.rl.bits != bits)
		FAIL(st, "alignment bits %llx, entries have %llx",
		     (unsigned long long)st->pl.rl.bits,
		     (unsigned long long)bits);
	for (u64 a = 2; a && a <= (1ULL << 40); a <<= 1)
		if (phys_list_aligned(&st->pl, a) && (bits & (a - 1)))
			FAIL(st, "aligned to %llu claimed", (unsigned long long)a);
	/* Coalescing or not, the model knows every entry. */
	if (act->n != exp->n)
		FAIL(st, "%zu entries, model says %zu", act->n, exp->n);
	else if (!vec_eq(act, exp))
		FAIL(st, "entries differ from the model");
	if (!st->cfg.coalesce)
		return;
	canon(act, &st->c);
	canon(exp, &st->d);
	if (!vec_eq(&st->c, &st->d))
		FAIL(st, "byte streams differ");
	if (act->n < exp->n)
		FAIL(st, "fewer entries than possible");
}

static const uint8_t *dp, *dend;

static u64 get(unsigned int bytes)
{
	u64 v = 0;

	while (bytes-- && dp < dend)
		v = v << 8 | *dp++;
	return v;
}

static void pick_range(struct state *st, u64 *addr, u64 *len)
{
	unsigned int sel = get(1);
	u64 end = 0;

	if (st->model.n) {
		const struct rng *r = &st->model.r[st->model.n - 1];

		end = r->addr + r->len;
	}
	switch (sel & 7) {
	case 0:
		*addr = get(2) << 12;
		*len = (get(1) + 1) << 12;
		break;
	case 1:
		*addr = end;
		*len = (sel & 8) ? (get(1) + 1) << 12 : get(2) + 1;
		break;
	case 2:
		*addr = get(8);
		*len = get(8) >> (get(1) & 63);
		break;
	case 3:
		*addr = U64_MAX - get(2);
		*len = get(2);
		break;
	case 4:
		*addr = (1ULL << 52) - (get(1) << 12);
		*len = (get(1) + 1) << 12;
		break;
	case 5:
		*addr = get(3) << 12;
		*len = (1ULL << 35) + ((u64)(int8_t)get(1) << 12);
		break;
	case 6:
		*addr = get(4);
		*len = get(2);
		break;
	default:
		*addr = (sel & 8) ? end : get(5);
		*len = (sel & 16) ? 0 : (1ULL << 62) - (get(1) & 3);
		break;
	}
	if (sel & 0x80) {
		*addr &= ~(st->align - 1);
		*len &= ~(st->align - 1);
	}
}

/* Upper bound of the entries an append of @len creates. */
static u64 pieces(struct state *st, u64 len)
{
	u64 n = len / st->maxseg + 2;

	if (st->bmask != U64_MAX)
		n += len / (st->bmask + 1) + 1;
	return n;
}

/* The model knows exactly whether the entry limit is hit. */
static void check_limit(struct state *st, const u64 *addrs, unsigned int n,
			u64 len, bool fail, int err)
{
	bool full = predict_count(st, addrs, n, len) > st->cfg.max_entries;
	bool nomem = err == -ENOMEM && (fail || harness_forbid);

	if (full && err != -E2BIG && !nomem)
		FAIL(st, "append past the entry limit: %d", err);
	if (!full && err && !nomem)
		FAIL(st, "append within the entry limit: %d", err);
}

static void do_append(struct state *st, u64 addr, u64 len, bool fail)
{
	u64 total;
	int want = 0, err;

	if (!len || ((addr | len) & (st->align - 1)))
		want = -EINVAL;
	else if (len - 1 > U64_MAX - addr)
		want = -EOVERFLOW;
	else if (__builtin_add_overflow(st->total, len, &total) ||
		 (st->cfg.max_len && total > st->cfg.max_len))
		want = -E2BIG;

	snapshot(&st->pl, &st->c);
	if (fail)
		harness_fail_in = 1;
	err = phys_list_append(&st->pl, addr, len, GFP_KERNEL);
	harness_fail_in = 0;
	if (want) {
		if (err != want)
			FAIL(st, "append %llx+%llx: %d, want %d",
			     (unsigned long long)addr, (unsigned long long)len,
			     err, want);
	} else if (err == -ENOMEM && !fail && !harness_forbid) {
		FAIL(st, "unexpected -ENOMEM");
	} else if (err == -E2BIG && !st->cfg.max_entries) {
		FAIL(st, "unexpected -E2BIG");
	} else if (err && err != -ENOMEM && err != -E2BIG) {
		FAIL(st, "append: %d", err);
	}
	if (err == -E2BIG && !want && !st->cfg.coalesce) {
		/* Without coalescing the entry count is exact. */
		u64 add = 0, a = addr, l = len;

		while (l && phys_list_count(&st->pl) + add <=
			    st->cfg.max_entries) {
			u64 part = min_room(st, a, l < st->maxseg ? l :
					    st->maxseg);

			add++;
			a += part;
			l -= part;
		}
		if (phys_list_count(&st->pl) + add <= st->cfg.max_entries)
			FAIL(st, "spurious entry limit");
	}
	if (!want)
		check_limit(st, &addr, 1, len, fail, err);
	if (err) {
		snapshot(&st->pl, &st->d);
		if (!vec_eq(&st->c, &st->d) || phys_list_len(&st->pl) != st->total)
			FAIL(st, "list changed by a failed append");
		return;
	}
	vec_push(&st->model, addr, len);
	st->total += len;
	if (!st->cfg.coalesce && st->cfg.max_entries &&
	    phys_list_count(&st->pl) > st->cfg.max_entries)
		FAIL(st, "entry limit exceeded");
}

/* Several ranges of one length at once: all or nothing. */
static void do_append_array(struct state *st, bool fail)
{
	u64 addrs[8], len, total = st->total;
	unsigned int n = get(1) % 9, i;
	bool valid = true;
	int err;

	pick_range(st, &addrs[0], &len);
	for (i = 1; i < n; i++) {
		u64 l;

		if (get(1) & 1)
			addrs[i] = addrs[i - 1] + len;
		else
			pick_range(st, &addrs[i], &l);
	}
	for (i = 0; i < n; i++) {
		if (!len || ((addrs[i] | len) & (st->align - 1)) ||
		    len - 1 > U64_MAX - addrs[i] ||
		    __builtin_add_overflow(total, len, &total) ||
		    (st->cfg.max_len && total > st->cfg.max_len))
			valid = false;
	}
	snapshot(&st->pl, &st->c);
	if (fail)
		harness_fail_in = 1;
	err = range_list_append_array(&st->pl.rl, addrs, n, len, U64_MAX,
				      GFP_KERNEL);
	harness_fail_in = 0;
	if (valid)
		check_limit(st, addrs, n, len, fail, err);
	if (!err) {
		if (!valid)
			FAIL(st, "bad array accepted");
		for (i = 0; i < n; i++)
			vec_push(&st->model, addrs[i], len);
		st->total = total;
		return;
	}
	if (valid && err != -E2BIG && !(err == -ENOMEM && fail))
		FAIL(st, "array append: %d", err);
	if (!valid && err != -EINVAL && err != -EOVERFLOW && err != -E2BIG &&
	    !(err == -ENOMEM && fail))
		FAIL(st, "array append: %d", err);
	snapshot(&st->pl, &st->d);
	if (!vec_eq(&st->c, &st->d) || phys_list_len(&st->pl) != st->total)
		FAIL(st, "list changed by a failed array append");
}

static void do_walk(struct state *st, struct phys_list_iter *pi)
{
	u64 off = get(8), len = get(8), o;
	struct vec *got = &st->c, *all = &st->a, *want = &st->b;
	phys_addr_t a;
	u64 l;
	int err;

	/* Mostly stay inside the list; the moduli must not wrap to 0. */
	if (st->total && st->total < U64_MAX && (off & 1))
		off %= st->total + 1;
	if ((len & 1) && off <= st->total && st->total - off < U64_MAX - 1)
		len %= st->total - off + 2;
	err = phys_list_iter_seek(pi, off, len);
	if (off > st->total || len > st->total - off) {
		if (err != -ERANGE)
			FAIL(st, "seek past end: %d", err);
		return;
	}
	if (err) {
		FAIL(st, "seek: %d", err);
		return;
	}
	got->n = 0;
	while (phys_list_iter_next(pi, &a, &l))
		vec_push(got, a, l);
	/* Cut the window out of the model's byte stream. */
	snapshot(&st->pl, all);
	want->n = 0;
	o = 0;
	for (size_t i = 0; i < all->n && len; i++) {
		const struct rng *r = &all->r[i];

		if (off < o + r->len) {
			u64 skip = off - o, take = r->len - skip;

			take = take < len ? take : len;
			vec_push(want, r->addr + skip, take);
			off += take;
			len -= take;
		}
		o += r->len;
	}
	if (!vec_eq(got, want))
		FAIL(st, "walk differs (%zu vs %zu pieces)", got->n, want->n);
}

static void do_prealloc(struct state *st)
{
	unsigned long n = get(1) & 63, used0 = phys_list_count(&st->pl);
	int k = get(1) & 7;

	if (phys_list_prealloc(&st->pl, n, GFP_KERNEL)) {
		FAIL(st, "prealloc failed");
		return;
	}
	harness_forbid = 1;
	while (k--) {
		u64 addr, len;
		long before = phys_list_count(&st->pl);

		pick_range(st, &addr, &len);
		forbidden_attempt = 0;
		do_append(st, addr, len, false);
		if (forbidden_attempt &&
		    before - used0 + pieces(st, len) <= n)
			FAIL(st, "allocated despite preallocation");
	}
	harness_forbid = 0;
}

static void do_rollback(struct state *st)
{
	struct range_list_mark m;
	int k = get(1) & 7;

	snapshot(&st->pl, &st->d);
	range_list_mark(&st->pl.rl, &m);
	while (k--) {
		u64 addr, len;

		pick_range(st, &addr, &len);
		phys_list_append(&st->pl, addr, len, GFP_KERNEL);
	}
	range_list_rollback(&st->pl.rl, &m);
	snapshot(&st->pl, &st->c);
	if (!vec_eq(&st->c, &st->d) || phys_list_len(&st->pl) != st->total)
		FAIL(st, "rollback did not restore the list");
}

long harness_run(const uint8_t *data, size_t size)
{
	static const u64 segs[] = { 0, 4096, 8192, 65536, 1ULL << 21, 12288,
				    1ULL << 35, 1ULL << 62 };
	static const u64 bounds[] = { 0, 0xfff, 0x1fff, 0xffff, 0x1fffff,
				      0xffffffff, 0xfffffffffULL, U64_MAX,
				      0x7, 0x12fff, 0xff0 };
	struct phys_list_iter pi;
	struct state st = { 0 };
	unsigned int ops = 0;
	u8 c;
	int err;

	dp = data;
	dend = data + size;
	c = get(1);
	st.cfg.coalesce = c & 1;
	st.cfg.max_segment = segs[(c >> 1) & 7];
	st.cfg.align = (c & 0x10) ? 1u << (get(1) % 13) : 0;
	if (st.cfg.align > 1)
		st.cfg.max_segment &= ~(u64)(st.cfg.align - 1);
	st.cfg.max_entries = (c & 0x20) ? get(1) + 1 : 4096;
	st.cfg.max_len = (c & 0x40) ? get(4) << 12 : 0;
	st.cfg.seg_boundary = (c & 0x80) ? bounds[get(1) % 11] : 0;
	st.cfg.split_on_read = get(1) & 1;
	/* Masks that are not 2^n - 1 or finer than the alignment: refused. */
	if ((st.cfg.seg_boundary & (st.cfg.seg_boundary + 1)) ||
	    (st.cfg.seg_boundary && st.cfg.seg_boundary + 1 != 0 &&
	     st.cfg.align > st.cfg.seg_boundary + 1)) {
		err = phys_list_init(&st.pl, &st.cfg);
		if (err != -EINVAL)
			FAIL(&st, "bad boundary %llx align %u: %d",
			     (unsigned long long)st.cfg.seg_boundary,
			     st.cfg.align, err);
		phys_list_free(&st.pl);
		st.cfg.seg_boundary = 0;
	}
	err = phys_list_init(&st.pl, &st.cfg);
	if (err) {
		FAIL(&st, "init: %d", err);
		return st.mismatches;
	}
	st.maxseg = st.cfg.max_segment ? st.cfg.max_segment : U64_MAX;
	st.bmask = st.cfg.seg_boundary ? st.cfg.seg_boundary : U64_MAX;
	st.align = st.cfg.align ? st.cfg.align : 1;
	st.split = st.cfg.split_on_read;
	phys_list_iter_init(&pi, &st.pl);

	while (dp < dend && ops++ < 256 && !st.mismatches) {
		u8 op = get(1);
		u64 addr, len;

		switch (op & 7) {
		case 0: case 1: case 2:
			if (op & 0x40) {
				do_append_array(&st, op & 0x80);
			} else {
				pick_range(&st, &addr, &len);
				do_append(&st, addr, len, op & 0x80);
			}
			phys_list_iter_init(&pi, &st.pl);
			break;
		case 3:
			do_prealloc(&st);
			phys_list_iter_init(&pi, &st.pl);
			break;
		case 4: case 5:
			do_walk(&st, &pi);
			break;
		case 6:
			do_rollback(&st);
			phys_list_iter_init(&pi, &st.pl);
			break;
		default:
			if (!(op & 0x80)) {
				/* Walk whole entries, then seek with it. */
				phys_addr_t a;
				u64 l, n = 0;

				phys_list_for_each(&st.pl, &pi, a, l)
					n += l + (a & 0);
				if (n != st.total)
					FAIL(&st, "for_each length");
			} else {
				phys_list_free(&st.pl);
				st.model.n = 0;
				st.total = 0;
				phys_list_iter_init(&pi, &st.pl);
			}
			break;
		}
		check_list(&st);
	}
	phys_list_free(&st.pl);
	free(st.model.r);
	free(st.a.r);
	free(st.b.r);
	free(st.c.r);
	free(st.d.r);
	free(st.stored.r);
	return st.mismatches;
}
