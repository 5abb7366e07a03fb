/* pins.h - what still holds files of a filesystem in memory.
 *
 * After switch_root has deleted the old root's files, a file's pages stay
 * until its last reference goes: an open descriptor, a mapping (executables
 * and libraries), a process's cwd or root, a loop device backed by it. All
 * of these are found by the filesystem's st_dev, since the files no longer
 * have names.
 */
#ifndef INITBOX_PINS_H
#define INITBOX_PINS_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct pin_item {
	char what[24];		/* "exe", "cwd", "root", "fd 3", "map" */
	char path[256];		/* as the kernel names it, " (deleted)" cut */
	ino_t ino;
	uint64_t bytes;		/* 0 when another item holds the same inode */
};

struct pin_proc {
	pid_t pid;
	char comm[32];
	uint64_t bytes;		/* distinct inodes of this process */
	struct pin_item *items;
	size_t nitems, items_cap;
};

struct pin_loop {
	char name[32];		/* "loop0" */
	char backing[256];	/* backing_file from sysfs */
	ino_t ino;
	uint64_t bytes;		/* device size */
};

struct pin_ino {
	ino_t ino;
	uint64_t bytes;
};

struct pins {
	struct pin_proc *procs;
	size_t nprocs, procs_cap;
	struct pin_loop *loops;
	size_t nloops, loops_cap;
	uint64_t bytes;		/* all distinct inodes together */
	/* distinct pinned inodes (for callers that must not count them as
	 * freed) */
	struct pin_ino *inos;
	size_t ninos, inos_cap;
};

/* Memory a file holds: st_blocks * 512 where the filesystem counts blocks
 * (tmpfs), else st_size rounded up to pages (ramfs keeps no block count). */
uint64_t pins_file_bytes(const struct stat *st);
/* Scan PROC (normally "/proc") for processes other than SELF (0: none
 * skipped) with anything on device DEV, and loop devices under SYS
 * ("/sys") backed by a file on DEV. 0, or -1 with errno (ENOMEM; an
 * unreadable process is skipped, it may just have exited). */
int pins_scan(const char *proc, const char *sys, dev_t dev, pid_t self,
	      struct pins *p);
void pins_free(struct pins *p);
/* Bytes pinned of inode INO, 0 if it is not pinned. */
uint64_t pins_bytes_of(const struct pins *p, ino_t ino);

#endif
