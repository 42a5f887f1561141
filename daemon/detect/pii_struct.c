/*
 * pii_struct.c - structural personal-data detectors (no configuration of
 * values needed) and their rule file, rules/personal_data.yaml.
 *
 * Detectors look at one field (key + decoded value) at a time; the key
 * sets, thresholds and confidences come from the rule file, never from
 * the code.  Key matching is done on a normalized key (lower case, only
 * letters and digits): a key matches a set when the whole normalized key
 * or its last word ("deviceLat", "geo_lat" -> "lat") is listed under
 * `exact`, or when it contains one of the `contains` strings.  All sets
 * are compiled at load into one hash table from normalized string to a
 * mask of sets, so a field's key is classified once, for every detector.
 *
 * Location precision follows 28 CFR 202.242: "precise geolocation data"
 * identifies a person or device within 1,000 metres.  One degree of
 * latitude is about 111 km, so 2 decimals resolve about 1.1 km (coarse)
 * and 3 decimals about 111 m (precise); the pair's less precise
 * coordinate decides, against precise_min_decimals (3 by default).
 *
 * Identifier checks follow 3GPP TS 23.003 (IMEI: 15 digits with a Luhn
 * check digit; IMEISV: 16 digits; IMSI: MCC+MNC+MSIN, at most 15 digits,
 * MCC 2xx-7xx), ITU E.118 (ICCID: 89 + ..., 19-20 digits, Luhn) and the
 * platform formats of factbase section 6.3 (Android ID: 16 hex digits;
 * advertising IDs: UUIDs, the all-zero UUID meaning "limited").
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "pii_int.h"
#include "yaml_doc.h"

/* ------------------------------------------------------------- rules */

static const char *const det_name[PII_DET_MAX] = {
	[PII_DET_LOCATION] = "location",
	[PII_DET_PHONE] = "phone",
	[PII_DET_EMAIL] = "email",
	[PII_DET_IMEI] = "imei",
	[PII_DET_MEID] = "meid",
	[PII_DET_IMSI] = "imsi",
	[PII_DET_ICCID] = "iccid",
	[PII_DET_ANDROID_ID] = "android_id",
	[PII_DET_AD_ID] = "ad_id",
	[PII_DET_OAID] = "oaid",
	[PII_DET_MAC] = "mac",
	[PII_DET_CONTACTS] = "contacts",
	[PII_DET_IMAGE] = "image",
	[PII_DET_FACE] = "face",
	[PII_DET_FACE_TEMPLATE] = "face_template",
	[PII_DET_SOCIAL] = "social_graph",
	[PII_DET_HOME_ADDRESS] = "home_address",
	[PII_DET_HOME_NIGHTS] = "home_nights",
	[PII_DET_PLACE] = "coarse_place",
};

static void
keyset_free(struct pii_keyset *ks)
{
	for (size_t i = 0; i < ks->nexact; i++)
		free(ks->exact[i]);
	for (size_t i = 0; i < ks->ncontains; i++)
		free(ks->contains[i]);
	free(ks->exact);
	free(ks->contains);
	memset(ks, 0, sizeof(*ks));
}

/*
 * The key table: every normalized string of every key set, with the mask
 * of sets that list it as `exact` and the mask that list it in
 * `contains`, indexed by the shared map (hash.h).
 */
struct pii_keyent {
	char *key;
	uint32_t exact, contains;
	uint8_t len;
};

struct pii_keytab {
	struct pii_keyent *ent;	/* room for every string of every set */
	uint32_t n;
	struct hmap map;
	uint64_t lens[2];	/* lengths (0..127) of contains strings */
	uint8_t first[32];	/* bitmap of first bytes of contains strings */
};

static void
keytab_free(struct pii_keytab *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < t->n; i++)
		free(t->ent[i].key);
	free(t->ent);
	hmap_fini(&t->map);
	free(t);
}

/* Keyed per run: probed with key names from request bodies. */
static uint32_t
key_hash(const char *s, size_t n)
{
	return (uint32_t)hash_bytes(s, n);
}

/* The entry for s, or NULL with p where it would go. */
static struct pii_keyent *
keytab_find(const struct pii_keytab *t, const char *s, size_t n,
    struct hmap_probe *p)
{
	uint32_t idx;

	for (idx = hmap_first(&t->map, key_hash(s, n), p); idx != 0;
	    idx = hmap_next(&t->map, p)) {
		struct pii_keyent *e = &t->ent[idx - 1];

		if (e->len == n && memcmp(e->key, s, n) == 0)
			return e;
	}
	return NULL;
}

/* The entries and map were sized for every string: no growth here. */
static int
keytab_add(struct pii_keytab *t, const char *s, uint32_t bit, bool contains)
{
	size_t n = strlen(s);
	struct pii_keyent *e;
	struct hmap_probe p;
	int r;

	if (n == 0 || n > 127)
		return 0;	/* normalize() never yields these */
	if ((e = keytab_find(t, s, n, &p)) == NULL) {
		e = &t->ent[t->n];
		*e = (struct pii_keyent){ .len = (uint8_t)n };
		if ((e->key = strdup(s)) == NULL)
			return -ENOMEM;
		if ((r = hmap_insert(&t->map, &p, t->n)) < 0) {
			free(e->key);
			return r;
		}
		t->n++;
	}
	if (contains) {
		e->contains |= bit;
		t->lens[n / 64] |= 1ull << (n % 64);
		t->first[(uint8_t)s[0] / 8] |= (uint8_t)(1u << ((uint8_t)s[0] % 8));
	} else
		e->exact |= bit;
	return 0;
}

static const struct pii_keyset *
keyset_of(const struct pii_rules *r, unsigned kc)
{
	if (kc < PII_DET_MAX)
		return &r->keys[kc];
	switch (kc) {
	case PII_KC_LAT: return &r->lat_keys;
	case PII_KC_LON: return &r->lon_keys;
	case PII_KC_XY: return &r->xy_keys;
	case PII_KC_XY_CONTEXT: return &r->xy_context;
	case PII_KC_LANDMARK: return &r->landmark_keys;
	case PII_KC_STREET: return &r->street_keys;
	case PII_KC_POSTCODE: return &r->postcode_keys;
	case PII_KC_CITY: return &r->city_keys;
	case PII_KC_PLACE_CITY: return &r->place_city;
	case PII_KC_PLACE_REGION: return &r->place_region;
	case PII_KC_PLACE_COUNTRY: return &r->place_country;
	default: return &r->place_elsewhere;
	}
}

static int
keytab_build(struct pii_rules *r)
{
	struct pii_keytab *t;
	size_t total = 0;
	int rc = -ENOMEM;

	for (unsigned kc = 0; kc < PII_KC_MAX; kc++)
		total += keyset_of(r, kc)->nexact + keyset_of(r, kc)->ncontains;
	if (total > UINT32_MAX / 2)
		return -E2BIG;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -ENOMEM;
	if ((t->ent = calloc(total + 1, sizeof(*t->ent))) == NULL ||
	    (rc = hmap_init(&t->map, (uint32_t)total)) < 0)
		goto out;
	for (unsigned kc = 0; kc < PII_KC_MAX; kc++) {
		const struct pii_keyset *ks = keyset_of(r, kc);

		for (size_t i = 0; i < ks->nexact; i++)
			if ((rc = keytab_add(t, ks->exact[i], 1u << kc,
			    false)) != 0)
				goto out;
		for (size_t i = 0; i < ks->ncontains; i++)
			if ((rc = keytab_add(t, ks->contains[i], 1u << kc,
			    true)) != 0)
				goto out;
	}
	r->keytab = t;
	t = NULL;
	rc = 0;
out:
	keytab_free(t);
	return rc;
}

struct pii_rules *
pii_rules_free(struct pii_rules *r)
{
	if (r == NULL)
		return NULL;
	for (int i = 0; i < PII_DET_MAX; i++)
		keyset_free(&r->keys[i]);
	keyset_free(&r->lat_keys);
	keyset_free(&r->lon_keys);
	keyset_free(&r->xy_keys);
	keyset_free(&r->xy_context);
	keyset_free(&r->landmark_keys);
	keyset_free(&r->street_keys);
	keyset_free(&r->postcode_keys);
	keyset_free(&r->city_keys);
	keyset_free(&r->place_city);
	keyset_free(&r->place_region);
	keyset_free(&r->place_country);
	keyset_free(&r->place_elsewhere);
	pii_face_services_free(r);
	keytab_free(r->keytab);
	for (size_t i = 0; i < r->ntld_deny; i++)
		free(r->tld_deny[i]);
	free(r->tld_deny);
	free(r);
	return NULL;
}

