/*
 * pii_ac.c - multi-pattern search for known values: a cache-resident
 * filter over short windows of the input, then verification of the few
 * candidates it lets through (Rabin-Karp / Wu-Manber style).
 *
 * This used to be an Aho-Corasick automaton.  Its work per byte was
 * constant, but each step was a load that depended on the previous one,
 * and with every form of every value as a pattern (200,000 of them for
 * 500 identities) the states were tens of MiB: each input byte that
 * walked a little way into the trie waited for a cache miss, so the cost
 * per byte grew with the number of identities (3 ns for 5, 16-19 for 500).
 *
 * Now every pattern has one anchor, a window of L of its bytes (L is the
 * shortest pattern length clamped to WIN_MIN..WIN_MAX, so 8 or 6 for the
 * engine's forms).  The scan reads the L bytes at each input position
 * with one 8-byte load, hashes them and probes a blocked Bloom filter
 * (six bits of one 64-bit word) built from the anchors.  A probe depends
 * only on the input, never on the previous probe, so the CPU overlaps
 * them.  The filter holds FILTER_BITS bits per anchor, 32 KiB at least:
 * a fixed-size filter cannot stay selective for 200,000 anchors, this
 * one keeps its false-positive rate (about 0.1% of input bytes) at any
 * size.  For 5 identities it sits in L1, for 500 (1 MiB) in L2, which
 * is what is left of the growth: 1.2 vs 1.6 ns per byte.  Only on a
 * filter hit is the window looked up in a hash table of (anchor,
 * pattern) pairs and each pattern with that anchor verified byte for
 * byte: folded compare, exact-case check, boundaries.
 *
 * Case: patterns fold to lower case as before.  The filter and the table
 * see windows with bit 0x20 set in every byte, a fold that also pairs
 * some punctuation and control bytes ('@' and '`'); it only has to keep a
 * letter and its other case together, verification is exact.
 *
 * Anchor choice: the window of a pattern that is rarest among all windows
 * of all patterns (counted in a byte-wide sketch), so the e-mail domains
 * and URL escapes that thousands of forms share do not become one long
 * candidate list checked at every "gmail.com" of the traffic; ties go to
 * the later window.  Patterns shorter than WIN_MIN are their own anchor,
 * in one class per length (never the case for the engine's forms, which
 * are 6 bytes or more); each class has its own filter and table, and
 * with more than one class the scan takes the slower general loop.
 *
 * Order: callers see exactly what the automaton reported, in its order:
 * by end, at one end longer patterns first, among patterns of one length
 * the later added first (pii.c keeps the first encoding of a value it
 * sees and stops at max_hits, so the order shows).  A pattern anchored
 * before its end is found before the scan reaches that end, so verified
 * matches wait in a queue sorted that way and go out once the scan is
 * past their end; reports are later within a scan, never different.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pii_int.h"

#define WIN_MIN 4		/* shorter patterns are their own anchor */
#define WIN_MAX 8		/* one 64-bit load */
#define NCLASS WIN_MIN		/* [0]: L bytes; [n]: patterns of n < WIN_MIN */
#define FILTER_MIN_LOG2 12	/* words: 32 KiB */
#define FILTER_MAX_LOG2 24	/* words: 128 MiB, far beyond any identity list */
#define FILTER_BITS 32		/* per anchor: well under 1% false positives */
#define MASK_BITS 3		/* per table entry; two entries per anchor */
#define FOLD8 0x2020202020202020ull
#define HASH_MUL 0x9e3779b97f4a7c15ull
#define PEND_STACK 64		/* queued matches before the queue mallocs */

struct ac_pat {
	uint32_t off;		/* bytes in pbytes (as given) */
	uint16_t len;		/* ≤ PII_AC_MAX_PATLEN */
	uint16_t aoff;		/* anchor: bytes [aoff, aoff + class length) */
	uint32_t id;
	uint8_t cls, nocase, bound;
};

/* One (anchor, pattern) pair; a bucket's pairs are contiguous. */
struct ac_cand {
	uint64_t win;		/* folded anchor bytes, first byte lowest */
	uint32_t pat;
};

struct ac_class {
	unsigned wlen;		/* window length (0: class unused) */
	uint64_t fmask;		/* filter words - 1 */
	unsigned tshift;	/* 64 - log2(buckets) */
	uint64_t *filter;
	uint32_t *bucket;	/* first pair of each bucket, then the end */
	struct ac_cand *cand;
	size_t nwords, nbuckets, ncand, nanchors;
};

