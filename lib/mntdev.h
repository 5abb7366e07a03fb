/* mntdev.h - mount a block device or an image file by a given or probed
 * type: images through an autoclear loop device, a write-protected medium
 * read-only, and nothing left attached when the mount fails. */
#ifndef INITBOX_MNTDEV_H
#define INITBOX_MNTDEV_H

#include <stdbool.h>
#include <stdint.h>

struct mntdev {
	/* request */
	const char *source; /* device or image file */
	const char *dir;
	const char *types;    /* NULL or "auto": probe; else "a,b" in order */
	unsigned long flags;  /* MS_* */
	const char *data;     /* filesystem options, may be NULL */
	bool loop;	      /* a loop device even for a block device */
	const char *loop_dev; /* that loop device, NULL for a free one */
	uint64_t offset, sizelimit;
	/* result */
	char type[32];	    /* the type mounted, or the last one tried */
	char loop_name[64]; /* the loop device used, "" if none */
	bool read_only;	    /* mounted read-only as the medium is */
	const char *step;   /* on failure: "stat source", a loop_setup
			     * step, "probe" (ENODATA: nothing known;
			     * ENOTBLK: nothing to probe), "mount" */
};

/* 0 when mounted; -1 with errno and m->step. A loop device made here
 * lives exactly as long as the mount. */
int mntdev_mount(struct mntdev *m);
/* TYPE is listed in /proc/filesystems (true too when that cannot be
 * read: then mount(2) is left to say). */
bool mntdev_fs_known(const char *type);

#endif
