/*
 * privdrop.c - user switch and capability drop (tcpdump's droproot(),
 * OpenBSD's daemons).  Capabilities are read and cleared with the raw
 * capget/capset system calls: two calls do not justify libcap.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"

static int
caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	memset(data, 0, 2 * sizeof(data[0]));
	return (int)syscall(SYS_capget, &hdr, data);
}

int
privdrop_has_caps(void)
{
	struct __user_cap_data_struct data[2];

	if (caps_get(data) != 0)
		return -errno;
	return (data[0].effective | data[1].effective | data[0].permitted |
	    data[1].permitted) != 0;
}

int
privdrop_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	/* Ambient ones would come back on exec; an error means none. */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) != 0) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -errno;
	}
	if (privdrop_has_caps() != 0) {
		snprintf(err, errlen, "capabilities still held after capset");
		return -EPERM;
	}
	return 0;
}

int
privdrop_lookup(const char *user, uid_t *ret_uid, gid_t *ret_gid, char *err,
    size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user \"%s\": %s", user,
		    errno != 0 ? strerror(errno) : "no such user");
		return -ENOENT;
	}
	*ret_uid = pw->pw_uid;
	*ret_gid = pw->pw_gid;
	return 0;
}

int
privdrop_to_user(const char *user, char *err, size_t errlen)
{
	uid_t uid, ruid, euid, suid;
	gid_t gid, rgid, egid, sgid;
	int r;

	if ((r = privdrop_lookup(user, &uid, &gid, err, errlen)) != 0)
		return r;
	if (uid == 0) {
		snprintf(err, errlen, "user \"%s\" is root: refusing to run "
		    "as root", user);
		return -EPERM;
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		snprintf(err, errlen, "switching to user \"%s\": %s", user,
		    strerror(errno));
		return -EPERM;
	}
	/* Verified, not assumed: a half-done switch must not run on. */
	if (getresuid(&ruid, &euid, &suid) != 0 ||
	    getresgid(&rgid, &egid, &sgid) != 0 ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid ||
	    setuid(0) == 0 || seteuid(0) == 0) {
		snprintf(err, errlen, "user \"%s\": the switch did not hold",
		    user);
		return -EPERM;
	}
	return privdrop_caps(err, errlen);
}
