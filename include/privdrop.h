/*
 * privdrop.h - giving up privileges once the captures are open.
 *
 * Started as root, the daemon becomes its configured user (groups, group
 * and user switched, then checked: no way back to root, no capability
 * left).  Started by systemd as a plain user with CAP_NET_RAW and
 * CAP_NET_ADMIN, it drops those.  Either way nothing privileged remains
 * before the first packet is parsed.
 */
#ifndef OUTFLOW_PRIVDROP_H
#define OUTFLOW_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/** uid and gid of user; -ENOENT (said in err) when there is none. */
int privdrop_lookup(const char *user, uid_t *ret_uid, gid_t *ret_gid,
    char *err, size_t errlen);

/**
 * Become user (must be running as root): setgroups to its group only,
 * setgid, setuid, then verify that the real, effective and saved ids are
 * the user's, that setuid(0) fails, and that no capability is left.
 */
int privdrop_to_user(const char *user, char *err, size_t errlen);

/**
 * Keep the user, drop every capability (permitted, effective,
 * inheritable and ambient) and verify none is left.
 */
int privdrop_caps(char *err, size_t errlen);

/** Whether the process holds any capability in its effective set. */
int privdrop_has_caps(void);

#endif
