/* pack.h - the entry list of a newc archive being built: a directory walk
 * or a gen_init_cpio list, numbered reproducibly, or a name list as GNU
 * cpio -o reads it; then written through a cpio_out. Used by cpio-pack
 * and cpio -o.
 */
#ifndef INITBOX_PACK_H
#define INITBOX_PACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpio.h"

struct pack_ent {
	char *name; /* archive name */
	char *src;  /* data file, or symlink target */
	uint32_t mode, uid, gid, mtime, size, rmaj, rmin;
	uint64_t dev, ino; /* identity, for hardlink groups */
	uint32_t links;	   /* names the source says it has */
	uint32_t new_ino, nlink;
	bool nodata; /* a hardlink whose data is on another name */
	size_t pos;
	size_t lead; /* pack_gnu_order: the first name of its inode */
};

struct pack {
	struct pack_ent *v;
	size_t n, cap;
	/* settings, filled by the caller */
	bool crc; /* 070702 with data checksums */
	bool owner_set, mtime_set, epoch_set;
	uint32_t uid, gid, mtime; /* -R, -t */
	int64_t epoch;		  /* SOURCE_DATE_EPOCH: mtimes clamped to it */
	/* on failure: what failed, on what (a path, or LIST:LINE), and for
	 * list errors (errno EINVAL) why */
	const char *step;
	char where[CPIO_PATH_MAX + 64];
	char why[96];
};

enum { PACK_BUF = 64 << 10 }; /* read size when copying file data */

/* Add the tree under DIR (not DIR itself), names sorted in C order. */
int pack_dir(struct pack *p, const char *dir);
/* Add the entries of a gen_init_cpio list read from f, in list order. */
int pack_list(struct pack *p, FILE *f, const char *name);
/* Add the files named in f, one a line (sep '\n') or NUL-separated, in
 * that order, as GNU cpio -o reads them: a leading "./" is dropped,
 * blank lines are skipped. */
int pack_names(struct pack *p, FILE *f, int sep);
/* Number and order the entries of pack_names as GNU cpio -o
 * --reproducible writes them (copyout.c): inodes from 0 in name order,
 * shared by the names of an inode with more links; a regular file with
 * more links waits for its last listed name, then its waiting names come
 * without data (the latest first) and the last with it; names still
 * waiting at the end follow, latest first, the data on each inode's
 * earliest name. nlink is the source's. */
int pack_gnu_order(struct pack *p);
/* Number inodes in archive order; names of one source inode share the
 * first one's number and only the last carries the data. */
int pack_number(struct pack *p);
/* Write every entry and the trailer. */
int pack_emit(struct pack *p, struct cpio_out *o);
/* Forget the entries (settings stay). */
void pack_clear(struct pack *p);

#endif
