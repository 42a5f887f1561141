/*
 * policy_judge.c - judge a flow against the compiled rules and fill in
 * the findings.
 *
 * A judgement collects the candidate rules from the index (the flow's app
 * id, the categories it sent, its three countries, its ASN, each suffix
 * of its server name) plus the unanchored rules, tries each once in load
 * order and reports those that hold and have not fired on the flow yet.
 * Everything a finding says comes from the redacted record.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "applayer.h"
#include "detect.h"
#include "iso3166.h"
#include "pii.h"
#include "policy_int.h"

#define FLOW_DATA_KEPT	32	/* distinct (category, place, kind) */
#define FLOW_FIRED_INLINE 2	/* rules fired, kept in the flow's block */
#define FLOW_FIRED_MAX	4096	/* beyond: counted, and may fire again */

/* What a flow sent, as data conditions test it. */
struct policy_fact {
	uint8_t category;		/* index in pii_category_names() */
	uint8_t where;			/* enum pii_where */
	uint8_t known;			/* a household's own value */
	uint8_t confidence;		/* highest seen */
};

/* Small: most open flows have one, most never send data nor fire. */
struct policy_flow {
	uint8_t n_data, cap_data;
	uint16_t n_fired, cap_fired;
	/*
	 * What the last judgements saw: a rule is tried again only when
	 * something it looks at changed (who and where: inputs; what was
	 * sent: data_version), or at the end when it counts bytes.
	 */
	bool inputs_judged;		/* rules without data, at inputs */
	bool data_judged;		/* rules with data, at both */
	uint64_t inputs;		/* signature of who and where */
	uint32_t data_version;		/* bumped by each new fact */
	uint32_t data_judged_version;
	uint64_t *fired;		/* rule id hashes: inline, then heap */
	struct policy_fact *data;	/* heap, grown by doubling */
	uint64_t inline_fired[FLOW_FIRED_INLINE];
};

#define DOMAIN_SUFFIXES 16	/* labels of a server name tried */

/* The flow's strings, folded and hashed once for all the rules tried. */
struct flow_keys {
	struct lc_key app, vendor, operator, device;
	char domain[256];
	size_t domain_len;
	uint16_t suffix[DOMAIN_SUFFIXES];	/* offsets, longest first */
	uint32_t suffix_hash[DOMAIN_SUFFIXES];
	unsigned n_suffixes;
	uint64_t inputs;		/* all a rule looks at but data, counters */
	uint64_t categories;		/* bits: every category the flow sent */
	uint64_t mac;			/* mac_num() of the client's; or ~0 */
	uint64_t domain_bloom;		/* bloom_bit() of each suffix */
	uint64_t facts[GF__COUNT];	/* what gates test */
};

struct policy_state {
	uint32_t *stamp;		/* per rule: gen of the last judgement */
	uint32_t *cand;
	uint32_t cap;
	uint32_t gen;
	struct policy_counters c;
	struct flow_keys keys;		/* of the flow being judged */
	char title[1024];
};


struct policy_state *
policy_state_new(void)
{
	return calloc(1, sizeof(struct policy_state));
}

struct policy_state *
policy_state_free(struct policy_state *s)
{
	if (s != NULL) {
		free(s->stamp);
		free(s->cand);
		free(s);
	}
	return NULL;
}

void
policy_state_counters(const struct policy_state *s,
    struct policy_counters *ret)
{
	*ret = s->c;
}

void
policy_flow_free(struct policy_flow *pf)
{
	if (pf != NULL && pf->fired != pf->inline_fired)
		free(pf->fired);
	if (pf != NULL)
		free(pf->data);
	free(pf);
}

/* Remember that rule h fired on pf; false when it could not be kept. */
static bool
flow_fired_add(struct policy_flow *pf, uint64_t h)
{
	if (pf->n_fired == pf->cap_fired) {
		uint16_t cap = (uint16_t)(pf->cap_fired * 2);
		uint64_t *v;

		if (cap > FLOW_FIRED_MAX)
			return false;
		if ((v = malloc(cap * sizeof(*v))) == NULL)
			return false;
		memcpy(v, pf->fired, pf->n_fired * sizeof(*v));
		if (pf->fired != pf->inline_fired)
			free(pf->fired);
		pf->fired = v;
		pf->cap_fired = cap;
	}
	pf->fired[pf->n_fired++] = h;
	return true;
}

bool
policy_wants(const struct policy *p, enum policy_moment m)
{
	return p != NULL && (unsigned)m < 3 && p->want[m];
}

static struct policy_flow *
flow_state(struct policy_state *s, struct policy_flow **pf)
{
	if (*pf == NULL) {
		if ((*pf = calloc(1, sizeof(**pf))) == NULL) {
			s->c.flow_state_failed++;
			return NULL;
		}
		(*pf)->fired = (*pf)->inline_fired;
		(*pf)->cap_fired = FLOW_FIRED_INLINE;
	}
	return *pf;
}