struct pii_ac {
	uint8_t *pbytes;
	size_t plen, pcap;
	struct ac_pat *pats;
	size_t npats, cappats;
	bool compiled;
	uint64_t masks[256];	/* filter bits, by a byte of the hash */
#ifdef OUTFLOW_TESTING
	unsigned test_flog2, test_tlog2;	/* pii_ac_test_sizes */
#endif
	struct ac_class cls[NCLASS];
	unsigned active[NCLASS];	/* classes in use */
	unsigned nactive;
};

/* Matches found, waiting until the scan is past their end. */
struct pend {
	size_t end;
	uint32_t pat;
};

struct pendq {
	struct pend *v;
	size_t head, n, cap;
	const struct pii_ac *ac;
	pii_ac_cb *cb;
	void *arg;
	struct pend stack[PEND_STACK];
};

static uint8_t
fold(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c;
}

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int
grow(void **p, size_t *cap, size_t need, size_t elsize)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if ((q = realloc(*p, n * elsize)) == NULL)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static unsigned
log2_ceil(size_t n)
{
	unsigned l = 0;

	while (l < 63 && ((size_t)1 << l) < n)
		l++;
	return l;
}

static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* The n bytes ending at buf + e (e ≥ 8), folded, first byte lowest
 * (the main loop loads from the window's start instead, and masks). */
static inline uint64_t
window(const uint8_t *buf, size_t e, unsigned n)
{
	return (load_le64(buf + e - 8) | FOLD8) >> (64 - 8 * n);
}

/* The same for any e ≥ n: the first bytes of a buffer, and anchors. */
static uint64_t
window_slow(const uint8_t *buf, size_t e, unsigned n)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < n; i++)
		x |= (uint64_t)(buf[e - n + i] | 0x20) << (8 * i);
	return x;
}

/*
 * The window ending at e + 1 from x, the one ending at e: the first byte
 * drops out of the bottom, buf[e] comes in at the top.  Reading past the
 * pattern is the caller's to avoid (e < its length).
 */
static inline uint64_t
window_next(uint64_t x, const uint8_t *buf, size_t e, unsigned n)
{
	return x >> 8 | (uint64_t)(buf[e] | 0x20) << (8 * (n - 1));
}

/* Every bit from 24 up depends on every byte of the window. */
static inline uint64_t
hash(uint64_t x)
{
	return (x ^ x >> 32) * HASH_MUL;
}

/*
 * Filter word: bits 40 and up of the hash.  Its bits: two masks of
 * MASK_BITS bits from a table, picked by bytes 3 and 4 of the hash.
 * Shifts by constants and a table instead of shifts by variables, which
 * cost several micro-ops each on x86 without BMI2 (the whole loop took
 * twice as long): this is done for every input byte.  Two picks rather
 * than one: from a single table of n masks a probe draws the very mask
 * of an anchor in its word 1 time in n, a false positive however many
 * bits the masks have; two picks make that 1 in n * n.
 */
#define FWORD(h, wmask) ((h) >> (64 - FILTER_MAX_LOG2) & (wmask))
#define FBITS(masks, h) ((masks)[(uint8_t)((h) >> 24)] | \
	(masks)[(uint8_t)((h) >> 32)])

static inline bool
maybe(const struct pii_ac *ac, const struct ac_class *c, uint64_t h)
{
	uint64_t m = FBITS(ac->masks, h);

	return (c->filter[FWORD(h, c->fmask)] & m) == m;
}

/* 256 masks of MASK_BITS distinct bits each, from a fixed sequence. */
static void
make_masks(uint64_t *masks)
{
	uint64_t r = 0x243f6a8885a308d3ull;

	for (size_t i = 0; i < 256; i++) {
		uint64_t m = 0;

		/* Bounded: each round sets a new bit with p ≥ 62/64. */
		while (__builtin_popcountll(m) < MASK_BITS) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			m |= 1ull << (r >> 58);
		}
		masks[i] = m;
	}
}

int
pii_ac_new(struct pii_ac **ret)
{
	struct pii_ac *ac;

	if ((ac = calloc(1, sizeof(*ac))) == NULL)
		return -ENOMEM;
	*ret = ac;
	return 0;
}

