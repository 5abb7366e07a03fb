/* mount.h - the mount wing (lib/mount/): loop devices, mount option
 * strings, /proc/self/mountinfo, overlayfs option strings. Stands on base.
 */
#ifndef INITBOX_MOUNT_H
#define INITBOX_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* --- loop.c: loop devices: race-safe attach through /dev/loop-control,
 * detach, and the state of bound devices (from sysfs, else the ioctls). */

struct loop_conf {
	uint64_t offset, sizelimit; /* sizelimit 0: to the end of FILE */
	bool read_only, autoclear, partscan, direct_io;
};

/* Attach FILE to a free loop device (race-safe through /dev/loop-control).
 * Fills dev (e.g. "/dev/loop3"); returns an open fd on the device or -1.
 * With autoclear the device vanishes when that fd is closed unless
 * something else (a mount) holds it: close it only after mount(2). */
int loop_attach(const char *file, const struct loop_conf *c, char *dev,
		size_t len);
/* loop_attach, naming the failed step in e (may be NULL). When dev
 * holds a name on entry ("/dev/loop7"), only that device is used and EBUSY
 * is final. A FILE that cannot be opened for writing (EROFS, EACCES, EPERM)
 * gives a read-only device; *ro_fallback (may be NULL) says so. */
int loop_setup(const char *file, const struct loop_conf *c, char *dev,
	       size_t len, struct err *e, bool *ro_fallback);
/* Detach DEV (LOOP_CLR_FD; lazy if the device is still open elsewhere).
 * -1 with ENXIO when nothing is attached. */
int loop_detach(const char *dev);
/* Re-read the backing file's size (LOOP_SET_CAPACITY), after it grew. */
int loop_set_capacity(const char *dev);
/* Detach the device fd was returned for (undoing a failed mount). */
int loop_clear(int fd);
/* The name of the device /dev/loop-control would hand out next. */
int loop_find_free(char *dev, size_t len);
/* The number N of a loop device given as /dev/loopN, loopN or a node of
 * major 7; -1 with EINVAL for anything else. */
int loop_number(const char *dev, unsigned *n);
/* The number N of the loop device MAJ:MIN (st_dev of a mounted image). */
int loop_by_devno(unsigned maj, unsigned min, unsigned *n);

struct loop_state {
	unsigned num;
	char name[24];	    /* "/dev/loopN" */
	char backing[4096]; /* the backing file as the kernel names it */
	uint64_t offset, sizelimit;
	uint64_t back_dev, back_ino; /* lo_device, lo_inode; 0 if unknown */
	bool autoclear, read_only, partscan, direct_io;
	unsigned log_sec; /* logical sector size, 0 if unknown */
};
/* The state of loop device N; -1 with ENXIO when it is not bound. */
int loop_state(unsigned num, struct loop_state *st);
/* Call fn for every bound loop device in ascending order; stops at and
 * returns fn's first non-zero result. */
int loop_each(int (*fn)(const struct loop_state *st, void *arg), void *arg);

/* --- mntopt.c: mount option strings ("ro,nosuid,size=10%,x-initrd.mount")
 * split into MS_* flags, propagation, loop settings and the data string
 * the filesystem gets. */

enum { MNTOPT_DATA_MAX = 4096 }; /* mount(2) copies one page */

struct mntopt {
	unsigned long flags; /* MS_* to set */
	unsigned long clear; /* MS_* turned off by name (rw, suid, ...) */
	unsigned long prop;  /* MS_PRIVATE, MS_SHARED, ... with MS_REC */
	char data[MNTOPT_DATA_MAX]; /* the rest, comma-joined, for the fs */
	bool loop;		    /* "loop" or "loop=DEV" */
	char loop_dev[64];	    /* DEV of loop=DEV, "" for a free one */
	bool has_offset, has_sizelimit;
	uint64_t offset, sizelimit;
	struct err err; /* what: the option mntopt_parse refused */
};