static size_t
normalize(const char *k, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		char c = k[i];

		if (c >= 'A' && c <= 'Z')
			out[o++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

struct strlist {
	char ***v;
	size_t *n;
	bool normalize;
};

static int
add_str(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct strlist *l = arg;
	char norm[128], **nv;
	const char *v = s;

	if (l->normalize) {
		if (normalize(s, strlen(s), norm, sizeof(norm)) == 0)
			return ynode_error(d, item, err, errlen,
			    "key has no letters or digits");
		v = norm;
	}
	if (*l->n >= 4096)
		return ynode_error(d, item, err, errlen, "too many entries");
	if ((nv = realloc(*l->v, (*l->n + 1) * sizeof(char *))) == NULL)
		return -ENOMEM;
	*l->v = nv;
	if ((nv[*l->n] = strdup(v)) == NULL)
		return -ENOMEM;
	(*l->n)++;
	return 0;
}

static int
load_keyset(const struct ydoc *d, const struct ynode *n, struct pii_keyset *ks,
    char *err, size_t errlen)
{
	static const char *const keys[] = { "exact", "contains", NULL };
	const struct ynode *v;
	int r;

	if ((r = ynode_check_keys(d, n, keys, err, errlen)) != 0)
		return r;
	if ((v = ynode_get(n, "exact")) != NULL) {
		struct strlist l = { &ks->exact, &ks->nexact, true };

		if ((r = ynode_strings(d, v, add_str, &l, err, errlen)) != 0)
			return r;
	}
	if ((v = ynode_get(n, "contains")) != NULL) {
		struct strlist l = { &ks->contains, &ks->ncontains, true };

		if ((r = ynode_strings(d, v, add_str, &l, err, errlen)) != 0)
			return r;
	}
	if (ks->nexact + ks->ncontains == 0)
		return ynode_error(d, n, err, errlen, "empty key set");
	return 0;
}

static int
get_uint(const struct ydoc *d, const struct ynode *m, const char *key,
    uint64_t lo, uint64_t hi, unsigned *ret, char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(m, key);
	uint64_t v;
	int r;

	if (n == NULL)
		return 0;	/* keep the default */
	if ((r = ynode_uint(d, n, lo, hi, &v, err, errlen)) != 0)
		return r;
	*ret = (unsigned)v;
	return 0;
}

static int
load_detector(const struct ydoc *d, const struct ynode *m, enum pii_det det,
    struct pii_rules *r, char *err, size_t errlen)
{
	static const char *const k_loc[] = { "enabled", "confidence", "lat",
	    "lon", "pair", "xy", "xy_context", "precise_min_decimals",
	    "min_decimals", NULL };
	static const char *const k_phone[] = { "enabled", "confidence", "keys",
	    "min_digits", "max_digits", NULL };
	static const char *const k_email[] = { "enabled", "confidence",
	    "tld_deny", NULL };
	static const char *const k_imsi[] = { "enabled", "confidence", "keys",
	    "mcc_min", "mcc_max", NULL };
	static const char *const k_mac[] = { "enabled", "confidence", "keys",
	    "anywhere", NULL };
	static const char *const k_contacts[] = { "enabled", "confidence",
	    "min_distinct", NULL };
	static const char *const k_image[] = { "enabled", "confidence", NULL };
	static const char *const k_face[] = { "enabled", "confidence", "keys",
	    "services", NULL };
	static const char *const k_template[] = { "enabled", "confidence",
	    "keys", "landmarks", "min_points", "min_dims", "max_dims", NULL };
	static const char *const k_social[] = { "enabled", "confidence", "keys",
	    "min_items", NULL };
	static const char *const k_address[] = { "enabled", "confidence",
	    "keys", "street", "postcode", "city", NULL };
	static const char *const k_place[] = { "enabled", "confidence",
	    "keys", "city", "region", "country", "elsewhere", NULL };
	static const char *const k_nights[] = { "enabled", "confidence",
	    "from_hour", "to_hour", "min_nights", "window_days",
	    "cell_decimals", NULL };
	static const char *const k_keyed[] = { "enabled", "confidence", "keys",
	    NULL };
	const char *const *allowed;
	const struct ynode *n;
	unsigned conf = r->confidence[det];
	int rc;

	switch (det) {
	case PII_DET_LOCATION: allowed = k_loc; break;
	case PII_DET_PHONE: allowed = k_phone; break;
	case PII_DET_EMAIL: allowed = k_email; break;
	case PII_DET_IMSI: allowed = k_imsi; break;
	case PII_DET_MAC: allowed = k_mac; break;
	case PII_DET_CONTACTS: allowed = k_contacts; break;
	case PII_DET_IMAGE: allowed = k_image; break;
	case PII_DET_FACE: allowed = k_face; break;
	case PII_DET_FACE_TEMPLATE: allowed = k_template; break;
	case PII_DET_SOCIAL: allowed = k_social; break;
	case PII_DET_HOME_ADDRESS: allowed = k_address; break;
	case PII_DET_HOME_NIGHTS: allowed = k_nights; break;
	case PII_DET_PLACE: allowed = k_place; break;
	default: allowed = k_keyed; break;
	}
	if ((rc = ynode_check_keys(d, m, allowed, err, errlen)) != 0)
		return rc;
	if ((n = ynode_get(m, "enabled")) != NULL &&
	    (rc = ynode_bool(d, n, &r->enabled[det], err, errlen)) != 0)
		return rc;
	if ((rc = get_uint(d, m, "confidence", 1, 100, &conf, err,
	    errlen)) != 0)
		return rc;
	r->confidence[det] = (uint8_t)conf;
	if ((n = ynode_get(m, "keys")) != NULL &&
	    (rc = load_keyset(d, n, &r->keys[det], err, errlen)) != 0)
		return rc;
	if (allowed == k_keyed || det == PII_DET_PHONE || det == PII_DET_IMSI ||
	    det == PII_DET_MAC || det == PII_DET_FACE ||
	    det == PII_DET_FACE_TEMPLATE || det == PII_DET_SOCIAL ||
	    det == PII_DET_HOME_ADDRESS || det == PII_DET_PLACE) {
		if (n == NULL)
			return ynode_error(d, m, err, errlen,
			    "missing key 'keys'");
	}
	switch (det) {
	case PII_DET_LOCATION: {
		static const char *const req[] = { "lat", "lon", "pair", "xy",
		    "xy_context" };
		struct pii_keyset *ks[] = { &r->lat_keys, &r->lon_keys,
		    &r->keys[PII_DET_LOCATION], &r->xy_keys, &r->xy_context };

		for (size_t i = 0; i < 5; i++) {
			if ((rc = ynode_get_required(d, m, req[i], &n, err,
			    errlen)) != 0 ||
			    (rc = load_keyset(d, n, ks[i], err, errlen)) != 0)
				return rc;
		}
		if ((rc = get_uint(d, m, "precise_min_decimals", 1, 12,
		    &r->precise_min_decimals, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "min_decimals", 0, 12,
		    &r->min_decimals, err, errlen)) != 0)
			return rc;
		if (r->min_decimals > r->precise_min_decimals)
			return ynode_error(d, m, err, errlen,
			    "min_decimals above precise_min_decimals");
		break;
	}
	case PII_DET_PHONE:
		if ((rc = get_uint(d, m, "min_digits", 5, 15,
		    &r->phone_min_digits, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "max_digits", 5, 15,
		    &r->phone_max_digits, err, errlen)) != 0)
			return rc;
		if (r->phone_min_digits > r->phone_max_digits)
			return ynode_error(d, m, err, errlen,
			    "min_digits above max_digits");
		break;
	case PII_DET_EMAIL:
		if ((n = ynode_get(m, "tld_deny")) != NULL) {
			struct strlist l = { &r->tld_deny, &r->ntld_deny, true };

			if ((rc = ynode_strings(d, n, add_str, &l, err,
			    errlen)) != 0)
				return rc;
		}
		break;
	case PII_DET_IMSI:
		if ((rc = get_uint(d, m, "mcc_min", 100, 999, &r->mcc_min, err,
		    errlen)) != 0 ||
		    (rc = get_uint(d, m, "mcc_max", 100, 999, &r->mcc_max, err,
		    errlen)) != 0)
			return rc;
		if (r->mcc_min > r->mcc_max)
			return ynode_error(d, m, err, errlen,
			    "mcc_min above mcc_max");
		break;
	case PII_DET_MAC:
		if ((n = ynode_get(m, "anywhere")) != NULL &&
		    (rc = ynode_bool(d, n, &r->mac_anywhere, err, errlen)) != 0)
			return rc;
		break;
	case PII_DET_CONTACTS:
		if ((rc = get_uint(d, m, "min_distinct", 2, PII_STRUCT_MAX_CONTACT,
		    &r->contacts_min, err, errlen)) != 0)
			return rc;
		break;
	case PII_DET_FACE:
		if ((rc = ynode_get_required(d, m, "services", &n, err,
		    errlen)) != 0 ||
		    (rc = pii_face_services_load(d, n, r, err, errlen)) != 0)
			return rc;
		break;
	case PII_DET_FACE_TEMPLATE:
		if ((rc = ynode_get_required(d, m, "landmarks", &n, err,
		    errlen)) != 0 ||
		    (rc = load_keyset(d, n, &r->landmark_keys, err,
		    errlen)) != 0 ||
		    (rc = get_uint(d, m, "min_points", 5, 1000,
		    &r->face_min_points, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "min_dims", 16, 4096,
		    &r->face_min_dims, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "max_dims", 16, 65536,
		    &r->face_max_dims, err, errlen)) != 0)
			return rc;
		if (r->face_min_dims > r->face_max_dims)
			return ynode_error(d, m, err, errlen,
			    "min_dims above max_dims");
		break;
	case PII_DET_SOCIAL:
		if ((rc = get_uint(d, m, "min_items", 2, PII_STRUCT_MAX_SOCIAL,
		    &r->social_min, err, errlen)) != 0)
			return rc;
		break;
	case PII_DET_HOME_ADDRESS: {
		static const char *const req[] = { "street", "postcode",
		    "city" };
		struct pii_keyset *ks[] = { &r->street_keys,
		    &r->postcode_keys, &r->city_keys };

		for (size_t i = 0; i < 3; i++)
			if ((rc = ynode_get_required(d, m, req[i], &n, err,
			    errlen)) != 0 ||
			    (rc = load_keyset(d, n, ks[i], err, errlen)) != 0)
				return rc;
		break;
	}
	case PII_DET_PLACE: {
		static const char *const req[] = { "city", "region",
		    "country", "elsewhere" };
		struct pii_keyset *ks[] = { &r->place_city, &r->place_region,
		    &r->place_country, &r->place_elsewhere };

		for (size_t i = 0; i < 4; i++)
			if ((rc = ynode_get_required(d, m, req[i], &n, err,
			    errlen)) != 0 ||
			    (rc = load_keyset(d, n, ks[i], err, errlen)) != 0)
				return rc;
		break;
	}
	case PII_DET_HOME_NIGHTS:
		if ((rc = get_uint(d, m, "from_hour", 0, 23, &r->night_from,
		    err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "to_hour", 0, 23, &r->night_to, err,
		    errlen)) != 0 ||
		    (rc = get_uint(d, m, "min_nights", 2, 365, &r->min_nights,
		    err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "window_days", 1, 366,
		    &r->window_days, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "cell_decimals", 1, 4,
		    &r->cell_decimals, err, errlen)) != 0)
			return rc;
		if (r->night_from == r->night_to)
			return ynode_error(d, m, err, errlen,
			    "from_hour equals to_hour: no night");
		break;
	default:
		break;
	}
	return 0;
}

static int
rules_from_doc(const struct ydoc *d, struct pii_rules **ret, char *err,
    size_t errlen)
{
	static const char *const top[] = { "version", "limits", "detectors",
	    NULL };
	static const char *const lim[] = { "max_fields", "max_json_depth",
	    "max_multipart_parts", "max_hits", NULL };
	const char *dets[PII_DET_MAX + 1];
	const struct ynode *n, *m;
	struct pii_rules *r;
	uint64_t ver;
	int rc;

	if ((rc = ynode_check_keys(d, d->root, top, err, errlen)) != 0)
		return rc;
	if ((rc = ynode_get_required(d, d->root, "version", &n, err,
	    errlen)) != 0 ||
	    (rc = ynode_uint(d, n, 1, 1, &ver, err, errlen)) != 0)
		return rc;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	/* Defaults for what a pack leaves out. */
	for (int i = 0; i < PII_DET_MAX; i++) {
		r->enabled[i] = true;
		r->confidence[i] = 80;
	}
	r->precise_min_decimals = 3;
	r->min_decimals = 1;
	r->phone_min_digits = 7;
	r->phone_max_digits = 15;
	r->mcc_min = 200;
	r->mcc_max = 799;
	r->contacts_min = 3;
	r->face_min_points = 20;
	r->face_min_dims = 64;
	r->face_max_dims = 4096;
	r->social_min = 10;
	r->night_from = 0;
	r->night_to = 6;
	r->min_nights = 3;
	r->window_days = 30;
	r->cell_decimals = 2;
	r->max_fields = 2048;
	r->max_json_depth = PII_JSON_MAX_DEPTH;
	r->max_parts = 32;
	r->max_hits = 512;

	if ((m = ynode_get(d->root, "limits")) != NULL) {
		if ((rc = ynode_check_keys(d, m, lim, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "max_fields", 1, 65536, &r->max_fields,
		    err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "max_json_depth", 1, PII_JSON_MAX_DEPTH,
		    &r->max_json_depth, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "max_multipart_parts", 1, 1024,
		    &r->max_parts, err, errlen)) != 0 ||
		    (rc = get_uint(d, m, "max_hits", 1, 65536, &r->max_hits,
		    err, errlen)) != 0)
			goto out;
	}
	for (int i = 0; i < PII_DET_MAX; i++)
		dets[i] = det_name[i];
	dets[PII_DET_MAX] = NULL;
	if ((rc = ynode_get_required(d, d->root, "detectors", &m, err,
	    errlen)) != 0 ||
	    (rc = ynode_check_keys(d, m, dets, err, errlen)) != 0)
		goto out;
	for (int i = 0; i < PII_DET_MAX; i++) {
		if ((n = ynode_get(m, det_name[i])) == NULL) {
			rc = ynode_error(d, m, err, errlen,
			    "missing detector '%s'", det_name[i]);
			goto out;
		}
		if ((rc = load_detector(d, n, (enum pii_det)i, r, err,
		    errlen)) != 0)
			goto out;
	}
	if ((rc = keytab_build(r)) != 0)
		goto out;
	*ret = r;
	r = NULL;
	rc = 0;
out:
	pii_rules_free(r);
	return rc;
}

int
pii_rules_load_file(const char *path, struct pii_rules **ret, char *err,
    size_t errlen)
{
	struct ydoc *d = NULL;
	int r;

	if ((r = ydoc_load_file(path, &d, err, errlen)) != 0)
		return r;
	r = rules_from_doc(d, ret, err, errlen);
	ydoc_free(d);
	return r;
}

int
pii_rules_load_string(const char *name, const char *buf, size_t len,
    struct pii_rules **ret, char *err, size_t errlen)
{
	struct ydoc *d = NULL;
	int r;

	if ((r = ydoc_load_string(name, buf, len, &d, err, errlen)) != 0)
		return r;
	r = rules_from_doc(d, ret, err, errlen);
	ydoc_free(d);
	return r;
}

/*
 * Normalized key and its last word (after the last separator or
 * lower-to-upper change); *ret_ln is 0 when the last word is the whole
 * key (it adds nothing then).
 */
static size_t
key_words(const char *key, size_t len, char *norm, size_t normlen,
    char *last, size_t lastlen, size_t *ret_ln)
{
	size_t n, ln, i = len;

	n = normalize(key, len, norm, normlen);
	/* Bounded by len. */
	while (i > 0) {
		char c = key[i - 1];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9');

		if (!alnum)
			break;
		if (c >= 'A' && c <= 'Z' && i >= 2 && key[i - 2] >= 'a' &&
		    key[i - 2] <= 'z') {
			i--;
			break;
		}
		i--;
	}
	ln = normalize(key + i, len - i, last, lastlen);
	*ret_ln = ln < n ? ln : 0;
	return n;
}

bool
pii_key_match(const struct pii_keyset *ks, const char *key, size_t len)
{
	char norm[128], last[64];
	size_t n, ln;

	if (len == 0 || ks->nexact + ks->ncontains == 0)
		return false;
	if ((n = key_words(key, len, norm, sizeof(norm), last, sizeof(last),
	    &ln)) == 0)
		return false;
	for (size_t k = 0; k < ks->nexact; k++)
		if (strcmp(ks->exact[k], norm) == 0 ||
		    (ln > 0 && strcmp(ks->exact[k], last) == 0))
			return true;
	for (size_t k = 0; k < ks->ncontains; k++)
		if (strstr(norm, ks->contains[k]) != NULL)
			return true;
	return false;
}

uint32_t
pii_key_classes(const struct pii_rules *r, const char *key, size_t len)
{
	const struct pii_keytab *t = r->keytab;
	const struct pii_keyent *e;
	struct hmap_probe p;
	char norm[128], last[64];
	size_t n, ln;
	uint32_t m = 0;

	if (t == NULL || len == 0)
		return 0;
	if ((n = key_words(key, len, norm, sizeof(norm), last, sizeof(last),
	    &ln)) == 0)
		return 0;
	if ((e = keytab_find(t, norm, n, &p)) != NULL)
		m |= e->exact;
	if (ln > 0 && (e = keytab_find(t, last, ln, &p)) != NULL)
		m |= e->exact;
	/* Contains: one pass over the key; at each byte that starts some
	 * contains string, one probe per distinct length (≤ 128). */
	for (size_t s = 0; s < n; s++) {
		uint8_t c = (uint8_t)norm[s];

		if (!(t->first[c / 8] & (1u << (c % 8))))
			continue;
		for (size_t l = 1; l <= n - s && l < 128; l++) {
			if (!(t->lens[l / 64] & (1ull << (l % 64))))
				continue;
			if ((e = keytab_find(t, norm + s, l, &p)) != NULL)
				m |= e->contains;
		}
	}
	return m;
}

/* pii_key_classes() through the state's memo of recent keys. */
static uint32_t
key_classes(const struct pii_rules *r, struct pii_struct_state *st,
    const char *key, size_t len)
{
	struct pii_key_memo *m;

	if (len == 0 || len > PII_KEY_MEMO_LEN)
		return pii_key_classes(r, key, len);
	if (st->memo_rules != r) {
		memset(st->memo, 0, sizeof(st->memo));
		st->memo_rules = r;
	}
	/* A hit compares the whole key. */
	m = &st->memo[hash_bytes(key, len) % PII_KEY_MEMO];
	if (m->len == len && memcmp(m->key, key, len) == 0)
		return m->mask;
	m->mask = pii_key_classes(r, key, len);
	m->len = (uint8_t)len;
	memcpy(m->key, key, len);
	return m->mask;
}

/* ----------------------------------------------------- value helpers */

static bool
is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Trim spaces and quotes around a value. */
static void
trim(const uint8_t **p, size_t *n)
{
	while (*n > 0 && ((*p)[0] == ' ' || (*p)[0] == '"' || (*p)[0] == '\''))
		(*p)++, (*n)--;
	while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '"' ||
	    (*p)[*n - 1] == '\''))
		(*n)--;
}

