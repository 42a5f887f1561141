/*
 * identities.c - the household's known values (`identities:`), loaded
 * and validated from YAML.
 *
 *   identities:
 *     - label: emma
 *       phone: ["+1 202 555 0142"]
 *       email: ["emma.lee@example.org"]
 *       home: {lat: 38.8977, lon: -77.0365, radius_m: 500}
 *
 * Every key but label and home takes a string or a list of strings; each
 * value must be usable for its kind (a phone number has 5-15 digits, a
 * MAC 12 hex digits, ...), so a typo is an error at its line and column
 * instead of a silent miss.  The result owns copies of every string.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pii_int.h"
#include "yaml_doc.h"

/*
 * Each value costs about 9 KiB once its forms (encodings, hashes) are in
 * the matcher, so the caps bound the engine at about 180 MiB: a household
 * needs a handful, a company's directory a few thousand.  Measured with
 * phone and e-mail values; docs/personal-data.md gives the figures.
 */
#define MAX_IDENTITIES 10000
#define MAX_VALUES 20000		/* over all identities */
#define MAX_VALUES_PER_IDENTITY 256

static const char *const kind_key[PII_KIND_MAX] = {
	[PII_KIND_PHONE] = "phone",
	[PII_KIND_EMAIL] = "email",
	[PII_KIND_NAME] = "name",
	[PII_KIND_IMEI] = "imei",
	[PII_KIND_AD_ID] = "ad_id",
	[PII_KIND_ANDROID_ID] = "android_id",
	[PII_KIND_MAC] = "mac",
	[PII_KIND_OTHER] = "other",
};

static const char *const kind_cat[PII_KIND_MAX] = {
	[PII_KIND_PHONE] = "phone",
	[PII_KIND_EMAIL] = "email",
	[PII_KIND_NAME] = "name",
	[PII_KIND_IMEI] = "device_id.imei",
	[PII_KIND_AD_ID] = "ad_id",
	[PII_KIND_ANDROID_ID] = "device_id.android_id",
	[PII_KIND_MAC] = "mac",
	[PII_KIND_OTHER] = "other",
};

const char *
pii_kind_category(enum pii_kind k)
{
	return k < PII_KIND_MAX ? kind_cat[k] : "other";
}

struct pii_identities *
pii_identities_free(struct pii_identities *ids)
{
	if (ids == NULL)
		return NULL;
	for (size_t i = 0; i < ids->n; i++) {
		struct pii_identity *id = &ids->v[i];

		free(id->label);
		for (size_t k = 0; k < id->nvalues; k++)
			free(id->values[k].value);
		free(id->values);
	}
	free(ids->v);
	free(ids);
	return NULL;
}

struct add_ctx {
	struct pii_identity *id;
	enum pii_kind kind;
	size_t *total;			/* values in the whole file so far */
};

static int
add_value(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct add_ctx *a = arg;
	struct pii_identity *id = a->id;
	struct pii_value *nv;
	char canon[256];

	if (pii_canonical(a->kind, s, canon, sizeof(canon)) != 0)
		return ynode_error(d, item, err, errlen,
		    "not a usable %s value", kind_key[a->kind]);
	if (a->kind == PII_KIND_NAME && strlen(s) < 3)
		return ynode_error(d, item, err, errlen,
		    "name too short to match safely (3 characters at least)");
	if (id->nvalues >= MAX_VALUES_PER_IDENTITY)
		return ynode_error(d, item, err, errlen,
		    "too many values (at most %d per identity)",
		    MAX_VALUES_PER_IDENTITY);
	if (*a->total >= MAX_VALUES)
		return ynode_error(d, item, err, errlen,
		    "too many values (at most %d in all, about 9 KiB of "
		    "matcher memory each)", MAX_VALUES);
	if ((nv = realloc(id->values, (id->nvalues + 1) * sizeof(*nv))) == NULL)
		return -ENOMEM;
	id->values = nv;
	if ((nv[id->nvalues].value = strdup(s)) == NULL)
		return -ENOMEM;
	nv[id->nvalues].kind = a->kind;
	id->nvalues++;
	(*a->total)++;
	return 0;
}

