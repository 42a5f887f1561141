/*
 * main.c - the outflow command: finds the subcommand in the table and
 * runs it.  The command files are the only place besides log.c that
 * prints diagnostics, and the only one that reads the wall clock.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "hash.h"
#include "log.h"

static int
cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct cmd commands[] = {
	{ "audit", cmd_audit },
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "lookup", cmd_lookup },
	{ "report", cmd_report },
	{ "version", cmd_version },
	{ "--version", cmd_version },
	{ "help", cmd_help },
	{ "--help", cmd_help },
	{ "-h", cmd_help },
};

/*
 * The per-run hash key.  OUTFLOW_HASH_SEED (a number) fixes it, to replay
 * a run exactly; output never depends on it, tables are sorted to print.
 */
static void
seed_hashes(void)
{
	const char *env = getenv("OUTFLOW_HASH_SEED");
	struct timespec ts;
	uint64_t v;
	char *end;

	if (env != NULL && env[0] != '\0') {
		errno = 0;
		v = strtoull(env, &end, 0);
		if (errno == 0 && *end == '\0') {
			hash_seed_set(v, v * 0x9e3779b97f4a7c15ULL + 1);
			return;
		}
		log_warnx("OUTFLOW_HASH_SEED is not a number, ignored");
	}
	if (hash_seed_init() == 0)
		return;
	/* No entropy yet (early boot): tables still work, only less
	 * resistant to a peer aiming collisions. */
	log_warnx("getrandom: no entropy, hash key from the clock");
	clock_gettime(CLOCK_REALTIME, &ts);
	hash_seed_set((uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec,
	    (uint64_t)getpid());
}

int
main(int argc, char **argv)
{
	log_init("outflow", LOG_LVL_INFO, false);
	seed_hashes();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	log_warnx("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return 2;
}
