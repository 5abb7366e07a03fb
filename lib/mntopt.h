/* mntopt.h - mount option strings ("ro,nosuid,size=10%,x-initrd.mount")
 * split into MS_* flags, propagation, loop settings and the data string
 * the filesystem gets. */
#ifndef INITBOX_MNTOPT_H
#define INITBOX_MNTOPT_H

#include <stdbool.h>
#include <stdint.h>

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
	char bad[64]; /* the option mntopt_parse refused */
};

void mntopt_init(struct mntopt *m);
/* Add the comma-separated OPTS (values may be "quoted" or hold \,).
 * Later options win over earlier ones. x-* and X-* options and the
 * fstab-only ones (defaults, noauto, nofail, user, _netdev, ...) are
 * dropped. -1 with errno EINVAL (bad value, unterminated quote) or E2BIG
 * (data longer than a page), the option copied into m->bad. */
int mntopt_parse(struct mntopt *m, const char *opts);
/* MS_* flags of a mounted filesystem from statvfs()'s f_flag, so that a
 * remount can keep what it does not change. */
unsigned long mntopt_from_statvfs(unsigned long f_flag);
/* The flags for mount(2): for a remount, base (mntopt_from_statvfs) with
 * the named changes applied; otherwise the named flags alone. */
unsigned long mntopt_flags(const struct mntopt *m, unsigned long base);

#endif
