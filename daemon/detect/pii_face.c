/*
 * pii_face.c - what tells a face apart from any image: the face
 * services of rules/personal_data.yaml (detectors.face.services) and
 * their matcher, and the value shapes of face templates (lists of
 * decimals, base64 float32 vectors) and of images carried in a field.
 *
 * A service is matched on the Host header and the path; where one host
 * serves more than faces (Tencent Cloud, Amazon, Google Vision) the
 * operation must be a face one too, named by an Action parameter or
 * header or by a word in the body.  Host patterns are lower case; '*'
 * stands for one label, and a leading "*." for any subdomain or none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pii_int.h"
#include "yaml_doc.h"

#define FACE_MAX_SERVICES 256
#define FACE_BODY_WORDS_SCAN (64u << 10)	/* body bytes searched */

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
pii_face_services_free(struct pii_rules *r)
{
	for (size_t i = 0; i < r->nface_services; i++) {
		struct pii_face_service *s = &r->face_services[i];

		free(s->vendor);
		strv_free(s->hosts, s->nhosts);
		strv_free(s->paths, s->npaths);
		strv_free(s->actions, s->nactions);
		strv_free(s->body_words, s->nbody_words);
		strv_free(s->vendor_hosts, s->nvendor_hosts);
	}
	free(r->face_services);
	r->face_services = NULL;
	r->nface_services = 0;
}

struct strv {
	char ***v;
	size_t *n;
	bool host;	/* lower case, letters digits '-' '.' '*' only */
	bool path;	/* starts with '/' */
};

static int
strv_add(void *arg, const struct ydoc *d, const struct ynode *item,
    const char *s, char *err, size_t errlen)
{
	struct strv *l = arg;
	char **nv, *c;

	if (s[0] == '\0' || strlen(s) > 255)
		return ynode_error(d, item, err, errlen,
		    "empty or longer than 255 characters");
	if (l->path && s[0] != '/')
		return ynode_error(d, item, err, errlen,
		    "path must start with '/'");
	if (l->host)
		for (const char *p = s; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' ||
			    *p == '.' || *p == '*'))
				return ynode_error(d, item, err, errlen,
				    "host pattern: lower-case letters, digits, "
				    "'-', '.' and '*' only");
	if (*l->n >= 4096)
		return ynode_error(d, item, err, errlen, "too many entries");
	if ((nv = realloc(*l->v, (*l->n + 1) * sizeof(char *))) == NULL)
		return -ENOMEM;
	*l->v = nv;
	if ((c = strdup(s)) == NULL)
		return -ENOMEM;
	nv[(*l->n)++] = c;
	return 0;
}

static int
load_list(const struct ydoc *d, const struct ynode *m, const char *key,
    bool required, struct strv l, char *err, size_t errlen)
{
	const struct ynode *n = ynode_get(m, key);
	int r;

	if (n == NULL) {
		if (required)
			return ynode_error(d, m, err, errlen,
			    "missing key '%s'", key);
		return 0;
	}
	if ((r = ynode_strings(d, n, strv_add, &l, err, errlen)) != 0)
		return r;
	if (*l.n == 0)
		return ynode_error(d, n, err, errlen, "empty list");
	return 0;
}

int
pii_face_services_load(const struct ydoc *d, const struct ynode *list,
    struct pii_rules *r, char *err, size_t errlen)
{
	static const char *const keys[] = { "vendor", "hosts", "paths",
	    "actions", "body_words", "vendor_hosts", NULL };
	int rc;