bool
pii_luhn_ok(const char *d, size_t n)
{
	unsigned sum = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)(d[n - 1 - i] - '0');

		if (v > 9)
			return false;
		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return n > 0 && sum % 10 == 0;
}

/* Digits of a value written with optional spaces/dashes; 0 if other chars. */
static size_t
digits_of(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (is_digit(p[i])) {
			if (o + 1 >= outlen)
				return 0;
			out[o++] = (char)p[i];
		} else if (p[i] != ' ' && p[i] != '-')
			return 0;
	}
	out[o] = '\0';
	return o;
}

/* Lower-case hex digits of a value with optional : - . separators. */
static size_t
hex_of(const uint8_t *p, size_t n, char *out, size_t outlen, char *ret_sep)
{
	size_t o = 0;

	*ret_sep = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_hex(p[i])) {
			if (o + 1 >= outlen)
				return 0;
			out[o++] = (char)((p[i] >= 'A' && p[i] <= 'F') ?
			    p[i] - 'A' + 'a' : p[i]);
		} else if (p[i] == ':' || p[i] == '-' || p[i] == '.') {
			if (*ret_sep && *ret_sep != (char)p[i])
				return 0;
			*ret_sep = (char)p[i];
		} else
			return 0;
	}
	out[o] = '\0';
	return o;
}

