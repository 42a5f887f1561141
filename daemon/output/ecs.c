/*
 * ecs.c - destination fields shared by the event stream (eve.c) and
 * `outflow lookup` (cmd_lookup.c).  They print what enrich_flow() put in
 * the record and decide nothing: which country codes count is
 * enrichment's rule, applied once there.
 */
#include "ecs.h"

void
ecs_destination_where(struct jw *w, const struct flow_record *r)
{
	if (r->country[0] != '\0') {
		jw_obj_begin(w, "geo");
		jw_str(w, "country_iso_code", r->country);
		jw_obj_end(w);
	}
	if (r->asn != 0) {
		jw_obj_begin(w, "as");
		jw_u64(w, "number", r->asn);
		if (r->as_org[0] != '\0') {
			jw_obj_begin(w, "organization");
			jw_str(w, "name", r->as_org);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
}

void
ecs_jurisdiction(struct jw *w, const struct flow_record *r)
{
	if (!r->jur_location[0] && !r->jur_operator[0] && !r->jur_vendor[0])
		return;
	jw_obj_begin(w, "jurisdiction");
	if (r->jur_location[0])
		jw_str(w, "location", r->jur_location);
	if (r->jur_operator[0])
		jw_str(w, "operator", r->jur_operator);
	if (r->jur_vendor[0])
		jw_str(w, "vendor", r->jur_vendor);
	jw_obj_end(w);
}
