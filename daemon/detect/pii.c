/*
 * pii.c - the personal-data engine: build (rules, permissions,
 * identities, secret, automaton) and the scan of one HTTP request or DNS
 * name into redacted observations.
 *
 * A scan splits the message into fields (path, query pairs, headers,
 * cookies, body fields from form / JSON / multipart / text), then for
 * each field runs the known-value matcher over the value as sent and, when
 * decoding changed it, over the decoded value; checks coordinate pairs
 * against the identities' homes; and runs the structural detectors.
 * Everything decoded goes to one scratch buffer sized at creation; the
 * per-message and per-flow byte budgets bound the work.  Evidence is
 * redacted here: HMAC-SHA-256 with the per-install key (on a keyed
 * state, crypto.h, so the hot path allocates nothing, as OpenSSL's EVP
 * contexts would), masked samples, and raw values only on opt-in.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "hash.h"
#include "http.h"
#include "pii_int.h"
#include "yaml_doc.h"

#define KNOWN_CONFIDENCE 95
#define HOME_CONFIDENCE 90
#define MAX_EMBED_DEPTH 2	/* JSON inside a form value inside a part */
#define IMAGE_HASH_MAX (64u << 10)

/* Categories the engine reports (permissions.yaml keys). */
static const char *const categories[] = {
	"location.precise", "location.coarse", "contacts", "phone", "email",
	"name", "device_id.imei", "device_id.meid", "device_id.imsi",
	"device_id.iccid", "device_id.android_id", "ad_id", "mac",
	"media.image", "other", "biometric.face", "biometric.face_template",
	"contacts.social_graph", "location.home", NULL,
};
#define NCAT (sizeof(categories) / sizeof(categories[0]) - 1)

struct pat_meta {
	uint32_t value;		/* index in vals */
	const char *encoding;
};

struct val_meta {
	uint32_t identity;
	const char *category;
	uint8_t confidence;
	char masked[96];
	char hmac[33];
	char canon[128];
};

struct home {
	uint32_t identity;
	double lat, lon, radius;
	double glat, glon, blat, blon;
	char masked[96];
	char hmac[33];
	char canon[64];
};

struct pii_engine {
	struct pii_rules *rules;
	struct pii_ac *ac;
	char **labels;
	size_t nlabels;
	struct val_meta *vals;
	size_t nvals;
	struct pat_meta *pats;
	size_t npats, cappats;
	struct home *homes;
	size_t nhomes;
	char *perm_android[NCAT], *perm_ios[NCAT];
	struct hmac_key hkey;		/* evidence HMAC, keyed once */
	bool raw_evidence;
	size_t max_scan, max_flow;
	size_t scratch;			/* bytes a scanner's sb needs */
};

/* Everything a scan writes: one per thread, over a read-only engine. */
struct pii_scanner {
	const struct pii_engine *e;
	struct pii_buf sb;
	struct pii_stats stats;

	/* the scan in progress */
	struct pii_result *res;
	struct pii_struct_state st;
	const struct pii_field *field;
	size_t budget;			/* bytes left to scan in this message */
	uint32_t obj;
	unsigned fields, hits;
	uint64_t cell;			/* for the observation being emitted */
	bool image_seen;		/* an image was reported */
	const struct pii_face_service *face_vendor;	/* host's vendor runs
							 * face features */
};

