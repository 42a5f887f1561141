/*
 * iso3166.c - ISO 3166-1 alpha-2 codes.
 *
 * Only packs are checked here, once at load, so a plain list searched
 * linearly is enough and stays easy to compare with the standard.
 */
#include <string.h>

#include "iso3166.h"

/*
 * The 249 officially assigned ISO 3166-1 alpha-2 codes as of 2024 (ISO
 * 3166 Maintenance Agency, https://www.iso.org/obp/ui/#search/code/; the
 * last change was the removal of AN in 2010 and the additions BQ CW SS SX
 * in 2010-2011), plus ZZ: user-assigned, used as "unknown" as CLDR does,
 * for vendors whose control the sources do not establish.  Sorted, one
 * space apart.
 */
static const char iso_codes[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
    "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
    "HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP "
    "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY "
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
    "NA NC NE NF NG NI NL NO NP NR NU NZ OM "
    "PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
    "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
    "UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW ZZ";

bool
iso3166_alpha2_valid(const char *s, size_t len)
{
	if (s == NULL || len != 2 || s[0] < 'A' || s[0] > 'Z' ||
	    s[1] < 'A' || s[1] > 'Z')
		return false;
	/* Bounded by the list (250 codes, each followed by a space or the
	 * end). */
	for (const char *p = iso_codes; ; p += 3) {
		if (p[0] == s[0] && p[1] == s[1])
			return true;
		if (p[2] == '\0')
			return false;
	}
}