static bool
all_same(const char *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (s[i] != s[0])
			return false;
	return true;
}

static bool
is_uuid(const uint8_t *p, size_t n)
{
	if (n != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-')
				return false;
		} else if (!is_hex(p[i]))
			return false;
	}
	return true;
}

/* Decimal number spanning exactly p[0..n): sign, digits, '.', digits. */
static bool
parse_dec(const uint8_t *p, size_t n, double *ret, unsigned *ret_dec)
{
	char tmp[32];
	size_t i = 0, intd = 0, dec = 0;
	bool dot = false;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	if (p[0] == '-' || p[0] == '+')
		i++;
	for (; i < n; i++) {
		if (is_digit(p[i])) {
			if (dot)
				dec++;
			else
				intd++;
		} else if (p[i] == '.' && !dot)
			dot = true;
		else
			return false;
	}
	if (intd == 0 || intd > 3 || (dot && dec == 0))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	*ret = strtod(tmp, NULL);
	*ret_dec = (unsigned)dec;
	return true;
}

/* Two numbers separated by ',', ';', '|', '_' or spaces. */
static bool
parse_pair(const uint8_t *p, size_t n, double *a, double *b, unsigned *dec)
{
	size_t i, j;
	unsigned d1, d2;

	for (i = 0; i < n; i++)
		if (p[i] == ',' || p[i] == ';' || p[i] == '|' || p[i] == ' ' ||
		    p[i] == '_')
			break;
	if (i == 0 || i >= n)
		return false;
	j = i + 1;
	while (j < n && p[j] == ' ')
		j++;
	if (!parse_dec(p, i, a, &d1) || !parse_dec(p + j, n - j, b, &d2))
		return false;
	*dec = d1 < d2 ? d1 : d2;
	return true;
}

/* ------------------------------------------------------ coordinates */

#define GCJ_A 6378245.0
#define GCJ_EE 0.00669342162296594323

static bool
out_of_china(double lat, double lon)
{
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

static double
gcj_dlat(double x, double y)
{
	double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
	    0.2 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) *
	    2.0 / 3.0;
	r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * M_PI) + 320 * sin(y * M_PI / 30.0)) *
	    2.0 / 3.0;
	return r;
}

static double
gcj_dlon(double x, double y)
{
	double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y +
	    0.1 * sqrt(fabs(x));

	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) *
	    2.0 / 3.0;
	r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) *
	    2.0 / 3.0;
	return r;
}

/* The published WGS-84 -> GCJ-02 ("Mars coordinates") transform. */
void
pii_wgs_to_gcj(double lat, double lon, double *ret_lat, double *ret_lon)
{
	double dlat, dlon, radlat, magic, sq;

	if (out_of_china(lat, lon)) {
		*ret_lat = lat;
		*ret_lon = lon;
		return;
	}
	dlat = gcj_dlat(lon - 105.0, lat - 35.0);
	dlon = gcj_dlon(lon - 105.0, lat - 35.0);
	radlat = lat / 180.0 * M_PI;
	magic = sin(radlat);
	magic = 1 - GCJ_EE * magic * magic;
	sq = sqrt(magic);
	dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sq) * M_PI);
	dlon = (dlon * 180.0) / (GCJ_A / sq * cos(radlat) * M_PI);
	*ret_lat = lat + dlat;
	*ret_lon = lon + dlon;
}

/* Baidu's BD-09 on top of GCJ-02. */
void
pii_gcj_to_bd(double lat, double lon, double *ret_lat, double *ret_lon)
{
	const double xpi = M_PI * 3000.0 / 180.0;
	double z = sqrt(lon * lon + lat * lat) + 0.00002 * sin(lat * xpi);
	double t = atan2(lat, lon) + 0.000003 * cos(lon * xpi);

	*ret_lon = z * cos(t) + 0.0065;
	*ret_lat = z * sin(t) + 0.006;
}

double
pii_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) +
	    cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	return 6371008.8 * 2 * atan2(sqrt(a), sqrt(1 - a));
}

/*
 * Free-text pairs ("48.8584, 2.2945") from number starts at or after i,
 * until the scan has passed `until`; returns where it stopped.  Each
 * number is at most 24 bytes; i always advances.
 */
static size_t
text_pairs_from(const uint8_t *buf, size_t len, size_t i, size_t until,
    void (*cb)(void *arg, double a, double b, unsigned decimals), void *arg)
{
	while (i < len && i <= until) {
		size_t s = i, e, s2, e2;
		double a, b;
		unsigned d1, d2;
		bool dot;

		if (!(is_digit(buf[i]) || buf[i] == '-') ||
		    (i > 0 && (is_alnum(buf[i - 1]) || buf[i - 1] == '.'))) {
			i++;
			continue;
		}
		e = s + 1;
		dot = false;
		while (e < len && e - s < 24 && (is_digit(buf[e]) ||
		    buf[e] == '.'))
			dot |= buf[e++] == '.';
		/* Coordinates have decimals: integers are not parsed. */
		if (!dot || !parse_dec(buf + s, e - s, &a, &d1) || d1 == 0) {
			i = e;
			continue;
		}
		s2 = e;
		if (s2 < len && (buf[s2] == ',' || buf[s2] == ';' ||
		    buf[s2] == '|' || buf[s2] == ' ' || buf[s2] == '/'))
			s2++;
		else {
			i = e;
			continue;
		}
		while (s2 < len && buf[s2] == ' ')
			s2++;
		e2 = s2 + 1;
		while (e2 < len && e2 - s2 < 24 && (is_digit(buf[e2]) ||
		    buf[e2] == '.'))
			e2++;
		if (s2 < len && e2 <= len && (e2 >= len || !is_alnum(buf[e2])) &&
		    parse_dec(buf + s2, e2 - s2, &b, &d2) && d2 > 0)
			cb(arg, a, b, d1 < d2 ? d1 : d2);
		i = e;
	}
	return i;
}

void
pii_text_pairs(const uint8_t *buf, size_t len,
    void (*cb)(void *arg, double a, double b, unsigned decimals), void *arg)
{
	size_t i = 0;
	const uint8_t *dot;

	/*
	 * A pair's first number has decimals: it is the run of digits,
	 * signs and dots around some '.'.  So the byte-by-byte scan runs
	 * only from the start of each such run (memchr finds the '.'), and
	 * text before a run, which holds no '.', can hold no pair.  It sees
	 * the same starts as a scan of every byte: it never resumes inside
	 * a number that a full scan would have taken whole.
	 */
	while (i < len && (dot = memchr(buf + i, '.', len - i)) != NULL) {
		size_t from = (size_t)(dot - buf), d = from;

		while (from > i && (is_digit(buf[from - 1]) ||
		    buf[from - 1] == '.' || buf[from - 1] == '-'))
			from--;
		i = text_pairs_from(buf, len, from, d, cb, arg);
	}
}

#ifdef OUTFLOW_TESTING
void
pii_text_pairs_every_byte(const uint8_t *buf, size_t len,
    void (*cb)(void *arg, double a, double b, unsigned decimals), void *arg)
{
	(void)text_pairs_from(buf, len, 0, len, cb, arg);
}
#endif

/* ----------------------------------------------------- the detectors */

static void
hit(pii_hit_cb *cb, void *arg, const char *cat, const struct pii_field *f,
    uint8_t conf, const char *canon, enum pii_mask_kind mk, bool contact)
{
	struct pii_hit h;
	char masked[96];
	size_t n = strlen(canon);

	pii_mask(mk, canon, n, masked, sizeof(masked));
	memset(&h, 0, sizeof(h));
	h.category = cat;
	h.field = f;
	h.encoding = "plain";
	h.confidence = conf;
	h.canon = canon;
	h.canon_len = n;
	h.masked = masked;
	h.contact = contact;
	cb(arg, &h);
}

static void
coord_hit(const struct pii_rules *r, const struct pii_field *f, double lat,
    double lon, unsigned dec, uint8_t conf, pii_hit_cb *cb, void *arg)
{
	struct pii_hit h;
	char canon[64], masked[96];

	if (fabs(lat) > 90 || fabs(lon) > 180 || dec < r->min_decimals ||
	    (lat == 0 && lon == 0))
		return;
	snprintf(canon, sizeof(canon), "%.5f,%.5f", lat, lon);
	snprintf(masked, sizeof(masked), "%.1f*****, %.1f*****", lat, lon);
	memset(&h, 0, sizeof(h));
	h.category = dec >= r->precise_min_decimals ? "location.precise" :
	    "location.coarse";
	h.field = f;
	h.encoding = "plain";
	h.confidence = conf;
	h.canon = canon;
	h.canon_len = strlen(canon);
	h.masked = masked;
	h.has_coord = true;
	h.lat = lat;
	h.lon = lon;
	cb(arg, &h);
}

/*
 * Generic TLDs an address may end in besides the two-letter country
 * codes.  Deliberately short: the big and old gTLDs plus the new ones
 * apps are seen using; a made-up suffix in binary junk
 * ("x@gecds2.mobilitylab.oet") must not pass.  Sorted for bsearch.
 */