static bool
pii_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
pii_is_alnum(char c)
{
	return pii_is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Hex of the first 16 bytes of HMAC-SHA-256(key, data). */
static void
hmac_hex(const struct pii_engine *e, const void *data, size_t len,
    char out[33])
{
	uint8_t md[CRYPTO_SHA256_LEN];

	crypto_hmac_sha256(&e->hkey, data, len, md);
	pii_hex_encode(md, 16, false, out, 33);
}

/* ----------------------------------------------------------- secret */

int
pii_secret_load_or_create(const char *path, uint8_t ret_key[PII_SECRET_LEN],
    char *err, size_t errlen)
{
	uint8_t key[PII_SECRET_LEN];
	struct stat sb;
	int fd = -1, r;

	/* Two rounds at most: a concurrent creator wins the O_EXCL race. */
	for (int round = 0; round < 2; round++) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno != ENOENT) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return r;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			r = -errno;
			snprintf(err, errlen, "%s: create: %s", path,
			    strerror(errno));
			return r;
		}
		if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key) ||
		    write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) ||
		    fsync(fd) != 0) {
			r = errno ? -errno : -EIO;
			snprintf(err, errlen, "%s: write: %s", path,
			    strerror(-r));
			close(fd);
			unlink(path);
			memset(key, 0, sizeof(key));
			return r;
		}
		close(fd);
		memcpy(ret_key, key, sizeof(key));
		memset(key, 0, sizeof(key));
		return 0;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -EIO;
	}
	if (fstat(fd, &sb) != 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		r = -EPERM;
		snprintf(err, errlen, "%s: secret is accessible by group or "
		    "others (mode %04o); chmod 600 it", path,
		    (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	if (sb.st_size != PII_SECRET_LEN ||
	    read(fd, key, sizeof(key)) != (ssize_t)sizeof(key)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: secret must be exactly %d bytes",
		    path, PII_SECRET_LEN);
		goto out;
	}
	memcpy(ret_key, key, sizeof(key));
	r = 0;
out:
	memset(key, 0, sizeof(key));
	close(fd);
	return r;
}

/* ------------------------------------------------------ permissions */

static int
cat_index(const char *c)
{
	for (size_t i = 0; i < NCAT; i++)
		if (strcmp(categories[i], c) == 0)
			return (int)i;
	return -1;
}

static int
load_permissions(struct pii_engine *e, const char *path, char *err,
    size_t errlen)
{
	static const char *const top[] = { "version", "permissions", NULL };
	static const char *const ent[] = { "android", "ios", "note", "source",
	    NULL };
	struct ydoc *d = NULL;
	const struct ynode *m, *n;
	uint64_t ver;
	int r;

	if ((r = ydoc_load_file(path, &d, err, errlen)) != 0)
		return r;
	if ((r = ynode_check_keys(d, d->root, top, err, errlen)) != 0 ||
	    (r = ynode_get_required(d, d->root, "version", &n, err,
	    errlen)) != 0 ||
	    (r = ynode_uint(d, n, 1, 1, &ver, err, errlen)) != 0 ||
	    (r = ynode_get_required(d, d->root, "permissions", &m, err,
	    errlen)) != 0 ||
	    (r = ynode_map(d, m, err, errlen)) != 0)
		goto out;
	for (size_t i = 0; i < m->n; i++) {
		int c = cat_index(m->keys[i]->scalar);
		const struct ynode *v = m->items[i];
		const char *s;

		if (c < 0) {
			r = ynode_error(d, m->keys[i], err, errlen,
			    "unknown category '%s'", m->keys[i]->scalar);
			goto out;
		}
		if ((r = ynode_check_keys(d, v, ent, err, errlen)) != 0)
			goto out;
		for (int k = 0; k < 2; k++) {
			char **dst = k == 0 ? &e->perm_android[c] :
			    &e->perm_ios[c];

			if ((r = ynode_get_required(d, v, k ? "ios" : "android",
			    &n, err, errlen)) != 0)
				goto out;
			if (ynode_is_null(n))
				continue;	/* no permission gates it */
			if ((r = ynode_string(d, n, &s, err, errlen)) != 0)
				goto out;
			/* Flows keep a copy (detect.h), so it is bounded. */
			if (strlen(s) > PII_PERMISSION_MAX) {
				r = ynode_error(d, n, err, errlen,
				    "permission longer than %d characters",
				    PII_PERMISSION_MAX);
				goto out;
			}
			if ((*dst = strdup(s)) == NULL) {
				r = -ENOMEM;
				goto out;
			}
		}
		if ((n = ynode_get(v, "note")) != NULL &&
		    (r = ynode_string(d, n, &s, err, errlen)) != 0)
			goto out;
		if ((n = ynode_get(v, "source")) != NULL &&
		    (r = ynode_string(d, n, &s, err, errlen)) != 0)
			goto out;
	}
	r = 0;
out:
	ydoc_free(d);
	return r;
}

/* ------------------------------------------------------------ build */

struct build_ctx {
	struct pii_engine *e;
	uint32_t value;
};

static int
form_cb(void *arg, const char *form, size_t len, bool nocase,
    enum pii_ac_bound bound, const char *encoding)
{
	struct build_ctx *b = arg;
	struct pii_engine *e = b->e;
	int r;

	if (e->npats >= e->cappats) {
		size_t nc = e->cappats ? e->cappats * 2 : 1024;
		struct pat_meta *np = realloc(e->pats, nc * sizeof(*np));

		if (np == NULL)
			return -ENOMEM;
		e->pats = np;
		e->cappats = nc;
	}
	if ((r = pii_ac_add(e->ac, form, len, nocase, bound,
	    (uint32_t)e->npats)) != 0)
		return r;
	e->pats[e->npats].value = b->value;
	e->pats[e->npats].encoding = encoding;
	e->npats++;
	return 0;
}

static int
add_identities(struct pii_engine *e, const struct pii_identities *ids,
    char *err, size_t errlen)
{
	size_t nv = 0;
	int r;

	for (size_t i = 0; i < ids->n; i++)
		nv += ids->v[i].nvalues;
	e->labels = calloc(ids->n ? ids->n : 1, sizeof(char *));
	e->vals = calloc(nv ? nv : 1, sizeof(*e->vals));
	e->homes = calloc(ids->n ? ids->n : 1, sizeof(*e->homes));
	if (!e->labels || !e->vals || !e->homes)
		return -ENOMEM;
	for (size_t i = 0; i < ids->n; i++) {
		const struct pii_identity *id = &ids->v[i];

		if ((e->labels[i] = strdup(id->label)) == NULL)
			return -ENOMEM;
		e->nlabels++;
		for (size_t k = 0; k < id->nvalues; k++) {
			const struct pii_value *v = &id->values[k];
			struct val_meta *vm = &e->vals[e->nvals];
			struct build_ctx b = { e, (uint32_t)e->nvals };

			if (pii_canonical(v->kind, v->value, vm->canon,
			    sizeof(vm->canon)) != 0) {
				snprintf(err, errlen, "identity '%s': unusable "
				    "%s value", id->label,
				    pii_kind_category(v->kind));
				return -EINVAL;
			}
			vm->identity = (uint32_t)i;
			vm->category = pii_kind_category(v->kind);
			vm->confidence = v->kind == PII_KIND_NAME ? 80 :
			    KNOWN_CONFIDENCE;
			pii_mask(pii_kind_mask(v->kind), vm->canon,
			    strlen(vm->canon), vm->masked, sizeof(vm->masked));
			hmac_hex(e, vm->canon, strlen(vm->canon), vm->hmac);
			e->nvals++;
			if ((r = pii_forms_generate(v->kind, v->value, form_cb,
			    &b)) != 0) {
				snprintf(err, errlen, "identity '%s': %s the "
				    "forms of a %s value", id->label,
				    r == -ENOMEM ? "out of memory for" :
				    "cannot derive", pii_kind_category(v->kind));
				return r;
			}
		}
		if (id->has_home) {
			struct home *h = &e->homes[e->nhomes++];

			h->identity = (uint32_t)i;
			h->lat = id->home_lat;
			h->lon = id->home_lon;
			h->radius = id->home_radius_m;
			pii_wgs_to_gcj(h->lat, h->lon, &h->glat, &h->glon);
			pii_gcj_to_bd(h->glat, h->glon, &h->blat, &h->blon);
			snprintf(h->canon, sizeof(h->canon), "%.5f,%.5f",
			    h->lat, h->lon);
			snprintf(h->masked, sizeof(h->masked),
			    "%.1f*****, %.1f*****", h->lat, h->lon);
			hmac_hex(e, h->canon, strlen(h->canon), h->hmac);
		}
	}
	return 0;
}

int
pii_engine_new(const struct pii_config *c, struct pii_engine **ret,
    char *err, size_t errlen)
{
	struct pii_engine *e;
	struct pii_identities *loaded = NULL;
	const struct pii_identities *ids = c->identities;
	uint8_t key[PII_SECRET_LEN];
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if (c->rules_path == NULL || c->permissions_path == NULL) {
		snprintf(err, errlen, "pii: rules and permissions paths needed");
		return -EINVAL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -ENOMEM;
	e->raw_evidence = c->raw_evidence;
	e->max_scan = c->max_scan_bytes ? c->max_scan_bytes :
	    PII_DEFAULT_MAX_SCAN;
	e->max_flow = c->max_flow_bytes ? c->max_flow_bytes :
	    PII_DEFAULT_MAX_FLOW;
	if (e->max_scan > (64u << 20))
		e->max_scan = 64u << 20;
	if (c->secret != NULL)
		memcpy(key, c->secret, sizeof(key));
	else if (c->secret_path != NULL) {
		if ((r = pii_secret_load_or_create(c->secret_path, key, err,
		    errlen)) != 0)
			goto out;
	} else if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		r = -EIO;
		snprintf(err, errlen, "pii: no random bytes for the key");
		goto out;
	}
	crypto_hmac_key_set(&e->hkey, key, PII_SECRET_LEN);
	memset(key, 0, sizeof(key));
	if ((r = pii_rules_load_file(c->rules_path, &e->rules, err,
	    errlen)) != 0 ||
	    (r = load_permissions(e, c->permissions_path, err, errlen)) != 0)
		goto out;
	if (c->identities_path != NULL) {
		if ((r = pii_identities_load_file(c->identities_path, &loaded,
		    err, errlen)) != 0)
			goto out;
		ids = loaded;
	}
	if ((r = pii_ac_new(&e->ac)) != 0)
		goto out;
	if (ids != NULL && (r = add_identities(e, ids, err, errlen)) != 0)
		goto out;
	if ((r = pii_ac_compile(e->ac)) != 0) {
		snprintf(err, errlen, "pii: cannot compile the automaton");
		goto out;
	}
	/* Decoded copies never outgrow what they decode; paths and part
	 * names add a little per field. */
	e->scratch = 2 * e->max_scan + ((size_t)e->rules->max_fields * 192) +
	    65536;
	*ret = e;
	e = NULL;
	r = 0;
out:
	if (r == -ENOMEM && errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "pii: out of memory");
	pii_identities_free(loaded);
	pii_engine_free(e);
	return r;
}

struct pii_engine *
pii_engine_free(struct pii_engine *e)
{
	if (e == NULL)
		return NULL;
	pii_rules_free(e->rules);
	pii_ac_free(e->ac);
	for (size_t i = 0; i < e->nlabels; i++)
		free(e->labels[i]);
	free(e->labels);
	free(e->vals);
	free(e->pats);
	free(e->homes);
	for (size_t i = 0; i < NCAT; i++) {
		free(e->perm_android[i]);
		free(e->perm_ios[i]);
	}
	crypto_hmac_key_clear(&e->hkey);
	free(e);
	return NULL;
}

int
pii_scanner_new(const struct pii_engine *e, struct pii_scanner **ret)
{
	struct pii_scanner *s;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	if ((r = pii_scanner_set_engine(s, e)) != 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct pii_scanner *
pii_scanner_free(struct pii_scanner *s)
{
	if (s == NULL)
		return NULL;
	free(s->sb.p);
	free(s);
	return NULL;
}

int
pii_scanner_set_engine(struct pii_scanner *s, const struct pii_engine *e)
{
	/* Grown only, so going back to an engine used before cannot fail. */
	if (e->scratch > s->sb.cap) {
		uint8_t *p = malloc(e->scratch);

		if (p == NULL)
			return -ENOMEM;
		free(s->sb.p);
		s->sb.p = p;
		s->sb.cap = e->scratch;
	}
	s->sb.len = 0;
	s->e = e;
	/* The key-class memo is keyed by the rules' address: forget it, as
	 * new rules may be allocated where freed ones were. */
	memset(&s->st, 0, sizeof(s->st));
	return 0;
}

/* ------------------------------------------------------ observations */

static void
emit(struct pii_scanner *s, const char *cat, enum pii_where where,
    const char *loc, const char *enc, const char *identity, uint8_t conf,
    const char *masked, const char *hmac, const char *canon, size_t clen)
{
	const struct pii_engine *e = s->e;
	struct pii_result *res = s->res;
	struct pii_obs *o;
	char hm[33];
	int ci;

	if (hmac == NULL) {
		hmac_hex(e, canon, clen, hm);
		hmac = hm;
	}
	if (loc == NULL)
		loc = "";
	for (size_t i = 0; i < res->n; i++) {
		o = &res->obs[i];
		if (strcmp(o->category, cat) != 0 ||
		    strncmp(o->location, loc, sizeof(o->location) - 1) != 0)
			continue;
		/* a structural finding of what a known value already
		 * explains adds nothing */
		if (identity == NULL && o->identity != NULL)
			return;
		if (o->identity == identity && strcmp(o->hmac, hmac) == 0) {
			if (conf > o->confidence)
				o->confidence = conf;
			return;
		}
	}
	if (res->n >= PII_MAX_OBS_PER_MSG) {
		res->cut = true;
		s->stats.obs_cut++;
		return;
	}
	o = &res->obs[res->n++];
	memset(o, 0, sizeof(*o));
	o->category = cat;
	o->where = where;
	snprintf(o->location, sizeof(o->location), "%s", loc);
	o->encoding = enc;
	o->identity = identity;
	o->confidence = conf;
	snprintf(o->masked, sizeof(o->masked), "%s", masked);
	memcpy(o->hmac, hmac, sizeof(o->hmac));
	o->hmac[32] = '\0';
	o->cell = s->cell;
	if ((ci = cat_index(cat)) >= 0) {
		o->permission_android = e->perm_android[ci];
		o->permission_ios = e->perm_ios[ci];
	}
	if (e->raw_evidence) {
		size_t n = clen < sizeof(o->raw) - 1 ? clen : sizeof(o->raw) - 1;

		memcpy(o->raw, canon, n);
		o->raw[n] = '\0';
	}
	s->stats.obs++;
}

static bool
ac_hit(void *arg, uint32_t id, size_t start, size_t end)
{
	struct pii_scanner *s = arg;
	const struct pii_engine *e = s->e;
	const struct pat_meta *pm = &e->pats[id];
	const struct val_meta *vm = &e->vals[pm->value];

	if (++s->hits > e->rules->max_hits) {
		s->stats.obs_cut++;
		return false;
	}
	emit(s, vm->category, s->field->where, s->field->path, pm->encoding,
	    e->labels[vm->identity], vm->confidence, vm->masked, vm->hmac,
	    vm->canon, strlen(vm->canon));
	return true;
}

/*
 * Whether (lat, lon) is within radius metres of (hlat, hlon).  A great
 * circle is never shorter than its latitude difference, so most homes are
 * ruled out without trigonometry (the slack covers rounding).
 */
static bool
near_home(double lat, double lon, double hlat, double hlon, double radius)
{
	if (fabs(lat - hlat) * (M_PI / 180) * 6371008.8 > radius * 1.000001 + 1)
		return false;
	return pii_distance_m(lat, lon, hlat, hlon) <= radius;
}

/* A coordinate pair (either order) against every home, each way shifted. */
static void
home_check(struct pii_scanner *s, const struct pii_field *f, double a,
    double b)
{
	const struct pii_engine *e = s->e;
	for (size_t i = 0; i < e->nhomes; i++) {
		const struct home *h = &e->homes[i];

		for (int order = 0; order < 2; order++) {
			double lat = order ? b : a, lon = order ? a : b;
			const char *enc = NULL;

			if (fabs(lat) > 90 || fabs(lon) > 180)
				continue;
			if (near_home(lat, lon, h->lat, h->lon, h->radius))
				enc = "plain";
			else if (near_home(lat, lon, h->glat, h->glon, h->radius))
				enc = "gcj02";
			else if (near_home(lat, lon, h->blat, h->blon, h->radius))
				enc = "bd09";
			if (enc != NULL) {
				emit(s, "location.precise", f->where, f->path,
				    enc, e->labels[h->identity],
				    HOME_CONFIDENCE, h->masked, h->hmac,
				    h->canon, strlen(h->canon));
				break;
			}
		}
	}
}

static void
text_pair_cb(void *arg, double a, double b, unsigned decimals)
{
	struct pii_scanner *s = arg;

	/* two decimals (~1 km) at least: one more digit than a city */
	if (decimals >= 2)
		home_check(s, s->field, a, b);
}

/*
 * The grid cell of a coordinate as a keyed hash (hash.h, per-run key):
 * the home tracker counts nights per cell without holding a coordinate.
 */
static uint64_t
coord_cell(const struct pii_engine *e, double lat, double lon)
{
	double scale = pow(10, e->rules->cell_decimals);
	int64_t c[2] = { (int64_t)floor(lat * scale),
	    (int64_t)floor(lon * scale) };
	uint64_t x = hash_bytes(c, sizeof(c));

	return x ? x : 1;
}

static void
struct_hit(void *arg, const struct pii_hit *h)
{
	struct pii_scanner *s = arg;
	const struct pii_engine *e = s->e;
	const struct pii_field *f = h->field;
	const char *loc = f ? f->path : "body";
	enum pii_where w = f ? f->where : PII_WHERE_BODY;

	if (h->has_coord && f != NULL)
		home_check(s, f, h->lat, h->lon);
	if (h->has_coord && strcmp(h->category, "location.precise") == 0)
		s->cell = coord_cell(e, h->lat, h->lon);
	if (h->contact) {
		/* Distinct values for the contact-list detector, told apart
		 * by a keyed 64-bit hash: a peer cannot aim a collision. */
		uint64_t x = hash_bytes(h->canon, h->canon_len);
		bool seen = false;

		for (size_t i = 0; i < s->st.ncontact; i++)
			if (s->st.contact_hash[i] == x)
				seen = true;
		if (!seen && s->st.ncontact < PII_STRUCT_MAX_CONTACT)
			s->st.contact_hash[s->st.ncontact++] = x;
	}
	emit(s, h->category, w, loc, h->encoding, h->identity, h->confidence,
	    h->masked, h->hmac, h->canon, h->canon_len);
	s->cell = 0;
}

/* ------------------------------------------------------------- scan */

static size_t
charge(struct pii_scanner *s, size_t n)
{
	size_t k = n < s->budget ? n : s->budget;

	s->budget -= k;
	s->stats.bytes_scanned += k;
	s->stats.bytes_cut += n - k;
	return k;
}

static void scan_body(struct pii_scanner *s, const uint8_t *b, size_t n,
    const char *ctype, const char *prefix, unsigned depth);

static bool
field_cb(void *arg, const struct pii_field *fin)
{
	struct pii_scanner *s = arg;
	const struct pii_engine *e = s->e;
	struct pii_field f = *fin;
	const struct pii_field *saved = s->field;
	size_t k;

	if (++s->fields > e->rules->max_fields) {
		s->stats.obs_cut++;
		return false;
	}
	if (s->budget == 0) {
		/* over the message or flow budget: count, do not look */
		s->stats.bytes_cut += fin->raw_len ? fin->raw_len : fin->val_len;
		return true;
	}
	if (f.where == PII_WHERE_PATH && saved != NULL)
		f.where = saved->where;	/* splitters leave it 0 */
	f.depth = saved ? saved->depth : 0;
	s->field = &f;
	if (f.raw != NULL && f.raw_len > 0 && !f.in_list) {
		k = charge(s, f.raw_len);
		pii_ac_scan(e->ac, f.raw, k, ac_hit, s);
	}
	if (f.val_len > 0 && !f.in_list && (f.raw_len != f.val_len ||
	    memcmp(f.raw, f.val, f.val_len) != 0)) {
		k = charge(s, f.val_len);
		pii_ac_scan(e->ac, f.val, k, ac_hit, s);
	}
	if (e->nhomes > 0)
		pii_text_pairs(f.val, f.val_len, text_pair_cb, s);
	pii_struct_field(e->rules, &s->st, &f, struct_hit, s);
	/* JSON carried inside a value (form field, header, part) */
	if (f.depth < MAX_EMBED_DEPTH && f.val_len > 1 && !f.is_number &&
	    (f.val[0] == '{' || f.val[0] == '[') && f.key_len > 0) {
		char prefix[96];

		snprintf(prefix, sizeof(prefix), "%.*s:$",
		    (int)(f.key_len > 64 ? 64 : f.key_len), f.key);
		f.depth++;
		pii_json_walk(f.val, f.val_len, prefix, e->rules->max_json_depth,
		    &s->sb, &s->obj, field_cb, s);
	} else if (f.where == PII_WHERE_HEADER && f.depth < MAX_EMBED_DEPTH &&
	    !f.in_list && f.key_len > 0 && f.val_len > 2 &&
	    (memchr(f.val, '=', f.val_len) != NULL ||
	    memchr(f.val, ':', f.val_len) != NULL)) {
		/* a key=value list inside a header or a cookie's value */
		char prefix[96];

		snprintf(prefix, sizeof(prefix), "%.*s:",
		    (int)(f.key_len > 64 ? 64 : f.key_len), f.key);
		f.depth++;
		pii_kv_list_split(f.val, f.val_len, prefix, &s->sb, ++s->obj,
		    field_cb, s);
	}
	s->field = saved;
	return true;
}

/* Emit a field with a where and a fixed path (headers, text regions). */
static void
scan_field(struct pii_scanner *s, enum pii_where w, const char *key,
    const char *path, const uint8_t *raw, size_t rawlen,
    const uint8_t *val, size_t vallen, bool text, unsigned depth)
{
	struct pii_field f;
	struct pii_field carrier;
	const struct pii_field *saved = s->field;

	memset(&f, 0, sizeof(f));
	f.key = key;
	f.key_len = strlen(key);
	f.parent = "";
	f.path = path;
	f.raw = raw;
	f.raw_len = rawlen;
	f.val = val;
	f.val_len = vallen;
	f.obj = ++s->obj;
	f.is_text = text;
	f.where = w;
	memset(&carrier, 0, sizeof(carrier));
	carrier.where = w;
	carrier.depth = (uint8_t)depth;
	carrier.path = path;
	s->field = &carrier;
	field_cb(s, &f);
	s->field = saved;
}

struct part_ctx {
	struct pii_scanner *s;
	unsigned depth;
};

static void
image_obs(struct pii_scanner *s, const uint8_t *b, size_t n, const char *ct,
    const char *loc, bool magic)
{
	const struct pii_engine *e = s->e;
	char masked[128], hm[33];
	const char *kind = ct && ct[0] ? ct :
	    (n >= 3 && b[0] == 0xff) ? "image/jpeg" :
	    (n >= 4 && b[0] == 0x89) ? "image/png" : "image";

	/* A vendor that runs face features is named as a hint, no more:
	 * an image is not a face without a signal. */
	if (s->face_vendor != NULL)
		snprintf(masked, sizeof(masked), "%.20s, %zu bytes; %.28s "
		    "has face APIs", kind, n, s->face_vendor->vendor);
	else
		snprintf(masked, sizeof(masked), "%.40s, %zu bytes", kind, n);
	s->image_seen = true;
	hmac_hex(e, b, n < IMAGE_HASH_MAX ? n : IMAGE_HASH_MAX, hm);
	charge(s, n < IMAGE_HASH_MAX ? n : IMAGE_HASH_MAX);
	emit(s, "media.image", PII_WHERE_BODY, loc, magic ? "plain" :
	    "content-type", NULL, magic ? e->rules->confidence[PII_DET_IMAGE] :
	    (uint8_t)(e->rules->confidence[PII_DET_IMAGE] * 8 / 10), masked,
	    hm, "", 0);
}

static bool
part_cb(void *arg, const struct pii_part *p)
{
	struct part_ctx *pc = arg;
	struct pii_scanner *s = pc->s;
	const struct pii_engine *e = s->e;
	char prefix[96];
	bool magic;

	snprintf(prefix, sizeof(prefix), "%s", p->name[0] ? p->name : "part");
	if (e->rules->enabled[PII_DET_IMAGE] &&
	    pii_struct_is_image(p->body, p->body_len, p->content_type, &magic)) {
		image_obs(s, p->body, p->body_len, p->content_type, prefix,
		    magic);
		return true;
	}
	scan_body(s, p->body, p->body_len, p->content_type, prefix,
	    pc->depth + 1);
	return true;
}

static bool
looks_form(const uint8_t *b, size_t n)
{
	bool eq = false;

	for (size_t i = 0; i < n && i < 4096; i++) {
		if (b[i] == '=') {
			/* "k=v", not base64 padding ("...==" at the end) */
			if (!eq && (i == 0 || i + 1 >= n || b[i + 1] == '='))
				return false;
			eq = true;
		} else if (b[i] == '\n' || b[i] == '<' || b[i] == '{' ||
		    b[i] == '"' || b[i] < 0x20)
			return false;
	}
	return eq;
}

static void
scan_body(struct pii_scanner *s, const uint8_t *b, size_t n, const char *ct,
    const char *prefix, unsigned depth)
{
	const struct pii_engine *e = s->e;
	const char *loc = prefix[0] ? prefix : "body";
	size_t i = 0;
	bool magic;

	if (n == 0 || depth > MAX_EMBED_DEPTH)
		return;
	if (n > s->budget) {
		s->stats.bytes_cut += n - s->budget;
		n = s->budget;
	}
	if (e->rules->enabled[PII_DET_IMAGE] &&
	    pii_struct_is_image(b, n, ct, &magic)) {
		image_obs(s, b, n, ct, loc, magic);
		return;
	}
	if (ct != NULL && strncasecmp(ct, "multipart/", 10) == 0) {
		struct part_ctx pc = { s, depth };

		if (pii_multipart_split(b, n, ct, e->rules->max_parts, &s->sb,
		    part_cb, &pc) >= 0)
			return;
	}
	while (i < n && i < 64 && (b[i] == ' ' || b[i] == '\n' ||
	    b[i] == '\r' || b[i] == '\t'))
		i++;
	if (i < n && (b[i] == '{' || b[i] == '[')) {
		char pfx[100];
		struct pii_field carrier;
		const struct pii_field *saved = s->field;
		unsigned before = s->fields;

		memset(&carrier, 0, sizeof(carrier));
		carrier.where = PII_WHERE_BODY;
		carrier.depth = (uint8_t)depth;
		s->field = &carrier;
		snprintf(pfx, sizeof(pfx), "%s%s$", prefix, prefix[0] ? ":" : "");
		if (pii_json_walk(b, n, pfx, e->rules->max_json_depth, &s->sb,
		    &s->obj, field_cb, s) || s->fields > before) {
			s->field = saved;
			return;
		}
		s->field = saved;
	}
	if ((ct != NULL && strcasestr(ct, "x-www-form-urlencoded") != NULL) ||
	    looks_form(b, n)) {
		struct pii_field carrier;
		const struct pii_field *saved = s->field;
		char pfx[100];

		memset(&carrier, 0, sizeof(carrier));
		carrier.where = PII_WHERE_BODY;
		carrier.depth = (uint8_t)depth;
		s->field = &carrier;
		snprintf(pfx, sizeof(pfx), "%s%s", prefix, prefix[0] ? ":" : "");
		pii_form_split(b, n, '&', true, pfx, &s->sb, ++s->obj,
		    field_cb, s);
		s->field = saved;
		return;
	}
	/* Plain text (or anything else): known values and the detectors
	 * that need no key.  A part keeps its name as the key. */
	scan_field(s, PII_WHERE_BODY, prefix, loc, b, n, b, n,
	    prefix[0] == '\0', depth);
}

static void
scan_begin(struct pii_scanner *s, struct pii_result *ret, size_t budget)
{
	ret->n = 0;
	ret->cut = false;
	s->res = ret;
	s->sb.len = 0;
	s->budget = budget;
	s->obj = 0;
	s->fields = 0;
	s->hits = 0;
	s->field = NULL;
	s->cell = 0;
	s->image_seen = false;
	s->face_vendor = NULL;
	pii_struct_begin(&s->st);
	s->stats.messages++;
}

static void
scan_end(struct pii_scanner *s)
{
	pii_struct_end(s->e->rules, &s->st, struct_hit, s);
	s->res = NULL;
	s->field = NULL;
}

/*
 * Headers whose values HTTP itself defines (framing, media types and
 * codings, caching, fetch metadata): apps put no data there, and every
 * browser request carries most of them.
 */
static bool
header_not_scanned(const char *name)
{
	static const struct {
		const char *name;
		size_t len;
	} skip[] = {
#define H(s) { s, sizeof(s) - 1 }
		H("accept"), H("accept-encoding"), H("accept-language"),
		H("cache-control"), H("connection"), H("content-encoding"),
		H("content-length"), H("content-type"), H("dnt"),
		H("if-modified-since"), H("keep-alive"), H("pragma"),
		H("priority"), H("range"), H("sec-fetch-dest"),
		H("sec-fetch-mode"), H("sec-fetch-site"), H("sec-fetch-user"),
		H("te"), H("transfer-encoding"), H("upgrade-insecure-requests"),
#undef H
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (skip[i].len == n && strcasecmp(skip[i].name, name) == 0)
			return true;
	return false;
}

/*
 * A number cut over path segments ("/u/202/555/0142") is one value to
 * whoever reads it back: scan the path again with the slashes between
 * digits left out, only when it has one (most paths do not).
 */
static void
scan_split_digits(struct pii_scanner *s, const char *p, size_t n)
{
	uint8_t *j;
	size_t m = 0;
	bool split = false;

	for (size_t i = 1; i + 1 < n && !split; i++)
		split = p[i] == '/' && pii_is_digit(p[i - 1]) &&
		    pii_is_digit(p[i + 1]);
	if (!split || (j = pii_buf_alloc(&s->sb, n + 1)) == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (!(p[i] == '/' && i > 0 && i + 1 < n &&
		    pii_is_digit(p[i - 1]) && pii_is_digit(p[i + 1])))
			j[m++] = (uint8_t)p[i];
	j[m] = '\0';
	scan_field(s, PII_WHERE_PATH, "", "path", j, m, j, m, true, 0);
}

/* The value of "Action=" in a query string or form body, if any. */
static const char *
param_action(const char *q, size_t n, size_t *ret_len)
{
	for (size_t i = 0; i + 7 <= n; i++) {
		if ((i == 0 || q[i - 1] == '&') && memcmp(q + i, "Action=",
		    7) == 0) {
			const char *v = q + i + 7;
			const char *end = memchr(v, '&', n - i - 7);

			*ret_len = end ? (size_t)(end - v) : n - i - 7;
			return v;
		}
	}
	return NULL;
}

/*
 * Which face service a request goes to (pii_face.c), from its host, path
 * and operation: the Action parameter (query, then form body), Tencent's
 * X-TC-Action, or the operation after the last '.' of X-Amz-Target.
 */
static const struct pii_face_service *
face_service(struct pii_scanner *s, const struct http_request *req)
{
	struct pii_face_req q = { .host = req->host, .path = req->path,
	    .body = req->body, .body_len = req->body_len };
	const char *h;

	if (s->e->rules->nface_services == 0 || req->host == NULL)
		return NULL;
	if (req->query != NULL)
		q.action = param_action(req->query, strlen(req->query),
		    &q.action_len);
	if (q.action == NULL && req->body != NULL && req->content_type &&
	    strcasestr(req->content_type, "x-www-form-urlencoded") != NULL)
		q.action = param_action((const char *)req->body,
		    req->body_len < 4096 ? req->body_len : 4096, &q.action_len);
	if (q.action == NULL && (h = http_header_get(req, "x-tc-action")) !=
	    NULL) {
		q.action = h;
		q.action_len = strlen(h);
	}
	if (q.action == NULL && (h = http_header_get(req, "x-amz-target")) !=
	    NULL) {
		const char *dot = strrchr(h, '.');

		q.action = dot ? dot + 1 : h;
		q.action_len = strlen(q.action);
	}
	return pii_face_service_match(s->e->rules, &q, &s->face_vendor);
}

/*
 * A face: the request goes to a face service, or sends an image with a
 * key only face APIs use.  Reported at the end, when both are known.
 */
static void
face_end(struct pii_scanner *s, const struct pii_face_service *svc,
    const struct http_request *req)
{
	const struct pii_rules *r = s->e->rules;
	const struct pii_struct_state *st = &s->st;
	char masked[96];

	if (!r->enabled[PII_DET_FACE])
		return;
	if (svc != NULL && (req->body_len > 0 || req->query != NULL)) {
		snprintf(masked, sizeof(masked), "request to %.60s's face "
		    "service", svc->vendor);
		emit(s, "biometric.face", req->body_len > 0 ? PII_WHERE_BODY :
		    PII_WHERE_QUERY, "request", "service", NULL,
		    r->confidence[PII_DET_FACE], masked, NULL, svc->vendor,
		    strlen(svc->vendor));
	} else if (st->face_word && (s->image_seen || st->face_image)) {
		emit(s, "biometric.face", st->face_field.where,
		    st->face_field.path, "keys", NULL,
		    (uint8_t)(r->confidence[PII_DET_FACE] * 9 / 10),
		    "image with face-API keys", NULL, "face-keys", 9);
	}
}

void
pii_scan_http_flow(struct pii_scanner *s, const struct http_request *req,
    struct pii_flow_budget *budget, struct pii_result *ret)
{
	const struct pii_face_service *svc;
	const struct pii_engine *e = s->e;
	size_t allow = e->max_scan, before;
	struct pii_field carrier;

	if (budget != NULL) {
		uint64_t left = budget->scanned >= e->max_flow ? 0 :
		    e->max_flow - budget->scanned;

		if (left < allow)
			allow = (size_t)left;
	}
	scan_begin(s, ret, allow);
	before = s->budget;
	memset(&carrier, 0, sizeof(carrier));
	svc = face_service(s, req);

	if (req->path != NULL) {
		size_t n = strlen(req->path);
		uint8_t *d = pii_buf_alloc(&s->sb, n + 1);

		if (d != NULL) {
			size_t m = pii_url_decode(req->path, n, false,
			    (char *)d, n);

			d[m] = '\0';
			scan_field(s, PII_WHERE_PATH, "", "path",
			    (const uint8_t *)req->path, n, d, m, true, 0);
			scan_split_digits(s, (const char *)d, m);
		}
	}
	if (req->query != NULL && req->query[0] != '\0') {
		carrier.where = PII_WHERE_QUERY;
		s->field = &carrier;
		pii_form_split((const uint8_t *)req->query, strlen(req->query),
		    '&', true, "", &s->sb, ++s->obj, field_cb, s);
		s->field = NULL;
	}
	for (size_t i = 0; i < req->n_headers && i < HTTP_MAX_HEADERS; i++) {
		const struct http_header *h = &req->headers[i];
		size_t n = strlen(h->value);

		if (strcasecmp(h->name, "cookie") == 0) {
			carrier.where = PII_WHERE_HEADER;
			s->field = &carrier;
			pii_form_split((const uint8_t *)h->value, n, ';', false,
			    "cookie:", &s->sb, ++s->obj, field_cb, s);
			s->field = NULL;
			continue;
		}
		if (header_not_scanned(h->name))
			continue;
		scan_field(s, PII_WHERE_HEADER, h->name, h->name,
		    (const uint8_t *)h->value, n, (const uint8_t *)h->value, n,
		    false, 0);
	}
	if (req->body != NULL && req->body_len > 0)
		scan_body(s, req->body, req->body_len, req->content_type, "", 0);
	if (budget != NULL)
		budget->scanned += before - s->budget;
	face_end(s, svc, req);
	scan_end(s);
}

void
pii_scan_http(struct pii_scanner *s, const struct http_request *req,
    struct pii_result *ret)
{
	pii_scan_http_flow(s, req, NULL, ret);
}

static void
scan_name(struct pii_scanner *s, enum pii_where w, const char *location,
    const char *name, struct pii_result *ret)
{
	const struct pii_engine *e = s->e;
	size_t n = name ? strnlen(name, 1024) : 0;

	scan_begin(s, ret, e->max_scan);
	if (n > 0)
		scan_field(s, w, "", location, (const uint8_t *)name, n,
		    (const uint8_t *)name, n, true, 0);
	scan_end(s);
}

void
pii_scan_dns_name(struct pii_scanner *s, const char *qname,
    struct pii_result *ret)
{
	scan_name(s, PII_WHERE_DNS, "qname", qname, ret);
}

void
pii_scan_server_name(struct pii_scanner *s, const char *name,
    const char *source, struct pii_result *ret)
{
	scan_name(s, PII_WHERE_SERVER_NAME, source, name, ret);
}

/* ------------------------------------------------------------- mask */

struct mask_ctx {
	char *out;
	size_t n;
	bool any;
};

static bool
mask_hit(void *arg, uint32_t id, size_t start, size_t end)
{
	struct mask_ctx *m = arg;

	(void)id;
	for (size_t i = start; i < end && i < m->n; i++)
		m->out[i] = '*';
	m->any = true;
	return true;
}

static bool
is_local_char(char c)
{
	return pii_is_alnum(c) || c == '.' || c == '_' || c == '%' ||
	    c == '+' || c == '-';
}

/*
 * E-mail addresses anywhere ("a.b@c.d", also "a.b%40c.d"): the e-mail
 * detector looks everywhere too, so whatever it could report is masked.
 */
static bool
mask_emails(char *t, size_t n)
{
	bool any = false;

	for (size_t i = 1; i < n; i++) {
		size_t at = i, after, l, r;
		bool dot = false;

		if (t[i] == '@')
			after = i + 1;
		else if (t[i] == '%' && i + 2 < n && t[i + 1] == '4' &&
		    t[i + 2] == '0')
			after = i + 3;
		else
			continue;
		for (l = at; l > 0 && is_local_char(t[l - 1]); l--)
			;
		for (r = after; r < n && (pii_is_alnum(t[r]) || t[r] == '.' ||
		    t[r] == '-'); r++)
			dot |= t[r] == '.';
		if (l == at || r == after || !dot)
			continue;
		memset(t + l, '*', r - l);
		any = true;
		i = r;
	}
	return any;
}

bool
pii_mask_text(const struct pii_scanner *s, char *text, size_t n)
{
	struct mask_ctx m = { text, n, false };
	const struct pii_engine *e = s != NULL ? s->e : NULL;

	if (n == 0)
		return false;
	if (e != NULL && e->ac != NULL)
		pii_ac_scan(e->ac, (const uint8_t *)text, n, mask_hit, &m);
	if (memchr(text, '@', n) != NULL || memchr(text, '%', n) != NULL)
		m.any |= mask_emails(text, n);
	return m.any;
}

void
pii_home_rules(const struct pii_engine *e, struct pii_home_rules *ret)
{
	const struct pii_rules *r = e->rules;

	ret->enabled = r->enabled[PII_DET_HOME_NIGHTS];
	ret->confidence = r->confidence[PII_DET_HOME_NIGHTS];
	ret->from_hour = r->night_from;
	ret->to_hour = r->night_to;
	ret->min_nights = r->min_nights;
	ret->window_days = r->window_days;
}

void
pii_category_permissions(const struct pii_engine *e, const char *category,
    const char **ret_android, const char **ret_ios)
{
	int c = cat_index(category);

	*ret_android = c >= 0 ? e->perm_android[c] : NULL;
	*ret_ios = c >= 0 ? e->perm_ios[c] : NULL;
}

const char *
pii_where_name(enum pii_where w)
{
	switch (w) {
	case PII_WHERE_PATH: return "path";
	case PII_WHERE_QUERY: return "query";
	case PII_WHERE_HEADER: return "header";
	case PII_WHERE_BODY: return "body";
	case PII_WHERE_DNS: return "dns";
	case PII_WHERE_SERVER_NAME: return "server_name";
	}
	return "unknown";
}

const char *const *
pii_category_names(void)
{
	return categories;
}

size_t
pii_identity_count(const struct pii_engine *e)
{
	return e->nlabels;
}

size_t
pii_pattern_count(const struct pii_engine *e)
{
	return e->npats;
}

void
pii_get_stats(const struct pii_scanner *s, struct pii_stats *ret)
{
	*ret = s->stats;
}
