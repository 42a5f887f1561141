/*
 * policy.h - policy rules: which app sent what to whom, judged.
 *
 * Rule packs (YAML, docs/rules.md) are loaded and compiled once into a
 * struct policy that the configuration holds and never writes again.
 * Conditions compile into tables: category and protocol sets are bit
 * masks, countries and country groups one 676-bit set, app ids, vendors,
 * operators and domain suffixes hash sets.  Each rule is also indexed by
 * one "anchor" its condition cannot hold without (an app id, a data
 * category, a country, an ASN, a domain suffix), so a flow only tries the
 * rules its own keys point to, plus the few rules that have no anchor.
 *
 * A flow is judged when its server name becomes known, when it sends
 * personal data and when it ends, never per packet; a rule fires at most
 * once per flow.  What a flow needs between those moments (the data it
 * sent, the rules already fired) is a struct policy_flow, allocated the
 * first time it is needed and freed with policy_flow_free().
 */
#ifndef OUTFLOW_POLICY_H
#define OUTFLOW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct apps;
struct jurisdictions;
struct pii_engine;
struct pii_obs;

/** Called with each load error, "FILE:LINE:COL: message". */
typedef void policy_error_cb(void *arg, const char *msg);

struct policy_config {
	/* Shipped packs: every *.yaml in this folder, in name order.
	 * NULL: none. */
	const char *shipped_dir;
	/* Admin's files and folders (*.yaml inside, name order), loaded
	 * after the shipped packs, in this order; NULL-terminated. */
	const char *const *paths;
	/* Rulesets to turn on or off whatever their packs say;
	 * NULL-terminated, or NULL. */
	const char *const *enable;
	const char *const *disable;
	/* What rules are checked against; NULL skips that check (and a
	 * condition on it never holds). */
	const struct apps *apps;
	const struct jurisdictions *jur;
	const struct pii_engine *pii;
	/* The country the sensor's users live in ("home" in the rules),
	 * NULL: unknown, and rules that name it are off. */
	const char *home_country;
	policy_error_cb *on_error;	/* NULL: only the first is kept */
	void *arg;
};

struct policy;

/**
 * Load, check and compile.  Every error of every file is passed to
 * on_error; err gets the first and how many followed.  Returns 0 and
 * *ret (which may hold no rule), or -EINVAL, -ENOMEM, -errno of a read.
 */
int policy_load(const struct policy_config *c, struct policy **ret,
    char *err, size_t errlen);
/** Free; NULL-safe, returns NULL. */
struct policy *policy_free(struct policy *p);

/** Rules in force (enabled), and files read. */
size_t policy_rule_count(const struct policy *p);
size_t policy_file_count(const struct policy *p);
/** Rules left off because they name "home" and no home country is set. */
size_t policy_homeless_count(const struct policy *p);

/** "info" .. "critical"; and the number ECS event.severity carries. */
const char *severity_name(enum severity s);
int severity_ecs(enum severity s);
/** SEVERITY_* for a name, or -1. */
int severity_parse(const char *s);

/** What a flow carries between the moments it is judged. */
struct policy_flow;
void policy_flow_free(struct policy_flow *pf);

/** The moments a flow is judged. */
enum policy_moment {
	POLICY_AT_NAME,		/* its server name became known */
	POLICY_AT_DATA,		/* it sent personal data */
	POLICY_AT_END,		/* it ended */
};

/* Per pipeline: scratch for the judging and its counters. */
struct policy_state;

struct policy_counters {
	uint64_t evaluations;		/* (flow, moment) pairs judged */
	uint64_t rules_tried;		/* rules whose condition was tested */
	uint64_t findings;
	uint64_t flow_state_failed;	/* no memory: data or fired rule lost */
	uint64_t fired_cap;		/* a flow fired more rules than kept */
};

struct policy_state *policy_state_new(void);
struct policy_state *policy_state_free(struct policy_state *s);
void policy_state_counters(const struct policy_state *s,
    struct policy_counters *ret);

/** Remember an observation of flow *pf for data conditions. */
void policy_note_data(struct policy_state *s, struct policy_flow **pf,
    const struct pii_obs *o);

/** True if the moment m can change any rule's answer (else skip it). */
bool policy_wants(const struct policy *p, enum policy_moment m);

typedef void policy_finding_cb(const struct finding_record *fr, void *arg);

/**
 * Judge the flow r (a redacted record, enriched as far as known; r->flow
 * is the flow itself) at moment m: each rule that holds and has not
 * fired on this flow yet gives one finding to cb.  trigger is the
 * observation that led here (POLICY_AT_DATA), or NULL.
 */
void policy_judge(struct policy_state *s, const struct policy *p,
    struct policy_flow **pf, const struct flow_record *r,
    enum policy_moment m, const struct pii_obs *trigger, uint64_t ts_us,
    policy_finding_cb *cb, void *arg);

#endif
