/* extract.h - create cpio entries under a target directory the way the
 * kernel creates them in rootfs, without ever touching anything outside.
 *
 * Every path is resolved inside the target with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS): absolute names, ".." and symlinks planted by
 * earlier entries or earlier segments stay inside, as they stay inside
 * rootfs for the kernel. The last component is handled with *at calls and
 * O_NOFOLLOW: an existing symlink there is replaced, never followed.
 * Kernels without openat2 get a component walk with O_NOFOLLOW, where a
 * symlinked directory in a path is refused. Hardlinks only point at names
 * this extraction created.
 */
#ifndef INITBOX_EXTRACT_H
#define INITBOX_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpio.h"

struct extract_link;
struct extract_dir;

enum { EXTRACT_LINK_BUCKETS = 1024 };

struct extract {
	int root;	  /* O_PATH fd of the target */
	int fd;		  /* the regular file being written, or -1 */
	bool walk;	  /* no openat2: walk components */
	bool owner;	  /* apply uid/gid and modes as root does */
	/* cpio's options, set after extract_init (the kernel does none):
	 * mkdirs makes missing parent directories (-d), no_time leaves
	 * mtimes at the time of extraction (no -m), keep_newer leaves an
	 * existing file at least as new as the entry (no -u). */
	bool mkdirs, no_time, keep_newer;
	const char *step; /* what failed */
	const char *why;  /* why, when errno cannot say it, or NULL */
	int cfd;	  /* cached parent directory */
	char cname[CPIO_PATH_MAX + 1];
	struct extract_link *links[EXTRACT_LINK_BUCKETS];
	struct extract_dir *dirs; /* deferred mtimes, newest first */
};

/* Open DIR (not following a symlink there). owner: set uid/gid (root). */
int extract_init(struct extract *x, const char *dir, bool owner);
/* Create e. For a regular file, x->fd is then open for the data (the
 * caller writes it with extract_data and calls extract_file_done).
 * -1 with errno, x->step and maybe x->why: the entry was not created or
 * gets no data (as the kernel, the caller may go on; x->fd may be open).
 * 1: keep_newer left the existing file (the entry gets no data). */
int extract_entry(struct extract *x, const struct cpio_entry *e);
int extract_data(struct extract *x, const void *p, size_t n);
/* mtime, close. */
int extract_file_done(struct extract *x, const struct cpio_entry *e);
/* TRAILER!!!: forget hardlink candidates, as the kernel's free_hash(). */
void extract_forget_links(struct extract *x);
/* Apply directory modes and mtimes (newest first), free everything.
 * -1 if one failed (x->step), after trying all. */
int extract_finish(struct extract *x);

/* Name handling, exposed for tests: split NAME into the parent path
 * (relative to the target, "" for the target itself) and the last
 * component, as the kernel would resolve it from "/". */
void extract_split(const char *name, char *parent, char *last);

#endif
