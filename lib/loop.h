/* loop.h - loop devices: race-safe attach through /dev/loop-control,
 * detach, and the state of bound devices (from sysfs, else the ioctls). */
#ifndef INITBOX_LOOP_H
#define INITBOX_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* loop_attach, naming the failed step in *step (may be NULL). When dev
 * holds a name on entry ("/dev/loop7"), only that device is used and EBUSY
 * is final. A FILE that cannot be opened for writing (EROFS, EACCES, EPERM)
 * gives a read-only device; *ro_fallback (may be NULL) says so. */
int loop_setup(const char *file, const struct loop_conf *c, char *dev,
	       size_t len, const char **step, bool *ro_fallback);
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

#endif
