/*
 * pii_ac.c - Aho-Corasick multi-pattern automaton for known values.
 *
 * Patterns are inserted folded to lower case, so one automaton serves
 * case-insensitive and exact patterns alike; an exact pattern is verified
 * against the input bytes only when it matches (rare), which keeps the
 * scan to one pass.  Input bytes are first mapped to a byte class (the
 * distinct folded bytes that occur in any pattern, plus class 0 for all
 * others, which always leads back to the root), so tables are as wide as
 * the pattern alphabet, not 256.
 *
 * Almost every state is deep in the tail of one value (digests share
 * only their first few characters), so the layout is built around chains:
 * - dense states (depth up to PII_AC_DENSE_DEPTH, one level more while
 *   that stays under PII_AC_DENSE_EXTRA states) come first, breadth-first,
 *   each with a full row over the byte classes resolved through the
 *   failure links at compile time, so they never fail;
 * - listed states (a branch below the dense levels) come next, with a
 *   sorted (class, target) edge list;
 * - chain states (one child, itself a chain or a leaf) come last and are
 *   numbered along their chain, so the only child of chain state s is
 *   s + 1: such a state is one byte (the class into its child, 0 for a
 *   leaf) plus its failure link, and a walk down a value's tail reads
 *   consecutive bytes.
 * Outputs are a bitmap over the states with a rank index into the
 * (first pattern, dictionary-suffix link) pairs of the output states.
 *
 * Per state that is about 5 bytes, instead of a 28-byte record and an
 * 8-byte edge.  Each input byte costs one row lookup, one small binary
 * search or one byte compare, plus failure steps amortized to at most one
 * per input byte (each lowers the depth, and the depth grows by at most
 * one per byte); none of it depends on the number of patterns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pii_int.h"

#define PII_AC_DENSE_DEPTH 2
#define PII_AC_DENSE_EXTRA 4096
#define NONE UINT32_MAX
/* A chain state packs its failure link, output flag and child class in
 * one word; automata with more states or classes than that allows keep
 * every non-dense state listed instead. */
#define CH_CLASS 0x7fu
#define CH_OUT 0x80u
#define CH_MAX_STATES (1u << 24)
#define CH_MAX_CLASS 128

struct ac_pat {
	uint32_t off, len;	/* bytes in pats (as given) */
	uint32_t id;
	uint32_t next;		/* next pattern ending in the same state */
	uint8_t nocase, bound;
};

struct ac_edge {
	uint32_t to;
	uint8_t cls;
};

/* A listed state: what a miss needs sits in one record. */
struct ac_list {
	uint32_t fail;
	uint32_t off;		/* first edge */
	uint32_t n;		/* edges */
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

