/*
 * domain.c - public-suffix splitting of DNS names (domain.h), the one
 * file that includes <libpsl.h>.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "domain.h"
#include "hash.h"

struct domain_psl *
domain_psl_load(void)
{
	/* psl_latest(NULL) picks the newer of the built-in list and the
	 * distribution's file, falling back to the built-in one. */
	return (struct domain_psl *)psl_latest(NULL);
}

struct domain_psl *
domain_psl_free(struct domain_psl *p)
{
	if (p != NULL)
		psl_free((psl_ctx_t *)p);
	return NULL;
}

/* Where the parts of a name start in its lower-case form. */
#define PART_NONE UINT16_MAX

struct split_at {
	uint16_t len;		/* the name without its trailing dot */
	uint16_t tld;		/* offset of the public suffix, or PART_NONE */
	uint16_t registered;	/* offset of the registered domain, or PART_NONE */
};

/*
 * The first n bytes of name in lower case into low (room for n + 1):
 * libpsl matches lower-case names, and DNS names may come in any case
 * (0x20 randomisation).
 */
static void
lower_into(char *low, const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++)
		low[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    (char)(name[i] - 'A' + 'a') : name[i];
	low[n] = '\0';
}

/* The parts of low (n bytes, lower case); 0 or -EINVAL, as domain_split(). */
static int
split_find(const psl_ctx_t *psl, const char *low, size_t n,
    struct split_at *at)
{
	const char *reg, *tld;

	at->len = (uint16_t)n;
	at->tld = at->registered = PART_NONE;
	/* libpsl answers with pointers into the name it was given. */
	if ((tld = psl_unregistrable_domain(psl, low)) != NULL)
		at->tld = (uint16_t)(tld - low);
	if ((reg = psl_registrable_domain(psl, low)) == NULL)
		return -EINVAL;
	at->registered = (uint16_t)(reg - low);
	return 0;
}

/* The parts at *at of the lower-case name low into ret. */
static void
split_fill(const char *low, const struct split_at *at,
    struct domain_parts *ret)
{
	if (at->tld != PART_NONE)
		memcpy(ret->tld, low + at->tld, (size_t)(at->len - at->tld) + 1);
	if (at->registered == PART_NONE)
		return;
	memcpy(ret->registered, low + at->registered,
	    (size_t)(at->len - at->registered) + 1);
	if (at->registered > 1) {
		/* Everything before the registered domain, without its dot. */
		memcpy(ret->subdomain, low, (size_t)at->registered - 1);
		ret->subdomain[at->registered - 1] = '\0';
	}
}

/* The name's length without a trailing dot, or 0 when it cannot split. */
static size_t
split_len(const char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	return n < DOMAIN_NAME_MAX ? n : 0;
}

int
domain_split(const struct domain_psl *p, const char *name,
    struct domain_parts *ret)
{
	const psl_ctx_t *psl = (const psl_ctx_t *)p;
	char low[DOMAIN_NAME_MAX];
	struct split_at at;
	size_t n = split_len(name);
	int r;

	ret->registered[0] = ret->tld[0] = ret->subdomain[0] = '\0';
	if (psl == NULL || n == 0)
		return -EINVAL;
	lower_into(low, name, n);
	r = split_find(psl, low, n, &at);
	split_fill(low, &at, ret);
	return r;
}

/* Slots of the memo: a household asks for a few hundred names, often. */
#define MEMO_SLOTS 256

struct memo_slot {
	char name[DOMAIN_NAME_MAX + 1];	/* as asked (a trailing dot too),
					 * "" for an empty slot */
	struct split_at at;
	int result;
};

struct domain_memo {
	const struct domain_psl *psl;
	struct memo_slot slot[MEMO_SLOTS];
};

struct domain_memo *
domain_memo_new(const struct domain_psl *p)
{
	struct domain_memo *m;

	if (p == NULL || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->psl = p;
	return m;
}

struct domain_memo *
domain_memo_free(struct domain_memo *m)
{
	free(m);
	return NULL;
}

int
domain_split_memo(struct domain_memo *m, const char *name,
    struct domain_parts *ret)
{
	char low[DOMAIN_NAME_MAX];
	struct memo_slot *s;
	size_t n = split_len(name), len;

	ret->registered[0] = ret->tld[0] = ret->subdomain[0] = '\0';
	if (n == 0)
		return -EINVAL;
	/* The whole name is the key (trailing dot and case included), so a
	 * hit is the answer domain_split() would give; the keyed hash keeps
	 * a sender from aiming names at one slot. */
	len = strlen(name);
	s = &m->slot[hash_bytes(name, len) % MEMO_SLOTS];
	lower_into(low, name, n);
	if (memcmp(s->name, name, len + 1) != 0) {
		s->result = split_find((const psl_ctx_t *)m->psl, low, n,
		    &s->at);
		memcpy(s->name, name, len + 1);
	}
	split_fill(low, &s->at, ret);
	return s->result;
}
