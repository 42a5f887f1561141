/*
 * notify.c - sd_notify() behind one file: the only one that includes
 * <systemd/sd-daemon.h>, so a router build without libsystemd keeps
 * every other file unchanged.
 */
#include "buildconf.h"
#include "notify.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

bool
notify_available(void)
{
	return true;
}

void
notify_send(const char *state)
{
	(void)sd_notify(0, state);
}

uint64_t
notify_watchdog_us(void)
{
	uint64_t us = 0;

	return sd_watchdog_enabled(0, &us) > 0 ? us : 0;
}

#else

bool
notify_available(void)
{
	return false;
}

void
notify_send(const char *state)
{
	(void)state;
}

uint64_t
notify_watchdog_us(void)
{
	return 0;
}

#endif