	/* compiled: [0, ndense) dense, [ndense, nlisted) listed, the rest
	 * chain states */
	bool compiled;
	uint8_t cls[256];
	unsigned nclass;
	size_t ndense, nlisted;
	uint32_t *rows;		/* ndense rows of nclass targets */
	struct ac_list *list;	/* listed states */
	struct ac_edge *edges;
	size_t nedges;
	uint32_t *chain;	/* chain state: fail << 8 | output << 7 |
				 * class into s + 1 (0: leaf) */
	uint32_t *fail;		/* dense states */
	uint64_t *outbits;	/* state has output */
	uint32_t *outrank;	/* output states before each word */
	uint32_t *o_pat;	/* output state (by rank): first pattern, NONE */
	uint32_t *o_dict;	/* nearest failure ancestor ending a pattern */
	size_t nout;
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
	free(ac->rows);
	free(ac->list);
	free(ac->edges);
	free(ac->chain);
	free(ac->fail);
	free(ac->outbits);
	free(ac->outrank);
	free(ac->o_pat);
	free(ac->o_dict);
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

/*
 * Transition used at compile time and in the scan: dense row, listed
 * edges or the chain byte, following failure links on a miss.  Class 0
 * occurs in no pattern and leads to the root.
 */
static inline uint32_t
step(const struct pii_ac *ac, uint32_t s, uint8_t x)
{
	if (x == 0)
		return 0;
	/* Bounded: every failure step lowers the depth; dense root stops it. */
	for (;;) {
		if (s < ac->ndense)
			return ac->rows[(size_t)s * ac->nclass + x];
		if (s < ac->nlisted) {
			const struct ac_list *l = &ac->list[s - ac->ndense];
			uint32_t lo = l->off, hi = lo + l->n;

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
			s = l->fail;
		} else {
			uint32_t w = ac->chain[s - ac->nlisted];

			if ((w & CH_CLASS) == x)
				return s + 1;
			s = w >> 8;
		}
	}
}

static inline bool
has_out(const struct pii_ac *ac, uint32_t s)
{
	if (s >= ac->nlisted)
		return ac->chain[s - ac->nlisted] & CH_OUT;
	return (ac->outbits[s >> 6] >> (s & 63)) & 1;
}

/* Rank of output state s among the output states. */
static inline uint32_t
out_idx(const struct pii_ac *ac, uint32_t s)
{
	uint64_t below = ac->outbits[s >> 6] & ((1ull << (s & 63)) - 1);

	return ac->outrank[s >> 6] + (uint32_t)__builtin_popcountll(below);
}

static int
cmp_edge(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* Kinds of non-dense build states, decided bottom-up. */
enum {
	K_DENSE = 0,
	K_LISTED,
	K_CHAIN,	/* one child, a chain or a leaf */
	K_LEAF,
};

int
pii_ac_compile(struct pii_ac *ac)
{
	size_t n = ac->nstates, i, head = 0, tail = 0, next, nl, words;
	size_t depth_cnt[4] = { 0 };
	uint32_t *queue = NULL, *newid = NULL, *pat = NULL, *dict = NULL;
	uint16_t *nch = NULL;
	uint8_t *kind = NULL;
	uint64_t *tmp = NULL;
	unsigned dense_depth = PII_AC_DENSE_DEPTH;
	int r = -ENOMEM;

	if (ac->compiled)
		return -EINVAL;
	if (n >= UINT32_MAX)
		return -ENOMEM;
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

	queue = malloc(n * sizeof(uint32_t));
	newid = malloc(n * sizeof(uint32_t));
	nch = calloc(n, sizeof(uint16_t));
	kind = malloc(n);
	tmp = malloc(256 * sizeof(uint64_t));
	if (!queue || !newid || !nch || !kind || !tmp)
		goto out;

	/* Breadth-first order (depth never decreases along the queue). */
	queue[tail++] = 0;
	while (head < tail) {
		uint32_t s = queue[head++], c;

		if (ac->b_depth[s] <= 3)
			depth_cnt[ac->b_depth[s]]++;
		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c]) {
			nch[s]++;
			queue[tail++] = c;
		}
	}
	if (depth_cnt[0] + depth_cnt[1] + depth_cnt[2] + depth_cnt[3] <=
	    PII_AC_DENSE_EXTRA)
		dense_depth++;
	/* Kinds, children before parents. */
	for (i = n; i-- > 0;) {
		uint32_t s = queue[i];

		if (ac->b_depth[s] <= dense_depth)
			kind[s] = K_DENSE;
		else if (n >= CH_MAX_STATES || ac->nclass > CH_MAX_CLASS)
			kind[s] = K_LISTED;
		else if (nch[s] == 0)
			kind[s] = K_LEAF;
		else if (nch[s] == 1 && kind[ac->b_child[s]] >= K_CHAIN)
			kind[s] = K_CHAIN;
		else
			kind[s] = K_LISTED;
	}
	/* Numbering: dense, then listed (both breadth-first), then each
	 * chain below a dense or listed parent, along the chain. */
	next = 0;
	for (i = 0; i < n; i++)
		if (kind[queue[i]] == K_DENSE)
			newid[queue[i]] = (uint32_t)next++;
	ac->ndense = next;
	for (i = 0; i < n; i++)
		if (kind[queue[i]] == K_LISTED)
			newid[queue[i]] = (uint32_t)next++;
	ac->nlisted = next;
	for (i = 0; i < n; i++) {
		uint32_t s = queue[i], c;

		if (kind[s] >= K_CHAIN)
			continue;
		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c]) {
			uint32_t t = c;

			if (kind[c] < K_CHAIN)
				continue;
			/* A chain ends in a leaf: at most its depth. */
			for (;;) {
				newid[t] = (uint32_t)next++;
				if (kind[t] == K_LEAF)
					break;
				t = ac->b_child[t];
			}
		}
	}
	if (next != n) {
		r = -EINVAL;	/* cannot happen: every state has a parent */
		goto out;
	}

	nl = ac->nlisted - ac->ndense;
	words = (n + 63) / 64;
	ac->rows = malloc((ac->ndense * ac->nclass + 1) * sizeof(uint32_t));
	ac->list = calloc(nl + 1, sizeof(*ac->list));
	ac->chain = malloc((n - ac->nlisted + 1) * sizeof(uint32_t));
	ac->fail = calloc(ac->ndense, sizeof(uint32_t));
	ac->outbits = calloc(words, sizeof(uint64_t));
	ac->outrank = malloc(words * sizeof(uint32_t));
	pat = malloc(n * sizeof(uint32_t));
	dict = calloc(n, sizeof(uint32_t));
	if (!ac->rows || !ac->list || !ac->chain || !ac->fail ||
	    !ac->outbits || !ac->outrank || !pat || !dict)
		goto out;
	/* Edges of listed states (their children), and chain bytes. */
	ac->nedges = 0;
	for (i = 0; i < n; i++) {
		uint32_t s = queue[i], ns = newid[s];

		pat[ns] = ac->s_pat[s];
		if (kind[s] == K_LISTED)
			ac->nedges += nch[s];
		else if (kind[s] >= K_CHAIN)
			ac->chain[ns - ac->nlisted] = kind[s] == K_LEAF ? 0 :
			    ac->cls[ac->b_label[ac->b_child[s]]];
	}
	if ((ac->edges = malloc((ac->nedges + 1) *
	    sizeof(struct ac_edge))) == NULL)
		goto out;
	ac->nedges = 0;
	for (i = 0; i < n; i++) {
		uint32_t s = queue[i], c;
		size_t k = 0, li;

		if (kind[s] != K_LISTED)
			continue;
		li = newid[s] - ac->ndense;
		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c])
			tmp[k++] = (uint64_t)ac->cls[ac->b_label[c]] << 32 |
			    newid[c];
		qsort(tmp, k, sizeof(uint64_t), cmp_edge);
		ac->list[li].off = (uint32_t)ac->nedges;
		ac->list[li].n = (uint32_t)k;
		for (size_t j = 0; j < k; j++) {
			ac->edges[ac->nedges].cls = (uint8_t)(tmp[j] >> 32);
			ac->edges[ac->nedges].to = (uint32_t)tmp[j];
			ac->nedges++;
		}
	}

	/* Failure links, dictionary links and dense rows, parents before
	 * children (breadth-first). */
	for (i = 0; i < n; i++) {
		uint32_t s = queue[i], ns = newid[s], c;
		uint32_t fs = ns < ac->ndense ? ac->fail[ns] :
		    ns < ac->nlisted ? ac->list[ns - ac->ndense].fail :
		    ac->chain[ns - ac->nlisted] >> 8;

		if (kind[s] == K_DENSE) {
			uint32_t *row = ac->rows + (size_t)ns * ac->nclass;

			for (unsigned x = 0; x < ac->nclass; x++)
				row[x] = ns == 0 ? 0 : step(ac, fs,
				    (uint8_t)x);
			for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c])
				row[ac->cls[ac->b_label[c]]] = newid[c];
		}
		for (c = ac->b_child[s]; c != NONE; c = ac->b_sib[c]) {
			uint32_t nc = newid[c];
			uint32_t f = ns == 0 ? 0 : step(ac, fs,
			    ac->cls[ac->b_label[c]]);

			if (nc < ac->ndense)
				ac->fail[nc] = f;
			else if (nc < ac->nlisted)
				ac->list[nc - ac->ndense].fail = f;
			else
				ac->chain[nc - ac->nlisted] |= f << 8;
			dict[nc] = pat[f] != NONE ? f : dict[f];
		}
	}
	/* Output states: a pattern ends here or at a failure ancestor. */
	ac->nout = 0;
	for (i = 0; i < n; i++) {
		if (i % 64 == 0)
			ac->outrank[i / 64] = (uint32_t)ac->nout;
		if (pat[i] != NONE || dict[i] != 0) {
			ac->outbits[i / 64] |= 1ull << (i % 64);
			if (i >= ac->nlisted)
				ac->chain[i - ac->nlisted] |= CH_OUT;
			ac->nout++;
		}
	}
	ac->o_pat = malloc((ac->nout + 1) * sizeof(uint32_t));
	ac->o_dict = malloc((ac->nout + 1) * sizeof(uint32_t));
	if (!ac->o_pat || !ac->o_dict)
		goto out;
	for (i = 0, next = 0; i < n; i++) {
		if (pat[i] != NONE || dict[i] != 0) {
			ac->o_pat[next] = pat[i];
			ac->o_dict[next] = dict[i];
			next++;
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
	free(nch);
	free(kind);
	free(tmp);
	free(pat);
	free(dict);
	return r;
}

static bool
report(const struct pii_ac *ac, uint32_t s, const uint8_t *buf, size_t len,
    size_t end, pii_ac_cb *cb, void *arg)
{
	uint32_t o = out_idx(ac, s);
	uint32_t t = ac->o_pat[o] != NONE ? s : ac->o_dict[o];

	/* Dictionary links strictly lower the depth: bounded by pattern length. */
	while (t != 0) {
		uint32_t ot = out_idx(ac, t);

		/* Chain of patterns ending here: as many as were added. */
		for (uint32_t p = ac->o_pat[ot]; p != NONE;
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
		t = ac->o_dict[ot];
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
		s = step(ac, s, ac->cls[buf[i]]);
		if (has_out(ac, s) && !report(ac, s, buf, len, i + 1, cb, arg))
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
	size_t words = (ac->nstates + 63) / 64;

	return ac->ndense * ac->nclass * sizeof(uint32_t) +
	    (ac->nlisted - ac->ndense) * sizeof(struct ac_list) +
	    ac->nedges * sizeof(struct ac_edge) +
	    ac->ndense * sizeof(uint32_t) +
	    (ac->nstates - ac->nlisted) * sizeof(uint32_t) +
	    words * (sizeof(uint64_t) + sizeof(uint32_t)) +
	    ac->nout * 2 * sizeof(uint32_t) +
	    ac->plen + ac->npats * sizeof(struct ac_pat);
}