static const char *const email_gtld[] = {
	"aero", "ai", "app", "art", "asia", "biz", "blog", "cat",
	"cloud", "club", "com", "coop", "dev", "edu", "email", "gov",
	"info", "int", "io", "jobs", "live", "me", "mil", "mobi",
	"name", "net", "online", "org", "page", "pro", "shop", "site",
	"space", "store", "tech", "tel", "top", "travel", "tv",
	"website", "xyz",
};

static int
cmp_tld(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

/* A TLD (lower case) that real addresses use. */
static bool
tld_plausible(const char *tld, size_t tl)
{
	if (tl == 2)
		return true;	/* country code */
	return bsearch(tld, email_gtld, sizeof(email_gtld) /
	    sizeof(email_gtld[0]), sizeof(email_gtld[0]), cmp_tld) != NULL;
}

/* Emails anywhere in a value: local@domain.tld with a plausible TLD. */
static void
scan_emails(const struct pii_rules *r, const struct pii_field *f,
    pii_hit_cb *cb, void *arg)
{
	const uint8_t *p = f->val;
	size_t n = f->val_len, found = 0;

	/* At most 64 '@' per value; each check is bounded (64 + 253). */
	for (size_t i = 0; i < n && found < 64; i++) {
		size_t ls, de, dot = 0;
		char canon[320], tld[32];
		size_t tl = 0, k, o = 0;
		bool deny = false;

		if (p[i] != '@')
			continue;
		found++;
		ls = i;
		while (ls > 0 && i - ls < 64 && (is_alnum(p[ls - 1]) ||
		    p[ls - 1] == '.' || p[ls - 1] == '_' || p[ls - 1] == '%' ||
		    p[ls - 1] == '+' || p[ls - 1] == '-'))
			ls--;
		de = i + 1;
		while (de < n && de - i < 253 && (is_alnum(p[de]) ||
		    p[de] == '.' || p[de] == '-')) {
			if (p[de] == '.')
				dot = de;
			de++;
		}
		while (de > i + 1 && (p[de - 1] == '.' || p[de - 1] == '-'))
			de--;
		if (ls == i || dot == 0 || dot >= de || p[ls] == '.' ||
		    p[i - 1] == '.' || p[i + 1] == '.' || p[i + 1] == '-')
			continue;
		for (k = dot + 1; k < de; k++) {
			if (!((p[k] >= 'a' && p[k] <= 'z') ||
			    (p[k] >= 'A' && p[k] <= 'Z')) || tl + 1 >= sizeof(tld))
				break;
			tld[tl++] = (char)(p[k] | 0x20);
		}
		if (k != de || tl < 2 || tl > 24)
			continue;
		tld[tl] = '\0';
		if (!tld_plausible(tld, tl))
			continue;
		for (size_t t = 0; t < r->ntld_deny; t++)
			if (strcmp(r->tld_deny[t], tld) == 0)
				deny = true;
		if (deny)
			continue;
		for (k = ls; k < de && o + 1 < sizeof(canon); k++)
			canon[o++] = (char)((p[k] >= 'A' && p[k] <= 'Z') ?
			    p[k] | 0x20 : p[k]);
		canon[o] = '\0';
		hit(cb, arg, "email", f, r->confidence[PII_DET_EMAIL], canon,
		    PII_MASK_EMAIL, true);
	}
}

/* Colon-separated MACs anywhere: hh:hh:hh:hh:hh:hh, not inside a longer run. */
static void
scan_macs(const struct pii_rules *r, const struct pii_field *f,
    pii_hit_cb *cb, void *arg)
{
	const uint8_t *p = f->val, *colon;
	size_t n = f->val_len, found = 0, from = 2;

	/* A MAC's first ':' is its third byte: go from colon to colon
	 * (memchr), not byte by byte. */
	while (from < n && found < 16 &&
	    (colon = memchr(p + from, ':', n - from)) != NULL) {
		size_t i = (size_t)(colon - p) - 2;
		char h[13], canon[18];
		bool ok = true;

		from = i + 3;
		if (i + 17 > n)
			break;
		if ((i > 0 && (is_hex(p[i - 1]) ||
		    p[i - 1] == ':')) || (i + 17 < n && (is_hex(p[i + 17]) ||
		    p[i + 17] == ':')))
			continue;
		for (size_t k = 0; k < 6 && ok; k++) {
			if (!is_hex(p[i + 3 * k]) || !is_hex(p[i + 3 * k + 1]) ||
			    (k < 5 && p[i + 3 * k + 2] != ':'))
				ok = false;
			else {
				h[2 * k] = (char)(p[i + 3 * k] | 0x20);
				h[2 * k + 1] = (char)(p[i + 3 * k + 1] | 0x20);
			}
		}
		if (!ok)
			continue;
		h[12] = '\0';
		found++;
		if (strcmp(h, "000000000000") == 0 ||
		    strcmp(h, "ffffffffffff") == 0 ||
		    strcmp(h, "020000000000") == 0)
			continue;
		snprintf(canon, sizeof(canon), "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s",
		    h, h + 2, h + 4, h + 6, h + 8, h + 10);
		hit(cb, arg, "mac", f, r->confidence[PII_DET_MAC], canon,
		    PII_MASK_MAC, false);
		from = i + 17 + 2;
	}
}

static bool
has_vcard(const uint8_t *p, size_t n)
{
	const uint8_t *colon;
	size_t from = 5;

	/* From colon to colon: the one in "BEGIN:VCARD" is its sixth byte. */
	while (from < n && (colon = memchr(p + from, ':', n - from)) != NULL) {
		size_t i = (size_t)(colon - p) - 5;

		if (i + 11 > n)
			return false;
		if (strncasecmp((const char *)p + i, "BEGIN:VCARD", 11) == 0)
			return true;
		from = i + 6;
	}
	return false;
}

static void
add_coord(struct pii_struct_state *st, const struct pii_field *f, double v,
    unsigned dec, bool is_lat)
{
	struct pii_coord_cand *c;

	if (st->ncand >= PII_STRUCT_MAX_COORD)
		return;
	c = &st->cand[st->ncand++];
	c->f = *f;
	snprintf(c->path, sizeof(c->path), "%s", f->path ? f->path : "");
	c->f.path = c->path;
	c->field = &c->f;
	c->v = v;
	c->decimals = dec;
	c->is_lat = is_lat;
}

void
pii_struct_begin(struct pii_struct_state *st)
{
	st->ncand = 0;
	st->ncontact = 0;
	st->vcard = false;
	st->face_word = false;
	st->face_image = false;
	st->landmark_numbers = 0;
	st->emb_obj = 0;
	st->emb_count = 0;
	st->template_done = false;
	st->nsocial = 0;
	st->nsocial_digest = 0;
	st->digest_len = 0;
	st->social_obj = 0;
	st->addr_obj = 0;
	st->nplace = 0;
	st->addr_parts = 0;
	st->addr_done = false;
}

/* ------------------------------------------- faces, friends, home */

/*
 * Keep where a finding was (its path and place) for a hit made later;
 * the walker reuses the buffers of keys and values, so those are left
 * out.
 */
static void
keep_field(struct pii_field *dst, char *path, size_t pathlen,
    const struct pii_field *f)
{
	*dst = *f;
	snprintf(path, pathlen, "%s", f->path ? f->path : "");
	dst->path = path;
	dst->key = dst->parent = "";
	dst->key_len = dst->parent_len = 0;
	dst->val = dst->raw = NULL;
	dst->val_len = dst->raw_len = 0;
}

static void
summary_hit(pii_hit_cb *cb, void *arg, const char *cat,
    const struct pii_field *f, const char *enc, uint8_t conf,
    const char *canon, const char *masked)
{
	struct pii_hit h;

	memset(&h, 0, sizeof(h));
	h.category = cat;
	h.field = f;
	h.encoding = enc;
	h.confidence = conf;
	h.canon = canon;
	h.canon_len = strlen(canon);
	h.masked = masked;
	cb(arg, &h);
}

static bool
has_fraction(const uint8_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == '.' || v[i] == 'e' || v[i] == 'E')
			return true;
	return false;
}

static void
template_hit(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, const char *kind, size_t count,
    const char *enc, pii_hit_cb *cb, void *arg)
{
	/* kind is one of this file's short names: room for it and a count. */
	char canon[96], masked[96];

	st->template_done = true;
	snprintf(canon, sizeof(canon), "template:%s:%zu", kind, count);
	snprintf(masked, sizeof(masked), "%zu %s", count, kind);
	summary_hit(cb, arg, "biometric.face_template", f, enc,
	    r->confidence[PII_DET_FACE_TEMPLATE], canon, masked);
}

/* The embedding array counted so far, when it ends. */
static void
emb_flush(const struct pii_rules *r, struct pii_struct_state *st,
    pii_hit_cb *cb, void *arg)
{
	if (!st->template_done && st->emb_count >= r->face_min_dims &&
	    st->emb_count <= r->face_max_dims)
		template_hit(r, st, &st->emb_field, "floats (an embedding)",
		    st->emb_count, "plain", cb, arg);
	st->emb_count = 0;
	st->emb_obj = 0;
}

