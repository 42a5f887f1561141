/*
 * home.c - "a location that looks like home": nights counted per device
 * and grid cell, without any coordinate (see home.h).
 *
 * A night runs from noon to noon in local time, so 23:00 and 02:00 of
 * the same night count once; only sightings between from_hour and
 * to_hour count at all.  The table is open addressing (linear probing)
 * over twice max_cells slots.  An entry whose last night is older than
 * the window is reused in place when a probe passes it; when the table
 * is full, at most once a day, a sweep removes every such entry
 * (backward-shift deletion, which keeps every probe chain whole).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "hash.h"
#include "home.h"

struct home_cell {
	uint64_t key;		/* mix of device and cell hashes; 0: empty */
	int64_t last_night;	/* noon-to-noon local day number */
	uint16_t nights;
};

struct home_tracker {
	struct home_cell *slots;
	uint32_t mask;
	uint32_t n, max;
	uint64_t dropped;
	int64_t swept;		/* day of the last sweep when full */
};

struct home_tracker *
home_tracker_new(uint32_t max_cells)
{
	struct home_tracker *t = calloc(1, sizeof(*t));
	uint32_t size = 16;

	if (t == NULL)
		return NULL;
	if (max_cells == 0 || max_cells > (1u << 24))
		max_cells = 1u << 24;
	while (size < 2 * max_cells)
		size <<= 1;
	if ((t->slots = calloc(size, sizeof(*t->slots))) == NULL) {
		free(t);
		return NULL;
	}
	t->mask = size - 1;
	t->max = max_cells;
	return t;
}

struct home_tracker *
home_tracker_free(struct home_tracker *t)
{
	if (t == NULL)
		return NULL;
	free(t->slots);
	free(t);
	return NULL;
}

/* Remove slot i, shifting back what follows it (Knuth's Algorithm R). */
static void
delete_at(struct home_tracker *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t k;

		j = (j + 1) & t->mask;
		if (t->slots[j].key == 0)
			break;
		k = (uint32_t)t->slots[j].key & t->mask;
		/* move j to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i].key = 0;
	t->n--;
}

/* Remove every entry silent for longer than the window. */
static void
sweep(struct home_tracker *t, int64_t day, unsigned window)
{
	uint32_t i = 0;

	t->swept = day;
	while (i <= t->mask) {
		if (t->slots[i].key != 0 &&
		    day - t->slots[i].last_night > (int64_t)window)
			delete_at(t, i);	/* slot i holds another now */
		else
			i++;
	}
}

/* The local noon-to-noon day of ts and whether its hour is a night one. */
static int64_t
night_of(uint64_t ts_us, const struct pii_home_rules *r, bool *ret_night)
{
	time_t t = (time_t)(ts_us / 1000000);
	struct tm tm;
	int64_t local;
	unsigned h;

	if (localtime_r(&t, &tm) == NULL) {
		*ret_night = false;
		return 0;
	}
	h = (unsigned)tm.tm_hour;
	*ret_night = r->from_hour < r->to_hour ?
	    h >= r->from_hour && h < r->to_hour :
	    h >= r->from_hour || h < r->to_hour;
	local = (int64_t)t + tm.tm_gmtoff - 12 * 3600;
	return local >= 0 ? local / 86400 : (local - 86399) / 86400;
}

unsigned
home_tracker_see(struct home_tracker *t, uint64_t device, uint64_t cell,
    uint64_t ts_us, const struct pii_home_rules *r)
{
	uint64_t key = hash_mix(device, cell);
	struct home_cell *c = NULL, *reuse = NULL;
	bool night;
	int64_t day = night_of(ts_us, r, &night);
	uint32_t i;

	if (key == 0)
		key = 1;
	/* Bounded: n <= max < size, so an empty slot ends every probe. */
	for (i = (uint32_t)key & t->mask; t->slots[i].key != 0;
	    i = (i + 1) & t->mask) {
		struct home_cell *s = &t->slots[i];

		if (s->key == key) {
			c = s;
			break;
		}
		if (reuse == NULL && day - s->last_night > (int64_t)r->window_days)
			reuse = s;
	}
	if (c != NULL && day - c->last_night > (int64_t)r->window_days) {
		/* too long ago: start again, or forget it by day */
		if (!night)
			return 0;
		c->nights = 0;
		c->last_night = day - 1;
	}
	if (c == NULL) {
		if (!night)
			return 0;
		if (reuse == NULL && t->n >= t->max && day != t->swept) {
			sweep(t, day, r->window_days);
			return home_tracker_see(t, device, cell, ts_us, r);
		}
		if (reuse != NULL)
			c = reuse;
		else if (t->n < t->max) {
			c = &t->slots[i];
			t->n++;
		} else {
			t->dropped++;
			return 0;
		}
		c->key = key;
		c->nights = 0;
		c->last_night = day - 1;
	}
	if (night && day > c->last_night) {
		if (c->nights < UINT16_MAX)
			c->nights++;
		c->last_night = day;
	}
	return c->nights;
}

void
home_tracker_stats(const struct home_tracker *t, struct home_stats *ret)
{
	ret->cells = t->n;
	ret->max_cells = t->max;
	ret->dropped = t->dropped;
}
