/*
 * summary_output.h - the summary `outflow audit` prints, as an output
 * (output.h): it aggregates flow records and prints when the run's
 * statistics arrive.
 */
#ifndef OUTFLOW_AUDIT_OUTPUT_H
#define OUTFLOW_AUDIT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "output.h"

struct summary_output;

/** Print to fp (text, or one JSON object), top rows per table. */
struct summary_output *summary_output_new(FILE *fp, bool json, unsigned top);

extern const struct output_ops summary_output_ops;

#endif
