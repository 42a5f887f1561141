/*
 * main.c - the outflow command: finds the subcommand in the table and
 * runs it.  The command files are the only place besides log.c that
 * prints diagnostics, and the only one that reads the wall clock.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
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
	{ "lookup", cmd_lookup },
	{ "version", cmd_version },
	{ "--version", cmd_version },
	{ "help", cmd_help },
	{ "--help", cmd_help },
	{ "-h", cmd_help },
};

int
main(int argc, char **argv)
{
	log_init("outflow", LOG_LVL_INFO, false);
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
