/*
 * ecs.h - the parts of a destination that flow events and `outflow
 * lookup` print alike, with Elastic Common Schema names (docs/events.md),
 * written from an enriched struct flow_record so that both show the same
 * answer for the same address.
 */
#ifndef OUTFLOW_ECS_H
#define OUTFLOW_ECS_H

#include "json.h"
#include "record.h"

/**
 * destination.geo.country_iso_code and destination.as (number,
 * organization.name) of r, into the "destination" object open in w.
 * Fields enrichment left empty are left out.
 */
void ecs_destination_where(struct jw *w, const struct flow_record *r);

/**
 * outflow.jurisdiction (location, operator, vendor) of r, into the
 * "outflow" object open in w; nothing when r has none.
 */
void ecs_jurisdiction(struct jw *w, const struct flow_record *r);

#endif