struct pii_ac *
pii_ac_free(struct pii_ac *ac)
{
	if (ac == NULL)
		return NULL;
	for (unsigned k = 0; k < NCLASS; k++) {
		free(ac->cls[k].filter);
		free(ac->cls[k].bucket);
		free(ac->cls[k].cand);
	}
	free(ac->pbytes);
	free(ac->pats);
	free(ac);
	return NULL;
}

int
pii_ac_add(struct pii_ac *ac, const void *pat, size_t len, bool nocase,
    enum pii_ac_bound bound, uint32_t id)
{
	if (ac->compiled || len == 0 || len > PII_AC_MAX_PATLEN)
		return -EINVAL;
	if (ac->plen + len > UINT32_MAX || ac->npats >= UINT32_MAX - 1)
		return -ENOMEM;
	if (grow((void **)&ac->pbytes, &ac->pcap, ac->plen + len, 1) ||
	    grow((void **)&ac->pats, &ac->cappats, ac->npats + 1,
	    sizeof(struct ac_pat)))
		return -ENOMEM;
	memcpy(ac->pbytes + ac->plen, pat, len);
	ac->pats[ac->npats] = (struct ac_pat){
		.off = (uint32_t)ac->plen, .len = (uint16_t)len, .id = id,
		.nocase = nocase, .bound = (uint8_t)bound,
	};
	ac->plen += len;
	ac->npats++;
	return 0;
}

#ifdef OUTFLOW_TESTING
void
pii_ac_test_sizes(struct pii_ac *ac, unsigned filter_log2,
    unsigned table_log2)
{
	ac->test_flog2 = filter_log2 > FILTER_MAX_LOG2 ? FILTER_MAX_LOG2 :
	    filter_log2;
	ac->test_tlog2 = table_log2 > 31 ? 31 : table_log2;
}
#endif

/*
 * Anchors of the L-byte class: count every window of every pattern in a
 * sketch (one saturating byte per slot, about one window per slot, so a
 * count is its window's sharing plus a little noise), then give each
 * pattern its least counted window, the later one on a tie.
 */
static int
choose_anchors(struct pii_ac *ac, unsigned L)
{
	size_t total = 0, shift;
	uint8_t *cnt;

	for (size_t i = 0; i < ac->npats; i++)
		if (ac->pats[i].cls == 0)
			total += ac->pats[i].len - L + 1;
	shift = 64 - log2_ceil(total < 1024 ? 1024 : total);
	if ((cnt = calloc((size_t)1 << (64 - shift), 1)) == NULL)
		return -ENOMEM;
	/* Windows per pattern: at most PII_AC_MAX_PATLEN. */
	for (size_t i = 0; i < ac->npats; i++) {
		const struct ac_pat *p = &ac->pats[i];
		const uint8_t *pb = ac->pbytes + p->off;
		uint64_t x;

		if (p->cls != 0 || p->len < L)
			continue;
		x = window_slow(pb, L, L);
		for (size_t e = L;; x = window_next(x, pb, e++, L)) {
			uint8_t *c = &cnt[hash(x) >> shift];

			if (*c < UINT8_MAX)
				(*c)++;
			if (e == p->len)
				break;
		}
	}
	for (size_t i = 0; i < ac->npats; i++) {
		struct ac_pat *p = &ac->pats[i];
		const uint8_t *pb = ac->pbytes + p->off;
		unsigned best = UINT8_MAX + 1;
		uint64_t x;

		if (p->cls != 0 || p->len < L)
			continue;
		x = window_slow(pb, L, L);
		for (size_t e = L;; x = window_next(x, pb, e++, L)) {
			unsigned c = cnt[hash(x) >> shift];

			if (c <= best) {
				best = c;
				p->aoff = (uint16_t)(e - L);
			}
			if (e == p->len)
				break;
		}
	}
	free(cnt);
	return 0;
}

static int
cmp_cand(const void *a, const void *b)
{
	const struct ac_cand *x = a, *y = b;

	if (x->win != y->win)
		return x->win < y->win ? -1 : 1;
	return (x->pat > y->pat) - (x->pat < y->pat);
}

