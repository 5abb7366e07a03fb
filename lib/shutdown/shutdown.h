/* shutdown.h - the shutdown wing (lib/shutdown/): taking a root apart at
 * the end of a session, so that every filesystem under it is closed
 * before the power goes: the order its mounts can go in, and the block
 * devices they leave behind, released or still held. Stands on base and
 * mount; the applet (applets/shutdown.c) names the processes in the way
 * with the switch wing's pins.
 */
#ifndef INITBOX_SHUTDOWN_H
#define INITBOX_SHUTDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"
#include "mount/mount.h"

/* --- order.c: which mounts lie at or under a directory, and the order
 * umount(2) can take them in. */

/* True when PATH is TOP or lies below it ("/" holds every path). */
bool sd_under(const char *path, const char *top);
/* The indexes into L of the mounts at or under TOP, children before
 * their parents (deepest in the mount tree first; among equals the one
 * mounted last first, as the kernel stacks them). IDX has room for l->n;
 * returns how many it holds. */
size_t sd_order(const struct mountinfo_list *l, const char *top, size_t *idx);

/* This process's mounts at or under TOP, read now and ordered as
 * sd_order does: the i-th to go is l.v[idx[i]], i < n. */
struct sd_mounts {
	struct mountinfo_list l;
	size_t *idx;
	size_t n;
};

/* 0, or -1 with errno (the mount table unreadable, ENOMEM). */
int sd_mounts_read(const char *top, struct sd_mounts *m);
void sd_mounts_free(struct sd_mounts *m);

/* --- devs.c: the block devices a teardown must leave free. */

struct sd_dev {
	dev_t rdev;
	char name[32]; /* "vdb", "loop0", "sr0" (sysfs) */
};

struct sd_devs {
	struct sd_dev *v;
	size_t n, cap;
};

/* Add the block device NODE names ("/dev/vdb") or RDEV (NODE NULL) once;
 * anything that is no block device is skipped. 0, or -1 with errno
 * ENOMEM. */
int sd_devs_add(struct sd_devs *d, const char *node, dev_t rdev);
/* Add the block devices the mounts at or under TOP stand on. */
int sd_devs_from_mounts(struct sd_devs *d, const struct mountinfo_list *l,
			const char *top);
void sd_devs_free(struct sd_devs *d);

/* Whether DEV is still held: 1 with HOLDER ("dm-0", "a filesystem or
 * another opener") filled, 0 when an exclusive open succeeds (no
 * filesystem, mapping or loop device keeps it), -1 with errno when it
 * cannot be told (the device is gone: ENXIO/ENOENT). */
int sd_dev_held(const struct sd_dev *dev, char *holder, size_t len);

/* The bound loop devices whose backing file lies at or under TOP (as this
 * process sees paths), recorded before a teardown: once the filesystem
 * holding the file is detached its path no longer says where it was. */
struct sd_loop {
	unsigned num;
	uint64_t back_dev, back_ino;
};

struct sd_loops {
	struct sd_loop *v;
	size_t n, cap;
};

int sd_loops_under(const char *top, struct sd_loops *l);
/* Detach those of L still bound to the same file (the ones without
 * autoclear a teardown leaves bound). Returns how many, or -1 with
 * errno; the first it could not detach is named in E. */
int sd_loops_detach(const struct sd_loops *l, struct err *e);
void sd_loops_free(struct sd_loops *l);

#endif
