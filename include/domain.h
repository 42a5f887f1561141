/*
 * domain.h - a DNS name cut at its public suffix (the Public Suffix List,
 * through libpsl): "www.east.example.co.uk" is subdomain "www.east",
 * registered domain "example.co.uk" and effective top-level domain
 * "co.uk", the split ECS asks for in dns.question.*.
 */
#ifndef OUTFLOW_DOMAIN_H
#define OUTFLOW_DOMAIN_H

#include <stddef.h>

/* The list, loaded once; read-only afterwards, so any thread may use it. */
struct domain_psl;

/**
 * The newest of the list built into libpsl and the system's copy
 * (Debian's publicsuffix package), or NULL when neither loads.
 */
struct domain_psl *domain_psl_load(void);
/** Free p (NULL is fine).  Returns NULL. */
struct domain_psl *domain_psl_free(struct domain_psl *p);

/* The longest name split, with its NUL: a DNS name in presentation form. */
#define DOMAIN_NAME_MAX 256

/* The parts of a name, each NUL-terminated in its own buffer; "" absent. */
struct domain_parts {
	char registered[256];
	char tld[256];
	char subdomain[256];
};

/**
 * Split name (presentation form, any case, an optional trailing dot).
 * The parts are lower case.  0, or -EINVAL when name is empty, too long
 * or nothing but a public suffix (*ret then holds empty strings, or the
 * suffix alone in tld).
 */
int domain_split(const struct domain_psl *p, const char *name,
    struct domain_parts *ret);

/*
 * The splits of recently asked names, so a name asked again and again
 * skips libpsl's walk of the list.  Owned by one user (one thread); it
 * reads p, which must outlive it.
 */
struct domain_memo;

/** A memo over p; NULL when p is NULL or out of memory. */
struct domain_memo *domain_memo_new(const struct domain_psl *p);
/** Free m (NULL is fine).  Returns NULL. */
struct domain_memo *domain_memo_free(struct domain_memo *m);
/** domain_split() over m's list, with the same results. */
int domain_split_memo(struct domain_memo *m, const char *name,
    struct domain_parts *ret);

#endif