/* Filter and candidate table of one class (its patterns' anchors set). */
static int
build_class(struct pii_ac *ac, unsigned k)
{
	struct ac_class *c = &ac->cls[k];
	unsigned flog, tlog;
	size_t n = 0, i;

	for (i = 0; i < ac->npats; i++)
		if (ac->pats[i].cls == k)
			n++;
	flog = log2_ceil(n * FILTER_BITS / 64);
	if (flog < FILTER_MIN_LOG2)
		flog = FILTER_MIN_LOG2;
	if (flog > FILTER_MAX_LOG2)
		flog = FILTER_MAX_LOG2;
	tlog = log2_ceil(n);
#ifdef OUTFLOW_TESTING
	if (ac->test_flog2)
		flog = ac->test_flog2;
	if (ac->test_tlog2)
		tlog = ac->test_tlog2;
#endif
	if (tlog < 1)
		tlog = 1;	/* a shift by 64 would be undefined */
	if (flog < 1)
		flog = 1;
	free(c->filter);
	free(c->bucket);
	free(c->cand);
	c->nwords = (size_t)1 << flog;
	c->nbuckets = (size_t)1 << tlog;
	c->fmask = c->nwords - 1;
	c->tshift = 64 - tlog;
	c->ncand = n;
	c->filter = calloc(c->nwords, sizeof(uint64_t));
	c->bucket = calloc(c->nbuckets + 1, sizeof(uint32_t));
	c->cand = malloc((n + 1) * sizeof(struct ac_cand));
	if (!c->filter || !c->bucket || !c->cand)
		return -ENOMEM;
	/* Counting sort by bucket: sizes, then ends, then fill backwards,
	 * which leaves each bucket's start behind. */
	for (i = 0; i < ac->npats; i++) {
		const struct ac_pat *p = &ac->pats[i];
		uint64_t h;

		if (p->cls != k)
			continue;
		h = hash(window_slow(ac->pbytes + p->off, p->aoff + c->wlen,
		    c->wlen));
		c->filter[FWORD(h, c->fmask)] |= FBITS(ac->masks, h);
		c->bucket[h >> c->tshift]++;
	}
	for (size_t b = 0, sum = 0; b < c->nbuckets; b++) {
		sum += c->bucket[b];
		c->bucket[b] = (uint32_t)sum;
	}
	c->bucket[c->nbuckets] = (uint32_t)n;
	for (i = 0; i < ac->npats; i++) {
		const struct ac_pat *p = &ac->pats[i];
		uint64_t w;
		uint32_t at;

		if (p->cls != k)
			continue;
		w = window_slow(ac->pbytes + p->off, p->aoff + c->wlen,
		    c->wlen);
		at = --c->bucket[hash(w) >> c->tshift];
		c->cand[at].win = w;
		c->cand[at].pat = (uint32_t)i;
	}
	/* Equal anchors next to each other: counts distinct ones, and a
	 * hit reads one run. */
	c->nanchors = 0;
	for (size_t b = 0; b < c->nbuckets; b++) {
		uint32_t lo = c->bucket[b], hi = c->bucket[b + 1];

		if (hi - lo > 1)
			qsort(c->cand + lo, hi - lo, sizeof(*c->cand),
			    cmp_cand);
		for (uint32_t j = lo; j < hi; j++)
			if (j == lo || c->cand[j].win != c->cand[j - 1].win)
				c->nanchors++;
	}
	return 0;
}

int
pii_ac_compile(struct pii_ac *ac)
{
	unsigned L = WIN_MAX + 1;
	int r;

	if (ac->compiled)
		return -EINVAL;
	for (size_t i = 0; i < ac->npats; i++)
		if (ac->pats[i].len >= WIN_MIN && ac->pats[i].len < L)
			L = ac->pats[i].len;
	if (L > WIN_MAX)
		L = WIN_MAX;
	for (size_t i = 0; i < ac->npats; i++) {
		struct ac_pat *p = &ac->pats[i];

		p->cls = p->len >= WIN_MIN ? 0 : (uint8_t)p->len;
		p->aoff = 0;
	}
	for (unsigned k = 0; k < NCLASS; k++)
		ac->cls[k].wlen = k == 0 ? L : k;
	if ((r = choose_anchors(ac, L)) != 0)
		return r;
	make_masks(ac->masks);
	ac->nactive = 0;
	for (unsigned k = 0; k < NCLASS; k++) {
		bool used = false;

		for (size_t i = 0; i < ac->npats && !used; i++)
			used = ac->pats[i].cls == k;
		if (!used)
			continue;
		if ((r = build_class(ac, k)) != 0)
			return r;
		ac->active[ac->nactive++] = k;
	}
	ac->compiled = true;
	return 0;
}

/* ------------------------------------------------------------- scan */