static void
template_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, uint32_t km, const uint8_t *v, size_t n,
    pii_hit_cb *cb, void *arg)
{
	bool lm = km & 1u << PII_KC_LANDMARK;
	size_t dec, c;

	/* x and y of points inside a landmark object ("landmark":
	 * {"left_eye": {"x": .., "y": ..}}) */
	if (!lm && (km & 1u << PII_KC_XY) && f->is_number && f->path != NULL)
		lm = strcasestr(f->path, "landmark") != NULL ||
		    (f->parent_len > 0 && (key_classes(r, st, f->parent,
		    f->parent_len) & 1u << PII_KC_LANDMARK));
	if (lm) {
		c = f->is_number ? 1 : pii_float_list(v, n, &dec);
		if (c > 0 && st->landmark_numbers == 0)
			keep_field(&st->landmark_field, st->landmark_path,
			    sizeof(st->landmark_path), f);
		st->landmark_numbers += (unsigned)(c > 100000 ? 100000 : c);
	}
	if (!(km & 1u << PII_DET_FACE_TEMPLATE))
		return;
	if (f->is_number) {
		if (f->obj != st->emb_obj) {
			emb_flush(r, st, cb, arg);
			st->emb_obj = f->obj;
			keep_field(&st->emb_field, st->emb_path,
			    sizeof(st->emb_path), f);
		}
		if (has_fraction(v, n))
			st->emb_count++;
		return;
	}
	/* a string: decimals written out, or base64 of float32s */
	c = pii_float_list(v, n, &dec);
	if (c >= r->face_min_dims && c <= r->face_max_dims && dec * 10 >= c * 9)
		template_hit(r, st, f, "floats (an embedding)", c, "plain", cb,
		    arg);
	else if (pii_b64_floats(v, n, r->face_min_dims, r->face_max_dims))
		template_hit(r, st, f, "float32s (an embedding)",
		    n * 3 / 4 / 4, "base64", cb, arg);
}

/* An identifier of somebody: 5+ characters of an id, with a digit or '@'. */
static bool
id_like(const uint8_t *v, size_t n)
{
	bool digit = false;

	if (n < 5 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = v[i];

		if (is_digit(c) || c == '@')
			digit = true;
		else if (!is_alnum(c) && c != '.' && c != '_' && c != '-' &&
		    c != '+' && c != '=' && c != '/')
			return false;
	}
	return digit;
}

static bool
is_digest(const uint8_t *v, size_t n)
{
	if (n != 32 && n != 40 && n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_hex(v[i]))
			return false;
	return true;
}

static void
social_add(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, const uint8_t *v, size_t n)
{
	uint64_t x = hash_bytes(v, n);

	(void)r;
	for (size_t i = 0; i < st->nsocial; i++)
		if (st->social_hash[i] == x)
			return;
	if (st->nsocial >= PII_STRUCT_MAX_SOCIAL)
		return;
	if (st->nsocial == 0)
		keep_field(&st->social_field, st->social_path,
		    sizeof(st->social_path), f);
	st->social_hash[st->nsocial++] = x;
	if (is_digest(v, n)) {
		st->nsocial_digest++;
		st->digest_len = n;
	}
}

static void
social_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, uint32_t km, const uint8_t *v, size_t n)
{
	if (km & 1u << PII_DET_SOCIAL) {
		/* one id, or a list of them ("friends=1,2,3") */
		size_t i = 0;

		while (i < n) {
			size_t s;

			while (i < n && (v[i] == ',' || v[i] == ' ' ||
			    v[i] == ';' || v[i] == '|'))
				i++;
			s = i;
			while (i < n && !(v[i] == ',' || v[i] == ' ' ||
			    v[i] == ';' || v[i] == '|'))
				i++;
			if (i > s && id_like(v + s, i - s))
				social_add(r, st, f, v + s, i - s);
		}
		return;
	}
	/* a person listed as an object: its first identifier counts */
	if (f->parent_len == 0 || f->obj == st->social_obj ||
	    !id_like(v, n) || !(key_classes(r, st, f->parent, f->parent_len) &
	    1u << PII_DET_SOCIAL))
		return;
	st->social_obj = f->obj;
	social_add(r, st, f, v, n);
}

static void
social_end(const struct pii_rules *r, struct pii_struct_state *st,
    pii_hit_cb *cb, void *arg)
{
	char canon[48], masked[96];

	if (st->nsocial < r->social_min)
		return;
	snprintf(canon, sizeof(canon), "social:%zu", st->nsocial);
	snprintf(masked, sizeof(masked), "%zu%s identifiers of other people",
	    st->nsocial, st->nsocial >= PII_STRUCT_MAX_SOCIAL ? "+" : "");
	summary_hit(cb, arg, "contacts.social_graph", &st->social_field,
	    "plain", r->confidence[PII_DET_SOCIAL], canon, masked);
	if (st->nsocial_digest < r->social_min ||
	    !r->enabled[PII_DET_CONTACTS])
		return;
	/* hashed address book: no value readable, still the contacts */
	snprintf(canon, sizeof(canon), "hashed-contacts:%zu",
	    st->nsocial_digest);
	snprintf(masked, sizeof(masked), "%zu%s hashed contacts",
	    st->nsocial_digest, st->nsocial >= PII_STRUCT_MAX_SOCIAL ? "+" :
	    "");
	summary_hit(cb, arg, "contacts", &st->social_field,
	    st->digest_len == 32 ? "md5" : st->digest_len == 40 ? "sha1" :
	    "sha256", r->confidence[PII_DET_CONTACTS], canon, masked);
}

/*
 * The part an address key ends with when its last word alone does not
 * name it ("home_address_postal_code", "addrZipCode").
 */
static uint32_t
address_suffix(const struct pii_rules *r, const char *key, size_t len)
{
	const struct pii_keyset *sets[] = { &r->street_keys,
	    &r->postcode_keys, &r->city_keys };
	const unsigned bits[] = { PII_KC_STREET, PII_KC_POSTCODE,
	    PII_KC_CITY };
	char norm[128];
	size_t n = normalize(key, len, norm, sizeof(norm));

	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < sets[k]->nexact; i++) {
			size_t l = strlen(sets[k]->exact[i]);

			if (l < n && memcmp(norm + n - l, sets[k]->exact[i],
			    l) == 0)
				return 1u << bits[k];
		}
	return 0;
}

/*
 * Street, postcode and city of one object under address keys.  A form
 * key may carry both ("address[city]", "home_address_city").
 */
static void
address_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, uint32_t km, const uint8_t *v, size_t n,
    pii_hit_cb *cb, void *arg)
{
	const uint32_t parts = 1u << PII_KC_STREET | 1u << PII_KC_POSTCODE |
	    1u << PII_KC_CITY;
	uint32_t part = km & parts, ctx = km & 1u << PII_DET_HOME_ADDRESS;
	bool letter = false, digit = false;

	if (part == 0 && f->key_len > 2 && f->key[f->key_len - 1] == ']') {
		const char *open = memrchr(f->key, '[', f->key_len);

		if (open != NULL && open > f->key) {
			part = pii_key_classes(r, open + 1,
			    (size_t)(f->key + f->key_len - 1 - open - 1)) & parts;
			ctx = pii_key_classes(r, f->key,
			    (size_t)(open - f->key)) &
			    1u << PII_DET_HOME_ADDRESS;
		}
	}
	if (part == 0 && ctx != 0)
		part = address_suffix(r, f->key, f->key_len);
	if (part == 0)
		return;
	if (ctx == 0 && (f->parent_len == 0 || !(key_classes(r, st, f->parent,
	    f->parent_len) & 1u << PII_DET_HOME_ADDRESS)))
		return;
	for (size_t i = 0; i < n; i++) {
		letter |= is_alnum(v[i]) && !is_digit(v[i]);
		digit |= is_digit(v[i]);
	}
	if ((part & 1u << PII_KC_POSTCODE) ? (!digit || n < 3 || n > 10) :
	    (!letter || n < 2))
		return;
	if (f->obj != st->addr_obj) {
		st->addr_obj = f->obj;
		st->addr_parts = 0;
		st->addr_hash = 0;
	}
	st->addr_parts |= part;
	st->addr_hash = hash_mix(st->addr_hash, hash_bytes(v, n));
	if ((st->addr_parts & parts) == parts) {
		char canon[48];

		st->addr_done = true;
		/* the same address gives the same evidence hash, and no
		 * part of it is kept: a keyed hash of the object's values */
		snprintf(canon, sizeof(canon), "address:%016llx",
		    (unsigned long long)st->addr_hash);
		summary_hit(cb, arg, "location.home", f, "plain",
		    r->confidence[PII_DET_HOME_ADDRESS], canon,
		    "street, postcode and city (an address)");
	}
}

/* The seeds' detectors on one keyed field (any length of value). */
static void
seeds_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, uint32_t km, const uint8_t *v, size_t n,
    pii_hit_cb *cb, void *arg)
{
	if (r->enabled[PII_DET_FACE]) {
		if (!st->face_word && (km & 1u << PII_DET_FACE)) {
			st->face_word = true;
			keep_field(&st->face_field, st->face_path,
			    sizeof(st->face_path), f);
		}
		if (!st->face_image && pii_b64_image(v, n))
			st->face_image = true;
	}
	if (r->enabled[PII_DET_FACE_TEMPLATE] && !st->template_done)
		template_field(r, st, f, km, v, n, cb, arg);
	if (r->enabled[PII_DET_SOCIAL] && n <= 4096)
		social_field(r, st, f, km, v, n);
	if (r->enabled[PII_DET_HOME_ADDRESS] && !st->addr_done && n <= 128)
		address_field(r, st, f, km, v, n, cb, arg);
}

