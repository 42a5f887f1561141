/*
 * log.c - stderr or syslog logging for top-level code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_prog = "outflow";
static enum log_level log_threshold = LOG_LVL_INFO;
static bool log_syslog;

void
log_init(const char *progname, enum log_level level, bool use_syslog)
{
	log_prog = progname;
	log_threshold = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void log_emit(enum log_level lvl, int errnum, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static void
log_emit(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024];

	if (lvl > log_threshold)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		if (errnum)
			syslog(prio[lvl], "%s: %s", msg, strerror(errnum));
		else
			syslog(prio[lvl], "%s", msg);
		return;
	}
	if (errnum)
		fprintf(stderr, "%s: %s: %s\n", log_prog, msg, strerror(errnum));
	else
		fprintf(stderr, "%s: %s\n", log_prog, msg);
}

#define LOG_BODY(lvl, errnum) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_emit((lvl), (errnum), fmt, ap);	\
	va_end(ap);				\
} while (0)

void log_warn(const char *fmt, ...) { int e = errno; LOG_BODY(LOG_LVL_WARN, e); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LVL_WARN, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LVL_INFO, 0); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LVL_DEBUG, 0); }
void fatal(const char *fmt, ...) { int e = errno; LOG_BODY(LOG_LVL_ERR, e); exit(1); }
void fatalx(const char *fmt, ...) { LOG_BODY(LOG_LVL_ERR, 0); exit(1); }