static int
category_index(const char *cat)
{
	const char *const *names = pii_category_names();

	for (int i = 0; names[i] != NULL && i < 64; i++)
		if (strcmp(names[i], cat) == 0)
			return i;
	return -1;
}

void
policy_note_data(struct policy_state *s, struct policy_flow **pfp,
    const struct pii_obs *o)
{
	struct policy_flow *pf;
	int ci = category_index(o->category);
	uint8_t known = o->identity != NULL;

	if (ci < 0 || (pf = flow_state(s, pfp)) == NULL)
		return;
	for (unsigned i = 0; i < pf->n_data; i++)
		if (pf->data[i].category == ci && pf->data[i].where ==
		    o->where && pf->data[i].known == known) {
			if (o->confidence > pf->data[i].confidence) {
				pf->data[i].confidence = o->confidence;
				pf->data_version++;
			}
			return;
		}
	if (pf->n_data == pf->cap_data) {
		uint8_t cap = pf->cap_data ? (uint8_t)(pf->cap_data * 2) : 4;
		struct policy_fact *v;

		if (pf->n_data == FLOW_DATA_KEPT || (v = realloc(pf->data,
		    cap * sizeof(*v))) == NULL) {
			s->c.flow_state_failed++;
			return;
		}
		pf->data = v;
		pf->cap_data = cap;
	}
	pf->data[pf->n_data].category = (uint8_t)ci;
	pf->data[pf->n_data].where = (uint8_t)o->where;
	pf->data[pf->n_data].known = known;
	pf->data[pf->n_data].confidence = o->confidence;
	pf->n_data++;
	pf->data_version++;
}

/* ------------------------------------------------------- conditions */

struct judge {
	const struct flow_keys *k;
	const struct flow_record *r;
	const struct policy_flow *pf;
	uint64_t categories;		/* matched by data conditions */
	uint8_t jur_by;			/* JUR_BY_* that matched, 0: none */
	char jur_cc[3];
};

static bool
tri_ok(enum tri t, bool v)
{
	return t == TRI_ANY || (t == TRI_YES) == v;
}

static uint64_t
mix_key(uint64_t h, const struct lc_key *k)
{
	return hash_mix(h, k->len > 0 ? (uint64_t)k->len << 32 | k->hash : 0);
}

static uint64_t
mix_cc(uint64_t h, const char *cc)
{
	return hash_mix(h, country_num(cc));
}

/*
 * A signature of everything but data and counters that a condition may
 * test: the same signature, the same answer.  The rules themselves are
 * in it, so a reload judges afresh.
 */
static uint64_t
inputs_signature(const struct flow_keys *k, const struct policy *p,
    const struct flow_record *r)
{
	const struct flow *f = r->flow;
	uint64_t h = hash_mix((uint64_t)(uintptr_t)p, r->asn);

	h = mix_key(h, &k->app);
	h = mix_key(h, &k->vendor);
	h = mix_key(h, &k->operator);
	h = mix_key(h, &k->device);
	h = hash_mix(h, k->n_suffixes > 0 ? (uint64_t)k->domain_len << 32 |
	    k->suffix_hash[0] : 0);
	h = hash_mix(h, r->app_kind != NULL ? (unsigned char)r->app_kind[0] :
	    0);
	h = mix_cc(h, r->country);
	h = mix_cc(h, r->jur_location);
	h = mix_cc(h, r->jur_operator);
	h = mix_cc(h, r->jur_vendor);
	return hash_mix(h, (uint64_t)r->dest_local << 8 |
	    (f != NULL ? f->app_proto : 0xff));
}

