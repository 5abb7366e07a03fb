/* umount - unmount filesystems
 *
 * usage: umount [-ldf] DIR|DEV...
 *   -l, --lazy          detach now, clean up when no longer busy
 *   -d, --detach-loop   also detach the loop device behind the mount (one
 *                       that mount -o loop made goes away by itself)
 *   -f, --force         force (unreachable network filesystems)
 *   -n                  accepted and ignored (there is no mtab)
 * A DEV is unmounted where it was mounted last.
 *
 * exit: 0 ok; 1 failed (any of them); 2 usage
 *
 * Notes: the loop device is read from the mount's st_dev before
 * unmounting, and only a device without autoclear is detached afterwards:
 * it is still bound then, so no one else can have taken its number.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "applet.h"

struct umount {
	int flags; /* MNT_DETACH, MNT_FORCE */
	bool detach_loop;
};

static const struct opt_long longs[] = {{"lazy", OPT_NONE, 'l'},
					{"detach-loop", OPT_NONE, 'd'},
					{"force", OPT_NONE, 'f'},
					{0}};

/* Where block device rdev is mounted (the last such mount), into path. */
static int where(dev_t rdev, char *path, size_t len)
{
	struct mountinfo_list l;
	const char *found = NULL;
	size_t i;

	if (mountinfo_read(NULL, &l) < 0)
		return -1;
	for (i = 0; i < l.n; i++)
		if (l.v[i].major == major(rdev) && l.v[i].minor == minor(rdev))
			found = l.v[i].target;
	if (found)
		snprintf(path, len, "%s", found);
	mountinfo_free(&l);
	if (!found) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int one(const struct umount *u, const char *arg)
{
	char target[PATH_MAX];
	struct loop_state ls;
	struct stat st;
	unsigned n;
	bool loop = false;

	snprintf(target, sizeof(target), "%s", arg);
	if (stat(arg, &st) == 0 && S_ISBLK(st.st_mode) &&
	    where(st.st_rdev, target, sizeof(target)) < 0) {
		warn("%s: not mounted", arg);
		return 1;
	}
	/* A mount point's own st_dev is the device of the mounted fs. */
	if (u->detach_loop && stat(target, &st) == 0 &&
	    loop_by_devno(major(st.st_dev), minor(st.st_dev), &n) == 0 &&
	    loop_state(n, &ls) == 0 && !ls.autoclear)
		loop = true;
	if (umount2(target, u->flags) < 0) {
		if (errno == EINVAL)
			warn("%s: not mounted", arg);
		else if (errno == EBUSY)
			warn("%s: target is busy (umount -l detaches it lazily)",
			     arg);
		else
			warn_errno("unmount %s", arg);
		return 1;
	}
	if (loop && loop_detach(ls.name) < 0 && errno != ENXIO) {
		warn_errno("detach %s", ls.name);
		return 1;
	}
	return 0;
}

/* Called through the applet table (applets/initbox.c, generated). */
int umount_main(int argc, char **argv);

int umount_main(int argc, char **argv)
{
	struct umount u = {0, false};
	struct opt o;
	int c, i, failed = 0;

	opt_init(&o);
	while ((c = opt_next(&o, argc, argv, "ldfn", longs)) != -1) {
		switch (c) {
		case 'l':
			u.flags |= MNT_DETACH;
			break;
		case 'd':
			u.detach_loop = true;
			break;
		case 'f':
			u.flags |= MNT_FORCE;
			break;
		case 'n':
			break;
		default:
			die_opt(&o, c);
		}
	}
	if (o.ind >= argc)
		die_usage("missing DIR or DEV");
	for (i = o.ind; i < argc; i++)
		failed |= one(&u, argv[i]);
	return out_done(failed);
}