	if ((rc = ynode_seq(d, list, err, errlen)) != 0)
		return rc;
	if (list->n > FACE_MAX_SERVICES)
		return ynode_error(d, list, err, errlen,
		    "more than %d services", FACE_MAX_SERVICES);
	if ((r->face_services = calloc(list->n ? list->n : 1,
	    sizeof(*r->face_services))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *m = list->items[i], *n;
		struct pii_face_service *s = &r->face_services[i];
		const char *v;

		r->nface_services++;
		if ((rc = ynode_check_keys(d, m, keys, err, errlen)) != 0 ||
		    (rc = ynode_get_required(d, m, "vendor", &n, err,
		    errlen)) != 0 ||
		    (rc = ynode_string(d, n, &v, err, errlen)) != 0)
			return rc;
		if (strlen(v) > 64)
			return ynode_error(d, n, err, errlen,
			    "vendor longer than 64 characters");
		if ((s->vendor = strdup(v)) == NULL)
			return -ENOMEM;
		if ((rc = load_list(d, m, "hosts", true, (struct strv){
		    &s->hosts, &s->nhosts, true, false }, err, errlen)) != 0 ||
		    (rc = load_list(d, m, "paths", true, (struct strv){
		    &s->paths, &s->npaths, false, true }, err, errlen)) != 0 ||
		    (rc = load_list(d, m, "actions", false, (struct strv){
		    &s->actions, &s->nactions, false, false }, err,
		    errlen)) != 0 ||
		    (rc = load_list(d, m, "body_words", false, (struct strv){
		    &s->body_words, &s->nbody_words, false, false }, err,
		    errlen)) != 0 ||
		    (rc = load_list(d, m, "vendor_hosts", false, (struct strv){
		    &s->vendor_hosts, &s->nvendor_hosts, true, false }, err,
		    errlen)) != 0)
			return rc;
	}
	return 0;
}

/* One label pattern against one label: '*' alone matches any label. */
static bool
label_match(const char *p, size_t pl, const char *h, size_t hl)
{
	const char *star = memchr(p, '*', pl);

	if (star == NULL)
		return pl == hl && strncasecmp(p, h, pl) == 0;
	/* "rekognition-fips" style: prefix*suffix within the label */
	{
		size_t pre = (size_t)(star - p), suf = pl - pre - 1;

		return hl >= pre + suf && strncasecmp(p, h, pre) == 0 &&
		    strncasecmp(star + 1, h + hl - suf, suf) == 0;
	}
}

bool
pii_host_match(const char *pattern, const char *host, size_t len)
{
	const char *p = pattern;
	size_t pn = strlen(p);

	if (len == 0)
		return false;
	if (pn >= 2 && p[0] == '*' && p[1] == '.') {
		/* any subdomain of the rest, or the rest itself */
		const char *rest = p + 2;
		size_t rn = pn - 2;

		if (len == rn)
			return pii_host_match(rest, host, len);
		return len > rn && host[len - rn - 1] == '.' &&
		    pii_host_match(rest, host + len - rn, rn);
	}
	/* label by label */
	while (pn > 0 && len > 0) {
		const char *pd = memchr(p, '.', pn), *hd = memchr(host, '.', len);
		size_t pl = pd ? (size_t)(pd - p) : pn;
		size_t hl = hd ? (size_t)(hd - host) : len;

		if (!label_match(p, pl, host, hl))
			return false;
		if ((pd == NULL) != (hd == NULL))
			return false;
		if (pd == NULL)
			return true;
		p += pl + 1;
		pn -= pl + 1;
		host += hl + 1;
		len -= hl + 1;
	}
	return false;
}

static bool
any_host(char *const *v, size_t n, const char *host, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (pii_host_match(v[i], host, len))
			return true;
	return false;
}

static bool
has_word(const uint8_t *b, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (n > FACE_BODY_WORDS_SCAN)
		n = FACE_BODY_WORDS_SCAN;
	return b != NULL && wl <= n && memmem(b, n, w, wl) != NULL;
}

const struct pii_face_service *
pii_face_service_match(const struct pii_rules *r, const struct pii_face_req *q,
    const struct pii_face_service **ret_vendor_host)
{
	const struct pii_face_service *found = NULL;
	size_t hl;

	*ret_vendor_host = NULL;
	if (q->host == NULL)
		return NULL;
	hl = strcspn(q->host, ":");
	while (hl > 0 && q->host[hl - 1] == '.')
		hl--;		/* a fully qualified "host." */
	for (size_t i = 0; i < r->nface_services && found == NULL; i++) {
		const struct pii_face_service *s = &r->face_services[i];
		bool path = false, op;

		if (*ret_vendor_host == NULL &&
		    any_host(s->vendor_hosts, s->nvendor_hosts, q->host, hl))
			*ret_vendor_host = s;
		if (!any_host(s->hosts, s->nhosts, q->host, hl))
			continue;
		for (size_t k = 0; k < s->npaths && !path && q->path; k++)
			path = strncmp(q->path, s->paths[k],
			    strlen(s->paths[k])) == 0;
		if (!path)
			continue;
		op = s->nactions == 0 && s->nbody_words == 0;
		for (size_t k = 0; k < s->nactions && !op; k++)
			op = q->action_len == strlen(s->actions[k]) &&
			    memcmp(q->action, s->actions[k],
			    q->action_len) == 0;
		for (size_t k = 0; k < s->nbody_words && !op; k++)
			op = has_word(q->body, q->body_len, s->body_words[k]);
		if (op)
			found = s;
	}
	return found;
}

/* ------------------------------------------------------ value shapes */

static bool
num_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
	    c == 'e' || c == 'E';
}