static void
keyed_ids(const struct pii_rules *r, const struct pii_field *f,
    uint32_t km, const uint8_t *v, size_t n, pii_hit_cb *cb, void *arg)
{
	char d[40], h[80], canon[80], sep;
	size_t nd = digits_of(v, n, d, sizeof(d));
	size_t nh = hex_of(v, n, h, sizeof(h), &sep);
	bool k_imei = r->enabled[PII_DET_IMEI] &&
	    (km & 1u << PII_DET_IMEI);
	bool k_meid = r->enabled[PII_DET_MEID] &&
	    (km & 1u << PII_DET_MEID);

	if (k_imei && nd == 15 && pii_luhn_ok(d, 15) && !all_same(d, 15))
		hit(cb, arg, "device_id.imei", f, r->confidence[PII_DET_IMEI],
		    d, PII_MASK_GENERIC, false);
	else if (k_imei && nd == 16 && !all_same(d, 16))
		hit(cb, arg, "device_id.imei", f,
		    (uint8_t)(r->confidence[PII_DET_IMEI] * 8 / 10), d,
		    PII_MASK_GENERIC, false);
	else if ((k_imei || k_meid) && nh == 14 && sep == 0 &&
	    h[0] >= 'a')	/* MEID: first octet A0-FF */
		hit(cb, arg, "device_id.meid", f, r->confidence[PII_DET_MEID],
		    h, PII_MASK_GENERIC, false);
	else if (k_meid && nd == 18)
		hit(cb, arg, "device_id.meid", f, r->confidence[PII_DET_MEID],
		    d, PII_MASK_GENERIC, false);

	if (r->enabled[PII_DET_IMSI] && (nd == 14 || nd == 15) &&
	    (km & 1u << PII_DET_IMSI)) {
		unsigned mcc = (unsigned)((d[0] - '0') * 100 + (d[1] - '0') * 10 +
		    (d[2] - '0'));

		if (mcc >= r->mcc_min && mcc <= r->mcc_max && !all_same(d, nd))
			hit(cb, arg, "device_id.imsi", f,
			    r->confidence[PII_DET_IMSI], d, PII_MASK_GENERIC,
			    false);
	}
	if (r->enabled[PII_DET_ICCID] && (nd == 19 || nd == 20) &&
	    d[0] == '8' && d[1] == '9' && pii_luhn_ok(d, nd) &&
	    (km & 1u << PII_DET_ICCID))
		hit(cb, arg, "device_id.iccid", f, r->confidence[PII_DET_ICCID],
		    d, PII_MASK_GENERIC, false);
	if (r->enabled[PII_DET_ANDROID_ID] && sep == 0 && nh >= 14 &&
	    nh <= 16 && nh == n && !all_same(h, nh) &&
	    (km & 1u << PII_DET_ANDROID_ID))
		hit(cb, arg, "device_id.android_id", f,
		    r->confidence[PII_DET_ANDROID_ID], h, PII_MASK_GENERIC,
		    false);
	if (r->enabled[PII_DET_AD_ID] && (is_uuid(v, n) ||
	    (nh == 32 && sep == 0 && n == 32)) && !all_same(h, nh) &&
	    (km & 1u << PII_DET_AD_ID)) {
		snprintf(canon, sizeof(canon), "%.*s", (int)n, (const char *)v);
		for (size_t i = 0; canon[i]; i++)
			if (canon[i] >= 'A' && canon[i] <= 'F')
				canon[i] |= 0x20;
		hit(cb, arg, "ad_id", f, r->confidence[PII_DET_AD_ID], canon,
		    PII_MASK_GENERIC, false);
	} else if (r->enabled[PII_DET_OAID] && (is_uuid(v, n) ||
	    (sep == 0 && nh == n && (nh == 16 || nh == 64))) &&
	    !all_same(h, nh) &&
	    (km & 1u << PII_DET_OAID)) {
		snprintf(canon, sizeof(canon), "%.*s", (int)n, (const char *)v);
		for (size_t i = 0; canon[i]; i++)
			if (canon[i] >= 'A' && canon[i] <= 'F')
				canon[i] |= 0x20;
		hit(cb, arg, "ad_id", f, r->confidence[PII_DET_OAID], canon,
		    PII_MASK_GENERIC, false);
	}
	if (r->enabled[PII_DET_MAC] && nh == 12 &&
	    (sep == 0 || n == 17 || n == 14) &&
	    (km & 1u << PII_DET_MAC) &&
	    strcmp(h, "000000000000") != 0 && strcmp(h, "ffffffffffff") != 0 &&
	    strcmp(h, "020000000000") != 0) {
		snprintf(canon, sizeof(canon), "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s",
		    h, h + 2, h + 4, h + 6, h + 8, h + 10);
		hit(cb, arg, "mac", f, r->confidence[PII_DET_MAC], canon,
		    PII_MASK_MAC, false);
	}
}

static void
phone_field(const struct pii_rules *r, const struct pii_field *f,
    const uint8_t *v, size_t n, pii_hit_cb *cb, void *arg)
{
	char d[24], canon[32];
	size_t nd = 0, i = 0, seps = 0;
	bool intl = false;

	if (n > 0 && v[0] == '+') {
		intl = true;
		i = 1;
	}
	for (; i < n; i++) {
		if (is_digit(v[i])) {
			if (nd + 1 >= sizeof(d))
				return;
			d[nd++] = (char)v[i];
		} else if (v[i] == ' ' || v[i] == '-' || v[i] == '(' ||
		    v[i] == ')' || v[i] == '.')
			seps++;
		else
			return;
	}
	/* "12.5" and "1234.5678" are numbers, not phones */
	if (memchr(v, '.', n) != NULL && seps < 2)
		return;
	if (!intl && nd > 2 && d[0] == '0' && d[1] == '0') {
		intl = true;
		memmove(d, d + 2, nd - 2);
		nd -= 2;
	}
	d[nd] = '\0';
	if (nd < r->phone_min_digits || nd > r->phone_max_digits ||
	    all_same(d, nd) || (intl && (d[0] == '0' || nd < 8)))
		return;
	snprintf(canon, sizeof(canon), "%s%s", intl ? "+" : "", d);
	hit(cb, arg, "phone", f, intl ? r->confidence[PII_DET_PHONE] :
	    (uint8_t)(r->confidence[PII_DET_PHONE] * 9 / 10), canon,
	    PII_MASK_PHONE, true);
}

/* ------------------------------------------------------ coarse place */

/*
 * A place name: letters (any script: bytes above 0x7f), spaces and the
 * punctuation names carry, no digit ("us-east-1" is a cloud region, "0"
 * a count), not a word that says nothing.
 */
static bool
place_value(const uint8_t *v, size_t n)
{
	static const char *const empty[] = { "unknown", "null", "none",
	    "true", "false", "undefined", "n/a" };
	bool letter = false;

	if (n < 2 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (is_digit(v[i]) || v[i] == '@' || v[i] == '/' ||
		    v[i] == '=' || v[i] == ':' || v[i] == '_')
			return false;
		letter |= v[i] >= 0x80 || (is_alnum(v[i]) && !is_digit(v[i]));
	}
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		if (strlen(empty[i]) == n &&
		    strncasecmp((const char *)v, empty[i], n) == 0)
			return false;
	return letter;
}

/*
 * The words of a key before the place word ("user_city" -> "user",
 * "geoRegionName" -> "geo"): whether they name a location context or
 * somewhere else.
 */
static uint32_t
place_prefix_classes(const struct pii_rules *r, const char *key, size_t len,
    const struct pii_keyset *part)
{
	char norm[128];
	size_t n = normalize(key, len, norm, sizeof(norm));

	for (size_t i = 0; i < part->nexact; i++) {
		size_t l = strlen(part->exact[i]);

		if (l < n && memcmp(norm + n - l, part->exact[i], l) == 0)
			return pii_key_classes(r, norm, n - l);
	}
	return 0;
}

/* The tracked object for f->obj, a new one, or NULL when full. */
static struct pii_place_obj *
place_obj(struct pii_struct_state *st, const struct pii_field *f)
{
	struct pii_place_obj *p;

	for (size_t i = 0; i < st->nplace; i++)
		if (st->place[i].obj == f->obj &&
		    st->place[i].f.where == f->where)
			return &st->place[i];
	if (st->nplace >= PII_STRUCT_MAX_PLACE)
		return NULL;
	p = &st->place[st->nplace++];
	memset(p, 0, sizeof(*p));
	p->obj = f->obj;
	keep_field(&p->f, p->path, sizeof(p->path), f);
	return p;
}

/*
 * A city, region or country field, or a street or postcode (which makes
 * the object an address, not the user's whereabouts).  The decision
 * waits for the message's end: a street may come after the city.
 */
static void
place_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, uint32_t km, const uint8_t *v, size_t n)
{
	const uint32_t ctx_bits = 1u << PII_DET_PLACE |
	    1u << PII_DET_LOCATION | 1u << PII_KC_XY_CONTEXT;
	const unsigned kcs[] = { PII_KC_PLACE_CITY, PII_KC_PLACE_REGION,
	    PII_KC_PLACE_COUNTRY };
	const struct pii_keyset *sets[] = { &r->place_city, &r->place_region,
	    &r->place_country };
	struct pii_place_obj *p;
	uint32_t parent = 0, pre = 0;
	unsigned part = 0;
	bool addr = km & (1u << PII_KC_STREET | 1u << PII_KC_POSTCODE);

	for (size_t i = 0; i < 3 && part == 0; i++)
		if (km & 1u << kcs[i]) {
			part = 1u << kcs[i];
			pre = place_prefix_classes(r, f->key, f->key_len,
			    sets[i]);
		}
	if (part == 0 && !addr)
		return;
	if (f->parent_len > 0)
		parent = key_classes(r, st, f->parent, f->parent_len);
	if ((p = place_obj(st, f)) == NULL)
		return;
	if (addr || ((parent | pre) & 1u << PII_KC_PLACE_ELSEWHERE)) {
		p->vetoed = true;
		return;
	}
	if (!place_value(v, n))
		return;
	if (p->parts == 0)
		keep_field(&p->f, p->path, sizeof(p->path), f);
	p->parts |= part;
	p->context |= ((parent | pre) & ctx_bits) != 0;
	p->hash = hash_mix(p->hash, hash_bytes(v, n));
}