/* Order of the automaton: end, then longer, then added later. */
static bool
before(const struct pii_ac *ac, const struct pend *a, const struct pend *b)
{
	if (a->end != b->end)
		return a->end < b->end;
	if (ac->pats[a->pat].len != ac->pats[b->pat].len)
		return ac->pats[a->pat].len > ac->pats[b->pat].len;
	return a->pat > b->pat;
}

/* Report queued matches ending at or before limit; false: caller stops. */
static bool
flush(struct pendq *q, size_t limit)
{
	/* Bounded by the queue length. */
	while (q->head < q->n && q->v[q->head].end <= limit) {
		const struct pend *m = &q->v[q->head++];
		const struct ac_pat *p = &q->ac->pats[m->pat];

		if (!q->cb(q->arg, p->id, m->end - p->len, m->end))
			return false;
	}
	if (q->head == q->n)
		q->head = q->n = 0;
	return true;
}

static bool
push(struct pendq *q, size_t end, uint32_t pat)
{
	struct pend m = { .end = end, .pat = pat };
	size_t i;

	if (q->n == q->cap && q->head > 0) {
		memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
		q->n -= q->head;
		q->head = 0;
	}
	if (q->n == q->cap) {
		size_t nc = q->cap * 2;
		struct pend *nv = q->v == q->stack ?
		    malloc(nc * sizeof(*nv)) : realloc(q->v, nc * sizeof(*nv));

		if (nv == NULL) {
			/* Out of memory: the earliest match goes out now,
			 * perhaps before a later one that ends earlier. */
			const struct ac_pat *p = &q->ac->pats[q->v[0].pat];

			if (!q->cb(q->arg, p->id, q->v[0].end - p->len,
			    q->v[0].end))
				return false;
			memmove(q->v, q->v + 1, (q->n - 1) * sizeof(*q->v));
			q->n--;
		} else {
			if (q->v == q->stack)
				memcpy(nv, q->stack, q->n * sizeof(*nv));
			q->v = nv;
			q->cap = nc;
		}
	}
	/* Insertion from the back: matches mostly arrive in order. */
	for (i = q->n; i > q->head && before(q->ac, &m, &q->v[i - 1]); i--)
		q->v[i] = q->v[i - 1];
	q->v[i] = m;
	q->n++;
	return true;
}

static bool
verify(const struct pii_ac *ac, const struct ac_pat *p, const uint8_t *buf,
    size_t len, size_t start)
{
	const uint8_t *pb = ac->pbytes + p->off, *in = buf + start;
	size_t end = start + p->len;

	if (p->nocase) {
		/* Bounded by the pattern length. */
		for (size_t i = 0; i < p->len; i++)
			if (fold(in[i]) != fold(pb[i]))
				return false;
	} else if (memcmp(in, pb, p->len) != 0)
		return false;
	if (p->bound == PII_AC_BOUND_ALNUM &&
	    ((start > 0 && is_alnum(pb[0]) && is_alnum(buf[start - 1])) ||
	    (end < len && is_alnum(pb[p->len - 1]) && is_alnum(buf[end]))))
		return false;
	if (p->bound == PII_AC_BOUND_DIGIT &&
	    ((start > 0 && is_digit(pb[0]) && is_digit(buf[start - 1])) ||
	    (end < len && is_digit(pb[p->len - 1]) && is_digit(buf[end]))))
		return false;
	return true;
}

/*
 * A filter hit for the window x (hash h) of class c ending at e: queue
 * every pattern anchored there that matches.  Everything queued that ends
 * before e is final (later windows find only later ends) and goes out
 * first.  False: the callback stopped the scan.
 */
static __attribute__((noinline)) bool
hit(const struct pii_ac *ac, const struct ac_class *c, struct pendq *q,
    const uint8_t *buf, size_t len, size_t e, uint64_t x, uint64_t h)
{
	uint32_t lo = c->bucket[h >> c->tshift];
	uint32_t hi = c->bucket[(h >> c->tshift) + 1];

	if (!flush(q, e - 1))
		return false;
	/* Bounded by the patterns sharing the bucket. */
	for (uint32_t j = lo; j < hi; j++) {
		const struct ac_pat *p;
		size_t start, end;

		if (c->cand[j].win != x)
			continue;
		p = &ac->pats[c->cand[j].pat];
		if (e < c->wlen + p->aoff)
			continue;
		start = e - c->wlen - p->aoff;
		end = start + p->len;
		if (end > len || !verify(ac, p, buf, len, start))
			continue;
		if (!push(q, end, c->cand[j].pat))
			return false;
	}
	return true;
}

