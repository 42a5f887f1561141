/*
 * cmd_version.c - `outflow version`.
 */
#include <stdio.h>

#include "buildconf.h"
#include "cmd.h"

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("outflow %s\n", OUTFLOW_VERSION);
	return 0;
}