void mntopt_init(struct mntopt *m);
/* Add the comma-separated OPTS (values may be "quoted" or hold \,).
 * Later options win over earlier ones. x-* and X-* options and the
 * fstab-only ones (defaults, noauto, nofail, user, _netdev, ...) are
 * dropped. -1 with errno EINVAL (bad value, unterminated quote) or E2BIG
 * (data longer than a page), the option named in m->err. */
int mntopt_parse(struct mntopt *m, const char *opts);
/* MS_* flags of a mounted filesystem from statvfs()'s f_flag, so that a
 * remount can keep what it does not change. */
unsigned long mntopt_from_statvfs(unsigned long f_flag);
/* The flags for mount(2): for a remount, base (mntopt_from_statvfs) with
 * the named changes applied; otherwise the named flags alone. */
unsigned long mntopt_flags(const struct mntopt *m, unsigned long base);

/* --- mountinfo.c: /proc/self/mountinfo, parsed.
 *
 * One entry a mount, in the kernel's order (parents before children as
 * they were mounted). Paths are relative to the reading process's root,
 * octal escapes (\040 for a blank) decoded. Strings point into the list's
 * own buffer, so they live until mountinfo_free.
 */

struct mountinfo {
	int id;			/* mount ID */
	int parent;		/* parent's mount ID (itself for a namespace root) */
	unsigned major, minor;	/* st_dev of files on it */
	const char *root;	/* the directory of the filesystem mounted here */
	const char *target;	/* the mount point */
	const char *opts;	/* per-mount options: "rw,nosuid" */
	const char *optional;	/* propagation tags: "shared:1 master:2", or "" */
	const char *fstype;	/* "tmpfs", "fuse.sshfs" */
	const char *source;	/* "/dev/vda1", "none" */
	const char *super_opts;	/* superblock options */
};

struct mountinfo_list {
	struct mountinfo *v;
	size_t n;
	char *buf;		/* the text, cut up in place */
};

/* Parse TEXT (copied). 0, or -1 with errno: EINVAL for a malformed line,
 * ENOMEM. */
int mountinfo_parse(const char *text, struct mountinfo_list *l);
/* Read and parse PATH (NULL: /proc/self/mountinfo). */
int mountinfo_read(const char *path, struct mountinfo_list *l);
void mountinfo_free(struct mountinfo_list *l);
/* The entry mounted at TARGET (the topmost if several are stacked), or
 * NULL. */
const struct mountinfo *mountinfo_at(const struct mountinfo_list *l,
				     const char *target);
const struct mountinfo *mountinfo_by_id(const struct mountinfo_list *l,
					int id);
/* The mount holding PATH (absolute, no symlinks): the longest mount point
 * that is PATH or a parent directory of it; the topmost if stacked. */
const struct mountinfo *mountinfo_containing(const struct mountinfo_list *l,
					     const char *path);
/* True when the propagation tags hold "shared:". */
int mountinfo_is_shared(const struct mountinfo *m);
/* Decode \NNN octal escapes in place; returns S. */
char *mountinfo_unescape(char *s);

/* --- overlay.c: the pieces of an overlayfs root (mount-overlay): the
 * directories it needs and the option string mount(2) gets.
 */

/* Append DIR to the ':'-joined list in LIST (len bytes); -1 with
 * ENAMETOOLONG when it does not fit. */
int overlay_lower_add(char *list, size_t len, const char *dir);
/* "lowerdir=LOWER,upperdir=UPPER,workdir=WORK[,MORE][,EXTRA]" into buf,
 * separators in the paths escaped as overlayfs reads them (LOWER is a
 * ':'-joined list); MORE and EXTRA may be NULL or "". -1 with E2BIG when
 * it is longer than len. */
int overlay_data(char *buf, size_t len, const char *lower, const char *upper,
		 const char *work, const char *more, const char *extra);

#endif