/* Every class at e: several classes, short buffers, the last windows. */
static bool
probe_all(const struct pii_ac *ac, struct pendq *q, const uint8_t *buf,
    size_t len, size_t e)
{
	for (unsigned k = 0; k < ac->nactive; k++) {
		const struct ac_class *c = &ac->cls[ac->active[k]];
		uint64_t x, h;

		if (e < c->wlen)
			continue;
		x = e >= 8 ? window(buf, e, c->wlen) :
		    window_slow(buf, e, c->wlen);
		h = hash(x);
		if (maybe(ac, c, h) && !hit(ac, c, q, buf, len, e, x, h))
			return false;
	}
	return true;
}

/*
 * The one-class loop over the windows starting at [0, len - 7) (an
 * 8-byte load from each stays in buf): one probe per input byte, the
 * whole point of the filter.  keep masks the load to the window length;
 * inlined with a constant, so the common length 8 costs no mask.
 */
static inline __attribute__((always_inline)) bool
scan_one(const struct pii_ac *ac, const struct ac_class *c, struct pendq *q,
    const uint8_t *buf, size_t len, uint64_t keep)
{
	const uint64_t *filter = c->filter, *masks = ac->masks;
	uint64_t wmask = c->fmask;
	size_t n = len - 7, p = 0;
	unsigned wl = c->wlen;

#define WIN(at) ((load_le64(buf + (at)) | FOLD8) & keep)
#define PROBE(at) do {							\
	uint64_t h_ = hash(WIN(at)), m_ = FBITS(masks, h_);		\
									\
	if ((filter[FWORD(h_, wmask)] & m_) == m_ &&			\
	    !hit(ac, c, q, buf, len, (at) + wl, WIN(at), h_))		\
		return false;						\
} while (0)
	/* Unrolled by four: the loop's own instructions are a fair part
	 * of the work per byte.  A filter past L1 (many identities) costs
	 * an L2 access per probe; prefetching a few windows ahead was
	 * tried and bought nothing, the probes overlap well enough. */
	for (; p + 4 <= n; p += 4) {
		PROBE(p);
		PROBE(p + 1);
		PROBE(p + 2);
		PROBE(p + 3);
	}
	for (; p < n; p++)
		PROBE(p);
	return true;
#undef WIN
#undef PROBE
}

void
pii_ac_scan(const struct pii_ac *ac, const uint8_t *buf, size_t len,
    pii_ac_cb *cb, void *arg)
{
	struct pendq q;
	size_t e = 1;

	if (!ac->compiled || ac->nactive == 0)
		return;
	q.v = q.stack;
	q.head = q.n = 0;
	q.cap = PEND_STACK;
	q.ac = ac;
	q.cb = cb;
	q.arg = arg;
	if (ac->nactive == 1 && len >= 8) {
		const struct ac_class *c = &ac->cls[ac->active[0]];
		bool ok = c->wlen == 8 ?
		    scan_one(ac, c, &q, buf, len, ~0ull) :
		    scan_one(ac, c, &q, buf, len,
		    (1ull << (8 * c->wlen)) - 1);

		if (!ok)
			goto out;
		/* The last windows end past the last full 8-byte load. */
		e = len - 8 + c->wlen + 1;
	}
	/* Several classes, or the ends of a buffer: any window, slower. */
	for (; e <= len; e++)
		if (!probe_all(ac, &q, buf, len, e))
			goto out;
	flush(&q, SIZE_MAX);
out:
	if (q.v != q.stack)
		free(q.v);
}

size_t
pii_ac_npatterns(const struct pii_ac *ac)
{
	return ac->npats;
}

size_t
pii_ac_nstates(const struct pii_ac *ac)
{
	size_t n = 0;

	for (unsigned k = 0; k < ac->nactive; k++)
		n += ac->cls[ac->active[k]].nanchors;
	return n;
}

size_t
pii_ac_memory(const struct pii_ac *ac)
{
	size_t n = ac->plen + ac->npats * sizeof(struct ac_pat);

	for (unsigned k = 0; k < ac->nactive; k++) {
		const struct ac_class *c = &ac->cls[ac->active[k]];

		n += c->nwords * sizeof(uint64_t) +
		    (c->nbuckets + 1) * sizeof(uint32_t) +
		    c->ncand * sizeof(struct ac_cand);
	}
	return n;
}
