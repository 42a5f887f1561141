/*
 * pii_ac.c - Aho-Corasick multi-pattern automaton for known values.
 *
 * Patterns are inserted folded to lower case, so one automaton serves
 * case-insensitive and exact patterns alike; an exact pattern is verified
 * against the input bytes only when it matches (rare), which keeps the
 * scan to one pass.  Input bytes are first mapped to a byte class (the
 * distinct folded bytes that occur in any pattern, plus class 0 for all
 * others), so tables are as wide as the pattern alphabet, not 256.
 *
 * Transition representation (compact, with failure links precomputed
 * into a DFA where it matters):
 * - states up to depth PII_AC_DENSE_DEPTH have a full row over the byte
 *   classes, every entry resolved through the failure links at compile
 *   time, so the root and its near children never fail;
 * - deeper states (almost always one child: the tail of one value) keep
 *   their children as a sorted (class, target) array; a miss follows the
 *   failure link, which always reaches a dense state eventually.
 * Each byte costs one table lookup or one small binary search, plus
 * failure steps that are amortized to at most one per input byte (each
 * step lowers the depth, and the depth grows by at most one per byte).
 * Neither depends on how many patterns were added.
 *
 * Outputs: a state's own pattern chain plus a dictionary-suffix link to
 * the nearest failure ancestor that ends a pattern.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pii_int.h"

#define PII_AC_DENSE_DEPTH 2
#define NONE UINT32_MAX

struct ac_pat {
	uint32_t off, len;	/* bytes in pats (as given) */
	uint32_t id;
	uint32_t next;		/* next pattern ending in the same state */
	uint8_t nocase, bound;
};

/* A compiled state: one cache line holds all a step needs. */
struct ac_state {
	int32_t dense;		/* row index, or -1: sparse */
	uint32_t edge_off;	/* first edge (sparse and dense alike) */
	uint32_t fail;
	uint32_t pat;		/* first pattern ending here, NONE */
	uint32_t dict;		/* nearest failure ancestor with output, 0 */
	uint16_t nedge;
	uint16_t out;		/* pat != NONE || dict != 0 */
};

struct ac_edge {
	uint32_t to;
	uint8_t cls;
};

struct pii_ac {
	/* build trie */
	uint32_t *b_child, *b_sib;
	uint8_t *b_label;	/* folded byte on the edge into the state */
	uint8_t *b_depth;	/* saturates at 255 */
	size_t nstates, capstates;

	uint8_t *pbytes;
	size_t plen, pcap;
	struct ac_pat *pats;
	size_t npats, cappats;
	uint32_t *s_pat;	/* per build state: first pattern, NONE */

	/* compiled: states renumbered in BFS order, so the shallow states
	 * that most bytes visit sit together in memory */
	bool compiled;
	uint8_t cls[256];
	unsigned nclass;
	struct ac_state *st;
	struct ac_edge *edges;
	uint32_t *rows;
	size_t ndense;
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

static int
new_state(struct pii_ac *ac, uint8_t label, uint8_t depth, uint32_t *ret)
{
	size_t cap = ac->capstates;

	if (ac->nstates >= UINT32_MAX - 1)
		return -ENOMEM;
	if (ac->nstates + 1 > cap) {
		size_t c1 = cap, c2 = cap, c3 = cap, c4 = cap, c5 = cap;

		if (grow((void **)&ac->b_child, &c1, ac->nstates + 1, 4) ||
		    grow((void **)&ac->b_sib, &c2, ac->nstates + 1, 4) ||
		    grow((void **)&ac->b_label, &c3, ac->nstates + 1, 1) ||
		    grow((void **)&ac->b_depth, &c4, ac->nstates + 1, 1) ||
		    grow((void **)&ac->s_pat, &c5, ac->nstates + 1, 4))
			return -ENOMEM;
		/* all five grew to the same size (same start, same need) */
		ac->capstates = c1;
	}
	ac->b_child[ac->nstates] = NONE;
	ac->b_sib[ac->nstates] = NONE;
	ac->b_label[ac->nstates] = label;
	ac->b_depth[ac->nstates] = depth;
	ac->s_pat[ac->nstates] = NONE;
	*ret = (uint32_t)ac->nstates++;
	return 0;
}

int
pii_ac_new(struct pii_ac **ret)
{
	struct pii_ac *ac;
	uint32_t root;

	if ((ac = calloc(1, sizeof(*ac))) == NULL)
		return -ENOMEM;
	if (new_state(ac, 0, 0, &root) != 0) {
		pii_ac_free(ac);
		return -ENOMEM;
	}
	*ret = ac;
	return 0;
}

struct pii_ac *
pii_ac_free(struct pii_ac *ac)
{
	if (ac == NULL)
		return NULL;
	free(ac->b_child);
	free(ac->b_sib);
	free(ac->b_label);
	free(ac->b_depth);
	free(ac->pbytes);
	free(ac->pats);
	free(ac->s_pat);
	free(ac->st);
	free(ac->edges);
	free(ac->rows);
	free(ac);
	return NULL;
}

int
pii_ac_add(struct pii_ac *ac, const void *pat, size_t len, bool nocase,
    enum pii_ac_bound bound, uint32_t id)
{
	const uint8_t *p = pat;
	uint32_t s = 0, c;
	size_t i;
	int r;