/* Only what some rule looks at: each costs a hash. */
static void
keys_set(struct flow_keys *k, const struct policy *p,
    const struct flow_record *r, const struct policy_flow *pf)
{
	const char *d = r->domain;
	size_t len;

	k->categories = 0;
	for (unsigned i = 0; pf != NULL && i < pf->n_data; i++)
		k->categories |= (uint64_t)1 << pf->data[i].category;
	k->mac = r->flow != NULL && r->flow->has_mac ?
	    mac_num(r->flow->client_mac) : UINT64_MAX;
	k->domain_bloom = 0;

	lc_key_set(&k->app, r->app_id, r->app_id ? strlen(r->app_id) : 0);
	lc_key_set(&k->vendor, p->uses_vendor ? r->app_vendor : NULL,
	    p->uses_vendor && r->app_vendor ? strlen(r->app_vendor) : 0);
	lc_key_set(&k->operator, p->uses_operator ? r->operator_name : NULL,
	    p->uses_operator && r->operator_name ?
	    strlen(r->operator_name) : 0);
	lc_key_set(&k->device, p->uses_device ? r->device_name : NULL,
	    p->uses_device && r->device_name ? strlen(r->device_name) : 0);
	k->n_suffixes = 0;
	k->domain_len = 0;
	if (!p->uses_domain || d == NULL ||
	    (len = strlen(d)) >= sizeof(k->domain)) {
		k->inputs = inputs_signature(k, p, r);
		return;
	}
	if (len > 0 && d[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++)
		k->domain[i] = (char)tolower((unsigned char)d[i]);
	k->domain[len] = '\0';
	k->domain_len = len;
	for (size_t i = 0; i < len && k->n_suffixes < DOMAIN_SUFFIXES; i++)
		if (i == 0 || k->domain[i - 1] == '.') {
			k->suffix[k->n_suffixes] = (uint16_t)i;
			k->suffix_hash[k->n_suffixes] = str_hash(k->domain + i,
			    len - i);
			k->domain_bloom |= bloom_bit(
			    k->suffix_hash[k->n_suffixes++]);
		}
	k->inputs = inputs_signature(k, p, r);
}

static uint64_t
key_bloom(const struct lc_key *k)
{
	return k->len > 0 ? bloom_bit(k->hash) : 0;
}

static uint64_t
cc_bloom(const char *cc)
{
	return cc[0] != '\0' ? bloom_num(country_num(cc)) : 0;
}

/* The flow's facts as the gates of unanchored rules test them. */
static void
facts_set(struct flow_keys *k, const struct flow_record *r)
{
	const struct flow *f = r->flow;

	k->facts[GF_APP] = key_bloom(&k->app);
	k->facts[GF_VENDOR] = key_bloom(&k->vendor);
	k->facts[GF_CATEGORY] = k->categories;
	k->facts[GF_ASN] = r->asn != 0 ? (uint64_t)1 << (r->asn % 64) : 0;
	k->facts[GF_DOMAIN] = k->domain_bloom;
	k->facts[GF_COUNTRY] = cc_bloom(r->country) |
	    cc_bloom(r->jur_location) | cc_bloom(r->jur_operator) |
	    cc_bloom(r->jur_vendor);
	k->facts[GF_MAC] = k->mac == UINT64_MAX ? 0 :
	    bloom_num(k->mac) | bloom_num(k->mac & MAC_PREFIX_MASK);
	k->facts[GF_DEVICE] = key_bloom(&k->device);
	k->facts[GF_PROTO] = f != NULL ? (uint64_t)1 << f->app_proto : 0;
	k->facts[GF_SENT] = f != NULL ? f->bytes[FLOW_TO_SERVER] : 0;
	k->facts[GF_RECEIVED] = f != NULL ? f->bytes[FLOW_TO_CLIENT] : 0;
	k->facts[GF_DURATION] = f != NULL && f->last_us > f->first_us ?
	    f->last_us - f->first_us : 0;
}

static bool
gate_open(const struct gate *g, const struct flow_keys *k)
{
	if (g->facts == 0)
		return true;
	for (unsigned m = g->facts; m != 0; m &= m - 1) {
		unsigned f = (unsigned)__builtin_ctz(m);

		if (f < GF_COUNTERS ? (k->facts[f] & g->v[f]) != 0 :
		    k->facts[f] >= g->v[f])
			return true;
	}
	return false;
}

/* A domain suffix of the flow's server name is in s. */
static __attribute__((noinline)) bool
suffix_in(const struct strset *s, const struct flow_keys *k)
{
	if (!(s->bloom & k->domain_bloom))
		return false;
	for (unsigned i = 0; i < k->n_suffixes; i++) {
		struct lc_key q;

		q.s = k->domain + k->suffix[i];
		q.len = k->domain_len - k->suffix[i];
		q.hash = k->suffix_hash[i];
		if (strset_has_lc(s, &q))
			return true;
	}
	return false;
}

static bool
judge_app(const struct cond_app *a, const struct flow_record *r,
    const struct flow_keys *k)
{
	static const char *const kinds[] = { "app", "sdk", "os" };
	bool known = r->app_id != NULL;

	if (!tri_ok(a->known, known))
		return false;
	if (!known)
		return a->ids.n == 0 && a->kinds == 0 && a->vendors.n == 0 &&
		    !a->has_jur;
	if (a->ids.n > 0 && !strset_has_lc(&a->ids, &k->app))
		return false;
	if (a->kinds != 0) {
		unsigned i = 0;

		while (i < 3 && (r->app_kind == NULL ||
		    strcmp(r->app_kind, kinds[i]) != 0))
			i++;
		if (i == 3 || !(a->kinds & (1u << i)))
			return false;
	}
	if (a->vendors.n > 0 && !strset_has_lc(&a->vendors, &k->vendor))
		return false;
	return !a->has_jur || (r->jur_vendor[0] != '\0' &&
	    cset_has(&a->jur, r->jur_vendor));
}

static bool
judge_device(const struct cond_device *d, const struct flow_record *r,
    const struct flow_keys *k)
{
	if (d->names.n > 0 && !strset_has_lc(&d->names, &k->device))
		return false;
	if (d->n_macs > 0) {
		size_t i;

		if (k->mac == UINT64_MAX)
			return false;
		for (i = 0; i < d->n_macs; i++)
			if ((k->mac & d->macs[i].mask) == d->macs[i].value)
				break;
		if (i == d->n_macs)
			return false;
	}
	return true;
}

static bool
judge_data(const struct cond_data *d, struct judge *J)
{
	const struct policy_flow *pf = J->pf;
	bool hit = false;

	if (!(d->categories & J->k->categories))
		return false;
	for (unsigned i = 0; pf != NULL && i < pf->n_data; i++) {
		if (!((d->categories >> pf->data[i].category) & 1) ||
		    (d->where != 0 && !(d->where & (1u << pf->data[i].where))) ||
		    !tri_ok(d->known, pf->data[i].known) ||
		    pf->data[i].confidence < d->min_confidence)
			continue;
		J->categories |= (uint64_t)1 << pf->data[i].category;
		hit = true;
	}
	return hit;
}

static bool
judge_dest(const struct cond_dest *d, const struct flow_record *r,
    const struct flow_keys *k)
{
	if (d->has_country && (r->country[0] == '\0' ||
	    !cset_has(&d->country, r->country)))
		return false;
	if (d->asns.n > 0 && (r->asn == 0 || !u32set_has(&d->asns, r->asn)))
		return false;
	if (d->operators.n > 0 && !strset_has_lc(&d->operators, &k->operator))
		return false;
	if (d->has_op_jur && (r->jur_operator[0] == '\0' ||
	    !cset_has(&d->op_jur, r->jur_operator)))
		return false;
	if (d->domains.n > 0 && !suffix_in(&d->domains, k))
		return false;
	if (d->n_ports > 0) {
		size_t i = 0;

		while (i < d->n_ports && d->ports[i] != r->server_port)
			i++;
		if (i == d->n_ports)
			return false;
	}
	return tri_ok(d->local, r->dest_local) &&
	    tri_ok(d->located, r->country[0] != '\0');
}

static bool
judge_jur(const struct cond_jur *j, struct judge *J)
{
	const struct flow_record *r = J->r;
	const char *cc[3] = { r->jur_location, r->jur_operator, r->jur_vendor };

	for (unsigned i = 0; i < 3; i++)
		if ((j->by & (1u << i)) && cc[i][0] != '\0' &&
		    cset_has(&j->countries, cc[i])) {
			J->jur_by = (uint8_t)(1u << i);
			memcpy(J->jur_cc, cc[i], 3);
			return true;
		}
	return false;
}

static bool
judge_traffic(const struct cond_traffic *t, const struct flow_record *r)
{
	const struct flow *f = r->flow;
	uint64_t dur;
	bool enc;

	if (f == NULL)
		return false;
	enc = f->app_proto == APP_PROTO_TLS || f->app_proto == APP_PROTO_QUIC;
	dur = f->last_us > f->first_us ? f->last_us - f->first_us : 0;
	return (t->protocols == 0 || (t->protocols & (1u << f->app_proto))) &&
	    tri_ok(t->encrypted, enc) &&
	    f->bytes[FLOW_TO_SERVER] >= t->sent_min &&
	    f->bytes[FLOW_TO_SERVER] <= t->sent_max &&
	    f->bytes[FLOW_TO_CLIENT] >= t->recv_min &&
	    f->bytes[FLOW_TO_CLIENT] <= t->recv_max &&
	    dur >= t->dur_min && dur <= t->dur_max;
}

static bool judge_cond(const struct cond *c, struct judge *J);

/* What a negated condition matched is not evidence. */
static __attribute__((noinline)) bool
judge_not(const struct cond *c, const struct judge *J)
{
	struct judge inner = *J;

	return !judge_cond(c, &inner);
}

/* Nor is what a branch of "any" matched before it failed. */
static __attribute__((noinline)) bool
judge_branch(const struct cond *c, struct judge *J)
{
	struct judge inner = *J;

	if (!judge_cond(c, &inner))
		return false;
	*J = inner;
	return true;
}

/* A test of the flow; all, any and not are judge_cond()'s. */
static inline bool
judge_leaf(const struct cond *c, struct judge *J)
{
	switch (c->kind) {
	case COND_ALL:
	case COND_ANY:
	case COND_NOT:
		break;
	case COND_APP:
		return judge_app(&c->u.app, J->r, J->k);
	case COND_DEVICE:
		return judge_device(&c->u.device, J->r, J->k);
	case COND_DATA:
		return judge_data(&c->u.data, J);
	case COND_DEST:
		return judge_dest(&c->u.dest, J->r, J->k);
	case COND_JUR:
		return judge_jur(&c->u.jur, J);
	case COND_TRAFFIC:
		return judge_traffic(&c->u.traffic, J->r);
	}
	return false;
}

/* Leaves are tested in place: a call per combination, not per test. */
static bool
judge_cond(const struct cond *c, struct judge *J)
{
	const struct cond *k;

	switch (c->kind) {
	case COND_ALL:
		for (size_t i = 0; i < c->n_kids; i++) {
			k = c->kids[i];
			if (!(k->kind > COND_NOT ? judge_leaf(k, J) :
			    judge_cond(k, J)))
				return false;
		}
		return true;
	case COND_ANY:
		for (size_t i = 0; i < c->n_kids; i++) {
			k = c->kids[i];
			/* A leaf adds evidence only when it holds. */
			if (k->kind > COND_NOT ? judge_leaf(k, J) :
			    judge_branch(k, J))
				return true;
		}
		return false;
	case COND_NOT:
		return judge_not(c->kids[0], J);
	default:
		return judge_leaf(c, J);
	}
}

/* ------------------------------------------------------- candidates */

static int
state_fit(struct policy_state *s, uint32_t n)
{
	uint32_t *stamp, *cand;

	if (n <= s->cap)
		return 0;
	if ((stamp = calloc(n, sizeof(*stamp))) == NULL ||
	    (cand = malloc(n * sizeof(*cand))) == NULL) {
		free(stamp);
		return -ENOMEM;
	}
	free(s->stamp);
	free(s->cand);
	s->stamp = stamp;
	s->cand = cand;
	s->cap = n;
	s->gen = 0;
	return 0;
}

struct cands {
	struct policy_state *s;
	const struct policy *p;
	uint32_t n;
	unsigned allow;			/* bits: rule_flags values wanted */
};

static void
take(struct cands *c, const uint32_t *rules, uint32_t n)
{
	struct policy_state *s = c->s;
	const uint8_t *flags = c->p->rule_flags;

	for (uint32_t i = 0; i < n; i++)
		if (s->stamp[rules[i]] != s->gen) {
			s->stamp[rules[i]] = s->gen;
			if ((c->allow >> flags[rules[i]]) & 1)
				s->cand[c->n++] = rules[i];
		}
}

/* Rules on no anchor: those whose gate the flow passes. */
static void
take_gated(struct cands *c, const uint32_t *rules, uint32_t n,
    const struct flow_keys *k)
{
	struct policy_state *s = c->s;
	const struct policy *p = c->p;

	for (uint32_t i = 0; i < n; i++)
		if (((c->allow >> p->rule_flags[rules[i]]) & 1) &&
		    gate_open(&p->gates[rules[i]], k)) {
			s->stamp[rules[i]] = s->gen;
			s->cand[c->n++] = rules[i];
		}
}

/* The rules that need no more of a counter than the flow has. */
static void
take_thresholds(struct cands *c, const struct threshold *t, uint32_t n,
    uint64_t value)
{
	struct policy_state *s = c->s;

	for (uint32_t i = 0; i < n && t[i].min <= value; i++)
		if (s->stamp[t[i].rule] != s->gen) {
			s->stamp[t[i].rule] = s->gen;
			if ((c->allow >> c->p->rule_flags[t[i].rule]) & 1)
				s->cand[c->n++] = t[i].rule;
		}
}

/* The rules indexed under (kind, key); h as index_hash() wants it. */
static void
probe(struct cands *c, enum anchor kind, const char *key, size_t len,
    uint32_t num, uint32_t h)
{
	const struct policy *p = c->p;
	struct hmap_probe pr;

	for (uint32_t i = hmap_first(&p->index, index_hash(kind, h), &pr);
	    i != 0; i = hmap_next(&p->index, &pr)) {
		const struct index_entry *e = &p->entries[i - 1];

		if (e->kind == kind && (key != NULL ? e->key_len == len &&
		    memcmp(e->key, key, len) == 0 : e->num == num)) {
			take(c, e->rules, e->n);
			return;
		}
	}
}

static uint32_t
candidates(struct policy_state *s, const struct policy *p,
    const struct policy_flow *pf, const struct flow_record *r,
    const struct flow_keys *k, enum policy_moment m, unsigned allow)
{
	struct cands c = { s, p, 0, allow };
	const struct flow *f = r->flow;
	const char *ccs[4] = { r->country, r->jur_location, r->jur_operator,
	    r->jur_vendor };

	if (++s->gen == 0) {
		memset(s->stamp, 0, s->cap * sizeof(*s->stamp));
		s->gen = 1;
	}
	take_gated(&c, p->unanchored[m], p->n_unanchored[m], k);
	if (p->n_entries > 0) {
		if (k->app.len > 0)
			probe(&c, ANCHOR_APP, k->app.s, k->app.len, 0,
			    k->app.hash);
		for (unsigned i = 0; pf != NULL && i < pf->n_data; i++) {
			unsigned ci = pf->data[i].category;

			probe(&c, ANCHOR_CATEGORY, p->categories[ci],
			    strlen(p->categories[ci]), 0, p->category_hash[ci]);
		}
		for (unsigned i = 0; i < 4; i++)
			if (ccs[i][0] != '\0' && (i == 0 ||
			    memcmp(ccs[i], ccs[0], 2) != 0)) {
				uint32_t cc = country_num(ccs[i]);

				probe(&c, ANCHOR_COUNTRY, NULL, 0, cc, cc);
			}
		if (r->asn != 0)
			probe(&c, ANCHOR_ASN, NULL, 0, r->asn, r->asn);
		if (k->device.len > 0)
			probe(&c, ANCHOR_DEVICE, k->device.s, k->device.len, 0,
			    k->device.hash);
		if (k->mac != UINT64_MAX) {
			uint32_t oui = (uint32_t)(k->mac >> 24);

			probe(&c, ANCHOR_VENDOR_MAC, NULL, 0, oui, oui);
		}
		for (unsigned i = 0; i < k->n_suffixes; i++)
			probe(&c, ANCHOR_DOMAIN, k->domain + k->suffix[i],
			    k->domain_len - k->suffix[i], 0, k->suffix_hash[i]);
	}
	/* Counters are final only at the end. */
	if (m == POLICY_AT_END && f != NULL) {
		take_thresholds(&c, p->thresholds[0], p->n_thresholds[0],
		    f->bytes[FLOW_TO_SERVER]);
		take_thresholds(&c, p->thresholds[1], p->n_thresholds[1],
		    f->bytes[FLOW_TO_CLIENT]);
		take_thresholds(&c, p->thresholds[2], p->n_thresholds[2],
		    f->last_us > f->first_us ? f->last_us - f->first_us : 0);
	}
	return c.n;
}

/* ------------------------------------------------------------ titles */

/* Categories in words a household reads; others are named as they are. */
static const char *
category_words(const char *cat)
{
	static const struct { const char *cat, *words; } w[] = {
		{ "location.precise", "precise location" },
		{ "location.coarse", "approximate location" },
		{ "location.home", "home location" },
		{ "contacts", "contacts" },
		{ "contacts.social_graph", "friends and connections" },
		{ "phone", "phone number" },
		{ "email", "e-mail address" },
		{ "name", "name" },
		{ "device_id.imei", "IMEI" },
		{ "device_id.meid", "MEID" },
		{ "device_id.imsi", "SIM subscriber id (IMSI)" },
		{ "device_id.iccid", "SIM card number (ICCID)" },
		{ "device_id.android_id", "Android ID" },
		{ "ad_id", "advertising ID" },
		{ "mac", "MAC address" },
		{ "media.image", "images" },
		{ "biometric.face", "face images" },
		{ "biometric.face_template", "face templates" },
		{ "other", "other personal data" },
	};

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (strcmp(w[i].cat, cat) == 0)
			return w[i].words;
	return cat;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + 1 >= b->cap)
		return;
	if (n > b->cap - 1 - b->len)
		n = b->cap - 1 - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_country(struct buf *b, const char *cc, const char *unknown)
{
	const char *name = cc[0] != '\0' ? iso3166_name(cc) : NULL;

	puts_(b, name != NULL ? name : unknown);
}

static void
put_slot(struct buf *b, enum slot slot, const struct finding_record *fr,
    const struct flow_record *r)
{
	char tmp[64];

	switch (slot) {
	case SLOT_TEXT:
	case SLOT__COUNT:
		break;
	case SLOT_APP:
		puts_(b, r->app_name != NULL ? r->app_name : "an unknown app");
		break;
	case SLOT_VENDOR:
		puts_(b, r->app_vendor != NULL ? r->app_vendor :
		    "an unknown vendor");
		break;
	case SLOT_DEVICE:
		if (r->device_name != NULL) {
			puts_(b, r->device_name);
		} else {
			puts_(b, "the device at ");
			puts_(b, addr_str(&r->client, tmp, sizeof(tmp)));
		}
		break;
	case SLOT_DATA:
		if (fr->n_categories == 0)
			puts_(b, "data");
		for (size_t i = 0; i < fr->n_categories; i++) {
			if (i > 0)
				puts_(b, i + 1 == fr->n_categories ? " and " :
				    ", ");
			puts_(b, category_words(fr->categories[i]));
		}
		break;
	case SLOT_DESTINATION:
	case SLOT_DOMAIN:
		if (r->domain != NULL)
			puts_(b, r->domain);
		else if (slot == SLOT_DOMAIN)
			puts_(b, "an unnamed server");
		else
			puts_(b, addr_str(&r->server, tmp, sizeof(tmp)));
		break;
	case SLOT_IP:
		puts_(b, addr_str(&r->server, tmp, sizeof(tmp)));
		break;
	case SLOT_PORT:
		snprintf(tmp, sizeof(tmp), "%u", r->server_port);
		puts_(b, tmp);
		break;
	case SLOT_COUNTRY:
		put_country(b, r->country, "an unknown country");
		break;
	case SLOT_OPERATOR:
		if (r->operator_name != NULL)
			puts_(b, r->operator_name);
		else if (r->as_org[0] != '\0')
			puts_(b, r->as_org);
		else if (r->asn != 0) {
			snprintf(tmp, sizeof(tmp), "AS%u", r->asn);
			puts_(b, tmp);
		} else
			puts_(b, "an unknown network");
		break;
	case SLOT_ASN:
		if (r->asn != 0) {
			snprintf(tmp, sizeof(tmp), "AS%u", r->asn);
			puts_(b, tmp);
		} else
			puts_(b, "an unknown network");
		break;
	case SLOT_UNDER:
		/* Which of the three jurisdictions matched, in words. */
		if (fr->jurisdiction_by == NULL)
			puts_(b, "its jurisdiction is unknown");
		else {
			puts_(b, strcmp(fr->jurisdiction_by, "location") == 0 ?
			    "its servers are in " :
			    strcmp(fr->jurisdiction_by, "operator") == 0 ?
			    "its network is run from " :
			    "the app's maker is controlled from ");
			put_country(b, fr->jurisdiction, "an unknown country");
		}
		break;
	case SLOT_JURISDICTION:
		put_country(b, fr->jurisdiction != NULL ? fr->jurisdiction :
		    r->jur_operator[0] != '\0' ? r->jur_operator :
		    r->jur_location, "an unknown jurisdiction");
		break;
	}
}

static void
fill_title(struct policy_state *s, const struct rule *ru,
    const struct finding_record *fr, const struct flow_record *r)
{
	struct buf b = { s->title, 0, sizeof(s->title) };

	s->title[0] = '\0';
	for (size_t i = 0; i < ru->n_parts; i++) {
		if (ru->parts[i].slot == SLOT_TEXT)
			put(&b, ru->parts[i].text, ru->parts[i].len);
		else
			put_slot(&b, ru->parts[i].slot, fr, r);
	}
	/* "an unknown app sent..." starts a sentence. */
	if (s->title[0] >= 'a' && s->title[0] <= 'z')
		s->title[0] = (char)(s->title[0] - 'a' + 'A');
}

/* ------------------------------------------------------------- judge */

#define ALLOW(flags)	(1u << (flags))

/*
 * Which rules (by their RULE_* flags) a moment tries.  The server name
 * answers rules that need neither data nor the end; data answers those
 * that look at it too; the end answers all.  A rule judged before is
 * tried again only when what it looks at changed since.
 */
static unsigned
moment_allows(enum policy_moment m, const struct policy_flow *pf,
    uint64_t inputs)
{
	bool same_inputs = pf != NULL && pf->inputs_judged &&
	    pf->inputs == inputs;
	bool same_data = same_inputs && pf->data_judged &&
	    pf->data_judged_version == pf->data_version;
	unsigned allow = 0;

	if (!same_inputs)
		allow |= ALLOW(0);
	if (!same_data && m != POLICY_AT_NAME)
		allow |= ALLOW(RULE_DATA);
	if (m == POLICY_AT_END)
		allow |= ALLOW(RULE_FINAL) | ALLOW(RULE_FINAL | RULE_DATA);
	return allow;
}

static bool
fired(const struct policy_flow *pf, uint64_t h)
{
	for (unsigned i = 0; pf != NULL && i < pf->n_fired; i++)
		if (pf->fired[i] == h)
			return true;
	return false;
}

static void
report_finding(struct policy_state *s, const struct policy *p,
    const struct rule *ru, const struct judge *J,
    const struct flow_record *r, const struct pii_obs *trigger,
    uint64_t ts_us, bool same_flow, policy_finding_cb *cb, void *arg)
{
	static const char *const by[] = { "location", "operator", "vendor" };
	struct finding_record fr;
	uint64_t cats = J->categories;

	memset(&fr, 0, sizeof(fr));
	fr.flow = r;
	fr.rule_id = ru->id;
	fr.ruleset = ru->ruleset;
	fr.description = ru->description;
	fr.title_template = ru->title;
	fr.severity = ru->severity;
	fr.tags = (const char *const *)ru->tags;
	fr.n_tags = ru->n_tags;
	fr.references = (const char *const *)ru->refs;
	fr.n_references = ru->n_refs;
	for (unsigned i = 0; i < 3; i++)
		if (J->jur_by == (1u << i)) {
			fr.jurisdiction_by = by[i];
			fr.jurisdiction = J->jur_cc;
		}
	/* No data condition: the finding still says what the flow sent. */
	if (cats == 0 && J->pf != NULL)
		for (unsigned i = 0; i < J->pf->n_data; i++)
			cats |= (uint64_t)1 << J->pf->data[i].category;
	for (unsigned i = 0; i < 64 && p->categories[i] != NULL &&
	    fr.n_categories < FINDING_MAX_CATEGORIES; i++) {
		if (!((cats >> i) & 1))
			continue;
		fr.categories[fr.n_categories] = p->categories[i];
		if (p->pii != NULL)
			pii_category_permissions(p->pii, p->categories[i],
			    &fr.permissions_android[fr.n_categories],
			    &fr.permissions_ios[fr.n_categories]);
		fr.n_categories++;
	}
	fr.evidence = trigger;
	fr.observations = r->data != NULL ? r->data->observations : 0;
	fr.first_us = r->flow != NULL ? r->flow->first_us : ts_us;
	fr.last_us = ts_us;
	fill_title(s, ru, &fr, r);
	fr.title = s->title;
	fr.same_flow_as_previous = same_flow;
	s->c.findings++;
	cb(&fr, arg);
}

void
policy_judge(struct policy_state *s, const struct policy *p,
    struct policy_flow **pfp, const struct flow_record *r,
    enum policy_moment m, const struct pii_obs *trigger, uint64_t ts_us,
    policy_finding_cb *cb, void *arg)
{
	struct policy_flow *pf = *pfp;
	unsigned allow;
	uint32_t n, hits = 0, reported = 0;

	if (!policy_wants(p, m))
		return;
	if (state_fit(s, p->n_rules) != 0) {
		s->c.flow_state_failed++;
		return;
	}
	keys_set(&s->keys, p, r, pf);
	allow = moment_allows(m, pf, s->keys.inputs);
	/* A flow that goes on keeps what was judged. */
	if (m != POLICY_AT_END && (pf = flow_state(s, pfp)) != NULL) {
		if (m == POLICY_AT_DATA) {
			pf->data_judged = true;
			pf->data_judged_version = pf->data_version;
		} else if (!pf->inputs_judged || pf->inputs != s->keys.inputs)
			/* Rules with data were judged at other inputs. */
			pf->data_judged = false;
		pf->inputs_judged = true;
		pf->inputs = s->keys.inputs;
	}
	if (allow == 0)
		return;
	s->c.evaluations++;
	if (p->uses_gates)
		facts_set(&s->keys, r);
	n = candidates(s, p, *pfp, r, &s->keys, m, allow);
	/*
	 * Candidates come in index order; most do not hold.  The few that
	 * do are kept (in the front of cand[]) and sorted, so findings
	 * come out in the order the rules were loaded, and judged again
	 * for what they matched: sorting the few costs less than the many.
	 */
	for (uint32_t i = 0; i < n; i++) {
		struct judge J = { .k = &s->keys, .r = r, .pf = *pfp };

		s->c.rules_tried++;
		if (judge_cond(p->rules[s->cand[i]]->when, &J))
			s->cand[hits++] = s->cand[i];
	}
	for (uint32_t i = 1; i < hits; i++) {
		uint32_t v = s->cand[i], j = i;

		for (; j > 0 && s->cand[j - 1] > v; j--)
			s->cand[j] = s->cand[j - 1];
		s->cand[j] = v;
	}
	for (uint32_t i = 0; i < hits; i++) {
		const struct rule *ru = p->rules[s->cand[i]];
		struct judge J = { .k = &s->keys, .r = r, .pf = *pfp };

		if (fired(*pfp, ru->id_hash) || !judge_cond(ru->when, &J))
			continue;
		if ((pf = flow_state(s, pfp)) != NULL &&
		    !flow_fired_add(pf, ru->id_hash))
			s->c.fired_cap++;
		J.pf = *pfp;
		report_finding(s, p, ru, &J, r, trigger, ts_us, reported++ > 0,
		    cb, arg);
	}
}
