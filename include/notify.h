/*
 * notify.h - telling systemd how the daemon is doing (Type=notify):
 * READY=1 once capturing, STATUS= lines with live counters, WATCHDOG=1
 * pings, STOPPING=1 and RELOADING=1.  Built on libsystemd's sd_notify()
 * when the build found it (meson option systemd); without it, or when
 * not started by systemd ($NOTIFY_SOCKET unset), every call does nothing.
 */
#ifndef OUTFLOW_NOTIFY_H
#define OUTFLOW_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/** Whether this build can talk to systemd at all. */
bool notify_available(void);

/** Send one notification ("READY=1", "STATUS=...", ...). */
void notify_send(const char *state);

/**
 * The watchdog interval systemd asked for (WatchdogSec=), in
 * microseconds; 0 when there is none.  Ping at half of it.
 */
uint64_t notify_watchdog_us(void);

#endif