	if (ac->compiled || len == 0 || len > PII_AC_MAX_PATLEN)
		return -EINVAL;
	/* Bounded by len (≤ PII_AC_MAX_PATLEN). */
	for (i = 0; i < len; i++) {
		uint8_t l = fold(p[i]);

		/* Sibling lists are at most 256 long (one per byte value). */
		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c])
			if (ac->b_label[c] == l)
				break;
		if (c == NONE) {
			uint8_t d = ac->b_depth[s] == 255 ? 255 :
			    (uint8_t)(ac->b_depth[s] + 1);

			if ((r = new_state(ac, l, d, &c)) != 0)
				return r;
			ac->b_sib[c] = ac->b_child[s];
			ac->b_child[s] = c;
		}
		s = c;
	}
	if (grow((void **)&ac->pbytes, &ac->pcap, ac->plen + len, 1) ||
	    grow((void **)&ac->pats, &ac->cappats, ac->npats + 1,
	    sizeof(struct ac_pat)))
		return -ENOMEM;
	memcpy(ac->pbytes + ac->plen, p, len);
	ac->pats[ac->npats] = (struct ac_pat){
		.off = (uint32_t)ac->plen, .len = (uint32_t)len, .id = id,
		.next = ac->s_pat[s], .nocase = nocase, .bound = (uint8_t)bound,
	};
	ac->plen += len;
	ac->s_pat[s] = (uint32_t)ac->npats++;
	return 0;
}

/* Transition used at compile time and in the scan: dense row or sparse
 * edges, following failure links on a miss. */
static inline uint32_t
step(const struct pii_ac *ac, uint32_t s, uint8_t x)
{
	/* Bounded: every failure step lowers the depth; dense root stops it. */
	for (;;) {
		const struct ac_state *t = &ac->st[s];

		if (t->dense >= 0)
			return ac->rows[(size_t)t->dense * ac->nclass + x];
		{
			uint32_t lo = t->edge_off, hi = lo + t->nedge;

			/* Binary search over at most nclass edges. */
			while (lo < hi) {
				uint32_t mid = lo + (hi - lo) / 2;

				if (ac->edges[mid].cls == x)
					return ac->edges[mid].to;
				if (ac->edges[mid].cls < x)
					lo = mid + 1;
				else
					hi = mid;
			}
		}
		s = t->fail;
	}
}

