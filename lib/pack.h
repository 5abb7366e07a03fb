/* pack.h - the entry list of a newc archive being built: a directory walk
 * or a gen_init_cpio list, numbered reproducibly, then written through a
 * cpio_out. Used by cpio-pack.
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
/* Number inodes in archive order; names of one source inode share the
 * first one's number and only the last carries the data. */
int pack_number(struct pack *p);
/* Write every entry and the trailer. */
int pack_emit(struct pack *p, struct cpio_out *o);
/* Forget the entries (settings stay). */
void pack_clear(struct pack *p);

#endif