static int
load_home(const struct ydoc *d, const struct ynode *h, struct pii_identity *id,
    char *err, size_t errlen)
{
	static const char *const keys[] = { "lat", "lon", "radius_m", NULL };
	const struct ynode *n;
	int r;

	if ((r = ynode_check_keys(d, h, keys, err, errlen)) != 0)
		return r;
	if ((r = ynode_get_required(d, h, "lat", &n, err, errlen)) != 0 ||
	    (r = ynode_double(d, n, &id->home_lat, err, errlen)) != 0)
		return r;
	if (fabs(id->home_lat) > 90)
		return ynode_error(d, n, err, errlen,
		    "latitude out of range [-90, 90]");
	if ((r = ynode_get_required(d, h, "lon", &n, err, errlen)) != 0 ||
	    (r = ynode_double(d, n, &id->home_lon, err, errlen)) != 0)
		return r;
	if (fabs(id->home_lon) > 180)
		return ynode_error(d, n, err, errlen,
		    "longitude out of range [-180, 180]");
	id->home_radius_m = 500;
	if ((n = ynode_get(h, "radius_m")) != NULL) {
		if ((r = ynode_double(d, n, &id->home_radius_m, err,
		    errlen)) != 0)
			return r;
		if (id->home_radius_m < 1 || id->home_radius_m > 100000)
			return ynode_error(d, n, err, errlen,
			    "radius_m out of range [1, 100000]");
	}
	id->has_home = true;
	return 0;
}

int
pii_identities_from_node(const struct ydoc *d, const struct ynode *list,
    struct pii_identities **ret, char *err, size_t errlen)
{
	static const char *const keys[] = { "label", "phone", "email", "name",
	    "imei", "ad_id", "android_id", "mac", "home", "other", NULL };
	struct pii_identities *ids;
	size_t total = 0;
	int r;

	if ((r = ynode_seq(d, list, err, errlen)) != 0)
		return r;
	if (list->n > MAX_IDENTITIES)
		return ynode_error(d, list, err, errlen,
		    "too many identities (at most %d)", MAX_IDENTITIES);
	if ((ids = calloc(1, sizeof(*ids))) == NULL)
		return -ENOMEM;
	if (list->n > 0 && (ids->v = calloc(list->n, sizeof(*ids->v))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	/* Bounded by the list length (≤ MAX_IDENTITIES). */
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *e = list->items[i], *n;
		struct pii_identity *id = &ids->v[i];
		const char *label;

		ids->n = i + 1;
		if ((r = ynode_check_keys(d, e, keys, err, errlen)) != 0 ||
		    (r = ynode_get_required(d, e, "label", &n, err,
		    errlen)) != 0 ||
		    (r = ynode_string(d, n, &label, err, errlen)) != 0)
			goto out;
		if (strlen(label) > PII_LABEL_MAX) {
			r = ynode_error(d, n, err, errlen,
			    "label longer than %d characters", PII_LABEL_MAX);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(ids->v[k].label, label) == 0) {
				r = ynode_error(d, n, err, errlen,
				    "duplicate label '%s'", label);
				goto out;
			}
		if ((id->label = strdup(label)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		for (enum pii_kind k = 0; k < PII_KIND_MAX; k++) {
			struct add_ctx a = { id, k, &total };

			if ((n = ynode_get(e, kind_key[k])) == NULL)
				continue;
			if ((r = ynode_strings(d, n, add_value, &a, err,
			    errlen)) != 0)
				goto out;
		}
		if ((n = ynode_get(e, "home")) != NULL &&
		    (r = load_home(d, n, id, err, errlen)) != 0)
			goto out;
		if (id->nvalues == 0 && !id->has_home) {
			r = ynode_error(d, e, err, errlen,
			    "identity '%s' has no values", label);
			goto out;
		}
	}
	*ret = ids;
	ids = NULL;
	r = 0;
out:
	pii_identities_free(ids);
	return r;
}

static int
from_doc(struct ydoc *d, struct pii_identities **ret, char *err, size_t errlen)
{
	const struct ynode *list;
	int r;

	if ((r = ynode_map(d, d->root, err, errlen)) != 0)
		return r;
	if ((r = ynode_get_required(d, d->root, "identities", &list, err,
	    errlen)) != 0)
		return r;
	return pii_identities_from_node(d, list, ret, err, errlen);
}

int
pii_identities_load_file(const char *path, struct pii_identities **ret,
    char *err, size_t errlen)
{
	struct ydoc *d = NULL;
	int r;

	if ((r = ydoc_load_file(path, &d, err, errlen)) != 0)
		return r;
	r = from_doc(d, ret, err, errlen);
	ydoc_free(d);
	return r;
}

int
pii_identities_load_string(const char *name, const char *buf, size_t len,
    struct pii_identities **ret, char *err, size_t errlen)
{
	struct ydoc *d = NULL;
	int r;

	if ((r = ydoc_load_string(name, buf, len, &d, err, errlen)) != 0)
		return r;
	r = from_doc(d, ret, err, errlen);
	ydoc_free(d);
	return r;
}