static int
cmp_edge(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

int
pii_ac_compile(struct pii_ac *ac)
{
	size_t n = ac->nstates, i, nedges = 0, head = 0, tail = 0;
	uint32_t *queue = NULL, *newid = NULL;
	uint64_t *tmp = NULL;
	int r = -ENOMEM;

	if (ac->compiled)
		return -EINVAL;
	/* Byte classes: one per folded byte used by a pattern. */
	memset(ac->cls, 0, sizeof(ac->cls));
	ac->nclass = 1;
	for (i = 1; i < n; i++) {
		uint8_t l = ac->b_label[i];

		if (ac->cls[l] == 0)
			ac->cls[l] = (uint8_t)ac->nclass++;
		if (ac->nclass > 255)
			return -EINVAL;	/* cannot happen: ≤ 230 folded bytes */
	}
	for (i = 'A'; i <= 'Z'; i++)
		ac->cls[i] = ac->cls[i - 'A' + 'a'];

	ac->st = calloc(n, sizeof(*ac->st));
	ac->edges = calloc(n, sizeof(*ac->edges));
	queue = malloc(n * sizeof(uint32_t));
	newid = malloc(n * sizeof(uint32_t));
	tmp = malloc(256 * sizeof(uint64_t));
	if (!ac->st || !ac->edges || !queue || !newid || !tmp)
		goto out;

	/* BFS order gives the new state numbers. */
	queue[tail++] = 0;
	newid[0] = 0;
	while (head < tail) {
		uint32_t s = queue[head++], c;

		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c]) {
			newid[c] = (uint32_t)tail;
			queue[tail++] = c;
		}
	}
	/* States and their sorted edge lists, in the new numbering. */
	for (head = 0; head < tail; head++) {
		uint32_t s = queue[head], c;
		struct ac_state *t = &ac->st[head];
		size_t k = 0;

		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c])
			tmp[k++] = (uint64_t)ac->cls[ac->b_label[c]] << 32 |
			    newid[c];
		qsort(tmp, k, sizeof(uint64_t), cmp_edge);
		t->edge_off = (uint32_t)nedges;
		t->nedge = (uint16_t)k;
		for (size_t j = 0; j < k; j++) {
			ac->edges[nedges].cls = (uint8_t)(tmp[j] >> 32);
			ac->edges[nedges].to = (uint32_t)tmp[j];
			nedges++;
		}
		t->pat = ac->s_pat[s];
		t->dense = ac->b_depth[s] <= PII_AC_DENSE_DEPTH ?
		    (int32_t)ac->ndense++ : -1;
	}
	if ((ac->rows = malloc(ac->ndense * ac->nclass *
	    sizeof(uint32_t))) == NULL)
		goto out;

	/* Failure links and dense rows, parents before children. */
	for (head = 0; head < tail; head++) {
		struct ac_state *t = &ac->st[head];
		uint32_t s = (uint32_t)head;

		if (t->dense >= 0) {
			uint32_t *row = ac->rows + (size_t)t->dense * ac->nclass;

			for (unsigned x = 0; x < ac->nclass; x++)
				row[x] = s == 0 ? 0 : step(ac, t->fail,
				    (uint8_t)x);
			for (uint32_t j = 0; j < t->nedge; j++)
				row[ac->edges[t->edge_off + j].cls] =
				    ac->edges[t->edge_off + j].to;
		}
		for (uint32_t j = 0; j < t->nedge; j++) {
			const struct ac_edge *ed = &ac->edges[t->edge_off + j];
			struct ac_state *cs = &ac->st[ed->to];
			uint32_t f = s == 0 ? 0 : step(ac, t->fail, ed->cls);

			cs->fail = f;
			cs->dict = ac->st[f].pat != NONE ? f : ac->st[f].dict;
			cs->out = cs->pat != NONE || cs->dict != 0;
		}
	}
	ac->compiled = true;
	/* The build lists are not needed any more. */
	free(ac->b_child);
	free(ac->b_sib);
	free(ac->s_pat);
	free(ac->b_label);
	free(ac->b_depth);
	ac->b_child = ac->b_sib = ac->s_pat = NULL;
	ac->b_label = ac->b_depth = NULL;
	r = 0;
out:
	free(queue);
	free(newid);
	free(tmp);
	return r;
}

static bool
report(const struct pii_ac *ac, uint32_t s, const uint8_t *buf, size_t len,
    size_t end, pii_ac_cb *cb, void *arg)
{
	/* Dictionary links strictly lower the depth: bounded by pattern length. */
	for (uint32_t t = ac->st[s].pat != NONE ? s : ac->st[s].dict; t != 0;
	    t = ac->st[t].dict) {
		/* Chain of patterns ending here: as many as were added. */
		for (uint32_t p = ac->st[t].pat; p != NONE;
		    p = ac->pats[p].next) {
			const struct ac_pat *pt = &ac->pats[p];
			size_t start = end - pt->len;
			const uint8_t *pb = ac->pbytes + pt->off;

			if (!pt->nocase && memcmp(buf + start, pb, pt->len) != 0)
				continue;
			if (pt->bound == PII_AC_BOUND_ALNUM &&
			    ((start > 0 && is_alnum(pb[0]) &&
			    is_alnum(buf[start - 1])) ||
			    (end < len && is_alnum(pb[pt->len - 1]) &&
			    is_alnum(buf[end]))))
				continue;
			if (pt->bound == PII_AC_BOUND_DIGIT &&
			    ((start > 0 && is_digit(pb[0]) &&
			    is_digit(buf[start - 1])) ||
			    (end < len && is_digit(pb[pt->len - 1]) &&
			    is_digit(buf[end]))))
				continue;
			if (!cb(arg, pt->id, start, end))
				return false;
		}
	}
	return true;
}

void
pii_ac_scan(const struct pii_ac *ac, const uint8_t *buf, size_t len,
    pii_ac_cb *cb, void *arg)
{
	uint32_t s = 0;

	if (!ac->compiled)
		return;
	/* One step per input byte. */
	for (size_t i = 0; i < len; i++) {
		uint8_t x = ac->cls[buf[i]];

		s = x == 0 ? 0 : step(ac, s, x);
		if (ac->st[s].out &&
		    !report(ac, s, buf, len, i + 1, cb, arg))
			return;
	}
}

size_t
pii_ac_npatterns(const struct pii_ac *ac)
{
	return ac->npats;
}

size_t
pii_ac_nstates(const struct pii_ac *ac)
{
	return ac->nstates;
}

size_t
pii_ac_memory(const struct pii_ac *ac)
{
	return ac->nstates * (sizeof(struct ac_state) + sizeof(struct ac_edge) +
	    2) +
	    ac->ndense * ac->nclass * 4 + ac->plen +
	    ac->npats * sizeof(struct ac_pat);
}
