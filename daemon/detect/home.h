/*
 * home.h - where a device sleeps, from the coordinates it sends at night
 * (private to daemon/detect/; tests include it).
 *
 * The tracker counts, per device and grid cell, the distinct nights on
 * which a precise coordinate in that cell was sent.  It keeps no
 * coordinate: a cell and a device are keyed hashes (hash.h), and an
 * entry is their mixed hash, the last night seen and a count.  It is
 * bounded (max_cells entries; past that, new cells are counted as
 * dropped, and an entry silent for longer than the window is reused).
 */
#ifndef OUTFLOW_HOME_H
#define OUTFLOW_HOME_H

#include <stdint.h>

#include "pii.h"

struct home_tracker;

struct home_stats {
	uint64_t cells;		/* entries in use */
	uint64_t max_cells;
	uint64_t dropped;	/* night sightings not tracked: table full */
};

/** A tracker of at most max_cells (device, cell) entries; NULL on ENOMEM. */
struct home_tracker *home_tracker_new(uint32_t max_cells);

/** Free; NULL-safe; returns NULL. */
struct home_tracker *home_tracker_free(struct home_tracker *t);

/**
 * A precise coordinate in cell (a keyed hash, pii_obs.cell) sent by
 * device at ts_us (packet time, UTC; night is judged in the local time
 * zone).  A sighting at night counts its night once; by day it only
 * reads.  Returns the distinct nights counted for the pair within the
 * window (0: unknown, or its last night is older than the window).
 */
unsigned home_tracker_see(struct home_tracker *t, uint64_t device,
    uint64_t cell, uint64_t ts_us, const struct pii_home_rules *r);

/** The tracker's counters. */
void home_tracker_stats(const struct home_tracker *t, struct home_stats *ret);

#endif
