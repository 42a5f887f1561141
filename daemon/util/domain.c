/*
 * domain.c - public-suffix splitting of DNS names (domain.h), the one
 * file that includes <libpsl.h>.
 */
#include <errno.h>
#include <string.h>

#include <libpsl.h>

#include "domain.h"

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

int
domain_split(const struct domain_psl *p, const char *name,
    struct domain_parts *ret)
{
	const psl_ctx_t *psl = (const psl_ctx_t *)p;
	char low[256];
	const char *reg, *tld;
	size_t n = strlen(name);

	ret->registered[0] = ret->tld[0] = ret->subdomain[0] = '\0';
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (psl == NULL || n == 0 || n >= sizeof(low))
		return -EINVAL;
	/* libpsl matches lower-case names; DNS names may come in any case
	 * (0x20 randomisation). */
	for (size_t i = 0; i < n; i++)
		low[i] = name[i] >= 'A' && name[i] <= 'Z' ?
		    (char)(name[i] - 'A' + 'a') : name[i];
	low[n] = '\0';
	if ((tld = psl_unregistrable_domain(psl, low)) != NULL)
		memcpy(ret->tld, tld, strlen(tld) + 1);
	if ((reg = psl_registrable_domain(psl, low)) == NULL)
		return -EINVAL;
	memcpy(ret->registered, reg, strlen(reg) + 1);
	if (reg > low + 1) {
		/* Everything before the registered domain, without its dot. */
		memcpy(ret->subdomain, low, (size_t)(reg - low - 1));
		ret->subdomain[reg - low - 1] = '\0';
	}
	return 0;
}