/*
 * A location key holding "City, Region[, Country]" as text: two or three
 * place names between commas.
 */
static void
place_text(struct pii_struct_state *st, const struct pii_field *f,
    const uint8_t *v, size_t n)
{
	struct pii_place_obj *p;
	size_t start = 0, names = 0;
	uint64_t h = 0;

	for (size_t i = 0; i <= n; i++) {
		const uint8_t *w;
		size_t wl;

		if (i < n && v[i] != ',')
			continue;
		w = v + start;
		wl = i - start;
		while (wl > 0 && w[0] == ' ') {
			w++;
			wl--;
		}
		while (wl > 0 && w[wl - 1] == ' ')
			wl--;
		if (!place_value(w, wl) || ++names > 3)
			return;
		h = hash_mix(h, hash_bytes(w, wl));
		start = i + 1;
	}
	if (names < 2 || (p = place_obj(st, f)) == NULL)
		return;
	p->parts |= 1u << PII_KC_PLACE_CITY | 1u << PII_KC_PLACE_REGION;
	p->context = true;
	p->hash = hash_mix(p->hash, h);
}

/*
 * At the message's end: one location.coarse for the first object that
 * is not an address nor somewhere else, with a city or region under a
 * location context, or a city with its region or country.
 */
static void
place_end(const struct pii_rules *r, struct pii_struct_state *st,
    pii_hit_cb *cb, void *arg)
{
	const unsigned city = 1u << PII_KC_PLACE_CITY,
	    region = 1u << PII_KC_PLACE_REGION,
	    country = 1u << PII_KC_PLACE_COUNTRY;

	for (size_t i = 0; i < st->nplace; i++) {
		const struct pii_place_obj *p = &st->place[i];
		char canon[48];

		if (p->vetoed || !(p->parts & (city | region)))
			continue;
		if (!p->context && !((p->parts & city) &&
		    (p->parts & (region | country))))
			continue;
		/* no part of the place is kept: a keyed hash of its values */
		snprintf(canon, sizeof(canon), "place:%016llx",
		    (unsigned long long)p->hash);
		summary_hit(cb, arg, "location.coarse", &p->f, "plain",
		    r->confidence[PII_DET_PLACE], canon,
		    "a city or region (coarse location)");
		return;
	}
}

void
pii_struct_field(const struct pii_rules *r, struct pii_struct_state *st,
    const struct pii_field *f, pii_hit_cb *cb, void *arg)
{
	const uint8_t *v = f->val;
	size_t n = f->val_len;
	uint32_t km;

	if (r->enabled[PII_DET_EMAIL] && memchr(v, '@', n) != NULL)
		scan_emails(r, f, cb, arg);
	if (r->enabled[PII_DET_MAC] && r->mac_anywhere)
		scan_macs(r, f, cb, arg);
	if (r->enabled[PII_DET_CONTACTS] && !st->vcard && has_vcard(v, n)) {
		st->vcard = true;
		st->vcard_field = *f;
		snprintf(st->vcard_path, sizeof(st->vcard_path), "%s",
		    f->path ? f->path : "");
		st->vcard_field.path = st->vcard_path;
	}
	if (f->key_len == 0 || f->is_text)
		return;
	trim(&v, &n);
	if (n == 0)
		return;
	/* One lookup serves every keyed detector below. */
	km = key_classes(r, st, f->key, f->key_len);
	seeds_field(r, st, f, km, v, n, cb, arg);
	if (n > 128)
		return;
	if (r->enabled[PII_DET_PLACE] && !f->is_number)
		place_field(r, st, f, km, v, n);

	if (r->enabled[PII_DET_LOCATION]) {
		double a, b;
		unsigned dec;
		bool plat = km & 1u << PII_KC_LAT;
		bool plon = !plat && (km & 1u << PII_KC_LON);
		bool xy = !plat && !plon && (km & 1u << PII_KC_XY) &&
		    f->parent_len > 0 && (key_classes(r, st, f->parent,
		    f->parent_len) & 1u << PII_KC_XY_CONTEXT);
		bool pair = !plat && !plon && !xy &&
		    (km & 1u << PII_DET_LOCATION);

		if ((plat || plon) && parse_dec(v, n, &a, &dec) &&
		    fabs(a) <= (plat ? 90 : 180))
			add_coord(st, f, a, dec, plat);
		else if (xy && parse_dec(v, n, &a, &dec))
			add_coord(st, f, a, dec,
			    (f->key[0] | 0x20) == 'y');
		else if (pair && parse_pair(v, n, &a, &b, &dec)) {
			/* lat,lng unless only lng,lat fits (Amap, Baidu) */
			if (fabs(a) > 90 && fabs(b) <= 90)
				coord_hit(r, f, b, a, dec,
				    r->confidence[PII_DET_LOCATION], cb, arg);
			else
				coord_hit(r, f, a, b, dec,
				    r->confidence[PII_DET_LOCATION], cb, arg);
		} else if (pair && f->is_number && parse_dec(v, n, &a, &dec)) {
			/* an item of a [a, b] array under a location key */
			add_coord(st, f, a, dec, false);
		} else if (pair && !f->is_number && r->enabled[PII_DET_PLACE] &&
		    memchr(v, ',', n) != NULL)
			place_text(st, f, v, n);
	}
	if (r->enabled[PII_DET_PHONE] &&
	    (km & 1u << PII_DET_PHONE))
		phone_field(r, f, v, n, cb, arg);
	keyed_ids(r, f, km, v, n, cb, arg);
}

void
pii_struct_end(const struct pii_rules *r, struct pii_struct_state *st,
    pii_hit_cb *cb, void *arg)
{
	bool used[PII_STRUCT_MAX_COORD] = { false };

	if (r->enabled[PII_DET_PLACE])
		place_end(r, st, cb, arg);

	/* Pair each latitude with the first longitude of the same object;
	 * array items (location: [a, b]) pair with their neighbour. */
	for (size_t i = 0; i < st->ncand; i++) {
		struct pii_coord_cand *a = &st->cand[i];

		if (used[i])
			continue;
		for (size_t j = i + 1; j < st->ncand; j++) {
			struct pii_coord_cand *b = &st->cand[j];
			bool items = a->f.is_number && b->f.is_number &&
			    !a->is_lat && !b->is_lat &&
			    (key_classes(r, st, a->f.key, a->f.key_len) &
			    1u << PII_DET_LOCATION) && a->f.key_len == b->f.key_len &&
			    memcmp(a->f.key, b->f.key, a->f.key_len) == 0;
			bool latlon = a->is_lat != b->is_lat;
			unsigned dec;
			double lat, lon;

			if (used[j] || a->f.obj != b->f.obj ||
			    a->f.where != b->f.where || (!latlon && !items))
				continue;
			dec = a->decimals < b->decimals ? a->decimals :
			    b->decimals;
			if (items) {
				/* order unknown: lat is the one that fits */
				lat = a->v;
				lon = b->v;
				if (fabs(lat) > 90 || (fabs(b->v) <= 90 &&
				    fabs(a->v) > fabs(b->v)))
					lat = b->v, lon = a->v;
			} else {
				lat = a->is_lat ? a->v : b->v;
				lon = a->is_lat ? b->v : a->v;
			}
			used[i] = used[j] = true;
			coord_hit(r, a->field, lat, lon, dec,
			    r->confidence[PII_DET_LOCATION], cb, arg);
			break;
		}
	}
	if (r->enabled[PII_DET_FACE_TEMPLATE]) {
		emb_flush(r, st, cb, arg);
		if (!st->template_done &&
		    st->landmark_numbers >= 2 * r->face_min_points)
			template_hit(r, st, &st->landmark_field,
			    "landmark points", st->landmark_numbers / 2,
			    "plain", cb, arg);
	}
	if (r->enabled[PII_DET_SOCIAL])
		social_end(r, st, cb, arg);
	if (r->enabled[PII_DET_CONTACTS] && (st->vcard ||
	    st->ncontact >= r->contacts_min)) {
		struct pii_hit h;
		char canon[32], masked[96];

		snprintf(canon, sizeof(canon), "contacts:%zu", st->ncontact);
		snprintf(masked, sizeof(masked), "%s%zu distinct phones/emails",
		    st->vcard ? "vCard; " : "", st->ncontact);
		memset(&h, 0, sizeof(h));
		h.category = "contacts";
		h.field = st->vcard ? &st->vcard_field : NULL;
		h.encoding = st->vcard ? "vcard" : "plain";
		h.confidence = r->confidence[PII_DET_CONTACTS];
		h.canon = canon;
		h.canon_len = strlen(canon);
		h.masked = masked;
		cb(arg, &h);
	}
}

bool
pii_struct_is_image(const uint8_t *b, size_t n, const char *ct,
    bool *ret_magic)
{
	bool magic = (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) ||
	    (n >= 4 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' &&
	    b[3] == 'G') ||
	    (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0 &&
	    (memcmp(b + 8, "heic", 4) == 0 || memcmp(b + 8, "heix", 4) == 0 ||
	    memcmp(b + 8, "mif1", 4) == 0 || memcmp(b + 8, "hevc", 4) == 0)) ||
	    (n >= 6 && memcmp(b, "GIF8", 4) == 0) ||
	    (n >= 12 && memcmp(b, "RIFF", 4) == 0 &&
	    memcmp(b + 8, "WEBP", 4) == 0);

	*ret_magic = magic;
	return magic || (ct != NULL && strncasecmp(ct, "image/", 6) == 0);
}