size_t
pii_float_list(const uint8_t *p, size_t n, size_t *ret_decimals)
{
	size_t count = 0, dec = 0, i = 0;

	*ret_decimals = 0;
	while (i < n) {
		size_t start, digits = 0;
		bool frac = false;

		while (i < n && (p[i] == ',' || p[i] == ' ' || p[i] == ';' ||
		    p[i] == '[' || p[i] == ']'))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && num_char(p[i])) {
			digits += p[i] >= '0' && p[i] <= '9';
			frac |= p[i] == '.' || p[i] == 'e' || p[i] == 'E';
			i++;
		}
		if (i == start || digits == 0)
			return 0;	/* not a list of numbers */
		if (i < n && !(p[i] == ',' || p[i] == ' ' || p[i] == ';' ||
		    p[i] == ']'))
			return 0;
		count++;
		dec += frac;
	}
	*ret_decimals = dec;
	return count;
}

static int
b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

bool
pii_b64_floats(const uint8_t *p, size_t n, unsigned min_dims,
    unsigned max_dims)
{
	uint8_t f[4];
	size_t nb = 0, floats = 0, plausible = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	while (n > 0 && p[n - 1] == '=')
		n--;
	/* 4 bytes per float, 4 characters per 3 bytes */
	if (n * 3 / 4 < (size_t)min_dims * 4 || n * 3 / 4 > (size_t)max_dims * 4 ||
	    (n * 3 / 4) % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v = b64val(p[i]);

		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits < 8)
			continue;
		bits -= 8;
		f[nb++] = (uint8_t)(acc >> bits);
		if (nb < 4)
			continue;
		nb = 0;
		{
			/* little-endian IEEE 754 single */
			uint32_t u = (uint32_t)f[0] | (uint32_t)f[1] << 8 |
			    (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
			int exp = (int)(u >> 23 & 0xff);

			floats++;
			/* |v| < 64 and not a subnormal scrap, or zero */
			if ((u & 0x7fffffff) == 0 || (exp >= 100 && exp < 133))
				plausible++;
		}
	}
	return floats >= min_dims && plausible * 20 >= floats * 19;
}

bool
pii_b64_image(const uint8_t *p, size_t n)
{
	if (n < 64)
		return false;
	if (n > 11 && strncasecmp((const char *)p, "data:image/", 11) == 0)
		return true;
	/* base64 of FF D8 FF (JPEG) and of 89 50 4E 47 0D 0A 1A 0A (PNG) */
	return memcmp(p, "/9j/", 4) == 0 || memcmp(p, "iVBORw0KGgo", 11) == 0;
}
